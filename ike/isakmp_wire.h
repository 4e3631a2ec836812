/*
 * isakmp_wire.h - the IKEv1 (ISAKMP) message codec: parsers into views and
 * builders for what a responder sends.
 *
 * Parsing is two steps.  isakmp_hdr_parse() checks the 28-byte header of a
 * datagram (already stripped of the RFC 3948 non-ESP marker) and returns the
 * body.  isakmp_payloads_parse() walks the generic payload chain of a body
 * (decrypted first when the E flag was set) into a struct isakmp_msg: an
 * ordered array of {type, view}.  Then each payload body goes to its own
 * parser (isakmp_sa_parse, isakmp_id_parse, ...), which fills a struct of
 * views.  Building is the mirror: isakmp_hdr_build() starts a message in a
 * struct wire_wr, each isakmp_*_build() appends one payload and chains it to
 * the previous one, isakmp_msg_finish() writes the total length.
 *
 * What it must not do: allocate, log, keep globals, look anything up, or
 * decide policy.  It checks structure only (lengths, counts, the formats that
 * RFC 2408/2407/2409/3947 and MS-IKEE define); whether a proposal, an ID or a
 * notify is acceptable is the exchange code's business.  Every byte is read
 * through lib/wire's cursor.  Views (struct wire_span) point into the
 * caller's buffer and die with it.
 *
 * Every parser returns an enum isakmp_verdict.  A verdict other than
 * ISAKMP_OK names the RFC 2408 §3.14.1 notify the exchange code would answer
 * with (isakmp_verdict_notify()); the table below is the whole mapping.
 */
#ifndef L2TPSEC_IKE_ISAKMP_WIRE_H
#define L2TPSEC_IKE_ISAKMP_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/isakmp_const.h"
#include "lib/util.h"
#include "lib/wire.h"

/* X(verdict, notify to answer with (0: none), what went wrong) */
#define ISAKMP_VERDICT_LIST(X)                                                              \
	X(ISAKMP_OK, 0, "well-formed")                                                      \
	X(ISAKMP_ERR_SHORT, ISAKMP_NOTIFY_PAYLOAD_MALFORMED,                                \
	  "fewer bytes than a fixed-size header or field needs")                            \
	X(ISAKMP_ERR_LENGTH, ISAKMP_NOTIFY_PAYLOAD_MALFORMED,                               \
	  "a declared length or count disagrees with the bytes present")                   \
	X(ISAKMP_ERR_TRAILING, ISAKMP_NOTIFY_PAYLOAD_MALFORMED,                             \
	  "bytes left over after the last structure")                                       \
	X(ISAKMP_ERR_TOO_MANY, ISAKMP_NOTIFY_PAYLOAD_MALFORMED,                             \
	  "more payloads than ISAKMP_PAYLOADS_MAX")                                         \
	X(ISAKMP_ERR_VERSION, ISAKMP_NOTIFY_INVALID_MAJOR_VERSION, "major version is not 1") \
	X(ISAKMP_ERR_MINOR_VERSION, ISAKMP_NOTIFY_INVALID_MINOR_VERSION,                    \
	  "minor version is not 0")                                                         \
	X(ISAKMP_ERR_FLAGS, ISAKMP_NOTIFY_INVALID_FLAGS, "a reserved flag bit is set")      \
	X(ISAKMP_ERR_PAYLOAD_TYPE, ISAKMP_NOTIFY_INVALID_PAYLOAD_TYPE,                      \
	  "a payload type this codec does not know")                                        \
	X(ISAKMP_ERR_DOI, ISAKMP_NOTIFY_DOI_NOT_SUPPORTED, "SA DOI is not the IPsec DOI")   \
	X(ISAKMP_ERR_SITUATION, ISAKMP_NOTIFY_SITUATION_NOT_SUPPORTED,                      \
	  "SA situation is not SIT_IDENTITY_ONLY")                                          \
	X(ISAKMP_ERR_PROPOSAL, ISAKMP_NOTIFY_BAD_PROPOSAL_SYNTAX,                           \
	  "proposal or transform chain, length or count is wrong")                          \
	X(ISAKMP_ERR_ATTRIBUTE, ISAKMP_NOTIFY_BAD_PROPOSAL_SYNTAX,                          \
	  "an SA attribute runs past its transform")                                        \
	X(ISAKMP_ERR_SPI, ISAKMP_NOTIFY_INVALID_SPI, "SPI size or SPI count is unusable")   \
	X(ISAKMP_ERR_KEY_EXCHANGE, ISAKMP_NOTIFY_INVALID_KEY_INFORMATION,                   \
	  "key exchange data is empty")                                                     \
	X(ISAKMP_ERR_NONCE, ISAKMP_NOTIFY_PAYLOAD_MALFORMED,                                \
	  "nonce is not 8..256 bytes (RFC 2409 §5)")                                        \
	X(ISAKMP_ERR_ID, ISAKMP_NOTIFY_INVALID_ID_INFORMATION,                              \
	  "ID type unknown or its data has the wrong size")                                 \
	X(ISAKMP_ERR_HASH, ISAKMP_NOTIFY_INVALID_HASH_INFORMATION, "hash data is empty")    \
	X(ISAKMP_ERR_ADDRESS, ISAKMP_NOTIFY_INVALID_ID_INFORMATION,                         \
	  "NAT-OA is not an IPv4 or IPv6 address of its size")                              \
	X(ISAKMP_ERR_FRAGMENT, ISAKMP_NOTIFY_PAYLOAD_MALFORMED,                             \
	  "fragment number 0 or no fragment data")

