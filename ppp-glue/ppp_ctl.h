/*
 * ppp_ctl.h - the messages between l2tpsecd and our pppd plugin (l2tpsec.so).
 *
 * For each pppd, the daemon makes a socketpair(AF_UNIX, SOCK_SEQPACKET) and
 * passes one end to pppd as fd 4 ("plugin l2tpsec.so l2tpsec_ctl 4").  One
 * datagram carries exactly one message.  The plugin is thin: it reports what
 * pppd sees (HELLO, AUTH_REQUEST, IP_UP, IP_DOWN) and the daemon decides
 * (AUTH_REPLY): the users file, the MS-CHAPv2 check and the address pool live
 * in the daemon, never in root pppd.
 *
 * Every message is
 *
 *     0                   1                   2
 *     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |    Version    |     Type      |  Body ...
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Version is PPP_CTL_VERSION; the body's layout is fixed by Type and must
 * fill the datagram exactly.  Integers are big-endian; IPv4 addresses are
 * their 4 octets as on the wire (held in network byte order in the structs,
 * as pppd holds them); strings are a length octet and that many bytes, with
 * no NUL.  Bodies (lengths in octets):
 *
 *   HELLO          pid (4, > 0)
 *   AUTH_REQUEST   chap id (1), name length (1, 1..255), name (no NUL byte),
 *                  authenticator challenge (16), peer challenge (16),
 *                  NT-Response (24), flags (1)       -- RFC 2759 §4 fields
 *   AUTH_REPLY     chap id (1), ok (1: 0 or 1), peer address (4; 0: none,
 *                  and always 0 with ok = 0), message length (1, 0..255),
 *                  message (printable ASCII: the text of the CHAP Success or
 *                  Failure packet, "S=<hex> M=..." or "E=691 R=0 C=... V=3")
 *   IP_UP          interface name length (1, 1..15), name (printable, no
 *                  space), our address (4), the peer's address (4)
 *   IP_DOWN        (empty)
 *
 * What it must not do: allocate, log, keep state, or judge anything beyond
 * the layout above (whether a name is a user, whether an address is free, is
 * the daemon's business).  Every byte goes through lib/wire.  The parsed
 * struct is a copy, not a view: it owns its bytes and the buffer may go.
 * The NT-Response is credential material: whoever holds a struct ppp_ctl_msg
 * of type AUTH_REQUEST wipes it when done and never logs those bytes.
 *
 * This file and lib/wire.c are also compiled into the plugin (a shared
 * object inside pppd), so they use nothing else of the project.
 */
#ifndef L2TPSEC_PPP_GLUE_PPP_CTL_H
#define L2TPSEC_PPP_GLUE_PPP_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* X(identifier, value, name) */
#define PPP_CTL_TYPE_LIST(X)                             \
	X(PPP_CTL_HELLO, 1, "HELLO")                     \
	X(PPP_CTL_AUTH_REQUEST, 2, "AUTH_REQUEST")       \
	X(PPP_CTL_AUTH_REPLY, 3, "AUTH_REPLY")           \
	X(PPP_CTL_IP_UP, 4, "IP_UP")                     \
	X(PPP_CTL_IP_DOWN, 5, "IP_DOWN")

#define PPP_CTL_TYPE_ENUM_ITEM(identifier, value, name) identifier = (value),
enum ppp_ctl_type { PPP_CTL_TYPE_LIST(PPP_CTL_TYPE_ENUM_ITEM) };

enum {
	PPP_CTL_VERSION = 1,
	PPP_CTL_NAME_MAX = 255,          /* the CHAP Name field, as the peer sent it */
	PPP_CTL_CHALLENGE_LEN = 16,      /* authenticator and peer challenge (RFC 2759) */
	PPP_CTL_NT_RESPONSE_LEN = 24,
	PPP_CTL_MESSAGE_MAX = 255,       /* pppd's CHAP message buffer is 256 with its NUL */
	PPP_CTL_IFNAME_MAX = 15,         /* IFNAMSIZ - 1 */
	PPP_CTL_MSG_MAX = 512,           /* no message is longer; a receive buffer of this size */
};

