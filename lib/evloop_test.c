/*
 * evloop_test.c - timers (order, ties, cancel, re-arm and free from a
 * callback, a randomised heap walk), fds over pipes (including deleting a
 * registration still pending in the same batch), a real signal through the
 * signalfd, ev_run/ev_stop on the real clock, and the OOM walk of
 * ev_loop_new().  Meant to run under ASan: the free-from-callback cases are
 * use-after-free traps.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "lib/alloc.h"
#include "lib/clock.h"
#include "lib/evloop.h"
#include "lib/util.h"
#include "tests/harness/tap.h"

/* ---------------------------------------------------------------- timers */

struct recorder {
	unsigned count;
	int tags[64];
};

struct tagged_timer {
	struct ev_timer timer;
	int tag;
	struct recorder *rec;
};

static void tagged_fire(struct ev_timer *t)
{
	struct tagged_timer *tt = container_of(t, struct tagged_timer, timer);

	if (tt->rec->count < ARRAY_SIZE(tt->rec->tags))
		tt->rec->tags[tt->rec->count] = tt->tag;
	tt->rec->count++;
}

static void tagged_init(struct tagged_timer *tt, int tag, struct recorder *rec)
{
	ev_timer_init(&tt->timer, tagged_fire);
	tt->tag = tag;
	tt->rec = rec;
}

static void test_timer_order(void)
{
	struct clock clock;
	struct ev_loop *loop;
	struct recorder rec = { 0 };
	struct tagged_timer t[6];

	clock_init_manual(&clock, 1000);
	loop = ev_loop_new(&clock);
	ok(loop != NULL, "ev_loop_new with a manual clock");
	if (loop == NULL)
		return;
	ok(ev_loop_clock(loop) == &clock, "ev_loop_clock gives the clock back");
	for (int i = 0; i < 6; i++)
		tagged_init(&t[i], i, &rec);

	ok(!ev_timer_armed(&t[0].timer), "an initialised timer is not armed");
	ev_timer_arm(loop, &t[1].timer, 30);
	ev_timer_arm(loop, &t[2].timer, 10);
	ev_timer_arm(loop, &t[3].timer, 20);
	ev_timer_arm(loop, &t[4].timer, 10);
	ev_timer_arm(loop, &t[5].timer, 10);
	ev_timer_arm(loop, &t[2].timer, 10);   /* re-armed: now after 4 and 5 */
	ev_timer_arm_at(loop, &t[0].timer, 1005);
	ok(ev_timer_armed(&t[1].timer), "armed after ev_timer_arm");
	is_uint(ev_timer_due(&t[1].timer), 1030, "due = now + delay");
	is_uint(ev_timer_due(&t[0].timer), 1005, "ev_timer_arm_at sets the due time");
	is_uint(ev_timers_armed(loop), 6, "six armed (re-arming does not duplicate)");

	clock_advance(&clock, 4);
	is_uint(ev_run_timers(loop), 0, "nothing is due 1 ms early");
	clock_advance(&clock, 1);
	is_uint(ev_run_timers(loop), 1, "the arm_at timer fires at its time");
	clock_advance(&clock, 5);
	is_uint(ev_run_timers(loop), 3, "three timers due at 1010");
	ok(rec.count == 4 && rec.tags[0] == 0 && rec.tags[1] == 4 && rec.tags[2] == 5 &&
	   rec.tags[3] == 2,
	   "ties fire in arming order, a re-armed timer last");
	ok(!ev_timer_armed(&t[2].timer), "a fired timer is no longer armed");
	clock_advance(&clock, 100);
	is_uint(ev_run_timers(loop), 2, "the rest fire once late");
	ok(rec.count == 6 && rec.tags[4] == 3 && rec.tags[5] == 1, "earliest first");
	is_uint(ev_timers_armed(loop), 0, "nothing armed");
	is_uint(ev_run_timers(loop), 0, "an empty heap runs nothing");

	ev_timer_arm(loop, &t[1].timer, UINT64_MAX);
	is_uint(ev_timer_due(&t[1].timer), UINT64_MAX, "a huge delay saturates");
	ev_timer_cancel(loop, &t[1].timer);
	ev_loop_free(loop);
}

