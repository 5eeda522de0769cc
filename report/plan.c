/* The planner's report as text and as plan.json; see plan.h.
 *
 * plan.json follows the house rules of the other JSON outputs: keys in a
 * fixed order (JSON_PRESERVE_ORDER), reals with 10 significant digits, NAN
 * and infinities as null, no wall-clock time, so a plan reruns to the same
 * bytes. */
#include "plan.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include <jansson.h>

#include "digest.h"

double rpt_plan_margin(const struct rpt_slo_result *r)
{
	if (!isfinite(r->value))
		return NAN;
	if (!strcmp(r->metric, "availability"))
		return 100 * (r->value - r->target);
	if (r->op == SLO_AT_MOST)
		return (r->target - r->value) / r->target;
	return (r->value - r->target) / r->target;
}

static const char *down_name(int down)
{
	return down < 0 ? "all up" : model_tier_name((enum model_tier)down);
}

/* The variant whose check i has the smallest margin. */
static const struct rpt_plan_variant *worst_variant(const struct rpt_plan_step *st, size_t i)
{
	const struct rpt_plan_variant *worst = NULL;
	double wm = INFINITY;
	for (size_t v = 0; v < st->nvariants; v++) {
		if (i >= st->variants[v].row.nslo)
			continue;
		double m = rpt_plan_margin(&st->variants[v].row.slo[i]);
		if (!worst || !(m >= wm)) {
			worst = &st->variants[v];
			wm = isnan(m) ? -INFINITY : m;
		}
	}
	return worst;
}

/* ---------------------------------------------------------------- text */

static void put_value(FILE *out, const struct rpt_slo_result *r, double x)
{
	if (!isfinite(x))
		fputs("-", out);
	else if (!strcmp(r->metric, "availability"))
		fprintf(out, "%.3f%%", 100 * x);
	else if (!strcmp(r->metric, "throughput"))
		fprintf(out, "%.1f/s", x);
	else
		fprintf(out, "%.1f ms", x);
}

static void put_margin(FILE *out, const struct rpt_slo_result *r)
{
	double m = rpt_plan_margin(r);
	if (!isfinite(m))
		fputs("-", out);
	else if (!strcmp(r->metric, "availability"))
		fprintf(out, "%+.3f pp", m);
	else
		fprintf(out, "%+.1f%%", 100 * m);
}

static void put_nodes(FILE *out, const int nodes[TIER_COUNT])
{
	fprintf(out, "web %d  app %d  db %d  (lb %d)", nodes[TIER_WEB], nodes[TIER_APP], nodes[TIER_DB],
		nodes[TIER_LB]);
}

static void put_step(FILE *out, const struct rpt_plan *p, size_t k)
{
	const struct rpt_plan_step *st = &p->steps[k];
	fprintf(out, "  %2zu  ", k + 1);
	if (p->mode == RPT_PLAN_MIN_COST) {
		put_nodes(out, st->nodes);
		fprintf(out, "  cost %g", st->cost);
	} else {
		fprintf(out, "%.1f/s", st->rate_per_s);
	}
	fprintf(out, ": %s: %s\n", st->reason,
		st->skipped ? "skipped" : st->meets ? "meets every SLO" : "MISSES");
	for (size_t v = 0; v < st->nvariants; v++) {
		const struct rpt_plan_variant *var = &st->variants[v];
		char label[16];
		snprintf(label, sizeof label, "%s%s", down_name(var->down), var->down < 0 ? "" : " -1");
		fprintf(out, "        %-8s", label);
		for (size_t i = 0; i < var->row.nslo; i++) {
			const struct rpt_slo_result *r = &var->row.slo[i];
			fprintf(out, "  %s ", r->metric);
			put_value(out, r, r->value);
			fputs(r->met ? "" : " (missed)", out);
		}
		fprintf(out, "  bottleneck %s %.2f\n", model_tier_name(var->row.bottleneck),
			var->row.utilization[var->row.bottleneck].mean);
	}
}

