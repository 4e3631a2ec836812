/*
 * kernel_l2tp.c - L2TP sockets and the "l2tp" generic netlink family through
 * libnl-genl: requests built from the kernel's uapi (linux/l2tp.h,
 * linux/if_pppox.h), answers parsed attribute by attribute.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/if_pppox.h>
#include <linux/l2tp.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "daemon/kernel_l2tp.h"
#include "daemon/kernel_xfrm.h"
#include "lib/alloc.h"

#ifndef SO_RCVMARK
#define SO_RCVMARK 75                   /* asm-generic/socket.h, Linux 5.19 */
#endif
#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif
#ifndef SOL_PPPOL2TP
#define SOL_PPPOL2TP 273
#endif

struct kl2tp {
	struct nl_sock *sock;
	int family_id;                  /* the "l2tp" family's id in this kernel */
	char error_text[KL2TP_ERROR_MAX];
};

/* ------------------------------------------------------------------ netlink plumbing */

/* What one request is waiting for. */
struct kl2tp_request {
	struct kl2tp *k;
	int error;                      /* -errno from the kernel's ack; 0 for success */
	bool done;                      /* the ack, the error or the dump's end came */
	int (*parse)(struct nlmsghdr *hdr, void *arg);
	void *arg;
};

/* Finds the extended-ack text (NLMSGERR_ATTR_MSG) after an error message, if any. */
static void kl2tp_keep_ack_text(struct kl2tp *k, struct nlmsghdr *hdr, const struct nlmsgerr *err)
{
	size_t skip = sizeof(*hdr) + sizeof(*err);
	struct nlattr *attr;
	int length, remaining;

	if (!(hdr->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	/* Unless capped, the kernel echoed our whole request before the attributes. */
	if (!(hdr->nlmsg_flags & NLM_F_CAPPED) && err->msg.nlmsg_len > sizeof(err->msg))
		skip += err->msg.nlmsg_len - sizeof(err->msg);
	skip = NLMSG_ALIGN(skip);
	if (hdr->nlmsg_len <= skip)
		return;
	length = (int)(hdr->nlmsg_len - skip);
	nla_for_each_attr(attr, (struct nlattr *)((char *)hdr + skip), length, remaining) {
		if (nla_type(attr) != NLMSGERR_ATTR_MSG)
			continue;
		/* The kernel's text is NUL-terminated; bound it anyway. */
		size_t len = strnlen(nla_data(attr), (size_t)nla_len(attr));

		if (len >= sizeof(k->error_text))
			len = sizeof(k->error_text) - 1;
		memcpy(k->error_text, nla_data(attr), len);
		k->error_text[len] = '\0';
	}
}

static int kl2tp_on_error(struct sockaddr_nl *who, struct nlmsgerr *err, void *arg)
{
	struct kl2tp_request *request = arg;
	struct nlmsghdr *hdr = (struct nlmsghdr *)err - 1;     /* libnl hands us the payload */

	(void)who;
	request->error = err->error;
	request->done = true;
	kl2tp_keep_ack_text(request->k, hdr, err);
	return NL_STOP;
}

static int kl2tp_on_valid(struct nl_msg *msg, void *arg)
{
	struct kl2tp_request *request = arg;

	return request->parse ? request->parse(nlmsg_hdr(msg), request->arg) : NL_OK;
}

/* The ack (NLMSG_ERROR with 0) or the end of a dump (NLMSG_DONE). */
static int kl2tp_on_end(struct nl_msg *msg, void *arg)
{
	struct kl2tp_request *request = arg;

	(void)msg;
	request->done = true;
	return NL_STOP;
}

/* A request for cmd with flags; NULL when out of memory. */
static struct nl_msg *kl2tp_msg_new(const struct kl2tp *k, uint8_t cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, k->family_id, 0, flags, cmd,
			 L2TP_GENL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/*
 * Sends msg (always consumed) and reads until its ack, its error or the end
 * of its dump; each reply goes to parse.  libnl asks for an ack on every
 * request, so a GET's reply is followed by one: it is read here too, or it
 * would be taken for the answer to the next request.  0 or -errno.
 */
static int kl2tp_transact(struct kl2tp *k, struct nl_msg *msg,
			  int (*parse)(struct nlmsghdr *hdr, void *arg), void *arg)
{
	struct kl2tp_request request = { .k = k, .parse = parse, .arg = arg };
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int err;

	k->error_text[0] = '\0';
	if (!cb) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nl_cb_err(cb, NL_CB_CUSTOM, kl2tp_on_error, &request);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, kl2tp_on_valid, &request);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, kl2tp_on_end, &request);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, kl2tp_on_end, &request);
	err = nl_send_auto(k->sock, msg);
	nlmsg_free(msg);
	while (err >= 0 && !request.done)
		err = nl_recvmsgs(k->sock, cb);
	nl_cb_put(cb);
	if (request.error)
		return request.error;
	return err < 0 ? -EIO : 0;
}

