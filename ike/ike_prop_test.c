/*
 * ike_prop_test.c - proposal choice as a table: offered sets -> chosen
 * transform, or NO_PROPOSAL_CHOSEN with its log lines.
 *
 * The offers are those of research/windows-client.md §2 and §4 (Windows XP,
 * Windows 7/10/11 order, macOS/iOS, Android), the refusals of §0 (DES,
 * MODP768, MD5 unless configured), and edge cases (AES without a key
 * length, 40 transforms, AH/IPComp bundles, both NAT-T mode families).
 */
#include <stdlib.h>
#include <string.h>

#include "ike/ike_prop.h"
#include "ike/isakmp_const.h"
#include "lib/log.h"
#include "tests/harness/ike_initiator.h"
#include "tests/harness/tap.h"

static char captured[8192];

static void capture(void *arg, enum log_level level, const char *line)
{
	(void)arg;
	(void)level;
	if (strlen(captured) + strlen(line) + 2 < sizeof(captured)) {
		strcat(captured, line);
		strcat(captured, "\n");
	}
}

#define T_3DES OAKLEY_3DES_CBC
#define T_AES OAKLEY_AES_CBC
#define T_DES OAKLEY_DES_CBC
#define PSK OAKLEY_PRESHARED_KEY

struct p1_case {
	const char *name;
	struct ike_init_p1 offer[48];
	size_t count;
	bool md5;                       /* policy with MD5 configured */
	unsigned chosen;                /* 1-based transform number; 0 = refused */
	const char *cipher_str, *group_name;
	const char *log1, *log2;        /* lines (substrings) expected in the log */
};