static void test_timer_cancel(void)
{
	struct clock clock;
	struct ev_loop *loop;
	struct recorder rec = { 0 };
	struct tagged_timer t[3];
	struct ev_timer zeroed;

	clock_init_manual(&clock, 0);
	loop = ev_loop_new(&clock);
	if (!ok(loop != NULL, "loop for cancel"))
		return;
	for (int i = 0; i < 3; i++) {
		tagged_init(&t[i], i, &rec);
		ev_timer_arm(loop, &t[i].timer, 10);
	}
	ev_timer_cancel(loop, &t[1].timer);
	ok(!ev_timer_armed(&t[1].timer), "cancelled timer is not armed");
	is_uint(ev_timers_armed(loop), 2, "two left armed");
	ev_timer_cancel(loop, &t[1].timer);
	is_uint(ev_timers_armed(loop), 2, "cancelling twice is a no-op");
	memset(&zeroed, 0, sizeof zeroed);
	ev_timer_cancel(loop, &zeroed);
	is_uint(ev_timers_armed(loop), 2, "cancelling an all-zero timer is a no-op");
	ev_timer_cancel(loop, &t[0].timer);
	clock_advance(&clock, 10);
	is_uint(ev_run_timers(loop), 1, "only the uncancelled timer fires");
	ok(rec.count == 1 && rec.tags[0] == 2, "and it is the right one");
	ev_loop_free(loop);
}

struct periodic {
	struct ev_timer timer;
	struct ev_loop *loop;
	uint64_t period_ms;
	unsigned fired;
};

static void periodic_fire(struct ev_timer *t)
{
	struct periodic *p = container_of(t, struct periodic, timer);

	p->fired++;
	ev_timer_arm(p->loop, t, p->period_ms);
}

static void test_timer_rearm_from_callback(void)
{
	struct clock clock;
	struct ev_loop *loop;
	struct periodic p = { .period_ms = 10 };

	clock_init_manual(&clock, 0);
	loop = ev_loop_new(&clock);
	if (!ok(loop != NULL, "loop for re-arm"))
		return;
	p.loop = loop;
	ev_timer_init(&p.timer, periodic_fire);
	ev_timer_arm(loop, &p.timer, 10);
	clock_advance(&clock, 10);
	is_uint(ev_run_timers(loop), 1, "a self-re-arming timer fires once per run");
	ok(ev_timer_armed(&p.timer) && ev_timer_due(&p.timer) == 20,
	   "and is armed again, one period on");
	clock_advance(&clock, 35);
	is_uint(ev_run_timers(loop), 1,
		"a late periodic timer fires once, not once per missed period");
	is_uint(ev_timer_due(&p.timer), 55, "re-armed from the time it ran");

	p.period_ms = 0;
	ev_timer_arm(loop, &p.timer, 0);
	is_uint(ev_run_timers(loop), 1, "a timer re-arming itself with delay 0 runs once per call");
	ok(ev_timer_armed(&p.timer), "and waits for the next call");
	is_uint(ev_run_timers(loop), 1, "which runs it again");
	ev_timer_cancel(loop, &p.timer);
	is_uint(p.fired, 4, "fired four times in all");
	ev_loop_free(loop);
}

/* An object owning two timers; the first frees the object, cancelling the second. */
struct owner {
	struct ev_timer expire;
	struct ev_timer retry;
	struct ev_loop *loop;
	unsigned *freed;
};

static void owner_expire(struct ev_timer *t)
{
	struct owner *o = container_of(t, struct owner, expire);

	ev_timer_cancel(o->loop, &o->retry);
	(*o->freed)++;
	alloc_free(o);
}

static void owner_retry(struct ev_timer *t)
{
	struct owner *o = container_of(t, struct owner, retry);

	ev_timer_arm(o->loop, &o->retry, 1);
}

