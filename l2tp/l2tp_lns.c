/*
 * l2tp_lns.c - the engine's entry points: configuration, demultiplexing,
 * SCCRQ acceptance, IPsec SA loss, shutdown, statistics; and what both
 * machines share (the table driver, AVP readers, the message builder).
 * See l2tp_lns.h and l2tp_lns_internal.h.
 */
#include "config.h"

#include <errno.h>
#include <openssl/rand.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "l2tp/l2tp_hidden.h"
#include "l2tp/l2tp_lns.h"
#include "l2tp/l2tp_lns_internal.h"
#include "l2tp/l2tp_session.h"
#include "l2tp/l2tp_tunnel.h"
#include "lib/alloc.h"

/* ------------------------------------------------------------ configuration */

void l2tp_lns_conf_default(struct l2tp_lns_conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	l2tp_rel_conf_default(&conf->rel);
	conf->hello_interval_ms = 60000;   /* RFC 2661's suggestion, xl2tpd, accel-ppp */
	conf->setup_timeout_ms = 30000;
	conf->idle_timeout_ms = 10000;  /* a client whose call failed (691) leaves an empty tunnel */
	conf->host_name = "l2tpsec";
	conf->max_tunnels = 4096;
	conf->max_sessions_per_tunnel = 16;
	conf->debug_class = -1;
}

static int lns_conf_check(const struct l2tp_lns_conf *conf)
{
	if (!conf->host_name || conf->host_name[0] == '\0' ||
	    strlen(conf->host_name) > L2TP_LNS_HOST_NAME_MAX ||
	    conf->secret_len > L2TP_LNS_SECRET_MAX || (conf->secret_len > 0 && !conf->secret) ||
	    conf->hello_interval_ms == 0 || conf->setup_timeout_ms == 0 ||
	    conf->max_tunnels == 0 || conf->max_tunnels >= L2TP_TUNNEL_IDS - 1 ||
	    conf->max_sessions_per_tunnel == 0 || conf->max_sessions_per_tunnel > 65535 ||
	    conf->rel.recv_window == 0 || conf->rel.recv_window > L2TP_REL_RECV_WINDOW_MAX ||
	    conf->rel.rto_initial_ms == 0 || conf->rel.rto_max_ms < conf->rel.rto_initial_ms)
		return -EINVAL;
	return 0;
}

/* Copies conf into lns: the strings and the secret into buffers of our own. */
static int lns_conf_set(struct l2tp_lns *lns, const struct l2tp_lns_conf *conf)
{
	char *host_name = alloc_strdup(conf->host_name);
	uint8_t *secret = NULL;

	if (!host_name)
		return -ENOMEM;
	if (conf->secret_len > 0) {
		secret = alloc_memdup(conf->secret, conf->secret_len);
		if (!secret) {
			alloc_free(host_name);
			return -ENOMEM;
		}
	}
	alloc_free(lns->host_name);
	alloc_free_wipe(lns->secret, lns->conf.secret_len);
	lns->conf = *conf;
	lns->host_name = host_name;
	lns->secret = secret;
	lns->conf.host_name = host_name;
	lns->conf.secret = secret;
	return 0;
}

struct l2tp_lns *l2tp_lns_new(struct ev_loop *loop, struct log_ctx *log,
			      const struct l2tp_lns_conf *conf, const struct l2tp_lns_ops *ops)
{
	struct l2tp_lns *lns;

	if (!conf || lns_conf_check(conf) != 0 || !ops || !ops->tunnel_open || !ops->tunnel_send ||
	    !ops->tunnel_close || !ops->session_open || !ops->session_close) {
		errno = EINVAL;
		return NULL;
	}
	lns = alloc_zero(sizeof(*lns));
	if (!lns)
		return NULL;
	lns->loop = loop;
	lns->log = log;
	lns->ops = *ops;
	logger_init_root(&lns->lg, log, "");
	log_ratelimit_init(&lns->rl, 1000, 20);
	lns->by_id = alloc_array(L2TP_TUNNEL_IDS, sizeof(*lns->by_id));
	if (!lns->by_id || lns_conf_set(lns, conf) != 0 ||
	    !l2tp_random(&lns->peer_seed, sizeof(lns->peer_seed))) {
		l2tp_lns_free(lns);
		errno = ENOMEM;
		return NULL;
	}
	return lns;
}

void l2tp_lns_free(struct l2tp_lns *lns)
{
	if (!lns)
		return;
	lns->stopping = true;
	while (lns->tunnels)
		l2tp_tunnel_close(lns->tunnels, "engine stopped");
	alloc_free(lns->by_id);
	alloc_free(lns->host_name);
	alloc_free_wipe(lns->secret, lns->conf.secret_len);
	alloc_free(lns);
}