static const struct p1_case p1_cases[] = {
	{ "Windows XP: 3DES/SHA1/MODP1024 first",
	  { { T_3DES, 0, OAKLEY_SHA1, PSK, OAKLEY_GROUP_MODP1024, 28800, 0 },
	    { T_3DES, 0, OAKLEY_MD5, PSK, OAKLEY_GROUP_MODP1024, 28800, 0 },
	    { T_DES, 0, OAKLEY_SHA1, PSK, OAKLEY_GROUP_MODP768, 28800, 0 },
	    { T_DES, 0, OAKLEY_MD5, PSK, OAKLEY_GROUP_MODP768, 28800, 0 } },
	  4, false, 1, "3DES_CBC", "OAKLEY_GROUP_MODP1024", NULL, NULL },
	{ "Windows 7/10: AES256/SHA1/ECP384 first",
	  { { T_AES, 256, OAKLEY_SHA1, PSK, OAKLEY_GROUP_ECP_384, 28800, 0 },
	    { T_AES, 128, OAKLEY_SHA1, PSK, OAKLEY_GROUP_ECP_256, 28800, 0 },
	    { T_AES, 256, OAKLEY_SHA1, PSK, OAKLEY_GROUP_MODP2048, 28800, 0 },
	    { T_3DES, 0, OAKLEY_SHA1, PSK, OAKLEY_GROUP_MODP2048, 28800, 0 },
	    { T_AES, 128, OAKLEY_SHA1, PSK, OAKLEY_GROUP_MODP2048, 28800, 0 },
	    { T_3DES, 0, OAKLEY_SHA1, PSK, OAKLEY_GROUP_MODP1024, 28800, 0 } },
	  6, false, 1, "AES_CBC_256", "OAKLEY_GROUP_ECP_384", NULL, NULL },
	{ "Windows 10 with MD5 first: skips to SHA1",
	  { { T_AES, 256, OAKLEY_MD5, PSK, OAKLEY_GROUP_MODP2048, 28800, 0 },
	    { T_AES, 256, OAKLEY_SHA1, PSK, OAKLEY_GROUP_MODP2048, 28800, 0 } },
	  2, false, 2, "AES_CBC_256", "OAKLEY_GROUP_MODP2048",
	  "#4: only OAKLEY_SHA1, OAKLEY_SHA2_256, OAKLEY_SHA2_384 and OAKLEY_SHA2_512 supported. "
	  "Attribute OAKLEY_HASH_ALGORITHM", NULL },
	{ "macOS/iOS: AES256/SHA2-256/MODP2048",
	  { { T_AES, 256, OAKLEY_SHA2_256, PSK, OAKLEY_GROUP_MODP2048, 3600, 0 },
	    { T_AES, 256, OAKLEY_SHA2_256, PSK, OAKLEY_GROUP_MODP1536, 3600, 0 },
	    { T_AES, 256, OAKLEY_SHA1, PSK, OAKLEY_GROUP_MODP1024, 3600, 0 } },
	  3, false, 1, "AES_CBC_256", "OAKLEY_GROUP_MODP2048", NULL, NULL },
	{ "Android: MD5 first, AES128/SHA1/MODP1024 taken",
	  { { T_AES, 256, OAKLEY_MD5, PSK, OAKLEY_GROUP_MODP1024, 86400, 0 },
	    { T_AES, 128, OAKLEY_SHA1, PSK, OAKLEY_GROUP_MODP1024, 86400, 0 },
	    { T_3DES, 0, OAKLEY_SHA1, PSK, OAKLEY_GROUP_MODP1024, 86400, 0 } },
	  3, false, 2, "AES_CBC_128", "OAKLEY_GROUP_MODP1024", NULL, NULL },
	{ "MD5 only, not configured: refused",
	  { { T_3DES, 0, OAKLEY_MD5, PSK, OAKLEY_GROUP_MODP1024, 28800, 0 } },
	  1, false, 0, NULL, NULL,
	  "Attribute OAKLEY_HASH_ALGORITHM",
	  "#4: no acceptable Oakley Transform; peer offered: 3DES_CBC-MD5-MODP1024" },
	{ "MD5 only, configured: taken",
	  { { T_3DES, 0, OAKLEY_MD5, PSK, OAKLEY_GROUP_MODP1024, 28800, 0 } },
	  1, true, 1, "3DES_CBC", "OAKLEY_GROUP_MODP1024", NULL, NULL },
	{ "DES only: refused naming the supported ciphers",
	  { { T_DES, 0, OAKLEY_SHA1, PSK, OAKLEY_GROUP_MODP1024, 28800, 0 },
	    { T_DES, 0, OAKLEY_MD5, PSK, OAKLEY_GROUP_MODP1024, 28800, 0 } },
	  2, false, 0, NULL, NULL,
	  "#4: only OAKLEY_3DES_CBC and OAKLEY_AES_CBC supported. Attribute "
	  "OAKLEY_ENCRYPTION_ALGORITHM",
	  "#4: no acceptable Oakley Transform; peer offered: DES_CBC-SHA1-MODP1024, "
	  "DES_CBC-MD5-MODP1024" },
	{ "MODP768 only: refused in the seed's shape",
	  { { T_3DES, 0, OAKLEY_SHA1, PSK, OAKLEY_GROUP_MODP768, 28800, 0 } },
	  1, false, 0, NULL, NULL,
	  "#4: only OAKLEY_GROUP_MODP1024, OAKLEY_GROUP_MODP1536, OAKLEY_GROUP_MODP2048, "
	  "OAKLEY_GROUP_ECP_256 and OAKLEY_GROUP_ECP_384 supported. Attribute "
	  "OAKLEY_GROUP_DESCRIPTION",
	  "peer offered: 3DES_CBC-SHA1-MODP768" },
	{ "AES without a key length: AES-128",
	  { { T_AES, 0, OAKLEY_SHA1, PSK, OAKLEY_GROUP_MODP2048, 28800, 0 } },
	  1, false, 1, "AES_CBC_128", "OAKLEY_GROUP_MODP2048", NULL, NULL },
	{ "AES with a 512-bit key: refused",
	  { { T_AES, 512, OAKLEY_SHA1, PSK, OAKLEY_GROUP_MODP2048, 28800, 0 } },
	  1, false, 0, NULL, NULL,
	  "#4: only 128, 192 and 256 supported. Attribute OAKLEY_KEY_LENGTH", NULL },
	{ "RSA signatures: refused (PSK only)",
	  { { T_3DES, 0, OAKLEY_SHA1, OAKLEY_RSA_SIG, OAKLEY_GROUP_MODP1024, 28800, 0 },
	    { T_3DES, 0, OAKLEY_SHA1, PSK, OAKLEY_GROUP_MODP1024, 28800, 0 } },
	  2, false, 2, "3DES_CBC", "OAKLEY_GROUP_MODP1024",
	  "#4: only OAKLEY_PRESHARED_KEY supported. Attribute OAKLEY_AUTHENTICATION_METHOD", NULL },
	{ "missing group: refused",
	  { { T_3DES, 0, OAKLEY_SHA1, PSK, 0, 28800, 0 } },
	  1, false, 0, NULL, NULL, "without encryption, hash, authentication method or group",
	  NULL },
	{ "seconds and kilobytes lifetimes both read",
	  { { T_3DES, 0, OAKLEY_SHA1, PSK, OAKLEY_GROUP_MODP1536, 100000, 250000 } },
	  1, false, 1, "3DES_CBC", "OAKLEY_GROUP_MODP1536", NULL, NULL },
};

