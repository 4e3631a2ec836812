/*
 * l2tp_client.h - the smallest L2TPv2 LAC that opens one tunnel with one
 * session to an LNS and carries PPP frames: the load generator's simulated
 * client (bench only).
 *
 * Control: SCCRQ, then on SCCRP the SCCCN and at once the ICRQ, then on
 * ICRP the ICCN; every control message of the server is acknowledged (a ZLB
 * unless a message of ours carries the Nr).  Up to L2TP_CLIENT_UNACKED sent
 * messages wait for their acknowledgement and are resent by the caller's
 * timer (l2tp_client_resend).  A StopCCN or CDN from the server fails it.
 * Data: PPP frames in data messages without sequence numbers, both ways.
 * Messages are built and read with our own codec (l2tp/l2tp_wire.h).
 *
 * What it must not do: trust the server's datagrams (the codec checks them;
 * a message out of order is dropped and acknowledged), log, or allocate.
 * Ownership: the caller owns the struct and its socket; datagrams leave
 * through the send callback, PPP frames come out through on_ppp; neither
 * callback may call back into l2tp_client_input.
 */
#ifndef L2TPSEC_BENCH_L2TP_CLIENT_H
#define L2TPSEC_BENCH_L2TP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum l2tp_client_phase {
	L2TP_CLIENT_WAIT_SCCRP,
	L2TP_CLIENT_WAIT_ICRP,
	L2TP_CLIENT_ESTABLISHED,        /* ICCN sent: PPP may flow */
	L2TP_CLIENT_FAILED,             /* see failure */
};

enum { L2TP_CLIENT_UNACKED = 4, L2TP_CLIENT_MSG_MAX = 256 };

struct l2tp_client_sent {
	uint16_t ns;
	uint16_t len;                   /* 0: a free slot */
	uint8_t bytes[L2TP_CLIENT_MSG_MAX];
};

struct l2tp_client {
	void (*send)(void *arg, const uint8_t *datagram, size_t len);
	void (*on_ppp)(void *arg, const uint8_t *frame, size_t len);
	void *arg;
	enum l2tp_client_phase phase;
	const char *failure;            /* a static string, when phase is FAILED */
	uint16_t tunnel_id, session_id;         /* ours */
	uint16_t peer_tunnel_id, peer_session_id;
	uint16_t ns;                    /* the next Ns we send */
	uint16_t nr;                    /* the next Ns we expect */
	uint32_t serial;                /* Call Serial Number */
	struct l2tp_client_sent sent[L2TP_CLIENT_UNACKED];
};

/* Sends the SCCRQ.  tunnel_id and session_id: ours, non-zero. */
void l2tp_client_start(struct l2tp_client *c, uint16_t tunnel_id, uint16_t session_id,
		       uint32_t serial, void (*send)(void *arg, const uint8_t *datagram, size_t len),
		       void (*on_ppp)(void *arg, const uint8_t *frame, size_t len), void *arg);

/* One UDP payload from the server. */
void l2tp_client_input(struct l2tp_client *c, const uint8_t *datagram, size_t len);

/* Resends every control message not yet acknowledged. */
void l2tp_client_resend(struct l2tp_client *c);

/* Sends one PPP frame in a data message (dropped before ESTABLISHED). */
void l2tp_client_send_ppp(struct l2tp_client *c, const uint8_t *frame, size_t len);

#endif
