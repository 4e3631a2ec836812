/*
 * ike_sa.h - the engine's objects and their tables: the ISAKMP SA (one Main
 * Mode and what it establishes), the IPsec SA or "child" (one Quick Mode and
 * the SA pair it installs), the per-source-address record that counts
 * half-open exchanges, and struct ike_engine that holds them all.
 *
 * Identities: an ISAKMP SA is found by its cookie pair (and, for a
 * retransmitted MM1 whose responder cookie is still zero, by initiator cookie
 * plus source address); a Quick Mode by (its ISAKMP SA's serial, message ID);
 * an installed child by our inbound SPI, and by its outbound SPI plus peer
 * address (what a peer's Delete names).  Every table is a chained hash table
 * keyed with SipHash-2-4 under a per-engine random key, because cookies, SPIs
 * and message IDs are chosen by the peer; tables double when they fill and
 * keep working (longer chains) if memory runs out.  No lookup scans all SAs.
 *
 * Ownership: the engine owns every ISAKMP SA and every child.  A child is
 * listed under its ISAKMP SA while that SA lives, but survives it (IKEv1
 * IPsec SAs outlive phase 1: a client that redoes Main Mode deletes the old
 * ISAKMP SA and keeps its IPsec SAs); it keeps parent_serial for the logs.
 * Freeing an object cancels its timers and its workq job first.  Secrets
 * (PSK copy, g^xy, SKEYID*, KEYMAT) are wiped on every free.
 *
 * Memory: what only an exchange needs (nonces, g^xi, the DH key pair, the
 * PSK copy, SKEYID, SAi_b; Quick Mode's IDs and PFS g^xy) lives in a
 * separately allocated handshake struct (sa->mm, c->qm) that is wiped and
 * freed the moment the exchange completes, so an established SA holds only
 * what DPD, Informational, Delete, a new Quick Mode and the views read.
 *
 * What it must not do: parse or build messages (ike_mm/qm/info do), or call
 * the kernel except through the engine's ops when a child goes.
 */
#ifndef L2TPSEC_IKE_IKE_SA_H
#define L2TPSEC_IKE_IKE_SA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/ike_crypto.h"
#include "ike/ike_dh.h"
#include "ike/ike_engine.h"
#include "ike/ike_prf.h"
#include "ike/ike_prop.h"
#include "ike/isakmp_vid.h"
#include "lib/evloop.h"
#include "lib/log.h"
#include "lib/netaddr.h"
#include "lib/workq.h"

/* The states, with the names pluto prints ("(null)" before the first transition). */
#define IKE_STATE_LIST(X)                                                                \
	X(IKE_STATE_NONE, "(null)")                                                      \
	X(IKE_STATE_MAIN_R1, "STATE_MAIN_R1")                                            \
	X(IKE_STATE_MAIN_R2, "STATE_MAIN_R2")                                            \
	X(IKE_STATE_MAIN_R3, "STATE_MAIN_R3")                                            \
	X(IKE_STATE_QUICK_R1, "STATE_QUICK_R1")                                          \
	X(IKE_STATE_QUICK_R2, "STATE_QUICK_R2")

#define IKE_STATE_ENUM(name, text) name,
enum ike_state { IKE_STATE_LIST(IKE_STATE_ENUM) IKE_STATE_COUNT };
#undef IKE_STATE_ENUM

const char *ike_state_name(unsigned state);

/* The largest ISAKMP message: a UDP datagram. */
#define IKE_MSG_MAX 65535
#define IKE_NONCE_LEN 32
#define IKE_ID_MAX 256

/* ------------------------------------------------------------ hash tables */

struct ike_hlink {
	struct ike_hlink *next;
	uint64_t hash;
};

struct ike_table {
	struct ike_hlink **buckets;
	size_t mask;                    /* bucket count - 1 (a power of two) */
	size_t count;
};

/* ------------------------------------------------------------ the retransmit cache */

/* One exchange's last request (its digest) and our reply to it, sent again on a duplicate. */
struct ike_reply {
	bool have_request;
	uint8_t request_digest[32];
	uint8_t *bytes;                 /* our last reply; NULL if none (or while busy) */
	size_t len;
	unsigned answered;              /* duplicates answered so far */
};

