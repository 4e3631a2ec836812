/*
 * ppp_ctl_test.c - the plugin<->daemon message codec: empty, short by one,
 * exact, one too many, every type built and read back byte for byte, the
 * largest messages, bad strings and bad values in both directions.
 */
#include "config.h"

#include <arpa/inet.h>
#include <string.h>

#include "ppp-glue/ppp_ctl.h"
#include "tests/harness/tap.h"

static struct ppp_ctl_msg sample_auth_request(const char *name)
{
	struct ppp_ctl_msg msg = { .type = PPP_CTL_AUTH_REQUEST };
	struct ppp_ctl_auth_request *req = &msg.u.auth_request;

	req->chap_id = 0x42;
	req->flags = 0;
	req->name_len = strlen(name);
	memcpy(req->name, name, req->name_len);
	for (unsigned i = 0; i < PPP_CTL_CHALLENGE_LEN; i++) {
		req->auth_challenge[i] = (uint8_t)(0x10 + i);
		req->peer_challenge[i] = (uint8_t)(0x30 + i);
	}
	for (unsigned i = 0; i < PPP_CTL_NT_RESPONSE_LEN; i++)
		req->nt_response[i] = (uint8_t)(0x50 + i);
	return msg;
}

static struct ppp_ctl_msg sample_auth_reply(bool ok, const char *message, uint32_t address)
{
	struct ppp_ctl_msg msg = { .type = PPP_CTL_AUTH_REPLY };

	msg.u.auth_reply.chap_id = 0x42;
	msg.u.auth_reply.ok = ok;
	msg.u.auth_reply.peer_address = address;
	snprintf(msg.u.auth_reply.message, sizeof(msg.u.auth_reply.message), "%s", message);
	return msg;
}

static struct ppp_ctl_msg sample_ip_up(const char *ifname)
{
	struct ppp_ctl_msg msg = { .type = PPP_CTL_IP_UP };

	snprintf(msg.u.ip_up.ifname, sizeof(msg.u.ip_up.ifname), "%s", ifname);
	msg.u.ip_up.local_address = inet_addr("203.0.113.1");
	msg.u.ip_up.peer_address = inet_addr("203.0.113.10");
	return msg;
}

/* Field by field: padding inside the union is nobody's business. */
static bool same_msg(const struct ppp_ctl_msg *a, const struct ppp_ctl_msg *b)
{
	const struct ppp_ctl_auth_request *qa = &a->u.auth_request, *qb = &b->u.auth_request;
	const struct ppp_ctl_auth_reply *ra = &a->u.auth_reply, *rb = &b->u.auth_reply;
	const struct ppp_ctl_ip_up *ua = &a->u.ip_up, *ub = &b->u.ip_up;

	if (a->type != b->type)
		return false;
	switch (a->type) {
	case PPP_CTL_HELLO:
		return a->u.hello.pid == b->u.hello.pid;
	case PPP_CTL_AUTH_REQUEST:
		return qa->chap_id == qb->chap_id && qa->flags == qb->flags &&
		       qa->name_len == qb->name_len &&
		       memcmp(qa->name, qb->name, sizeof(qa->name)) == 0 &&
		       memcmp(qa->auth_challenge, qb->auth_challenge, PPP_CTL_CHALLENGE_LEN) == 0 &&
		       memcmp(qa->peer_challenge, qb->peer_challenge, PPP_CTL_CHALLENGE_LEN) == 0 &&
		       memcmp(qa->nt_response, qb->nt_response, PPP_CTL_NT_RESPONSE_LEN) == 0;
	case PPP_CTL_AUTH_REPLY:
		return ra->chap_id == rb->chap_id && ra->ok == rb->ok &&
		       ra->peer_address == rb->peer_address &&
		       strcmp(ra->message, rb->message) == 0;
	case PPP_CTL_IP_UP:
		return strcmp(ua->ifname, ub->ifname) == 0 &&
		       ua->local_address == ub->local_address &&
		       ua->peer_address == ub->peer_address;
	case PPP_CTL_IP_DOWN:
		return true;
	}
	return false;
}

