/*
 * kernel_l2tp - the daemon's narrow interface to the kernel's L2TP data path.
 *
 * It makes the UDP sockets L2TP runs on (the listener on 0.0.0.0:1701 and
 * one connected socket per tunnel), reads datagrams with their metadata
 * (local address, remote, the skb mark an inbound SA stamped), and drives the
 * "l2tp" generic netlink family: tunnel and session create and delete,
 * session counters, a count of the tunnels left.  It also connects the
 * PPPoL2TP socket that pppd's pppol2tp plugin takes over.
 *
 * What it must not do: parse L2TP (l2tp/ does), keep any table of tunnels or
 * sessions (the LNS does; the kernel is the only other holder), log (the
 * caller owns the wording; the kernel's extended-ack text is kept for it), or
 * send on the listener (replies go out on the tunnel's own socket, whose
 * SO_MARK selects the client's IPsec policy and SA).
 *
 * Ownership: sockets returned here belong to the caller, who closes them.
 * Closing a tunnel socket also ends the kernel tunnel and its sessions;
 * closing a PPPoL2TP socket ends its session.  struct kl2tp owns one generic
 * netlink socket; requests on it are synchronous (the kernel answers in
 * microseconds).
 *
 * Errors are -errno.  Every call needs CAP_NET_ADMIN in the network
 * namespace except kl2tp_recv and an unmarked kl2tp_tunnel_socket.
 * Addresses: IPv4 everywhere; IPv6 where noted.
 */
#ifndef L2TPSEC_DAEMON_KERNEL_L2TP_H
#define L2TPSEC_DAEMON_KERNEL_L2TP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/netaddr.h"
#include "lib/util.h"

#define KL2TP_ERROR_MAX 160

struct kl2tp;

/* The generic netlink socket and the resolved "l2tp" family.  0, -ENOENT when the
 * kernel has no such family (module l2tp_netlink missing and not loadable), -errno. */
int kl2tp_open(struct kl2tp **out) WARN_UNUSED;
void kl2tp_close(struct kl2tp *k);     /* NULL is a no-op */

/* The kernel's explanation of the last refusal (netlink extended ack), or "". */
const char *kl2tp_last_error(const struct kl2tp *k);

/*
 * The listening socket: UDP/IPv4 bound to 0.0.0.0:port, SO_REUSEADDR (the
 * tunnel sockets bind the same port), IP_PKTINFO, SO_RCVMARK, nonblocking,
 * cloexec, and a per-socket IPsec bypass both ways so that clear datagrams
 * reach us to be logged and dropped (the global guard of kernel_xfrm would
 * otherwise drop them in silence).  Never send from it.  fd, -ENOPROTOOPT when
 * the kernel lacks SO_RCVMARK (Linux < 5.19), -errno.
 */
int kl2tp_listen_socket(uint16_t port) WARN_UNUSED;

/* What came with one datagram. */
struct kl2tp_rx_meta {
	struct netaddr local;           /* the address it was sent to (IP_PKTINFO) and our port */
	struct netaddr remote;          /* the sender, as seen (a NAT's public address) */
	uint32_t mark;                  /* the skb mark: the client's reqid after ESP, 0 if clear */
	bool has_mark;                  /* the SO_RCVMARK message was there */
};

/*
 * Reads one datagram from a listener or tunnel socket.  Its length, -EAGAIN
 * when none is waiting, -EMSGSIZE when one longer than size was read and
 * discarded, -errno otherwise (a connected socket may report an ICMP error
 * such as -ECONNREFUSED once; the caller goes on reading).
 */
ssize_t kl2tp_recv(int fd, uint8_t *buf, size_t size, struct kl2tp_rx_meta *meta) WARN_UNUSED;

/*
 * A tunnel's socket: UDP, SO_REUSEADDR, bound to local (address and port,
 * 1701), connected to remote, SO_MARK = mark unless mark is 0 (so its packets
 * take that client's marked XFRM policy and SA), SO_RCVMARK, nonblocking,
 * cloexec.  IPv4 or IPv6 (both addresses of one family).  fd or -errno;
 * -EPERM from connect() when an unmarked socket meets the guard's block policy.
 */
int kl2tp_tunnel_socket(const struct netaddr *local, const struct netaddr *remote,
			uint32_t mark) WARN_UNUSED;

/*
 * L2TP_CMD_TUNNEL_CREATE {CONN_ID, PEER_CONN_ID, PROTO_VERSION 2, ENCAP UDP, FD}.
 * 0, -EEXIST when tunnel_id is taken in this namespace, -EBUSY when fd already
 * carries a tunnel, -errno.  Afterwards the kernel switches data messages;
 * control messages still come up on fd.
 */
int kl2tp_tunnel_create(struct kl2tp *k, int fd, uint16_t tunnel_id,
			uint16_t peer_tunnel_id) WARN_UNUSED;
/* Ends the tunnel and its sessions.  0, -ENODEV or -ENOENT when it is gone already. */
int kl2tp_tunnel_delete(struct kl2tp *k, uint16_t tunnel_id) WARN_UNUSED;

/* L2TP_CMD_SESSION_CREATE {CONN_ID, PEER_CONN_ID, SESSION_ID, PEER_SESSION_ID,
 * PW_TYPE PPP, LNS_MODE 1}.  0, -EEXIST, -errno. */
int kl2tp_session_create(struct kl2tp *k, uint16_t tunnel_id, uint16_t peer_tunnel_id,
			 uint16_t session_id, uint16_t peer_session_id) WARN_UNUSED;
/* 0, -ENODEV or -ENOENT when it is gone already. */
int kl2tp_session_delete(struct kl2tp *k, uint16_t tunnel_id, uint16_t session_id) WARN_UNUSED;

/*
 * A PPPoL2TP socket connected to that session (the kernel creates the
 * session if SESSION_CREATE was skipped), with PPPOL2TP_SO_LNSMODE set;
 * cloexec: the pppd spawner clears the flag in the child.  remote is the
 * peer as the tunnel socket is connected to it (IPv4 or IPv6).  fd or -errno.
 */
int kl2tp_pppox_socket(int tunnel_fd, const struct netaddr *remote, uint16_t tunnel_id,
		       uint16_t session_id, uint16_t peer_tunnel_id,
		       uint16_t peer_session_id) WARN_UNUSED;

/* A session's counters (L2TP_CMD_SESSION_GET, nested L2TP_ATTR_STATS). */
struct kl2tp_stats {
	uint64_t rx_packets, rx_bytes, rx_errors;
	uint64_t tx_packets, tx_bytes, tx_errors;
	uint64_t rx_seq_discards;       /* out of sequence, dropped */
	uint64_t rx_oos_packets;        /* out of sequence, queued */
	uint64_t rx_invalid;            /* malformed data messages */
};
/* 0 (out filled; fields the kernel did not report stay 0), -ENODEV/-ENOENT, -errno. */
int kl2tp_session_stats(struct kl2tp *k, uint16_t tunnel_id, uint16_t session_id,
			struct kl2tp_stats *out) WARN_UNUSED;

/* How many L2TP tunnels (ours or not) exist in this namespace: the number, or -errno.
 * A tunnel whose socket was just closed may be counted until the kernel's
 * deferred teardown has run (a few milliseconds). */
int kl2tp_tunnel_count(struct kl2tp *k) WARN_UNUSED;

#endif
