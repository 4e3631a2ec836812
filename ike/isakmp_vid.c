/*
 * isakmp_vid.c - the Vendor ID table (see isakmp_vid.h).
 *
 * Bytes are written out, not computed at start-up, so the table is a plain
 * const array; where a VID is an MD5 the string sits in .md5_of and
 * isakmp_vid_test recomputes it.  Lookup is a linear walk: a peer sends at
 * most a dozen VIDs and the table has a few dozen rows.
 */
#include "config.h"

#include <string.h>

#include "ike/isakmp_const.h"
#include "ike/isakmp_vid.h"
#include "lib/util.h"

#define VID_BYTES(literal) .bytes = (const uint8_t *)(literal), .len = sizeof(literal) - 1

/* MD5("MS NT5 ISAKMPOAKLEY"), followed on the wire by a big-endian version. */
#define VID_MS_NT5 "\x1e\x2b\x51\x69\x05\x99\x1c\x7d\x7c\x96\xfc\xbf\xb5\x87\xe4\x61"

/* The "Windows KEY_MODS" prefix (not a known MD5), followed by 0 IKE, 1 AuthIP, 2 IKEv2. */
#define VID_MS_KEY_MODS "\x01\x52\x8b\xbb\xc0\x06\x96\x12\x18\x49\xab\x9a\x1c\x5b\x2a\x51"

/* version: the number; octet: the same as a one-octet string literal */
#define VID_MS_NT5_ROW(version, octet, text)                                             \
	{ .name = "MS NT5 ISAKMPOAKLEY 0000000" #version, .meaning = (text),             \
	  VID_BYTES(VID_MS_NT5 "\x00\x00\x00" octet), .kind = ISAKMP_VID_MS_NT5,         \
	  .ms_version = (version), .md5_of = "MS NT5 ISAKMPOAKLEY", .md5_len = 16 }

