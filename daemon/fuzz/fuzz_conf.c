/*
 * fuzz_conf.c - libFuzzer target: any bytes as a configuration file.
 *
 * The input is one configuration text; the parser must accept it or give an
 * error in the "FILE:LINE: SETTING: reason" shape, never crash or leak.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/conf.h"
#include "lib/alloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf_error err;
	struct conf *conf;
	char *text;

	if (size > 64 * 1024)
		return 0;
	text = alloc_zero(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	conf = conf_load_string(text, "fuzz.conf", &err);
	if (!conf && strncmp(err.text, "fuzz.conf", 9) != 0)
		abort();
	conf_free(conf);
	alloc_free(text);
	return 0;
}
