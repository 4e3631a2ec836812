/*
 * l2tp_wire.c - RFC 2661 header and AVP parsing and building.
 *
 * Straight-line parsers on lib/wire's cursor: read what the flags announce,
 * check once.  See l2tp_wire.h for the rules and README-DESIGN.txt for what
 * is tolerated and why.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "l2tp/l2tp_wire.h"

#define VERDICT_NAME_ROW(verdict, error, text) #verdict,
#define VERDICT_TEXT_ROW(verdict, error, text) text,
#define VERDICT_ERROR_ROW(verdict, error, text) error,

static const char *const l2tp_verdict_names[] = { L2TP_VERDICT_LIST(VERDICT_NAME_ROW) };
static const char *const l2tp_verdict_texts[] = { L2TP_VERDICT_LIST(VERDICT_TEXT_ROW) };
static const enum l2tp_error_code l2tp_verdict_errors[] = { L2TP_VERDICT_LIST(VERDICT_ERROR_ROW) };

struct l2tp_name l2tp_verdict_name(enum l2tp_verdict verdict)
{
	struct l2tp_name out;

	if ((unsigned)verdict < ARRAY_SIZE(l2tp_verdict_names))
		snprintf(out.str, sizeof(out.str), "%s", l2tp_verdict_names[verdict]);
	else
		snprintf(out.str, sizeof(out.str), "%u", (unsigned)verdict);
	return out;
}

const char *l2tp_verdict_text(enum l2tp_verdict verdict)
{
	if ((unsigned)verdict < ARRAY_SIZE(l2tp_verdict_texts))
		return l2tp_verdict_texts[verdict];
	return "unknown verdict";
}

enum l2tp_error_code l2tp_verdict_error(enum l2tp_verdict verdict)
{
	if ((unsigned)verdict < ARRAY_SIZE(l2tp_verdict_errors))
		return l2tp_verdict_errors[verdict];
	return L2TP_ERROR_NONE;
}

/* ------------------------------------------------------------ header */

enum l2tp_verdict l2tp_hdr_parse(struct wire_span datagram, struct l2tp_hdr *hdr)
{
	struct wire_rd rd = wire_rd_init(datagram.p, datagram.len);
	size_t end;

	memset(hdr, 0, sizeof(*hdr));
	hdr->flags = wire_be16(&rd);
	if (!wire_ok(&rd))
		return L2TP_ERR_SHORT;
	hdr->control = (hdr->flags & L2TP_HDR_T) != 0;
	hdr->has_length = (hdr->flags & L2TP_HDR_L) != 0;
	hdr->has_sequence = (hdr->flags & L2TP_HDR_S) != 0;
	hdr->has_offset = (hdr->flags & L2TP_HDR_O) != 0;
	hdr->priority = (hdr->flags & L2TP_HDR_P) != 0;
	hdr->version = (uint8_t)(hdr->flags & L2TP_HDR_VERSION_MASK);
	if (hdr->version == 3)
		return L2TP_ERR_VERSION3;
	if (hdr->version != L2TP_VERSION)
		return L2TP_ERR_VERSION;
	if (hdr->control && (!hdr->has_length || !hdr->has_sequence || hdr->has_offset))
		return L2TP_ERR_CONTROL_FLAGS;

	if (hdr->has_length)
		hdr->length = wire_be16(&rd);
	hdr->tunnel_id = wire_be16(&rd);
	hdr->session_id = wire_be16(&rd);
	if (hdr->has_sequence) {
		hdr->ns = wire_be16(&rd);
		hdr->nr = wire_be16(&rd);
	}
	if (!wire_ok(&rd))
		return L2TP_ERR_SHORT;

	/* The message ends at Length (L=1) or at the end of the datagram. */
	if (hdr->has_length) {
		if (hdr->length < rd.off || hdr->length > datagram.len)
			return L2TP_ERR_LENGTH;
		end = hdr->length;
		hdr->trailing = datagram.len - end;
	} else {
		end = datagram.len;
		hdr->length = (uint16_t)MIN(datagram.len, (size_t)UINT16_MAX);
	}

