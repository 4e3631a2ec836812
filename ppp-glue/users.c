/*
 * users.c - the users file parser, its two lookup tables, the loader and the
 * line writer.
 *
 * Entries live in one array in file order.  Two open-addressing tables of
 * entry indexes (plus one, 0 = empty slot) sit beside it, one keyed by the
 * case-folded name, one by static address, both at most half full.  The hash
 * is unkeyed FNV-1a: the tables are filled from the administrator's file only,
 * a client's name merely probes them, so no peer can make chains longer.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/alloc.h"
#include "lib/util.h"
#include "ppp-glue/mschapv2.h"
#include "ppp-glue/users.h"
#include "ppp-glue/utf8.h"

_Static_assert((int)USERS_NT_HASH_LEN == (int)NT_HASH_LEN, "the users file holds NT hashes");

enum { USERS_TABLE_MIN = 16, USERS_HASH_HEX = 2 * USERS_NT_HASH_LEN };

struct users {
	struct users_entry *entries;
	size_t count;
	size_t capacity;
	uint32_t *by_name;      /* table_size slots: entry index + 1, or 0 */
	uint32_t *by_address;
	size_t table_size;      /* a power of two, >= 2 * capacity */
};

/* One line being parsed: its fields as views into the text. */
struct users_line {
	const char *field[4];
	size_t field_len[4];
};

static void users_report(users_report_fn *report, void *arg, unsigned line,
			 enum users_severity severity, const char *reason)
{
	struct users_problem problem = { .line = line, .severity = severity, .reason = reason };

	if (report != NULL)
		report(arg, &problem);
}

static char users_fold(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static uint32_t users_hash_name(const char *name, size_t len)
{
	uint32_t hash = 2166136261u;

	for (size_t i = 0; i < len; i++) {
		hash ^= (uint8_t)users_fold(name[i]);
		hash *= 16777619u;
	}
	return hash;
}

static uint32_t users_hash_address(struct in_addr address)
{
	return (uint32_t)(address.s_addr * 2654435761u) ^ (address.s_addr >> 16);
}

static bool users_same_name(const struct users_entry *entry, const char *name, size_t len)
{
	if (entry->name_len != len)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (users_fold(entry->name[i]) != users_fold(name[i]))
			return false;
	}
	return true;
}

/* The slot holding name, or the empty slot where it would go. */
static size_t users_slot_by_name(const struct users *users, const char *name, size_t len)
{
	size_t mask = users->table_size - 1;
	size_t slot = users_hash_name(name, len) & mask;

	while (users->by_name[slot] != 0 &&
	       !users_same_name(&users->entries[users->by_name[slot] - 1], name, len))
		slot = (slot + 1) & mask;
	return slot;
}

static size_t users_slot_by_address(const struct users *users, struct in_addr address)
{
	size_t mask = users->table_size - 1;
	size_t slot = users_hash_address(address) & mask;

	while (users->by_address[slot] != 0 &&
	       users->entries[users->by_address[slot] - 1].address.s_addr != address.s_addr)
		slot = (slot + 1) & mask;
	return slot;
}

static void users_index(struct users *users, size_t index)
{
	const struct users_entry *entry = &users->entries[index];

	users->by_name[users_slot_by_name(users, entry->name, entry->name_len)] = (uint32_t)index + 1;
	if (entry->has_address)
		users->by_address[users_slot_by_address(users, entry->address)] = (uint32_t)index + 1;
}

/*
 * Room for one more entry.  Entries hold hashes, so the old array is copied
 * and wiped rather than realloc()ed (realloc may free it unwiped).
 */
