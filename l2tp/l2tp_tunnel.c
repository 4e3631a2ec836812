/*
 * l2tp_tunnel.c - the control connection machine.  See l2tp_tunnel.h.
 */
#include "config.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "l2tp/l2tp_session.h"
#include "l2tp/l2tp_tunnel.h"
#include "lib/alloc.h"

#define L2TP_STATE_NAME(name, text) text,
static const char *const tunnel_state_names[] = { L2TP_TUNNEL_STATE_LIST(L2TP_STATE_NAME) };
#undef L2TP_STATE_NAME

const char *l2tp_tunnel_state_name(unsigned state)
{
	return state < ARRAY_SIZE(tunnel_state_names) ? tunnel_state_names[state] : "?";
}

static struct wire_span tunnel_secret(const struct l2tp_tunnel *t)
{
	return (struct wire_span){ t->secret, t->secret_len };
}

/* ------------------------------------------------------------ state */

static unsigned tunnel_state_of(const void *obj)
{
	return ((const struct l2tp_tunnel *)obj)->state;
}

static void tunnel_established(struct l2tp_tunnel *t)
{
	char addr[NETADDR_STRLEN];

	ev_timer_cancel(t->lns->loop, &t->setup_due);
	l2tp_tunnel_idle_check(t);
	log_msg(&t->lg, LOG_LEVEL_INFO,
		"L2TP tunnel established with %s host \"%s\" vendor \"%s\" (peer tid %u, our tid %u)",
		netaddr_format(&t->info.remote, addr), t->info.peer_host_name,
		t->info.peer_vendor_name, t->info.peer_tunnel_id, t->info.tunnel_id);
}

/* The one place a tunnel changes state. */
static void tunnel_set_state(void *obj, unsigned next)
{
	struct l2tp_tunnel *t = obj;

	L2TP_DBG(t->lns, &t->lg, "tunnel %s -> %s", l2tp_tunnel_state_name(t->state),
		 l2tp_tunnel_state_name(next));
	t->state = (enum l2tp_tunnel_state)next;
	if (next == L2TP_TUNNEL_ESTABLISHED)
		tunnel_established(t);
}

/* ------------------------------------------------------------ sending */

bool l2tp_tunnel_send(struct l2tp_tunnel *t, struct l2tp_tx *tx)
{
	int err;

	l2tp_ctrl_finish(&tx->wr, tx->start, 0, 0);
	if (!wire_wr_ok(&tx->wr)) {
		log_msg(&t->lg, LOG_LEVEL_ERR, "control message too large to build (a bug)");
		return false;
	}
	err = l2tp_rel_send(t->rel, tx->buf, tx->wr.len);
	if (err) {
		log_msg(&t->lg, LOG_LEVEL_ERR, "cannot queue a control message: %s", strerror(-err));
		return false;
	}
	return true;
}

bool l2tp_tunnel_chap_md5(uint8_t id, struct wire_span secret, struct wire_span challenge,
			  uint8_t out[L2TP_RESPONSE_LEN])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int len = 0;
	bool ok;

	if (!ctx)
		return false;
	ok = EVP_DigestInit_ex(ctx, EVP_md5(), NULL) == 1 && EVP_DigestUpdate(ctx, &id, 1) == 1 &&
	     EVP_DigestUpdate(ctx, secret.p, secret.len) == 1 &&
	     EVP_DigestUpdate(ctx, challenge.p, challenge.len) == 1 &&
	     EVP_DigestFinal_ex(ctx, out, &len) == 1 && len == L2TP_RESPONSE_LEN;
	EVP_MD_CTX_free(ctx);
	if (!ok)
		util_wipe(out, L2TP_RESPONSE_LEN);
	return ok;
}

/* ------------------------------------------------------------ closing */

static void tunnel_close_sessions(struct l2tp_tunnel *t, const char *reason)
{
	while (t->sessions)
		l2tp_session_free(t->sessions, reason);
}

static void tunnel_unlink(struct l2tp_tunnel *t)
{
	struct l2tp_lns *lns = t->lns;

	if (t->pprev) {
		*t->pprev = t->next;
		if (t->next)
			t->next->pprev = t->pprev;
		t->pprev = NULL;
	}
	if (t->pprev_by_peer) {
		*t->pprev_by_peer = t->next_by_peer;
		if (t->next_by_peer)
			t->next_by_peer->pprev_by_peer = t->pprev_by_peer;
		t->pprev_by_peer = NULL;
	}
	if (t->info.tunnel_id && lns->by_id[t->info.tunnel_id] == t)
		lns->by_id[t->info.tunnel_id] = NULL;
}

