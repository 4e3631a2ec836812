/*
 * users_edit_test.c - the users file edited at line level (comments and
 * positions kept), every refusal and its message, the pool's subnet, and the
 * file dance: mode 0600, the lock file, stale temporary files, symbolic links.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ctl/users_edit.h"
#include "lib/alloc.h"
#include "tests/harness/tap.h"

static const uint8_t hash_a[USERS_NT_HASH_LEN] = {
	0x88, 0x46, 0xf7, 0xea, 0xee, 0x8f, 0xb1, 0x17, 0xad, 0x06, 0xbd, 0xd8, 0x30, 0xb7, 0x58, 0x6c,
};
#define HASH_A "8846f7eaee8fb117ad06bdd830b7586c"
static const uint8_t hash_b[USERS_NT_HASH_LEN] = {
	0x44, 0xeb, 0xba, 0x8d, 0x53, 0x12, 0xb8, 0xd6, 0x11, 0x47, 0x44, 0x11, 0xf5, 0x69, 0x89, 0xae,
};
#define HASH_B "44ebba8d5312b8d611474411f56989ae"
#define HASH_C "31d6cfe0d16ae931b73c59d7e0c089c0"

static const char fixture[] =
	"# l2tpsec users\n"
	"\n"
	"alice:" HASH_A "::enabled\n"
	"  # indented comment\n"
	"Bob Smith:" HASH_B ":10.8.0.50:disabled\n"
	"carol:" HASH_C "::enabled\n";

/* Problems the parser reported, as "LINE:reason;" */
struct problems {
	char text[1024];
};

static void collect(void *arg, const struct users_problem *problem)
{
	struct problems *problems = arg;
	size_t used = strlen(problems->text);

	snprintf(problems->text + used, sizeof(problems->text) - used, "%u:%s;", problem->line,
		 problem->reason);
}

static struct users_edit_subnet default_subnet(void)
{
	struct users_edit_subnet subnet;
	struct in_addr local, first, last;

	inet_pton(AF_INET, "10.8.0.1", &local);
	inet_pton(AF_INET, "10.8.0.10", &first);
	inet_pton(AF_INET, "10.8.0.254", &last);
	users_edit_subnet_init(&subnet, local, first, last);
	return subnet;
}

/* One edit of text; the new text (or "" when not changed) into out. */
static enum users_edit_verdict edit(const char *text, const struct users_edit_change *change,
				    char *out, size_t out_size, char *message, size_t message_size)
{
	struct users_edit_subnet subnet = default_subnet();
	struct users_edit_result result = { .text = NULL };
	int err = users_edit_text(text, strlen(text), change, &subnet, NULL, NULL, &result);

	out[0] = '\0';
	if (err < 0) {
		snprintf(message, message_size, "error %d", err);
		return USERS_EDIT_REFUSED;
	}
	if (result.verdict == USERS_EDIT_CHANGED)
		snprintf(out, out_size, "%.*s", (int)result.len, result.text);
	snprintf(message, message_size, "%s", result.message);
	users_edit_result_clear(&result);
	return result.verdict;
}

static struct users_edit_change change_of(enum users_edit_action action, const char *name)
{
	struct users_edit_change change = {
		.action = action, .name = name, .name_len = strlen(name), .nt_hash = hash_b,
		.enabled = true,
	};

	return change;
}

static void test_subnet(void)
{
	struct users_edit_subnet subnet = default_subnet();
	struct in_addr local, first, last;
	char text[32];

	is_str(users_edit_subnet_format(&subnet, text, sizeof(text)), "10.8.0.0/24",
	       "default pool 10.8.0.10-254 with local 10.8.0.1: 10.8.0.0/24");
	inet_pton(AF_INET, "192.168.1.1", &local);
	inet_pton(AF_INET, "192.168.2.10", &first);
	inet_pton(AF_INET, "192.168.2.20", &last);
	users_edit_subnet_init(&subnet, local, first, last);
	is_str(users_edit_subnet_format(&subnet, text, sizeof(text)), "192.168.0.0/22",
	       "local outside the pool widens the prefix to hold both");
	inet_pton(AF_INET, "172.16.0.100", &local);
	inet_pton(AF_INET, "172.16.0.1", &first);
	inet_pton(AF_INET, "172.16.0.50", &last);
	users_edit_subnet_init(&subnet, local, first, last);
	is_str(users_edit_subnet_format(&subnet, text, sizeof(text)), "172.16.0.0/25",
	       "local above the pool: 172.16.0.0/25");
}

