/*
 * ike_crypto.c - IKEv1 algorithm tables, secret buffers, hash, PRF and CBC.
 * See ike_crypto.h.
 */
#include "config.h"

#include "ike/ike_crypto.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <string.h>

#include "ike/ike_crypto_internal.h"
#include "lib/alloc.h"

/* ------------------------------------------------------------------ verdicts */

const char *ike_crypto_verdict_name(enum ike_crypto_verdict v)
{
	switch (v) {
#define IKE_CRYPTO_VERDICT_CASE(name, text) \
	case name:                          \
		return text;
		IKE_CRYPTO_VERDICT_LIST(IKE_CRYPTO_VERDICT_CASE)
#undef IKE_CRYPTO_VERDICT_CASE
	}
	return "unknown verdict";
}

/* ------------------------------------------------------------------ secrets */

enum ike_crypto_verdict ike_secret_set(struct ike_secret *s, const void *p, size_t len)
{
	ike_secret_wipe(s);
	if (len > sizeof(s->bytes))
		return IKE_CRYPTO_BAD_LENGTH;
	if (len > 0)
		memcpy(s->bytes, p, len);
	s->len = len;
	return IKE_CRYPTO_OK;
}

void ike_secret_wipe(struct ike_secret *s)
{
	OPENSSL_cleanse(s->bytes, sizeof(s->bytes));
	s->len = 0;
}

/* ------------------------------------------------------------------ tables */

/*
 * Phase 1 ciphers.  DES is refused: 56-bit keys (RFC 2409 lists it as the
 * mandatory cipher; nobody should accept it today).
 */
static const struct ike_cipher ike_ciphers[] = {
	{ IKE_ENCR_DES_CBC, "OAKLEY_DES_CBC", false, 8, 8, 8 },
	{ IKE_ENCR_3DES_CBC, "OAKLEY_3DES_CBC", true, 24, 24, 8 },
	{ IKE_ENCR_AES_CBC, "OAKLEY_AES_CBC", true, 16, 32, 16 },
};

static const struct ike_hash ike_hashes[IKE_CRYPTO_HASHES] = {
	{ IKE_HASH_MD5, "OAKLEY_MD5", true, 16 },
	{ IKE_HASH_SHA1, "OAKLEY_SHA1", true, 20 },
	{ IKE_HASH_SHA2_256, "OAKLEY_SHA2_256", true, 32 },
	{ IKE_HASH_SHA2_384, "OAKLEY_SHA2_384", true, 48 },
	{ IKE_HASH_SHA2_512, "OAKLEY_SHA2_512", true, 64 },
};

/* OpenSSL's names, index for index with ike_hashes. */
static const char *const ike_hash_openssl_names[IKE_CRYPTO_HASHES] = {
	"MD5", "SHA1", "SHA2-256", "SHA2-384", "SHA2-512",
};

/* MODP768 is refused: far too weak (Logjam-class precomputation is practical). */
static const struct ike_group ike_groups[IKE_CRYPTO_GROUPS] = {
	{ IKE_GROUP_MODP768, "OAKLEY_GROUP_MODP768", false, IKE_GROUP_KIND_MODP, 96, 96 },
	{ IKE_GROUP_MODP1024, "OAKLEY_GROUP_MODP1024", true, IKE_GROUP_KIND_MODP, 128, 128 },
	{ IKE_GROUP_MODP1536, "OAKLEY_GROUP_MODP1536", true, IKE_GROUP_KIND_MODP, 192, 192 },
	{ IKE_GROUP_MODP2048, "OAKLEY_GROUP_MODP2048", true, IKE_GROUP_KIND_MODP, 256, 256 },
	{ IKE_GROUP_ECP256, "OAKLEY_GROUP_ECP_256", true, IKE_GROUP_KIND_ECP, 64, 32 },
	{ IKE_GROUP_ECP384, "OAKLEY_GROUP_ECP_384", true, IKE_GROUP_KIND_ECP, 96, 48 },
};

static const struct ike_esp_cipher ike_esp_ciphers[] = {
	{ IKE_ESP_DES, "ESP_DES", false, 8, 8, "cbc(des)" },
	{ IKE_ESP_3DES, "ESP_3DES", true, 24, 24, "cbc(des3_ede)" },
	{ IKE_ESP_AES, "ESP_AES", true, 16, 32, "cbc(aes)" },
};

