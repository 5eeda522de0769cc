/* Unit tests for sim/histogram: layout, quantiles, cdf, under/overflow, merge.
 *
 * Quantiles are checked against the exact "type 7" quantile of the sorted
 * sample (the definition histogram.c reconstructs).  The 1% bound is the
 * contract in histogram.h; the separate worst-case test pins the hard bound
 * of one bucket width (1/SIM_HIST_SUB of the value) on data piled at bucket edges. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/histogram.h"
#include "sim/time.h"

#define N_SAMPLES 200000

static const double QUANTILES[] = {
	0.0, 0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 0.9999, 1.0,
};
#define N_QUANTILES (sizeof(QUANTILES) / sizeof(QUANTILES[0]))

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* Type 7 sample quantile of sorted x[0..n-1]. */
static double exact_quantile(const int64_t *x, size_t n, double q)
{
	double rank = q * (double)(n - 1);
	size_t i = (size_t)rank;
	double frac = rank - (double)i;
	if (i + 1 >= n)
		return (double)x[n - 1];
	return (double)x[i] + frac * (double)(x[i + 1] - x[i]);
}

enum sample_kind { LOGNORMAL, EXPONENTIAL, UNIFORM, LOGUNIFORM };

/* Draws restricted to [1 us, 1 h] by rejection, so every quantile under test
 * lies in the bucketed range (under/overflow are tested separately). */
static int64_t draw_ns(gsl_rng *r, enum sample_kind kind)
{
	for (;;) {
		double v = 0;
		switch (kind) {
		case LOGNORMAL: /* median 1 ms, sigma 2.5: ~0.1 us .. ~30 s */
			v = gsl_ran_lognormal(r, log(1e6), 2.5);
			break;
		case EXPONENTIAL: /* mean 100 ms */
			v = gsl_ran_exponential(r, 1e8);
			break;
		case UNIFORM:
			v = gsl_ran_flat(r, 1e3, 3.6e12);
			break;
		case LOGUNIFORM:
			v = exp(gsl_ran_flat(r, log(1e3), log(3.6e12)));
			break;
		}
		int64_t ns = (int64_t)v;
		if (ns >= SIM_HIST_MIN_NS && ns <= SIM_HIST_MAX_NS)
			return ns;
	}
}

static void check_quantiles_within_one_percent(enum sample_kind kind, unsigned long seed)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, seed);
	int64_t *x = malloc(N_SAMPLES * sizeof(*x));
	struct sim_histogram *h = malloc(sizeof(*h));
	sim_histogram_init(h);
	for (size_t i = 0; i < N_SAMPLES; i++) {
		x[i] = draw_ns(r, kind);
		sim_histogram_add(h, x[i]);
	}
	qsort(x, N_SAMPLES, sizeof(*x), cmp_i64);
	for (size_t k = 0; k < N_QUANTILES; k++) {
		double want = exact_quantile(x, N_SAMPLES, QUANTILES[k]);
		double got = sim_histogram_quantile(h, QUANTILES[k]);
		double err = fabs(got - want) / want;
		if (err >= 0.01)
			fail_msg("kind %d q %g: got %.1f want %.1f (rel err %.4f)", kind,
				 QUANTILES[k], got, want, err);
	}
	assert_true(sim_histogram_quantile(h, 0.0) == (double)x[0]);
	assert_true(sim_histogram_quantile(h, 1.0) == (double)x[N_SAMPLES - 1]);
	gsl_rng_free(r);
	free(x);
	free(h);
}

static void test_quantiles_within_1pct_lognormal(void **state)
{
	(void)state;
	check_quantiles_within_one_percent(LOGNORMAL, 1);
}

static void test_quantiles_within_1pct_exponential(void **state)
{
	(void)state;
	check_quantiles_within_one_percent(EXPONENTIAL, 2);
}

static void test_quantiles_within_1pct_uniform_1us_to_1h(void **state)
{
	(void)state;
	check_quantiles_within_one_percent(UNIFORM, 3);
}

