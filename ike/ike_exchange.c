/*
 * ike_exchange.c - the transition-table driver and the message helpers.
 * See ike_exchange.h.
 */
#include "ike/ike_exchange.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <string.h>

#include "ike/isakmp_const.h"
#include "lib/alloc.h"

uint32_t ike_payload_class(uint8_t type)
{
	switch (type) {
	case ISAKMP_PAYLOAD_SA:
		return IKE_PL_SA;
	case ISAKMP_PAYLOAD_KE:
		return IKE_PL_KE;
	case ISAKMP_PAYLOAD_ID:
		return IKE_PL_ID;
	case ISAKMP_PAYLOAD_CERT:
		return IKE_PL_CERT;
	case ISAKMP_PAYLOAD_CERTREQ:
		return IKE_PL_CR;
	case ISAKMP_PAYLOAD_HASH:
		return IKE_PL_HASH;
	case ISAKMP_PAYLOAD_SIG:
		return IKE_PL_SIG;
	case ISAKMP_PAYLOAD_NONCE:
		return IKE_PL_NONCE;
	case ISAKMP_PAYLOAD_NOTIFY:
		return IKE_PL_N;
	case ISAKMP_PAYLOAD_DELETE:
		return IKE_PL_D;
	case ISAKMP_PAYLOAD_VID:
		return IKE_PL_VID;
	case ISAKMP_PAYLOAD_NATD:
	case ISAKMP_PAYLOAD_NATD_DRAFT:
	case ISAKMP_PAYLOAD_NATD_BADDRAFT:
		return IKE_PL_NATD;
	case ISAKMP_PAYLOAD_NATOA:
	case ISAKMP_PAYLOAD_NATOA_DRAFT:
	case ISAKMP_PAYLOAD_NATOA_BADDRAFT:
		return IKE_PL_NATOA;
	case ISAKMP_PAYLOAD_FRAGMENT:
		return IKE_PL_FRAG;
	default:
		return IKE_PL_OTHER;
	}
}

void ike_rx_classify(struct ike_rx *rx)
{
	rx->present = 0;
	for (size_t i = 0; i < rx->msg.count; i++)
		rx->present |= ike_payload_class(rx->msg.payloads[i].type);
}

const struct ike_row *ike_machine_find(const struct ike_machine *m, unsigned state, unsigned event)
{
	for (size_t i = 0; i < m->count; i++)
		if (m->rows[i].state == state && m->rows[i].event == event)
			return &m->rows[i];
	return NULL;
}

int ike_machine_step(const struct ike_machine *m, void *obj, struct ike_rx *rx)
{
	enum ike_state state = m->state_of(obj);
	const struct ike_row *row = ike_machine_find(m, state, rx->event);
	int r;

	if (!row) {
		rx->why = "unexpected in this state";
		return IKE_DROP;
	}
	if (row->event != IKE_EVENT_DH_DONE) {
		if (row->encrypted != rx->encrypted) {
			rx->why = row->encrypted ? "should have been encrypted"
						 : "should not have been encrypted";
			return IKE_DROP;
		}
		if ((rx->present & row->required) != row->required) {
			rx->why = "a required payload is missing";
			return IKE_DROP;
		}
		if (rx->present & ~(row->required | row->optional)) {
			rx->why = "an unexpected payload";
			return IKE_DROP;
		}
	}
	r = row->handler(obj, rx);
	if (r == IKE_OK && row->next != state)
		m->set_state(obj, row->next);
	if (r == IKE_DROP && !rx->why)
		rx->why = "refused by its handler";
	return r;
}

void ike_rx_digest(struct ike_engine *e, struct ike_rx *rx)
{
	const struct ike_hash *sha256 = ike_hash_find(IKE_HASH_SHA2_256);
	struct ike_digest d;

	memset(rx->digest, 0, sizeof(rx->digest));
	if (sha256 && ike_hash_compute(e->crypto, sha256, &rx->datagram, 1, &d) == IKE_CRYPTO_OK &&
	    d.len == sizeof(rx->digest))
		memcpy(rx->digest, d.bytes, d.len);
}

int ike_rx_decrypt(struct ike_engine *e, const struct ike_sa *sa, const struct ike_iv *iv,
		   struct ike_rx *rx)
{
	enum ike_crypto_verdict v;
	size_t len = rx->hdr.body.len;
	struct ike_secret key;

	if (len == 0 || len > IKE_MSG_MAX)
		return -1;
	ike_sa_enc_key(sa, &key);
	v = ike_cbc_decrypt(e->crypto, sa->p1.cipher, &key, iv, rx->hdr.body.p, len, e->rx_buf,
			    &rx->next_iv);
	ike_secret_wipe(&key);
	if (v != IKE_CRYPTO_OK)
		return -1;
	rx->encrypted = true;
	if (isakmp_payloads_parse(rx->hdr.next_payload, (struct wire_span){ e->rx_buf, len }, true,
				  &rx->msg) != ISAKMP_OK)
		return -2;
	ike_rx_classify(rx);
	return 0;
}

