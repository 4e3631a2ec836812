/*
 * mschapv2.c - RFC 2759 §8 over EVP in a private library context.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/provider.h>

#include "lib/alloc.h"
#include "ppp-glue/mschapv2.h"
#include "ppp-glue/utf8.h"

enum {
	MSCHAPV2_HASH_LEN = 8,          /* ChallengeHash: the first 8 bytes of a SHA-1 */
	MSCHAPV2_SHA1_LEN = 20,
	MSCHAPV2_DES_KEY_LEN = 8,
	MSCHAPV2_DES_BLOCK_LEN = 8,
};

/* RFC 2759 §8.7, without their NULs. */
static const char mschapv2_magic1[] = "Magic server to client signing constant";
static const char mschapv2_magic2[] = "Pad to make it do more than one iteration";

struct mschapv2_crypto {
	OSSL_LIB_CTX *library;
	OSSL_PROVIDER *legacy;
	OSSL_PROVIDER *base;            /* "default": SHA-1 */
	EVP_MD *md4;
	EVP_MD *sha1;
	EVP_CIPHER *des_ecb;
};

int mschapv2_crypto_new(struct mschapv2_crypto **out)
{
	struct mschapv2_crypto *crypto = alloc_zero(sizeof(*crypto));
	int err = -ENOMEM;

	*out = NULL;
	if (crypto == NULL)
		return -ENOMEM;
	crypto->library = OSSL_LIB_CTX_new();
	if (crypto->library == NULL)
		goto err;
	err = -ENOENT;
	crypto->legacy = OSSL_PROVIDER_load(crypto->library, "legacy");
	crypto->base = OSSL_PROVIDER_load(crypto->library, "default");
	if (crypto->legacy == NULL || crypto->base == NULL)
		goto err;
	crypto->md4 = EVP_MD_fetch(crypto->library, "MD4", NULL);
	crypto->sha1 = EVP_MD_fetch(crypto->library, "SHA1", NULL);
	crypto->des_ecb = EVP_CIPHER_fetch(crypto->library, "DES-ECB", NULL);
	if (crypto->md4 == NULL || crypto->sha1 == NULL || crypto->des_ecb == NULL)
		goto err;
	*out = crypto;
	return 0;
err:
	mschapv2_crypto_free(crypto);
	return err;
}

void mschapv2_crypto_free(struct mschapv2_crypto *crypto)
{
	if (crypto == NULL)
		return;
	EVP_CIPHER_free(crypto->des_ecb);
	EVP_MD_free(crypto->sha1);
	EVP_MD_free(crypto->md4);
	if (crypto->base != NULL)
		OSSL_PROVIDER_unload(crypto->base);
	if (crypto->legacy != NULL)
		OSSL_PROVIDER_unload(crypto->legacy);
	OSSL_LIB_CTX_free(crypto->library);
	alloc_free(crypto);
}

struct wire_span mschapv2_user_name(const char *user, size_t user_len)
{
	size_t start = 0;

	for (size_t i = 0; i < user_len; i++) {
		if (user[i] == '\\')
			start = i + 1;
	}
	return (struct wire_span){ .p = (const uint8_t *)user + start, .len = user_len - start };
}

/* digest = md(part[0] | part[1] | part[2]); parts with len 0 are skipped. */
static bool mschapv2_digest(const EVP_MD *md, const struct wire_span part[3], uint8_t *digest)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	bool ok = ctx != NULL && EVP_DigestInit_ex(ctx, md, NULL) == 1;

	for (size_t i = 0; ok && i < 3; i++) {
		if (part[i].len > 0)
			ok = EVP_DigestUpdate(ctx, part[i].p, part[i].len) == 1;
	}
	ok = ok && EVP_DigestFinal_ex(ctx, digest, NULL) == 1;
	EVP_MD_CTX_free(ctx);
	return ok;
}

