/*
 * ike_kernel - the IKE engine's kernel operations, on daemon/kernel_xfrm.
 *
 * Implements the engine's spi_alloc / child_install / child_remove: an IPsec
 * SA pair becomes an inbound SA (filling the larval SA of the allocated SPI),
 * an outbound SA and the in/out policies for the client's UDP/1701 flow.
 * Each client's SAs and policies carry a mark equal to the child's reqid.
 * Policies are counted per (flow, mark): a client's rekey installs the same
 * policies again and the old child's removal must not take them away.
 * Anything half-installed is removed before an error is returned, and every
 * kernel refusal is logged under the child's serial with the kernel's own
 * explanation.
 *
 * What it must not do: decide anything about the protocol, keep keys (the
 * engine wipes them after the call), or touch state it did not install.
 * Ownership: the daemon owns the struct and the kxfrm handle it borrows.
 */
#ifndef L2TPSEC_DAEMON_IKE_KERNEL_H
#define L2TPSEC_DAEMON_IKE_KERNEL_H

#include <stdint.h>

#include "daemon/kernel_xfrm.h"
#include "ike/ike_engine.h"
#include "lib/log.h"
#include "lib/util.h"

struct ike_kernel;

struct ike_kernel *ike_kernel_new(struct kxfrm *kx, struct log_ctx *log) WARN_UNUSED;
void ike_kernel_free(struct ike_kernel *k);

/* The three engine operations; arg is the struct ike_kernel. */
int ike_kernel_spi_alloc(void *arg, const struct netaddr *local, const struct netaddr *remote,
			 uint32_t reqid, uint32_t *spi);
int ike_kernel_child_install(void *arg, const struct ike_child_sa_params *child);
void ike_kernel_child_remove(void *arg, const struct ike_child_sa_params *child);

/* Policies held now (for status and the leak checks of the tests). */
size_t ike_kernel_policy_count(const struct ike_kernel *k);

#endif
