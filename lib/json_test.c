/*
 * json_test.c - nesting and commas, escaping, invalid UTF-8, misuse, overflow.
 */
#include "config.h"

#include <string.h>

#include "lib/json.h"
#include "lib/util.h"
#include "tests/harness/tap.h"

int main(void)
{
	char buf[256], tiny[8];
	struct json j;

	json_init(&j, buf, sizeof(buf));
	json_object_begin(&j);
	json_kv_string(&j, "user", "alice");
	json_kv_uint(&j, "bytes", 18446744073709551615ull);
	json_kv_int(&j, "delta", -5);
	json_kv_bool(&j, "nat", true);
	json_key(&j, "sessions");
	json_array_begin(&j);
	json_object_begin(&j);
	json_object_end(&j);
	json_uint(&j, 1);
	json_null(&j);
	json_array_end(&j);
	json_object_end(&j);
	ok(json_ok(&j), "a nested document is complete");
	is_str(buf, "{\"user\":\"alice\",\"bytes\":18446744073709551615,\"delta\":-5,\"nat\":true,"
		    "\"sessions\":[{},1,null]}", "commas and nesting by construction");

	json_init(&j, buf, sizeof(buf));
	json_array_begin(&j);
	json_string(&j, "q\"b\\s\n\x01\x7f");
	json_string_n(&j, "\xc3\xa9\xff\xe2\x82", 5);
	json_string(&j, "\xed\xa0\x80");      /* a UTF-16 surrogate in UTF-8: invalid */
	json_string(&j, "\xf0\x9f\x98\x80");  /* U+1F600 */
	json_array_end(&j);
	ok(json_ok(&j), "strings: complete");
	is_str(buf, "[\"q\\\"b\\\\s\\u000a\\u0001\\u007f\",\"\xc3\xa9\\ufffd\\ufffd\\ufffd\","
		    "\"\\ufffd\\ufffd\\ufffd\",\"\xf0\x9f\x98\x80\"]",
	       "escapes, controls, invalid UTF-8 as U+FFFD, valid UTF-8 kept");

	json_init(&j, buf, sizeof(buf));
	json_object_begin(&j);
	json_uint(&j, 1);
	ok(!json_ok(&j), "misuse: a value where a key is due");
	json_init(&j, buf, sizeof(buf));
	json_array_begin(&j);
	json_key(&j, "k");
	ok(!json_ok(&j), "misuse: a key in an array");
	json_init(&j, buf, sizeof(buf));
	json_array_begin(&j);
	json_object_end(&j);
	ok(!json_ok(&j), "misuse: closing the wrong container");
	json_init(&j, buf, sizeof(buf));
	json_object_begin(&j);
	json_key(&j, "k");
	json_object_end(&j);
	ok(!json_ok(&j), "misuse: a key without its value");
	json_init(&j, buf, sizeof(buf));
	json_array_begin(&j);
	ok(!json_ok(&j), "incomplete: an open container");
	json_init(&j, buf, sizeof(buf));
	for (int i = 0; i <= JSON_DEPTH_MAX; i++)
		json_array_begin(&j);
	ok(j.bad, "nesting deeper than JSON_DEPTH_MAX poisons the writer");

	json_init(&j, tiny, sizeof(tiny));
	json_array_begin(&j);
	json_string(&j, "longer than eight");
	json_array_end(&j);
	ok(!json_ok(&j), "overflow: not ok");
	ok(strlen(tiny) < sizeof(tiny), "overflow: the buffer stays NUL-terminated");
	json_init(&j, tiny, 0);
	ok(!json_ok(&j), "a zero-size buffer is bad from the start");
	return tap_done();
}
