/*
 * pppd_argv.h - the command line of one pppd, built only from configuration
 * and validated numbers.
 *
 * No string a client sent (host name, user name, anything) ever reaches this
 * command line: its inputs are paths and a name from the configuration, which
 * are checked here too (absolute, or a bare file name that pppd looks up in
 * its plugin directory; printable ASCII without spaces; bounded), and numbers,
 * each checked against its range.  The result is bounded by construction: at
 * most PPPD_ARGV_MAX arguments, their text in a fixed buffer inside the struct,
 * no allocation.  The line for a typical session:
 *
 *   /usr/sbin/pppd plugin pppol2tp.so pppol2tp 3 pppol2tp_lns_mode
 *   pppol2tp_tunnel_id T pppol2tp_session_id S plugin /usr/lib/l2tpsec/l2tpsec.so
 *   l2tpsec_ctl 4 nodetach auth require-mschap-v2 refuse-pap refuse-chap
 *   refuse-mschap refuse-eap noccp nodeflate nobsdcomp novj novjccomp nopcomp
 *   noaccomp noipv6 mtu 1400 mru 1400 ms-dns D ms-wins W lcp-echo-interval 30
 *   lcp-echo-failure 4 nodefaultroute noproxyarp name l2tpsec ipparam l2tpsec-T-S
 *   10.8.0.1:
 *
 * Every option exists in pppd 2.4.9 (pppd(8); the pppol2tp_* ones in its
 * pppol2tp.so).  pppol2tp_tunnel_id/_session_id carry OUR ids, as xl2tpd and
 * openl2tp pass them: pppd only uses them to name the link to its plugins.
 * "10.8.0.1:" sets our end of the link; the client's address is left open for
 * our plugin, which gives it after authentication.  noipdefault is not needed:
 * the local address is always given.  The options only turn things off or pin
 * them, because pppd reads /etc/ppp/options (and ~/.ppprc) BEFORE its command
 * line and there is no way to stop it: whatever that file sets and this line
 * does not override stays in force (Debian's sets lock, crtscts, modem and
 * asyncmap, which do nothing on a PPPoL2TP channel).
 *
 * What it must not do: allocate, log, or take a string from a peer.
 * Ownership: struct pppd_argv is self-contained but NOT copyable (argv points
 * into its own text): build it where it is used.
 */
#ifndef L2TPSEC_PPP_GLUE_PPPD_ARGV_H
#define L2TPSEC_PPP_GLUE_PPPD_ARGV_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/util.h"

enum {
	PPPD_ARGV_MAX = 96,             /* arguments, argv[0] included */
	PPPD_ARGV_TEXT_MAX = 2048,      /* their bytes, NULs included */
	PPPD_PATH_MAX = 255,            /* pppd and plugin paths */
	PPPD_NAME_MAX = 32,             /* the "name" option */
	PPPD_FD_MIN = 3,                /* 0..2 are stdin/out/err */
	PPPD_FD_MAX = 1023,
	PPPD_MTU_MIN = 576,
	PPPD_MTU_MAX = 1500,
	PPPD_LCP_ECHO_INTERVAL_MAX = 3600,      /* seconds; 0: no echo requests */
	PPPD_LCP_ECHO_FAILURE_MAX = 100,
	PPPD_SERVERS_MAX = 2,           /* DNS and WINS servers each */
};

struct pppd_options {
	/* From the configuration. */
	const char *pppd_path;          /* absolute, e.g. "/usr/sbin/pppd" */
	const char *pppol2tp_plugin;    /* "pppol2tp.so" (pppd's plugin directory) or absolute */
	const char *plugin_path;        /* ours: "l2tpsec.so" (pppd's plugin directory) or absolute */
	const char *name;               /* our name for CHAP: 1..32 of [A-Za-z0-9._-] */
	unsigned mtu;                   /* PPPD_MTU_MIN..MAX */
	unsigned mru;
	struct in_addr local_address;   /* our end of every PPP link: unicast */
	struct in_addr dns[PPPD_SERVERS_MAX];
	size_t dns_count;
	struct in_addr wins[PPPD_SERVERS_MAX];
	size_t wins_count;
	unsigned lcp_echo_interval;     /* 0..PPPD_LCP_ECHO_INTERVAL_MAX */
	unsigned lcp_echo_failure;      /* 0..PPPD_LCP_ECHO_FAILURE_MAX */
	bool proxyarp;                  /* the pool is on a LAN: answer ARP for clients */
	bool debug;
	/* Per session. */
	int pppol2tp_fd;                /* PPPD_FD_MIN..MAX, see ppp_spawn.h */
	int control_fd;                 /* likewise, not the same */
	uint32_t tunnel_id;             /* ours, 1..65535 */
	uint32_t session_id;            /* ours, 1..65535 */
};

struct pppd_argv {
	char *argv[PPPD_ARGV_MAX + 1];  /* NULL-terminated; argv[0] is pppd_path */
	size_t argc;
	char text[PPPD_ARGV_TEXT_MAX];
	size_t text_len;
	bool overflow;                  /* building ran out of slots or text */
};

/*
 * Builds the command line into *out.  0, -EINVAL (a value out of its range or
 * a bad path or name; nothing usable in *out), -E2BIG (it did not fit: a bug
 * in the limits above, never the configuration's fault with valid values).
 */
int pppd_argv_build(struct pppd_argv *out, const struct pppd_options *options) WARN_UNUSED;

#endif
