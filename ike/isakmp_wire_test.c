/*
 * isakmp_wire_test.c - the IKEv1 codec: every parser on empty, short-by-one,
 * exact and oversize input and wrong counts; the payload chain (loops, the
 * payload cap, padding); attribute TV/TLV mixes; builders round-tripped
 * through the parsers; the real captures of tests/data/captures parsed as
 * their README says; and every corrupt capture of fuzz/ parsed or rejected.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/isakmp_const.h"
#include "ike/isakmp_vid.h"
#include "ike/isakmp_wire.h"
#include "tests/harness/pcap.h"
#include "tests/harness/tap.h"

static struct wire_span span_of(const void *p, size_t len)
{
	return (struct wire_span){ p, len };
}

#define SPAN(array) span_of((array), sizeof(array))

static const struct wire_span empty_span = { NULL, 0 };

/* ------------------------------------------------------------ names */

static void test_names(void)
{
	is_str(isakmp_payload_name(ISAKMP_PAYLOAD_SA).str, "ISAKMP_NEXT_SA", "payload 1 name");
	is_str(isakmp_payload_name(130).str, "ISAKMP_NEXT_NATD_DRAFTS", "payload 130 name");
	is_str(isakmp_payload_name(131).str, "ISAKMP_NEXT_NATOA_DRAFTS", "payload 131 name");
	is_str(isakmp_payload_name(15).str, "ISAKMP_NEXT_NATD_BADDRAFTS", "payload 15 name");
	is_str(isakmp_payload_name(20).str, "ISAKMP_NEXT_NATD_RFC", "payload 20 name");
	is_str(isakmp_payload_name(132).str, "ISAKMP_NEXT_IKE_FRAGMENTATION", "payload 132 name");
	is_str(isakmp_payload_name(99).str, "99", "unknown payload prints its number");
	ok(isakmp_payload_known(ISAKMP_PAYLOAD_NATOA_DRAFT), "131 is known");
	ok(!isakmp_payload_known(ISAKMP_PAYLOAD_NONE), "NONE is not a payload");
	ok(!isakmp_payload_known(99), "99 is unknown");
	is_str(isakmp_exchange_name(ISAKMP_EXCHANGE_ID_PROT).str, "ISAKMP_XCHG_IDPROT", "exchange 2");
	is_str(isakmp_exchange_name(32).str, "ISAKMP_XCHG_QUICK", "exchange 32");
	is_str(isakmp_exchange_name(200).str, "200", "unknown exchange");
	is_str(isakmp_notify_name(14).str, "NO_PROPOSAL_CHOSEN", "notify 14");
	is_str(isakmp_notify_name(24578).str, "IPSEC_INITIAL_CONTACT", "notify 24578");
	is_str(isakmp_notify_name(36136).str, "R_U_THERE", "notify 36136");
	is_str(isakmp_notify_name(36137).str, "R_U_THERE_ACK", "notify 36137");
	is_str(isakmp_flag_name(ISAKMP_FLAG_ENCRYPTION).str, "ISAKMP_FLAG_v1_ENCRYPTION", "flag E");
	is_str(isakmp_doi_name(1).str, "ISAKMP_DOI_IPSEC", "DOI 1");
	is_str(isakmp_situation_name(1).str, "SIT_IDENTITY_ONLY", "situation 1");
	is_str(isakmp_protocol_name(3).str, "PROTO_IPSEC_ESP", "protocol 3");
	is_str(isakmp_id_type_name(1).str, "ID_IPV4_ADDR", "ID type 1");
	is_str(isakmp_id_type_name(11).str, "ID_KEY_ID", "ID type 11");
	is_str(isakmp_transform_id_name(ISAKMP_PROTO_ISAKMP, 1).str, "KEY_IKE", "KEY_IKE");
	is_str(isakmp_transform_id_name(ISAKMP_PROTO_IPSEC_ESP, 3).str, "ESP_3DES", "ESP 3");
	is_str(isakmp_transform_id_name(ISAKMP_PROTO_IPSEC_ESP, 12).str, "ESP_AES", "ESP 12");
	is_str(isakmp_transform_id_name(ISAKMP_PROTO_IPSEC_AH, 3).str, "AH_SHA", "AH 3");
	is_str(isakmp_transform_id_name(9, 3).str, "3", "transform of an unknown protocol");
	is_str(isakmp_oakley_attr_name(OAKLEY_KEY_LENGTH).str, "OAKLEY_KEY_LENGTH", "attr 14");
	is_str(isakmp_oakley_value_name(OAKLEY_ENCRYPTION_ALGORITHM, 5).str, "OAKLEY_3DES_CBC",
	       "enc 5");
	is_str(isakmp_oakley_value_name(OAKLEY_ENCRYPTION_ALGORITHM, 7).str, "OAKLEY_AES_CBC", "enc 7");
	is_str(isakmp_oakley_value_name(OAKLEY_HASH_ALGORITHM, 2).str, "OAKLEY_SHA1", "hash 2");
	is_str(isakmp_oakley_value_name(OAKLEY_HASH_ALGORITHM, 4).str, "OAKLEY_SHA2_256", "hash 4");
	is_str(isakmp_oakley_value_name(OAKLEY_GROUP_DESCRIPTION, 2).str, "OAKLEY_GROUP_MODP1024",
	       "group 2");
	is_str(isakmp_oakley_value_name(OAKLEY_GROUP_DESCRIPTION, 20).str, "OAKLEY_GROUP_ECP_384",
	       "group 20");
	is_str(isakmp_oakley_value_name(OAKLEY_AUTHENTICATION_METHOD, 1).str, "OAKLEY_PRESHARED_KEY",
	       "auth 1");
	is_str(isakmp_oakley_value_name(OAKLEY_LIFE_TYPE, 2).str, "OAKLEY_LIFE_KILOBYTES", "life 2");
	is_str(isakmp_oakley_value_name(OAKLEY_LIFE_DURATION, 28800).str, "28800",
	       "a duration prints as a number");
	is_str(isakmp_ipsec_attr_name(IPSEC_ENCAPSULATION_MODE).str, "ENCAPSULATION_MODE", "ipsec 4");
	is_str(isakmp_ipsec_value_name(IPSEC_ENCAPSULATION_MODE, 61444).str,
	       "ENCAPSULATION_MODE_UDP_TRANSPORT_DRAFTS", "encapsulation 61444");
	is_str(isakmp_ipsec_value_name(IPSEC_ENCAPSULATION_MODE, 4).str,
	       "ENCAPSULATION_MODE_UDP_TRANSPORT_RFC", "encapsulation 4");
	is_str(isakmp_ipsec_value_name(IPSEC_AUTH_ALGORITHM, 2).str, "AUTH_ALGORITHM_HMAC_SHA1",
	       "auth algorithm 2");
	is_str(isakmp_ipsec_value_name(IPSEC_GROUP_DESCRIPTION, 14).str, "OAKLEY_GROUP_MODP2048",
	       "phase-2 group 14");
	is_str(isakmp_ipsec_value_name(IPSEC_SA_LIFE_TYPE, 2).str, "SA_LIFE_TYPE_KBYTES", "SA life 2");
}

static void test_verdicts(void)
{
	static const struct {
		enum isakmp_verdict verdict;
		enum isakmp_notify_type notify;
	} expected[] = {
		{ ISAKMP_ERR_SHORT, ISAKMP_NOTIFY_PAYLOAD_MALFORMED },
		{ ISAKMP_ERR_LENGTH, ISAKMP_NOTIFY_PAYLOAD_MALFORMED },
		{ ISAKMP_ERR_TRAILING, ISAKMP_NOTIFY_PAYLOAD_MALFORMED },
		{ ISAKMP_ERR_TOO_MANY, ISAKMP_NOTIFY_PAYLOAD_MALFORMED },
		{ ISAKMP_ERR_VERSION, ISAKMP_NOTIFY_INVALID_MAJOR_VERSION },
		{ ISAKMP_ERR_MINOR_VERSION, ISAKMP_NOTIFY_INVALID_MINOR_VERSION },
		{ ISAKMP_ERR_FLAGS, ISAKMP_NOTIFY_INVALID_FLAGS },
		{ ISAKMP_ERR_PAYLOAD_TYPE, ISAKMP_NOTIFY_INVALID_PAYLOAD_TYPE },
		{ ISAKMP_ERR_DOI, ISAKMP_NOTIFY_DOI_NOT_SUPPORTED },
		{ ISAKMP_ERR_SITUATION, ISAKMP_NOTIFY_SITUATION_NOT_SUPPORTED },
		{ ISAKMP_ERR_PROPOSAL, ISAKMP_NOTIFY_BAD_PROPOSAL_SYNTAX },
		{ ISAKMP_ERR_ATTRIBUTE, ISAKMP_NOTIFY_BAD_PROPOSAL_SYNTAX },
		{ ISAKMP_ERR_SPI, ISAKMP_NOTIFY_INVALID_SPI },
		{ ISAKMP_ERR_KEY_EXCHANGE, ISAKMP_NOTIFY_INVALID_KEY_INFORMATION },
		{ ISAKMP_ERR_NONCE, ISAKMP_NOTIFY_PAYLOAD_MALFORMED },
		{ ISAKMP_ERR_ID, ISAKMP_NOTIFY_INVALID_ID_INFORMATION },
		{ ISAKMP_ERR_HASH, ISAKMP_NOTIFY_INVALID_HASH_INFORMATION },
		{ ISAKMP_ERR_ADDRESS, ISAKMP_NOTIFY_INVALID_ID_INFORMATION },
		{ ISAKMP_ERR_FRAGMENT, ISAKMP_NOTIFY_PAYLOAD_MALFORMED },
	};

	is_int(isakmp_verdict_notify(ISAKMP_OK), 0, "ISAKMP_OK answers with no notify");
	is_str(isakmp_verdict_name(ISAKMP_OK).str, "ISAKMP_OK", "verdict name");
	for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++) {
		const char *name = isakmp_verdict_name(expected[i].verdict).str;

		is_int(isakmp_verdict_notify(expected[i].verdict), expected[i].notify, "%s -> %s", name,
		       isakmp_notify_name(expected[i].notify).str);
	}
	is_int(ISAKMP_VERDICTS, (int)(sizeof(expected) / sizeof(expected[0])) + 1,
	       "every verdict has a row above");
}

/* ------------------------------------------------------------ header */

/* A 28-byte header: cookies 01..08 / 11..18, next SA, 1.0, ID_PROT, flags, msgid, length. */
static void header_bytes(uint8_t out[28], uint8_t version, uint8_t flags, uint32_t length)
{
	for (int i = 0; i < 8; i++) {
		out[i] = (uint8_t)(0x01 + i);
		out[8 + i] = (uint8_t)(0x11 + i);
	}
	out[16] = ISAKMP_PAYLOAD_SA;
	out[17] = version;
	out[18] = ISAKMP_EXCHANGE_ID_PROT;
	out[19] = flags;
	out[20] = 0xde;
	out[21] = 0xad;
	out[22] = 0xbe;
	out[23] = 0xef;
	out[24] = (uint8_t)(length >> 24);
	out[25] = (uint8_t)(length >> 16);
	out[26] = (uint8_t)(length >> 8);
	out[27] = (uint8_t)length;
}

static void test_header(void)
{
	uint8_t buf[40];
	struct isakmp_hdr hdr;

	is_int(isakmp_hdr_parse(empty_span, &hdr), ISAKMP_ERR_SHORT, "header: empty");
	header_bytes(buf, 0x10, 0, 28);
	is_int(isakmp_hdr_parse(span_of(buf, 27), &hdr), ISAKMP_ERR_SHORT, "header: short by one");
	is_int(isakmp_hdr_parse(span_of(buf, 28), &hdr), ISAKMP_OK, "header: exact 28 bytes");
	is_int(hdr.initiator_cookie[0], 0x01, "initiator cookie");
	is_int(hdr.responder_cookie[7], 0x18, "responder cookie");
	is_int(hdr.next_payload, ISAKMP_PAYLOAD_SA, "next payload");
	is_int(hdr.major_version, 1, "major");
	is_int(hdr.minor_version, 0, "minor");
	is_int(hdr.exchange_type, ISAKMP_EXCHANGE_ID_PROT, "exchange");
	is_uint(hdr.message_id, 0xdeadbeef, "message id");
	is_int(hdr.length, 28, "length");
	is_int(hdr.body.len, 0, "empty body");

	header_bytes(buf, 0x10, 0, 29);
	is_int(isakmp_hdr_parse(span_of(buf, 28), &hdr), ISAKMP_ERR_LENGTH,
	       "header: Length beyond the datagram (oversize)");
	is_uint(hdr.message_id, 0xdeadbeef, "fields are filled even on error");
	is_int(isakmp_hdr_parse(span_of(buf, 29), &hdr), ISAKMP_OK, "header: Length 29 of 29");
	is_int(hdr.body.len, 1, "one byte of body");
	header_bytes(buf, 0x10, 0, 28);
	is_int(isakmp_hdr_parse(span_of(buf, 29), &hdr), ISAKMP_ERR_LENGTH,
	       "header: datagram longer than Length is refused too");
	header_bytes(buf, 0x10, 0, 0);
	is_int(isakmp_hdr_parse(span_of(buf, 28), &hdr), ISAKMP_ERR_LENGTH, "header: Length 0");
	header_bytes(buf, 0x20, 0, 28);
	is_int(isakmp_hdr_parse(span_of(buf, 28), &hdr), ISAKMP_ERR_VERSION, "header: IKEv2 2.0");
	header_bytes(buf, 0x11, 0, 28);
	is_int(isakmp_hdr_parse(span_of(buf, 28), &hdr), ISAKMP_ERR_MINOR_VERSION, "header: 1.1");
	header_bytes(buf, 0x10, ISAKMP_FLAG_ENCRYPTION | ISAKMP_FLAG_COMMIT | ISAKMP_FLAG_AUTH_ONLY,
		     28);
	is_int(isakmp_hdr_parse(span_of(buf, 28), &hdr), ISAKMP_OK, "header: E, C and A flags");
	header_bytes(buf, 0x10, 0x08, 28);
	is_int(isakmp_hdr_parse(span_of(buf, 28), &hdr), ISAKMP_ERR_FLAGS, "header: reserved flag");
}

