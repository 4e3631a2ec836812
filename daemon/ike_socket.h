/*
 * ike_socket - the daemon's IKE sockets: UDP 500 and the NAT-T port 4500.
 *
 * Both sockets bypass IPsec policy (an IKE packet must never need the SA it
 * negotiates); 4500 is also an ESP-in-UDP decapsulation socket, so the kernel
 * takes ESP off it and only IKE (behind the 4-byte zero non-ESP marker,
 * RFC 3948 §2.2) and NAT keepalives (one 0xFF byte) reach us.  Bound to the
 * configured address or to any; the address a datagram arrived on comes from
 * IP_PKTINFO and replies leave from it, so a multi-homed server answers from
 * the address the client used.
 *
 * What it must not do: parse IKE (it hands whole messages to a callback),
 * log per packet above debug, or block.
 * Ownership: the daemon owns the struct; sockets close in ike_socket_close.
 */
#ifndef L2TPSEC_DAEMON_IKE_SOCKET_H
#define L2TPSEC_DAEMON_IKE_SOCKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/evloop.h"
#include "lib/log.h"
#include "lib/netaddr.h"
#include "lib/util.h"

#define IKE_SOCKET_MSG_MAX 8192         /* IKEv1 without certificates stays far below */

struct ike_socket_stats {
	uint64_t received;
	uint64_t keepalives;                /* 0xFF on 4500 */
	uint64_t truncated;                 /* larger than IKE_SOCKET_MSG_MAX */
	uint64_t not_ike;                   /* on 4500 without the marker (kernel should take ESP) */
	uint64_t sent;
	uint64_t send_errors;
};

struct ike_socket_set;

/* A received ISAKMP message (marker stripped); local.port says which socket. */
typedef void ike_socket_recv_fn(void *arg, const struct netaddr *local, const struct netaddr *remote,
				const uint8_t *msg, size_t len);

/* Binds both sockets on `address` (AF_UNSPEC: any IPv4) and registers them. NULL with errno. */
struct ike_socket_set *ike_socket_open(struct ev_loop *loop, const struct logger *lg,
				       const struct netaddr *address, uint16_t port,
				       uint16_t natt_port, ike_socket_recv_fn *recv, void *arg) WARN_UNUSED;
void ike_socket_close(struct ike_socket_set *set);

/* Sends from local (its port picks the socket; the NAT-T port adds the marker). 0 or -errno. */
int ike_socket_send(struct ike_socket_set *set, const struct netaddr *local,
		    const struct netaddr *remote, const uint8_t *msg, size_t len);

/* One NAT keepalive (RFC 3948 §2.3: a single 0xFF) from the NAT-T socket. 0 or -errno. */
int ike_socket_send_keepalive(struct ike_socket_set *set, const struct netaddr *local,
			      const struct netaddr *remote);

void ike_socket_stats(const struct ike_socket_set *set, struct ike_socket_stats *out);

#endif
