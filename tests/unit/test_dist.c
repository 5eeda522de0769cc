/* Unit tests for sim/dist.c.
 *
 * Moments: for every family, N seeded draws must agree with the exact mean
 * and variance the parser reports, judged by 99.9% confidence intervals
 * (z = 3.29) rather than hand-picked tolerances: the mean against
 * sd / sqrt(N), the variance against sqrt((m4 - s^4) / N) from the sample
 * fourth central moment.  A check is skipped only where the quantity its
 * interval needs is infinite, and the reason is written at the case.
 * Messages: every parse error is pinned with its exact text and column.
 * Text: the canonical spelling parses back to bit-identical parameters.
 * Shape: the families drawn by a method other than GSL's named sampler
 * (lognormal through the ziggurat normal, gamma of shape 1 as an
 * exponential) pass a Kolmogorov-Smirnov test against GSL's exact CDF. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>

#include "sim/dist.h"
#include "sim/time.h"

#define N_DRAWS 1000000
#define Z999 3.29

enum moment_checks {
	CHECK_MEAN = 1,
	CHECK_VAR = 2,
	CHECK_BOTH = CHECK_MEAN | CHECK_VAR,
};

static gsl_rng *seeded_rng(unsigned long seed)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	assert_non_null(r);
	gsl_rng_set(r, seed);
	return r;
}

static void parse_ok(const char *text, const struct sim_dist_parse_opts *opts,
		     struct sim_dist *d)
{
	struct sim_parse_error err = { 0 };
	if (sim_dist_parse(text, opts, d, &err) != 0)
		fail_msg("'%s' rejected at col %d: %s", text, err.col, err.message);
}

/* Draws N samples of `d` and checks them against its exact moments.  Also
 * checks every sample is >= lo (durations are never negative). */
static void check_sampled_moments(const struct sim_dist *d, unsigned long seed,
				  enum moment_checks checks, double lo)
{
	gsl_rng *r = seeded_rng(seed);
	double *x = malloc(N_DRAWS * sizeof(*x));
	assert_non_null(x);
	double sum = 0;
	for (size_t k = 0; k < N_DRAWS; k++) {
		x[k] = sim_dist_sample(d, r);
		if (!(x[k] >= lo))
			fail_msg("%s: sample %.17g below %.17g", d->text, x[k], lo);
		sum += x[k];
	}
	double n = N_DRAWS;
	double mean = sum / n;
	double m2 = 0, m4 = 0;
	for (size_t k = 0; k < N_DRAWS; k++) {
		double dev = x[k] - mean, dev2 = dev * dev;
		m2 += dev2;
		m4 += dev2 * dev2;
	}
	m2 /= n;
	m4 /= n;
	double s2 = m2 * n / (n - 1);
	free(x);
	gsl_rng_free(r);

	if (checks & CHECK_MEAN) {
		double half = Z999 * sqrt(s2 / n);
		if (!(fabs(mean - d->mean_ns) <= half))
			fail_msg("%s: exact mean %.6g outside sample mean %.6g +- %.3g", d->text,
				 d->mean_ns, mean, half);
	}
	if (checks & CHECK_VAR) {
		assert_true(isfinite(d->var_ns2));
		double half = Z999 * sqrt((m4 - m2 * m2) / n);
		if (!(fabs(s2 - d->var_ns2) <= half))
			fail_msg("%s: exact variance %.6g outside sample variance %.6g +- %.3g",
				 d->text, d->var_ns2, s2, half);
	}
}

static void check_family(const char *text, unsigned long seed, enum moment_checks checks)
{
	struct sim_dist d;
	parse_ok(text, NULL, &d);
	check_sampled_moments(&d, seed, checks, 0);
	sim_dist_fini(&d);
}

/* ------------------------------------------------------------- shape */

#define N_KS 200000
/* sqrt(n) D exceeds this with probability 0.1% for any n this large
 * (Kolmogorov's limit distribution: 1 - K(1.9495) = 0.001). */
#define KS_999 1.9495

typedef double (*exact_cdf_fn)(const struct sim_dist *d, double x);

/* sqrt(n) D, the one-sample Kolmogorov-Smirnov statistic of N_KS seeded
 * draws of `sampled` against the exact CDF of `model`. */
static double ks_statistic(const struct sim_dist *sampled, unsigned long seed,
			   const struct sim_dist *model, exact_cdf_fn cdf)
{
	gsl_rng *r = seeded_rng(seed);
	double *x = malloc(N_KS * sizeof(*x));
	assert_non_null(x);
	for (size_t k = 0; k < N_KS; k++)
		x[k] = sim_dist_sample(sampled, r);
	gsl_sort(x, 1, N_KS);
	double dmax = 0;
	for (size_t k = 0; k < N_KS; k++) {
		double f = cdf(model, x[k]);
		dmax = fmax(dmax, fmax((double)(k + 1) / N_KS - f, f - (double)k / N_KS));
	}
	free(x);
	gsl_rng_free(r);
	return sqrt((double)N_KS) * dmax;
}

static void check_shape(const char *text, unsigned long seed, exact_cdf_fn cdf)
{
	struct sim_dist d;
	parse_ok(text, NULL, &d);
	double stat = ks_statistic(&d, seed, &d, cdf);
	if (!(stat < KS_999))
		fail_msg("%s: Kolmogorov-Smirnov sqrt(n) D = %.4f, above %.4f", text, stat, KS_999);
	sim_dist_fini(&d);
}

