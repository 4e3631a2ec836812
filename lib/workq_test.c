/*
 * workq_test.c - the worker pool: many jobs, done() on the loop thread,
 * ordering, the cancellation rule in each state, free with jobs in flight.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/clock.h"
#include "lib/evloop.h"
#include "lib/workq.h"
#include "tests/harness/tap.h"

static pthread_t loop_thread;

struct item {
	struct workq_job job;
	unsigned id;
	unsigned work_runs;             /* written by the worker, read in done() */
	bool work_on_worker;
	unsigned done_runs;
	bool done_on_loop;
	unsigned done_seq;
	unsigned spin;                  /* busy work, to spread jobs over the threads */
	unsigned spin_sum;
	unsigned sleep_ms;
	volatile bool *gate;            /* work() waits for it, when set */
	volatile bool *started;         /* work() raises it first thing */
	volatile bool *finished;        /* work() raises it last thing */
	struct workq *q;                /* for done() to submit again */
	unsigned resubmit;              /* how many more times done() submits it */
};

static unsigned done_counter;

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void item_work(struct workq_job *job)
{
	struct item *it = container_of(job, struct item, job);
	unsigned sum = 0;

	if (it->started)
		__atomic_store_n(it->started, true, __ATOMIC_SEQ_CST);
	while (it->gate && !__atomic_load_n(it->gate, __ATOMIC_SEQ_CST))
		sleep_ms(1);
	for (unsigned i = 0; i < it->spin; i++)
		sum = sum * 31 + i;
	it->spin_sum = sum;
	if (it->sleep_ms)
		sleep_ms(it->sleep_ms);
	it->work_runs++;
	it->work_on_worker = !pthread_equal(pthread_self(), loop_thread);
	if (it->finished)
		__atomic_store_n(it->finished, true, __ATOMIC_SEQ_CST);
}

static void item_done(struct workq_job *job)
{
	struct item *it = container_of(job, struct item, job);

	it->done_runs++;
	it->done_on_loop = pthread_equal(pthread_self(), loop_thread);
	it->done_seq = done_counter++;
	if (it->resubmit > 0 && workq_submit(it->q, &it->job) == 0)
		it->resubmit--;
}

/* One round of the loop, waiting at most 1 ms. */
static void spin_loop(struct ev_loop *loop)
{
	if (ev_run_once(loop, 1) < 0)
		ok(false, "ev_run_once failed");
}

/* Runs the loop until `count` more done() calls happened or about 5 s passed. */
static bool run_until(struct ev_loop *loop, unsigned count)
{
	unsigned target = done_counter + count;

	for (int i = 0; i < 5000 && done_counter < target; i++)
		if (ev_run_once(loop, 1) < 0)
			return false;
	return done_counter >= target;
}

static void test_many(struct ev_loop *loop)
{
	enum { N = 2000 };
	struct workq *q = workq_new(loop, 4);
	struct item *items = calloc(N, sizeof(*items));
	bool all_once = true, worker = true, on_loop = true;

	ok(q && items, "pool of 4 threads");
	if (!q || !items)
		goto out;
	is_int(workq_threads(q), 4, "4 threads");
	for (unsigned i = 0; i < N; i++) {
		items[i].id = i;
		items[i].spin = 1000 + (i % 7) * 3000;
		workq_job_init(&items[i].job, item_work, item_done);
		if (workq_submit(q, &items[i].job) != 0)
			all_once = false;
	}
	ok(all_once, "%d jobs submitted", N);
	ok(run_until(loop, N), "%d completions delivered", N);
	for (unsigned i = 0; i < N; i++) {
		all_once = all_once && items[i].work_runs == 1 && items[i].done_runs == 1;
		worker = worker && items[i].work_on_worker;
		on_loop = on_loop && items[i].done_on_loop;
	}
	ok(all_once, "every work() and done() ran exactly once");
	ok(worker, "work() ran on worker threads");
	ok(on_loop, "done() ran on the loop thread");
	ok(!workq_job_pending(&items[0].job) && !workq_job_pending(&items[N - 1].job),
	   "delivered jobs are not pending");
out:
	workq_free(q);
	free(items);
}

static void test_order(struct ev_loop *loop)
{
	enum { N = 300 };
	struct workq *q = workq_new(loop, 1);
	struct item items[N];
	bool ordered = true;
	unsigned first;

	memset(items, 0, sizeof(items));
	ok(q != NULL, "pool of 1 thread");
	if (!q)
		return;
	first = done_counter;
	for (unsigned i = 0; i < N; i++) {
		workq_job_init(&items[i].job, item_work, item_done);
		items[i].spin = (N - i) * 50;
		ordered = ordered && workq_submit(q, &items[i].job) == 0;
	}
	ok(run_until(loop, N), "all delivered");
	for (unsigned i = 0; i < N; i++)
		ordered = ordered && items[i].done_seq == first + i;
	ok(ordered, "one thread: done() in submission order (more than one drain batch)");
	workq_free(q);
}

