/*
 * l2tp_lns.h - the L2TPv2 LNS engine (RFC 2661): what the daemon calls.
 *
 * The daemon owns the sockets, the kernel and pppd; the engine owns the
 * protocol.  The daemon hands every control datagram that arrived through
 * one of our IPsec SAs to l2tp_lns_recv() with the SA's mark; the engine
 * demultiplexes it (header Tunnel ID 0: an SCCRQ, anything else is dropped;
 * otherwise our tunnel by its ID, from the address and mark it was created
 * with), runs the control connection machine (l2tp_tunnel.h) and the
 * incoming-call machine (l2tp_session.h) on top of reliable delivery
 * (l2tp_rel.h), and asks the daemon through ops to open and close tunnel
 * sockets and kernel tunnels, to send datagrams, and to start and stop the
 * PPP side of a session.  It only answers: it never starts a tunnel or a
 * call, never sends an outgoing call, and speaks only the LNS side.
 *
 * Objects and their identities: a tunnel is our Tunnel ID (random, non-zero,
 * unique among ours and in the kernel), found in an array indexed by the ID;
 * a retransmitted SCCRQ is recognised by (remote address:port, mark, peer's
 * Assigned Tunnel ID).  A session is our Session ID within its tunnel.
 * Loggers: "tun#N" under the IPsec SA's logger given with the SCCRQ
 * ("#5 tun#1"), "ses#N" under its tunnel ("#5 tun#1 ses#1").
 *
 * Outcomes (the machines' headers list each row):
 * - unknown message type with M set on its Message Type AVP: StopCCN result
 *   2 error 3 (RFC 2661 §4.4.1 "the tunnel MUST be cleared"); without M:
 *   ignored (acknowledged by rel).
 * - an unknown AVP with M set: StopCCN (tunnel message) or CDN (session
 *   message), result 2 error 8 (§4.1).
 * - a required AVP missing: StopCCN/CDN result 2 error 6 with an error
 *   message naming the AVP (RFC 2661 has no code for it; xl2tpd answers the
 *   same way); a required AVP with a bad value: result 2 with the codec's
 *   error (2 or 3).
 * - a known message the state does not expect: StopCCN result 7 (tunnel
 *   level; §7.2 answers every unexpected message with StopCCN) or CDN result
 *   2 error 6 "finite state machine error" (session level, §7.4.2); while
 *   our StopCCN waits for its acknowledgement, or after the peer's StopCCN,
 *   every message is ignored.
 * - a session message (ICRP, ICCN, CDN, SLI, WEN) naming no session of ours:
 *   ignored and logged (rate-limited): the session is already gone.
 *
 * What it must not do: touch a socket, the kernel, a file or pppd; log a
 * secret or an unsanitized peer string; crash or leak on any input.
 * Ownership: the daemon owns the loop and the log context (both must
 * outlive the engine) and the conf it passes (copied, the secret into a
 * buffer wiped on free).  The engine owns every tunnel and session; the
 * daemon owns its handles.  The ops must not call back into the engine
 * (they run inside it); l2tp_lns_session_disconnect() and the others are
 * for the daemon's own events.
 */
#ifndef L2TPSEC_L2TP_L2TP_LNS_H
#define L2TPSEC_L2TP_L2TP_LNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "l2tp/l2tp_rel.h"
#include "lib/evloop.h"
#include "lib/log.h"
#include "lib/netaddr.h"
#include "lib/util.h"

enum {
	L2TP_LNS_SECRET_MAX = 256,      /* longest tunnel secret */
	L2TP_LNS_HOST_NAME_MAX = 255,   /* longest Host Name we send */
	L2TP_LNS_PEER_STRING_MAX = 64,  /* sanitized peer strings in the info views */
};

struct l2tp_lns_conf {
	struct l2tp_rel_conf rel;
	unsigned hello_interval_ms;      /* 60000; HELLO after this long without a message from the peer */
	unsigned setup_timeout_ms;       /* 30000: a tunnel or session not established by then is dropped */
	unsigned idle_timeout_ms;        /* 10000: an established tunnel without a session this long gets StopCCN; 0: never */
	const char *host_name;           /* our Host Name AVP, default "l2tpsec" */
	const uint8_t *secret;           /* tunnel secret; 0 length: none (Windows has none) */
	size_t secret_len;
	unsigned max_tunnels;            /* 4096 */
	unsigned max_sessions_per_tunnel;/* 16 */
	int debug_class;                 /* log_dbg class of the machines; -1 none */
};

void l2tp_lns_conf_default(struct l2tp_lns_conf *conf);

struct l2tp_lns;
struct l2tp_tunnel;   /* opaque */
struct l2tp_session;  /* opaque */

struct l2tp_tunnel_info {            /* read-only view for the daemon */
	uint16_t tunnel_id, peer_tunnel_id;
	struct netaddr local, remote;    /* where the SCCRQ arrived, and from */
	uint32_t mark;                   /* the IPsec SA mark it came through (0 = clear, tests only) */
	const struct logger *lg;         /* "#5 tun#1" */
	char peer_host_name[L2TP_LNS_PEER_STRING_MAX];   /* sanitized, NUL-terminated */
	char peer_vendor_name[L2TP_LNS_PEER_STRING_MAX];
};

struct l2tp_session_info {
	uint16_t session_id, peer_session_id;
	uint32_t call_serial;
	const struct l2tp_tunnel_info *tunnel;
	const struct logger *lg;         /* "#5 tun#1 ses#1" */
};

