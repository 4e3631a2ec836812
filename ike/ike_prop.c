/*
 * ike_prop.c - proposal choice for phase 1 (Oakley) and phase 2 (ESP).
 * See ike_prop.h.
 */
#include "ike/ike_prop.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ike/isakmp_const.h"

#define IKE_PROP_WORD(name, word) word,
static const char *const cipher_words[] = { IKE_PROP_CIPHER_LIST(IKE_PROP_WORD) };
static const char *const hash_words[] = { IKE_PROP_HASH_LIST(IKE_PROP_WORD) };
static const char *const group_words[] = { IKE_PROP_GROUP_LIST(IKE_PROP_WORD) };
static const char *const integ_words[] = { IKE_PROP_INTEG_LIST(IKE_PROP_WORD) };
#undef IKE_PROP_WORD

/* Bit number -> IKE attribute value, per class (same order as the lists). */
static const uint16_t hash_ids[] = { IKE_HASH_MD5, IKE_HASH_SHA1, IKE_HASH_SHA2_256,
				     IKE_HASH_SHA2_384, IKE_HASH_SHA2_512 };
static const uint16_t group_ids[] = { IKE_GROUP_MODP1024, IKE_GROUP_MODP1536, IKE_GROUP_MODP2048,
				      IKE_GROUP_ECP256, IKE_GROUP_ECP384 };
static const uint16_t integ_ids[] = { IKE_AUTH_HMAC_MD5, IKE_AUTH_HMAC_SHA1,
				      IKE_AUTH_HMAC_SHA2_256 };

_Static_assert(ARRAY_SIZE(hash_ids) == IKE_PROP_HASH_COUNT, "hash table");
_Static_assert(ARRAY_SIZE(group_ids) == IKE_PROP_GROUP_COUNT, "group table");
_Static_assert(ARRAY_SIZE(integ_ids) == IKE_PROP_INTEG_COUNT, "integ table");

void ike_prop_policy_default(struct ike_prop_policy *policy)
{
	uint32_t all_ciphers = (1u << IKE_PROP_CIPHER_COUNT) - 1;
	uint32_t all_groups = (1u << IKE_PROP_GROUP_COUNT) - 1;

	*policy = (struct ike_prop_policy){
		.p1_ciphers = all_ciphers,
		.p1_hashes = IKE_PROP_HASH_SHA1 | IKE_PROP_HASH_SHA2_256 | IKE_PROP_HASH_SHA2_384 |
			     IKE_PROP_HASH_SHA2_512,
		.p1_groups = all_groups,
		.p2_ciphers = all_ciphers,
		.p2_integs = IKE_PROP_INTEG_SHA1 | IKE_PROP_INTEG_SHA2_256,
		.p2_pfs_groups = all_groups,
		.p2_pfs_required = false,
	};
}

static const char *const *class_words(enum ike_prop_class cls, size_t *count)
{
	switch (cls) {
	case IKE_PROP_CLASS_CIPHER:
		*count = ARRAY_SIZE(cipher_words);
		return cipher_words;
	case IKE_PROP_CLASS_HASH:
		*count = ARRAY_SIZE(hash_words);
		return hash_words;
	case IKE_PROP_CLASS_GROUP:
		*count = ARRAY_SIZE(group_words);
		return group_words;
	case IKE_PROP_CLASS_INTEG:
		*count = ARRAY_SIZE(integ_words);
		return integ_words;
	}
	*count = 0;
	return NULL;
}

const char *ike_prop_bit_word(enum ike_prop_class cls, unsigned bit)
{
	size_t count;
	const char *const *words = class_words(cls, &count);

	return bit < count ? words[bit] : NULL;
}

int ike_prop_bits_parse(enum ike_prop_class cls, const char *list, uint32_t *bits)
{
	size_t count;
	const char *const *words = class_words(cls, &count);
	uint32_t out = 0;
	const char *p = list;

	while (*p) {
		size_t len;
		bool found = false;

		while (*p == ',' || *p == ' ')
			p++;
		len = strcspn(p, ", ");
		if (len == 0)
			break;
		for (size_t i = 0; i < count; i++) {
			if (strlen(words[i]) == len && strncmp(words[i], p, len) == 0) {
				out |= 1u << i;
				found = true;
			}
		}
		if (!found)
			return -EINVAL;
		p += len;
	}
	*bits = out;
	return 0;
}

