/*
 * l2tp_const.c - the name tables of l2tp_const.h.
 *
 * Each X-macro list becomes one static table of {value, name}; one lookup
 * walks a table and falls back to the decimal value.
 */
#include "config.h"

#include <stdio.h>

#include "l2tp/l2tp_const.h"
#include "lib/names.h"
#include "lib/util.h"

static const struct name_row l2tp_msg_rows[] = { L2TP_MSG_LIST(NAME_ROW) };
static const struct name_row l2tp_avp_rows[] = { L2TP_AVP_LIST(NAME_ROW) };
static const struct name_row l2tp_ms_avp_rows[] = { L2TP_MS_AVP_LIST(NAME_ROW) };
static const struct name_row l2tp_vendor_rows[] = { L2TP_VENDOR_LIST(NAME_ROW) };
static const struct name_row l2tp_stopccn_rows[] = { L2TP_STOPCCN_RESULT_LIST(NAME_ROW) };
static const struct name_row l2tp_cdn_rows[] = { L2TP_CDN_RESULT_LIST(NAME_ROW) };
static const struct name_row l2tp_error_rows[] = { L2TP_ERROR_LIST(NAME_ROW) };

static struct l2tp_name l2tp_name_get(struct name_table table, unsigned value)
{
	struct l2tp_name out;

	name_format(out.str, sizeof(out.str), table, value);
	return out;
}

struct l2tp_name l2tp_msg_type_name(unsigned value)
{
	return l2tp_name_get(NAME_TABLE(l2tp_msg_rows), value);
}

struct l2tp_name l2tp_avp_name(unsigned vendor, unsigned type)
{
	struct l2tp_name out;
	const char *name = NULL;

	if (vendor == L2TP_VENDOR_IETF)
		name = name_find(NAME_TABLE(l2tp_avp_rows), type);
	else if (vendor == L2TP_VENDOR_MICROSOFT)
		name = name_find(NAME_TABLE(l2tp_ms_avp_rows), type);
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
	return l2tp_name_get(NAME_TABLE(l2tp_vendor_rows), value);
}

struct l2tp_name l2tp_stopccn_result_name(unsigned value)
{
	return l2tp_name_get(NAME_TABLE(l2tp_stopccn_rows), value);
}

struct l2tp_name l2tp_cdn_result_name(unsigned value)
{
	return l2tp_name_get(NAME_TABLE(l2tp_cdn_rows), value);
}

struct l2tp_name l2tp_error_name(unsigned value)
{
	return l2tp_name_get(NAME_TABLE(l2tp_error_rows), value);
}

bool l2tp_msg_type_known(unsigned value)
{
	return name_find(NAME_TABLE(l2tp_msg_rows), value) != NULL;
}

bool l2tp_avp_known(unsigned vendor, unsigned type)
{
	if (vendor == L2TP_VENDOR_IETF)
		return name_find(NAME_TABLE(l2tp_avp_rows), type) != NULL;
	if (vendor == L2TP_VENDOR_MICROSOFT)
		return name_find(NAME_TABLE(l2tp_ms_avp_rows), type) != NULL;
	return false;
}
