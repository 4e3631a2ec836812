/*
 * ike_initiator.h - an IKEv1 Main Mode + Quick Mode initiator for unit tests,
 * built from our own codec (isakmp_wire) and crypto (ike_crypto/dh/prf).
 *
 * It plays the built-in clients against the engine: chosen proposals and
 * Vendor IDs, NAT-T (RFC 3947 or draft-02: payload numbers and modes follow
 * the method the responder answered with), a NAT simulated by hashing a
 * different address into its own NAT-D, PFS, INITIAL-CONTACT, Deletes and
 * DPD.  Diffie-Hellman runs inline.  Every received message is checked the
 * way a real initiator would (HASH_R, HASH(2), the Informational HASH), and
 * it derives its own KEYMAT so a test can compare keys with the responder's.
 *
 * What it must not do: be linked into the daemon (tests only), or hide a
 * failure: every function returns 0/length or a negative step number that
 * says where it stopped.
 * Ownership: the test owns the struct; ike_init_free() wipes its secrets.
 */
#ifndef L2TPSEC_TESTS_HARNESS_IKE_INITIATOR_H
#define L2TPSEC_TESTS_HARNESS_IKE_INITIATOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/ike_crypto.h"
#include "ike/ike_dh.h"
#include "ike/ike_prf.h"
#include "ike/isakmp_vid.h"
#include "ike/isakmp_wire.h"
#include "lib/netaddr.h"

/* One phase-1 transform to offer (attribute values; 0 = attribute absent). */
struct ike_init_p1 {
	uint16_t cipher, key_bits, hash, auth, group;
	uint32_t life_seconds, life_kbytes;
};

/* One ESP transform to offer (0 = attribute absent). */
struct ike_init_esp {
	uint8_t transform_id;
	uint16_t key_bits, integ, mode, group;
	uint32_t life_seconds, life_kbytes;
};

/* SA payload bodies (no generic header): one proposal holding n transforms. */
size_t ike_init_p1_sa_body(uint8_t *buf, size_t cap, const struct ike_init_p1 *t, size_t n);

/* ESP: one proposal with n transforms, or (split) one proposal per transform. */
size_t ike_init_esp_sa_body(uint8_t *buf, size_t cap, uint32_t spi, const struct ike_init_esp *t,
			    size_t n, bool split);

struct ike_init_conf {
	const char *psk;
	const struct ike_init_p1 *p1;
	size_t p1_count;
	const char *const *vids;        /* names from isakmp_vid_table() */
	size_t vid_count;
	struct netaddr local;           /* the client's own (private) address and port */
	struct netaddr remote;          /* the responder */
	bool behind_nat;                /* hash another address into our NAT-D: a NAT */
	bool initial_contact;           /* N(INITIAL-CONTACT) in MM5 */
	/*
	 * Load generation only: Main Mode uses this key pair instead of a fresh
	 * one (the caller owns it and keeps it for every client).  The
	 * responder's work is the same either way.
	 */
	const struct ike_dh *main_mode_dh;
};

struct ike_init_qm {
	const struct ike_init_esp *esp;
	size_t esp_count;
	bool split;                     /* one proposal per transform (Windows) */
	uint16_t pfs_group;             /* 0: no KE */
	uint16_t client_port;           /* IDci port: 1701 or 0 */
	bool no_ids;
	unsigned natoa_count;           /* 0, 1 or 2 NAT-OA payloads */
};

#define IKE_INIT_MSG_MAX 4096

