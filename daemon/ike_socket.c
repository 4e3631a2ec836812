/*
 * ike_socket.c - UDP 500/4500 with IP_PKTINFO, the non-ESP marker and keepalives.
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "daemon/ike_socket.h"
#include "daemon/kernel_xfrm.h"
#include "lib/alloc.h"

/* Datagrams read per wakeup and socket, so one busy socket cannot starve the loop. */
#define IKE_SOCKET_BATCH 64
#define IKE_SOCKET_MARKER_LEN 4
#define IKE_SOCKET_RCVBUF (4 * 1024 * 1024)  /* bytes of queued datagrams per socket */

struct ike_socket {
	struct ike_socket_set *set;
	struct ev_fd ev;
	int fd;
	uint16_t port;
	bool natt;
};

struct ike_socket_set {
	struct ev_loop *loop;
	const struct logger *lg;
	struct ike_socket plain;
	struct ike_socket natt;
	ike_socket_recv_fn *recv;
	void *arg;
	struct ike_socket_stats stats;
	uint8_t buf[IKE_SOCKET_MSG_MAX + 1];
};

static int ike_socket_bind(struct ike_socket *s, const struct netaddr *address, uint16_t port,
			   bool natt)
{
	struct netaddr bind_to = *address;
	struct sockaddr_storage ss;
	socklen_t len;
	int one = 1, rcvbuf = IKE_SOCKET_RCVBUF, fd, err;

	if (bind_to.family == AF_UNSPEC) {
		bind_to.family = AF_INET;
		bind_to.addr.v4.s_addr = htonl(INADDR_ANY);
	}
	bind_to.port = port;
	len = netaddr_to_sockaddr(&bind_to, &ss);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&ss, len) < 0) {
		err = -errno;
		goto err_close;
	}
	/* 9 a.m.: hundreds of MM1/MM3 arrive while the workers run DH; the default receive
	 * buffer overflowed (RcvbufErrors) under the load generator.  FORCE needs
	 * CAP_NET_ADMIN, which the daemon has; else the sysctl cap applies. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
		(void)!setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	err = kxfrm_socket_bypass(fd, AF_INET);
	if (err == 0 && natt)
		err = kxfrm_socket_espinudp(fd);
	if (err < 0)
		goto err_close;
	s->fd = fd;
	s->port = port;
	s->natt = natt;
	return 0;

err_close:
	close(fd);
	return err;
}

/* The local address of a datagram, from IP_PKTINFO. */
static void ike_socket_local(const struct ike_socket *s, struct msghdr *mh, struct netaddr *local)
{
	memset(local, 0, sizeof(*local));
	local->family = AF_INET;
	local->port = s->port;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo info;

			memcpy(&info, CMSG_DATA(c), sizeof(info));
			local->addr.v4 = info.ipi_addr;
		}
	}
}

/* One datagram; false when the socket has nothing more. */
static bool ike_socket_read_one(struct ike_socket *s)
{
	struct ike_socket_set *set = s->set;
	union {
		struct cmsghdr align;
		uint8_t bytes[CMSG_SPACE(sizeof(struct in_pktinfo))];
	} control;
	struct sockaddr_storage from;
	struct iovec iov = { .iov_base = set->buf, .iov_len = sizeof(set->buf) };
	struct msghdr mh = {
		.msg_name = &from, .msg_namelen = sizeof(from),
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control.bytes, .msg_controllen = sizeof(control.bytes),
	};
	struct netaddr local, remote;
	const uint8_t *msg = set->buf;
	ssize_t n = recvmsg(s->fd, &mh, MSG_TRUNC);

	if (n < 0)
		return false;
	set->stats.received++;
	if ((size_t)n > IKE_SOCKET_MSG_MAX || (mh.msg_flags & MSG_TRUNC)) {
		set->stats.truncated++;
		return true;
	}
	if (!netaddr_from_sockaddr(&remote, (struct sockaddr *)&from, mh.msg_namelen))
		return true;
	ike_socket_local(s, &mh, &local);
	if (s->natt) {
		/* RFC 3948 §2.2/§2.3: 0xFF is a keepalive, four zeros mark IKE. */
		if (n == 1 && set->buf[0] == 0xff) {
			set->stats.keepalives++;
			return true;
		}
		if (n < IKE_SOCKET_MARKER_LEN || memcmp(set->buf, "\0\0\0\0", 4) != 0) {
			set->stats.not_ike++;
			return true;
		}
		msg += IKE_SOCKET_MARKER_LEN;
		n -= IKE_SOCKET_MARKER_LEN;
	}
	set->recv(set->arg, &local, &remote, msg, (size_t)n);
	return true;
}

