/*
 * ike_engine_test.c - the responder engine driven by the test initiator
 * (tests/harness/ike_initiator.c: our codec + crypto) playing the built-in
 * clients, on a manual clock with a real workq, through recording ops.
 *
 * Profiles: Windows XP (3DES/SHA1/MODP1024, draft-02_n, ID_IPV4_ADDR, no
 * NAT, and behind NAT with mode 61444 and one NAT-OA), Windows 10
 * (AES256/SHA1/ECP384, RFC 3947, behind NAT with a float to 4500, two
 * NAT-OA), with and without PFS; then wrong PSK, DES only, retransmissions,
 * a vanished client, half-open caps, Deletes, DPD, INITIAL-CONTACT, kernel
 * expiry, shutdown, the table walk of both machines, and an out-of-memory
 * walk of Main Mode + Quick Mode.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/ike_engine.h"
#include "ike/ike_exchange.h"
#include "ike/ike_info.h"
#include "ike/ike_mm.h"
#include "ike/ike_qm.h"
#include "ike/ike_sa.h"
#include "ike/isakmp_const.h"
#include "lib/alloc.h"
#include "lib/clock.h"
#include "lib/evloop.h"
#include "lib/log.h"
#include "lib/workq.h"
#include "tests/harness/ike_initiator.h"
#include "tests/harness/tap.h"

/* ------------------------------------------------------------ recording ops */

#define REC_MAX 64

struct sent {
	struct netaddr local, remote;
	uint8_t bytes[IKE_INIT_MSG_MAX];
	size_t len;
};

struct rec {
	struct sent sends[REC_MAX];
	size_t send_count, send_total;
	uint32_t next_spi;
	int spi_error, install_error;
	struct ike_child_sa_params installs[8];
	size_t install_count;
	uint64_t removed[16];
	size_t remove_count;
	unsigned up, down;
};

static void rec_send(void *arg, const struct netaddr *local, const struct netaddr *remote,
		     const uint8_t *msg, size_t len)
{
	struct rec *r = arg;
	struct sent *s = &r->sends[r->send_count % REC_MAX];

	s->local = *local;
	s->remote = *remote;
	s->len = len < sizeof(s->bytes) ? len : sizeof(s->bytes);
	memcpy(s->bytes, msg, s->len);
	r->send_count++;
	r->send_total++;
}

static int rec_spi_alloc(void *arg, const struct netaddr *local, const struct netaddr *remote,
			 uint32_t reqid, uint32_t *spi)
{
	struct rec *r = arg;

	(void)local;
	(void)remote;
	(void)reqid;
	if (r->spi_error)
		return r->spi_error;
	*spi = 0xc0de0000u + ++r->next_spi;
	return 0;
}

static int rec_child_install(void *arg, const struct ike_child_sa_params *child)
{
	struct rec *r = arg;

	if (r->install_error)
		return r->install_error;
	if (r->install_count < 8)
		r->installs[r->install_count++] = *child;
	return 0;
}

static void rec_child_remove(void *arg, const struct ike_child_sa_params *child)
{
	struct rec *r = arg;

	if (r->remove_count < 16)
		r->removed[r->remove_count++] = child->serial;
}

static void rec_child_up(void *arg, const struct ike_child_sa_params *child)
{
	(void)child;
	((struct rec *)arg)->up++;
}

static void rec_child_down(void *arg, uint64_t serial, const char *reason)
{
	(void)serial;
	(void)reason;
	((struct rec *)arg)->down++;
}

/* ------------------------------------------------------------ the rig */

static char logbuf[1 << 16];

static void capture(void *arg, enum log_level level, const char *line)
{
	size_t used = strlen(logbuf), n = strlen(line);

	(void)arg;
	(void)level;
	if (used + n + 2 < sizeof(logbuf)) {
		memcpy(logbuf + used, line, n);
		logbuf[used + n] = '\n';
		logbuf[used + n + 1] = 0;
	}
}

struct rig {
	struct clock clock;
	struct ev_loop *loop;
	struct log_ctx *log;
	struct workq *wq;
	const struct ike_crypto *crypto;
	struct ike_engine_conf conf;
	struct ike_engine *e;
	struct rec rec;
	struct netaddr srv500, srv4500;
};

static const char *const psk = "l2tpsec-test-psk";

static bool rig_open(struct rig *g, const struct ike_crypto *crypto, unsigned burn_serials,
		     void (*tweak)(struct ike_engine_conf *))
{
	struct ike_engine_ops ops = { .send = rec_send, .spi_alloc = rec_spi_alloc,
				      .child_install = rec_child_install,
				      .child_remove = rec_child_remove, .child_up = rec_child_up,
				      .child_down = rec_child_down };

	memset(g, 0, sizeof(*g));
	logbuf[0] = 0;
	clock_init_manual(&g->clock, 1000);
	g->loop = ev_loop_new(&g->clock);
	g->log = log_ctx_new(&g->clock);
	g->wq = g->loop ? workq_new(g->loop, 1) : NULL;
	if (!g->loop || !g->log || !g->wq)
		return false;
	log_sink_callback(g->log, capture, NULL);
	for (unsigned i = 0; i < burn_serials; i++) {
		struct logger dummy;

		(void)logger_init(&dummy, g->log, NULL, "#");
	}
	g->crypto = crypto;
	ike_engine_conf_default(&g->conf);
	g->conf.psk = (const uint8_t *)psk;
	g->conf.psk_len = strlen(psk);
	if (tweak)
		tweak(&g->conf);
	ops.arg = &g->rec;
	g->e = ike_engine_new(g->loop, g->log, crypto, g->wq, &g->conf, &ops);
	if (!netaddr_parse(&g->srv500, "169.254.1.2", 500) ||
	    !netaddr_parse(&g->srv4500, "169.254.1.2", 4500))
		return false;
	return g->e != NULL;
}

static void rig_close(struct rig *g)
{
	ike_engine_free(g->e);
	workq_free(g->wq);
	log_ctx_free(g->log);
	ev_loop_free(g->loop);
}

/* Delivers datagrams and waits (bounded) until `want` more messages were sent. */
static bool rig_deliver(struct rig *g, const struct netaddr *from, const struct netaddr *to,
			const uint8_t *msg, long len, size_t want)
{
	size_t before = g->rec.send_count;

	if (len <= 0)
		return false;
	ike_engine_recv(g->e, to, from, msg, (size_t)len);
	for (int i = 0; i < 200 && g->rec.send_count < before + want; i++)
		if (ev_run_once(g->loop, 20) < 0)
			break;
	return g->rec.send_count >= before + want;
}

/* Runs the loop a little so pending worker completions land. */
static void rig_settle(struct rig *g)
{
	for (int i = 0; i < 10; i++)
		if (ev_run_once(g->loop, 10) < 0)
			break;
}

static const struct sent *last_sent(const struct rig *g)
{
	return &g->rec.sends[(g->rec.send_count - 1) % REC_MAX];
}

static bool log_has(const char *s)
{
	return strstr(logbuf, s) != NULL;
}

#define LOG_HAS(s, ...)                                                                      \
	do {                                                                                 \
		if (!ok(log_has(s), __VA_ARGS__))                                            \
			tap_diag("missing \"%s\" in the log:\n%s", (s), logbuf);             \
	} while (0)

/* ------------------------------------------------------------ profiles */

static const struct ike_init_p1 xp_p1[] = {
	{ OAKLEY_3DES_CBC, 0, OAKLEY_SHA1, OAKLEY_PRESHARED_KEY, OAKLEY_GROUP_MODP1024, 28800, 0 },
	{ OAKLEY_3DES_CBC, 0, OAKLEY_MD5, OAKLEY_PRESHARED_KEY, OAKLEY_GROUP_MODP1024, 28800, 0 },
	{ OAKLEY_DES_CBC, 0, OAKLEY_SHA1, OAKLEY_PRESHARED_KEY, OAKLEY_GROUP_MODP768, 28800, 0 },
	{ OAKLEY_DES_CBC, 0, OAKLEY_MD5, OAKLEY_PRESHARED_KEY, OAKLEY_GROUP_MODP768, 28800, 0 },
};
static const char *const xp_vids[] = { "MS NT5 ISAKMPOAKLEY 00000004", "FRAGMENTATION",
				       "draft-ietf-ipsec-nat-t-ike-02_n" };

static const struct ike_init_p1 win10_p1[] = {
	{ OAKLEY_AES_CBC, 256, OAKLEY_SHA1, OAKLEY_PRESHARED_KEY, OAKLEY_GROUP_ECP_384, 28800, 0 },
	{ OAKLEY_AES_CBC, 128, OAKLEY_SHA1, OAKLEY_PRESHARED_KEY, OAKLEY_GROUP_ECP_256, 28800, 0 },
	{ OAKLEY_AES_CBC, 256, OAKLEY_SHA1, OAKLEY_PRESHARED_KEY, OAKLEY_GROUP_MODP2048, 28800, 0 },
	{ OAKLEY_3DES_CBC, 0, OAKLEY_SHA1, OAKLEY_PRESHARED_KEY, OAKLEY_GROUP_MODP2048, 28800, 0 },
};
static const char *const win10_vids[] = { "MS NT5 ISAKMPOAKLEY 00000009", "RFC 3947",
					  "draft-ietf-ipsec-nat-t-ike-02_n", "FRAGMENTATION",
					  "MS-Negotiation Discovery Capable", "Vid-Initial-Contact",
					  "IKE CGA version 1" };

