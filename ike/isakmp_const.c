/*
 * isakmp_const.c - the name tables of isakmp_const.h.
 *
 * Each X-macro list becomes one static table of {value, name}; one lookup
 * walks a table and falls back to the decimal value.  The tables are a few
 * dozen rows, so a linear walk is the whole algorithm.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "ike/isakmp_const.h"
#include "lib/names.h"
#include "lib/util.h"

static const struct name_row isakmp_exchange_rows[] = { ISAKMP_EXCHANGE_LIST(NAME_ROW) };
static const struct name_row isakmp_payload_rows[] = { ISAKMP_PAYLOAD_LIST(NAME_ROW) };
static const struct name_row isakmp_flag_rows[] = { ISAKMP_FLAG_LIST(NAME_ROW) };
static const struct name_row isakmp_notify_rows[] = { ISAKMP_NOTIFY_LIST(NAME_ROW) };
static const struct name_row isakmp_doi_rows[] = { ISAKMP_DOI_LIST(NAME_ROW) };
static const struct name_row isakmp_situation_rows[] = { ISAKMP_SITUATION_LIST(NAME_ROW) };
static const struct name_row isakmp_protocol_rows[] = { ISAKMP_PROTOCOL_LIST(NAME_ROW) };
static const struct name_row isakmp_key_rows[] = { ISAKMP_KEY_LIST(NAME_ROW) };
static const struct name_row ipsec_ah_rows[] = { IPSEC_AH_LIST(NAME_ROW) };
static const struct name_row ipsec_esp_rows[] = { IPSEC_ESP_LIST(NAME_ROW) };
static const struct name_row ipsec_ipcomp_rows[] = { IPSEC_IPCOMP_LIST(NAME_ROW) };
static const struct name_row isakmp_id_rows[] = { ISAKMP_ID_LIST(NAME_ROW) };
static const struct name_row oakley_attr_rows[] = { OAKLEY_ATTR_LIST(NAME_ROW) };
static const struct name_row oakley_encryption_rows[] = { OAKLEY_ENCRYPTION_LIST(NAME_ROW) };
static const struct name_row oakley_hash_rows[] = { OAKLEY_HASH_LIST(NAME_ROW) };
static const struct name_row oakley_auth_rows[] = { OAKLEY_AUTH_LIST(NAME_ROW) };
static const struct name_row oakley_group_rows[] = { OAKLEY_GROUP_LIST(NAME_ROW) };
static const struct name_row oakley_group_type_rows[] = { OAKLEY_GROUP_TYPE_LIST(NAME_ROW) };
static const struct name_row oakley_life_rows[] = { OAKLEY_LIFE_LIST(NAME_ROW) };
static const struct name_row ipsec_attr_rows[] = { IPSEC_ATTR_LIST(NAME_ROW) };
static const struct name_row ipsec_life_rows[] = { IPSEC_LIFE_LIST(NAME_ROW) };
static const struct name_row ipsec_encapsulation_rows[] = {
	IPSEC_ENCAPSULATION_LIST(NAME_ROW)
};
static const struct name_row ipsec_auth_rows[] = { IPSEC_AUTH_LIST(NAME_ROW) };

static struct isakmp_name isakmp_name_get(struct name_table table, unsigned value)
{
	struct isakmp_name out;

	name_format(out.str, sizeof(out.str), table, value);
	return out;
}

struct isakmp_name isakmp_exchange_name(unsigned value)
{
	return isakmp_name_get(NAME_TABLE(isakmp_exchange_rows), value);
}

struct isakmp_name isakmp_payload_name(unsigned value)
{
	return isakmp_name_get(NAME_TABLE(isakmp_payload_rows), value);
}

struct isakmp_name isakmp_flag_name(unsigned value)
{
	return isakmp_name_get(NAME_TABLE(isakmp_flag_rows), value);
}

struct isakmp_name isakmp_notify_name(unsigned value)
{
	return isakmp_name_get(NAME_TABLE(isakmp_notify_rows), value);
}

struct isakmp_name isakmp_doi_name(unsigned value)
{
	return isakmp_name_get(NAME_TABLE(isakmp_doi_rows), value);
}

struct isakmp_name isakmp_situation_name(unsigned value)
{
	return isakmp_name_get(NAME_TABLE(isakmp_situation_rows), value);
}

struct isakmp_name isakmp_protocol_name(unsigned value)
{
	return isakmp_name_get(NAME_TABLE(isakmp_protocol_rows), value);
}

struct isakmp_name isakmp_id_type_name(unsigned value)
{
	return isakmp_name_get(NAME_TABLE(isakmp_id_rows), value);
}

struct isakmp_name isakmp_transform_id_name(unsigned protocol, unsigned transform_id)
{
	struct name_table table = { NULL, 0 };

	switch (protocol) {
	case ISAKMP_PROTO_ISAKMP:
		table = NAME_TABLE(isakmp_key_rows);
		break;
	case ISAKMP_PROTO_IPSEC_AH:
		table = NAME_TABLE(ipsec_ah_rows);
		break;
	case ISAKMP_PROTO_IPSEC_ESP:
		table = NAME_TABLE(ipsec_esp_rows);
		break;
	case ISAKMP_PROTO_IPCOMP:
		table = NAME_TABLE(ipsec_ipcomp_rows);
		break;
	}
	return isakmp_name_get(table, transform_id);
}

struct isakmp_name isakmp_oakley_attr_name(unsigned type)
{
	return isakmp_name_get(NAME_TABLE(oakley_attr_rows), type);
}

struct isakmp_name isakmp_oakley_value_name(unsigned type, unsigned value)
{
	struct name_table table = { NULL, 0 };

	switch (type) {
	case OAKLEY_ENCRYPTION_ALGORITHM:
		table = NAME_TABLE(oakley_encryption_rows);
		break;
	case OAKLEY_HASH_ALGORITHM:
		table = NAME_TABLE(oakley_hash_rows);
		break;
	case OAKLEY_AUTHENTICATION_METHOD:
		table = NAME_TABLE(oakley_auth_rows);
		break;
	case OAKLEY_GROUP_DESCRIPTION:
		table = NAME_TABLE(oakley_group_rows);
		break;
	case OAKLEY_GROUP_TYPE:
		table = NAME_TABLE(oakley_group_type_rows);
		break;
	case OAKLEY_LIFE_TYPE:
		table = NAME_TABLE(oakley_life_rows);
		break;
	}
	return isakmp_name_get(table, value);
}

struct isakmp_name isakmp_ipsec_attr_name(unsigned type)
{
	return isakmp_name_get(NAME_TABLE(ipsec_attr_rows), type);
}

struct isakmp_name isakmp_ipsec_value_name(unsigned type, unsigned value)
{
	struct name_table table = { NULL, 0 };

	switch (type) {
	case IPSEC_SA_LIFE_TYPE:
		table = NAME_TABLE(ipsec_life_rows);
		break;
	case IPSEC_GROUP_DESCRIPTION:
		table = NAME_TABLE(oakley_group_rows);
		break;
	case IPSEC_ENCAPSULATION_MODE:
		table = NAME_TABLE(ipsec_encapsulation_rows);
		break;
	case IPSEC_AUTH_ALGORITHM:
		table = NAME_TABLE(ipsec_auth_rows);
		break;
	}
	return isakmp_name_get(table, value);
}

bool isakmp_payload_known(unsigned type)
{
	return type != ISAKMP_PAYLOAD_NONE &&
	       name_find(NAME_TABLE(isakmp_payload_rows), type) != NULL;
}