/* ------------------------------------------------------------ log helpers */

/* The attribute values already complained about during one choice. */
struct refusals {
	uint32_t keys[32];
	size_t count;
};

static bool refusal_first(struct refusals *seen, uint16_t cls, uint32_t value)
{
	uint32_t key = (uint32_t)cls << 24 ^ value;

	for (size_t i = 0; i < seen->count; i++)
		if (seen->keys[i] == key)
			return false;
	if (seen->count < ARRAY_SIZE(seen->keys))
		seen->keys[seen->count++] = key;
	return true;
}

struct prop_log {
	const struct logger *lg;
	struct log_ratelimit *rl;
	struct refusals seen;
};

static void prop_log_line(struct prop_log *pl, const char *text)
{
	if (pl->rl)
		log_rl(pl->lg, pl->rl, LOG_LEVEL_WARN, "%s", text);
	else
		log_msg(pl->lg, LOG_LEVEL_WARN, "%s", text);
}

/* Appends names[0..n) as "A", "A and B", "A, B and C". */
static void join_names(char *buf, size_t size, const char *const *names, size_t n)
{
	size_t used = strlen(buf);

	for (size_t i = 0; i < n && used < size; i++) {
		const char *sep = i == 0 ? "" : i + 1 == n ? " and " : ", ";
		int w = snprintf(buf + used, size - used, "%s%s", sep, names[i]);

		if (w < 0)
			return;
		used += (size_t)w;
	}
}

/* "only A, B and C supported. Attribute NAME" (the seed's shape), once per value. */
static void refuse_attr(struct prop_log *pl, uint16_t cls, uint32_t value, const char *const *names,
			size_t n, const char *attr_name)
{
	char line[400] = "only ";

	if (!refusal_first(&pl->seen, cls, value))
		return;
	if (n == 0) {
		snprintf(line, sizeof(line), "no value supported. Attribute %s", attr_name);
	} else {
		join_names(line, sizeof(line), names, n);
		snprintf(line + strlen(line), sizeof(line) - strlen(line), " supported. Attribute %s",
			 attr_name);
	}
	prop_log_line(pl, line);
}

static void refuse_text(struct prop_log *pl, uint16_t cls, uint32_t value, const char *text)
{
	if (refusal_first(&pl->seen, cls, value))
		prop_log_line(pl, text);
}

/* Names of the allowed values of a bit class (names from the crypto tables). */
static size_t allowed_hash_names(uint32_t bits, const char **names)
{
	size_t n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(hash_ids); i++)
		if (bits & 1u << i)
			names[n++] = ike_hash_find(hash_ids[i])->name;
	return n;
}

static size_t allowed_group_names(uint32_t bits, const char **names)
{
	size_t n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(group_ids); i++)
		if (bits & 1u << i)
			names[n++] = ike_group_find(group_ids[i])->name;
	return n;
}

static size_t allowed_integ_names(uint32_t bits, const char **names)
{
	size_t n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(integ_ids); i++)
		if (bits & 1u << i)
			names[n++] = ike_esp_auth_find(integ_ids[i])->name;
	return n;
}

/* Which cipher names the bits allow: 3DES and/or AES (phase 1 or ESP spelling). */
static size_t allowed_cipher_names(uint32_t bits, bool esp, const char **names)
{
	size_t n = 0;

	if (bits & IKE_PROP_CIPHER_3DES)
		names[n++] = esp ? "ESP_3DES" : "OAKLEY_3DES_CBC";
	if (bits & (IKE_PROP_CIPHER_AES128 | IKE_PROP_CIPHER_AES192 | IKE_PROP_CIPHER_AES256))
		names[n++] = esp ? "ESP_AES" : "OAKLEY_AES_CBC";
	return n;
}

static size_t allowed_aes_sizes(uint32_t bits, const char **names)
{
	size_t n = 0;

	if (bits & IKE_PROP_CIPHER_AES128)
		names[n++] = "128";
	if (bits & IKE_PROP_CIPHER_AES192)
		names[n++] = "192";
	if (bits & IKE_PROP_CIPHER_AES256)
		names[n++] = "256";
	return n;
}