static void test_submit_errors(struct ev_loop *loop)
{
	struct workq *q = workq_new(loop, 1);
	volatile bool gate = false;
	struct item it, bare;

	memset(&it, 0, sizeof(it));
	memset(&bare, 0, sizeof(bare));
	ok(q != NULL, "pool");
	if (!q)
		return;
	is_int(workq_submit(q, &bare.job), -EINVAL, "a job without callbacks is refused");
	workq_job_init(&it.job, item_work, item_done);
	it.gate = &gate;
	is_int(workq_submit(q, &it.job), 0, "submit");
	ok(workq_job_pending(&it.job), "pending once submitted");
	is_int(workq_submit(q, &it.job), -EBUSY, "submitting twice is refused");
	__atomic_store_n(&gate, true, __ATOMIC_SEQ_CST);
	ok(run_until(loop, 1), "delivered");
	is_int(it.done_runs, 1, "done() once");
	is_int(workq_submit(q, &it.job), 0, "a delivered job can be submitted again");
	ok(run_until(loop, 1) && it.work_runs == 2 && it.done_runs == 2, "and runs again");
	workq_cancel(q, &it.job);
	ok(!workq_job_pending(&it.job), "cancelling an idle job is a no-op");
	it.q = q;
	it.resubmit = 3;
	is_int(workq_submit(q, &it.job), 0, "a job that done() submits again");
	ok(run_until(loop, 4) && it.work_runs == 6 && it.done_runs == 6 && it.resubmit == 0,
	   "done() submitted it again three times");
	workq_free(q);
}

/* The four states a job can be cancelled in; each cancelled job is freed at once (ASan checks). */
static void test_cancel(struct ev_loop *loop)
{
	struct workq *q = workq_new(loop, 1);
	volatile bool gate = false, started = false, finished = false;
	struct item blocker, *queued, *running, *completed;
	unsigned before;

	memset(&blocker, 0, sizeof(blocker));
	ok(q != NULL, "pool of 1 thread");
	if (!q)
		return;
	/* Queued: the only thread is held by the blocker. */
	workq_job_init(&blocker.job, item_work, item_done);
	blocker.gate = &gate;
	blocker.started = &started;
	ok(workq_submit(q, &blocker.job) == 0, "blocker submitted");
	while (!__atomic_load_n(&started, __ATOMIC_SEQ_CST))
		sleep_ms(1);
	queued = calloc(1, sizeof(*queued));
	workq_job_init(&queued->job, item_work, item_done);
	ok(workq_submit(q, &queued->job) == 0, "queued job submitted");
	workq_cancel(q, &queued->job);
	ok(!workq_job_pending(&queued->job), "cancelled while queued: not pending");
	free(queued);
	__atomic_store_n(&gate, true, __ATOMIC_SEQ_CST);
	before = done_counter;
	ok(run_until(loop, 1), "blocker delivered");
	for (int i = 0; i < 20; i++)
		spin_loop(loop);
	is_int(done_counter - before, 1, "the cancelled queued job never reached done()");

	/* Running: cancel waits for work() to return. */
	started = false;
	running = calloc(1, sizeof(*running));
	workq_job_init(&running->job, item_work, item_done);
	running->started = &started;
	running->finished = &finished;
	running->sleep_ms = 100;
	ok(workq_submit(q, &running->job) == 0, "slow job submitted");
	while (!__atomic_load_n(&started, __ATOMIC_SEQ_CST))
		sleep_ms(1);
	workq_cancel(q, &running->job);
	ok(__atomic_load_n(&finished, __ATOMIC_SEQ_CST), "cancel returned only after work() finished");
	ok(!workq_job_pending(&running->job), "cancelled while running: not pending");
	free(running);
	before = done_counter;
	for (int i = 0; i < 50; i++)
		spin_loop(loop);
	is_int(done_counter - before, 0, "the cancelled running job never reached done()");

	/* Completed, done() not yet delivered: the loop does not run meanwhile. */
	finished = false;
	completed = calloc(1, sizeof(*completed));
	workq_job_init(&completed->job, item_work, item_done);
	completed->finished = &finished;
	ok(workq_submit(q, &completed->job) == 0, "quick job submitted");
	while (!__atomic_load_n(&finished, __ATOMIC_SEQ_CST))
		sleep_ms(1);
	sleep_ms(20);
	workq_cancel(q, &completed->job);
	ok(!workq_job_pending(&completed->job), "cancelled after work(): not pending");
	free(completed);
	before = done_counter;
	for (int i = 0; i < 50; i++)
		spin_loop(loop);
	is_int(done_counter - before, 0, "its done() is never called");
	workq_free(q);
}

