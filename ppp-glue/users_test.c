/*
 * users_test.c - the users file: good lines, every kind of bad line with its
 * number and reason, duplicates, case, the loader's checks, the line writer,
 * growth to many users, and an out-of-memory walk.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/alloc.h"
#include "ppp-glue/users.h"
#include "tests/harness/tap.h"

#define HASH_A "8846f7eaee8fb117ad06bdd830b7586c"
#define HASH_B "44EBBA8D5312B8D611474411F56989AE"

struct collected {
	unsigned count;
	unsigned line[32];
	enum users_severity severity[32];
	char reason[32][USERS_REASON_MAX];
};

static void collect(void *arg, const struct users_problem *problem)
{
	struct collected *c = arg;

	if (c->count < ARRAY_SIZE(c->line)) {
		c->line[c->count] = problem->line;
		c->severity[c->count] = problem->severity;
		snprintf(c->reason[c->count], sizeof(c->reason[0]), "%s", problem->reason);
	}
	c->count++;
}

static struct users *parse(const char *text, size_t len, struct collected *c)
{
	struct users *users = NULL;

	memset(c, 0, sizeof(*c));
	if (users_parse(text, len, collect, c, &users) != 0)
		return NULL;
	return users;
}

static struct in_addr address(const char *text)
{
	struct in_addr a = { 0 };

	if (inet_pton(AF_INET, text, &a) != 1)
		abort();
	return a;
}

static void test_good_file(void)
{
	static const char text[] =
		"# l2tpsec users\r\n"
		"\n"
		"   \t\n"
		"  # an indented comment\n"
		"alice:" HASH_A "::enabled\r\n"
		"Bob Smith:" HASH_B ":10.8.0.50:disabled  \n"
		"J\xc3\xbcrgen:" HASH_A ":10.8.0.51:enabled";
	static const uint8_t hash_b[USERS_NT_HASH_LEN] = {
		0x44, 0xeb, 0xba, 0x8d, 0x53, 0x12, 0xb8, 0xd6,
		0x11, 0x47, 0x44, 0x11, 0xf5, 0x69, 0x89, 0xae,
	};
	struct collected c;
	struct users *users = parse(text, sizeof(text) - 1, &c);
	const struct users_entry *e;

	ok(users != NULL, "a good file parses");
	if (users == NULL)
		return;
	is_uint(c.count, 0, "no problems reported");
	is_uint(users_count(users), 3, "three users");

	e = users_find(users, "alice", 5);
	ok(e != NULL && e->enabled && !e->has_address && e->line == 5,
	   "alice: enabled, from the pool, line 5 (CRLF tolerated)");
	e = users_find(users, "Bob Smith", 9);
	ok(e != NULL && !e->enabled && e->has_address &&
	   e->address.s_addr == address("10.8.0.50").s_addr,
	   "Bob Smith: a space inside the name, disabled, static 10.8.0.50, trailing blanks ignored");
	if (e != NULL) {
		is_mem(e->nt_hash, hash_b, USERS_NT_HASH_LEN, "upper-case hex reads the same");
		is_str(e->name, "Bob Smith", "the name is kept as written");
	}
	ok(users_find(users, "J\xc3\xbcrgen", 7) != NULL, "a UTF-8 name without a final newline");
	ok(users_find(users, "ALICE", 5) == users_find(users, "alice", 5),
	   "lookup ignores ASCII case");
	ok(users_find(users, "bob smith", 9) != NULL, "lookup ignores ASCII case inside the name");
	ok(users_find(users, "J\xc3\x9crgen", 7) == NULL, "no Unicode case folding (\xc3\x9c)");
	ok(users_find(users, "alic", 4) == NULL, "a prefix is not a match");
	ok(users_find(users, "", 0) == NULL, "the empty name is nobody");
	ok(users_find(users, "carol", 5) == NULL, "an unknown name is nobody");
	e = users_at(users, 0);
	ok(e != NULL && strcmp(e->name, "alice") == 0, "users_at(0) is the first line's user");
	ok(users_at(users, 3) == NULL, "users_at past the end is NULL");
	users_free(users);
}

struct bad_line {
	const char *line;
	const char *reason;     /* a substring of the reason */
};

