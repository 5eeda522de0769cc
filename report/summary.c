/* Replications into a summary: totals, means and Student-t 95% CIs.
 * See summary.h for the aggregation rules; the analytic cross-check is in
 * crosscheck.c.
 *
 * Every per-replication statistic goes through one scratch array and
 * stat_of(), which drops undefined (NAN) values before sim_ci_of, so a
 * replication without completions cannot turn a mean into NAN and an
 * interval exists only when two or more replications define the value. */
#include "summary.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crosscheck.h"
#include "digest.h"
#include "sim/ci.h"

#ifndef TIERSIM_VERSION
#define TIERSIM_VERSION "unknown"
#endif

/* The statistic of x[0..n-1] (NANs dropped; x is reordered).  The interval
 * is clipped to [min, max], the values the quantity can take: a t interval
 * of an availability near 1 can reach past 1, which no reader should see. */
static struct rpt_stat stat_of(double *x, size_t n, double min, double max)
{
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (!isnan(x[i]))
			x[m++] = x[i];
	struct sim_ci ci = sim_ci_of(x, m, RPT_CI_LEVEL);
	struct rpt_stat s = {.mean = ci.mean, .half_width = NAN, .lo = NAN, .hi = NAN, .n = m};
	if (m >= 2) {
		s.half_width = ci.half_width;
		s.lo = ci.lo < min ? min : ci.lo;
		s.hi = ci.hi > max ? max : ci.hi;
	}
	return s;
}

static double ratio(double num, double den) { return den > 0 ? num / den : NAN; }

static double quantile_ms(const struct sim_histogram *h, double q)
{
	return h->count ? sim_histogram_quantile(h, q) / 1e6 : NAN;
}

/* 0.001, 0.005, then 0.01 to 0.95 by 0.01, 0.951 to 0.999 by 0.001 (the
 * tail, where distributions of latency bend), 0.9995, 0.9999.  Levels are
 * k / 100 or k / 1000, correctly rounded like the literals 0.99 and 0.999 of
 * the percentiles, so those points are the very same quantiles. */
double rpt_cdf_level(size_t i)
{
	static const double low[] = {0.001, 0.005};
	static const double high[] = {0.9995, 0.9999};
	if (i < 2)
		return low[i];
	if (i < 97)
		return (double)(i - 1) / 100.0;
	if (i < 146)
		return (double)(i - 96 + 950) / 1000.0;
	return high[i - 146 < 2 ? i - 146 : 1];
}

/* The all-requests or one class view of a replication. */
struct traffic_view {
	uint64_t offered, completed, failed, unfinished;
	const struct sim_tally *latency_s;
	const struct sim_histogram *latency;
};

static struct traffic_view view_of(const struct model_results *r, int k)
{
	if (k < 0)
		return (struct traffic_view){r->offered, r->completed, r->failed, r->unfinished,
					     &r->latency_s, &r->latency};
	const struct model_class_result *c = &r->classes[k];
	uint64_t ended = c->completed + c->failed;
	return (struct traffic_view){c->offered, c->completed, c->failed,
				     c->offered > ended ? c->offered - ended : 0, &c->latency_s,
				     &c->latency};
}

