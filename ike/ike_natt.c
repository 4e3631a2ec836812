/*
 * ike_natt.c - NAT traversal for the responder.  See ike_natt.h.
 */
#include "ike/ike_natt.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

#include "ike/isakmp_const.h"

static bool method_allowed(const struct ike_engine *e, enum isakmp_natt_method m)
{
	if (m == ISAKMP_NATT_RFC)
		return e->conf.natt_methods & IKE_NATT_ALLOW_RFC;
	if (m != ISAKMP_NATT_NONE)
		return e->conf.natt_methods & IKE_NATT_ALLOW_DRAFTS;
	return false;
}

void ike_natt_read_vids(struct ike_sa *sa, const struct ike_rx *rx)
{
	sa->natt = ISAKMP_NATT_NONE;
	for (size_t i = 0; i < rx->msg.count; i++) {
		const struct isakmp_vid *vid;

		if (rx->msg.payloads[i].type != ISAKMP_PAYLOAD_VID)
			continue;
		vid = isakmp_vid_lookup(rx->msg.payloads[i].body);
		if (!vid)
			continue;
		/* Implementation markers, for the admin's "which client is this" only. */
		if (strcmp(vid->name, "draft-ietf-ipsec-nat-t-ike") == 0)
			sa->apple = true;
		else if (strcmp(vid->name, "KAME/racoon") == 0)
			sa->racoon = true;
		switch (vid->kind) {
		case ISAKMP_VID_NATT:
			if (vid->natt > sa->natt && method_allowed(sa->engine, vid->natt))
				sa->natt = vid->natt;
			break;
		case ISAKMP_VID_DPD:
			sa->dpd_vid = true;
			break;
		case ISAKMP_VID_MS_NT5:
			sa->microsoft = true;
			sa->ms_version = vid->ms_version;
			break;
		case ISAKMP_VID_MICROSOFT:
		case ISAKMP_VID_FRAGMENTATION:
			sa->microsoft = true;
			break;
		default:
			break;
		}
	}
}

void ike_natt_log_vids(const struct ike_sa *sa, const struct ike_rx *rx)
{
	struct ike_engine *e = sa->engine;
	char from[NETADDR_STRLEN];

	ike_endpoint_str(&rx->remote, from);
	for (size_t i = 0; i < rx->msg.count; i++) {
		struct wire_span data = rx->msg.payloads[i].body;
		const struct isakmp_vid *vid;
		bool used;

		if (rx->msg.payloads[i].type != ISAKMP_PAYLOAD_VID)
			continue;
		vid = isakmp_vid_lookup(data);
		if (!vid) {
			char hex[2 * 16 + 4] = "";

			for (size_t k = 0; k < data.len && k < 16; k++)
				snprintf(hex + 2 * k, sizeof(hex) - 2 * k, "%02x", data.p[k]);
			log_rl(&e->lg, &e->rl_packet, LOG_LEVEL_INFO,
			       "packet from %s: ignoring unknown Vendor ID payload [%s%s]", from, hex,
			       data.len > 16 ? "..." : "");
			continue;
		}
		used = (vid->kind == ISAKMP_VID_NATT && vid->natt == sa->natt &&
			sa->natt != ISAKMP_NATT_NONE) ||
		       vid->kind == ISAKMP_VID_DPD;
		log_rl(&e->lg, &e->rl_packet, LOG_LEVEL_INFO, "packet from %s: %s Vendor ID payload [%s]",
		       from, used ? "received" : "ignoring", vid->name);
	}
}

static bool vid_bytes_where(bool (*match)(const struct isakmp_vid *, enum isakmp_natt_method),
			    enum isakmp_natt_method method, struct wire_span *out)
{
	size_t count;
	const struct isakmp_vid *table = isakmp_vid_table(&count);

	for (size_t i = 0; i < count; i++) {
		if (match(&table[i], method)) {
			*out = (struct wire_span){ table[i].bytes, table[i].len };
			return true;
		}
	}
	return false;
}

static bool is_natt_vid(const struct isakmp_vid *v, enum isakmp_natt_method m)
{
	return v->kind == ISAKMP_VID_NATT && v->natt == m && !v->prefix;
}

static bool is_dpd_vid(const struct isakmp_vid *v, enum isakmp_natt_method m)
{
	(void)m;
	return v->kind == ISAKMP_VID_DPD;
}

bool ike_natt_vid_bytes(enum isakmp_natt_method method, struct wire_span *out)
{
	return method != ISAKMP_NATT_NONE && vid_bytes_where(is_natt_vid, method, out);
}

bool ike_natt_dpd_vid_bytes(struct wire_span *out)
{
	return vid_bytes_where(is_dpd_vid, ISAKMP_NATT_NONE, out);
}

/* pluto's names for the method families in its NAT-Traversal result line. */
static const char *method_family(enum isakmp_natt_method m)
{
	return m == ISAKMP_NATT_RFC ? "RFC 3947 (NAT-Traversal)" : "draft-ietf-ipsec-nat-t-ike-02/03";
}

static bool natd_of(const struct ike_sa *sa, const struct netaddr *a, struct ike_digest *out)
{
	return ike_natd_hash(sa->engine->crypto, sa->p1.hash, sa->cky_i, sa->cky_r, a->addr.bytes,
			     netaddr_len(a), a->port, out) == IKE_CRYPTO_OK;
}

static bool natd_equal(const struct ike_digest *d, struct wire_span hash)
{
	return hash.len == d->len && CRYPTO_memcmp(hash.p, d->bytes, d->len) == 0;
}

