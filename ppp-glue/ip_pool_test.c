/*
 * ip_pool_test.c - the pool: range checks, take order, least recently
 * released first, claims inside and outside the range, double use refused,
 * exhaustion, a full 65536-address pool, a random walk against a model, and
 * an out-of-memory walk.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/alloc.h"
#include "ppp-glue/ip_pool.h"
#include "tests/harness/tap.h"

static struct in_addr addr(const char *text)
{
	struct in_addr a = { 0 };

	if (inet_pton(AF_INET, text, &a) != 1)
		abort();
	return a;
}

static struct in_addr host(uint32_t value)
{
	return (struct in_addr){ .s_addr = htonl(value) };
}

static bool same(struct in_addr a, const char *text)
{
	return a.s_addr == addr(text).s_addr;
}

static void test_ranges(void)
{
	struct ip_pool *pool = NULL;

	is_int(ip_pool_new(addr("10.8.0.10"), addr("10.8.0.9"), &pool), -EINVAL,
	       "last before first is -EINVAL");
	ok(pool == NULL, "and returns nothing");
	is_int(ip_pool_new(addr("10.0.0.0"), addr("10.1.0.0"), &pool), -EINVAL,
	       "65537 addresses are -EINVAL");
	is_int(ip_pool_new(addr("0.0.0.0"), addr("0.0.0.9"), &pool), -EINVAL,
	       "a range holding 0.0.0.0 is -EINVAL");
	is_int(ip_pool_new(addr("10.8.0.5"), addr("10.8.0.5"), &pool), 0, "one address is a pool");
	ok(pool != NULL && ip_pool_size(pool) == 1, "of size 1");
	ip_pool_free(pool);
	ip_pool_free(NULL);
}

static void test_order(void)
{
	struct ip_pool *pool = NULL;
	struct in_addr a, b, c, d;

	if (ip_pool_new(addr("10.8.0.2"), addr("10.8.0.5"), &pool) != 0)
		abort();
	is_uint(ip_pool_free_count(pool), 4, "four free");
	ok(ip_pool_take(pool, &a) == 0 && same(a, "10.8.0.2"), "the first take is the first address");
	ok(ip_pool_take(pool, &b) == 0 && same(b, "10.8.0.3"), "then the next");
	is_int(ip_pool_release(pool, a), 0, "10.8.0.2 released");
	ok(ip_pool_take(pool, &c) == 0 && same(c, "10.8.0.4"),
	   "a just-released address is not reused while never-used ones wait");
	ok(ip_pool_take(pool, &d) == 0 && same(d, "10.8.0.5"), "10.8.0.5 next");
	ok(ip_pool_take(pool, &a) == 0 && same(a, "10.8.0.2"), "then the released one");
	is_int(ip_pool_take(pool, &a), -ENOSPC, "an empty pool is -ENOSPC");
	is_uint(ip_pool_in_use_count(pool), 4, "four in use");

	is_int(ip_pool_release(pool, d), 0, "release .5");
	is_int(ip_pool_release(pool, b), 0, "release .3");
	is_int(ip_pool_release(pool, c), 0, "release .4");
	ok(ip_pool_take(pool, &a) == 0 && same(a, "10.8.0.5"), "released longest ago comes first");
	ok(ip_pool_take(pool, &a) == 0 && same(a, "10.8.0.3"), "then the next released");
	is_int(ip_pool_release(pool, addr("10.8.0.4")), -ENOENT, "releasing a free address is -ENOENT");
	is_int(ip_pool_release(pool, addr("192.0.2.1")), -ENOENT,
	       "releasing an unknown outside address is -ENOENT");
	ip_pool_free(pool);
}

static void test_claims(void)
{
	struct ip_pool *pool = NULL;
	struct in_addr a;

	if (ip_pool_new(addr("10.8.0.1"), addr("10.8.0.3"), &pool) != 0)
		abort();
	is_int(ip_pool_claim(pool, addr("10.8.0.1")), 0, "the server's own address is claimed");
	is_int(ip_pool_claim(pool, addr("10.8.0.1")), -EADDRINUSE, "claiming it again: -EADDRINUSE");
	is_int(ip_pool_claim(pool, addr("10.9.0.7")), 0, "a static address outside the range");
	is_int(ip_pool_claim(pool, addr("10.9.0.7")), -EADDRINUSE, "twice: -EADDRINUSE");
	is_int(ip_pool_claim(pool, addr("10.9.0.3")), 0, "another outside, sorted before it");
	is_int(ip_pool_claim(pool, addr("0.0.0.0")), -EINVAL, "0.0.0.0 is -EINVAL");
	ok(ip_pool_in_use(pool, addr("10.9.0.7")) && ip_pool_in_use(pool, addr("10.9.0.3")) &&
	   !ip_pool_in_use(pool, addr("10.9.0.5")), "in_use knows outside addresses");
	ok(ip_pool_contains(pool, addr("10.8.0.2")) && !ip_pool_contains(pool, addr("10.9.0.7")),
	   "contains is about the range");
	is_uint(ip_pool_in_use_count(pool), 3, "three in use");
	is_uint(ip_pool_free_count(pool), 2, "two free in the range");

	ok(ip_pool_take(pool, &a) == 0 && same(a, "10.8.0.2"), "take skips the claimed .1");
	is_int(ip_pool_claim(pool, a), -EADDRINUSE, "a taken address cannot be claimed");
	is_int(ip_pool_claim(pool, addr("10.8.0.3")), 0, "a static address inside the range");
	is_int(ip_pool_take(pool, &a), -ENOSPC, "now nothing is left to take");

	is_int(ip_pool_release(pool, addr("10.9.0.7")), 0, "an outside address released");
	ok(!ip_pool_in_use(pool, addr("10.9.0.7")) && ip_pool_in_use(pool, addr("10.9.0.3")),
	   "only that one is free again");
	is_int(ip_pool_claim(pool, addr("10.9.0.7")), 0, "and can be claimed again");
	is_int(ip_pool_release(pool, addr("10.8.0.3")), 0, "the inside static one released");
	ok(ip_pool_take(pool, &a) == 0 && same(a, "10.8.0.3"), "joins the FIFO like any other");
	ip_pool_free(pool);
}

static void test_full_range(void)
{
	struct ip_pool *pool = NULL;
	struct in_addr a;
	bool in_order = true;

	is_int(ip_pool_new(addr("10.0.0.0"), addr("10.0.255.255"), &pool), 0,
	       "a pool of 65536 addresses");
	if (pool == NULL)
		return;
	for (uint32_t i = 0; i < IP_POOL_RANGE_MAX; i++) {
		if (ip_pool_take(pool, &a) != 0 || ntohl(a.s_addr) != 0x0a000000u + i)
			in_order = false;
	}
	ok(in_order, "all 65536 are handed out once, in order");
	is_int(ip_pool_take(pool, &a), -ENOSPC, "then none");
	is_int(ip_pool_release(pool, addr("10.0.255.255")), 0, "the last address released");
	ok(ip_pool_take(pool, &a) == 0 && same(a, "10.0.255.255"), "and taken back");
	ip_pool_free(pool);
}

/* Random operations against a plain array model: never a double hand-out, counts agree. */
static void test_random_walk(void)
{
	enum { RANGE = 64, OUTSIDE = 16 };
	bool model[RANGE + OUTSIDE] = { false };
	struct ip_pool *pool = NULL;
	unsigned bad = 0, in_use = 0;
	uint32_t first = 0xc0000200u;   /* 192.0.2.0 .. 192.0.2.63; 192.0.2.64.. outside */

	if (ip_pool_new(host(first), host(first + RANGE - 1), &pool) != 0)
		abort();
	srand(4);
	for (int step = 0; step < 20000; step++) {
		uint32_t pick = (uint32_t)rand() % (RANGE + OUTSIDE);
		struct in_addr a;
		int rc;

		switch (rand() % 3) {
		case 0:
			rc = ip_pool_take(pool, &a);
			if (rc == 0) {
				uint32_t i = ntohl(a.s_addr) - first;

				if (i >= RANGE || model[i])
					bad++;
				else
					model[i] = true, in_use++;
			} else if (rc != -ENOSPC || ip_pool_free_count(pool) != 0) {
				bad++;
			}
			break;
		case 1:
			rc = ip_pool_claim(pool, host(first + pick));
			if (rc != (model[pick] ? -EADDRINUSE : 0))
				bad++;
			else if (rc == 0)
				model[pick] = true, in_use++;
			break;
		default:
			rc = ip_pool_release(pool, host(first + pick));
			if (rc != (model[pick] ? 0 : -ENOENT))
				bad++;
			else if (rc == 0)
				model[pick] = false, in_use--;
			break;
		}
		if (ip_pool_in_use_count(pool) != in_use)
			bad++;
	}
	is_uint(bad, 0, "20000 random takes, claims and releases agree with the model");
	ip_pool_free(pool);
}

