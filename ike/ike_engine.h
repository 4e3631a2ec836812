/*
 * ike_engine.h - the IKEv1 responder engine: what the daemon calls.
 *
 * The daemon owns the sockets, the kernel and the configuration file; the
 * engine owns the protocol.  The daemon hands every ISAKMP datagram (UDP 500,
 * or UDP 4500 with the non-ESP marker already stripped) to
 * ike_engine_recv(); the engine answers through ops->send, asks the kernel
 * for SPIs and SAs through ops (never directly), runs Diffie-Hellman on the
 * workq, and keeps its own timers on the loop (exchange expiry, lifetimes,
 * DPD).  It only responds: it never starts a Main Mode or a Quick Mode
 * (NATed Windows refuses server-initiated rekeys, research/ike.md §3 #10).
 *
 * Objects and their identities: an ISAKMP SA is its cookie pair, a Quick Mode
 * exchange is cookies + message ID, an IPsec SA (child) is our inbound SPI.
 * Each gets a "#N" logger from the one "#" counter, like pluto; a child keeps
 * its parent's serial.  Lookups are hash tables, never scans per packet.
 *
 * What it must not do: touch a socket, the kernel or a file; log a secret;
 * start an exchange towards a client; crash or leak on any input.
 * Ownership: the daemon owns the loop, log context, crypto context and workq
 * (all must outlive the engine) and the conf it passes (the engine copies
 * it, the PSK into its own wiped buffer).  The engine owns every SA and child.
 */
#ifndef L2TPSEC_IKE_IKE_ENGINE_H
#define L2TPSEC_IKE_IKE_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/ike_crypto.h"
#include "ike/ike_prop.h"
#include "lib/evloop.h"
#include "lib/log.h"
#include "lib/netaddr.h"
#include "lib/util.h"
#include "lib/workq.h"

struct ike_engine;

struct ike_child_sa_params {            /* one IPsec SA pair to install, chosen in Quick Mode */
	uint64_t serial;                    /* the IPsec SA's #N */
	uint64_t parent_serial;             /* its ISAKMP SA's #N */
	struct netaddr local, remote;       /* IKE endpoints as seen (remote = NAT public address:port) */
	uint16_t local_l2tp_port;           /* 1701 */
	uint16_t remote_l2tp_port;          /* the client's port from its QM ID: 1701, or 0 = any */
	uint32_t spi_in, spi_out;           /* host order */
	uint32_t reqid;                     /* allocated by the engine from the daemon's range */
	const char *cipher_name; uint8_t cipher_key_in[64], cipher_key_out[64]; size_t cipher_key_len;   /* kernel names: "cbc(des3_ede)", "cbc(aes)" */
	const char *integ_name; uint8_t integ_key_in[64], integ_key_out[64]; size_t integ_key_len; unsigned integ_trunc_bits; /* "hmac(sha1)" 96, "hmac(sha256)" 128, "hmac(md5)" 96 */
	bool encap;                         /* ESP in UDP: remote.port is the peer's NAT-T port, local.port 4500 */
	uint64_t lifetime_seconds, lifetime_kilobytes;
	/* additions */
	struct netaddr peer_original;       /* the client's own address (NAT-OA or IDci); unset if unknown */
};

struct ike_engine_ops {
	void *arg;
	/* Send one ISAKMP message; the daemon adds the 4-byte non-ESP marker when local.port is the NAT-T port. */
	void (*send)(void *arg, const struct netaddr *local, const struct netaddr *remote, const uint8_t *msg, size_t len);
	/* Kernel: an inbound SPI (a larval SA) for remote->local; 0 or -errno. */
	int (*spi_alloc)(void *arg, const struct netaddr *local, const struct netaddr *remote, uint32_t reqid, uint32_t *spi);
	/* Kernel: both SAs and both policies; 0 or -errno (then nothing is left installed). Keys are wiped by the engine after the call. */
	int (*child_install)(void *arg, const struct ike_child_sa_params *child);
	/* Kernel: remove both SAs and policies of that child (also when only the larval inbound SA exists). */
	void (*child_remove)(void *arg, const struct ike_child_sa_params *child);
	/* Optional observers (may be NULL): an IPsec SA came up / went away (the L2TP side will use these). */
	void (*child_up)(void *arg, const struct ike_child_sa_params *child);
	void (*child_down)(void *arg, uint64_t serial, const char *reason);
};

/* The NAT-T methods the engine may answer with. */
enum {
	IKE_NATT_ALLOW_RFC = 1 << 0,    /* RFC 3947 */
	IKE_NATT_ALLOW_DRAFTS = 1 << 1, /* draft-ietf-ipsec-nat-t-ike-02, -02_n, -03 (Windows XP) */
};

