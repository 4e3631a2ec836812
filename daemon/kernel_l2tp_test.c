/*
 * kernel_l2tp_test.c - the parts of kernel_l2tp a host without L2TP modules
 * can check: tunnel and listener sockets over loopback (flags, binding,
 * connection, marks), the metadata kl2tp_recv returns (local address from
 * IP_PKTINFO, port, remote, the SO_RCVMARK message), truncation, argument
 * checks, and kl2tp_open's answers (a family or -ENOENT, -ENOMEM).  The
 * netlink requests themselves are proven in the VM (tests/vm/scenarios/
 * kernel-l2tp.sh).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon/kernel_l2tp.h"
#include "lib/alloc.h"
#include "tests/harness/tap.h"

/* A plain UDP socket bound to text:0 (an ephemeral port); its address in *bound. */
static int test_peer_socket(const char *text, struct netaddr *bound)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd;

	if (!netaddr_parse(bound, text, 0))
		return -1;
	len = netaddr_to_sockaddr(bound, &ss);
	fd = socket(bound->family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &(socklen_t){ sizeof(ss) }) < 0 ||
	    !netaddr_from_sockaddr(bound, (struct sockaddr *)&ss, sizeof(ss))) {
		close(fd);
		return -1;
	}
	return fd;
}

static bool test_send_to(int fd, const struct netaddr *to, const void *data, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sa_len = netaddr_to_sockaddr(to, &ss);

	return sendto(fd, data, len, 0, (struct sockaddr *)&ss, sa_len) == (ssize_t)len;
}

static bool test_bound(int fd, struct netaddr *out)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	return getsockname(fd, (struct sockaddr *)&ss, &len) == 0 &&
	       netaddr_from_sockaddr(out, (struct sockaddr *)&ss, len);
}

static void test_open(void)
{
	struct kl2tp *k = (struct kl2tp *)1;
	int err;

	kl2tp_close(NULL);
	alloc_fail_at(1);
	err = kl2tp_open(&k);
	alloc_fail_at(0);
	is_int(err, -ENOMEM, "kl2tp_open: out of memory is -ENOMEM");
	ok(k == NULL, "kl2tp_open: nothing returned on failure");

	err = kl2tp_open(&k);
	/* This host may or may not have l2tp_netlink; either answer is a precise one. */
	if (!ok(err == 0 || err == -ENOENT, "kl2tp_open: the family, or -ENOENT without l2tp_netlink"))
		tap_diag("  got %d (%s)", err, strerror(-err));
	if (err == 0) {
		ok(k != NULL, "kl2tp_open: a handle");
		is_str(kl2tp_last_error(k), "", "no error text before any request");
		is_int(kl2tp_session_create(k, 1, 1, 0, 1), -EINVAL, "session 0 is refused");
		is_int(kl2tp_session_delete(k, 1, 0), -EINVAL, "deleting session 0 is refused");
		ok(kl2tp_tunnel_count(k) >= 0, "the tunnel dump answers");
		kl2tp_close(k);
	} else {
		ok(k == NULL, "kl2tp_open: no handle with -ENOENT");
		tap_diag("no l2tp generic netlink family on this host: netlink requests are tested in the VM");
	}
}

static void test_tunnel_socket(const char *loopback, const char *name)
{
	struct netaddr peer_addr, local, bound;
	struct kl2tp_rx_meta meta;
	uint8_t buf[64];
	char text[NETADDR_STRLEN];
	int peer = test_peer_socket(loopback, &peer_addr);
	int fd;
	ssize_t n;

	if (!ok(peer >= 0, "%s: a peer socket", name))
		return;
	if (!netaddr_parse(&local, loopback, 0)) {
		close(peer);
		return;
	}
	fd = kl2tp_tunnel_socket(&local, &peer_addr, 0);
	if (!ok(fd >= 0, "%s: tunnel socket bound and connected", name)) {
		tap_diag("  %s", strerror(-fd));
		close(peer);
		return;
	}
	ok(fcntl(fd, F_GETFD) & FD_CLOEXEC, "%s: close-on-exec", name);
	ok(fcntl(fd, F_GETFL) & O_NONBLOCK, "%s: nonblocking", name);
	ok(test_bound(fd, &bound) && netaddr_same_addr(&bound, &local) && bound.port != 0,
	   "%s: bound to the local address", name);
	is_int(kl2tp_recv(fd, buf, sizeof(buf), &meta), -EAGAIN, "%s: nothing waiting is -EAGAIN", name);

	ok(test_send_to(peer, &bound, "hello", 5), "%s: peer sends", name);
	n = kl2tp_recv(fd, buf, sizeof(buf), &meta);
	is_int(n, 5, "%s: one datagram read", name);
	is_mem(buf, "hello", 5, "%s: its bytes", name);
	ok(netaddr_equal(&meta.remote, &peer_addr), "%s: remote is the peer (%s)", name,
	   netaddr_format(&meta.remote, text));
	ok(netaddr_equal(&meta.local, &bound), "%s: local is our address and port (%s)", name,
	   netaddr_format(&meta.local, text));
	ok(meta.has_mark, "%s: the SO_RCVMARK message came", name);
	is_uint(meta.mark, 0, "%s: a clear datagram carries no mark", name);

	/* Longer than the buffer: read, reported, and gone. */
	uint8_t big[200];

	memset(big, 0xa5, sizeof(big));
	ok(test_send_to(peer, &bound, big, sizeof(big)), "%s: peer sends 200 bytes", name);
	is_int(kl2tp_recv(fd, buf, sizeof(buf), &meta), -EMSGSIZE, "%s: too long is -EMSGSIZE", name);
	is_int(kl2tp_recv(fd, buf, sizeof(buf), &meta), -EAGAIN, "%s: and it was discarded", name);

	/* What we send leaves from our bound port to the peer. */
	ok(send(fd, "back", 4, 0) == 4, "%s: send on the connected socket", name);
	struct sockaddr_storage from;
	socklen_t from_len = sizeof(from);
	struct netaddr from_addr;

	n = recvfrom(peer, buf, sizeof(buf), 0, (struct sockaddr *)&from, &from_len);
	ok(n == 4 && netaddr_from_sockaddr(&from_addr, (struct sockaddr *)&from, from_len) &&
	   netaddr_equal(&from_addr, &bound), "%s: the peer gets it from our address and port", name);
	close(fd);
	close(peer);
}

