/*
 * l2tp_lns_internal.h - what the engine, the tunnel machine and the session
 * machine share: the objects (engine, tunnel, session), the decoded received
 * message, the handlers' answer, the transition-table driver, AVP value
 * readers that unhide with the tunnel secret, and the message builder.
 *
 * A machine is a table of rows (state, message type, required AVPs, handler,
 * next state).  l2tp_machine_step() checks for an unknown mandatory AVP,
 * finds the row (none: the machine's own "unexpected" answer), checks the
 * required AVPs, calls the handler, and on L2TP_ACCEPT changes state through
 * the machine's one set_state function, which writes the one transition line
 * (debug class).  Handlers never assign ->state.  A handler's answer is the
 * protocol's: L2TP_ACCEPT, L2TP_IGNORE, L2TP_STOP(result, error, text) (the
 * tunnel sends StopCCN), L2TP_CDN(result, error, text) (the session sends
 * CDN).
 *
 * What it must not do: be included outside l2tp/l2tp_lns*.c,
 * l2tp_tunnel.c, l2tp_session.c and their tests.  Views in struct l2tp_rx
 * point into the datagram and live for one delivery.
 */
#ifndef L2TPSEC_L2TP_L2TP_LNS_INTERNAL_H
#define L2TPSEC_L2TP_L2TP_LNS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "l2tp/l2tp_const.h"
#include "l2tp/l2tp_lns.h"
#include "l2tp/l2tp_rel.h"
#include "l2tp/l2tp_wire.h"
#include "lib/evloop.h"
#include "lib/log.h"

#define L2TP_TUNNEL_IDS 65536u
#define L2TP_PEER_BUCKETS 256u
#define L2TP_CHALLENGE_LEN 16
#define L2TP_RESPONSE_LEN 16          /* MD5 */
#define L2TP_TX_MAX 2048              /* the largest message we build */

/* A debug line of the engine's class (conf.debug_class), if one is set. */
#define L2TP_DBG(lns, lg, ...)                                                              \
	do {                                                                                 \
		if ((lns)->conf.debug_class >= 0)                                            \
			log_dbg((lg), (unsigned)(lns)->conf.debug_class, __VA_ARGS__);       \
	} while (0)

/* ------------------------------------------------------------ objects */

struct l2tp_lns {
	struct ev_loop *loop;
	struct log_ctx *log;
	struct l2tp_lns_conf conf;       /* host_name and secret point at the copies below */
	char *host_name;
	uint8_t *secret;
	struct l2tp_lns_ops ops;
	struct logger lg;                /* root logger: lines about no tunnel in particular */
	struct log_ratelimit rl;         /* every line a peer can repeat at will */
	struct l2tp_tunnel **by_id;      /* L2TP_TUNNEL_IDS slots */
	struct l2tp_tunnel *by_peer[L2TP_PEER_BUCKETS]; /* SCCRQ duplicates: (remote, mark, peer id) */
	uint32_t peer_seed;
	struct l2tp_tunnel *tunnels;     /* every tunnel, newest first */
	struct l2tp_lns_stats stats;
	bool stopping;                   /* shutdown: nothing new is accepted */
};

#define L2TP_TUNNEL_STATE_LIST(X)                                                           \
	X(L2TP_TUNNEL_IDLE, "IDLE")                   /* created for an SCCRQ not yet handled */ \
	X(L2TP_TUNNEL_WAIT_CTL_CONN, "WAIT_CTL_CONN") /* SCCRP sent */                          \
	X(L2TP_TUNNEL_ESTABLISHED, "ESTABLISHED")                                               \
	X(L2TP_TUNNEL_CLOSING, "CLOSING")             /* our StopCCN waits for its ack */       \
	X(L2TP_TUNNEL_STOPPED, "STOPPED")             /* the peer's StopCCN: acking, lingering */

#define L2TP_STATE_ENUM(name, text) name,
enum l2tp_tunnel_state { L2TP_TUNNEL_STATE_LIST(L2TP_STATE_ENUM) L2TP_TUNNEL_STATES };