struct ike_engine_conf {
	const uint8_t *psk;             /* copied into an ike_secret by the engine */
	size_t psk_len;
	struct ike_prop_policy policy;  /* accepted proposals (ike_prop_policy_default) */
	uint64_t p1_max_seconds, p1_max_kilobytes;  /* lifetime caps (0: no kilobyte cap) */
	uint64_t p2_max_seconds, p2_max_kilobytes;
	unsigned half_open_per_source;  /* Main Modes not yet established, per source address */
	unsigned half_open_total;
	unsigned exchange_timeout_ms;   /* a Main or Quick Mode that stalls this long is deleted */
	unsigned natt_keepalive_ms;     /* for the daemon's keepalives (ike_engine_natt_peers) */
	unsigned dpd_interval_ms;       /* 0: no DPD; only with peers that sent the DPD VID */
	unsigned dpd_timeout_ms;
	uint32_t reqid_min, reqid_max;  /* the daemon's range (KXFRM_REQID_MIN..MAX) */
	unsigned natt_methods;          /* IKE_NATT_ALLOW_* */
	/*
	 * For a server behind a NAT (a cloud address): our MM4 NAT-D for the
	 * peer's address is random, so the peer believes it is NATed and uses
	 * UDP encapsulation (libreswan encapsulation=yes, strongSwan encap=yes);
	 * and to Windows peers our own NAT-D repeats the hash Windows sent for
	 * us, so Windows never sees the server as NATed and needs no
	 * AssumeUDPEncapsulationContextOnSendRule (SoftEther's "parrot",
	 * research/windows-client.md §3.2).  Off by default.
	 */
	bool natt_force_encapsulation;
	unsigned retransmits_answered;  /* duplicates of one request answered; later ones dropped */
	unsigned children_per_sa;       /* IPsec SAs (incl. exchanges) one ISAKMP SA may hold */
	struct netaddr id_address;      /* our ID_IPV4_ADDR; AF_UNSPEC: the local address */
	uint16_t l2tp_port;             /* 1701 */
	int debug_class;                /* log_dbg class for the exchange machines; -1: none */
};

/* The defaults: ike_prop_policy_default, 8 h / 1 h caps, 16 half-open per source, 2048 in all, ... */
void ike_engine_conf_default(struct ike_engine_conf *conf);

struct ike_engine *ike_engine_new(struct ev_loop *loop, struct log_ctx *log, const struct ike_crypto *crypto, struct workq *workq, const struct ike_engine_conf *conf, const struct ike_engine_ops *ops) WARN_UNUSED;
void ike_engine_free(struct ike_engine *e);                      /* removes every child through ops, sends nothing */
void ike_engine_recv(struct ike_engine *e, const struct netaddr *local, const struct netaddr *remote, const uint8_t *msg, size_t len); /* one ISAKMP message, marker already stripped */
void ike_engine_kernel_expire(struct ike_engine *e, uint32_t spi_in_or_out, bool hard);  /* from kernel_xfrm's events */
int  ike_engine_conf_update(struct ike_engine *e, const struct ike_engine_conf *conf) WARN_UNUSED;    /* reload: new exchanges use it */
void ike_engine_shutdown(struct ike_engine *e);                  /* SIGTERM: send Delete for every IPsec and ISAKMP SA, remove children */
/*
 * The daemon ends one client's IPsec SA (its L2TP tunnel died: the client
 * vanished, or the admin ended it): Delete to the peer, SAs and policies
 * removed; its ISAKMP SA goes too when it protects nothing else.  -ENOENT if
 * no established child has that inbound SPI.
 */
int  ike_engine_child_close(struct ike_engine *e, uint32_t spi_in, const char *reason);

struct ike_engine_stats {
	uint64_t datagrams;
	uint64_t malformed;             /* header or payload chain did not parse */
	uint64_t dropped_unknown_sa;    /* cookies or SPI we do not know */
	uint64_t dropped_unexpected;    /* no transition for (state, message), or wrong payloads */
	uint64_t dropped_half_open;     /* a half-open cap was hit */
	uint64_t dropped_duplicate;     /* retransmissions beyond the answered cap, or while busy */
	uint64_t dropped_auth;          /* failed decryption or HASH: wrong PSK or forgery */
	uint64_t aggressive_refused;
	uint64_t no_proposal_chosen;
	uint64_t retransmits_answered;
	uint64_t notifies_sent;
	uint64_t exchanges_expired;
	uint64_t half_open_now;
	uint64_t isakmp_sas;            /* ISAKMP SAs now (half-open included) */
	uint64_t ipsec_sas;             /* IPsec SAs installed now */
	uint64_t kernel_errors;
};
void ike_engine_stats(const struct ike_engine *e, struct ike_engine_stats *out);

/* Read-only views for the admin surface (l2tpsecctl show sa / status). */
struct ike_sa_view {
	uint64_t serial;
	const char *state;              /* "STATE_MAIN_R3" */
	bool established;
	struct netaddr local, remote;
	uint64_t age_ms;
	bool nat_peer, nat_us;
	const char *natt_method;        /* "RFC 3947", ... or "none" */
	bool microsoft;                 /* sent the MS NT5 ISAKMPOAKLEY Vendor ID */
	uint32_t ms_version;            /* its version: 2 Windows 2000 ... 9 Windows 10+ */
	bool dpd;
	const char *client;             /* a guess from the Vendor IDs: "Windows XP", "Windows 8-11",
					   "macOS/iOS", "Android (racoon)", "other" */
	const char *cipher, *hash, *group;   /* NULL before MM2 */
	unsigned children;
};
struct ike_child_view {
	uint64_t serial, parent_serial;
	const char *state;
	bool installed;
	struct netaddr local, remote;
	uint32_t spi_in, spi_out, reqid;
	bool encap;
	const char *cipher, *integ;     /* kernel names */
	uint64_t lifetime_seconds;
	uint64_t age_ms;                /* since installed (0 before) */
};
void ike_engine_walk(const struct ike_engine *e, void (*sa_fn)(void *arg, const struct ike_sa_view *v),
		     void (*child_fn)(void *arg, const struct ike_child_view *v), void *arg);
/* The view of the ISAKMP SA with that serial; false if there is none. */
bool ike_engine_sa_view(const struct ike_engine *e, uint64_t serial, struct ike_sa_view *out);

/* One established peer behind a NAT, for the daemon's NAT-T keepalives. */
struct ike_natt_peer {
	uint64_t serial;
	struct netaddr local, remote;
};

/* Calls fn for each established ISAKMP SA that floated to NAT-T with a NAT detected. */
void ike_engine_natt_peers(const struct ike_engine *e,
			   void (*fn)(void *arg, const struct ike_natt_peer *peer), void *arg);

#endif