static void check_p1_case(struct log_ctx *ctx, const struct p1_case *c)
{
	static uint8_t body[8192];
	struct ike_prop_policy pol;
	struct isakmp_sa sa;
	struct ike_p1_choice choice;
	struct logger lg;
	size_t len = ike_init_p1_sa_body(body, sizeof(body), c->offer, c->count);
	uint16_t r;
	char buf[32];

	logger_init_root(&lg, ctx, "#4");
	ike_prop_policy_default(&pol);
	if (c->md5)
		pol.p1_hashes |= IKE_PROP_HASH_MD5;
	captured[0] = 0;
	if (!ok(len > 0 && isakmp_sa_parse((struct wire_span){ body, len }, &sa) == ISAKMP_OK,
		"%s: offer parses", c->name))
		return;
	r = ike_prop_choose_p1(&pol, &sa, &lg, NULL, &choice);
	if (c->chosen) {
		is_int(r, 0, "%s: chosen", c->name);
		is_int(choice.transform_number, c->chosen, "%s: transform #%u", c->name, c->chosen);
		is_str(ike_prop_p1_cipher_str(&choice, buf, sizeof(buf)), c->cipher_str,
		       "%s: cipher", c->name);
		is_str(choice.group ? choice.group->name : NULL, c->group_name, "%s: group", c->name);
		is_int(choice.life_seconds, c->offer[c->chosen - 1].life_seconds, "%s: life seconds",
		       c->name);
		is_int(choice.life_kbytes, c->offer[c->chosen - 1].life_kbytes, "%s: life kbytes",
		       c->name);
	} else {
		is_int(r, ISAKMP_NOTIFY_NO_PROPOSAL_CHOSEN, "%s: NO_PROPOSAL_CHOSEN", c->name);
		ok(strstr(captured, "no acceptable Oakley Transform; peer offered: ") != NULL,
		   "%s: the offered line", c->name);
	}
	if (c->log1 && !ok(strstr(captured, c->log1) != NULL, "%s: log has \"%s\"", c->name, c->log1))
		tap_diag("log was:\n%s", captured);
	if (c->log2 && !ok(strstr(captured, c->log2) != NULL, "%s: log has \"%s\"", c->name, c->log2))
		tap_diag("log was:\n%s", captured);
}

/* Forty refused transforms then an acceptable one: every transform is walked. */
static void check_many(struct log_ctx *ctx)
{
	static uint8_t body[16384];
	struct ike_init_p1 offer[41];
	struct ike_prop_policy pol;
	struct isakmp_sa sa;
	struct ike_p1_choice choice;
	struct logger lg;
	size_t len;

	for (size_t i = 0; i < 40; i++)
		offer[i] = (struct ike_init_p1){ T_DES, 0, OAKLEY_SHA1, PSK, OAKLEY_GROUP_MODP768,
						 (uint32_t)(1000 + i), 0 };
	offer[40] = (struct ike_init_p1){ T_AES, 192, OAKLEY_SHA2_512, PSK, OAKLEY_GROUP_ECP_256,
					  28800, 0 };
	logger_init_root(&lg, ctx, "#4");
	ike_prop_policy_default(&pol);
	len = ike_init_p1_sa_body(body, sizeof(body), offer, 41);
	captured[0] = 0;
	ok(len > 0 && isakmp_sa_parse((struct wire_span){ body, len }, &sa) == ISAKMP_OK,
	   "41 transforms parse");
	is_int(ike_prop_choose_p1(&pol, &sa, &lg, NULL, &choice), 0, "the 41st is chosen");
	is_int(choice.transform_number, 41, "transform #41");
	ok(strstr(captured, "Attribute OAKLEY_ENCRYPTION_ALGORITHM") &&
		   strstr(captured, "Attribute OAKLEY_ENCRYPTION_ALGORITHM\n#4") == NULL,
	   "one refusal line for forty identical refusals");
}

