/*
 * evloop.c - epoll + timerfd + signalfd event loop (see evloop.h).
 *
 * Timers live in a binary min-heap whose links are stored in the timers
 * themselves (parent/left/right), ordered by (due_ms, seq): no array to grow,
 * so arming never allocates and cannot fail, and insert/remove are O(log n)
 * worst case.  Heap position k (1-based, root = 1) is reached from the root by
 * the bits of k below its highest set bit: 0 goes left, 1 goes right.
 *
 * The loop's own timerfd and signalfd are registered like any ev_fd
 * (timer_watch, signal_watch) and recognised by address when dispatched.
 */
#include "config.h"

#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "lib/alloc.h"
#include "lib/evloop.h"

/* Events taken from one epoll_wait(); more stay queued in the kernel for the next round. */
#define EV_BATCH_MAX 64

struct ev_signal_handler {
	void (*cb)(struct ev_loop *loop, int signo, void *arg);
	void *arg;
};

struct ev_loop {
	struct clock *clock;            /* borrowed */
	int epoll_fd;
	bool stop;
	bool dispatching;               /* inside ev_run_once(): no nested rounds */

	/* The batch being dispatched; ev_fd_del() clears its entries for the deleted fd. */
	struct epoll_event batch[EV_BATCH_MAX];
	int batch_len;

	struct ev_timer *heap_root;
	size_t heap_count;
	uint64_t timer_seq;             /* the last sequence number handed out */
	struct ev_fd timer_watch;       /* the timerfd, CLOCK_MONOTONIC, absolute */
	uint64_t timerfd_due;           /* what the timerfd is set to; 0 when disarmed or expired */

	struct ev_fd signal_watch;      /* the signalfd, once a signal was added */
	sigset_t signals;               /* the signals it reads (and that we blocked) */
	sigset_t child_mask;            /* the mask in force when the loop was made */
	struct ev_signal_handler handlers[NSIG];
};

/* ------------------------------------------------------------------ fds */

static int ev_epoll_add(struct ev_loop *loop, struct ev_fd *f, int fd, uint32_t events,
			void (*cb)(struct ev_fd *, uint32_t))
{
	struct epoll_event event = { .events = events, .data.ptr = f };

	if (f->added)
		return -EEXIST;
	if (epoll_ctl(loop->epoll_fd, EPOLL_CTL_ADD, fd, &event) != 0)
		return -errno;
	f->fd = fd;
	f->events = events;
	f->cb = cb;
	f->added = true;
	return 0;
}

int ev_fd_add(struct ev_loop *loop, struct ev_fd *f, int fd, uint32_t events,
	      void (*cb)(struct ev_fd *, uint32_t))
{
	if (cb == NULL || fd < 0)
		return -EINVAL;
	return ev_epoll_add(loop, f, fd, events, cb);
}

int ev_fd_mod(struct ev_loop *loop, struct ev_fd *f, uint32_t events)
{
	struct epoll_event event = { .events = events, .data.ptr = f };

	if (!f->added)
		return -ENOENT;
	if (epoll_ctl(loop->epoll_fd, EPOLL_CTL_MOD, f->fd, &event) != 0)
		return -errno;
	f->events = events;
	return 0;
}

void ev_fd_del(struct ev_loop *loop, struct ev_fd *f)
{
	if (!f->added)
		return;
	/* Fails only if the fd was already closed, which removed it from the set anyway. */
	(void)epoll_ctl(loop->epoll_fd, EPOLL_CTL_DEL, f->fd, NULL);
	for (int i = 0; i < loop->batch_len; i++) {
		if (loop->batch[i].data.ptr == f)
			loop->batch[i].data.ptr = NULL;
	}
	f->added = false;
}

/* --------------------------------------------------------------- timers */

static bool ev_timer_before(const struct ev_timer *a, const struct ev_timer *b)
{
	return a->due_ms < b->due_ms || (a->due_ms == b->due_ms && a->seq < b->seq);
}

/* The pointer (the root, or a parent's child link) that holds heap position pos >= 1. */
static struct ev_timer **ev_heap_link(struct ev_loop *loop, size_t pos, struct ev_timer **parent)
{
	struct ev_timer **link = &loop->heap_root;
	unsigned bit = (unsigned)(sizeof(unsigned long long) * CHAR_BIT - 1) -
		       (unsigned)__builtin_clzll(pos);

	*parent = NULL;
	while (bit-- > 0) {
		*parent = *link;
		link = (pos >> bit) & 1 ? &(*link)->heap_right : &(*link)->heap_left;
	}
	return link;
}

