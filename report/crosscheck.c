/* The analytic cross-check: approximation beside simulation, and why they part.
 *
 * The approximation (models/analytic.c) takes every CPU station as M/M/c at
 * the base rate and leaves out, on purpose, everything that makes a real
 * system depart from M/M/c.  So when the simulation differs by more than 10%,
 * the reason is among those departures, and this file names the ones that the
 * configuration and the results actually contain:
 *   - the schedule changes the rate (the approximation uses the base rate);
 *   - retries add load (attempts beyond offered requests);
 *   - time-outs and blocking: failed requests leave the system early, and
 *     latency counts only successes;
 *   - nodes down for part of the run;
 *   - non-exponential service: M/M/c waits scale with (1 + scv)/2, so a
 *     heavy tail (scv > 1) waits longer and a constant (scv 0) shorter;
 *   - thread and pool limits, and utilizations near 1 where Erlang C is most
 *     sensitive;
 *   - replica apply work, which the approximation leaves out.
 * Utilization obeys the utilization law whatever the distributions, so for
 * utilizations only the causes that change the work done are named.  When no
 * cause applies the reason says so: that difference deserves a look. */
#include "crosscheck.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Service distributions below this distance from scv 1 count as exponential. */
#define SCV_TOLERANCE 0.05
/* From this utilization on, M/M/c is sensitive and limits start to bind. */
#define NEAR_SATURATION 0.8

struct reasons {
	char text[RPT_REASON_MAX];
	size_t len;
};

