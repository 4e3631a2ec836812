/*
 * ike_mm.c - the Main Mode responder.  See ike_mm.h.
 */
#include "ike/ike_mm.h"

#include <arpa/inet.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

#include "ike/ike_info.h"
#include "ike/ike_natt.h"
#include "ike/isakmp_const.h"
#include "lib/alloc.h"

static enum ike_state mm_state_of(const void *obj)
{
	return ((const struct ike_sa *)obj)->state;
}

static uint64_t now_ms(const struct ike_engine *e)
{
	return clock_now_ms(ev_loop_clock(e->loop));
}

/* ------------------------------------------------------------ established */

static void mm_established(struct ike_sa *sa)
{
	struct ike_engine *e = sa->engine;
	uint64_t life = sa->p1.life_seconds ? sa->p1.life_seconds : 28800;
	char cipher[32], peer[NETADDR_STRLEN];

	ike_sa_established(sa);
	ike_sa_handshake_free(sa);
	/* The seed's words, plus the peer pluto's own prefix would have named. */
	log_msg(&sa->lg, LOG_LEVEL_INFO,
		"sent MR3, ISAKMP SA established {auth=PRESHARED_KEY cipher=%s integ=%s group=%s peer=%s}",
		ike_prop_p1_cipher_str(&sa->p1, cipher, sizeof(cipher)),
		ike_prop_prf_str(sa->p1.hash), ike_prop_group_str(sa->p1.group),
		netaddr_format(&sa->remote, peer));
	if (e->conf.p1_max_seconds && life > e->conf.p1_max_seconds) {
		log_msg(&sa->lg, LOG_LEVEL_INFO, "ISAKMP SA lifetime %llus capped to %llus",
			(unsigned long long)life, (unsigned long long)e->conf.p1_max_seconds);
		life = e->conf.p1_max_seconds;
	}
	sa->created_ms = now_ms(e);
	ev_timer_arm(e->loop, &sa->expiry, life * 1000);
	if (e->conf.dpd_interval_ms && sa->dpd_vid)
		ev_timer_arm(e->loop, &sa->dpd_due, e->conf.dpd_interval_ms);
	else if (e->conf.dpd_interval_ms)
		log_msg(&sa->lg, LOG_LEVEL_INFO,
			"Configured DPD (RFC 3706) support not enabled because remote peer did not "
			"advertise DPD support");
	if (sa->initial_contact)
		ike_info_initial_contact(sa);
}

/* The one place a Main Mode changes state. */
static void mm_set_state(void *obj, enum ike_state next)
{
	struct ike_sa *sa = obj;

	log_msg(&sa->lg, LOG_LEVEL_INFO, "transition from state %s to state %s",
		ike_state_name(sa->state), ike_state_name(next));
	sa->state = next;
	if (next == IKE_STATE_MAIN_R3)
		mm_established(sa);
}

/* ------------------------------------------------------------ MM1 -> MM2 */

static bool mm_send_sa(struct ike_sa *sa)
{
	struct ike_engine *e = sa->engine;
	struct ike_tx tx;
	struct wire_span vid;
	struct isakmp_sa_out out = {
		.proposal_number = sa->p1.proposal_number,
		.protocol = ISAKMP_PROTO_ISAKMP,
		.transform_number = sa->p1.transform_number,
		.transform_id = ISAKMP_KEY_IKE,
		.attrs = sa->p1.attrs,
		.attr_count = sa->p1.attr_count,
	};

	ike_tx_begin(e, &tx, sa->cky_i, sa->cky_r, ISAKMP_EXCHANGE_ID_PROT, 0, 0);
	isakmp_sa_build(&tx.b, &out);
	if (ike_natt_vid_bytes(sa->natt, &vid))
		isakmp_vid_build(&tx.b, vid);
	if (ike_natt_dpd_vid_bytes(&vid))
		isakmp_vid_build(&tx.b, vid);
	return ike_tx_send(e, &sa->local, &sa->remote, &tx, &sa->reply);
}

