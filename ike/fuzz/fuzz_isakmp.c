/*
 * fuzz_isakmp.c - libFuzzer target: any bytes as an ISAKMP datagram.
 *
 * Runs the daemon's own libike.a over the input the way the daemon would
 * and then some: the header; the payload chain after it (as declared by the
 * header and as everything present, plaintext and decrypted); every payload
 * through the parser of its type and, to reach the sub-parsers with
 * arbitrary bytes, through every other payload parser too; SAs down to each
 * attribute; VID lookup.  Parsed IDs, notifies, deletes, NAT-OAs and
 * phase-1/phase-2 SAs are rebuilt with the builders and parsed again, and
 * must come back equal.  Any broken invariant aborts, which libFuzzer
 * reports as a crash.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ike/isakmp_vid.h"
#include "ike/isakmp_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_assert(bool condition)
{
	if (!condition)
		abort();
}

static void fuzz_verdict(enum isakmp_verdict verdict)
{
	fuzz_assert((unsigned)verdict < ISAKMP_VERDICTS);
	fuzz_assert((verdict == ISAKMP_OK) == (isakmp_verdict_notify(verdict) == 0));
}

static bool span_equal(struct wire_span a, struct wire_span b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

/* A one-payload message built around `build`, parsed back to its only payload body. */
struct fuzz_out {
	uint8_t buf[2048];
	struct wire_wr wr;
	struct isakmp_builder builder;
	struct isakmp_msg msg;
};

static void fuzz_out_start(struct fuzz_out *out)
{
	static const struct isakmp_hdr hdr = { .exchange_type = ISAKMP_EXCHANGE_INFORMATIONAL };

	out->wr = wire_wr_init(out->buf, sizeof(out->buf));
	isakmp_hdr_build(&out->builder, &out->wr, &hdr);
}

/* The rebuilt payload's body, or NULL when it did not fit the buffer. */
static const struct wire_span *fuzz_out_finish(struct fuzz_out *out, uint8_t type)
{
	struct isakmp_hdr back;

	isakmp_msg_finish(&out->builder);
	if (!isakmp_builder_ok(&out->builder))
		return NULL;
	fuzz_assert(isakmp_hdr_parse((struct wire_span){ out->buf, out->wr.len }, &back) == ISAKMP_OK);
	fuzz_assert(back.length == out->wr.len);
	fuzz_assert(isakmp_payloads_parse(back.next_payload, back.body, false, &out->msg) == ISAKMP_OK);
	fuzz_assert(out->msg.count == 1 && out->msg.payloads[0].type == type);
	return &out->msg.payloads[0].body;
}

static void fuzz_rebuild_id(const struct isakmp_id *id)
{
	static struct fuzz_out out;
	const struct wire_span *body;
	struct isakmp_id back;

	fuzz_out_start(&out);
	isakmp_id_build(&out.builder, id);
	body = fuzz_out_finish(&out, ISAKMP_PAYLOAD_ID);
	if (!body)
		return;
	fuzz_assert(isakmp_id_parse(*body, &back) == ISAKMP_OK);
	fuzz_assert(back.type == id->type && back.protocol == id->protocol && back.port == id->port &&
		    span_equal(back.data, id->data));
}

static void fuzz_rebuild_notify(const struct isakmp_notify *notify)
{
	static struct fuzz_out out;
	const struct wire_span *body;
	struct isakmp_notify back;

	fuzz_out_start(&out);
	isakmp_notify_build(&out.builder, notify);
	body = fuzz_out_finish(&out, ISAKMP_PAYLOAD_NOTIFY);
	if (!body)
		return;
	fuzz_assert(isakmp_notify_parse(*body, &back) == ISAKMP_OK);
	fuzz_assert(back.doi == notify->doi && back.protocol == notify->protocol &&
		    back.type == notify->type && span_equal(back.spi, notify->spi) &&
		    span_equal(back.data, notify->data));
}