static int users_reserve(struct users *users)
{
	size_t capacity, table_size;
	struct users_entry *entries;
	uint32_t *by_name, *by_address;

	if (users->count < users->capacity)
		return 0;
	capacity = users->capacity == 0 ? USERS_TABLE_MIN / 2 : users->capacity * 2;
	table_size = capacity * 2;
	if (capacity > UINT32_MAX / 4)
		return -ENOMEM;
	entries = alloc_array(capacity, sizeof(*entries));
	by_name = alloc_array(table_size, sizeof(*by_name));
	by_address = alloc_array(table_size, sizeof(*by_address));
	if (entries == NULL || by_name == NULL || by_address == NULL) {
		alloc_free(entries);
		alloc_free(by_name);
		alloc_free(by_address);
		return -ENOMEM;
	}
	if (users->count > 0)
		memcpy(entries, users->entries, users->count * sizeof(*entries));
	alloc_free_wipe(users->entries, users->capacity * sizeof(*users->entries));
	alloc_free(users->by_name);
	alloc_free(users->by_address);
	users->entries = entries;
	users->capacity = capacity;
	users->by_name = by_name;
	users->by_address = by_address;
	users->table_size = table_size;
	for (size_t i = 0; i < users->count; i++)
		users_index(users, i);
	return 0;
}

bool users_name_valid(const char *name, size_t len, const char **reason)
{
	const uint8_t *bytes = (const uint8_t *)name;
	const char *why = NULL;
	uint32_t code_point;

	if (len == 0)
		why = "NAME: empty";
	else if (len > USERS_NAME_MAX)
		why = "NAME: longer than 64 bytes";
	else if (name[0] == ' ' || name[len - 1] == ' ')
		why = "NAME: leading or trailing space";
	else if (name[0] == '#')
		why = "NAME: starts with '#' (a comment)";
	for (size_t off = 0; why == NULL && off < len;) {
		size_t n = utf8_decode(bytes + off, len - off, &code_point);

		if (n == 0)
			why = "NAME: not valid UTF-8";
		else if (code_point < 0x20 || (code_point >= 0x7f && code_point <= 0x9f))
			why = "NAME: contains a control character";
		else if (code_point == ':')
			why = "NAME: contains ':'";
		else if (code_point == '\\')
			why = "NAME: contains '\\' (what precedes it is a Windows domain)";
		off += n == 0 ? 1 : n;
	}
	if (reason != NULL)
		*reason = why;
	return why == NULL;
}


static bool users_parse_hash(const char *text, size_t len, uint8_t out[USERS_NT_HASH_LEN])
{
	if (len != USERS_HASH_HEX)
		return false;
	for (size_t i = 0; i < USERS_NT_HASH_LEN; i++) {
		int high = util_hex_digit(text[2 * i]), low = util_hex_digit(text[2 * i + 1]);

		if (high < 0 || low < 0)
			return false;
		out[i] = (uint8_t)(high << 4 | low);
	}
	return true;
}

/* Not 0/8, loopback, multicast, reserved or broadcast: an address a client can hold. */
static bool users_address_unicast(struct in_addr address)
{
	uint32_t host = ntohl(address.s_addr);
	uint32_t first_octet = host >> 24;

	return first_octet != 0 && first_octet != 127 && first_octet < 224;
}

static const char *users_parse_address(const char *text, size_t len, struct in_addr *out)
{
	char copy[INET_ADDRSTRLEN];

	if (len >= sizeof(copy) || memchr(text, '\0', len) != NULL)
		return "ADDRESS: not an IPv4 address";
	memcpy(copy, text, len);
	copy[len] = '\0';
	if (inet_pton(AF_INET, copy, out) != 1)
		return "ADDRESS: not an IPv4 address";
	if (!users_address_unicast(*out))
		return "ADDRESS: not a unicast address a client can hold";
	return NULL;
}

static bool users_field_is(const char *text, size_t len, const char *word)
{
	return len == strlen(word) && memcmp(text, word, len) == 0;
}

/* Splits at ':' into exactly four fields; false if there are more or fewer. */
static bool users_split(const char *text, size_t len, struct users_line *line)
{
	size_t field = 0, start = 0;

	for (size_t i = 0; i <= len; i++) {
		if (i < len && text[i] != ':')
			continue;
		if (field == 4)
			return false;
		line->field[field] = text + start;
		line->field_len[field] = i - start;
		field++;
		start = i + 1;
	}
	return field == 4;
}