/* Frees a tunnel that was never opened or entered (l2tp_tunnel_new's unwinding). */
static void tunnel_free_unopened(struct l2tp_tunnel *t)
{
	l2tp_rel_free(t->rel);
	alloc_free_wipe(t->secret, t->secret_len);
	alloc_free(t->doomed_reason);
	alloc_free(t);
}

void l2tp_tunnel_close(struct l2tp_tunnel *t, const char *reason)
{
	struct l2tp_lns *lns = t->lns;

	if (t->busy) {
		if (!t->doomed)
			t->doomed_reason = alloc_strdup(reason);
		t->doomed = true;
		return;
	}
	tunnel_close_sessions(t, reason);
	ev_timer_cancel(lns->loop, &t->hello_due);
	ev_timer_cancel(lns->loop, &t->setup_due);
	ev_timer_cancel(lns->loop, &t->linger_due);
	ev_timer_cancel(lns->loop, &t->idle_due);
	tunnel_unlink(t);
	log_msg(&t->lg, LOG_LEVEL_INFO, "L2TP tunnel closed (%s)", reason);
	if (t->opened)
		lns->ops.tunnel_close(lns->ops.arg, t->handle, reason, t->peer_gone);
	lns->stats.tunnels_now--;
	tunnel_free_unopened(t);
}

void l2tp_tunnel_enter(struct l2tp_tunnel *t)
{
	t->busy++;
}

void l2tp_tunnel_leave(struct l2tp_tunnel *t)
{
	char reason[96];

	if (--t->busy > 0 || !t->doomed)
		return;
	snprintf(reason, sizeof(reason), "%s", t->doomed_reason ? t->doomed_reason : "closed");
	alloc_free(t->doomed_reason);
	t->doomed_reason = NULL;
	l2tp_tunnel_close(t, reason);
}

void l2tp_tunnel_stop(struct l2tp_tunnel *t, uint16_t result, uint16_t error, const char *text)
{
	struct l2tp_lns *lns = t->lns;
	struct l2tp_tx tx;

	if (t->state == L2TP_TUNNEL_CLOSING || t->state == L2TP_TUNNEL_STOPPED)
		return;
	log_msg(&t->lg, LOG_LEVEL_INFO, "sending StopCCN: result %u (%s), error %u (%s): %s",
		result, l2tp_stopccn_result_name(result).str, error, l2tp_error_name(error).str,
		text);
	l2tp_tx_begin(&tx, t->info.peer_tunnel_id, 0, L2TP_MSG_STOPCCN);
	l2tp_avp_put_u16(&tx.wr, L2TP_AVP_FLAG_MANDATORY, L2TP_VENDOR_IETF,
			 L2TP_AVP_ASSIGNED_TUNNEL_ID, t->info.tunnel_id);
	l2tp_tx_result(&tx, result, error, text);
	tunnel_close_sessions(t, "tunnel stopping");
	ev_timer_cancel(lns->loop, &t->hello_due);
	ev_timer_cancel(lns->loop, &t->setup_due);
	ev_timer_cancel(lns->loop, &t->idle_due);
	tunnel_set_state(t, L2TP_TUNNEL_CLOSING);
	if (l2tp_tunnel_send(t, &tx))
		lns->stats.stopccn_sent++;
	else
		l2tp_tunnel_close(t, "StopCCN could not be sent");
}

/* ------------------------------------------------------------ handlers */

/* Reads the SCCRQ's Challenge, if any, into *challenge (a view into buf or the message). */
static enum l2tp_verdict tunnel_sccrq_challenge(const struct l2tp_tunnel *t,
						const struct l2tp_rx *rx,
						uint8_t buf[L2TP_AVP_VALUE_MAX],
						struct wire_span *challenge)
{
	const struct l2tp_avp *avp = l2tp_msg_find(&rx->msg, L2TP_VENDOR_IETF, L2TP_AVP_CHALLENGE);
	struct wire_span value;
	enum l2tp_verdict v;

	*challenge = (struct wire_span){ NULL, 0 };
	if (!avp)
		return L2TP_OK;
	v = l2tp_lns_avp_value(tunnel_secret(t), avp, buf, &value);
	if (v == L2TP_OK)
		v = l2tp_avp_get_challenge(value, challenge);
	return v;
}

