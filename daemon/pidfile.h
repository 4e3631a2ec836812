/*
 * pidfile - one running l2tpsecd per pid file.
 *
 * The file is locked with flock(2) for the whole life of the daemon (the
 * lock follows the open file across fork, so it is taken before
 * daemonising and still held by the child), and holds the pid in decimal.
 * A second start finds the lock taken and is told which pid holds it.
 */
#ifndef L2TPSEC_DAEMON_PIDFILE_H
#define L2TPSEC_DAEMON_PIDFILE_H

#include <sys/types.h>

#include "lib/util.h"

struct pidfile {
	char *path;
	int fd;
};

/* Open and lock PATH.  0, -EEXIST when another process holds it (its pid in *holder), or -errno. */
int pidfile_open(struct pidfile *pf, const char *path, pid_t *holder) WARN_UNUSED;

/* Write our pid (after the fork). 0 or -errno. */
int pidfile_write(struct pidfile *pf, pid_t pid) WARN_UNUSED;

/* Remove the file and drop the lock; safe on a pidfile that never opened. */
void pidfile_close(struct pidfile *pf);

#endif
