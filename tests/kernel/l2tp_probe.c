/*
 * l2tp_probe.c - drives daemon/kernel_l2tp and the clear-L2TP guard of
 * daemon/kernel_xfrm from a shell scenario in the VM.
 *
 * A small command interpreter: the scenario (tests/vm/scenarios/
 * kernel-l2tp.sh) writes one command per line on stdin and reads exactly one
 * answer line per command on stdout, so sockets and kernel tunnels live
 * across commands while the scenario looks at them with ip, socat and /proc.
 * Answers are "ok ..." or "error NAME: text[: kernel's explanation]" with
 * NAME the errno name (EEXIST, EPERM, ...).  Sockets sit in numbered slots
 * 0..15.
 *
 *   open                                    resolve the "l2tp" family
 *   listen SLOT PORT                        kl2tp_listen_socket
 *   tsock SLOT LOCAL LPORT REMOTE RPORT MARK
 *                                           kl2tp_tunnel_socket
 *   close SLOT
 *   tcreate SLOT TID PEER_TID | tdelete TID
 *   screate TID PEER_TID SID PEER_SID | sdelete TID SID
 *   pppox SLOT TUNNEL_SLOT REMOTE RPORT TID SID PEER_TID PEER_SID
 *   stats TID SID                           "ok rx_packets N rx_bytes N ... "
 *   count                                   "ok tunnels N"
 *   recv SLOT TIMEOUT_MS                    "ok len N local A:P remote A:P mark 0x.. has_mark B"
 *                                           (ICMP errors on a connected socket are skipped)
 *   send SLOT TEXT                          send() on a socket
 *   precv SLOT TIMEOUT_MS                   "ok HEX": read a PPPoL2TP socket
 *   psend SLOT HEX                          write a PPP frame to a PPPoL2TP socket
 *   guard_add PORT | guard_del PORT         kxfrm_l2tp_guard_add/del
 *   flush                                   kxfrm_flush_ours: "ok sas N policies N"
 *
 * Exit status 0 at the end of input; 2 on a malformed line (answered first).
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/kernel_l2tp.h"
#include "daemon/kernel_xfrm.h"

#define PROBE_SLOTS 16
#define PROBE_ARGS 10
#define PROBE_LINE 512

struct probe {
	struct kl2tp *k;
	struct kxfrm *kx;
	int fds[PROBE_SLOTS];
	char *argv[PROBE_ARGS];
	int argc;
	bool bad;                       /* a malformed argument: answer and stop */
};

