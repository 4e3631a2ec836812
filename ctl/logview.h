/*
 * logview.h - the combined log viewer's pure part: parse l2tpsecd's log
 * lines, learn which serials form one chain, and pick the lines a filter
 * asks for.
 *
 * A chain is what one client connection leaves in the log: its ISAKMP SA
 * ("#1: responding to Main Mode from unknown peer 192.0.2.2"), the IPsec SAs
 * negotiated under it ("#2: responding to Quick Mode from ... (ISAKMP SA
 * #1)"), the L2TP tunnel, session and pppd lines whose prefixes start with
 * an IPsec SA's serial ("#2 tun#1 ses#1 ppp#1: ..."), and the unprefixed
 * "packet from 192.0.2.2:500: ..." lines of its Main Mode (the same address,
 * within LOGVIEW_PACKET_WINDOW_MS of the Main Mode's first line: the latest
 * Main Mode of that address logged before the line, else the first one
 * after it).  Serials restart with the daemon, so every "l2tpsecd ...
 * starting (pid" line opens a new epoch and serials are only compared
 * within one.
 *
 * What a filter selects, in log order:
 *   --peer ADDR      every chain whose Main Mode came from ADDR: all of it.
 *   --serial #M      the whole chain of ISAKMP SA #M.
 *   --user U         for every line `user "U"...` (case-insensitive, the
 *   --serial X       name unescaped from log_sanitize's form), or for every
 *                    line carrying serial X (#N of an IPsec SA, tun#A,
 *                    ses#B, ppp#K): the object's prefix P ("#2 tun#1 ses#1
 *                    ppp#1") becomes an anchor of its chain.  Selected:
 *                    the IKE lines of the chain (every one-serial prefix
 *                    "#M", "#N", "#N'" under the same ISAKMP SA), P's
 *                    ancestors ("#2 tun#1", "#2 tun#1 ses#1"), P and its
 *                    descendants, and the chain's packet lines.  Another
 *                    session in the same tunnel is not selected.
 *   no filter        every line, the ones that are not ours included.
 * --since cuts lines, not chains: chains are learned from the whole input,
 * and only lines at or after the time are shown (a session that began
 * before the time is still followed after it).  A line without a time of
 * its own takes its predecessor's.
 *
 * Two ways to feed it:
 *   - a whole input: every line through logview_learn(), then the same lines
 *     again, in the same order, through logview_select() (output in exact
 *     log order);
 *   - live (-f): every line through logview_follow() once.  Lines that are
 *     not selected yet are held (the last LOGVIEW_HOLD_LINES lines, no older
 *     than LOGVIEW_HOLD_MS) because the user's name comes after the IKE
 *     lines; when a line adds to the selection, the held lines it selects
 *     are emitted at once, in order, before it.  logview_follow() may come
 *     after a logview_learn() of the first lines of the same input: lines
 *     learned already are not learned twice, so "-f" over an existing file
 *     is learn (the file) + follow (the file, then what grows).
 *
 * What it must not do: trust a line (every parse is bounded; a line is at
 * most LOGVIEW_LINE_MAX - 1 bytes, the splitter cuts longer ones), read
 * files, print, or look at the clock (the caller passes "now").
 * Ownership: struct logview owns its tables and held copies; lines handed
 * to the emit callback are views valid only during the call.
 */
#ifndef L2TPSEC_CTL_LOGVIEW_H
#define L2TPSEC_CTL_LOGVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/log.h"
#include "lib/netaddr.h"
#include "lib/util.h"

enum {
	LOGVIEW_LINE_MAX = 4096,                /* longest line kept, NUL included */
	LOGVIEW_PATH_MAX = 8,                   /* serials in one prefix */
	LOGVIEW_KIND_MAX = 8,                   /* "tun", "ses", "ppp"; "" for IKE; NUL included */
	LOGVIEW_USER_MAX = 256,                 /* longest user name compared */
	LOGVIEW_HOLD_LINES = 10000,
	LOGVIEW_HOLD_MS = 10 * 60 * 1000,
	LOGVIEW_PACKET_WINDOW_MS = 5000,
};

/* One serial of a prefix: kind "" with serial 5 is "#5", kind "tun" is "tun#5". */
struct logview_serial {
	char kind[LOGVIEW_KIND_MAX];
	uint64_t serial;
};

enum logview_format {
	LOGVIEW_FORMAT_OTHER,                   /* not a line of ours: text only */
	LOGVIEW_FORMAT_FILE,                    /* "2026-11-28 07:46:23.098 INFO   ..." */
	LOGVIEW_FORMAT_JOURNAL,                 /* journalctl -o short-iso-precise (no level) */
};