static bool tunnel_send_sccrp(struct l2tp_tunnel *t, struct wire_span peer_challenge)
{
	struct l2tp_lns *lns = t->lns;
	uint8_t response[L2TP_RESPONSE_LEN];
	uint8_t version[2] = { 1, 0 };
	struct l2tp_tx tx;
	bool ok;

	l2tp_tx_begin(&tx, t->info.peer_tunnel_id, 0, L2TP_MSG_SCCRP);
	l2tp_avp_put_bytes(&tx.wr, L2TP_AVP_FLAG_MANDATORY, L2TP_VENDOR_IETF,
			   L2TP_AVP_PROTOCOL_VERSION, version, sizeof(version));
	l2tp_avp_put_u32(&tx.wr, L2TP_AVP_FLAG_MANDATORY, L2TP_VENDOR_IETF,
			 L2TP_AVP_FRAMING_CAPABILITIES, 3); /* synchronous and asynchronous */
	l2tp_avp_put_u16(&tx.wr, 0, L2TP_VENDOR_IETF, L2TP_AVP_FIRMWARE_REVISION,
			 l2tp_lns_firmware_revision());
	l2tp_avp_put_string(&tx.wr, L2TP_AVP_FLAG_MANDATORY, L2TP_VENDOR_IETF, L2TP_AVP_HOST_NAME,
			    lns->host_name);
	l2tp_avp_put_string(&tx.wr, 0, L2TP_VENDOR_IETF, L2TP_AVP_VENDOR_NAME, "l2tpsec");
	l2tp_avp_put_u16(&tx.wr, L2TP_AVP_FLAG_MANDATORY, L2TP_VENDOR_IETF,
			 L2TP_AVP_ASSIGNED_TUNNEL_ID, t->info.tunnel_id);
	l2tp_avp_put_u16(&tx.wr, L2TP_AVP_FLAG_MANDATORY, L2TP_VENDOR_IETF,
			 L2TP_AVP_RECEIVE_WINDOW_SIZE, (uint16_t)lns->conf.rel.recv_window);
	if (t->secret_len > 0) {
		l2tp_avp_put_bytes(&tx.wr, L2TP_AVP_FLAG_MANDATORY, L2TP_VENDOR_IETF,
				   L2TP_AVP_CHALLENGE, t->challenge, sizeof(t->challenge));
		if (peer_challenge.len > 0) {
			if (!l2tp_tunnel_chap_md5(L2TP_MSG_SCCRP, tunnel_secret(t), peer_challenge,
						  response))
				return false;
			l2tp_avp_put_bytes(&tx.wr, L2TP_AVP_FLAG_MANDATORY, L2TP_VENDOR_IETF,
					   L2TP_AVP_CHALLENGE_RESPONSE, response, sizeof(response));
		}
	}
	ok = l2tp_tunnel_send(t, &tx);
	util_wipe(response, sizeof(response));
	return ok;
}

static struct l2tp_answer tunnel_recv_sccrq(void *obj, const struct l2tp_rx *rx)
{
	struct l2tp_tunnel *t = obj;
	uint8_t buf[L2TP_AVP_VALUE_MAX], version = 0, revision = 0;
	struct wire_span value, challenge;
	const struct l2tp_avp *avp;
	enum l2tp_verdict v;
	uint16_t peer_tunnel_id;
	struct l2tp_answer a = L2TP_ACCEPT;

	avp = l2tp_msg_find(&rx->msg, L2TP_VENDOR_IETF, L2TP_AVP_PROTOCOL_VERSION);
	v = l2tp_lns_avp_value(tunnel_secret(t), avp, buf, &value);
	if (v == L2TP_OK)
		v = l2tp_avp_get_protocol_version(value, &version, &revision);
	if (v != L2TP_OK || version != 1 || revision != 0)
		return l2tp_answer_make(L2TP_ANSWER_STOP, L2TP_STOPCCN_RESULT_BAD_VERSION, 0,
					"protocol version %u.%u not supported: only 1.0",
					version, revision);
	avp = l2tp_msg_find(&rx->msg, L2TP_VENDOR_IETF, L2TP_AVP_HOST_NAME);
	v = l2tp_lns_avp_value(tunnel_secret(t), avp, buf, &value);
	if (v == L2TP_OK)
		v = l2tp_avp_get_string(value, 1, &value);
	if (v != L2TP_OK)
		return L2TP_STOP(L2TP_STOPCCN_RESULT_ERROR, l2tp_verdict_error(v), "bad Host Name");
	avp = l2tp_msg_find(&rx->msg, L2TP_VENDOR_IETF, L2TP_AVP_ASSIGNED_TUNNEL_ID);
	v = l2tp_lns_avp_u16(tunnel_secret(t), avp, &peer_tunnel_id);
	if (v != L2TP_OK || peer_tunnel_id == 0)
		return L2TP_STOP(L2TP_STOPCCN_RESULT_ERROR,
				 v != L2TP_OK ? l2tp_verdict_error(v) : L2TP_ERROR_VALUE,
				 "bad Assigned Tunnel ID");
	v = tunnel_sccrq_challenge(t, rx, buf, &challenge);
	if (v != L2TP_OK)
		a = L2TP_STOP(L2TP_STOPCCN_RESULT_ERROR, l2tp_verdict_error(v), "bad Challenge");
	else if (challenge.len > 0 && t->secret_len == 0) {
		log_msg(&t->lg, LOG_LEVEL_NOTICE,
			"peer asks for tunnel authentication (Challenge) but no tunnel secret is configured");
		a = L2TP_STOP(L2TP_STOPCCN_RESULT_NOT_AUTHORIZED, 0,
			      "tunnel authentication requested; no secret configured");
	} else if (!tunnel_send_sccrp(t, challenge)) {
		l2tp_tunnel_close(t, "SCCRP could not be sent");
		a = L2TP_IGNORE;
	}
	util_wipe(buf, sizeof(buf));
	return a;
}