static const struct bad_line bad_lines[] = {
	{ "alice:" HASH_A ":enabled", "wrong number of fields" },
	{ "alice:" HASH_A "::enabled:extra", "wrong number of fields" },
	{ "plaintext-password-line", "wrong number of fields" },
	{ ":" HASH_A "::enabled", "NAME: empty" },
	{ " alice:" HASH_A "::enabled", "leading or trailing space" },
	{ "alice :" HASH_A "::enabled", "leading or trailing space" },
	{ "\talice:" HASH_A "::enabled", "control character" },
	{ "al\x7f" "ice:" HASH_A "::enabled", "control character" },
	{ "al\xc2\x85ice:" HASH_A "::enabled", "control character" },
	{ "DOMAIN\\alice:" HASH_A "::enabled", "contains '\\'" },
	{ "al\xe9ice:" HASH_A "::enabled", "not valid UTF-8" },
	{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:" HASH_A "::enabled",
	  "longer than 64 bytes" },
	{ "alice:8846f7eaee8fb117ad06bdd830b7586:" ":enabled", "NTHASH" },
	{ "alice:" HASH_A "0::enabled", "NTHASH" },
	{ "alice:8846f7eaee8fb117ad06bdd830b7586g::enabled", "NTHASH" },
	{ "alice:::enabled", "NTHASH" },
	{ "alice:" HASH_A ":10.8.0.256:enabled", "not an IPv4 address" },
	{ "alice:" HASH_A ":10.8.0:enabled", "not an IPv4 address" },
	{ "alice:" HASH_A ": 10.8.0.5:enabled", "not an IPv4 address" },
	{ "alice:" HASH_A ":2001:db8::1:enabled", "wrong number of fields" },
	{ "alice:" HASH_A ":0.0.0.0:enabled", "not a unicast address" },
	{ "alice:" HASH_A ":127.0.0.1:enabled", "not a unicast address" },
	{ "alice:" HASH_A ":224.0.0.1:enabled", "not a unicast address" },
	{ "alice:" HASH_A ":255.255.255.255:enabled", "not a unicast address" },
	{ "alice:" HASH_A "::Enabled", "STATE" },
	{ "alice:" HASH_A "::yes", "STATE" },
	{ "alice:" HASH_A "::", "STATE" },
};

static void test_bad_lines(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(bad_lines); i++) {
		char text[512];
		int len = snprintf(text, sizeof(text), "# first\n%s\ngood:" HASH_B "::enabled\n",
				   bad_lines[i].line);
		struct collected c;
		struct users *users = parse(text, (size_t)len, &c);

		ok(users != NULL && c.count == 1 && c.line[0] == 2 &&
		   c.severity[0] == USERS_LINE_SKIPPED && strstr(c.reason[0], bad_lines[i].reason),
		   "bad line %zu is reported on line 2 with \"%s\"", i, bad_lines[i].reason);
		if (c.count > 0 && strstr(c.reason[0], bad_lines[i].reason) == NULL)
			tap_diag("  reason was \"%s\"", c.reason[0]);
		ok(users != NULL && users_count(users) == 1 && users_find(users, "good", 4) != NULL,
		   "bad line %zu: the good line after it still works", i);
		ok(strstr(c.reason[0], "8846") == NULL && strstr(c.reason[0], "bdd8") == NULL,
		   "bad line %zu: the reason quotes no hash", i);
		users_free(users);
	}
}

static void test_nul_and_name_edges(void)
{
	static const char with_nul[] = "al\0ice:" HASH_A "::enabled\nbob:" HASH_B "::enabled\n";
	char name64[65], text[256];
	struct collected c;
	struct users *users = parse(with_nul, sizeof(with_nul) - 1, &c);
	int len;

	ok(users != NULL && c.count == 1 && c.line[0] == 1 &&
	   strstr(c.reason[0], "control character"), "a NUL inside a name is a control character");
	ok(users != NULL && users_count(users) == 1, "the line after it is taken");
	users_free(users);

	users = parse("#alice:" HASH_A "::enabled\n", 40, &c);
	ok(users != NULL && users_count(users) == 0 && c.count == 0,
	   "a line starting with '#' is a comment, never a user");
	users_free(users);

	memset(name64, 'n', 64);
	name64[64] = '\0';
	len = snprintf(text, sizeof(text), "%s:" HASH_A "::enabled\n", name64);
	users = parse(text, (size_t)len, &c);
	ok(users != NULL && users_find(users, name64, 64) != NULL, "a 64-byte name is taken");
	ok(users != NULL && users_find(users, name64, 65) == NULL, "a 65-byte lookup finds nothing");
	users_free(users);

	users = parse("", 0, &c);
	ok(users != NULL && users_count(users) == 0 && c.count == 0, "an empty file has no users");
	users_free(users);
}

