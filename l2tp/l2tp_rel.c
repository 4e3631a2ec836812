/*
 * l2tp_rel.c - reliable delivery of L2TPv2 control messages (RFC 2661 §5.8,
 * Appendix A).  See l2tp_rel.h for the behaviour and the ownership rules.
 *
 * The send side is a ring of copies: entry i (from the oldest) carries
 * Ns = send_unacked + i; the first in_flight entries are on the wire, the
 * rest wait for the peer's window.  Each copy lives in a struct wire_wr over
 * its own buffer, so Ns and Nr are patched through the writer.  The ring is
 * allocated when a message is sent, doubles (a power of two, up to
 * L2TP_REL_SEND_MAX) when it fills, and is freed once everything in it was
 * acknowledged.  The receive side keeps recv_window slots, indexed by Ns
 * modulo recv_window, for messages that arrived ahead of the expected one:
 * only Ns in next_recv + 1 .. next_recv + recv_window - 1 are held, and those
 * map to distinct slots; the slots are allocated for the first such message
 * and freed when the last held one is delivered.  So an idle tunnel holds no
 * buffer at all, only this struct.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "l2tp/l2tp_rel.h"
#include "l2tp/l2tp_wire.h"
#include "lib/alloc.h"
#include "lib/evloop.h"
#include "lib/log.h"
#include "lib/util.h"
#include "lib/wire.h"

/* The byte offsets of Ns and Nr in a control header (RFC 2661 §3.1). */
enum {
	L2TP_REL_NS_OFFSET = 8,
	L2TP_REL_NR_OFFSET = 10,
};

/* A message that arrived ahead of the expected one, kept until its turn. */
struct l2tp_rel_held {
	uint8_t *bytes; /* NULL: the slot is empty */
	size_t len;
	uint16_t ns;
};

struct l2tp_rel {
	struct ev_loop *loop;
	struct l2tp_rel_conf conf;
	struct l2tp_rel_ops ops;
	const struct logger *lg;
	uint16_t peer_tunnel_id;
	unsigned peer_window;

	/* Sending. */
	struct wire_wr *send_queue; /* a ring of send_cap entries; NULL when nothing is held */
	unsigned send_cap;        /* 0, or a power of two up to L2TP_REL_SEND_MAX */
	unsigned send_head;       /* ring index of the oldest held message */
	unsigned send_count;      /* messages held: in flight plus waiting */
	unsigned in_flight;       /* of those, the oldest ones, on the wire and unacknowledged */
	uint16_t send_unacked;    /* Ns of the oldest held message */
	unsigned retries;         /* retransmissions of the oldest so far */
	uint64_t rto_ms;          /* the current retransmission timeout */
	struct ev_timer retransmit_timer;

	/* Receiving. */
	uint16_t next_recv;       /* the Ns expected next: the Nr we send */
	struct l2tp_rel_held *held; /* conf.recv_window slots; NULL when none is used */
	unsigned held_count;      /* slots in use */
	bool ack_owed;            /* the peer has not yet seen our current Nr */
	struct ev_timer ack_timer;

	struct l2tp_rel_stats stats;
};

#define REL_DBG(rel, ...)                                                                    \
	do {                                                                                 \
		if ((rel)->conf.debug_class >= 0 && (rel)->lg != NULL)                       \
			log_dbg((rel)->lg, (unsigned)(rel)->conf.debug_class, __VA_ARGS__);  \
	} while (0)

void l2tp_rel_conf_default(struct l2tp_rel_conf *conf)
{
	*conf = (struct l2tp_rel_conf){
		.recv_window = 8,
		.rto_initial_ms = 1000,
		.rto_max_ms = 8000,
		.max_retries = 5,
		.ack_delay_ms = 0,
		.debug_class = -1,
	};
}

/* a comes before b in the sequence number space (RFC 2661 §5.8). */
static bool rel_seq_before(uint16_t a, uint16_t b)
{
	uint16_t distance = (uint16_t)(b - a);

	return distance >= 1 && distance <= 32767;
}