static int mm_recv_sa(void *obj, struct ike_rx *rx)
{
	struct ike_sa *sa = obj;
	struct ike_engine *e = sa->engine;
	const struct isakmp_payload *p = isakmp_msg_find(&rx->msg, ISAKMP_PAYLOAD_SA, 0);
	struct isakmp_sa sap;
	enum isakmp_verdict v;
	char addr[NETADDR_STRLEN];
	uint16_t r;

	log_msg(&sa->lg, LOG_LEVEL_INFO, "responding to Main Mode from unknown peer %s",
		ike_addr_str(&rx->remote, addr));
	if (isakmp_msg_count(&rx->msg, ISAKMP_PAYLOAD_SA) != 1)
		return IKE_FAIL(PAYLOAD_MALFORMED);
	v = isakmp_sa_parse(p->body, &sap);
	if (v != ISAKMP_OK) {
		log_rl(&sa->lg, &e->rl_packet, LOG_LEVEL_WARN, "malformed SA payload: %s",
		       isakmp_verdict_name(v).str);
		return (int)isakmp_verdict_notify(v);
	}
	r = ike_prop_choose_p1(&e->conf.policy, &sap, &sa->lg, &e->rl_packet, &sa->p1);
	if (r) {
		e->stats.no_proposal_chosen++;
		return r;
	}
	sa->mm->sai_b = alloc_memdup(p->body.p, p->body.len);
	if (!sa->mm->sai_b) {
		log_msg(&sa->lg, LOG_LEVEL_ERR, "out of memory; Main Mode abandoned");
		return IKE_DELETE;
	}
	sa->mm->sai_b_len = p->body.len;
	ike_natt_read_vids(sa, rx);
	ike_reply_request(&sa->reply, rx->digest);
	return mm_send_sa(sa) ? IKE_OK : IKE_DELETE;
}

/* ------------------------------------------------------------ MM3 -> DH -> MM4 */

/*
 * On a worker: our key pair, g^xy, SKEYID and its children; the SA keeps
 * SKEYID_d, SKEYID_a and the cipher key, the handshake SKEYID.
 */
static void mm_dh_work(struct workq_job *job)
{
	struct ike_mm_handshake *mm = container_of(job, struct ike_mm_handshake, job);
	struct ike_sa *sa = mm->sa;
	const struct ike_crypto *c = sa->engine->crypto;
	struct ike_secret g_xy, skeyid;
	struct ike_phase1_keys keys;
	enum ike_crypto_verdict v = IKE_CRYPTO_NO_MEMORY;

	g_xy.len = skeyid.len = 0;
	memset(&keys, 0, sizeof(keys));
	mm->dh = ike_dh_new(c, sa->p1.group);
	if (mm->dh)
		v = ike_dh_compute(mm->dh, mm->g_xi, mm->g_xi_len, &g_xy);
	if (v == IKE_CRYPTO_OK)
		v = ike_skeyid_psk(c, sa->p1.hash, &mm->psk, (struct wire_span){ mm->ni, mm->ni_len },
				   (struct wire_span){ mm->nr, mm->nr_len }, &skeyid);
	if (v == IKE_CRYPTO_OK)
		v = ike_phase1_keys_derive(c, sa->p1.hash, sa->p1.key_len, &skeyid, &g_xy, sa->cky_i,
					   sa->cky_r, &keys);
	if (v == IKE_CRYPTO_OK)
		v = ike_sa_keys_take(sa, &keys);
	ike_phase1_keys_wipe(&keys);
	ike_secret_wipe(&g_xy);
	ike_secret_wipe(&skeyid);
	ike_secret_wipe(&mm->psk);      /* SKEYID is made: the PSK copy has done its work */
	mm->job_result = v;
}

static void mm_finish(struct ike_sa *sa, struct ike_rx *rx, int r);

static void mm_dh_done(struct workq_job *job)
{
	struct ike_sa *sa = container_of(job, struct ike_mm_handshake, job)->sa;
	struct ike_rx rx;

	sa->busy = false;
	memset(&rx, 0, sizeof(rx));
	rx.event = IKE_EVENT_DH_DONE;
	rx.local = sa->local;
	rx.remote = sa->remote;
	mm_finish(sa, &rx, ike_machine_step(&ike_mm_machine, sa, &rx));
}