static void test_quantiles_within_1pct_loguniform_1us_to_1h(void **state)
{
	(void)state;
	check_quantiles_within_one_percent(LOGUNIFORM, 4);
}

/* Adversarial: in every bucket touched, all values sit on the bucket's
 * lowest integer, while the reconstruction spreads them across the bucket.
 * The error can then approach but never reach one bucket width, < 1/SIM_HIST_SUB. */
static void test_quantile_error_below_one_bucket_width_on_edge_piled_data(void **state)
{
	(void)state;
	const int64_t edges_ns[] = { 1000, 2000, 64000, 1000000, 123456789, SIM_HIST_MAX_NS - 10 };
	struct sim_histogram h;
	sim_histogram_init(&h);
	int64_t x[6 * 50];
	size_t n = 0;
	for (size_t e = 0; e < 6; e++)
		for (int k = 0; k < 50; k++) {
			x[n++] = edges_ns[e];
			sim_histogram_add(&h, edges_ns[e]);
		}
	for (int k = 0; k <= 1000; k++) {
		double q = k / 1000.0;
		double want = exact_quantile(x, n, q);
		double got = sim_histogram_quantile(&h, q);
		assert_true(fabs(got - want) / want < 1.0 / SIM_HIST_SUB);
	}
}

/* Octave k covers [2^k, 2^(k+1)) us in SIM_HIST_SUB (128) equal sub-buckets. */
static void test_bucket_layout_octaves_are_powers_of_two_microseconds(void **state)
{
	(void)state;
	struct sim_histogram h;
	sim_histogram_init(&h);
	sim_histogram_add(&h, 1000);      /* 1 us: octave 0, sub 0 */
	sim_histogram_add(&h, 1007);      /* still inside the 7.8 ns first bucket */
	sim_histogram_add(&h, 1008);      /* next sub-bucket */
	sim_histogram_add(&h, 1999);      /* last sub-bucket of octave 0 */
	sim_histogram_add(&h, 2000);      /* 2 us: octave 1, sub 0 */
	sim_histogram_add(&h, SIM_HIST_MAX_NS); /* 1 h: octave 31 */
	assert_int_equal(h.buckets[0], 2);
	assert_int_equal(h.buckets[1], 1);
	assert_int_equal(h.buckets[SIM_HIST_SUB - 1], 1);
	assert_int_equal(h.buckets[SIM_HIST_SUB], 1);
	uint64_t last_octave = 0;
	for (unsigned b = 31 * SIM_HIST_SUB; b < SIM_HIST_BUCKETS; b++)
		last_octave += h.buckets[b];
	assert_int_equal(last_octave, 1);
	assert_int_equal(h.underflow, 0);
	assert_int_equal(h.overflow, 0);
}

static void test_empty_histogram_gives_nan(void **state)
{
	(void)state;
	struct sim_histogram h;
	sim_histogram_init(&h);
	assert_true(isnan(sim_histogram_quantile(&h, 0.5)));
	assert_true(isnan(sim_histogram_cdf(&h, 1000)));
	assert_true(isnan(sim_histogram_mean(&h)));
	assert_int_equal(h.count, 0);
}

static void test_quantile_outside_0_1_gives_nan(void **state)
{
	(void)state;
	struct sim_histogram h;
	sim_histogram_init(&h);
	sim_histogram_add(&h, 5000);
	assert_true(isnan(sim_histogram_quantile(&h, -0.1)));
	assert_true(isnan(sim_histogram_quantile(&h, 1.5)));
	assert_true(isnan(sim_histogram_quantile(&h, NAN)));
}

static void test_single_value_every_quantile_is_that_value(void **state)
{
	(void)state;
	struct sim_histogram h;
	sim_histogram_init(&h);
	sim_histogram_add(&h, 123457);
	for (int k = 0; k <= 10; k++)
		assert_true(sim_histogram_quantile(&h, k / 10.0) == 123457.0);
	assert_true(sim_histogram_mean(&h) == 123457.0);
	assert_true(sim_histogram_cdf(&h, 123456) == 0.0);
	assert_true(sim_histogram_cdf(&h, 123457) == 1.0);
}

