/* Independent replications, run in parallel, with identical results for any -j.
 *
 * The caller supplies a function that runs replication i (its own engine,
 * its own streams keyed by i) and writes its result into slot i of an array.
 * Worker threads take replication indices in order; the stopping rule is
 * evaluated on the completed prefix 0..k-1 in index order only, so the set of
 * replications used — and every number computed from them — does not depend
 * on how many threads ran or which finished first.  Replications started
 * beyond the stopping point are discarded.
 *
 * Precision rule: keep adding replications until the stop function says the
 * 95% CI half-widths are under the requested share, between min and max. */
#ifndef SIM_REPLICATE_H
#define SIM_REPLICATE_H

#include <stdbool.h>
#include <stddef.h>

/* Run replication `index`, writing its result to `result` (result_size bytes,
 * zeroed).  Return 0, or non-zero to abort the whole run (that error is
 * returned by sim_replicate_run). */
typedef int (*sim_replication_fn)(void *ctx, unsigned index, void *result);

/* Called with the first n results (in index order) each time the completed
 * prefix grows and n >= min_reps; return true to stop at n. */
typedef bool (*sim_replication_enough_fn)(void *ctx, const void *results, size_t n);

/* Called (from the calling thread, serialised) as replications complete, for
 * progress lines; may be NULL. */
typedef void (*sim_replication_progress_fn)(void *ctx, size_t done, size_t target);

struct sim_replicate_opts {
	size_t min_reps;   /* >= 1 */
	size_t max_reps;   /* >= min_reps; == min_reps for a fixed number */
	int jobs;          /* worker threads; <= 0 = the machine's cores */
	size_t result_size;
	sim_replication_fn run;
	sim_replication_enough_fn enough; /* NULL = run exactly min_reps */
	sim_replication_progress_fn progress;
	void *ctx;
};

struct sim_replicate_outcome {
	void *results;       /* malloc'ed array of n results, in index order; caller frees */
	size_t n;            /* replications used */
	bool precision_met;  /* `enough` said yes (true when there is no `enough`) */
	int error;           /* the first non-zero code a replication returned, in index order */
	bool interrupted;    /* a Ctrl-C (sim/interrupt.h) stopped the run: no replication
	                      * was started after it, and the results are the completed
	                      * prefix, the last ones possibly cut short by the stop */
};

int sim_replicate_run(const struct sim_replicate_opts *opts, struct sim_replicate_outcome *out);

/* The number of online CPUs (at least 1). */
int sim_cpu_count(void);

/* A standard `enough` rule: the 95% CI half-width of each of k metrics is at
 * most rel * |mean|.  metrics_of extracts the k values of one result. */
struct sim_precision_rule {
	double rel;         /* e.g. 0.02 for 2% */
	size_t k;           /* number of metrics checked */
	void (*metrics_of)(const void *result, double *values_out);
	size_t result_size;
};
bool sim_precision_reached(const struct sim_precision_rule *rule, const void *results, size_t n);

#endif
