/*
 * logview_test.c - the log viewer: line parser, option parsers, splitter,
 * and chain following on the recorded server logs of tests/data/logs/
 * (see the README there), both ways of feeding (whole input; line by line
 * as -f does), plus hand-written logs for what the recordings lack (two
 * connections of one user, a user who only failed, escaped names).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/logview.h"
#include "lib/alloc.h"
#include "tests/harness/tap.h"

/* ----------------------------------------------------------- inputs */

enum { INPUT_LINES_MAX = 4096 };

/* A log as lines (each NUL-terminated, no newline). */
struct input {
	size_t count;
	char *lines[INPUT_LINES_MAX];
};

static int input_add(void *arg, const char *text, size_t length)
{
	struct input *in = arg;
	char *copy;

	if (in->count == INPUT_LINES_MAX)
		return -1;
	copy = alloc_zero(length + 1);
	if (copy == NULL)
		return -1;
	memcpy(copy, text, length);
	in->lines[in->count++] = copy;
	return 0;
}

/* Appends the lines of tests/data/logs/name to in. */
static bool input_load(struct input *in, const char *name)
{
	const char *top = getenv("top_srcdir");
	struct logview_splitter splitter;
	char path[1024], buf[4096];
	size_t n;
	FILE *f;
	int rc = 0;

	snprintf(path, sizeof path, "%s/tests/data/logs/%s", top ? top : ".", name);
	f = fopen(path, "r");
	if (f == NULL) {
		tap_diag("cannot open %s", path);
		return false;
	}
	logview_splitter_init(&splitter);
	while (rc == 0 && (n = fread(buf, 1, sizeof buf, f)) > 0)
		rc = logview_splitter_feed(&splitter, buf, n, input_add, in);
	if (rc == 0)
		rc = logview_splitter_finish(&splitter, input_add, in);
	fclose(f);
	return rc == 0;
}

static void input_text(struct input *in, const char *const *lines, size_t count)
{
	for (size_t i = 0; i < count; i++)
		if (input_add(in, lines[i], strlen(lines[i])) != 0)
			abort();
}

static void input_free(struct input *in)
{
	for (size_t i = 0; i < in->count; i++)
		alloc_free(in->lines[i]);
	in->count = 0;
}

/* What a view emitted. */
struct output {
	struct input lines;
	uint64_t chains[INPUT_LINES_MAX];
};

static void output_emit(void *arg, const struct logview_line *line, uint64_t chain)
{
	struct output *out = arg;

	if (out->lines.count < INPUT_LINES_MAX)
		out->chains[out->lines.count] = chain;
	if (input_add(&out->lines, line->text, line->length) != 0)
		abort();
}

/* How many emitted lines contain needle. */
static size_t output_grep(const struct output *out, const char *needle)
{
	size_t n = 0;

	for (size_t i = 0; i < out->lines.count; i++)
		n += strstr(out->lines.lines[i], needle) != NULL;
	return n;
}

/* Index of the first emitted line containing needle, or -1. */
static long output_find(const struct output *out, const char *needle)
{
	for (size_t i = 0; i < out->lines.count; i++)
		if (strstr(out->lines.lines[i], needle))
			return (long)i;
	return -1;
}

/* Learn + select over the whole input. */
static void run_whole(const struct logview_filter *filter, const struct input *in,
		      struct output *out)
{
	struct logview *view = logview_new(filter);
	int rc = 0;

	memset(out, 0, sizeof *out);
	if (view == NULL)
		abort();
	for (size_t i = 0; i < in->count; i++)
		rc |= logview_learn(view, in->lines[i], strlen(in->lines[i]));
	for (size_t i = 0; i < in->count; i++)
		rc |= logview_select(view, in->lines[i], strlen(in->lines[i]), output_emit, out);
	if (rc != 0 || logview_emitted(view) != out->lines.count)
		abort();
	logview_free(view);
}

/* Line by line, as -f does with nothing learned beforehand. */
static void run_follow(const struct logview_filter *filter, const struct input *in,
		       struct output *out)
{
	struct logview *view = logview_new(filter);

	memset(out, 0, sizeof *out);
	if (view == NULL)
		abort();
	for (size_t i = 0; i < in->count; i++)
		if (logview_follow(view, in->lines[i], strlen(in->lines[i]), output_emit, out) != 0)
			abort();
	logview_free(view);
}

static bool input_same(const struct input *a, const struct input *b)
{
	if (a->count != b->count)
		return false;
	for (size_t i = 0; i < a->count; i++)
		if (strcmp(a->lines[i], b->lines[i]) != 0)
			return false;
	return true;
}

static bool output_same(const struct output *a, const struct output *b)
{
	return input_same(&a->lines, &b->lines);
}

static void output_free(struct output *out)
{
	input_free(&out->lines);
}

static struct logview_filter filter_user(const char *user)
{
	struct logview_filter f = { .kind = LOGVIEW_FILTER_USER, .user = user };

	return f;
}

static struct logview_filter filter_peer(const char *addr)
{
	struct logview_filter f = { .kind = LOGVIEW_FILTER_PEER };

