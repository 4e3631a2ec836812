/*
 * tap.h - a one-header TAP 13 producer for unit tests.
 *
 * Each check prints "ok N - name" or "not ok N - name" with the file and line
 * of a failure as a diagnostic; tap_done() prints the plan and returns the exit
 * status for main().  automake's tap-driver.sh reads the output.  Tests never
 * skip silently: a check that cannot run is a failure.
 */
#ifndef L2TPSEC_TAP_H
#define L2TPSEC_TAP_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct tap_state {
	unsigned run;
	unsigned failed;
};

static struct tap_state tap_state_;

static inline void tap_vreport(bool pass, const char *file, int line, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));

static inline void tap_vreport(bool pass, const char *file, int line, const char *fmt, va_list ap)
{
	tap_state_.run++;
	if (!pass)
		tap_state_.failed++;
	printf("%s %u - ", pass ? "ok" : "not ok", tap_state_.run);
	vprintf(fmt, ap);
	putchar('\n');
	if (!pass)
		printf("#   failed at %s:%d\n", file, line);
	fflush(stdout);
}

static inline bool tap_report(bool pass, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static inline bool tap_report(bool pass, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vreport(pass, file, line, fmt, ap);
	va_end(ap);
	return pass;
}

static inline void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static inline void tap_diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* ok(cond, "name %d", i) */
#define ok(cond, ...) tap_report(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

/* is_int(got, expected, "name"): integers compared as intmax_t, both shown on failure. */
#define is_int(got, expected, ...)                                                           \
	do {                                                                                 \
		intmax_t got_ = (intmax_t)(got), exp_ = (intmax_t)(expected);                \
		if (!tap_report(got_ == exp_, __FILE__, __LINE__, __VA_ARGS__))             \
			tap_diag("  got %jd, expected %jd", got_, exp_);                     \
	} while (0)

/* is_uint(got, expected, "name"): unsigned, shown in hex too. */
#define is_uint(got, expected, ...)                                                          \
	do {                                                                                 \
		uintmax_t got_ = (uintmax_t)(got), exp_ = (uintmax_t)(expected);             \
		if (!tap_report(got_ == exp_, __FILE__, __LINE__, __VA_ARGS__))             \
			tap_diag("  got %ju (0x%jx), expected %ju (0x%jx)", got_, got_, exp_, \
				 exp_);                                                      \
	} while (0)

/* is_str(got, expected, "name"): NUL-terminated strings; NULL never equals a string. */
#define is_str(got, expected, ...)                                                           \
	do {                                                                                 \
		const char *got_ = (got), *exp_ = (expected);                                \
		bool same_ = got_ && exp_ ? strcmp(got_, exp_) == 0 : got_ == exp_;          \
		if (!tap_report(same_, __FILE__, __LINE__, __VA_ARGS__))                    \
			tap_diag("  got \"%s\", expected \"%s\"", got_ ? got_ : "(null)",     \
				 exp_ ? exp_ : "(null)");                                    \
	} while (0)

/* is_mem(got, expected, len, "name"): byte buffers of one length. */
#define is_mem(got, expected, len, ...)                                                      \
	do {                                                                                 \
		const unsigned char *got_ = (const unsigned char *)(got);                    \
		const unsigned char *exp_ = (const unsigned char *)(expected);               \
		size_t len_ = (len), at_ = 0;                                                \
		while (at_ < len_ && got_[at_] == exp_[at_])                                 \
			at_++;                                                               \
		if (!tap_report(at_ == len_, __FILE__, __LINE__, __VA_ARGS__))              \
			tap_diag("  first difference at byte %zu of %zu: 0x%02x vs 0x%02x",  \
				 at_, len_, got_[at_], exp_[at_]);                           \
	} while (0)

/* The plan goes last; returns main()'s exit status. */
static inline int tap_done(void)
{
	printf("1..%u\n", tap_state_.run);
	if (tap_state_.run == 0) {
		printf("# no checks ran: that is a failure\n");
		return 1;
	}
	return tap_state_.failed ? 1 : 0;
}

#endif