#define ISAKMP_VERDICT_ENUM_ITEM(verdict, notify, text) verdict,
enum isakmp_verdict { ISAKMP_VERDICT_LIST(ISAKMP_VERDICT_ENUM_ITEM) };

/* How many verdicts there are: every one is below this. */
#define ISAKMP_VERDICT_COUNT_ITEM(verdict, notify, text) +1
enum { ISAKMP_VERDICTS = 0 ISAKMP_VERDICT_LIST(ISAKMP_VERDICT_COUNT_ITEM) };

/* "ISAKMP_ERR_SHORT"; an out-of-range value prints as its number. */
struct isakmp_name isakmp_verdict_name(enum isakmp_verdict verdict);

/* The notify a responder answers with; 0 for ISAKMP_OK. */
enum isakmp_notify_type isakmp_verdict_notify(enum isakmp_verdict verdict);

enum {
	ISAKMP_HDR_LEN = 28,      /* RFC 2408 §3.1 */
	ISAKMP_GENERIC_LEN = 4,   /* RFC 2408 §3.2 */
	ISAKMP_NONCE_MIN = 8,     /* RFC 2409 §5 */
	ISAKMP_NONCE_MAX = 256,
	ISAKMP_PAYLOADS_MAX = 32, /* more in one message is an attack, not a client */
	ISAKMP_PADDING_MAX = 255, /* trailing bytes accepted after an encrypted chain */
	ISAKMP_FLAGS_KNOWN = ISAKMP_FLAG_ENCRYPTION | ISAKMP_FLAG_COMMIT | ISAKMP_FLAG_AUTH_ONLY,
};

/*
 * RFC 2408 §3.1 ISAKMP Header
 *
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * !                          Initiator                            !
 * !                            Cookie                             !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * !                          Responder                            !
 * !                            Cookie                             !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * !  Next Payload ! MjVer ! MnVer ! Exchange Type !     Flags     !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * !                          Message ID                           !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * !                            Length                             !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
struct isakmp_hdr {
	uint8_t initiator_cookie[8];
	uint8_t responder_cookie[8];
	uint8_t next_payload;
	uint8_t major_version;
	uint8_t minor_version;
	uint8_t exchange_type;
	uint8_t flags;
	uint32_t message_id;
	uint32_t length;
	struct wire_span body; /* the length - 28 bytes after the header */
};

/*
 * One datagram (UDP payload; on port 4500 after the 4-byte zero marker).
 * Length must equal the datagram's size exactly, as pluto and charon
 * require: a longer datagram is not padded ISAKMP, it is something else.
 * Checks in order: 28 bytes present (ERR_SHORT), major version 1
 * (ERR_VERSION), minor 0 (ERR_MINOR_VERSION), Length == datagram size
 * (ERR_LENGTH), no flag outside E/C/A (ERR_FLAGS).  Whenever 28 bytes were
 * present the header fields are filled, even on error, so the caller can
 * address its notify with the cookies; body is set only on ISAKMP_OK.
 */
