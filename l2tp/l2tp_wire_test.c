/*
 * l2tp_wire_test.c - TAP tests of the L2TPv2 codec (l2tp_const, l2tp_wire,
 * l2tp_hidden): every parser empty / short by one / exact / oversize, the
 * Windows SCCRQ and ICRQ built and parsed, a real data-message capture, the
 * RFC 2661 §4.3 hidden-AVP keystream against a vector computed outside
 * OpenSSL, and tcpdump's corrupt L2TP capture.
 *
 * With L2TP_CORPUS_OUT=DIR set, the built messages are also written to DIR
 * as fuzz seeds (l2tp/fuzz/corpus/l2tp_ctrl was made that way).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "l2tp/l2tp_const.h"
#include "l2tp/l2tp_hidden.h"
#include "l2tp/l2tp_wire.h"
#include "tests/harness/pcap.h"
#include "tests/harness/tap.h"

static struct wire_span span(const void *p, size_t len)
{
	return (struct wire_span){ p, len };
}

static void corpus_write(const char *name, const uint8_t *p, size_t len)
{
	const char *dir = getenv("L2TP_CORPUS_OUT");
	char path[4096];
	FILE *f;

	if (!dir)
		return;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f)
		return;
	fwrite(p, 1, len, f);
	fclose(f);
}

/* ------------------------------------------------------------ names */

static void test_names(void)
{
	is_str(l2tp_msg_type_name(L2TP_MSG_SCCRQ).str, "SCCRQ", "msg 1 is SCCRQ");
	is_str(l2tp_msg_type_name(L2TP_MSG_STOPCCN).str, "StopCCN", "msg 4 is StopCCN");
	is_str(l2tp_msg_type_name(5).str, "5", "msg 5 prints as its number");
	is_str(l2tp_avp_name(0, L2TP_AVP_SEQUENCING_REQUIRED).str, "Sequencing Required", "avp 39");
	is_str(l2tp_avp_name(0, 20).str, "20", "avp 20 is unassigned");
	is_str(l2tp_avp_name(311, 1).str, "Microsoft Correlation ID", "avp 311:1");
	is_str(l2tp_avp_name(9, 1).str, "9:1", "unknown vendor prints vendor:type");
	is_str(l2tp_error_name(L2TP_ERROR_UNKNOWN_MANDATORY_AVP).str,
	       "unknown AVP with the M bit set", "error 8");
	is_str(l2tp_stopccn_result_name(1).str, "general request to clear control connection",
	       "StopCCN result 1");
	is_str(l2tp_cdn_result_name(3).str, "call disconnected for administrative reasons",
	       "CDN result 3");
	ok(l2tp_avp_known(0, 36) && !l2tp_avp_known(0, 40) && !l2tp_avp_known(311, 2),
	   "l2tp_avp_known");
	is_str(l2tp_verdict_name(L2TP_ERR_VERSION3).str, "L2TP_ERR_VERSION3", "verdict name");
	is_int(l2tp_verdict_error(L2TP_OK), 0, "OK answers no error");
	is_int(l2tp_verdict_error(L2TP_ERR_AVP_LENGTH), L2TP_ERROR_LENGTH,
	       "a bad AVP length answers error 2");
	is_str(l2tp_verdict_name((enum l2tp_verdict)99).str, "99", "out-of-range verdict");
}

/* ------------------------------------------------------------ header */

/* A ZLB: T L S, Ver 2, Length 12, tunnel 0x1234, session 0x5678, Ns 1, Nr 2. */
static const uint8_t zlb_bytes[] = { 0xc8, 0x02, 0x00, 0x0c, 0x12, 0x34, 0x56, 0x78,
				     0x00, 0x01, 0x00, 0x02 };

/*
 * The UDP payload of the only record of l2tpv2-data-lcp-echo-request.pcap
 * (dotpcap/packetnet Test/CaptureFiles/l2tp.pcap, MPL-2.0; see
 * shared/captures/README.md), copied by hand from the record's bytes after
 * the UDP header 06a5 06a5 0020 0000: flags 0x0302 (O, P, Ver 2), tunnel
 * 18994, session 54110, Offset Size 0, PPP ff03 c021 LCP Echo-Request.
 */
static const uint8_t capture_data[] = { 0x03, 0x02, 0x4a, 0x32, 0xd3, 0x5e, 0x00, 0x00,
					0xff, 0x03, 0xc0, 0x21, 0x09, 0x48, 0x00, 0x0c,
					0xc1, 0x34, 0x39, 0x22, 0xe7, 0xe1, 0x8f, 0xf6 };

static enum l2tp_verdict hdr_of(const uint8_t *p, size_t len, struct l2tp_hdr *hdr)
{
	return l2tp_hdr_parse(span(p, len), hdr);
}

