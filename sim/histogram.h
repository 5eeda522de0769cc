/* Log-linear latency histogram: quantiles within 1% relative error.
 *
 * Values (ns) from 1 us to 1 h fall in buckets laid out HDR-style: each
 * power-of-two range [2^k, 2^(k+1)) us is split into 128 equal sub-buckets, so
 * a bucket is at most 1/128 of its lower bound wide.  Quantiles interpolate by
 * rank inside a bucket (type 7, as R and NumPy): the error against the exact
 * sample quantile is below one bucket width (1/128, about 0.8%) in the worst
 * case (every value of a bucket at one edge) and under 1% for continuous data.
 * Values below 1 us or above 1 h are counted in an under- or
 * overflow bucket and reported as the exact min or max.  Fixed size
 * (about 32 KiB, with a bitmap of the buckets in use), no allocation per value; two histograms merge by adding
 * counts (replications, windows). */
#ifndef SIM_HISTOGRAM_H
#define SIM_HISTOGRAM_H

#include <stddef.h>
#include <stdint.h>

#define SIM_HIST_SUB_BITS 7
#define SIM_HIST_SUB (1 << SIM_HIST_SUB_BITS)   /* sub-buckets per octave */
#define SIM_HIST_OCTAVES 32                      /* 1 us * 2^32 > 1 h */
#define SIM_HIST_BUCKETS (SIM_HIST_OCTAVES * SIM_HIST_SUB)
#define SIM_HIST_MIN_NS INT64_C(1000)                  /* 1 us */
#define SIM_HIST_MAX_NS (INT64_C(3600) * INT64_C(1000000000)) /* 1 h */

struct sim_histogram {
	uint64_t count;     /* all values, including under/overflow */
	uint64_t underflow; /* values < SIM_HIST_MIN_NS */
	uint64_t overflow;  /* values > SIM_HIST_MAX_NS */
	int64_t min_ns;
	int64_t max_ns;
	double sum_ns;
	uint64_t buckets[SIM_HIST_BUCKETS];
	/* bit b set <=> buckets[b] may be non-zero: quantiles, reset and merge
	 * visit only those buckets, so a histogram refilled every window costs
	 * what it holds, not its 4,096 buckets */
	uint64_t used[SIM_HIST_BUCKETS / 64];
};

void sim_histogram_init(struct sim_histogram *h);
void sim_histogram_add(struct sim_histogram *h, int64_t value_ns);
void sim_histogram_merge(struct sim_histogram *into, const struct sim_histogram *from);
/* The q-quantile (0 <= q <= 1) in ns; NAN when empty. */
double sim_histogram_quantile(const struct sim_histogram *h, double q);
/* Several quantiles in one pass: q[] ascending (an out-of-order or invalid
 * q gives NAN); scans only the buckets between min and max. */
void sim_histogram_quantiles(const struct sim_histogram *h, const double *q, size_t n,
			     double *out);
/* Empty the histogram again, clearing only the buckets it used (cheaper
 * than init for a histogram refilled every window). */
void sim_histogram_reset(struct sim_histogram *h);
/* Share of values <= x_ns (for CDF plots and SLO checks); NAN when empty. */
double sim_histogram_cdf(const struct sim_histogram *h, int64_t x_ns);
double sim_histogram_mean(const struct sim_histogram *h);

#endif
