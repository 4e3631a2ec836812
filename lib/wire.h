/*
 * wire.h - the one bounds-checked reader and the one writer for bytes that
 * cross the network.
 *
 * struct wire_rd walks a received buffer: every getter checks the length
 * first, and a short read returns 0 (or an empty view) and sets the sticky
 * `bad` flag, so a parser is straight-line code with one wire_ok() or
 * wire_done() at the end.  A nested structure gets a sub-cursor of exactly its
 * declared length (wire_sub), and the parent checks the child was consumed.
 * struct wire_wr fills a caller's buffer of fixed capacity: an overflow writes
 * nothing and sets `bad` (the caller logs a daemon bug and drops the message),
 * and wire_mark()/wire_patch_*() back-patch lengths once they are known.
 *
 * What it must not do: allocate, log, or keep state outside the two structs.
 * Ownership: the cursors borrow the caller's buffer; a struct wire_span is a
 * view into that buffer and must not outlive it.  Once `bad` is set, every
 * further read returns 0 and every further write (and patch) does nothing.
 * Lengths are compared as `n > len - off` (off <= len always holds), never as
 * `off + n > len`, which can wrap.
 */
#ifndef L2TPSEC_LIB_WIRE_H
#define L2TPSEC_LIB_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A reader over len bytes at p; off <= len at all times. */
struct wire_rd {
	const uint8_t *p;
	size_t len;
	size_t off;
	bool bad;
};

/* A borrowed view of len bytes at p; {NULL, 0} when a read was short. */
struct wire_span {
	const uint8_t *p;
	size_t len;
};

/* A cursor over p[0..len).  (NULL, 0) is an empty cursor; NULL with len > 0 starts bad. */
struct wire_rd wire_rd_init(const void *p, size_t len);

/* Big-endian integers; 0 and `bad` if fewer bytes are left than the integer needs. */
uint8_t wire_u8(struct wire_rd *rd);
uint16_t wire_be16(struct wire_rd *rd);
uint32_t wire_be32(struct wire_rd *rd);
uint64_t wire_be64(struct wire_rd *rd);

/* Copies n bytes into dst and returns true; if short, zero-fills dst, sets `bad`, returns false. */
bool wire_bytes(struct wire_rd *rd, void *dst, size_t n);

/* A view of the next n bytes, consumed; {NULL, 0} and `bad` if short. */
struct wire_span wire_view(struct wire_rd *rd, size_t n);

/* Consumes n bytes without looking at them; `bad` if short. */
void wire_skip(struct wire_rd *rd, size_t n);

/*
 * A child cursor over exactly the next n bytes; the parent advances past them.
 * If fewer than n are left, both the parent and the (empty) child are bad.
 */
struct wire_rd wire_sub(struct wire_rd *rd, size_t n);

/* A view of everything left, which is consumed; {NULL, 0} if already bad. */
struct wire_span wire_rest(struct wire_rd *rd);

/* Bytes left to read; 0 once bad. */
size_t wire_left(const struct wire_rd *rd);

/* No short read so far. */
bool wire_ok(const struct wire_rd *rd);

/* No short read and nothing left over: the structure was exactly its length. */
bool wire_done(const struct wire_rd *rd);

/* A writer into buf[0..cap); len bytes written so far. */
struct wire_wr {
	uint8_t *p;
	size_t cap;
	size_t len;
	bool bad;
};

/* A writer over cap bytes at buf.  (NULL, 0) is a writer every non-empty write overflows. */
struct wire_wr wire_wr_init(void *buf, size_t cap);

/* Appenders, big-endian; an overflow writes nothing and sets `bad`. */
void wire_put_u8(struct wire_wr *wr, uint8_t v);
void wire_put_be16(struct wire_wr *wr, uint16_t v);
void wire_put_be32(struct wire_wr *wr, uint32_t v);
void wire_put_be64(struct wire_wr *wr, uint64_t v);
void wire_put_bytes(struct wire_wr *wr, const void *p, size_t n);
void wire_put_zero(struct wire_wr *wr, size_t n);

/*
 * Appends n zero bytes and returns them for the caller to fill (a digest, a
 * padded field); NULL and `bad` on overflow.  The pointer is valid until the
 * buffer goes away.  A zero-byte reservation returns where the next byte
 * would go, which is NULL only for a writer over no buffer.
 */
uint8_t *wire_reserve(struct wire_wr *wr, size_t n);

/* The current length, to back-patch a field written at this offset later. */
size_t wire_mark(const struct wire_wr *wr);

/*
 * Overwrite already-written bytes at offset `at` (from wire_mark()).  Patching
 * past what was written sets `bad`.  wire_patch_u8 serves fields such as
 * ISAKMP's next-payload byte, known only once the next payload is chosen.
 */
void wire_patch_u8(struct wire_wr *wr, size_t at, uint8_t v);
void wire_patch_be16(struct wire_wr *wr, size_t at, uint16_t v);
void wire_patch_be32(struct wire_wr *wr, size_t at, uint32_t v);

/* No overflow and no bad patch so far. */
bool wire_wr_ok(const struct wire_wr *wr);

#endif
