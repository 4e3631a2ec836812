/*
 * fuzz_users.c - libFuzzer target: any bytes as a users file.
 *
 * Parses with the daemon's own libpppglue.a and checks what it took: every
 * entry has a valid name and a unicast address when it has one, is found by
 * its name and by the name in upper case, no two entries share a name or a
 * static address, and every reported problem has a line number inside the
 * input and a short reason.  Each entry is written back with
 * users_format_line() and must parse to the same entry.  Any broken
 * invariant aborts.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ppp-glue/users.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_lines {
	unsigned max_line;
};

static void fuzz_assert(bool condition)
{
	if (!condition)
		abort();
}

static void fuzz_problem(void *arg, const struct users_problem *problem)
{
	const struct fuzz_lines *lines = arg;

	fuzz_assert(problem->line >= 1 && problem->line <= lines->max_line);
	fuzz_assert(problem->severity == USERS_LINE_SKIPPED);
	fuzz_assert(problem->reason != NULL && strlen(problem->reason) < USERS_REASON_MAX);
}

static void fuzz_round_trip(const struct users_entry *entry)
{
	char line[USERS_LINE_MAX];
	struct fuzz_lines one = { .max_line = 1 };
	struct users *again = NULL;
	const struct users_entry *back;
	int n = users_format_line(line, sizeof(line), entry->name, entry->name_len, entry->nt_hash,
				  entry->has_address ? &entry->address : NULL, entry->enabled);

	fuzz_assert(n > 0 && (size_t)n < sizeof(line));
	fuzz_assert(users_parse(line, (size_t)n, fuzz_problem, &one, &again) == 0);
	back = users_find(again, entry->name, entry->name_len);
	fuzz_assert(back != NULL && users_count(again) == 1);
	fuzz_assert(back->name_len == entry->name_len &&
		    memcmp(back->name, entry->name, entry->name_len) == 0);
	fuzz_assert(memcmp(back->nt_hash, entry->nt_hash, USERS_NT_HASH_LEN) == 0);
	fuzz_assert(back->has_address == entry->has_address && back->enabled == entry->enabled);
	fuzz_assert(!back->has_address || back->address.s_addr == entry->address.s_addr);
	users_free(again);
}

static void fuzz_entry(const struct users *users, const struct users_entry *entry,
		       unsigned max_line)
{
	char upper[USERS_NAME_MAX + 1];
	uint32_t first_octet = ntohl(entry->address.s_addr) >> 24;

	fuzz_assert(users_name_valid(entry->name, entry->name_len, NULL));
	fuzz_assert(entry->name[entry->name_len] == '\0');
	fuzz_assert(entry->line >= 1 && entry->line <= max_line);
	fuzz_assert(!entry->has_address ||
		    (first_octet != 0 && first_octet != 127 && first_octet < 224));
	fuzz_assert(users_find(users, entry->name, entry->name_len) == entry);
	for (size_t i = 0; i < entry->name_len; i++) {
		char c = entry->name[i];

		upper[i] = c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
	}
	fuzz_assert(users_find(users, upper, entry->name_len) == entry);
	fuzz_round_trip(entry);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_lines lines = { .max_line = 1 };
	struct users *users = NULL;
	size_t count;

	for (size_t i = 0; i < size; i++)
		lines.max_line += data[i] == '\n';
	if (users_parse((const char *)data, size, fuzz_problem, &lines, &users) != 0)
		return 0;
	count = users_count(users);
	fuzz_assert(users_at(users, count) == NULL);
	for (size_t i = 0; i < count; i++) {
		const struct users_entry *entry = users_at(users, i);

		fuzz_assert(entry != NULL);
		fuzz_entry(users, entry, lines.max_line);
		for (size_t j = 0; j < i && entry->has_address; j++) {
			const struct users_entry *earlier = users_at(users, j);

			fuzz_assert(earlier->line < entry->line);
			fuzz_assert(!earlier->has_address ||
				    earlier->address.s_addr != entry->address.s_addr);
		}
	}
	users_free(users);
	return 0;
}
