/*
 * l2tp_wire.h - the L2TPv2 (RFC 2661) message codec: header, AVPs, typed
 * AVP values, and builders for what an LNS sends.
 *
 * Parsing is three steps.  l2tp_hdr_parse() checks the header of one UDP
 * payload and returns the payload view (the AVPs of a control message, the
 * PPP frame of a data message).  l2tp_msg_parse() walks a control body into a
 * struct l2tp_msg: Message Type first, then a bounded array of AVPs keyed by
 * (vendor, type).  The typed readers (l2tp_avp_get_*) check one value's exact
 * size.  The lower-level iterator l2tp_avp_next() walks AVPs one by one.
 * Hidden values (H bit) are decrypted by l2tp_hidden.h before a typed read.
 * Building: l2tp_ctrl_begin() starts a control message in a struct wire_wr,
 * l2tp_avp_put_*() append AVPs, l2tp_ctrl_finish() back-patches Length, Ns
 * and Nr.  A ZLB is begin + finish with nothing between.
 *
 * What it must not do: allocate, log, keep globals, look anything up or
 * decide policy.  It checks structure only; whether an AVP may appear in a
 * message, and what to answer, is the tunnel/session machine's business.
 * Every byte goes through lib/wire's cursor.  Views point into the caller's
 * buffer and die with it.
 *
 * Every parser returns an enum l2tp_verdict.  A verdict other than L2TP_OK
 * names the RFC 2661 §4.4.2 General Error Code a machine would put in its
 * StopCCN/CDN (l2tp_verdict_error()), or 0 when the datagram is simply
 * dropped (not L2TPv2, or not addressed to a control connection).
 */
#ifndef L2TPSEC_L2TP_L2TP_WIRE_H
#define L2TPSEC_L2TP_L2TP_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "l2tp/l2tp_const.h"
#include "lib/util.h"
#include "lib/wire.h"

/* X(verdict, general error code to answer with (0: drop silently), what went wrong) */
#define L2TP_VERDICT_LIST(X)                                                                \
	X(L2TP_OK, L2TP_ERROR_NONE, "well-formed")                                          \
	X(L2TP_ERR_SHORT, L2TP_ERROR_NONE, "fewer bytes than the header needs")             \
	X(L2TP_ERR_VERSION3, L2TP_ERROR_NONE, "version 3: an L2TPv3 packet, not parsed")    \
	X(L2TP_ERR_VERSION, L2TP_ERROR_NONE, "version is not 2")                            \
	X(L2TP_ERR_CONTROL_FLAGS, L2TP_ERROR_NONE,                                          \
	  "control message without L or S, or with O (RFC 2661 §3.1)")                      \
	X(L2TP_ERR_LENGTH, L2TP_ERROR_NONE,                                                 \
	  "header Length below the header or beyond the datagram")                          \
	X(L2TP_ERR_OFFSET, L2TP_ERROR_NONE, "Offset Size runs past the message")            \
	X(L2TP_ERR_AVP_LENGTH, L2TP_ERROR_LENGTH,                                           \
	  "an AVP Length below 6 or beyond the message")                                    \
	X(L2TP_ERR_TOO_MANY, L2TP_ERROR_NO_RESOURCES, "more AVPs than L2TP_AVPS_MAX")       \
	X(L2TP_ERR_NO_MESSAGE_TYPE, L2TP_ERROR_VALUE,                                       \
	  "the first AVP is not Message Type (RFC 2661 §4.4.1)")                            \
	X(L2TP_ERR_MESSAGE_TYPE, L2TP_ERROR_LENGTH,                                         \
	  "Message Type AVP is hidden or not 2 octets")                                     \
	X(L2TP_ERR_HIDDEN_NO_RANDOM_VECTOR, L2TP_ERROR_VALUE,                               \
	  "a hidden AVP with no Random Vector before it (RFC 2661 §4.3)")                   \
	X(L2TP_ERR_VALUE, L2TP_ERROR_LENGTH, "an AVP value has the wrong size")             \
	X(L2TP_ERR_HIDDEN, L2TP_ERROR_LENGTH,                                               \
	  "a hidden value is too short or its original length too long")