static struct l2tp_answer tunnel_recv_scccn(void *obj, const struct l2tp_rx *rx)
{
	struct l2tp_tunnel *t = obj;
	uint8_t buf[L2TP_AVP_VALUE_MAX], expected[L2TP_RESPONSE_LEN];
	const struct l2tp_avp *avp;
	struct wire_span value = { NULL, 0 };
	bool match;

	if (t->secret_len == 0)
		return L2TP_ACCEPT;
	avp = l2tp_msg_find(&rx->msg, L2TP_VENDOR_IETF, L2TP_AVP_CHALLENGE_RESPONSE);
	if (!avp || l2tp_lns_avp_value(tunnel_secret(t), avp, buf, &value) != L2TP_OK)
		value = (struct wire_span){ NULL, 0 };
	match = value.len == L2TP_RESPONSE_LEN &&
		l2tp_tunnel_chap_md5(L2TP_MSG_SCCCN, tunnel_secret(t),
				     (struct wire_span){ t->challenge, sizeof(t->challenge) },
				     expected) &&
		CRYPTO_memcmp(expected, value.p, L2TP_RESPONSE_LEN) == 0;
	util_wipe(buf, sizeof(buf));
	util_wipe(expected, sizeof(expected));
	if (match)
		return L2TP_ACCEPT;
	log_msg(&t->lg, LOG_LEVEL_NOTICE,
		"tunnel authentication failed: %s Challenge Response in SCCCN (mismatch of tunnel secrets?)",
		avp ? "wrong" : "no");
	return L2TP_STOP(L2TP_STOPCCN_RESULT_NOT_AUTHORIZED, 0, "tunnel authentication failed");
}

static struct l2tp_answer tunnel_recv_hello(void *obj, const struct l2tp_rx *rx)
{
	struct l2tp_tunnel *t = obj;

	(void)rx;
	L2TP_DBG(t->lns, &t->lg, "HELLO from the peer");
	return L2TP_ACCEPT;
}

static struct l2tp_answer tunnel_recv_stopccn(void *obj, const struct l2tp_rx *rx)
{
	struct l2tp_tunnel *t = obj;
	struct l2tp_lns *lns = t->lns;
	const struct l2tp_avp *avp = l2tp_msg_find(&rx->msg, L2TP_VENDOR_IETF, L2TP_AVP_RESULT_CODE);
	uint8_t buf[L2TP_AVP_VALUE_MAX];
	struct wire_span value;
	struct l2tp_result result;
	char message[LOG_SANITIZE_MAX] = "";

	lns->stats.stopccn_received++;
	if (avp && l2tp_lns_avp_value(tunnel_secret(t), avp, buf, &value) == L2TP_OK &&
	    l2tp_avp_get_result_code(value, &result) == L2TP_OK) {
		log_sanitize(message, sizeof(message), result.message.p, result.message.len);
		if (result.has_error_code)
			log_msg(&t->lg, LOG_LEVEL_INFO,
				"StopCCN received: result %u (%s), error %u (%s), message \"%s\"",
				result.result_code,
				l2tp_stopccn_result_name(result.result_code).str,
				result.error_code, l2tp_error_name(result.error_code).str, message);
		else
			log_msg(&t->lg, LOG_LEVEL_INFO, "StopCCN received: result %u (%s)",
				result.result_code,
				l2tp_stopccn_result_name(result.result_code).str);
	} else {
		log_msg(&t->lg, LOG_LEVEL_INFO, "StopCCN received without a readable Result Code");
	}
	util_wipe(buf, sizeof(buf));
	tunnel_close_sessions(t, "StopCCN received");
	ev_timer_cancel(lns->loop, &t->hello_due);
	ev_timer_cancel(lns->loop, &t->setup_due);
	/* rel acknowledges it; the state stays a while for a retransmitted StopCCN. */
	ev_timer_arm(lns->loop, &t->linger_due, t->linger_ms);
	return L2TP_ACCEPT;
}

static struct l2tp_answer tunnel_unexpected(void *obj, const struct l2tp_rx *rx)
{
	struct l2tp_tunnel *t = obj;