/* The ring's capacity doubles and indexes are masked: the limit must be a power of two. */
_Static_assert((L2TP_REL_SEND_MAX & (L2TP_REL_SEND_MAX - 1)) == 0,
	       "L2TP_REL_SEND_MAX must be a power of two");

static struct wire_wr *rel_entry(struct l2tp_rel *rel, unsigned index)
{
	return &rel->send_queue[(rel->send_head + index) & (rel->send_cap - 1)];
}

/* Room for one more held message: the ring doubles when full; false on OOM. */
static bool rel_ring_reserve(struct l2tp_rel *rel)
{
	unsigned cap = rel->send_cap ? rel->send_cap * 2 : 1;
	struct wire_wr *ring;

	if (rel->send_count < rel->send_cap)
		return true;
	if (cap > L2TP_REL_SEND_MAX)
		return false;
	ring = alloc_array(cap, sizeof(*ring));
	if (ring == NULL)
		return false;
	for (unsigned i = 0; i < rel->send_count; i++)
		ring[i] = *rel_entry(rel, i);
	alloc_free(rel->send_queue);
	rel->send_queue = ring;
	rel->send_cap = cap;
	rel->send_head = 0;
	return true;
}

/* Everything sent was acknowledged: the ring goes. */
static void rel_ring_release(struct l2tp_rel *rel)
{
	if (rel->send_count > 0)
		return;
	alloc_free(rel->send_queue);
	rel->send_queue = NULL;
	rel->send_cap = 0;
	rel->send_head = 0;
}

static unsigned rel_usable_window(const struct l2tp_rel *rel)
{
	return MIN(rel->peer_window, (unsigned)L2TP_REL_SEND_MAX);
}

static void rel_ack_sent(struct l2tp_rel *rel)
{
	rel->ack_owed = false;
	ev_timer_cancel(rel->loop, &rel->ack_timer);
}

/* Puts held message `index` on the wire with the current Nr. */
static void rel_transmit(struct l2tp_rel *rel, unsigned index)
{
	struct wire_wr *entry = rel_entry(rel, index);

	wire_patch_be16(entry, L2TP_REL_NR_OFFSET, rel->next_recv);
	rel->ops.xmit(rel->ops.arg, entry->p, entry->len);
	rel_ack_sent(rel);
}

static void rel_send_zlb(struct l2tp_rel *rel)
{
	uint8_t buf[L2TP_CTRL_HDR_LEN];
	struct wire_wr wr = wire_wr_init(buf, sizeof(buf));
	uint16_t ns = (uint16_t)(rel->send_unacked + rel->in_flight);

	l2tp_zlb_build(&wr, rel->peer_tunnel_id, 0, ns, rel->next_recv);
	REL_DBG(rel, "ZLB Ns=%u Nr=%u", ns, rel->next_recv);
	rel->ops.xmit(rel->ops.arg, wr.p, wr.len);
	rel->stats.zlb_sent++;
	rel_ack_sent(rel);
}

/* Sends waiting messages while the peer's window has room. */
static void rel_fill_window(struct l2tp_rel *rel)
{
	while (rel->in_flight < rel->send_count && rel->in_flight < rel_usable_window(rel)) {
		REL_DBG(rel, "send Ns=%u Nr=%u (%zu octets)",
			(uint16_t)(rel->send_unacked + rel->in_flight), rel->next_recv,
			rel_entry(rel, rel->in_flight)->len);
		rel_transmit(rel, rel->in_flight);
		rel->in_flight++;
		rel->stats.sent++;
		if (!ev_timer_armed(&rel->retransmit_timer))
			ev_timer_arm(rel->loop, &rel->retransmit_timer, rel->rto_ms);
	}
}

