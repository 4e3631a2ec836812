/*
 * ppp_spawn_test.c - spawns ppp_spawn_child in pppd's place from a parent
 * that looks like the daemon (signals blocked for a signalfd, SIGPIPE
 * ignored, stray descriptors open, the sources sitting on 3 and 4 the wrong
 * way round) and checks what the child saw: exactly fds 0-4 with the right
 * objects, PATH alone in the environment, nothing blocked or ignored, its own
 * session.  Then the pidfd, reaping, signalling, exit texts and refusals.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ppp-glue/ppp_spawn.h"
#include "tests/harness/tap.h"

static char child_path[4096];

/* Everything the child writes until it closes its end, as one string. */
static void read_all(int fd, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;

	while (len + 1 < size && (n = read(fd, buf + len, size - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
}

static int wait_exit(const struct ppp_child *child, int *status)
{
	struct pollfd pfd = { .fd = child->pidfd, .events = POLLIN };
	int rc;

	if (child->pidfd >= 0 && poll(&pfd, 1, 10000) != 1)
		return -ETIMEDOUT;
	for (int i = 0; i < 1000; i++) {
		rc = ppp_reap(child, status);
		if (rc != 0)
			return rc;
		usleep(10000);
	}
	return -ETIMEDOUT;
}

static void test_report(void)
{
	int log_pipe[2], pppox_pair[2], control_pair[2], stray, status = 0, rc;
	struct ppp_child child;
	struct ppp_spawn_fds fds;
	char out[8192], expected[128], buf[16];
	char *argv[] = { child_path, "report", "name", "l2tpsec", NULL };
	unsigned fd_lines = 0;
	ssize_t n;

	/* Hold 3 and 4 so the pipes and pairs land above them, then put the sources there. */
	if (dup2(0, 3) != 3 || dup2(0, 4) != 4)
		abort();
	if (pipe2(log_pipe, O_CLOEXEC) != 0 ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pppox_pair) != 0 ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, control_pair) != 0)
		abort();
	/* The daemon's sources on 4 (pppox) and 3 (control): the reverse of their targets. */
	if (dup2(pppox_pair[1], 4) != 4 || dup2(control_pair[1], 3) != 3)
		abort();
	close(pppox_pair[1]);
	close(control_pair[1]);
	stray = dup(0);         /* no close-on-exec: closefrom must catch it */
	fds = (struct ppp_spawn_fds){ .pppox = 4, .control = 3, .log = log_pipe[1] };

	rc = ppp_spawn(argv, &fds, &child);
	is_int(rc, 0, "ppp_spawn starts the child");
	close(log_pipe[1]);
	close(3);
	close(4);
	close(stray);
	if (rc != 0)
		return;
	ok(child.pid > 0, "with a pid");
	ok(child.pidfd >= 0, "and a pidfd (Linux 5.3+)");
	read_all(log_pipe[0], out, sizeof(out));
	close(log_pipe[0]);

	ok(strstr(out, "arg 1 report\narg 2 name\narg 3 l2tpsec\n") != NULL, "argv arrives intact");
	for (char *line = out; (line = strstr(line, "\nfd ")) != NULL; line++)
		fd_lines++;
	is_uint(fd_lines, 5, "exactly five descriptors are open in the child");
	ok(strstr(out, "\nfd 0 /dev/null\n") != NULL, "fd 0 is /dev/null");
	ok(strstr(out, "\nfd 1 pipe:") != NULL && strstr(out, "\nfd 2 pipe:") != NULL,
	   "fds 1 and 2 are the log pipe");
	ok(strstr(out, "\nfd 3 socket:") != NULL && strstr(out, "\nfd 4 socket:") != NULL,
	   "fds 3 and 4 are sockets");
	snprintf(expected, sizeof(expected), "\nenv PATH=/usr/sbin:/usr/bin:/sbin:/bin\n");
	ok(strstr(out, expected) != NULL, "PATH is set");
	ok(strstr(out, "env ") != NULL && strstr(out, "env ") == strstr(out, "env PATH=") &&
	   strstr(strstr(out, "env ") + 1, "env ") == NULL, "and is the whole environment");
	ok(strstr(out, "SigBlk:\t0000000000000000\n") != NULL, "no signal is blocked");
	ok(strstr(out, "SigIgn:\t") != NULL &&
	   (strtoull(strstr(out, "SigIgn:\t") + 8, NULL, 16) & ~UINT64_C(0x180000000)) == 0,
	   "no signal is ignored (but glibc's own 32 and 33, which posix_spawn ignores itself)");
	ok(strstr(out, "session-leader 1\n") != NULL, "it leads a session of its own");

	n = read(pppox_pair[0], buf, sizeof(buf));
	ok(n == 5 && memcmp(buf, "pppox", 5) == 0, "fd 3 is the pppox socket passed in");
	n = read(control_pair[0], buf, sizeof(buf));
	ok(n == 7 && memcmp(buf, "control", 7) == 0, "fd 4 is the control socket passed in");
	close(pppox_pair[0]);
	close(control_pair[0]);

	is_int(wait_exit(&child, &status), 1, "the pidfd turns readable and the child is reaped");
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "it exited with 0");
	is_int(ppp_reap(&child, &status), -ECHILD, "reaping twice is -ECHILD");
	ppp_child_close(&child);
	ppp_child_close(&child);
	ok(child.pid == 0 && child.pidfd == -1, "closed twice without harm");
}