struct p2_case {
	const char *name;
	struct ike_init_esp offer[8];
	size_t count;
	bool split;
	struct ike_p2_context ctx;
	bool md5;
	unsigned chosen;                /* 1-based index in offer[]; 0 = refused */
	const char *xfrm;
	bool udp;
	uint16_t pfs;
	const char *log1;
};

#define ESP_AES IPSEC_ESP_AES
#define ESP_3DES IPSEC_ESP_3DES
#define SHA1 IPSEC_AUTH_ALGORITHM_HMAC_SHA1
#define MD5 IPSEC_AUTH_ALGORITHM_HMAC_MD5
#define SHA256 IPSEC_AUTH_ALGORITHM_HMAC_SHA2_256
#define TRANSPORT IPSEC_ENCAPSULATION_MODE_TRANSPORT
#define UDP_RFC IPSEC_ENCAPSULATION_MODE_UDP_TRANSPORT_RFC
#define UDP_DRAFT IPSEC_ENCAPSULATION_MODE_UDP_TRANSPORT_DRAFTS
#define NO_NAT { ISAKMP_NATT_NONE, false, false }

static const struct p2_case p2_cases[] = {
	{ "XP: 3DES/SHA1 transport, no NAT",
	  { { ESP_3DES, 0, SHA1, TRANSPORT, 0, 3600, 250000 },
	    { ESP_3DES, 0, MD5, TRANSPORT, 0, 3600, 250000 } },
	  2, true, NO_NAT, false, 1, "3DES_CBC-HMAC_SHA1_96", false, 0, NULL },
	{ "XP behind NAT: draft mode 61444",
	  { { ESP_3DES, 0, SHA1, UDP_DRAFT, 0, 3600, 250000 } },
	  1, true, { ISAKMP_NATT_DRAFT_02_N, true, false }, false, 1, "3DES_CBC-HMAC_SHA1_96", true,
	  0, NULL },
	{ "Windows 10 behind NAT: RFC mode 4, AES256",
	  { { ESP_AES, 256, SHA1, UDP_RFC, 0, 3600, 250000 },
	    { ESP_AES, 128, SHA1, UDP_RFC, 0, 3600, 250000 },
	    { ESP_3DES, 0, SHA1, UDP_RFC, 0, 3600, 250000 } },
	  3, true, { ISAKMP_NATT_RFC, true, false }, false, 1, "AES_CBC_256-HMAC_SHA1_96", true, 0,
	  NULL },
	{ "MD5 ESP not configured: SHA2-256 next",
	  { { ESP_AES, 128, MD5, TRANSPORT, 0, 3600, 0 },
	    { ESP_AES, 128, SHA256, TRANSPORT, 0, 3600, 0 } },
	  2, false, NO_NAT, false, 2, "AES_CBC_128-HMAC_SHA2_256_128", false, 0,
	  "only AUTH_ALGORITHM_HMAC_SHA1 and AUTH_ALGORITHM_HMAC_SHA2_256 supported. Attribute "
	  "AUTH_ALGORITHM" },
	{ "MD5 ESP configured",
	  { { ESP_AES, 128, MD5, TRANSPORT, 0, 3600, 0 } },
	  1, false, NO_NAT, true, 1, "AES_CBC_128-HMAC_MD5_96", false, 0, NULL },
	{ "PFS MODP1024 with KE",
	  { { ESP_AES, 256, SHA1, TRANSPORT, OAKLEY_GROUP_MODP1024, 3600, 0 } },
	  1, false, { ISAKMP_NATT_NONE, false, true }, false, 1, "AES_CBC_256-HMAC_SHA1_96", false,
	  OAKLEY_GROUP_MODP1024, NULL },
	{ "PFS group without KE: refused",
	  { { ESP_AES, 256, SHA1, TRANSPORT, OAKLEY_GROUP_MODP1024, 3600, 0 } },
	  1, false, NO_NAT, false, 0, NULL, false, 0, "GROUP_DESCRIPTION without a KE payload" },
	{ "tunnel mode: refused",
	  { { ESP_AES, 256, SHA1, IPSEC_ENCAPSULATION_MODE_TUNNEL, 0, 3600, 0 } },
	  1, false, NO_NAT, false, 0, NULL, false, 0, "only transport mode supported" },
	{ "plain transport while NATed: refused",
	  { { ESP_AES, 256, SHA1, TRANSPORT, 0, 3600, 0 } },
	  1, false, { ISAKMP_NATT_RFC, true, false }, false, 0, NULL, false, 0,
	  "UDP-encapsulated transport required" },
	{ "ESP_DES: refused",
	  { { IPSEC_ESP_DES, 0, SHA1, TRANSPORT, 0, 3600, 0 } },
	  1, false, NO_NAT, false, 0, NULL, false, 0,
	  "only ESP_3DES and ESP_AES supported. Transform ID ESP_DES" },
	{ "AES without KEY_LENGTH: AES-128",
	  { { ESP_AES, 0, SHA1, TRANSPORT, 0, 3600, 0 } },
	  1, false, NO_NAT, false, 1, "AES_CBC_128-HMAC_SHA1_96", false, 0, NULL },
};