	if (!netaddr_parse(&f.peer, addr, 0))
		abort();
	return f;
}

static struct logview_filter filter_serial(const char *serial)
{
	struct logview_filter f = { .kind = LOGVIEW_FILTER_SERIAL };

	if (logview_serial_parse(&f.serial, serial) != 0)
		abort();
	return f;
}

/* Runs both ways; checks they agree and that the count is expected. */
static void check_chain(const char *what, const struct logview_filter *filter,
			const struct input *in, size_t expected, struct output *out)
{
	struct output live;

	run_whole(filter, in, out);
	run_follow(filter, in, &live);
	is_int(out->lines.count, expected, "%s: %zu lines", what, expected);
	ok(output_same(out, &live), "%s: -f emits the same lines in the same order", what);
	output_free(&live);
}

/* ----------------------------------------------------------- the parser */

static void test_parse(void)
{
	static const char *const levels[] = { "ERR", "WARN", "NOTICE", "INFO", "DEBUG" };
	struct logview_line line;
	char text[256];
	const char *s;

	ok(!logview_line_parse(&line, "", 0), "empty line: not ours");
	is_int(line.message_length, 0, "empty line: empty message");
	is_int(line.path_length, 0, "empty line: no path");

	s = "2026-11-28 07:46:23.098 INFO";
	ok(!logview_line_parse(&line, s, strlen(s)), "time and level but no space after: not ours");
	s = "2026-11-28 07:46:23.098 INFO ";
	ok(logview_line_parse(&line, s, strlen(s)), "time, level, nothing else: ours");
	is_int(line.message_length, 0, "  empty message");
	s = "2026-11-28 07:46:23.09";
	ok(!logview_line_parse(&line, s, strlen(s) - 1), "cut in the time: not ours");
	s = "2026-13-28 07:46:23.098 INFO   x";
	ok(!logview_line_parse(&line, s, strlen(s)), "month 13: not ours");
	s = "2026-11-28 07:46:23.098 LOUD   x";
	ok(!logview_line_parse(&line, s, strlen(s)), "unknown level: not ours");
	s = "\x01\xff garbage \"\\x";
	ok(!logview_line_parse(&line, s, strlen(s)), "garbage: not ours");
	ok(line.message == s && line.message_length == strlen(s), "  its message is the text");

	for (size_t i = 0; i < ARRAY_SIZE(levels); i++) {
		snprintf(text, sizeof text, "2026-11-28 07:46:23.098 %-6s #7: hello", levels[i]);
		ok(logview_line_parse(&line, text, strlen(text)) && line.has_level &&
		   line.level == (enum log_level)i && line.format == LOGVIEW_FORMAT_FILE,
		   "level %s", levels[i]);
	}

	s = "2026-11-28 07:46:23.663 NOTICE #2 tun#1 ses#1 ppp#1: user \"testuser\" authenticated";
	ok(logview_line_parse(&line, s, strlen(s)), "a full prefix");
	is_int(line.path_length, 4, "  four serials");
	ok(strcmp(line.path[0].kind, "") == 0 && line.path[0].serial == 2, "  #2");
	ok(strcmp(line.path[1].kind, "tun") == 0 && line.path[1].serial == 1, "  tun#1");
	ok(strcmp(line.path[3].kind, "ppp") == 0 && line.path[3].serial == 1, "  ppp#1");
	is_int(line.prefix_length, strlen("#2 tun#1 ses#1 ppp#1"), "  prefix length");
	ok(strncmp(line.message, "user \"testuser\"", 15) == 0, "  message after the prefix");
	is_int(line.time_length, 23, "  time as written");
	is_int(line.time_ms, logview_time_ms(2026, 11, 28, 7, 46, 23, 663), "  time in ms");

	s = "2026-11-28 07:46:23.113 INFO   packet from 192.0.2.2:500: ignoring Vendor ID payload";
	ok(logview_line_parse(&line, s, strlen(s)) && line.path_length == 0 &&
	   line.prefix_length == 0 && strncmp(line.message, "packet from", 11) == 0,
	   "no prefix: the message is the rest");
	s = "2026-11-28 07:46:23.113 INFO   #5:no space";
	ok(logview_line_parse(&line, s, strlen(s)) && line.path_length == 0, "\"#5:\" is no prefix");
	s = "2026-11-28 07:46:23.113 INFO   tun#: x";
	ok(logview_line_parse(&line, s, strlen(s)) && line.path_length == 0, "\"tun#\" is no prefix");
	s = "2026-11-28 07:46:23.113 INFO   #99999999999999999999: x";
	ok(logview_line_parse(&line, s, strlen(s)) && line.path_length == 0,
	   "a serial past 2^64 is no prefix");
	s = "2026-11-28 07:46:23.113 INFO   #1 a#1 b#1 c#1 d#1 e#1 f#1 g#1: x";
	ok(logview_line_parse(&line, s, strlen(s)) && line.path_length == LOGVIEW_PATH_MAX,
	   "LOGVIEW_PATH_MAX serials: a prefix");
	s = "2026-11-28 07:46:23.113 INFO   #1 a#1 b#1 c#1 d#1 e#1 f#1 g#1 h#1: x";
	ok(logview_line_parse(&line, s, strlen(s)) && line.path_length == 0,
	   "one serial more: no prefix");
	s = "2026-11-28 07:46:23.113 INFO   abcdefgh#1: x";
	ok(logview_line_parse(&line, s, strlen(s)) && line.path_length == 0,
	   "a kind of 8 letters: no prefix");
	s = "2026-11-28 07:46:23.113 INFO   #1 tun#1";
	ok(logview_line_parse(&line, s, strlen(s)) && line.path_length == 0,
	   "serials without \": \": no prefix");

	s = "2026-11-28T07:46:23.098765+00:00 vpn l2tpsecd[583]: #2 tun#1: L2TP tunnel established";
	ok(logview_line_parse(&line, s, strlen(s)) && line.format == LOGVIEW_FORMAT_JOURNAL,
	   "journal line");
	ok(!line.has_level, "  no level");
	is_int(line.path_length, 2, "  its prefix");
	is_int(line.time_ms, logview_time_ms(2026, 11, 28, 7, 46, 23, 98), "  its time");
	is_int(line.time_length, strlen("2026-11-28T07:46:23.098765+00:00"), "  time as written");
	s = "2026-11-28T07:46:23+0000 vpn l2tpsecd[583]: packet from 192.0.2.2:500: x";
	ok(logview_line_parse(&line, s, strlen(s)) && line.path_length == 0 &&
	   strncmp(line.message, "packet from", 11) == 0, "journal line without fraction");
	s = "2026-11-28T07:46:23.098765+00:00 vpn";
	ok(!logview_line_parse(&line, s, strlen(s)), "journal line without ident: not ours");
	s = "-- Boot 0123456789abcdef --";
	ok(!logview_line_parse(&line, s, strlen(s)), "journal boot marker: not ours");
}

