/*
 * ike_exchange.h - what the three exchange machines (Main Mode, Quick Mode,
 * Informational) share: the transition-table driver, the decoded received
 * message, and the helpers that decrypt, build, encrypt and send.
 *
 * A machine is a table of rows (state, event, required payloads, optional
 * payloads, must-be-encrypted, handler, next state).  The event is the
 * message's exchange type, or IKE_EVENT_DH_DONE when a worker finished
 * Diffie-Hellman.  ike_machine_step() finds the row, checks the payloads
 * and the encryption flag, calls the handler, and on success changes state
 * through the machine's one set_state function, which logs
 * "transition from state STATE_MAIN_R1 to state STATE_MAIN_R2".  Handlers
 * never assign ->state.  A handler's result is the protocol's answer:
 * IKE_OK, IKE_PENDING (waiting for a worker), IKE_DROP (ignore the message),
 * IKE_DELETE (delete the exchange, logged already, send nothing), or a
 * notify type (IKE_FAIL(NO_PROPOSAL_CHOSEN)) that the caller sends before it
 * deletes the exchange.
 *
 * What it must not do: know any one exchange, or keep state of its own.
 * Ownership: struct ike_rx holds views into the datagram and the engine's
 * receive buffer; it lives for one call of ike_engine_recv() (or one done()).
 */
#ifndef L2TPSEC_IKE_IKE_EXCHANGE_H
#define L2TPSEC_IKE_IKE_EXCHANGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/ike_sa.h"
#include "ike/isakmp_wire.h"

enum {
	IKE_OK = 0,
	IKE_PENDING = -1,
	IKE_DROP = -2,
	IKE_DELETE = -3,
};
#define IKE_FAIL(notify) ((int)ISAKMP_NOTIFY_##notify)

/* A debug line of the engine's exchange class (conf.debug_class), if one is set. */
#define IKE_DBG(e, lg, ...)                                                                  \
	do {                                                                                 \
		if ((e)->conf.debug_class >= 0)                                              \
			log_dbg((lg), (unsigned)(e)->conf.debug_class, __VA_ARGS__);         \
	} while (0)

/* An internal event: a worker finished the exchange's Diffie-Hellman. */
#define IKE_EVENT_DH_DONE 255

/* Payload classes for the rows (draft and RFC NAT-T numbers share a class). */
enum ike_payload_class {
	IKE_PL_SA = 1u << 0,
	IKE_PL_KE = 1u << 1,
	IKE_PL_ID = 1u << 2,
	IKE_PL_CERT = 1u << 3,
	IKE_PL_CR = 1u << 4,
	IKE_PL_HASH = 1u << 5,
	IKE_PL_SIG = 1u << 6,
	IKE_PL_NONCE = 1u << 7,
	IKE_PL_N = 1u << 8,
	IKE_PL_D = 1u << 9,
	IKE_PL_VID = 1u << 10,
	IKE_PL_NATD = 1u << 11,
	IKE_PL_NATOA = 1u << 12,
	IKE_PL_FRAG = 1u << 13,
	IKE_PL_OTHER = 1u << 14,        /* ATTR and anything unknown */
};

uint32_t ike_payload_class(uint8_t type);

/* One received message, decoded. */
struct ike_rx {
	struct netaddr local, remote;
	struct wire_span datagram;
	struct isakmp_hdr hdr;
	uint8_t event;                  /* hdr.exchange_type, or IKE_EVENT_DH_DONE */
	bool encrypted;
	struct isakmp_msg msg;
	uint32_t present;               /* IKE_PL_* of the payloads present */
	struct ike_iv next_iv;          /* the chain's next IV, to commit once accepted */
	uint8_t digest[32];             /* of the whole datagram, for the retransmit cache */
	const char *why;                /* set by the driver when it returns IKE_DROP */
};

struct ike_row {
	uint8_t state;
	uint8_t event;
	uint32_t required;
	uint32_t optional;
	bool encrypted;
	int (*handler)(void *obj, struct ike_rx *rx);
	uint8_t next;
};

struct ike_machine {
	const char *name;
	const struct ike_row *rows;
	size_t count;
	enum ike_state (*state_of)(const void *obj);
	void (*set_state)(void *obj, enum ike_state next);
};

/* The row for (state, event), or NULL. */
const struct ike_row *ike_machine_find(const struct ike_machine *m, unsigned state, unsigned event);

/* Checks the row, runs its handler, changes state on IKE_OK; returns the handler's result. */
int ike_machine_step(const struct ike_machine *m, void *obj, struct ike_rx *rx);

/* Fills present from rx->msg. */
void ike_rx_classify(struct ike_rx *rx);

/* SHA2-256 of the datagram into rx->digest (all zero if the hash failed). */
void ike_rx_digest(struct ike_engine *e, struct ike_rx *rx);

/*
 * Decrypts rx->hdr.body with iv and key into the engine's buffer and parses
 * the chain (padding allowed); rx->next_iv gets the last ciphertext block.
 * 0, or -1 on a length the cipher cannot take, -2 when the plaintext is not
 * a payload chain (a wrong key looks like this).
 */
int ike_rx_decrypt(struct ike_engine *e, const struct ike_sa *sa, const struct ike_iv *iv,
		   struct ike_rx *rx) WARN_UNUSED;

/*
 * The bytes after the first payload (which must be HASH) up to the end of
 * the last payload: what HASH(1)/(2) and the Informational HASH cover.
 */
struct wire_span ike_rx_after_hash(const struct ike_rx *rx);

/* A message being built in the engine's transmit buffer. */
struct ike_tx {
	struct wire_wr wr;
	struct isakmp_builder b;
};

void ike_tx_begin(struct ike_engine *e, struct ike_tx *tx, const uint8_t cky_i[IKE_COOKIE_LEN],
		  const uint8_t cky_r[IKE_COOKIE_LEN], uint8_t exchange, uint8_t flags,
		  uint32_t msgid);

/* Pads and encrypts everything after the header with iv (updated to the last block). */
bool ike_tx_encrypt(struct ike_engine *e, const struct ike_sa *sa, struct ike_iv *iv,
		    struct ike_tx *tx) WARN_UNUSED;

/* Finishes (length) and sends to the SA's endpoints; caches the bytes in reply if given. */
bool ike_tx_send(struct ike_engine *e, const struct netaddr *local, const struct netaddr *remote,
		 struct ike_tx *tx, struct ike_reply *reply);

/* Answers a duplicate request from the cache: true if it was one (answered or dropped). */
bool ike_reply_answer(struct ike_engine *e, struct ike_reply *reply, const struct ike_rx *rx,
		      const struct logger *lg, const struct netaddr *local,
		      const struct netaddr *remote, unsigned state);

/* Random bytes (OpenSSL's DRBG); false on failure. */
bool ike_random(void *p, size_t len) WARN_UNUSED;

/* "169.254.1.1" / "169.254.1.1:500" into a caller buffer. */
const char *ike_addr_str(const struct netaddr *a, char buf[NETADDR_STRLEN]);
const char *ike_endpoint_str(const struct netaddr *a, char buf[NETADDR_STRLEN]);

#endif
