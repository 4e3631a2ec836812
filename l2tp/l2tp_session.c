/*
 * l2tp_session.c - the incoming-call machine.  See l2tp_session.h.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "l2tp/l2tp_session.h"
#include "l2tp/l2tp_tunnel.h"
#include "lib/alloc.h"

#define L2TP_STATE_NAME(name, text) text,
static const char *const session_state_names[] = { L2TP_SESSION_STATE_LIST(L2TP_STATE_NAME) };
#undef L2TP_STATE_NAME

const char *l2tp_session_state_name(unsigned state)
{
	return state < ARRAY_SIZE(session_state_names) ? session_state_names[state] : "?";
}

bool l2tp_session_message(uint16_t type)
{
	switch (type) {
	case L2TP_MSG_ICRQ:
	case L2TP_MSG_ICRP:
	case L2TP_MSG_ICCN:
	case L2TP_MSG_CDN:
	case L2TP_MSG_SLI:
	case L2TP_MSG_WEN:
		return true;
	default:
		return false;
	}
}

static struct wire_span session_secret(const struct l2tp_session *s)
{
	return (struct wire_span){ s->tunnel->secret, s->tunnel->secret_len };
}

struct l2tp_session *l2tp_session_find(const struct l2tp_tunnel *t, uint16_t session_id)
{
	struct l2tp_session *s;

	for (s = t->sessions; s; s = s->next)
		if (s->info.session_id == session_id)
			return s;
	return NULL;
}

static struct l2tp_session *session_find_peer(const struct l2tp_tunnel *t,
					      uint16_t peer_session_id)
{
	struct l2tp_session *s;

	for (s = t->sessions; s; s = s->next)
		if (s->info.peer_session_id == peer_session_id)
			return s;
	return NULL;
}

/* ------------------------------------------------------------ state */

static unsigned session_state_of(const void *obj)
{
	return ((const struct l2tp_session *)obj)->state;
}

/* The one place a session changes state. */
static void session_set_state(void *obj, unsigned next)
{
	struct l2tp_session *s = obj;

	L2TP_DBG(s->tunnel->lns, &s->lg, "session %s -> %s", l2tp_session_state_name(s->state),
		 l2tp_session_state_name(next));
	s->state = (enum l2tp_session_state)next;
	if (next == L2TP_SESSION_ESTABLISHED)
		ev_timer_cancel(s->tunnel->lns->loop, &s->setup_due);
}

/* ------------------------------------------------------------ ending */

void l2tp_session_free(struct l2tp_session *s, const char *reason)
{
	struct l2tp_tunnel *t = s->tunnel;
	struct l2tp_lns *lns = t->lns;

	ev_timer_cancel(lns->loop, &s->setup_due);
	if (s->opened) {
		s->opened = false;
		lns->ops.session_close(lns->ops.arg, s->handle, reason);
	}
	*s->pprev = s->next;
	if (s->next)
		s->next->pprev = s->pprev;
	t->session_count--;
	lns->stats.sessions_now--;
	log_msg(&s->lg, LOG_LEVEL_INFO, "session closed (%s)", reason);
	alloc_free(s);
	l2tp_tunnel_idle_check(t);
}

/* CDN for peer_session_id; our_session_id 0 when no session of ours exists. */
static void session_send_cdn(struct l2tp_tunnel *t, uint16_t peer_session_id,
			     uint16_t our_session_id, uint16_t result, uint16_t error,
			     const char *text)
{
	struct l2tp_tx tx;

	l2tp_tx_begin(&tx, t->info.peer_tunnel_id, peer_session_id, L2TP_MSG_CDN);
	l2tp_tx_result(&tx, result, error, text);
	l2tp_avp_put_u16(&tx.wr, L2TP_AVP_FLAG_MANDATORY, L2TP_VENDOR_IETF,
			 L2TP_AVP_ASSIGNED_SESSION_ID, our_session_id);
	if (l2tp_tunnel_send(t, &tx))
		t->lns->stats.cdn_sent++;
}

void l2tp_session_disconnect(struct l2tp_session *s, uint16_t result, uint16_t error,
			     const char *text)
{
	log_msg(&s->lg, LOG_LEVEL_INFO, "sending CDN: result %u (%s), error %u (%s): %s", result,
		l2tp_cdn_result_name(result).str, error, l2tp_error_name(error).str, text);
	session_send_cdn(s->tunnel, s->info.peer_session_id, s->info.session_id, result, error,
			 text);
	l2tp_session_free(s, text);
}

/* ------------------------------------------------------------ handlers */

static struct l2tp_answer session_recv_icrq(void *obj, const struct l2tp_rx *rx)
{
	struct l2tp_session *s = obj;
	struct l2tp_tunnel *t = s->tunnel;
	const struct l2tp_avp *avp;
	enum l2tp_verdict v;
	struct l2tp_tx tx;
	char calling[64];

