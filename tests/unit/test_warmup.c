/* Unit tests for sim/warmup: MSER-5 on series with known structure.
 *
 * The test series are y_i = bias_i + e_i with AR(1) noise e_i = 0.7 e_{i-1}
 * + N(0, 1), started in its stationary law (sd sigma_y = 1/sqrt(1 - 0.49)
 * = 1.40), mimicking the positively correlated output of a queue.  Each
 * property is checked on 20 fixed seeds.
 *
 * Transient bounds, for bias_i = A exp(-i / tau), A = 10, tau = 100:
 *  - lower: a kept series must not start where the bias still exceeds
 *    3 sigma_y (such points stand out from the noise):
 *    d >= tau ln(A / (3 sigma_y)) = 87;
 *  - upper: MSER must not discard data whose bias is below sigma_y / 10
 *    (indistinguishable from noise at this length):
 *    d <= tau ln(A / (sigma_y / 10)) = 427.
 * Stationary bound: a stationary series has no warm-up, so any truncation
 * is lost data; we require under 5% of the series, which costs at most
 * ~2.5% in confidence-interval width. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>

#include "sim/warmup.h"

#define N_OBS 5000
#define N_SEEDS 20
#define PHI 0.7
#define AMPLITUDE 10.0
#define TAU_OBS 100.0

enum shape { STATIONARY, TRANSIENT, TREND };

static void make_series(double *y, size_t n, enum shape shape, unsigned long seed, double offset)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, seed);
	double e = gsl_ran_gaussian(r, 1.0) / sqrt(1.0 - PHI * PHI);
	for (size_t i = 0; i < n; i++) {
		e = PHI * e + gsl_ran_gaussian(r, 1.0);
		double bias = 0.0;
		if (shape == TRANSIENT)
			bias = AMPLITUDE * exp(-(double)i / TAU_OBS);
		else if (shape == TREND)
			bias = 0.01 * (double)i; /* 50 sigma_y over the run */
		y[i] = offset + bias + e;
	}
	gsl_rng_free(r);
}

static void test_mser5_truncates_inside_exponential_transient(void **state)
{
	(void)state;
	const double sigma_y = 1.0 / sqrt(1.0 - PHI * PHI);
	const double lo = TAU_OBS * log(AMPLITUDE / (3.0 * sigma_y));
	const double hi = TAU_OBS * log(AMPLITUDE / (sigma_y / 10.0));
	double *y = malloc(N_OBS * sizeof(*y));
	for (unsigned long seed = 1; seed <= N_SEEDS; seed++) {
		make_series(y, N_OBS, TRANSIENT, seed, 0.0);
		struct sim_warmup w = sim_warmup_mser(y, N_OBS, 5);
		assert_true(w.found);
		assert_int_equal(w.truncate % 5, 0);
		if (!((double)w.truncate >= lo && (double)w.truncate <= hi))
			fail_msg("seed %lu: truncate %zu outside [%.0f, %.0f]", seed, w.truncate, lo, hi);
		assert_true(w.mser > 0.0 && isfinite(w.mser));
	}
	free(y);
}

static void test_mser5_truncates_little_of_a_stationary_series(void **state)
{
	(void)state;
	double *y = malloc(N_OBS * sizeof(*y));
	for (unsigned long seed = 1; seed <= N_SEEDS; seed++) {
		make_series(y, N_OBS, STATIONARY, seed, 0.0);
		struct sim_warmup w = sim_warmup_mser(y, N_OBS, 5);
		assert_true(w.found);
		if (w.truncate >= N_OBS / 20)
			fail_msg("seed %lu: truncate %zu of a stationary series", seed, w.truncate);
	}
	free(y);
}

static void test_mser5_reports_not_found_for_series_trending_throughout(void **state)
{
	(void)state;
	double *y = malloc(N_OBS * sizeof(*y));
	for (unsigned long seed = 1; seed <= N_SEEDS; seed++) {
		make_series(y, N_OBS, TREND, seed, 0.0);
		struct sim_warmup w = sim_warmup_mser(y, N_OBS, 5);
		assert_false(w.found);
		/* The first-half candidate is still reported, at most half the data. */
		assert_true(w.truncate <= N_OBS / 2);
	}
	free(y);
}

/* Suffix sums formed naively (S2 - S1^2/m) would drown in rounding at a
 * level of 1e9; the Welford suffix pass must find the same point. */
static void test_large_offset_does_not_change_truncation(void **state)
{
	(void)state;
	double *y = malloc(N_OBS * sizeof(*y));
	make_series(y, N_OBS, TRANSIENT, 7, 0.0);
	struct sim_warmup plain = sim_warmup_mser(y, N_OBS, 5);
	make_series(y, N_OBS, TRANSIENT, 7, 1e9);
	struct sim_warmup shifted = sim_warmup_mser(y, N_OBS, 5);
	assert_true(shifted.found);
	assert_int_equal(shifted.truncate, plain.truncate);
	free(y);
}

/* Plain MSER (batch 1) on a step: ten points at 100, then alternating
 * 0, 1 for 190 points.  Dropping exactly the ten high points removes the
 * only large deviations. */
static void test_plain_mser_cuts_a_step_exactly(void **state)
{
	(void)state;
	double y[200];
	for (size_t i = 0; i < 200; i++)
		y[i] = i < 10 ? 100.0 : (double)(i % 2);
	struct sim_warmup w = sim_warmup_mser(y, 200, 1);
	assert_true(w.found);
	assert_int_equal(w.truncate, 10);
	/* kept: 95 zeros and 95 ones, SS = 190/4, m = 190 */
	assert_true(fabs(w.mser - (190.0 / 4.0) / (190.0 * 190.0)) < 1e-15);
}

static void test_too_short_or_zero_batch_is_not_found(void **state)
{
	(void)state;
	double y[99] = { 0 };
	struct sim_warmup w = sim_warmup_mser(y, 99, 5); /* 19 batches */
	assert_false(w.found);
	assert_int_equal(w.truncate, 0);
	w = sim_warmup_mser(y, 99, 0);
	assert_false(w.found);
	assert_int_equal(w.truncate, 0);
	w = sim_warmup_mser(NULL, 0, 5);
	assert_false(w.found);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mser5_truncates_inside_exponential_transient),
		cmocka_unit_test(test_mser5_truncates_little_of_a_stationary_series),
		cmocka_unit_test(test_mser5_reports_not_found_for_series_trending_throughout),
		cmocka_unit_test(test_large_offset_does_not_change_truncation),
		cmocka_unit_test(test_plain_mser_cuts_a_step_exactly),
		cmocka_unit_test(test_too_short_or_zero_batch_is_not_found),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