static void fill_traffic(struct rpt_traffic *t, const struct model_results *reps, size_t n, int k,
			 double *x)
{
	static const double q[] = {0.50, 0.90, 0.99, 0.999};
	struct rpt_stat *qs[] = {&t->latency_ms.p50, &t->latency_ms.p90, &t->latency_ms.p99,
				 &t->latency_ms.p999};

	t->latency_ms.max_ms = NAN;
	for (size_t r = 0; r < n; r++) {
		struct traffic_view v = view_of(&reps[r], k);
		t->offered += v.offered;
		t->completed += v.completed;
		t->failed += v.failed;
		t->unfinished += v.unfinished;
		if (v.latency_s->n && !(v.latency_s->max * 1e3 <= t->latency_ms.max_ms))
			t->latency_ms.max_ms = v.latency_s->max * 1e3;
	}
	for (size_t r = 0; r < n; r++)
		x[r] = ratio((double)view_of(&reps[r], k).completed, reps[r].measured_s);
	t->throughput_rps = stat_of(x, n, 0, INFINITY);
	for (size_t r = 0; r < n; r++) {
		struct traffic_view v = view_of(&reps[r], k);
		x[r] = ratio((double)v.completed, (double)v.offered);
	}
	t->availability = stat_of(x, n, 0, 1);
	for (size_t r = 0; r < n; r++) {
		const struct sim_tally *l = view_of(&reps[r], k).latency_s;
		x[r] = l->n ? l->mean * 1e3 : NAN;
	}
	t->latency_ms.mean = stat_of(x, n, 0, INFINITY);
	for (size_t i = 0; i < sizeof q / sizeof q[0]; i++) {
		for (size_t r = 0; r < n; r++)
			x[r] = quantile_ms(view_of(&reps[r], k).latency, q[i]);
		*qs[i] = stat_of(x, n, 0, INFINITY);
	}
	for (size_t i = 0; i < RPT_CDF_POINTS; i++) {
		for (size_t r = 0; r < n; r++)
			x[r] = quantile_ms(view_of(&reps[r], k).latency, rpt_cdf_level(i));
		t->latency_ms.cdf_ms[i] = stat_of(x, n, 0, INFINITY).mean;
	}
}

static void fill_resources(struct rpt_summary *s, const struct model_results *reps, size_t n,
			   double *x)
{
	for (size_t i = 0; i < s->nnodes; i++) {
		struct rpt_node *d = &s->nodes[i];
		const struct model_node_result *first = &reps[0].nodes[i];
		snprintf(d->name, sizeof d->name, "%s", first->name);
		snprintf(d->role, sizeof d->role, "%s", first->role);
		d->tier = first->tier;
		for (size_t r = 1; r < n; r++)
			if (strcmp(reps[r].nodes[i].role, first->role) != 0)
				snprintf(d->role, sizeof d->role, "varies");
		for (size_t r = 0; r < n; r++)
			x[r] = reps[r].nodes[i].utilization;
		d->utilization = stat_of(x, n, 0, 1);
		for (size_t r = 0; r < n; r++)
			x[r] = reps[r].nodes[i].queue_mean;
		d->queue_mean = stat_of(x, n, 0, INFINITY);
		double down = 0, served = 0, lag = 0, lag_max = 0, shunned = 0;
		for (size_t r = 0; r < n; r++) {
			const struct model_node_result *nr = &reps[r].nodes[i];
			down += nr->down_s;
			served += (double)nr->served;
			lag += nr->lag_mean_s;
			lag_max += nr->lag_max_s;
			shunned += nr->shunned_s;
		}
		d->down_s = down / (double)n;
		d->served = served / (double)n;
		d->lag_mean_s = lag / (double)n;
		d->lag_max_s = lag_max / (double)n;
		d->shunned_s = shunned / (double)n;
		if (d->tier < TIER_COUNT) {
			struct rpt_tier *t = &s->tiers[d->tier];
			t->nodes++;
			if (!(d->utilization.mean <= t->max_node_utilization))
				t->max_node_utilization = d->utilization.mean;
		}
	}
	for (int t = 0; t < TIER_COUNT; t++) {
		for (size_t r = 0; r < n; r++)
			x[r] = reps[r].tier_utilization[t];
		s->tiers[t].utilization = stat_of(x, n, 0, 1);
		for (size_t r = 0; r < n; r++)
			x[r] = reps[r].tier_queue_mean[t];
		s->tiers[t].queue_mean = stat_of(x, n, 0, INFINITY);
	}

	/* Utilization law: U = lambda D, so the busiest node reaches 1 at lambda / U. */
	s->bottleneck = TIER_LB;
	s->bottleneck_utilization = 0;
	for (int t = 0; t < TIER_COUNT; t++)
		if (s->tiers[t].nodes && s->tiers[t].max_node_utilization > s->bottleneck_utilization) {
			s->bottleneck = (enum model_tier)t;
			s->bottleneck_utilization = s->tiers[t].max_node_utilization;
		}
	s->saturation_rps = s->bottleneck_utilization > 0 && !isnan(s->offered_rps.mean)
				    ? s->offered_rps.mean / s->bottleneck_utilization
				    : INFINITY;
}