	if (t->state == L2TP_TUNNEL_CLOSING || t->state == L2TP_TUNNEL_STOPPED)
		return L2TP_IGNORE;
	return l2tp_answer_make(L2TP_ANSWER_STOP, L2TP_STOPCCN_RESULT_FSM_ERROR, 0,
				"%s unexpected in state %s",
				l2tp_msg_type_name(rx->msg.type).str,
				l2tp_tunnel_state_name(t->state));
}

#define SCCRQ_NEEDS                                                                          \
	(L2TP_NEED(L2TP_AVP_PROTOCOL_VERSION) | L2TP_NEED(L2TP_AVP_HOST_NAME) |              \
	 L2TP_NEED(L2TP_AVP_ASSIGNED_TUNNEL_ID))

static const struct l2tp_row tunnel_rows[] = {
	{ L2TP_TUNNEL_IDLE, L2TP_MSG_SCCRQ, SCCRQ_NEEDS, tunnel_recv_sccrq,
	  L2TP_TUNNEL_WAIT_CTL_CONN },
	{ L2TP_TUNNEL_WAIT_CTL_CONN, L2TP_MSG_SCCCN, 0, tunnel_recv_scccn,
	  L2TP_TUNNEL_ESTABLISHED },
	{ L2TP_TUNNEL_WAIT_CTL_CONN, L2TP_MSG_HELLO, 0, tunnel_recv_hello,
	  L2TP_TUNNEL_WAIT_CTL_CONN },
	{ L2TP_TUNNEL_ESTABLISHED, L2TP_MSG_HELLO, 0, tunnel_recv_hello, L2TP_TUNNEL_ESTABLISHED },
	{ L2TP_TUNNEL_IDLE, L2TP_MSG_STOPCCN, 0, tunnel_recv_stopccn, L2TP_TUNNEL_STOPPED },
	{ L2TP_TUNNEL_WAIT_CTL_CONN, L2TP_MSG_STOPCCN, 0, tunnel_recv_stopccn, L2TP_TUNNEL_STOPPED },
	{ L2TP_TUNNEL_ESTABLISHED, L2TP_MSG_STOPCCN, 0, tunnel_recv_stopccn, L2TP_TUNNEL_STOPPED },
	{ L2TP_TUNNEL_CLOSING, L2TP_MSG_STOPCCN, 0, tunnel_recv_stopccn, L2TP_TUNNEL_STOPPED },
};

static const struct l2tp_machine tunnel_machine = {
	.name = "tunnel",
	.rows = tunnel_rows,
	.count = ARRAY_SIZE(tunnel_rows),
	.fail = L2TP_ANSWER_STOP,
	.state_of = tunnel_state_of,
	.set_state = tunnel_set_state,
	.unexpected = tunnel_unexpected,
};

const struct l2tp_machine *l2tp_tunnel_machine(void)
{
	return &tunnel_machine;
}

/* ------------------------------------------------------------ receiving */

/* rel's deliver(): one new in-order message of this tunnel. */
static bool tunnel_deliver(void *arg, const uint8_t *msg, size_t len)
{
	struct l2tp_tunnel *t = arg;
	struct l2tp_lns *lns = t->lns;
	struct l2tp_rx rx;
	struct l2tp_answer a;
	enum l2tp_verdict v;

	rx.datagram = msg;
	rx.len = len;
	v = l2tp_hdr_parse((struct wire_span){ msg, len }, &rx.hdr);
	if (v == L2TP_OK)
		v = l2tp_msg_parse(rx.hdr.payload, &rx.msg);
	if (v != L2TP_OK || rx.msg.zlb) {
		lns->stats.malformed++;
		if (v != L2TP_OK && l2tp_verdict_error(v) != L2TP_ERROR_NONE)
			l2tp_tunnel_stop(t, L2TP_STOPCCN_RESULT_ERROR, (uint16_t)l2tp_verdict_error(v),
					 l2tp_verdict_text(v));
		return true;
	}
	if (t->doomed ||
	    ((t->state == L2TP_TUNNEL_CLOSING || t->state == L2TP_TUNNEL_STOPPED) &&
	     rx.msg.type != L2TP_MSG_STOPCCN)) {
		L2TP_DBG(lns, &t->lg, "%s ignored: the tunnel is closing",
			 l2tp_msg_type_name(rx.msg.type).str);
		return true;
	}
	if (!l2tp_msg_type_known(rx.msg.type)) {
		if (rx.msg.avps[0].mandatory) {
			a = l2tp_answer_make(L2TP_ANSWER_STOP, L2TP_STOPCCN_RESULT_ERROR,
					     L2TP_ERROR_VALUE, "unknown message type %u with M set",
					     rx.msg.type);
			l2tp_tunnel_stop(t, a.result, a.error, a.text);
		} else {
			log_rl(&t->lg, &lns->rl, LOG_LEVEL_INFO,
			       "unknown message type %u (M not set) ignored", rx.msg.type);
		}
		return true;
	}
	if (t->state == L2TP_TUNNEL_ESTABLISHED && l2tp_session_message(rx.msg.type)) {
		l2tp_session_recv(t, &rx);
		return true;
	}
	a = l2tp_machine_step(&tunnel_machine, t, &rx);
	if (a.kind == L2TP_ANSWER_STOP || a.kind == L2TP_ANSWER_CDN)
		l2tp_tunnel_stop(t, a.result, a.error, a.text);
	return true;
}

