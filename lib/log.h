/*
 * log.h - the daemon's log: loggers with never-reused serials and composed
 * prefixes, runtime debug classes, rate limiting, and sanitizing of strings
 * that came from a peer.
 *
 * Every long-lived object embeds a struct logger whose prefix is rendered
 * once, at creation: a serial of its kind ("#4", "tun#1", "ses#1", "ppp#1";
 * one counter per kind, from 1, never reused while the process lives) after
 * its parent's prefix, so "#5 tun#1 ses#1: ..." follows a user from IKE to
 * PPP with one grep.  A line is formatted once, into a bounded buffer, as
 * "<prefix>: <text>" (just "<text>" under an empty prefix), and handed to
 * every sink:
 *
 *   callback  "<prefix>: <text>"                      (control socket, tests)
 *   syslog    "<prefix>: <text>" at LOG_ERR..LOG_DEBUG (syslog adds time and ident)
 *   stderr    "YYYY-MM-DD HH:MM:SS.mmm LEVEL <prefix>: <text>\n"
 *   file      the same as stderr, appended
 *
 * Timestamps are local time from the context's clock (clock_wall); LEVEL is
 * ERR, WARN, NOTICE, INFO or DEBUG, padded to 6 columns.  A line longer than
 * LOG_LINE_MAX - 1 bytes is cut and ends in "...".  Control characters in the
 * formatted text (a stray '\n' included) become spaces: one call, one line.
 *
 * What it must not do: splice a prefix or a peer's string into a format (the
 * prefix is printed with its own "%s"; peer strings go through
 * log_sanitize()), log secrets at any level, or allocate per line.
 * Ownership: the process context owns its struct log_ctx; loggers are
 * embedded in their objects and borrow the context, which must outlive them.
 * The context borrows the clock and the debug class table.  syslog is
 * process-wide state: only one context should have a syslog sink.
 */
#ifndef L2TPSEC_LIB_LOG_H
#define L2TPSEC_LIB_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/clock.h"
#include "lib/util.h"

enum log_level {
	LOG_LEVEL_ERR,
	LOG_LEVEL_WARN,
	LOG_LEVEL_NOTICE,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
};

/* Longest prefix, NUL included; a longer composition is cut and ends in "...". */
#define LOG_PREFIX_MAX 96
/* Longest line a sink gets ("<prefix>: <text>"), NUL included. */
#define LOG_LINE_MAX 1024
/* A buffer size for log_sanitize() that fits any peer string worth printing. */
#define LOG_SANITIZE_MAX 256
/* Debug classes a context can have (bits of a uint64_t). */
#define LOG_DEBUG_CLASSES_MAX 64
/* Serial kinds ("#", "tun#", ...) a context can count, and their longest name, NUL included. */
#define LOG_KINDS_MAX 16
#define LOG_KIND_MAX 16

struct log_ctx;

struct logger {
	struct log_ctx *ctx;
	uint64_t serial;                /* 0 for a root logger */
	char prefix[LOG_PREFIX_MAX];
};

/* A context with no sinks, level INFO and no debug class on; clock NULL means real time. */
struct log_ctx *log_ctx_new(const struct clock *clock) WARN_UNUSED;

/* Closes the file and syslog sinks.  NULL is a no-op. */
void log_ctx_free(struct log_ctx *ctx);

/* Lines of a level above this one are dropped (log_dbg() lines follow their class instead). */
void log_set_level(struct log_ctx *ctx, enum log_level level);

/* Whether a line at level would be written: to skip building costly arguments. */
bool log_level_on(const struct log_ctx *ctx, enum log_level level);

/* "ERR", "WARN", "NOTICE", "INFO", "DEBUG"; "?" for a value out of range. */
const char *log_level_name(enum log_level level);

/* Parses a level name (any case, "warning" and "error" too); 0 or -EINVAL. */
int log_level_parse(const char *name, enum log_level *level) WARN_UNUSED;

/* Turns the stderr sink on or off; 0. */
int log_sink_stderr(struct log_ctx *ctx, bool enable) WARN_UNUSED;

/*
 * Appends to the file at path (created 0640), replacing a previous file sink;
 * NULL closes the sink.  0 or -errno; on failure the previous sink stays.
 */
int log_sink_file(struct log_ctx *ctx, const char *path) WARN_UNUSED;

