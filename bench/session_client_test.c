/*
 * session_client_test.c - the load generator's L2TP LAC and PPP peer against
 * a scripted server: the messages they send, the server's answers they act
 * on, and what they do with malformed or unexpected input.
 */
#include "config.h"

#include <string.h>

#include "bench/l2tp_client.h"
#include "bench/ppp_client.h"
#include "l2tp/l2tp_wire.h"
#include "lib/wire.h"
#include "tests/harness/tap.h"

/* ------------------------------------------------------------------ a capture of what was sent */

struct capture {
	unsigned count;
	uint8_t last[2048];
	size_t last_len;
	uint8_t ppp[2048];      /* the last PPP frame handed up by the LAC */
	size_t ppp_len;
	unsigned ppp_count;
};

static void capture_send(void *arg, const uint8_t *bytes, size_t len)
{
	struct capture *c = arg;

	c->count++;
	c->last_len = len < sizeof(c->last) ? len : sizeof(c->last);
	memcpy(c->last, bytes, c->last_len);
}

static void capture_ppp(void *arg, const uint8_t *frame, size_t len)
{
	struct capture *c = arg;

	c->ppp_count++;
	c->ppp_len = len < sizeof(c->ppp) ? len : sizeof(c->ppp);
	memcpy(c->ppp, frame, c->ppp_len);
}

/* ------------------------------------------------------------------ L2TP */

/* The message type of the last control message sent, 0 for a ZLB, -1 if not control. */
static int sent_type(const struct capture *cap, struct l2tp_hdr *hdr, struct l2tp_msg *msg)
{
	if (l2tp_hdr_parse((struct wire_span){ cap->last, cap->last_len }, hdr) != L2TP_OK ||
	    !hdr->control || l2tp_msg_parse(hdr->payload, msg) != L2TP_OK)
		return -1;
	return msg->type;
}

/* A server control message of `type` to our tunnel with one u16 AVP (0 = none). */
static size_t server_msg(uint8_t *buf, size_t cap, uint16_t type, uint16_t session_id, uint16_t ns,
			 uint16_t nr, uint16_t avp, uint16_t value)
{
	struct wire_wr wr = wire_wr_init(buf, cap);
	size_t start = l2tp_ctrl_begin(&wr, 7, session_id);

	l2tp_avp_put_message_type(&wr, type);
	if (avp)
		l2tp_avp_put_u16(&wr, L2TP_AVP_FLAG_MANDATORY, L2TP_VENDOR_IETF, avp, value);
	l2tp_ctrl_finish(&wr, start, ns, nr);
	return wire_wr_ok(&wr) ? wire_mark(&wr) : 0;
}

