/*
 * ike_initiator.c - the test initiator.  See ike_initiator.h.
 */
#include "tests/harness/ike_initiator.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <string.h>

#include "ike/isakmp_const.h"
#include "lib/wire.h"

/* ------------------------------------------------------------ SA bodies */

static void attr_put(struct wire_wr *wr, uint16_t type, uint32_t value)
{
	if (value <= 0xffff) {
		wire_put_be16(wr, (uint16_t)(ISAKMP_ATTR_AF | type));
		wire_put_be16(wr, (uint16_t)value);
	} else {
		wire_put_be16(wr, type);
		wire_put_be16(wr, 4);
		wire_put_be32(wr, value);
	}
}

static void p1_transform_put(struct wire_wr *wr, const struct ike_init_p1 *t, uint8_t number,
			     bool last)
{
	size_t at = wire_mark(wr);

	wire_put_u8(wr, last ? 0 : ISAKMP_PAYLOAD_TRANSFORM);
	wire_put_u8(wr, 0);
	wire_put_be16(wr, 0);
	wire_put_u8(wr, number);
	wire_put_u8(wr, ISAKMP_KEY_IKE);
	wire_put_be16(wr, 0);
	if (t->cipher)
		attr_put(wr, OAKLEY_ENCRYPTION_ALGORITHM, t->cipher);
	if (t->key_bits)
		attr_put(wr, OAKLEY_KEY_LENGTH, t->key_bits);
	if (t->hash)
		attr_put(wr, OAKLEY_HASH_ALGORITHM, t->hash);
	if (t->auth)
		attr_put(wr, OAKLEY_AUTHENTICATION_METHOD, t->auth);
	if (t->group)
		attr_put(wr, OAKLEY_GROUP_DESCRIPTION, t->group);
	if (t->life_seconds) {
		attr_put(wr, OAKLEY_LIFE_TYPE, OAKLEY_LIFE_SECONDS);
		attr_put(wr, OAKLEY_LIFE_DURATION, t->life_seconds);
	}
	if (t->life_kbytes) {
		attr_put(wr, OAKLEY_LIFE_TYPE, OAKLEY_LIFE_KILOBYTES);
		attr_put(wr, OAKLEY_LIFE_DURATION, t->life_kbytes);
	}
	wire_patch_be16(wr, at + 2, (uint16_t)(wire_mark(wr) - at));
}

size_t ike_init_p1_sa_body(uint8_t *buf, size_t cap, const struct ike_init_p1 *t, size_t n)
{
	struct wire_wr wr = wire_wr_init(buf, cap);
	size_t prop_at;

	wire_put_be32(&wr, ISAKMP_DOI_IPSEC);
	wire_put_be32(&wr, ISAKMP_SIT_IDENTITY_ONLY);
	prop_at = wire_mark(&wr);
	wire_put_u8(&wr, 0);
	wire_put_u8(&wr, 0);
	wire_put_be16(&wr, 0);
	wire_put_u8(&wr, 1);
	wire_put_u8(&wr, ISAKMP_PROTO_ISAKMP);
	wire_put_u8(&wr, 0);
	wire_put_u8(&wr, (uint8_t)n);
	for (size_t i = 0; i < n; i++)
		p1_transform_put(&wr, &t[i], (uint8_t)(i + 1), i + 1 == n);
	wire_patch_be16(&wr, prop_at + 2, (uint16_t)(wire_mark(&wr) - prop_at));
	return wire_wr_ok(&wr) ? wr.len : 0;
}

static void esp_transform_put(struct wire_wr *wr, const struct ike_init_esp *t, uint8_t number,
			      bool last)
{
	size_t at = wire_mark(wr);

	wire_put_u8(wr, last ? 0 : ISAKMP_PAYLOAD_TRANSFORM);
	wire_put_u8(wr, 0);
	wire_put_be16(wr, 0);
	wire_put_u8(wr, number);
	wire_put_u8(wr, t->transform_id);
	wire_put_be16(wr, 0);
	if (t->life_seconds) {
		attr_put(wr, IPSEC_SA_LIFE_TYPE, IPSEC_SA_LIFE_TYPE_SECONDS);
		attr_put(wr, IPSEC_SA_LIFE_DURATION, t->life_seconds);
	}
	if (t->life_kbytes) {
		attr_put(wr, IPSEC_SA_LIFE_TYPE, IPSEC_SA_LIFE_TYPE_KBYTES);
		attr_put(wr, IPSEC_SA_LIFE_DURATION, t->life_kbytes);
	}
	if (t->group)
		attr_put(wr, IPSEC_GROUP_DESCRIPTION, t->group);
	if (t->mode)
		attr_put(wr, IPSEC_ENCAPSULATION_MODE, t->mode);
	if (t->integ)
		attr_put(wr, IPSEC_AUTH_ALGORITHM, t->integ);
	if (t->key_bits)
		attr_put(wr, IPSEC_KEY_LENGTH, t->key_bits);
	wire_patch_be16(wr, at + 2, (uint16_t)(wire_mark(wr) - at));
}

