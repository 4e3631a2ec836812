/*
 * kernel_xfrm.c - XFRM through libnl: requests and dumps built from the
 * kernel's own structures (linux/xfrm.h) with libnl's message API.
 */
#include "config.h"

#include <errno.h>
#include <linux/netlink.h>
#include <linux/udp.h>
#include <linux/xfrm.h>
#include <netinet/in.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "daemon/kernel_xfrm.h"
#include "lib/alloc.h"

#ifndef UDP_ENCAP_ESPINUDP
#define UDP_ENCAP_ESPINUDP 2
#endif
#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* Priorities: KXFRM_POLICY_PRIORITY and KXFRM_GUARD_PRIORITY, in the header with the why. */
_Static_assert(KXFRM_POLICY_PRIORITY < KXFRM_GUARD_PRIORITY,
	       "a client's policies must outrank the clear-L2TP guard");
#define KXFRM_REPLAY_WINDOW 32

struct kxfrm {
	struct nl_sock *request;        /* synchronous requests */
	struct nl_sock *events;         /* XFRMGRP_EXPIRE, when opened */
	char error_text[KXFRM_ERROR_MAX];
};

/* ------------------------------------------------------------------ plumbing */

struct kxfrm_reply {
	struct kxfrm *kx;
	int error;                      /* -errno from the kernel's ack */
	bool acked;                     /* the ack (or error) of the request came */
	int (*parse)(struct nlmsghdr *hdr, void *arg);
	void *arg;
};

/* The kernel's ack or error; keeps its extended-ack text. */
static int kxfrm_on_error(struct sockaddr_nl *who, struct nlmsgerr *err, void *arg)
{
	struct kxfrm_reply *reply = arg;
	struct nlmsghdr *hdr = (struct nlmsghdr *)err - 1;

	reply->error = err->error;
	reply->acked = true;
	reply->kx->error_text[0] = '\0';
	if (hdr->nlmsg_flags & NLM_F_ACK_TLVS) {
		/* Attributes follow the echoed header (capped: NLM_F_CAPPED). */
		size_t offset = sizeof(*hdr) + sizeof(*err);
		if (!(hdr->nlmsg_flags & NLM_F_CAPPED))
			offset += err->msg.nlmsg_len - sizeof(err->msg);
		if (hdr->nlmsg_len > offset) {
			struct nlattr *attrs = (struct nlattr *)((char *)hdr + NLMSG_ALIGN(offset));
			int remaining = (int)(hdr->nlmsg_len - NLMSG_ALIGN(offset));
			struct nlattr *attr;
			int rem;

			nla_for_each_attr(attr, attrs, remaining, rem) {
				if (nla_type(attr) == NLMSGERR_ATTR_MSG)
					snprintf(reply->kx->error_text, sizeof(reply->kx->error_text),
						 "%.*s", nla_len(attr), (const char *)nla_data(attr));
			}
		}
	}
	return NL_STOP;
}

static int kxfrm_on_valid(struct nl_msg *msg, void *arg)
{
	struct kxfrm_reply *reply = arg;

	if (reply->parse)
		return reply->parse(nlmsg_hdr(msg), reply->arg);
	return NL_OK;
}

static int kxfrm_on_ack(struct nl_msg *msg, void *arg)
{
	struct kxfrm_reply *reply = arg;

	reply->acked = true;
	return NL_STOP;
}

/*
 * Sends msg (consumed) and waits for its reply, if any, and its ack; 0 or
 * -errno.  libnl asks for an ack on every request, so a GET or ALLOCSPI
 * reply is followed by one: it is read here, or the next request would take
 * it for its own answer (and its real answer would shift to the one after).
 */
static int kxfrm_transact(struct kxfrm *kx, struct nl_msg *msg,
			  int (*parse)(struct nlmsghdr *hdr, void *arg), void *arg)
{
	struct kxfrm_reply reply = { .kx = kx, .parse = parse, .arg = arg };
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int err;

	kx->error_text[0] = '\0';
	if (!cb) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nl_cb_err(cb, NL_CB_CUSTOM, kxfrm_on_error, &reply);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, kxfrm_on_valid, &reply);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, kxfrm_on_ack, &reply);
	err = nl_send_auto(kx->request, msg);
	nlmsg_free(msg);
	if (err < 0) {
		nl_cb_put(cb);
		return -EIO;
	}
	do
		err = nl_recvmsgs(kx->request, cb);
	while (err >= 0 && !reply.acked);
	nl_cb_put(cb);
	if (reply.error)
		return reply.error;
	return err < 0 ? -EIO : 0;
}

