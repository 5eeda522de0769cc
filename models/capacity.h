/* Capacity bounds from queueing theory, for the planner (`tiersim plan`).
 *
 * Two kinds of bound, of different strength:
 *  - the utilization law (U = lambda S / c per station) is exact whatever the
 *    distributions: a tier whose busiest station would be at U >= 1 cannot
 *    sustain the load, so its node count is a hard lower bound, and the
 *    saturation rate a hard upper bound on the load;
 *  - the M/M/c approximation (models/analytic.c, Erlang C) estimates
 *    latencies, and only guides the search: it proposes the first candidate,
 *    which the planner then confirms or corrects by simulation.
 * The latency quantile estimate is the analytic mean plus, for the busiest
 * station of each tier, the excess of its M/M/c response-time quantile over
 * its M/M/c mean: exact for one M/M/c station with everything else
 * transparent, conservative-ish for a chain (quantiles do not add).
 * Every function reads cfg and never changes it. */
#ifndef MODELS_CAPACITY_H
#define MODELS_CAPACITY_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

/* The tiers the planner sizes (the LB pair is active/standby: fixed). */
bool model_capacity_is_sized(enum model_tier t);

/* The fewest nodes of tier t (web, app or db) that keep each of the tier's
 * stations below utilization 1 at cfg's rate with the other tiers as in
 * cfg; 0 when no count up to max_nodes does (a station whose load does not
 * spread over nodes, such as the MySQL primary's writes). */
int model_capacity_min_nodes(const struct model_config *cfg, enum model_tier t, int max_nodes);

/* The approximation's value of metric m for cfg with the given node counts
 * and rate, in slo_check units (ns for latencies, 0..1, per second);
 * latencies are INFINITY when a station saturates. */
double model_capacity_estimate(const struct model_config *cfg, const int nodes[TIER_COUNT],
			       double rate_per_s, enum slo_metric m);

/* Whether the approximation meets every check. */
bool model_capacity_meets(const struct model_config *cfg, const int nodes[TIER_COUNT],
			  double rate_per_s, const struct slo_check *slo, size_t nslo);

/* The approximation's cheapest candidate: from nodes[] (the lower bounds),
 * add one node at a time to the web, app or db tier that reduces the worst
 * SLO ratio most per unit of cost, until the approximation meets every check
 * (true) or no node helps within max_nodes (false).  nodes[] in and out. */
bool model_capacity_candidate(const struct model_config *cfg, double rate_per_s,
			      const struct slo_check *slo, size_t nslo, const double cost[TIER_COUNT],
			      int max_nodes, int nodes[TIER_COUNT]);

/* The load at which the busiest station reaches utilization 1 (the
 * utilization law), with the given node counts. */
double model_capacity_saturation_rate(const struct model_config *cfg, const int nodes[TIER_COUNT]);

/* The highest rate below saturation at which the approximation meets every
 * check, to a relative resolution rel; 0 when none does. */
double model_capacity_max_rate(const struct model_config *cfg, const int nodes[TIER_COUNT],
			       const struct slo_check *slo, size_t nslo, double rel);

#endif