/* 3 below 1 us, 6 in range, 1 above 1 h: the low ranks report the exact
 * min, the top rank the exact max, and the mean is exact from the sum. */
static void test_underflow_and_overflow_report_exact_min_and_max(void **state)
{
	(void)state;
	const int64_t v[] = { 5, 500, 999, 10000, 20000, 30000, 40000, 50000, 60000,
			      2 * SIM_NS_PER_H };
	struct sim_histogram h;
	sim_histogram_init(&h);
	double sum = 0;
	for (size_t i = 0; i < 10; i++) {
		sim_histogram_add(&h, v[i]);
		sum += (double)v[i];
	}
	assert_int_equal(h.count, 10);
	assert_int_equal(h.underflow, 3);
	assert_int_equal(h.overflow, 1);
	assert_int_equal(h.min_ns, 5);
	assert_int_equal(h.max_ns, 2 * SIM_NS_PER_H);
	assert_true(sim_histogram_quantile(&h, 0.0) == 5.0);
	/* q = 0.2: rank 0.2 * 9 = 1.8 lies between order statistics 1 and 2, both underflow */
	assert_true(sim_histogram_quantile(&h, 0.2) == 5.0);
	assert_true(sim_histogram_quantile(&h, 1.0) == (double)(2 * SIM_NS_PER_H));
	assert_true(sim_histogram_mean(&h) == sum / 10.0);
	assert_true(sim_histogram_cdf(&h, 4) == 0.0);
	assert_true(sim_histogram_cdf(&h, 999) == 0.3);
	assert_true(sim_histogram_cdf(&h, SIM_NS_PER_H) == 0.9);
	assert_true(sim_histogram_cdf(&h, 2 * SIM_NS_PER_H) == 1.0);
	/* Negative values (a clock bug upstream) are underflow, not a crash. */
	sim_histogram_add(&h, -7);
	assert_true(sim_histogram_quantile(&h, 0.0) == -7.0);
}

static void test_merge_equals_adding_everything_to_one(void **state)
{
	(void)state;
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, 99);
	struct sim_histogram *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b)),
			     *all = malloc(sizeof(*all));
	sim_histogram_init(a);
	sim_histogram_init(b);
	sim_histogram_init(all);
	for (int i = 0; i < 50000; i++) {
		/* lognormal reaching into both under- and overflow */
		int64_t v = (int64_t)gsl_ran_lognormal(r, log(1e6), 4.0);
		sim_histogram_add(i % 3 ? a : b, v);
		sim_histogram_add(all, v);
	}
	sim_histogram_merge(a, b);
	assert_true(a->underflow > 0 && a->overflow > 0);
	/* Integer counts and min/max must match exactly; the double sum may
	 * differ by rounding in summation order only. */
	assert_int_equal(a->count, all->count);
	assert_int_equal(a->underflow, all->underflow);
	assert_int_equal(a->overflow, all->overflow);
	assert_int_equal(a->min_ns, all->min_ns);
	assert_int_equal(a->max_ns, all->max_ns);
	assert_memory_equal(a->buckets, all->buckets, sizeof(a->buckets));
	assert_true(fabs(a->sum_ns - all->sum_ns) <= 1e-12 * all->sum_ns);
	for (size_t k = 0; k < N_QUANTILES; k++)
		assert_true(sim_histogram_quantile(a, QUANTILES[k]) ==
			    sim_histogram_quantile(all, QUANTILES[k]));
	gsl_rng_free(r);
	free(a);
	free(b);
	free(all);
}

/* The cdf can only be wrong about values in the bucket holding x, and that
 * bucket lies inside [x / (1 + 1/SIM_HIST_SUB), x * (1 + 1/SIM_HIST_SUB)]: the error is at most
 * the share of the sample in that window. */