/* ------------------------------------------------------------ objects */

struct ike_sa;
struct ike_child;

/* One source address (no port): half-open count and the ISAKMP SAs from it. */
struct ike_source {
	struct ike_hlink link;
	struct netaddr addr;            /* port 0 */
	unsigned half_open;
	struct ike_sa *sas;             /* via sa->source_next */
};

/*
 * What an established ISAKMP SA keeps of phase 1's keys: SKEYID and SKEYID_e
 * go with the handshake.  The three kept are stored at their own size (a
 * digest at most; the cipher key is at most 32 bytes) and widened into a
 * struct ike_secret on the stack, then wiped, where ike_crypto/ike_prf take
 * one: ike_sa_enc_key(), ike_sa_skeyid_a(), ike_sa_skeyid_d().
 */
struct ike_sa_keys {
	uint8_t enc_key[IKE_DIGEST_MAX];  /* the phase-1 cipher key */
	size_t enc_key_len;
	uint8_t skeyid_a[IKE_DIGEST_MAX]; /* HASH(1..3), Informational HASH */
	size_t skeyid_a_len;
	uint8_t skeyid_d[IKE_DIGEST_MAX]; /* derives KEYMAT */
	size_t skeyid_d_len;
};

/*
 * What only Main Mode needs, from MM1 until the SA is established: made by
 * ike_sa_new(), wiped and freed by mm_established() (or with the SA).
 */
struct ike_mm_handshake {
	struct ike_sa *sa;
	struct workq_job job;           /* DH + SKEYID* on a worker */
	enum ike_crypto_verdict job_result;
	uint8_t *sai_b;                 /* the peer's SA payload body, for HASH_I/HASH_R */
	size_t sai_b_len;
	struct ike_secret psk;          /* copied at MM1: a reload does not change a running MM */
	uint8_t ni[ISAKMP_NONCE_MAX], nr[IKE_NONCE_LEN];
	size_t ni_len, nr_len;
	uint8_t g_xi[IKE_DH_PUBLIC_MAX];
	size_t g_xi_len;
	struct ike_dh *dh;              /* our key pair (g^xr) */
	struct ike_secret skeyid;       /* HASH_I, HASH_R */
};

struct ike_sa {
	struct ike_engine *engine;
	struct logger lg;               /* "#4" */
	uint64_t serial;
	enum ike_state state;
	struct ike_sa *prev, *next;     /* the engine's list (shutdown, free) */
	struct ike_hlink by_cookies, by_icookie;
	struct ike_source *source;
	struct ike_sa *source_prev, *source_next;
	bool half_open;
	bool busy;                      /* mm->job submitted, done() not yet run */
	uint64_t created_ms;
	uint8_t cky_i[IKE_COOKIE_LEN], cky_r[IKE_COOKIE_LEN];
	struct netaddr local, remote;   /* follow the peer's float to 4500 */
	/* Main Mode */
	struct ike_p1_choice p1;
	struct ike_mm_handshake *mm;    /* NULL once established */
	struct ike_sa_keys keys;
	struct ike_iv iv;               /* the Main Mode chain; after MM6 the last phase-1 IV */
	/* peer facts */
	enum isakmp_natt_method natt;
	bool nat_peer, nat_us;          /* NAT detected in front of the peer / of us */
	bool nat_forced;                /* conf.natt_force_encapsulation applied: UDP encapsulation */
	uint8_t peer_natd_of_us[IKE_DIGEST_MAX]; /* the peer's first NAT-D (parroted to Windows) */
	size_t peer_natd_of_us_len;
	bool dpd_vid, microsoft, initial_contact;
	bool apple, racoon;             /* Apple's unversioned NAT-T VID; KAME/racoon (Android) */
	uint32_t ms_version;
	uint8_t peer_id_type;
	uint8_t *peer_id;               /* its ID payload's data (INITIAL-CONTACT compares it) */
	size_t peer_id_len;
	/* timers */
	struct ev_timer expiry;         /* exchange timeout while half-open, then the lifetime */
	struct ev_timer dpd_due;
	uint32_t dpd_seq;
	bool dpd_outstanding;
	uint64_t dpd_sent_ms, last_heard_ms;
	struct ike_reply reply;         /* MM6 goes once the peer speaks in a new exchange */
	struct ike_child *children;     /* via child->sa_next */
	unsigned child_count;
	uint32_t info_mids[8];          /* recent Informational message IDs (replays dropped) */
	unsigned info_mid_next;
};

