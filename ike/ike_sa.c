/*
 * ike_sa.c - ISAKMP SAs, children, sources, and their hash tables.
 * See ike_sa.h.
 */
#include "ike/ike_sa.h"

#include <string.h>

#include "ike/ike_exchange.h"
#include "ike/ike_info.h"
#include "lib/alloc.h"

#define IKE_STATE_NAME(name, text) text,
static const char *const state_names[] = { IKE_STATE_LIST(IKE_STATE_NAME) };
#undef IKE_STATE_NAME

const char *ike_state_name(unsigned state)
{
	return state < ARRAY_SIZE(state_names) ? state_names[state] : "?";
}

/* ------------------------------------------------------------ SipHash-2-4 */

static uint64_t rotl(uint64_t x, unsigned b)
{
	return x << b | x >> (64 - b);
}

#define SIPROUND                                                                             \
	do {                                                                                 \
		v0 += v1, v1 = rotl(v1, 13), v1 ^= v0, v0 = rotl(v0, 32);                   \
		v2 += v3, v3 = rotl(v3, 16), v3 ^= v2;                                       \
		v0 += v3, v3 = rotl(v3, 21), v3 ^= v0;                                       \
		v2 += v1, v1 = rotl(v1, 17), v1 ^= v2, v2 = rotl(v2, 32);                   \
	} while (0)

