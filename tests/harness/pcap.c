/*
 * pcap.c - the capture reader of pcap.h.
 *
 * Three layers, each over its own bounded cursor: the file (pcap records or
 * pcapng blocks, with their declared lengths checked against what is left),
 * the link header (to an ethertype or an address family), and IPv4/IPv6 +
 * UDP.  A record that does not parse is counted and skipped; a file whose
 * record or block lengths run past its end stops the walk.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tests/harness/pcap.h"

enum {
	PCAP_MAGIC_USEC = 0xa1b2c3d4,
	PCAP_MAGIC_NSEC = 0xa1b23c4d,
	PCAPNG_SHB = 0x0a0d0d0a,
	PCAPNG_IDB = 1,
	PCAPNG_OPB = 2, /* obsolete Packet Block */
	PCAPNG_SPB = 3,
	PCAPNG_EPB = 6,
	PCAPNG_BYTE_ORDER_MAGIC = 0x1a2b3c4d,

	LINKTYPE_NULL = 0,
	LINKTYPE_ETHERNET = 1,
	LINKTYPE_RAW_BSD = 12, /* DLT_RAW as some systems number it */
	LINKTYPE_RAW_OPENBSD = 14,
	LINKTYPE_RAW = 101,
	LINKTYPE_LOOP = 108,
	LINKTYPE_LINUX_SLL = 113,
	LINKTYPE_IPV4 = 228,
	LINKTYPE_IPV6 = 229,
	LINKTYPE_LINUX_SLL2 = 276,

	ETHERTYPE_IPV4 = 0x0800,
	ETHERTYPE_IPV6 = 0x86dd,
	ETHERTYPE_VLAN = 0x8100,
	ETHERTYPE_QINQ = 0x88a8,

	IPPROTO_UDP_NUMBER = 17,
	NAT_T_PORT = 4500,
};

static uint16_t pcap_swap16(uint16_t v)
{
	return (uint16_t)(v << 8 | v >> 8);
}

static uint32_t pcap_swap32(uint32_t v)
{
	return __builtin_bswap32(v);
}

static uint16_t pcap_u16(struct wire_rd *rd, bool big_endian)
{
	uint16_t v = wire_be16(rd);

	return big_endian ? v : pcap_swap16(v);
}

static uint32_t pcap_u32(struct wire_rd *rd, bool big_endian)
{
	uint32_t v = wire_be32(rd);

	return big_endian ? v : pcap_swap32(v);
}

bool pcap_reader_init(struct pcap_reader *reader, const void *data, size_t len)
{
	struct wire_rd peek;
	uint32_t magic;

	memset(reader, 0, sizeof(*reader));
	reader->file = wire_rd_init(data, len);
	peek = reader->file;
	magic = wire_be32(&peek);
	if (!wire_ok(&peek))
		return false;
	if (magic == PCAPNG_SHB) {
		reader->ng = true; /* the section header block is read as the first block */
		return true;
	}
	if (magic == PCAP_MAGIC_USEC || magic == PCAP_MAGIC_NSEC)
		reader->big_endian = true;
	else if (pcap_swap32(magic) == PCAP_MAGIC_USEC || pcap_swap32(magic) == PCAP_MAGIC_NSEC)
		reader->big_endian = false;
	else
		return false;
	/* magic, version major/minor, thiszone, sigfigs, snaplen, network */
	wire_skip(&reader->file, 4 + 2 + 2 + 4 + 4 + 4);
	reader->linktype = pcap_u32(&reader->file, reader->big_endian) & 0xffff;
	return wire_ok(&reader->file);
}

bool pcap_reader_broken(const struct pcap_reader *reader)
{
	return reader->broken;
}

/* RFC 3948 §2.2: what a UDP/4500 payload is. */
static void pcap_classify_4500(struct pcap_udp *udp)
{
	struct wire_rd rd = wire_rd_init(udp->payload.p, udp->payload.len);
	uint32_t first;

	if (udp->payload.len == 1) {
		udp->kind = wire_u8(&rd) == 0xff ? PCAP_UDP_KEEPALIVE : PCAP_UDP_RUNT;
		return;
	}
	first = wire_be32(&rd);
	if (!wire_ok(&rd)) {
		udp->kind = PCAP_UDP_RUNT;
		return;
	}
	if (first == 0) {
		udp->kind = PCAP_UDP_IKE;
		udp->payload = wire_rest(&rd);
	} else {
		udp->kind = PCAP_UDP_ESP;
	}
}

