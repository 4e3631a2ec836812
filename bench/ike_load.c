/*
 * ike_load.c - l2tpsec-ikeload, the IKEv1 load generator: many simulated
 * L2TP/IPsec clients at once from one process, each completing Main Mode
 * (PSK) + Quick Mode (transport, UDP/1701) against a responder, the way the
 * 9 a.m. rush or a NAT reboot hits a remote-access server.
 *
 * Each client is a struct ike_init (tests/harness/ike_initiator: our codec
 * and crypto in the initiator role, Diffie-Hellman inline) on its own
 * non-blocking UDP socket, bound to its own source address taken from
 * --sources (so the transport-mode policies of the clients stay distinct),
 * and driven by one event loop.  A client sends MM1, MM3, MM5, QM1 and QM3,
 * checks every answer as a real initiator would (HASH_R, HASH(2)), resends
 * its last message when no answer came (--retransmit, doubling, like a real
 * initiator) and gives up after --timeout, counted as "timeout waiting for
 * X".  A client counts as completed once, when it sends QM3; with --delete
 * it then sends the Deletes of its ESP SA and ISAKMP SA so the responder
 * frees them.  A source address goes back to the end of the free list when
 * its client ends, so it is reused as late as possible.
 *
 * With --session (issue 6, benchmark 3) a client goes on after QM3: it
 * installs its own ESP SA pair and policies in this namespace's kernel
 * (daemon/kernel_xfrm, the keys from the initiator's KEYMAT, reqid per
 * slot, no mark), closes its IKE socket, opens a UDP socket from
 * source:1701 to server:1701 and runs bench/l2tp_client (SCCRQ .. ICCN) and
 * bench/ppp_client (LCP, MS-CHAPv2, IPCP) until it holds an address, then
 * idles answering LCP echoes.  One slot per session held (--count), at most
 * --concurrency setting up at once.  When the ramp is over it prints its
 * report and holds until --hold runs out or SIGTERM/SIGINT, then removes its
 * SAs and policies (only its own: never a flush, the daemon may share the
 * namespace).
 *
 * Output: the completed handshakes per second, latencies (MM1 sent to QM3
 * sent) p50/p90/p99/max, failures by cause, the generator's own CPU time,
 * and one "RESULT key=value ..." line for scripts; with --session also
 * sessions up/held, sessions per second, setup latency (MM1 sent to IPCP
 * up) and a "RESULT_SESSION key=value ..." line.
 *
 * What it must not do: be installed or linked into the daemon (benchmarks and
 * tests only), talk to anything but --server, or hide a failure in an average.
 * Ownership: one struct load per process owns the clients, their sockets and
 * the loop.  No NAT traversal: a client that finds a NAT between itself and
 * the server fails ("NAT detected"), since the generator never floats to 4500.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <netinet/in.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench/l2tp_client.h"
#include "bench/load_stats.h"
#include "bench/ppp_client.h"
#include "daemon/kernel_xfrm.h"
#include "ike/isakmp_const.h"
#include "lib/alloc.h"
#include "lib/clock.h"
#include "lib/evloop.h"
#include "tests/harness/ike_initiator.h"

enum load_state {
	LOAD_IDLE,
	LOAD_WAIT_MM2,
	LOAD_WAIT_MM4,
	LOAD_WAIT_MM6,
	LOAD_WAIT_QM2,
	LOAD_SESSION,                   /* --session: ESP installed, L2TP + PPP on the way */
	LOAD_HELD,                      /* --session: holds an address, idle */
};

static const char *const load_state_waits[] = {
	[LOAD_IDLE] = "idle",
	[LOAD_WAIT_MM2] = "MM2",
	[LOAD_WAIT_MM4] = "MM4",
	[LOAD_WAIT_MM6] = "MM6",
	[LOAD_WAIT_QM2] = "QM2",
	[LOAD_SESSION] = "L2TP/PPP",
	[LOAD_HELD] = "nothing (held)",
};

struct load;

struct load_client {
	struct load *load;
	enum load_state state;
	struct ike_init in;
	bool in_started;
	struct ev_fd socket;
	struct ev_timer retransmit;
	uint32_t address_index;
	uint64_t start_ms, deadline_ms;
	unsigned retransmit_delay_ms;
	uint8_t last_sent[IKE_INIT_MSG_MAX];
	size_t last_sent_len;
	uint8_t last_received[IKE_INIT_MSG_MAX];
	size_t last_received_len;
	/* --session */
	struct ev_fd l2tp_socket;       /* source:1701 <-> server:1701, through ESP */
	struct l2tp_client l2tp;
	struct ppp_client ppp;
	bool esp_installed;
	struct kxfrm_flow esp_flow;
	uint32_t esp_spi_in, esp_spi_out;
};

struct load_options {
	struct netaddr server;
	const char *psk;
	struct load_cidr sources;
	uint16_t client_port;
	unsigned concurrency;
	double rate;                    /* new clients per second; 0: as fast as slots free up */
	unsigned long count;            /* clients to start; 0: until duration */
	unsigned duration_s;
	bool aes;                       /* aes128-sha1-modp2048, else 3des-sha1-modp1024 */
	bool send_deletes;
	unsigned timeout_ms;
	unsigned retransmit_ms;         /* first resend; 0: never resend */
	bool quiet;
	bool session;                   /* go on to L2TP + PPP and hold the session */
	const char *user, *password;
	unsigned hold_s;                /* --session: hold this long after the ramp; 0: until a signal */
	bool light_dh;                  /* one Main Mode key pair, 64-bit private value, for all clients */
};

struct load {
	struct clock clock;
	struct ev_loop *loop;
	struct ike_crypto *crypto;
	struct load_options options;
	struct ike_dh *light_dh;        /* --light-dh: the key pair every client uses */
	struct ike_init_p1 p1;
	struct ike_init_esp esp;
	struct load_client *clients;
	uint32_t *free_addresses;       /* a ring of host indexes into options.sources */
	uint32_t free_head, free_count, free_capacity;
	unsigned in_flight;
	unsigned long started, completed, retransmits;
	struct load_latency latency;
	struct load_causes failures;
	uint64_t begin_ms, end_starting_ms, last_completion_ms;
	double rate_tokens;
	uint64_t rate_last_ms;
	bool stopping;
	struct ev_timer refill, progress, stop_starting;
	unsigned long progress_completed;
	/* --session */
	unsigned slot_count;            /* clients (concurrency, or --count with --session) */
	struct kxfrm *kx;               /* the client side's ESP SAs and policies */
	struct mschapv2_crypto *mschapv2;
	struct ppp_client_conf ppp_conf;
	unsigned long sessions_up, held;
	uint64_t last_session_ms;
	struct load_latency session_latency;
	bool ramp_reported;
	struct ev_timer hold;
};

