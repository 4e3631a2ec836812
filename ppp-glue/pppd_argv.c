/*
 * pppd_argv.c - checks, then appends argument after argument; an append that
 * does not fit marks the whole line as overflowed instead of truncating it.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ppp-glue/pppd_argv.h"

static void pppd_argv_add(struct pppd_argv *out, const char *text)
{
	size_t len = strlen(text);

	if (out->overflow || out->argc >= PPPD_ARGV_MAX ||
	    len >= sizeof(out->text) - out->text_len) {
		out->overflow = true;
		return;
	}
	out->argv[out->argc++] = memcpy(out->text + out->text_len, text, len + 1);
	out->text_len += len + 1;
}

static void pppd_argv_add_number(struct pppd_argv *out, unsigned long value)
{
	char text[24];

	snprintf(text, sizeof(text), "%lu", value);
	pppd_argv_add(out, text);
}

/* "ms-dns", "192.0.2.53" */
static void pppd_argv_add_address(struct pppd_argv *out, const char *option, struct in_addr address,
				  const char *suffix)
{
	char text[INET_ADDRSTRLEN + 1];

	if (option != NULL)
		pppd_argv_add(out, option);
	if (inet_ntop(AF_INET, &address, text, INET_ADDRSTRLEN) == NULL) {
		out->overflow = true;
		return;
	}
	strcat(text, suffix);
	pppd_argv_add(out, text);
}

/* Printable ASCII without spaces; absolute, or (when bare_allowed) a name without '/'. */
static bool pppd_path_valid(const char *path, bool bare_allowed)
{
	size_t len;

	if (path == NULL)
		return false;
	len = strnlen(path, PPPD_PATH_MAX + 1);
	if (len == 0 || len > PPPD_PATH_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (path[i] <= ' ' || path[i] > '~')
			return false;
	}
	if (path[0] == '/')
		return true;
	return bare_allowed && strchr(path, '/') == NULL;
}