static void test_options(void)
{
	struct logview_serial serial;
	int64_t now = logview_time_ms(2026, 11, 28, 9, 30, 15, 250), t;

	ok(logview_serial_parse(&serial, "5") == 0 && serial.serial == 5 && serial.kind[0] == 0,
	   "serial 5");
	ok(logview_serial_parse(&serial, "#5") == 0 && serial.serial == 5 && serial.kind[0] == 0,
	   "serial #5");
	ok(logview_serial_parse(&serial, "tun#3") == 0 && serial.serial == 3 &&
	   strcmp(serial.kind, "tun") == 0, "serial tun#3");
	ok(logview_serial_parse(&serial, "ppp#7") == 0 && strcmp(serial.kind, "ppp") == 0,
	   "serial ppp#7");
	ok(logview_serial_parse(&serial, "") == -EINVAL, "empty serial refused");
	ok(logview_serial_parse(&serial, "#0") == -EINVAL, "serial 0 refused");
	ok(logview_serial_parse(&serial, "tun3") == -EINVAL, "tun3 refused");
	ok(logview_serial_parse(&serial, "TUN#3") == -EINVAL, "TUN#3 refused");
	ok(logview_serial_parse(&serial, "#5x") == -EINVAL, "#5x refused");
	ok(logview_serial_parse(&serial, "abcdefgh#1") == -EINVAL, "kind too long refused");
	ok(logview_serial_parse(&serial, "#99999999999999999999") == -EINVAL, "overflow refused");

	ok(logview_time_parse("2026-11-28 07:44", now, &t) == 0 &&
	   t == logview_time_ms(2026, 11, 28, 7, 44, 0, 0), "since a date and time");
	ok(logview_time_parse("2026-11-27 23:59:30", now, &t) == 0 &&
	   t == logview_time_ms(2026, 11, 27, 23, 59, 30, 0), "since with seconds");
	ok(logview_time_parse("2026-11-28", now, &t) == 0 &&
	   t == logview_time_ms(2026, 11, 28, 0, 0, 0, 0), "since a day");
	ok(logview_time_parse("07:44", now, &t) == 0 &&
	   t == logview_time_ms(2026, 11, 28, 7, 44, 0, 0), "since 07:44 today");
	ok(logview_time_parse("07:44:05", now, &t) == 0 &&
	   t == logview_time_ms(2026, 11, 28, 7, 44, 5, 0), "since 07:44:05 today");
	ok(logview_time_parse("-10m", now, &t) == 0 && t == now - 600000, "since -10m");
	ok(logview_time_parse("-2h", now, &t) == 0 && t == now - 7200000, "since -2h");
	ok(logview_time_parse("-30s", now, &t) == 0 && t == now - 30000, "since -30s");
	ok(logview_time_parse("-1d", now, &t) == 0 && t == now - 86400000, "since -1d");
	ok(logview_time_parse("-10", now, &t) == -EINVAL, "-10 without unit refused");
	ok(logview_time_parse("-10w", now, &t) == -EINVAL, "-10w refused");
	ok(logview_time_parse("-m", now, &t) == -EINVAL, "-m refused");
	ok(logview_time_parse("-99999999999999999999m", now, &t) == -EINVAL, "huge refused");
	ok(logview_time_parse("25:00", now, &t) == -EINVAL, "25:00 refused");
	ok(logview_time_parse("7:44", now, &t) == -EINVAL, "7:44 refused");
	ok(logview_time_parse("2026-11-28 07:44 ", now, &t) == -EINVAL, "trailing blank refused");
	ok(logview_time_parse("2026-11-28T07:44", now, &t) == -EINVAL, "T refused");
	ok(logview_time_parse("", now, &t) == -EINVAL, "empty refused");
	ok(logview_time_parse("yesterday", now, &t) == -EINVAL, "words refused");
}

