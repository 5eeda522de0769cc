/* Probability distributions of durations, parsed from text.
 *
 * Families (values are durations and carry units; dimensionless parameters do not):
 *   const(x)                     x
 *   exp(mean)                    exponential
 *   uniform(a, b)                on [a, b)
 *   normal(mean, sd)             normal truncated at 0 (resampled below 0)
 *   lognormal(mean=, cv=)        lognormal by mean and coefficient of variation
 *   lognormal(median=, p99=)     lognormal by median and 99th percentile
 *   gamma(mean=, cv=)            gamma, shape 1/cv^2
 *   erlang(k=, mean=)            sum of k exponentials
 *   weibull(shape=, mean=)       Weibull, scale mean/Gamma(1 + 1/shape)
 *   pareto(alpha=, min=)         Pareto type I
 *   hyperexp(mean=, cv=)         two-phase hyperexponential with balanced means, cv > 1
 *   empirical(FILE.csv[, column=NAME|N][, unit=U])
 *                                resampled uniformly from a CSV column (read with
 *                                libcsv); cells are plain numbers in `unit`
 *                                (default s) or durations with their own unit
 * A bare duration ("40us") means const(40us).  Samples are drawn with GSL.
 * sim_dist_mean and sim_dist_variance are exact (the formulas the tests check
 * sample moments against, and the analytic cross-check uses). */
#ifndef SIM_DIST_H
#define SIM_DIST_H

#include <stddef.h>
#include <stdint.h>

#include <math.h>

#include <gsl/gsl_rng.h>

#include "time.h"
#include "units.h"

enum sim_dist_kind {
	SIM_DIST_CONST,
	SIM_DIST_EXP,
	SIM_DIST_UNIFORM,
	SIM_DIST_NORMAL,
	SIM_DIST_LOGNORMAL,
	SIM_DIST_GAMMA,
	SIM_DIST_ERLANG,
	SIM_DIST_WEIBULL,
	SIM_DIST_PARETO,
	SIM_DIST_HYPEREXP,
	SIM_DIST_EMPIRICAL,
};

struct sim_dist {
	enum sim_dist_kind kind;
	double p[4];         /* family parameters, durations in ns (see dist.c) */
	double mean_ns;      /* exact mean */
	double var_ns2;      /* exact variance (INFINITY for heavy tails) */
	double *samples_ns;  /* EMPIRICAL only: owned */
	size_t nsamples;
	char *text;          /* canonical text, owned (e.g. "lognormal(mean=400us, cv=1.5)") */
};

/* An empirical() sample file larger than this is refused (64 MiB). */
#define SIM_EMPIRICAL_MAX_BYTES (64 << 20)

struct sim_dist_parse_opts {
	const char *base_dir; /* resolves relative empirical() paths; NULL = cwd */
};

/* Parse `text` into *d (which the caller owns; fini it after success).
 * Returns 0, or -1 with err->col pointing into text. */
int sim_dist_parse(const char *text, const struct sim_dist_parse_opts *opts,
		   struct sim_dist *d, struct sim_parse_error *err);
void sim_dist_fini(struct sim_dist *d);

/* Deep copy (for --set overrides that share defaults); 0 or -1 (no memory). */
int sim_dist_copy(struct sim_dist *dst, const struct sim_dist *src);

/* Build programmatically (tests, models' defaults): exponential / constant. */
void sim_dist_init_exp(struct sim_dist *d, double mean_ns);
void sim_dist_init_const(struct sim_dist *d, double value_ns);

/* An exponential draw of the given mean, by inversion with log(U), U in
 * (0, 1): the distribution of gsl_ran_exponential without its log1p, which
 * costs twice as much.  Every exponential of the engine draws through here. */
static inline double sim_rand_exp(gsl_rng *r, double mean)
{
	return -mean * log(gsl_rng_uniform_pos(r));
}

/* One sample in ns, >= 0.  The two families models draw most (a constant:
 * transparent hops and costs; an exponential) are inline, the rest a call. */
double sim_dist_sample_general(const struct sim_dist *d, gsl_rng *r);
static inline double sim_dist_sample(const struct sim_dist *d, gsl_rng *r)
{
	if (d->kind == SIM_DIST_CONST)
		return d->p[0];
	if (d->kind == SIM_DIST_EXP)
		return sim_rand_exp(r, d->p[0]);
	return sim_dist_sample_general(d, r);
}
static inline int64_t sim_dist_sample_ns(const struct sim_dist *d, gsl_rng *r)
{
	/* A draw past 292 years (a heavy tail, a mean of a century) is never. */
	return sim_ns_from_double(sim_dist_sample(d, r));
}

static inline double sim_dist_mean(const struct sim_dist *d) { return d->mean_ns; }
static inline double sim_dist_variance(const struct sim_dist *d) { return d->var_ns2; }

/* Squared coefficient of variation, var / mean^2 (0 for a zero mean). */
double sim_dist_scv(const struct sim_dist *d);

#endif
