/*
 * wire_test.c - the reader and writer: every getter empty, short by one,
 * exact and oversize; stickiness; sub-cursors; back-patching; a nested TLV
 * walk built and parsed through the same API a protocol codec uses.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "lib/util.h"
#include "lib/wire.h"
#include "tests/harness/tap.h"

static const uint8_t sample[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09 };

static uint64_t get_u8(struct wire_rd *rd)
{
	return wire_u8(rd);
}

static uint64_t get_be16(struct wire_rd *rd)
{
	return wire_be16(rd);
}

static uint64_t get_be32(struct wire_rd *rd)
{
	return wire_be32(rd);
}

static uint64_t get_be64(struct wire_rd *rd)
{
	return wire_be64(rd);
}

static const struct getter {
	const char *name;
	size_t width;
	uint64_t (*get)(struct wire_rd *rd);
	uint64_t expected;      /* read from the start of sample[] */
} getters[] = {
	{ "u8", 1, get_u8, 0x01 },
	{ "be16", 2, get_be16, 0x0102 },
	{ "be32", 4, get_be32, 0x01020304 },
	{ "be64", 8, get_be64, UINT64_C(0x0102030405060708) },
};

static void test_getters(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(getters); i++) {
		const struct getter *g = &getters[i];
		struct wire_rd rd;
		uint64_t v;

		rd = wire_rd_init(sample, 0);
		v = g->get(&rd);
		ok(v == 0 && !wire_ok(&rd) && wire_left(&rd) == 0,
		   "%s: empty buffer reads 0 and is bad", g->name);

		rd = wire_rd_init(sample, g->width - 1);
		v = g->get(&rd);
		ok(v == 0 && !wire_ok(&rd), "%s: short by one reads 0 and is bad", g->name);
		is_uint(rd.off, 0, "%s: short read consumes nothing", g->name);

		rd = wire_rd_init(sample, g->width);
		v = g->get(&rd);
		is_uint(v, g->expected, "%s: exact buffer reads the big-endian value", g->name);
		ok(wire_done(&rd), "%s: exact buffer is done", g->name);

		rd = wire_rd_init(sample, g->width + 1);
		v = g->get(&rd);
		is_uint(v, g->expected, "%s: oversize buffer reads the value", g->name);
		ok(wire_ok(&rd) && !wire_done(&rd) && wire_left(&rd) == 1,
		   "%s: oversize leaves one byte", g->name);
	}
}

static void test_sticky(void)
{
	struct wire_rd rd = wire_rd_init(sample, 3);

	is_uint(wire_be32(&rd), 0, "be32 of 3 bytes is 0");
	is_uint(wire_u8(&rd), 0, "after a short read, u8 reads 0 though bytes are left");
	is_uint(wire_left(&rd), 0, "a bad cursor has nothing left");
	ok(!wire_ok(&rd) && !wire_done(&rd), "bad stays bad and is never done");

	rd = wire_rd_init(sample, sizeof sample);
	is_uint(wire_be16(&rd), 0x0102, "reads advance: first be16");
	is_uint(wire_be16(&rd), 0x0304, "reads advance: second be16");
	is_uint(wire_left(&rd), 5, "5 bytes left");

	rd = wire_rd_init(NULL, 0);
	ok(wire_done(&rd), "a NULL, 0 cursor is empty and fine");
	is_uint(wire_view(&rd, 0).len, 0, "zero-byte view of an empty cursor");
	ok(wire_ok(&rd), "zero-byte view of an empty cursor is no error");
	rd = wire_rd_init(NULL, 5);
	ok(!wire_ok(&rd), "a NULL cursor claiming 5 bytes starts bad");
}