static void test_duplicates(void)
{
	static const char text[] =
		"alice:" HASH_A ":10.8.0.50:enabled\n"
		"ALICE:" HASH_B "::enabled\n"
		"bob:" HASH_B ":10.8.0.50:enabled\n"
		"carol:" HASH_B ":10.8.0.51:disabled\n"
		"dave:" HASH_B ":10.8.0.51:enabled\n";
	struct collected c;
	struct users *users = parse(text, sizeof(text) - 1, &c);
	const struct users_entry *e;

	ok(users != NULL && users_count(users) == 2, "of five lines, two users are taken");
	is_uint(c.count, 3, "three lines reported");
	ok(c.line[0] == 2 && strstr(c.reason[0], "already defined on line 1"),
	   "a name differing only in case is a duplicate of line 1");
	ok(c.line[1] == 3 && strstr(c.reason[1], "static address of the user on line 1"),
	   "a repeated static address is reported with the first line");
	ok(c.line[2] == 5 && strstr(c.reason[2], "line 4"),
	   "a disabled user's address counts too");
	e = users_find(users, "alice", 5);
	ok(e != NULL && e->line == 1, "the first alice wins");
	ok(users_find(users, "bob", 3) == NULL, "bob was skipped");
	users_free(users);
}

static void test_many(void)
{
	size_t cap = 2000 * 80, len = 0;
	char *text = malloc(cap), name[32];
	struct collected c;
	struct users *users;
	bool all = true;

	for (unsigned i = 0; i < 2000; i++)
		len += (size_t)snprintf(text + len, cap - len, "user%u:" HASH_A ":10.%u.%u.1:enabled\n",
					i, 1 + i / 256, i % 256);
	users = parse(text, len, &c);
	ok(users != NULL && users_count(users) == 2000 && c.count == 0,
	   "2000 users with distinct addresses are all taken");
	for (unsigned i = 0; users != NULL && i < 2000; i++) {
		int n = snprintf(name, sizeof(name), "USER%u", i);
		const struct users_entry *e = users_find(users, name, (size_t)n);

		if (e == NULL || e->line != i + 1)
			all = false;
	}
	ok(all, "every one of them is found (tables grew correctly)");
	users_free(users);
	free(text);
}

static void test_format_line(void)
{
	static const uint8_t hash[USERS_NT_HASH_LEN] = {
		0x88, 0x46, 0xf7, 0xea, 0xee, 0x8f, 0xb1, 0x17,
		0xad, 0x06, 0xbd, 0xd8, 0x30, 0xb7, 0x58, 0x6c,
	};
	struct in_addr a = address("10.8.0.9"), bad = address("127.0.0.1");
	char line[USERS_LINE_MAX], small[20];
	struct collected c;
	struct users *users;
	int n;

	n = users_format_line(line, sizeof(line), "Bob Smith", 9, hash, &a, false);
	is_str(line, "Bob Smith:" HASH_A ":10.8.0.9:disabled\n", "a static, disabled user");
	is_int(n, (int)strlen(line), "the length is returned");
	n = users_format_line(line, sizeof(line), "alice", 5, hash, NULL, true);
	is_str(line, "alice:" HASH_A "::enabled\n", "a pool user");
	users = parse(line, (size_t)n, &c);
	ok(users != NULL && users_find(users, "alice", 5) != NULL &&
	   memcmp(users_find(users, "alice", 5)->nt_hash, hash, sizeof(hash)) == 0,
	   "the written line parses back to the same hash");
	users_free(users);
	is_int(users_format_line(line, sizeof(line), "a:b", 3, hash, NULL, true), -EINVAL,
	       "a name with ':' is refused");
	is_int(users_format_line(line, sizeof(line), "D\\u", 3, hash, NULL, true), -EINVAL,
	       "a name with '\\' is refused");
	is_int(users_format_line(line, sizeof(line), "u", 1, hash, &bad, true), -EINVAL,
	       "a loopback address is refused");
	is_int(users_format_line(small, sizeof(small), "alice", 5, hash, NULL, true), -ENOSPC,
	       "a short buffer is -ENOSPC");
	ok(strstr(small, "8846") == NULL, "and holds no part of the hash afterwards");
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) ||
	    fchmod(fd, mode) != 0)
		abort();
	close(fd);
}

