/*
 * ike_prf.c - IKEv1 key derivation, authentication hashes, IVs, KEYMAT and
 * NAT-D.  See ike_prf.h.
 */
#include "config.h"

#include "ike/ike_prf.h"

#include <openssl/crypto.h>
#include <string.h>

static const uint8_t octet_0 = 0, octet_1 = 1, octet_2 = 2;

#define SPAN(ptr, n) ((struct wire_span){ (const uint8_t *)(ptr), (n) })
#define SECRET_SPAN(s) SPAN((s)->bytes, (s)->len)

static void be32_put(uint8_t out[4], uint32_t v)
{
	out[0] = (uint8_t)(v >> 24);
	out[1] = (uint8_t)(v >> 16);
	out[2] = (uint8_t)(v >> 8);
	out[3] = (uint8_t)v;
}

/* prf(key, parts...) into a secret buffer. */
static enum ike_crypto_verdict prf_secret(const struct ike_crypto *c, const struct ike_hash *hash,
					  const struct ike_secret *key, const struct wire_span *parts,
					  size_t nparts, struct ike_secret *out)
{
	enum ike_crypto_verdict v;

	ike_secret_wipe(out);
	v = ike_prf(c, hash, key->bytes, key->len, parts, nparts, out->bytes, sizeof(out->bytes));
	if (v == IKE_CRYPTO_OK)
		out->len = hash->output_len;
	return v;
}

/* prf(key, parts...) into a digest that goes on the wire. */
static enum ike_crypto_verdict prf_digest(const struct ike_crypto *c, const struct ike_hash *hash,
					  const struct ike_secret *key, const struct wire_span *parts,
					  size_t nparts, struct ike_digest *out)
{
	enum ike_crypto_verdict v;

	out->len = 0;
	v = ike_prf(c, hash, key->bytes, key->len, parts, nparts, out->bytes, sizeof(out->bytes));
	if (v == IKE_CRYPTO_OK)
		out->len = hash->output_len;
	return v;
}

/* ------------------------------------------------------------------ phase 1 */

void ike_phase1_keys_wipe(struct ike_phase1_keys *keys)
{
	ike_secret_wipe(&keys->skeyid);
	ike_secret_wipe(&keys->skeyid_d);
	ike_secret_wipe(&keys->skeyid_a);
	ike_secret_wipe(&keys->skeyid_e);
	ike_secret_wipe(&keys->enc_key);
}

enum ike_crypto_verdict ike_skeyid_psk(const struct ike_crypto *c, const struct ike_hash *hash,
				       const struct ike_secret *psk, struct wire_span ni_b,
				       struct wire_span nr_b, struct ike_secret *skeyid)
{
	const struct wire_span parts[] = { ni_b, nr_b };

	return prf_secret(c, hash, psk, parts, ARRAY_SIZE(parts), skeyid);
}

/* The Appendix B cipher key: SKEYID_e cut, or K1 | K2 | ... cut, to key_len bytes. */
static enum ike_crypto_verdict enc_key_derive(const struct ike_crypto *c, const struct ike_hash *hash,
					      const struct ike_secret *skeyid_e, size_t key_len,
					      struct ike_secret *key)
{
	struct ike_secret block;
	enum ike_crypto_verdict v = IKE_CRYPTO_OK;
	size_t have = 0;

	ike_secret_wipe(key);
	if (key_len == 0 || key_len > sizeof(key->bytes))
		return IKE_CRYPTO_BAD_LENGTH;
	if (skeyid_e->len >= key_len) {
		memcpy(key->bytes, skeyid_e->bytes, key_len);
		key->len = key_len;
		return IKE_CRYPTO_OK;
	}
	/* K1 = prf(SKEYID_e, 0): the seed is one zero octet. */
	block.len = 1;
	block.bytes[0] = 0;
	while (have < key_len) {
		struct wire_span seed = SECRET_SPAN(&block);
		struct ike_secret next;
		size_t take;

		v = prf_secret(c, hash, skeyid_e, &seed, 1, &next);
		if (v != IKE_CRYPTO_OK) {
			ike_secret_wipe(&next);
			break;
		}
		take = MIN(next.len, key_len - have);
		memcpy(key->bytes + have, next.bytes, take);
		have += take;
		/* Kn+1 = prf(SKEYID_e, Kn) */
		memcpy(block.bytes, next.bytes, next.len);
		block.len = next.len;
		ike_secret_wipe(&next);
	}
	OPENSSL_cleanse(block.bytes, sizeof(block.bytes));
	if (v != IKE_CRYPTO_OK) {
		ike_secret_wipe(key);
		return v;
	}
	key->len = key_len;
	return IKE_CRYPTO_OK;
}