/* Mean over the replications that define x (NAN when none does). */
struct mean_acc {
	double sum;
	size_t n;
};

static void acc_add(struct mean_acc *a, double x)
{
	if (!isnan(x)) {
		a->sum += x;
		a->n++;
	}
}

static double acc_mean(const struct mean_acc *a) { return a->n ? a->sum / (double)a->n : NAN; }

static void fill_window(struct rpt_summary *s, size_t w, const struct model_results *reps, size_t n,
			int64_t window_ns, int64_t duration_ns)
{
	struct rpt_window *d = &s->windows[w];
	int64_t start_ns = (int64_t)w * window_ns;
	int64_t span_ns = window_ns;
	if (duration_ns > start_ns && duration_ns - start_ns < span_ns)
		span_ns = duration_ns - start_ns;
	d->time_s = (double)start_ns / 1e9;
	d->span_s = (double)span_ns / 1e9;

	struct mean_acc offered = {0}, completed = {0}, failed = {0}, p50 = {0}, p90 = {0},
			p99 = {0};
	struct mean_acc cp50[WL_MAX_CLASSES] = {{0}}, cp90[WL_MAX_CLASSES] = {{0}},
			cp99[WL_MAX_CLASSES] = {{0}};
	struct mean_acc errors[ERR_COUNT] = {{0}};
	size_t have = 0;
	for (size_t r = 0; r < n; r++) {
		if (w >= reps[r].nwindows)
			continue;
		const struct model_window *mw = &reps[r].windows[w];
		have++;
		acc_add(&offered, (double)mw->offered);
		acc_add(&completed, (double)mw->completed);
		acc_add(&failed, (double)mw->failed);
		for (int e = 0; e < ERR_COUNT; e++)
			acc_add(&errors[e], (double)mw->errors[e]);
		acc_add(&p50, mw->p50_s * 1e3);
		acc_add(&p90, mw->p90_s * 1e3);
		acc_add(&p99, mw->p99_s * 1e3);
		for (size_t k = 0; k < s->nclasses; k++) {
			acc_add(&cp50[k], mw->class_p50_s[k] * 1e3);
			acc_add(&cp90[k], mw->class_p90_s[k] * 1e3);
			acc_add(&cp99[k], mw->class_p99_s[k] * 1e3);
		}
		for (size_t i = 0; i < s->nnodes; i++) {
			d->node_utilization[i] += mw->node_utilization ? mw->node_utilization[i] : 0;
			d->node_queue[i] += mw->node_queue ? mw->node_queue[i] : 0;
			d->node_lag[i] += mw->node_lag ? mw->node_lag[i] : 0;
		}
		for (int t = 0; t < TIER_COUNT; t++)
			d->tier_nodes[t] += mw->tier_nodes[t];
	}
	d->offered = acc_mean(&offered);
	d->completed = acc_mean(&completed);
	d->failed = acc_mean(&failed);
	for (int e = 0; e < ERR_COUNT; e++)
		d->errors[e] = acc_mean(&errors[e]);
	d->throughput_rps = ratio(d->completed, d->span_s);
	d->p50_ms = acc_mean(&p50);
	d->p90_ms = acc_mean(&p90);
	d->p99_ms = acc_mean(&p99);
	for (size_t k = 0; k < WL_MAX_CLASSES; k++) {
		d->class_p50_ms[k] = k < s->nclasses ? acc_mean(&cp50[k]) : NAN;
		d->class_p90_ms[k] = k < s->nclasses ? acc_mean(&cp90[k]) : NAN;
		d->class_p99_ms[k] = k < s->nclasses ? acc_mean(&cp99[k]) : NAN;
	}
	for (size_t i = 0; i < s->nnodes; i++) {
		d->node_utilization[i] = have ? d->node_utilization[i] / (double)have : NAN;
		d->node_queue[i] = have ? d->node_queue[i] / (double)have : NAN;
		d->node_lag[i] = have ? d->node_lag[i] / (double)have : NAN;
	}
	for (int t = 0; t < TIER_COUNT; t++)
		d->tier_nodes[t] = have ? d->tier_nodes[t] / (double)have : NAN;
}

