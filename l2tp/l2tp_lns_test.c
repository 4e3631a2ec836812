/*
 * l2tp_lns_test.c - the LNS engine (with the real reliable delivery under
 * it) driven by a scripted peer built from the codec, on a manual clock,
 * through fake daemon ops that record every call.
 *
 * Scripts: a Windows-XP-like client from SCCRQ to session_open and its CDN
 * and StopCCN; a retransmitted SCCRQ; several tunnels per peer; refusals
 * (version, missing and unknown mandatory AVPs, limits, tunnel_open errors
 * and the -EEXIST retry, session_open failure); tunnel authentication both
 * ways, right and wrong, and a hidden AVP; HELLO and its timeout; setup
 * timeouts; IPsec SA loss; shutdown; session_disconnect; demultiplexing
 * drops.  Then the table walk: every (state, message) pair of both machines,
 * asserting the reply, the state after and the ops called.
 */
#include "config.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "l2tp/l2tp_hidden.h"
#include "l2tp/l2tp_lns.h"
#include "l2tp/l2tp_lns_internal.h"
#include "l2tp/l2tp_session.h"
#include "l2tp/l2tp_tunnel.h"
#include "lib/alloc.h"
#include "lib/clock.h"
#include "lib/evloop.h"
#include "lib/log.h"
#include "tests/harness/tap.h"

/* ------------------------------------------------------------ log capture */

static char logbuf[1 << 17];

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

static bool logged(const char *text)
{
	return strstr(logbuf, text) != NULL;
}

/* ------------------------------------------------------------ fake daemon ops */

#define FAKE_MAX 64

struct sent {
	size_t tunnel;                   /* index into fake.tunnels */
	uint8_t bytes[L2TP_TX_MAX];
	size_t len;
};

struct fake_tunnel {
	struct l2tp_tunnel_info info;    /* a copy at tunnel_open */
	unsigned closes;
};

struct fake_session {
	struct l2tp_session *s;
	uint16_t session_id, peer_session_id;
	uint32_t call_serial;
	char host[64];
	unsigned closes;
};

struct fake {
	char events[4096];               /* "open close sopen sclose ..." */
	int open_errors[FAKE_MAX];       /* returned by the next tunnel_open calls, in order */
	size_t open_error_count, open_calls;
	int session_open_error;
	struct fake_tunnel tunnels[FAKE_MAX];
	size_t tunnel_count;
	struct fake_session sessions[FAKE_MAX];
	size_t session_count;
	struct sent *sends;              /* FAKE_SENDS of them */
	size_t send_count;
};

#define FAKE_SENDS 512

static void event(struct fake *f, const char *fmt, ...) PRINTF_LIKE(2, 3);

static void event(struct fake *f, const char *fmt, ...)
{
	size_t used = strlen(f->events);
	va_list ap;

	if (used && used + 1 < sizeof(f->events))
		f->events[used++] = ' ';
	va_start(ap, fmt);
	vsnprintf(f->events + used, sizeof(f->events) - used, fmt, ap);
	va_end(ap);
}

static int fake_tunnel_open(void *arg, const struct l2tp_tunnel_info *t, void **handle)
{
	struct fake *f = arg;
	int err = 0;

	if (f->open_calls < f->open_error_count)
		err = f->open_errors[f->open_calls];
	f->open_calls++;
	if (err) {
		event(f, "open%d", err);
		return err;
	}
	if (f->tunnel_count == FAKE_MAX)
		return -ENOSPC;
	f->tunnels[f->tunnel_count].info = *t;
	*handle = (void *)(uintptr_t)(f->tunnel_count + 1);
	f->tunnel_count++;
	event(f, "open");
	return 0;
}

static void fake_tunnel_send(void *arg, void *handle, const uint8_t *msg, size_t len)
{
	struct fake *f = arg;
	struct sent *s;

	if (f->send_count == FAKE_SENDS || len > sizeof(s->bytes))
		return;
	s = &f->sends[f->send_count++];
	s->tunnel = (size_t)(uintptr_t)handle - 1;
	memcpy(s->bytes, msg, len);
	s->len = len;
}

static void fake_tunnel_close(void *arg, void *handle, const char *reason, bool peer_gone)
{
	struct fake *f = arg;

	f->tunnels[(uintptr_t)handle - 1].closes++;
	event(f, peer_gone ? "close-gone" : "close");
}

static int fake_session_open(void *arg, void *tunnel_handle, struct l2tp_session *s,
			     void **handle)
{
	struct fake *f = arg;
	const struct l2tp_session_info *info = l2tp_session_get_info(s);
	struct fake_session *fs;

	(void)tunnel_handle;
	if (f->session_open_error) {
		event(f, "sopen%d", f->session_open_error);
		return f->session_open_error;
	}
	fs = &f->sessions[f->session_count];
	fs->s = s;
	fs->session_id = info->session_id;
	fs->peer_session_id = info->peer_session_id;
	fs->call_serial = info->call_serial;
	snprintf(fs->host, sizeof(fs->host), "%s", info->tunnel->peer_host_name);
	*handle = (void *)(uintptr_t)(f->session_count + 1);
	f->session_count++;
	event(f, "sopen");
	return 0;
}

static void fake_session_close(void *arg, void *handle, const char *reason)
{
	struct fake *f = arg;

	(void)reason;
	f->sessions[(uintptr_t)handle - 1].closes++;
	event(f, "sclose");
}

/* ------------------------------------------------------------ the rig and its peers */

struct peer {
	struct netaddr remote;
	uint32_t mark;
	uint16_t tid;                    /* the peer's Assigned Tunnel ID */
	uint16_t our_tid;                /* ours, once tunnel_open named it */
	size_t tunnel;                   /* fake tunnel index, once bound */
	bool bound;
	uint16_t ns, nr;                 /* next Ns it sends; next Ns it expects from us */
	bool no_ack;                     /* keep Nr: do not acknowledge what we send */
	uint16_t our_sid, peer_sid;      /* the current call */
};

struct rig {
	struct clock clock;
	struct ev_loop *loop;
	struct log_ctx *log;
	struct logger sa_lg;             /* the IPsec SA "#5" */
	struct l2tp_lns_conf conf;
	struct l2tp_lns *lns;
	struct fake f;
	struct netaddr local;
	size_t seen;                     /* sends looked at by replies() */
	char replies[512];
};

static void rig_open(struct rig *g, void (*tweak)(struct l2tp_lns_conf *))
{
	struct l2tp_lns_ops ops = { .tunnel_open = fake_tunnel_open,
				    .tunnel_send = fake_tunnel_send,
				    .tunnel_close = fake_tunnel_close,
				    .session_open = fake_session_open,
				    .session_close = fake_session_close };

	memset(g, 0, sizeof(*g));
	logbuf[0] = 0;
	g->f.sends = calloc(FAKE_SENDS, sizeof(*g->f.sends));
	clock_init_manual(&g->clock, 1000);
	g->loop = ev_loop_new(&g->clock);
	g->log = log_ctx_new(&g->clock);
	if (!g->f.sends || !g->loop || !g->log)
		abort();
	log_sink_callback(g->log, capture, NULL);
	logger_init_fixed(&g->sa_lg, g->log, NULL, "#", 5);
	if (!netaddr_parse(&g->local, "192.0.2.1", 1701))
		abort();
	l2tp_lns_conf_default(&g->conf);
	if (tweak)
		tweak(&g->conf);
	ops.arg = &g->f;
	g->lns = l2tp_lns_new(g->loop, g->log, &g->conf, &ops);
	if (!g->lns)
		abort();
}

static void rig_close(struct rig *g)
{
	l2tp_lns_free(g->lns);
	log_ctx_free(g->log);
	ev_loop_free(g->loop);
	free(g->f.sends);
}

static void peer_init(struct peer *p, const char *addr, uint16_t port, uint32_t mark,
		      uint16_t tid)
{
	memset(p, 0, sizeof(*p));
	if (!netaddr_parse(&p->remote, addr, port))
		abort();
	p->mark = mark;
	p->tid = tid;
}

/* A message being built by a peer. */
struct mb {
	uint8_t buf[2048];
	struct wire_wr wr;
	size_t start;
	bool zlb;
};

static void mb_begin(struct mb *m, uint16_t tunnel_id, uint16_t session_id, uint16_t type)
{
	m->wr = wire_wr_init(m->buf, sizeof(m->buf));
	m->start = l2tp_ctrl_begin(&m->wr, tunnel_id, session_id);
	m->zlb = type == 0;
	if (type)
		l2tp_avp_put_message_type(&m->wr, type);
}

/* A raw datagram from p into the engine. */
static void deliver(struct rig *g, const struct peer *p, const uint8_t *msg, size_t len)
{
	struct l2tp_lns_rx rx = { .msg = msg, .len = len, .local = g->local, .remote = p->remote,
				  .mark = p->mark, .parent = &g->sa_lg };

	l2tp_lns_recv(g->lns, &rx);
}

static void peer_send(struct rig *g, struct peer *p, struct mb *m)
{
	l2tp_ctrl_finish(&m->wr, m->start, p->ns, p->nr);
	if (!wire_wr_ok(&m->wr))
		abort();
	if (!m->zlb)
		p->ns++;
	deliver(g, p, m->buf, m->wr.len);
}

static struct peer *rig_peers[8];