/* The policy bit of a cipher and key size (bits 0 = absent), or 0 if none fits. */
static uint32_t cipher_bit(bool aes, unsigned key_bits)
{
	if (!aes)
		return key_bits == 0 || key_bits == 192 ? IKE_PROP_CIPHER_3DES : 0;
	switch (key_bits) {
	case 0:   /* absent: 128, as libreswan and strongSwan default it */
	case 128:
		return IKE_PROP_CIPHER_AES128;
	case 192:
		return IKE_PROP_CIPHER_AES192;
	case 256:
		return IKE_PROP_CIPHER_AES256;
	default:
		return 0;
	}
}

static uint32_t id_bit(const uint16_t *ids, size_t n, uint64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] == id)
			return 1u << i;
	return 0;
}

/* Strips a prefix for the short "offered" summary. */
static const char *short_name(const char *name, const char *prefix)
{
	size_t n = strlen(prefix);

	return strncmp(name, prefix, n) == 0 ? name + n : name;
}

/* Appends a then b to the string in buf, cut to fit. */
static void append(char *buf, size_t size, const char *a, const char *b)
{
	size_t used = strlen(buf);

	if (used + 1 < size)
		snprintf(buf + used, size - used, "%s%s", a, b);
}

/* ------------------------------------------------------------ phase 1 */

/*
 * What both phases' attribute lists share: the copy echoed back, the life
 * type/duration pair, and the first attribute we do not take.  The
 * attribute numbers differ (RFC 2409 App. A for phase 1, RFC 2407 §4.5 for
 * phase 2), so each phase passes its own and classifies the rest itself.
 */
struct prop_attrs_common {
	uint64_t life_seconds, life_kbytes;
	uint16_t unsupported;           /* first attribute class we do not take, or 0 */
	bool unreadable;                /* a value that is not a number */
};

struct prop_life_attrs {
	uint16_t type, duration;        /* the Life Type and Life Duration attributes */
	uint64_t seconds, kilobytes;    /* the Life Type values */
};

/* take() stores one attribute of its phase; false: not an attribute of ours. */
typedef bool prop_attr_take_fn(void *attrs, uint16_t type, uint64_t value);

static void prop_attrs_walk(const struct isakmp_transform *tr, const struct prop_life_attrs *life,
			    struct prop_attrs_common *common, struct isakmp_attr_value *echo,
			    size_t *echo_count, prop_attr_take_fn *take, void *attrs)
{
	struct wire_rd rd = wire_rd_init(tr->attrs.p, tr->attrs.len);
	struct isakmp_attr attr;
	uint64_t life_type = 0;

	memset(common, 0, sizeof(*common));
	*echo_count = 0;
	while (isakmp_attr_next(&rd, &attr)) {
		bool known = true;

		if (!attr.numeric || attr.value > UINT32_MAX) {
			common->unreadable = true;
			continue;
		}
		if (*echo_count < IKE_PROP_ATTRS_MAX)
			echo[(*echo_count)++] = (struct isakmp_attr_value){ attr.type,
									     (uint32_t)attr.value };
		else
			common->unreadable = true;
		if (attr.type == life->type)
			life_type = attr.value;
		else if (attr.type == life->duration && life_type == life->seconds)
			common->life_seconds = attr.value;
		else if (attr.type == life->duration && life_type == life->kilobytes)
			common->life_kbytes = attr.value;
		else if (attr.type == life->duration)
			known = false;
		else
			known = take(attrs, attr.type, attr.value);
		if (!known && !common->unsupported)
			common->unsupported = attr.type;
	}
}

/* One phase-1 transform's attributes, as read. */
struct p1_attrs {
	struct prop_attrs_common common;
	uint64_t enc, hash, auth, group, key_bits;
	bool has_enc, has_hash, has_auth, has_group;
};

static bool p1_attr_take(void *attrs, uint16_t type, uint64_t value)
{
	struct p1_attrs *a = attrs;

	switch (type) {
	case OAKLEY_ENCRYPTION_ALGORITHM:
		a->enc = value, a->has_enc = true;
		return true;
	case OAKLEY_HASH_ALGORITHM:
		a->hash = value, a->has_hash = true;
		return true;
	case OAKLEY_AUTHENTICATION_METHOD:
		a->auth = value, a->has_auth = true;
		return true;
	case OAKLEY_GROUP_DESCRIPTION:
		a->group = value, a->has_group = true;
		return true;
	case OAKLEY_KEY_LENGTH:
		a->key_bits = value;
		return true;
	default:
		return false;
	}
}