/* MD5("draft-ietf-ipsec-nat-t-ike-<number>") */
#define VID_NATT_DRAFT_ROW(number, method, md5)                                          \
	{ .name = "draft-ietf-ipsec-nat-t-ike-" #number, VID_BYTES(md5),                  \
	  .kind = ISAKMP_VID_NATT, .natt = (method),                                      \
	  .md5_of = "draft-ietf-ipsec-nat-t-ike-" #number, .md5_len = 16 }

static const struct isakmp_vid isakmp_vid_rows[] = {
	/*
	 * Windows: MS-IKEE; versions from research/windows-client.md §1.1
	 * (libreswan vendorid.c, ike-scan, Wireshark).
	 */
	VID_MS_NT5_ROW(2, "\x02", "Windows 2000"),
	VID_MS_NT5_ROW(3, "\x03", "Windows XP"),
	VID_MS_NT5_ROW(4, "\x04", "Windows Server 2003, Windows XP SP2/SP3"),
	VID_MS_NT5_ROW(5, "\x05", "Windows Vista"),
	VID_MS_NT5_ROW(6, "\x06", "Windows Server 2008"),
	VID_MS_NT5_ROW(7, "\x07", "Windows 7"),
	VID_MS_NT5_ROW(8, "\x08", "Windows Server 2008 R2 (and some Windows 7)"),
	VID_MS_NT5_ROW(9, "\x09", "Windows 8, 8.1, 10, 11, Server 2012 R2 and later"),
	/* a version not listed above: read it with isakmp_vid_suffix() */
	{ .name = "MS NT5 ISAKMPOAKLEY", .meaning = "Windows (version in the last 4 octets)",
	  VID_BYTES(VID_MS_NT5), .prefix = true, .kind = ISAKMP_VID_MS_NT5,
	  .md5_of = "MS NT5 ISAKMPOAKLEY", .md5_len = 16 },
	/* MD5("Vid-Initial-Contact"): Vista+ instead of the INITIAL-CONTACT notify */
	{ .name = "Vid-Initial-Contact",
	  VID_BYTES("\x26\x24\x4d\x38\xed\xdb\x61\xb3\x17\x2a\x36\xe3\xd0\xcf\xb8\x19"),
	  .kind = ISAKMP_VID_MICROSOFT, .md5_of = "Vid-Initial-Contact", .md5_len = 16 },
	/* MD5("MS-Negotiation Discovery Capable") */
	{ .name = "MS-Negotiation Discovery Capable",
	  VID_BYTES("\xfb\x1d\xe3\xcd\xf3\x41\xb7\xea\x16\xb7\xe5\xbe\x08\x55\xf1\x20"),
	  .kind = ISAKMP_VID_MICROSOFT, .md5_of = "MS-Negotiation Discovery Capable",
	  .md5_len = 16 },
	/* MD5("IKE CGA version 1") */
	{ .name = "IKE CGA version 1",
	  VID_BYTES("\xe3\xa5\x96\x6a\x76\x37\x9f\xe7\x07\x22\x82\x31\xe5\xce\x86\x52"),
	  .kind = ISAKMP_VID_MICROSOFT, .md5_of = "IKE CGA version 1", .md5_len = 16 },
	/* MD5("MS-MamieExists") */
	{ .name = "MS-MamieExists", .meaning = "AuthIP supported",
	  VID_BYTES("\x21\x4c\xa4\xfa\xff\xa7\xf3\x2d\x67\x48\xe5\x30\x33\x95\xae\x83"),
	  .kind = ISAKMP_VID_MICROSOFT, .md5_of = "MS-MamieExists", .md5_len = 16 },
	/* MD5("NLBS_PRESENT") */
	{ .name = "NLBS_PRESENT", .meaning = "NLB/MSCS fast failover (Windows servers)",
	  VID_BYTES("\x72\x87\x2b\x95\xfc\xda\x2e\xb7\x08\xef\xe3\x22\x11\x9b\x49\x71"),
	  .kind = ISAKMP_VID_MICROSOFT, .md5_of = "NLBS_PRESENT", .md5_len = 16 },
	{ .name = "Windows KEY_MODS (IKE)", VID_BYTES(VID_MS_KEY_MODS "\x00\x00\x00\x00"),
	  .kind = ISAKMP_VID_MICROSOFT },
	{ .name = "Windows KEY_MODS (AuthIP)", VID_BYTES(VID_MS_KEY_MODS "\x00\x00\x00\x01"),
	  .kind = ISAKMP_VID_MICROSOFT },
	{ .name = "Windows KEY_MODS (IKEv2)", VID_BYTES(VID_MS_KEY_MODS "\x00\x00\x00\x02"),
	  .kind = ISAKMP_VID_MICROSOFT },
	/*
	 * MD5("FRAGMENTATION"), optionally followed by 4 capability octets
	 * (0x80000000 main/aggressive mode, 0x40000000 base mode); Windows sends
	 * it bare, Cisco and strongSwan with capabilities.
	 */
	{ .name = "FRAGMENTATION",
	  VID_BYTES("\x40\x48\xb7\xd5\x6e\xbc\xe8\x85\x25\xe7\xde\x7f\x00\xd6\xc2\xd3"),
	  .prefix = true, .kind = ISAKMP_VID_FRAGMENTATION, .md5_of = "FRAGMENTATION",
	  .md5_len = 16 },

	/* NAT traversal.  MD5("RFC 3947") */
	{ .name = "RFC 3947",
	  VID_BYTES("\x4a\x13\x1c\x81\x07\x03\x58\x45\x5c\x57\x28\xf2\x0e\x95\x45\x2f"),
	  .kind = ISAKMP_VID_NATT, .natt = ISAKMP_NATT_RFC, .md5_of = "RFC 3947", .md5_len = 16 },
	VID_NATT_DRAFT_ROW(03, ISAKMP_NATT_DRAFT_03,
			   "\x7d\x94\x19\xa6\x53\x10\xca\x6f\x2c\x17\x9d\x92\x15\x52\x9d\x56"),
	/* draft-02's text hashed the string with its newline: Windows XP SP2 sends this one */
	{ .name = "draft-ietf-ipsec-nat-t-ike-02_n",
	  VID_BYTES("\x90\xcb\x80\x91\x3e\xbb\x69\x6e\x08\x63\x81\xb5\xec\x42\x7b\x1f"),
	  .kind = ISAKMP_VID_NATT, .natt = ISAKMP_NATT_DRAFT_02_N,
	  .md5_of = "draft-ietf-ipsec-nat-t-ike-02\n", .md5_len = 16 },
	VID_NATT_DRAFT_ROW(02, ISAKMP_NATT_DRAFT_02,
			   "\xcd\x60\x46\x43\x35\xdf\x21\xf8\x7c\xfd\xb2\xfc\x68\xb6\xa4\x48"),
	VID_NATT_DRAFT_ROW(00, ISAKMP_NATT_NONE,
			   "\x44\x85\x15\x2d\x18\xb6\xbb\xcd\x0b\xe8\xa8\x46\x95\x79\xdd\xcc"),
	VID_NATT_DRAFT_ROW(01, ISAKMP_NATT_NONE,
			   "\x16\xf6\xca\x16\xe4\xa4\x06\x6d\x83\x82\x1a\x0f\x0a\xea\xa8\x62"),
	VID_NATT_DRAFT_ROW(04, ISAKMP_NATT_NONE,
			   "\x99\x09\xb6\x4e\xed\x93\x7c\x65\x73\xde\x52\xac\xe9\x52\xfa\x6b"),
	VID_NATT_DRAFT_ROW(05, ISAKMP_NATT_NONE,
			   "\x80\xd0\xbb\x3d\xef\x54\x56\x5e\xe8\x46\x45\xd4\xc8\x5c\xe3\xee"),
	VID_NATT_DRAFT_ROW(06, ISAKMP_NATT_NONE,
			   "\x4d\x1e\x0e\x13\x6d\xea\xfa\x34\xc4\xf3\xea\x9f\x02\xec\x72\x85"),
	VID_NATT_DRAFT_ROW(07, ISAKMP_NATT_NONE,
			   "\x43\x9b\x59\xf8\xba\x67\x6c\x4c\x77\x37\xae\x22\xea\xb8\xf5\x82"),
	VID_NATT_DRAFT_ROW(08, ISAKMP_NATT_NONE,
			   "\x8f\x8d\x83\x82\x6d\x24\x6b\x6f\xc7\xa8\xa6\xa4\x28\xc1\x1d\xe8"),
	/* MD5("draft-ietf-ipsec-nat-t-ike"), found in Mac OS X racoon (libreswan vendorid.c) */
	{ .name = "draft-ietf-ipsec-nat-t-ike", .meaning = "Apple racoon (Mac OS X, iOS)",
	  VID_BYTES("\x4d\xf3\x79\x28\xe9\xfc\x4f\xd1\xb3\x26\x21\x70\xd5\x15\xc6\x62"),
	  .kind = ISAKMP_VID_NATT, .natt = ISAKMP_NATT_NONE,
	  .md5_of = "draft-ietf-ipsec-nat-t-ike", .md5_len = 16 },

	/* RFC 3706 §3: 14 fixed octets, then major 1, minor 0 (not an MD5) */
	{ .name = "Dead Peer Detection",
	  VID_BYTES("\xaf\xca\xd7\x13\x68\xa1\xf1\xc9\x6b\x86\x96\xfc\x77\x57\x01\x00"),
	  .kind = ISAKMP_VID_DPD },
	/* the first 8 octets of MD5("draft-ietf-ipsra-isakmp-xauth-06.txt") */
	{ .name = "XAUTH", VID_BYTES("\x09\x00\x26\x89\xdf\xd6\xb7\x12"), .kind = ISAKMP_VID_XAUTH,
	  .md5_of = "draft-ietf-ipsra-isakmp-xauth-06.txt", .md5_len = 8 },
	/* MD5("CISCO-UNITY") with the last two octets replaced by version 1.0 */
	{ .name = "Cisco-Unity",
	  VID_BYTES("\x12\xf5\xf2\x8c\x45\x71\x68\xa9\x70\x2d\x9f\xe2\x74\xcc\x01\x00"),
	  .kind = ISAKMP_VID_CISCO_UNITY, .md5_of = "CISCO-UNITY", .md5_len = 14 },

	/* Implementations.  MD5("strongSwan") */
	{ .name = "strongSwan",
	  VID_BYTES("\x88\x2f\xe5\x6d\x6f\xd2\x0d\xbc\x22\x51\x61\x3b\x2e\xbe\x5b\xeb"),
	  .md5_of = "strongSwan", .md5_len = 16 },
	/* MD5("KAME/racoon") */
	{ .name = "KAME/racoon", .meaning = "racoon (ipsec-tools, Android, old Apple)",
	  VID_BYTES("\x70\x03\xcb\xc1\x09\x7d\xbe\x9c\x26\x00\xba\x69\x83\xbc\x8b\x35"),
	  .md5_of = "KAME/racoon", .md5_len = 16 },
	/* ASCII prefixes: "OE-Libreswan-<version>", "OEN...", "OSW...", "OE" + 10 hash octets */
	{ .name = "Libreswan (3.6+)", VID_BYTES("OE-Libreswan-"), .prefix = true },
	{ .name = "Libreswan 3.0 - 3.5", VID_BYTES("OEN"), .prefix = true },
	{ .name = "Openswan(xeleranized)", VID_BYTES("OSW"), .prefix = true },
	{ .name = "Openswan(project)", VID_BYTES("OE"), .prefix = true },
};

const struct isakmp_vid *isakmp_vid_table(size_t *count)
{
	*count = ARRAY_SIZE(isakmp_vid_rows);
	return isakmp_vid_rows;
}

const struct isakmp_vid *isakmp_vid_lookup(struct wire_span data)
{
	const struct isakmp_vid *best = NULL;

	if (data.len == 0)
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(isakmp_vid_rows); i++) {
		const struct isakmp_vid *row = &isakmp_vid_rows[i];

		if (data.len < row->len || memcmp(data.p, row->bytes, row->len) != 0)
			continue;
		if (data.len == row->len && !row->prefix)
			return row;
		if (row->prefix && (!best || row->len > best->len))
			best = row;
	}
	return best;
}