/* Types of our datagrams since the last call ("SCCRP ZLB"); peers acknowledge them. */
static const char *replies(struct rig *g)
{
	size_t used = 0;

	g->replies[0] = 0;
	for (; g->seen < g->f.send_count; g->seen++) {
		struct sent *s = &g->f.sends[g->seen];
		static struct l2tp_msg msg;
		struct l2tp_hdr hdr;
		const char *name = "?";
		struct l2tp_name n;

		if (l2tp_hdr_parse((struct wire_span){ s->bytes, s->len }, &hdr) == L2TP_OK &&
		    l2tp_msg_parse(hdr.payload, &msg) == L2TP_OK) {
			n = l2tp_msg_type_name(msg.type);
			name = msg.zlb ? "ZLB" : n.str;
			for (size_t i = 0; i < ARRAY_SIZE(rig_peers); i++) {
				struct peer *p = rig_peers[i];

				if (!p)
					continue;
				if (!p->bound && s->tunnel < g->f.tunnel_count &&
				    g->f.tunnels[s->tunnel].info.peer_tunnel_id == p->tid &&
				    g->f.tunnels[s->tunnel].info.mark == p->mark &&
				    netaddr_equal(&g->f.tunnels[s->tunnel].info.remote, &p->remote)) {
					p->bound = true;
					p->tunnel = s->tunnel;
					p->our_tid = g->f.tunnels[s->tunnel].info.tunnel_id;
				}
				if (p->bound && p->tunnel == s->tunnel && !msg.zlb &&
				    hdr.ns == p->nr && !p->no_ack)
					p->nr++;
			}
		}
		used += (size_t)snprintf(g->replies + used, sizeof(g->replies) - used, "%s%s",
					 used ? " " : "", name);
		if (used >= sizeof(g->replies))
			break;
	}
	return g->replies;
}

/* The last datagram we sent, parsed; NULL if none. */
static const struct l2tp_msg *last_sent(struct rig *g, struct l2tp_hdr *hdr)
{
	static struct l2tp_msg msg;

	if (g->f.send_count == 0)
		return NULL;
	struct sent *s = &g->f.sends[g->f.send_count - 1];
	if (l2tp_hdr_parse((struct wire_span){ s->bytes, s->len }, hdr) != L2TP_OK ||
	    l2tp_msg_parse(hdr->payload, &msg) != L2TP_OK)
		return NULL;
	return &msg;
}

static uint16_t last_u16(struct rig *g, uint16_t type)
{
	struct l2tp_hdr hdr;
	const struct l2tp_msg *msg = last_sent(g, &hdr);
	const struct l2tp_avp *avp = msg ? l2tp_msg_find(msg, 0, type) : NULL;
	uint16_t v = 0;

	if (avp && l2tp_avp_get_u16(avp->value, &v) != L2TP_OK)
		v = 0;
	return v;
}

/* "result/error" of the last datagram's Result Code, "-" if none. */
static const char *last_result(struct rig *g)
{
	static char out[32];
	struct l2tp_hdr hdr;
	const struct l2tp_msg *msg = last_sent(g, &hdr);
	const struct l2tp_avp *avp = msg ? l2tp_msg_find(msg, 0, L2TP_AVP_RESULT_CODE) : NULL;
	struct l2tp_result r;

	if (!avp || l2tp_avp_get_result_code(avp->value, &r) != L2TP_OK)
		return "-";
	snprintf(out, sizeof(out), "%u/%u", r.result_code, r.error_code);
	return out;
}

static void events_clear(struct rig *g)
{
	g->f.events[0] = 0;
}

/* ------------------------------------------------------------ the peer's messages */

enum {
	SCCRQ_BAD_VERSION = 1 << 0,
	SCCRQ_NO_HOST = 1 << 1,
	SCCRQ_UNKNOWN_M = 1 << 2,
	SCCRQ_UNKNOWN_NO_M = 1 << 3,
};

/* What windows-client.md §6.1 says Windows XP sends (NT 5.0 firmware, sync framing, window 8). */
static void sccrq_begin(struct mb *m, const struct peer *p, unsigned flags)
{
	const uint16_t M = L2TP_AVP_FLAG_MANDATORY;

	mb_begin(m, 0, 0, L2TP_MSG_SCCRQ);
	l2tp_avp_put_u16(&m->wr, M, 0, L2TP_AVP_PROTOCOL_VERSION,
			 flags & SCCRQ_BAD_VERSION ? 0x0200 : 0x0100);
	l2tp_avp_put_u32(&m->wr, M, 0, L2TP_AVP_FRAMING_CAPABILITIES, 1);
	l2tp_avp_put_u32(&m->wr, M, 0, L2TP_AVP_BEARER_CAPABILITIES, 0);
	l2tp_avp_put_u16(&m->wr, 0, 0, L2TP_AVP_FIRMWARE_REVISION, 0x0500);
	if (!(flags & SCCRQ_NO_HOST))
		l2tp_avp_put_string(&m->wr, M, 0, L2TP_AVP_HOST_NAME, "WINXP");
	l2tp_avp_put_string(&m->wr, 0, 0, L2TP_AVP_VENDOR_NAME, "Microsoft");
	l2tp_avp_put_u16(&m->wr, M, 0, L2TP_AVP_ASSIGNED_TUNNEL_ID, p->tid);
	l2tp_avp_put_u16(&m->wr, M, 0, L2TP_AVP_RECEIVE_WINDOW_SIZE, 8);
	if (flags & SCCRQ_UNKNOWN_M)
		l2tp_avp_put_u16(&m->wr, M, 9, 77, 1);
	if (flags & SCCRQ_UNKNOWN_NO_M)
		l2tp_avp_put_u16(&m->wr, 0, 9, 77, 1);
}

static void send_sccrq(struct rig *g, struct peer *p, unsigned flags)
{
	struct mb m;

	sccrq_begin(&m, p, flags);
	peer_send(g, p, &m);
}

static void send_plain(struct rig *g, struct peer *p, uint16_t session_id, uint16_t type)
{
	struct mb m;

	mb_begin(&m, p->our_tid, session_id, type);
	peer_send(g, p, &m);
}

static void send_zlb(struct rig *g, struct peer *p)
{
	struct mb m;

	mb_begin(&m, p->our_tid, 0, 0);
	peer_send(g, p, &m);
}

static void send_stopccn(struct rig *g, struct peer *p)
{
	struct mb m;

	mb_begin(&m, p->our_tid, 0, L2TP_MSG_STOPCCN);
	l2tp_avp_put_u16(&m.wr, L2TP_AVP_FLAG_MANDATORY, 0, L2TP_AVP_ASSIGNED_TUNNEL_ID, p->tid);
	l2tp_avp_put_result_code(&m.wr, 1, true, 0, "bye \"now\"\n", 10);
	peer_send(g, p, &m);
}

/* Windows Vista+ ICRQ: Assigned Session ID, Call Serial Number, Bearer Type, Correlation ID. */
static void send_icrq(struct rig *g, struct peer *p, uint16_t header_session_id,
		      uint16_t peer_sid, bool unknown_m)
{
	static const uint8_t guid[16] = { 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4,
					  5, 6, 7, 8, 9, 10, 11, 12 };
	const uint16_t M = L2TP_AVP_FLAG_MANDATORY;
	struct mb m;

	mb_begin(&m, p->our_tid, header_session_id, L2TP_MSG_ICRQ);
	l2tp_avp_put_u16(&m.wr, M, 0, L2TP_AVP_ASSIGNED_SESSION_ID, peer_sid);
	l2tp_avp_put_u32(&m.wr, M, 0, L2TP_AVP_CALL_SERIAL_NUMBER, 0x1234);
	l2tp_avp_put_u32(&m.wr, M, 0, L2TP_AVP_BEARER_TYPE, 0);
	l2tp_avp_put_bytes(&m.wr, 0, L2TP_VENDOR_MICROSOFT, L2TP_MS_AVP_CORRELATION_ID, guid,
			   sizeof(guid));
	if (unknown_m)
		l2tp_avp_put_u16(&m.wr, M, 0, 99, 1);
	peer_send(g, p, &m);
}

static void send_iccn(struct rig *g, struct peer *p, uint16_t session_id)
{
	const uint16_t M = L2TP_AVP_FLAG_MANDATORY;
	struct mb m;

	mb_begin(&m, p->our_tid, session_id, L2TP_MSG_ICCN);
	l2tp_avp_put_u32(&m.wr, M, 0, L2TP_AVP_TX_CONNECT_SPEED, 100000000);
	l2tp_avp_put_u32(&m.wr, M, 0, L2TP_AVP_FRAMING_TYPE, 1);
	peer_send(g, p, &m);
}

static void send_cdn(struct rig *g, struct peer *p, uint16_t header_session_id,
		     uint16_t peer_sid)
{
	struct mb m;

	mb_begin(&m, p->our_tid, header_session_id, L2TP_MSG_CDN);
	l2tp_avp_put_result_code(&m.wr, 1, false, 0, NULL, 0); /* lenient: no Error Code */
	l2tp_avp_put_u16(&m.wr, L2TP_AVP_FLAG_MANDATORY, 0, L2TP_AVP_ASSIGNED_SESSION_ID, peer_sid);
	peer_send(g, p, &m);
}

/* Peer p through SCCRQ/SCCRP/SCCCN. */
static void establish(struct rig *g, struct peer *p)
{
	send_sccrq(g, p, 0);
	(void)replies(g);
	send_plain(g, p, 0, L2TP_MSG_SCCCN);
	(void)replies(g);
}

/* ... and through ICRQ/ICRP(/ICCN). */
static void call(struct rig *g, struct peer *p, bool connect)
{
	p->peer_sid = (uint16_t)(p->peer_sid + 11);
	send_icrq(g, p, 0, p->peer_sid, false);
	(void)replies(g);
	p->our_sid = last_u16(g, L2TP_AVP_ASSIGNED_SESSION_ID);
	if (connect) {
		send_iccn(g, p, p->our_sid);
		(void)replies(g);
	}
}

