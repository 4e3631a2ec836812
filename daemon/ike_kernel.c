/*
 * ike_kernel.c - IPsec SA pairs and counted policies for the IKE engine.
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "daemon/ike_kernel.h"
#include "lib/alloc.h"

#define IKE_KERNEL_BUCKETS 1024         /* power of two */

/* One installed policy pair, shared by the children that protect the same flow. */
struct ike_kernel_policy {
	struct ike_kernel_policy *next;
	struct kxfrm_flow flow;
	uint32_t mark;
	uint32_t reqid;
	unsigned users;
};

struct ike_kernel {
	struct kxfrm *kx;
	struct log_ctx *log;
	size_t policies;
	struct ike_kernel_policy *buckets[IKE_KERNEL_BUCKETS];
};

struct ike_kernel *ike_kernel_new(struct kxfrm *kx, struct log_ctx *log)
{
	struct ike_kernel *k = alloc_zero(sizeof(*k));

	if (!k)
		return NULL;
	k->kx = kx;
	k->log = log;
	return k;
}

void ike_kernel_free(struct ike_kernel *k)
{
	if (!k)
		return;
	for (size_t i = 0; i < IKE_KERNEL_BUCKETS; i++) {
		while (k->buckets[i]) {
			struct ike_kernel_policy *p = k->buckets[i];

			k->buckets[i] = p->next;
			alloc_free(p);
		}
	}
	alloc_free(k);
}

size_t ike_kernel_policy_count(const struct ike_kernel *k)
{
	return k->policies;
}

/* The child's own logger ("#5"), for the lines about its kernel state. */
static void ike_kernel_logger(const struct ike_kernel *k, uint64_t serial, struct logger *lg)
{
	logger_init_fixed(lg, k->log, NULL, "#", serial);
}

static void ike_kernel_log_refusal(const struct ike_kernel *k, uint64_t serial, const char *what,
				   int err)
{
	struct logger lg;
	const char *why = kxfrm_error_text(k->kx);

	ike_kernel_logger(k, serial, &lg);
	log_msg(&lg, LOG_LEVEL_ERR, "kernel refused %s: %s%s%s", what, strerror(-err),
		why[0] ? ": " : "", why);
}

static void ike_kernel_flow(const struct ike_child_sa_params *child, struct kxfrm_flow *flow)
{
	memset(flow, 0, sizeof(*flow));
	flow->local = child->local;
	flow->local.port = child->local_l2tp_port;
	flow->remote = child->remote;
	flow->remote.port = child->remote_l2tp_port;
	flow->protocol = IPPROTO_UDP;
}

static size_t ike_kernel_bucket(const struct kxfrm_flow *flow, uint32_t mark)
{
	return (netaddr_hash(&flow->remote, mark) ^ netaddr_hash(&flow->local, 0)) &
	       (IKE_KERNEL_BUCKETS - 1);
}

static struct ike_kernel_policy **ike_kernel_policy_find(struct ike_kernel *k,
							 const struct kxfrm_flow *flow, uint32_t mark)
{
	struct ike_kernel_policy **link = &k->buckets[ike_kernel_bucket(flow, mark)];

	for (; *link; link = &(*link)->next) {
		const struct ike_kernel_policy *p = *link;

		if (p->mark == mark && netaddr_equal(&p->flow.local, &flow->local) &&
		    netaddr_equal(&p->flow.remote, &flow->remote))
			return link;
	}
	return link;
}

/* Takes a reference on the flow's policy pair, installing it first if new. */
static int ike_kernel_policy_hold(struct ike_kernel *k, const struct kxfrm_flow *flow,
				  uint32_t mark, uint32_t reqid)
{
	struct ike_kernel_policy **link = ike_kernel_policy_find(k, flow, mark);
	struct ike_kernel_policy *p = *link;
	int err;

	if (p) {
		p->users++;
		return 0;
	}
	p = alloc_zero(sizeof(*p));
	if (!p)
		return -ENOMEM;
	err = kxfrm_policies_add(k->kx, flow, reqid, mark);
	if (err < 0) {
		alloc_free(p);
		return err;
	}
	p->flow = *flow;
	p->mark = mark;
	p->reqid = reqid;
	p->users = 1;
	*link = p;
	k->policies++;
	return 0;
}

/* Drops a reference; the last one removes the pair from the kernel. */
static int ike_kernel_policy_release(struct ike_kernel *k, const struct kxfrm_flow *flow,
				     uint32_t mark)
{
	struct ike_kernel_policy **link = ike_kernel_policy_find(k, flow, mark);
	struct ike_kernel_policy *p = *link;

	if (!p || --p->users > 0)
		return 0;
	*link = p->next;
	k->policies--;
	alloc_free(p);
	return kxfrm_policies_del(k->kx, flow, mark);
}