/* A search stopped by a Ctrl-C: the bounds it had, no answer. */
static void put_established(FILE *out, const struct rpt_plan *p)
{
	fprintf(out, "answer: unknown: %s before the search finished\n", p->partial);
	if (p->mode == RPT_PLAN_MIN_COST) {
		fprintf(out, "established: at least web %d, app %d, db %d nodes (utilization law%s)\n",
			p->lower[TIER_WEB], p->lower[TIER_APP], p->lower[TIER_DB],
			p->n_plus_one ? ", +1 for N+1" : "");
		if (p->met_so_far) {
			const struct rpt_plan_step *st = &p->steps[p->met_step];
			fputs("             meets every SLO: ", out);
			put_nodes(out, st->nodes);
			fprintf(out, "  cost %g (tried %zu): the cheapest answer costs at most %g\n",
				st->cost, p->met_step + 1, st->cost);
		} else {
			fputs("             no candidate tried met every SLO yet\n", out);
		}
		return;
	}
	if (p->met_so_far)
		fprintf(out, "established: %.1f/s is sustained (tried %zu); %.1f/s %s: the highest "
			     "load is between them\n",
			p->steps[p->met_step].rate_per_s, p->met_step + 1, p->missed_rps,
			p->missed_rps >= p->saturation_rps ? "saturates" : "misses an SLO");
	else
		fprintf(out, "established: no load tried was sustained yet; %.1f/s %s\n",
			p->missed_rps,
			p->missed_rps >= p->saturation_rps ? "saturates" : "misses an SLO");
}

int rpt_plan_text_writer(const void *vplan, FILE *out)
{
	const struct rpt_plan *p = vplan;
	fprintf(out, "tiersim %s  plan for %s", TIERSIM_VERSION, p->scenario);
	if (p->mode == RPT_PLAN_MIN_COST)
		fprintf(out, ": the cheapest node counts at %.1f/s", p->load_rps);
	else
		fprintf(out, ": the highest load within the SLOs");
	fprintf(out, "%s\n", p->n_plus_one ? ", with any single node down (N+1)" : "");
	fprintf(out, "seed %llu, %d replications of %.0f s (warm-up %.0f s) per simulation\n",
		(unsigned long long)p->seed, p->replications, p->duration_s, p->warmup_s);
	if (p->partial)
		fprintf(out, "PARTIAL: %s; the search did not finish: below is what it had "
			     "established\n", p->partial);
	fputs("SLOs:", out);
	for (size_t i = 0; i < p->nslo; i++) {
		struct rpt_slo_result r = {.op = p->slo[i].op};
		snprintf(r.metric, sizeof r.metric, "%s", slo_metric_name(p->slo[i].metric));
		double target = p->slo[i].target;
		if (p->slo[i].metric <= SLO_P999)
			target /= 1e6;
		fprintf(out, "%s %s %s ", i ? "," : "", r.metric, r.op == SLO_AT_MOST ? "<=" : ">=");
		put_value(out, &r, target);
	}
	fputc('\n', out);
	if (p->mode == RPT_PLAN_MIN_COST) {
		fprintf(out, "cost per node: web %g, app %g, db %g\n\n", p->cost[TIER_WEB],
			p->cost[TIER_APP], p->cost[TIER_DB]);
		fprintf(out, "bounds: utilization law%s: web >= %d, app >= %d, db >= %d\n",
			p->n_plus_one ? " (+1 for N+1)" : "", p->lower[TIER_WEB], p->lower[TIER_APP],
			p->lower[TIER_DB]);
		fprintf(out, "        M/M/c approximation %s: web %d, app %d, db %d\n",
			p->analytic_meets ? "proposes" : "meets no SLO set; got as far as",
			p->analytic[TIER_WEB], p->analytic[TIER_APP], p->analytic[TIER_DB]);
	} else {
		fputs("nodes: ", out);
		put_nodes(out, p->nodes);
		fprintf(out, "\n\nbounds: utilization law: saturates at %.1f/s\n", p->saturation_rps);
		fprintf(out, "        M/M/c approximation: meets the SLOs up to %.1f/s\n",
			p->analytic_rps);
	}
	fputs("\ntried (simulated; a candidate meets when every variant meets every SLO):\n", out);
	for (size_t k = 0; k < p->nsteps; k++)
		put_step(out, p, k);
	fputc('\n', out);
	if (p->partial) {
		put_established(out, p);
		return ferror(out) ? EIO : 0;
	}
	if (!p->found) {
		fprintf(out, "answer: none: %s\n", p->why_not);
		return ferror(out) ? EIO : 0;
	}
	const struct rpt_plan_step *ans = &p->steps[p->answer_step];
	if (p->mode == RPT_PLAN_MIN_COST) {
		fputs("answer: ", out);
		put_nodes(out, ans->nodes);
		fprintf(out, "  cost %g\n", ans->cost);
	} else {
		fprintf(out, "answer: %.1f/s sustained; %.1f/s %s (resolution %.1f/s, %.3g%%)\n",
			p->answer_rps, p->failed_rps,
			p->failed_rps >= p->saturation_rps ? "saturates" : "misses an SLO",
			p->failed_rps - p->answer_rps, 100 * p->resolution);
	}
	const struct rpt_point *all = &ans->variants[0].row;
	fprintf(out, "margins%s:\n", ans->nvariants > 1 ? " (worst variant)" : "");
	for (size_t i = 0; i < all->nslo; i++) {
		const struct rpt_plan_variant *w = worst_variant(ans, i);
		const struct rpt_slo_result *r = &w->row.slo[i];
		fprintf(out, "  %-12s %s ", r->metric, r->op == SLO_AT_MOST ? "<=" : ">=");
		put_value(out, r, r->target);
		fputs(":  ", out);
		put_value(out, r, r->value);
		fputs("  margin ", out);
		put_margin(out, r);
		if (ans->nvariants > 1)
			fprintf(out, "  (%s%s)", down_name(w->down), w->down < 0 ? "" : " one node down");
		fputc('\n', out);
	}
	fprintf(out, "bottleneck: %s (mean utilization %.2f with every node up)\n",
		model_tier_name(all->bottleneck), all->utilization[all->bottleneck].mean);
	return ferror(out) ? EIO : 0;
}

