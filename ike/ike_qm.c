/*
 * ike_qm.c - the Quick Mode responder.  See ike_qm.h.
 */
#include "ike/ike_qm.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

#include "ike/ike_info.h"
#include "ike/ike_natt.h"
#include "ike/isakmp_const.h"

#define IKE_P2_DEFAULT_SECONDS 28800    /* RFC 2407 §4.5: no life attributes means 8 hours */

static enum ike_state qm_state_of(const void *obj)
{
	return ((const struct ike_child *)obj)->state;
}

/* ------------------------------------------------------------ established */

static void qm_established(struct ike_child *c)
{
	struct ike_engine *e = c->engine;
	const struct ike_sa *sa = c->sa;
	char xfrm[64], natoa[NETADDR_STRLEN] = "none", natd[NETADDR_STRLEN] = "none";
	char peer[NETADDR_STRLEN];

	if (c->natoa_count)
		ike_addr_str(&c->natoa, natoa);
	if (c->p2.udp_encap)
		ike_endpoint_str(&c->params.remote, natd);
	log_msg(&c->lg, LOG_LEVEL_INFO,
		"IPsec SA established {%s=>0x%08x <0x%08x xfrm=%s NATOA=%s NATD=%s DPD=%s peer=%s}",
		c->p2.udp_encap ? "ESPinUDP" : "ESP", c->params.spi_out, c->params.spi_in,
		ike_prop_p2_xfrm_str(&c->p2, xfrm, sizeof(xfrm)), natoa, natd,
		!sa || !sa->dpd_vid ? "unsupported" : e->conf.dpd_interval_ms ? "active" : "passive",
		netaddr_format(&c->params.remote, peer));
	ike_child_handshake_free(c);
	ev_timer_arm(e->loop, &c->expiry, c->params.lifetime_seconds * 1000);
	if (e->ops.child_up)
		e->ops.child_up(e->ops.arg, &c->params);
}

/* The one place a Quick Mode changes state. */
static void qm_set_state(void *obj, enum ike_state next)
{
	struct ike_child *c = obj;

	log_msg(&c->lg, LOG_LEVEL_INFO, "transition from state %s to state %s",
		ike_state_name(c->state), ike_state_name(next));
	c->state = next;
	if (next == IKE_STATE_QUICK_R2)
		qm_established(c);
}

/* ------------------------------------------------------------ QM1 */

static bool qm_id_ok(const struct isakmp_id *id, bool client)
{
	bool addr = id->type == ISAKMP_ID_IPV4_ADDR || id->type == ISAKMP_ID_IPV6_ADDR;

	/* MS KB 818043: old XP may name itself by FQDN on rekey (libreswan ikev1_quick.c). */
	if (client && id->type == ISAKMP_ID_FQDN)
		addr = true;
	return addr && id->protocol == 17 && (id->port == 1701 || id->port == 0);
}

static bool qm_read_ids(struct ike_child *c, const struct ike_rx *rx)
{
	const struct isakmp_payload *pi, *pr;
	struct isakmp_id idci, idcr;
	size_t n = isakmp_msg_count(&rx->msg, ISAKMP_PAYLOAD_ID);

	c->params.remote_l2tp_port = 0;
	if (n == 0)
		return true;
	pi = isakmp_msg_find(&rx->msg, ISAKMP_PAYLOAD_ID, 0);
	pr = isakmp_msg_find(&rx->msg, ISAKMP_PAYLOAD_ID, 1);
	if (n != 2 || isakmp_id_parse(pi->body, &idci) != ISAKMP_OK ||
	    isakmp_id_parse(pr->body, &idcr) != ISAKMP_OK || pi->body.len > IKE_ID_MAX ||
	    pr->body.len > IKE_ID_MAX)
		return false;
	if (!qm_id_ok(&idci, true) || !qm_id_ok(&idcr, false)) {
		log_rl(&c->lg, &c->engine->rl_packet, LOG_LEVEL_WARN,
		       "Quick Mode IDs refused: only UDP/1701 (client port 1701 or 0) is served; "
		       "peer proposed %s/%u/%u -> %s/%u/%u", isakmp_id_type_name(idci.type).str,
		       idci.protocol, idci.port, isakmp_id_type_name(idcr.type).str, idcr.protocol,
		       idcr.port);
		return false;
	}
	memcpy(c->qm->idci, pi->body.p, pi->body.len);
	c->qm->idci_len = pi->body.len;
	memcpy(c->qm->idcr, pr->body.p, pr->body.len);
	c->qm->idcr_len = pr->body.len;
	c->qm->have_ids = true;
	c->params.remote_l2tp_port = idci.port;
	if (idci.type == ISAKMP_ID_IPV4_ADDR || idci.type == ISAKMP_ID_IPV6_ADDR) {
		c->params.peer_original.family = idci.data.len == 4 ? AF_INET : AF_INET6;
		memcpy(c->params.peer_original.addr.bytes, idci.data.p, idci.data.len);
	}
	return true;
}

