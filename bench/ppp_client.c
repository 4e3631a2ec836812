/*
 * ppp_client.c - the load generator's minimal PPP peer (see ppp_client.h).
 */
#include "config.h"

#include <openssl/rand.h>
#include <string.h>

#include "bench/ppp_client.h"
#include "lib/wire.h"

enum {
	PPP_PROTOCOL_IPCP = 0x8021,
	PPP_PROTOCOL_LCP = 0xc021,
	PPP_PROTOCOL_CHAP = 0xc223,

	PPP_CONF_REQ = 1,
	PPP_CONF_ACK = 2,
	PPP_CONF_NAK = 3,
	PPP_CONF_REJ = 4,
	PPP_TERM_REQ = 5,
	PPP_TERM_ACK = 6,
	PPP_PROTOCOL_REJ = 8,
	PPP_ECHO_REQ = 9,
	PPP_ECHO_REPLY = 10,

	CHAP_CHALLENGE = 1,
	CHAP_RESPONSE = 2,
	CHAP_SUCCESS = 3,
	CHAP_FAILURE = 4,

	LCP_OPTION_MAGIC = 5,
	IPCP_OPTION_ADDRESS = 3,

	PPP_FRAME_MAX = 1500,
};

/* Starts a frame: FF 03, the protocol, then code, id and a Length patched by ppp_client_finish. */
static size_t ppp_client_begin(struct wire_wr *wr, uint16_t protocol, uint8_t code, uint8_t id)
{
	size_t at;

	wire_put_u8(wr, 0xff);
	wire_put_u8(wr, 0x03);
	wire_put_be16(wr, protocol);
	at = wire_mark(wr);
	wire_put_u8(wr, code);
	wire_put_u8(wr, id);
	wire_put_be16(wr, 0);
	return at;
}

static void ppp_client_finish(struct ppp_client *p, struct wire_wr *wr, size_t at)
{
	size_t len = wire_mark(wr) - at;

	if (len > 0xffff)
		return;
	wire_patch_be16(wr, at + 2, (uint16_t)len);
	if (wire_wr_ok(wr))
		p->send(p->arg, wr->p, wire_mark(wr));
}

static void ppp_client_fail(struct ppp_client *p, const char *why)
{
	p->phase = PPP_CLIENT_FAILED;
	p->failure = why;
}

static void ppp_client_lcp_request(struct ppp_client *p)
{
	uint8_t buf[64];
	struct wire_wr wr = wire_wr_init(buf, sizeof(buf));
	size_t at = ppp_client_begin(&wr, PPP_PROTOCOL_LCP, PPP_CONF_REQ, p->lcp_id);

	wire_put_u8(&wr, LCP_OPTION_MAGIC);
	wire_put_u8(&wr, 6);
	wire_put_be32(&wr, p->magic);
	ppp_client_finish(p, &wr, at);
}

static void ppp_client_ipcp_request(struct ppp_client *p)
{
	uint8_t buf[64];
	struct wire_wr wr = wire_wr_init(buf, sizeof(buf));
	size_t at = ppp_client_begin(&wr, PPP_PROTOCOL_IPCP, PPP_CONF_REQ, p->ipcp_id);

	wire_put_u8(&wr, IPCP_OPTION_ADDRESS);
	wire_put_u8(&wr, 6);
	wire_put_be32(&wr, p->address);
	ppp_client_finish(p, &wr, at);
}

/* Answers a packet of `protocol` with `code`, the same id and the same data (Ack, Echo-Reply). */
static void ppp_client_echo_back(struct ppp_client *p, uint16_t protocol, uint8_t code, uint8_t id,
				 struct wire_span data)
{
	uint8_t buf[PPP_FRAME_MAX];
	struct wire_wr wr = wire_wr_init(buf, sizeof(buf));
	size_t at = ppp_client_begin(&wr, protocol, code, id);

	wire_put_bytes(&wr, data.p, data.len);
	ppp_client_finish(p, &wr, at);
}

void ppp_client_start(struct ppp_client *p, const struct ppp_client_conf *conf, uint32_t magic,
		      void (*send)(void *arg, const uint8_t *frame, size_t len), void *arg)
{
	memset(p, 0, sizeof(*p));
	p->conf = conf;
	p->send = send;
	p->arg = arg;
	p->magic = magic ? magic : 0x4c325450u;
	p->lcp_id = 1;
	p->ipcp_id = 1;
	p->phase = PPP_CLIENT_LCP;
	ppp_client_lcp_request(p);
}