#define L2TP_VERDICT_ENUM_ITEM(verdict, error, text) verdict,
enum l2tp_verdict { L2TP_VERDICT_LIST(L2TP_VERDICT_ENUM_ITEM) };

#define L2TP_VERDICT_COUNT_ITEM(verdict, error, text) +1
enum { L2TP_VERDICTS = 0 L2TP_VERDICT_LIST(L2TP_VERDICT_COUNT_ITEM) };

/* "L2TP_ERR_SHORT"; an out-of-range value prints as its number. */
struct l2tp_name l2tp_verdict_name(enum l2tp_verdict verdict);

/* One line of what went wrong, for a debug log. */
const char *l2tp_verdict_text(enum l2tp_verdict verdict);

/* The General Error Code to send with result "general error"; 0 for OK and for drops. */
enum l2tp_error_code l2tp_verdict_error(enum l2tp_verdict verdict);

enum {
	L2TP_VERSION = 2,
	L2TP_CTRL_HDR_LEN = 12,   /* flags, Length, Tunnel ID, Session ID, Ns, Nr */
	L2TP_DATA_HDR_MIN = 6,    /* flags, Tunnel ID, Session ID */
	L2TP_AVP_HDR_LEN = 6,     /* RFC 2661 §4.1 */
	L2TP_AVP_LEN_MAX = 1023,  /* 10-bit Length */
	L2TP_AVP_VALUE_MAX = L2TP_AVP_LEN_MAX - L2TP_AVP_HDR_LEN,
	L2TP_AVPS_MAX = 48,       /* more in one message is an attack, not a client */
	L2TP_TIE_BREAKER_LEN = 8,
};

/* RFC 2661 §3.1 header flag bits (the first 16 bits; Ver in the low 4). */
enum {
	L2TP_HDR_T = 0x8000,
	L2TP_HDR_L = 0x4000,
	L2TP_HDR_S = 0x0800,
	L2TP_HDR_O = 0x0200,
	L2TP_HDR_P = 0x0100,
	L2TP_HDR_VERSION_MASK = 0x000f,
	L2TP_HDR_CTRL_FLAGS = L2TP_HDR_T | L2TP_HDR_L | L2TP_HDR_S | L2TP_VERSION, /* 0xc802 */
};

/*
 * RFC 2661 §3.1 L2TP Header Format
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |T|L|x|x|S|x|O|P|x|x|x|x|  Ver  |          Length (opt)         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           Tunnel ID           |           Session ID          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |             Ns (opt)          |             Nr (opt)          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |      Offset Size (opt)        |    Offset pad... (opt)
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
struct l2tp_hdr {
	uint16_t flags;       /* the first 16 bits as received, reserved x bits included */
	bool control;         /* T */
	bool has_length;      /* L */
	bool has_sequence;    /* S */
	bool has_offset;      /* O */
	bool priority;        /* P (data messages only) */
	uint8_t version;      /* Ver */
	uint16_t length;      /* when has_length; else the datagram size */
	uint16_t tunnel_id;
	uint16_t session_id;
	uint16_t ns, nr;      /* when has_sequence, else 0 */
	uint16_t offset_size; /* when has_offset, else 0 */
	size_t trailing;      /* datagram bytes after Length, ignored */
	struct wire_span payload; /* control: the AVPs; data: the PPP frame after the offset pad */
};

/*
 * One UDP payload.  Checks in order: 2 bytes of flags (ERR_SHORT); Ver 3
 * (ERR_VERSION3) or any other Ver but 2 (ERR_VERSION); a control message
 * (T=1) must have L=1, S=1, O=0 (ERR_CONTROL_FLAGS); the fixed fields that
 * the flags announce (ERR_SHORT); Length not below the header and not beyond
 * the datagram (ERR_LENGTH); the offset pad within the message (ERR_OFFSET).
 * Bytes after Length are ignored and counted in hdr->trailing.  The reserved
 * x bits and P on a control message are ignored (§3.1: "ignored on incoming
 * messages").  Fields are filled as far as they were read, even on error.
 */
