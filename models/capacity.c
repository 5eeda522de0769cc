/* Capacity bounds for the planner; see capacity.h.
 *
 * Every question is asked of model_analytic_compute on a shallow copy of the
 * configuration with other node counts and rate: the copy shares the
 * distributions (read only) and is never finalised. */
#include "capacity.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "results.h"
#include "sim/analytic.h"

bool model_capacity_is_sized(enum model_tier t)
{
	return t == TIER_WEB || t == TIER_APP || t == TIER_DB;
}

static int *count_of(struct model_config *c, enum model_tier t)
{
	switch (t) {
	case TIER_LB:
		return &c->lb.nodes;
	case TIER_WEB:
		return &c->web.nodes;
	case TIER_APP:
		return &c->app.nodes;
	default:
		return &c->db.nodes;
	}
}

/* The approximation of cfg with these counts and rate; false: no memory. */
static bool analyse(const struct model_config *cfg, const int nodes[TIER_COUNT], double rate,
		    struct model_analytic *a)
{
	struct model_config *w = malloc(sizeof *w);
	if (!w)
		return false;
	memcpy(w, cfg, sizeof *w);
	for (int t = 0; t < TIER_COUNT; t++)
		if (nodes && nodes[t] > 0)
			*count_of(w, (enum model_tier)t) = nodes[t];
	if (rate > 0)
		w->wl.rate_per_s = rate;
	model_analytic_compute(w, a);
	free(w);
	return true;
}

int model_capacity_min_nodes(const struct model_config *cfg, enum model_tier t, int max_nodes)
{
	int nodes[TIER_COUNT] = {0};
	for (int n = 1; n <= max_nodes; n++) {
		nodes[t] = n;
		struct model_analytic a;
		if (!analyse(cfg, nodes, 0, &a))
			return 0;
		if (a.tier_max_utilization[t] < 1)
			return n;
	}
	return 0;
}

double model_capacity_saturation_rate(const struct model_config *cfg, const int nodes[TIER_COUNT])
{
	struct model_analytic a;
	return analyse(cfg, nodes, 0, &a) ? a.saturation_rate_per_s : 0;
}

/* Mean plus each tier's M/M/c quantile excess over its mean (seconds). */
static double quantile_s(const struct model_analytic *a, double q)
{
	double t_s = a->latency_mean_s;
	for (int t = 0; t < TIER_COUNT; t++) {
		double rate = a->tier_station_rate_per_s[t], s = a->tier_station_service_s[t];
		int c = a->tier_station_servers[t];
		if (rate <= 0 || s <= 0 || c < 1)
			continue;
		t_s += sim_mmc_response_quantile_s(rate, c, s, q) - sim_mmc_response_mean_s(rate, c, s);
	}
	return t_s;
}

double model_capacity_estimate(const struct model_config *cfg, const int nodes[TIER_COUNT],
			       double rate_per_s, enum slo_metric m)
{
	struct model_analytic a;
	if (!analyse(cfg, nodes, rate_per_s, &a))
		return NAN;
	static const double q[SLO_AVAILABILITY] = {0, 0.5, 0.9, 0.99, 0.999};
	switch (m) {
	case SLO_AVAILABILITY:
		return a.stable ? 1 : 0;
	case SLO_THROUGHPUT:
		return a.stable ? a.rate_per_s : a.saturation_rate_per_s;
	case SLO_MEAN:
		return a.stable ? a.latency_mean_s * 1e9 : INFINITY;
	default:
		return a.stable ? quantile_s(&a, q[m]) * 1e9 : INFINITY;
	}
}

/* max over the checks of value/target (at most) or target/value (at
 * least): <= 1 meets every check. */
static double worst_ratio(const struct model_config *cfg, const int nodes[TIER_COUNT],
			  double rate, const struct slo_check *slo, size_t nslo)
{
	double worst = 0;
	for (size_t i = 0; i < nslo; i++) {
		double v = model_capacity_estimate(cfg, nodes, rate, slo[i].metric);
		double r = slo[i].op == SLO_AT_MOST ? v / slo[i].target : slo[i].target / v;
		if (!(r <= INFINITY))
			r = INFINITY; /* NAN: unknown counts as failing */
		if (r > worst)
			worst = r;
	}
	return worst;
}

bool model_capacity_meets(const struct model_config *cfg, const int nodes[TIER_COUNT],
			  double rate_per_s, const struct slo_check *slo, size_t nslo)
{
	return worst_ratio(cfg, nodes, rate_per_s, slo, nslo) <= 1;
}

bool model_capacity_candidate(const struct model_config *cfg, double rate_per_s,
			      const struct slo_check *slo, size_t nslo, const double cost[TIER_COUNT],
			      int max_nodes, int nodes[TIER_COUNT])
{
	for (;;) {
		double now = worst_ratio(cfg, nodes, rate_per_s, slo, nslo);
		if (now <= 1)
			return true;
		int best = -1;
		double best_gain = 0;
		for (int t = 0; t < TIER_COUNT; t++) {
			if (!model_capacity_is_sized((enum model_tier)t) || nodes[t] >= max_nodes)
				continue;
			nodes[t]++;
			double after = worst_ratio(cfg, nodes, rate_per_s, slo, nslo);
			nodes[t]--;
			double gain = now - after;
			if (!(gain > 1e-12) && !(isinf(now) && !isinf(after)))
				continue;
			/* A free tier that helps goes first; else gain per unit of cost. */
			double per_cost = cost[t] > 0 ? gain / cost[t] : INFINITY;
			if (isinf(now))
				per_cost = cost[t] > 0 ? 1 / cost[t] : INFINITY;
			if (best < 0 || per_cost > best_gain) {
				best = t;
				best_gain = per_cost;
			}
		}
		if (best < 0)
			return false;
		nodes[best]++;
	}
}

double model_capacity_max_rate(const struct model_config *cfg, const int nodes[TIER_COUNT],
			       const struct slo_check *slo, size_t nslo, double rel)
{
	double hi = model_capacity_saturation_rate(cfg, nodes), lo = 0;
	if (!(hi > 0) || isinf(hi))
		return 0;
	while (hi - lo > rel * hi) {
		double mid = 0.5 * (lo + hi);
		if (worst_ratio(cfg, nodes, mid, slo, nslo) <= 1)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}
