/*
 * mschapv2_test.c - RFC 2759 §9.2's sample (the same numbers RFC 3079 §3.5.3
 * repeats), the DOMAIN\ prefix, a wrong response and a wrong hash, the NT
 * hash of UTF-8 passwords (surrogate pairs, limits, bad UTF-8), and that the
 * process's default OpenSSL context never gains the legacy provider.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/provider.h>

#include "lib/alloc.h"
#include "lib/util.h"
#include "ppp-glue/mschapv2.h"
#include "tests/harness/tap.h"

/* RFC 2759 §9.2: UserName "User", Password "clientPass". */
static const uint8_t rfc_auth_challenge[MSCHAPV2_CHALLENGE_LEN] = {
	0x5b, 0x5d, 0x7c, 0x7d, 0x7b, 0x3f, 0x2f, 0x3e,
	0x3c, 0x2c, 0x60, 0x21, 0x32, 0x26, 0x26, 0x28,
};
static const uint8_t rfc_peer_challenge[MSCHAPV2_CHALLENGE_LEN] = {
	0x21, 0x40, 0x23, 0x24, 0x25, 0x5e, 0x26, 0x2a,
	0x28, 0x29, 0x5f, 0x2b, 0x3a, 0x33, 0x7c, 0x7e,
};
static const uint8_t rfc_password_hash[NT_HASH_LEN] = {
	0x44, 0xeb, 0xba, 0x8d, 0x53, 0x12, 0xb8, 0xd6,
	0x11, 0x47, 0x44, 0x11, 0xf5, 0x69, 0x89, 0xae,
};
static const uint8_t rfc_nt_response[MSCHAPV2_NT_RESPONSE_LEN] = {
	0x82, 0x30, 0x9e, 0xcd, 0x8d, 0x70, 0x8b, 0x5e,
	0xa0, 0x8f, 0xaa, 0x39, 0x81, 0xcd, 0x83, 0x54,
	0x42, 0x33, 0x11, 0x4a, 0x3d, 0x85, 0xd6, 0xdf,
};
static const char rfc_authenticator_response[] = "S=407A5589115FD0D6209F510FE9C04566932CDA56";

/* MD4 of raw bytes through a context of the test's own, to check nt_hash_password's UTF-16. */
static void md4_reference(const uint8_t *p, size_t len, uint8_t out[NT_HASH_LEN])
{
	OSSL_LIB_CTX *library = OSSL_LIB_CTX_new();
	OSSL_PROVIDER *legacy = OSSL_PROVIDER_load(library, "legacy");
	EVP_MD *md4 = EVP_MD_fetch(library, "MD4", NULL);
	unsigned int n = 0;

	memset(out, 0, NT_HASH_LEN);
	if (md4 != NULL)
		EVP_Digest(p, len, out, &n, md4, NULL);
	EVP_MD_free(md4);
	OSSL_PROVIDER_unload(legacy);
	OSSL_LIB_CTX_free(library);
}

static void test_rfc2759(const struct mschapv2_crypto *crypto)
{
	uint8_t hash[NT_HASH_LEN], response[MSCHAPV2_NT_RESPONSE_LEN];
	char auth[MSCHAPV2_AUTHENTICATOR_RESPONSE_LEN + 1];

	is_int(nt_hash_password(crypto, "clientPass", 10, hash), 0, "NT hash of clientPass");
	is_mem(hash, rfc_password_hash, NT_HASH_LEN, "PasswordHash matches RFC 2759 9.2");
	is_int(mschapv2_nt_response(crypto, rfc_password_hash, rfc_auth_challenge, rfc_peer_challenge,
				    "User", 4, response), 0, "GenerateNTResponse runs");
	is_mem(response, rfc_nt_response, MSCHAPV2_NT_RESPONSE_LEN, "NT-Response matches RFC 2759 9.2");
	is_int(mschapv2_verify(crypto, rfc_password_hash, rfc_auth_challenge, rfc_peer_challenge,
			       "User", 4, rfc_nt_response, auth), 1, "the RFC's NT-Response verifies");
	is_str(auth, rfc_authenticator_response, "AuthenticatorResponse matches RFC 2759 9.2");
}

static void test_names_and_failures(const struct mschapv2_crypto *crypto)
{
	uint8_t wrong[MSCHAPV2_NT_RESPONSE_LEN], other_hash[NT_HASH_LEN];
	char auth[MSCHAPV2_AUTHENTICATOR_RESPONSE_LEN + 1];

	is_int(mschapv2_verify(crypto, rfc_password_hash, rfc_auth_challenge, rfc_peer_challenge,
			       "WORKGROUP\\User", 14, rfc_nt_response, auth), 1,
	       "a DOMAIN\\ prefix is dropped for the ChallengeHash");
	is_str(auth, rfc_authenticator_response, "and the authenticator is the same");
	is_int(mschapv2_verify(crypto, rfc_password_hash, rfc_auth_challenge, rfc_peer_challenge,
			       "user", 4, rfc_nt_response, auth), 0,
	       "the ChallengeHash takes the name's bytes as sent: \"user\" is not \"User\"");
	is_str(auth, "", "no authenticator on a mismatch");

	memcpy(wrong, rfc_nt_response, sizeof(wrong));
	wrong[23] ^= 0x01;
	is_int(mschapv2_verify(crypto, rfc_password_hash, rfc_auth_challenge, rfc_peer_challenge,
			       "User", 4, wrong, auth), 0, "one flipped bit in the third DES block fails");
	wrong[23] ^= 0x01;
	wrong[0] ^= 0x80;
	is_int(mschapv2_verify(crypto, rfc_password_hash, rfc_auth_challenge, rfc_peer_challenge,
			       "User", 4, wrong, auth), 0, "one flipped bit in the first DES block fails");
	is_int(nt_hash_password(crypto, "clientpass", 10, other_hash), 0, "NT hash of clientpass");
	is_int(mschapv2_verify(crypto, other_hash, rfc_auth_challenge, rfc_peer_challenge, "User", 4,
			       rfc_nt_response, auth), 0, "another password's hash fails");
}