/* The parameters as stored: lognormal (zeta, sigma); gamma (shape, scale). */
static double lognormal_cdf(const struct sim_dist *d, double x)
{
	return gsl_cdf_lognormal_P(x, d->p[0], d->p[1]);
}

static double gamma_cdf(const struct sim_dist *d, double x)
{
	return gsl_cdf_gamma_P(x, d->p[0], d->p[1]);
}

static void lognormal_and_gamma_samples_follow_their_exact_cdf(void **state)
{
	(void)state;
	check_shape("lognormal(mean=0.4ms, cv=1.5)", 31, lognormal_cdf);
	check_shape("lognormal(median=1ms, p99=20ms)", 32, lognormal_cdf);
	check_shape("gamma(mean=25ms, cv=1)", 33, gamma_cdf);
	check_shape("erlang(k=1, mean=5ms)", 34, gamma_cdf);
	check_shape("gamma(mean=25ms, cv=0.5)", 35, gamma_cdf);
}

/* The check can fail: an exponential of the same mean (cv 1) is far from
 * the lognormal of cv 1.5. */
static void the_shape_check_tells_a_wrong_family(void **state)
{
	(void)state;
	struct sim_dist d, e;
	parse_ok("lognormal(mean=0.4ms, cv=1.5)", NULL, &d);
	parse_ok("exp(0.4ms)", NULL, &e);
	assert_true(ks_statistic(&e, 36, &d, lognormal_cdf) > KS_999);
	sim_dist_fini(&d);
	sim_dist_fini(&e);
}

/* ------------------------------------------------------------- moments */

static void const_always_returns_its_value(void **state)
{
	(void)state;
	struct sim_dist d;
	parse_ok("const(40us)", NULL, &d);
	gsl_rng *r = seeded_rng(1);
	for (int k = 0; k < 1000; k++)
		assert_true(sim_dist_sample(&d, r) == 40000.0);
	assert_true(d.mean_ns == 40000.0);
	assert_true(d.var_ns2 == 0.0);
	gsl_rng_free(r);
	sim_dist_fini(&d);
}

static void exp_sample_moments_match_exact(void **state)
{
	(void)state;
	check_family("exp(40us)", 11, CHECK_BOTH);
}

static void uniform_sample_moments_match_exact_and_stay_in_range(void **state)
{
	(void)state;
	struct sim_dist d;
	parse_ok("uniform(1ms, 3ms)", NULL, &d);
	check_sampled_moments(&d, 12, CHECK_BOTH, 1e6);
	gsl_rng *r = seeded_rng(13);
	for (int k = 0; k < 100000; k++)
		assert_true(sim_dist_sample(&d, r) < 3e6);
	gsl_rng_free(r);
	sim_dist_fini(&d);
}

static void normal_sample_moments_match_exact(void **state)
{
	(void)state;
	check_family("normal(10ms, 2ms)", 14, CHECK_BOTH);
}

/* With mean 1ms and sd 2ms a third of the normal lies below 0: the
 * resampled distribution's moments are far from (1ms, 4ms^2), and the
 * exact truncated-normal formulas must be the ones reported. */
static void normal_truncated_at_zero_reports_truncated_moments(void **state)
{
	(void)state;
	struct sim_dist d;
	parse_ok("normal(1ms, 2ms)", NULL, &d);
	assert_true(d.mean_ns > 1.5e6);
	assert_true(d.var_ns2 < 3e12);
	check_sampled_moments(&d, 15, CHECK_BOTH, 0);
	sim_dist_fini(&d);
}

static void lognormal_by_mean_and_cv_sample_moments_match_exact(void **state)
{
	(void)state;
	check_family("lognormal(mean=1ms, cv=0.5)", 16, CHECK_BOTH);
	check_family("lognormal(mean=0.4ms, cv=1.5)", 17, CHECK_BOTH);
}

static void lognormal_by_median_and_p99_sample_moments_match_exact(void **state)
{
	(void)state;
	check_family("lognormal(median=1ms, p99=5ms)", 18, CHECK_BOTH);
	/* The quantiles, not just the moments, come out as asked. */
	struct sim_dist d;
	parse_ok("lognormal(median=1ms, p99=20ms)", NULL, &d);
	check_sampled_moments(&d, 19, CHECK_MEAN, 0);
	gsl_rng *r = seeded_rng(20);
	int below_median = 0, below_p99 = 0;
	for (int k = 0; k < N_DRAWS; k++) {
		double x = sim_dist_sample(&d, r);
		below_median += x < 1e6;
		below_p99 += x < 20e6;
	}
	/* Binomial 99.9% intervals around 0.5 and 0.99. */
	assert_true(fabs(below_median / (double)N_DRAWS - 0.5) <= Z999 * sqrt(0.25 / N_DRAWS));
	assert_true(fabs(below_p99 / (double)N_DRAWS - 0.99) <=
		    Z999 * sqrt(0.99 * 0.01 / N_DRAWS));
	gsl_rng_free(r);
	sim_dist_fini(&d);
}