static int mm_recv_ke(void *obj, struct ike_rx *rx)
{
	struct ike_sa *sa = obj;
	struct ike_engine *e = sa->engine;
	struct isakmp_ke ke;
	struct isakmp_nonce nonce;
	enum isakmp_verdict v;

	if (isakmp_msg_count(&rx->msg, ISAKMP_PAYLOAD_KE) != 1 ||
	    isakmp_msg_count(&rx->msg, ISAKMP_PAYLOAD_NONCE) != 1)
		return IKE_FAIL(PAYLOAD_MALFORMED);
	v = isakmp_ke_parse(isakmp_msg_find(&rx->msg, ISAKMP_PAYLOAD_KE, 0)->body, &ke);
	if (v == ISAKMP_OK && ke.data.len != sa->p1.group->public_len) {
		log_rl(&sa->lg, &e->rl_packet, LOG_LEVEL_WARN,
		       "KE payload has %zu octets; %s needs %zu", ke.data.len, sa->p1.group->name,
		       sa->p1.group->public_len);
		return IKE_FAIL(INVALID_KEY_INFORMATION);
	}
	if (v != ISAKMP_OK)
		return (int)isakmp_verdict_notify(v);
	v = isakmp_nonce_parse(isakmp_msg_find(&rx->msg, ISAKMP_PAYLOAD_NONCE, 0)->body, &nonce);
	if (v != ISAKMP_OK)
		return (int)isakmp_verdict_notify(v);
	if (!ike_natt_detect(sa, rx))
		return IKE_FAIL(PAYLOAD_MALFORMED);
	memcpy(sa->mm->g_xi, ke.data.p, ke.data.len);
	sa->mm->g_xi_len = ke.data.len;
	memcpy(sa->mm->ni, nonce.data.p, nonce.data.len);
	sa->mm->ni_len = nonce.data.len;
	sa->mm->nr_len = IKE_NONCE_LEN;
	if (!ike_random(sa->mm->nr, sa->mm->nr_len))
		return IKE_DELETE;
	ike_reply_request(&sa->reply, rx->digest);
	workq_job_init(&sa->mm->job, mm_dh_work, mm_dh_done);
	sa->busy = true;
	if (workq_submit(e->workq, &sa->mm->job) != 0) {
		sa->busy = false;
		return IKE_DELETE;
	}
	return IKE_PENDING;
}

static int mm_send_ke(void *obj, struct ike_rx *rx)
{
	struct ike_sa *sa = obj;
	struct ike_mm_handshake *mm = sa->mm;
	struct ike_engine *e = sa->engine;
	struct wire_span g_xr;
	struct ike_tx tx;

	(void)rx;
	if (mm->job_result != IKE_CRYPTO_OK) {
		log_msg(&sa->lg, LOG_LEVEL_WARN, "Diffie-Hellman with the peer's KE failed: %s",
			ike_crypto_verdict_name(mm->job_result));
		return mm->job_result == IKE_CRYPTO_BAD_PUBLIC_VALUE ? IKE_FAIL(INVALID_KEY_INFORMATION)
								     : IKE_DELETE;
	}
	g_xr = ike_dh_public(mm->dh);
	if (ike_iv_phase1(e->crypto, sa->p1.hash, sa->p1.cipher,
			  (struct wire_span){ mm->g_xi, mm->g_xi_len }, g_xr, &sa->iv) != IKE_CRYPTO_OK)
		return IKE_DELETE;
	ike_tx_begin(e, &tx, sa->cky_i, sa->cky_r, ISAKMP_EXCHANGE_ID_PROT, 0, 0);
	isakmp_ke_build(&tx.b, g_xr);
	isakmp_nonce_build(&tx.b, (struct wire_span){ mm->nr, mm->nr_len });
	if (!ike_natt_build_natd(sa, &tx.b))
		return IKE_DELETE;
	return ike_tx_send(e, &sa->local, &sa->remote, &tx, &sa->reply) ? IKE_OK : IKE_DELETE;
}

/* ------------------------------------------------------------ MM5 -> MM6 */

