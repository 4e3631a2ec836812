/*
 * l2tp_rel_test.c - reliable delivery on a manual clock: in-order exchange
 * with piggy-backed acknowledgements, ZLBs (prompt and delayed), loss and the
 * 1-2-4-8-8 s backoff up to failed(), reordering, duplicates, the peer's
 * window (1 and 4), sequence wrap-around at 65535, acknowledgements of
 * nothing sent, freeing the rel from deliver() and failed(), freeing with
 * messages queued and held, an out-of-memory walk, and an idle rel holding
 * no buffer.  Messages are built
 * with the real codec; every datagram rel transmits is captured and parsed.
 * Meant to run under ASan: the free-from-callback cases are use-after-free
 * traps and the free-with-queue cases are leak traps.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "l2tp/l2tp_const.h"
#include "l2tp/l2tp_rel.h"
#include "l2tp/l2tp_wire.h"
#include "lib/alloc.h"
#include "lib/clock.h"
#include "lib/evloop.h"
#include "lib/log.h"
#include "lib/util.h"
#include "lib/wire.h"
#include "tests/harness/tap.h"

enum {
	OUR_TUNNEL_ID = 7,        /* what the peer puts in its headers */
	PEER_TUNNEL_ID = 0x1234,  /* what we put in ours */
	SENT_MAX = 128,
	DELIVERED_MAX = 64,
};

/* One datagram rel handed to xmit, parsed. */
struct sent {
	uint16_t tunnel_id;
	uint16_t ns, nr;
	bool zlb;
	uint16_t type;
	uint64_t at_ms;
};

struct rig {
	struct clock clock;
	struct ev_loop *loop;
	struct log_ctx *log;
	struct logger lg;
	struct l2tp_rel_conf conf;
	struct l2tp_rel *rel;

	struct sent sent[SENT_MAX];
	size_t sent_count;        /* all of them; only the first SENT_MAX are kept */
	bool sent_malformed;
	uint16_t delivered_ns[DELIVERED_MAX];
	uint16_t delivered_type[DELIVERED_MAX];
	size_t delivered_count;
	unsigned failed_count;

	uint16_t reply_type;      /* deliver() answers with this message type; 0: no answer */
	size_t free_at_delivery;  /* deliver() frees rel at this delivery (1-based); 0: never */
	bool free_in_failed;
	unsigned debug_lines;
	const char *watch;        /* a debug text to look for */
	bool watch_seen;
};

static const char *const debug_names[] = { "l2tp-rel" };

/* ------------------------------------------------------------ messages */

/* A control message with a Message Type AVP and one Host Name AVP. */
static size_t build_msg(uint8_t *buf, size_t cap, uint16_t tunnel_id, uint16_t type,
			uint16_t ns, uint16_t nr)
{
	struct wire_wr wr = wire_wr_init(buf, cap);
	size_t start = l2tp_ctrl_begin(&wr, tunnel_id, 0);

	l2tp_avp_put_message_type(&wr, type);
	l2tp_avp_put_string(&wr, L2TP_AVP_FLAG_MANDATORY, 0, L2TP_AVP_HOST_NAME, "rel-test");
	l2tp_ctrl_finish(&wr, start, ns, nr);
	return wire_wr_ok(&wr) ? wr.len : 0;
}

static void capture_xmit(void *arg, const uint8_t *msg, size_t len)
{
	struct rig *g = arg;
	struct l2tp_hdr hdr;
	struct l2tp_msg parsed;
	struct sent *s;

	g->sent_count++;
	if (l2tp_hdr_parse((struct wire_span){ msg, len }, &hdr) != L2TP_OK || !hdr.control ||
	    l2tp_msg_parse(hdr.payload, &parsed) != L2TP_OK) {
		g->sent_malformed = true;
		return;
	}
	if (g->sent_count > SENT_MAX)
		return;
	s = &g->sent[g->sent_count - 1];
	s->tunnel_id = hdr.tunnel_id;
	s->ns = hdr.ns;
	s->nr = hdr.nr;
	s->zlb = parsed.zlb;
	s->type = parsed.type;
	s->at_ms = clock_now_ms(&g->clock);
}

static bool capture_deliver(void *arg, const uint8_t *msg, size_t len)
{
	struct rig *g = arg;
	struct l2tp_hdr hdr;
	struct l2tp_msg parsed;
	uint8_t buf[128];
	size_t n;

	g->delivered_count++;
	if (l2tp_hdr_parse((struct wire_span){ msg, len }, &hdr) == L2TP_OK &&
	    l2tp_msg_parse(hdr.payload, &parsed) == L2TP_OK && g->delivered_count <= DELIVERED_MAX) {
		g->delivered_ns[g->delivered_count - 1] = hdr.ns;
		g->delivered_type[g->delivered_count - 1] = parsed.type;
	}
	if (g->free_at_delivery == g->delivered_count) {
		l2tp_rel_free(g->rel);
		g->rel = NULL;
		return false;
	}
	if (g->reply_type != 0) {
		n = build_msg(buf, sizeof(buf), PEER_TUNNEL_ID, g->reply_type, 0, 0);
		if (l2tp_rel_send(g->rel, buf, n) != 0)
			g->sent_malformed = true;
	}
	return true;
}

static void capture_failed(void *arg)
{
	struct rig *g = arg;

	g->failed_count++;
	if (g->free_in_failed) {
		l2tp_rel_free(g->rel);
		g->rel = NULL;
	}
}