static void gamma_sample_moments_match_exact(void **state)
{
	(void)state;
	check_family("gamma(mean=25ms, cv=1)", 21, CHECK_BOTH);
	check_family("gamma(mean=25ms, cv=0.5)", 22, CHECK_BOTH);
	check_family("gamma(mean=25ms, cv=2)", 23, CHECK_BOTH);
}

static void erlang_sample_moments_match_exact(void **state)
{
	(void)state;
	check_family("erlang(k=3, mean=10ms)", 24, CHECK_BOTH);
}

static void weibull_sample_moments_match_exact(void **state)
{
	(void)state;
	check_family("weibull(shape=1.5, mean=10ms)", 25, CHECK_BOTH);
	check_family("weibull(shape=0.7, mean=10ms)", 26, CHECK_BOTH);
}

static void pareto_sample_moments_match_exact(void **state)
{
	(void)state;
	struct sim_dist d;
	parse_ok("pareto(alpha=4.5, min=1ms)", NULL, &d);
	check_sampled_moments(&d, 27, CHECK_BOTH, 1e6);
	sim_dist_fini(&d);
	/* alpha = 2.5: the variance is finite but the fourth moment is not, so
	 * the variance has no confidence interval; only the mean is checked. */
	parse_ok("pareto(alpha=2.5, min=1ms)", NULL, &d);
	assert_true(isfinite(d.var_ns2));
	check_sampled_moments(&d, 28, CHECK_MEAN, 1e6);
	sim_dist_fini(&d);
}

static void pareto_with_alpha_at_most_2_has_infinite_variance(void **state)
{
	(void)state;
	struct sim_dist d;
	parse_ok("pareto(alpha=2, min=1ms)", NULL, &d);
	assert_true(d.mean_ns == 2e6);
	assert_true(isinf(d.var_ns2));
	sim_dist_fini(&d);
	parse_ok("pareto(alpha=1.5, min=1ms)", NULL, &d);
	assert_true(d.mean_ns == 3e6);
	assert_true(isinf(d.var_ns2));
	sim_dist_fini(&d);
}

static void hyperexp_sample_moments_match_exact(void **state)
{
	(void)state;
	check_family("hyperexp(mean=10ms, cv=2)", 29, CHECK_BOTH);
	check_family("hyperexp(mean=10ms, cv=1.2)", 30, CHECK_BOTH);
}

static void hyperexp_uses_balanced_means(void **state)
{
	(void)state;
	struct sim_dist d;
	parse_ok("hyperexp(mean=10ms, cv=2)", NULL, &d);
	double p = d.p[0];
	assert_true(fabs(p - (1 + sqrt(3.0 / 5.0)) / 2) < 1e-15);
	/* Each phase carries half the mean: p m1 = (1 - p) m2 = mean / 2. */
	assert_true(fabs(p * d.p[1] - 5e6) < 1e-6);
	assert_true(fabs((1 - p) * d.p[2] - 5e6) < 1e-6);
	assert_true(fabs(sim_dist_scv(&d) - 4) < 1e-12);
	sim_dist_fini(&d);
}

static void exact_moments_follow_the_documented_formulas(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		double mean, var;
	} cases[] = {
		{ "exp(40us)", 4e4, 1.6e9 },
		{ "uniform(1ms, 3ms)", 2e6, 4e12 / 12 },
		{ "lognormal(mean=400us, cv=1.5)", 4e5, 3.6e11 },
		{ "gamma(mean=25ms, cv=2)", 25e6, 2.5e15 },
		{ "erlang(k=4, mean=10ms)", 1e7, 2.5e13 },
		{ "weibull(shape=1, mean=10ms)", 1e7, 1e14 },
		{ "weibull(shape=2, mean=10ms)", 1e7, 1e14 * (4 / M_PI - 1) },
		{ "pareto(alpha=3, min=1ms)", 1.5e6, 3e12 / 4 },
		{ "hyperexp(mean=10ms, cv=3)", 1e7, 9e14 },
	};
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct sim_dist d;
		parse_ok(cases[k].text, NULL, &d);
		if (fabs(d.mean_ns - cases[k].mean) > 1e-12 * cases[k].mean ||
		    fabs(d.var_ns2 - cases[k].var) > 1e-12 * cases[k].var)
			fail_msg("%s: mean %.17g var %.17g, want %.17g %.17g", cases[k].text,
				 d.mean_ns, d.var_ns2, cases[k].mean, cases[k].var);
		sim_dist_fini(&d);
	}
}

/* ----------------------------------------------------------- empirical */

struct temp_csv {
	char path[64];
};

static void write_csv(struct temp_csv *t, const char *contents)
{
	strcpy(t->path, "/tmp/tiersim-test-XXXXXX.csv");
	int fd = mkstemps(t->path, 4);
	assert_true(fd >= 0);
	size_t len = strlen(contents);
	assert_int_equal(write(fd, contents, len), (ssize_t)len);
	close(fd);
}

static void parse_empirical(const struct temp_csv *t, const char *args, struct sim_dist *d)
{
	char text[256];
	snprintf(text, sizeof(text), "empirical(%s%s)", t->path, args);
	parse_ok(text, NULL, d);
}

