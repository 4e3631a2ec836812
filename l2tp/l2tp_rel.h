/*
 * l2tp_rel.h - reliable delivery of L2TPv2 control messages (RFC 2661 §5.8
 * and Appendix A): one struct l2tp_rel per control connection (tunnel).
 *
 * Sending: l2tp_rel_send() takes a finished control message, copies it,
 * gives it the next Ns and transmits it while the peer's Receive Window has
 * room; the rest waits in order.  Every datagram put on the wire (new,
 * retransmitted or ZLB) carries the current Nr, so any of them acknowledges
 * what we received.  One timer runs for the oldest unacknowledged message.
 * When it expires, every message still in flight is retransmitted, in order,
 * and the timeout doubles up to rto_max_ms; after max_retries retransmissions
 * without progress, ops->failed() says the peer is gone.  Retransmitting the
 * whole window rather than only the oldest (Appendix A's choice) costs a few
 * datagrams when one was lost, but a loss of several (the common case on the
 * flaky links remote-access users sit on, where a burst drops them all) then
 * recovers in one timeout instead of one per message, and the windows of an
 * LNS are small (4 to 16).  Any acknowledgement of the oldest message resets
 * the backoff.  There is no slow start or congestion avoidance (Appendix A
 * makes them optional): the peer's window is the only limit.
 *
 * Receiving: l2tp_rel_recv() first takes the peer's Nr as a cumulative
 * acknowledgement, then judges Ns against the next one expected, modulo 2^16
 * (a is before b iff (uint16)(b - a) is 1..32767): the expected message is
 * delivered, then any held successors in order; an old one is a duplicate
 * (our acknowledgement was probably lost) and is answered at once with a ZLB;
 * one ahead within our recv_window is held; anything further is dropped.  A
 * ZLB only acknowledges.  When a message was delivered and nothing went out
 * to carry the acknowledgement, a ZLB follows (after ack_delay_ms).
 *
 * What it must not do: parse AVPs, judge message types, know sessions, open
 * sockets, or log above debug (a peer that makes us give up is the owner's
 * line).  It logs no peer bytes, only sequence numbers.
 * Ownership: the owner (the tunnel) owns the struct l2tp_rel and frees it; rel
 * borrows the loop, the logger and ops->arg, which must outlive it, and owns
 * its copies of sent and held messages and its two timers.  Callbacks run
 * from l2tp_rel_send(), l2tp_rel_recv(), l2tp_rel_set_peer() and the timers.
 * The owner may free rel inside deliver() (and then returns false) and inside
 * failed(), never inside xmit().  l2tp_rel_recv() is not re-entrant: deliver()
 * must not feed rel another received datagram.
 */
#ifndef L2TPSEC_L2TP_L2TP_REL_H
#define L2TPSEC_L2TP_L2TP_REL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "l2tp/l2tp_wire.h"
#include "lib/evloop.h"
#include "lib/log.h"
#include "lib/util.h"

enum {
	L2TP_REL_SEND_MAX = 64,          /* messages held for sending: in flight plus waiting */
	L2TP_REL_RECV_WINDOW_MAX = 1024, /* the largest recv_window a conf may ask for */
	L2TP_REL_PEER_WINDOW_DEFAULT = 4, /* RFC 2661 §5.8, when the peer sends no RWS AVP */
};

struct l2tp_rel_conf {
	unsigned recv_window;     /* our Receive Window Size (we advertise it; out-of-order slots), default 8 */
	unsigned rto_initial_ms;  /* first retransmission timeout, default 1000 */
	unsigned rto_max_ms;      /* cap of the exponential backoff, default 8000 */
	unsigned max_retries;     /* retransmissions before giving up, default 5 */
	unsigned ack_delay_ms;    /* wait for a piggy-back before sending a ZLB, default 0 (Android sends ICRQ only after its SCCCN is acked: ack promptly) */
	int debug_class;          /* log_dbg class for the sequence lines; -1 (default): none */
};

void l2tp_rel_conf_default(struct l2tp_rel_conf *conf);