/* Built, length as expected, read back equal; then short by one and one too many. */
static void check_round_trip(const struct ppp_ctl_msg *msg, size_t expected_len, const char *what)
{
	uint8_t buf[PPP_CTL_MSG_MAX + 1];
	struct ppp_ctl_msg back;
	size_t len = 99;

	is_int(ppp_ctl_build(msg, buf, PPP_CTL_MSG_MAX, &len), PPP_CTL_OK, "%s: builds", what);
	is_uint(len, expected_len, "%s: %zu octets", what, expected_len);
	is_int(ppp_ctl_parse(buf, len, &back), PPP_CTL_OK, "%s: parses", what);
	ok(same_msg(&back, msg), "%s: type and every field survive", what);
	is_int(ppp_ctl_parse(buf, len - 1, &back), PPP_CTL_ERR_SHORT, "%s: short by one", what);
	buf[len] = 0;
	is_int(ppp_ctl_parse(buf, len + 1, &back), PPP_CTL_ERR_LONG, "%s: one octet too many",
	       what);
	is_int(ppp_ctl_build(msg, buf, len - 1, &len), PPP_CTL_ERR_SPACE,
	       "%s: a buffer one short is refused", what);
	is_uint(len, 0, "%s: and the length is 0", what);
}

static void test_empty_and_header(void)
{
	static const uint8_t one[] = { PPP_CTL_VERSION };
	static const uint8_t v2[] = { 2, PPP_CTL_IP_DOWN };
	static const uint8_t type0[] = { PPP_CTL_VERSION, 0 };
	static const uint8_t type6[] = { PPP_CTL_VERSION, 6 };
	static const uint8_t type255[] = { PPP_CTL_VERSION, 255 };
	struct ppp_ctl_msg msg;

	is_int(ppp_ctl_parse(NULL, 0, &msg), PPP_CTL_ERR_SHORT, "empty datagram");
	is_int(ppp_ctl_parse(one, sizeof(one), &msg), PPP_CTL_ERR_SHORT, "version only");
	is_int(ppp_ctl_parse(v2, sizeof(v2), &msg), PPP_CTL_ERR_VERSION, "version 2 is refused");
	is_int(ppp_ctl_parse(type0, sizeof(type0), &msg), PPP_CTL_ERR_TYPE, "type 0");
	is_int(ppp_ctl_parse(type6, sizeof(type6), &msg), PPP_CTL_ERR_TYPE, "type 6");
	is_int(ppp_ctl_parse(type255, sizeof(type255), &msg), PPP_CTL_ERR_TYPE, "type 255");
}

static void test_exact_bytes(void)
{
	static const uint8_t hello[] = { 1, 1, 0x00, 0x01, 0xe2, 0x40 };
	static const uint8_t ip_up[] = { 1, 4, 4, 'p', 'p', 'p', '0', 203, 0, 113, 1,
					 203, 0, 113, 10 };
	static const uint8_t ip_down[] = { 1, 5 };
	static const uint8_t reply[] = { 1, 3, 7, 1, 203, 0, 113, 10, 4, 'S', '=', 'A', 'B' };
	struct ppp_ctl_msg msg = { .type = PPP_CTL_HELLO, .u.hello.pid = 123456 };
	uint8_t buf[PPP_CTL_MSG_MAX];
	size_t len;

	is_int(ppp_ctl_build(&msg, buf, sizeof(buf), &len), PPP_CTL_OK, "HELLO builds");
	is_uint(len, sizeof(hello), "HELLO is 6 octets");
	is_mem(buf, hello, sizeof(hello), "HELLO: version, type, pid big-endian");

	msg = sample_ip_up("ppp0");
	is_int(ppp_ctl_build(&msg, buf, sizeof(buf), &len), PPP_CTL_OK, "IP_UP builds");
	is_uint(len, sizeof(ip_up), "IP_UP for ppp0 is 15 octets");
	is_mem(buf, ip_up, sizeof(ip_up), "IP_UP: name, then addresses as on the wire");

	msg = (struct ppp_ctl_msg){ .type = PPP_CTL_IP_DOWN };
	is_int(ppp_ctl_build(&msg, buf, sizeof(buf), &len), PPP_CTL_OK, "IP_DOWN builds");
	is_uint(len, sizeof(ip_down), "IP_DOWN is the header alone");
	is_mem(buf, ip_down, sizeof(ip_down), "IP_DOWN bytes");

	is_int(ppp_ctl_parse(reply, sizeof(reply), &msg), PPP_CTL_OK, "a hand-made AUTH_REPLY");
	is_int(msg.type, PPP_CTL_AUTH_REPLY, "AUTH_REPLY type");
	is_uint(msg.u.auth_reply.chap_id, 7, "AUTH_REPLY chap id");
	ok(msg.u.auth_reply.ok, "AUTH_REPLY ok");
	is_uint(msg.u.auth_reply.peer_address, inet_addr("203.0.113.10"),
		"AUTH_REPLY address in network byte order");
	is_str(msg.u.auth_reply.message, "S=AB", "AUTH_REPLY message NUL-terminated");
}