struct l2tp_lns_ops {
	void *arg;
	/*
	 * A valid-looking SCCRQ is being accepted: open the tunnel's UDP socket
	 * (bound to t->local, connected to t->remote, marked t->mark) and create
	 * the kernel tunnel (our id, peer id).  0; -EEXIST: our tunnel id is
	 * taken in the kernel (the engine picks another random id and calls
	 * again, up to L2TP_LNS_OPEN_TRIES times); other -errno: the engine logs
	 * and drops the SCCRQ (the peer retransmits).  *handle is the daemon's.
	 */
	int (*tunnel_open)(void *arg, const struct l2tp_tunnel_info *t, void **handle);
	/* One datagram out on the tunnel's socket. */
	void (*tunnel_send)(void *arg, void *handle, const uint8_t *msg, size_t len);
	/*
	 * The tunnel is gone (any reason): close its socket, delete the kernel
	 * tunnel.  Once per successful tunnel_open.  peer_gone: the peer stopped
	 * acknowledging (HELLO or our StopCCN went unanswered): the daemon may
	 * end the IPsec SA that carried it too.
	 */
	void (*tunnel_close)(void *arg, void *handle, const char *reason, bool peer_gone);
	/* ICCN accepted: kernel session + PPPoL2TP socket + pppd.  0 or -errno (the engine sends CDN result 2 error 4). */
	int (*session_open)(void *arg, void *tunnel_handle, struct l2tp_session *s, void **handle);
	/*
	 * The session is gone (CDN either way, tunnel down, ...): stop pppd,
	 * delete the kernel session.  Once per successful session_open, before
	 * its tunnel's tunnel_close.
	 */
	void (*session_close)(void *arg, void *handle, const char *reason);
};

enum { L2TP_LNS_OPEN_TRIES = 8 };

/* NULL on a conf out of range (errno EINVAL), a missing op, or no memory. */
struct l2tp_lns *l2tp_lns_new(struct ev_loop *loop, struct log_ctx *log,
			      const struct l2tp_lns_conf *conf,
			      const struct l2tp_lns_ops *ops) WARN_UNUSED;

/* Closes every session and tunnel through ops (sessions first), sends nothing.  NULL is a no-op. */
void l2tp_lns_free(struct l2tp_lns *lns);

/* Reload: new tunnels use it; running tunnels keep their secret, timers and windows.  0 or -EINVAL/-ENOMEM. */
int l2tp_lns_conf_update(struct l2tp_lns *lns, const struct l2tp_lns_conf *conf) WARN_UNUSED;

struct l2tp_lns_rx {                 /* one control datagram as the daemon received it */
	const uint8_t *msg;
	size_t len;
	struct netaddr local, remote;
	uint32_t mark;                   /* skb mark = the IPsec SA's mark (0: clear) */
	const struct logger *parent;     /* the IPsec SA's logger "#5" (NULL: none) - parent of "tun#" */
};

void l2tp_lns_recv(struct l2tp_lns *lns, const struct l2tp_lns_rx *rx);

const struct l2tp_session_info *l2tp_session_get_info(const struct l2tp_session *s);

/*
 * pppd exited, or the admin ended it: CDN to the peer with this result/error
 * (why goes in the Error Message), then session_close.  s must be a live
 * session (one the daemon got from session_open and has not seen closed).
 */
void l2tp_lns_session_disconnect(struct l2tp_lns *lns, struct l2tp_session *s,
				 uint16_t result_code, uint16_t error_code, const char *why);

/* The IPsec SA with this mark is gone: its tunnels end without sending anything. */
void l2tp_lns_ipsec_gone(struct l2tp_lns *lns, uint32_t mark);

/* The daemon (an admin's kill) ends a tunnel: StopCCN with this result, its sessions closed,
 * tunnel_close once the StopCCN is acknowledged (or given up on).  -ENOENT: no such tunnel. */
int l2tp_lns_tunnel_stop(struct l2tp_lns *lns, uint16_t tunnel_id, uint16_t result_code,
			 const char *why);

/* The client's traffic now comes with new_mark (a new IPsec SA replaced the old one, e.g. a
 * Quick Mode rekey): tunnels of old_mark take it, so its loss no longer ends them. */
void l2tp_lns_ipsec_replaced(struct l2tp_lns *lns, uint32_t old_mark, uint32_t new_mark);

/*
 * SIGTERM: StopCCN (result 6, shutting down) to every tunnel, once, no
 * waiting; then everything closes through ops.  Later datagrams are dropped.
 */
void l2tp_lns_shutdown(struct l2tp_lns *lns);

struct l2tp_lns_stats {
	uint64_t datagrams;
	uint64_t malformed;              /* header or AVPs did not parse */
	uint64_t dropped_unknown_tunnel; /* no tunnel of that ID; Tunnel ID 0 but not an SCCRQ */
	uint64_t dropped_wrong_peer;     /* our tunnel ID from another address, port or mark */
	uint64_t dropped_data;           /* data messages (T=0): the kernel's business */
	uint64_t dropped_limit;          /* SCCRQ refused: max_tunnels, or tunnel_open failed */
	uint64_t dropped_unknown_session;/* a session message naming no session of ours */
	uint64_t tunnels_now, sessions_now, tunnels_total, sessions_total;
	uint64_t stopccn_sent, stopccn_received, cdn_sent, cdn_received;
	uint64_t hello_timeouts;         /* tunnels closed because rel gave up */
};

void l2tp_lns_stats(const struct l2tp_lns *lns, struct l2tp_lns_stats *out);

#endif
