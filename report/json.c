/* The JSON summary (jansson): one object, keys in a fixed order.
 *
 * Keys are inserted in the order docs/report.md lists them and dumped with
 * JSON_PRESERVE_ORDER, so two runs with the same numbers give the same bytes.
 * Reals go through json_real and are dumped with 10 significant digits
 * (JSON_REAL_PRECISION(10)); NAN and infinities become null, since JSON has no
 * such numbers.  Counts are integers.  Every cause of error is listed, zeros
 * included, so the set of keys does not depend on what happened.
 *
 * A failure anywhere (out of memory, a name that is not UTF-8) marks the
 * build as failed (struct jb) instead of checking each of the hundred
 * insertions; the dump is not attempted then. */
#include "output.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include <jansson.h>

struct jb {
	bool ok;
	bool bad_text;  /* a name that is not UTF-8: EILSEQ rather than ENOMEM */
};

static json_t *str(struct jb *b, const char *s)
{
	json_t *v = json_string(s);
	if (!v)
		b->bad_text = true;
	return v;
}

static json_t *num(double x) { return isfinite(x) ? json_real(x) : json_null(); }

static json_t *count(uint64_t x) { return json_integer((json_int_t)x); }

static json_t *str_or_null(struct jb *b, const char *s)
{
	return s && *s ? str(b, s) : json_null();
}

static void set(struct jb *b, json_t *obj, const char *key, json_t *value)
{
	if (!obj || json_object_set_new(obj, key, value) != 0)
		b->ok = false;
}

static void push(struct jb *b, json_t *arr, json_t *value)
{
	if (!arr || json_array_append_new(arr, value) != 0)
		b->ok = false;
}

/* [lo, hi], or null when there is no interval. */
static json_t *ci95(struct jb *b, const struct rpt_stat *st)
{
	if (!isfinite(st->lo) || !isfinite(st->hi))
		return json_null();
	json_t *a = json_array();
	push(b, a, json_real(st->lo));
	push(b, a, json_real(st->hi));
	return a;
}

static json_t *latency(struct jb *b, const struct rpt_latency *l)
{
	json_t *o = json_object(), *ci = json_object();
	set(b, o, "mean", num(l->mean.mean));
	set(b, o, "p50", num(l->p50.mean));
	set(b, o, "p90", num(l->p90.mean));
	set(b, o, "p99", num(l->p99.mean));
	set(b, o, "p999", num(l->p999.mean));
	set(b, o, "max", num(l->max_ms));
	set(b, ci, "mean", ci95(b, &l->mean));
	set(b, ci, "p50", ci95(b, &l->p50));
	set(b, ci, "p90", ci95(b, &l->p90));
	set(b, ci, "p99", ci95(b, &l->p99));
	set(b, ci, "p999", ci95(b, &l->p999));
	set(b, o, "ci95", ci);
	return o;
}

static json_t *requests(struct jb *b, const struct rpt_traffic *t)
{
	json_t *o = json_object();
	set(b, o, "offered", count(t->offered));
	set(b, o, "completed", count(t->completed));
	set(b, o, "failed", count(t->failed));
	set(b, o, "unfinished", count(t->unfinished));
	return o;
}

