/*
 * l2tp_hidden.c - the MD5 keystream of RFC 2661 §4.3, with OpenSSL EVP.
 */
#include "config.h"

#include <string.h>

#include <openssl/evp.h>

#include "l2tp/l2tp_hidden.h"

enum { L2TP_HIDDEN_BLOCK = 16 };

/*
 * XORs buf[0..len) in place with the keystream.  The chaining input is the
 * ciphertext: when encrypting it is the output, when decrypting the input.
 */
static bool l2tp_hidden_xor(struct wire_span secret, struct wire_span random_vector,
			    uint16_t type, uint8_t *buf, size_t len, bool encrypt)
{
	uint8_t type_be[2] = { (uint8_t)(type >> 8), (uint8_t)type };
	uint8_t block[EVP_MAX_MD_SIZE];
	uint8_t prev_cipher[L2TP_HIDDEN_BLOCK];
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	bool ok = ctx != NULL;

	for (size_t off = 0; ok && off < len; off += L2TP_HIDDEN_BLOCK) {
		size_t n = MIN((size_t)L2TP_HIDDEN_BLOCK, len - off);

		ok = EVP_DigestInit_ex(ctx, EVP_md5(), NULL) == 1;
		if (ok && off == 0)
			ok = EVP_DigestUpdate(ctx, type_be, sizeof(type_be)) == 1 &&
			     EVP_DigestUpdate(ctx, secret.p, secret.len) == 1 &&
			     EVP_DigestUpdate(ctx, random_vector.p, random_vector.len) == 1;
		else if (ok)
			ok = EVP_DigestUpdate(ctx, secret.p, secret.len) == 1 &&
			     EVP_DigestUpdate(ctx, prev_cipher, sizeof(prev_cipher)) == 1;
		ok = ok && EVP_DigestFinal_ex(ctx, block, NULL) == 1;
		if (!ok)
			break;
		if (!encrypt && n == L2TP_HIDDEN_BLOCK)
			memcpy(prev_cipher, buf + off, n);
		for (size_t i = 0; i < n; i++)
			buf[off + i] ^= block[i];
		if (encrypt && n == L2TP_HIDDEN_BLOCK)
			memcpy(prev_cipher, buf + off, n);
	}
	EVP_MD_CTX_free(ctx);
	util_wipe(block, sizeof(block));
	util_wipe(prev_cipher, sizeof(prev_cipher));
	return ok;
}

enum l2tp_verdict l2tp_avp_unhide(struct wire_span secret, struct wire_span random_vector,
				  uint16_t type, struct wire_span hidden_value, uint8_t *out,
				  size_t out_size, size_t *out_len)
{
	uint8_t plain[L2TP_AVP_VALUE_MAX];
	enum l2tp_verdict verdict = L2TP_ERR_HIDDEN;
	size_t original;

	*out_len = 0;
	if (hidden_value.len < 2 || hidden_value.len > sizeof(plain))
		return L2TP_ERR_HIDDEN;
	memcpy(plain, hidden_value.p, hidden_value.len);
	if (!l2tp_hidden_xor(secret, random_vector, type, plain, hidden_value.len, false))
		goto out;
	original = (size_t)plain[0] << 8 | plain[1];
	if (original > hidden_value.len - 2 || original > out_size)
		goto out;
	if (original > 0)
		memcpy(out, plain + 2, original);
	*out_len = original;
	verdict = L2TP_OK;
out:
	util_wipe(plain, sizeof(plain));
	return verdict;
}

bool l2tp_avp_hide(struct wire_span secret, struct wire_span random_vector, uint16_t type,
		   struct wire_span value, struct wire_span padding, uint8_t *out, size_t out_size,
		   size_t *out_len)
{
	struct wire_wr wr = wire_wr_init(out, out_size);

	*out_len = 0;
	if (value.len > L2TP_AVP_VALUE_MAX - 2 ||
	    padding.len > L2TP_AVP_VALUE_MAX - 2 - value.len)
		return false;
	wire_put_be16(&wr, (uint16_t)value.len);
	if (value.len > 0)
		wire_put_bytes(&wr, value.p, value.len);
	if (padding.len > 0)
		wire_put_bytes(&wr, padding.p, padding.len);
	if (!wire_wr_ok(&wr) || !l2tp_hidden_xor(secret, random_vector, type, out, wr.len, true)) {
		util_wipe(out, MIN(out_size, wr.len));
		return false;
	}
	*out_len = wr.len;
	return true;
}