static void p1_attrs_read(const struct isakmp_transform *tr, struct p1_attrs *a,
			  struct ike_p1_choice *echo)
{
	static const struct prop_life_attrs life = {
		OAKLEY_LIFE_TYPE, OAKLEY_LIFE_DURATION, OAKLEY_LIFE_SECONDS, OAKLEY_LIFE_KILOBYTES
	};

	memset(a, 0, sizeof(*a));
	prop_attrs_walk(tr, &life, &a->common, echo->attrs, &echo->attr_count, p1_attr_take, a);
}

/* "AES_CBC_256-SHA1-MODP2048" for the "offered" line. */
static void p1_offer_str(const struct p1_attrs *a, char *buf, size_t size)
{
	char enc[64];

	snprintf(enc, sizeof(enc), "%.40s",
		 short_name(isakmp_oakley_value_name(OAKLEY_ENCRYPTION_ALGORITHM,
						     (unsigned)a->enc).str, "OAKLEY_"));
	if (a->key_bits)
		snprintf(enc + strlen(enc), sizeof(enc) - strlen(enc), "_%u", (unsigned)a->key_bits);
	snprintf(buf, size, "%.48s-%.40s-%.40s", a->has_enc ? enc : "?",
		 a->has_hash ? short_name(isakmp_oakley_value_name(OAKLEY_HASH_ALGORITHM,
								   (unsigned)a->hash).str, "OAKLEY_")
			     : "?",
		 a->has_group ? short_name(isakmp_oakley_value_name(OAKLEY_GROUP_DESCRIPTION,
								    (unsigned)a->group).str,
					   "OAKLEY_GROUP_")
			      : "?");
}

static bool p1_cipher_ok(const struct ike_prop_policy *pol, const struct p1_attrs *a,
			 struct prop_log *pl, struct ike_p1_choice *out)
{
	const char *names[8];
	const struct ike_cipher *cipher = ike_cipher_find((uint16_t)a->enc);
	bool aes = a->enc == IKE_ENCR_AES_CBC;
	uint32_t bit;

	if (!cipher || !cipher->supported || !(aes || a->enc == IKE_ENCR_3DES_CBC) ||
	    !(pol->p1_ciphers & (aes ? ~(uint32_t)IKE_PROP_CIPHER_3DES : IKE_PROP_CIPHER_3DES))) {
		refuse_attr(pl, OAKLEY_ENCRYPTION_ALGORITHM, (uint32_t)a->enc, names,
			    allowed_cipher_names(pol->p1_ciphers, false, names),
			    "OAKLEY_ENCRYPTION_ALGORITHM");
		return false;
	}
	bit = cipher_bit(aes, (unsigned)a->key_bits);
	if (!(pol->p1_ciphers & bit)) {
		size_t n = aes ? allowed_aes_sizes(pol->p1_ciphers, names) : 0;

		if (!aes)
			names[n++] = "192";
		refuse_attr(pl, OAKLEY_KEY_LENGTH, (uint32_t)(a->enc << 16 | a->key_bits), names, n,
			    "OAKLEY_KEY_LENGTH");
		return false;
	}
	out->cipher = cipher;
	out->key_bits = (unsigned)a->key_bits;
	out->key_len = aes ? (a->key_bits ? a->key_bits / 8 : 16) : cipher->key_max;
	return true;
}

/* Whether one phase-1 transform is acceptable; logs the first reason it is not. */
static bool p1_transform_ok(const struct ike_prop_policy *pol, const struct isakmp_transform *tr,
			    struct prop_log *pl, struct p1_attrs *a, struct ike_p1_choice *out)
{
	const char *names[8];
	uint32_t bit;

