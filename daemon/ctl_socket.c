/*
 * ctl_socket.c - the control socket: accept, read one line, answer, close.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "daemon/ctl_socket.h"
#include "lib/alloc.h"

struct ctl_conn {
	struct ctl_conn *next, **pprev;
	struct ctl_socket *s;
	int fd;
	struct ev_fd ev;
	struct ev_timer timeout;
	char line[CTL_SOCKET_LINE_MAX + 1];
	size_t line_len;
	struct ctl_out out;
	size_t written;
	bool answering;
};

struct ctl_socket {
	struct ev_loop *loop;
	const struct logger *lg;
	char path[108];
	int fd;
	struct ev_fd ev;
	const struct ctl_command *commands;
	size_t count;
	struct ctl_conn *conns;
	unsigned conn_count;
};

/* ------------------------------------------------------------------ the reply */

size_t ctl_socket_escape(char *dst, size_t size, const char *value)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;

	for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
		bool plain = *p > 0x20 && *p < 0x7f && *p != '%' && *p != '=';

		if (n + (plain ? 1 : 3) >= size)
			break;
		if (plain) {
			dst[n++] = (char)*p;
		} else {
			dst[n++] = '%';
			dst[n++] = hex[*p >> 4];
			dst[n++] = hex[*p & 15];
		}
	}
	if (size)
		dst[n] = '\0';
	return n;
}

