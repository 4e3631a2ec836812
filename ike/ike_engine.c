/*
 * ike_engine.c - the engine's entry points: datagram dispatch, limits,
 * configuration, kernel expiry, shutdown.  See ike_engine.h.
 */
#include "ike/ike_engine.h"

#include <errno.h>
#include <string.h>

#include "ike/ike_exchange.h"
#include "ike/ike_info.h"
#include "ike/ike_mm.h"
#include "ike/ike_natt.h"
#include "ike/ike_qm.h"
#include "ike/ike_sa.h"
#include "ike/isakmp_const.h"
#include "lib/alloc.h"

#define IKE_TABLE_BUCKETS 256
#define IKE_REQID_SPAN_MAX (1u << 20)

void ike_engine_conf_default(struct ike_engine_conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	ike_prop_policy_default(&conf->policy);
	conf->p1_max_seconds = 8 * 3600;        /* Windows proposes 28800 s */
	conf->p1_max_kilobytes = 0;
	conf->p2_max_seconds = 8 * 3600;        /* Windows proposes 3600 s and rekeys itself */
	conf->p2_max_kilobytes = 0;
	conf->half_open_per_source = 16;
	conf->half_open_total = 2048;
	conf->exchange_timeout_ms = 60000;      /* pluto: "deleting incomplete state after 60 s" */
	conf->natt_keepalive_ms = 20000;
	conf->dpd_interval_ms = 30000;
	conf->dpd_timeout_ms = 120000;
	conf->reqid_min = 0x4c320000u;
	conf->reqid_max = 0x4c32fffeu;   /* 0x4c32ffff is the L2TP guard's (KXFRM_REQID_GUARD) */
	conf->natt_methods = IKE_NATT_ALLOW_RFC | IKE_NATT_ALLOW_DRAFTS;
	conf->retransmits_answered = 8;
	conf->children_per_sa = 32;
	conf->l2tp_port = 1701;
	conf->debug_class = -1;
}

static int engine_conf_check(const struct ike_engine_conf *conf)
{
	if (conf->psk_len == 0 || conf->psk_len > IKE_SECRET_MAX || !conf->psk ||
	    conf->reqid_min == 0 || conf->reqid_max < conf->reqid_min ||
	    conf->reqid_max - conf->reqid_min >= IKE_REQID_SPAN_MAX ||
	    conf->exchange_timeout_ms == 0 || conf->half_open_total == 0 ||
	    conf->half_open_per_source == 0 || conf->children_per_sa == 0)
		return -EINVAL;
	return 0;
}

static int engine_conf_set(struct ike_engine *e, const struct ike_engine_conf *conf)
{
	if (ike_secret_set(&e->psk, conf->psk, conf->psk_len) != IKE_CRYPTO_OK)
		return -EINVAL;
	e->conf = *conf;
	e->conf.psk = e->psk.bytes;
	return 0;
}

struct ike_engine *ike_engine_new(struct ev_loop *loop, struct log_ctx *log,
				  const struct ike_crypto *crypto, struct workq *workq,
				  const struct ike_engine_conf *conf, const struct ike_engine_ops *ops)
{
	struct ike_engine *e;

	if (engine_conf_check(conf) != 0 || !ops || !ops->send || !ops->spi_alloc ||
	    !ops->child_install || !ops->child_remove)
		return NULL;
	e = alloc_zero(sizeof(*e));
	if (!e)
		return NULL;
	e->loop = loop;
	e->log = log;
	e->crypto = crypto;
	e->workq = workq;
	e->ops = *ops;
	logger_init_root(&e->lg, log, "");
	log_ratelimit_init(&e->rl_packet, 1000, 50);
	e->reqid_span = conf->reqid_max - conf->reqid_min + 1;
	if (engine_conf_set(e, conf) != 0 || !ike_random(e->hash_key, sizeof(e->hash_key)) ||
	    ike_table_init(&e->by_cookies, IKE_TABLE_BUCKETS) != 0 ||
	    ike_table_init(&e->by_icookie, IKE_TABLE_BUCKETS) != 0 ||
	    ike_table_init(&e->by_msgid, IKE_TABLE_BUCKETS) != 0 ||
	    ike_table_init(&e->by_spi_in, IKE_TABLE_BUCKETS) != 0 ||
	    ike_table_init(&e->by_spi_out, IKE_TABLE_BUCKETS) != 0 ||
	    ike_table_init(&e->sources, IKE_TABLE_BUCKETS) != 0 ||
	    !(e->reqid_used = alloc_zero(e->reqid_span / 8 + 1)) ||
	    !(e->rx_buf = alloc_zero(IKE_MSG_MAX)) || !(e->tx_buf = alloc_zero(IKE_MSG_MAX))) {
		ike_engine_free(e);
		return NULL;
	}
	return e;
}