	p1_attrs_read(tr, a, out);
	if (tr->transform_id != ISAKMP_KEY_IKE) {
		refuse_text(pl, 0xff, tr->transform_id, "only KEY_IKE transforms supported");
		return false;
	}
	if (a->common.unreadable) {
		refuse_text(pl, 0xfe, 0, "Oakley transform with an unreadable attribute refused");
		return false;
	}
	if (!a->has_enc || !a->has_hash || !a->has_auth || !a->has_group) {
		refuse_text(pl, 0xfd, 0, "Oakley transform without encryption, hash, "
					 "authentication method or group refused");
		return false;
	}
	if (a->common.unsupported) {
		char line[160];

		snprintf(line, sizeof(line), "unsupported attribute %s in Oakley transform",
			 isakmp_oakley_attr_name(a->common.unsupported).str);
		refuse_text(pl, 0xfc, a->common.unsupported, line);
		return false;
	}
	if (!p1_cipher_ok(pol, a, pl, out))
		return false;
	bit = id_bit(hash_ids, ARRAY_SIZE(hash_ids), a->hash);
	if (!(pol->p1_hashes & bit)) {
		refuse_attr(pl, OAKLEY_HASH_ALGORITHM, (uint32_t)a->hash, names,
			    allowed_hash_names(pol->p1_hashes, names), "OAKLEY_HASH_ALGORITHM");
		return false;
	}
	if (a->auth != OAKLEY_PRESHARED_KEY) {
		names[0] = "OAKLEY_PRESHARED_KEY";
		refuse_attr(pl, OAKLEY_AUTHENTICATION_METHOD, (uint32_t)a->auth, names, 1,
			    "OAKLEY_AUTHENTICATION_METHOD");
		return false;
	}
	bit = id_bit(group_ids, ARRAY_SIZE(group_ids), a->group);
	if (!(pol->p1_groups & bit)) {
		refuse_attr(pl, OAKLEY_GROUP_DESCRIPTION, (uint32_t)a->group, names,
			    allowed_group_names(pol->p1_groups, names), "OAKLEY_GROUP_DESCRIPTION");
		return false;
	}
	out->hash = ike_hash_find((uint16_t)a->hash);
	out->group = ike_group_find((uint16_t)a->group);
	out->life_seconds = a->common.life_seconds;
	out->life_kbytes = a->common.life_kbytes;
	return out->hash && out->hash->supported && out->group && out->group->supported;
}

uint16_t ike_prop_choose_p1(const struct ike_prop_policy *policy, const struct isakmp_sa *sa,
			    const struct logger *lg, struct log_ratelimit *rl,
			    struct ike_p1_choice *out)
{
	struct prop_log pl = { .lg = lg, .rl = rl };
	struct wire_rd prd = wire_rd_init(sa->proposals.p, sa->proposals.len);
	struct isakmp_proposal prop;
	char offered[600] = "";

	memset(out, 0, sizeof(*out));
	while (isakmp_proposal_next(&prd, &prop)) {
		struct wire_rd trd = wire_rd_init(prop.transforms.p, prop.transforms.len);
		struct isakmp_transform tr;

		if (prop.protocol != ISAKMP_PROTO_ISAKMP) {
			refuse_text(&pl, 0xfb, prop.protocol, "phase 1 proposal that is not "
							      "PROTO_ISAKMP ignored");
			continue;
		}
		while (isakmp_transform_next(&trd, &tr)) {
			struct p1_attrs a;
			char one[160];

			if (p1_transform_ok(policy, &tr, &pl, &a, out)) {
				out->proposal_number = prop.number;
				out->transform_number = tr.number;
				return 0;
			}
			p1_offer_str(&a, one, sizeof(one));
			append(offered, sizeof(offered), offered[0] ? ", " : "", one);
		}
	}
	memset(out, 0, sizeof(*out));
	if (pl.rl)
		log_rl(lg, rl, LOG_LEVEL_WARN, "no acceptable Oakley Transform; peer offered: %s",
		       offered[0] ? offered : "nothing");
	else
		log_msg(lg, LOG_LEVEL_WARN, "no acceptable Oakley Transform; peer offered: %s",
			offered[0] ? offered : "nothing");
	return ISAKMP_NOTIFY_NO_PROPOSAL_CHOSEN;
}

/* ------------------------------------------------------------ phase 2 */

struct p2_attrs {
	struct prop_attrs_common common;
	uint64_t integ, group, mode, key_bits;
	bool has_integ, has_group, has_mode;
};

static bool p2_attr_take(void *attrs, uint16_t type, uint64_t value)
{
	struct p2_attrs *a = attrs;

	switch (type) {
	case IPSEC_AUTH_ALGORITHM:
		a->integ = value, a->has_integ = true;
		return true;
	case IPSEC_GROUP_DESCRIPTION:
		a->group = value, a->has_group = true;
		return true;
	case IPSEC_ENCAPSULATION_MODE:
		a->mode = value, a->has_mode = true;
		return true;
	case IPSEC_KEY_LENGTH:
		a->key_bits = value;
		return true;
	default:
		return false;
	}
}