static void fuzz_rebuild_delete(const struct isakmp_delete *del)
{
	static struct fuzz_out out;
	const struct wire_span *body;
	struct isakmp_delete back;

	fuzz_out_start(&out);
	isakmp_delete_build(&out.builder, del);
	body = fuzz_out_finish(&out, ISAKMP_PAYLOAD_DELETE);
	if (!body)
		return;
	fuzz_assert(isakmp_delete_parse(*body, &back) == ISAKMP_OK);
	fuzz_assert(back.doi == del->doi && back.protocol == del->protocol &&
		    back.spi_size == del->spi_size && back.spi_count == del->spi_count &&
		    span_equal(back.spis, del->spis));
}

static void fuzz_rebuild_natoa(uint8_t type, const struct isakmp_natoa *natoa)
{
	static struct fuzz_out out;
	const struct wire_span *body;
	struct isakmp_natoa back;

	fuzz_out_start(&out);
	isakmp_natoa_build(&out.builder, type, natoa->address);
	body = fuzz_out_finish(&out, type);
	if (!body)
		return;
	fuzz_assert(isakmp_natoa_parse(*body, &back) == ISAKMP_OK);
	fuzz_assert(back.id_type == natoa->id_type && span_equal(back.address, natoa->address));
}

/*
 * The responder's answer to a proposal: its first transform, attributes that
 * are numbers of up to 32 bits, rebuilt as a one-proposal SA.
 */
static void fuzz_rebuild_sa(const struct isakmp_proposal *proposal,
			    const struct isakmp_transform *transform)
{
	static struct fuzz_out out;
	struct isakmp_attr_value attrs[32];
	struct isakmp_sa_out sa_out = {
		.proposal_number = proposal->number, .protocol = proposal->protocol,
		.transform_number = transform->number, .transform_id = transform->transform_id,
		.attrs = attrs,
	};
	struct wire_rd rd = wire_rd_init(transform->attrs.p, transform->attrs.len);
	struct isakmp_attr attr;
	const struct wire_span *body;
	struct isakmp_sa sa;
	struct isakmp_proposal proposal_back;
	struct isakmp_transform transform_back;
	size_t n = 0;

	if (proposal->protocol == ISAKMP_PROTO_ISAKMP && proposal->spi.len != 0)
		return;
	if ((proposal->protocol == ISAKMP_PROTO_IPSEC_AH ||
	     proposal->protocol == ISAKMP_PROTO_IPSEC_ESP) && proposal->spi.len != 4)
		return;
	if (proposal->spi.len == 4)
		sa_out.spi = (uint32_t)proposal->spi.p[0] << 24 | (uint32_t)proposal->spi.p[1] << 16 |
			     (uint32_t)proposal->spi.p[2] << 8 | proposal->spi.p[3];
	while (isakmp_attr_next(&rd, &attr) && n < 32) {
		if (!attr.numeric || attr.value > UINT32_MAX)
			return;
		attrs[n].type = attr.type;
		attrs[n].value = (uint32_t)attr.value;
		n++;
	}
	sa_out.attr_count = n;
	fuzz_out_start(&out);
	isakmp_sa_build(&out.builder, &sa_out);
	if (proposal->protocol != ISAKMP_PROTO_ISAKMP && proposal->protocol != ISAKMP_PROTO_IPSEC_AH &&
	    proposal->protocol != ISAKMP_PROTO_IPSEC_ESP) {
		fuzz_assert(!wire_wr_ok(&out.wr)); /* refused, as documented */
		return;
	}
	body = fuzz_out_finish(&out, ISAKMP_PAYLOAD_SA);
	if (!body)
		return;
	fuzz_assert(isakmp_sa_parse(*body, &sa) == ISAKMP_OK && sa.proposal_count == 1);
	rd = wire_rd_init(sa.proposals.p, sa.proposals.len);
	fuzz_assert(isakmp_proposal_next(&rd, &proposal_back));
	fuzz_assert(proposal_back.protocol == proposal->protocol &&
		    proposal_back.number == proposal->number && proposal_back.transform_count == 1 &&
		    span_equal(proposal_back.spi, proposal->spi));
	rd = wire_rd_init(proposal_back.transforms.p, proposal_back.transforms.len);
	fuzz_assert(isakmp_transform_next(&rd, &transform_back));
	fuzz_assert(transform_back.transform_id == transform->transform_id);
	rd = wire_rd_init(transform_back.attrs.p, transform_back.attrs.len);
	for (size_t i = 0; i < n; i++) {
		fuzz_assert(isakmp_attr_next(&rd, &attr));
		fuzz_assert(attr.numeric && attr.type == attrs[i].type && attr.value == attrs[i].value);
	}
	fuzz_assert(!isakmp_attr_next(&rd, &attr) && wire_done(&rd));
}