static const struct ike_init_esp xp_esp[] = {
	{ IPSEC_ESP_3DES, 0, IPSEC_AUTH_ALGORITHM_HMAC_SHA1, IPSEC_ENCAPSULATION_MODE_TRANSPORT, 0,
	  3600, 250000 },
	{ IPSEC_ESP_3DES, 0, IPSEC_AUTH_ALGORITHM_HMAC_MD5, IPSEC_ENCAPSULATION_MODE_TRANSPORT, 0,
	  3600, 250000 },
};
static const struct ike_init_esp xp_esp_nat[] = {
	{ IPSEC_ESP_3DES, 0, IPSEC_AUTH_ALGORITHM_HMAC_SHA1,
	  IPSEC_ENCAPSULATION_MODE_UDP_TRANSPORT_DRAFTS, 0, 3600, 250000 },
};
static const struct ike_init_esp win10_esp_nat[] = {
	{ IPSEC_ESP_AES, 256, IPSEC_AUTH_ALGORITHM_HMAC_SHA1,
	  IPSEC_ENCAPSULATION_MODE_UDP_TRANSPORT_RFC, 0, 3600, 250000 },
	{ IPSEC_ESP_AES, 128, IPSEC_AUTH_ALGORITHM_HMAC_SHA1,
	  IPSEC_ENCAPSULATION_MODE_UDP_TRANSPORT_RFC, 0, 3600, 250000 },
	{ IPSEC_ESP_3DES, 0, IPSEC_AUTH_ALGORITHM_HMAC_SHA1,
	  IPSEC_ENCAPSULATION_MODE_UDP_TRANSPORT_RFC, 0, 3600, 250000 },
};
static const struct ike_init_esp pfs_esp[] = {
	{ IPSEC_ESP_AES, 128, IPSEC_AUTH_ALGORITHM_HMAC_SHA2_256, IPSEC_ENCAPSULATION_MODE_TRANSPORT,
	  OAKLEY_GROUP_MODP2048, 3600, 0 },
};

/* One client as the test sees it: where it really is and where it floats. */
struct client {
	struct ike_init in;
	struct netaddr seen500, seen4500;       /* its address:port as the server sees them */
	bool floats;                            /* MM5 on from 4500 */
};

static void client_conf(struct ike_init_conf *c, const char *own_addr, const struct ike_init_p1 *p1,
			size_t p1n, const char *const *vids, size_t vidn)
{
	memset(c, 0, sizeof(*c));
	c->psk = psk;
	c->p1 = p1;
	c->p1_count = p1n;
	c->vids = vids;
	c->vid_count = vidn;
	if (!netaddr_parse(&c->local, own_addr, 500) || !netaddr_parse(&c->remote, "169.254.1.2", 500))
		abort();
}

static bool client_start(struct client *cl, const struct rig *g, const struct ike_init_conf *conf,
			 const char *seen_addr, bool floats)
{
	memset(cl, 0, sizeof(*cl));
	if (ike_init_start(&cl->in, g->crypto, conf) != 0)
		return false;
	cl->floats = floats;
	return netaddr_parse(&cl->seen500, seen_addr, 500) &&
	       netaddr_parse(&cl->seen4500, seen_addr, floats ? 4500 : 500);
}

static const struct netaddr *cl_from(const struct client *cl, bool late)
{
	return late && cl->floats ? &cl->seen4500 : &cl->seen500;
}

static const struct netaddr *srv_to(const struct rig *g, const struct client *cl, bool late)
{
	return late && cl->floats ? &g->srv4500 : &g->srv500;
}

/* Main Mode, checking every reply; returns the step that failed (0: established). */
static int run_mm(struct rig *g, struct client *cl)
{
	uint8_t m[IKE_INIT_MSG_MAX];
	long n;

	n = ike_init_mm1(&cl->in, m, sizeof(m));
	if (!rig_deliver(g, cl_from(cl, false), srv_to(g, cl, false), m, n, 1))
		return 1;
	if (ike_init_recv_mm2(&cl->in, last_sent(g)->bytes, last_sent(g)->len) != 0)
		return 2;
	n = ike_init_mm3(&cl->in, m, sizeof(m));
	if (!rig_deliver(g, cl_from(cl, false), srv_to(g, cl, false), m, n, 1))
		return 3;
	if (ike_init_recv_mm4(&cl->in, last_sent(g)->bytes, last_sent(g)->len) != 0)
		return 4;
	n = ike_init_mm5(&cl->in, m, sizeof(m));
	if (!rig_deliver(g, cl_from(cl, true), srv_to(g, cl, true), m, n, 1))
		return 5;
	if (ike_init_recv_mm6(&cl->in, last_sent(g)->bytes, last_sent(g)->len) != 0)
		return 6;
	return 0;
}

static int run_qm(struct rig *g, struct client *cl, uint32_t mid, uint32_t spi_i,
		  const struct ike_init_qm *qm)
{
	uint8_t m[IKE_INIT_MSG_MAX];
	size_t installs = g->rec.install_count;
	long n;

	n = ike_init_qm1(&cl->in, mid, spi_i, qm, m, sizeof(m));
	if (!rig_deliver(g, cl_from(cl, true), srv_to(g, cl, true), m, n, 1))
		return 1;
	if (ike_init_recv_qm2(&cl->in, last_sent(g)->bytes, last_sent(g)->len) != 0)
		return 2;
	n = ike_init_qm3(&cl->in, m, sizeof(m));
	if (n <= 0)
		return 3;
	ike_engine_recv(g->e, srv_to(g, cl, true), cl_from(cl, true), m, (size_t)n);
	return g->rec.install_count == installs + 1 ? 0 : 4;
}

/* The keys the engine installed are those the initiator derived for itself. */
static void check_keys(const struct rig *g, const struct client *cl, const char *name)
{
	const struct ike_child_sa_params *p = &g->rec.installs[g->rec.install_count - 1];
	const struct ike_init *in = &cl->in;

	is_uint(p->spi_out, in->spi_i, "%s: outbound SPI is the client's", name);
	is_uint(p->spi_in, in->spi_r, "%s: inbound SPI is the one sent in QM2", name);
	is_int(p->cipher_key_len, in->keys_i_to_r.enc_key.len, "%s: cipher key length", name);
	is_mem(p->cipher_key_in, in->keys_i_to_r.enc_key.bytes, p->cipher_key_len,
	       "%s: inbound cipher key = the client's outbound", name);
	is_mem(p->cipher_key_out, in->keys_r_to_i.enc_key.bytes, p->cipher_key_len,
	       "%s: outbound cipher key = the client's inbound", name);
	is_int(p->integ_key_len, in->keys_i_to_r.auth_key.len, "%s: integrity key length", name);
	is_mem(p->integ_key_in, in->keys_i_to_r.auth_key.bytes, p->integ_key_len,
	       "%s: inbound integrity key", name);
	is_mem(p->integ_key_out, in->keys_r_to_i.auth_key.bytes, p->integ_key_len,
	       "%s: outbound integrity key", name);
}

/* ------------------------------------------------------------ scenarios */

struct walk_rec {
	unsigned sas, children;
	struct ike_sa_view sa;
	struct ike_child_view child;
};

static void walk_sa(void *arg, const struct ike_sa_view *v)
{
	struct walk_rec *w = arg;

	w->sas++;
	w->sa = *v;
}

static void walk_child(void *arg, const struct ike_child_view *v)
{
	struct walk_rec *w = arg;

	w->children++;
	w->child = *v;
}

