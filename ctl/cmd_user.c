/*
 * cmd_user.c - "l2tpsecctl user ...": add, del, passwd, enable, disable and
 * list over ctl/users_edit, passwords read without echo and hashed at once,
 * and the daemon told to reload the users file after a change.
 *
 * Passwords live only in cmd_user_password buffers on the stack, wiped on
 * every path; only their NT hash goes on (into the file).  Nothing here
 * prints or logs a password or a hash.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <termios.h>
#include <unistd.h>

#include "ctl/ctl.h"
#include "ctl/ctl_client.h"
#include "ctl/users_edit.h"
#include "daemon/conf.h"
#include "lib/alloc.h"
#include "lib/json.h"
#include "lib/log.h"
#include "ppp-glue/mschapv2.h"
#include "ppp-glue/users.h"

enum {
	/* NT_PASSWORD_MAX UTF-16 code units take at most 3 bytes of UTF-8 each. */
	CMD_USER_PASSWORD_MAX = 3 * NT_PASSWORD_MAX,
	CMD_USER_JSON_FIRST = 64 * 1024,
	CMD_USER_JSON_MAX = 256 * 1024 * 1024,
	CMD_USER_CELL_MAX = 128,
};

#define CMD_USER_BOLD "\033[1m"
#define CMD_USER_GREEN "\033[32m"
#define CMD_USER_YELLOW "\033[33m"
#define CMD_USER_RESET "\033[0m"

/* One "user" invocation. */
struct cmd_user {
	const struct ctl_global *global;
	const char *users_file;
	struct users_edit_subnet subnet;
};

struct cmd_user_password {
	char text[CMD_USER_PASSWORD_MAX + 2];
	size_t len;
};

static void cmd_user_usage(FILE *out)
{
	fputs("usage: l2tpsecctl user add NAME [--static-ip ADDR] [--disabled] [--password-stdin]\n"
	      "       l2tpsecctl user del NAME\n"
	      "       l2tpsecctl user passwd NAME [--password-stdin]\n"
	      "       l2tpsecctl user enable NAME\n"
	      "       l2tpsecctl user disable NAME\n"
	      "       l2tpsecctl [--json] user list\n",
	      out);
}

static int cmd_user_usage_error(const char *fmt, ...) PRINTF_LIKE(1, 2);

static int cmd_user_usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("l2tpsecctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	cmd_user_usage(stderr);
	return CTL_EXIT_USAGE;
}

/* Bad lines of the users file: warnings, the file still works without them. */
static void cmd_user_report(void *arg, const struct users_problem *problem)
{
	const struct cmd_user *cmd = arg;

	if (problem->line == 0)
		fprintf(stderr, "l2tpsecctl: warning: %s: %s\n", cmd->users_file, problem->reason);
	else
		fprintf(stderr, "l2tpsecctl: warning: %s:%u: %s (the line is kept as it is)\n",
			cmd->users_file, problem->line, problem->reason);
}

/* --- passwords --- */

/* One line from standard input, without its "\n"; read byte by byte so no stdio buffer keeps it. */
static int cmd_user_password_stdin(struct cmd_user_password *password)
{
	bool newline = false, too_long = false;

	password->len = 0;
	for (;;) {
		char c;
		ssize_t n = read(STDIN_FILENO, &c, 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ctl_error("cannot read the password from standard input: %s", strerror(errno));
			return -1;
		}
		if (n == 0 || c == '\n') {
			newline = n == 1;
			break;
		}
		if (password->len == CMD_USER_PASSWORD_MAX)
			too_long = true;
		else
			password->text[password->len++] = c;
	}
	password->text[password->len] = '\0';
	if (too_long) {
		ctl_error("the password is longer than %d bytes", CMD_USER_PASSWORD_MAX);
		return -1;
	}
	if (password->len == 0 && !newline) {
		ctl_error("no password on standard input");
		return -1;
	}
	return 0;
}

static bool cmd_user_is_key(unsigned char c, const struct termios *saved, int index)
{
	return saved->c_cc[index] != _POSIX_VDISABLE && c == saved->c_cc[index];
}

/*
 * One line from the terminal, echo off, edited here (the terminal is in
 * non-canonical mode without signals, so ^C cancels instead of killing the
 * process with echo still off).  -ECANCELED for ^C, ^\ or ^D on an empty line.
 */
static int cmd_user_tty_line(int fd, const struct termios *saved,
			     struct cmd_user_password *password)
{
	bool too_long = false;