static void esp_proposal_put(struct wire_wr *wr, uint8_t number, uint32_t spi,
			     const struct ike_init_esp *t, size_t n, bool last)
{
	size_t at = wire_mark(wr);

	wire_put_u8(wr, last ? 0 : ISAKMP_PAYLOAD_PROPOSAL);
	wire_put_u8(wr, 0);
	wire_put_be16(wr, 0);
	wire_put_u8(wr, number);
	wire_put_u8(wr, ISAKMP_PROTO_IPSEC_ESP);
	wire_put_u8(wr, 4);
	wire_put_u8(wr, (uint8_t)n);
	wire_put_be32(wr, spi);
	for (size_t i = 0; i < n; i++)
		esp_transform_put(wr, &t[i], (uint8_t)(i + 1), i + 1 == n);
	wire_patch_be16(wr, at + 2, (uint16_t)(wire_mark(wr) - at));
}

size_t ike_init_esp_sa_body(uint8_t *buf, size_t cap, uint32_t spi, const struct ike_init_esp *t,
			    size_t n, bool split)
{
	struct wire_wr wr = wire_wr_init(buf, cap);

	wire_put_be32(&wr, ISAKMP_DOI_IPSEC);
	wire_put_be32(&wr, ISAKMP_SIT_IDENTITY_ONLY);
	if (split)
		for (size_t i = 0; i < n; i++)
			esp_proposal_put(&wr, (uint8_t)(i + 1), spi, &t[i], 1, i + 1 == n);
	else
		esp_proposal_put(&wr, 1, spi, t, n, true);
	return wire_wr_ok(&wr) ? wr.len : 0;
}

/* ------------------------------------------------------------ common */

int ike_init_start(struct ike_init *in, const struct ike_crypto *crypto,
		   const struct ike_init_conf *conf)
{
	memset(in, 0, sizeof(*in));
	in->crypto = crypto;
	in->conf = *conf;
	if (RAND_bytes(in->cky_i, 8) != 1 ||
	    ike_secret_set(&in->psk, conf->psk, strlen(conf->psk)) != IKE_CRYPTO_OK)
		return -1;
	return 0;
}

void ike_init_free(struct ike_init *in)
{
	ike_dh_free(in->own_dh);
	ike_dh_free(in->qm_dh);
	in->own_dh = in->qm_dh = NULL;
	in->dh = NULL;
	ike_secret_wipe(&in->psk);
	ike_secret_wipe(&in->qm_g_xy);
	ike_phase1_keys_wipe(&in->keys);
	ike_esp_keys_wipe(&in->keys_i_to_r);
	ike_esp_keys_wipe(&in->keys_r_to_i);
}

static void hdr_start(struct ike_init *in, struct isakmp_builder *b, struct wire_wr *wr,
		      uint8_t *out, size_t cap, uint8_t exchange, uint8_t flags, uint32_t mid)
{
	struct isakmp_hdr hdr;

	memset(&hdr, 0, sizeof(hdr));
	memcpy(hdr.initiator_cookie, in->cky_i, 8);
	memcpy(hdr.responder_cookie, in->cky_r, 8);
	hdr.exchange_type = exchange;
	hdr.flags = flags;
	hdr.message_id = mid;
	*wr = wire_wr_init(out, cap - IKE_BLOCK_MAX);
	isakmp_hdr_build(b, wr, &hdr);
}

static long finish_plain(struct isakmp_builder *b)
{
	isakmp_msg_finish(b);
	return isakmp_builder_ok(b) ? (long)b->wr->len : -90;
}

/* Encrypts the body in place with iv (updated), and writes the final length. */
static long finish_encrypted(struct ike_init *in, struct isakmp_builder *b, struct ike_iv *iv)
{
	size_t out_len;

	isakmp_msg_finish(b);
	if (!isakmp_builder_ok(b) ||
	    ike_cbc_encrypt(in->crypto, in->cipher, &in->keys.enc_key, iv, b->wr->p + 28,
			    b->wr->len - 28, b->wr->cap + IKE_BLOCK_MAX - 28, &out_len,
			    iv) != IKE_CRYPTO_OK)
		return -91;
	b->wr->len = 28 + out_len;
	isakmp_msg_finish(b);
	return isakmp_builder_ok(b) ? (long)b->wr->len : -92;
}

static int parse_plain(const uint8_t *msg, size_t len, struct isakmp_hdr *hdr,
		       struct isakmp_msg *m)
{
	if (isakmp_hdr_parse((struct wire_span){ msg, len }, hdr) != ISAKMP_OK)
		return -1;
	if (isakmp_payloads_parse(hdr->next_payload, hdr->body, false, m) != ISAKMP_OK)
		return -2;
	return 0;
}

static uint8_t decrypted[65536];