static int mm_auth_failed(struct ike_sa *sa, const struct ike_rx *rx, const char *what)
{
	struct ike_engine *e = sa->engine;
	char peer[NETADDR_STRLEN];

	e->stats.dropped_auth++;
	log_rl(&sa->lg, &e->rl_packet, LOG_LEVEL_WARN,
	       "peer %s: %s: probable authentication failure (mismatch of preshared secrets?); "
	       "deleting state", ike_endpoint_str(&rx->remote, peer), what);
	return IKE_DELETE;
}

static void mm_log_peer_id(struct ike_sa *sa, const struct isakmp_id *id)
{
	char text[LOG_SANITIZE_MAX];

	if ((id->type == ISAKMP_ID_IPV4_ADDR && id->data.len == 4) ||
	    (id->type == ISAKMP_ID_IPV6_ADDR && id->data.len == 16))
		inet_ntop(id->data.len == 4 ? AF_INET : AF_INET6, id->data.p, text, sizeof(text));
	else
		log_sanitize(text, sizeof(text), id->data.p, id->data.len);
	log_msg(&sa->lg, LOG_LEVEL_INFO, "Peer ID is %s: '%s'", isakmp_id_type_name(id->type).str,
		text);
}

static void mm_read_notifies(struct ike_sa *sa, const struct ike_rx *rx)
{
	for (size_t i = 0; i < rx->msg.count; i++) {
		struct isakmp_notify n;

		if (rx->msg.payloads[i].type == ISAKMP_PAYLOAD_NOTIFY &&
		    isakmp_notify_parse(rx->msg.payloads[i].body, &n) == ISAKMP_OK &&
		    n.type == ISAKMP_NOTIFY_INITIAL_CONTACT)
			sa->initial_contact = true;
	}
}

/* Our ID payload body: ID_IPV4_ADDR/ID_IPV6_ADDR, protocol and port 0 (RFC 2407 §4.6.2). */
static size_t mm_our_id(const struct ike_sa *sa, uint8_t *buf)
{
	const struct netaddr *a = sa->engine->conf.id_address.family != AF_UNSPEC
					  ? &sa->engine->conf.id_address
					  : &sa->local;
	size_t len = netaddr_len(a);

	buf[0] = len == 16 ? ISAKMP_ID_IPV6_ADDR : ISAKMP_ID_IPV4_ADDR;
	buf[1] = buf[2] = buf[3] = 0;
	memcpy(buf + 4, a->addr.bytes, len);
	return 4 + len;
}

static int mm_send_id(struct ike_sa *sa)
{
	struct ike_engine *e = sa->engine;
	const struct ike_mm_handshake *mm = sa->mm;
	uint8_t idr[20];
	size_t idr_len = mm_our_id(sa, idr);
	struct isakmp_id id = { idr[0], 0, 0, { idr + 4, idr_len - 4 } };
	struct ike_digest hash_r;
	struct ike_tx tx;
	uint8_t *at;

	if (ike_phase1_hash(e->crypto, sa->p1.hash, &mm->skeyid, false,
			    (struct wire_span){ mm->g_xi, mm->g_xi_len }, ike_dh_public(mm->dh),
			    sa->cky_i, sa->cky_r, (struct wire_span){ mm->sai_b, mm->sai_b_len },
			    (struct wire_span){ idr, idr_len }, &hash_r) != IKE_CRYPTO_OK)
		return IKE_DELETE;
	ike_tx_begin(e, &tx, sa->cky_i, sa->cky_r, ISAKMP_EXCHANGE_ID_PROT, ISAKMP_FLAG_ENCRYPTION, 0);
	isakmp_id_build(&tx.b, &id);
	at = isakmp_hash_build(&tx.b, hash_r.len);
	if (!at)
		return IKE_DELETE;
	memcpy(at, hash_r.bytes, hash_r.len);
	if (!ike_tx_encrypt(e, sa, &sa->iv, &tx))
		return IKE_DELETE;
	return ike_tx_send(e, &sa->local, &sa->remote, &tx, &sa->reply) ? IKE_OK : IKE_DELETE;
}