/* The fields of one line into entry (not yet indexed); NULL or why the line is bad. */
static const char *users_parse_fields(const char *text, size_t len, struct users_entry *entry)
{
	struct users_line line;
	const char *reason = NULL;

	if (!users_split(text, len, &line))
		return "wrong number of fields: expected NAME:NTHASH:ADDRESS:STATE";
	if (!users_name_valid(line.field[0], line.field_len[0], &reason))
		return reason;
	if (!users_parse_hash(line.field[1], line.field_len[1], entry->nt_hash))
		return "NTHASH: not 32 hexadecimal digits";
	if (line.field_len[2] > 0) {
		reason = users_parse_address(line.field[2], line.field_len[2], &entry->address);
		if (reason != NULL)
			return reason;
		entry->has_address = true;
	}
	if (users_field_is(line.field[3], line.field_len[3], "enabled"))
		entry->enabled = true;
	else if (!users_field_is(line.field[3], line.field_len[3], "disabled"))
		return "STATE: neither \"enabled\" nor \"disabled\"";
	memcpy(entry->name, line.field[0], line.field_len[0]);
	entry->name_len = line.field_len[0];
	return NULL;
}

/*
 * One line that is neither blank nor a comment.  Returns 0 (taken or
 * reported), or -ENOMEM.
 */
static int users_parse_line(struct users *users, const char *text, size_t len, unsigned number,
			    users_report_fn *report, void *arg)
{
	struct users_entry entry = { .line = number };
	char message[USERS_REASON_MAX];
	const char *reason;
	size_t slot;
	int err = 0;

	reason = users_parse_fields(text, len, &entry);
	if (reason != NULL)
		goto out;
	err = users_reserve(users);
	if (err < 0)
		goto out;
	slot = users_slot_by_name(users, entry.name, entry.name_len);
	if (users->by_name[slot] != 0) {
		snprintf(message, sizeof(message),
			 "NAME: already defined on line %u (names ignore ASCII case)",
			 users->entries[users->by_name[slot] - 1].line);
		reason = message;
		goto out;
	}
	if (entry.has_address) {
		slot = users_slot_by_address(users, entry.address);
		if (users->by_address[slot] != 0) {
			snprintf(message, sizeof(message),
				 "ADDRESS: already the static address of the user on line %u",
				 users->entries[users->by_address[slot] - 1].line);
			reason = message;
			goto out;
		}
	}
	users->entries[users->count] = entry;
	users_index(users, users->count);
	users->count++;
out:
	if (reason != NULL)
		users_report(report, arg, number, USERS_LINE_SKIPPED, reason);
	util_wipe(&entry, sizeof(entry));
	return err;
}

static bool users_blank(char c)
{
	return c == ' ' || c == '\t';
}

int users_parse(const char *text, size_t len, users_report_fn *report, void *arg,
		struct users **out)
{
	struct users *users = alloc_zero(sizeof(*users));
	unsigned number = 0;
	size_t off = 0;

	*out = NULL;
	if (users == NULL || users_reserve(users) < 0)
		goto err;
	while (off < len) {
		const char *line = text + off;
		const char *newline = memchr(line, '\n', len - off);
		size_t line_len = newline != NULL ? (size_t)(newline - line) : len - off;
		size_t first = 0;

		off += line_len + (newline != NULL);
		number++;
		if (line_len > 0 && line[line_len - 1] == '\r')
			line_len--;
		while (line_len > 0 && users_blank(line[line_len - 1]))
			line_len--;
		while (first < line_len && users_blank(line[first]))
			first++;
		if (first == line_len || line[first] == '#')
			continue;
		if (users_parse_line(users, line, line_len, number, report, arg) < 0)
			goto err;
	}
	*out = users;
	return 0;
err:
	users_free(users);
	return -ENOMEM;
}

