/*
 * alloc.h - every heap allocation in l2tpsec, so that tests can make any one
 * of them fail.
 *
 * Thin wrappers over calloc/realloc/strdup/free that return NULL (errno
 * ENOMEM) on failure and never abort.  All memory comes back zeroed except
 * the grown tail of alloc_realloc_array(); a size of 0 still yields a unique
 * pointer, so NULL always means failure.  Array sizes are overflow-checked.
 *
 * The test hook (alloc_fail_at, alloc_fail_from, alloc_count) is the one
 * deliberate piece of process-wide mutable state in the project: a counter of
 * allocation attempts and the attempt number at which to start failing.  It
 * exists so an OOM walk can fail the 1st, 2nd, ... allocation of a test and
 * check every unwind path.  Production code never calls the hook.
 *
 * What it must not do: log, or fail any way but by returning NULL.
 * Ownership: the caller owns what it gets and releases it with alloc_free()
 * (alloc_free_wipe() for anything that held a secret).
 */
#ifndef L2TPSEC_LIB_ALLOC_H
#define L2TPSEC_LIB_ALLOC_H

#include <stddef.h>

#include "lib/util.h"

/* calloc(1, size): zeroed, NULL on failure. */
void *alloc_zero(size_t size) WARN_UNUSED __attribute__((malloc));

/* n zeroed elements of size bytes; NULL if n * size overflows or on failure. */
void *alloc_array(size_t n, size_t size) WARN_UNUSED __attribute__((malloc));

/*
 * Resizes p (NULL allocates) to n elements of size bytes; elements past the
 * old size are NOT zeroed.  On failure returns NULL and p is untouched and
 * still owned by the caller.
 */
void *alloc_realloc_array(void *p, size_t n, size_t size) WARN_UNUSED;

/* A copy of the NUL-terminated s; NULL on failure. */
char *alloc_strdup(const char *s) WARN_UNUSED __attribute__((malloc));

/* A copy of n bytes at p (a view that must outlive its packet); NULL on failure. */
void *alloc_memdup(const void *p, size_t n) WARN_UNUSED __attribute__((malloc));

/* free(); NULL is a no-op. */
void alloc_free(void *p);

/* Wipes the n bytes at p (a key, a PSK copy) and frees them; NULL is a no-op. */
void alloc_free_wipe(void *p, size_t n);

/* Test hook: the n-th allocation attempt from now fails (1 = the next one); 0 disables. */
void alloc_fail_at(unsigned long n);

/* Test hook: the n-th allocation attempt from now and every one after it fail; 0 disables. */
void alloc_fail_from(unsigned long n);

/* Test hook: allocation attempts (successful or not) since the process started. */
unsigned long alloc_count(void);

#endif