enum ike_crypto_verdict ike_phase1_keys_derive(const struct ike_crypto *c, const struct ike_hash *hash,
					       size_t key_len, const struct ike_secret *skeyid,
					       const struct ike_secret *g_xy,
					       const uint8_t cky_i[IKE_COOKIE_LEN],
					       const uint8_t cky_r[IKE_COOKIE_LEN],
					       struct ike_phase1_keys *keys)
{
	const struct wire_span gxy = SECRET_SPAN(g_xy);
	const struct wire_span cki = SPAN(cky_i, IKE_COOKIE_LEN), ckr = SPAN(cky_r, IKE_COOKIE_LEN);
	enum ike_crypto_verdict v;

	if (skeyid != &keys->skeyid) {
		ike_phase1_keys_wipe(keys);
		v = ike_secret_set(&keys->skeyid, skeyid->bytes, skeyid->len);
		if (v != IKE_CRYPTO_OK)
			goto out;
	} else {
		ike_secret_wipe(&keys->skeyid_d);
		ike_secret_wipe(&keys->skeyid_a);
		ike_secret_wipe(&keys->skeyid_e);
		ike_secret_wipe(&keys->enc_key);
	}
	skeyid = &keys->skeyid;
	{
		const struct wire_span parts[] = { gxy, cki, ckr, SPAN(&octet_0, 1) };

		v = prf_secret(c, hash, skeyid, parts, ARRAY_SIZE(parts), &keys->skeyid_d);
		if (v != IKE_CRYPTO_OK)
			goto out;
	}
	{
		const struct wire_span parts[] = { SECRET_SPAN(&keys->skeyid_d), gxy, cki, ckr,
						   SPAN(&octet_1, 1) };

		v = prf_secret(c, hash, skeyid, parts, ARRAY_SIZE(parts), &keys->skeyid_a);
		if (v != IKE_CRYPTO_OK)
			goto out;
	}
	{
		const struct wire_span parts[] = { SECRET_SPAN(&keys->skeyid_a), gxy, cki, ckr,
						   SPAN(&octet_2, 1) };

		v = prf_secret(c, hash, skeyid, parts, ARRAY_SIZE(parts), &keys->skeyid_e);
		if (v != IKE_CRYPTO_OK)
			goto out;
	}
	v = enc_key_derive(c, hash, &keys->skeyid_e, key_len, &keys->enc_key);
out:
	if (v != IKE_CRYPTO_OK)
		ike_phase1_keys_wipe(keys);
	return v;
}

enum ike_crypto_verdict ike_phase1_hash(const struct ike_crypto *c, const struct ike_hash *hash,
					const struct ike_secret *skeyid, bool initiator,
					struct wire_span g_xi, struct wire_span g_xr,
					const uint8_t cky_i[IKE_COOKIE_LEN],
					const uint8_t cky_r[IKE_COOKIE_LEN],
					struct wire_span sai_b, struct wire_span id_b,
					struct ike_digest *out)
{
	const struct wire_span cki = SPAN(cky_i, IKE_COOKIE_LEN), ckr = SPAN(cky_r, IKE_COOKIE_LEN);
	const struct wire_span for_i[] = { g_xi, g_xr, cki, ckr, sai_b, id_b };
	const struct wire_span for_r[] = { g_xr, g_xi, ckr, cki, sai_b, id_b };

	return prf_digest(c, hash, skeyid, initiator ? for_i : for_r, ARRAY_SIZE(for_i), out);
}

/* hash(parts...) cut to the block size, as an IV. */
static enum ike_crypto_verdict iv_from_hash(const struct ike_crypto *c, const struct ike_hash *hash,
					    const struct ike_cipher *cipher,
					    const struct wire_span *parts, size_t nparts,
					    struct ike_iv *iv)
{
	struct ike_digest digest;
	enum ike_crypto_verdict v;