/* ------------------------------------------------------------ chain */

/* Appends a generic payload: next, reserved, length = 4 + body_len, body of `fill`. */
static void put_payload(struct wire_wr *wr, uint8_t next, size_t body_len, uint8_t fill)
{
	wire_put_u8(wr, next);
	wire_put_u8(wr, 0);
	wire_put_be16(wr, (uint16_t)(4 + body_len));
	for (size_t i = 0; i < body_len; i++)
		wire_put_u8(wr, fill);
}

static void test_chain(void)
{
	static struct isakmp_msg msg;
	uint8_t buf[2048];
	struct wire_wr wr;

	is_int(isakmp_payloads_parse(ISAKMP_PAYLOAD_NONE, empty_span, false, &msg), ISAKMP_OK,
	       "chain: empty body, no payload");
	is_int(msg.count, 0, "no payloads");
	is_int(isakmp_payloads_parse(ISAKMP_PAYLOAD_VID, empty_span, false, &msg), ISAKMP_ERR_SHORT,
	       "chain: empty body where a payload is announced");

	wr = wire_wr_init(buf, sizeof(buf));
	put_payload(&wr, ISAKMP_PAYLOAD_NONE, 0, 0);
	is_int(isakmp_payloads_parse(ISAKMP_PAYLOAD_VID, span_of(buf, 3), false, &msg),
	       ISAKMP_ERR_SHORT, "chain: generic header short by one");
	is_int(isakmp_payloads_parse(ISAKMP_PAYLOAD_VID, span_of(buf, 4), false, &msg), ISAKMP_OK,
	       "chain: exact, a payload with an empty body");
	is_int(msg.count, 1, "one payload");
	is_int(msg.payloads[0].raw.len, 4, "raw includes the generic header");
	is_int(msg.payloads[0].body.len, 0, "empty body");

	wr = wire_wr_init(buf, sizeof(buf));
	put_payload(&wr, ISAKMP_PAYLOAD_NONE, 8, 0xaa);
	is_int(isakmp_payloads_parse(ISAKMP_PAYLOAD_VID, span_of(buf, 11), false, &msg),
	       ISAKMP_ERR_LENGTH, "chain: payload short by one (Length past the body)");
	is_int(isakmp_payloads_parse(ISAKMP_PAYLOAD_VID, span_of(buf, 12), false, &msg), ISAKMP_OK,
	       "chain: exact");
	is_int(msg.payloads[0].body.len, 8, "body of 8");
	is_int(isakmp_payloads_parse(ISAKMP_PAYLOAD_VID, span_of(buf, 13), false, &msg),
	       ISAKMP_ERR_TRAILING, "chain: one trailing byte in a plaintext body");
	is_int(isakmp_payloads_parse(ISAKMP_PAYLOAD_VID, span_of(buf, 13), true, &msg), ISAKMP_OK,
	       "chain: one trailing byte in a decrypted body is padding");
	is_int(msg.padding.len, 1, "padding view");

	buf[3] = 3; /* Payload Length 3 < 4 */
	is_int(isakmp_payloads_parse(ISAKMP_PAYLOAD_VID, span_of(buf, 12), false, &msg),
	       ISAKMP_ERR_LENGTH, "chain: Payload Length below 4");
	buf[2] = 0xff; /* oversize: 0xff03 */
	is_int(isakmp_payloads_parse(ISAKMP_PAYLOAD_VID, span_of(buf, 12), false, &msg),
	       ISAKMP_ERR_LENGTH, "chain: Payload Length far past the body");

	/* padding: up to ISAKMP_PADDING_MAX trailing bytes when encrypted */
	wr = wire_wr_init(buf, sizeof(buf));
	put_payload(&wr, ISAKMP_PAYLOAD_NONE, 0, 0);
	wire_put_zero(&wr, ISAKMP_PADDING_MAX);
	is_int(isakmp_payloads_parse(ISAKMP_PAYLOAD_HASH, span_of(buf, wr.len), true, &msg),
	       ISAKMP_OK, "chain: 255 bytes of padding");
	is_int(isakmp_payloads_parse(ISAKMP_PAYLOAD_HASH, span_of(buf, wr.len + 1), true, &msg),
	       ISAKMP_ERR_TRAILING, "chain: 256 trailing bytes are not padding");

	/* a next-payload "loop": each payload names its own type again, forever */
	wr = wire_wr_init(buf, sizeof(buf));
	for (int i = 0; i < 10; i++)
		put_payload(&wr, ISAKMP_PAYLOAD_HASH, 4, 0x55);
	is_int(isakmp_payloads_parse(ISAKMP_PAYLOAD_HASH, span_of(buf, wr.len), false, &msg),
	       ISAKMP_ERR_SHORT, "chain: self-loop ends where the bytes end");
	is_int(msg.count, 10, "each payload visited once");
	wr = wire_wr_init(buf, sizeof(buf));
	for (int i = 0; i < 200; i++)
		put_payload(&wr, ISAKMP_PAYLOAD_HASH, 0, 0);
	is_int(isakmp_payloads_parse(ISAKMP_PAYLOAD_HASH, span_of(buf, wr.len), false, &msg),
	       ISAKMP_ERR_TOO_MANY, "chain: a long loop stops at the payload cap");
	/* a zero Length cannot loop in place */
	memset(buf, 0, 8);
	buf[0] = ISAKMP_PAYLOAD_HASH;
	is_int(isakmp_payloads_parse(ISAKMP_PAYLOAD_HASH, span_of(buf, 8), false, &msg),
	       ISAKMP_ERR_LENGTH, "chain: Payload Length 0");

	/* the cap: exactly 32 is fine, 33 is not */
	wr = wire_wr_init(buf, sizeof(buf));
	for (int i = 0; i < ISAKMP_PAYLOADS_MAX; i++)
		put_payload(&wr, i + 1 < ISAKMP_PAYLOADS_MAX ? ISAKMP_PAYLOAD_VID : ISAKMP_PAYLOAD_NONE,
			    1, (uint8_t)i);
	is_int(isakmp_payloads_parse(ISAKMP_PAYLOAD_VID, span_of(buf, wr.len), false, &msg),
	       ISAKMP_OK, "chain: 32 payloads");
	is_int(msg.count, 32, "32 kept");
	is_int(isakmp_msg_count(&msg, ISAKMP_PAYLOAD_VID), 32, "isakmp_msg_count");
	ok(isakmp_msg_find(&msg, ISAKMP_PAYLOAD_VID, 31) == &msg.payloads[31], "isakmp_msg_find nth");
	ok(isakmp_msg_find(&msg, ISAKMP_PAYLOAD_VID, 32) == NULL, "isakmp_msg_find past the end");
	ok(isakmp_msg_find(&msg, ISAKMP_PAYLOAD_SA, 0) == NULL, "isakmp_msg_find absent type");
	wr = wire_wr_init(buf, sizeof(buf));
	for (int i = 0; i <= ISAKMP_PAYLOADS_MAX; i++)
		put_payload(&wr, i < ISAKMP_PAYLOADS_MAX ? ISAKMP_PAYLOAD_VID : ISAKMP_PAYLOAD_NONE, 1,
			    (uint8_t)i);
	is_int(isakmp_payloads_parse(ISAKMP_PAYLOAD_VID, span_of(buf, wr.len), false, &msg),
	       ISAKMP_ERR_TOO_MANY, "chain: 33 payloads");

	/* unknown types are kept and flagged, in order */
	wr = wire_wr_init(buf, sizeof(buf));
	put_payload(&wr, 99, 2, 0x01);
	put_payload(&wr, ISAKMP_PAYLOAD_NATD_DRAFT, 3, 0x02);
	put_payload(&wr, ISAKMP_PAYLOAD_NONE, 4, 0x03);
	is_int(isakmp_payloads_parse(ISAKMP_PAYLOAD_SA, span_of(buf, wr.len), false, &msg),
	       ISAKMP_OK, "chain: SA, 99, NAT-D draft");
	is_int(msg.count, 3, "three payloads");
	is_int(msg.unknown_count, 1, "one unknown");
	ok(msg.payloads[0].known && !msg.payloads[1].known && msg.payloads[2].known, "flags");
	is_int(msg.payloads[1].type, 99, "unknown type kept");
	is_int(msg.payloads[2].type, ISAKMP_PAYLOAD_NATD_DRAFT, "order kept");
	is_int(msg.payloads[2].body.len, 4, "last body");
}

/* ------------------------------------------------------------ SA, proposal, transform, attributes */

/* Appends a transform with the given attribute bytes. */
static void put_transform(struct wire_wr *wr, uint8_t next, uint8_t number, uint8_t id,
			  const uint8_t *attrs, size_t attrs_len)
{
	wire_put_u8(wr, next);
	wire_put_u8(wr, 0);
	wire_put_be16(wr, (uint16_t)(8 + attrs_len));
	wire_put_u8(wr, number);
	wire_put_u8(wr, id);
	wire_put_be16(wr, 0);
	wire_put_bytes(wr, attrs, attrs_len);
}

/* Opens a proposal (length patched by proposal_close). */
static size_t proposal_open(struct wire_wr *wr, uint8_t next, uint8_t number, uint8_t protocol,
			    uint8_t spi_size, uint8_t transforms)
{
	size_t at = wire_mark(wr);

	wire_put_u8(wr, next);
	wire_put_u8(wr, 0);
	wire_put_be16(wr, 0);
	wire_put_u8(wr, number);
	wire_put_u8(wr, protocol);
	wire_put_u8(wr, spi_size);
	wire_put_u8(wr, transforms);
	for (uint8_t i = 0; i < spi_size; i++)
		wire_put_u8(wr, (uint8_t)(0xa0 + i));
	return at;
}

static void proposal_close(struct wire_wr *wr, size_t at)
{
	wire_patch_be16(wr, at + 2, (uint16_t)(wire_mark(wr) - at));
}

static void sa_head(struct wire_wr *wr, uint32_t doi, uint32_t situation)
{
	wire_put_be32(wr, doi);
	wire_put_be32(wr, situation);
}

/* AES, key length 128 (TV), SHA, MODP1024, PSK, seconds, 86400 as a 4-byte TLV */
static const uint8_t attrs_cisco[] = {
	0x80, 0x01, 0x00, 0x07, 0x80, 0x0e, 0x00, 0x80, 0x80, 0x02, 0x00, 0x02, 0x80, 0x04,
	0x00, 0x02, 0x80, 0x03, 0x00, 0x01, 0x80, 0x0b, 0x00, 0x01, 0x00, 0x0c, 0x00, 0x04,
	0x00, 0x01, 0x51, 0x80,
};