static void capture_log(void *arg, enum log_level level, const char *line)
{
	struct rig *g = arg;

	(void)level;
	g->debug_lines++;
	if (g->watch != NULL && strstr(line, g->watch) != NULL)
		g->watch_seen = true;
}

/* ------------------------------------------------------------ the rig */

static bool rig_open_conf(struct rig *g, const struct l2tp_rel_conf *conf)
{
	struct l2tp_rel_ops ops = { .arg = g, .xmit = capture_xmit, .deliver = capture_deliver,
				    .failed = capture_failed };

	memset(g, 0, sizeof(*g));
	clock_init_manual(&g->clock, 5000);
	g->loop = ev_loop_new(&g->clock);
	g->log = log_ctx_new(&g->clock);
	if (g->loop == NULL || g->log == NULL)
		return false;
	log_debug_classes(g->log, debug_names, ARRAY_SIZE(debug_names));
	if (log_debug_set(g->log, "l2tp-rel") != 0)
		return false;
	log_sink_callback(g->log, capture_log, g);
	(void)logger_init(&g->lg, g->log, NULL, "tun#");
	g->conf = *conf;
	g->rel = l2tp_rel_new(g->loop, &g->conf, &ops, &g->lg);
	if (g->rel == NULL)
		return false;
	l2tp_rel_set_peer(g->rel, PEER_TUNNEL_ID, 4);
	return true;
}

static bool rig_open(struct rig *g)
{
	struct l2tp_rel_conf conf;

	l2tp_rel_conf_default(&conf);
	conf.debug_class = 0;
	return rig_open_conf(g, &conf);
}

static void rig_close(struct rig *g)
{
	l2tp_rel_free(g->rel);
	log_ctx_free(g->log);
	ev_loop_free(g->loop);
}

/* The peer sends a message (type 0: a ZLB); returns what l2tp_rel_recv() returned. */
static bool peer_sends(struct rig *g, uint16_t type, uint16_t ns, uint16_t nr)
{
	uint8_t buf[128];
	size_t n;
	struct l2tp_hdr hdr;

	if (type == 0) {
		struct wire_wr wr = wire_wr_init(buf, sizeof(buf));

		l2tp_zlb_build(&wr, OUR_TUNNEL_ID, 0, ns, nr);
		n = wr.len;
	} else {
		n = build_msg(buf, sizeof(buf), OUR_TUNNEL_ID, type, ns, nr);
	}
	if (l2tp_hdr_parse((struct wire_span){ buf, n }, &hdr) != L2TP_OK)
		return false;
	return l2tp_rel_recv(g->rel, &hdr, buf, n);
}

/* We send a message of this type; l2tp_rel_send()'s result. */
static int we_send(struct rig *g, uint16_t type)
{
	uint8_t buf[128];
	size_t n = build_msg(buf, sizeof(buf), PEER_TUNNEL_ID, type, 0, 0);

	return l2tp_rel_send(g->rel, buf, n);
}

static void advance(struct rig *g, uint64_t ms)
{
	clock_advance(&g->clock, ms);
	(void)ev_run_timers(g->loop);
}

static const struct sent *last_sent(const struct rig *g)
{
	static const struct sent none;

	if (g->sent_count == 0 || g->sent_count > SENT_MAX)
		return &none;
	return &g->sent[g->sent_count - 1];
}

/* ------------------------------------------------------------ tests */

static void test_conf(void)
{
	struct l2tp_rel_conf conf;
	struct l2tp_rel_ops ops = { .xmit = capture_xmit, .deliver = capture_deliver,
				    .failed = capture_failed };
	struct clock clock;
	struct ev_loop *loop;
	struct l2tp_rel *rel;

	l2tp_rel_conf_default(&conf);
	is_uint(conf.recv_window, 8, "conf: default recv_window 8");
	is_uint(conf.rto_initial_ms, 1000, "conf: default rto 1 s");
	is_uint(conf.rto_max_ms, 8000, "conf: default rto cap 8 s");
	is_uint(conf.max_retries, 5, "conf: default 5 retries");
	is_uint(conf.ack_delay_ms, 0, "conf: default ack delay 0");
	is_int(conf.debug_class, -1, "conf: no debug class by default");

	clock_init_manual(&clock, 0);
	loop = ev_loop_new(&clock);
	ok(loop != NULL, "conf: loop");
	if (loop == NULL)
		return;
	conf.recv_window = 0;
	errno = 0;
	ok(l2tp_rel_new(loop, &conf, &ops, NULL) == NULL && errno == EINVAL,
	   "conf: recv_window 0 is EINVAL");
	conf.recv_window = L2TP_REL_RECV_WINDOW_MAX + 1;
	ok(l2tp_rel_new(loop, &conf, &ops, NULL) == NULL && errno == EINVAL,
	   "conf: recv_window above the maximum is EINVAL");
	l2tp_rel_conf_default(&conf);
	conf.rto_max_ms = 999;
	ok(l2tp_rel_new(loop, &conf, &ops, NULL) == NULL && errno == EINVAL,
	   "conf: rto_max below rto_initial is EINVAL");
	l2tp_rel_conf_default(&conf);
	conf.rto_initial_ms = 0;
	conf.rto_max_ms = 0;
	ok(l2tp_rel_new(loop, &conf, &ops, NULL) == NULL && errno == EINVAL,
	   "conf: rto 0 is EINVAL");
	l2tp_rel_conf_default(&conf);
	ops.failed = NULL;
	ok(l2tp_rel_new(loop, &conf, &ops, NULL) == NULL && errno == EINVAL,
	   "conf: a missing op is EINVAL");
	ops.failed = capture_failed;
	conf.recv_window = L2TP_REL_RECV_WINDOW_MAX;
	rel = l2tp_rel_new(loop, &conf, &ops, NULL);
	ok(rel != NULL, "conf: the largest recv_window, no logger");
	if (rel != NULL) {
		ok(l2tp_rel_idle(rel), "conf: a new rel is idle");
		is_uint(l2tp_rel_next_recv(rel), 0, "conf: next Nr 0");
		is_uint(l2tp_rel_next_send(rel), 0, "conf: next Ns 0");
	}
	l2tp_rel_free(rel);
	l2tp_rel_free(NULL);
	ev_loop_free(loop);
}

