/*
 * fuzz_ppp_ctl.c - libFuzzer target: any bytes as one datagram on the
 * plugin<->daemon control socket.
 *
 * Links the same libpppctl.a as the daemon (and the same source as the
 * plugin).  A datagram the parser accepts is rebuilt and must come out byte
 * for byte the same (the layout has exactly one encoding); the strings it
 * hands out must be NUL-terminated within their buffers and obey the rules
 * of ppp_ctl.h.  A refused datagram must leave the output zeroed.  Any broken
 * invariant aborts.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ppp-glue/ppp_ctl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_assert(bool condition)
{
	if (!condition)
		abort();
}

static bool fuzz_all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i] != 0)
			return false;
	return true;
}

static void fuzz_check_fields(const struct ppp_ctl_msg *msg)
{
	const struct ppp_ctl_auth_request *req = &msg->u.auth_request;
	const struct ppp_ctl_auth_reply *reply = &msg->u.auth_reply;
	const struct ppp_ctl_ip_up *up = &msg->u.ip_up;

	fuzz_assert(ppp_ctl_type_name(msg->type) != NULL);
	switch (msg->type) {
	case PPP_CTL_HELLO:
		fuzz_assert(msg->u.hello.pid > 0);
		break;
	case PPP_CTL_AUTH_REQUEST:
		fuzz_assert(req->name_len >= 1 && req->name_len <= PPP_CTL_NAME_MAX);
		fuzz_assert(strlen(req->name) == req->name_len);
		break;
	case PPP_CTL_AUTH_REPLY:
		fuzz_assert(memchr(reply->message, '\0', sizeof(reply->message)) != NULL);
		for (const char *c = reply->message; *c; c++)
			fuzz_assert(*c >= ' ' && *c <= '~');
		fuzz_assert(reply->ok || reply->peer_address == 0);
		break;
	case PPP_CTL_IP_UP:
		fuzz_assert(memchr(up->ifname, '\0', sizeof(up->ifname)) != NULL);
		fuzz_assert(up->ifname[0] != '\0');
		for (const char *c = up->ifname; *c; c++)
			fuzz_assert(*c > ' ' && *c <= '~');
		break;
	case PPP_CTL_IP_DOWN:
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ppp_ctl_msg msg;
	static uint8_t again[PPP_CTL_MSG_MAX];
	enum ppp_ctl_verdict verdict;
	size_t len;

	memset(&msg, 0xa5, sizeof(msg));
	verdict = ppp_ctl_parse(data, size, &msg);
	fuzz_assert(ppp_ctl_verdict_name(verdict) != NULL);
	if (verdict != PPP_CTL_OK) {
		fuzz_assert(fuzz_all_zero(&msg, sizeof(msg)));
		return 0;
	}
	fuzz_assert(size <= PPP_CTL_MSG_MAX);
	fuzz_check_fields(&msg);
	fuzz_assert(ppp_ctl_build(&msg, again, sizeof(again), &len) == PPP_CTL_OK);
	fuzz_assert(len == size && memcmp(again, data, size) == 0);
	return 0;
}
