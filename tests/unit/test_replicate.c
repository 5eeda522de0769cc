/* Replications: the same numbers for any number of threads, the stopping rule
 * judged on the completed prefix in index order, errors reported. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gsl/gsl_randist.h>

#include "sim/replicate.h"
#include "sim/rng.h"

struct result {
	unsigned index;
	double mean;
};

struct ctx {
	size_t stop_at;  /* `enough` says yes once n >= stop_at */
	unsigned fail_index;
	int fail_code;
};

/* A replication: the mean of 20000 exponential draws of its own stream. */
static int run_rep(void *vctx, unsigned index, void *vresult)
{
	struct ctx *c = vctx;
	struct result *r = vresult;
	if (c && c->fail_code && index == c->fail_index)
		return c->fail_code;
	gsl_rng *g = sim_rng_stream_create(7, index, "rep.test");
	double sum = 0;
	for (int i = 0; i < 20000; i++)
		sum += gsl_ran_exponential(g, 1.0);
	gsl_rng_free(g);
	r->index = index;
	r->mean = sum / 20000;
	return 0;
}

static bool enough_at(void *vctx, const void *results, size_t n)
{
	struct ctx *c = vctx;
	const struct result *r = results;
	for (size_t i = 0; i < n; i++)
		assert_int_equal(r[i].index, i); /* prefix is complete and in order */
	return n >= c->stop_at;
}

static struct sim_replicate_outcome run(int jobs, size_t min, size_t max, struct ctx *c,
					sim_replication_enough_fn enough)
{
	struct sim_replicate_opts o = {.min_reps = min, .max_reps = max, .jobs = jobs,
				       .result_size = sizeof(struct result), .run = run_rep,
				       .enough = enough, .ctx = c};
	struct sim_replicate_outcome out;
	sim_replicate_run(&o, &out);
	return out;
}

static void results_are_identical_for_any_number_of_threads(void **state)
{
	(void)state;
	struct sim_replicate_outcome a = run(1, 9, 9, NULL, NULL);
	struct sim_replicate_outcome b = run(2, 9, 9, NULL, NULL);
	struct sim_replicate_outcome c = run(5, 9, 9, NULL, NULL);
	assert_int_equal(a.n, 9);
	assert_int_equal(b.n, 9);
	assert_int_equal(c.n, 9);
	assert_memory_equal(a.results, b.results, 9 * sizeof(struct result));
	assert_memory_equal(a.results, c.results, 9 * sizeof(struct result));
	assert_true(a.precision_met);
	free(a.results);
	free(b.results);
	free(c.results);
}

static void stopping_rule_sees_the_same_prefix_for_any_threads(void **state)
{
	(void)state;
	for (int jobs = 1; jobs <= 4; jobs++) {
		struct ctx c = {.stop_at = 7};
		struct sim_replicate_outcome o = run(jobs, 3, 50, &c, enough_at);
		assert_int_equal(o.n, 7);
		assert_true(o.precision_met);
		assert_int_equal(o.error, 0);
		free(o.results);
	}
}

static void reaching_max_without_precision_is_reported(void **state)
{
	(void)state;
	struct ctx c = {.stop_at = 1000};
	struct sim_replicate_outcome o = run(2, 2, 6, &c, enough_at);
	assert_int_equal(o.n, 6);
	assert_false(o.precision_met);
	free(o.results);
}

static void first_error_in_index_order_is_returned(void **state)
{
	(void)state;
	struct ctx c = {.fail_index = 3, .fail_code = 42};
	struct sim_replicate_outcome o = run(2, 8, 8, &c, NULL);
	assert_int_equal(o.error, 42);
	assert_int_equal(o.n, 4);
	free(o.results);
}

static void metrics_of_result(const void *r, double *v) { v[0] = ((const struct result *)r)->mean; }

static void precision_rule_compares_ci_half_width_to_the_target(void **state)
{
	(void)state;
	struct result r[4] = {{0, 1.0}, {1, 1.01}, {2, 0.99}, {3, 1.0}};
	/* mean 1, sd 0.008165, t(0.975,3) = 3.182 => half-width 1.3% */
	struct sim_precision_rule tight = {.rel = 0.01, .k = 1, .metrics_of = metrics_of_result,
					   .result_size = sizeof(struct result)};
	struct sim_precision_rule loose = tight;
	loose.rel = 0.02;
	assert_false(sim_precision_reached(&tight, r, 4));
	assert_true(sim_precision_reached(&loose, r, 4));
	assert_false(sim_precision_reached(&loose, r, 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(results_are_identical_for_any_number_of_threads),
		cmocka_unit_test(stopping_rule_sees_the_same_prefix_for_any_threads),
		cmocka_unit_test(reaching_max_without_precision_is_reported),
		cmocka_unit_test(first_error_in_index_order_is_returned),
		cmocka_unit_test(precision_rule_compares_ci_half_width_to_the_target),
	};
	return cmocka_run_group_tests_name("replicate", tests, NULL, NULL);
}