static void test_xp(const struct ike_crypto *crypto)
{
	struct rig g;
	struct client cl;
	struct ike_init_conf c;
	struct ike_init_qm qm = { xp_esp, 2, true, 0, 1701, false, 0 };
	const struct ike_child_sa_params *p;
	struct ike_engine_stats st;
	uint8_t m[IKE_INIT_MSG_MAX];
	char line[160];

	if (!ok(rig_open(&g, crypto, 3, NULL), "XP: engine up"))
		return;
	client_conf(&c, "169.254.1.1", xp_p1, 4, xp_vids, 3);
	ok(client_start(&cl, &g, &c, "169.254.1.1", false), "XP: client");
	is_int(run_mm(&g, &cl), 0, "XP: Main Mode completes (MM1..MM6 checked by the client)");
	is_int(cl.in.natt, ISAKMP_NATT_DRAFT_02_N, "XP: MM2 answers with the draft-02_n VID");
	ok(cl.in.dpd_vid, "XP: MM2 carries the DPD VID");
	is_int(cl.in.cipher->id, IKE_ENCR_3DES_CBC, "XP: 3DES chosen");
	is_int(cl.in.group->id, IKE_GROUP_MODP1024, "XP: MODP1024 chosen");
	is_int(run_qm(&g, &cl, 0x51d2a7e0, 0x4b8c06a4, &qm), 0, "XP: Quick Mode completes");
	check_keys(&g, &cl, "XP");
	p = &g.rec.installs[0];
	is_str(p->cipher_name, "cbc(des3_ede)", "XP: kernel cipher");
	is_str(p->integ_name, "hmac(sha1)", "XP: kernel integrity");
	is_int(p->integ_trunc_bits, 96, "XP: 96-bit ICV");
	ok(!p->encap, "XP: no UDP encapsulation without NAT");
	is_int(p->remote_l2tp_port, 1701, "XP: client L2TP port 1701");
	is_int(p->local_l2tp_port, 1701, "XP: our L2TP port 1701");
	is_int(p->lifetime_seconds, 3600, "XP: 3600 s as proposed");
	is_int(p->lifetime_kilobytes, 250000, "XP: 250000 KB as proposed");
	is_int(p->serial, 5, "XP: the IPsec SA is #5");
	is_int(p->parent_serial, 4, "XP: its parent is #4");
	is_int(g.rec.up, 1, "XP: child_up observed");
	{
		struct walk_rec w = { 0 };
		struct ike_sa_view v;

		ike_engine_walk(g.e, walk_sa, walk_child, &w);
		is_int(w.sas, 1, "XP walk: one ISAKMP SA");
		is_int(w.children, 1, "XP walk: one IPsec SA");
		ok(w.sa.established && w.sa.serial == 4 && w.sa.children == 1, "XP walk: #4 established, one child");
		is_str(w.sa.client, "Windows XP/2003", "XP walk: MS NT5 version 4 is Windows XP/2003");
		is_str(w.sa.cipher, "OAKLEY_3DES_CBC", "XP walk: the cipher's name");
		ok(w.child.installed && w.child.serial == 5 && w.child.parent_serial == 4,
		   "XP walk: #5 installed under #4");
		is_str(w.child.cipher, "cbc(des3_ede)", "XP walk: the child's kernel cipher");
		ok(ike_engine_sa_view(g.e, 4, &v) && v.serial == 4, "XP: the view of #4 by serial");
		ok(!ike_engine_sa_view(g.e, 5, &v), "XP: no ISAKMP SA #5");
	}
	/* the client deletes the IPsec SA, then the ISAKMP SA */
	ok(rig_deliver(&g, &cl.seen500, &g.srv500, m,
		       ike_init_delete_esp(&cl.in, 0x7001, cl.in.spi_i, m, sizeof(m)), 0),
	   "XP: Delete ESP delivered");
	is_int(g.rec.remove_count, 1, "XP: child_remove after the Delete");
	is_int(g.rec.down, 1, "XP: child_down after the Delete");
	ok(rig_deliver(&g, &cl.seen500, &g.srv500, m,
		       ike_init_delete_isakmp(&cl.in, 0x7002, m, sizeof(m)), 0),
	   "XP: Delete ISAKMP delivered");
	ike_engine_stats(g.e, &st);
	is_int(st.isakmp_sas, 0, "XP: no ISAKMP SA left");
	is_int(st.ipsec_sas, 0, "XP: no IPsec SA left");
	is_int(st.half_open_now, 0, "XP: nothing half-open");
	/* the seed's lines, in its words */
	LOG_HAS("#4: responding to Main Mode from unknown peer 169.254.1.1\n", "XP log: responding");
	LOG_HAS("#4: transition from state (null) to state STATE_MAIN_R1\n", "XP log: R1");
	LOG_HAS("packet from 169.254.1.1:500: ignoring Vendor ID payload [MS NT5 ISAKMPOAKLEY "
		"00000004]\n", "XP log: MS NT5 VID ignored");
	LOG_HAS("packet from 169.254.1.1:500: ignoring Vendor ID payload [FRAGMENTATION]\n",
		"XP log: FRAGMENTATION ignored");
	LOG_HAS("packet from 169.254.1.1:500: received Vendor ID payload "
		"[draft-ietf-ipsec-nat-t-ike-02_n]\n", "XP log: draft-02_n received");
	LOG_HAS("#4: NAT-Traversal: Result using draft-ietf-ipsec-nat-t-ike-02/03: no NAT detected\n",
		"XP log: NAT-T result");
	LOG_HAS("#4: transition from state STATE_MAIN_R1 to state STATE_MAIN_R2\n", "XP log: R2");
	LOG_HAS("#4: Peer ID is ID_IPV4_ADDR: '169.254.1.1'\n", "XP log: peer ID");
	LOG_HAS("#4: transition from state STATE_MAIN_R2 to state STATE_MAIN_R3\n", "XP log: R3");
	LOG_HAS("#4: sent MR3, ISAKMP SA established {auth=PRESHARED_KEY cipher=3DES_CBC "
		"integ=HMAC_SHA1 group=MODP1024 peer=169.254.1.1:500}\n", "XP log: ISAKMP SA established");
	LOG_HAS("#5: responding to Quick Mode from 169.254.1.1:500 (ISAKMP SA #4)\n", "XP log: QM");
	LOG_HAS("#5: transition from state (null) to state STATE_QUICK_R1\n", "XP log: QR1");
	LOG_HAS("#5: transition from state STATE_QUICK_R1 to state STATE_QUICK_R2\n", "XP log: QR2");
	snprintf(line, sizeof(line), "#5: IPsec SA established {ESP=>0x4b8c06a4 <0x%08x "
		 "xfrm=3DES_CBC-HMAC_SHA1_96 NATOA=none NATD=none DPD=unsupported "
		 "peer=169.254.1.1:500}\n", cl.in.spi_r);
	LOG_HAS(line, "XP log: IPsec SA established");
	LOG_HAS("#4: received Delete SA(0x4b8c06a4) payload: deleting IPSEC State #5\n",
		"XP log: Delete IPsec");
	LOG_HAS("#4: received Delete SA payload: deleting ISAKMP State #4\n", "XP log: Delete ISAKMP");
	if (getenv("IKE_ENGINE_TEST_LOG"))
		fputs(logbuf, stdout);
	ike_init_free(&cl.in);
	rig_close(&g);
}

/* The seed's order: a refused group is named before STATE_MAIN_R1, then the VIDs. */
static void test_seed_order(const struct ike_crypto *crypto)
{
	static const struct ike_init_p1 offer[] = {
		{ OAKLEY_3DES_CBC, 0, OAKLEY_SHA1, OAKLEY_PRESHARED_KEY, OAKLEY_GROUP_MODP768, 28800, 0 },
		{ OAKLEY_3DES_CBC, 0, OAKLEY_SHA1, OAKLEY_PRESHARED_KEY, OAKLEY_GROUP_MODP1024, 28800, 0 },
	};
	static const char *const order[] = {
		"#4: responding to Main Mode from unknown peer 169.254.1.1\n",
		("#4: only OAKLEY_GROUP_MODP1024, OAKLEY_GROUP_MODP1536, OAKLEY_GROUP_MODP2048, "
		 "OAKLEY_GROUP_ECP_256 and OAKLEY_GROUP_ECP_384 supported. Attribute "
		 "OAKLEY_GROUP_DESCRIPTION\n"),
		"#4: transition from state (null) to state STATE_MAIN_R1\n",
		"packet from 169.254.1.1:500: ignoring Vendor ID payload [MS NT5 ISAKMPOAKLEY 00000004]\n",
		"packet from 169.254.1.1:500: ignoring Vendor ID payload [FRAGMENTATION]\n",
		("packet from 169.254.1.1:500: received Vendor ID payload "
		 "[draft-ietf-ipsec-nat-t-ike-02_n]\n"),
		"#4: NAT-Traversal: Result using draft-ietf-ipsec-nat-t-ike-02/03: no NAT detected\n",
		"#4: transition from state STATE_MAIN_R1 to state STATE_MAIN_R2\n",
		"#4: Peer ID is ID_IPV4_ADDR: '169.254.1.1'\n",
		"#4: transition from state STATE_MAIN_R2 to state STATE_MAIN_R3\n",
		"#4: sent MR3, ISAKMP SA established {",
	};
	struct rig g;
	struct client cl;
	struct ike_init_conf c;
	const char *at;

	if (!ok(rig_open(&g, crypto, 3, NULL), "seed order: engine up"))
		return;
	client_conf(&c, "169.254.1.1", offer, 2, xp_vids, 3);
	ok(client_start(&cl, &g, &c, "169.254.1.1", false), "seed order: client");
	is_int(run_mm(&g, &cl), 0, "seed order: Main Mode with MODP768 offered first");
	at = logbuf;
	for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
		const char *hit = strstr(at, order[i]);

		if (!ok(hit != NULL, "seed order: line %zu in place: %.60s", i + 1, order[i])) {
			tap_diag("log:\n%s", logbuf);
			break;
		}
		at = hit + strlen(order[i]);
	}
	ike_init_free(&cl.in);
	rig_close(&g);
}

static void test_xp_nat(const struct ike_crypto *crypto)
{
	struct rig g;
	struct client cl;
	struct ike_init_conf c;
	struct ike_init_qm qm = { xp_esp_nat, 1, true, 0, 1701, false, 1 };
	const struct ike_child_sa_params *p;

	if (!ok(rig_open(&g, crypto, 0, NULL), "XP NAT: engine up"))
		return;
	client_conf(&c, "192.168.0.10", xp_p1, 4, xp_vids, 3);
	ok(client_start(&cl, &g, &c, "198.51.100.20", true), "XP NAT: client behind NAT");
	is_int(run_mm(&g, &cl), 0, "XP NAT: Main Mode completes with the float to 4500");
	LOG_HAS("NAT-Traversal: Result using draft-ietf-ipsec-nat-t-ike-02/03: peer is NATed",
		"XP NAT: peer is NATed");
	LOG_HAS("new NAT mapping for #1, was 198.51.100.20:500, now 198.51.100.20:4500",
		"XP NAT: the SA follows the float");
	is_int(last_sent(&g)->local.port, 4500, "XP NAT: MM6 leaves from 4500");
	is_int(run_qm(&g, &cl, 0x10, 0x11112222, &qm), 0, "XP NAT: Quick Mode (mode 61444)");
	check_keys(&g, &cl, "XP NAT");
	p = &g.rec.installs[0];
	ok(p->encap, "XP NAT: ESP in UDP");
	is_int(p->remote.port, 4500, "XP NAT: the peer's NAT-T port");
	is_int(p->local.port, 4500, "XP NAT: our 4500");
	is_int(cl.in.esp_mode, IPSEC_ENCAPSULATION_MODE_UDP_TRANSPORT_DRAFTS,
	       "XP NAT: QM2 echoes 61444");
	is_int(cl.in.qm2_natoa_count, 1, "XP NAT: one NAT-OA in QM2 (drafts)");
	LOG_HAS("ESPinUDP=>0x11112222", "XP NAT: established line says ESPinUDP");
	LOG_HAS("NATOA=192.168.0.10 NATD=198.51.100.20:4500", "XP NAT: NATOA and NATD shown");
	ike_init_free(&cl.in);
	rig_close(&g);
}

