/*
 * utf8.c - the RFC 3629 decoder: lead byte, continuation bytes, range checks.
 */
#include "config.h"

#include "ppp-glue/utf8.h"

size_t utf8_decode(const uint8_t *p, size_t len, uint32_t *code_point)
{
	uint8_t lead = p[0];
	uint32_t value, minimum;
	size_t need;

	*code_point = 0;
	if (lead < 0x80) {
		*code_point = lead;
		return 1;
	}
	if (lead >= 0xc2 && lead <= 0xdf) {
		need = 2;
		value = lead & 0x1fu;
		minimum = 0x80;
	} else if (lead >= 0xe0 && lead <= 0xef) {
		need = 3;
		value = lead & 0x0fu;
		minimum = 0x800;
	} else if (lead >= 0xf0 && lead <= 0xf4) {
		need = 4;
		value = lead & 0x07u;
		minimum = 0x10000;
	} else {
		return 0;       /* a continuation byte, 0xc0/0xc1 (overlong) or 0xf5.. */
	}
	if (need > len)
		return 0;
	for (size_t i = 1; i < need; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		value = value << 6 | (p[i] & 0x3fu);
	}
	if (value < minimum || value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff))
		return 0;
	*code_point = value;
	return need;
}

bool utf8_valid(const uint8_t *p, size_t len)
{
	uint32_t code_point;

	for (size_t off = 0; off < len;) {
		size_t n = utf8_decode(p + off, len - off, &code_point);

		if (n == 0)
			return false;
		off += n;
	}
	return true;
}
