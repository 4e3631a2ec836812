/*
 * pcap.h - a small capture-file reader for tests: pcap (either byte order,
 * micro- or nanosecond) and pcapng, link types Ethernet (with 802.1Q tags),
 * raw IP, Linux cooked (SLL and SLL2) and BSD loopback/null.  It yields the
 * UDP datagrams of each record, IPv4 or IPv6, with addresses and ports.
 *
 * On UDP port 4500 it applies RFC 3948 §2.2: a single 0xFF octet is a
 * NAT-keepalive, four zero octets are the non-ESP marker (stripped; what
 * follows is IKE), anything else is ESP-in-UDP.
 *
 * Test captures include deliberately corrupt files, so the reader is itself
 * a parser: every byte goes through lib/wire's cursor, records that do not
 * parse are counted and skipped, and a file that stops making sense ends
 * the walk (pcap_reader_broken()).  IP fragments are not reassembled: a
 * first fragment yields its part of the UDP datagram marked truncated, the
 * others are counted and skipped.  Views point into the caller's buffer.
 */
#ifndef L2TPSEC_TESTS_HARNESS_PCAP_H
#define L2TPSEC_TESTS_HARNESS_PCAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/wire.h"

enum pcap_udp_kind {
	PCAP_UDP_PLAIN,     /* neither port is 4500 */
	PCAP_UDP_IKE,       /* port 4500, non-ESP marker stripped: an ISAKMP message */
	PCAP_UDP_ESP,       /* port 4500, ESP-in-UDP (first four octets are the SPI) */
	PCAP_UDP_KEEPALIVE, /* port 4500, one 0xFF octet */
	PCAP_UDP_RUNT,      /* port 4500, too short to be any of the above */
};

struct pcap_udp {
	unsigned long frame; /* 1-based record number in the file */
	int ip_version;      /* 4 or 6 */
	uint8_t src_addr[16], dst_addr[16]; /* IPv4 in the first 4 octets */
	uint16_t src_port, dst_port;
	bool truncated;         /* the capture holds fewer octets than the UDP length */
	enum pcap_udp_kind kind;
	struct wire_span payload; /* after the non-ESP marker for PCAP_UDP_IKE */
};

/* Counters of what the walk met, for tests to assert on. */
struct pcap_stats {
	unsigned long records;
	unsigned long udp;
	unsigned long not_udp;     /* ARP, TCP, ESP over IP, unknown link or network layer */
	unsigned long fragments;   /* IPv4/IPv6 fragments (only a first one yields UDP) */
	unsigned long malformed;   /* link, IP or UDP header that does not parse */
};

struct pcap_reader {
	struct wire_rd file;
	bool ng;              /* pcapng */
	bool big_endian;      /* current section's byte order */
	bool broken;          /* the file structure stopped parsing */
	uint32_t linktype;    /* classic pcap */
	uint32_t ng_linktypes[16]; /* pcapng: per interface of the current section */
	size_t ng_interfaces;
	unsigned long frame;
	struct pcap_stats stats;
};

/* Starts a walk over a whole file in memory; false if it is neither pcap nor pcapng. */
bool pcap_reader_init(struct pcap_reader *reader, const void *data, size_t len);

/* The next UDP datagram; false at the end of the file or when it broke. */
bool pcap_next_udp(struct pcap_reader *reader, struct pcap_udp *udp);

/* The walk stopped because the file structure was corrupt, not at its end. */
bool pcap_reader_broken(const struct pcap_reader *reader);

/*
 * Reads a whole file into memory (malloc); 0 or -errno.  *data must be
 * released with free().
 */
int pcap_file_load(const char *path, uint8_t **data, size_t *len);

#endif
