/*
 * fuzz_ike_engine.c - libFuzzer target: any bytes into the responder engine.
 *
 * The first input byte picks the path:
 *   0: the rest is a datagram for a fresh engine (no state: MM1, garbage);
 *   1: the rest is a datagram for an engine holding an established ISAKMP
 *      SA, with that SA's cookies written over the header's, so the bytes
 *      reach its decryption and whatever its state does next;
 *   2: byte 1 picks Quick Mode or Informational, bytes 2..5 the message ID,
 *      byte 6 the first payload type, the rest is a PLAINTEXT payload chain
 *      that the target encrypts under the established SA behind a correct
 *      HASH payload: the engine decrypts, authenticates, then parses and
 *      acts on arbitrary payloads (decrypt-then-parse at full depth).
 * The established SA is made once by the test initiator (our codec and
 * crypto), and made again whenever an input deleted it or every 256 inputs,
 * so state stays bounded.  Recording ops stand in for the kernel.  Any
 * crash, ASan or UBSan report is a finding.  FUZZ_IKE_ENGINE_LOG=1 in the
 * environment prints the engine's log on stderr, for triage.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ike/ike_engine.h"
#include "ike/ike_sa.h"
#include "ike/isakmp_const.h"
#include "lib/clock.h"
#include "lib/evloop.h"
#include "lib/log.h"
#include "lib/workq.h"
#include "tests/harness/ike_initiator.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char psk[] = "fuzz-psk";

struct fuzz_rig {
	struct clock clock;
	struct ev_loop *loop;
	struct log_ctx *log;
	struct workq *wq;
	struct ike_crypto *crypto;
	struct ike_engine *fresh, *est;
	struct ike_init in;
	bool have_in;
	struct netaddr srv, cli;
	uint8_t last[4096];
	size_t last_len;
	unsigned sends, uses;
	uint32_t next_spi;
};

static struct fuzz_rig rig;

static void fz_send(void *arg, const struct netaddr *l, const struct netaddr *r, const uint8_t *m,
		    size_t len)
{
	(void)arg;
	(void)l;
	(void)r;
	rig.last_len = len < sizeof(rig.last) ? len : sizeof(rig.last);
	memcpy(rig.last, m, rig.last_len);
	rig.sends++;
}

static int fz_spi(void *arg, const struct netaddr *l, const struct netaddr *r, uint32_t reqid,
		  uint32_t *spi)
{
	(void)arg;
	(void)l;
	(void)r;
	(void)reqid;
	*spi = 0x10000 + ++rig.next_spi;
	return 0;
}

static int fz_install(void *arg, const struct ike_child_sa_params *c)
{
	(void)arg;
	(void)c;
	return 0;
}

static void fz_remove(void *arg, const struct ike_child_sa_params *c)
{
	(void)arg;
	(void)c;
}

static void fz_discard(void *arg, enum log_level level, const char *line)
{
	(void)arg;
	(void)level;
	(void)line;
}

static struct ike_engine *fz_engine(void)
{
	struct ike_engine_conf conf;
	struct ike_engine_ops ops = { .send = fz_send, .spi_alloc = fz_spi,
				      .child_install = fz_install, .child_remove = fz_remove };

	ike_engine_conf_default(&conf);
	conf.psk = (const uint8_t *)psk;
	conf.psk_len = sizeof(psk) - 1;
	conf.policy.p1_hashes |= IKE_PROP_HASH_MD5;
	conf.policy.p2_integs |= IKE_PROP_INTEG_MD5;
	return ike_engine_new(rig.loop, rig.log, rig.crypto, rig.wq, &conf, &ops);
}

/* Waits (bounded) for the engine's answer to a message. */
static bool fz_exchange(struct ike_engine *e, const uint8_t *m, long n)
{
	unsigned before = rig.sends;

	if (n <= 0)
		return false;
	ike_engine_recv(e, &rig.srv, &rig.cli, m, (size_t)n);
	for (int i = 0; i < 500 && rig.sends == before; i++)
		if (ev_run_once(rig.loop, 10) < 0)
			break;
	return rig.sends != before;
}

