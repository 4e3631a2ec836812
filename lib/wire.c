/*
 * wire.c - the bounds-checked reader and writer (see wire.h).
 *
 * Every read goes through wire_take() and every write through wire_grow():
 * the only two places that compare a length with what is left, so the
 * overflow-safe comparison is written twice in the whole project.
 */
#include "config.h"

#include <string.h>

#include "lib/wire.h"

/*
 * What an empty or failed reader points at, so that rd->p is never NULL and
 * rd->p + rd->off is always defined (NULL + 0 is not, in C).
 */
static const uint8_t wire_empty[1];

/* The next n bytes, consumed; NULL and `bad` if fewer are left or the cursor is bad. */
static const uint8_t *wire_take(struct wire_rd *rd, size_t n)
{
	const uint8_t *at;

	if (rd->bad || n > rd->len - rd->off) {
		rd->bad = true;
		return NULL;
	}
	at = rd->p + rd->off;
	rd->off += n;
	return at;
}

static uint16_t wire_load_be16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

static uint32_t wire_load_be32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static void wire_store_be16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

static void wire_store_be32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

struct wire_rd wire_rd_init(const void *p, size_t len)
{
	if (p == NULL)
		return (struct wire_rd){ .p = wire_empty, .len = 0, .off = 0, .bad = len > 0 };
	return (struct wire_rd){ .p = p, .len = len, .off = 0, .bad = false };
}

uint8_t wire_u8(struct wire_rd *rd)
{
	const uint8_t *b = wire_take(rd, 1);

	return b ? b[0] : 0;
}

uint16_t wire_be16(struct wire_rd *rd)
{
	const uint8_t *b = wire_take(rd, 2);

	return b ? wire_load_be16(b) : 0;
}

uint32_t wire_be32(struct wire_rd *rd)
{
	const uint8_t *b = wire_take(rd, 4);

	return b ? wire_load_be32(b) : 0;
}

uint64_t wire_be64(struct wire_rd *rd)
{
	const uint8_t *b = wire_take(rd, 8);

	return b ? (uint64_t)wire_load_be32(b) << 32 | wire_load_be32(b + 4) : 0;
}

bool wire_bytes(struct wire_rd *rd, void *dst, size_t n)
{
	const uint8_t *b = wire_take(rd, n);

	if (n == 0)
		return b != NULL;
	if (b == NULL) {
		memset(dst, 0, n);
		return false;
	}
	memcpy(dst, b, n);
	return true;
}

struct wire_span wire_view(struct wire_rd *rd, size_t n)
{
	const uint8_t *b = wire_take(rd, n);

	if (b == NULL)
		return (struct wire_span){ .p = NULL, .len = 0 };
	return (struct wire_span){ .p = b, .len = n };
}

void wire_skip(struct wire_rd *rd, size_t n)
{
	(void)wire_take(rd, n);
}

struct wire_rd wire_sub(struct wire_rd *rd, size_t n)
{
	const uint8_t *b = wire_take(rd, n);

	if (b == NULL)
		return (struct wire_rd){ .p = wire_empty, .len = 0, .off = 0, .bad = true };
	return (struct wire_rd){ .p = b, .len = n, .off = 0, .bad = false };
}

struct wire_span wire_rest(struct wire_rd *rd)
{
	return wire_view(rd, wire_left(rd));
}

size_t wire_left(const struct wire_rd *rd)
{
	return rd->bad ? 0 : rd->len - rd->off;
}

bool wire_ok(const struct wire_rd *rd)
{
	return !rd->bad;
}

bool wire_done(const struct wire_rd *rd)
{
	return !rd->bad && rd->off == rd->len;
}

struct wire_wr wire_wr_init(void *buf, size_t cap)
{
	if (buf == NULL)
		return (struct wire_wr){ .p = NULL, .cap = 0, .len = 0, .bad = cap > 0 };
	return (struct wire_wr){ .p = buf, .cap = cap, .len = 0, .bad = false };
}

/*
 * Room for n more bytes, appended; NULL and `bad` if they do not fit or the
 * writer is bad.  A writer over no buffer also answers NULL for n == 0, which
 * is not an error: callers only dereference the result when n > 0.
 */
static uint8_t *wire_grow(struct wire_wr *wr, size_t n)
{
	uint8_t *at;

	if (wr->bad || n > wr->cap - wr->len) {
		wr->bad = true;
		return NULL;
	}
	if (wr->p == NULL)
		return NULL;
	at = wr->p + wr->len;
	wr->len += n;
	return at;
}

void wire_put_u8(struct wire_wr *wr, uint8_t v)
{
	uint8_t *b = wire_grow(wr, 1);

	if (b)
		b[0] = v;
}

void wire_put_be16(struct wire_wr *wr, uint16_t v)
{
	uint8_t *b = wire_grow(wr, 2);

	if (b)
		wire_store_be16(b, v);
}

void wire_put_be32(struct wire_wr *wr, uint32_t v)
{
	uint8_t *b = wire_grow(wr, 4);

	if (b)
		wire_store_be32(b, v);
}

void wire_put_be64(struct wire_wr *wr, uint64_t v)
{
	uint8_t *b = wire_grow(wr, 8);

	if (b) {
		wire_store_be32(b, (uint32_t)(v >> 32));
		wire_store_be32(b + 4, (uint32_t)v);
	}
}

void wire_put_bytes(struct wire_wr *wr, const void *p, size_t n)
{
	uint8_t *b = wire_grow(wr, n);

	if (b && n > 0)
		memcpy(b, p, n);
}

void wire_put_zero(struct wire_wr *wr, size_t n)
{
	(void)wire_reserve(wr, n);
}

uint8_t *wire_reserve(struct wire_wr *wr, size_t n)
{
	uint8_t *b = wire_grow(wr, n);

	if (b && n > 0)
		memset(b, 0, n);
	return b;
}

size_t wire_mark(const struct wire_wr *wr)
{
	return wr->len;
}

/* The n written bytes at `at`, to overwrite; NULL and `bad` if they were not all written. */
static uint8_t *wire_patch_at(struct wire_wr *wr, size_t at, size_t n)
{
	if (wr->bad || at > wr->len || n > wr->len - at) {
		wr->bad = true;
		return NULL;
	}
	return wr->p + at;
}

void wire_patch_u8(struct wire_wr *wr, size_t at, uint8_t v)
{
	uint8_t *b = wire_patch_at(wr, at, 1);

	if (b)
		b[0] = v;
}

void wire_patch_be16(struct wire_wr *wr, size_t at, uint16_t v)
{
	uint8_t *b = wire_patch_at(wr, at, 2);

	if (b)
		wire_store_be16(b, v);
}

void wire_patch_be32(struct wire_wr *wr, size_t at, uint32_t v)
{
	uint8_t *b = wire_patch_at(wr, at, 4);

	if (b)
		wire_store_be32(b, v);
}

bool wire_wr_ok(const struct wire_wr *wr)
{
	return !wr->bad;
}
