/*
 * cmd_status.c - l2tpsecctl status, show sa|tunnels|sessions, kill, reload:
 * one request to the daemon, its records as a table or as JSON.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ctl/ctl.h"
#include "ctl/ctl_client.h"
#include "lib/alloc.h"
#include "lib/json.h"
#include "lib/util.h"

struct ctl_column {
	const char *key;
	const char *title;
};

/* Fields printed as JSON numbers (all digits from the daemon). */
static bool ctl_numeric_key(const char *key)
{
	static const char *const numeric[] = {
		"bytes_in", "bytes_out", "isakmp_sa", "ipsec_sa", "tunnel", "session", "ppp",
		"serial", "parent", "tunnel_id", "peer_tunnel_id", "session_id", "sessions",
		"children", "age_s", "lifetime_s", "pppd_pid", "users",
	};

	for (size_t i = 0; i < ARRAY_SIZE(numeric); i++)
		if (strcmp(key, numeric[i]) == 0)
			return true;
	return false;
}

static bool ctl_all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static int ctl_print_json(const struct ctl_reply *r)
{
	size_t size = 4096 + r->count * 2048;
	char *buf = alloc_array(size, 1);
	struct json j;

	if (!buf) {
		ctl_error("out of memory");
		return CTL_EXIT_FAILED;
	}
	json_init(&j, buf, size);
	json_array_begin(&j);
	for (size_t i = 0; i < r->count; i++) {
		json_object_begin(&j);
		for (size_t f = 0; f < r->records[i].count; f++) {
			const struct ctl_field *field = &r->records[i].fields[f];
			unsigned long long v;

			json_key(&j, field->key);
			if (ctl_numeric_key(field->key) && ctl_all_digits(field->value) &&
			    sscanf(field->value, "%llu", &v) == 1)
				json_uint(&j, v);
			else
				json_string(&j, field->value);
		}
		json_object_end(&j);
	}
	json_array_end(&j);
	if (!json_ok(&j)) {
		alloc_free(buf);
		ctl_error("the reply is too large to print as JSON");
		return CTL_EXIT_FAILED;
	}
	printf("%s\n", buf);
	alloc_free(buf);
	return CTL_EXIT_OK;
}

static const char *ctl_cell(const struct ctl_record *rec, const char *key)
{
	const char *v = ctl_record_get(rec, key);

	return v && *v ? v : "-";
}

/* A table: titles, then one row per record, columns as wide as their widest cell. */
static void ctl_print_table(const struct ctl_global *g, const struct ctl_reply *r,
			    const struct ctl_column *cols, size_t ncols)
{
	size_t width[16] = { 0 };

	for (size_t c = 0; c < ncols && c < ARRAY_SIZE(width); c++) {
		width[c] = strlen(cols[c].title);
		for (size_t i = 0; i < r->count; i++)
			width[c] = MAX(width[c], strlen(ctl_cell(&r->records[i], cols[c].key)));
	}
	if (g->colour)
		fputs("\033[1m", stdout);
	for (size_t c = 0; c < ncols; c++)
		printf("%-*s%s", c + 1 < ncols ? (int)width[c] : 0, cols[c].title,
		       c + 1 < ncols ? "  " : "\n");
	if (g->colour)
		fputs("\033[0m", stdout);
	for (size_t i = 0; i < r->count; i++)
		for (size_t c = 0; c < ncols; c++)
			printf("%-*s%s", c + 1 < ncols ? (int)width[c] : 0,
			       ctl_cell(&r->records[i], cols[c].key), c + 1 < ncols ? "  " : "\n");
}

/* Sends request; on success *reply holds the records.  Returns an exit code. */
static int ctl_ask(const struct ctl_global *g, const char *request, struct ctl_reply *reply)
{
	int err = ctl_request(g->socket_path, request, reply);

	if (err == -ENOENT || err == -ECONNREFUSED) {
		ctl_error("l2tpsecd is not running (no control socket at %s)", g->socket_path);
		return CTL_EXIT_NOT_RUNNING;
	}
	if (err < 0) {
		ctl_error("%s: %s", g->socket_path, strerror(-err));
		return CTL_EXIT_FAILED;
	}
	if (reply->error) {
		ctl_error("%s", reply->error);
		ctl_reply_free(reply);
		return CTL_EXIT_FAILED;
	}
	return CTL_EXIT_OK;
}

