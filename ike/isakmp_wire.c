/*
 * isakmp_wire.c - the IKEv1 message codec (see isakmp_wire.h).
 *
 * Parsers read only through struct wire_rd.  Every nested structure
 * (payload, proposal, transform) is taken with one helper,
 * isakmp_generic_take(), which reads the 4-byte generic header, checks the
 * declared length against the minimum and against what is left, and hands
 * back a sub-cursor of exactly that length: the one place where a declared
 * length meets the bytes present.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "ike/isakmp_wire.h"

struct isakmp_verdict_row {
	const char *name;
	unsigned notify;
};

#define ISAKMP_VERDICT_ROW(verdict, notify, text) { #verdict, (notify) },

static const struct isakmp_verdict_row isakmp_verdict_rows[] = {
	ISAKMP_VERDICT_LIST(ISAKMP_VERDICT_ROW)
};

struct isakmp_name isakmp_verdict_name(enum isakmp_verdict verdict)
{
	struct isakmp_name out;
	size_t i = (size_t)verdict;

	if (i < ARRAY_SIZE(isakmp_verdict_rows))
		snprintf(out.str, sizeof(out.str), "%s", isakmp_verdict_rows[i].name);
	else
		snprintf(out.str, sizeof(out.str), "%zu", i);
	return out;
}

enum isakmp_notify_type isakmp_verdict_notify(enum isakmp_verdict verdict)
{
	size_t i = (size_t)verdict;

	if (i < ARRAY_SIZE(isakmp_verdict_rows))
		return (enum isakmp_notify_type)isakmp_verdict_rows[i].notify;
	return ISAKMP_NOTIFY_PAYLOAD_MALFORMED;
}

/* Poisons a cursor: every later read fails and wire_ok() says so. */
static void isakmp_rd_fail(struct wire_rd *rd)
{
	rd->bad = true;
}

/*
 * The generic header at the cursor (RFC 2408 §3.2): Next Payload, RESERVED,
 * Payload Length.  The length counts the header itself and must be at least
 * min_len and fit in what is left; then *body is a cursor over exactly the
 * length - 4 octets after the header, *raw the whole structure, and the
 * parent has moved past it.  False (parent cursor bad) otherwise.
 */
static bool isakmp_generic_take(struct wire_rd *rd, size_t min_len, uint8_t *next_payload,
				struct wire_span *raw, struct wire_rd *body)
{
	struct wire_rd peek = *rd;
	uint16_t length;

	*next_payload = wire_u8(&peek);
	(void)wire_u8(&peek);
	length = wire_be16(&peek);
	if (!wire_ok(&peek) || length < min_len || length > wire_left(rd)) {
		isakmp_rd_fail(rd);
		*raw = (struct wire_span){ NULL, 0 };
		*body = wire_rd_init(NULL, 0);
		return false;
	}
	*raw = wire_view(rd, length);
	*body = wire_rd_init(raw->p, raw->len);
	wire_skip(body, ISAKMP_GENERIC_LEN);
	return true;
}

enum isakmp_verdict isakmp_hdr_parse(struct wire_span datagram, struct isakmp_hdr *hdr)
{
	struct wire_rd rd = wire_rd_init(datagram.p, datagram.len);
	uint8_t version;