/* Attributes every tunnel or session request names: u32 ids, as the kernel wants. */
static int kl2tp_put_ids(struct nl_msg *msg, uint16_t tunnel_id, uint16_t session_id)
{
	if (nla_put_u32(msg, L2TP_ATTR_CONN_ID, tunnel_id) < 0)
		return -ENOMEM;
	if (session_id && nla_put_u32(msg, L2TP_ATTR_SESSION_ID, session_id) < 0)
		return -ENOMEM;
	return 0;
}

/* ------------------------------------------------------------------ lifecycle */

int kl2tp_open(struct kl2tp **out)
{
	struct kl2tp *k = alloc_zero(sizeof(*k));
	int one = 1, id, err = -ENOMEM;

	*out = NULL;
	if (!k)
		return -ENOMEM;
	k->sock = nl_socket_alloc();
	if (!k->sock)
		goto err_free;
	if (genl_connect(k->sock) < 0) {
		err = -EIO;
		goto err_sock;
	}
	/* Not for pppd or anything else the daemon spawns. */
	if (fcntl(nl_socket_get_fd(k->sock), F_SETFD, FD_CLOEXEC) < 0) {
		err = -errno;
		goto err_sock;
	}
	/* The kernel's reasons for a refusal, when it has them (Linux >= 4.12). */
	if (setsockopt(nl_socket_get_fd(k->sock), SOL_NETLINK, NETLINK_EXT_ACK, &one,
		       sizeof(one)) < 0) {
		/* Older kernels: refusals come without a reason. */
	}
	/* The controller loads l2tp_netlink on demand (its module alias names the family). */
	id = genl_ctrl_resolve(k->sock, L2TP_GENL_NAME);
	if (id < 0) {
		err = id == -NLE_OBJ_NOTFOUND ? -ENOENT : id == -NLE_NOMEM ? -ENOMEM : -EIO;
		goto err_sock;
	}
	k->family_id = id;
	*out = k;
	return 0;

err_sock:
	nl_socket_free(k->sock);
err_free:
	alloc_free(k);
	return err;
}

void kl2tp_close(struct kl2tp *k)
{
	if (!k)
		return;
	nl_socket_free(k->sock);
	alloc_free(k);
}

const char *kl2tp_last_error(const struct kl2tp *k)
{
	return k->error_text;
}

/* ------------------------------------------------------------------ UDP sockets */

static int kl2tp_setsockopt_int(int fd, int level, int name, int value)
{
	return setsockopt(fd, level, name, &value, sizeof(value)) < 0 ? -errno : 0;
}

int kl2tp_listen_socket(uint16_t port)
{
	struct sockaddr_in any = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(INADDR_ANY),
	};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
	int err;

	if (fd < 0)
		return -errno;
	err = kl2tp_setsockopt_int(fd, SOL_SOCKET, SO_REUSEADDR, 1);
	if (err == 0)
		err = kl2tp_setsockopt_int(fd, IPPROTO_IP, IP_PKTINFO, 1);
	if (err == 0)
		err = kl2tp_setsockopt_int(fd, SOL_SOCKET, SO_RCVMARK, 1);
	/* Before bind: no datagram may be judged by the global policies first. */
	if (err == 0)
		err = kxfrm_socket_bypass(fd, AF_INET);
	if (err == 0 && bind(fd, (struct sockaddr *)&any, sizeof(any)) < 0)
		err = -errno;
	if (err < 0) {
		close(fd);
		return err;
	}
	return fd;
}