static void test_header(void)
{
	struct l2tp_hdr hdr;
	uint8_t buf[64];

	is_int(l2tp_hdr_parse(span(NULL, 0), &hdr), L2TP_ERR_SHORT, "hdr: empty");
	is_int(hdr_of(zlb_bytes, 1, &hdr), L2TP_ERR_SHORT, "hdr: one byte");
	is_int(hdr_of(zlb_bytes, 11, &hdr), L2TP_ERR_SHORT, "hdr: control short by one");
	is_int(hdr_of(zlb_bytes, 12, &hdr), L2TP_OK, "hdr: control exact");
	ok(hdr.control && hdr.has_length && hdr.has_sequence && !hdr.has_offset &&
		   hdr.version == 2 && hdr.length == 12 && hdr.tunnel_id == 0x1234 &&
		   hdr.session_id == 0x5678 && hdr.ns == 1 && hdr.nr == 2 &&
		   hdr.payload.len == 0 && hdr.trailing == 0,
	   "hdr: control fields");

	memcpy(buf, zlb_bytes, 12);
	buf[3] = 13;
	is_int(hdr_of(buf, 12, &hdr), L2TP_ERR_LENGTH, "hdr: Length one past the datagram");
	buf[3] = 11;
	is_int(hdr_of(buf, 12, &hdr), L2TP_ERR_LENGTH, "hdr: Length inside the header");
	buf[3] = 12;
	buf[12] = 0xaa;
	buf[13] = 0xbb;
	is_int(hdr_of(buf, 14, &hdr), L2TP_OK, "hdr: bytes after Length are ignored");
	ok(hdr.trailing == 2 && hdr.payload.len == 0, "hdr: trailing counted, not in payload");

	buf[1] = 0x03;
	is_int(hdr_of(buf, 12, &hdr), L2TP_ERR_VERSION3, "hdr: version 3 is L2TPv3");
	buf[1] = 0x01;
	is_int(hdr_of(buf, 12, &hdr), L2TP_ERR_VERSION, "hdr: version 1 (L2F)");
	buf[1] = 0x02;
	buf[0] = 0x88; /* T S, no L */
	is_int(hdr_of(buf, 12, &hdr), L2TP_ERR_CONTROL_FLAGS, "hdr: control without L");
	buf[0] = 0xc0; /* T L, no S */
	is_int(hdr_of(buf, 12, &hdr), L2TP_ERR_CONTROL_FLAGS, "hdr: control without S");
	buf[0] = 0xca; /* T L S O */
	is_int(hdr_of(buf, 12, &hdr), L2TP_ERR_CONTROL_FLAGS, "hdr: control with O");
	buf[0] = 0xc9; /* T L S P: P ignored */
	is_int(hdr_of(buf, 12, &hdr), L2TP_OK, "hdr: control with P is tolerated");
	buf[0] = 0xfb; /* T L x x S x: reserved bits ignored */
	buf[1] = 0xf2;
	is_int(hdr_of(buf, 12, &hdr), L2TP_ERR_CONTROL_FLAGS, "hdr: x bits ignored, O still seen");
	buf[0] = 0xf9;
	is_int(hdr_of(buf, 12, &hdr), L2TP_OK, "hdr: reserved x bits ignored");

	/* Data messages. */
	is_int(hdr_of(capture_data, sizeof(capture_data), &hdr), L2TP_OK, "data: capture");
	ok(!hdr.control && !hdr.has_length && !hdr.has_sequence && hdr.has_offset &&
		   hdr.priority && hdr.tunnel_id == 18994 && hdr.session_id == 54110 &&
		   hdr.offset_size == 0 && hdr.payload.len == 16 && hdr.payload.p[0] == 0xff &&
		   hdr.payload.p[1] == 0x03 && hdr.payload.p[2] == 0xc0 && hdr.payload.p[3] == 0x21,
	   "data: capture fields, payload is the PPP frame");
	is_int(hdr_of(capture_data, 7, &hdr), L2TP_ERR_OFFSET, "data: Offset Size cut in half");
	is_int(hdr_of(capture_data, 5, &hdr), L2TP_ERR_SHORT, "data: session ID short by one");
	memcpy(buf, capture_data, sizeof(capture_data));
	buf[7] = 3; /* Offset Size 3: ff03c0 is pad */
	is_int(hdr_of(buf, sizeof(capture_data), &hdr), L2TP_OK, "data: offset pad skipped");
	ok(hdr.payload.len == 13 && hdr.payload.p[0] == 0x21, "data: payload after the pad");
	buf[7] = 16;
	is_int(hdr_of(buf, sizeof(capture_data), &hdr), L2TP_OK, "data: pad to the exact end");
	ok(hdr.payload.len == 0, "data: empty payload after a full pad");
	buf[7] = 17;
	is_int(hdr_of(buf, sizeof(capture_data), &hdr), L2TP_ERR_OFFSET, "data: pad past the end");

	/* Data with L and S: 0x4802, Length 14, tunnel 1, session 2, Ns 3, Nr 4, 2 bytes. */
	const uint8_t data_ls[] = { 0x48, 0x02, 0x00, 0x0e, 0x00, 0x01, 0x00, 0x02,
				    0x00, 0x03, 0x00, 0x04, 0xff, 0x03, 0x99 };
	is_int(hdr_of(data_ls, sizeof(data_ls), &hdr), L2TP_OK, "data: L and S");
	ok(hdr.ns == 3 && hdr.nr == 4 && hdr.payload.len == 2 && hdr.trailing == 1,
	   "data: L and S fields, payload ends at Length");
	const uint8_t data_min[] = { 0x00, 0x02, 0x00, 0x01, 0x00, 0x02 };
	is_int(hdr_of(data_min, sizeof(data_min), &hdr), L2TP_OK, "data: minimal 6 octets");
	ok(hdr.payload.len == 0 && hdr.length == 6, "data: minimal has no payload");
}

/* ------------------------------------------------------------ AVPs */

static void test_avp_walk(void)
{
	struct l2tp_avp_iter iter;
	struct l2tp_avp avp;
	/* M H rsvd=0 Length 5 */
	const uint8_t len5[] = { 0x80, 0x05, 0x00, 0x00, 0x00, 0x00 };
	const uint8_t len6[] = { 0xc0, 0x06, 0x01, 0x37, 0x00, 0x07 };
	const uint8_t exact[] = { 0x00, 0x08, 0x00, 0x00, 0x00, 0x09, 0xbe, 0xef };
	const uint8_t over[] = { 0x00, 0x09, 0x00, 0x00, 0x00, 0x09, 0xbe, 0xef };
	const uint8_t stray[] = { 0x00, 0x08, 0x00, 0x00, 0x00, 0x09, 0xbe, 0xef, 0x00, 0x00, 0x00 };
	const uint8_t rsvd[] = { 0xbc, 0x08, 0x00, 0x00, 0x00, 0x09, 0xbe, 0xef };

	l2tp_avp_iter_init(&iter, span(len5, sizeof(len5)));
	ok(!l2tp_avp_next(&iter, &avp) && iter.verdict == L2TP_ERR_AVP_LENGTH, "avp: length 5");
	l2tp_avp_iter_init(&iter, span(len6, 5));
	ok(!l2tp_avp_next(&iter, &avp) && iter.verdict == L2TP_ERR_AVP_LENGTH,
	   "avp: header short by one");
	l2tp_avp_iter_init(&iter, span(len6, sizeof(len6)));
	ok(l2tp_avp_next(&iter, &avp) && avp.mandatory && avp.hidden && avp.vendor_id == 311 &&
		   avp.type == 7 && avp.value.len == 0 && !avp.known,
	   "avp: length 6, M and H, vendor 311");
	ok(!l2tp_avp_next(&iter, &avp) && iter.verdict == L2TP_OK, "avp: clean end");
	l2tp_avp_iter_init(&iter, span(exact, sizeof(exact)));
	ok(l2tp_avp_next(&iter, &avp) && !avp.mandatory && !avp.hidden && avp.known &&
		   avp.type == L2TP_AVP_ASSIGNED_TUNNEL_ID && avp.value.len == 2 &&
		   avp.value.p[0] == 0xbe,
	   "avp: exact, no flags");
	l2tp_avp_iter_init(&iter, span(over, sizeof(over)));
	ok(!l2tp_avp_next(&iter, &avp) && iter.verdict == L2TP_ERR_AVP_LENGTH,
	   "avp: length one past the body");
	l2tp_avp_iter_init(&iter, span(stray, sizeof(stray)));
	ok(l2tp_avp_next(&iter, &avp) && !l2tp_avp_next(&iter, &avp) &&
		   iter.verdict == L2TP_ERR_AVP_LENGTH,
	   "avp: 3 stray octets after the last AVP");
	l2tp_avp_iter_init(&iter, span(rsvd, sizeof(rsvd)));
	ok(l2tp_avp_next(&iter, &avp) && avp.mandatory && avp.reserved == 0xf && !avp.known,
	   "avp: reserved bits make it unrecognized");
}