static void test_l2tp(void)
{
	struct capture cap = { 0 };
	struct l2tp_client c;
	struct l2tp_hdr hdr;
	struct l2tp_msg msg;
	uint8_t buf[512];
	uint16_t value = 0;
	size_t len;
	unsigned before;

	l2tp_client_start(&c, 7, 3, 42, capture_send, capture_ppp, &cap);
	is_int(sent_type(&cap, &hdr, &msg), L2TP_MSG_SCCRQ, "start: an SCCRQ");
	is_uint(hdr.tunnel_id, 0, "SCCRQ to tunnel 0");
	ok(l2tp_msg_find(&msg, 0, L2TP_AVP_ASSIGNED_TUNNEL_ID) &&
	   l2tp_avp_get_u16(l2tp_msg_find(&msg, 0, L2TP_AVP_ASSIGNED_TUNNEL_ID)->value, &value) ==
		   L2TP_OK && value == 7, "SCCRQ assigns our tunnel id 7");
	ok(l2tp_msg_find(&msg, 0, L2TP_AVP_PROTOCOL_VERSION) &&
	   l2tp_msg_find(&msg, 0, L2TP_AVP_HOST_NAME) &&
	   l2tp_msg_find(&msg, 0, L2TP_AVP_FRAMING_CAPABILITIES), "SCCRQ has version, host name, framing");

	before = cap.count;
	l2tp_client_resend(&c);
	is_uint(cap.count, before + 1, "resend: the unacknowledged SCCRQ again");

	/* SCCRP: SCCCN and ICRQ go out at once. */
	len = server_msg(buf, sizeof(buf), L2TP_MSG_SCCRP, 0, 0, 1, L2TP_AVP_ASSIGNED_TUNNEL_ID, 99);
	before = cap.count;
	l2tp_client_input(&c, buf, len);
	is_uint(cap.count, before + 2, "SCCRP: two messages out (SCCCN, ICRQ)");
	is_int(sent_type(&cap, &hdr, &msg), L2TP_MSG_ICRQ, "the second is the ICRQ");
	is_uint(hdr.tunnel_id, 99, "to the server's tunnel id");
	is_uint(hdr.ns, 2, "ICRQ Ns 2");
	is_uint(hdr.nr, 1, "Nr acknowledges the SCCRP");
	is_int(c.phase, L2TP_CLIENT_WAIT_ICRP, "waiting for ICRP");

	/* The SCCRP again: a duplicate, acknowledged with a ZLB, nothing else. */
	before = cap.count;
	l2tp_client_input(&c, buf, len);
	is_uint(cap.count, before + 1, "a duplicate SCCRP: one answer");
	is_int(sent_type(&cap, &hdr, &msg), 0, "a ZLB");

	/* Data before the session: dropped. */
	buf[0] = 0x00;
	buf[1] = 0x02;
	buf[2] = 0;
	buf[3] = 7;
	buf[4] = 0;
	buf[5] = 3;
	buf[6] = 0xc0;
	buf[7] = 0x21;
	l2tp_client_input(&c, buf, 8);
	is_uint(cap.ppp_count, 0, "data before ICRP: not handed up");

	/* ICRP without a session id: failure. */
	{
		struct l2tp_client bad = c;
		struct capture cap2 = { 0 };

		bad.arg = &cap2;
		len = server_msg(buf, sizeof(buf), L2TP_MSG_ICRP, 3, 1, 3, 0, 0);
		l2tp_client_input(&bad, buf, len);
		is_int(bad.phase, L2TP_CLIENT_FAILED, "ICRP without Assigned Session ID fails");
		ok(bad.failure && strstr(bad.failure, "Session ID"), "and says why");
	}

	len = server_msg(buf, sizeof(buf), L2TP_MSG_ICRP, 3, 1, 3, L2TP_AVP_ASSIGNED_SESSION_ID, 55);
	l2tp_client_input(&c, buf, len);
	is_int(sent_type(&cap, &hdr, &msg), L2TP_MSG_ICCN, "ICRP: the ICCN");
	is_uint(hdr.session_id, 55, "ICCN to the server's session id");
	ok(l2tp_msg_find(&msg, 0, L2TP_AVP_TX_CONNECT_SPEED) &&
	   l2tp_msg_find(&msg, 0, L2TP_AVP_FRAMING_TYPE),
	   "ICCN has speed and framing");
	is_int(c.phase, L2TP_CLIENT_ESTABLISHED, "established");

	/* An ack of everything: nothing is left to resend. */
	len = server_msg(buf, sizeof(buf), L2TP_MSG_HELLO, 0, 2, 4, 0, 0);
	before = cap.count;
	l2tp_client_input(&c, buf, len);
	is_int(sent_type(&cap, &hdr, &msg), 0, "HELLO: a ZLB");
	before = cap.count;
	l2tp_client_resend(&c);
	is_uint(cap.count, before, "all acknowledged: nothing resent");

	/* Data both ways. */
	l2tp_client_input(&c, buf, 0);
	buf[0] = 0x00;
	buf[1] = 0x02;
	buf[2] = 0;
	buf[3] = 7;
	buf[4] = 0;
	buf[5] = 3;
	buf[6] = 0xff;
	buf[7] = 0x03;
	l2tp_client_input(&c, buf, 8);
	is_uint(cap.ppp_count, 1, "a data message handed up");
	is_uint(cap.ppp_len, 2, "its PPP frame");
	buf[3] = 8;
	l2tp_client_input(&c, buf, 8);
	is_uint(cap.ppp_count, 1, "data for another tunnel: dropped");
	l2tp_client_send_ppp(&c, (const uint8_t *)"\xff\x03\xc0\x21", 4);
	is_uint(cap.last_len, 10, "a data message out: 6-octet header and the frame");
	ok(cap.last[0] == 0 && cap.last[1] == 2 && cap.last[3] == 99 && cap.last[5] == 55,
	   "data header: version 2, the server's tunnel and session");

	/* Garbage: no crash, no answer. */
	before = cap.count;
	l2tp_client_input(&c, (const uint8_t *)"\xc8\x02\x00", 3);
	l2tp_client_input(&c, (const uint8_t *)"\xc8\x02\x00\x0c\x00\x07\x00\x00\x00\x03\x00\x05", 12);
	is_uint(cap.count, before, "a short and a ZLB-only datagram: no answer");

	len = server_msg(buf, sizeof(buf), L2TP_MSG_STOPCCN, 0, 3, 4, 0, 0);
	l2tp_client_input(&c, buf, len);
	is_int(c.phase, L2TP_CLIENT_FAILED, "StopCCN: failed");
}