	iv->len = 0;
	if (cipher->block_size > sizeof(iv->bytes))
		return IKE_CRYPTO_UNSUPPORTED;
	v = ike_hash_compute(c, hash, parts, nparts, &digest);
	if (v != IKE_CRYPTO_OK)
		return v;
	if (digest.len < cipher->block_size)
		return IKE_CRYPTO_BAD_LENGTH;   /* no supported pair has this */
	memcpy(iv->bytes, digest.bytes, cipher->block_size);
	iv->len = cipher->block_size;
	return IKE_CRYPTO_OK;
}

enum ike_crypto_verdict ike_iv_phase1(const struct ike_crypto *c, const struct ike_hash *hash,
				      const struct ike_cipher *cipher, struct wire_span g_xi,
				      struct wire_span g_xr, struct ike_iv *iv)
{
	const struct wire_span parts[] = { g_xi, g_xr };

	return iv_from_hash(c, hash, cipher, parts, ARRAY_SIZE(parts), iv);
}

enum ike_crypto_verdict ike_iv_phase2(const struct ike_crypto *c, const struct ike_hash *hash,
				      const struct ike_cipher *cipher, const struct ike_iv *phase1_iv,
				      uint32_t message_id, struct ike_iv *iv)
{
	uint8_t mid[4];
	struct wire_span parts[2];

	be32_put(mid, message_id);
	parts[0] = SPAN(phase1_iv->bytes, phase1_iv->len);
	parts[1] = SPAN(mid, sizeof(mid));
	return iv_from_hash(c, hash, cipher, parts, ARRAY_SIZE(parts), iv);
}

/* ------------------------------------------------------------------ phase 2 hashes */

enum ike_crypto_verdict ike_qm_hash1(const struct ike_crypto *c, const struct ike_hash *hash,
				     const struct ike_secret *skeyid_a, uint32_t message_id,
				     struct wire_span after_hash, struct ike_digest *out)
{
	uint8_t mid[4];

	be32_put(mid, message_id);
	{
		const struct wire_span parts[] = { SPAN(mid, 4), after_hash };

		return prf_digest(c, hash, skeyid_a, parts, ARRAY_SIZE(parts), out);
	}
}

enum ike_crypto_verdict ike_qm_hash2(const struct ike_crypto *c, const struct ike_hash *hash,
				     const struct ike_secret *skeyid_a, uint32_t message_id,
				     struct wire_span ni_b, struct wire_span after_hash,
				     struct ike_digest *out)
{
	uint8_t mid[4];

	be32_put(mid, message_id);
	{
		const struct wire_span parts[] = { SPAN(mid, 4), ni_b, after_hash };

		return prf_digest(c, hash, skeyid_a, parts, ARRAY_SIZE(parts), out);
	}
}

enum ike_crypto_verdict ike_qm_hash3(const struct ike_crypto *c, const struct ike_hash *hash,
				     const struct ike_secret *skeyid_a, uint32_t message_id,
				     struct wire_span ni_b, struct wire_span nr_b,
				     struct ike_digest *out)
{
	uint8_t mid[4];

	be32_put(mid, message_id);
	{
		const struct wire_span parts[] = { SPAN(&octet_0, 1), SPAN(mid, 4), ni_b, nr_b };

		return prf_digest(c, hash, skeyid_a, parts, ARRAY_SIZE(parts), out);
	}
}

enum ike_crypto_verdict ike_info_hash(const struct ike_crypto *c, const struct ike_hash *hash,
				      const struct ike_secret *skeyid_a, uint32_t message_id,
				      struct wire_span after_hash, struct ike_digest *out)
{
	return ike_qm_hash1(c, hash, skeyid_a, message_id, after_hash, out);
}

/* ------------------------------------------------------------------ KEYMAT */

