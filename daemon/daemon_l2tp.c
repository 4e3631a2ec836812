/*
 * daemon_l2tp.c - sockets, kernel tunnels and sessions, pppd processes and
 * authentication for the LNS engine.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "daemon/ctl_socket.h"
#include "daemon/daemon.h"
#include "daemon/daemon_ike.h"
#include "daemon/daemon_l2tp.h"
#include "daemon/kernel_l2tp.h"
#include "daemon/kernel_xfrm.h"
#include "l2tp/l2tp_lns.h"
#include "lib/alloc.h"
#include "ppp-glue/ip_pool.h"
#include "ppp-glue/mschapv2.h"
#include "ppp-glue/ppp_ctl.h"
#include "ppp-glue/ppp_spawn.h"
#include "ppp-glue/pppd_argv.h"
#include "ppp-glue/users.h"

enum {
	DL2TP_DATAGRAM_MAX = 4096,
	DL2TP_PPPD_TERM_MS = 5000,      /* SIGTERM, then SIGKILL after this long */
	DL2TP_STOP_WAIT_MS = 3000,      /* how long a stop waits for the pppds */
	DL2TP_PPP_LOG_LINE_MAX = 512,   /* a longer pppd line is cut */
};

/* One IPsec SA that may carry L2TP: its mark names it on every datagram it decrypted. */
struct dl2tp_child {
	struct dl2tp_child *next;
	uint64_t serial;
	uint32_t mark;
	uint32_t spi_in;                /* names it to the IKE engine */
	uint64_t parent_serial;         /* its ISAKMP SA */
	struct netaddr remote;          /* the IKE peer (NAT public address:port) */
	struct logger lg;               /* "#N", the parent of the tunnels it carries */
	bool close_pending;             /* its client vanished: end it (after the engine call returns) */
	bool close_after_tunnel;        /* ended by the admin: end it once its tunnels closed */
};

struct dl2tp_tunnel {
	struct dl2tp_tunnel *next, **pprev;
	struct daemon_l2tp *l;
	int fd;
	struct ev_fd ev;
	bool ev_added;
	uint16_t tunnel_id, peer_tunnel_id;
	uint32_t mark;                  /* the IPsec SA it goes through (SO_MARK) */
	struct netaddr remote;
	const struct l2tp_tunnel_info *info; /* the engine's view (lg, host, vendor), until tunnel_close */
	uint64_t opened_wall_ms;
};

/* One pppd, from its spawn until it is reaped (it may outlive its L2TP session). */
struct dl2tp_ppp {
	struct dl2tp_ppp *next, **pprev;
	struct daemon_l2tp *l;
	struct l2tp_session *session;   /* NULL once the engine closed the session */
	uint16_t tunnel_id, session_id;
	bool kernel_session;
	struct logger lg;               /* "#5 tun#1 ses#1 ppp#1" */
	struct ppp_child child;         /* pid 0 once reaped */
	int ctl_fd, log_fd;
	struct ev_fd pid_ev, ctl_ev, log_ev;
	bool pid_added, ctl_added, log_added;
	struct ev_timer kill_timer;
	uint64_t started_ms;
	char *log_line;                 /* DL2TP_PPP_LOG_LINE_MAX; only while a partial line is pending */
	size_t log_used;
	uint32_t address;               /* network order; 0: none held */
	bool authenticated;
	char user[USERS_NAME_MAX + 1];  /* sanitized, for the log */
	char login[USERS_NAME_MAX + 1]; /* the users file's name, once authenticated */
	uint64_t since_wall_ms;         /* authenticated at */
	char ifname[PPP_CTL_IFNAME_MAX + 1];
	struct dl2tp_tunnel *tunnel;    /* NULL once the session closed */
	uint64_t ses_serial;
	bool killing;                   /* the admin (or a users-file change) ended it */
};

/* When each user was last seen (a session ended), for "user list". */
struct dl2tp_seen {
	char name[USERS_NAME_MAX + 1];
	uint64_t wall_ms;
};

struct daemon_l2tp {
	struct daemon *d;
	struct kl2tp *kl;
	struct kxfrm *kx;
	bool guard;
	int listen_fd;
	struct ev_fd listen_ev;
	bool listen_added;
	struct l2tp_lns *lns;
	struct ip_pool *pool;
	struct users *users;
	struct mschapv2_crypto *mschap;
	struct dl2tp_child *children;
	struct dl2tp_tunnel *tunnels;
	struct dl2tp_ppp *ppps;
	struct dl2tp_seen *seen;
	size_t seen_count;
	struct ev_timer close_children; /* ends the IPsec SAs of vanished clients */
	struct log_ratelimit clear_rl;
	bool stopping;
};

static struct daemon_l2tp *dl2tp_of(void *arg)
{
	return arg;
}