void ppp_client_resend(struct ppp_client *p)
{
	if (p->phase == PPP_CLIENT_LCP && !p->lcp_ours_acked)
		ppp_client_lcp_request(p);
	else if (p->phase == PPP_CLIENT_IPCP && !p->ipcp_ours_acked)
		ppp_client_ipcp_request(p);
}

static void ppp_client_check_up(struct ppp_client *p)
{
	if (p->phase == PPP_CLIENT_LCP && p->lcp_ours_acked && p->lcp_theirs_acked)
		p->phase = PPP_CLIENT_AUTH;
	if (p->phase == PPP_CLIENT_IPCP && p->ipcp_ours_acked && p->ipcp_theirs_acked && p->address)
		p->phase = PPP_CLIENT_UP;
}

static void ppp_client_lcp(struct ppp_client *p, uint8_t code, uint8_t id, struct wire_span data,
			   struct wire_span packet)
{
	switch (code) {
	case PPP_CONF_REQ:
		/* Whatever the server asks (MRU, MS-CHAPv2, its magic): yes. */
		ppp_client_echo_back(p, PPP_PROTOCOL_LCP, PPP_CONF_ACK, id, data);
		p->lcp_theirs_acked = true;
		break;
	case PPP_CONF_ACK:
		if (id == p->lcp_id)
			p->lcp_ours_acked = true;
		break;
	case PPP_CONF_NAK:
	case PPP_CONF_REJ:
		if (id != p->lcp_id || p->phase != PPP_CLIENT_LCP)
			break;
		p->lcp_id++;
		p->magic = p->magic * 2654435761u + 1;
		ppp_client_lcp_request(p);
		break;
	case PPP_TERM_REQ:
		ppp_client_echo_back(p, PPP_PROTOCOL_LCP, PPP_TERM_ACK, id, (struct wire_span){ NULL, 0 });
		ppp_client_fail(p, "LCP Terminate-Request from the server");
		break;
	case PPP_ECHO_REQ: {
		uint8_t reply[4];
		struct wire_wr wr = wire_wr_init(reply, sizeof(reply));

		if (data.len < 4 || p->phase == PPP_CLIENT_LCP)
			break;
		wire_put_be32(&wr, p->magic);
		ppp_client_echo_back(p, PPP_PROTOCOL_LCP, PPP_ECHO_REPLY, id,
				     (struct wire_span){ reply, sizeof(reply) });
		p->echo_replies++;
		break;
	}
	default:
		break;                  /* Echo-Reply, Discard, Code-Reject ...: nothing to do */
	}
	(void)packet;
	ppp_client_check_up(p);
}

static void ppp_client_chap(struct ppp_client *p, uint8_t code, uint8_t id, struct wire_span data)
{
	uint8_t challenge[MSCHAPV2_CHALLENGE_LEN], peer_challenge[MSCHAPV2_CHALLENGE_LEN];
	uint8_t nt_response[MSCHAPV2_NT_RESPONSE_LEN], buf[256];
	struct wire_rd rd = wire_rd_init(data.p, data.len);
	struct wire_wr wr = wire_wr_init(buf, sizeof(buf));
	const char *user = p->conf->user;
	size_t at;

	switch (code) {
	case CHAP_CHALLENGE:
		if (wire_u8(&rd) != MSCHAPV2_CHALLENGE_LEN || !wire_bytes(&rd, challenge, sizeof(challenge)))
			return;
		if (RAND_bytes(peer_challenge, sizeof(peer_challenge)) != 1 ||
		    mschapv2_nt_response(p->conf->crypto, p->conf->nt_hash, challenge, peer_challenge,
					 user, strlen(user), nt_response) != 0) {
			ppp_client_fail(p, "computing the MS-CHAPv2 response failed");
			return;
		}
		at = ppp_client_begin(&wr, PPP_PROTOCOL_CHAP, CHAP_RESPONSE, id);
		wire_put_u8(&wr, 49);
		wire_put_bytes(&wr, peer_challenge, sizeof(peer_challenge));
		wire_put_zero(&wr, 8);
		wire_put_bytes(&wr, nt_response, sizeof(nt_response));
		wire_put_u8(&wr, 0);
		wire_put_bytes(&wr, user, strlen(user));
		ppp_client_finish(p, &wr, at);
		break;
	case CHAP_SUCCESS:
		if (p->phase == PPP_CLIENT_LCP || p->phase == PPP_CLIENT_AUTH) {
			p->phase = PPP_CLIENT_IPCP;
			ppp_client_ipcp_request(p);
		}
		break;
	case CHAP_FAILURE:
		ppp_client_fail(p, "MS-CHAPv2 Failure from the server");
		break;
	default:
		break;
	}
}

