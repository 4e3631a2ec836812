/*
 * isakmp_const.h - IKEv1 (ISAKMP, IPsec DOI, Oakley) numbers and their names.
 *
 * Every list is an X-macro X(identifier, value, printed name): the enum and
 * the name table come from the same line, so a constant cannot exist without
 * its name.  Identifiers keep the RFC/IANA spelling behind a prefix
 * (ISAKMP_, OAKLEY_, IPSEC_); printed names are the ones Openswan/libreswan
 * admins already grep for (ISAKMP_NEXT_NATD_DRAFTS, OAKLEY_GROUP_MODP1024,
 * NO_PROPOSAL_CHOSEN, ENCAPSULATION_MODE_UDP_TRANSPORT_RFC ...).
 *
 * The *_name() functions return a small struct holding the name, or the
 * value in decimal when the value is not in the list, so a log line can pass
 * `isakmp_payload_name(type).str` straight to printf.  Pure: no state, no
 * allocation.  Sources: RFC 2408 (ISAKMP), RFC 2407 (IPsec DOI), RFC 2409
 * appendix A (Oakley attributes), RFC 3947/3948 and draft-ietf-ipsec-nat-t-ike
 * (NAT-T), RFC 3706 (DPD), the IANA "ipsec-registry", MS-IKEE (fragments).
 */
#ifndef L2TPSEC_IKE_ISAKMP_CONST_H
#define L2TPSEC_IKE_ISAKMP_CONST_H

#include <stdbool.h>

/* RFC 2408 §3.1 and the IANA registry: Exchange Type of the ISAKMP header. */
#define ISAKMP_EXCHANGE_LIST(X)                                                     \
	X(ISAKMP_EXCHANGE_NONE, 0, "ISAKMP_XCHG_NONE")                              \
	X(ISAKMP_EXCHANGE_BASE, 1, "ISAKMP_XCHG_BASE")                              \
	X(ISAKMP_EXCHANGE_ID_PROT, 2, "ISAKMP_XCHG_IDPROT") /* Main Mode */         \
	X(ISAKMP_EXCHANGE_AUTH_ONLY, 3, "ISAKMP_XCHG_AO")                           \
	X(ISAKMP_EXCHANGE_AGGRESSIVE, 4, "ISAKMP_XCHG_AGGR")                        \
	X(ISAKMP_EXCHANGE_INFORMATIONAL, 5, "ISAKMP_XCHG_INFO")                     \
	X(ISAKMP_EXCHANGE_TRANSACTION, 6, "ISAKMP_XCHG_MODE_CFG") /* draft only */  \
	X(ISAKMP_EXCHANGE_QUICK, 32, "ISAKMP_XCHG_QUICK") /* RFC 2409 §5.5 */       \
	X(ISAKMP_EXCHANGE_NEW_GROUP, 33, "ISAKMP_XCHG_NGRP")

/*
 * RFC 2408 §3.1 Next Payload values, plus the NAT-T and fragment numbers real
 * clients use: 20/21 are RFC 3947; 130/131 are draft-ietf-ipsec-nat-t-ike-02/03
 * (Windows XP); 15/16 are the "bad drafts" 05..08 numbers (Cisco with the
 * draft-07 VID; IANA later gave 15/16 to GDOI, which we do not speak); 132 is
 * the Microsoft/Cisco IKE fragment (MS-IKEE).
 */
#define ISAKMP_PAYLOAD_LIST(X)                                                      \
	X(ISAKMP_PAYLOAD_NONE, 0, "ISAKMP_NEXT_NONE")                               \
	X(ISAKMP_PAYLOAD_SA, 1, "ISAKMP_NEXT_SA")                                   \
	X(ISAKMP_PAYLOAD_PROPOSAL, 2, "ISAKMP_NEXT_P")                              \
	X(ISAKMP_PAYLOAD_TRANSFORM, 3, "ISAKMP_NEXT_T")                             \
	X(ISAKMP_PAYLOAD_KE, 4, "ISAKMP_NEXT_KE")                                   \
	X(ISAKMP_PAYLOAD_ID, 5, "ISAKMP_NEXT_ID")                                   \
	X(ISAKMP_PAYLOAD_CERT, 6, "ISAKMP_NEXT_CERT")                               \
	X(ISAKMP_PAYLOAD_CERTREQ, 7, "ISAKMP_NEXT_CR")                              \
	X(ISAKMP_PAYLOAD_HASH, 8, "ISAKMP_NEXT_HASH")                               \
	X(ISAKMP_PAYLOAD_SIG, 9, "ISAKMP_NEXT_SIG")                                 \
	X(ISAKMP_PAYLOAD_NONCE, 10, "ISAKMP_NEXT_NONCE")                            \
	X(ISAKMP_PAYLOAD_NOTIFY, 11, "ISAKMP_NEXT_N")                               \
	X(ISAKMP_PAYLOAD_DELETE, 12, "ISAKMP_NEXT_D")                               \
	X(ISAKMP_PAYLOAD_VID, 13, "ISAKMP_NEXT_VID")                                \
	X(ISAKMP_PAYLOAD_ATTR, 14, "ISAKMP_NEXT_MODECFG")                           \
	X(ISAKMP_PAYLOAD_NATD_BADDRAFT, 15, "ISAKMP_NEXT_NATD_BADDRAFTS")           \
	X(ISAKMP_PAYLOAD_NATOA_BADDRAFT, 16, "ISAKMP_NEXT_NATOA_BADDRAFTS")         \
	X(ISAKMP_PAYLOAD_NATD, 20, "ISAKMP_NEXT_NATD_RFC")                          \
	X(ISAKMP_PAYLOAD_NATOA, 21, "ISAKMP_NEXT_NATOA_RFC")                        \
	X(ISAKMP_PAYLOAD_NATD_DRAFT, 130, "ISAKMP_NEXT_NATD_DRAFTS")                \
	X(ISAKMP_PAYLOAD_NATOA_DRAFT, 131, "ISAKMP_NEXT_NATOA_DRAFTS")              \
	X(ISAKMP_PAYLOAD_FRAGMENT, 132, "ISAKMP_NEXT_IKE_FRAGMENTATION")