static void force_encap(struct ike_engine_conf *conf)
{
	conf->natt_force_encapsulation = true;
}

/* A server behind a NAT: Windows must not see it NATed; the client is made to encapsulate. */
static void test_server_behind_nat(const struct ike_crypto *crypto, bool fix)
{
	const char *name = fix ? "server NAT, forced encapsulation" : "server NAT, no fix";
	struct rig g;
	struct client cl;
	struct ike_init_conf c;
	struct ike_init_qm qm = { xp_esp_nat, 1, true, 0, 1701, false, 1 };

	if (!ok(rig_open(&g, crypto, 0, fix ? force_encap : NULL), "%s: engine up", name))
		return;
	client_conf(&c, "169.254.8.1", xp_p1, 4, xp_vids, 3);
	if (!netaddr_parse(&c.remote, "203.0.113.50", 500))  /* the server's public address */
		abort();
	ok(client_start(&cl, &g, &c, "169.254.8.1", fix), "%s: a Windows XP client", name);
	is_int(run_mm(&g, &cl), 0, "%s: Main Mode", name);
	LOG_HAS("NAT-Traversal: Result using draft-ietf-ipsec-nat-t-ike-02/03: i am NATed",
		"%s: the engine knows it is behind a NAT", name);
	if (!fix) {
		ok(cl.in.server_nat_seen, "%s: Windows would see the server NATed (error 809)", name);
	} else {
		ok(!cl.in.server_nat_seen, "%s: Windows sees the server un-NATed (its own hash back)",
		   name);
		ok(cl.in.nat_seen_by_us, "%s: the client believes it is NATed", name);
		LOG_HAS("faking the peer's NAT-D to enforce UDP encapsulation; repeating Windows' NAT-D",
			"%s: logged", name);
		is_int(run_qm(&g, &cl, 0x90, 0x90000001, &qm), 0, "%s: Quick Mode, UDP transport",
		       name);
		ok(g.rec.installs[0].encap, "%s: ESP in UDP installed", name);
	}
	ike_init_free(&cl.in);
	rig_close(&g);
}

static void natt_peer_count(void *arg, const struct ike_natt_peer *peer)
{
	(void)peer;
	(*(unsigned *)arg)++;
}

static void test_win10_nat(const struct ike_crypto *crypto, bool pfs)
{
	struct rig g;
	struct client cl;
	struct ike_init_conf c;
	struct ike_init_qm qm = { win10_esp_nat, 3, true, 0, 1701, false, 2 };
	struct ike_init_qm qm_pfs = { pfs_esp, 1, false, OAKLEY_GROUP_MODP2048, 0, false, 0 };
	const char *name = pfs ? "Win10 PFS" : "Win10 NAT";
	const struct ike_child_sa_params *p;
	unsigned natted = 0;

	if (!ok(rig_open(&g, crypto, 0, NULL), "%s: engine up", name))
		return;
	client_conf(&c, pfs ? "169.254.1.3" : "192.168.1.66", win10_p1, 4, win10_vids, 7);
	ok(client_start(&cl, &g, &c, pfs ? "169.254.1.3" : "203.0.113.7", !pfs), "%s: client", name);
	is_int(run_mm(&g, &cl), 0, "%s: Main Mode completes", name);
	is_int(cl.in.natt, ISAKMP_NATT_RFC, "%s: RFC 3947 preferred", name);
	is_int(cl.in.group->id, IKE_GROUP_ECP384, "%s: ECP384 chosen (first offer)", name);
	LOG_HAS("sent MR3, ISAKMP SA established {auth=PRESHARED_KEY cipher=AES_CBC_256 "
		"integ=HMAC_SHA1 group=ECP_384 peer=", "%s: established line", name);
	LOG_HAS("packet from", "%s: VID lines", name);
	if (pfs) {
		is_int(run_qm(&g, &cl, 0x20, 0x33334444, &qm_pfs), 0, "%s: Quick Mode with PFS", name);
		check_keys(&g, &cl, name);
		p = &g.rec.installs[0];
		ok(!p->encap, "%s: transport without NAT", name);
		is_int(p->remote_l2tp_port, 0, "%s: client port 0 (any)", name);
		is_str(p->integ_name, "hmac(sha256)", "%s: HMAC-SHA2-256", name);
		is_int(p->integ_trunc_bits, 128, "%s: 128-bit ICV", name);
		is_int(p->cipher_key_len, 16, "%s: AES-128 key", name);
	} else {
		LOG_HAS("NAT-Traversal: Result using RFC 3947 (NAT-Traversal): peer is NATed",
			"%s: peer is NATed", name);
		LOG_HAS("packet from 203.0.113.7:500: received Vendor ID payload [RFC 3947]",
			"%s: RFC 3947 VID received", name);
		LOG_HAS("packet from 203.0.113.7:500: ignoring Vendor ID payload "
			"[draft-ietf-ipsec-nat-t-ike-02_n]", "%s: draft VID ignored", name);
		is_int(run_qm(&g, &cl, 0x21, 0x55556666, &qm), 0, "%s: Quick Mode (mode 4)", name);
		check_keys(&g, &cl, name);
		p = &g.rec.installs[0];
		ok(p->encap, "%s: ESP in UDP", name);
		is_str(p->cipher_name, "cbc(aes)", "%s: AES", name);
		is_int(p->cipher_key_len, 32, "%s: AES-256 key", name);
		is_int(cl.in.qm2_natoa_count, 2, "%s: two NAT-OA in QM2 (RFC)", name);
		LOG_HAS("NAT-Traversal: received 2 NAT-OA. Using first, ignoring others",
			"%s: two NAT-OA logged", name);
		ike_engine_natt_peers(g.e, natt_peer_count, &natted);
		is_int(natted, 1, "%s: one NATed peer for the keepalives", name);
		/* a client rekey: a second Quick Mode makes a second child */
		is_int(run_qm(&g, &cl, 0x22, 0x77778888, &qm), 0, "%s: client rekey", name);
		is_int(g.rec.install_count, 2, "%s: two children after the rekey", name);
	}
	ike_init_free(&cl.in);
	rig_close(&g);
	is_int(g.rec.remove_count, pfs ? 1 : 2, "%s: engine free removes every child", name);
}

static void test_wrong_psk(const struct ike_crypto *crypto)
{
	struct rig g;
	struct client bad, good;
	struct ike_init_conf c;
	struct ike_engine_stats st;
	uint8_t m[IKE_INIT_MSG_MAX];
	size_t sends;

	if (!ok(rig_open(&g, crypto, 0, NULL), "wrong PSK: engine up"))
		return;
	client_conf(&c, "169.254.1.9", xp_p1, 1, xp_vids, 3);
	c.psk = "not-the-psk";
	ok(client_start(&bad, &g, &c, "169.254.1.9", false), "wrong PSK: client");
	ok(rig_deliver(&g, &bad.seen500, &g.srv500, m, ike_init_mm1(&bad.in, m, sizeof(m)), 1) &&
		   ike_init_recv_mm2(&bad.in, last_sent(&g)->bytes, last_sent(&g)->len) == 0 &&
		   rig_deliver(&g, &bad.seen500, &g.srv500, m, ike_init_mm3(&bad.in, m, sizeof(m)), 1) &&
		   ike_init_recv_mm4(&bad.in, last_sent(&g)->bytes, last_sent(&g)->len) == 0,
	   "wrong PSK: MM1..MM4 go through");
	sends = g.rec.send_count;
	ike_engine_recv(g.e, &g.srv500, &bad.seen500, m, (size_t)ike_init_mm5(&bad.in, m, sizeof(m)));
	is_int(g.rec.send_count, sends, "wrong PSK: nothing is sent back");
	LOG_HAS("#1: peer 169.254.1.9:500: ", "wrong PSK: the line names the peer");
	LOG_HAS("probable authentication failure (mismatch of preshared secrets?)",
		"wrong PSK: the line says PSK mismatch");
	ike_engine_stats(g.e, &st);
	is_int(st.isakmp_sas, 0, "wrong PSK: the SA is gone");
	is_int(st.dropped_auth, 1, "wrong PSK: counted");
	client_conf(&c, "169.254.1.10", xp_p1, 1, xp_vids, 3);
	ok(client_start(&good, &g, &c, "169.254.1.10", false), "wrong PSK: a second client");
	is_int(run_mm(&g, &good), 0, "wrong PSK: the other client is unaffected");
	ike_init_free(&bad.in);
	ike_init_free(&good.in);
	rig_close(&g);
}

