/*
 * log_test.c - prefixes and serials, levels, debug classes, the rate
 * limiter on a manual clock, the sanitizer, the sinks (callback, file with
 * reopen, stderr, syslog), long lines, and the OOM walk.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "lib/alloc.h"
#include "lib/clock.h"
#include "lib/log.h"
#include "lib/util.h"
#include "tests/harness/tap.h"

/* The last lines a callback sink received. */
struct capture {
	unsigned count;
	enum log_level level[8];
	char line[8][LOG_LINE_MAX];
};

static void capture_line(void *arg, enum log_level level, const char *line)
{
	struct capture *cap = arg;
	unsigned slot = cap->count++ % ARRAY_SIZE(cap->line);

	cap->level[slot] = level;
	snprintf(cap->line[slot], sizeof cap->line[slot], "%s", line);
}

/* The line n back from the last one (0 = the last). */
static const char *captured(const struct capture *cap, unsigned back)
{
	if (back >= cap->count || back >= ARRAY_SIZE(cap->line))
		return NULL;
	return cap->line[(cap->count - 1 - back) % ARRAY_SIZE(cap->line)];
}

static void capture_reset(struct capture *cap)
{
	cap->count = 0;
}

static struct log_ctx *make_ctx(const struct clock *clock, struct capture *cap)
{
	struct log_ctx *ctx = log_ctx_new(clock);

	if (ctx)
		log_sink_callback(ctx, capture_line, cap);
	capture_reset(cap);
	return ctx;
}

/* ------------------------------------------------------- prefixes, serials */

static void test_prefixes(void)
{
	struct capture cap;
	struct log_ctx *ctx = make_ctx(NULL, &cap);
	struct logger root, named, sa[5], tun, ses, ppp, restored, later, deep[12];

	if (!ok(ctx != NULL, "log_ctx_new(NULL) uses the real clock"))
		return;
	logger_init_root(&root, ctx, "");
	log_msg(&root, LOG_LEVEL_NOTICE, "starting %s", "up");
	is_str(captured(&cap, 0), "starting up", "an empty root prefix prints no \": \"");
	is_int(cap.level[0], LOG_LEVEL_NOTICE, "the sink gets the level");

	logger_init_root(&named, ctx, "packet from 192.0.2.1:500");
	log_msg(&named, LOG_LEVEL_INFO, "ignoring Vendor ID payload");
	is_str(captured(&cap, 0), "packet from 192.0.2.1:500: ignoring Vendor ID payload",
	       "a fixed root prefix");
	is_uint(named.serial, 0, "a root logger has serial 0");

	for (unsigned i = 0; i < 5; i++)
		is_uint(logger_init(&sa[i], ctx, &root, "#"), i + 1,
			"serial #%u handed out in order", i + 1);
	is_str(sa[3].prefix, "#4", "#4 under an empty root");
	ok(sa[4].serial == 5 && strcmp(sa[4].prefix, "#5") == 0, "#5 stores its serial");
	is_uint(logger_init(&tun, ctx, &sa[4], "tun#"), 1, "tun# counts on its own from 1");
	is_str(tun.prefix, "#5 tun#1", "child prefix: parent then child");
	is_uint(logger_init(&ses, ctx, &tun, "ses#"), 1, "ses# counts on its own");
	is_str(ses.prefix, "#5 tun#1 ses#1", "grandchild prefix");
	is_uint(logger_init(&ppp, ctx, NULL, "ppp#"), 1, "ppp# counts on its own");
	is_str(ppp.prefix, "ppp#1", "no parent: just kind and serial");

	log_msg(&sa[3], LOG_LEVEL_NOTICE, "responding to Main Mode from unknown peer %s",
		"169.254.1.1");
	is_str(captured(&cap, 0), "#4: responding to Main Mode from unknown peer 169.254.1.1",
	       "a line from #4");
	log_msg(&ses, LOG_LEVEL_INFO, "ICRQ");
	is_str(captured(&cap, 0), "#5 tun#1 ses#1: ICRQ", "a line from ses#1");

	logger_init_fixed(&restored, ctx, &root, "#", 10);
	is_str(restored.prefix, "#10", "logger_init_fixed uses the given serial");
	is_uint(logger_init(&later, ctx, &root, "#"), 11,
		"and the counter moves past it: never reused");
	logger_init_fixed(&restored, ctx, &root, "#", 3);
	is_uint(logger_init(&later, ctx, &root, "#"), 12,
		"an older fixed serial does not move the counter back");
	is_uint(logger_init(&later, ctx, &sa[0], "tun#"), 2, "tun# kept its own count meanwhile");
	is_str(later.prefix, "#1 tun#2", "under another parent");

	logger_init_root(&deep[0], ctx, "a-rather-long-connection-name-for-a-root-logger");
	for (unsigned i = 1; i < ARRAY_SIZE(deep); i++)
		logger_init(&deep[i], ctx, &deep[i - 1], "chain#");
	is_uint(strlen(deep[ARRAY_SIZE(deep) - 1].prefix), LOG_PREFIX_MAX - 1,
		"a deep prefix is cut to fit");
	ok(strcmp(deep[ARRAY_SIZE(deep) - 1].prefix + LOG_PREFIX_MAX - 4, "...") == 0,
	   "and ends in \"...\"");
	logger_init_root(&deep[0], ctx, deep[ARRAY_SIZE(deep) - 1].prefix);
	is_uint(strlen(deep[0].prefix), LOG_PREFIX_MAX - 1,
		"a root prefix of the maximum length fits");
	log_ctx_free(ctx);
	log_ctx_free(NULL);
}

