/*
 * ike_info.c - Informational exchanges both ways.  See ike_info.h.
 */
#include "ike/ike_info.h"

#include <openssl/crypto.h>
#include <string.h>

#include "ike/ike_natt.h"
#include "ike/isakmp_const.h"

static uint64_t now_ms(const struct ike_engine *e)
{
	return clock_now_ms(ev_loop_clock(e->loop));
}

/* ------------------------------------------------------------ sending */

struct info_fill {
	void (*fn)(struct isakmp_builder *b, const struct ike_sa *sa, const void *arg);
	const void *arg;
};

static bool info_send(struct ike_sa *sa, const struct info_fill *fill)
{
	struct ike_engine *e = sa->engine;
	struct ike_tx tx;
	struct ike_iv iv;
	struct ike_digest d;
	struct ike_secret skeyid_a;
	enum ike_crypto_verdict v = IKE_CRYPTO_LIBRARY_ERROR;
	uint32_t mid = 0;
	size_t start;
	uint8_t *at;

	if (sa->state < IKE_STATE_MAIN_R2 || sa->busy)
		return false;
	while (mid == 0)
		if (!ike_random(&mid, sizeof(mid)))
			return false;
	if (ike_iv_phase2(e->crypto, sa->p1.hash, sa->p1.cipher, &sa->iv, mid, &iv) != IKE_CRYPTO_OK)
		return false;
	ike_tx_begin(e, &tx, sa->cky_i, sa->cky_r, ISAKMP_EXCHANGE_INFORMATIONAL,
		     ISAKMP_FLAG_ENCRYPTION, mid);
	at = isakmp_hash_build(&tx.b, sa->p1.hash->output_len);
	start = wire_mark(&tx.wr);
	fill->fn(&tx.b, sa, fill->arg);
	if (at && isakmp_builder_ok(&tx.b)) {
		ike_sa_skeyid_a(sa, &skeyid_a);
		v = ike_info_hash(e->crypto, sa->p1.hash, &skeyid_a, mid,
				  (struct wire_span){ e->tx_buf + start, tx.wr.len - start }, &d);
		ike_secret_wipe(&skeyid_a);
	}
	if (v != IKE_CRYPTO_OK)
		return false;
	memcpy(at, d.bytes, d.len);
	if (!ike_tx_encrypt(e, sa, &iv, &tx))
		return false;
	return ike_tx_send(e, &sa->local, &sa->remote, &tx, NULL);
}

static void fill_delete_isakmp(struct isakmp_builder *b, const struct ike_sa *sa, const void *arg)
{
	uint8_t spi[16];
	struct isakmp_delete del = { ISAKMP_DOI_IPSEC, ISAKMP_PROTO_ISAKMP, 16, 1, { spi, 16 } };

	(void)arg;
	memcpy(spi, sa->cky_i, 8);
	memcpy(spi + 8, sa->cky_r, 8);
	isakmp_delete_build(b, &del);
}

static void fill_delete_esp(struct isakmp_builder *b, const struct ike_sa *sa, const void *arg)
{
	uint32_t spi = *(const uint32_t *)arg;
	uint8_t be[4] = { (uint8_t)(spi >> 24), (uint8_t)(spi >> 16), (uint8_t)(spi >> 8),
			  (uint8_t)spi };
	struct isakmp_delete del = { ISAKMP_DOI_IPSEC, ISAKMP_PROTO_IPSEC_ESP, 4, 1, { be, 4 } };

	(void)sa;
	isakmp_delete_build(b, &del);
}

struct notify_arg {
	uint16_t type;
	bool spi_cookies;
	const uint8_t *data;
	size_t data_len;
};

static void fill_notify(struct isakmp_builder *b, const struct ike_sa *sa, const void *arg)
{
	const struct notify_arg *na = arg;
	uint8_t spi[16];
	struct isakmp_notify n = { ISAKMP_DOI_IPSEC, ISAKMP_PROTO_ISAKMP, na->type,
				   { spi, na->spi_cookies ? 16 : 0 }, { na->data, na->data_len } };

	memcpy(spi, sa->cky_i, 8);
	memcpy(spi + 8, sa->cky_r, 8);
	isakmp_notify_build(b, &n);
}