static int mm_recv_id(void *obj, struct ike_rx *rx)
{
	struct ike_sa *sa = obj;
	struct ike_engine *e = sa->engine;
	const struct ike_mm_handshake *mm = sa->mm;
	const struct isakmp_payload *idp = isakmp_msg_find(&rx->msg, ISAKMP_PAYLOAD_ID, 0);
	struct isakmp_id id;
	struct isakmp_hash hash;
	struct ike_digest hash_i;

	if (isakmp_msg_count(&rx->msg, ISAKMP_PAYLOAD_ID) != 1 ||
	    isakmp_msg_count(&rx->msg, ISAKMP_PAYLOAD_HASH) != 1 ||
	    isakmp_id_parse(idp->body, &id) != ISAKMP_OK ||
	    isakmp_hash_parse(isakmp_msg_find(&rx->msg, ISAKMP_PAYLOAD_HASH, 0)->body, &hash) !=
		    ISAKMP_OK)
		return mm_auth_failed(sa, rx, "MM5 is not one ID and one HASH");
	if (ike_phase1_hash(e->crypto, sa->p1.hash, &mm->skeyid, true,
			    (struct wire_span){ mm->g_xi, mm->g_xi_len }, ike_dh_public(mm->dh),
			    sa->cky_i, sa->cky_r, (struct wire_span){ mm->sai_b, mm->sai_b_len },
			    idp->body, &hash_i) != IKE_CRYPTO_OK)
		return IKE_DELETE;
	if (hash.data.len != hash_i.len || CRYPTO_memcmp(hash.data.p, hash_i.bytes, hash_i.len) != 0)
		return mm_auth_failed(sa, rx, "HASH_I did not match");
	mm_read_notifies(sa, rx);
	alloc_free(sa->peer_id);
	sa->peer_id_len = MIN(id.data.len, IKE_ID_MAX);
	sa->peer_id = sa->peer_id_len ? alloc_memdup(id.data.p, sa->peer_id_len) : NULL;
	if (sa->peer_id_len && !sa->peer_id) {
		log_msg(&sa->lg, LOG_LEVEL_ERR, "out of memory; Main Mode abandoned");
		return IKE_DELETE;
	}
	sa->peer_id_type = id.type;
	mm_log_peer_id(sa, &id);
	sa->iv = rx->next_iv;
	ike_natt_follow(sa, rx);
	sa->last_heard_ms = now_ms(e);
	ike_reply_request(&sa->reply, rx->digest);
	return mm_send_id(sa);
}

/* ------------------------------------------------------------ the table */

static const struct ike_row mm_rows[] = {
	{ IKE_STATE_NONE, ISAKMP_EXCHANGE_ID_PROT, IKE_PL_SA, IKE_PL_VID, false, mm_recv_sa,
	  IKE_STATE_MAIN_R1 },
	{ IKE_STATE_MAIN_R1, ISAKMP_EXCHANGE_ID_PROT, IKE_PL_KE | IKE_PL_NONCE,
	  IKE_PL_NATD | IKE_PL_VID | IKE_PL_CR, false, mm_recv_ke, IKE_STATE_MAIN_R1 },
	{ IKE_STATE_MAIN_R1, IKE_EVENT_DH_DONE, 0, 0, false, mm_send_ke, IKE_STATE_MAIN_R2 },
	{ IKE_STATE_MAIN_R2, ISAKMP_EXCHANGE_ID_PROT, IKE_PL_ID | IKE_PL_HASH,
	  IKE_PL_N | IKE_PL_VID, true, mm_recv_id, IKE_STATE_MAIN_R3 },
};

const struct ike_machine ike_mm_machine = {
	.name = "Main Mode",
	.rows = mm_rows,
	.count = ARRAY_SIZE(mm_rows),
	.state_of = mm_state_of,
	.set_state = mm_set_state,
};

/* ------------------------------------------------------------ entry points */