/* The link that holds t: the root pointer or its parent's left or right. */
static struct ev_timer **ev_heap_link_of(struct ev_loop *loop, struct ev_timer *t)
{
	struct ev_timer *parent = t->heap_parent;

	if (parent == NULL)
		return &loop->heap_root;
	return parent->heap_left == t ? &parent->heap_left : &parent->heap_right;
}

/* Swaps child c with its parent p, links and all. */
static void ev_heap_swap(struct ev_loop *loop, struct ev_timer *p, struct ev_timer *c)
{
	struct ev_timer *c_left = c->heap_left, *c_right = c->heap_right, *sibling;

	*ev_heap_link_of(loop, p) = c;
	c->heap_parent = p->heap_parent;
	if (p->heap_left == c) {
		sibling = p->heap_right;
		c->heap_left = p;
		c->heap_right = sibling;
	} else {
		sibling = p->heap_left;
		c->heap_left = sibling;
		c->heap_right = p;
	}
	if (sibling)
		sibling->heap_parent = c;
	p->heap_parent = c;
	p->heap_left = c_left;
	p->heap_right = c_right;
	if (c_left)
		c_left->heap_parent = p;
	if (c_right)
		c_right->heap_parent = p;
}

static void ev_heap_sift_up(struct ev_loop *loop, struct ev_timer *t)
{
	while (t->heap_parent && ev_timer_before(t, t->heap_parent))
		ev_heap_swap(loop, t->heap_parent, t);
}

static void ev_heap_sift_down(struct ev_loop *loop, struct ev_timer *t)
{
	for (;;) {
		struct ev_timer *least = t;

		if (t->heap_left && ev_timer_before(t->heap_left, least))
			least = t->heap_left;
		if (t->heap_right && ev_timer_before(t->heap_right, least))
			least = t->heap_right;
		if (least == t)
			return;
		ev_heap_swap(loop, t, least);
	}
}

static void ev_heap_insert(struct ev_loop *loop, struct ev_timer *t)
{
	struct ev_timer *parent;
	struct ev_timer **link = ev_heap_link(loop, loop->heap_count + 1, &parent);

	t->heap_parent = parent;
	t->heap_left = NULL;
	t->heap_right = NULL;
	*link = t;
	loop->heap_count++;
	ev_heap_sift_up(loop, t);
}

/* Takes t out: the last node fills its place and moves up or down to where it belongs. */
static void ev_heap_remove(struct ev_loop *loop, struct ev_timer *t)
{
	struct ev_timer *parent;
	struct ev_timer **last_link = ev_heap_link(loop, loop->heap_count, &parent);
	struct ev_timer *last = *last_link;

	*last_link = NULL;
	loop->heap_count--;
	if (last != t) {
		*ev_heap_link_of(loop, t) = last;
		last->heap_parent = t->heap_parent;
		last->heap_left = t->heap_left;
		last->heap_right = t->heap_right;
		if (last->heap_left)
			last->heap_left->heap_parent = last;
		if (last->heap_right)
			last->heap_right->heap_parent = last;
		if (last->heap_parent && ev_timer_before(last, last->heap_parent))
			ev_heap_sift_up(loop, last);
		else
			ev_heap_sift_down(loop, last);
	}
	t->heap_parent = NULL;
	t->heap_left = NULL;
	t->heap_right = NULL;
}

void ev_timer_init(struct ev_timer *t, void (*cb)(struct ev_timer *))
{
	*t = (struct ev_timer){ .cb = cb };
}

void ev_timer_arm_at(struct ev_loop *loop, struct ev_timer *t, uint64_t due_ms)
{
	ev_timer_cancel(loop, t);
	t->due_ms = due_ms;
	t->seq = ++loop->timer_seq;
	ev_heap_insert(loop, t);
}

void ev_timer_arm(struct ev_loop *loop, struct ev_timer *t, uint64_t delay_ms)
{
	uint64_t now = clock_now_ms(loop->clock);
	uint64_t due;

	if (__builtin_add_overflow(now, delay_ms, &due))
		due = UINT64_MAX;
	ev_timer_arm_at(loop, t, due);
}

void ev_timer_cancel(struct ev_loop *loop, struct ev_timer *t)
{
	if (t->seq == 0)
		return;
	ev_heap_remove(loop, t);
	t->seq = 0;
}

bool ev_timer_armed(const struct ev_timer *t)
{
	return t->seq != 0;
}

