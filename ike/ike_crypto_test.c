/*
 * ike_crypto_test.c - known-answer tests for ike_crypto, ike_dh and ike_prf.
 *
 * The main vectors are tests/data/ike-vectors/<case>.txt, recorded from two
 * strongSwan charon daemons (one initiator, one responder) with their key
 * logs and a packet capture (see the README there).  For each case this test
 * derives everything from the logged inputs and compares it with what charon
 * printed.  Then it decrypts the captured MM5, MM6, Quick Mode and
 * Informational messages with the derived keys and IVs, and checks the
 * HASH payloads inside them, which exercises the IV chain end to end.
 * Diffie-Hellman is checked against RFC 5903 §8 for ECP, and by both sides
 * agreeing for MODP.  HMAC is checked against RFC 2202 and RFC 4231.
 *
 * IKE_CRYPTO_BENCH=1 in the environment adds timings of the DH operations
 * as TAP comments.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>

#include "ike/ike_crypto.h"
#include "ike/ike_dh.h"
#include "ike/ike_prf.h"
#include "lib/alloc.h"
#include "tests/harness/tap.h"

#ifndef IKE_VECTOR_DIR
#define IKE_VECTOR_DIR "tests/data/ike-vectors"
#endif

#define SPAN(ptr, n) ((struct wire_span){ (const uint8_t *)(ptr), (n) })

/* ------------------------------------------------------------------ hex and vector files */

static size_t hex_decode(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;

	while (hex[0] && hex[1] && n < cap) {
		unsigned byte;

		if (hex[0] == ' ') {
			hex++;
			continue;
		}
		if (sscanf(hex, "%2x", &byte) != 1)
			break;
		out[n++] = (uint8_t)byte;
		hex += 2;
	}
	return n;
}

#define VEC_MAX_ENTRIES 96
#define VEC_MAX_BYTES 4096

struct vec_entry {
	char name[40];
	char *text;
	uint8_t *bytes;
	size_t len;
};

struct vec {
	char name[64];
	size_t n;
	struct vec_entry entries[VEC_MAX_ENTRIES];
};

static void vec_free(struct vec *v)
{
	for (size_t i = 0; i < v->n; i++) {
		free(v->entries[i].text);
		free(v->entries[i].bytes);
	}
	v->n = 0;
}

static bool vec_load(struct vec *v, const char *name)
{
	const char *dir = getenv("top_srcdir");
	char path[512], line[8192];
	FILE *f;

	memset(v, 0, sizeof(*v));
	snprintf(v->name, sizeof(v->name), "%s", name);
	if (dir)
		snprintf(path, sizeof(path), "%s/tests/data/ike-vectors/%s.txt", dir, name);
	else
		snprintf(path, sizeof(path), "%s/%s.txt", IKE_VECTOR_DIR, name);
	f = fopen(path, "r");
	if (!f) {
		tap_diag("cannot open %s", path);
		return false;
	}
	while (fgets(line, sizeof(line), f) && v->n < VEC_MAX_ENTRIES) {
		struct vec_entry *e = &v->entries[v->n];
		char *sp, *end;

		line[strcspn(line, "\r\n")] = 0;
		if (line[0] == '#' || line[0] == 0)
			continue;
		sp = strchr(line, ' ');
		if (!sp)
			continue;
		*sp = 0;
		snprintf(e->name, sizeof(e->name), "%.39s", line);
		e->text = strdup(sp + 1);
		e->bytes = malloc(VEC_MAX_BYTES);
		if (!e->text || !e->bytes)
			break;
		for (end = sp + 1; *end && strchr("0123456789abcdef", *end); end++)
			;
		e->len = *end == 0 ? hex_decode(sp + 1, e->bytes, VEC_MAX_BYTES) : 0;
		v->n++;
	}
	fclose(f);
	return v->n > 0;
}

static const struct vec_entry *vec_find(const struct vec *v, const char *name)
{
	for (size_t i = 0; i < v->n; i++)
		if (strcmp(v->entries[i].name, name) == 0)
			return &v->entries[i];
	return NULL;
}

/* The bytes of an entry; an empty span (and a failed check) if it is missing. */
static struct wire_span vec_bytes(const struct vec *v, const char *name)
{
	const struct vec_entry *e = vec_find(v, name);

	if (!e) {
		ok(false, "%s: vector has %s", v->name, name);
		return SPAN(NULL, 0);
	}
	return SPAN(e->bytes, e->len);
}

static unsigned long vec_num(const struct vec *v, const char *name)
{
	const struct vec_entry *e = vec_find(v, name);

	if (!e) {
		ok(false, "%s: vector has %s", v->name, name);
		return 0;
	}
	return strtoul(e->text, NULL, 10);
}

static bool span_eq(struct wire_span a, const uint8_t *b, size_t len)
{
	return a.p && a.len == len && memcmp(a.p, b, len) == 0;
}

/* ------------------------------------------------------------------ a minimal payload walker */

/* One ISAKMP payload (RFC 2408 §3.2 generic header) of a cleartext body. */
struct pl {
	uint8_t type;
	struct wire_span body;          /* without the generic header */
	size_t end;                     /* offset just past it in the body */
};

/* Walks the chain starting with first_type over body; returns the payload count. */
static size_t payloads_walk(uint8_t first_type, const uint8_t *body, size_t len, struct pl *out,
			    size_t max)
{
	uint8_t type = first_type;
	size_t off = 0, n = 0;

	while (type != 0 && n < max && len - off >= 4) {
		size_t plen = (size_t)body[off + 2] << 8 | body[off + 3];

		if (plen < 4 || plen > len - off)
			break;
		out[n].type = type;
		out[n].body = SPAN(body + off + 4, plen - 4);
		out[n].end = off + plen;
		type = body[off];
		off += plen;
		n++;
	}
	return n;
}

static const struct pl *payload_find(const struct pl *pls, size_t n, uint8_t type)
{
	for (size_t i = 0; i < n; i++)
		if (pls[i].type == type)
			return &pls[i];
	return NULL;
}

enum {
	PL_SA = 1, PL_KE = 4, PL_ID = 5, PL_HASH = 8, PL_NONCE = 10,
};

#define HDR_LEN 28

/* ------------------------------------------------------------------ one recorded exchange */

struct exchange {
	const struct vec *v;
	const struct ike_crypto *c;
	const struct ike_cipher *cipher;
	const struct ike_hash *hash;
	const struct ike_group *group;
	size_t key_len;
	struct ike_phase1_keys keys;
	struct ike_iv iv;               /* the Main Mode chain */
	struct ike_iv phase1_last;      /* after MM6 */
	uint8_t cky_i[IKE_COOKIE_LEN], cky_r[IKE_COOKIE_LEN];
};

/*
 * Decrypts captured message `name` with iv into plain (the body after the
 * header) and walks its payloads; *next is the IV after it.
 */
static size_t decrypt_message(struct exchange *x, const char *name, const struct ike_iv *iv,
			      uint8_t *plain, size_t *plain_len, struct pl *pls, size_t max,
			      struct ike_iv *next)
{
	struct wire_span msg = vec_bytes(x->v, name);
	size_t len;
	enum ike_crypto_verdict r;