static void mm_finish(struct ike_sa *sa, struct ike_rx *rx, int r)
{
	struct ike_engine *e = sa->engine;
	char peer[NETADDR_STRLEN];

	switch (r) {
	case IKE_OK:
	case IKE_PENDING:
		return;
	case IKE_DROP:
		e->stats.dropped_unexpected++;
		log_rl(&sa->lg, &e->rl_packet, LOG_LEVEL_INFO,
		       "packet from %s: Main Mode message dropped: %s (%s)",
		       ike_endpoint_str(&rx->remote, peer), rx->why, ike_state_name(sa->state));
		if (sa->state == IKE_STATE_NONE)
			ike_sa_delete(sa, false, true, "first message refused");
		return;
	case IKE_DELETE:
		ike_sa_delete(sa, false, true, "Main Mode failed");
		return;
	default:
		if (sa->state <= IKE_STATE_MAIN_R1)
			ike_info_send_plain_notify(e, sa->cky_i, sa->cky_r, &sa->local, &sa->remote,
						   (uint16_t)r);
		log_rl(&sa->lg, &e->rl_packet, LOG_LEVEL_WARN, "sending notification %s to %s",
		       isakmp_notify_name((unsigned)r).str, ike_endpoint_str(&sa->remote, peer));
		ike_sa_delete(sa, false, true, "Main Mode refused");
		return;
	}
}

static bool mm_parse_plain(struct ike_engine *e, struct ike_rx *rx)
{
	char peer[NETADDR_STRLEN];
	enum isakmp_verdict v = isakmp_payloads_parse(rx->hdr.next_payload, rx->hdr.body, false,
						      &rx->msg);

	if (v != ISAKMP_OK) {
		e->stats.malformed++;
		log_rl(&e->lg, &e->rl_packet, LOG_LEVEL_INFO,
		       "packet from %s: malformed payload chain (%s); dropped",
		       ike_endpoint_str(&rx->remote, peer), isakmp_verdict_name(v).str);
		return false;
	}
	rx->encrypted = false;
	ike_rx_classify(rx);
	return true;
}

void ike_mm_recv_initial(struct ike_engine *e, struct ike_rx *rx)
{
	struct ike_sa *sa = ike_sa_find_initial(e, rx->hdr.initiator_cookie, &rx->remote);
	int r;

	if (sa) {
		if (!ike_reply_answer(e, &sa->reply, rx, &sa->lg, &sa->local, &sa->remote,
				      sa->state)) {
			e->stats.dropped_duplicate++;
			log_rl(&sa->lg, &e->rl_packet, LOG_LEVEL_INFO,
			       "discarding initial packet; already %s", ike_state_name(sa->state));
		}
		return;
	}
	if (rx->hdr.flags & ISAKMP_FLAG_ENCRYPTION) {
		e->stats.dropped_unexpected++;
		return;
	}
	if (!mm_parse_plain(e, rx))
		return;
	sa = ike_sa_new(e, rx->hdr.initiator_cookie, &rx->local, &rx->remote);
	if (!sa)
		return;
	r = ike_machine_step(&ike_mm_machine, sa, rx);
	if (r == IKE_OK)
		ike_natt_log_vids(sa, rx);
	mm_finish(sa, rx, r);
}

void ike_mm_recv(struct ike_sa *sa, struct ike_rx *rx)
{
	struct ike_engine *e = sa->engine;
	int r;

	if (ike_reply_answer(e, &sa->reply, rx, &sa->lg, &sa->local, &sa->remote, sa->state))
		return;
	if (sa->busy) {
		e->stats.dropped_duplicate++;
		log_rl(&sa->lg, &e->rl_packet, LOG_LEVEL_INFO,
		       "discarding packet while Diffie-Hellman runs; already %s",
		       ike_state_name(sa->state));
		return;
	}
	if (rx->hdr.flags & ISAKMP_FLAG_ENCRYPTION) {
		if (sa->state < IKE_STATE_MAIN_R2) {
			rx->encrypted = true;
			rx->why = "encrypted before the keys exist";
			mm_finish(sa, rx, IKE_DROP);
			return;
		}
		if (ike_rx_decrypt(e, sa, &sa->iv, rx) != 0) {
			if (sa->state == IKE_STATE_MAIN_R2)
				mm_finish(sa, rx, mm_auth_failed(sa, rx, "MM5 did not decrypt"));
			else
				e->stats.dropped_auth++;
			return;
		}
	} else if (!mm_parse_plain(e, rx)) {
		return;
	}
	r = ike_machine_step(&ike_mm_machine, sa, rx);
	if (r == IKE_DROP && sa->state == IKE_STATE_MAIN_R2 && rx->encrypted)
		r = mm_auth_failed(sa, rx, rx->why);
	mm_finish(sa, rx, r);
}