enum isakmp_verdict isakmp_hdr_parse(struct wire_span datagram, struct isakmp_hdr *hdr)
	WARN_UNUSED;

/*
 * RFC 2408 §3.2 Generic Payload Header
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ! Next Payload  !   RESERVED    !         Payload Length        !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
struct isakmp_payload {
	uint8_t type;          /* from the previous Next Payload (or the header) */
	bool known;            /* isakmp_payload_known(type) */
	struct wire_span raw;  /* the whole payload, generic header included */
	struct wire_span body; /* after the generic header */
};

struct isakmp_msg {
	struct isakmp_payload payloads[ISAKMP_PAYLOADS_MAX];
	size_t count;
	size_t unknown_count;     /* payloads with !known; kept, for the caller to judge */
	struct wire_span padding; /* trailing bytes of an encrypted body (CBC padding) */
};

/*
 * Walks the chain that starts with first_payload (the header's Next Payload)
 * over body.  The walk is linear and bounded: each payload consumes at least
 * its 4-byte header and at most ISAKMP_PAYLOADS_MAX are taken (ERR_TOO_MANY
 * beyond), so a next-payload "loop" cannot exist.  A Payload Length below 4
 * or past the body is ERR_LENGTH; a chain that names another payload where
 * the body ends is ERR_SHORT.  Bytes after the last payload are accepted
 * only when `encrypted` (up to ISAKMP_PADDING_MAX, as msg->padding), else
 * ERR_TRAILING.  Reserved octets are ignored (RFC 2408 says "set to 0", and
 * peers that do not are harmless).
 */
enum isakmp_verdict isakmp_payloads_parse(uint8_t first_payload, struct wire_span body,
					  bool encrypted, struct isakmp_msg *msg) WARN_UNUSED;

/* The nth (0-based) payload of a type, or NULL. */
const struct isakmp_payload *isakmp_msg_find(const struct isakmp_msg *msg, uint8_t type,
					     size_t nth);

/* How many payloads of a type the message holds. */
size_t isakmp_msg_count(const struct isakmp_msg *msg, uint8_t type);

/*
 * RFC 2408 §3.4 Security Association Payload (body after the generic header)
 *
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * !              Domain of Interpretation  (DOI)                  !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                           Situation                           ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * then Proposal payloads.  With the IPsec DOI and SIT_IDENTITY_ONLY the
 * situation is exactly 4 octets (RFC 2407 §4.6.1); the secrecy/integrity
 * situations carry labels we do not speak.
 */
struct isakmp_sa {
	uint32_t doi;
	uint32_t situation;
	size_t proposal_count;
	struct wire_span proposals; /* validated: walk with isakmp_proposal_next() */
};

/*
 * Checks the whole SA: DOI is IPsec (ERR_DOI), situation is identity-only
 * (ERR_SITUATION), then every proposal, every transform and every attribute
 * (ERR_PROPOSAL, ERR_ATTRIBUTE).  At least one proposal.  Once it returns
 * ISAKMP_OK the iterators below cannot fail on sa->proposals.
 */
enum isakmp_verdict isakmp_sa_parse(struct wire_span body, struct isakmp_sa *sa) WARN_UNUSED;

/*
 * RFC 2408 §3.5 Proposal Payload
 *
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ! Next Payload  !   RESERVED    !         Payload Length        !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * !  Proposal #   !  Protocol-Id  !    SPI Size   !# of Transforms!
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * !                        SPI (variable)                         !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * then Transform payloads.  Next Payload is 2 (another proposal) or 0.
 */
struct isakmp_proposal {
	uint8_t next_payload;
	uint8_t number;
	uint8_t protocol;
	uint8_t transform_count; /* declared, and checked against those present */
	struct wire_span spi;    /* SPI Size octets */
	struct wire_span transforms;
};

/*
 * One proposal at the cursor, which it consumes.  Every transform present is
 * parsed and counted; the count must equal "# of Transforms" and be >= 1.
 * Any error is ERR_PROPOSAL (or ERR_ATTRIBUTE from a transform's attributes).
 */
enum isakmp_verdict isakmp_proposal_parse(struct wire_rd *rd, struct isakmp_proposal *proposal)
	WARN_UNUSED;

