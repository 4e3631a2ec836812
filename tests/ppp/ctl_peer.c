/*
 * ctl_peer.c - test harness: the daemon's side of the pppd plugin's control
 * socket, with a server pppd and a client pppd joined back to back.
 *
 *   ctl_peer --plugin SO --user NAME (--password TEXT | --nt-hash HEX32)
 *            --peer-address A [--vanish]
 *            --server PROGRAM ARGS... --client PROGRAM ARGS...
 *
 *   +----------+ socketpair SEQPACKET +---------------------------------+
 *   | ctl_peer |<---------- fd 4 ---->| server pppd (PPPD ARGS, plugin) |
 *   |          |                      |   stdin/stdout                  |
 *   |          |                      +-------------|-------------------+
 *   |          |                          socketpair STREAM (the "line")
 *   |          |                      +-------------|-------------------+
 *   |          |--- spawns ---------->| client (PROGRAM ARGS: e.g.      |
 *   +----------+                      |  nsenter ... pppd notty ...)    |
 *                                     +---------------------------------+
 *
 * The server's command gets "plugin SO l2tpsec_ctl 4" appended.  Both
 * ends of the line are the programs' stdin and stdout (pppd's "notty").
 * AUTH_REQUEST is answered by really verifying with mschapv2_verify() against
 * the one user NAME; success carries "S=... M=Welcome" and the address A,
 * failure "E=691 R=0 C=... V=3 M=Authentication failed".  --vanish closes the
 * control socket when the request arrives instead (a dead daemon).
 *
 * Stdout, one line per event, for the scenario to grep:
 *   HELLO pid=N server=yes|no
 *   AUTH_REQUEST id=N name="..." flags=0xNN      (name sanitized; never the response)
 *   AUTH_REPLY ok=0|1 address=A message="..."
 *   IP_UP ifname=NAME local=A peer=B
 *   IP_DOWN
 *   BAD verdict=NAME | CTL_CLOSED | VANISHED
 *   SERVER_EXIT status=N | SERVER_EXIT signal=N  (and CLIENT_EXIT ...)
 * SIGTERM/SIGINT: the client gets SIGTERM (the server then sees the link go);
 * 10 s later whatever still runs gets SIGKILL.  Exits 0 once both are gone,
 * 2 on a usage or setup error.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/alloc.h"
#include "lib/log.h"
#include "ppp-glue/mschapv2.h"
#include "ppp-glue/ppp_ctl.h"

enum { CTL_PEER_KILL_AFTER_MS = 10000 };

struct ctl_peer {
	char *plugin_path;
	const char *user;
	uint8_t nt_hash[NT_HASH_LEN];
	uint32_t peer_address;           /* network byte order */
	bool vanish;
	char **server_argv;              /* as given; the plugin options are appended */
	char **client_argv;
	struct mschapv2_crypto *crypto;
	int ctl_fd;                      /* our end; -1 once closed */
	int signal_fd;
	pid_t server_pid, client_pid;    /* 0 once reaped */
	long kill_at_ms;                 /* 0: no SIGKILL scheduled */
};

static long ctl_peer_now_ms(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec * 1000L + now.tv_nsec / 1000000L;
}

static const char *ctl_peer_address(uint32_t address, char buf[INET_ADDRSTRLEN])
{
	struct in_addr in = { .s_addr = address };

	return inet_ntop(AF_INET, &in, buf, INET_ADDRSTRLEN);
}

/* ------------------------------------------------------------ messages */

static void ctl_peer_send(struct ctl_peer *peer, const struct ppp_ctl_msg *msg)
{
	uint8_t buf[PPP_CTL_MSG_MAX];
	size_t len;
	enum ppp_ctl_verdict verdict = ppp_ctl_build(msg, buf, sizeof(buf), &len);

	if (verdict != PPP_CTL_OK) {
		printf("BUILD_FAILED verdict=%s\n", ppp_ctl_verdict_name(verdict));
		return;
	}
	if (send(peer->ctl_fd, buf, len, MSG_NOSIGNAL) < 0)
		printf("SEND_FAILED errno=%d\n", errno);
}

static void ctl_peer_hex(char *dst, const uint8_t *src, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";

	for (size_t i = 0; i < len; i++) {
		dst[2 * i] = hex[src[i] >> 4];
		dst[2 * i + 1] = hex[src[i] & 0x0f];
	}
	dst[2 * len] = '\0';
}