	password->len = 0;
	for (;;) {
		unsigned char c;
		ssize_t n = read(fd, &c, 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -ECANCELED;
		if (c == '\n' || c == '\r')
			break;
		if (cmd_user_is_key(c, saved, VINTR) || cmd_user_is_key(c, saved, VQUIT) ||
		    (cmd_user_is_key(c, saved, VEOF) && password->len == 0))
			return -ECANCELED;
		if (cmd_user_is_key(c, saved, VERASE) || c == 0x7f || c == 0x08) {
			/* one character: its UTF-8 continuation bytes too */
			while (password->len > 0 &&
			       ((unsigned char)password->text[--password->len] & 0xc0) == 0x80)
				;
		} else if (cmd_user_is_key(c, saved, VKILL)) {
			password->len = 0;
		} else if (c >= 0x20) {
			if (password->len == CMD_USER_PASSWORD_MAX)
				too_long = true;
			else
				password->text[password->len++] = (char)c;
		}
	}
	password->text[password->len] = '\0';
	return too_long ? -E2BIG : 0;
}

/* Writes prompt on the terminal and reads one line without echo. */
static int cmd_user_tty_prompt(int fd, const char *prompt, struct cmd_user_password *password)
{
	struct termios saved, quiet;
	int err;

	if (tcgetattr(fd, &saved) < 0)
		return -errno;
	quiet = saved;
	quiet.c_lflag &= (tcflag_t)~(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
	quiet.c_cc[VMIN] = 1;
	quiet.c_cc[VTIME] = 0;
	/* TCSANOW, not TCSAFLUSH: what was typed ahead was echoed already; dropping it helps nobody. */
	if (write(fd, prompt, strlen(prompt)) < 0 || tcsetattr(fd, TCSANOW, &quiet) < 0)
		return -errno;
	err = cmd_user_tty_line(fd, &saved, password);
	tcsetattr(fd, TCSANOW, &saved);
	if (write(fd, "\n", 1) < 0 && err == 0)
		err = -errno;
	return err;
}

/* Asks twice on /dev/tty; 0 with the password, or -1 after saying why. */
static int cmd_user_password_tty(const char *name, struct cmd_user_password *password)
{
	struct cmd_user_password again = { .len = 0 };
	char prompt[USERS_NAME_MAX + 32];
	int fd, err;

	fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		ctl_error("cannot open /dev/tty to ask for the password (%s); use --password-stdin",
			  strerror(errno));
		return -1;
	}
	snprintf(prompt, sizeof(prompt), "New password for %s: ", name);
	err = cmd_user_tty_prompt(fd, prompt, password);
	if (err == 0 && password->len > 0)
		err = cmd_user_tty_prompt(fd, "Retype the password: ", &again);
	close(fd);
	if (err == 0 && password->len > 0 &&
	    (again.len != password->len || memcmp(again.text, password->text, again.len) != 0))
		err = -EILSEQ;
	util_wipe(&again, sizeof(again));
	if (err == -ECANCELED)
		ctl_error("cancelled; nothing changed");
	else if (err == -EILSEQ)
		ctl_error("the passwords do not match; nothing changed");
	else if (err == -E2BIG)
		ctl_error("the password is longer than %d bytes", CMD_USER_PASSWORD_MAX);
	else if (err < 0)
		ctl_error("cannot read the password from /dev/tty: %s", strerror(-err));
	return err < 0 ? -1 : 0;
}

/* The NT hash of a password read from stdin or the terminal; 0, or -1 after saying why. */
static int cmd_user_ask_hash(const char *name, bool from_stdin, uint8_t hash[NT_HASH_LEN])
{
	struct cmd_user_password password = { .len = 0 };
	struct mschapv2_crypto *crypto = NULL;
	int err;

	err = from_stdin ? cmd_user_password_stdin(&password)
			 : cmd_user_password_tty(name, &password);
	if (err < 0)
		goto out;
	if (password.len == 0) {
		ctl_error("an empty password is refused");
		err = -1;
		goto out;
	}
	err = mschapv2_crypto_new(&crypto);
	if (err < 0) {
		ctl_error("cannot hash the password: OpenSSL's MD4 (its legacy provider) is "
			  "unavailable: %s", strerror(-err));
		err = -1;
		goto out;
	}
	err = nt_hash_password(crypto, password.text, password.len, hash);
	if (err == -EINVAL)
		ctl_error("the password is not valid UTF-8, or longer than %d UTF-16 code units",
			  NT_PASSWORD_MAX);
	else if (err < 0)
		ctl_error("cannot hash the password: %s", strerror(-err));
	err = err < 0 ? -1 : 0;
out:
	mschapv2_crypto_free(crypto);
	util_wipe(&password, sizeof(password));
	return err;
}

/* --- edits --- */

/* After a change: the daemon re-reads the file, if it runs. */
static int cmd_user_notify(const struct cmd_user *cmd)
{
	const char *path = cmd->global->socket_path;
	struct ctl_reply reply;
	char why[LOG_SANITIZE_MAX];
	int err = ctl_request(path, "reload-users", &reply);

	if (err == -ENOENT || err == -ECONNREFUSED)
		return CTL_EXIT_OK;
	if (err < 0) {
		ctl_error("the users file is changed, but the daemon at %s was not told (%s); "
			  "it reads the file again on SIGHUP", path, strerror(-err));
		return CTL_EXIT_FAILED;
	}
	if (reply.error != NULL) {
		ctl_error("the users file is changed, but the daemon did not reload it: %s",
			  log_sanitize(why, sizeof(why), reply.error, strlen(reply.error)));
		err = -1;
	} else {
		printf("l2tpsecd has reloaded the users file\n");
	}
	ctl_reply_free(&reply);
	return err < 0 ? CTL_EXIT_FAILED : CTL_EXIT_OK;
}

static const char *cmd_user_done(enum users_edit_action action)
{
	switch (action) {
	case USERS_EDIT_ADD:
		return "added";
	case USERS_EDIT_DELETE:
		return "deleted";
	case USERS_EDIT_PASSWORD:
		return "has a new password";
	case USERS_EDIT_ENABLE:
		return "enabled";
	case USERS_EDIT_DISABLE:
		return "disabled";
	}
	return "changed";
}

/* Checks, asks for the password if one is due, edits under the lock, tells the daemon. */
static int cmd_user_edit(struct cmd_user *cmd, struct users_edit_change *change,
			 bool needs_password, bool password_stdin)
{
	struct users_edit_result result = { .text = NULL };
	uint8_t hash[NT_HASH_LEN];
	int err, status = CTL_EXIT_FAILED;

	err = users_edit_file_check(cmd->users_file, change, &cmd->subnet, &result);
	if (err < 0 || result.verdict == USERS_EDIT_REFUSED) {
		ctl_error("%s", result.message);
		return CTL_EXIT_FAILED;
	}
	if (needs_password) {
		const char *shown = result.name[0] != '\0' ? result.name : change->name;

		if (cmd_user_ask_hash(shown, password_stdin, hash) < 0)
			goto out;
		change->nt_hash = hash;
	}
	err = users_edit_file(cmd->users_file, change, &cmd->subnet, cmd_user_report, cmd,
			      &result);
	if (err < 0 || result.verdict == USERS_EDIT_REFUSED) {
		ctl_error("%s", result.message);
		goto out;
	}
	if (result.verdict == USERS_EDIT_UNCHANGED) {
		printf("%s; nothing changed\n", result.message);
		status = CTL_EXIT_OK;
		goto out;
	}
	printf("user \"%s\" %s\n", result.name, cmd_user_done(change->action));
	fflush(stdout);
	status = cmd_user_notify(cmd);
out:
	util_wipe(hash, sizeof(hash));
	change->nt_hash = NULL;
	return status;
}

static const struct option cmd_user_options[] = {
	{ "static-ip", required_argument, NULL, 'a' },
	{ "disabled", no_argument, NULL, 'd' },
	{ "password-stdin", no_argument, NULL, 'p' },
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* The options a subcommand takes, from cmd_user_options by their letters. */
struct cmd_user_args {
	const char *static_ip;
	bool disabled;
	bool password_stdin;
	bool json;
	bool help;
	const char *name;
};

/* argv[0] is the subcommand; allowed lists its option letters.  0 or CTL_EXIT_USAGE. */
static int cmd_user_parse(int argc, char **argv, const char *allowed, bool wants_name,
			  struct cmd_user_args *args)
{
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", cmd_user_options, NULL)) != -1) {
		if (c == '?' || c == ':' || strchr(allowed, c) == NULL)
			return cmd_user_usage_error("user %s: unknown option or missing value",
						    argv[0]);
		if (c == 'a')
			args->static_ip = optarg;
		else if (c == 'd')
			args->disabled = true;
		else if (c == 'p')
			args->password_stdin = true;
		else if (c == 'j')
			args->json = true;
		else
			args->help = true;
	}
	if (args->help)
		return 0;
	if (wants_name && optind < argc)
		args->name = argv[optind++];
	if ((wants_name && args->name == NULL) || optind < argc)
		return cmd_user_usage_error("user %s: %s", argv[0],
					    wants_name ? "one NAME expected" : "no arguments expected");
	return 0;
}

/* --- list --- */

/* The daemon's record for the user, or NULL. */
static const struct ctl_record *cmd_user_record(const struct ctl_reply *reply,
						const struct users_entry *entry)
{
	for (size_t i = 0; reply != NULL && i < reply->count; i++) {
		const char *name = ctl_record_get(&reply->records[i], "name");

		if (name != NULL && strlen(name) == entry->name_len &&
		    strncasecmp(name, entry->name, entry->name_len) == 0)
			return &reply->records[i];
	}
	return NULL;
}

/* A terminal column's width of UTF-8 text: one per character. */
static size_t cmd_user_width(const char *text)
{
	size_t width = 0;

	for (; *text != '\0'; text++)
		width += ((unsigned char)*text & 0xc0) != 0x80;
	return width;
}

/* One row's cells, printable. */
struct cmd_user_row {
	char cell[5][CMD_USER_CELL_MAX];
	const char *colour[5];
};

static void cmd_user_row_fill(struct cmd_user_row *row, const struct users_entry *entry,
			      const struct ctl_reply *daemon)
{
	const struct ctl_record *record = cmd_user_record(daemon, entry);
	const char *connected = record ? ctl_record_get(record, "connected") : NULL;
	const char *sessions = record ? ctl_record_get(record, "sessions") : NULL;
	const char *last_seen = record ? ctl_record_get(record, "last_seen") : NULL;

	memset(row, 0, sizeof(*row));
	snprintf(row->cell[0], sizeof(row->cell[0]), "%s", entry->name);
	if (entry->has_address)
		inet_ntop(AF_INET, &entry->address, row->cell[1], sizeof(row->cell[1]));
	else
		snprintf(row->cell[1], sizeof(row->cell[1]), "pool");
	snprintf(row->cell[2], sizeof(row->cell[2]), "%s", entry->enabled ? "yes" : "no");
	row->colour[2] = entry->enabled ? NULL : CMD_USER_YELLOW;
	if (daemon == NULL)
		snprintf(row->cell[3], sizeof(row->cell[3]), "-");
	else if (connected != NULL && strcmp(connected, "yes") == 0) {
		char *end = NULL;
		unsigned long n = sessions != NULL ? strtoul(sessions, &end, 10) : 0;

		if (end != NULL && end != sessions && *end == '\0' && n > 1)
			snprintf(row->cell[3], sizeof(row->cell[3]), "yes (%lu)", n);
		else
			snprintf(row->cell[3], sizeof(row->cell[3]), "yes");
		row->colour[3] = CMD_USER_GREEN;
	} else {
		snprintf(row->cell[3], sizeof(row->cell[3]), "no");
	}
	if (last_seen != NULL && last_seen[0] != '\0')
		log_sanitize(row->cell[4], sizeof(row->cell[4]), last_seen, strlen(last_seen));
	else
		snprintf(row->cell[4], sizeof(row->cell[4]), "-");
}

static void cmd_user_print_row(const struct cmd_user_row *row, const size_t width[5],
			       bool colour, const char *row_colour)
{
	for (size_t i = 0; i < 5; i++) {
		const char *on = row_colour != NULL ? row_colour : row->colour[i];
		size_t pad = width[i] - cmd_user_width(row->cell[i]);

		if (colour && on != NULL)
			printf("%s%s%s", on, row->cell[i], CMD_USER_RESET);
		else
			fputs(row->cell[i], stdout);
		if (i < 4)
			printf("%*s", (int)pad + 2, "");
	}
	putchar('\n');
}

static int cmd_user_table(const struct cmd_user *cmd, const struct users *users,
			  const struct ctl_reply *daemon)
{
	static const char *const header[5] = { "NAME", "STATIC ADDRESS", "ENABLED", "CONNECTED",
					       "LAST SEEN" };
	size_t count = users_count(users), width[5];
	struct cmd_user_row row;

	for (size_t i = 0; i < 5; i++) {
		snprintf(row.cell[i], sizeof(row.cell[i]), "%s", header[i]);
		width[i] = strlen(header[i]);
	}
	for (size_t u = 0; u < count; u++) {
		cmd_user_row_fill(&row, users_at(users, u), daemon);
		for (size_t i = 0; i < 5; i++)
			width[i] = MAX(width[i], cmd_user_width(row.cell[i]));
	}
	for (size_t i = 0; i < 5; i++)
		snprintf(row.cell[i], sizeof(row.cell[i]), "%s", header[i]);
	cmd_user_print_row(&row, width, cmd->global->colour, CMD_USER_BOLD);
	for (size_t u = 0; u < count; u++) {
		cmd_user_row_fill(&row, users_at(users, u), daemon);
		cmd_user_print_row(&row, width, cmd->global->colour, NULL);
	}
	return fflush(stdout) == 0 ? CTL_EXIT_OK : CTL_EXIT_FAILED;
}

/* A daemon value as a JSON string, or null when absent or empty. */
static void cmd_user_json_value(struct json *j, const char *key, const char *value)
{
	json_key(j, key);
	if (value != NULL && value[0] != '\0')
		json_string(j, value);
	else
		json_null(j);
}

static void cmd_user_json_user(struct json *j, const struct users_entry *entry,
			       const struct ctl_reply *daemon)
{
	const struct ctl_record *record = cmd_user_record(daemon, entry);
	char address[INET_ADDRSTRLEN];

	json_object_begin(j);
	json_key(j, "name");
	json_string_n(j, entry->name, entry->name_len);
	json_key(j, "static_address");
	if (entry->has_address)
		json_string(j, inet_ntop(AF_INET, &entry->address, address, sizeof(address)));
	else
		json_null(j);
	json_kv_bool(j, "enabled", entry->enabled);
	json_key(j, "connected");
	if (daemon == NULL) {
		json_null(j);
		json_key(j, "sessions");
		json_null(j);
	} else {
		const char *connected = record ? ctl_record_get(record, "connected") : NULL;
		const char *sessions = record ? ctl_record_get(record, "sessions") : NULL;
		char *end = NULL;
		unsigned long n = sessions != NULL ? strtoul(sessions, &end, 10) : 0;

		json_bool(j, connected != NULL && strcmp(connected, "yes") == 0);
		json_key(j, "sessions");
		if (end != NULL && end != sessions && *end == '\0')
			json_uint(j, n);
		else
			json_uint(j, 0);
	}
	cmd_user_json_value(j, "address", record ? ctl_record_get(record, "address") : NULL);
	cmd_user_json_value(j, "last_seen", record ? ctl_record_get(record, "last_seen") : NULL);
	json_object_end(j);
}

static int cmd_user_json(const struct users *users, const struct ctl_reply *daemon)
{
	for (size_t size = CMD_USER_JSON_FIRST; size <= CMD_USER_JSON_MAX; size *= 2) {
		char *buf = alloc_zero(size);
		struct json j;
		bool done;

		if (buf == NULL)
			break;
		json_init(&j, buf, size);
		json_array_begin(&j);
		for (size_t u = 0; u < users_count(users); u++)
			cmd_user_json_user(&j, users_at(users, u), daemon);
		json_array_end(&j);
		done = json_ok(&j);
		if (done)
			printf("%s\n", buf);
		alloc_free(buf);
		if (done)
			return fflush(stdout) == 0 ? CTL_EXIT_OK : CTL_EXIT_FAILED;
	}
	ctl_error("out of memory for the JSON output");
	return CTL_EXIT_FAILED;
}

/* What the daemon knows of users; NULL (shown as "-") when it does not run. */
static struct ctl_reply *cmd_user_ask_daemon(const struct cmd_user *cmd, struct ctl_reply *reply)
{
	char why[LOG_SANITIZE_MAX];
	int err = ctl_request(cmd->global->socket_path, "users", reply);