int l2tp_lns_conf_update(struct l2tp_lns *lns, const struct l2tp_lns_conf *conf)
{
	if (lns_conf_check(conf) != 0)
		return -EINVAL;
	return lns_conf_set(lns, conf);
}

void l2tp_lns_stats(const struct l2tp_lns *lns, struct l2tp_lns_stats *out)
{
	*out = lns->stats;
}

/* ------------------------------------------------------------ shared helpers */

uint64_t l2tp_lns_now_ms(const struct l2tp_lns *lns)
{
	return clock_now_ms(ev_loop_clock(lns->loop));
}

bool l2tp_random(void *p, size_t len)
{
	if (len > (size_t)INT32_MAX)
		return false;
	return RAND_bytes(p, (int)len) == 1;
}

struct l2tp_tunnel *l2tp_lns_find_tunnel(const struct l2tp_lns *lns, uint16_t tunnel_id)
{
	return tunnel_id == 0 ? NULL : lns->by_id[tunnel_id];
}

uint16_t l2tp_lns_firmware_revision(void)
{
	const char *v = PACKAGE_VERSION;
	char *end;
	unsigned long major = strtoul(v, &end, 10), minor = 0;

	if (*end == '.')
		minor = strtoul(end + 1, &end, 10);
	return (uint16_t)(((major & 0xff) << 8) | (minor & 0xff));
}

struct l2tp_answer l2tp_answer_make(enum l2tp_answer_kind kind, uint16_t result, uint16_t error,
				    const char *fmt, ...)
{
	struct l2tp_answer a = { .kind = kind, .result = result, .error = error };
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a.text, sizeof(a.text), fmt, ap);
	va_end(ap);
	return a;
}

/* ------------------------------------------------------------ the table driver */

const struct l2tp_row *l2tp_machine_find(const struct l2tp_machine *m, unsigned state,
					 unsigned type)
{
	for (size_t i = 0; i < m->count; i++)
		if (m->rows[i].state == state && m->rows[i].type == type)
			return &m->rows[i];
	return NULL;
}

struct l2tp_answer l2tp_machine_step(const struct l2tp_machine *m, void *obj,
				     const struct l2tp_rx *rx)
{
	unsigned state = m->state_of(obj);
	const struct l2tp_avp *unknown = l2tp_msg_find_unknown_mandatory(&rx->msg);
	const struct l2tp_row *row;
	struct l2tp_answer a;

	if (unknown)
		return l2tp_answer_make(m->fail, 2, L2TP_ERROR_UNKNOWN_MANDATORY_AVP,
					"unknown mandatory AVP %s",
					l2tp_avp_name(unknown->vendor_id, unknown->type).str);
	row = l2tp_machine_find(m, state, rx->msg.type);
	if (!row)
		return m->unexpected(obj, rx);
	for (unsigned type = 0; type < 64; type++) {
		if (!(row->required & L2TP_NEED(type)))
			continue;
		if (!l2tp_msg_find(&rx->msg, L2TP_VENDOR_IETF, (uint16_t)type))
			return l2tp_answer_make(m->fail, 2, L2TP_ERROR_VENDOR, "missing %s AVP",
						l2tp_avp_name(L2TP_VENDOR_IETF, type).str);
	}
	a = row->handler(obj, rx);
	if (a.kind == L2TP_ANSWER_ACCEPT && row->next != state)
		m->set_state(obj, row->next);
	return a;
}

/* ------------------------------------------------------------ AVP values */

enum l2tp_verdict l2tp_lns_avp_value(struct wire_span secret, const struct l2tp_avp *avp,
				     uint8_t buf[L2TP_AVP_VALUE_MAX], struct wire_span *out)
{
	size_t len = 0;
	enum l2tp_verdict v;

	*out = (struct wire_span){ NULL, 0 };
	if (!avp->hidden) {
		*out = avp->value;
		return L2TP_OK;
	}
	if (secret.len == 0)
		return L2TP_ERR_HIDDEN;
	v = l2tp_avp_unhide(secret, avp->random_vector, avp->type, avp->value, buf,
			    L2TP_AVP_VALUE_MAX, &len);
	if (v == L2TP_OK)
		*out = (struct wire_span){ buf, len };
	return v;
}

enum l2tp_verdict l2tp_lns_avp_u16(struct wire_span secret, const struct l2tp_avp *avp,
				   uint16_t *out)
{
	uint8_t buf[L2TP_AVP_VALUE_MAX];
	struct wire_span value;
	enum l2tp_verdict v = l2tp_lns_avp_value(secret, avp, buf, &value);

	*out = 0;
	if (v == L2TP_OK)
		v = l2tp_avp_get_u16(value, out);
	util_wipe(buf, sizeof(buf));
	return v;
}