int kl2tp_tunnel_socket(const struct netaddr *local, const struct netaddr *remote, uint32_t mark)
{
	struct sockaddr_storage local_sa, remote_sa;
	socklen_t local_len = netaddr_to_sockaddr(local, &local_sa);
	socklen_t remote_len = netaddr_to_sockaddr(remote, &remote_sa);
	int fd, err;

	if (local_len == 0 || remote_len == 0 || local->family != remote->family)
		return -EAFNOSUPPORT;
	fd = socket(local->family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
	if (fd < 0)
		return -errno;
	err = kl2tp_setsockopt_int(fd, SOL_SOCKET, SO_REUSEADDR, 1);
	/* The mark goes on before connect(): the route and IPsec lookup there use it. */
	if (err == 0 && mark)
		err = kl2tp_setsockopt_int(fd, SOL_SOCKET, SO_MARK, (int)mark);
	if (err == 0)
		err = kl2tp_setsockopt_int(fd, SOL_SOCKET, SO_RCVMARK, 1);
	if (err == 0 && bind(fd, (struct sockaddr *)&local_sa, local_len) < 0)
		err = -errno;
	if (err == 0 && connect(fd, (struct sockaddr *)&remote_sa, remote_len) < 0)
		err = -errno;
	if (err < 0) {
		close(fd);
		return err;
	}
	return fd;
}

/* Copies the cmsgs we asked for into meta; ignores the rest and any short one. */
static void kl2tp_recv_cmsgs(struct msghdr *mh, struct kl2tp_rx_meta *meta)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_MARK &&
		    c->cmsg_len >= CMSG_LEN(sizeof(uint32_t))) {
			memcpy(&meta->mark, CMSG_DATA(c), sizeof(uint32_t));
			meta->has_mark = true;
		} else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO &&
			   c->cmsg_len >= CMSG_LEN(sizeof(struct in_pktinfo))) {
			struct in_pktinfo info;

			memcpy(&info, CMSG_DATA(c), sizeof(info));
			meta->local.family = AF_INET;
			meta->local.addr.v4 = info.ipi_addr;
		} else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO &&
			   c->cmsg_len >= CMSG_LEN(sizeof(struct in6_pktinfo))) {
			struct in6_pktinfo info;

			memcpy(&info, CMSG_DATA(c), sizeof(info));
			meta->local.family = AF_INET6;
			meta->local.addr.v6 = info.ipi6_addr;
		}
	}
}

ssize_t kl2tp_recv(int fd, uint8_t *buf, size_t size, struct kl2tp_rx_meta *meta)
{
	union {
		struct cmsghdr align;
		uint8_t bytes[CMSG_SPACE(sizeof(struct in6_pktinfo)) + CMSG_SPACE(sizeof(uint32_t))];
	} control;
	struct sockaddr_storage from, bound;
	socklen_t bound_len = sizeof(bound);
	struct iovec iov = { .iov_base = buf, .iov_len = size };
	struct msghdr mh = {
		.msg_name = &from,
		.msg_namelen = sizeof(from),
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.bytes,
		.msg_controllen = sizeof(control.bytes),
	};
	struct netaddr bound_addr;
	ssize_t n;

	memset(meta, 0, sizeof(*meta));
	n = recvmsg(fd, &mh, 0);
	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	if (mh.msg_flags & MSG_TRUNC)
		return -EMSGSIZE;
	if (!netaddr_from_sockaddr(&meta->remote, (struct sockaddr *)&from, mh.msg_namelen))
		return -EAFNOSUPPORT;
	kl2tp_recv_cmsgs(&mh, meta);
	/* The port, and the address when no IP_PKTINFO came (a bound tunnel socket). */
	if (getsockname(fd, (struct sockaddr *)&bound, &bound_len) < 0)
		return -errno;
	if (!netaddr_from_sockaddr(&bound_addr, (struct sockaddr *)&bound, bound_len))
		return -EAFNOSUPPORT;
	if (meta->local.family == AF_UNSPEC)
		meta->local = bound_addr;
	meta->local.port = bound_addr.port;
	return n;
}

/* ------------------------------------------------------------------ tunnels and sessions */

int kl2tp_tunnel_create(struct kl2tp *k, int fd, uint16_t tunnel_id, uint16_t peer_tunnel_id)
{
	struct nl_msg *msg = kl2tp_msg_new(k, L2TP_CMD_TUNNEL_CREATE, NLM_F_ACK);

	if (!msg)
		return -ENOMEM;
	if (kl2tp_put_ids(msg, tunnel_id, 0) < 0 ||
	    nla_put_u32(msg, L2TP_ATTR_PEER_CONN_ID, peer_tunnel_id) < 0 ||
	    nla_put_u8(msg, L2TP_ATTR_PROTO_VERSION, 2) < 0 ||
	    nla_put_u16(msg, L2TP_ATTR_ENCAP_TYPE, L2TP_ENCAPTYPE_UDP) < 0 ||
	    nla_put_u32(msg, L2TP_ATTR_FD, (uint32_t)fd) < 0) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	return kl2tp_transact(k, msg, NULL, NULL);
}

