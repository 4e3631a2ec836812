/*
 * conf_test.c - the configuration table: defaults, every setting, every
 * error shape "FILE:LINE: SETTING: reason", and secrets kept out of errors.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/conf.h"
#include "lib/alloc.h"
#include "tests/harness/tap.h"

static void test_defaults(void)
{
	struct conf_error err;
	struct conf *conf = conf_load_string("ike = { psk = \"s3cret\"; };\n", "t.conf", &err);

	if (!ok(conf != NULL, "minimal configuration (only the PSK) loads")) {
		tap_diag("%s", err.text);
		return;
	}
	is_int(conf->psk_len, 6, "psk length");
	is_mem(conf->psk, "s3cret", 6, "psk bytes");
	ok(conf->log_file == NULL, "log.file defaults to none");
	ok(conf->log_syslog, "log.syslog defaults to true");
	is_int(conf->log_level, LOG_LEVEL_INFO, "log.level defaults to info");
	is_str(conf->log_debug, "", "log.debug defaults to none");
	is_str(conf->pid_file, L2TPSEC_RUNDIR "/l2tpsecd.pid", "daemon.pid_file default");
	conf_free(conf);
}

static void test_all_settings(void)
{
	static const char text[] =
		"# every setting\n"
		"ike = { psk = \"a long shared secret\"; };\n"
		"log = {\n"
		"  file = \"/var/log/l2tpsec.log\";\n"
		"  syslog = false;\n"
		"  level = \"debug\";\n"
		"  debug = \"ike-wire,l2tp-fsm,-ike-wire\";\n"
		"};\n"
		"daemon = { pid_file = \"/tmp/x.pid\"; };\n";
	struct conf_error err;
	struct conf *conf = conf_load_string(text, "t.conf", &err);

	if (!ok(conf != NULL, "every setting at once loads")) {
		tap_diag("%s", err.text);
		return;
	}
	is_str(conf->log_file, "/var/log/l2tpsec.log", "log.file");
	ok(!conf->log_syslog, "log.syslog false");
	is_int(conf->log_level, LOG_LEVEL_DEBUG, "log.level debug");
	is_str(conf->log_debug, "ike-wire,l2tp-fsm,-ike-wire", "log.debug kept as written");
	is_str(conf->pid_file, "/tmp/x.pid", "daemon.pid_file");
	conf_free(conf);
}

struct error_case {
	const char *name;
	const char *text;
	const char *expected;
};

static const struct error_case error_cases[] = {
	{ "empty file", "", "t.conf:1: ike.psk: required setting is missing (it has no default)" },
	{ "psk missing inside its group", "\n\nike = {\n};\n",
	  "t.conf:3: ike.psk: required setting is missing (it has no default)" },
	{ "empty psk", "ike = { psk = \"\"; };", "t.conf:1: ike.psk: must not be empty" },
	{ "psk of the wrong type", "ike = { psk = 1; };",
	  "t.conf:1: ike.psk: must be a string in double quotes" },
	{ "unknown top-level setting", "ike = { psk = \"k\"; };\nfoo = 1;",
	  "t.conf:2: foo: unknown setting" },
	{ "unknown setting in a group", "ike = { psk = \"k\"; pks = \"x\"; };",
	  "t.conf:1: ike.pks: unknown setting" },
	{ "group given as a scalar", "ike = 3;", "t.conf:1: ike: must be a group { ... }" },
	{ "bool given as a string", "ike = { psk = \"k\"; };\nlog = { syslog = \"yes\"; };",
	  "t.conf:2: log.syslog: must be true or false" },
	{ "unknown level", "ike = { psk = \"k\"; };\nlog = { level = \"loud\"; };",
	  "t.conf:2: log.level: must be one of error, warning, notice, info, debug: \"loud\"" },
	{ "relative log file", "ike = { psk = \"k\"; };\nlog = { file = \"l2tp.log\"; };",
	  "t.conf:2: log.file: must be an absolute path: \"l2tp.log\"" },
	{ "control character in a path",
	  "ike = { psk = \"k\"; };\nlog = { file = \"/var/log/a\\tb\"; };",
	  "t.conf:2: log.file: contains a control character: \"/var/log/a\tb\"" },
	{ "empty pid file", "ike = { psk = \"k\"; };\ndaemon = { pid_file = \"\"; };",
	  "t.conf:2: daemon.pid_file: must not be empty: \"\"" },
	{ "unknown debug class", "ike = { psk = \"k\"; };\nlog = { debug = \"ike-wire,bogus\"; };",
	  "t.conf:2: log.debug: names an unknown debug class (known: all, none, conf, ike-wire, "
	  "ike-fsm, ike-crypto, xfrm, l2tp-wire, l2tp-fsm, ppp): \"ike-wire,bogus\"" },
	{ "empty debug class", "ike = { psk = \"k\"; };\nlog = { debug = \"ppp,,xfrm\"; };",
	  "t.conf:2: log.debug: has an empty or overlong class name: \"ppp,,xfrm\"" },
	{ "syntax error", "ike = { psk = \"k\" }\nlog = {",
	  "t.conf:2: syntax: syntax error" },
	{ "include refused", "@include \"/etc/passwd\"\n", "t.conf: @include is not supported" },
};

static void test_errors(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(error_cases); i++) {
		const struct error_case *c = &error_cases[i];
		struct conf_error err = { .text = "" };
		struct conf *conf = conf_load_string(c->text, "t.conf", &err);

		ok(conf == NULL, "%s: refused", c->name);
		is_str(err.text, c->expected, "%s: error text", c->name);
		conf_free(conf);
	}
}

static void test_secret_not_in_errors(void)
{
	static const char text[] =
		"ike = { psk = \"this-is-a-very-long-secret-that-is-far-too-long-for-the-"
		"buffer-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"; };";
	struct conf_error err;
	struct conf *conf = conf_load_string(text, "t.conf", &err);

	ok(conf == NULL, "an overlong psk is refused");
	is_str(err.text, "t.conf:1: ike.psk: longer than 255 bytes", "the error names the setting");
	ok(strstr(err.text, "secret") == NULL, "the error never quotes the secret");
	conf_free(conf);
}

static void test_load_file(void)
{
	char path[] = "/tmp/conf_test.XXXXXX";
	struct conf_error err;
	struct conf *conf;
	int fd = mkstemp(path);
	static const char text[] = "ike = { psk = \"from-a-file\"; };\n";

	if (!ok(fd >= 0, "temporary file"))
		return;
	ok(write(fd, text, sizeof(text) - 1) == (ssize_t)(sizeof(text) - 1), "write it");
	close(fd);
	conf = conf_load(path, &err);
	ok(conf && conf->psk_len == 11, "conf_load reads a file");
	conf_free(conf);

	fd = open(path, O_WRONLY | O_APPEND);
	ok(fd >= 0 && write(fd, "x\0y", 3) == 3, "append a NUL byte");
	close(fd);
	conf = conf_load(path, &err);
	ok(conf == NULL && strstr(err.text, "contains a NUL byte"), "a NUL byte is refused");
	conf_free(conf);
	unlink(path);

	conf = conf_load("/nonexistent/l2tpsec.conf", &err);
	is_str(err.text, "/nonexistent/l2tpsec.conf: cannot open: No such file or directory",
	       "a missing file is named");
	conf_free(conf);
}

/* Every allocation failing in turn: a clean NULL with a reason, never a crash or leak. */
static void test_out_of_memory(void)
{
	static const char text[] =
		"ike = { psk = \"k\"; };\nlog = { file = \"/tmp/a\"; debug = \"ppp\"; };\n";
	unsigned long n;
	bool all_clean = true;

	for (n = 1; n < 100; n++) {
		struct conf_error err = { .text = "" };
		struct conf *conf;

		alloc_fail_at(n);
		conf = conf_load_string(text, "t.conf", &err);
		alloc_fail_at(0);
		if (conf) {
			conf_free(conf);
			break;
		}
		if (!strstr(err.text, "out of memory"))
			all_clean = false;
	}
	ok(n > 1 && n < 100, "loading succeeds once allocations stop failing (after %lu)", n);
	ok(all_clean, "every injected failure gives an out-of-memory error");
}

int main(void)
{
	test_defaults();
	test_all_settings();
	test_errors();
	test_secret_not_in_errors();
	test_load_file();
	test_out_of_memory();
	return tap_done();
}
