/*
 * ike_natt.h - NAT traversal for the responder: the method from the peer's
 * Vendor IDs, NAT-D detection in Main Mode, following the peer's float to
 * port 4500, and the NAT-OA payloads of Quick Mode.
 *
 * Methods (RFC 3947; draft-ietf-ipsec-nat-t-ike-02/02_n/03 for Windows XP):
 * the best one the peer offers among those the configuration allows, so a
 * client that prefers RFC 3947 gets it and XP gets draft-02_n.  The method
 * decides the numbers on the wire: NAT-D 20 or 130, NAT-OA 21 or 131,
 * UDP-encapsulated transport 4 or 61444 (isakmp_natt_* in isakmp_vid.h).
 *
 * Detection (RFC 3947 §3.2): the first NAT-D the peer sends hashes the
 * address it sent to (ours), the others its own addresses; a mismatch on
 * ours means we are behind a NAT, no match among its own means it is.  Our
 * MM4 sends the peer's address as we see it, then ours.  The float is
 * followed only after a message on the new port has been authenticated.
 *
 * What it must not do: send anything, or take a decision that belongs to
 * the policy (ike_prop decides which encapsulation modes are acceptable).
 */
#ifndef L2TPSEC_IKE_IKE_NATT_H
#define L2TPSEC_IKE_IKE_NATT_H

#include <stdbool.h>

#include "ike/ike_exchange.h"
#include "ike/ike_sa.h"

/* From MM1's Vendor IDs: the NAT-T method (within conf.natt_methods), DPD, Microsoft. */
void ike_natt_read_vids(struct ike_sa *sa, const struct ike_rx *rx);

/* "packet from A:P: received/ignoring Vendor ID payload [NAME]" for each VID of MM1. */
void ike_natt_log_vids(const struct ike_sa *sa, const struct ike_rx *rx);

/* The VID we send for a method (and for DPD); false if there is none. */
bool ike_natt_vid_bytes(enum isakmp_natt_method method, struct wire_span *out);
bool ike_natt_dpd_vid_bytes(struct wire_span *out);

/* MM3's NAT-D payloads -> sa->nat_us / nat_peer, logged pluto's way; false on a bad payload. */
bool ike_natt_detect(struct ike_sa *sa, const struct ike_rx *rx) WARN_UNUSED;

/* MM4's two NAT-D payloads (the peer's address as seen, then ours). */
bool ike_natt_build_natd(struct ike_sa *sa, struct isakmp_builder *b) WARN_UNUSED;

/* After an authenticated message: the SA follows the peer to the endpoints it came from. */
void ike_natt_follow(struct ike_sa *sa, const struct ike_rx *rx);

/* NAT-T in use and a NAT seen on either side (or forced): Quick Mode must use UDP encapsulation. */
bool ike_natt_nat_detected(const struct ike_sa *sa);

/* Quick Mode: reads the peer's NAT-OA payloads into the child (first kept); false if malformed. */
bool ike_natt_read_natoa(struct ike_child *c, const struct ike_rx *rx) WARN_UNUSED;

/* QM2's NAT-OA: RFC 3947 two (the peer as seen, then us), drafts one (us). */
void ike_natt_build_natoa(const struct ike_child *c, struct isakmp_builder *b);

#endif