static void fuzz_sa(struct wire_span body)
{
	struct isakmp_sa sa;
	struct isakmp_proposal proposal;
	struct isakmp_transform transform;
	struct isakmp_attr attr;
	struct wire_rd proposals, transforms, attrs;
	enum isakmp_verdict verdict = isakmp_sa_parse(body, &sa);
	size_t proposal_count = 0;

	fuzz_verdict(verdict);
	if (verdict != ISAKMP_OK)
		return;
	proposals = wire_rd_init(sa.proposals.p, sa.proposals.len);
	while (isakmp_proposal_next(&proposals, &proposal)) {
		size_t transform_count = 0;

		proposal_count++;
		transforms = wire_rd_init(proposal.transforms.p, proposal.transforms.len);
		while (isakmp_transform_next(&transforms, &transform)) {
			transform_count++;
			attrs = wire_rd_init(transform.attrs.p, transform.attrs.len);
			while (isakmp_attr_next(&attrs, &attr))
				fuzz_assert(!attr.numeric || attr.basic || attr.data.len <= 8);
			/* validated by isakmp_sa_parse: the iterators cannot fail */
			fuzz_assert(wire_done(&attrs));
			if (transform_count == 1)
				fuzz_rebuild_sa(&proposal, &transform);
		}
		fuzz_assert(wire_done(&transforms));
		fuzz_assert(transform_count == proposal.transform_count && transform_count >= 1);
	}
	fuzz_assert(wire_done(&proposals) && proposal_count == sa.proposal_count);
}

/* One payload body through every parser, and the rebuild of what its type parses into. */
static void fuzz_payload(uint8_t type, struct wire_span body)
{
	struct isakmp_id id;
	struct isakmp_notify notify;
	struct isakmp_delete del;
	struct isakmp_natoa natoa;
	struct isakmp_fragment fragment;
	struct isakmp_ke ke;
	struct isakmp_nonce nonce;
	struct isakmp_hash hash;
	struct isakmp_natd natd;
	struct isakmp_vid_payload vid;
	const struct isakmp_vid *known;
	enum isakmp_verdict verdict;

	fuzz_sa(body);
	fuzz_verdict(isakmp_attrs_parse(body));

	verdict = isakmp_id_parse(body, &id);
	fuzz_verdict(verdict);
	if (verdict == ISAKMP_OK && type == ISAKMP_PAYLOAD_ID)
		fuzz_rebuild_id(&id);

	verdict = isakmp_notify_parse(body, &notify);
	fuzz_verdict(verdict);
	if (verdict == ISAKMP_OK && type == ISAKMP_PAYLOAD_NOTIFY)
		fuzz_rebuild_notify(&notify);

	verdict = isakmp_delete_parse(body, &del);
	fuzz_verdict(verdict);
	if (verdict == ISAKMP_OK) {
		for (size_t i = 0; i <= del.spi_count; i++)
			fuzz_assert(isakmp_delete_spi(&del, i).len ==
				    (i < del.spi_count ? del.spi_size : 0));
		if (type == ISAKMP_PAYLOAD_DELETE)
			fuzz_rebuild_delete(&del);
	}

	verdict = isakmp_natoa_parse(body, &natoa);
	fuzz_verdict(verdict);
	if (verdict == ISAKMP_OK && (type == ISAKMP_PAYLOAD_NATOA || type == ISAKMP_PAYLOAD_NATOA_DRAFT ||
				     type == ISAKMP_PAYLOAD_NATOA_BADDRAFT))
		fuzz_rebuild_natoa(type, &natoa);

	verdict = isakmp_fragment_parse(body, &fragment);
	fuzz_verdict(verdict);
	fuzz_assert(verdict != ISAKMP_OK || (fragment.number >= 1 && fragment.data.len >= 1));

	fuzz_verdict(isakmp_ke_parse(body, &ke));
	fuzz_verdict(isakmp_nonce_parse(body, &nonce));
	fuzz_verdict(isakmp_hash_parse(body, &hash));
	fuzz_verdict(isakmp_natd_parse(body, &natd));
	fuzz_verdict(isakmp_vid_payload_parse(body, &vid));
	known = isakmp_vid_lookup(vid.data);
	if (known) {
		struct wire_span suffix = isakmp_vid_suffix(known, vid.data);

		fuzz_assert(known->len <= vid.data.len && suffix.len == vid.data.len - known->len);
		fuzz_assert(known->prefix || suffix.len == 0);
	}
}