	*plain_len = 0;
	if (msg.len <= HDR_LEN || msg.len - HDR_LEN > VEC_MAX_BYTES) {
		ok(false, "%s: %s is a whole message", x->v->name, name);
		return 0;
	}
	len = msg.len - HDR_LEN;
	is_int(((size_t)msg.p[24] << 24 | (size_t)msg.p[25] << 16 | (size_t)msg.p[26] << 8 | msg.p[27]),
	       msg.len, "%s: %s header length is the datagram", x->v->name, name);
	ok(msg.p[19] & 1, "%s: %s has the encryption flag", x->v->name, name);
	r = ike_cbc_decrypt(x->c, x->cipher, &x->keys.enc_key, iv, msg.p + HDR_LEN, len, plain, next);
	is_int(r, IKE_CRYPTO_OK, "%s: decrypt %s", x->v->name, name);
	if (r != IKE_CRYPTO_OK)
		return 0;
	*plain_len = len;
	return payloads_walk(msg.p[16], plain, len, pls, max);
}

/* The SPI of the first proposal of an SA payload body (RFC 2408 §3.4, §3.5). */
static uint32_t sa_spi(struct wire_span sa)
{
	const uint8_t *prop = sa.p + 8;

	if (sa.len < 8 + 8 + 4 || prop[6] != 4)
		return 0;
	return (uint32_t)prop[8] << 24 | (uint32_t)prop[9] << 16 | (uint32_t)prop[10] << 8 | prop[11];
}

/* The ESP transform ID and its Authentication Algorithm and Key Length attributes. */
static void sa_esp_transform(struct wire_span sa, uint16_t *transform_id, uint16_t *auth, unsigned *key_bits)
{
	const uint8_t *prop = sa.p + 8, *t;
	size_t tlen, off;

	*transform_id = 0;
	*auth = 0;
	*key_bits = 0;
	if (sa.len < 16 + 4 + 8)
		return;
	t = prop + 8 + prop[6];
	tlen = (size_t)t[2] << 8 | t[3];
	if ((size_t)(t - sa.p) + tlen > sa.len || tlen < 8)
		return;
	*transform_id = t[5];
	for (off = 8; off + 4 <= tlen;) {
		uint16_t type = (uint16_t)(t[off] << 8 | t[off + 1]);
		uint16_t value = (uint16_t)(t[off + 2] << 8 | t[off + 3]);

		if (!(type & 0x8000)) {
			off += 4 + value;
			continue;
		}
		if ((type & 0x7fff) == 5)
			*auth = value;
		if ((type & 0x7fff) == 6)
			*key_bits = value;
		off += 4;
	}
}

static void check_phase1(struct exchange *x)
{
	const struct vec *v = x->v;
	struct ike_secret psk, skeyid, g_xy;
	struct wire_span g_xi = vec_bytes(v, "g_xi"), g_xr = vec_bytes(v, "g_xr");
	struct wire_span e;

	e = vec_bytes(v, "psk");
	ok(ike_secret_set(&psk, e.p, e.len) == IKE_CRYPTO_OK, "%s: psk", v->name);
	e = vec_bytes(v, "g_xy");
	ok(ike_secret_set(&g_xy, e.p, e.len) == IKE_CRYPTO_OK, "%s: g^xy", v->name);
	is_int(g_xi.len, x->group->public_len, "%s: g^xi is %zu bytes (%s)", v->name,
	       x->group->public_len, x->group->kind == IKE_GROUP_KIND_ECP ? "x || y" : "modulus");
	is_int(g_xr.len, x->group->public_len, "%s: g^xr length", v->name);
	is_int(g_xy.len, x->group->secret_len, "%s: charon's g^xy is %zu bytes (%s)", v->name,
	       x->group->secret_len, x->group->kind == IKE_GROUP_KIND_ECP ? "x only" : "padded");

	is_int(ike_skeyid_psk(x->c, x->hash, &psk, vec_bytes(v, "ni_b"), vec_bytes(v, "nr_b"), &skeyid),
	       IKE_CRYPTO_OK, "%s: SKEYID computed", v->name);
	e = vec_bytes(v, "skeyid");
	ok(span_eq(e, skeyid.bytes, skeyid.len), "%s: SKEYID = charon's", v->name);
	is_int(ike_phase1_keys_derive(x->c, x->hash, x->key_len, &skeyid, &g_xy, x->cky_i, x->cky_r, &x->keys),
	       IKE_CRYPTO_OK, "%s: phase 1 keys derived", v->name);
	ok(span_eq(vec_bytes(v, "skeyid_d"), x->keys.skeyid_d.bytes, x->keys.skeyid_d.len),
	   "%s: SKEYID_d = charon's", v->name);
	ok(span_eq(vec_bytes(v, "skeyid_a"), x->keys.skeyid_a.bytes, x->keys.skeyid_a.len),
	   "%s: SKEYID_a = charon's", v->name);
	ok(span_eq(vec_bytes(v, "skeyid_e"), x->keys.skeyid_e.bytes, x->keys.skeyid_e.len),
	   "%s: SKEYID_e = charon's", v->name);
	ok(span_eq(vec_bytes(v, "enc_key"), x->keys.enc_key.bytes, x->keys.enc_key.len),
	   "%s: encryption key (%zu bytes%s) = charon's Ka", v->name, x->key_len,
	   x->keys.skeyid_e.len < x->key_len ? ", Appendix B extension" : "");
	is_int(ike_iv_phase1(x->c, x->hash, x->cipher, g_xi, g_xr, &x->iv), IKE_CRYPTO_OK,
	       "%s: phase 1 IV computed", v->name);
	ok(span_eq(vec_bytes(v, "iv_phase1"), x->iv.bytes, x->iv.len), "%s: initial IV = charon's",
	   v->name);
	ike_secret_wipe(&psk);
	ike_secret_wipe(&skeyid);
	ike_secret_wipe(&g_xy);
}

/* MM5 (initiator) or MM6 (responder): decrypt, compare with charon, check HASH_I/HASH_R. */
static void check_mm_auth(struct exchange *x, bool initiator)
{
	const struct vec *v = x->v;
	const char *name = initiator ? "mm5" : "mm6";
	uint8_t plain[VEC_MAX_BYTES];
	struct pl pls[8];
	struct ike_digest digest;
	struct ike_iv next;
	const struct pl *id, *hash;
	size_t len, n;
	struct wire_span charon_plain = vec_bytes(v, initiator ? "mm5_plain" : "mm6_plain");
	struct wire_span msg = vec_bytes(v, name);

	n = decrypt_message(x, name, &x->iv, plain, &len, pls, 8, &next);
	ok(span_eq(charon_plain, plain, len), "%s: %s plaintext = what charon decrypted", v->name, name);
	id = payload_find(pls, n, PL_ID);
	hash = payload_find(pls, n, PL_HASH);
	ok(id && hash, "%s: %s has ID and HASH", v->name, name);
	if (!id || !hash)
		return;
	is_int(ike_phase1_hash(x->c, x->hash, &x->keys.skeyid, initiator, vec_bytes(v, "g_xi"),
			       vec_bytes(v, "g_xr"), x->cky_i, x->cky_r, vec_bytes(v, "sai_b"), id->body,
			       &digest),
	       IKE_CRYPTO_OK, "%s: HASH_%c computed", v->name, initiator ? 'I' : 'R');
	ok(span_eq(hash->body, digest.bytes, digest.len), "%s: HASH_%c = the HASH in captured %s",
	   v->name, initiator ? 'I' : 'R', name);
	ok(span_eq(vec_bytes(v, initiator ? "hash_i" : "hash_r"), digest.bytes, digest.len),
	   "%s: HASH_%c = charon's", v->name, initiator ? 'I' : 'R');
	/* Encrypting charon's plaintext (its padding included) gives the captured bytes back. */
	{
		uint8_t buf[VEC_MAX_BYTES];
		struct ike_iv again;
		size_t out_len;

		memcpy(buf, plain, len);
		ok(ike_cbc_encrypt(x->c, x->cipher, &x->keys.enc_key, &x->iv, buf, len, sizeof(buf),
				   &out_len, &again) == IKE_CRYPTO_OK &&
			   out_len == len && memcmp(buf, msg.p + HDR_LEN, len) == 0 &&
			   memcmp(again.bytes, next.bytes, next.len) == 0,
		   "%s: re-encrypting %s gives the captured ciphertext", v->name, name);
	}
	x->iv = next;
}