/* Spawns the child with argv[1..]; fds are throwaway pipes. */
static int spawn_simple(char **argv, struct ppp_child *child, int *log_read)
{
	int p[2], q[2], log_pipe[2], rc;
	struct ppp_spawn_fds fds;

	if (pipe2(p, O_CLOEXEC) != 0 || pipe2(q, O_CLOEXEC) != 0 || pipe2(log_pipe, O_CLOEXEC) != 0)
		abort();
	fds = (struct ppp_spawn_fds){ .pppox = p[1], .control = q[1], .log = log_pipe[1] };
	rc = ppp_spawn(argv, &fds, child);
	close(p[0]);
	close(p[1]);
	close(q[0]);
	close(q[1]);
	close(log_pipe[1]);
	*log_read = log_pipe[0];
	return rc;
}

static void test_exits_and_signals(void)
{
	char *exit11[] = { child_path, "exit", "11", NULL };
	char *waiting[] = { child_path, "wait", NULL };
	char text[PPP_EXIT_TEXT_MAX], line[64];
	struct ppp_child child;
	int status = 0, log_read;

	is_int(spawn_simple(exit11, &child, &log_read), 0, "a child that exits 11");
	is_int(wait_exit(&child, &status), 1, "is reaped");
	is_str(ppp_exit_format(status, text, sizeof(text)),
	       "exited with status 11 (peer failed to authenticate)", "exit 11 in words");
	ppp_child_close(&child);
	close(log_read);

	is_int(spawn_simple(waiting, &child, &log_read), 0, "a child that waits");
	read_all(log_read, line, 9);
	is_str(line, "waiting\n", "it is up");
	is_int(ppp_reap(&child, &status), 0, "reaping a running child returns 0");
	is_int(ppp_signal(&child, SIGTERM), 0, "SIGTERM through the pidfd");
	is_int(wait_exit(&child, &status), 1, "it ends (SIGTERM was not blocked for it)");
	is_str(ppp_exit_format(status, text, sizeof(text)), "killed by signal 15 (TERM)",
	       "killed by SIGTERM in words");
	is_int(ppp_signal(&child, SIGTERM), -ESRCH, "signalling a reaped child is -ESRCH");
	ppp_child_close(&child);
	close(log_read);
}

static void test_refusals_and_texts(void)
{
	char *missing[] = { "/nonexistent/pppd", NULL };
	struct ppp_spawn_fds fds = { .pppox = -1, .control = 0, .log = 1 };
	struct ppp_child child;
	int log_read;

	is_int(ppp_spawn(missing, &fds, &child), -EINVAL, "a negative fd is -EINVAL");
	is_int(spawn_simple(missing, &child, &log_read), -ENOENT, "a missing pppd is -ENOENT");
	ok(child.pid == 0 && child.pidfd == -1, "and leaves no child");
	close(log_read);

	is_str(ppp_exit_code_text(0), "peer terminated or pppd detached", "exit 0");
	is_str(ppp_exit_code_text(5), "terminated by SIGINT, SIGTERM or SIGHUP", "exit 5");
	is_str(ppp_exit_code_text(10), "PPP negotiation failed", "exit 10");
	is_str(ppp_exit_code_text(15), "peer not answering LCP echo requests", "exit 15");
	is_str(ppp_exit_code_text(16), "hangup", "exit 16");
	is_str(ppp_exit_code_text(19), "we failed to authenticate", "exit 19");
	is_str(ppp_exit_code_text(20), "unknown exit code", "exit 20 is unknown");
	is_str(ppp_exit_code_text(-1), "unknown exit code", "-1 is unknown");
	for (int code = 0; code <= 19; code++) {
		if (strcmp(ppp_exit_code_text(code), "unknown exit code") == 0)
			ok(false, "exit code %d has no text", code);
	}
	ok(true, "every code 0..19 of pppd(8) has a text");
}

int main(int argc, char **argv)
{
	sigset_t daemon_mask;
	char self[4096];

	(void)argc;
	snprintf(self, sizeof(self), "%s", argv[0]);
	snprintf(child_path, sizeof(child_path), "%s/ppp_spawn_child", dirname(self));

	/* Look like the daemon: signals blocked for the signalfd, SIGPIPE ignored. */
	sigemptyset(&daemon_mask);
	sigaddset(&daemon_mask, SIGTERM);
	sigaddset(&daemon_mask, SIGHUP);
	sigaddset(&daemon_mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &daemon_mask, NULL);
	signal(SIGPIPE, SIG_IGN);

	test_report();
	test_exits_and_signals();
	test_refusals_and_texts();
	return tap_done();
}
