/*
 * ike_crypto.h - IKEv1 algorithm tables, secret buffers, and the basic
 * operations on them: hash, PRF (HMAC over the negotiated hash) and CBC
 * encryption of message bodies.
 *
 * The tables are keyed by IKEv1 attribute values.  Phase 1 values come from
 * RFC 2409 Appendix A: Encryption Algorithm, Hash Algorithm, Group
 * Description.  ESP values come from RFC 2407 §4.4.4 and §4.5 and RFC 4868:
 * ESP transform ID and Authentication Algorithm.  Each entry gives the sizes,
 * a name for logs spelled the way Openswan does (OAKLEY_3DES_CBC,
 * OAKLEY_SHA1, OAKLEY_GROUP_MODP1024), and the OpenSSL algorithm it maps to.
 * Some entries are known by name only (DES, MODP768): they have
 * `supported == false` and every operation refuses them.
 * struct ike_crypto is the process-wide context.  It holds the fetched OpenSSL
 * algorithm handles (EVP_CIPHER, EVP_MD, HMAC) and one prepared
 * Diffie-Hellman parameter object per group (see ike_dh.h), so no operation
 * fetches an algorithm.  Phase 1 and 2 derivations are in ike_prf.h.
 * Diffie-Hellman is in ike_dh.h.
 *
 * Secrets are key material: SKEYID*, g^xy, derived keys, KEYMAT, PSK copies.
 * Each one lives in its own struct ike_secret.  The owner wipes it with
 * ike_secret_wipe() before freeing it or reusing it for something else.  The
 * functions here wipe their own temporary copies on every return path.
 *
 * What it must not do: log (nothing here ever prints a secret, or anything
 * else), abort on peer input, or keep mutable global state.  Bad lengths and
 * OpenSSL failures come back as a verdict.
 * Ownership: the caller owns every struct passed in; views (struct wire_span)
 * are only read during the call.  A struct ike_crypto is made once per
 * process and only read after that, so any number of threads may use it at
 * once (the DH worker threads do).
 */
#ifndef L2TPSEC_IKE_IKE_CRYPTO_H
#define L2TPSEC_IKE_IKE_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/util.h"
#include "lib/wire.h"

/* ------------------------------------------------------------------ verdicts */

#define IKE_CRYPTO_VERDICT_LIST(X)                                                       \
	X(IKE_CRYPTO_OK, "ok")                                                           \
	X(IKE_CRYPTO_BAD_LENGTH, "bad length")         /* KE data, ciphertext, key size */ \
	X(IKE_CRYPTO_BAD_PUBLIC_VALUE, "bad public value") /* DH value out of range / off curve */ \
	X(IKE_CRYPTO_UNSUPPORTED, "unsupported algorithm")                               \
	X(IKE_CRYPTO_NO_MEMORY, "out of memory")                                         \
	X(IKE_CRYPTO_LIBRARY_ERROR, "crypto library error")

/*
 * What an operation says.  A caller answering a peer maps BAD_LENGTH for
 * KE data to INVALID-KEY-INFORMATION (or PAYLOAD-MALFORMED), and
 * BAD_PUBLIC_VALUE to INVALID-KEY-INFORMATION.  LIBRARY_ERROR and
 * NO_MEMORY are our own failures, not the peer's.
 */
enum ike_crypto_verdict {
#define IKE_CRYPTO_VERDICT_ENUM(name, text) name,
	IKE_CRYPTO_VERDICT_LIST(IKE_CRYPTO_VERDICT_ENUM)
#undef IKE_CRYPTO_VERDICT_ENUM
};

/* "ok", "bad length", ...; never NULL. */
const char *ike_crypto_verdict_name(enum ike_crypto_verdict v);

/* ------------------------------------------------------------------ sizes and buffers */

#define IKE_COOKIE_LEN 8
#define IKE_DIGEST_MAX 64       /* SHA2-512 */
#define IKE_BLOCK_MAX 16        /* AES */
#define IKE_SECRET_MAX 512      /* g^xy up to MODP4096; also a PSK copy */

/* A secret with its own buffer: wipe it with ike_secret_wipe() when done. */
struct ike_secret {
	size_t len;
	uint8_t bytes[IKE_SECRET_MAX];
};

/* A hash or PRF output that goes on the wire (HASH_I, HASH(1), NAT-D): not secret. */
struct ike_digest {
	size_t len;
	uint8_t bytes[IKE_DIGEST_MAX];
};

/* A CBC initialisation vector: one cipher block. */
struct ike_iv {
	size_t len;
	uint8_t bytes[IKE_BLOCK_MAX];
};

/* Copies len bytes into s (wiping what it held); BAD_LENGTH if len > IKE_SECRET_MAX. */
enum ike_crypto_verdict ike_secret_set(struct ike_secret *s, const void *p, size_t len) WARN_UNUSED;

