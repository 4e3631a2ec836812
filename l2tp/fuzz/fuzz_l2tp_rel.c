/*
 * fuzz_l2tp_rel.c - libFuzzer target: any bytes as a script that drives one
 * struct l2tp_rel on a manual clock, linked with the daemon's libl2tprel.a.
 *
 * Each step takes an opcode byte and its operands: the peer sends a message
 * or a ZLB with chosen Ns/Nr, the peer sends raw bytes (whatever parses as a
 * header goes in), we send a message, time passes (timers fire), the peer's
 * window changes, or the owner frees rel from inside the next deliver().
 * Invariants, checked on every callback: deliveries come in Ns order with no
 * gap, starting at 0; every datagram transmitted is a well-formed control
 * message whose Nr is rel's next Nr; nothing is transmitted or delivered
 * after the owner freed rel.  Any broken invariant aborts; ASan catches the
 * rest (use after free from the callbacks, leaks of queued copies).
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "l2tp/l2tp_rel.h"
#include "l2tp/l2tp_wire.h"
#include "lib/clock.h"
#include "lib/evloop.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_rig {
	struct clock clock;
	struct ev_loop *loop;
	struct l2tp_rel *rel;
	uint16_t next_delivery;   /* the Ns the next deliver() must carry */
	bool free_in_deliver;
};

static void fuzz_assert(bool condition)
{
	if (!condition)
		abort();
}

static void fuzz_xmit(void *arg, const uint8_t *msg, size_t len)
{
	struct fuzz_rig *rig = arg;
	struct l2tp_hdr hdr;

	fuzz_assert(rig->rel != NULL);
	fuzz_assert(l2tp_hdr_parse((struct wire_span){ msg, len }, &hdr) == L2TP_OK);
	fuzz_assert(hdr.control && hdr.trailing == 0);
	fuzz_assert(hdr.nr == l2tp_rel_next_recv(rig->rel));
}

static bool fuzz_deliver(void *arg, const uint8_t *msg, size_t len)
{
	struct fuzz_rig *rig = arg;
	struct l2tp_hdr hdr;

	fuzz_assert(rig->rel != NULL);
	fuzz_assert(l2tp_hdr_parse((struct wire_span){ msg, len }, &hdr) == L2TP_OK);
	fuzz_assert(hdr.payload.len > 0);
	fuzz_assert(hdr.ns == rig->next_delivery);
	rig->next_delivery++;
	fuzz_assert(l2tp_rel_next_recv(rig->rel) == rig->next_delivery);
	if (rig->free_in_deliver) {
		l2tp_rel_free(rig->rel);
		rig->rel = NULL;
		return false;
	}
	return true;
}

static void fuzz_failed(void *arg)
{
	struct fuzz_rig *rig = arg;

	fuzz_assert(rig->rel != NULL);
	l2tp_rel_free(rig->rel);
	rig->rel = NULL;
}

static size_t fuzz_build(uint8_t *buf, size_t cap, uint16_t tunnel_id, bool zlb, uint16_t ns,
			 uint16_t nr)
{
	struct wire_wr wr = wire_wr_init(buf, cap);
	size_t start = l2tp_ctrl_begin(&wr, tunnel_id, 0);

	if (!zlb)
		l2tp_avp_put_message_type(&wr, L2TP_MSG_HELLO);
	l2tp_ctrl_finish(&wr, start, ns, nr);
	return wr.len;
}

static void fuzz_recv(struct fuzz_rig *rig, const uint8_t *bytes, size_t len)
{
	struct l2tp_hdr hdr;

	if (l2tp_hdr_parse((struct wire_span){ bytes, len }, &hdr) != L2TP_OK)
		return;
	if (!l2tp_rel_recv(rig->rel, &hdr, bytes, len))
		fuzz_assert(rig->rel == NULL);
	else
		fuzz_assert(rig->rel != NULL);
}

/* One scripted step; false when the script ran out or rel is gone. */
static bool fuzz_step(struct fuzz_rig *rig, struct wire_rd *script)
{
	uint8_t op = wire_u8(script), buf[256];
	uint16_t ns, nr;
	size_t n;

	if (!wire_ok(script))
		return false;
	switch (op % 6) {
	case 0: /* the peer sends a message or a ZLB */
		ns = wire_be16(script);
		nr = wire_be16(script);
		n = fuzz_build(buf, sizeof(buf), 1, op & 0x80, ns, nr);
		fuzz_recv(rig, buf, n);
		break;
	case 1: { /* raw bytes from the peer */
		struct wire_span raw = wire_view(script, wire_u8(script));

		if (raw.p != NULL) {
			memcpy(buf, raw.p, raw.len);
			fuzz_recv(rig, buf, raw.len);
		}
		break;
	}
	case 2: { /* we send */
		uint16_t before = l2tp_rel_next_send(rig->rel);
		int err;

		n = fuzz_build(buf, sizeof(buf), 2, false, 0, 0);
		err = l2tp_rel_send(rig->rel, buf, n);
		fuzz_assert(err == 0 || err == -ENOBUFS);
		fuzz_assert(l2tp_rel_next_send(rig->rel) == (uint16_t)(before + (err == 0)));
		fuzz_assert(err != 0 || !l2tp_rel_idle(rig->rel));
		break;
	}
	case 3: /* time passes */
		clock_advance(&rig->clock, (uint64_t)wire_u8(script) * 64);
		(void)ev_run_timers(rig->loop);
		break;
	case 4:
		l2tp_rel_set_peer(rig->rel, 2, wire_u8(script));
		break;
	default:
		rig->free_in_deliver = true;
		break;
	}
	return rig->rel != NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_rig rig = { 0 };
	struct wire_rd script = wire_rd_init(data, size);
	struct l2tp_rel_conf conf;
	struct l2tp_rel_ops ops = { .arg = &rig, .xmit = fuzz_xmit, .deliver = fuzz_deliver,
				    .failed = fuzz_failed };

	clock_init_manual(&rig.clock, 0);
	rig.loop = ev_loop_new(&rig.clock);
	if (rig.loop == NULL)
		return 0;
	l2tp_rel_conf_default(&conf);
	if (size > 0)
		conf.ack_delay_ms = data[0] & 1 ? 100 : 0;
	rig.rel = l2tp_rel_new(rig.loop, &conf, &ops, NULL);
	fuzz_assert(rig.rel != NULL);
	while (fuzz_step(&rig, &script))
		;
	l2tp_rel_free(rig.rel);
	fuzz_assert(ev_timers_armed(rig.loop) == 0);
	ev_loop_free(rig.loop);
	return 0;
}
