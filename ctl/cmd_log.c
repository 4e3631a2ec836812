/*
 * cmd_log.c - "l2tpsecctl log": the combined log, filtered to whole chains.
 *
 * Reads the daemon's log file (--file, else log.file of the configuration),
 * or, when there is none and the daemon logs to syslog, the journal through
 * "journalctl -t l2tpsecd -o short-iso-precise" run as a child.  The chain
 * logic is ctl/logview's; this file only reads, follows and prints:
 *
 *   - without -f: the input twice (learn, then select), so the output is in
 *     exact log order; the journal is first spooled to a temporary file;
 *   - with -f: what the file holds is learned, then followed from its start
 *     (so it prints in order too), and then new lines as they come, polling
 *     every CMD_LOG_POLL_MS; a file replaced (logrotate) is reopened at its
 *     start once the old one is drained, a truncated one is read again from
 *     its start.  The journal is followed with "journalctl -f -n all".
 *
 * Output: the lines as written, control bytes shown as '?'; on a terminal
 * (g->colour) the prefix in one colour per chain, WARN yellow, ERR red;
 * with --json one object per line:
 * {"time":..,"level":..,"prefix":..,"message":..,"chain":..} (time, level
 * and chain null when unknown).
 *
 * What it must not do: write anything but stdout (the lines) and stderr
 * (one error line), or trust the log (logview parses it with bounds).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ctl/ctl.h"
#include "ctl/logview.h"
#include "daemon/conf.h"
#include "lib/alloc.h"
#include "lib/json.h"

extern char **environ;

enum {
	CMD_LOG_POLL_MS = 200,
	CMD_LOG_READ_SIZE = 64 * 1024,
	/* the longest --json line: every byte of a line escaped as \u00XX, and the keys */
	CMD_LOG_JSON_MAX = 6 * LOGVIEW_LINE_MAX + 256,
};

/* The chain colours: none is red or yellow, which mean ERR and WARN. */
static const char *const cmd_log_chain_colours[] = {
	"\033[36m", "\033[35m", "\033[34m", "\033[32m", "\033[96m", "\033[95m", "\033[94m",
	"\033[92m",
};

#define CMD_LOG_RESET "\033[0m"
#define CMD_LOG_RED "\033[31m"
#define CMD_LOG_YELLOW "\033[33m"

struct cmd_log_args {
	struct logview_filter filter;
	const char *user, *peer, *serial, *since, *file;
	bool follow;
	bool json;
	bool help;
};

/* The printer the view emits into. */
struct cmd_log_out {
	bool colour;
	bool json;
	bool failed;                    /* stdout refused a write */
	char *json_buffer;              /* CMD_LOG_JSON_MAX bytes for --json */
};

/* Feeds lines to the view one way or another. */
enum cmd_log_pass { CMD_LOG_LEARN, CMD_LOG_SELECT, CMD_LOG_FOLLOW };

struct cmd_log_feed {
	struct logview *view;
	enum cmd_log_pass pass;
	struct cmd_log_out *out;
};

static void cmd_log_usage(FILE *f)
{
	fputs("usage: l2tpsecctl log [--user NAME | --peer ADDR | --serial N] [--since TIME]\n"
	      "                      [-f] [--file PATH] [--json]\n"
	      "  --user NAME    every connection of NAME (failed ones too), IKE lines included\n"
	      "  --peer ADDR    every connection from ADDR (a NAT's public address)\n"
	      "  --serial N     the connection of #N, or of tun#N, ses#N, ppp#N\n"
	      "  --since TIME   lines from \"2026-11-28 07:44\", \"07:44\" (today), \"-10m\", \"-2h\"\n"
	      "  -f, --follow   keep printing lines as they are logged\n"
	      "  --file PATH    this log file instead of the configuration's log.file\n",
	      f);
}

static int cmd_log_usage_error(const char *what, const char *value)
{
	ctl_error("log: %s \"%s\" (see l2tpsecctl log --help)", what, value);
	return CTL_EXIT_USAGE;
}

/* Local time now, on the scale of logview_line.time_ms. */
static int64_t cmd_log_now_ms(void)
{
	struct timespec now;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &now);
	localtime_r(&now.tv_sec, &tm);
	return logview_time_ms(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
			       tm.tm_sec, (int)(now.tv_nsec / 1000000));
}