enum ike_crypto_verdict ike_keymat_derive(const struct ike_crypto *c, const struct ike_hash *hash,
					  const struct ike_secret *skeyid_d,
					  const struct ike_secret *g_qm_xy, uint8_t protocol,
					  uint32_t spi, struct wire_span ni_b, struct wire_span nr_b,
					  size_t len, struct ike_secret *keymat)
{
	struct ike_secret prev, next;
	struct wire_span parts[6];
	enum ike_crypto_verdict v = IKE_CRYPTO_OK;
	uint8_t spi_be[4];
	size_t nparts = 0, have = 0;

	ike_secret_wipe(keymat);
	if (len == 0 || len > sizeof(keymat->bytes))
		return IKE_CRYPTO_BAD_LENGTH;
	be32_put(spi_be, spi);
	prev.len = 0;
	parts[nparts++] = SPAN(prev.bytes, 0);          /* Kn, empty for K1 */
	if (g_qm_xy)
		parts[nparts++] = SECRET_SPAN(g_qm_xy);
	parts[nparts++] = SPAN(&protocol, 1);
	parts[nparts++] = SPAN(spi_be, 4);
	parts[nparts++] = ni_b;
	parts[nparts++] = nr_b;
	while (have < len) {
		size_t take;

		v = prf_secret(c, hash, skeyid_d, parts, nparts, &next);
		if (v != IKE_CRYPTO_OK)
			break;
		take = MIN(next.len, len - have);
		memcpy(keymat->bytes + have, next.bytes, take);
		have += take;
		/* Kn+1 = prf(SKEYID_d, Kn | ...) */
		memcpy(prev.bytes, next.bytes, next.len);
		prev.len = next.len;
		parts[0] = SECRET_SPAN(&prev);
	}
	OPENSSL_cleanse(prev.bytes, sizeof(prev.bytes));
	ike_secret_wipe(&next);
	if (v != IKE_CRYPTO_OK) {
		ike_secret_wipe(keymat);
		return v;
	}
	keymat->len = len;
	return IKE_CRYPTO_OK;
}

void ike_esp_keys_wipe(struct ike_esp_keys *keys)
{
	ike_secret_wipe(&keys->enc_key);
	ike_secret_wipe(&keys->auth_key);
}

enum ike_crypto_verdict ike_esp_keys_derive(const struct ike_crypto *c, const struct ike_hash *hash,
					    const struct ike_secret *skeyid_d,
					    const struct ike_secret *g_qm_xy, uint32_t spi,
					    struct wire_span ni_b, struct wire_span nr_b,
					    size_t enc_key_len, const struct ike_esp_auth *auth,
					    struct ike_esp_keys *keys)
{
	struct ike_secret keymat;
	enum ike_crypto_verdict v;

	ike_esp_keys_wipe(keys);
	if (!auth->supported)
		return IKE_CRYPTO_UNSUPPORTED;
	v = ike_keymat_derive(c, hash, skeyid_d, g_qm_xy, IKE_PROTO_IPSEC_ESP, spi, ni_b, nr_b,
			      enc_key_len + auth->key_len, &keymat);
	if (v == IKE_CRYPTO_OK)
		v = ike_secret_set(&keys->enc_key, keymat.bytes, enc_key_len);
	if (v == IKE_CRYPTO_OK)
		v = ike_secret_set(&keys->auth_key, keymat.bytes + enc_key_len, auth->key_len);
	ike_secret_wipe(&keymat);
	if (v != IKE_CRYPTO_OK)
		ike_esp_keys_wipe(keys);
	return v;
}

/* ------------------------------------------------------------------ NAT-D */

enum ike_crypto_verdict ike_natd_hash(const struct ike_crypto *c, const struct ike_hash *hash,
				      const uint8_t cky_i[IKE_COOKIE_LEN],
				      const uint8_t cky_r[IKE_COOKIE_LEN],
				      const uint8_t *addr, size_t addr_len, uint16_t port,
				      struct ike_digest *out)
{
	const uint8_t port_be[2] = { (uint8_t)(port >> 8), (uint8_t)port };
	const struct wire_span parts[] = { SPAN(cky_i, IKE_COOKIE_LEN), SPAN(cky_r, IKE_COOKIE_LEN),
					   SPAN(addr, addr_len), SPAN(port_be, 2) };

	out->len = 0;
	if (addr_len != 4 && addr_len != 16)
		return IKE_CRYPTO_BAD_LENGTH;
	return ike_hash_compute(c, hash, parts, ARRAY_SIZE(parts), out);
}