struct qm_state {
	struct wire_span ni_b, nr_b;
	uint32_t spi_i, spi_r;
	uint16_t esp_transform, esp_auth;
	unsigned esp_key_bits;
	bool pfs;
};

/* Quick Mode: IV from the phase 1 IV and M-ID, then HASH(1), HASH(2), HASH(3) in the capture. */
static void check_quick_mode(struct exchange *x, struct qm_state *qm)
{
	static uint8_t p1[VEC_MAX_BYTES], p2[VEC_MAX_BYTES], p3[VEC_MAX_BYTES];
	const struct vec *v = x->v;
	uint32_t mid = (uint32_t)vec_num(v, "qm_mid");
	struct pl pl1[12], pl2[12], pl3[4];
	struct ike_iv iv, next;
	struct ike_digest digest;
	size_t n1, n2, n3, len1, len2, len3;
	const struct pl *h, *nonce, *sa, *ke;

	memset(qm, 0, sizeof(*qm));
	is_int(ike_iv_phase2(x->c, x->hash, x->cipher, &x->phase1_last, mid, &iv), IKE_CRYPTO_OK,
	       "%s: QM IV computed", v->name);
	ok(span_eq(vec_bytes(v, "iv_qm"), iv.bytes, iv.len),
	   "%s: QM IV = hash(last MM6 block | M-ID) = charon's", v->name);

	n1 = decrypt_message(x, "qm1", &iv, p1, &len1, pl1, 12, &next);
	h = payload_find(pl1, n1, PL_HASH);
	nonce = payload_find(pl1, n1, PL_NONCE);
	sa = payload_find(pl1, n1, PL_SA);
	ke = payload_find(pl1, n1, PL_KE);
	ok(n1 > 0 && h == &pl1[0] && nonce && sa, "%s: QM1 is HASH, SA, Nonce ...", v->name);
	if (!(n1 > 0 && h == &pl1[0] && nonce && sa))
		return;
	qm->ni_b = nonce->body;
	qm->spi_i = sa_spi(sa->body);
	qm->pfs = ke != NULL;
	is_int(ike_qm_hash1(x->c, x->hash, &x->keys.skeyid_a, mid,
			    SPAN(p1 + pl1[0].end, pl1[n1 - 1].end - pl1[0].end), &digest),
	       IKE_CRYPTO_OK, "%s: HASH(1) computed", v->name);
	ok(span_eq(h->body, digest.bytes, digest.len), "%s: HASH(1) = the HASH in captured QM1", v->name);
	ok(span_eq(vec_bytes(v, "hash1"), digest.bytes, digest.len), "%s: HASH(1) = charon's", v->name);

	iv = next;
	n2 = decrypt_message(x, "qm2", &iv, p2, &len2, pl2, 12, &next);
	h = payload_find(pl2, n2, PL_HASH);
	nonce = payload_find(pl2, n2, PL_NONCE);
	sa = payload_find(pl2, n2, PL_SA);
	ok(n2 > 0 && h == &pl2[0] && nonce && sa, "%s: QM2 is HASH, SA, Nonce ...", v->name);
	if (!(n2 > 0 && h == &pl2[0] && nonce && sa))
		return;
	qm->nr_b = nonce->body;
	qm->spi_r = sa_spi(sa->body);
	sa_esp_transform(sa->body, &qm->esp_transform, &qm->esp_auth, &qm->esp_key_bits);
	is_int(ike_qm_hash2(x->c, x->hash, &x->keys.skeyid_a, mid, qm->ni_b,
			    SPAN(p2 + pl2[0].end, pl2[n2 - 1].end - pl2[0].end), &digest),
	       IKE_CRYPTO_OK, "%s: HASH(2) computed", v->name);
	ok(span_eq(h->body, digest.bytes, digest.len), "%s: HASH(2) = the HASH in captured QM2", v->name);
	ok(span_eq(vec_bytes(v, "hash2"), digest.bytes, digest.len), "%s: HASH(2) = charon's", v->name);

	iv = next;
	n3 = decrypt_message(x, "qm3", &iv, p3, &len3, pl3, 4, &next);
	ok(n3 == 1 && pl3[0].type == PL_HASH, "%s: QM3 is one HASH", v->name);
	if (n3 != 1)
		return;
	is_int(ike_qm_hash3(x->c, x->hash, &x->keys.skeyid_a, mid, qm->ni_b, qm->nr_b, &digest),
	       IKE_CRYPTO_OK, "%s: HASH(3) computed", v->name);
	ok(span_eq(pl3[0].body, digest.bytes, digest.len), "%s: HASH(3) = the HASH in captured QM3",
	   v->name);
	ok(span_eq(vec_bytes(v, "hash3"), digest.bytes, digest.len), "%s: HASH(3) = charon's", v->name);
}

static uint32_t be32_of(struct wire_span s)
{
	if (s.len != 4)
		return 0;
	return (uint32_t)s.p[0] << 24 | (uint32_t)s.p[1] << 16 | (uint32_t)s.p[2] << 8 | s.p[3];
}