/* RFC 2408 §3.1 Flags: bits of the header's flags octet. */
#define ISAKMP_FLAG_LIST(X)                                                         \
	X(ISAKMP_FLAG_ENCRYPTION, 0x01, "ISAKMP_FLAG_v1_ENCRYPTION")                \
	X(ISAKMP_FLAG_COMMIT, 0x02, "ISAKMP_FLAG_v1_COMMIT")                        \
	X(ISAKMP_FLAG_AUTH_ONLY, 0x04, "ISAKMP_FLAG_v1_AUTHONLY")

/*
 * Notify Message Type (RFC 2408 §3.14.1 errors 1..30 and status 16384;
 * RFC 2407 §4.6.3 IPsec DOI status; RFC 3706 DPD).
 */
#define ISAKMP_NOTIFY_LIST(X)                                                       \
	X(ISAKMP_NOTIFY_INVALID_PAYLOAD_TYPE, 1, "INVALID_PAYLOAD_TYPE")            \
	X(ISAKMP_NOTIFY_DOI_NOT_SUPPORTED, 2, "DOI_NOT_SUPPORTED")                  \
	X(ISAKMP_NOTIFY_SITUATION_NOT_SUPPORTED, 3, "SITUATION_NOT_SUPPORTED")      \
	X(ISAKMP_NOTIFY_INVALID_COOKIE, 4, "INVALID_COOKIE")                        \
	X(ISAKMP_NOTIFY_INVALID_MAJOR_VERSION, 5, "INVALID_MAJOR_VERSION")          \
	X(ISAKMP_NOTIFY_INVALID_MINOR_VERSION, 6, "INVALID_MINOR_VERSION")          \
	X(ISAKMP_NOTIFY_INVALID_EXCHANGE_TYPE, 7, "INVALID_EXCHANGE_TYPE")          \
	X(ISAKMP_NOTIFY_INVALID_FLAGS, 8, "INVALID_FLAGS")                          \
	X(ISAKMP_NOTIFY_INVALID_MESSAGE_ID, 9, "INVALID_MESSAGE_ID")                \
	X(ISAKMP_NOTIFY_INVALID_PROTOCOL_ID, 10, "INVALID_PROTOCOL_ID")             \
	X(ISAKMP_NOTIFY_INVALID_SPI, 11, "INVALID_SPI")                             \
	X(ISAKMP_NOTIFY_INVALID_TRANSFORM_ID, 12, "INVALID_TRANSFORM_ID")           \
	X(ISAKMP_NOTIFY_ATTRIBUTES_NOT_SUPPORTED, 13, "ATTRIBUTES_NOT_SUPPORTED")   \
	X(ISAKMP_NOTIFY_NO_PROPOSAL_CHOSEN, 14, "NO_PROPOSAL_CHOSEN")               \
	X(ISAKMP_NOTIFY_BAD_PROPOSAL_SYNTAX, 15, "BAD_PROPOSAL_SYNTAX")             \
	X(ISAKMP_NOTIFY_PAYLOAD_MALFORMED, 16, "PAYLOAD_MALFORMED")                 \
	X(ISAKMP_NOTIFY_INVALID_KEY_INFORMATION, 17, "INVALID_KEY_INFORMATION")     \
	X(ISAKMP_NOTIFY_INVALID_ID_INFORMATION, 18, "INVALID_ID_INFORMATION")       \
	X(ISAKMP_NOTIFY_INVALID_CERT_ENCODING, 19, "INVALID_CERT_ENCODING")         \
	X(ISAKMP_NOTIFY_INVALID_CERTIFICATE, 20, "INVALID_CERTIFICATE")             \
	X(ISAKMP_NOTIFY_CERT_TYPE_UNSUPPORTED, 21, "CERT_TYPE_UNSUPPORTED")         \
	X(ISAKMP_NOTIFY_INVALID_CERT_AUTHORITY, 22, "INVALID_CERT_AUTHORITY")       \
	X(ISAKMP_NOTIFY_INVALID_HASH_INFORMATION, 23, "INVALID_HASH_INFORMATION")   \
	X(ISAKMP_NOTIFY_AUTHENTICATION_FAILED, 24, "AUTHENTICATION_FAILED")         \
	X(ISAKMP_NOTIFY_INVALID_SIGNATURE, 25, "INVALID_SIGNATURE")                 \
	X(ISAKMP_NOTIFY_ADDRESS_NOTIFICATION, 26, "ADDRESS_NOTIFICATION")           \
	X(ISAKMP_NOTIFY_NOTIFY_SA_LIFETIME, 27, "NOTIFY_SA_LIFETIME")               \
	X(ISAKMP_NOTIFY_CERTIFICATE_UNAVAILABLE, 28, "CERTIFICATE_UNAVAILABLE")     \
	X(ISAKMP_NOTIFY_UNSUPPORTED_EXCHANGE_TYPE, 29, "UNSUPPORTED_EXCHANGE_TYPE") \
	X(ISAKMP_NOTIFY_UNEQUAL_PAYLOAD_LENGTHS, 30, "UNEQUAL_PAYLOAD_LENGTHS")     \
	X(ISAKMP_NOTIFY_CONNECTED, 16384, "CONNECTED")                              \
	X(ISAKMP_NOTIFY_RESPONDER_LIFETIME, 24576, "IPSEC_RESPONDER_LIFETIME")      \
	X(ISAKMP_NOTIFY_REPLAY_STATUS, 24577, "IPSEC_REPLAY_STATUS")                \
	X(ISAKMP_NOTIFY_INITIAL_CONTACT, 24578, "IPSEC_INITIAL_CONTACT")            \
	X(ISAKMP_NOTIFY_R_U_THERE, 36136, "R_U_THERE")                              \
	X(ISAKMP_NOTIFY_R_U_THERE_ACK, 36137, "R_U_THERE_ACK")

