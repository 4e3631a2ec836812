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
	is_int(conf->ike_listen.family, AF_UNSPEC, "ike.listen defaults to every address");
	is_int(conf->ike_port, 500, "ike.port default");
	is_int(conf->ike_natt_port, 4500, "ike.natt_port default");

	/* The engine's defaults are the file's: one source for both. */
	struct ike_engine_conf engine;

	ike_engine_conf_default(&engine);
	engine.psk = (const uint8_t *)conf->psk;
	engine.psk_len = conf->psk_len;
	ok(memcmp(&engine, &conf->ike, sizeof(engine)) == 0,
	   "every ike setting left out takes the engine's default");
	conf_free(conf);
}

static void test_ike_settings(void)
{
	static const char text[] =
		"ike = {\n"
		"  psk = \"k\";\n"
		"  listen = \"192.0.2.1\";\n"
		"  port = 1500; natt_port = 14500;\n"
		"  ciphers = \"aes256\"; hashes = \"sha256,sha1\"; groups = \"ecp384\";\n"
		"  esp_ciphers = \"aes128\"; esp_integrity = \"sha1\"; pfs_groups = \"modp2048\";\n"
		"  pfs = \"required\"; nat_traversal = \"rfc\"; force_encapsulation = true;\n"
		"  isakmp_lifetime_max = 3600; ipsec_lifetime_max = 1800; ipsec_lifebytes_max = 4000000;\n"
		"  half_open_per_source = 4; half_open_total = 100; exchange_timeout = 20;\n"
		"  dpd_interval = 0; dpd_timeout = 60; natt_keepalive = 15;\n"
		"};\n";
	struct conf_error err;
	struct conf *conf = conf_load_string(text, "t.conf", &err);
	char buf[NETADDR_STRLEN];

	if (!ok(conf != NULL, "every ike setting at once loads")) {
		tap_diag("%s", err.text);
		return;
	}
	is_str(netaddr_format_addr(&conf->ike_listen, buf), "192.0.2.1", "ike.listen");
	is_int(conf->ike_port, 1500, "ike.port");
	is_int(conf->ike_natt_port, 14500, "ike.natt_port");
	is_uint(conf->ike.policy.p1_ciphers, IKE_PROP_CIPHER_AES256, "ike.ciphers");
	is_uint(conf->ike.policy.p1_hashes, IKE_PROP_HASH_SHA2_256 | IKE_PROP_HASH_SHA1, "ike.hashes");
	is_uint(conf->ike.policy.p1_groups, IKE_PROP_GROUP_ECP384, "ike.groups");
	is_uint(conf->ike.policy.p2_ciphers, IKE_PROP_CIPHER_AES128, "ike.esp_ciphers");
	is_uint(conf->ike.policy.p2_integs, IKE_PROP_INTEG_SHA1, "ike.esp_integrity");
	is_uint(conf->ike.policy.p2_pfs_groups, IKE_PROP_GROUP_MODP2048, "ike.pfs_groups");
	ok(conf->ike.policy.p2_pfs_required, "ike.pfs required");
	is_uint(conf->ike.natt_methods, IKE_NATT_ALLOW_RFC, "ike.nat_traversal rfc only");
	ok(conf->ike.natt_force_encapsulation, "ike.force_encapsulation");
	is_uint(conf->ike.p1_max_seconds, 3600, "ike.isakmp_lifetime_max");
	is_uint(conf->ike.p2_max_seconds, 1800, "ike.ipsec_lifetime_max");
	is_uint(conf->ike.p2_max_kilobytes, 4000000, "ike.ipsec_lifebytes_max (64 bits)");
	is_uint(conf->ike.half_open_per_source, 4, "ike.half_open_per_source");
	is_uint(conf->ike.half_open_total, 100, "ike.half_open_total");
	is_uint(conf->ike.exchange_timeout_ms, 20000, "ike.exchange_timeout in ms");
	is_uint(conf->ike.dpd_interval_ms, 0, "ike.dpd_interval 0 turns DPD off");
	is_uint(conf->ike.dpd_timeout_ms, 60000, "ike.dpd_timeout in ms");
	is_uint(conf->ike.natt_keepalive_ms, 15000, "ike.natt_keepalive in ms");
	ok(conf->ike.psk == (const uint8_t *)conf->psk && conf->ike.psk_len == 1,
	   "the engine's PSK is the configuration's");
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
		"daemon = { pid_file = \"/tmp/x.pid\"; control_socket = \"/tmp/c.sock\";\n"
		"  control_group = \"vpnadm\"; };\n"
		"l2tp = { port = 1702; hello_interval = 20; retransmits = 3; idle_timeout = 0; max_tunnels = 10;\n"
		"  max_sessions_per_tunnel = 2; allow_clear = true; };\n"
		"ppp = { local_address = \"10.9.0.1\"; pool = \"10.9.0.2-10.9.1.1\";\n"
		"  dns = \"192.0.2.53,192.0.2.54\"; wins = \"192.0.2.55\"; mtu = 1280;\n"
		"  lcp_echo_interval = 10; lcp_echo_failure = 3; pppd = \"/usr/local/sbin/pppd\";\n"
		"  plugin = \"/opt/l2tpsec.so\"; debug = true; };\n"
		"users = { file = \"/etc/l2tpsec/u\"; end_sessions = false; };\n";
	struct conf_error err;
	struct conf *conf = conf_load_string(text, "t.conf", &err);
	char a[NETADDR_STRLEN];

	if (!ok(conf != NULL, "every setting at once loads")) {
		tap_diag("%s", err.text);
		return;
	}
	is_str(conf->log_file, "/var/log/l2tpsec.log", "log.file");
	ok(!conf->log_syslog, "log.syslog false");
	is_int(conf->log_level, LOG_LEVEL_DEBUG, "log.level debug");
	is_str(conf->log_debug, "ike-wire,l2tp-fsm,-ike-wire", "log.debug kept as written");
	is_str(conf->pid_file, "/tmp/x.pid", "daemon.pid_file");
	is_int(conf->l2tp_port, 1702, "l2tp.port");
	is_int(conf->l2tp_hello_ms, 20000, "l2tp.hello_interval in ms");
	is_int(conf->l2tp_retries, 3, "l2tp.retransmits");
	is_int(conf->l2tp_idle_ms, 0, "l2tp.idle_timeout 0: never");
	is_int(conf->l2tp_max_tunnels, 10, "l2tp.max_tunnels");
	is_int(conf->l2tp_max_sessions_per_tunnel, 2, "l2tp.max_sessions_per_tunnel");
	ok(conf->l2tp_allow_clear, "l2tp.allow_clear");
	ok(conf->l2tp_enabled, "l2tp.enabled by default");
	is_str(netaddr_format_addr(&conf->ppp_local, a), "10.9.0.1", "ppp.local_address");
	is_str(netaddr_format_addr(&conf->ppp_pool_first, a), "10.9.0.2", "ppp.pool first");
	is_str(netaddr_format_addr(&conf->ppp_pool_last, a), "10.9.1.1", "ppp.pool last");
	is_str(netaddr_format_addr(&conf->ppp_dns[1], a), "192.0.2.54", "ppp.dns second");
	is_str(netaddr_format_addr(&conf->ppp_wins[0], a), "192.0.2.55", "ppp.wins");
	ok(conf->ppp_wins[1].family == AF_UNSPEC, "ppp.wins: one given, the second unset");
	is_int(conf->ppp_mtu, 1280, "ppp.mtu");
	is_int(conf->ppp_lcp_echo_interval, 10, "ppp.lcp_echo_interval");
	is_int(conf->ppp_lcp_echo_failure, 3, "ppp.lcp_echo_failure");
	is_str(conf->ppp_pppd, "/usr/local/sbin/pppd", "ppp.pppd");
	is_str(conf->ppp_plugin, "/opt/l2tpsec.so", "ppp.plugin");
	ok(conf->ppp_debug, "ppp.debug");
	is_str(conf->users_file, "/etc/l2tpsec/u", "users.file");
	ok(!conf->users_end_sessions, "users.end_sessions");
	is_str(conf->control_socket, "/tmp/c.sock", "daemon.control_socket");
	is_str(conf->control_group, "vpnadm", "daemon.control_group");
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
	{ "unknown cipher", "ike = { psk = \"k\";\n ciphers = \"aes256,des\"; };",
	  "t.conf:2: ike.ciphers: names an unknown or unsupported algorithm: \"aes256,des\"" },
	{ "empty algorithm list", "ike = { psk = \"k\";\n groups = \"\"; };",
	  "t.conf:2: ike.groups: must name at least one algorithm: \"\"" },
	{ "port out of range", "ike = { psk = \"k\";\n port = 70000; };",
	  "t.conf:2: ike.port: out of range" },
	{ "negative timeout", "ike = { psk = \"k\";\n exchange_timeout = -1; };",
	  "t.conf:2: ike.exchange_timeout: out of range" },
	{ "listen not an address", "ike = { psk = \"k\";\n listen = \"eth0\"; };",
	  "t.conf:2: ike.listen: is not an IP address: \"eth0\"" },
	{ "listen on IPv6", "ike = { psk = \"k\";\n listen = \"2001:db8::1\"; };",
	  "t.conf:2: ike.listen: must be an IPv4 address (IPv6 is not supported yet): \"2001:db8::1\"" },
	{ "bad pfs", "ike = { psk = \"k\";\n pfs = \"yes\"; };",
	  "t.conf:2: ike.pfs: must be \"optional\" or \"required\": \"yes\"" },
	{ "bad nat_traversal", "ike = { psk = \"k\";\n nat_traversal = \"rfc,v2\"; };",
	  "t.conf:2: ike.nat_traversal: must list \"rfc\" and/or \"drafts\": \"rfc,v2\"" },
	{ "port given as a string", "ike = { psk = \"k\";\n port = \"500\"; };",
	  "t.conf:2: ike.port: must be an integer" },
	{ "same port twice", "ike = { psk = \"k\"; port = 4500; };",
	  "t.conf: ike.natt_port: must differ from ike.port" },
	{ "pool without a dash", "ike = { psk = \"k\"; };\nppp = { pool = \"10.8.0.0/24\"; };",
	  "t.conf:2: ppp.pool: must be FIRST-LAST, two IPv4 addresses: \"10.8.0.0/24\"" },
	{ "pool upside down", "ike = { psk = \"k\"; };\nppp = { pool = \"10.8.0.9-10.8.0.2\"; };",
	  "t.conf:2: ppp.pool: FIRST is above LAST: \"10.8.0.9-10.8.0.2\"" },
	{ "pool too large", "ike = { psk = \"k\"; };\nppp = { pool = \"10.0.0.0-10.1.0.0\"; };",
	  "t.conf:2: ppp.pool: holds more than 65536 addresses: \"10.0.0.0-10.1.0.0\"" },
	{ "local address inside the pool",
	  "ike = { psk = \"k\"; };\nppp = { local_address = \"10.8.0.20\"; };",
	  "t.conf: ppp.local_address: must not be inside ppp.pool" },
	{ "three DNS servers", "ike = { psk = \"k\"; };\nppp = { dns = \"192.0.2.1,192.0.2.2,192.0.2.3\"; };",
	  "t.conf:2: ppp.dns: lists more than two addresses: \"192.0.2.1,192.0.2.2,192.0.2.3\"" },
	{ "WINS not an address", "ike = { psk = \"k\"; };\nppp = { wins = \"wins.example\"; };",
	  "t.conf:2: ppp.wins: must be one or two IPv4 addresses separated by a comma: \"wins.example\"" },
	{ "mtu too small", "ike = { psk = \"k\"; };\nppp = { mtu = 500; };",
	  "t.conf:2: ppp.mtu: out of range" },
	{ "relative users file", "ike = { psk = \"k\"; };\nusers = { file = \"users\"; };",
	  "t.conf:2: users.file: must be an absolute path: \"users\"" },
	{ "group with a space", "ike = { psk = \"k\"; };\ndaemon = { control_group = \"vpn adm\"; };",
	  "t.conf:2: daemon.control_group: must be a group name: \"vpn adm\"" },
	{ "benchmark switch with L2TP on", "ike = { psk = \"k\"; bench_no_kernel = true; };",
	  "t.conf: ike.bench_no_kernel: needs l2tp.enabled = false (benchmarks only)" },
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
	test_ike_settings();
	test_errors();
	test_secret_not_in_errors();
	test_load_file();
	test_out_of_memory();
	return tap_done();
}