static void test_round_trips(void)
{
	struct ppp_ctl_msg msg = { .type = PPP_CTL_HELLO, .u.hello.pid = 1 };
	char longest[PPP_CTL_NAME_MAX + 1];

	check_round_trip(&msg, 6, "HELLO pid 1");
	msg.u.hello.pid = INT32_MAX;
	check_round_trip(&msg, 6, "HELLO pid INT32_MAX");

	msg = sample_auth_request("alice");
	check_round_trip(&msg, 2 + 1 + 1 + 5 + 16 + 16 + 24 + 1, "AUTH_REQUEST alice");
	msg = sample_auth_request("a");
	check_round_trip(&msg, 2 + 1 + 1 + 1 + 16 + 16 + 24 + 1, "AUTH_REQUEST one-letter name");
	memset(longest, 'n', PPP_CTL_NAME_MAX);
	longest[PPP_CTL_NAME_MAX] = '\0';
	msg = sample_auth_request(longest);
	check_round_trip(&msg, 2 + 1 + 1 + 255 + 16 + 16 + 24 + 1, "AUTH_REQUEST 255-octet name");
	msg = sample_auth_request("DOMAIN\\bob \x01\xff");
	check_round_trip(&msg, 2 + 1 + 1 + 13 + 16 + 16 + 24 + 1,
			 "AUTH_REQUEST name with a backslash, space, control and high octets");

	msg = sample_auth_reply(true, "S=0123456789ABCDEF0123456789ABCDEF01234567 M=Welcome",
				inet_addr("203.0.113.10"));
	check_round_trip(&msg, 2 + 1 + 1 + 4 + 1 + 52, "AUTH_REPLY success");
	msg = sample_auth_reply(false, "E=691 R=0 C=00112233445566778899AABBCCDDEEFF V=3 M=No", 0);
	check_round_trip(&msg, 2 + 1 + 1 + 4 + 1 + 53, "AUTH_REPLY failure");
	msg = sample_auth_reply(true, "", 0);
	check_round_trip(&msg, 2 + 1 + 1 + 4 + 1, "AUTH_REPLY ok, empty message, no address");
	memset(longest, '~', PPP_CTL_MESSAGE_MAX);
	longest[PPP_CTL_MESSAGE_MAX] = '\0';
	msg = sample_auth_reply(true, longest, 1);
	check_round_trip(&msg, 2 + 1 + 1 + 4 + 1 + 255, "AUTH_REPLY 255-octet message");

	msg = sample_ip_up("ppp0");
	check_round_trip(&msg, 2 + 1 + 4 + 4 + 4, "IP_UP ppp0");
	msg = sample_ip_up("l2tpsec-ppp1234");
	check_round_trip(&msg, 2 + 1 + 15 + 4 + 4, "IP_UP 15-octet interface name");

	msg = (struct ppp_ctl_msg){ .type = PPP_CTL_IP_DOWN };
	check_round_trip(&msg, 2, "IP_DOWN");
}

static void test_largest_fits(void)
{
	struct ppp_ctl_msg msg;
	uint8_t buf[PPP_CTL_MSG_MAX];
	size_t len;
	char longest[PPP_CTL_NAME_MAX + 1];

	memset(longest, 'x', PPP_CTL_NAME_MAX);
	longest[PPP_CTL_NAME_MAX] = '\0';
	msg = sample_auth_request(longest);
	is_int(ppp_ctl_build(&msg, buf, sizeof(buf), &len), PPP_CTL_OK,
	       "the largest AUTH_REQUEST fits PPP_CTL_MSG_MAX");
	msg = sample_auth_reply(true, longest, 1);
	is_int(ppp_ctl_build(&msg, buf, sizeof(buf), &len), PPP_CTL_OK,
	       "the largest AUTH_REPLY fits PPP_CTL_MSG_MAX");
}

