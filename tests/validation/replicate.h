/* The architecture model as a theory case's run (theory.h), written once.
 *
 * Every validation test that checks the model's replications against theory
 * does the same thing for each experiment: put the seed and the number of
 * replications on its configuration, run them, copy each replication's
 * metrics into theory_expect's `values` and free the results.  Only the copy
 * differs from case to case, so a case names its configuration and its copy
 * in a struct replicate_case and passes replicate_run as the run.
 *
 * The replications run on VALIDATION_JOBS threads; sim_replicate_run makes
 * the numbers the same for any number, so a case gives what one replication
 * after another would. */
#ifndef TESTS_VALIDATION_REPLICATE_H
#define TESTS_VALIDATION_REPLICATE_H

#include <stddef.h>
#include <stdint.h>

#include "models/config.h"
#include "models/results.h"

#define VALIDATION_JOBS 2

/* Copy the metrics of replication i, r, to values[i * nmetrics + m].
 * Return 0, or nonzero when the replication cannot serve the case (a system
 * meant to be full that was not): the run then fails. */
typedef int (*replicate_copy_fn)(const struct model_results *r, size_t i, double *values);

struct replicate_case {
	struct model_config *cfg; /* fixed replications (not auto); seed and number set per run */
	replicate_copy_fn copy;
};

/* A theory_run_fn: ctx is a struct replicate_case. */
int replicate_run(void *ctx, uint64_t seed, unsigned reps, double *values);

#endif