static void test_timer_free_owner(void)
{
	struct clock clock;
	struct ev_loop *loop;
	unsigned freed = 0, made = 0, ran;

	clock_init_manual(&clock, 0);
	loop = ev_loop_new(&clock);
	if (!ok(loop != NULL, "loop for free-from-callback"))
		return;
	for (unsigned i = 0; i < 100; i++) {
		struct owner *o = alloc_zero(sizeof *o);

		if (o == NULL)
			break;
		made++;
		o->loop = loop;
		o->freed = &freed;
		ev_timer_init(&o->expire, owner_expire);
		ev_timer_init(&o->retry, owner_retry);
		/* Same due time, retry armed after expire: expire runs first and frees both. */
		ev_timer_arm(loop, &o->expire, 5 + i % 7);
		ev_timer_arm(loop, &o->retry, 5 + i % 7);
	}
	is_uint(ev_timers_armed(loop), 2 * made, "two timers per owner");
	clock_advance(&clock, 100);
	ran = ev_run_timers(loop);
	is_uint(ran, made, "only the expire timers ran; no retry ran after its owner was freed");
	is_uint(freed, made, "every owner freed from its own timer callback");
	is_uint(ev_timers_armed(loop), 0, "nothing left armed");
	ev_loop_free(loop);
}

/*
 * A randomised walk over the heap: arm, re-arm and cancel timers at random,
 * and check that every run fires exactly the due timers, ordered by (due,
 * arming order), and that the armed count always matches.
 */
struct stress;

struct stress_timer {
	struct ev_timer timer;
	struct stress *stress;
	uint64_t arm_order;
	bool armed;
};

struct stress {
	struct clock clock;
	uint64_t arm_counter;
	uint64_t last_due, last_order;
	size_t armed;
	unsigned fired, misordered, early;
};

static void stress_fire(struct ev_timer *t)
{
	struct stress_timer *st = container_of(t, struct stress_timer, timer);
	struct stress *s = st->stress;
	uint64_t due = ev_timer_due(t);

	if (due > clock_now_ms(&s->clock))
		s->early++;
	if (due < s->last_due || (due == s->last_due && st->arm_order < s->last_order))
		s->misordered++;
	s->last_due = due;
	s->last_order = st->arm_order;
	st->armed = false;
	s->armed--;
	s->fired++;
}

static uint32_t stress_random(uint64_t *state)
{
	*state = *state * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
	return (uint32_t)(*state >> 33);
}

static void test_timer_stress(void)
{
	enum { TIMERS = 1500, STEPS = 30000 };
	struct stress s = { 0 };
	struct stress_timer *timers = alloc_array(TIMERS, sizeof *timers);
	struct ev_loop *loop;
	uint64_t random_state = 42;
	unsigned count_mismatch = 0, leftover_due = 0;

	clock_init_manual(&s.clock, 0);
	loop = ev_loop_new(&s.clock);
	if (!ok(loop != NULL && timers != NULL, "loop and timers for the heap walk")) {
		ev_loop_free(loop);
		alloc_free(timers);
		return;
	}
	for (size_t i = 0; i < TIMERS; i++) {
		ev_timer_init(&timers[i].timer, stress_fire);
		timers[i].stress = &s;
	}
	for (unsigned step = 0; step < STEPS; step++) {
		uint32_t r = stress_random(&random_state);
		struct stress_timer *st = &timers[r % TIMERS];

		switch ((r >> 16) % 8) {
		case 0:
			ev_timer_cancel(loop, &st->timer);
			s.armed -= st->armed;
			st->armed = false;
			break;
		case 1:
			clock_advance(&s.clock, (r >> 20) % 40);
			s.last_due = 0;
			s.last_order = 0;
			ev_run_timers(loop);
			for (size_t i = 0; i < TIMERS; i++) {
				if (timers[i].armed &&
				    ev_timer_due(&timers[i].timer) <= clock_now_ms(&s.clock))
					leftover_due++;
			}
			break;
		default:
			/* Few distinct due times, so ties are common. */
			ev_timer_arm_at(loop, &st->timer, clock_now_ms(&s.clock) + (r >> 20) % 64);
			st->arm_order = ++s.arm_counter;
			s.armed += !st->armed;
			st->armed = true;
			break;
		}
		if (ev_timers_armed(loop) != s.armed)
			count_mismatch++;
	}
	clock_advance(&s.clock, 1000);
	s.last_due = 0;
	s.last_order = 0;
	ev_run_timers(loop);
	tap_diag("heap walk: %u timers fired", s.fired);
	is_uint(count_mismatch, 0, "heap walk: the armed count always matched");
	is_uint(s.misordered, 0, "heap walk: every run fired in (due, arming order)");
	is_uint(s.early, 0, "heap walk: no timer fired before its time");
	is_uint(leftover_due, 0, "heap walk: no due timer was left after a run");
	ok(s.armed == 0 && ev_timers_armed(loop) == 0, "heap walk: all fired at the end");
	ev_loop_free(loop);
	alloc_free(timers);
}

