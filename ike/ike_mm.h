/*
 * ike_mm.h - the Main Mode responder (RFC 2409 §5 with pre-shared keys):
 * MM1 -> choose the proposal, answer MM2 (the chosen transform, our NAT-T
 * and DPD Vendor IDs); MM3 -> KE, nonce, NAT-D, then Diffie-Hellman and
 * SKEYID* on a worker while the SA waits in STATE_MAIN_R1 (duplicates are
 * dropped, not processed twice); MM4; MM5 (encrypted ID + HASH_I) -> verify,
 * MM6 (our ID + HASH_R), ISAKMP SA established.
 *
 * The machine is a table (ike_mm_machine) driven by ike_machine_step().  A
 * wrong pre-shared key shows as an MM5 that does not decrypt into payloads
 * or whose HASH_I does not match: one line names the peer and the probable
 * PSK mismatch, the SA is deleted and nothing is sent (libreswan sends no
 * notification for a malformed encrypted message, programs/pluto/ikev1.c;
 * the peer could not decrypt it anyway).  Aggressive Mode is refused by the
 * engine before any state exists.
 *
 * What it must not do: start a Main Mode, or block the loop on DH.
 */
#ifndef L2TPSEC_IKE_IKE_MM_H
#define L2TPSEC_IKE_IKE_MM_H

#include "ike/ike_exchange.h"
#include "ike/ike_sa.h"

/* The table, for the table-walk test. */
extern const struct ike_machine ike_mm_machine;

/* MM1: responder cookie zero.  A duplicate of a pending MM1 gets MM2 again. */
void ike_mm_recv_initial(struct ike_engine *e, struct ike_rx *rx);

/* A Main Mode message for an existing ISAKMP SA. */
void ike_mm_recv(struct ike_sa *sa, struct ike_rx *rx);

#endif