static void p2_attrs_read(const struct isakmp_transform *tr, struct p2_attrs *a,
			  struct ike_p2_choice *echo)
{
	static const struct prop_life_attrs life = {
		IPSEC_SA_LIFE_TYPE, IPSEC_SA_LIFE_DURATION, IPSEC_SA_LIFE_TYPE_SECONDS,
		IPSEC_SA_LIFE_TYPE_KBYTES
	};

	memset(a, 0, sizeof(*a));
	prop_attrs_walk(tr, &life, &a->common, echo->attrs, &echo->attr_count, p2_attr_take, a);
}

static void p2_offer_str(uint8_t transform_id, const struct p2_attrs *a, char *buf, size_t size)
{
	char enc[64];

	snprintf(enc, sizeof(enc), "%.40s",
		 short_name(isakmp_transform_id_name(ISAKMP_PROTO_IPSEC_ESP, transform_id).str,
			    "ESP_"));
	if (a->key_bits)
		snprintf(enc + strlen(enc), sizeof(enc) - strlen(enc), "_%u", (unsigned)a->key_bits);
	snprintf(buf, size, "%.48s-%.40s", enc,
		 a->has_integ ? short_name(isakmp_ipsec_value_name(IPSEC_AUTH_ALGORITHM,
								   (unsigned)a->integ).str,
					   "AUTH_ALGORITHM_")
			      : "none");
	if (a->has_group)
		append(buf, size, "-",
		       short_name(isakmp_ipsec_value_name(IPSEC_GROUP_DESCRIPTION,
							  (unsigned)a->group).str, "OAKLEY_GROUP_"));
}

static bool p2_mode_ok(const struct ike_p2_context *ctx, const struct p2_attrs *a,
		       struct prop_log *pl, struct ike_p2_choice *out)
{
	bool udp = a->mode == IPSEC_ENCAPSULATION_MODE_UDP_TRANSPORT_RFC ||
		   a->mode == IPSEC_ENCAPSULATION_MODE_UDP_TRANSPORT_DRAFTS;

	if (!a->has_mode) {
		refuse_text(pl, 0xf0, 0, "ENCAPSULATION_MODE missing: only transport mode supported");
		return false;
	}
	if (a->mode != IPSEC_ENCAPSULATION_MODE_TRANSPORT && !udp) {
		char line[160];

		snprintf(line, sizeof(line), "only transport mode supported (L2TP); %s refused",
			 isakmp_ipsec_value_name(IPSEC_ENCAPSULATION_MODE, (unsigned)a->mode).str);
		refuse_text(pl, IPSEC_ENCAPSULATION_MODE, (uint32_t)a->mode, line);
		return false;
	}
	if (udp != ctx->nat_detected || (udp && ctx->natt == ISAKMP_NATT_NONE)) {
		refuse_text(pl, IPSEC_ENCAPSULATION_MODE, (uint32_t)a->mode,
			    udp ? "UDP-encapsulated transport proposed but no NAT was detected"
				: "plain transport proposed but NAT was detected; "
				  "UDP-encapsulated transport required");
		return false;
	}
	out->encapsulation_mode = (uint16_t)a->mode;
	out->udp_encap = udp;
	return true;
}

static bool p2_pfs_ok(const struct ike_prop_policy *pol, const struct ike_p2_context *ctx,
		      const struct p2_attrs *a, struct prop_log *pl, struct ike_p2_choice *out)
{
	const char *names[8];
	uint32_t bit;

	if (!a->has_group) {
		if (ctx->ke_present) {
			refuse_text(pl, 0xef, 0, "KE payload without GROUP_DESCRIPTION refused");
			return false;
		}
		if (pol->p2_pfs_required) {
			refuse_text(pl, 0xee, 0, "PFS required but not proposed");
			return false;
		}
		out->pfs_group = NULL;
		return true;
	}
	bit = id_bit(group_ids, ARRAY_SIZE(group_ids), a->group);
	if (!(pol->p2_pfs_groups & bit)) {
		refuse_attr(pl, IPSEC_GROUP_DESCRIPTION, (uint32_t)a->group, names,
			    allowed_group_names(pol->p2_pfs_groups, names), "GROUP_DESCRIPTION");
		return false;
	}
	if (!ctx->ke_present) {
		refuse_text(pl, 0xed, 0, "GROUP_DESCRIPTION without a KE payload refused");
		return false;
	}
	out->pfs_group = ike_group_find((uint16_t)a->group);
	return out->pfs_group && out->pfs_group->supported;
}