static void test_des_only(const struct ike_crypto *crypto)
{
	static const struct ike_init_p1 des[] = {
		{ OAKLEY_DES_CBC, 0, OAKLEY_MD5, OAKLEY_PRESHARED_KEY, OAKLEY_GROUP_MODP768, 28800, 0 },
		{ OAKLEY_3DES_CBC, 0, OAKLEY_SHA1, OAKLEY_PRESHARED_KEY, OAKLEY_GROUP_MODP768, 28800, 0 },
	};
	struct rig g;
	struct client cl;
	struct ike_init_conf c;
	struct ike_engine_stats st;
	uint8_t m[IKE_INIT_MSG_MAX];

	if (!ok(rig_open(&g, crypto, 0, NULL), "DES only: engine up"))
		return;
	client_conf(&c, "169.254.1.11", des, 2, xp_vids, 3);
	ok(client_start(&cl, &g, &c, "169.254.1.11", false), "DES only: client");
	ok(rig_deliver(&g, &cl.seen500, &g.srv500, m, ike_init_mm1(&cl.in, m, sizeof(m)), 1),
	   "DES only: an answer");
	is_int(ike_init_recv_plain_notify(last_sent(&g)->bytes, last_sent(&g)->len),
	       ISAKMP_NOTIFY_NO_PROPOSAL_CHOSEN, "DES only: NO_PROPOSAL_CHOSEN");
	LOG_HAS("#1: only OAKLEY_3DES_CBC and OAKLEY_AES_CBC supported. Attribute "
		"OAKLEY_ENCRYPTION_ALGORITHM", "DES only: the seed-shaped cipher line");
	LOG_HAS("#1: only OAKLEY_GROUP_MODP1024, OAKLEY_GROUP_MODP1536, OAKLEY_GROUP_MODP2048, "
		"OAKLEY_GROUP_ECP_256 and OAKLEY_GROUP_ECP_384 supported. Attribute "
		"OAKLEY_GROUP_DESCRIPTION", "DES only: the seed-shaped group line");
	LOG_HAS("#1: no acceptable Oakley Transform; peer offered: DES_CBC-MD5-MODP768, "
		"3DES_CBC-SHA1-MODP768", "DES only: what was offered");
	LOG_HAS("#1: sending notification NO_PROPOSAL_CHOSEN to 169.254.1.11:500",
		"DES only: notification logged");
	ike_engine_stats(g.e, &st);
	is_int(st.isakmp_sas, 0, "DES only: no state kept");
	is_int(st.no_proposal_chosen, 1, "DES only: counted");
	/* Aggressive Mode: refused with a line, no state */
	{
		long n = ike_init_mm1(&cl.in, m, sizeof(m));

		m[18] = ISAKMP_EXCHANGE_AGGRESSIVE;
		ike_engine_recv(g.e, &g.srv500, &cl.seen500, m, (size_t)n);
	}
	LOG_HAS("Aggressive Mode refused", "Aggressive Mode: refused with a line");
	ike_engine_stats(g.e, &st);
	is_int(st.aggressive_refused, 1, "Aggressive Mode: counted");
	ike_init_free(&cl.in);
	rig_close(&g);
}

/* Sends msg twice; the second answer must repeat the first byte for byte. */
static void check_retransmit(struct rig *g, const struct netaddr *from, const struct netaddr *to,
			     const uint8_t *msg, size_t len, const char *name)
{
	struct sent first = *last_sent(g);
	size_t before = g->rec.send_count;

	ike_engine_recv(g->e, to, from, msg, len);
	if (!ok(g->rec.send_count == before + 1, "%s: a duplicate is answered", name))
		return;
	ok(last_sent(g)->len == first.len && memcmp(last_sent(g)->bytes, first.bytes, first.len) == 0,
	   "%s: with the same reply", name);
}

static void test_retransmits(const struct ike_crypto *crypto)
{
	struct rig g;
	struct client cl;
	struct ike_init_conf c;
	struct ike_init_qm qm = { xp_esp, 1, true, 0, 1701, false, 0 };
	uint8_t m1[IKE_INIT_MSG_MAX], m3[IKE_INIT_MSG_MAX], m5[IKE_INIT_MSG_MAX], q1[IKE_INIT_MSG_MAX];
	long n1, n3, n5, nq;
	struct ike_engine_stats st;
	size_t before;

	if (!ok(rig_open(&g, crypto, 0, NULL), "retransmits: engine up"))
		return;
	client_conf(&c, "169.254.1.12", xp_p1, 1, xp_vids, 3);
	ok(client_start(&cl, &g, &c, "169.254.1.12", false), "retransmits: client");
	n1 = ike_init_mm1(&cl.in, m1, sizeof(m1));
	ok(rig_deliver(&g, &cl.seen500, &g.srv500, m1, n1, 1), "retransmits: MM2");
	check_retransmit(&g, &cl.seen500, &g.srv500, m1, (size_t)n1, "MM1 again");
	ok(ike_init_recv_mm2(&cl.in, last_sent(&g)->bytes, last_sent(&g)->len) == 0, "MM2 read");
	n3 = ike_init_mm3(&cl.in, m3, sizeof(m3));
	before = g.rec.send_count;
	ike_engine_recv(g.e, &g.srv500, &cl.seen500, m3, (size_t)n3);
	ike_engine_recv(g.e, &g.srv500, &cl.seen500, m3, (size_t)n3);  /* while DH runs */
	rig_settle(&g);
	is_int(g.rec.send_count, before + 1, "MM3 twice while DH runs: one MM4 only");
	ok(ike_init_recv_mm4(&cl.in, last_sent(&g)->bytes, last_sent(&g)->len) == 0, "MM4 read");
	check_retransmit(&g, &cl.seen500, &g.srv500, m3, (size_t)n3, "MM3 again");
	n5 = ike_init_mm5(&cl.in, m5, sizeof(m5));
	ok(rig_deliver(&g, &cl.seen500, &g.srv500, m5, n5, 1), "retransmits: MM6");
	ok(ike_init_recv_mm6(&cl.in, last_sent(&g)->bytes, last_sent(&g)->len) == 0, "MM6 read");
	check_retransmit(&g, &cl.seen500, &g.srv500, m5, (size_t)n5, "MM5 again");
	nq = ike_init_qm1(&cl.in, 0x99, 0xabcd0001, &qm, q1, sizeof(q1));
	ok(rig_deliver(&g, &cl.seen500, &g.srv500, q1, nq, 1), "retransmits: QM2");
	check_retransmit(&g, &cl.seen500, &g.srv500, q1, (size_t)nq, "QM1 again");
	for (int i = 0; i < 12; i++)
		ike_engine_recv(g.e, &g.srv500, &cl.seen500, q1, (size_t)nq);
	ike_engine_stats(g.e, &st);
	is_int(st.retransmits_answered, 4 + g.conf.retransmits_answered - 1,
	       "duplicates answered up to the cap");
	ok(st.dropped_duplicate >= 4, "duplicates beyond the cap dropped");
	LOG_HAS("retransmitting in response to duplicate packet; already STATE_MAIN_R1",
		"retransmit logged pluto's way");
	ike_init_free(&cl.in);
	rig_close(&g);
}

/*
 * Memory per idle SA (issue 6): what only a handshake needs is freed the
 * moment it completes.  After MM6 the Main Mode state (nonces, g^xi, the DH
 * key pair, the PSK copy, SKEYID, SAi_b) is gone, but MM6 is still answered
 * to a duplicate MM5; once the peer's QM1 authenticates, MM6 goes too.  After
 * QM3 the Quick Mode state (nonces, IDs, PFS key pair and g^xy) is gone and
 * no reply is cached; a later Quick Mode still gets the right keys from what
 * the SA kept (SKEYID_d, SKEYID_a, the cipher key, the last phase-1 IV).
 */
