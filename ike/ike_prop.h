/*
 * ike_prop.h - proposal choice: which of a peer's SA transforms we take.
 *
 * The accepted policy is a set of bits per algorithm class (phase 1 cipher
 * with key size, hash, DH group; phase 2 ESP cipher with key size,
 * integrity, PFS group), so a configuration reload is a plain copy.  The
 * choice walks EVERY proposal and EVERY transform of the peer's SA payload in
 * the peer's order (never assuming a count: the codec validated the counts)
 * and takes the first one the policy accepts, as libreswan, SoftEther and
 * racoon do (research/ike.md §1).  Each refused attribute value is logged
 * once per choice in the seed's shape ("only A, B and C supported.
 * Attribute OAKLEY_GROUP_DESCRIPTION"), naming what IS supported; when
 * nothing is acceptable one line lists what was offered and the answer is
 * NO_PROPOSAL_CHOSEN.
 *
 * What it must not do: allocate, keep state, or decide anything but the
 * transform (NAT-T and PFS facts come in through struct ike_p2_context).
 * Ownership: the caller owns everything; a choice holds copies of the
 * attribute values it echoes, no views into the packet.
 */
#ifndef L2TPSEC_IKE_IKE_PROP_H
#define L2TPSEC_IKE_IKE_PROP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/ike_crypto.h"
#include "ike/isakmp_vid.h"
#include "ike/isakmp_wire.h"
#include "lib/log.h"
#include "lib/util.h"

/* X(bit name, configuration word) for each class. */
#define IKE_PROP_CIPHER_LIST(X)                                                          \
	X(IKE_PROP_CIPHER_3DES, "3des")                                                  \
	X(IKE_PROP_CIPHER_AES128, "aes128")                                              \
	X(IKE_PROP_CIPHER_AES192, "aes192")                                              \
	X(IKE_PROP_CIPHER_AES256, "aes256")
#define IKE_PROP_HASH_LIST(X)                                                            \
	X(IKE_PROP_HASH_MD5, "md5")                                                      \
	X(IKE_PROP_HASH_SHA1, "sha1")                                                    \
	X(IKE_PROP_HASH_SHA2_256, "sha256")                                              \
	X(IKE_PROP_HASH_SHA2_384, "sha384")                                              \
	X(IKE_PROP_HASH_SHA2_512, "sha512")
#define IKE_PROP_GROUP_LIST(X)                                                           \
	X(IKE_PROP_GROUP_MODP1024, "modp1024")                                           \
	X(IKE_PROP_GROUP_MODP1536, "modp1536")                                           \
	X(IKE_PROP_GROUP_MODP2048, "modp2048")                                           \
	X(IKE_PROP_GROUP_ECP256, "ecp256")                                               \
	X(IKE_PROP_GROUP_ECP384, "ecp384")
#define IKE_PROP_INTEG_LIST(X)                                                           \
	X(IKE_PROP_INTEG_MD5, "md5")                                                     \
	X(IKE_PROP_INTEG_SHA1, "sha1")                                                   \
	X(IKE_PROP_INTEG_SHA2_256, "sha256")

#define IKE_PROP_BIT_ENUM(name, word) name##_BIT,
enum { IKE_PROP_CIPHER_LIST(IKE_PROP_BIT_ENUM) IKE_PROP_CIPHER_COUNT };
enum { IKE_PROP_HASH_LIST(IKE_PROP_BIT_ENUM) IKE_PROP_HASH_COUNT };
enum { IKE_PROP_GROUP_LIST(IKE_PROP_BIT_ENUM) IKE_PROP_GROUP_COUNT };
enum { IKE_PROP_INTEG_LIST(IKE_PROP_BIT_ENUM) IKE_PROP_INTEG_COUNT };
#undef IKE_PROP_BIT_ENUM
#define IKE_PROP_MASK_ENUM(name, word) name = 1u << name##_BIT,
enum ike_prop_cipher_bits { IKE_PROP_CIPHER_LIST(IKE_PROP_MASK_ENUM) };
enum ike_prop_hash_bits { IKE_PROP_HASH_LIST(IKE_PROP_MASK_ENUM) };
enum ike_prop_group_bits { IKE_PROP_GROUP_LIST(IKE_PROP_MASK_ENUM) };
enum ike_prop_integ_bits { IKE_PROP_INTEG_LIST(IKE_PROP_MASK_ENUM) };
#undef IKE_PROP_MASK_ENUM

enum ike_prop_class {
	IKE_PROP_CLASS_CIPHER,
	IKE_PROP_CLASS_HASH,
	IKE_PROP_CLASS_GROUP,
	IKE_PROP_CLASS_INTEG,
};

