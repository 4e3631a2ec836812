/*
 * isakmp_vid_test.c - the Vendor ID table: every MD5-derived entry is
 * recomputed with OpenSSL (so the bytes are proven, not copied), every entry
 * finds itself, prefixes take suffixes (Windows versions, FRAGMENTATION
 * capabilities), the NAT-T preference order and what each method puts on
 * the wire.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "ike/isakmp_const.h"
#include "ike/isakmp_vid.h"
#include "tests/harness/tap.h"

static struct wire_span span_of(const void *p, size_t len)
{
	return (struct wire_span){ p, len };
}

static bool md5(const char *text, uint8_t digest[16])
{
	unsigned int len = 0;

	return EVP_Digest(text, strlen(text), digest, &len, EVP_md5(), NULL) == 1 && len == 16;
}

/* The string with a newline shown as \\n, for a one-line TAP name. */
static const char *printable(const char *text, char out[80])
{
	size_t len = 0;

	for (; *text && len + 3 < 80; text++) {
		if (*text == '\n') {
			out[len++] = '\\';
			out[len++] = 'n';
		} else {
			out[len++] = *text;
		}
	}
	out[len] = '\0';
	return out;
}

static void test_md5_entries(void)
{
	size_t count, proven = 0;
	const struct isakmp_vid *table = isakmp_vid_table(&count);

	ok(count >= 30, "table has %zu entries", count);
	for (size_t i = 0; i < count; i++) {
		const struct isakmp_vid *vid = &table[i];
		uint8_t digest[16];
		char shown[80];

		if (!vid->md5_of)
			continue;
		if (!ok(md5(vid->md5_of, digest), "MD5 computed for \"%s\"", vid->name))
			continue;
		ok(vid->md5_len > 0 && vid->md5_len <= 16 && vid->md5_len <= vid->len &&
			   memcmp(vid->bytes, digest, vid->md5_len) == 0,
		   "\"%s\" is MD5(\"%s\")%s", vid->name, printable(vid->md5_of, shown),
		   vid->md5_len < 16 ? " truncated or patched" : "");
		proven++;
	}
	ok(proven >= 25, "%zu entries proven by their MD5", proven);

	/* the ones whose tail is not the hash: what the tail is */
	{
		const struct isakmp_vid *unity = isakmp_vid_lookup(
			span_of("\x12\xf5\xf2\x8c\x45\x71\x68\xa9\x70\x2d\x9f\xe2\x74\xcc\x01\x00", 16));
		uint8_t digest[16];

		ok(unity && md5("CISCO-UNITY", digest) && digest[14] == 0x02 && digest[15] == 0xd4 &&
			   unity->bytes[14] == 0x01 && unity->bytes[15] == 0x00,
		   "Cisco-Unity: MD5 ...02d4 with the last two octets replaced by 01 00");
	}
	{
		uint8_t digest[16];
		const struct isakmp_vid *xauth;

		ok(md5("draft-ietf-ipsra-isakmp-xauth-06.txt", digest), "XAUTH digest");
		xauth = isakmp_vid_lookup(span_of(digest, 8));
		ok(xauth && xauth->kind == ISAKMP_VID_XAUTH, "XAUTH is the first 8 octets of the MD5");
		ok(isakmp_vid_lookup(span_of(digest, 16)) == NULL, "the full 16-octet MD5 is not XAUTH");
	}
	{
		uint8_t digest[16];

		ok(md5("draft-ietf-ipsec-nat-t-ike-02\n", digest) &&
			   isakmp_vid_lookup(span_of(digest, 16))->natt == ISAKMP_NATT_DRAFT_02_N,
		   "02_n is the MD5 of the string with its newline");
		ok(md5("draft-ietf-ipsec-nat-t-ike-02", digest) &&
			   isakmp_vid_lookup(span_of(digest, 16))->natt == ISAKMP_NATT_DRAFT_02,
		   "02 is the MD5 without it");
	}
}