/* Parses empirical(PATH ARGS) expecting a failure; checks message and col. */
static void expect_empirical_error(const struct temp_csv *t, const char *args,
				   const char *message_fmt)
{
	char text[256], want[256];
	snprintf(text, sizeof(text), "empirical(%s%s)", t->path, args);
	snprintf(want, sizeof(want), message_fmt, t->path);
	struct sim_dist d;
	struct sim_parse_error err = { 0 };
	if (sim_dist_parse(text, NULL, &d, &err) == 0)
		fail_msg("'%s' was accepted", text);
	if (strcmp(err.message, want) != 0 || err.col != 11)
		fail_msg("'%s': got col %d \"%s\", want col 11 \"%s\"", text, err.col,
			 err.message, want);
}

static void empirical_reads_a_named_column_in_the_given_unit(void **state)
{
	(void)state;
	struct temp_csv t;
	write_csv(&t, "latency,other\n1.5,9\n2.5,9\n4,9\n");
	struct sim_dist d;
	parse_empirical(&t, ", column=latency, unit=ms", &d);
	assert_int_equal(d.kind, SIM_DIST_EMPIRICAL);
	assert_int_equal(d.nsamples, 3);
	double mean = (1.5e6 + 2.5e6 + 4e6) / 3;
	double var = ((1.5e6 - mean) * (1.5e6 - mean) + (2.5e6 - mean) * (2.5e6 - mean) +
		      (4e6 - mean) * (4e6 - mean)) / 3;
	assert_true(fabs(d.mean_ns - mean) < 1e-6);
	assert_true(fabs(d.var_ns2 - var) < 1e-3);

	/* Every draw is one of the values, each value is drawn, and the draws
	 * have the column's moments. */
	gsl_rng *r = seeded_rng(31);
	int seen[3] = { 0 };
	for (int k = 0; k < 30000; k++) {
		double x = sim_dist_sample(&d, r);
		if (x == 1.5e6)
			seen[0]++;
		else if (x == 2.5e6)
			seen[1]++;
		else if (x == 4e6)
			seen[2]++;
		else
			fail_msg("sample %.17g is not a value of the column", x);
	}
	assert_true(seen[0] > 0 && seen[1] > 0 && seen[2] > 0);
	gsl_rng_free(r);
	check_sampled_moments(&d, 32, CHECK_BOTH, 1.5e6);
	sim_dist_fini(&d);
	unlink(t.path);
}

static void empirical_without_header_reads_durations_with_units(void **state)
{
	(void)state;
	struct temp_csv t;
	write_csv(&t, "10ms\n20ms\n30ms\n");
	struct sim_dist d;
	parse_empirical(&t, "", &d);
	assert_int_equal(d.nsamples, 3);
	assert_true(d.mean_ns == 20e6);
	sim_dist_fini(&d);
	unlink(t.path);
}

static void empirical_plain_numbers_default_to_seconds(void **state)
{
	(void)state;
	struct temp_csv t;
	write_csv(&t, "0.5\n1.5\n");
	struct sim_dist d;
	parse_empirical(&t, "", &d);
	assert_true(d.mean_ns == 1e9);
	assert_true(d.var_ns2 == 0.25e18);
	sim_dist_fini(&d);
	unlink(t.path);
}

static void empirical_column_index_skips_a_detected_header(void **state)
{
	(void)state;
	struct temp_csv t;
	write_csv(&t, "a,b\n1,2\n3,4\n");
	struct sim_dist d;
	parse_empirical(&t, ", column=2", &d);
	assert_int_equal(d.nsamples, 2);
	assert_true(d.mean_ns == 3e9);
	sim_dist_fini(&d);
	unlink(t.path);
}

static void empirical_relative_path_resolves_against_base_dir(void **state)
{
	(void)state;
	struct temp_csv t;
	write_csv(&t, "7us\n");
	char text[128];
	snprintf(text, sizeof(text), "empirical(%s, unit=us)", t.path + strlen("/tmp/"));
	struct sim_dist_parse_opts opts = { .base_dir = "/tmp" };
	struct sim_dist d;
	parse_ok(text, &opts, &d);
	assert_true(d.mean_ns == 7000);
	/* The text keeps the path as written, so it resolves the same way. */
	assert_string_equal(d.text, text);
	sim_dist_fini(&d);
	unlink(t.path);
}

static void empirical_errors_name_the_file_and_row(void **state)
{
	(void)state;
	struct temp_csv t;
	write_csv(&t, "x\n1\nabc\n");
	expect_empirical_error(&t, "", "%s row 3: 'abc' is not a number or a duration");
	unlink(t.path);

	write_csv(&t, "x\n1\n-2\n");
	expect_empirical_error(&t, "", "%s row 3: negative value '-2'");
	unlink(t.path);

	write_csv(&t, "x\n1\n-2ms\n");
	expect_empirical_error(&t, "", "%s row 3: negative value '-2ms'");
	unlink(t.path);

	write_csv(&t, "x\n");
	expect_empirical_error(&t, "", "column 1 of %s has no values");
	unlink(t.path);

	write_csv(&t, "latency\n");
	expect_empirical_error(&t, ", column=latency", "column 'latency' of %s has no values");
	unlink(t.path);

	write_csv(&t, "a,b\n1,2\n");
	expect_empirical_error(&t, ", column=c", "column 'c' not found in %s (columns: a, b)");
	unlink(t.path);

	write_csv(&t, "a,b\n1,2\n3\n");
	expect_empirical_error(&t, ", column=b", "%s row 3 has no column 2");
	unlink(t.path);

	write_csv(&t, "1,2\n");
	expect_empirical_error(&t, ", column=3", "%s has 2 columns; column 3 requested");
	unlink(t.path);

	write_csv(&t, "x\n1\n\"\"\n");
	expect_empirical_error(&t, "", "%s row 3: '' is not a number or a duration");
	unlink(t.path);

	strcpy(t.path, "/tmp/tiersim-no-such-file.csv");
	expect_empirical_error(&t, "", "cannot open %s: No such file or directory");
}