static const char *tunnel_state(struct rig *g, const struct peer *p)
{
	struct l2tp_tunnel *t = l2tp_lns_find_tunnel(g->lns, p->our_tid);

	return t ? l2tp_tunnel_state_name(t->state) : "gone";
}

static const char *session_state(struct rig *g, const struct peer *p)
{
	struct l2tp_tunnel *t = l2tp_lns_find_tunnel(g->lns, p->our_tid);
	struct l2tp_session *s = t ? l2tp_session_find(t, p->our_sid) : NULL;

	return s ? l2tp_session_state_name(s->state) : "gone";
}

static struct l2tp_lns_stats stats(struct rig *g)
{
	struct l2tp_lns_stats st;

	l2tp_lns_stats(g->lns, &st);
	return st;
}

static void advance(struct rig *g, uint64_t ms)
{
	clock_advance(&g->clock, ms);
	(void)ev_run_timers(g->loop);
}

/* ------------------------------------------------------------ scripted exchanges */

static void test_windows_xp(void)
{
	struct rig g;
	struct peer p;
	struct l2tp_hdr hdr;
	const struct l2tp_msg *msg;
	const struct l2tp_avp *avp;
	uint8_t ver = 0, rev = 9;
	uint32_t framing = 0;
	char line[256];

	rig_open(&g, NULL);
	peer_init(&p, "192.0.2.10", 1701, 0x4c320001, 7);
	rig_peers[0] = &p;

	send_sccrq(&g, &p, 0);
	is_str(g.f.events, "open", "xp: SCCRQ opens one tunnel");
	ok(g.f.tunnel_count == 1 && g.f.tunnels[0].info.peer_tunnel_id == 7 &&
		   g.f.tunnels[0].info.tunnel_id != 0 && g.f.tunnels[0].info.mark == 0x4c320001 &&
		   netaddr_equal(&g.f.tunnels[0].info.local, &g.local) &&
		   netaddr_equal(&g.f.tunnels[0].info.remote, &p.remote),
	   "xp: tunnel_open gets our id, peer id 7, mark, local and remote");
	is_str(g.f.tunnels[0].info.peer_host_name, "WINXP", "xp: host name in the info at open");
	is_str(g.f.tunnels[0].info.peer_vendor_name, "Microsoft", "xp: vendor in the info at open");
	is_str(g.f.tunnels[0].info.lg->prefix, "#5 tun#1", "xp: the tunnel's logger is #5 tun#1");
	is_str(replies(&g), "SCCRP", "xp: SCCRQ -> SCCRP");
	msg = last_sent(&g, &hdr);
	ok(msg && hdr.tunnel_id == 7 && hdr.session_id == 0 && hdr.ns == 0 && hdr.nr == 1,
	   "xp: SCCRP to peer tid 7, Ns 0, Nr 1 (acknowledges the SCCRQ)");
	avp = msg ? l2tp_msg_find(msg, 0, L2TP_AVP_PROTOCOL_VERSION) : NULL;
	ok(avp && avp->mandatory && l2tp_avp_get_protocol_version(avp->value, &ver, &rev) == L2TP_OK &&
		   ver == 1 && rev == 0,
	   "xp: SCCRP Protocol Version 1.0");
	avp = msg ? l2tp_msg_find(msg, 0, L2TP_AVP_FRAMING_CAPABILITIES) : NULL;
	ok(avp && l2tp_avp_get_u32(avp->value, &framing) == L2TP_OK && framing == 3,
	   "xp: SCCRP Framing Capabilities sync+async");
	is_uint(last_u16(&g, L2TP_AVP_ASSIGNED_TUNNEL_ID), p.our_tid,
		"xp: SCCRP Assigned Tunnel ID is the id tunnel_open got");
	is_uint(last_u16(&g, L2TP_AVP_RECEIVE_WINDOW_SIZE), 8, "xp: SCCRP Receive Window Size 8");
	is_uint(last_u16(&g, L2TP_AVP_FIRMWARE_REVISION), l2tp_lns_firmware_revision(),
		"xp: SCCRP Firmware Revision from VERSION");
	avp = msg ? l2tp_msg_find(msg, 0, L2TP_AVP_HOST_NAME) : NULL;
	ok(avp && avp->value.len == 7 && memcmp(avp->value.p, "l2tpsec", 7) == 0,
	   "xp: SCCRP Host Name l2tpsec");
	avp = msg ? l2tp_msg_find(msg, 0, L2TP_AVP_VENDOR_NAME) : NULL;
	ok(avp && avp->value.len == 7 && memcmp(avp->value.p, "l2tpsec", 7) == 0,
	   "xp: SCCRP Vendor Name l2tpsec");
	ok(msg && !l2tp_msg_find(msg, 0, L2TP_AVP_CHALLENGE) &&
		   !l2tp_msg_find(msg, 0, L2TP_AVP_CHALLENGE_RESPONSE),
	   "xp: no secret, no Challenge");
	is_str(tunnel_state(&g, &p), "WAIT_CTL_CONN", "xp: WAIT_CTL_CONN");

	send_plain(&g, &p, 0, L2TP_MSG_SCCCN);
	is_str(replies(&g), "ZLB", "xp: SCCCN -> ZLB at once (Android needs it)");
	is_str(tunnel_state(&g, &p), "ESTABLISHED", "xp: ESTABLISHED");
	snprintf(line, sizeof(line),
		 "#5 tun#1: L2TP tunnel established with 192.0.2.10:1701 host \"WINXP\" vendor "
		 "\"Microsoft\" (peer tid 7, our tid %u)",
		 p.our_tid);
	ok(logged(line), "xp: the established line in the issue's shape");

	p.peer_sid = 3;
	send_icrq(&g, &p, 0, 3, false);
	is_str(replies(&g), "ICRP", "xp: ICRQ (with Correlation ID) -> ICRP");
	msg = last_sent(&g, &hdr);
	p.our_sid = last_u16(&g, L2TP_AVP_ASSIGNED_SESSION_ID);
	ok(msg && hdr.tunnel_id == 7 && hdr.session_id == 3 && p.our_sid != 0,
	   "xp: ICRP to the peer's session 3 with our non-zero session id");
	is_str(session_state(&g, &p), "WAIT_CONNECT", "xp: session WAIT_CONNECT");
	is_str(g.f.events, "open", "xp: no session_open before ICCN");

	send_iccn(&g, &p, p.our_sid);
	is_str(replies(&g), "ZLB", "xp: ICCN -> ZLB");
	is_str(g.f.events, "open sopen", "xp: ICCN -> session_open");
	ok(g.f.session_count == 1 && g.f.sessions[0].session_id == p.our_sid &&
		   g.f.sessions[0].peer_session_id == 3 && g.f.sessions[0].call_serial == 0x1234 &&
		   strcmp(g.f.sessions[0].host, "WINXP") == 0,
	   "xp: session info: ids, call serial, tunnel view");
	ok(strcmp(l2tp_session_get_info(g.f.sessions[0].s)->lg->prefix, "#5 tun#1 ses#1") == 0,
	   "xp: the session's logger is #5 tun#1 ses#1");
	ok(logged("#5 tun#1 ses#1: incoming call established"), "xp: incoming call established line");
	is_str(session_state(&g, &p), "ESTABLISHED", "xp: session ESTABLISHED");

	send_cdn(&g, &p, p.our_sid, 3);
	is_str(replies(&g), "ZLB", "xp: CDN -> ZLB");
	is_str(g.f.events, "open sopen sclose", "xp: CDN -> session_close");
	ok(logged("ses#1: CDN received: result 1 (call disconnected due to loss of carrier)"),
	   "xp: CDN result logged (no Error Code: lenient)");
	is_str(session_state(&g, &p), "gone", "xp: session gone");

	send_stopccn(&g, &p);
	is_str(replies(&g), "ZLB", "xp: StopCCN -> ZLB before anything closes");
	is_str(g.f.events, "open sopen sclose", "xp: tunnel still there while lingering");
	ok(logged("StopCCN received: result 1 (general request to clear control connection), error 0 "
		  "(no general error), message \"bye \\\"now\\\"\\x0a\""),
	   "xp: StopCCN result and sanitized message logged");
	advance(&g, g.conf.rel.rto_initial_ms);
	is_str(g.f.events, "open sopen sclose close", "xp: tunnel_close after the linger");
	ok(g.f.tunnels[0].closes == 1 && g.f.sessions[0].closes == 1, "xp: each closed once");
	struct l2tp_lns_stats st = stats(&g);
	ok(st.tunnels_now == 0 && st.sessions_now == 0 && st.tunnels_total == 1 &&
		   st.sessions_total == 1 && st.stopccn_received == 1 && st.cdn_received == 1 &&
		   st.stopccn_sent == 0 && st.cdn_sent == 0,
	   "xp: stats");
	if (getenv("LNS_TEST_LOG"))
		fputs(logbuf, stderr);
	rig_close(&g);
	rig_peers[0] = NULL;
}