static int fill_windows(struct rpt_summary *s, const struct model_config *cfg,
			const struct model_results *reps, size_t n)
{
	size_t nw = 0;
	int64_t window_ns = 0;
	for (size_t r = 0; r < n; r++) {
		if (!reps[r].nwindows)
			continue;
		if (window_ns && reps[r].window_ns != window_ns)
			return EINVAL;
		window_ns = reps[r].window_ns;
		if (!reps[r].windows)
			return EINVAL;
		if (reps[r].nwindows > nw)
			nw = reps[r].nwindows;
	}
	if (!nw || window_ns <= 0)
		return 0;
	s->windows = calloc(nw, sizeof *s->windows);
	s->window_store = calloc(nw * s->nnodes * 3 + 1, sizeof *s->window_store);
	if (!s->windows || !s->window_store)
		return ENOMEM;
	s->nwindows = nw;
	for (size_t w = 0; w < nw; w++) {
		s->windows[w].node_utilization = s->window_store + w * s->nnodes * 3;
		s->windows[w].node_queue = s->windows[w].node_utilization + s->nnodes;
		s->windows[w].node_lag = s->windows[w].node_queue + s->nnodes;
		fill_window(s, w, reps, n, window_ns, cfg->duration_ns);
	}
	return 0;
}

const char *rpt_slo_metric_unit(enum slo_metric m)
{
	switch (m) {
	case SLO_AVAILABILITY: return "";
	case SLO_THROUGHPUT: return "rps";
	default: return "ms";
	}
}

struct rpt_slo_result rpt_slo_evaluate(const struct rpt_summary *s, const struct slo_check *c)
{
	struct rpt_slo_result v = {.unit = rpt_slo_metric_unit(c->metric), .op = c->op,
				   .target = c->target, .value = NAN};
	snprintf(v.metric, sizeof v.metric, "%s", slo_metric_name(c->metric));
	const struct rpt_latency *l = &s->all.latency_ms;
	switch (c->metric) {
	case SLO_MEAN: v.value = l->mean.mean; break;
	case SLO_P50: v.value = l->p50.mean; break;
	case SLO_P90: v.value = l->p90.mean; break;
	case SLO_P99: v.value = l->p99.mean; break;
	case SLO_P999: v.value = l->p999.mean; break;
	case SLO_AVAILABILITY: v.value = s->all.availability.mean; break;
	case SLO_THROUGHPUT: v.value = s->all.throughput_rps.mean; break;
	}
	if (c->metric <= SLO_P999)
		v.target = c->target / 1e6; /* ns to ms */
	/* NAN compares false both ways: an undefined value never meets a target. */
	v.met = c->op == SLO_AT_MOST ? v.value <= v.target : v.value >= v.target;
	return v;
}

/* Mean of the replications' values that are defined (NAN when none is). */
static double defined_mean(double sum, size_t n) { return n ? sum / (double)n : NAN; }

