/*
 * load_stats.c - latencies, failure causes and source blocks.  See load_stats.h.
 */
#include "bench/load_stats.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/alloc.h"

bool load_latency_add(struct load_latency *l, uint32_t ms)
{
	if (l->count == l->capacity) {
		size_t capacity = l->capacity ? l->capacity * 2 : 1024;
		uint32_t *grown = alloc_realloc_array(l->samples_ms, capacity, sizeof(*grown));

		if (!grown)
			return false;
		l->samples_ms = grown;
		l->capacity = capacity;
	}
	l->samples_ms[l->count++] = ms;
	l->sorted = false;
	return true;
}

static int load_latency_compare(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

uint32_t load_latency_percentile(struct load_latency *l, double percent)
{
	size_t rank;

	if (!l->count)
		return 0;
	if (!l->sorted) {
		qsort(l->samples_ms, l->count, sizeof(*l->samples_ms), load_latency_compare);
		l->sorted = true;
	}
	/* Nearest rank: the smallest sample with at least percent% of the samples at or below it. */
	rank = (size_t)(percent / 100.0 * (double)l->count + 0.999999);
	if (rank < 1)
		rank = 1;
	if (rank > l->count)
		rank = l->count;
	return l->samples_ms[rank - 1];
}

void load_latency_free(struct load_latency *l)
{
	alloc_free(l->samples_ms);
	memset(l, 0, sizeof(*l));
}

bool load_causes_add(struct load_causes *c, const char *text)
{
	struct load_cause *grown;

	for (size_t i = 0; i < c->count; i++) {
		if (strncmp(c->causes[i].text, text, LOAD_CAUSE_MAX - 1) == 0) {
			c->causes[i].count++;
			c->total++;
			return true;
		}
	}
	grown = alloc_realloc_array(c->causes, c->count + 1, sizeof(*grown));
	if (!grown)
		return false;
	c->causes = grown;
	memset(&c->causes[c->count], 0, sizeof(c->causes[c->count]));
	strncpy(c->causes[c->count].text, text, LOAD_CAUSE_MAX - 1);
	c->causes[c->count].count = 1;
	c->count++;
	c->total++;
	return true;
}

void load_causes_free(struct load_causes *c)
{
	alloc_free(c->causes);
	memset(c, 0, sizeof(*c));
}

bool load_cidr_parse(struct load_cidr *c, const char *text)
{
	char address[INET_ADDRSTRLEN];
	const char *slash = strchr(text, '/');
	struct in_addr in;
	char *end;
	unsigned long bits;
	uint32_t mask, base;

	if (!slash || (size_t)(slash - text) >= sizeof(address))
		return false;
	memcpy(address, text, (size_t)(slash - text));
	address[slash - text] = '\0';
	errno = 0;
	bits = strtoul(slash + 1, &end, 10);
	if (errno || end == slash + 1 || *end || bits < 1 || bits > 32 ||
	    inet_pton(AF_INET, address, &in) != 1)
		return false;
	mask = bits == 32 ? 0xffffffffu : ~(0xffffffffu >> bits);
	base = ntohl(in.s_addr) & mask;
	if (bits >= 31) {
		c->first = base;
		c->host_count = bits == 32 ? 1 : 2;
	} else {
		c->first = base + 1;
		c->host_count = (~mask) - 1;
	}
	return true;
}

void load_cidr_host(const struct load_cidr *c, uint32_t index, uint16_t port, struct netaddr *out)
{
	struct sockaddr_in sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(c->first + index);
	if (!netaddr_from_sockaddr(out, (const struct sockaddr *)&sin, sizeof(sin)))
		memset(out, 0, sizeof(*out));
}
