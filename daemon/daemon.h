/*
 * daemon - the one context of the l2tpsecd process.
 *
 * Everything long-lived hangs off struct daemon: the clock, the event loop,
 * the log, the running configuration.  There are no mutable globals; every
 * function that needs the daemon takes it first.  main.c owns it.
 */
#ifndef L2TPSEC_DAEMON_DAEMON_H
#define L2TPSEC_DAEMON_DAEMON_H

#include <stdbool.h>

#include "daemon/conf.h"
#include "daemon/ctl_socket.h"
#include "daemon/pidfile.h"
#include "lib/clock.h"
#include "lib/evloop.h"
#include "lib/log.h"

struct daemon_ike;
struct daemon_l2tp;

struct daemon {
	struct clock clock;
	struct ev_loop *loop;
	struct log_ctx *log;
	struct logger lg;               /* the daemon's own lines: no prefix */
	struct conf *conf;              /* the running configuration; replaced on reload */
	const char *conf_path;
	const char *debug_override;     /* -d SPEC: wins over log.debug */
	bool foreground;
	struct pidfile pidfile;
	struct daemon_ike *ike;         /* daemon_ike.c: engine, sockets, kernel */
	struct daemon_l2tp *l2tp;       /* daemon_l2tp.c: LNS, kernel L2TP, pppds */
	struct ctl_socket *ctl;         /* daemon_ctl.c: the control socket */
	struct ctl_command ctl_commands[6];
};

/* Point the log sinks, level and debug classes at what CONF says. 0 or -errno. */
int daemon_log_apply(struct daemon *d, const struct conf *conf) WARN_UNUSED;

/* SIGHUP or "reload": read the file again; on any error keep the running configuration.
 * 0, or -1 with why filled. */
int daemon_reload(struct daemon *d, char *why, size_t size);

#endif