static void test_send_invalid(void)
{
	struct rig g;
	uint8_t buf[128];
	struct wire_wr wr = wire_wr_init(buf, sizeof(buf));
	size_t n;

	if (!ok(rig_open(&g), "invalid: rig"))
		return;
	l2tp_zlb_build(&wr, PEER_TUNNEL_ID, 0, 0, 0);
	is_int(l2tp_rel_send(g.rel, buf, wr.len), -EINVAL, "invalid: a ZLB is not sent this way");
	is_int(l2tp_rel_send(g.rel, NULL, 20), -EINVAL, "invalid: NULL");
	n = build_msg(buf, sizeof(buf), PEER_TUNNEL_ID, L2TP_MSG_HELLO, 0, 0);
	is_int(l2tp_rel_send(g.rel, buf, n - 1), -EINVAL, "invalid: Length beyond the bytes");
	is_int(l2tp_rel_send(g.rel, buf, n + 1), -EINVAL, "invalid: a byte after Length");
	buf[0] = 0x00; /* a data header */
	is_int(l2tp_rel_send(g.rel, buf, n), -EINVAL, "invalid: not a control message");
	is_uint(g.sent_count, 0, "invalid: nothing transmitted");
	is_uint(l2tp_rel_next_send(g.rel), 0, "invalid: no Ns used");
	ok(l2tp_rel_idle(g.rel), "invalid: still idle");
	rig_close(&g);
}

/* SCCRQ -> SCCRP (carries the ack) -> SCCCN (acks the SCCRP) -> ZLB. */
static void test_in_order(void)
{
	struct rig g;
	struct l2tp_rel_stats stats;

	if (!ok(rig_open(&g), "in order: rig"))
		return;
	g.reply_type = L2TP_MSG_SCCRP;
	ok(peer_sends(&g, L2TP_MSG_SCCRQ, 0, 0), "in order: SCCRQ taken");
	is_uint(g.delivered_count, 1, "in order: SCCRQ delivered");
	is_uint(g.delivered_type[0], L2TP_MSG_SCCRQ, "in order: as SCCRQ");
	is_uint(g.sent_count, 1, "in order: one datagram out, no separate ZLB");
	is_uint(g.sent[0].type, L2TP_MSG_SCCRP, "in order: the SCCRP");
	is_uint(g.sent[0].ns, 0, "in order: SCCRP Ns 0");
	is_uint(g.sent[0].nr, 1, "in order: SCCRP Nr 1 acknowledges the SCCRQ");
	is_uint(g.sent[0].tunnel_id, PEER_TUNNEL_ID, "in order: header tunnel ID as built");
	ok(!l2tp_rel_idle(g.rel), "in order: SCCRP unacknowledged");
	is_uint(l2tp_rel_next_send(g.rel), 1, "in order: next Ns 1");

	g.reply_type = 0;
	ok(peer_sends(&g, L2TP_MSG_SCCCN, 1, 1), "in order: SCCCN taken");
	is_uint(g.delivered_count, 2, "in order: SCCCN delivered");
	ok(l2tp_rel_idle(g.rel), "in order: SCCCN acknowledged the SCCRP");
	is_uint(g.sent_count, 2, "in order: a ZLB since nothing carried the ack");
	ok(g.sent[1].zlb, "in order: it is a ZLB");
	is_uint(g.sent[1].ns, 1, "in order: ZLB Ns is the next Ns");
	is_uint(g.sent[1].nr, 2, "in order: ZLB Nr 2");
	is_uint(g.sent[1].tunnel_id, PEER_TUNNEL_ID, "in order: ZLB to the peer's tunnel ID");
	is_uint(l2tp_rel_next_recv(g.rel), 2, "in order: next Nr 2");

	advance(&g, 60000);
	is_uint(g.sent_count, 2, "in order: no retransmission once acknowledged");
	is_uint(g.failed_count, 0, "in order: not failed");
	l2tp_rel_stats(g.rel, &stats);
	is_uint(stats.sent, 1, "in order: stats sent");
	is_uint(stats.zlb_sent, 1, "in order: stats zlb");
	is_uint(stats.delivered, 2, "in order: stats delivered");
	is_uint(stats.acked, 1, "in order: stats acked");
	is_uint(stats.retransmitted + stats.duplicates + stats.out_of_order + stats.out_of_window,
		0, "in order: nothing else counted");
	ok(g.debug_lines > 0, "in order: debug lines under the class");
	ok(!g.sent_malformed, "in order: every datagram well-formed");
	rig_close(&g);
}