static void check_keymat(struct exchange *x, const struct qm_state *qm)
{
	const struct vec *v = x->v;
	const struct ike_esp_cipher *cipher = ike_esp_cipher_find(qm->esp_transform);
	const struct ike_esp_auth *auth = ike_esp_auth_find(qm->esp_auth);
	const struct vec_entry *pfs = vec_find(v, "g_qm_xy");
	struct ike_secret g_qm_xy;
	struct ike_esp_keys keys;
	size_t enc_len = 0;

	is_int(qm->spi_i, be32_of(vec_bytes(v, "spi_i")), "%s: initiator SPI in QM1 = charon's", v->name);
	is_int(qm->spi_r, be32_of(vec_bytes(v, "spi_r")), "%s: responder SPI in QM2 = charon's", v->name);
	is_int(vec_num(v, "esp_protocol"), IKE_PROTO_IPSEC_ESP, "%s: KEYMAT protocol is ESP", v->name);
	ok(qm->pfs == (pfs != NULL), "%s: QM carries KE exactly when charon logged a PFS secret", v->name);
	ok(cipher && cipher->supported && auth && auth->supported &&
		   ike_esp_cipher_key_len(cipher, qm->esp_key_bits, &enc_len),
	   "%s: ESP %s (%u bits) with %s", v->name, cipher ? cipher->name : "?", qm->esp_key_bits,
	   auth ? auth->name : "?");
	if (!cipher || !auth || enc_len == 0)
		return;
	ike_secret_wipe(&g_qm_xy);
	if (pfs)
		ok(ike_secret_set(&g_qm_xy, pfs->bytes, pfs->len) == IKE_CRYPTO_OK, "%s: g(qm)^xy", v->name);
	for (int which = 0; which < 2; which++) {
		uint32_t spi = which == 0 ? qm->spi_r : qm->spi_i;
		const char *enc_name = which == 0 ? "keymat_spi_r_enc" : "keymat_spi_i_enc";
		const char *auth_name = which == 0 ? "keymat_spi_r_auth" : "keymat_spi_i_auth";

		is_int(ike_esp_keys_derive(x->c, x->hash, &x->keys.skeyid_d, pfs ? &g_qm_xy : NULL, spi,
					   qm->ni_b, qm->nr_b, enc_len, auth, &keys),
		       IKE_CRYPTO_OK, "%s: ESP keys for SPI %08x derived", v->name, spi);
		ok(span_eq(vec_bytes(v, enc_name), keys.enc_key.bytes, keys.enc_key.len),
		   "%s: ESP cipher key for SPI %08x = charon's%s", v->name, spi, pfs ? " (PFS)" : "");
		ok(span_eq(vec_bytes(v, auth_name), keys.auth_key.bytes, keys.auth_key.len),
		   "%s: ESP integrity key for SPI %08x = charon's", v->name, spi);
		ike_esp_keys_wipe(&keys);
	}
	ike_secret_wipe(&g_qm_xy);
}

/* The Deletes: each Informational starts its own IV chain from the phase 1 IV. */
static void check_informational(struct exchange *x)
{
	const struct vec *v = x->v;

	for (int k = 0; k < 2; k++) {
		char key[32], name[32];
		uint8_t plain[VEC_MAX_BYTES];
		struct pl pls[4];
		struct ike_iv iv, next;
		struct ike_digest digest;
		uint32_t mid;
		size_t n, len;

		snprintf(key, sizeof(key), "info%d_mid", k);
		mid = (uint32_t)vec_num(v, key);
		snprintf(key, sizeof(key), "info%d_iv", k);
		is_int(ike_iv_phase2(x->c, x->hash, x->cipher, &x->phase1_last, mid, &iv), IKE_CRYPTO_OK,
		       "%s: Informational %d IV computed", v->name, k);
		ok(span_eq(vec_bytes(v, key), iv.bytes, iv.len), "%s: Informational %d IV = charon's",
		   v->name, k);
		snprintf(name, sizeof(name), "info%d", k);
		n = decrypt_message(x, name, &iv, plain, &len, pls, 4, &next);
		ok(n >= 2 && pls[0].type == PL_HASH, "%s: Informational %d is HASH, D", v->name, k);
		if (n < 2)
			continue;
		is_int(ike_info_hash(x->c, x->hash, &x->keys.skeyid_a, mid,
				     SPAN(plain + pls[0].end, pls[n - 1].end - pls[0].end), &digest),
		       IKE_CRYPTO_OK, "%s: Informational %d HASH(1) computed", v->name, k);
		ok(span_eq(pls[0].body, digest.bytes, digest.len),
		   "%s: Informational %d HASH(1) = the HASH in the capture", v->name, k);
		snprintf(key, sizeof(key), "info%d_hash", k);
		ok(span_eq(vec_bytes(v, key), digest.bytes, digest.len),
		   "%s: Informational %d HASH(1) = charon's", v->name, k);
	}
}

static void check_natd(struct exchange *x)
{
	const struct vec *v = x->v;

	for (int k = 0; k < 2; k++) {
		char in_name[32], out_name[32];
		struct wire_span in, out;
		struct ike_digest digest;

		snprintf(in_name, sizeof(in_name), "natd_input_%d", k);
		snprintf(out_name, sizeof(out_name), "natd_hash_%d", k);
		if (!vec_find(v, in_name))
			continue;
		in = vec_bytes(v, in_name);
		out = vec_bytes(v, out_name);
		ok(in.len == 22 && memcmp(in.p, x->cky_i, 8) == 0 && memcmp(in.p + 8, x->cky_r, 8) == 0,
		   "%s: NAT-D input %d is CKY-I | CKY-R | IPv4 | port", v->name, k);
		if (in.len != 22)
			continue;
		is_int(ike_natd_hash(x->c, x->hash, x->cky_i, x->cky_r, in.p + 16, 4,
				     (uint16_t)(in.p[20] << 8 | in.p[21]), &digest),
		       IKE_CRYPTO_OK, "%s: NAT-D %d computed", v->name, k);
		ok(span_eq(out, digest.bytes, digest.len),
		   "%s: NAT-D %d = charon's and the NAT-D payload in the capture", v->name, k);
	}
}

/* Our own DH key against charon's real public values: the point decodes, the value passes. */
static void check_peer_values(struct exchange *x)
{
	struct ike_dh *dh = ike_dh_new(x->c, x->group);
	struct ike_secret s;

	ok(dh != NULL, "%s: our %s key pair", x->v->name, x->group->name);
	if (!dh)
		return;
	for (int k = 0; k < 2; k++) {
		struct wire_span peer = vec_bytes(x->v, k == 0 ? "g_xi" : "g_xr");

		is_int(ike_dh_compute(dh, peer.p, peer.len, &s), IKE_CRYPTO_OK,
		       "%s: charon's %s accepted as a peer value", x->v->name, k == 0 ? "g^xi" : "g^xr");
		is_int(s.len, x->group->secret_len, "%s: g^xy length", x->v->name);
	}
	ike_secret_wipe(&s);
	ike_dh_free(dh);
}

static void check_vector(const struct ike_crypto *c, const char *name)
{
	struct vec *v = malloc(sizeof(*v));
	struct exchange x;
	struct qm_state qm;
	struct wire_span e;

	if (!v || !vec_load(v, name)) {
		ok(false, "%s: vector file loads", name);
		free(v);
		return;
	}
	memset(&x, 0, sizeof(x));
	x.v = v;
	x.c = c;
	x.cipher = ike_cipher_find((uint16_t)vec_num(v, "cipher"));
	x.hash = ike_hash_find((uint16_t)vec_num(v, "hash"));
	x.group = ike_group_find((uint16_t)vec_num(v, "group"));
	ok(x.cipher && x.hash && x.group && x.cipher->supported && x.hash->supported &&
		   x.group->supported &&
		   ike_cipher_key_len(x.cipher, (unsigned)vec_num(v, "key_bits"), &x.key_len),
	   "%s: %s-%lu / %s / %s", name, x.cipher ? x.cipher->name : "?", vec_num(v, "key_bits"),
	   x.hash ? x.hash->name : "?", x.group ? x.group->name : "?");
	e = vec_bytes(v, "cky_i");
	if (e.len == 8)
		memcpy(x.cky_i, e.p, 8);
	e = vec_bytes(v, "cky_r");
	if (e.len == 8)
		memcpy(x.cky_r, e.p, 8);
	if (x.cipher && x.hash && x.group && x.key_len) {
		check_peer_values(&x);
		check_phase1(&x);
		check_mm_auth(&x, true);
		check_mm_auth(&x, false);
		x.phase1_last = x.iv;
		check_quick_mode(&x, &qm);
		if (qm.ni_b.len && qm.nr_b.len)
			check_keymat(&x, &qm);
		check_informational(&x);
		check_natd(&x);
	}
	ike_phase1_keys_wipe(&x.keys);
	vec_free(v);
	free(v);
}