static void fuzz_chain(uint8_t first_payload, struct wire_span body, bool encrypted)
{
	static struct isakmp_msg msg;
	enum isakmp_verdict verdict = isakmp_payloads_parse(first_payload, body, encrypted, &msg);
	size_t consumed = 0, unknown = 0;

	fuzz_verdict(verdict);
	fuzz_assert(msg.count <= ISAKMP_PAYLOADS_MAX);
	for (size_t i = 0; i < msg.count; i++) {
		const struct isakmp_payload *payload = &msg.payloads[i];

		fuzz_assert(payload->raw.len >= ISAKMP_GENERIC_LEN &&
			    payload->body.len == payload->raw.len - ISAKMP_GENERIC_LEN &&
			    payload->body.p == payload->raw.p + ISAKMP_GENERIC_LEN);
		fuzz_assert(payload->known == isakmp_payload_known(payload->type));
		unknown += !payload->known;
		consumed += payload->raw.len;
		fuzz_payload(payload->type, payload->body);
	}
	fuzz_assert(unknown == msg.unknown_count);
	if (verdict == ISAKMP_OK) {
		fuzz_assert(consumed + msg.padding.len == body.len);
		fuzz_assert(encrypted ? msg.padding.len <= ISAKMP_PADDING_MAX : msg.padding.len == 0);
		for (size_t i = 0; i < msg.count; i++)
			fuzz_assert(isakmp_msg_find(&msg, msg.payloads[i].type, 0) != NULL);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wire_span datagram = { data, size };
	struct isakmp_hdr hdr;
	enum isakmp_verdict verdict;

	if (size > 65535)
		return 0;
	verdict = isakmp_hdr_parse(datagram, &hdr);
	fuzz_verdict(verdict);
	if (verdict == ISAKMP_OK) {
		fuzz_assert(hdr.length == size && hdr.body.len == size - ISAKMP_HDR_LEN);
		fuzz_chain(hdr.next_payload, hdr.body, (hdr.flags & ISAKMP_FLAG_ENCRYPTION) != 0);
	}
	if (size >= ISAKMP_HDR_LEN) {
		struct wire_span rest = { data + ISAKMP_HDR_LEN, size - ISAKMP_HDR_LEN };

		fuzz_chain(data[16], rest, false);
		fuzz_chain(data[16], rest, true);
	}
	/* the whole input as one payload body, for the sub-parsers' sake */
	fuzz_payload(size > 0 ? data[0] : 0, datagram);
	return 0;
}