static int cmd_log_parse(int argc, char **argv, struct cmd_log_args *args)
{
	static const struct option options[] = {
		{ "user", required_argument, NULL, 'u' },
		{ "peer", required_argument, NULL, 'p' },
		{ "serial", required_argument, NULL, 's' },
		{ "since", required_argument, NULL, 'S' },
		{ "follow", no_argument, NULL, 'f' },
		{ "file", required_argument, NULL, 'F' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned filters = 0;
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "fh", options, NULL)) != -1) {
		switch (c) {
		case 'u': args->user = optarg; filters++; break;
		case 'p': args->peer = optarg; filters++; break;
		case 's': args->serial = optarg; filters++; break;
		case 'S': args->since = optarg; break;
		case 'f': args->follow = true; break;
		case 'F': args->file = optarg; break;
		case 'j': args->json = true; break;
		case 'h': args->help = true; break;
		default:
			return cmd_log_usage_error("unknown option or missing value in",
						   argv[optind - 1 < argc ? optind - 1 : 0]);
		}
	}
	if (args->help)
		return CTL_EXIT_OK;
	if (optind < argc)
		return cmd_log_usage_error("unexpected argument", argv[optind]);
	if (filters > 1) {
		ctl_error("log: --user, --peer and --serial are one filter: give one of them");
		return CTL_EXIT_USAGE;
	}
	if (args->user) {
		if (args->user[0] == '\0' || strlen(args->user) >= LOGVIEW_USER_MAX)
			return cmd_log_usage_error("--user: not a user name:", args->user);
		args->filter.kind = LOGVIEW_FILTER_USER;
		args->filter.user = args->user;
	} else if (args->peer) {
		if (!netaddr_parse(&args->filter.peer, args->peer, 0))
			return cmd_log_usage_error("--peer: not an IPv4 or IPv6 address:",
						   args->peer);
		args->filter.kind = LOGVIEW_FILTER_PEER;
	} else if (args->serial) {
		if (logview_serial_parse(&args->filter.serial, args->serial) != 0)
			return cmd_log_usage_error("--serial: not #N, N, tun#N, ses#N or ppp#N:",
						   args->serial);
		args->filter.kind = LOGVIEW_FILTER_SERIAL;
	}
	if (args->since) {
		if (logview_time_parse(args->since, cmd_log_now_ms(), &args->filter.since_ms) != 0)
			return cmd_log_usage_error(
				"--since: not \"YYYY-MM-DD HH:MM\", \"HH:MM\" or \"-10m\":",
				args->since);
		args->filter.has_since = true;
	}
	return -1;
}

/* ---------------------------------------------------------------- output */

/* length bytes with control bytes as '?'. */
static void cmd_log_put(FILE *f, const char *p, size_t length)
{
	for (size_t i = 0; i < length; i++) {
		unsigned char c = (unsigned char)p[i];

		putc(c < 0x20 || c == 0x7f ? '?' : c, f);
	}
}

static void cmd_log_print_json(struct cmd_log_out *out, const struct logview_line *line,
			       uint64_t chain)
{
	struct json j;
	char level[8];

	json_init(&j, out->json_buffer, CMD_LOG_JSON_MAX);
	json_object_begin(&j);
	json_key(&j, "time");
	if (line->format != LOGVIEW_FORMAT_OTHER)
		json_string_n(&j, line->time, line->time_length);
	else
		json_null(&j);
	json_key(&j, "level");
	if (line->has_level) {
		snprintf(level, sizeof level, "%s", log_level_name(line->level));
		json_string(&j, level);
	} else {
		json_null(&j);
	}
	json_key(&j, "prefix");
	json_string_n(&j, line->prefix, line->prefix_length);
	json_key(&j, "message");
	json_string_n(&j, line->message, line->message_length);
	json_key(&j, "chain");
	if (chain != 0)
		json_uint(&j, chain);
	else
		json_null(&j);
	json_object_end(&j);
	if (!json_ok(&j)) {
		out->failed = true;
		ctl_error("log: a line did not fit the JSON buffer");
		return;
	}
	fputs(out->json_buffer, stdout);
	putc('\n', stdout);
}