/* ------------------------------------------------------------ levels, lines */

static void log_via_va_list(const struct logger *lg, enum log_level level, const char *fmt, ...)
	PRINTF_LIKE(3, 4);

static void log_via_va_list(const struct logger *lg, enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(lg, level, fmt, ap);
	va_end(ap);
}

static void test_levels(void)
{
	struct capture cap;
	struct log_ctx *ctx = make_ctx(NULL, &cap);
	struct logger lg;
	enum log_level level = LOG_LEVEL_ERR;

	if (!ok(ctx != NULL, "context for levels"))
		return;
	logger_init_root(&lg, ctx, "");
	log_msg(&lg, LOG_LEVEL_INFO, "info");
	log_msg(&lg, LOG_LEVEL_DEBUG, "debug");
	ok(cap.count == 1 && strcmp(captured(&cap, 0), "info") == 0,
	   "default level INFO drops DEBUG");
	ok(log_level_on(ctx, LOG_LEVEL_INFO) && !log_level_on(ctx, LOG_LEVEL_DEBUG),
	   "log_level_on at INFO");

	log_set_level(ctx, LOG_LEVEL_WARN);
	capture_reset(&cap);
	log_msg(&lg, LOG_LEVEL_NOTICE, "notice");
	log_msg(&lg, LOG_LEVEL_WARN, "warn");
	log_msg(&lg, LOG_LEVEL_ERR, "err");
	ok(cap.count == 2 && strcmp(captured(&cap, 1), "warn") == 0 &&
	   strcmp(captured(&cap, 0), "err") == 0,
	   "at WARN: NOTICE dropped, WARN and ERR kept");
	log_via_va_list(&lg, LOG_LEVEL_INFO, "dropped %d", 1);
	log_via_va_list(&lg, LOG_LEVEL_ERR, "kept %d", 2);
	is_str(captured(&cap, 0), "kept 2", "log_vmsg formats and filters the same way");
	is_uint(cap.count, 3, "log_vmsg dropped the INFO line");

	log_set_level(ctx, LOG_LEVEL_DEBUG);
	log_msg(&lg, LOG_LEVEL_DEBUG, "debug");
	is_str(captured(&cap, 0), "debug", "at DEBUG everything passes");

	is_str(log_level_name(LOG_LEVEL_ERR), "ERR", "level name ERR");
	is_str(log_level_name(LOG_LEVEL_NOTICE), "NOTICE", "level name NOTICE");
	is_str(log_level_name(LOG_LEVEL_DEBUG), "DEBUG", "level name DEBUG");
	is_str(log_level_name((enum log_level)42), "?", "an out-of-range level is \"?\"");
	ok(log_level_parse("warn", &level) == 0 && level == LOG_LEVEL_WARN, "parse \"warn\"");
	ok(log_level_parse("Warning", &level) == 0 && level == LOG_LEVEL_WARN, "parse \"Warning\"");
	ok(log_level_parse("error", &level) == 0 && level == LOG_LEVEL_ERR, "parse \"error\"");
	ok(log_level_parse("INFO", &level) == 0 && level == LOG_LEVEL_INFO, "parse \"INFO\"");
	ok(log_level_parse("debug", &level) == 0 && level == LOG_LEVEL_DEBUG, "parse \"debug\"");
	level = LOG_LEVEL_NOTICE;
	ok(log_level_parse("loud", &level) == -EINVAL && level == LOG_LEVEL_NOTICE,
	   "an unknown level is -EINVAL");
	log_ctx_free(ctx);
}

