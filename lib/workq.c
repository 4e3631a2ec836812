/*
 * workq.c - worker threads with completions delivered on the loop thread
 * (see workq.h).
 *
 * One mutex guards both intrusive lists (queued, completed) and every job's
 * state.  job->state is also stored and loaded atomically, so that
 * workq_job_pending() may look without the lock.  Workers wait on
 * work_ready.  workq_cancel() waits on job_finished for a running job.  The
 * eventfd is written when the completed list goes from empty to non-empty;
 * the loop callback drains a bounded batch and re-arms itself if more is left.
 */
#include "config.h"

#include "lib/workq.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "lib/alloc.h"

enum workq_job_state {
	WORKQ_JOB_IDLE = 0,
	WORKQ_JOB_QUEUED,
	WORKQ_JOB_RUNNING,
	WORKQ_JOB_COMPLETED,
};

/* How many done() calls one wake-up of the loop runs before it yields to other events. */
#define WORKQ_DRAIN_BATCH 64

struct workq_list {
	struct workq_job *head;
	struct workq_job *tail;
};

struct workq {
	struct ev_loop *loop;
	struct ev_fd wake;
	int wake_fd;
	pthread_mutex_t lock;
	pthread_cond_t work_ready;
	pthread_cond_t job_finished;
	struct workq_list queued;
	struct workq_list completed;
	bool stopping;
	unsigned nthreads;
	pthread_t threads[];
};

static int job_state(const struct workq_job *job)
{
	return __atomic_load_n(&job->state, __ATOMIC_ACQUIRE);
}

static void job_set_state(struct workq_job *job, int state)
{
	__atomic_store_n(&job->state, state, __ATOMIC_RELEASE);
}

static void list_push(struct workq_list *l, struct workq_job *job)
{
	job->next = NULL;
	job->prev = l->tail;
	if (l->tail)
		l->tail->next = job;
	else
		l->head = job;
	l->tail = job;
}

static void list_remove(struct workq_list *l, struct workq_job *job)
{
	if (job->prev)
		job->prev->next = job->next;
	else
		l->head = job->next;
	if (job->next)
		job->next->prev = job->prev;
	else
		l->tail = job->prev;
	job->prev = job->next = NULL;
}

static struct workq_job *list_pop(struct workq_list *l)
{
	struct workq_job *job = l->head;

	if (job)
		list_remove(l, job);
	return job;
}

void workq_job_init(struct workq_job *job, void (*work)(struct workq_job *),
		    void (*done)(struct workq_job *))
{
	job->work = work;
	job->done = done;
	job->prev = job->next = NULL;
	job->cancel_requested = false;
	job_set_state(job, WORKQ_JOB_IDLE);
}

bool workq_job_pending(const struct workq_job *job)
{
	return job_state(job) != WORKQ_JOB_IDLE;
}

unsigned workq_threads(const struct workq *q)
{
	return q->nthreads;
}

/* Wakes the loop; an eventfd write only fails if the counter is about to overflow. */
static void wake_loop(struct workq *q)
{
	uint64_t one = 1;
	ssize_t n;

	do
		n = write(q->wake_fd, &one, sizeof(one));
	while (n < 0 && errno == EINTR);
}

static void *worker_main(void *arg)
{
	struct workq *q = arg;

	pthread_mutex_lock(&q->lock);
	for (;;) {
		struct workq_job *job;
		bool was_empty = false;

		while (!q->stopping && !q->queued.head)
			pthread_cond_wait(&q->work_ready, &q->lock);
		if (q->stopping)
			break;
		job = list_pop(&q->queued);
		job_set_state(job, WORKQ_JOB_RUNNING);
		pthread_mutex_unlock(&q->lock);

		job->work(job);

		pthread_mutex_lock(&q->lock);
		if (job->cancel_requested) {
			/* workq_cancel() is waiting: after this the job is its owner's again. */
			job->cancel_requested = false;
			job_set_state(job, WORKQ_JOB_IDLE);
		} else {
			was_empty = q->completed.head == NULL;
			list_push(&q->completed, job);
			job_set_state(job, WORKQ_JOB_COMPLETED);
		}
		pthread_cond_broadcast(&q->job_finished);
		if (was_empty) {
			pthread_mutex_unlock(&q->lock);
			wake_loop(q);
			pthread_mutex_lock(&q->lock);
		}
	}
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

static void workq_on_wake(struct ev_fd *f, uint32_t revents)
{
	struct workq *q = container_of(f, struct workq, wake);
	uint64_t count;
	ssize_t n;
	bool more;

	do
		n = read(q->wake_fd, &count, sizeof(count));
	while (n < 0 && errno == EINTR);
	for (unsigned i = 0; i < WORKQ_DRAIN_BATCH; i++) {
		struct workq_job *job;

		pthread_mutex_lock(&q->lock);
		job = list_pop(&q->completed);
		if (job)
			job_set_state(job, WORKQ_JOB_IDLE);
		pthread_mutex_unlock(&q->lock);
		if (!job)
			return;
		/* The job is its owner's again: done() may free it, resubmit it, cancel others. */
		job->done(job);
	}
	pthread_mutex_lock(&q->lock);
	more = q->completed.head != NULL;
	pthread_mutex_unlock(&q->lock);
	if (more)
		wake_loop(q);
}

/* Stops and joins the first n threads. */
static void stop_threads(struct workq *q, unsigned n)
{
	pthread_mutex_lock(&q->lock);
	q->stopping = true;
	pthread_cond_broadcast(&q->work_ready);
	pthread_mutex_unlock(&q->lock);
	for (unsigned i = 0; i < n; i++)
		pthread_join(q->threads[i], NULL);
}

static unsigned default_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > WORKQ_MAX_THREADS ? WORKQ_MAX_THREADS : (unsigned)n;
}

