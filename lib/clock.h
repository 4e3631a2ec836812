/*
 * clock.h - the time every part of l2tpsec reads, which tests can drive.
 *
 * A struct clock is either the system's CLOCK_MONOTONIC, read in
 * milliseconds, or a manual clock that moves only when clock_advance() says
 * so, which lets tests walk retransmits, DPD, Hello and lifetimes without
 * sleeping.  clock_wall() gives the wall time for log timestamps: the real
 * time, or a fixed epoch plus the manual milliseconds, so log output under a
 * manual clock is the same on every run.
 *
 * What it must not do: keep any state outside the struct, or let protocol code
 * read the system clocks directly (everything asks a struct clock).
 * Ownership: the process context owns its clock; the event loop and the log
 * context borrow it and never free it.
 */
#ifndef L2TPSEC_LIB_CLOCK_H
#define L2TPSEC_LIB_CLOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct clock {
	bool manual;
	uint64_t manual_ms;
};

/* The wall time a manual clock reports at 0 ms: 2026-01-01 00:00:00 UTC. */
#define CLOCK_MANUAL_EPOCH 1767225600

void clock_init_monotonic(struct clock *c);
void clock_init_manual(struct clock *c, uint64_t start_ms);

/* Milliseconds of CLOCK_MONOTONIC (since an arbitrary origin), or the manual value. */
uint64_t clock_now_ms(const struct clock *c);

/* Moves a manual clock forward by ms; calling it on a monotonic clock is a bug (assert). */
void clock_advance(struct clock *c, uint64_t ms);

/* The wall time (CLOCK_REALTIME), or CLOCK_MANUAL_EPOCH plus the manual milliseconds. */
void clock_wall(const struct clock *c, struct timespec *ts);

#endif