static void test_tunnel_socket_errors(void)
{
	struct netaddr v4, v6, unset;
	int fd;

	memset(&unset, 0, sizeof(unset));
	if (!ok(netaddr_parse(&v4, "127.0.0.1", 1) && netaddr_parse(&v6, "::1", 1), "test addresses"))
		return;
	is_int(kl2tp_tunnel_socket(&v4, &v6, 0), -EAFNOSUPPORT, "mixed families are refused");
	is_int(kl2tp_tunnel_socket(&unset, &v4, 0), -EAFNOSUPPORT, "an unset address is refused");

	/* SO_MARK needs CAP_NET_ADMIN: applied, or refused as such. */
	v4.port = 0;
	fd = kl2tp_tunnel_socket(&v4, &v4, 0x4c320001);
	if (fd >= 0) {
		int mark = 0;
		socklen_t len = sizeof(mark);

		ok(getsockopt(fd, SOL_SOCKET, SO_MARK, &mark, &len) == 0 && (uint32_t)mark == 0x4c320001,
		   "the socket carries the client's mark");
		close(fd);
	} else {
		is_int(fd, -EPERM, "without CAP_NET_ADMIN the mark is refused with -EPERM");
	}
}

static void test_pppox_arguments(void)
{
	struct netaddr remote, unset;

	memset(&unset, 0, sizeof(unset));
	if (!ok(netaddr_parse(&remote, "192.0.2.2", 1701), "test address"))
		return;
	is_int(kl2tp_pppox_socket(-1, &remote, 0, 1, 1, 1), -EINVAL, "pppox: tunnel 0 is refused");
	is_int(kl2tp_pppox_socket(-1, &remote, 1, 0, 1, 1), -EINVAL,
	       "pppox: session 0 (the legacy tunnel socket) is refused");
	is_int(kl2tp_pppox_socket(-1, &unset, 1, 1, 1, 1), -EAFNOSUPPORT, "pppox: an unset remote is refused");
}

static void test_listener(void)
{
	struct netaddr bound, peer_addr, to;
	struct kl2tp_rx_meta meta;
	uint8_t buf[32];
	char text[NETADDR_STRLEN];
	int fd = kl2tp_listen_socket(0);
	int peer;

	/* The per-socket IPsec bypass needs CAP_NET_ADMIN and XFRM. */
	if (fd < 0) {
		ok(fd == -EPERM || fd == -ENOPROTOOPT, "listener: refused only for want of privilege or XFRM");
		tap_diag("listener: %s", strerror(-fd));
		return;
	}
	ok(fcntl(fd, F_GETFD) & FD_CLOEXEC, "listener: close-on-exec");
	ok(fcntl(fd, F_GETFL) & O_NONBLOCK, "listener: nonblocking");
	ok(test_bound(fd, &bound) && bound.family == AF_INET &&
	   bound.addr.v4.s_addr == htonl(INADDR_ANY), "listener: bound to 0.0.0.0");
	peer = test_peer_socket("127.0.0.1", &peer_addr);
	/* Sent to 127.0.0.2: only IP_PKTINFO can tell the listener which address it was. */
	if (!ok(peer >= 0 && netaddr_parse(&to, "127.0.0.2", bound.port) &&
		test_send_to(peer, &to, "sccrq", 5), "listener: a datagram to 127.0.0.2")) {
		close(fd);
		if (peer >= 0)
			close(peer);
		return;
	}
	is_int(kl2tp_recv(fd, buf, sizeof(buf), &meta), 5, "listener: read");
	ok(netaddr_equal(&meta.local, &to), "listener: local is the destination address and port (%s)",
	   netaddr_format(&meta.local, text));
	ok(netaddr_equal(&meta.remote, &peer_addr), "listener: remote is the sender");
	ok(meta.has_mark && meta.mark == 0, "listener: mark 0, and the SO_RCVMARK message came");
	close(peer);
	close(fd);
}

int main(void)
{
	test_open();
	test_tunnel_socket("127.0.0.1", "IPv4");
	test_tunnel_socket("::1", "IPv6");
	test_tunnel_socket_errors();
	test_pppox_arguments();
	test_listener();
	return tap_done();
}