	memset(hdr, 0, sizeof(*hdr));
	if (datagram.len < ISAKMP_HDR_LEN)
		return ISAKMP_ERR_SHORT;
	(void)wire_bytes(&rd, hdr->initiator_cookie, sizeof(hdr->initiator_cookie));
	(void)wire_bytes(&rd, hdr->responder_cookie, sizeof(hdr->responder_cookie));
	hdr->next_payload = wire_u8(&rd);
	version = wire_u8(&rd);
	hdr->major_version = (uint8_t)(version >> 4);
	hdr->minor_version = (uint8_t)(version & 0x0f);
	hdr->exchange_type = wire_u8(&rd);
	hdr->flags = wire_u8(&rd);
	hdr->message_id = wire_be32(&rd);
	hdr->length = wire_be32(&rd);
	if (!wire_ok(&rd))
		return ISAKMP_ERR_SHORT;
	if (hdr->major_version != ISAKMP_MAJOR_VERSION)
		return ISAKMP_ERR_VERSION;
	if (hdr->minor_version != ISAKMP_MINOR_VERSION)
		return ISAKMP_ERR_MINOR_VERSION;
	if (hdr->length != datagram.len)
		return ISAKMP_ERR_LENGTH;
	if (hdr->flags & ~ISAKMP_FLAGS_KNOWN)
		return ISAKMP_ERR_FLAGS;
	hdr->body = wire_rest(&rd);
	return ISAKMP_OK;
}

enum isakmp_verdict isakmp_payloads_parse(uint8_t first_payload, struct wire_span body,
					  bool encrypted, struct isakmp_msg *msg)
{
	struct wire_rd rd = wire_rd_init(body.p, body.len);
	uint8_t type = first_payload;
	size_t trailing;

	memset(msg, 0, sizeof(*msg));
	while (type != ISAKMP_PAYLOAD_NONE) {
		struct isakmp_payload *payload;
		struct wire_rd payload_body;
		uint8_t next;

		if (msg->count == ISAKMP_PAYLOADS_MAX)
			return ISAKMP_ERR_TOO_MANY;
		if (wire_left(&rd) < ISAKMP_GENERIC_LEN)
			return ISAKMP_ERR_SHORT;
		payload = &msg->payloads[msg->count];
		if (!isakmp_generic_take(&rd, ISAKMP_GENERIC_LEN, &next, &payload->raw, &payload_body))
			return ISAKMP_ERR_LENGTH;
		payload->type = type;
		payload->known = isakmp_payload_known(type);
		payload->body = wire_rest(&payload_body);
		if (!payload->known)
			msg->unknown_count++;
		msg->count++;
		type = next;
	}
	trailing = wire_left(&rd);
	if (trailing > 0 && (!encrypted || trailing > ISAKMP_PADDING_MAX))
		return ISAKMP_ERR_TRAILING;
	msg->padding = wire_rest(&rd);
	return ISAKMP_OK;
}

const struct isakmp_payload *isakmp_msg_find(const struct isakmp_msg *msg, uint8_t type,
					     size_t nth)
{
	for (size_t i = 0; i < msg->count; i++) {
		if (msg->payloads[i].type != type)
			continue;
		if (nth == 0)
			return &msg->payloads[i];
		nth--;
	}
	return NULL;
}

size_t isakmp_msg_count(const struct isakmp_msg *msg, uint8_t type)
{
	size_t n = 0;

	for (size_t i = 0; i < msg->count; i++)
		if (msg->payloads[i].type == type)
			n++;
	return n;
}

bool isakmp_attr_next(struct wire_rd *rd, struct isakmp_attr *attr)
{
	uint16_t type_word, second_word;

	memset(attr, 0, sizeof(*attr));
	if (wire_left(rd) == 0)
		return false;
	type_word = wire_be16(rd);
	second_word = wire_be16(rd);
	if (!wire_ok(rd))
		return false;
	attr->type = (uint16_t)(type_word & ~ISAKMP_ATTR_AF);
	if (type_word & ISAKMP_ATTR_AF) {
		attr->basic = true;
		attr->numeric = true;
		attr->value = second_word;
		return true;
	}
	attr->data = wire_view(rd, second_word);
	if (!wire_ok(rd)) {
		memset(attr, 0, sizeof(*attr));
		return false;
	}
	if (attr->data.len >= 1 && attr->data.len <= ISAKMP_ATTR_NUMBER_MAX) {
		struct wire_rd number = wire_rd_init(attr->data.p, attr->data.len);

		attr->numeric = true;
		while (wire_left(&number) > 0)
			attr->value = attr->value << 8 | wire_u8(&number);
	}
	return true;
}

