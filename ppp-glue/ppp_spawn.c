/*
 * ppp_spawn.c - posix_spawn with file actions and attributes, pidfd helpers,
 * pppd's exit codes.
 *
 * The three source descriptors are first moved to numbers >= 5 when they are
 * lower (a temporary F_DUPFD_CLOEXEC copy), so the dup2 actions onto 0..4 can
 * never overwrite a source before it is copied, whatever the caller's numbers.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ppp-glue/ppp_spawn.h"

enum { PPP_SPAWN_FD_FIRST_FREE = 5 };

static char *const ppp_spawn_environment[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };

/* fd itself when >= 5, else a close-on-exec copy >= 5 stored in *temporary. */
static int ppp_spawn_high_fd(int fd, int *temporary)
{
	*temporary = -1;
	if (fd >= PPP_SPAWN_FD_FIRST_FREE)
		return fd;
	*temporary = fcntl(fd, F_DUPFD_CLOEXEC, PPP_SPAWN_FD_FIRST_FREE);
	return *temporary;
}

static int ppp_spawn_actions(posix_spawn_file_actions_t *actions, int pppox, int control, int log)
{
	int err;

	err = posix_spawn_file_actions_addopen(actions, 0, "/dev/null", O_RDWR, 0);
	if (err == 0)
		err = posix_spawn_file_actions_adddup2(actions, log, 1);
	if (err == 0)
		err = posix_spawn_file_actions_adddup2(actions, log, 2);
	if (err == 0)
		err = posix_spawn_file_actions_adddup2(actions, pppox, PPP_SPAWN_FD_PPPOX);
	if (err == 0)
		err = posix_spawn_file_actions_adddup2(actions, control, PPP_SPAWN_FD_CONTROL);
	if (err == 0)
		err = posix_spawn_file_actions_addclosefrom_np(actions, PPP_SPAWN_FD_FIRST_FREE);
	return err;
}

static int ppp_spawn_attributes(posix_spawnattr_t *attributes)
{
	sigset_t none, all;
	int err;

	sigemptyset(&none);
	sigfillset(&all);
	err = posix_spawnattr_setflags(attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
							   POSIX_SPAWN_SETSID);
	if (err == 0)
		err = posix_spawnattr_setsigmask(attributes, &none);
	if (err == 0)
		err = posix_spawnattr_setsigdefault(attributes, &all);
	return err;
}

static int ppp_pidfd_open(pid_t pid)
{
#ifdef SYS_pidfd_open
	long fd = syscall(SYS_pidfd_open, pid, 0);

	return fd < 0 ? -1 : (int)fd;
#else
	(void)pid;
	return -1;
#endif
}

int ppp_spawn(char *const argv[], const struct ppp_spawn_fds *fds, struct ppp_child *child)
{
	int temporary[3] = { -1, -1, -1 }, pppox, control, log, err;
	posix_spawn_file_actions_t actions;
	posix_spawnattr_t attributes;
	pid_t pid;

	child->pid = 0;
	child->pidfd = -1;
	if (argv == NULL || argv[0] == NULL || fds->pppox < 0 || fds->control < 0 || fds->log < 0)
		return -EINVAL;
	err = 0;
	pppox = ppp_spawn_high_fd(fds->pppox, &temporary[0]);
	if (pppox < 0)
		err = errno;
	control = err == 0 ? ppp_spawn_high_fd(fds->control, &temporary[1]) : -1;
	if (err == 0 && control < 0)
		err = errno;
	log = err == 0 ? ppp_spawn_high_fd(fds->log, &temporary[2]) : -1;
	if (err == 0 && log < 0)
		err = errno;
	if (err != 0)
		goto out_fds;
	err = posix_spawn_file_actions_init(&actions);
	if (err != 0)
		goto out_fds;
	err = posix_spawnattr_init(&attributes);
	if (err != 0)
		goto out_actions;
	err = ppp_spawn_actions(&actions, pppox, control, log);
	if (err == 0)
		err = ppp_spawn_attributes(&attributes);
	if (err == 0)
		err = posix_spawn(&pid, argv[0], &actions, &attributes, argv, ppp_spawn_environment);
	if (err == 0) {
		child->pid = pid;
		child->pidfd = ppp_pidfd_open(pid);
	}
	posix_spawnattr_destroy(&attributes);
out_actions:
	posix_spawn_file_actions_destroy(&actions);
out_fds:
	for (size_t i = 0; i < ARRAY_SIZE(temporary); i++) {
		if (temporary[i] >= 0)
			close(temporary[i]);
	}
	return -err;
}

int ppp_reap(const struct ppp_child *child, int *wait_status)
{
	pid_t pid;

	if (child->pid <= 0)
		return -ECHILD;
	do
		pid = waitpid(child->pid, wait_status, WNOHANG);
	while (pid < 0 && errno == EINTR);
	if (pid < 0)
		return -errno;
	return pid == child->pid ? 1 : 0;
}

int ppp_signal(const struct ppp_child *child, int signo)
{
	long rc;

	if (child->pid <= 0)
		return -ESRCH;
#ifdef SYS_pidfd_send_signal
	if (child->pidfd >= 0) {
		rc = syscall(SYS_pidfd_send_signal, child->pidfd, signo, NULL, 0);
		return rc < 0 ? -errno : 0;
	}
#endif
	rc = kill(child->pid, signo);
	return rc < 0 ? -errno : 0;
}

void ppp_child_close(struct ppp_child *child)
{
	if (child->pidfd >= 0)
		close(child->pidfd);
	child->pid = 0;
	child->pidfd = -1;
}

const char *ppp_exit_code_text(int code)
{
	/* pppd(8) EXIT STATUS, pppd 2.4.9. */
	static const char *const text[] = {
		[0] = "peer terminated or pppd detached",
		[1] = "fatal error",
		[2] = "error in options",
		[3] = "not setuid-root",
		[4] = "no kernel PPP support",
		[5] = "terminated by SIGINT, SIGTERM or SIGHUP",
		[6] = "could not lock the device",
		[7] = "could not open the device",
		[8] = "connect script failed",
		[9] = "pty command failed",
		[10] = "PPP negotiation failed",
		[11] = "peer failed to authenticate",
		[12] = "idle timeout",
		[13] = "connect time limit",
		[14] = "callback negotiated",
		[15] = "peer not answering LCP echo requests",
		[16] = "hangup",
		[17] = "loopback detected",
		[18] = "init script failed",
		[19] = "we failed to authenticate",
	};

	if (code < 0 || (size_t)code >= ARRAY_SIZE(text))
		return "unknown exit code";
	return text[code];
}

const char *ppp_exit_format(int wait_status, char *buf, size_t size)
{
	if (WIFEXITED(wait_status)) {
		snprintf(buf, size, "exited with status %d (%s)", WEXITSTATUS(wait_status),
			 ppp_exit_code_text(WEXITSTATUS(wait_status)));
	} else if (WIFSIGNALED(wait_status)) {
		const char *name = sigabbrev_np(WTERMSIG(wait_status));

		snprintf(buf, size, "killed by signal %d (%s)%s", WTERMSIG(wait_status),
			 name != NULL ? name : "unknown", WCOREDUMP(wait_status) ? ", core dumped" : "");
	} else {
		snprintf(buf, size, "wait status 0x%x", (unsigned)wait_status);
	}
	return buf;
}