/* Wipes the whole buffer (OPENSSL_cleanse) and sets len to 0. */
void ike_secret_wipe(struct ike_secret *s);

/* ------------------------------------------------------------------ algorithm tables */

/* RFC 2409 Appendix A, Encryption Algorithm (attribute class 1). */
#define IKE_ENCR_LIST(X)                                                                 \
	X(IKE_ENCR_DES_CBC, 1, "OAKLEY_DES_CBC")                                         \
	X(IKE_ENCR_3DES_CBC, 5, "OAKLEY_3DES_CBC")                                       \
	X(IKE_ENCR_AES_CBC, 7, "OAKLEY_AES_CBC")

/* RFC 2409 Appendix A, Hash Algorithm (class 2); 4-6 from the IANA registry (RFC 4868). */
#define IKE_HASH_LIST(X)                                                                 \
	X(IKE_HASH_MD5, 1, "OAKLEY_MD5")                                                 \
	X(IKE_HASH_SHA1, 2, "OAKLEY_SHA1")                                               \
	X(IKE_HASH_SHA2_256, 4, "OAKLEY_SHA2_256")                                       \
	X(IKE_HASH_SHA2_384, 5, "OAKLEY_SHA2_384")                                       \
	X(IKE_HASH_SHA2_512, 6, "OAKLEY_SHA2_512")

/* Group Description (class 4): RFC 2409 §6, RFC 3526, RFC 5903. */
#define IKE_GROUP_LIST(X)                                                                \
	X(IKE_GROUP_MODP768, 1, "OAKLEY_GROUP_MODP768")                                  \
	X(IKE_GROUP_MODP1024, 2, "OAKLEY_GROUP_MODP1024")                                \
	X(IKE_GROUP_MODP1536, 5, "OAKLEY_GROUP_MODP1536")                                \
	X(IKE_GROUP_MODP2048, 14, "OAKLEY_GROUP_MODP2048")                               \
	X(IKE_GROUP_ECP256, 19, "OAKLEY_GROUP_ECP_256")                                  \
	X(IKE_GROUP_ECP384, 20, "OAKLEY_GROUP_ECP_384")

/* IPsec DOI ESP transform IDs (RFC 2407 §4.4.4; AES: RFC 3602). */
#define IKE_ESP_ENCR_LIST(X)                                                             \
	X(IKE_ESP_DES, 2, "ESP_DES")                                                     \
	X(IKE_ESP_3DES, 3, "ESP_3DES")                                                   \
	X(IKE_ESP_AES, 12, "ESP_AES")

/* IPsec DOI Authentication Algorithm attribute (RFC 2407 §4.5; SHA2: RFC 4868). */
#define IKE_ESP_AUTH_LIST(X)                                                             \
	X(IKE_AUTH_HMAC_MD5, 1, "AUTH_ALGORITHM_HMAC_MD5")                               \
	X(IKE_AUTH_HMAC_SHA1, 2, "AUTH_ALGORITHM_HMAC_SHA1")                             \
	X(IKE_AUTH_HMAC_SHA2_256, 5, "AUTH_ALGORITHM_HMAC_SHA2_256")

#define IKE_CRYPTO_ID_ENUM(name, value, text) name = value,
enum ike_encr_id { IKE_ENCR_LIST(IKE_CRYPTO_ID_ENUM) };
enum ike_hash_id { IKE_HASH_LIST(IKE_CRYPTO_ID_ENUM) };
enum ike_group_id { IKE_GROUP_LIST(IKE_CRYPTO_ID_ENUM) };
enum ike_esp_encr_id { IKE_ESP_ENCR_LIST(IKE_CRYPTO_ID_ENUM) };
enum ike_esp_auth_id { IKE_ESP_AUTH_LIST(IKE_CRYPTO_ID_ENUM) };
#undef IKE_CRYPTO_ID_ENUM

/* Protocol ID of ESP in the IPsec DOI (RFC 2407 §4.4.1), the "protocol" octet of KEYMAT. */
#define IKE_PROTO_IPSEC_ESP 3

/*
 * A phase 1 cipher.  Key sizes are in bytes.  A variable-key cipher (AES)
 * takes the Key Length attribute; a fixed one (3DES) has key_min == key_max.
 */
struct ike_cipher {
	uint16_t id;
	const char *name;
	bool supported;
	size_t key_min;
	size_t key_max;
	size_t block_size;
};

/* A phase 1 hash: the PRF is HMAC over it (RFC 2409 §4). */
struct ike_hash {
	uint16_t id;
	const char *name;
	bool supported;
	size_t output_len;
};

enum ike_group_kind {
	IKE_GROUP_KIND_MODP,
	IKE_GROUP_KIND_ECP,
};

/*
 * A Diffie-Hellman group.  public_len is the KE payload data length: the
 * modulus length for MODP, x || y (two field-size coordinates, no 0x04
 * prefix) for ECP, RFC 5903 §7.  secret_len is the g^xy length: the modulus
 * length (left-padded), or the x coordinate alone for ECP.
 */
