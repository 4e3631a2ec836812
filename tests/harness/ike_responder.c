/*
 * ike_responder.c - the engine on real UDP sockets, without the kernel: for
 * interoperability runs against a real initiator (strongSwan charon) in a
 * network namespace (tests/ike/charon-interop.sh).
 *
 * Binds ADDR:500 and ADDR:4500, strips and adds the RFC 3948 non-ESP marker
 * on 4500, feeds every ISAKMP datagram to ike_engine_recv(), and stands in
 * for the kernel with ops that print what they are asked ("SPI_ALLOC",
 * "INSTALL" with the keys in hex, so a test can compare them with the
 * peer's own key log; "REMOVE").  The engine's log goes to stderr.
 *
 * --finish-qm3 SECONDS: a peer that cannot install its own SA (charon on a
 * host kernel without ESP never sends QM3) is completed by building QM3
 * from the engine's state after SECONDS, so that the install and its keys
 * can still be checked against the peer's key log.  Test use only: it
 * reads the engine's private structures.
 *
 * Usage: ike_responder ADDR PSK SECONDS [--finish-qm3 SECONDS] [--dpd]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ike/ike_engine.h"
#include "ike/ike_exchange.h"
#include "ike/ike_sa.h"
#include "ike/isakmp_const.h"
#include "lib/clock.h"
#include "lib/evloop.h"
#include "lib/log.h"
#include "lib/workq.h"

struct responder {
	struct clock clock;
	struct ev_loop *loop;
	struct ev_fd fd500, fd4500;
	struct ev_timer stop, finish;
	struct ike_engine *e;
	struct netaddr addr500, addr4500;
	unsigned finish_qm3_s;
	uint32_t next_spi;
};

static struct responder R;

static void hex(const char *label, const uint8_t *p, size_t n)
{
	printf(" %s=", label);
	for (size_t i = 0; i < n; i++)
		printf("%02x", p[i]);
}

static void op_send(void *arg, const struct netaddr *local, const struct netaddr *remote,
		    const uint8_t *msg, size_t len)
{
	uint8_t buf[65536 + 4];
	struct sockaddr_storage ss;
	socklen_t sl = netaddr_to_sockaddr(remote, &ss);
	int fd = local->port == 4500 ? R.fd4500.fd : R.fd500.fd;
	size_t off = local->port == 4500 ? 4 : 0;

	(void)arg;
	if (len > 65536)
		return;
	memset(buf, 0, 4);
	memcpy(buf + off, msg, len);
	if (sendto(fd, buf, len + off, 0, (struct sockaddr *)&ss, sl) < 0)
		perror("sendto");
}

static int op_spi_alloc(void *arg, const struct netaddr *local, const struct netaddr *remote,
			uint32_t reqid, uint32_t *spi)
{
	(void)arg;
	(void)local;
	(void)remote;
	*spi = 0xc1000000u + ++R.next_spi;
	printf("SPI_ALLOC reqid=0x%08x spi=0x%08x\n", reqid, *spi);
	fflush(stdout);
	return 0;
}

static int op_install(void *arg, const struct ike_child_sa_params *c)
{
	char l[NETADDR_STRLEN], r[NETADDR_STRLEN];

	(void)arg;
	printf("INSTALL #%llu parent #%llu %s <-> %s l2tp %u<->%u spi_in=0x%08x spi_out=0x%08x "
	       "%s %s/%u encap=%d life=%llus/%lluKB",
	       (unsigned long long)c->serial, (unsigned long long)c->parent_serial,
	       netaddr_format(&c->local, l), netaddr_format(&c->remote, r), c->local_l2tp_port,
	       c->remote_l2tp_port, c->spi_in, c->spi_out, c->cipher_name, c->integ_name,
	       c->integ_trunc_bits, c->encap, (unsigned long long)c->lifetime_seconds,
	       (unsigned long long)c->lifetime_kilobytes);
	hex("enc_in", c->cipher_key_in, c->cipher_key_len);
	hex("enc_out", c->cipher_key_out, c->cipher_key_len);
	hex("integ_in", c->integ_key_in, c->integ_key_len);
	hex("integ_out", c->integ_key_out, c->integ_key_len);
	printf("\n");
	fflush(stdout);
	return 0;
}

static void op_remove(void *arg, const struct ike_child_sa_params *c)
{
	(void)arg;
	printf("REMOVE #%llu spi_in=0x%08x\n", (unsigned long long)c->serial, c->spi_in);
	fflush(stdout);
}

static void on_datagram(struct ev_fd *f, uint32_t revents)
{
	uint8_t buf[65536];
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct netaddr from;
	bool nat_t = f == &R.fd4500;
	ssize_t n;

	(void)revents;
	n = recvfrom(f->fd, buf, sizeof(buf), 0, (struct sockaddr *)&ss, &sl);
	if (n <= 0 || !netaddr_from_sockaddr(&from, (struct sockaddr *)&ss, sl))
		return;
	if (nat_t) {
		if (n == 1 && buf[0] == 0xff)
			return;                 /* NAT-T keepalive */
		if (n < 4 || memcmp(buf, "\0\0\0\0", 4) != 0)
			return;                 /* ESP in UDP: the kernel's, not ours */
		ike_engine_recv(R.e, &R.addr4500, &from, buf + 4, (size_t)n - 4);
	} else {
		ike_engine_recv(R.e, &R.addr500, &from, buf, (size_t)n);
	}
}

