/*
 * names_test.c - lookups, the number fallback, empty tables, truncation.
 */
#include "config.h"

#include "lib/names.h"
#include "tests/harness/tap.h"

#define COLOURS(X) X(RED, 1, "RED") X(GREEN, 2, "GREEN") X(BLUE, 300, "BLUE")

static const struct name_row colour_rows[] = { COLOURS(NAME_ROW) };

int main(void)
{
	struct name_table colours = NAME_TABLE(colour_rows);
	struct name_table empty = { NULL, 0 };
	char buf[16], tiny[4];

	is_int(colours.count, 3, "NAME_TABLE counts the rows");
	is_str(name_find(colours, 2), "GREEN", "a known value");
	is_str(name_find(colours, 300), "BLUE", "a value above 255");
	ok(name_find(colours, 3) == NULL, "an unknown value is NULL");
	ok(name_find(empty, 1) == NULL, "an empty table knows nothing");
	name_format(buf, sizeof(buf), colours, 1);
	is_str(buf, "RED", "format: the name");
	name_format(buf, sizeof(buf), colours, 4294967295u);
	is_str(buf, "4294967295", "format: an unknown value as its number");
	name_format(buf, sizeof(buf), empty, 0);
	is_str(buf, "0", "format: an empty table gives the number");
	name_format(tiny, sizeof(tiny), colours, 2);
	is_str(tiny, "GRE", "format: cut to the buffer, NUL-terminated");
	return tap_done();
}
