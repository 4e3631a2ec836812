/*
 * util_test.c - the util.h macros and util_wipe().
 */
#include "config.h"

#include <stdint.h>
#include <sys/param.h>

#include "lib/util.h"
#include "tests/harness/tap.h"

struct outer {
	int first;
	double middle;
	char last[3];
};

static int count_args(int n, const char *fmt, ...) PRINTF_LIKE(2, 3);

static int count_args(int n, const char *fmt, ...)
{
	return n;
}

static int answer(void) WARN_UNUSED;

static int answer(void)
{
	return 42;
}

int main(void)
{
	static const uint16_t table[] = { 1, 2, 3, 4, 5 };
	char grid[4][7];
	struct outer o;
	double *middle = &o.middle;
	unsigned char secret[16];
	size_t zero = 0;

	is_uint(ARRAY_SIZE(table), 5, "ARRAY_SIZE of a 5-element array");
	is_uint(ARRAY_SIZE(grid), 4, "ARRAY_SIZE of a 2-D array counts rows");
	is_uint(ARRAY_SIZE(grid[0]), 7, "ARRAY_SIZE of a row");

	ok(container_of(middle, struct outer, middle) == &o, "container_of from a middle member");
	ok(container_of(&o.first, struct outer, first) == &o, "container_of from the first member");
	ok(container_of(&o.last, struct outer, last) == &o, "container_of from an array member");

	is_int(MIN(3, -2), -2, "MIN");
	is_int(MAX(3, -2), 3, "MAX");
	is_uint(MIN(sizeof table, (size_t)4), 4, "MIN of sizes");

	memset(secret, 0x5a, sizeof secret);
	util_wipe(secret, sizeof secret);
	is_mem(secret, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", sizeof secret,
	       "util_wipe zeroes the buffer");
	util_wipe(NULL, zero);
	ok(true, "util_wipe of 0 bytes at NULL is harmless");

	is_int(util_hex_digit('0'), 0, "util_hex_digit '0'");
	is_int(util_hex_digit('9'), 9, "util_hex_digit '9'");
	is_int(util_hex_digit('a'), 10, "util_hex_digit 'a'");
	is_int(util_hex_digit('F'), 15, "util_hex_digit 'F'");
	is_int(util_hex_digit('g'), -1, "util_hex_digit 'g' is no digit");
	is_int(util_hex_digit('/'), -1, "util_hex_digit '/' (just below '0') is no digit");
	is_int(util_hex_digit('@'), -1, "util_hex_digit '@' (just below 'A') is no digit");
	is_int(util_hex_digit('\0'), -1, "util_hex_digit NUL is no digit");

	is_int(count_args(2, "%d", 1), 2, "PRINTF_LIKE compiles on a variadic function");
	is_int(answer(), 42, "WARN_UNUSED compiles on a function");
	return tap_done();
}
