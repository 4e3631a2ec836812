/*
 * log.c - loggers, sinks, debug classes, rate limiting, sanitizing (see log.h).
 *
 * A line is built once on the stack by log_emit() and handed to the sinks by
 * log_deliver(); nothing is allocated per line.  Allocation happens only when
 * the context is made and when a file or syslog sink is opened.
 */
#include "config.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "lib/alloc.h"
#include "lib/log.h"

/* One serial counter: the last serial handed out for objects of this kind. */
struct log_kind_counter {
	char kind[LOG_KIND_MAX];
	uint64_t last;
};

struct log_ctx {
	const struct clock *clock;      /* borrowed */
	enum log_level level;

	bool stderr_on;
	int file_fd;                    /* -1 without a file sink */
	char *file_path;                /* for log_sink_file_reopen() */
	char *syslog_ident;             /* NULL without a syslog sink; openlog() keeps it */
	void (*callback)(void *arg, enum log_level level, const char *line);
	void *callback_arg;

	const char *const *debug_names; /* borrowed */
	unsigned debug_count;
	uint64_t debug_mask;

	struct log_kind_counter kinds[LOG_KINDS_MAX];
	unsigned kind_count;
};

/* What ends a line, a prefix or a list that was cut to fit (NUL included). */
static const char log_cut_mark[] = "...";

/* The clock of a context made without one. */
static const struct clock log_real_clock = { .manual = false, .manual_ms = 0 };

static const char *const log_level_names[] = {
	[LOG_LEVEL_ERR] = "ERR",
	[LOG_LEVEL_WARN] = "WARN",
	[LOG_LEVEL_NOTICE] = "NOTICE",
	[LOG_LEVEL_INFO] = "INFO",
	[LOG_LEVEL_DEBUG] = "DEBUG",
};

/* ---------------------------------------------------------------- context */

struct log_ctx *log_ctx_new(const struct clock *clock)
{
	struct log_ctx *ctx = alloc_zero(sizeof *ctx);

	if (ctx == NULL)
		return NULL;
	ctx->clock = clock ? clock : &log_real_clock;
	ctx->level = LOG_LEVEL_INFO;
	ctx->file_fd = -1;
	return ctx;
}

void log_ctx_free(struct log_ctx *ctx)
{
	if (ctx == NULL)
		return;
	if (ctx->file_fd >= 0)
		close(ctx->file_fd);
	if (ctx->syslog_ident)
		closelog();
	alloc_free(ctx->file_path);
	alloc_free(ctx->syslog_ident);
	alloc_free(ctx);
}

void log_set_level(struct log_ctx *ctx, enum log_level level)
{
	ctx->level = level;
}

bool log_level_on(const struct log_ctx *ctx, enum log_level level)
{
	return level <= ctx->level;
}

const char *log_level_name(enum log_level level)
{
	if ((size_t)level >= ARRAY_SIZE(log_level_names))
		return "?";
	return log_level_names[level];
}

int log_level_parse(const char *name, enum log_level *level)
{
	static const struct {
		const char *name;
		enum log_level level;
	} aliases[] = {
		{ "error", LOG_LEVEL_ERR },
		{ "warning", LOG_LEVEL_WARN },
	};

	for (size_t i = 0; i < ARRAY_SIZE(log_level_names); i++) {
		if (strcasecmp(name, log_level_names[i]) == 0) {
			*level = (enum log_level)i;
			return 0;
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(aliases); i++) {
		if (strcasecmp(name, aliases[i].name) == 0) {
			*level = aliases[i].level;
			return 0;
		}
	}
	return -EINVAL;
}

/* ------------------------------------------------------------------ sinks */

int log_sink_stderr(struct log_ctx *ctx, bool enable)
{
	ctx->stderr_on = enable;
	return 0;
}

static int log_open_file(const char *path)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);

	return fd < 0 ? -errno : fd;
}

int log_sink_file(struct log_ctx *ctx, const char *path)
{
	char *copy;
	int fd;

	if (path == NULL) {
		if (ctx->file_fd >= 0)
			close(ctx->file_fd);
		ctx->file_fd = -1;
		alloc_free(ctx->file_path);
		ctx->file_path = NULL;
		return 0;
	}
	copy = alloc_strdup(path);
	if (copy == NULL)
		return -ENOMEM;
	fd = log_open_file(copy);
	if (fd < 0) {
		alloc_free(copy);
		return fd;
	}
	if (ctx->file_fd >= 0)
		close(ctx->file_fd);
	alloc_free(ctx->file_path);
	ctx->file_fd = fd;
	ctx->file_path = copy;
	return 0;
}