/* RFC 2759 §8.2 ChallengeHash. */
static bool mschapv2_challenge_hash(const struct mschapv2_crypto *crypto,
				    const uint8_t peer_challenge[MSCHAPV2_CHALLENGE_LEN],
				    const uint8_t auth_challenge[MSCHAPV2_CHALLENGE_LEN],
				    const char *user, size_t user_len,
				    uint8_t challenge[MSCHAPV2_HASH_LEN])
{
	uint8_t digest[MSCHAPV2_SHA1_LEN];
	const struct wire_span part[3] = {
		{ peer_challenge, MSCHAPV2_CHALLENGE_LEN },
		{ auth_challenge, MSCHAPV2_CHALLENGE_LEN },
		mschapv2_user_name(user, user_len),
	};
	bool ok = mschapv2_digest(crypto->sha1, part, digest);

	memcpy(challenge, digest, MSCHAPV2_HASH_LEN);
	util_wipe(digest, sizeof(digest));
	return ok;
}

/* 56 key bits in 7 bytes spread over 8 bytes, 7 bits each, the low (parity) bit left 0. */
static void mschapv2_des_key(const uint8_t in[7], uint8_t key[MSCHAPV2_DES_KEY_LEN])
{
	key[0] = in[0] & 0xfe;
	for (size_t i = 1; i < 7; i++)
		key[i] = (uint8_t)((in[i - 1] << (8 - i)) | (in[i] >> i)) & 0xfe;
	key[7] = (uint8_t)(in[6] << 1);
}

/* RFC 2759 §8.5 ChallengeResponse: the three DES encryptions. */
static bool mschapv2_challenge_response(const struct mschapv2_crypto *crypto,
					const uint8_t challenge[MSCHAPV2_HASH_LEN],
					const uint8_t nt_hash[NT_HASH_LEN],
					uint8_t response[MSCHAPV2_NT_RESPONSE_LEN])
{
	uint8_t padded[21] = { 0 }, key[MSCHAPV2_DES_KEY_LEN];
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	bool ok = ctx != NULL;

	memcpy(padded, nt_hash, NT_HASH_LEN);
	for (size_t i = 0; ok && i < 3; i++) {
		int len = 0;

		mschapv2_des_key(padded + 7 * i, key);
		ok = EVP_EncryptInit_ex2(ctx, crypto->des_ecb, key, NULL, NULL) == 1 &&
		     EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
		     EVP_EncryptUpdate(ctx, response + MSCHAPV2_DES_BLOCK_LEN * i, &len, challenge,
				       MSCHAPV2_DES_BLOCK_LEN) == 1 &&
		     len == MSCHAPV2_DES_BLOCK_LEN;
	}
	EVP_CIPHER_CTX_free(ctx);
	util_wipe(padded, sizeof(padded));
	util_wipe(key, sizeof(key));
	if (!ok)
		util_wipe(response, MSCHAPV2_NT_RESPONSE_LEN);
	return ok;
}

int mschapv2_nt_response(const struct mschapv2_crypto *crypto, const uint8_t nt_hash[NT_HASH_LEN],
			 const uint8_t auth_challenge[MSCHAPV2_CHALLENGE_LEN],
			 const uint8_t peer_challenge[MSCHAPV2_CHALLENGE_LEN], const char *user,
			 size_t user_len, uint8_t out[MSCHAPV2_NT_RESPONSE_LEN])
{
	uint8_t challenge[MSCHAPV2_HASH_LEN];
	bool ok = mschapv2_challenge_hash(crypto, peer_challenge, auth_challenge, user, user_len,
					  challenge) &&
		  mschapv2_challenge_response(crypto, challenge, nt_hash, out);

	util_wipe(challenge, sizeof(challenge));
	return ok ? 0 : -EIO;
}