static bool p2_cipher_ok(const struct ike_prop_policy *pol, uint8_t transform_id,
			 const struct p2_attrs *a, struct prop_log *pl, struct ike_p2_choice *out)
{
	const char *names[8];
	const struct ike_esp_cipher *cipher = ike_esp_cipher_find(transform_id);
	bool aes = transform_id == IKE_ESP_AES;
	uint32_t bit;

	if (!cipher || !cipher->supported || !(aes || transform_id == IKE_ESP_3DES) ||
	    !(pol->p2_ciphers & (aes ? ~(uint32_t)IKE_PROP_CIPHER_3DES : IKE_PROP_CIPHER_3DES))) {
		char line[160] = "only ";
		size_t n = allowed_cipher_names(pol->p2_ciphers, true, names);

		join_names(line, sizeof(line), names, n);
		snprintf(line + strlen(line), sizeof(line) - strlen(line),
			 " supported. Transform ID %s",
			 isakmp_transform_id_name(ISAKMP_PROTO_IPSEC_ESP, transform_id).str);
		refuse_text(pl, 0xe0, transform_id, line);
		return false;
	}
	bit = cipher_bit(aes, (unsigned)a->key_bits);
	if (!(pol->p2_ciphers & bit)) {
		size_t n = aes ? allowed_aes_sizes(pol->p2_ciphers, names) : 0;

		if (!aes)
			names[n++] = "192";
		refuse_attr(pl, IPSEC_KEY_LENGTH, (uint32_t)((uint64_t)transform_id << 16 | a->key_bits), names,
			    n, "KEY_LENGTH");
		return false;
	}
	out->cipher = cipher;
	out->key_bits = (unsigned)a->key_bits;
	out->key_len = aes ? (a->key_bits ? a->key_bits / 8 : 16) : cipher->key_max;
	return true;
}

static bool p2_transform_ok(const struct ike_prop_policy *pol, const struct ike_p2_context *ctx,
			    const struct isakmp_transform *tr, struct prop_log *pl,
			    struct p2_attrs *a, struct ike_p2_choice *out)
{
	const char *names[8];
	uint32_t bit;

	p2_attrs_read(tr, a, out);
	if (a->common.unreadable) {
		refuse_text(pl, 0xdf, 0, "ESP transform with an unreadable attribute refused");
		return false;
	}
	if (a->common.unsupported) {
		char line[160];

		snprintf(line, sizeof(line), "unsupported attribute %s in ESP transform",
			 isakmp_ipsec_attr_name(a->common.unsupported).str);
		refuse_text(pl, 0xde, a->common.unsupported, line);
		return false;
	}
	if (!p2_cipher_ok(pol, tr->transform_id, a, pl, out))
		return false;
	bit = a->has_integ ? id_bit(integ_ids, ARRAY_SIZE(integ_ids), a->integ) : 0;
	if (!(pol->p2_integs & bit)) {
		refuse_attr(pl, IPSEC_AUTH_ALGORITHM, a->has_integ ? (uint32_t)a->integ : 0xffff,
			    names, allowed_integ_names(pol->p2_integs, names), "AUTH_ALGORITHM");
		return false;
	}
	out->integ = ike_esp_auth_find((uint16_t)a->integ);
	if (!out->integ || !out->integ->supported)
		return false;
	if (!p2_mode_ok(ctx, a, pl, out) || !p2_pfs_ok(pol, ctx, a, pl, out))
		return false;
	out->transform_id = tr->transform_id;
	out->transform_number = tr->number;
	out->life_seconds = a->common.life_seconds;
	out->life_kbytes = a->common.life_kbytes;
	return true;
}

/* Whether the proposal at rd starts a group (same number) that is a lone ESP proposal. */
static bool p2_lone_esp(const struct isakmp_proposal *prop, struct wire_rd rest)
{
	struct isakmp_proposal next;

	if (prop->protocol != ISAKMP_PROTO_IPSEC_ESP || prop->spi.len != 4)
		return false;
	return !(isakmp_proposal_next(&rest, &next) && next.number == prop->number);
}