/* A datagram of an AUTH_REQUEST for `name` with its length octet set to name_len. */
static size_t raw_auth_request(uint8_t *buf, const void *name, size_t name_len)
{
	size_t len = 0;

	buf[len++] = PPP_CTL_VERSION;
	buf[len++] = PPP_CTL_AUTH_REQUEST;
	buf[len++] = 9;
	buf[len++] = (uint8_t)name_len;
	memcpy(buf + len, name, name_len);
	len += name_len;
	memset(buf + len, 0xab, 16 + 16 + 24 + 1);
	return len + 16 + 16 + 24 + 1;
}

static void test_bad_strings(void)
{
	uint8_t buf[PPP_CTL_MSG_MAX];
	struct ppp_ctl_msg msg;
	size_t len;

	len = raw_auth_request(buf, "al\0ce", 5);
	is_int(ppp_ctl_parse(buf, len, &msg), PPP_CTL_ERR_NAME, "a name with a NUL is refused");
	ok(msg.u.auth_request.nt_response[0] == 0 && msg.type == 0,
	   "a refused request leaves nothing behind");
	len = raw_auth_request(buf, "", 0);
	is_int(ppp_ctl_parse(buf, len, &msg), PPP_CTL_ERR_NAME, "an empty name is refused");
	len = raw_auth_request(buf, "alice", 5);
	buf[3] = 200;
	is_int(ppp_ctl_parse(buf, len, &msg), PPP_CTL_ERR_SHORT,
	       "a name length beyond the datagram is short");

	msg = sample_auth_request("alice");
	msg.u.auth_request.name_len = 0;
	is_int(ppp_ctl_build(&msg, buf, sizeof(buf), &len), PPP_CTL_ERR_NAME,
	       "building an empty name is refused");
	msg.u.auth_request.name_len = PPP_CTL_NAME_MAX + 1;
	is_int(ppp_ctl_build(&msg, buf, sizeof(buf), &len), PPP_CTL_ERR_NAME,
	       "building a 256-octet name is refused");
	msg.u.auth_request.name_len = 6;
	is_int(ppp_ctl_build(&msg, buf, sizeof(buf), &len), PPP_CTL_ERR_NAME,
	       "building a name whose length takes in its NUL is refused");

	msg = sample_auth_reply(false, "E=691\nM=x", 0);
	is_int(ppp_ctl_build(&msg, buf, sizeof(buf), &len), PPP_CTL_ERR_MESSAGE,
	       "building a message with a newline is refused");
	msg = sample_auth_reply(false, "E=691", 0);
	is_int(ppp_ctl_build(&msg, buf, sizeof(buf), &len), PPP_CTL_OK, "a plain refusal builds");
	buf[len - 1] = 0x7f;
	is_int(ppp_ctl_parse(buf, len, &msg), PPP_CTL_ERR_MESSAGE, "a message with DEL is refused");
	buf[len - 1] = 0xc3;
	is_int(ppp_ctl_parse(buf, len, &msg), PPP_CTL_ERR_MESSAGE,
	       "a message with a high octet is refused");
	buf[len - 1] = 0;
	is_int(ppp_ctl_parse(buf, len, &msg), PPP_CTL_ERR_MESSAGE, "a message with a NUL is refused");

	msg = sample_ip_up("");
	is_int(ppp_ctl_build(&msg, buf, sizeof(buf), &len), PPP_CTL_ERR_IFNAME,
	       "an empty interface name is refused");
	msg = sample_ip_up("ppp 0");
	is_int(ppp_ctl_build(&msg, buf, sizeof(buf), &len), PPP_CTL_ERR_IFNAME,
	       "an interface name with a space is refused");
	msg = sample_ip_up("ppp0");
	memset(msg.u.ip_up.ifname, 'p', sizeof(msg.u.ip_up.ifname));
	is_int(ppp_ctl_build(&msg, buf, sizeof(buf), &len), PPP_CTL_ERR_IFNAME,
	       "an interface name without its NUL is refused");
	{
		static const uint8_t long_name[] = { 1, 4, 16, 'p', 'p', 'p', 'p', 'p', 'p', 'p',
						     'p', 'p', 'p', 'p', 'p', 'p', 'p', 'p', 'p',
						     1, 2, 3, 4, 5, 6, 7, 8 };
		static const uint8_t tab_name[] = { 1, 4, 4, 'p', 'p', '\t', '0', 1, 2, 3, 4,
						    5, 6, 7, 8 };

		is_int(ppp_ctl_parse(long_name, sizeof(long_name), &msg), PPP_CTL_ERR_IFNAME,
		       "a 16-octet interface name is refused");
		is_int(ppp_ctl_parse(tab_name, sizeof(tab_name), &msg), PPP_CTL_ERR_IFNAME,
		       "an interface name with a tab is refused");
	}
}

