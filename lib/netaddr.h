/*
 * netaddr - an IPv4 or IPv6 address with a port, as every part of the
 * daemon passes them around.
 *
 * A value type: copy it freely.  Converts to and from struct sockaddr,
 * formats as "192.0.2.1:500" or "[2001:db8::1]:500", compares and hashes.
 * It knows no protocol and never allocates.
 */
#ifndef L2TPSEC_LIB_NETADDR_H
#define L2TPSEC_LIB_NETADDR_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "lib/util.h"

struct netaddr {
	sa_family_t family;             /* AF_INET, AF_INET6, or AF_UNSPEC when unset */
	uint16_t port;                  /* host order */
	union {
		struct in_addr v4;
		struct in6_addr v6;
		uint8_t bytes[16];
	} addr;
};

/* "[2001:db8::1]:65535" plus NUL. */
#define NETADDR_STRLEN (INET6_ADDRSTRLEN + 8)

/* From a socket address; false for other families or a short length. */
bool netaddr_from_sockaddr(struct netaddr *na, const struct sockaddr *sa, socklen_t len) WARN_UNUSED;

/* To a socket address; returns its length (0 when na is unset). */
socklen_t netaddr_to_sockaddr(const struct netaddr *na, struct sockaddr_storage *ss);

/* Parses "192.0.2.1" or "2001:db8::1" (no port; port set to `port`). */
bool netaddr_parse(struct netaddr *na, const char *text, uint16_t port) WARN_UNUSED;

/* Address bytes: 4 or 16, or 0 when unset. */
size_t netaddr_len(const struct netaddr *na);

/* "192.0.2.1" */
const char *netaddr_format_addr(const struct netaddr *na, char buf[NETADDR_STRLEN]);

/* "192.0.2.1:500" or "[2001:db8::1]:500" */
const char *netaddr_format(const struct netaddr *na, char buf[NETADDR_STRLEN]);

/* Same family and address (ports ignored). */
bool netaddr_same_addr(const struct netaddr *a, const struct netaddr *b);

/* Same family, address and port. */
bool netaddr_equal(const struct netaddr *a, const struct netaddr *b);

/* A well-mixed 32-bit hash of family, address and port, for hash tables. */
uint32_t netaddr_hash(const struct netaddr *na, uint32_t seed);

#endif