uint64_t ev_timer_due(const struct ev_timer *t)
{
	return t->due_ms;
}

size_t ev_timers_armed(const struct ev_loop *loop)
{
	return loop->heap_count;
}

unsigned ev_run_timers(struct ev_loop *loop)
{
	uint64_t now = clock_now_ms(loop->clock);
	uint64_t last_seq = loop->timer_seq;
	struct ev_timer *t;
	unsigned ran = 0;

	while ((t = loop->heap_root) != NULL && t->due_ms <= now && t->seq <= last_seq) {
		ev_timer_cancel(loop, t);
		t->cb(t);
		ran++;
	}
	return ran;
}

/* Sets the timerfd to fire at due_ms (0 disarms it); 0 or -errno. */
static int ev_timerfd_set(struct ev_loop *loop, uint64_t due_ms)
{
	struct itimerspec spec = {
		.it_value.tv_sec = (time_t)(due_ms / 1000),
		.it_value.tv_nsec = (long)(due_ms % 1000) * 1000000,
	};

	if (loop->timerfd_due == due_ms)
		return 0;
	if (timerfd_settime(loop->timer_watch.fd, TFD_TIMER_ABSTIME, &spec, NULL) != 0)
		return -errno;
	loop->timerfd_due = due_ms;
	return 0;
}

/* The timerfd fired: reset its readiness.  The due timers run at the end of the round. */
static void ev_timerfd_expired(struct ev_loop *loop)
{
	uint64_t expirations;
	ssize_t n = read(loop->timer_watch.fd, &expirations, sizeof expirations);

	/* Read, or EAGAIN after a spurious wake-up: spent either way; the next round re-sets it. */
	(void)n;
	loop->timerfd_due = 0;
}

/*
 * How long the next epoll_wait() may sleep: 0 if a timer is already due;
 * otherwise max_wait_ms, with the timerfd set to wake us for the first timer
 * (a manual clock never wakes us: its time does not pass while we sleep).
 * If the timerfd cannot be set, the wait itself is shortened instead.
 */
static int ev_wait_ms(struct ev_loop *loop, int max_wait_ms)
{
	const struct ev_timer *first = loop->heap_root;
	uint64_t now, until;

	if (first == NULL) {
		(void)ev_timerfd_set(loop, 0);
		return max_wait_ms;
	}
	now = clock_now_ms(loop->clock);
	if (first->due_ms <= now)
		return 0;
	if (loop->clock->manual || ev_timerfd_set(loop, first->due_ms) == 0)
		return max_wait_ms;
	until = first->due_ms - now;
	if (max_wait_ms >= 0 && until > (uint64_t)max_wait_ms)
		return max_wait_ms;
	return until > INT_MAX ? INT_MAX : (int)until;
}

/* -------------------------------------------------------------- signals */

/* Runs the callbacks of the signals queued on the signalfd; returns how many ran. */
static int ev_signal_dispatch(struct ev_loop *loop)
{
	struct signalfd_siginfo info;
	int ran = 0;

	/* Bounded, so a callback that raises its own signal cannot keep us here. */
	for (int i = 0; i < NSIG; i++) {
		const struct ev_signal_handler *handler;
		int signo;

		if (read(loop->signal_watch.fd, &info, sizeof info) != (ssize_t)sizeof info)
			break;
		signo = (int)info.ssi_signo;
		if (signo <= 0 || signo >= NSIG)
			continue;
		handler = &loop->handlers[signo];
		if (handler->cb) {
			handler->cb(loop, signo, handler->arg);
			ran++;
		}
	}
	return ran;
}

int ev_signal_add(struct ev_loop *loop, int signo,
		  void (*cb)(struct ev_loop *loop, int signo, void *arg), void *arg)
{
	sigset_t one, signals;
	int fd, rc;

	if (cb == NULL || signo <= 0 || signo >= NSIG || signo == SIGKILL || signo == SIGSTOP)
		return -EINVAL;
	sigemptyset(&one);
	if (sigaddset(&one, signo) != 0)
		return -EINVAL;
	signals = loop->signals;
	sigaddset(&signals, signo);
	rc = pthread_sigmask(SIG_BLOCK, &one, NULL);
	if (rc != 0)
		return -rc;
	fd = signalfd(loop->signal_watch.added ? loop->signal_watch.fd : -1, &signals,
		      SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		goto err_unblock;
	}
	if (!loop->signal_watch.added) {
		rc = ev_epoll_add(loop, &loop->signal_watch, fd, EPOLLIN, NULL);
		if (rc < 0)
			goto err_close;
	}
	loop->signals = signals;
	loop->handlers[signo] = (struct ev_signal_handler){ .cb = cb, .arg = arg };
	return 0;

err_close:
	close(fd);
err_unblock:
	if (!sigismember(&loop->signals, signo) && !sigismember(&loop->child_mask, signo))
		pthread_sigmask(SIG_UNBLOCK, &one, NULL);
	return rc;
}