static bool qm_spi_alloc(struct ike_child *c)
{
	struct ike_engine *e = c->engine;
	struct ike_sa *sa = c->sa;
	uint32_t spi = 0;
	int rc;

	c->params.reqid = ike_reqid_alloc(e);
	if (!c->params.reqid) {
		log_msg(&c->lg, LOG_LEVEL_ERR, "no reqid left in the configured range");
		return false;
	}
	c->reqid_held = true;
	c->params.local = sa->local;
	c->params.remote = sa->remote;
	rc = e->ops.spi_alloc(e->ops.arg, &sa->local, &sa->remote, c->params.reqid, &spi);
	if (rc < 0) {
		e->stats.kernel_errors++;
		log_msg(&c->lg, LOG_LEVEL_ERR, "the kernel refused an inbound SPI: %s", strerror(-rc));
		return false;
	}
	c->params.spi_in = spi;
	c->spi_allocated = true;
	ike_child_index_spi_in(c);
	c->params.spi_out = c->p2.peer_spi;
	ike_child_index_spi_out(c);
	return true;
}

static int qm_send_qm2(struct ike_child *c);

static void qm_dh_work(struct workq_job *job)
{
	struct ike_qm_handshake *qm = container_of(job, struct ike_qm_handshake, job);

	qm->job_result = IKE_CRYPTO_NO_MEMORY;
	qm->dh = ike_dh_new(qm->child->engine->crypto, qm->child->p2.pfs_group);
	if (qm->dh)
		qm->job_result = ike_dh_compute(qm->dh, qm->g_xi, qm->g_xi_len, &qm->g_xy);
}

static void qm_finish(struct ike_child *c, struct ike_rx *rx, int r);

static void qm_dh_done(struct workq_job *job)
{
	struct ike_child *c = container_of(job, struct ike_qm_handshake, job)->child;
	struct ike_rx rx;

	c->busy = false;
	memset(&rx, 0, sizeof(rx));
	rx.event = IKE_EVENT_DH_DONE;
	if (c->sa) {
		rx.local = c->sa->local;
		rx.remote = c->sa->remote;
	}
	qm_finish(c, &rx, ike_machine_step(&ike_qm_machine, c, &rx));
}

/* QM1's payloads into the child: IDs, NAT-OA, nonce, KE. */
static int qm_read_qm1(struct ike_child *c, const struct ike_rx *rx, bool *ke_present)
{
	struct isakmp_nonce nonce;
	struct isakmp_ke ke;
	enum isakmp_verdict v;

	if (isakmp_msg_count(&rx->msg, ISAKMP_PAYLOAD_SA) != 1 ||
	    isakmp_msg_count(&rx->msg, ISAKMP_PAYLOAD_NONCE) != 1 ||
	    isakmp_msg_count(&rx->msg, ISAKMP_PAYLOAD_KE) > 1)
		return IKE_FAIL(PAYLOAD_MALFORMED);
	if (!qm_read_ids(c, rx))
		return IKE_FAIL(INVALID_ID_INFORMATION);
	if (!ike_natt_read_natoa(c, rx))
		return IKE_FAIL(PAYLOAD_MALFORMED);
	v = isakmp_nonce_parse(isakmp_msg_find(&rx->msg, ISAKMP_PAYLOAD_NONCE, 0)->body, &nonce);
	if (v != ISAKMP_OK)
		return (int)isakmp_verdict_notify(v);
	memcpy(c->qm->ni, nonce.data.p, nonce.data.len);
	c->qm->ni_len = nonce.data.len;
	*ke_present = isakmp_msg_count(&rx->msg, ISAKMP_PAYLOAD_KE) == 1;
	if (*ke_present) {
		v = isakmp_ke_parse(isakmp_msg_find(&rx->msg, ISAKMP_PAYLOAD_KE, 0)->body, &ke);
		if (v != ISAKMP_OK || ke.data.len > sizeof(c->qm->g_xi))
			return IKE_FAIL(INVALID_KEY_INFORMATION);
		memcpy(c->qm->g_xi, ke.data.p, ke.data.len);
		c->qm->g_xi_len = ke.data.len;
	}
	return IKE_OK;
}