static void test_add(void)
{
	char out[2048], message[USERS_EDIT_MESSAGE_MAX], expected[2048];
	struct users_edit_change change = change_of(USERS_EDIT_ADD, "dave");
	struct in_addr address;

	is_int(edit(fixture, &change, out, sizeof(out), message, sizeof(message)),
	       USERS_EDIT_CHANGED, "add dave");
	snprintf(expected, sizeof(expected), "%sdave:" HASH_B "::enabled\n", fixture);
	is_str(out, expected, "add appends one line, every other line as it was");

	is_int(edit("# only a comment", &change, out, sizeof(out), message, sizeof(message)),
	       USERS_EDIT_CHANGED, "add to a file without a final newline");
	is_str(out, "# only a comment\ndave:" HASH_B "::enabled\n",
	       "the last line gets its newline before the new one");

	is_int(edit("", &change, out, sizeof(out), message, sizeof(message)), USERS_EDIT_CHANGED,
	       "add to an empty file");
	is_str(out, "dave:" HASH_B "::enabled\n", "an empty file gets one line");

	inet_pton(AF_INET, "10.8.0.60", &address);
	change.address = &address;
	change.enabled = false;
	change.name = "Émile";
	change.name_len = strlen(change.name);
	is_int(edit(fixture, &change, out, sizeof(out), message, sizeof(message)),
	       USERS_EDIT_CHANGED, "add a UTF-8 name with a static address, disabled");
	snprintf(expected, sizeof(expected), "%sÉmile:" HASH_B ":10.8.0.60:disabled\n", fixture);
	is_str(out, expected, "the static address and the state are written");
}

/* An add that must be refused; its message must contain want and no hash. */
static void refuse_add(const char *name, size_t name_len, const char *address_text,
		       const char *want, const char *what)
{
	char out[2048], message[USERS_EDIT_MESSAGE_MAX];
	struct users_edit_change change = change_of(USERS_EDIT_ADD, "x");
	struct in_addr address;

	change.name = name;
	change.name_len = name_len;
	if (address_text != NULL) {
		inet_pton(AF_INET, address_text, &address);
		change.address = &address;
	}
	is_int(edit(fixture, &change, out, sizeof(out), message, sizeof(message)),
	       USERS_EDIT_REFUSED, "refused: %s", what);
	is_str(out, "", "refused: %s: no text", what);
	if (!ok(strstr(message, want) != NULL, "refused: %s: message", what))
		tap_diag("  message: %s", message);
	ok(strstr(message, HASH_A) == NULL && strstr(message, HASH_B) == NULL,
	   "refused: %s: no hash in the message", what);
}

static void test_add_refused(void)
{
	char long_name[USERS_NAME_MAX + 2];

	memset(long_name, 'n', sizeof(long_name));
	refuse_add("", 0, NULL, "invalid user name \"\": empty", "empty name");
	refuse_add(long_name, USERS_NAME_MAX + 1, NULL, "longer than 64 bytes", "65-byte name");
	refuse_add("a:b", 3, NULL, "invalid user name \"a:b\": contains ':'", "name with ':'");
	refuse_add("dom\\bob", 7, NULL, "contains '\\'", "name with a backslash");
	refuse_add("#bob", 4, NULL, "starts with '#'", "name starting with '#'");
	refuse_add(" bob", 4, NULL, "leading or trailing space", "name with a leading space");
	refuse_add("bo\nb", 4, NULL, "invalid user name \"bo\\x0ab\": contains a control character",
		   "name with a newline (escaped in the message)");
	refuse_add("b\xff", 2, NULL, "not valid UTF-8", "name that is not UTF-8");
	refuse_add("ALICE", 5, NULL,
		   "user \"ALICE\" already exists as \"alice\" on line 3 (names ignore ASCII case)",
		   "duplicate differing in case");
	refuse_add("bob smith", 9, NULL, "already exists as \"Bob Smith\" on line 5",
		   "duplicate with a space");
	refuse_add("dave", 4, "10.9.0.5",
		   "static address 10.9.0.5: outside the pool's subnet 10.8.0.0/24", "outside");
	refuse_add("dave", 4, "10.8.0.0", "static address 10.8.0.0: the first or last address of "
		   "10.8.0.0/24", "the subnet's network address");
	refuse_add("dave", 4, "10.8.0.255", "the first or last address of 10.8.0.0/24",
		   "the subnet's broadcast address");
	refuse_add("dave", 4, "10.8.0.1", "static address 10.8.0.1: that is ppp.local_address",
		   "ppp.local_address");
	refuse_add("dave", 4, "10.8.0.50", "static address 10.8.0.50: already the static address "
		   "of user \"Bob Smith\" (line 5)", "another user's static address");
	refuse_add("dave", 4, "224.0.0.9", "not a unicast address", "multicast");
	refuse_add("dave", 4, "127.0.0.1", "not a unicast address", "loopback");
}

