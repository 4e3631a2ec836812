/*
 * fuzz_replay.c - runs a libFuzzer target over files, without libFuzzer.
 *
 * Linked into every fuzz target when the build is not a fuzzing build, so
 * make check replays each corpus (and every saved crash) through the same
 * code under ASan+UBSan.  Arguments are files or directories (one level);
 * each input prints an unnumbered TAP line "ok - TARGET: FILE".  A crash
 * aborts the process, which the calling script reports as a failure.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REPLAY_INPUT_MAX (1024 * 1024)

static int replay_file(const char *target, const char *path)
{
	FILE *file = fopen(path, "rb");
	uint8_t *data;
	size_t size;

	if (!file) {
		printf("not ok - %s: %s: %s\n", target, path, strerror(errno));
		return 1;
	}
	data = malloc(REPLAY_INPUT_MAX);
	if (!data) {
		fclose(file);
		printf("not ok - %s: %s: out of memory\n", target, path);
		return 1;
	}
	size = fread(data, 1, REPLAY_INPUT_MAX, file);
	fclose(file);
	/* A copy of exactly the input's size, so ASan sees every overread. */
	uint8_t *exact = malloc(size ? size : 1);
	if (!exact) {
		free(data);
		printf("not ok - %s: %s: out of memory\n", target, path);
		return 1;
	}
	memcpy(exact, data, size);
	free(data);
	printf("# %s: %s (%zu bytes)\n", target, path, size);
	fflush(stdout);
	LLVMFuzzerTestOneInput(exact, size);
	free(exact);
	printf("ok - %s: %s\n", target, path);
	return 0;
}

static int replay_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int replay_dir(const char *target, const char *dir_path)
{
	DIR *dir = opendir(dir_path);
	struct dirent *entry;
	char **names = NULL;
	size_t count = 0, cap = 0;
	int failed = 0;

	if (!dir) {
		printf("not ok - %s: %s: %s\n", target, dir_path, strerror(errno));
		return 1;
	}
	while ((entry = readdir(dir))) {
		if (entry->d_name[0] == '.')
			continue;
		if (count == cap) {
			cap = cap ? cap * 2 : 64;
			char **grown = realloc(names, cap * sizeof(*names));
			if (!grown)
				abort();
			names = grown;
		}
		names[count] = strdup(entry->d_name);
		if (!names[count])
			abort();
		count++;
	}
	closedir(dir);
	if (count == 0) {
		printf("not ok - %s: %s: empty corpus\n", target, dir_path);
		free(names);
		return 1;
	}
	qsort(names, count, sizeof(*names), replay_name_cmp);
	for (size_t i = 0; i < count; i++) {
		char path[4096];

		snprintf(path, sizeof(path), "%s/%s", dir_path, names[i]);
		failed |= replay_file(target, path);
		free(names[i]);
	}
	free(names);
	return failed;
}

int main(int argc, char **argv)
{
	const char *target = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	int failed = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		struct stat st;

		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
			failed |= replay_dir(target, argv[i]);
		else
			failed |= replay_file(target, argv[i]);
	}
	return failed;
}