	avp = l2tp_msg_find(&rx->msg, L2TP_VENDOR_IETF, L2TP_AVP_ASSIGNED_SESSION_ID);
	v = l2tp_lns_avp_u16(session_secret(s), avp, &s->info.peer_session_id);
	if (v != L2TP_OK || s->info.peer_session_id == 0)
		return L2TP_CDN(L2TP_CDN_RESULT_ERROR,
				v != L2TP_OK ? l2tp_verdict_error(v) : L2TP_ERROR_VALUE,
				"bad Assigned Session ID");
	avp = l2tp_msg_find(&rx->msg, L2TP_VENDOR_IETF, L2TP_AVP_CALL_SERIAL_NUMBER);
	v = l2tp_lns_avp_u32(session_secret(s), avp, &s->info.call_serial);
	if (v != L2TP_OK)
		return L2TP_CDN(L2TP_CDN_RESULT_ERROR, l2tp_verdict_error(v),
				"bad Call Serial Number");
	l2tp_lns_avp_sanitized(session_secret(s),
			       l2tp_msg_find(&rx->msg, L2TP_VENDOR_IETF, L2TP_AVP_CALLING_NUMBER),
			       calling, sizeof(calling));
	L2TP_DBG(t->lns, &s->lg,
		 "ICRQ: peer session id %u, call serial %u, calling number \"%s\"%s",
		 s->info.peer_session_id, (unsigned)s->info.call_serial, calling,
		 l2tp_msg_find(&rx->msg, L2TP_VENDOR_MICROSOFT, L2TP_MS_AVP_CORRELATION_ID)
			 ? ", Microsoft Correlation ID" : "");
	l2tp_tx_begin(&tx, t->info.peer_tunnel_id, s->info.peer_session_id, L2TP_MSG_ICRP);
	l2tp_avp_put_u16(&tx.wr, L2TP_AVP_FLAG_MANDATORY, L2TP_VENDOR_IETF,
			 L2TP_AVP_ASSIGNED_SESSION_ID, s->info.session_id);
	if (!l2tp_tunnel_send(t, &tx))
		return L2TP_CDN(L2TP_CDN_RESULT_ERROR, L2TP_ERROR_NO_RESOURCES, "cannot answer");
	return L2TP_ACCEPT;
}

static struct l2tp_answer session_recv_iccn(void *obj, const struct l2tp_rx *rx)
{
	struct l2tp_session *s = obj;
	struct l2tp_tunnel *t = s->tunnel;
	struct l2tp_lns *lns = t->lns;
	bool speed = l2tp_msg_find(&rx->msg, L2TP_VENDOR_IETF, L2TP_AVP_TX_CONNECT_SPEED) != NULL;
	bool framing = l2tp_msg_find(&rx->msg, L2TP_VENDOR_IETF, L2TP_AVP_FRAMING_TYPE) != NULL;
	int err;

	if (!speed || !framing)
		log_msg(&s->lg, LOG_LEVEL_INFO, "ICCN without %s%s%s (RFC 2661 requires it); accepted",
			speed ? "" : "(Tx) Connect Speed", !speed && !framing ? " and " : "",
			framing ? "" : "Framing Type");
	log_msg(&s->lg, LOG_LEVEL_INFO, "incoming call established");
	err = lns->ops.session_open(lns->ops.arg, t->handle, s, &s->handle);
	if (err) {
		log_msg(&s->lg, LOG_LEVEL_WARN, "the session could not be started: %s",
			strerror(-err));
		return L2TP_CDN(L2TP_CDN_RESULT_ERROR, L2TP_ERROR_NO_RESOURCES,
				"cannot start the session");
	}
	s->opened = true;
	return L2TP_ACCEPT;
}

static struct l2tp_answer session_recv_cdn(void *obj, const struct l2tp_rx *rx)
{
	struct l2tp_session *s = obj;
	const struct l2tp_avp *avp = l2tp_msg_find(&rx->msg, L2TP_VENDOR_IETF, L2TP_AVP_RESULT_CODE);
	uint8_t buf[L2TP_AVP_VALUE_MAX];
	struct wire_span value;
	struct l2tp_result result;
	char message[LOG_SANITIZE_MAX] = "";