/*
 * What only Quick Mode needs, from QM1 until the SAs are installed: made by
 * ike_child_new(), wiped and freed by qm_established() (or with the child).
 */
struct ike_qm_handshake {
	struct ike_child *child;
	struct workq_job job;           /* PFS DH on a worker */
	enum ike_crypto_verdict job_result;
	uint8_t ni[ISAKMP_NONCE_MAX], nr[IKE_NONCE_LEN];
	size_t ni_len, nr_len;
	uint8_t g_xi[IKE_DH_PUBLIC_MAX];
	size_t g_xi_len;
	struct ike_dh *dh;
	struct ike_secret g_xy;         /* PFS g(qm)^xy */
	bool have_ids;
	uint8_t idci[IKE_ID_MAX], idcr[IKE_ID_MAX];
	size_t idci_len, idcr_len;
};

struct ike_child {
	struct ike_engine *engine;
	struct logger lg;               /* "#5" */
	uint64_t serial, parent_serial;
	enum ike_state state;
	struct ike_sa *sa;              /* NULL once the ISAKMP SA is gone */
	struct ike_child *sa_prev, *sa_next;
	struct ike_child *prev, *next;  /* the engine's list */
	struct ike_hlink by_msgid, by_spi_in, by_spi_out;
	bool in_msgid, in_spi_in, in_spi_out;
	bool busy;                      /* qm->job submitted, done() not yet run */
	uint32_t msgid;
	struct ike_iv iv;
	struct ike_p2_choice p2;
	struct ike_qm_handshake *qm;    /* NULL once installed */
	unsigned natoa_count;
	struct netaddr natoa;           /* the first NAT-OA the peer sent */
	struct ike_child_sa_params params; /* keys wiped after child_install */
	bool spi_allocated, installed, reqid_held;
	uint64_t installed_ms;          /* loop clock when the SAs went into the kernel */
	struct ev_timer expiry;         /* exchange timeout in QUICK_R1, then the lifetime */
	struct ike_reply reply;
};

struct ike_engine {
	struct ev_loop *loop;
	struct log_ctx *log;
	const struct ike_crypto *crypto;
	struct workq *workq;
	struct ike_engine_ops ops;
	struct ike_engine_conf conf;    /* conf.psk points at psk below */
	struct ike_secret psk;
	struct logger lg;               /* root: "packet from ..." lines */
	struct log_ratelimit rl_packet; /* lines peers can trigger */
	uint64_t hash_key[2];
	struct ike_table by_cookies, by_icookie, by_msgid, by_spi_in, by_spi_out, sources;
	struct ike_sa *sas;
	struct ike_child *children;
	uint64_t half_open;
	struct ike_engine_stats stats;
	uint8_t *reqid_used;            /* bitmap over [reqid_min, reqid_max] */
	uint32_t reqid_span, reqid_next;
	uint8_t *rx_buf;                /* IKE_MSG_MAX: a decrypted body */
	uint8_t *tx_buf;                /* IKE_MSG_MAX: a message being built */
	bool stopping;
};

/* ------------------------------------------------------------ tables */

int ike_table_init(struct ike_table *t, size_t buckets) WARN_UNUSED;
void ike_table_free(struct ike_table *t);
void ike_table_insert(struct ike_table *t, struct ike_hlink *link, uint64_t hash);
void ike_table_remove(struct ike_table *t, struct ike_hlink *link);
/* The first link with this hash, then the next one (hashes can collide: check the key). */
struct ike_hlink *ike_table_first(const struct ike_table *t, uint64_t hash);
struct ike_hlink *ike_table_next(struct ike_hlink *link, uint64_t hash);

uint64_t ike_hash_bytes(const struct ike_engine *e, const void *p, size_t len);

/* ------------------------------------------------------------ lookups */