/*
 * The UDP header and payload; ip_declared is what the IP header says follows
 * it.  A UDP length beyond that (a first fragment, or a corrupt header) or
 * beyond the capture yields what is there, marked truncated.
 */
static bool pcap_decode_udp(struct pcap_reader *reader, struct wire_rd *rd, size_t ip_declared,
			    bool ip_truncated, struct pcap_udp *udp)
{
	uint16_t udp_length;
	size_t payload_len;

	udp->src_port = wire_be16(rd);
	udp->dst_port = wire_be16(rd);
	udp_length = wire_be16(rd);
	wire_skip(rd, 2); /* checksum */
	if (!wire_ok(rd) || udp_length < 8 || ip_declared < 8) {
		reader->stats.malformed++;
		return false;
	}
	payload_len = (size_t)udp_length - 8;
	udp->truncated = ip_truncated;
	if (payload_len > ip_declared - 8) {
		payload_len = ip_declared - 8;
		udp->truncated = true;
	}
	if (payload_len > wire_left(rd)) {
		payload_len = wire_left(rd);
		udp->truncated = true;
	}
	udp->payload = wire_view(rd, payload_len);
	udp->kind = PCAP_UDP_PLAIN;
	if (udp->src_port == NAT_T_PORT || udp->dst_port == NAT_T_PORT)
		pcap_classify_4500(udp);
	reader->stats.udp++;
	return true;
}

static bool pcap_decode_ipv4(struct pcap_reader *reader, struct wire_rd *rd, struct pcap_udp *udp)
{
	struct wire_rd ip;
	uint8_t version_ihl, protocol;
	uint16_t total_length, fragment;
	size_t header_len, ip_len;
	bool truncated = false;

	version_ihl = wire_u8(rd);
	wire_skip(rd, 1);
	total_length = wire_be16(rd);
	wire_skip(rd, 2);
	fragment = wire_be16(rd);
	wire_skip(rd, 1);
	protocol = wire_u8(rd);
	wire_skip(rd, 2);
	(void)wire_bytes(rd, udp->src_addr, 4);
	(void)wire_bytes(rd, udp->dst_addr, 4);
	header_len = (size_t)(version_ihl & 0x0f) * 4;
	if (!wire_ok(rd) || version_ihl >> 4 != 4 || header_len < 20 || total_length < header_len) {
		reader->stats.malformed++;
		return false;
	}
	udp->ip_version = 4;
	/* the datagram is total_length octets; the capture may hold fewer */
	ip_len = (size_t)total_length - 20;
	if (ip_len > wire_left(rd)) {
		truncated = true;
		ip_len = wire_left(rd);
	}
	ip = wire_sub(rd, ip_len);
	wire_skip(&ip, header_len - 20); /* options */
	if (!wire_ok(&ip)) {
		reader->stats.malformed++;
		return false;
	}
	if (fragment & 0x3fff) /* MF set or a non-zero offset */
		reader->stats.fragments++;
	if (fragment & 0x1fff) /* not the first fragment: no UDP header here */
		return false;
	if (fragment & 0x2000) /* the first fragment: the UDP datagram goes on elsewhere */
		truncated = true;
	if (protocol != IPPROTO_UDP_NUMBER) {
		reader->stats.not_udp++;
		return false;
	}
	return pcap_decode_udp(reader, &ip, (size_t)total_length - header_len, truncated, udp);
}

static bool pcap_decode_ipv6(struct pcap_reader *reader, struct wire_rd *rd, struct pcap_udp *udp)
{
	uint8_t version, next;
	uint16_t payload_length;
	size_t declared;
	bool truncated = false;

	version = wire_u8(rd);
	wire_skip(rd, 3);
	payload_length = wire_be16(rd);
	next = wire_u8(rd);
	wire_skip(rd, 1);
	(void)wire_bytes(rd, udp->src_addr, 16);
	(void)wire_bytes(rd, udp->dst_addr, 16);
	if (!wire_ok(rd) || version >> 4 != 6) {
		reader->stats.malformed++;
		return false;
	}
	udp->ip_version = 6;
	declared = payload_length;
	if (declared > wire_left(rd))
		truncated = true;
	/* hop-by-hop 0, routing 43, destination options 60; fragment 44 */
	for (int hops = 0; hops < 8 && (next == 0 || next == 43 || next == 60); hops++) {
		uint8_t this_next = wire_u8(rd);
		size_t ext_len = ((size_t)wire_u8(rd) + 1) * 8;

		wire_skip(rd, ext_len - 2);
		if (!wire_ok(rd) || ext_len > declared) {
			reader->stats.malformed++;
			return false;
		}
		declared -= ext_len;
		next = this_next;
	}
	if (next == 44) {
		reader->stats.fragments++;
		return false;
	}
	if (next != IPPROTO_UDP_NUMBER) {
		reader->stats.not_udp++;
		return false;
	}
	return pcap_decode_udp(reader, rd, declared, truncated, udp);
}

