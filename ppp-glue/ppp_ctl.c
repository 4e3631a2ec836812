/*
 * ppp_ctl.c - the plugin<->daemon messages (see ppp_ctl.h for the layout).
 *
 * The parser reads with lib/wire's cursor and checks the result once at the
 * end; the builder checks the same field rules before it writes, so the two
 * agree by construction.  One function per body in each direction.
 */
#include "config.h"

#include <string.h>

#include "lib/wire.h"
#include "ppp-glue/ppp_ctl.h"

#define PPP_CTL_TYPE_NAME_ROW(identifier, value, name) [value] = name,
static const char *const ppp_ctl_type_names[] = { PPP_CTL_TYPE_LIST(PPP_CTL_TYPE_NAME_ROW) };

#define PPP_CTL_VERDICT_NAME_ROW(verdict, text) #verdict,
static const char *const ppp_ctl_verdict_names[] = { PPP_CTL_VERDICT_LIST(PPP_CTL_VERDICT_NAME_ROW) };

#define PPP_CTL_VERDICT_TEXT_ROW(verdict, text) text,
static const char *const ppp_ctl_verdict_texts[] = { PPP_CTL_VERDICT_LIST(PPP_CTL_VERDICT_TEXT_ROW) };

enum { PPP_CTL_VERDICTS = sizeof(ppp_ctl_verdict_names) / sizeof(ppp_ctl_verdict_names[0]) };

const char *ppp_ctl_type_name(unsigned type)
{
	if (type >= sizeof(ppp_ctl_type_names) / sizeof(ppp_ctl_type_names[0]))
		return NULL;
	return ppp_ctl_type_names[type];
}

const char *ppp_ctl_verdict_name(enum ppp_ctl_verdict verdict)
{
	return (unsigned)verdict < PPP_CTL_VERDICTS ? ppp_ctl_verdict_names[verdict] : NULL;
}

const char *ppp_ctl_verdict_text(enum ppp_ctl_verdict verdict)
{
	return (unsigned)verdict < PPP_CTL_VERDICTS ? ppp_ctl_verdict_texts[verdict] : NULL;
}

/* ------------------------------------------------------------ field rules */

static bool ppp_ctl_name_ok(const char *name, size_t len)
{
	return len >= 1 && len <= PPP_CTL_NAME_MAX && memchr(name, '\0', len) == NULL;
}

static bool ppp_ctl_printable(const char *s, size_t len, char lowest)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] < lowest || s[i] > '~')
			return false;
	return true;
}

/* Reply text: printable ASCII including the space; may be empty. */
static bool ppp_ctl_message_ok(const char *s, size_t len)
{
	return len <= PPP_CTL_MESSAGE_MAX && ppp_ctl_printable(s, len, ' ');
}

/* Interface name: 1..15 printable bytes, no space. */
static bool ppp_ctl_ifname_ok(const char *s, size_t len)
{
	return len >= 1 && len <= PPP_CTL_IFNAME_MAX && ppp_ctl_printable(s, len, '!');
}

/*
 * A length-prefixed string into dst with its NUL; *len its length.  Every
 * string buffer here holds the largest length octet and the NUL.
 */
_Static_assert(PPP_CTL_NAME_MAX >= UINT8_MAX && PPP_CTL_MESSAGE_MAX >= UINT8_MAX,
	       "a string buffer holds any length octet");
static void ppp_ctl_get_string(struct wire_rd *rd, char dst[static UINT8_MAX + 1], size_t *len)
{
	size_t n = wire_u8(rd);

	*len = wire_bytes(rd, dst, n) ? n : 0;
	dst[*len] = '\0';
}

/* ------------------------------------------------------------ parse */

static enum ppp_ctl_verdict ppp_ctl_parse_hello(struct wire_rd *rd, struct ppp_ctl_hello *hello)
{
	uint32_t pid = wire_be32(rd);

	if (!wire_ok(rd))
		return PPP_CTL_ERR_SHORT;
	if (pid == 0 || pid > INT32_MAX)
		return PPP_CTL_ERR_PID;
	hello->pid = (int32_t)pid;
	return PPP_CTL_OK;
}