#define L2TP_SESSION_STATE_LIST(X)                                                          \
	X(L2TP_SESSION_IDLE, "IDLE")                  /* created for an ICRQ not yet handled */ \
	X(L2TP_SESSION_WAIT_CONNECT, "WAIT_CONNECT")  /* ICRP sent */                           \
	X(L2TP_SESSION_ESTABLISHED, "ESTABLISHED")    /* ICCN accepted, session_open done */    \
	X(L2TP_SESSION_CLOSED, "CLOSED")              /* CDN either way: freed after the step */

enum l2tp_session_state { L2TP_SESSION_STATE_LIST(L2TP_STATE_ENUM) L2TP_SESSION_STATES };
#undef L2TP_STATE_ENUM

struct l2tp_tunnel {
	struct l2tp_lns *lns;
	struct l2tp_tunnel_info info;    /* info.lg = &lg */
	struct logger lg;
	enum l2tp_tunnel_state state;
	struct l2tp_rel *rel;
	void *handle;                    /* the daemon's, after tunnel_open */
	bool opened;
	struct l2tp_tunnel *next, **pprev;          /* lns->tunnels */
	struct l2tp_tunnel *next_by_peer, **pprev_by_peer;
	struct l2tp_session *sessions;
	unsigned session_count;
	/* Settings taken from the conf when the tunnel was made (a reload leaves them). */
	unsigned hello_interval_ms, setup_timeout_ms, linger_ms, max_sessions;
	uint8_t *secret;                 /* wiped copy; NULL when none */
	size_t secret_len;
	uint8_t challenge[L2TP_CHALLENGE_LEN]; /* ours, sent in SCCRP when there is a secret */
	struct ev_timer hello_due, setup_due, linger_due, idle_due;
	unsigned idle_timeout_ms;        /* from the conf when the tunnel was made */
	unsigned busy;                   /* inside an entry point: closing is deferred */
	bool peer_gone;                  /* closing because the peer stopped acknowledging */
	bool doomed;                     /* close when the entry point leaves */
	char *doomed_reason;             /* a copy, made when doomed; NULL if that copy failed */
};

struct l2tp_session {
	struct l2tp_tunnel *tunnel;
	struct l2tp_session_info info;   /* info.lg = &lg, info.tunnel = &tunnel->info */
	struct logger lg;
	enum l2tp_session_state state;
	void *handle;                    /* the daemon's, after session_open */
	bool opened;
	struct l2tp_session *next, **pprev;
	struct ev_timer setup_due;
	const char *close_reason;        /* a static string, set when a handler closes it */
};

/* ------------------------------------------------------------ a received message */

struct l2tp_rx {
	struct l2tp_hdr hdr;
	struct l2tp_msg msg;             /* parsed body; msg.type is the message type */
	const uint8_t *datagram;
	size_t len;
};

/* ------------------------------------------------------------ answers */

enum l2tp_answer_kind {
	L2TP_ANSWER_ACCEPT,              /* handled: take the row's next state */
	L2TP_ANSWER_IGNORE,              /* nothing to do (rel acknowledges it) */
	L2TP_ANSWER_STOP,                /* StopCCN with result/error/text; the tunnel closes */
	L2TP_ANSWER_CDN,                 /* CDN with result/error/text; the session closes */
};

struct l2tp_answer {
	enum l2tp_answer_kind kind;
	uint16_t result, error;
	char text[96];                   /* our Error Message (never a peer's bytes unsanitized) */
};

#define L2TP_ACCEPT ((struct l2tp_answer){ .kind = L2TP_ANSWER_ACCEPT })
#define L2TP_IGNORE ((struct l2tp_answer){ .kind = L2TP_ANSWER_IGNORE })
#define L2TP_STOP(result_code, error_code, message)                                          \
	l2tp_answer_make(L2TP_ANSWER_STOP, (uint16_t)(result_code), (uint16_t)(error_code), "%s", \
			 (message))