/* An ethertype-style network protocol number to IPv4/IPv6. */
static bool pcap_decode_network(struct pcap_reader *reader, uint16_t ethertype,
				struct wire_rd *rd, struct pcap_udp *udp)
{
	if (ethertype == ETHERTYPE_IPV4)
		return pcap_decode_ipv4(reader, rd, udp);
	if (ethertype == ETHERTYPE_IPV6)
		return pcap_decode_ipv6(reader, rd, udp);
	reader->stats.not_udp++;
	return false;
}

/* BSD address families as the writer's host stored them: AF_INET 2, AF_INET6 24/28/30. */
static uint16_t pcap_family_to_ethertype(uint32_t family)
{
	if (family == 2)
		return ETHERTYPE_IPV4;
	if (family == 24 || family == 28 || family == 30)
		return ETHERTYPE_IPV6;
	return 0;
}

static bool pcap_decode_link(struct pcap_reader *reader, uint32_t linktype, struct wire_span packet,
			     struct pcap_udp *udp)
{
	struct wire_rd rd = wire_rd_init(packet.p, packet.len);
	uint16_t ethertype = 0;
	uint32_t family;

	switch (linktype) {
	case LINKTYPE_ETHERNET:
		wire_skip(&rd, 12);
		ethertype = wire_be16(&rd);
		for (int tags = 0; tags < 2 && (ethertype == ETHERTYPE_VLAN || ethertype == ETHERTYPE_QINQ);
		     tags++) {
			wire_skip(&rd, 2);
			ethertype = wire_be16(&rd);
		}
		break;
	case LINKTYPE_NULL:
		family = wire_be32(&rd);
		ethertype = pcap_family_to_ethertype(family);
		if (!ethertype)
			ethertype = pcap_family_to_ethertype(pcap_swap32(family));
		break;
	case LINKTYPE_LOOP:
		ethertype = pcap_family_to_ethertype(wire_be32(&rd));
		break;
	case LINKTYPE_RAW:
	case LINKTYPE_RAW_BSD:
	case LINKTYPE_RAW_OPENBSD: {
		struct wire_rd peek = rd;
		uint8_t version = (uint8_t)(wire_u8(&peek) >> 4);

		ethertype = version == 4 ? ETHERTYPE_IPV4 : version == 6 ? ETHERTYPE_IPV6 : 0;
		break;
	}
	case LINKTYPE_IPV4:
		ethertype = ETHERTYPE_IPV4;
		break;
	case LINKTYPE_IPV6:
		ethertype = ETHERTYPE_IPV6;
		break;
	case LINKTYPE_LINUX_SLL:
		wire_skip(&rd, 14);
		ethertype = wire_be16(&rd);
		break;
	case LINKTYPE_LINUX_SLL2:
		ethertype = wire_be16(&rd);
		wire_skip(&rd, 18);
		break;
	default:
		reader->stats.not_udp++;
		return false;
	}
	if (!wire_ok(&rd)) {
		reader->stats.malformed++;
		return false;
	}
	return pcap_decode_network(reader, ethertype, &rd, udp);
}

/* The next classic pcap record: its captured octets, or false at the end. */
static bool pcap_next_record(struct pcap_reader *reader, struct wire_span *packet)
{
	uint32_t captured;

	if (wire_left(&reader->file) == 0)
		return false;
	wire_skip(&reader->file, 8); /* timestamp */
	captured = pcap_u32(&reader->file, reader->big_endian);
	wire_skip(&reader->file, 4); /* original length */
	*packet = wire_view(&reader->file, captured);
	if (!wire_ok(&reader->file)) {
		reader->broken = true;
		return false;
	}
	return true;
}

/* A Section Header Block body: byte order, then reset the interface list. */
static bool pcapng_section(struct pcap_reader *reader, struct wire_rd *body)
{
	uint32_t magic = wire_be32(body);

	if (magic == PCAPNG_BYTE_ORDER_MAGIC)
		reader->big_endian = true;
	else if (pcap_swap32(magic) == PCAPNG_BYTE_ORDER_MAGIC)
		reader->big_endian = false;
	else
		return false;
	reader->ng_interfaces = 0;
	return wire_ok(body);
}