	if (err == -ENOENT || err == -ECONNREFUSED)
		return NULL;
	if (err < 0) {
		ctl_error("warning: cannot ask the daemon at %s who is connected: %s",
			  cmd->global->socket_path, strerror(-err));
		return NULL;
	}
	if (reply->error != NULL) {
		ctl_error("warning: the daemon did not say who is connected: %s",
			  log_sanitize(why, sizeof(why), reply->error, strlen(reply->error)));
		ctl_reply_free(reply);
		return NULL;
	}
	return reply;
}

static int cmd_user_list(struct cmd_user *cmd, bool json)
{
	struct ctl_reply reply_storage, *daemon;
	struct users *users = NULL;
	int err, status;

	err = users_load(cmd->users_file, cmd_user_report, cmd, &users);
	if (err == -ENOENT) {
		ctl_error("warning: %s does not exist yet (\"user add\" creates it)", cmd->users_file);
		err = users_parse("", 0, NULL, NULL, &users);
	}
	if (err < 0) {
		ctl_error("cannot read %s: %s", cmd->users_file, strerror(-err));
		return CTL_EXIT_FAILED;
	}
	daemon = cmd_user_ask_daemon(cmd, &reply_storage);
	status = json ? cmd_user_json(users, daemon) : cmd_user_table(cmd, users, daemon);
	if (daemon != NULL)
		ctl_reply_free(daemon);
	users_free(users);
	return status;
}

/* --- the command --- */

static int cmd_user_run(struct cmd_user *cmd, const char *sub, struct cmd_user_args *args)
{
	struct users_edit_change change = { .name = args->name, .enabled = !args->disabled };
	struct in_addr address;

	if (strcmp(sub, "list") == 0)
		return cmd_user_list(cmd, cmd->global->json || args->json);
	change.name_len = strlen(args->name);
	if (strcmp(sub, "add") == 0) {
		change.action = USERS_EDIT_ADD;
		if (args->static_ip != NULL) {
			if (inet_pton(AF_INET, args->static_ip, &address) != 1) {
				char quoted[LOG_SANITIZE_MAX];

				ctl_error("--static-ip: \"%s\" is not an IPv4 address",
					  log_sanitize(quoted, sizeof(quoted), args->static_ip,
						       strlen(args->static_ip)));
				return CTL_EXIT_FAILED;
			}
			change.address = &address;
		}
		return cmd_user_edit(cmd, &change, true, args->password_stdin);
	}
	if (strcmp(sub, "passwd") == 0) {
		change.action = USERS_EDIT_PASSWORD;
		return cmd_user_edit(cmd, &change, true, args->password_stdin);
	}
	if (strcmp(sub, "del") == 0)
		change.action = USERS_EDIT_DELETE;
	else
		change.action = strcmp(sub, "enable") == 0 ? USERS_EDIT_ENABLE : USERS_EDIT_DISABLE;
	return cmd_user_edit(cmd, &change, false, false);
}

int ctl_cmd_user(const struct ctl_global *g, int argc, char **argv)
{
	static const struct {
		const char *name;
		const char *options;    /* letters from cmd_user_options */
		bool wants_name;
	} subcommands[] = {
		{ "add", "adph", true },
		{ "del", "h", true },
		{ "passwd", "ph", true },
		{ "enable", "h", true },
		{ "disable", "h", true },
		{ "list", "jh", false },
	};
	struct cmd_user_args args = { .name = NULL };
	struct cmd_user cmd = { .global = g };
	const char *sub = argc > 1 ? argv[1] : NULL;
	size_t i;
	int status;

	if (sub != NULL && (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0 ||
			    strcmp(sub, "help") == 0)) {
		cmd_user_usage(stdout);
		return CTL_EXIT_OK;
	}
	for (i = 0; sub != NULL && i < ARRAY_SIZE(subcommands); i++) {
		if (strcmp(sub, subcommands[i].name) == 0)
			break;
	}
	if (sub == NULL || i == ARRAY_SIZE(subcommands))
		return sub == NULL ? cmd_user_usage_error("user: a subcommand is due")
				   : cmd_user_usage_error("user: unknown subcommand \"%s\"", sub);
	status = cmd_user_parse(argc - 1, argv + 1, subcommands[i].options,
				subcommands[i].wants_name, &args);
	if (status != 0)
		return status;
	if (args.help) {
		cmd_user_usage(stdout);
		return CTL_EXIT_OK;
	}
	if (g->conf == NULL) {
		ctl_error("user: no configuration");
		return CTL_EXIT_FAILED;
	}
	cmd.users_file = g->conf->users_file;
	users_edit_subnet_init(&cmd.subnet, g->conf->ppp_local.addr.v4,
			       g->conf->ppp_pool_first.addr.v4, g->conf->ppp_pool_last.addr.v4);
	return cmd_user_run(&cmd, sub, &args);
}