static const char *const load_vids[] = { "RFC 3947", "draft-ietf-ipsec-nat-t-ike-02_n" };

/* ------------------------------------------------------------------ outcome */

static void load_client_end(struct load_client *c);

static void load_client_fail(struct load_client *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void load_client_fail(struct load_client *c, const char *fmt, ...)
{
	char cause[LOAD_CAUSE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cause, sizeof(cause), fmt, ap);
	va_end(ap);
	if (!load_causes_add(&c->load->failures, cause))
		c->load->failures.total++;      /* counted even when its cause could not be kept */
	load_client_end(c);
}

static void load_client_send(struct load_client *c, const uint8_t *msg, size_t len, bool keep)
{
	if (keep) {
		memcpy(c->last_sent, msg, len);
		c->last_sent_len = len;
	}
	if (send(c->socket.fd, msg, len, 0) < 0 && errno != EAGAIN && errno != ECONNREFUSED)
		fprintf(stderr, "l2tpsec-ikeload: send: %s\n", strerror(errno));
}

/* Arms the resend (or the give-up) for the message just sent. */
static void load_client_wait(struct load_client *c, enum load_state next)
{
	struct load *L = c->load;
	uint64_t now = clock_now_ms(&L->clock);
	uint64_t delay = c->deadline_ms > now ? c->deadline_ms - now : 0;

	c->state = next;
	c->retransmit_delay_ms = L->options.retransmit_ms;
	if (c->retransmit_delay_ms && c->retransmit_delay_ms < delay)
		delay = c->retransmit_delay_ms;
	ev_timer_arm(L->loop, &c->retransmit, delay);
}

static void load_session_fail_timeout(struct load_client *c);
static void load_session_resend(struct load_client *c);

static void load_client_on_retransmit_due(struct ev_timer *t)
{
	struct load_client *c = container_of(t, struct load_client, retransmit);
	struct load *L = c->load;
	uint64_t now = clock_now_ms(&L->clock), delay;

	if (now >= c->deadline_ms) {
		if (c->state == LOAD_SESSION)
			load_session_fail_timeout(c);
		else
			load_client_fail(c, "timeout waiting for %s", load_state_waits[c->state]);
		return;
	}
	if (c->state == LOAD_SESSION) {
		load_session_resend(c);
		return;
	}
	load_client_send(c, c->last_sent, c->last_sent_len, false);
	L->retransmits++;
	c->retransmit_delay_ms = c->retransmit_delay_ms * 2 > 30000 ? 30000 : c->retransmit_delay_ms * 2;
	delay = c->deadline_ms - now;
	if (c->retransmit_delay_ms < delay)
		delay = c->retransmit_delay_ms;
	ev_timer_arm(L->loop, &c->retransmit, delay);
}

static void load_client_count_handshake(struct load_client *c)
{
	struct load *L = c->load;
	uint64_t now = clock_now_ms(&L->clock);

	L->completed++;
	L->last_completion_ms = now;
	if (!load_latency_add(&L->latency, (uint32_t)(now - c->start_ms)))
		fprintf(stderr, "l2tpsec-ikeload: out of memory: a latency sample is lost\n");
}

static void load_client_complete(struct load_client *c)
{
	struct load *L = c->load;
	uint8_t msg[IKE_INIT_MSG_MAX];
	uint32_t mid;
	long len;

	load_client_count_handshake(c);
	if (L->options.send_deletes) {
		if (RAND_bytes((uint8_t *)&mid, sizeof(mid)) == 1) {
			len = ike_init_delete_esp(&c->in, mid | 1, c->in.spi_i, msg, sizeof(msg));
			if (len > 0)
				load_client_send(c, msg, (size_t)len, false);
			len = ike_init_delete_isakmp(&c->in, (mid + 2) | 1, msg, sizeof(msg));
			if (len > 0)
				load_client_send(c, msg, (size_t)len, false);
		}
	}
	load_client_end(c);
}

/* ------------------------------------------------------------------ the exchange */

static const char *load_notify_name(uint16_t type, char *buf, size_t size)
{
	snprintf(buf, size, "%s", isakmp_notify_name(type).str);
	return buf;
}

/* An Informational where an exchange step was expected: a refusal, counted by its notify. */
static bool load_client_informational(struct load_client *c, const uint8_t *msg, size_t len)
{
	char name[48];
	int type;

	if (len < ISAKMP_HDR_LEN || msg[18] != ISAKMP_EXCHANGE_INFORMATIONAL)
		return false;
	if (!(msg[19] & ISAKMP_FLAG_ENCRYPTION)) {
		type = ike_init_recv_plain_notify(msg, len);
		if (type < 0)
			load_client_fail(c, "unreadable plain Informational before %s",
					 load_state_waits[c->state]);
		else
			load_client_fail(c, "notify %s", load_notify_name((uint16_t)type, name, sizeof(name)));
		return true;
	}
	if (c->state < LOAD_WAIT_MM6 || ike_init_recv_info(&c->in, msg, len) != 0) {
		load_client_fail(c, "unreadable encrypted Informational before %s",
				 load_state_waits[c->state]);
		return true;
	}
	if (c->in.info_notify == ISAKMP_NOTIFY_R_U_THERE)
		return true;                    /* DPD during the handshake: ignore it */
	if (c->in.info_notify)
		load_client_fail(c, "notify %s (encrypted)",
				 load_notify_name(c->in.info_notify, name, sizeof(name)));
	else
		load_client_fail(c, "Delete before %s", load_state_waits[c->state]);
	return true;
}

static void load_session_begin(struct load_client *c);

static void load_client_step(struct load_client *c, const uint8_t *msg, size_t len)
{
	uint8_t out[IKE_INIT_MSG_MAX];
	struct ike_init_qm qm = { &c->load->esp, 1, false, 0, 1701, false, 0 };
	uint32_t mid, spi;
	long n = 0;
	int r = 0;

	if (load_client_informational(c, msg, len))
		return;
	switch (c->state) {
	case LOAD_WAIT_MM2:
		r = ike_init_recv_mm2(&c->in, msg, len);
		if (r == 0)
			n = ike_init_mm3(&c->in, out, sizeof(out));
		break;
	case LOAD_WAIT_MM4:
		r = ike_init_recv_mm4(&c->in, msg, len);
		if (r == 0 && (c->in.nat_seen_by_us || c->in.server_nat_seen)) {
			load_client_fail(c, "NAT detected (the generator does not float)");
			return;
		}
		if (r == 0)
			n = ike_init_mm5(&c->in, out, sizeof(out));
		break;
	case LOAD_WAIT_MM6:
		r = ike_init_recv_mm6(&c->in, msg, len);
		if (r == 0 && (RAND_bytes((uint8_t *)&mid, sizeof(mid)) != 1 ||
			       RAND_bytes((uint8_t *)&spi, sizeof(spi)) != 1))
			r = -100;
		if (r == 0)
			n = ike_init_qm1(&c->in, mid | 1, spi | 0x100, &qm, out, sizeof(out));
		break;
	case LOAD_WAIT_QM2:
		r = ike_init_recv_qm2(&c->in, msg, len);
		if (r == 0)
			n = ike_init_qm3(&c->in, out, sizeof(out));
		break;
	case LOAD_IDLE:
	case LOAD_SESSION:
	case LOAD_HELD:
		return;
	}
	if (r != 0) {
		if (c->state == LOAD_WAIT_MM6)
			load_client_fail(c, "MM6 did not check out (wrong PSK?), step %d", r);
		else
			load_client_fail(c, "bad %s, step %d", load_state_waits[c->state], r);
		return;
	}
	if (n <= 0) {
		load_client_fail(c, "building our next message failed in %s", load_state_waits[c->state]);
		return;
	}
	load_client_send(c, out, (size_t)n, true);
	if (c->state == LOAD_WAIT_QM2 && c->load->options.session)
		load_session_begin(c);
	else if (c->state == LOAD_WAIT_QM2)
		load_client_complete(c);
	else
		load_client_wait(c, c->state + 1);
}

static void load_client_on_readable(struct ev_fd *f, uint32_t revents)
{
	struct load_client *c = container_of(f, struct load_client, socket);
	uint8_t msg[65536];
	ssize_t len;

	(void)revents;
	while (c->state != LOAD_IDLE) {
		len = recv(f->fd, msg, sizeof(msg), 0);
		if (len < 0) {
			if (errno == ECONNREFUSED)
				load_client_fail(c, "ICMP port unreachable waiting for %s",
						 load_state_waits[c->state]);
			return;                 /* EAGAIN, or the error said all */
		}
		if ((size_t)len < ISAKMP_HDR_LEN || (size_t)len > sizeof(c->last_received))
			continue;               /* not ISAKMP: nothing a responder sends us */
		/* A resent answer we already acted on: the responder missed ours, which we resend on time. */
		if ((size_t)len == c->last_received_len && memcmp(msg, c->last_received, (size_t)len) == 0)
			continue;
		memcpy(c->last_received, msg, (size_t)len);
		c->last_received_len = (size_t)len;
		load_client_step(c, msg, (size_t)len);
	}
}

/* ------------------------------------------------------------------ --session: ESP, L2TP, PPP */

static const char *const load_l2tp_phases[] = {
	[L2TP_CLIENT_WAIT_SCCRP] = "SCCRP", [L2TP_CLIENT_WAIT_ICRP] = "ICRP",
	[L2TP_CLIENT_ESTABLISHED] = "PPP", [L2TP_CLIENT_FAILED] = "nothing (failed)",
};

static const char *const load_ppp_phases[] = {
	[PPP_CLIENT_LCP] = "LCP", [PPP_CLIENT_AUTH] = "MS-CHAPv2", [PPP_CLIENT_IPCP] = "IPCP",
	[PPP_CLIENT_UP] = "nothing (up)", [PPP_CLIENT_FAILED] = "nothing (failed)",
};

static void load_session_fail_timeout(struct load_client *c)
{
	if (c->l2tp.phase != L2TP_CLIENT_ESTABLISHED)
		load_client_fail(c, "timeout waiting for %s", load_l2tp_phases[c->l2tp.phase]);
	else
		load_client_fail(c, "timeout waiting for PPP %s", load_ppp_phases[c->ppp.phase]);
}

static void load_session_arm(struct load_client *c)
{
	struct load *L = c->load;
	uint64_t now = clock_now_ms(&L->clock);
	uint64_t delay = c->deadline_ms > now ? c->deadline_ms - now : 0;

	if (c->retransmit_delay_ms < delay)
		delay = c->retransmit_delay_ms;
	ev_timer_arm(L->loop, &c->retransmit, delay);
}

static void load_session_resend(struct load_client *c)
{
	l2tp_client_resend(&c->l2tp);
	if (c->ppp.send)
		ppp_client_resend(&c->ppp);
	c->load->retransmits++;
	c->retransmit_delay_ms = c->retransmit_delay_ms * 2 > 2000 ? 2000 : c->retransmit_delay_ms * 2;
	load_session_arm(c);
}

static void load_session_send(void *arg, const uint8_t *datagram, size_t len)
{
	struct load_client *c = arg;

	if (send(c->l2tp_socket.fd, datagram, len, 0) < 0 && errno != EAGAIN && errno != ECONNREFUSED)
		fprintf(stderr, "l2tpsec-ikeload: send (L2TP): %s\n", strerror(errno));
}

static void load_session_ppp_send(void *arg, const uint8_t *frame, size_t len)
{
	struct load_client *c = arg;

	l2tp_client_send_ppp(&c->l2tp, frame, len);
}

static void load_session_on_ppp(void *arg, const uint8_t *frame, size_t len)
{
	struct load_client *c = arg;

	if (c->ppp.send)
		ppp_client_input(&c->ppp, frame, len);
}

/* After each datagram: start PPP once L2TP is up, and judge where the client stands. */
static void load_session_check(struct load_client *c)
{
	struct load *L = c->load;
	uint32_t magic;
	uint64_t now;

	if (c->l2tp.phase == L2TP_CLIENT_FAILED) {
		load_client_fail(c, "L2TP: %s", c->l2tp.failure);
		return;
	}
	if (c->l2tp.phase == L2TP_CLIENT_ESTABLISHED && !c->ppp.send) {
		if (RAND_bytes((uint8_t *)&magic, sizeof(magic)) != 1)
			magic = (uint32_t)(uintptr_t)c;
		ppp_client_start(&c->ppp, &L->ppp_conf, magic, load_session_ppp_send, c);
	}
	if (c->ppp.send && c->ppp.phase == PPP_CLIENT_FAILED) {
		load_client_fail(c, "PPP: %s", c->ppp.failure);
		return;
	}
	if (c->state == LOAD_SESSION && c->ppp.send && c->ppp.phase == PPP_CLIENT_UP) {
		now = clock_now_ms(&L->clock);
		ev_timer_cancel(L->loop, &c->retransmit);
		c->state = LOAD_HELD;
		L->in_flight--;
		L->held++;
		L->sessions_up++;
		L->last_session_ms = now;
		if (!load_latency_add(&L->session_latency, (uint32_t)(now - c->start_ms)))
			fprintf(stderr, "l2tpsec-ikeload: out of memory: a latency sample is lost\n");
		if (!ev_timer_armed(&L->refill) || L->options.rate <= 0)
			ev_timer_arm(L->loop, &L->refill, 0);
	}
}

static void load_session_on_readable(struct ev_fd *f, uint32_t revents)
{
	struct load_client *c = container_of(f, struct load_client, l2tp_socket);
	uint8_t datagram[4096];
	ssize_t len;

	(void)revents;
	while (c->state == LOAD_SESSION || c->state == LOAD_HELD) {
		len = recv(f->fd, datagram, sizeof(datagram), 0);
		if (len < 0)
			return;                 /* EAGAIN; an ICMP error: the timer resends */
		l2tp_client_input(&c->l2tp, datagram, (size_t)len);
		load_session_check(c);
	}
}

/*
 * The client's ESP SA pair and policies in this namespace's kernel, from the QM keys.
 * 0 or -errno.
 */
static int load_session_install(struct load_client *c, const struct netaddr *local)
{
	struct load *L = c->load;
	const struct ike_esp_cipher *cipher = ike_esp_cipher_find(c->in.esp_id);
	const struct ike_esp_auth *auth = ike_esp_auth_find(c->in.esp_integ);
	uint32_t reqid = KXFRM_REQID_MIN + (uint32_t)(c - L->clients);
	const struct ike_esp_keys *keys;
	struct kxfrm_sa sa;
	int err;

	if (!cipher || !auth || !cipher->xfrm_name || !auth->xfrm_name)
		return -EPROTONOSUPPORT;
	c->esp_flow = (struct kxfrm_flow){ .local = *local, .remote = L->options.server,
					   .protocol = IPPROTO_UDP };
	c->esp_flow.local.port = 1701;
	c->esp_flow.remote.port = 1701;
	c->esp_spi_in = c->in.spi_i;
	c->esp_spi_out = c->in.spi_r;
	for (int inbound = 1; inbound >= 0; inbound--) {
		keys = inbound ? &c->in.keys_r_to_i : &c->in.keys_i_to_r;
		if (keys->enc_key.len > KXFRM_KEY_MAX || keys->auth_key.len > KXFRM_KEY_MAX)
			return -EINVAL;
		memset(&sa, 0, sizeof(sa));
		sa.inbound = inbound;
		sa.spi = inbound ? c->esp_spi_in : c->esp_spi_out;
		sa.reqid = reqid;
		sa.flow = c->esp_flow;
		sa.cipher_name = cipher->xfrm_name;
		memcpy(sa.cipher_key, keys->enc_key.bytes, keys->enc_key.len);
		sa.cipher_key_len = keys->enc_key.len;
		sa.integ_name = auth->xfrm_name;
		memcpy(sa.integ_key, keys->auth_key.bytes, keys->auth_key.len);
		sa.integ_key_len = keys->auth_key.len;
		sa.integ_trunc_bits = auth->trunc_bits;
		err = kxfrm_sa_add(L->kx, &sa);
		util_wipe(&sa, sizeof(sa));
		if (err < 0) {
			if (!inbound && kxfrm_sa_del(L->kx, &c->esp_flow.local, c->esp_spi_in, 0) < 0)
				fprintf(stderr, "l2tpsec-ikeload: removing an inbound SA failed\n");
			return err;
		}
	}
	err = kxfrm_policies_add(L->kx, &c->esp_flow, reqid, 0);
	if (err < 0) {
		if (kxfrm_sa_del(L->kx, &c->esp_flow.local, c->esp_spi_in, 0) < 0 ||
		    kxfrm_sa_del(L->kx, &c->esp_flow.remote, c->esp_spi_out, 0) < 0)
			fprintf(stderr, "l2tpsec-ikeload: removing an SA failed\n");
		return err;
	}
	c->esp_installed = true;
	return 0;
}

static void load_session_uninstall(struct load_client *c)
{
	struct load *L = c->load;

	if (!c->esp_installed)
		return;
	c->esp_installed = false;
	if (kxfrm_policies_del(L->kx, &c->esp_flow, 0) < 0 ||
	    kxfrm_sa_del(L->kx, &c->esp_flow.local, c->esp_spi_in, 0) < 0 ||
	    kxfrm_sa_del(L->kx, &c->esp_flow.remote, c->esp_spi_out, 0) < 0)
		fprintf(stderr, "l2tpsec-ikeload: removing a client's SAs or policies failed: %s\n",
			kxfrm_error_text(L->kx));
}

/* QM3 is sent: ESP in the kernel, the L2TP socket, the SCCRQ; the IKE side is done with. */
static void load_session_begin(struct load_client *c)
{
	struct load *L = c->load;
	struct netaddr local;
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd, err, one = 1;
	uint32_t index = (uint32_t)(c - L->clients);

	load_client_count_handshake(c);
	load_cidr_host(&L->options.sources, c->address_index, 1701, &local);
	err = load_session_install(c, &local);
	if (err < 0) {
		fprintf(stderr, "l2tpsec-ikeload: installing ESP: %s%s%s\n", strerror(-err),
			kxfrm_error_text(L->kx)[0] ? ": " : "", kxfrm_error_text(L->kx));
		load_client_fail(c, "installing the client's ESP SAs failed: %s", strerror(-err));
		return;
	}
	ike_init_free(&c->in);
	c->in_started = false;
	ev_fd_del(L->loop, &c->socket);
	close(c->socket.fd);
	c->socket.fd = -1;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		load_client_fail(c, "no L2TP socket: %s", strerror(errno));
		return;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	sl = netaddr_to_sockaddr(&local, &ss);
	err = bind(fd, (struct sockaddr *)&ss, sl) < 0 ? -errno : 0;
	if (!err) {
		struct netaddr server = L->options.server;

		server.port = 1701;
		sl = netaddr_to_sockaddr(&server, &ss);
		err = connect(fd, (struct sockaddr *)&ss, sl) < 0 ? -errno : 0;
	}
	if (!err)
		err = ev_fd_add(L->loop, &c->l2tp_socket, fd, EPOLLIN, load_session_on_readable);
	if (err < 0) {
		close(fd);
		load_client_fail(c, "L2TP socket from the source address: %s", strerror(-err));
		return;
	}
	c->state = LOAD_SESSION;
	/* The first resend soon: the SCCRQ may beat the server's kernel SAs (installed on QM3). */
	c->retransmit_delay_ms = 250;
	memset(&c->ppp, 0, sizeof(c->ppp));
	l2tp_client_start(&c->l2tp, (uint16_t)(index % 65535 + 1), 1, index, load_session_send,
			  load_session_on_ppp, c);
	load_session_check(c);
	if (c->state == LOAD_SESSION)
		load_session_arm(c);
}

/* ------------------------------------------------------------------ start and end */

static int load_client_open(struct load_client *c, const struct netaddr *local)
{
	struct load *L = c->load;
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), one = 1, err;

	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	sl = netaddr_to_sockaddr(local, &ss);
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0)
		goto err;
	sl = netaddr_to_sockaddr(&L->options.server, &ss);
	if (connect(fd, (struct sockaddr *)&ss, sl) < 0)
		goto err;
	err = ev_fd_add(L->loop, &c->socket, fd, EPOLLIN, load_client_on_readable);
	if (err < 0) {
		close(fd);
		return err;
	}
	return 0;