static void check_p2_case(struct log_ctx *ctx, const struct p2_case *c)
{
	static uint8_t body[8192];
	struct ike_prop_policy pol;
	struct isakmp_sa sa;
	struct ike_p2_choice choice;
	struct logger lg;
	size_t len = ike_init_esp_sa_body(body, sizeof(body), 0x11223344, c->offer, c->count,
					  c->split);
	uint16_t r;
	char buf[64];

	logger_init_root(&lg, ctx, "#5");
	ike_prop_policy_default(&pol);
	if (c->md5)
		pol.p2_integs |= IKE_PROP_INTEG_MD5;
	captured[0] = 0;
	if (!ok(len > 0 && isakmp_sa_parse((struct wire_span){ body, len }, &sa) == ISAKMP_OK,
		"%s: offer parses", c->name))
		return;
	r = ike_prop_choose_p2(&pol, &c->ctx, &sa, &lg, NULL, &choice);
	if (c->chosen) {
		is_int(r, 0, "%s: chosen", c->name);
		is_int(c->split ? choice.proposal_number : choice.transform_number, c->chosen,
		       "%s: offer #%u", c->name, c->chosen);
		is_str(ike_prop_p2_xfrm_str(&choice, buf, sizeof(buf)), c->xfrm, "%s: xfrm", c->name);
		is_int(choice.udp_encap, c->udp, "%s: UDP encapsulation", c->name);
		is_int(choice.pfs_group ? choice.pfs_group->id : 0, c->pfs, "%s: PFS group", c->name);
		is_uint(choice.peer_spi, 0x11223344, "%s: peer SPI", c->name);
		is_int(choice.life_seconds, c->offer[c->chosen - 1].life_seconds, "%s: seconds",
		       c->name);
		is_int(choice.life_kbytes, c->offer[c->chosen - 1].life_kbytes, "%s: kilobytes",
		       c->name);
	} else {
		is_int(r, ISAKMP_NOTIFY_NO_PROPOSAL_CHOSEN, "%s: NO_PROPOSAL_CHOSEN", c->name);
		ok(strstr(captured, "no acceptable IPsec Transform; peer offered: ") != NULL,
		   "%s: the offered line", c->name);
	}
	if (c->log1 && !ok(strstr(captured, c->log1) != NULL, "%s: log has \"%s\"", c->name, c->log1))
		tap_diag("log was:\n%s", captured);
}

