/*
 * conf.c - libconfig file -> struct conf, driven by one table of settings.
 */
#include "config.h"

#include <errno.h>
#include <libconfig.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "daemon/conf.h"
#include "lib/alloc.h"

const char *const conf_debug_class_names[CONF_DEBUG_COUNT] = {
#define CONF_DEBUG_NAME(name, text) [CONF_DEBUG_##name] = text,
	CONF_DEBUG_CLASSES(CONF_DEBUG_NAME)
#undef CONF_DEBUG_NAME
};

enum conf_type {
	CONF_GROUP,
	CONF_STRING,
	CONF_BOOL,
	CONF_INT,
};

struct conf_entry;

/* A check sees the raw value and stores it; NULL reason means accepted. */
typedef const char *conf_check_fn(struct conf *conf, const struct conf_entry *entry,
				  const config_setting_t *setting);

struct conf_entry {
	const char *path;
	enum conf_type type;
	bool required;          /* no default: must be in the file */
	bool secret;            /* never quoted in an error */
	const char *default_string;
	int default_int;        /* also bool */
	conf_check_fn *check;
	/* CONF_INT settings: where the value goes and its range (in the file's unit) */
	size_t offset;          /* into struct conf */
	size_t size;            /* 4 (unsigned) or 8 (uint64_t) */
	unsigned long long min, max;
	unsigned scale;         /* stored value = file value * scale (seconds -> ms) */
	enum ike_prop_class prop_class; /* CONF_STRING algorithm lists */
};

static conf_check_fn conf_check_psk;
static conf_check_fn conf_check_log_file;
static conf_check_fn conf_check_log_syslog;
static conf_check_fn conf_check_log_level;
static conf_check_fn conf_check_log_debug;
static conf_check_fn conf_check_pid_file;
static conf_check_fn conf_check_uint;
static conf_check_fn conf_check_flag;
static conf_check_fn conf_check_listen;
static conf_check_fn conf_check_algorithms;
static conf_check_fn conf_check_pfs;
static conf_check_fn conf_check_nat_traversal;
static conf_check_fn conf_check_ppp_local;
static conf_check_fn conf_check_ppp_pool;
static conf_check_fn conf_check_ppp_servers;
static conf_check_fn conf_check_path;
static conf_check_fn conf_check_group;

#define CONF_UINT(path_, field_, min_, max_, scale_)                                         \
	{ .path = path_, .type = CONF_INT, .check = conf_check_uint,                         \
	  .offset = offsetof(struct conf, field_), .size = sizeof(((struct conf *)0)->field_),  \
	  .min = min_, .max = max_, .scale = scale_ }
#define CONF_ALGORITHMS(path_, class_, field_)                                              \
	{ .path = path_, .type = CONF_STRING, .check = conf_check_algorithms,                \
	  .offset = offsetof(struct conf, field_), .prop_class = class_ }