void l2tp_tunnel_recv(struct l2tp_tunnel *t, const struct l2tp_rx *rx)
{
	struct l2tp_lns *lns = t->lns;

	l2tp_tunnel_enter(t);
	if (t->state != L2TP_TUNNEL_CLOSING && t->state != L2TP_TUNNEL_STOPPED)
		ev_timer_arm(lns->loop, &t->hello_due, t->hello_interval_ms);
	/* deliver() never frees the tunnel (closing waits for leave()), so rel stays valid. */
	(void)l2tp_rel_recv(t->rel, &rx->hdr, rx->datagram, rx->len);
	if (t->state == L2TP_TUNNEL_CLOSING && l2tp_rel_idle(t->rel))
		l2tp_tunnel_close(t, "StopCCN acknowledged");
	l2tp_tunnel_leave(t);
}

/* ------------------------------------------------------------ rel and timers */

static void tunnel_xmit(void *arg, const uint8_t *msg, size_t len)
{
	struct l2tp_tunnel *t = arg;

	t->lns->ops.tunnel_send(t->lns->ops.arg, t->handle, msg, len);
}

static void tunnel_rel_failed(void *arg)
{
	struct l2tp_tunnel *t = arg;
	struct l2tp_lns *lns = t->lns;

	l2tp_tunnel_enter(t);
	if (t->state == L2TP_TUNNEL_CLOSING) {
		log_msg(&t->lg, LOG_LEVEL_INFO,
			"StopCCN not acknowledged after %u retransmissions; closing tunnel",
			lns->conf.rel.max_retries);
	} else {
		lns->stats.hello_timeouts++;
		log_msg(&t->lg, LOG_LEVEL_NOTICE,
			"peer vanished: no acknowledgement after %u retransmissions; closing tunnel",
			lns->conf.rel.max_retries);
	}
	t->peer_gone = true;
	l2tp_tunnel_close(t, "peer vanished");
	l2tp_tunnel_leave(t);
}

static void tunnel_on_hello_due(struct ev_timer *timer)
{
	struct l2tp_tunnel *t = container_of(timer, struct l2tp_tunnel, hello_due);
	struct l2tp_tx tx;

	if (t->state != L2TP_TUNNEL_WAIT_CTL_CONN && t->state != L2TP_TUNNEL_ESTABLISHED)
		return;
	/* Something unacknowledged is in flight already: its retransmissions decide. */
	if (!l2tp_rel_idle(t->rel)) {
		ev_timer_arm(t->lns->loop, &t->hello_due, t->hello_interval_ms);
		return;
	}
	l2tp_tunnel_enter(t);
	L2TP_DBG(t->lns, &t->lg, "no message from the peer for %u ms: HELLO",
		 t->hello_interval_ms);
	l2tp_tx_begin(&tx, t->info.peer_tunnel_id, 0, L2TP_MSG_HELLO);
	if (l2tp_tunnel_send(t, &tx))
		ev_timer_arm(t->lns->loop, &t->hello_due, t->hello_interval_ms);
	else
		l2tp_tunnel_close(t, "HELLO could not be sent");
	l2tp_tunnel_leave(t);
}

static void tunnel_on_setup_due(struct ev_timer *timer)
{
	struct l2tp_tunnel *t = container_of(timer, struct l2tp_tunnel, setup_due);
	char text[64];

	if (t->state != L2TP_TUNNEL_IDLE && t->state != L2TP_TUNNEL_WAIT_CTL_CONN)
		return;
	l2tp_tunnel_enter(t);
	snprintf(text, sizeof(text), "not established within %u s", t->setup_timeout_ms / 1000);
	log_msg(&t->lg, LOG_LEVEL_INFO, "tunnel %s", text);
	l2tp_tunnel_stop(t, L2TP_STOPCCN_RESULT_CLEAR, 0, text);
	l2tp_tunnel_leave(t);
}

