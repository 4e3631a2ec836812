/*
 * fuzz_l2tp_ctrl.c - libFuzzer target: any bytes as an L2TP datagram.
 *
 * Runs the daemon's own libl2tp.a the way the daemon would and then some:
 * the header; the message parse of its payload (and of the whole input, to
 * reach the AVP walk without a valid header); every AVP through every typed
 * reader; hidden AVPs through the unhide helper with a fixed secret.  A
 * well-formed message is rebuilt AVP by AVP with the builders and must parse
 * back to the same AVPs.  Any broken invariant aborts.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "l2tp/l2tp_hidden.h"
#include "l2tp/l2tp_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_assert(bool condition)
{
	if (!condition)
		abort();
}

static void fuzz_verdict(enum l2tp_verdict verdict)
{
	fuzz_assert((unsigned)verdict < L2TP_VERDICTS);
}

static bool span_equal(struct wire_span a, struct wire_span b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

static void fuzz_readers(const struct l2tp_avp *avp)
{
	uint16_t u16;
	uint32_t u32;
	uint8_t ver, rev, tie[L2TP_TIE_BREAKER_LEN];
	struct wire_span s;
	struct l2tp_result result;

	fuzz_verdict(l2tp_avp_get_u16(avp->value, &u16));
	fuzz_verdict(l2tp_avp_get_u32(avp->value, &u32));
	fuzz_verdict(l2tp_avp_get_protocol_version(avp->value, &ver, &rev));
	fuzz_verdict(l2tp_avp_get_tie_breaker(avp->value, tie));
	fuzz_verdict(l2tp_avp_get_string(avp->value, 1, &s));
	fuzz_verdict(l2tp_avp_get_challenge(avp->value, &s));
	if (l2tp_avp_get_result_code(avp->value, &result) == L2TP_OK)
		fuzz_assert(result.message.len + (result.has_error_code ? 4u : 2u) ==
			    avp->value.len);
	if (avp->hidden) {
		static uint8_t plain[L2TP_AVP_VALUE_MAX];
		size_t plain_len;
		static const char secret[] = "fuzz";

		if (l2tp_avp_unhide((struct wire_span){ (const uint8_t *)secret, 4 },
				    avp->random_vector, avp->type, avp->value, plain,
				    sizeof(plain), &plain_len) == L2TP_OK)
			fuzz_assert(plain_len + 2 <= avp->value.len);
	}
}

static void fuzz_rebuild(const struct l2tp_msg *msg)
{
	static uint8_t buf[65536];
	static struct l2tp_msg again;
	struct wire_wr wr = wire_wr_init(buf, sizeof(buf));

	for (size_t i = 0; i < msg->count; i++) {
		const struct l2tp_avp *avp = &msg->avps[i];
		uint16_t flags = (uint16_t)((avp->mandatory ? L2TP_AVP_FLAG_MANDATORY : 0) |
					    (avp->hidden ? L2TP_AVP_FLAG_HIDDEN : 0));

		l2tp_avp_put_bytes(&wr, flags, avp->vendor_id, avp->type, avp->value.p,
				   avp->value.len);
		/* Reserved bits are not rebuilt: patch them back in. */
		if (avp->reserved && wire_wr_ok(&wr))
			buf[wr.len - avp->value.len - L2TP_AVP_HDR_LEN] |=
				(uint8_t)(avp->reserved << 2);
	}
	fuzz_assert(wire_wr_ok(&wr));
	fuzz_assert(l2tp_msg_parse((struct wire_span){ buf, wr.len }, &again) == L2TP_OK);
	fuzz_assert(again.count == msg->count && again.type == msg->type);
	for (size_t i = 0; i < msg->count; i++) {
		fuzz_assert(again.avps[i].vendor_id == msg->avps[i].vendor_id);
		fuzz_assert(again.avps[i].type == msg->avps[i].type);
		fuzz_assert(again.avps[i].mandatory == msg->avps[i].mandatory);
		fuzz_assert(again.avps[i].hidden == msg->avps[i].hidden);
		fuzz_assert(again.avps[i].reserved == msg->avps[i].reserved);
		fuzz_assert(span_equal(again.avps[i].value, msg->avps[i].value));
		fuzz_assert(span_equal(again.avps[i].random_vector,
				       msg->avps[i].random_vector));
	}
}

static void fuzz_body(struct wire_span body)
{
	static struct l2tp_msg msg;
	struct l2tp_avp_iter iter;
	struct l2tp_avp avp;
	enum l2tp_verdict verdict;
	size_t walked = 0;

	l2tp_avp_iter_init(&iter, body);
	while (l2tp_avp_next(&iter, &avp)) {
		fuzz_assert(avp.value.len <= L2TP_AVP_VALUE_MAX);
		walked++;
	}
	fuzz_verdict(iter.verdict);

	verdict = l2tp_msg_parse(body, &msg);
	fuzz_verdict(verdict);
	if (verdict != L2TP_OK)
		return;
	fuzz_assert(msg.count <= L2TP_AVPS_MAX);
	fuzz_assert(msg.zlb == (body.len == 0));
	fuzz_assert(msg.count == walked);
	for (size_t i = 0; i < msg.count; i++)
		fuzz_readers(&msg.avps[i]);
	(void)l2tp_msg_find_unknown_mandatory(&msg);
	fuzz_rebuild(&msg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wire_span input = { data, size };
	struct l2tp_hdr hdr;
	enum l2tp_verdict verdict = l2tp_hdr_parse(input, &hdr);

	fuzz_verdict(verdict);
	if (verdict == L2TP_OK) {
		fuzz_assert(hdr.payload.len <= size);
		if (hdr.control)
			fuzz_body(hdr.payload);
	}
	fuzz_body(input);
	return 0;
}
