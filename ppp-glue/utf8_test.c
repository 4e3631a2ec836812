/*
 * utf8_test.c - the RFC 3629 edges: every length, overlong forms, surrogates,
 * the last code point, truncated and stray continuation bytes.
 */
#include "config.h"

#include "lib/util.h"
#include "ppp-glue/utf8.h"
#include "tests/harness/tap.h"

struct utf8_case {
	const char *name;
	const char *bytes;
	size_t len;
	size_t consumed;        /* 0: invalid */
	uint32_t code_point;
};

static const struct utf8_case utf8_cases[] = {
	{ "ASCII 'a'", "a", 1, 1, 0x61 },
	{ "NUL is a code point", "\0", 1, 1, 0 },
	{ "U+00E9 (2 bytes)", "\xc3\xa9", 2, 2, 0xe9 },
	{ "U+0080, the lowest 2-byte", "\xc2\x80", 2, 2, 0x80 },
	{ "U+20AC (3 bytes)", "\xe2\x82\xac", 3, 3, 0x20ac },
	{ "U+0800, the lowest 3-byte", "\xe0\xa0\x80", 3, 3, 0x800 },
	{ "U+1F600 (4 bytes)", "\xf0\x9f\x98\x80", 4, 4, 0x1f600 },
	{ "U+10FFFF, the last", "\xf4\x8f\xbf\xbf", 4, 4, 0x10ffff },
	{ "0xc0 0xaf: overlong '/'", "\xc0\xaf", 2, 0, 0 },
	{ "0xe0 0x80 0xaf: overlong '/'", "\xe0\x80\xaf", 3, 0, 0 },
	{ "0xf0 0x80 0x80 0xaf: overlong '/'", "\xf0\x80\x80\xaf", 4, 0, 0 },
	{ "U+D800: a surrogate", "\xed\xa0\x80", 3, 0, 0 },
	{ "U+DFFF: a surrogate", "\xed\xbf\xbf", 3, 0, 0 },
	{ "U+110000: past the last", "\xf4\x90\x80\x80", 4, 0, 0 },
	{ "0xf5 lead byte", "\xf5\x80\x80\x80", 4, 0, 0 },
	{ "a lone continuation byte", "\x80", 1, 0, 0 },
	{ "a 3-byte sequence cut short", "\xe2\x82", 2, 0, 0 },
	{ "a lead byte then ASCII", "\xc3" "a", 2, 0, 0 },
	{ "0xff", "\xff", 1, 0, 0 },
	{ "Latin-1 e-acute alone", "\xe9", 1, 0, 0 },
};

int main(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(utf8_cases); i++) {
		const struct utf8_case *c = &utf8_cases[i];
		uint32_t code_point = 0xdeadbeef;
		size_t n = utf8_decode((const uint8_t *)c->bytes, c->len, &code_point);

		is_uint(n, c->consumed, "%s: consumed", c->name);
		is_uint(code_point, c->code_point, "%s: code point", c->name);
		ok(utf8_valid((const uint8_t *)c->bytes, c->len) == (c->consumed == c->len),
		   "%s: utf8_valid agrees", c->name);
	}
	ok(utf8_valid((const uint8_t *)"", 0), "the empty string is valid");
	ok(utf8_valid((const uint8_t *)"J\xc3\xbcrgen M\xc3\xbcller", 15), "a mixed name is valid");
	ok(!utf8_valid((const uint8_t *)"ok\xc3", 3), "a sequence cut by the end is invalid");
	return tap_done();
}
