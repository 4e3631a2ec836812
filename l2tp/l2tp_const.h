/*
 * l2tp_const.h - L2TPv2 (RFC 2661) numbers and their names.
 *
 * Every list is an X-macro X(identifier, value, printed name): the enum and
 * the name table come from the same line, so a constant cannot exist without
 * its name.  Identifiers keep the RFC 2661 spelling behind the L2TP_ prefix;
 * printed names are the RFC's abbreviations (SCCRQ, StopCCN, ...) and AVP
 * names as xl2tpd/accel-ppp admins read them.
 *
 * The *_name() functions return a small struct holding the name, or the
 * value in decimal when it is not in the list, so a log line can pass
 * `l2tp_msg_type_name(type).str` straight to printf.  Pure: no state, no
 * allocation.  Sources: RFC 2661 §3.2 (message types), §4.4 (AVPs), §4.4.2
 * (result and error codes); MS-L2TPIE §2.2.1.1 (Microsoft vendor 311).
 */
#ifndef L2TPSEC_L2TP_L2TP_CONST_H
#define L2TPSEC_L2TP_L2TP_CONST_H

#include <stdbool.h>

/* RFC 2661 §3.2: the value of the Message Type AVP. */
#define L2TP_MSG_LIST(X)                              \
	X(L2TP_MSG_SCCRQ, 1, "SCCRQ")                 \
	X(L2TP_MSG_SCCRP, 2, "SCCRP")                 \
	X(L2TP_MSG_SCCCN, 3, "SCCCN")                 \
	X(L2TP_MSG_STOPCCN, 4, "StopCCN")             \
	X(L2TP_MSG_HELLO, 6, "HELLO")                 \
	X(L2TP_MSG_OCRQ, 7, "OCRQ")                   \
	X(L2TP_MSG_OCRP, 8, "OCRP")                   \
	X(L2TP_MSG_OCCN, 9, "OCCN")                   \
	X(L2TP_MSG_ICRQ, 10, "ICRQ")                  \
	X(L2TP_MSG_ICRP, 11, "ICRP")                  \
	X(L2TP_MSG_ICCN, 12, "ICCN")                  \
	X(L2TP_MSG_CDN, 14, "CDN")                    \
	X(L2TP_MSG_WEN, 15, "WEN")                    \
	X(L2TP_MSG_SLI, 16, "SLI")

