/*
 * daemon_ike.c - the IKE engine's ops, sockets, kernel events and keepalives.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>

#include <stdio.h>

#include "daemon/ctl_socket.h"
#include "daemon/daemon.h"
#include "daemon/daemon_ike.h"
#include "daemon/daemon_l2tp.h"
#include "daemon/ike_kernel.h"
#include "daemon/ike_socket.h"
#include "daemon/kernel_xfrm.h"
#include "ike/ike_crypto.h"
#include "ike/ike_engine.h"
#include "lib/alloc.h"
#include "lib/workq.h"

struct daemon_ike {
	struct daemon *d;
	struct ike_crypto *crypto;
	struct workq *workq;
	struct kxfrm *kx;
	struct ike_kernel *kernel;
	struct ike_engine *engine;
	struct ike_socket_set *sockets;
	struct ev_fd kernel_events;
	bool kernel_events_added;
	struct ev_timer keepalive;
	unsigned keepalive_ms;
	bool no_kernel;                 /* ike.bench_no_kernel: the kernel ops only pretend */
	uint32_t bench_next_spi;
};

/* ------------------------------------------------------------------ engine ops */

static void daemon_ike_send(void *arg, const struct netaddr *local, const struct netaddr *remote,
			    const uint8_t *msg, size_t len)
{
	struct daemon_ike *ike = arg;
	int err = ike_socket_send(ike->sockets, local, remote, msg, len);

	if (err < 0) {
		char to[NETADDR_STRLEN];

		log_dbg(&ike->d->lg, CONF_DEBUG_IKE_WIRE, "sending to %s failed: %s",
			netaddr_format(remote, to), strerror(-err));
	}
}

static int daemon_ike_spi_alloc(void *arg, const struct netaddr *local, const struct netaddr *remote,
				uint32_t reqid, uint32_t *spi)
{
	struct daemon_ike *ike = arg;

	if (ike->no_kernel) {
		/* Benchmarks only: a counter in the range of SPIs the kernel may hand out. */
		*spi = 0x10000000u + (ike->bench_next_spi++ & 0x0fffffffu);
		return 0;
	}
	return ike_kernel_spi_alloc(ike->kernel, local, remote, reqid, spi);
}

static int daemon_ike_child_install(void *arg, const struct ike_child_sa_params *child)
{
	struct daemon_ike *ike = arg;

	return ike->no_kernel ? 0 : ike_kernel_child_install(ike->kernel, child);
}

static void daemon_ike_child_remove(void *arg, const struct ike_child_sa_params *child)
{
	struct daemon_ike *ike = arg;

	if (!ike->no_kernel)
		ike_kernel_child_remove(ike->kernel, child);
}

static void daemon_ike_child_up(void *arg, const struct ike_child_sa_params *child)
{
	struct daemon_ike *ike = arg;

	daemon_l2tp_child_up(ike->d, child);
}

static void daemon_ike_child_down(void *arg, uint64_t serial, const char *reason)
{
	struct daemon_ike *ike = arg;

	daemon_l2tp_child_down(ike->d, serial, reason);
}

/* ------------------------------------------------------------------ events */

static void daemon_ike_on_datagram(void *arg, const struct netaddr *local,
				   const struct netaddr *remote, const uint8_t *msg, size_t len)
{
	struct daemon_ike *ike = arg;

	ike_engine_recv(ike->engine, local, remote, msg, len);
}

static void daemon_ike_on_expire(void *arg, const struct kxfrm_expire *e)
{
	struct daemon_ike *ike = arg;

	ike_engine_kernel_expire(ike->engine, e->spi, e->hard);
}

static void daemon_ike_on_kernel_event(struct ev_fd *ev, uint32_t revents)
{
	struct daemon_ike *ike = container_of(ev, struct daemon_ike, kernel_events);
	int err = kxfrm_events_read(ike->kx, daemon_ike_on_expire, ike);

	if (err < 0)
		log_msg(&ike->d->lg, LOG_LEVEL_WARN, "reading kernel IPsec events failed: %s",
			strerror(-err));
}

static void daemon_ike_keepalive_one(void *arg, const struct ike_natt_peer *peer)
{
	struct daemon_ike *ike = arg;

	if (ike_socket_send_keepalive(ike->sockets, &peer->local, &peer->remote) < 0)
		log_dbg(&ike->d->lg, CONF_DEBUG_IKE_WIRE, "NAT keepalive to #%llu failed",
			(unsigned long long)peer->serial);
}

/* RFC 3948 §2.3: keep the client's NAT mapping for UDP 4500 open. */
static void daemon_ike_on_keepalive_due(struct ev_timer *t)
{
	struct daemon_ike *ike = container_of(t, struct daemon_ike, keepalive);

	ike_engine_natt_peers(ike->engine, daemon_ike_keepalive_one, ike);
	if (ike->keepalive_ms)
		ev_timer_arm(ike->d->loop, &ike->keepalive, ike->keepalive_ms);
}

