/*
 * l2tpsec_plugin.c - l2tpsec.so, our pppd plugin: pppd asks l2tpsecd.
 *
 * l2tpsecd runs one root pppd per L2TP session with
 * "plugin l2tpsec.so l2tpsec_ctl 4", fd 4 being its end of a
 * socketpair(AF_UNIX, SOCK_SEQPACKET).  The plugin is thin: it tells the
 * daemon what pppd sees and does what the daemon says, in the messages of
 * ppp-glue/ppp_ctl.h:
 *   - the first phase change after the options (the fd is known only then):
 *     check the fd, mark it close-on-exec (scripts must not reach the daemon),
 *     send HELLO {pid}; a missing or wrong fd is fatal (pppd exits 1);
 *   - chap_verify_hook: MS-CHAPv2 only; send AUTH_REQUEST, wait up to 15 s
 *     for the AUTH_REPLY with the same CHAP id, copy its message into the
 *     CHAP Success/Failure packet, and on success make the daemon's address
 *     the peer's (ipcp_wantoptions[0].hisaddr, insisted on; IPCP opens only
 *     after authentication).  No answer, a closed socket or a broken reply is
 *     a refusal with a failure message of our own;
 *   - allowed_address_hook: 1 for that address, 0 for every other (the daemon
 *     is the only authority: no fall-through to pppd's files);
 *   - chap_check_hook 1 (we verify without chap-secrets), pap_check_hook 0;
 *   - ip_up / ip_down notifiers: IP_UP {ifname, our address, the peer's},
 *     IP_DOWN.
 *
 * What it must not do: verify anything itself, read secrets or files, set
 * MPPE keys (the daemon runs pppd with noccp), log the response bytes, or
 * block pppd longer than the reply timeout.  It uses pppd's own log (info,
 * error) for one line per event; names go through pppd's %q quoting.
 *
 * State: one struct behind one global, because pppd's hooks take no
 * context argument.  The daemon owns the other end of the socket; pppd owns
 * the fd.  Built without the project's sanitizer flags (an ASan object cannot
 * load into an uninstrumented pppd) and without config.h (whose VERSION
 * would clash with pppd's).
 */
#include "ppp-glue/plugin/pppd_compat.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ppp-glue/ppp_ctl.h"

enum {
	L2TPSEC_REPLY_TIMEOUT_MS = 15000,
	/* RFC 2759 §4, the Response's Value: Peer-Challenge, Reserved, NT-Response, Flags */
	MSCHAPV2_RESPONSE_LEN = 49,
	MSCHAPV2_PEER_CHALLENGE = 0,
	MSCHAPV2_NT_RESPONSE = 24,
	MSCHAPV2_FLAGS = 48,
};

struct l2tpsec_plugin {
	int ctl_fd;                     /* option l2tpsec_ctl; -1 until given */
	bool started;                   /* fd checked and HELLO sent */
	uint32_t allowed_peer_address;  /* network byte order; 0 until a success */
};

static struct l2tpsec_plugin l2tpsec = { .ctl_fd = -1 };

/*
 * The two symbols pppd looks up (everything else is hidden): it refuses a
 * plugin built for another version, then calls plugin_init().
 */
#define L2TPSEC_EXPORT __attribute__((visibility("default")))
L2TPSEC_EXPORT char pppd_version[] = PPPD_COMPAT_VERSION;
L2TPSEC_EXPORT void plugin_init(void);

static option_t l2tpsec_options[] = {
	{ .name = "l2tpsec_ctl", .type = o_int, .addr = &l2tpsec.ctl_fd,
	  .description = "fd of the control socket to l2tpsecd",
	  .flags = OPT_PRIV | OPT_LLIMIT, .lower_limit = 3 },
	{ .name = NULL },
};

/* ------------------------------------------------------------ the socket */

