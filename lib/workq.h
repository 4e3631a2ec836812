/*
 * workq.h - a pool of worker threads for heavy work (Diffie-Hellman), with
 * completions delivered back on the event-loop thread.
 *
 * The owner embeds a struct workq_job in its object and sets work() and
 * done() with workq_job_init().  workq_submit() queues the job.  A worker
 * thread runs work(job), jobs in submission order.  When work() returns, the
 * job goes on a lock-protected completed list and the pool's eventfd wakes
 * the loop.  The loop callback then runs done(job) on the loop thread, one job
 * at a time, in the order the work finished.  With one thread that is
 * submission order.
 *
 * The cancellation rule.  workq_cancel(q, job) returns only once the pool is
 * done with the job for good: a queued job is dropped without running, a
 * finished one loses its pending done(), and a running work() is waited for
 * (so work() must be short and must never wait on the loop thread).  After
 * workq_cancel() the owner may free the job's memory at once.  done() is
 * never called for a cancelled job.  So an owner's x_free() calls
 * workq_cancel(q, &x->job) first, and nothing else is needed: no serials, no
 * reference counts.  A job that is not submitted cancels as a no-op.
 *
 * Data: from workq_submit() until done() (or workq_cancel()) the data that
 * work() reads and writes belongs to the worker.  The loop thread must not
 * touch it, except to cancel.  The pool's mutex orders everything: what the
 * owner wrote before submitting is visible to work(), and what work() wrote
 * is visible to done().
 *
 * Signals: the workers block every signal, so the signals the loop takes
 * through signalfd are never delivered to a worker.
 *
 * What it must not do: know any protocol, call work() or done() on the wrong
 * thread, or call done() for a cancelled job or from inside workq_submit().
 * Ownership: the owner owns each struct workq_job; the pool only links it
 * while it is queued, running or completed.  The pool owns its threads and its
 * eventfd, and borrows the loop, which must outlive it.  workq_submit(),
 * workq_cancel() and workq_free() are for the loop thread only.
 */
#ifndef L2TPSEC_LIB_WORKQ_H
#define L2TPSEC_LIB_WORKQ_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/evloop.h"
#include "lib/util.h"

struct workq;

struct workq_job {
	void (*work)(struct workq_job *job);    /* on a worker thread */
	void (*done)(struct workq_job *job);    /* later, on the loop thread */
	/* private: */
	struct workq_job *prev;
	struct workq_job *next;
	int state;
	bool cancel_requested;
};

/* The largest pool workq_new() makes. */
#define WORKQ_MAX_THREADS 64

/* Sets the callbacks of a job that is not submitted (all-zero memory is such a job). */
void workq_job_init(struct workq_job *job, void (*work)(struct workq_job *),
		    void (*done)(struct workq_job *));

/*
 * A pool of nthreads workers (0: one per online CPU; at most
 * WORKQ_MAX_THREADS) whose completions the loop delivers.  NULL on failure,
 * with errno set.
 */
struct workq *workq_new(struct ev_loop *loop, unsigned nthreads) WARN_UNUSED;

/*
 * Stops the pool and joins its threads.  Queued jobs never run, a running
 * work() is waited for, and no done() is called: each job still in the pool
 * is left as if it had been cancelled.  NULL is a no-op.  Not from inside
 * done().
 */
void workq_free(struct workq *q);

/* Queues job; 0, -EBUSY if it is already in the pool, -EINVAL if it has no work() or done(). */
int workq_submit(struct workq *q, struct workq_job *job) WARN_UNUSED;

/* Takes job out of the pool for good (see the cancellation rule above); a no-op if it is not in. */
void workq_cancel(struct workq *q, struct workq_job *job);

/* Whether job is queued, running, or finished with its done() still to come. */
bool workq_job_pending(const struct workq_job *job);

/* The number of worker threads. */
unsigned workq_threads(const struct workq *q);

#endif