/* done() of one job frees another whose done() is also waiting. */
struct pair {
	struct workq_job job;
	struct workq *q;
	struct pair *victim;
	unsigned *dones;
};

static void pair_work(struct workq_job *job)
{
	(void)job;
}

static void pair_done(struct workq_job *job)
{
	struct pair *p = container_of(job, struct pair, job);

	(*p->dones)++;
	done_counter++;
	if (p->victim) {
		workq_cancel(p->q, &p->victim->job);
		free(p->victim);
		p->victim = NULL;
	}
}

static void test_cancel_from_done(struct ev_loop *loop)
{
	struct workq *q = workq_new(loop, 1);
	volatile bool gate = false;
	struct item blocker;
	struct pair *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	unsigned dones = 0;

	memset(&blocker, 0, sizeof(blocker));
	ok(q && a && b, "pool and two jobs");
	if (!q || !a || !b) {
		free(a);
		free(b);
		workq_free(q);
		return;
	}
	/* The blocker holds the thread so that a and b complete back to back, then both wait. */
	workq_job_init(&blocker.job, item_work, item_done);
	blocker.gate = &gate;
	ok(workq_submit(q, &blocker.job) == 0, "blocker");
	workq_job_init(&a->job, pair_work, pair_done);
	workq_job_init(&b->job, pair_work, pair_done);
	a->q = b->q = q;
	a->dones = b->dones = &dones;
	a->victim = b;
	ok(workq_submit(q, &a->job) == 0 && workq_submit(q, &b->job) == 0, "a and b submitted");
	__atomic_store_n(&gate, true, __ATOMIC_SEQ_CST);
	ok(run_until(loop, 2), "blocker and a delivered");
	for (int i = 0; i < 50; i++)
		spin_loop(loop);
	is_int(dones, 1, "a's done() cancelled and freed b: b's done() never ran");
	free(a);
	workq_free(q);
}

/* Free with jobs queued, running and completed: no done(), nothing touched afterwards. */
static void test_free_in_flight(struct ev_loop *loop)
{
	enum { N = 200 };
	struct workq *q = workq_new(loop, 2);
	struct item *items = calloc(N, sizeof(*items));
	unsigned before = done_counter, ran = 0;
	bool idle = true;

	ok(q && items, "pool of 2 threads");
	if (!q || !items) {
		free(items);
		workq_free(q);
		return;
	}
	for (unsigned i = 0; i < N; i++) {
		workq_job_init(&items[i].job, item_work, item_done);
		items[i].sleep_ms = i % 3 == 0 ? 2 : 0;
		(void)!workq_submit(q, &items[i].job);
	}
	sleep_ms(10);
	workq_free(q);
	for (unsigned i = 0; i < N; i++) {
		idle = idle && !workq_job_pending(&items[i].job);
		ran += items[i].work_runs;
	}
	ok(idle, "after free no job is pending");
	ok(ran < N, "free did not wait for the queue to drain (%u of %d ran)", ran, N);
	for (int i = 0; i < 20; i++)
		spin_loop(loop);
	is_int(done_counter - before, 0, "no done() after free");
	free(items);
}

static void test_default_threads(struct ev_loop *loop)
{
	struct workq *q = workq_new(loop, 0);
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	ok(q != NULL, "default pool");
	if (q)
		is_int(workq_threads(q), cpus < 1 ? 1 : cpus, "one thread per CPU (%ld)", cpus);
	workq_free(q);
	q = workq_new(loop, 1000);
	ok(q && workq_threads(q) == WORKQ_MAX_THREADS, "at most %d threads", WORKQ_MAX_THREADS);
	workq_free(q);
	workq_free(NULL);
}

int main(void)
{
	struct clock clk;
	struct ev_loop *loop;

	loop_thread = pthread_self();
	clock_init_monotonic(&clk);
	loop = ev_loop_new(&clk);
	ok(loop != NULL, "event loop");
	if (!loop)
		return tap_done();
	test_many(loop);
	test_order(loop);
	test_submit_errors(loop);
	test_cancel(loop);
	test_cancel_from_done(loop);
	test_free_in_flight(loop);
	test_default_threads(loop);
	ev_loop_free(loop);
	return tap_done();
}