static bool l2tpsec_send(const struct l2tpsec_plugin *plugin, const struct ppp_ctl_msg *msg)
{
	uint8_t buf[PPP_CTL_MSG_MAX];
	enum ppp_ctl_verdict verdict;
	size_t len;
	ssize_t sent;
	int saved_errno;

	verdict = ppp_ctl_build(msg, buf, sizeof(buf), &len);
	if (verdict != PPP_CTL_OK) {
		error("l2tpsec: cannot build %s: %s", ppp_ctl_type_name(msg->type),
		      ppp_ctl_verdict_text(verdict));
		return false;
	}
	do {
		sent = send(plugin->ctl_fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
	} while (sent < 0 && errno == EINTR);
	saved_errno = errno;
	explicit_bzero(buf, sizeof(buf));
	if (sent < 0) {
		errno = saved_errno;
		error("l2tpsec: cannot send %s to l2tpsecd: %m", ppp_ctl_type_name(msg->type));
		return false;
	}
	return true;
}

static long l2tpsec_ms_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) * 1000L + (now.tv_nsec - start->tv_nsec) / 1000000L;
}

/* One datagram into *msg: 1 got one, 0 nothing yet, -1 the socket is closed or broken. */
static int l2tpsec_recv(const struct l2tpsec_plugin *plugin, struct ppp_ctl_msg *msg)
{
	uint8_t buf[PPP_CTL_MSG_MAX];
	enum ppp_ctl_verdict verdict;
	ssize_t got;

	got = recv(plugin->ctl_fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC);
	if (got < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	if (got < 0) {
		error("l2tpsec: reading from l2tpsecd: %m");
		return -1;
	}
	/* SEQPACKET: 0 is end of file (or an empty datagram, which is malformed anyway) */
	if (got == 0) {
		error("l2tpsec: l2tpsecd closed the control socket");
		return -1;
	}
	if ((size_t)got > sizeof(buf)) {
		error("l2tpsec: a %ld-octet message from l2tpsecd is too long", (long)got);
		return -1;
	}
	verdict = ppp_ctl_parse(buf, (size_t)got, msg);
	explicit_bzero(buf, sizeof(buf));
	if (verdict != PPP_CTL_OK) {
		error("l2tpsec: a bad message from l2tpsecd: %s", ppp_ctl_verdict_text(verdict));
		return -1;
	}
	return 1;
}

/* The AUTH_REPLY for chap_id within the timeout; false if none came. */
static bool l2tpsec_wait_reply(const struct l2tpsec_plugin *plugin, uint8_t chap_id,
			       struct ppp_ctl_auth_reply *reply)
{
	struct ppp_ctl_msg msg;
	struct timespec start;
	long waited;

	clock_gettime(CLOCK_MONOTONIC, &start);
	while ((waited = l2tpsec_ms_since(&start)) < L2TPSEC_REPLY_TIMEOUT_MS) {
		struct pollfd pfd = { .fd = plugin->ctl_fd, .events = POLLIN };
		int ready = poll(&pfd, 1, (int)(L2TPSEC_REPLY_TIMEOUT_MS - waited));
		int got;

		if (ready < 0 && errno != EINTR) {
			error("l2tpsec: waiting for l2tpsecd: %m");
			return false;
		}
		if (ready <= 0)
			continue;
		got = l2tpsec_recv(plugin, &msg);
		if (got < 0)
			return false;
		if (got == 0)
			continue;
		if (msg.type != PPP_CTL_AUTH_REPLY) {
			warn("l2tpsec: ignoring %s from l2tpsecd", ppp_ctl_type_name(msg.type));
			continue;
		}
		if (msg.u.auth_reply.chap_id != chap_id) {
			warn("l2tpsec: ignoring a late answer for CHAP id %d",
			     msg.u.auth_reply.chap_id);
			continue;
		}
		*reply = msg.u.auth_reply;
		return true;
	}
	error("l2tpsec: no answer from l2tpsecd within %d s", L2TPSEC_REPLY_TIMEOUT_MS / 1000);
	return false;
}

/* ------------------------------------------------------------ start */

static bool l2tpsec_ctl_usable(int fd)
{
	struct stat st;
	int type = 0;
	socklen_t type_len = sizeof(type);

	if (fd < 0) {
		error("l2tpsec: no l2tpsec_ctl option (l2tpsecd passes \"l2tpsec_ctl 4\")");
		return false;
	}
	if (fstat(fd, &st) < 0 || !S_ISSOCK(st.st_mode) ||
	    getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &type_len) < 0 || type != SOCK_SEQPACKET) {
		error("l2tpsec: fd %d is not a SEQPACKET socket", fd);
		return false;
	}
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
		error("l2tpsec: fd %d: %m", fd);
		return false;
	}
	return true;
}