static const struct ike_esp_auth ike_esp_auths[] = {
	{ IKE_AUTH_HMAC_MD5, "AUTH_ALGORITHM_HMAC_MD5", true, 16, 96, "hmac(md5)" },
	{ IKE_AUTH_HMAC_SHA1, "AUTH_ALGORITHM_HMAC_SHA1", true, 20, 96, "hmac(sha1)" },
	{ IKE_AUTH_HMAC_SHA2_256, "AUTH_ALGORITHM_HMAC_SHA2_256", true, 32, 128, "hmac(sha256)" },
};

/* The (cipher, key size) pairs OpenSSL has one name for. */
static const struct {
	uint16_t id;
	size_t key_len;
	const char *openssl_name;
} ike_cipher_variants[IKE_CRYPTO_CIPHER_VARIANTS] = {
	{ IKE_ENCR_3DES_CBC, 24, "DES-EDE3-CBC" },
	{ IKE_ENCR_AES_CBC, 16, "AES-128-CBC" },
	{ IKE_ENCR_AES_CBC, 24, "AES-192-CBC" },
	{ IKE_ENCR_AES_CBC, 32, "AES-256-CBC" },
};

#define IKE_CRYPTO_FIND(table, id_value)                          \
	do {                                                      \
		for (size_t i_ = 0; i_ < ARRAY_SIZE(table); i_++) \
			if ((table)[i_].id == (id_value))         \
				return &(table)[i_];              \
		return NULL;                                      \
	} while (0)

const struct ike_cipher *ike_cipher_find(uint16_t id)
{
	IKE_CRYPTO_FIND(ike_ciphers, id);
}

const struct ike_hash *ike_hash_find(uint16_t id)
{
	IKE_CRYPTO_FIND(ike_hashes, id);
}

const struct ike_group *ike_group_find(uint16_t id)
{
	IKE_CRYPTO_FIND(ike_groups, id);
}

const struct ike_esp_cipher *ike_esp_cipher_find(uint16_t id)
{
	IKE_CRYPTO_FIND(ike_esp_ciphers, id);
}

const struct ike_esp_auth *ike_esp_auth_find(uint16_t id)
{
	IKE_CRYPTO_FIND(ike_esp_auths, id);
}

/* A key of key_bits for a cipher that takes key_min..key_max bytes in 8-byte steps. */
static bool key_len_ok(size_t key_min, size_t key_max, unsigned key_bits, size_t *key_len)
{
	size_t len;

	if (key_bits == 0) {
		if (key_min != key_max)
			return false;   /* a variable-key cipher needs the attribute */
		*key_len = key_min;
		return true;
	}
	if (key_bits % 64 != 0)
		return false;
	len = key_bits / 8;
	if (len < key_min || len > key_max)
		return false;
	*key_len = len;
	return true;
}

bool ike_cipher_key_len(const struct ike_cipher *cipher, unsigned key_bits, size_t *key_len)
{
	return key_len_ok(cipher->key_min, cipher->key_max, key_bits, key_len);
}

bool ike_esp_cipher_key_len(const struct ike_esp_cipher *cipher, unsigned key_bits, size_t *key_len)
{
	return key_len_ok(cipher->key_min, cipher->key_max, key_bits, key_len);
}

/* ------------------------------------------------------------------ context */

static size_t hash_index(const struct ike_hash *hash)
{
	return (size_t)(hash - ike_hashes);
}

static size_t group_index(const struct ike_group *group)
{
	return (size_t)(group - ike_groups);
}

static bool hash_in_table(const struct ike_hash *hash)
{
	return hash >= ike_hashes && hash < ike_hashes + ARRAY_SIZE(ike_hashes);
}

static bool group_in_table(const struct ike_group *group)
{
	return group >= ike_groups && group < ike_groups + ARRAY_SIZE(ike_groups);
}

struct ike_crypto *ike_crypto_new(void)
{
	struct ike_crypto *c = alloc_zero(sizeof(*c));

	if (!c)
		return NULL;
	c->hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (!c->hmac)
		goto err;
	for (size_t i = 0; i < ARRAY_SIZE(ike_cipher_variants); i++) {
		c->cipher[i] = EVP_CIPHER_fetch(NULL, ike_cipher_variants[i].openssl_name, NULL);
		if (!c->cipher[i])
			goto err;
	}
	for (size_t i = 0; i < ARRAY_SIZE(ike_hashes); i++) {
		c->md[i] = EVP_MD_fetch(NULL, ike_hash_openssl_names[i], NULL);
		if (!c->md[i])
			goto err;
	}
	for (size_t i = 0; i < ARRAY_SIZE(ike_groups); i++) {
		if (!ike_groups[i].supported)
			continue;
		c->group_params[i] = ike_dh_params_new(&ike_groups[i]);
		if (!c->group_params[i])
			goto err;
	}
	return c;
err:
	ike_crypto_free(c);
	return NULL;
}