static void test_line_shape(void)
{
	struct capture cap;
	struct log_ctx *ctx = make_ctx(NULL, &cap);
	struct logger lg;
	char big[2000];
	const char *line;

	if (!ok(ctx != NULL, "context for line shape"))
		return;
	logger_init(&lg, ctx, NULL, "#");
	log_msg(&lg, LOG_LEVEL_INFO, "two\nlines\r\tand a bell\a");
	is_str(captured(&cap, 0), "#1: two lines  and a bell ",
	       "control characters in the text become spaces");

	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	log_msg(&lg, LOG_LEVEL_INFO, "%s", big);
	line = captured(&cap, 0);
	is_uint(strlen(line), LOG_LINE_MAX - 1, "a long line is cut to LOG_LINE_MAX - 1");
	ok(strncmp(line, "#1: xxx", 7) == 0, "keeping its prefix");
	is_str(line + LOG_LINE_MAX - 4, "...", "and ends in \"...\"");

	memset(big, 'y', LOG_LINE_MAX - 1 - 4);
	big[LOG_LINE_MAX - 1 - 4] = '\0';
	log_msg(&lg, LOG_LEVEL_INFO, "%s", big);
	line = captured(&cap, 0);
	ok(strlen(line) == LOG_LINE_MAX - 1 && line[LOG_LINE_MAX - 2] == 'y',
	   "a line of exactly the maximum is not cut");

	log_msg(&lg, LOG_LEVEL_INFO, "%s", "%s %n");
	is_str(captured(&cap, 0), "#1: %s %n", "text is data, never a format");
	log_sink_callback(ctx, NULL, NULL);
	log_msg(&lg, LOG_LEVEL_INFO, "unheard");
	is_str(captured(&cap, 0), "#1: %s %n", "a removed callback sink gets nothing");
	log_ctx_free(ctx);
}

/* ----------------------------------------------------------- debug classes */