static void ppp_client_ipcp(struct ppp_client *p, uint8_t code, uint8_t id, struct wire_span data)
{
	struct wire_rd rd = wire_rd_init(data.p, data.len);
	uint8_t type, len;

	switch (code) {
	case PPP_CONF_REQ:
		while (wire_left(&rd) >= 2) {
			type = wire_u8(&rd);
			len = wire_u8(&rd);
			if (len < 2 || len - 2u > wire_left(&rd))
				return;                 /* malformed: no answer, pppd resends */
			if (type == IPCP_OPTION_ADDRESS && len == 6)
				p->peer_address = wire_be32(&rd);
			else
				wire_skip(&rd, len - 2u);
		}
		ppp_client_echo_back(p, PPP_PROTOCOL_IPCP, PPP_CONF_ACK, id, data);
		p->ipcp_theirs_acked = true;
		break;
	case PPP_CONF_ACK:
		if (id == p->ipcp_id && p->address)
			p->ipcp_ours_acked = true;
		break;
	case PPP_CONF_NAK:
		if (id != p->ipcp_id)
			break;
		while (wire_left(&rd) >= 2) {
			type = wire_u8(&rd);
			len = wire_u8(&rd);
			if (len < 2 || len - 2u > wire_left(&rd))
				return;
			if (type == IPCP_OPTION_ADDRESS && len == 6)
				p->address = wire_be32(&rd);
			else
				wire_skip(&rd, len - 2u);
		}
		p->ipcp_id++;
		ppp_client_ipcp_request(p);
		break;
	case PPP_CONF_REJ:
		if (id == p->ipcp_id)
			ppp_client_fail(p, "IPCP: the server rejected our address request");
		break;
	case PPP_TERM_REQ:
		ppp_client_echo_back(p, PPP_PROTOCOL_IPCP, PPP_TERM_ACK, id, (struct wire_span){ NULL, 0 });
		ppp_client_fail(p, "IPCP Terminate-Request from the server");
		break;
	default:
		break;
	}
	ppp_client_check_up(p);
}

/* LCP Protocol-Reject of a protocol we do not speak (CCP, IPV6CP, ...), once LCP is open. */
static void ppp_client_reject(struct ppp_client *p, uint16_t protocol, struct wire_span info)
{
	uint8_t buf[PPP_FRAME_MAX];
	struct wire_wr wr = wire_wr_init(buf, sizeof(buf));
	size_t at;

	if (p->phase == PPP_CLIENT_LCP || p->phase == PPP_CLIENT_FAILED)
		return;
	at = ppp_client_begin(&wr, PPP_PROTOCOL_LCP, PPP_PROTOCOL_REJ, ++p->lcp_id);
	wire_put_be16(&wr, protocol);
	wire_put_bytes(&wr, info.p, info.len > 1000 ? 1000 : info.len);
	ppp_client_finish(p, &wr, at);
}

void ppp_client_input(struct ppp_client *p, const uint8_t *frame, size_t len)
{
	struct wire_rd rd = wire_rd_init(frame, len), body;
	struct wire_span packet, data;
	uint16_t protocol, length;
	uint8_t code, id;

	if (p->phase == PPP_CLIENT_FAILED)
		return;
	if (len >= 2 && frame[0] == 0xff && frame[1] == 0x03)
		wire_skip(&rd, 2);
	protocol = wire_be16(&rd);
	if (!wire_ok(&rd))
		return;
	if (protocol != PPP_PROTOCOL_LCP && protocol != PPP_PROTOCOL_CHAP &&
	    protocol != PPP_PROTOCOL_IPCP) {
		if (protocol & 0x8000)  /* a control protocol: it waits for an answer */
			ppp_client_reject(p, protocol, wire_rest(&rd));
		return;                 /* IP before we are up, IPv6 ...: dropped */
	}
	packet = wire_rest(&rd);
	body = wire_rd_init(packet.p, packet.len);
	code = wire_u8(&body);
	id = wire_u8(&body);
	length = wire_be16(&body);
	if (!wire_ok(&body) || length < 4 || length > packet.len)
		return;
	data = (struct wire_span){ packet.p + 4, length - 4u };
	if (protocol == PPP_PROTOCOL_LCP)
		ppp_client_lcp(p, code, id, data, packet);
	else if (protocol == PPP_PROTOCOL_CHAP)
		ppp_client_chap(p, code, id, data);
	else
		ppp_client_ipcp(p, code, id, data);
}