/* ------------------------------------------------------------ messages */

struct bad_case {
	const char *text;
	int col;
	const char *message;
};

static void parse_errors_name_the_problem_and_column(void **state)
{
	(void)state;
	static const struct bad_case cases[] = {
		{ "", 1, "expected a distribution such as exp(40us), got nothing" },
		{ "expo(3ms)", 1, "unknown distribution 'expo' (did you mean 'exp'?)" },
		{ "  lognorm(mean=1ms, cv=1)", 3,
		  "unknown distribution 'lognorm' (did you mean 'lognormal'?)" },
		{ "exponential(1ms)", 1, "unknown distribution 'exponential' (did you mean 'exp'?)" },
		{ "zzzzzz(1ms)", 1,
		  "unknown distribution 'zzzzzz' (use const, exp, uniform, normal, lognormal, "
		  "gamma, erlang, weibull, pareto, hyperexp, empirical)" },
		{ "exp", 4, "expected '(' after 'exp'" },
		{ "exp(40)", 7, "duration '40' needs a unit (ns, us, ms, s, m, h, d)" },
		{ "exp(1sec)", 6, "unknown duration unit 'sec' (use ns, us, ms, s, m, h, d)" },
		{ "exp(-1ms)", 5, "duration '-1ms' must not be negative" },
		{ "250", 4, "duration '250' needs a unit (ns, us, ms, s, m, h, d)" },
		{ "exp(40us", 4, "missing ')' to close 'exp('" },
		{ "exp(40us))", 10, "unbalanced ')'" },
		{ "40us)", 5, "unbalanced ')'" },
		{ "exp(1ms) x", 10, "unexpected 'x' after the distribution" },
		{ "exp(exp(1ms))", 8,
		  "unexpected '(' in the arguments of exp (distributions do not nest)" },
		{ "exp()", 5, "missing argument 'mean' for exp; usage: exp(mean)" },
		{ "exp(1ms, 2ms)", 10, "too many arguments for exp; usage: exp(mean)" },
		{ "exp(1ms, mean=2ms)", 10, "duplicate argument 'mean'" },
		{ "exp(mean=)", 10, "missing value for 'mean'" },
		{ "exp(1ms,)", 9, "empty argument" },
		{ "exp(,1ms)", 5, "empty argument" },
		{ "exp(0)", 5, "exp mean must be > 0" },
		{ "gamma(mean=1ms, mean=2ms)", 17, "duplicate argument 'mean'" },
		{ "gamma(cv=1, 1ms)", 13, "positional argument after keyword arguments" },
		{ "gamma(mean=1ms)", 15, "missing argument 'cv' for gamma; usage: gamma(mean=, cv=)" },
		{ "gamma(mean=1ms, cv=1, foo=2)", 23,
		  "unknown argument 'foo' for gamma; usage: gamma(mean=, cv=)" },
		{ "gamma(mean=1ms, cv=0)", 20, "gamma cv must be > 0" },
		{ "gamma(mean=0, cv=1)", 12, "gamma mean must be > 0" },
		{ "gamma(mean=1ms, cv=1ms)", 21, "unexpected 'ms' after number '1'" },
		{ "hyperexp(mean=1ms, cv=1)", 23,
		  "hyperexp needs cv > 1; use exp for cv = 1 or gamma for cv < 1" },
		{ "hyperexp(mean=1ms, cv=1e200)", 23,
		  "hyperexp cv is too large (the variance overflows)" },
		{ "hyperexp(mean=1ms, cv=0.5)", 23,
		  "hyperexp needs cv > 1; use exp for cv = 1 or gamma for cv < 1" },
		{ "uniform(3ms, 1ms)", 14, "uniform needs b > a (got a=3ms, b=1ms)" },
		{ "uniform(1ms, 1ms)", 14, "uniform needs b > a (got a=1ms, b=1ms)" },
		{ "uniform(1ms)", 12, "missing argument 'b' for uniform; usage: uniform(a, b)" },
		{ "normal(10ms, 0)", 14, "normal sd must be > 0 (use const for a fixed value)" },
		{ "normal(0, 1ms)", 8, "normal mean must be > 0" },
		{ "lognormal(mean=1ms, cv=0)", 24, "lognormal cv must be > 0" },
		{ "lognormal(median=1ms, p99=1ms)", 27, "lognormal needs p99 > median" },
		{ "lognormal(median=2ms, p99=1ms)", 27, "lognormal needs p99 > median" },
		{ "lognormal(mean=1ms, p99=3ms)", 21,
		  "lognormal takes mean= and cv=, or median= and p99=" },
		{ "lognormal(median=1ms)", 21,
		  "missing argument 'p99' for lognormal; usage: lognormal(mean=, cv=) or "
		  "lognormal(median=, p99=)" },
		{ "lognormal()", 11,
		  "missing arguments for lognormal; usage: lognormal(mean=, cv=) or "
		  "lognormal(median=, p99=)" },
		{ "pareto(alpha=0, min=1ms)", 14, "pareto alpha must be > 0" },
		{ "pareto(alpha=-1, min=1ms)", 14, "pareto alpha must be > 0" },
		{ "pareto(alpha=1, min=1ms)", 14,
		  "pareto needs alpha > 1 for a finite mean (got alpha=1)" },
		{ "pareto(alpha=0.8, min=1ms)", 14,
		  "pareto needs alpha > 1 for a finite mean (got alpha=0.8)" },
		{ "pareto(alpha=2.5, min=0)", 23, "pareto min must be > 0" },
		{ "erlang(k=2.5, mean=1ms)", 10, "erlang k must be a positive integer, got '2.5'" },
		{ "erlang(k=0, mean=1ms)", 10, "erlang k must be a positive integer, got '0'" },
		{ "erlang(k=-1, mean=1ms)", 10, "erlang k must be a positive integer, got '-1'" },
		{ "weibull(shape=0, mean=1ms)", 15, "weibull shape must be > 0" },
		{ "weibull(shape=0.001, mean=1ms)", 15,
		  "weibull shape is too small (the variance overflows)" },
		{ "empirical()", 11,
		  "missing argument 'file' for empirical; usage: "
		  "empirical(FILE.csv[, column=NAME|N][, unit=U])" },
		{ "empirical(f.csv, unit=sec)", 23,
		  "unknown unit 'sec' for empirical (use ns, us, ms, s, m, h, d)" },
		{ "empirical(f.csv, column=0)", 25, "column index must be 1 or more, got '0'" },
		{ "empirical(\"a.csv)", 11, "unterminated '\"'" },
		{ "empirical(f.csv, g.csv)", 18,
		  "too many arguments for empirical; usage: "
		  "empirical(FILE.csv[, column=NAME|N][, unit=U])" },
	};
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct sim_dist d;
		struct sim_parse_error err = { 0 };
		if (sim_dist_parse(cases[k].text, NULL, &d, &err) == 0)
			fail_msg("'%s' was accepted as %s", cases[k].text, d.text);
		if (strcmp(err.message, cases[k].message) != 0 || err.col != cases[k].col)
			fail_msg("'%s': got col %d \"%s\", want col %d \"%s\"", cases[k].text,
				 err.col, err.message, cases[k].col, cases[k].message);
	}
}

