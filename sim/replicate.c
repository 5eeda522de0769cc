/* Independent replications over worker threads, deterministic for any -j.
 *
 * Workers take the next replication index under a mutex and run it outside
 * the lock.  Completion is recorded per index; the coordinating thread waits
 * on a condition variable, advances the completed *prefix* in index order and
 * asks the stopping rule about that prefix only.  Because the rule sees the
 * same prefix 0..k-1 whatever the scheduling, the replications used (and so
 * every reported number) are the same for -j 1 and -j 32; work started past
 * the stopping point is simply dropped.
 *
 * Memory: the result array grows (doubling) as indices are handed out, under
 * the lock; a worker writes into a private buffer and copies it in under the
 * lock, so growth never moves memory a worker is writing. */
#include "replicate.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ci.h"
#include "interrupt.h"

struct replicate_run {
	const struct sim_replicate_opts *opts;
	pthread_mutex_t lock;
	pthread_cond_t changed;
	unsigned char *results; /* result_size * cap */
	unsigned char *finished; /* per index: 1 when its result is in place */
	int *errors;             /* per index */
	size_t cap;
	size_t next_index;       /* next index to hand out */
	size_t target;           /* hand out indices below this */
	bool stopping;
	bool out_of_memory;
};

static int grow_locked(struct replicate_run *run, size_t need)
{
	if (need <= run->cap)
		return 0;
	size_t cap = run->cap ? run->cap : 8;
	while (cap < need)
		cap *= 2;
	size_t rs = run->opts->result_size;
	unsigned char *results = realloc(run->results, cap * rs);
	if (!results)
		return -1;
	run->results = results;
	unsigned char *finished = realloc(run->finished, cap);
	if (!finished)
		return -1;
	run->finished = finished;
	int *errors = realloc(run->errors, cap * sizeof *errors);
	if (!errors)
		return -1;
	run->errors = errors;
	memset(run->results + run->cap * rs, 0, (cap - run->cap) * rs);
	memset(run->finished + run->cap, 0, cap - run->cap);
	memset(run->errors + run->cap, 0, (cap - run->cap) * sizeof *errors);
	run->cap = cap;
	return 0;
}

static void *worker(void *arg)
{
	struct replicate_run *run = arg;
	const struct sim_replicate_opts *o = run->opts;
	void *buf = malloc(o->result_size ? o->result_size : 1);
	pthread_mutex_lock(&run->lock);
	if (!buf)
		run->out_of_memory = true;
	while (buf && !run->stopping && !run->out_of_memory && !sim_interrupted() &&
	       run->next_index < run->target) {
		size_t index = run->next_index++;
		if (grow_locked(run, index + 1) != 0) {
			run->out_of_memory = true;
			break;
		}
		pthread_mutex_unlock(&run->lock);
		memset(buf, 0, o->result_size);
		int rc = o->run(o->ctx, (unsigned)index, buf);
		pthread_mutex_lock(&run->lock);
		memcpy(run->results + index * o->result_size, buf, o->result_size);
		run->errors[index] = rc;
		run->finished[index] = 1;
		pthread_cond_broadcast(&run->changed);
	}
	pthread_cond_broadcast(&run->changed);
	pthread_mutex_unlock(&run->lock);
	free(buf);
	return NULL;
}

int sim_cpu_count(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n >= 1 ? (int)n : 1;
}

int sim_replicate_run(const struct sim_replicate_opts *opts, struct sim_replicate_outcome *out)
{
	*out = (struct sim_replicate_outcome){0};
	if (opts->min_reps < 1 || opts->max_reps < opts->min_reps || !opts->run)
		return EINVAL;
	struct replicate_run run = {.opts = opts};
	pthread_mutex_init(&run.lock, NULL);
	pthread_cond_init(&run.changed, NULL);
	/* Without a stopping rule exactly min_reps run; with one, up to max_reps. */
	size_t limit = opts->enough ? opts->max_reps : opts->min_reps;
	run.target = limit;

	int jobs = opts->jobs > 0 ? opts->jobs : sim_cpu_count();
	if ((size_t)jobs > limit)
		jobs = (int)limit;
	pthread_t *threads = calloc((size_t)jobs, sizeof *threads);
	if (!threads)
		return ENOMEM;
	int started = 0;
	for (; started < jobs; started++)
		if (pthread_create(&threads[started], NULL, worker, &run) != 0)
			break;
	int rc = 0;
	if (started == 0) {
		/* No thread could start: run everything here. */
		worker(&run);
	}

	size_t prefix = 0;
	bool enough = false;
	pthread_mutex_lock(&run.lock);
	for (;;) {
		while (prefix < run.next_index && prefix < run.cap && run.finished[prefix]) {
			prefix++;
			if (opts->progress)
				opts->progress(opts->ctx, prefix, limit);
			if (run.errors[prefix - 1] != 0) {
				rc = run.errors[prefix - 1];
				break;
			}
			if (opts->enough && prefix >= opts->min_reps &&
			    opts->enough(opts->ctx, run.results, prefix)) {
				enough = true;
				break;
			}
		}
		if (rc || enough || prefix >= limit || run.out_of_memory)
			break;
		/* After a Ctrl-C no index is handed out: once every one handed
		 * out has finished (its engine stopped), the prefix is final. */
		if (sim_interrupted() && prefix == run.next_index)
			break;
		/* A signal may arrive while every worker is idle in the middle of
		 * the hand-out: wake up now and then to look at the flag. */
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 100000000;
		if (until.tv_nsec >= 1000000000) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&run.changed, &run.lock, &until);
	}
	run.stopping = true;
	pthread_mutex_unlock(&run.lock);
	for (int i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	free(threads);
	if (run.out_of_memory && !rc)
		rc = ENOMEM;

	out->n = prefix;
	out->precision_met = opts->enough ? enough : true;
	out->error = rc;
	/* Conservative: a signal during the run may have cut the last
	 * replications short, so the whole result is partial. */
	out->interrupted = sim_interrupted();
	out->results = run.results; /* caller frees; holds at least `prefix` results */
	free(run.finished);
	free(run.errors);
	pthread_cond_destroy(&run.changed);
	pthread_mutex_destroy(&run.lock);
	return rc;
}

bool sim_precision_reached(const struct sim_precision_rule *rule, const void *results, size_t n)
{
	if (n < 2)
		return false;
	double *column = malloc(n * sizeof *column);
	double *values = malloc(rule->k * sizeof *values);
	bool ok = column && values;
	for (size_t m = 0; ok && m < rule->k; m++) {
		for (size_t i = 0; i < n; i++) {
			rule->metrics_of((const unsigned char *)results + i * rule->result_size, values);
			column[i] = values[m];
		}
		struct sim_ci ci = sim_ci_of(column, n, 0.95);
		ok = sim_ci_relative_half_width(&ci) <= rule->rel;
	}
	free(column);
	free(values);
	return ok;
}