/* ------------------------------------------------------------------- fds */

struct watcher {
	struct ev_fd watch;
	struct ev_loop *loop;
	unsigned calls;
	uint32_t last_events;
	struct watcher *victim;         /* deleted and freed by this watcher's callback */
	bool readd_victim;              /* ...or deleted and added again */
	bool close_self;
	struct watcher **last_ran;      /* if set, where the callback records itself */
};

static void watcher_cb(struct ev_fd *f, uint32_t revents)
{
	struct watcher *w = container_of(f, struct watcher, watch);
	char byte;

	w->calls++;
	w->last_events = revents;
	if (w->last_ran)
		*w->last_ran = w;
	if ((revents & EPOLLIN) && read(f->fd, &byte, 1) < 0)
		w->last_events |= EPOLLERR;
	if (w->victim) {
		ev_fd_del(w->loop, &w->victim->watch);
		if (w->readd_victim) {
			if (ev_fd_add(w->loop, &w->victim->watch, w->victim->watch.fd, EPOLLIN,
				      watcher_cb) != 0)
				w->last_events |= EPOLLERR;
		} else {
			/* The victim's own pointer to us goes with it. */
			alloc_free(w->victim);
		}
		w->victim = NULL;
	}
	if (w->close_self) {
		ev_fd_del(w->loop, f);
		close(f->fd);
	}
}

static bool make_pipe(int p[2])
{
	return pipe2(p, O_CLOEXEC | O_NONBLOCK) == 0;
}

static void test_fd_basics(void)
{
	struct clock clock;
	struct ev_loop *loop;
	struct watcher reader = { 0 }, writer = { 0 }, idle = { 0 };
	int p[2], unused_fd;

	clock_init_manual(&clock, 0);
	loop = ev_loop_new(&clock);
	if (!ok(loop != NULL && make_pipe(p), "loop and pipe"))
		return;
	reader.loop = writer.loop = loop;

	is_int(ev_fd_add(loop, &reader.watch, p[0], EPOLLIN, watcher_cb), 0,
	       "ev_fd_add the read end");
	is_int(ev_fd_add(loop, &reader.watch, p[0], EPOLLIN, watcher_cb), -EEXIST,
	       "adding twice is -EEXIST");
	is_int(ev_run_once(loop, 0), 0, "nothing readable: nothing dispatched");
	ok(write(p[1], "ab", 2) == 2, "wrote 2 bytes");
	is_int(ev_run_once(loop, 1000), 1, "readable: one callback");
	ok(reader.calls == 1 && (reader.last_events & EPOLLIN), "the callback got EPOLLIN");
	is_int(ev_run_once(loop, 1000), 1, "level-triggered: the second byte wakes us again");
	is_int(ev_run_once(loop, 0), 0, "drained");

	is_int(ev_fd_add(loop, &writer.watch, p[1], EPOLLOUT, watcher_cb), 0,
	       "ev_fd_add the write end for EPOLLOUT");
	is_int(ev_run_once(loop, 0), 1, "an empty pipe is writable");
	ok(writer.last_events & EPOLLOUT, "with EPOLLOUT");
	is_int(ev_fd_mod(loop, &writer.watch, 0), 0, "ev_fd_mod to no events");
	is_int(ev_run_once(loop, 0), 0, "then it stays quiet");
	is_uint(writer.watch.events, 0, "ev_fd_mod records the events");
	is_int(ev_fd_mod(loop, &idle.watch, EPOLLIN), -ENOENT,
	       "ev_fd_mod of an fd never added is -ENOENT");

	ev_fd_del(loop, &reader.watch);
	ok(!reader.watch.added, "ev_fd_del");
	ev_fd_del(loop, &reader.watch);
	ev_fd_del(loop, &idle.watch);
	ok(true, "ev_fd_del of something not added is a no-op");
	ok(write(p[1], "c", 1) == 1, "wrote a byte");
	is_int(ev_run_once(loop, 0), 0, "a deleted fd is not dispatched");
	ok(fcntl(p[0], F_GETFD) >= 0, "ev_fd_del did not close the fd");

	is_int(ev_fd_add(loop, &idle.watch, -1, EPOLLIN, watcher_cb), -EINVAL,
	       "ev_fd_add(-1) is -EINVAL");
	is_int(ev_fd_add(loop, &idle.watch, p[0], EPOLLIN, NULL), -EINVAL,
	       "ev_fd_add without a callback is -EINVAL");
	unused_fd = dup(p[0]);
	close(unused_fd);
	is_int(ev_fd_add(loop, &idle.watch, unused_fd, EPOLLIN, watcher_cb), -EBADF,
	       "ev_fd_add of a closed fd is -EBADF");
	ok(!idle.watch.added, "a failed add leaves the watch unadded");

	reader.close_self = true;
	is_int(ev_fd_add(loop, &reader.watch, p[0], EPOLLIN, watcher_cb), 0, "re-add after delete");
	is_int(ev_run_once(loop, 0), 1, "the pending byte is dispatched");
	ok(!reader.watch.added && fcntl(p[0], F_GETFD) < 0,
	   "a callback deleted and closed its own fd");

	ev_fd_del(loop, &writer.watch);
	close(p[1]);
	ev_loop_free(loop);
}

