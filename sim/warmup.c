/* Warm-up detection: MSER-m (White 1997; Franklin & White 2008).
 *
 * The rule, exactly:
 *  1. Batch: z_j is the mean of y[j*b .. j*b + b - 1] for j < B = floor(n/b);
 *     a trailing partial batch is dropped (b = 5 is MSER-5, b = 1 plain MSER).
 *  2. For every d < B, with m = B - d batches kept,
 *         MSER(d) = sum_{j>=d} (z_j - mean_{j>=d})^2 / m^2.
 *     One backward pass with a Welford accumulator yields the suffix sums of
 *     squared deviations for all d: O(n) time, O(1) memory, and no
 *     cancellation (a naive S2 - S1^2/m loses everything when the series
 *     sits at 1e9 + noise).
 *  3. truncate = b * d*, with d* the smallest minimiser over 0 <= d <= B/2.
 *  4. found = false when the smallest minimiser over the wider range
 *     0 <= d <= B - T, T = max(SIM_WARMUP_TAIL_MIN, B/10), lies beyond B/2:
 *     the series is still drifting (or too short to tell).  The last T
 *     batches are excluded because MSER over a handful of points is
 *     degenerate (it reaches 0 at d = B - 1, and a few near-equal trailing
 *     batches make it spuriously small).  A series of fewer than
 *     SIM_WARMUP_MIN_BATCHES batches is reported as not found, truncate 0.
 *  When found is false, truncate and mser still describe the best point of
 *  the first half, for reports; the caller should run longer, not trust it. */
#include "sim/warmup.h"

#include <math.h>

/* Below this many batches MSER has too few points to separate a transient
 * from noise, and the tail exclusion would cover the whole second half. */
#define SIM_WARMUP_MIN_BATCHES 20
#define SIM_WARMUP_TAIL_MIN 5

static double batch_mean(const double *y, size_t j, size_t batch)
{
	double sum = 0.0;
	for (size_t i = j * batch; i < (j + 1) * batch; i++)
		sum += y[i];
	return sum / (double)batch;
}

struct sim_warmup sim_warmup_mser(const double *y, size_t n, size_t batch)
{
	struct sim_warmup w = { .found = false, .truncate = 0, .mser = NAN };
	if (batch == 0)
		return w;
	size_t nb = n / batch;
	if (nb < SIM_WARMUP_MIN_BATCHES)
		return w;
	size_t half = nb / 2;
	size_t tail = nb / 10 > SIM_WARMUP_TAIL_MIN ? nb / 10 : SIM_WARMUP_TAIL_MIN;
	size_t global_last = nb - tail;

	double best_half = INFINITY, best_global = INFINITY;
	size_t d_half = 0, d_global = 0;
	/* Suffix Welford over z_{nb-1}, z_{nb-2}, ..., z_0. */
	double mean = 0.0, m2 = 0.0;
	for (size_t k = 0; k < nb; k++) {
		size_t d = nb - 1 - k;
		double z = batch_mean(y, d, batch);
		double m = (double)(k + 1);
		double delta = z - mean;
		mean += delta / m;
		m2 += delta * (z - mean);
		double mser = m2 / (m * m);
		/* Walking d downwards, "<=" keeps the smallest minimiser. */
		if (d <= global_last && mser <= best_global) {
			best_global = mser;
			d_global = d;
		}
		if (d <= half && mser <= best_half) {
			best_half = mser;
			d_half = d;
		}
	}
	w.found = d_global <= half;
	w.truncate = d_half * batch;
	w.mser = best_half;
	return w;
}