/* Appends Message Type then returns the writer's start for more AVPs. */
static struct wire_wr body_start(uint8_t *buf, size_t cap, uint16_t type)
{
	struct wire_wr wr = wire_wr_init(buf, cap);

	l2tp_avp_put_message_type(&wr, type);
	return wr;
}

static void test_msg(void)
{
	static struct l2tp_msg msg;
	uint8_t buf[1024];
	struct wire_wr wr;
	const struct l2tp_avp *avp;

	is_int(l2tp_msg_parse(span(NULL, 0), &msg), L2TP_OK, "msg: empty body is a ZLB");
	ok(msg.zlb && msg.count == 0, "msg: ZLB flagged");

	wr = wire_wr_init(buf, sizeof(buf));
	l2tp_avp_put_u16(&wr, L2TP_AVP_FLAG_MANDATORY, 0, L2TP_AVP_ASSIGNED_TUNNEL_ID, 7);
	l2tp_avp_put_message_type(&wr, L2TP_MSG_SCCRQ);
	is_int(l2tp_msg_parse(span(buf, wr.len), &msg), L2TP_ERR_NO_MESSAGE_TYPE,
	       "msg: Message Type not first");

	wr = wire_wr_init(buf, sizeof(buf));
	l2tp_avp_put_u16(&wr, L2TP_AVP_FLAG_MANDATORY | L2TP_AVP_FLAG_HIDDEN, 0, 0, 1);
	is_int(l2tp_msg_parse(span(buf, wr.len), &msg), L2TP_ERR_MESSAGE_TYPE,
	       "msg: hidden Message Type");
	wr = wire_wr_init(buf, sizeof(buf));
	l2tp_avp_put_u32(&wr, L2TP_AVP_FLAG_MANDATORY, 0, 0, 1);
	is_int(l2tp_msg_parse(span(buf, wr.len), &msg), L2TP_ERR_MESSAGE_TYPE,
	       "msg: Message Type of 4 octets");
	wr = wire_wr_init(buf, sizeof(buf));
	l2tp_avp_put_u16(&wr, L2TP_AVP_FLAG_MANDATORY, 311, 0, 1);
	is_int(l2tp_msg_parse(span(buf, wr.len), &msg), L2TP_ERR_NO_MESSAGE_TYPE,
	       "msg: vendor 311 type 0 is not Message Type");

	/* 48 AVPs fit, 49 do not. */
	wr = body_start(buf, sizeof(buf), L2TP_MSG_HELLO);
	for (int i = 1; i < L2TP_AVPS_MAX; i++)
		l2tp_avp_put_u16(&wr, 0, 0, L2TP_AVP_FIRMWARE_REVISION, (uint16_t)i);
	is_int(l2tp_msg_parse(span(buf, wr.len), &msg), L2TP_OK, "msg: 48 AVPs");
	is_int(msg.count, 48, "msg: 48 counted");
	l2tp_avp_put_u16(&wr, 0, 0, L2TP_AVP_FIRMWARE_REVISION, 99);
	is_int(l2tp_msg_parse(span(buf, wr.len), &msg), L2TP_ERR_TOO_MANY, "msg: 49 AVPs");

	/* Windows Vista+ ICRQ: the Microsoft Correlation ID (M=0, 311, type 1, 16-byte GUID). */
	static const uint8_t guid[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
	wr = wire_wr_init(buf, sizeof(buf));
	size_t start = l2tp_ctrl_begin(&wr, 31337, 0);
	l2tp_avp_put_message_type(&wr, L2TP_MSG_ICRQ);
	l2tp_avp_put_u16(&wr, L2TP_AVP_FLAG_MANDATORY, 0, L2TP_AVP_ASSIGNED_SESSION_ID, 1);
	l2tp_avp_put_u32(&wr, L2TP_AVP_FLAG_MANDATORY, 0, L2TP_AVP_CALL_SERIAL_NUMBER, 42);
	l2tp_avp_put_bytes(&wr, 0, L2TP_VENDOR_MICROSOFT, L2TP_MS_AVP_CORRELATION_ID, guid,
			   sizeof(guid));
	l2tp_ctrl_finish(&wr, start, 1, 1);
	corpus_write("icrq-windows-correlation", buf, wr.len);
	struct l2tp_hdr hdr;
	ok(wire_wr_ok(&wr) && l2tp_hdr_parse(span(buf, wr.len), &hdr) == L2TP_OK &&
		   l2tp_msg_parse(hdr.payload, &msg) == L2TP_OK,
	   "icrq: parses");
	ok(msg.type == L2TP_MSG_ICRQ && msg.count == 4, "icrq: type and count");
	ok(l2tp_msg_find(&msg, 0, L2TP_AVP_RESULT_CODE) == NULL,
	   "icrq: Correlation ID is not a Result Code");
	avp = l2tp_msg_find(&msg, L2TP_VENDOR_MICROSOFT, L2TP_MS_AVP_CORRELATION_ID);
	ok(avp && avp->known && avp->value.len == 16 && avp->vendor_id == 311,
	   "icrq: Correlation ID found by (311, 1), 22 octets");
	ok(l2tp_msg_find_unknown_mandatory(&msg) == NULL, "icrq: no unknown mandatory AVP");

	/* Unknown AVPs. */
	wr = body_start(buf, sizeof(buf), L2TP_MSG_SCCRQ);
	l2tp_avp_put_u16(&wr, 0, 0, 200, 1);           /* unknown, M=0: skipped */
	l2tp_avp_put_u16(&wr, 0, 9, 1, 1);             /* unknown vendor, M=0 */
	l2tp_avp_put_u16(&wr, L2TP_AVP_FLAG_MANDATORY, 9, 1, 1); /* unknown vendor, M=1 */
	l2tp_avp_put_u16(&wr, L2TP_AVP_FLAG_MANDATORY, 0, 200, 1);
	is_int(l2tp_msg_parse(span(buf, wr.len), &msg), L2TP_OK, "unknown: parses");
	avp = l2tp_msg_find_unknown_mandatory(&msg);
	ok(avp == &msg.avps[3] && avp->vendor_id == 9, "unknown: first M=1 unknown is 9:1");
	wr = body_start(buf, sizeof(buf), L2TP_MSG_SCCRQ);
	l2tp_avp_put_u16(&wr, 0, 0, 200, 1);
	is_int(l2tp_msg_parse(span(buf, wr.len), &msg), L2TP_OK, "unknown M=0: parses");
	ok(l2tp_msg_find_unknown_mandatory(&msg) == NULL, "unknown M=0: not reported");
	/* A known AVP with a reserved bit set is unrecognized (RFC 2661 §4.1). */
	wr = body_start(buf, sizeof(buf), L2TP_MSG_SCCRQ);
	l2tp_avp_put_u16(&wr, L2TP_AVP_FLAG_MANDATORY, 0, L2TP_AVP_ASSIGNED_TUNNEL_ID, 5);
	buf[8] |= 0x04;
	is_int(l2tp_msg_parse(span(buf, wr.len), &msg), L2TP_OK, "reserved: parses");
	ok(l2tp_msg_find(&msg, 0, L2TP_AVP_ASSIGNED_TUNNEL_ID) == NULL,
	   "reserved: not found as Assigned Tunnel ID");
	ok(l2tp_msg_find_unknown_mandatory(&msg) == &msg.avps[1], "reserved: reported as unknown M");

	/* Hidden AVPs need a Random Vector before them. */
	wr = body_start(buf, sizeof(buf), L2TP_MSG_SCCRQ);
	l2tp_avp_put_bytes(&wr, L2TP_AVP_FLAG_MANDATORY | L2TP_AVP_FLAG_HIDDEN, 0,
			   L2TP_AVP_HOST_NAME, "xxxx", 4);
	is_int(l2tp_msg_parse(span(buf, wr.len), &msg), L2TP_ERR_HIDDEN_NO_RANDOM_VECTOR,
	       "hidden: no Random Vector");
	wr = body_start(buf, sizeof(buf), L2TP_MSG_SCCRQ);
	l2tp_avp_put_bytes(&wr, L2TP_AVP_FLAG_MANDATORY, 0, L2TP_AVP_RANDOM_VECTOR, "RV", 2);
	l2tp_avp_put_bytes(&wr, L2TP_AVP_FLAG_MANDATORY | L2TP_AVP_FLAG_HIDDEN, 0,
			   L2TP_AVP_HOST_NAME, "xxxx", 4);
	is_int(l2tp_msg_parse(span(buf, wr.len), &msg), L2TP_OK, "hidden: after a Random Vector");
	ok(msg.avps[2].hidden && msg.avps[2].random_vector.len == 2 &&
		   memcmp(msg.avps[2].random_vector.p, "RV", 2) == 0,
	   "hidden: carries its Random Vector");

	/* Framing errors surface from the message parser too. */
	wr = body_start(buf, sizeof(buf), L2TP_MSG_SCCRQ);
	l2tp_avp_put_u16(&wr, 0, 0, L2TP_AVP_ASSIGNED_TUNNEL_ID, 5);
	is_int(l2tp_msg_parse(span(buf, wr.len - 1), &msg), L2TP_ERR_AVP_LENGTH,
	       "msg: last AVP short by one");
}

/* ------------------------------------------------------------ typed readers */

static void test_readers(void)
{
	static const uint8_t v[16] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09 };
	uint16_t u16;
	uint32_t u32;
	uint8_t ver, rev, tie[8];
	struct wire_span s;
	struct l2tp_result result;

	is_int(l2tp_avp_get_u16(span(NULL, 0), &u16), L2TP_ERR_VALUE, "u16: empty");
	is_int(l2tp_avp_get_u16(span(v, 1), &u16), L2TP_ERR_VALUE, "u16: short");
	ok(l2tp_avp_get_u16(span(v, 2), &u16) == L2TP_OK && u16 == 0x0102, "u16: exact");
	ok(l2tp_avp_get_u16(span(v, 3), &u16) == L2TP_ERR_VALUE && u16 == 0, "u16: long");
	is_int(l2tp_avp_get_u32(span(NULL, 0), &u32), L2TP_ERR_VALUE, "u32: empty");
	is_int(l2tp_avp_get_u32(span(v, 3), &u32), L2TP_ERR_VALUE, "u32: short");
	ok(l2tp_avp_get_u32(span(v, 4), &u32) == L2TP_OK && u32 == 0x01020304, "u32: exact");
	ok(l2tp_avp_get_u32(span(v, 5), &u32) == L2TP_ERR_VALUE && u32 == 0, "u32: long");
	is_int(l2tp_avp_get_protocol_version(span(NULL, 0), &ver, &rev), L2TP_ERR_VALUE,
	       "version: empty");
	is_int(l2tp_avp_get_protocol_version(span(v, 1), &ver, &rev), L2TP_ERR_VALUE,
	       "version: short");
	ok(l2tp_avp_get_protocol_version(span(v, 2), &ver, &rev) == L2TP_OK && ver == 1 && rev == 2,
	   "version: exact");
	is_int(l2tp_avp_get_protocol_version(span(v, 3), &ver, &rev), L2TP_ERR_VALUE,
	       "version: long");
	is_int(l2tp_avp_get_tie_breaker(span(NULL, 0), tie), L2TP_ERR_VALUE, "tie: empty");
	is_int(l2tp_avp_get_tie_breaker(span(v, 7), tie), L2TP_ERR_VALUE, "tie: short");
	ok(l2tp_avp_get_tie_breaker(span(v, 8), tie) == L2TP_OK && tie[7] == 8, "tie: exact");
	ok(l2tp_avp_get_tie_breaker(span(v, 9), tie) == L2TP_ERR_VALUE && tie[0] == 0, "tie: long");
	is_int(l2tp_avp_get_string(span(NULL, 0), 1, &s), L2TP_ERR_VALUE, "string: empty, min 1");
	ok(l2tp_avp_get_string(span(NULL, 0), 0, &s) == L2TP_OK && s.len == 0,
	   "string: empty, min 0");
	ok(l2tp_avp_get_string(span(v, 1), 1, &s) == L2TP_OK && s.len == 1, "string: exact min");
	ok(l2tp_avp_get_string(span(v, 16), 1, &s) == L2TP_OK && s.len == 16, "string: long");
	is_int(l2tp_avp_get_challenge(span(NULL, 0), &s), L2TP_ERR_VALUE, "challenge: empty");
	ok(l2tp_avp_get_challenge(span(v, 1), &s) == L2TP_OK && s.len == 1, "challenge: 1 octet");
	ok(l2tp_avp_get_challenge(span(v, 16), &s) == L2TP_OK && s.len == 16, "challenge: 16");

	is_int(l2tp_avp_get_result_code(span(NULL, 0), &result), L2TP_ERR_VALUE, "result: empty");
	is_int(l2tp_avp_get_result_code(span(v, 1), &result), L2TP_ERR_VALUE, "result: short");
	ok(l2tp_avp_get_result_code(span(v, 2), &result) == L2TP_OK && result.result_code == 0x0102 &&
		   !result.has_error_code && result.message.len == 0,
	   "result: code only (lenient)");
	is_int(l2tp_avp_get_result_code(span(v, 3), &result), L2TP_ERR_VALUE,
	       "result: half an error code");
	ok(l2tp_avp_get_result_code(span(v, 4), &result) == L2TP_OK && result.has_error_code &&
		   result.error_code == 0x0304 && result.message.len == 0,
	   "result: with error code");
	ok(l2tp_avp_get_result_code(span(v, 9), &result) == L2TP_OK && result.has_error_code &&
		   result.message.len == 5 && result.message.p[0] == 5,
	   "result: with error code and message");
}

