/* Simulated time.
 *
 * Inside tiersim every instant and every duration is an int64_t count of
 * nanoseconds: exact, totally ordered, and wide enough for 292 years of
 * simulated time.  Conversion to and from seconds happens only at the edges
 * (parsing and reports).  Names carry the unit: `service_ns`, `at_ns`. */
#ifndef SIM_TIME_H
#define SIM_TIME_H

#include <stdint.h>

#define SIM_NS_PER_US INT64_C(1000)
#define SIM_NS_PER_MS INT64_C(1000000)
#define SIM_NS_PER_S INT64_C(1000000000)
#define SIM_NS_PER_MIN (INT64_C(60) * SIM_NS_PER_S)
#define SIM_NS_PER_H (INT64_C(3600) * SIM_NS_PER_S)
#define SIM_NS_PER_DAY (INT64_C(86400) * SIM_NS_PER_S)

/* The end of time: an instant no event is ever scheduled at. */
#define SIM_TIME_NEVER INT64_MAX

static inline double sim_ns_to_s(int64_t ns) { return (double)ns / 1e9; }
static inline double sim_ns_to_ms(int64_t ns) { return (double)ns / 1e6; }

/* A non-negative count of nanoseconds held in a double (a sampled
 * duration), rounded to the nearest; SIM_TIME_NEVER past int64's 292 years
 * or for NaN, where the cast would be undefined (on x86: a negative time). */
static inline int64_t sim_ns_from_double(double ns)
{
	double rounded = ns + 0.5;
	return rounded < 0x1p63 ? (int64_t)rounded : SIM_TIME_NEVER;
}

/* Seconds to nanoseconds, rounded to nearest; saturates instead of overflowing. */
static inline int64_t sim_s_to_ns(double s)
{
	double ns = s * 1e9;
	return ns < 0 ? -sim_ns_from_double(-ns) : sim_ns_from_double(ns);
}

#endif