/* Every SA and child, deleted (and announced to the peers when notify). */
static void engine_delete_all(struct ike_engine *e, bool notify, const char *reason)
{
	while (e->sas)
		ike_sa_delete(e->sas, notify, true, reason);
	while (e->children)
		ike_child_delete(e->children, false, reason);
}

void ike_engine_free(struct ike_engine *e)
{
	if (!e)
		return;
	e->stopping = true;
	engine_delete_all(e, false, "engine stopped");
	ike_table_free(&e->by_cookies);
	ike_table_free(&e->by_icookie);
	ike_table_free(&e->by_msgid);
	ike_table_free(&e->by_spi_in);
	ike_table_free(&e->by_spi_out);
	ike_table_free(&e->sources);
	alloc_free(e->reqid_used);
	alloc_free(e->rx_buf);
	alloc_free(e->tx_buf);
	ike_secret_wipe(&e->psk);
	alloc_free(e);
}

void ike_engine_shutdown(struct ike_engine *e)
{
	log_msg(&e->lg, LOG_LEVEL_INFO, "shutting down: deleting every IPsec and ISAKMP SA");
	engine_delete_all(e, true, "shutdown");
}

int ike_engine_conf_update(struct ike_engine *e, const struct ike_engine_conf *conf)
{
	uint32_t span;
	uint8_t *used;

	if (engine_conf_check(conf) != 0)
		return -EINVAL;
	span = conf->reqid_max - conf->reqid_min + 1;
	if (conf->reqid_min != e->conf.reqid_min || span != e->reqid_span) {
		if (e->children)
			return -EBUSY;  /* live children hold reqids of the old range */
		used = alloc_zero(span / 8 + 1);
		if (!used)
			return -ENOMEM;
		alloc_free(e->reqid_used);
		e->reqid_used = used;
		e->reqid_span = span;
		e->reqid_next = 0;
	}
	return engine_conf_set(e, conf);
}

void ike_engine_stats(const struct ike_engine *e, struct ike_engine_stats *out)
{
	*out = e->stats;
	out->half_open_now = e->half_open;
}

void ike_engine_natt_peers(const struct ike_engine *e,
			   void (*fn)(void *arg, const struct ike_natt_peer *peer), void *arg)
{
	for (const struct ike_sa *sa = e->sas; sa; sa = sa->next) {
		struct ike_natt_peer p;

		if (sa->state != IKE_STATE_MAIN_R3 || !ike_natt_nat_detected(sa))
			continue;
		p.serial = sa->serial;
		p.local = sa->local;
		p.remote = sa->remote;
		fn(arg, &p);
	}
}

void ike_engine_kernel_expire(struct ike_engine *e, uint32_t spi_in_or_out, bool hard)
{
	struct ike_child *c = ike_child_find_spi_in(e, spi_in_or_out);

	if (!c)
		c = ike_child_find_spi_out(e, spi_in_or_out, NULL);
	if (!c || !c->installed)
		return;
	if (!hard) {
		log_msg(&c->lg, LOG_LEVEL_INFO,
			"kernel: IPsec SA 0x%08x reached its soft limit; the client rekeys",
			spi_in_or_out);
		return;
	}
	log_msg(&c->lg, LOG_LEVEL_INFO, "kernel: IPsec SA 0x%08x expired; deleting IPsec SA",
		spi_in_or_out);
	ike_child_delete(c, true, "expired in the kernel");
}

