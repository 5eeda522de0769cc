/* Tally: streaming mean and variance of observations (Welford).
 *
 * Numerically stable one-pass mean/variance (Welford 1962), with exact
 * min/max, and Chan et al.'s formula to merge two tallies (replications,
 * threads).  Nothing is stored per observation. */
#ifndef SIM_TALLY_H
#define SIM_TALLY_H

#include <stdint.h>

struct sim_tally {
	uint64_t n;
	double mean;
	double m2;   /* sum of squared deviations from the mean */
	double min;
	double max;
};

void sim_tally_init(struct sim_tally *t);
static inline void sim_tally_add(struct sim_tally *t, double x)
{
	t->n++;
	double d = x - t->mean;
	t->mean += d / (double)t->n;
	t->m2 += d * (x - t->mean);
	if (x < t->min)
		t->min = x;
	if (x > t->max)
		t->max = x;
}
void sim_tally_merge(struct sim_tally *into, const struct sim_tally *from);
/* Sample variance (n - 1 denominator); 0 when n < 2. */
double sim_tally_variance(const struct sim_tally *t);
double sim_tally_sd(const struct sim_tally *t);

#endif
