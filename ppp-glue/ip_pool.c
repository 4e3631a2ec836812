/*
 * ip_pool.c - a bitmap of range addresses in use, a doubly linked FIFO of the
 * free ones kept as index arrays (slot `size` is the list head), and a sorted
 * array of claimed addresses outside the range.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "lib/alloc.h"
#include "ppp-glue/ip_pool.h"

struct ip_pool {
	uint32_t first;         /* host byte order */
	uint32_t size;          /* addresses in the range, 1..IP_POOL_RANGE_MAX */
	uint64_t *in_use;       /* bit i: first + i is in use */
	uint32_t *next;         /* size + 1 slots; slot size is the head of the free FIFO */
	uint32_t *prev;
	size_t free_count;
	uint32_t *outside;      /* claimed addresses outside the range, ascending, host order */
	size_t outside_count;
	size_t outside_capacity;
};

static bool ip_pool_bit(const struct ip_pool *pool, uint32_t index)
{
	return (pool->in_use[index / 64] >> (index % 64)) & 1;
}

static void ip_pool_set_bit(struct ip_pool *pool, uint32_t index, bool value)
{
	uint64_t bit = UINT64_C(1) << (index % 64);

	if (value)
		pool->in_use[index / 64] |= bit;
	else
		pool->in_use[index / 64] &= ~bit;
}

static void ip_pool_unlink(struct ip_pool *pool, uint32_t index)
{
	pool->next[pool->prev[index]] = pool->next[index];
	pool->prev[pool->next[index]] = pool->prev[index];
	pool->free_count--;
}

static void ip_pool_append(struct ip_pool *pool, uint32_t index)
{
	uint32_t head = pool->size, tail = pool->prev[head];

	pool->next[tail] = index;
	pool->prev[index] = tail;
	pool->next[index] = head;
	pool->prev[head] = index;
	pool->free_count++;
}

int ip_pool_new(struct in_addr first, struct in_addr last, struct ip_pool **out)
{
	uint32_t low = ntohl(first.s_addr), high = ntohl(last.s_addr);
	struct ip_pool *pool;

	*out = NULL;
	if (high < low || high - low >= IP_POOL_RANGE_MAX || low == 0)
		return -EINVAL;
	pool = alloc_zero(sizeof(*pool));
	if (pool == NULL)
		return -ENOMEM;
	pool->first = low;
	pool->size = high - low + 1;
	pool->in_use = alloc_array((pool->size + 63) / 64, sizeof(*pool->in_use));
	pool->next = alloc_array((size_t)pool->size + 1, sizeof(*pool->next));
	pool->prev = alloc_array((size_t)pool->size + 1, sizeof(*pool->prev));
	if (pool->in_use == NULL || pool->next == NULL || pool->prev == NULL) {
		ip_pool_free(pool);
		return -ENOMEM;
	}
	pool->next[pool->size] = pool->size;
	pool->prev[pool->size] = pool->size;
	for (uint32_t i = 0; i < pool->size; i++)
		ip_pool_append(pool, i);
	*out = pool;
	return 0;
}

void ip_pool_free(struct ip_pool *pool)
{
	if (pool == NULL)
		return;
	alloc_free(pool->in_use);
	alloc_free(pool->next);
	alloc_free(pool->prev);
	alloc_free(pool->outside);
	alloc_free(pool);
}

/* The index of host-order address in the range, or false. */
static bool ip_pool_index(const struct ip_pool *pool, uint32_t host, uint32_t *index)
{
	if (host < pool->first || host - pool->first >= pool->size)
		return false;
	*index = host - pool->first;
	return true;
}

/* Where host is, or would be inserted, in the sorted outside list. */
static size_t ip_pool_outside_find(const struct ip_pool *pool, uint32_t host, bool *found)
{
	size_t low = 0, high = pool->outside_count;

	while (low < high) {
		size_t middle = low + (high - low) / 2;

		if (pool->outside[middle] < host)
			low = middle + 1;
		else
			high = middle;
	}
	*found = low < pool->outside_count && pool->outside[low] == host;
	return low;
}

int ip_pool_take(struct ip_pool *pool, struct in_addr *address)
{
	uint32_t index = pool->next[pool->size];

	if (index == pool->size)
		return -ENOSPC;
	ip_pool_unlink(pool, index);
	ip_pool_set_bit(pool, index, true);
	address->s_addr = htonl(pool->first + index);
	return 0;
}

static int ip_pool_claim_outside(struct ip_pool *pool, uint32_t host)
{
	bool found;
	size_t at = ip_pool_outside_find(pool, host, &found);

	if (found)
		return -EADDRINUSE;
	if (pool->outside_count == pool->outside_capacity) {
		size_t capacity = pool->outside_capacity == 0 ? 8 : pool->outside_capacity * 2;
		uint32_t *grown = alloc_realloc_array(pool->outside, capacity, sizeof(*grown));

		if (grown == NULL)
			return -ENOMEM;
		pool->outside = grown;
		pool->outside_capacity = capacity;
	}
	memmove(&pool->outside[at + 1], &pool->outside[at],
		(pool->outside_count - at) * sizeof(*pool->outside));
	pool->outside[at] = host;
	pool->outside_count++;
	return 0;
}

int ip_pool_claim(struct ip_pool *pool, struct in_addr address)
{
	uint32_t host = ntohl(address.s_addr), index;

	if (host == 0)
		return -EINVAL;
	if (!ip_pool_index(pool, host, &index))
		return ip_pool_claim_outside(pool, host);
	if (ip_pool_bit(pool, index))
		return -EADDRINUSE;
	ip_pool_unlink(pool, index);
	ip_pool_set_bit(pool, index, true);
	return 0;
}

int ip_pool_release(struct ip_pool *pool, struct in_addr address)
{
	uint32_t host = ntohl(address.s_addr), index;
	bool found;
	size_t at;

	if (ip_pool_index(pool, host, &index)) {
		if (!ip_pool_bit(pool, index))
			return -ENOENT;
		ip_pool_set_bit(pool, index, false);
		ip_pool_append(pool, index);
		return 0;
	}
	at = ip_pool_outside_find(pool, host, &found);
	if (!found)
		return -ENOENT;
	memmove(&pool->outside[at], &pool->outside[at + 1],
		(pool->outside_count - at - 1) * sizeof(*pool->outside));
	pool->outside_count--;
	return 0;
}

bool ip_pool_in_use(const struct ip_pool *pool, struct in_addr address)
{
	uint32_t host = ntohl(address.s_addr), index;
	bool found;

	if (ip_pool_index(pool, host, &index))
		return ip_pool_bit(pool, index);
	ip_pool_outside_find(pool, host, &found);
	return found;
}

bool ip_pool_contains(const struct ip_pool *pool, struct in_addr address)
{
	uint32_t index;

	return ip_pool_index(pool, ntohl(address.s_addr), &index);
}

size_t ip_pool_size(const struct ip_pool *pool)
{
	return pool->size;
}

size_t ip_pool_free_count(const struct ip_pool *pool)
{
	return pool->free_count;
}

size_t ip_pool_in_use_count(const struct ip_pool *pool)
{
	return pool->size - pool->free_count + pool->outside_count;
}
