/*
 * load_stats.h - the bookkeeping of the IKE load generator: latencies and
 * their percentiles, failures counted by cause, and the block of source
 * addresses the simulated clients are bound to.
 *
 * Percentiles are nearest-rank over every recorded sample (no buckets, no
 * sampling): p50/p90/p99 are samples that really happened.  Failure causes
 * are short strings the generator makes ("timeout waiting for MM4",
 * "notify NO_PROPOSAL_CHOSEN in MM2"); each distinct cause keeps its own
 * count, so a failure is never folded into an average.
 *
 * What it must not do: print, or read the clock (the caller gives the
 * milliseconds).  Ownership: the caller owns each struct and frees it with
 * its _free(); strings given to load_causes_add() are copied.
 */
#ifndef L2TPSEC_BENCH_LOAD_STATS_H
#define L2TPSEC_BENCH_LOAD_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/netaddr.h"
#include "lib/util.h"

struct load_latency {
	uint32_t *samples_ms;
	size_t count, capacity;
	bool sorted;
};

/* Records one latency; false if out of memory (the sample is lost, the caller counts it). */
bool load_latency_add(struct load_latency *l, uint32_t ms) WARN_UNUSED;

/* The nearest-rank percentile (0 < percent <= 100); 0 when there is no sample. */
uint32_t load_latency_percentile(struct load_latency *l, double percent);

void load_latency_free(struct load_latency *l);

#define LOAD_CAUSE_MAX 64

struct load_cause {
	char text[LOAD_CAUSE_MAX];
	unsigned long count;
};

struct load_causes {
	struct load_cause *causes;
	size_t count;
	unsigned long total;
};

/* Counts one failure of this cause (truncated to LOAD_CAUSE_MAX - 1); false if out of memory. */
bool load_causes_add(struct load_causes *c, const char *text) WARN_UNUSED;

void load_causes_free(struct load_causes *c);

/* An IPv4 block: "198.51.100.0/24".  Its hosts exclude the network and broadcast addresses of a
 * block shorter than /31. */
struct load_cidr {
	uint32_t first;                 /* host order */
	uint32_t host_count;
};

bool load_cidr_parse(struct load_cidr *c, const char *text) WARN_UNUSED;

/* The index-th host (index < host_count), with port. */
void load_cidr_host(const struct load_cidr *c, uint32_t index, uint16_t port, struct netaddr *out);

#endif
