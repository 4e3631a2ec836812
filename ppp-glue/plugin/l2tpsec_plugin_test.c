/*
 * l2tpsec_plugin_test.c - the built l2tpsec.so, dlopen()ed into a stand-in
 * for pppd 2.4.9: this program defines the pppd symbols the plugin uses
 * (hooks, notifier lists, ipcp options, add_options, the log functions) and
 * exports them (-rdynamic), then drives the hooks as pppd would, with the
 * daemon's end of a real SEQPACKET socketpair in the test's hands.  Replies
 * are queued before the hook runs, so nothing waits on the 15 s timeout.
 *
 * What the VM scenario ppp-plugin.sh cannot reach cheaply is covered here:
 * a wrong fd is fatal, non-MS-CHAPv2 digests and bad lengths are refused, a
 * late reply (other CHAP id) is skipped, a small message buffer is respected,
 * a closed socket is a refusal with our own E=691 text, and the allowed
 * address is exactly the daemon's.
 */
#include "ppp-glue/plugin/pppd_compat.h"

#include <arpa/inet.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <setjmp.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ppp-glue/ppp_ctl.h"
#include "tests/harness/tap.h"

/* ------------------------------------------------------------ pppd, as far as the plugin sees it */

ipcp_options ipcp_wantoptions[NUM_PPP], ipcp_gotoptions[NUM_PPP], ipcp_hisoptions[NUM_PPP];
char ifname[32];
struct notifier *phasechange, *ip_up_notifier, *ip_down_notifier;
int (*chap_check_hook)(void);
int (*pap_check_hook)(void);
int (*allowed_address_hook)(u_int32_t addr);
int (*chap_verify_hook)(char *name, char *ourname, int id, struct chap_digest_type *digest,
			unsigned char *challenge, unsigned char *response, char *message,
			int message_space);

static struct {
	option_t *options;
	const char *last_error;
	bool fatal_called;
	jmp_buf fatal_jump;
} stand_in;

void add_options(option_t *options)
{
	stand_in.options = options;
}

void add_notifier(struct notifier **list, notify_func func, void *arg)
{
	static struct notifier slots[8];
	static size_t used;

	if (used == sizeof(slots) / sizeof(slots[0]))
		return;
	slots[used] = (struct notifier){ .next = *list, .func = func, .arg = arg };
	*list = &slots[used++];
}

void info(char *fmt, ...)
{
	tap_diag("info: %s", fmt);
}

void warn(char *fmt, ...)
{
	tap_diag("warn: %s", fmt);
}

void error(char *fmt, ...)
{
	tap_diag("error: %s", fmt);
	stand_in.last_error = fmt;
}

void fatal(char *fmt, ...)
{
	tap_diag("fatal: %s", fmt);
	stand_in.fatal_called = true;
	longjmp(stand_in.fatal_jump, 1);
}

static void notify_all(struct notifier *list, int value)
{
	for (; list; list = list->next)
		list->func(list->arg, value);
}

/* ------------------------------------------------------------ helpers */

static int *ctl_fd_option(void)
{
	for (option_t *o = stand_in.options; o && o->name; o++)
		if (strcmp(o->name, "l2tpsec_ctl") == 0)
			return o->addr;
	return NULL;
}

/* One MS-CHAPv2 exchange: challenge and response with their length octets. */
struct exchange {
	unsigned char challenge[1 + 16];
	unsigned char response[1 + 49];
};

static struct exchange sample_exchange(void)
{
	struct exchange ex;

	ex.challenge[0] = 16;
	for (int i = 0; i < 16; i++)
		ex.challenge[1 + i] = (unsigned char)(0xa0 + i);
	ex.response[0] = 49;
	for (int i = 0; i < 49; i++)
		ex.response[1 + i] = (unsigned char)i;
	ex.response[1 + 48] = 0;
	return ex;
}

static void queue_reply(int fd, uint8_t chap_id, bool ok, uint32_t address, const char *text)
{
	struct ppp_ctl_msg msg = { .type = PPP_CTL_AUTH_REPLY };
	uint8_t buf[PPP_CTL_MSG_MAX];
	size_t len;

	msg.u.auth_reply.chap_id = chap_id;
	msg.u.auth_reply.ok = ok;
	msg.u.auth_reply.peer_address = address;
	snprintf(msg.u.auth_reply.message, sizeof(msg.u.auth_reply.message), "%s", text);
	if (ppp_ctl_build(&msg, buf, sizeof(buf), &len) != PPP_CTL_OK ||
	    send(fd, buf, len, 0) != (ssize_t)len)
		tap_diag("could not queue a reply");
}