static void test_sa(void)
{
	uint8_t buf[512];
	struct wire_wr wr;
	struct isakmp_sa sa;
	struct isakmp_proposal proposal;
	struct isakmp_transform transform;
	struct wire_rd rd;
	size_t at, at2;

	is_int(isakmp_sa_parse(empty_span, &sa), ISAKMP_ERR_SHORT, "SA: empty");
	wr = wire_wr_init(buf, sizeof(buf));
	sa_head(&wr, ISAKMP_DOI_IPSEC, ISAKMP_SIT_IDENTITY_ONLY);
	is_int(isakmp_sa_parse(span_of(buf, 7), &sa), ISAKMP_ERR_SHORT, "SA: short by one (7)");
	is_int(isakmp_sa_parse(span_of(buf, 8), &sa), ISAKMP_ERR_PROPOSAL, "SA: no proposal");
	at = proposal_open(&wr, ISAKMP_PAYLOAD_NONE, 1, ISAKMP_PROTO_ISAKMP, 0, 1);
	put_transform(&wr, ISAKMP_PAYLOAD_NONE, 1, ISAKMP_KEY_IKE, attrs_cisco, sizeof(attrs_cisco));
	proposal_close(&wr, at);
	ok(wire_wr_ok(&wr), "SA bytes built");
	is_int(isakmp_sa_parse(span_of(buf, wr.len), &sa), ISAKMP_OK, "SA: exact");
	is_int(sa.doi, ISAKMP_DOI_IPSEC, "DOI");
	is_int(sa.situation, ISAKMP_SIT_IDENTITY_ONLY, "situation");
	is_int(sa.proposal_count, 1, "one proposal");
	is_int(isakmp_sa_parse(span_of(buf, wr.len - 1), &sa), ISAKMP_ERR_PROPOSAL,
	       "SA: short by one (proposal Length past the SA)");
	buf[wr.len] = 0;
	is_int(isakmp_sa_parse(span_of(buf, wr.len + 1), &sa), ISAKMP_ERR_PROPOSAL,
	       "SA: a byte after the last proposal");
	rd = wire_rd_init(buf + 8, wr.len - 8);
	ok(isakmp_proposal_next(&rd, &proposal), "proposal iterator");
	is_int(proposal.number, 1, "proposal #");
	is_int(proposal.protocol, ISAKMP_PROTO_ISAKMP, "protocol");
	is_int(proposal.spi.len, 0, "no SPI");
	is_int(proposal.transform_count, 1, "transform count");
	ok(!isakmp_proposal_next(&rd, &proposal) && wire_ok(&rd), "iterator ends cleanly");
	rd = wire_rd_init(buf + 8, wr.len - 8);
	(void)isakmp_proposal_next(&rd, &proposal);
	rd = wire_rd_init(proposal.transforms.p, proposal.transforms.len);
	ok(isakmp_transform_next(&rd, &transform), "transform iterator");
	is_int(transform.number, 1, "transform #");
	is_int(transform.transform_id, ISAKMP_KEY_IKE, "KEY_IKE");
	is_int(transform.attrs.len, sizeof(attrs_cisco), "attributes");
	ok(!isakmp_transform_next(&rd, &transform) && wire_ok(&rd), "one transform");

	/* DOI and situation */
	wr = wire_wr_init(buf, sizeof(buf));
	sa_head(&wr, ISAKMP_DOI_ISAKMP, ISAKMP_SIT_IDENTITY_ONLY);
	is_int(isakmp_sa_parse(span_of(buf, wr.len), &sa), ISAKMP_ERR_DOI, "SA: DOI 0");
	wr = wire_wr_init(buf, sizeof(buf));
	sa_head(&wr, ISAKMP_DOI_IPSEC, ISAKMP_SIT_IDENTITY_ONLY | ISAKMP_SIT_SECRECY);
	is_int(isakmp_sa_parse(span_of(buf, wr.len), &sa), ISAKMP_ERR_SITUATION,
	       "SA: secrecy situation");

	/* wrong transform counts */
	for (int declared = 0; declared <= 3; declared++) {
		wr = wire_wr_init(buf, sizeof(buf));
		sa_head(&wr, ISAKMP_DOI_IPSEC, ISAKMP_SIT_IDENTITY_ONLY);
		at = proposal_open(&wr, ISAKMP_PAYLOAD_NONE, 1, ISAKMP_PROTO_ISAKMP, 0,
				   (uint8_t)declared);
		put_transform(&wr, ISAKMP_PAYLOAD_TRANSFORM, 1, 1, attrs_cisco, 8);
		put_transform(&wr, ISAKMP_PAYLOAD_NONE, 2, 1, attrs_cisco, 12);
		proposal_close(&wr, at);
		is_int(isakmp_sa_parse(span_of(buf, wr.len), &sa),
		       declared == 2 ? ISAKMP_OK : ISAKMP_ERR_PROPOSAL,
		       "SA: 2 transforms present, %d declared", declared);
	}
	/* a proposal with no transform at all */
	wr = wire_wr_init(buf, sizeof(buf));
	sa_head(&wr, ISAKMP_DOI_IPSEC, ISAKMP_SIT_IDENTITY_ONLY);
	at = proposal_open(&wr, ISAKMP_PAYLOAD_NONE, 1, ISAKMP_PROTO_ISAKMP, 0, 0);
	proposal_close(&wr, at);
	is_int(isakmp_sa_parse(span_of(buf, wr.len), &sa), ISAKMP_ERR_PROPOSAL,
	       "SA: proposal without transforms");

	/* transform chain: next says more but none follows; next 0 but more follow; next 5 */
	static const struct {
		uint8_t first_next, second_next;
		bool two;
		enum isakmp_verdict verdict;
		const char *name;
	} chains[] = {
		{ ISAKMP_PAYLOAD_TRANSFORM, 0, false, ISAKMP_ERR_PROPOSAL, "T next=3 but last" },
		{ ISAKMP_PAYLOAD_NONE, ISAKMP_PAYLOAD_NONE, true, ISAKMP_ERR_PROPOSAL,
		  "T next=0 but another follows" },
		{ ISAKMP_PAYLOAD_ID, ISAKMP_PAYLOAD_NONE, true, ISAKMP_ERR_PROPOSAL, "T next=5" },
	};
	for (size_t i = 0; i < sizeof(chains) / sizeof(chains[0]); i++) {
		wr = wire_wr_init(buf, sizeof(buf));
		sa_head(&wr, ISAKMP_DOI_IPSEC, ISAKMP_SIT_IDENTITY_ONLY);
		at = proposal_open(&wr, ISAKMP_PAYLOAD_NONE, 1, ISAKMP_PROTO_ISAKMP, 0,
				   chains[i].two ? 2 : 1);
		put_transform(&wr, chains[i].first_next, 1, 1, NULL, 0);
		if (chains[i].two)
			put_transform(&wr, chains[i].second_next, 2, 1, NULL, 0);
		proposal_close(&wr, at);
		is_int(isakmp_sa_parse(span_of(buf, wr.len), &sa), chains[i].verdict, "SA: %s",
		       chains[i].name);
	}

	/* two proposals (AH + ESP under one number), with 4-byte SPIs */
	wr = wire_wr_init(buf, sizeof(buf));
	sa_head(&wr, ISAKMP_DOI_IPSEC, ISAKMP_SIT_IDENTITY_ONLY);
	at = proposal_open(&wr, ISAKMP_PAYLOAD_PROPOSAL, 1, ISAKMP_PROTO_IPSEC_AH, 4, 1);
	put_transform(&wr, ISAKMP_PAYLOAD_NONE, 1, IPSEC_AH_SHA, NULL, 0);
	proposal_close(&wr, at);
	at2 = proposal_open(&wr, ISAKMP_PAYLOAD_NONE, 1, ISAKMP_PROTO_IPSEC_ESP, 4, 1);
	put_transform(&wr, ISAKMP_PAYLOAD_NONE, 1, IPSEC_ESP_AES, NULL, 0);
	proposal_close(&wr, at2);
	is_int(isakmp_sa_parse(span_of(buf, wr.len), &sa), ISAKMP_OK, "SA: two proposals");
	is_int(sa.proposal_count, 2, "two counted");
	rd = wire_rd_init(sa.proposals.p, sa.proposals.len);
	(void)isakmp_proposal_next(&rd, &proposal);
	(void)isakmp_proposal_next(&rd, &proposal);
	is_int(proposal.protocol, ISAKMP_PROTO_IPSEC_ESP, "second is ESP");
	is_int(proposal.spi.len, 4, "SPI size 4");
	is_int(proposal.spi.p[3], 0xa3, "SPI bytes");
	buf[at] = ISAKMP_PAYLOAD_NONE; /* first proposal says "last" */
	is_int(isakmp_sa_parse(span_of(buf, wr.len), &sa), ISAKMP_ERR_PROPOSAL,
	       "SA: P next=0 but another follows");
	buf[at] = ISAKMP_PAYLOAD_PROPOSAL;
	is_int(isakmp_sa_parse(span_of(buf, at2), &sa), ISAKMP_ERR_PROPOSAL,
	       "SA: P next=2 but nothing follows");

	/* SPI size past the proposal; transform Length below 8; Length past the proposal */
	wr = wire_wr_init(buf, sizeof(buf));
	sa_head(&wr, ISAKMP_DOI_IPSEC, ISAKMP_SIT_IDENTITY_ONLY);
	at = proposal_open(&wr, ISAKMP_PAYLOAD_NONE, 1, ISAKMP_PROTO_IPSEC_ESP, 4, 1);
	put_transform(&wr, ISAKMP_PAYLOAD_NONE, 1, IPSEC_ESP_AES, NULL, 0);
	proposal_close(&wr, at);
	buf[at + 6] = 200;
	is_int(isakmp_sa_parse(span_of(buf, wr.len), &sa), ISAKMP_ERR_PROPOSAL,
	       "SA: SPI size past the proposal");
	buf[at + 6] = 4;
	buf[at + 12 + 3] = 7;
	is_int(isakmp_sa_parse(span_of(buf, wr.len), &sa), ISAKMP_ERR_PROPOSAL,
	       "SA: transform Length 7");
	buf[at + 12 + 3] = 9;
	is_int(isakmp_sa_parse(span_of(buf, wr.len), &sa), ISAKMP_ERR_PROPOSAL,
	       "SA: transform Length past the proposal");
	buf[at + 12 + 3] = 8;
	buf[at + 3] = 7;
	is_int(isakmp_sa_parse(span_of(buf, wr.len), &sa), ISAKMP_ERR_PROPOSAL,
	       "SA: proposal Length 7");
	buf[at + 3] = 20;
	is_int(isakmp_sa_parse(span_of(buf, wr.len), &sa), ISAKMP_OK, "SA: restored");

	/* an attribute running past its transform */
	static const uint8_t attrs_overrun[] = { 0x00, 0x0c, 0x00, 0x08, 0x00, 0x01 };
	wr = wire_wr_init(buf, sizeof(buf));
	sa_head(&wr, ISAKMP_DOI_IPSEC, ISAKMP_SIT_IDENTITY_ONLY);
	at = proposal_open(&wr, ISAKMP_PAYLOAD_NONE, 1, ISAKMP_PROTO_ISAKMP, 0, 1);
	put_transform(&wr, ISAKMP_PAYLOAD_NONE, 1, 1, attrs_overrun, sizeof(attrs_overrun));
	proposal_close(&wr, at);
	is_int(isakmp_sa_parse(span_of(buf, wr.len), &sa), ISAKMP_ERR_ATTRIBUTE,
	       "SA: TLV past its transform");

	/* iterators on bytes that do not parse */
	rd = wire_rd_init(buf, 5);
	ok(!isakmp_proposal_next(&rd, &proposal) && !wire_ok(&rd), "proposal iterator on garbage");
	rd = wire_rd_init(buf, 5);
	ok(!isakmp_transform_next(&rd, &transform) && !wire_ok(&rd), "transform iterator on garbage");
	rd = wire_rd_init(NULL, 0);
	ok(!isakmp_proposal_next(&rd, &proposal) && wire_ok(&rd), "proposal iterator on nothing");
}

static void test_attributes(void)
{
	static const uint8_t mix[] = {
		0x80, 0x01, 0x00, 0x05,                         /* TV enc = 3DES */
		0x00, 0x0c, 0x00, 0x04, 0x00, 0x00, 0x70, 0x80, /* TLV life = 28800 */
		0x00, 0x0c, 0x00, 0x02, 0x0e, 0x10,             /* TLV 2 bytes = 3600 */
		0x00, 0x0c, 0x00, 0x08, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
		0x00, 0x06, 0x00, 0x09, 0xff, 0xee, 0xdd, 0xcc, 0xbb, 0xaa, 0x99, 0x88, 0x77,
		0x00, 0x07, 0x00, 0x00,                         /* TLV, no value */
		0x80, 0x0e, 0x01, 0x00,                         /* TV key length 256 */
	};
	struct wire_rd rd = wire_rd_init(mix, sizeof(mix));
	struct isakmp_attr attr;

	is_int(isakmp_attrs_parse(empty_span), ISAKMP_OK, "attributes: none");
	is_int(isakmp_attrs_parse(SPAN(mix)), ISAKMP_OK, "attributes: TV/TLV mix, exact");
	is_int(isakmp_attrs_parse(span_of(mix, sizeof(mix) - 1)), ISAKMP_ERR_ATTRIBUTE,
	       "attributes: short by one");
	is_int(isakmp_attrs_parse(span_of(mix, 3)), ISAKMP_ERR_ATTRIBUTE,
	       "attributes: half an attribute header");
	is_int(isakmp_attrs_parse(span_of(mix, 4 + 7)), ISAKMP_ERR_ATTRIBUTE,
	       "attributes: TLV Length past the end (oversize)");

	ok(isakmp_attr_next(&rd, &attr), "attr 1");
	ok(attr.basic && attr.numeric && attr.type == OAKLEY_ENCRYPTION_ALGORITHM && attr.value == 5,
	   "TV 3DES");
	ok(isakmp_attr_next(&rd, &attr), "attr 2");
	ok(!attr.basic && attr.numeric && attr.type == OAKLEY_LIFE_DURATION && attr.value == 28800 &&
		   attr.data.len == 4,
	   "TLV 4 bytes reads as a number");
	ok(isakmp_attr_next(&rd, &attr) && attr.numeric && attr.value == 3600, "TLV 2 bytes");
	ok(isakmp_attr_next(&rd, &attr), "attr 4");
	ok(attr.numeric && attr.value == 0x0102030405060708ULL, "TLV 8 bytes: 64-bit number");
	ok(isakmp_attr_next(&rd, &attr), "attr 5");
	ok(!attr.numeric && attr.value == 0 && attr.data.len == 9 && attr.data.p[8] == 0x77,
	   "TLV 9 bytes: kept as a view");
	ok(isakmp_attr_next(&rd, &attr), "attr 6");
	ok(!attr.basic && !attr.numeric && attr.data.len == 0 && attr.type == 7, "TLV of 0 bytes");
	ok(isakmp_attr_next(&rd, &attr), "attr 7");
	ok(attr.basic && attr.type == OAKLEY_KEY_LENGTH && attr.value == 256, "TV key length");
	ok(!isakmp_attr_next(&rd, &attr) && wire_done(&rd), "end of the list");

	rd = wire_rd_init(mix + 4, 7);
	ok(!isakmp_attr_next(&rd, &attr) && !wire_ok(&rd), "TLV past the cursor: false and bad");
}