/* X(verdict, what went wrong) */
#define PPP_CTL_VERDICT_LIST(X)                                                          \
	X(PPP_CTL_OK, "well-formed")                                                     \
	X(PPP_CTL_ERR_SHORT, "the datagram ends inside a field")                         \
	X(PPP_CTL_ERR_LONG, "bytes left over after the body")                            \
	X(PPP_CTL_ERR_VERSION, "not version PPP_CTL_VERSION")                            \
	X(PPP_CTL_ERR_TYPE, "an unknown message type")                                   \
	X(PPP_CTL_ERR_PID, "a pid of 0 or below")                                        \
	X(PPP_CTL_ERR_NAME, "a user name that is empty or holds a NUL byte")             \
	X(PPP_CTL_ERR_OK_FLAG, "ok is neither 0 nor 1")                                  \
	X(PPP_CTL_ERR_REFUSAL_ADDRESS, "a refusal that gives an address")                \
	X(PPP_CTL_ERR_MESSAGE, "a reply message with a byte that is not printable ASCII") \
	X(PPP_CTL_ERR_IFNAME, "an interface name that is empty, too long or not printable") \
	X(PPP_CTL_ERR_SPACE, "the message does not fit the caller's buffer")

#define PPP_CTL_VERDICT_ENUM_ITEM(verdict, text) verdict,
enum ppp_ctl_verdict { PPP_CTL_VERDICT_LIST(PPP_CTL_VERDICT_ENUM_ITEM) };

struct ppp_ctl_hello {
	int32_t pid;                     /* pppd's, as getpid() says */
};

struct ppp_ctl_auth_request {
	uint8_t chap_id;                 /* the Identifier of the CHAP Response */
	uint8_t flags;                   /* the Response's Flags octet (0) */
	size_t name_len;                 /* 1..PPP_CTL_NAME_MAX */
	char name[PPP_CTL_NAME_MAX + 1]; /* NUL-terminated; no NUL inside */
	uint8_t auth_challenge[PPP_CTL_CHALLENGE_LEN];
	uint8_t peer_challenge[PPP_CTL_CHALLENGE_LEN];
	uint8_t nt_response[PPP_CTL_NT_RESPONSE_LEN];
};

struct ppp_ctl_auth_reply {
	uint8_t chap_id;                 /* echoes the request's, so a late reply is told apart */
	bool ok;
	uint32_t peer_address;           /* network byte order; 0: pppd keeps its own idea */
	char message[PPP_CTL_MESSAGE_MAX + 1]; /* NUL-terminated printable ASCII */
};

struct ppp_ctl_ip_up {
	char ifname[PPP_CTL_IFNAME_MAX + 1];   /* NUL-terminated, e.g. "ppp0" */
	uint32_t local_address;          /* network byte order */
	uint32_t peer_address;           /* network byte order */
};

struct ppp_ctl_msg {
	enum ppp_ctl_type type;
	union {
		struct ppp_ctl_hello hello;
		struct ppp_ctl_auth_request auth_request;
		struct ppp_ctl_auth_reply auth_reply;
		struct ppp_ctl_ip_up ip_up;
	} u;
};

/*
 * One datagram into *out (fully overwritten, zeroed first).  PPP_CTL_OK or
 * what is wrong; on a verdict other than OK, *out holds nothing of use.
 */
enum ppp_ctl_verdict ppp_ctl_parse(const uint8_t *buf, size_t len, struct ppp_ctl_msg *out)
	__attribute__((warn_unused_result));

/*
 * msg into buf[0..size), its length in *len.  The same rules as the parser
 * (a message this refuses to build, the parser would refuse to read), plus
 * PPP_CTL_ERR_SPACE when size is too small; on any error *len is 0.
 * name_len of an AUTH_REQUEST counts; the strings of the others end at NUL.
 */
enum ppp_ctl_verdict ppp_ctl_build(const struct ppp_ctl_msg *msg, uint8_t *buf, size_t size,
				   size_t *len) __attribute__((warn_unused_result));

/* "AUTH_REQUEST"; NULL for a value the list does not know. */
const char *ppp_ctl_type_name(unsigned type);

/* "PPP_CTL_ERR_NAME" and one line of what it means; NULL for an out-of-range value. */
const char *ppp_ctl_verdict_name(enum ppp_ctl_verdict verdict);
const char *ppp_ctl_verdict_text(enum ppp_ctl_verdict verdict);

#endif