/* RFC 2759 §8.7 GenerateAuthenticatorResponse, into "S=" + 40 upper-case hex digits. */
static bool mschapv2_authenticator(const struct mschapv2_crypto *crypto,
				   const uint8_t nt_hash[NT_HASH_LEN],
				   const uint8_t nt_response[MSCHAPV2_NT_RESPONSE_LEN],
				   const uint8_t challenge[MSCHAPV2_HASH_LEN],
				   char out[MSCHAPV2_AUTHENTICATOR_RESPONSE_LEN + 1])
{
	static const char hex[] = "0123456789ABCDEF";
	uint8_t hash_hash[EVP_MAX_MD_SIZE], digest[MSCHAPV2_SHA1_LEN];
	const struct wire_span hash_part[3] = { { nt_hash, NT_HASH_LEN } };
	const struct wire_span first[3] = {
		{ hash_hash, NT_HASH_LEN },
		{ nt_response, MSCHAPV2_NT_RESPONSE_LEN },
		{ (const uint8_t *)mschapv2_magic1, sizeof(mschapv2_magic1) - 1 },
	};
	const struct wire_span second[3] = {
		{ digest, MSCHAPV2_SHA1_LEN },
		{ challenge, MSCHAPV2_HASH_LEN },
		{ (const uint8_t *)mschapv2_magic2, sizeof(mschapv2_magic2) - 1 },
	};
	bool ok = mschapv2_digest(crypto->md4, hash_part, hash_hash) &&
		  mschapv2_digest(crypto->sha1, first, digest) &&
		  mschapv2_digest(crypto->sha1, second, digest);

	if (ok) {
		out[0] = 'S';
		out[1] = '=';
		for (size_t i = 0; i < MSCHAPV2_SHA1_LEN; i++) {
			out[2 + 2 * i] = hex[digest[i] >> 4];
			out[3 + 2 * i] = hex[digest[i] & 0x0f];
		}
		out[MSCHAPV2_AUTHENTICATOR_RESPONSE_LEN] = '\0';
	}
	util_wipe(hash_hash, sizeof(hash_hash));
	util_wipe(digest, sizeof(digest));
	return ok;
}

int mschapv2_verify(const struct mschapv2_crypto *crypto, const uint8_t nt_hash[NT_HASH_LEN],
		    const uint8_t auth_challenge[MSCHAPV2_CHALLENGE_LEN],
		    const uint8_t peer_challenge[MSCHAPV2_CHALLENGE_LEN], const char *user,
		    size_t user_len, const uint8_t nt_response[MSCHAPV2_NT_RESPONSE_LEN],
		    char auth_response[MSCHAPV2_AUTHENTICATOR_RESPONSE_LEN + 1])
{
	uint8_t challenge[MSCHAPV2_HASH_LEN], expected[MSCHAPV2_NT_RESPONSE_LEN];
	int verdict = -EIO;

	auth_response[0] = '\0';
	if (!mschapv2_challenge_hash(crypto, peer_challenge, auth_challenge, user, user_len,
				     challenge) ||
	    !mschapv2_challenge_response(crypto, challenge, nt_hash, expected))
		goto out;
	verdict = 0;
	if (CRYPTO_memcmp(expected, nt_response, sizeof(expected)) != 0)
		goto out;
	verdict = mschapv2_authenticator(crypto, nt_hash, nt_response, challenge, auth_response)
			  ? 1 : -EIO;
out:
	util_wipe(challenge, sizeof(challenge));
	util_wipe(expected, sizeof(expected));
	return verdict;
}

int nt_hash_password(const struct mschapv2_crypto *crypto, const char *password, size_t len,
		     uint8_t out[NT_HASH_LEN])
{
	uint8_t utf16[2 * NT_PASSWORD_MAX];
	size_t units = 0;
	uint32_t code_point = 0;
	int err = -EINVAL;

	for (size_t off = 0; off < len;) {
		size_t n = utf8_decode((const uint8_t *)password + off, len - off, &code_point);

		if (n == 0 || units + (code_point > 0xffff ? 2 : 1) > NT_PASSWORD_MAX)
			goto out;
		off += n;
		if (code_point > 0xffff) {
			uint32_t v = code_point - 0x10000;
			uint32_t high = 0xd800 | (v >> 10), low = 0xdc00 | (v & 0x3ff);

			utf16[2 * units] = (uint8_t)high;
			utf16[2 * units + 1] = (uint8_t)(high >> 8);
			units++;
			code_point = low;
		}
		utf16[2 * units] = (uint8_t)code_point;
		utf16[2 * units + 1] = (uint8_t)(code_point >> 8);
		units++;
	}
	{
		uint8_t digest[EVP_MAX_MD_SIZE];
		const struct wire_span part[3] = { { utf16, 2 * units } };

		err = mschapv2_digest(crypto->md4, part, digest) ? 0 : -EIO;
		if (err == 0)
			memcpy(out, digest, NT_HASH_LEN);
		util_wipe(digest, sizeof(digest));
	}
out:
	util_wipe(&code_point, sizeof(code_point));
	util_wipe(utf16, sizeof(utf16));
	return err;
}