/* A fresh engine with one established ISAKMP SA (3DES/SHA1/MODP1024, RFC 3947 NAT-T). */
static bool fz_establish(void)
{
	static const struct ike_init_p1 p1 = { OAKLEY_3DES_CBC, 0, OAKLEY_SHA1,
					       OAKLEY_PRESHARED_KEY, OAKLEY_GROUP_MODP1024, 28800, 0 };
	static const char *const vids[] = { "RFC 3947", "Dead Peer Detection" };
	struct ike_init_conf c = { .psk = psk, .p1 = &p1, .p1_count = 1, .vids = vids,
				   .vid_count = 2, .local = rig.cli, .remote = rig.srv };
	uint8_t m[IKE_INIT_MSG_MAX];

	ike_engine_free(rig.est);
	if (rig.have_in)
		ike_init_free(&rig.in);
	rig.have_in = false;
	rig.est = fz_engine();
	if (!rig.est || ike_init_start(&rig.in, rig.crypto, &c) != 0)
		return false;
	rig.have_in = true;
	rig.uses = 0;
	return fz_exchange(rig.est, m, ike_init_mm1(&rig.in, m, sizeof(m))) &&
	       ike_init_recv_mm2(&rig.in, rig.last, rig.last_len) == 0 &&
	       fz_exchange(rig.est, m, ike_init_mm3(&rig.in, m, sizeof(m))) &&
	       ike_init_recv_mm4(&rig.in, rig.last, rig.last_len) == 0 &&
	       fz_exchange(rig.est, m, ike_init_mm5(&rig.in, m, sizeof(m))) &&
	       ike_init_recv_mm6(&rig.in, rig.last, rig.last_len) == 0;
}

static bool fz_init(void)
{
	clock_init_manual(&rig.clock, 1000);
	rig.loop = ev_loop_new(&rig.clock);
	rig.log = log_ctx_new(&rig.clock);
	rig.wq = rig.loop ? workq_new(rig.loop, 1) : NULL;
	rig.crypto = ike_crypto_new();
	if (!rig.loop || !rig.log || !rig.wq || !rig.crypto ||
	    !netaddr_parse(&rig.srv, "192.0.2.1", 500) || !netaddr_parse(&rig.cli, "192.0.2.2", 500))
		return false;
	log_sink_callback(rig.log, fz_discard, NULL);
	if (getenv("FUZZ_IKE_ENGINE_LOG") && log_sink_stderr(rig.log, true) != 0)
		return false;   /* triage: the engine's lines on stderr */
	log_set_level(rig.log, LOG_LEVEL_DEBUG);
	rig.fresh = fz_engine();
	return rig.fresh && fz_establish();
}

static bool fz_sa_alive(void)
{
	return ike_sa_find(rig.est, rig.in.cky_i, rig.in.cky_r) != NULL;
}

static void fz_settle(void)
{
	for (int i = 0; i < 3; i++)
		if (ev_run_once(rig.loop, 0) < 0)
			break;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	static uint8_t m[IKE_MSG_MAX];
	long n;

	if (!ready) {
		if (!fz_init())
			abort();
		ready = true;
	}
	if (size < 1)
		return 0;
	if ((!fz_sa_alive() || ++rig.uses > 256) && !fz_establish())
		abort();
	switch (data[0] % 3) {
	case 0:
		ike_engine_recv(rig.fresh, &rig.srv, &rig.cli, data + 1, size - 1);
		break;
	case 1:
		if (size - 1 > sizeof(m))
			return 0;
		memcpy(m, data + 1, size - 1);
		if (size - 1 >= 16) {
			memcpy(m, rig.in.cky_i, 8);
			memcpy(m + 8, rig.in.cky_r, 8);
		}
		ike_engine_recv(rig.est, &rig.srv, &rig.cli, m, size - 1);
		break;
	default:
		if (size < 7 || size - 7 > 16384)
			return 0;
		n = ike_init_wrap(&rig.in, data[1] & 1 ? ISAKMP_EXCHANGE_QUICK
						       : ISAKMP_EXCHANGE_INFORMATIONAL,
				  (uint32_t)data[2] << 24 | (uint32_t)data[3] << 16 |
					  (uint32_t)data[4] << 8 | data[5],
				  data[6], data + 7, size - 7, m, sizeof(m));
		if (n > 0)
			ike_engine_recv(rig.est, &rig.srv, &rig.cli, m, (size_t)n);
		break;
	}
	fz_settle();
	clock_advance(&rig.clock, 1000);
	(void)ev_run_timers(rig.loop);
	return 0;
}