/* ------------------------------------------------------------------ tables */

static void test_tables(void)
{
	const struct ike_cipher *des = ike_cipher_find(IKE_ENCR_DES_CBC);
	const struct ike_cipher *tdes = ike_cipher_find(IKE_ENCR_3DES_CBC);
	const struct ike_cipher *aes = ike_cipher_find(IKE_ENCR_AES_CBC);
	const struct ike_group *g768 = ike_group_find(IKE_GROUP_MODP768);
	const struct ike_group *ecp256 = ike_group_find(IKE_GROUP_ECP256);
	const struct ike_esp_auth *sha256 = ike_esp_auth_find(IKE_AUTH_HMAC_SHA2_256);
	const struct ike_esp_cipher *esp_aes = ike_esp_cipher_find(IKE_ESP_AES);
	size_t len = 0;

	ok(des && !des->supported && strcmp(des->name, "OAKLEY_DES_CBC") == 0, "DES known by name, refused");
	ok(tdes && tdes->supported && strcmp(tdes->name, "OAKLEY_3DES_CBC") == 0 && tdes->block_size == 8,
	   "OAKLEY_3DES_CBC");
	ok(aes && aes->supported && strcmp(aes->name, "OAKLEY_AES_CBC") == 0 && aes->block_size == 16,
	   "OAKLEY_AES_CBC");
	ok(g768 && !g768->supported && strcmp(g768->name, "OAKLEY_GROUP_MODP768") == 0,
	   "MODP768 known by name, refused");
	ok(ecp256 && ecp256->public_len == 64 && ecp256->secret_len == 32 &&
		   strcmp(ecp256->name, "OAKLEY_GROUP_ECP_256") == 0,
	   "OAKLEY_GROUP_ECP_256: KE 64 bytes, g^xy 32");
	ok(strcmp(ike_group_find(IKE_GROUP_MODP1024)->name, "OAKLEY_GROUP_MODP1024") == 0 &&
		   ike_group_find(IKE_GROUP_MODP1024)->public_len == 128,
	   "OAKLEY_GROUP_MODP1024");
	ok(strcmp(ike_hash_find(IKE_HASH_SHA1)->name, "OAKLEY_SHA1") == 0 &&
		   ike_hash_find(IKE_HASH_SHA2_256)->output_len == 32 &&
		   strcmp(ike_hash_find(IKE_HASH_SHA2_256)->name, "OAKLEY_SHA2_256") == 0,
	   "hash names and sizes");
	ok(ike_cipher_find(3) == NULL && ike_hash_find(3) == NULL && ike_group_find(15) == NULL &&
		   ike_esp_cipher_find(11) == NULL && ike_esp_auth_find(4) == NULL,
	   "unknown values are not found");
	ok(sha256 && sha256->key_len == 32 && sha256->trunc_bits == 128 &&
		   strcmp(sha256->xfrm_name, "hmac(sha256)") == 0,
	   "HMAC-SHA2-256-128 for the kernel");
	ok(strcmp(ike_esp_auth_find(IKE_AUTH_HMAC_SHA1)->xfrm_name, "hmac(sha1)") == 0 &&
		   ike_esp_auth_find(IKE_AUTH_HMAC_SHA1)->trunc_bits == 96 &&
		   strcmp(ike_esp_auth_find(IKE_AUTH_HMAC_MD5)->xfrm_name, "hmac(md5)") == 0 &&
		   strcmp(ike_esp_cipher_find(IKE_ESP_3DES)->xfrm_name, "cbc(des3_ede)") == 0 &&
		   esp_aes && strcmp(esp_aes->xfrm_name, "cbc(aes)") == 0,
	   "kernel algorithm names");
	ok(ike_cipher_key_len(aes, 128, &len) && len == 16 && ike_cipher_key_len(aes, 192, &len) &&
		   len == 24 && ike_cipher_key_len(aes, 256, &len) && len == 32,
	   "AES 128/192/256");
	ok(!ike_cipher_key_len(aes, 0, &len) && !ike_cipher_key_len(aes, 64, &len) &&
		   !ike_cipher_key_len(aes, 512, &len) && !ike_cipher_key_len(aes, 100, &len),
	   "AES without or with a bad Key Length is refused");
	ok(ike_cipher_key_len(tdes, 0, &len) && len == 24 && ike_cipher_key_len(tdes, 192, &len) &&
		   !ike_cipher_key_len(tdes, 128, &len),
	   "3DES is 192 bits, attribute or not");
	is_str(ike_crypto_verdict_name(IKE_CRYPTO_BAD_PUBLIC_VALUE), "bad public value", "verdict names");
	is_str(ike_crypto_verdict_name((enum ike_crypto_verdict)99), "unknown verdict", "unknown verdict name");
}

static void test_secret(void)
{
	static struct ike_secret s;
	uint8_t big[IKE_SECRET_MAX + 1];
	bool zero = true;

	memset(big, 0xa5, sizeof(big));
	is_int(ike_secret_set(&s, big, 10), IKE_CRYPTO_OK, "secret set");
	is_int(s.len, 10, "secret length");
	is_int(ike_secret_set(&s, big, sizeof(big)), IKE_CRYPTO_BAD_LENGTH, "secret too long refused");
	is_int(s.len, 0, "refused secret is empty");
	ok(ike_secret_set(&s, big, IKE_SECRET_MAX) == IKE_CRYPTO_OK, "secret of the maximum size");
	ike_secret_wipe(&s);
	for (size_t i = 0; i < sizeof(s.bytes); i++)
		zero = zero && s.bytes[i] == 0;
	ok(zero && s.len == 0, "wipe clears the whole buffer");
}

/* RFC 2202 and RFC 4231 test case 1: key = 0x0b x 20 (16 for MD5), data "Hi There". */
static void test_hmac(const struct ike_crypto *c)
{
	static const struct {
		uint16_t hash;
		size_t key_len;
		const char *mac;
	} cases[] = {
		{ IKE_HASH_MD5, 16, "9294727a3638bb1c13f48ef8158bfc9d" },
		{ IKE_HASH_SHA1, 20, "b617318655057264e28bc0b6fb378c8ef146be00" },
		{ IKE_HASH_SHA2_256, 20, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7" },
		{ IKE_HASH_SHA2_384, 20,
		  "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6" },
		{ IKE_HASH_SHA2_512, 20,
		  "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
		  "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854" },
	};
	uint8_t key[20], expected[64], out[64];
	struct wire_span parts[2] = { SPAN("Hi ", 3), SPAN("There", 5) };

	memset(key, 0x0b, sizeof(key));
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct ike_hash *hash = ike_hash_find(cases[i].hash);
		size_t n = hex_decode(cases[i].mac, expected, sizeof(expected));

		ok(ike_prf(c, hash, key, cases[i].key_len, parts, 2, out, sizeof(out)) == IKE_CRYPTO_OK &&
			   n == hash->output_len && memcmp(out, expected, n) == 0,
		   "HMAC-%s: RFC 2202/4231 test case 1", hash->name);
	}
	ok(ike_prf(c, ike_hash_find(IKE_HASH_SHA1), key, 20, parts, 2, out, 19) == IKE_CRYPTO_BAD_LENGTH,
	   "PRF output buffer too small is refused");
}