/* The peer's Nr: everything before it arrived.  Does not send. */
static void rel_recv_ack(struct l2tp_rel *rel, uint16_t nr)
{
	uint16_t acked = (uint16_t)(nr - rel->send_unacked);

	if (acked == 0)
		return;
	if (rel_seq_before(nr, rel->send_unacked))
		return; /* an older acknowledgement, overtaken by a newer one */
	if (acked > rel->in_flight) {
		REL_DBG(rel, "Nr=%u acknowledges Ns never sent (oldest unacknowledged %u, "
			"next unsent %u): ignored", nr, rel->send_unacked,
			(uint16_t)(rel->send_unacked + rel->in_flight));
		return;
	}
	for (unsigned i = 0; i < acked; i++) {
		struct wire_wr *entry = rel_entry(rel, 0);

		alloc_free(entry->p);
		*entry = (struct wire_wr){ 0 };
		rel->send_head = (rel->send_head + 1) & (rel->send_cap - 1);
	}
	REL_DBG(rel, "Nr=%u acknowledges %u message(s)", nr, acked);
	rel->send_count -= acked;
	rel_ring_release(rel);
	rel->in_flight -= acked;
	rel->send_unacked = nr;
	rel->stats.acked += acked;
	rel->retries = 0;
	rel->rto_ms = rel->conf.rto_initial_ms;
	if (rel->in_flight > 0)
		ev_timer_arm(rel->loop, &rel->retransmit_timer, rel->rto_ms);
	else
		ev_timer_cancel(rel->loop, &rel->retransmit_timer);
}

/* The acknowledgement of what was delivered, unless something already carried it. */
static void rel_finish_ack(struct l2tp_rel *rel)
{
	if (!rel->ack_owed)
		return;
	if (rel->conf.ack_delay_ms == 0)
		rel_send_zlb(rel);
	else if (!ev_timer_armed(&rel->ack_timer))
		ev_timer_arm(rel->loop, &rel->ack_timer, rel->conf.ack_delay_ms);
}

/* Keeps a message that arrived ahead of its turn (a copy; on failure the peer resends it). */
static void rel_hold(struct l2tp_rel *rel, uint16_t ns, const uint8_t *msg, size_t len)
{
	struct l2tp_rel_held *slot;

	if (rel->held == NULL) {
		rel->held = alloc_array(rel->conf.recv_window, sizeof(*rel->held));
		if (rel->held == NULL) {
			REL_DBG(rel, "no memory to hold Ns=%u: dropped", ns);
			return;
		}
	}
	slot = &rel->held[ns % rel->conf.recv_window];
	if (slot->bytes != NULL) {
		REL_DBG(rel, "duplicate Ns=%u, already held (expecting %u)", ns, rel->next_recv);
		rel->stats.duplicates++;
		return;
	}
	slot->bytes = alloc_memdup(msg, len);
	if (slot->bytes == NULL) {
		REL_DBG(rel, "no memory to hold Ns=%u: dropped", ns);
		return;
	}
	slot->len = len;
	slot->ns = ns;
	rel->held_count++;
	rel->stats.out_of_order++;
	REL_DBG(rel, "holding Ns=%u until %u arrives", ns, rel->next_recv);
}

/* Delivers held successors of the message just delivered; false if rel was freed. */
static bool rel_deliver_held(struct l2tp_rel *rel)
{
	while (rel->held != NULL) {
		struct l2tp_rel_held *slot = &rel->held[rel->next_recv % rel->conf.recv_window];
		struct l2tp_rel_held taken = *slot;
		bool alive;

		if (taken.bytes == NULL || taken.ns != rel->next_recv)
			return true;
		*slot = (struct l2tp_rel_held){ 0 };
		if (--rel->held_count == 0) {
			alloc_free(rel->held);
			rel->held = NULL;
		}
		REL_DBG(rel, "delivering held Ns=%u", taken.ns);
		rel->next_recv++;
		rel->ack_owed = true;
		rel->stats.delivered++;
		alive = rel->ops.deliver(rel->ops.arg, taken.bytes, taken.len);
		alloc_free(taken.bytes);
		if (!alive)
			return false;
	}
	return true;
}

