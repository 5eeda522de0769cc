/* The CSV outputs (libcsv): the summary in long format and the time series.
 *
 * summary.csv is tidy: one row per (section, name, metric) with the value and
 * its 95% CI bounds, so a tool can filter rows instead of knowing a wide
 * layout that changes with the number of classes and nodes.  timeseries.csv
 * is wide, one row per window, because that is what plotting wants.
 * Text cells that need it (a comma, a quote, a line break, edge spaces) are
 * quoted by libcsv's csv_fwrite; plain cells are written as they are.  Reals
 * are printed with 10 significant digits in the summary and 7 in the time
 * series (whose node samples are floats: more digits would print their
 * rounding noise), time_s with 10; undefined values are empty cells.
 * Lines end in "\n". */
#include "output.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include <csv.h>

#define SUMMARY_DIGITS 10
#define SERIES_DIGITS 7

struct row {
	FILE *out;
	int cells;      /* cells written on the current line */
};

static void sep(struct row *r)
{
	if (r->cells++)
		fputc(',', r->out);
}

static void cell_str(struct row *r, const char *s)
{
	sep(r);
	size_t len = strlen(s);
	bool quote = len && (s[0] == ' ' || s[len - 1] == ' ' || strpbrk(s, ",\"\r\n"));
	if (quote)
		csv_fwrite(r->out, s, len);
	else
		fputs(s, r->out);
}

static void cell_real(struct row *r, double x, int digits)
{
	sep(r);
	if (isfinite(x))
		fprintf(r->out, "%.*g", digits, x);
}

static void cell_num(struct row *r, double x) { cell_real(r, x, SUMMARY_DIGITS); }

/* Time-series values come from float node samples and window means. */
static void cell_series(struct row *r, double x) { cell_real(r, x, SERIES_DIGITS); }

static void cell_count(struct row *r, uint64_t x)
{
	sep(r);
	fprintf(r->out, "%llu", (unsigned long long)x);
}

static void end_row(struct row *r)
{
	fputc('\n', r->out);
	r->cells = 0;
}

static int finish(FILE *out) { return ferror(out) ? EIO : 0; }

/* ---------------------------------------------------------------- summary */

static void row_value(struct row *r, const char *section, const char *name, const char *metric,
		      double value)
{
	cell_str(r, section);
	cell_str(r, name);
	cell_str(r, metric);
	cell_num(r, value);
	cell_str(r, "");
	cell_str(r, "");
	end_row(r);
}

static void row_count(struct row *r, const char *section, const char *name, const char *metric,
		      uint64_t value)
{
	cell_str(r, section);
	cell_str(r, name);
	cell_str(r, metric);
	cell_count(r, value);
	cell_str(r, "");
	cell_str(r, "");
	end_row(r);
}

static void row_stat(struct row *r, const char *section, const char *name, const char *metric,
		     const struct rpt_stat *st)
{
	cell_str(r, section);
	cell_str(r, name);
	cell_str(r, metric);
	cell_num(r, st->mean);
	cell_num(r, st->lo);
	cell_num(r, st->hi);
	end_row(r);
}

static void traffic_rows(struct row *r, const struct rpt_traffic *t)
{
	const struct rpt_latency *l = &t->latency_ms;
	row_count(r, "requests", t->name, "offered", t->offered);
	row_count(r, "requests", t->name, "completed", t->completed);
	row_count(r, "requests", t->name, "failed", t->failed);
	row_count(r, "requests", t->name, "unfinished", t->unfinished);
	row_stat(r, "requests", t->name, "throughput_rps", &t->throughput_rps);
	row_stat(r, "requests", t->name, "availability", &t->availability);
	row_stat(r, "requests", t->name, "latency_mean_ms", &l->mean);
	row_stat(r, "requests", t->name, "latency_p50_ms", &l->p50);
	row_stat(r, "requests", t->name, "latency_p90_ms", &l->p90);
	row_stat(r, "requests", t->name, "latency_p99_ms", &l->p99);
	row_stat(r, "requests", t->name, "latency_p999_ms", &l->p999);
	row_value(r, "requests", t->name, "latency_max_ms", l->max_ms);
}

static void run_rows(struct row *r, const struct rpt_summary *s)
{
	row_count(r, "run", s->scenario, "seed", s->seed);
	row_count(r, "run", s->scenario, "replications", s->replications);
	row_value(r, "run", s->scenario, "duration_s", s->duration_s);
	row_value(r, "run", s->scenario, "warmup_s", s->warmup_s);
	row_value(r, "run", s->scenario, "measured_s", s->measured_s);
	row_value(r, "run", s->scenario, "precision", s->precision > 0 ? s->precision : NAN);
	row_count(r, "run", s->scenario, "precision_reached", s->precision_reached);
}