struct ike_sa *ike_sa_find(struct ike_engine *e, const uint8_t cky_i[IKE_COOKIE_LEN],
			   const uint8_t cky_r[IKE_COOKIE_LEN]);
/* An SA still answering MM1 from this address with this initiator cookie. */
struct ike_sa *ike_sa_find_initial(struct ike_engine *e, const uint8_t cky_i[IKE_COOKIE_LEN],
				   const struct netaddr *remote);
struct ike_child *ike_child_find_msgid(struct ike_engine *e, const struct ike_sa *sa,
				       uint32_t msgid);
struct ike_child *ike_child_find_spi_in(struct ike_engine *e, uint32_t spi);
struct ike_child *ike_child_find_spi_out(struct ike_engine *e, uint32_t spi,
					 const struct netaddr *remote);

/* ------------------------------------------------------------ life cycle */

/*
 * A new ISAKMP SA for an MM1 from remote: our random cookie, a "#N" logger,
 * counted half-open.  NULL (logged, rate-limited) when a half-open cap is
 * hit or memory runs out.
 */
struct ike_sa *ike_sa_new(struct ike_engine *e, const uint8_t cky_i[IKE_COOKIE_LEN],
			  const struct netaddr *local, const struct netaddr *remote);

/* No longer half-open: established. */
void ike_sa_established(struct ike_sa *sa);

/* Wipes and frees sa->mm (Main Mode is over); NULL mm is a no-op. */
void ike_sa_handshake_free(struct ike_sa *sa);

/*
 * Takes SKEYID_d, SKEYID_a and the cipher key from keys into sa->keys, and
 * SKEYID into sa->mm; wipes keys whatever happens.  Runs on the DH worker.
 */
enum ike_crypto_verdict ike_sa_keys_take(struct ike_sa *sa,
					 struct ike_phase1_keys *keys) WARN_UNUSED;

/* The kept keys widened into a struct ike_secret for ike_crypto/ike_prf (the caller wipes it). */
void ike_sa_skeyid_d(const struct ike_sa *sa, struct ike_secret *out);
void ike_sa_skeyid_a(const struct ike_sa *sa, struct ike_secret *out);
void ike_sa_enc_key(const struct ike_sa *sa, struct ike_secret *out);

/*
 * Deletes an ISAKMP SA: with_children also deletes its IPsec SAs (each with a
 * Delete to the peer when notify_peer), else they are orphaned (kept until
 * their own Delete or expiry; unfinished Quick Modes go).  notify_peer sends
 * a Delete for the ISAKMP SA if it is established.
 */
void ike_sa_delete(struct ike_sa *sa, bool notify_peer, bool with_children, const char *reason);

/*
 * A child for Quick Mode msgid under sa ("#N", listed, in the msgid table),
 * with its handshake state; NULL on OOM.
 */
struct ike_child *ike_child_new(struct ike_sa *sa, uint32_t msgid);

/* Wipes and frees c->qm (Quick Mode is over); NULL qm is a no-op. */
void ike_child_handshake_free(struct ike_child *c);

/* Records our inbound SPI (the spi_in table) and the peer's (the spi_out table). */
void ike_child_index_spi_in(struct ike_child *c);
void ike_child_index_spi_out(struct ike_child *c);

/*
 * Deletes a child: a Delete to the peer (notify_peer, if its ISAKMP SA is
 * established), child_remove for anything the kernel holds, child_down when
 * it was up, then frees it.
 */
void ike_child_delete(struct ike_child *c, bool notify_peer, const char *reason);

/* A reqid from the daemon's range, unused by any live child; 0 when the range is exhausted. */
uint32_t ike_reqid_alloc(struct ike_engine *e);
void ike_reqid_release(struct ike_engine *e, uint32_t reqid);

/* The retransmit cache. */
void ike_reply_clear(struct ike_reply *r);
/* Keeps a copy of our reply; false on OOM (the reply is still sent, just not cached). */
bool ike_reply_store(struct ike_reply *r, const uint8_t *msg, size_t len);
void ike_reply_request(struct ike_reply *r, const uint8_t digest[32]);
bool ike_reply_is_duplicate(const struct ike_reply *r, const uint8_t digest[32]);

#endif
