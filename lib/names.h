/*
 * names - value-to-name tables for protocol constants.
 *
 * Each protocol's X-macro lists become static arrays of struct name_row;
 * name_find() looks a value up (a linear walk: the tables are a few dozen
 * rows) and name_format() writes the name or, for a value the table does
 * not know, its decimal number, so a log line always says something true.
 * Knows no protocol; never allocates.
 */
#ifndef L2TPSEC_LIB_NAMES_H
#define L2TPSEC_LIB_NAMES_H

#include <stddef.h>

#include "lib/util.h"

struct name_row {
	unsigned value;
	const char *name;
};

/* A table and its length; (NULL, 0) is an empty table. */
struct name_table {
	const struct name_row *rows;
	size_t count;
};

/* An X-macro row maker: X(identifier, value, name). */
#define NAME_ROW(identifier, value, name) { (value), (name) },
#define NAME_TABLE(rows) ((struct name_table){ (rows), ARRAY_SIZE(rows) })

/* The name of value, or NULL. */
const char *name_find(struct name_table table, unsigned value);

/* The name of value, or its decimal number, into buf (always NUL-terminated). */
void name_format(char *buf, size_t size, struct name_table table, unsigned value);

#endif