/* ------------------------------------------------------------ builders */

/* SCCRQ as windows-client.md §6.1 describes it (15-character host name). */
static size_t build_windows_sccrq(uint8_t *buf, size_t cap)
{
	struct wire_wr wr = wire_wr_init(buf, cap);
	size_t start = l2tp_ctrl_begin(&wr, 0, 0);
	const uint16_t m = L2TP_AVP_FLAG_MANDATORY;

	l2tp_avp_put_message_type(&wr, L2TP_MSG_SCCRQ);
	l2tp_avp_put_u16(&wr, m, 0, L2TP_AVP_PROTOCOL_VERSION, 0x0100);
	l2tp_avp_put_u32(&wr, m, 0, L2TP_AVP_FRAMING_CAPABILITIES, 1);
	l2tp_avp_put_u32(&wr, m, 0, L2TP_AVP_BEARER_CAPABILITIES, 0);
	l2tp_avp_put_u16(&wr, 0, 0, L2TP_AVP_FIRMWARE_REVISION, 0x0a00);
	l2tp_avp_put_string(&wr, m, 0, L2TP_AVP_HOST_NAME, "RWB-LAPTOP-DELL");
	l2tp_avp_put_string(&wr, 0, 0, L2TP_AVP_VENDOR_NAME, "Microsoft");
	l2tp_avp_put_u16(&wr, m, 0, L2TP_AVP_ASSIGNED_TUNNEL_ID, 7);
	l2tp_avp_put_u16(&wr, m, 0, L2TP_AVP_RECEIVE_WINDOW_SIZE, 8);
	l2tp_ctrl_finish(&wr, start, 0, 0);
	return wire_wr_ok(&wr) ? wr.len : 0;
}