/* Domain of Interpretation (RFC 2408 §3.4; RFC 2407 §4.2). */
#define ISAKMP_DOI_LIST(X)                                                          \
	X(ISAKMP_DOI_ISAKMP, 0, "ISAKMP_DOI_ISAKMP")                                \
	X(ISAKMP_DOI_IPSEC, 1, "ISAKMP_DOI_IPSEC")

/* IPsec DOI Situation bits (RFC 2407 §4.2). */
#define ISAKMP_SITUATION_LIST(X)                                                    \
	X(ISAKMP_SIT_IDENTITY_ONLY, 1, "SIT_IDENTITY_ONLY")                         \
	X(ISAKMP_SIT_SECRECY, 2, "SIT_SECRECY")                                     \
	X(ISAKMP_SIT_INTEGRITY, 4, "SIT_INTEGRITY")

/* Protocol-ID of proposals, notifies and deletes (RFC 2407 §4.4.1). */
#define ISAKMP_PROTOCOL_LIST(X)                                                     \
	X(ISAKMP_PROTO_ISAKMP, 1, "PROTO_ISAKMP")                                   \
	X(ISAKMP_PROTO_IPSEC_AH, 2, "PROTO_IPSEC_AH")                               \
	X(ISAKMP_PROTO_IPSEC_ESP, 3, "PROTO_IPSEC_ESP")                             \
	X(ISAKMP_PROTO_IPCOMP, 4, "PROTO_IPCOMP")

/* Transform IDs of a PROTO_ISAKMP proposal (RFC 2407 §4.4.2). */
#define ISAKMP_KEY_LIST(X) X(ISAKMP_KEY_IKE, 1, "KEY_IKE")

/* Transform IDs of a PROTO_IPSEC_AH proposal (RFC 2407 §4.4.3, IANA). */
#define IPSEC_AH_LIST(X)                                                            \
	X(IPSEC_AH_MD5, 2, "AH_MD5")                                                \
	X(IPSEC_AH_SHA, 3, "AH_SHA")                                                \
	X(IPSEC_AH_DES, 4, "AH_DES")                                                \
	X(IPSEC_AH_SHA2_256, 5, "AH_SHA2_256")                                      \
	X(IPSEC_AH_SHA2_384, 6, "AH_SHA2_384")                                      \
	X(IPSEC_AH_SHA2_512, 7, "AH_SHA2_512")                                      \
	X(IPSEC_AH_RIPEMD, 8, "AH_RIPEMD")                                          \
	X(IPSEC_AH_AES_XCBC_MAC, 9, "AH_AES_XCBC_MAC")