/* Two readable pipes whose callbacks delete and free each other: exactly one runs. */
static void test_fd_delete_pending(void)
{
	struct clock clock;
	struct ev_loop *loop;
	struct watcher *a = alloc_zero(sizeof *a), *b = alloc_zero(sizeof *b), *survivor = NULL;
	int pa[2], pb[2];

	clock_init_manual(&clock, 0);
	loop = ev_loop_new(&clock);
	if (!ok(loop && a && b && make_pipe(pa) && make_pipe(pb),
		"loop, two watchers, two pipes")) {
		alloc_free(a);
		alloc_free(b);
		ev_loop_free(loop);
		return;
	}
	a->loop = b->loop = loop;
	a->victim = b;
	b->victim = a;
	a->last_ran = b->last_ran = &survivor;
	ok(ev_fd_add(loop, &a->watch, pa[0], EPOLLIN, watcher_cb) == 0 &&
	   ev_fd_add(loop, &b->watch, pb[0], EPOLLIN, watcher_cb) == 0, "both added");
	ok(write(pa[1], "x", 1) == 1 && write(pb[1], "y", 1) == 1,
	   "both readable before the round");
	is_int(ev_run_once(loop, 1000), 1, "one callback ran: the other was deleted while pending");
	/* Whichever ran first freed the other and recorded itself, clearing its victim pointer. */
	if (!ok(survivor != NULL && survivor->calls == 1 && survivor->victim == NULL,
		"the survivor ran once"))
		return;
	is_int(ev_run_once(loop, 0), 0, "the freed watcher's fd is not watched any more");
	ev_fd_del(loop, &survivor->watch);
	alloc_free(survivor);
	close(pa[0]);
	close(pa[1]);
	close(pb[0]);
	close(pb[1]);
	ev_loop_free(loop);
}

/* A callback deletes a pending fd and adds it again: not delivered from the old batch. */
static void test_fd_readd_pending(void)
{
	struct clock clock;
	struct ev_loop *loop;
	struct watcher a = { 0 }, b = { 0 };
	int pa[2], pb[2];
	int first;

	clock_init_manual(&clock, 0);
	loop = ev_loop_new(&clock);
	if (!ok(loop && make_pipe(pa) && make_pipe(pb), "loop and two pipes"))
		return;
	a.loop = b.loop = loop;
	a.victim = &b;
	a.readd_victim = true;
	b.victim = &a;
	b.readd_victim = true;
	ok(ev_fd_add(loop, &a.watch, pa[0], EPOLLIN, watcher_cb) == 0 &&
	   ev_fd_add(loop, &b.watch, pb[0], EPOLLIN, watcher_cb) == 0, "both added");
	ok(write(pa[1], "x", 1) == 1 && write(pb[1], "y", 1) == 1, "both readable");
	first = ev_run_once(loop, 1000);
	is_int(first, 1, "the re-added fd's stale event was dropped");
	ok(a.calls + b.calls == 1 && !(a.last_events & EPOLLERR) && !(b.last_events & EPOLLERR),
	   "one callback, and its re-add worked");
	is_int(ev_run_once(loop, 1000), 1, "the re-added fd is dispatched in the next round");
	ok(a.calls == 1 && b.calls == 1, "each ran once");
	ev_fd_del(loop, &a.watch);
	ev_fd_del(loop, &b.watch);
	close(pa[0]);
	close(pa[1]);
	close(pb[0]);
	close(pb[1]);
	ev_loop_free(loop);
}

