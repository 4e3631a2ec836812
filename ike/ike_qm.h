/*
 * ike_qm.h - the Quick Mode responder (RFC 2409 §5.5): one transport-mode
 * ESP SA pair for the client's UDP/1701 (its port 1701, 0 or any; ours
 * 1701), with or without PFS, UDP-encapsulated under NAT.
 *
 * QM1 is decrypted with its own IV (last phase-1 IV + message ID) and its
 * HASH(1) checked before any state exists; then the child is made ("#N"),
 * the proposal chosen, our inbound SPI allocated (ops->spi_alloc), and QM2
 * sent with HASH(2) (after a worker's PFS Diffie-Hellman when KE came).
 * QM3's HASH(3) installs both SAs and both policies (ops->child_install).
 * Lifetimes are the proposal's, capped to the configured maximum silently,
 * as libreswan does (no RESPONDER-LIFETIME notify; research/ike.md §1).
 * Client rekeys make new children; old ones go on Delete or expiry.
 *
 * What it must not do: start a Quick Mode, or install anything before QM3.
 */
#ifndef L2TPSEC_IKE_IKE_QM_H
#define L2TPSEC_IKE_IKE_QM_H

#include "ike/ike_exchange.h"
#include "ike/ike_sa.h"

/* The table, for the table-walk test. */
extern const struct ike_machine ike_qm_machine;

/* A Quick Mode message for an ISAKMP SA. */
void ike_qm_recv(struct ike_sa *sa, struct ike_rx *rx);

#endif