static uint64_t dl2tp_wall_ms(const struct daemon_l2tp *l)
{
	struct timespec ts;

	clock_wall(&l->d->clock, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ------------------------------------------------------------------ IPsec SAs */

static struct dl2tp_child *dl2tp_child_by_mark(struct daemon_l2tp *l, uint32_t mark)
{
	for (struct dl2tp_child *c = l->children; c; c = c->next)
		if (c->mark == mark)
			return c;
	return NULL;
}

/*
 * A new IPsec SA from the same IKE peer (address and port) replaces an older one (Windows
 * redoes Quick Mode every hour): the client's L2TP now arrives with the new mark, so its
 * tunnels take it, and their sockets send through the new SA.
 */
static void dl2tp_child_rekeyed(struct daemon_l2tp *l, const struct dl2tp_child *c)
{
	for (struct dl2tp_child *old = l->children; old; old = old->next) {
		if (old->mark == c->mark || !netaddr_equal(&old->remote, &c->remote))
			continue;
		for (struct dl2tp_tunnel *t = l->tunnels; t; t = t->next) {
			int mark = (int)c->mark;

			if (t->mark != old->mark)
				continue;
			if (setsockopt(t->fd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)) < 0) {
				log_msg(t->info->lg, LOG_LEVEL_ERR,
					"cannot move to the new IPsec SA #%llu: %s",
					(unsigned long long)c->serial, strerror(errno));
				continue;
			}
			t->mark = c->mark;
			log_msg(t->info->lg, LOG_LEVEL_INFO, "now carried by IPsec SA #%llu (was #%llu)",
				(unsigned long long)c->serial, (unsigned long long)old->serial);
		}
		l2tp_lns_ipsec_replaced(l->lns, old->mark, c->mark);
	}
}

void daemon_l2tp_child_up(struct daemon *d, const struct ike_child_sa_params *child)
{
	struct daemon_l2tp *l = d->l2tp;
	struct dl2tp_child *c;

	if (!l)
		return;
	c = alloc_zero(sizeof(*c));
	if (!c) {
		log_msg(&d->lg, LOG_LEVEL_ERR, "#%llu: out of memory: L2TP through it will be refused",
			(unsigned long long)child->serial);
		return;
	}
	c->serial = child->serial;
	c->mark = child->reqid;
	c->spi_in = child->spi_in;
	c->parent_serial = child->parent_serial;
	c->remote = child->remote;
	logger_init_fixed(&c->lg, d->log, NULL, "#", child->serial);
	dl2tp_child_rekeyed(l, c);
	c->next = l->children;
	l->children = c;
}

void daemon_l2tp_child_down(struct daemon *d, uint64_t serial, const char *reason)
{
	struct daemon_l2tp *l = d->l2tp;

	if (!l)
		return;
	for (struct dl2tp_child **pc = &l->children; *pc; pc = &(*pc)->next) {
		struct dl2tp_child *c = *pc;

		if (c->serial != serial)
			continue;
		*pc = c->next;
		if (!dl2tp_child_by_mark(l, c->mark))
			l2tp_lns_ipsec_gone(l->lns, c->mark);
		alloc_free(c);
		return;
	}
}

/* The clients whose tunnels died of silence: their IPsec SAs (and ISAKMP SAs) end too. */
static void dl2tp_on_close_children(struct ev_timer *timer)
{
	struct daemon_l2tp *l = container_of(timer, struct daemon_l2tp, close_children);
	struct dl2tp_child *c;

	while ((c = l->children)) {
		for (; c && !c->close_pending; c = c->next)
			;
		if (!c)
			return;
		c->close_pending = false;
		/* child_down removes c from the list (daemon_l2tp_child_down); -ENOENT leaves it. */
		(void)!daemon_ike_child_close(l->d, c->spi_in, "its L2TP peer vanished");
	}
}

/* ------------------------------------------------------------------ receiving */

/* The parent logger of what arrived with this mark, or NULL after logging the drop. */
static bool dl2tp_accept(struct daemon_l2tp *l, const struct kl2tp_rx_meta *meta,
			 const struct logger **parent)
{
	struct dl2tp_child *c = meta->mark ? dl2tp_child_by_mark(l, meta->mark) : NULL;
	char from[NETADDR_STRLEN];

	if (c) {
		*parent = &c->lg;
		return true;
	}
	*parent = NULL;
	if (!meta->mark && l->d->conf->l2tp_allow_clear)
		return true;
	log_rl(&l->d->lg, &l->clear_rl, LOG_LEVEL_WARN,
			"L2TP from %s dropped: it did not arrive through an IPsec SA of ours%s",
			netaddr_format(&meta->remote, from),
			meta->mark ? " (unknown mark)" : " (sent in the clear)");
	return false;
}

/* One datagram from fd into the engine; false when there is nothing more to read. */
static bool dl2tp_read_one(struct daemon_l2tp *l, int fd)
{
	uint8_t buf[DL2TP_DATAGRAM_MAX];
	struct kl2tp_rx_meta meta;
	struct l2tp_lns_rx rx;
	ssize_t n = kl2tp_recv(fd, buf, sizeof(buf), &meta);

	if (n < 0) {
		if (n != -EAGAIN && n != -EINTR)
			log_dbg(&l->d->lg, CONF_DEBUG_L2TP_WIRE, "L2TP receive failed: %s",
				strerror((int)-n));
		return n == -EINTR;
	}
	memset(&rx, 0, sizeof(rx));
	if (!dl2tp_accept(l, &meta, &rx.parent))
		return true;
	rx.msg = buf;
	rx.len = (size_t)n;
	rx.local = meta.local;
	rx.remote = meta.remote;
	rx.mark = meta.mark;
	l2tp_lns_recv(l->lns, &rx);
	return true;
}

static void dl2tp_on_listen_readable(struct ev_fd *ev, uint32_t revents)
{
	struct daemon_l2tp *l = container_of(ev, struct daemon_l2tp, listen_ev);

	for (unsigned i = 0; i < 64 && !l->stopping; i++)
		if (!dl2tp_read_one(l, l->listen_fd))
			return;
}

/* One datagram per wakeup: the engine may close this tunnel while handling it. */
static void dl2tp_on_tunnel_readable(struct ev_fd *ev, uint32_t revents)
{
	struct dl2tp_tunnel *t = container_of(ev, struct dl2tp_tunnel, ev);

	(void)dl2tp_read_one(t->l, t->fd);
}

/* ------------------------------------------------------------------ tunnels */

static int dl2tp_tunnel_open(void *arg, const struct l2tp_tunnel_info *info, void **handle)
{
	struct daemon_l2tp *l = dl2tp_of(arg);
	struct dl2tp_tunnel *t = alloc_zero(sizeof(*t));
	struct netaddr local = info->local;
	int err;

	if (!t)
		return -ENOMEM;
	t->l = l;
	t->tunnel_id = info->tunnel_id;
	t->peer_tunnel_id = info->peer_tunnel_id;
	t->remote = info->remote;
	t->mark = info->mark;
	t->info = info;
	t->opened_wall_ms = dl2tp_wall_ms(l);
	local.port = (uint16_t)l->d->conf->l2tp_port;
	t->fd = kl2tp_tunnel_socket(&local, &info->remote, info->mark);
	if (t->fd < 0) {
		err = t->fd;
		log_msg(info->lg, LOG_LEVEL_ERR, "cannot open the tunnel's socket: %s", strerror(-err));
		alloc_free(t);
		return err;
	}
	err = kl2tp_tunnel_create(l->kl, t->fd, t->tunnel_id, t->peer_tunnel_id);
	if (err < 0) {
		if (err != -EEXIST)
			log_msg(info->lg, LOG_LEVEL_ERR, "kernel refused the L2TP tunnel: %s%s%s",
				strerror(-err), kl2tp_last_error(l->kl)[0] ? ": " : "",
				kl2tp_last_error(l->kl));
		close(t->fd);
		alloc_free(t);
		return err;
	}
	err = ev_fd_add(l->d->loop, &t->ev, t->fd, EPOLLIN, dl2tp_on_tunnel_readable);
	if (err < 0) {
		close(t->fd);   /* closing the socket removes the kernel tunnel */
		alloc_free(t);
		return err;
	}
	t->ev_added = true;
	t->next = l->tunnels;
	if (t->next)
		t->next->pprev = &t->next;
	t->pprev = &l->tunnels;
	l->tunnels = t;
	*handle = t;
	return 0;
}

static void dl2tp_tunnel_send(void *arg, void *handle, const uint8_t *msg, size_t len)
{
	struct daemon_l2tp *l = dl2tp_of(arg);
	struct dl2tp_tunnel *t = handle;

	if (send(t->fd, msg, len, MSG_DONTWAIT) < 0)
		log_dbg(&l->d->lg, CONF_DEBUG_L2TP_WIRE, "L2TP send on tunnel %u failed: %s",
			t->tunnel_id, strerror(errno));
}

static bool dl2tp_mark_in_use(const struct daemon_l2tp *l, uint32_t mark)
{
	for (const struct dl2tp_tunnel *t = l->tunnels; t; t = t->next)
		if (t->mark == mark)
			return true;
	return false;
}

static void dl2tp_tunnel_close(void *arg, void *handle, const char *reason, bool peer_gone)
{
	struct daemon_l2tp *l = dl2tp_of(arg);
	struct dl2tp_tunnel *t = handle;
	struct dl2tp_child *c;
	int err;

	if (t->next)
		t->next->pprev = t->pprev;
	*t->pprev = t->next;
	/* A client that stopped answering keeps nothing: its IPsec SA goes too (not from
	 * inside the engine's call: the IKE side calls back into the L2TP engine). */
	c = dl2tp_child_by_mark(l, t->mark);
	if ((peer_gone || (c && c->close_after_tunnel)) && t->mark && c &&
	    !dl2tp_mark_in_use(l, t->mark)) {
		c->close_pending = true;
		ev_timer_arm(l->d->loop, &l->close_children, 0);
	}
	if (t->ev_added)
		ev_fd_del(l->d->loop, &t->ev);
	err = kl2tp_tunnel_delete(l->kl, t->tunnel_id);
	if (err < 0 && err != -ENOENT && err != -ENODEV)
		log_msg(&l->d->lg, LOG_LEVEL_WARN, "deleting kernel L2TP tunnel %u failed: %s",
			t->tunnel_id, strerror(-err));
	close(t->fd);
	alloc_free(t);
}

/* ------------------------------------------------------------------ pppd */

static void dl2tp_ppp_signal(struct dl2tp_ppp *p, int signo)
{
	int err = ppp_signal(&p->child, signo);

	if (err < 0 && err != -ESRCH)
		log_msg(&p->lg, LOG_LEVEL_WARN, "signal %d to pppd pid %d: %s", signo,
			(int)p->child.pid, strerror(-err));
}

static void dl2tp_ppp_release_address(struct dl2tp_ppp *p)
{
	struct in_addr address = { .s_addr = p->address };

	if (!p->address)
		return;
	if (ip_pool_release(p->l->pool, address) < 0)
		log_msg(&p->lg, LOG_LEVEL_ERR, "releasing its address: it was not held (a bug)");
	p->address = 0;
}

static void dl2tp_ppp_free(struct dl2tp_ppp *p)
{
	struct daemon_l2tp *l = p->l;

	ev_timer_cancel(l->d->loop, &p->kill_timer);
	if (p->pid_added)
		ev_fd_del(l->d->loop, &p->pid_ev);
	if (p->ctl_added)
		ev_fd_del(l->d->loop, &p->ctl_ev);
	if (p->log_added)
		ev_fd_del(l->d->loop, &p->log_ev);
	ppp_child_close(&p->child);
	if (p->ctl_fd >= 0)
		close(p->ctl_fd);
	if (p->log_fd >= 0)
		close(p->log_fd);
	dl2tp_ppp_release_address(p);
	alloc_free(p->log_line);
	if (p->next)
		p->next->pprev = p->pprev;
	*p->pprev = p->next;
	alloc_free(p);
}

static void dl2tp_ppp_kernel_session_delete(struct dl2tp_ppp *p)
{
	int err;

	if (!p->kernel_session)
		return;
	p->kernel_session = false;
	err = kl2tp_session_delete(p->l->kl, p->tunnel_id, p->session_id);
	if (err < 0 && err != -ENOENT && err != -ENODEV)
		log_msg(&p->lg, LOG_LEVEL_WARN, "deleting the kernel L2TP session failed: %s",
			strerror(-err));
}

/*
 * Logs the complete lines of buf[0..*used) under the session's prefix, and
 * the rest too when all is set or the buffer is full (a line cut there);
 * leaves what remains at the front of buf.
 */
static void dl2tp_ppp_log_lines(struct dl2tp_ppp *p, char *buf, size_t *used, bool all)
{
	char *start = buf, *nl;

	while ((nl = memchr(start, '\n', *used - (size_t)(start - buf)))) {
		*nl = '\0';
		if (nl > start)
			log_msg(&p->lg, LOG_LEVEL_INFO, "pppd: %s", start);
		start = nl + 1;
	}
	*used -= (size_t)(start - buf);
	memmove(buf, start, *used);
	if (all || *used == DL2TP_PPP_LOG_LINE_MAX - 1) {
		buf[*used] = '\0';
		if (*used)
			log_msg(&p->lg, LOG_LEVEL_INFO, "pppd: %s", buf);
		*used = 0;
	}
}

/*
 * Forwards what pppd printed, line by line.  Reading goes through a stack
 * buffer; only a partial line waiting for its end is kept on the heap
 * (p->log_line), so an idle session holds no buffer.
 */
static void dl2tp_ppp_log_drain(struct dl2tp_ppp *p)
{
	char buf[DL2TP_PPP_LOG_LINE_MAX];
	size_t used = p->log_used;
	bool closed = false;

	if (used)
		memcpy(buf, p->log_line, used);
	for (;;) {
		ssize_t n = read(p->log_fd, buf + used, sizeof(buf) - 1 - used);

		if (n <= 0) {
			closed = n == 0 || (errno != EAGAIN && errno != EINTR);
			break;
		}
		used += (size_t)n;
		dl2tp_ppp_log_lines(p, buf, &used, false);
	}
	if (closed) {
		dl2tp_ppp_log_lines(p, buf, &used, true);
		ev_fd_del(p->l->d->loop, &p->log_ev);
		p->log_added = false;
	}
	if (used && !p->log_line)
		p->log_line = alloc_array(1, DL2TP_PPP_LOG_LINE_MAX);
	if (used && !p->log_line)
		dl2tp_ppp_log_lines(p, buf, &used, true);       /* no memory to wait for its end */
	if (used) {
		memcpy(p->log_line, buf, used);
	} else {
		alloc_free(p->log_line);
		p->log_line = NULL;
	}
	p->log_used = used;
}

static void dl2tp_on_ppp_log(struct ev_fd *ev, uint32_t revents)
{
	dl2tp_ppp_log_drain(container_of(ev, struct dl2tp_ppp, log_ev));
}

static void dl2tp_ppp_reply(struct dl2tp_ppp *p, const struct ppp_ctl_auth_request *request,
			    bool ok, const char *message, uint32_t address)
{
	struct ppp_ctl_msg msg;
	uint8_t buf[PPP_CTL_MSG_MAX];
	enum ppp_ctl_verdict verdict;
	size_t len;

	memset(&msg, 0, sizeof(msg));
	msg.type = PPP_CTL_AUTH_REPLY;
	msg.u.auth_reply.chap_id = request->chap_id;
	msg.u.auth_reply.ok = ok;
	snprintf(msg.u.auth_reply.message, sizeof(msg.u.auth_reply.message), "%s", message);
	msg.u.auth_reply.peer_address = address;
	verdict = ppp_ctl_build(&msg, buf, sizeof(buf), &len);
	if (verdict != PPP_CTL_OK) {
		log_msg(&p->lg, LOG_LEVEL_ERR, "cannot build the reply to pppd: %s",
			ppp_ctl_verdict_text(verdict));
		return;
	}
	if (send(p->ctl_fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		log_msg(&p->lg, LOG_LEVEL_WARN, "cannot answer pppd's authentication request: %s",
			strerror(errno));
}

/* RFC 2759 §6 failure packet text: E=691 (authentication failure), no retry. */
static void dl2tp_ppp_refuse(struct dl2tp_ppp *p, const struct ppp_ctl_auth_request *request)
{
	char message[96];
	int n = snprintf(message, sizeof(message), "E=691 R=0 C=");

	for (size_t i = 0; i < PPP_CTL_CHALLENGE_LEN; i++)
		n += snprintf(message + n, sizeof(message) - (size_t)n, "%02X",
			      request->auth_challenge[i]);
	snprintf(message + n, sizeof(message) - (size_t)n, " V=3 M=Authentication failure");
	dl2tp_ppp_reply(p, request, false, message, 0);
}

/* The address this user gets: the static one from the users file, or one from the pool. */
static int dl2tp_ppp_take_address(struct dl2tp_ppp *p, const struct users_entry *u,
				  uint32_t *address)
{
	struct in_addr a = u->address;
	int err = u->has_address ? ip_pool_claim(p->l->pool, a) : ip_pool_take(p->l->pool, &a);

	if (err == 0)
		*address = a.s_addr;
	return err;
}

static void dl2tp_ppp_auth(struct dl2tp_ppp *p, const struct ppp_ctl_auth_request *request)
{
	struct daemon_l2tp *l = p->l;
	const struct users_entry *u;
	char auth_response[MSCHAPV2_AUTHENTICATOR_RESPONSE_LEN + 1];
	char text[NETADDR_STRLEN], reply[MSCHAPV2_AUTHENTICATOR_RESPONSE_LEN + 32];
	struct netaddr given = { .family = AF_INET };
	struct wire_span lookup;
	uint32_t address = 0;
	int rc, err;

	log_sanitize(p->user, sizeof(p->user), request->name, request->name_len);
	if (p->authenticated) {
		log_msg(&p->lg, LOG_LEVEL_WARN, "user \"%s\": second authentication refused", p->user);
		dl2tp_ppp_refuse(p, request);
		return;
	}
	lookup = mschapv2_user_name(request->name, request->name_len);
	u = l->users ? users_find(l->users, (const char *)lookup.p, lookup.len) : NULL;
	if (!u) {
		log_msg(&p->lg, LOG_LEVEL_WARN, "user \"%s\" unknown: authentication failed", p->user);
		dl2tp_ppp_refuse(p, request);
		return;
	}
	if (!u->enabled) {
		log_msg(&p->lg, LOG_LEVEL_WARN, "user \"%s\" is disabled: authentication refused",
			p->user);
		dl2tp_ppp_refuse(p, request);
		return;
	}
	rc = mschapv2_verify(l->mschap, u->nt_hash, request->auth_challenge, request->peer_challenge,
			     request->name, request->name_len, request->nt_response, auth_response);
	if (rc <= 0) {
		if (rc < 0)
			log_msg(&p->lg, LOG_LEVEL_ERR, "user \"%s\": MS-CHAPv2 verification failed: %s",
				p->user, strerror(-rc));
		else
			log_msg(&p->lg, LOG_LEVEL_WARN,
				"user \"%s\": authentication failed (MS-CHAPv2): wrong password",
				p->user);
		dl2tp_ppp_refuse(p, request);
		return;
	}
	err = dl2tp_ppp_take_address(p, u, &address);
	if (err < 0) {
		log_msg(&p->lg, LOG_LEVEL_WARN, "user \"%s\" authenticated but refused: %s", p->user,
			err == -EADDRINUSE ? "the static address is in use by another session"
					   : "the address pool is exhausted");
		dl2tp_ppp_refuse(p, request);
		return;
	}
	p->address = address;
	p->authenticated = true;
	snprintf(p->login, sizeof(p->login), "%s", u->name);
	p->since_wall_ms = dl2tp_wall_ms(l);
	snprintf(reply, sizeof(reply), "%s M=Access granted", auth_response);
	util_wipe(auth_response, sizeof(auth_response));
	dl2tp_ppp_reply(p, request, true, reply, address);
	given.addr.v4.s_addr = address;
	log_msg(&p->lg, LOG_LEVEL_NOTICE, "user \"%s\" authenticated (MS-CHAPv2), address %s",
		p->user, netaddr_format_addr(&given, text));
}

static void dl2tp_ppp_ctl(struct dl2tp_ppp *p, const struct ppp_ctl_msg *msg)
{
	struct netaddr ours = { .family = AF_INET }, peer = { .family = AF_INET };
	char a[NETADDR_STRLEN], b[NETADDR_STRLEN], ifname[sizeof(msg->u.ip_up.ifname) + 1];

	switch (msg->type) {
	case PPP_CTL_HELLO:
		if (msg->u.hello.pid != p->child.pid)
			log_msg(&p->lg, LOG_LEVEL_WARN, "plugin reports pid %d, we started %d",
				(int)msg->u.hello.pid, (int)p->child.pid);
		break;
	case PPP_CTL_AUTH_REQUEST:
		dl2tp_ppp_auth(p, &msg->u.auth_request);
		break;
	case PPP_CTL_IP_UP:
		ours.addr.v4.s_addr = msg->u.ip_up.local_address;
		peer.addr.v4.s_addr = msg->u.ip_up.peer_address;
		log_sanitize(ifname, sizeof(ifname), (const uint8_t *)msg->u.ip_up.ifname,
			     strnlen(msg->u.ip_up.ifname, sizeof(msg->u.ip_up.ifname)));
		/* ppp_ctl_parse admits only printable names that fit */
		memcpy(p->ifname, msg->u.ip_up.ifname, sizeof(p->ifname) - 1);
		p->ifname[sizeof(p->ifname) - 1] = '\0';
		log_msg(&p->lg, LOG_LEVEL_NOTICE, "link up on %s: %s <-> %s", ifname,
			netaddr_format_addr(&ours, a), netaddr_format_addr(&peer, b));
		break;
	case PPP_CTL_IP_DOWN:
		log_msg(&p->lg, LOG_LEVEL_INFO, "link down");
		break;
	default:
		log_msg(&p->lg, LOG_LEVEL_WARN, "unexpected message %d from the plugin", (int)msg->type);
		break;
	}
}

static void dl2tp_on_ppp_ctl(struct ev_fd *ev, uint32_t revents)
{
	struct dl2tp_ppp *p = container_of(ev, struct dl2tp_ppp, ctl_ev);

	for (;;) {
		uint8_t buf[PPP_CTL_MSG_MAX];
		struct ppp_ctl_msg msg;
		ssize_t n = recv(p->ctl_fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			ev_fd_del(p->l->d->loop, &p->ctl_ev);
			p->ctl_added = false;
			return;
		}
		enum ppp_ctl_verdict verdict = ppp_ctl_parse(buf, (size_t)n, &msg);

		if (verdict != PPP_CTL_OK) {
			log_msg(&p->lg, LOG_LEVEL_WARN, "malformed message from the plugin (%zd bytes): %s",
				n, ppp_ctl_verdict_text(verdict));
			continue;
		}
		dl2tp_ppp_ctl(p, &msg);
		util_wipe(&msg, sizeof(msg));
	}
}

static void dl2tp_on_ppp_kill_due(struct ev_timer *timer)
{
	struct dl2tp_ppp *p = container_of(timer, struct dl2tp_ppp, kill_timer);

	if (p->child.pid > 0) {
		log_msg(&p->lg, LOG_LEVEL_WARN, "pppd pid %d ignored SIGTERM; killing it",
			(int)p->child.pid);
		dl2tp_ppp_signal(p, SIGKILL);
	}
}

/* CDN result for a pppd that ended by itself (RFC 2661 §4.4.2). */
static uint16_t dl2tp_cdn_result(int status)
{
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? L2TP_CDN_RESULT_LOST_CARRIER
							     : L2TP_CDN_RESULT_ADMIN;
}

static void dl2tp_on_ppp_exit(struct ev_fd *ev, uint32_t revents)
{
	struct dl2tp_ppp *p = container_of(ev, struct dl2tp_ppp, pid_ev);
	struct daemon_l2tp *l = p->l;
	uint64_t seconds = (clock_now_ms(&l->d->clock) - p->started_ms) / 1000;
	char why[PPP_EXIT_TEXT_MAX];
	int status = 0, r = ppp_reap(&p->child, &status);

	if (r == 0)
		return;
	ev_fd_del(l->d->loop, &p->pid_ev);
	p->pid_added = false;
	p->child.pid = 0;
	if (p->log_added)
		dl2tp_ppp_log_drain(p);
	if (r < 0)
		snprintf(why, sizeof(why), "status unknown: %s", strerror(-r));
	else
		ppp_exit_format(status, why, sizeof(why));
	log_msg(&p->lg, LOG_LEVEL_NOTICE, "pppd exited (%s) after %llu s", why,
		(unsigned long long)seconds);
	dl2tp_ppp_release_address(p);
	if (p->session) {
		struct l2tp_session *s = p->session;

		/* The engine sends the CDN and calls session_close, which frees p. */
		l2tp_lns_session_disconnect(l->lns, s, dl2tp_cdn_result(status), 0, why);
		return;
	}
	dl2tp_ppp_free(p);
}

static void dl2tp_ppp_options(const struct conf *conf, struct pppd_options *o)
{
	memset(o, 0, sizeof(*o));
	o->pppd_path = conf->ppp_pppd;
	o->pppol2tp_plugin = "pppol2tp.so";
	o->plugin_path = conf->ppp_plugin;
	o->name = "l2tpsec";
	o->mtu = conf->ppp_mtu;
	o->mru = conf->ppp_mtu;
	o->local_address = conf->ppp_local.addr.v4;
	for (size_t i = 0; i < 2; i++) {
		if (conf->ppp_dns[i].family == AF_INET)
			o->dns[o->dns_count++] = conf->ppp_dns[i].addr.v4;
		if (conf->ppp_wins[i].family == AF_INET)
			o->wins[o->wins_count++] = conf->ppp_wins[i].addr.v4;
	}
	o->lcp_echo_interval = conf->ppp_lcp_echo_interval;
	o->lcp_echo_failure = conf->ppp_lcp_echo_failure;
	o->debug = conf->ppp_debug;
	o->pppol2tp_fd = PPP_SPAWN_FD_PPPOX;
	o->control_fd = PPP_SPAWN_FD_CONTROL;
}

/* The PPPoL2TP socket, the plugin's socketpair, the log pipe, and pppd with them. */
static int dl2tp_ppp_spawn(struct daemon_l2tp *l, struct dl2tp_ppp *p,
			   const struct l2tp_session_info *si, int tunnel_fd)
{
	const struct l2tp_tunnel_info *ti = si->tunnel;
	struct pppd_options options;
	struct pppd_argv argv;
	struct ppp_spawn_fds fds;
	int ctl[2] = { -1, -1 }, logp[2] = { -1, -1 }, pppox, err;

	dl2tp_ppp_options(l->d->conf, &options);
	options.tunnel_id = ti->tunnel_id;
	options.session_id = si->session_id;
	err = pppd_argv_build(&argv, &options);
	if (err < 0) {
		log_msg(&p->lg, LOG_LEVEL_ERR, "cannot build pppd's command line: %s", strerror(-err));
		return err;
	}
	pppox = kl2tp_pppox_socket(tunnel_fd, &ti->remote, ti->tunnel_id, si->session_id,
				   ti->peer_tunnel_id, si->peer_session_id);
	if (pppox < 0) {
		log_msg(&p->lg, LOG_LEVEL_ERR, "cannot connect a PPPoL2TP socket: %s",
			strerror(-pppox));
		return pppox;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ctl) < 0 ||
	    pipe2(logp, O_CLOEXEC) < 0 || fcntl(ctl[0], F_SETFL, O_NONBLOCK) < 0 ||
	    fcntl(logp[0], F_SETFL, O_NONBLOCK) < 0) {
		err = -errno;
		log_msg(&p->lg, LOG_LEVEL_ERR, "cannot make pppd's sockets: %s", strerror(-err));
		goto out;
	}
	fds.pppox = pppox;
	fds.control = ctl[1];
	fds.log = logp[1];
	err = ppp_spawn(argv.argv, &fds, &p->child);
	if (err == 0 && p->child.pidfd < 0) {
		dl2tp_ppp_signal(p, SIGKILL);
		waitpid(p->child.pid, NULL, 0);
		p->child.pid = 0;
		err = -ENOSYS;  /* pidfd_open: Linux 5.3 */
	}
	if (err < 0) {
		log_msg(&p->lg, LOG_LEVEL_ERR, "cannot start %s: %s", argv.argv[0], strerror(-err));
		goto out;
	}
	p->ctl_fd = ctl[0];
	p->log_fd = logp[0];
	ctl[0] = logp[0] = -1;
out:
	close(pppox);
	for (size_t i = 0; i < 2; i++) {
		if (ctl[i] >= 0)
			close(ctl[i]);
		if (logp[i] >= 0)
			close(logp[i]);
	}
	return err;
}

static int dl2tp_session_open(void *arg, void *tunnel_handle, struct l2tp_session *s,
			      void **handle)
{
	struct daemon_l2tp *l = dl2tp_of(arg);
	struct dl2tp_tunnel *t = tunnel_handle;
	const struct l2tp_session_info *si = l2tp_session_get_info(s);
	struct dl2tp_ppp *p = alloc_zero(sizeof(*p));
	int err;

	if (!p)
		return -ENOMEM;
	p->l = l;
	p->session = s;
	p->child.pidfd = p->ctl_fd = p->log_fd = -1;
	p->tunnel_id = si->tunnel->tunnel_id;
	p->session_id = si->session_id;
	p->tunnel = t;
	p->ses_serial = si->lg->serial;
	ev_timer_init(&p->kill_timer, dl2tp_on_ppp_kill_due);
	p->next = l->ppps;
	if (p->next)
		p->next->pprev = &p->next;
	p->pprev = &l->ppps;
	l->ppps = p;
	logger_init(&p->lg, l->d->log, si->lg, "ppp#");

	err = kl2tp_session_create(l->kl, p->tunnel_id, si->tunnel->peer_tunnel_id, p->session_id,
				   si->peer_session_id);
	if (err < 0) {
		log_msg(&p->lg, LOG_LEVEL_ERR, "kernel refused the L2TP session: %s%s%s",
			strerror(-err), kl2tp_last_error(l->kl)[0] ? ": " : "",
			kl2tp_last_error(l->kl));
		dl2tp_ppp_free(p);
		return err;
	}
	p->kernel_session = true;
	err = dl2tp_ppp_spawn(l, p, si, t->fd);
	if (err < 0)
		goto fail;
	p->started_ms = clock_now_ms(&l->d->clock);
	if ((err = ev_fd_add(l->d->loop, &p->pid_ev, p->child.pidfd, EPOLLIN, dl2tp_on_ppp_exit)) < 0 ||
	    (err = ev_fd_add(l->d->loop, &p->ctl_ev, p->ctl_fd, EPOLLIN, dl2tp_on_ppp_ctl)) < 0) {
		dl2tp_ppp_signal(p, SIGKILL);
		waitpid(p->child.pid, NULL, 0);
		p->child.pid = 0;
		goto fail;
	}
	p->pid_added = true;
	p->ctl_added = true;
	if (ev_fd_add(l->d->loop, &p->log_ev, p->log_fd, EPOLLIN, dl2tp_on_ppp_log) == 0)
		p->log_added = true;
	log_msg(&p->lg, LOG_LEVEL_INFO, "pppd pid %d started", (int)p->child.pid);
	*handle = p;
	return 0;

fail:
	dl2tp_ppp_kernel_session_delete(p);
	dl2tp_ppp_free(p);
	return err;
}

/* The user of an ending session was last seen now. */
static void dl2tp_seen_now(struct daemon_l2tp *l, const char *name)
{
	struct dl2tp_seen *bigger;

	for (size_t i = 0; i < l->seen_count; i++) {
		if (strcasecmp(l->seen[i].name, name) == 0) {
			l->seen[i].wall_ms = dl2tp_wall_ms(l);
			return;
		}
	}
	bigger = alloc_realloc_array(l->seen, l->seen_count + 1, sizeof(*l->seen));
	if (!bigger)
		return;
	l->seen = bigger;
	snprintf(l->seen[l->seen_count].name, sizeof(l->seen[0].name), "%s", name);
	l->seen[l->seen_count++].wall_ms = dl2tp_wall_ms(l);
}

static void dl2tp_session_close(void *arg, void *handle, const char *reason)
{
	struct dl2tp_ppp *p = handle;
	struct daemon_l2tp *l = dl2tp_of(arg);

	if (p->authenticated)
		dl2tp_seen_now(l, p->login);
	p->session = NULL;
	p->tunnel = NULL;
	dl2tp_ppp_kernel_session_delete(p);
	if (p->child.pid <= 0) {
		dl2tp_ppp_free(p);
		return;
	}
	log_msg(&p->lg, LOG_LEVEL_INFO, "stopping pppd pid %d: %s", (int)p->child.pid, reason);
	dl2tp_ppp_signal(p, SIGTERM);
	ev_timer_arm(l->d->loop, &p->kill_timer, DL2TP_PPPD_TERM_MS);
}

/* ------------------------------------------------------------------ start and stop */

static void dl2tp_users_enforce(struct daemon_l2tp *l);

struct dl2tp_users_file {
	struct daemon_l2tp *l;
	const char *path;
};

static void dl2tp_users_problem(void *arg, const struct users_problem *problem)
{
	const struct dl2tp_users_file *f = arg;

	log_msg(&f->l->d->lg, LOG_LEVEL_WARN, "users file %s, line %u: %s%s", f->path,
		problem->line, problem->reason,
		problem->severity == USERS_LINE_SKIPPED ? " (line skipped)" : "");
}

static void dl2tp_users_load(struct daemon_l2tp *l, const char *path)
{
	struct dl2tp_users_file f = { l, path };
	struct users *users = NULL;
	int err = users_load(path, dl2tp_users_problem, &f, &users);

	if (err < 0) {
		log_msg(&l->d->lg, LOG_LEVEL_ERR, "users file %s: %s%s", path, strerror(-err),
			l->users ? "; keeping the users read before" : "; nobody can log in");
		return;
	}
	users_free(l->users);
	l->users = users;
	log_msg(&l->d->lg, LOG_LEVEL_INFO, "users file %s: %zu users", path, users_count(users));
}

static void dl2tp_lns_conf(const struct conf *conf, struct l2tp_lns_conf *out)
{
	l2tp_lns_conf_default(out);
	out->hello_interval_ms = conf->l2tp_hello_ms;
	out->idle_timeout_ms = conf->l2tp_idle_ms;
	out->rel.max_retries = conf->l2tp_retries;
	out->max_tunnels = conf->l2tp_max_tunnels;
	out->max_sessions_per_tunnel = conf->l2tp_max_sessions_per_tunnel;
	out->debug_class = CONF_DEBUG_L2TP_FSM;
	out->rel.debug_class = CONF_DEBUG_L2TP_WIRE;
}

/* Waits (bounded) for every pppd to exit, then kills what is left. */
static void dl2tp_reap_all(struct daemon_l2tp *l)
{
	uint64_t until = clock_now_ms(&l->d->clock) + DL2TP_STOP_WAIT_MS;

	while (l->ppps) {
		struct dl2tp_ppp *p = l->ppps;

		if (p->child.pid > 0) {
			int status = 0, r = ppp_reap(&p->child, &status);
			char why[PPP_EXIT_TEXT_MAX];

			if (r == 0 && clock_now_ms(&l->d->clock) < until) {
				struct timespec ts = { 0, 20 * 1000 * 1000 };

				nanosleep(&ts, NULL);
				continue;
			}
			if (r == 0) {
				dl2tp_ppp_signal(p, SIGKILL);
				waitpid(p->child.pid, &status, 0);
			}
			if (p->log_added)
				dl2tp_ppp_log_drain(p);
			log_msg(&p->lg, LOG_LEVEL_INFO, "pppd pid %d ended: %s", (int)p->child.pid,
				ppp_exit_format(status, why, sizeof(why)));
			p->child.pid = 0;
		}
		dl2tp_ppp_free(p);
	}
}

static void dl2tp_free(struct daemon_l2tp *l)
{
	if (!l)
		return;
	l->stopping = true;
	ev_timer_cancel(l->d->loop, &l->close_children);
	l2tp_lns_free(l->lns);
	dl2tp_reap_all(l);
	if (l->listen_added)
		ev_fd_del(l->d->loop, &l->listen_ev);
	if (l->listen_fd >= 0)
		close(l->listen_fd);
	if (l->guard && kxfrm_l2tp_guard_del(l->kx, (uint16_t)l->d->conf->l2tp_port) < 0)
		log_msg(&l->d->lg, LOG_LEVEL_WARN, "removing the clear-L2TP guard policies failed");
	while (l->children) {
		struct dl2tp_child *c = l->children;

		l->children = c->next;
		alloc_free(c);
	}
	kl2tp_close(l->kl);
	ip_pool_free(l->pool);
	users_free(l->users);
	alloc_free(l->seen);
	mschapv2_crypto_free(l->mschap);
	alloc_free(l);
}

int daemon_l2tp_start(struct daemon *d)
{
	static const struct l2tp_lns_ops ops_template = {
		.tunnel_open = dl2tp_tunnel_open,
		.tunnel_send = dl2tp_tunnel_send,
		.tunnel_close = dl2tp_tunnel_close,
		.session_open = dl2tp_session_open,
		.session_close = dl2tp_session_close,
	};
	const struct conf *conf = d->conf;
	struct l2tp_lns_ops ops = ops_template;
	struct l2tp_lns_conf lns_conf;
	struct daemon_l2tp *l = alloc_zero(sizeof(*l));
	int err;

	if (!conf->l2tp_enabled) {
		log_msg(&d->lg, LOG_LEVEL_WARN, "l2tp.enabled is false: IKE only, no L2TP server");
		alloc_free(l);
		return 0;
	}
	if (!l)
		return -ENOMEM;
	l->d = d;
	l->listen_fd = -1;
	l->kx = daemon_ike_kxfrm(d);
	ev_timer_init(&l->close_children, dl2tp_on_close_children);
	log_ratelimit_init(&l->clear_rl, 1000, 10);
	err = kl2tp_open(&l->kl);
	if (err < 0) {
		log_msg(&d->lg, LOG_LEVEL_ERR,
			"cannot reach the kernel's L2TP netlink family: %s (try modprobe l2tp_netlink l2tp_ppp)",
			strerror(-err));
		goto err;
	}
	err = mschapv2_crypto_new(&l->mschap);
	if (err < 0) {
		log_msg(&d->lg, LOG_LEVEL_ERR, "cannot set up MS-CHAPv2 (OpenSSL legacy provider for MD4): %s",
			strerror(-err));
		goto err;
	}
	err = ip_pool_new(conf->ppp_pool_first.addr.v4, conf->ppp_pool_last.addr.v4, &l->pool);
	if (err < 0)
		goto err;
	dl2tp_users_load(l, conf->users_file);
	if (!conf->l2tp_allow_clear) {
		err = l->kx ? kxfrm_l2tp_guard_add(l->kx, (uint16_t)conf->l2tp_port) : -ENOTCONN;
		if (err < 0) {
			log_msg(&d->lg, LOG_LEVEL_ERR,
				"cannot install the policies that keep L2TP inside IPsec: %s",
				strerror(-err));
			goto err;
		}
		l->guard = true;
	} else {
		log_msg(&d->lg, LOG_LEVEL_WARN,
			"l2tp.allow_clear is on: L2TP without IPsec is accepted (for tests only)");
	}
	dl2tp_lns_conf(conf, &lns_conf);
	ops.arg = l;
	l->lns = l2tp_lns_new(d->loop, d->log, &lns_conf, &ops);
	if (!l->lns) {
		err = errno == EINVAL ? -EINVAL : -ENOMEM;
		log_msg(&d->lg, LOG_LEVEL_ERR, "cannot start the L2TP engine: %s", strerror(-err));
		goto err;
	}
	l->listen_fd = kl2tp_listen_socket((uint16_t)conf->l2tp_port);
	if (l->listen_fd < 0) {
		err = l->listen_fd;
		log_msg(&d->lg, LOG_LEVEL_ERR, "cannot listen on UDP %u: %s", conf->l2tp_port,
			strerror(-err));
		goto err;
	}
	err = ev_fd_add(d->loop, &l->listen_ev, l->listen_fd, EPOLLIN, dl2tp_on_listen_readable);
	if (err < 0)
		goto err;
	l->listen_added = true;
	if (access("/dev/ppp", R_OK | W_OK) < 0)
		log_msg(&d->lg, LOG_LEVEL_WARN, "/dev/ppp: %s: pppd will fail (try modprobe ppp_generic)",
			strerror(errno));
	log_msg(&d->lg, LOG_LEVEL_NOTICE, "listening for L2TP on UDP %u (inside IPsec%s)",
		conf->l2tp_port, conf->l2tp_allow_clear ? " or in the clear" : " only");
	d->l2tp = l;
	return 0;

err:
	dl2tp_free(l);
	return err;
}

void daemon_l2tp_reload(struct daemon *d, const struct conf *old_conf, const struct conf *conf)
{
	struct daemon_l2tp *l = d->l2tp;
	struct l2tp_lns_conf lns_conf;

	if (!l)
		return;
	dl2tp_users_load(l, conf->users_file);
	dl2tp_users_enforce(l);
	dl2tp_lns_conf(conf, &lns_conf);
	if (l2tp_lns_conf_update(l->lns, &lns_conf) < 0)
		log_msg(&d->lg, LOG_LEVEL_ERR, "the L2TP engine refused the new settings; keeping its own");
	if (old_conf->l2tp_port != conf->l2tp_port || old_conf->l2tp_allow_clear != conf->l2tp_allow_clear ||
	    !netaddr_equal(&old_conf->ppp_pool_first, &conf->ppp_pool_first) ||
	    !netaddr_equal(&old_conf->ppp_pool_last, &conf->ppp_pool_last))
		log_msg(&d->lg, LOG_LEVEL_NOTICE,
			"l2tp.port, l2tp.allow_clear and ppp.pool take effect at the next start");
}

void daemon_l2tp_stop(struct daemon *d)
{
	struct daemon_l2tp *l = d->l2tp;

	if (!l)
		return;
	l->stopping = true;
	l2tp_lns_shutdown(l->lns);
	dl2tp_free(l);
	d->l2tp = NULL;
}

/* ------------------------------------------------------------------ the control socket */

static struct dl2tp_child *dl2tp_child_of_ppp(struct daemon_l2tp *l, const struct dl2tp_ppp *p)
{
	return p->tunnel ? dl2tp_child_by_mark(l, p->tunnel->mark) : NULL;
}

/* "#5 tun#1 ses#1 ppp#1" and its parts, for l2tpsecctl. */
static void dl2tp_ctl_serials(struct ctl_out *o, const struct dl2tp_ppp *p,
			      const struct dl2tp_child *c)
{
	ctl_out_str(o, "chain", p->lg.prefix);
	ctl_out_u64(o, "isakmp_sa", c ? c->parent_serial : 0);
	ctl_out_u64(o, "ipsec_sa", c ? c->serial : 0);
	ctl_out_u64(o, "tunnel", p->tunnel ? p->tunnel->info->lg->serial : 0);
	ctl_out_u64(o, "session", p->ses_serial);
	ctl_out_u64(o, "ppp", p->lg.serial);
}

void daemon_l2tp_ctl_status(struct daemon *d, struct ctl_out *o)
{
	struct daemon_l2tp *l = d->l2tp;

	for (const struct dl2tp_ppp *p = l ? l->ppps : NULL; p; p = p->next) {
		const struct dl2tp_child *c = dl2tp_child_of_ppp(l, p);
		struct netaddr address = { .family = AF_INET };
		struct kl2tp_stats stats = { 0 };
		struct ike_sa_view sa;
		bool have_sa = c && daemon_ike_sa_view(d, c->parent_serial, &sa);

		if (!p->authenticated || !p->session)
			continue;
		address.addr.v4.s_addr = p->address;
		if (kl2tp_session_stats(l->kl, p->tunnel_id, p->session_id, &stats) < 0)
			memset(&stats, 0, sizeof(stats));   /* shown as 0: the session is going */
		ctl_out_record(o);
		ctl_out_str(o, "user", p->login);
		ctl_out_addr(o, "address", &address);
		ctl_out_addr(o, "peer", have_sa ? &sa.remote : &p->tunnel->remote);
		ctl_out_str(o, "nat", have_sa && sa.nat_peer ? "yes" : "no");
		ctl_out_str(o, "client", have_sa ? sa.client : "other");
		ctl_out_time(o, "since", p->since_wall_ms);
		ctl_out_u64(o, "bytes_in", stats.rx_bytes);
		ctl_out_u64(o, "bytes_out", stats.tx_bytes);
		ctl_out_str(o, "interface", p->ifname);
		dl2tp_ctl_serials(o, p, c);
	}
}

void daemon_l2tp_ctl_tunnels(struct daemon *d, struct ctl_out *o)
{
	struct daemon_l2tp *l = d->l2tp;

	for (const struct dl2tp_tunnel *t = l ? l->tunnels : NULL; t; t = t->next) {
		const struct dl2tp_child *c = dl2tp_child_by_mark(l, t->mark);
		unsigned sessions = 0;

		for (const struct dl2tp_ppp *p = l->ppps; p; p = p->next)
			sessions += p->tunnel == t;
		ctl_out_record(o);
		ctl_out_u64(o, "serial", t->info->lg->serial);
		ctl_out_str(o, "chain", t->info->lg->prefix);
		ctl_out_u64(o, "ipsec_sa", c ? c->serial : 0);
		ctl_out_u64(o, "tunnel_id", t->tunnel_id);
		ctl_out_u64(o, "peer_tunnel_id", t->peer_tunnel_id);
		ctl_out_addr(o, "peer", &t->remote);
		ctl_out_str(o, "host", t->info->peer_host_name);
		ctl_out_str(o, "vendor", t->info->peer_vendor_name);
		ctl_out_u64(o, "sessions", sessions);
		ctl_out_time(o, "since", t->opened_wall_ms);
	}
}

void daemon_l2tp_ctl_sessions(struct daemon *d, struct ctl_out *o)
{
	struct daemon_l2tp *l = d->l2tp;

	for (const struct dl2tp_ppp *p = l ? l->ppps : NULL; p; p = p->next) {
		struct netaddr address = { .family = AF_INET };

		if (!p->session)
			continue;
		address.addr.v4.s_addr = p->address;
		ctl_out_record(o);
		dl2tp_ctl_serials(o, p, dl2tp_child_of_ppp(l, p));
		ctl_out_u64(o, "tunnel_id", p->tunnel_id);
		ctl_out_u64(o, "session_id", p->session_id);
		ctl_out_u64(o, "pppd_pid", (uint64_t)(p->child.pid > 0 ? p->child.pid : 0));
		ctl_out_str(o, "user", p->authenticated ? p->login : "");
		ctl_out_addr(o, "address", p->address ? &address : &(struct netaddr){ 0 });
		ctl_out_str(o, "interface", p->ifname);
		ctl_out_time(o, "since", p->since_wall_ms);
	}
}

void daemon_l2tp_ctl_users(struct daemon *d, struct ctl_out *o)
{
	struct daemon_l2tp *l = d->l2tp;
	size_t count = l && l->users ? users_count(l->users) : 0;

	for (size_t i = 0; i < count; i++) {
		const struct users_entry *u = users_at(l->users, i);
		struct netaddr address = { .family = AF_INET };
		unsigned sessions = 0;
		uint64_t seen = 0;

		for (const struct dl2tp_ppp *p = l->ppps; p; p = p->next) {
			if (p->session && p->authenticated && strcasecmp(p->login, u->name) == 0) {
				sessions++;
				address.addr.v4.s_addr = p->address;
			}
		}
		for (size_t k = 0; k < l->seen_count; k++)
			if (strcasecmp(l->seen[k].name, u->name) == 0)
				seen = l->seen[k].wall_ms;
		ctl_out_record(o);
		ctl_out_str(o, "name", u->name);
		ctl_out_str(o, "connected", sessions ? "yes" : "no");
		ctl_out_u64(o, "sessions", sessions);
		ctl_out_addr(o, "address", sessions ? &address : &(struct netaddr){ 0 });
		ctl_out_time(o, "last_seen", sessions ? dl2tp_wall_ms(l) : seen);
	}
}

/*
 * Ends one session for the admin (or a users-file change) the way a client would want to
 * be told: CDN, then StopCCN when its tunnel carries nothing else, and once the tunnel has
 * closed, its IPsec SA with Deletes (tunnel_close sees close_after_tunnel).
 */
static void dl2tp_kill(struct daemon_l2tp *l, struct dl2tp_ppp *p, const char *why)
{
	struct dl2tp_child *c = dl2tp_child_of_ppp(l, p);
	struct dl2tp_tunnel *t = p->tunnel;
	uint16_t tunnel_id = p->tunnel_id;
	bool others = false;

	log_msg(&p->lg, LOG_LEVEL_NOTICE, "user \"%s\": session ended: %s", p->user, why);
	p->killing = true;
	if (c)
		c->close_after_tunnel = true;
	l2tp_lns_session_disconnect(l->lns, p->session, L2TP_CDN_RESULT_ADMIN, 0, why);
	/* p may be gone now */
	for (const struct dl2tp_ppp *q = l->ppps; q; q = q->next)
		others |= q->tunnel == t && q->session;
	if (!others)
		(void)l2tp_lns_tunnel_stop(l->lns, tunnel_id, L2TP_STOPCCN_RESULT_CLEAR, why);
}

/* Every live session matching: a user name, or "#N" (its IPsec or ISAKMP SA). */
static size_t dl2tp_kill_matching(struct daemon_l2tp *l, const char *what, const char *why,
				  struct ctl_out *o)
{
	uint64_t serial = 0;
	size_t killed = 0;
	bool by_serial = what[0] == '#';

	if (by_serial) {
		char *end;

		serial = strtoull(what + 1, &end, 10);
		if (!what[1] || *end || !serial)
			return 0;
	}
	for (bool again = true; again;) {
		again = false;
		for (struct dl2tp_ppp *p = l->ppps; p; p = p->next) {
			const struct dl2tp_child *c = dl2tp_child_of_ppp(l, p);

			if (!p->session || p->killing)
				continue;
			if (by_serial ? !(c && (c->serial == serial || c->parent_serial == serial))
				      : !(p->authenticated && strcasecmp(p->login, what) == 0))
				continue;
			if (o) {
				ctl_out_record(o);
				ctl_out_str(o, "user", p->authenticated ? p->login : "");
				dl2tp_ctl_serials(o, p, c);
			}
			dl2tp_kill(l, p, why);
			killed++;
			again = true;   /* the list may have changed under us */
			break;
		}
	}
	return killed;
}

void daemon_l2tp_ctl_kill(struct daemon *d, const char *what, struct ctl_out *o)
{
	struct daemon_l2tp *l = d->l2tp;

	if (!l) {
		ctl_out_error(o, "the L2TP server is not running (l2tp.enabled is false)");
		return;
	}
	if (dl2tp_kill_matching(l, what, "ended by the administrator", o) == 0)
		ctl_out_error(o, "no session of %s", what);
}

/* After the users file was read again: deleted or disabled users lose their sessions. */
static void dl2tp_users_enforce(struct daemon_l2tp *l)
{
	if (!l->d->conf->users_end_sessions)
		return;
	for (bool again = true; again;) {
		again = false;
		for (struct dl2tp_ppp *p = l->ppps; p; p = p->next) {
			const struct users_entry *u;

			if (!p->session || !p->authenticated || p->killing)
				continue;
			u = l->users ? users_find(l->users, p->login, strlen(p->login)) : NULL;
			if (u && u->enabled)
				continue;
			dl2tp_kill(l, p, u ? "the user was disabled" : "the user was deleted");
			again = true;
			break;
		}
	}
}

void daemon_l2tp_ctl_reload_users(struct daemon *d, struct ctl_out *o)
{
	struct daemon_l2tp *l = d->l2tp;

	if (!l) {
		ctl_out_error(o, "the L2TP server is not running (l2tp.enabled is false)");
		return;
	}
	dl2tp_users_load(l, d->conf->users_file);
	dl2tp_users_enforce(l);
	ctl_out_record(o);
	ctl_out_u64(o, "users", l->users ? users_count(l->users) : 0);
}