static void ctl_out_put(struct ctl_out *o, const char *s, size_t n)
{
	if (o->overflow)
		return;
	if (o->len + n + 1 > o->size) {
		size_t size = o->size ? o->size : 4096;
		char *bigger;

		while (size < o->len + n + 1)
			size *= 2;
		if (size > CTL_SOCKET_REPLY_MAX ||
		    !(bigger = alloc_realloc_array(o->buf, size, 1))) {
			o->overflow = true;
			return;
		}
		o->buf = bigger;
		o->size = size;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

void ctl_out_error(struct ctl_out *o, const char *fmt, ...)
{
	char text[256], escaped[3 * sizeof(text)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	o->len = 0;
	o->overflow = false;
	o->in_record = false;
	o->error = true;
	ctl_socket_escape(escaped, sizeof(escaped), text);
	ctl_out_put(o, "error ", 6);
	ctl_out_put(o, escaped, strlen(escaped));
	ctl_out_put(o, "\n", 1);
}

void ctl_out_record(struct ctl_out *o)
{
	if (o->error)
		return;
	if (o->in_record)
		ctl_out_put(o, "\n", 1);
	o->in_record = true;
}

void ctl_out_str(struct ctl_out *o, const char *key, const char *value)
{
	char escaped[3 * 256 + 1];

	if (o->error || !o->in_record)
		return;
	if (o->buf && o->len && o->buf[o->len - 1] != '\n')
		ctl_out_put(o, "\t", 1);
	ctl_out_put(o, key, strlen(key));
	ctl_out_put(o, "=", 1);
	ctl_socket_escape(escaped, sizeof(escaped), value);
	ctl_out_put(o, escaped, strlen(escaped));
}

void ctl_out_u64(struct ctl_out *o, const char *key, uint64_t value)
{
	char num[24];

	snprintf(num, sizeof(num), "%llu", (unsigned long long)value);
	ctl_out_str(o, key, num);
}

void ctl_out_addr(struct ctl_out *o, const char *key, const struct netaddr *addr)
{
	char text[NETADDR_STRLEN];

	if (addr->family == AF_UNSPEC)
		ctl_out_str(o, key, "");
	else if (addr->port)
		ctl_out_str(o, key, netaddr_format(addr, text));
	else
		ctl_out_str(o, key, netaddr_format_addr(addr, text));
}

void ctl_out_time(struct ctl_out *o, const char *key, uint64_t wall_ms)
{
	time_t t = (time_t)(wall_ms / 1000);
	struct tm tm;
	char text[32];

	if (!wall_ms || !gmtime_r(&t, &tm)) {
		ctl_out_str(o, key, "");
		return;
	}
	strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &tm);
	ctl_out_str(o, key, text);
}

/* ------------------------------------------------------------------ connections */

static void ctl_conn_free(struct ctl_conn *c)
{
	struct ctl_socket *s = c->s;
	char sink[4096];

	/* Unread input would make the client's read fail with ECONNRESET (AF_UNIX). */
	for (unsigned i = 0; i < 16 && recv(c->fd, sink, sizeof(sink), MSG_DONTWAIT) > 0; i++)
		;

	ev_timer_cancel(s->loop, &c->timeout);
	ev_fd_del(s->loop, &c->ev);
	close(c->fd);
	alloc_free(c->out.buf);
	if (c->next)
		c->next->pprev = c->pprev;
	*c->pprev = c->next;
	s->conn_count--;
	alloc_free(c);
}

static void ctl_conn_dispatch(struct ctl_conn *c)
{
	struct ctl_socket *s = c->s;
	char *argv[CTL_SOCKET_WORDS_MAX + 1];
	int argc = 0;
	const struct ctl_command *cmd = NULL;

	for (char *save = NULL, *w = strtok_r(c->line, " \t\r", &save); w;
	     w = strtok_r(NULL, " \t\r", &save)) {
		if (argc == CTL_SOCKET_WORDS_MAX) {
			ctl_out_error(&c->out, "too many words");
			return;
		}
		argv[argc++] = w;
	}
	argv[argc] = NULL;
	if (argc == 0) {
		ctl_out_error(&c->out, "empty request");
		return;
	}
	for (size_t i = 0; i < s->count; i++)
		if (strcmp(s->commands[i].name, argv[0]) == 0)
			cmd = &s->commands[i];
	if (!cmd) {
		ctl_out_error(&c->out, "unknown command");
		return;
	}
	if (argc < cmd->min_words || argc > cmd->max_words) {
		ctl_out_error(&c->out, "wrong number of arguments for %s", cmd->name);
		return;
	}
	ctl_out_put(&c->out, "ok\n", 3);
	cmd->fn(cmd->arg, argc, argv, &c->out);
	if (c->out.in_record)
		ctl_out_put(&c->out, "\n", 1);
	if (c->out.overflow)
		ctl_out_error(&c->out, "the reply is too long");
}

static void ctl_conn_on_timeout(struct ev_timer *t)
{
	struct ctl_conn *c = container_of(t, struct ctl_conn, timeout);

	log_dbg(c->s->lg, -1, "control connection timed out");
	ctl_conn_free(c);
}

static void ctl_conn_write(struct ctl_conn *c)
{
	while (c->written < c->out.len) {
		ssize_t n = send(c->fd, c->out.buf + c->written, c->out.len - c->written,
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			ctl_conn_free(c);
			return;
		}
		c->written += (size_t)n;
	}
	ctl_conn_free(c);
}

static void ctl_conn_on_event(struct ev_fd *ev, uint32_t revents)
{
	struct ctl_conn *c = container_of(ev, struct ctl_conn, ev);
	char *nl;
	ssize_t n;

	if (c->answering) {
		ctl_conn_write(c);
		return;
	}
	n = recv(c->fd, c->line + c->line_len, CTL_SOCKET_LINE_MAX - c->line_len, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0 && c->line_len == 0) {
		ctl_conn_free(c);
		return;
	}
	if (n > 0)
		c->line_len += (size_t)n;
	c->line[c->line_len] = '\0';
	nl = memchr(c->line, '\n', c->line_len);
	if (!nl && n > 0 && c->line_len < CTL_SOCKET_LINE_MAX)
		return;         /* more to come */
	if (nl)
		*nl = '\0';
	if (!nl && c->line_len == CTL_SOCKET_LINE_MAX)
		ctl_out_error(&c->out, "request longer than %d bytes", CTL_SOCKET_LINE_MAX);
	else if (strlen(c->line) != (size_t)(nl ? nl - c->line : (ptrdiff_t)c->line_len))
		ctl_out_error(&c->out, "a NUL byte in the request");
	else
		ctl_conn_dispatch(c);
	c->answering = true;
	if (ev_fd_mod(c->s->loop, &c->ev, EPOLLOUT) < 0) {
		ctl_conn_free(c);
		return;
	}
	ctl_conn_write(c);
}

static void ctl_socket_on_accept(struct ev_fd *ev, uint32_t revents)
{
	struct ctl_socket *s = container_of(ev, struct ctl_socket, ev);

	for (;;) {
		int fd = accept4(s->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		struct ctl_conn *c;

		if (fd < 0)
			return;
		if (s->conn_count >= CTL_SOCKET_CONNECTIONS_MAX || !(c = alloc_zero(sizeof(*c)))) {
			close(fd);
			continue;
		}
		c->s = s;
		c->fd = fd;
		ev_timer_init(&c->timeout, ctl_conn_on_timeout);
		if (ev_fd_add(s->loop, &c->ev, fd, EPOLLIN, ctl_conn_on_event) < 0) {
			close(fd);
			alloc_free(c);
			continue;
		}
		c->next = s->conns;
		if (c->next)
			c->next->pprev = &c->next;
		c->pprev = &s->conns;
		s->conns = c;
		s->conn_count++;
		ev_timer_arm(s->loop, &c->timeout, CTL_SOCKET_TIMEOUT_MS);
	}
}

/* ------------------------------------------------------------------ open and close */

struct ctl_socket *ctl_socket_open(struct ev_loop *loop, const struct logger *lg,
				   const char *path, gid_t group,
				   const struct ctl_command *commands, size_t count)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct ctl_socket *s;
	struct stat st;
	mode_t old_umask;
	int err;

	if (strlen(path) >= sizeof(sun.sun_path) || strlen(path) >= sizeof(s->path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			errno = EEXIST;
			return NULL;
		}
		unlink(path);
	}
	s = alloc_zero(sizeof(*s));
	if (!s)
		return NULL;
	s->loop = loop;
	s->lg = lg;
	s->commands = commands;
	s->count = count;
	memcpy(s->path, path, strlen(path) + 1);
	memcpy(sun.sun_path, path, strlen(path) + 1);
	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s->fd < 0)
		goto fail;
	old_umask = umask(0177);        /* the socket is born 0600 */
	err = bind(s->fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old_umask);
	if (err < 0)
		goto fail;
	if (group != (gid_t)-1 && (chown(path, 0, group) < 0 || chmod(path, 0660) < 0))
		goto fail_unlink;
	if (listen(s->fd, 16) < 0)
		goto fail_unlink;
	err = ev_fd_add(loop, &s->ev, s->fd, EPOLLIN, ctl_socket_on_accept);
	if (err < 0) {
		errno = -err;
		goto fail_unlink;
	}
	return s;

fail_unlink:
	err = errno;
	unlink(path);
	errno = err;
fail:
	err = errno;
	if (s->fd >= 0)
		close(s->fd);
	alloc_free(s);
	errno = err;
	return NULL;
}

void ctl_socket_close(struct ctl_socket *s)
{
	if (!s)
		return;
	while (s->conns)
		ctl_conn_free(s->conns);
	ev_fd_del(s->loop, &s->ev);
	close(s->fd);
	unlink(s->path);
	alloc_free(s);
}