static int qm_recv_qm1(void *obj, struct ike_rx *rx)
{
	struct ike_child *c = obj;
	struct ike_engine *e = c->engine;
	struct ike_sa *sa = c->sa;
	struct ike_p2_context ctx;
	struct isakmp_sa sap;
	enum isakmp_verdict v;
	int r;

	if (!sa)
		return IKE_DELETE;
	r = qm_read_qm1(c, rx, &ctx.ke_present);
	if (r != IKE_OK)
		return r;
	v = isakmp_sa_parse(isakmp_msg_find(&rx->msg, ISAKMP_PAYLOAD_SA, 0)->body, &sap);
	if (v != ISAKMP_OK)
		return (int)isakmp_verdict_notify(v);
	ctx.natt = sa->natt;
	ctx.nat_detected = ike_natt_nat_detected(sa);
	r = ike_prop_choose_p2(&e->conf.policy, &ctx, &sap, &c->lg, &e->rl_packet, &c->p2);
	if (r) {
		e->stats.no_proposal_chosen++;
		return r;
	}
	if (c->p2.pfs_group && c->qm->g_xi_len != c->p2.pfs_group->public_len)
		return IKE_FAIL(INVALID_KEY_INFORMATION);
	c->qm->nr_len = IKE_NONCE_LEN;
	if (!ike_random(c->qm->nr, c->qm->nr_len))
		return IKE_DELETE;
	c->iv = rx->next_iv;
	ike_reply_request(&c->reply, rx->digest);
	if (!qm_spi_alloc(c))
		return IKE_FAIL(NO_PROPOSAL_CHOSEN);
	if (!c->p2.pfs_group)
		return qm_send_qm2(c);
	workq_job_init(&c->qm->job, qm_dh_work, qm_dh_done);
	c->busy = true;
	if (workq_submit(e->workq, &c->qm->job) != 0) {
		c->busy = false;
		return IKE_DELETE;
	}
	return IKE_PENDING;
}

/* ------------------------------------------------------------ QM2 */

static void qm_build_body(struct ike_child *c, struct ike_tx *tx)
{
	struct isakmp_sa_out out = {
		.proposal_number = c->p2.proposal_number,
		.protocol = ISAKMP_PROTO_IPSEC_ESP,
		.spi = c->params.spi_in,
		.transform_number = c->p2.transform_number,
		.transform_id = c->p2.transform_id,
		.attrs = c->p2.attrs,
		.attr_count = c->p2.attr_count,
	};
	struct isakmp_id id;

	isakmp_sa_build(&tx->b, &out);
	isakmp_nonce_build(&tx->b, (struct wire_span){ c->qm->nr, c->qm->nr_len });
	if (c->p2.pfs_group)
		isakmp_ke_build(&tx->b, ike_dh_public(c->qm->dh));
	if (c->qm->have_ids) {
		if (isakmp_id_parse((struct wire_span){ c->qm->idci, c->qm->idci_len }, &id) == ISAKMP_OK)
			isakmp_id_build(&tx->b, &id);
		if (isakmp_id_parse((struct wire_span){ c->qm->idcr, c->qm->idcr_len }, &id) == ISAKMP_OK)
			isakmp_id_build(&tx->b, &id);
	}
	ike_natt_build_natoa(c, &tx->b);
}

static int qm_send_qm2(struct ike_child *c)
{
	struct ike_engine *e = c->engine;
	struct ike_sa *sa = c->sa;
	struct ike_digest d;
	struct ike_secret skeyid_a;
	enum ike_crypto_verdict v;
	struct ike_tx tx;
	size_t start;
	uint8_t *at;

	ike_tx_begin(e, &tx, sa->cky_i, sa->cky_r, ISAKMP_EXCHANGE_QUICK, ISAKMP_FLAG_ENCRYPTION,
		     c->msgid);
	at = isakmp_hash_build(&tx.b, sa->p1.hash->output_len);
	start = wire_mark(&tx.wr);
	qm_build_body(c, &tx);
	if (!at || !isakmp_builder_ok(&tx.b))
		return IKE_DELETE;
	ike_sa_skeyid_a(sa, &skeyid_a);
	v = ike_qm_hash2(e->crypto, sa->p1.hash, &skeyid_a, c->msgid,
			 (struct wire_span){ c->qm->ni, c->qm->ni_len },
			 (struct wire_span){ e->tx_buf + start, tx.wr.len - start }, &d);
	ike_secret_wipe(&skeyid_a);
	if (v != IKE_CRYPTO_OK)
		return IKE_DELETE;
	memcpy(at, d.bytes, d.len);
	if (!ike_tx_encrypt(e, sa, &c->iv, &tx))
		return IKE_DELETE;
	return ike_tx_send(e, &sa->local, &sa->remote, &tx, &c->reply) ? IKE_OK : IKE_DELETE;
}

