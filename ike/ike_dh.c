/*
 * ike_dh.c - IKEv1 Diffie-Hellman over OpenSSL 3 EVP_PKEY.  See ike_dh.h.
 */
#include "config.h"

#include "ike/ike_dh.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/dh.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/params.h>
#include <string.h>

#include "ike/ike_crypto_internal.h"
#include "lib/alloc.h"

struct ike_dh {
	const struct ike_group *group;
	EVP_PKEY *key;                          /* ours, private part included */
	uint8_t public_value[IKE_DH_PUBLIC_MAX];
};

/* ------------------------------------------------------------------ group parameters */

/* The modulus of a MODP group (RFC 2409 §6.2, RFC 3526 §2, §3); NULL on failure. */
static BIGNUM *modp_prime(const struct ike_group *group)
{
	switch (group->id) {
	case IKE_GROUP_MODP1024:
		return BN_get_rfc2409_prime_1024(NULL);
	case IKE_GROUP_MODP1536:
		return BN_get_rfc3526_prime_1536(NULL);
	case IKE_GROUP_MODP2048:
		return BN_get_rfc3526_prime_2048(NULL);
	default:
		return NULL;
	}
}

/* An EVP_PKEY of type "DH" or "EC" built from params (selection as EVP_PKEY_fromdata()). */
static EVP_PKEY *pkey_fromdata(const char *type, int selection, OSSL_PARAM *params)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	EVP_PKEY *pkey = NULL;

	if (ctx && EVP_PKEY_fromdata_init(ctx) == 1)
		if (EVP_PKEY_fromdata(ctx, &pkey, selection, params) != 1)
			pkey = NULL;
	EVP_PKEY_CTX_free(ctx);
	return pkey;
}

/*
 * Builds the parameters of a MODP group from p and g = 2, plus the private
 * value (and its public value) when priv is not NULL.
 */
static EVP_PKEY *modp_key_new(const struct ike_group *group, const BIGNUM *priv)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	BIGNUM *p = modp_prime(group), *g = BN_new(), *pub = NULL;
	BN_CTX *bnctx = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY *pkey = NULL;
	int selection = EVP_PKEY_KEY_PARAMETERS;

	if (!bld || !p || !g || BN_set_word(g, 2) != 1)
		goto out;
	if (OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_P, p) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_G, g) != 1)
		goto out;
	if (priv) {
		bnctx = BN_CTX_secure_new();
		pub = BN_new();
		if (!bnctx || !pub || BN_mod_exp(pub, g, priv, p, bnctx) != 1)
			goto out;
		if (OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv) != 1 ||
		    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, pub) != 1)
			goto out;
		selection = EVP_PKEY_KEYPAIR;
	}
	params = OSSL_PARAM_BLD_to_param(bld);
	if (params)
		pkey = pkey_fromdata("DH", selection, params);
out:
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_CTX_free(bnctx);
	BN_free(pub);
	BN_free(g);
	BN_free(p);
	return pkey;
}

/* The uncompressed point priv * G of curve nid, into out (1 + 2 * field size bytes). */
static bool ecp_public_from_private(int nid, const BIGNUM *priv, uint8_t *out, size_t out_len)
{
	EC_GROUP *curve = EC_GROUP_new_by_curve_name(nid);
	EC_POINT *point = curve ? EC_POINT_new(curve) : NULL;
	bool good = point && EC_POINT_mul(curve, point, priv, NULL, NULL, NULL) == 1 &&
		    EC_POINT_point2oct(curve, point, POINT_CONVERSION_UNCOMPRESSED, out, out_len,
				       NULL) == out_len;

	EC_POINT_free(point);
	EC_GROUP_free(curve);
	return good;
}

/* The curve of an ECP group as parameters, or with the private value priv (and its point). */
static EVP_PKEY *ecp_key_new(const struct ike_group *group, const BIGNUM *priv)
{
	const char *curve = ike_crypto_curve_name(group);
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	uint8_t point[1 + IKE_DH_PUBLIC_MAX];
	size_t point_len = 1 + group->public_len;
	OSSL_PARAM *params = NULL;
	EVP_PKEY *pkey = NULL;
	int selection = EVP_PKEY_KEY_PARAMETERS;

	if (!bld || !curve || point_len > sizeof(point))
		goto out;
	if (OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, curve, 0) != 1)
		goto out;
	if (priv) {
		int nid = group->id == IKE_GROUP_ECP256 ? NID_X9_62_prime256v1 : NID_secp384r1;

		if (!ecp_public_from_private(nid, priv, point, point_len))
			goto out;
		if (OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv) != 1 ||
		    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, point_len) != 1)
			goto out;
		selection = EVP_PKEY_KEYPAIR;
	}
	params = OSSL_PARAM_BLD_to_param(bld);
	if (params)
		pkey = pkey_fromdata("EC", selection, params);
out:
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	return pkey;
}