/*
 * RFC 2408 §3.6 Transform Payload
 *
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ! Next Payload  !   RESERVED    !         Payload Length        !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * !  Transform #  !  Transform-Id !           RESERVED2           !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                        SA Attributes                          ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Next Payload is 3 (another transform) or 0.
 */
struct isakmp_transform {
	uint8_t next_payload;
	uint8_t number;
	uint8_t transform_id;
	struct wire_span attrs; /* validated: walk with isakmp_attr_next() */
};

/* One transform at the cursor, which it consumes; attributes checked (ERR_ATTRIBUTE). */
enum isakmp_verdict isakmp_transform_parse(struct wire_rd *rd, struct isakmp_transform *transform)
	WARN_UNUSED;

/*
 * Iterators over validated spans (sa.proposals, proposal.transforms): true
 * and the next element, or false at the end.  On bytes that do not parse
 * they return false with the cursor bad (wire_ok() tells the two apart), so
 * they are also safe on unvalidated input.
 */
bool isakmp_proposal_next(struct wire_rd *rd, struct isakmp_proposal *proposal);
bool isakmp_transform_next(struct wire_rd *rd, struct isakmp_transform *transform);

/*
 * RFC 2408 §3.3 Data Attributes
 *
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * !A!       Attribute Type        !    AF=0  Attribute Length     !
 * !F!                             !    AF=1  Attribute Value      !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * .                   AF=0  Attribute Value                       .
 * .                   AF=1  Not Transmitted                       .
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
enum {
	ISAKMP_ATTR_AF = 0x8000,
	ISAKMP_ATTR_NUMBER_MAX = 8, /* a TLV value up to this many octets reads as a number */
};

struct isakmp_attr {
	uint16_t type;         /* AF bit removed */
	bool basic;            /* AF=1 (TV): the 16-bit value sat in the header */
	bool numeric;          /* value holds the attribute: TV, or a TLV of 1..8 octets */
	uint64_t value;        /* big-endian number; 0 when !numeric */
	struct wire_span data; /* TLV value octets (any length); empty for TV */
};

/*
 * The next attribute at the cursor: true and *attr, or false at the end
 * (nothing left) or on a TLV that runs past the cursor (cursor then bad).
 */
bool isakmp_attr_next(struct wire_rd *rd, struct isakmp_attr *attr);

/* A whole attribute list: every TV/TLV inside, nothing left over (ERR_ATTRIBUTE). */
enum isakmp_verdict isakmp_attrs_parse(struct wire_span attrs) WARN_UNUSED;

/* RFC 2408 §3.7 Key Exchange Payload: the data, at least one octet (ERR_KEY_EXCHANGE). */
struct isakmp_ke {
	struct wire_span data;
};
enum isakmp_verdict isakmp_ke_parse(struct wire_span body, struct isakmp_ke *ke) WARN_UNUSED;

/*
 * RFC 2408 §3.8 Identification Payload, with the IPsec DOI layout of
 * RFC 2407 §4.6.2:
 *
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * !   ID Type     !  Protocol ID  !             Port              !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                     Identification Data                       ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Used for phase-1 IDs and for the Quick Mode client IDs (IDci/IDcr).
 */
struct isakmp_id {
	uint8_t type;
	uint8_t protocol;
	uint16_t port;
	struct wire_span data;
};

/*
 * Address types must carry exactly their size (IPv4 4, IPv4 subnet/range 8,
 * IPv6 16, IPv6 subnet/range 32); FQDN, USER_FQDN, DER_ASN1_DN/GN and KEY_ID
 * at least one octet; any other type is ERR_ID.  Strings are not checked:
 * they are peer data, to be sanitized when printed.
 */
enum isakmp_verdict isakmp_id_parse(struct wire_span body, struct isakmp_id *id) WARN_UNUSED;

/* RFC 2408 §3.11 Hash Payload: the digest, at least one octet (ERR_HASH). */
struct isakmp_hash {
	struct wire_span data;
};
enum isakmp_verdict isakmp_hash_parse(struct wire_span body, struct isakmp_hash *hash) WARN_UNUSED;

/* RFC 2408 §3.13 Nonce Payload: 8..256 octets (RFC 2409 §5), else ERR_NONCE. */
struct isakmp_nonce {
	struct wire_span data;
};
enum isakmp_verdict isakmp_nonce_parse(struct wire_span body, struct isakmp_nonce *nonce)
	WARN_UNUSED;