enum isakmp_verdict isakmp_attrs_parse(struct wire_span attrs)
{
	struct wire_rd rd = wire_rd_init(attrs.p, attrs.len);
	struct isakmp_attr attr;

	while (isakmp_attr_next(&rd, &attr))
		continue;
	return wire_ok(&rd) ? ISAKMP_OK : ISAKMP_ERR_ATTRIBUTE;
}

enum isakmp_verdict isakmp_transform_parse(struct wire_rd *rd, struct isakmp_transform *transform)
{
	struct wire_rd in;
	struct wire_span raw;
	enum isakmp_verdict verdict;

	memset(transform, 0, sizeof(*transform));
	/* generic header + Transform #, Transform-Id, RESERVED2 */
	if (!isakmp_generic_take(rd, 8, &transform->next_payload, &raw, &in))
		return ISAKMP_ERR_PROPOSAL;
	transform->number = wire_u8(&in);
	transform->transform_id = wire_u8(&in);
	wire_skip(&in, 2);
	transform->attrs = wire_rest(&in);
	verdict = isakmp_attrs_parse(transform->attrs);
	if (verdict != ISAKMP_OK)
		isakmp_rd_fail(rd);
	return verdict;
}

bool isakmp_transform_next(struct wire_rd *rd, struct isakmp_transform *transform)
{
	if (wire_left(rd) == 0) {
		memset(transform, 0, sizeof(*transform));
		return false;
	}
	return isakmp_transform_parse(rd, transform) == ISAKMP_OK;
}

/*
 * A chain of sub-payloads (RFC 2408 §3.5, §3.6): each one's Next Payload is
 * `more` while another follows and 0 on the last, and the last one ends
 * the span exactly.  At least one element.
 */
static enum isakmp_verdict isakmp_transforms_check(struct wire_span span, size_t *count)
{
	struct wire_rd rd = wire_rd_init(span.p, span.len);
	struct isakmp_transform transform;
	enum isakmp_verdict verdict;

	*count = 0;
	do {
		verdict = isakmp_transform_parse(&rd, &transform);
		if (verdict != ISAKMP_OK)
			return verdict;
		(*count)++;
		if (transform.next_payload == ISAKMP_PAYLOAD_NONE)
			return wire_left(&rd) == 0 ? ISAKMP_OK : ISAKMP_ERR_PROPOSAL;
		if (transform.next_payload != ISAKMP_PAYLOAD_TRANSFORM)
			return ISAKMP_ERR_PROPOSAL;
	} while (wire_left(&rd) > 0);
	return ISAKMP_ERR_PROPOSAL;
}

enum isakmp_verdict isakmp_proposal_parse(struct wire_rd *rd, struct isakmp_proposal *proposal)
{
	struct wire_rd in;
	struct wire_span raw;
	enum isakmp_verdict verdict;
	uint8_t spi_size;
	size_t present;

	memset(proposal, 0, sizeof(*proposal));
	/* generic header + Proposal #, Protocol-Id, SPI Size, # of Transforms */
	if (!isakmp_generic_take(rd, 8, &proposal->next_payload, &raw, &in))
		return ISAKMP_ERR_PROPOSAL;
	proposal->number = wire_u8(&in);
	proposal->protocol = wire_u8(&in);
	spi_size = wire_u8(&in);
	proposal->transform_count = wire_u8(&in);
	proposal->spi = wire_view(&in, spi_size);
	proposal->transforms = wire_rest(&in);
	if (!wire_ok(&in)) {
		isakmp_rd_fail(rd);
		return ISAKMP_ERR_PROPOSAL;
	}
	verdict = isakmp_transforms_check(proposal->transforms, &present);
	if (verdict == ISAKMP_OK && present != proposal->transform_count)
		verdict = ISAKMP_ERR_PROPOSAL;
	if (verdict != ISAKMP_OK)
		isakmp_rd_fail(rd);
	return verdict;
}