static void test_retransmitted_sccrq(void)
{
	struct rig g;
	struct peer p, q, r;

	rig_open(&g, NULL);
	peer_init(&p, "192.0.2.10", 1701, 1, 4);
	peer_init(&q, "192.0.2.10", 1701, 1, 5);   /* same peer, another tunnel */
	peer_init(&r, "192.0.2.10", 1701, 2, 4);   /* same tid through another SA */
	rig_peers[0] = &p;
	rig_peers[1] = &q;
	rig_peers[2] = &r;
	send_sccrq(&g, &p, 0);
	is_str(replies(&g), "SCCRP", "retransmit: SCCRP");
	p.ns = 0;
	p.nr = 0;                        /* as first sent: it acknowledges nothing */
	send_sccrq(&g, &p, 0);
	is_str(replies(&g), "ZLB", "retransmit: the same SCCRQ again is acknowledged by rel");
	is_str(g.f.events, "open", "retransmit: never a second tunnel");
	advance(&g, g.conf.rel.rto_initial_ms);
	is_str(replies(&g), "SCCRP", "retransmit: our SCCRP is retransmitted by rel");
	send_sccrq(&g, &q, 0);
	send_sccrq(&g, &r, 0);
	is_str(replies(&g), "SCCRP SCCRP", "retransmit: other peer tid / other mark: new tunnels");
	is_str(g.f.events, "open open open", "retransmit: three tunnels");
	ok(p.our_tid != q.our_tid && q.our_tid != r.our_tid && p.our_tid != r.our_tid,
	   "retransmit: distinct tunnel ids");
	is_uint(stats(&g).tunnels_now, 3, "retransmit: 3 tunnels now");
	rig_close(&g);
	is_str(g.f.events, "open open open close close close", "retransmit: free closes all");
	memset(rig_peers, 0, sizeof(rig_peers));
}

static void test_sccrq_refusals(void)
{
	struct rig g;
	struct peer p;

	rig_open(&g, NULL);
	rig_peers[0] = &p;

	peer_init(&p, "192.0.2.10", 1701, 0, 1);
	send_sccrq(&g, &p, SCCRQ_BAD_VERSION);
	is_str(replies(&g), "StopCCN", "refuse: version 2.0 -> StopCCN");
	is_str(last_result(&g), "5/0", "refuse: result 5");
	is_str(tunnel_state(&g, &p), "CLOSING", "refuse: CLOSING until acknowledged");
	send_zlb(&g, &p);
	is_str(g.f.events, "open close", "refuse: closed on the ack");

	peer_init(&p, "192.0.2.10", 1701, 0, 2);
	events_clear(&g);
	send_sccrq(&g, &p, SCCRQ_NO_HOST);
	is_str(replies(&g), "StopCCN", "refuse: no Host Name -> StopCCN");
	is_str(last_result(&g), "2/6", "refuse: result 2 error 6 (missing AVP)");
	ok(logged("missing Host Name AVP"), "refuse: the missing AVP is named");

	peer_init(&p, "192.0.2.10", 1701, 0, 3);
	send_sccrq(&g, &p, SCCRQ_UNKNOWN_M);
	is_str(replies(&g), "StopCCN", "refuse: unknown mandatory AVP -> StopCCN");
	is_str(last_result(&g), "2/8", "refuse: result 2 error 8");

	peer_init(&p, "192.0.2.10", 1701, 0, 4);
	send_sccrq(&g, &p, SCCRQ_UNKNOWN_NO_M);
	is_str(replies(&g), "SCCRP", "refuse: unknown AVP without M is ignored");
	send_plain(&g, &p, 0, L2TP_MSG_SCCCN);
	is_str(tunnel_state(&g, &p), "ESTABLISHED", "refuse: ... and the tunnel established");

	/* The unacknowledged StopCCNs go when rel gives up. */
	for (int i = 0; i < 40; i++)
		advance(&g, 1000);
	is_uint(stats(&g).tunnels_now, 1, "refuse: only the accepted tunnel is left");
	ok(logged("StopCCN not acknowledged after 5 retransmissions; closing tunnel"),
	   "refuse: unacknowledged StopCCN gives up");
	rig_close(&g);
	rig_peers[0] = NULL;
}

static void limits_one(struct l2tp_lns_conf *conf)
{
	conf->max_tunnels = 1;
	conf->max_sessions_per_tunnel = 1;
}

static void test_limits_and_open_errors(void)
{
	struct rig g;
	struct peer p, q;

	rig_open(&g, limits_one);
	peer_init(&p, "192.0.2.10", 1701, 0, 1);
	peer_init(&q, "192.0.2.11", 1701, 0, 1);
	rig_peers[0] = &p;
	rig_peers[1] = &q;
	establish(&g, &p);
	send_sccrq(&g, &q, 0);
	is_str(replies(&g), "", "limits: a second tunnel is dropped silently");
	is_str(g.f.events, "open", "limits: no tunnel_open for it");
	is_uint(stats(&g).dropped_limit, 1, "limits: counted");
	call(&g, &p, true);
	send_icrq(&g, &p, 0, 99, false);
	is_str(replies(&g), "CDN", "limits: a second session -> CDN");
	is_str(last_result(&g), "4/0", "limits: result 4 (no facilities, temporary)");
	is_uint(stats(&g).sessions_now, 1, "limits: one session");
	rig_close(&g);
	memset(rig_peers, 0, sizeof(rig_peers));

	rig_open(&g, NULL);
	peer_init(&p, "192.0.2.10", 1701, 0, 1);
	rig_peers[0] = &p;
	g.f.open_errors[0] = -EEXIST;
	g.f.open_errors[1] = -EEXIST;
	g.f.open_error_count = 2;
	send_sccrq(&g, &p, 0);
	is_str(g.f.events, "open-17 open-17 open", "eexist: tunnel_open retried with new ids");
	is_str(replies(&g), "SCCRP", "eexist: then SCCRP");
	is_uint(last_u16(&g, L2TP_AVP_ASSIGNED_TUNNEL_ID), g.f.tunnels[0].info.tunnel_id,
		"eexist: the id the kernel took is the one we send");
	ok(l2tp_lns_find_tunnel(g.lns, p.our_tid) != NULL, "eexist: and the one we look up");
	rig_close(&g);

	rig_open(&g, NULL);
	peer_init(&p, "192.0.2.10", 1701, 0, 1);
	rig_peers[0] = &p;
	g.f.open_errors[0] = -ENOMEM;
	g.f.open_error_count = 1;
	send_sccrq(&g, &p, 0);
	is_str(g.f.events, "open-12", "open error: one call");
	is_str(replies(&g), "", "open error: nothing sent");
	is_uint(stats(&g).tunnels_now, 0, "open error: no tunnel");
	p.ns = 0;
	send_sccrq(&g, &p, 0);
	is_str(replies(&g), "SCCRP", "open error: the retransmission succeeds");
	rig_close(&g);
	is_str(g.f.events, "open-12 open close", "open error: tunnel_close only for the opened one");

	rig_open(&g, NULL);
	peer_init(&p, "192.0.2.10", 1701, 0, 1);
	rig_peers[0] = &p;
	establish(&g, &p);
	g.f.session_open_error = -EMFILE;
	call(&g, &p, false);
	send_iccn(&g, &p, p.our_sid);
	is_str(replies(&g), "CDN", "session_open error -> CDN");
	is_str(last_result(&g), "2/4", "session_open error: result 2 error 4");
	is_str(g.f.events, "open sopen-24", "session_open error: no session_close");
	is_str(session_state(&g, &p), "gone", "session_open error: session gone");
	rig_close(&g);
	rig_peers[0] = NULL;
	rig_peers[1] = NULL;
}

static void test_unknown_mandatory_in_icrq(void)
{
	struct rig g;
	struct peer p;

	rig_open(&g, NULL);
	peer_init(&p, "192.0.2.10", 1701, 0, 1);
	rig_peers[0] = &p;
	establish(&g, &p);
	send_icrq(&g, &p, 0, 9, true);
	is_str(replies(&g), "CDN", "icrq unknown M: CDN");
	is_str(last_result(&g), "2/8", "icrq unknown M: result 2 error 8");
	struct l2tp_hdr hdr;
	(void)last_sent(&g, &hdr);
	is_uint(hdr.session_id, 9, "icrq unknown M: CDN to the peer's session");
	is_str(tunnel_state(&g, &p), "ESTABLISHED", "icrq unknown M: the tunnel stays");
	is_uint(stats(&g).sessions_now, 0, "icrq unknown M: no session left");
	rig_close(&g);
	rig_peers[0] = NULL;
}

static void md5_response(uint8_t id, const char *secret, const uint8_t *challenge, size_t len,
			 uint8_t out[16])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int n = 0;

	EVP_DigestInit_ex(ctx, EVP_md5(), NULL);
	EVP_DigestUpdate(ctx, &id, 1);
	EVP_DigestUpdate(ctx, secret, strlen(secret));
	EVP_DigestUpdate(ctx, challenge, len);
	EVP_DigestFinal_ex(ctx, out, &n);
	EVP_MD_CTX_free(ctx);
}

static void with_secret(struct l2tp_lns_conf *conf)
{
	conf->secret = (const uint8_t *)"tunnel-secret";
	conf->secret_len = 13;
}

