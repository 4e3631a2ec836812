/*
 * netaddr_test.c - parse, format, convert, compare, hash.
 */
#include "config.h"

#include <arpa/inet.h>
#include <string.h>

#include "lib/netaddr.h"
#include "tests/harness/tap.h"

int main(void)
{
	struct netaddr a, b;
	struct sockaddr_storage ss;
	char buf[NETADDR_STRLEN];

	ok(netaddr_parse(&a, "192.0.2.1", 500), "parse IPv4");
	is_str(netaddr_format(&a, buf), "192.0.2.1:500", "format IPv4 with port");
	is_str(netaddr_format_addr(&a, buf), "192.0.2.1", "format IPv4 address");
	is_int(netaddr_len(&a), 4, "IPv4 length");
	ok(netaddr_parse(&b, "2001:db8::1", 4500), "parse IPv6");
	is_str(netaddr_format(&b, buf), "[2001:db8::1]:4500", "format IPv6 with brackets");
	is_int(netaddr_len(&b), 16, "IPv6 length");
	ok(!netaddr_parse(&b, "192.0.2.256", 0), "reject a bad IPv4 address");
	ok(!netaddr_parse(&b, "", 0), "reject an empty string");
	is_int(b.family, AF_UNSPEC, "a failed parse leaves the address unset");
	is_str(netaddr_format(&b, buf), "(no address)", "an unset address formats as such");
	is_int(netaddr_to_sockaddr(&b, &ss), 0, "an unset address has no sockaddr");

	socklen_t len = netaddr_to_sockaddr(&a, &ss);
	is_int(len, sizeof(struct sockaddr_in), "to sockaddr_in");
	ok(netaddr_from_sockaddr(&b, (struct sockaddr *)&ss, len) && netaddr_equal(&a, &b),
	   "sockaddr round trip IPv4");
	ok(!netaddr_from_sockaddr(&b, (struct sockaddr *)&ss, len - 1), "short sockaddr refused");
	ok(netaddr_parse(&a, "2001:db8::2", 1701), "parse IPv6 again");
	len = netaddr_to_sockaddr(&a, &ss);
	ok(netaddr_from_sockaddr(&b, (struct sockaddr *)&ss, len) && netaddr_equal(&a, &b),
	   "sockaddr round trip IPv6");
	ss.ss_family = AF_UNIX;
	ok(!netaddr_from_sockaddr(&b, (struct sockaddr *)&ss, sizeof(ss)), "other families refused");

	ok(netaddr_parse(&a, "198.51.100.7", 500) && netaddr_parse(&b, "198.51.100.7", 4500), "two ports");
	ok(netaddr_same_addr(&a, &b), "same address, different ports");
	ok(!netaddr_equal(&a, &b), "not equal with different ports");
	ok(netaddr_hash(&a, 1) != netaddr_hash(&b, 1), "ports change the hash");
	ok(netaddr_hash(&a, 1) != netaddr_hash(&a, 2), "the seed changes the hash");
	b.port = 500;
	is_uint(netaddr_hash(&a, 7), netaddr_hash(&b, 7), "equal addresses hash alike");
	ok(netaddr_parse(&b, "::ffff:198.51.100.7", 500) && !netaddr_same_addr(&a, &b),
	   "a mapped IPv6 address is not the IPv4 one");
	return tap_done();
}