enum l2tp_verdict l2tp_lns_avp_u32(struct wire_span secret, const struct l2tp_avp *avp,
				   uint32_t *out)
{
	uint8_t buf[L2TP_AVP_VALUE_MAX];
	struct wire_span value;
	enum l2tp_verdict v = l2tp_lns_avp_value(secret, avp, buf, &value);

	*out = 0;
	if (v == L2TP_OK)
		v = l2tp_avp_get_u32(value, out);
	util_wipe(buf, sizeof(buf));
	return v;
}

void l2tp_lns_avp_sanitized(struct wire_span secret, const struct l2tp_avp *avp, char *dst,
			    size_t dst_size)
{
	uint8_t buf[L2TP_AVP_VALUE_MAX];
	struct wire_span value = { NULL, 0 };

	if (dst_size == 0)
		return;
	dst[0] = '\0';
	if (avp && l2tp_lns_avp_value(secret, avp, buf, &value) == L2TP_OK)
		log_sanitize(dst, dst_size, value.p, value.len);
	util_wipe(buf, sizeof(buf));
}

/* ------------------------------------------------------------ building */

void l2tp_tx_begin(struct l2tp_tx *tx, uint16_t peer_tunnel_id, uint16_t peer_session_id,
		   uint16_t type)
{
	tx->wr = wire_wr_init(tx->buf, sizeof(tx->buf));
	tx->start = l2tp_ctrl_begin(&tx->wr, peer_tunnel_id, peer_session_id);
	l2tp_avp_put_message_type(&tx->wr, type);
}

void l2tp_tx_result(struct l2tp_tx *tx, uint16_t result, uint16_t error, const char *text)
{
	size_t len = text ? strlen(text) : 0;

	l2tp_avp_put_result_code(&tx->wr, result, true, error, text, len);
}

/* ------------------------------------------------------------ demultiplexing */

/* A datagram with Tunnel ID 0: an SCCRQ, new or retransmitted. */
static void lns_recv_sccrq(struct l2tp_lns *lns, const struct l2tp_lns_rx *in, struct l2tp_rx *rx)
{
	struct wire_span secret = { lns->secret, lns->conf.secret_len };
	const struct l2tp_avp *avp;
	struct l2tp_tunnel *t;
	uint16_t peer_tunnel_id = 0;
	char addr[NETADDR_STRLEN];

	if (rx->msg.zlb || rx->msg.type != L2TP_MSG_SCCRQ) {
		lns->stats.dropped_unknown_tunnel++;
		log_rl(&lns->lg, &lns->rl, LOG_LEVEL_INFO,
		       "%s from %s with Tunnel ID 0 dropped: only an SCCRQ may start a tunnel",
		       rx->msg.zlb ? "ZLB" : l2tp_msg_type_name(rx->msg.type).str,
		       netaddr_format(&in->remote, addr));
		return;
	}
	avp = l2tp_msg_find(&rx->msg, L2TP_VENDOR_IETF, L2TP_AVP_ASSIGNED_TUNNEL_ID);
	if (avp && l2tp_lns_avp_u16(secret, avp, &peer_tunnel_id) != L2TP_OK)
		peer_tunnel_id = 0;
	t = peer_tunnel_id ? l2tp_tunnel_find_peer(lns, &in->remote, in->mark, peer_tunnel_id)
			   : NULL;
	if (t) {
		L2TP_DBG(lns, &t->lg, "SCCRQ retransmitted by the peer (peer tid %u)",
			 peer_tunnel_id);
		l2tp_tunnel_recv(t, rx);
		return;
	}
	if (lns->stats.tunnels_now >= lns->conf.max_tunnels) {
		lns->stats.dropped_limit++;
		log_rl(&lns->lg, &lns->rl, LOG_LEVEL_WARN,
		       "SCCRQ from %s dropped: %u tunnels already (max_tunnels)",
		       netaddr_format(&in->remote, addr), lns->conf.max_tunnels);
		return;
	}
	t = l2tp_tunnel_new(lns, in, rx);
	if (t)
		l2tp_tunnel_recv(t, rx);
}