static void test_load(void)
{
	char dir[] = "/tmp/users_test.XXXXXX", path[64], big[64];
	struct collected c;
	struct users *users = NULL;
	int fd, rc;

	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(path, sizeof(path), "%s/users", dir);
	snprintf(big, sizeof(big), "%s/big", dir);

	write_file(path, "alice:" HASH_A "::enabled\n", 0600);
	memset(&c, 0, sizeof(c));
	rc = users_load(path, collect, &c, &users);
	ok(rc == 0 && users != NULL && users_count(users) == 1 && c.count == 0,
	   "a 0600 file loads without a warning");
	users_free(users);

	write_file(path, "alice:" HASH_A "::enabled\nbroken\n", 0644);
	memset(&c, 0, sizeof(c));
	rc = users_load(path, collect, &c, &users);
	ok(rc == 0 && users != NULL && users_count(users) == 1, "a 0644 file still loads");
	ok(c.count == 2 && c.line[0] == 0 && c.severity[0] == USERS_WARNING &&
	   strstr(c.reason[0], "mode 0644"), "with a warning naming its mode on line 0");
	ok(c.count == 2 && c.line[1] == 2 && c.severity[1] == USERS_LINE_SKIPPED,
	   "and the bad line reported after it");
	users_free(users);

	is_int(users_load(dir, collect, &c, &users), -EINVAL, "a directory is not a users file");
	ok(users == NULL, "and nothing is returned");
	snprintf(path, sizeof(path), "%s/missing", dir);
	is_int(users_load(path, collect, &c, &users), -ENOENT, "a missing file is -ENOENT");

	fd = open(big, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, USERS_FILE_MAX + 1) != 0)
		abort();
	close(fd);
	is_int(users_load(big, collect, &c, &users), -EFBIG, "a file over 4 MiB is -EFBIG");
	fd = open(big, O_WRONLY | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, USERS_FILE_MAX) != 0)
		abort();
	close(fd);
	memset(&c, 0, sizeof(c));
	rc = users_load(big, collect, &c, &users);
	ok(rc == 0 && users != NULL && users_count(users) == 0 && c.count == 1 &&
	   strstr(c.reason[0], "wrong number of fields"),
	   "a file of exactly 4 MiB (one line of NULs) loads and reports its line");
	users_free(users);

	unlink(big);
	unlink(path);
	snprintf(path, sizeof(path), "%s/users", dir);
	unlink(path);
	rmdir(dir);
}

static void test_out_of_memory(void)
{
	char text[40 * 64];
	size_t len = 0;
	unsigned long n;
	unsigned failed_cleanly = 0;
	struct users *users = NULL;

	for (unsigned i = 0; i < 40; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, "u%u:" HASH_A "::enabled\n", i);
	for (n = 1; n < 200; n++) {
		int rc;

		alloc_fail_at(n);
		rc = users_parse(text, len, NULL, NULL, &users);
		alloc_fail_at(0);
		if (rc == 0)
			break;
		if (rc == -ENOMEM && users == NULL)
			failed_cleanly++;
	}
	ok(users != NULL && users_count(users) == 40, "users_parse succeeds past the failures");
	is_uint(failed_cleanly, n - 1, "every earlier failure was -ENOMEM with nothing returned");
	ok(n > 8, "the walk went through the table growth (%lu allocations)", n);
	users_free(users);
}

int main(void)
{
	test_good_file();
	test_bad_lines();
	test_nul_and_name_edges();
	test_duplicates();
	test_many();
	test_format_line();
	test_load();
	test_out_of_memory();
	return tap_done();
}
