/* Unit tests for sim/tally: Welford mean/variance, Chan merge, min/max.
 *
 * References are computed two-pass in long double, so the only error left
 * is the tally's own.  Tolerances are rounding bounds, not fitted numbers:
 * Welford's relative error on the variance grows like n * eps * kappa in the
 * worst case and like sqrt(n) * eps in practice (Chan, Golub & LeVeque 1983);
 * for n = 1e5 well-conditioned data, sqrt(n) eps ~ 7e-14, so 1e-12 leaves a
 * margin of ten without hiding an algorithmic error (which would be O(1)). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "sim/tally.h"

#define N_SAMPLES 100000

static double rel_err(double got, double want)
{
	return fabs(got - want) / fabs(want);
}

static void reference(const double *x, size_t n, double *mean, double *var)
{
	long double s = 0;
	for (size_t i = 0; i < n; i++)
		s += x[i];
	long double m = s / n;
	long double ss = 0;
	for (size_t i = 0; i < n; i++)
		ss += (x[i] - m) * (x[i] - m);
	*mean = (double)m;
	*var = (double)(ss / (n - 1));
}

static double *lognormal_sample(unsigned long seed, size_t n)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, seed);
	double *x = malloc(n * sizeof(*x));
	for (size_t i = 0; i < n; i++)
		x[i] = gsl_ran_lognormal(r, 3.0, 1.0);
	gsl_rng_free(r);
	return x;
}

static void test_empty_tally_has_zero_count_infinite_bounds_zero_variance(void **state)
{
	(void)state;
	struct sim_tally t;
	sim_tally_init(&t);
	assert_int_equal(t.n, 0);
	assert_true(isinf(t.min) && t.min > 0);
	assert_true(isinf(t.max) && t.max < 0);
	assert_true(sim_tally_variance(&t) == 0.0);
	assert_true(sim_tally_sd(&t) == 0.0);
}

static void test_single_value_gives_that_mean_and_zero_variance(void **state)
{
	(void)state;
	struct sim_tally t;
	sim_tally_init(&t);
	sim_tally_add(&t, -2.5);
	assert_true(t.mean == -2.5);
	assert_true(t.min == -2.5 && t.max == -2.5);
	assert_true(sim_tally_variance(&t) == 0.0);
}

static void test_small_hand_computed_mean_variance_min_max(void **state)
{
	(void)state;
	/* 2 4 4 4 5 5 7 9: mean 5, sum of squared deviations 32. */
	const double x[] = { 2, 4, 4, 4, 5, 5, 7, 9 };
	struct sim_tally t;
	sim_tally_init(&t);
	for (size_t i = 0; i < 8; i++)
		sim_tally_add(&t, x[i]);
	assert_true(t.mean == 5.0);
	assert_true(fabs(sim_tally_variance(&t) - 32.0 / 7.0) < 1e-15);
	assert_true(fabs(sim_tally_sd(&t) - sqrt(32.0 / 7.0)) < 1e-15);
	assert_true(t.min == 2.0 && t.max == 9.0);
}

static void test_welford_matches_two_pass_on_random_data(void **state)
{
	(void)state;
	double *x = lognormal_sample(12345, N_SAMPLES);
	struct sim_tally t;
	sim_tally_init(&t);
	double lo = INFINITY, hi = -INFINITY;
	for (size_t i = 0; i < N_SAMPLES; i++) {
		sim_tally_add(&t, x[i]);
		lo = fmin(lo, x[i]);
		hi = fmax(hi, x[i]);
	}
	double mean, var;
	reference(x, N_SAMPLES, &mean, &var);
	assert_int_equal(t.n, N_SAMPLES);
	assert_true(rel_err(t.mean, mean) < 1e-12);
	assert_true(rel_err(sim_tally_variance(&t), var) < 1e-12);
	assert_true(t.min == lo && t.max == hi);
	free(x);
}