/* A parsed line: views into the text it was parsed from. */
struct logview_line {
	const char *text;
	size_t length;                          /* the whole line, no newline */
	enum logview_format format;
	const char *time;                       /* as written; length 0 for OTHER */
	size_t time_length;
	int64_t time_ms;                        /* local time as milliseconds since 1970-01-01 00:00 */
	bool has_level;
	enum log_level level;
	const char *prefix;                     /* "#2 tun#1"; length 0 when none */
	size_t prefix_length;
	const char *message;                    /* after "<prefix>: "; the whole text for OTHER */
	size_t message_length;
	unsigned path_length;
	struct logview_serial path[LOGVIEW_PATH_MAX];
};

enum logview_filter_kind {
	LOGVIEW_FILTER_ALL,
	LOGVIEW_FILTER_USER,
	LOGVIEW_FILTER_PEER,
	LOGVIEW_FILTER_SERIAL,
};

struct logview_filter {
	enum logview_filter_kind kind;
	const char *user;                       /* FILTER_USER; borrowed, must outlive the view */
	struct netaddr peer;                    /* FILTER_PEER; the port is ignored */
	struct logview_serial serial;           /* FILTER_SERIAL */
	bool has_since;
	int64_t since_ms;                       /* same scale as logview_line.time_ms */
};

/* Receives a selected line; chain is its ISAKMP SA's serial (0 when it has none). */
typedef void logview_emit_fn(void *arg, const struct logview_line *line, uint64_t chain);

/*
 * Parses length bytes (no newline; NULs are just bytes).  Always fills
 * line->text, ->length and ->message; returns whether the line is in one of
 * our two formats (then time, level and prefix are set too).
 */
bool logview_line_parse(struct logview_line *line, const char *text, size_t length);

/* "5", "#5", "tun#3", "ses#4", "ppp#7" (any kind of 1..7 lowercase letters).  0 or -EINVAL. */
int logview_serial_parse(struct logview_serial *serial, const char *text) WARN_UNUSED;

/*
 * A --since time: "2026-11-28 07:44[:SS]", "2026-11-28", "07:44[:SS]" (the
 * day of now_ms) or "-10s", "-10m", "-2h", "-1d" (before now_ms).  now_ms is
 * local time on the scale of logview_line.time_ms.  0 or -EINVAL.
 */
int logview_time_parse(const char *text, int64_t now_ms, int64_t *out) WARN_UNUSED;

/* Local broken-down time on the scale of logview_line.time_ms (month 1..12). */
int64_t logview_time_ms(int year, int month, int day, int hour, int minute, int second,
			int millisecond);

struct logview;

/* A view with a copy of *filter (filter->user stays borrowed); NULL when out of memory. */
struct logview *logview_new(const struct logview_filter *filter) WARN_UNUSED;

/* NULL is a no-op. */
void logview_free(struct logview *view);

/* Learns from the next line of a whole input.  0 or -ENOMEM. */
int logview_learn(struct logview *view, const char *text, size_t length) WARN_UNUSED;

/*
 * The same lines again, in the same order, after every one was learned:
 * emits the line if it is selected.  0 (nothing to fail: learning is done).
 */
int logview_select(struct logview *view, const char *text, size_t length, logview_emit_fn *emit,
		   void *arg);

/* Live: learns from the line, then emits whatever it makes selected.  0 or -ENOMEM. */
int logview_follow(struct logview *view, const char *text, size_t length, logview_emit_fn *emit,
		   void *arg) WARN_UNUSED;

/* Lines emitted so far. */
uint64_t logview_emitted(const struct logview *view);

/*
 * Splits bytes into lines for the view: '\n' ends a line (a '\r' before it
 * goes too); a line longer than LOGVIEW_LINE_MAX - 1 bytes is cut there and
 * the rest of it skipped.
 */
struct logview_splitter {
	char buffer[LOGVIEW_LINE_MAX];
	size_t length;                          /* bytes of the unfinished line kept */
	size_t pending;                         /* bytes since the last '\n', kept or skipped */
	bool cutting;                           /* skipping the rest of an overlong line */
};

typedef int logview_line_fn(void *arg, const char *text, size_t length);

void logview_splitter_init(struct logview_splitter *splitter);

/* Calls fn for each line completed by data; stops at and returns fn's first nonzero result. */
int logview_splitter_feed(struct logview_splitter *splitter, const char *data, size_t length,
			  logview_line_fn *fn, void *arg) WARN_UNUSED;

/* The unfinished last line, if any, as a line (end of a whole input); then empty. */
int logview_splitter_finish(struct logview_splitter *splitter, logview_line_fn *fn,
			    void *arg) WARN_UNUSED;

#endif
