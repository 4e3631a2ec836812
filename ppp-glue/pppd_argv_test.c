/*
 * pppd_argv_test.c - the golden command line of a typical session, every
 * bound just inside and just outside, paths and names refused, and the
 * largest valid configuration still fitting its slots.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ppp-glue/pppd_argv.h"
#include "tests/harness/tap.h"

static struct in_addr addr(const char *text)
{
	struct in_addr a = { 0 };

	if (inet_pton(AF_INET, text, &a) != 1)
		abort();
	return a;
}

static struct pppd_options typical(void)
{
	struct pppd_options o = {
		.pppd_path = "/usr/sbin/pppd",
		.pppol2tp_plugin = "pppol2tp.so",
		.plugin_path = "/usr/lib/l2tpsec/l2tpsec.so",
		.name = "l2tpsec",
		.mtu = 1400,
		.mru = 1400,
		.local_address = addr("10.8.0.1"),
		.dns = { addr("192.0.2.53"), addr("192.0.2.54") },
		.dns_count = 2,
		.wins = { addr("192.0.2.137") },
		.wins_count = 1,
		.lcp_echo_interval = 30,
		.lcp_echo_failure = 4,
		.pppol2tp_fd = 3,
		.control_fd = 4,
		.tunnel_id = 31337,
		.session_id = 7,
	};

	return o;
}

/* The arguments joined by single spaces. */
static void join(const struct pppd_argv *a, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < a->argc && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? " " : "", a->argv[i]);
}

static void test_golden(void)
{
	static const char golden[] =
		"/usr/sbin/pppd plugin pppol2tp.so pppol2tp 3 pppol2tp_lns_mode "
		"pppol2tp_tunnel_id 31337 pppol2tp_session_id 7 "
		"plugin /usr/lib/l2tpsec/l2tpsec.so l2tpsec_ctl 4 nodetach "
		"auth require-mschap-v2 refuse-pap refuse-chap refuse-mschap refuse-eap "
		"noccp nodeflate nobsdcomp novj novjccomp nopcomp noaccomp noipv6 "
		"mtu 1400 mru 1400 ms-dns 192.0.2.53 ms-dns 192.0.2.54 ms-wins 192.0.2.137 "
		"lcp-echo-interval 30 lcp-echo-failure 4 lcp-max-terminate 1 nodefaultroute noproxyarp "
		"name l2tpsec ipparam l2tpsec-31337-7 10.8.0.1:";
	struct pppd_options o = typical();
	struct pppd_argv a;
	char line[PPPD_ARGV_TEXT_MAX];

	is_int(pppd_argv_build(&a, &o), 0, "a typical session builds");
	join(&a, line, sizeof(line));
	is_str(line, golden, "the golden command line");
	ok(a.argv[a.argc] == NULL, "argv is NULL-terminated");
	is_str(a.argv[0], "/usr/sbin/pppd", "argv[0] is pppd's path");

	o.debug = true;
	o.proxyarp = true;
	o.dns_count = 0;
	o.wins_count = 0;
	o.lcp_echo_interval = 0;
	is_int(pppd_argv_build(&a, &o), 0, "debug, proxyarp, no servers, no echo build");
	join(&a, line, sizeof(line));
	ok(strstr(line, " nodefaultroute proxyarp debug name l2tpsec ") != NULL,
	   "proxyarp and debug appear");
	ok(strstr(line, "ms-dns") == NULL && strstr(line, "ms-wins") == NULL,
	   "no ms-dns or ms-wins without servers");
	ok(strstr(line, "lcp-echo-interval 0 ") != NULL,
	   "an interval of 0 is passed, overriding /etc/ppp/options");
}

struct bound {
	const char *name;
	void (*set)(struct pppd_options *o, long value);
	long inside_low, inside_high;
};

static void set_pppox_fd(struct pppd_options *o, long v) { o->pppol2tp_fd = (int)v; }
static void set_control_fd(struct pppd_options *o, long v) { o->control_fd = (int)v; }
static void set_tunnel(struct pppd_options *o, long v) { o->tunnel_id = (uint32_t)v; }
static void set_session(struct pppd_options *o, long v) { o->session_id = (uint32_t)v; }
static void set_mtu(struct pppd_options *o, long v) { o->mtu = (unsigned)v; }
static void set_mru(struct pppd_options *o, long v) { o->mru = (unsigned)v; }
static void set_interval(struct pppd_options *o, long v) { o->lcp_echo_interval = (unsigned)v; }
static void set_failure(struct pppd_options *o, long v) { o->lcp_echo_failure = (unsigned)v; }
static void set_dns_count(struct pppd_options *o, long v) { o->dns_count = (size_t)v; }
static void set_wins_count(struct pppd_options *o, long v) { o->wins_count = (size_t)v; }