static void test_bytes(void)
{
	uint8_t dst[4];
	struct wire_rd rd = wire_rd_init(sample, 4);

	ok(wire_bytes(&rd, dst, 4), "wire_bytes exact");
	is_mem(dst, sample, 4, "wire_bytes copied");
	ok(wire_done(&rd), "wire_bytes consumed all");

	rd = wire_rd_init(sample, 3);
	memset(dst, 0xaa, sizeof dst);
	ok(!wire_bytes(&rd, dst, 4), "wire_bytes short by one fails");
	is_mem(dst, "\0\0\0\0", 4, "wire_bytes zero-fills dst on a short read");
	ok(!wire_ok(&rd), "wire_bytes short sets bad");

	rd = wire_rd_init(sample, 5);
	ok(wire_bytes(&rd, dst, 4) && wire_left(&rd) == 1, "wire_bytes oversize leaves one");
	ok(wire_bytes(&rd, NULL, 0), "wire_bytes of 0 bytes succeeds");

	rd = wire_rd_init(sample, 0);
	ok(!wire_bytes(&rd, dst, 1), "wire_bytes from empty fails");
}

static void test_view_skip_rest(void)
{
	struct wire_rd rd = wire_rd_init(sample, sizeof sample);
	struct wire_span span;

	span = wire_view(&rd, 2);
	ok(span.p == sample && span.len == 2, "view points into the buffer");
	wire_skip(&rd, 3);
	is_uint(rd.off, 5, "skip advances");
	span = wire_rest(&rd);
	ok(span.p == sample + 5 && span.len == 4, "rest is the last 4 bytes");
	ok(wire_done(&rd), "rest leaves the cursor at the end");
	span = wire_rest(&rd);
	ok(span.p != NULL && span.len == 0 && wire_ok(&rd),
	   "rest of a finished cursor is empty, not an error");

	rd = wire_rd_init(sample, 3);
	span = wire_view(&rd, 4);
	ok(span.p == NULL && span.len == 0 && !wire_ok(&rd),
	   "view short by one is {NULL, 0} and bad");
	span = wire_rest(&rd);
	ok(span.p == NULL && span.len == 0, "rest of a bad cursor is {NULL, 0}");

	rd = wire_rd_init(sample, 3);
	wire_skip(&rd, 4);
	ok(!wire_ok(&rd), "skip past the end sets bad");

	rd = wire_rd_init(sample, 3);
	span = wire_view(&rd, SIZE_MAX);
	ok(span.p == NULL && !wire_ok(&rd), "view of SIZE_MAX does not wrap");
	rd = wire_rd_init(sample, 3);
	wire_u8(&rd);
	wire_skip(&rd, SIZE_MAX);
	ok(!wire_ok(&rd), "skip of SIZE_MAX after a read does not wrap");
}

static void test_sub(void)
{
	struct wire_rd rd = wire_rd_init(sample, sizeof sample);
	struct wire_rd sub;

	wire_u8(&rd);
	sub = wire_sub(&rd, 4);
	ok(wire_ok(&rd) && rd.off == 5, "sub: the parent advances by exactly n");
	is_uint(wire_left(&sub), 4, "sub: the child holds exactly n");
	is_uint(wire_be32(&sub), 0x02030405, "sub: the child reads its own bytes");
	ok(wire_done(&sub), "sub: child consumed exactly");
	is_uint(wire_u8(&sub), 0, "sub: the child cannot read into the parent's next bytes");
	ok(!wire_ok(&sub) && wire_ok(&rd), "sub: the child's overrun leaves the parent fine");
	is_uint(wire_u8(&rd), 0x06, "sub: the parent continues after the child");

	sub = wire_sub(&rd, 3);
	wire_u8(&sub);
	ok(wire_ok(&sub) && !wire_done(&sub), "sub: a child with bytes left over is not done");

	rd = wire_rd_init(sample, 4);
	sub = wire_sub(&rd, 5);
	ok(!wire_ok(&rd), "sub short by one: the parent is bad");
	ok(!wire_ok(&sub) && wire_left(&sub) == 0 && sub.len == 0,
	   "sub short by one: the child is bad and empty");
	is_uint(wire_u8(&sub), 0, "sub short by one: the child reads 0");

	rd = wire_rd_init(sample, 4);
	sub = wire_sub(&rd, 0);
	ok(wire_done(&sub) && wire_ok(&rd) && rd.off == 0,
	   "sub of 0 bytes is an empty, good child");

	rd = wire_rd_init(sample, 4);
	wire_skip(&rd, 5);
	sub = wire_sub(&rd, 0);
	ok(!wire_ok(&sub), "sub of a bad parent is bad");
}