static void test_every_entry_finds_itself(void)
{
	size_t count;
	const struct isakmp_vid *table = isakmp_vid_table(&count);
	size_t found = 0;

	for (size_t i = 0; i < count; i++) {
		const struct isakmp_vid *vid = &table[i];
		const struct isakmp_vid *back = isakmp_vid_lookup(span_of(vid->bytes, vid->len));

		if (back == vid)
			found++;
		else
			tap_diag("\"%s\" looks up as \"%s\"", vid->name, back ? back->name : "(none)");
		for (size_t j = 0; j < i; j++)
			if (table[j].len == vid->len && memcmp(table[j].bytes, vid->bytes, vid->len) == 0)
				tap_diag("\"%s\" and \"%s\" have the same bytes", table[j].name, vid->name);
	}
	is_int(found, count, "every entry looks itself up");
}

static void test_windows(void)
{
	static const struct {
		uint8_t version;
		const char *name, *meaning;
	} rows[] = {
		{ 2, "MS NT5 ISAKMPOAKLEY 00000002", "Windows 2000" },
		{ 3, "MS NT5 ISAKMPOAKLEY 00000003", "Windows XP" },
		{ 4, "MS NT5 ISAKMPOAKLEY 00000004", "Windows Server 2003, Windows XP SP2/SP3" },
		{ 5, "MS NT5 ISAKMPOAKLEY 00000005", "Windows Vista" },
		{ 6, "MS NT5 ISAKMPOAKLEY 00000006", "Windows Server 2008" },
		{ 7, "MS NT5 ISAKMPOAKLEY 00000007", "Windows 7" },
		{ 8, "MS NT5 ISAKMPOAKLEY 00000008", "Windows Server 2008 R2 (and some Windows 7)" },
		{ 9, "MS NT5 ISAKMPOAKLEY 00000009", "Windows 8, 8.1, 10, 11, Server 2012 R2 and later" },
	};
	uint8_t vid_bytes[24];
	const struct isakmp_vid *vid;
	struct wire_span suffix;

	if (!ok(md5("MS NT5 ISAKMPOAKLEY", vid_bytes), "MS NT5 prefix"))
		return;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		memset(vid_bytes + 16, 0, 4);
		vid_bytes[19] = rows[i].version;
		vid = isakmp_vid_lookup(span_of(vid_bytes, 20));
		if (!ok(vid != NULL, "MS NT5 version %u found", rows[i].version))
			continue;
		is_str(vid->name, rows[i].name, "name of version %u", rows[i].version);
		is_str(vid->meaning, rows[i].meaning, "meaning of version %u", rows[i].version);
		ok(vid->kind == ISAKMP_VID_MS_NT5 && vid->ms_version == rows[i].version,
		   "kind and version %u", rows[i].version);
	}
	vid_bytes[19] = 10;
	vid = isakmp_vid_lookup(span_of(vid_bytes, 20));
	ok(vid && vid->kind == ISAKMP_VID_MS_NT5 && vid->ms_version == 0 && vid->prefix,
	   "an unlisted version falls back to the prefix entry");
	suffix = isakmp_vid_suffix(vid, span_of(vid_bytes, 20));
	ok(suffix.len == 4 && suffix.p[3] == 10, "its version is in the suffix");
	vid = isakmp_vid_lookup(span_of(vid_bytes, 16));
	ok(vid && vid->ms_version == 0, "the bare 16-octet hash is the prefix entry");
	vid = isakmp_vid_lookup(span_of(vid_bytes, 15));
	ok(vid == NULL, "15 octets of it match nothing");

	static const char *const microsoft[] = {
		"Vid-Initial-Contact", "MS-Negotiation Discovery Capable", "IKE CGA version 1",
		"MS-MamieExists", "NLBS_PRESENT",
	};
	for (size_t i = 0; i < sizeof(microsoft) / sizeof(microsoft[0]); i++) {
		uint8_t digest[16];

		(void)md5(microsoft[i], digest);
		vid = isakmp_vid_lookup(span_of(digest, 16));
		ok(vid && vid->kind == ISAKMP_VID_MICROSOFT && strcmp(vid->name, microsoft[i]) == 0,
		   "\"%s\" is a Microsoft marker", microsoft[i]);
	}
	static const uint8_t key_mods[20] = { 0x01, 0x52, 0x8b, 0xbb, 0xc0, 0x06, 0x96, 0x12, 0x18, 0x49,
					      0xab, 0x9a, 0x1c, 0x5b, 0x2a, 0x51, 0, 0, 0, 1 };
	vid = isakmp_vid_lookup(span_of(key_mods, 20));
	ok(vid && strcmp(vid->name, "Windows KEY_MODS (AuthIP)") == 0, "KEY_MODS AuthIP");
}