static int qm_send_after_dh(void *obj, struct ike_rx *rx)
{
	struct ike_child *c = obj;

	(void)rx;
	if (!c->sa)
		return IKE_DELETE;
	if (c->qm->job_result != IKE_CRYPTO_OK) {
		log_msg(&c->lg, LOG_LEVEL_WARN, "PFS Diffie-Hellman with the peer's KE failed: %s",
			ike_crypto_verdict_name(c->qm->job_result));
		return c->qm->job_result == IKE_CRYPTO_BAD_PUBLIC_VALUE ? IKE_FAIL(INVALID_KEY_INFORMATION)
									: IKE_DELETE;
	}
	return qm_send_qm2(c);
}

/* ------------------------------------------------------------ QM3 */

static uint64_t cap(uint64_t proposed, uint64_t dflt, uint64_t max)
{
	uint64_t v = proposed ? proposed : dflt;

	return max && (v == 0 || v > max) ? max : v;
}

/* Both SAs' keys, the lifetimes, and the kernel.  The keys are wiped whatever happens. */
static bool qm_install(struct ike_child *c)
{
	struct ike_engine *e = c->engine;
	struct ike_sa *sa = c->sa;
	struct ike_child_sa_params *p = &c->params;
	struct ike_esp_keys in, out;
	struct ike_secret skeyid_d;
	const struct ike_secret *g = c->p2.pfs_group ? &c->qm->g_xy : NULL;
	struct wire_span ni = { c->qm->ni, c->qm->ni_len }, nr = { c->qm->nr, c->qm->nr_len };
	bool ok;
	int rc;

	memset(&in, 0, sizeof(in));
	memset(&out, 0, sizeof(out));
	ike_sa_skeyid_d(sa, &skeyid_d);
	ok = ike_esp_keys_derive(e->crypto, sa->p1.hash, &skeyid_d, g, p->spi_in, ni, nr,
				 c->p2.key_len, c->p2.integ, &in) == IKE_CRYPTO_OK &&
	     ike_esp_keys_derive(e->crypto, sa->p1.hash, &skeyid_d, g, p->spi_out, ni, nr,
				 c->p2.key_len, c->p2.integ, &out) == IKE_CRYPTO_OK &&
	     in.enc_key.len <= sizeof(p->cipher_key_in) && in.auth_key.len <= sizeof(p->integ_key_in);
	if (ok) {
		p->local_l2tp_port = e->conf.l2tp_port;
		p->cipher_name = c->p2.cipher->xfrm_name;
		p->cipher_key_len = in.enc_key.len;
		memcpy(p->cipher_key_in, in.enc_key.bytes, in.enc_key.len);
		memcpy(p->cipher_key_out, out.enc_key.bytes, out.enc_key.len);
		p->integ_name = c->p2.integ->xfrm_name;
		p->integ_key_len = in.auth_key.len;
		p->integ_trunc_bits = c->p2.integ->trunc_bits;
		memcpy(p->integ_key_in, in.auth_key.bytes, in.auth_key.len);
		memcpy(p->integ_key_out, out.auth_key.bytes, out.auth_key.len);
		p->encap = c->p2.udp_encap;
		p->local = sa->local;
		p->remote = sa->remote;
		p->lifetime_seconds = cap(c->p2.life_seconds, IKE_P2_DEFAULT_SECONDS,
					  e->conf.p2_max_seconds);
		p->lifetime_kilobytes = cap(c->p2.life_kbytes, 0, e->conf.p2_max_kilobytes);
		if (c->natoa_count)
			p->peer_original = c->natoa;
		rc = e->ops.child_install(e->ops.arg, p);
		if (rc < 0) {
			e->stats.kernel_errors++;
			log_msg(&c->lg, LOG_LEVEL_ERR, "the kernel refused the IPsec SA: %s",
				strerror(-rc));
			ok = false;
		}
	}
	ike_secret_wipe(&skeyid_d);
	ike_esp_keys_wipe(&in);
	ike_esp_keys_wipe(&out);
	util_wipe(p->cipher_key_in, sizeof(p->cipher_key_in));
	util_wipe(p->cipher_key_out, sizeof(p->cipher_key_out));
	util_wipe(p->integ_key_in, sizeof(p->integ_key_in));
	util_wipe(p->integ_key_out, sizeof(p->integ_key_out));
	ike_secret_wipe(&c->qm->g_xy);
	return ok;
}