bool ike_info_send_delete_isakmp(struct ike_sa *sa)
{
	struct info_fill f = { fill_delete_isakmp, NULL };

	return info_send(sa, &f);
}

bool ike_info_send_delete_esp(struct ike_sa *sa, uint32_t spi_in)
{
	struct info_fill f = { fill_delete_esp, &spi_in };

	return info_send(sa, &f);
}

bool ike_info_send_notify(struct ike_sa *sa, uint16_t type, bool spi_cookies, const uint8_t *data,
			  size_t data_len)
{
	struct notify_arg na = { type, spi_cookies, data, data_len };
	struct info_fill f = { fill_notify, &na };

	if (!info_send(sa, &f))
		return false;
	sa->engine->stats.notifies_sent++;
	return true;
}

void ike_info_send_plain_notify(struct ike_engine *e, const uint8_t cky_i[IKE_COOKIE_LEN],
				const uint8_t cky_r[IKE_COOKIE_LEN], const struct netaddr *local,
				const struct netaddr *remote, uint16_t type)
{
	struct ike_tx tx;
	struct isakmp_notify n = { ISAKMP_DOI_IPSEC, ISAKMP_PROTO_ISAKMP, type, { NULL, 0 },
				   { NULL, 0 } };

	ike_tx_begin(e, &tx, cky_i, cky_r, ISAKMP_EXCHANGE_INFORMATIONAL, 0, 0);
	isakmp_notify_build(&tx.b, &n);
	if (ike_tx_send(e, local, remote, &tx, NULL))
		e->stats.notifies_sent++;
}

/* ------------------------------------------------------------ receiving */

static bool info_mid_seen(const struct ike_sa *sa, uint32_t mid)
{
	for (size_t i = 0; i < ARRAY_SIZE(sa->info_mids); i++)
		if (sa->info_mids[i] == mid)
			return true;
	return false;
}

static void info_mid_remember(struct ike_sa *sa, uint32_t mid)
{
	sa->info_mids[sa->info_mid_next] = mid;
	sa->info_mid_next = (sa->info_mid_next + 1) % ARRAY_SIZE(sa->info_mids);
}