void ike_crypto_free(struct ike_crypto *c)
{
	if (!c)
		return;
	EVP_MAC_free(c->hmac);
	for (size_t i = 0; i < ARRAY_SIZE(c->cipher); i++)
		EVP_CIPHER_free(c->cipher[i]);
	for (size_t i = 0; i < ARRAY_SIZE(c->md); i++)
		EVP_MD_free(c->md[i]);
	for (size_t i = 0; i < ARRAY_SIZE(c->group_params); i++)
		EVP_PKEY_free(c->group_params[i]);
	alloc_free(c);
}

const EVP_MD *ike_crypto_md(const struct ike_crypto *c, const struct ike_hash *hash)
{
	if (!hash_in_table(hash) || !hash->supported)
		return NULL;
	return c->md[hash_index(hash)];
}

const char *ike_crypto_md_name(const struct ike_hash *hash)
{
	if (!hash_in_table(hash) || !hash->supported)
		return NULL;
	return ike_hash_openssl_names[hash_index(hash)];
}

const EVP_CIPHER *ike_crypto_cipher(const struct ike_crypto *c, const struct ike_cipher *cipher,
				    size_t key_len)
{
	if (!cipher->supported)
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(ike_cipher_variants); i++)
		if (ike_cipher_variants[i].id == cipher->id && ike_cipher_variants[i].key_len == key_len)
			return c->cipher[i];
	return NULL;
}

EVP_PKEY *ike_crypto_group_params(const struct ike_crypto *c, const struct ike_group *group)
{
	if (!group_in_table(group) || !group->supported)
		return NULL;
	return c->group_params[group_index(group)];
}

const char *ike_crypto_curve_name(const struct ike_group *group)
{
	switch (group->id) {
	case IKE_GROUP_ECP256:
		return "P-256";
	case IKE_GROUP_ECP384:
		return "P-384";
	default:
		return NULL;
	}
}

/* ------------------------------------------------------------------ hash and PRF */

enum ike_crypto_verdict ike_hash_compute(const struct ike_crypto *c, const struct ike_hash *hash,
					 const struct wire_span *parts, size_t nparts,
					 struct ike_digest *out)
{
	const EVP_MD *md = ike_crypto_md(c, hash);
	EVP_MD_CTX *ctx;
	unsigned int len = 0;
	bool good;

	out->len = 0;
	if (!md)
		return IKE_CRYPTO_UNSUPPORTED;
	ctx = EVP_MD_CTX_new();
	if (!ctx)
		return IKE_CRYPTO_NO_MEMORY;
	good = EVP_DigestInit_ex(ctx, md, NULL) == 1;
	for (size_t i = 0; good && i < nparts; i++)
		if (parts[i].len > 0)
			good = EVP_DigestUpdate(ctx, parts[i].p, parts[i].len) == 1;
	good = good && EVP_DigestFinal_ex(ctx, out->bytes, &len) == 1 && len == hash->output_len;
	EVP_MD_CTX_free(ctx);
	if (!good)
		return IKE_CRYPTO_LIBRARY_ERROR;
	out->len = len;
	return IKE_CRYPTO_OK;
}

enum ike_crypto_verdict ike_prf(const struct ike_crypto *c, const struct ike_hash *hash,
				const uint8_t *key, size_t key_len,
				const struct wire_span *parts, size_t nparts,
				uint8_t *out, size_t out_size)
{
	const char *md_name = ike_crypto_md_name(hash);
	OSSL_PARAM params[2];
	EVP_MAC_CTX *ctx;
	size_t len = 0;
	bool good;

	if (!md_name)
		return IKE_CRYPTO_UNSUPPORTED;
	if (out_size < hash->output_len)
		return IKE_CRYPTO_BAD_LENGTH;
	ctx = EVP_MAC_CTX_new(c->hmac);
	if (!ctx)
		return IKE_CRYPTO_NO_MEMORY;
	/* OSSL_PARAM wants a mutable pointer to a string it only reads. */
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)(uintptr_t)md_name, 0);
	params[1] = OSSL_PARAM_construct_end();
	/* A zero-length HMAC key is legal (RFC 2104); OpenSSL wants a non-NULL pointer for it. */
	good = EVP_MAC_init(ctx, key_len > 0 ? key : (const uint8_t *)"", key_len, params) == 1;
	for (size_t i = 0; good && i < nparts; i++)
		if (parts[i].len > 0)
			good = EVP_MAC_update(ctx, parts[i].p, parts[i].len) == 1;
	good = good && EVP_MAC_final(ctx, out, &len, out_size) == 1 && len == hash->output_len;
	EVP_MAC_CTX_free(ctx);
	if (!good) {
		OPENSSL_cleanse(out, out_size);
		return IKE_CRYPTO_LIBRARY_ERROR;
	}
	return IKE_CRYPTO_OK;
}

