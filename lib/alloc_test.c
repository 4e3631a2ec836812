/*
 * alloc_test.c - the allocation wrappers and the failure-injection hook.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "lib/alloc.h"
#include "tests/harness/tap.h"

static void test_wrappers(void)
{
	unsigned char *p;
	uint32_t *array, *grown;
	char *copy;
	void *dup;

	p = alloc_zero(64);
	ok(p != NULL, "alloc_zero(64)");
	is_mem(p, (unsigned char[64]){ 0 }, 64, "alloc_zero memory is zeroed");
	alloc_free(p);
	p = alloc_zero(0);
	ok(p != NULL, "alloc_zero(0) is a unique pointer, not NULL");
	alloc_free(p);

	array = alloc_array(16, sizeof *array);
	ok(array != NULL, "alloc_array(16, 4)");
	is_mem(array, (uint32_t[16]){ 0 }, 16 * sizeof *array, "alloc_array memory is zeroed");
	for (uint32_t i = 0; i < 16; i++)
		array[i] = i;
	errno = 0;
	ok(alloc_array(SIZE_MAX / 2, 3) == NULL && errno == ENOMEM,
	   "alloc_array overflow is NULL, ENOMEM");

	errno = 0;
	grown = alloc_realloc_array(array, SIZE_MAX / 4, 8);
	ok(grown == NULL && errno == ENOMEM, "alloc_realloc_array overflow is NULL, ENOMEM");
	ok(array[15] == 15, "the old array is untouched after a refused realloc");
	grown = alloc_realloc_array(array, 1024, sizeof *array);
	ok(grown != NULL, "alloc_realloc_array grows");
	ok(grown[0] == 0 && grown[15] == 15, "alloc_realloc_array keeps the contents");
	array = alloc_realloc_array(grown, 0, sizeof *grown);
	ok(array != NULL, "alloc_realloc_array to 0 elements is a unique pointer");
	alloc_free(array);
	array = alloc_realloc_array(NULL, 4, sizeof *array);
	ok(array != NULL, "alloc_realloc_array(NULL, ...) allocates");
	alloc_free(array);

	copy = alloc_strdup("peer.example");
	is_str(copy, "peer.example", "alloc_strdup");
	alloc_free(copy);
	copy = alloc_strdup("");
	is_str(copy, "", "alloc_strdup of an empty string");
	alloc_free(copy);

	dup = alloc_memdup("\x01\x00\x02", 3);
	ok(dup != NULL, "alloc_memdup");
	is_mem(dup, "\x01\x00\x02", 3, "alloc_memdup copies embedded NULs");
	alloc_free_wipe(dup, 3);
	dup = alloc_memdup(NULL, 0);
	ok(dup != NULL, "alloc_memdup of 0 bytes");
	alloc_free(dup);

	alloc_free(NULL);
	alloc_free_wipe(NULL, 16);
	ok(true, "alloc_free(NULL) and alloc_free_wipe(NULL) are no-ops");
}

static void test_hook(void)
{
	unsigned long start = alloc_count();
	void *a, *b, *c, *d;
	char *s;

	a = alloc_zero(8);
	is_uint(alloc_count(), start + 1, "alloc_count counts an allocation");
	alloc_free(a);

	alloc_fail_at(1);
	errno = 0;
	a = alloc_zero(8);
	ok(a == NULL && errno == ENOMEM, "alloc_fail_at(1): the next allocation fails with ENOMEM");
	is_uint(alloc_count(), start + 2, "a failed attempt is counted too");
	a = alloc_zero(8);
	ok(a != NULL, "alloc_fail_at(1): only that one");
	alloc_free(a);

	alloc_fail_at(3);
	a = alloc_zero(8);
	b = alloc_strdup("x");
	c = alloc_array(2, 2);
	d = alloc_memdup("y", 1);
	ok(a && b && !c && d, "alloc_fail_at(3): exactly the third fails");
	alloc_free(a);
	alloc_free(b);
	alloc_free(d);

	alloc_fail_from(2);
	a = alloc_zero(8);
	b = alloc_zero(8);
	c = alloc_realloc_array(NULL, 1, 8);
	s = alloc_strdup("z");
	ok(a && !b && !c && !s, "alloc_fail_from(2): the second and every later one fail");
	alloc_fail_from(0);
	b = alloc_zero(8);
	ok(b != NULL, "alloc_fail_from(0) disables");
	alloc_free(a);
	alloc_free(b);

	alloc_fail_at(2);
	alloc_fail_at(0);
	a = alloc_zero(8);
	b = alloc_zero(8);
	ok(a && b, "alloc_fail_at(0) disables");
	alloc_free(a);
	alloc_free(b);

	a = alloc_array(4, 4);
	alloc_fail_at(1);
	b = alloc_realloc_array(a, 64, 4);
	ok(b == NULL, "an injected realloc failure returns NULL");
	b = alloc_realloc_array(a, 64, 4);
	ok(b != NULL, "and the original block is still valid and growable");
	alloc_free(b);
}

int main(void)
{
	test_wrappers();
	test_hook();
	return tap_done();
}