static void test_debug_classes(void)
{
	static const char *const classes[] = { "ike-wire", "ike-fsm", "l2tp-fsm" };
	struct capture cap;
	struct log_ctx *ctx = make_ctx(NULL, &cap);
	struct logger lg;
	char list[64];

	if (!ok(ctx != NULL, "context for debug classes"))
		return;
	log_debug_classes(ctx, classes, ARRAY_SIZE(classes));
	logger_init(&lg, ctx, NULL, "#");
	ok(!log_debug_on(ctx, 0) && !log_debug_on(ctx, 2), "every class starts off");
	log_dbg(&lg, 0, "packet %d", 1);
	is_uint(cap.count, 0, "log_dbg of an off class writes nothing");
	is_str(log_debug_list(ctx, list, sizeof list), "none", "log_debug_list: none");

	is_int(log_debug_set(ctx, "ike-wire"), 0, "turn ike-wire on at run time");
	ok(log_debug_on(ctx, 0) && !log_debug_on(ctx, 1), "only ike-wire is on");
	log_dbg(&lg, 0, "packet %d", 2);
	is_str(captured(&cap, 0), "#1: packet 2", "log_dbg of an on class writes, at level INFO");
	is_int(cap.level[0], LOG_LEVEL_DEBUG, "as a DEBUG line");
	log_dbg(&lg, 1, "fsm");
	is_uint(cap.count, 1, "another class stays quiet");

	is_int(log_debug_set(ctx, " ike-fsm , l2tp-fsm,,-ike-wire "), 0,
	       "a list with blanks, an empty item and a removal");
	ok(!log_debug_on(ctx, 0) && log_debug_on(ctx, 1) && log_debug_on(ctx, 2),
	   "applied left to right");
	is_str(log_debug_list(ctx, list, sizeof list), "ike-fsm,l2tp-fsm",
	       "log_debug_list names the on classes");
	is_str(log_debug_list(ctx, list, 12), "ike-fsm,...", "log_debug_list cuts with \"...\"");
	is_str(log_debug_list(ctx, list, 4), "...", "log_debug_list into 4 bytes");

	is_int(log_debug_set(ctx, "ike-fsm,bogus"), -EINVAL, "an unknown class is -EINVAL");
	ok(!log_debug_on(ctx, 0) && log_debug_on(ctx, 1) && log_debug_on(ctx, 2),
	   "with nothing changed");
	is_int(log_debug_set(ctx, "-"), -EINVAL, "a bare \"-\" is -EINVAL");
	is_int(log_debug_set(ctx, "-none"), -EINVAL, "\"-none\" is -EINVAL");
	is_int(log_debug_set(ctx, "ike"), -EINVAL, "a prefix of a name is not the name");

	is_int(log_debug_set(ctx, "all"), 0, "all");
	ok(log_debug_on(ctx, 0) && log_debug_on(ctx, 1) && log_debug_on(ctx, 2), "every class on");
	ok(!log_debug_on(ctx, 3) && !log_debug_on(ctx, 63) && !log_debug_on(ctx, 64),
	   "classes past the table stay off");
	is_int(log_debug_set(ctx, "all,-l2tp-fsm"), 0, "all but one");
	ok(log_debug_on(ctx, 0) && !log_debug_on(ctx, 2), "all but l2tp-fsm");
	is_int(log_debug_set(ctx, "none"), 0, "none");
	ok(!log_debug_on(ctx, 0) && !log_debug_on(ctx, 1), "every class off");
	is_int(log_debug_set(ctx, "ike-wire,-all"), 0, "-all");
	ok(!log_debug_on(ctx, 0), "-all turns everything off");
	is_int(log_debug_set(ctx, ""), 0, "an empty list changes nothing");
	log_ctx_free(ctx);
}

/* --------------------------------------------------------------- rate limit */

static void test_ratelimit(void)
{
	struct clock clock;
	struct capture cap;
	struct log_ctx *ctx;
	struct log_ratelimit rl;
	struct logger lg;

	clock_init_manual(&clock, 0);
	ctx = make_ctx(&clock, &cap);
	if (!ok(ctx != NULL, "context for the rate limiter"))
		return;
	logger_init_root(&lg, ctx, "packet from 192.0.2.7:500");
	log_ratelimit_init(&rl, 1000, 3);

	for (int i = 0; i < 10; i++)
		log_rl(&lg, &rl, LOG_LEVEL_WARN, "malformed packet %d", i);
	is_uint(cap.count, 3, "a burst of 3 per interval");
	is_str(captured(&cap, 0), "packet from 192.0.2.7:500: malformed packet 2",
	       "the first three got through");

	clock_advance(&clock, 999);
	log_rl(&lg, &rl, LOG_LEVEL_WARN, "malformed packet %d", 10);
	is_uint(cap.count, 3, "still suppressed 1 ms before the interval ends");

	clock_advance(&clock, 1);
	log_rl(&lg, &rl, LOG_LEVEL_WARN, "malformed packet %d", 11);
	is_uint(cap.count, 5, "a new interval: the suppression count, then the line");
	is_str(captured(&cap, 1), "packet from 192.0.2.7:500: 8 similar lines suppressed",
	       "8 similar lines suppressed");
	is_int(cap.level[3], LOG_LEVEL_WARN, "at the line's level");
	is_str(captured(&cap, 0), "packet from 192.0.2.7:500: malformed packet 11",
	       "then the line");

	clock_advance(&clock, 5000);
	log_rl(&lg, &rl, LOG_LEVEL_WARN, "quiet %d", 1);
	is_uint(cap.count, 6, "no suppression line when nothing was suppressed");
	is_str(captured(&cap, 0), "packet from 192.0.2.7:500: quiet 1", "just the line");

	log_ratelimit_init(&rl, 1000, 1);
	log_rl(&lg, &rl, LOG_LEVEL_DEBUG, "below the level");
	log_rl(&lg, &rl, LOG_LEVEL_WARN, "counted");
	ok(cap.count == 7 && strcmp(captured(&cap, 0), "packet from 192.0.2.7:500: counted") == 0,
	   "a line the level drops does not use the burst");
	log_ctx_free(ctx);
}