static void cmd_log_print_colour(const struct logview_line *line, uint64_t chain)
{
	const char *p = line->text, *end = line->text + line->length;
	const char *colour = cmd_log_chain_colours[chain % ARRAY_SIZE(cmd_log_chain_colours)];

	if (line->has_level && line->level <= LOG_LEVEL_WARN) {
		const char *level = line->text + line->time_length + 1;
		size_t n = strlen(log_level_name(line->level));

		cmd_log_put(stdout, p, (size_t)(level - p));
		fputs(line->level == LOG_LEVEL_ERR ? CMD_LOG_RED : CMD_LOG_YELLOW, stdout);
		cmd_log_put(stdout, level, n);
		fputs(CMD_LOG_RESET, stdout);
		p = level + n;
	}
	if (line->prefix_length > 0 && chain != 0) {
		cmd_log_put(stdout, p, (size_t)(line->prefix - p));
		fputs(colour, stdout);
		cmd_log_put(stdout, line->prefix, line->prefix_length);
		fputs(CMD_LOG_RESET, stdout);
		p = line->prefix + line->prefix_length;
	}
	cmd_log_put(stdout, p, (size_t)(end - p));
}

static void cmd_log_emit(void *arg, const struct logview_line *line, uint64_t chain)
{
	struct cmd_log_out *out = arg;

	if (out->failed)
		return;
	if (out->json) {
		cmd_log_print_json(out, line, chain);
	} else {
		if (out->colour)
			cmd_log_print_colour(line, chain);
		else
			cmd_log_put(stdout, line->text, line->length);
		putc('\n', stdout);
	}
	if (ferror(stdout))
		out->failed = true;
}

/* ----------------------------------------------------------------- input */

static int cmd_log_line(void *arg, const char *text, size_t length)
{
	struct cmd_log_feed *feed = arg;

	switch (feed->pass) {
	case CMD_LOG_LEARN:
		return logview_learn(feed->view, text, length);
	case CMD_LOG_SELECT:
		(void)logview_select(feed->view, text, length, cmd_log_emit, feed->out);
		break;
	case CMD_LOG_FOLLOW:
		if (logview_follow(feed->view, text, length, cmd_log_emit, feed->out) != 0)
			return -ENOMEM;
		break;
	}
	return feed->out->failed ? -EPIPE : 0;
}

/*
 * Reads fd from where it is, at most limit bytes (SIZE_MAX: to its end),
 * into the splitter.  Returns bytes read, or -errno (-ENOMEM, -EPIPE from a
 * line).
 */
static long long cmd_log_read(int fd, size_t limit, struct logview_splitter *splitter,
			      struct cmd_log_feed *feed, char *buffer)
{
	long long total = 0;

	while (limit > 0) {
		ssize_t n = read(fd, buffer, MIN(limit, (size_t)CMD_LOG_READ_SIZE));
		int rc;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		rc = logview_splitter_feed(splitter, buffer, (size_t)n, cmd_log_line, feed);
		if (rc != 0)
			return rc;
		total += n;
		limit -= (size_t)n;
	}
	return total;
}

static int cmd_log_read_error(const char *path, long long rc)
{
	if (rc == -ENOMEM)
		ctl_error("log: out of memory");
	else if (rc != -EPIPE)
		ctl_error("log: %s: %s", path, strerror((int)-rc));
	return CTL_EXIT_FAILED;
}

/* The whole of fd (a regular file): learn, then select.  An exit status. */
static int cmd_log_whole(int fd, const char *path, struct cmd_log_feed *feed, char *buffer)
{
	struct logview_splitter *splitter = alloc_zero(sizeof *splitter);
	long long size, rc;

	if (splitter == NULL)
		return cmd_log_read_error(path, -ENOMEM);
	logview_splitter_init(splitter);
	feed->pass = CMD_LOG_LEARN;
	size = cmd_log_read(fd, SIZE_MAX, splitter, feed, buffer);
	if (size >= 0) {
		int finished = logview_splitter_finish(splitter, cmd_log_line, feed);

		if (finished != 0)
			size = finished;
	}
	if (size >= 0 && lseek(fd, 0, SEEK_SET) != 0)
		size = -errno;
	rc = size;
	if (rc >= 0) {
		logview_splitter_init(splitter);
		feed->pass = CMD_LOG_SELECT;
		rc = cmd_log_read(fd, (size_t)size, splitter, feed, buffer);
		if (rc >= 0)
			rc = logview_splitter_finish(splitter, cmd_log_line, feed);
	}
	alloc_free(splitter);
	return rc < 0 ? cmd_log_read_error(path, rc) : CTL_EXIT_OK;
}