/* SipHash-2-4 (Aumasson and Bernstein, 2012) of len bytes under the engine's key. */
uint64_t ike_hash_bytes(const struct ike_engine *e, const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t k0 = e->hash_key[0], k1 = e->hash_key[1];
	uint64_t v0 = k0 ^ 0x736f6d6570736575ull, v1 = k1 ^ 0x646f72616e646f6dull;
	uint64_t v2 = k0 ^ 0x6c7967656e657261ull, v3 = k1 ^ 0x7465646279746573ull;
	uint64_t m, last = (uint64_t)len << 56;
	size_t i, tail = len & 7;

	for (i = 0; i + 8 <= len; i += 8) {
		m = 0;
		for (unsigned j = 0; j < 8; j++)
			m |= (uint64_t)p[i + j] << (8 * j);
		v3 ^= m;
		SIPROUND;
		SIPROUND;
		v0 ^= m;
	}
	for (unsigned j = 0; j < tail; j++)
		last |= (uint64_t)p[i + j] << (8 * j);
	v3 ^= last;
	SIPROUND;
	SIPROUND;
	v0 ^= last;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

/* ------------------------------------------------------------ tables */

int ike_table_init(struct ike_table *t, size_t buckets)
{
	t->buckets = alloc_array(buckets, sizeof(*t->buckets));
	if (!t->buckets)
		return -1;
	t->mask = buckets - 1;
	t->count = 0;
	return 0;
}

void ike_table_free(struct ike_table *t)
{
	alloc_free(t->buckets);
	t->buckets = NULL;
}

static void ike_table_grow(struct ike_table *t)
{
	size_t n = (t->mask + 1) * 2;
	struct ike_hlink **b = alloc_array(n, sizeof(*b));

	if (!b)
		return;         /* chains get longer; lookups still work */
	for (size_t i = 0; i <= t->mask; i++) {
		struct ike_hlink *l = t->buckets[i], *next;

		for (; l; l = next) {
			next = l->next;
			l->next = b[l->hash & (n - 1)];
			b[l->hash & (n - 1)] = l;
		}
	}
	alloc_free(t->buckets);
	t->buckets = b;
	t->mask = n - 1;
}

void ike_table_insert(struct ike_table *t, struct ike_hlink *link, uint64_t hash)
{
	if (t->count >= 2 * (t->mask + 1))
		ike_table_grow(t);
	link->hash = hash;
	link->next = t->buckets[hash & t->mask];
	t->buckets[hash & t->mask] = link;
	t->count++;
}

void ike_table_remove(struct ike_table *t, struct ike_hlink *link)
{
	struct ike_hlink **pp = &t->buckets[link->hash & t->mask];

	for (; *pp; pp = &(*pp)->next) {
		if (*pp == link) {
			*pp = link->next;
			link->next = NULL;
			t->count--;
			return;
		}
	}
}

struct ike_hlink *ike_table_first(const struct ike_table *t, uint64_t hash)
{
	struct ike_hlink *l = t->buckets[hash & t->mask];

	while (l && l->hash != hash)
		l = l->next;
	return l;
}

struct ike_hlink *ike_table_next(struct ike_hlink *link, uint64_t hash)
{
	struct ike_hlink *l = link->next;

	while (l && l->hash != hash)
		l = l->next;
	return l;
}

/* ------------------------------------------------------------ keys */

static uint64_t cookies_hash(const struct ike_engine *e, const uint8_t *cky_i, const uint8_t *cky_r)
{
	uint8_t key[16];

	memcpy(key, cky_i, 8);
	memcpy(key + 8, cky_r, 8);
	return ike_hash_bytes(e, key, sizeof(key));
}

static uint64_t msgid_hash(const struct ike_engine *e, uint64_t serial, uint32_t msgid)
{
	uint8_t key[12];

	memcpy(key, &serial, 8);
	memcpy(key + 8, &msgid, 4);
	return ike_hash_bytes(e, key, sizeof(key));
}

static uint64_t spi_hash(const struct ike_engine *e, uint32_t spi)
{
	return ike_hash_bytes(e, &spi, sizeof(spi));
}

static uint64_t addr_hash(const struct ike_engine *e, const struct netaddr *a)
{
	uint8_t key[17];

	key[0] = (uint8_t)a->family;
	memcpy(key + 1, a->addr.bytes, 16);
	return ike_hash_bytes(e, key, 1 + netaddr_len(a));
}

/* ------------------------------------------------------------ lookups */

struct ike_sa *ike_sa_find(struct ike_engine *e, const uint8_t cky_i[IKE_COOKIE_LEN],
			   const uint8_t cky_r[IKE_COOKIE_LEN])
{
	uint64_t h = cookies_hash(e, cky_i, cky_r);

	for (struct ike_hlink *l = ike_table_first(&e->by_cookies, h); l; l = ike_table_next(l, h)) {
		struct ike_sa *sa = container_of(l, struct ike_sa, by_cookies);

		if (memcmp(sa->cky_i, cky_i, 8) == 0 && memcmp(sa->cky_r, cky_r, 8) == 0)
			return sa;
	}
	return NULL;
}

struct ike_sa *ike_sa_find_initial(struct ike_engine *e, const uint8_t cky_i[IKE_COOKIE_LEN],
				   const struct netaddr *remote)
{
	uint64_t h = ike_hash_bytes(e, cky_i, IKE_COOKIE_LEN);

	for (struct ike_hlink *l = ike_table_first(&e->by_icookie, h); l; l = ike_table_next(l, h)) {
		struct ike_sa *sa = container_of(l, struct ike_sa, by_icookie);

		if (memcmp(sa->cky_i, cky_i, 8) == 0 && netaddr_equal(&sa->remote, remote))
			return sa;
	}
	return NULL;
}

struct ike_child *ike_child_find_msgid(struct ike_engine *e, const struct ike_sa *sa,
				       uint32_t msgid)
{
	uint64_t h = msgid_hash(e, sa->serial, msgid);

	for (struct ike_hlink *l = ike_table_first(&e->by_msgid, h); l; l = ike_table_next(l, h)) {
		struct ike_child *c = container_of(l, struct ike_child, by_msgid);

		if (c->sa == sa && c->msgid == msgid)
			return c;
	}
	return NULL;
}

struct ike_child *ike_child_find_spi_in(struct ike_engine *e, uint32_t spi)
{
	uint64_t h = spi_hash(e, spi);

	for (struct ike_hlink *l = ike_table_first(&e->by_spi_in, h); l; l = ike_table_next(l, h)) {
		struct ike_child *c = container_of(l, struct ike_child, by_spi_in);

		if (c->params.spi_in == spi)
			return c;
	}
	return NULL;
}

struct ike_child *ike_child_find_spi_out(struct ike_engine *e, uint32_t spi,
					 const struct netaddr *remote)
{
	uint64_t h = spi_hash(e, spi);

	for (struct ike_hlink *l = ike_table_first(&e->by_spi_out, h); l; l = ike_table_next(l, h)) {
		struct ike_child *c = container_of(l, struct ike_child, by_spi_out);

		if (c->params.spi_out == spi && (!remote || netaddr_same_addr(&c->params.remote, remote)))
			return c;
	}
	return NULL;
}

static struct ike_source *source_find(struct ike_engine *e, const struct netaddr *addr)
{
	uint64_t h = addr_hash(e, addr);

	for (struct ike_hlink *l = ike_table_first(&e->sources, h); l; l = ike_table_next(l, h)) {
		struct ike_source *s = container_of(l, struct ike_source, link);

		if (netaddr_same_addr(&s->addr, addr))
			return s;
	}
	return NULL;
}

/* ------------------------------------------------------------ reply cache */

void ike_reply_clear(struct ike_reply *r)
{
	alloc_free(r->bytes);
	r->bytes = NULL;
	r->len = 0;
	r->answered = 0;
}

bool ike_reply_store(struct ike_reply *r, const uint8_t *msg, size_t len)
{
	ike_reply_clear(r);
	r->bytes = alloc_memdup(msg, len);
	if (!r->bytes)
		return false;
	r->len = len;
	return true;
}

void ike_reply_request(struct ike_reply *r, const uint8_t digest[32])
{
	memcpy(r->request_digest, digest, 32);
	r->have_request = true;
	ike_reply_clear(r);
}

bool ike_reply_is_duplicate(const struct ike_reply *r, const uint8_t digest[32])
{
	return r->have_request && memcmp(r->request_digest, digest, 32) == 0;
}

/* ------------------------------------------------------------ ISAKMP SA */

static void ike_sa_on_expiry(struct ev_timer *t);

static bool half_open_allowed(struct ike_engine *e, const struct ike_source *src,
			      const struct netaddr *remote)
{
	char addr[NETADDR_STRLEN];

	if (e->half_open >= e->conf.half_open_total) {
		e->stats.dropped_half_open++;
		log_rl(&e->lg, &e->rl_packet, LOG_LEVEL_WARN,
		       "packet from %s: dropped: %llu half-open Main Modes in all (limit %u)",
		       ike_endpoint_str(remote, addr), (unsigned long long)e->half_open,
		       e->conf.half_open_total);
		return false;
	}
	if (src && src->half_open >= e->conf.half_open_per_source) {
		e->stats.dropped_half_open++;
		log_rl(&e->lg, &e->rl_packet, LOG_LEVEL_WARN,
		       "packet from %s: dropped: %u half-open Main Modes from this address (limit %u)",
		       ike_endpoint_str(remote, addr), src->half_open, e->conf.half_open_per_source);
		return false;
	}
	return true;
}

static struct ike_source *source_get(struct ike_engine *e, const struct netaddr *remote)
{
	struct ike_source *s = source_find(e, remote);

	if (s)
		return s;
	s = alloc_zero(sizeof(*s));
	if (!s)
		return NULL;
	s->addr = *remote;
	s->addr.port = 0;
	ike_table_insert(&e->sources, &s->link, addr_hash(e, &s->addr));
	return s;
}

static void source_put(struct ike_engine *e, struct ike_source *s)
{
	if (s->sas)
		return;
	ike_table_remove(&e->sources, &s->link);
	alloc_free(s);
}

/* Main Mode's handshake state, and the keys an established SA keeps. */

static void mm_handshake_wipe_free(struct ike_mm_handshake *mm)
{
	if (!mm)
		return;
	ike_dh_free(mm->dh);
	alloc_free(mm->sai_b);
	ike_secret_wipe(&mm->psk);
	ike_secret_wipe(&mm->skeyid);
	util_wipe(mm->ni, sizeof(mm->ni));
	util_wipe(mm->nr, sizeof(mm->nr));
	alloc_free(mm);
}

void ike_sa_handshake_free(struct ike_sa *sa)
{
	if (!sa->mm)
		return;
	workq_cancel(sa->engine->workq, &sa->mm->job);
	sa->busy = false;
	mm_handshake_wipe_free(sa->mm);
	sa->mm = NULL;
}

static void ike_sa_keys_wipe(struct ike_sa_keys *k)
{
	util_wipe(k, sizeof(*k));
}

/* Copies a phase-1 key into a kept array of cap bytes; false if it does not fit. */
static bool ike_sa_key_keep(uint8_t *dst, size_t cap, size_t *dst_len, const struct ike_secret *src)
{
	if (src->len > cap)
		return false;
	memcpy(dst, src->bytes, src->len);
	*dst_len = src->len;
	return true;
}

/* A kept key widened into *out (wiped if it does not fit, which cannot happen). */
static void ike_sa_key_widen(const uint8_t *key, size_t len, struct ike_secret *out)
{
	if (ike_secret_set(out, key, len) != IKE_CRYPTO_OK)
		ike_secret_wipe(out);
}

enum ike_crypto_verdict ike_sa_keys_take(struct ike_sa *sa, struct ike_phase1_keys *keys)
{
	struct ike_sa_keys *k = &sa->keys;
	enum ike_crypto_verdict v = IKE_CRYPTO_BAD_LENGTH;

	ike_sa_keys_wipe(k);
	if (ike_sa_key_keep(k->enc_key, sizeof(k->enc_key), &k->enc_key_len, &keys->enc_key) &&
	    ike_sa_key_keep(k->skeyid_a, sizeof(k->skeyid_a), &k->skeyid_a_len, &keys->skeyid_a) &&
	    ike_sa_key_keep(k->skeyid_d, sizeof(k->skeyid_d), &k->skeyid_d_len, &keys->skeyid_d))
		v = ike_secret_set(&sa->mm->skeyid, keys->skeyid.bytes, keys->skeyid.len);
	if (v != IKE_CRYPTO_OK)
		ike_sa_keys_wipe(k);
	ike_phase1_keys_wipe(keys);
	return v;
}

void ike_sa_skeyid_d(const struct ike_sa *sa, struct ike_secret *out)
{
	ike_sa_key_widen(sa->keys.skeyid_d, sa->keys.skeyid_d_len, out);
}

void ike_sa_skeyid_a(const struct ike_sa *sa, struct ike_secret *out)
{
	ike_sa_key_widen(sa->keys.skeyid_a, sa->keys.skeyid_a_len, out);
}

void ike_sa_enc_key(const struct ike_sa *sa, struct ike_secret *out)
{
	ike_sa_key_widen(sa->keys.enc_key, sa->keys.enc_key_len, out);
}

struct ike_sa *ike_sa_new(struct ike_engine *e, const uint8_t cky_i[IKE_COOKIE_LEN],
			  const struct netaddr *local, const struct netaddr *remote)
{
	struct ike_source *src = source_find(e, remote);
	struct ike_sa *sa;
	struct ike_mm_handshake *mm;
	char addr[NETADDR_STRLEN];

	if (!half_open_allowed(e, src, remote))
		return NULL;
	sa = alloc_zero(sizeof(*sa));
	mm = sa ? alloc_zero(sizeof(*mm)) : NULL;
	src = mm ? source_get(e, remote) : NULL;
	if (!src || !ike_random(sa->cky_r, IKE_COOKIE_LEN) ||
	    ike_secret_set(&mm->psk, e->psk.bytes, e->psk.len) != IKE_CRYPTO_OK) {
		mm_handshake_wipe_free(mm);
		alloc_free(sa);
		log_rl(&e->lg, &e->rl_packet, LOG_LEVEL_ERR,
		       "packet from %s: dropped: out of memory for a new ISAKMP SA",
		       ike_endpoint_str(remote, addr));
		return NULL;
	}
	mm->sa = sa;
	sa->mm = mm;
	sa->engine = e;
	sa->serial = logger_init(&sa->lg, e->log, &e->lg, "#");
	sa->state = IKE_STATE_NONE;
	memcpy(sa->cky_i, cky_i, IKE_COOKIE_LEN);
	sa->local = *local;
	sa->remote = *remote;
	sa->created_ms = clock_now_ms(ev_loop_clock(e->loop));
	sa->last_heard_ms = sa->created_ms;
	ev_timer_init(&sa->expiry, ike_sa_on_expiry);
	ev_timer_init(&sa->dpd_due, ike_info_on_dpd_due);
	ev_timer_arm(e->loop, &sa->expiry, e->conf.exchange_timeout_ms);
	ike_table_insert(&e->by_cookies, &sa->by_cookies, cookies_hash(e, sa->cky_i, sa->cky_r));
	ike_table_insert(&e->by_icookie, &sa->by_icookie, ike_hash_bytes(e, sa->cky_i, 8));
	sa->source = src;
	sa->source_next = src->sas;
	if (src->sas)
		src->sas->source_prev = sa;
	src->sas = sa;
	src->half_open++;
	sa->half_open = true;
	e->half_open++;
	sa->next = e->sas;
	if (e->sas)
		e->sas->prev = sa;
	e->sas = sa;
	e->stats.isakmp_sas++;
	return sa;
}

void ike_sa_established(struct ike_sa *sa)
{
	if (!sa->half_open)
		return;
	sa->half_open = false;
	sa->source->half_open--;
	sa->engine->half_open--;
}

static void ike_sa_unlink(struct ike_sa *sa)
{
	struct ike_engine *e = sa->engine;

	ike_table_remove(&e->by_cookies, &sa->by_cookies);
	ike_table_remove(&e->by_icookie, &sa->by_icookie);
	ike_sa_established(sa);
	if (sa->source_prev)
		sa->source_prev->source_next = sa->source_next;
	else
		sa->source->sas = sa->source_next;
	if (sa->source_next)
		sa->source_next->source_prev = sa->source_prev;
	source_put(e, sa->source);
	if (sa->prev)
		sa->prev->next = sa->next;
	else
		e->sas = sa->next;
	if (sa->next)
		sa->next->prev = sa->prev;
	e->stats.isakmp_sas--;
}

static void ike_sa_free(struct ike_sa *sa)
{
	struct ike_engine *e = sa->engine;

	ike_sa_handshake_free(sa);
	ev_timer_cancel(e->loop, &sa->expiry);
	ev_timer_cancel(e->loop, &sa->dpd_due);
	ike_sa_unlink(sa);
	ike_sa_keys_wipe(&sa->keys);
	alloc_free(sa->peer_id);
	ike_reply_clear(&sa->reply);
	alloc_free(sa);
}

static void child_detach(struct ike_child *c)
{
	struct ike_sa *sa = c->sa;

	if (!sa)
		return;
	if (c->in_msgid) {
		ike_table_remove(&c->engine->by_msgid, &c->by_msgid);
		c->in_msgid = false;
	}
	if (c->sa_prev)
		c->sa_prev->sa_next = c->sa_next;
	else
		sa->children = c->sa_next;
	if (c->sa_next)
		c->sa_next->sa_prev = c->sa_prev;
	c->sa_prev = c->sa_next = NULL;
	sa->child_count--;
	c->sa = NULL;
}

void ike_sa_delete(struct ike_sa *sa, bool notify_peer, bool with_children, const char *reason)
{
	IKE_DBG(sa->engine, &sa->lg, "deleting ISAKMP SA (%s)", reason);
	while (sa->children) {
		struct ike_child *c = sa->children;

		if (with_children || c->state != IKE_STATE_QUICK_R2)
			ike_child_delete(c, notify_peer, reason);
		else
			child_detach(c);
	}
	if (notify_peer && sa->state == IKE_STATE_MAIN_R3)
		(void)ike_info_send_delete_isakmp(sa);
	ike_sa_free(sa);
}

/* The exchange stalled (half-open), or the established SA reached its lifetime. */
static void ike_sa_on_expiry(struct ev_timer *t)
{
	struct ike_sa *sa = container_of(t, struct ike_sa, expiry);
	struct ike_engine *e = sa->engine;
	uint64_t age = clock_now_ms(ev_loop_clock(e->loop)) - sa->created_ms;
	char peer[NETADDR_STRLEN];

	if (sa->state != IKE_STATE_MAIN_R3) {
		e->stats.exchanges_expired++;
		log_msg(&sa->lg, LOG_LEVEL_WARN,
			"deleting incomplete state after %llu.%03llu seconds "
			"(%s; peer %s stopped answering)",
			(unsigned long long)(age / 1000), (unsigned long long)(age % 1000),
			ike_state_name(sa->state), ike_endpoint_str(&sa->remote, peer));
		ike_sa_delete(sa, false, true, "exchange timed out");
		return;
	}
	log_msg(&sa->lg, LOG_LEVEL_INFO, "ISAKMP SA expired after %llu seconds; deleting it",
		(unsigned long long)(age / 1000));
	ike_sa_delete(sa, true, false, "lifetime reached");
}

/* ------------------------------------------------------------ children */

static void ike_child_on_expiry(struct ev_timer *t);

static void qm_handshake_wipe_free(struct ike_qm_handshake *qm)
{
	if (!qm)
		return;
	ike_dh_free(qm->dh);
	ike_secret_wipe(&qm->g_xy);
	util_wipe(qm->ni, sizeof(qm->ni));
	util_wipe(qm->nr, sizeof(qm->nr));
	alloc_free(qm);
}

void ike_child_handshake_free(struct ike_child *c)
{
	if (!c->qm)
		return;
	workq_cancel(c->engine->workq, &c->qm->job);
	c->busy = false;
	qm_handshake_wipe_free(c->qm);
	c->qm = NULL;
}

struct ike_child *ike_child_new(struct ike_sa *sa, uint32_t msgid)
{
	struct ike_engine *e = sa->engine;
	struct ike_child *c = alloc_zero(sizeof(*c));
	struct ike_qm_handshake *qm = c ? alloc_zero(sizeof(*qm)) : NULL;

	if (!qm) {
		alloc_free(c);
		return NULL;
	}
	qm->child = c;
	c->qm = qm;
	c->engine = e;
	c->serial = logger_init(&c->lg, e->log, &e->lg, "#");
	c->parent_serial = sa->serial;
	c->state = IKE_STATE_NONE;
	c->msgid = msgid;
	c->sa = sa;
	c->sa_next = sa->children;
	if (sa->children)
		sa->children->sa_prev = c;
	sa->children = c;
	sa->child_count++;
	c->next = e->children;
	if (e->children)
		e->children->prev = c;
	e->children = c;
	ike_table_insert(&e->by_msgid, &c->by_msgid, msgid_hash(e, sa->serial, msgid));
	c->in_msgid = true;
	ev_timer_init(&c->expiry, ike_child_on_expiry);
	ev_timer_arm(e->loop, &c->expiry, e->conf.exchange_timeout_ms);
	c->params.serial = c->serial;
	c->params.parent_serial = sa->serial;
	return c;
}

void ike_child_index_spi_in(struct ike_child *c)
{
	if (!c->in_spi_in) {
		ike_table_insert(&c->engine->by_spi_in, &c->by_spi_in,
				 spi_hash(c->engine, c->params.spi_in));
		c->in_spi_in = true;
	}
}

void ike_child_index_spi_out(struct ike_child *c)
{
	if (!c->in_spi_out) {
		ike_table_insert(&c->engine->by_spi_out, &c->by_spi_out,
				 spi_hash(c->engine, c->params.spi_out));
		c->in_spi_out = true;
	}
}

static void ike_child_free(struct ike_child *c)
{
	struct ike_engine *e = c->engine;

	ike_child_handshake_free(c);
	ev_timer_cancel(e->loop, &c->expiry);
	child_detach(c);
	if (c->in_spi_in)
		ike_table_remove(&e->by_spi_in, &c->by_spi_in);
	if (c->in_spi_out)
		ike_table_remove(&e->by_spi_out, &c->by_spi_out);
	if (c->reqid_held)
		ike_reqid_release(e, c->params.reqid);
	if (c->prev)
		c->prev->next = c->next;
	else
		e->children = c->next;
	if (c->next)
		c->next->prev = c->prev;
	util_wipe(&c->params, sizeof(c->params));
	ike_reply_clear(&c->reply);
	alloc_free(c);
}

void ike_child_delete(struct ike_child *c, bool notify_peer, const char *reason)
{
	struct ike_engine *e = c->engine;

	if (notify_peer && c->sa && c->sa->state == IKE_STATE_MAIN_R3 && c->spi_allocated)
		(void)ike_info_send_delete_esp(c->sa, c->params.spi_in);
	if (c->spi_allocated)
		e->ops.child_remove(e->ops.arg, &c->params);
	if (c->installed) {
		e->stats.ipsec_sas--;
		if (e->ops.child_down)
			e->ops.child_down(e->ops.arg, c->serial, reason);
	}
	ike_child_free(c);
}

static void ike_child_on_expiry(struct ev_timer *t)
{
	struct ike_child *c = container_of(t, struct ike_child, expiry);
	struct ike_engine *e = c->engine;

	if (c->state != IKE_STATE_QUICK_R2) {
		e->stats.exchanges_expired++;
		log_msg(&c->lg, LOG_LEVEL_WARN,
			"deleting incomplete state after %u.%03u seconds (%s)",
			e->conf.exchange_timeout_ms / 1000, e->conf.exchange_timeout_ms % 1000,
			ike_state_name(c->state));
		ike_child_delete(c, false, "Quick Mode timed out");
		return;
	}
	log_msg(&c->lg, LOG_LEVEL_INFO, "IPsec SA expired after %llu seconds; deleting it",
		(unsigned long long)c->params.lifetime_seconds);
	ike_child_delete(c, true, "lifetime reached");
}

/* ------------------------------------------------------------ reqids */

uint32_t ike_reqid_alloc(struct ike_engine *e)
{
	for (uint32_t tries = 0; tries < e->reqid_span; tries++) {
		uint32_t i = e->reqid_next;

		e->reqid_next = (e->reqid_next + 1) % e->reqid_span;
		if (!(e->reqid_used[i / 8] & (1u << (i % 8)))) {
			e->reqid_used[i / 8] |= (uint8_t)(1u << (i % 8));
			return e->conf.reqid_min + i;
		}
	}
	return 0;
}

void ike_reqid_release(struct ike_engine *e, uint32_t reqid)
{
	uint32_t i = reqid - e->conf.reqid_min;

	if (reqid >= e->conf.reqid_min && i < e->reqid_span)
		e->reqid_used[i / 8] &= (uint8_t)~(1u << (i % 8));
}