static void test_writer(void)
{
	static const uint8_t expect[] = {
		0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x01, 0x02, 0x03,
		0x04, 0x05, 0x06, 0x07, 0x08, 0xaa, 0xbb, 0x00, 0x00, 0x00,
	};
	uint8_t buf[32];
	struct wire_wr wr = wire_wr_init(buf, sizeof buf);

	memset(buf, 0xee, sizeof buf);
	wire_put_u8(&wr, 0x11);
	wire_put_be16(&wr, 0x2233);
	wire_put_be32(&wr, 0x44556677);
	wire_put_be64(&wr, UINT64_C(0x0102030405060708));
	wire_put_bytes(&wr, "\xaa\xbb", 2);
	wire_put_zero(&wr, 3);
	ok(wire_wr_ok(&wr), "writer: all puts fit");
	is_uint(wr.len, sizeof expect, "writer: length");
	is_mem(buf, expect, sizeof expect, "writer: big-endian bytes");
	is_uint(buf[sizeof expect], 0xee, "writer: nothing written past len");
}

static void test_writer_overflow(void)
{
	uint8_t buf[8];
	struct wire_wr wr;

	memset(buf, 0xee, sizeof buf);
	wr = wire_wr_init(buf, 3);
	wire_put_be32(&wr, 0x01020304);
	ok(!wire_wr_ok(&wr) && wr.len == 0, "be32 into 3 bytes: bad, nothing written");
	is_uint(buf[0], 0xee, "be32 into 3 bytes: buffer untouched");
	wire_put_u8(&wr, 0x01);
	ok(wr.len == 0 && buf[0] == 0xee, "after overflow, a fitting u8 writes nothing (sticky)");

	wr = wire_wr_init(buf, 8);
	wire_put_be64(&wr, 1);
	ok(wire_wr_ok(&wr) && wr.len == 8, "be64 fills 8 bytes exactly");
	wire_put_bytes(&wr, "", 0);
	ok(wire_wr_ok(&wr), "zero bytes into a full buffer is fine");
	wire_put_u8(&wr, 0);
	ok(!wire_wr_ok(&wr) && wr.len == 8, "one byte more overflows");

	wr = wire_wr_init(buf, 8);
	wire_put_be16(&wr, 1);
	wire_put_be16(&wr, 2);
	wire_put_be16(&wr, 3);
	wire_put_be16(&wr, 4);
	wire_put_be16(&wr, 5);
	ok(!wire_wr_ok(&wr) && wr.len == 8, "be16 past the end");
	wr = wire_wr_init(buf, 4);
	wire_put_be64(&wr, 1);
	ok(!wire_wr_ok(&wr), "be64 past the end");
	wr = wire_wr_init(buf, 4);
	wire_put_bytes(&wr, "12345", 5);
	ok(!wire_wr_ok(&wr) && wr.len == 0, "put_bytes past the end");
	wr = wire_wr_init(buf, 4);
	wire_put_zero(&wr, 5);
	ok(!wire_wr_ok(&wr), "put_zero past the end");
	wr = wire_wr_init(buf, 4);
	wire_put_u8(&wr, 1);
	ok(wire_reserve(&wr, SIZE_MAX) == NULL && !wire_wr_ok(&wr),
	   "reserve of SIZE_MAX does not wrap");

	wr = wire_wr_init(NULL, 0);
	wire_put_bytes(&wr, NULL, 0);
	ok(wire_wr_ok(&wr), "a writer over no buffer takes zero bytes");
	wire_put_u8(&wr, 1);
	ok(!wire_wr_ok(&wr), "a writer over no buffer overflows on one byte");
	wr = wire_wr_init(NULL, 4);
	ok(!wire_wr_ok(&wr), "a NULL buffer claiming 4 bytes starts bad");
}

