/*
 * json.c - the streaming JSON writer.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "lib/json.h"

void json_init(struct json *j, char *buf, size_t size)
{
	memset(j, 0, sizeof(*j));
	j->buf = buf;
	j->size = size;
	if (size)
		buf[0] = '\0';
	else
		j->bad = true;
}

static void json_put(struct json *j, const char *s, size_t n)
{
	if (j->bad)
		return;
	if (n >= j->size - j->len) {
		j->bad = true;
		return;
	}
	memcpy(j->buf + j->len, s, n);
	j->len += n;
	j->buf[j->len] = '\0';
}

static void json_puts(struct json *j, const char *s)
{
	json_put(j, s, strlen(s));
}

/* Before any value: a comma when one is due; in an object a key must have come. */
static void json_value_begin(struct json *j)
{
	if (j->in_object[j->depth]) {
		if (!j->key_done)
			j->bad = true;
		j->key_done = false;
		return;
	}
	if (j->need_comma[j->depth])
		json_puts(j, ",");
	j->need_comma[j->depth] = true;
}

static void json_open(struct json *j, const char *bracket, bool object)
{
	json_value_begin(j);
	if (j->depth == JSON_DEPTH_MAX) {
		j->bad = true;
		return;
	}
	json_puts(j, bracket);
	j->depth++;
	j->need_comma[j->depth] = false;
	j->in_object[j->depth] = object;
	j->key_done = false;
}

static void json_close(struct json *j, const char *bracket, bool object)
{
	if (j->depth == 0 || j->in_object[j->depth] != object || j->key_done) {
		j->bad = true;
		return;
	}
	j->depth--;
	json_puts(j, bracket);
}

void json_object_begin(struct json *j) { json_open(j, "{", true); }
void json_object_end(struct json *j) { json_close(j, "}", true); }
void json_array_begin(struct json *j) { json_open(j, "[", false); }
void json_array_end(struct json *j) { json_close(j, "]", false); }

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when it is not one. */
static size_t json_utf8_len(const unsigned char *s, size_t left)
{
	size_t n;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1fu;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0fu;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07u;
	else
		return 0;
	if (n > left)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3fu);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

static void json_put_string(struct json *j, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;

	json_puts(j, "\"");
	for (size_t i = 0; i < len;) {
		size_t n = json_utf8_len(p + i, len - i);
		char esc[8];

		if (n == 0) {
			json_puts(j, "\\ufffd");
			i++;
		} else if (p[i] == '"' || p[i] == '\\') {
			esc[0] = '\\';
			esc[1] = (char)p[i];
			json_put(j, esc, 2);
			i++;
		} else if (p[i] < 0x20 || p[i] == 0x7f) {
			snprintf(esc, sizeof(esc), "\\u%04x", p[i]);
			json_puts(j, esc);
			i++;
		} else {
			json_put(j, s + i, n);
			i += n;
		}
	}
	json_puts(j, "\"");
}

void json_key(struct json *j, const char *key)
{
	if (j->depth == 0 || !j->in_object[j->depth] || j->key_done) {
		j->bad = true;
		return;
	}
	if (j->need_comma[j->depth])
		json_puts(j, ",");
	j->need_comma[j->depth] = true;
	json_put_string(j, key, strlen(key));
	json_puts(j, ":");
	j->key_done = true;
}

void json_string_n(struct json *j, const char *s, size_t len)
{
	json_value_begin(j);
	json_put_string(j, s, len);
}

void json_string(struct json *j, const char *s)
{
	json_string_n(j, s, strlen(s));
}

void json_int(struct json *j, int64_t v)
{
	char num[24];

	json_value_begin(j);
	snprintf(num, sizeof(num), "%" PRId64, v);
	json_puts(j, num);
}

void json_uint(struct json *j, uint64_t v)
{
	char num[24];

	json_value_begin(j);
	snprintf(num, sizeof(num), "%" PRIu64, v);
	json_puts(j, num);
}

void json_bool(struct json *j, bool v)
{
	json_value_begin(j);
	json_puts(j, v ? "true" : "false");
}

void json_null(struct json *j)
{
	json_value_begin(j);
	json_puts(j, "null");
}

void json_kv_string(struct json *j, const char *key, const char *s)
{
	json_key(j, key);
	json_string(j, s);
}

void json_kv_uint(struct json *j, const char *key, uint64_t v)
{
	json_key(j, key);
	json_uint(j, v);
}

void json_kv_int(struct json *j, const char *key, int64_t v)
{
	json_key(j, key);
	json_int(j, v);
}

void json_kv_bool(struct json *j, const char *key, bool v)
{
	json_key(j, key);
	json_bool(j, v);
}

bool json_ok(const struct json *j)
{
	return !j->bad && j->depth == 0 && j->len > 0;
}
