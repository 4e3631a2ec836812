/*
 * ppp_client.h - the smallest PPP peer that gets an address from pppd: the
 * load generator's simulated client (bench only).
 *
 * LCP: it asks for a Magic-Number only and acknowledges whatever the server
 * asks (MRU, MS-CHAPv2 as the authentication protocol, its magic), so it is
 * no conformance test.  Authentication: MS-CHAPv2 as the authenticatee
 * (RFC 2759 Response from ppp-glue/mschapv2's mschapv2_nt_response; the
 * server's Success ends it, its Failure fails the client).  IPCP: it asks
 * for 0.0.0.0, takes the address of the server's Nak, and acknowledges the
 * server's own request.  Up: both IPCP requests acknowledged.  Afterwards it
 * answers LCP Echo-Requests and Terminate-Requests, and rejects every other
 * protocol (CCP, IPV6CP) with LCP Protocol-Reject.
 *
 * What it must not do: trust a byte of the server's frames (every read goes
 * through lib/wire, a short or odd frame is dropped), log, or allocate.
 * Ownership: the caller owns the struct and the conf it points at; frames
 * leave through the caller's send callback (with the FF 03 address and
 * control bytes in front), which must not call back into this module.
 * Resends are the caller's timer calling ppp_client_resend().
 */
#ifndef L2TPSEC_BENCH_PPP_CLIENT_H
#define L2TPSEC_BENCH_PPP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ppp-glue/mschapv2.h"

enum ppp_client_phase {
	PPP_CLIENT_LCP,         /* Configure-Requests both ways */
	PPP_CLIENT_AUTH,        /* waiting for the Challenge, then Success */
	PPP_CLIENT_IPCP,        /* waiting for our address */
	PPP_CLIENT_UP,          /* holds an address */
	PPP_CLIENT_FAILED,      /* see failure */
};

struct ppp_client_conf {
	const struct mschapv2_crypto *crypto;
	const char *user;
	uint8_t nt_hash[NT_HASH_LEN];
};

struct ppp_client {
	const struct ppp_client_conf *conf;
	void (*send)(void *arg, const uint8_t *frame, size_t len);
	void *arg;
	enum ppp_client_phase phase;
	const char *failure;            /* a static string, when phase is FAILED */
	uint32_t magic;
	uint8_t lcp_id, ipcp_id;
	bool lcp_ours_acked, lcp_theirs_acked;
	bool ipcp_ours_acked, ipcp_theirs_acked;
	uint32_t address;               /* host order; 0 until the server names it */
	uint32_t peer_address;          /* the server's end, host order */
	unsigned long echo_replies;
};

/* Starts LCP: sends the first Configure-Request.  magic: a random non-zero value. */
void ppp_client_start(struct ppp_client *p, const struct ppp_client_conf *conf, uint32_t magic,
		      void (*send)(void *arg, const uint8_t *frame, size_t len), void *arg);

/* One PPP frame from the server (FF 03 in front or not). */
void ppp_client_input(struct ppp_client *p, const uint8_t *frame, size_t len);

/* Resends the Configure-Request not yet acknowledged (LCP or IPCP), if any. */
void ppp_client_resend(struct ppp_client *p);

#endif