static void test_zlb_only_acks(void)
{
	struct rig g;

	if (!ok(rig_open(&g), "zlb: rig"))
		return;
	is_int(we_send(&g, L2TP_MSG_HELLO), 0, "zlb: HELLO sent");
	ok(peer_sends(&g, 0, 0, 1), "zlb: a ZLB taken");
	is_uint(g.delivered_count, 0, "zlb: a ZLB is not delivered");
	ok(l2tp_rel_idle(g.rel), "zlb: it acknowledged the HELLO");
	is_uint(g.sent_count, 1, "zlb: a ZLB is not answered");
	is_uint(l2tp_rel_next_recv(g.rel), 0, "zlb: a ZLB does not move Nr");
	rig_close(&g);
}

static void test_ack_delay(void)
{
	struct rig g;
	struct l2tp_rel_conf conf;

	l2tp_rel_conf_default(&conf);
	conf.ack_delay_ms = 200;
	if (!ok(rig_open_conf(&g, &conf), "ack delay: rig"))
		return;
	ok(peer_sends(&g, L2TP_MSG_SCCRQ, 0, 0), "ack delay: SCCRQ");
	is_uint(g.sent_count, 0, "ack delay: no ZLB yet");
	advance(&g, 199);
	is_uint(g.sent_count, 0, "ack delay: none at 199 ms");
	advance(&g, 1);
	is_uint(g.sent_count, 1, "ack delay: ZLB at 200 ms");
	ok(last_sent(&g)->zlb && last_sent(&g)->nr == 1, "ack delay: ZLB Nr 1");

	ok(peer_sends(&g, L2TP_MSG_SCCCN, 1, 0), "ack delay: SCCCN");
	advance(&g, 100);
	is_int(we_send(&g, L2TP_MSG_HELLO), 0, "ack delay: a message within the delay");
	is_uint(g.sent_count, 2, "ack delay: it went out");
	is_uint(last_sent(&g)->nr, 2, "ack delay: carrying the ack");
	advance(&g, 500);
	is_uint(g.sent_count, 2, "ack delay: no ZLB after a piggy-back");

	ok(peer_sends(&g, L2TP_MSG_SCCCN, 1, 0), "ack delay: a duplicate");
	is_uint(g.sent_count, 3, "ack delay: a duplicate is answered at once");
	ok(last_sent(&g)->zlb && last_sent(&g)->nr == 2, "ack delay: ZLB Nr 2");
	rig_close(&g);
}

static void test_loss(void)
{
	static const uint64_t expected_gaps[] = { 1000, 2000, 4000, 8000, 8000 };
	struct rig g;
	struct l2tp_rel_stats stats;
	uint64_t start;

	if (!ok(rig_open(&g), "loss: rig"))
		return;
	start = clock_now_ms(&g.clock);
	is_int(we_send(&g, L2TP_MSG_HELLO), 0, "loss: HELLO");
	is_int(we_send(&g, L2TP_MSG_ICRP), 0, "loss: ICRP");
	is_uint(g.sent_count, 2, "loss: both in the window");
	advance(&g, 999);
	is_uint(g.sent_count, 2, "loss: nothing at 999 ms");

	for (size_t i = 0; i < ARRAY_SIZE(expected_gaps); i++) {
		size_t before = g.sent_count;

		advance(&g, expected_gaps[i] - (i == 0 ? 999 : 0) - 1);
		is_uint(g.sent_count, before, "loss: retry %zu not early", i + 1);
		advance(&g, 1);
		is_uint(g.sent_count, before + 2, "loss: retry %zu resends both", i + 1);
		ok(g.sent[before].ns == 0 && g.sent[before + 1].ns == 1, "loss: retry %zu in order",
		   i + 1);
		is_uint(g.sent[before].nr, i >= 2 ? 1 : 0, "loss: retry %zu carries the current Nr",
			i + 1);
		if (i == 1) /* the peer says something, but its Nr acknowledges nothing new */
			ok(peer_sends(&g, L2TP_MSG_HELLO, 0, 0), "loss: a peer HELLO between retries");
	}
	is_uint(g.sent[2].at_ms - start, 1000, "loss: first retry at 1 s");
	is_uint(g.failed_count, 0, "loss: not failed yet");
	advance(&g, 7999);
	is_uint(g.failed_count, 0, "loss: not failed before the last timeout ends");
	advance(&g, 1);
	is_uint(g.failed_count, 1, "loss: failed after 5 retries");
	l2tp_rel_stats(g.rel, &stats);
	is_uint(stats.retransmitted, 10, "loss: 5 retransmissions of 2 messages");
	advance(&g, 100000);
	is_uint(g.failed_count, 1, "loss: failed once");
	rig_close(&g);
}