	/* Everything after the fixed fields up to `end` (rd.off <= end holds). */
	struct wire_rd body = wire_rd_init(datagram.p + rd.off, end - rd.off);

	if (hdr->has_offset) {
		hdr->offset_size = wire_be16(&body);
		if (!wire_ok(&body))
			return L2TP_ERR_OFFSET;
		wire_skip(&body, hdr->offset_size);
		if (!wire_ok(&body))
			return L2TP_ERR_OFFSET;
	}
	hdr->payload = wire_rest(&body);
	return L2TP_OK;
}

/* ------------------------------------------------------------ AVPs */

void l2tp_avp_iter_init(struct l2tp_avp_iter *iter, struct wire_span body)
{
	iter->rd = wire_rd_init(body.p, body.len);
	iter->verdict = L2TP_OK;
}

bool l2tp_avp_next(struct l2tp_avp_iter *iter, struct l2tp_avp *avp)
{
	uint16_t bits;
	size_t length;

	memset(avp, 0, sizeof(*avp));
	if (iter->verdict != L2TP_OK || wire_left(&iter->rd) == 0)
		return false;
	if (wire_left(&iter->rd) < L2TP_AVP_HDR_LEN) {
		iter->verdict = L2TP_ERR_AVP_LENGTH;
		return false;
	}
	bits = wire_be16(&iter->rd);
	length = bits & L2TP_AVP_LENGTH_MASK;
	/* The header's 2 octets are read; Length counts them. */
	if (length < L2TP_AVP_HDR_LEN || length - 2 > wire_left(&iter->rd)) {
		iter->verdict = L2TP_ERR_AVP_LENGTH;
		return false;
	}
	avp->mandatory = (bits & L2TP_AVP_FLAG_MANDATORY) != 0;
	avp->hidden = (bits & L2TP_AVP_FLAG_HIDDEN) != 0;
	avp->reserved = (uint8_t)((bits & L2TP_AVP_FLAG_RESERVED) >> 10);
	avp->vendor_id = wire_be16(&iter->rd);
	avp->type = wire_be16(&iter->rd);
	avp->value = wire_view(&iter->rd, length - L2TP_AVP_HDR_LEN);
	avp->known = avp->reserved == 0 && l2tp_avp_known(avp->vendor_id, avp->type);
	if (!wire_ok(&iter->rd)) { /* cannot happen after the check above; stays safe */
		iter->verdict = L2TP_ERR_AVP_LENGTH;
		return false;
	}
	return true;
}

static enum l2tp_verdict l2tp_msg_check_type(const struct l2tp_avp *first, uint16_t *type)
{
	if (first->vendor_id != L2TP_VENDOR_IETF || first->type != L2TP_AVP_MESSAGE_TYPE ||
	    first->reserved != 0)
		return L2TP_ERR_NO_MESSAGE_TYPE;
	if (first->hidden || l2tp_avp_get_u16(first->value, type) != L2TP_OK)
		return L2TP_ERR_MESSAGE_TYPE;
	return L2TP_OK;
}

enum l2tp_verdict l2tp_msg_parse(struct wire_span body, struct l2tp_msg *msg)
{
	struct l2tp_avp_iter iter;
	struct l2tp_avp avp;
	struct wire_span random_vector = { NULL, 0 };
	bool have_random_vector = false;
	enum l2tp_verdict verdict;

	msg->type = 0;
	msg->count = 0;
	msg->zlb = body.len == 0;
	if (msg->zlb)
		return L2TP_OK;

	l2tp_avp_iter_init(&iter, body);
	while (l2tp_avp_next(&iter, &avp)) {
		if (msg->count == 0) {
			verdict = l2tp_msg_check_type(&avp, &msg->type);
			if (verdict != L2TP_OK)
				return verdict;
		}
		if (msg->count == L2TP_AVPS_MAX)
			return L2TP_ERR_TOO_MANY;
		if (avp.hidden) {
			if (!have_random_vector)
				return L2TP_ERR_HIDDEN_NO_RANDOM_VECTOR;
			avp.random_vector = random_vector;
		}
		if (avp.known && avp.vendor_id == L2TP_VENDOR_IETF &&
		    avp.type == L2TP_AVP_RANDOM_VECTOR && !avp.hidden) {
			random_vector = avp.value;
			have_random_vector = true;
		}
		msg->avps[msg->count++] = avp;
	}
	if (iter.verdict != L2TP_OK)
		return iter.verdict;
	return L2TP_OK;
}