static void test_bad_values(void)
{
	static const uint8_t pid0[] = { 1, 1, 0, 0, 0, 0 };
	static const uint8_t pid_negative[] = { 1, 1, 0x80, 0, 0, 0 };
	static const uint8_t ok2[] = { 1, 3, 1, 2, 0, 0, 0, 0, 0 };
	static const uint8_t refusal_address[] = { 1, 3, 1, 0, 10, 9, 9, 9, 0 };
	struct ppp_ctl_msg msg = { .type = PPP_CTL_HELLO, .u.hello.pid = 0 };
	uint8_t buf[PPP_CTL_MSG_MAX];
	size_t len;

	is_int(ppp_ctl_parse(pid0, sizeof(pid0), &msg), PPP_CTL_ERR_PID, "pid 0 is refused");
	is_int(ppp_ctl_parse(pid_negative, sizeof(pid_negative), &msg), PPP_CTL_ERR_PID,
	       "pid 0x80000000 is refused");
	msg = (struct ppp_ctl_msg){ .type = PPP_CTL_HELLO, .u.hello.pid = -1 };
	is_int(ppp_ctl_build(&msg, buf, sizeof(buf), &len), PPP_CTL_ERR_PID,
	       "building pid -1 is refused");
	is_int(ppp_ctl_parse(ok2, sizeof(ok2), &msg), PPP_CTL_ERR_OK_FLAG, "ok = 2 is refused");
	is_int(ppp_ctl_parse(refusal_address, sizeof(refusal_address), &msg),
	       PPP_CTL_ERR_REFUSAL_ADDRESS, "a refusal with an address is refused");
	msg = sample_auth_reply(false, "E=691", inet_addr("10.9.9.9"));
	is_int(ppp_ctl_build(&msg, buf, sizeof(buf), &len), PPP_CTL_ERR_REFUSAL_ADDRESS,
	       "building a refusal with an address is refused");
	msg = (struct ppp_ctl_msg){ .type = (enum ppp_ctl_type)0 };
	is_int(ppp_ctl_build(&msg, buf, sizeof(buf), &len), PPP_CTL_ERR_TYPE,
	       "building type 0 is refused");
	is_int(ppp_ctl_build(&msg, NULL, 0, &len), PPP_CTL_ERR_TYPE,
	       "the type is judged before the space");
	msg = (struct ppp_ctl_msg){ .type = PPP_CTL_IP_DOWN };
	is_int(ppp_ctl_build(&msg, NULL, 0, &len), PPP_CTL_ERR_SPACE, "no buffer at all");
}

static void test_names(void)
{
	is_str(ppp_ctl_type_name(PPP_CTL_HELLO), "HELLO", "type name HELLO");
	is_str(ppp_ctl_type_name(PPP_CTL_AUTH_REQUEST), "AUTH_REQUEST", "type name AUTH_REQUEST");
	is_str(ppp_ctl_type_name(PPP_CTL_IP_DOWN), "IP_DOWN", "type name IP_DOWN");
	ok(ppp_ctl_type_name(0) == NULL, "no name for type 0");
	ok(ppp_ctl_type_name(6) == NULL, "no name for type 6");
	ok(ppp_ctl_type_name(1000) == NULL, "no name for type 1000");
	is_str(ppp_ctl_verdict_name(PPP_CTL_ERR_NAME), "PPP_CTL_ERR_NAME", "verdict name");
	ok(ppp_ctl_verdict_text(PPP_CTL_OK) != NULL, "verdict text");
	ok(ppp_ctl_verdict_name((enum ppp_ctl_verdict)999) == NULL, "no name for verdict 999");
}

int main(void)
{
	test_empty_and_header();
	test_exact_bytes();
	test_round_trips();
	test_largest_fits();
	test_bad_strings();
	test_bad_values();
	test_names();
	return tap_done();
}