static void test_delete(void)
{
	char out[2048], message[USERS_EDIT_MESSAGE_MAX];
	struct users_edit_change change = change_of(USERS_EDIT_DELETE, "BOB SMITH");
	static const char with_duplicate[] =
		"alice:" HASH_A "::enabled\n"
		"# alice:" HASH_B "::enabled\n"
		"carol:" HASH_C "::enabled\n"
		"Alice:" HASH_B "::enabled\n"
		"Alice2:" HASH_B "::enabled\n"
		"alice:broken\n";

	is_int(edit(fixture, &change, out, sizeof(out), message, sizeof(message)),
	       USERS_EDIT_CHANGED, "del, the name in another case");
	is_str(out, "# l2tpsec users\n\nalice:" HASH_A "::enabled\n  # indented comment\n"
	       "carol:" HASH_C "::enabled\n", "del removes its line, keeps the rest");

	change = change_of(USERS_EDIT_DELETE, "alice");
	is_int(edit(with_duplicate, &change, out, sizeof(out), message, sizeof(message)),
	       USERS_EDIT_CHANGED, "del with duplicates further down");
	is_str(out, "# alice:" HASH_B "::enabled\ncarol:" HASH_C "::enabled\nAlice2:" HASH_B
	       "::enabled\n", "every line naming the user goes (a skipped duplicate cannot come "
	       "to life), comments stay");

	change = change_of(USERS_EDIT_DELETE, "zed");
	is_int(edit(fixture, &change, out, sizeof(out), message, sizeof(message)),
	       USERS_EDIT_REFUSED, "del of an unknown user");
	is_str(message, "no user \"zed\" (names ignore ASCII case)", "its message");
}

static void test_modify(void)
{
	char out[2048], message[USERS_EDIT_MESSAGE_MAX];
	struct users_edit_change change = change_of(USERS_EDIT_PASSWORD, "bob smith");
	static const char crlf[] = "x:" HASH_C "::enabled\r\nalice:" HASH_A "::disabled\r\n"
				   "y:" HASH_C "::enabled\r\n";

	change.nt_hash = hash_a;
	is_int(edit(fixture, &change, out, sizeof(out), message, sizeof(message)),
	       USERS_EDIT_CHANGED, "passwd");
	is_str(out, "# l2tpsec users\n\nalice:" HASH_A "::enabled\n  # indented comment\n"
	       "Bob Smith:" HASH_A ":10.8.0.50:disabled\ncarol:" HASH_C "::enabled\n",
	       "passwd changes the hash in place; name, address and state kept");

	change = change_of(USERS_EDIT_PASSWORD, "ALICE");
	is_int(edit(crlf, &change, out, sizeof(out), message, sizeof(message)),
	       USERS_EDIT_CHANGED, "passwd in a CRLF file");
	is_str(out, "x:" HASH_C "::enabled\r\nalice:" HASH_B "::disabled\r\ny:" HASH_C
	       "::enabled\r\n", "the changed line keeps its CRLF and its state");

	change = change_of(USERS_EDIT_DISABLE, "carol");
	is_int(edit(fixture, &change, out, sizeof(out), message, sizeof(message)),
	       USERS_EDIT_CHANGED, "disable");
	is_str(out, "# l2tpsec users\n\nalice:" HASH_A "::enabled\n  # indented comment\n"
	       "Bob Smith:" HASH_B ":10.8.0.50:disabled\ncarol:" HASH_C "::disabled\n",
	       "disable changes the state only");

	change = change_of(USERS_EDIT_ENABLE, "Bob Smith");
	is_int(edit(fixture, &change, out, sizeof(out), message, sizeof(message)),
	       USERS_EDIT_CHANGED, "enable");
	is_str(out, "# l2tpsec users\n\nalice:" HASH_A "::enabled\n  # indented comment\n"
	       "Bob Smith:" HASH_B ":10.8.0.50:enabled\ncarol:" HASH_C "::enabled\n",
	       "enable keeps the static address");

	change = change_of(USERS_EDIT_ENABLE, "alice");
	is_int(edit(fixture, &change, out, sizeof(out), message, sizeof(message)),
	       USERS_EDIT_UNCHANGED, "enable of an enabled user changes nothing");
	is_str(message, "user \"alice\" is already enabled", "and says so");
	change = change_of(USERS_EDIT_DISABLE, "bob smith");
	is_int(edit(fixture, &change, out, sizeof(out), message, sizeof(message)),
	       USERS_EDIT_UNCHANGED, "disable of a disabled user changes nothing");
	is_str(message, "user \"Bob Smith\" is already disabled", "and names the user as stored");

	change = change_of(USERS_EDIT_PASSWORD, "nobody");
	is_int(edit(fixture, &change, out, sizeof(out), message, sizeof(message)),
	       USERS_EDIT_REFUSED, "passwd of an unknown user");
	change = change_of(USERS_EDIT_ENABLE, "nobody");
	is_int(edit(fixture, &change, out, sizeof(out), message, sizeof(message)),
	       USERS_EDIT_REFUSED, "enable of an unknown user");
	is_str(message, "no user \"nobody\" (names ignore ASCII case)", "its message");
}