static int parse_encrypted(struct ike_init *in, const uint8_t *msg, size_t len,
			   struct ike_iv *iv, struct isakmp_hdr *hdr, struct isakmp_msg *m)
{
	if (isakmp_hdr_parse((struct wire_span){ msg, len }, hdr) != ISAKMP_OK ||
	    !(hdr->flags & ISAKMP_FLAG_ENCRYPTION))
		return -1;
	if (ike_cbc_decrypt(in->crypto, in->cipher, &in->keys.enc_key, iv, hdr->body.p,
			    hdr->body.len, decrypted, iv) != IKE_CRYPTO_OK)
		return -2;
	if (isakmp_payloads_parse(hdr->next_payload, (struct wire_span){ decrypted, hdr->body.len },
				  true, m) != ISAKMP_OK)
		return -3;
	return 0;
}

static struct wire_span after_hash(const struct isakmp_msg *m)
{
	const struct isakmp_payload *f = &m->payloads[0], *l = &m->payloads[m->count - 1];

	if (m->count < 1 || f->type != ISAKMP_PAYLOAD_HASH)
		return (struct wire_span){ NULL, 0 };
	return (struct wire_span){ f->raw.p + f->raw.len,
				   (size_t)(l->raw.p + l->raw.len - (f->raw.p + f->raw.len)) };
}