static void test_cdf_error_bounded_by_share_in_neighbouring_bucket(void **state)
{
	(void)state;
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, 5);
	int64_t *x = malloc(N_SAMPLES * sizeof(*x));
	struct sim_histogram *h = malloc(sizeof(*h));
	sim_histogram_init(h);
	for (size_t i = 0; i < N_SAMPLES; i++) {
		x[i] = draw_ns(r, LOGNORMAL);
		sim_histogram_add(h, x[i]);
	}
	qsort(x, N_SAMPLES, sizeof(*x), cmp_i64);
	for (int k = 0; k <= 60; k++) {
		int64_t at_ns = (int64_t)(1e3 * pow(10.0, k * 0.1)); /* 1 us .. 1000 s */
		size_t le = 0, near = 0;
		for (size_t i = 0; i < N_SAMPLES; i++) {
			le += x[i] <= at_ns;
			near += x[i] >= at_ns / (1 + 1.0 / SIM_HIST_SUB) - 1 && x[i] <= at_ns * (1 + 1.0 / SIM_HIST_SUB) + 1;
		}
		double err = fabs(sim_histogram_cdf(h, at_ns) - (double)le / N_SAMPLES);
		assert_true(err <= (double)near / N_SAMPLES + 1e-12);
	}
	gsl_rng_free(r);
	free(x);
	free(h);
}

/* One pass for several quantiles gives what one call per quantile gives. */
static void test_quantiles_in_one_pass_equal_single_quantiles(void **state)
{
	(void)state;
	struct sim_histogram h;
	sim_histogram_init(&h);
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, 7);
	for (int i = 0; i < 20000; i++)
		sim_histogram_add(&h, (int64_t)gsl_ran_lognormal(r, log(2e6), 1.0));
	gsl_rng_free(r);
	const double q[6] = {0, 0.5, 0.9, 0.99, 0.999, 1};
	double many[6];
	sim_histogram_quantiles(&h, q, 6, many);
	for (int k = 0; k < 6; k++)
		assert_true(many[k] == sim_histogram_quantile(&h, q[k]));
	const double unsorted[2] = {0.9, 0.5};
	sim_histogram_quantiles(&h, unsorted, 2, many);
	assert_true(isnan(many[1]));
}

/* A reset histogram is indistinguishable from a new one. */
static void test_reset_histogram_equals_a_fresh_one(void **state)
{
	(void)state;
	static struct sim_histogram used, fresh;
	sim_histogram_init(&used);
	sim_histogram_init(&fresh);
	const int64_t v[] = {10, 1500, 2000000, 7000000000LL, SIM_HIST_MAX_NS + 5};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
		sim_histogram_add(&used, v[i]);
	sim_histogram_reset(&used);
	assert_memory_equal(&used, &fresh, sizeof used);
	sim_histogram_reset(&used); /* resetting an empty one is harmless */
	assert_memory_equal(&used, &fresh, sizeof used);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quantiles_within_1pct_lognormal),
		cmocka_unit_test(test_quantiles_within_1pct_exponential),
		cmocka_unit_test(test_quantiles_within_1pct_uniform_1us_to_1h),
		cmocka_unit_test(test_quantiles_within_1pct_loguniform_1us_to_1h),
		cmocka_unit_test(test_quantile_error_below_one_bucket_width_on_edge_piled_data),
		cmocka_unit_test(test_bucket_layout_octaves_are_powers_of_two_microseconds),
		cmocka_unit_test(test_empty_histogram_gives_nan),
		cmocka_unit_test(test_quantile_outside_0_1_gives_nan),
		cmocka_unit_test(test_single_value_every_quantile_is_that_value),
		cmocka_unit_test(test_underflow_and_overflow_report_exact_min_and_max),
		cmocka_unit_test(test_merge_equals_adding_everything_to_one),
		cmocka_unit_test(test_cdf_error_bounded_by_share_in_neighbouring_bucket),
		cmocka_unit_test(test_quantiles_in_one_pass_equal_single_quantiles),
		cmocka_unit_test(test_reset_histogram_equals_a_fresh_one),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
