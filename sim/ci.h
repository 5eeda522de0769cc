/* Confidence intervals from independent replications (Student t).
 *
 * Each replication yields one estimate (a mean response time, a p99); the
 * replications are independent and identically distributed, so their mean
 * has a t-distributed error: half-width = t(1 - alpha/2, n - 1) * s / sqrt(n),
 * with the t quantile from GSL. */
#ifndef SIM_CI_H
#define SIM_CI_H

#include <stdbool.h>
#include <stddef.h>

struct sim_ci {
	size_t n;
	double mean;
	double half_width; /* INFINITY when n < 2 */
	double lo;
	double hi;
};

/* CI at the given level (e.g. 0.95) for the mean of x[0..n-1]; n = 0 gives NANs. */
struct sim_ci sim_ci_of(const double *x, size_t n, double level);
/* The Student t quantile used: t(p, dof). */
double sim_ci_t_quantile(double p, double dof);
/* half_width / |mean| (INFINITY when the mean is 0 or n < 2). */
double sim_ci_relative_half_width(const struct sim_ci *ci);
static inline bool sim_ci_contains(const struct sim_ci *ci, double x)
{
	return x >= ci->lo && x <= ci->hi;
}

#endif