static void test_user_name(void)
{
	struct wire_span s;

	s = mschapv2_user_name("DOMAIN\\alice", 12);
	ok(s.len == 5 && memcmp(s.p, "alice", 5) == 0, "DOMAIN\\alice -> alice");
	s = mschapv2_user_name("a\\b\\carol", 9);
	ok(s.len == 5 && memcmp(s.p, "carol", 5) == 0, "the last backslash counts, as in pppd");
	s = mschapv2_user_name("alice\\", 6);
	ok(s.len == 0, "a trailing backslash leaves an empty name");
	s = mschapv2_user_name("alice", 5);
	ok(s.len == 5 && memcmp(s.p, "alice", 5) == 0, "no prefix: the whole name");
	s = mschapv2_user_name("", 0);
	ok(s.len == 0, "an empty name stays empty");
}

static void test_nt_hash(const struct mschapv2_crypto *crypto)
{
	static const uint8_t password_hash[NT_HASH_LEN] = {
		0x88, 0x46, 0xf7, 0xea, 0xee, 0x8f, 0xb1, 0x17,
		0xad, 0x06, 0xbd, 0xd8, 0x30, 0xb7, 0x58, 0x6c,
	};
	static const uint8_t empty_hash[NT_HASH_LEN] = {
		0x31, 0xd6, 0xcf, 0xe0, 0xd1, 0x6a, 0xe9, 0x31,
		0xb7, 0x3c, 0x59, 0xd7, 0xe0, 0xc0, 0x89, 0xc0,
	};
	/* "é€😀" as UTF-16LE: U+00E9, U+20AC, then U+1F600 as the pair D83D DE00. */
	static const uint8_t utf16[] = { 0xe9, 0x00, 0xac, 0x20, 0x3d, 0xd8, 0x00, 0xde };
	uint8_t hash[NT_HASH_LEN], expected[NT_HASH_LEN];
	char long_password[2 * NT_PASSWORD_MAX + 2];

	is_int(nt_hash_password(crypto, "password", 8, hash), 0, "NT hash of \"password\"");
	is_mem(hash, password_hash, NT_HASH_LEN, "is the well-known 8846f7ea...");
	is_int(nt_hash_password(crypto, "", 0, hash), 0, "NT hash of the empty password");
	is_mem(hash, empty_hash, NT_HASH_LEN, "is the well-known 31d6cfe0...");

	is_int(nt_hash_password(crypto, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9, hash), 0,
	       "a 2-, 3- and 4-byte UTF-8 password");
	md4_reference(utf16, sizeof(utf16), expected);
	is_mem(hash, expected, NT_HASH_LEN, "hashes as UTF-16LE with a surrogate pair");

	is_int(nt_hash_password(crypto, "caf\xe9", 4, hash), -EINVAL, "Latin-1 is -EINVAL");
	is_int(nt_hash_password(crypto, "\xed\xa0\x80", 3, hash), -EINVAL,
	       "an encoded surrogate is -EINVAL");

	memset(long_password, 'x', sizeof(long_password));
	is_int(nt_hash_password(crypto, long_password, NT_PASSWORD_MAX, hash), 0,
	       "256 characters are accepted");
	is_int(nt_hash_password(crypto, long_password, NT_PASSWORD_MAX + 1, hash), -EINVAL,
	       "257 are -EINVAL");
	memcpy(long_password + NT_PASSWORD_MAX - 1, "\xf0\x9f\x98\x80", 4);
	is_int(nt_hash_password(crypto, long_password, NT_PASSWORD_MAX + 3, hash), -EINVAL,
	       "255 units plus a surrogate pair (257) are -EINVAL");
}

int main(void)
{
	struct mschapv2_crypto *crypto = NULL, *second = NULL;
	EVP_MD *default_md4;

	is_int(mschapv2_crypto_new(&crypto), 0, "the private context loads legacy and default");
	if (crypto == NULL)
		return tap_done();
	is_int(mschapv2_crypto_new(&second), 0, "a second one can coexist");
	mschapv2_crypto_free(second);
	mschapv2_crypto_free(NULL);
	second = crypto;
	alloc_fail_at(1);
	is_int(mschapv2_crypto_new(&second), -ENOMEM, "its one allocation failing is -ENOMEM");
	alloc_fail_at(0);
	ok(second == NULL, "and returns nothing");

	test_rfc2759(crypto);
	test_names_and_failures(crypto);
	test_user_name();
	test_nt_hash(crypto);

	default_md4 = EVP_MD_fetch(NULL, "MD4", NULL);
	ok(default_md4 == NULL, "MD4 is still unavailable in the default context (legacy stays private)");
	EVP_MD_free(default_md4);
	mschapv2_crypto_free(crypto);
	return tap_done();
}