bool isakmp_proposal_next(struct wire_rd *rd, struct isakmp_proposal *proposal)
{
	if (wire_left(rd) == 0) {
		memset(proposal, 0, sizeof(*proposal));
		return false;
	}
	return isakmp_proposal_parse(rd, proposal) == ISAKMP_OK;
}

static enum isakmp_verdict isakmp_proposals_check(struct wire_span span, size_t *count)
{
	struct wire_rd rd = wire_rd_init(span.p, span.len);
	struct isakmp_proposal proposal;
	enum isakmp_verdict verdict;

	*count = 0;
	do {
		verdict = isakmp_proposal_parse(&rd, &proposal);
		if (verdict != ISAKMP_OK)
			return verdict;
		(*count)++;
		if (proposal.next_payload == ISAKMP_PAYLOAD_NONE)
			return wire_left(&rd) == 0 ? ISAKMP_OK : ISAKMP_ERR_PROPOSAL;
		if (proposal.next_payload != ISAKMP_PAYLOAD_PROPOSAL)
			return ISAKMP_ERR_PROPOSAL;
	} while (wire_left(&rd) > 0);
	return ISAKMP_ERR_PROPOSAL;
}

enum isakmp_verdict isakmp_sa_parse(struct wire_span body, struct isakmp_sa *sa)
{
	struct wire_rd rd = wire_rd_init(body.p, body.len);
	struct wire_span proposals;
	enum isakmp_verdict verdict;
	size_t count;

	memset(sa, 0, sizeof(*sa));
	sa->doi = wire_be32(&rd);
	sa->situation = wire_be32(&rd);
	if (!wire_ok(&rd))
		return ISAKMP_ERR_SHORT;
	if (sa->doi != ISAKMP_DOI_IPSEC)
		return ISAKMP_ERR_DOI;
	if (sa->situation != ISAKMP_SIT_IDENTITY_ONLY)
		return ISAKMP_ERR_SITUATION;
	proposals = wire_rest(&rd);
	verdict = isakmp_proposals_check(proposals, &count);
	if (verdict != ISAKMP_OK)
		return verdict;
	sa->proposal_count = count;
	sa->proposals = proposals;
	return ISAKMP_OK;
}

enum isakmp_verdict isakmp_ke_parse(struct wire_span body, struct isakmp_ke *ke)
{
	ke->data = body;
	return body.len >= 1 ? ISAKMP_OK : ISAKMP_ERR_KEY_EXCHANGE;
}

/* RFC 2407 §4.6.2.1: the size of the Identification Data each type implies. */
static bool isakmp_id_data_fits(uint8_t type, size_t len)
{
	switch (type) {
	case ISAKMP_ID_IPV4_ADDR:
		return len == 4;
	case ISAKMP_ID_IPV4_ADDR_SUBNET:
	case ISAKMP_ID_IPV4_ADDR_RANGE:
		return len == 8;
	case ISAKMP_ID_IPV6_ADDR:
		return len == 16;
	case ISAKMP_ID_IPV6_ADDR_SUBNET:
	case ISAKMP_ID_IPV6_ADDR_RANGE:
		return len == 32;
	case ISAKMP_ID_FQDN:
	case ISAKMP_ID_USER_FQDN:
	case ISAKMP_ID_DER_ASN1_DN:
	case ISAKMP_ID_DER_ASN1_GN:
	case ISAKMP_ID_KEY_ID:
		return len >= 1;
	}
	return false;
}

enum isakmp_verdict isakmp_id_parse(struct wire_span body, struct isakmp_id *id)
{
	struct wire_rd rd = wire_rd_init(body.p, body.len);