/* ------------------------------------------------------------ dispatch */

static bool cookie_zero(const uint8_t *c)
{
	static const uint8_t zero[IKE_COOKIE_LEN];

	return memcmp(c, zero, IKE_COOKIE_LEN) == 0;
}

static void engine_drop(struct ike_engine *e, const struct ike_rx *rx, uint64_t *counter,
			const char *why)
{
	char peer[NETADDR_STRLEN];

	(*counter)++;
	log_rl(&e->lg, &e->rl_packet, LOG_LEVEL_INFO, "packet from %s: %s; dropped",
	       ike_endpoint_str(&rx->remote, peer), why);
}

static void engine_recv_new(struct ike_engine *e, struct ike_rx *rx)
{
	switch (rx->hdr.exchange_type) {
	case ISAKMP_EXCHANGE_ID_PROT:
		ike_mm_recv_initial(e, rx);
		return;
	case ISAKMP_EXCHANGE_AGGRESSIVE:
		e->stats.aggressive_refused++;
		engine_drop(e, rx, &e->stats.dropped_unexpected,
			    "Aggressive Mode refused: with a pre-shared key it exposes the key to "
			    "offline cracking; configure the client for Main Mode");
		return;
	default:
		engine_drop(e, rx, &e->stats.dropped_unknown_sa,
			    "message with a zero responder cookie that is not Main Mode");
		return;
	}
}

void ike_engine_recv(struct ike_engine *e, const struct netaddr *local,
		     const struct netaddr *remote, const uint8_t *msg, size_t len)
{
	struct ike_rx rx;
	struct ike_sa *sa;
	enum isakmp_verdict v;

	e->stats.datagrams++;
	memset(&rx, 0, sizeof(rx));
	rx.local = *local;
	rx.remote = *remote;
	rx.datagram = (struct wire_span){ msg, len };
	v = isakmp_hdr_parse(rx.datagram, &rx.hdr);
	if (v != ISAKMP_OK) {
		engine_drop(e, &rx, &e->stats.malformed, isakmp_verdict_name(v).str);
		return;
	}
	rx.event = rx.hdr.exchange_type;
	ike_rx_digest(e, &rx);
	if (cookie_zero(rx.hdr.responder_cookie)) {
		engine_recv_new(e, &rx);
		return;
	}
	sa = ike_sa_find(e, rx.hdr.initiator_cookie, rx.hdr.responder_cookie);
	if (!sa) {
		engine_drop(e, &rx, &e->stats.dropped_unknown_sa, "unknown cookies (no such ISAKMP SA)");
		return;
	}
	switch (rx.hdr.exchange_type) {
	case ISAKMP_EXCHANGE_ID_PROT:
		ike_mm_recv(sa, &rx);
		return;
	case ISAKMP_EXCHANGE_QUICK:
		ike_qm_recv(sa, &rx);
		return;
	case ISAKMP_EXCHANGE_INFORMATIONAL:
		ike_info_recv(sa, &rx);
		return;
	default:
		engine_drop(e, &rx, &e->stats.dropped_unexpected, "unsupported exchange type");
		return;
	}
}

int ike_engine_child_close(struct ike_engine *e, uint32_t spi_in, const char *reason)
{
	struct ike_child *c = ike_child_find_spi_in(e, spi_in);
	struct ike_sa *sa;

	if (!c || c->state != IKE_STATE_QUICK_R2)
		return -ENOENT;
	sa = c->sa;
	log_msg(&c->lg, LOG_LEVEL_INFO, "deleting IPsec SA: %s", reason);
	ike_child_delete(c, true, reason);
	if (sa && !sa->children)
		ike_sa_delete(sa, true, true, reason);
	return 0;
}