static void put_run(struct jb *b, json_t *root, const struct rpt_summary *s)
{
	set(b, root, "scenario", str(b, s->scenario));
	set(b, root, "tiersim_version", str(b, s->version));
	set(b, root, "scenario_sha256", str_or_null(b, s->scenario_sha256));
	set(b, root, "seed", count(s->seed));
	set(b, root, "replications", count(s->replications));
	set(b, root, "duration_s", num(s->duration_s));
	set(b, root, "warmup_s", num(s->warmup_s));
	set(b, root, "measured_s", num(s->measured_s));
	if (s->partial) {
		/* Only on a stopped run, so complete reports stay as they were;
		 * the simulated span is measured_s. */
		set(b, root, "partial", json_true());
		set(b, root, "partial_reason", str(b, s->partial_reason));
	}
	char warning[RPT_REASON_MAX];
	if (rpt_memory_warning(s, warning, sizeof warning)) {
		/* Only when the memory budget dropped requests (models/limits.h). */
		set(b, root, "dropped_memory_limit", count(s->dropped_memory_limit));
		set(b, root, "max_memory_bytes", count((uint64_t)s->max_memory_bytes));
		set(b, root, "max_live_requests", count(s->max_live_requests));
		json_t *w = json_array();
		push(b, w, str(b, warning));
		set(b, root, "warnings", w);
	}
	json_t *p = json_object();
	set(b, p, "target", s->precision > 0 ? num(s->precision) : json_null());
	set(b, p, "reached", json_boolean(s->precision_reached));
	set(b, root, "precision", p);
}

static void put_traffic(struct jb *b, json_t *root, const struct rpt_summary *s)
{
	json_t *req = requests(b, &s->all);
	set(b, req, "attempts", count(s->attempts));
	set(b, root, "requests", req);
	set(b, root, "offered_rps", num(s->offered_rps.mean));
	set(b, root, "throughput_rps", num(s->all.throughput_rps.mean));
	set(b, root, "throughput_rps_ci95", ci95(b, &s->all.throughput_rps));
	set(b, root, "availability", num(s->all.availability.mean));
	set(b, root, "availability_ci95", ci95(b, &s->all.availability));
	set(b, root, "time_availability", num(s->time_availability.mean));
	set(b, root, "time_availability_ci95", ci95(b, &s->time_availability));
	set(b, root, "time_availability_target", num(s->window_target));
	set(b, root, "downtime_s", num(s->downtime_s.mean));
	set(b, root, "downtime_s_ci95", ci95(b, &s->downtime_s));
	set(b, root, "nines", num(s->nines));
	set(b, root, "latency_ms", latency(b, &s->all.latency_ms));

	json_t *classes = json_object();
	for (size_t k = 0; k < s->nclasses; k++) {
		const struct rpt_traffic *t = &s->classes[k];
		json_t *c = json_object();
		set(b, c, "requests", requests(b, t));
		set(b, c, "throughput_rps", num(t->throughput_rps.mean));
		set(b, c, "availability", num(t->availability.mean));
		set(b, c, "availability_ci95", ci95(b, &t->availability));
		set(b, c, "latency_ms", latency(b, &t->latency_ms));
		set(b, classes, t->name, c);
	}
	set(b, root, "classes", classes);

	json_t *errors = json_object(), *attempt_errors = json_object();
	for (int e = 0; e < ERR_COUNT; e++) {
		if (!model_error_listed((enum model_error)e, (double)s->dropped_memory_limit))
			continue;
		set(b, errors, model_error_name((enum model_error)e), count(s->errors[e]));
		set(b, attempt_errors, model_error_name((enum model_error)e),
		    count(s->attempt_errors[e]));
	}
	set(b, root, "errors", errors);
	set(b, root, "attempt_errors", attempt_errors);
}

static void put_resources(struct jb *b, json_t *root, const struct rpt_summary *s)
{
	json_t *tiers = json_object();
	for (int t = 0; t < TIER_COUNT; t++) {
		const struct rpt_tier *tier = &s->tiers[t];
		json_t *o = json_object();
		set(b, o, "nodes", json_integer(tier->nodes));
		set(b, o, "utilization", num(tier->utilization.mean));
		set(b, o, "utilization_ci95", ci95(b, &tier->utilization));
		set(b, o, "queue_mean", num(tier->queue_mean.mean));
		set(b, o, "max_node_utilization", num(tier->max_node_utilization));
		set(b, tiers, model_tier_name((enum model_tier)t), o);
	}
	set(b, root, "tiers", tiers);

	json_t *nodes = json_array();
	for (size_t i = 0; i < s->nnodes; i++) {
		const struct rpt_node *n = &s->nodes[i];
		json_t *o = json_object();
		set(b, o, "name", str(b, n->name));
		set(b, o, "tier", str(b, model_tier_name(n->tier)));
		set(b, o, "role", str(b, n->role));
		set(b, o, "utilization", num(n->utilization.mean));
		set(b, o, "utilization_ci95", ci95(b, &n->utilization));
		set(b, o, "queue_mean", num(n->queue_mean.mean));
		set(b, o, "down_s", num(n->down_s));
		set(b, o, "served", num(n->served));
		push(b, nodes, o);
	}
	set(b, root, "nodes", nodes);

	json_t *bn = json_object();
	set(b, bn, "tier", str(b, model_tier_name(s->bottleneck)));
	set(b, bn, "utilization", num(s->bottleneck_utilization));
	set(b, bn, "saturation_rps", num(s->saturation_rps));
	set(b, root, "bottleneck", bn);
}