static uint32_t be32_at(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void info_recv_notify(struct ike_sa *sa, const struct isakmp_notify *n)
{
	struct ike_engine *e = sa->engine;
	uint8_t cookies[16];

	memcpy(cookies, sa->cky_i, 8);
	memcpy(cookies + 8, sa->cky_r, 8);
	switch (n->type) {
	case ISAKMP_NOTIFY_R_U_THERE:
	case ISAKMP_NOTIFY_R_U_THERE_ACK:
		if (n->data.len != 4 || n->spi.len != 16 || memcmp(n->spi.p, cookies, 16) != 0) {
			log_rl(&sa->lg, &e->rl_packet, LOG_LEVEL_INFO,
			       "ignoring malformed %s", isakmp_notify_name(n->type).str);
			return;
		}
		if (n->type == ISAKMP_NOTIFY_R_U_THERE) {
			IKE_DBG(e, &sa->lg, "answering R_U_THERE seq %u", be32_at(n->data.p));
			(void)ike_info_send_notify(sa, ISAKMP_NOTIFY_R_U_THERE_ACK, true, n->data.p, 4);
		} else if (sa->dpd_outstanding && be32_at(n->data.p) == sa->dpd_seq) {
			sa->dpd_outstanding = false;
			ev_timer_arm(e->loop, &sa->dpd_due, e->conf.dpd_interval_ms);
		}
		return;
	case ISAKMP_NOTIFY_INITIAL_CONTACT:
		log_msg(&sa->lg, LOG_LEVEL_INFO, "received INITIAL_CONTACT");
		sa->initial_contact = true;
		ike_info_initial_contact(sa);
		return;
	default:
		log_rl(&sa->lg, &e->rl_packet,
		       n->type < ISAKMP_NOTIFY_CONNECTED ? LOG_LEVEL_WARN : LOG_LEVEL_INFO,
		       "received notification %s", isakmp_notify_name(n->type).str);
		return;
	}
}

static void info_recv_delete(struct ike_sa *sa, const struct isakmp_delete *del, bool *self)
{
	struct ike_engine *e = sa->engine;

	for (size_t i = 0; i < del->spi_count; i++) {
		struct wire_span spi = isakmp_delete_spi(del, i);
		struct ike_child *c;
		uint32_t v;

		if (del->protocol == ISAKMP_PROTO_ISAKMP && spi.len == 16) {
			if (memcmp(spi.p, sa->cky_i, 8) == 0 && memcmp(spi.p + 8, sa->cky_r, 8) == 0)
				*self = true;
			else
				log_rl(&sa->lg, &e->rl_packet, LOG_LEVEL_INFO,
				       "ignoring Delete SA payload for another ISAKMP SA");
			continue;
		}
		if (del->protocol != ISAKMP_PROTO_IPSEC_ESP || spi.len != 4) {
			log_rl(&sa->lg, &e->rl_packet, LOG_LEVEL_INFO,
			       "ignoring Delete SA payload of %s", isakmp_protocol_name(del->protocol).str);
			continue;
		}
		v = be32_at(spi.p);
		c = ike_child_find_spi_out(e, v, &sa->remote);
		if (!c) {
			log_rl(&sa->lg, &e->rl_packet, LOG_LEVEL_INFO,
			       "received Delete SA(0x%08x) payload: no IPsec SA with that SPI; ignored", v);
			continue;
		}
		log_msg(&sa->lg, LOG_LEVEL_INFO,
			"received Delete SA(0x%08x) payload: deleting IPSEC State #%llu", v,
			(unsigned long long)c->serial);
		ike_child_delete(c, false, "deleted by peer");
	}
}

/* (MAIN_R1, Informational in the clear): before any keys only notifies can come, logged. */
static int info_recv_plain(void *obj, struct ike_rx *rx)
{
	struct ike_sa *sa = obj;
	char peer[NETADDR_STRLEN];

	ike_endpoint_str(&rx->remote, peer);
	for (size_t i = 0; i < rx->msg.count; i++) {
		struct isakmp_notify n;

		if (rx->msg.payloads[i].type == ISAKMP_PAYLOAD_NOTIFY &&
		    isakmp_notify_parse(rx->msg.payloads[i].body, &n) == ISAKMP_OK)
			log_rl(&sa->lg, &sa->engine->rl_packet, LOG_LEVEL_INFO,
			       "packet from %s: ignoring informational payload %s", peer,
			       isakmp_notify_name(n.type).str);
	}
	return IKE_OK;
}

/*
 * (MAIN_R2/R3, encrypted Informational): HASH(1) first, then every Notify and
 * Delete; IKE_DELETE when the peer deleted this very ISAKMP SA.
 */
static int info_recv_protected(void *obj, struct ike_rx *rx)
{
	struct ike_sa *sa = obj;
	struct ike_engine *e = sa->engine;
	struct wire_span after = ike_rx_after_hash(rx);
	struct isakmp_hash hash;
	struct ike_digest d;
	struct ike_secret skeyid_a;
	enum ike_crypto_verdict v = IKE_CRYPTO_LIBRARY_ERROR;
	bool self = false;

	if (after.p && isakmp_hash_parse(rx->msg.payloads[0].body, &hash) == ISAKMP_OK) {
		ike_sa_skeyid_a(sa, &skeyid_a);
		v = ike_info_hash(e->crypto, sa->p1.hash, &skeyid_a, rx->hdr.message_id, after, &d);
		ike_secret_wipe(&skeyid_a);
	}
	if (v != IKE_CRYPTO_OK || hash.data.len != d.len ||
	    CRYPTO_memcmp(hash.data.p, d.bytes, d.len) != 0) {
		e->stats.dropped_auth++;
		rx->why = "its HASH did not match";
		return IKE_DROP;
	}
	info_mid_remember(sa, rx->hdr.message_id);
	if (sa->state == IKE_STATE_MAIN_R3)
		ike_natt_follow(sa, rx);
	sa->last_heard_ms = now_ms(e);
	for (size_t i = 1; i < rx->msg.count; i++) {
		const struct isakmp_payload *p = &rx->msg.payloads[i];
		struct isakmp_notify n;
		struct isakmp_delete del;

		if (p->type == ISAKMP_PAYLOAD_NOTIFY && isakmp_notify_parse(p->body, &n) == ISAKMP_OK)
			info_recv_notify(sa, &n);
		else if (p->type == ISAKMP_PAYLOAD_DELETE &&
			 isakmp_delete_parse(p->body, &del) == ISAKMP_OK)
			info_recv_delete(sa, &del, &self);
		else
			log_rl(&sa->lg, &e->rl_packet, LOG_LEVEL_INFO,
			       "ignoring %s payload in an Informational",
			       isakmp_payload_name(p->type).str);
	}
	return self ? IKE_DELETE : IKE_OK;
}

static enum ike_state info_state_of(const void *obj)
{
	return ((const struct ike_sa *)obj)->state;
}

/* Informationals never change the ISAKMP SA's state (every row keeps it). */
static void info_set_state(void *obj, enum ike_state next)
{
	(void)obj;
	(void)next;
}

static const struct ike_row info_rows[] = {
	{ IKE_STATE_MAIN_R1, ISAKMP_EXCHANGE_INFORMATIONAL, IKE_PL_N, IKE_PL_VID, false,
	  info_recv_plain, IKE_STATE_MAIN_R1 },
	{ IKE_STATE_MAIN_R2, ISAKMP_EXCHANGE_INFORMATIONAL, IKE_PL_HASH,
	  IKE_PL_N | IKE_PL_D | IKE_PL_VID, true, info_recv_protected, IKE_STATE_MAIN_R2 },
	{ IKE_STATE_MAIN_R3, ISAKMP_EXCHANGE_INFORMATIONAL, IKE_PL_HASH,
	  IKE_PL_N | IKE_PL_D | IKE_PL_VID, true, info_recv_protected, IKE_STATE_MAIN_R3 },
};

const struct ike_machine ike_info_machine = {
	.name = "Informational",
	.rows = info_rows,
	.count = ARRAY_SIZE(info_rows),
	.state_of = info_state_of,
	.set_state = info_set_state,
};

/* Decrypts (own IV from the message ID) or parses; false (counted, logged) to ignore it. */
static bool info_decode(struct ike_sa *sa, struct ike_rx *rx)
{
	struct ike_engine *e = sa->engine;
	uint32_t mid = rx->hdr.message_id;
	struct ike_iv iv;

	if (!(rx->hdr.flags & ISAKMP_FLAG_ENCRYPTION)) {
		if (isakmp_payloads_parse(rx->hdr.next_payload, rx->hdr.body, false, &rx->msg) !=
		    ISAKMP_OK) {
			e->stats.malformed++;
			return false;
		}
		ike_rx_classify(rx);
		return true;
	}
	rx->encrypted = true;
	if (sa->state < IKE_STATE_MAIN_R2 || sa->busy)
		return true;    /* no keys: the table refuses it */
	if (mid == 0 || info_mid_seen(sa, mid)) {
		e->stats.dropped_duplicate++;
		return false;
	}
	if (ike_iv_phase2(e->crypto, sa->p1.hash, sa->p1.cipher, &sa->iv, mid, &iv) != IKE_CRYPTO_OK ||
	    ike_rx_decrypt(e, sa, &iv, rx) != 0) {
		e->stats.dropped_auth++;
		log_rl(&sa->lg, &e->rl_packet, LOG_LEVEL_WARN,
		       "Informational message did not decrypt; dropped");
		return false;
	}
	return true;
}

void ike_info_recv(struct ike_sa *sa, struct ike_rx *rx)
{
	struct ike_engine *e = sa->engine;
	char peer[NETADDR_STRLEN];
	int r;

	if (!info_decode(sa, rx))
		return;
	r = ike_machine_step(&ike_info_machine, sa, rx);
	if (r == IKE_DROP) {
		if (!rx->why || strcmp(rx->why, "its HASH did not match") != 0)
			e->stats.dropped_unexpected++;
		log_rl(&sa->lg, &e->rl_packet, LOG_LEVEL_INFO,
		       "packet from %s: Informational dropped: %s (%s)",
		       ike_endpoint_str(&rx->remote, peer), rx->why, ike_state_name(sa->state));
	} else if (r == IKE_DELETE) {
		log_msg(&sa->lg, LOG_LEVEL_INFO, "received Delete SA payload: deleting ISAKMP State #%llu",
			(unsigned long long)sa->serial);
		ike_sa_delete(sa, false, false, "deleted by peer");
	}
}

/* ------------------------------------------------------------ DPD and INITIAL-CONTACT */

void ike_info_on_dpd_due(struct ev_timer *t)
{
	struct ike_sa *sa = container_of(t, struct ike_sa, dpd_due);
	struct ike_engine *e = sa->engine;
	uint64_t now = now_ms(e), idle = now - sa->last_heard_ms;
	uint8_t seq[4];

	if (sa->dpd_outstanding) {
		if (now - sa->dpd_sent_ms >= e->conf.dpd_timeout_ms) {
			log_msg(&sa->lg, LOG_LEVEL_WARN,
				"DPD: No response from peer - declaring peer dead");
			ike_sa_delete(sa, false, true, "dead peer (DPD)");
			return;
		}
		ev_timer_arm(e->loop, &sa->dpd_due, e->conf.dpd_timeout_ms - (now - sa->dpd_sent_ms));
		return;
	}
	if (idle < e->conf.dpd_interval_ms) {
		ev_timer_arm(e->loop, &sa->dpd_due, e->conf.dpd_interval_ms - idle);
		return;
	}
	sa->dpd_seq++;
	seq[0] = (uint8_t)(sa->dpd_seq >> 24);
	seq[1] = (uint8_t)(sa->dpd_seq >> 16);
	seq[2] = (uint8_t)(sa->dpd_seq >> 8);
	seq[3] = (uint8_t)sa->dpd_seq;
	(void)ike_info_send_notify(sa, ISAKMP_NOTIFY_R_U_THERE, true, seq, sizeof(seq));
	sa->dpd_outstanding = true;
	sa->dpd_sent_ms = now;
	ev_timer_arm(e->loop, &sa->dpd_due, e->conf.dpd_timeout_ms);
}

void ike_info_initial_contact(struct ike_sa *sa)
{
	struct ike_sa *o, *next;

	if (sa->state != IKE_STATE_MAIN_R3)
		return;         /* applied once established (mm_established) */
	for (o = sa->source->sas; o; o = next) {
		next = o->source_next;
		if (o == sa || o->state != IKE_STATE_MAIN_R3 || o->peer_id_type != sa->peer_id_type ||
		    o->peer_id_len != sa->peer_id_len ||
		    (sa->peer_id_len && memcmp(o->peer_id, sa->peer_id, sa->peer_id_len) != 0))
			continue;
		log_msg(&sa->lg, LOG_LEVEL_INFO,
			"INITIAL_CONTACT: deleting ISAKMP SA #%llu and its IPsec SAs "
			"(same peer ID, same address)", (unsigned long long)o->serial);
		ike_sa_delete(o, false, true, "replaced after INITIAL_CONTACT");
	}
}