#define L2TP_CDN(result_code, error_code, message)                                           \
	l2tp_answer_make(L2TP_ANSWER_CDN, (uint16_t)(result_code), (uint16_t)(error_code), "%s", \
			 (message))

struct l2tp_answer l2tp_answer_make(enum l2tp_answer_kind kind, uint16_t result, uint16_t error,
				    const char *fmt, ...) PRINTF_LIKE(4, 5);

/* ------------------------------------------------------------ machines */

/* Required AVPs of a row: bits of IETF (vendor 0) attribute types. */
#define L2TP_NEED(type) (UINT64_C(1) << (type))

struct l2tp_row {
	uint8_t state;
	uint16_t type;                   /* message type */
	uint64_t required;
	struct l2tp_answer (*handler)(void *obj, const struct l2tp_rx *rx);
	uint8_t next;
};

struct l2tp_machine {
	const char *name;                /* "tunnel", "session" */
	const struct l2tp_row *rows;
	size_t count;
	enum l2tp_answer_kind fail;      /* STOP or CDN: how AVP errors are answered */
	unsigned (*state_of)(const void *obj);
	void (*set_state)(void *obj, unsigned next);
	/* The answer to a message with no row in this state. */
	struct l2tp_answer (*unexpected)(void *obj, const struct l2tp_rx *rx);
};

/* The row for (state, type), or NULL. */
const struct l2tp_row *l2tp_machine_find(const struct l2tp_machine *m, unsigned state,
					 unsigned type);

/* Unknown mandatory AVP, row, required AVPs, handler, state change; returns the answer. */
struct l2tp_answer l2tp_machine_step(const struct l2tp_machine *m, void *obj,
				     const struct l2tp_rx *rx);

/* ------------------------------------------------------------ AVP values */

/*
 * The value of avp, unhidden with secret into buf when H is set (an empty
 * secret cannot unhide: ERR_HIDDEN).  *out is a view into the message or
 * into buf.
 */
enum l2tp_verdict l2tp_lns_avp_value(struct wire_span secret, const struct l2tp_avp *avp,
				     uint8_t buf[L2TP_AVP_VALUE_MAX], struct wire_span *out) WARN_UNUSED;
enum l2tp_verdict l2tp_lns_avp_u16(struct wire_span secret, const struct l2tp_avp *avp,
				   uint16_t *out) WARN_UNUSED;
enum l2tp_verdict l2tp_lns_avp_u32(struct wire_span secret, const struct l2tp_avp *avp,
				   uint32_t *out) WARN_UNUSED;

/* A string AVP (absent: empty) sanitized into dst for a log or an info view. */
void l2tp_lns_avp_sanitized(struct wire_span secret, const struct l2tp_avp *avp, char *dst,
			    size_t dst_size);

/* ------------------------------------------------------------ building */

struct l2tp_tx {
	uint8_t buf[L2TP_TX_MAX];
	struct wire_wr wr;
	size_t start;
};

/* Header (peer tunnel and session ID) and Message Type AVP. */
void l2tp_tx_begin(struct l2tp_tx *tx, uint16_t peer_tunnel_id, uint16_t peer_session_id,
		   uint16_t type);

/* Result Code AVP with Error Code and our text. */
void l2tp_tx_result(struct l2tp_tx *tx, uint16_t result, uint16_t error, const char *text);

/* ------------------------------------------------------------ engine helpers */

uint64_t l2tp_lns_now_ms(const struct l2tp_lns *lns);

/* Random bytes (OpenSSL's DRBG); false on failure. */
bool l2tp_random(void *p, size_t len) WARN_UNUSED;

/* The tunnel with our ID, or NULL. */
struct l2tp_tunnel *l2tp_lns_find_tunnel(const struct l2tp_lns *lns, uint16_t tunnel_id);

/* The Firmware Revision we send: VERSION's major and minor as (major << 8) | minor. */
uint16_t l2tp_lns_firmware_revision(void);

#endif
