/*
 * fuzz_l2tp_lns.c - libFuzzer target: any bytes as a script of datagrams
 * into the LNS engine, linked with the daemon's own libl2tplns.a, libl2tprel.a
 * and libl2tp.a, on a manual clock, through ops that only check.
 *
 * Before the script, a well-formed peer has an established tunnel with one
 * open session (so the fuzzer starts deep in both machines).  Each step is
 * an opcode byte and operands:
 *   0: a datagram of (next byte) octets as it is, from the peer
 *   1: the same with header Tunnel ID, Session ID, Ns and Nr patched to the
 *      established tunnel's and the next expected, so it passes rel
 *   2: the same from another address (wrong peer)
 *   3: time passes (next byte * 250 ms), timers run
 *   4: the daemon disconnects the session, if it is open
 *   5: the IPsec SA goes away
 * Invariants, checked in the ops: tunnel_send only on an open tunnel and
 * always a well-formed control datagram; session_open only on an open
 * tunnel; every close exactly once, sessions before their tunnel; at the end
 * (after l2tp_lns_free) everything opened was closed.  Any broken invariant
 * aborts; ASan catches the rest.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "l2tp/l2tp_lns.h"
#include "l2tp/l2tp_wire.h"
#include "lib/clock.h"
#include "lib/evloop.h"
#include "lib/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_OBJECTS 64

struct fuzz_rig {
	struct clock clock;
	struct ev_loop *loop;
	struct log_ctx *log;
	struct l2tp_lns *lns;
	struct netaddr local, remote;
	bool tunnel_open[FUZZ_OBJECTS];
	unsigned tunnel_sessions[FUZZ_OBJECTS];
	uint16_t tunnel_ids[FUZZ_OBJECTS];
	size_t tunnels;
	bool session_open[FUZZ_OBJECTS];
	size_t session_tunnel[FUZZ_OBJECTS];
	struct l2tp_session *session[FUZZ_OBJECTS];
	size_t sessions;
	uint16_t next_nr;             /* what the peer acknowledges */
	uint16_t icrp_session_id;     /* the Assigned Session ID of our last ICRP */
};

static void fuzz_assert(bool condition)
{
	if (!condition)
		abort();
}

static int fuzz_tunnel_open(void *arg, const struct l2tp_tunnel_info *t, void **handle)
{
	struct fuzz_rig *r = arg;

	fuzz_assert(t->tunnel_id != 0);
	if (r->tunnels == FUZZ_OBJECTS)
		return -12;
	r->tunnel_open[r->tunnels] = true;
	r->tunnel_ids[r->tunnels] = t->tunnel_id;
	*handle = (void *)(uintptr_t)(r->tunnels + 1);
	r->tunnels++;
	return 0;
}

static void fuzz_tunnel_send(void *arg, void *handle, const uint8_t *msg, size_t len)
{
	struct fuzz_rig *r = arg;
	size_t i = (uintptr_t)handle - 1;
	struct l2tp_hdr hdr;

	fuzz_assert(i < r->tunnels && r->tunnel_open[i]);
	fuzz_assert(l2tp_hdr_parse((struct wire_span){ msg, len }, &hdr) == L2TP_OK);
	fuzz_assert(hdr.control && hdr.trailing == 0);
	if (i == 0 && hdr.payload.len) {
		static struct l2tp_msg m;
		const struct l2tp_avp *avp;

		r->next_nr = (uint16_t)(hdr.ns + 1);
		fuzz_assert(l2tp_msg_parse(hdr.payload, &m) == L2TP_OK);
		avp = l2tp_msg_find(&m, 0, L2TP_AVP_ASSIGNED_SESSION_ID);
		if (m.type == L2TP_MSG_ICRP && avp &&
		    l2tp_avp_get_u16(avp->value, &r->icrp_session_id) != L2TP_OK)
			r->icrp_session_id = 0;
	}
}

static void fuzz_tunnel_close(void *arg, void *handle, const char *reason, bool peer_gone)
{
	struct fuzz_rig *r = arg;
	size_t i = (uintptr_t)handle - 1;

	fuzz_assert(i < r->tunnels && r->tunnel_open[i] && r->tunnel_sessions[i] == 0);
	r->tunnel_open[i] = false;
}

static int fuzz_session_open(void *arg, void *tunnel_handle, struct l2tp_session *s,
			     void **handle)
{
	struct fuzz_rig *r = arg;
	size_t t = (uintptr_t)tunnel_handle - 1;

	fuzz_assert(t < r->tunnels && r->tunnel_open[t]);
	fuzz_assert(l2tp_session_get_info(s)->session_id != 0);
	if (r->sessions == FUZZ_OBJECTS)
		return -12;
	r->session_open[r->sessions] = true;
	r->session_tunnel[r->sessions] = t;
	r->session[r->sessions] = s;
	r->tunnel_sessions[t]++;
	*handle = (void *)(uintptr_t)(r->sessions + 1);
	r->sessions++;
	return 0;
}

static void fuzz_session_close(void *arg, void *handle, const char *reason)
{
	struct fuzz_rig *r = arg;
	size_t i = (uintptr_t)handle - 1;

	fuzz_assert(reason != NULL);
	fuzz_assert(i < r->sessions && r->session_open[i]);
	r->session_open[i] = false;
	r->tunnel_sessions[r->session_tunnel[i]]--;
}