/* ------------------------------------------------------------ simple payload bodies */

static void test_ke_nonce_hash(void)
{
	uint8_t data[300];
	struct isakmp_ke ke;
	struct isakmp_nonce nonce;
	struct isakmp_hash hash;
	struct isakmp_natd natd;
	struct isakmp_vid_payload vid;

	memset(data, 0x5a, sizeof(data));
	is_int(isakmp_ke_parse(empty_span, &ke), ISAKMP_ERR_KEY_EXCHANGE, "KE: empty");
	is_int(isakmp_ke_parse(span_of(data, 1), &ke), ISAKMP_OK, "KE: one byte");
	is_int(isakmp_ke_parse(span_of(data, 128), &ke), ISAKMP_OK, "KE: MODP1024 size");
	is_int(ke.data.len, 128, "KE data");

	is_int(isakmp_nonce_parse(empty_span, &nonce), ISAKMP_ERR_NONCE, "nonce: empty");
	is_int(isakmp_nonce_parse(span_of(data, 7), &nonce), ISAKMP_ERR_NONCE, "nonce: 7, short by one");
	is_int(isakmp_nonce_parse(span_of(data, 8), &nonce), ISAKMP_OK, "nonce: 8, exact minimum");
	is_int(isakmp_nonce_parse(span_of(data, 256), &nonce), ISAKMP_OK, "nonce: 256, exact maximum");
	is_int(isakmp_nonce_parse(span_of(data, 257), &nonce), ISAKMP_ERR_NONCE, "nonce: 257, oversize");

	is_int(isakmp_hash_parse(empty_span, &hash), ISAKMP_ERR_HASH, "hash: empty");
	is_int(isakmp_hash_parse(span_of(data, 20), &hash), ISAKMP_OK, "hash: SHA1 size");
	is_int(hash.data.len, 20, "hash data");
	is_int(isakmp_natd_parse(empty_span, &natd), ISAKMP_ERR_HASH, "NAT-D: empty");
	is_int(isakmp_natd_parse(span_of(data, 16), &natd), ISAKMP_OK, "NAT-D: MD5 size");
	is_int(isakmp_vid_payload_parse(empty_span, &vid), ISAKMP_OK, "VID: empty is harmless");
	ok(isakmp_vid_lookup(vid.data) == NULL, "an empty VID matches nothing");
	is_int(isakmp_vid_payload_parse(span_of(data, 16), &vid), ISAKMP_OK, "VID: 16 bytes");
}

static void test_id(void)
{
	uint8_t buf[64];
	struct isakmp_id id;
	static const struct {
		uint8_t type;
		size_t exact;
		const char *name;
	} sizes[] = {
		{ ISAKMP_ID_IPV4_ADDR, 4, "ID_IPV4_ADDR" },
		{ ISAKMP_ID_IPV4_ADDR_SUBNET, 8, "ID_IPV4_ADDR_SUBNET" },
		{ ISAKMP_ID_IPV4_ADDR_RANGE, 8, "ID_IPV4_ADDR_RANGE" },
		{ ISAKMP_ID_IPV6_ADDR, 16, "ID_IPV6_ADDR" },
		{ ISAKMP_ID_IPV6_ADDR_SUBNET, 32, "ID_IPV6_ADDR_SUBNET" },
		{ ISAKMP_ID_IPV6_ADDR_RANGE, 32, "ID_IPV6_ADDR_RANGE" },
	};

	memset(buf, 0, sizeof(buf));
	buf[0] = ISAKMP_ID_IPV4_ADDR;
	buf[1] = 17;
	buf[2] = 0x06;
	buf[3] = 0xa5;
	buf[4] = 192;
	buf[5] = 168;
	buf[6] = 1;
	buf[7] = 93;
	is_int(isakmp_id_parse(empty_span, &id), ISAKMP_ERR_SHORT, "ID: empty");
	is_int(isakmp_id_parse(span_of(buf, 3), &id), ISAKMP_ERR_SHORT, "ID: 3 bytes");
	is_int(isakmp_id_parse(span_of(buf, 8), &id), ISAKMP_OK, "ID: IPv4 exact");
	is_int(id.type, ISAKMP_ID_IPV4_ADDR, "type");
	is_int(id.protocol, 17, "protocol UDP");
	is_int(id.port, 1701, "port 1701");
	is_int(id.data.p[3], 93, "address");
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		buf[0] = sizes[i].type;
		is_int(isakmp_id_parse(span_of(buf, 4 + sizes[i].exact - 1), &id), ISAKMP_ERR_ID,
		       "ID: %s short by one", sizes[i].name);
		is_int(isakmp_id_parse(span_of(buf, 4 + sizes[i].exact), &id), ISAKMP_OK,
		       "ID: %s exact", sizes[i].name);
		is_int(isakmp_id_parse(span_of(buf, 4 + sizes[i].exact + 1), &id), ISAKMP_ERR_ID,
		       "ID: %s oversize", sizes[i].name);
	}
	buf[0] = ISAKMP_ID_FQDN;
	memcpy(buf + 4, "vpn.example", 11);
	is_int(isakmp_id_parse(span_of(buf, 4), &id), ISAKMP_ERR_ID, "ID: empty FQDN");
	is_int(isakmp_id_parse(span_of(buf, 15), &id), ISAKMP_OK, "ID: FQDN");
	is_int(id.data.len, 11, "FQDN length");
	buf[0] = ISAKMP_ID_KEY_ID;
	is_int(isakmp_id_parse(span_of(buf, 5), &id), ISAKMP_OK, "ID: one-byte KEY_ID");
	buf[0] = 12;
	is_int(isakmp_id_parse(span_of(buf, 8), &id), ISAKMP_ERR_ID, "ID: unknown type 12");
	buf[0] = 0;
	is_int(isakmp_id_parse(span_of(buf, 8), &id), ISAKMP_ERR_ID, "ID: type 0");
}

static void test_notify(void)
{
	/* DOI 1, ISAKMP, SPI size 16, R-U-THERE, cookies, sequence 0x1234 */
	uint8_t buf[32] = { 0, 0, 0, 1, ISAKMP_PROTO_ISAKMP, 16, 0x8d, 0x28 };
	struct isakmp_notify notify;

	for (int i = 0; i < 16; i++)
		buf[8 + i] = (uint8_t)i;
	buf[24] = 0;
	buf[25] = 0;
	buf[26] = 0x12;
	buf[27] = 0x34;
	is_int(isakmp_notify_parse(empty_span, &notify), ISAKMP_ERR_SHORT, "notify: empty");
	is_int(isakmp_notify_parse(span_of(buf, 7), &notify), ISAKMP_ERR_SHORT, "notify: 7 bytes");
	is_int(isakmp_notify_parse(span_of(buf, 23), &notify), ISAKMP_ERR_LENGTH,
	       "notify: SPI short by one (SPI size past the body)");
	is_int(isakmp_notify_parse(span_of(buf, 24), &notify), ISAKMP_OK, "notify: SPI, no data");
	is_int(notify.data.len, 0, "no data");
	is_int(isakmp_notify_parse(span_of(buf, 28), &notify), ISAKMP_OK, "notify: R-U-THERE");
	is_int(notify.doi, 1, "DOI");
	is_int(notify.protocol, ISAKMP_PROTO_ISAKMP, "protocol");
	is_int(notify.type, ISAKMP_NOTIFY_R_U_THERE, "type 36136");
	is_int(notify.spi.len, 16, "cookie pair SPI");
	is_int(notify.data.len, 4, "sequence number");
	buf[5] = 0;
	is_int(isakmp_notify_parse(span_of(buf, 8), &notify), ISAKMP_OK,
	       "notify: exact 8 (no SPI, no data)");
	buf[0] = 0;
	buf[3] = 0;
	is_int(isakmp_notify_parse(span_of(buf, 8), &notify), ISAKMP_OK, "notify: DOI 0 accepted");
}

static void test_delete(void)
{
	uint8_t buf[32] = { 0, 0, 0, 1, ISAKMP_PROTO_IPSEC_ESP, 4, 0, 2,
			    0xc1, 0xa0, 0x00, 0x01, 0xc1, 0xa0, 0x00, 0x02 };
	struct isakmp_delete del;
	struct wire_span spi;

	is_int(isakmp_delete_parse(empty_span, &del), ISAKMP_ERR_SHORT, "delete: empty");
	is_int(isakmp_delete_parse(span_of(buf, 7), &del), ISAKMP_ERR_SHORT, "delete: 7 bytes");
	is_int(isakmp_delete_parse(span_of(buf, 15), &del), ISAKMP_ERR_LENGTH,
	       "delete: short by one");
	is_int(isakmp_delete_parse(span_of(buf, 16), &del), ISAKMP_OK, "delete: two ESP SPIs");
	is_int(del.spi_count, 2, "count");
	is_int(del.spi_size, 4, "size");
	spi = isakmp_delete_spi(&del, 1);
	ok(spi.len == 4 && spi.p[3] == 0x02, "second SPI");
	spi = isakmp_delete_spi(&del, 2);
	ok(spi.len == 0 && spi.p == NULL, "no third SPI");
	is_int(isakmp_delete_parse(span_of(buf, 17), &del), ISAKMP_ERR_LENGTH, "delete: oversize");
	buf[7] = 3;
	is_int(isakmp_delete_parse(span_of(buf, 16), &del), ISAKMP_ERR_LENGTH,
	       "delete: count 3 but two SPIs");
	buf[7] = 0;
	is_int(isakmp_delete_parse(span_of(buf, 8), &del), ISAKMP_ERR_SPI, "delete: count 0");
	buf[7] = 1;
	buf[5] = 0;
	is_int(isakmp_delete_parse(span_of(buf, 8), &del), ISAKMP_ERR_SPI, "delete: SPI size 0");
	buf[4] = ISAKMP_PROTO_ISAKMP;
	buf[5] = 16;
	is_int(isakmp_delete_parse(span_of(buf, 24), &del), ISAKMP_OK, "delete: ISAKMP cookie pair");
	buf[5] = 255;
	buf[6] = 0xff;
	buf[7] = 0xff;
	is_int(isakmp_delete_parse(span_of(buf, 24), &del), ISAKMP_ERR_LENGTH,
	       "delete: 255 x 65535 claimed");
}

static void test_natoa(void)
{
	uint8_t buf[24] = { ISAKMP_ID_IPV4_ADDR, 0, 0, 0, 192, 168, 0, 27 };
	struct isakmp_natoa natoa;

	is_int(isakmp_natoa_parse(empty_span, &natoa), ISAKMP_ERR_SHORT, "NAT-OA: empty");
	is_int(isakmp_natoa_parse(span_of(buf, 3), &natoa), ISAKMP_ERR_SHORT, "NAT-OA: 3 bytes");
	is_int(isakmp_natoa_parse(span_of(buf, 7), &natoa), ISAKMP_ERR_ADDRESS,
	       "NAT-OA: IPv4 short by one");
	is_int(isakmp_natoa_parse(span_of(buf, 8), &natoa), ISAKMP_OK, "NAT-OA: IPv4 exact");
	ok(natoa.id_type == ISAKMP_ID_IPV4_ADDR && natoa.address.len == 4 && natoa.address.p[3] == 27,
	   "IPv4 address");
	is_int(isakmp_natoa_parse(span_of(buf, 9), &natoa), ISAKMP_ERR_ADDRESS,
	       "NAT-OA: IPv4 oversize");
	buf[1] = 0xde;
	buf[3] = 0xad;
	is_int(isakmp_natoa_parse(span_of(buf, 8), &natoa), ISAKMP_OK,
	       "NAT-OA: reserved octets ignored");
	buf[0] = ISAKMP_ID_IPV6_ADDR;
	is_int(isakmp_natoa_parse(span_of(buf, 19), &natoa), ISAKMP_ERR_ADDRESS,
	       "NAT-OA: IPv6 short by one");
	is_int(isakmp_natoa_parse(span_of(buf, 20), &natoa), ISAKMP_OK, "NAT-OA: IPv6 exact");
	is_int(isakmp_natoa_parse(span_of(buf, 21), &natoa), ISAKMP_ERR_ADDRESS,
	       "NAT-OA: IPv6 oversize");
	buf[0] = ISAKMP_ID_FQDN;
	is_int(isakmp_natoa_parse(span_of(buf, 8), &natoa), ISAKMP_ERR_ADDRESS, "NAT-OA: FQDN type");
}