/* ------------------------------------------------------------------ Diffie-Hellman */

/* RFC 5903 §8.1 and §8.2: i, g^i = (x, y), r, g^r = (x, y), g^ir x. */
static const struct {
	uint16_t group;
	const char *i, *gi, *r, *gr, *gir;
} rfc5903[] = {
	{ IKE_GROUP_ECP256,
	  "C88F01F5 10D9AC3F 70A292DA A2316DE5 44E9AAB8 AFE84049 C62A9C57 862D1433",
	  "DAD0B653 94221CF9 B051E1FE CA5787D0 98DFE637 FC90B9EF 945D0C37 72581180"
	  "5271A046 1CDB8252 D61F1C45 6FA3E59A B1F45B33 ACCF5F58 389E0577 B8990BB3",
	  "C6EF9C5D 78AE012A 011164AC B397CE20 88685D8F 06BF9BE0 B283AB46 476BEE53",
	  "D12DFB52 89C8D4F8 1208B702 70398C34 2296970A 0BCCB74C 736FC755 4494BF63"
	  "56FBF3CA 366CC23E 8157854C 13C58D6A AC23F046 ADA30F83 53E74F33 039872AB",
	  "D6840F6B 42F6EDAF D13116E0 E1256520 2FEF8E9E CE7DCE03 812464D0 4B9442DE" },
	{ IKE_GROUP_ECP384,
	  "099F3C70 34D4A2C6 99884D73 A375A67F 7624EF7C 6B3C0F16 0647B674 14DCE655"
	  "E35B5380 41E649EE 3FAEF896 783AB194",
	  "667842D7 D180AC2C DE6F74F3 7551F557 55C7645C 20EF73E3 1634FE72 B4C55EE6"
	  "DE3AC808 ACB4BDB4 C88732AE E95F41AA"
	  "9482ED1F C0EEB9CA FC498462 5CCFC23F 65032149 E0E144AD A0241815 35A0F38E"
	  "EB9FCFF3 C2C947DA E69B4C63 4573A81C",
	  "41CB0779 B4BDB85D 47846725 FBEC3C94 30FAB46C C8DC5060 855CC9BD A0AA2942"
	  "E0308312 916B8ED2 960E4BD5 5A7448FC",
	  "E558DBEF 53EECDE3 D3FCCFC1 AEA08A89 A987475D 12FD950D 83CFA417 32BC509D"
	  "0D1AC43A 0336DEF9 6FDA41D0 774A3571"
	  "DCFBEC7A ACF31964 72169E83 8430367F 66EEBE3C 6E70C416 DD5F0C68 759DD1FF"
	  "F83FA401 42209DFF 5EAAD96D B9E6386C",
	  "11187331 C279962D 93D60424 3FD592CB 9D0A926F 422E4718 7521287E 7156C5C4"
	  "D6031355 69B9E9D0 9CF5D4A2 70F59746" },
};

static void test_dh_rfc5903(const struct ike_crypto *c)
{
	for (size_t k = 0; k < ARRAY_SIZE(rfc5903); k++) {
		const struct ike_group *group = ike_group_find(rfc5903[k].group);
		uint8_t i[64], gi[128], r[64], gr[128], gir[64];
		size_t il = hex_decode(rfc5903[k].i, i, sizeof(i)), gil = hex_decode(rfc5903[k].gi, gi, sizeof(gi));
		size_t rl = hex_decode(rfc5903[k].r, r, sizeof(r)), grl = hex_decode(rfc5903[k].gr, gr, sizeof(gr));
		size_t girl = hex_decode(rfc5903[k].gir, gir, sizeof(gir));
		struct ike_dh *di = ike_dh_new_from_private(c, group, i, il);
		struct ike_dh *dr = ike_dh_new_from_private(c, group, r, rl);
		struct ike_secret s;

		ok(di && dr, "%s: RFC 5903 private values load", group->name);
		if (!di || !dr) {
			ike_dh_free(di);
			ike_dh_free(dr);
			continue;
		}
		ok(gil == group->public_len && span_eq(ike_dh_public(di), gi, gil),
		   "%s: KE data for i is gix || giy (RFC 5903 §8)", group->name);
		ok(grl == group->public_len && span_eq(ike_dh_public(dr), gr, grl),
		   "%s: KE data for r is grx || gry", group->name);
		ok(ike_dh_compute(di, gr, grl, &s) == IKE_CRYPTO_OK && s.len == girl &&
			   memcmp(s.bytes, gir, girl) == 0,
		   "%s: g^ir from i and g^r is girx (x only)", group->name);
		ok(ike_dh_compute(dr, gi, gil, &s) == IKE_CRYPTO_OK && s.len == girl &&
			   memcmp(s.bytes, gir, girl) == 0,
		   "%s: g^ir from r and g^i is girx", group->name);
		/* Wrong lengths: short, long, the SEC 1 form with its 0x04 prefix. */
		{
			uint8_t sec1[1 + 128];

			sec1[0] = 0x04;
			memcpy(sec1 + 1, gr, grl);
			is_int(ike_dh_compute(di, gr, grl - 1, &s), IKE_CRYPTO_BAD_LENGTH,
			       "%s: KE one byte short", group->name);
			is_int(ike_dh_compute(di, sec1, grl + 1, &s), IKE_CRYPTO_BAD_LENGTH,
			       "%s: KE with a 0x04 prefix is refused", group->name);
			is_int(s.len, 0, "%s: secret empty after a refusal", group->name);
		}
		/* Off the curve: the RFC point with y changed; and the all-zero "point". */
		{
			uint8_t bad[128];

			memcpy(bad, gr, grl);
			bad[grl - 1] ^= 1;
			is_int(ike_dh_compute(di, bad, grl, &s), IKE_CRYPTO_BAD_PUBLIC_VALUE,
			       "%s: a point off the curve is refused", group->name);
			memset(bad, 0, grl);
			is_int(ike_dh_compute(di, bad, grl, &s), IKE_CRYPTO_BAD_PUBLIC_VALUE,
			       "%s: (0, 0) is refused", group->name);
		}
		ike_secret_wipe(&s);
		ike_dh_free(di);
		ike_dh_free(dr);
	}
}

