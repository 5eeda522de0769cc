/* Unit tests for sim/ci: t quantiles, hand-computed intervals, coverage.
 *
 * t quantiles are compared with printed tables (6 significant digits, so
 * 5e-7 absolute).  Coverage is checked statistically: the number of
 * covering intervals out of N independent experiments is Binomial(N, 0.95)
 * if the intervals are right, so its exact (Clopper-Pearson) 99.9% interval
 * must contain 0.95; a wrong t (say the normal 1.96 at n = 10, coverage
 * ~0.92) fails it. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>

#include "sim/ci.h"

static void test_t_quantiles_match_table_values(void **state)
{
	(void)state;
	assert_true(fabs(sim_ci_t_quantile(0.975, 4) - 2.776445) < 5e-7);
	assert_true(fabs(sim_ci_t_quantile(0.975, 9) - 2.262157) < 5e-7);
	assert_true(fabs(sim_ci_t_quantile(0.95, 1) - 6.313752) < 5e-7);
	assert_true(fabs(sim_ci_t_quantile(0.995, 29) - 2.756386) < 5e-7);
	assert_true(fabs(sim_ci_t_quantile(0.975, 1e9) - 1.959964) < 5e-7);
	assert_true(fabs(sim_ci_t_quantile(0.025, 4) + 2.776445) < 5e-7);
	assert_true(sim_ci_t_quantile(0.5, 7) == 0.0);
}

static void test_t_quantile_outside_domain_gives_nan_or_infinity_not_abort(void **state)
{
	(void)state;
	assert_true(isnan(sim_ci_t_quantile(0.975, 0)));
	assert_true(isnan(sim_ci_t_quantile(1.5, 4)));
	assert_true(isnan(sim_ci_t_quantile(NAN, 4)));
	assert_true(sim_ci_t_quantile(1.0, 4) == INFINITY);
	assert_true(sim_ci_t_quantile(0.0, 4) == -INFINITY);
}

/* x = 1..5: mean 3, s^2 = 10/4 = 2.5, half-width = 2.776445 * sqrt(2.5/5). */
static void test_hand_computed_95pct_ci_of_one_to_five(void **state)
{
	(void)state;
	const double x[] = { 1, 2, 3, 4, 5 };
	struct sim_ci ci = sim_ci_of(x, 5, 0.95);
	double hw = 2.776445 * sqrt(0.5);
	assert_int_equal(ci.n, 5);
	assert_true(ci.mean == 3.0);
	assert_true(fabs(ci.half_width - hw) < 1e-6);
	assert_true(fabs(ci.lo - (3.0 - hw)) < 1e-6);
	assert_true(fabs(ci.hi - (3.0 + hw)) < 1e-6);
	assert_true(fabs(sim_ci_relative_half_width(&ci) - hw / 3.0) < 1e-6);
	assert_true(sim_ci_contains(&ci, 3.0));
	assert_true(sim_ci_contains(&ci, 1.1));
	assert_false(sim_ci_contains(&ci, 0.9));
}

static void test_identical_replications_give_zero_width(void **state)
{
	(void)state;
	const double x[] = { 7, 7, 7 };
	struct sim_ci ci = sim_ci_of(x, 3, 0.95);
	assert_true(ci.mean == 7.0 && ci.half_width == 0.0);
	assert_true(ci.lo == 7.0 && ci.hi == 7.0);
}

static void test_single_replication_gives_infinite_interval(void **state)
{
	(void)state;
	const double x[] = { 4.0 };
	struct sim_ci ci = sim_ci_of(x, 1, 0.95);
	assert_int_equal(ci.n, 1);
	assert_true(ci.mean == 4.0);
	assert_true(ci.half_width == INFINITY);
	assert_true(ci.lo == -INFINITY && ci.hi == INFINITY);
	assert_true(sim_ci_relative_half_width(&ci) == INFINITY);
}

static void test_no_replications_give_nan(void **state)
{
	(void)state;
	struct sim_ci ci = sim_ci_of(NULL, 0, 0.95);
	assert_int_equal(ci.n, 0);
	assert_true(isnan(ci.mean) && isnan(ci.half_width));
	assert_true(isnan(ci.lo) && isnan(ci.hi));
	assert_false(sim_ci_contains(&ci, 0.0));
	/* INFINITY so that "run until rel <= target" keeps running. */
	assert_true(sim_ci_relative_half_width(&ci) == INFINITY);
}

static void test_zero_mean_gives_infinite_relative_half_width(void **state)
{
	(void)state;
	const double x[] = { -1, 1 };
	struct sim_ci ci = sim_ci_of(x, 2, 0.95);
	assert_true(sim_ci_relative_half_width(&ci) == INFINITY);
}

static void test_invalid_level_gives_nan_bounds(void **state)
{
	(void)state;
	const double x[] = { 1, 2, 3 };
	struct sim_ci ci = sim_ci_of(x, 3, 1.0);
	assert_true(ci.mean == 2.0);
	assert_true(isnan(ci.half_width) && isnan(ci.lo) && isnan(ci.hi));
}

static void test_95pct_ci_covers_true_mean_95pct_of_the_time(void **state)
{
	(void)state;
	enum { EXPERIMENTS = 2000, N = 10 };
	const double mu = 5.0, sigma = 2.0;
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, 20240601);
	unsigned covered = 0;
	for (int e = 0; e < EXPERIMENTS; e++) {
		double x[N];
		for (int i = 0; i < N; i++)
			x[i] = mu + gsl_ran_gaussian(r, sigma);
		struct sim_ci ci = sim_ci_of(x, N, 0.95);
		covered += sim_ci_contains(&ci, mu);
	}
	/* Clopper-Pearson 99.9% interval for the coverage probability. */
	double alpha = 0.001, k = covered, n = EXPERIMENTS;
	double lo = covered == 0 ? 0.0 : gsl_cdf_beta_Pinv(alpha / 2, k, n - k + 1);
	double hi = covered == EXPERIMENTS ? 1.0 : gsl_cdf_beta_Pinv(1 - alpha / 2, k + 1, n - k);
	if (!(lo <= 0.95 && 0.95 <= hi))
		fail_msg("coverage %u/%d, 99.9%% interval [%.4f, %.4f] excludes 0.95",
			 covered, EXPERIMENTS, lo, hi);
	gsl_rng_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_t_quantiles_match_table_values),
		cmocka_unit_test(test_t_quantile_outside_domain_gives_nan_or_infinity_not_abort),
		cmocka_unit_test(test_hand_computed_95pct_ci_of_one_to_five),
		cmocka_unit_test(test_identical_replications_give_zero_width),
		cmocka_unit_test(test_single_replication_gives_infinite_interval),
		cmocka_unit_test(test_no_replications_give_nan),
		cmocka_unit_test(test_zero_mean_gives_infinite_relative_half_width),
		cmocka_unit_test(test_invalid_level_gives_nan_bounds),
		cmocka_unit_test(test_95pct_ci_covers_true_mean_95pct_of_the_time),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
