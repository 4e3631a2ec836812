/*
 * ike_crypto_internal.h - what ike_crypto.c, ike_dh.c and ike_prf.c share and
 * nobody else sees: the layout of struct ike_crypto (fetched OpenSSL handles,
 * prepared group parameters) and the lookups into it.
 *
 * What it must not do: be included outside the IKE crypto module.  Public
 * callers get the opaque struct ike_crypto from ike_crypto.h.
 * Ownership: struct ike_crypto owns every handle in it; the lookups return
 * borrowed pointers that live as long as the context.
 */
#ifndef L2TPSEC_IKE_IKE_CRYPTO_INTERNAL_H
#define L2TPSEC_IKE_IKE_CRYPTO_INTERNAL_H

#include <openssl/evp.h>

#include "ike/ike_crypto.h"

/* One row per (cipher, key size) OpenSSL knows by one name. */
#define IKE_CRYPTO_CIPHER_VARIANTS 4    /* 3DES, AES-128, AES-192, AES-256 */
#define IKE_CRYPTO_HASHES 5
#define IKE_CRYPTO_GROUPS 6

struct ike_crypto {
	EVP_MAC *hmac;
	EVP_CIPHER *cipher[IKE_CRYPTO_CIPHER_VARIANTS];
	EVP_MD *md[IKE_CRYPTO_HASHES];
	EVP_PKEY *group_params[IKE_CRYPTO_GROUPS];      /* NULL for unsupported groups */
};

/* The fetched EVP_MD of a supported hash; NULL otherwise. */
const EVP_MD *ike_crypto_md(const struct ike_crypto *c, const struct ike_hash *hash);

/* The OpenSSL digest name for HMAC's "digest" parameter ("SHA1", ...); NULL if unsupported. */
const char *ike_crypto_md_name(const struct ike_hash *hash);

/* The fetched EVP_CIPHER for cipher with a key of key_len bytes; NULL if none. */
const EVP_CIPHER *ike_crypto_cipher(const struct ike_crypto *c, const struct ike_cipher *cipher,
				    size_t key_len);

/* The prepared parameters (FFC p, g or the EC curve) of a supported group; NULL otherwise. */
EVP_PKEY *ike_crypto_group_params(const struct ike_crypto *c, const struct ike_group *group);

/* The OpenSSL curve name of an ECP group ("P-256"); NULL for MODP groups. */
const char *ike_crypto_curve_name(const struct ike_group *group);

/* Builds the parameters of one supported group (ike_dh.c); NULL on failure. */
EVP_PKEY *ike_dh_params_new(const struct ike_group *group);

#endif