uint16_t ike_prop_choose_p2(const struct ike_prop_policy *policy, const struct ike_p2_context *ctx,
			    const struct isakmp_sa *sa, const struct logger *lg,
			    struct log_ratelimit *rl, struct ike_p2_choice *out)
{
	struct prop_log pl = { .lg = lg, .rl = rl };
	struct wire_rd prd = wire_rd_init(sa->proposals.p, sa->proposals.len);
	struct isakmp_proposal prop;
	int last_number = -1;
	char offered[600] = "";

	memset(out, 0, sizeof(*out));
	while (isakmp_proposal_next(&prd, &prop)) {
		struct wire_rd trd = wire_rd_init(prop.transforms.p, prop.transforms.len);
		struct isakmp_transform tr;
		bool same_group = prop.number == last_number;

		last_number = prop.number;
		if (same_group || !p2_lone_esp(&prop, prd)) {
			refuse_text(&pl, 0xd0, prop.number,
				    "only a lone ESP proposal (no AH, no IPComp) is supported; "
				    "proposal ignored");
			continue;
		}
		while (isakmp_transform_next(&trd, &tr)) {
			struct p2_attrs a;
			char one[160];

			if (p2_transform_ok(policy, ctx, &tr, &pl, &a, out)) {
				out->proposal_number = prop.number;
				out->peer_spi = (uint32_t)prop.spi.p[0] << 24 |
						(uint32_t)prop.spi.p[1] << 16 |
						(uint32_t)prop.spi.p[2] << 8 | prop.spi.p[3];
				return 0;
			}
			p2_offer_str(tr.transform_id, &a, one, sizeof(one));
			append(offered, sizeof(offered), offered[0] ? ", " : "", one);
		}
	}
	memset(out, 0, sizeof(*out));
	if (pl.rl)
		log_rl(lg, rl, LOG_LEVEL_WARN, "no acceptable IPsec Transform; peer offered: %s",
		       offered[0] ? offered : "nothing");
	else
		log_msg(lg, LOG_LEVEL_WARN, "no acceptable IPsec Transform; peer offered: %s",
			offered[0] ? offered : "nothing");
	return ISAKMP_NOTIFY_NO_PROPOSAL_CHOSEN;
}

/* ------------------------------------------------------------ names for the logs */

const char *ike_prop_p1_cipher_str(const struct ike_p1_choice *c, char *buf, size_t size)
{
	if (c->cipher && c->cipher->id == IKE_ENCR_AES_CBC)
		snprintf(buf, size, "AES_CBC_%zu", c->key_len * 8);
	else
		snprintf(buf, size, "%s", c->cipher ? short_name(c->cipher->name, "OAKLEY_") : "?");
	return buf;
}

const char *ike_prop_prf_str(const struct ike_hash *hash)
{
	switch (hash ? hash->id : 0) {
	case IKE_HASH_MD5:
		return "HMAC_MD5";
	case IKE_HASH_SHA1:
		return "HMAC_SHA1";
	case IKE_HASH_SHA2_256:
		return "HMAC_SHA2_256";
	case IKE_HASH_SHA2_384:
		return "HMAC_SHA2_384";
	case IKE_HASH_SHA2_512:
		return "HMAC_SHA2_512";
	default:
		return "?";
	}
}

const char *ike_prop_group_str(const struct ike_group *group)
{
	return group ? short_name(group->name, "OAKLEY_GROUP_") : "none";
}

const char *ike_prop_p2_xfrm_str(const struct ike_p2_choice *c, char *buf, size_t size)
{
	const char *integ = "?";

	switch (c->integ ? c->integ->id : 0) {
	case IKE_AUTH_HMAC_MD5:
		integ = "HMAC_MD5_96";
		break;
	case IKE_AUTH_HMAC_SHA1:
		integ = "HMAC_SHA1_96";
		break;
	case IKE_AUTH_HMAC_SHA2_256:
		integ = "HMAC_SHA2_256_128";
		break;
	}
	if (c->cipher && c->cipher->id == IKE_ESP_AES)
		snprintf(buf, size, "AES_CBC_%zu-%s", c->key_len * 8, integ);
	else
		snprintf(buf, size, "3DES_CBC-%s", integ);
	return buf;
}