/* Transform IDs of a PROTO_IPSEC_ESP proposal (RFC 2407 §4.4.4, IANA). */
#define IPSEC_ESP_LIST(X)                                                           \
	X(IPSEC_ESP_DES_IV64, 1, "ESP_DES_IV64")                                    \
	X(IPSEC_ESP_DES, 2, "ESP_DES")                                              \
	X(IPSEC_ESP_3DES, 3, "ESP_3DES")                                            \
	X(IPSEC_ESP_RC5, 4, "ESP_RC5")                                              \
	X(IPSEC_ESP_IDEA, 5, "ESP_IDEA")                                            \
	X(IPSEC_ESP_CAST, 6, "ESP_CAST")                                            \
	X(IPSEC_ESP_BLOWFISH, 7, "ESP_BLOWFISH")                                    \
	X(IPSEC_ESP_3IDEA, 8, "ESP_3IDEA")                                          \
	X(IPSEC_ESP_DES_IV32, 9, "ESP_DES_IV32")                                    \
	X(IPSEC_ESP_RC4, 10, "ESP_RC4")                                             \
	X(IPSEC_ESP_NULL, 11, "ESP_NULL")                                           \
	X(IPSEC_ESP_AES, 12, "ESP_AES")                                             \
	X(IPSEC_ESP_AES_CTR, 13, "ESP_AES_CTR")                                     \
	X(IPSEC_ESP_AES_CCM_8, 14, "ESP_AES_CCM_8")                                 \
	X(IPSEC_ESP_AES_CCM_12, 15, "ESP_AES_CCM_12")                               \
	X(IPSEC_ESP_AES_CCM_16, 16, "ESP_AES_CCM_16")                               \
	X(IPSEC_ESP_AES_GCM_8, 18, "ESP_AES_GCM_8")                                 \
	X(IPSEC_ESP_AES_GCM_12, 19, "ESP_AES_GCM_12")                               \
	X(IPSEC_ESP_AES_GCM_16, 20, "ESP_AES_GCM_16")                               \
	X(IPSEC_ESP_CAMELLIA, 22, "ESP_CAMELLIA")

/* Transform IDs of a PROTO_IPCOMP proposal (RFC 2407 §4.4.5). */
#define IPSEC_IPCOMP_LIST(X)                                                        \
	X(IPSEC_IPCOMP_OUI, 1, "IPCOMP_OUI")                                        \
	X(IPSEC_IPCOMP_DEFLATE, 2, "IPCOMP_DEFLATE")                                \
	X(IPSEC_IPCOMP_LZS, 3, "IPCOMP_LZS")

/* Identification Type (RFC 2407 §4.6.2.1). */
#define ISAKMP_ID_LIST(X)                                                           \
	X(ISAKMP_ID_IPV4_ADDR, 1, "ID_IPV4_ADDR")                                   \
	X(ISAKMP_ID_FQDN, 2, "ID_FQDN")                                             \
	X(ISAKMP_ID_USER_FQDN, 3, "ID_USER_FQDN")                                   \
	X(ISAKMP_ID_IPV4_ADDR_SUBNET, 4, "ID_IPV4_ADDR_SUBNET")                     \
	X(ISAKMP_ID_IPV6_ADDR, 5, "ID_IPV6_ADDR")                                   \
	X(ISAKMP_ID_IPV6_ADDR_SUBNET, 6, "ID_IPV6_ADDR_SUBNET")                     \
	X(ISAKMP_ID_IPV4_ADDR_RANGE, 7, "ID_IPV4_ADDR_RANGE")                       \
	X(ISAKMP_ID_IPV6_ADDR_RANGE, 8, "ID_IPV6_ADDR_RANGE")                       \
	X(ISAKMP_ID_DER_ASN1_DN, 9, "ID_DER_ASN1_DN")                               \
	X(ISAKMP_ID_DER_ASN1_GN, 10, "ID_DER_ASN1_GN")                              \
	X(ISAKMP_ID_KEY_ID, 11, "ID_KEY_ID")

/*
 * Phase 1: Oakley attribute classes (RFC 2409 appendix A).  "B" classes are
 * always TV (basic); "V" classes may be TLV (variable).
 */