int log_sink_file_reopen(struct log_ctx *ctx)
{
	int fd;

	if (ctx->file_path == NULL)
		return 0;
	fd = log_open_file(ctx->file_path);
	if (fd < 0)
		return fd;
	close(ctx->file_fd);
	ctx->file_fd = fd;
	return 0;
}

int log_sink_syslog(struct log_ctx *ctx, const char *ident, int facility)
{
	char *copy = NULL;

	if (ident) {
		copy = alloc_strdup(ident);
		if (copy == NULL)
			return -ENOMEM;
		openlog(copy, LOG_PID, facility);
	} else if (ctx->syslog_ident) {
		closelog();
	}
	/* openlog() has stopped using the old ident by now. */
	alloc_free(ctx->syslog_ident);
	ctx->syslog_ident = copy;
	return 0;
}

void log_sink_callback(struct log_ctx *ctx,
		       void (*fn)(void *arg, enum log_level level, const char *line), void *arg)
{
	ctx->callback = fn;
	ctx->callback_arg = fn ? arg : NULL;
}

static int log_syslog_priority(enum log_level level)
{
	switch (level) {
	case LOG_LEVEL_ERR:
		return LOG_ERR;
	case LOG_LEVEL_WARN:
		return LOG_WARNING;
	case LOG_LEVEL_NOTICE:
		return LOG_NOTICE;
	case LOG_LEVEL_INFO:
		return LOG_INFO;
	case LOG_LEVEL_DEBUG:
		return LOG_DEBUG;
	}
	return LOG_DEBUG;
}

/* A log line is small: one write() usually takes it whole; retried on a short write or EINTR. */
static void log_write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

/* "YYYY-MM-DD HH:MM:SS.mmm LEVEL <line>\n" (LEVEL padded to 6) into buf; returns its length. */
static size_t log_stamp(const struct log_ctx *ctx, enum log_level level, const char *line,
			char *buf, size_t size)
{
	struct timespec now;
	struct tm tm;
	size_t len;
	int n;

	clock_wall(ctx->clock, &now);
	if (localtime_r(&now.tv_sec, &tm) == NULL)
		memset(&tm, 0, sizeof tm);
	len = strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm);
	n = snprintf(buf + len, size - len, ".%03ld %-6s %s\n", now.tv_nsec / 1000000,
		     log_level_name(level), line);
	if (n < 0)
		return len;
	return MIN(len + (size_t)n, size - 1);
}

static void log_deliver(const struct log_ctx *ctx, enum log_level level, const char *line)
{
	/* Room for the stamp, the level, the line and the newline. */
	char stamped[LOG_LINE_MAX + 64];
	size_t len;

	if (ctx->callback)
		ctx->callback(ctx->callback_arg, level, line);
	if (ctx->syslog_ident)
		syslog(log_syslog_priority(level), "%s", line);
	if (!ctx->stderr_on && ctx->file_fd < 0)
		return;
	len = log_stamp(ctx, level, line, stamped, sizeof stamped);
	if (ctx->stderr_on)
		log_write_all(STDERR_FILENO, stamped, len);
	if (ctx->file_fd >= 0)
		log_write_all(ctx->file_fd, stamped, len);
}

static void log_emit(const struct logger *lg, enum log_level level, const char *fmt, va_list ap)
	PRINTF_LIKE(3, 0);

/* Formats "<prefix>: <text>" once, cut to LOG_LINE_MAX with "...", one line, and delivers it. */
static void log_emit(const struct logger *lg, enum log_level level, const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX];
	size_t prefix_len = 0;
	int n;

	if (lg->prefix[0] != '\0') {
		n = snprintf(line, sizeof line, "%s: ", lg->prefix);
		prefix_len = n > 0 ? MIN((size_t)n, sizeof line - 1) : 0;
	}
	n = vsnprintf(line + prefix_len, sizeof line - prefix_len, fmt, ap);
	if (n < 0)
		snprintf(line + prefix_len, sizeof line - prefix_len,
			 "(unformattable log line: %s)", fmt);
	else if ((size_t)n >= sizeof line - prefix_len)
		memcpy(line + sizeof line - sizeof log_cut_mark, log_cut_mark, sizeof log_cut_mark);
	for (char *c = line + prefix_len; *c != '\0'; c++) {
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = ' ';
	}
	log_deliver(lg->ctx, level, line);
}

void log_vmsg(const struct logger *lg, enum log_level level, const char *fmt, va_list ap)
{
	if (log_level_on(lg->ctx, level))
		log_emit(lg, level, fmt, ap);
}

void log_msg(const struct logger *lg, enum log_level level, const char *fmt, ...)
{
	va_list ap;

	if (!log_level_on(lg->ctx, level))
		return;
	va_start(ap, fmt);
	log_emit(lg, level, fmt, ap);
	va_end(ap);
}

