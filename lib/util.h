/*
 * util.h - small macros every part of l2tpsec shares.
 *
 * Compile-time helpers (array sizes, container_of, MIN/MAX, attribute
 * shorthands), util_wipe() for secrets and util_hex_digit().  Header only: no state, no
 * allocation, no knowledge of any protocol.  Anything that grows a .c file
 * belongs in a module of its own.
 */
#ifndef L2TPSEC_LIB_UTIL_H
#define L2TPSEC_LIB_UTIL_H

#include <stddef.h>
#include <string.h>

/* For functions whose result must be looked at (system wrappers, constructors). */
#define WARN_UNUSED __attribute__((warn_unused_result))

/* printf-style checking: f is the format's argument number, a the first vararg (0 for va_list). */
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))

/*
 * Number of elements of an array.  Passing a pointer is a compile error, not
 * a silent sizeof(pointer) / sizeof(element).
 */
#define UTIL_IS_ARRAY(a) (!__builtin_types_compatible_p(__typeof__(a), __typeof__(&(a)[0])))
#define ARRAY_SIZE(a)                                                                        \
	(sizeof(a) / sizeof((a)[0]) +                                                        \
	 0 * sizeof(struct {                                                                 \
		 int array_size_check;                                                       \
		 _Static_assert(UTIL_IS_ARRAY(a), "ARRAY_SIZE needs an array, not a pointer"); \
	 }))

/*
 * The structure that embeds *ptr as its member `member`.  The pointer must
 * have the member's type; a const pointer does not convert (the qualifier
 * would be lost silently).
 */
#define container_of(ptr, type, member)                                                      \
	__extension__({                                                                      \
		__typeof__(((type *)0)->member) *container_of_member_ = (ptr);               \
		(type *)(void *)((char *)container_of_member_ - offsetof(type, member));     \
	})

/*
 * Spelled token for token like <sys/param.h>, so either header may come first
 * without a redefinition warning.  Both arguments are evaluated twice.
 */
#ifndef MIN
#define MIN(a,b) (((a)<(b))?(a):(b))
#endif
#ifndef MAX
#define MAX(a,b) (((a)>(b))?(a):(b))
#endif

/* Zero memory that held a secret; the compiler may not drop the store. */
static inline void util_wipe(void *p, size_t n)
{
	if (n > 0)
		explicit_bzero(p, n);
}

/* The value of a hexadecimal digit (either case), or -1 for any other character. */
static inline int util_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#endif