/* ------------------------------------------------------------------ start and stop */

static void daemon_ike_flush(struct daemon_ike *ike, const char *when)
{
	unsigned sas = 0, policies = 0;
	int err = kxfrm_flush_ours(ike->kx, &sas, &policies);

	if (err < 0)
		log_msg(&ike->d->lg, LOG_LEVEL_ERR, "%s: cannot remove our IPsec state: %s%s%s", when,
			strerror(-err), kxfrm_error_text(ike->kx)[0] ? ": " : "",
			kxfrm_error_text(ike->kx));
	else if (sas || policies)
		log_msg(&ike->d->lg, LOG_LEVEL_NOTICE, "%s: removed %u IPsec SAs and %u policies of ours",
			when, sas, policies);
}

static void daemon_ike_free(struct daemon_ike *ike)
{
	if (!ike)
		return;
	ev_timer_cancel(ike->d->loop, &ike->keepalive);
	ike_socket_close(ike->sockets);
	ike_engine_free(ike->engine);
	if (ike->kernel_events_added)
		ev_fd_del(ike->d->loop, &ike->kernel_events);
	if (ike->kx)
		daemon_ike_flush(ike, "stop");
	ike_kernel_free(ike->kernel);
	kxfrm_close(ike->kx);
	workq_free(ike->workq);
	ike_crypto_free(ike->crypto);
	alloc_free(ike);
}

static int daemon_ike_open_kernel(struct daemon_ike *ike)
{
	int fd;

	ike->kx = kxfrm_open();
	if (!ike->kx) {
		log_msg(&ike->d->lg, LOG_LEVEL_ERR,
			"cannot open XFRM netlink (kernel module xfrm_user: try modprobe xfrm_user)");
		return -EPROTONOSUPPORT;
	}
	daemon_ike_flush(ike, "start");
	ike->kernel = ike_kernel_new(ike->kx, ike->d->log);
	if (!ike->kernel)
		return -ENOMEM;
	fd = kxfrm_events_open(ike->kx);
	if (fd < 0) {
		log_msg(&ike->d->lg, LOG_LEVEL_ERR, "cannot listen to kernel IPsec events: %s",
			strerror(-fd));
		return fd;
	}
	fd = ev_fd_add(ike->d->loop, &ike->kernel_events, fd, EPOLLIN, daemon_ike_on_kernel_event);
	if (fd < 0)
		return fd;
	ike->kernel_events_added = true;
	return 0;
}

int daemon_ike_start(struct daemon *d)
{
	static const struct ike_engine_ops ops_template = {
		.send = daemon_ike_send,
		.spi_alloc = daemon_ike_spi_alloc,
		.child_install = daemon_ike_child_install,
		.child_remove = daemon_ike_child_remove,
		.child_up = daemon_ike_child_up,
		.child_down = daemon_ike_child_down,
	};
	struct ike_engine_ops ops = ops_template;
	struct daemon_ike *ike = alloc_zero(sizeof(*ike));
	const struct conf *conf = d->conf;
	char where[NETADDR_STRLEN];
	int err = -ENOMEM;

	if (!ike)
		return -ENOMEM;
	ike->d = d;
	ev_timer_init(&ike->keepalive, daemon_ike_on_keepalive_due);
	ike->crypto = ike_crypto_new();
	ike->workq = ike->crypto ? workq_new(d->loop, 0) : NULL;
	if (!ike->workq) {
		log_msg(&d->lg, LOG_LEVEL_ERR, "cannot set up the IKE crypto and worker threads");
		goto err;
	}
	ike->no_kernel = conf->ike_bench_no_kernel;
	if (ike->no_kernel) {
		log_msg(&d->lg, LOG_LEVEL_WARN,
			"ike.bench_no_kernel is on: benchmarks only, no IPsec SA or policy reaches the "
			"kernel and no client can send traffic");
	} else {
		err = daemon_ike_open_kernel(ike);
		if (err < 0)
			goto err;
	}
	ops.arg = ike;
	ike->engine = ike_engine_new(d->loop, d->log, ike->crypto, ike->workq, &conf->ike, &ops);
	if (!ike->engine) {
		log_msg(&d->lg, LOG_LEVEL_ERR, "cannot start the IKE engine");
		err = -ENOMEM;
		goto err;
	}
	ike->sockets = ike_socket_open(d->loop, &d->lg, &conf->ike_listen, (uint16_t)conf->ike_port,
				       (uint16_t)conf->ike_natt_port, daemon_ike_on_datagram, ike);
	if (!ike->sockets) {
		err = -errno;
		log_msg(&d->lg, LOG_LEVEL_ERR, "cannot listen on UDP %u and %u: %s", conf->ike_port,
			conf->ike_natt_port, strerror(errno));
		goto err;
	}
	ike->keepalive_ms = conf->ike.natt_keepalive_ms;
	if (ike->keepalive_ms)
		ev_timer_arm(d->loop, &ike->keepalive, ike->keepalive_ms);
	log_msg(&d->lg, LOG_LEVEL_NOTICE, "listening for IKE on %s, UDP %u and %u",
		conf->ike_listen.family ? netaddr_format_addr(&conf->ike_listen, where) : "every address",
		conf->ike_port, conf->ike_natt_port);
	d->ike = ike;
	return 0;

err:
	daemon_ike_free(ike);
	return err;
}