enum l2tp_verdict l2tp_hdr_parse(struct wire_span datagram, struct l2tp_hdr *hdr) WARN_UNUSED;

/*
 * RFC 2661 §4.1 AVP Format
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |M|H| rsvd  |      Length       |           Vendor ID           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Attribute Type        |        Attribute Value...
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *                     [until Length is reached]...                |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
enum {
	L2TP_AVP_FLAG_MANDATORY = 0x8000,
	L2TP_AVP_FLAG_HIDDEN = 0x4000,
	L2TP_AVP_FLAG_RESERVED = 0x3c00,
	L2TP_AVP_LENGTH_MASK = 0x03ff,
};

struct l2tp_avp {
	bool mandatory;  /* M */
	bool hidden;     /* H: value is encrypted (l2tp_hidden.h) */
	uint8_t reserved; /* the 4 rsvd bits; non-zero makes the AVP unrecognized */
	bool known;      /* l2tp_avp_known(vendor, type) && reserved == 0 */
	uint16_t vendor_id;
	uint16_t type;
	struct wire_span value;
	/* l2tp_msg_parse only: the value of the last Random Vector before this AVP. */
	struct wire_span random_vector;
};

/* A walk over the AVPs of a control body. */
struct l2tp_avp_iter {
	struct wire_rd rd;
	enum l2tp_verdict verdict; /* L2TP_OK at a clean end; why the walk stopped otherwise */
};

void l2tp_avp_iter_init(struct l2tp_avp_iter *iter, struct wire_span body);

/*
 * The next AVP, true; false at the end of the body or on a malformed AVP
 * (iter->verdict says which: ERR_AVP_LENGTH for a Length below 6 or beyond
 * what is left, including 1..5 stray bytes at the end).  Nothing is judged
 * here but the framing: vendor, type, M, H and reserved bits are reported.
 */
bool l2tp_avp_next(struct l2tp_avp_iter *iter, struct l2tp_avp *avp);

/* A parsed control message (not a ZLB: count == 0 means a ZLB). */
struct l2tp_msg {
	uint16_t type;  /* the Message Type value; 0 for a ZLB */
	bool zlb;       /* empty body: an acknowledgement only */
	size_t count;
	struct l2tp_avp avps[L2TP_AVPS_MAX]; /* avps[0] is the Message Type */
};

/*
 * Walks a control body (hdr.payload).  An empty body is a ZLB (OK, zlb set).
 * Otherwise the first AVP must be vendor 0 type 0 (ERR_NO_MESSAGE_TYPE), not
 * hidden and 2 octets (ERR_MESSAGE_TYPE); framing errors as l2tp_avp_next;
 * more than L2TP_AVPS_MAX AVPs is ERR_TOO_MANY; a hidden AVP needs a Random
 * Vector AVP before it (ERR_HIDDEN_NO_RANDOM_VECTOR), whose value is copied
 * into the hidden AVP's random_vector.  Unknown message types and unknown
 * AVPs are kept for the caller to judge (l2tp_msg_find_unknown_mandatory).
 */
enum l2tp_verdict l2tp_msg_parse(struct wire_span body, struct l2tp_msg *msg) WARN_UNUSED;

/* The first AVP of (vendor, type) whose reserved bits are clear, or NULL. */
const struct l2tp_avp *l2tp_msg_find(const struct l2tp_msg *msg, uint16_t vendor, uint16_t type);

/*
 * The first AVP with M=1 that this codec does not know (any vendor/type not
 * in l2tp_avp_known, or reserved bits set), or NULL.  The caller answers it
 * with StopCCN/CDN result 2, error L2TP_ERROR_UNKNOWN_MANDATORY_AVP (§4.1).
 */
const struct l2tp_avp *l2tp_msg_find_unknown_mandatory(const struct l2tp_msg *msg);

