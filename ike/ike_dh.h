/*
 * ike_dh.h - the IKEv1 Diffie-Hellman exchange: make our key pair and KE
 * data for a group, then compute g^xy from the peer's KE data.
 *
 * MODP groups: 2 from RFC 2409 §6.2, 5 and 14 from RFC 3526.  Each is built
 * once from p and g into struct ike_crypto.  KE data is g^x left-padded to
 * the modulus length, as RFC 2409 §5 requires.  g^xy is also left-padded to
 * the modulus length.  ECP groups 19 and 20 follow RFC 5903 §7, the way IKEv1
 * uses them (RFC 4753 erratum): KE data is x || y, each coordinate the field
 * size, with no 0x04 prefix; g^xy is the x coordinate alone.
 * The peer's value is checked before use.  For MODP: exactly the modulus
 * length, and 1 < y < p-1.  The groups use safe primes, so a value in that
 * range leaks at most one bit of a private key that is used once.  For ECP:
 * exactly x || y long, and the point must be on the curve.
 *
 * This is the work that the worker threads do.  ike_dh_new() and
 * ike_dh_compute() touch nothing but their arguments and the read-only
 * struct ike_crypto, so any thread may call them.  A struct ike_dh is used by
 * one thread at a time.
 *
 * What it must not do: log, or hand the private key out; it never leaves
 * OpenSSL's key object, which OpenSSL clears when the key is freed.
 * Ownership: the caller owns the struct ike_dh and the struct ike_secret that
 * receives g^xy (and wipes it).  The struct ike_crypto must outlive every
 * struct ike_dh made from it.
 */
#ifndef L2TPSEC_IKE_IKE_DH_H
#define L2TPSEC_IKE_IKE_DH_H

#include <stddef.h>
#include <stdint.h>

#include "ike/ike_crypto.h"
#include "lib/util.h"
#include "lib/wire.h"

#define IKE_DH_PUBLIC_MAX 256   /* MODP2048 */

struct ike_dh;

/* A fresh key pair for a supported group; NULL if the group is unsupported or on failure. */
struct ike_dh *ike_dh_new(const struct ike_crypto *c, const struct ike_group *group) WARN_UNUSED;

/*
 * The key pair of a given private value (big-endian), for known-answer tests
 * (RFC 5903 §8); NULL if the value is out of range or on failure.
 */
struct ike_dh *ike_dh_new_from_private(const struct ike_crypto *c, const struct ike_group *group,
				       const uint8_t *priv, size_t priv_len) WARN_UNUSED;

/* Frees the key pair (OpenSSL clears the private key); NULL is a no-op. */
void ike_dh_free(struct ike_dh *dh);

const struct ike_group *ike_dh_group(const struct ike_dh *dh);

/* Our KE payload data: group->public_len bytes, valid until ike_dh_free(). */
struct wire_span ike_dh_public(const struct ike_dh *dh);

/*
 * g^xy from the peer's KE data into *g_xy (group->secret_len bytes).
 * BAD_LENGTH if peer_len is not group->public_len; BAD_PUBLIC_VALUE if the
 * value fails the checks above.  On any failure *g_xy is wiped.
 */
enum ike_crypto_verdict ike_dh_compute(const struct ike_dh *dh, const uint8_t *peer, size_t peer_len,
				       struct ike_secret *g_xy) WARN_UNUSED;

#endif