	memset(id, 0, sizeof(*id));
	id->type = wire_u8(&rd);
	id->protocol = wire_u8(&rd);
	id->port = wire_be16(&rd);
	id->data = wire_rest(&rd);
	if (!wire_ok(&rd))
		return ISAKMP_ERR_SHORT;
	return isakmp_id_data_fits(id->type, id->data.len) ? ISAKMP_OK : ISAKMP_ERR_ID;
}

enum isakmp_verdict isakmp_hash_parse(struct wire_span body, struct isakmp_hash *hash)
{
	hash->data = body;
	return body.len >= 1 ? ISAKMP_OK : ISAKMP_ERR_HASH;
}

enum isakmp_verdict isakmp_nonce_parse(struct wire_span body, struct isakmp_nonce *nonce)
{
	nonce->data = body;
	if (body.len < ISAKMP_NONCE_MIN || body.len > ISAKMP_NONCE_MAX)
		return ISAKMP_ERR_NONCE;
	return ISAKMP_OK;
}

enum isakmp_verdict isakmp_notify_parse(struct wire_span body, struct isakmp_notify *notify)
{
	struct wire_rd rd = wire_rd_init(body.p, body.len);
	uint8_t spi_size;

	memset(notify, 0, sizeof(*notify));
	notify->doi = wire_be32(&rd);
	notify->protocol = wire_u8(&rd);
	spi_size = wire_u8(&rd);
	notify->type = wire_be16(&rd);
	if (!wire_ok(&rd))
		return ISAKMP_ERR_SHORT;
	notify->spi = wire_view(&rd, spi_size);
	notify->data = wire_rest(&rd);
	if (!wire_ok(&rd))
		return ISAKMP_ERR_LENGTH;
	return ISAKMP_OK;
}

enum isakmp_verdict isakmp_delete_parse(struct wire_span body, struct isakmp_delete *del)
{
	struct wire_rd rd = wire_rd_init(body.p, body.len);

	memset(del, 0, sizeof(*del));
	del->doi = wire_be32(&rd);
	del->protocol = wire_u8(&rd);
	del->spi_size = wire_u8(&rd);
	del->spi_count = wire_be16(&rd);
	if (!wire_ok(&rd))
		return ISAKMP_ERR_SHORT;
	if (del->spi_size == 0 || del->spi_count == 0)
		return ISAKMP_ERR_SPI;
	/* at most 255 × 65535: no overflow in size_t */
	if (wire_left(&rd) != (size_t)del->spi_size * del->spi_count)
		return ISAKMP_ERR_LENGTH;
	del->spis = wire_rest(&rd);
	return ISAKMP_OK;
}

struct wire_span isakmp_delete_spi(const struct isakmp_delete *del, size_t i)
{
	struct wire_rd rd = wire_rd_init(del->spis.p, del->spis.len);

	if (i >= del->spi_count)
		return (struct wire_span){ NULL, 0 };
	wire_skip(&rd, i * del->spi_size);
	return wire_view(&rd, del->spi_size);
}

enum isakmp_verdict isakmp_vid_payload_parse(struct wire_span body, struct isakmp_vid_payload *vid)
{
	vid->data = body;
	return ISAKMP_OK;
}

enum isakmp_verdict isakmp_natd_parse(struct wire_span body, struct isakmp_natd *natd)
{
	natd->hash = body;
	return body.len >= 1 ? ISAKMP_OK : ISAKMP_ERR_HASH;
}

enum isakmp_verdict isakmp_natoa_parse(struct wire_span body, struct isakmp_natoa *natoa)
{
	struct wire_rd rd = wire_rd_init(body.p, body.len);