static void test_bad_lines(void)
{
	static const char broken[] =
		"alice:" HASH_A "::enabled\n"
		"bob:nothex::enabled\n"
		"carol\n"
		"dave:" HASH_A "::maybe\n";
	struct users_edit_subnet subnet = default_subnet();
	struct users_edit_result result = { .text = NULL };
	struct users_edit_change change = change_of(USERS_EDIT_ADD, "erin");
	struct problems problems = { .text = "" };
	char expected[512];

	is_int(users_edit_text(broken, strlen(broken), &change, &subnet, collect, &problems,
			       &result), 0, "add to a file with bad lines");
	is_int(result.verdict, USERS_EDIT_CHANGED, "editing still works");
	is_str(problems.text, "2:NTHASH: not 32 hexadecimal digits;"
	       "3:wrong number of fields: expected NAME:NTHASH:ADDRESS:STATE;"
	       "4:STATE: neither \"enabled\" nor \"disabled\";", "the bad lines are reported by number");
	snprintf(expected, sizeof(expected), "%serin:" HASH_B "::enabled\n", broken);
	ok(result.len == strlen(expected) && memcmp(result.text, expected, result.len) == 0,
	   "the bad lines are kept as they were");
	users_edit_result_clear(&result);

	/* A bad line naming a user does not make it exist; add still refuses a good duplicate. */
	change = change_of(USERS_EDIT_ADD, "bob");
	is_int(users_edit_text(broken, strlen(broken), &change, &subnet, NULL, NULL, &result), 0,
	       "add a name only a bad line holds");
	is_int(result.verdict, USERS_EDIT_CHANGED, "allowed: the bad line is no user");
	users_edit_result_clear(&result);
}

/* Every allocation failing in turn: -ENOMEM or success, nothing leaked (ASan checks). */
static void test_out_of_memory(void)
{
	struct users_edit_subnet subnet = default_subnet();
	struct users_edit_change change = change_of(USERS_EDIT_DELETE, "carol");
	bool all_clean = true;
	unsigned long n;

	for (n = 1; n < 100; n++) {
		struct users_edit_result result = { .text = NULL };
		int err;

		alloc_fail_at(n);
		err = users_edit_text(fixture, strlen(fixture), &change, &subnet, NULL, NULL, &result);
		alloc_fail_at(0);
		users_edit_result_clear(&result);
		if (err == 0 && result.verdict == USERS_EDIT_CHANGED)
			break;
		if (err != -ENOMEM)
			all_clean = false;
	}
	ok(all_clean && n < 100, "each failed allocation gives -ENOMEM (%lu walked)", n);
}

/* --- the file --- */

static char *read_file(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	size_t n;

	buf[0] = '\0';
	if (f == NULL)
		return NULL;
	n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	if (f != NULL) {
		fputs(text, f);
		fclose(f);
	}
	chmod(path, mode);
}

static mode_t mode_of(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 ? st.st_mode & 07777 : (mode_t)-1;
}

static bool exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