struct wire_span ike_rx_after_hash(const struct ike_rx *rx)
{
	const struct isakmp_payload *first, *last;
	const uint8_t *start, *end;

	if (rx->msg.count < 1 || rx->msg.payloads[0].type != ISAKMP_PAYLOAD_HASH)
		return (struct wire_span){ NULL, 0 };
	first = &rx->msg.payloads[0];
	last = &rx->msg.payloads[rx->msg.count - 1];
	start = first->raw.p + first->raw.len;
	end = last->raw.p + last->raw.len;
	return (struct wire_span){ start, (size_t)(end - start) };
}

void ike_tx_begin(struct ike_engine *e, struct ike_tx *tx, const uint8_t cky_i[IKE_COOKIE_LEN],
		  const uint8_t cky_r[IKE_COOKIE_LEN], uint8_t exchange, uint8_t flags,
		  uint32_t msgid)
{
	struct isakmp_hdr hdr;

	memset(&hdr, 0, sizeof(hdr));
	memcpy(hdr.initiator_cookie, cky_i, IKE_COOKIE_LEN);
	memcpy(hdr.responder_cookie, cky_r, IKE_COOKIE_LEN);
	hdr.exchange_type = exchange;
	hdr.flags = flags;
	hdr.message_id = msgid;
	/* room for the CBC padding past the last payload */
	tx->wr = wire_wr_init(e->tx_buf, IKE_MSG_MAX - IKE_BLOCK_MAX);
	isakmp_hdr_build(&tx->b, &tx->wr, &hdr);
}

bool ike_tx_encrypt(struct ike_engine *e, const struct ike_sa *sa, struct ike_iv *iv,
		    struct ike_tx *tx)
{
	size_t out_len;
	struct ike_secret key;
	enum ike_crypto_verdict v;

	if (!isakmp_builder_ok(&tx->b))
		return false;
	isakmp_msg_finish(&tx->b);
	ike_sa_enc_key(sa, &key);
	v = ike_cbc_encrypt(e->crypto, sa->p1.cipher, &key, iv, e->tx_buf + ISAKMP_HDR_LEN,
			    tx->wr.len - ISAKMP_HDR_LEN, IKE_MSG_MAX - ISAKMP_HDR_LEN, &out_len, iv);
	ike_secret_wipe(&key);
	if (v != IKE_CRYPTO_OK)
		return false;
	tx->wr.len = ISAKMP_HDR_LEN + out_len;
	isakmp_msg_finish(&tx->b);
	return isakmp_builder_ok(&tx->b);
}

bool ike_tx_send(struct ike_engine *e, const struct netaddr *local, const struct netaddr *remote,
		 struct ike_tx *tx, struct ike_reply *reply)
{
	if (!isakmp_builder_ok(&tx->b))
		return false;
	isakmp_msg_finish(&tx->b);
	if (!isakmp_builder_ok(&tx->b))
		return false;
	if (reply)
		(void)ike_reply_store(reply, e->tx_buf, tx->wr.len);
	e->ops.send(e->ops.arg, local, remote, e->tx_buf, tx->wr.len);
	return true;
}

bool ike_reply_answer(struct ike_engine *e, struct ike_reply *reply, const struct ike_rx *rx,
		      const struct logger *lg, const struct netaddr *local,
		      const struct netaddr *remote, unsigned state)
{
	if (!ike_reply_is_duplicate(reply, rx->digest))
		return false;
	if (!reply->bytes || reply->answered >= e->conf.retransmits_answered) {
		e->stats.dropped_duplicate++;
		log_rl(lg, &e->rl_packet, LOG_LEVEL_INFO, "discarding duplicate packet; already %s",
		       ike_state_name(state));
		return true;
	}
	reply->answered++;
	e->stats.retransmits_answered++;
	log_rl(lg, &e->rl_packet, LOG_LEVEL_INFO,
	       "retransmitting in response to duplicate packet; already %s", ike_state_name(state));
	e->ops.send(e->ops.arg, local, remote, reply->bytes, reply->len);
	return true;
}

bool ike_random(void *p, size_t len)
{
	return RAND_bytes(p, (int)len) == 1;
}

const char *ike_addr_str(const struct netaddr *a, char buf[NETADDR_STRLEN])
{
	return netaddr_format_addr(a, buf);
}

const char *ike_endpoint_str(const struct netaddr *a, char buf[NETADDR_STRLEN])
{
	return netaddr_format(a, buf);
}