	memset(natoa, 0, sizeof(*natoa));
	natoa->id_type = wire_u8(&rd);
	wire_skip(&rd, 3);
	natoa->address = wire_rest(&rd);
	if (!wire_ok(&rd))
		return ISAKMP_ERR_SHORT;
	if (natoa->id_type == ISAKMP_ID_IPV4_ADDR && natoa->address.len == 4)
		return ISAKMP_OK;
	if (natoa->id_type == ISAKMP_ID_IPV6_ADDR && natoa->address.len == 16)
		return ISAKMP_OK;
	return ISAKMP_ERR_ADDRESS;
}

enum isakmp_verdict isakmp_fragment_parse(struct wire_span body, struct isakmp_fragment *fragment)
{
	struct wire_rd rd = wire_rd_init(body.p, body.len);

	memset(fragment, 0, sizeof(*fragment));
	fragment->id = wire_be16(&rd);
	fragment->number = wire_u8(&rd);
	fragment->flags = wire_u8(&rd);
	fragment->data = wire_rest(&rd);
	if (!wire_ok(&rd))
		return ISAKMP_ERR_SHORT;
	fragment->last = (fragment->flags & ISAKMP_FRAGMENT_FLAG_LAST) != 0;
	if (fragment->number == 0 || fragment->data.len == 0)
		return ISAKMP_ERR_FRAGMENT;
	return ISAKMP_OK;
}

/* A daemon bug while building: the writer goes bad so the message is never sent. */
static void isakmp_builder_misuse(struct isakmp_builder *builder)
{
	builder->wr->bad = true;
}

/* Writes the 16-bit Length at at + 2: every byte from `at` to the writer's end. */
static void isakmp_length_patch(struct wire_wr *wr, size_t at)
{
	size_t length = wire_mark(wr) - at;

	if (at > wire_mark(wr) || length > UINT16_MAX) {
		wr->bad = true;
		return;
	}
	wire_patch_be16(wr, at + 2, (uint16_t)length);
}

/* A generic header with Next Payload 0 and Length 0, patched later; returns its offset. */
static size_t isakmp_generic_put(struct wire_wr *wr)
{
	size_t at = wire_mark(wr);

	wire_put_u8(wr, ISAKMP_PAYLOAD_NONE);
	wire_put_u8(wr, 0);
	wire_put_be16(wr, 0);
	return at;
}

void isakmp_hdr_build(struct isakmp_builder *builder, struct wire_wr *wr,
		      const struct isakmp_hdr *hdr)
{
	builder->wr = wr;
	builder->hdr_at = wire_mark(wr);
	builder->next_at = builder->hdr_at + 16;
	builder->open_at = ISAKMP_BUILDER_CLOSED;
	wire_put_bytes(wr, hdr->initiator_cookie, sizeof(hdr->initiator_cookie));
	wire_put_bytes(wr, hdr->responder_cookie, sizeof(hdr->responder_cookie));
	wire_put_u8(wr, ISAKMP_PAYLOAD_NONE);
	wire_put_u8(wr, ISAKMP_MAJOR_VERSION << 4 | ISAKMP_MINOR_VERSION);
	wire_put_u8(wr, hdr->exchange_type);
	wire_put_u8(wr, hdr->flags);
	wire_put_be32(wr, hdr->message_id);
	wire_put_be32(wr, 0);
}

size_t isakmp_payload_begin(struct isakmp_builder *builder, uint8_t type)
{
	size_t mark = wire_mark(builder->wr);

	if (builder->open_at != ISAKMP_BUILDER_CLOSED || type == ISAKMP_PAYLOAD_NONE) {
		isakmp_builder_misuse(builder);
		return mark;
	}
	wire_patch_u8(builder->wr, builder->next_at, type);
	builder->next_at = mark;
	builder->open_at = mark;
	(void)isakmp_generic_put(builder->wr);
	return mark;
}

void isakmp_payload_end(struct isakmp_builder *builder, size_t mark)
{
	if (builder->open_at == ISAKMP_BUILDER_CLOSED || mark != builder->open_at) {
		isakmp_builder_misuse(builder);
		return;
	}
	builder->open_at = ISAKMP_BUILDER_CLOSED;
	isakmp_length_patch(builder->wr, mark);
}