/* Every setting the daemon knows.  Groups first so unknown-setting checks can walk them. */
static const struct conf_entry conf_entries[] = {
	{ .path = "ike", .type = CONF_GROUP },
	{ .path = "ike.psk", .type = CONF_STRING, .required = true, .secret = true,
	  .check = conf_check_psk },
	{ .path = "ike.listen", .type = CONF_STRING, .check = conf_check_listen },
	CONF_UINT("ike.port", ike_port, 1, 65535, 1),
	CONF_UINT("ike.natt_port", ike_natt_port, 1, 65535, 1),
	CONF_ALGORITHMS("ike.ciphers", IKE_PROP_CLASS_CIPHER, ike.policy.p1_ciphers),
	CONF_ALGORITHMS("ike.hashes", IKE_PROP_CLASS_HASH, ike.policy.p1_hashes),
	CONF_ALGORITHMS("ike.groups", IKE_PROP_CLASS_GROUP, ike.policy.p1_groups),
	CONF_ALGORITHMS("ike.esp_ciphers", IKE_PROP_CLASS_CIPHER, ike.policy.p2_ciphers),
	CONF_ALGORITHMS("ike.esp_integrity", IKE_PROP_CLASS_INTEG, ike.policy.p2_integs),
	CONF_ALGORITHMS("ike.pfs_groups", IKE_PROP_CLASS_GROUP, ike.policy.p2_pfs_groups),
	{ .path = "ike.pfs", .type = CONF_STRING, .check = conf_check_pfs },
	{ .path = "ike.nat_traversal", .type = CONF_STRING, .check = conf_check_nat_traversal },
	{ .path = "ike.force_encapsulation", .type = CONF_BOOL, .check = conf_check_flag,
	  .offset = offsetof(struct conf, ike.natt_force_encapsulation) },
	CONF_UINT("ike.isakmp_lifetime_max", ike.p1_max_seconds, 60, 7 * 86400, 1),
	CONF_UINT("ike.ipsec_lifetime_max", ike.p2_max_seconds, 60, 7 * 86400, 1),
	CONF_UINT("ike.ipsec_lifebytes_max", ike.p2_max_kilobytes, 0, 1ull << 40, 1),
	CONF_UINT("ike.half_open_per_source", ike.half_open_per_source, 1, 65535, 1),
	CONF_UINT("ike.half_open_total", ike.half_open_total, 1, 1000000, 1),
	CONF_UINT("ike.exchange_timeout", ike.exchange_timeout_ms, 5, 600, 1000),
	CONF_UINT("ike.dpd_interval", ike.dpd_interval_ms, 0, 3600, 1000),
	CONF_UINT("ike.dpd_timeout", ike.dpd_timeout_ms, 5, 3600, 1000),
	CONF_UINT("ike.natt_keepalive", ike.natt_keepalive_ms, 0, 3600, 1000),
	{ .path = "ike.bench_no_kernel", .type = CONF_BOOL, .check = conf_check_flag,
	  .offset = offsetof(struct conf, ike_bench_no_kernel) },
	{ .path = "log", .type = CONF_GROUP },
	{ .path = "log.file", .type = CONF_STRING, .default_string = "",
	  .check = conf_check_log_file },
	{ .path = "log.syslog", .type = CONF_BOOL, .default_int = 1,
	  .check = conf_check_log_syslog },
	{ .path = "log.level", .type = CONF_STRING, .default_string = "info",
	  .check = conf_check_log_level },
	{ .path = "log.debug", .type = CONF_STRING, .default_string = "",
	  .check = conf_check_log_debug },
	{ .path = "daemon", .type = CONF_GROUP },
	{ .path = "daemon.pid_file", .type = CONF_STRING,
	  .default_string = L2TPSEC_RUNDIR "/l2tpsecd.pid", .check = conf_check_pid_file },
	{ .path = "l2tp", .type = CONF_GROUP },
	CONF_UINT("l2tp.port", l2tp_port, 1, 65535, 1),
	CONF_UINT("l2tp.hello_interval", l2tp_hello_ms, 1, 3600, 1000),
	CONF_UINT("l2tp.retransmits", l2tp_retries, 1, 20, 1),
	CONF_UINT("l2tp.idle_timeout", l2tp_idle_ms, 0, 3600, 1000),
	CONF_UINT("l2tp.max_tunnels", l2tp_max_tunnels, 1, 65533, 1),   /* tunnel IDs are 16-bit, 0 is reserved */
	CONF_UINT("l2tp.max_sessions_per_tunnel", l2tp_max_sessions_per_tunnel, 1, 65535, 1),
	{ .path = "l2tp.allow_clear", .type = CONF_BOOL, .check = conf_check_flag,
	  .offset = offsetof(struct conf, l2tp_allow_clear) },
	{ .path = "l2tp.enabled", .type = CONF_BOOL, .check = conf_check_flag,
	  .offset = offsetof(struct conf, l2tp_enabled) },
	{ .path = "ppp", .type = CONF_GROUP },
	{ .path = "ppp.local_address", .type = CONF_STRING, .default_string = "10.8.0.1",
	  .check = conf_check_ppp_local },
	{ .path = "ppp.pool", .type = CONF_STRING, .default_string = "10.8.0.10-10.8.0.254",
	  .check = conf_check_ppp_pool },
	{ .path = "ppp.dns", .type = CONF_STRING, .default_string = "",
	  .check = conf_check_ppp_servers, .offset = offsetof(struct conf, ppp_dns) },
	{ .path = "ppp.wins", .type = CONF_STRING, .default_string = "",
	  .check = conf_check_ppp_servers, .offset = offsetof(struct conf, ppp_wins) },
	CONF_UINT("ppp.mtu", ppp_mtu, 576, 1500, 1),
	CONF_UINT("ppp.lcp_echo_interval", ppp_lcp_echo_interval, 0, 3600, 1),
	CONF_UINT("ppp.lcp_echo_failure", ppp_lcp_echo_failure, 1, 100, 1),
	{ .path = "ppp.pppd", .type = CONF_STRING, .default_string = "/usr/sbin/pppd",
	  .check = conf_check_path, .offset = offsetof(struct conf, ppp_pppd) },
	{ .path = "ppp.plugin", .type = CONF_STRING,
	  .default_string = PPPD_PLUGINDIR "/l2tpsec.so",
	  .check = conf_check_path, .offset = offsetof(struct conf, ppp_plugin) },
	{ .path = "ppp.debug", .type = CONF_BOOL, .check = conf_check_flag,
	  .offset = offsetof(struct conf, ppp_debug) },
	{ .path = "users", .type = CONF_GROUP },
	{ .path = "users.file", .type = CONF_STRING, .default_string = L2TPSEC_SYSCONFDIR "/l2tpsec/users",
	  .check = conf_check_path, .offset = offsetof(struct conf, users_file) },
	{ .path = "users.end_sessions", .type = CONF_BOOL, .check = conf_check_flag,
	  .offset = offsetof(struct conf, users_end_sessions) },
	{ .path = "daemon.control_socket", .type = CONF_STRING,
	  .default_string = L2TPSEC_RUNDIR "/l2tpsecd.sock",
	  .check = conf_check_path, .offset = offsetof(struct conf, control_socket) },
	{ .path = "daemon.control_group", .type = CONF_STRING, .default_string = "",
	  .check = conf_check_group },
};

