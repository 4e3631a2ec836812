/*
 * ike_info.h - Informational exchanges, both ways (RFC 2408 §4.8, RFC 2409
 * §5.7): Delete (IPsec SAs by SPI, the ISAKMP SA by its cookies), notifies
 * (errors before the keys in the clear; everything after them encrypted and
 * protected by HASH(1)), DPD (RFC 3706: R-U-THERE answered always, sent only
 * to peers that sent the DPD Vendor ID), and INITIAL-CONTACT.
 *
 * INITIAL-CONTACT deletes the other ISAKMP SAs, and their IPsec SAs, of the
 * same identity from the same address only: L2TP clients at different sites
 * share private addresses as their IDs (research/ike.md §3 #13).
 *
 * Each Informational the peer sends starts its own IV from the last phase-1
 * IV and its message ID; replayed message IDs are dropped.  Deleting the
 * ISAKMP SA happens after every other payload of the message is handled.
 *
 * What it must not do: start a Quick Mode, or act on an Informational whose
 * HASH did not check out.
 */
#ifndef L2TPSEC_IKE_IKE_INFO_H
#define L2TPSEC_IKE_IKE_INFO_H

#include <stdbool.h>
#include <stdint.h>

#include "ike/ike_exchange.h"
#include "ike/ike_sa.h"

/* The table (rows per ISAKMP SA state), for the table-walk test. */
extern const struct ike_machine ike_info_machine;

/* An Informational for an existing ISAKMP SA (may delete sa). */
void ike_info_recv(struct ike_sa *sa, struct ike_rx *rx);

/* Encrypted Informationals to the peer of an established SA; false if not sent. */
bool ike_info_send_delete_isakmp(struct ike_sa *sa);
bool ike_info_send_delete_esp(struct ike_sa *sa, uint32_t spi_in);
/* A notify with the cookies as SPI (DPD) or no SPI (errors: spi_cookies false). */
bool ike_info_send_notify(struct ike_sa *sa, uint16_t type, bool spi_cookies, const uint8_t *data,
			  size_t data_len);

/* A notify in the clear, before any keys (MM1/MM3 failures). */
void ike_info_send_plain_notify(struct ike_engine *e, const uint8_t cky_i[IKE_COOKIE_LEN],
				const uint8_t cky_r[IKE_COOKIE_LEN], const struct netaddr *local,
				const struct netaddr *remote, uint16_t type);

/* The DPD timer of an established SA (armed only for peers that sent the DPD VID). */
void ike_info_on_dpd_due(struct ev_timer *t);

/* INITIAL-CONTACT from sa's peer: its older SAs (same ID, same address) go. */
void ike_info_initial_contact(struct ike_sa *sa);

#endif