/* ---------------------------------------------------------------- text */

static void keyword_and_positional_forms_are_the_same_distribution(void **state)
{
	(void)state;
	static const char *pairs[][2] = {
		{ "exp(40us)", "exp(mean=40us)" },
		{ "uniform(1ms, 3ms)", "uniform(b=3ms, a=1ms)" },
		{ "normal(10ms, 2ms)", "normal(mean=10ms, sd=2ms)" },
		{ "lognormal(0.4ms, 1.5)", "lognormal(cv=1.5, mean=400us)" },
		{ "gamma(25ms, 1)", "gamma(mean=25ms, cv=1)" },
		{ "erlang(3, 10ms)", "erlang(mean=10ms, k=3)" },
		{ "weibull(1.5, 10ms)", "weibull(mean=10ms, shape=1.5)" },
		{ "pareto(2.5, 1ms)", "pareto(min=1ms, alpha=2.5)" },
		{ "hyperexp(10ms, 2)", "hyperexp(cv=2, mean=10ms)" },
		{ "40us", "const(value=40us)" },
		{ " exp ( 40 us ) ", "exp(mean = 40us)" },
	};
	for (size_t k = 0; k < sizeof(pairs) / sizeof(pairs[0]); k++) {
		struct sim_dist a, b;
		parse_ok(pairs[k][0], NULL, &a);
		parse_ok(pairs[k][1], NULL, &b);
		assert_string_equal(a.text, b.text);
		assert_memory_equal(a.p, b.p, sizeof(a.p));
		sim_dist_fini(&a);
		sim_dist_fini(&b);
	}
}

