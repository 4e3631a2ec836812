/*
 * names.c - value-to-name lookups.
 */
#include "config.h"

#include <stdio.h>

#include "lib/names.h"

const char *name_find(struct name_table table, unsigned value)
{
	for (size_t i = 0; i < table.count; i++)
		if (table.rows[i].value == value)
			return table.rows[i].name;
	return NULL;
}

void name_format(char *buf, size_t size, struct name_table table, unsigned value)
{
	const char *name = name_find(table, value);

	if (name)
		snprintf(buf, size, "%s", name);
	else
		snprintf(buf, size, "%u", value);
}
