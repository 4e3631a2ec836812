/*
 * clock.c - monotonic and manual clocks (see clock.h).
 */
#include "config.h"

#include <assert.h>
#include <stdlib.h>

#include "lib/clock.h"

void clock_init_monotonic(struct clock *c)
{
	*c = (struct clock){ .manual = false, .manual_ms = 0 };
}

void clock_init_manual(struct clock *c, uint64_t start_ms)
{
	*c = (struct clock){ .manual = true, .manual_ms = start_ms };
}

/*
 * clock_gettime() on CLOCK_MONOTONIC or CLOCK_REALTIME with a valid pointer
 * cannot fail on Linux; if it does, the process cannot keep time and stops.
 */
static void clock_read(clockid_t id, struct timespec *ts)
{
	if (clock_gettime(id, ts) != 0)
		abort();
}

uint64_t clock_now_ms(const struct clock *c)
{
	struct timespec ts;

	if (c->manual)
		return c->manual_ms;
	clock_read(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void clock_advance(struct clock *c, uint64_t ms)
{
	assert(c->manual);
	c->manual_ms += ms;
}

void clock_wall(const struct clock *c, struct timespec *ts)
{
	if (!c->manual) {
		clock_read(CLOCK_REALTIME, ts);
		return;
	}
	ts->tv_sec = (time_t)(CLOCK_MANUAL_EPOCH + c->manual_ms / 1000);
	ts->tv_nsec = (long)(c->manual_ms % 1000) * 1000000;
}