/* An established tunnel whose last session ended (or that never had one) waits this long. */
void l2tp_tunnel_idle_check(struct l2tp_tunnel *t)
{
	struct l2tp_lns *lns = t->lns;

	if (t->state == L2TP_TUNNEL_ESTABLISHED && t->session_count == 0 && t->idle_timeout_ms)
		ev_timer_arm(lns->loop, &t->idle_due, t->idle_timeout_ms);
	else
		ev_timer_cancel(lns->loop, &t->idle_due);
}

static void tunnel_on_idle_due(struct ev_timer *timer)
{
	struct l2tp_tunnel *t = container_of(timer, struct l2tp_tunnel, idle_due);
	char text[64];

	if (t->state != L2TP_TUNNEL_ESTABLISHED || t->session_count)
		return;
	l2tp_tunnel_enter(t);
	snprintf(text, sizeof(text), "no session for %u s", t->idle_timeout_ms / 1000);
	log_msg(&t->lg, LOG_LEVEL_INFO, "closing the tunnel: %s", text);
	l2tp_tunnel_stop(t, L2TP_STOPCCN_RESULT_CLEAR, 0, text);
	l2tp_tunnel_leave(t);
}

static void tunnel_on_linger_due(struct ev_timer *timer)
{
	struct l2tp_tunnel *t = container_of(timer, struct l2tp_tunnel, linger_due);

	l2tp_tunnel_close(t, "StopCCN received");
}

/* ------------------------------------------------------------ making one */

static uint32_t tunnel_peer_bucket(const struct l2tp_lns *lns, const struct netaddr *remote,
				   uint32_t mark, uint16_t peer_tunnel_id)
{
	uint32_t h = netaddr_hash(remote, lns->peer_seed);

	h ^= mark * 0x9e3779b1u;
	h = (h ^ (h >> 15)) * 0x85ebca6bu;
	h ^= peer_tunnel_id * 0xc2b2ae35u;
	h ^= h >> 13;
	return h % L2TP_PEER_BUCKETS;
}

struct l2tp_tunnel *l2tp_tunnel_find_peer(const struct l2tp_lns *lns, const struct netaddr *remote,
					  uint32_t mark, uint16_t peer_tunnel_id)
{
	struct l2tp_tunnel *t = lns->by_peer[tunnel_peer_bucket(lns, remote, mark, peer_tunnel_id)];

	for (; t; t = t->next_by_peer)
		if (t->info.peer_tunnel_id == peer_tunnel_id && t->info.mark == mark &&
		    netaddr_equal(&t->info.remote, remote))
			return t;
	return NULL;
}

/* A random non-zero Tunnel ID that none of our tunnels has; 0 if randomness failed. */
static uint16_t tunnel_pick_id(const struct l2tp_lns *lns)
{
	uint16_t id = 0;

	for (unsigned tries = 0; tries < 64; tries++) {
		if (!l2tp_random(&id, sizeof(id)))
			return 0;
		if (id != 0 && !lns->by_id[id])
			return id;
	}
	/* Nearly full: walk from the last random pick (max_tunnels leaves free slots). */
	for (unsigned n = 0; n < L2TP_TUNNEL_IDS; n++, id++)
		if (id != 0 && !lns->by_id[id])
			return id;
	return 0;
}

/* Peer ID, window, names from the SCCRQ (unchecked: the machine judges them). */
static void tunnel_read_sccrq(struct l2tp_tunnel *t, const struct l2tp_rx *rx,
			      uint16_t *peer_window)
{
	struct wire_span secret = tunnel_secret(t);
	const struct l2tp_avp *avp;

	avp = l2tp_msg_find(&rx->msg, L2TP_VENDOR_IETF, L2TP_AVP_ASSIGNED_TUNNEL_ID);
	if (!avp || l2tp_lns_avp_u16(secret, avp, &t->info.peer_tunnel_id) != L2TP_OK)
		t->info.peer_tunnel_id = 0;
	avp = l2tp_msg_find(&rx->msg, L2TP_VENDOR_IETF, L2TP_AVP_RECEIVE_WINDOW_SIZE);
	if (!avp || l2tp_lns_avp_u16(secret, avp, peer_window) != L2TP_OK)
		*peer_window = L2TP_REL_PEER_WINDOW_DEFAULT;
	l2tp_lns_avp_sanitized(secret, l2tp_msg_find(&rx->msg, L2TP_VENDOR_IETF, L2TP_AVP_HOST_NAME),
			       t->info.peer_host_name, sizeof(t->info.peer_host_name));
	l2tp_lns_avp_sanitized(secret,
			       l2tp_msg_find(&rx->msg, L2TP_VENDOR_IETF, L2TP_AVP_VENDOR_NAME),
			       t->info.peer_vendor_name, sizeof(t->info.peer_vendor_name));
}