static void test_fragment(void)
{
	uint8_t buf[8] = { 0x12, 0x34, 2, ISAKMP_FRAGMENT_FLAG_LAST, 0xaa, 0xbb };
	struct isakmp_fragment fragment;

	is_int(isakmp_fragment_parse(empty_span, &fragment), ISAKMP_ERR_SHORT, "fragment: empty");
	is_int(isakmp_fragment_parse(span_of(buf, 3), &fragment), ISAKMP_ERR_SHORT,
	       "fragment: short by one");
	is_int(isakmp_fragment_parse(span_of(buf, 4), &fragment), ISAKMP_ERR_FRAGMENT,
	       "fragment: exact header, no data");
	is_int(isakmp_fragment_parse(span_of(buf, 6), &fragment), ISAKMP_OK, "fragment: with data");
	ok(fragment.id == 0x1234 && fragment.number == 2 && fragment.last && fragment.data.len == 2,
	   "fragment fields");
	buf[3] = 0;
	is_int(isakmp_fragment_parse(span_of(buf, 6), &fragment), ISAKMP_OK, "fragment: not last");
	ok(!fragment.last, "last flag clear");
	buf[2] = 0;
	is_int(isakmp_fragment_parse(span_of(buf, 6), &fragment), ISAKMP_ERR_FRAGMENT,
	       "fragment: number 0");
}

/* ------------------------------------------------------------ builders */

static const struct isakmp_hdr reply_hdr = {
	.initiator_cookie = { 0xe4, 0x7a, 0x59, 0x1f, 0xd0, 0x57, 0x58, 0x7f },
	.responder_cookie = { 0xa0, 0x0b, 0x8e, 0xf0, 0x90, 0x2b, 0xb8, 0xec },
	.exchange_type = ISAKMP_EXCHANGE_ID_PROT,
};

/* Header and chain of a built message, checked like a received one. */
static bool reparse(const struct wire_wr *wr, struct isakmp_hdr *hdr, struct isakmp_msg *msg)
{
	return isakmp_hdr_parse(span_of(wr->p, wr->len), hdr) == ISAKMP_OK &&
	       isakmp_payloads_parse(hdr->next_payload, hdr->body, false, msg) == ISAKMP_OK;
}

static void test_build_main_mode(void)
{
	static const struct isakmp_attr_value attrs[] = {
		{ OAKLEY_ENCRYPTION_ALGORITHM, OAKLEY_AES_CBC },
		{ OAKLEY_KEY_LENGTH, 256 },
		{ OAKLEY_HASH_ALGORITHM, OAKLEY_SHA1 },
		{ OAKLEY_GROUP_DESCRIPTION, OAKLEY_GROUP_MODP2048 },
		{ OAKLEY_AUTHENTICATION_METHOD, OAKLEY_PRESHARED_KEY },
		{ OAKLEY_LIFE_TYPE, OAKLEY_LIFE_SECONDS },
		{ OAKLEY_LIFE_DURATION, 86400 }, /* > 0xffff: TLV */
	};
	const struct isakmp_sa_out sa_out = {
		.proposal_number = 1, .protocol = ISAKMP_PROTO_ISAKMP,
		.transform_number = 1, .transform_id = ISAKMP_KEY_IKE,
		.attrs = attrs, .attr_count = sizeof(attrs) / sizeof(attrs[0]),
	};
	static const uint8_t rfc3947[] = { 0x4a, 0x13, 0x1c, 0x81, 0x07, 0x03, 0x58, 0x45,
					   0x5c, 0x57, 0x28, 0xf2, 0x0e, 0x95, 0x45, 0x2f };
	static struct isakmp_msg msg;
	uint8_t buf[512];
	struct wire_wr wr = wire_wr_init(buf, sizeof(buf));
	struct isakmp_builder builder;
	struct isakmp_hdr hdr;
	struct isakmp_sa sa;
	struct isakmp_proposal proposal;
	struct isakmp_transform transform;
	struct isakmp_attr attr;
	struct wire_rd rd;
	size_t n = 0;

	isakmp_hdr_build(&builder, &wr, &reply_hdr);
	isakmp_sa_build(&builder, &sa_out);
	isakmp_vid_build(&builder, SPAN(rfc3947));
	isakmp_msg_finish(&builder);
	ok(isakmp_builder_ok(&builder), "MM2 built, writer not bad");
	ok(reparse(&wr, &hdr, &msg), "MM2 reparses");
	is_int(hdr.length, wr.len, "header Length is the message size");
	is_int(hdr.exchange_type, ISAKMP_EXCHANGE_ID_PROT, "exchange");
	ok(memcmp(hdr.responder_cookie, reply_hdr.responder_cookie, 8) == 0, "cookies");
	is_int(msg.count, 2, "SA, VID");
	is_int(msg.payloads[0].type, ISAKMP_PAYLOAD_SA, "first SA");
	is_int(msg.payloads[1].type, ISAKMP_PAYLOAD_VID, "then VID");
	ok(isakmp_vid_lookup(msg.payloads[1].body) &&
		   isakmp_vid_lookup(msg.payloads[1].body)->natt == ISAKMP_NATT_RFC,
	   "VID is RFC 3947");
	is_int(isakmp_sa_parse(msg.payloads[0].body, &sa), ISAKMP_OK, "SA parses");
	is_int(sa.proposal_count, 1, "one proposal");
	rd = wire_rd_init(sa.proposals.p, sa.proposals.len);
	ok(isakmp_proposal_next(&rd, &proposal), "proposal");
	ok(proposal.protocol == ISAKMP_PROTO_ISAKMP && proposal.spi.len == 0 &&
		   proposal.transform_count == 1,
	   "phase-1 proposal: no SPI, one transform");
	rd = wire_rd_init(proposal.transforms.p, proposal.transforms.len);
	ok(isakmp_transform_next(&rd, &transform) && transform.transform_id == ISAKMP_KEY_IKE,
	   "KEY_IKE transform");
	rd = wire_rd_init(transform.attrs.p, transform.attrs.len);
	while (isakmp_attr_next(&rd, &attr)) {
		ok(n < sa_out.attr_count && attr.type == attrs[n].type && attr.numeric &&
			   attr.value == attrs[n].value,
		   "attribute %s round-trips", isakmp_oakley_attr_name(attr.type).str);
		if (attrs[n].value > 0xffff)
			ok(!attr.basic && attr.data.len == 4, "86400 went out as a 4-byte TLV");
		n++;
	}
	is_int(n, sa_out.attr_count, "all attributes");

	/* MM4: KE, nonce, two draft NAT-Ds */
	uint8_t ke[128], nonce[32], natd[20];

	memset(ke, 0x11, sizeof(ke));
	memset(nonce, 0x22, sizeof(nonce));
	memset(natd, 0x33, sizeof(natd));
	wr = wire_wr_init(buf, sizeof(buf));
	isakmp_hdr_build(&builder, &wr, &reply_hdr);
	isakmp_ke_build(&builder, SPAN(ke));
	isakmp_nonce_build(&builder, SPAN(nonce));
	isakmp_natd_build(&builder, ISAKMP_PAYLOAD_NATD_DRAFT, SPAN(natd));
	isakmp_natd_build(&builder, ISAKMP_PAYLOAD_NATD_DRAFT, SPAN(natd));
	isakmp_msg_finish(&builder);
	ok(isakmp_builder_ok(&builder), "MM4 built");
	ok(reparse(&wr, &hdr, &msg), "MM4 reparses");
	ok(msg.count == 4 && msg.payloads[0].type == ISAKMP_PAYLOAD_KE &&
		   msg.payloads[1].type == ISAKMP_PAYLOAD_NONCE &&
		   msg.payloads[2].type == ISAKMP_PAYLOAD_NATD_DRAFT &&
		   msg.payloads[3].type == ISAKMP_PAYLOAD_NATD_DRAFT,
	   "KE, NONCE, NAT-D(130) x2 in order");
	is_int(hdr.next_payload, ISAKMP_PAYLOAD_KE, "header names the first payload");
	is_int(msg.payloads[0].body.len, 128, "KE size");
	is_mem(msg.payloads[2].body.p, natd, sizeof(natd), "NAT-D hash");

	/* MM6: ID (encrypted later; here plaintext) and HASH filled after building */
	static const uint8_t address[] = { 203, 0, 113, 7 };
	const struct isakmp_id id = { .type = ISAKMP_ID_IPV4_ADDR, .protocol = 17, .port = 500,
				      .data = SPAN(address) };
	struct isakmp_id id_back;
	uint8_t *digest;

	wr = wire_wr_init(buf, sizeof(buf));
	isakmp_hdr_build(&builder, &wr, &reply_hdr);
	isakmp_id_build(&builder, &id);
	digest = isakmp_hash_build(&builder, 20);
	ok(digest != NULL, "HASH reserved");
	if (digest)
		memset(digest, 0x44, 20);
	isakmp_msg_finish(&builder);
	/* encryption pads the body; the length is written again */
	wire_put_zero(&wr, 4);
	isakmp_msg_finish(&builder);
	ok(isakmp_builder_ok(&builder), "MM6 built and padded");
	ok(isakmp_hdr_parse(span_of(wr.p, wr.len), &hdr) == ISAKMP_OK, "padded header");
	is_int(isakmp_payloads_parse(hdr.next_payload, hdr.body, false, &msg), ISAKMP_ERR_TRAILING,
	       "padding refused as plaintext");
	is_int(isakmp_payloads_parse(hdr.next_payload, hdr.body, true, &msg), ISAKMP_OK,
	       "padding accepted as decrypted");
	is_int(msg.padding.len, 4, "4 bytes of padding");
	is_int(isakmp_id_parse(msg.payloads[0].body, &id_back), ISAKMP_OK, "ID reparses");
	ok(id_back.type == id.type && id_back.protocol == 17 && id_back.port == 500 &&
		   id_back.data.len == 4 && memcmp(id_back.data.p, address, 4) == 0,
	   "ID round-trips");
	ok(msg.payloads[1].body.len == 20 && msg.payloads[1].body.p[19] == 0x44,
	   "digest written after the payload was closed");
}

static void test_build_quick_mode(void)
{
	static const struct isakmp_attr_value attrs[] = {
		{ IPSEC_SA_LIFE_TYPE, IPSEC_SA_LIFE_TYPE_SECONDS },
		{ IPSEC_SA_LIFE_DURATION, 3600 },
		{ IPSEC_ENCAPSULATION_MODE, IPSEC_ENCAPSULATION_MODE_UDP_TRANSPORT_DRAFTS },
		{ IPSEC_AUTH_ALGORITHM, IPSEC_AUTH_ALGORITHM_HMAC_SHA1 },
		{ IPSEC_KEY_LENGTH, 128 },
	};
	const struct isakmp_sa_out sa_out = {
		.proposal_number = 1, .protocol = ISAKMP_PROTO_IPSEC_ESP, .spi = 0x96fef74d,
		.transform_number = 1, .transform_id = IPSEC_ESP_AES,
		.attrs = attrs, .attr_count = sizeof(attrs) / sizeof(attrs[0]),
	};
	static const uint8_t client[] = { 192, 168, 0, 27 }, server[] = { 10, 8, 165, 23 };
	static const uint8_t client6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	const struct isakmp_id idci = { ISAKMP_ID_IPV4_ADDR, 17, 1701, SPAN(client) };
	const struct isakmp_id idcr = { ISAKMP_ID_IPV4_ADDR, 17, 1701, SPAN(server) };
	static const uint8_t nonce[16] = { 1, 2, 3 };
	static struct isakmp_msg msg;
	uint8_t buf[512];
	struct wire_wr wr = wire_wr_init(buf, sizeof(buf));
	struct isakmp_builder builder;
	struct isakmp_hdr hdr = reply_hdr, back;
	struct isakmp_sa sa;
	struct isakmp_proposal proposal;
	struct isakmp_natoa natoa;
	struct isakmp_id id;
	struct wire_rd rd;

	hdr.exchange_type = ISAKMP_EXCHANGE_QUICK;
	hdr.flags = ISAKMP_FLAG_ENCRYPTION;
	hdr.message_id = 0x01000000;
	isakmp_hdr_build(&builder, &wr, &hdr);
	ok(isakmp_hash_build(&builder, 20) != NULL, "HASH(2) reserved");
	isakmp_sa_build(&builder, &sa_out);
	isakmp_nonce_build(&builder, SPAN(nonce));
	isakmp_id_build(&builder, &idci);
	isakmp_id_build(&builder, &idcr);
	isakmp_natoa_build(&builder, ISAKMP_PAYLOAD_NATOA, SPAN(client));
	isakmp_natoa_build(&builder, ISAKMP_PAYLOAD_NATOA, SPAN(client6));
	isakmp_msg_finish(&builder);
	ok(isakmp_builder_ok(&builder), "QM2 built");
	ok(isakmp_hdr_parse(span_of(wr.p, wr.len), &back) == ISAKMP_OK, "QM2 header");
	ok(back.flags == ISAKMP_FLAG_ENCRYPTION && back.message_id == 0x01000000 &&
		   back.exchange_type == ISAKMP_EXCHANGE_QUICK,
	   "flags, message ID, exchange");
	is_int(isakmp_payloads_parse(back.next_payload, back.body, true, &msg), ISAKMP_OK,
	       "QM2 chain");
	is_int(msg.count, 7, "HASH SA No ID ID NAT-OA NAT-OA");
	is_int(isakmp_msg_count(&msg, ISAKMP_PAYLOAD_NATOA), 2, "two NAT-OA");
	is_int(isakmp_sa_parse(msg.payloads[1].body, &sa), ISAKMP_OK, "phase-2 SA parses");
	rd = wire_rd_init(sa.proposals.p, sa.proposals.len);
	ok(isakmp_proposal_next(&rd, &proposal), "ESP proposal");
	ok(proposal.protocol == ISAKMP_PROTO_IPSEC_ESP && proposal.spi.len == 4 &&
		   proposal.spi.p[0] == 0x96 && proposal.spi.p[3] == 0x4d,
	   "our 4-byte SPI");
	is_int(isakmp_id_parse(msg.payloads[4].body, &id), ISAKMP_OK, "IDcr");
	ok(id.port == 1701 && id.data.p[0] == 10, "IDcr fields");
	is_int(isakmp_natoa_parse(msg.payloads[6].body, &natoa), ISAKMP_OK, "NAT-OA IPv6");
	ok(natoa.id_type == ISAKMP_ID_IPV6_ADDR && natoa.address.len == 16, "IPv6 NAT-OA");
	is_int(isakmp_nonce_parse(msg.payloads[2].body, &(struct isakmp_nonce){ 0 }), ISAKMP_OK,
	       "nonce");
}