static const struct bound bounds[] = {
	{ "pppol2tp fd", set_pppox_fd, 5, 1023 },       /* 3 and 4 are taken by the other fd */
	{ "control fd", set_control_fd, 5, 1023 },
	{ "tunnel id", set_tunnel, 1, 65535 },
	{ "session id", set_session, 1, 65535 },
	{ "mtu", set_mtu, 576, 1500 },
	{ "mru", set_mru, 576, 1500 },
	{ "lcp-echo-interval", set_interval, 0, 3600 },
	{ "lcp-echo-failure", set_failure, 0, 100 },
	{ "DNS servers", set_dns_count, 0, 2 },
	{ "WINS servers", set_wins_count, 0, 2 },
};

static void test_bounds(void)
{
	struct pppd_argv a;

	for (size_t i = 0; i < ARRAY_SIZE(bounds); i++) {
		const struct bound *b = &bounds[i];
		struct pppd_options o = typical();

		o.wins[1] = addr("192.0.2.138");
		b->set(&o, b->inside_low);
		is_int(pppd_argv_build(&a, &o), 0, "%s %ld is accepted", b->name, b->inside_low);
		b->set(&o, b->inside_high);
		is_int(pppd_argv_build(&a, &o), 0, "%s %ld is accepted", b->name, b->inside_high);
		b->set(&o, b->inside_high + 1);
		is_int(pppd_argv_build(&a, &o), -EINVAL, "%s %ld is refused", b->name,
		       b->inside_high + 1);
		ok(a.argc == 0 && a.argv[0] == NULL, "%s: nothing usable is left", b->name);
		if (b->inside_low > 0) {
			b->set(&o, b->inside_low - 1);
			if (b->set == set_pppox_fd || b->set == set_control_fd)
				b->set(&o, 2);
			is_int(pppd_argv_build(&a, &o), -EINVAL, "%s below its range is refused",
			       b->name);
		}
	}
}

static void test_refusals(void)
{
	char long_path[PPPD_PATH_MAX + 2];
	struct pppd_options o;
	struct pppd_argv a;

	o = typical();
	o.control_fd = o.pppol2tp_fd;
	is_int(pppd_argv_build(&a, &o), -EINVAL, "both fds the same is refused");
	o = typical();
	o.tunnel_id = 0;
	is_int(pppd_argv_build(&a, &o), -EINVAL, "tunnel id 0 is refused");
	o = typical();
	o.session_id = 0;
	is_int(pppd_argv_build(&a, &o), -EINVAL, "session id 0 is refused");
	o = typical();
	o.pppol2tp_fd = -1;
	is_int(pppd_argv_build(&a, &o), -EINVAL, "a negative fd is refused");

	long_path[0] = '/';
	memset(long_path + 1, 'p', PPPD_PATH_MAX - 1);
	long_path[PPPD_PATH_MAX] = '\0';
	o = typical();
	o.plugin_path = long_path;
	is_int(pppd_argv_build(&a, &o), 0, "a 255-byte plugin path is accepted");
	long_path[PPPD_PATH_MAX] = 'p';
	long_path[PPPD_PATH_MAX + 1] = '\0';
	is_int(pppd_argv_build(&a, &o), -EINVAL, "a 256-byte plugin path is refused");
	o = typical();
	o.pppd_path = long_path;
	is_int(pppd_argv_build(&a, &o), -EINVAL, "a 256-byte pppd path is refused");

	o = typical();
	o.pppd_path = "pppd";
	is_int(pppd_argv_build(&a, &o), -EINVAL, "a relative pppd path is refused");
	o = typical();
	o.plugin_path = "l2tpsec.so";
	is_int(pppd_argv_build(&a, &o), 0, "our plugin may be a bare name (pppd's plugin directory)");
	o.plugin_path = "./l2tpsec.so";
	is_int(pppd_argv_build(&a, &o), -EINVAL, "but not a relative path");
	o = typical();
	o.pppol2tp_plugin = "/usr/lib/pppd/2.4.9/pppol2tp.so";
	is_int(pppd_argv_build(&a, &o), 0, "pppol2tp.so may be absolute");
	o.pppol2tp_plugin = "lib/pppol2tp.so";
	is_int(pppd_argv_build(&a, &o), -EINVAL, "but not relative with a slash");
	o = typical();
	o.plugin_path = "/usr/lib/l2tp sec.so";
	is_int(pppd_argv_build(&a, &o), -EINVAL, "a path with a space is refused");
	o.plugin_path = "/usr/lib/l2tp\nsec.so";
	is_int(pppd_argv_build(&a, &o), -EINVAL, "a path with a newline is refused");
	o = typical();
	o.pppd_path = NULL;
	is_int(pppd_argv_build(&a, &o), -EINVAL, "no pppd path is refused");

	o = typical();
	o.name = "";
	is_int(pppd_argv_build(&a, &o), -EINVAL, "an empty name is refused");
	o.name = "l2tp sec";
	is_int(pppd_argv_build(&a, &o), -EINVAL, "a name with a space is refused");
	o.name = "abcdefghijklmnopqrstuvwxyz012345";
	is_int(pppd_argv_build(&a, &o), 0, "a 32-byte name is accepted");
	o.name = "abcdefghijklmnopqrstuvwxyz0123456";
	is_int(pppd_argv_build(&a, &o), -EINVAL, "a 33-byte name is refused");

	o = typical();
	o.local_address = addr("0.0.0.0");
	is_int(pppd_argv_build(&a, &o), -EINVAL, "local address 0.0.0.0 is refused");
	o.local_address = addr("127.0.0.1");
	is_int(pppd_argv_build(&a, &o), -EINVAL, "a loopback local address is refused");
	o = typical();
	o.dns[1] = addr("255.255.255.255");
	is_int(pppd_argv_build(&a, &o), -EINVAL, "a broadcast DNS server is refused");
	o = typical();
	o.wins[0] = addr("224.0.0.1");
	is_int(pppd_argv_build(&a, &o), -EINVAL, "a multicast WINS server is refused");
}