void isakmp_msg_finish(struct isakmp_builder *builder)
{
	size_t length = wire_mark(builder->wr) - builder->hdr_at;

	if (builder->open_at != ISAKMP_BUILDER_CLOSED || length > UINT32_MAX) {
		isakmp_builder_misuse(builder);
		return;
	}
	wire_patch_be32(builder->wr, builder->hdr_at + 24, (uint32_t)length);
}

bool isakmp_builder_ok(const struct isakmp_builder *builder)
{
	return wire_wr_ok(builder->wr) && builder->open_at == ISAKMP_BUILDER_CLOSED;
}

void isakmp_attr_build(struct wire_wr *wr, const struct isakmp_attr_value *attr)
{
	uint16_t type = (uint16_t)(attr->type & ~ISAKMP_ATTR_AF);

	if (attr->value <= UINT16_MAX) {
		wire_put_be16(wr, (uint16_t)(type | ISAKMP_ATTR_AF));
		wire_put_be16(wr, (uint16_t)attr->value);
		return;
	}
	wire_put_be16(wr, type);
	wire_put_be16(wr, 4);
	wire_put_be32(wr, attr->value);
}

void isakmp_sa_build(struct isakmp_builder *builder, const struct isakmp_sa_out *sa)
{
	struct wire_wr *wr = builder->wr;
	size_t mark, proposal_at, transform_at;
	uint8_t spi_size;

	switch (sa->protocol) {
	case ISAKMP_PROTO_ISAKMP:
		spi_size = 0;
		break;
	case ISAKMP_PROTO_IPSEC_AH:
	case ISAKMP_PROTO_IPSEC_ESP:
		spi_size = 4;
		break;
	default:
		isakmp_builder_misuse(builder);
		return;
	}
	mark = isakmp_payload_begin(builder, ISAKMP_PAYLOAD_SA);
	wire_put_be32(wr, ISAKMP_DOI_IPSEC);
	wire_put_be32(wr, ISAKMP_SIT_IDENTITY_ONLY);

	proposal_at = isakmp_generic_put(wr); /* the only proposal: Next Payload 0 */
	wire_put_u8(wr, sa->proposal_number);
	wire_put_u8(wr, sa->protocol);
	wire_put_u8(wr, spi_size);
	wire_put_u8(wr, 1);
	if (spi_size == 4)
		wire_put_be32(wr, sa->spi);

	transform_at = isakmp_generic_put(wr); /* the only transform: Next Payload 0 */
	wire_put_u8(wr, sa->transform_number);
	wire_put_u8(wr, sa->transform_id);
	wire_put_be16(wr, 0);
	for (size_t i = 0; i < sa->attr_count; i++)
		isakmp_attr_build(wr, &sa->attrs[i]);

	isakmp_length_patch(wr, transform_at);
	isakmp_length_patch(wr, proposal_at);
	isakmp_payload_end(builder, mark);
}

/* A payload whose body is just `data`. */
static void isakmp_opaque_build(struct isakmp_builder *builder, uint8_t type, struct wire_span data)
{
	size_t mark = isakmp_payload_begin(builder, type);

	wire_put_bytes(builder->wr, data.p, data.len);
	isakmp_payload_end(builder, mark);
}

void isakmp_ke_build(struct isakmp_builder *builder, struct wire_span data)
{
	isakmp_opaque_build(builder, ISAKMP_PAYLOAD_KE, data);
}

void isakmp_nonce_build(struct isakmp_builder *builder, struct wire_span data)
{
	isakmp_opaque_build(builder, ISAKMP_PAYLOAD_NONCE, data);
}

void isakmp_vid_build(struct isakmp_builder *builder, struct wire_span data)
{
	isakmp_opaque_build(builder, ISAKMP_PAYLOAD_VID, data);
}

