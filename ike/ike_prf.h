/*
 * ike_prf.h - the IKEv1 derivations (RFC 2409) built on the PRF and hash of
 * ike_crypto.h.
 *
 * It covers:
 * - phase 1 with pre-shared keys (§5): SKEYID, SKEYID_d, SKEYID_a, SKEYID_e,
 *   and the encryption key, extended by Appendix B when SKEYID_e is too short;
 * - HASH_I and HASH_R;
 * - the CBC IVs (Appendix B);
 * - the Quick Mode HASH(1), HASH(2), HASH(3) (§5.5) and the Informational
 *   HASH(1) (§5.7);
 * - ESP KEYMAT, with or without PFS (§5.5);
 * - the NAT-D hash (RFC 3947 §3.2).
 *
 * Inputs are views of payload bodies, each without its generic payload
 * header.  SAi_b is the initiator's whole SA payload body.  IDii_b and IDir_b
 * are the ID payload bodies (from the ID type on).  Ni_b and Nr_b are the
 * nonce bodies.  g^xi and g^xr are the KE payload bodies.  "The message after
 * the HASH payload" is the cleartext from the payload after HASH to the end
 * of the last payload, without the CBC padding.  Message IDs and SPIs are
 * host-order integers, hashed as 4 octets in network order.  Cookies are the
 * 8 octets as they appear in the header.
 *
 * The IV rule (RFC 2409 Appendix B):
 * - The Main Mode chain starts from ike_iv_phase1().  Each message's IV is
 *   the last ciphertext block of the previous encrypted message, in either
 *   direction; ike_cbc_encrypt()/ike_cbc_decrypt() hand that block back as
 *   next_iv.
 * - After the final Main Mode message the chain holds the "last phase 1 IV".
 *   Keep it for the life of the ISAKMP SA.
 * - Every Quick Mode or Informational exchange (message ID M) starts its own
 *   chain from ike_iv_phase2(last phase 1 IV, M), then goes on the same way.
 *
 * What it must not do: log, or leave a secret anywhere but the caller's
 * output buffers (its temporary copies are wiped on every path).
 * Ownership: the caller owns every struct.  Outputs are overwritten, and
 * wiped on failure.  An output must not be one of the inputs; the one
 * exception is keys->skeyid as the SKEYID of ike_phase1_keys_derive().
 */
#ifndef L2TPSEC_IKE_IKE_PRF_H
#define L2TPSEC_IKE_IKE_PRF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/ike_crypto.h"
#include "lib/util.h"
#include "lib/wire.h"

/* What phase 1 produces; wipe with ike_phase1_keys_wipe(). */
struct ike_phase1_keys {
	struct ike_secret skeyid;
	struct ike_secret skeyid_d;     /* derives KEYMAT */
	struct ike_secret skeyid_a;     /* authenticates phase 2 and Informational */
	struct ike_secret skeyid_e;
	struct ike_secret enc_key;      /* the phase 1 cipher key, from SKEYID_e */
};

void ike_phase1_keys_wipe(struct ike_phase1_keys *keys);

/* SKEYID = prf(pre-shared key, Ni_b | Nr_b) (RFC 2409 §5). */
enum ike_crypto_verdict ike_skeyid_psk(const struct ike_crypto *c, const struct ike_hash *hash,
				       const struct ike_secret *psk, struct wire_span ni_b,
				       struct wire_span nr_b, struct ike_secret *skeyid) WARN_UNUSED;

/*
 * From SKEYID (copied into keys->skeyid):
 *   SKEYID_d = prf(SKEYID, g^xy | CKY-I | CKY-R | 0)
 *   SKEYID_a = prf(SKEYID, SKEYID_d | g^xy | CKY-I | CKY-R | 1)
 *   SKEYID_e = prf(SKEYID, SKEYID_a | g^xy | CKY-I | CKY-R | 2)
 * and the cipher key of key_len bytes: the front of SKEYID_e if it is long
 * enough, else the front of K1 | K2 | ... with K1 = prf(SKEYID_e, 0x00),
 * Kn+1 = prf(SKEYID_e, Kn) (Appendix B).
 */
enum ike_crypto_verdict ike_phase1_keys_derive(const struct ike_crypto *c, const struct ike_hash *hash,
					       size_t key_len, const struct ike_secret *skeyid,
					       const struct ike_secret *g_xy,
					       const uint8_t cky_i[IKE_COOKIE_LEN],
					       const uint8_t cky_r[IKE_COOKIE_LEN],
					       struct ike_phase1_keys *keys) WARN_UNUSED;

/*
 * HASH_I = prf(SKEYID, g^xi | g^xr | CKY-I | CKY-R | SAi_b | IDii_b) when
 * initiator is true, else
 * HASH_R = prf(SKEYID, g^xr | g^xi | CKY-R | CKY-I | SAi_b | IDir_b).
 * Both take g^xi, g^xr, CKY-I, CKY-R in their own roles; id_b is the ID
 * payload of whichever side the hash is for.
 */