static void test_out_of_memory(void)
{
	struct ip_pool *pool = NULL;
	unsigned long n;
	unsigned failed_cleanly = 0;
	int rc = -ENOMEM;

	for (n = 1; n < 50; n++) {
		alloc_fail_at(n);
		rc = ip_pool_new(addr("10.8.0.1"), addr("10.8.0.100"), &pool);
		alloc_fail_at(0);
		if (rc == 0)
			break;
		if (rc == -ENOMEM && pool == NULL)
			failed_cleanly++;
	}
	ok(rc == 0, "ip_pool_new succeeds past the failures");
	is_uint(failed_cleanly, n - 1, "every earlier failure was -ENOMEM");
	ok(n > 3, "the walk reached every array (%lu)", n);
	alloc_fail_at(1);
	rc = ip_pool_claim(pool, addr("192.0.2.9"));
	alloc_fail_at(0);
	is_int(rc, -ENOMEM, "an outside claim that cannot grow its list is -ENOMEM");
	ok(!ip_pool_in_use(pool, addr("192.0.2.9")), "and claims nothing");
	is_int(ip_pool_claim(pool, addr("192.0.2.9")), 0, "it works once memory is back");
	ip_pool_free(pool);
}

int main(void)
{
	test_ranges();
	test_order();
	test_claims();
	test_full_range();
	test_random_walk();
	test_out_of_memory();
	return tap_done();
}