static void kxfrm_addr_put(xfrm_address_t *dst, const struct netaddr *na)
{
	memset(dst, 0, sizeof(*dst));
	memcpy(dst, &na->addr, netaddr_len(na));
}

static void kxfrm_selector(struct xfrm_selector *sel, const struct netaddr *src,
			   const struct netaddr *dst, uint8_t protocol)
{
	uint8_t prefix = src->family == AF_INET ? 32 : 128;

	memset(sel, 0, sizeof(*sel));
	sel->family = src->family;
	kxfrm_addr_put(&sel->saddr, src);
	kxfrm_addr_put(&sel->daddr, dst);
	sel->prefixlen_s = prefix;
	sel->prefixlen_d = prefix;
	sel->proto = protocol;
	if (protocol && src->port) {
		sel->sport = htons(src->port);
		sel->sport_mask = 0xffff;
	}
	if (protocol && dst->port) {
		sel->dport = htons(dst->port);
		sel->dport_mask = 0xffff;
	}
}

static int kxfrm_put_mark(struct nl_msg *msg, uint32_t mark)
{
	struct xfrm_mark xmark = { .v = mark, .m = 0xffffffffu };

	return mark ? nla_put(msg, XFRMA_MARK, sizeof(xmark), &xmark) : 0;
}

/* ------------------------------------------------------------------ lifecycle */

struct kxfrm *kxfrm_open(void)
{
	struct kxfrm *kx = alloc_zero(sizeof(*kx));
	int one = 1;

	if (!kx)
		return NULL;
	kx->request = nl_socket_alloc();
	if (!kx->request)
		goto err_free;
	if (nl_connect(kx->request, NETLINK_XFRM) < 0)
		goto err_sock;
	/* The kernel's reasons for a refusal, when it has them. */
	setsockopt(nl_socket_get_fd(kx->request), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	return kx;

err_sock:
	nl_socket_free(kx->request);
err_free:
	alloc_free(kx);
	return NULL;
}

void kxfrm_close(struct kxfrm *kx)
{
	if (!kx)
		return;
	nl_socket_free(kx->request);
	if (kx->events)
		nl_socket_free(kx->events);
	alloc_free(kx);
}

const char *kxfrm_error_text(const struct kxfrm *kx)
{
	return kx->error_text;
}

/* ------------------------------------------------------------------ sockets */

int kxfrm_socket_bypass(int fd, int family)
{
	int level = family == AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IP;
	int option = family == AF_INET6 ? IPV6_XFRM_POLICY : IP_XFRM_POLICY;
	static const uint8_t dirs[] = { XFRM_POLICY_IN, XFRM_POLICY_OUT };

	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		struct xfrm_userpolicy_info policy = {
			.action = XFRM_POLICY_ALLOW,
			.sel.family = (uint16_t)family,
			.dir = dirs[i],
		};

		if (setsockopt(fd, level, option, &policy, sizeof(policy)) < 0)
			return -errno;
	}
	return 0;
}

int kxfrm_socket_espinudp(int fd)
{
	int type = UDP_ENCAP_ESPINUDP;

	return setsockopt(fd, IPPROTO_UDP, UDP_ENCAP, &type, sizeof(type)) < 0 ? -errno : 0;
}

/* ------------------------------------------------------------------ SAs */

static int kxfrm_parse_spi(struct nlmsghdr *hdr, void *arg)
{
	uint32_t *spi = arg;

	if (hdr->nlmsg_type == XFRM_MSG_NEWSA &&
	    hdr->nlmsg_len >= NLMSG_LENGTH(sizeof(struct xfrm_usersa_info))) {
		const struct xfrm_usersa_info *info = NLMSG_DATA(hdr);

		*spi = ntohl(info->id.spi);
	}
	return NL_STOP;
}

int kxfrm_spi_alloc(struct kxfrm *kx, const struct netaddr *local, const struct netaddr *remote,
		    uint32_t reqid, uint32_t *spi)
{
	struct xfrm_userspi_info request;
	struct nl_msg *msg = nlmsg_alloc_simple(XFRM_MSG_ALLOCSPI, NLM_F_REQUEST);
	int err;

	if (!msg)
		return -ENOMEM;
	memset(&request, 0, sizeof(request));
	request.info.family = local->family;
	kxfrm_addr_put(&request.info.saddr, remote);
	kxfrm_addr_put(&request.info.id.daddr, local);
	request.info.id.proto = IPPROTO_ESP;
	request.info.mode = XFRM_MODE_TRANSPORT;
	request.info.reqid = reqid;
	/* SPIs below 256 are reserved (RFC 4303 §2.1); keep clear of them. */
	request.min = 0x100;
	request.max = 0xffffffffu;
	if (nlmsg_append(msg, &request, sizeof(request), NLMSG_ALIGNTO) < 0) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	*spi = 0;
	err = kxfrm_transact(kx, msg, kxfrm_parse_spi, spi);
	if (err == 0 && *spi == 0)
		err = -EPROTO;
	return err;
}