static enum ppp_ctl_verdict ppp_ctl_parse_auth_request(struct wire_rd *rd,
						       struct ppp_ctl_auth_request *req)
{
	req->chap_id = wire_u8(rd);
	ppp_ctl_get_string(rd, req->name, &req->name_len);
	wire_bytes(rd, req->auth_challenge, sizeof(req->auth_challenge));
	wire_bytes(rd, req->peer_challenge, sizeof(req->peer_challenge));
	wire_bytes(rd, req->nt_response, sizeof(req->nt_response));
	req->flags = wire_u8(rd);
	if (!wire_ok(rd))
		return PPP_CTL_ERR_SHORT;
	if (!ppp_ctl_name_ok(req->name, req->name_len))
		return PPP_CTL_ERR_NAME;
	return PPP_CTL_OK;
}

static enum ppp_ctl_verdict ppp_ctl_parse_auth_reply(struct wire_rd *rd,
						     struct ppp_ctl_auth_reply *reply)
{
	uint8_t ok;
	size_t message_len;

	reply->chap_id = wire_u8(rd);
	ok = wire_u8(rd);
	wire_bytes(rd, &reply->peer_address, sizeof(reply->peer_address));
	ppp_ctl_get_string(rd, reply->message, &message_len);
	if (!wire_ok(rd))
		return PPP_CTL_ERR_SHORT;
	if (ok > 1)
		return PPP_CTL_ERR_OK_FLAG;
	reply->ok = ok == 1;
	if (!reply->ok && reply->peer_address != 0)
		return PPP_CTL_ERR_REFUSAL_ADDRESS;
	if (!ppp_ctl_message_ok(reply->message, message_len))
		return PPP_CTL_ERR_MESSAGE;
	return PPP_CTL_OK;
}

static enum ppp_ctl_verdict ppp_ctl_parse_ip_up(struct wire_rd *rd, struct ppp_ctl_ip_up *up)
{
	size_t ifname_len = wire_u8(rd);

	if (ifname_len > PPP_CTL_IFNAME_MAX)
		return PPP_CTL_ERR_IFNAME;
	wire_bytes(rd, up->ifname, ifname_len);
	up->ifname[ifname_len] = '\0';
	wire_bytes(rd, &up->local_address, sizeof(up->local_address));
	wire_bytes(rd, &up->peer_address, sizeof(up->peer_address));
	if (!wire_ok(rd))
		return PPP_CTL_ERR_SHORT;
	if (!ppp_ctl_ifname_ok(up->ifname, ifname_len))
		return PPP_CTL_ERR_IFNAME;
	return PPP_CTL_OK;
}

enum ppp_ctl_verdict ppp_ctl_parse(const uint8_t *buf, size_t len, struct ppp_ctl_msg *out)
{
	struct wire_rd rd = wire_rd_init(buf, len);
	enum ppp_ctl_verdict verdict;
	uint8_t version, type;

	memset(out, 0, sizeof(*out));
	version = wire_u8(&rd);
	type = wire_u8(&rd);
	if (!wire_ok(&rd))
		return PPP_CTL_ERR_SHORT;
	if (version != PPP_CTL_VERSION)
		return PPP_CTL_ERR_VERSION;
	switch (type) {
	case PPP_CTL_HELLO:
		verdict = ppp_ctl_parse_hello(&rd, &out->u.hello);
		break;
	case PPP_CTL_AUTH_REQUEST:
		verdict = ppp_ctl_parse_auth_request(&rd, &out->u.auth_request);
		break;
	case PPP_CTL_AUTH_REPLY:
		verdict = ppp_ctl_parse_auth_reply(&rd, &out->u.auth_reply);
		break;
	case PPP_CTL_IP_UP:
		verdict = ppp_ctl_parse_ip_up(&rd, &out->u.ip_up);
		break;
	case PPP_CTL_IP_DOWN:
		verdict = PPP_CTL_OK;
		break;
	default:
		return PPP_CTL_ERR_TYPE;
	}
	if (verdict == PPP_CTL_OK && !wire_done(&rd))
		verdict = PPP_CTL_ERR_LONG;
	if (verdict != PPP_CTL_OK) {
		/* nothing of a refused message stays behind (an NT-Response included) */
		memset(out, 0, sizeof(*out));
		return verdict;
	}
	out->type = (enum ppp_ctl_type)type;
	return PPP_CTL_OK;
}

