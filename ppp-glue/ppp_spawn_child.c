/*
 * ppp_spawn_child.c - what ppp_spawn_test starts in pppd's place.
 *
 * "report": prints, one per line on stdout (the log pipe), its arguments, its
 * open descriptors with their targets, its environment, the SigBlk and SigIgn
 * lines of /proc/self/status and whether it leads its own session; writes
 * "pppox" to fd 3 and "control" to fd 4; exits 0.  "exit N": exits with N.
 * "wait": says "waiting" and sleeps until a signal ends it.
 */
#include "config.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

static void report_fds(void)
{
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *entry;

	if (dir == NULL)
		return;
	while ((entry = readdir(dir)) != NULL) {
		char path[300], target[PATH_MAX];
		ssize_t n;

		if (entry->d_name[0] == '.' || atoi(entry->d_name) == dirfd(dir))
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%s", entry->d_name);
		n = readlink(path, target, sizeof(target) - 1);
		target[n < 0 ? 0 : n] = '\0';
		printf("fd %s %s\n", entry->d_name, target);
	}
	closedir(dir);
}

static void report_signals(void)
{
	FILE *status = fopen("/proc/self/status", "r");
	char line[256];

	if (status == NULL)
		return;
	while (fgets(line, sizeof(line), status) != NULL) {
		if (strncmp(line, "SigBlk:", 7) == 0 || strncmp(line, "SigIgn:", 7) == 0)
			fputs(line, stdout);
	}
	fclose(status);
}

int main(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], "exit") == 0)
		return atoi(argv[2]);
	if (argc >= 2 && strcmp(argv[1], "wait") == 0) {
		puts("waiting");
		fflush(stdout);
		for (;;)
			pause();
	}
	for (int i = 0; i < argc; i++)
		printf("arg %d %s\n", i, argv[i]);
	report_fds();
	for (char **e = environ; *e != NULL; e++)
		printf("env %s\n", *e);
	report_signals();
	printf("session-leader %d\n", getsid(0) == getpid());
	fflush(stdout);
	if (write(3, "pppox", 5) != 5 || write(4, "control", 7) != 7)
		return 1;
	return 0;
}