static const char *const conf_type_names[] = {
	[CONF_GROUP] = "a group { ... }",
	[CONF_STRING] = "a string in double quotes",
	[CONF_BOOL] = "true or false",
	[CONF_INT] = "an integer",
};

/* ------------------------------------------------------------------ errors */

static void conf_error_set(struct conf_error *err, const char *file, int line,
			   const char *setting, const char *fmt, ...) PRINTF_LIKE(5, 6);

static void conf_error_set(struct conf_error *err, const char *file, int line,
			   const char *setting, const char *fmt, ...)
{
	char reason[CONF_ERROR_MAX / 2];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	snprintf(err->text, sizeof(err->text), "%.300s:%d: %.128s: %s", file, line, setting, reason);
}

/* The path of a setting from the root, "ike.psk"; list elements as "[i]". */
static void conf_setting_path(const config_setting_t *setting, char *buf, size_t size)
{
	const config_setting_t *chain[16];
	size_t depth = 0, used = 0;

	buf[0] = '\0';
	for (; setting && !config_setting_is_root(setting) && depth < ARRAY_SIZE(chain);
	     setting = config_setting_parent(setting))
		chain[depth++] = setting;
	while (depth-- > 0 && used < size) {
		const char *name = config_setting_name(chain[depth]);
		int n;

		if (name)
			n = snprintf(buf + used, size - used, "%s%s", used ? "." : "", name);
		else
			n = snprintf(buf + used, size - used, "[%d]",
				     config_setting_index(chain[depth]));
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

/* ------------------------------------------------------------------ checks */

static const char *conf_string_value(const config_setting_t *setting)
{
	const char *value = config_setting_get_string(setting);

	return value ? value : "";
}

/* A path the daemon will open: absolute, printable, no newline. */
static const char *conf_reason_path(const char *value, bool may_be_empty)
{
	if (value[0] == '\0')
		return may_be_empty ? NULL : "must not be empty";
	if (value[0] != '/')
		return "must be an absolute path";
	for (const char *c = value; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return "contains a control character";
	return NULL;
}

static const char *conf_store_string(char **field, const char *value)
{
	char *copy = alloc_strdup(value);

	if (!copy)
		return "out of memory";
	alloc_free(*field);
	*field = copy;
	return NULL;
}

static const char *conf_check_psk(struct conf *conf, const struct conf_entry *entry,
				  const config_setting_t *setting)
{
	const char *value = conf_string_value(setting);
	size_t len = strlen(value);

	if (len == 0)
		return "must not be empty";
	if (len >= sizeof(conf->psk))
		return "longer than 255 bytes";
	memcpy(conf->psk, value, len);
	conf->psk_len = len;
	return NULL;
}

static const char *conf_check_log_file(struct conf *conf, const struct conf_entry *entry,
				       const config_setting_t *setting)
{
	const char *value = setting ? conf_string_value(setting) : entry->default_string;
	const char *reason = conf_reason_path(value, true);

	if (reason)
		return reason;
	if (value[0] == '\0')
		return NULL;
	return conf_store_string(&conf->log_file, value);
}

static const char *conf_check_log_syslog(struct conf *conf, const struct conf_entry *entry,
					 const config_setting_t *setting)
{
	conf->log_syslog = setting ? config_setting_get_bool(setting) : entry->default_int;
	return NULL;
}

static const char *conf_check_log_level(struct conf *conf, const struct conf_entry *entry,
					const config_setting_t *setting)
{
	static const struct {
		const char *name;
		enum log_level level;
	} levels[] = {
		{ "error", LOG_LEVEL_ERR },   { "warning", LOG_LEVEL_WARN },
		{ "notice", LOG_LEVEL_NOTICE }, { "info", LOG_LEVEL_INFO },
		{ "debug", LOG_LEVEL_DEBUG },
	};
	const char *value = setting ? conf_string_value(setting) : entry->default_string;

	for (size_t i = 0; i < ARRAY_SIZE(levels); i++) {
		if (strcmp(value, levels[i].name) == 0) {
			conf->log_level = levels[i].level;
			return NULL;
		}
	}
	return "must be one of error, warning, notice, info, debug";
}

static const char *conf_check_log_debug(struct conf *conf, const struct conf_entry *entry,
					const config_setting_t *setting)
{
	const char *value = setting ? conf_string_value(setting) : entry->default_string;
	char word[64];
	size_t len;

	/* A comma-separated list of class names, "all" or "none"; '-' removes. */
	for (const char *p = value; *p; p += len + (p[len] == ',')) {
		len = strcspn(p, ",");
		const char *name = p[0] == '-' ? p + 1 : p;
		size_t name_len = p[0] == '-' ? len - 1 : len;
		bool known = false;

		if (name_len == 0 || name_len >= sizeof(word))
			return "has an empty or overlong class name";
		memcpy(word, name, name_len);
		word[name_len] = '\0';
		known = strcmp(word, "all") == 0 || strcmp(word, "none") == 0;
		for (size_t i = 0; i < CONF_DEBUG_COUNT && !known; i++)
			known = strcmp(word, conf_debug_class_names[i]) == 0;
		if (!known)
			return "names an unknown debug class (known: all, none, conf, ike-wire, "
			       "ike-fsm, ike-crypto, xfrm, l2tp-wire, l2tp-fsm, ppp)";
	}
	return conf_store_string(&conf->log_debug, value);
}

static const char *conf_check_pid_file(struct conf *conf, const struct conf_entry *entry,
				       const config_setting_t *setting)
{
	const char *value = setting ? conf_string_value(setting) : entry->default_string;
	const char *reason = conf_reason_path(value, false);

	return reason ? reason : conf_store_string(&conf->pid_file, value);
}

/* An unsigned number in its range, stored scaled; absent: the default stays. */
static const char *conf_check_uint(struct conf *conf, const struct conf_entry *entry,
				   const config_setting_t *setting)
{
	long long value;
	unsigned long long stored;
	uint8_t *field = (uint8_t *)conf + entry->offset;

	if (!setting)
		return NULL;
	value = config_setting_get_int64(setting);
	if (value < 0 || (unsigned long long)value < entry->min ||
	    (unsigned long long)value > entry->max)
		return "out of range";
	stored = (unsigned long long)value * entry->scale;
	if (entry->size == sizeof(uint64_t)) {
		uint64_t wide = stored;

		memcpy(field, &wide, sizeof(wide));
	} else {
		unsigned narrow = (unsigned)stored;

		if (stored > UINT_MAX)
			return "out of range";
		memcpy(field, &narrow, sizeof(narrow));
	}
	return NULL;
}

/* A boolean stored at entry->offset; absent: the default stays. */
static const char *conf_check_flag(struct conf *conf, const struct conf_entry *entry,
				   const config_setting_t *setting)
{
	bool value;

	if (!setting)
		return NULL;
	value = config_setting_get_bool(setting) != 0;
	memcpy((uint8_t *)conf + entry->offset, &value, sizeof(value));
	return NULL;
}

static const char *conf_check_listen(struct conf *conf, const struct conf_entry *entry,
				     const config_setting_t *setting)
{
	const char *value = setting ? conf_string_value(setting) : "";

	if (value[0] == '\0')
		return NULL;
	if (!netaddr_parse(&conf->ike_listen, value, 0))
		return "is not an IP address";
	if (conf->ike_listen.family != AF_INET)
		return "must be an IPv4 address (IPv6 is not supported yet)";
	return NULL;
}

/* Absolute paths stored into a char * field. */
static const char *conf_check_path(struct conf *conf, const struct conf_entry *entry,
				   const config_setting_t *setting)
{
	const char *value = setting ? conf_string_value(setting) : entry->default_string;
	const char *reason = conf_reason_path(value, false);
	char **field = (char **)(void *)((uint8_t *)conf + entry->offset);

	return reason ? reason : conf_store_string(field, value);
}

/* A group name for the control socket: "" or [A-Za-z0-9_.-]{1,32} (resolved at start). */
static const char *conf_check_group(struct conf *conf, const struct conf_entry *entry,
				    const config_setting_t *setting)
{
	const char *value = setting ? conf_string_value(setting) : entry->default_string;
	size_t len = strlen(value);

	if (len > 32 || strspn(value, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				       "0123456789_.-") != len)
		return "must be a group name";
	return conf_store_string(&conf->control_group, value);
}

static bool conf_parse_ipv4(struct netaddr *out, const char *text, size_t len)
{
	char buf[NETADDR_STRLEN];

	if (len == 0 || len >= sizeof(buf))
		return false;
	memcpy(buf, text, len);
	buf[len] = '\0';
	return netaddr_parse(out, buf, 0) && out->family == AF_INET;
}

static const char *conf_check_ppp_local(struct conf *conf, const struct conf_entry *entry,
					const config_setting_t *setting)
{
	const char *value = setting ? conf_string_value(setting) : entry->default_string;

	return conf_parse_ipv4(&conf->ppp_local, value, strlen(value)) ? NULL
									 : "is not an IPv4 address";
}

/* "FIRST-LAST", both IPv4, FIRST <= LAST, at most 65536 addresses. */
static const char *conf_check_ppp_pool(struct conf *conf, const struct conf_entry *entry,
				       const config_setting_t *setting)
{
	const char *value = setting ? conf_string_value(setting) : entry->default_string;
	const char *dash = strchr(value, '-');
	uint32_t first, last;

	if (!dash || !conf_parse_ipv4(&conf->ppp_pool_first, value, (size_t)(dash - value)) ||
	    !conf_parse_ipv4(&conf->ppp_pool_last, dash + 1, strlen(dash + 1)))
		return "must be FIRST-LAST, two IPv4 addresses";
	first = ntohl(conf->ppp_pool_first.addr.v4.s_addr);
	last = ntohl(conf->ppp_pool_last.addr.v4.s_addr);
	if (first > last)
		return "FIRST is above LAST";
	if (last - first >= 65536)
		return "holds more than 65536 addresses";
	return NULL;
}

/* "" or up to two IPv4 addresses separated by a comma (DNS or WINS for Windows). */
static const char *conf_check_ppp_servers(struct conf *conf, const struct conf_entry *entry,
					  const config_setting_t *setting)
{
	const char *value = setting ? conf_string_value(setting) : entry->default_string;
	struct netaddr *out = (struct netaddr *)(void *)((uint8_t *)conf + entry->offset);
	size_t count = 0, len;

	for (const char *p = value; *p; p += len + (p[len] == ',')) {
		len = strcspn(p, ",");
		if (count == 2)
			return "lists more than two addresses";
		if (!conf_parse_ipv4(&out[count++], p, len))
			return "must be one or two IPv4 addresses separated by a comma";
	}
	return NULL;
}

/* "aes256,aes128,3des": the words of ike_prop_bits_parse; absent: the default stays. */
static const char *conf_check_algorithms(struct conf *conf, const struct conf_entry *entry,
					 const config_setting_t *setting)
{
	uint32_t bits;

	if (!setting)
		return NULL;
	if (ike_prop_bits_parse(entry->prop_class, conf_string_value(setting), &bits) < 0)
		return "names an unknown or unsupported algorithm";
	if (bits == 0)
		return "must name at least one algorithm";
	memcpy((uint8_t *)conf + entry->offset, &bits, sizeof(bits));
	return NULL;
}

static const char *conf_check_pfs(struct conf *conf, const struct conf_entry *entry,
				  const config_setting_t *setting)
{
	const char *value = setting ? conf_string_value(setting) : "optional";

	if (strcmp(value, "optional") == 0 || strcmp(value, "required") == 0) {
		conf->ike.policy.p2_pfs_required = value[0] == 'r';
		return NULL;
	}
	return "must be \"optional\" or \"required\"";
}

static const char *conf_check_nat_traversal(struct conf *conf, const struct conf_entry *entry,
					    const config_setting_t *setting)
{
	const char *value = setting ? conf_string_value(setting) : "rfc,drafts";
	unsigned methods = 0;
	size_t len;

	for (const char *p = value; *p; p += len + (p[len] == ',')) {
		len = strcspn(p, ",");
		if (len == 3 && strncmp(p, "rfc", 3) == 0)
			methods |= IKE_NATT_ALLOW_RFC;
		else if (len == 6 && strncmp(p, "drafts", 6) == 0)
			methods |= IKE_NATT_ALLOW_DRAFTS;
		else
			return "must list \"rfc\" and/or \"drafts\"";
	}
	if (!methods)
		return "must list \"rfc\" and/or \"drafts\"";
	conf->ike.natt_methods = methods;
	return NULL;
}

/* ------------------------------------------------------------------ walk */

static const struct conf_entry *conf_entry_find(const char *path)
{
	for (size_t i = 0; i < ARRAY_SIZE(conf_entries); i++)
		if (strcmp(conf_entries[i].path, path) == 0)
			return &conf_entries[i];
	return NULL;
}

static bool conf_type_matches(enum conf_type type, const config_setting_t *setting)
{
	switch (type) {
	case CONF_GROUP:
		return config_setting_is_group(setting);
	case CONF_STRING:
		return config_setting_type(setting) == CONFIG_TYPE_STRING;
	case CONF_BOOL:
		return config_setting_type(setting) == CONFIG_TYPE_BOOL;
	case CONF_INT:
		return config_setting_type(setting) == CONFIG_TYPE_INT ||
		       config_setting_type(setting) == CONFIG_TYPE_INT64;
	}
	return false;
}

/* Every setting in the file must be one we know, of the right type. */
static bool conf_walk_known(const config_setting_t *group, const char *file, struct conf_error *err)
{
	int count = config_setting_length(group);

	for (int i = 0; i < count; i++) {
		const config_setting_t *setting = config_setting_get_elem(group, (unsigned)i);
		const struct conf_entry *entry;
		char path[128];

		conf_setting_path(setting, path, sizeof(path));
		entry = conf_entry_find(path);
		if (!entry) {
			conf_error_set(err, file, config_setting_source_line(setting), path,
				       "unknown setting");
			return false;
		}
		if (!conf_type_matches(entry->type, setting)) {
			conf_error_set(err, file, config_setting_source_line(setting), path,
				       "must be %s", conf_type_names[entry->type]);
			return false;
		}
		if (entry->type == CONF_GROUP && !conf_walk_known(setting, file, err))
			return false;
	}
	return true;
}

/* The line to blame for a missing setting: its group's, else the file's last. */
static int conf_missing_line(const config_t *cfg, const char *path, int last_line)
{
	char group[128];
	const char *dot = strrchr(path, '.');
	const config_setting_t *parent;

	if (!dot || (size_t)(dot - path) >= sizeof(group))
		return last_line;
	memcpy(group, path, (size_t)(dot - path));
	group[dot - path] = '\0';
	parent = config_lookup(cfg, group);
	return parent ? (int)config_setting_source_line(parent) : last_line;
}

static bool conf_apply(struct conf *conf, const config_t *cfg, const char *file, int last_line,
		       struct conf_error *err)
{
	for (size_t i = 0; i < ARRAY_SIZE(conf_entries); i++) {
		const struct conf_entry *entry = &conf_entries[i];
		const config_setting_t *setting;
		const char *reason;

		if (entry->type == CONF_GROUP)
			continue;
		setting = config_lookup(cfg, entry->path);
		if (!setting && entry->required) {
			conf_error_set(err, file, conf_missing_line(cfg, entry->path, last_line),
				       entry->path, "required setting is missing (it has no default)");
			return false;
		}
		reason = entry->check(conf, entry, setting);
		if (reason) {
			int line = setting ? (int)config_setting_source_line(setting)
					   : conf_missing_line(cfg, entry->path, last_line);

			if (setting && entry->type == CONF_STRING && !entry->secret)
				conf_error_set(err, file, line, entry->path, "%s: \"%s\"", reason,
					       conf_string_value(setting));
			else
				conf_error_set(err, file, line, entry->path, "%s", reason);
			return false;
		}
	}
	return true;
}

static int conf_count_lines(const char *text)
{
	int lines = 1;

	for (; *text; text++)
		if (*text == '\n' && text[1] != '\0')
			lines++;
	return lines;
}

static struct conf *conf_from_parsed(config_t *cfg, const char *name, int last_line,
				     struct conf_error *err)
{
	struct conf *conf = alloc_zero(sizeof(*conf));

	if (!conf) {
		snprintf(err->text, sizeof(err->text), "%s: out of memory", name);
		return NULL;
	}
	/* The engine's defaults are the file's defaults: one source for both. */
	ike_engine_conf_default(&conf->ike);
	conf->ike_port = 500;
	conf->ike_natt_port = 4500;
	conf->l2tp_port = 1701;
	conf->l2tp_enabled = true;
	conf->users_end_sessions = true;
	conf->l2tp_hello_ms = 60000;
	conf->l2tp_retries = 5;
	conf->l2tp_idle_ms = 10000;
	conf->l2tp_max_tunnels = 4096;
	conf->l2tp_max_sessions_per_tunnel = 16;
	conf->ppp_mtu = 1380;    /* DESIGN.md "PPP MTU": fits a 1500-byte path with every suite */
	conf->ppp_lcp_echo_interval = 30;
	conf->ppp_lcp_echo_failure = 4;
	if (!conf_walk_known(config_root_setting(cfg), name, err) ||
	    !conf_apply(conf, cfg, name, last_line, err)) {
		conf_free(conf);
		return NULL;
	}
	conf->ike.psk = (const uint8_t *)conf->psk;
	conf->ike.psk_len = conf->psk_len;
	uint32_t local = ntohl(conf->ppp_local.addr.v4.s_addr);

	if (local >= ntohl(conf->ppp_pool_first.addr.v4.s_addr) &&
	    local <= ntohl(conf->ppp_pool_last.addr.v4.s_addr)) {
		snprintf(err->text, sizeof(err->text),
			 "%s: ppp.local_address: must not be inside ppp.pool", name);
		conf_free(conf);
		return NULL;
	}
	if (conf->ike_bench_no_kernel && conf->l2tp_enabled) {
		snprintf(err->text, sizeof(err->text),
			 "%s: ike.bench_no_kernel: needs l2tp.enabled = false (benchmarks only)", name);
		conf_free(conf);
		return NULL;
	}
	if (conf->ike_port == conf->ike_natt_port) {
		snprintf(err->text, sizeof(err->text), "%s: ike.natt_port: must differ from ike.port",
			 name);
		conf_free(conf);
		return NULL;
	}
	return conf;
}

/* libconfig takes @include only at the start of a line (after blanks). */
static bool conf_has_include(const char *text)
{
	for (const char *line = text; line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		line += strspn(line, " \t\r");
		if (strncmp(line, "@include", 8) == 0)
			return true;
	}
	return false;
}

static struct conf *conf_parse(const char *text, const char *name, struct conf_error *err)
{
	config_t cfg;
	struct conf *conf = NULL;

	config_init(&cfg);
	/* No @include: one file is the whole configuration, and -n checks all of it. */
	if (conf_has_include(text)) {
		snprintf(err->text, sizeof(err->text), "%s: @include is not supported", name);
		goto out;
	}
	if (config_read_string(&cfg, text) != CONFIG_TRUE) {
		const char *what = config_error_text(&cfg);

		snprintf(err->text, sizeof(err->text), "%s:%d: syntax: %s", name,
			 config_error_line(&cfg), what ? what : "parse error");
		goto out;
	}
	conf = conf_from_parsed(&cfg, name, conf_count_lines(text), err);
out:
	config_destroy(&cfg);
	return conf;
}

struct conf *conf_load_string(const char *text, const char *name, struct conf_error *err)
{
	return conf_parse(text, name, err);
}

/* Largest configuration we read: far more than any real one. */
#define CONF_FILE_MAX (1024 * 1024)

struct conf *conf_load(const char *path, struct conf_error *err)
{
	FILE *file = fopen(path, "re");
	struct conf *conf = NULL;
	char *text = NULL;
	size_t len = 0;

	if (!file) {
		snprintf(err->text, sizeof(err->text), "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	text = alloc_zero(CONF_FILE_MAX + 1);
	if (!text) {
		snprintf(err->text, sizeof(err->text), "%s: out of memory", path);
		goto out;
	}
	len = fread(text, 1, CONF_FILE_MAX + 1, file);
	if (ferror(file)) {
		snprintf(err->text, sizeof(err->text), "%s: read error", path);
		goto out;
	}
	if (len > CONF_FILE_MAX) {
		snprintf(err->text, sizeof(err->text), "%s: larger than %d bytes", path, CONF_FILE_MAX);
		goto out;
	}
	if (memchr(text, '\0', len)) {
		snprintf(err->text, sizeof(err->text), "%s: contains a NUL byte", path);
		goto out;
	}
	conf = conf_parse(text, path, err);
out:
	if (text) {
		/* The text holds the PSK. */
		util_wipe(text, len);
		alloc_free(text);
	}
	fclose(file);
	return conf;
}

void conf_free(struct conf *conf)
{
	if (!conf)
		return;
	util_wipe(conf->psk, sizeof(conf->psk));
	alloc_free(conf->log_file);
	alloc_free(conf->log_debug);
	alloc_free(conf->pid_file);
	alloc_free(conf->ppp_pppd);
	alloc_free(conf->ppp_plugin);
	alloc_free(conf->users_file);
	alloc_free(conf->control_socket);
	alloc_free(conf->control_group);
	alloc_free(conf);
}