err:
	err = -errno;
	close(fd);
	return err;
}

static bool load_client_start(struct load *L, struct load_client *c)
{
	struct ike_init_conf conf = {
		.psk = L->options.psk, .p1 = &L->p1, .p1_count = 1, .vids = load_vids,
		.vid_count = ARRAY_SIZE(load_vids), .remote = L->options.server,
		.main_mode_dh = L->light_dh,
	};
	uint8_t out[IKE_INIT_MSG_MAX];
	char where[NETADDR_STRLEN];
	int err;
	long n;

	if (!L->free_count)
		return false;
	c->address_index = L->free_addresses[L->free_head];
	L->free_head = (L->free_head + 1) % L->free_capacity;
	L->free_count--;
	load_cidr_host(&L->options.sources, c->address_index, L->options.client_port, &conf.local);
	c->last_received_len = 0;
	c->start_ms = clock_now_ms(&L->clock);
	c->deadline_ms = c->start_ms + L->options.timeout_ms;
	c->state = LOAD_WAIT_MM2;               /* so that load_client_end() cleans up */
	L->started++;
	L->in_flight++;
	err = load_client_open(c, &conf.local);
	if (err < 0) {
		fprintf(stderr, "l2tpsec-ikeload: socket from %s: %s\n", netaddr_format(&conf.local, where),
			strerror(-err));
		c->socket.fd = -1;
		load_client_fail(c, "no socket from the source address");
		return true;
	}
	if (ike_init_start(&c->in, L->crypto, &conf) != 0) {
		load_client_fail(c, "initiator setup failed");
		return true;
	}
	c->in_started = true;
	n = ike_init_mm1(&c->in, out, sizeof(out));
	if (n <= 0) {
		load_client_fail(c, "building MM1 failed");
		return true;
	}
	load_client_send(c, out, (size_t)n, true);
	load_client_wait(c, LOAD_WAIT_MM2);
	return true;
}