static void test_dh_modp(const struct ike_crypto *c)
{
	static const uint16_t groups[] = { IKE_GROUP_MODP1024, IKE_GROUP_MODP1536, IKE_GROUP_MODP2048 };

	for (size_t k = 0; k < ARRAY_SIZE(groups); k++) {
		const struct ike_group *group = ike_group_find(groups[k]);
		struct ike_dh *a = ike_dh_new(c, group), *b = ike_dh_new(c, group);
		struct ike_secret sa, sb;
		struct wire_span pa, pb;
		uint8_t bad[IKE_DH_PUBLIC_MAX + 1];
		size_t len = group->public_len;

		ok(a && b, "%s: two key pairs", group->name);
		if (!a || !b) {
			ike_dh_free(a);
			ike_dh_free(b);
			continue;
		}
		pa = ike_dh_public(a);
		pb = ike_dh_public(b);
		ok(pa.len == len && pb.len == len && memcmp(pa.p, pb.p, len) != 0,
		   "%s: KE data is the modulus length (%zu bytes)", group->name, len);
		ok(ike_dh_compute(a, pb.p, pb.len, &sa) == IKE_CRYPTO_OK &&
			   ike_dh_compute(b, pa.p, pa.len, &sb) == IKE_CRYPTO_OK && sa.len == len &&
			   sb.len == len && memcmp(sa.bytes, sb.bytes, len) == 0,
		   "%s: both sides compute the same g^xy of the modulus length", group->name);
		ok(ike_dh_group(a) == group, "%s: the key knows its group", group->name);
		/* 1 < y < p-1: 0, 1, p-1 (the prime ends in ...FFFF: p-1 ends in FE), p, all ones. */
		memset(bad, 0, len);
		is_int(ike_dh_compute(a, bad, len, &sa), IKE_CRYPTO_BAD_PUBLIC_VALUE, "%s: y = 0", group->name);
		bad[len - 1] = 1;
		is_int(ike_dh_compute(a, bad, len, &sa), IKE_CRYPTO_BAD_PUBLIC_VALUE, "%s: y = 1", group->name);
		bad[len - 1] = 2;
		is_int(ike_dh_compute(a, bad, len, &sa), IKE_CRYPTO_OK, "%s: y = 2 is in range", group->name);
		memset(bad, 0xff, len);
		is_int(ike_dh_compute(a, bad, len, &sa), IKE_CRYPTO_BAD_PUBLIC_VALUE, "%s: y > p", group->name);
		{
			BIGNUM *p = groups[k] == IKE_GROUP_MODP1024 ? BN_get_rfc2409_prime_1024(NULL)
				    : groups[k] == IKE_GROUP_MODP1536 ? BN_get_rfc3526_prime_1536(NULL)
								       : BN_get_rfc3526_prime_2048(NULL);

			ok(p && BN_bn2binpad(p, bad, (int)len) == (int)len, "%s: p from OpenSSL", group->name);
			is_int(ike_dh_compute(a, bad, len, &sa), IKE_CRYPTO_BAD_PUBLIC_VALUE, "%s: y = p",
			       group->name);
			bad[len - 1]--;
			is_int(ike_dh_compute(a, bad, len, &sa), IKE_CRYPTO_BAD_PUBLIC_VALUE, "%s: y = p-1",
			       group->name);
			bad[len - 1]--;
			is_int(ike_dh_compute(a, bad, len, &sa), IKE_CRYPTO_OK, "%s: y = p-2 is in range",
			       group->name);
			BN_free(p);
		}
		is_int(ike_dh_compute(a, pb.p, len - 1, &sa), IKE_CRYPTO_BAD_LENGTH, "%s: KE short by one",
		       group->name);
		memcpy(bad, pb.p, len);
		bad[len] = 0;
		is_int(ike_dh_compute(a, bad, len + 1, &sa), IKE_CRYPTO_BAD_LENGTH, "%s: KE long by one",
		       group->name);
		is_int(sa.len, 0, "%s: secret empty after a refusal", group->name);
		ike_secret_wipe(&sa);
		ike_secret_wipe(&sb);
		ike_dh_free(a);
		ike_dh_free(b);
	}
	ok(ike_dh_new(c, ike_group_find(IKE_GROUP_MODP768)) == NULL, "MODP768 refused");
	ike_dh_free(NULL);
}

/* ------------------------------------------------------------------ CBC */

static void test_cbc(const struct ike_crypto *c)
{
	const struct ike_cipher *aes = ike_cipher_find(IKE_ENCR_AES_CBC);
	const struct ike_cipher *tdes = ike_cipher_find(IKE_ENCR_3DES_CBC);
	const struct ike_cipher *des = ike_cipher_find(IKE_ENCR_DES_CBC);
	struct ike_secret key;
	struct ike_iv iv = { 16, { 0 } }, next, next2;
	uint8_t buf[64], copy[64], plain[64];
	size_t out_len = 99;

	ok(ike_secret_set(&key, "0123456789abcdef0123456789abcdef", 32) == IKE_CRYPTO_OK, "AES-256 key");
	is_int(ike_cbc_padded_len(aes, 0), 0, "padded length of nothing");
	is_int(ike_cbc_padded_len(aes, 16), 16, "an aligned body gets no padding");
	is_int(ike_cbc_padded_len(aes, 17), 32, "17 bytes pad to 32");
	is_int(ike_cbc_padded_len(tdes, 36), 40, "36 bytes pad to 40 for 3DES");

	memset(buf, 0xee, sizeof(buf));
	memcpy(buf, "twenty bytes exactly", 20);
	memcpy(copy, buf, sizeof(buf));
	is_int(ike_cbc_encrypt(c, aes, &key, &iv, buf, 20, 31, &out_len, &next), IKE_CRYPTO_BAD_LENGTH,
	       "encrypt refuses a buffer without room for the padding");
	is_int(out_len, 0, "no output length on refusal");
	is_int(ike_cbc_encrypt(c, aes, &key, &iv, buf, 20, 32, &out_len, &next), IKE_CRYPTO_OK,
	       "encrypt 20 bytes");
	is_int(out_len, 32, "ciphertext is 32 bytes");
	ok(next.len == 16 && memcmp(next.bytes, buf + 16, 16) == 0, "next IV is the last ciphertext block");
	is_int(ike_cbc_decrypt(c, aes, &key, &iv, buf, 32, plain, &next2), IKE_CRYPTO_OK, "decrypt");
	ok(memcmp(plain, copy, 20) == 0, "round trip");
	ok(plain[20] == 0 && plain[31] == 0 && memcmp(plain + 20, "\0\0\0\0\0\0\0\0\0\0\0\0", 12) == 0,
	   "padding is zero octets, the last one too");
	ok(memcmp(next2.bytes, next.bytes, 16) == 0, "decrypt gives the same next IV");
	/* In place, and iv as its own next_iv. */
	{
		struct ike_iv chain = iv;

		memcpy(plain, buf, 32);
		is_int(ike_cbc_decrypt(c, aes, &key, &chain, plain, 32, plain, &chain), IKE_CRYPTO_OK,
		       "decrypt in place");
		ok(memcmp(plain, copy, 20) == 0 && memcmp(chain.bytes, buf + 16, 16) == 0,
		   "in place: plaintext and next IV");
	}
	is_int(ike_cbc_decrypt(c, aes, &key, &iv, buf, 0, plain, &next), IKE_CRYPTO_BAD_LENGTH,
	       "decrypt refuses an empty body");
	is_int(ike_cbc_decrypt(c, aes, &key, &iv, buf, 31, plain, &next), IKE_CRYPTO_BAD_LENGTH,
	       "decrypt refuses a body that is not a block multiple");
	is_int(ike_cbc_decrypt(c, aes, &key, &iv, buf, 8, plain, &next), IKE_CRYPTO_BAD_LENGTH,
	       "decrypt refuses half an AES block");
	key.len = 20;
	is_int(ike_cbc_decrypt(c, aes, &key, &iv, buf, 32, plain, &next), IKE_CRYPTO_BAD_LENGTH,
	       "a 160-bit AES key is refused");
	key.len = 8;
	iv.len = 8;
	is_int(ike_cbc_decrypt(c, des, &key, &iv, buf, 16, plain, &next), IKE_CRYPTO_UNSUPPORTED,
	       "DES is refused");
	key.len = 24;
	is_int(ike_cbc_decrypt(c, tdes, &key, &iv, buf, 16, plain, &next), IKE_CRYPTO_OK, "3DES decrypts");
	iv.len = 16;
	is_int(ike_cbc_decrypt(c, tdes, &key, &iv, buf, 16, plain, &next), IKE_CRYPTO_BAD_LENGTH,
	       "an IV of the wrong size is refused");
	ike_secret_wipe(&key);
}