/* ---------------------------------------------------------------- JSON */

struct jb {
	bool ok;
};

static void set(struct jb *b, json_t *obj, const char *key, json_t *value)
{
	if (!obj || !value || json_object_set_new(obj, key, value) != 0)
		b->ok = false;
}

static void push(struct jb *b, json_t *arr, json_t *value)
{
	if (!arr || !value || json_array_append_new(arr, value) != 0)
		b->ok = false;
}

static json_t *num(double x) { return isfinite(x) ? json_real(x) : json_null(); }

static json_t *nodes_json(struct jb *b, const int nodes[TIER_COUNT])
{
	json_t *o = json_object();
	for (int t = 0; t < TIER_COUNT; t++)
		set(b, o, model_tier_name((enum model_tier)t), json_integer(nodes[t]));
	return o;
}

static json_t *sized_json(struct jb *b, const int nodes[TIER_COUNT])
{
	json_t *o = json_object();
	for (int t = TIER_WEB; t < TIER_COUNT; t++)
		set(b, o, model_tier_name((enum model_tier)t), json_integer(nodes[t]));
	return o;
}

static json_t *variant_json(struct jb *b, const struct rpt_plan_variant *v)
{
	json_t *o = json_object();
	set(b, o, "down", v->down < 0 ? json_null() : json_string(down_name(v->down)));
	set(b, o, "throughput_rps", num(v->row.throughput_rps.mean));
	set(b, o, "latency_mean_ms", num(v->row.latency_mean_ms.mean));
	set(b, o, "latency_p99_ms", num(v->row.latency_p99_ms.mean));
	set(b, o, "availability", num(v->row.availability.mean));
	json_t *u = json_object();
	for (int t = 0; t < TIER_COUNT; t++)
		set(b, u, model_tier_name((enum model_tier)t), num(v->row.utilization[t].mean));
	set(b, o, "utilization", u);
	set(b, o, "bottleneck", json_string(model_tier_name(v->row.bottleneck)));
	json_t *slo = json_array();
	for (size_t i = 0; i < v->row.nslo; i++) {
		json_t *c = json_object();
		set(b, c, "metric", json_string(v->row.slo[i].metric));
		set(b, c, "value", num(v->row.slo[i].value));
		set(b, c, "met", json_boolean(v->row.slo[i].met));
		push(b, slo, c);
	}
	set(b, o, "slo", slo);
	set(b, o, "slo_met", json_boolean(v->row.slo_met));
	return o;
}