static void test_reserve_patch(void)
{
	static const uint8_t expect[] = { 0x07, 0x00, 0x0a, 0xde, 0xad, 0xbe,
					  0xef, 0x00, 0x00, 0x00, 0x0a };
	uint8_t buf[16];
	struct wire_wr wr = wire_wr_init(buf, sizeof buf);
	size_t type_at, len_at, total_at;
	uint8_t *hole;

	memset(buf, 0xee, sizeof buf);
	type_at = wire_mark(&wr);
	wire_put_u8(&wr, 0);
	len_at = wire_mark(&wr);
	wire_put_be16(&wr, 0);
	hole = wire_reserve(&wr, 4);
	ok(hole == buf + 3, "reserve returns the next bytes");
	is_mem(hole, "\0\0\0\0", 4, "reserve zeroes them");
	memcpy(hole, "\xde\xad\xbe\xef", 4);
	total_at = wire_mark(&wr);
	wire_put_be32(&wr, 0);
	ok(wire_reserve(&wr, 0) == buf + wr.len, "a zero-byte reservation points at the next byte");
	wire_patch_u8(&wr, type_at, 0x07);
	wire_patch_be16(&wr, len_at, (uint16_t)(wire_mark(&wr) - 1));
	wire_patch_be32(&wr, total_at, (uint32_t)(wire_mark(&wr) - 1));
	ok(wire_wr_ok(&wr), "patches inside what was written are fine");
	is_mem(buf, expect, sizeof expect, "patched bytes");

	wire_patch_be16(&wr, wr.len - 1, 0xffff);
	ok(!wire_wr_ok(&wr), "patch_be16 straddling the end is bad");
	is_uint(buf[wr.len - 1], 0x0a, "a bad patch writes nothing");

	wr = wire_wr_init(buf, sizeof buf);
	wire_put_be16(&wr, 0);
	wire_patch_be16(&wr, 0, 0x1234);
	ok(wire_wr_ok(&wr) && buf[0] == 0x12 && buf[1] == 0x34,
	   "patch_be16 of exactly the last 2 bytes");
	wire_patch_be32(&wr, 0, 1);
	ok(!wire_wr_ok(&wr), "patch_be32 over 2 written bytes is bad");

	wr = wire_wr_init(buf, sizeof buf);
	wire_patch_u8(&wr, 0, 1);
	ok(!wire_wr_ok(&wr), "patch_u8 before anything was written is bad");
	wr = wire_wr_init(buf, sizeof buf);
	wire_put_be32(&wr, 0);
	wire_patch_u8(&wr, SIZE_MAX, 1);
	ok(!wire_wr_ok(&wr), "patch at SIZE_MAX does not wrap");
	wire_patch_u8(&wr, 0, 1);
	is_uint(buf[0], 0, "no patch after the writer went bad");
	ok(wire_reserve(&wr, 1) == NULL, "reserve on a bad writer is NULL");
}

/*
 * A made-up nested TLV format standing in for ISAKMP payloads and L2TP AVPs:
 *   type (1 byte; bit 7 = container of TLVs), length (2 bytes, the whole TLV
 *   header included), value (a leaf holds one be32).
 */
#define TLV_HEADER 3
#define TLV_CONTAINER 0x80

struct tlv_totals {
	unsigned leaves;
	uint32_t sum;
};

static bool tlv_parse(struct wire_rd *rd, struct tlv_totals *totals, unsigned depth)
{
	while (wire_left(rd) > 0) {
		uint8_t type = wire_u8(rd);
		uint16_t length = wire_be16(rd);
		struct wire_rd body;

		if (!wire_ok(rd) || length < TLV_HEADER || depth > 8)
			return false;
		body = wire_sub(rd, length - TLV_HEADER);
		if (type & TLV_CONTAINER) {
			if (!tlv_parse(&body, totals, depth + 1))
				return false;
		} else {
			totals->leaves++;
			totals->sum += wire_be32(&body);
		}
		if (!wire_done(&body))
			return false;
	}
	return wire_ok(rd);
}

