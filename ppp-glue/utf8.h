/*
 * utf8.h - strict UTF-8 decoding, one code point at a time.
 *
 * The users file's names and the passwords hashed for it are UTF-8; both are
 * checked here so that a stray Latin-1 byte is an error with a reason, not a
 * name no client can type or a hash of the wrong bytes.  Strict means RFC 3629:
 * no overlong forms, no surrogates (U+D800..U+DFFF), nothing above U+10FFFF.
 *
 * What it must not do: allocate, log, or accept anything RFC 3629 refuses.
 * Ownership: it only reads the caller's bytes.
 */
#ifndef L2TPSEC_PPP_GLUE_UTF8_H
#define L2TPSEC_PPP_GLUE_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Decodes the code point starting at p[0] (len > 0 bytes available) into
 * *code_point and returns how many bytes it took (1..4); 0 if the bytes there
 * are not a well-formed UTF-8 sequence (*code_point is then 0).
 */
size_t utf8_decode(const uint8_t *p, size_t len, uint32_t *code_point);

/* True if all len bytes at p are well-formed UTF-8 (an empty string is). */
bool utf8_valid(const uint8_t *p, size_t len);

#endif