	s->tunnel->lns->stats.cdn_received++;
	if (avp && l2tp_lns_avp_value(session_secret(s), avp, buf, &value) == L2TP_OK &&
	    l2tp_avp_get_result_code(value, &result) == L2TP_OK) {
		log_sanitize(message, sizeof(message), result.message.p, result.message.len);
		if (result.has_error_code)
			log_msg(&s->lg, LOG_LEVEL_INFO,
				"CDN received: result %u (%s), error %u (%s), message \"%s\"",
				result.result_code, l2tp_cdn_result_name(result.result_code).str,
				result.error_code, l2tp_error_name(result.error_code).str, message);
		else
			log_msg(&s->lg, LOG_LEVEL_INFO, "CDN received: result %u (%s)",
				result.result_code, l2tp_cdn_result_name(result.result_code).str);
	} else {
		log_msg(&s->lg, LOG_LEVEL_INFO, "CDN received without a readable Result Code");
	}
	util_wipe(buf, sizeof(buf));
	s->close_reason = "CDN received";
	return L2TP_ACCEPT;
}

static struct l2tp_answer session_recv_link_info(void *obj, const struct l2tp_rx *rx)
{
	struct l2tp_session *s = obj;
	struct l2tp_lns *lns = s->tunnel->lns;

	log_rl(&s->lg, &lns->rl, LOG_LEVEL_INFO, "%s received; acknowledged, nothing to do",
	       l2tp_msg_type_name(rx->msg.type).str);
	return L2TP_ACCEPT;
}

static struct l2tp_answer session_unexpected(void *obj, const struct l2tp_rx *rx)
{
	struct l2tp_session *s = obj;

	return l2tp_answer_make(L2TP_ANSWER_CDN, L2TP_CDN_RESULT_ERROR, L2TP_ERROR_VENDOR,
				"finite state machine error: %s in state %s",
				l2tp_msg_type_name(rx->msg.type).str,
				l2tp_session_state_name(s->state));
}

#define ICRQ_NEEDS                                                                           \
	(L2TP_NEED(L2TP_AVP_ASSIGNED_SESSION_ID) | L2TP_NEED(L2TP_AVP_CALL_SERIAL_NUMBER))

static const struct l2tp_row session_rows[] = {
	{ L2TP_SESSION_IDLE, L2TP_MSG_ICRQ, ICRQ_NEEDS, session_recv_icrq,
	  L2TP_SESSION_WAIT_CONNECT },
	{ L2TP_SESSION_WAIT_CONNECT, L2TP_MSG_ICCN, 0, session_recv_iccn,
	  L2TP_SESSION_ESTABLISHED },
	{ L2TP_SESSION_IDLE, L2TP_MSG_CDN, 0, session_recv_cdn, L2TP_SESSION_CLOSED },
	{ L2TP_SESSION_WAIT_CONNECT, L2TP_MSG_CDN, 0, session_recv_cdn, L2TP_SESSION_CLOSED },
	{ L2TP_SESSION_ESTABLISHED, L2TP_MSG_CDN, 0, session_recv_cdn, L2TP_SESSION_CLOSED },
	{ L2TP_SESSION_WAIT_CONNECT, L2TP_MSG_SLI, 0, session_recv_link_info,
	  L2TP_SESSION_WAIT_CONNECT },
	{ L2TP_SESSION_ESTABLISHED, L2TP_MSG_SLI, 0, session_recv_link_info,
	  L2TP_SESSION_ESTABLISHED },
	{ L2TP_SESSION_WAIT_CONNECT, L2TP_MSG_WEN, 0, session_recv_link_info,
	  L2TP_SESSION_WAIT_CONNECT },
	{ L2TP_SESSION_ESTABLISHED, L2TP_MSG_WEN, 0, session_recv_link_info,
	  L2TP_SESSION_ESTABLISHED },
};

static const struct l2tp_machine session_machine = {
	.name = "session",
	.rows = session_rows,
	.count = ARRAY_SIZE(session_rows),
	.fail = L2TP_ANSWER_CDN,
	.state_of = session_state_of,
	.set_state = session_set_state,
	.unexpected = session_unexpected,
};

const struct l2tp_machine *l2tp_session_machine(void)
{
	return &session_machine;
}

/* ------------------------------------------------------------ making one */

static void session_on_setup_due(struct ev_timer *timer)
{
	struct l2tp_session *s = container_of(timer, struct l2tp_session, setup_due);
	struct l2tp_tunnel *t = s->tunnel;
	char text[64];

	snprintf(text, sizeof(text), "not established within %u s", t->setup_timeout_ms / 1000);
	l2tp_tunnel_enter(t);
	l2tp_session_disconnect(s, L2TP_CDN_RESULT_ADMIN, 0, text);
	l2tp_tunnel_leave(t);
}

/* A random non-zero Session ID no session of t has; 0 if randomness failed. */
static uint16_t session_pick_id(const struct l2tp_tunnel *t)
{
	uint16_t id = 0;

	for (unsigned tries = 0; tries < 64; tries++) {
		if (!l2tp_random(&id, sizeof(id)))
			return 0;
		if (id != 0 && !l2tp_session_find(t, id))
			return id;
	}
	return 0;
}

static struct l2tp_session *session_new(struct l2tp_tunnel *t)
{
	struct l2tp_lns *lns = t->lns;
	struct l2tp_session *s;
	uint16_t id = session_pick_id(t);