static void ctl_peer_answer(struct ctl_peer *peer, const struct ppp_ctl_auth_request *req)
{
	struct ppp_ctl_msg msg = { .type = PPP_CTL_AUTH_REPLY };
	struct ppp_ctl_auth_reply *reply = &msg.u.auth_reply;
	char auth_response[MSCHAPV2_AUTHENTICATOR_RESPONSE_LEN + 1] = "";
	char challenge_hex[2 * PPP_CTL_CHALLENGE_LEN + 1];
	char message[LOG_SANITIZE_MAX], address[INET_ADDRSTRLEN];
	struct wire_span user = mschapv2_user_name(req->name, req->name_len);
	int match = 0;

	if (user.len == strlen(peer->user) && memcmp(user.p, peer->user, user.len) == 0)
		match = mschapv2_verify(peer->crypto, peer->nt_hash, req->auth_challenge,
					req->peer_challenge, req->name, req->name_len,
					req->nt_response, auth_response);
	reply->chap_id = req->chap_id;
	if (match == 1) {
		reply->ok = true;
		reply->peer_address = peer->peer_address;
		snprintf(reply->message, sizeof(reply->message), "%s M=Welcome", auth_response);
	} else {
		ctl_peer_hex(challenge_hex, req->auth_challenge, PPP_CTL_CHALLENGE_LEN);
		snprintf(reply->message, sizeof(reply->message),
			 "E=691 R=0 C=%s V=3 M=Authentication failed", challenge_hex);
	}
	ctl_peer_send(peer, &msg);
	printf("AUTH_REPLY ok=%d address=%s message=\"%s\"\n", reply->ok,
	       ctl_peer_address(reply->peer_address, address),
	       log_sanitize(message, sizeof(message), reply->message, strlen(reply->message)));
}

static void ctl_peer_close_ctl(struct ctl_peer *peer)
{
	close(peer->ctl_fd);
	peer->ctl_fd = -1;
}

static void ctl_peer_on_msg(struct ctl_peer *peer, const struct ppp_ctl_msg *msg)
{
	char name[4 * PPP_CTL_NAME_MAX + 8], local[INET_ADDRSTRLEN], remote[INET_ADDRSTRLEN];

	switch (msg->type) {
	case PPP_CTL_HELLO:
		printf("HELLO pid=%d server=%s\n", (int)msg->u.hello.pid,
		       msg->u.hello.pid == peer->server_pid ? "yes" : "no");
		return;
	case PPP_CTL_AUTH_REQUEST:
		printf("AUTH_REQUEST id=%u name=\"%s\" flags=0x%02x\n", msg->u.auth_request.chap_id,
		       log_sanitize(name, sizeof(name), msg->u.auth_request.name,
				    msg->u.auth_request.name_len),
		       msg->u.auth_request.flags);
		if (peer->vanish) {
			printf("VANISHED\n");
			ctl_peer_close_ctl(peer);
			return;
		}
		ctl_peer_answer(peer, &msg->u.auth_request);
		return;
	case PPP_CTL_IP_UP:
		printf("IP_UP ifname=%s local=%s peer=%s\n", msg->u.ip_up.ifname,
		       ctl_peer_address(msg->u.ip_up.local_address, local),
		       ctl_peer_address(msg->u.ip_up.peer_address, remote));
		return;
	case PPP_CTL_IP_DOWN:
		printf("IP_DOWN\n");
		return;
	case PPP_CTL_AUTH_REPLY:
		break;
	}
	printf("UNEXPECTED type=%s\n", ppp_ctl_type_name(msg->type));
}