/* ---------------------------------------------------------------- sanitizer */

static void test_sanitize(void)
{
	char out[LOG_SANITIZE_MAX], small[8];

	is_str(log_sanitize(out, sizeof out, "WIN-PC", 6), "WIN-PC", "printable ASCII stays");
	is_str(log_sanitize(out, sizeof out, "a\"b\\c", 5), "a\\\"b\\\\c",
	       "quote and backslash are escaped");
	is_str(log_sanitize(out, sizeof out, "\n\r\t\x1b[31m", 8), "\\x0a\\x0d\\x09\\x1b[31m",
	       "control characters as \\xNN");
	is_str(log_sanitize(out, sizeof out, "\x7f\x80\xff", 3), "\\x7f\\x80\\xff",
	       "DEL and high bytes as \\xNN");
	is_str(log_sanitize(out, sizeof out, "a\0b", 3), "a\\x00b",
	       "an embedded NUL is shown, not an end");
	is_str(log_sanitize(out, sizeof out, NULL, 0), "", "nothing in, empty string out");

	is_str(log_sanitize(small, sizeof small, "abcdefg", 7), "abcdefg",
	       "exact fit: 7 chars in 8 bytes, no cut");
	is_str(log_sanitize(small, sizeof small, "abcdefgh", 8), "abcd...",
	       "one too many: cut with \"...\"");
	is_str(log_sanitize(small, sizeof small, "abc\"", 4), "abc\\\"", "an escape that fits");
	is_str(log_sanitize(small, sizeof small, "abc\"\"", 5), "abc\\\"\\\"",
	       "escapes filling exactly 7");
	is_str(log_sanitize(small, sizeof small, "ab\"\"\"x", 6), "ab\\\"...",
	       "cut between escapes, never inside one");
	is_str(log_sanitize(small, sizeof small, "a\x01\x02", 3), "a...",
	       "a \\xNN that does not fit before the dots is dropped whole");
	is_str(log_sanitize(small, 4, "abcd", 4), "...", "4 bytes: only the dots");
	is_str(log_sanitize(small, 4, "abc", 3), "abc", "4 bytes, 3 chars: fits");
	is_str(log_sanitize(small, 3, "abc", 3), "..",
	       "a buffer smaller than the dots still ends in a NUL");
	is_str(log_sanitize(small, 1, "abc", 3), "", "1 byte: the empty string");
	small[0] = 'Z';
	log_sanitize(small, 0, "abc", 3);
	is_int(small[0], 'Z', "0 bytes: nothing written");
}

/* ------------------------------------------------------------------- sinks */

static char *read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	buf[0] = '\0';
	if (fd < 0)
		return buf;
	n = read(fd, buf, size - 1);
	buf[n > 0 ? n : 0] = '\0';
	close(fd);
	return buf;
}