static void test_build_informational(void)
{
	uint8_t cookies[16] = { 0 }, sequence[4] = { 0, 0, 0x12, 0x34 }, spis[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	const struct isakmp_notify ack = {
		.doi = ISAKMP_DOI_IPSEC, .protocol = ISAKMP_PROTO_ISAKMP,
		.type = ISAKMP_NOTIFY_R_U_THERE_ACK, .spi = SPAN(cookies), .data = SPAN(sequence),
	};
	const struct isakmp_delete del = {
		.doi = ISAKMP_DOI_IPSEC, .protocol = ISAKMP_PROTO_IPSEC_ESP, .spi_size = 4,
		.spi_count = 2, .spis = SPAN(spis),
	};
	static struct isakmp_msg msg;
	uint8_t buf[256];
	struct wire_wr wr = wire_wr_init(buf, sizeof(buf));
	struct isakmp_builder builder;
	struct isakmp_hdr hdr = reply_hdr;
	struct isakmp_notify notify;
	struct isakmp_delete del_back;

	memset(cookies, 0x77, sizeof(cookies));
	hdr.exchange_type = ISAKMP_EXCHANGE_INFORMATIONAL;
	isakmp_hdr_build(&builder, &wr, &hdr);
	(void)isakmp_hash_build(&builder, 20);
	isakmp_notify_build(&builder, &ack);
	isakmp_delete_build(&builder, &del);
	isakmp_msg_finish(&builder);
	ok(isakmp_builder_ok(&builder), "informational built");
	ok(reparse(&wr, &hdr, &msg) && msg.count == 3, "HASH N D");
	is_int(isakmp_notify_parse(msg.payloads[1].body, &notify), ISAKMP_OK, "notify reparses");
	ok(notify.type == ISAKMP_NOTIFY_R_U_THERE_ACK && notify.spi.len == 16 &&
		   notify.data.len == 4 && notify.data.p[3] == 0x34 && notify.doi == 1,
	   "R_U_THERE_ACK round-trips");
	is_int(isakmp_delete_parse(msg.payloads[2].body, &del_back), ISAKMP_OK, "delete reparses");
	ok(del_back.spi_count == 2 && del_back.spi_size == 4 &&
		   isakmp_delete_spi(&del_back, 1).p[0] == 5,
	   "delete round-trips");
}

static void test_build_misuse(void)
{
	uint8_t buf[256], big[70000];
	struct wire_wr wr;
	struct isakmp_builder builder;
	size_t mark;
	static const uint8_t three[3] = { 1, 2, 3 };

	memset(big, 0, sizeof(big));
	wr = wire_wr_init(buf, sizeof(buf));
	isakmp_hdr_build(&builder, &wr, &reply_hdr);
	(void)isakmp_payload_begin(&builder, ISAKMP_PAYLOAD_VID);
	(void)isakmp_payload_begin(&builder, ISAKMP_PAYLOAD_VID);
	ok(!wire_wr_ok(&wr), "begin inside an open payload poisons the writer");

	wr = wire_wr_init(buf, sizeof(buf));
	isakmp_hdr_build(&builder, &wr, &reply_hdr);
	mark = isakmp_payload_begin(&builder, ISAKMP_PAYLOAD_VID);
	isakmp_payload_end(&builder, mark + 1);
	ok(!wire_wr_ok(&wr), "end with a wrong mark poisons the writer");

	wr = wire_wr_init(buf, sizeof(buf));
	isakmp_hdr_build(&builder, &wr, &reply_hdr);
	isakmp_payload_end(&builder, 28);
	ok(!wire_wr_ok(&wr), "end without begin");

	wr = wire_wr_init(buf, sizeof(buf));
	isakmp_hdr_build(&builder, &wr, &reply_hdr);
	(void)isakmp_payload_begin(&builder, ISAKMP_PAYLOAD_NONE);
	ok(!wire_wr_ok(&wr), "a payload of type NONE would cut the chain");

	wr = wire_wr_init(buf, sizeof(buf));
	isakmp_hdr_build(&builder, &wr, &reply_hdr);
	(void)isakmp_payload_begin(&builder, ISAKMP_PAYLOAD_VID);
	ok(!isakmp_builder_ok(&builder), "an open payload is not ok to send");
	isakmp_msg_finish(&builder);
	ok(!wire_wr_ok(&wr), "finish with a payload open");

	wr = wire_wr_init(buf, sizeof(buf));
	isakmp_hdr_build(&builder, &wr, &reply_hdr);
	isakmp_natoa_build(&builder, ISAKMP_PAYLOAD_NATOA, SPAN(three));
	ok(!wire_wr_ok(&wr), "NAT-OA of 3 bytes");

	wr = wire_wr_init(buf, sizeof(buf));
	isakmp_hdr_build(&builder, &wr, &reply_hdr);
	isakmp_natoa_build(&builder, ISAKMP_PAYLOAD_NATD, SPAN(three));
	ok(!wire_wr_ok(&wr), "NAT-OA with a NAT-D type");

	wr = wire_wr_init(buf, sizeof(buf));
	isakmp_hdr_build(&builder, &wr, &reply_hdr);
	isakmp_natd_build(&builder, ISAKMP_PAYLOAD_HASH, SPAN(three));
	ok(!wire_wr_ok(&wr), "NAT-D with a HASH type");

	wr = wire_wr_init(buf, sizeof(buf));
	isakmp_hdr_build(&builder, &wr, &reply_hdr);
	isakmp_sa_build(&builder, &(struct isakmp_sa_out){ .protocol = ISAKMP_PROTO_IPCOMP });
	ok(!wire_wr_ok(&wr), "SA of an unsupported protocol");

	wr = wire_wr_init(buf, sizeof(buf));
	isakmp_hdr_build(&builder, &wr, &reply_hdr);
	isakmp_delete_build(&builder, &(struct isakmp_delete){ .spi_size = 4, .spi_count = 2,
							       .spis = SPAN(three) });
	ok(!wire_wr_ok(&wr), "delete whose SPIs do not add up");

	wr = wire_wr_init(buf, sizeof(buf));
	isakmp_hdr_build(&builder, &wr, &reply_hdr);
	isakmp_notify_build(&builder, &(struct isakmp_notify){ .spi = span_of(big, 256) });
	ok(!wire_wr_ok(&wr), "notify SPI of 256 bytes");

	wr = wire_wr_init(buf, 40);
	isakmp_hdr_build(&builder, &wr, &reply_hdr);
	isakmp_vid_build(&builder, span_of(buf, 20));
	ok(!wire_wr_ok(&wr) && !isakmp_builder_ok(&builder), "overflow of a small buffer");
	isakmp_msg_finish(&builder);
	ok(!wire_wr_ok(&wr), "and it stays bad");

	{
		static uint8_t huge[80000];
		struct wire_wr hw = wire_wr_init(huge, sizeof(huge));

		isakmp_hdr_build(&builder, &hw, &reply_hdr);
		isakmp_vid_build(&builder, SPAN(big));
		ok(!wire_wr_ok(&hw), "a payload longer than 65535 bytes");
	}
}

/* ------------------------------------------------------------ captures */

static char *capture_path(const char *name)
{
	const char *top = getenv("top_srcdir");
	static char path[4096];

	snprintf(path, sizeof(path), "%s/tests/data/captures/%s", top ? top : ".", name);
	return path;
}

/* One ISAKMP message seen in a capture. */
struct ike_seen {
	unsigned long frame;
	uint16_t src_port;
	bool on_4500;
	enum isakmp_verdict hdr_verdict;
	struct isakmp_hdr hdr;
	enum isakmp_verdict chain_verdict; /* only for plaintext messages */
	struct isakmp_msg msg;
};

struct capture {
	uint8_t *data;
	size_t len;
	struct ike_seen ike[48];
	size_t ike_count;
	unsigned long esp, keepalives, runts;
	uint32_t first_esp_spi;
	struct pcap_stats stats;
	bool broken;
};

static bool capture_load(const char *name, struct capture *cap)
{
	struct pcap_reader reader;
	struct pcap_udp udp;
	int err;

	memset(cap, 0, sizeof(*cap));
	err = pcap_file_load(capture_path(name), &cap->data, &cap->len);
	if (!ok(err == 0, "%s: loaded", name)) {
		tap_diag("%s: %s", capture_path(name), strerror(-err));
		return false;
	}
	if (!ok(pcap_reader_init(&reader, cap->data, cap->len), "%s: is a capture", name))
		return false;
	while (pcap_next_udp(&reader, &udp)) {
		struct ike_seen *seen;

		if (udp.kind == PCAP_UDP_ESP) {
			if (cap->esp++ == 0 && udp.payload.len >= 4)
				cap->first_esp_spi = (uint32_t)udp.payload.p[0] << 24 |
						     (uint32_t)udp.payload.p[1] << 16 |
						     (uint32_t)udp.payload.p[2] << 8 | udp.payload.p[3];
			continue;
		}
		if (udp.kind == PCAP_UDP_KEEPALIVE) {
			cap->keepalives++;
			continue;
		}
		if (udp.kind == PCAP_UDP_RUNT) {
			cap->runts++;
			continue;
		}
		if (udp.kind == PCAP_UDP_PLAIN && udp.src_port != 500 && udp.dst_port != 500)
			continue;
		if (cap->ike_count == sizeof(cap->ike) / sizeof(cap->ike[0]))
			break;
		seen = &cap->ike[cap->ike_count++];
		seen->frame = udp.frame;
		seen->src_port = udp.src_port;
		seen->on_4500 = udp.kind == PCAP_UDP_IKE;
		seen->hdr_verdict = isakmp_hdr_parse(udp.payload, &seen->hdr);
		if (seen->hdr_verdict == ISAKMP_OK && !(seen->hdr.flags & ISAKMP_FLAG_ENCRYPTION))
			seen->chain_verdict = isakmp_payloads_parse(seen->hdr.next_payload,
								    seen->hdr.body, false, &seen->msg);
	}
	cap->stats = reader.stats;
	cap->broken = pcap_reader_broken(&reader);
	return true;
}

static void capture_free(struct capture *cap)
{
	free(cap->data);
	cap->data = NULL;
}

static const struct ike_seen *capture_frame(const struct capture *cap, unsigned long frame)
{
	for (size_t i = 0; i < cap->ike_count; i++)
		if (cap->ike[i].frame == frame)
			return &cap->ike[i];
	return NULL;
}

/* Every IKE message of a capture: a good header, and a good chain when in clear. */
static void capture_all_parse(const struct capture *cap, const char *name, size_t expected)
{
	size_t good = 0, clear = 0;

	for (size_t i = 0; i < cap->ike_count; i++) {
		const struct ike_seen *seen = &cap->ike[i];

		if (seen->hdr_verdict != ISAKMP_OK) {
			tap_diag("%s frame %lu: %s", name, seen->frame,
				 isakmp_verdict_name(seen->hdr_verdict).str);
			continue;
		}
		if (seen->hdr.flags & ISAKMP_FLAG_ENCRYPTION) {
			good++;
			continue;
		}
		clear++;
		if (seen->chain_verdict == ISAKMP_OK && seen->msg.unknown_count == 0)
			good++;
		else
			tap_diag("%s frame %lu: chain %s", name, seen->frame,
				 isakmp_verdict_name(seen->chain_verdict).str);
	}
	is_int(cap->ike_count, expected, "%s: %zu ISAKMP messages", name, expected);
	is_int(good, cap->ike_count, "%s: every header (and every clear chain) parses", name);
	ok(!cap->broken, "%s: the file walk reached its end", name);
}

/* The names of a message's VIDs, joined with ", "; and the best NAT-T method offered. */
static const char *vid_names(const struct isakmp_msg *msg, enum isakmp_natt_method *best)
{
	static char names[512];
	size_t len = 0;

	names[0] = '\0';
	if (best)
		*best = ISAKMP_NATT_NONE;
	for (size_t i = 0; i < msg->count; i++) {
		const struct isakmp_vid *vid;

		if (msg->payloads[i].type != ISAKMP_PAYLOAD_VID)
			continue;
		vid = isakmp_vid_lookup(msg->payloads[i].body);
		len += (size_t)snprintf(names + len, sizeof(names) - len, "%s%s", len ? ", " : "",
					vid ? vid->name : "?");
		if (len >= sizeof(names))
			break;
		if (best && vid && vid->kind == ISAKMP_VID_NATT && vid->natt > *best)
			*best = vid->natt;
	}
	return names;
}

/* A value's name without the "OAKLEY_" every phase-1 value name starts with. */
static const char *p1_value(const struct isakmp_attr *attr, struct isakmp_name *name)
{
	*name = isakmp_oakley_value_name(attr->type, (unsigned)attr->value);
	if (strncmp(name->str, "OAKLEY_", 7) == 0)
		return name->str + 7;
	return name->str;
}

/* "enc/keylen/hash/group/auth/lifetype/life" of a phase-1 transform, from its attributes. */
static const char *p1_suite(const struct isakmp_transform *transform)
{
	static char text[256];
	struct wire_rd rd = wire_rd_init(transform->attrs.p, transform->attrs.len);
	struct isakmp_attr attr;
	struct isakmp_name name;
	size_t len = 0;

	text[0] = '\0';
	while (isakmp_attr_next(&rd, &attr) && len < sizeof(text))
		len += (size_t)snprintf(text + len, sizeof(text) - len, "%s%s", len ? "/" : "",
					p1_value(&attr, &name));
	return text;
}

/* The transforms of an SA payload's only proposal, as p1_suite strings joined by " | ". */
static const char *sa_suites(const struct ike_seen *seen, size_t *proposals, size_t *transforms)
{
	static char text[1024];
	const struct isakmp_payload *payload = isakmp_msg_find(&seen->msg, ISAKMP_PAYLOAD_SA, 0);
	struct isakmp_sa sa;
	struct isakmp_proposal proposal;
	struct isakmp_transform transform;
	struct wire_rd rd;
	size_t len = 0;

	text[0] = '\0';
	*proposals = *transforms = 0;
	if (!payload || isakmp_sa_parse(payload->body, &sa) != ISAKMP_OK)
		return "(no SA)";
	*proposals = sa.proposal_count;
	rd = wire_rd_init(sa.proposals.p, sa.proposals.len);
	if (!isakmp_proposal_next(&rd, &proposal))
		return "(no proposal)";
	rd = wire_rd_init(proposal.transforms.p, proposal.transforms.len);
	while (isakmp_transform_next(&rd, &transform) && len < sizeof(text)) {
		(*transforms)++;
		len += (size_t)snprintf(text + len, sizeof(text) - len, "%s%s", len ? " | " : "",
					p1_suite(&transform));
	}
	return text;
}

static void test_capture_cisco_natt(void)
{
	static struct capture cap;
	const char *name = "ikev1-mm-qm-psk-natt-vids-cisco.pcap";
	const struct ike_seen *mm1, *mm3, *mm4;
	enum isakmp_natt_method best;
	size_t proposals, transforms;
	static const uint8_t init_spi[8] = { 0xe4, 0x7a, 0x59, 0x1f, 0xd0, 0x57, 0x58, 0x7f };

	if (!capture_load(name, &cap))
		return;
	capture_all_parse(&cap, name, 9);
	mm1 = capture_frame(&cap, 1);
	mm3 = capture_frame(&cap, 3);
	mm4 = capture_frame(&cap, 4);
	if (!ok(mm1 && mm3 && mm4, "cisco: MM1, MM3, MM4 present"))
		goto out;
	is_mem(mm1->hdr.initiator_cookie, init_spi, 8, "cisco MM1: init_spi e47a591fd057587f");
	is_int(mm1->hdr.exchange_type, ISAKMP_EXCHANGE_ID_PROT, "cisco MM1: Main Mode");
	is_str(sa_suites(mm1, &proposals, &transforms),
	       "AES_CBC/128/SHA1/GROUP_MODP1024/PRESHARED_KEY/LIFE_SECONDS/86400",
	       "cisco MM1: AES-128/SHA/MODP1024/PSK/86400");
	is_int(proposals, 1, "cisco MM1: one proposal");
	is_int(transforms, 1, "cisco MM1: one transform");
	is_str(vid_names(&mm1->msg, &best),
	       "RFC 3947, draft-ietf-ipsec-nat-t-ike-07, draft-ietf-ipsec-nat-t-ike-03, "
	       "draft-ietf-ipsec-nat-t-ike-02_n",
	       "cisco MM1: VIDs by name");
	is_int(best, ISAKMP_NATT_RFC, "cisco MM1: best NAT-T method is RFC 3947");
	is_str(vid_names(&mm3->msg, NULL), "Dead Peer Detection, ?, XAUTH",
	       "cisco MM3: DPD, an unknown Cisco VID, XAUTH");
	is_str(vid_names(&mm4->msg, NULL), "Cisco-Unity, Dead Peer Detection, ?, XAUTH",
	       "cisco MM4: Unity, DPD, unknown, XAUTH");
	is_int(isakmp_msg_count(&mm3->msg, ISAKMP_PAYLOAD_NATD), 2, "cisco MM3: two RFC NAT-D (20)");
	is_int(isakmp_msg_count(&mm4->msg, ISAKMP_PAYLOAD_NATD), 2, "cisco MM4: two RFC NAT-D (20)");
	{
		struct isakmp_ke ke;
		struct isakmp_nonce nonce;
		struct isakmp_natd natd;

		is_int(isakmp_ke_parse(isakmp_msg_find(&mm3->msg, ISAKMP_PAYLOAD_KE, 0)->body, &ke),
		       ISAKMP_OK, "cisco MM3: KE");
		is_int(ke.data.len, 128, "cisco MM3: 1024-bit public value");
		is_int(isakmp_nonce_parse(isakmp_msg_find(&mm3->msg, ISAKMP_PAYLOAD_NONCE, 0)->body,
					  &nonce),
		       ISAKMP_OK, "cisco MM3: nonce");
		is_int(nonce.data.len, 20, "cisco MM3: 20-byte nonce");
		is_int(isakmp_natd_parse(isakmp_msg_find(&mm3->msg, ISAKMP_PAYLOAD_NATD, 1)->body,
					 &natd),
		       ISAKMP_OK, "cisco MM3: NAT-D");
		is_int(natd.hash.len, 20, "cisco MM3: SHA1 NAT-D hash");
	}
	for (unsigned long frame = 5; frame <= 9; frame++) {
		const struct ike_seen *seen = capture_frame(&cap, frame);

		ok(seen && (seen->hdr.flags & ISAKMP_FLAG_ENCRYPTION) &&
			   seen->hdr.exchange_type ==
				   (frame <= 6 ? ISAKMP_EXCHANGE_ID_PROT : ISAKMP_EXCHANGE_QUICK),
		   "cisco frame %lu: encrypted %s", frame, frame <= 6 ? "MM5/6" : "Quick Mode");
	}
out:
	capture_free(&cap);
}

static void test_capture_cisco_dh1(void)
{
	static struct capture cap;
	const char *name = "ikev1-mm-qm-psk-cisco-dh1.pcap";
	const struct ike_seen *mm1, *mm3, *mm4;
	enum isakmp_natt_method best;
	size_t proposals, transforms;

	if (!capture_load(name, &cap))
		return;
	capture_all_parse(&cap, name, 9);
	mm1 = capture_frame(&cap, 1);
	mm3 = capture_frame(&cap, 3);
	mm4 = capture_frame(&cap, 4);
	if (!ok(mm1 && mm3 && mm4, "dh1: MM1, MM3, MM4 present"))
		goto out;
	is_str(sa_suites(mm1, &proposals, &transforms),
	       "AES_CBC/128/SHA1/GROUP_MODP768/PRESHARED_KEY/LIFE_SECONDS/86400",
	       "dh1 MM1: AES-128/SHA/MODP768/PSK/86400");
	is_str(vid_names(&mm1->msg, &best),
	       "draft-ietf-ipsec-nat-t-ike-07, draft-ietf-ipsec-nat-t-ike-03, "
	       "draft-ietf-ipsec-nat-t-ike-02_n",
	       "dh1 MM1: VIDs by name");
	is_int(best, ISAKMP_NATT_DRAFT_03, "dh1 MM1: best method draft-03 (no RFC VID)");
	is_str(vid_names(&mm3->msg, NULL), "Cisco-Unity, Dead Peer Detection, ?, XAUTH",
	       "dh1 MM3: VIDs");
	/* tshark calls payload 15 "SA KEK" and marks the frame malformed; it is draft NAT-D */
	is_int(isakmp_msg_count(&mm3->msg, ISAKMP_PAYLOAD_NATD_BADDRAFT), 2,
	       "dh1 MM3: two NAT-D of the 05..08 drafts (15)");
	is_int(isakmp_msg_count(&mm4->msg, ISAKMP_PAYLOAD_NATD_BADDRAFT), 2, "dh1 MM4: same");
	is_str(isakmp_payload_name(mm3->msg.payloads[6].type).str, "ISAKMP_NEXT_NATD_BADDRAFTS",
	       "dh1 MM3: payload 15 by name");
	{
		struct isakmp_ke ke;

		is_int(isakmp_ke_parse(isakmp_msg_find(&mm4->msg, ISAKMP_PAYLOAD_KE, 0)->body, &ke),
		       ISAKMP_OK, "dh1 MM4: KE");
		is_int(ke.data.len, 96, "dh1 MM4: 768-bit public value");
	}
out:
	capture_free(&cap);
}

static void test_capture_libreswan(void)
{
	static struct capture cap;
	const char *name = "ikev1-natt-float-4500-rsasig-libreswan.pcap";
	const struct ike_seen *mm1, *mm3, *last;
	enum isakmp_natt_method best;
	size_t proposals, transforms, on_4500 = 0;

	if (!capture_load(name, &cap))
		return;
	capture_all_parse(&cap, name, 15);
	mm1 = capture_frame(&cap, 3);
	mm3 = capture_frame(&cap, 5);
	if (!ok(mm1 && mm3, "libreswan: MM1 and MM3 present"))
		goto out;
	is_str(sa_suites(mm1, &proposals, &transforms),
	       "LIFE_SECONDS/3600/3DES_CBC/MD5/RSA_SIG/GROUP_MODP1536 | "
	       "LIFE_SECONDS/3600/3DES_CBC/SHA1/RSA_SIG/GROUP_MODP1536 | "
	       "LIFE_SECONDS/3600/3DES_CBC/SHA1/RSA_SIG/GROUP_MODP1024 | "
	       "LIFE_SECONDS/3600/3DES_CBC/MD5/RSA_SIG/GROUP_MODP1024",
	       "libreswan MM1: 3DES x {MD5, SHA} x {MODP1536, MODP1024}, RSA-sig, 3600 s");
	is_int(proposals, 1, "libreswan MM1: one proposal");
	is_int(transforms, 4, "libreswan MM1: four transforms, all parsed");
	is_str(vid_names(&mm1->msg, &best),
	       "Openswan(project), Dead Peer Detection, RFC 3947, draft-ietf-ipsec-nat-t-ike-03, "
	       "draft-ietf-ipsec-nat-t-ike-02, draft-ietf-ipsec-nat-t-ike-00",
	       "libreswan MM1: VIDs by name");
	is_int(best, ISAKMP_NATT_RFC, "libreswan MM1: RFC 3947 preferred");
	is_int(isakmp_msg_count(&mm3->msg, ISAKMP_PAYLOAD_NATD), 2, "libreswan MM3: two NAT-D (20)");
	for (size_t i = 0; i < cap.ike_count; i++) {
		const struct ike_seen *seen = &cap.ike[i];

		if (!seen->on_4500)
			continue;
		on_4500++;
		if (!(seen->hdr.flags & ISAKMP_FLAG_ENCRYPTION))
			tap_diag("frame %lu on 4500 in clear", seen->frame);
	}
	is_int(on_4500, 11, "libreswan: MM5 onward floated to 4500 behind the non-ESP marker");
	ok(!capture_frame(&cap, 7) || capture_frame(&cap, 7)->on_4500, "libreswan: MM5 on 4500");
	is_int(cap.esp, 8, "libreswan: 8 ESP-in-UDP packets");
	is_uint(cap.first_esp_spi, 0xf4dc0ae5, "libreswan: ESP SPI 0xf4dc0ae5");
	is_int(cap.keepalives, 4, "libreswan: 4 NAT-keepalives (0xFF)");
	is_int(cap.stats.not_udp, 8, "libreswan: 8 ARP records skipped");
	last = &cap.ike[cap.ike_count - 1];
	ok(last->hdr.exchange_type == ISAKMP_EXCHANGE_INFORMATIONAL &&
		   (last->hdr.flags & ISAKMP_FLAG_ENCRYPTION),
	   "libreswan: ends with an encrypted Informational");
out:
	capture_free(&cap);
}

static void test_capture_strongswan(void)
{
	static struct capture cap;
	const char *name = "ikev1-no-proposal-chosen-then-mm-qm-strongswan.pcap";
	const struct ike_seen *mm1, *info;
	size_t proposals, transforms;
	struct isakmp_notify notify;
	static const uint8_t zero[8];

	if (!capture_load(name, &cap))
		return;
	capture_all_parse(&cap, name, 11);
	mm1 = capture_frame(&cap, 1);
	info = capture_frame(&cap, 3);
	if (!ok(mm1 && info, "strongswan: MM1 and the Informational present"))
		goto out;
	is_str(sa_suites(mm1, &proposals, &transforms),
	       "LIFE_SECONDS/7800/3DES_CBC/SHA1/PRESHARED_KEY/GROUP_MODP1024",
	       "strongswan MM1: 3DES/SHA/MODP1024/PSK/7800");
	is_str(vid_names(&mm1->msg, NULL),
	       "strongSwan, Cisco-Unity, XAUTH, Dead Peer Detection, RFC 3947, "
	       "draft-ietf-ipsec-nat-t-ike-03, draft-ietf-ipsec-nat-t-ike-02, "
	       "draft-ietf-ipsec-nat-t-ike-02_n, draft-ietf-ipsec-nat-t-ike-00",
	       "strongswan MM1: VIDs by name");
	is_int(info->hdr.exchange_type, ISAKMP_EXCHANGE_INFORMATIONAL, "strongswan frame 3: INFO");
	is_mem(info->hdr.responder_cookie, zero, 8, "strongswan frame 3: no responder cookie yet");
	is_int(info->msg.count, 1, "strongswan frame 3: one payload");
	is_int(info->msg.payloads[0].type, ISAKMP_PAYLOAD_NOTIFY, "strongswan frame 3: a notify");
	is_int(isakmp_notify_parse(info->msg.payloads[0].body, &notify), ISAKMP_OK,
	       "strongswan frame 3: notify parses");
	is_str(isakmp_notify_name(notify.type).str, "NO_PROPOSAL_CHOSEN",
	       "strongswan frame 3: NO_PROPOSAL_CHOSEN");
	ok(notify.doi == ISAKMP_DOI_IPSEC && notify.protocol == ISAKMP_PROTO_ISAKMP &&
		   notify.spi.len == 0 && notify.data.len == 0,
	   "strongswan frame 3: IPsec DOI, PROTO_ISAKMP, no SPI, no data");
	is_int(cap.stats.not_udp, 16, "strongswan: 16 plain ESP (proto 50) records skipped");
out:
	capture_free(&cap);
}

static void test_capture_esp_framing(void)
{
	static struct capture cap;
	const char *name = "esp-in-udp4500-framing.pcap";

	if (!capture_load(name, &cap))
		return;
	is_int(cap.esp, 8, "espudp: 8 ESP-in-UDP");
	is_uint(cap.first_esp_spi, 0x12345678, "espudp: SPI 0x12345678");
	is_int(cap.ike_count, 0, "espudp: no IKE");
	capture_free(&cap);
}

/* Counts a parser call, and whether it answered with a verdict of the list. */
struct parse_count {
	size_t calls;
	size_t answered;
};

static void count_verdict(struct parse_count *count, enum isakmp_verdict verdict)
{
	count->calls++;
	count->answered += (unsigned)verdict < ISAKMP_VERDICTS;
}

/*
 * Everything a datagram could be made to mean: its header; the chain after
 * 28 bytes (as declared and as all that is there, plain and decrypted); and
 * every payload through every payload parser, SAs down to the attributes.
 */
static void parse_everything(struct wire_span datagram, struct parse_count *count)
{
	static struct isakmp_msg msg;
	struct isakmp_hdr hdr;

	count_verdict(count, isakmp_hdr_parse(datagram, &hdr));
	if (datagram.len < ISAKMP_HDR_LEN)
		return;
	for (int variant = 0; variant < 4; variant++) {
		struct wire_span body = { datagram.p + ISAKMP_HDR_LEN, datagram.len - ISAKMP_HDR_LEN };

		if (variant < 2 && hdr.length >= ISAKMP_HDR_LEN && hdr.length - ISAKMP_HDR_LEN < body.len)
			body.len = hdr.length - ISAKMP_HDR_LEN;
		count_verdict(count, isakmp_payloads_parse(hdr.next_payload, body, variant & 1, &msg));
		/* even a failed walk leaves the payloads before the failure */
		for (size_t i = 0; i < msg.count; i++) {
			struct wire_span b = msg.payloads[i].body;
			struct isakmp_sa sa;
			struct isakmp_id id;
			struct isakmp_notify notify;
			struct isakmp_delete del;
			struct isakmp_natoa natoa;
			struct isakmp_fragment fragment;
			struct isakmp_ke ke;
			struct isakmp_nonce nonce;
			struct isakmp_hash hash;
			enum isakmp_verdict verdict = isakmp_sa_parse(b, &sa);

			count_verdict(count, verdict);
			if (verdict == ISAKMP_OK) {
				struct wire_rd pr = wire_rd_init(sa.proposals.p, sa.proposals.len);
				struct isakmp_proposal proposal;

				while (isakmp_proposal_next(&pr, &proposal)) {
					struct wire_rd tr = wire_rd_init(proposal.transforms.p,
									 proposal.transforms.len);
					struct isakmp_transform transform;

					while (isakmp_transform_next(&tr, &transform))
						count_verdict(count, isakmp_attrs_parse(transform.attrs));
				}
			}
			count_verdict(count, isakmp_id_parse(b, &id));
			count_verdict(count, isakmp_notify_parse(b, &notify));
			verdict = isakmp_delete_parse(b, &del);
			count_verdict(count, verdict);
			if (verdict == ISAKMP_OK)
				for (size_t k = 0; k < del.spi_count; k++)
					(void)isakmp_delete_spi(&del, k);
			count_verdict(count, isakmp_natoa_parse(b, &natoa));
			count_verdict(count, isakmp_fragment_parse(b, &fragment));
			count_verdict(count, isakmp_ke_parse(b, &ke));
			count_verdict(count, isakmp_nonce_parse(b, &nonce));
			count_verdict(count, isakmp_hash_parse(b, &hash));
			(void)isakmp_vid_lookup(b);
		}
	}
}

static void test_fuzz_captures(void)
{
	static const char *const files[] = {
		"ikev1_id_ipv6_addr_subnet-oobr.pcap", "isakmp-3948-oobr-2.pcap",
		"isakmp-delete-segfault.pcap",         "isakmp-identification-segfault.pcap",
		"isakmp-ikev1_n_print-oobr.pcap",      "isakmp-no-none-np.pcapng",
		"isakmp-pointer-loop.pcap",            "isakmp-rfc3948-oobr.pcap",
		"isakmp-various-oobr.pcap",            "isakmpv1-attr-oobr.pcap",
		"l2tp-avp-overflow.pcap",              "mlppp-oobr.pcap",
		"ppp-invalid-lengths.pcap",            "ppp_ccp_config_deflate_option_asan.pcap",
		"ppp_error_hexdump.pcap",
	};

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char name[128];
		uint8_t *data;
		size_t len, datagrams = 0;
		struct parse_count count = { 0, 0 };
		struct pcap_reader reader;
		struct pcap_udp udp;
		int err;

		snprintf(name, sizeof(name), "fuzz/%s", files[i]);
		err = pcap_file_load(capture_path(name), &data, &len);
		if (!ok(err == 0, "%s: loaded", name))
			continue;
		if (ok(pcap_reader_init(&reader, data, len), "%s: is a capture", name)) {
			while (pcap_next_udp(&reader, &udp)) {
				datagrams++;
				parse_everything(udp.payload, &count);
			}
			ok(reader.stats.records > 0, "%s: %lu records, %zu UDP datagrams%s", name,
			   reader.stats.records, datagrams,
			   pcap_reader_broken(&reader) ? " (file structure broken: walk stopped)" : "");
			is_int(count.answered, count.calls,
			       "%s: all %zu parser calls answered with a verdict", name, count.calls);
		}
		free(data);
	}
}