static int splitter_collect(void *arg, const char *text, size_t length)
{
	return input_add(arg, text, length);
}

static int splitter_stop(void *arg, const char *text, size_t length)
{
	(void)arg;
	(void)text;
	(void)length;
	return 7;
}

static void test_splitter(void)
{
	struct logview_splitter *splitter = alloc_zero(sizeof *splitter);
	struct input in = { 0 };
	char *big = alloc_zero(3 * LOGVIEW_LINE_MAX);
	int rc;

	if (splitter == NULL || big == NULL)
		abort();
	logview_splitter_init(splitter);
	rc = logview_splitter_feed(splitter, "one\ntw", 6, splitter_collect, &in);
	rc |= logview_splitter_feed(splitter, "o\r\n\nthree", 9, splitter_collect, &in);
	is_int(rc, 0, "splitter: fed in pieces");
	is_int(in.count, 3, "splitter: three complete lines");
	ok(in.count == 3 && strcmp(in.lines[0], "one") == 0 && strcmp(in.lines[1], "two") == 0 &&
	   in.lines[2][0] == 0, "splitter: the pieces joined, \\r dropped, an empty line kept");
	is_int(splitter->pending, 5, "splitter: \"three\" pending");
	rc = logview_splitter_finish(splitter, splitter_collect, &in);
	ok(rc == 0 && in.count == 4 && strcmp(in.lines[3], "three") == 0,
	   "splitter: finish hands out the unfinished line");
	ok(logview_splitter_finish(splitter, splitter_collect, &in) == 0 && in.count == 4,
	   "splitter: finish twice gives nothing more");
	input_free(&in);

	memset(big, 'x', 3 * LOGVIEW_LINE_MAX);
	big[LOGVIEW_LINE_MAX - 1] = '\n';               /* exactly the longest line */
	big[3 * LOGVIEW_LINE_MAX - 1] = '\n';           /* an overlong one */
	rc = logview_splitter_feed(splitter, big, 3 * LOGVIEW_LINE_MAX, splitter_collect, &in);
	ok(rc == 0 && in.count == 2, "splitter: the longest line and an overlong one");
	ok(in.count == 2 && strlen(in.lines[0]) == LOGVIEW_LINE_MAX - 1,
	   "splitter: the longest line whole");
	ok(in.count == 2 && strlen(in.lines[1]) == LOGVIEW_LINE_MAX - 1,
	   "splitter: the overlong line cut");
	input_free(&in);

	rc = logview_splitter_feed(splitter, "a\nb\n", 4, splitter_stop, NULL);
	is_int(rc, 7, "splitter: the callback's result stops it");

	alloc_free(big);
	alloc_free(splitter);
}

/* ---------------------------------------------------- recorded logs */

