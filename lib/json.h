/*
 * json.h - a small streaming JSON writer (RFC 8259) into a bounded buffer.
 *
 * For the control socket's replies and the admin tool's --json output:
 * objects, arrays, strings (escaped; bytes that are not valid UTF-8 become
 * U+FFFD so the output always parses), integers, booleans, null.  Commas and
 * nesting are the writer's business: callers say what comes, never where a
 * comma goes.  Misuse (a value where a key is due, closing what is not open,
 * nesting deeper than JSON_DEPTH_MAX) or running out of room poisons the
 * writer like lib/wire's sticky error: one json_ok() at the end catches both.
 *
 * What it must not do: allocate, read, or accept anything but UTF-8 text.
 * The caller owns the buffer.
 */
#ifndef L2TPSEC_LIB_JSON_H
#define L2TPSEC_LIB_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/util.h"

enum { JSON_DEPTH_MAX = 16 };

struct json {
	char *buf;
	size_t size, len;
	bool bad;
	unsigned depth;
	bool need_comma[JSON_DEPTH_MAX + 1];
	bool in_object[JSON_DEPTH_MAX + 1];
	bool key_done;          /* in an object: the key is written, its value is due */
};

/* buf holds the text, always NUL-terminated while size > 0 (even when bad). */
void json_init(struct json *j, char *buf, size_t size);

void json_object_begin(struct json *j);
void json_object_end(struct json *j);
void json_array_begin(struct json *j);
void json_array_end(struct json *j);

/* Inside an object: the key of the next value. */
void json_key(struct json *j, const char *key);

void json_string(struct json *j, const char *s);
void json_string_n(struct json *j, const char *s, size_t len);
void json_int(struct json *j, int64_t v);
void json_uint(struct json *j, uint64_t v);
void json_bool(struct json *j, bool v);
void json_null(struct json *j);

/* key + value in one call, for the common case. */
void json_kv_string(struct json *j, const char *key, const char *s);
void json_kv_uint(struct json *j, const char *key, uint64_t v);
void json_kv_int(struct json *j, const char *key, int64_t v);
void json_kv_bool(struct json *j, const char *key, bool v);

/* Complete (every container closed), fitted, no misuse. */
bool json_ok(const struct json *j) WARN_UNUSED;

#endif
