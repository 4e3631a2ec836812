/*
 * l2tp_tunnel.h - the control connection machine of an LNS (RFC 2661 §7.2,
 * the responder's half): SCCRQ -> SCCRP -> SCCCN, HELLO, StopCCN both ways,
 * tunnel authentication, and the routing of session messages.
 *
 * Rows (state, message: answer -> next state):
 *   IDLE          SCCRQ (Protocol Version, Host Name, Assigned Tunnel ID):
 *                 SCCRP -> WAIT_CTL_CONN; version not 1.0: StopCCN 5;
 *                 a peer Challenge and no secret, or no memory/randomness:
 *                 StopCCN 4 / 2.4
 *   WAIT_CTL_CONN SCCCN: -> ESTABLISHED (with a secret, its Challenge
 *                 Response must match ours: else StopCCN 4)
 *   WAIT_CTL_CONN, ESTABLISHED  HELLO: ignored (rel acknowledges it)
 *   IDLE, WAIT_CTL_CONN, ESTABLISHED, CLOSING  StopCCN: log it, close every
 *                 session -> STOPPED (rel acks it; the tunnel lingers one
 *                 initial RTO to ack a retransmission, then closes)
 *   ESTABLISHED   ICRQ, ICRP, ICCN, CDN, SLI, WEN: to the session machine
 *                 (l2tp_session.h), not through this table
 *   IDLE, WAIT_CTL_CONN, ESTABLISHED  anything else known: StopCCN 7
 *   CLOSING, STOPPED  anything else: ignored
 * Our StopCCN (an answer above, the setup timeout, shutdown) closes the
 * sessions at once and the tunnel when rel says it was acknowledged (or
 * gave up): CLOSING.  The HELLO timer runs after every datagram from the
 * peer; rel giving up on any message closes everything ("peer vanished").
 *
 * Tunnel authentication (§5.1.1, §4.4.3): with a secret our SCCRP answers
 * the peer's Challenge with MD5(2 || secret || challenge) (2 = SCCRP) and
 * carries our own 16-octet Challenge; the SCCCN must carry MD5(3 || secret
 * || our challenge), compared in constant time.  Without a secret, an
 * SCCRQ with a Challenge is refused with StopCCN 4: we cannot answer, and
 * an SCCRP without the response would be refused by the peer anyway; the
 * line tells the admin why.  (Windows never sends a Challenge.)
 *
 * What it must not do: free a tunnel while one of its entry points is on
 * the stack (closing is deferred to l2tp_tunnel_leave()); send anything
 * after tunnel_close.  Ownership: the engine's tables list the tunnel; the
 * tunnel owns its rel, timers, secret copy and sessions.
 */
#ifndef L2TPSEC_L2TP_L2TP_TUNNEL_H
#define L2TPSEC_L2TP_L2TP_TUNNEL_H

#include "l2tp/l2tp_lns_internal.h"

const char *l2tp_tunnel_state_name(unsigned state);

/* The table, for the tests' walk. */
const struct l2tp_machine *l2tp_tunnel_machine(void);

/*
 * A tunnel for a new SCCRQ (rx holds it parsed): random ID, tunnel_open
 * (retried on -EEXIST), entered in the tables, state IDLE.  NULL when it
 * cannot be made (logged, counted): the SCCRQ is dropped.
 */
struct l2tp_tunnel *l2tp_tunnel_new(struct l2tp_lns *lns, const struct l2tp_lns_rx *in,
				    const struct l2tp_rx *rx);

/* The tunnel an SCCRQ retransmission belongs to, or NULL. */
struct l2tp_tunnel *l2tp_tunnel_find_peer(const struct l2tp_lns *lns, const struct netaddr *remote,
					  uint32_t mark, uint16_t peer_tunnel_id);

/* One datagram for this tunnel: to rel, then the machine.  May close the tunnel. */
void l2tp_tunnel_recv(struct l2tp_tunnel *t, const struct l2tp_rx *rx);

/* Entry-point brackets: leave() closes a tunnel that was doomed meanwhile. */
void l2tp_tunnel_enter(struct l2tp_tunnel *t);
void l2tp_tunnel_leave(struct l2tp_tunnel *t);

/* Arms the idle timer when the tunnel is established without sessions, else cancels it. */
void l2tp_tunnel_idle_check(struct l2tp_tunnel *t);

/* Closes the sessions (session_close), then tunnel_close, frees; sends nothing. Deferred while busy. */
void l2tp_tunnel_close(struct l2tp_tunnel *t, const char *reason);

/* Sends StopCCN (result, error, text), closes the sessions, -> CLOSING; the tunnel goes on its ack. */
void l2tp_tunnel_stop(struct l2tp_tunnel *t, uint16_t result, uint16_t error, const char *text);

/* A finished message to the peer through rel; false (logged) if rel refused it. */
bool l2tp_tunnel_send(struct l2tp_tunnel *t, struct l2tp_tx *tx);

/* MD5(id || secret || challenge): RFC 2661 §4.4.3 with id = the Message Type of the answer. */
bool l2tp_tunnel_chap_md5(uint8_t id, struct wire_span secret, struct wire_span challenge,
			  uint8_t out[L2TP_RESPONSE_LEN]) WARN_UNUSED;

#endif