enum ike_crypto_verdict ike_phase1_hash(const struct ike_crypto *c, const struct ike_hash *hash,
					const struct ike_secret *skeyid, bool initiator,
					struct wire_span g_xi, struct wire_span g_xr,
					const uint8_t cky_i[IKE_COOKIE_LEN],
					const uint8_t cky_r[IKE_COOKIE_LEN],
					struct wire_span sai_b, struct wire_span id_b,
					struct ike_digest *out) WARN_UNUSED;

/* The first Main Mode IV: hash(g^xi | g^xr) cut to the cipher's block size. */
enum ike_crypto_verdict ike_iv_phase1(const struct ike_crypto *c, const struct ike_hash *hash,
				      const struct ike_cipher *cipher, struct wire_span g_xi,
				      struct wire_span g_xr, struct ike_iv *iv) WARN_UNUSED;

/* The first IV of exchange message_id: hash(last phase 1 IV | M-ID) cut to the block size. */
enum ike_crypto_verdict ike_iv_phase2(const struct ike_crypto *c, const struct ike_hash *hash,
				      const struct ike_cipher *cipher, const struct ike_iv *phase1_iv,
				      uint32_t message_id, struct ike_iv *iv) WARN_UNUSED;

/* HASH(1) = prf(SKEYID_a, M-ID | the message after the HASH payload). */
enum ike_crypto_verdict ike_qm_hash1(const struct ike_crypto *c, const struct ike_hash *hash,
				     const struct ike_secret *skeyid_a, uint32_t message_id,
				     struct wire_span after_hash, struct ike_digest *out) WARN_UNUSED;

/* HASH(2) = prf(SKEYID_a, M-ID | Ni_b | the message after the HASH payload). */
enum ike_crypto_verdict ike_qm_hash2(const struct ike_crypto *c, const struct ike_hash *hash,
				     const struct ike_secret *skeyid_a, uint32_t message_id,
				     struct wire_span ni_b, struct wire_span after_hash,
				     struct ike_digest *out) WARN_UNUSED;

/* HASH(3) = prf(SKEYID_a, 0x00 | M-ID | Ni_b | Nr_b). */
enum ike_crypto_verdict ike_qm_hash3(const struct ike_crypto *c, const struct ike_hash *hash,
				     const struct ike_secret *skeyid_a, uint32_t message_id,
				     struct wire_span ni_b, struct wire_span nr_b,
				     struct ike_digest *out) WARN_UNUSED;

/* Informational HASH(1) = prf(SKEYID_a, M-ID | the N or D payload(s)) (§5.7). */
enum ike_crypto_verdict ike_info_hash(const struct ike_crypto *c, const struct ike_hash *hash,
				      const struct ike_secret *skeyid_a, uint32_t message_id,
				      struct wire_span after_hash, struct ike_digest *out) WARN_UNUSED;

/*
 * len bytes of KEYMAT for one SA (RFC 2409 §5.5):
 *   K1 = prf(SKEYID_d, [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b)
 *   Kn+1 = prf(SKEYID_d, Kn | [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b)
 * g_qm_xy is NULL without PFS.  The SPI is that of the SA the keys are for:
 * ours for our inbound SA, the peer's for our outbound SA.
 */
enum ike_crypto_verdict ike_keymat_derive(const struct ike_crypto *c, const struct ike_hash *hash,
					  const struct ike_secret *skeyid_d,
					  const struct ike_secret *g_qm_xy, uint8_t protocol,
					  uint32_t spi, struct wire_span ni_b, struct wire_span nr_b,
					  size_t len, struct ike_secret *keymat) WARN_UNUSED;

/* The keys of one ESP SA; wipe with ike_esp_keys_wipe(). */
struct ike_esp_keys {
	struct ike_secret enc_key;
	struct ike_secret auth_key;
};

void ike_esp_keys_wipe(struct ike_esp_keys *keys);

/*
 * The ESP keys of the SA with this SPI: the cipher key (enc_key_len bytes)
 * then the integrity key (auth->key_len bytes), taken in that order from the
 * front of its KEYMAT.
 */
enum ike_crypto_verdict ike_esp_keys_derive(const struct ike_crypto *c, const struct ike_hash *hash,
					    const struct ike_secret *skeyid_d,
					    const struct ike_secret *g_qm_xy, uint32_t spi,
					    struct wire_span ni_b, struct wire_span nr_b,
					    size_t enc_key_len, const struct ike_esp_auth *auth,
					    struct ike_esp_keys *keys) WARN_UNUSED;

/*
 * The NAT-D hash of one address (RFC 3947 §3.2):
 * HASH(CKY-I | CKY-R | IP | Port), using the negotiated hash itself, not
 * HMAC.  addr is 4 (IPv4) or 16 (IPv6) octets in network order; port is in
 * host order.
 */
enum ike_crypto_verdict ike_natd_hash(const struct ike_crypto *c, const struct ike_hash *hash,
				      const uint8_t cky_i[IKE_COOKIE_LEN],
				      const uint8_t cky_r[IKE_COOKIE_LEN],
				      const uint8_t *addr, size_t addr_len, uint16_t port,
				      struct ike_digest *out) WARN_UNUSED;

#endif