/* What the corrupt ISAKMP captures are rejected with, precisely. */
static void test_fuzz_verdicts(void)
{
	static struct isakmp_msg msg;
	static const struct {
		const char *file;
		enum isakmp_verdict header, declared_chain;
	} expected[] = {
		/* Length 0 in the header; then a HASH payload with 2 bytes where 4 are needed */
		{ "isakmp-pointer-loop.pcap", ISAKMP_ERR_LENGTH, ISAKMP_ERR_SHORT },
		/* header Length 84 of 2186 bytes; 2 notifies, then a third cut by the 84 */
		{ "isakmp-no-none-np.pcapng", ISAKMP_ERR_LENGTH, ISAKMP_ERR_SHORT },
		{ "isakmp-identification-segfault.pcap", ISAKMP_OK, ISAKMP_OK },
		{ "isakmp-delete-segfault.pcap", ISAKMP_ERR_VERSION, ISAKMP_ERR_LENGTH },
	};

	for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++) {
		char name[128];
		uint8_t *data;
		size_t len;
		struct pcap_reader reader;
		struct pcap_udp udp;
		struct isakmp_hdr hdr;
		struct wire_span body;

		snprintf(name, sizeof(name), "fuzz/%s", expected[i].file);
		if (pcap_file_load(capture_path(name), &data, &len) != 0) {
			ok(false, "%s: loaded", name);
			continue;
		}
		if (!ok(pcap_reader_init(&reader, data, len) && pcap_next_udp(&reader, &udp),
			"%s: one UDP datagram", name)) {
			free(data);
			continue;
		}
		is_int(isakmp_hdr_parse(udp.payload, &hdr), expected[i].header, "%s: header %s", name,
		       isakmp_verdict_name(expected[i].header).str);
		body = span_of(udp.payload.p + ISAKMP_HDR_LEN, udp.payload.len - ISAKMP_HDR_LEN);
		if (hdr.length >= ISAKMP_HDR_LEN && hdr.length - ISAKMP_HDR_LEN < body.len)
			body.len = hdr.length - ISAKMP_HDR_LEN;
		is_int(isakmp_payloads_parse(hdr.next_payload, body, false, &msg),
		       expected[i].declared_chain, "%s: chain %s", name,
		       isakmp_verdict_name(expected[i].declared_chain).str);
		free(data);
	}
	{
		/* the ID of the identification crash: FQDN of 248 zero bytes is well-formed */
		uint8_t *data;
		size_t len;
		struct pcap_reader reader;
		struct pcap_udp udp;
		struct isakmp_hdr hdr;
		struct isakmp_id id;

		if (pcap_file_load(capture_path("fuzz/isakmp-identification-segfault.pcap"), &data,
				   &len) == 0) {
			if (pcap_reader_init(&reader, data, len) && pcap_next_udp(&reader, &udp) &&
			    isakmp_hdr_parse(udp.payload, &hdr) == ISAKMP_OK &&
			    isakmp_payloads_parse(hdr.next_payload, hdr.body, false, &msg) == ISAKMP_OK)
				is_int(isakmp_id_parse(msg.payloads[0].body, &id), ISAKMP_OK,
				       "identification-segfault: the FQDN ID parses (printing must sanitize)");
			else
				ok(false, "identification-segfault: message parses");
			free(data);
		}
	}
}

int main(void)
{
	test_names();
	test_verdicts();
	test_header();
	test_chain();
	test_sa();
	test_attributes();
	test_ke_nonce_hash();
	test_id();
	test_notify();
	test_delete();
	test_natoa();
	test_fragment();
	test_build_main_mode();
	test_build_quick_mode();
	test_build_informational();
	test_build_misuse();
	test_capture_cisco_natt();
	test_capture_cisco_dh1();
	test_capture_libreswan();
	test_capture_strongswan();
	test_capture_esp_framing();
	test_fuzz_captures();
	test_fuzz_verdicts();
	return tap_done();
}