const struct l2tp_avp *l2tp_msg_find(const struct l2tp_msg *msg, uint16_t vendor, uint16_t type)
{
	for (size_t i = 0; i < msg->count; i++) {
		const struct l2tp_avp *avp = &msg->avps[i];

		if (avp->vendor_id == vendor && avp->type == type && avp->reserved == 0)
			return avp;
	}
	return NULL;
}

const struct l2tp_avp *l2tp_msg_find_unknown_mandatory(const struct l2tp_msg *msg)
{
	for (size_t i = 0; i < msg->count; i++)
		if (msg->avps[i].mandatory && !msg->avps[i].known)
			return &msg->avps[i];
	return NULL;
}

/* ------------------------------------------------------------ typed values */

enum l2tp_verdict l2tp_avp_get_u16(struct wire_span value, uint16_t *out)
{
	struct wire_rd rd = wire_rd_init(value.p, value.len);

	*out = wire_be16(&rd);
	if (!wire_done(&rd)) {
		*out = 0;
		return L2TP_ERR_VALUE;
	}
	return L2TP_OK;
}

enum l2tp_verdict l2tp_avp_get_u32(struct wire_span value, uint32_t *out)
{
	struct wire_rd rd = wire_rd_init(value.p, value.len);

	*out = wire_be32(&rd);
	if (!wire_done(&rd)) {
		*out = 0;
		return L2TP_ERR_VALUE;
	}
	return L2TP_OK;
}

enum l2tp_verdict l2tp_avp_get_protocol_version(struct wire_span value, uint8_t *version,
						uint8_t *revision)
{
	struct wire_rd rd = wire_rd_init(value.p, value.len);

	*version = wire_u8(&rd);
	*revision = wire_u8(&rd);
	if (!wire_done(&rd)) {
		*version = 0;
		*revision = 0;
		return L2TP_ERR_VALUE;
	}
	return L2TP_OK;
}

enum l2tp_verdict l2tp_avp_get_tie_breaker(struct wire_span value,
					   uint8_t out[L2TP_TIE_BREAKER_LEN])
{
	struct wire_rd rd = wire_rd_init(value.p, value.len);

	wire_bytes(&rd, out, L2TP_TIE_BREAKER_LEN);
	if (!wire_done(&rd)) {
		memset(out, 0, L2TP_TIE_BREAKER_LEN);
		return L2TP_ERR_VALUE;
	}
	return L2TP_OK;
}

enum l2tp_verdict l2tp_avp_get_string(struct wire_span value, size_t min_len,
				      struct wire_span *out)
{
	out->p = NULL;
	out->len = 0;
	if (value.len < min_len || value.len > L2TP_AVP_VALUE_MAX)
		return L2TP_ERR_VALUE;
	*out = value;
	return L2TP_OK;
}

enum l2tp_verdict l2tp_avp_get_challenge(struct wire_span value, struct wire_span *out)
{
	return l2tp_avp_get_string(value, 1, out);
}

enum l2tp_verdict l2tp_avp_get_result_code(struct wire_span value, struct l2tp_result *out)
{
	struct wire_rd rd = wire_rd_init(value.p, value.len);

	memset(out, 0, sizeof(*out));
	out->result_code = wire_be16(&rd);
	if (wire_ok(&rd) && wire_left(&rd) > 0) {
		out->has_error_code = true;
		out->error_code = wire_be16(&rd);
		out->message = wire_rest(&rd);
	}
	if (!wire_done(&rd)) {
		memset(out, 0, sizeof(*out));
		return L2TP_ERR_VALUE;
	}
	return L2TP_OK;
}

/* ------------------------------------------------------------ builders */

