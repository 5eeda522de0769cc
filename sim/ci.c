/* Confidence intervals from independent replications (Student t).
 *
 * The replication estimates are summarised with a two-pass mean and sample
 * variance (the array is at hand, so the second pass is cheap and exact to
 * rounding), and the half-width is t(1 - alpha/2, n - 1) s / sqrt(n) with the
 * quantile from GSL's gsl_cdf_tdist_Pinv.  Degenerate input never aborts:
 * n = 0 gives NANs, n = 1 an infinite interval (one replication says nothing
 * about its own error), and a level outside (0, 1) NAN bounds.  Arguments
 * outside GSL's domain are screened here because GSL's default error
 * handler aborts, and library code must not end the process. */
#include "sim/ci.h"

#include <gsl/gsl_cdf.h>
#include <math.h>

double sim_ci_t_quantile(double p, double dof)
{
	if (!(p >= 0.0 && p <= 1.0) || !(dof > 0.0))
		return NAN;
	if (p == 0.0)
		return -INFINITY;
	if (p == 1.0)
		return INFINITY;
	return gsl_cdf_tdist_Pinv(p, dof);
}

struct sim_ci sim_ci_of(const double *x, size_t n, double level)
{
	struct sim_ci ci = { .n = n, .mean = NAN, .half_width = NAN, .lo = NAN, .hi = NAN };
	if (n == 0)
		return ci;
	double sum = 0.0;
	for (size_t i = 0; i < n; i++)
		sum += x[i];
	ci.mean = sum / (double)n;
	if (!(level > 0.0 && level < 1.0))
		return ci;
	if (n == 1) {
		ci.half_width = INFINITY;
		ci.lo = -INFINITY;
		ci.hi = INFINITY;
		return ci;
	}
	double ss = 0.0;
	for (size_t i = 0; i < n; i++) {
		double d = x[i] - ci.mean;
		ss += d * d;
	}
	double sd = sqrt(ss / (double)(n - 1));
	double t = sim_ci_t_quantile(1.0 - (1.0 - level) / 2.0, (double)(n - 1));
	ci.half_width = t * sd / sqrt((double)n);
	ci.lo = ci.mean - ci.half_width;
	ci.hi = ci.mean + ci.half_width;
	return ci;
}

double sim_ci_relative_half_width(const struct sim_ci *ci)
{
	/* INFINITY, not NAN, for n = 0: a stopping rule written as
	 * "while (rel > target) run more" must keep running. */
	if (ci->n < 2 || ci->mean == 0.0 || isnan(ci->half_width))
		return INFINITY;
	return ci->half_width / fabs(ci->mean);
}