/* research/windows-client.md §1.1-1.3: the MS NT5 ISAKMPOAKLEY version, Apple's and racoon's VIDs. */
static const char *ike_client_guess(const struct ike_sa *sa)
{
	static const char *const windows[] = {
		[2] = "Windows 2000", [3] = "Windows XP", [4] = "Windows XP/2003",
		[5] = "Windows Vista", [6] = "Windows Server 2008", [7] = "Windows 7",
		[8] = "Windows 7/2008 R2", [9] = "Windows 8-11",
	};

	/* Only the MS NT5 VID names Windows: strongSwan and libreswan send FRAGMENTATION too. */
	if (sa->ms_version)
		return sa->ms_version < ARRAY_SIZE(windows) && windows[sa->ms_version]
			       ? windows[sa->ms_version]
			       : "Windows";
	if (sa->apple)
		return "macOS/iOS";
	if (sa->racoon)
		return "Android (racoon)";
	return "other";
}

static void ike_sa_view_fill(const struct ike_engine *e, const struct ike_sa *sa,
			     struct ike_sa_view *v)
{
	uint64_t now = clock_now_ms(ev_loop_clock(e->loop));

	memset(v, 0, sizeof(*v));
	v->serial = sa->serial;
	v->state = ike_state_name(sa->state);
	v->established = sa->state == IKE_STATE_MAIN_R3;
	v->local = sa->local;
	v->remote = sa->remote;
	v->age_ms = now - sa->created_ms;
	v->nat_peer = sa->nat_peer;
	v->nat_us = sa->nat_us;
	v->natt_method = sa->natt ? isakmp_natt_method_name(sa->natt) : "none";
	v->microsoft = sa->microsoft;
	v->ms_version = sa->ms_version;
	v->dpd = sa->dpd_vid;
	v->client = ike_client_guess(sa);
	v->cipher = sa->p1.cipher ? sa->p1.cipher->name : NULL;
	v->hash = sa->p1.hash ? sa->p1.hash->name : NULL;
	v->group = sa->p1.group ? sa->p1.group->name : NULL;
	v->children = sa->child_count;
}

void ike_engine_walk(const struct ike_engine *e, void (*sa_fn)(void *arg, const struct ike_sa_view *v),
		     void (*child_fn)(void *arg, const struct ike_child_view *v), void *arg)
{
	uint64_t now = clock_now_ms(ev_loop_clock(e->loop));

	for (const struct ike_sa *sa = e->sas; sa && sa_fn; sa = sa->next) {
		struct ike_sa_view v;

		ike_sa_view_fill(e, sa, &v);
		sa_fn(arg, &v);
	}
	for (const struct ike_child *c = e->children; c && child_fn; c = c->next) {
		struct ike_child_view v;

		memset(&v, 0, sizeof(v));
		v.serial = c->serial;
		v.parent_serial = c->parent_serial;
		v.state = ike_state_name(c->state);
		v.installed = c->installed;
		v.local = c->params.local;
		v.remote = c->params.remote;
		v.spi_in = c->params.spi_in;
		v.spi_out = c->params.spi_out;
		v.reqid = c->params.reqid;
		v.encap = c->params.encap;
		v.cipher = c->params.cipher_name;
		v.integ = c->params.integ_name;
		v.lifetime_seconds = c->params.lifetime_seconds;
		v.age_ms = c->installed ? now - c->installed_ms : 0;
		child_fn(arg, &v);
	}
}

bool ike_engine_sa_view(const struct ike_engine *e, uint64_t serial, struct ike_sa_view *out)
{
	for (const struct ike_sa *sa = e->sas; sa; sa = sa->next) {
		if (sa->serial == serial) {
			ike_sa_view_fill(e, sa, out);
			return true;
		}
	}
	return false;
}