static int qm_recv_qm3(void *obj, struct ike_rx *rx)
{
	struct ike_child *c = obj;
	struct ike_engine *e = c->engine;
	struct ike_sa *sa = c->sa;
	struct isakmp_hash hash;
	struct ike_digest d;
	struct ike_secret skeyid_a;
	enum ike_crypto_verdict v = IKE_CRYPTO_LIBRARY_ERROR;

	if (!sa)
		return IKE_DELETE;
	if (rx->msg.count == 1 && isakmp_hash_parse(rx->msg.payloads[0].body, &hash) == ISAKMP_OK) {
		ike_sa_skeyid_a(sa, &skeyid_a);
		v = ike_qm_hash3(e->crypto, sa->p1.hash, &skeyid_a, c->msgid,
				 (struct wire_span){ c->qm->ni, c->qm->ni_len },
				 (struct wire_span){ c->qm->nr, c->qm->nr_len }, &d);
		ike_secret_wipe(&skeyid_a);
	}
	if (v != IKE_CRYPTO_OK || hash.data.len != d.len ||
	    CRYPTO_memcmp(hash.data.p, d.bytes, d.len) != 0) {
		e->stats.dropped_auth++;
		rx->why = "HASH(3) did not match";
		return IKE_DROP;
	}
	c->iv = rx->next_iv;
	ike_reply_request(&c->reply, rx->digest);
	if (!qm_install(c)) {
		(void)ike_info_send_delete_esp(sa, c->params.spi_in);
		return IKE_DELETE;
	}
	c->installed = true;
	c->installed_ms = clock_now_ms(ev_loop_clock(e->loop));
	e->stats.ipsec_sas++;
	return IKE_OK;
}

/* ------------------------------------------------------------ the table */

static const struct ike_row qm_rows[] = {
	{ IKE_STATE_NONE, ISAKMP_EXCHANGE_QUICK, IKE_PL_HASH | IKE_PL_SA | IKE_PL_NONCE,
	  IKE_PL_KE | IKE_PL_ID | IKE_PL_NATOA | IKE_PL_N | IKE_PL_VID, true, qm_recv_qm1,
	  IKE_STATE_QUICK_R1 },
	{ IKE_STATE_NONE, IKE_EVENT_DH_DONE, 0, 0, false, qm_send_after_dh, IKE_STATE_QUICK_R1 },
	{ IKE_STATE_QUICK_R1, ISAKMP_EXCHANGE_QUICK, IKE_PL_HASH, 0, true, qm_recv_qm3,
	  IKE_STATE_QUICK_R2 },
};

const struct ike_machine ike_qm_machine = {
	.name = "Quick Mode",
	.rows = qm_rows,
	.count = ARRAY_SIZE(qm_rows),
	.state_of = qm_state_of,
	.set_state = qm_set_state,
};

/* ------------------------------------------------------------ entry point */

static void qm_finish(struct ike_child *c, struct ike_rx *rx, int r)
{
	struct ike_engine *e = c->engine;

	switch (r) {
	case IKE_OK:
	case IKE_PENDING:
		return;
	case IKE_DROP:
		e->stats.dropped_unexpected++;
		log_rl(&c->lg, &e->rl_packet, LOG_LEVEL_INFO, "Quick Mode message dropped: %s (%s)",
		       rx->why, ike_state_name(c->state));
		if (c->state == IKE_STATE_NONE && !c->busy)
			ike_child_delete(c, false, "first message refused");
		return;
	case IKE_DELETE:
		ike_child_delete(c, false, "Quick Mode failed");
		return;
	default:
		if (c->sa) {
			char peer[NETADDR_STRLEN];

			log_rl(&c->lg, &e->rl_packet, LOG_LEVEL_WARN, "sending notification %s to %s",
			       isakmp_notify_name((unsigned)r).str,
			       ike_endpoint_str(&c->sa->remote, peer));
			(void)ike_info_send_notify(c->sa, (uint16_t)r, false, NULL, 0);
		}
		ike_child_delete(c, false, "Quick Mode refused");
		return;
	}
}