static void test_windows_sccrq(void)
{
	static struct l2tp_msg msg;
	uint8_t buf[256];
	size_t len = build_windows_sccrq(buf, sizeof(buf));
	struct l2tp_hdr hdr;
	const struct l2tp_avp *avp;
	uint16_t u16 = 0;
	uint32_t u32 = 1;
	uint8_t ver = 0, rev = 9;
	struct wire_span s = { NULL, 0 };

	corpus_write("sccrq-windows", buf, len);
	is_int(len, 108, "sccrq: 108 octets, as xl2tpd logs for Windows 10");
	ok(buf[0] == 0xc8 && buf[1] == 0x02 && buf[12] == 0x80 && buf[13] == 0x08,
	   "sccrq: flags 0xc802, Message Type AVP 0x8008 (what mtpd checks)");
	is_int(l2tp_hdr_parse(span(buf, len), &hdr), L2TP_OK, "sccrq: header");
	ok(hdr.length == 108 && hdr.tunnel_id == 0 && hdr.payload.len == 96, "sccrq: header fields");
	is_int(l2tp_msg_parse(hdr.payload, &msg), L2TP_OK, "sccrq: message");
	ok(msg.type == L2TP_MSG_SCCRQ && msg.count == 9, "sccrq: type and 9 AVPs");
	avp = l2tp_msg_find(&msg, 0, L2TP_AVP_PROTOCOL_VERSION);
	ok(avp && l2tp_avp_get_protocol_version(avp->value, &ver, &rev) == L2TP_OK && ver == 1 &&
		   rev == 0,
	   "sccrq: Protocol Version 1.0");
	avp = l2tp_msg_find(&msg, 0, L2TP_AVP_FRAMING_CAPABILITIES);
	ok(avp && l2tp_avp_get_u32(avp->value, &u32) == L2TP_OK && u32 == 1,
	   "sccrq: Framing Capabilities sync");
	avp = l2tp_msg_find(&msg, 0, L2TP_AVP_BEARER_CAPABILITIES);
	ok(avp && l2tp_avp_get_u32(avp->value, &u32) == L2TP_OK && u32 == 0,
	   "sccrq: Bearer Capabilities none");
	avp = l2tp_msg_find(&msg, 0, L2TP_AVP_FIRMWARE_REVISION);
	ok(avp && !avp->mandatory && l2tp_avp_get_u16(avp->value, &u16) == L2TP_OK &&
		   u16 == 0x0a00,
	   "sccrq: Firmware Revision 0x0a00");
	avp = l2tp_msg_find(&msg, 0, L2TP_AVP_HOST_NAME);
	ok(avp && l2tp_avp_get_string(avp->value, 1, &s) == L2TP_OK && s.len == 15 &&
		   memcmp(s.p, "RWB-LAPTOP-DELL", 15) == 0,
	   "sccrq: Host Name");
	avp = l2tp_msg_find(&msg, 0, L2TP_AVP_VENDOR_NAME);
	ok(avp && l2tp_avp_get_string(avp->value, 0, &s) == L2TP_OK && s.len == 9 &&
		   memcmp(s.p, "Microsoft", 9) == 0,
	   "sccrq: Vendor Name");
	avp = l2tp_msg_find(&msg, 0, L2TP_AVP_ASSIGNED_TUNNEL_ID);
	ok(avp && l2tp_avp_get_u16(avp->value, &u16) == L2TP_OK && u16 == 7,
	   "sccrq: Assigned Tunnel ID 7");
	avp = l2tp_msg_find(&msg, 0, L2TP_AVP_RECEIVE_WINDOW_SIZE);
	ok(avp && l2tp_avp_get_u16(avp->value, &u16) == L2TP_OK && u16 == 8,
	   "sccrq: Receive Window Size 8");
	ok(l2tp_msg_find(&msg, 0, L2TP_AVP_CHALLENGE) == NULL &&
		   l2tp_msg_find_unknown_mandatory(&msg) == NULL,
	   "sccrq: no Challenge, nothing unknown");
	is_int(l2tp_hdr_parse(span(buf, len - 1), &hdr), L2TP_ERR_LENGTH,
	       "sccrq: datagram short by one");
}