int users_read_fd(int fd, size_t size_hint, char **buffer, size_t *capacity, size_t *len)
{
	size_t cap = MIN(size_hint, (size_t)USERS_FILE_MAX) + 1, used = 0;
	char *buf = alloc_zero(cap), *bigger;

	if (buf == NULL)
		return -ENOMEM;
	for (;;) {
		ssize_t n;

		if (used == cap) {
			if (cap > USERS_FILE_MAX) {
				alloc_free_wipe(buf, cap);
				return -EFBIG;
			}
			bigger = alloc_zero(MIN(cap * 2, (size_t)USERS_FILE_MAX + 1));
			if (bigger == NULL) {
				alloc_free_wipe(buf, cap);
				return -ENOMEM;
			}
			memcpy(bigger, buf, used);
			alloc_free_wipe(buf, cap);
			buf = bigger;
			cap = MIN(cap * 2, (size_t)USERS_FILE_MAX + 1);
		}
		n = read(fd, buf + used, cap - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int err = -errno;

			alloc_free_wipe(buf, cap);
			return err;
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	if (used > USERS_FILE_MAX) {
		alloc_free_wipe(buf, cap);
		return -EFBIG;
	}
	*buffer = buf;
	*capacity = cap;
	*len = used;
	return 0;
}

int users_load(const char *path, users_report_fn *report, void *arg, struct users **out)
{
	char *text = NULL, message[USERS_REASON_MAX];
	size_t capacity = 0, len = 0;
	struct stat st;
	int fd, err;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		err = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		err = -EINVAL;
		goto out;
	}
	if (st.st_size > USERS_FILE_MAX) {
		err = -EFBIG;
		goto out;
	}
	err = users_read_fd(fd, (size_t)st.st_size, &text, &capacity, &len);
	if (err < 0)
		goto out;
	if ((st.st_mode & 0077) != 0) {
		snprintf(message, sizeof(message),
			 "mode %04o: group or others may access NT hashes (password equivalents); chmod 600",
			 (unsigned)(st.st_mode & 07777));
		users_report(report, arg, 0, USERS_WARNING, message);
	}
	err = users_parse(text, len, report, arg, out);
out:
	alloc_free_wipe(text, capacity);
	close(fd);
	return err;
}

void users_free(struct users *users)
{
	if (users == NULL)
		return;
	alloc_free_wipe(users->entries, users->capacity * sizeof(*users->entries));
	alloc_free(users->by_name);
	alloc_free(users->by_address);
	alloc_free(users);
}

const struct users_entry *users_find(const struct users *users, const char *name, size_t len)
{
	size_t slot;

	if (len == 0 || len > USERS_NAME_MAX)
		return NULL;
	slot = users_slot_by_name(users, name, len);
	return users->by_name[slot] == 0 ? NULL : &users->entries[users->by_name[slot] - 1];
}

size_t users_count(const struct users *users)
{
	return users->count;
}

const struct users_entry *users_at(const struct users *users, size_t index)
{
	return index < users->count ? &users->entries[index] : NULL;
}

int users_format_line(char *buf, size_t size, const char *name, size_t name_len,
		      const uint8_t nt_hash[USERS_NT_HASH_LEN], const struct in_addr *address,
		      bool enabled)
{
	static const char hex[] = "0123456789abcdef";
	char address_text[INET_ADDRSTRLEN] = "";
	char hash_text[USERS_HASH_HEX + 1];
	int n;

	if (!users_name_valid(name, name_len, NULL))
		return -EINVAL;
	if (address != NULL) {
		if (!users_address_unicast(*address) ||
		    inet_ntop(AF_INET, address, address_text, sizeof(address_text)) == NULL)
			return -EINVAL;
	}
	for (size_t i = 0; i < USERS_NT_HASH_LEN; i++) {
		hash_text[2 * i] = hex[nt_hash[i] >> 4];
		hash_text[2 * i + 1] = hex[nt_hash[i] & 0x0f];
	}
	hash_text[USERS_HASH_HEX] = '\0';
	n = snprintf(buf, size, "%.*s:%s:%s:%s\n", (int)name_len, name, hash_text, address_text,
		     enabled ? "enabled" : "disabled");
	util_wipe(hash_text, sizeof(hash_text));
	if (n < 0 || (size_t)n >= size) {
		if (size > 0)
			util_wipe(buf, size);
		return -ENOSPC;
	}
	return n;
}