static void canonical_text_parses_back_to_the_same_parameters(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		const char *canonical;
	} cases[] = {
		{ "40us", "const(40us)" },
		{ "0", "const(0s)" },
		{ "exp(mean=0.04ms)", "exp(40us)" },
		{ "uniform(1ms, 3000us)", "uniform(1ms, 3ms)" },
		{ "normal(10ms, 2ms)", "normal(10ms, 2ms)" },
		{ "lognormal(mean=0.4ms, cv=1.5)", "lognormal(mean=400us, cv=1.5)" },
		{ "lognormal(median=1ms, p99=20ms)", "lognormal(median=1ms, p99=20ms)" },
		{ "gamma(mean=25ms, cv=1)", "gamma(mean=25ms, cv=1)" },
		{ "gamma(mean=25ms, cv=0.1)", "gamma(mean=25ms, cv=0.1)" },
		{ "erlang(k=3, mean=10ms)", "erlang(k=3, mean=10ms)" },
		{ "weibull(shape=1.5, mean=10ms)", "weibull(shape=1.5, mean=10ms)" },
		{ "pareto(alpha=2.5, min=1ms)", "pareto(alpha=2.5, min=1ms)" },
		{ "hyperexp(mean=10ms, cv=2)", "hyperexp(mean=10ms, cv=2)" },
		{ "hyperexp(mean=1.5s, cv=1.0000000000000002)",
		  "hyperexp(mean=1500ms, cv=1.0000000000000002)" },
		{ "gamma(mean=1h, cv=3e-1)", "gamma(mean=1h, cv=0.3)" },
	};
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct sim_dist a, b;
		parse_ok(cases[k].text, NULL, &a);
		assert_string_equal(a.text, cases[k].canonical);
		parse_ok(a.text, NULL, &b);
		assert_int_equal(a.kind, b.kind);
		assert_memory_equal(a.p, b.p, sizeof(a.p));
		assert_memory_equal(&a.mean_ns, &b.mean_ns, sizeof(a.mean_ns));
		assert_memory_equal(&a.var_ns2, &b.var_ns2, sizeof(a.var_ns2));
		assert_string_equal(a.text, b.text);
		sim_dist_fini(&a);
		sim_dist_fini(&b);
	}
}

static void empirical_canonical_text_parses_back_to_the_same_values(void **state)
{
	(void)state;
	struct temp_csv t;
	write_csv(&t, "name,latency\nx,1.5\ny,2\n");
	struct sim_dist a, b;
	parse_empirical(&t, " ,  column = latency ,unit=ms", &a);
	char want[128];
	snprintf(want, sizeof(want), "empirical(%s, column=latency, unit=ms)", t.path);
	assert_string_equal(a.text, want);
	parse_ok(a.text, NULL, &b);
	assert_int_equal(a.nsamples, b.nsamples);
	assert_memory_equal(a.samples_ns, b.samples_ns, a.nsamples * sizeof(double));
	assert_true(a.mean_ns == b.mean_ns && a.var_ns2 == b.var_ns2);
	sim_dist_fini(&a);
	sim_dist_fini(&b);
	unlink(t.path);
}

static void empirical_quotes_file_names_that_need_it(void **state)
{
	(void)state;
	char dir[] = "/tmp/tiersim-dir-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[128];
	snprintf(path, sizeof(path), "%s/a,b (1).csv", dir);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("3ms\n", fp);
	fclose(fp);
	struct sim_dist_parse_opts opts = { .base_dir = dir };
	struct sim_dist a, b;
	parse_ok("empirical(\"a,b (1).csv\")", &opts, &a);
	assert_string_equal(a.text, "empirical(\"a,b (1).csv\")");
	parse_ok(a.text, &opts, &b);
	assert_true(b.mean_ns == 3e6);
	sim_dist_fini(&a);
	sim_dist_fini(&b);
	unlink(path);
	rmdir(dir);
}

/* ------------------------------------------------------ the rest of the API */

static void copy_is_deep(void **state)
{
	(void)state;
	struct temp_csv t;
	write_csv(&t, "1ms\n2ms\n");
	struct sim_dist a, b;
	parse_empirical(&t, "", &a);
	assert_int_equal(sim_dist_copy(&b, &a), 0);
	assert_ptr_not_equal(a.samples_ns, b.samples_ns);
	assert_ptr_not_equal(a.text, b.text);
	sim_dist_fini(&a);
	assert_int_equal(b.nsamples, 2);
	assert_true(b.samples_ns[0] == 1e6 && b.samples_ns[1] == 2e6);
	assert_true(b.mean_ns == 1.5e6);
	sim_dist_fini(&b);
	unlink(t.path);
}

static void programmatic_exp_and_const_match_their_parsed_forms(void **state)
{
	(void)state;
	struct sim_dist built, parsed;
	sim_dist_init_exp(&built, 40000);
	parse_ok("exp(40us)", NULL, &parsed);
	assert_string_equal(built.text, parsed.text);
	assert_memory_equal(built.p, parsed.p, sizeof(built.p));
	assert_true(built.mean_ns == parsed.mean_ns && built.var_ns2 == parsed.var_ns2);
	sim_dist_fini(&built);
	sim_dist_fini(&parsed);

	sim_dist_init_const(&built, 2 * SIM_NS_PER_MS);
	parse_ok("2ms", NULL, &parsed);
	assert_string_equal(built.text, "const(2ms)");
	assert_memory_equal(built.p, parsed.p, sizeof(built.p));
	assert_true(built.var_ns2 == 0 && sim_dist_scv(&built) == 0);
	sim_dist_fini(&built);
	sim_dist_fini(&parsed);
}

/* Found by fuzz_parsers: with cv past about 1e8, 1 - p was 0 in doubles and
 * the rare phase's mean mean / 0, so mean and variance were NaN. */
static void hyperexp_with_a_huge_cv_keeps_finite_exact_moments(void **state)
{
	(void)state;
	struct sim_dist d;
	const double cv = 44444444444.0, mean = 60e9;
	parse_ok("hyperexp( 1m,044444444444)", NULL, &d);
	assert_true(fabs(sim_dist_mean(&d) / mean - 1) < 1e-12);
	assert_true(fabs(sim_dist_variance(&d) / (cv * mean * cv * mean) - 1) < 1e-9);
	gsl_rng *r = seeded_rng(41);
	for (int i = 0; i < 1000; i++) {
		double x = sim_dist_sample(&d, r);
		assert_true(isfinite(x) && x >= 0);
	}
	gsl_rng_free(r);
	sim_dist_fini(&d);
}