static void ike_socket_on_readable(struct ev_fd *ev, uint32_t revents)
{
	struct ike_socket *s = container_of(ev, struct ike_socket, ev);

	for (unsigned i = 0; i < IKE_SOCKET_BATCH && ike_socket_read_one(s); i++)
		;
}

struct ike_socket_set *ike_socket_open(struct ev_loop *loop, const struct logger *lg,
				       const struct netaddr *address, uint16_t port,
				       uint16_t natt_port, ike_socket_recv_fn *recv, void *arg)
{
	struct ike_socket_set *set = alloc_zero(sizeof(*set));
	int err;

	if (!set) {
		errno = ENOMEM;
		return NULL;
	}
	set->loop = loop;
	set->lg = lg;
	set->recv = recv;
	set->arg = arg;
	set->plain.set = set;
	set->natt.set = set;
	set->plain.fd = -1;
	set->natt.fd = -1;
	err = ike_socket_bind(&set->plain, address, port, false);
	if (err == 0)
		err = ike_socket_bind(&set->natt, address, natt_port, true);
	if (err == 0)
		err = ev_fd_add(loop, &set->plain.ev, set->plain.fd, EPOLLIN, ike_socket_on_readable);
	if (err == 0)
		err = ev_fd_add(loop, &set->natt.ev, set->natt.fd, EPOLLIN, ike_socket_on_readable);
	if (err < 0) {
		ike_socket_close(set);
		errno = -err;
		return NULL;
	}
	return set;
}

void ike_socket_close(struct ike_socket_set *set)
{
	if (!set)
		return;
	for (struct ike_socket *s = &set->plain; s; s = s == &set->plain ? &set->natt : NULL) {
		if (s->fd >= 0) {
			ev_fd_del(set->loop, &s->ev);
			close(s->fd);
		}
	}
	alloc_free(set);
}

static int ike_socket_sendmsg(struct ike_socket_set *set, const struct netaddr *local,
			      const struct netaddr *remote, struct iovec *iov, size_t iov_count)
{
	struct ike_socket *s = local->port == set->natt.port ? &set->natt : &set->plain;
	union {
		struct cmsghdr align;
		uint8_t bytes[CMSG_SPACE(sizeof(struct in_pktinfo))];
	} control;
	struct sockaddr_storage to;
	struct msghdr mh = {
		.msg_name = &to, .msg_iov = iov, .msg_iovlen = iov_count,
	};

	mh.msg_namelen = netaddr_to_sockaddr(remote, &to);
	if (mh.msg_namelen == 0 || remote->family != AF_INET)
		return -EAFNOSUPPORT;
	if (local->family == AF_INET && local->addr.v4.s_addr != htonl(INADDR_ANY)) {
		/* Leave from the address the peer used. */
		struct in_pktinfo info = { .ipi_spec_dst = local->addr.v4 };
		struct cmsghdr *c;

		memset(&control, 0, sizeof(control));
		mh.msg_control = control.bytes;
		mh.msg_controllen = sizeof(control.bytes);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(info));
		memcpy(CMSG_DATA(c), &info, sizeof(info));
	}
	if (sendmsg(s->fd, &mh, 0) < 0) {
		set->stats.send_errors++;
		return -errno;
	}
	set->stats.sent++;
	return 0;
}

int ike_socket_send(struct ike_socket_set *set, const struct netaddr *local,
		    const struct netaddr *remote, const uint8_t *msg, size_t len)
{
	static const uint8_t marker[IKE_SOCKET_MARKER_LEN];
	/* sendmsg never writes through iov_base; the casts only drop const. */
	struct iovec iov[2] = {
		{ .iov_base = (void *)(uintptr_t)marker, .iov_len = sizeof(marker) },
		{ .iov_base = (void *)(uintptr_t)msg, .iov_len = len },
	};
	bool natt = local->port == set->natt.port;

	return ike_socket_sendmsg(set, local, remote, natt ? iov : iov + 1, natt ? 2 : 1);
}

int ike_socket_send_keepalive(struct ike_socket_set *set, const struct netaddr *local,
			      const struct netaddr *remote)
{
	static const uint8_t keepalive = 0xff;
	struct iovec iov = { .iov_base = (void *)(uintptr_t)&keepalive, .iov_len = 1 };
	struct netaddr from = *local;

	from.port = set->natt.port;
	return ike_socket_sendmsg(set, &from, remote, &iov, 1);
}

void ike_socket_stats(const struct ike_socket_set *set, struct ike_socket_stats *out)
{
	*out = set->stats;
}