static void test_misc(const struct ike_crypto *c)
{
	const struct ike_hash *sha1 = ike_hash_find(IKE_HASH_SHA1);
	const uint8_t cky[8] = { 0 }, addr[4] = { 192, 0, 2, 1 };
	struct ike_digest d;
	struct ike_secret empty, keymat;

	is_int(ike_natd_hash(c, sha1, cky, cky, addr, 5, 500, &d), IKE_CRYPTO_BAD_LENGTH,
	       "NAT-D refuses a 5-byte address");
	ike_secret_wipe(&empty);
	empty.len = 20;
	is_int(ike_keymat_derive(c, sha1, &empty, NULL, IKE_PROTO_IPSEC_ESP, 1, SPAN(cky, 8), SPAN(cky, 8), 0,
				 &keymat),
	       IKE_CRYPTO_BAD_LENGTH, "KEYMAT of zero bytes refused");
	is_int(ike_keymat_derive(c, sha1, &empty, NULL, IKE_PROTO_IPSEC_ESP, 1, SPAN(cky, 8), SPAN(cky, 8),
				 IKE_SECRET_MAX, &keymat),
	       IKE_CRYPTO_OK, "KEYMAT of %d bytes (26 PRF blocks)", IKE_SECRET_MAX);
	is_int(keymat.len, IKE_SECRET_MAX, "KEYMAT length");
	ike_secret_wipe(&keymat);
	ike_crypto_free(NULL);
	/* Our own allocations failing (lib/alloc.h hook): NULL, no leak (ASan checks). */
	alloc_fail_at(1);
	ok(ike_crypto_new() == NULL, "context: allocation failure gives NULL");
	alloc_fail_at(1);
	ok(ike_dh_new(c, ike_group_find(IKE_GROUP_ECP256)) == NULL, "DH: allocation failure gives NULL");
	alloc_fail_at(0);
}

/* ------------------------------------------------------------------ threads */

/*
 * Several threads share one context and one peer key, as the DH workers do:
 * each makes key pairs and computes g^xy, and the main thread checks every
 * result from the other side.
 */
enum { DH_THREADS = 4, DH_ROUNDS = 8 };

struct dh_thread {
	pthread_t thread;
	const struct ike_crypto *c;
	const struct ike_group *group;
	const struct ike_dh *peer;
	uint8_t public_value[DH_ROUNDS][IKE_DH_PUBLIC_MAX];
	struct ike_secret secret[DH_ROUNDS];
	bool good;
};

static void *dh_thread_main(void *arg)
{
	struct dh_thread *t = arg;
	struct wire_span peer = ike_dh_public(t->peer);

	t->good = true;
	for (int i = 0; i < DH_ROUNDS && t->good; i++) {
		struct ike_dh *dh = ike_dh_new(t->c, t->group);

		t->good = dh && ike_dh_compute(dh, peer.p, peer.len, &t->secret[i]) == IKE_CRYPTO_OK;
		if (dh)
			memcpy(t->public_value[i], ike_dh_public(dh).p, t->group->public_len);
		ike_dh_free(dh);
	}
	return NULL;
}

static void test_dh_threads(const struct ike_crypto *c)
{
	static const uint16_t groups[] = { IKE_GROUP_MODP1024, IKE_GROUP_ECP256 };

	for (size_t k = 0; k < ARRAY_SIZE(groups); k++) {
		const struct ike_group *group = ike_group_find(groups[k]);
		struct ike_dh *peer = ike_dh_new(c, group);
		struct dh_thread *t = calloc(DH_THREADS, sizeof(*t));
		bool started = peer && t, agree = true;
		int n = 0;

		for (; started && n < DH_THREADS; n++) {
			t[n].c = c;
			t[n].group = group;
			t[n].peer = peer;
			started = pthread_create(&t[n].thread, NULL, dh_thread_main, &t[n]) == 0;
		}
		for (int i = 0; i < n; i++)
			pthread_join(t[i].thread, NULL);
		for (int i = 0; started && i < n; i++) {
			for (int r = 0; r < DH_ROUNDS && agree; r++) {
				struct ike_secret s;

				agree = t[i].good &&
					ike_dh_compute(peer, t[i].public_value[r], group->public_len, &s) ==
						IKE_CRYPTO_OK &&
					s.len == t[i].secret[r].len &&
					memcmp(s.bytes, t[i].secret[r].bytes, s.len) == 0;
				ike_secret_wipe(&s);
				ike_secret_wipe(&t[i].secret[r]);
			}
		}
		ok(started && agree, "%s: %d threads x %d exchanges on one context agree", group->name,
		   DH_THREADS, DH_ROUNDS);
		free(t);
		ike_dh_free(peer);
	}
}

/* ------------------------------------------------------------------ timing */

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void bench_dh(const struct ike_crypto *c)
{
	static const uint16_t groups[] = { IKE_GROUP_MODP1024, IKE_GROUP_MODP1536, IKE_GROUP_MODP2048,
					   IKE_GROUP_ECP256, IKE_GROUP_ECP384 };

	for (size_t k = 0; k < ARRAY_SIZE(groups); k++) {
		const struct ike_group *group = ike_group_find(groups[k]);
		struct ike_dh *peer = ike_dh_new(c, group);
		struct ike_secret s;
		int rounds = 200;
		double t0, t1, t2;
		bool good = peer != NULL;

		t0 = now_seconds();
		for (int i = 0; good && i < rounds; i++) {
			struct ike_dh *dh = ike_dh_new(c, group);

			good = dh != NULL;
			ike_dh_free(dh);
		}
		t1 = now_seconds();
		for (int i = 0; good && i < rounds; i++) {
			struct wire_span p = ike_dh_public(peer);

			good = ike_dh_compute(peer, p.p, p.len, &s) == IKE_CRYPTO_OK;
		}
		t2 = now_seconds();
		ok(good, "bench %s", group->name);
		tap_diag("%-22s key pair %8.1f us   shared secret %8.1f us", group->name,
			 (t1 - t0) / rounds * 1e6, (t2 - t1) / rounds * 1e6);
		ike_secret_wipe(&s);
		ike_dh_free(peer);
	}
}

int main(void)
{
	static const char *const vectors[] = {
		"3des-sha1-modp1024",   "aes256-sha1-modp2048",     "aes128-sha256-ecp256",
		"aes192-sha384-ecp384-pfs", "3des-md5-modp1536-pfs", "aes256-sha512-modp1024",
	};
	struct ike_crypto *c = ike_crypto_new();

	ok(c != NULL, "crypto context");
	if (!c)
		return tap_done();
	test_tables();
	test_secret();
	test_hmac(c);
	test_dh_rfc5903(c);
	test_dh_modp(c);
	test_cbc(c);
	test_misc(c);
	test_dh_threads(c);
	for (size_t i = 0; i < ARRAY_SIZE(vectors); i++)
		check_vector(c, vectors[i]);
	if (getenv("IKE_CRYPTO_BENCH"))
		bench_dh(c);
	ike_crypto_free(c);
	return tap_done();
}