#define OAKLEY_ATTR_LIST(X)                                                         \
	X(OAKLEY_ENCRYPTION_ALGORITHM, 1, "OAKLEY_ENCRYPTION_ALGORITHM") /* B */    \
	X(OAKLEY_HASH_ALGORITHM, 2, "OAKLEY_HASH_ALGORITHM")             /* B */    \
	X(OAKLEY_AUTHENTICATION_METHOD, 3, "OAKLEY_AUTHENTICATION_METHOD") /* B */  \
	X(OAKLEY_GROUP_DESCRIPTION, 4, "OAKLEY_GROUP_DESCRIPTION")       /* B */    \
	X(OAKLEY_GROUP_TYPE, 5, "OAKLEY_GROUP_TYPE")                     /* B */    \
	X(OAKLEY_GROUP_PRIME, 6, "OAKLEY_GROUP_PRIME")                   /* V */    \
	X(OAKLEY_GROUP_GENERATOR_ONE, 7, "OAKLEY_GROUP_GENERATOR_ONE")   /* V */    \
	X(OAKLEY_GROUP_GENERATOR_TWO, 8, "OAKLEY_GROUP_GENERATOR_TWO")   /* V */    \
	X(OAKLEY_GROUP_CURVE_A, 9, "OAKLEY_GROUP_CURVE_A")               /* V */    \
	X(OAKLEY_GROUP_CURVE_B, 10, "OAKLEY_GROUP_CURVE_B")              /* V */    \
	X(OAKLEY_LIFE_TYPE, 11, "OAKLEY_LIFE_TYPE")                      /* B */    \
	X(OAKLEY_LIFE_DURATION, 12, "OAKLEY_LIFE_DURATION")              /* V */    \
	X(OAKLEY_PRF, 13, "OAKLEY_PRF")                                  /* B */    \
	X(OAKLEY_KEY_LENGTH, 14, "OAKLEY_KEY_LENGTH")                    /* B */    \
	X(OAKLEY_FIELD_SIZE, 15, "OAKLEY_FIELD_SIZE")                    /* B */    \
	X(OAKLEY_GROUP_ORDER, 16, "OAKLEY_GROUP_ORDER")                  /* V */

/* Values of OAKLEY_ENCRYPTION_ALGORITHM (RFC 2409 appendix A, IANA). */
#define OAKLEY_ENCRYPTION_LIST(X)                                                   \
	X(OAKLEY_DES_CBC, 1, "OAKLEY_DES_CBC")                                      \
	X(OAKLEY_IDEA_CBC, 2, "OAKLEY_IDEA_CBC")                                    \
	X(OAKLEY_BLOWFISH_CBC, 3, "OAKLEY_BLOWFISH_CBC")                            \
	X(OAKLEY_RC5_R16_B64_CBC, 4, "OAKLEY_RC5_R16_B64_CBC")                      \
	X(OAKLEY_3DES_CBC, 5, "OAKLEY_3DES_CBC")                                    \
	X(OAKLEY_CAST_CBC, 6, "OAKLEY_CAST_CBC")                                    \
	X(OAKLEY_AES_CBC, 7, "OAKLEY_AES_CBC")                                      \
	X(OAKLEY_CAMELLIA_CBC, 8, "OAKLEY_CAMELLIA_CBC")

/* Values of OAKLEY_HASH_ALGORITHM (RFC 2409 appendix A; RFC 4878 for SHA2). */
#define OAKLEY_HASH_LIST(X)                                                         \
	X(OAKLEY_MD5, 1, "OAKLEY_MD5")                                              \
	X(OAKLEY_SHA1, 2, "OAKLEY_SHA1")                                            \
	X(OAKLEY_TIGER, 3, "OAKLEY_TIGER")                                          \
	X(OAKLEY_SHA2_256, 4, "OAKLEY_SHA2_256")                                    \
	X(OAKLEY_SHA2_384, 5, "OAKLEY_SHA2_384")                                    \
	X(OAKLEY_SHA2_512, 6, "OAKLEY_SHA2_512")

/*
 * Values of OAKLEY_AUTHENTICATION_METHOD (RFC 2409 appendix A; RFC 4754 for
 * ECDSA; draft-ietf-ipsec-isakmp-xauth and -hybrid for the private ones).
 */
#define OAKLEY_AUTH_LIST(X)                                                         \
	X(OAKLEY_PRESHARED_KEY, 1, "OAKLEY_PRESHARED_KEY")                          \
	X(OAKLEY_DSS_SIG, 2, "OAKLEY_DSS_SIG")                                      \
	X(OAKLEY_RSA_SIG, 3, "OAKLEY_RSA_SIG")                                      \
	X(OAKLEY_RSA_ENC, 4, "OAKLEY_RSA_ENC")                                      \
	X(OAKLEY_RSA_REVISED_MODE, 5, "OAKLEY_RSA_REVISED_MODE")                    \
	X(OAKLEY_ECDSA_P256, 9, "OAKLEY_ECDSA_P256")                                \
	X(OAKLEY_ECDSA_P384, 10, "OAKLEY_ECDSA_P384")                               \
	X(OAKLEY_ECDSA_P521, 11, "OAKLEY_ECDSA_P521")                               \
	X(OAKLEY_HYBRID_INIT_RSA, 64221, "HybridInitRSA")                           \
	X(OAKLEY_HYBRID_RESP_RSA, 64222, "HybridRespRSA")                           \
	X(OAKLEY_HYBRID_INIT_DSS, 64223, "HybridInitDSS")                           \
	X(OAKLEY_HYBRID_RESP_DSS, 64224, "HybridRespDSS")                           \
	X(OAKLEY_XAUTH_INIT_PRESHARED, 65001, "XAUTHInitPreShared")                 \
	X(OAKLEY_XAUTH_RESP_PRESHARED, 65002, "XAUTHRespPreShared")                 \
	X(OAKLEY_XAUTH_INIT_DSS, 65003, "XAUTHInitDSS")                             \
	X(OAKLEY_XAUTH_RESP_DSS, 65004, "XAUTHRespDSS")                             \
	X(OAKLEY_XAUTH_INIT_RSA, 65005, "XAUTHInitRSA")                             \
	X(OAKLEY_XAUTH_RESP_RSA, 65006, "XAUTHRespRSA")