static bool load_may_start(struct load *L)
{
	if (L->stopping)
		return false;
	if (L->options.count && L->started >= L->options.count)
		return false;
	return L->in_flight < L->options.concurrency;
}

static void load_ramp_done(struct load *L);

static void load_fill(struct load *L)
{
	uint64_t now = clock_now_ms(&L->clock);

	if (L->options.rate > 0) {
		L->rate_tokens += (double)(now - L->rate_last_ms) * L->options.rate / 1000.0;
		if (L->rate_tokens > L->options.concurrency)
			L->rate_tokens = L->options.concurrency;
		L->rate_last_ms = now;
	}
	for (unsigned i = 0; i < L->slot_count && load_may_start(L); i++) {
		struct load_client *c = &L->clients[i];

		if (c->state != LOAD_IDLE)
			continue;
		if (L->options.rate > 0) {
			if (L->rate_tokens < 1.0)
				break;
			L->rate_tokens -= 1.0;
		}
		if (!load_client_start(L, c))
			break;
	}
	if (!load_may_start(L) && L->in_flight == 0)
		load_ramp_done(L);
	else if (L->options.rate > 0 && load_may_start(L))
		ev_timer_arm(L->loop, &L->refill, 5);
}

static void load_on_refill_due(struct ev_timer *t)
{
	load_fill(container_of(t, struct load, refill));
}