/* The next message from the plugin, or type 0 if none is waiting or it is malformed. */
static struct ppp_ctl_msg next_msg(int fd)
{
	struct ppp_ctl_msg msg = { 0 };
	uint8_t buf[PPP_CTL_MSG_MAX];
	ssize_t got = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

	if (got <= 0 || ppp_ctl_parse(buf, (size_t)got, &msg) != PPP_CTL_OK)
		memset(&msg, 0, sizeof(msg));
	return msg;
}

static int verify(struct chap_digest_type *digest, int id, struct exchange *ex, char *message,
		  int space)
{
	return chap_verify_hook((char *)"alice", (char *)"server", id, digest, ex->challenge,
				ex->response, message, space);
}

/* ------------------------------------------------------------ tests */

static void test_init(void)
{
	int *fd = ctl_fd_option();

	ok(chap_check_hook && chap_check_hook() == 1, "chap_check_hook: we can verify");
	ok(pap_check_hook && pap_check_hook() == 0, "pap_check_hook: no PAP");
	ok(chap_verify_hook && allowed_address_hook, "verify and address hooks are set");
	ok(fd && *fd == -1, "option l2tpsec_ctl registered, unset");
	ok(phasechange && ip_up_notifier && ip_down_notifier, "three notifiers registered");
	ok(stand_in.options && (stand_in.options[0].flags & OPT_PRIV), "l2tpsec_ctl is privileged");
	ok(allowed_address_hook && allowed_address_hook(inet_addr("203.0.113.10")) == 0,
	   "no address is allowed before authentication");
}

/* In a child process: the plugin starts once per pppd, and this start must fail. */
static void test_start_refuses_a_stream_socket(void)
{
	int pair[2], status = -1;
	int *fd = ctl_fd_option();
	pid_t child;

	if (!ok(fd && socketpair(AF_UNIX, SOCK_STREAM, 0, pair) == 0, "a stream socketpair"))
		return;
	fflush(stdout);
	child = fork();
	if (child == 0) {
		*fd = pair[1];
		if (setjmp(stand_in.fatal_jump) == 0)
			notify_all(phasechange, PHASE_SERIALCONN);
		_exit(stand_in.fatal_called ? 0 : 1);
	}
	ok(child > 0 && waitpid(child, &status, 0) == child && WIFEXITED(status) &&
	   WEXITSTATUS(status) == 0, "a stream socket instead of SEQPACKET is fatal");
	close(pair[0]);
	close(pair[1]);
}

static void test_refusals_before_start(void)
{
	struct chap_digest_type digest = { .code = CHAP_MICROSOFT_V2 };
	struct exchange ex = sample_exchange();
	char message[256];

	is_int(verify(&digest, 1, &ex, message, sizeof(message)), 0,
	       "no control socket: refused");
	ok(strncmp(message, "E=691 R=0 C=A0A1A2A3A4A5A6A7A8A9AAABACADAEAF V=3", 48) == 0,
	   "with our own failure text naming the challenge");
}

/* A plugin whose first phase change found a good socket; returns the daemon's end. */
static int start_plugin(void)
{
	int pair[2], flags;
	int *fd = ctl_fd_option();
	struct ppp_ctl_msg hello;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, pair) < 0 || !fd)
		return -1;
	*fd = pair[1];
	stand_in.fatal_called = false;
	if (setjmp(stand_in.fatal_jump) == 0)
		notify_all(phasechange, PHASE_SERIALCONN);
	ok(!stand_in.fatal_called, "a SEQPACKET socket is accepted");
	hello = next_msg(pair[0]);
	is_int(hello.type, PPP_CTL_HELLO, "HELLO at the first phase change");
	is_int(hello.u.hello.pid, getpid(), "HELLO carries pppd's pid");
	flags = fcntl(pair[1], F_GETFD);
	ok(flags >= 0 && (flags & FD_CLOEXEC), "the control fd is close-on-exec");
	notify_all(phasechange, PHASE_ESTABLISH);
	is_int(next_msg(pair[0]).type, 0, "one HELLO only");
	return pair[0];
}

