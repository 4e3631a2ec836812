/*
 * isakmp_vid.h - the Vendor IDs real L2TP/IPsec peers send, by name.
 *
 * isakmp_vid_lookup() turns the data of a VID payload into a table entry:
 * its name as pluto logs it ("RFC 3947", "draft-ietf-ipsec-nat-t-ike-02_n",
 * "MS NT5 ISAKMPOAKLEY 00000009", "FRAGMENTATION", "Dead Peer Detection"),
 * what it means (which Windows), and the one thing the exchange code acts
 * on (its kind: a NAT-T method, DPD, fragmentation, a Microsoft client).
 * Entries that are the MD5 of a string carry the string, and the unit test
 * recomputes every such digest with OpenSSL, so the bytes are proven rather
 * than copied.  Pure: a static const table, no state, no allocation.
 * Sources: RFC 3947 §3, draft-ietf-ipsec-nat-t-ike-00..08, RFC 3706 §3,
 * MS-IKEE, and the VID lists of libreswan, strongSwan, ike-scan and
 * SoftEther (research/windows-client.md §1).
 */
#ifndef L2TPSEC_IKE_ISAKMP_VID_H
#define L2TPSEC_IKE_ISAKMP_VID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/wire.h"

/* What the exchange code does with a recognised VID. */
enum isakmp_vid_kind {
	ISAKMP_VID_OTHER,         /* an implementation name: logged only */
	ISAKMP_VID_NATT,          /* a NAT-T draft or RFC 3947 (see .natt) */
	ISAKMP_VID_DPD,           /* RFC 3706 Dead Peer Detection */
	ISAKMP_VID_FRAGMENTATION, /* IKE fragments (MS-IKEE), 4 optional capability octets */
	ISAKMP_VID_MS_NT5,        /* "MS NT5 ISAKMPOAKLEY" + version: a Windows peer */
	ISAKMP_VID_MICROSOFT,     /* another Microsoft-only VID: also a Windows peer */
	ISAKMP_VID_XAUTH,
	ISAKMP_VID_CISCO_UNITY,
};

/*
 * The NAT-T methods we negotiate, in ascending preference, so the best one a
 * peer offers is the maximum over its VIDs: RFC 3947 > draft-03 >
 * draft-02_n (Windows XP SP2) > draft-02.  The other drafts (00, 01, 04..08,
 * Apple's unversioned one) are recognised by name but are ISAKMP_NATT_NONE:
 * their peers always offer one of these four as well.
 */
enum isakmp_natt_method {
	ISAKMP_NATT_NONE,
	ISAKMP_NATT_DRAFT_02,
	ISAKMP_NATT_DRAFT_02_N,
	ISAKMP_NATT_DRAFT_03,
	ISAKMP_NATT_RFC,
};

struct isakmp_vid {
	const char *name;    /* as pluto logs it */
	const char *meaning; /* e.g. the Windows release; NULL when the name says it all */
	const uint8_t *bytes;
	size_t len;
	bool prefix; /* the VID may continue past bytes (a version, capabilities) */
	enum isakmp_vid_kind kind;
	enum isakmp_natt_method natt; /* for ISAKMP_VID_NATT */
	uint32_t ms_version;          /* for ISAKMP_VID_MS_NT5; 0 on the catch-all entry */
	const char *md5_of;           /* bytes begin with MD5(md5_of) ... */
	size_t md5_len;               /* ... for this many octets; 0 if not an MD5 */
};

/*
 * The entry for a VID payload's data, or NULL if unknown.  An exact entry
 * wins; otherwise the longest prefix entry the data starts with.
 */
const struct isakmp_vid *isakmp_vid_lookup(struct wire_span data);

/* The octets of data after the matched bytes (FRAGMENTATION capabilities, a version). */
struct wire_span isakmp_vid_suffix(const struct isakmp_vid *vid, struct wire_span data);

/* The whole table, for tests and for "show vendor ids". */
const struct isakmp_vid *isakmp_vid_table(size_t *count);

/* "RFC 3947", "draft-ietf-ipsec-nat-t-ike-02_n", ... ; "none" for ISAKMP_NATT_NONE. */
const char *isakmp_natt_method_name(enum isakmp_natt_method method);

/*
 * What a method puts on the wire (RFC 3947 §3.2, §5.2, §5.1; the drafts
 * 02/03 used the private numbers): NAT-D 20 or 130, NAT-OA 21 or 131,
 * UDP-encapsulated transport 4 or 61444, tunnel 3 or 61443.
 * ISAKMP_NATT_NONE answers 0.
 */
uint8_t isakmp_natt_natd_payload(enum isakmp_natt_method method);
uint8_t isakmp_natt_natoa_payload(enum isakmp_natt_method method);
uint16_t isakmp_natt_udp_transport_mode(enum isakmp_natt_method method);
uint16_t isakmp_natt_udp_tunnel_mode(enum isakmp_natt_method method);

#endif