static void fuzz_deliver(struct fuzz_rig *r, const uint8_t *msg, size_t len, bool wrong_peer)
{
	struct l2tp_lns_rx rx = { .msg = msg, .len = len, .local = r->local, .remote = r->remote,
				  .mark = 1 };

	if (wrong_peer)
		rx.remote.port = 4500;
	l2tp_lns_recv(r->lns, &rx);
}

/* A well-formed message from the peer of tunnel 0 with what its type needs; Nr the next expected. */
static void fuzz_peer(struct fuzz_rig *r, uint16_t session_id, uint16_t type, uint16_t ns)
{
	uint8_t buf[256];
	struct wire_wr wr = wire_wr_init(buf, sizeof(buf));
	size_t start = l2tp_ctrl_begin(&wr, type == L2TP_MSG_SCCRQ ? 0 : r->tunnel_ids[0],
				       session_id);
	const uint16_t M = L2TP_AVP_FLAG_MANDATORY;

	l2tp_avp_put_message_type(&wr, type);
	if (type == L2TP_MSG_SCCRQ) {
		l2tp_avp_put_u16(&wr, M, 0, L2TP_AVP_PROTOCOL_VERSION, 0x0100);
		l2tp_avp_put_string(&wr, M, 0, L2TP_AVP_HOST_NAME, "fuzz");
		l2tp_avp_put_u16(&wr, M, 0, L2TP_AVP_ASSIGNED_TUNNEL_ID, 7);
	} else if (type == L2TP_MSG_ICRQ) {
		l2tp_avp_put_u16(&wr, M, 0, L2TP_AVP_ASSIGNED_SESSION_ID, 5);
		l2tp_avp_put_u32(&wr, M, 0, L2TP_AVP_CALL_SERIAL_NUMBER, 1);
	}
	l2tp_ctrl_finish(&wr, start, ns, r->next_nr);
	fuzz_assert(wire_wr_ok(&wr));
	fuzz_deliver(r, buf, wr.len, false);
}

/* Tunnel 0 established with session 0 open; returns the peer's next Ns. */
static uint16_t fuzz_setup(struct fuzz_rig *r)
{
	fuzz_peer(r, 0, L2TP_MSG_SCCRQ, 0);
	fuzz_assert(r->tunnels == 1);
	fuzz_peer(r, 0, L2TP_MSG_SCCCN, 1);
	fuzz_peer(r, 0, L2TP_MSG_ICRQ, 2);
	fuzz_assert(r->icrp_session_id != 0);
	fuzz_peer(r, r->icrp_session_id, L2TP_MSG_ICCN, 3);
	fuzz_assert(r->sessions == 1);
	return 4;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fuzz_rig r;
	struct l2tp_lns_conf conf;
	struct l2tp_lns_ops ops = { .arg = &r, .tunnel_open = fuzz_tunnel_open,
				    .tunnel_send = fuzz_tunnel_send,
				    .tunnel_close = fuzz_tunnel_close,
				    .session_open = fuzz_session_open,
				    .session_close = fuzz_session_close };
	uint8_t buf[512];
	uint16_t ns;
	size_t off = 0;

	memset(&r, 0, sizeof(r));
	clock_init_manual(&r.clock, 1000);
	r.loop = ev_loop_new(&r.clock);
	r.log = log_ctx_new(&r.clock);
	fuzz_assert(r.loop && r.log);
	fuzz_assert(netaddr_parse(&r.local, "192.0.2.1", 1701));
	fuzz_assert(netaddr_parse(&r.remote, "192.0.2.10", 1701));
	l2tp_lns_conf_default(&conf);
	conf.max_tunnels = 8;
	r.lns = l2tp_lns_new(r.loop, r.log, &conf, &ops);
	fuzz_assert(r.lns != NULL);
	ns = fuzz_setup(&r);

	while (off < size) {
		uint8_t op = data[off++] % 6;
		size_t len;

		switch (op) {
		case 0:
		case 1:
		case 2:
			if (off >= size)
				break;
			len = data[off++];
			if (len > size - off)
				len = size - off;
			memcpy(buf, data + off, len);
			off += len;
			if (op == 1 && len >= 12 && r.tunnels) {
				buf[4] = (uint8_t)(r.tunnel_ids[0] >> 8);
				buf[5] = (uint8_t)r.tunnel_ids[0];
				buf[8] = (uint8_t)(ns >> 8);
				buf[9] = (uint8_t)ns;
				buf[10] = (uint8_t)(r.next_nr >> 8);
				buf[11] = (uint8_t)r.next_nr;
				ns++;
			}
			fuzz_deliver(&r, buf, len, op == 2);
			break;
		case 3:
			if (off < size)
				clock_advance(&r.clock, (uint64_t)data[off++] * 250);
			(void)ev_run_timers(r.loop);
			break;
		case 4:
			for (size_t i = 0; i < r.sessions; i++)
				if (r.session_open[i]) {
					l2tp_lns_session_disconnect(r.lns, r.session[i], 2, 6, "fuzz");
					break;
				}
			break;
		case 5:
			l2tp_lns_ipsec_gone(r.lns, 1);
			break;
		}
	}
	l2tp_lns_free(r.lns);
	for (size_t i = 0; i < r.tunnels; i++)
		fuzz_assert(!r.tunnel_open[i]);
	for (size_t i = 0; i < r.sessions; i++)
		fuzz_assert(!r.session_open[i]);
	log_ctx_free(r.log);
	ev_loop_free(r.loop);
	return 0;
}