static int kxfrm_put_algo(struct nl_msg *msg, int type, const char *name, const uint8_t *key,
			  size_t key_len, unsigned trunc_bits)
{
	uint8_t buf[sizeof(struct xfrm_algo_auth) + KXFRM_KEY_MAX];
	size_t header;

	memset(buf, 0, sizeof(buf));
	if (key_len > KXFRM_KEY_MAX || strlen(name) >= sizeof(((struct xfrm_algo *)0)->alg_name))
		return -EINVAL;
	if (type == XFRMA_ALG_AUTH_TRUNC) {
		struct xfrm_algo_auth *algo = (struct xfrm_algo_auth *)buf;

		strcpy(algo->alg_name, name);
		algo->alg_key_len = (unsigned)(key_len * 8);
		algo->alg_trunc_len = trunc_bits;
		header = sizeof(*algo);
	} else {
		struct xfrm_algo *algo = (struct xfrm_algo *)buf;

		strcpy(algo->alg_name, name);
		algo->alg_key_len = (unsigned)(key_len * 8);
		header = sizeof(*algo);
	}
	memcpy(buf + header, key, key_len);
	int err = nla_put(msg, type, (int)(header + key_len), buf);
	util_wipe(buf, sizeof(buf));
	return err < 0 ? -ENOMEM : 0;
}

int kxfrm_sa_add(struct kxfrm *kx, const struct kxfrm_sa *sa)
{
	const struct netaddr *src = sa->inbound ? &sa->flow.remote : &sa->flow.local;
	const struct netaddr *dst = sa->inbound ? &sa->flow.local : &sa->flow.remote;
	struct xfrm_usersa_info info;
	struct nl_msg *msg;
	int err = -ENOMEM;

	msg = nlmsg_alloc_simple(sa->update ? XFRM_MSG_UPDSA : XFRM_MSG_NEWSA, NLM_F_REQUEST | NLM_F_ACK);
	if (!msg)
		return -ENOMEM;
	memset(&info, 0, sizeof(info));
	kxfrm_selector(&info.sel, src, dst, sa->flow.protocol);
	kxfrm_addr_put(&info.id.daddr, dst);
	info.id.spi = htonl(sa->spi);
	info.id.proto = IPPROTO_ESP;
	kxfrm_addr_put(&info.saddr, src);
	info.family = src->family;
	info.mode = XFRM_MODE_TRANSPORT;
	info.reqid = sa->reqid;
	info.replay_window = KXFRM_REPLAY_WINDOW;
	info.lft.soft_byte_limit = XFRM_INF;
	info.lft.hard_byte_limit = sa->hard_bytes ? sa->hard_bytes : XFRM_INF;
	info.lft.soft_packet_limit = XFRM_INF;
	info.lft.hard_packet_limit = XFRM_INF;
	info.lft.hard_add_expires_seconds = sa->hard_seconds;
	if (nlmsg_append(msg, &info, sizeof(info), NLMSG_ALIGNTO) < 0)
		goto out;
	err = kxfrm_put_algo(msg, XFRMA_ALG_CRYPT, sa->cipher_name, sa->cipher_key,
			     sa->cipher_key_len, 0);
	if (err == 0)
		err = kxfrm_put_algo(msg, XFRMA_ALG_AUTH_TRUNC, sa->integ_name, sa->integ_key,
				     sa->integ_key_len, sa->integ_trunc_bits);
	if (err < 0)
		goto out;
	err = -ENOMEM;
	if (sa->encap) {
		struct xfrm_encap_tmpl encap = {
			.encap_type = UDP_ENCAP_ESPINUDP,
			.encap_sport = htons(sa->inbound ? sa->encap_remote_port : sa->encap_local_port),
			.encap_dport = htons(sa->inbound ? sa->encap_local_port : sa->encap_remote_port),
		};

		if (nla_put(msg, XFRMA_ENCAP, sizeof(encap), &encap) < 0)
			goto out;
	}
	if (sa->mark) {
		/*
		 * Inbound: looked up by SPI, unmarked, and it marks what it decrypts.
		 * Outbound: only packets carrying the client's mark use it.
		 */
		if (sa->inbound) {
			if (nla_put_u32(msg, XFRMA_SET_MARK, sa->mark) < 0 ||
			    nla_put_u32(msg, XFRMA_SET_MARK_MASK, 0xffffffffu) < 0)
				goto out;
		} else if (kxfrm_put_mark(msg, sa->mark) < 0) {
			goto out;
		}
	}
	err = kxfrm_transact(kx, msg, NULL, NULL);
	msg = NULL;
out:
	if (msg) {
		/* The message holds keys. */
		util_wipe(nlmsg_data(nlmsg_hdr(msg)), (size_t)nlmsg_datalen(nlmsg_hdr(msg)));
		nlmsg_free(msg);
	}
	return err;
}