static void test_builders(void)
{
	static struct l2tp_msg msg;
	uint8_t buf[2048];
	struct wire_wr wr;
	struct l2tp_hdr hdr;
	struct l2tp_result result;
	const struct l2tp_avp *avp;
	size_t start;

	/* ZLB */
	wr = wire_wr_init(buf, sizeof(buf));
	l2tp_zlb_build(&wr, 0x1234, 0x5678, 1, 2);
	ok(wire_wr_ok(&wr) && wr.len == 12 && memcmp(buf, zlb_bytes, 12) == 0, "zlb: bytes");
	corpus_write("zlb", buf, wr.len);
	ok(l2tp_hdr_parse(span(buf, wr.len), &hdr) == L2TP_OK &&
		   l2tp_msg_parse(hdr.payload, &msg) == L2TP_OK && msg.zlb,
	   "zlb: round trip");

	/* StopCCN with a Result Code alone, CDN with error code and message. */
	wr = wire_wr_init(buf, sizeof(buf));
	start = l2tp_ctrl_begin(&wr, 7, 0);
	l2tp_avp_put_message_type(&wr, L2TP_MSG_STOPCCN);
	l2tp_avp_put_u16(&wr, L2TP_AVP_FLAG_MANDATORY, 0, L2TP_AVP_ASSIGNED_TUNNEL_ID, 31337);
	l2tp_avp_put_result_code(&wr, L2TP_STOPCCN_RESULT_CLEAR, false, 0, NULL, 0);
	l2tp_ctrl_finish(&wr, start, 3, 4);
	corpus_write("stopccn", buf, wr.len);
	ok(wire_wr_ok(&wr) && l2tp_hdr_parse(span(buf, wr.len), &hdr) == L2TP_OK &&
		   hdr.ns == 3 && hdr.nr == 4 && hdr.length == wr.len &&
		   l2tp_msg_parse(hdr.payload, &msg) == L2TP_OK && msg.type == L2TP_MSG_STOPCCN,
	   "stopccn: round trip");
	avp = l2tp_msg_find(&msg, 0, L2TP_AVP_RESULT_CODE);
	ok(avp && avp->mandatory && avp->value.len == 2 &&
		   l2tp_avp_get_result_code(avp->value, &result) == L2TP_OK &&
		   result.result_code == 1 && !result.has_error_code,
	   "stopccn: Result Code without Error Code");

	wr = wire_wr_init(buf, sizeof(buf));
	start = l2tp_ctrl_begin(&wr, 7, 9);
	l2tp_avp_put_message_type(&wr, L2TP_MSG_CDN);
	l2tp_avp_put_result_code(&wr, L2TP_CDN_RESULT_ERROR, true,
				 L2TP_ERROR_UNKNOWN_MANDATORY_AVP, "unknown AVP 9:1", 15);
	l2tp_avp_put_u16(&wr, L2TP_AVP_FLAG_MANDATORY, 0, L2TP_AVP_ASSIGNED_SESSION_ID, 9);
	l2tp_ctrl_finish(&wr, start, 5, 6);
	corpus_write("cdn", buf, wr.len);
	ok(wire_wr_ok(&wr) && l2tp_hdr_parse(span(buf, wr.len), &hdr) == L2TP_OK &&
		   hdr.session_id == 9 && l2tp_msg_parse(hdr.payload, &msg) == L2TP_OK &&
		   msg.type == L2TP_MSG_CDN,
	   "cdn: round trip");
	avp = l2tp_msg_find(&msg, 0, L2TP_AVP_RESULT_CODE);
	ok(avp && l2tp_avp_get_result_code(avp->value, &result) == L2TP_OK &&
		   result.result_code == 2 && result.has_error_code && result.error_code == 8 &&
		   result.message.len == 15 && memcmp(result.message.p, "unknown AVP 9:1", 15) == 0,
	   "cdn: Result Code with Error Code and message");
	wr = wire_wr_init(buf, sizeof(buf));
	l2tp_avp_put_result_code(&wr, 4, true, 0, NULL, 0);
	ok(wr.len == 10 && l2tp_avp_get_result_code(span(buf + 6, 4), &result) == L2TP_OK &&
		   result.has_error_code && result.error_code == 0,
	   "result code with error code, no message: 10 octets");

	/* Sizes: the longest value fits, one more does not; a full buffer overflows. */
	static uint8_t big[L2TP_AVP_VALUE_MAX + 1];
	wr = wire_wr_init(buf, sizeof(buf));
	l2tp_avp_put_bytes(&wr, 0, 0, L2TP_AVP_CHALLENGE, big, L2TP_AVP_VALUE_MAX);
	ok(wire_wr_ok(&wr) && wr.len == L2TP_AVP_LEN_MAX && buf[0] == 0x03 && buf[1] == 0xff,
	   "put: 1017-octet value, Length 1023");
	l2tp_avp_put_bytes(&wr, 0, 0, L2TP_AVP_CHALLENGE, big, sizeof(big));
	ok(!wire_wr_ok(&wr), "put: 1018-octet value marks the writer bad");
	wr = wire_wr_init(buf, 11);
	l2tp_zlb_build(&wr, 1, 2, 3, 4);
	ok(!wire_wr_ok(&wr), "zlb into 11 octets overflows");
	wr = wire_wr_init(buf, sizeof(buf));
	l2tp_avp_put_u16(&wr, 0xffff, 0, 1, 2);
	ok(buf[0] == 0xc0 && buf[1] == 0x08, "put: reserved flag bits never written");
}