/*
 * The private exponent length to ask for, 0 for OpenSSL's choice.  OpenSSL
 * knows the RFC 3526 groups by their p and g and draws exponents of twice the
 * group's strength (1536: 200 bits, 2048: 225 bits).  It does not know RFC
 * 2409 group 2, so it would draw a full 1023-bit exponent.  Twice its 80-bit
 * strength is 160 bits (RFC 3526 §8).  p is a safe prime, so the short
 * exponent loses nothing, and the exponentiation does 160 squarings, not 1023.
 */
static int modp_private_bits(const struct ike_group *group)
{
	return group->id == IKE_GROUP_MODP1024 ? 160 : 0;
}

EVP_PKEY *ike_dh_params_new(const struct ike_group *group)
{
	if (!group->supported)
		return NULL;
	return group->kind == IKE_GROUP_KIND_MODP ? modp_key_new(group, NULL) : ecp_key_new(group, NULL);
}

/* ------------------------------------------------------------------ key pairs */

/* Fills dh->public_value from dh->key; false on failure. */
static bool dh_export_public(struct ike_dh *dh)
{
	const struct ike_group *group = dh->group;

	if (group->kind == IKE_GROUP_KIND_MODP) {
		BIGNUM *pub = NULL;
		bool good = EVP_PKEY_get_bn_param(dh->key, OSSL_PKEY_PARAM_PUB_KEY, &pub) == 1 &&
			    BN_bn2binpad(pub, dh->public_value, (int)group->public_len) ==
				    (int)group->public_len;

		BN_free(pub);
		return good;
	} else {
		uint8_t point[1 + IKE_DH_PUBLIC_MAX];
		size_t len = 0;

		if (EVP_PKEY_get_octet_string_param(dh->key, OSSL_PKEY_PARAM_PUB_KEY, point,
						    sizeof(point), &len) != 1)
			return false;
		/* Uncompressed SEC 1 point: 0x04 || x || y; IKE carries x || y (RFC 5903 §7). */
		if (len != 1 + group->public_len || point[0] != POINT_CONVERSION_UNCOMPRESSED)
			return false;
		memcpy(dh->public_value, point + 1, group->public_len);
		return true;
	}
}

/* Takes ownership of key. */
static struct ike_dh *dh_wrap(const struct ike_group *group, EVP_PKEY *key)
{
	struct ike_dh *dh;

	if (!key)
		return NULL;
	dh = alloc_zero(sizeof(*dh));
	if (!dh) {
		EVP_PKEY_free(key);
		return NULL;
	}
	dh->group = group;
	dh->key = key;
	if (!dh_export_public(dh)) {
		ike_dh_free(dh);
		return NULL;
	}
	return dh;
}

struct ike_dh *ike_dh_new(const struct ike_crypto *c, const struct ike_group *group)
{
	EVP_PKEY *params = ike_crypto_group_params(c, group);
	EVP_PKEY_CTX *ctx;
	EVP_PKEY *key = NULL;

	if (!params || group->public_len > IKE_DH_PUBLIC_MAX)
		return NULL;
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, params, NULL);
	if (!ctx || EVP_PKEY_keygen_init(ctx) != 1)
		goto out;
	if (group->kind == IKE_GROUP_KIND_MODP && modp_private_bits(group) > 0) {
		int bits = modp_private_bits(group);
		OSSL_PARAM set[2] = {
			OSSL_PARAM_construct_int(OSSL_PKEY_PARAM_DH_PRIV_LEN, &bits),
			OSSL_PARAM_construct_end(),
		};

		if (EVP_PKEY_CTX_set_params(ctx, set) != 1)
			goto out;
	}
	if (EVP_PKEY_generate(ctx, &key) != 1)
		key = NULL;
out:
	EVP_PKEY_CTX_free(ctx);
	if (!key)
		ERR_clear_error();
	return dh_wrap(group, key);
}

struct ike_dh *ike_dh_new_from_private(const struct ike_crypto *c, const struct ike_group *group,
				       const uint8_t *priv, size_t priv_len)
{
	BIGNUM *x;
	EVP_PKEY *key;

	if (!ike_crypto_group_params(c, group) || priv_len == 0 || priv_len > IKE_SECRET_MAX)
		return NULL;
	x = BN_secure_new();
	if (!x || !BN_bin2bn(priv, (int)priv_len, x) || BN_is_zero(x)) {
		BN_clear_free(x);
		return NULL;
	}
	key = group->kind == IKE_GROUP_KIND_MODP ? modp_key_new(group, x) : ecp_key_new(group, x);
	BN_clear_free(x);
	if (!key)
		ERR_clear_error();
	return dh_wrap(group, key);
}

void ike_dh_free(struct ike_dh *dh)
{
	if (!dh)
		return;
	EVP_PKEY_free(dh->key);
	alloc_free(dh);
}

const struct ike_group *ike_dh_group(const struct ike_dh *dh)
{
	return dh->group;
}

struct wire_span ike_dh_public(const struct ike_dh *dh)
{
	return (struct wire_span){ dh->public_value, dh->group->public_len };
}

