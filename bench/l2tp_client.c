/*
 * l2tp_client.c - the load generator's minimal LAC (see l2tp_client.h).
 */
#include "config.h"

#include <string.h>

#include "bench/l2tp_client.h"
#include "l2tp/l2tp_wire.h"

static void l2tp_client_fail(struct l2tp_client *c, const char *why)
{
	c->phase = L2TP_CLIENT_FAILED;
	c->failure = why;
}

/* Sends a finished control message and keeps it until the server acknowledges it. */
static void l2tp_client_send_ctrl(struct l2tp_client *c, struct wire_wr *wr, size_t start)
{
	struct l2tp_client_sent *slot = NULL;
	size_t len;

	l2tp_ctrl_finish(wr, start, c->ns, c->nr);
	len = wire_mark(wr);
	if (!wire_wr_ok(wr) || len > L2TP_CLIENT_MSG_MAX) {
		l2tp_client_fail(c, "building a control message failed");
		return;
	}
	for (size_t i = 0; i < L2TP_CLIENT_UNACKED && !slot; i++)
		if (!c->sent[i].len)
			slot = &c->sent[i];
	if (!slot) {
		l2tp_client_fail(c, "too many control messages unacknowledged");
		return;
	}
	slot->ns = c->ns;
	slot->len = (uint16_t)len;
	memcpy(slot->bytes, wr->p, len);
	c->ns++;
	c->send(c->arg, wr->p, len);
}

static void l2tp_client_send_zlb(struct l2tp_client *c)
{
	uint8_t buf[L2TP_CTRL_HDR_LEN];
	struct wire_wr wr = wire_wr_init(buf, sizeof(buf));

	l2tp_zlb_build(&wr, c->peer_tunnel_id, 0, c->ns, c->nr);
	if (wire_wr_ok(&wr))
		c->send(c->arg, buf, wire_mark(&wr));
}

void l2tp_client_start(struct l2tp_client *c, uint16_t tunnel_id, uint16_t session_id,
		       uint32_t serial, void (*send)(void *arg, const uint8_t *datagram, size_t len),
		       void (*on_ppp)(void *arg, const uint8_t *frame, size_t len), void *arg)
{
	static const uint8_t version[2] = { 1, 0 };
	uint8_t buf[L2TP_CLIENT_MSG_MAX];
	struct wire_wr wr = wire_wr_init(buf, sizeof(buf));
	size_t start;

	memset(c, 0, sizeof(*c));
	c->send = send;
	c->on_ppp = on_ppp;
	c->arg = arg;
	c->tunnel_id = tunnel_id;
	c->session_id = session_id;
	c->serial = serial;
	c->phase = L2TP_CLIENT_WAIT_SCCRP;
	start = l2tp_ctrl_begin(&wr, 0, 0);
	l2tp_avp_put_message_type(&wr, L2TP_MSG_SCCRQ);
	l2tp_avp_put_bytes(&wr, L2TP_AVP_FLAG_MANDATORY, L2TP_VENDOR_IETF, L2TP_AVP_PROTOCOL_VERSION,
			   version, sizeof(version));
	l2tp_avp_put_string(&wr, L2TP_AVP_FLAG_MANDATORY, L2TP_VENDOR_IETF, L2TP_AVP_HOST_NAME,
			    "l2tpsec-ikeload");
	l2tp_avp_put_u32(&wr, L2TP_AVP_FLAG_MANDATORY, L2TP_VENDOR_IETF,
			 L2TP_AVP_FRAMING_CAPABILITIES, 3);
	l2tp_avp_put_u16(&wr, L2TP_AVP_FLAG_MANDATORY, L2TP_VENDOR_IETF, L2TP_AVP_ASSIGNED_TUNNEL_ID,
			 tunnel_id);
	l2tp_avp_put_u16(&wr, 0, L2TP_VENDOR_IETF, L2TP_AVP_RECEIVE_WINDOW_SIZE, 4);
	l2tp_client_send_ctrl(c, &wr, start);
}

void l2tp_client_resend(struct l2tp_client *c)
{
	if (c->phase == L2TP_CLIENT_FAILED)
		return;
	for (size_t i = 0; i < L2TP_CLIENT_UNACKED; i++)
		if (c->sent[i].len)
			c->send(c->arg, c->sent[i].bytes, c->sent[i].len);
}

void l2tp_client_send_ppp(struct l2tp_client *c, const uint8_t *frame, size_t len)
{
	uint8_t buf[2048];
	struct wire_wr wr = wire_wr_init(buf, sizeof(buf));

	if (c->phase != L2TP_CLIENT_ESTABLISHED)
		return;
	wire_put_be16(&wr, L2TP_VERSION);       /* a data message: T=0, no L, S or O */
	wire_put_be16(&wr, c->peer_tunnel_id);
	wire_put_be16(&wr, c->peer_session_id);
	wire_put_bytes(&wr, frame, len);
	if (wire_wr_ok(&wr))
		c->send(c->arg, buf, wire_mark(&wr));
}

/* The server acknowledged everything below nr. */
static void l2tp_client_acked(struct l2tp_client *c, uint16_t nr)
{
	for (size_t i = 0; i < L2TP_CLIENT_UNACKED; i++)
		if (c->sent[i].len && (int16_t)(uint16_t)(nr - c->sent[i].ns) > 0)
			c->sent[i].len = 0;
}

