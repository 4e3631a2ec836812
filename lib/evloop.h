/*
 * evloop.h - the single-threaded event loop: file descriptors (epoll),
 * timers (a min-heap woken by one timerfd) and signals (one signalfd).
 *
 * Callbacks run in normal context, one at a time, in this order per
 * ev_run_once(): the ready file descriptors and signals of one epoll_wait,
 * then every timer that is due.  A callback may add, modify or delete any
 * registration (its own too, and one still pending in the same batch: a
 * deleted fd's pending event is dropped, never delivered), and may arm or
 * cancel any timer (its own too).  A timer is taken off the heap before its
 * callback runs, so the callback may free the timer's owner.  Timers due at
 * the same millisecond fire in the order they were armed.
 *
 * Time comes from the struct clock passed to ev_loop_new().  With a manual
 * clock the loop never waits for a timer: tests call clock_advance() and then
 * ev_run_timers().  Arming and cancelling a timer never allocate and cannot
 * fail; each costs O(log n) in the number of armed timers.
 *
 * What it must not do: close an fd it did not open, own any callback's data,
 * or keep global state (each process context holds its own loop).
 * Ownership: the caller owns every struct ev_fd and struct ev_timer (embedded
 * in its object) and must delete/cancel them before freeing that object; the
 * loop owns its epoll, timer and signal descriptors and borrows the clock.
 * Signals given to ev_signal_add() are blocked in the loop's thread, and so in
 * every thread it creates afterwards (lib/workq's workers block all signals);
 * a child process must get ev_signal_child_mask() back before it execs.
 */
#ifndef L2TPSEC_LIB_EVLOOP_H
#define L2TPSEC_LIB_EVLOOP_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/epoll.h>

#include "lib/clock.h"
#include "lib/util.h"

struct ev_loop;

/* A registered fd; embed it in the owner and recover the owner with container_of(). */
struct ev_fd {
	int fd;
	uint32_t events;
	void (*cb)(struct ev_fd *self, uint32_t revents);
	/* private: */
	bool added;
};

/* A one-shot timer; embed it in the owner.  All-zero memory is a valid unarmed timer. */
struct ev_timer {
	void (*cb)(struct ev_timer *self);
	/* private: */
	uint64_t due_ms;
	uint64_t seq;                   /* arming order, for ties; 0 when not armed */
	struct ev_timer *heap_parent;   /* links of the loop's binary min-heap */
	struct ev_timer *heap_left;
	struct ev_timer *heap_right;
};

/* A loop that reads time from clock (borrowed); NULL on failure (errno set). */
struct ev_loop *ev_loop_new(struct clock *clock) WARN_UNUSED;

/*
 * Closes the loop's own descriptors, discards signals still pending for it and
 * restores the signal mask it changed.  Registrations and armed timers are
 * simply forgotten.  NULL is a no-op.  Not from inside a callback.
 */
void ev_loop_free(struct ev_loop *loop);

struct clock *ev_loop_clock(struct ev_loop *loop);

/* Watches fd for events (EPOLLIN, EPOLLOUT, ...); 0, -EEXIST if f is already added, or -errno. */
int ev_fd_add(struct ev_loop *loop, struct ev_fd *f, int fd, uint32_t events,
	      void (*cb)(struct ev_fd *, uint32_t)) WARN_UNUSED;

/* Changes the events watched; 0, -ENOENT if f is not added, or -errno. */
int ev_fd_mod(struct ev_loop *loop, struct ev_fd *f, uint32_t events) WARN_UNUSED;

/*
 * Stops watching (and drops a pending event of this batch); no-op if not
 * added; never closes.  Call it before close(): once the number is reused,
 * a late delete would remove the new fd's registration.
 */
void ev_fd_del(struct ev_loop *loop, struct ev_fd *f);

/* Sets the callback of an unarmed timer. */
void ev_timer_init(struct ev_timer *t, void (*cb)(struct ev_timer *));

/* Fires t delay_ms from now (saturating); re-arming an armed timer moves it. */
void ev_timer_arm(struct ev_loop *loop, struct ev_timer *t, uint64_t delay_ms);

/* Fires t at the clock's due_ms (in the past: at the next ev_run_timers()). */
void ev_timer_arm_at(struct ev_loop *loop, struct ev_timer *t, uint64_t due_ms);

/* Disarms t; no-op if it is not armed.  A timer belongs to the loop it was armed on. */
void ev_timer_cancel(struct ev_loop *loop, struct ev_timer *t);

bool ev_timer_armed(const struct ev_timer *t);

/* When an armed timer fires, on the loop's clock; meaningless when not armed. */
uint64_t ev_timer_due(const struct ev_timer *t);

/*
 * Blocks signo (pthread_sigmask of the calling thread, which must be the loop's)
 * and delivers it through the loop: cb runs in normal context from
 * ev_run_once().  Adding a signal again replaces its callback.  0, -EINVAL
 * (bad number, SIGKILL, SIGSTOP) or -errno.
 */
int ev_signal_add(struct ev_loop *loop, int signo,
		  void (*cb)(struct ev_loop *loop, int signo, void *arg), void *arg) WARN_UNUSED;

/*
 * The signal mask in force before the loop blocked anything: what a spawned
 * child (pppd) must run with, set between fork() and exec() or with
 * posix_spawnattr_setsigmask(), since a blocked mask survives exec.
 */
void ev_signal_child_mask(const struct ev_loop *loop, sigset_t *mask);

/*
 * One round: waits up to max_wait_ms (< 0: until something happens; 0: not at
 * all; shorter when a timer is due sooner) for fds and signals, dispatches
 * them, then runs the due timers.  Returns the number of callbacks run, or
 * -errno if epoll_wait failed (EINTR counts as a round with nothing to do).
 */
int ev_run_once(struct ev_loop *loop, int max_wait_ms) WARN_UNUSED;

/* Runs rounds until ev_stop(); 0, or -errno from a failed round. */
int ev_run(struct ev_loop *loop) WARN_UNUSED;

/* Makes ev_run() return after the current round (before it starts, if called earlier). */
void ev_stop(struct ev_loop *loop);

/*
 * Runs every timer due at clock_now_ms() that was armed before this call
 * (one re-armed by a callback waits for the next call), earliest first;
 * returns how many ran.  Tests with a manual clock call it directly.
 */
unsigned ev_run_timers(struct ev_loop *loop);

/* How many timers are armed. */
size_t ev_timers_armed(const struct ev_loop *loop);

#endif