/* SCCRQ with a Challenge (and a hidden Host Name when hide), then SCCCN with a response. */
static void auth_run(bool hide, bool right, bool respond, const char *what)
{
	static const uint8_t challenge[20] = { 9, 8, 7, 6, 5, 4, 3, 2, 1, 0,
					       9, 8, 7, 6, 5, 4, 3, 2, 1, 0 };
	static const uint8_t rv[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
	const struct wire_span secret = { (const uint8_t *)"tunnel-secret", 13 };
	uint8_t expected[16], hidden[64];
	size_t hidden_len = 0;
	struct l2tp_hdr hdr;
	const struct l2tp_msg *msg;
	const struct l2tp_avp *avp;
	struct rig g;
	struct peer p;
	struct mb m;

	rig_open(&g, with_secret);
	peer_init(&p, "192.0.2.10", 1701, 0, 1);
	rig_peers[0] = &p;
	sccrq_begin(&m, &p, SCCRQ_NO_HOST);
	l2tp_avp_put_bytes(&m.wr, L2TP_AVP_FLAG_MANDATORY, 0, L2TP_AVP_CHALLENGE, challenge,
			   sizeof(challenge));
	if (hide) {
		ok(l2tp_avp_hide(secret, (struct wire_span){ rv, 16 }, L2TP_AVP_HOST_NAME,
				 (struct wire_span){ (const uint8_t *)"ANDROID", 7 },
				 (struct wire_span){ rv, 5 }, hidden, sizeof(hidden), &hidden_len),
		   "%s: hide the Host Name", what);
		l2tp_avp_put_bytes(&m.wr, L2TP_AVP_FLAG_MANDATORY, 0, L2TP_AVP_RANDOM_VECTOR, rv, 16);
		l2tp_avp_put_bytes(&m.wr, L2TP_AVP_FLAG_MANDATORY | L2TP_AVP_FLAG_HIDDEN, 0,
				   L2TP_AVP_HOST_NAME, hidden, hidden_len);
	} else {
		l2tp_avp_put_string(&m.wr, L2TP_AVP_FLAG_MANDATORY, 0, L2TP_AVP_HOST_NAME, "ANDROID");
	}
	peer_send(&g, &p, &m);
	is_str(replies(&g), "SCCRP", "%s: SCCRP", what);
	msg = last_sent(&g, &hdr);
	md5_response(L2TP_MSG_SCCRP, "tunnel-secret", challenge, sizeof(challenge), expected);
	avp = msg ? l2tp_msg_find(msg, 0, L2TP_AVP_CHALLENGE_RESPONSE) : NULL;
	ok(avp && avp->value.len == 16 && memcmp(avp->value.p, expected, 16) == 0,
	   "%s: SCCRP answers MD5(2 | secret | challenge)", what);
	avp = msg ? l2tp_msg_find(msg, 0, L2TP_AVP_CHALLENGE) : NULL;
	ok(avp && avp->value.len == 16, "%s: SCCRP carries our 16-octet Challenge", what);
	if (avp)
		md5_response(L2TP_MSG_SCCCN, right ? "tunnel-secret" : "wrong-secret", avp->value.p,
			     avp->value.len, expected);
	mb_begin(&m, p.our_tid, 0, L2TP_MSG_SCCCN);
	if (respond)
		l2tp_avp_put_bytes(&m.wr, L2TP_AVP_FLAG_MANDATORY, 0, L2TP_AVP_CHALLENGE_RESPONSE,
				   expected, 16);
	peer_send(&g, &p, &m);
	if (right && respond) {
		is_str(replies(&g), "ZLB", "%s: right response -> ZLB", what);
		is_str(tunnel_state(&g, &p), "ESTABLISHED", "%s: established", what);
		ok(logged("host \"ANDROID\""), "%s: host name read (unhidden)", what);
	} else {
		is_str(replies(&g), "StopCCN", "%s: StopCCN", what);
		is_str(last_result(&g), "4/0", "%s: result 4 (not authorized)", what);
		ok(logged("tunnel authentication failed"), "%s: logged", what);
	}
	ok(!logged("tunnel-secret"), "%s: the secret is never logged", what);
	rig_close(&g);
	rig_peers[0] = NULL;
}

static void test_tunnel_auth(void)
{
	struct rig g;
	struct peer p;
	struct mb m;

	auth_run(false, true, true, "auth right");
	auth_run(true, true, true, "auth hidden host");
	auth_run(false, false, true, "auth wrong");
	auth_run(false, true, false, "auth missing");

	rig_open(&g, NULL);
	peer_init(&p, "192.0.2.10", 1701, 0, 1);
	rig_peers[0] = &p;
	sccrq_begin(&m, &p, 0);
	l2tp_avp_put_bytes(&m.wr, L2TP_AVP_FLAG_MANDATORY, 0, L2TP_AVP_CHALLENGE, "abcd", 4);
	peer_send(&g, &p, &m);
	is_str(replies(&g), "StopCCN", "auth no secret: a Challenge -> StopCCN");
	is_str(last_result(&g), "4/0", "auth no secret: result 4");
	ok(logged("no tunnel secret is configured"), "auth no secret: says why");
	rig_close(&g);
	rig_peers[0] = NULL;
}

static void test_hello(void)
{
	struct rig g;
	struct peer p;

	rig_open(&g, NULL);
	peer_init(&p, "192.0.2.10", 1701, 0, 1);
	rig_peers[0] = &p;
	establish(&g, &p);
	call(&g, &p, true);
	advance(&g, g.conf.hello_interval_ms - 1);
	is_str(replies(&g), "", "hello: nothing before the interval");
	advance(&g, 1);
	is_str(replies(&g), "HELLO", "hello: HELLO after the interval of silence");
	send_zlb(&g, &p);
	is_str(replies(&g), "", "hello: acknowledged");
	send_plain(&g, &p, 0, L2TP_MSG_HELLO);
	is_str(replies(&g), "ZLB", "hello: the peer's HELLO is acknowledged");
	advance(&g, g.conf.hello_interval_ms / 2);
	is_str(replies(&g), "", "hello: the peer's message restarted the interval");

	/* The peer goes away: HELLO, retransmissions, then everything closes in order. */
	events_clear(&g);
	for (int i = 0; i < 200 && stats(&g).tunnels_now; i++)
		advance(&g, 1000);
	is_str(g.f.events, "sclose close-gone",
	       "hello timeout: session_close then tunnel_close, saying the peer is gone");
	ok(g.f.sessions[0].closes == 1 && g.f.tunnels[0].closes == 1,
	   "hello timeout: each exactly once");
	ok(logged("#5 tun#1: peer vanished: no acknowledgement after 5 retransmissions; closing tunnel"),
	   "hello timeout: the line");
	is_uint(stats(&g).hello_timeouts, 1, "hello timeout: counted");
	is_uint(ev_timers_armed(g.loop), 0, "hello timeout: no timer left");
	if (getenv("LNS_TEST_LOG"))
		fputs(logbuf, stderr);
	rig_close(&g);
	is_str(g.f.events, "sclose close-gone", "hello timeout: free closes nothing twice");
	rig_peers[0] = NULL;
}

static void test_setup_timeouts(void)
{
	struct rig g;
	struct peer p;

	rig_open(&g, NULL);
	peer_init(&p, "192.0.2.10", 1701, 0, 1);
	rig_peers[0] = &p;
	send_sccrq(&g, &p, 0);
	(void)replies(&g);
	advance(&g, g.conf.setup_timeout_ms);
	ok(strstr(replies(&g), "StopCCN") != NULL, "setup: no SCCCN -> StopCCN");
	is_str(last_result(&g), "1/0", "setup: result 1");
	send_zlb(&g, &p);
	is_str(g.f.events, "open close", "setup: closed when acknowledged");
	rig_close(&g);

	rig_open(&g, NULL);
	peer_init(&p, "192.0.2.10", 1701, 0, 1);
	establish(&g, &p);
	call(&g, &p, false);
	send_zlb(&g, &p);
	advance(&g, g.conf.setup_timeout_ms);
	is_str(replies(&g), "CDN", "setup: no ICCN -> CDN");
	is_str(last_result(&g), "3/0", "setup: CDN result 3");
	is_str(session_state(&g, &p), "gone", "setup: session gone");
	is_str(tunnel_state(&g, &p), "ESTABLISHED", "setup: tunnel stays");
	rig_close(&g);
	rig_peers[0] = NULL;
}

/* An established tunnel without a session (a client whose call failed) is closed. */
static void test_idle(void)
{
	struct rig g;
	struct peer p;

	rig_open(&g, NULL);
	peer_init(&p, "192.0.2.20", 1701, 7, 1);
	rig_peers[0] = &p;
	establish(&g, &p);
	events_clear(&g);
	advance(&g, g.conf.idle_timeout_ms - 1);
	is_str(replies(&g), "", "idle: nothing before the idle timeout");
	call(&g, &p, true);
	advance(&g, g.conf.idle_timeout_ms);
	is_str(replies(&g), "", "idle: a tunnel with a session is not idle");
	l2tp_lns_session_disconnect(g.lns, g.f.sessions[0].s, 3, 0, "pppd exited (status 11)");
	is_str(replies(&g), "CDN", "idle: the call ends with a CDN");
	advance(&g, g.conf.idle_timeout_ms);
	/* the fake peer acknowledges nothing, so the CDN is resent before the StopCCN goes */
	is_str(replies(&g), "CDN StopCCN", "idle: StopCCN once the tunnel was empty for the idle timeout");
	is_str(last_result(&g), "1/0", "idle: result 1 (general request to clear)");
	ok(logged("#5 tun#1: closing the tunnel: no session for 10 s"), "idle: the line");
	rig_close(&g);

	/* The daemon stops a tunnel (an admin's kill): StopCCN, sessions closed at once. */
	rig_open(&g, NULL);
	peer_init(&p, "192.0.2.21", 1701, 7, 1);
	rig_peers[0] = &p;
	establish(&g, &p);
	call(&g, &p, true);
	events_clear(&g);
	is_int(l2tp_lns_tunnel_stop(g.lns, 12345, 1, "x"), -ENOENT, "tunnel stop: an unknown id");
	is_int(l2tp_lns_tunnel_stop(g.lns, p.our_tid, 1, "ended by the administrator"), 0,
	       "tunnel stop: our tunnel");
	is_str(replies(&g), "StopCCN", "tunnel stop: StopCCN sent");
	is_str(last_result(&g), "1/0", "tunnel stop: result 1");
	is_str(g.f.events, "sclose", "tunnel stop: the session closed at once");
	is_int(l2tp_lns_tunnel_stop(g.lns, p.our_tid, 1, "again"), -ENOENT,
	       "tunnel stop: a stopping tunnel is not stopped twice");
	rig_close(&g);
}

static void test_ipsec_gone_shutdown_disconnect(void)
{
	struct rig g;
	struct peer p, q;

	rig_open(&g, NULL);
	peer_init(&p, "192.0.2.10", 1701, 7, 1);
	peer_init(&q, "192.0.2.11", 1701, 8, 1);
	rig_peers[0] = &p;
	rig_peers[1] = &q;
	establish(&g, &p);
	call(&g, &p, true);
	establish(&g, &q);
	call(&g, &q, true);
	events_clear(&g);
	l2tp_lns_ipsec_gone(g.lns, 7);
	is_str(replies(&g), "", "ipsec gone: nothing sent");
	is_str(g.f.events, "sclose close", "ipsec gone: session then tunnel closed");
	is_str(tunnel_state(&g, &q), "ESTABLISHED", "ipsec gone: the other SA's tunnel stays");

	/* A rekey: q's traffic now carries mark 9; losing the old SA (8) must not end it. */
	events_clear(&g);
	l2tp_lns_ipsec_replaced(g.lns, 8, 9);
	l2tp_lns_ipsec_gone(g.lns, 8);
	is_str(g.f.events, "", "ipsec replaced: the old SA's loss closes nothing");
	is_str(tunnel_state(&g, &q), "ESTABLISHED", "ipsec replaced: the tunnel stays");
	q.mark = 9;     /* what the new SA stamps on q's datagrams */

	events_clear(&g);
	l2tp_lns_session_disconnect(g.lns, g.f.sessions[1].s, 2, 6, "pppd exited (status 1)");
	is_str(replies(&g), "CDN", "disconnect: CDN");
	is_str(last_result(&g), "2/6", "disconnect: result and error as asked");
	is_str(g.f.events, "sclose", "disconnect: session_close");
	is_uint(stats(&g).cdn_sent, 1, "disconnect: counted");

	call(&g, &q, true);
	events_clear(&g);
	l2tp_lns_shutdown(g.lns);
	is_str(replies(&g), "StopCCN", "shutdown: StopCCN");
	is_str(last_result(&g), "6/0", "shutdown: result 6");
	is_str(g.f.events, "sclose close", "shutdown: everything closed at once");
	l2tp_lns_shutdown(g.lns);
	send_sccrq(&g, &p, 0);
	is_str(replies(&g), "", "shutdown: once; new SCCRQs dropped");
	rig_close(&g);
	is_str(g.f.events, "sclose close", "shutdown: free closes nothing more");
	rig_peers[0] = NULL;
	rig_peers[1] = NULL;
}

static void test_demux_drops(void)
{
	static const uint8_t data[] = { 0x40, 0x02, 0x00, 0x0a, 0x12, 0x34, 0x00, 0x01, 0xff, 0x03 };
	struct rig g;
	struct peer p, other;

	rig_open(&g, NULL);
	peer_init(&p, "192.0.2.10", 1701, 0, 1);
	rig_peers[0] = &p;
	establish(&g, &p);
	deliver(&g, &p, data, sizeof(data));
	is_uint(stats(&g).dropped_data, 1, "demux: a data message is dropped");
	deliver(&g, &p, data, 1);
	is_uint(stats(&g).malformed, 1, "demux: one octet is malformed");
	send_plain(&g, &p, 0, L2TP_MSG_HELLO);
	(void)replies(&g);
	other = p;
	other.remote.port = 4500;
	send_plain(&g, &other, 0, L2TP_MSG_HELLO);
	is_uint(stats(&g).dropped_wrong_peer, 1, "demux: our tid from another port is dropped");
	other = p;
	other.mark = 99;
	send_plain(&g, &other, 0, L2TP_MSG_HELLO);
	is_uint(stats(&g).dropped_wrong_peer, 2, "demux: ... and from another mark");
	other = p;
	other.our_tid = (uint16_t)(p.our_tid + 1);
	send_plain(&g, &other, 0, L2TP_MSG_HELLO);
	is_uint(stats(&g).dropped_unknown_tunnel, 1, "demux: unknown tunnel id");
	other.our_tid = 0;
	send_plain(&g, &other, 0, L2TP_MSG_HELLO);
	is_uint(stats(&g).dropped_unknown_tunnel, 2, "demux: Tunnel ID 0 and not an SCCRQ");
	is_str(replies(&g), "", "demux: none of them answered");
	is_str(tunnel_state(&g, &p), "ESTABLISHED", "demux: the tunnel is untouched");
	rig_close(&g);
	rig_peers[0] = NULL;
}

static void test_conf(void)
{
	struct l2tp_lns_conf conf;
	struct l2tp_lns_ops ops = { 0 };
	struct rig g;

	l2tp_lns_conf_default(&conf);
	ok(conf.hello_interval_ms == 60000 && conf.setup_timeout_ms == 30000 &&
		   strcmp(conf.host_name, "l2tpsec") == 0 && conf.secret_len == 0 &&
		   conf.max_tunnels == 4096 && conf.max_sessions_per_tunnel == 16 &&
		   conf.rel.ack_delay_ms == 0,
	   "conf: defaults");
	ok(l2tp_lns_new(NULL, NULL, &conf, &ops) == NULL, "conf: missing ops refused");
	rig_open(&g, NULL);
	conf.max_tunnels = 0;
	is_int(l2tp_lns_conf_update(g.lns, &conf), -EINVAL, "conf: max_tunnels 0 refused");
	l2tp_lns_conf_default(&conf);
	conf.host_name = "other";
	is_int(l2tp_lns_conf_update(g.lns, &conf), 0, "conf: reload");
	struct peer p;
	peer_init(&p, "192.0.2.10", 1701, 0, 1);
	rig_peers[0] = &p;
	send_sccrq(&g, &p, 0);
	(void)replies(&g);
	struct l2tp_hdr hdr;
	const struct l2tp_msg *msg = last_sent(&g, &hdr);
	const struct l2tp_avp *avp = msg ? l2tp_msg_find(msg, 0, L2TP_AVP_HOST_NAME) : NULL;
	ok(avp && avp->value.len == 5 && memcmp(avp->value.p, "other", 5) == 0,
	   "conf: a new tunnel uses the reloaded Host Name");
	rig_close(&g);
	rig_peers[0] = NULL;
}

/* ------------------------------------------------------------ the table walk */

enum { KIND_ZLB = 0, KIND_UNKNOWN_M = 99, KIND_UNKNOWN = 98 };

static const unsigned walk_kinds[] = {
	KIND_ZLB, L2TP_MSG_SCCRQ, L2TP_MSG_SCCRP, L2TP_MSG_SCCCN, L2TP_MSG_STOPCCN,
	L2TP_MSG_HELLO, L2TP_MSG_OCRQ, L2TP_MSG_OCRP, L2TP_MSG_OCCN, L2TP_MSG_ICRQ,
	L2TP_MSG_ICRP, L2TP_MSG_ICCN, L2TP_MSG_CDN, L2TP_MSG_WEN, L2TP_MSG_SLI,
	KIND_UNKNOWN_M, KIND_UNKNOWN,
};

static const char *kind_name(unsigned kind)
{
	static char buf[64];

	if (kind == KIND_ZLB)
		return "ZLB";
	if (kind == KIND_UNKNOWN_M)
		return "type 99 (M)";
	if (kind == KIND_UNKNOWN)
		return "type 99 (no M)";
	snprintf(buf, sizeof(buf), "%s", l2tp_msg_type_name(kind).str);
	return buf;
}

/* One message of each kind, with the AVPs its row requires. */
static void walk_send(struct rig *g, struct peer *p, uint16_t session_id, unsigned kind)
{
	const uint16_t M = L2TP_AVP_FLAG_MANDATORY;
	struct mb m;

	if (kind == KIND_ZLB) {
		send_zlb(g, p);
		return;
	}
	if (kind == KIND_UNKNOWN) {
		mb_begin(&m, p->our_tid, session_id, 0);
		m.zlb = false;
		l2tp_avp_put_u16(&m.wr, 0, 0, L2TP_AVP_MESSAGE_TYPE, 99);
		peer_send(g, p, &m);
		return;
	}
	mb_begin(&m, p->our_tid, session_id, (uint16_t)kind);
	switch (kind) {
	case L2TP_MSG_SCCRQ:
		l2tp_avp_put_u16(&m.wr, M, 0, L2TP_AVP_PROTOCOL_VERSION, 0x0100);
		l2tp_avp_put_string(&m.wr, M, 0, L2TP_AVP_HOST_NAME, "again");
		l2tp_avp_put_u16(&m.wr, M, 0, L2TP_AVP_ASSIGNED_TUNNEL_ID, p->tid);
		break;
	case L2TP_MSG_STOPCCN:
		l2tp_avp_put_u16(&m.wr, M, 0, L2TP_AVP_ASSIGNED_TUNNEL_ID, p->tid);
		l2tp_avp_put_result_code(&m.wr, 1, true, 0, NULL, 0);
		break;
	case L2TP_MSG_ICRQ:
		l2tp_avp_put_u16(&m.wr, M, 0, L2TP_AVP_ASSIGNED_SESSION_ID, 0x4242);
		l2tp_avp_put_u32(&m.wr, M, 0, L2TP_AVP_CALL_SERIAL_NUMBER, 1);
		break;
	case L2TP_MSG_CDN:
		l2tp_avp_put_result_code(&m.wr, 1, true, 0, NULL, 0);
		l2tp_avp_put_u16(&m.wr, M, 0, L2TP_AVP_ASSIGNED_SESSION_ID,
				 session_id ? p->peer_sid : 0x7777);
		break;
	default:
		break;
	}
	peer_send(g, p, &m);
}

struct walk_row {
	const char *state;               /* where the message finds the machine */
	unsigned kind;
	const char *reply;               /* our datagrams ("" none) */
	const char *result;              /* Result Code of the last one ("-" none) */
	const char *after;               /* state after ("gone") */
	const char *events;              /* ops called */
};

static const struct walk_row tunnel_walk[] = {
	{ "WAIT_CTL_CONN", KIND_ZLB, "", "-", "WAIT_CTL_CONN", "" },
	{ "WAIT_CTL_CONN", L2TP_MSG_SCCRQ, "StopCCN", "7/0", "CLOSING", "" },
	{ "WAIT_CTL_CONN", L2TP_MSG_SCCRP, "StopCCN", "7/0", "CLOSING", "" },
	{ "WAIT_CTL_CONN", L2TP_MSG_SCCCN, "ZLB", "-", "ESTABLISHED", "" },
	{ "WAIT_CTL_CONN", L2TP_MSG_STOPCCN, "ZLB", "-", "STOPPED", "" },
	{ "WAIT_CTL_CONN", L2TP_MSG_HELLO, "ZLB", "-", "WAIT_CTL_CONN", "" },
	{ "WAIT_CTL_CONN", L2TP_MSG_OCRQ, "StopCCN", "7/0", "CLOSING", "" },
	{ "WAIT_CTL_CONN", L2TP_MSG_OCRP, "StopCCN", "7/0", "CLOSING", "" },
	{ "WAIT_CTL_CONN", L2TP_MSG_OCCN, "StopCCN", "7/0", "CLOSING", "" },
	{ "WAIT_CTL_CONN", L2TP_MSG_ICRQ, "StopCCN", "7/0", "CLOSING", "" },
	{ "WAIT_CTL_CONN", L2TP_MSG_ICRP, "StopCCN", "7/0", "CLOSING", "" },
	{ "WAIT_CTL_CONN", L2TP_MSG_ICCN, "StopCCN", "7/0", "CLOSING", "" },
	{ "WAIT_CTL_CONN", L2TP_MSG_CDN, "StopCCN", "7/0", "CLOSING", "" },
	{ "WAIT_CTL_CONN", L2TP_MSG_WEN, "StopCCN", "7/0", "CLOSING", "" },
	{ "WAIT_CTL_CONN", L2TP_MSG_SLI, "StopCCN", "7/0", "CLOSING", "" },
	{ "WAIT_CTL_CONN", KIND_UNKNOWN_M, "StopCCN", "2/3", "CLOSING", "" },
	{ "WAIT_CTL_CONN", KIND_UNKNOWN, "ZLB", "-", "WAIT_CTL_CONN", "" },

	/* ESTABLISHED with one open session (session messages below name none). */
	{ "ESTABLISHED", KIND_ZLB, "", "-", "ESTABLISHED", "" },
	{ "ESTABLISHED", L2TP_MSG_SCCRQ, "StopCCN", "7/0", "CLOSING", "sclose" },
	{ "ESTABLISHED", L2TP_MSG_SCCRP, "StopCCN", "7/0", "CLOSING", "sclose" },
	{ "ESTABLISHED", L2TP_MSG_SCCCN, "StopCCN", "7/0", "CLOSING", "sclose" },
	{ "ESTABLISHED", L2TP_MSG_STOPCCN, "ZLB", "-", "STOPPED", "sclose" },
	{ "ESTABLISHED", L2TP_MSG_HELLO, "ZLB", "-", "ESTABLISHED", "" },
	{ "ESTABLISHED", L2TP_MSG_OCRQ, "StopCCN", "7/0", "CLOSING", "sclose" },
	{ "ESTABLISHED", L2TP_MSG_OCRP, "StopCCN", "7/0", "CLOSING", "sclose" },
	{ "ESTABLISHED", L2TP_MSG_OCCN, "StopCCN", "7/0", "CLOSING", "sclose" },
	{ "ESTABLISHED", L2TP_MSG_ICRQ, "ICRP", "-", "ESTABLISHED", "" },
	{ "ESTABLISHED", L2TP_MSG_ICRP, "ZLB", "-", "ESTABLISHED", "" },
	{ "ESTABLISHED", L2TP_MSG_ICCN, "ZLB", "-", "ESTABLISHED", "" },
	{ "ESTABLISHED", L2TP_MSG_CDN, "ZLB", "-", "ESTABLISHED", "" },
	{ "ESTABLISHED", L2TP_MSG_WEN, "ZLB", "-", "ESTABLISHED", "" },
	{ "ESTABLISHED", L2TP_MSG_SLI, "ZLB", "-", "ESTABLISHED", "" },
	{ "ESTABLISHED", KIND_UNKNOWN_M, "StopCCN", "2/3", "CLOSING", "sclose" },
	{ "ESTABLISHED", KIND_UNKNOWN, "ZLB", "-", "ESTABLISHED", "" },

	/* CLOSING: our StopCCN not yet acknowledged (the peer's Nr stays behind it). */
	{ "CLOSING", KIND_ZLB, "", "-", "CLOSING", "" },
	{ "CLOSING", L2TP_MSG_SCCRQ, "ZLB", "-", "CLOSING", "" },
	{ "CLOSING", L2TP_MSG_SCCRP, "ZLB", "-", "CLOSING", "" },
	{ "CLOSING", L2TP_MSG_SCCCN, "ZLB", "-", "CLOSING", "" },
	{ "CLOSING", L2TP_MSG_STOPCCN, "ZLB", "-", "STOPPED", "" },
	{ "CLOSING", L2TP_MSG_HELLO, "ZLB", "-", "CLOSING", "" },
	{ "CLOSING", L2TP_MSG_OCRQ, "ZLB", "-", "CLOSING", "" },
	{ "CLOSING", L2TP_MSG_OCRP, "ZLB", "-", "CLOSING", "" },
	{ "CLOSING", L2TP_MSG_OCCN, "ZLB", "-", "CLOSING", "" },
	{ "CLOSING", L2TP_MSG_ICRQ, "ZLB", "-", "CLOSING", "" },
	{ "CLOSING", L2TP_MSG_ICRP, "ZLB", "-", "CLOSING", "" },
	{ "CLOSING", L2TP_MSG_ICCN, "ZLB", "-", "CLOSING", "" },
	{ "CLOSING", L2TP_MSG_CDN, "ZLB", "-", "CLOSING", "" },
	{ "CLOSING", L2TP_MSG_WEN, "ZLB", "-", "CLOSING", "" },
	{ "CLOSING", L2TP_MSG_SLI, "ZLB", "-", "CLOSING", "" },
	{ "CLOSING", KIND_UNKNOWN_M, "ZLB", "-", "CLOSING", "" },
	{ "CLOSING", KIND_UNKNOWN, "ZLB", "-", "CLOSING", "" },

	/* STOPPED: the peer's StopCCN acknowledged, lingering. */
	{ "STOPPED", KIND_ZLB, "", "-", "STOPPED", "" },
	{ "STOPPED", L2TP_MSG_SCCRQ, "ZLB", "-", "STOPPED", "" },
	{ "STOPPED", L2TP_MSG_SCCRP, "ZLB", "-", "STOPPED", "" },
	{ "STOPPED", L2TP_MSG_SCCCN, "ZLB", "-", "STOPPED", "" },
	{ "STOPPED", L2TP_MSG_STOPCCN, "ZLB", "-", "STOPPED", "" },
	{ "STOPPED", L2TP_MSG_HELLO, "ZLB", "-", "STOPPED", "" },
	{ "STOPPED", L2TP_MSG_OCRQ, "ZLB", "-", "STOPPED", "" },
	{ "STOPPED", L2TP_MSG_OCRP, "ZLB", "-", "STOPPED", "" },
	{ "STOPPED", L2TP_MSG_OCCN, "ZLB", "-", "STOPPED", "" },
	{ "STOPPED", L2TP_MSG_ICRQ, "ZLB", "-", "STOPPED", "" },
	{ "STOPPED", L2TP_MSG_ICRP, "ZLB", "-", "STOPPED", "" },
	{ "STOPPED", L2TP_MSG_ICCN, "ZLB", "-", "STOPPED", "" },
	{ "STOPPED", L2TP_MSG_CDN, "ZLB", "-", "STOPPED", "" },
	{ "STOPPED", L2TP_MSG_WEN, "ZLB", "-", "STOPPED", "" },
	{ "STOPPED", L2TP_MSG_SLI, "ZLB", "-", "STOPPED", "" },
	{ "STOPPED", KIND_UNKNOWN_M, "ZLB", "-", "STOPPED", "" },
	{ "STOPPED", KIND_UNKNOWN, "ZLB", "-", "STOPPED", "" },
};

/* Brings p's tunnel to the named state; false if the name is not a reachable one. */
static bool walk_reach_tunnel(struct rig *g, struct peer *p, const char *state)
{
	send_sccrq(g, p, 0);
	(void)replies(g);
	if (strcmp(state, "WAIT_CTL_CONN") == 0)
		goto done;
	send_plain(g, p, 0, L2TP_MSG_SCCCN);
	(void)replies(g);
	call(g, p, true);
	if (strcmp(state, "ESTABLISHED") == 0)
		goto done;
	if (strcmp(state, "CLOSING") == 0) {
		p->no_ack = true;
		walk_send(g, p, 0, KIND_UNKNOWN_M);
	} else if (strcmp(state, "STOPPED") == 0) {
		send_stopccn(g, p);
	} else {
		return false;
	}
	(void)replies(g);
done:
	events_clear(g);
	return strcmp(tunnel_state(g, p), state) == 0;
}

static void test_tunnel_walk(void)
{
	const struct l2tp_machine *m = l2tp_tunnel_machine();
	size_t reachable_pairs = 0;

	for (size_t i = 0; i < ARRAY_SIZE(tunnel_walk); i++) {
		const struct walk_row *w = &tunnel_walk[i];
		struct rig g;
		struct peer p;
		const char *got;

		rig_open(&g, NULL);
		peer_init(&p, "192.0.2.10", 1701, 0, 1);
		rig_peers[0] = &p;
		ok(walk_reach_tunnel(&g, &p, w->state), "walk: reach %s", w->state);
		walk_send(&g, &p, 0, w->kind);
		(void)ev_run_timers(g.loop);
		got = replies(&g);
		if (strcmp(got, w->reply) != 0 || strcmp(tunnel_state(&g, &p), w->after) != 0 ||
		    strcmp(g.f.events, w->events) != 0 ||
		    (w->result[0] != '-' && strcmp(last_result(&g), w->result) != 0))
			tap_diag("got reply \"%s\" result %s state %s events \"%s\"", got,
				 last_result(&g), tunnel_state(&g, &p), g.f.events);
		ok(strcmp(got, w->reply) == 0 && strcmp(tunnel_state(&g, &p), w->after) == 0 &&
			   strcmp(g.f.events, w->events) == 0 &&
			   (w->result[0] == '-' || strcmp(last_result(&g), w->result) == 0),
		   "walk tunnel %s + %s: reply \"%s\" %s, -> %s, ops \"%s\"", w->state,
		   kind_name(w->kind), w->reply, w->result, w->after, w->events);
		reachable_pairs++;
		rig_close(&g);
		rig_peers[0] = NULL;
	}
	is_int(reachable_pairs, 4 * ARRAY_SIZE(walk_kinds), "walk tunnel: every reachable pair");

	/* IDLE lasts one delivery: its first message is always the SCCRQ that made it (demux). */
	for (size_t k = 1; k < ARRAY_SIZE(walk_kinds); k++) {
		unsigned kind = walk_kinds[k];
		const struct l2tp_row *row = l2tp_machine_find(m, L2TP_TUNNEL_IDLE, kind);
		bool has = kind == L2TP_MSG_SCCRQ || kind == L2TP_MSG_STOPCCN;

		ok(has == (row != NULL), "walk tunnel IDLE + %s: %s", kind_name(kind),
		   has ? "a row" : "no row (StopCCN 7 by tunnel_unexpected)");
	}
}

static const struct walk_row session_walk[] = {
	{ "WAIT_CONNECT", L2TP_MSG_ICRQ, "CDN", "2/6", "gone", "" },
	{ "WAIT_CONNECT", L2TP_MSG_ICRP, "CDN", "2/6", "gone", "" },
	{ "WAIT_CONNECT", L2TP_MSG_ICCN, "ZLB", "-", "ESTABLISHED", "sopen" },
	{ "WAIT_CONNECT", L2TP_MSG_CDN, "ZLB", "-", "gone", "" },
	{ "WAIT_CONNECT", L2TP_MSG_WEN, "ZLB", "-", "WAIT_CONNECT", "" },
	{ "WAIT_CONNECT", L2TP_MSG_SLI, "ZLB", "-", "WAIT_CONNECT", "" },
	{ "WAIT_CONNECT", KIND_ZLB, "", "-", "WAIT_CONNECT", "" },
	{ "ESTABLISHED", L2TP_MSG_ICRQ, "CDN", "2/6", "gone", "sclose" },
	{ "ESTABLISHED", L2TP_MSG_ICRP, "CDN", "2/6", "gone", "sclose" },
	{ "ESTABLISHED", L2TP_MSG_ICCN, "CDN", "2/6", "gone", "sclose" },
	{ "ESTABLISHED", L2TP_MSG_CDN, "ZLB", "-", "gone", "sclose" },
	{ "ESTABLISHED", L2TP_MSG_WEN, "ZLB", "-", "ESTABLISHED", "" },
	{ "ESTABLISHED", L2TP_MSG_SLI, "ZLB", "-", "ESTABLISHED", "" },
	{ "ESTABLISHED", KIND_ZLB, "", "-", "ESTABLISHED", "" },
};

static void test_session_walk(void)
{
	const struct l2tp_machine *m = l2tp_session_machine();
	static const unsigned session_kinds[] = { L2TP_MSG_ICRQ, L2TP_MSG_ICRP, L2TP_MSG_ICCN,
						  L2TP_MSG_CDN, L2TP_MSG_WEN, L2TP_MSG_SLI };

	for (size_t i = 0; i < ARRAY_SIZE(session_walk); i++) {
		const struct walk_row *w = &session_walk[i];
		struct rig g;
		struct peer p;
		const char *got;

		rig_open(&g, NULL);
		peer_init(&p, "192.0.2.10", 1701, 0, 1);
		rig_peers[0] = &p;
		establish(&g, &p);
		call(&g, &p, strcmp(w->state, "ESTABLISHED") == 0);
		events_clear(&g);
		ok(strcmp(session_state(&g, &p), w->state) == 0, "walk: reach session %s", w->state);
		walk_send(&g, &p, p.our_sid, w->kind);
		got = replies(&g);
		if (strcmp(got, w->reply) != 0 || strcmp(session_state(&g, &p), w->after) != 0 ||
		    strcmp(g.f.events, w->events) != 0)
			tap_diag("got reply \"%s\" result %s state %s events \"%s\"", got,
				 last_result(&g), session_state(&g, &p), g.f.events);
		ok(strcmp(got, w->reply) == 0 && strcmp(session_state(&g, &p), w->after) == 0 &&
			   strcmp(g.f.events, w->events) == 0 &&
			   (w->result[0] == '-' || strcmp(last_result(&g), w->result) == 0),
		   "walk session %s + %s: reply \"%s\" %s, -> %s, ops \"%s\"", w->state,
		   kind_name(w->kind), w->reply, w->result, w->after, w->events);
		is_str(tunnel_state(&g, &p), "ESTABLISHED", "walk session: the tunnel stays");
		rig_close(&g);
		rig_peers[0] = NULL;
	}
	/* IDLE lasts one delivery: a session is made for an ICRQ and handles it at once. */
	for (size_t k = 0; k < ARRAY_SIZE(session_kinds); k++) {
		unsigned kind = session_kinds[k];
		bool has = kind == L2TP_MSG_ICRQ || kind == L2TP_MSG_CDN;

		ok(has == (l2tp_machine_find(m, L2TP_SESSION_IDLE, kind) != NULL),
		   "walk session IDLE + %s: %s", kind_name(kind), has ? "a row" : "no row (CDN)");
	}
	ok(l2tp_machine_find(m, L2TP_SESSION_CLOSED, L2TP_MSG_CDN) == NULL,
	   "walk session CLOSED: no rows (freed after the step)");
}

static const char *const debug_names[] = { "l2tp-fsm" };

static void debug_on(struct l2tp_lns_conf *conf)
{
	conf->debug_class = 0;
}

static void test_debug_lines(void)
{
	struct rig g;
	struct peer p;

	rig_open(&g, debug_on);
	log_debug_classes(g.log, debug_names, 1);
	ok(log_debug_set(g.log, "l2tp-fsm") == 0, "debug: class on");
	peer_init(&p, "192.0.2.10", 1701, 0, 1);
	rig_peers[0] = &p;
	establish(&g, &p);
	call(&g, &p, true);
	ok(logged("#5 tun#1: tunnel IDLE -> WAIT_CTL_CONN") &&
		   logged("#5 tun#1: tunnel WAIT_CTL_CONN -> ESTABLISHED"),
	   "debug: one line per tunnel transition");
	ok(logged("#5 tun#1 ses#1: session IDLE -> WAIT_CONNECT") &&
		   logged("#5 tun#1 ses#1: session WAIT_CONNECT -> ESTABLISHED"),
	   "debug: one line per session transition");
	ok(logged("Microsoft Correlation ID"), "debug: the ICRQ line notes the Correlation ID");
	rig_close(&g);
	rig_peers[0] = NULL;
}

/* Every allocation of a whole exchange fails in turn: no crash, no leak, ops stay paired. */
static void test_out_of_memory(void)
{
	bool paired = true, reached_end = false;

	for (unsigned long n = 1; n < 400 && !reached_end; n++) {
		struct rig g;
		struct peer p;

		rig_open(&g, with_secret);
		peer_init(&p, "192.0.2.10", 1701, 0, 1);
		rig_peers[0] = &p;
		unsigned long before = alloc_count();
		alloc_fail_at(n);
		send_sccrq(&g, &p, 0);
		(void)replies(&g);
		if (p.bound) {
			send_plain(&g, &p, 0, L2TP_MSG_SCCCN);
			(void)replies(&g);
			call(&g, &p, true);
			send_cdn(&g, &p, p.our_sid, p.peer_sid);
			send_stopccn(&g, &p);
			advance(&g, 1000);
		}
		reached_end = alloc_count() - before < n;
		alloc_fail_at(0);
		rig_close(&g);
		for (size_t i = 0; i < g.f.tunnel_count; i++)
			paired = paired && g.f.tunnels[i].closes == 1;
		for (size_t i = 0; i < g.f.session_count; i++)
			paired = paired && g.f.sessions[i].closes == 1;
		rig_peers[0] = NULL;
	}
	ok(reached_end, "oom: walked past the last allocation of the exchange");
	ok(paired, "oom: every tunnel_open and session_open closed exactly once");
}

int main(void)
{
	test_conf();
	test_windows_xp();
	test_retransmitted_sccrq();
	test_sccrq_refusals();
	test_limits_and_open_errors();
	test_unknown_mandatory_in_icrq();
	test_tunnel_auth();
	test_hello();
	test_setup_timeouts();
	test_idle();
	test_ipsec_gone_shutdown_disconnect();
	test_demux_drops();
	test_tunnel_walk();
	test_session_walk();
	test_debug_lines();
	test_out_of_memory();
	return tap_done();
}