void daemon_ike_reload(struct daemon *d, const struct conf *old_conf, const struct conf *conf)
{
	struct daemon_ike *ike = d->ike;

	if (!ike)
		return;
	if (ike_engine_conf_update(ike->engine, &conf->ike) < 0)
		log_msg(&d->lg, LOG_LEVEL_ERR, "the IKE engine refused the new settings; keeping its own");
	bool same_listen = old_conf->ike_listen.family == conf->ike_listen.family &&
			   (conf->ike_listen.family == AF_UNSPEC ||
			    netaddr_same_addr(&old_conf->ike_listen, &conf->ike_listen));

	if (!same_listen ||
	    old_conf->ike_port != conf->ike_port || old_conf->ike_natt_port != conf->ike_natt_port)
		log_msg(&d->lg, LOG_LEVEL_NOTICE,
			"ike.listen/port/natt_port changed: the new sockets take effect at the next start");
	if (conf->ike.natt_keepalive_ms != ike->keepalive_ms) {
		ike->keepalive_ms = conf->ike.natt_keepalive_ms;
		if (ike->keepalive_ms)
			ev_timer_arm(d->loop, &ike->keepalive, ike->keepalive_ms);
		else
			ev_timer_cancel(d->loop, &ike->keepalive);
	}
}

int daemon_ike_child_close(struct daemon *d, uint32_t spi_in, const char *reason)
{
	return d->ike ? ike_engine_child_close(d->ike->engine, spi_in, reason) : -ENOENT;
}

bool daemon_ike_sa_view(struct daemon *d, uint64_t serial, struct ike_sa_view *out)
{
	return d->ike && ike_engine_sa_view(d->ike->engine, serial, out);
}

static void daemon_ike_ctl_sa(void *arg, const struct ike_sa_view *v)
{
	struct ctl_out *o = arg;

	ctl_out_record(o);
	ctl_out_str(o, "kind", "isakmp");
	ctl_out_u64(o, "serial", v->serial);
	ctl_out_str(o, "state", v->state);
	ctl_out_addr(o, "local", &v->local);
	ctl_out_addr(o, "peer", &v->remote);
	ctl_out_str(o, "nat", v->nat_peer ? "yes" : "no");
	ctl_out_str(o, "natt", v->natt_method);
	ctl_out_str(o, "client", v->client);
	ctl_out_str(o, "cipher", v->cipher ? v->cipher : "");
	ctl_out_str(o, "hash", v->hash ? v->hash : "");
	ctl_out_str(o, "group", v->group ? v->group : "");
	ctl_out_u64(o, "children", v->children);
	ctl_out_u64(o, "age_s", v->age_ms / 1000);
}

static void daemon_ike_ctl_child(void *arg, const struct ike_child_view *v)
{
	struct ctl_out *o = arg;
	char spi[16];

	ctl_out_record(o);
	ctl_out_str(o, "kind", "ipsec");
	ctl_out_u64(o, "serial", v->serial);
	ctl_out_u64(o, "parent", v->parent_serial);
	ctl_out_str(o, "state", v->state);
	ctl_out_addr(o, "local", &v->local);
	ctl_out_addr(o, "peer", &v->remote);
	snprintf(spi, sizeof(spi), "0x%08x", v->spi_in);
	ctl_out_str(o, "spi_in", spi);
	snprintf(spi, sizeof(spi), "0x%08x", v->spi_out);
	ctl_out_str(o, "spi_out", spi);
	ctl_out_str(o, "encap", v->encap ? "espinudp" : "esp");
	ctl_out_str(o, "cipher", v->cipher ? v->cipher : "");
	ctl_out_str(o, "integrity", v->integ ? v->integ : "");
	ctl_out_u64(o, "lifetime_s", v->lifetime_seconds);
	ctl_out_u64(o, "age_s", v->age_ms / 1000);
}

void daemon_ike_ctl_show_sa(struct daemon *d, struct ctl_out *o)
{
	if (d->ike)
		ike_engine_walk(d->ike->engine, daemon_ike_ctl_sa, daemon_ike_ctl_child, o);
}

struct kxfrm *daemon_ike_kxfrm(struct daemon *d)
{
	return d->ike ? d->ike->kx : NULL;
}

void daemon_ike_stop(struct daemon *d)
{
	if (!d->ike)
		return;
	ike_engine_shutdown(d->ike->engine);
	daemon_ike_free(d->ike);
	d->ike = NULL;
}