struct l2tp_rel_ops {
	void *arg;
	/* Put one datagram on the wire (a control message with Ns/Nr filled in, or a ZLB). */
	void (*xmit)(void *arg, const uint8_t *msg, size_t len);
	/*
	 * One new control message, in order, not a ZLB: the whole datagram as received.
	 * Return false if the owner freed the rel (or the tunnel) inside this call: rel
	 * then returns at once without touching itself.
	 */
	bool (*deliver)(void *arg, const uint8_t *msg, size_t len);
	/*
	 * max_retries exhausted for the oldest unacknowledged message: the peer is gone.
	 * The owner usually frees everything here (rel does not touch itself after).  A
	 * rel kept alive retransmits nothing more unless an acknowledgement comes.
	 */
	void (*failed)(void *arg);
};

struct l2tp_rel;

/*
 * A reliable channel with nothing sent or received yet (next Ns 0, next Nr 0),
 * the peer's tunnel ID 0 and window 4 until l2tp_rel_set_peer().  conf is
 * copied; ops is copied; lg is borrowed.  NULL with errno EINVAL for a conf
 * out of range (recv_window 0 or above L2TP_REL_RECV_WINDOW_MAX, rto_initial_ms
 * 0, rto_max_ms below rto_initial_ms, an op missing), ENOMEM on failure.
 */
struct l2tp_rel *l2tp_rel_new(struct ev_loop *loop, const struct l2tp_rel_conf *conf,
			      const struct l2tp_rel_ops *ops, const struct logger *lg) WARN_UNUSED;

/* Cancels the timers and frees every queued or held copy; NULL is a no-op. */
void l2tp_rel_free(struct l2tp_rel *rel);

/*
 * The peer's Assigned Tunnel ID (goes in the header of the ZLBs rel builds)
 * and its Receive Window Size (the RWS AVP; L2TP_REL_PEER_WINDOW_DEFAULT when
 * absent, RFC 2661 §5.8; 0 is treated as 1; more than L2TP_REL_SEND_MAX
 * cannot be used).  A wider window sends waiting messages at once.
 */
void l2tp_rel_set_peer(struct l2tp_rel *rel, uint16_t peer_tunnel_id, uint16_t peer_window);

/*
 * Sends a finished control message (built with l2tp_ctrl_begin/..._finish,
 * Ns/Nr as 0): rel copies it, assigns the next Ns, writes the current Nr into
 * bytes 10..11 (Ns into 8..9), and transmits it if the peer's window has room,
 * else queues it.  Each retransmission carries the then current Nr.
 * 0; -EINVAL if msg is not one well-formed control message with a body (a
 * ZLB is not sent this way), -ENOBUFS if L2TP_REL_SEND_MAX messages are
 * already held, -ENOMEM.  On error nothing changed (no Ns was used).
 */
int l2tp_rel_send(struct l2tp_rel *rel, const uint8_t *msg, size_t len) WARN_UNUSED;

/*
 * One received control datagram of this tunnel, header already parsed (hdr
 * from l2tp_hdr_parse() on these bytes; anything but a control header with
 * sequence numbers is ignored).  Processes Nr (acknowledges, frees acked
 * copies, resets the backoff, sends waiting messages into the opened window;
 * an Nr acknowledging something never sent is ignored), then Ns as the top
 * of this file says.  Returns false if a callback freed the rel: the caller
 * must then not touch it either.
 */
bool l2tp_rel_recv(struct l2tp_rel *rel, const struct l2tp_hdr *hdr, const uint8_t *msg,
		   size_t len);

/* Nothing sent is still unacknowledged and nothing is queued (e.g. StopCCN was acked). */
bool l2tp_rel_idle(const struct l2tp_rel *rel);

/* The next Ns we expect from the peer (the Nr we send). */
uint16_t l2tp_rel_next_recv(const struct l2tp_rel *rel);

/* The Ns the next l2tp_rel_send() will assign. */
uint16_t l2tp_rel_next_send(const struct l2tp_rel *rel);

struct l2tp_rel_stats {
	uint64_t sent;          /* control messages transmitted the first time */
	uint64_t retransmitted; /* retransmissions of them */
	uint64_t zlb_sent;
	uint64_t delivered;     /* messages handed to deliver() */
	uint64_t duplicates;    /* old Ns, or an Ns already held: not delivered */
	uint64_t out_of_order;  /* held for later: ahead within recv_window */
	uint64_t out_of_window; /* dropped: further ahead than recv_window */
	uint64_t acked;         /* our messages the peer acknowledged */
};

void l2tp_rel_stats(const struct l2tp_rel *rel, struct l2tp_rel_stats *out);

#endif