static void test_fragmentation(void)
{
	uint8_t vid_bytes[20];
	const struct isakmp_vid *vid;
	struct wire_span caps;

	(void)md5("FRAGMENTATION", vid_bytes);
	vid = isakmp_vid_lookup(span_of(vid_bytes, 16));
	ok(vid && vid->kind == ISAKMP_VID_FRAGMENTATION && strcmp(vid->name, "FRAGMENTATION") == 0,
	   "FRAGMENTATION bare (Windows)");
	ok(vid && isakmp_vid_suffix(vid, span_of(vid_bytes, 16)).len == 0, "no capabilities");
	vid_bytes[16] = 0x80;
	vid_bytes[17] = vid_bytes[18] = vid_bytes[19] = 0;
	vid = isakmp_vid_lookup(span_of(vid_bytes, 20));
	ok(vid && vid->kind == ISAKMP_VID_FRAGMENTATION, "FRAGMENTATION with capabilities");
	caps = vid ? isakmp_vid_suffix(vid, span_of(vid_bytes, 20)) : span_of(NULL, 0);
	ok(caps.len == 4 && caps.p[0] == 0x80, "capabilities 0x80000000 in the suffix");
}

static void test_natt(void)
{
	static const struct {
		const char *md5_of;
		enum isakmp_natt_method method;
		const char *name;
	} drafts[] = {
		{ "RFC 3947", ISAKMP_NATT_RFC, "RFC 3947" },
		{ "draft-ietf-ipsec-nat-t-ike-03", ISAKMP_NATT_DRAFT_03, "draft-ietf-ipsec-nat-t-ike-03" },
		{ "draft-ietf-ipsec-nat-t-ike-02\n", ISAKMP_NATT_DRAFT_02_N,
		  "draft-ietf-ipsec-nat-t-ike-02_n" },
		{ "draft-ietf-ipsec-nat-t-ike-02", ISAKMP_NATT_DRAFT_02, "draft-ietf-ipsec-nat-t-ike-02" },
		{ "draft-ietf-ipsec-nat-t-ike-00", ISAKMP_NATT_NONE, "draft-ietf-ipsec-nat-t-ike-00" },
		{ "draft-ietf-ipsec-nat-t-ike-07", ISAKMP_NATT_NONE, "draft-ietf-ipsec-nat-t-ike-07" },
		{ "draft-ietf-ipsec-nat-t-ike-08", ISAKMP_NATT_NONE, "draft-ietf-ipsec-nat-t-ike-08" },
		{ "draft-ietf-ipsec-nat-t-ike", ISAKMP_NATT_NONE, "draft-ietf-ipsec-nat-t-ike" },
	};

	for (size_t i = 0; i < sizeof(drafts) / sizeof(drafts[0]); i++) {
		uint8_t digest[16];
		const struct isakmp_vid *vid;

		(void)md5(drafts[i].md5_of, digest);
		vid = isakmp_vid_lookup(span_of(digest, 16));
		if (!ok(vid != NULL, "%s found", drafts[i].name))
			continue;
		is_str(vid->name, drafts[i].name, "named as pluto logs it");
		ok(vid->kind == ISAKMP_VID_NATT && vid->natt == drafts[i].method, "%s method",
		   drafts[i].name);
	}
	ok(ISAKMP_NATT_RFC > ISAKMP_NATT_DRAFT_03 && ISAKMP_NATT_DRAFT_03 > ISAKMP_NATT_DRAFT_02_N &&
		   ISAKMP_NATT_DRAFT_02_N > ISAKMP_NATT_DRAFT_02 && ISAKMP_NATT_DRAFT_02 > ISAKMP_NATT_NONE,
	   "preference: RFC 3947 > draft-03 > draft-02_n > draft-02");
	is_str(isakmp_natt_method_name(ISAKMP_NATT_RFC), "RFC 3947", "method name RFC");
	is_str(isakmp_natt_method_name(ISAKMP_NATT_DRAFT_02_N), "draft-ietf-ipsec-nat-t-ike-02_n",
	       "method name 02_n");
	is_str(isakmp_natt_method_name(ISAKMP_NATT_NONE), "none", "method name none");
	is_int(isakmp_natt_natd_payload(ISAKMP_NATT_RFC), 20, "RFC NAT-D 20");
	is_int(isakmp_natt_natoa_payload(ISAKMP_NATT_RFC), 21, "RFC NAT-OA 21");
	is_int(isakmp_natt_udp_transport_mode(ISAKMP_NATT_RFC), 4, "RFC UDP transport 4");
	is_int(isakmp_natt_udp_tunnel_mode(ISAKMP_NATT_RFC), 3, "RFC UDP tunnel 3");
	for (enum isakmp_natt_method m = ISAKMP_NATT_DRAFT_02; m <= ISAKMP_NATT_DRAFT_03; m++) {
		is_int(isakmp_natt_natd_payload(m), 130, "%s NAT-D 130", isakmp_natt_method_name(m));
		is_int(isakmp_natt_natoa_payload(m), 131, "%s NAT-OA 131", isakmp_natt_method_name(m));
		is_int(isakmp_natt_udp_transport_mode(m), 61444, "%s UDP transport 61444",
		       isakmp_natt_method_name(m));
		is_int(isakmp_natt_udp_tunnel_mode(m), 61443, "%s UDP tunnel 61443",
		       isakmp_natt_method_name(m));
	}
	is_int(isakmp_natt_natd_payload(ISAKMP_NATT_NONE), 0, "no method, no NAT-D");
	is_int(isakmp_natt_udp_transport_mode(ISAKMP_NATT_NONE), 0, "no method, no UDP mode");
}

