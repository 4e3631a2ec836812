/*
 * daemon_ctl - the daemon's control commands on its control socket.
 *
 * The command table (status, show sa|tunnels|sessions, users, kill,
 * reload, reload-users) over daemon/ctl_socket, answered from the IKE and
 * L2TP sides' own views.  Opened after both sides started; closed first at
 * the stop.
 *
 * What it must not do: format for people (l2tpsecctl does), or act on a
 * request it did not fully parse.
 */
#ifndef L2TPSEC_DAEMON_DAEMON_CTL_H
#define L2TPSEC_DAEMON_DAEMON_CTL_H

#include "lib/util.h"

struct daemon;

/* 0, or -errno after logging why. */
int daemon_ctl_start(struct daemon *d) WARN_UNUSED;
void daemon_ctl_stop(struct daemon *d);

#endif