static int ctl_show_records(const struct ctl_global *g, const char *request,
			    const struct ctl_column *cols, size_t ncols, const char *none)
{
	struct ctl_reply reply;
	int rc = ctl_ask(g, request, &reply);

	if (rc != CTL_EXIT_OK)
		return rc;
	if (g->json)
		rc = ctl_print_json(&reply);
	else if (reply.count == 0)
		printf("%s\n", none);
	else
		ctl_print_table(g, &reply, cols, ncols);
	ctl_reply_free(&reply);
	return rc;
}

int ctl_cmd_status(const struct ctl_global *g, int argc, char **argv)
{
	static const struct ctl_column cols[] = {
		{ "user", "USER" }, { "address", "ADDRESS" }, { "peer", "PEER" },
		{ "nat", "NAT" }, { "client", "CLIENT" }, { "since", "SINCE" },
		{ "bytes_in", "BYTES IN" }, { "bytes_out", "BYTES OUT" }, { "chain", "LOG CHAIN" },
	};

	if (argc != 1) {
		ctl_error("usage: l2tpsecctl status");
		return CTL_EXIT_USAGE;
	}
	return ctl_show_records(g, "status", cols, ARRAY_SIZE(cols), "no one is connected");
}

int ctl_cmd_show(const struct ctl_global *g, int argc, char **argv)
{
	static const struct ctl_column sa_cols[] = {
		{ "kind", "KIND" }, { "serial", "SERIAL" }, { "parent", "PARENT" },
		{ "state", "STATE" }, { "peer", "PEER" }, { "nat", "NAT" }, { "client", "CLIENT" },
		{ "spi_in", "SPI IN" }, { "spi_out", "SPI OUT" }, { "encap", "ENCAP" },
		{ "cipher", "CIPHER" }, { "age_s", "AGE S" },
	};
	static const struct ctl_column tunnel_cols[] = {
		{ "chain", "LOG CHAIN" }, { "tunnel_id", "TID" }, { "peer_tunnel_id", "PEER TID" },
		{ "peer", "PEER" }, { "host", "HOST" }, { "vendor", "VENDOR" },
		{ "sessions", "SESSIONS" }, { "since", "SINCE" },
	};
	static const struct ctl_column session_cols[] = {
		{ "chain", "LOG CHAIN" }, { "session_id", "SID" }, { "user", "USER" },
		{ "address", "ADDRESS" }, { "interface", "IFACE" }, { "pppd_pid", "PPPD" },
		{ "since", "SINCE" },
	};

	if (argc == 2 && strcmp(argv[1], "sa") == 0)
		return ctl_show_records(g, "show sa", sa_cols, ARRAY_SIZE(sa_cols), "no SA");
	if (argc == 2 && strcmp(argv[1], "tunnels") == 0)
		return ctl_show_records(g, "show tunnels", tunnel_cols, ARRAY_SIZE(tunnel_cols),
					"no L2TP tunnel");
	if (argc == 2 && strcmp(argv[1], "sessions") == 0)
		return ctl_show_records(g, "show sessions", session_cols, ARRAY_SIZE(session_cols),
					"no L2TP session");
	ctl_error("usage: l2tpsecctl show sa|tunnels|sessions");
	return CTL_EXIT_USAGE;
}

/* USER or #SERIAL: one word without spaces (it travels as one word of the request). */
static bool ctl_word_ok(const char *s)
{
	if (!*s || strlen(s) > 64)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f)
			return false;
	return true;
}

int ctl_cmd_kill(const struct ctl_global *g, int argc, char **argv)
{
	static const struct ctl_column cols[] = {
		{ "user", "ENDED" }, { "chain", "LOG CHAIN" },
	};
	char request[96];

	if (argc != 2 || !ctl_word_ok(argv[1])) {
		ctl_error("usage: l2tpsecctl kill USER|#SERIAL");
		return CTL_EXIT_USAGE;
	}
	snprintf(request, sizeof(request), "kill %s", argv[1]);
	return ctl_show_records(g, request, cols, ARRAY_SIZE(cols), "nothing ended");
}

int ctl_cmd_reload(const struct ctl_global *g, int argc, char **argv)
{
	struct ctl_reply reply;
	int rc;

	if (argc != 1) {
		ctl_error("usage: l2tpsecctl reload");
		return CTL_EXIT_USAGE;
	}
	rc = ctl_ask(g, "reload", &reply);
	if (rc != CTL_EXIT_OK)
		return rc;
	if (!g->json)
		printf("configuration reloaded\n");
	else
		printf("[]\n");
	ctl_reply_free(&reply);
	return CTL_EXIT_OK;
}