static void test_handshake_freed(const struct ike_crypto *crypto)
{
	struct rig g;
	struct client cl;
	struct ike_init_conf c;
	struct ike_init_qm qm = { pfs_esp, 1, false, OAKLEY_GROUP_MODP2048, 0, false, 0 };
	uint8_t m[IKE_INIT_MSG_MAX], m5[IKE_INIT_MSG_MAX];
	struct ike_engine_stats st;
	struct ike_sa *sa;
	struct ike_child *child;
	uint64_t dropped;
	long n5;

	if (!ok(rig_open(&g, crypto, 0, NULL), "freed: engine up"))
		return;
	client_conf(&c, "169.254.1.31", win10_p1, 4, win10_vids, 7);
	ok(client_start(&cl, &g, &c, "169.254.1.31", false), "freed: client");
	ok(rig_deliver(&g, &cl.seen500, &g.srv500, m, ike_init_mm1(&cl.in, m, sizeof(m)), 1) &&
	   ike_init_recv_mm2(&cl.in, last_sent(&g)->bytes, last_sent(&g)->len) == 0, "freed: MM2");
	sa = g.e->sas;
	ok(sa && sa->mm && sa->mm->sai_b, "freed: a half-open SA holds its Main Mode state");
	ok(rig_deliver(&g, &cl.seen500, &g.srv500, m, ike_init_mm3(&cl.in, m, sizeof(m)), 1) &&
	   ike_init_recv_mm4(&cl.in, last_sent(&g)->bytes, last_sent(&g)->len) == 0, "freed: MM4");
	ok(sa->mm && sa->mm->dh && sa->mm->skeyid.len > 0 && sa->mm->psk.len == 0,
	   "freed: after DH the key pair and SKEYID are held, the PSK copy is already wiped");
	n5 = ike_init_mm5(&cl.in, m5, sizeof(m5));
	ok(rig_deliver(&g, &cl.seen500, &g.srv500, m5, n5, 1) &&
	   ike_init_recv_mm6(&cl.in, last_sent(&g)->bytes, last_sent(&g)->len) == 0, "freed: MM6");
	ok(sa->state == IKE_STATE_MAIN_R3, "freed: ISAKMP SA established");
	ok(sa->mm == NULL, "freed: Main Mode state freed at establishment");
	ok(sa->keys.enc_key_len > 0 && sa->keys.skeyid_a_len > 0 && sa->keys.skeyid_d_len > 0,
	   "freed: the SA keeps the cipher key, SKEYID_a and SKEYID_d");
	ok(sa->peer_id && sa->peer_id_len == 4, "freed: the peer ID is kept at its own size");
	ok(sa->reply.bytes != NULL, "freed: MM6 is kept until the peer speaks again");
	check_retransmit(&g, &cl.seen500, &g.srv500, m5, (size_t)n5, "freed: MM5 after establishment");

	is_int(run_qm(&g, &cl, 0x31, 0x31313131, &qm), 0, "freed: Quick Mode with PFS");
	check_keys(&g, &cl, "freed QM");
	ok(sa->reply.bytes == NULL, "freed: MM6 dropped once QM1 authenticated");
	child = sa->children;
	ok(child && child->state == IKE_STATE_QUICK_R2 && child->installed, "freed: child installed");
	ok(child && child->qm == NULL,
	   "freed: Quick Mode state (nonces, IDs, PFS DH: they live only there) freed at installation");
	ok(child && child->reply.bytes == NULL, "freed: no QM2 cached after QM3");
	ike_engine_stats(g.e, &st);
	dropped = st.dropped_duplicate;
	ike_engine_recv(g.e, &g.srv500, &cl.seen500, m5, (size_t)n5);
	ike_engine_stats(g.e, &st);
	is_int(st.dropped_duplicate, dropped + 1, "freed: a late MM5 is dropped, not answered");

	is_int(run_qm(&g, &cl, 0x32, 0x32323232, &qm), 0, "freed: a second Quick Mode (rekey)");
	check_keys(&g, &cl, "freed rekey");
	ok(sa->children && sa->children->qm == NULL, "freed: the rekey's state is freed too");
	ike_init_free(&cl.in);
	rig_close(&g);
}

static void small_caps(struct ike_engine_conf *conf)
{
	conf->half_open_per_source = 3;
	conf->half_open_total = 5;
}

static void test_half_open(const struct ike_crypto *crypto)
{
	struct rig g;
	struct client cl[7];
	struct ike_init_conf c;
	struct ike_engine_stats st;
	uint8_t m[IKE_INIT_MSG_MAX];
	const char *addrs[7] = { "169.254.2.1", "169.254.2.1", "169.254.2.1", "169.254.2.1",
				 "169.254.2.2", "169.254.2.3", "169.254.2.4" };

	if (!ok(rig_open(&g, crypto, 0, small_caps), "half-open: engine up"))
		return;
	for (int i = 0; i < 7; i++) {
		client_conf(&c, addrs[i], xp_p1, 1, xp_vids, 3);
		(void)client_start(&cl[i], &g, &c, addrs[i], false);
		ike_engine_recv(g.e, &g.srv500, &cl[i].seen500, m,
				(size_t)ike_init_mm1(&cl[i].in, m, sizeof(m)));
	}
	ike_engine_stats(g.e, &st);
	is_int(st.half_open_now, 5, "half-open: the total cap holds (5)");
	is_int(st.dropped_half_open, 2, "half-open: one per-source and one total refusal");
	LOG_HAS("half-open Main Modes from this address (limit 3)", "half-open: per-source line");
	LOG_HAS("half-open Main Modes in all (limit 5)", "half-open: total line");
	/* a vanished client: the half-open state expires and is logged */
	clock_advance(&g.clock, 60000);
	(void)ev_run_timers(g.loop);
	ike_engine_stats(g.e, &st);
	is_int(st.half_open_now, 0, "vanished clients: every half-open state expired");
	is_int(st.exchanges_expired, 5, "vanished clients: counted");
	LOG_HAS("#1: deleting incomplete state after 60.000 seconds (STATE_MAIN_R1; peer "
		"169.254.2.1:500 stopped answering)", "vanished client: logged");
	for (int i = 0; i < 7; i++)
		ike_init_free(&cl[i].in);
	rig_close(&g);
}

static void dpd_on(struct ike_engine_conf *conf)
{
	conf->dpd_interval_ms = 30000;
	conf->dpd_timeout_ms = 90000;
}

static void test_dpd(const struct ike_crypto *crypto)
{
	static const char *const vids[] = { "RFC 3947", "Dead Peer Detection" };
	struct rig g;
	struct client cl, win;
	struct ike_init_conf c;
	struct ike_engine_stats st;
	uint8_t m[IKE_INIT_MSG_MAX];
	size_t before;

	if (!ok(rig_open(&g, crypto, 0, dpd_on), "DPD: engine up"))
		return;
	client_conf(&c, "169.254.3.1", xp_p1, 1, vids, 2);
	ok(client_start(&cl, &g, &c, "169.254.3.1", false), "DPD: a client with the DPD VID");
	is_int(run_mm(&g, &cl), 0, "DPD: established");
	client_conf(&c, "169.254.3.2", xp_p1, 1, xp_vids, 3);
	ok(client_start(&win, &g, &c, "169.254.3.2", false), "DPD: a Windows client (no DPD VID)");
	is_int(run_mm(&g, &win), 0, "DPD: Windows established");
	LOG_HAS("#2: Configured DPD (RFC 3706) support not enabled because remote peer did not "
		"advertise DPD support", "DPD: not enabled for Windows, logged");
	/* the client asks: R-U-THERE is answered */
	ok(rig_deliver(&g, &cl.seen500, &g.srv500, m,
		       ike_init_notify(&cl.in, 0x501, ISAKMP_NOTIFY_R_U_THERE, 77, m, sizeof(m)), 1),
	   "DPD: R-U-THERE answered");
	is_int(ike_init_recv_info(&cl.in, last_sent(&g)->bytes, last_sent(&g)->len), 0,
	       "DPD: the answer authenticates");
	is_int(cl.in.info_notify, ISAKMP_NOTIFY_R_U_THERE_ACK, "DPD: R-U-THERE-ACK");
	is_int(cl.in.info_dpd_seq, 77, "DPD: same sequence number");
	/* our R-U-THERE after the interval, to the DPD client only */
	before = g.rec.send_count;
	clock_advance(&g.clock, 30000);
	(void)ev_run_timers(g.loop);
	is_int(g.rec.send_count, before + 1, "DPD: one R-U-THERE (none to Windows)");
	is_int(ike_init_recv_info(&cl.in, last_sent(&g)->bytes, last_sent(&g)->len), 0,
	       "DPD: R-U-THERE authenticates");
	is_int(cl.in.info_notify, ISAKMP_NOTIFY_R_U_THERE, "DPD: it is R-U-THERE");
	ike_engine_recv(g.e, &g.srv500, &cl.seen500, m,
			(size_t)ike_init_notify(&cl.in, 0x502, ISAKMP_NOTIFY_R_U_THERE_ACK,
						cl.in.info_dpd_seq, m, sizeof(m)));
	/* the next R-U-THERE an interval after the ACK, then silence: dead after the timeout */
	before = g.rec.send_count;
	clock_advance(&g.clock, 30000);
	(void)ev_run_timers(g.loop);
	is_int(g.rec.send_count, before + 1, "DPD: the next R-U-THERE an interval after the ACK");
	clock_advance(&g.clock, 90000);
	(void)ev_run_timers(g.loop);
	LOG_HAS("#1: DPD: No response from peer - declaring peer dead", "DPD: dead peer logged");
	ike_engine_stats(g.e, &st);
	is_int(st.isakmp_sas, 1, "DPD: only the Windows SA is left");
	ike_init_free(&cl.in);
	ike_init_free(&win.in);
	rig_close(&g);
}

static void test_initial_contact(const struct ike_crypto *crypto)
{
	struct rig g;
	struct client a, a2, b;
	struct ike_init_conf c;
	struct ike_init_qm qm = { xp_esp_nat, 1, true, 0, 1701, false, 1 };
	struct ike_engine_stats st;

	if (!ok(rig_open(&g, crypto, 0, NULL), "INITIAL-CONTACT: engine up"))
		return;
	/* two sites, same private address as ID */
	client_conf(&c, "192.168.1.5", xp_p1, 1, xp_vids, 3);
	ok(client_start(&a, &g, &c, "198.51.100.1", true), "IC: client A at site 1");
	is_int(run_mm(&g, &a), 0, "IC: A established");
	is_int(run_qm(&g, &a, 0x30, 0xa0000001, &qm), 0, "IC: A has an IPsec SA");
	ok(client_start(&b, &g, &c, "198.51.100.2", true), "IC: client B at site 2, same ID");
	is_int(run_mm(&g, &b), 0, "IC: B established");
	c.initial_contact = true;
	ok(client_start(&a2, &g, &c, "198.51.100.1", true), "IC: A again after a reboot");
	is_int(run_mm(&g, &a2), 0, "IC: A2 established with INITIAL-CONTACT");
	ike_engine_stats(g.e, &st);
	is_int(st.isakmp_sas, 2, "IC: A's old SA replaced, B's kept");
	is_int(st.ipsec_sas, 0, "IC: A's IPsec SA removed with it");
	is_int(g.rec.remove_count, 1, "IC: child_remove for A's IPsec SA");
	LOG_HAS("#4: INITIAL_CONTACT: deleting ISAKMP SA #1 and its IPsec SAs (same peer ID, same "
		"address)", "IC: logged");
	ike_init_free(&a.in);
	ike_init_free(&a2.in);
	ike_init_free(&b.in);
	rig_close(&g);
}