/*
 * Values of OAKLEY_GROUP_DESCRIPTION, and of the phase-2 GROUP_DESCRIPTION
 * (RFC 2409 §6, RFC 3526 MODP, RFC 5903 ECP, RFC 5114, RFC 6932).
 */
#define OAKLEY_GROUP_LIST(X)                                                        \
	X(OAKLEY_GROUP_MODP768, 1, "OAKLEY_GROUP_MODP768")                          \
	X(OAKLEY_GROUP_MODP1024, 2, "OAKLEY_GROUP_MODP1024")                        \
	X(OAKLEY_GROUP_GP155, 3, "OAKLEY_GROUP_GP155")                              \
	X(OAKLEY_GROUP_GP185, 4, "OAKLEY_GROUP_GP185")                              \
	X(OAKLEY_GROUP_MODP1536, 5, "OAKLEY_GROUP_MODP1536")                        \
	X(OAKLEY_GROUP_MODP2048, 14, "OAKLEY_GROUP_MODP2048")                       \
	X(OAKLEY_GROUP_MODP3072, 15, "OAKLEY_GROUP_MODP3072")                       \
	X(OAKLEY_GROUP_MODP4096, 16, "OAKLEY_GROUP_MODP4096")                       \
	X(OAKLEY_GROUP_MODP6144, 17, "OAKLEY_GROUP_MODP6144")                       \
	X(OAKLEY_GROUP_MODP8192, 18, "OAKLEY_GROUP_MODP8192")                       \
	X(OAKLEY_GROUP_ECP_256, 19, "OAKLEY_GROUP_ECP_256")                         \
	X(OAKLEY_GROUP_ECP_384, 20, "OAKLEY_GROUP_ECP_384")                         \
	X(OAKLEY_GROUP_ECP_521, 21, "OAKLEY_GROUP_ECP_521")                         \
	X(OAKLEY_GROUP_DH22, 22, "OAKLEY_GROUP_DH22")                               \
	X(OAKLEY_GROUP_DH23, 23, "OAKLEY_GROUP_DH23")                               \
	X(OAKLEY_GROUP_DH24, 24, "OAKLEY_GROUP_DH24")                               \
	X(OAKLEY_GROUP_ECP_192, 25, "OAKLEY_GROUP_ECP_192")                         \
	X(OAKLEY_GROUP_ECP_224, 26, "OAKLEY_GROUP_ECP_224")                         \
	X(OAKLEY_GROUP_BRAINPOOL_P224R1, 27, "OAKLEY_GROUP_BRAINPOOL_P224R1")       \
	X(OAKLEY_GROUP_BRAINPOOL_P256R1, 28, "OAKLEY_GROUP_BRAINPOOL_P256R1")       \
	X(OAKLEY_GROUP_BRAINPOOL_P384R1, 29, "OAKLEY_GROUP_BRAINPOOL_P384R1")       \
	X(OAKLEY_GROUP_BRAINPOOL_P512R1, 30, "OAKLEY_GROUP_BRAINPOOL_P512R1")

/* Values of OAKLEY_GROUP_TYPE. */
#define OAKLEY_GROUP_TYPE_LIST(X)                                                   \
	X(OAKLEY_GROUP_TYPE_MODP, 1, "OAKLEY_GROUP_TYPE_MODP")                      \
	X(OAKLEY_GROUP_TYPE_ECP, 2, "OAKLEY_GROUP_TYPE_ECP")                        \
	X(OAKLEY_GROUP_TYPE_EC2N, 3, "OAKLEY_GROUP_TYPE_EC2N")

/* Values of OAKLEY_LIFE_TYPE. */
#define OAKLEY_LIFE_LIST(X)                                                         \
	X(OAKLEY_LIFE_SECONDS, 1, "OAKLEY_LIFE_SECONDS")                            \
	X(OAKLEY_LIFE_KILOBYTES, 2, "OAKLEY_LIFE_KILOBYTES")

