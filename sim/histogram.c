/* Log-linear latency histogram (HDR-style), see histogram.h.
 *
 * Layout.  A value v (ns) in [1 us, 1 h] is first rescaled to s = floor(v *
 * 128 / 125), i.e. units of 1/1024 us, so that 1 us is exactly 2^10 and the
 * octave boundaries fall on whole powers of two of microseconds.  The
 * position p of the highest set bit of s gives the octave k = p - 10 (0..31),
 * the B = SIM_HIST_SUB_BITS (7) bits below it the sub-bucket; index =
 * 2^B k + sub.  Bucket (k, sub) holds exactly the integers v with
 * (2^B + sub) 2^(k+10-B) <= s < (2^B + 1 + sub) 2^(k+10-B), i.e. the real
 * interval [L, U) with L = (2^B + sub) 2^(k+10-B) * 125/128 ns; its width is
 * L / (2^B + sub) <= L / 128.  Adding is a multiply, a
 * constant division, a count-leading-zeros and a shift: no loop, no log().
 *
 * Quantiles.  The histogram is read as a reconstructed sample: the c values
 * of a bucket [L, U) are placed at L + (j + 0.5)(U - L)/c, j = 0..c-1
 * (evenly, at the centres of c equal slices; [L, U) first clipped to
 * [min, max]); underflow values and the smallest value are placed at the
 * exact min, overflow values and the largest value at the exact max.  The q-quantile is the
 * "type 7" sample quantile of that reconstruction (the default of R and
 * NumPy): with N values, rank r = q (N - 1), interpolated linearly between
 * the order statistics floor(r) and floor(r) + 1 (0-based), then clamped to
 * [min, max].  Because bucket counts are exact, each reconstructed order
 * statistic lies in the same bucket as the true one, so the error is below
 * one bucket width: under 1/128 (0.8%) of the value in the worst case (all of
 * a bucket's values piled at one edge) and far below 1% for any smooth
 * distribution.  q = 0 and q = 1 give the exact min and max.
 *
 * Complexity: add O(1); quantile and cdf scan the 4096 buckets. */
#include "sim/histogram.h"

#include <math.h>
#include <string.h>

/* s = v * 128/125 puts 1 us at 2^10. */
#define SCALE_NUM 128
#define SCALE_DEN 125
#define MIN_BIT 10

static inline unsigned bucket_of(int64_t value_ns)
{
	/* Caller guarantees SIM_HIST_MIN_NS <= value_ns <= SIM_HIST_MAX_NS,
	 * so s >= 1024 and v * 128 cannot overflow (1 h * 128 < 2^49). */
	uint64_t s = (uint64_t)value_ns * SCALE_NUM / SCALE_DEN;
	unsigned top = 63u - (unsigned)__builtin_clzll(s);
	unsigned sub = (unsigned)(s >> (top - SIM_HIST_SUB_BITS)) & (SIM_HIST_SUB - 1);
	return ((top - MIN_BIT) << SIM_HIST_SUB_BITS) | sub;
}

/* Lower bound of bucket b in ns (real; bucket b is [lower(b), lower(b+1))).
 * lower(SIM_HIST_BUCKETS) is the upper bound of the last bucket. */
static double bucket_lower_ns(unsigned b)
{
	unsigned octave = b >> SIM_HIST_SUB_BITS;
	unsigned sub = b & (SIM_HIST_SUB - 1);
	double s = ldexp((double)(SIM_HIST_SUB + sub), (int)octave + MIN_BIT - SIM_HIST_SUB_BITS);
	return s * SCALE_DEN / SCALE_NUM;
}

void sim_histogram_init(struct sim_histogram *h)
{
	memset(h, 0, sizeof(*h));
	h->min_ns = INT64_MAX;
	h->max_ns = INT64_MIN;
}

/* The buckets that can be non-zero: those of [min, max] clipped to the
 * covered range.  Scans and resets touch only these, which matters for the
 * many small histograms of a time series. */
static void used_span(const struct sim_histogram *h, unsigned *first, unsigned *end)
{
	if (h->count == h->underflow + h->overflow) {
		*first = *end = 0;
		return;
	}
	int64_t lo = h->min_ns < SIM_HIST_MIN_NS ? SIM_HIST_MIN_NS : h->min_ns;
	int64_t hi = h->max_ns > SIM_HIST_MAX_NS ? SIM_HIST_MAX_NS : h->max_ns;
	*first = bucket_of(lo);
	*end = bucket_of(hi) + 1;
}

/* The first bucket in use at or after b, below end (end if none). */
static unsigned next_used(const struct sim_histogram *h, unsigned b, unsigned end)
{
	while (b < end) {
		uint64_t word = h->used[b >> 6] >> (b & 63);
		if (word) {
			unsigned found = b + (unsigned)__builtin_ctzll(word);
			return found < end ? found : end;
		}
		b = (b | 63) + 1;
	}
	return end;
}

void sim_histogram_reset(struct sim_histogram *h)
{
	unsigned first, end;
	used_span(h, &first, &end);
	for (unsigned w = first >> 6; w < (end + 63) >> 6; w++) {
		for (uint64_t bits = h->used[w]; bits; bits &= bits - 1)
			h->buckets[w << 6 | (unsigned)__builtin_ctzll(bits)] = 0;
		h->used[w] = 0;
	}
	h->count = h->underflow = h->overflow = 0;
	h->sum_ns = 0;
	h->min_ns = INT64_MAX;
	h->max_ns = INT64_MIN;
}