static void resource_rows(struct row *r, const struct rpt_summary *s)
{
	for (int t = 0; t < TIER_COUNT; t++) {
		const char *name = model_tier_name((enum model_tier)t);
		row_count(r, "tier", name, "nodes", (uint64_t)s->tiers[t].nodes);
		row_stat(r, "tier", name, "utilization", &s->tiers[t].utilization);
		row_stat(r, "tier", name, "queue_mean", &s->tiers[t].queue_mean);
		row_value(r, "tier", name, "max_node_utilization", s->tiers[t].max_node_utilization);
	}
	for (size_t i = 0; i < s->nnodes; i++) {
		const struct rpt_node *n = &s->nodes[i];
		row_stat(r, "node", n->name, "utilization", &n->utilization);
		row_stat(r, "node", n->name, "queue_mean", &n->queue_mean);
		row_value(r, "node", n->name, "down_s", n->down_s);
		row_value(r, "node", n->name, "served", n->served);
	}
	const char *bn = model_tier_name(s->bottleneck);
	row_value(r, "bottleneck", bn, "utilization", s->bottleneck_utilization);
	row_value(r, "bottleneck", bn, "saturation_rps", s->saturation_rps);
}

static void compare_rows(struct row *r, const char *name, const char *metric,
			 const struct rpt_compare *c)
{
	char m[64];
	row_value(r, "analytic", name, metric, c->analytic);
	snprintf(m, sizeof m, "%s_simulated", metric);
	row_value(r, "analytic", name, m, c->simulated);
	snprintf(m, sizeof m, "%s_differs", metric);
	row_count(r, "analytic", name, m, c->differs);
}

static void analytic_rows(struct row *r, const struct rpt_summary *s)
{
	const struct rpt_crosscheck *x = &s->analytic;
	if (!x->present)
		return;
	row_value(r, "analytic", "all", "rate_per_s", x->rate_per_s);
	row_value(r, "analytic", "all", "saturation_rps", x->saturation_rps);
	compare_rows(r, "all", "latency_mean_ms", &x->latency_mean_ms);
	for (size_t k = 0; k < s->nclasses; k++)
		compare_rows(r, s->classes[k].name, "latency_mean_ms", &x->class_latency_mean_ms[k]);
	for (int t = 0; t < TIER_COUNT; t++)
		compare_rows(r, model_tier_name((enum model_tier)t), "utilization",
			     &x->tier_utilization[t]);
}

/* One group of rows per scaling action: name "app #1 scheduled". */
static void scaling_rows(struct row *r, const struct rpt_summary *s)
{
	for (size_t i = 0; i < s->nscale_actions; i++) {
		const struct model_scale_action *x = &s->scale_actions[i];
		char name[64];
		snprintf(name, sizeof name, "%s #%zu %s", model_tier_names[x->tier], i + 1,
			 x->autoscale ? "autoscale" : "scheduled");
		row_value(r, "scaling", name, "at_s", x->at_s);
		row_count(r, "scaling", name, "from", (uint64_t)x->from);
		row_count(r, "scaling", name, "to", (uint64_t)x->to);
		if (x->autoscale) {
			row_value(r, "scaling", name, "utilization", x->utilization);
			row_value(r, "scaling", name, "target", x->target);
		}
	}
}

static void slo_rows(struct row *r, const struct rpt_summary *s)
{
	for (size_t i = 0; i < s->nslo; i++) {
		const struct rpt_slo_result *c = &s->slo[i];
		char name[96];
		snprintf(name, sizeof name, "%s %s %.10g%s", c->metric,
			 c->op == SLO_AT_MOST ? "<=" : ">=", c->target, c->unit);
		row_value(r, "slo", name, "target", c->target);
		row_value(r, "slo", name, "value", c->value);
		row_count(r, "slo", name, "met", c->met);
	}
	row_count(r, "slo", "all", "met", s->slo_met);
}

int rpt_write_summary_csv(const struct rpt_summary *s, FILE *out)
{
	struct row r = {.out = out};
	static const char *const header[] = {"section", "name", "metric", "value", "ci_lo", "ci_hi"};
	for (size_t i = 0; i < sizeof header / sizeof header[0]; i++)
		cell_str(&r, header[i]);
	end_row(&r);
	run_rows(&r, s);
	traffic_rows(&r, &s->all);
	row_count(&r, "requests", "all", "attempts", s->attempts);
	row_stat(&r, "requests", "all", "offered_rps", &s->offered_rps);
	row_stat(&r, "availability", "windows", "time_availability", &s->time_availability);
	row_value(&r, "availability", "windows", "target", s->window_target);
	row_stat(&r, "availability", "windows", "downtime_s", &s->downtime_s);
	row_value(&r, "availability", "windows", "nines", s->nines);
	for (size_t k = 0; k < s->nclasses; k++)
		traffic_rows(&r, &s->classes[k]);
	if (s->dropped_memory_limit)
		row_count(&r, "limits", "memory", "dropped", s->dropped_memory_limit);
	for (int e = 0; e < ERR_COUNT; e++) {
		if (!model_error_listed((enum model_error)e, (double)s->dropped_memory_limit))
			continue;
		const char *name = model_error_name((enum model_error)e);
		row_count(&r, "errors", name, "count", s->errors[e]);
		row_count(&r, "errors", name, "attempts", s->attempt_errors[e]);
	}
	resource_rows(&r, s);
	analytic_rows(&r, s);
	scaling_rows(&r, s);
	slo_rows(&r, s);
	return finish(out);
}

