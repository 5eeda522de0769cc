/* Warm-up detection: MSER-5 (White 1997; Franklin & White 2008).
 *
 * A simulation started empty is biased at first.  MSER chooses the truncation
 * point d that minimises the marginal standard error of what is kept,
 *     MSER(d) = sum_{i>d} (y_i - mean_{>d})^2 / (n - d)^2,
 * over the first half of the series (a minimum in the second half means the
 * series is too short to tell: reported as not found).  MSER-5 applies it to
 * the means of consecutive batches of 5 observations. */
#ifndef SIM_WARMUP_H
#define SIM_WARMUP_H

#include <stdbool.h>
#include <stddef.h>

struct sim_warmup {
	bool found;       /* false when the minimum lies in the second half */
	size_t truncate;  /* observations to discard (a multiple of the batch size) */
	double mser;      /* the minimised statistic */
};

/* MSER over y[0..n-1] with the given batch size (5 for MSER-5, 1 for plain MSER). */
struct sim_warmup sim_warmup_mser(const double *y, size_t n, size_t batch);

#endif