static void load_client_end(struct load_client *c)
{
	struct load *L = c->load;

	if (c->state == LOAD_IDLE)
		return;
	ev_timer_cancel(L->loop, &c->retransmit);
	if (c->socket.fd >= 0) {
		ev_fd_del(L->loop, &c->socket);
		close(c->socket.fd);
		c->socket.fd = -1;
	}
	if (c->l2tp_socket.fd >= 0) {
		ev_fd_del(L->loop, &c->l2tp_socket);
		close(c->l2tp_socket.fd);
		c->l2tp_socket.fd = -1;
	}
	if (c->in_started)
		ike_init_free(&c->in);
	c->in_started = false;
	load_session_uninstall(c);
	if (c->state != LOAD_HELD)
		L->in_flight--;
	else
		L->held--;
	c->state = LOAD_IDLE;
	L->free_addresses[(L->free_head + L->free_count) % L->free_capacity] = c->address_index;
	L->free_count++;
	/* Refill from a timer, not from inside this client's own callback. */
	if (!ev_timer_armed(&L->refill) || L->options.rate <= 0)
		ev_timer_arm(L->loop, &L->refill, 0);
}

static void load_on_stop_starting_due(struct ev_timer *t)
{
	struct load *L = container_of(t, struct load, stop_starting);

	L->stopping = true;
	L->end_starting_ms = clock_now_ms(&L->clock);
	if (L->in_flight == 0)
		load_ramp_done(L);
}