static void make_old(const char *path)
{
	struct timespec times[2];

	clock_gettime(CLOCK_REALTIME, &times[0]);
	times[0].tv_sec -= 2 * USERS_EDIT_STALE_SECONDS;
	times[1] = times[0];
	utimensat(AT_FDCWD, path, times, 0);
}

static void test_file(void)
{
	char dir[] = "/tmp/users_edit_test.XXXXXX", path[128], other[256], text[2048];
	char stale[256], young[256], unrelated[256], expected[2048];
	struct users_edit_subnet subnet = default_subnet();
	struct users_edit_result result = { .text = NULL };
	struct users_edit_change change = change_of(USERS_EDIT_ADD, "dave");
	int err;

	if (!ok(mkdtemp(dir) != NULL, "a temporary directory"))
		return;
	snprintf(path, sizeof(path), "%s/users", dir);

	err = users_edit_file(path, &change, &subnet, NULL, NULL, &result);
	is_int(err, 0, "add to a file that does not exist yet");
	is_int(result.verdict, USERS_EDIT_CHANGED, "it is created");
	is_str(read_file(path, text, sizeof(text)), "dave:" HASH_B "::enabled\n", "its contents");
	is_uint(mode_of(path), 0600, "the new file has mode 0600");
	snprintf(other, sizeof(other), "%s.lock", path);
	is_uint(mode_of(other), 0600, "the lock file users.lock exists with mode 0600");
	ok(result.text == NULL, "the result keeps no text");

	write_file(path, fixture, 0644);
	snprintf(stale, sizeof(stale), "%s/.users.Ab12Cd", dir);
	snprintf(young, sizeof(young), "%s/.users.Zz99Yy", dir);
	snprintf(unrelated, sizeof(unrelated), "%s/.users.old", dir);
	write_file(stale, "half", 0600);
	make_old(stale);
	write_file(young, "in use", 0600);
	write_file(unrelated, "mine", 0600);
	make_old(unrelated);
	err = users_edit_file(path, &change, &subnet, NULL, NULL, &result);
	is_int(err, 0, "add to an existing file");
	snprintf(expected, sizeof(expected), "%sdave:" HASH_B "::enabled\n", fixture);
	is_str(read_file(path, text, sizeof(text)), expected, "the file holds the edit");
	is_uint(mode_of(path), 0600, "a file that was 0644 is 0600 afterwards");
	ok(!exists(stale), "a temporary file older than a minute is removed");
	ok(exists(young), "a young temporary file is left alone (another editor's, or too new)");
	ok(exists(unrelated), "a file that is not ours is left alone");

	err = users_edit_file(path, &change, &subnet, NULL, NULL, &result);
	is_int(err, 0, "a second add of dave");
	is_int(result.verdict, USERS_EDIT_REFUSED, "is refused");
	ok(strstr(result.message, "already exists") != NULL, "as a duplicate");
	is_str(read_file(path, text, sizeof(text)), expected, "and the file is untouched");

	change = change_of(USERS_EDIT_ENABLE, "alice");
	err = users_edit_file(path, &change, &subnet, NULL, NULL, &result);
	ok(err == 0 && result.verdict == USERS_EDIT_UNCHANGED, "enable of an enabled user: unchanged");

	snprintf(other, sizeof(other), "%s/link", dir);
	if (symlink(path, other) == 0) {
		err = users_edit_file(other, &change, &subnet, NULL, NULL, &result);
		is_int(err, -ELOOP, "a symbolic link is refused");
		ok(strstr(result.message, "symbolic link") != NULL, "and the message says so: %s",
		   result.message);
		unlink(other);
	} else {
		ok(false, "symlink() in the temporary directory");
	}

	snprintf(other, sizeof(other), "%s/missing/users", dir);
	err = users_edit_file(other, &change, &subnet, NULL, NULL, &result);
	is_int(err, -ENOENT, "a missing directory is an error");
	if (!ok(strstr(result.message, "cannot open the directory") != NULL &&
		strstr(result.message, "/missing") != NULL, "naming the directory"))
		tap_diag("  message: %s", result.message);

	unlink(path);
	snprintf(other, sizeof(other), "%s.lock", path);
	unlink(other);
	unlink(young);
	unlink(unrelated);
	rmdir(dir);
}

int main(void)
{
	test_subnet();
	test_add();
	test_add_refused();
	test_delete();
	test_modify();
	test_bad_lines();
	test_out_of_memory();
	test_file();
	return tap_done();
}
