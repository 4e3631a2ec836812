/*
 * clock_test.c - manual and monotonic clocks, and the wall time they report.
 */
#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/clock.h"
#include "tests/harness/tap.h"

static void test_manual(void)
{
	struct clock c;
	struct timespec ts;

	clock_init_manual(&c, 5000);
	is_uint(clock_now_ms(&c), 5000, "manual clock starts where told");
	is_uint(clock_now_ms(&c), 5000, "and stays there");
	clock_advance(&c, 1234);
	is_uint(clock_now_ms(&c), 6234, "clock_advance moves it");
	clock_advance(&c, 0);
	is_uint(clock_now_ms(&c), 6234, "advancing by 0 changes nothing");

	clock_wall(&c, &ts);
	is_int(ts.tv_sec, CLOCK_MANUAL_EPOCH + 6, "manual wall time: epoch plus whole seconds");
	is_int(ts.tv_nsec, 234000000, "manual wall time: milliseconds as nanoseconds");
	clock_init_manual(&c, 0);
	clock_wall(&c, &ts);
	ok(ts.tv_sec == CLOCK_MANUAL_EPOCH && ts.tv_nsec == 0,
	   "manual wall time at 0 is the epoch");
}

static void test_monotonic(void)
{
	struct clock c;
	struct timespec ts, sleep_for = { .tv_sec = 0, .tv_nsec = 20 * 1000000 };
	uint64_t before, after;
	time_t now;

	clock_init_monotonic(&c);
	before = clock_now_ms(&c);
	nanosleep(&sleep_for, NULL);
	after = clock_now_ms(&c);
	ok(after >= before + 20, "monotonic clock moves with time (%ju -> %ju)", (uintmax_t)before,
	   (uintmax_t)after);
	ok(after < before + 5000, "and not absurdly far");

	now = time(NULL);
	clock_wall(&c, &ts);
	ok(ts.tv_sec >= now && ts.tv_sec <= now + 2,
	   "monotonic clock's wall time is the real time");
	ok(ts.tv_nsec >= 0 && ts.tv_nsec < 1000000000, "with valid nanoseconds");
}

/* clock_advance() on a real clock is a bug that must not pass silently. */
static void test_advance_monotonic_asserts(void)
{
	struct clock c;
	int status = 0;
	pid_t pid;

	clock_init_monotonic(&c);
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		if (null >= 0)
			dup2(null, STDERR_FILENO);
		clock_advance(&c, 1);
		_exit(0);
	}
	ok(pid > 0 && waitpid(pid, &status, 0) == pid, "forked a child");
	ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT,
	   "clock_advance on a monotonic clock aborts");
}

int main(void)
{
	test_manual();
	test_monotonic();
	test_advance_monotonic_asserts();
	return tap_done();
}
