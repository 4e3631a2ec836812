/*
 * conf - the daemon's configuration: libconfig file -> immutable struct conf.
 *
 * A table of every setting (path, type, default, check) drives both the
 * parser and the unknown-setting check, so a typo is an error rather than a
 * silently ignored line.  Every setting has a default except ike.psk.  Errors
 * read "FILE:LINE: SETTING: reason"; a value is quoted in an error only when
 * the setting is not secret.  conf_load never logs: the caller decides where
 * the error goes (stderr for -n, the log for a SIGHUP reload).
 *
 * Ownership: conf_load returns a new struct conf; the daemon swaps it in on
 * reload and frees the old one with conf_free, which wipes the secret.
 */
#ifndef L2TPSEC_DAEMON_CONF_H
#define L2TPSEC_DAEMON_CONF_H

#include <stdbool.h>
#include <stddef.h>

#include "ike/ike_engine.h"
#include "lib/log.h"
#include "lib/netaddr.h"
#include "lib/util.h"

#define CONF_ERROR_MAX 1024
#define CONF_PSK_MAX 256

/* The debug classes the daemon knows; "log.debug" and -d name them. */
#define CONF_DEBUG_CLASSES(X)    \
	X(CONF, "conf")          \
	X(IKE_WIRE, "ike-wire")  \
	X(IKE_FSM, "ike-fsm")    \
	X(IKE_CRYPTO, "ike-crypto") \
	X(XFRM, "xfrm")          \
	X(L2TP_WIRE, "l2tp-wire") \
	X(L2TP_FSM, "l2tp-fsm")  \
	X(PPP, "ppp")

enum conf_debug_class {
#define CONF_DEBUG_ENUM(name, text) CONF_DEBUG_##name,
	CONF_DEBUG_CLASSES(CONF_DEBUG_ENUM)
#undef CONF_DEBUG_ENUM
	CONF_DEBUG_COUNT
};

extern const char *const conf_debug_class_names[CONF_DEBUG_COUNT];

struct conf {
	/* ike */
	char psk[CONF_PSK_MAX];         /* secret: wiped by conf_free, never printed */
	size_t psk_len;
	struct netaddr ike_listen;      /* AF_UNSPEC: every IPv4 address */
	unsigned ike_port;              /* 500 */
	unsigned ike_natt_port;         /* 4500 */
	struct ike_engine_conf ike;     /* what the engine gets; ike.psk points at psk above */
	bool ike_bench_no_kernel;       /* benchmarks only: no kernel IPsec state (needs !l2tp_enabled) */
	/* log */
	char *log_file;                 /* NULL: no file sink */
	bool log_syslog;
	enum log_level log_level;
	char *log_debug;                /* debug classes spec, "" for none */
	/* daemon */
	char *pid_file;
	/* l2tp */
	unsigned l2tp_port;             /* 1701 */
	unsigned l2tp_hello_ms;         /* HELLO after this much silence (60 s) */
	unsigned l2tp_retries;          /* retransmissions before a peer is declared gone (5) */
	unsigned l2tp_idle_ms;          /* a tunnel without a session this long is closed (10 s; 0 never) */
	unsigned l2tp_max_tunnels;      /* 4096 */
	unsigned l2tp_max_sessions_per_tunnel;  /* 16 */
	bool l2tp_allow_clear;          /* tests only: accept L2TP that did not come through IPsec */
	bool l2tp_enabled;              /* false: IKE only (tests, IKE benchmarks) */
	/* ppp */
	struct netaddr ppp_local;       /* our address on every PPP link */
	struct netaddr ppp_pool_first, ppp_pool_last;
	struct netaddr ppp_dns[2], ppp_wins[2];  /* AF_UNSPEC: not set */
	unsigned ppp_mtu;               /* MTU and MRU of the PPP link (1380) */
	unsigned ppp_lcp_echo_interval; /* seconds; 0: no LCP echo */
	unsigned ppp_lcp_echo_failure;
	char *ppp_pppd;                 /* the pppd binary */
	char *ppp_plugin;               /* our pppd plugin */
	bool ppp_debug;                 /* pppd's debug option */
	/* users */
	char *users_file;
	bool users_end_sessions;        /* a deleted or disabled user's sessions end at the reload */
	/* the control socket */
	char *control_socket;
	char *control_group;            /* "" : root only */
};

struct conf_error {
	char text[CONF_ERROR_MAX];
};

/* Parse and check FILE.  NULL on any error, with err->text filled. */
struct conf *conf_load(const char *path, struct conf_error *err) WARN_UNUSED;

/* The same from a string, for tests and the fuzz target; name stands for the file. */
struct conf *conf_load_string(const char *text, const char *name, struct conf_error *err) WARN_UNUSED;

void conf_free(struct conf *conf);

#endif