/* RFC 2661 §4.4: IETF (vendor 0) attribute types.  20 is not assigned. */
#define L2TP_AVP_LIST(X)                                                       \
	X(L2TP_AVP_MESSAGE_TYPE, 0, "Message Type")                            \
	X(L2TP_AVP_RESULT_CODE, 1, "Result Code")                              \
	X(L2TP_AVP_PROTOCOL_VERSION, 2, "Protocol Version")                    \
	X(L2TP_AVP_FRAMING_CAPABILITIES, 3, "Framing Capabilities")            \
	X(L2TP_AVP_BEARER_CAPABILITIES, 4, "Bearer Capabilities")              \
	X(L2TP_AVP_TIE_BREAKER, 5, "Tie Breaker")                              \
	X(L2TP_AVP_FIRMWARE_REVISION, 6, "Firmware Revision")                  \
	X(L2TP_AVP_HOST_NAME, 7, "Host Name")                                  \
	X(L2TP_AVP_VENDOR_NAME, 8, "Vendor Name")                              \
	X(L2TP_AVP_ASSIGNED_TUNNEL_ID, 9, "Assigned Tunnel ID")                \
	X(L2TP_AVP_RECEIVE_WINDOW_SIZE, 10, "Receive Window Size")             \
	X(L2TP_AVP_CHALLENGE, 11, "Challenge")                                 \
	X(L2TP_AVP_Q931_CAUSE_CODE, 12, "Q.931 Cause Code")                    \
	X(L2TP_AVP_CHALLENGE_RESPONSE, 13, "Challenge Response")               \
	X(L2TP_AVP_ASSIGNED_SESSION_ID, 14, "Assigned Session ID")             \
	X(L2TP_AVP_CALL_SERIAL_NUMBER, 15, "Call Serial Number")               \
	X(L2TP_AVP_MINIMUM_BPS, 16, "Minimum BPS")                             \
	X(L2TP_AVP_MAXIMUM_BPS, 17, "Maximum BPS")                             \
	X(L2TP_AVP_BEARER_TYPE, 18, "Bearer Type")                             \
	X(L2TP_AVP_FRAMING_TYPE, 19, "Framing Type")                           \
	X(L2TP_AVP_CALLED_NUMBER, 21, "Called Number")                         \
	X(L2TP_AVP_CALLING_NUMBER, 22, "Calling Number")                       \
	X(L2TP_AVP_SUB_ADDRESS, 23, "Sub-Address")                             \
	X(L2TP_AVP_TX_CONNECT_SPEED, 24, "(Tx) Connect Speed")                 \
	X(L2TP_AVP_PHYSICAL_CHANNEL_ID, 25, "Physical Channel ID")             \
	X(L2TP_AVP_INITIAL_RECEIVED_LCP_CONFREQ, 26, "Initial Received LCP CONFREQ") \
	X(L2TP_AVP_LAST_SENT_LCP_CONFREQ, 27, "Last Sent LCP CONFREQ")         \
	X(L2TP_AVP_LAST_RECEIVED_LCP_CONFREQ, 28, "Last Received LCP CONFREQ") \
	X(L2TP_AVP_PROXY_AUTHEN_TYPE, 29, "Proxy Authen Type")                 \
	X(L2TP_AVP_PROXY_AUTHEN_NAME, 30, "Proxy Authen Name")                 \
	X(L2TP_AVP_PROXY_AUTHEN_CHALLENGE, 31, "Proxy Authen Challenge")       \
	X(L2TP_AVP_PROXY_AUTHEN_ID, 32, "Proxy Authen ID")                     \
	X(L2TP_AVP_PROXY_AUTHEN_RESPONSE, 33, "Proxy Authen Response")         \
	X(L2TP_AVP_CALL_ERRORS, 34, "Call Errors")                             \
	X(L2TP_AVP_ACCM, 35, "ACCM")                                           \
	X(L2TP_AVP_RANDOM_VECTOR, 36, "Random Vector")                         \
	X(L2TP_AVP_PRIVATE_GROUP_ID, 37, "Private Group ID")                   \
	X(L2TP_AVP_RX_CONNECT_SPEED, 38, "Rx Connect Speed")                   \
	X(L2TP_AVP_SEQUENCING_REQUIRED, 39, "Sequencing Required")

/* Vendor IDs (SMI Private Enterprise Codes) an AVP may carry. */
#define L2TP_VENDOR_LIST(X)                                   \
	X(L2TP_VENDOR_IETF, 0, "IETF")                        \
	X(L2TP_VENDOR_MICROSOFT, 311, "Microsoft")

/* MS-L2TPIE §2.2.1.1: vendor 311 attribute types (Vista SP1+ ICRQ). */
#define L2TP_MS_AVP_LIST(X)                                   \
	X(L2TP_MS_AVP_CORRELATION_ID, 1, "Microsoft Correlation ID")

/* RFC 2661 §4.4.2: Result Code values in a StopCCN. */
#define L2TP_STOPCCN_RESULT_LIST(X)                                                        \
	X(L2TP_STOPCCN_RESULT_CLEAR, 1, "general request to clear control connection")      \
	X(L2TP_STOPCCN_RESULT_ERROR, 2, "general error (see error code)")                   \
	X(L2TP_STOPCCN_RESULT_ALREADY_EXISTS, 3, "control channel already exists")          \
	X(L2TP_STOPCCN_RESULT_NOT_AUTHORIZED, 4, "requester is not authorized")             \
	X(L2TP_STOPCCN_RESULT_BAD_VERSION, 5, "protocol version not supported")             \
	X(L2TP_STOPCCN_RESULT_SHUTTING_DOWN, 6, "requester is being shut down")             \
	X(L2TP_STOPCCN_RESULT_FSM_ERROR, 7, "finite state machine error")