static void test_verify(int daemon_fd)
{
	struct chap_digest_type md5 = { .code = CHAP_MD5 }, ms2 = { .code = CHAP_MICROSOFT_V2 };
	struct exchange ex = sample_exchange();
	struct ppp_ctl_msg req;
	char message[256], small[10];

	is_int(verify(&md5, 1, &ex, message, sizeof(message)), 0, "CHAP-MD5 is refused");
	is_int(next_msg(daemon_fd).type, 0, "and the daemon is not asked");
	ex.response[0] = 48;
	is_int(verify(&ms2, 1, &ex, message, sizeof(message)), 0, "a 48-octet response is refused");
	is_int(next_msg(daemon_fd).type, 0, "and the daemon is not asked");
	ex = sample_exchange();

	queue_reply(daemon_fd, 6, true, inet_addr("10.9.9.9"), "S=LATE");
	queue_reply(daemon_fd, 7, true, inet_addr("203.0.113.10"), "S=0123 M=Welcome");
	is_int(verify(&ms2, 7, &ex, message, sizeof(message)), 1, "the daemon's success is taken");
	is_str(message, "S=0123 M=Welcome", "its message goes into the CHAP Success");
	is_uint(ipcp_wantoptions[0].hisaddr, inet_addr("203.0.113.10"),
		"the reply for CHAP id 7 gives the address, the late one for id 6 is skipped");
	ok(!ipcp_wantoptions[0].accept_remote, "pppd insists on that address");
	is_int(allowed_address_hook(inet_addr("203.0.113.10")), 1, "the given address is allowed");
	is_int(allowed_address_hook(inet_addr("10.9.9.9")), 0, "another address is not");
	req = next_msg(daemon_fd);
	is_int(req.type, PPP_CTL_AUTH_REQUEST, "the daemon got AUTH_REQUEST");
	is_uint(req.u.auth_request.chap_id, 7, "with the CHAP id");
	is_str(req.u.auth_request.name, "alice", "with the name");
	is_mem(req.u.auth_request.auth_challenge, ex.challenge + 1, 16, "the authenticator challenge");
	is_mem(req.u.auth_request.peer_challenge, ex.response + 1, 16, "the peer challenge");
	is_mem(req.u.auth_request.nt_response, ex.response + 1 + 24, 24, "the NT-Response");
	is_uint(req.u.auth_request.flags, 0, "the flags");

	queue_reply(daemon_fd, 8, false, 0, "E=691 R=0 C=00 V=3 M=No");
	is_int(verify(&ms2, 8, &ex, small, sizeof(small)), 0, "the daemon's refusal is taken");
	is_str(small, "E=691 R=0", "its message is cut to the space pppd gives");
	(void)next_msg(daemon_fd);
}

static void test_link(int daemon_fd)
{
	struct ppp_ctl_msg msg;

	snprintf(ifname, sizeof(ifname), "ppp7");
	ipcp_gotoptions[0].ouraddr = inet_addr("203.0.113.1");
	ipcp_hisoptions[0].hisaddr = inet_addr("203.0.113.10");
	notify_all(ip_up_notifier, 0);
	msg = next_msg(daemon_fd);
	is_int(msg.type, PPP_CTL_IP_UP, "IP_UP");
	is_str(msg.u.ip_up.ifname, "ppp7", "IP_UP names the interface");
	is_uint(msg.u.ip_up.local_address, inet_addr("203.0.113.1"), "IP_UP: our address");
	is_uint(msg.u.ip_up.peer_address, inet_addr("203.0.113.10"), "IP_UP: the peer's");
	notify_all(ip_down_notifier, 0);
	is_int(next_msg(daemon_fd).type, PPP_CTL_IP_DOWN, "IP_DOWN");
}

static void test_daemon_gone(int daemon_fd)
{
	struct chap_digest_type ms2 = { .code = CHAP_MICROSOFT_V2 };
	struct exchange ex = sample_exchange();
	char message[256];

	close(daemon_fd);
	is_int(verify(&ms2, 9, &ex, message, sizeof(message)), 0, "a closed socket is a refusal");
	ok(strncmp(message, "E=691 R=0 C=A0A1", 16) == 0, "with our own failure text");
	ok(stand_in.last_error != NULL, "and one error line");
}

int main(void)
{
	void *plugin = dlopen(L2TPSEC_PLUGIN_PATH, RTLD_NOW | RTLD_LOCAL);
	void (*init)(void);
	const char *version;
	int daemon_fd;

	if (!ok(plugin != NULL, "dlopen %s", L2TPSEC_PLUGIN_PATH)) {
		tap_diag("%s", dlerror());
		return tap_done();
	}
	version = dlsym(plugin, "pppd_version");
	is_str(version, PPPD_COMPAT_VERSION, "pppd_version is the headers' version");
	*(void **)&init = dlsym(plugin, "plugin_init");
	ok(dlsym(plugin, "ppp_ctl_parse") == NULL, "the codec's symbols stay hidden");
	if (!ok(init != NULL, "plugin_init exported"))
		return tap_done();
	init();
	test_init();
	test_refusals_before_start();
	test_start_refuses_a_stream_socket();
	daemon_fd = start_plugin();
	if (daemon_fd >= 0) {
		test_verify(daemon_fd);
		test_link(daemon_fd);
		test_daemon_gone(daemon_fd);
	}
	dlclose(plugin);
	return tap_done();
}