struct ike_init {
	const struct ike_crypto *crypto;
	struct ike_init_conf conf;
	uint8_t cky_i[8], cky_r[8];
	/* negotiated */
	enum isakmp_natt_method natt;
	bool dpd_vid;
	const struct ike_cipher *cipher;
	size_t key_len;
	const struct ike_hash *hash;
	const struct ike_group *group;
	uint8_t sai_b[1024];
	size_t sai_b_len;
	/* Main Mode */
	const struct ike_dh *dh;        /* ours, or conf.main_mode_dh */
	struct ike_dh *own_dh;          /* the fresh key pair we made (freed with us) */
	uint8_t ni[32], nr[256];
	size_t nr_len;
	uint8_t g_xr[IKE_DH_PUBLIC_MAX];
	size_t g_xr_len;
	bool nat_seen_by_us;            /* the responder's NAT-D says we are NATed */
	bool server_nat_seen;           /* its NAT-D of itself does not match its address */
	struct ike_secret psk;
	struct ike_phase1_keys keys;
	struct ike_iv iv;               /* Main Mode chain, then the last phase 1 IV */
	uint8_t idii_b[64];
	size_t idii_b_len;
	/* Quick Mode (one at a time) */
	uint32_t qm_mid;
	struct ike_iv qm_iv;
	uint8_t qm_ni[32], qm_nr[256];
	size_t qm_nr_len;
	struct ike_dh *qm_dh;
	struct ike_secret qm_g_xy;
	uint32_t spi_i, spi_r;          /* ours (the client's inbound), the responder's */
	uint8_t esp_id;
	uint16_t esp_key_bits, esp_integ, esp_mode;
	struct ike_esp_keys keys_i_to_r, keys_r_to_i;
	unsigned qm2_natoa_count;
	/* the last Informational received */
	uint16_t info_notify;
	uint32_t info_dpd_seq;
	uint8_t info_delete_proto;
	uint32_t info_delete_spi;
};

/* 0, or -1 if the DH/crypto setup failed. */
int ike_init_start(struct ike_init *in, const struct ike_crypto *crypto,
		   const struct ike_init_conf *conf);
void ike_init_free(struct ike_init *in);

/* Each builder returns the message length (> 0) written to out, or a negative step. */
long ike_init_mm1(struct ike_init *in, uint8_t *out, size_t cap);
long ike_init_mm3(struct ike_init *in, uint8_t *out, size_t cap);
long ike_init_mm5(struct ike_init *in, uint8_t *out, size_t cap);
long ike_init_qm1(struct ike_init *in, uint32_t mid, uint32_t spi_i, const struct ike_init_qm *qm,
		  uint8_t *out, size_t cap);
long ike_init_qm3(struct ike_init *in, uint8_t *out, size_t cap);

/* Each reader returns 0, or a negative step where the message did not check out. */
int ike_init_recv_mm2(struct ike_init *in, const uint8_t *msg, size_t len);
int ike_init_recv_mm4(struct ike_init *in, const uint8_t *msg, size_t len);
int ike_init_recv_mm6(struct ike_init *in, const uint8_t *msg, size_t len);
int ike_init_recv_qm2(struct ike_init *in, const uint8_t *msg, size_t len);

/* An encrypted Informational: Delete of our ESP SA (by our SPI) or of the ISAKMP SA. */
long ike_init_delete_esp(struct ike_init *in, uint32_t mid, uint32_t spi, uint8_t *out, size_t cap);
long ike_init_delete_isakmp(struct ike_init *in, uint32_t mid, uint8_t *out, size_t cap);
/* An encrypted Informational notify (R-U-THERE / ACK carry seq as data and the cookies as SPI). */
long ike_init_notify(struct ike_init *in, uint32_t mid, uint16_t type, uint32_t seq, uint8_t *out,
		     size_t cap);
/*
 * Any plaintext payload chain (first payload type `first`) as an encrypted
 * message of `exchange` under the ISAKMP SA, after a HASH payload computed
 * the way HASH(1) of Quick Mode and Informational are (prf(SKEYID_a, M-ID |
 * chain)); the IV is the message ID's phase-2 IV.  For the fuzz target.
 */
long ike_init_wrap(struct ike_init *in, uint8_t exchange, uint32_t mid, uint8_t first,
		   const uint8_t *chain, size_t len, uint8_t *out, size_t cap);
/* Reads an encrypted Informational from the responder into info_*; 0 or a negative step. */
int ike_init_recv_info(struct ike_init *in, const uint8_t *msg, size_t len);
/* Reads a plain Informational (a notify before the keys): its type, or a negative step. */
int ike_init_recv_plain_notify(const uint8_t *msg, size_t len);

#endif
