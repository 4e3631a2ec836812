/*
 * ctl_client.c - one request to the daemon's control socket.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl/ctl_client.h"
#include "lib/alloc.h"

static int ctl_hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* %XX in place; false on a broken escape. */
static bool ctl_unescape(char *s)
{
	char *out = s;

	for (; *s; s++) {
		if (*s != '%') {
			*out++ = *s;
			continue;
		}
		int hi = ctl_hex((unsigned char)s[1]), lo = hi < 0 ? -1 : ctl_hex((unsigned char)s[2]);

		if (hi < 0 || lo < 0)
			return false;
		*out++ = (char)(hi << 4 | lo);
		s += 2;
	}
	*out = '\0';
	return true;
}

static bool ctl_key_valid(const char *key)
{
	if (!*key)
		return false;
	for (; *key; key++)
		if (!((*key >= 'a' && *key <= 'z') || *key == '_'))
			return false;
	return true;
}

static int ctl_record_parse(char *line, struct ctl_record *r)
{
	char *field = line, *next;

	r->count = 0;
	for (; field; field = next) {
		char *eq;

		next = strchr(field, '\t');
		if (next)
			*next++ = '\0';
		eq = strchr(field, '=');
		if (!eq || r->count == CTL_RECORD_FIELDS_MAX)
			return -EPROTO;
		*eq = '\0';
		if (!ctl_key_valid(field) || !ctl_unescape(eq + 1))
			return -EPROTO;
		r->fields[r->count].key = field;
		r->fields[r->count].value = eq + 1;
		r->count++;
	}
	return 0;
}

int ctl_reply_parse(char *text, struct ctl_reply *out)
{
	size_t lines = 0, i = 0;
	char *line, *next;

	memset(out, 0, sizeof(*out));
	for (const char *p = text; *p; p++)
		lines += *p == '\n';
	next = strchr(text, '\n');
	if (!next)
		return -EPROTO;
	*next++ = '\0';
	if (strcmp(text, "ok") == 0)
		out->error = NULL;
	else if (strncmp(text, "error ", 6) == 0 && ctl_unescape(text + 6))
		out->error = text + 6;
	else
		return -EPROTO;
	out->records = lines ? alloc_array(lines, sizeof(*out->records)) : NULL;
	if (lines && !out->records)
		return -ENOMEM;
	for (line = next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (!next) {
			ctl_reply_free(out);
			return -EPROTO;     /* every line ends in a newline */
		}
		*next++ = '\0';
		if (i == lines || ctl_record_parse(line, &out->records[i]) < 0) {
			ctl_reply_free(out);
			return -EPROTO;
		}
		i++;
	}
	out->count = i;
	return 0;
}

/* Reads until EOF (or the limit, or the timeout) into a NUL-terminated buffer. */
static int ctl_read_all(int fd, char **text)
{
	size_t size = 4096, len = 0;
	char *buf = alloc_array(size, 1);

	if (!buf)
		return -ENOMEM;
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;
		int r = poll(&p, 1, CTL_TIMEOUT_MS);

		if (r == 0 || (r < 0 && errno != EINTR)) {
			alloc_free(buf);
			return r == 0 ? -ETIMEDOUT : -errno;
		}
		if (r < 0)
			continue;
		if (len + 1 == size) {
			char *bigger;

			if (size >= CTL_REPLY_MAX) {
				alloc_free(buf);
				return -EPROTO;
			}
			bigger = alloc_realloc_array(buf, size * 2, 1);
			if (!bigger) {
				alloc_free(buf);
				return -ENOMEM;
			}
			buf = bigger;
			size *= 2;
		}
		n = read(fd, buf + len, size - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			alloc_free(buf);
			return -errno;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	if (strlen(buf) != len) {   /* a NUL byte inside */
		alloc_free(buf);
		return -EPROTO;
	}
	*text = buf;
	return 0;
}

int ctl_request(const char *path, const char *request, struct ctl_reply *out)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	size_t len = strlen(request);
	char *text = NULL;
	int fd, err;

	memset(out, 0, sizeof(*out));
	if (strlen(path) >= sizeof(sun.sun_path) || strchr(request, '\n'))
		return -EINVAL;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    write(fd, request, len) != (ssize_t)len || write(fd, "\n", 1) != 1) {
		err = -errno;
		close(fd);
		return err;
	}
	shutdown(fd, SHUT_WR);
	err = ctl_read_all(fd, &text);
	close(fd);
	if (err < 0)
		return err;
	err = ctl_reply_parse(text, out);
	if (err < 0) {
		alloc_free(text);
		memset(out, 0, sizeof(*out));
		return err;
	}
	out->text = text;
	return 0;
}

void ctl_reply_free(struct ctl_reply *reply)
{
	alloc_free(reply->records);
	alloc_free(reply->text);
	memset(reply, 0, sizeof(*reply));
}

const char *ctl_record_get(const struct ctl_record *record, const char *key)
{
	for (size_t i = 0; i < record->count; i++)
		if (strcmp(record->fields[i].key, key) == 0)
			return record->fields[i].value;
	return NULL;
}