void ev_signal_child_mask(const struct ev_loop *loop, sigset_t *mask)
{
	*mask = loop->child_mask;
}

/* Discards what is queued on the signalfd, closes it and unblocks what we blocked. */
static void ev_signal_close(struct ev_loop *loop)
{
	struct signalfd_siginfo info;
	sigset_t ours;

	if (!loop->signal_watch.added)
		return;
	while (read(loop->signal_watch.fd, &info, sizeof info) == (ssize_t)sizeof info)
		continue;
	ev_fd_del(loop, &loop->signal_watch);
	close(loop->signal_watch.fd);
	sigemptyset(&ours);
	for (int signo = 1; signo < NSIG; signo++) {
		if (sigismember(&loop->signals, signo) == 1 &&
		    sigismember(&loop->child_mask, signo) == 0)
			sigaddset(&ours, signo);
	}
	pthread_sigmask(SIG_UNBLOCK, &ours, NULL);
}

/* ----------------------------------------------------------------- loop */

struct ev_loop *ev_loop_new(struct clock *clock)
{
	struct ev_loop *loop = alloc_zero(sizeof *loop);
	int timer_fd, rc, saved_errno;

	if (loop == NULL)
		return NULL;
	loop->clock = clock;
	loop->signal_watch.fd = -1;
	sigemptyset(&loop->signals);
	rc = pthread_sigmask(SIG_BLOCK, NULL, &loop->child_mask);
	if (rc != 0) {
		errno = rc;
		goto err_free;
	}
	loop->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epoll_fd < 0)
		goto err_free;
	timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (timer_fd < 0)
		goto err_epoll;
	rc = ev_epoll_add(loop, &loop->timer_watch, timer_fd, EPOLLIN, NULL);
	if (rc < 0) {
		errno = -rc;
		goto err_timer;
	}
	return loop;

err_timer:
	saved_errno = errno;
	close(timer_fd);
	errno = saved_errno;
err_epoll:
	saved_errno = errno;
	close(loop->epoll_fd);
	errno = saved_errno;
err_free:
	alloc_free(loop);
	return NULL;
}

void ev_loop_free(struct ev_loop *loop)
{
	if (loop == NULL)
		return;
	assert(!loop->dispatching);
	ev_signal_close(loop);
	close(loop->timer_watch.fd);
	close(loop->epoll_fd);
	alloc_free(loop);
}

struct clock *ev_loop_clock(struct ev_loop *loop)
{
	return loop->clock;
}

/* Runs the callback behind one epoll event; returns how many user callbacks ran. */
static int ev_dispatch(struct ev_loop *loop, struct ev_fd *f, uint32_t revents)
{
	if (f == &loop->timer_watch) {
		ev_timerfd_expired(loop);
		return 0;
	}
	if (f == &loop->signal_watch)
		return ev_signal_dispatch(loop);
	f->cb(f, revents);
	return 1;
}

int ev_run_once(struct ev_loop *loop, int max_wait_ms)
{
	int ready, ran = 0;

	assert(!loop->dispatching);
	ready = epoll_wait(loop->epoll_fd, loop->batch, EV_BATCH_MAX,
			   ev_wait_ms(loop, max_wait_ms));
	if (ready < 0) {
		if (errno != EINTR)
			return -errno;
		ready = 0;
	}
	loop->dispatching = true;
	loop->batch_len = ready;
	for (int i = 0; i < ready; i++) {
		struct ev_fd *f = loop->batch[i].data.ptr;

		/* NULL: deleted by an earlier callback of this batch. */
		if (f != NULL)
			ran += ev_dispatch(loop, f, loop->batch[i].events);
	}
	loop->batch_len = 0;
	ran += (int)ev_run_timers(loop);
	loop->dispatching = false;
	return ran;
}

int ev_run(struct ev_loop *loop)
{
	int rc = 0;

	while (!loop->stop) {
		rc = ev_run_once(loop, -1);
		if (rc < 0)
			break;
	}
	loop->stop = false;
	return rc < 0 ? rc : 0;
}

void ev_stop(struct ev_loop *loop)
{
	loop->stop = true;
}