static void ctl_peer_read_ctl(struct ctl_peer *peer)
{
	uint8_t buf[PPP_CTL_MSG_MAX];
	struct ppp_ctl_msg msg;
	enum ppp_ctl_verdict verdict;
	ssize_t got = recv(peer->ctl_fd, buf, sizeof(buf), MSG_TRUNC | MSG_DONTWAIT);

	if (got < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (got <= 0) {
		printf("CTL_CLOSED\n");
		ctl_peer_close_ctl(peer);
		return;
	}
	if ((size_t)got > sizeof(buf)) {
		printf("BAD verdict=oversized length=%zd\n", got);
		return;
	}
	verdict = ppp_ctl_parse(buf, (size_t)got, &msg);
	if (verdict != PPP_CTL_OK)
		printf("BAD verdict=%s\n", ppp_ctl_verdict_name(verdict));
	else
		ctl_peer_on_msg(peer, &msg);
	explicit_bzero(&msg, sizeof(msg));
	explicit_bzero(buf, sizeof(buf));
}

/* ------------------------------------------------------------ children */

/* fork + exec with line_fd as stdin/stdout and ctl_fd (if >= 0) as fd 4; -1 on failure. */
static pid_t ctl_peer_spawn(char **argv, int line_fd, int ctl_fd)
{
	sigset_t none;
	pid_t pid = fork();
	int line, ctl = -1;

	if (pid != 0)
		return pid;
	/* Above fd 4 first, so that no dup2() below overwrites a source. */
	line = fcntl(line_fd, F_DUPFD_CLOEXEC, 10);
	if (ctl_fd >= 0)
		ctl = fcntl(ctl_fd, F_DUPFD_CLOEXEC, 10);
	if (line < 0 || (ctl_fd >= 0 && ctl < 0) || dup2(line, 0) < 0 || dup2(line, 1) < 0 ||
	    (ctl >= 0 && dup2(ctl, 4) < 0))
		_exit(126);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execv(argv[0], argv);
	fprintf(stderr, "ctl_peer: exec %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/*
 * The server's command with "plugin SO l2tpsec_ctl 4" appended: last, so that
 * the command may be a wrapper (nsenter ... pppd ...).
 */
static char **ctl_peer_server_argv(const struct ctl_peer *peer)
{
	size_t n = 0, at;
	char **argv;

	while (peer->server_argv[n])
		n++;
	argv = alloc_array(n + 5, sizeof(*argv));
	if (!argv)
		return NULL;
	for (at = 0; at < n; at++)
		argv[at] = peer->server_argv[at];
	argv[at++] = (char *)"plugin";
	argv[at++] = peer->plugin_path;
	argv[at++] = (char *)"l2tpsec_ctl";
	argv[at++] = (char *)"4";
	argv[at] = NULL;
	return argv;
}

static void ctl_peer_reap(struct ctl_peer *peer)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		const char *who = pid == peer->server_pid ? "SERVER" :
				  pid == peer->client_pid ? "CLIENT" : NULL;

		if (!who)
			continue;
		if (WIFEXITED(status))
			printf("%s_EXIT status=%d\n", who, WEXITSTATUS(status));
		else
			printf("%s_EXIT signal=%d\n", who, WTERMSIG(status));
		if (pid == peer->server_pid)
			peer->server_pid = 0;
		else
			peer->client_pid = 0;
	}
}

static void ctl_peer_on_signal(struct ctl_peer *peer)
{
	struct signalfd_siginfo info;

	if (read(peer->signal_fd, &info, sizeof(info)) != (ssize_t)sizeof(info))
		return;
	if (info.ssi_signo == SIGCHLD) {
		ctl_peer_reap(peer);
		return;
	}
	printf("STOPPING signal=%u\n", info.ssi_signo);
	if (peer->client_pid > 0)
		kill(peer->client_pid, SIGTERM);
	else if (peer->server_pid > 0)
		kill(peer->server_pid, SIGTERM);
	if (!peer->kill_at_ms)
		peer->kill_at_ms = ctl_peer_now_ms() + CTL_PEER_KILL_AFTER_MS;
}

static void ctl_peer_run(struct ctl_peer *peer)
{
	while (peer->server_pid > 0 || peer->client_pid > 0) {
		struct pollfd fds[2] = {
			{ .fd = peer->signal_fd, .events = POLLIN },
			{ .fd = peer->ctl_fd, .events = POLLIN },
		};
		int timeout = -1;

		if (peer->kill_at_ms) {
			long left = peer->kill_at_ms - ctl_peer_now_ms();

			if (left <= 0) {
				printf("KILLING\n");
				if (peer->server_pid > 0)
					kill(peer->server_pid, SIGKILL);
				if (peer->client_pid > 0)
					kill(peer->client_pid, SIGKILL);
				peer->kill_at_ms = 0;
				continue;
			}
			timeout = (int)left;
		}
		fflush(stdout);
		if (poll(fds, peer->ctl_fd >= 0 ? 2 : 1, timeout) < 0 && errno != EINTR)
			break;
		if (fds[1].revents && peer->ctl_fd >= 0)
			ctl_peer_read_ctl(peer);
		if (fds[0].revents)
			ctl_peer_on_signal(peer);
	}
	fflush(stdout);
}

/* ------------------------------------------------------------ setup */

static int ctl_peer_usage(const char *why)
{
	fprintf(stderr, "ctl_peer: %s\n"
		"usage: ctl_peer --plugin SO --user NAME (--password TEXT | --nt-hash HEX32)\n"
		"                --peer-address A [--vanish] --server PROGRAM ARGS... --client PROGRAM ARGS...\n",
		why);
	return 2;
}

static bool ctl_peer_parse_hex(const char *hex, uint8_t *out, size_t len)
{
	if (strlen(hex) != 2 * len)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned byte;

		if (sscanf(hex + 2 * i, "%2x", &byte) != 1)
			return false;
		out[i] = (uint8_t)byte;
	}
	return true;
}