static bool l2tp_client_u16(const struct l2tp_msg *msg, uint16_t type, uint16_t *out)
{
	const struct l2tp_avp *avp = l2tp_msg_find(msg, L2TP_VENDOR_IETF, type);

	return avp && !avp->hidden && l2tp_avp_get_u16(avp->value, out) == L2TP_OK && *out;
}

static void l2tp_client_on_sccrp(struct l2tp_client *c, const struct l2tp_msg *msg)
{
	uint8_t buf[L2TP_CLIENT_MSG_MAX];
	struct wire_wr wr = wire_wr_init(buf, sizeof(buf));
	size_t start;

	if (c->phase != L2TP_CLIENT_WAIT_SCCRP)
		return;
	if (!l2tp_client_u16(msg, L2TP_AVP_ASSIGNED_TUNNEL_ID, &c->peer_tunnel_id)) {
		l2tp_client_fail(c, "SCCRP without a usable Assigned Tunnel ID");
		return;
	}
	start = l2tp_ctrl_begin(&wr, c->peer_tunnel_id, 0);
	l2tp_avp_put_message_type(&wr, L2TP_MSG_SCCCN);
	l2tp_client_send_ctrl(c, &wr, start);

	wr = wire_wr_init(buf, sizeof(buf));
	start = l2tp_ctrl_begin(&wr, c->peer_tunnel_id, 0);
	l2tp_avp_put_message_type(&wr, L2TP_MSG_ICRQ);
	l2tp_avp_put_u16(&wr, L2TP_AVP_FLAG_MANDATORY, L2TP_VENDOR_IETF, L2TP_AVP_ASSIGNED_SESSION_ID,
			 c->session_id);
	l2tp_avp_put_u32(&wr, L2TP_AVP_FLAG_MANDATORY, L2TP_VENDOR_IETF, L2TP_AVP_CALL_SERIAL_NUMBER,
			 c->serial);
	l2tp_avp_put_u32(&wr, L2TP_AVP_FLAG_MANDATORY, L2TP_VENDOR_IETF, L2TP_AVP_BEARER_TYPE, 0);
	l2tp_client_send_ctrl(c, &wr, start);
	if (c->phase != L2TP_CLIENT_FAILED)
		c->phase = L2TP_CLIENT_WAIT_ICRP;
}

static void l2tp_client_on_icrp(struct l2tp_client *c, const struct l2tp_msg *msg)
{
	uint8_t buf[L2TP_CLIENT_MSG_MAX];
	struct wire_wr wr = wire_wr_init(buf, sizeof(buf));
	size_t start;

	if (c->phase != L2TP_CLIENT_WAIT_ICRP)
		return;
	if (!l2tp_client_u16(msg, L2TP_AVP_ASSIGNED_SESSION_ID, &c->peer_session_id)) {
		l2tp_client_fail(c, "ICRP without a usable Assigned Session ID");
		return;
	}
	start = l2tp_ctrl_begin(&wr, c->peer_tunnel_id, c->peer_session_id);
	l2tp_avp_put_message_type(&wr, L2TP_MSG_ICCN);
	l2tp_avp_put_u32(&wr, L2TP_AVP_FLAG_MANDATORY, L2TP_VENDOR_IETF, L2TP_AVP_TX_CONNECT_SPEED,
			 100000000);
	l2tp_avp_put_u32(&wr, L2TP_AVP_FLAG_MANDATORY, L2TP_VENDOR_IETF, L2TP_AVP_FRAMING_TYPE, 1);
	l2tp_client_send_ctrl(c, &wr, start);
	if (c->phase != L2TP_CLIENT_FAILED)
		c->phase = L2TP_CLIENT_ESTABLISHED;
}

void l2tp_client_input(struct l2tp_client *c, const uint8_t *datagram, size_t len)
{
	struct l2tp_msg msg;
	struct l2tp_hdr hdr;
	uint16_t ns_before;

	if (c->phase == L2TP_CLIENT_FAILED ||
	    l2tp_hdr_parse((struct wire_span){ datagram, len }, &hdr) != L2TP_OK ||
	    hdr.tunnel_id != c->tunnel_id)
		return;
	if (!hdr.control) {
		if (c->phase == L2TP_CLIENT_ESTABLISHED && hdr.session_id == c->session_id)
			c->on_ppp(c->arg, hdr.payload.p, hdr.payload.len);
		return;
	}
	if (l2tp_msg_parse(hdr.payload, &msg) != L2TP_OK)
		return;
	l2tp_client_acked(c, hdr.nr);
	if (msg.zlb)
		return;
	if (hdr.ns != c->nr) {
		l2tp_client_send_zlb(c);        /* a resend we already had, or one too early */
		return;
	}
	c->nr++;
	ns_before = c->ns;
	switch (msg.type) {
	case L2TP_MSG_SCCRP:
		l2tp_client_on_sccrp(c, &msg);
		break;
	case L2TP_MSG_ICRP:
		l2tp_client_on_icrp(c, &msg);
		break;
	case L2TP_MSG_STOPCCN:
		l2tp_client_fail(c, "StopCCN from the server");
		break;
	case L2TP_MSG_CDN:
		l2tp_client_fail(c, "CDN from the server");
		break;
	default:
		break;                  /* HELLO and the rest: acknowledged below */
	}
	if (c->ns == ns_before)
		l2tp_client_send_zlb(c);
}