/* ---------------------------------------------------------------- time series */

/* A db node that is not the primary: it has a replication lag column. */
static bool is_replica(const struct rpt_node *n)
{
	return n->tier == TIER_DB && strcmp(n->role, "primary") != 0;
}

static void header_cell(struct row *r, const char *prefix, const char *suffix)
{
	char name[MODEL_NAME_MAX + 32];
	snprintf(name, sizeof name, "%s%s", prefix, suffix);
	cell_str(r, name);
}

int rpt_write_timeseries_csv(const struct rpt_summary *s, FILE *out)
{
	struct row r = {.out = out};
	static const char *const fixed[] = {"time_s", "offered", "completed", "failed",
					    "throughput_rps", "p50_ms", "p90_ms", "p99_ms"};
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		cell_str(&r, fixed[i]);
	for (size_t k = 0; k < s->nclasses; k++) {
		header_cell(&r, s->classes[k].name, "_p50_ms");
		header_cell(&r, s->classes[k].name, "_p90_ms");
		header_cell(&r, s->classes[k].name, "_p99_ms");
	}
	for (size_t i = 0; i < s->nnodes; i++) {
		header_cell(&r, s->nodes[i].name, "_utilization");
		header_cell(&r, s->nodes[i].name, "_queue");
		if (is_replica(&s->nodes[i]))
			header_cell(&r, s->nodes[i].name, "_lag_s");
	}
	for (int e = 0; e < ERR_COUNT; e++)
		if (model_error_listed((enum model_error)e, (double)s->dropped_memory_limit))
			header_cell(&r, "failed_", model_error_name((enum model_error)e));
	for (int t = 0; t < TIER_COUNT; t++)
		header_cell(&r, model_tier_names[t], "_nodes");
	end_row(&r);

	for (size_t w = 0; w < s->nwindows; w++) {
		const struct rpt_window *d = &s->windows[w];
		cell_num(&r, d->time_s);
		cell_series(&r, d->offered);
		cell_series(&r, d->completed);
		cell_series(&r, d->failed);
		cell_series(&r, d->throughput_rps);
		cell_series(&r, d->p50_ms);
		cell_series(&r, d->p90_ms);
		cell_series(&r, d->p99_ms);
		for (size_t k = 0; k < s->nclasses; k++) {
			cell_series(&r, d->class_p50_ms[k]);
			cell_series(&r, d->class_p90_ms[k]);
			cell_series(&r, d->class_p99_ms[k]);
		}
		for (size_t i = 0; i < s->nnodes; i++) {
			cell_series(&r, d->node_utilization[i]);
			cell_series(&r, d->node_queue[i]);
			if (is_replica(&s->nodes[i]))
				cell_series(&r, d->node_lag[i]);
		}
		for (int e = 0; e < ERR_COUNT; e++)
			if (model_error_listed((enum model_error)e, (double)s->dropped_memory_limit))
				cell_series(&r, d->errors[e]);
		for (int t = 0; t < TIER_COUNT; t++)
			cell_series(&r, d->tier_nodes[t]);
		end_row(&r);
	}
	return finish(out);
}

int rpt_summary_csv_writer(const void *summary, FILE *out)
{
	return rpt_write_summary_csv(summary, out);
}

int rpt_timeseries_csv_writer(const void *summary, FILE *out)
{
	return rpt_write_timeseries_csv(summary, out);
}

/* ---------------------------------------------------------------- latency CDF */

static void cdf_rows(struct row *r, const struct rpt_traffic *t)
{
	for (size_t i = 0; i < RPT_CDF_POINTS; i++) {
		cell_str(r, t->name);
		cell_real(r, rpt_cdf_level(i), SUMMARY_DIGITS);
		cell_num(r, t->latency_ms.cdf_ms[i]);
		end_row(r);
	}
}

int rpt_write_latency_cdf_csv(const struct rpt_summary *s, FILE *out)
{
	struct row r = {.out = out};
	cell_str(&r, "class");
	cell_str(&r, "quantile");
	cell_str(&r, "latency_ms");
	end_row(&r);
	cdf_rows(&r, &s->all);
	for (size_t k = 0; k < s->nclasses; k++)
		cdf_rows(&r, &s->classes[k]);
	return finish(out);
}

int rpt_latency_cdf_csv_writer(const void *summary, FILE *out)
{
	return rpt_write_latency_cdf_csv(summary, out);
}