static void test_file_sink(void)
{
	char dir[] = "/tmp/l2tpsec-log-test.XXXXXX";
	char path[128], rotated[128], moved[128], text[4096];
	struct clock clock;
	struct capture cap;
	struct log_ctx *ctx;
	struct logger lg;
	struct stat st;

	clock_init_manual(&clock, 1234);
	ctx = make_ctx(&clock, &cap);
	if (!ok(ctx != NULL && mkdtemp(dir) != NULL, "context and a scratch directory"))
		return;
	snprintf(path, sizeof path, "%s/l2tpsec.log", dir);
	snprintf(rotated, sizeof rotated, "%s/l2tpsec.log.1", dir);
	snprintf(moved, sizeof moved, "%s/l2tpsec.log.2", dir);
	logger_init(&lg, ctx, NULL, "#");

	is_int(log_sink_file_reopen(ctx), 0, "reopen without a file sink is a no-op");
	is_int(log_sink_file(ctx, path), 0, "log_sink_file");
	log_msg(&lg, LOG_LEVEL_NOTICE, "responding to Main Mode");
	clock_advance(&clock, 60 * 1000 + 5);
	log_msg(&lg, LOG_LEVEL_ERR, "gone");
	is_str(read_file(path, text, sizeof text),
	       "2026-01-01 00:00:01.234 NOTICE #1: responding to Main Mode\n"
	       "2026-01-01 00:01:01.239 ERR    #1: gone\n",
	       "file lines: local time from the clock, padded level, prefix, text, newline");
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == (0640 & ~(mode_t)022),
	   "created 0640 (less the umask)");

	ok(rename(path, rotated) == 0, "logrotate moves the file");
	log_msg(&lg, LOG_LEVEL_INFO, "still to the old file");
	is_int(log_sink_file_reopen(ctx), 0, "log_sink_file_reopen");
	log_msg(&lg, LOG_LEVEL_INFO, "to the new file");
	is_str(read_file(path, text, sizeof text),
	       "2026-01-01 00:01:01.239 INFO   #1: to the new file\n",
	       "after reopen, lines go to a new file at the path");
	ok(strstr(read_file(rotated, text, sizeof text), "still to the old file") != NULL,
	   "the line before reopen is in the rotated file");

	is_int(log_sink_file(ctx, "/nonexistent-dir/l2tpsec.log"), -ENOENT,
	       "a path that cannot be opened is -ENOENT");
	log_msg(&lg, LOG_LEVEL_INFO, "old sink kept");
	ok(strstr(read_file(path, text, sizeof text), "old sink kept") != NULL,
	   "and the previous file sink stays");
	/* A directory where the file was: open() fails with EISDIR, even for root. */
	ok(rename(path, moved) == 0 && mkdir(path, 0700) == 0,
	   "a directory takes the log file's place");
	is_int(log_sink_file_reopen(ctx), -EISDIR, "a failed reopen is -errno");
	log_msg(&lg, LOG_LEVEL_INFO, "after a failed reopen");
	ok(strstr(read_file(moved, text, sizeof text), "after a failed reopen") != NULL,
	   "a failed reopen keeps writing to the file it had");
	ok(rmdir(path) == 0, "the directory goes again");

	is_int(log_sink_file(ctx, path), 0, "log_sink_file again replaces the sink");
	is_int(log_sink_file(ctx, NULL), 0, "log_sink_file(NULL) closes it");
	log_msg(&lg, LOG_LEVEL_INFO, "nowhere");
	ok(strstr(read_file(path, text, sizeof text), "nowhere") == NULL,
	   "nothing written after closing");
	is_int(log_sink_file_reopen(ctx), 0, "reopen after closing is a no-op");
	is_uint(cap.count, 7, "the callback sink saw every line meanwhile");

	is_int(log_sink_file(ctx, path), 0, "a file sink left open at free");
	log_ctx_free(ctx);
	unlink(path);
	unlink(rotated);
	unlink(moved);
	rmdir(dir);
}

