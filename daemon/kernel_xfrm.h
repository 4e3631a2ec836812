/*
 * kernel_xfrm - the daemon's narrow interface to the kernel's IPsec (XFRM).
 *
 * Everything l2tpsecd asks of XFRM goes through here: bypass and ESP-in-UDP
 * on the IKE sockets, SPI allocation, transport-mode ESP SAs and their
 * policies, deletion, counters, expiry events, and at start the removal of
 * whatever an earlier l2tpsecd left behind.
 *
 * What is ours: every SA and policy we install carries a reqid in
 * [KXFRM_REQID_MIN, KXFRM_REQID_MAX], and nothing else in the kernel is
 * touched (other IPsec daemons on the host keep their state).  Marks: the
 * outbound SA and both policies of a client carry that client's mark; the
 * inbound SA is found by SPI alone and stamps its mark on what it decrypts
 * (XFRMA_SET_MARK), so the inbound policy check and, later, the L2TP socket
 * of that client see it.  Two clients behind one NAT thus keep separate SAs
 * and policies.
 *
 * Errors are -errno from the kernel; the kernel's own explanation (netlink
 * extended ack), when it gave one, is kept for the caller's log line.  This
 * module never logs: the caller owns the wording.
 *
 * Requests are synchronous on one netlink socket (the kernel answers in
 * microseconds); expiry events arrive on a second socket that the event loop
 * watches.
 */
#ifndef L2TPSEC_DAEMON_KERNEL_XFRM_H
#define L2TPSEC_DAEMON_KERNEL_XFRM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/netaddr.h"
#include "lib/util.h"

#define KXFRM_REQID_MIN 0x4c320000u     /* "L2" */
#define KXFRM_REQID_MAX 0x4c32ffffu
#define KXFRM_KEY_MAX 64
#define KXFRM_ERROR_MAX 160

struct kxfrm;

/* The transport-mode traffic an SA pair protects: UDP between two ports. */
struct kxfrm_flow {
	struct netaddr local;           /* our address and L2TP port (1701) */
	struct netaddr remote;          /* the peer as seen (NAT public address); port 0 = any */
	uint8_t protocol;               /* IPPROTO_UDP; 0 = any */
};

struct kxfrm_sa {
	bool inbound;                   /* peer -> us */
	uint32_t spi;                   /* host order */
	uint32_t reqid;
	uint32_t mark;                  /* 0: none */
	struct kxfrm_flow flow;
	const char *cipher_name;        /* kernel name, e.g. "cbc(aes)" */
	uint8_t cipher_key[KXFRM_KEY_MAX];
	size_t cipher_key_len;
	const char *integ_name;         /* e.g. "hmac(sha1)" */
	uint8_t integ_key[KXFRM_KEY_MAX];
	size_t integ_key_len;
	unsigned integ_trunc_bits;      /* 96 for HMAC-SHA1-96 */
	bool encap;                     /* ESP in UDP (RFC 3948) */
	uint16_t encap_local_port;      /* 4500 */
	uint16_t encap_remote_port;     /* the peer's (NAT-mapped) port */
	uint64_t hard_seconds;          /* 0: none */
	uint64_t hard_bytes;            /* 0: none */
	bool update;                    /* fill the larval SA that kxfrm_spi_alloc made */
};

struct kxfrm_counters {
	uint64_t bytes;
	uint64_t packets;
};

/* An SA the kernel says has expired (hard: it is gone; soft: time to act). */
struct kxfrm_expire {
	struct netaddr dst;
	uint32_t spi;
	uint32_t reqid;
	bool hard;
};

struct kxfrm *kxfrm_open(void) WARN_UNUSED;
void kxfrm_close(struct kxfrm *kx);

/* The kernel's explanation of the last refusal, or "" when it gave none. */
const char *kxfrm_error_text(const struct kxfrm *kx);

/* Lets IKE packets on fd bypass every IPsec policy. 0 or -errno. */
int kxfrm_socket_bypass(int fd, int family) WARN_UNUSED;