/* Phase 2: IPsec DOI SA attributes (RFC 2407 §4.5). */
#define IPSEC_ATTR_LIST(X)                                                          \
	X(IPSEC_SA_LIFE_TYPE, 1, "SA_LIFE_TYPE")                                    \
	X(IPSEC_SA_LIFE_DURATION, 2, "SA_LIFE_DURATION")                            \
	X(IPSEC_GROUP_DESCRIPTION, 3, "GROUP_DESCRIPTION")                          \
	X(IPSEC_ENCAPSULATION_MODE, 4, "ENCAPSULATION_MODE")                        \
	X(IPSEC_AUTH_ALGORITHM, 5, "AUTH_ALGORITHM")                                \
	X(IPSEC_KEY_LENGTH, 6, "KEY_LENGTH")                                        \
	X(IPSEC_KEY_ROUNDS, 7, "KEY_ROUNDS")                                        \
	X(IPSEC_COMPRESS_DICT_SIZE, 8, "COMPRESS_DICT_SIZE")                        \
	X(IPSEC_COMPRESS_PRIVATE_ALG, 9, "COMPRESS_PRIVATE_ALG")

/* Values of SA_LIFE_TYPE. */
#define IPSEC_LIFE_LIST(X)                                                          \
	X(IPSEC_SA_LIFE_TYPE_SECONDS, 1, "SA_LIFE_TYPE_SECONDS")                    \
	X(IPSEC_SA_LIFE_TYPE_KBYTES, 2, "SA_LIFE_TYPE_KBYTES")

/*
 * Values of ENCAPSULATION_MODE: RFC 2407, RFC 3947 §5.1 (3/4), and the
 * draft-ietf-ipsec-nat-t-ike-00..03 private values Windows XP sends.
 */
#define IPSEC_ENCAPSULATION_LIST(X)                                                 \
	X(IPSEC_ENCAPSULATION_MODE_TUNNEL, 1, "ENCAPSULATION_MODE_TUNNEL")          \
	X(IPSEC_ENCAPSULATION_MODE_TRANSPORT, 2, "ENCAPSULATION_MODE_TRANSPORT")    \
	X(IPSEC_ENCAPSULATION_MODE_UDP_TUNNEL_RFC, 3,                               \
	  "ENCAPSULATION_MODE_UDP_TUNNEL_RFC")                                      \
	X(IPSEC_ENCAPSULATION_MODE_UDP_TRANSPORT_RFC, 4,                            \
	  "ENCAPSULATION_MODE_UDP_TRANSPORT_RFC")                                   \
	X(IPSEC_ENCAPSULATION_MODE_UDP_TUNNEL_DRAFTS, 61443,                        \
	  "ENCAPSULATION_MODE_UDP_TUNNEL_DRAFTS")                                   \
	X(IPSEC_ENCAPSULATION_MODE_UDP_TRANSPORT_DRAFTS, 61444,                     \
	  "ENCAPSULATION_MODE_UDP_TRANSPORT_DRAFTS")

/* Values of AUTH_ALGORITHM (RFC 2407 §4.5, RFC 4868, RFC 4543). */
#define IPSEC_AUTH_LIST(X)                                                          \
	X(IPSEC_AUTH_ALGORITHM_HMAC_MD5, 1, "AUTH_ALGORITHM_HMAC_MD5")              \
	X(IPSEC_AUTH_ALGORITHM_HMAC_SHA1, 2, "AUTH_ALGORITHM_HMAC_SHA1")            \
	X(IPSEC_AUTH_ALGORITHM_DES_MAC, 3, "AUTH_ALGORITHM_DES_MAC")                \
	X(IPSEC_AUTH_ALGORITHM_KPDK, 4, "AUTH_ALGORITHM_KPDK")                      \
	X(IPSEC_AUTH_ALGORITHM_HMAC_SHA2_256, 5, "AUTH_ALGORITHM_HMAC_SHA2_256")    \
	X(IPSEC_AUTH_ALGORITHM_HMAC_SHA2_384, 6, "AUTH_ALGORITHM_HMAC_SHA2_384")    \
	X(IPSEC_AUTH_ALGORITHM_HMAC_SHA2_512, 7, "AUTH_ALGORITHM_HMAC_SHA2_512")    \
	X(IPSEC_AUTH_ALGORITHM_HMAC_RIPEMD, 8, "AUTH_ALGORITHM_HMAC_RIPEMD")        \
	X(IPSEC_AUTH_ALGORITHM_AES_XCBC, 9, "AUTH_ALGORITHM_AES_XCBC")              \
	X(IPSEC_AUTH_ALGORITHM_SIG_RSA, 10, "AUTH_ALGORITHM_SIG_RSA")               \
	X(IPSEC_AUTH_ALGORITHM_AES_128_GMAC, 11, "AUTH_ALGORITHM_AES_128_GMAC")     \
	X(IPSEC_AUTH_ALGORITHM_AES_192_GMAC, 12, "AUTH_ALGORITHM_AES_192_GMAC")     \
	X(IPSEC_AUTH_ALGORITHM_AES_256_GMAC, 13, "AUTH_ALGORITHM_AES_256_GMAC")

