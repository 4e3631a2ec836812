/*
 * alloc.c - allocation wrappers and the failure-injection hook (see alloc.h).
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <stdatomic.h>

#include "lib/alloc.h"

/*
 * The documented exception to "no mutable globals": the OOM test hook.
 * alloc_attempts counts every allocation attempt; when alloc_fail_first is
 * not 0, attempt number alloc_fail_first fails, and so does every later one
 * if alloc_fail_onward is set.  Atomic because worker threads (lib/workq)
 * allocate too; the hook itself is meant for single-threaded test walks.
 */
static _Atomic unsigned long alloc_attempts;
static _Atomic unsigned long alloc_fail_first;
static _Atomic bool alloc_fail_onward;

/* Counts one attempt; true (with errno ENOMEM) if the hook says it fails. */
static bool alloc_injected_failure(void)
{
	unsigned long attempt = atomic_fetch_add_explicit(&alloc_attempts, 1, memory_order_relaxed) + 1;
	unsigned long first = atomic_load_explicit(&alloc_fail_first, memory_order_relaxed);

	if (first == 0 || attempt < first)
		return false;
	if (attempt > first && !atomic_load_explicit(&alloc_fail_onward, memory_order_relaxed))
		return false;
	errno = ENOMEM;
	return true;
}

void alloc_fail_at(unsigned long n)
{
	alloc_fail_first = n ? alloc_attempts + n : 0;
	alloc_fail_onward = false;
}

void alloc_fail_from(unsigned long n)
{
	alloc_fail_first = n ? alloc_attempts + n : 0;
	alloc_fail_onward = true;
}

unsigned long alloc_count(void)
{
	return alloc_attempts;
}

void *alloc_array(size_t n, size_t size)
{
	size_t total;

	if (alloc_injected_failure())
		return NULL;
	if (__builtin_mul_overflow(n, size, &total)) {
		errno = ENOMEM;
		return NULL;
	}
	return calloc(1, total ? total : 1);
}

void *alloc_zero(size_t size)
{
	return alloc_array(1, size);
}

void *alloc_realloc_array(void *p, size_t n, size_t size)
{
	size_t total;

	if (alloc_injected_failure())
		return NULL;
	if (__builtin_mul_overflow(n, size, &total)) {
		errno = ENOMEM;
		return NULL;
	}
	return realloc(p, total ? total : 1);
}

void *alloc_memdup(const void *p, size_t n)
{
	void *copy = alloc_array(1, n);

	if (copy && n > 0)
		memcpy(copy, p, n);
	return copy;
}

char *alloc_strdup(const char *s)
{
	return alloc_memdup(s, strlen(s) + 1);
}

void alloc_free(void *p)
{
	free(p);
}

void alloc_free_wipe(void *p, size_t n)
{
	if (p == NULL)
		return;
	util_wipe(p, n);
	free(p);
}