static void cmd_log_sleep(void)
{
	struct timespec ts = { 0, CMD_LOG_POLL_MS * 1000000L };

	nanosleep(&ts, NULL);
}

/* Whether path now names another file than fd (rotated away). */
static bool cmd_log_replaced(int fd, const char *path)
{
	struct stat now, open_one;

	if (stat(path, &now) != 0 || fstat(fd, &open_one) != 0)
		return false;
	return now.st_ino != open_one.st_ino || now.st_dev != open_one.st_dev;
}

/*
 * -f on a file: learn what it holds, follow it from its start, then poll
 * for more.  Returns only on an error (an exit status).
 */
static int cmd_log_follow_file(int fd, const char *path, struct cmd_log_feed *feed, char *buffer)
{
	struct logview_splitter *splitter = alloc_zero(sizeof *splitter);
	long long rc, learned;
	off_t position;

	if (splitter == NULL)
		return cmd_log_read_error(path, -ENOMEM);
	logview_splitter_init(splitter);
	feed->pass = CMD_LOG_LEARN;
	rc = cmd_log_read(fd, SIZE_MAX, splitter, feed, buffer);
	learned = rc >= 0 ? rc - (long long)splitter->pending : 0;     /* complete lines only */
	if (rc >= 0 && lseek(fd, 0, SEEK_SET) != 0)
		rc = -errno;
	if (rc >= 0) {
		logview_splitter_init(splitter);
		feed->pass = CMD_LOG_FOLLOW;
		rc = cmd_log_read(fd, (size_t)learned, splitter, feed, buffer);
	}
	position = (off_t)learned;
	while (rc >= 0) {
		struct stat st;

		rc = cmd_log_read(fd, SIZE_MAX, splitter, feed, buffer);
		if (rc < 0)
			break;
		position += (off_t)rc;
		if (rc > 0)
			continue;
		if (fflush(stdout) != 0) {
			rc = -EPIPE;
			break;
		}
		if (cmd_log_replaced(fd, path)) {
			int next = open(path, O_RDONLY | O_CLOEXEC);

			if (next >= 0) {
				rc = logview_splitter_finish(splitter, cmd_log_line, feed);
				close(fd);
				fd = next;
				position = 0;
				continue;
			}
		} else if (fstat(fd, &st) == 0 && st.st_size < position) {
			/* truncated: what is there now is new */
			logview_splitter_init(splitter);
			if (lseek(fd, 0, SEEK_SET) == 0)
				position = 0;
			continue;
		}
		cmd_log_sleep();
	}
	close(fd);
	alloc_free(splitter);
	return cmd_log_read_error(path, rc);
}

/* The journal's lines of l2tpsecd on the read end of a pipe; the child in *pid. */
static int cmd_log_journal_open(bool follow, pid_t *pid)
{
	char *argv[] = { "journalctl", "-t", "l2tpsecd", "-o", "short-iso-precise", "--no-pager",
			 follow ? "-f" : NULL, "-n", "all", NULL };
	posix_spawn_file_actions_t actions;
	int pipe_fds[2], rc;

	if (!follow)
		argv[6] = NULL;
	if (pipe2(pipe_fds, O_CLOEXEC) != 0)
		return -errno;
	rc = posix_spawn_file_actions_init(&actions);
	if (rc == 0)
		rc = posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
	if (rc == 0)
		rc = posix_spawnp(pid, "journalctl", &actions, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&actions);
	close(pipe_fds[1]);
	if (rc != 0) {
		close(pipe_fds[0]);
		return -rc;
	}
	return pipe_fds[0];
}

/* Copies the journal into an unnamed temporary file, for the two passes. */
static int cmd_log_journal_spool(int from, char *buffer)
{
	FILE *spool = tmpfile();
	int fd;
	ssize_t n;

	if (spool == NULL)
		return -errno;
	fd = dup(fileno(spool));
	fclose(spool);
	if (fd < 0)
		return -errno;
	while ((n = read(from, buffer, CMD_LOG_READ_SIZE)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || write(fd, buffer, (size_t)n) != n) {
			close(fd);
			return -EIO;
		}
	}
	if (lseek(fd, 0, SEEK_SET) != 0) {
		close(fd);
		return -errno;
	}
	return fd;
}