static void test_expire_and_shutdown(const struct ike_crypto *crypto)
{
	struct rig g;
	struct client cl;
	struct ike_init_conf c;
	struct ike_init_qm qm = { xp_esp, 1, true, 0, 1701, false, 0 };
	struct ike_engine_stats st;
	size_t before;

	if (!ok(rig_open(&g, crypto, 0, NULL), "expiry: engine up"))
		return;
	client_conf(&c, "169.254.4.1", xp_p1, 1, xp_vids, 3);
	ok(client_start(&cl, &g, &c, "169.254.4.1", false), "expiry: client");
	is_int(run_mm(&g, &cl), 0, "expiry: MM");
	is_int(run_qm(&g, &cl, 0x40, 0xbb000001, &qm), 0, "expiry: QM 1");
	is_int(run_qm(&g, &cl, 0x41, 0xbb000002, &qm), 0, "expiry: QM 2");
	before = g.rec.send_count;
	ike_engine_kernel_expire(g.e, g.rec.installs[0].spi_in, true);
	is_int(g.rec.remove_count, 1, "expiry: hard expiry removes the child");
	is_int(g.rec.send_count, before + 1, "expiry: and tells the client");
	is_int(ike_init_recv_info(&cl.in, last_sent(&g)->bytes, last_sent(&g)->len), 0,
	       "expiry: the Delete authenticates");
	is_int(cl.in.info_delete_proto, ISAKMP_PROTO_IPSEC_ESP, "expiry: Delete of ESP");
	is_uint(cl.in.info_delete_spi, g.rec.installs[0].spi_in, "expiry: names our inbound SPI");
	ike_engine_kernel_expire(g.e, 0x12345678, true);
	is_int(g.rec.remove_count, 1, "expiry: an unknown SPI is ignored");
	before = g.rec.send_count;
	ike_engine_shutdown(g.e);
	is_int(g.rec.send_count, before + 2, "shutdown: Delete ESP and Delete ISAKMP sent");
	is_int(g.rec.remove_count, 2, "shutdown: the last child removed");
	ike_engine_stats(g.e, &st);
	is_int(st.isakmp_sas + st.ipsec_sas, 0, "shutdown: nothing left");
	ike_init_free(&cl.in);
	rig_close(&g);
}

/* The daemon closes a client's IPsec SA (its L2TP tunnel died): Delete ESP, then the ISAKMP SA. */
static void test_child_close(const struct ike_crypto *crypto)
{
	struct rig g;
	struct client cl;
	struct ike_init_conf c;
	struct ike_init_qm qm = { xp_esp, 1, true, 0, 1701, false, 0 };
	struct ike_engine_stats st;
	size_t before;

	if (!ok(rig_open(&g, crypto, 0, NULL), "child_close: engine up"))
		return;
	client_conf(&c, "169.254.4.2", xp_p1, 1, xp_vids, 3);
	ok(client_start(&cl, &g, &c, "169.254.4.2", false), "child_close: client");
	is_int(run_mm(&g, &cl), 0, "child_close: MM");
	is_int(run_qm(&g, &cl, 0x42, 0xbb000003, &qm), 0, "child_close: QM");
	is_int(ike_engine_child_close(g.e, 0x99999999, "test"), -ENOENT,
	       "child_close: an unknown SPI is -ENOENT");
	before = g.rec.send_count;
	is_int(ike_engine_child_close(g.e, g.rec.installs[0].spi_in, "L2TP peer vanished"), 0,
	       "child_close: the child is closed");
	is_int(g.rec.remove_count, 1, "child_close: SAs and policies removed");
	is_int(g.rec.down, 1, "child_close: child_down observed");
	is_int(g.rec.send_count, before + 2, "child_close: Delete ESP and Delete ISAKMP sent");
	ike_engine_stats(g.e, &st);
	is_int(st.isakmp_sas + st.ipsec_sas, 0, "child_close: the ISAKMP SA went with its only child");
	ike_init_free(&cl.in);
	rig_close(&g);
}

static void test_kernel_refusals(const struct ike_crypto *crypto)
{
	struct rig g;
	struct client cl;
	struct ike_init_conf c;
	struct ike_init_qm qm = { xp_esp, 1, true, 0, 1701, false, 0 };
	uint8_t m[IKE_INIT_MSG_MAX];

	if (!ok(rig_open(&g, crypto, 0, NULL), "kernel refusals: engine up"))
		return;
	client_conf(&c, "169.254.5.1", xp_p1, 1, xp_vids, 3);
	ok(client_start(&cl, &g, &c, "169.254.5.1", false), "kernel refusals: client");
	is_int(run_mm(&g, &cl), 0, "kernel refusals: MM");
	g.rec.spi_error = -ENOMEM;
	ok(rig_deliver(&g, &cl.seen500, &g.srv500, m,
		       ike_init_qm1(&cl.in, 0x50, 0xcc000001, &qm, m, sizeof(m)), 1),
	   "SPI refused: an answer");
	is_int(ike_init_recv_info(&cl.in, last_sent(&g)->bytes, last_sent(&g)->len), 0,
	       "SPI refused: an encrypted notify");
	is_int(cl.in.info_notify, ISAKMP_NOTIFY_NO_PROPOSAL_CHOSEN, "SPI refused: NO_PROPOSAL_CHOSEN");
	LOG_HAS("the kernel refused an inbound SPI: Cannot allocate memory", "SPI refused: logged");
	g.rec.spi_error = 0;
	g.rec.install_error = -EEXIST;
	is_int(run_qm(&g, &cl, 0x51, 0xcc000002, &qm), 4, "install refused: no child installed");
	is_int(ike_init_recv_info(&cl.in, last_sent(&g)->bytes, last_sent(&g)->len), 0,
	       "install refused: the client is told");
	is_int(cl.in.info_delete_proto, ISAKMP_PROTO_IPSEC_ESP, "install refused: with a Delete");
	is_int(g.rec.remove_count, 1, "install refused: the larval SA removed");
	LOG_HAS("the kernel refused the IPsec SA: File exists", "install refused: logged");
	ike_init_free(&cl.in);
	rig_close(&g);
}


static void short_lifetimes(struct ike_engine_conf *conf)
{
	conf->p1_max_seconds = 7200;
	conf->p2_max_seconds = 1800;
	conf->p2_max_kilobytes = 100000;
}