static void test_winxp_direct(void)
{
	struct input in = { 0 };
	struct output out, all;
	struct logview_filter f;

	ok(input_load(&in, "l2tp-winxp-direct.log"), "load l2tp-winxp-direct.log");
	f = filter_user("testuser");
	check_chain("winxp-direct --user testuser", &f, &in, 54, &out);
	ok(out.lines.count > 0 &&
	   strstr(out.lines.lines[0], "#1: responding to Main Mode from unknown peer 192.0.2.2"),
	   "  starts with the Main Mode, logged before the name was known");
	is_int(output_grep(&out, "packet from 192.0.2.2:500: "), 5, "  its 5 Vendor ID lines");
	is_int(output_grep(&out, "#2: IPsec SA established"), 1, "  the IPsec SA");
	is_int(output_grep(&out, "#2 tun#1: L2TP tunnel established"), 1, "  the tunnel");
	is_int(output_grep(&out, "user \"testuser\" authenticated (MS-CHAPv2)"), 1, "  the user");
	is_int(output_grep(&out, "pppd exited (killed by signal 9 (KILL))"), 1, "  pppd's end");
	is_int(output_grep(&out, "starting (pid"), 0, "  not the daemon's start");
	is_int(output_grep(&out, "data message from"), 0, "  not the unprefixed L2TP lines");
	ok(out.lines.count == 54 && out.chains[0] == 1 && out.chains[53] == 1,
	   "  chain #1 on every line");
	output_free(&out);

	f = filter_user("TESTUSER");
	check_chain("winxp-direct --user TESTUSER (any case)", &f, &in, 54, &out);
	output_free(&out);
	f = filter_user("testuse");
	check_chain("winxp-direct --user testuse (a prefix of the name)", &f, &in, 0, &out);
	output_free(&out);

	f = (struct logview_filter){ .kind = LOGVIEW_FILTER_ALL };
	check_chain("winxp-direct, no filter", &f, &in, in.count, &all);
	ok(input_same(&all.lines, &in), "  every line, as it is");
	is_int(all.chains[0], 0, "  the start line has no chain");
	output_free(&all);

	f = filter_peer("192.0.2.2");
	check_chain("winxp-direct --peer 192.0.2.2", &f, &in, 54, &out);
	output_free(&out);
	f = filter_peer("192.0.2.3");
	check_chain("winxp-direct --peer 192.0.2.3", &f, &in, 0, &out);
	output_free(&out);

	f = filter_serial("#1");
	check_chain("winxp-direct --serial #1 (ISAKMP SA)", &f, &in, 54, &out);
	output_free(&out);
	f = filter_serial("2");
	check_chain("winxp-direct --serial 2 (IPsec SA)", &f, &in, 54, &out);
	output_free(&out);
	f = filter_serial("tun#1");
	check_chain("winxp-direct --serial tun#1", &f, &in, 54, &out);
	output_free(&out);
	f = filter_serial("ppp#1");
	check_chain("winxp-direct --serial ppp#1", &f, &in, 54, &out);
	output_free(&out);
	f = filter_serial("ses#2");
	check_chain("winxp-direct --serial ses#2 (none)", &f, &in, 0, &out);
	output_free(&out);

	/* --since cuts lines, not chains */
	f = filter_user("testuser");
	f.has_since = true;
	f.since_ms = logview_time_ms(2026, 11, 28, 7, 46, 25, 0);
	check_chain("winxp-direct --user testuser --since 07:46:25", &f, &in, 15, &out);
	ok(out.lines.count > 0 && strstr(out.lines.lines[0], "StopCCN received"),
	   "  from the first line at or after the time");
	output_free(&out);
	f = (struct logview_filter){ .kind = LOGVIEW_FILTER_ALL, .has_since = true };
	f.since_ms = logview_time_ms(2026, 11, 28, 7, 46, 32, 0);
	check_chain("winxp-direct --since 07:46:32", &f, &in, 4, &out);
	output_free(&out);
	input_free(&in);
}

static void test_wrong_password(void)
{
	struct input in = { 0 };
	struct output out;
	struct logview_filter f;

	ok(input_load(&in, "l2tp-wrong-password.log"), "load l2tp-wrong-password.log");
	f = filter_user("alice");
	check_chain("wrong-password --user alice", &f, &in, 55, &out);
	is_int(output_grep(&out, "192.0.2.12"), 0, "  none of mallory's peer");
	is_int(output_grep(&out, "#3"), 0, "  none of mallory's ISAKMP SA");
	is_int(output_grep(&out, "#4"), 0, "  none of mallory's IPsec SA");
	is_int(output_grep(&out, "mallory"), 0, "  no line naming mallory");
	is_int(output_grep(&out, "packet from 192.0.2.11:500"), 5, "  alice's Vendor IDs");
	ok(output_find(&out, "#2 tun#1 ses#1 ppp#1: pppd exited (exited with status 16 (hangup))") ==
	   54, "  ends with alice's pppd exiting");
	output_free(&out);

	f = filter_user("mallory");
	check_chain("wrong-password --user mallory (failed only)", &f, &in, 48, &out);
	ok(out.lines.count > 0 &&
	   strstr(out.lines.lines[0], "#3: responding to Main Mode from unknown peer 192.0.2.12"),
	   "  starts with mallory's Main Mode");
	is_int(output_grep(&out, "user \"mallory\": authentication failed (MS-CHAPv2): wrong password"),
	       1, "  the reason");
	is_int(output_grep(&out, "#4 tun#2: L2TP tunnel closed (StopCCN acknowledged)"), 1,
	       "  the tunnel's end");
	is_int(output_grep(&out, "#3: received Delete SA payload: deleting ISAKMP State #3"), 1,
	       "  the ISAKMP SA's end");
	is_int(output_grep(&out, "192.0.2.11"), 0, "  none of alice's peer");
	is_int(output_grep(&out, "alice"), 0, "  no line naming alice");
	ok(out.lines.count == 48 && out.chains[0] == 3 && out.chains[47] == 3, "  chain #3");
	output_free(&out);

	f = filter_peer("192.0.2.12");
	check_chain("wrong-password --peer 192.0.2.12", &f, &in, 48, &out);
	output_free(&out);
	f = filter_serial("#4");
	check_chain("wrong-password --serial #4", &f, &in, 48, &out);
	output_free(&out);
	f = filter_serial("ses#1");
	check_chain("wrong-password --serial ses#1", &f, &in, 55, &out);
	output_free(&out);
	input_free(&in);
}