/* tunnel_open with a fresh random ID until the kernel takes one; 0 or -errno. */
static int tunnel_open(struct l2tp_tunnel *t)
{
	struct l2tp_lns *lns = t->lns;
	int err = -EEXIST;

	for (unsigned tries = 0; tries < L2TP_LNS_OPEN_TRIES && err == -EEXIST; tries++) {
		t->info.tunnel_id = tunnel_pick_id(lns);
		if (t->info.tunnel_id == 0)
			return -EAGAIN;
		err = lns->ops.tunnel_open(lns->ops.arg, &t->info, &t->handle);
		if (err == -EEXIST)
			L2TP_DBG(lns, &t->lg, "tunnel id %u taken in the kernel; another",
				 t->info.tunnel_id);
	}
	return err;
}

struct l2tp_tunnel *l2tp_tunnel_new(struct l2tp_lns *lns, const struct l2tp_lns_rx *in,
				    const struct l2tp_rx *rx)
{
	struct l2tp_rel_ops rel_ops = { .xmit = tunnel_xmit, .deliver = tunnel_deliver,
					.failed = tunnel_rel_failed };
	struct l2tp_tunnel *t = alloc_zero(sizeof(*t));
	char addr[NETADDR_STRLEN];
	uint16_t peer_window = L2TP_REL_PEER_WINDOW_DEFAULT;
	uint32_t bucket;
	int err;

	if (!t)
		goto err_nomem;
	t->lns = lns;
	rel_ops.arg = t;
	logger_init(&t->lg, lns->log, in->parent, "tun#");
	t->info.lg = &t->lg;
	t->info.local = in->local;
	t->info.remote = in->remote;
	t->info.mark = in->mark;
	t->hello_interval_ms = lns->conf.hello_interval_ms;
	t->setup_timeout_ms = lns->conf.setup_timeout_ms;
	t->idle_timeout_ms = lns->conf.idle_timeout_ms;
	t->linger_ms = lns->conf.rel.ack_delay_ms + lns->conf.rel.rto_initial_ms;
	t->max_sessions = lns->conf.max_sessions_per_tunnel;
	if (lns->conf.secret_len > 0) {
		t->secret = alloc_memdup(lns->secret, lns->conf.secret_len);
		if (!t->secret)
			goto err_free;
		t->secret_len = lns->conf.secret_len;
		if (!l2tp_random(t->challenge, sizeof(t->challenge)))
			goto err_free;
	}
	tunnel_read_sccrq(t, rx, &peer_window);
	t->rel = l2tp_rel_new(lns->loop, &lns->conf.rel, &rel_ops, &t->lg);
	if (!t->rel)
		goto err_free;
	err = tunnel_open(t);
	if (err) {
		lns->stats.dropped_limit++;
		log_rl(&t->lg, &lns->rl, LOG_LEVEL_WARN,
		       "SCCRQ from %s dropped: the tunnel could not be opened: %s",
		       netaddr_format(&in->remote, addr), strerror(-err));
		tunnel_free_unopened(t);
		return NULL;
	}
	t->opened = true;
	l2tp_rel_set_peer(t->rel, t->info.peer_tunnel_id, peer_window);
	lns->by_id[t->info.tunnel_id] = t;
	t->next = lns->tunnels;
	if (t->next)
		t->next->pprev = &t->next;
	t->pprev = &lns->tunnels;
	lns->tunnels = t;
	bucket = tunnel_peer_bucket(lns, &t->info.remote, t->info.mark, t->info.peer_tunnel_id);
	t->next_by_peer = lns->by_peer[bucket];
	if (t->next_by_peer)
		t->next_by_peer->pprev_by_peer = &t->next_by_peer;
	t->pprev_by_peer = &lns->by_peer[bucket];
	lns->by_peer[bucket] = t;
	ev_timer_init(&t->hello_due, tunnel_on_hello_due);
	ev_timer_init(&t->setup_due, tunnel_on_setup_due);
	ev_timer_init(&t->linger_due, tunnel_on_linger_due);
	ev_timer_init(&t->idle_due, tunnel_on_idle_due);
	ev_timer_arm(lns->loop, &t->setup_due, t->setup_timeout_ms);
	lns->stats.tunnels_now++;
	lns->stats.tunnels_total++;
	L2TP_DBG(lns, &t->lg, "SCCRQ from %s host \"%s\" (peer tid %u, window %u): our tid %u",
		 netaddr_format(&in->remote, addr), t->info.peer_host_name,
		 t->info.peer_tunnel_id, peer_window, t->info.tunnel_id);
	return t;

err_free:
	tunnel_free_unopened(t);
err_nomem:
	lns->stats.dropped_limit++;
	log_rl(&lns->lg, &lns->rl, LOG_LEVEL_ERR, "SCCRQ from %s dropped: out of memory",
	       netaddr_format(&in->remote, addr));
	return NULL;
}
