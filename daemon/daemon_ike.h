/*
 * daemon_ike - wires the IKE engine to the daemon: sockets in, kernel out.
 *
 * Owns, for the daemon, everything IKE needs at run time: the crypto context,
 * the worker pool, the XFRM handle with its expiry-event socket, the engine's
 * kernel operations, the UDP 500/4500 sockets and the NAT keepalive timer.
 * Start removes what an earlier l2tpsecd left in the kernel; stop sends the
 * clients Delete notifications, removes every SA and policy of ours, and
 * checks that nothing is left.
 *
 * What it must not do: speak the protocol (the engine does) or build kernel
 * messages (kernel_xfrm does).
 */
#ifndef L2TPSEC_DAEMON_DAEMON_IKE_H
#define L2TPSEC_DAEMON_DAEMON_IKE_H

#include "lib/util.h"

struct daemon;
struct conf;

/* 0, or -errno after logging why. */
int daemon_ike_start(struct daemon *d) WARN_UNUSED;

/* A reloaded configuration: new exchanges use it; sockets keep their addresses. */
void daemon_ike_reload(struct daemon *d, const struct conf *old_conf, const struct conf *conf);

void daemon_ike_stop(struct daemon *d);

/* Ends one client's IPsec SA (and its ISAKMP SA when that protects nothing else), with
 * Deletes to the client: ike_engine_child_close.  0, -ENOENT. */
int daemon_ike_child_close(struct daemon *d, uint32_t spi_in, const char *reason);

/* The view of ISAKMP SA #serial (for status); false if there is none. */
struct ike_sa_view;
bool daemon_ike_sa_view(struct daemon *d, uint64_t serial, struct ike_sa_view *out);

/* l2tpsecctl show sa. */
struct ctl_out;
void daemon_ike_ctl_show_sa(struct daemon *d, struct ctl_out *o);

/* The XFRM handle (for the L2TP guard policies); NULL before start. */
struct kxfrm *daemon_ike_kxfrm(struct daemon *d);

#endif
