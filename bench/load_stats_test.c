/*
 * load_stats_test.c - percentiles, failure causes and source blocks of the load generator.
 */
#include "bench/load_stats.h"

#include <string.h>

#include "lib/alloc.h"
#include "tests/harness/tap.h"

static void test_percentiles(void)
{
	struct load_latency l = { 0 };

	is_uint(load_latency_percentile(&l, 50), 0, "no sample: 0");
	for (uint32_t ms = 100; ms >= 1; ms--)
		ok(load_latency_add(&l, ms), "sample %u recorded", ms);
	is_uint(l.count, 100, "100 samples");
	is_uint(load_latency_percentile(&l, 50), 50, "p50 of 1..100 is 50 (nearest rank)");
	is_uint(load_latency_percentile(&l, 90), 90, "p90 is 90");
	is_uint(load_latency_percentile(&l, 99), 99, "p99 is 99");
	is_uint(load_latency_percentile(&l, 100), 100, "max is 100");
	ok(load_latency_add(&l, 5000), "an outlier recorded after sorting");
	is_uint(load_latency_percentile(&l, 100), 5000, "max sees the sample added after a sort");
	is_uint(load_latency_percentile(&l, 50), 51, "p50 of 101 samples is the 51st");
	load_latency_free(&l);
	ok(load_latency_add(&l, 7), "one sample");
	is_uint(load_latency_percentile(&l, 1), 7, "p1 of one sample is that sample");
	is_uint(load_latency_percentile(&l, 99), 7, "p99 of one sample is that sample");
	load_latency_free(&l);
	ok(l.samples_ms == NULL && l.count == 0, "free leaves an empty struct");
	alloc_fail_at(1);      /* the next allocation fails */
	ok(!load_latency_add(&l, 1), "out of memory: the sample is refused, not lost silently");
	alloc_fail_at(0);
	load_latency_free(&l);
}

static void test_causes(void)
{
	struct load_causes c = { 0 };
	char long_cause[200];

	ok(load_causes_add(&c, "timeout waiting for MM2"), "first cause");
	ok(load_causes_add(&c, "notify NO_PROPOSAL_CHOSEN in MM2"), "second cause");
	ok(load_causes_add(&c, "timeout waiting for MM2"), "first cause again");
	is_uint(c.count, 2, "two distinct causes");
	is_uint(c.total, 3, "three failures");
	is_uint(c.causes[0].count, 2, "the repeated cause counts twice");
	is_str(c.causes[1].text, "notify NO_PROPOSAL_CHOSEN in MM2", "text kept");
	memset(long_cause, 'x', sizeof(long_cause) - 1);
	long_cause[sizeof(long_cause) - 1] = '\0';
	ok(load_causes_add(&c, long_cause), "an over-long cause");
	ok(load_causes_add(&c, long_cause), "the same over-long cause");
	is_uint(c.count, 3, "an over-long cause is truncated and still matched");
	is_uint(strlen(c.causes[2].text), LOAD_CAUSE_MAX - 1, "truncated to the buffer");
	load_causes_free(&c);
	ok(c.causes == NULL && c.total == 0, "free leaves an empty struct");
}

static void test_cidr(void)
{
	struct load_cidr c;
	struct netaddr a;
	char text[NETADDR_STRLEN];

	ok(load_cidr_parse(&c, "198.51.100.0/24"), "a /24");
	is_uint(c.host_count, 254, "a /24 has 254 hosts");
	load_cidr_host(&c, 0, 500, &a);
	is_str(netaddr_format(&a, text), "198.51.100.1:500", "first host");
	load_cidr_host(&c, 253, 500, &a);
	is_str(netaddr_format_addr(&a, text), "198.51.100.254", "last host");
	ok(load_cidr_parse(&c, "127.1.2.3/16"), "host bits are masked off");
	is_uint(c.host_count, 65534, "a /16 has 65534 hosts");
	load_cidr_host(&c, 256, 0, &a);
	is_str(netaddr_format_addr(&a, text), "127.1.1.1", "index 256 of 127.1.0.0/16");
	ok(load_cidr_parse(&c, "192.0.2.7/32"), "a /32");
	is_uint(c.host_count, 1, "a /32 is one host");
	load_cidr_host(&c, 0, 0, &a);
	is_str(netaddr_format_addr(&a, text), "192.0.2.7", "the /32 itself");
	ok(load_cidr_parse(&c, "192.0.2.6/31") && c.host_count == 2, "a /31 has two hosts");
	ok(!load_cidr_parse(&c, "192.0.2.0"), "no prefix length refused");
	ok(!load_cidr_parse(&c, "192.0.2.0/0"), "/0 refused");
	ok(!load_cidr_parse(&c, "192.0.2.0/33"), "/33 refused");
	ok(!load_cidr_parse(&c, "192.0.2.0/24x"), "trailing junk refused");
	ok(!load_cidr_parse(&c, "192.0.2/24"), "a short address refused");
	ok(!load_cidr_parse(&c, "2001:db8::/64"), "IPv6 refused (IPv4 only)");
	ok(!load_cidr_parse(&c, "/24"), "empty address refused");
}

int main(void)
{
	test_percentiles();
	test_causes();
	test_cidr();
	return tap_done();
}