/* --------------------------------------------------------------- signals */

struct signal_seen {
	unsigned count;
	int signo;
};

static void on_signal(struct ev_loop *loop, int signo, void *arg)
{
	struct signal_seen *seen = arg;

	seen->count++;
	seen->signo = signo;
}

static bool signal_blocked(int signo)
{
	sigset_t mask;

	return sigprocmask(SIG_BLOCK, NULL, &mask) == 0 && sigismember(&mask, signo) == 1;
}

static void test_signals(void)
{
	struct clock clock;
	struct ev_loop *loop;
	struct signal_seen usr1 = { 0 }, usr2 = { 0 }, replaced = { 0 };
	sigset_t child;

	clock_init_manual(&clock, 0);
	loop = ev_loop_new(&clock);
	if (!ok(loop != NULL, "loop for signals"))
		return;
	ok(!signal_blocked(SIGUSR1), "SIGUSR1 starts unblocked");
	is_int(ev_signal_add(loop, SIGUSR1, on_signal, &usr1), 0, "ev_signal_add(SIGUSR1)");
	ok(signal_blocked(SIGUSR1), "SIGUSR1 is now blocked");
	ev_signal_child_mask(loop, &child);
	ok(sigismember(&child, SIGUSR1) == 0, "the child mask leaves SIGUSR1 unblocked");

	raise(SIGUSR1);
	is_int(ev_run_once(loop, 1000), 1, "a raised SIGUSR1 is one event");
	ok(usr1.count == 1 && usr1.signo == SIGUSR1,
	   "delivered to its callback with its number and arg");

	is_int(ev_signal_add(loop, SIGUSR2, on_signal, &usr2), 0, "a second signal");
	raise(SIGUSR1);
	raise(SIGUSR2);
	is_int(ev_run_once(loop, 1000), 2, "two signals in one round");
	ok(usr1.count == 2 && usr2.count == 1 && usr2.signo == SIGUSR2, "each to its own callback");

	is_int(ev_signal_add(loop, SIGUSR1, on_signal, &replaced), 0, "adding SIGUSR1 again");
	raise(SIGUSR1);
	is_int(ev_run_once(loop, 1000), 1, "SIGUSR1 once more");
	ok(replaced.count == 1 && usr1.count == 2, "the new callback replaced the old");
	is_int(ev_run_once(loop, 0), 0, "nothing pending");

	is_int(ev_signal_add(loop, 0, on_signal, NULL), -EINVAL, "signal 0 is -EINVAL");
	is_int(ev_signal_add(loop, SIGKILL, on_signal, NULL), -EINVAL, "SIGKILL is -EINVAL");
	is_int(ev_signal_add(loop, SIGSTOP, on_signal, NULL), -EINVAL, "SIGSTOP is -EINVAL");
	is_int(ev_signal_add(loop, NSIG, on_signal, NULL), -EINVAL, "NSIG is -EINVAL");
	is_int(ev_signal_add(loop, SIGHUP, NULL, NULL), -EINVAL, "no callback is -EINVAL");
	ok(!signal_blocked(SIGHUP), "a refused signal is not left blocked");

	/* Pending at free: discarded, not delivered with its default action (it would kill us). */
	raise(SIGUSR2);
	ev_loop_free(loop);
	ok(!signal_blocked(SIGUSR1) && !signal_blocked(SIGUSR2),
	   "ev_loop_free unblocks what it blocked");
	ev_loop_free(NULL);
	ok(true, "still alive: the pending signal was discarded; ev_loop_free(NULL) is a no-op");
}