static void test_backoff_reset(void)
{
	struct rig g;

	if (!ok(rig_open(&g), "reset: rig"))
		return;
	is_int(we_send(&g, L2TP_MSG_HELLO), 0, "reset: first");
	is_int(we_send(&g, L2TP_MSG_ICRP), 0, "reset: second");
	advance(&g, 1000);
	advance(&g, 2000);
	is_uint(g.sent_count, 6, "reset: two retries of two");
	ok(peer_sends(&g, 0, 0, 1), "reset: the first is acknowledged");
	advance(&g, 999);
	is_uint(g.sent_count, 6, "reset: nothing before a fresh 1 s");
	advance(&g, 1);
	is_uint(g.sent_count, 7, "reset: backoff back to 1 s, only the second resent");
	is_uint(last_sent(&g)->ns, 1, "reset: it is Ns 1");
	ok(peer_sends(&g, 0, 0, 2), "reset: the second is acknowledged");
	ok(l2tp_rel_idle(g.rel), "reset: idle");
	advance(&g, 60000);
	is_uint(g.sent_count, 7, "reset: silence once idle");
	rig_close(&g);
}

static void test_failed_frees(void)
{
	struct rig g;
	struct l2tp_rel_conf conf;

	l2tp_rel_conf_default(&conf);
	conf.max_retries = 0;
	if (!ok(rig_open_conf(&g, &conf), "failed frees: rig"))
		return;
	g.free_in_failed = true;
	is_int(we_send(&g, L2TP_MSG_STOPCCN), 0, "failed frees: StopCCN");
	is_int(we_send(&g, L2TP_MSG_HELLO), 0, "failed frees: one more");
	advance(&g, 1000);
	is_uint(g.failed_count, 1, "failed frees: max_retries 0 fails at the first timeout");
	ok(g.rel == NULL, "failed frees: the owner freed rel in failed()");
	is_uint(g.sent_count, 2, "failed frees: no retransmission");
	is_uint(ev_timers_armed(g.loop), 0, "failed frees: no timer left armed");
	rig_close(&g);
}

static void test_reorder(void)
{
	struct rig g;
	struct l2tp_rel_stats stats;

	if (!ok(rig_open(&g), "reorder: rig"))
		return;
	ok(peer_sends(&g, L2TP_MSG_ICRQ, 1, 0), "reorder: Ns 1 first");
	is_uint(g.delivered_count, 0, "reorder: held, not delivered");
	is_uint(g.sent_count, 0, "reorder: nothing to acknowledge yet");
	ok(peer_sends(&g, L2TP_MSG_ICRQ, 1, 0), "reorder: Ns 1 again");
	ok(peer_sends(&g, L2TP_MSG_SCCCN, 0, 0), "reorder: then Ns 0");
	is_uint(g.delivered_count, 2, "reorder: both delivered");
	ok(g.delivered_ns[0] == 0 && g.delivered_ns[1] == 1, "reorder: in order");
	ok(g.delivered_type[0] == L2TP_MSG_SCCCN && g.delivered_type[1] == L2TP_MSG_ICRQ,
	   "reorder: the right messages");
	is_uint(g.sent_count, 1, "reorder: one ZLB for both");
	ok(last_sent(&g)->zlb && last_sent(&g)->nr == 2, "reorder: ZLB Nr 2");

	ok(peer_sends(&g, L2TP_MSG_HELLO, 2 + 8, 0), "reorder: Ns beyond the window");
	ok(peer_sends(&g, L2TP_MSG_HELLO, (uint16_t)(2 + 32768), 0), "reorder: Ns half a space away");
	ok(peer_sends(&g, L2TP_MSG_HELLO, 2 + 7, 0), "reorder: Ns at the window's edge");
	is_uint(g.delivered_count, 2, "reorder: none delivered");
	l2tp_rel_stats(g.rel, &stats);
	is_uint(stats.out_of_window, 2, "reorder: two dropped beyond the window");
	is_uint(stats.out_of_order, 2, "reorder: two held");
	is_uint(stats.duplicates, 1, "reorder: a held Ns received twice is a duplicate");
	is_uint(g.sent_count, 1, "reorder: no answer to any of them");
	rig_close(&g);
}

static void test_duplicates(void)
{
	struct rig g;
	struct l2tp_rel_stats stats;

	if (!ok(rig_open(&g), "duplicate: rig"))
		return;
	ok(peer_sends(&g, L2TP_MSG_SCCRQ, 0, 0), "duplicate: SCCRQ");
	ok(peer_sends(&g, L2TP_MSG_SCCCN, 1, 0), "duplicate: SCCCN");
	is_uint(g.sent_count, 2, "duplicate: two ZLBs");
	g.watch = "duplicate Ns=0 (expecting 2)";
	ok(peer_sends(&g, L2TP_MSG_SCCRQ, 0, 0), "duplicate: SCCRQ again");
	is_uint(g.delivered_count, 2, "duplicate: not delivered twice");
	is_uint(g.sent_count, 3, "duplicate: answered");
	ok(last_sent(&g)->zlb && last_sent(&g)->nr == 2, "duplicate: by a ZLB with Nr 2");
	ok(g.watch_seen, "duplicate: a debug line says so");
	ok(peer_sends(&g, L2TP_MSG_SCCRQ, (uint16_t)(2 - 32767), 0),
	   "duplicate: the oldest Ns that is still before");
	is_uint(g.sent_count, 4, "duplicate: answered as well");
	l2tp_rel_stats(g.rel, &stats);
	is_uint(stats.duplicates, 2, "duplicate: counted");
	is_uint(stats.delivered, 2, "duplicate: delivered count unchanged");
	rig_close(&g);
}