static struct nl_msg *kxfrm_sa_id_msg(int type, int flags, const struct netaddr *dst, uint32_t spi)
{
	struct xfrm_usersa_id id;
	struct nl_msg *msg = nlmsg_alloc_simple(type, flags);

	if (!msg)
		return NULL;
	memset(&id, 0, sizeof(id));
	kxfrm_addr_put(&id.daddr, dst);
	id.spi = htonl(spi);
	id.family = dst->family;
	id.proto = IPPROTO_ESP;
	if (nlmsg_append(msg, &id, sizeof(id), NLMSG_ALIGNTO) < 0) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

int kxfrm_sa_del(struct kxfrm *kx, const struct netaddr *dst, uint32_t spi, uint32_t mark)
{
	struct nl_msg *msg = kxfrm_sa_id_msg(XFRM_MSG_DELSA, NLM_F_REQUEST | NLM_F_ACK, dst, spi);

	if (!msg)
		return -ENOMEM;
	if (kxfrm_put_mark(msg, mark) < 0) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	return kxfrm_transact(kx, msg, NULL, NULL);
}

static int kxfrm_parse_counters(struct nlmsghdr *hdr, void *arg)
{
	struct kxfrm_counters *out = arg;

	if (hdr->nlmsg_type == XFRM_MSG_NEWSA &&
	    hdr->nlmsg_len >= NLMSG_LENGTH(sizeof(struct xfrm_usersa_info))) {
		const struct xfrm_usersa_info *info = NLMSG_DATA(hdr);

		out->bytes = info->curlft.bytes;
		out->packets = info->curlft.packets;
	}
	return NL_STOP;
}

int kxfrm_sa_counters(struct kxfrm *kx, const struct netaddr *dst, uint32_t spi, uint32_t mark,
		      struct kxfrm_counters *out)
{
	struct nl_msg *msg = kxfrm_sa_id_msg(XFRM_MSG_GETSA, NLM_F_REQUEST, dst, spi);