/* -f fed line by line: nothing of mallory's before the name, then all of it at once. */
static void test_follow_incremental(void)
{
	struct input in = { 0 };
	struct output out = { 0 };
	struct logview_filter f = filter_user("mallory");
	struct logview *view = logview_new(&f);
	size_t auth = 0, before = 0, after = 0;

	ok(input_load(&in, "l2tp-wrong-password.log"), "load l2tp-wrong-password.log again");
	if (view == NULL)
		abort();
	for (size_t i = 0; i < in.count; i++) {
		if (strstr(in.lines[i], "user \"mallory\""))
			auth = i;
		if (logview_follow(view, in.lines[i], strlen(in.lines[i]), output_emit, &out) != 0)
			abort();
		if (auth == 0)
			before = out.lines.count;
		if (auth == i)
			after = out.lines.count;
	}
	ok(auth > 0, "-f: the failing line is there");
	is_int(before, 0, "-f: nothing emitted before the user is named");
	is_int(after, 35, "-f: the line naming mallory brings the 34 held lines before it");
	ok(out.lines.count == 48 &&
	   strstr(out.lines.lines[0], "#3: responding to Main Mode from unknown peer 192.0.2.12") &&
	   strstr(out.lines.lines[34], "user \"mallory\": authentication failed"),
	   "-f: held lines first, in log order, then the naming line");
	is_int(out.lines.count, 48, "-f: then the rest of the chain live");
	output_free(&out);
	logview_free(view);

	/* learn the first half, then follow from the start: the held part replays in order */
	view = logview_new(&f);
	if (view == NULL)
		abort();
	for (size_t i = 0; i < in.count / 2; i++)
		if (logview_learn(view, in.lines[i], strlen(in.lines[i])) != 0)
			abort();
	for (size_t i = 0; i < in.count; i++)
		if (logview_follow(view, in.lines[i], strlen(in.lines[i]), output_emit, &out) != 0)
			abort();
	is_int(out.lines.count, 48, "learn then follow: the chain once");
	output_free(&out);
	logview_free(view);
	input_free(&in);
}

static void test_nat_and_vanish(void)
{
	struct input in = { 0 };
	struct output out;
	struct logview_filter f;

	ok(input_load(&in, "l2tp-win10-nat.log"), "load l2tp-win10-nat.log");
	f = filter_user("testuser");
	check_chain("win10-nat --user testuser", &f, &in, 57, &out);
	is_int(output_grep(&out, "packet from 198.51.100.1:500"), 5, "  the NAT's Vendor IDs");
	is_int(output_grep(&out, "#1: new NAT mapping for #1"), 1, "  the NAT mapping");
	output_free(&out);
	f = filter_peer("198.51.100.1");
	check_chain("win10-nat --peer (the public address)", &f, &in, 57, &out);
	output_free(&out);
	f = filter_peer("192.168.77.2");
	check_chain("win10-nat --peer (the private address: not the peer)", &f, &in, 0, &out);
	output_free(&out);
	input_free(&in);

	ok(input_load(&in, "l2tp-vanish.log"), "load l2tp-vanish.log");
	f = filter_user("testuser");
	check_chain("vanish --user testuser", &f, &in, 57, &out);
	ok(out.lines.count == 57 &&
	   strstr(out.lines.lines[56], "#2: deleting IPsec SA: its L2TP peer vanished"),
	   "  ends with the IPsec SA deleted");
	output_free(&out);
	input_free(&in);
}

/* Two daemon runs in one file: serials restart, chains do not mix. */
static void test_epochs(void)
{
	struct input in = { 0 };
	struct output out;
	struct logview_filter f;

	ok(input_load(&in, "l2tp-winxp-direct.log") && input_load(&in, "l2tp-vanish.log"),
	   "load two daemon runs as one log");
	f = filter_user("testuser");
	check_chain("two runs --user testuser: both connections", &f, &in, 54 + 57, &out);
	is_int(output_grep(&out, "pppd exited (killed by signal 9 (KILL))"), 1, "  the first's end");
	is_int(output_grep(&out, "its L2TP peer vanished"), 1, "  the second's end");
	output_free(&out);
	f = filter_serial("ppp#1");
	check_chain("two runs --serial ppp#1: in each run", &f, &in, 54 + 57, &out);
	output_free(&out);
	input_free(&in);

	ok(input_load(&in, "l2tp-winxp-direct.log") && input_load(&in, "l2tp-wrong-password.log"),
	   "load testuser's run and alice's run");
	f = filter_user("alice");
	check_chain("two runs --user alice: only the second run's #1", &f, &in, 55, &out);
	is_int(output_grep(&out, "192.0.2.2:"), 0, "  nothing of the first run's #1");
	output_free(&out);
	input_free(&in);
}