static void fill_incidents(struct rpt_summary *s, const struct model_results *reps, size_t n)
{
	s->nincidents = reps[0].nincidents;
	for (size_t i = 0; i < s->nincidents; i++) {
		const struct model_incident *first = &reps[0].incidents[i];
		struct rpt_incident *inc = &s->incidents[i];
		snprintf(inc->node, sizeof inc->node, "%s", first->node);
		inc->kind = failure_kind_name(first->kind);
		inc->at_s = first->at_s;
		double det = 0, rec = 0, res = 0, failed = 0;
		size_t ndet = 0, nrec = 0, nres = 0, nall = 0;
		for (size_t r = 0; r < n; r++) {
			if (i >= reps[r].nincidents || strcmp(reps[r].incidents[i].node, inc->node))
				continue; /* a replication whose failures differ (random ones) */
			const struct model_incident *x = &reps[r].incidents[i];
			nall++;
			failed += (double)x->failed_requests;
			if (!isnan(x->detected_s))
				det += x->detected_s, ndet++;
			if (!isnan(x->recovered_s))
				rec += x->recovered_s, nrec++;
			if (!isnan(x->restored_s))
				res += x->restored_s, nres++;
		}
		inc->detected_s = defined_mean(det, ndet);
		inc->recovered_s = defined_mean(rec, nrec);
		inc->restored_s = defined_mean(res, nres);
		inc->failed_requests = defined_mean(failed, nall);
	}
}

/* The success ratio a window must reach: the strictest availability check
 * of the scenario and the command line, else RPT_DEFAULT_WINDOW_TARGET. */
static double window_target(const struct model_config *cfg, const struct rpt_run_info *info)
{
	double target = NAN;
	for (size_t i = 0; i < cfg->nslo; i++)
		if (cfg->slo[i].metric == SLO_AVAILABILITY && !(cfg->slo[i].target <= target))
			target = cfg->slo[i].target;
	for (size_t i = 0; info && i < info->nextra_slo; i++)
		if (info->extra_slo[i].metric == SLO_AVAILABILITY && !(info->extra_slo[i].target <= target))
			target = info->extra_slo[i].target;
	return isnan(target) ? RPT_DEFAULT_WINDOW_TARGET : target;
}

/* Time-based availability of each replication over its measured windows
 * (those starting at or after the warm-up; the last may be shorter).  A
 * window's success ratio is that of the requests first sent in it, however
 * late they ended; a window where no request ended failed no one and
 * counts as available. */
static void fill_time_availability(struct rpt_summary *s, const struct model_config *cfg,
				   const struct model_results *reps, size_t n,
				   const struct rpt_run_info *info, double *x, double *y)
{
	double duration_s = (double)cfg->duration_ns / 1e9;
	double windows = 0;
	s->window_target = window_target(cfg, info);
	for (size_t r = 0; r < n; r++) {
		double window_s = (double)reps[r].window_ns / 1e9;
		double from_s = duration_s - reps[r].measured_s;
		double total = 0, down = 0;
		for (size_t w = 0; window_s > 0 && w < reps[r].nwindows; w++) {
			double start = (double)w * window_s;
			double end = fmin(start + window_s, duration_s);
			if (start < from_s - 1e-9 || end <= start)
				continue;
			const struct model_window *mw = &reps[r].windows[w];
			uint64_t ended = mw->sent_completed + mw->sent_failed;
			double ok = ended ? (double)mw->sent_completed / (double)ended : 1.0;
			total += end - start;
			windows++;
			if (ok < s->window_target)
				down += end - start;
		}
		x[r] = total > 0 ? 1.0 - down / total : NAN;
		y[r] = total > 0 ? down : NAN;
	}
	s->time_availability = stat_of(x, n, 0, 1);
	s->downtime_s = stat_of(y, n, 0, INFINITY);
	double a = s->time_availability.mean;
	if (isnan(a) || windows < 1)
		s->nines = NAN;
	else
		s->nines = -log10(fmax(1.0 - a, 1.0 / windows));
}