static int cmd_log_journal(bool follow, struct cmd_log_feed *feed, char *buffer)
{
	struct logview_splitter *splitter = NULL;
	pid_t pid;
	int fd = cmd_log_journal_open(follow, &pid), status = 0, spooled = -1;
	long long rc;

	if (fd < 0) {
		ctl_error("log: cannot run journalctl: %s", strerror(-fd));
		return CTL_EXIT_FAILED;
	}
	if (!follow) {
		spooled = cmd_log_journal_spool(fd, buffer);
		close(fd);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			continue;
		if (spooled < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			if (spooled >= 0)
				close(spooled);
			ctl_error("log: journalctl failed (is l2tpsecd's log in the journal?)");
			return CTL_EXIT_FAILED;
		}
		status = cmd_log_whole(spooled, "the journal", feed, buffer);
		close(spooled);
		return status;
	}
	splitter = alloc_zero(sizeof *splitter);
	rc = splitter ? 0 : -ENOMEM;
	feed->pass = CMD_LOG_FOLLOW;
	while (rc >= 0) {
		logview_splitter_init(splitter);
		rc = cmd_log_read(fd, SIZE_MAX, splitter, feed, buffer);
		if (rc >= 0) {
			ctl_error("log: journalctl stopped");
			rc = -EPIPE;
		}
	}
	close(fd);
	kill(pid, SIGTERM);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		continue;
	alloc_free(splitter);
	return cmd_log_read_error("the journal", rc);
}

/* Where the log is: --file, log.file, or NULL for the journal (*why on failure). */
static const char *cmd_log_source(const struct ctl_global *g, const struct cmd_log_args *args,
				  bool *journal)
{
	*journal = false;
	if (args->file)
		return args->file;
	if (g->conf == NULL) {
		ctl_error("log: the configuration %s could not be read: name the log with --file",
			  g->conf_path);
		return NULL;
	}
	if (g->conf->log_file && g->conf->log_file[0] != '\0')
		return g->conf->log_file;
	if (g->conf->log_syslog) {
		*journal = true;
		return NULL;
	}
	ctl_error("log: %s sets neither log.file nor syslog: name the log with --file",
		  g->conf_path);
	return NULL;
}

static void cmd_log_nothing(const struct cmd_log_args *args)
{
	if (args->user)
		ctl_error("log: no lines for user \"%s\"", args->user);
	else if (args->peer)
		ctl_error("log: no lines for peer %s", args->peer);
	else if (args->serial)
		ctl_error("log: no lines for %s", args->serial);
}

int ctl_cmd_log(const struct ctl_global *g, int argc, char **argv)
{
	struct cmd_log_args args = { .filter.kind = LOGVIEW_FILTER_ALL };
	struct cmd_log_out out = { 0 };
	struct cmd_log_feed feed = { .out = &out };
	const char *path;
	char *buffer = NULL;
	bool journal;
	int status, fd;

	status = cmd_log_parse(argc, argv, &args);
	if (status >= 0) {
		if (args.help)
			cmd_log_usage(stdout);
		return status;
	}
	path = cmd_log_source(g, &args, &journal);
	if (path == NULL && !journal)
		return CTL_EXIT_FAILED;
	out.json = g->json || args.json;
	out.colour = g->colour && !out.json;
	buffer = alloc_zero(CMD_LOG_READ_SIZE);
	out.json_buffer = out.json ? alloc_zero(CMD_LOG_JSON_MAX) : NULL;
	feed.view = logview_new(&args.filter);
	if (buffer == NULL || (out.json && out.json_buffer == NULL) || feed.view == NULL) {
		ctl_error("log: out of memory");
		status = CTL_EXIT_FAILED;
		goto out;
	}
	if (journal) {
		status = cmd_log_journal(args.follow, &feed, buffer);
	} else {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			ctl_error("log: %s: %s", path, strerror(errno));
			status = CTL_EXIT_FAILED;
			goto out;
		}
		if (args.follow) {
			status = cmd_log_follow_file(fd, path, &feed, buffer);
		} else {
			status = cmd_log_whole(fd, path, &feed, buffer);
			close(fd);
		}
	}
	if (status == CTL_EXIT_OK && args.filter.kind != LOGVIEW_FILTER_ALL &&
	    logview_emitted(feed.view) == 0) {
		cmd_log_nothing(&args);
		status = CTL_EXIT_FAILED;
	}
out:
	logview_free(feed.view);
	alloc_free(out.json_buffer);
	alloc_free(buffer);
	return status;
}