/* What we accept.  ike_prop_policy_default() takes what the built-in clients send. */
struct ike_prop_policy {
	uint32_t p1_ciphers;            /* IKE_PROP_CIPHER_* */
	uint32_t p1_hashes;             /* IKE_PROP_HASH_* */
	uint32_t p1_groups;             /* IKE_PROP_GROUP_* */
	uint32_t p2_ciphers;            /* IKE_PROP_CIPHER_* */
	uint32_t p2_integs;             /* IKE_PROP_INTEG_* */
	uint32_t p2_pfs_groups;         /* IKE_PROP_GROUP_*: groups accepted for PFS */
	bool p2_pfs_required;           /* refuse Quick Modes without PFS */
};

/*
 * 3DES, AES-128/192/256; SHA1, SHA2-256/384/512 (MD5 off); MODP1024/1536/2048,
 * ECP256/384; ESP 3DES/AES with HMAC-SHA1-96 and HMAC-SHA2-256-128 (MD5 off);
 * PFS optional, any of the phase-1 groups.
 */
void ike_prop_policy_default(struct ike_prop_policy *policy);

/*
 * Parses a comma-separated list of configuration words of a class
 * ("aes256,aes128,3des") into bits; 0, or -EINVAL naming nothing known
 * (then *bits is untouched).
 */
int ike_prop_bits_parse(enum ike_prop_class cls, const char *list, uint32_t *bits) WARN_UNUSED;

/* The configuration word of bit number `bit` of a class; NULL past the end. */
const char *ike_prop_bit_word(enum ike_prop_class cls, unsigned bit);

#define IKE_PROP_ATTRS_MAX 16

/* The transform chosen in Main Mode, with what we echo in MM2. */
struct ike_p1_choice {
	uint8_t proposal_number;
	uint8_t transform_number;
	const struct ike_cipher *cipher;
	size_t key_len;                 /* bytes */
	unsigned key_bits;              /* as the Key Length attribute said; 0 when absent */
	const struct ike_hash *hash;
	const struct ike_group *group;
	uint64_t life_seconds;          /* proposed; 0 when not proposed */
	uint64_t life_kbytes;
	struct isakmp_attr_value attrs[IKE_PROP_ATTRS_MAX]; /* the transform's attributes, as received */
	size_t attr_count;
};

/*
 * Chooses from a validated phase-1 SA (isakmp_sa_parse returned ISAKMP_OK).
 * Returns 0 with *out filled, or ISAKMP_NOTIFY_NO_PROPOSAL_CHOSEN after
 * logging.  rl may be NULL (lines go through log_msg()).
 */
uint16_t ike_prop_choose_p1(const struct ike_prop_policy *policy, const struct isakmp_sa *sa,
			    const struct logger *lg, struct log_ratelimit *rl,
			    struct ike_p1_choice *out) WARN_UNUSED;

/* What phase 2 needs to know beyond the SA payload. */
struct ike_p2_context {
	enum isakmp_natt_method natt;   /* negotiated in Main Mode */
	bool nat_detected;              /* either side behind NAT: UDP-encapsulated modes */
	bool ke_present;                /* QM1 carried a KE payload */
};

struct ike_p2_choice {
	uint8_t proposal_number;
	uint8_t transform_number;
	uint8_t transform_id;
	uint32_t peer_spi;              /* host order */
	const struct ike_esp_cipher *cipher;
	size_t key_len;                 /* bytes */
	unsigned key_bits;
	const struct ike_esp_auth *integ;
	const struct ike_group *pfs_group; /* NULL: no PFS */
	uint16_t encapsulation_mode;    /* as received */
	bool udp_encap;
	uint64_t life_seconds;          /* proposed; 0 when not proposed */
	uint64_t life_kbytes;
	struct isakmp_attr_value attrs[IKE_PROP_ATTRS_MAX];
	size_t attr_count;
};

/*
 * Chooses an ESP transport-mode transform from a validated Quick Mode SA.
 * Proposals that combine ESP with AH or IPComp (same proposal number) are
 * skipped.  Returns 0 or ISAKMP_NOTIFY_NO_PROPOSAL_CHOSEN after logging.
 */
uint16_t ike_prop_choose_p2(const struct ike_prop_policy *policy, const struct ike_p2_context *ctx,
			    const struct isakmp_sa *sa, const struct logger *lg,
			    struct log_ratelimit *rl, struct ike_p2_choice *out) WARN_UNUSED;

/* "AES_CBC_256", "3DES_CBC": a phase-1 cipher as the established line prints it. */
const char *ike_prop_p1_cipher_str(const struct ike_p1_choice *c, char *buf, size_t size);

/* "AES_CBC_256-HMAC_SHA1_96": the ESP transform as the established line prints it. */
const char *ike_prop_p2_xfrm_str(const struct ike_p2_choice *c, char *buf, size_t size);

/* "HMAC_SHA1", "HMAC_SHA2_256", ... : a phase-1 hash as a PRF name. */
const char *ike_prop_prf_str(const struct ike_hash *hash);

/* "MODP1024", "ECP_384", ... */
const char *ike_prop_group_str(const struct ike_group *group);

#endif