	memset(out, 0, sizeof(*out));
	if (!msg)
		return -ENOMEM;
	if (kxfrm_put_mark(msg, mark) < 0) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	return kxfrm_transact(kx, msg, kxfrm_parse_counters, out);
}

/* ------------------------------------------------------------------ policies */

static int kxfrm_policy_add(struct kxfrm *kx, const struct kxfrm_flow *flow, uint8_t dir,
			    uint32_t reqid, uint32_t mark)
{
	bool in = dir == XFRM_POLICY_IN;
	struct xfrm_userpolicy_info info;
	struct xfrm_user_tmpl tmpl;
	struct nl_msg *msg;

	/* UPDPOLICY: a client reconnecting from the same address replaces its own. */
	msg = nlmsg_alloc_simple(XFRM_MSG_UPDPOLICY, NLM_F_REQUEST | NLM_F_ACK);
	if (!msg)
		return -ENOMEM;
	memset(&info, 0, sizeof(info));
	kxfrm_selector(&info.sel, in ? &flow->remote : &flow->local,
		       in ? &flow->local : &flow->remote, flow->protocol);
	info.lft.soft_byte_limit = XFRM_INF;
	info.lft.hard_byte_limit = XFRM_INF;
	info.lft.soft_packet_limit = XFRM_INF;
	info.lft.hard_packet_limit = XFRM_INF;
	info.priority = KXFRM_POLICY_PRIORITY;
	info.dir = dir;
	info.action = XFRM_POLICY_ALLOW;
	info.share = XFRM_SHARE_ANY;
	memset(&tmpl, 0, sizeof(tmpl));
	tmpl.id.proto = IPPROTO_ESP;
	tmpl.family = flow->local.family;
	tmpl.reqid = reqid;
	tmpl.mode = XFRM_MODE_TRANSPORT;
	tmpl.share = XFRM_SHARE_ANY;
	tmpl.aalgos = ~0u;
	tmpl.ealgos = ~0u;
	tmpl.calgos = ~0u;
	if (nlmsg_append(msg, &info, sizeof(info), NLMSG_ALIGNTO) < 0 ||
	    nla_put(msg, XFRMA_TMPL, sizeof(tmpl), &tmpl) < 0 || kxfrm_put_mark(msg, mark) < 0) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	return kxfrm_transact(kx, msg, NULL, NULL);
}

static int kxfrm_policy_del(struct kxfrm *kx, const struct kxfrm_flow *flow, uint8_t dir,
			    uint32_t mark)
{
	bool in = dir == XFRM_POLICY_IN;
	struct xfrm_userpolicy_id id;
	struct nl_msg *msg = nlmsg_alloc_simple(XFRM_MSG_DELPOLICY, NLM_F_REQUEST | NLM_F_ACK);

	if (!msg)
		return -ENOMEM;
	memset(&id, 0, sizeof(id));
	kxfrm_selector(&id.sel, in ? &flow->remote : &flow->local, in ? &flow->local : &flow->remote,
		       flow->protocol);
	id.dir = dir;
	if (nlmsg_append(msg, &id, sizeof(id), NLMSG_ALIGNTO) < 0 || kxfrm_put_mark(msg, mark) < 0) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	return kxfrm_transact(kx, msg, NULL, NULL);
}

int kxfrm_policies_add(struct kxfrm *kx, const struct kxfrm_flow *flow, uint32_t reqid, uint32_t mark)
{
	int err = kxfrm_policy_add(kx, flow, XFRM_POLICY_IN, reqid, mark);

	if (err < 0)
		return err;
	err = kxfrm_policy_add(kx, flow, XFRM_POLICY_OUT, reqid, mark);
	if (err < 0) {
		/* Never leave half a pair behind. */
		char keep[KXFRM_ERROR_MAX];

		memcpy(keep, kx->error_text, sizeof(keep));
		if (kxfrm_policy_del(kx, flow, XFRM_POLICY_IN, mark) < 0) {
			/* Reported by the caller's flush at the next start. */
		}
		memcpy(kx->error_text, keep, sizeof(keep));
	}
	return err;
}

int kxfrm_policies_del(struct kxfrm *kx, const struct kxfrm_flow *flow, uint32_t mark)
{
	int err_in = kxfrm_policy_del(kx, flow, XFRM_POLICY_IN, mark);
	int err_out = kxfrm_policy_del(kx, flow, XFRM_POLICY_OUT, mark);

	return err_in < 0 ? err_in : err_out;
}

/* ------------------------------------------------------------------ the clear-L2TP guard */

/* Any address, UDP, and `port` as destination (in) or source (out). */
static void kxfrm_guard_selector(struct xfrm_selector *sel, int family, uint8_t dir, uint16_t port)
{
	memset(sel, 0, sizeof(*sel));
	sel->family = (uint16_t)family;
	sel->proto = IPPROTO_UDP;
	if (dir == XFRM_POLICY_IN) {
		sel->dport = htons(port);
		sel->dport_mask = 0xffff;
	} else {
		sel->sport = htons(port);
		sel->sport_mask = 0xffff;
	}
}

static int kxfrm_guard_policy_add(struct kxfrm *kx, int family, uint8_t dir, uint16_t port)
{
	struct xfrm_userpolicy_info info;
	struct xfrm_user_tmpl tmpl;
	struct nl_msg *msg = nlmsg_alloc_simple(XFRM_MSG_UPDPOLICY, NLM_F_REQUEST | NLM_F_ACK);

	if (!msg)
		return -ENOMEM;
	memset(&info, 0, sizeof(info));
	kxfrm_guard_selector(&info.sel, family, dir, port);
	info.lft.soft_byte_limit = XFRM_INF;
	info.lft.hard_byte_limit = XFRM_INF;
	info.lft.soft_packet_limit = XFRM_INF;
	info.lft.hard_packet_limit = XFRM_INF;
	info.priority = KXFRM_GUARD_PRIORITY;
	info.dir = dir;
	info.action = dir == XFRM_POLICY_IN ? XFRM_POLICY_ALLOW : XFRM_POLICY_BLOCK;
	info.share = XFRM_SHARE_ANY;
	/*
	 * In: the ESP a datagram must have come through.  Out: the kernel never
	 * looks at a blocking policy's template; it is there to carry our reqid.
	 */
	memset(&tmpl, 0, sizeof(tmpl));
	tmpl.id.proto = IPPROTO_ESP;
	tmpl.family = (uint16_t)family;
	tmpl.reqid = KXFRM_REQID_GUARD;
	tmpl.mode = XFRM_MODE_TRANSPORT;
	tmpl.share = XFRM_SHARE_ANY;
	tmpl.aalgos = ~0u;
	tmpl.ealgos = ~0u;
	tmpl.calgos = ~0u;
	if (nlmsg_append(msg, &info, sizeof(info), NLMSG_ALIGNTO) < 0 ||
	    nla_put(msg, XFRMA_TMPL, sizeof(tmpl), &tmpl) < 0) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	return kxfrm_transact(kx, msg, NULL, NULL);
}

static int kxfrm_guard_policy_del(struct kxfrm *kx, int family, uint8_t dir, uint16_t port)
{
	struct xfrm_userpolicy_id id;
	struct nl_msg *msg = nlmsg_alloc_simple(XFRM_MSG_DELPOLICY, NLM_F_REQUEST | NLM_F_ACK);

	if (!msg)
		return -ENOMEM;
	memset(&id, 0, sizeof(id));
	kxfrm_guard_selector(&id.sel, family, dir, port);
	id.dir = dir;
	if (nlmsg_append(msg, &id, sizeof(id), NLMSG_ALIGNTO) < 0) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	return kxfrm_transact(kx, msg, NULL, NULL);
}

/* Deletes what is there of one family's pair; the first real error, or -ENOENT if none was. */
static int kxfrm_guard_family_del(struct kxfrm *kx, int family, uint16_t port)
{
	int err_in = kxfrm_guard_policy_del(kx, family, XFRM_POLICY_IN, port);
	int err_out = kxfrm_guard_policy_del(kx, family, XFRM_POLICY_OUT, port);

	if (err_in < 0 && err_in != -ENOENT)
		return err_in;
	if (err_out < 0 && err_out != -ENOENT)
		return err_out;
	return err_in == -ENOENT && err_out == -ENOENT ? -ENOENT : 0;
}

static int kxfrm_guard_family_add(struct kxfrm *kx, int family, uint16_t port)
{
	int err = kxfrm_guard_policy_add(kx, family, XFRM_POLICY_IN, port);

	if (err == 0)
		err = kxfrm_guard_policy_add(kx, family, XFRM_POLICY_OUT, port);
	if (err < 0) {
		char keep[KXFRM_ERROR_MAX];

		memcpy(keep, kx->error_text, sizeof(keep));
		if (kxfrm_guard_family_del(kx, family, port) < 0) {
			/* Nothing to undo, or the next start's flush removes it. */
		}
		memcpy(kx->error_text, keep, sizeof(keep));
	}
	return err;
}

int kxfrm_l2tp_guard_add(struct kxfrm *kx, uint16_t port)
{
	int err = kxfrm_guard_family_add(kx, AF_INET, port);

	if (err < 0)
		return err;
	err = kxfrm_guard_family_add(kx, AF_INET6, port);
	if (err == -EAFNOSUPPORT)
		return 0;
	if (err < 0) {
		char keep[KXFRM_ERROR_MAX];

		memcpy(keep, kx->error_text, sizeof(keep));
		if (kxfrm_guard_family_del(kx, AF_INET, port) < 0) {
			/* The next start's flush removes it. */
		}
		memcpy(kx->error_text, keep, sizeof(keep));
	}
	return err;
}

int kxfrm_l2tp_guard_del(struct kxfrm *kx, uint16_t port)
{
	int err4 = kxfrm_guard_family_del(kx, AF_INET, port);
	int err6 = kxfrm_guard_family_del(kx, AF_INET6, port);

	if (err4 < 0)
		return err4;
	return err6 == -ENOENT || err6 == -EAFNOSUPPORT ? 0 : err6;
}

/* ------------------------------------------------------------------ clean slate */

/*
 * Dumped with our own parser rather than libnl-xfrm's caches: those leak
 * their selector addresses (libnl 3.7), which a restart loop would repeat.
 */

static bool kxfrm_reqid_ours(uint32_t reqid)
{
	return reqid >= KXFRM_REQID_MIN && reqid <= KXFRM_REQID_MAX;
}

/* One SA or policy of ours seen in a dump, to delete once the dump is over. */
struct kxfrm_stale {
	bool policy;
	struct xfrm_usersa_id sa;       /* SA: destination, SPI, protocol */
	struct xfrm_userpolicy_id sp;   /* policy: index and direction */
	uint32_t mark;
	uint32_t mark_mask;
};

struct kxfrm_stale_list {
	struct kxfrm_stale *items;
	size_t count;
	size_t cap;
	bool no_memory;
};

static struct kxfrm_stale *kxfrm_stale_add(struct kxfrm_stale_list *list)
{
	if (list->count == list->cap) {
		size_t cap = list->cap ? list->cap * 2 : 16;
		struct kxfrm_stale *items = alloc_realloc_array(list->items, cap, sizeof(*items));

		if (!items) {
			list->no_memory = true;
			return NULL;
		}
		list->items = items;
		list->cap = cap;
	}
	memset(&list->items[list->count], 0, sizeof(list->items[0]));
	return &list->items[list->count++];
}

static void kxfrm_stale_mark(struct kxfrm_stale *stale, struct nlattr *attrs[])
{
	if (attrs[XFRMA_MARK] && nla_len(attrs[XFRMA_MARK]) >= (int)sizeof(struct xfrm_mark)) {
		const struct xfrm_mark *mark = nla_data(attrs[XFRMA_MARK]);

		stale->mark = mark->v;
		stale->mark_mask = mark->m;
	}
}

static int kxfrm_parse_stale_sa(struct nlmsghdr *hdr, void *arg)
{
	struct nlattr *attrs[XFRMA_MAX + 1];
	const struct xfrm_usersa_info *info;
	struct kxfrm_stale *stale;

	if (hdr->nlmsg_type != XFRM_MSG_NEWSA ||
	    nlmsg_parse(hdr, sizeof(*info), attrs, XFRMA_MAX, NULL) < 0)
		return NL_OK;
	info = nlmsg_data(hdr);
	if (!kxfrm_reqid_ours(info->reqid) || !(stale = kxfrm_stale_add(arg)))
		return NL_OK;
	stale->sa.daddr = info->id.daddr;
	stale->sa.spi = info->id.spi;
	stale->sa.family = info->family;
	stale->sa.proto = info->id.proto;
	kxfrm_stale_mark(stale, attrs);
	return NL_OK;
}

static int kxfrm_parse_stale_sp(struct nlmsghdr *hdr, void *arg)
{
	struct nlattr *attrs[XFRMA_MAX + 1];
	const struct xfrm_userpolicy_info *info;
	const struct xfrm_user_tmpl *tmpl;
	struct kxfrm_stale *stale;
	bool ours = false;

	if (hdr->nlmsg_type != XFRM_MSG_NEWPOLICY ||
	    nlmsg_parse(hdr, sizeof(*info), attrs, XFRMA_MAX, NULL) < 0 || !attrs[XFRMA_TMPL])
		return NL_OK;
	info = nlmsg_data(hdr);
	tmpl = nla_data(attrs[XFRMA_TMPL]);
	for (size_t i = 0; i < (size_t)nla_len(attrs[XFRMA_TMPL]) / sizeof(*tmpl); i++)
		ours = ours || kxfrm_reqid_ours(tmpl[i].reqid);
	if (!ours || !(stale = kxfrm_stale_add(arg)))
		return NL_OK;
	stale->policy = true;
	stale->sp.index = info->index;
	stale->sp.dir = info->dir;
	kxfrm_stale_mark(stale, attrs);
	return NL_OK;
}

static int kxfrm_dump(struct kxfrm *kx, int type, int (*parse)(struct nlmsghdr *, void *),
		      struct kxfrm_stale_list *list)
{
	struct nl_msg *msg = nlmsg_alloc_simple(type, NLM_F_REQUEST | NLM_F_DUMP);
	struct nl_cb *cb;
	struct kxfrm_reply reply = { .kx = kx, .parse = parse, .arg = list };
	int err;