int kl2tp_tunnel_delete(struct kl2tp *k, uint16_t tunnel_id)
{
	struct nl_msg *msg = kl2tp_msg_new(k, L2TP_CMD_TUNNEL_DELETE, NLM_F_ACK);

	if (!msg)
		return -ENOMEM;
	if (kl2tp_put_ids(msg, tunnel_id, 0) < 0) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	return kl2tp_transact(k, msg, NULL, NULL);
}

int kl2tp_session_create(struct kl2tp *k, uint16_t tunnel_id, uint16_t peer_tunnel_id,
			 uint16_t session_id, uint16_t peer_session_id)
{
	struct nl_msg *msg = kl2tp_msg_new(k, L2TP_CMD_SESSION_CREATE, NLM_F_ACK);

	if (!msg)
		return -ENOMEM;
	/* Session 0 is the tunnel itself in L2TPv2 (RFC 2661 §3.1): never a session. */
	if (session_id == 0 || peer_session_id == 0) {
		nlmsg_free(msg);
		return -EINVAL;
	}
	if (kl2tp_put_ids(msg, tunnel_id, session_id) < 0 ||
	    nla_put_u32(msg, L2TP_ATTR_PEER_CONN_ID, peer_tunnel_id) < 0 ||
	    nla_put_u32(msg, L2TP_ATTR_PEER_SESSION_ID, peer_session_id) < 0 ||
	    nla_put_u16(msg, L2TP_ATTR_PW_TYPE, L2TP_PWTYPE_PPP) < 0 ||
	    nla_put_u8(msg, L2TP_ATTR_LNS_MODE, 1) < 0) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	return kl2tp_transact(k, msg, NULL, NULL);
}

int kl2tp_session_delete(struct kl2tp *k, uint16_t tunnel_id, uint16_t session_id)
{
	struct nl_msg *msg = kl2tp_msg_new(k, L2TP_CMD_SESSION_DELETE, NLM_F_ACK);

	if (!msg)
		return -ENOMEM;
	if (session_id == 0) {
		nlmsg_free(msg);
		return -EINVAL;
	}
	if (kl2tp_put_ids(msg, tunnel_id, session_id) < 0) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	return kl2tp_transact(k, msg, NULL, NULL);
}

int kl2tp_pppox_socket(int tunnel_fd, const struct netaddr *remote, uint16_t tunnel_id,
		       uint16_t session_id, uint16_t peer_tunnel_id, uint16_t peer_session_id)
{
	/* The kernel's forms are packed; the storage member gives connect() an aligned start. */
	union {
		struct sockaddr_storage storage;
		struct sockaddr_pppol2tp v4;
		struct sockaddr_pppol2tpin6 v6;
	} to;
	socklen_t to_len;
	int fd, err = 0;

	/* Both zero would make it the legacy tunnel-management socket: not ours to make. */
	if (tunnel_id == 0 || session_id == 0)
		return -EINVAL;
	memset(&to, 0, sizeof(to));
	/* The length of the address tells the kernel which of its four forms it is. */
	if (remote->family == AF_INET) {
		to.v4.sa_family = AF_PPPOX;
		to.v4.sa_protocol = PX_PROTO_OL2TP;
		to.v4.pppol2tp.fd = tunnel_fd;
		to.v4.pppol2tp.addr.sin_family = AF_INET;
		to.v4.pppol2tp.addr.sin_port = htons(remote->port);
		to.v4.pppol2tp.addr.sin_addr = remote->addr.v4;
		to.v4.pppol2tp.s_tunnel = tunnel_id;
		to.v4.pppol2tp.s_session = session_id;
		to.v4.pppol2tp.d_tunnel = peer_tunnel_id;
		to.v4.pppol2tp.d_session = peer_session_id;
		to_len = sizeof(to.v4);
	} else if (remote->family == AF_INET6) {
		to.v6.sa_family = AF_PPPOX;
		to.v6.sa_protocol = PX_PROTO_OL2TP;
		to.v6.pppol2tp.fd = tunnel_fd;
		to.v6.pppol2tp.addr.sin6_family = AF_INET6;
		to.v6.pppol2tp.addr.sin6_port = htons(remote->port);
		memcpy(&to.v6.pppol2tp.addr.sin6_addr, &remote->addr.v6, sizeof(remote->addr.v6));
		to.v6.pppol2tp.s_tunnel = tunnel_id;
		to.v6.pppol2tp.s_session = session_id;
		to.v6.pppol2tp.d_tunnel = peer_tunnel_id;
		to.v6.pppol2tp.d_session = peer_session_id;
		to_len = sizeof(to.v6);
	} else {
		return -EAFNOSUPPORT;
	}
	fd = socket(AF_PPPOX, SOCK_DGRAM | SOCK_CLOEXEC, PX_PROTO_OL2TP);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&to.storage, to_len) < 0)
		err = -errno;
	/* After connect: the option belongs to the session the socket now carries. */
	if (err == 0)
		err = kl2tp_setsockopt_int(fd, SOL_PPPOL2TP, PPPOL2TP_SO_LNSMODE, 1);
	if (err < 0) {
		close(fd);
		return err;
	}
	return fd;
}