static void add(struct reasons *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add(struct reasons *r, const char *fmt, ...)
{
	if (r->len >= sizeof r->text - 1)
		return;
	if (r->len) {
		int w = snprintf(r->text + r->len, sizeof r->text - r->len, "; ");
		r->len += (size_t)w;
		if (r->len >= sizeof r->text)
			r->len = sizeof r->text - 1;
	}
	va_list ap;
	va_start(ap, fmt);
	int w = vsnprintf(r->text + r->len, sizeof r->text - r->len, fmt, ap);
	va_end(ap);
	if (w > 0)
		r->len += (size_t)w;
	if (r->len >= sizeof r->text)
		r->len = sizeof r->text - 1;
}

/* The service distribution of a tier furthest from exponential (scv 1). */
struct scv_worst {
	double scv;
	double distance;
	const char *what;
};

static void consider(struct scv_worst *w, const struct sim_dist *d, const char *what)
{
	if (!(sim_dist_mean(d) > 0))
		return;
	double scv = sim_dist_scv(d);
	double distance = isfinite(scv) ? fabs(scv - 1) : INFINITY;
	if (distance > w->distance) {
		w->scv = scv;
		w->distance = distance;
		w->what = what;
	}
}

static struct scv_worst worst_scv(const struct model_config *cfg, int tier)
{
	struct scv_worst w = {.scv = 1, .distance = SCV_TOLERANCE, .what = NULL};
	if (tier < 0 || tier == TIER_LB)
		consider(&w, &cfg->lb.service, "lb service");
	if (tier < 0 || tier == TIER_WEB) {
		consider(&w, &cfg->web.static_cost, "web static");
		consider(&w, &cfg->web.proxy_cost, "web proxy");
		consider(&w, &cfg->web.tls_handshake, "web tls handshake");
		consider(&w, &cfg->web.tls_resumed, "web tls resumed");
	}
	if (tier < 0 || tier == TIER_APP)
		for (size_t k = 0; k < cfg->wl.nclasses; k++)
			if (cfg->wl.classes[k].dynamic)
				consider(&w, &cfg->wl.classes[k].app, "app service");
	if (tier < 0 || tier == TIER_DB) {
		consider(&w, &cfg->db.read_cost, "db read");
		consider(&w, &cfg->db.write_cost, "db write");
	}
	return w;
}

static double down_total_s(const struct rpt_summary *s, int tier)
{
	double down = 0;
	for (size_t i = 0; i < s->nnodes; i++)
		if (tier < 0 || s->nodes[i].tier == (enum model_tier)tier)
			down += s->nodes[i].down_s;
	return down;
}

static uint64_t failed_attempts(const struct rpt_summary *s)
{
	uint64_t n = 0;
	for (int e = 0; e < ERR_COUNT; e++)
		n += s->attempt_errors[e];
	return n;
}

/* Causes that change the work done (utilizations and latencies alike). */
static void load_reasons(struct reasons *r, const struct model_config *cfg,
			 const struct rpt_summary *s, int tier)
{
	if (cfg->wl.nschedule)
		add(r, "the schedule changes the rate");
	if (cfg->wl.retries > 0 && s->attempts > s->all.offered)
		add(r, "retries (%.1f%% extra attempts)",
		    100.0 * (double)(s->attempts - s->all.offered) / (double)s->all.offered);
	if (s->all.failed || failed_attempts(s))
		add(r, "time-outs/blocking (%llu requests failed)",
		    (unsigned long long)s->all.failed);
	if (down_total_s(s, tier) > 0)
		add(r, "nodes down for part of the run");
}

/* Estimated busy app threads and DB pool connections per app node (Little's
 * law with the simulated throughput; the pool estimate uses service means
 * only, so it is a lower bound). */
static void limit_reasons(struct reasons *r, const struct model_config *cfg,
			  const struct rpt_summary *s)
{
	if (cfg->app.nodes <= 0)
		return;
	double dyn_share = 0, db_s = 0;
	double hop_s = sim_dist_mean(&cfg->net.hop) / 1e9;
	for (size_t k = 0; k < cfg->wl.nclasses; k++) {
		const struct wl_class_config *c = &cfg->wl.classes[k];
		if (!c->dynamic)
			continue;
		double miss = c->share * (1 - model_cache_hit_of(cfg, c));
		dyn_share += miss;
		db_s += miss * (c->db_reads * (sim_dist_mean(&cfg->db.read_cost) / 1e9 + 2 * hop_s) +
				c->db_writes * (sim_dist_mean(&cfg->db.write_cost) / 1e9 + 2 * hop_s));
	}
	double per_node_rps = s->all.throughput_rps.mean / cfg->app.nodes;
	double latency_s = s->all.latency_ms.mean.mean / 1e3;
	double threads = per_node_rps * dyn_share * latency_s;
	if (cfg->app.workers > 0 && threads >= NEAR_SATURATION * cfg->app.workers)
		add(r, "app threads near their limit (about %.0f of %d busy)", threads,
		    cfg->app.workers);
	double pool = per_node_rps * db_s;
	if (cfg->app.db_pool_size > 0 && pool >= NEAR_SATURATION * cfg->app.db_pool_size)
		add(r, "DB pool near its limit (at least %.0f of %d in use)", pool,
		    cfg->app.db_pool_size);
}

static void latency_reasons(struct reasons *r, const struct model_config *cfg,
			    const struct rpt_summary *s, const struct model_analytic *a)
{
	if (!a->stable)
		add(r, "a station is saturated in the approximation");
	load_reasons(r, cfg, s, -1);
	struct scv_worst w = worst_scv(cfg, -1);
	if (w.what)
		add(r, "%s service (%s scv %.2f)", w.scv > 1 ? "heavy-tailed" : "non-exponential",
		    w.what, w.scv);
	if (s->bottleneck_utilization >= NEAR_SATURATION)
		add(r, "near saturation (%s at %.2f)", model_tier_name(s->bottleneck),
		    s->bottleneck_utilization);
	limit_reasons(r, cfg, s);
}

static void utilization_reasons(struct reasons *r, const struct model_config *cfg,
				const struct rpt_summary *s, int tier)
{
	load_reasons(r, cfg, s, tier);
	if (tier == TIER_DB && cfg->db.nodes > 1 && sim_dist_mean(&cfg->db.apply_cost) > 0)
		for (size_t k = 0; k < cfg->wl.nclasses; k++)
			if (cfg->wl.classes[k].db_writes > 0) {
				add(r, "replica apply work (left out of the approximation)");
				break;
			}
}

static struct rpt_compare compare(double analytic, double simulated, double floor)
{
	struct rpt_compare c = {.analytic = analytic, .simulated = simulated};
	if (isnan(analytic) || isnan(simulated)) {
		c.differs = isnan(analytic) != isnan(simulated);
		return c;
	}
	double d = fabs(simulated - analytic);
	c.differs = d > RPT_CROSSCHECK_TOLERANCE * fabs(analytic) && d > floor;
	return c;
}

static void explain(struct rpt_compare *c, const struct reasons *r)
{
	if (!c->differs)
		return;
	if (isnan(c->simulated))
		snprintf(c->reason, sizeof c->reason, "no completed requests in the simulation");
	else if (isnan(c->analytic))
		snprintf(c->reason, sizeof c->reason,
			 "the approximation has a saturated station (no steady state)");
	else if (r->len)
		snprintf(c->reason, sizeof c->reason, "%s", r->text);
	else
		snprintf(c->reason, sizeof c->reason,
			 "no cause in the configuration explains it: worth a look");
}

void rpt_crosscheck_fill(const struct model_config *cfg, const struct model_analytic *a,
			 struct rpt_summary *s)
{
	struct rpt_crosscheck *x = &s->analytic;
	memset(x, 0, sizeof *x);
	if (!a)
		return;
	x->present = true;
	x->rate_per_s = a->rate_per_s;
	x->stable = a->stable;
	x->bottleneck = a->bottleneck;
	x->saturation_rps = a->saturation_rate_per_s;

	struct reasons lat = {{0}, 0};
	latency_reasons(&lat, cfg, s, a);
	x->latency_mean_ms = compare(a->stable ? a->latency_mean_s * 1e3 : NAN,
				     s->all.latency_ms.mean.mean, 0);
	explain(&x->latency_mean_ms, &lat);
	for (size_t k = 0; k < s->nclasses; k++) {
		struct rpt_compare *c = &x->class_latency_mean_ms[k];
		*c = compare(a->stable ? a->class_latency_mean_s[k] * 1e3 : NAN,
			     s->classes[k].latency_ms.mean.mean, 0);
		explain(c, &lat);
	}
	for (int t = 0; t < TIER_COUNT; t++) {
		struct reasons util = {{0}, 0};
		utilization_reasons(&util, cfg, s, t);
		struct rpt_compare *c = &x->tier_utilization[t];
		*c = compare(a->tier_utilization[t], s->tiers[t].utilization.mean,
			     RPT_CROSSCHECK_UTIL_FLOOR);
		explain(c, &util);
	}
}