/* A draw beyond int64 nanoseconds saturates instead of wrapping negative. */
static void sample_ns_saturates_past_292_years(void **state)
{
	(void)state;
	struct sim_dist d;
	gsl_rng *r = seeded_rng(42);
	sim_dist_init_const(&d, 1e19);
	assert_true(sim_dist_sample_ns(&d, r) == INT64_MAX);
	sim_dist_fini(&d);
	/* Mean 200 years: P(draw > 292 years) = exp(-292/200), about 23%. */
	parse_ok("exp(200y)", NULL, &d);
	int saturated = 0;
	for (int i = 0; i < 1000; i++) {
		int64_t ns = sim_dist_sample_ns(&d, r);
		assert_true(ns >= 0);
		saturated += ns == INT64_MAX;
	}
	assert_true(saturated > 0);
	sim_dist_fini(&d);
	gsl_rng_free(r);
}

static void sample_ns_rounds_to_nearest(void **state)
{
	(void)state;
	struct sim_dist d;
	gsl_rng *r = seeded_rng(40);
	sim_dist_init_const(&d, 2.6);
	assert_int_equal(sim_dist_sample_ns(&d, r), 3);
	sim_dist_fini(&d);
	sim_dist_init_const(&d, 2.4);
	assert_int_equal(sim_dist_sample_ns(&d, r), 2);
	sim_dist_fini(&d);
	gsl_rng_free(r);
}

static void scv_is_variance_over_mean_squared(void **state)
{
	(void)state;
	struct sim_dist d;
	parse_ok("gamma(mean=25ms, cv=0.5)", NULL, &d);
	assert_true(fabs(sim_dist_scv(&d) - 0.25) < 1e-15);
	sim_dist_fini(&d);
	parse_ok("exp(1ms)", NULL, &d);
	assert_true(sim_dist_scv(&d) == 1);
	sim_dist_fini(&d);
}

static void same_seed_gives_the_same_samples(void **state)
{
	(void)state;
	struct sim_dist d;
	parse_ok("hyperexp(mean=10ms, cv=2)", NULL, &d);
	gsl_rng *a = seeded_rng(41), *b = seeded_rng(41);
	for (int k = 0; k < 1000; k++)
		assert_true(sim_dist_sample(&d, a) == sim_dist_sample(&d, b));
	gsl_rng_free(a);
	gsl_rng_free(b);
	sim_dist_fini(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(const_always_returns_its_value),
		cmocka_unit_test(lognormal_and_gamma_samples_follow_their_exact_cdf),
		cmocka_unit_test(the_shape_check_tells_a_wrong_family),
		cmocka_unit_test(exp_sample_moments_match_exact),
		cmocka_unit_test(uniform_sample_moments_match_exact_and_stay_in_range),
		cmocka_unit_test(normal_sample_moments_match_exact),
		cmocka_unit_test(normal_truncated_at_zero_reports_truncated_moments),
		cmocka_unit_test(lognormal_by_mean_and_cv_sample_moments_match_exact),
		cmocka_unit_test(lognormal_by_median_and_p99_sample_moments_match_exact),
		cmocka_unit_test(gamma_sample_moments_match_exact),
		cmocka_unit_test(erlang_sample_moments_match_exact),
		cmocka_unit_test(weibull_sample_moments_match_exact),
		cmocka_unit_test(pareto_sample_moments_match_exact),
		cmocka_unit_test(pareto_with_alpha_at_most_2_has_infinite_variance),
		cmocka_unit_test(hyperexp_sample_moments_match_exact),
		cmocka_unit_test(hyperexp_uses_balanced_means),
		cmocka_unit_test(exact_moments_follow_the_documented_formulas),
		cmocka_unit_test(empirical_reads_a_named_column_in_the_given_unit),
		cmocka_unit_test(empirical_without_header_reads_durations_with_units),
		cmocka_unit_test(empirical_plain_numbers_default_to_seconds),
		cmocka_unit_test(empirical_column_index_skips_a_detected_header),
		cmocka_unit_test(empirical_relative_path_resolves_against_base_dir),
		cmocka_unit_test(empirical_errors_name_the_file_and_row),
		cmocka_unit_test(parse_errors_name_the_problem_and_column),
		cmocka_unit_test(keyword_and_positional_forms_are_the_same_distribution),
		cmocka_unit_test(canonical_text_parses_back_to_the_same_parameters),
		cmocka_unit_test(empirical_canonical_text_parses_back_to_the_same_values),
		cmocka_unit_test(empirical_quotes_file_names_that_need_it),
		cmocka_unit_test(copy_is_deep),
		cmocka_unit_test(programmatic_exp_and_const_match_their_parsed_forms),
		cmocka_unit_test(hyperexp_with_a_huge_cv_keeps_finite_exact_moments),
		cmocka_unit_test(sample_ns_saturates_past_292_years),
		cmocka_unit_test(sample_ns_rounds_to_nearest),
		cmocka_unit_test(scv_is_variance_over_mean_squared),
		cmocka_unit_test(same_seed_gives_the_same_samples),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