static json_t *comparison(struct jb *b, const char *key, const struct rpt_compare *c)
{
	json_t *o = json_object();
	set(b, o, key, num(c->analytic));
	set(b, o, "simulated", num(c->simulated));
	set(b, o, "differs", json_boolean(c->differs));
	set(b, o, "reason", str_or_null(b, c->reason));
	return o;
}

static void put_analytic(struct jb *b, json_t *root, const struct rpt_summary *s)
{
	const struct rpt_crosscheck *x = &s->analytic;
	if (!x->present) {
		set(b, root, "analytic", json_null());
		return;
	}
	json_t *a = json_object();
	set(b, a, "rate_per_s", num(x->rate_per_s));
	set(b, a, "stable", json_boolean(x->stable));
	set(b, a, "bottleneck", str(b, model_tier_name(x->bottleneck)));
	set(b, a, "saturation_rps", num(x->saturation_rps));
	set(b, a, "latency_ms", comparison(b, "mean", &x->latency_mean_ms));
	json_t *classes = json_object();
	for (size_t k = 0; k < s->nclasses; k++) {
		json_t *c = json_object();
		set(b, c, "latency_ms", comparison(b, "mean", &x->class_latency_mean_ms[k]));
		set(b, classes, s->classes[k].name, c);
	}
	set(b, a, "classes", classes);
	json_t *tiers = json_object();
	for (int t = 0; t < TIER_COUNT; t++)
		set(b, tiers, model_tier_name((enum model_tier)t),
		    comparison(b, "utilization", &x->tier_utilization[t]));
	set(b, a, "tiers", tiers);
	set(b, root, "analytic", a);
}

static void put_slo(struct jb *b, json_t *root, const struct rpt_summary *s)
{
	json_t *slo = json_object(), *checks = json_array();
	set(b, slo, "met", json_boolean(s->slo_met));
	for (size_t i = 0; i < s->nslo; i++) {
		const struct rpt_slo_result *r = &s->slo[i];
		json_t *c = json_object();
		set(b, c, "metric", str(b, r->metric));
		set(b, c, "op", str(b, r->op == SLO_AT_MOST ? "<=" : ">="));
		set(b, c, "target", num(r->target));
		set(b, c, "value", num(r->value));
		set(b, c, "unit", str(b, r->unit));
		set(b, c, "met", json_boolean(r->met));
		set(b, c, "source", str(b, r->extra ? "command_line" : "scenario"));
		push(b, checks, c);
	}
	set(b, slo, "checks", checks);
	set(b, root, "slo", slo);
}

static void put_incidents(struct jb *b, json_t *root, const struct rpt_summary *s)
{
	json_t *list = json_array();
	for (size_t i = 0; i < s->nincidents; i++) {
		const struct rpt_incident *x = &s->incidents[i];
		json_t *o = json_object();
		set(b, o, "node", str(b, x->node));
		set(b, o, "kind", str(b, x->kind));
		set(b, o, "at_s", num(x->at_s));
		set(b, o, "detected_s", num(x->detected_s));
		set(b, o, "recovered_s", num(x->recovered_s));
		set(b, o, "restored_s", num(x->restored_s));
		set(b, o, "failed_requests", num(x->failed_requests));
		push(b, list, o);
	}
	set(b, root, "incidents", list);
}