/* Garbage, unknown cookies, Quick Mode too early, lifetime caps and expiry, reload. */
static void test_misc(const struct ike_crypto *crypto)
{
	static const uint8_t junk[] = { 1, 2, 3 };
	struct rig g;
	struct client cl, old, fresh;
	struct ike_init_conf c;
	struct ike_init_qm qm = { xp_esp, 1, true, 0, 1701, false, 0 };
	struct ike_engine_stats st;
	struct ike_engine_conf conf;
	uint8_t m[IKE_INIT_MSG_MAX];
	size_t before;
	long n;

	if (!ok(rig_open(&g, crypto, 0, short_lifetimes), "misc: engine up"))
		return;
	client_conf(&c, "169.254.7.1", xp_p1, 1, xp_vids, 3);
	ok(client_start(&cl, &g, &c, "169.254.7.1", false), "misc: client");
	ike_engine_recv(g.e, &g.srv500, &cl.seen500, junk, sizeof(junk));
	n = ike_init_mm1(&cl.in, m, sizeof(m));
	m[17] = 0x20;   /* IKEv2 */
	ike_engine_recv(g.e, &g.srv500, &cl.seen500, m, (size_t)n);
	ike_engine_stats(g.e, &st);
	is_int(st.malformed, 2, "misc: a short datagram and an IKEv2 header counted as malformed");
	is_int(g.rec.send_count, 0, "misc: and never answered");
	memset(m, 0xab, 16);
	m[17] = 0x10;
	ike_engine_recv(g.e, &g.srv500, &cl.seen500, m, (size_t)n);
	ike_engine_stats(g.e, &st);
	is_int(st.dropped_unknown_sa, 1, "misc: unknown cookies dropped");
	LOG_HAS("unknown cookies (no such ISAKMP SA); dropped", "misc: unknown cookies logged");
	/* Quick Mode before Main Mode finished */
	ok(rig_deliver(&g, &cl.seen500, &g.srv500, m, ike_init_mm1(&cl.in, m, sizeof(m)), 1) &&
		   ike_init_recv_mm2(&cl.in, last_sent(&g)->bytes, last_sent(&g)->len) == 0,
	   "misc: MM1/MM2");
	n = ike_init_mm3(&cl.in, m, sizeof(m));
	m[18] = ISAKMP_EXCHANGE_QUICK;
	before = g.rec.send_count;
	ike_engine_recv(g.e, &g.srv500, &cl.seen500, m, (size_t)n);
	is_int(g.rec.send_count, before, "misc: Quick Mode before the ISAKMP SA: no answer");
	LOG_HAS("the ISAKMP SA is not established", "misc: early Quick Mode logged");
	ike_init_free(&cl.in);
	/* lifetimes capped; the IPsec SA and the ISAKMP SA expire on their timers */
	ok(client_start(&cl, &g, &c, "169.254.7.1", false), "misc: client again");
	is_int(run_mm(&g, &cl), 0, "misc: MM");
	LOG_HAS("ISAKMP SA lifetime 28800s capped to 7200s", "misc: phase 1 lifetime capped");
	is_int(run_qm(&g, &cl, 0x70, 0xee000001, &qm), 0, "misc: QM");
	is_int(g.rec.installs[0].lifetime_seconds, 1800, "misc: phase 2 seconds capped");
	is_int(g.rec.installs[0].lifetime_kilobytes, 100000, "misc: phase 2 kilobytes capped");
	before = g.rec.send_count;
	clock_advance(&g.clock, 1800 * 1000);
	(void)ev_run_timers(g.loop);
	is_int(g.rec.remove_count, 1, "misc: the IPsec SA expired and was removed");
	is_int(g.rec.send_count, before + 1, "misc: with a Delete to the client");
	clock_advance(&g.clock, 5400 * 1000);
	(void)ev_run_timers(g.loop);
	ike_engine_stats(g.e, &st);
	is_int(st.isakmp_sas, 0, "misc: the ISAKMP SA expired at 7200 s");
	is_int(g.rec.send_count, before + 2, "misc: with a Delete to the client");
	ike_init_free(&cl.in);
	/* reload: a new PSK serves new Main Modes */
	client_conf(&c, "169.254.7.2", xp_p1, 1, xp_vids, 3);
	ok(client_start(&old, &g, &c, "169.254.7.2", false), "reload: a client with the old PSK");
	conf = g.conf;
	conf.psk = (const uint8_t *)"a-new-psk";
	conf.psk_len = 9;
	is_int(ike_engine_conf_update(g.e, &conf), 0, "reload: accepted");
	conf.psk_len = 0;
	is_int(ike_engine_conf_update(g.e, &conf), -EINVAL, "reload: an empty PSK refused");
	is_int(run_mm(&g, &old), 5, "reload: the old PSK fails at MM5");
	c.psk = "a-new-psk";
	ok(client_start(&fresh, &g, &c, "169.254.7.3", false), "reload: a client with the new PSK");
	is_int(run_mm(&g, &fresh), 0, "reload: the new PSK works");
	ike_init_free(&old.in);
	ike_init_free(&fresh.in);
	rig_close(&g);
}

/* ------------------------------------------------------------ table walks */

static const uint8_t events[] = { ISAKMP_EXCHANGE_ID_PROT, ISAKMP_EXCHANGE_AGGRESSIVE,
				  ISAKMP_EXCHANGE_INFORMATIONAL, ISAKMP_EXCHANGE_QUICK,
				  IKE_EVENT_DH_DONE };

struct expect_row {
	uint8_t state, event, next;
};

static void walk(const struct ike_machine *m, void *obj, enum ike_state *state_field,
		 const struct expect_row *expect, size_t n_expect)
{
	for (unsigned s = 0; s < IKE_STATE_COUNT; s++) {
		for (size_t k = 0; k < ARRAY_SIZE(events); k++) {
			const struct ike_row *row = ike_machine_find(m, s, events[k]);
			const struct expect_row *want = NULL;
			struct ike_rx rx;
			int r;

			for (size_t i = 0; i < n_expect; i++)
				if (expect[i].state == s && expect[i].event == events[k])
					want = &expect[i];
			ok((row != NULL) == (want != NULL) && (!row || row->next == want->next),
			   "%s: (%s, %u) %s", m->name, ike_state_name(s), events[k],
			   want ? ike_state_name(want->next) : "has no row");
			memset(&rx, 0, sizeof(rx));
			rx.event = events[k];
			*state_field = (enum ike_state)s;
			if (!row) {
				r = ike_machine_step(m, obj, &rx);
				ok(r == IKE_DROP && *state_field == s, "%s: (%s, %u) dropped, state kept",
				   m->name, ike_state_name(s), events[k]);
				continue;
			}
			if (row->event == IKE_EVENT_DH_DONE)
				continue;
			rx.encrypted = !row->encrypted;
			rx.present = row->required;
			r = ike_machine_step(m, obj, &rx);
			ok(r == IKE_DROP && *state_field == s, "%s: (%s, %u) wrong encryption dropped",
			   m->name, ike_state_name(s), events[k]);
			rx.encrypted = row->encrypted;
			rx.present = row->required | IKE_PL_OTHER;
			r = ike_machine_step(m, obj, &rx);
			ok(r == IKE_DROP && *state_field == s, "%s: (%s, %u) unexpected payload dropped",
			   m->name, ike_state_name(s), events[k]);
			rx.present = 0;
			r = ike_machine_step(m, obj, &rx);
			ok(r == IKE_DROP && *state_field == s, "%s: (%s, %u) missing payload dropped",
			   m->name, ike_state_name(s), events[k]);
		}
	}
}

static void test_table_walk(void)
{
	static const struct expect_row mm[] = {
		{ IKE_STATE_NONE, ISAKMP_EXCHANGE_ID_PROT, IKE_STATE_MAIN_R1 },
		{ IKE_STATE_MAIN_R1, ISAKMP_EXCHANGE_ID_PROT, IKE_STATE_MAIN_R1 },
		{ IKE_STATE_MAIN_R1, IKE_EVENT_DH_DONE, IKE_STATE_MAIN_R2 },
		{ IKE_STATE_MAIN_R2, ISAKMP_EXCHANGE_ID_PROT, IKE_STATE_MAIN_R3 },
	};
	static const struct expect_row qm[] = {
		{ IKE_STATE_NONE, ISAKMP_EXCHANGE_QUICK, IKE_STATE_QUICK_R1 },
		{ IKE_STATE_NONE, IKE_EVENT_DH_DONE, IKE_STATE_QUICK_R1 },
		{ IKE_STATE_QUICK_R1, ISAKMP_EXCHANGE_QUICK, IKE_STATE_QUICK_R2 },
	};
	static const struct expect_row info[] = {
		{ IKE_STATE_MAIN_R1, ISAKMP_EXCHANGE_INFORMATIONAL, IKE_STATE_MAIN_R1 },
		{ IKE_STATE_MAIN_R2, ISAKMP_EXCHANGE_INFORMATIONAL, IKE_STATE_MAIN_R2 },
		{ IKE_STATE_MAIN_R3, ISAKMP_EXCHANGE_INFORMATIONAL, IKE_STATE_MAIN_R3 },
	};
	static struct ike_sa sa;
	static struct ike_child child;

	walk(&ike_mm_machine, &sa, &sa.state, mm, ARRAY_SIZE(mm));
	walk(&ike_qm_machine, &child, &child.state, qm, ARRAY_SIZE(qm));
	walk(&ike_info_machine, &sa, &sa.state, info, ARRAY_SIZE(info));
}

/* ------------------------------------------------------------ out of memory */

static void test_oom(const struct ike_crypto *crypto)
{
	struct ike_init_qm qm = { xp_esp, 1, true, 0, 1701, false, 0 };
	unsigned long n;
	bool completed = false;

	for (n = 1; n < 400 && !completed; n++) {
		struct rig g;
		struct client cl;
		struct ike_init_conf c;
		unsigned long start;
		int mm, q = -1;

		if (!rig_open(&g, crypto, 0, NULL)) {
			ok(false, "OOM walk: rig");
			return;
		}
		client_conf(&c, "169.254.6.1", xp_p1, 1, xp_vids, 3);
		(void)client_start(&cl, &g, &c, "169.254.6.1", false);
		start = alloc_count();
		alloc_fail_at(n);
		mm = run_mm(&g, &cl);
		if (mm == 0)
			q = run_qm(&g, &cl, 0x60, 0xdd000001, &qm);
		alloc_fail_at(0);
		completed = alloc_count() - start < n;
		if (completed) {
			is_int(mm, 0, "OOM walk: with no failure left MM completes (n = %lu)", n);
			is_int(q, 0, "OOM walk: and QM completes");
		}
		ike_init_free(&cl.in);
		rig_close(&g);
	}
	ok(completed, "OOM walk: failed allocations 1..%lu one at a time, no crash (ASan checks "
		      "leaks)", n - 1);
}

int main(void)
{
	struct ike_crypto *crypto = ike_crypto_new();

	if (!ok(crypto != NULL, "crypto context"))
		return tap_done();
	test_xp(crypto);
	test_seed_order(crypto);
	test_xp_nat(crypto);
	test_win10_nat(crypto, false);
	test_win10_nat(crypto, true);
	test_server_behind_nat(crypto, false);
	test_server_behind_nat(crypto, true);
	test_wrong_psk(crypto);
	test_des_only(crypto);
	test_retransmits(crypto);
	test_handshake_freed(crypto);
	test_half_open(crypto);
	test_dpd(crypto);
	test_initial_contact(crypto);
	test_expire_and_shutdown(crypto);
	test_child_close(crypto);
	test_kernel_refusals(crypto);
	test_misc(crypto);
	test_table_walk();
	test_oom(crypto);
	ike_crypto_free(crypto);
	return tap_done();
}