/* The candidate's margin on each check, taken on its worst variant (empty
 * for a skipped candidate: nothing was simulated). */
static json_t *margins_json(struct jb *b, const struct rpt_plan_step *st)
{
	json_t *margins = json_array();
	size_t nslo = st->nvariants ? st->variants[0].row.nslo : 0;
	for (size_t i = 0; i < nslo; i++) {
		const struct rpt_plan_variant *w = worst_variant(st, i);
		const struct rpt_slo_result *r = &w->row.slo[i];
		json_t *m = json_object();
		set(b, m, "metric", json_string(r->metric));
		set(b, m, "value", num(r->value));
		set(b, m, "margin", num(rpt_plan_margin(r)));
		set(b, m, "worst_down", w->down < 0 ? json_null() : json_string(down_name(w->down)));
		push(b, margins, m);
	}
	return margins;
}

static json_t *step_json(struct jb *b, const struct rpt_plan_step *st)
{
	json_t *o = json_object();
	set(b, o, "nodes", nodes_json(b, st->nodes));
	set(b, o, "rate_rps", num(st->rate_per_s));
	set(b, o, "cost", num(st->cost));
	set(b, o, "reason", json_string(st->reason));
	set(b, o, "skipped", json_boolean(st->skipped));
	set(b, o, "meets", json_boolean(st->meets));
	json_t *vars = json_array();
	for (size_t v = 0; v < st->nvariants; v++)
		push(b, vars, variant_json(b, &st->variants[v]));
	set(b, o, "variants", vars);
	set(b, o, "margins", margins_json(b, st));
	return o;
}

/* A search stopped by a Ctrl-C: what it had established (docs/plan.md). */
static void established_json(struct jb *b, json_t *o, const struct rpt_plan *p)
{
	json_t *e = json_object();
	if (p->mode == RPT_PLAN_MIN_COST) {
		set(b, e, "at_least", sized_json(b, p->lower));
		const struct rpt_plan_step *st = p->met_so_far ? &p->steps[p->met_step] : NULL;
		set(b, e, "meets", st ? nodes_json(b, st->nodes) : json_null());
		set(b, e, "meets_cost", st ? num(st->cost) : json_null());
	} else {
		set(b, e, "met_rps", p->met_so_far ? num(p->steps[p->met_step].rate_per_s)
						  : json_null());
		set(b, e, "missed_rps", num(p->missed_rps));
	}
	set(b, e, "tried_index", p->met_so_far ? json_integer((json_int_t)p->met_step)
					       : json_null());
	set(b, o, "established", e);
}

static json_t *answer_json(struct jb *b, const struct rpt_plan *p)
{
	json_t *o = json_object();
	set(b, o, "found", json_boolean(p->found));
	if (p->partial) {
		char why[RPT_PLAN_REASON_MAX];
		snprintf(why, sizeof why, "%s before the search finished", p->partial);
		set(b, o, "why_not", json_string(why));
		established_json(b, o, p);
		return o;
	}
	set(b, o, "why_not", p->found ? json_null() : json_string(p->why_not));
	if (!p->found)
		return o;
	const struct rpt_plan_step *ans = &p->steps[p->answer_step];
	set(b, o, "nodes", nodes_json(b, ans->nodes));
	set(b, o, "cost", num(ans->cost));
	set(b, o, "rate_rps", num(p->mode == RPT_PLAN_MAX_LOAD ? p->answer_rps : p->load_rps));
	set(b, o, "failed_rps", p->mode == RPT_PLAN_MAX_LOAD ? num(p->failed_rps) : json_null());
	const struct rpt_point *all = &ans->variants[0].row;
	set(b, o, "bottleneck", json_string(model_tier_name(all->bottleneck)));
	json_t *margins = json_array();
	for (size_t i = 0; i < all->nslo; i++) {
		const struct rpt_plan_variant *w = worst_variant(ans, i);
		const struct rpt_slo_result *r = &w->row.slo[i];
		json_t *m = json_object();
		set(b, m, "metric", json_string(r->metric));
		set(b, m, "op", json_string(r->op == SLO_AT_MOST ? "<=" : ">="));
		set(b, m, "target", num(r->target));
		set(b, m, "unit", json_string(r->unit));
		set(b, m, "value", num(r->value));
		set(b, m, "margin", num(rpt_plan_margin(r)));
		set(b, m, "worst_down", w->down < 0 ? json_null() : json_string(down_name(w->down)));
		push(b, margins, m);
	}
	set(b, o, "margins", margins);
	set(b, o, "tried_index", json_integer((json_int_t)p->answer_step));
	return o;
}