static void test_others(void)
{
	static const uint8_t dpd[16] = { 0xaf, 0xca, 0xd7, 0x13, 0x68, 0xa1, 0xf1, 0xc9,
					 0x6b, 0x86, 0x96, 0xfc, 0x77, 0x57, 0x01, 0x00 };
	uint8_t digest[16];
	const struct isakmp_vid *vid;

	vid = isakmp_vid_lookup(span_of(dpd, 16));
	ok(vid && vid->kind == ISAKMP_VID_DPD && strcmp(vid->name, "Dead Peer Detection") == 0,
	   "RFC 3706 DPD v1.0");
	ok(isakmp_vid_lookup(span_of(dpd, 15)) == NULL, "DPD cut by one octet matches nothing");
	(void)md5("strongSwan", digest);
	vid = isakmp_vid_lookup(span_of(digest, 16));
	ok(vid && strcmp(vid->name, "strongSwan") == 0 && vid->kind == ISAKMP_VID_OTHER, "strongSwan");
	(void)md5("KAME/racoon", digest);
	vid = isakmp_vid_lookup(span_of(digest, 16));
	ok(vid && strcmp(vid->name, "KAME/racoon") == 0, "racoon");
	vid = isakmp_vid_lookup(span_of("OE-Libreswan-4.12", 17));
	ok(vid && strcmp(vid->name, "Libreswan (3.6+)") == 0, "libreswan: longest prefix wins");
	vid = isakmp_vid_lookup(span_of("OENxyz", 6));
	ok(vid && strcmp(vid->name, "Libreswan 3.0 - 3.5") == 0, "old libreswan");
	vid = isakmp_vid_lookup(span_of("OEkRbGXRvmPE", 12));
	ok(vid && strcmp(vid->name, "Openswan(project)") == 0, "Openswan hash VID (the capture's)");
	ok(isakmp_vid_lookup(span_of("O", 1)) == NULL, "one octet of a prefix");
	ok(isakmp_vid_lookup(span_of(NULL, 0)) == NULL, "empty VID");
	memset(digest, 0x5a, sizeof(digest));
	ok(isakmp_vid_lookup(span_of(digest, 16)) == NULL, "unknown VID");
}

int main(void)
{
	test_md5_entries();
	test_every_entry_finds_itself();
	test_windows();
	test_fragmentation();
	test_natt();
	test_others();
	return tap_done();
}