static void test_window(uint16_t peer_window, unsigned usable)
{
	struct rig g;
	unsigned total = usable + 3;

	if (!ok(rig_open(&g), "window %u: rig", peer_window))
		return;
	l2tp_rel_set_peer(g.rel, PEER_TUNNEL_ID, peer_window);
	for (unsigned i = 0; i < total; i++)
		is_int(we_send(&g, L2TP_MSG_HELLO), 0, "window %u: send %u", peer_window, i);
	is_uint(g.sent_count, usable, "window %u: %u in flight", peer_window, usable);
	is_uint(l2tp_rel_next_send(g.rel), total, "window %u: every message has its Ns",
		peer_window);
	advance(&g, 1000);
	is_uint(g.sent_count, 2 * usable, "window %u: only those in flight are retransmitted",
		peer_window);
	ok(peer_sends(&g, 0, 0, 1), "window %u: ack of one", peer_window);
	is_uint(g.sent_count, 2 * usable + 1, "window %u: one more released", peer_window);
	is_uint(last_sent(&g)->ns, usable, "window %u: the next Ns", peer_window);
	ok(peer_sends(&g, 0, 0, (uint16_t)(usable + 1)), "window %u: ack of all sent",
	   peer_window);
	is_uint(g.sent_count, 2 * usable + 1 + MIN(usable, 2u), "window %u: more released",
		peer_window);
	ok(!l2tp_rel_idle(g.rel), "window %u: not idle", peer_window);
	for (unsigned round = 0; round < total && !l2tp_rel_idle(g.rel); round++) {
		size_t before = g.sent_count;

		if (!peer_sends(&g, 0, 0, (uint16_t)(last_sent(&g)->ns + 1)))
			break;
		ok(g.sent_count - before <= usable, "window %u: never more than the window",
		   peer_window);
	}
	ok(l2tp_rel_idle(g.rel), "window %u: idle", peer_window);
	rig_close(&g);
}

static void test_window_opens(void)
{
	struct rig g;

	if (!ok(rig_open(&g), "window opens: rig"))
		return;
	l2tp_rel_set_peer(g.rel, PEER_TUNNEL_ID, 0);
	is_int(we_send(&g, L2TP_MSG_HELLO), 0, "window opens: first");
	is_int(we_send(&g, L2TP_MSG_HELLO), 0, "window opens: second");
	is_uint(g.sent_count, 1, "window opens: window 0 is 1");
	l2tp_rel_set_peer(g.rel, PEER_TUNNEL_ID, 16);
	is_uint(g.sent_count, 2, "window opens: a wider window sends the waiting one");
	for (unsigned i = 2; i < L2TP_REL_SEND_MAX; i++)
		if (we_send(&g, L2TP_MSG_HELLO) != 0)
			break;
	is_int(we_send(&g, L2TP_MSG_HELLO), -ENOBUFS, "window opens: -ENOBUFS when full");
	is_uint(l2tp_rel_next_send(g.rel), L2TP_REL_SEND_MAX, "window opens: no Ns used by it");
	is_uint(g.sent_count, 16, "window opens: 16 in flight");
	l2tp_rel_set_peer(g.rel, PEER_TUNNEL_ID, 1000);
	is_uint(g.sent_count, L2TP_REL_SEND_MAX, "window opens: a window of 1000 sends all 64");
	rig_close(&g); /* leak trap: 48 queued, 16 in flight */
}

/* Runs both sides to 65535, then across the wrap. */
static void test_wrap(void)
{
	struct rig g;
	bool all = true;
	struct l2tp_rel_stats stats;

	if (!ok(rig_open(&g), "wrap: rig"))
		return;
	for (uint32_t i = 0; i < 65535 && all; i++) {
		all = we_send(&g, L2TP_MSG_HELLO) == 0 &&
		      peer_sends(&g, L2TP_MSG_HELLO, (uint16_t)i, (uint16_t)(i + 1)) &&
		      l2tp_rel_idle(g.rel);
		g.delivered_count = 0;
		g.sent_count = 0;
	}
	ok(all, "wrap: 65535 round trips");
	is_uint(l2tp_rel_next_send(g.rel), 65535, "wrap: next Ns 65535");
	is_uint(l2tp_rel_next_recv(g.rel), 65535, "wrap: next Nr 65535");

	is_int(we_send(&g, L2TP_MSG_HELLO), 0, "wrap: Ns 65535");
	is_int(we_send(&g, L2TP_MSG_HELLO), 0, "wrap: Ns 0");
	ok(g.sent_count == 2 && g.sent[0].ns == 65535 && g.sent[1].ns == 0, "wrap: Ns 65535, 0");
	ok(peer_sends(&g, L2TP_MSG_ICRQ, 0, 65535), "wrap: peer Ns 0 before 65535");
	is_uint(g.delivered_count, 0, "wrap: Ns 0 held (it is after 65535)");
	ok(peer_sends(&g, L2TP_MSG_ICCN, 65535, 0), "wrap: peer Ns 65535, Nr 0");
	ok(g.delivered_count == 2 && g.delivered_ns[0] == 65535 && g.delivered_ns[1] == 0,
	   "wrap: delivered 65535 then 0");
	is_uint(l2tp_rel_next_recv(g.rel), 1, "wrap: next Nr 1");
	ok(!l2tp_rel_idle(g.rel), "wrap: Ns 0 still unacknowledged");
	ok(peer_sends(&g, 0, 1, 65535), "wrap: an old Nr (65535) after the wrap");
	ok(!l2tp_rel_idle(g.rel), "wrap: ignored");
	ok(peer_sends(&g, 0, 1, 1), "wrap: Nr 1 acknowledges across the wrap");
	ok(l2tp_rel_idle(g.rel), "wrap: idle");
	g.sent_count = 0;
	ok(peer_sends(&g, L2TP_MSG_HELLO, 65534, 1), "wrap: a duplicate from before the wrap");
	ok(g.sent_count == 1 && g.sent[0].zlb && g.sent[0].nr == 1, "wrap: answered by ZLB Nr 1");
	l2tp_rel_stats(g.rel, &stats);
	is_uint(stats.acked, 65537, "wrap: acked count");
	is_uint(stats.delivered, 65537, "wrap: delivered count");
	rig_close(&g);
}