void isakmp_id_build(struct isakmp_builder *builder, const struct isakmp_id *id)
{
	size_t mark = isakmp_payload_begin(builder, ISAKMP_PAYLOAD_ID);

	wire_put_u8(builder->wr, id->type);
	wire_put_u8(builder->wr, id->protocol);
	wire_put_be16(builder->wr, id->port);
	wire_put_bytes(builder->wr, id->data.p, id->data.len);
	isakmp_payload_end(builder, mark);
}

uint8_t *isakmp_hash_build(struct isakmp_builder *builder, size_t len)
{
	size_t mark = isakmp_payload_begin(builder, ISAKMP_PAYLOAD_HASH);
	uint8_t *digest = wire_reserve(builder->wr, len);

	isakmp_payload_end(builder, mark);
	return isakmp_builder_ok(builder) ? digest : NULL;
}

void isakmp_natd_build(struct isakmp_builder *builder, uint8_t type, struct wire_span hash)
{
	if (type != ISAKMP_PAYLOAD_NATD && type != ISAKMP_PAYLOAD_NATD_DRAFT &&
	    type != ISAKMP_PAYLOAD_NATD_BADDRAFT) {
		isakmp_builder_misuse(builder);
		return;
	}
	isakmp_opaque_build(builder, type, hash);
}

void isakmp_natoa_build(struct isakmp_builder *builder, uint8_t type, struct wire_span address)
{
	uint8_t id_type;
	size_t mark;

	if (type != ISAKMP_PAYLOAD_NATOA && type != ISAKMP_PAYLOAD_NATOA_DRAFT &&
	    type != ISAKMP_PAYLOAD_NATOA_BADDRAFT) {
		isakmp_builder_misuse(builder);
		return;
	}
	if (address.len == 4) {
		id_type = ISAKMP_ID_IPV4_ADDR;
	} else if (address.len == 16) {
		id_type = ISAKMP_ID_IPV6_ADDR;
	} else {
		isakmp_builder_misuse(builder);
		return;
	}
	mark = isakmp_payload_begin(builder, type);
	wire_put_u8(builder->wr, id_type);
	wire_put_u8(builder->wr, 0);
	wire_put_be16(builder->wr, 0);
	wire_put_bytes(builder->wr, address.p, address.len);
	isakmp_payload_end(builder, mark);
}

void isakmp_notify_build(struct isakmp_builder *builder, const struct isakmp_notify *notify)
{
	size_t mark;

	if (notify->spi.len > UINT8_MAX) {
		isakmp_builder_misuse(builder);
		return;
	}
	mark = isakmp_payload_begin(builder, ISAKMP_PAYLOAD_NOTIFY);
	wire_put_be32(builder->wr, notify->doi);
	wire_put_u8(builder->wr, notify->protocol);
	wire_put_u8(builder->wr, (uint8_t)notify->spi.len);
	wire_put_be16(builder->wr, notify->type);
	wire_put_bytes(builder->wr, notify->spi.p, notify->spi.len);
	wire_put_bytes(builder->wr, notify->data.p, notify->data.len);
	isakmp_payload_end(builder, mark);
}

void isakmp_delete_build(struct isakmp_builder *builder, const struct isakmp_delete *del)
{
	size_t mark;

	if (del->spi_size == 0 || del->spi_count == 0 ||
	    del->spis.len != (size_t)del->spi_size * del->spi_count) {
		isakmp_builder_misuse(builder);
		return;
	}
	mark = isakmp_payload_begin(builder, ISAKMP_PAYLOAD_DELETE);
	wire_put_be32(builder->wr, del->doi);
	wire_put_u8(builder->wr, del->protocol);
	wire_put_u8(builder->wr, del->spi_size);
	wire_put_be16(builder->wr, del->spi_count);
	wire_put_bytes(builder->wr, del->spis.p, del->spis.len);
	isakmp_payload_end(builder, mark);
}