size_t l2tp_ctrl_begin(struct wire_wr *wr, uint16_t tunnel_id, uint16_t session_id)
{
	size_t start = wire_mark(wr);

	wire_put_be16(wr, L2TP_HDR_CTRL_FLAGS);
	wire_put_be16(wr, 0); /* Length, patched */
	wire_put_be16(wr, tunnel_id);
	wire_put_be16(wr, session_id);
	wire_put_be16(wr, 0); /* Ns, patched */
	wire_put_be16(wr, 0); /* Nr, patched */
	return start;
}

void l2tp_ctrl_finish(struct wire_wr *wr, size_t start, uint16_t ns, uint16_t nr)
{
	size_t end = wire_mark(wr);

	if (end < start || end - start > UINT16_MAX) {
		wr->bad = true;
		return;
	}
	wire_patch_be16(wr, start + 2, (uint16_t)(end - start));
	wire_patch_be16(wr, start + 8, ns);
	wire_patch_be16(wr, start + 10, nr);
}

void l2tp_zlb_build(struct wire_wr *wr, uint16_t tunnel_id, uint16_t session_id, uint16_t ns,
		    uint16_t nr)
{
	size_t start = l2tp_ctrl_begin(wr, tunnel_id, session_id);

	l2tp_ctrl_finish(wr, start, ns, nr);
}

void l2tp_avp_put_bytes(struct wire_wr *wr, uint16_t flags, uint16_t vendor, uint16_t type,
			const void *value, size_t len)
{
	if (len > L2TP_AVP_VALUE_MAX) {
		wr->bad = true;
		return;
	}
	flags &= L2TP_AVP_FLAG_MANDATORY | L2TP_AVP_FLAG_HIDDEN;
	wire_put_be16(wr, (uint16_t)(flags | (uint16_t)(L2TP_AVP_HDR_LEN + len)));
	wire_put_be16(wr, vendor);
	wire_put_be16(wr, type);
	if (len > 0)
		wire_put_bytes(wr, value, len);
}

void l2tp_avp_put_u16(struct wire_wr *wr, uint16_t flags, uint16_t vendor, uint16_t type,
		      uint16_t value)
{
	uint8_t be[2] = { (uint8_t)(value >> 8), (uint8_t)value };

	l2tp_avp_put_bytes(wr, flags, vendor, type, be, sizeof(be));
}

void l2tp_avp_put_u32(struct wire_wr *wr, uint16_t flags, uint16_t vendor, uint16_t type,
		      uint32_t value)
{
	uint8_t be[4] = { (uint8_t)(value >> 24), (uint8_t)(value >> 16), (uint8_t)(value >> 8),
			  (uint8_t)value };

	l2tp_avp_put_bytes(wr, flags, vendor, type, be, sizeof(be));
}

void l2tp_avp_put_string(struct wire_wr *wr, uint16_t flags, uint16_t vendor, uint16_t type,
			 const char *value)
{
	l2tp_avp_put_bytes(wr, flags, vendor, type, value, strlen(value));
}

void l2tp_avp_put_message_type(struct wire_wr *wr, uint16_t type)
{
	l2tp_avp_put_u16(wr, L2TP_AVP_FLAG_MANDATORY, L2TP_VENDOR_IETF, L2TP_AVP_MESSAGE_TYPE,
			 type);
}

void l2tp_avp_put_result_code(struct wire_wr *wr, uint16_t result_code, bool with_error_code,
			      uint16_t error_code, const char *message, size_t message_len)
{
	size_t len = 2 + (with_error_code ? 2 + message_len : 0);

	if (len > L2TP_AVP_VALUE_MAX) {
		wr->bad = true;
		return;
	}
	wire_put_be16(wr, (uint16_t)(L2TP_AVP_FLAG_MANDATORY | (uint16_t)(L2TP_AVP_HDR_LEN + len)));
	wire_put_be16(wr, L2TP_VENDOR_IETF);
	wire_put_be16(wr, L2TP_AVP_RESULT_CODE);
	wire_put_be16(wr, result_code);
	if (with_error_code) {
		wire_put_be16(wr, error_code);
		if (message_len > 0)
			wire_put_bytes(wr, message, message_len);
	}
}
