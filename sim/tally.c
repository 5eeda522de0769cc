/* Tally: streaming mean and variance of observations (Welford).
 *
 * The per-observation update is inline in tally.h; this file holds the rest.
 * Merging uses the pairwise formula of Chan, Golub & LeVeque (1979): it is
 * exact in real arithmetic, so merging the tallies of two halves gives the
 * tally of the whole up to rounding, and it keeps Welford's stability because
 * it combines deviations, never raw sums of squares.  Invariant: m2 is the sum
 * of squared deviations from `mean` over the n observations, min/max are
 * +inf/-inf while n == 0. */
#include "sim/tally.h"

#include <math.h>

void sim_tally_init(struct sim_tally *t)
{
	t->n = 0;
	t->mean = 0.0;
	t->m2 = 0.0;
	t->min = INFINITY;
	t->max = -INFINITY;
}

void sim_tally_merge(struct sim_tally *into, const struct sim_tally *from)
{
	if (from->n == 0)
		return;
	if (into->n == 0) {
		*into = *from;
		return;
	}
	double na = (double)into->n;
	double nb = (double)from->n;
	double n = na + nb;
	double delta = from->mean - into->mean;
	/* Weight the correction by the other side's share rather than forming
	 * (na*ma + nb*mb)/n: no large products, so equal means merge exactly. */
	into->mean += delta * (nb / n);
	into->m2 += from->m2 + delta * delta * (na * nb / n);
	into->n += from->n;
	if (from->min < into->min)
		into->min = from->min;
	if (from->max > into->max)
		into->max = from->max;
}

double sim_tally_variance(const struct sim_tally *t)
{
	if (t->n < 2)
		return 0.0;
	return t->m2 / (double)(t->n - 1);
}

double sim_tally_sd(const struct sim_tally *t)
{
	return sqrt(sim_tally_variance(t));
}
