/*
 * xfrm_probe.c - drives daemon/kernel_xfrm from a shell scenario in the VM.
 *
 *   xfrm_probe install LOCAL REMOTE REMOTE_PORT MARK OUT_SPI [encap REMOTE_ENCAP_PORT]
 *       allocates the inbound SPI, adds both SAs (3DES + HMAC-SHA1-96 with the
 *       fixed test keys below) and both policies; prints "spi_in 0x..."
 *   xfrm_probe counters LOCAL REMOTE SPI_IN OUT_SPI MARK
 *       prints "in_packets N out_packets N"
 *   xfrm_probe remove LOCAL REMOTE REMOTE_PORT MARK SPI_IN OUT_SPI
 *   xfrm_probe flush                      prints "sas N policies N"
 *   xfrm_probe expire LOCAL REMOTE SECONDS
 *       adds an inbound SA with a hard lifetime and waits (30 s at most) for
 *       the kernel's expiry event; prints "expired spi 0x... hard"
 *
 * Exit status 0 on success; on a kernel refusal the errno text and the
 * kernel's explanation go to stderr.  The scenario (tests/vm/scenarios/
 * kernel-xfrm.sh) sets up the peer's side with ip xfrm and asserts.
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/kernel_xfrm.h"

/* The peer uses the same keys through ip xfrm: 3DES key 24 bytes of 0x02, SHA1 key 20 of 0x01. */
static void probe_keys(struct kxfrm_sa *sa)
{
	sa->cipher_name = "cbc(des3_ede)";
	memset(sa->cipher_key, 0x02, 24);
	sa->cipher_key_len = 24;
	sa->integ_name = "hmac(sha1)";
	memset(sa->integ_key, 0x01, 20);
	sa->integ_key_len = 20;
	sa->integ_trunc_bits = 96;
}

static int probe_fail(struct kxfrm *kx, const char *what, int err)
{
	fprintf(stderr, "xfrm_probe: %s: %s%s%s\n", what, strerror(-err),
		kxfrm_error_text(kx)[0] ? ": " : "", kxfrm_error_text(kx));
	return 1;
}

static unsigned long probe_number(const char *text)
{
	char *end;
	unsigned long value = strtoul(text, &end, 0);

	if (*text == '\0' || *end != '\0') {
		fprintf(stderr, "xfrm_probe: not a number: %s\n", text);
		exit(2);
	}
	return value;
}

static void probe_flow(struct kxfrm_flow *flow, const char *local, const char *remote,
		       const char *remote_port)
{
	memset(flow, 0, sizeof(*flow));
	if (!netaddr_parse(&flow->local, local, 1701) ||
	    !netaddr_parse(&flow->remote, remote, (uint16_t)probe_number(remote_port))) {
		fprintf(stderr, "xfrm_probe: bad address\n");
		exit(2);
	}
	flow->protocol = IPPROTO_UDP;
}

static int probe_install(struct kxfrm *kx, char **argv, int argc)
{
	struct kxfrm_sa sa;
	struct kxfrm_flow flow;
	uint32_t mark = (uint32_t)probe_number(argv[3]);
	uint32_t reqid = KXFRM_REQID_MIN + 1;
	uint32_t spi_in;
	bool encap = argc >= 7 && strcmp(argv[5], "encap") == 0;
	int err;

	probe_flow(&flow, argv[0], argv[1], argv[2]);
	err = kxfrm_spi_alloc(kx, &flow.local, &flow.remote, reqid, &spi_in);
	if (err < 0)
		return probe_fail(kx, "spi_alloc", err);
	memset(&sa, 0, sizeof(sa));
	probe_keys(&sa);
	sa.flow = flow;
	sa.reqid = reqid;
	sa.mark = mark;
	sa.encap = encap;
	sa.encap_local_port = 4500;
	sa.encap_remote_port = encap ? (uint16_t)probe_number(argv[6]) : 0;
	sa.inbound = true;
	sa.update = true;
	sa.spi = spi_in;
	err = kxfrm_sa_add(kx, &sa);
	if (err < 0)
		return probe_fail(kx, "sa_add in", err);
	sa.inbound = false;
	sa.update = false;
	sa.spi = (uint32_t)probe_number(argv[4]);
	err = kxfrm_sa_add(kx, &sa);
	if (err < 0)
		return probe_fail(kx, "sa_add out", err);
	err = kxfrm_policies_add(kx, &flow, reqid, mark);
	if (err < 0)
		return probe_fail(kx, "policies_add", err);
	printf("spi_in 0x%08x\n", spi_in);
	return 0;
}

