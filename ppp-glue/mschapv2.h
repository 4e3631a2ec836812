/*
 * mschapv2.h - the server side of MS-CHAPv2 (RFC 2759) against a stored NT
 * hash: check a client's NT-Response and produce the Authenticator Response.
 *
 * RFC 2759 §8: ChallengeHash = SHA1(PeerChallenge | AuthenticatorChallenge |
 * UserName)[0..8]; NT-Response = three single-DES encryptions of it under the
 * NT hash zero-padded to 21 bytes and cut into 7-byte keys; the Authenticator
 * Response is "S=" and 40 hex digits of SHA1(SHA1(MD4(NT hash) | NT-Response |
 * Magic1) | ChallengeHash | Magic2).  UserName there is the name as the client
 * sent it without any "DOMAIN\" prefix (mschapv2_user_name()).
 *
 * All of it runs on OpenSSL 3 EVP, nothing hand-rolled.  MD4 and single DES
 * live only in OpenSSL's "legacy" provider; it is loaded, with "default" for
 * SHA-1, into a private OSSL_LIB_CTX owned by struct mschapv2_crypto, never
 * into the process's default context, so the rest of the daemon keeps the
 * default provider set.  DES is DES-ECB from that same legacy provider: MD4
 * needs the provider anyway, so emulating DES with DES-EDE3 would buy nothing.
 *
 * What it must not do: log, or leave a hash, a key or an intermediate digest
 * in memory it returns (everything on the stack is wiped).  Ownership: the
 * struct mschapv2_crypto holds the library context and the fetched
 * algorithms; after mschapv2_crypto_new() it is read-only and may be shared by
 * threads.  Callers own every buffer they pass.
 */
#ifndef L2TPSEC_PPP_GLUE_MSCHAPV2_H
#define L2TPSEC_PPP_GLUE_MSCHAPV2_H

#include <stddef.h>
#include <stdint.h>

#include "lib/util.h"
#include "lib/wire.h"

enum {
	MSCHAPV2_CHALLENGE_LEN = 16,
	MSCHAPV2_NT_RESPONSE_LEN = 24,
	NT_HASH_LEN = 16,
	MSCHAPV2_AUTHENTICATOR_RESPONSE_LEN = 42,       /* "S=" + 40 hex digits */
	NT_PASSWORD_MAX = 256,                          /* UTF-16 code units (RFC 2759 §8.3) */
};

struct mschapv2_crypto;

/*
 * A private library context with the legacy and default providers and the
 * algorithms fetched.  0, -ENOENT (the legacy provider or an algorithm is
 * missing: Debian's libssl3 ships ossl-modules/legacy.so), -ENOMEM.
 */
int mschapv2_crypto_new(struct mschapv2_crypto **out) WARN_UNUSED;

/* NULL is a no-op. */
void mschapv2_crypto_free(struct mschapv2_crypto *crypto);

/*
 * 1 if nt_response is what a client knowing nt_hash answers (compared in
 * constant time); auth_response then holds "S=<40 upper-case hex digits>"
 * with a NUL.  0 if it does not match (auth_response is the empty string).
 * -EIO if OpenSSL failed.  user/user_len: the name as the client sent it; a
 * "DOMAIN\" prefix is dropped for the ChallengeHash as pppd and Windows do.
 */
int mschapv2_verify(const struct mschapv2_crypto *crypto, const uint8_t nt_hash[NT_HASH_LEN],
		    const uint8_t auth_challenge[MSCHAPV2_CHALLENGE_LEN],
		    const uint8_t peer_challenge[MSCHAPV2_CHALLENGE_LEN], const char *user,
		    size_t user_len, const uint8_t nt_response[MSCHAPV2_NT_RESPONSE_LEN],
		    char auth_response[MSCHAPV2_AUTHENTICATOR_RESPONSE_LEN + 1]) WARN_UNUSED;

/*
 * The NT-Response a client computes (RFC 2759 §8.1, GenerateNTResponse), for
 * tests and test clients.  0 or -EIO.
 */
int mschapv2_nt_response(const struct mschapv2_crypto *crypto, const uint8_t nt_hash[NT_HASH_LEN],
			 const uint8_t auth_challenge[MSCHAPV2_CHALLENGE_LEN],
			 const uint8_t peer_challenge[MSCHAPV2_CHALLENGE_LEN], const char *user,
			 size_t user_len, uint8_t out[MSCHAPV2_NT_RESPONSE_LEN]) WARN_UNUSED;

/*
 * NT hash = MD4(UTF-16LE(password)), password in UTF-8 (code points above
 * U+FFFF become surrogate pairs).  0, -EINVAL (invalid UTF-8, or more than
 * NT_PASSWORD_MAX UTF-16 code units), -EIO.
 */
int nt_hash_password(const struct mschapv2_crypto *crypto, const char *password, size_t len,
		     uint8_t out[NT_HASH_LEN]) WARN_UNUSED;

/*
 * The user name to look up and to hash: what follows the last '\' of the
 * name the client sent ("WORKGROUP\alice" -> "alice"), or all of it.  A view
 * into user.
 */
struct wire_span mschapv2_user_name(const char *user, size_t user_len);

#endif