/* Makes the kernel decapsulate ESP in UDP arriving on fd (the 4500 socket). 0 or -errno. */
int kxfrm_socket_espinudp(int fd) WARN_UNUSED;

/* A fresh inbound SPI for traffic from `remote` to `local` (a larval SA). 0 or -errno. */
int kxfrm_spi_alloc(struct kxfrm *kx, const struct netaddr *local, const struct netaddr *remote,
		    uint32_t reqid, uint32_t *spi) WARN_UNUSED;

int kxfrm_sa_add(struct kxfrm *kx, const struct kxfrm_sa *sa) WARN_UNUSED;

/* dst is the SA's destination (us for inbound, the peer for outbound). */
int kxfrm_sa_del(struct kxfrm *kx, const struct netaddr *dst, uint32_t spi, uint32_t mark) WARN_UNUSED;

int kxfrm_sa_counters(struct kxfrm *kx, const struct netaddr *dst, uint32_t spi, uint32_t mark,
		      struct kxfrm_counters *out) WARN_UNUSED;

/* The in and out policies for a flow, ESP transport with reqid, marked. 0 or -errno. */
int kxfrm_policies_add(struct kxfrm *kx, const struct kxfrm_flow *flow, uint32_t reqid,
		       uint32_t mark) WARN_UNUSED;
int kxfrm_policies_del(struct kxfrm *kx, const struct kxfrm_flow *flow, uint32_t mark) WARN_UNUSED;

/*
 * The clear-L2TP guard: two global catch-all policies per family for UDP to
 * or from `port` (1701), so that L2TP never crosses in the clear.
 *   in:  any source -> any address, UDP dport `port`: ALLOW with a template
 *        requiring ESP in transport mode.  A clear datagram fails the
 *        template and the kernel drops it (XfrmInTmplMismatch).
 *   out: any address, UDP sport `port` -> anywhere: BLOCK.  A socket without
 *        a client's mark gets -EPERM (at connect() or send()); nothing leaks.
 * Order: among the policies whose selector and mark match a packet the kernel
 * takes the one with the numerically LOWEST priority.  A client's pair
 * (kxfrm_policies_add) has priority KXFRM_POLICY_PRIORITY (1000) and matches
 * only packets carrying that client's mark; the guard has
 * KXFRM_GUARD_PRIORITY (2000) and no mark (it matches every packet), so a
 * marked packet meets its client's policy first and the guard judges only
 * what no client claims.  A per-socket policy (kxfrm_socket_bypass, as on
 * the L2TP listener) is looked up before the global ones and overrides both.
 * The guard's template carries KXFRM_REQID_GUARD, one of our reqids, so
 * kxfrm_flush_ours() recognises and removes it too.  IPv4 always; IPv6 as
 * well when the kernel has it (-EAFNOSUPPORT there is not an error).
 * add: 0 or -errno (nothing is left half-installed); replaces a guard that is
 * there.  del: 0, -ENOENT when no IPv4 guard was installed, -errno.
 */
#define KXFRM_POLICY_PRIORITY 1000
#define KXFRM_GUARD_PRIORITY 2000
#define KXFRM_REQID_GUARD KXFRM_REQID_MAX   /* IKE should stop one short of it */
int kxfrm_l2tp_guard_add(struct kxfrm *kx, uint16_t port) WARN_UNUSED;
int kxfrm_l2tp_guard_del(struct kxfrm *kx, uint16_t port) WARN_UNUSED;

/* Removes every SA and policy with one of our reqids; counts what it removed. 0 or -errno. */
int kxfrm_flush_ours(struct kxfrm *kx, unsigned *sas, unsigned *policies) WARN_UNUSED;

/* Expiry events: a socket for the event loop; read with kxfrm_events_read. */
int kxfrm_events_open(struct kxfrm *kx) WARN_UNUSED;   /* returns the fd or -errno */
/* Calls fn for each pending expiry of one of our SAs; 0 or -errno. */
int kxfrm_events_read(struct kxfrm *kx, void (*fn)(void *arg, const struct kxfrm_expire *e),
		      void *arg) WARN_UNUSED;

#endif