/*
 * The next pcapng packet: its captured octets and link type, or false at the
 * end.  Blocks other than packets are read and passed over.
 */
static bool pcapng_next_packet(struct pcap_reader *reader, struct wire_span *packet,
			       uint32_t *linktype)
{
	while (wire_left(&reader->file) > 0) {
		struct wire_rd peek = reader->file, body;
		uint32_t type, total, interface = 0, captured;

		type = wire_be32(&peek);
		if (type == PCAPNG_SHB) {
			/* the byte order is only known after the length: read it from the magic */
			struct wire_rd order = peek;

			wire_skip(&order, 4);
			if (!pcapng_section(reader, &order))
				break;
		} else {
			type = reader->big_endian ? type : pcap_swap32(type);
		}
		total = pcap_u32(&peek, reader->big_endian);
		if (!wire_ok(&peek) || total < 12 || total > wire_left(&reader->file))
			break;
		wire_skip(&reader->file, 8);
		body = wire_sub(&reader->file, total - 12);
		wire_skip(&reader->file, 4); /* trailing copy of the length */
		if (!wire_ok(&reader->file))
			break;
		switch (type) {
		case PCAPNG_SHB:
			break;
		case PCAPNG_IDB:
			if (reader->ng_interfaces < sizeof(reader->ng_linktypes) / sizeof(uint32_t))
				reader->ng_linktypes[reader->ng_interfaces++] =
					pcap_u16(&body, reader->big_endian);
			break;
		case PCAPNG_EPB:
		case PCAPNG_OPB:
			if (type == PCAPNG_EPB) {
				interface = pcap_u32(&body, reader->big_endian);
			} else {
				interface = pcap_u16(&body, reader->big_endian);
				wire_skip(&body, 2);
			}
			wire_skip(&body, 8); /* timestamp */
			captured = pcap_u32(&body, reader->big_endian);
			wire_skip(&body, 4); /* original length */
			*packet = wire_view(&body, captured);
			if (!wire_ok(&body) || interface >= reader->ng_interfaces) {
				reader->frame++;
				reader->stats.records++;
				reader->stats.malformed++;
				continue;
			}
			*linktype = reader->ng_linktypes[interface];
			return true;
		case PCAPNG_SPB:
			captured = pcap_u32(&body, reader->big_endian);
			if (captured > wire_left(&body))
				captured = (uint32_t)wire_left(&body);
			*packet = wire_view(&body, captured);
			if (!wire_ok(&body) || reader->ng_interfaces == 0) {
				reader->frame++;
				reader->stats.records++;
				reader->stats.malformed++;
				continue;
			}
			*linktype = reader->ng_linktypes[0];
			return true;
		default:
			break;
		}
	}
	if (wire_left(&reader->file) > 0 || !wire_ok(&reader->file))
		reader->broken = true;
	return false;
}

bool pcap_next_udp(struct pcap_reader *reader, struct pcap_udp *udp)
{
	struct wire_span packet;
	uint32_t linktype = reader->linktype;

	for (;;) {
		if (reader->broken)
			return false;
		if (reader->ng ? !pcapng_next_packet(reader, &packet, &linktype)
			       : !pcap_next_record(reader, &packet))
			return false;
		reader->frame++;
		reader->stats.records++;
		memset(udp, 0, sizeof(*udp));
		udp->frame = reader->frame;
		if (pcap_decode_link(reader, linktype, packet, udp))
			return true;
	}
}

int pcap_file_load(const char *path, uint8_t **data, size_t *len)
{
	FILE *file = fopen(path, "rb");
	struct stat st;
	uint8_t *buf;
	int err;

	*data = NULL;
	*len = 0;
	if (!file)
		return -errno;
	if (fstat(fileno(file), &st) != 0) {
		err = -errno;
		fclose(file);
		return err;
	}
	buf = malloc(st.st_size > 0 ? (size_t)st.st_size : 1);
	if (!buf) {
		fclose(file);
		return -ENOMEM;
	}
	if (fread(buf, 1, (size_t)st.st_size, file) != (size_t)st.st_size) {
		free(buf);
		fclose(file);
		return -EIO;
	}
	fclose(file);
	*data = buf;
	*len = (size_t)st.st_size;
	return 0;
}