/* ------------------------------------------------------------------ CBC */

size_t ike_cbc_padded_len(const struct ike_cipher *cipher, size_t len)
{
	size_t rem = len % cipher->block_size;

	return rem == 0 ? len : len + (cipher->block_size - rem);
}

/* Runs CBC over len bytes (a block multiple) from in to out; in == out is fine. */
static enum ike_crypto_verdict cbc_run(const struct ike_crypto *c, const struct ike_cipher *cipher,
				       const struct ike_secret *key, const struct ike_iv *iv,
				       const uint8_t *in, size_t len, uint8_t *out, int encrypt)
{
	const EVP_CIPHER *evp = ike_crypto_cipher(c, cipher, key->len);
	EVP_CIPHER_CTX *ctx;
	int outl = 0, finl = 0;
	bool good;

	if (!cipher->supported)
		return IKE_CRYPTO_UNSUPPORTED;
	if (!evp || iv->len != cipher->block_size)
		return IKE_CRYPTO_BAD_LENGTH;
	if (len > (size_t)INT32_MAX)
		return IKE_CRYPTO_BAD_LENGTH;
	ctx = EVP_CIPHER_CTX_new();
	if (!ctx)
		return IKE_CRYPTO_NO_MEMORY;
	good = EVP_CipherInit_ex2(ctx, evp, key->bytes, iv->bytes, encrypt, NULL) == 1 &&
	       EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
	       EVP_CipherUpdate(ctx, out, &outl, in, (int)len) == 1 &&
	       EVP_CipherFinal_ex(ctx, out + outl, &finl) == 1 &&
	       (size_t)outl + (size_t)finl == len;
	EVP_CIPHER_CTX_free(ctx);       /* clears the key schedule */
	return good ? IKE_CRYPTO_OK : IKE_CRYPTO_LIBRARY_ERROR;
}

enum ike_crypto_verdict ike_cbc_encrypt(const struct ike_crypto *c, const struct ike_cipher *cipher,
					const struct ike_secret *key, const struct ike_iv *iv,
					uint8_t *buf, size_t len, size_t cap, size_t *out_len,
					struct ike_iv *next_iv)
{
	size_t padded = ike_cbc_padded_len(cipher, len);
	enum ike_crypto_verdict v;

	*out_len = 0;
	if (padded == 0 || padded > cap || padded < len)
		return IKE_CRYPTO_BAD_LENGTH;
	memset(buf + len, 0, padded - len);
	v = cbc_run(c, cipher, key, iv, buf, padded, buf, 1);
	if (v != IKE_CRYPTO_OK)
		return v;
	memcpy(next_iv->bytes, buf + padded - cipher->block_size, cipher->block_size);
	next_iv->len = cipher->block_size;
	*out_len = padded;
	return IKE_CRYPTO_OK;
}

enum ike_crypto_verdict ike_cbc_decrypt(const struct ike_crypto *c, const struct ike_cipher *cipher,
					const struct ike_secret *key, const struct ike_iv *iv,
					const uint8_t *in, size_t len, uint8_t *out,
					struct ike_iv *next_iv)
{
	uint8_t last[IKE_BLOCK_MAX];
	enum ike_crypto_verdict v;

	if (len == 0 || len % cipher->block_size != 0 || cipher->block_size > sizeof(last))
		return IKE_CRYPTO_BAD_LENGTH;
	/* Keep the last ciphertext block: decrypting in place overwrites it. */
	memcpy(last, in + len - cipher->block_size, cipher->block_size);
	v = cbc_run(c, cipher, key, iv, in, len, out, 0);
	if (v != IKE_CRYPTO_OK)
		return v;
	memcpy(next_iv->bytes, last, cipher->block_size);
	next_iv->len = cipher->block_size;
	return IKE_CRYPTO_OK;
}
