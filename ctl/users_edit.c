/*
 * users_edit.c - a change to the users file at line level, and its atomic
 * replacement under a lock.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ctl/users_edit.h"
#include "lib/alloc.h"
#include "lib/log.h"

enum {
	USERS_EDIT_TEMP_RANDOM = 6,             /* mkstemp's XXXXXX */
	USERS_EDIT_LOCK_POLL_MS = 20,
	USERS_EDIT_QUOTE_MAX = 4 * USERS_NAME_MAX + 4,  /* a name through log_sanitize */
};

/* One line of the text: its content (without its ending) and the ending ("", "\n", "\r\n"). */
struct users_edit_line {
	size_t start;
	size_t len;
	size_t ending;
};

/* What the changed user must look like once the new text is parsed again. */
struct users_edit_expect {
	bool present;
	uint8_t nt_hash[USERS_NT_HASH_LEN];
	bool has_address;
	struct in_addr address;
	bool enabled;
	size_t count;           /* users_count() of the new text; 0 when not checked */
};

static void users_edit_refuse(struct users_edit_result *result, const char *fmt, ...)
	PRINTF_LIKE(2, 3);

static void users_edit_refuse(struct users_edit_result *result, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(result->message, sizeof(result->message), fmt, ap);
	va_end(ap);
	result->verdict = USERS_EDIT_REFUSED;
}

/* name as the admin typed it, safe to print: control bytes and non-ASCII become escapes. */
static const char *users_edit_quote(char buf[USERS_EDIT_QUOTE_MAX], const char *name, size_t len)
{
	return log_sanitize(buf, USERS_EDIT_QUOTE_MAX, name, MIN(len, (size_t)USERS_NAME_MAX + 8));
}