static size_t tlv_open(struct wire_wr *wr, uint8_t type)
{
	size_t at = wire_mark(wr);

	wire_put_u8(wr, type);
	wire_put_be16(wr, 0);
	return at;
}

static void tlv_close(struct wire_wr *wr, size_t at)
{
	wire_patch_be16(wr, at + 1, (uint16_t)(wire_mark(wr) - at));
}

static void tlv_leaf(struct wire_wr *wr, uint32_t value)
{
	size_t at = tlv_open(wr, 1);

	wire_put_be32(wr, value);
	tlv_close(wr, at);
}

static size_t tlv_build(uint8_t *buf, size_t cap)
{
	struct wire_wr wr = wire_wr_init(buf, cap);
	size_t outer, inner;

	tlv_leaf(&wr, 1);
	outer = tlv_open(&wr, TLV_CONTAINER);
	tlv_leaf(&wr, 10);
	inner = tlv_open(&wr, TLV_CONTAINER);
	tlv_leaf(&wr, 100);
	tlv_leaf(&wr, 1000);
	tlv_close(&wr, inner);
	tlv_close(&wr, outer);
	return wire_wr_ok(&wr) ? wr.len : 0;
}

static void test_tlv_walk(void)
{
	uint8_t buf[64], bad[64];
	struct tlv_totals totals = { 0, 0 };
	struct wire_rd rd;
	size_t len = tlv_build(buf, sizeof buf);
	unsigned accepted;

	is_uint(len, 4 * 7 + 2 * 3, "TLV: built 4 leaves in 2 containers");
	is_uint(tlv_build(buf, len - 1), 0, "TLV: building into one byte too few fails cleanly");
	len = tlv_build(buf, sizeof buf);
	is_uint(buf[7 + 1] << 8 | buf[7 + 2], 3 + 7 + 3 + 14,
		"TLV: outer container length back-patched");

	rd = wire_rd_init(buf, len);
	ok(tlv_parse(&rd, &totals, 0) && wire_done(&rd), "TLV: the walk accepts what was built");
	ok(totals.leaves == 4 && totals.sum == 1111, "TLV: every leaf seen once");

	/* Only a cut between the two top-level TLVs (after byte 7) leaves a valid message. */
	accepted = 0;
	for (size_t cut = 1; cut < len; cut++) {
		rd = wire_rd_init(buf, cut);
		if (tlv_parse(&rd, &totals, 0))
			accepted += cut == 7 ? 1 : 100;
	}
	is_uint(accepted, 1, "TLV: every truncation inside a TLV is refused");

	memcpy(bad, buf, len);
	bad[7 + 2] += 1;        /* outer container claims one byte more than there is */
	rd = wire_rd_init(bad, len);
	ok(!tlv_parse(&rd, &totals, 0), "TLV: a container longer than the message is refused");

	memcpy(bad, buf, len);
	bad[2] = 8;             /* first leaf claims one byte more than its be32 */
	rd = wire_rd_init(bad, len);
	ok(!tlv_parse(&rd, &totals, 0), "TLV: a leaf with a trailing byte is refused");

	memcpy(bad, buf, len);
	bad[2] = 2;             /* length below the header size */
	rd = wire_rd_init(bad, len);
	ok(!tlv_parse(&rd, &totals, 0), "TLV: a length below the header size is refused");

	memcpy(bad, buf, len);
	bad[len] = 0;
	rd = wire_rd_init(bad, len + 1);
	ok(!tlv_parse(&rd, &totals, 0), "TLV: one trailing byte after the last TLV is refused");
}

int main(void)
{
	test_getters();
	test_sticky();
	test_bytes();
	test_view_skip_rest();
	test_sub();
	test_writer();
	test_writer_overflow();
	test_reserve_patch();
	test_tlv_walk();
	return tap_done();
}