bool l2tp_rel_recv(struct l2tp_rel *rel, const struct l2tp_hdr *hdr, const uint8_t *msg,
		   size_t len)
{
	uint16_t ahead;

	if (!hdr->control || !hdr->has_sequence) {
		REL_DBG(rel, "not a sequenced control message: ignored");
		return true;
	}
	rel_recv_ack(rel, hdr->nr);
	if (hdr->payload.len == 0) {
		REL_DBG(rel, "recv ZLB Ns=%u Nr=%u", hdr->ns, hdr->nr);
		rel_fill_window(rel);
		return true;
	}
	REL_DBG(rel, "recv Ns=%u Nr=%u", hdr->ns, hdr->nr);
	ahead = (uint16_t)(hdr->ns - rel->next_recv);
	if (ahead == 0) {
		rel->next_recv++;
		rel->ack_owed = true;
		rel_fill_window(rel);
		rel->stats.delivered++;
		if (!rel->ops.deliver(rel->ops.arg, msg, len))
			return false;
		if (!rel_deliver_held(rel))
			return false;
	} else if (rel_seq_before(hdr->ns, rel->next_recv)) {
		REL_DBG(rel, "duplicate Ns=%u (expecting %u): acknowledging again", hdr->ns,
			rel->next_recv);
		rel->stats.duplicates++;
		rel->ack_owed = true;
		rel_fill_window(rel);
		if (rel->ack_owed)
			rel_send_zlb(rel);
		return true;
	} else if (ahead < rel->conf.recv_window) {
		rel_hold(rel, hdr->ns, msg, len);
		rel_fill_window(rel);
	} else {
		REL_DBG(rel, "Ns=%u is beyond the receive window (expecting %u, window %u): "
			"dropped", hdr->ns, rel->next_recv, rel->conf.recv_window);
		rel->stats.out_of_window++;
		rel_fill_window(rel);
	}
	rel_finish_ack(rel);
	return true;
}

static void rel_on_retransmit_due(struct ev_timer *timer)
{
	struct l2tp_rel *rel = container_of(timer, struct l2tp_rel, retransmit_timer);

	if (rel->in_flight == 0)
		return;
	if (rel->retries >= rel->conf.max_retries) {
		REL_DBG(rel, "Ns=%u unacknowledged after %u retransmissions", rel->send_unacked,
			rel->retries);
		rel->ops.failed(rel->ops.arg);
		return;
	}
	rel->retries++;
	for (unsigned i = 0; i < rel->in_flight; i++) {
		REL_DBG(rel, "retransmit Ns=%u Nr=%u (retry %u of %u)",
			(uint16_t)(rel->send_unacked + i), rel->next_recv, rel->retries,
			rel->conf.max_retries);
		rel_transmit(rel, i);
		rel->stats.retransmitted++;
	}
	rel->rto_ms = MIN(rel->rto_ms * 2, (uint64_t)rel->conf.rto_max_ms);
	ev_timer_arm(rel->loop, &rel->retransmit_timer, rel->rto_ms);
}

static void rel_on_ack_due(struct ev_timer *timer)
{
	struct l2tp_rel *rel = container_of(timer, struct l2tp_rel, ack_timer);

	if (rel->ack_owed)
		rel_send_zlb(rel);
}

static bool rel_conf_valid(const struct l2tp_rel_conf *conf, const struct l2tp_rel_ops *ops)
{
	return conf->recv_window >= 1 && conf->recv_window <= L2TP_REL_RECV_WINDOW_MAX &&
	       conf->rto_initial_ms >= 1 && conf->rto_max_ms >= conf->rto_initial_ms &&
	       ops->xmit != NULL && ops->deliver != NULL && ops->failed != NULL;
}