/* ------------------------------------------------------------ hidden AVPs */

static void test_hidden(void)
{
	/*
	 * The vector: secret "secret", Random Vector 00 01 .. 0f, attribute type
	 * 7 (Host Name), value "l2tpsec-test-host-01" (20 octets), no padding.
	 *   plaintext p = 0014 | 6c3274707365632d746573742d686f73742d3031 (22 octets)
	 *   b1 = MD5(0007 | "secret" | 000102..0f) = 69c78f9f8fabda69d63a3be209030a89
	 *   c1 = p[0..16) xor b1               = 69d3e3adfbdba90cb5174f877a7727e1
	 *   b2 = MD5("secret" | c1)            = 8a8693d2008f6fd4ed1ce39175ebd3da
	 *   c2 = p[16..22) xor b2[0..6)        = e5f5e7ff30be
	 * The MD5s were computed with Python's hashlib, not with this code.
	 */
	static const uint8_t expected[22] = { 0x69, 0xd3, 0xe3, 0xad, 0xfb, 0xdb, 0xa9, 0x0c,
					      0xb5, 0x17, 0x4f, 0x87, 0x7a, 0x77, 0x27, 0xe1,
					      0xe5, 0xf5, 0xe7, 0xff, 0x30, 0xbe };
	static const uint8_t rv[16] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };
	const struct wire_span secret = span("secret", 6);
	const char *host = "l2tpsec-test-host-01";
	uint8_t hidden[L2TP_AVP_VALUE_MAX], plain[L2TP_AVP_VALUE_MAX];
	size_t hidden_len = 0, plain_len = 0;

	ok(l2tp_avp_hide(secret, span(rv, 16), L2TP_AVP_HOST_NAME, span(host, 20), span(NULL, 0),
			 hidden, sizeof(hidden), &hidden_len),
	   "hide: vector");
	ok(hidden_len == 22 && memcmp(hidden, expected, 22) == 0, "hide: matches the vector");
	ok(l2tp_avp_unhide(secret, span(rv, 16), L2TP_AVP_HOST_NAME, span(expected, 22), plain,
			   sizeof(plain), &plain_len) == L2TP_OK &&
		   plain_len == 20 && memcmp(plain, host, 20) == 0,
	   "unhide: vector");

	/* Round trips over block boundaries, with padding. */
	static uint8_t value[600], padding[40], bigv[L2TP_AVP_VALUE_MAX];
	for (size_t i = 0; i < sizeof(value); i++)
		value[i] = (uint8_t)(i * 7 + 3);
	for (size_t i = 0; i < sizeof(padding); i++)
		padding[i] = (uint8_t)(0xa5 ^ i);
	bool all = true;
	size_t lens[] = { 0, 1, 13, 14, 15, 30, 31, 32, 600 };
	for (size_t k = 0; k < ARRAY_SIZE(lens); k++)
		for (size_t pad = 0; pad < 40; pad += 13) {
			all &= l2tp_avp_hide(secret, span(rv, 5), 11, span(value, lens[k]),
					     span(padding, pad), hidden, sizeof(hidden),
					     &hidden_len);
			all &= hidden_len == 2 + lens[k] + pad;
			all &= l2tp_avp_unhide(secret, span(rv, 5), 11, span(hidden, hidden_len),
					       plain, sizeof(plain), &plain_len) == L2TP_OK;
			all &= plain_len == lens[k] &&
			       (lens[k] == 0 || memcmp(plain, value, lens[k]) == 0);
		}
	ok(all, "hide/unhide: round trips, lengths 0..600, padding 0..39");

	ok(!l2tp_avp_hide(secret, span(rv, 16), 7, span(value, 16), span(NULL, 0), hidden, 17,
			  &hidden_len),
	   "hide: output one octet short");
	ok(!l2tp_avp_hide(secret, span(rv, 16), 7, span(bigv, L2TP_AVP_VALUE_MAX - 1),
			  span(NULL, 0), hidden, sizeof(hidden), &hidden_len),
	   "hide: value + 2 beyond an AVP");
	is_int(l2tp_avp_unhide(secret, span(rv, 16), 7, span(expected, 1), plain, sizeof(plain),
			       &plain_len),
	       L2TP_ERR_HIDDEN, "unhide: one octet");
	is_int(l2tp_avp_unhide(secret, span(rv, 16), 7, span(expected, 21), plain, sizeof(plain),
			       &plain_len),
	       L2TP_ERR_HIDDEN, "unhide: original length past the value");
	is_int(l2tp_avp_unhide(secret, span(rv, 16), 7, span(expected, 22), plain, 19, &plain_len),
	       L2TP_ERR_HIDDEN, "unhide: output one octet short");
	ok(l2tp_avp_unhide(span("secreT", 6), span(rv, 16), 7, span(expected, 22), plain,
			   sizeof(plain), &plain_len) != L2TP_OK ||
		   memcmp(plain, host, plain_len < 20 ? plain_len : 20) != 0,
	   "unhide: wrong secret does not give the value");

	/* In a message: Random Vector, then a hidden Host Name, unhidden via the parse. */
	static struct l2tp_msg msg;
	uint8_t buf[256];
	struct wire_wr wr = wire_wr_init(buf, sizeof(buf));
	struct l2tp_hdr hdr;
	size_t start = l2tp_ctrl_begin(&wr, 0, 0);
	l2tp_avp_put_message_type(&wr, L2TP_MSG_SCCRQ);
	l2tp_avp_put_bytes(&wr, L2TP_AVP_FLAG_MANDATORY, 0, L2TP_AVP_RANDOM_VECTOR, rv, 16);
	l2tp_avp_put_bytes(&wr, L2TP_AVP_FLAG_HIDDEN, 0, L2TP_AVP_HOST_NAME, expected, 22);
	l2tp_ctrl_finish(&wr, start, 0, 0);
	corpus_write("sccrq-hidden-host-name", buf, wr.len);
	const struct l2tp_avp *avp = NULL;
	ok(l2tp_hdr_parse(span(buf, wr.len), &hdr) == L2TP_OK &&
		   l2tp_msg_parse(hdr.payload, &msg) == L2TP_OK &&
		   (avp = l2tp_msg_find(&msg, 0, L2TP_AVP_HOST_NAME)) != NULL && avp->hidden &&
		   l2tp_avp_unhide(secret, avp->random_vector, avp->type, avp->value, plain,
				   sizeof(plain), &plain_len) == L2TP_OK &&
		   plain_len == 20 && memcmp(plain, host, 20) == 0,
	   "hidden Host Name in an SCCRQ unhides");
}