/* Only when something scaled: other scenarios' JSON stays as it was. */
static void put_scaling(struct jb *b, json_t *root, const struct rpt_summary *s)
{
	if (!s->nscale_actions)
		return;
	json_t *list = json_array();
	for (size_t i = 0; i < s->nscale_actions; i++) {
		const struct model_scale_action *x = &s->scale_actions[i];
		json_t *o = json_object();
		set(b, o, "at_s", num(x->at_s));
		set(b, o, "tier", str(b, model_tier_names[x->tier]));
		set(b, o, "from", count((uint64_t)x->from));
		set(b, o, "to", count((uint64_t)x->to));
		set(b, o, "reason", str(b, x->autoscale ? "autoscale" : "scheduled"));
		if (x->autoscale) {
			set(b, o, "utilization", num(x->utilization));
			set(b, o, "target", num(x->target));
		}
		push(b, list, o);
	}
	set(b, root, "scaling", list);
}

static bool is_replica(const struct rpt_node *n)
{
	return n->tier == TIER_DB && strcmp(n->role, "primary") != 0;
}

static void put_db(struct jb *b, json_t *root, const struct rpt_summary *s)
{
	const struct rpt_db *d = &s->db;
	json_t *db = json_object();
	json_t *lag = json_object();
	set(b, lag, "mean", num(d->lag_mean_s.mean));
	set(b, lag, "p99", num(d->lag_p99_s.mean));
	set(b, lag, "max", num(d->lag_max_s));
	set(b, db, "lag_s", lag);
	json_t *apply = json_object();
	set(b, apply, "mean", num(d->apply_delay_mean_ms.mean));
	set(b, apply, "p99", num(d->apply_delay_p99_ms.mean));
	set(b, db, "apply_delay_ms", apply);
	json_t *nodes = json_object();
	for (size_t i = 0; i < s->nnodes; i++) {
		const struct rpt_node *n = &s->nodes[i];
		if (!is_replica(n))
			continue;
		json_t *o = json_object();
		set(b, o, "lag_mean_s", num(n->lag_mean_s));
		set(b, o, "lag_max_s", num(n->lag_max_s));
		set(b, o, "shunned_s", num(n->shunned_s));
		set(b, nodes, n->name, o);
	}
	set(b, db, "nodes", nodes);
	set(b, db, "writes", count(d->writes));
	set(b, db, "reads", count(d->reads));
	set(b, db, "stale_reads", count(d->stale_reads));
	set(b, db, "stale_read_ratio", num(d->stale_read_ratio.mean));
	json_t *staleness = json_object();
	set(b, staleness, "p50", num(d->staleness_p50_ms.mean));
	set(b, staleness, "p99", num(d->staleness_p99_ms.mean));
	set(b, db, "staleness_ms", staleness);
	set(b, db, "lost_writes", count(d->lost_writes));
	set(b, root, "db", db);
}

int rpt_write_json(const struct rpt_summary *s, FILE *out)
{
	struct jb b = {.ok = true};
	json_t *root = json_object();
	if (!root)
		return ENOMEM;
	put_run(&b, root, s);
	put_traffic(&b, root, s);
	put_resources(&b, root, s);
	put_analytic(&b, root, s);
	put_incidents(&b, root, s);
	put_scaling(&b, root, s);
	put_db(&b, root, s);
	put_slo(&b, root, s);
	int rc = 0;
	if (!b.ok)
		rc = b.bad_text ? EILSEQ : ENOMEM;
	else if (json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
					       JSON_REAL_PRECISION(10)) != 0 ||
		 fputc('\n', out) == EOF || ferror(out))
		rc = EIO;
	json_decref(root);
	return rc;
}

int rpt_json_writer(const void *summary, FILE *out) { return rpt_write_json(summary, out); }
