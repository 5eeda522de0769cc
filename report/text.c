/* The text report: one screen a person takes in within ten seconds.
 *
 * Order follows the questions people ask: what ran; did requests get
 * through, how fast; where did errors come from; which resources are busy and
 * which saturates first, at what load; does the queueing theory agree; are
 * the SLOs met.  Fixed precision everywhere (latencies to the microsecond in
 * ms, utilizations to 0.1%), no wall-clock time, so the report is a golden
 * file.  Cells are built as strings and padded by display width, because the
 * '±' of a confidence interval is two bytes wide in UTF-8 but one column. */
#include "output.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#define CELL 64

/* Display width of a UTF-8 string: count the bytes that start a character. */
static int width_of(const char *s)
{
	int w = 0;
	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

/* s left-aligned (width > 0) or right-aligned (width < 0) in |width| columns. */
static void pad(FILE *out, const char *s, int width)
{
	int fill = (width < 0 ? -width : width) - width_of(s);
	/* A right-aligned cell wider than its column still gets one space, so
	 * numbers never run into each other (a saturated run has big ones). */
	if (width < 0 && fill < 1)
		fill = 1;
	if (width < 0)
		for (int i = 0; i < fill; i++)
			fputc(' ', out);
	fputs(s, out);
	if (width > 0)
		for (int i = 0; i < fill; i++)
			fputc(' ', out);
}

static const char *fmt(char *buf, double x, int decimals)
{
	if (isnan(x))
		snprintf(buf, CELL, "-");
	else if (isinf(x))
		snprintf(buf, CELL, "%s", x > 0 ? "inf" : "-inf");
	else
		snprintf(buf, CELL, "%.*f", decimals, x);
	return buf;
}

/* "12.345 ± 0.012", or "12.345" without an interval, or "-". */
static const char *fmt_stat(char *buf, const struct rpt_stat *st, int decimals, double scale)
{
	if (isnan(st->mean))
		return fmt(buf, NAN, decimals);
	if (!isfinite(st->half_width))
		return fmt(buf, st->mean * scale, decimals);
	snprintf(buf, CELL, "%.*f ± %.*f", decimals, st->mean * scale, decimals,
		 st->half_width * scale);
	return buf;
}

/* "99.9630% ± 0.0010%" for a share 0..1. */
static const char *fmt_percent(char *buf, const struct rpt_stat *st)
{
	if (isnan(st->mean))
		return fmt(buf, NAN, 0);
	if (!isfinite(st->half_width))
		snprintf(buf, CELL, "%.4f%%", 100 * st->mean);
	else
		snprintf(buf, CELL, "%.4f%% ± %.4f%%", 100 * st->mean, 100 * st->half_width);
	return buf;
}

static void put_header(FILE *out, const struct rpt_summary *s)
{
	char a[CELL], b[CELL], c[CELL];
	fprintf(out, "tiersim %s  scenario %s  seed %llu  replications %zu\n", s->version,
		s->scenario, (unsigned long long)s->seed, s->replications);
	fprintf(out, "duration %s s  warm-up %s s  measured %s s per replication",
		fmt(a, s->duration_s, 1), fmt(b, s->warmup_s, 1), fmt(c, s->measured_s, 1));
	if (s->precision > 0)
		fprintf(out, "  precision %.1f%% %s", 100 * s->precision,
			s->precision_reached ? "reached" : "NOT reached");
	fputs("\n", out);
	if (s->partial)
		fprintf(out, "PARTIAL: %s; these numbers cover %s s measured per replication, "
			     "not the full run\n", s->partial_reason, fmt(a, s->measured_s, 1));
	char warning[RPT_REASON_MAX];
	if (rpt_memory_warning(s, warning, sizeof warning))
		fprintf(out, "WARNING: %s\n", warning);
	fputs("\n", out);
}

static void put_requests(FILE *out, const struct rpt_summary *s)
{
	char a[CELL], b[CELL], c[CELL];
	const struct rpt_traffic *t = &s->all;
	fprintf(out, "requests      offered %llu  completed %llu  failed %llu  unfinished %llu  "
		     "attempts %llu\n",
		(unsigned long long)t->offered, (unsigned long long)t->completed,
		(unsigned long long)t->failed, (unsigned long long)t->unfinished,
		(unsigned long long)s->attempts);
	fprintf(out, "throughput    %s req/s  (offered %s req/s)\n",
		fmt_stat(a, &t->throughput_rps, 1, 1), fmt(b, s->offered_rps.mean, 1));
	fprintf(out, "availability  %s  (requests)\n", fmt_percent(a, &t->availability));
	fprintf(out, "              %s  (windows at >= %.4g%% success)  downtime %s s  %s nines\n\n",
		fmt_percent(a, &s->time_availability), 100 * s->window_target,
		fmt_stat(b, &s->downtime_s, 1, 1), fmt(c, s->nines, 2));
}

static void latency_row(FILE *out, const struct rpt_traffic *t)
{
	char c[CELL];
	const struct rpt_latency *l = &t->latency_ms;
	const struct rpt_stat *cols[] = {&l->mean, &l->p50, &l->p90, &l->p99, &l->p999};
	pad(out, t->name, 14);
	for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
		pad(out, fmt_stat(c, cols[i], 3, 1), -19);
	pad(out, fmt(c, l->max_ms, 3), -12);
	fputc('\n', out);
}

static void put_latency(FILE *out, const struct rpt_summary *s)
{
	static const char *const head[] = {"mean", "p50", "p90", "p99", "p99.9"};
	pad(out, "latency ms", 14);
	for (size_t i = 0; i < sizeof head / sizeof head[0]; i++)
		pad(out, head[i], -19);
	pad(out, "max", -12);
	fputc('\n', out);
	latency_row(out, &s->all);
	for (size_t k = 0; k < s->nclasses; k++)
		latency_row(out, &s->classes[k]);
	fputc('\n', out);
}

static void put_errors(FILE *out, const struct rpt_summary *s)
{
	uint64_t failed = 0, attempts = 0;
	for (int e = 0; e < ERR_COUNT; e++) {
		failed += s->errors[e];
		attempts += s->attempt_errors[e];
	}
	if (!failed && !attempts) {
		fputs("errors        none\n\n", out);
		return;
	}
	fprintf(out, "%-18s %12s %9s %16s\n", "errors", "requests", "share", "failed attempts");
	for (int e = 0; e < ERR_COUNT; e++) {
		if (!s->errors[e] && !s->attempt_errors[e])
			continue;
		fprintf(out, "%-18s %12llu %8.1f%% %16llu\n", model_error_name((enum model_error)e),
			(unsigned long long)s->errors[e],
			failed ? 100.0 * (double)s->errors[e] / (double)failed : 0.0,
			(unsigned long long)s->attempt_errors[e]);
	}
	fputc('\n', out);
}

static void put_resources(FILE *out, const struct rpt_summary *s)
{
	char a[CELL], b[CELL];
	fprintf(out, "%-8s %5s  ", "tier", "nodes");
	pad(out, "utilization", 20);
	fputs("queue\n", out);
	for (int t = 0; t < TIER_COUNT; t++) {
		const struct rpt_tier *tier = &s->tiers[t];
		fprintf(out, "%-8s %5d  ", model_tier_name((enum model_tier)t), tier->nodes);
		pad(out, fmt_stat(a, &tier->utilization, 3, 1), 20);
		fprintf(out, "%s\n", fmt(b, tier->queue_mean.mean, 3));
	}
	fputc('\n', out);
	fprintf(out, "%-8s %-4s %-9s", "node", "tier", "role");
	pad(out, "utilization", 20);
	fprintf(out, "%-10s %s\n", "queue", "down s");
	for (size_t i = 0; i < s->nnodes; i++) {
		const struct rpt_node *n = &s->nodes[i];
		fprintf(out, "%-8s %-4s %-9s", n->name, model_tier_name(n->tier),
			n->role[0] ? n->role : "-");
		pad(out, fmt_stat(a, &n->utilization, 3, 1), 20);
		fprintf(out, "%-10s %s\n", fmt(b, n->queue_mean.mean, 3), fmt(a, n->down_s, 1));
	}
	fputc('\n', out);
	if (s->bottleneck_utilization > 0)
		fprintf(out, "bottleneck    %s (busiest node at %.3f): saturates near %s req/s "
			     "(utilization law)\n\n",
			model_tier_name(s->bottleneck), s->bottleneck_utilization,
			fmt(a, s->saturation_rps, 1));
	else
		fputs("bottleneck    none (no node is busy)\n\n", out);
}

static void compare_row(FILE *out, const char *label, const struct rpt_compare *c, int decimals)
{
	char a[CELL], b[CELL];
	fprintf(out, "%-24s %12s %12s", label, fmt(a, c->simulated, decimals),
		fmt(b, c->analytic, decimals));
	if (c->differs)
		fprintf(out, "  !  %s", c->reason);
	fputc('\n', out);
}

static void put_crosscheck(FILE *out, const struct rpt_summary *s)
{
	const struct rpt_crosscheck *x = &s->analytic;
	char a[CELL], label[MODEL_NAME_MAX + 32];
	if (!x->present)
		return;
	fprintf(out, "analytic cross-check: M/M/c per station (Erlang C) at %s req/s%s\n",
		fmt(a, x->rate_per_s, 1), x->stable ? "" : ", a station saturated");
	fprintf(out, "%-24s %12s %12s\n", "", "simulated", "analytic");
	bool any = false;
	for (int t = 0; t < TIER_COUNT; t++) {
		snprintf(label, sizeof label, "%s utilization", model_tier_name((enum model_tier)t));
		compare_row(out, label, &x->tier_utilization[t], 3);
		any = any || x->tier_utilization[t].differs;
	}
	compare_row(out, "mean latency ms", &x->latency_mean_ms, 3);
	any = any || x->latency_mean_ms.differs;
	for (size_t k = 0; k < s->nclasses; k++) {
		snprintf(label, sizeof label, "  %s", s->classes[k].name);
		compare_row(out, label, &x->class_latency_mean_ms[k], 3);
		any = any || x->class_latency_mean_ms[k].differs;
	}
	if (any)
		fputs("  ! simulation and approximation differ by more than 10%\n", out);
	fputc('\n', out);
}

static const char *fmt_slo_value(char *buf, const struct rpt_slo_result *r, double x)
{
	if (isnan(x))
		return fmt(buf, x, 0);
	if (!strcmp(r->metric, "availability"))
		snprintf(buf, CELL, "%.4f%%", 100 * x);
	else if (!strcmp(r->unit, "rps"))
		snprintf(buf, CELL, "%.1f req/s", x);
	else
		snprintf(buf, CELL, "%.3f ms", x);
	return buf;
}

/* A timeline: when each failure started, was noticed, ended, and when the
 * success ratio was back. */
static void put_incidents(FILE *out, const struct rpt_summary *s)
{
	if (!s->nincidents)
		return;
	char a[CELL], b[CELL], c[CELL];
	fprintf(out, "%-14s %-10s %9s %12s %12s %12s %10s\n", "incidents", "kind", "at s",
		"detected s", "back s", "restored s", "failed");
	for (size_t i = 0; i < s->nincidents; i++) {
		const struct rpt_incident *x = &s->incidents[i];
		fprintf(out, "%-14s %-10s %9.3f %12s %12s %12s %10.1f\n", x->node, x->kind, x->at_s,
			fmt(a, x->detected_s, 3), fmt(b, x->recovered_s, 3), fmt(c, x->restored_s, 3),
			x->failed_requests);
	}
	fputc('\n', out);
}

/* Scaling: every action of the first replication, with its reason. */
static void put_scaling(FILE *out, const struct rpt_summary *s)
{
	if (!s->nscale_actions)
		return;
	fprintf(out, "%-14s %9s %-5s %9s  %s\n", "scaling", "at s", "tier", "nodes", "reason");
	for (size_t i = 0; i < s->nscale_actions; i++) {
		const struct model_scale_action *x = &s->scale_actions[i];
		char nodes[32], reason[96];
		snprintf(nodes, sizeof nodes, "%d->%d", x->from, x->to);
		if (x->autoscale)
			snprintf(reason, sizeof reason, "autoscale utilization %.1f%% vs target %.1f%%",
				 100 * x->utilization, 100 * x->target);
		else
			snprintf(reason, sizeof reason, "scheduled");
		fprintf(out, "%-14s %9.3f %-5s %9s  %s\n", "", x->at_s, model_tier_names[x->tier],
			nodes, reason);
	}
	fputc('\n', out);
}

/* Replication: how far behind the replicas fell, and what readers saw. */
static void put_replication(FILE *out, const struct rpt_summary *s)
{
	bool replicas = false;
	for (size_t i = 0; i < s->nnodes; i++)
		replicas = replicas || (s->nodes[i].tier == TIER_DB &&
					strcmp(s->nodes[i].role, "primary") != 0);
	if (!replicas)
		return;
	const struct rpt_db *d = &s->db;
	char a[CELL], b[CELL], c[CELL];
	fprintf(out, "replication   lag s: mean %s  p99 %s  max %s\n", fmt(a, d->lag_mean_s.mean, 3),
		fmt(b, d->lag_p99_s.mean, 3), fmt(c, d->lag_max_s, 3));
	fprintf(out, "              apply delay ms: mean %s  p99 %s\n",
		fmt(a, d->apply_delay_mean_ms.mean, 3), fmt(b, d->apply_delay_p99_ms.mean, 3));
	fprintf(out, "              stale reads %llu of %llu (%s)  staleness ms: p50 %s  p99 %s\n",
		(unsigned long long)d->stale_reads, (unsigned long long)d->reads,
		fmt(a, d->stale_read_ratio.mean, 5), fmt(b, d->staleness_p50_ms.mean, 3),
		fmt(c, d->staleness_p99_ms.mean, 3));
	if (d->lost_writes)
		fprintf(out, "              lost writes %llu\n", (unsigned long long)d->lost_writes);
	fprintf(out, "%-14s %12s %12s %12s\n", "replica", "lag mean s", "lag max s", "shunned s");
	for (size_t i = 0; i < s->nnodes; i++) {
		const struct rpt_node *n = &s->nodes[i];
		if (n->tier != TIER_DB || !strcmp(n->role, "primary"))
			continue;
		fprintf(out, "%-14s %12s %12s %12s\n", n->name, fmt(a, n->lag_mean_s, 3),
			fmt(b, n->lag_max_s, 3), fmt(c, n->shunned_s, 1));
	}
	fputc('\n', out);
}

static void put_slo(FILE *out, const struct rpt_summary *s)
{
	char a[CELL], b[CELL];
	if (!s->nslo) {
		fputs("SLO           none defined\n", out);
		return;
	}
	fprintf(out, "%-14s %-2s %16s %16s  %s\n", "SLO", "", "target", "value", "verdict");
	for (size_t i = 0; i < s->nslo; i++) {
		const struct rpt_slo_result *r = &s->slo[i];
		fprintf(out, "%-14s %-2s %16s %16s  %s%s\n", r->metric, r->op == SLO_AT_MOST ? "<=" : ">=",
			fmt_slo_value(a, r, r->target), fmt_slo_value(b, r, r->value),
			r->met ? "PASS" : "FAIL", r->extra ? "  (--slo)" : "");
	}
	fprintf(out, "SLO verdict   %s\n", s->slo_met ? "met" : "MISSED");
}

int rpt_write_text(const struct rpt_summary *s, FILE *out)
{
	put_header(out, s);
	put_requests(out, s);
	put_latency(out, s);
	put_errors(out, s);
	put_resources(out, s);
	put_crosscheck(out, s);
	put_incidents(out, s);
	put_scaling(out, s);
	put_replication(out, s);
	put_slo(out, s);
	return ferror(out) ? EIO : 0;
}

int rpt_text_writer(const void *summary, FILE *out) { return rpt_write_text(summary, out); }