	if (!msg)
		return -ENOMEM;
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nl_cb_err(cb, NL_CB_CUSTOM, kxfrm_on_error, &reply);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, kxfrm_on_valid, &reply);
	err = nl_send_auto(kx->request, msg);
	nlmsg_free(msg);
	/* A dump ends with NLMSG_DONE, which nl_recvmsgs turns into a clean return. */
	if (err >= 0)
		err = nl_recvmsgs(kx->request, cb);
	err = err < 0 ? -EIO : 0;
	nl_cb_put(cb);
	if (reply.error)
		return reply.error;
	return list->no_memory ? -ENOMEM : err;
}

static int kxfrm_stale_remove(struct kxfrm *kx, const struct kxfrm_stale *stale)
{
	struct xfrm_mark mark = { .v = stale->mark, .m = stale->mark_mask };
	struct nl_msg *msg = nlmsg_alloc_simple(stale->policy ? XFRM_MSG_DELPOLICY : XFRM_MSG_DELSA,
						NLM_F_REQUEST | NLM_F_ACK);
	int err;

	if (!msg)
		return -ENOMEM;
	struct kxfrm_stale copy = *stale;       /* nlmsg_append takes a non-const pointer */

	err = copy.policy ? nlmsg_append(msg, &copy.sp, sizeof(copy.sp), NLMSG_ALIGNTO)
			  : nlmsg_append(msg, &copy.sa, sizeof(copy.sa), NLMSG_ALIGNTO);
	if (err == 0 && (mark.v || mark.m))
		err = nla_put(msg, XFRMA_MARK, sizeof(mark), &mark);
	if (err < 0) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	return kxfrm_transact(kx, msg, NULL, NULL);
}

