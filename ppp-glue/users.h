/*
 * users.h - the users file: who may connect, with which NT hash, and which
 * address (see l2tpsec-users(5) for the format).
 *
 * One user per line, NAME:NTHASH:ADDRESS:STATE.  users_parse() reads a whole
 * buffer into an immutable struct users; a bad line is reported through the
 * caller's callback with its line number and a reason, and skipped, so one typo
 * never locks the other users out.  A later line repeating a name, or a static
 * address, is reported and skipped: the first wins.  users_load() reads a file
 * (at most USERS_FILE_MAX bytes) and warns when group or others may read or
 * write it, since an NT hash is a password equivalent.
 *
 * Names are looked up ignoring ASCII case, as Windows treats user names: a
 * client configured with "Alice" finds the line "alice".  Two names differing
 * only in ASCII case are duplicates.  Bytes outside ASCII compare exactly (no
 * Unicode case folding).  MS-CHAPv2 itself is unaffected: its ChallengeHash
 * takes the name exactly as the client sent it (mschapv2_verify), and the NT
 * hash does not depend on the name.
 *
 * What it must not do: log (reasons go to the callback and never contain a
 * hash or any part of one), or keep a pointer into the caller's buffer.
 * Ownership: the struct users owns its entries; users_free() wipes the hashes.
 * Entries stay valid until users_free().  Reload builds a new struct users and
 * frees the old one when nothing uses its entries any more.
 */
#ifndef L2TPSEC_PPP_GLUE_USERS_H
#define L2TPSEC_PPP_GLUE_USERS_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/util.h"

enum {
	USERS_NAME_MAX = 64,                /* bytes of UTF-8 */
	USERS_NT_HASH_LEN = 16,             /* MD4 of the UTF-16LE password (NT_HASH_LEN) */
	USERS_FILE_MAX = 4 * 1024 * 1024,   /* users_load() refuses a larger file */
	USERS_LINE_MAX = 160,               /* users_format_line()'s longest line, with "\n" and NUL */
	USERS_REASON_MAX = 128,             /* a reason's length, with NUL */
};

struct users_entry {
	char name[USERS_NAME_MAX + 1];      /* NUL-terminated; valid UTF-8, no ':' '\\' or controls */
	size_t name_len;
	uint8_t nt_hash[USERS_NT_HASH_LEN];
	bool has_address;                   /* false: the address comes from the pool */
	struct in_addr address;             /* the user's static address when has_address */
	bool enabled;
	unsigned line;                      /* where it was defined, for log lines */
};

struct users;

enum users_severity {
	USERS_LINE_SKIPPED,     /* the line was not taken; the others were */
	USERS_WARNING,          /* nothing was skipped (file permissions) */
};

struct users_problem {
	unsigned line;          /* 1-based; 0 for the file as a whole */
	enum users_severity severity;
	const char *reason;     /* e.g. "NTHASH: not 32 hexadecimal digits"; never quotes a hash */
};

typedef void users_report_fn(void *arg, const struct users_problem *problem);

/*
 * Parses len bytes of text (need not be NUL-terminated; may hold NUL bytes,
 * which make their line bad).  Problems go to report (may be NULL).  0 with
 * *out set (possibly with no users), or -ENOMEM.
 */
int users_parse(const char *text, size_t len, users_report_fn *report, void *arg,
		struct users **out) WARN_UNUSED;

/*
 * Reads and parses the file at path.  0 with *out set, or -errno: -EFBIG when
 * larger than USERS_FILE_MAX, -EINVAL when not a regular file, what open/read
 * return, -ENOMEM.  Mode bits 0077 set give a USERS_WARNING on line 0.
 */
int users_load(const char *path, users_report_fn *report, void *arg,
	       struct users **out) WARN_UNUSED;

/*
 * Reads all of fd (size_hint: its size if known, else 0) into a fresh buffer of
 * *capacity bytes, len of them used and capacity > len; every copy it outgrows
 * is wiped, and the caller wipe-frees the buffer (it holds NT hashes).  0, or
 * -EFBIG past USERS_FILE_MAX, -ENOMEM, what read returns.
 */
int users_read_fd(int fd, size_t size_hint, char **buffer, size_t *capacity, size_t *len) WARN_UNUSED;

/* Wipes the hashes and frees; NULL is a no-op. */
void users_free(struct users *users);

/* The user named name[0..len) (ASCII case ignored), or NULL. */
const struct users_entry *users_find(const struct users *users, const char *name, size_t len);

/* How many users were taken; users_at(users, 0..count-1) walks them in file order. */
size_t users_count(const struct users *users);
const struct users_entry *users_at(const struct users *users, size_t index);

/*
 * True if name[0..len) may be a user's name: 1..USERS_NAME_MAX bytes of
 * UTF-8 without control characters, ':' or '\\', not starting with '#', no
 * leading or trailing space.  Otherwise false and *reason (if not NULL) says why.
 */
bool users_name_valid(const char *name, size_t len, const char **reason);

/*
 * Writes "NAME:NTHASH:ADDRESS:STATE\n" (NUL-terminated, hash in lowercase hex)
 * into buf, for the admin tool.  address NULL means "from the pool".  Returns
 * the line's length without the NUL, -EINVAL for an invalid name or address
 * (the same rules the parser applies), -ENOSPC if size is too small
 * (USERS_LINE_MAX always suffices).
 */
int users_format_line(char *buf, size_t size, const char *name, size_t name_len,
		      const uint8_t nt_hash[USERS_NT_HASH_LEN], const struct in_addr *address,
		      bool enabled) WARN_UNUSED;

#endif