static void test_ack_never_sent(void)
{
	struct rig g;
	struct l2tp_rel_stats stats;

	if (!ok(rig_open(&g), "never sent: rig"))
		return;
	ok(peer_sends(&g, 0, 0, 1), "never sent: Nr 1 with nothing sent");
	is_uint(l2tp_rel_next_send(g.rel), 0, "never sent: ignored");
	l2tp_rel_set_peer(g.rel, PEER_TUNNEL_ID, 1);
	is_int(we_send(&g, L2TP_MSG_HELLO), 0, "never sent: one in flight");
	is_int(we_send(&g, L2TP_MSG_HELLO), 0, "never sent: one queued");
	g.watch = "Nr=2 acknowledges Ns never sent";
	ok(peer_sends(&g, 0, 0, 2), "never sent: Nr 2 acknowledges the queued one");
	ok(peer_sends(&g, L2TP_MSG_HELLO, 0, 0x8000), "never sent: Nr half a space away");
	ok(peer_sends(&g, 0, 1, 0x7fff), "never sent: Nr far ahead");
	is_uint(g.sent_count, 2, "never sent: no window opened (only the HELLO's ZLB)");
	l2tp_rel_stats(g.rel, &stats);
	is_uint(stats.acked, 0, "never sent: nothing acknowledged");
	ok(g.watch_seen, "never sent: a debug line says so");
	advance(&g, 1000);
	is_uint(g.sent_count, 3, "never sent: the first still retransmitted");
	is_uint(last_sent(&g)->ns, 0, "never sent: Ns 0");
	rig_close(&g);
}

static void test_free_in_deliver(void)
{
	struct rig g;

	if (!ok(rig_open(&g), "free in deliver: rig"))
		return;
	is_int(we_send(&g, L2TP_MSG_HELLO), 0, "free in deliver: something in flight");
	g.free_at_delivery = 1;
	ok(!peer_sends(&g, L2TP_MSG_STOPCCN, 0, 1), "free in deliver: recv returns false");
	ok(g.rel == NULL, "free in deliver: freed");
	is_uint(ev_timers_armed(g.loop), 0, "free in deliver: no timer left");
	rig_close(&g);

	if (!ok(rig_open(&g), "free in held delivery: rig"))
		return;
	ok(peer_sends(&g, L2TP_MSG_HELLO, 2, 0), "free in held delivery: Ns 2 held");
	ok(peer_sends(&g, L2TP_MSG_HELLO, 3, 0), "free in held delivery: Ns 3 held");
	ok(peer_sends(&g, L2TP_MSG_HELLO, 1, 0), "free in held delivery: Ns 1 held");
	g.free_at_delivery = 3; /* Ns 0, Ns 1, then free while delivering Ns 2 */
	ok(!peer_sends(&g, L2TP_MSG_HELLO, 0, 0), "free in held delivery: recv returns false");
	is_uint(g.delivered_count, 3, "free in held delivery: stopped at the freeing one");
	ok(g.rel == NULL, "free in held delivery: freed");
	rig_close(&g);
}

static void test_free_with_queue(void)
{
	struct rig g;
	struct l2tp_rel_conf conf;

	l2tp_rel_conf_default(&conf);
	conf.ack_delay_ms = 50;
	if (!ok(rig_open_conf(&g, &conf), "free with queue: rig"))
		return;
	l2tp_rel_set_peer(g.rel, PEER_TUNNEL_ID, 2);
	for (int i = 0; i < 5; i++)
		is_int(we_send(&g, L2TP_MSG_HELLO), 0, "free with queue: send %d", i);
	ok(peer_sends(&g, L2TP_MSG_HELLO, 0, 0), "free with queue: delivered (ack pending)");
	ok(peer_sends(&g, L2TP_MSG_HELLO, 3, 0), "free with queue: held");
	is_uint(ev_timers_armed(g.loop), 2, "free with queue: both timers armed");
	l2tp_rel_free(g.rel);
	g.rel = NULL;
	is_uint(ev_timers_armed(g.loop), 0, "free with queue: free cancelled both timers");
	rig_close(&g);
}