static void load_on_progress_due(struct ev_timer *t)
{
	struct load *L = container_of(t, struct load, progress);

	if (!L->options.quiet)
		fprintf(stderr, "l2tpsec-ikeload: %lus: %lu completed (+%lu/s), %lu failed, %u in flight%s",
			(unsigned long)((clock_now_ms(&L->clock) - L->begin_ms) / 1000), L->completed,
			L->completed - L->progress_completed, L->failures.total, L->in_flight,
			L->options.session ? "" : "\n");
	if (!L->options.quiet && L->options.session)
		fprintf(stderr, ", %lu sessions held\n", L->held);
	L->progress_completed = L->completed;
	ev_timer_arm(L->loop, &L->progress, 1000);
}

/* ------------------------------------------------------------------ report */

static double load_cpu_seconds(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return 0;
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static void load_report(struct load *L, double cpu_s)
{
	uint64_t span = L->last_completion_ms > L->begin_ms ? L->last_completion_ms - L->begin_ms : 0;
	double rate = span ? (double)L->completed * 1000.0 / (double)span : 0;
	char server[NETADDR_STRLEN];

	printf("server %s  suite %s  concurrency %u  deletes %s  retransmit %ums  timeout %ums  dh %s\n",
	       netaddr_format(&L->options.server, server),
	       L->options.aes ? "aes128-sha1-modp2048" : "3des-sha1-modp1024", L->options.concurrency,
	       L->options.send_deletes ? "yes" : "no", L->options.retransmit_ms, L->options.timeout_ms,
	       L->light_dh ? "light (one 64-bit x for all clients)" : "fresh key pair per client");
	printf("started %lu  completed %lu  failed %lu  retransmits %lu\n", L->started, L->completed,
	       L->failures.total, L->retransmits);
	printf("handshakes/s (MM+QM) %.1f over %.3fs\n", rate, (double)span / 1000.0);
	printf("latency ms  p50 %u  p90 %u  p99 %u  max %u\n",
	       load_latency_percentile(&L->latency, 50), load_latency_percentile(&L->latency, 90),
	       load_latency_percentile(&L->latency, 99), load_latency_percentile(&L->latency, 100));
	if (L->options.session) {
		uint64_t sspan = L->last_session_ms > L->begin_ms ? L->last_session_ms - L->begin_ms : 0;

		printf("sessions up %lu  held now %lu  sessions/s %.1f over %.3fs (IKE + ESP + L2TP + PPP)\n",
		       L->sessions_up, L->held,
		       sspan ? (double)L->sessions_up * 1000.0 / (double)sspan : 0.0, (double)sspan / 1000.0);
		printf("session setup ms  p50 %u  p90 %u  p99 %u  max %u\n",
		       load_latency_percentile(&L->session_latency, 50),
		       load_latency_percentile(&L->session_latency, 90),
		       load_latency_percentile(&L->session_latency, 99),
		       load_latency_percentile(&L->session_latency, 100));
		printf("RESULT_SESSION sessions_up=%lu held=%lu session_rate=%.1f session_p50=%u "
		       "session_p99=%u session_max=%u session_span_ms=%llu\n",
		       L->sessions_up, L->held,
		       sspan ? (double)L->sessions_up * 1000.0 / (double)sspan : 0.0,
		       load_latency_percentile(&L->session_latency, 50),
		       load_latency_percentile(&L->session_latency, 99),
		       load_latency_percentile(&L->session_latency, 100), (unsigned long long)sspan);
	}
	for (size_t i = 0; i < L->failures.count; i++)
		printf("failure %6lu  %s\n", L->failures.causes[i].count, L->failures.causes[i].text);
	printf("generator cpu %.2fs (%.2f ms per completed handshake)\n", cpu_s,
	       L->completed ? cpu_s * 1000.0 / (double)L->completed : 0.0);
	printf("RESULT concurrency=%u started=%lu completed=%lu failed=%lu retransmits=%lu rate=%.1f "
	       "p50=%u p90=%u p99=%u max=%u span_ms=%llu gen_cpu_s=%.2f\n",
	       L->options.concurrency, L->started, L->completed, L->failures.total, L->retransmits,
	       rate, load_latency_percentile(&L->latency, 50), load_latency_percentile(&L->latency, 90),
	       load_latency_percentile(&L->latency, 99), load_latency_percentile(&L->latency, 100),
	       (unsigned long long)span, cpu_s);
	fflush(stdout);
}

/* ------------------------------------------------------------------ options */

static void load_usage(FILE *f)
{
	fprintf(f,
		"usage: l2tpsec-ikeload --server ADDR[:PORT] --psk PSK --sources CIDR\n"
		"         [--concurrency N] [--rate R] (--count N | --duration S)\n"
		"         [--suite aes128-sha1-modp2048|3des-sha1-modp1024] [--delete]\n"
		"         [--timeout S] [--retransmit MS] [--client-port PORT] [--quiet]\n"
		"         [--session --user NAME --password PASSWORD [--hold S]] [--light-dh]\n"
		"Many IKEv1 Main Mode + Quick Mode clients at once; one source address per client.\n"
		"--session: each client goes on (ESP SAs in this namespace's kernel, L2TP from\n"
		"source:1701, PPP with MS-CHAPv2 and IPCP) until it holds an address, and keeps it;\n"
		"after the ramp (--count clients) a report, then hold S seconds or until SIGTERM/SIGINT.\n"
		"--light-dh: every client sends one g^x made once from a 64-bit x (cheap for the\n"
		"generator, the same work for the responder; benchmarks only).\n");
}

static bool load_parse_uint(const char *text, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(text, &end, 10);
	return !errno && end != text && !*end && *out <= max;
}

static bool load_parse_server(struct netaddr *server, const char *text)
{
	char address[64];
	const char *colon = strrchr(text, ':');
	unsigned long port = 500;

	if (colon && strchr(text, ':') == colon) {
		if ((size_t)(colon - text) >= sizeof(address) || !load_parse_uint(colon + 1, 65535, &port) ||
		    port == 0)
			return false;
		memcpy(address, text, (size_t)(colon - text));
		address[colon - text] = '\0';
		text = address;
	}
	return netaddr_parse(server, text, (uint16_t)port) && server->family == AF_INET;
}

static int load_parse_options(struct load_options *o, int argc, char **argv)
{
	static const struct option longs[] = {
		{ "server", required_argument, NULL, 's' },   { "psk", required_argument, NULL, 'k' },
		{ "sources", required_argument, NULL, 'S' },  { "concurrency", required_argument, NULL, 'c' },
		{ "rate", required_argument, NULL, 'r' },     { "count", required_argument, NULL, 'n' },
		{ "duration", required_argument, NULL, 'd' }, { "suite", required_argument, NULL, 'u' },
		{ "delete", no_argument, NULL, 'D' },         { "timeout", required_argument, NULL, 't' },
		{ "retransmit", required_argument, NULL, 'R' },
		{ "client-port", required_argument, NULL, 'p' },
		{ "quiet", no_argument, NULL, 'q' },          { "help", no_argument, NULL, 'h' },
		{ "session", no_argument, NULL, 'A' },        { "user", required_argument, NULL, 'U' },
		{ "password", required_argument, NULL, 'P' }, { "hold", required_argument, NULL, 'H' },
		{ "light-dh", no_argument, NULL, 'L' },
		{ NULL, 0, NULL, 0 },
	};
	bool have_server = false, have_sources = false;
	unsigned long value;
	char *end;
	int opt;

	*o = (struct load_options){ .concurrency = 1, .aes = true, .timeout_ms = 30000,
				    .retransmit_ms = 2000, .client_port = 500 };
	while ((opt = getopt_long(argc, argv, "", longs, NULL)) != -1) {
		switch (opt) {
		case 's':
			have_server = load_parse_server(&o->server, optarg);
			if (!have_server)
				return fprintf(stderr, "--server: not an IPv4 address[:port]: %s\n", optarg), -1;
			break;
		case 'k':
			o->psk = optarg;
			break;
		case 'S':
			have_sources = load_cidr_parse(&o->sources, optarg);
			if (!have_sources)
				return fprintf(stderr, "--sources: not an IPv4 CIDR block: %s\n", optarg), -1;
			break;
		case 'c':
			if (!load_parse_uint(optarg, 100000, &value) || !value)
				return fprintf(stderr, "--concurrency: 1..100000\n"), -1;
			o->concurrency = (unsigned)value;
			break;
		case 'r':
			o->rate = strtod(optarg, &end);
			if (*end || o->rate <= 0)
				return fprintf(stderr, "--rate: a positive number of clients per second\n"), -1;
			break;
		case 'n':
			if (!load_parse_uint(optarg, 1000000000, &o->count) || !o->count)
				return fprintf(stderr, "--count: a positive number\n"), -1;
			break;
		case 'd':
			if (!load_parse_uint(optarg, 86400, &value) || !value)
				return fprintf(stderr, "--duration: 1..86400 seconds\n"), -1;
			o->duration_s = (unsigned)value;
			break;
		case 'u':
			if (strcmp(optarg, "aes128-sha1-modp2048") == 0)
				o->aes = true;
			else if (strcmp(optarg, "3des-sha1-modp1024") == 0)
				o->aes = false;
			else
				return fprintf(stderr, "--suite: aes128-sha1-modp2048 or 3des-sha1-modp1024\n"), -1;
			break;
		case 'D':
			o->send_deletes = true;
			break;
		case 't':
			if (!load_parse_uint(optarg, 3600, &value) || !value)
				return fprintf(stderr, "--timeout: 1..3600 seconds\n"), -1;
			o->timeout_ms = (unsigned)value * 1000;
			break;
		case 'R':
			if (!load_parse_uint(optarg, 60000, &value))
				return fprintf(stderr, "--retransmit: 0..60000 ms\n"), -1;
			o->retransmit_ms = (unsigned)value;
			break;
		case 'p':
			if (!load_parse_uint(optarg, 65535, &value))
				return fprintf(stderr, "--client-port: 0..65535\n"), -1;
			o->client_port = (uint16_t)value;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'A':
			o->session = true;
			break;
		case 'U':
			o->user = optarg;
			break;
		case 'P':
			o->password = optarg;
			break;
		case 'L':
			o->light_dh = true;
			break;
		case 'H':
			if (!load_parse_uint(optarg, 864000, &value))
				return fprintf(stderr, "--hold: 0..864000 seconds\n"), -1;
			o->hold_s = (unsigned)value;
			break;
		case 'h':
			load_usage(stdout);
			return 1;
		default:
			load_usage(stderr);
			return -1;
		}
	}
	if (optind != argc || !have_server || !o->psk || !have_sources ||
	    (!o->count && !o->duration_s)) {
		load_usage(stderr);
		return -1;
	}
	if (o->session && (!o->user || !o->password || !o->count || o->count > 65000)) {
		fprintf(stderr, "--session needs --user, --password and --count (at most 65000)\n");
		return -1;
	}
	if (o->session && o->sources.host_count < o->count) {
		fprintf(stderr, "--sources: %u addresses for %lu sessions held: one each is needed\n",
			o->sources.host_count, o->count);
		return -1;
	}
	if (o->sources.host_count < o->concurrency) {
		fprintf(stderr, "--sources: %u addresses for %u clients in flight: one each is needed\n",
			o->sources.host_count, o->concurrency);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ main */

static void load_on_stop_signal(struct ev_loop *loop, int signo, void *arg)
{
	(void)signo;
	(void)arg;
	ev_stop(loop);
}

static void load_on_hold_due(struct ev_timer *t)
{
	ev_stop(container_of(t, struct load, hold)->loop);
}

/* Every client started has ended or holds its session: report now; hold, or stop. */
static void load_ramp_done(struct load *L)
{
	if (!L->options.session || (!L->ramp_reported && L->held == 0)) {
		ev_stop(L->loop);       /* nothing to hold: main() reports */
		return;
	}
	if (L->ramp_reported)
		return;
	L->ramp_reported = true;
	load_report(L, load_cpu_seconds());
	printf("holding %lu sessions %s\n", L->held,
	       L->options.hold_s ? "for --hold seconds" : "until SIGTERM");
	fflush(stdout);
	if (L->options.hold_s)
		ev_timer_arm(L->loop, &L->hold, (uint64_t)L->options.hold_s * 1000);
}

/* --session: XFRM, the MS-CHAPv2 crypto and the user's NT hash; signals end the hold. */
static int load_session_setup(struct load *L)
{
	struct mschapv2_crypto *crypto = NULL;

	if (mschapv2_crypto_new(&crypto) != 0) {
		fprintf(stderr, "l2tpsec-ikeload: MS-CHAPv2 needs OpenSSL's legacy provider (MD4, DES)\n");
		return -1;
	}
	L->mschapv2 = crypto;
	L->ppp_conf.crypto = crypto;
	L->ppp_conf.user = L->options.user;
	if (nt_hash_password(crypto, L->options.password, strlen(L->options.password),
			     L->ppp_conf.nt_hash) != 0) {
		fprintf(stderr, "l2tpsec-ikeload: --password: not valid UTF-8 or too long\n");
		return -1;
	}
	L->kx = kxfrm_open();
	if (!L->kx) {
		fprintf(stderr, "l2tpsec-ikeload: no XFRM netlink socket (root and CONFIG_XFRM needed)\n");
		return -1;
	}
	if (ev_signal_add(L->loop, SIGTERM, load_on_stop_signal, L) != 0 ||
	    ev_signal_add(L->loop, SIGINT, load_on_stop_signal, L) != 0)
		return -1;
	return 0;
}

/*
 * --light-dh: the generator should spend its CPU on being many clients, not
 * on Diffie-Hellman, so that the responder gets the machine.  Every client
 * sends the same g^x, made once from a random 64-bit x: computing g^xy from
 * the responder's value then costs 64 squarings instead of the ~225 of a
 * full-strength exponent, and no key pair is made per client.  The responder
 * cannot tell and does exactly the same work (its own fresh key pair and
 * g^xy with its own exponent).  Weak keys on purpose: benchmarks only.
 */
static int load_light_dh_setup(struct load *L)
{
	const struct ike_group *group =
		ike_group_find(L->options.aes ? OAKLEY_GROUP_MODP2048 : OAKLEY_GROUP_MODP1024);
	uint8_t x[8];

	if (!group || RAND_bytes(x, sizeof(x)) != 1)
		return -1;
	x[0] |= 0x80;   /* a full 64 bits */
	L->light_dh = ike_dh_new_from_private(L->crypto, group, x, sizeof(x));
	util_wipe(x, sizeof(x));
	return L->light_dh ? 0 : -1;
}

static int load_setup(struct load *L)
{
	uint32_t n = L->options.sources.host_count;

	if (L->options.aes) {
		L->p1 = (struct ike_init_p1){ OAKLEY_AES_CBC, 128, OAKLEY_SHA1, OAKLEY_PRESHARED_KEY,
					      OAKLEY_GROUP_MODP2048, 28800, 0 };
		L->esp = (struct ike_init_esp){ IPSEC_ESP_AES, 128, IPSEC_AUTH_ALGORITHM_HMAC_SHA1,
						IPSEC_ENCAPSULATION_MODE_TRANSPORT, 0, 3600, 0 };
	} else {
		L->p1 = (struct ike_init_p1){ OAKLEY_3DES_CBC, 0, OAKLEY_SHA1, OAKLEY_PRESHARED_KEY,
					      OAKLEY_GROUP_MODP1024, 28800, 0 };
		L->esp = (struct ike_init_esp){ IPSEC_ESP_3DES, 0, IPSEC_AUTH_ALGORITHM_HMAC_SHA1,
						IPSEC_ENCAPSULATION_MODE_TRANSPORT, 0, 3600, 0 };
	}
	clock_init_monotonic(&L->clock);
	L->loop = ev_loop_new(&L->clock);
	L->crypto = ike_crypto_new();
	L->slot_count = L->options.concurrency;
	if (L->options.session && L->options.count > L->slot_count)
		L->slot_count = (unsigned)L->options.count;
	L->clients = alloc_array(L->slot_count, sizeof(*L->clients));
	L->free_addresses = alloc_array(n, sizeof(*L->free_addresses));
	if (!L->loop || !L->crypto || !L->clients || !L->free_addresses)
		return -1;
	for (uint32_t i = 0; i < n; i++)
		L->free_addresses[i] = i;
	L->free_capacity = L->free_count = n;
	for (unsigned i = 0; i < L->slot_count; i++) {
		L->clients[i].load = L;
		L->clients[i].socket.fd = -1;
		L->clients[i].l2tp_socket.fd = -1;
		ev_timer_init(&L->clients[i].retransmit, load_client_on_retransmit_due);
	}
	ev_timer_init(&L->refill, load_on_refill_due);
	ev_timer_init(&L->progress, load_on_progress_due);
	ev_timer_init(&L->stop_starting, load_on_stop_starting_due);
	ev_timer_init(&L->hold, load_on_hold_due);
	if (L->options.light_dh && load_light_dh_setup(L) != 0)
		return -1;
	if (L->options.session && load_session_setup(L) != 0)
		return -1;
	return 0;
}

static void load_teardown(struct load *L)
{
	if (L->clients)
		for (unsigned i = 0; i < L->slot_count; i++)
			load_client_end(&L->clients[i]);
	alloc_free(L->clients);
	alloc_free(L->free_addresses);
	load_latency_free(&L->latency);
	load_latency_free(&L->session_latency);
	if (L->kx)
		kxfrm_close(L->kx);
	mschapv2_crypto_free(L->mschapv2);
	util_wipe(L->ppp_conf.nt_hash, sizeof(L->ppp_conf.nt_hash));
	load_causes_free(&L->failures);
	ike_dh_free(L->light_dh);
	ike_crypto_free(L->crypto);
	ev_loop_free(L->loop);
}

int main(int argc, char **argv)
{
	struct load L;
	double cpu_before;
	int r;

	memset(&L, 0, sizeof(L));
	r = load_parse_options(&L.options, argc, argv);
	if (r != 0)
		return r > 0 ? 0 : 2;
	if (load_setup(&L) != 0) {
		fprintf(stderr, "l2tpsec-ikeload: setup failed (memory, epoll or OpenSSL)\n");
		load_teardown(&L);
		return 1;
	}
	cpu_before = load_cpu_seconds();
	L.begin_ms = L.rate_last_ms = clock_now_ms(&L.clock);
	if (L.options.duration_s)
		ev_timer_arm(L.loop, &L.stop_starting, (uint64_t)L.options.duration_s * 1000);
	ev_timer_arm(L.loop, &L.progress, 1000);
	load_fill(&L);
	r = ev_run(L.loop);
	if (r < 0)
		fprintf(stderr, "l2tpsec-ikeload: event loop: %s\n", strerror(-r));
	if (!L.ramp_reported)
		load_report(&L, load_cpu_seconds() - cpu_before);
	r = r < 0 || L.completed == 0 || (L.options.session && L.sessions_up == 0) ? 1 : 0;
	load_teardown(&L);
	return r;
}
