/*
 * l2tp_const.c - the name tables of l2tp_const.h.
 *
 * Each X-macro list becomes one static table of {value, name}; one lookup
 * walks a table and falls back to the decimal value.
 */
#include "config.h"

#include <stdio.h>

#include "l2tp/l2tp_const.h"
#include "lib/util.h"

struct l2tp_name_row {
	unsigned value;
	const char *name;
};

#define NAME_ROW(identifier, value, name) { (value), (name) },

static const struct l2tp_name_row l2tp_msg_rows[] = { L2TP_MSG_LIST(NAME_ROW) };
static const struct l2tp_name_row l2tp_avp_rows[] = { L2TP_AVP_LIST(NAME_ROW) };
static const struct l2tp_name_row l2tp_ms_avp_rows[] = { L2TP_MS_AVP_LIST(NAME_ROW) };
static const struct l2tp_name_row l2tp_vendor_rows[] = { L2TP_VENDOR_LIST(NAME_ROW) };
static const struct l2tp_name_row l2tp_stopccn_rows[] = { L2TP_STOPCCN_RESULT_LIST(NAME_ROW) };
static const struct l2tp_name_row l2tp_cdn_rows[] = { L2TP_CDN_RESULT_LIST(NAME_ROW) };
static const struct l2tp_name_row l2tp_error_rows[] = { L2TP_ERROR_LIST(NAME_ROW) };

struct l2tp_name_table {
	const struct l2tp_name_row *rows;
	size_t count;
};

#define L2TP_NAME_TABLE(rows) ((struct l2tp_name_table){ (rows), ARRAY_SIZE(rows) })

static const char *l2tp_name_find(struct l2tp_name_table table, unsigned value)
{
	for (size_t i = 0; i < table.count; i++)
		if (table.rows[i].value == value)
			return table.rows[i].name;
	return NULL;
}

static struct l2tp_name l2tp_name_get(struct l2tp_name_table table, unsigned value)
{
	struct l2tp_name out;
	const char *name = l2tp_name_find(table, value);

	if (name)
		snprintf(out.str, sizeof(out.str), "%s", name);
	else
		snprintf(out.str, sizeof(out.str), "%u", value);
	return out;
}

struct l2tp_name l2tp_msg_type_name(unsigned value)
{
	return l2tp_name_get(L2TP_NAME_TABLE(l2tp_msg_rows), value);
}

struct l2tp_name l2tp_avp_name(unsigned vendor, unsigned type)
{
	struct l2tp_name out;
	const char *name = NULL;

	if (vendor == L2TP_VENDOR_IETF)
		name = l2tp_name_find(L2TP_NAME_TABLE(l2tp_avp_rows), type);
	else if (vendor == L2TP_VENDOR_MICROSOFT)
		name = l2tp_name_find(L2TP_NAME_TABLE(l2tp_ms_avp_rows), type);
	if (name)
		snprintf(out.str, sizeof(out.str), "%s", name);
	else if (vendor == L2TP_VENDOR_IETF)
		snprintf(out.str, sizeof(out.str), "%u", type);
	else
		snprintf(out.str, sizeof(out.str), "%u:%u", vendor, type);
	return out;
}

struct l2tp_name l2tp_vendor_name(unsigned value)
{
	return l2tp_name_get(L2TP_NAME_TABLE(l2tp_vendor_rows), value);
}

struct l2tp_name l2tp_stopccn_result_name(unsigned value)
{
	return l2tp_name_get(L2TP_NAME_TABLE(l2tp_stopccn_rows), value);
}

struct l2tp_name l2tp_cdn_result_name(unsigned value)
{
	return l2tp_name_get(L2TP_NAME_TABLE(l2tp_cdn_rows), value);
}

struct l2tp_name l2tp_error_name(unsigned value)
{
	return l2tp_name_get(L2TP_NAME_TABLE(l2tp_error_rows), value);
}

bool l2tp_msg_type_known(unsigned value)
{
	return l2tp_name_find(L2TP_NAME_TABLE(l2tp_msg_rows), value) != NULL;
}

bool l2tp_avp_known(unsigned vendor, unsigned type)
{
	if (vendor == L2TP_VENDOR_IETF)
		return l2tp_name_find(L2TP_NAME_TABLE(l2tp_avp_rows), type) != NULL;
	if (vendor == L2TP_VENDOR_MICROSOFT)
		return l2tp_name_find(L2TP_NAME_TABLE(l2tp_ms_avp_rows), type) != NULL;
	return false;
}