struct workq *workq_new(struct ev_loop *loop, unsigned nthreads)
{
	struct workq *q;
	sigset_t all, old;
	unsigned started = 0;
	int err;

	if (nthreads == 0)
		nthreads = default_threads();
	if (nthreads > WORKQ_MAX_THREADS)
		nthreads = WORKQ_MAX_THREADS;
	q = alloc_zero(sizeof(*q) + nthreads * sizeof(q->threads[0]));
	if (!q)
		return NULL;
	q->loop = loop;
	q->nthreads = nthreads;
	q->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (q->wake_fd < 0) {
		err = errno;
		goto err_fd;
	}
	err = pthread_mutex_init(&q->lock, NULL);
	if (err)
		goto err_mutex;
	err = pthread_cond_init(&q->work_ready, NULL);
	if (err)
		goto err_cond_work;
	err = pthread_cond_init(&q->job_finished, NULL);
	if (err)
		goto err_cond_finished;
	err = -ev_fd_add(loop, &q->wake, q->wake_fd, EPOLLIN, workq_on_wake);
	if (err)
		goto err_watch;
	/* Workers inherit a mask that blocks everything: signals are the loop's business. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (; started < nthreads; started++) {
		err = pthread_create(&q->threads[started], NULL, worker_main, q);
		if (err)
			break;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err)
		goto err_threads;
	return q;

err_threads:
	stop_threads(q, started);
	ev_fd_del(loop, &q->wake);
err_watch:
	pthread_cond_destroy(&q->job_finished);
err_cond_finished:
	pthread_cond_destroy(&q->work_ready);
err_cond_work:
	pthread_mutex_destroy(&q->lock);
err_mutex:
	close(q->wake_fd);
err_fd:
	alloc_free(q);
	errno = err;
	return NULL;
}

void workq_free(struct workq *q)
{
	struct workq_job *job;

	if (!q)
		return;
	stop_threads(q, q->nthreads);
	/* No worker is left: what is still listed goes back to its owner, unrun or undelivered. */
	while ((job = list_pop(&q->queued)))
		job_set_state(job, WORKQ_JOB_IDLE);
	while ((job = list_pop(&q->completed)))
		job_set_state(job, WORKQ_JOB_IDLE);
	ev_fd_del(q->loop, &q->wake);
	close(q->wake_fd);
	pthread_cond_destroy(&q->job_finished);
	pthread_cond_destroy(&q->work_ready);
	pthread_mutex_destroy(&q->lock);
	alloc_free(q);
}

int workq_submit(struct workq *q, struct workq_job *job)
{
	if (!job->work || !job->done)
		return -EINVAL;
	pthread_mutex_lock(&q->lock);
	if (job_state(job) != WORKQ_JOB_IDLE) {
		pthread_mutex_unlock(&q->lock);
		return -EBUSY;
	}
	job->cancel_requested = false;
	list_push(&q->queued, job);
	job_set_state(job, WORKQ_JOB_QUEUED);
	pthread_cond_signal(&q->work_ready);
	pthread_mutex_unlock(&q->lock);
	return 0;
}

void workq_cancel(struct workq *q, struct workq_job *job)
{
	pthread_mutex_lock(&q->lock);
	switch (job_state(job)) {
	case WORKQ_JOB_QUEUED:
		list_remove(&q->queued, job);
		job_set_state(job, WORKQ_JOB_IDLE);
		break;
	case WORKQ_JOB_COMPLETED:
		list_remove(&q->completed, job);
		job_set_state(job, WORKQ_JOB_IDLE);
		break;
	case WORKQ_JOB_RUNNING:
		job->cancel_requested = true;
		while (job_state(job) == WORKQ_JOB_RUNNING)
			pthread_cond_wait(&q->job_finished, &q->lock);
		break;
	default:
		break;
	}
	pthread_mutex_unlock(&q->lock);
}
