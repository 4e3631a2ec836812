/*
 * fuzz_logview.c - libFuzzer target: any bytes as a log for "l2tpsecctl log".
 *
 * The input goes through the splitter into the line parser and into views
 * with every kind of filter, fed both ways (learn then select; follow), as
 * cmd_log.c feeds them.  The first byte picks the filter's details.  Checks:
 * every parsed view lies inside its line, a selected line is a line that was
 * fed, and both ways select lines only when the filter is satisfiable.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/logview.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_assert(bool condition)
{
	if (!condition)
		abort();
}

static void fuzz_inside(const struct logview_line *line, const char *p, size_t length)
{
	fuzz_assert(p >= line->text && length <= line->length &&
		    (size_t)(p - line->text) <= line->length - length);
}

static void fuzz_check_line(const struct logview_line *line)
{
	fuzz_inside(line, line->message, line->message_length);
	fuzz_inside(line, line->prefix, line->prefix_length);
	if (line->format != LOGVIEW_FORMAT_OTHER)
		fuzz_inside(line, line->time, line->time_length);
	fuzz_assert(line->path_length <= LOGVIEW_PATH_MAX);
	fuzz_assert(line->path_length == 0 || line->prefix_length > 0);
	for (unsigned i = 0; i < line->path_length; i++)
		fuzz_assert(strlen(line->path[i].kind) < LOGVIEW_KIND_MAX);
}

struct fuzz_run {
	struct logview *view;
	int mode;               /* 0 learn, 1 select, 2 follow, 3 parse only */
	uint64_t lines, emitted;
};

static void fuzz_emit(void *arg, const struct logview_line *line, uint64_t chain)
{
	struct fuzz_run *run = arg;

	(void)chain;
	fuzz_check_line(line);
	fuzz_assert(line->length < LOGVIEW_LINE_MAX);
	run->emitted++;
}

static int fuzz_line(void *arg, const char *text, size_t length)
{
	struct fuzz_run *run = arg;
	struct logview_line line;

	fuzz_assert(length < LOGVIEW_LINE_MAX);
	run->lines++;
	switch (run->mode) {
	case 0:
		return logview_learn(run->view, text, length) == 0 ? 0 : 1;
	case 1:
		return logview_select(run->view, text, length, fuzz_emit, run);
	case 2:
		return logview_follow(run->view, text, length, fuzz_emit, run) == 0 ? 0 : 1;
	default:
		logview_line_parse(&line, text, length);
		fuzz_check_line(&line);
		return 0;
	}
}

static void fuzz_feed(struct fuzz_run *run, const uint8_t *data, size_t size, int mode)
{
	struct logview_splitter splitter;

	run->mode = mode;
	run->lines = 0;
	logview_splitter_init(&splitter);
	if (logview_splitter_feed(&splitter, (const char *)data, size, fuzz_line, run) == 0)
		fuzz_assert(logview_splitter_finish(&splitter, fuzz_line, run) >= 0);
}

static void fuzz_filter(struct logview_filter *filter, uint8_t pick)
{
	static const char *const serials[] = { "#1", "#2", "tun#1", "ses#1", "ppp#1", "#3" };

	memset(filter, 0, sizeof *filter);
	filter->kind = (enum logview_filter_kind)(pick % 4);
	filter->user = (pick & 0x10) ? "Alice" : "testuser";
	fuzz_assert(netaddr_parse(&filter->peer, (pick & 0x20) ? "192.0.2.2" : "2001:db8::2", 0));
	fuzz_assert(logview_serial_parse(&filter->serial, serials[(pick >> 2) % 6]) == 0);
	filter->has_since = (pick & 0x80) != 0;
	filter->since_ms = logview_time_ms(2026, 11, 28, 8, 3, 10, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct logview_filter filter;
	struct fuzz_run whole = { 0 }, live = { 0 }, parse = { 0 };
	struct logview_serial serial;
	int64_t since;
	char text[64];

	if (size == 0)
		return 0;
	fuzz_filter(&filter, data[0]);
	data++;
	size--;

	/* the option parsers on the input's start */
	memset(text, 0, sizeof text);
	memcpy(text, data, size < sizeof text - 1 ? size : sizeof text - 1);
	if (logview_serial_parse(&serial, text) == 0)
		fuzz_assert(serial.serial != 0);
	if (logview_time_parse(text, logview_time_ms(2026, 11, 28, 9, 0, 0, 0), &since) == 0)
		fuzz_assert(since != INT64_MIN);

	fuzz_feed(&parse, data, size, 3);

	whole.view = logview_new(&filter);
	live.view = logview_new(&filter);
	if (whole.view && live.view) {
		fuzz_feed(&whole, data, size, 0);
		fuzz_feed(&whole, data, size, 1);
		fuzz_feed(&live, data, size, 2);
		fuzz_assert(whole.emitted <= whole.lines && live.emitted <= live.lines);
		fuzz_assert(logview_emitted(whole.view) == whole.emitted);
		if (filter.kind == LOGVIEW_FILTER_ALL && !filter.has_since)
			fuzz_assert(whole.emitted == whole.lines && live.emitted == live.lines);
	}
	logview_free(whole.view);
	logview_free(live.view);
	return 0;
}