bool ike_natt_detect(struct ike_sa *sa, const struct ike_rx *rx)
{
	struct ike_digest ours, theirs;
	size_t seen = 0;
	bool ours_ok = false, theirs_ok = false;
	const char *result;

	if (sa->natt == ISAKMP_NATT_NONE)
		return true;
	if (!natd_of(sa, &sa->local, &ours) || !natd_of(sa, &sa->remote, &theirs))
		return false;
	for (size_t i = 0; i < rx->msg.count; i++) {
		struct isakmp_natd natd;

		if (ike_payload_class(rx->msg.payloads[i].type) != IKE_PL_NATD)
			continue;
		if (isakmp_natd_parse(rx->msg.payloads[i].body, &natd) != ISAKMP_OK)
			return false;
		if (seen++ == 0) {
			ours_ok = natd_equal(&ours, natd.hash);
			sa->peer_natd_of_us_len = MIN(natd.hash.len, sizeof(sa->peer_natd_of_us));
			memcpy(sa->peer_natd_of_us, natd.hash.p, sa->peer_natd_of_us_len);
		}
		else if (natd_equal(&theirs, natd.hash))
			theirs_ok = true;
	}
	if (seen < 2) {
		log_msg(&sa->lg, LOG_LEVEL_WARN,
			"NAT-Traversal: peer sent %zu NAT-D payloads; NAT-T disabled", seen);
		sa->natt = ISAKMP_NATT_NONE;
		return true;
	}
	sa->nat_us = !ours_ok;
	sa->nat_peer = !theirs_ok;
	result = sa->nat_us ? (sa->nat_peer ? "both are NATed" : "i am NATed")
			    : (sa->nat_peer ? "peer is NATed" : "no NAT detected");
	log_msg(&sa->lg, LOG_LEVEL_INFO, "NAT-Traversal: Result using %s: %s",
		method_family(sa->natt), result);
	if (sa->engine->conf.natt_force_encapsulation) {
		sa->nat_forced = true;
		log_msg(&sa->lg, LOG_LEVEL_INFO,
			"NAT-Traversal: faking the peer's NAT-D to enforce UDP encapsulation%s",
			sa->microsoft ? "; repeating Windows' NAT-D of our address" : "");
	}
	return true;
}

bool ike_natt_build_natd(struct ike_sa *sa, struct isakmp_builder *b)
{
	struct ike_digest theirs, ours;
	uint8_t type = isakmp_natt_natd_payload(sa->natt);

	if (sa->natt == ISAKMP_NATT_NONE)
		return true;
	if (!natd_of(sa, &sa->remote, &theirs) || !natd_of(sa, &sa->local, &ours))
		return false;
	if (sa->nat_forced && !ike_random(theirs.bytes, theirs.len))
		return false;
	if (sa->nat_forced && sa->microsoft && sa->peer_natd_of_us_len == ours.len)
		memcpy(ours.bytes, sa->peer_natd_of_us, ours.len);
	isakmp_natd_build(b, type, (struct wire_span){ theirs.bytes, theirs.len });
	isakmp_natd_build(b, type, (struct wire_span){ ours.bytes, ours.len });
	return true;
}

void ike_natt_follow(struct ike_sa *sa, const struct ike_rx *rx)
{
	char was[NETADDR_STRLEN], now[NETADDR_STRLEN];

	if (netaddr_equal(&sa->remote, &rx->remote) && netaddr_equal(&sa->local, &rx->local))
		return;
	log_msg(&sa->lg, LOG_LEVEL_INFO, "new NAT mapping for #%llu, was %s, now %s",
		(unsigned long long)sa->serial, ike_endpoint_str(&sa->remote, was),
		ike_endpoint_str(&rx->remote, now));
	sa->remote = rx->remote;
	sa->local = rx->local;
}

bool ike_natt_nat_detected(const struct ike_sa *sa)
{
	return sa->natt != ISAKMP_NATT_NONE && (sa->nat_us || sa->nat_peer || sa->nat_forced);
}

bool ike_natt_read_natoa(struct ike_child *c, const struct ike_rx *rx)
{
	c->natoa_count = 0;
	for (size_t i = 0; i < rx->msg.count; i++) {
		struct isakmp_natoa oa;

		if (ike_payload_class(rx->msg.payloads[i].type) != IKE_PL_NATOA)
			continue;
		if (isakmp_natoa_parse(rx->msg.payloads[i].body, &oa) != ISAKMP_OK)
			return false;
		if (c->natoa_count++ > 0)
			continue;
		memset(&c->natoa, 0, sizeof(c->natoa));
		c->natoa.family = oa.address.len == 4 ? AF_INET : AF_INET6;
		memcpy(c->natoa.addr.bytes, oa.address.p, oa.address.len);
	}
	if (c->natoa_count > 2)
		return false;
	if (c->natoa_count == 2)
		log_msg(&c->lg, LOG_LEVEL_INFO,
			"NAT-Traversal: received 2 NAT-OA. Using first, ignoring others");
	return true;
}

void ike_natt_build_natoa(const struct ike_child *c, struct isakmp_builder *b)
{
	const struct ike_sa *sa = c->sa;
	uint8_t type = isakmp_natt_natoa_payload(sa->natt);

	if (!c->p2.udp_encap)
		return;
	if (sa->natt == ISAKMP_NATT_RFC)
		isakmp_natoa_build(b, type, (struct wire_span){ sa->remote.addr.bytes,
								netaddr_len(&sa->remote) });
	isakmp_natoa_build(b, type, (struct wire_span){ sa->local.addr.bytes, netaddr_len(&sa->local) });
}