/* Fails each allocation of new, send and hold in turn: clean errors, no leaks. */
static void test_oom(void)
{
	struct clock clock;
	struct ev_loop *loop;
	struct l2tp_rel_conf conf;
	struct rig g;
	struct l2tp_rel_ops ops = { .arg = &g, .xmit = capture_xmit, .deliver = capture_deliver,
				    .failed = capture_failed };
	bool clean = true, succeeded = false;

	clock_init_manual(&clock, 0);
	loop = ev_loop_new(&clock);
	if (!ok(loop != NULL, "oom: loop"))
		return;
	l2tp_rel_conf_default(&conf);
	for (unsigned long n = 1; n < 20 && !succeeded; n++) {
		int err_first, err_second;

		memset(&g, 0, sizeof(g));
		alloc_fail_at(n);
		g.rel = l2tp_rel_new(loop, &conf, &ops, NULL);
		if (g.rel == NULL) {
			clean = clean && errno == ENOMEM;
			alloc_fail_at(0);
			continue;
		}
		err_first = we_send(&g, L2TP_MSG_HELLO);
		err_second = we_send(&g, L2TP_MSG_HELLO);
		(void)peer_sends(&g, L2TP_MSG_HELLO, 1, 0);
		alloc_fail_at(0);
		if (err_first != 0 || err_second != 0) {
			clean = clean && (err_first == -ENOMEM || err_second == -ENOMEM) &&
				l2tp_rel_next_send(g.rel) == (err_first == 0) + (err_second == 0) &&
				g.sent_count == (size_t)((err_first == 0) + (err_second == 0));
		} else {
			struct l2tp_rel_stats stats;

			l2tp_rel_stats(g.rel, &stats);
			succeeded = stats.out_of_order == 1;
			/* a failed hold drops the message: the peer's retransmission brings it back */
			if (!succeeded) {
				(void)peer_sends(&g, L2TP_MSG_HELLO, 1, 0);
				l2tp_rel_stats(g.rel, &stats);
				clean = clean && stats.out_of_order == 1;
			}
		}
		l2tp_rel_free(g.rel);
	}
	ok(clean, "oom: every failure is a clean -ENOMEM / NULL");
	ok(succeeded, "oom: the walk reached a run with no failure");
	ev_loop_free(loop);
}

/*
 * Memory per idle tunnel (issue 6): the send ring is allocated with the first
 * message, doubles as messages wait, and goes with the last acknowledgement;
 * the out-of-order slots exist only while a message is held.  Counted through
 * lib/alloc's attempt counter (logging off, so nothing else allocates).
 */
static void test_idle_holds_nothing(void)
{
	struct l2tp_rel_conf conf;
	struct rig g;
	unsigned long before;

	l2tp_rel_conf_default(&conf);
	if (!ok(rig_open_conf(&g, &conf), "idle: rig"))
		return;
	before = alloc_count();
	is_int(we_send(&g, L2TP_MSG_HELLO), 0, "idle: first message");
	is_uint(alloc_count() - before, 2, "idle: the first message allocates the ring and its copy");
	before = alloc_count();
	ok(we_send(&g, L2TP_MSG_HELLO) == 0 && we_send(&g, L2TP_MSG_HELLO) == 0,
	   "idle: two more messages");
	is_uint(alloc_count() - before, 4, "idle: the ring doubled twice (1 -> 2 -> 4)");
	before = alloc_count();
	is_int(we_send(&g, L2TP_MSG_HELLO), 0, "idle: a fourth message");
	is_uint(alloc_count() - before, 1, "idle: the fourth fits the ring (its copy only)");
	ok(peer_sends(&g, 0, 0, 4), "idle: the peer acknowledges all four");
	ok(l2tp_rel_idle(g.rel), "idle: nothing unacknowledged");
	before = alloc_count();
	is_int(we_send(&g, L2TP_MSG_HELLO), 0, "idle: a message after the acknowledgement");
	is_uint(alloc_count() - before, 2, "idle: the ring went with the last acknowledgement");
	ok(peer_sends(&g, 0, 0, 5), "idle: acknowledged");

	before = alloc_count();
	ok(peer_sends(&g, L2TP_MSG_HELLO, 1, 5), "idle: Ns 1 ahead of 0");
	is_uint(alloc_count() - before, 2, "idle: the first held message allocates the slots");
	ok(peer_sends(&g, L2TP_MSG_HELLO, 0, 5), "idle: then Ns 0");
	is_uint(g.delivered_count, 2, "idle: both delivered");
	before = alloc_count();
	ok(peer_sends(&g, L2TP_MSG_HELLO, 3, 5), "idle: Ns 3 ahead of 2");
	is_uint(alloc_count() - before, 2, "idle: the slots went with the last held message");
	rig_close(&g);
}

/* A header that is not a sequenced control message is ignored. */
static void test_not_control(void)
{
	struct rig g;
	struct l2tp_hdr hdr = { .control = false };
	uint8_t byte = 0;

	if (!ok(rig_open(&g), "not control: rig"))
		return;
	ok(l2tp_rel_recv(g.rel, &hdr, &byte, 1), "not control: data header ignored");
	is_uint(g.delivered_count + g.sent_count, 0, "not control: nothing happened");
	rig_close(&g);
}

int main(void)
{
	test_conf();
	test_send_invalid();
	test_in_order();
	test_zlb_only_acks();
	test_ack_delay();
	test_loss();
	test_backoff_reset();
	test_failed_frees();
	test_reorder();
	test_duplicates();
	test_window(1, 1);
	test_window(4, 4);
	test_window(16, 16);
	test_window_opens();
	test_wrap();
	test_ack_never_sent();
	test_free_in_deliver();
	test_free_with_queue();
	test_oom();
	test_idle_holds_nothing();
	test_not_control();
	return tap_done();
}
