/* Checking simulated estimates against queueing theory, the same way in every
 * validation test.
 *
 * A case runs EXPERIMENTS independent experiments (seeds base..base+4), each
 * of `reps` replications, and for every metric builds the Student-t 95% CI
 * across the replications.  Every experiment must be tight (half-width under
 * 2% of the mean) and the analytic value must lie inside at least
 * MIN_COVERING of the experiments' CIs.
 *
 * Why "3 of 5": one 95% CI misses the truth 5% of the time by construction,
 * so a suite of a dozen single-CI assertions would fail about half the time
 * on a correct engine for some choice of seeds.  With five experiments, a
 * correct model has more than two misses with probability 0.0012, while a
 * biased one (CIs centred away from the truth) misses in most of them. */
#ifndef TESTS_THEORY_H
#define TESTS_THEORY_H

#include <stddef.h>
#include <stdint.h>

#define THEORY_EXPERIMENTS 5
#define THEORY_MIN_COVERING 3
#define THEORY_MAX_REPS 64
#define THEORY_MAX_METRICS 4

/* Run `reps` replications with `seed`; write metric m of replication i to
 * values[i * nmetrics + m].  Return 0 on success. */
typedef int (*theory_run_fn)(void *ctx, uint64_t seed, unsigned reps, double *values);

struct theory_case {
	const char *what;                       /* e.g. "M/M/4 response (s)" */
	int nmetrics;
	const char *metric[THEORY_MAX_METRICS]; /* e.g. "mean", "p99" */
	double analytic[THEORY_MAX_METRICS];
	unsigned reps;
	uint64_t base_seed;
	double max_rel_half_width;              /* 0 = the default 2% */
	theory_run_fn run;
	void *ctx;
};

/* cmocka assertions; prints one line per experiment and metric. */
void theory_expect(const struct theory_case *c);

#endif
