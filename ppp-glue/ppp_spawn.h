/*
 * ppp_spawn.h - start one pppd, and say why one ended.
 *
 * ppp_spawn() runs argv (pppd_argv.h) with posix_spawn: the PPPoL2TP socket
 * becomes fd 3 (PPP_SPAWN_FD_PPPOX), our plugin's control socket fd 4
 * (PPP_SPAWN_FD_CONTROL), /dev/null fd 0, the write end of the daemon's log
 * pipe fds 1 and 2, and every other descriptor is closed; the environment is
 * only PATH=/usr/sbin:/usr/bin:/sbin:/bin; the signal mask is empty and every
 * signal disposition is the default (the daemon blocks the signals its
 * signalfd reads and ignores SIGPIPE, and both would survive exec).  pppd gets
 * a session of its own (setsid): a terminal's ^C or hang-up reaches the
 * daemon, which ends its pppds one by one, never the pppds directly.
 *
 * The daemon watches the pidfd (pidfd_open, Linux 5.3+; -1 on older kernels,
 * where SIGCHLD through the signalfd must do) for the exit, then reaps with
 * ppp_reap().  ppp_signal() goes through the pidfd when there is one, so a
 * reaped and reused pid is never hit.
 *
 * What it must not do: log (the caller logs the pid and the exit text), use a
 * shell, or pass anything but the three descriptors.  Ownership: the caller
 * keeps its own descriptors (the child has copies) and owns struct ppp_child:
 * ppp_child_close() after the reap.
 */
#ifndef L2TPSEC_PPP_GLUE_PPP_SPAWN_H
#define L2TPSEC_PPP_GLUE_PPP_SPAWN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "lib/util.h"

enum {
	PPP_SPAWN_FD_PPPOX = 3,         /* "pppol2tp 3" */
	PPP_SPAWN_FD_CONTROL = 4,       /* "l2tpsec_ctl 4" */
	PPP_EXIT_TEXT_MAX = 96,         /* ppp_exit_format()'s buffer */
};

struct ppp_spawn_fds {
	int pppox;              /* the connected PPPoL2TP socket */
	int control;            /* our end's peer: the plugin's socket */
	int log;                /* write end of the pipe pppd's stdout/stderr go to */
};

struct ppp_child {
	pid_t pid;
	int pidfd;              /* -1 when the kernel has no pidfd_open */
};

/*
 * Starts argv[0] with argv (NULL-terminated) and the fds above (all >= 0).
 * 0 with *child set, or -errno (-EINVAL for a negative fd; what posix_spawn
 * reports, e.g. -ENOENT for a missing pppd).
 */
int ppp_spawn(char *const argv[], const struct ppp_spawn_fds *fds, struct ppp_child *child) WARN_UNUSED;

/*
 * Reaps the child without blocking: 1 with *wait_status set (it has ended),
 * 0 while it runs, -errno (-ECHILD: already reaped).
 */
int ppp_reap(const struct ppp_child *child, int *wait_status) WARN_UNUSED;

/* Sends signo through the pidfd (or to the pid).  0 or -errno (-ESRCH: gone). */
int ppp_signal(const struct ppp_child *child, int signo) WARN_UNUSED;

/* Closes the pidfd; the struct is then {0, -1}.  Safe twice. */
void ppp_child_close(struct ppp_child *child);

/*
 * pppd's exit code as pppd(8) EXIT STATUS explains it ("peer failed to
 * authenticate" for 11); "unknown exit code" outside 0..19.
 */
const char *ppp_exit_code_text(int code);

/*
 * A wait status as text: "exited with status 11 (peer failed to
 * authenticate)", "killed by signal 9 (KILL)".  Returns buf.
 */
const char *ppp_exit_format(int wait_status, char *buf, size_t size);

#endif