struct l2tp_rel *l2tp_rel_new(struct ev_loop *loop, const struct l2tp_rel_conf *conf,
			      const struct l2tp_rel_ops *ops, const struct logger *lg)
{
	struct l2tp_rel *rel;

	if (!rel_conf_valid(conf, ops)) {
		errno = EINVAL;
		return NULL;
	}
	rel = alloc_zero(sizeof(*rel));
	if (rel == NULL)
		return NULL;
	rel->loop = loop;
	rel->conf = *conf;
	rel->ops = *ops;
	rel->lg = lg;
	rel->peer_window = L2TP_REL_PEER_WINDOW_DEFAULT;
	rel->rto_ms = conf->rto_initial_ms;
	ev_timer_init(&rel->retransmit_timer, rel_on_retransmit_due);
	ev_timer_init(&rel->ack_timer, rel_on_ack_due);
	return rel;
}

void l2tp_rel_free(struct l2tp_rel *rel)
{
	if (rel == NULL)
		return;
	ev_timer_cancel(rel->loop, &rel->retransmit_timer);
	ev_timer_cancel(rel->loop, &rel->ack_timer);
	for (unsigned i = 0; i < rel->send_count; i++)
		alloc_free(rel_entry(rel, i)->p);
	alloc_free(rel->send_queue);
	for (unsigned i = 0; rel->held != NULL && i < rel->conf.recv_window; i++)
		alloc_free(rel->held[i].bytes);
	alloc_free(rel->held);
	alloc_free(rel);
}

void l2tp_rel_set_peer(struct l2tp_rel *rel, uint16_t peer_tunnel_id, uint16_t peer_window)
{
	rel->peer_tunnel_id = peer_tunnel_id;
	rel->peer_window = MAX(peer_window, (uint16_t)1);
	REL_DBG(rel, "peer tunnel ID %u, receive window %u", peer_tunnel_id, rel->peer_window);
	rel_fill_window(rel);
}

int l2tp_rel_send(struct l2tp_rel *rel, const uint8_t *msg, size_t len)
{
	struct l2tp_hdr hdr;
	struct wire_wr *entry;
	uint8_t *copy;

	if (msg == NULL || len <= L2TP_CTRL_HDR_LEN || len > UINT16_MAX)
		return -EINVAL;
	if (l2tp_hdr_parse((struct wire_span){ .p = msg, .len = len }, &hdr) != L2TP_OK ||
	    !hdr.control || hdr.payload.len == 0 || hdr.trailing != 0)
		return -EINVAL;
	if (rel->send_count >= L2TP_REL_SEND_MAX)
		return -ENOBUFS;
	if (!rel_ring_reserve(rel))
		return -ENOMEM;
	copy = alloc_zero(len);
	if (copy == NULL) {
		rel_ring_release(rel);
		return -ENOMEM;
	}
	entry = rel_entry(rel, rel->send_count);
	*entry = wire_wr_init(copy, len);
	wire_put_bytes(entry, msg, len);
	wire_patch_be16(entry, L2TP_REL_NS_OFFSET, (uint16_t)(rel->send_unacked + rel->send_count));
	rel->send_count++;
	rel_fill_window(rel);
	if (rel->in_flight < rel->send_count)
		REL_DBG(rel, "queued Ns=%u: the peer's window (%u) is full",
			(uint16_t)(rel->send_unacked + rel->send_count - 1), rel->peer_window);
	return 0;
}

bool l2tp_rel_idle(const struct l2tp_rel *rel)
{
	return rel->send_count == 0;
}

uint16_t l2tp_rel_next_recv(const struct l2tp_rel *rel)
{
	return rel->next_recv;
}

uint16_t l2tp_rel_next_send(const struct l2tp_rel *rel)
{
	return (uint16_t)(rel->send_unacked + rel->send_count);
}

void l2tp_rel_stats(const struct l2tp_rel *rel, struct l2tp_rel_stats *out)
{
	*out = rel->stats;
}