int rpt_plan_json_writer(const void *vplan, FILE *out)
{
	const struct rpt_plan *p = vplan;
	struct jb b = {.ok = true};
	char sha[RPT_SHA256_HEX_LEN + 1];
	rpt_sha256_hex(p->resolved_scenario, p->resolved_len, sha);
	json_t *root = json_object();
	set(&b, root, "scenario", json_string(p->scenario));
	set(&b, root, "tiersim_version", json_string(TIERSIM_VERSION));
	set(&b, root, "scenario_sha256", json_string(sha));
	set(&b, root, "mode", json_string(p->mode == RPT_PLAN_MIN_COST ? "min-cost" : "max-load"));
	set(&b, root, "seed", json_integer((json_int_t)p->seed));
	set(&b, root, "replications", json_integer(p->replications));
	set(&b, root, "duration_s", num(p->duration_s));
	set(&b, root, "warmup_s", num(p->warmup_s));
	set(&b, root, "n_plus_one", json_boolean(p->n_plus_one));
	if (p->partial) {
		/* Only on a stopped search, so complete plans are unchanged. */
		set(&b, root, "partial", json_true());
		set(&b, root, "partial_reason", json_string(p->partial));
	}
	json_t *slo = json_array();
	for (size_t i = 0; i < p->nslo; i++) {
		json_t *c = json_object();
		enum slo_metric m = p->slo[i].metric;
		set(&b, c, "metric", json_string(slo_metric_name(m)));
		set(&b, c, "op", json_string(p->slo[i].op == SLO_AT_MOST ? "<=" : ">="));
		set(&b, c, "target", num(m <= SLO_P999 ? p->slo[i].target / 1e6 : p->slo[i].target));
		set(&b, c, "unit", json_string(rpt_slo_metric_unit(m)));
		push(&b, slo, c);
	}
	set(&b, root, "slo", slo);
	json_t *bounds = json_object();
	if (p->mode == RPT_PLAN_MIN_COST) {
		set(&b, root, "load_rps", num(p->load_rps));
		json_t *cost = json_object();
		for (int t = TIER_WEB; t < TIER_COUNT; t++)
			set(&b, cost, model_tier_name((enum model_tier)t), num(p->cost[t]));
		set(&b, root, "cost", cost);
		set(&b, bounds, "utilization_law", sized_json(&b, p->lower));
		set(&b, bounds, "analytic", sized_json(&b, p->analytic));
		set(&b, bounds, "analytic_meets", json_boolean(p->analytic_meets));
	} else {
		set(&b, root, "nodes", nodes_json(&b, p->nodes));
		set(&b, root, "resolution", num(p->resolution));
		set(&b, bounds, "saturation_rps", num(p->saturation_rps));
		set(&b, bounds, "analytic_rps", num(p->analytic_rps));
	}
	set(&b, root, "bounds", bounds);
	json_t *tried = json_array();
	for (size_t k = 0; k < p->nsteps; k++)
		push(&b, tried, step_json(&b, &p->steps[k]));
	set(&b, root, "tried", tried);
	set(&b, root, "answer", answer_json(&b, p));
	int rc = 0;
	if (!b.ok)
		rc = ENOMEM;
	else if (json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10)) ||
		 fputc('\n', out) == EOF || ferror(out))
		rc = EIO;
	json_decref(root);
	return rc;
}