/* Twenty users at once: every chain line goes to exactly one user. */
static void test_twenty(void)
{
	struct input in = { 0 };
	uint64_t chains[20];
	size_t total = 0;
	bool one_chain = true, distinct = true, packets = true, named = true, live_same = true;

	ok(input_load(&in, "l2tp-twenty.log"), "load l2tp-twenty.log");
	for (unsigned k = 0; k < 20; k++) {
		struct logview_filter f;
		struct output out, live;
		char name[16], needle[64];

		snprintf(name, sizeof name, "user%u", k + 1);
		f = filter_user(name);
		run_whole(&f, &in, &out);
		run_follow(&f, &in, &live);
		total += out.lines.count;
		chains[k] = out.lines.count ? out.chains[0] : 0;
		for (size_t i = 0; i < out.lines.count; i++)
			one_chain = one_chain && out.chains[i] == chains[k];
		for (unsigned j = 0; j < k; j++)
			distinct = distinct && chains[j] != chains[k];
		packets = packets && output_grep(&out, "packet from ") == 5;
		snprintf(needle, sizeof needle, "user \"%s\" authenticated", name);
		named = named && output_grep(&out, needle) == 1 && output_grep(&out, "user \"") == 1;
		/* concurrent Main Modes may come out of -f in another order, never other lines */
		live_same = live_same && live.lines.count == out.lines.count;
		output_free(&out);
		output_free(&live);
	}
	/* every line with an IKE prefix or "packet from" (counted with grep -E) */
	is_int(total, 1112, "twenty: the 20 chains cover the 1112 chain lines");
	ok(one_chain, "twenty: each user's lines are one chain");
	ok(distinct, "twenty: 20 different chains");
	ok(packets, "twenty: each chain has its own 5 Vendor ID lines");
	ok(named, "twenty: each chain names its user and no other");
	ok(live_same, "twenty: -f emits as many lines for each user");
	input_free(&in);
}

/* ------------------------------------------------ hand-written logs */

/*
 * One daemon run: alice connects from 192.0.2.20 (#1/#2), bob from
 * 192.0.2.30 (#3/#4) while alice is up, alice again from 192.0.2.20
 * (#5/#6) with a second session in her first tunnel that belongs to
 * "carol", and "eve" who does not exist (#7/#8).  Names are escaped the
 * way log_sanitize does it.
 */
static const char *const two_connections[] = {
	"2026-11-28 09:00:00.000 NOTICE l2tpsecd 0.1.0 starting (pid 1, configuration x)",
	"2026-11-28 09:00:01.000 INFO   packet from 192.0.2.20:500: received Vendor ID payload [RFC 3947]",
	"2026-11-28 09:00:01.100 INFO   #1: responding to Main Mode from unknown peer 192.0.2.20",
	"2026-11-28 09:00:01.200 INFO   packet from 192.0.2.20:500: ignoring Vendor ID payload [XAUTH]",
	"2026-11-28 09:00:01.300 INFO   #2: responding to Quick Mode from 192.0.2.20:500 (ISAKMP SA #1)",
	"2026-11-28 09:00:01.400 INFO   #2 tun#1: L2TP tunnel established with 192.0.2.20:1701",
	"2026-11-28 09:00:01.500 INFO   #2 tun#1 ses#1: incoming call established",
	"2026-11-28 09:00:01.600 INFO   #3: responding to Main Mode from unknown peer 192.0.2.30",
	"2026-11-28 09:00:01.700 INFO   packet from 192.0.2.30:500: received Vendor ID payload [RFC 3947]",
	"2026-11-28 09:00:01.800 NOTICE #2 tun#1 ses#1 ppp#1: user \"Alice\" authenticated (MS-CHAPv2), address 203.0.113.10",
	"2026-11-28 09:00:01.900 INFO   #4: responding to Quick Mode from 192.0.2.30:500 (ISAKMP SA #3)",
	"2026-11-28 09:00:02.000 INFO   #4 tun#2 ses#2 ppp#2: user \"b\\\\o\\\"b\\x01\" authenticated (MS-CHAPv2), address 203.0.113.11",
	"2026-11-28 09:00:02.100 INFO   #2 tun#1 ses#3: incoming call established",
	"2026-11-28 09:00:02.200 NOTICE #2 tun#1 ses#3 ppp#3: user \"carol\" authenticated (MS-CHAPv2), address 203.0.113.12",
	"2026-11-28 09:00:30.000 INFO   packet from 192.0.2.20:500: received Vendor ID payload [RFC 3947]",
	"2026-11-28 09:00:30.100 INFO   #5: responding to Main Mode from unknown peer 192.0.2.20",
	"2026-11-28 09:00:30.300 INFO   #6: responding to Quick Mode from 192.0.2.20:500 (ISAKMP SA #5)",
	"2026-11-28 09:00:30.400 INFO   #2 tun#1 ses#1 ppp#1: link up on ppp0",
	"2026-11-28 09:00:30.500 NOTICE #6 tun#3 ses#4 ppp#4: user \"alice\" authenticated (MS-CHAPv2), address 203.0.113.13",
	"2026-11-28 09:00:40.000 INFO   #7: responding to Main Mode from unknown peer 2001:db8::7",
	"2026-11-28 09:00:40.100 INFO   packet from [2001:db8::7]:500: received Vendor ID payload [RFC 3947]",
	"2026-11-28 09:00:40.200 INFO   #8: responding to Quick Mode from [2001:db8::7]:500 (ISAKMP SA #7)",
	"2026-11-28 09:00:40.300 WARN   #8 tun#4 ses#5 ppp#5: user \"eve\" unknown: authentication failed",
	"2026-11-28 09:00:50.000 INFO   packet from 192.0.2.20:500: dropped: 9 half-open Main Modes",
	"2026-11-28 09:00:59.000 INFO   #1: received Delete SA payload: deleting ISAKMP State #1",
	"2026-11-28 09:01:00.000 INFO   #2 tun#1 ses#1 ppp#1: pppd exited (exited with status 16 (hangup))",
};