struct wire_span isakmp_vid_suffix(const struct isakmp_vid *vid, struct wire_span data)
{
	struct wire_rd rd = wire_rd_init(data.p, data.len);

	wire_skip(&rd, vid->len);
	return wire_rest(&rd);
}

const char *isakmp_natt_method_name(enum isakmp_natt_method method)
{
	switch (method) {
	case ISAKMP_NATT_NONE:
		break;
	case ISAKMP_NATT_DRAFT_02:
		return "draft-ietf-ipsec-nat-t-ike-02";
	case ISAKMP_NATT_DRAFT_02_N:
		return "draft-ietf-ipsec-nat-t-ike-02_n";
	case ISAKMP_NATT_DRAFT_03:
		return "draft-ietf-ipsec-nat-t-ike-03";
	case ISAKMP_NATT_RFC:
		return "RFC 3947";
	}
	return "none";
}

uint8_t isakmp_natt_natd_payload(enum isakmp_natt_method method)
{
	if (method == ISAKMP_NATT_RFC)
		return ISAKMP_PAYLOAD_NATD;
	return method == ISAKMP_NATT_NONE ? 0 : ISAKMP_PAYLOAD_NATD_DRAFT;
}

uint8_t isakmp_natt_natoa_payload(enum isakmp_natt_method method)
{
	if (method == ISAKMP_NATT_RFC)
		return ISAKMP_PAYLOAD_NATOA;
	return method == ISAKMP_NATT_NONE ? 0 : ISAKMP_PAYLOAD_NATOA_DRAFT;
}

uint16_t isakmp_natt_udp_transport_mode(enum isakmp_natt_method method)
{
	if (method == ISAKMP_NATT_RFC)
		return IPSEC_ENCAPSULATION_MODE_UDP_TRANSPORT_RFC;
	return method == ISAKMP_NATT_NONE ? 0 : IPSEC_ENCAPSULATION_MODE_UDP_TRANSPORT_DRAFTS;
}

uint16_t isakmp_natt_udp_tunnel_mode(enum isakmp_natt_method method)
{
	if (method == ISAKMP_NATT_RFC)
		return IPSEC_ENCAPSULATION_MODE_UDP_TUNNEL_RFC;
	return method == ISAKMP_NATT_NONE ? 0 : IPSEC_ENCAPSULATION_MODE_UDP_TUNNEL_DRAFTS;
}