/*
 * Reopens the file sink's path (after logrotate moved the file); 0 if there is
 * no file sink; on -errno the old file stays.
 */
int log_sink_file_reopen(struct log_ctx *ctx) WARN_UNUSED;

/* openlog(ident, LOG_PID, facility) and log there; NULL ident closes.  0 or -errno. */
int log_sink_syslog(struct log_ctx *ctx, const char *ident, int facility) WARN_UNUSED;

/*
 * Also hands every line ("<prefix>: <text>", no time, no newline) to fn; fn
 * NULL removes it.  fn must not log through the same context.
 */
void log_sink_callback(struct log_ctx *ctx,
		       void (*fn)(void *arg, enum log_level level, const char *line), void *arg);

/*
 * The debug classes: names[i] ("ike-wire", "l2tp-fsm", ...) is class i.  The
 * table is borrowed and must outlive the context; count is at most
 * LOG_DEBUG_CLASSES_MAX.  Every class starts off.
 */
void log_debug_classes(struct log_ctx *ctx, const char *const *names, unsigned count);

/*
 * Applies a comma-separated list, left to right: "name" turns a class on,
 * "-name" off, "all" and "none" (and "-all") every class.  Blanks around
 * items and empty items are ignored.  0, or -EINVAL with nothing changed if
 * an item names no class.
 */
int log_debug_set(struct log_ctx *ctx, const char *spec) WARN_UNUSED;

bool log_debug_on(const struct log_ctx *ctx, unsigned cls);

/*
 * The classes that are on, the way log_debug_set() reads them
 * ("ike-wire,l2tp-fsm", or "none"); cut with "..." to fit; returns dst.
 */
const char *log_debug_list(const struct log_ctx *ctx, char *dst, size_t dst_size);

/* A logger with a fixed prefix (the daemon's, or "" for none) and serial 0. */
void logger_init_root(struct logger *lg, struct log_ctx *ctx, const char *prefix);

/*
 * A logger for a new object: takes the next serial of counter `kind` and
 * composes the prefix parent's prefix + " " + kind + serial (just kind +
 * serial under no parent or an empty parent prefix).  Returns the serial.
 * Kinds are the program's own constants: more than LOG_KINDS_MAX of them, or
 * one of LOG_KIND_MAX bytes or more, is a bug and aborts on first use.
 */
uint64_t logger_init(struct logger *lg, struct log_ctx *ctx, const struct logger *parent,
		     const char *kind);

/* The same with a known serial; the counter of `kind` moves past it, so it is never handed out. */
void logger_init_fixed(struct logger *lg, struct log_ctx *ctx, const struct logger *parent,
		       const char *kind, uint64_t serial);

void log_msg(const struct logger *lg, enum log_level level, const char *fmt, ...) PRINTF_LIKE(3, 4);
void log_vmsg(const struct logger *lg, enum log_level level, const char *fmt, va_list ap)
	PRINTF_LIKE(3, 0);

/* A DEBUG line, written only while class cls is on (whatever the level). */
void log_dbg(const struct logger *lg, unsigned cls, const char *fmt, ...) PRINTF_LIKE(3, 4);

/*
 * A token bucket for lines a peer can trigger, embedded by the caller (per
 * source, per SA, or one per daemon): at most `burst` lines per interval.
 */
struct log_ratelimit {
	uint64_t window_start_ms;
	unsigned interval_ms;
	unsigned burst;
	unsigned printed;
	unsigned suppressed;
};

void log_ratelimit_init(struct log_ratelimit *rl, unsigned interval_ms, unsigned burst);

/*
 * log_msg() under rl, timed by the context's clock.  The first line of a new
 * interval that follows suppression is preceded by "N similar lines
 * suppressed" at the same level.  Lines the level drops are not counted.
 */
void log_rl(const struct logger *lg, struct log_ratelimit *rl, enum log_level level,
	    const char *fmt, ...) PRINTF_LIKE(4, 5);

/*
 * Renders src_len bytes from a peer for printing: printable ASCII stays,
 * '\\' and '"' are escaped with a backslash, any other byte becomes \xNN.
 * Output that does not fit dst_size is cut at an escape boundary and ends in
 * "...".  Always NUL-terminated (unless dst_size is 0); returns dst.
 */
const char *log_sanitize(char *dst, size_t dst_size, const void *src, size_t src_len);

#endif