static void test_two_connections(void)
{
	struct input in = { 0 };
	struct output out, live;
	struct logview_filter f = filter_user("alice");

	input_text(&in, two_connections, ARRAY_SIZE(two_connections));
	run_whole(&f, &in, &out);
	/* #1/#2 chain (no ses#3 lines): lines 2-7, 10, 18, 25, 26; #5/#6 chain: 15-17, 19 */
	is_int(out.lines.count, 14, "two connections of alice: 14 lines");
	is_int(output_grep(&out, "ses#3"), 0, "  not carol's session in alice's tunnel");
	is_int(output_grep(&out, "#3:"), 0, "  not bob's ISAKMP SA");
	is_int(output_grep(&out, "192.0.2.30"), 0, "  not bob's packets");
	is_int(output_grep(&out, "packet from 192.0.2.20"), 3,
	       "  the packets of both Main Modes (before and after their first line)");
	is_int(output_grep(&out, "dropped: 9 half-open"), 0,
	       "  not a packet 20 s after the last Main Mode of the address");
	ok(out.lines.count == 14 && out.chains[0] == 1 && out.chains[7] == 5 &&
	   out.chains[10] == 1 && out.chains[11] == 5 && out.chains[13] == 1,
	   "  chains #1 and #5, in log order");
	run_follow(&f, &in, &live);
	is_int(live.lines.count, 14, "-f: the same 14 lines");
	ok(live.lines.count == 14 && strstr(live.lines.lines[0], "packet from 192.0.2.20:500") &&
	   strstr(live.lines.lines[13], "pppd exited"), "-f: first and last in place");
	output_free(&live);
	output_free(&out);

	f = filter_user("b\\o\"b\x01");
	run_whole(&f, &in, &out);
	is_int(out.lines.count, 4, "an escaped name, unescaped: bob's chain");
	output_free(&out);
	f = filter_user("b\\\\o\\\"b\\x01");
	run_whole(&f, &in, &out);
	is_int(out.lines.count, 0, "the escaped form itself is no name");
	output_free(&out);

	f = filter_user("carol");
	run_whole(&f, &in, &out);
	/* #1's and #2's lines, tun#1 exact, ses#3 and ppp#3, #1's packets */
	is_int(out.lines.count, 8, "carol, second session in alice's tunnel");
	is_int(output_grep(&out, "ses#1"), 0, "  not alice's session");
	output_free(&out);

	f = filter_user("eve");
	run_whole(&f, &in, &out);
	is_int(out.lines.count, 4, "eve, unknown, over IPv6: 4 lines");
	is_int(output_grep(&out, "packet from [2001:db8::7]:500"), 1, "  her IPv6 packet line");
	output_free(&out);
	f = filter_peer("2001:db8:0::7");
	run_whole(&f, &in, &out);
	is_int(out.lines.count, 4, "--peer with another spelling of the IPv6 address");
	output_free(&out);

	f = filter_peer("192.0.2.20");
	run_whole(&f, &in, &out);
	is_int(out.lines.count, 16, "--peer 192.0.2.20: both chains whole (carol too)");
	output_free(&out);
	input_free(&in);
}

static void count_emit(void *arg, const struct logview_line *line, uint64_t chain)
{
	(void)line;
	(void)chain;
	(*(size_t *)arg)++;
}

/*
 * Every allocation of learning and following may fail: -ENOMEM, no crash,
 * no leak (ASan); once none fails, the whole chain.
 */
static void test_out_of_memory(void)
{
	struct input in = { 0 };
	struct logview_filter f = filter_user("mallory");
	unsigned failed = 0, other = 0;
	bool completed = false;

	ok(input_load(&in, "l2tp-wrong-password.log"), "load for the OOM walk");
	for (unsigned long n = 1; n < 1000 && !completed; n++) {
		struct logview *view;
		size_t emitted = 0;
		int rc = 0;

		alloc_fail_from(n);
		view = logview_new(&f);
		/* as -f over a file: learn what is there, then follow from its start */
		for (size_t i = 0; view && i < in.count / 2 && rc == 0; i++)
			rc = logview_learn(view, in.lines[i], strlen(in.lines[i]));
		for (size_t i = 0; view && i < in.count && rc == 0; i++)
			rc = logview_follow(view, in.lines[i], strlen(in.lines[i]), count_emit,
					    &emitted);
		alloc_fail_from(0);
		if (view == NULL || rc == -ENOMEM)
			failed++;
		else if (rc != 0)
			other++;
		else
			completed = emitted == 48;
		logview_free(view);
	}
	ok(failed > 0 && other == 0, "OOM walk: %u runs failed, all with -ENOMEM", failed);
	ok(completed, "OOM walk: with enough memory the whole chain");
	input_free(&in);
}

int main(void)
{
	test_parse();
	test_options();
	test_splitter();
	test_winxp_direct();
	test_wrong_password();
	test_follow_incremental();
	test_nat_and_vanish();
	test_epochs();
	test_twenty();
	test_two_connections();
	test_out_of_memory();
	return tap_done();
}