/*
 * Typed values (RFC 2661 §4.4), each of an exact size, else ERR_VALUE (and
 * *out zeroed).  A hidden AVP's value must be unhidden first.
 */
enum l2tp_verdict l2tp_avp_get_u16(struct wire_span value, uint16_t *out) WARN_UNUSED;
enum l2tp_verdict l2tp_avp_get_u32(struct wire_span value, uint32_t *out) WARN_UNUSED;

/* §4.4.1 Protocol Version: Ver (1 octet), Rev (1 octet); L2TPv2 sends 1.0. */
enum l2tp_verdict l2tp_avp_get_protocol_version(struct wire_span value, uint8_t *version,
						uint8_t *revision) WARN_UNUSED;

/* §4.4.3 Tie Breaker: exactly 8 octets. */
enum l2tp_verdict l2tp_avp_get_tie_breaker(struct wire_span value,
					   uint8_t out[L2TP_TIE_BREAKER_LEN]) WARN_UNUSED;

/*
 * Strings (Host Name, Vendor Name, ...): at least min_len octets; the view is
 * not NUL-terminated and not sanitized (the caller does both).
 */
enum l2tp_verdict l2tp_avp_get_string(struct wire_span value, size_t min_len,
				      struct wire_span *out) WARN_UNUSED;

/* §4.4.3 Challenge: one octet or more. */
enum l2tp_verdict l2tp_avp_get_challenge(struct wire_span value, struct wire_span *out) WARN_UNUSED;

/*
 * §4.4.2 Result Code: Result Code (2), then optionally Error Code (2), then
 * optionally an Error Message.  Lenient (as xl2tpd since 1.3.14): 2 octets is
 * a result code alone.  3 octets is half an error code: ERR_VALUE.
 */
struct l2tp_result {
	uint16_t result_code;
	bool has_error_code;
	uint16_t error_code;
	struct wire_span message; /* empty if absent; not sanitized */
};

enum l2tp_verdict l2tp_avp_get_result_code(struct wire_span value,
					   struct l2tp_result *out) WARN_UNUSED;

/*
 * Builders.  l2tp_ctrl_begin() writes a control header with zero Length, Ns
 * and Nr and returns its offset; l2tp_ctrl_finish() patches them in.  AVP
 * builders take the flags (L2TP_AVP_FLAG_MANDATORY, L2TP_AVP_FLAG_HIDDEN) and
 * never set the reserved bits.  A value longer than L2TP_AVP_VALUE_MAX, or a
 * message longer than 65535 octets, marks the writer bad.
 */
size_t l2tp_ctrl_begin(struct wire_wr *wr, uint16_t tunnel_id, uint16_t session_id);
void l2tp_ctrl_finish(struct wire_wr *wr, size_t start, uint16_t ns, uint16_t nr);

/* A whole ZLB acknowledgement: a 12-octet control header. */
void l2tp_zlb_build(struct wire_wr *wr, uint16_t tunnel_id, uint16_t session_id, uint16_t ns,
		    uint16_t nr);

void l2tp_avp_put_bytes(struct wire_wr *wr, uint16_t flags, uint16_t vendor, uint16_t type,
			const void *value, size_t len);
void l2tp_avp_put_u16(struct wire_wr *wr, uint16_t flags, uint16_t vendor, uint16_t type,
		      uint16_t value);
void l2tp_avp_put_u32(struct wire_wr *wr, uint16_t flags, uint16_t vendor, uint16_t type,
		      uint32_t value);
void l2tp_avp_put_string(struct wire_wr *wr, uint16_t flags, uint16_t vendor, uint16_t type,
			 const char *value);

/* The Message Type AVP as peers require it: M=1, not hidden, vendor 0 (flags 0x8008). */
void l2tp_avp_put_message_type(struct wire_wr *wr, uint16_t type);

/* Result Code (M=1): with_error_code adds the Error Code, then message_len octets of message. */
void l2tp_avp_put_result_code(struct wire_wr *wr, uint16_t result_code, bool with_error_code,
			      uint16_t error_code, const char *message, size_t message_len);

#endif