#define ISAKMP_CONST_ENUM_ITEM(identifier, value, name) identifier = (value),

enum isakmp_exchange_type { ISAKMP_EXCHANGE_LIST(ISAKMP_CONST_ENUM_ITEM) };
enum isakmp_payload_type { ISAKMP_PAYLOAD_LIST(ISAKMP_CONST_ENUM_ITEM) };
enum isakmp_flag { ISAKMP_FLAG_LIST(ISAKMP_CONST_ENUM_ITEM) };
enum isakmp_notify_type { ISAKMP_NOTIFY_LIST(ISAKMP_CONST_ENUM_ITEM) };
enum isakmp_doi { ISAKMP_DOI_LIST(ISAKMP_CONST_ENUM_ITEM) };
enum isakmp_situation { ISAKMP_SITUATION_LIST(ISAKMP_CONST_ENUM_ITEM) };
enum isakmp_protocol { ISAKMP_PROTOCOL_LIST(ISAKMP_CONST_ENUM_ITEM) };
enum isakmp_key_transform { ISAKMP_KEY_LIST(ISAKMP_CONST_ENUM_ITEM) };
enum ipsec_ah_transform { IPSEC_AH_LIST(ISAKMP_CONST_ENUM_ITEM) };
enum ipsec_esp_transform { IPSEC_ESP_LIST(ISAKMP_CONST_ENUM_ITEM) };
enum ipsec_ipcomp_transform { IPSEC_IPCOMP_LIST(ISAKMP_CONST_ENUM_ITEM) };
enum isakmp_id_type { ISAKMP_ID_LIST(ISAKMP_CONST_ENUM_ITEM) };
enum oakley_attr_type { OAKLEY_ATTR_LIST(ISAKMP_CONST_ENUM_ITEM) };
enum oakley_encryption { OAKLEY_ENCRYPTION_LIST(ISAKMP_CONST_ENUM_ITEM) };
enum oakley_hash { OAKLEY_HASH_LIST(ISAKMP_CONST_ENUM_ITEM) };
enum oakley_auth { OAKLEY_AUTH_LIST(ISAKMP_CONST_ENUM_ITEM) };
enum oakley_group { OAKLEY_GROUP_LIST(ISAKMP_CONST_ENUM_ITEM) };
enum oakley_group_type { OAKLEY_GROUP_TYPE_LIST(ISAKMP_CONST_ENUM_ITEM) };
enum oakley_life_type { OAKLEY_LIFE_LIST(ISAKMP_CONST_ENUM_ITEM) };
enum ipsec_attr_type { IPSEC_ATTR_LIST(ISAKMP_CONST_ENUM_ITEM) };
enum ipsec_life_type { IPSEC_LIFE_LIST(ISAKMP_CONST_ENUM_ITEM) };
enum ipsec_encapsulation_mode { IPSEC_ENCAPSULATION_LIST(ISAKMP_CONST_ENUM_ITEM) };
enum ipsec_auth_algorithm { IPSEC_AUTH_LIST(ISAKMP_CONST_ENUM_ITEM) };

/* RFC 2408 §3.1: the only version we speak is 1.0. */
enum {
	ISAKMP_MAJOR_VERSION = 1,
	ISAKMP_MINOR_VERSION = 0,
};

/* A printable name: the list's name for a value, or the value in decimal. */
struct isakmp_name {
	char str[48];
};

struct isakmp_name isakmp_exchange_name(unsigned value);
struct isakmp_name isakmp_payload_name(unsigned value);
struct isakmp_name isakmp_flag_name(unsigned value);
struct isakmp_name isakmp_notify_name(unsigned value);
struct isakmp_name isakmp_doi_name(unsigned value);
struct isakmp_name isakmp_situation_name(unsigned value);
struct isakmp_name isakmp_protocol_name(unsigned value);
struct isakmp_name isakmp_id_type_name(unsigned value);

/* A transform ID, read in the list of its proposal's protocol. */
struct isakmp_name isakmp_transform_id_name(unsigned protocol, unsigned transform_id);

/* A phase-1 attribute class, and a value read in the list of its class. */
struct isakmp_name isakmp_oakley_attr_name(unsigned type);
struct isakmp_name isakmp_oakley_value_name(unsigned type, unsigned value);

/* A phase-2 (IPsec DOI) attribute type, and a value read in the list of its type. */
struct isakmp_name isakmp_ipsec_attr_name(unsigned type);
struct isakmp_name isakmp_ipsec_value_name(unsigned type, unsigned value);

/* The payload type is one of ISAKMP_PAYLOAD_LIST (NONE excluded). */
bool isakmp_payload_known(unsigned type);

#endif
