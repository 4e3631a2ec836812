/*
 * users_edit.h - one change to the users file (add, delete, new password,
 * enable, disable), made at line level and written atomically under a lock.
 *
 * users_edit_text() is the pure part: the file's text in, the changed text
 * out.  Every line it does not change stays byte for byte (comments, blank
 * lines, lines the parser skips); a changed user keeps its line and its line
 * ending; a new user is appended.  Deleting a user removes every line that
 * names it (ignoring ASCII case, as users_find() matches), so a duplicate
 * further down that the parser skipped today cannot come to life.  The
 * result is parsed again and must say exactly what was asked, or the change
 * is refused: a bug here never reaches the file.
 *
 * users_edit_file() wraps it in the file dance: flock() on "USERS.lock" in
 * the same directory (created 0600; the users file itself is replaced, so it
 * cannot carry the lock), temporary files ".USERS.XXXXXX" left by a crash and
 * older than USERS_EDIT_STALE_SECONDS removed, the current file read,
 * changed, written to a new temporary file (mode 0600, fsync), renamed over
 * the file, the directory fsynced, the lock released.  A crash at any point
 * leaves the old file or the new one, never a mix.
 *
 * Static addresses must lie in the pool's subnet: the smallest IPv4 prefix
 * holding ppp.local_address and the whole pool (users_edit_subnet_init);
 * they may not be the prefix's first or last address when it is /30 or
 * wider, nor ppp.local_address, nor another user's static address.
 *
 * Test only: the environment variable L2TPSEC_TEST_CRASH makes
 * users_edit_file() _exit(99) at one point, to prove the claim above:
 * "after-write" (the temporary file written, not yet synced), "before-rename"
 * (synced, not renamed) or "after-rename" (renamed, the directory not yet
 * synced, the lock still held).
 *
 * What it must not do: log or print (problems go to the caller's callback,
 * refusals and failures to result->message), put a hash into a message, or
 * leave a copy of the file's text unwiped.  Ownership: the caller owns the
 * change and the result; a result starts zeroed, and users_edit_result_clear()
 * wipes and frees its text.
 */
#ifndef L2TPSEC_CTL_USERS_EDIT_H
#define L2TPSEC_CTL_USERS_EDIT_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/util.h"
#include "ppp-glue/users.h"

enum {
	USERS_EDIT_MESSAGE_MAX = 512,
	USERS_EDIT_STALE_SECONDS = 60,          /* a temporary file older than this is a crash's */
	USERS_EDIT_LOCK_TIMEOUT_MS = 30000,     /* how long to wait for another editor */
};

enum users_edit_action {
	USERS_EDIT_ADD,
	USERS_EDIT_DELETE,
	USERS_EDIT_PASSWORD,
	USERS_EDIT_ENABLE,
	USERS_EDIT_DISABLE,
};

enum users_edit_verdict {
	USERS_EDIT_CHANGED,     /* the text (and, for users_edit_file, the file) changed */
	USERS_EDIT_UNCHANGED,   /* already so (enable of an enabled user): nothing written */
	USERS_EDIT_REFUSED,     /* result->message says why; nothing written */
};

/* Where static addresses may lie (host byte order). */
struct users_edit_subnet {
	uint32_t network;
	unsigned prefix_len;
	uint32_t local;         /* ppp.local_address: never a user's */
};

struct users_edit_change {
	enum users_edit_action action;
	const char *name;               /* as the admin typed it; need not be valid */
	size_t name_len;
	const uint8_t *nt_hash;         /* ADD, PASSWORD: USERS_NT_HASH_LEN bytes */
	const struct in_addr *address;  /* ADD: the static address, NULL for the pool */
	bool enabled;                   /* ADD: the new user's state */
};

struct users_edit_result {
	enum users_edit_verdict verdict;
	char message[USERS_EDIT_MESSAGE_MAX];   /* the refusal or failure, without "l2tpsecctl: " */
	char name[USERS_NAME_MAX + 1];          /* the user's name as the file spells it */
	char *text;                             /* users_edit_text: the new text (CHANGED) */
	size_t len;
	size_t capacity;
};

/* The smallest prefix holding local and first..last (addresses in network byte order). */
void users_edit_subnet_init(struct users_edit_subnet *subnet, struct in_addr local,
			    struct in_addr pool_first, struct in_addr pool_last);

/* "10.8.0.0/24" into buf (at least 19 bytes); returns buf. */
const char *users_edit_subnet_format(const struct users_edit_subnet *subnet, char *buf,
				     size_t size);

/*
 * Applies change to len bytes of text.  Lines the parser skips go to report
 * (may be NULL) with their numbers.  0 with result->verdict set (and
 * result->text for CHANGED), or -ENOMEM.
 */
int users_edit_text(const char *text, size_t len, const struct users_edit_change *change,
		    const struct users_edit_subnet *subnet, users_report_fn *report, void *arg,
		    struct users_edit_result *result) WARN_UNUSED;

/*
 * The same on the file at path (a missing file is an empty one; a symbolic
 * link or a non-regular file is refused).  0 with result->verdict set, or
 * -errno with result->message naming the step and the file that failed.
 * result->text is not kept.
 */
int users_edit_file(const char *path, const struct users_edit_change *change,
		    const struct users_edit_subnet *subnet, users_report_fn *report, void *arg,
		    struct users_edit_result *result) WARN_UNUSED;

/*
 * The same check without the lock and without writing, so the tool refuses a
 * bad name or address before it asks for a password: change->nt_hash may be
 * NULL.  0 with result->verdict set, or -errno with result->message.
 */
int users_edit_file_check(const char *path, const struct users_edit_change *change,
			  const struct users_edit_subnet *subnet,
			  struct users_edit_result *result) WARN_UNUSED;

/* Wipes and frees result->text; the result may be reused. */
void users_edit_result_clear(struct users_edit_result *result);

#endif