static int probe_counters(struct kxfrm *kx, char **argv)
{
	struct netaddr local, remote;
	struct kxfrm_counters in, out;
	int err;

	if (!netaddr_parse(&local, argv[0], 0) || !netaddr_parse(&remote, argv[1], 0))
		return 2;
	err = kxfrm_sa_counters(kx, &local, (uint32_t)probe_number(argv[2]), 0, &in);
	if (err < 0)
		return probe_fail(kx, "counters in", err);
	err = kxfrm_sa_counters(kx, &remote, (uint32_t)probe_number(argv[3]),
				(uint32_t)probe_number(argv[4]), &out);
	if (err < 0)
		return probe_fail(kx, "counters out", err);
	printf("in_packets %llu out_packets %llu\n", (unsigned long long)in.packets,
	       (unsigned long long)out.packets);
	return 0;
}

static int probe_remove(struct kxfrm *kx, char **argv)
{
	struct kxfrm_flow flow;
	uint32_t mark = (uint32_t)probe_number(argv[3]);
	int err;

	probe_flow(&flow, argv[0], argv[1], argv[2]);
	err = kxfrm_policies_del(kx, &flow, mark);
	if (err < 0)
		return probe_fail(kx, "policies_del", err);
	err = kxfrm_sa_del(kx, &flow.local, (uint32_t)probe_number(argv[4]), 0);
	if (err < 0)
		return probe_fail(kx, "sa_del in", err);
	err = kxfrm_sa_del(kx, &flow.remote, (uint32_t)probe_number(argv[5]), mark);
	if (err < 0)
		return probe_fail(kx, "sa_del out", err);
	return 0;
}

static void probe_on_expire(void *arg, const struct kxfrm_expire *e)
{
	struct kxfrm_expire *seen = arg;

	if (e->hard)
		*seen = *e;
}

static int probe_expire(struct kxfrm *kx, char **argv)
{
	struct kxfrm_sa sa;
	struct kxfrm_expire seen = { .spi = 0 };
	int fd = kxfrm_events_open(kx);
	int err;

	if (fd < 0)
		return probe_fail(kx, "events_open", fd);
	memset(&sa, 0, sizeof(sa));
	probe_keys(&sa);
	probe_flow(&sa.flow, argv[0], argv[1], "1701");
	sa.inbound = true;
	sa.reqid = KXFRM_REQID_MIN + 2;
	sa.spi = 0x4c320001;
	sa.hard_seconds = probe_number(argv[2]);
	err = kxfrm_sa_add(kx, &sa);
	if (err < 0)
		return probe_fail(kx, "sa_add", err);
	for (int waited = 0; waited < 300 && seen.spi == 0; waited++) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		if (poll(&pfd, 1, 100) > 0) {
			err = kxfrm_events_read(kx, probe_on_expire, &seen);
			if (err < 0)
				return probe_fail(kx, "events_read", err);
		}
	}
	if (seen.spi == 0) {
		fprintf(stderr, "xfrm_probe: no expiry event within 30 s\n");
		return 1;
	}
	printf("expired spi 0x%08x hard\n", seen.spi);
	return 0;
}

int main(int argc, char **argv)
{
	struct kxfrm *kx;
	int rc = 2;

	if (argc < 2) {
		fprintf(stderr, "usage: xfrm_probe install|counters|remove|flush|expire ...\n");
		return 2;
	}
	kx = kxfrm_open();
	if (!kx) {
		fprintf(stderr, "xfrm_probe: cannot open the XFRM netlink socket\n");
		return 1;
	}
	if (strcmp(argv[1], "install") == 0 && argc >= 7) {
		rc = probe_install(kx, argv + 2, argc - 2);
	} else if (strcmp(argv[1], "counters") == 0 && argc == 7) {
		rc = probe_counters(kx, argv + 2);
	} else if (strcmp(argv[1], "remove") == 0 && argc == 8) {
		rc = probe_remove(kx, argv + 2);
	} else if (strcmp(argv[1], "expire") == 0 && argc == 5) {
		rc = probe_expire(kx, argv + 2);
	} else if (strcmp(argv[1], "flush") == 0) {
		unsigned sas, policies;
		int err = kxfrm_flush_ours(kx, &sas, &policies);

		if (err < 0)
			rc = probe_fail(kx, "flush", err);
		else
			rc = printf("sas %u policies %u\n", sas, policies) > 0 ? 0 : 1;
	} else {
		fprintf(stderr, "xfrm_probe: bad arguments\n");
	}
	kxfrm_close(kx);
	return rc;
}
