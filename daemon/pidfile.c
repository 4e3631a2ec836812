/*
 * pidfile.c - locked pid file.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "daemon/pidfile.h"
#include "lib/alloc.h"

static pid_t pidfile_read_holder(int fd)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	long pid;
	char *end;

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	pid = strtol(buf, &end, 10);
	if (end == buf || pid <= 0)
		return 0;
	return (pid_t)pid;
}

int pidfile_open(struct pidfile *pf, const char *path, pid_t *holder)
{
	int fd, err;

	pf->fd = -1;
	pf->path = alloc_strdup(path);
	if (!pf->path)
		return -ENOMEM;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0) {
		err = -errno;
		goto err_path;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		err = errno == EWOULDBLOCK ? -EEXIST : -errno;
		if (holder)
			*holder = pidfile_read_holder(fd);
		close(fd);
		goto err_path;
	}
	pf->fd = fd;
	return 0;

err_path:
	alloc_free(pf->path);
	pf->path = NULL;
	return err;
}

int pidfile_write(struct pidfile *pf, pid_t pid)
{
	char buf[32];
	int len = snprintf(buf, sizeof(buf), "%ld\n", (long)pid);

	if (ftruncate(pf->fd, 0) < 0)
		return -errno;
	if (pwrite(pf->fd, buf, (size_t)len, 0) != len)
		return errno ? -errno : -EIO;
	return 0;
}

void pidfile_close(struct pidfile *pf)
{
	if (pf->fd >= 0) {
		/* Unlink while still holding the lock, so no newcomer's file is removed. */
		if (pf->path)
			unlink(pf->path);
		close(pf->fd);
		pf->fd = -1;
	}
	alloc_free(pf->path);
	pf->path = NULL;
}
