/*
 * ip_pool.h - the IPv4 addresses handed to clients: a configured range for
 * anyone, plus static addresses of single users, never one address twice.
 *
 * ip_pool_take() gives the free range address released longest ago (free
 * addresses wait in a FIFO, never-used ones first in range order), so a just-
 * freed address, whose old session may still have packets or ARP entries in
 * flight, is reused last.  ip_pool_claim() marks one given address in use (a
 * user's static address, or the server's own address on the PPP links): inside
 * the range it leaves the FIFO, outside it is remembered in a sorted list.
 * Either way it is in use until ip_pool_release(), and claiming it while in use
 * fails with -EADDRINUSE.  Up to IP_POOL_RANGE_MAX addresses, in a bitmap and
 * an index-linked FIFO (about 8 bytes per address).
 *
 * What it must not do: log, or hand out an address it holds as in use.
 * Ownership: the pool owns its arrays; addresses are values.  Sessions hold
 * their address and must release it exactly once.
 */
#ifndef L2TPSEC_PPP_GLUE_IP_POOL_H
#define L2TPSEC_PPP_GLUE_IP_POOL_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/util.h"

enum { IP_POOL_RANGE_MAX = 65536 };

struct ip_pool;

/*
 * A pool of first..last inclusive (network byte order, as in struct in_addr).
 * 0, -EINVAL (last before first, more than IP_POOL_RANGE_MAX addresses), -ENOMEM.
 */
int ip_pool_new(struct in_addr first, struct in_addr last, struct ip_pool **out) WARN_UNUSED;

/* NULL is a no-op. */
void ip_pool_free(struct ip_pool *pool);

/* The free range address released longest ago, now in use.  0 or -ENOSPC (none free). */
int ip_pool_take(struct ip_pool *pool, struct in_addr *address) WARN_UNUSED;

/*
 * Marks address in use, inside the range or not.  0, -EADDRINUSE (already in
 * use), -EINVAL (0.0.0.0), -ENOMEM (outside the range: the list could not grow).
 */
int ip_pool_claim(struct ip_pool *pool, struct in_addr address) WARN_UNUSED;

/*
 * Frees an address from take or claim; a range address joins the FIFO's tail.
 * 0, or -ENOENT when it was not in use (a caller's bug; nothing changes).
 */
int ip_pool_release(struct ip_pool *pool, struct in_addr address) WARN_UNUSED;

/* In use right now (taken or claimed). */
bool ip_pool_in_use(const struct ip_pool *pool, struct in_addr address);

/* True if address lies in the range first..last. */
bool ip_pool_contains(const struct ip_pool *pool, struct in_addr address);

/* Addresses in the range; free ones in the range; in use anywhere (range and outside). */
size_t ip_pool_size(const struct ip_pool *pool);
size_t ip_pool_free_count(const struct ip_pool *pool);
size_t ip_pool_in_use_count(const struct ip_pool *pool);

#endif