	if (id == 0)
		return NULL;
	s = alloc_zero(sizeof(*s));
	if (!s)
		return NULL;
	s->tunnel = t;
	logger_init(&s->lg, lns->log, &t->lg, "ses#");
	s->info.lg = &s->lg;
	s->info.tunnel = &t->info;
	s->info.session_id = id;
	s->next = t->sessions;
	if (s->next)
		s->next->pprev = &s->next;
	s->pprev = &t->sessions;
	t->sessions = s;
	t->session_count++;
	l2tp_tunnel_idle_check(t);
	ev_timer_init(&s->setup_due, session_on_setup_due);
	ev_timer_arm(lns->loop, &s->setup_due, t->setup_timeout_ms);
	lns->stats.sessions_now++;
	lns->stats.sessions_total++;
	return s;
}

/* ------------------------------------------------------------ receiving */

/* The ICRQ's Assigned Session ID, 0 if absent or unreadable. */
static uint16_t session_icrq_peer_id(const struct l2tp_tunnel *t, const struct l2tp_rx *rx)
{
	struct wire_span secret = { t->secret, t->secret_len };
	const struct l2tp_avp *avp =
		l2tp_msg_find(&rx->msg, L2TP_VENDOR_IETF, L2TP_AVP_ASSIGNED_SESSION_ID);
	uint16_t peer_session_id = 0;

	if (avp && l2tp_lns_avp_u16(secret, avp, &peer_session_id) != L2TP_OK)
		peer_session_id = 0;
	return peer_session_id;
}

/* An ICRQ we cannot take: CDN without a session of ours. */
static void session_refuse_icrq(struct l2tp_tunnel *t, const struct l2tp_rx *rx, uint16_t result,
				uint16_t error, const char *text)
{
	uint16_t peer_session_id = session_icrq_peer_id(t, rx);

	log_rl(&t->lg, &t->lns->rl, LOG_LEVEL_WARN, "ICRQ refused (peer session id %u): %s",
	       peer_session_id, text);
	session_send_cdn(t, peer_session_id, 0, result, error, text);
}

/* The session a non-ICRQ message names, or NULL. */
static struct l2tp_session *session_route(struct l2tp_tunnel *t, const struct l2tp_rx *rx)
{
	struct wire_span secret = { t->secret, t->secret_len };
	const struct l2tp_avp *avp;
	uint16_t peer_session_id;

	if (rx->hdr.session_id != 0)
		return l2tp_session_find(t, rx->hdr.session_id);
	if (rx->msg.type != L2TP_MSG_CDN)
		return NULL;
	avp = l2tp_msg_find(&rx->msg, L2TP_VENDOR_IETF, L2TP_AVP_ASSIGNED_SESSION_ID);
	if (!avp || l2tp_lns_avp_u16(secret, avp, &peer_session_id) != L2TP_OK ||
	    peer_session_id == 0)
		return NULL;
	return session_find_peer(t, peer_session_id);
}

void l2tp_session_recv(struct l2tp_tunnel *t, const struct l2tp_rx *rx)
{
	struct l2tp_lns *lns = t->lns;
	struct l2tp_session *s = session_route(t, rx);
	struct l2tp_answer a;

	if (!s && rx->msg.type == L2TP_MSG_ICRQ) {
		if (t->session_count >= t->max_sessions) {
			session_refuse_icrq(t, rx, L2TP_CDN_RESULT_NO_FACILITIES_TEMPORARY, 0,
					    "too many sessions in this tunnel");
			return;
		}
		s = session_new(t);
		if (!s) {
			session_refuse_icrq(t, rx, L2TP_CDN_RESULT_ERROR, L2TP_ERROR_NO_RESOURCES,
					    "out of memory");
			return;
		}
		/* Early, so that a CDN refusing the ICRQ before its handler reaches the peer's call. */
		s->info.peer_session_id = session_icrq_peer_id(t, rx);
	}
	if (!s) {
		lns->stats.dropped_unknown_session++;
		log_rl(&t->lg, &lns->rl, LOG_LEVEL_INFO,
		       "%s for session %u ignored: no such session (gone already?)",
		       l2tp_msg_type_name(rx->msg.type).str, rx->hdr.session_id);
		return;
	}
	a = l2tp_machine_step(&session_machine, s, rx);
	if (a.kind == L2TP_ANSWER_CDN)
		l2tp_session_disconnect(s, a.result, a.error, a.text);
	else if (a.kind == L2TP_ANSWER_STOP)
		l2tp_tunnel_stop(t, a.result, a.error, a.text);
	else if (s->state == L2TP_SESSION_CLOSED)
		l2tp_session_free(s, s->close_reason ? s->close_reason : "closed");
}
