/*
 * l2tp_hidden.h - RFC 2661 §4.3 hidden AVP values (the H bit).
 *
 * A hidden value is Original Length (2) | Original Value | Padding, XORed
 * with an MD5 keystream chained in 16-octet blocks:
 *   b(1) = MD5(Attribute Type (2) | secret | Random Vector),  c(1) = p(1) xor b(1)
 *   b(i) = MD5(secret | c(i-1)),                              c(i) = p(i) xor b(i)
 * The last block may be partial.  The Random Vector is the value of the last
 * Random Vector AVP before the hidden AVP (struct l2tp_avp.random_vector).
 *
 * What it must not do: log, allocate beyond OpenSSL's digest context, or
 * keep state.  Intermediate keystream and plaintext are wiped before return.
 */
#ifndef L2TPSEC_L2TP_L2TP_HIDDEN_H
#define L2TPSEC_L2TP_L2TP_HIDDEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "l2tp/l2tp_wire.h"
#include "lib/util.h"
#include "lib/wire.h"

/*
 * Decrypts hidden_value into out: *out_len = the original length.  ERR_HIDDEN
 * if the value is shorter than 2 octets, the original length exceeds what is
 * present (or out_size), or MD5 is unavailable; out is then wiped.
 */
enum l2tp_verdict l2tp_avp_unhide(struct wire_span secret, struct wire_span random_vector,
				  uint16_t type, struct wire_span hidden_value, uint8_t *out,
				  size_t out_size, size_t *out_len) WARN_UNUSED;

/*
 * Encrypts value (with `padding` appended after it, e.g. random octets the
 * caller chose) into out; *out_len = 2 + value.len + padding.len.  False if
 * that exceeds out_size or L2TP_AVP_VALUE_MAX, or MD5 is unavailable.
 */
bool l2tp_avp_hide(struct wire_span secret, struct wire_span random_vector, uint16_t type,
		   struct wire_span value, struct wire_span padding, uint8_t *out, size_t out_size,
		   size_t *out_len) WARN_UNUSED;

#endif