static void l2tpsec_on_phase(void *arg, int phase)
{
	struct l2tpsec_plugin *plugin = arg;
	struct ppp_ctl_msg hello = { .type = PPP_CTL_HELLO };

	if (plugin->started || phase == PHASE_INITIALIZE || phase == PHASE_DEAD)
		return;
	plugin->started = true;
	if (!l2tpsec_ctl_usable(plugin->ctl_fd))
		fatal("l2tpsec: cannot talk to l2tpsecd");
	hello.u.hello.pid = (int32_t)getpid();
	if (!l2tpsec_send(plugin, &hello))
		fatal("l2tpsec: l2tpsecd is not listening on fd %d", plugin->ctl_fd);
	info("l2tpsec: control socket on fd %d", plugin->ctl_fd);
}

/* ------------------------------------------------------------ authentication */

static int l2tpsec_chap_check(void)
{
	return 1;
}

static int l2tpsec_pap_check(void)
{
	return 0;
}

/* src (NUL-terminated) into message, cut to message_space. */
static void l2tpsec_set_message(char *message, int message_space, const char *src)
{
	size_t len;

	if (message_space <= 0)
		return;
	len = strnlen(src, (size_t)message_space - 1);
	memcpy(message, src, len);
	message[len] = '\0';
}

/* Our own MS-CHAPv2 failure text, when the daemon gave none (RFC 2759 §6). */
static void l2tpsec_set_local_failure(char *message, int message_space,
				      const unsigned char *auth_challenge)
{
	static const char head[] = "E=691 R=0 C=", tail[] = " V=3 M=Authentication unavailable";
	static const char hex[] = "0123456789ABCDEF";
	char text[sizeof(head) - 1 + 2 * PPP_CTL_CHALLENGE_LEN + sizeof(tail)];
	size_t at = sizeof(head) - 1;

	memcpy(text, head, at);
	for (unsigned i = 0; i < PPP_CTL_CHALLENGE_LEN; i++) {
		text[at++] = hex[auth_challenge[i] >> 4];
		text[at++] = hex[auth_challenge[i] & 0x0f];
	}
	memcpy(text + at, tail, sizeof(tail));
	l2tpsec_set_message(message, message_space, text);
}

static bool l2tpsec_fill_request(struct ppp_ctl_auth_request *req, const char *name, int id,
				 const unsigned char *challenge, const unsigned char *response)
{
	size_t name_len = strnlen(name, PPP_CTL_NAME_MAX + 1);

	if (name_len == 0 || name_len > PPP_CTL_NAME_MAX)
		return false;
	req->chap_id = (uint8_t)id;
	req->name_len = name_len;
	memcpy(req->name, name, name_len);
	req->name[name_len] = '\0';
	memcpy(req->auth_challenge, challenge, PPP_CTL_CHALLENGE_LEN);
	memcpy(req->peer_challenge, response + MSCHAPV2_PEER_CHALLENGE, PPP_CTL_CHALLENGE_LEN);
	memcpy(req->nt_response, response + MSCHAPV2_NT_RESPONSE, PPP_CTL_NT_RESPONSE_LEN);
	req->flags = response[MSCHAPV2_FLAGS];
	return true;
}

/* On a success: the daemon's address becomes the one the peer gets and may use. */
static void l2tpsec_accept(struct l2tpsec_plugin *plugin, const struct ppp_ctl_auth_reply *reply)
{
	ipcp_options *want = &ipcp_wantoptions[0];

	if (reply->peer_address != 0) {
		want->hisaddr = reply->peer_address;
		want->accept_remote = 0;
		info("l2tpsec: l2tpsecd gives the peer %I", reply->peer_address);
	}
	plugin->allowed_peer_address = want->hisaddr;
}

