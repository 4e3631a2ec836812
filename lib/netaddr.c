/*
 * netaddr.c - addresses with ports.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "lib/netaddr.h"

bool netaddr_from_sockaddr(struct netaddr *na, const struct sockaddr *sa, socklen_t len)
{
	memset(na, 0, sizeof(*na));
	if (sa->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)(const void *)sa;

		na->family = AF_INET;
		na->port = ntohs(sin->sin_port);
		na->addr.v4 = sin->sin_addr;
		return true;
	}
	if (sa->sa_family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)(const void *)sa;

		na->family = AF_INET6;
		na->port = ntohs(sin6->sin6_port);
		na->addr.v6 = sin6->sin6_addr;
		return true;
	}
	return false;
}

socklen_t netaddr_to_sockaddr(const struct netaddr *na, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (na->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(na->port);
		sin->sin_addr = na->addr.v4;
		return sizeof(*sin);
	}
	if (na->family == AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(na->port);
		sin6->sin6_addr = na->addr.v6;
		return sizeof(*sin6);
	}
	return 0;
}

bool netaddr_parse(struct netaddr *na, const char *text, uint16_t port)
{
	memset(na, 0, sizeof(*na));
	na->port = port;
	if (inet_pton(AF_INET, text, &na->addr.v4) == 1) {
		na->family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, text, &na->addr.v6) == 1) {
		na->family = AF_INET6;
		return true;
	}
	memset(na, 0, sizeof(*na));
	return false;
}

size_t netaddr_len(const struct netaddr *na)
{
	return na->family == AF_INET ? 4 : na->family == AF_INET6 ? 16 : 0;
}

const char *netaddr_format_addr(const struct netaddr *na, char buf[NETADDR_STRLEN])
{
	if (!inet_ntop(na->family, &na->addr, buf, NETADDR_STRLEN))
		snprintf(buf, NETADDR_STRLEN, "(no address)");
	return buf;
}

const char *netaddr_format(const struct netaddr *na, char buf[NETADDR_STRLEN])
{
	char addr[INET6_ADDRSTRLEN];

	if (!inet_ntop(na->family, &na->addr, addr, sizeof(addr))) {
		snprintf(buf, NETADDR_STRLEN, "(no address)");
		return buf;
	}
	snprintf(buf, NETADDR_STRLEN, na->family == AF_INET6 ? "[%s]:%u" : "%s:%u", addr,
		 (unsigned)na->port);
	return buf;
}

bool netaddr_same_addr(const struct netaddr *a, const struct netaddr *b)
{
	return a->family == b->family && netaddr_len(a) > 0 &&
	       memcmp(&a->addr, &b->addr, netaddr_len(a)) == 0;
}

bool netaddr_equal(const struct netaddr *a, const struct netaddr *b)
{
	return netaddr_same_addr(a, b) && a->port == b->port;
}

/* FNV-1a over the bytes, then a final avalanche (murmur3's fmix32). */
uint32_t netaddr_hash(const struct netaddr *na, uint32_t seed)
{
	uint32_t h = 2166136261u ^ seed;
	size_t len = netaddr_len(na);

	h = (h ^ na->family) * 16777619u;
	for (size_t i = 0; i < len; i++)
		h = (h ^ na->addr.bytes[i]) * 16777619u;
	h = (h ^ (na->port & 0xff)) * 16777619u;
	h = (h ^ (na->port >> 8)) * 16777619u;
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}