/* ---------------------------------------------------------- debug classes */

void log_debug_classes(struct log_ctx *ctx, const char *const *names, unsigned count)
{
	assert(count <= LOG_DEBUG_CLASSES_MAX);
	if (count > LOG_DEBUG_CLASSES_MAX)
		count = LOG_DEBUG_CLASSES_MAX;
	ctx->debug_names = names;
	ctx->debug_count = count;
	ctx->debug_mask = 0;
}

static uint64_t log_debug_all(const struct log_ctx *ctx)
{
	return ctx->debug_count >= 64 ? UINT64_MAX : (UINT64_C(1) << ctx->debug_count) - 1;
}

/* Applies one item of a log_debug_set() list to *mask; false if it names no class. */
static bool log_debug_apply(const struct log_ctx *ctx, const char *item, size_t len, uint64_t *mask)
{
	bool off = len > 0 && item[0] == '-';

	if (off) {
		item++;
		len--;
	}
	if (len == 4 && memcmp(item, "none", 4) == 0 && !off) {
		*mask = 0;
		return true;
	}
	if (len == 3 && memcmp(item, "all", 3) == 0) {
		*mask = off ? 0 : log_debug_all(ctx);
		return true;
	}
	for (unsigned cls = 0; cls < ctx->debug_count; cls++) {
		const char *name = ctx->debug_names[cls];

		if (strlen(name) == len && memcmp(name, item, len) == 0) {
			if (off)
				*mask &= ~(UINT64_C(1) << cls);
			else
				*mask |= UINT64_C(1) << cls;
			return true;
		}
	}
	return false;
}

int log_debug_set(struct log_ctx *ctx, const char *spec)
{
	uint64_t mask = ctx->debug_mask;
	const char *item = spec;

	while (*item != '\0') {
		size_t len = strcspn(item, ",");
		const char *next = item[len] == ',' ? item + len + 1 : item + len;

		while (len > 0 && (*item == ' ' || *item == '\t')) {
			item++;
			len--;
		}
		while (len > 0 && (item[len - 1] == ' ' || item[len - 1] == '\t'))
			len--;
		if (len > 0 && !log_debug_apply(ctx, item, len, &mask))
			return -EINVAL;
		item = next;
	}
	ctx->debug_mask = mask;
	return 0;
}

bool log_debug_on(const struct log_ctx *ctx, unsigned cls)
{
	return cls < ctx->debug_count && (ctx->debug_mask >> cls & 1) != 0;
}

const char *log_debug_list(const struct log_ctx *ctx, char *dst, size_t dst_size)
{
	size_t len = 0;

	if (dst_size == 0)
		return dst;
	dst[0] = '\0';
	if (ctx->debug_mask == 0)
		len = (size_t)snprintf(dst, dst_size, "none");
	for (unsigned cls = 0; cls < ctx->debug_count && len < dst_size; cls++) {
		if (log_debug_on(ctx, cls))
			len += (size_t)snprintf(dst + len, dst_size - len, "%s%s",
						len > 0 ? "," : "", ctx->debug_names[cls]);
	}
	/* Cut like a log line: the last three bytes that fit become "...". */
	if (len >= dst_size) {
		size_t dots = MIN(dst_size - 1, (size_t)3);

		memset(dst + dst_size - 1 - dots, '.', dots);
	}
	return dst;
}

void log_dbg(const struct logger *lg, unsigned cls, const char *fmt, ...)
{
	va_list ap;

	if (!log_debug_on(lg->ctx, cls))
		return;
	va_start(ap, fmt);
	log_emit(lg, LOG_LEVEL_DEBUG, fmt, ap);
	va_end(ap);
}

/* ---------------------------------------------------------------- loggers */

/*
 * The counter of `kind`, made on first use.  Kinds are the daemon's own
 * string constants, so too many of them, or one too long, is a bug in the
 * program that every test run would hit: stop at once.
 */
static struct log_kind_counter *log_kind_counter(struct log_ctx *ctx, const char *kind)
{
	struct log_kind_counter *counter;

	for (unsigned i = 0; i < ctx->kind_count; i++) {
		if (strcmp(ctx->kinds[i].kind, kind) == 0)
			return &ctx->kinds[i];
	}
	if (ctx->kind_count == LOG_KINDS_MAX || strlen(kind) >= LOG_KIND_MAX)
		abort();
	counter = &ctx->kinds[ctx->kind_count++];
	memcpy(counter->kind, kind, strlen(kind) + 1);
	counter->last = 0;
	return counter;
}