int kxfrm_flush_ours(struct kxfrm *kx, unsigned *sas, unsigned *policies)
{
	struct kxfrm_stale_list list = { .items = NULL };
	int err, first_error = 0;

	*sas = 0;
	*policies = 0;
	err = kxfrm_dump(kx, XFRM_MSG_GETPOLICY, kxfrm_parse_stale_sp, &list);
	if (err == 0)
		err = kxfrm_dump(kx, XFRM_MSG_GETSA, kxfrm_parse_stale_sa, &list);
	for (size_t i = 0; err == 0 && i < list.count; i++) {
		int removed = kxfrm_stale_remove(kx, &list.items[i]);

		/* Gone already (an SA expiring meanwhile) is as good as removed. */
		if (removed < 0 && removed != -ENOENT && removed != -ESRCH) {
			if (!first_error)
				first_error = removed;
			continue;
		}
		if (list.items[i].policy)
			(*policies)++;
		else
			(*sas)++;
	}
	alloc_free(list.items);
	return err ? err : first_error;
}

/* ------------------------------------------------------------------ events */

int kxfrm_events_open(struct kxfrm *kx)
{
	if (kx->events)
		return nl_socket_get_fd(kx->events);
	kx->events = nl_socket_alloc();
	if (!kx->events)
		return -ENOMEM;
	nl_socket_disable_seq_check(kx->events);
	if (nl_connect(kx->events, NETLINK_XFRM) < 0 ||
	    nl_socket_add_membership(kx->events, XFRMNLGRP_EXPIRE) < 0 ||
	    nl_socket_set_nonblocking(kx->events) < 0) {
		nl_socket_free(kx->events);
		kx->events = NULL;
		return -EIO;
	}
	return nl_socket_get_fd(kx->events);
}

