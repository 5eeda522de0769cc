/* Time-weighted average of a piecewise-constant quantity.
 *
 * Utilization (busy servers) and queue length change only at events; their
 * mean over an interval is the integral of the step function divided by the
 * interval.  sim_timeavg_set records a new level at an instant; the area up to
 * that instant is accumulated exactly (integer ns times level).  Reset at the
 * end of warm-up keeps the current level and discards the past. */
#ifndef SIM_TIMEAVG_H
#define SIM_TIMEAVG_H

#include <stdint.h>

struct sim_timeavg {
	int64_t start_ns;  /* start of the observation interval */
	int64_t last_ns;   /* instant of the last change */
	double level;      /* current value */
	double area;       /* integral of level dt from start_ns to last_ns, in level*ns */
	double max;        /* highest level seen since start */
};

void sim_timeavg_init(struct sim_timeavg *a, int64_t now_ns, double level);
static inline void sim_timeavg_set(struct sim_timeavg *a, int64_t now_ns, double level)
{
	a->area += a->level * (double)(now_ns - a->last_ns);
	a->last_ns = now_ns;
	a->level = level;
	if (level > a->max)
		a->max = level;
}
static inline void sim_timeavg_add(struct sim_timeavg *a, int64_t now_ns, double delta)
{
	sim_timeavg_set(a, now_ns, a->level + delta);
}
/* Mean level over [start_ns, now_ns]; the current level if the interval is empty. */
double sim_timeavg_mean(const struct sim_timeavg *a, int64_t now_ns);
/* Integral over [start_ns, now_ns], in level*ns. */
double sim_timeavg_area(const struct sim_timeavg *a, int64_t now_ns);
void sim_timeavg_reset(struct sim_timeavg *a, int64_t now_ns);

#endif