/* Replication: per-replication statistics, then their means and CIs. */
static void fill_db(struct rpt_db *db, const struct model_results *reps, size_t n, double *x)
{
	db->lag_max_s = 0;
	for (size_t r = 0; r < n; r++) {
		const struct model_db_result *m = &reps[r].db;
		db->writes += m->writes;
		db->reads += m->reads;
		db->replica_reads += m->replica_reads;
		db->stale_reads += m->stale_reads;
		db->lost_writes += m->lost_writes;
		if (m->lag_max_s > db->lag_max_s)
			db->lag_max_s = m->lag_max_s;
	}
	for (size_t r = 0; r < n; r++)
		x[r] = reps[r].db.lag_mean_s;
	db->lag_mean_s = stat_of(x, n, 0, INFINITY);
	for (size_t r = 0; r < n; r++)
		x[r] = quantile_ms(&reps[r].db.lag, 0.99) / 1e3;
	db->lag_p99_s = stat_of(x, n, 0, INFINITY);
	for (size_t r = 0; r < n; r++) {
		const struct sim_tally *t = &reps[r].db.apply_delay_s;
		x[r] = t->n ? t->mean * 1e3 : NAN;
	}
	db->apply_delay_mean_ms = stat_of(x, n, 0, INFINITY);
	for (size_t r = 0; r < n; r++)
		x[r] = quantile_ms(&reps[r].db.apply_delay, 0.99);
	db->apply_delay_p99_ms = stat_of(x, n, 0, INFINITY);
	for (size_t r = 0; r < n; r++)
		x[r] = ratio((double)reps[r].db.stale_reads, (double)reps[r].db.reads);
	db->stale_read_ratio = stat_of(x, n, 0, 1);
	for (size_t r = 0; r < n; r++)
		x[r] = quantile_ms(&reps[r].db.staleness, 0.50);
	db->staleness_p50_ms = stat_of(x, n, 0, INFINITY);
	for (size_t r = 0; r < n; r++)
		x[r] = quantile_ms(&reps[r].db.staleness, 0.99);
	db->staleness_p99_ms = stat_of(x, n, 0, INFINITY);
}

static void fill_slo(struct rpt_summary *s, const struct model_config *cfg,
		     const struct rpt_run_info *info)
{
	s->slo_met = true;
	for (size_t i = 0; i < cfg->nslo; i++)
		s->slo[s->nslo++] = rpt_slo_evaluate(s, &cfg->slo[i]);
	for (size_t i = 0; info && i < info->nextra_slo; i++) {
		s->slo[s->nslo] = rpt_slo_evaluate(s, &info->extra_slo[i]);
		s->slo[s->nslo++].extra = true;
	}
	for (size_t i = 0; i < s->nslo; i++)
		s->slo_met = s->slo_met && s->slo[i].met;
}

static int check_shape(const struct model_config *cfg, const struct model_results *reps, size_t n,
		       const struct rpt_run_info *info)
{
	if (!cfg || !reps || n == 0)
		return EINVAL;
	if (cfg->nslo > SLO_MAX_CHECKS || (info && info->nextra_slo > RPT_MAX_EXTRA_SLO) ||
	    (info && info->nextra_slo && !info->extra_slo))
		return EINVAL;
	for (size_t r = 0; r < n; r++)
		if (reps[r].nnodes != reps[0].nnodes || reps[r].nclasses != reps[0].nclasses ||
		    reps[r].nnodes > MODEL_MAX_NODES || reps[r].nclasses > WL_MAX_CLASSES)
			return EINVAL;
	return 0;
}

static void fill_run(struct rpt_summary *s, const struct model_config *cfg,
		     const struct model_results *reps, size_t n, const struct rpt_run_info *info)
{
	const struct rpt_run_info none = {0};
	if (!info)
		info = &none;
	snprintf(s->scenario, sizeof s->scenario, "%s", info->scenario ? info->scenario : cfg->name);
	snprintf(s->version, sizeof s->version, "%s", info->version ? info->version : TIERSIM_VERSION);
	if (info->resolved_scenario)
		rpt_sha256_hex(info->resolved_scenario, info->resolved_len, s->scenario_sha256);
	s->seed = info->seed;
	s->replications = n;
	s->duration_s = info->duration_s;
	s->warmup_s = info->warmup_s;
	s->precision = info->precision;
	s->precision_reached = info->precision > 0 && info->precision_reached;
	if (info->partial) {
		s->partial = true;
		snprintf(s->partial_reason, sizeof s->partial_reason, "%s", info->partial);
	}
	s->base_rate_per_s = cfg->wl.rate_per_s;
	s->max_memory_bytes = reps[0].max_memory_bytes;
	s->max_live_requests = reps[0].max_live_requests;
	double measured = 0;
	for (size_t r = 0; r < n; r++) {
		measured += reps[r].measured_s;
		s->dropped_memory_limit += reps[r].dropped_memory_limit;
	}
	s->measured_s = measured / (double)n;
}

