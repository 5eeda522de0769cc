/* Time-weighted average of a piecewise-constant quantity.
 *
 * The inline set/add in timeavg.h close the area up to each change; the
 * functions here add the still-open last segment [last_ns, now_ns] without
 * modifying the accumulator, so a report can read a mean mid-run.  Reset
 * (end of warm-up) discards the past but keeps the current level: the queue
 * that exists at the end of warm-up is real and must go on being integrated.
 * Invariant: area is the integral of level over [start_ns, last_ns]. */
#include "sim/timeavg.h"

void sim_timeavg_init(struct sim_timeavg *a, int64_t now_ns, double level)
{
	a->start_ns = now_ns;
	a->last_ns = now_ns;
	a->level = level;
	a->area = 0.0;
	a->max = level;
}

double sim_timeavg_area(const struct sim_timeavg *a, int64_t now_ns)
{
	return a->area + a->level * (double)(now_ns - a->last_ns);
}

double sim_timeavg_mean(const struct sim_timeavg *a, int64_t now_ns)
{
	int64_t span_ns = now_ns - a->start_ns;
	if (span_ns <= 0)
		return a->level;
	return sim_timeavg_area(a, now_ns) / (double)span_ns;
}

void sim_timeavg_reset(struct sim_timeavg *a, int64_t now_ns)
{
	a->start_ns = now_ns;
	a->last_ns = now_ns;
	a->area = 0.0;
	/* The maximum "since start" is now just the level in force. */
	a->max = a->level;
}