/* QM1's HASH(1), checked before anything is created. */
static bool qm_hash1_ok(struct ike_sa *sa, const struct ike_rx *rx)
{
	struct ike_engine *e = sa->engine;
	struct wire_span after = ike_rx_after_hash(rx);
	struct isakmp_hash hash;
	struct ike_digest d;
	struct ike_secret skeyid_a;
	enum ike_crypto_verdict v;

	if (!after.p || isakmp_hash_parse(rx->msg.payloads[0].body, &hash) != ISAKMP_OK)
		return false;
	ike_sa_skeyid_a(sa, &skeyid_a);
	v = ike_qm_hash1(e->crypto, sa->p1.hash, &skeyid_a, rx->hdr.message_id, after, &d);
	ike_secret_wipe(&skeyid_a);
	return v == IKE_CRYPTO_OK && hash.data.len == d.len &&
	       CRYPTO_memcmp(hash.data.p, d.bytes, d.len) == 0;
}

static void qm_drop(struct ike_sa *sa, struct ike_rx *rx, uint64_t *counter, const char *why)
{
	char peer[NETADDR_STRLEN];

	(*counter)++;
	log_rl(&sa->lg, &sa->engine->rl_packet, LOG_LEVEL_INFO,
	       "packet from %s: Quick Mode message %08x dropped: %s",
	       ike_endpoint_str(&rx->remote, peer), rx->hdr.message_id, why);
}

static void qm_recv_new(struct ike_sa *sa, struct ike_rx *rx)
{
	struct ike_engine *e = sa->engine;
	struct ike_child *c;
	struct ike_iv iv;

	if (sa->child_count >= e->conf.children_per_sa) {
		qm_drop(sa, rx, &e->stats.dropped_unexpected, "too many IPsec SAs under this ISAKMP SA");
		return;
	}
	if (ike_iv_phase2(e->crypto, sa->p1.hash, sa->p1.cipher, &sa->iv, rx->hdr.message_id, &iv) !=
		    IKE_CRYPTO_OK ||
	    ike_rx_decrypt(e, sa, &iv, rx) != 0 || !qm_hash1_ok(sa, rx)) {
		qm_drop(sa, rx, &e->stats.dropped_auth, "did not decrypt, or HASH(1) did not match");
		return;
	}
	ike_natt_follow(sa, rx);
	sa->last_heard_ms = clock_now_ms(ev_loop_clock(e->loop));
	/* An authenticated new exchange: the peer has MM6, so it will not ask for it again. */
	ike_reply_clear(&sa->reply);
	c = ike_child_new(sa, rx->hdr.message_id);
	if (!c) {
		qm_drop(sa, rx, &e->stats.dropped_unexpected, "out of memory");
		return;
	}
	char peer[NETADDR_STRLEN];

	log_msg(&c->lg, LOG_LEVEL_INFO, "responding to Quick Mode from %s (ISAKMP SA #%llu)",
		netaddr_format(&sa->remote, peer), (unsigned long long)sa->lg.serial);
	qm_finish(c, rx, ike_machine_step(&ike_qm_machine, c, rx));
}

void ike_qm_recv(struct ike_sa *sa, struct ike_rx *rx)
{
	struct ike_engine *e = sa->engine;
	struct ike_child *c;

	if (sa->state != IKE_STATE_MAIN_R3) {
		qm_drop(sa, rx, &e->stats.dropped_unexpected, "the ISAKMP SA is not established");
		return;
	}
	if (!(rx->hdr.flags & ISAKMP_FLAG_ENCRYPTION) || rx->hdr.message_id == 0) {
		qm_drop(sa, rx, &e->stats.dropped_unexpected, "not encrypted, or message ID 0");
		return;
	}
	c = ike_child_find_msgid(e, sa, rx->hdr.message_id);
	if (!c) {
		qm_recv_new(sa, rx);
		return;
	}
	if (ike_reply_answer(e, &c->reply, rx, &c->lg, &sa->local, &sa->remote, c->state))
		return;
	if (c->busy) {
		qm_drop(sa, rx, &e->stats.dropped_duplicate, "Diffie-Hellman still running");
		return;
	}
	if (ike_rx_decrypt(e, sa, &c->iv, rx) != 0) {
		qm_drop(sa, rx, &e->stats.dropped_auth, "did not decrypt");
		return;
	}
	qm_finish(c, rx, ike_machine_step(&ike_qm_machine, c, rx));
}