/* 0, or the exit status of a usage error. */
static int ctl_peer_parse_args(struct ctl_peer *peer, int argc, char **argv)
{
	const char *password = NULL, *nt_hash = NULL;
	struct in_addr address = { 0 };
	int i;

	for (i = 1; i < argc; i++) {
		const char *arg = argv[i];
		char *value = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(arg, "--vanish") == 0) {
			peer->vanish = true;
			continue;
		}
		if (strcmp(arg, "--server") == 0)
			break;
		if (!value)
			return ctl_peer_usage("an option without its value");
		i++;
		if (strcmp(arg, "--plugin") == 0)
			peer->plugin_path = value;
		else if (strcmp(arg, "--user") == 0)
			peer->user = value;
		else if (strcmp(arg, "--password") == 0)
			password = value;
		else if (strcmp(arg, "--nt-hash") == 0)
			nt_hash = value;
		else if (strcmp(arg, "--peer-address") == 0) {
			if (inet_pton(AF_INET, value, &address) != 1)
				return ctl_peer_usage("--peer-address is not an IPv4 address");
		} else
			return ctl_peer_usage("unknown option");
	}
	if (!peer->plugin_path || !peer->user || !address.s_addr || !(password || nt_hash))
		return ctl_peer_usage("missing options");
	peer->peer_address = address.s_addr;
	if (nt_hash && !ctl_peer_parse_hex(nt_hash, peer->nt_hash, NT_HASH_LEN))
		return ctl_peer_usage("--nt-hash is not 32 hex digits");
	if (password && nt_hash_password(peer->crypto, password, strlen(password), peer->nt_hash))
		return ctl_peer_usage("--password cannot be hashed");
	if (i >= argc || i + 1 >= argc)
		return ctl_peer_usage("no --server command");
	peer->server_argv = &argv[i + 1];
	for (i = i + 1; i < argc && strcmp(argv[i], "--client") != 0; i++)
		;
	if (i + 1 >= argc)
		return ctl_peer_usage("no --client command");
	argv[i] = NULL; /* ends the server's argv */
	peer->client_argv = &argv[i + 1];
	return 0;
}

static int ctl_peer_start(struct ctl_peer *peer)
{
	int ctl[2], line[2];
	char **server_argv;
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0 ||
	    (peer->signal_fd = signalfd(-1, &mask, SFD_CLOEXEC)) < 0 ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ctl) < 0 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, line) < 0) {
		perror("ctl_peer: setup");
		return 2;
	}
	server_argv = ctl_peer_server_argv(peer);
	if (!server_argv)
		return 2;
	peer->ctl_fd = ctl[0];
	peer->server_pid = ctl_peer_spawn(server_argv, line[0], ctl[1]);
	peer->client_pid = ctl_peer_spawn(peer->client_argv, line[1], -1);
	alloc_free(server_argv);
	close(ctl[1]);
	close(line[0]);
	close(line[1]);
	if (peer->server_pid < 0 || peer->client_pid < 0) {
		perror("ctl_peer: fork");
		return 2;
	}
	printf("STARTED server=%d client=%d\n", (int)peer->server_pid, (int)peer->client_pid);
	return 0;
}

int main(int argc, char **argv)
{
	struct ctl_peer peer = { .ctl_fd = -1, .signal_fd = -1 };
	int status;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (mschapv2_crypto_new(&peer.crypto) < 0) {
		fprintf(stderr, "ctl_peer: no MS-CHAPv2 crypto (OpenSSL legacy provider?)\n");
		return 2;
	}
	status = ctl_peer_parse_args(&peer, argc, argv);
	if (status == 0)
		status = ctl_peer_start(&peer);
	if (status == 0)
		ctl_peer_run(&peer);
	explicit_bzero(peer.nt_hash, sizeof(peer.nt_hash));
	mschapv2_crypto_free(peer.crypto);
	if (peer.ctl_fd >= 0)
		close(peer.ctl_fd);
	if (peer.signal_fd >= 0)
		close(peer.signal_fd);
	return status;
}