/*
 * pppd's chap_verify_hook.  challenge and response point at their length
 * octets; name is what the peer sent, NUL-terminated and already cleaned by
 * pppd.  Returns 1 to accept, 0 to refuse; message goes into the CHAP packet.
 */
static int l2tpsec_chap_verify(char *name, char *ourname, int id,
			       struct chap_digest_type *digest, unsigned char *challenge,
			       unsigned char *response, char *message, int message_space)
{
	struct l2tpsec_plugin *plugin = &l2tpsec;
	struct ppp_ctl_msg request = { .type = PPP_CTL_AUTH_REQUEST };
	struct ppp_ctl_auth_reply reply;
	int accepted = 0;

	l2tpsec_set_message(message, message_space, "");
	if (digest->code != CHAP_MICROSOFT_V2) {
		error("l2tpsec: refusing CHAP digest %d: only MS-CHAPv2 is served", digest->code);
		return 0;
	}
	if (challenge[0] != PPP_CTL_CHALLENGE_LEN || response[0] != MSCHAPV2_RESPONSE_LEN) {
		error("l2tpsec: refusing an MS-CHAPv2 response of %d octets", response[0]);
		l2tpsec_set_local_failure(message, message_space, challenge + 1);
		return 0;
	}
	if (!plugin->started ||
	    !l2tpsec_fill_request(&request.u.auth_request, name, id, challenge + 1, response + 1)) {
		error("l2tpsec: refusing %q: no control socket or an unusable name", name);
		l2tpsec_set_local_failure(message, message_space, challenge + 1);
		goto out;
	}
	if (!l2tpsec_send(plugin, &request) || !l2tpsec_wait_reply(plugin, (uint8_t)id, &reply)) {
		l2tpsec_set_local_failure(message, message_space, challenge + 1);
		goto out;
	}
	l2tpsec_set_message(message, message_space, reply.message);
	if (reply.ok) {
		l2tpsec_accept(plugin, &reply);
		accepted = 1;
	}
out:
	explicit_bzero(&request, sizeof(request));
	return accepted;
}

static int l2tpsec_allowed_address(u_int32_t address)
{
	const struct l2tpsec_plugin *plugin = &l2tpsec;

	return plugin->allowed_peer_address != 0 && address == plugin->allowed_peer_address;
}

/* ------------------------------------------------------------ the link */

static void l2tpsec_on_ip_up(void *arg, int unused)
{
	const struct l2tpsec_plugin *plugin = arg;
	struct ppp_ctl_msg msg = { .type = PPP_CTL_IP_UP };
	const char *name = pppd_compat_ifname();

	if (!plugin->started)
		return;
	memcpy(msg.u.ip_up.ifname, name, strnlen(name, PPP_CTL_IFNAME_MAX));
	msg.u.ip_up.local_address = ipcp_gotoptions[0].ouraddr;
	msg.u.ip_up.peer_address = ipcp_hisoptions[0].hisaddr;
	(void)l2tpsec_send(plugin, &msg);
}

static void l2tpsec_on_ip_down(void *arg, int unused)
{
	const struct l2tpsec_plugin *plugin = arg;
	struct ppp_ctl_msg msg = { .type = PPP_CTL_IP_DOWN };

	if (plugin->started)
		(void)l2tpsec_send(plugin, &msg);
}

void plugin_init(void)
{
	pppd_compat_add_options(l2tpsec_options);
	chap_check_hook = l2tpsec_chap_check;
	chap_verify_hook = l2tpsec_chap_verify;
	pap_check_hook = l2tpsec_pap_check;
	allowed_address_hook = l2tpsec_allowed_address;
	pppd_compat_add_notifier(PPPD_COMPAT_ON_PHASE, l2tpsec_on_phase, &l2tpsec);
	pppd_compat_add_notifier(PPPD_COMPAT_ON_IP_UP, l2tpsec_on_ip_up, &l2tpsec);
	pppd_compat_add_notifier(PPPD_COMPAT_ON_IP_DOWN, l2tpsec_on_ip_down, &l2tpsec);
	info("l2tpsec: plugin %s loaded", pppd_version);
}