static void test_largest(void)
{
	static char path_a[PPPD_PATH_MAX + 1], path_b[PPPD_PATH_MAX + 1], path_c[PPPD_PATH_MAX + 1];
	struct pppd_options o = typical();
	struct pppd_argv a;

	path_a[0] = path_b[0] = path_c[0] = '/';
	memset(path_a + 1, 'a', PPPD_PATH_MAX - 1);
	memset(path_b + 1, 'b', PPPD_PATH_MAX - 1);
	memset(path_c + 1, 'c', PPPD_PATH_MAX - 1);
	o.pppd_path = path_a;
	o.pppol2tp_plugin = path_b;
	o.plugin_path = path_c;
	o.name = "abcdefghijklmnopqrstuvwxyz012345";
	o.wins[1] = addr("192.0.2.138");
	o.wins_count = 2;
	o.dns[0] = o.dns[1] = o.wins[0] = o.wins[1] = addr("203.0.113.255");
	o.local_address = addr("223.255.255.255");
	o.tunnel_id = o.session_id = 65535;
	o.pppol2tp_fd = 1022;
	o.control_fd = 1023;
	o.lcp_echo_interval = 3600;
	o.lcp_echo_failure = 100;
	o.debug = o.proxyarp = true;
	is_int(pppd_argv_build(&a, &o), 0, "the largest valid configuration builds");
	ok(a.argc + 16 <= PPPD_ARGV_MAX, "with 16 slots to spare (%zu of %d used)", a.argc,
	   PPPD_ARGV_MAX);
	ok(a.text_len < PPPD_ARGV_TEXT_MAX * 3 / 4, "and in the text (%zu of %d)", a.text_len,
	   PPPD_ARGV_TEXT_MAX);
	is_str(a.argv[a.argc - 2], "l2tpsec-65535-65535", "the longest ipparam");
	is_str(a.argv[a.argc - 1], "223.255.255.255:", "the longest local address");
	for (size_t i = 0; i < a.argc; i++) {
		if (a.argv[i] < a.text || a.argv[i] >= a.text + a.text_len) {
			ok(false, "argument %zu points outside the text", i);
			return;
		}
	}
	ok(true, "every argument points into the struct's own text");
}

int main(void)
{
	test_golden();
	test_bounds();
	test_refusals();
	test_largest();
	return tap_done();
}