void l2tp_lns_recv(struct l2tp_lns *lns, const struct l2tp_lns_rx *in)
{
	struct l2tp_rx rx;
	struct l2tp_tunnel *t;
	enum l2tp_verdict v;
	char addr[NETADDR_STRLEN];

	lns->stats.datagrams++;
	if (lns->stopping)
		return;
	memset(&rx.hdr, 0, sizeof(rx.hdr));
	rx.msg.count = 0;
	rx.msg.type = 0;
	rx.msg.zlb = false;
	rx.datagram = in->msg;
	rx.len = in->len;
	v = l2tp_hdr_parse((struct wire_span){ in->msg, in->len }, &rx.hdr);
	if (v != L2TP_OK) {
		lns->stats.malformed++;
		log_rl(&lns->lg, &lns->rl, LOG_LEVEL_INFO, "malformed L2TP datagram from %s: %s",
		       netaddr_format(&in->remote, addr), l2tp_verdict_text(v));
		return;
	}
	if (!rx.hdr.control) {
		lns->stats.dropped_data++;
		L2TP_DBG(lns, &lns->lg, "data message from %s for tunnel %u dropped (not the kernel's)",
			 netaddr_format(&in->remote, addr), rx.hdr.tunnel_id);
		return;
	}
	if (rx.hdr.tunnel_id == 0) {
		v = l2tp_msg_parse(rx.hdr.payload, &rx.msg);
		if (v != L2TP_OK) {
			lns->stats.malformed++;
			log_rl(&lns->lg, &lns->rl, LOG_LEVEL_INFO,
			       "malformed control message from %s: %s",
			       netaddr_format(&in->remote, addr), l2tp_verdict_text(v));
			return;
		}
		lns_recv_sccrq(lns, in, &rx);
		return;
	}
	t = l2tp_lns_find_tunnel(lns, rx.hdr.tunnel_id);
	if (!t) {
		lns->stats.dropped_unknown_tunnel++;
		log_rl(&lns->lg, &lns->rl, LOG_LEVEL_INFO,
		       "control message from %s for unknown tunnel %u dropped",
		       netaddr_format(&in->remote, addr), rx.hdr.tunnel_id);
		return;
	}
	if (!netaddr_equal(&in->remote, &t->info.remote) || in->mark != t->info.mark) {
		lns->stats.dropped_wrong_peer++;
		log_rl(&t->lg, &lns->rl, LOG_LEVEL_WARN,
		       "control message from %s mark 0x%x dropped: the tunnel's peer is elsewhere",
		       netaddr_format(&in->remote, addr), (unsigned)in->mark);
		return;
	}
	l2tp_tunnel_recv(t, &rx);
}

/* ------------------------------------------------------------ the daemon's events */

const struct l2tp_session_info *l2tp_session_get_info(const struct l2tp_session *s)
{
	return &s->info;
}

void l2tp_lns_session_disconnect(struct l2tp_lns *lns, struct l2tp_session *s,
				 uint16_t result_code, uint16_t error_code, const char *why)
{
	struct l2tp_tunnel *t = s->tunnel;

	(void)lns;
	l2tp_tunnel_enter(t);
	l2tp_session_disconnect(s, result_code, error_code, why ? why : "");
	l2tp_tunnel_leave(t);
}

void l2tp_lns_ipsec_gone(struct l2tp_lns *lns, uint32_t mark)
{
	struct l2tp_tunnel *t = lns->tunnels, *next;

	for (; t; t = next) {
		next = t->next;
		if (t->info.mark == mark)
			l2tp_tunnel_close(t, "IPsec SA gone");
	}
}

int l2tp_lns_tunnel_stop(struct l2tp_lns *lns, uint16_t tunnel_id, uint16_t result_code,
			 const char *why)
{
	struct l2tp_tunnel *t = tunnel_id ? lns->by_id[tunnel_id] : NULL;

	if (!t || t->state == L2TP_TUNNEL_CLOSING || t->state == L2TP_TUNNEL_STOPPED)
		return -ENOENT;
	l2tp_tunnel_enter(t);
	l2tp_tunnel_stop(t, result_code, 0, why);
	l2tp_tunnel_leave(t);
	return 0;
}

void l2tp_lns_ipsec_replaced(struct l2tp_lns *lns, uint32_t old_mark, uint32_t new_mark)
{
	for (struct l2tp_tunnel *t = lns->tunnels; t; t = t->next)
		if (t->info.mark == old_mark)
			t->info.mark = new_mark;
}

void l2tp_lns_shutdown(struct l2tp_lns *lns)
{
	if (lns->stopping)
		return;
	lns->stopping = true;
	log_msg(&lns->lg, LOG_LEVEL_INFO, "shutting down: StopCCN to every L2TP tunnel");
	while (lns->tunnels) {
		struct l2tp_tunnel *t = lns->tunnels;

		/* Inside enter/leave: stop() may already close the tunnel if rel refuses. */
		l2tp_tunnel_enter(t);
		l2tp_tunnel_stop(t, L2TP_STOPCCN_RESULT_SHUTTING_DOWN, 0, "server shutting down");
		l2tp_tunnel_close(t, "shutdown");
		l2tp_tunnel_leave(t);
	}
}