/* An ESP+IPComp bundle (same proposal number) is skipped; a lone ESP after it is taken. */
static void check_bundle(struct log_ctx *ctx)
{
	static uint8_t body[1024];
	struct wire_wr wr = wire_wr_init(body, sizeof(body));
	struct ike_prop_policy pol;
	struct ike_p2_context pctx = NO_NAT;
	struct isakmp_sa sa;
	struct ike_p2_choice choice;
	struct logger lg;
	uint8_t esp[256];
	size_t esp_len;
	const struct ike_init_esp t = { ESP_AES, 128, SHA1, TRANSPORT, 0, 3600, 0 };

	/* Reuse the builder for the proposal bytes, then stitch three proposals. */
	esp_len = ike_init_esp_sa_body(esp, sizeof(esp), 0xaabbccdd, &t, 1, false) - 8;
	wire_put_be32(&wr, ISAKMP_DOI_IPSEC);
	wire_put_be32(&wr, ISAKMP_SIT_IDENTITY_ONLY);
	/* proposal 1: ESP, followed by proposal 1: IPCOMP (a bundle) */
	wire_put_bytes(&wr, esp + 8, esp_len);
	body[8] = ISAKMP_PAYLOAD_PROPOSAL;
	wire_put_u8(&wr, ISAKMP_PAYLOAD_PROPOSAL);
	wire_put_u8(&wr, 0);
	wire_put_be16(&wr, 4 + 4 + 2 + 8);
	wire_put_u8(&wr, 1);
	wire_put_u8(&wr, ISAKMP_PROTO_IPCOMP);
	wire_put_u8(&wr, 2);
	wire_put_u8(&wr, 1);
	wire_put_be16(&wr, 0x1234);
	wire_put_u8(&wr, 0);
	wire_put_u8(&wr, 0);
	wire_put_be16(&wr, 8);
	wire_put_u8(&wr, 1);
	wire_put_u8(&wr, IPSEC_IPCOMP_DEFLATE);
	wire_put_be16(&wr, 0);
	/* proposal 2: lone ESP */
	{
		size_t at = wire_mark(&wr);

		wire_put_bytes(&wr, esp + 8, esp_len);
		body[at + 4] = 2;
	}
	logger_init_root(&lg, ctx, "#5");
	ike_prop_policy_default(&pol);
	ok(wire_wr_ok(&wr) && isakmp_sa_parse((struct wire_span){ body, wr.len }, &sa) == ISAKMP_OK,
	   "bundle offer parses");
	captured[0] = 0;
	is_int(ike_prop_choose_p2(&pol, &pctx, &sa, &lg, NULL, &choice), 0, "lone ESP chosen");
	is_int(choice.proposal_number, 2, "proposal #2 (the bundle #1 skipped)");
	ok(strstr(captured, "only a lone ESP proposal") != NULL, "the bundle is logged as ignored");
}

static void check_parse(void)
{
	uint32_t bits = 0;

	is_int(ike_prop_bits_parse(IKE_PROP_CLASS_CIPHER, "aes256, 3des", &bits), 0, "cipher list");
	is_uint(bits, IKE_PROP_CIPHER_AES256 | IKE_PROP_CIPHER_3DES, "cipher bits");
	is_int(ike_prop_bits_parse(IKE_PROP_CLASS_GROUP, "modp768", &bits), -22, "unknown group");
	is_uint(bits, IKE_PROP_CIPHER_AES256 | IKE_PROP_CIPHER_3DES, "bits untouched on error");
	is_str(ike_prop_bit_word(IKE_PROP_CLASS_INTEG, 0), "md5", "word of bit 0");
	ok(ike_prop_bit_word(IKE_PROP_CLASS_INTEG, 3) == NULL, "no word past the end");
}

int main(void)
{
	struct log_ctx *ctx = log_ctx_new(NULL);

	if (!ctx)
		return 1;
	log_sink_callback(ctx, capture, NULL);
	for (size_t i = 0; i < ARRAY_SIZE(p1_cases); i++)
		check_p1_case(ctx, &p1_cases[i]);
	check_many(ctx);
	for (size_t i = 0; i < ARRAY_SIZE(p2_cases); i++)
		check_p2_case(ctx, &p2_cases[i]);
	check_bundle(ctx);
	check_parse();
	log_ctx_free(ctx);
	return tap_done();
}