static const char *probe_errno_name(int err)
{
	static const struct { int err; const char *name; } names[] = {
		{ EEXIST, "EEXIST" }, { EBUSY, "EBUSY" }, { ENOENT, "ENOENT" }, { ENODEV, "ENODEV" },
		{ EPERM, "EPERM" }, { EAGAIN, "EAGAIN" }, { EINVAL, "EINVAL" }, { EBADF, "EBADF" },
		{ ENOPROTOOPT, "ENOPROTOOPT" }, { EAFNOSUPPORT, "EAFNOSUPPORT" }, { EACCES, "EACCES" },
		{ ECONNREFUSED, "ECONNREFUSED" }, { EADDRINUSE, "EADDRINUSE" }, { EIO, "EIO" },
		{ EPROTONOSUPPORT, "EPROTONOSUPPORT" }, { ENOTCONN, "ENOTCONN" }, { EMSGSIZE, "EMSGSIZE" },
		{ ENETUNREACH, "ENETUNREACH" }, { EHOSTUNREACH, "EHOSTUNREACH" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (names[i].err == err)
			return names[i].name;
	return "E?";
}

/* One answer line for a result: "ok" + extra, or the error with the kernel's words. */
static void probe_answer(struct probe *p, int err, const char *kernel_text, const char *extra)
{
	if (err >= 0)
		printf("ok%s%s\n", extra && extra[0] ? " " : "", extra ? extra : "");
	else
		printf("error %s: %s%s%s\n", probe_errno_name(-err), strerror(-err),
		       kernel_text && kernel_text[0] ? ": " : "", kernel_text ? kernel_text : "");
	(void)p;
}

static unsigned long probe_number(struct probe *p, int i, unsigned long max)
{
	char *end;
	unsigned long value;

	if (i >= p->argc) {
		p->bad = true;
		return 0;
	}
	errno = 0;
	value = strtoul(p->argv[i], &end, 0);
	if (p->argv[i][0] == '\0' || *end != '\0' || errno || value > max)
		p->bad = true;
	return value;
}

static int probe_slot(struct probe *p, int i)
{
	return (int)probe_number(p, i, PROBE_SLOTS - 1);
}

static void probe_addr(struct probe *p, int i, struct netaddr *out)
{
	uint16_t port = (uint16_t)probe_number(p, i + 1, 65535);

	if (p->bad || !netaddr_parse(out, p->argv[i], port))
		p->bad = true;
}

/* Puts fd (or an error) in a slot; closes what was there. */
static void probe_keep(struct probe *p, int slot, int fd)
{
	if (fd >= 0) {
		if (p->fds[slot] >= 0)
			close(p->fds[slot]);
		p->fds[slot] = fd;
	}
}

static int probe_wait(int fd, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int n = poll(&pfd, 1, timeout_ms);

	return n < 0 ? -errno : n == 0 ? -EAGAIN : 0;
}

static void probe_recv(struct probe *p)
{
	int slot = probe_slot(p, 1);
	int timeout_ms = (int)probe_number(p, 2, 600000);
	struct kl2tp_rx_meta meta;
	uint8_t buf[2048];
	char local[NETADDR_STRLEN], remote[NETADDR_STRLEN], extra[160];
	ssize_t n = -EAGAIN;

	if (p->bad)
		return;
	/* An ICMP error from an earlier send may come first on a connected socket. */
	for (int tries = 0; tries < 4; tries++) {
		int err = probe_wait(p->fds[slot], timeout_ms);

		if (err < 0) {
			n = err;
			break;
		}
		n = kl2tp_recv(p->fds[slot], buf, sizeof(buf), &meta);
		if (n != -ECONNREFUSED && n != -EHOSTUNREACH)
			break;
	}
	if (n >= 0)
		snprintf(extra, sizeof(extra), "len %zd local %s remote %s mark 0x%x has_mark %d", n,
			 netaddr_format(&meta.local, local), netaddr_format(&meta.remote, remote),
			 meta.mark, meta.has_mark);
	probe_answer(p, n < 0 ? (int)n : 0, NULL, n >= 0 ? extra : NULL);
}

static void probe_precv(struct probe *p)
{
	int slot = probe_slot(p, 1);
	int timeout_ms = (int)probe_number(p, 2, 600000);
	uint8_t buf[512];
	char hex[2 * sizeof(buf) + 1];
	ssize_t n;
	int err;

	if (p->bad)
		return;
	err = probe_wait(p->fds[slot], timeout_ms);
	if (err < 0) {
		probe_answer(p, err, NULL, NULL);
		return;
	}
	n = recv(p->fds[slot], buf, sizeof(buf), MSG_DONTWAIT);
	if (n < 0) {
		probe_answer(p, -errno, NULL, NULL);
		return;
	}
	for (ssize_t i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", buf[i]);
	hex[2 * n] = '\0';
	probe_answer(p, 0, NULL, hex);
}

static void probe_psend(struct probe *p)
{
	int slot = probe_slot(p, 1);
	uint8_t frame[256];
	size_t len = 0;
	const char *hex = p->argc > 2 ? p->argv[2] : "";

	if (strlen(hex) % 2 || strlen(hex) / 2 > sizeof(frame))
		p->bad = true;
	for (; !p->bad && hex[2 * len]; len++) {
		unsigned byte;

		if (sscanf(hex + 2 * len, "%2x", &byte) != 1)
			p->bad = true;
		frame[len] = (uint8_t)byte;
	}
	if (p->bad)
		return;
	probe_answer(p, write(p->fds[slot], frame, len) == (ssize_t)len ? 0 : -errno, NULL, NULL);
}

static void probe_stats(struct probe *p)
{
	uint16_t tunnel_id = (uint16_t)probe_number(p, 1, 65535);
	uint16_t session_id = (uint16_t)probe_number(p, 2, 65535);
	struct kl2tp_stats s;
	char extra[256];
	int err;

	if (p->bad)
		return;
	err = kl2tp_session_stats(p->k, tunnel_id, session_id, &s);
	snprintf(extra, sizeof(extra),
		 "rx_packets %llu rx_bytes %llu rx_errors %llu tx_packets %llu tx_bytes %llu tx_errors %llu",
		 (unsigned long long)s.rx_packets, (unsigned long long)s.rx_bytes,
		 (unsigned long long)s.rx_errors, (unsigned long long)s.tx_packets,
		 (unsigned long long)s.tx_bytes, (unsigned long long)s.tx_errors);
	probe_answer(p, err, kl2tp_last_error(p->k), extra);
}

static void probe_sockets(struct probe *p, const char *cmd)
{
	struct netaddr local, remote;
	int slot = probe_slot(p, 1);
	int fd;

	if (strcmp(cmd, "listen") == 0) {
		fd = kl2tp_listen_socket((uint16_t)probe_number(p, 2, 65535));
	} else if (strcmp(cmd, "tsock") == 0) {
		probe_addr(p, 2, &local);
		probe_addr(p, 4, &remote);
		uint32_t mark = (uint32_t)probe_number(p, 6, 0xffffffffu);

		if (p->bad)
			return;
		fd = kl2tp_tunnel_socket(&local, &remote, mark);
	} else if (strcmp(cmd, "pppox") == 0) {
		int tunnel_slot = probe_slot(p, 2);

		probe_addr(p, 3, &remote);
		uint16_t ids[4];

		for (int i = 0; i < 4; i++)
			ids[i] = (uint16_t)probe_number(p, 5 + i, 65535);
		if (p->bad)
			return;
		fd = kl2tp_pppox_socket(p->fds[tunnel_slot], &remote, ids[0], ids[1], ids[2], ids[3]);
	} else {
		if (p->bad)
			return;
		if (p->fds[slot] >= 0)
			close(p->fds[slot]);
		p->fds[slot] = -1;
		probe_answer(p, 0, NULL, NULL);
		return;
	}
	if (p->bad) {
		if (fd >= 0)
			close(fd);
		return;
	}
	probe_keep(p, slot, fd);
	probe_answer(p, fd < 0 ? fd : 0, NULL, NULL);
}

static void probe_kernel(struct probe *p, const char *cmd)
{
	char extra[64] = "";
	int err;

	if (strcmp(cmd, "tcreate") == 0) {
		int slot = probe_slot(p, 1);
		uint16_t tunnel_id = (uint16_t)probe_number(p, 2, 65535);
		uint16_t peer = (uint16_t)probe_number(p, 3, 65535);

		if (p->bad)
			return;
		err = kl2tp_tunnel_create(p->k, p->fds[slot], tunnel_id, peer);
	} else if (strcmp(cmd, "tdelete") == 0) {
		uint16_t tunnel_id = (uint16_t)probe_number(p, 1, 65535);

		if (p->bad)
			return;
		err = kl2tp_tunnel_delete(p->k, tunnel_id);
	} else if (strcmp(cmd, "screate") == 0) {
		uint16_t ids[4];

		for (int i = 0; i < 4; i++)
			ids[i] = (uint16_t)probe_number(p, 1 + i, 65535);
		if (p->bad)
			return;
		err = kl2tp_session_create(p->k, ids[0], ids[1], ids[2], ids[3]);
	} else if (strcmp(cmd, "sdelete") == 0) {
		uint16_t tunnel_id = (uint16_t)probe_number(p, 1, 65535);
		uint16_t session_id = (uint16_t)probe_number(p, 2, 65535);

		if (p->bad)
			return;
		err = kl2tp_session_delete(p->k, tunnel_id, session_id);
	} else {
		err = kl2tp_tunnel_count(p->k);
		snprintf(extra, sizeof(extra), "tunnels %d", err);
	}
	probe_answer(p, err, kl2tp_last_error(p->k), extra);
}

static void probe_xfrm(struct probe *p, const char *cmd)
{
	char extra[64] = "";
	int err;

	if (!p->kx && !(p->kx = kxfrm_open())) {
		probe_answer(p, -EIO, "cannot open the XFRM netlink socket", NULL);
		return;
	}
	if (strcmp(cmd, "flush") == 0) {
		unsigned sas = 0, policies = 0;

		err = kxfrm_flush_ours(p->kx, &sas, &policies);
		snprintf(extra, sizeof(extra), "sas %u policies %u", sas, policies);
	} else {
		uint16_t port = (uint16_t)probe_number(p, 1, 65535);

		if (p->bad)
			return;
		err = strcmp(cmd, "guard_add") == 0 ? kxfrm_l2tp_guard_add(p->kx, port)
						    : kxfrm_l2tp_guard_del(p->kx, port);
	}
	probe_answer(p, err, kxfrm_error_text(p->kx), extra);
}

/* Runs one command line; false on a malformed one. */
static bool probe_run(struct probe *p, char *line)
{
	const char *cmd;

	p->argc = 0;
	p->bad = false;
	for (char *word = strtok(line, " \t\n"); word && p->argc < PROBE_ARGS; word = strtok(NULL, " \t\n"))
		p->argv[p->argc++] = word;
	if (p->argc == 0)
		return true;
	cmd = p->argv[0];
	if (strcmp(cmd, "open") == 0) {
		int err = p->k ? 0 : kl2tp_open(&p->k);

		probe_answer(p, err, NULL, NULL);
	} else if (!p->k && (!strcmp(cmd, "tcreate") || !strcmp(cmd, "tdelete") ||
			     !strcmp(cmd, "screate") || !strcmp(cmd, "sdelete") ||
			     !strcmp(cmd, "count") || !strcmp(cmd, "stats"))) {
		probe_answer(p, -EBADF, "open first", NULL);
	} else if (!strcmp(cmd, "listen") || !strcmp(cmd, "tsock") || !strcmp(cmd, "pppox") ||
		   !strcmp(cmd, "close")) {
		probe_sockets(p, cmd);
	} else if (!strcmp(cmd, "tcreate") || !strcmp(cmd, "tdelete") || !strcmp(cmd, "screate") ||
		   !strcmp(cmd, "sdelete") || !strcmp(cmd, "count")) {
		probe_kernel(p, cmd);
	} else if (!strcmp(cmd, "stats")) {
		probe_stats(p);
	} else if (!strcmp(cmd, "recv")) {
		probe_recv(p);
	} else if (!strcmp(cmd, "precv")) {
		probe_precv(p);
	} else if (!strcmp(cmd, "psend")) {
		probe_psend(p);
	} else if (!strcmp(cmd, "send")) {
		int slot = probe_slot(p, 1);

		if (!p->bad && p->argc > 2) {
			ssize_t n = send(p->fds[slot], p->argv[2], strlen(p->argv[2]), 0);

			probe_answer(p, n < 0 ? -errno : 0, NULL, NULL);
		} else {
			p->bad = true;
		}
	} else if (!strcmp(cmd, "guard_add") || !strcmp(cmd, "guard_del") || !strcmp(cmd, "flush")) {
		probe_xfrm(p, cmd);
	} else {
		p->bad = true;
	}
	if (p->bad)
		printf("error EINVAL: malformed command\n");
	fflush(stdout);
	return !p->bad;
}

int main(void)
{
	struct probe p = { .k = NULL };
	char line[PROBE_LINE];
	int rc = 0;

	for (int i = 0; i < PROBE_SLOTS; i++)
		p.fds[i] = -1;
	while (fgets(line, sizeof(line), stdin)) {
		if (!probe_run(&p, line)) {
			rc = 2;
			break;
		}
	}
	for (int i = 0; i < PROBE_SLOTS; i++)
		if (p.fds[i] >= 0)
			close(p.fds[i]);
	kl2tp_close(p.k);
	kxfrm_close(p.kx);
	return rc;
}