/* ------------------------------------------------------------------ PPP */

static size_t ppp_frame(uint8_t *buf, size_t cap, uint16_t protocol, uint8_t code, uint8_t id,
			const void *data, size_t len)
{
	struct wire_wr wr = wire_wr_init(buf, cap);

	wire_put_u8(&wr, 0xff);
	wire_put_u8(&wr, 0x03);
	wire_put_be16(&wr, protocol);
	wire_put_u8(&wr, code);
	wire_put_u8(&wr, id);
	wire_put_be16(&wr, (uint16_t)(4 + len));
	wire_put_bytes(&wr, data, len);
	return wire_mark(&wr);
}

/* Protocol and code of the last frame sent. */
static bool sent_is(const struct capture *cap, uint16_t protocol, uint8_t code)
{
	return cap->last_len >= 8 && cap->last[0] == 0xff && cap->last[1] == 0x03 &&
	       (uint16_t)(cap->last[2] << 8 | cap->last[3]) == protocol && cap->last[4] == code;
}

static void test_ppp(void)
{
	static const uint8_t lcp_options[] = { 1, 4, 0x05, 0x64, 3, 5, 0xc2, 0x23, 0x81,
					       5, 6, 1, 2, 3, 4 };
	static const uint8_t challenge[17] = { 16, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
	static const uint8_t nak_address[] = { 3, 6, 100, 64, 0, 10 };
	static const uint8_t server_address[] = { 3, 6, 100, 64, 0, 1 };
	static const uint8_t echo_magic[] = { 9, 9, 9, 9 };
	struct mschapv2_crypto *crypto = NULL;
	struct ppp_client_conf conf = { .user = "alice" };
	struct capture cap = { 0 };
	struct ppp_client p;
	char auth_response[MSCHAPV2_AUTHENTICATOR_RESPONSE_LEN + 1];
	uint8_t buf[512];
	size_t len;

	if (mschapv2_crypto_new(&crypto) != 0) {
		ok(1, "# SKIP no OpenSSL legacy provider: MS-CHAPv2 not testable");
		return;
	}
	conf.crypto = crypto;
	ok(nt_hash_password(crypto, "secret", 6, conf.nt_hash) == 0, "NT hash of the password");

	ppp_client_start(&p, &conf, 0x11223344, capture_send, &cap);
	ok(sent_is(&cap, 0xc021, 1), "start: an LCP Configure-Request");
	ok(cap.last_len == 14 && cap.last[8] == 5 && cap.last[9] == 6 && cap.last[10] == 0x11,
	   "with our Magic-Number only");

	len = ppp_frame(buf, sizeof(buf), 0xc021, 1, 7, lcp_options, sizeof(lcp_options));
	ppp_client_input(&p, buf, len);
	ok(sent_is(&cap, 0xc021, 2) && cap.last[5] == 7, "the server's request: Configure-Ack, same id");
	is_mem(cap.last + 8, lcp_options, sizeof(lcp_options), "acknowledging its options as they were");
	is_int(p.phase, PPP_CLIENT_LCP, "ours not yet acknowledged: still LCP");
	len = ppp_frame(buf, sizeof(buf), 0xc021, 2, 9, NULL, 0);
	ppp_client_input(&p, buf, len);
	is_int(p.phase, PPP_CLIENT_LCP, "an Ack with the wrong id does not count");
	len = ppp_frame(buf, sizeof(buf), 0xc021, 2, p.lcp_id, NULL, 0);
	ppp_client_input(&p, buf, len);
	is_int(p.phase, PPP_CLIENT_AUTH, "both acknowledged: authentication");

	len = ppp_frame(buf, sizeof(buf), 0xc223, 1, 0x21, challenge, sizeof(challenge));
	ppp_client_input(&p, buf, len);
	ok(sent_is(&cap, 0xc223, 2) && cap.last[5] == 0x21, "the Challenge: a Response, same id");
	is_uint(cap.last_len, 8 + 1 + 49 + 5, "value size 49 and the name");
	is_uint(cap.last[8], 49, "MS-CHAPv2 value size");
	is_mem(cap.last + 8 + 50, "alice", 5, "the name follows the value");
	is_int(mschapv2_verify(crypto, conf.nt_hash, challenge + 1, cap.last + 9, "alice", 5,
			       cap.last + 9 + 24, auth_response),
	       1, "the server's verifier accepts the NT-Response");

	len = ppp_frame(buf, sizeof(buf), 0xc223, 3, 0x21, "S=00", 4);
	ppp_client_input(&p, buf, len);
	is_int(p.phase, PPP_CLIENT_IPCP, "Success: IPCP");
	ok(sent_is(&cap, 0x8021, 1) && cap.last_len == 14 && cap.last[8] == 3 && cap.last[10] == 0,
	   "an IPCP Configure-Request for 0.0.0.0");

	len = ppp_frame(buf, sizeof(buf), 0x8021, 1, 4, server_address, sizeof(server_address));
	ppp_client_input(&p, buf, len);
	ok(sent_is(&cap, 0x8021, 2), "the server's IPCP request: acknowledged");
	is_uint(p.peer_address, 0x64400001u, "the server's address noted");
	len = ppp_frame(buf, sizeof(buf), 0x8021, 3, p.ipcp_id, nak_address, sizeof(nak_address));
	ppp_client_input(&p, buf, len);
	is_uint(p.address, 0x6440000au, "the Nak names our address");
	ok(sent_is(&cap, 0x8021, 1) && cap.last[10] == 100 && cap.last[13] == 10, "asked again with it");
	is_int(p.phase, PPP_CLIENT_IPCP, "not up before the Ack");
	len = ppp_frame(buf, sizeof(buf), 0x8021, 2, p.ipcp_id, nak_address, sizeof(nak_address));
	ppp_client_input(&p, buf, len);
	is_int(p.phase, PPP_CLIENT_UP, "acknowledged both ways: up");

	len = ppp_frame(buf, sizeof(buf), 0xc021, 9, 0x42, echo_magic, sizeof(echo_magic));
	ppp_client_input(&p, buf, len);
	ok(sent_is(&cap, 0xc021, 10) && cap.last[5] == 0x42, "Echo-Request: Echo-Reply, same id");
	is_uint(p.echo_replies, 1, "counted");

	len = ppp_frame(buf, sizeof(buf), 0x80fd, 1, 1, NULL, 0);
	ppp_client_input(&p, buf, len);
	ok(sent_is(&cap, 0xc021, 8) && cap.last[8] == 0x80 && cap.last[9] == 0xfd,
	   "CCP: LCP Protocol-Reject naming it");

	/* Malformed input: a Length beyond the frame, an option running past the end, a stub. */
	cap.count = 0;
	len = ppp_frame(buf, sizeof(buf), 0x8021, 1, 5, server_address, sizeof(server_address));
	buf[7] = 200;
	ppp_client_input(&p, buf, len);
	len = ppp_frame(buf, sizeof(buf), 0x8021, 1, 5, (const uint8_t[]){ 3, 60, 1 }, 3);
	ppp_client_input(&p, buf, len);
	ppp_client_input(&p, (const uint8_t *)"\xff\x03\xc0", 3);
	ppp_client_input(&p, NULL, 0);
	is_uint(cap.count, 0, "malformed frames: no answer");
	is_int(p.phase, PPP_CLIENT_UP, "and still up");

	len = ppp_frame(buf, sizeof(buf), 0xc021, 5, 3, NULL, 0);
	ppp_client_input(&p, buf, len);
	ok(sent_is(&cap, 0xc021, 6), "Terminate-Request: Terminate-Ack");
	is_int(p.phase, PPP_CLIENT_FAILED, "and the client counts as failed");

	ppp_client_start(&p, &conf, 1, capture_send, &cap);
	len = ppp_frame(buf, sizeof(buf), 0xc223, 4, 1, "E=691", 5);
	ppp_client_input(&p, buf, len);
	is_int(p.phase, PPP_CLIENT_FAILED, "MS-CHAPv2 Failure: failed");
	ok(p.failure && strstr(p.failure, "Failure"), "and says why");
	mschapv2_crypto_free(crypto);
}

int main(void)
{
	test_l2tp();
	test_ppp();
	return tap_done();
}