static void test_merge_of_two_halves_equals_whole(void **state)
{
	(void)state;
	double *x = lognormal_sample(777, N_SAMPLES);
	/* Unequal halves with different means exercise the cross term. */
	size_t cut = N_SAMPLES / 3;
	for (size_t i = cut; i < N_SAMPLES; i++)
		x[i] += 50.0;
	struct sim_tally whole, a, b;
	sim_tally_init(&whole);
	sim_tally_init(&a);
	sim_tally_init(&b);
	for (size_t i = 0; i < N_SAMPLES; i++) {
		sim_tally_add(&whole, x[i]);
		sim_tally_add(i < cut ? &a : &b, x[i]);
	}
	sim_tally_merge(&a, &b);
	assert_int_equal(a.n, whole.n);
	assert_true(rel_err(a.mean, whole.mean) < 1e-12);
	assert_true(rel_err(sim_tally_variance(&a), sim_tally_variance(&whole)) < 1e-12);
	assert_true(a.min == whole.min && a.max == whole.max);
	free(x);
}

static void test_merge_with_empty_is_identity_both_ways(void **state)
{
	(void)state;
	struct sim_tally t, e;
	sim_tally_init(&t);
	sim_tally_init(&e);
	sim_tally_add(&t, 1.0);
	sim_tally_add(&t, 3.0);
	struct sim_tally before = t;
	sim_tally_merge(&t, &e);
	assert_memory_equal(&t, &before, sizeof(t));
	sim_tally_merge(&e, &t);
	assert_memory_equal(&e, &before, sizeof(e));
}

/* Values 1e9 + u, u ~ U(0,1): the naive sum-of-squares formula loses every
 * digit (eps * 1e18 ~ 200 >> variance 1/12).  The reference subtracts 1e9
 * exactly (Sterbenz), so it is exact to rounding.  Each Welford deviation
 * x - mean carries an absolute error of about ulp(1e9) = 1.2e-7, i.e. ~4e-7
 * of a typical deviation (0.29); even if every step erred the same way the
 * variance would be off by about 1e-6, so 1e-5 is a bound with margin (the
 * errors are random in sign; the observed error is ~5e-8). */
static void test_variance_survives_large_offset_catastrophic_cancellation(void **state)
{
	(void)state;
	const size_t n = N_SAMPLES;
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, 4242);
	double *x = malloc(n * sizeof(*x));
	double *u = malloc(n * sizeof(*u));
	struct sim_tally t;
	sim_tally_init(&t);
	double s = 0, s2 = 0;
	for (size_t i = 0; i < n; i++) {
		x[i] = 1e9 + gsl_rng_uniform(r);
		u[i] = x[i] - 1e9;
		sim_tally_add(&t, x[i]);
		s += x[i];
		s2 += x[i] * x[i];
	}
	double mean_u, var;
	reference(u, n, &mean_u, &var);
	/* The case is genuinely hard: the textbook formula is useless here. */
	double naive = (s2 - s * s / (double)n) / (double)(n - 1);
	assert_true(rel_err(naive, var) > 0.5);
	assert_true(rel_err(sim_tally_variance(&t), var) < 1e-5);
	assert_true(fabs(t.mean - (1e9 + mean_u)) <= 1e9 * 4 * DBL_EPSILON);
	gsl_rng_free(r);
	free(x);
	free(u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_tally_has_zero_count_infinite_bounds_zero_variance),
		cmocka_unit_test(test_single_value_gives_that_mean_and_zero_variance),
		cmocka_unit_test(test_small_hand_computed_mean_variance_min_max),
		cmocka_unit_test(test_welford_matches_two_pass_on_random_data),
		cmocka_unit_test(test_merge_of_two_halves_equals_whole),
		cmocka_unit_test(test_merge_with_empty_is_identity_both_ways),
		cmocka_unit_test(test_variance_survives_large_offset_catastrophic_cancellation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