/* ------------------------------------------------- real clock, ev_run/stop */

struct stopper {
	struct ev_timer timer;
	struct ev_loop *loop;
	unsigned fired;
};

static void stopper_fire(struct ev_timer *t)
{
	struct stopper *s = container_of(t, struct stopper, timer);

	s->fired++;
	ev_stop(s->loop);
}

static void test_real_clock(void)
{
	struct clock clock;
	struct ev_loop *loop;
	struct stopper s = { 0 };
	uint64_t start;

	clock_init_monotonic(&clock);
	loop = ev_loop_new(&clock);
	if (!ok(loop != NULL, "loop on the monotonic clock"))
		return;
	s.loop = loop;
	ev_timer_init(&s.timer, stopper_fire);

	ev_timer_arm(loop, &s.timer, 30);
	start = clock_now_ms(&clock);
	is_int(ev_run(loop), 0, "ev_run returns 0 after ev_stop");
	ok(s.fired == 1 && clock_now_ms(&clock) - start >= 30,
	   "the timerfd woke the loop after 30 ms");

	ev_timer_arm(loop, &s.timer, 20);
	start = clock_now_ms(&clock);
	is_int(ev_run_once(loop, -1), 1, "ev_run_once(-1) sleeps until the timer and runs it");
	ok(clock_now_ms(&clock) - start >= 20, "not before its time");

	ev_timer_arm(loop, &s.timer, 20);
	is_int(ev_run_once(loop, 0), 0, "a timer 20 ms away: a non-blocking round runs nothing");
	ev_timer_cancel(loop, &s.timer);
	start = clock_now_ms(&clock);
	is_int(ev_run_once(loop, 60), 0, "after cancelling, a 60 ms round runs nothing");
	ok(clock_now_ms(&clock) - start >= 60, "and was not woken early by a stale timerfd");

	ev_stop(loop);
	is_int(ev_run(loop), 0, "ev_stop before ev_run: ev_run returns at once");
	ev_loop_free(loop);
}

static void test_manual_clock_never_sleeps_on_timers(void)
{
	struct clock clock, real;
	struct ev_loop *loop;
	struct recorder rec = { 0 };
	struct tagged_timer t;
	uint64_t start;

	clock_init_monotonic(&real);
	clock_init_manual(&clock, 0);
	loop = ev_loop_new(&clock);
	if (!ok(loop != NULL, "loop on a manual clock"))
		return;
	tagged_init(&t, 1, &rec);
	ev_timer_arm(loop, &t.timer, 50);
	start = clock_now_ms(&real);
	is_int(ev_run_once(loop, 80), 0, "real time passing does not fire a manual-clock timer");
	ok(clock_now_ms(&real) - start >= 80, "the round waited its full 80 ms");
	clock_advance(&clock, 50);
	is_int(ev_run_once(loop, -1), 1,
	       "once the manual clock reaches it, the round does not block and runs it");
	ev_loop_free(loop);
}

/* ----------------------------------------------------------------- OOM */

static void test_oom(void)
{
	struct clock clock;
	struct ev_loop *loop = NULL;
	unsigned long n;
	unsigned failed_cleanly = 0;

	clock_init_manual(&clock, 0);
	for (n = 1; n < 100; n++) {
		alloc_fail_at(n);
		loop = ev_loop_new(&clock);
		alloc_fail_at(0);
		if (loop != NULL)
			break;
		failed_cleanly++;
	}
	ok(loop != NULL, "ev_loop_new succeeds once the injected failure is past its allocations");
	is_uint(failed_cleanly, n - 1,
		"every earlier injected failure returned NULL (ASan checks for leaks)");
	ev_loop_free(loop);
}

int main(void)
{
	/* A loop that never wakes is a failure, not a hang. */
	alarm(60);
	test_timer_order();
	test_timer_cancel();
	test_timer_rearm_from_callback();
	test_timer_free_owner();
	test_timer_stress();
	test_fd_basics();
	test_fd_delete_pending();
	test_fd_readd_pending();
	test_signals();
	test_real_clock();
	test_manual_clock_never_sleeps_on_timers();
	test_oom();
	return tap_done();
}