/*
 * RFC 2408 §3.14 Notification Payload
 *
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * !              Domain of Interpretation  (DOI)                  !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * !  Protocol-ID  !   SPI Size    !      Notify Message Type      !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                Security Parameter Index (SPI)                 ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                       Notification Data                       ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * DPD (RFC 3706 §5) rides on it: SPI = the cookie pair, data = a 32-bit
 * sequence number.  The DOI is kept, not checked: peers send 0 and 1.
 */
struct isakmp_notify {
	uint32_t doi;
	uint8_t protocol;
	uint16_t type;
	struct wire_span spi;
	struct wire_span data;
};
enum isakmp_verdict isakmp_notify_parse(struct wire_span body, struct isakmp_notify *notify)
	WARN_UNUSED;

/*
 * RFC 2408 §3.15 Delete Payload
 *
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * !              Domain of Interpretation  (DOI)                  !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * !  Protocol-Id  !   SPI Size    !           # of SPIs           !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~               Security Parameter Index(es) (SPI)              ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * SPI Size 16 (the cookie pair) deletes an ISAKMP SA, 4 an AH/ESP SA.
 */
struct isakmp_delete {
	uint32_t doi;
	uint8_t protocol;
	uint8_t spi_size;
	uint16_t spi_count;
	struct wire_span spis; /* spi_count * spi_size octets */
};

/* SPI size and count at least 1 (ERR_SPI); count × size equals what follows (ERR_LENGTH). */
enum isakmp_verdict isakmp_delete_parse(struct wire_span body, struct isakmp_delete *del)
	WARN_UNUSED;

/* The ith SPI of a parsed delete; empty past the end. */
struct wire_span isakmp_delete_spi(const struct isakmp_delete *del, size_t i);

/* RFC 2408 §3.16 Vendor ID Payload: any octets, possibly none (match with isakmp_vid_lookup). */
struct isakmp_vid_payload {
	struct wire_span data;
};
enum isakmp_verdict isakmp_vid_payload_parse(struct wire_span body, struct isakmp_vid_payload *vid)
	WARN_UNUSED;

/*
 * RFC 3947 §3.2 NAT-D (type 20; 130 and 15 in the drafts): HASH(CKY-I |
 * CKY-R | IP | Port), at least one octet (ERR_HASH).
 */
struct isakmp_natd {
	struct wire_span hash;
};
enum isakmp_verdict isakmp_natd_parse(struct wire_span body, struct isakmp_natd *natd) WARN_UNUSED;

/*
 * RFC 3947 §5.2 NAT-OA (type 21; 131 and 16 in the drafts, same layout)
 *
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * !    ID Type    !   RESERVED    !            RESERVED           !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * !         IPv4 (4 octets) or IPv6 address (16 octets)           !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Reserved octets are ignored: some peers fill them (libreswan issue 289).
 */
struct isakmp_natoa {
	uint8_t id_type; /* ISAKMP_ID_IPV4_ADDR or ISAKMP_ID_IPV6_ADDR */
	struct wire_span address;
};
enum isakmp_verdict isakmp_natoa_parse(struct wire_span body, struct isakmp_natoa *natoa)
	WARN_UNUSED;

/*
 * IKE fragment, payload 132 (MS-IKEE §2.2.1; Cisco's is the same)
 *
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ! Next Payload  !   RESERVED    !         Payload Length        !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * !          Fragment ID          !  Fragment Num !     Flags     !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                         Fragment Data                         ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
enum {
	ISAKMP_FRAGMENT_FLAG_LAST = 0x01,
};

struct isakmp_fragment {
	uint16_t id;
	uint8_t number; /* 1..n */
	uint8_t flags;
	bool last;
	struct wire_span data;
};

/* Number >= 1 and at least one octet of data (ERR_FRAGMENT). */
enum isakmp_verdict isakmp_fragment_parse(struct wire_span body, struct isakmp_fragment *fragment)
	WARN_UNUSED;

/*
 * Building.  A struct isakmp_builder remembers where the message starts,
 * which Next Payload octet the next payload must be written into (the
 * header's, then each payload's), and which payload is open.  Each
 * isakmp_payload_begin(type) writes `type` into that octet and opens a
 * payload with Next Payload 0; isakmp_payload_end() writes its length.  So
 * the chain is right by construction: every Next Payload names the payload
 * that really follows, and the last one is 0.  Beginning inside an open
 * payload, or ending with the wrong mark, is a daemon bug: it marks the
 * writer bad, like an overflow, and the message must not be sent.
 */