/* ------------------------------------------------------------ captures */

static char *capture_path(const char *name)
{
	const char *top = getenv("top_srcdir");
	static char path[4096];

	snprintf(path, sizeof(path), "%s/tests/data/captures/%s", top ? top : ".", name);
	return path;
}

static void test_corrupt_capture(void)
{
	const char *name = "fuzz/l2tp-avp-overflow.pcap";
	static struct l2tp_msg msg;
	struct pcap_reader reader;
	struct pcap_udp udp;
	uint8_t *data = NULL;
	size_t len = 0;
	unsigned long seen = 0, control_flags = 0, bodies_refused = 0, verdicts_bad = 0;
	unsigned long walked = 0, overflows = 0;
	uint8_t copy[2048];
	int err = pcap_file_load(capture_path(name), &data, &len);

	if (!ok(err == 0, "%s: loaded", name)) {
		tap_diag("%s: %s", capture_path(name), strerror(-err));
		return;
	}
	ok(pcap_reader_init(&reader, data, len), "%s: is a capture", name);
	while (pcap_next_udp(&reader, &udp)) {
		struct l2tp_hdr hdr;
		enum l2tp_verdict verdict;
		char seed[64];

		if (udp.src_port != 1701 && udp.dst_port != 1701)
			continue;
		seen++;
		verdict = l2tp_hdr_parse(udp.payload, &hdr);
		if ((unsigned)verdict >= L2TP_VERDICTS)
			verdicts_bad++;
		if (verdict == L2TP_ERR_CONTROL_FLAGS)
			control_flags++;
		if (verdict == L2TP_OK && hdr.control) {
			verdict = l2tp_msg_parse(hdr.payload, &msg);
			if ((unsigned)verdict >= L2TP_VERDICTS)
				verdicts_bad++;
		}
		/*
		 * tcpdump reads these T=1 L=1 S=0 headers anyway: walk the AVPs
		 * after the 8 octets it would take (flags, Length, tunnel,
		 * session), where the overflowing lengths are.
		 */
		if (udp.payload.len >= 8) {
			verdict = l2tp_msg_parse(span(udp.payload.p + 8, udp.payload.len - 8), &msg);
			if ((unsigned)verdict >= L2TP_VERDICTS)
				verdicts_bad++;
			if (verdict != L2TP_OK)
				bodies_refused++;
			struct l2tp_avp_iter iter;
			struct l2tp_avp avp;
			l2tp_avp_iter_init(&iter, span(udp.payload.p + 8, udp.payload.len - 8));
			while (l2tp_avp_next(&iter, &avp))
				walked++;
			if (iter.verdict != L2TP_OK)
				overflows++;
		}
		/* With S forced on, the header's Length (514) is past the datagram. */
		if (udp.payload.len > 0 && udp.payload.len <= sizeof(copy)) {
			struct l2tp_hdr forced;

			memcpy(copy, udp.payload.p, udp.payload.len);
			copy[0] |= 0x08;
			verdict = l2tp_hdr_parse(span(copy, udp.payload.len), &forced);
			if (verdict == L2TP_ERR_LENGTH || verdict == L2TP_ERR_SHORT)
				overflows++;
		}
		snprintf(seed, sizeof(seed), "capture-avp-overflow-frame-%lu", udp.frame);
		corpus_write(seed, udp.payload.p, udp.payload.len);
	}
	tap_diag("%lu datagrams, %lu control without S, %lu bodies refused, %lu AVPs walked, "
		 "%lu lengths past the end", seen, control_flags, bodies_refused, walked, overflows);
	ok(seen >= 10, "%s: %lu L2TP datagrams", name, seen);
	ok(control_flags == seen, "%s: every header is a control message without S", name);
	ok(bodies_refused == seen, "%s: every AVP walk ends in a verdict", name);
	ok(overflows >= seen, "%s: lengths past the end are caught", name);
	is_int(verdicts_bad, 0, "%s: every verdict is in range", name);
	free(data);
}

int main(void)
{
	test_names();
	test_header();
	test_avp_walk();
	test_msg();
	test_readers();
	test_windows_sccrq();
	test_builders();
	test_hidden();
	test_corrupt_capture();
	corpus_write("data-capture-lcp-echo", capture_data, sizeof(capture_data));
	return tap_done();
}