bool rpt_memory_warning(const struct rpt_summary *s, char *buf, size_t len)
{
	buf[0] = '\0';
	if (!s->dropped_memory_limit)
		return false;
	char budget[32];
	int64_t mib = (int64_t)1 << 20;
	if (s->max_memory_bytes % (mib << 10) == 0)
		snprintf(budget, sizeof budget, "%lld GiB", (long long)(s->max_memory_bytes / (mib << 10)));
	else if (s->max_memory_bytes % mib == 0)
		snprintf(budget, sizeof budget, "%lld MiB", (long long)(s->max_memory_bytes / mib));
	else
		snprintf(budget, sizeof budget, "%.2f MiB", (double)s->max_memory_bytes / (double)mib);
	snprintf(buf, len, "%llu request%s dropped: the memory budget of %s caps requests in "
			   "flight at %llu per replication; the system is far beyond capacity",
		 (unsigned long long)s->dropped_memory_limit, s->dropped_memory_limit == 1 ? "" : "s",
		 budget, (unsigned long long)s->max_live_requests);
	return true;
}

int rpt_summary_build(const struct model_config *cfg, const struct model_results *reps, size_t n,
		      const struct model_analytic *analytic, const struct rpt_run_info *info,
		      struct rpt_summary *out)
{
	memset(out, 0, sizeof *out);
	int rc = check_shape(cfg, reps, n, info);
	if (rc)
		return rc;
	double *x = calloc(n, sizeof *x);
	if (!x)
		return ENOMEM;

	fill_run(out, cfg, reps, n, info);
	snprintf(out->all.name, sizeof out->all.name, "all");
	fill_traffic(&out->all, reps, n, -1, x);
	out->nclasses = reps[0].nclasses;
	for (size_t k = 0; k < out->nclasses; k++) {
		struct rpt_traffic *t = &out->classes[k];
		if (k < cfg->wl.nclasses && cfg->wl.classes[k].name[0])
			snprintf(t->name, sizeof t->name, "%s", cfg->wl.classes[k].name);
		else
			snprintf(t->name, sizeof t->name, "class%zu", k + 1);
		fill_traffic(t, reps, n, (int)k, x);
	}
	for (size_t r = 0; r < n; r++) {
		out->attempts += reps[r].attempts;
		for (int e = 0; e < ERR_COUNT; e++) {
			out->errors[e] += reps[r].errors[e];
			out->attempt_errors[e] += reps[r].attempt_errors[e];
		}
		x[r] = ratio((double)reps[r].offered, reps[r].measured_s);
	}
	out->offered_rps = stat_of(x, n, 0, INFINITY);
	double *y = calloc(n, sizeof *y);
	if (!y) {
		free(x);
		return ENOMEM;
	}
	fill_time_availability(out, cfg, reps, n, info, x, y);
	free(y);
	out->nnodes = reps[0].nnodes;
	fill_resources(out, reps, n, x);
	fill_db(&out->db, reps, n, x);
	free(x);

	rpt_crosscheck_fill(cfg, analytic, out);
	fill_slo(out, cfg, info);
	fill_incidents(out, reps, n);
	out->nscale_actions = reps[0].nscale_actions;
	memcpy(out->scale_actions, reps[0].scale_actions, sizeof out->scale_actions);
	rc = fill_windows(out, cfg, reps, n);
	if (rc)
		rpt_summary_fini(out);
	return rc;
}

void rpt_summary_fini(struct rpt_summary *s)
{
	free(s->windows);
	free(s->window_store);
	s->windows = NULL;
	s->window_store = NULL;
	s->nwindows = 0;
}