/* ------------------------------------------------------------------ shared secret */

/* 1 < y < p-1 for the len-byte big-endian y and the group's p (len is the modulus length). */
static enum ike_crypto_verdict modp_check_range(const struct ike_dh *dh, const uint8_t *y, size_t len)
{
	uint8_t p_minus_1[IKE_DH_PUBLIC_MAX];
	BIGNUM *p = modp_prime(dh->group);
	size_t i;
	bool good;

	good = p && BN_sub_word(p, 1) == 1 && BN_bn2binpad(p, p_minus_1, (int)len) == (int)len;
	BN_free(p);
	if (!good)
		return IKE_CRYPTO_LIBRARY_ERROR;
	if (memcmp(y, p_minus_1, len) >= 0)
		return IKE_CRYPTO_BAD_PUBLIC_VALUE;
	for (i = 0; i + 1 < len && y[i] == 0; i++)
		;
	if (i + 1 == len && y[i] <= 1)
		return IKE_CRYPTO_BAD_PUBLIC_VALUE;
	return IKE_CRYPTO_OK;
}

/* The peer's public value as an EVP_PKEY of our group; BAD_PUBLIC_VALUE if OpenSSL refuses it. */
static enum ike_crypto_verdict peer_key_new(const struct ike_dh *dh, const uint8_t *peer, size_t len,
					    EVP_PKEY **out)
{
	uint8_t point[1 + IKE_DH_PUBLIC_MAX];
	const uint8_t *encoded = peer;
	size_t encoded_len = len;
	EVP_PKEY *key = EVP_PKEY_new();
	EVP_PKEY_CTX *check = NULL;
	enum ike_crypto_verdict v = IKE_CRYPTO_LIBRARY_ERROR;

	*out = NULL;
	if (!key)
		return IKE_CRYPTO_NO_MEMORY;
	if (dh->group->kind == IKE_GROUP_KIND_ECP) {
		point[0] = POINT_CONVERSION_UNCOMPRESSED;
		memcpy(point + 1, peer, len);
		encoded = point;
		encoded_len = 1 + len;
	}
	if (EVP_PKEY_copy_parameters(key, dh->key) != 1)
		goto out;
	/* For EC this decodes the point and refuses one that is not on the curve. */
	if (EVP_PKEY_set1_encoded_public_key(key, encoded, encoded_len) != 1) {
		v = IKE_CRYPTO_BAD_PUBLIC_VALUE;
		goto out;
	}
	check = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
	if (!check)
		goto out;
	/* On the curve and not infinity (EC); 1 < y < p-1 again (DH). */
	if (EVP_PKEY_public_check_quick(check) != 1) {
		v = IKE_CRYPTO_BAD_PUBLIC_VALUE;
		goto out;
	}
	*out = key;
	key = NULL;
	v = IKE_CRYPTO_OK;
out:
	EVP_PKEY_CTX_free(check);
	EVP_PKEY_free(key);
	return v;
}

enum ike_crypto_verdict ike_dh_compute(const struct ike_dh *dh, const uint8_t *peer, size_t peer_len,
				       struct ike_secret *g_xy)
{
	const struct ike_group *group = dh->group;
	EVP_PKEY *peer_key = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	size_t len = 0;
	enum ike_crypto_verdict v;

	ike_secret_wipe(g_xy);
	if (peer_len != group->public_len || !peer)
		return IKE_CRYPTO_BAD_LENGTH;
	if (group->secret_len > sizeof(g_xy->bytes))
		return IKE_CRYPTO_LIBRARY_ERROR;
	if (group->kind == IKE_GROUP_KIND_MODP) {
		v = modp_check_range(dh, peer, peer_len);
		if (v != IKE_CRYPTO_OK)
			goto out;
	}
	v = peer_key_new(dh, peer, peer_len, &peer_key);
	if (v != IKE_CRYPTO_OK)
		goto out;
	v = IKE_CRYPTO_LIBRARY_ERROR;
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, dh->key, NULL);
	if (!ctx || EVP_PKEY_derive_init(ctx) != 1)
		goto out;
	/* g^xy keeps its leading zero octets: RFC 2409 hashes the full modulus length. */
	if (group->kind == IKE_GROUP_KIND_MODP && EVP_PKEY_CTX_set_dh_pad(ctx, 1) != 1)
		goto out;
	/* Checked above; OpenSSL's full check would cost a second exponentiation. */
	if (EVP_PKEY_derive_set_peer_ex(ctx, peer_key, 0) != 1)
		goto out;
	len = sizeof(g_xy->bytes);
	if (EVP_PKEY_derive(ctx, g_xy->bytes, &len) != 1 || len != group->secret_len)
		goto out;
	g_xy->len = len;
	v = IKE_CRYPTO_OK;
out:
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(peer_key);
	if (v != IKE_CRYPTO_OK) {
		ike_secret_wipe(g_xy);
		ERR_clear_error();
	}
	return v;
}
