/*
 * ctl_client.h - one request to l2tpsecd's control socket, and its reply.
 *
 * The protocol (daemon/ctl_socket.c is the other end): the client connects
 * to the unix stream socket, writes one request line ("status", "show sa",
 * "show tunnels", "show sessions", "users", "kill alice", "kill #5",
 * "reload"), and reads until the daemon closes.  The reply's first line is
 * "ok" or "error MESSAGE"; every further line is one record: fields
 * "key=value" separated by tabs, values percent-escaped (%XX for '%', tab,
 * newline, '=' and any byte outside printable ASCII), keys [a-z_]+.  The
 * client turns records into tables or JSON; the daemon never formats for
 * people.
 *
 * What it must not do: trust the reply (it is parsed with bounds like any
 * input), or block forever (a timeout on every read).
 */
#ifndef L2TPSEC_CTL_CTL_CLIENT_H
#define L2TPSEC_CTL_CTL_CLIENT_H

#include <stddef.h>

#include "lib/util.h"

enum {
	CTL_REPLY_MAX = 4 * 1024 * 1024,        /* the longest reply read */
	CTL_RECORD_FIELDS_MAX = 32,
	CTL_TIMEOUT_MS = 10000,
};

struct ctl_field {
	const char *key;
	const char *value;              /* unescaped, NUL-terminated */
};

struct ctl_record {
	size_t count;
	struct ctl_field fields[CTL_RECORD_FIELDS_MAX];
};

struct ctl_reply {
	char *text;                     /* the raw reply, rewritten in place */
	const char *error;              /* NULL on "ok" */
	size_t count;
	struct ctl_record *records;
};

/*
 * Sends request to the socket at path and parses the reply into *out.
 * 0 (then out->error says whether the daemon refused), -ENOENT or
 * -ECONNREFUSED when no daemon listens there (exit CTL_EXIT_NOT_RUNNING),
 * -EACCES, -ETIMEDOUT, -EPROTO for a reply that does not parse, -ENOMEM.
 */
int ctl_request(const char *path, const char *request, struct ctl_reply *out) WARN_UNUSED;

/* Parses text (modified in place, owned by the caller) as a reply. 0 or -EPROTO. */
int ctl_reply_parse(char *text, struct ctl_reply *out) WARN_UNUSED;

void ctl_reply_free(struct ctl_reply *reply);

/* The value of key in the record, or NULL. */
const char *ctl_record_get(const struct ctl_record *record, const char *key);

#endif