static bool pppd_name_valid(const char *name)
{
	size_t len;

	if (name == NULL)
		return false;
	len = strnlen(name, PPPD_NAME_MAX + 1);
	if (len == 0 || len > PPPD_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

/* Not 0.0.0.0/8, loopback, multicast or above. */
static bool pppd_address_unicast(struct in_addr address)
{
	uint32_t first_octet = ntohl(address.s_addr) >> 24;

	return first_octet != 0 && first_octet != 127 && first_octet < 224;
}

static bool pppd_fd_valid(int fd)
{
	return fd >= PPPD_FD_MIN && fd <= PPPD_FD_MAX;
}

static bool pppd_options_valid(const struct pppd_options *o)
{
	if (!pppd_path_valid(o->pppd_path, false) || !pppd_path_valid(o->pppol2tp_plugin, true) ||
	    !pppd_path_valid(o->plugin_path, true) || !pppd_name_valid(o->name))
		return false;
	if (!pppd_fd_valid(o->pppol2tp_fd) || !pppd_fd_valid(o->control_fd) ||
	    o->pppol2tp_fd == o->control_fd)
		return false;
	if (o->tunnel_id < 1 || o->tunnel_id > UINT16_MAX || o->session_id < 1 ||
	    o->session_id > UINT16_MAX)
		return false;
	if (o->mtu < PPPD_MTU_MIN || o->mtu > PPPD_MTU_MAX || o->mru < PPPD_MTU_MIN ||
	    o->mru > PPPD_MTU_MAX)
		return false;
	if (o->lcp_echo_interval > PPPD_LCP_ECHO_INTERVAL_MAX ||
	    o->lcp_echo_failure > PPPD_LCP_ECHO_FAILURE_MAX)
		return false;
	if (!pppd_address_unicast(o->local_address) || o->dns_count > PPPD_SERVERS_MAX ||
	    o->wins_count > PPPD_SERVERS_MAX)
		return false;
	for (size_t i = 0; i < o->dns_count; i++) {
		if (!pppd_address_unicast(o->dns[i]))
			return false;
	}
	for (size_t i = 0; i < o->wins_count; i++) {
		if (!pppd_address_unicast(o->wins[i]))
			return false;
	}
	return true;
}

/* Options that never change: authentication, compression, routes. */
static void pppd_argv_add_fixed(struct pppd_argv *out)
{
	static const char *const fixed[] = {
		"nodetach",
		/* The client must prove itself with MS-CHAPv2, and only that. */
		"auth", "require-mschap-v2", "refuse-pap", "refuse-chap", "refuse-mschap",
		"refuse-eap",
		/* No CCP, so no MPPE: IPsec already encrypts. */
		"noccp", "nodeflate", "nobsdcomp",
		/* No header or field compression: nothing to gain at these MTUs. */
		"novj", "novjccomp", "nopcomp", "noaccomp",
		/* IPv4 only for now (issue 4). */
		"noipv6",
	};

	for (size_t i = 0; i < ARRAY_SIZE(fixed); i++)
		pppd_argv_add(out, fixed[i]);
}

int pppd_argv_build(struct pppd_argv *out, const struct pppd_options *o)
{
	char ipparam[sizeof("l2tpsec-65535-65535")];

	memset(out, 0, sizeof(*out));
	if (!pppd_options_valid(o))
		return -EINVAL;
	pppd_argv_add(out, o->pppd_path);
	pppd_argv_add(out, "plugin");
	pppd_argv_add(out, o->pppol2tp_plugin);
	pppd_argv_add(out, "pppol2tp");
	pppd_argv_add_number(out, (unsigned long)o->pppol2tp_fd);
	pppd_argv_add(out, "pppol2tp_lns_mode");
	pppd_argv_add(out, "pppol2tp_tunnel_id");
	pppd_argv_add_number(out, o->tunnel_id);
	pppd_argv_add(out, "pppol2tp_session_id");
	pppd_argv_add_number(out, o->session_id);
	pppd_argv_add(out, "plugin");
	pppd_argv_add(out, o->plugin_path);
	pppd_argv_add(out, "l2tpsec_ctl");
	pppd_argv_add_number(out, (unsigned long)o->control_fd);
	pppd_argv_add_fixed(out);
	pppd_argv_add(out, "mtu");
	pppd_argv_add_number(out, o->mtu);
	pppd_argv_add(out, "mru");
	pppd_argv_add_number(out, o->mru);
	for (size_t i = 0; i < o->dns_count; i++)
		pppd_argv_add_address(out, "ms-dns", o->dns[i], "");
	for (size_t i = 0; i < o->wins_count; i++)
		pppd_argv_add_address(out, "ms-wins", o->wins[i], "");
	pppd_argv_add(out, "lcp-echo-interval");
	pppd_argv_add_number(out, o->lcp_echo_interval);
	pppd_argv_add(out, "lcp-echo-failure");
	pppd_argv_add_number(out, o->lcp_echo_failure);
	/* When the daemon stops pppd the L2TP session is usually gone already (CDN, StopCCN):
	 * one Terminate-Request, not pppd's default two, before it gives up and exits. */
	pppd_argv_add(out, "lcp-max-terminate");
	pppd_argv_add(out, "1");
	pppd_argv_add(out, "nodefaultroute");
	pppd_argv_add(out, o->proxyarp ? "proxyarp" : "noproxyarp");
	if (o->debug)
		pppd_argv_add(out, "debug");
	pppd_argv_add(out, "name");
	pppd_argv_add(out, o->name);
	pppd_argv_add(out, "ipparam");
	snprintf(ipparam, sizeof(ipparam), "l2tpsec-%u-%u", (unsigned)o->tunnel_id,
		 (unsigned)o->session_id);
	pppd_argv_add(out, ipparam);
	pppd_argv_add_address(out, NULL, o->local_address, ":");
	if (out->overflow) {
		memset(out->argv, 0, sizeof(out->argv));
		out->argc = 0;
		return -E2BIG;
	}
	out->argv[out->argc] = NULL;
	return 0;
}
