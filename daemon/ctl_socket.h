/*
 * ctl_socket - the daemon's control socket: one request line in, one reply
 * out, then the connection closes.
 *
 * A unix stream socket (mode 0600, or 0660 with the configured group), so
 * only root and that group reach it.  The reply format is the one
 * ctl/ctl_client.h describes: "ok" or "error MESSAGE", then one record per
 * line, "key=value" fields separated by tabs, values percent-escaped.  The
 * daemon never formats for people; l2tpsecctl does.
 *
 * Handlers are the daemon's (a table of commands); this module only moves
 * bytes: reads at most one line of CTL_SOCKET_LINE_MAX bytes within a
 * timeout, splits it into words, calls the handler, writes the reply
 * without blocking the loop, and closes.
 *
 * What it must not do: block, trust the request (bounded, any bytes), or
 * keep more than CTL_SOCKET_CONNECTIONS_MAX connections.
 */
#ifndef L2TPSEC_DAEMON_CTL_SOCKET_H
#define L2TPSEC_DAEMON_CTL_SOCKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/evloop.h"
#include "lib/log.h"
#include "lib/netaddr.h"
#include "lib/util.h"

enum {
	CTL_SOCKET_LINE_MAX = 512,
	CTL_SOCKET_WORDS_MAX = 8,
	CTL_SOCKET_CONNECTIONS_MAX = 16,
	CTL_SOCKET_TIMEOUT_MS = 5000,
	CTL_SOCKET_REPLY_MAX = 4 * 1024 * 1024,
};

/* The reply being written. */
struct ctl_out {
	char *buf;
	size_t len, size;
	bool error;                     /* an error line replaced everything */
	bool overflow;
	bool in_record;
};

/* Replaces the reply with "error MESSAGE". */
void ctl_out_error(struct ctl_out *o, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* Starts a new record (line). */
void ctl_out_record(struct ctl_out *o);
void ctl_out_str(struct ctl_out *o, const char *key, const char *value);
void ctl_out_u64(struct ctl_out *o, const char *key, uint64_t value);
void ctl_out_addr(struct ctl_out *o, const char *key, const struct netaddr *addr); /* with :port when set */
void ctl_out_time(struct ctl_out *o, const char *key, uint64_t wall_ms);            /* ISO 8601 UTC */

/* A request's words (argv[0] the command); the handler writes into o. */
typedef void ctl_handler_fn(void *arg, int argc, char **argv, struct ctl_out *o);

struct ctl_command {
	const char *name;
	int min_words, max_words;       /* argv count, command included */
	ctl_handler_fn *fn;
	void *arg;
};

struct ctl_socket;

/*
 * Listens at path (an existing socket file is replaced; any other file there
 * is an error), owned by root and group (gid -1: none, mode 0600).  NULL with
 * errno on failure.  commands must outlive the socket.
 */
struct ctl_socket *ctl_socket_open(struct ev_loop *loop, const struct logger *lg,
				   const char *path, gid_t group,
				   const struct ctl_command *commands, size_t count) WARN_UNUSED;

/* Closes every connection and the listener, removes the socket file. NULL ok. */
void ctl_socket_close(struct ctl_socket *s);

/* Escapes value into dst (the reply's %XX rules); for tests. */
size_t ctl_socket_escape(char *dst, size_t size, const char *value);

#endif