void sim_histogram_add(struct sim_histogram *h, int64_t value_ns)
{
	h->count++;
	h->sum_ns += (double)value_ns;
	if (value_ns < h->min_ns)
		h->min_ns = value_ns;
	if (value_ns > h->max_ns)
		h->max_ns = value_ns;
	if (value_ns < SIM_HIST_MIN_NS) {
		h->underflow++;
		return;
	}
	if (value_ns > SIM_HIST_MAX_NS) {
		h->overflow++;
		return;
	}
	unsigned b = bucket_of(value_ns);
	h->buckets[b]++;
	h->used[b >> 6] |= UINT64_C(1) << (b & 63);
}

void sim_histogram_merge(struct sim_histogram *into, const struct sim_histogram *from)
{
	into->count += from->count;
	into->underflow += from->underflow;
	into->overflow += from->overflow;
	into->sum_ns += from->sum_ns;
	if (from->min_ns < into->min_ns)
		into->min_ns = from->min_ns;
	if (from->max_ns > into->max_ns)
		into->max_ns = from->max_ns;
	for (unsigned w = 0; w < SIM_HIST_BUCKETS / 64; w++) {
		for (uint64_t bits = from->used[w]; bits; bits &= bits - 1) {
			unsigned b = w << 6 | (unsigned)__builtin_ctzll(bits);
			into->buckets[b] += from->buckets[b];
		}
		into->used[w] |= from->used[w];
	}
}

/* The reconstructed sample, read in increasing order in one pass: the first
 * and last values are the exact min and max, and a bucket's slice is
 * clipped to [min, max], which can only move a value towards the truth. */
struct reader {
	const struct sim_histogram *h;
	unsigned bucket, end;  /* current bucket, end of the used span */
	uint64_t before;       /* values in underflow and buckets before `bucket` */
};

static double reconstructed_ns(struct reader *rd, uint64_t i)
{
	const struct sim_histogram *h = rd->h;
	if (i == 0 || i < h->underflow)
		return (double)h->min_ns;
	if (i == h->count - 1)
		return (double)h->max_ns;
	while (rd->bucket < rd->end) {
		uint64_t c = h->buckets[rd->bucket];
		if (i < rd->before + c) {
			unsigned b = rd->bucket;
			double lo = fmax(bucket_lower_ns(b), (double)h->min_ns);
			double hi = fmin(bucket_lower_ns(b + 1), (double)h->max_ns);
			return lo + ((double)(i - rd->before) + 0.5) / (double)c * (hi - lo);
		}
		rd->before += c;
		rd->bucket = next_used(h, rd->bucket + 1, rd->end);
	}
	return (double)h->max_ns;
}

void sim_histogram_quantiles(const struct sim_histogram *h, const double *q, size_t n,
			     double *out)
{
	struct reader rd = {.h = h, .before = h->underflow};
	used_span(h, &rd.bucket, &rd.end);
	rd.bucket = next_used(h, rd.bucket, rd.end);
	for (size_t k = 0; k < n; k++) {
		if (h->count == 0 || !(q[k] >= 0.0 && q[k] <= 1.0) || (k > 0 && q[k] < q[k - 1])) {
			out[k] = NAN;
			continue;
		}
		double rank = q[k] * (double)(h->count - 1);
		uint64_t i = (uint64_t)rank;
		if (i >= h->count) /* rounding of q * (N - 1) for huge N */
			i = h->count - 1;
		double frac = rank - (double)i;
		double x = reconstructed_ns(&rd, i);
		if (frac > 0.0 && i + 1 < h->count)
			x += frac * (reconstructed_ns(&rd, i + 1) - x);
		if (x < (double)h->min_ns)
			x = (double)h->min_ns;
		if (x > (double)h->max_ns)
			x = (double)h->max_ns;
		out[k] = x;
	}
}

double sim_histogram_quantile(const struct sim_histogram *h, double q)
{
	double x;
	sim_histogram_quantiles(h, &q, 1, &x);
	return x;
}

/* Values are integers, so "<= x" means "< x + 1": the share of bucket b
 * counted is the share of [L, U) below x + 1, assuming a uniform spread. */
double sim_histogram_cdf(const struct sim_histogram *h, int64_t x_ns)
{
	if (h->count == 0)
		return NAN;
	if (x_ns < h->min_ns)
		return 0.0;
	if (x_ns >= h->max_ns)
		return 1.0;
	/* min <= x < max: underflow values sit at min, overflow ones at max. */
	double le = (double)h->underflow;
	if (x_ns >= SIM_HIST_MIN_NS) {
		unsigned end = SIM_HIST_BUCKETS;
		if (x_ns <= SIM_HIST_MAX_NS)
			end = bucket_of(x_ns);
		for (unsigned b = 0; b < end; b++)
			le += (double)h->buckets[b];
		if (end < SIM_HIST_BUCKETS && h->buckets[end] != 0) {
			double lo = bucket_lower_ns(end);
			double hi = bucket_lower_ns(end + 1);
			double share = ((double)x_ns + 1.0 - lo) / (hi - lo);
			if (share > 1.0)
				share = 1.0;
			le += share * (double)h->buckets[end];
		}
	}
	return le / (double)h->count;
}

double sim_histogram_mean(const struct sim_histogram *h)
{
	if (h->count == 0)
		return NAN;
	return h->sum_ns / (double)h->count;
}