/* ------------------------------------------------------------------ counters and dumps */

/* A u64 counter, or 0 when the kernel left it out (or sent it short). */
static uint64_t kl2tp_attr_u64(struct nlattr *attr)
{
	return attr && nla_len(attr) >= (int)sizeof(uint64_t) ? nla_get_u64(attr) : 0;
}

static int kl2tp_parse_stats(struct nlmsghdr *hdr, void *arg)
{
	struct kl2tp_stats *out = arg;
	struct nlattr *attrs[L2TP_ATTR_MAX + 1];
	struct nlattr *stats[L2TP_ATTR_STATS_MAX + 1];

	if (genlmsg_parse(hdr, 0, attrs, L2TP_ATTR_MAX, NULL) < 0 || !attrs[L2TP_ATTR_STATS] ||
	    nla_parse_nested(stats, L2TP_ATTR_STATS_MAX, attrs[L2TP_ATTR_STATS], NULL) < 0)
		return NL_OK;
	out->rx_packets = kl2tp_attr_u64(stats[L2TP_ATTR_RX_PACKETS]);
	out->rx_bytes = kl2tp_attr_u64(stats[L2TP_ATTR_RX_BYTES]);
	out->rx_errors = kl2tp_attr_u64(stats[L2TP_ATTR_RX_ERRORS]);
	out->tx_packets = kl2tp_attr_u64(stats[L2TP_ATTR_TX_PACKETS]);
	out->tx_bytes = kl2tp_attr_u64(stats[L2TP_ATTR_TX_BYTES]);
	out->tx_errors = kl2tp_attr_u64(stats[L2TP_ATTR_TX_ERRORS]);
	out->rx_seq_discards = kl2tp_attr_u64(stats[L2TP_ATTR_RX_SEQ_DISCARDS]);
	out->rx_oos_packets = kl2tp_attr_u64(stats[L2TP_ATTR_RX_OOS_PACKETS]);
	out->rx_invalid = kl2tp_attr_u64(stats[L2TP_ATTR_RX_INVALID]);
	return NL_OK;
}

int kl2tp_session_stats(struct kl2tp *k, uint16_t tunnel_id, uint16_t session_id,
			struct kl2tp_stats *out)
{
	struct nl_msg *msg = kl2tp_msg_new(k, L2TP_CMD_SESSION_GET, 0);

	memset(out, 0, sizeof(*out));
	if (!msg)
		return -ENOMEM;
	if (session_id == 0) {
		nlmsg_free(msg);
		return -EINVAL;
	}
	if (kl2tp_put_ids(msg, tunnel_id, session_id) < 0) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	return kl2tp_transact(k, msg, kl2tp_parse_stats, out);
}

static int kl2tp_count_tunnel(struct nlmsghdr *hdr, void *arg)
{
	unsigned *count = arg;
	struct genlmsghdr *genl = nlmsg_data(hdr);

	if (hdr->nlmsg_len >= NLMSG_LENGTH(GENL_HDRLEN) && genl->cmd == L2TP_CMD_TUNNEL_GET)
		(*count)++;
	return NL_OK;
}

int kl2tp_tunnel_count(struct kl2tp *k)
{
	struct nl_msg *msg = kl2tp_msg_new(k, L2TP_CMD_TUNNEL_GET, NLM_F_DUMP);
	unsigned count = 0;
	int err;

	if (!msg)
		return -ENOMEM;
	err = kl2tp_transact(k, msg, kl2tp_count_tunnel, &count);
	if (err < 0)
		return err;
	return count > INT32_MAX ? INT32_MAX : (int)count;
}