/* RFC 2661 §4.4.2: Result Code values in a CDN. */
#define L2TP_CDN_RESULT_LIST(X)                                                            \
	X(L2TP_CDN_RESULT_LOST_CARRIER, 1, "call disconnected due to loss of carrier")      \
	X(L2TP_CDN_RESULT_ERROR, 2, "call disconnected (see error code)")                   \
	X(L2TP_CDN_RESULT_ADMIN, 3, "call disconnected for administrative reasons")         \
	X(L2TP_CDN_RESULT_NO_FACILITIES_TEMPORARY, 4, "no appropriate facilities (temporary)") \
	X(L2TP_CDN_RESULT_NO_FACILITIES_PERMANENT, 5, "no appropriate facilities (permanent)") \
	X(L2TP_CDN_RESULT_INVALID_DESTINATION, 6, "invalid destination")                    \
	X(L2TP_CDN_RESULT_NO_CARRIER, 7, "no carrier detected")                             \
	X(L2TP_CDN_RESULT_BUSY, 8, "busy signal")                                           \
	X(L2TP_CDN_RESULT_NO_DIAL_TONE, 9, "no dial tone")                                  \
	X(L2TP_CDN_RESULT_TIMEOUT, 10, "not established within time allotted by LAC")       \
	X(L2TP_CDN_RESULT_NO_FRAMING, 11, "connected but no appropriate framing detected")

/* RFC 2661 §4.4.2: General Error Codes (StopCCN and CDN result 2). */
#define L2TP_ERROR_LIST(X)                                                                 \
	X(L2TP_ERROR_NONE, 0, "no general error")                                           \
	X(L2TP_ERROR_NO_CONTROL_CONNECTION, 1, "no control connection exists yet")          \
	X(L2TP_ERROR_LENGTH, 2, "length is wrong")                                          \
	X(L2TP_ERROR_VALUE, 3, "field value out of range or reserved field non-zero")       \
	X(L2TP_ERROR_NO_RESOURCES, 4, "insufficient resources")                             \
	X(L2TP_ERROR_INVALID_SESSION_ID, 5, "session ID invalid in this context")           \
	X(L2TP_ERROR_VENDOR, 6, "vendor-specific error")                                    \
	X(L2TP_ERROR_TRY_ANOTHER, 7, "try another")                                         \
	X(L2TP_ERROR_UNKNOWN_MANDATORY_AVP, 8, "unknown AVP with the M bit set")

#define L2TP_ENUM_ITEM(identifier, value, name) identifier = (value),
enum l2tp_msg_type { L2TP_MSG_LIST(L2TP_ENUM_ITEM) };
enum l2tp_avp_type { L2TP_AVP_LIST(L2TP_ENUM_ITEM) };
enum l2tp_vendor { L2TP_VENDOR_LIST(L2TP_ENUM_ITEM) };
enum l2tp_ms_avp_type { L2TP_MS_AVP_LIST(L2TP_ENUM_ITEM) };
enum l2tp_stopccn_result { L2TP_STOPCCN_RESULT_LIST(L2TP_ENUM_ITEM) };
enum l2tp_cdn_result { L2TP_CDN_RESULT_LIST(L2TP_ENUM_ITEM) };
enum l2tp_error_code { L2TP_ERROR_LIST(L2TP_ENUM_ITEM) };

/* A printable name, or the value in decimal. */
struct l2tp_name {
	char str[64];
};

struct l2tp_name l2tp_msg_type_name(unsigned value);
/* An AVP named by vendor and type: "Host Name", "Microsoft Correlation ID", "311:7". */
struct l2tp_name l2tp_avp_name(unsigned vendor, unsigned type);
struct l2tp_name l2tp_vendor_name(unsigned value);
struct l2tp_name l2tp_stopccn_result_name(unsigned value);
struct l2tp_name l2tp_cdn_result_name(unsigned value);
struct l2tp_name l2tp_error_name(unsigned value);

/* The message type is one of L2TP_MSG_LIST. */
bool l2tp_msg_type_known(unsigned value);

/* (vendor, type) is an AVP this codec knows: vendor 0 types of L2TP_AVP_LIST, vendor 311 type 1. */
bool l2tp_avp_known(unsigned vendor, unsigned type);

#endif