/* Test only: QM3 for every child waiting in STATE_QUICK_R1, from the engine's own state. */
static void on_finish_qm3(struct ev_timer *t)
{
	struct ike_engine *e = R.e;

	for (struct ike_child *c = e->children; c; c = c->next) {
		struct ike_sa *sa = c->sa;
		struct ike_digest d;
		struct ike_tx tx;
		struct ike_iv iv = c->iv;
		uint8_t *at;

		if (c->state != IKE_STATE_QUICK_R1 || !sa)
			continue;
		struct ike_secret skeyid_a;
		enum ike_crypto_verdict v;

		ike_sa_skeyid_a(sa, &skeyid_a);
		v = ike_qm_hash3(e->crypto, sa->p1.hash, &skeyid_a, c->msgid,
				 (struct wire_span){ c->qm->ni, c->qm->ni_len },
				 (struct wire_span){ c->qm->nr, c->qm->nr_len }, &d);
		ike_secret_wipe(&skeyid_a);
		if (v != IKE_CRYPTO_OK)
			continue;
		printf("FINISH_QM3 #%llu msgid=0x%08x (the peer never sent it)\n",
		       (unsigned long long)c->serial, c->msgid);
		fflush(stdout);
		ike_tx_begin(e, &tx, sa->cky_i, sa->cky_r, ISAKMP_EXCHANGE_QUICK,
			     ISAKMP_FLAG_ENCRYPTION, c->msgid);
		at = isakmp_hash_build(&tx.b, d.len);
		if (!at)
			continue;
		memcpy(at, d.bytes, d.len);
		if (!ike_tx_encrypt(e, sa, &iv, &tx))
			continue;
		isakmp_msg_finish(&tx.b);
		{
			uint8_t copy[512];
			size_t len = tx.wr.len < sizeof(copy) ? tx.wr.len : sizeof(copy);

			memcpy(copy, e->tx_buf, len);
			ike_engine_recv(e, &sa->local, &sa->remote, copy, len);
		}
		break;
	}
	ev_timer_arm(R.loop, t, 1000);
}

static void on_stop(struct ev_timer *t)
{
	(void)t;
	ev_stop(R.loop);
}

static void on_signal(struct ev_loop *loop, int signo, void *arg)
{
	(void)signo;
	(void)arg;
	ev_stop(loop);
}

static int bind_udp(const struct netaddr *a)
{
	struct sockaddr_storage ss;
	socklen_t sl = netaddr_to_sockaddr(a, &ss);
	int fd = socket(a->family, SOCK_DGRAM, 0), one = 1;

	if (fd < 0)
		return -1;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, sl) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int main(int argc, char **argv)
{
	struct ike_engine_ops ops = { .send = op_send, .spi_alloc = op_spi_alloc,
				      .child_install = op_install, .child_remove = op_remove };
	struct ike_engine_conf conf;
	struct log_ctx *log;
	struct workq *wq;
	struct ike_crypto *crypto;
	int fd500, fd4500, i;

	if (argc < 4) {
		fprintf(stderr, "usage: %s ADDR PSK SECONDS [--finish-qm3 S] [--dpd]\n", argv[0]);
		return 2;
	}
	clock_init_monotonic(&R.clock);
	R.loop = ev_loop_new(&R.clock);
	log = log_ctx_new(&R.clock);
	wq = R.loop ? workq_new(R.loop, 2) : NULL;
	crypto = ike_crypto_new();
	if (!R.loop || !log || !wq || !crypto || log_sink_stderr(log, true) != 0 ||
	    !netaddr_parse(&R.addr500, argv[1], 500) || !netaddr_parse(&R.addr4500, argv[1], 4500))
		return 1;
	ike_engine_conf_default(&conf);
	conf.psk = (const uint8_t *)argv[2];
	conf.psk_len = strlen(argv[2]);
	conf.dpd_interval_ms = 0;
	for (i = 4; i < argc; i++) {
		if (strcmp(argv[i], "--finish-qm3") == 0 && i + 1 < argc)
			R.finish_qm3_s = (unsigned)atoi(argv[++i]);
		else if (strcmp(argv[i], "--dpd") == 0)
			conf.dpd_interval_ms = 10000;
	}
	R.e = ike_engine_new(R.loop, log, crypto, wq, &conf, &ops);
	fd500 = bind_udp(&R.addr500);
	fd4500 = bind_udp(&R.addr4500);
	if (!R.e || fd500 < 0 || fd4500 < 0 ||
	    ev_fd_add(R.loop, &R.fd500, fd500, EPOLLIN, on_datagram) != 0 ||
	    ev_fd_add(R.loop, &R.fd4500, fd4500, EPOLLIN, on_datagram) != 0 ||
	    ev_signal_add(R.loop, SIGTERM, on_signal, NULL) != 0 ||
	    ev_signal_add(R.loop, SIGINT, on_signal, NULL) != 0) {
		fprintf(stderr, "ike_responder: setup failed: %s\n", strerror(errno));
		return 1;
	}
	ev_timer_init(&R.stop, on_stop);
	ev_timer_arm(R.loop, &R.stop, (uint64_t)atoi(argv[3]) * 1000);
	if (R.finish_qm3_s) {
		ev_timer_init(&R.finish, on_finish_qm3);
		ev_timer_arm(R.loop, &R.finish, R.finish_qm3_s * 1000);
	}
	printf("READY\n");
	fflush(stdout);
	if (ev_run(R.loop) != 0)
		return 1;
	ike_engine_shutdown(R.e);
	ike_engine_free(R.e);
	ev_fd_del(R.loop, &R.fd500);
	ev_fd_del(R.loop, &R.fd4500);
	close(fd500);
	close(fd4500);
	workq_free(wq);
	ike_crypto_free(crypto);
	log_ctx_free(log);
	ev_loop_free(R.loop);
	return 0;
}