/* ------------------------------------------------------------ build */

static void ppp_ctl_put_string(struct wire_wr *wr, const char *s, size_t len)
{
	wire_put_u8(wr, (uint8_t)len);
	wire_put_bytes(wr, s, len);
}

static enum ppp_ctl_verdict ppp_ctl_build_body(const struct ppp_ctl_msg *msg, struct wire_wr *wr)
{
	switch (msg->type) {
	case PPP_CTL_HELLO: {
		const struct ppp_ctl_hello *hello = &msg->u.hello;

		if (hello->pid <= 0)
			return PPP_CTL_ERR_PID;
		wire_put_be32(wr, (uint32_t)hello->pid);
		return PPP_CTL_OK;
	}
	case PPP_CTL_AUTH_REQUEST: {
		const struct ppp_ctl_auth_request *req = &msg->u.auth_request;

		if (!ppp_ctl_name_ok(req->name, req->name_len))
			return PPP_CTL_ERR_NAME;
		wire_put_u8(wr, req->chap_id);
		ppp_ctl_put_string(wr, req->name, req->name_len);
		wire_put_bytes(wr, req->auth_challenge, sizeof(req->auth_challenge));
		wire_put_bytes(wr, req->peer_challenge, sizeof(req->peer_challenge));
		wire_put_bytes(wr, req->nt_response, sizeof(req->nt_response));
		wire_put_u8(wr, req->flags);
		return PPP_CTL_OK;
	}
	case PPP_CTL_AUTH_REPLY: {
		const struct ppp_ctl_auth_reply *reply = &msg->u.auth_reply;
		size_t message_len = strnlen(reply->message, sizeof(reply->message));

		if (!reply->ok && reply->peer_address != 0)
			return PPP_CTL_ERR_REFUSAL_ADDRESS;
		if (!ppp_ctl_message_ok(reply->message, message_len))
			return PPP_CTL_ERR_MESSAGE;
		wire_put_u8(wr, reply->chap_id);
		wire_put_u8(wr, reply->ok ? 1 : 0);
		wire_put_bytes(wr, &reply->peer_address, sizeof(reply->peer_address));
		ppp_ctl_put_string(wr, reply->message, message_len);
		return PPP_CTL_OK;
	}
	case PPP_CTL_IP_UP: {
		const struct ppp_ctl_ip_up *up = &msg->u.ip_up;
		size_t ifname_len = strnlen(up->ifname, sizeof(up->ifname));

		if (!ppp_ctl_ifname_ok(up->ifname, ifname_len))
			return PPP_CTL_ERR_IFNAME;
		ppp_ctl_put_string(wr, up->ifname, ifname_len);
		wire_put_bytes(wr, &up->local_address, sizeof(up->local_address));
		wire_put_bytes(wr, &up->peer_address, sizeof(up->peer_address));
		return PPP_CTL_OK;
	}
	case PPP_CTL_IP_DOWN:
		return PPP_CTL_OK;
	}
	return PPP_CTL_ERR_TYPE;
}

enum ppp_ctl_verdict ppp_ctl_build(const struct ppp_ctl_msg *msg, uint8_t *buf, size_t size,
				   size_t *len)
{
	struct wire_wr wr = wire_wr_init(buf, size);
	enum ppp_ctl_verdict verdict;

	*len = 0;
	wire_put_u8(&wr, PPP_CTL_VERSION);
	wire_put_u8(&wr, (uint8_t)msg->type);
	verdict = ppp_ctl_build_body(msg, &wr);
	if (verdict != PPP_CTL_OK)
		return verdict;
	if (!wire_wr_ok(&wr))
		return PPP_CTL_ERR_SPACE;
	*len = wr.len;
	return PPP_CTL_OK;
}