struct isakmp_builder {
	struct wire_wr *wr;
	size_t hdr_at;  /* offset of the ISAKMP header in wr */
	size_t next_at; /* offset of the Next Payload octet to fill */
	size_t open_at; /* offset of the open payload, or ISAKMP_BUILDER_CLOSED */
};

#define ISAKMP_BUILDER_CLOSED SIZE_MAX

/*
 * Starts a message at the writer's end with hdr's cookies, exchange type,
 * flags and message ID (version 1.0; Next Payload and Length are written
 * later; hdr's next_payload, versions, length and body are not read).
 */
void isakmp_hdr_build(struct isakmp_builder *builder, struct wire_wr *wr,
		      const struct isakmp_hdr *hdr);

/* Opens a payload of `type`; returns its mark for isakmp_payload_end(). */
size_t isakmp_payload_begin(struct isakmp_builder *builder, uint8_t type);

/* Closes the payload opened at `mark`, writing its Payload Length. */
void isakmp_payload_end(struct isakmp_builder *builder, size_t mark);

/*
 * Writes the header's Length: every byte since the header.  Call it again
 * after anything appends (encryption padding); a payload left open is a bug.
 */
void isakmp_msg_finish(struct isakmp_builder *builder);

/* No overflow and no misuse so far: the message may be sent. */
bool isakmp_builder_ok(const struct isakmp_builder *builder);

/* One attribute: TV when value fits 16 bits, else TLV with a 4-octet value. */
struct isakmp_attr_value {
	uint16_t type;
	uint32_t value;
};

void isakmp_attr_build(struct wire_wr *wr, const struct isakmp_attr_value *attr);

/*
 * An SA payload with exactly one proposal holding exactly one transform,
 * DOI IPsec, SIT_IDENTITY_ONLY: the responder's answer.  Phase 1: protocol
 * PROTO_ISAKMP, no SPI, transform ID KEY_IKE.  Phase 2: PROTO_IPSEC_ESP (or
 * AH) with our 4-octet inbound SPI.  Other protocols are a misuse.
 */
struct isakmp_sa_out {
	uint8_t proposal_number;
	uint8_t protocol;
	uint32_t spi; /* written for AH/ESP only */
	uint8_t transform_number;
	uint8_t transform_id;
	const struct isakmp_attr_value *attrs;
	size_t attr_count;
};

void isakmp_sa_build(struct isakmp_builder *builder, const struct isakmp_sa_out *sa);
void isakmp_ke_build(struct isakmp_builder *builder, struct wire_span data);
void isakmp_nonce_build(struct isakmp_builder *builder, struct wire_span data);

/* Phase-1 ID or a Quick Mode client ID (IDci/IDcr): type, protocol, port, data. */
void isakmp_id_build(struct isakmp_builder *builder, const struct isakmp_id *id);

/*
 * A HASH payload of `len` zero octets; returns where to write the digest
 * once the rest of the message is known (HASH(1)/(2) of Quick Mode), or NULL
 * if the writer overflowed.  The pointer is valid while the buffer lives.
 */
uint8_t *isakmp_hash_build(struct isakmp_builder *builder, size_t len);

void isakmp_vid_build(struct isakmp_builder *builder, struct wire_span data);

/* type: ISAKMP_PAYLOAD_NATD, _NATD_DRAFT or _NATD_BADDRAFT, as negotiated. */
void isakmp_natd_build(struct isakmp_builder *builder, uint8_t type, struct wire_span hash);

/* type: ISAKMP_PAYLOAD_NATOA, _NATOA_DRAFT or _NATOA_BADDRAFT; a 4- or 16-octet address. */
void isakmp_natoa_build(struct isakmp_builder *builder, uint8_t type, struct wire_span address);

/* DOI, protocol, type, SPI (size from spi.len, at most 255) and data of *notify. */
void isakmp_notify_build(struct isakmp_builder *builder, const struct isakmp_notify *notify);

/* DOI, protocol, SPI size and spis (spi_count × spi_size octets) of *del. */
void isakmp_delete_build(struct isakmp_builder *builder, const struct isakmp_delete *del);

#endif