static char users_edit_fold(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool users_edit_same_name(const char *a, size_t a_len, const char *b, size_t b_len)
{
	if (a_len != b_len)
		return false;
	for (size_t i = 0; i < a_len; i++) {
		if (users_edit_fold(a[i]) != users_edit_fold(b[i]))
			return false;
	}
	return true;
}

/* The next line of text at *off, numbered as users_parse() numbers them. */
static struct users_edit_line users_edit_next_line(const char *text, size_t len, size_t *off)
{
	struct users_edit_line line = { .start = *off };
	const char *newline = memchr(text + *off, '\n', len - *off);

	if (newline == NULL) {
		line.len = len - *off;
	} else {
		line.len = (size_t)(newline - (text + *off));
		line.ending = 1;
		if (line.len > 0 && text[*off + line.len - 1] == '\r') {
			line.len--;
			line.ending = 2;
		}
	}
	*off = line.start + line.len + line.ending;
	return line;
}

/* The line's NAME field (up to the first ':') names the user name[0..name_len). */
static bool users_edit_line_names(const char *text, const struct users_edit_line *line,
				  const char *name, size_t name_len)
{
	const char *content = text + line->start;
	const char *colon = memchr(content, ':', line->len);
	size_t field_len = colon != NULL ? (size_t)(colon - content) : line->len;

	return users_edit_same_name(content, field_len, name, name_len);
}

void users_edit_subnet_init(struct users_edit_subnet *subnet, struct in_addr local,
			    struct in_addr pool_first, struct in_addr pool_last)
{
	uint32_t addresses[3] = { ntohl(local.s_addr), ntohl(pool_first.s_addr),
				  ntohl(pool_last.s_addr) };
	uint32_t low = addresses[0], high = addresses[0], mask;
	unsigned prefix_len = 0;

	for (size_t i = 1; i < ARRAY_SIZE(addresses); i++) {
		low = MIN(low, addresses[i]);
		high = MAX(high, addresses[i]);
	}
	while (prefix_len < 32 && ((low ^ high) & (UINT32_C(0x80000000) >> prefix_len)) == 0)
		prefix_len++;
	mask = prefix_len == 0 ? 0 : UINT32_MAX << (32 - prefix_len);
	subnet->network = low & mask;
	subnet->prefix_len = prefix_len;
	subnet->local = addresses[0];
}

const char *users_edit_subnet_format(const struct users_edit_subnet *subnet, char *buf,
				     size_t size)
{
	struct in_addr network = { .s_addr = htonl(subnet->network) };
	char text[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &network, text, sizeof(text));
	snprintf(buf, size, "%s/%u", text, subnet->prefix_len);
	return buf;
}

static bool users_edit_check_address(const struct users *users, struct in_addr address,
				     const struct users_edit_subnet *subnet,
				     struct users_edit_result *result)
{
	uint32_t host = ntohl(address.s_addr);
	uint32_t mask = subnet->prefix_len == 0 ? 0 : UINT32_MAX << (32 - subnet->prefix_len);
	char text[INET_ADDRSTRLEN], prefix[INET_ADDRSTRLEN + 4];

	inet_ntop(AF_INET, &address, text, sizeof(text));
	users_edit_subnet_format(subnet, prefix, sizeof(prefix));
	if (host >> 24 == 0 || host >> 24 == 127 || host >> 24 >= 224) {
		users_edit_refuse(result, "static address %s: not a unicast address a client can hold",
				  text);
		return false;
	}
	if ((host & mask) != subnet->network) {
		users_edit_refuse(result, "static address %s: outside the pool's subnet %s "
				  "(the smallest prefix holding ppp.local_address and ppp.pool)",
				  text, prefix);
		return false;
	}
	if (subnet->prefix_len <= 30 && (host == subnet->network || host == (subnet->network | ~mask))) {
		users_edit_refuse(result, "static address %s: the first or last address of %s",
				  text, prefix);
		return false;
	}
	if (host == subnet->local) {
		users_edit_refuse(result, "static address %s: that is ppp.local_address, the "
				  "server's end of every link", text);
		return false;
	}
	for (size_t i = 0; i < users_count(users); i++) {
		const struct users_entry *entry = users_at(users, i);

		if (entry->has_address && entry->address.s_addr == address.s_addr) {
			users_edit_refuse(result, "static address %s: already the static address of "
					  "user \"%s\" (line %u)", text, entry->name, entry->line);
			return false;
		}
	}
	return true;
}

/* The new text's buffer: the old length plus room for one more line. */
static int users_edit_reserve(struct users_edit_result *result, size_t len)
{
	result->capacity = len + USERS_LINE_MAX + 2;
	result->text = alloc_zero(result->capacity);
	result->len = 0;
	return result->text == NULL ? -ENOMEM : 0;
}

static void users_edit_append(struct users_edit_result *result, const char *bytes, size_t len)
{
	if (len == 0 || len > result->capacity - result->len)
		return;
	memcpy(result->text + result->len, bytes, len);
	result->len += len;
}

/* ADD: everything as it is, then the new line (after a newline if the text lacks its last). */
static int users_edit_build_add(const char *text, size_t len, const char *line, size_t line_len,
				struct users_edit_result *result)
{
	if (users_edit_reserve(result, len) < 0)
		return -ENOMEM;
	users_edit_append(result, text, len);
	if (len > 0 && text[len - 1] != '\n')
		users_edit_append(result, "\n", 1);
	users_edit_append(result, line, line_len);
	return 0;
}

/*
 * DELETE (line NULL): every line naming the user goes.  Otherwise line
 * number `number` gets the content line[0..line_len) and keeps its ending.
 */
static int users_edit_build_lines(const char *text, size_t len, const char *name, size_t name_len,
				  unsigned number, const char *line, size_t line_len,
				  struct users_edit_result *result)
{
	size_t off = 0;

	if (users_edit_reserve(result, len) < 0)
		return -ENOMEM;
	for (unsigned current = 1; off < len; current++) {
		struct users_edit_line at = users_edit_next_line(text, len, &off);

		if (line == NULL && users_edit_line_names(text, &at, name, name_len))
			continue;
		if (line != NULL && current == number)
			users_edit_append(result, line, line_len);
		else
			users_edit_append(result, text + at.start, at.len);
		users_edit_append(result, text + at.start + at.len, at.ending);
	}
	return 0;
}

/* The line for one user without its "\n", into buf; its length, or 0 with a refusal. */
static size_t users_edit_format(char buf[USERS_LINE_MAX], const char *name, size_t name_len,
				const uint8_t nt_hash[USERS_NT_HASH_LEN],
				const struct in_addr *address, bool enabled,
				struct users_edit_result *result)
{
	int n = users_format_line(buf, USERS_LINE_MAX, name, name_len, nt_hash, address, enabled);

	if (n <= 0) {
		users_edit_refuse(result, "user \"%s\": cannot write its line", result->name);
		return 0;
	}
	return (size_t)n - 1;
}

static int users_edit_add(const char *text, size_t len, const struct users *users,
			  const struct users_edit_change *change,
			  const struct users_edit_subnet *subnet, struct users_edit_result *result,
			  struct users_edit_expect *expect)
{
	char quoted[USERS_EDIT_QUOTE_MAX], line[USERS_LINE_MAX];
	const struct users_entry *entry;
	const char *reason;
	size_t line_len;
	int err;

	if (!users_name_valid(change->name, change->name_len, &reason)) {
		if (strncmp(reason, "NAME: ", 6) == 0)
			reason += 6;
		users_edit_refuse(result, "invalid user name \"%s\": %s",
				  users_edit_quote(quoted, change->name, change->name_len), reason);
		return 0;
	}
	memcpy(result->name, change->name, change->name_len);
	result->name[change->name_len] = '\0';
	entry = users_find(users, change->name, change->name_len);
	if (entry != NULL) {
		users_edit_refuse(result, "user \"%s\" already exists as \"%s\" on line %u "
				  "(names ignore ASCII case)", result->name, entry->name, entry->line);
		return 0;
	}
	if (change->address != NULL &&
	    !users_edit_check_address(users, *change->address, subnet, result))
		return 0;
	line_len = users_edit_format(line, change->name, change->name_len, change->nt_hash,
				     change->address, change->enabled, result);
	if (line_len == 0)
		return 0;
	line[line_len++] = '\n';
	err = users_edit_build_add(text, len, line, line_len, result);
	util_wipe(line, sizeof(line));
	expect->present = true;
	memcpy(expect->nt_hash, change->nt_hash, USERS_NT_HASH_LEN);
	expect->has_address = change->address != NULL;
	if (expect->has_address)
		expect->address = *change->address;
	expect->enabled = change->enabled;
	expect->count = users_count(users) + 1;
	return err;
}

/* DELETE, PASSWORD, ENABLE, DISABLE: a user that exists. */
static int users_edit_existing(const char *text, size_t len, const struct users *users,
			       const struct users_edit_change *change,
			       struct users_edit_result *result, struct users_edit_expect *expect)
{
	char quoted[USERS_EDIT_QUOTE_MAX], line[USERS_LINE_MAX];
	const struct users_entry *entry = users_find(users, change->name, change->name_len);
	size_t line_len;
	int err;

	if (entry == NULL) {
		users_edit_refuse(result, "no user \"%s\" (names ignore ASCII case)",
				  users_edit_quote(quoted, change->name, change->name_len));
		return 0;
	}
	memcpy(result->name, entry->name, entry->name_len + 1);
	if (change->action == USERS_EDIT_DELETE)
		return users_edit_build_lines(text, len, entry->name, entry->name_len, 0, NULL, 0,
					      result);
	expect->present = true;
	memcpy(expect->nt_hash, change->action == USERS_EDIT_PASSWORD ? change->nt_hash
								       : entry->nt_hash,
	       USERS_NT_HASH_LEN);
	expect->has_address = entry->has_address;
	expect->address = entry->address;
	expect->enabled = change->action == USERS_EDIT_ENABLE ||
			  (change->action == USERS_EDIT_PASSWORD && entry->enabled);
	expect->count = users_count(users);
	if (change->action != USERS_EDIT_PASSWORD && expect->enabled == entry->enabled) {
		result->verdict = USERS_EDIT_UNCHANGED;
		snprintf(result->message, sizeof(result->message), "user \"%s\" is already %s",
			 entry->name, entry->enabled ? "enabled" : "disabled");
		return 0;
	}
	line_len = users_edit_format(line, entry->name, entry->name_len, expect->nt_hash,
				     entry->has_address ? &entry->address : NULL, expect->enabled,
				     result);
	if (line_len == 0)
		return 0;
	err = users_edit_build_lines(text, len, entry->name, entry->name_len, entry->line, line,
				     line_len, result);
	util_wipe(line, sizeof(line));
	return err;
}

/* The new text parsed again says what was asked: else a refusal (a bug, never written). */
static int users_edit_verify(const struct users_edit_expect *expect,
			     struct users_edit_result *result)
{
	const struct users_entry *entry;
	struct users *users;
	bool same;

	if (users_parse(result->text, result->len, NULL, NULL, &users) < 0)
		return -ENOMEM;
	entry = users_find(users, result->name, strlen(result->name));
	if (!expect->present)
		same = entry == NULL;
	else
		same = entry != NULL &&
		       memcmp(entry->nt_hash, expect->nt_hash, USERS_NT_HASH_LEN) == 0 &&
		       entry->has_address == expect->has_address &&
		       (!entry->has_address || entry->address.s_addr == expect->address.s_addr) &&
		       entry->enabled == expect->enabled &&
		       (expect->count == 0 || users_count(users) == expect->count);
	users_free(users);
	if (!same)
		users_edit_refuse(result, "user \"%s\": the edited file would not say what was "
				  "asked (a bug); nothing written", result->name);
	return 0;
}

void users_edit_result_clear(struct users_edit_result *result)
{
	alloc_free_wipe(result->text, result->capacity);
	result->text = NULL;
	result->len = 0;
	result->capacity = 0;
}

int users_edit_text(const char *text, size_t len, const struct users_edit_change *change,
		    const struct users_edit_subnet *subnet, users_report_fn *report, void *arg,
		    struct users_edit_result *result)
{
	struct users_edit_expect expect = { .present = false };
	struct users *users;
	int err;

	users_edit_result_clear(result);
	result->verdict = USERS_EDIT_CHANGED;
	result->message[0] = '\0';
	result->name[0] = '\0';
	err = users_parse(text, len, report, arg, &users);
	if (err < 0)
		return err;
	if (change->action == USERS_EDIT_ADD)
		err = users_edit_add(text, len, users, change, subnet, result, &expect);
	else
		err = users_edit_existing(text, len, users, change, result, &expect);
	users_free(users);
	if (err == 0 && result->verdict == USERS_EDIT_CHANGED) {
		if (result->len > USERS_FILE_MAX)
			users_edit_refuse(result, "the users file would grow past %d bytes",
					  USERS_FILE_MAX);
		else
			err = users_edit_verify(&expect, result);
	}
	util_wipe(&expect, sizeof(expect));
	if (err < 0 || result->verdict != USERS_EDIT_CHANGED)
		users_edit_result_clear(result);
	return err;
}

/* --- the file --- */

/* The paths and descriptors of one edit. */
struct users_edit_files {
	const char *path;
	const char *base;       /* the file's name in its directory: a view into path */
	char *directory;
	char *lock_path;        /* path + ".lock" */
	char *temp_path;        /* directory + "/." + base + ".XXXXXX" */
	int directory_fd;
	int lock_fd;
	int temp_fd;
};

static int users_edit_fail(struct users_edit_result *result, int err, const char *what,
			   const char *file)
{
	users_edit_refuse(result, "cannot %s %s: %s", what, file, strerror(-err));
	return err;
}

/* a[0..a_len) followed by b, NUL-terminated; NULL on failure. */
static char *users_edit_concat(const char *a, size_t a_len, const char *b)
{
	size_t b_len = strlen(b);
	char *s = alloc_zero(a_len + b_len + 1);

	if (s != NULL) {
		memcpy(s, a, a_len);
		memcpy(s + a_len, b, b_len);
	}
	return s;
}

static int users_edit_files_init(struct users_edit_files *files, const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t size;

	files->path = path;
	files->base = slash != NULL ? slash + 1 : path;
	files->directory_fd = files->lock_fd = files->temp_fd = -1;
	if (files->base[0] == '\0')
		return -EISDIR;
	if (slash == NULL)
		files->directory = alloc_strdup(".");
	else
		files->directory = users_edit_concat(path, slash == path ? 1 : (size_t)(slash - path),
						     "");
	files->lock_path = users_edit_concat(path, strlen(path), ".lock");
	if (files->directory == NULL || files->lock_path == NULL)
		return -ENOMEM;
	/* directory "/." base ".XXXXXX" */
	size = strlen(files->directory) + strlen(files->base) + sizeof("/..XXXXXX");
	files->temp_path = alloc_zero(size);
	if (files->temp_path == NULL)
		return -ENOMEM;
	snprintf(files->temp_path, size, "%s/.%s.XXXXXX", files->directory, files->base);
	return 0;
}

static void users_edit_files_close(struct users_edit_files *files)
{
	if (files->temp_fd >= 0) {
		close(files->temp_fd);
		unlink(files->temp_path);
	}
	if (files->lock_fd >= 0)
		close(files->lock_fd);         /* releases the flock */
	if (files->directory_fd >= 0)
		close(files->directory_fd);
	alloc_free(files->directory);
	alloc_free(files->lock_path);
	alloc_free(files->temp_path);
}

/* Waits for the lock up to USERS_EDIT_LOCK_TIMEOUT_MS: another editor holds it briefly. */
static int users_edit_lock(struct users_edit_files *files)
{
	struct timespec pause = { .tv_nsec = USERS_EDIT_LOCK_POLL_MS * 1000000L };

	files->lock_fd = open(files->lock_path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW |
			      O_NOCTTY, 0600);
	if (files->lock_fd < 0)
		return -errno;
	for (int waited = 0;; waited += USERS_EDIT_LOCK_POLL_MS) {
		if (flock(files->lock_fd, LOCK_EX | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK && errno != EINTR)
			return -errno;
		if (waited >= USERS_EDIT_LOCK_TIMEOUT_MS)
			return -ETIMEDOUT;
		nanosleep(&pause, NULL);
	}
}

/* ".BASE." and six letters or digits: a temporary file of ours. */
static bool users_edit_is_temp(const char *name, const char *base)
{
	size_t base_len = strlen(base);

	if (strlen(name) != base_len + 2 + USERS_EDIT_TEMP_RANDOM || name[0] != '.' ||
	    strncmp(name + 1, base, base_len) != 0 || name[base_len + 1] != '.')
		return false;
	for (const char *c = name + base_len + 2; *c != '\0'; c++) {
		if (!isalnum((unsigned char)*c))
			return false;
	}
	return true;
}

/* Temporary files a crash left, older than a minute (under the lock, so none is in use). */
static void users_edit_remove_stale(const struct users_edit_files *files, users_report_fn *report,
				    void *arg)
{
	int fd = dup(files->directory_fd);
	time_t now = time(NULL);
	struct dirent *dirent;
	DIR *dir;

	if (fd < 0)
		return;
	dir = fdopendir(fd);
	if (dir == NULL) {
		close(fd);
		return;
	}
	rewinddir(dir);
	while ((dirent = readdir(dir)) != NULL) {
		struct stat st;

		if (!users_edit_is_temp(dirent->d_name, files->base) ||
		    fstatat(dirfd(dir), dirent->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode) || st.st_mtime + USERS_EDIT_STALE_SECONDS > now)
			continue;
		if (unlinkat(dirfd(dir), dirent->d_name, 0) < 0 && report != NULL) {
			char reason[USERS_REASON_MAX];
			struct users_problem problem = { .severity = USERS_WARNING, .reason = reason };

			snprintf(reason, sizeof(reason), "cannot remove the stale temporary file %.40s: %s",
				 dirent->d_name, strerror(errno));
			report(arg, &problem);
		}
	}
	closedir(dir);
}

/* The whole current file into *text (wipe-freed by the caller); a missing file is empty. */
static int users_edit_read(const char *path, char **text, size_t *capacity, size_t *len)
{
	struct stat st;
	int fd, err = 0;

	*text = NULL;
	*capacity = *len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	if (fstat(fd, &st) < 0) {
		err = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		err = -EINVAL;
		goto out;
	}
	err = users_read_fd(fd, (size_t)st.st_size, text, capacity, len);
out:
	close(fd);
	return err;
}

static int users_edit_write_all(int fd, const char *bytes, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, bytes, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		bytes += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Test only: _exit(99) at the named point (see the header). */
static void users_edit_crash_point(const char *point)
{
	const char *want = getenv("L2TPSEC_TEST_CRASH");

	if (want != NULL && strcmp(want, point) == 0)
		_exit(99);
}

/* The new text into a temporary file, synced, renamed over the file, the directory synced. */
static int users_edit_replace(struct users_edit_files *files, struct users_edit_result *result)
{
	int err;

	files->temp_fd = mkostemp(files->temp_path, O_CLOEXEC);
	if (files->temp_fd < 0)
		return users_edit_fail(result, -errno, "create a temporary file in", files->directory);
	if (fchmod(files->temp_fd, 0600) < 0)
		return users_edit_fail(result, -errno, "set the mode of", files->temp_path);
	err = users_edit_write_all(files->temp_fd, result->text, result->len);
	if (err < 0)
		return users_edit_fail(result, err, "write", files->temp_path);
	users_edit_crash_point("after-write");
	if (fsync(files->temp_fd) < 0)
		return users_edit_fail(result, -errno, "sync", files->temp_path);
	if (close(files->temp_fd) < 0) {
		files->temp_fd = -1;
		unlink(files->temp_path);
		return users_edit_fail(result, -errno, "close", files->temp_path);
	}
	files->temp_fd = -1;
	users_edit_crash_point("before-rename");
	if (rename(files->temp_path, files->path) < 0) {
		err = -errno;
		unlink(files->temp_path);
		return users_edit_fail(result, err, "rename the temporary file over", files->path);
	}
	users_edit_crash_point("after-rename");
	if (fsync(files->directory_fd) < 0)
		return users_edit_fail(result, -errno,
				       "sync (the new file is in place, perhaps not on disk)",
				       files->directory);
	return 0;
}

/* Under the lock: read, change, replace. */
static int users_edit_locked(struct users_edit_files *files, const struct users_edit_change *change,
			     const struct users_edit_subnet *subnet, users_report_fn *report,
			     void *arg, struct users_edit_result *result)
{
	char *text;
	size_t capacity, len;
	int err;

	users_edit_remove_stale(files, report, arg);
	err = users_edit_read(files->path, &text, &capacity, &len);
	if (err == -ELOOP || err == -EINVAL) {
		users_edit_refuse(result, "%s is %s", files->path, err == -ELOOP ?
				  "a symbolic link: point users.file at the real file" :
				  "not a regular file");
		return err;
	}
	if (err < 0)
		return users_edit_fail(result, err, "read", files->path);
	err = users_edit_text(text != NULL ? text : "", len, change, subnet, report, arg, result);
	alloc_free_wipe(text, capacity);
	if (err < 0)
		return users_edit_fail(result, err, "edit", files->path);
	if (result->verdict == USERS_EDIT_CHANGED)
		err = users_edit_replace(files, result);
	users_edit_result_clear(result);
	return err;
}

int users_edit_file(const char *path, const struct users_edit_change *change,
		    const struct users_edit_subnet *subnet, users_report_fn *report, void *arg,
		    struct users_edit_result *result)
{
	struct users_edit_files files = { .directory = NULL };
	int err;

	users_edit_result_clear(result);
	result->message[0] = '\0';
	err = users_edit_files_init(&files, path);
	if (err < 0) {
		users_edit_fail(result, err, "edit", path);
		goto out;
	}
	files.directory_fd = open(files.directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (files.directory_fd < 0) {
		err = users_edit_fail(result, -errno, "open the directory", files.directory);
		goto out;
	}
	err = users_edit_lock(&files);
	if (err < 0) {
		users_edit_fail(result, err, "lock", files.lock_path);
		goto out;
	}
	err = users_edit_locked(&files, change, subnet, report, arg, result);
out:
	users_edit_files_close(&files);
	return err;
}

int users_edit_file_check(const char *path, const struct users_edit_change *change,
			  const struct users_edit_subnet *subnet, struct users_edit_result *result)
{
	static const uint8_t placeholder[USERS_NT_HASH_LEN];
	struct users_edit_change dry = *change;
	char *text;
	size_t capacity, len;
	int err;

	if (dry.nt_hash == NULL)
		dry.nt_hash = placeholder;
	users_edit_result_clear(result);
	result->message[0] = '\0';
	err = users_edit_read(path, &text, &capacity, &len);
	if (err < 0)
		return users_edit_fail(result, err, "read", path);
	err = users_edit_text(text != NULL ? text : "", len, &dry, subnet, NULL, NULL, result);
	alloc_free_wipe(text, capacity);
	users_edit_result_clear(result);
	if (err < 0)
		return users_edit_fail(result, err, "edit", path);
	return 0;
}
