/*
 * l2tp_session.h - the incoming-call machine of an LNS (RFC 2661 §7.4.2):
 * ICRQ -> ICRP -> ICCN -> session_open, CDN both ways, SLI and WEN.
 *
 * Rows (state, message: answer -> next state):
 *   IDLE          ICRQ (Assigned Session ID, Call Serial Number): ICRP with
 *                 a random non-zero Session ID unique in the tunnel
 *                 -> WAIT_CONNECT.  Bearer Type, Physical Channel ID,
 *                 Calling/Called Number and Microsoft's Correlation ID
 *                 (vendor 311, M=0) are accepted and not needed.
 *   WAIT_CONNECT  ICCN: ops->session_open -> ESTABLISHED, logged "incoming
 *                 call established"; session_open failing: CDN 2.4.  Tx
 *                 Connect Speed and Framing Type are required by the RFC
 *                 but only logged when missing (lenient).
 *   IDLE, WAIT_CONNECT, ESTABLISHED  CDN: log result, error and message;
 *                 session_close -> CLOSED (rel acks it)
 *   WAIT_CONNECT, ESTABLISHED  SLI, WEN: logged at info (rate-limited),
 *                 acked by rel
 *   anything else (ICRQ, ICRP or ICCN out of turn): CDN result 2 error 6
 *                 "finite state machine error" -> CLOSED
 * A missing required AVP is CDN 2.6 naming it; an unknown mandatory AVP CDN
 * 2.8.  A session not established setup_timeout_ms after its ICRQ gets CDN
 * result 3 (administrative) and closes.  An ICRQ beyond
 * max_sessions_per_tunnel gets CDN result 4 (no facilities, temporary).
 *
 * Routing (by the tunnel, in ESTABLISHED only): ICRQ with header Session ID
 * 0 (or one that names no session) makes a new session; every other session
 * message goes to the session the header names, and a CDN with Session ID 0
 * (the peer never saw our ICRP) to the session whose peer Session ID its
 * Assigned Session ID names.  No such session: ignored, logged, counted.
 *
 * What it must not do: touch the tunnel's state, or call session_close for
 * a session whose session_open failed or never ran.  Ownership: the tunnel
 * lists and owns its sessions; the daemon holds an l2tp_session pointer
 * from session_open until session_close.
 */
#ifndef L2TPSEC_L2TP_L2TP_SESSION_H
#define L2TPSEC_L2TP_L2TP_SESSION_H

#include "l2tp/l2tp_lns_internal.h"

const char *l2tp_session_state_name(unsigned state);

/* The table, for the tests' walk. */
const struct l2tp_machine *l2tp_session_machine(void);

/* ICRQ, ICRP, ICCN, CDN, SLI, WEN: messages the session machine handles. */
bool l2tp_session_message(uint16_t type);

/* One session message in an established tunnel (routing above). */
void l2tp_session_recv(struct l2tp_tunnel *t, const struct l2tp_rx *rx);

/* The session with our ID in t, or NULL. */
struct l2tp_session *l2tp_session_find(const struct l2tp_tunnel *t, uint16_t session_id);

/* session_close if it was opened, unlink, free; sends nothing. */
void l2tp_session_free(struct l2tp_session *s, const char *reason);

/* CDN to the peer, then l2tp_session_free(). */
void l2tp_session_disconnect(struct l2tp_session *s, uint16_t result, uint16_t error,
			     const char *text);

#endif
