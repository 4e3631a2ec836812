/*
 * daemon_l2tp - wires the L2TP LNS engine, the kernel L2TP data path and one
 * pppd per session into the daemon.
 *
 * Owns, for the daemon: the UDP 1701 listener, one connected socket per
 * tunnel (marked with the client's IPsec mark, so what it sends takes that
 * client's SA), the kernel tunnels and sessions, the pppd processes (spawned,
 * talked to over a socketpair, their log lines read from a pipe, their exit
 * read from a pidfd), the address pool, the users file and the MS-CHAPv2
 * verification the plugin asks for.  It learns which IPsec SAs exist from the
 * IKE engine's child_up/child_down, and accepts L2TP only when the kernel's
 * mark on the datagram names one of them (l2tp.allow_clear aside, for tests).
 *
 * What it must not do: speak L2TP (l2tp/ does), build netlink messages
 * (kernel_l2tp does), or put a peer's string into pppd's command line.
 */
#ifndef L2TPSEC_DAEMON_DAEMON_L2TP_H
#define L2TPSEC_DAEMON_DAEMON_L2TP_H

#include "ike/ike_engine.h"
#include "lib/util.h"

struct daemon;
struct conf;

/* After daemon_ike_start (it needs the XFRM handle for the guard).  0, or -errno after logging why. */
int daemon_l2tp_start(struct daemon *d) WARN_UNUSED;

/* SIGHUP: the users file is read again; new tunnels use the new settings. */
void daemon_l2tp_reload(struct daemon *d, const struct conf *old_conf, const struct conf *conf);

/* Before daemon_ike_stop: StopCCN to every client while the SAs still exist, pppds ended. */
void daemon_l2tp_stop(struct daemon *d);

/* The control socket's requests (daemon/daemon_ctl.c). */
struct ctl_out;
void daemon_l2tp_ctl_status(struct daemon *d, struct ctl_out *o);
void daemon_l2tp_ctl_tunnels(struct daemon *d, struct ctl_out *o);
void daemon_l2tp_ctl_sessions(struct daemon *d, struct ctl_out *o);
void daemon_l2tp_ctl_users(struct daemon *d, struct ctl_out *o);
void daemon_l2tp_ctl_kill(struct daemon *d, const char *what, struct ctl_out *o);
void daemon_l2tp_ctl_reload_users(struct daemon *d, struct ctl_out *o);

/* From the IKE engine's observers: an IPsec SA that may carry L2TP came up / went away. */
void daemon_l2tp_child_up(struct daemon *d, const struct ike_child_sa_params *child);
void daemon_l2tp_child_down(struct daemon *d, uint64_t serial, const char *reason);

#endif