static void test_stderr_sink(void)
{
	char path[] = "/tmp/l2tpsec-stderr-test.XXXXXX";
	char text[512];
	struct clock clock;
	struct capture cap;
	struct log_ctx *ctx;
	struct logger lg, child;
	int saved, capture_fd;

	clock_init_manual(&clock, 3600 * 1000 + 7);
	ctx = make_ctx(&clock, &cap);
	capture_fd = mkstemp(path);
	saved = dup(STDERR_FILENO);
	if (!ok(ctx != NULL && capture_fd >= 0 && saved >= 0,
		"context and a file standing in for stderr"))
		return;
	fflush(stderr);
	dup2(capture_fd, STDERR_FILENO);
	logger_init(&lg, ctx, NULL, "#");
	logger_init(&child, ctx, &lg, "tun#");
	is_int(log_sink_stderr(ctx, true), 0, "log_sink_stderr on");
	log_msg(&child, LOG_LEVEL_WARN, "HELLO timed out");
	is_int(log_sink_stderr(ctx, false), 0, "log_sink_stderr off");
	log_msg(&child, LOG_LEVEL_WARN, "not on stderr");
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(capture_fd);
	is_str(read_file(path, text, sizeof text),
	       "2026-01-01 01:00:00.007 WARN   #1 tun#1: HELLO timed out\n", "the stderr line");
	unlink(path);
	log_ctx_free(ctx);
}

static void test_syslog_sink(void)
{
	struct capture cap;
	struct log_ctx *ctx = make_ctx(NULL, &cap);
	struct logger lg;

	if (!ok(ctx != NULL, "context for syslog"))
		return;
	logger_init_root(&lg, ctx, "log_test");
	is_int(log_sink_syslog(ctx, "l2tpsec-log-test", LOG_USER), 0, "log_sink_syslog opens");
	is_int(log_sink_syslog(ctx, "l2tpsec-log-test2", LOG_USER), 0,
	       "log_sink_syslog again replaces the ident");
	log_msg(&lg, LOG_LEVEL_DEBUG, "dropped by the level before syslog");
	is_uint(cap.count, 0, "nothing logged below the level");
	is_int(log_sink_syslog(ctx, NULL, 0), 0, "log_sink_syslog(NULL) closes");
	is_int(log_sink_syslog(ctx, NULL, 0), 0, "closing twice is harmless");
	is_int(log_sink_syslog(ctx, "l2tpsec-log-test", LOG_USER), 0, "left open at free");
	log_ctx_free(ctx);
}

/* -------------------------------------------------------------------- OOM */

static void test_oom(void)
{
	char path[] = "/tmp/l2tpsec-oom-test.XXXXXX";
	struct log_ctx *ctx = NULL;
	unsigned long n;
	unsigned failed_cleanly = 0;
	int fd = mkstemp(path);

	ok(fd >= 0, "scratch file");
	close(fd);
	for (n = 1; n < 100; n++) {
		int rc_file, rc_syslog;

		alloc_fail_at(n);
		ctx = log_ctx_new(NULL);
		if (ctx == NULL) {
			alloc_fail_at(0);
			failed_cleanly++;
			continue;
		}
		rc_file = log_sink_file(ctx, path);
		rc_syslog = log_sink_syslog(ctx, "l2tpsec-oom", LOG_USER);
		alloc_fail_at(0);
		if (rc_file == 0 && rc_syslog == 0)
			break;
		if ((rc_file == 0 || rc_file == -ENOMEM) &&
		    (rc_syslog == 0 || rc_syslog == -ENOMEM))
			failed_cleanly++;
		log_ctx_free(ctx);
		ctx = NULL;
	}
	ok(ctx != NULL, "log_ctx_new and its sinks succeed once the injected failure is past them");
	is_uint(failed_cleanly, n - 1,
		"every earlier failure was NULL or -ENOMEM (ASan checks for leaks)");
	ok(n > 3, "the walk reached all three allocations (%lu)", n);
	log_ctx_free(ctx);
	unlink(path);
}

int main(void)
{
	/* Timestamps are local time: pin the zone so the expected lines hold anywhere. */
	setenv("TZ", "UTC", 1);
	tzset();
	umask(022);
	test_prefixes();
	test_levels();
	test_line_shape();
	test_debug_classes();
	test_ratelimit();
	test_sanitize();
	test_file_sink();
	test_stderr_sink();
	test_syslog_sink();
	test_oom();
	return tap_done();
}