struct kxfrm_event_sink {
	void (*fn)(void *arg, const struct kxfrm_expire *e);
	void *arg;
};

static int kxfrm_on_event(struct nl_msg *msg, void *arg)
{
	struct kxfrm_event_sink *sink = arg;
	struct nlmsghdr *hdr = nlmsg_hdr(msg);
	const struct xfrm_user_expire *expire;
	struct kxfrm_expire e;

	if (hdr->nlmsg_type != XFRM_MSG_EXPIRE ||
	    hdr->nlmsg_len < NLMSG_LENGTH(sizeof(struct xfrm_user_expire)))
		return NL_OK;
	expire = NLMSG_DATA(hdr);
	if (!kxfrm_reqid_ours(expire->state.reqid))
		return NL_OK;
	memset(&e, 0, sizeof(e));
	e.dst.family = expire->state.family;
	memcpy(&e.dst.addr, &expire->state.id.daddr, e.dst.family == AF_INET ? 4 : 16);
	e.spi = ntohl(expire->state.id.spi);
	e.reqid = expire->state.reqid;
	e.hard = expire->hard != 0;
	sink->fn(sink->arg, &e);
	return NL_OK;
}

int kxfrm_events_read(struct kxfrm *kx, void (*fn)(void *arg, const struct kxfrm_expire *e),
		      void *arg)
{
	struct kxfrm_event_sink sink = { .fn = fn, .arg = arg };
	struct nl_cb *cb;
	int err;

	if (!kx->events)
		return -EBADF;
	/* A clone keeps the socket's disabled sequence check: events carry no sequence. */
	struct nl_cb *socket_cb = nl_socket_get_cb(kx->events);

	cb = nl_cb_clone(socket_cb);
	nl_cb_put(socket_cb);
	if (!cb)
		return -ENOMEM;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, kxfrm_on_event, &sink);
	err = nl_recvmsgs(kx->events, cb);
	nl_cb_put(cb);
	/* Nothing more to read is the normal end of a batch. */
	return err < 0 && err != -NLE_AGAIN ? -EIO : 0;
}