int ike_kernel_spi_alloc(void *arg, const struct netaddr *local, const struct netaddr *remote,
			 uint32_t reqid, uint32_t *spi)
{
	struct ike_kernel *k = arg;
	int err = kxfrm_spi_alloc(k->kx, local, remote, reqid, spi);

	if (err < 0) {
		struct logger lg;
		const char *why = kxfrm_error_text(k->kx);

		logger_init_root(&lg, k->log, "");
		log_msg(&lg, LOG_LEVEL_ERR, "kernel refused an SPI: %s%s%s", strerror(-err),
			why[0] ? ": " : "", why);
	}
	return err;
}

static void ike_kernel_sa_fill(const struct ike_child_sa_params *child, bool inbound,
			       struct kxfrm_sa *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->inbound = inbound;
	sa->update = inbound;           /* the larval SA ALLOCSPI made */
	sa->spi = inbound ? child->spi_in : child->spi_out;
	sa->reqid = child->reqid;
	sa->mark = child->reqid;
	ike_kernel_flow(child, &sa->flow);
	sa->cipher_name = child->cipher_name;
	sa->cipher_key_len = child->cipher_key_len;
	memcpy(sa->cipher_key, inbound ? child->cipher_key_in : child->cipher_key_out,
	       child->cipher_key_len);
	sa->integ_name = child->integ_name;
	sa->integ_key_len = child->integ_key_len;
	memcpy(sa->integ_key, inbound ? child->integ_key_in : child->integ_key_out,
	       child->integ_key_len);
	sa->integ_trunc_bits = child->integ_trunc_bits;
	sa->encap = child->encap;
	sa->encap_local_port = child->local.port;
	sa->encap_remote_port = child->remote.port;
	sa->hard_seconds = child->lifetime_seconds;
	sa->hard_bytes = child->lifetime_kilobytes * 1024;
}

int ike_kernel_child_install(void *arg, const struct ike_child_sa_params *child)
{
	struct ike_kernel *k = arg;
	struct kxfrm_flow flow;
	struct kxfrm_sa sa;
	int err;

	if (child->cipher_key_len > KXFRM_KEY_MAX || child->integ_key_len > KXFRM_KEY_MAX)
		return -EINVAL;
	ike_kernel_flow(child, &flow);
	ike_kernel_sa_fill(child, true, &sa);
	err = kxfrm_sa_add(k->kx, &sa);
	if (err < 0) {
		ike_kernel_log_refusal(k, child->serial, "the inbound SA", err);
		goto err_wipe;
	}
	ike_kernel_sa_fill(child, false, &sa);
	err = kxfrm_sa_add(k->kx, &sa);
	if (err < 0) {
		ike_kernel_log_refusal(k, child->serial, "the outbound SA", err);
		goto err_in;
	}
	err = ike_kernel_policy_hold(k, &flow, child->reqid, child->reqid);
	if (err < 0) {
		ike_kernel_log_refusal(k, child->serial, "the policies", err);
		goto err_out;
	}
	util_wipe(&sa, sizeof(sa));
	return 0;

err_out:
	if (kxfrm_sa_del(k->kx, &flow.remote, child->spi_out, child->reqid) < 0)
		ike_kernel_log_refusal(k, child->serial, "removing the outbound SA", -EIO);
err_in:
	if (kxfrm_sa_del(k->kx, &flow.local, child->spi_in, 0) < 0)
		ike_kernel_log_refusal(k, child->serial, "removing the inbound SA", -EIO);
err_wipe:
	util_wipe(&sa, sizeof(sa));
	return err;
}

void ike_kernel_child_remove(void *arg, const struct ike_child_sa_params *child)
{
	struct ike_kernel *k = arg;
	struct kxfrm_flow flow;
	int err;

	ike_kernel_flow(child, &flow);
	/* Only an installed child holds policies and an outbound SA. */
	if (child->spi_out) {
		err = ike_kernel_policy_release(k, &flow, child->reqid);
		if (err < 0 && err != -ENOENT)
			ike_kernel_log_refusal(k, child->serial, "removing the policies", err);
		err = kxfrm_sa_del(k->kx, &flow.remote, child->spi_out, child->reqid);
		if (err < 0 && err != -ESRCH && err != -ENOENT)
			ike_kernel_log_refusal(k, child->serial, "removing the outbound SA", err);
	}
	if (child->spi_in) {
		err = kxfrm_sa_del(k->kx, &flow.local, child->spi_in, 0);
		if (err < 0 && err != -ESRCH && err != -ENOENT)
			ike_kernel_log_refusal(k, child->serial, "removing the inbound SA", err);
	}
}