struct ike_group {
	uint16_t id;
	const char *name;
	bool supported;
	enum ike_group_kind kind;
	size_t public_len;
	size_t secret_len;
};

/* An ESP cipher, for the kernel (xfrm_name as the kernel spells it). */
struct ike_esp_cipher {
	uint16_t id;
	const char *name;
	bool supported;
	size_t key_min;
	size_t key_max;
	const char *xfrm_name;
};

/* An ESP integrity algorithm: key_len bytes of KEYMAT, ICV truncated to trunc_bits. */
struct ike_esp_auth {
	uint16_t id;
	const char *name;
	bool supported;
	size_t key_len;
	unsigned trunc_bits;
	const char *xfrm_name;
};

/* The entry for an attribute value, NULL if the value is unknown (supported or not). */
const struct ike_cipher *ike_cipher_find(uint16_t id);
const struct ike_hash *ike_hash_find(uint16_t id);
const struct ike_group *ike_group_find(uint16_t id);
const struct ike_esp_cipher *ike_esp_cipher_find(uint16_t id);
const struct ike_esp_auth *ike_esp_auth_find(uint16_t id);

/*
 * Whether key_bits (a Key Length attribute, in bits; 0 if absent) is valid
 * for cipher; stores the key size in bytes in *key_len.  An absent attribute
 * means the fixed size (3DES); AES requires it (RFC 3602 §5).
 */
bool ike_cipher_key_len(const struct ike_cipher *cipher, unsigned key_bits, size_t *key_len);
bool ike_esp_cipher_key_len(const struct ike_esp_cipher *cipher, unsigned key_bits, size_t *key_len);

/* ------------------------------------------------------------------ the context */

struct ike_crypto;

/*
 * Fetches every supported algorithm and prepares every supported group; NULL if
 * OpenSSL lacks any of them or memory runs out.
 */
struct ike_crypto *ike_crypto_new(void) WARN_UNUSED;

/* NULL is a no-op.  No struct ike_dh made from it may outlive it. */
void ike_crypto_free(struct ike_crypto *c);

/* ------------------------------------------------------------------ hash and PRF */

/* hash(parts[0] | parts[1] | ...) into out (hash->output_len bytes). */
enum ike_crypto_verdict ike_hash_compute(const struct ike_crypto *c, const struct ike_hash *hash,
					 const struct wire_span *parts, size_t nparts,
					 struct ike_digest *out) WARN_UNUSED;

/*
 * prf(key, parts[0] | parts[1] | ...) = HMAC-hash; writes hash->output_len
 * bytes to out, which has room for out_size (BAD_LENGTH if too small).
 */
enum ike_crypto_verdict ike_prf(const struct ike_crypto *c, const struct ike_hash *hash,
				const uint8_t *key, size_t key_len,
				const struct wire_span *parts, size_t nparts,
				uint8_t *out, size_t out_size) WARN_UNUSED;

/* ------------------------------------------------------------------ CBC message bodies */

/*
 * What an encrypted body of len bytes grows to: len rounded up to the block
 * size.  An aligned len gets no padding.
 */
size_t ike_cbc_padded_len(const struct ike_cipher *cipher, size_t len);

/*
 * Encrypts in place the len bytes of plaintext at buf (the message after the
 * ISAKMP header).  First it pads them with zero octets up to
 * ike_cbc_padded_len() (RFC 2409 Appendix B; the same as Openswan and
 * libreswan).  cap is the buffer's room: BAD_LENGTH if the padded body does
 * not fit.  *out_len is the ciphertext length.  *next_iv is its last block,
 * the IV of the next message in this chain; it may be iv itself.  key->len
 * picks the key size (BAD_LENGTH if the cipher has no such size).
 */
enum ike_crypto_verdict ike_cbc_encrypt(const struct ike_crypto *c, const struct ike_cipher *cipher,
					const struct ike_secret *key, const struct ike_iv *iv,
					uint8_t *buf, size_t len, size_t cap, size_t *out_len,
					struct ike_iv *next_iv) WARN_UNUSED;

/*
 * Decrypts len bytes from in to out (the same buffer, or another of len
 * bytes).  len must be a non-zero multiple of the block size, or the result
 * is BAD_LENGTH.  The plaintext keeps the peer's padding, whatever it holds:
 * the payload chain ends it.  *next_iv is the last ciphertext block.  It may
 * be iv itself, but a caller should commit it only once the message has
 * checked out, so that a forged or duplicate packet does not move the chain.
 */
enum ike_crypto_verdict ike_cbc_decrypt(const struct ike_crypto *c, const struct ike_cipher *cipher,
					const struct ike_secret *key, const struct ike_iv *iv,
					const uint8_t *in, size_t len, uint8_t *out,
					struct ike_iv *next_iv) WARN_UNUSED;

#endif