/* After snprintf() of n bytes into lg->prefix: a prefix that did not fit ends in "...". */
static void logger_mark_cut(struct logger *lg, int n)
{
	if (n >= (int)sizeof lg->prefix)
		memcpy(lg->prefix + sizeof lg->prefix - sizeof log_cut_mark, log_cut_mark,
		       sizeof log_cut_mark);
}

static void logger_compose(struct logger *lg, struct log_ctx *ctx, const struct logger *parent,
			   const char *kind, uint64_t serial)
{
	int n;

	lg->ctx = ctx;
	lg->serial = serial;
	if (parent && parent->prefix[0] != '\0')
		n = snprintf(lg->prefix, sizeof lg->prefix, "%s %s%" PRIu64, parent->prefix, kind,
			     serial);
	else
		n = snprintf(lg->prefix, sizeof lg->prefix, "%s%" PRIu64, kind, serial);
	logger_mark_cut(lg, n);
}

void logger_init_root(struct logger *lg, struct log_ctx *ctx, const char *prefix)
{
	lg->ctx = ctx;
	lg->serial = 0;
	logger_mark_cut(lg, snprintf(lg->prefix, sizeof lg->prefix, "%s", prefix));
}

uint64_t logger_init(struct logger *lg, struct log_ctx *ctx, const struct logger *parent,
		     const char *kind)
{
	struct log_kind_counter *counter = log_kind_counter(ctx, kind);
	uint64_t serial = ++counter->last;

	logger_compose(lg, ctx, parent, kind, serial);
	return serial;
}

void logger_init_fixed(struct logger *lg, struct log_ctx *ctx, const struct logger *parent,
		       const char *kind, uint64_t serial)
{
	struct log_kind_counter *counter = log_kind_counter(ctx, kind);

	if (counter->last < serial)
		counter->last = serial;
	logger_compose(lg, ctx, parent, kind, serial);
}

/* ----------------------------------------------------------- rate limiting */

void log_ratelimit_init(struct log_ratelimit *rl, unsigned interval_ms, unsigned burst)
{
	*rl = (struct log_ratelimit){ .interval_ms = interval_ms, .burst = burst };
}

void log_rl(const struct logger *lg, struct log_ratelimit *rl, enum log_level level,
	    const char *fmt, ...)
{
	uint64_t now;
	va_list ap;

	if (!log_level_on(lg->ctx, level))
		return;
	now = clock_now_ms(lg->ctx->clock);
	if (now - rl->window_start_ms >= rl->interval_ms) {
		if (rl->suppressed > 0)
			log_msg(lg, level, "%u similar lines suppressed", rl->suppressed);
		rl->window_start_ms = now;
		rl->printed = 0;
		rl->suppressed = 0;
	}
	if (rl->printed >= rl->burst) {
		if (rl->suppressed < UINT_MAX)
			rl->suppressed++;
		return;
	}
	rl->printed++;
	va_start(ap, fmt);
	log_emit(lg, level, fmt, ap);
	va_end(ap);
}

/* ------------------------------------------------------------- sanitizing */

/* How byte c is printed: into unit (no NUL), returning the length (1, 2 or 4). */
static size_t log_escape(unsigned char c, char unit[4])
{
	static const char hex[] = "0123456789abcdef";

	if (c == '\\' || c == '"') {
		unit[0] = '\\';
		unit[1] = (char)c;
		return 2;
	}
	if (c >= 0x20 && c < 0x7f) {
		unit[0] = (char)c;
		return 1;
	}
	unit[0] = '\\';
	unit[1] = 'x';
	unit[2] = hex[c >> 4];
	unit[3] = hex[c & 0xf];
	return 4;
}

const char *log_sanitize(char *dst, size_t dst_size, const void *src, size_t src_len)
{
	const unsigned char *in = src;
	size_t need = 0, room, out = 0;
	char unit[4];
	bool cut;

	if (dst_size == 0)
		return dst;
	room = dst_size - 1;
	/* Measure first, until it is clear whether the output fits, to know whether to cut. */
	for (size_t i = 0; i < src_len && need <= room; i++)
		need += log_escape(in[i], unit);
	cut = need > room;
	if (cut)
		room = room >= 3 ? room - 3 : 0;
	for (size_t i = 0; i < src_len; i++) {
		size_t unit_len = log_escape(in[i], unit);

		if (unit_len > room - out)
			break;
		memcpy(dst + out, unit, unit_len);
		out += unit_len;
	}
	if (cut) {
		size_t dots = MIN((size_t)3, dst_size - 1 - out);

		memcpy(dst + out, log_cut_mark, dots);
		out += dots;
	}
	dst[out] = '\0';
	return dst;
}
