/*
 * ctl_socket_test.c - the control socket against the real client: requests,
 * replies with escaped values, errors, bad requests, the socket's mode.
 * The client runs in a child process; the parent runs the loop.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ctl/ctl_client.h"
#include "daemon/ctl_socket.h"
#include "lib/clock.h"
#include "lib/evloop.h"
#include "lib/log.h"
#include "tests/harness/tap.h"

static void handle_echo(void *arg, int argc, char **argv, struct ctl_out *o)
{
	for (int i = 1; i < argc; i++) {
		ctl_out_record(o);
		ctl_out_str(o, "word", argv[i]);
		ctl_out_u64(o, "index", (uint64_t)i);
	}
}

static void handle_odd(void *arg, int argc, char **argv, struct ctl_out *o)
{
	struct netaddr a;

	ctl_out_record(o);
	ctl_out_str(o, "text", "tab\there=%\n\x01 space");
	if (netaddr_parse(&a, "192.0.2.1", 4500))
		ctl_out_addr(o, "peer", &a);
	ctl_out_time(o, "at", 1000);
}

static void handle_fail(void *arg, int argc, char **argv, struct ctl_out *o)
{
	ctl_out_record(o);
	ctl_out_str(o, "lost", "yes");
	ctl_out_error(o, "no session of %s", argv[1]);
}

static const struct ctl_command commands[] = {
	{ "echo", 1, 4, handle_echo, NULL },
	{ "odd", 1, 1, handle_odd, NULL },
	{ "fail", 2, 2, handle_fail, NULL },
};

/* Runs the loop until the child exits; its exit status is the number of failed checks. */
static int serve_until_child_exits(struct ev_loop *loop, pid_t pid)
{
	int status;

	for (;;) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 100;
		if (ev_run_once(loop, 20) < 0)
			return 101;
	}
}

/* Client side checks, reported by the child through its exit status. */
static int client_checks(const char *path)
{
	struct ctl_reply r;
	int failed = 0;

#define CHECK(cond) do { if (!(cond)) { fprintf(stderr, "child: failed: %s\n", #cond); failed++; } } while (0)
	CHECK(ctl_request(path, "echo a b", &r) == 0);
	CHECK(r.error == NULL && r.count == 2);
	CHECK(r.count == 2 && strcmp(ctl_record_get(&r.records[1], "word"), "b") == 0);
	CHECK(r.count == 2 && strcmp(ctl_record_get(&r.records[1], "index"), "2") == 0);
	ctl_reply_free(&r);
	CHECK(ctl_request(path, "echo", &r) == 0 && r.error == NULL && r.count == 0);
	ctl_reply_free(&r);
	CHECK(ctl_request(path, "odd", &r) == 0 && r.count == 1);
	CHECK(r.count == 1 && strcmp(ctl_record_get(&r.records[0], "text"),
				     "tab\there=%\n\x01 space") == 0);
	CHECK(r.count == 1 && strcmp(ctl_record_get(&r.records[0], "peer"), "192.0.2.1:4500") == 0);
	CHECK(r.count == 1 && strcmp(ctl_record_get(&r.records[0], "at"), "1970-01-01T00:00:01Z") == 0);
	ctl_reply_free(&r);
	CHECK(ctl_request(path, "fail alice", &r) == 0 && r.error &&
	      strcmp(r.error, "no session of alice") == 0 && r.count == 0);
	ctl_reply_free(&r);
	CHECK(ctl_request(path, "nosuch", &r) == 0 && r.error && strcmp(r.error, "unknown command") == 0);
	ctl_reply_free(&r);
	CHECK(ctl_request(path, "fail", &r) == 0 && r.error &&
	      strcmp(r.error, "wrong number of arguments for fail") == 0);
	ctl_reply_free(&r);
	CHECK(ctl_request(path, "   ", &r) == 0 && r.error && strcmp(r.error, "empty request") == 0);
	ctl_reply_free(&r);
	CHECK(ctl_request(path, "echo a\nb", &r) == -EINVAL);
	CHECK(ctl_request("/nonexistent/l2tpsecd.sock", "echo", &r) == -ENOENT);
	{
		/* A raw client: an overlong line is refused, the daemon survives. */
		struct sockaddr_un sun = { .sun_family = AF_UNIX };
		char big[2048], reply[256] = "";
		int fd = socket(AF_UNIX, SOCK_STREAM, 0);
		ssize_t n;

		memset(big, 'x', sizeof(big));
		if (strlen(path) < sizeof(sun.sun_path))
			memcpy(sun.sun_path, path, strlen(path) + 1);
		CHECK(fd >= 0 && connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0);
		(void)!write(fd, big, sizeof(big));
		n = read(fd, reply, sizeof(reply) - 1);
		CHECK(n > 0 && strcmp(reply, "error request%20longer%20than%20512%20bytes\n") == 0);
		close(fd);
	}
	CHECK(ctl_request(path, "echo still", &r) == 0 && r.count == 1);
	ctl_reply_free(&r);
#undef CHECK
	return failed;
}

int main(void)
{
	char dir[] = "/tmp/l2tpsec-ctl-XXXXXX", path[128];
	struct clock clock;
	struct ev_loop *loop;
	struct log_ctx *log;
	struct logger lg;
	struct ctl_socket *s;
	struct stat st;
	pid_t pid;

	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/l2tpsecd.sock", dir);
	clock_init_monotonic(&clock);
	loop = ev_loop_new(&clock);
	log = log_ctx_new(&clock);
	logger_init_root(&lg, log, "");
	s = ctl_socket_open(loop, &lg, path, (gid_t)-1, commands, 3);
	ok(s != NULL, "the control socket opens");
	ok(stat(path, &st) == 0 && S_ISSOCK(st.st_mode) && (st.st_mode & 0777) == 0600,
	   "it is a socket of mode 0600");
	pid = fork();
	if (pid == 0)
		_exit(client_checks(path));
	is_int(serve_until_child_exits(loop, pid), 0,
	       "every client check passed (requests, escaping, errors, limits)");
	ctl_socket_close(s);
	ok(stat(path, &st) < 0 && errno == ENOENT, "closing removes the socket file");
	{
		FILE *f;

		snprintf(path, sizeof(path), "%s/plain", dir);
		f = fopen(path, "w");
		if (f)
			fclose(f);
		ok(ctl_socket_open(loop, &lg, path, (gid_t)-1, commands, 3) == NULL && errno == EEXIST,
		   "a regular file in the way is not replaced");
		unlink(path);
	}
	{
		char escaped[64];

		ctl_socket_escape(escaped, sizeof(escaped), "a b=c%\t");
		is_str(escaped, "a%20b%3Dc%25%09", "escaping: space, '=', '%%', tab");
	}
	rmdir(dir);
	log_ctx_free(log);
	ev_loop_free(loop);
	return tap_done();
}