static bool digest_eq(struct wire_span got, const struct ike_digest *d)
{
	return got.len == d->len && CRYPTO_memcmp(got.p, d->bytes, d->len) == 0;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static bool natd_hash(struct ike_init *in, const struct netaddr *a, struct ike_digest *d)
{
	return ike_natd_hash(in->crypto, in->hash, in->cky_i, in->cky_r, a->addr.bytes,
			     netaddr_len(a), a->port, d) == IKE_CRYPTO_OK;
}

/* ------------------------------------------------------------ Main Mode */

long ike_init_mm1(struct ike_init *in, uint8_t *out, size_t cap)
{
	struct isakmp_builder b;
	struct wire_wr wr;
	size_t count, mark;
	const struct isakmp_vid *table = isakmp_vid_table(&count);

	in->sai_b_len = ike_init_p1_sa_body(in->sai_b, sizeof(in->sai_b), in->conf.p1,
					    in->conf.p1_count);
	if (!in->sai_b_len)
		return -1;
	hdr_start(in, &b, &wr, out, cap, ISAKMP_EXCHANGE_ID_PROT, 0, 0);
	mark = isakmp_payload_begin(&b, ISAKMP_PAYLOAD_SA);
	wire_put_bytes(&wr, in->sai_b, in->sai_b_len);
	isakmp_payload_end(&b, mark);
	for (size_t v = 0; v < in->conf.vid_count; v++) {
		for (size_t i = 0; i < count; i++) {
			if (strcmp(table[i].name, in->conf.vids[v]) == 0) {
				isakmp_vid_build(&b, (struct wire_span){ table[i].bytes, table[i].len });
				break;
			}
		}
	}
	return finish_plain(&b);
}

static int read_p1_transform(struct ike_init *in, struct wire_span sa_body)
{
	struct isakmp_sa sa;
	struct wire_rd prd, trd, ard;
	struct isakmp_proposal prop;
	struct isakmp_transform tr;
	struct isakmp_attr attr;
	unsigned key_bits = 0;

	if (isakmp_sa_parse(sa_body, &sa) != ISAKMP_OK || sa.proposal_count != 1)
		return -11;
	prd = wire_rd_init(sa.proposals.p, sa.proposals.len);
	if (!isakmp_proposal_next(&prd, &prop) || prop.transform_count != 1)
		return -12;
	trd = wire_rd_init(prop.transforms.p, prop.transforms.len);
	if (!isakmp_transform_next(&trd, &tr))
		return -13;
	ard = wire_rd_init(tr.attrs.p, tr.attrs.len);
	while (isakmp_attr_next(&ard, &attr)) {
		if (attr.type == OAKLEY_ENCRYPTION_ALGORITHM)
			in->cipher = ike_cipher_find((uint16_t)attr.value);
		else if (attr.type == OAKLEY_HASH_ALGORITHM)
			in->hash = ike_hash_find((uint16_t)attr.value);
		else if (attr.type == OAKLEY_GROUP_DESCRIPTION)
			in->group = ike_group_find((uint16_t)attr.value);
		else if (attr.type == OAKLEY_KEY_LENGTH)
			key_bits = (unsigned)attr.value;
	}
	if (!in->cipher || !in->hash || !in->group)
		return -14;
	if (in->cipher->id == IKE_ENCR_AES_CBC && key_bits == 0)
		key_bits = 128;
	return ike_cipher_key_len(in->cipher, key_bits, &in->key_len) ? 0 : -15;
}

int ike_init_recv_mm2(struct ike_init *in, const uint8_t *msg, size_t len)
{
	struct isakmp_hdr hdr;
	struct isakmp_msg m;
	const struct isakmp_payload *sa;
	int r = parse_plain(msg, len, &hdr, &m);

	if (r)
		return r;
	if (hdr.exchange_type == ISAKMP_EXCHANGE_INFORMATIONAL)
		return -3;
	memcpy(in->cky_r, hdr.responder_cookie, 8);
	sa = isakmp_msg_find(&m, ISAKMP_PAYLOAD_SA, 0);
	if (!sa)
		return -4;
	r = read_p1_transform(in, sa->body);
	if (r)
		return r;
	for (size_t i = 0; i < m.count; i++) {
		const struct isakmp_vid *vid;

		if (m.payloads[i].type != ISAKMP_PAYLOAD_VID)
			continue;
		vid = isakmp_vid_lookup(m.payloads[i].body);
		if (vid && vid->kind == ISAKMP_VID_NATT)
			in->natt = vid->natt;
		if (vid && vid->kind == ISAKMP_VID_DPD)
			in->dpd_vid = true;
	}
	return 0;
}

long ike_init_mm3(struct ike_init *in, uint8_t *out, size_t cap)
{
	struct isakmp_builder b;
	struct wire_wr wr;
	struct ike_digest them, us;
	struct netaddr self = in->conf.local;

	if (in->conf.main_mode_dh && ike_dh_group(in->conf.main_mode_dh) == in->group) {
		in->dh = in->conf.main_mode_dh;
	} else {
		ike_dh_free(in->own_dh);
		in->dh = in->own_dh = ike_dh_new(in->crypto, in->group);
	}
	if (!in->dh || RAND_bytes(in->ni, sizeof(in->ni)) != 1)
		return -1;
	hdr_start(in, &b, &wr, out, cap, ISAKMP_EXCHANGE_ID_PROT, 0, 0);
	isakmp_ke_build(&b, ike_dh_public(in->dh));
	isakmp_nonce_build(&b, (struct wire_span){ in->ni, sizeof(in->ni) });
	if (in->natt != ISAKMP_NATT_NONE) {
		if (in->conf.behind_nat)
			self.addr.bytes[3] ^= 0x5a;     /* the address a NAT rewrote */
		if (!natd_hash(in, &in->conf.remote, &them) || !natd_hash(in, &self, &us))
			return -2;
		isakmp_natd_build(&b, isakmp_natt_natd_payload(in->natt),
				  (struct wire_span){ them.bytes, them.len });
		isakmp_natd_build(&b, isakmp_natt_natd_payload(in->natt),
				  (struct wire_span){ us.bytes, us.len });
	}
	return finish_plain(&b);
}

int ike_init_recv_mm4(struct ike_init *in, const uint8_t *msg, size_t len)
{
	struct isakmp_hdr hdr;
	struct isakmp_msg m;
	const struct isakmp_payload *ke, *nonce;
	struct ike_secret g_xy, skeyid;
	int r = parse_plain(msg, len, &hdr, &m);

	if (r)
		return r;
	ke = isakmp_msg_find(&m, ISAKMP_PAYLOAD_KE, 0);
	nonce = isakmp_msg_find(&m, ISAKMP_PAYLOAD_NONCE, 0);
	if (!ke || !nonce || ke->body.len > sizeof(in->g_xr) || nonce->body.len > sizeof(in->nr))
		return -3;
	memcpy(in->g_xr, ke->body.p, ke->body.len);
	in->g_xr_len = ke->body.len;
	memcpy(in->nr, nonce->body.p, nonce->body.len);
	in->nr_len = nonce->body.len;
	if (in->natt != ISAKMP_NATT_NONE) {
		const struct isakmp_payload *first = isakmp_msg_find(&m, isakmp_natt_natd_payload(in->natt), 0);
		struct ike_digest d;

		if (!first || isakmp_msg_count(&m, isakmp_natt_natd_payload(in->natt)) != 2)
			return -4;
		if (!natd_hash(in, &in->conf.local, &d))
			return -5;
		in->nat_seen_by_us = !digest_eq(first->body, &d);
		if (!natd_hash(in, &in->conf.remote, &d))
			return -5;
		in->server_nat_seen =
			!digest_eq(isakmp_msg_find(&m, isakmp_natt_natd_payload(in->natt), 1)->body, &d);
	}
	if (ike_dh_compute(in->dh, in->g_xr, in->g_xr_len, &g_xy) != IKE_CRYPTO_OK)
		return -6;
	r = ike_skeyid_psk(in->crypto, in->hash, &in->psk, (struct wire_span){ in->ni, sizeof(in->ni) },
			   (struct wire_span){ in->nr, in->nr_len }, &skeyid) == IKE_CRYPTO_OK &&
		    ike_phase1_keys_derive(in->crypto, in->hash, in->key_len, &skeyid, &g_xy, in->cky_i,
					   in->cky_r, &in->keys) == IKE_CRYPTO_OK &&
		    ike_iv_phase1(in->crypto, in->hash, in->cipher, ike_dh_public(in->dh),
				  (struct wire_span){ in->g_xr, in->g_xr_len }, &in->iv) == IKE_CRYPTO_OK
		    ? 0
		    : -7;
	ike_secret_wipe(&g_xy);
	ike_secret_wipe(&skeyid);
	return r;
}

long ike_init_mm5(struct ike_init *in, uint8_t *out, size_t cap)
{
	struct isakmp_builder b;
	struct wire_wr wr;
	struct ike_digest hash_i;
	size_t alen = netaddr_len(&in->conf.local);
	struct isakmp_id id = { alen == 16 ? ISAKMP_ID_IPV6_ADDR : ISAKMP_ID_IPV4_ADDR, 17, 500,
				{ in->conf.local.addr.bytes, alen } };
	uint8_t *at;

	in->idii_b[0] = id.type;
	in->idii_b[1] = 17;
	in->idii_b[2] = 500 >> 8;
	in->idii_b[3] = 500 & 0xff;
	memcpy(in->idii_b + 4, in->conf.local.addr.bytes, alen);
	in->idii_b_len = 4 + alen;
	if (ike_phase1_hash(in->crypto, in->hash, &in->keys.skeyid, true, ike_dh_public(in->dh),
			    (struct wire_span){ in->g_xr, in->g_xr_len }, in->cky_i, in->cky_r,
			    (struct wire_span){ in->sai_b, in->sai_b_len },
			    (struct wire_span){ in->idii_b, in->idii_b_len }, &hash_i) != IKE_CRYPTO_OK)
		return -1;
	hdr_start(in, &b, &wr, out, cap, ISAKMP_EXCHANGE_ID_PROT, ISAKMP_FLAG_ENCRYPTION, 0);
	isakmp_id_build(&b, &id);
	at = isakmp_hash_build(&b, hash_i.len);
	if (!at)
		return -2;
	memcpy(at, hash_i.bytes, hash_i.len);
	if (in->conf.initial_contact) {
		uint8_t spi[16];
		struct isakmp_notify n = { ISAKMP_DOI_IPSEC, ISAKMP_PROTO_ISAKMP,
					   ISAKMP_NOTIFY_INITIAL_CONTACT, { spi, 16 }, { NULL, 0 } };

		memcpy(spi, in->cky_i, 8);
		memcpy(spi + 8, in->cky_r, 8);
		isakmp_notify_build(&b, &n);
	}
	return finish_encrypted(in, &b, &in->iv);
}

int ike_init_recv_mm6(struct ike_init *in, const uint8_t *msg, size_t len)
{
	struct isakmp_hdr hdr;
	struct isakmp_msg m;
	const struct isakmp_payload *id, *hash;
	struct ike_digest hash_r;
	int r = parse_encrypted(in, msg, len, &in->iv, &hdr, &m);

	if (r)
		return r;
	id = isakmp_msg_find(&m, ISAKMP_PAYLOAD_ID, 0);
	hash = isakmp_msg_find(&m, ISAKMP_PAYLOAD_HASH, 0);
	if (!id || !hash)
		return -4;
	if (ike_phase1_hash(in->crypto, in->hash, &in->keys.skeyid, false, ike_dh_public(in->dh),
			    (struct wire_span){ in->g_xr, in->g_xr_len }, in->cky_i, in->cky_r,
			    (struct wire_span){ in->sai_b, in->sai_b_len }, id->body,
			    &hash_r) != IKE_CRYPTO_OK)
		return -5;
	return digest_eq(hash->body, &hash_r) ? 0 : -6;
}

/* ------------------------------------------------------------ Quick Mode */

static void qm1_body(struct ike_init *in, struct isakmp_builder *b, const struct ike_init_qm *qm,
		     uint32_t spi_i)
{
	static uint8_t sa[2048];
	size_t sa_len = ike_init_esp_sa_body(sa, sizeof(sa), spi_i, qm->esp, qm->esp_count, qm->split);
	size_t mark = isakmp_payload_begin(b, ISAKMP_PAYLOAD_SA);
	size_t alen = netaddr_len(&in->conf.local);

	wire_put_bytes(b->wr, sa, sa_len);
	isakmp_payload_end(b, mark);
	isakmp_nonce_build(b, (struct wire_span){ in->qm_ni, sizeof(in->qm_ni) });
	if (in->qm_dh)
		isakmp_ke_build(b, ike_dh_public(in->qm_dh));
	if (!qm->no_ids) {
		struct isakmp_id ci = { alen == 16 ? ISAKMP_ID_IPV6_ADDR : ISAKMP_ID_IPV4_ADDR, 17,
					qm->client_port, { in->conf.local.addr.bytes, alen } };
		struct isakmp_id cr = { ci.type, 17, 1701, { in->conf.remote.addr.bytes, alen } };

		isakmp_id_build(b, &ci);
		isakmp_id_build(b, &cr);
	}
	for (unsigned i = 0; i < qm->natoa_count; i++)
		isakmp_natoa_build(b, isakmp_natt_natoa_payload(in->natt),
				   (struct wire_span){ i == 0 ? in->conf.local.addr.bytes
							      : in->conf.remote.addr.bytes, alen });
}

long ike_init_qm1(struct ike_init *in, uint32_t mid, uint32_t spi_i, const struct ike_init_qm *qm,
		  uint8_t *out, size_t cap)
{
	struct isakmp_builder b;
	struct wire_wr wr;
	struct ike_digest d;
	size_t start;
	uint8_t *at;

	in->qm_mid = mid;
	in->spi_i = spi_i;
	ike_dh_free(in->qm_dh);
	in->qm_dh = NULL;
	ike_secret_wipe(&in->qm_g_xy);
	if (qm->pfs_group) {
		in->qm_dh = ike_dh_new(in->crypto, ike_group_find(qm->pfs_group));
		if (!in->qm_dh)
			return -1;
	}
	if (RAND_bytes(in->qm_ni, sizeof(in->qm_ni)) != 1 ||
	    ike_iv_phase2(in->crypto, in->hash, in->cipher, &in->iv, mid, &in->qm_iv) != IKE_CRYPTO_OK)
		return -2;
	hdr_start(in, &b, &wr, out, cap, ISAKMP_EXCHANGE_QUICK, ISAKMP_FLAG_ENCRYPTION, mid);
	at = isakmp_hash_build(&b, in->hash->output_len);
	start = wire_mark(&wr);
	qm1_body(in, &b, qm, spi_i);
	if (!at || !isakmp_builder_ok(&b) ||
	    ike_qm_hash1(in->crypto, in->hash, &in->keys.skeyid_a, mid,
			 (struct wire_span){ out + start, wr.len - start }, &d) != IKE_CRYPTO_OK)
		return -3;
	memcpy(at, d.bytes, d.len);
	return finish_encrypted(in, &b, &in->qm_iv);
}

static int read_esp_reply(struct ike_init *in, struct wire_span body)
{
	struct isakmp_sa sa;
	struct wire_rd prd, trd, ard;
	struct isakmp_proposal prop;
	struct isakmp_transform tr;
	struct isakmp_attr attr;

	if (isakmp_sa_parse(body, &sa) != ISAKMP_OK || sa.proposal_count != 1)
		return -20;
	prd = wire_rd_init(sa.proposals.p, sa.proposals.len);
	if (!isakmp_proposal_next(&prd, &prop) || prop.spi.len != 4 || prop.transform_count != 1)
		return -21;
	in->spi_r = be32(prop.spi.p);
	trd = wire_rd_init(prop.transforms.p, prop.transforms.len);
	if (!isakmp_transform_next(&trd, &tr))
		return -22;
	in->esp_id = tr.transform_id;
	in->esp_key_bits = 0;
	ard = wire_rd_init(tr.attrs.p, tr.attrs.len);
	while (isakmp_attr_next(&ard, &attr)) {
		if (attr.type == IPSEC_AUTH_ALGORITHM)
			in->esp_integ = (uint16_t)attr.value;
		else if (attr.type == IPSEC_KEY_LENGTH)
			in->esp_key_bits = (uint16_t)attr.value;
		else if (attr.type == IPSEC_ENCAPSULATION_MODE)
			in->esp_mode = (uint16_t)attr.value;
	}
	return 0;
}

static int qm_keys(struct ike_init *in)
{
	const struct ike_esp_cipher *cipher = ike_esp_cipher_find(in->esp_id);
	const struct ike_esp_auth *auth = ike_esp_auth_find(in->esp_integ);
	const struct ike_secret *g = in->qm_dh ? &in->qm_g_xy : NULL;
	struct wire_span ni = { in->qm_ni, sizeof(in->qm_ni) }, nr = { in->qm_nr, in->qm_nr_len };
	unsigned bits = in->esp_key_bits ? in->esp_key_bits : (in->esp_id == IKE_ESP_AES ? 128 : 0);
	size_t enc_len;

	if (!cipher || !auth || !ike_esp_cipher_key_len(cipher, bits, &enc_len))
		return -30;
	if (ike_esp_keys_derive(in->crypto, in->hash, &in->keys.skeyid_d, g, in->spi_r, ni, nr,
				enc_len, auth, &in->keys_i_to_r) != IKE_CRYPTO_OK ||
	    ike_esp_keys_derive(in->crypto, in->hash, &in->keys.skeyid_d, g, in->spi_i, ni, nr,
				enc_len, auth, &in->keys_r_to_i) != IKE_CRYPTO_OK)
		return -31;
	return 0;
}

int ike_init_recv_qm2(struct ike_init *in, const uint8_t *msg, size_t len)
{
	struct isakmp_hdr hdr;
	struct isakmp_msg m;
	const struct isakmp_payload *sa, *nonce, *ke;
	struct ike_digest d;
	int r = parse_encrypted(in, msg, len, &in->qm_iv, &hdr, &m);

	if (r)
		return r;
	if (hdr.exchange_type != ISAKMP_EXCHANGE_QUICK || hdr.message_id != in->qm_mid)
		return -4;
	if (ike_qm_hash2(in->crypto, in->hash, &in->keys.skeyid_a, in->qm_mid,
			 (struct wire_span){ in->qm_ni, sizeof(in->qm_ni) }, after_hash(&m),
			 &d) != IKE_CRYPTO_OK ||
	    !digest_eq(m.payloads[0].body, &d))
		return -5;
	sa = isakmp_msg_find(&m, ISAKMP_PAYLOAD_SA, 0);
	nonce = isakmp_msg_find(&m, ISAKMP_PAYLOAD_NONCE, 0);
	ke = isakmp_msg_find(&m, ISAKMP_PAYLOAD_KE, 0);
	if (!sa || !nonce || nonce->body.len > sizeof(in->qm_nr) || (!ke) != (!in->qm_dh))
		return -6;
	memcpy(in->qm_nr, nonce->body.p, nonce->body.len);
	in->qm_nr_len = nonce->body.len;
	in->qm2_natoa_count = (unsigned)(isakmp_msg_count(&m, ISAKMP_PAYLOAD_NATOA) +
					 isakmp_msg_count(&m, ISAKMP_PAYLOAD_NATOA_DRAFT));
	if (ke && ike_dh_compute(in->qm_dh, ke->body.p, ke->body.len, &in->qm_g_xy) != IKE_CRYPTO_OK)
		return -7;
	r = read_esp_reply(in, sa->body);
	return r ? r : qm_keys(in);
}

long ike_init_qm3(struct ike_init *in, uint8_t *out, size_t cap)
{
	struct isakmp_builder b;
	struct wire_wr wr;
	struct ike_digest d;
	uint8_t *at;

	if (ike_qm_hash3(in->crypto, in->hash, &in->keys.skeyid_a, in->qm_mid,
			 (struct wire_span){ in->qm_ni, sizeof(in->qm_ni) },
			 (struct wire_span){ in->qm_nr, in->qm_nr_len }, &d) != IKE_CRYPTO_OK)
		return -1;
	hdr_start(in, &b, &wr, out, cap, ISAKMP_EXCHANGE_QUICK, ISAKMP_FLAG_ENCRYPTION, in->qm_mid);
	at = isakmp_hash_build(&b, d.len);
	if (!at)
		return -2;
	memcpy(at, d.bytes, d.len);
	return finish_encrypted(in, &b, &in->qm_iv);
}

/* ------------------------------------------------------------ Informational */

static long info_build(struct ike_init *in, uint32_t mid, const struct isakmp_delete *del,
		       const struct isakmp_notify *n, uint8_t *out, size_t cap)
{
	struct isakmp_builder b;
	struct wire_wr wr;
	struct ike_digest d;
	struct ike_iv iv;
	size_t start;
	uint8_t *at;

	if (ike_iv_phase2(in->crypto, in->hash, in->cipher, &in->iv, mid, &iv) != IKE_CRYPTO_OK)
		return -1;
	hdr_start(in, &b, &wr, out, cap, ISAKMP_EXCHANGE_INFORMATIONAL, ISAKMP_FLAG_ENCRYPTION, mid);
	at = isakmp_hash_build(&b, in->hash->output_len);
	start = wire_mark(&wr);
	if (del)
		isakmp_delete_build(&b, del);
	if (n)
		isakmp_notify_build(&b, n);
	if (!at || !isakmp_builder_ok(&b) ||
	    ike_info_hash(in->crypto, in->hash, &in->keys.skeyid_a, mid,
			  (struct wire_span){ out + start, wr.len - start }, &d) != IKE_CRYPTO_OK)
		return -2;
	memcpy(at, d.bytes, d.len);
	return finish_encrypted(in, &b, &iv);
}

long ike_init_delete_esp(struct ike_init *in, uint32_t mid, uint32_t spi, uint8_t *out, size_t cap)
{
	uint8_t be[4] = { (uint8_t)(spi >> 24), (uint8_t)(spi >> 16), (uint8_t)(spi >> 8),
			  (uint8_t)spi };
	struct isakmp_delete del = { ISAKMP_DOI_IPSEC, ISAKMP_PROTO_IPSEC_ESP, 4, 1, { be, 4 } };

	return info_build(in, mid, &del, NULL, out, cap);
}

long ike_init_delete_isakmp(struct ike_init *in, uint32_t mid, uint8_t *out, size_t cap)
{
	uint8_t spi[16];
	struct isakmp_delete del = { ISAKMP_DOI_IPSEC, ISAKMP_PROTO_ISAKMP, 16, 1, { spi, 16 } };

	memcpy(spi, in->cky_i, 8);
	memcpy(spi + 8, in->cky_r, 8);
	return info_build(in, mid, &del, NULL, out, cap);
}

long ike_init_notify(struct ike_init *in, uint32_t mid, uint16_t type, uint32_t seq, uint8_t *out,
		     size_t cap)
{
	uint8_t spi[16], data[4] = { (uint8_t)(seq >> 24), (uint8_t)(seq >> 16), (uint8_t)(seq >> 8),
				     (uint8_t)seq };
	bool dpd = type == ISAKMP_NOTIFY_R_U_THERE || type == ISAKMP_NOTIFY_R_U_THERE_ACK;
	struct isakmp_notify n = { ISAKMP_DOI_IPSEC, ISAKMP_PROTO_ISAKMP, type, { spi, 16 },
				   { data, dpd ? 4 : 0 } };

	memcpy(spi, in->cky_i, 8);
	memcpy(spi + 8, in->cky_r, 8);
	return info_build(in, mid, NULL, &n, out, cap);
}

int ike_init_recv_info(struct ike_init *in, const uint8_t *msg, size_t len)
{
	struct isakmp_hdr hdr;
	struct isakmp_msg m;
	struct ike_digest d;
	struct ike_iv iv;
	int r;

	if (isakmp_hdr_parse((struct wire_span){ msg, len }, &hdr) != ISAKMP_OK ||
	    hdr.exchange_type != ISAKMP_EXCHANGE_INFORMATIONAL)
		return -1;
	if (ike_iv_phase2(in->crypto, in->hash, in->cipher, &in->iv, hdr.message_id, &iv) !=
	    IKE_CRYPTO_OK)
		return -2;
	r = parse_encrypted(in, msg, len, &iv, &hdr, &m);
	if (r)
		return r - 10;
	if (ike_info_hash(in->crypto, in->hash, &in->keys.skeyid_a, hdr.message_id, after_hash(&m),
			  &d) != IKE_CRYPTO_OK ||
	    !digest_eq(m.payloads[0].body, &d))
		return -20;
	in->info_notify = 0;
	in->info_delete_proto = 0;
	for (size_t i = 1; i < m.count; i++) {
		struct isakmp_notify n;
		struct isakmp_delete del;

		if (m.payloads[i].type == ISAKMP_PAYLOAD_NOTIFY &&
		    isakmp_notify_parse(m.payloads[i].body, &n) == ISAKMP_OK) {
			in->info_notify = n.type;
			in->info_dpd_seq = n.data.len == 4 ? be32(n.data.p) : 0;
		} else if (m.payloads[i].type == ISAKMP_PAYLOAD_DELETE &&
			   isakmp_delete_parse(m.payloads[i].body, &del) == ISAKMP_OK) {
			in->info_delete_proto = del.protocol;
			in->info_delete_spi = del.spi_size == 4 ? be32(del.spis.p) : 0;
		}
	}
	return 0;
}

int ike_init_recv_plain_notify(const uint8_t *msg, size_t len)
{
	struct isakmp_hdr hdr;
	struct isakmp_msg m;
	struct isakmp_notify n;
	const struct isakmp_payload *p;

	if (parse_plain(msg, len, &hdr, &m) != 0 || hdr.exchange_type != ISAKMP_EXCHANGE_INFORMATIONAL)
		return -1;
	p = isakmp_msg_find(&m, ISAKMP_PAYLOAD_NOTIFY, 0);
	if (!p || isakmp_notify_parse(p->body, &n) != ISAKMP_OK)
		return -2;
	return n.type;
}

long ike_init_wrap(struct ike_init *in, uint8_t exchange, uint32_t mid, uint8_t first,
		   const uint8_t *chain, size_t len, uint8_t *out, size_t cap)
{
	struct isakmp_builder b;
	struct wire_wr wr;
	struct ike_digest d;
	struct ike_iv iv;
	uint8_t *at;

	if (!in->cipher || ike_iv_phase2(in->crypto, in->hash, in->cipher, &in->iv, mid, &iv) !=
				   IKE_CRYPTO_OK ||
	    ike_info_hash(in->crypto, in->hash, &in->keys.skeyid_a, mid,
			  (struct wire_span){ chain, len }, &d) != IKE_CRYPTO_OK)
		return -1;
	hdr_start(in, &b, &wr, out, cap, exchange, ISAKMP_FLAG_ENCRYPTION, mid);
	at = isakmp_hash_build(&b, d.len);
	if (!at)
		return -2;
	memcpy(at, d.bytes, d.len);
	wire_put_bytes(&wr, chain, len);
	if (!wire_wr_ok(&wr))
		return -3;
	out[ISAKMP_HDR_LEN] = first;    /* the HASH payload's Next Payload */
	return finish_encrypted(in, &b, &iv);
}
