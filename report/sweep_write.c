/* sweep.csv and the sweep table: flat views of the sweep document.
 *
 * Both read the document (sweep_doc.c), never the rows, so a merged sweep
 * prints and writes exactly what a whole one does.  sweep.csv is wide, one
 * row per point (what a spreadsheet or a plot wants): the varied keys as
 * columns named by the key, then the measures with their 95% CI bounds
 * (_lo, _hi), reals with the JSON's 10 significant digits, undefined values
 * as empty cells.  The SLO columns are those of the first point (every point
 * has the same checks unless the grid varies `slo.*` itself). */
#include "sweep_doc.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

struct row {
	FILE *out;
	int cells;
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

/* A JSON scalar as a cell: reals with RPT_SWEEP_DIGITS, null empty. */
static void cell_json(struct row *r, const json_t *v)
{
	if (json_is_string(v)) {
		cell_str(r, json_string_value(v));
		return;
	}
	sep(r);
	if (json_is_real(v))
		fprintf(r->out, "%.*g", RPT_SWEEP_DIGITS, json_real_value(v));
	else if (json_is_integer(v))
		fprintf(r->out, "%lld", (long long)json_integer_value(v));
	else if (json_is_boolean(v))
		fputs(json_is_true(v) ? "true" : "false", r->out);
}

static void end_row(struct row *r)
{
	fputc('\n', r->out);
	r->cells = 0;
}

static void header_stat(struct row *r, const char *name)
{
	char buf[64];
	cell_str(r, name);
	snprintf(buf, sizeof buf, "%s_lo", name);
	cell_str(r, buf);
	snprintf(buf, sizeof buf, "%s_hi", name);
	cell_str(r, buf);
}

static void cells_stat(struct row *r, const json_t *st)
{
	const json_t *ci = json_object_get(st, "ci95");
	cell_json(r, json_object_get(st, "mean"));
	cell_json(r, json_array_get(ci, 0));
	cell_json(r, json_array_get(ci, 1));
}

/* "slo_p99", or "slo_p99_2" for the second p99 check. */
static void slo_column(const json_t *slo, size_t i, char *buf, size_t len)
{
	const char *metric = json_string_value(json_object_get(json_array_get(slo, i), "metric"));
	size_t same = 0;
	for (size_t j = 0; j < i; j++)
		if (!strcmp(json_string_value(json_object_get(json_array_get(slo, j), "metric")),
			    metric ? metric : ""))
			same++;
	if (same)
		snprintf(buf, len, "slo_%s_%zu", metric ? metric : "", same + 1);
	else
		snprintf(buf, len, "slo_%s", metric ? metric : "");
}

int rpt_sweep_csv_writer(const void *vdoc, FILE *out)
{
	const struct rpt_sweep_doc *doc = vdoc;
	const json_t *vary = json_object_get(doc->root, "vary");
	const json_t *points = json_object_get(doc->root, "points");
	const json_t *slo0 = json_object_get(json_array_get(points, 0), "slo");
	struct row r = {.out = out};
	cell_str(&r, "index");
	for (size_t a = 0; a < json_array_size(vary); a++)
		cell_json(&r, json_object_get(json_array_get(vary, a), "key"));
	cell_str(&r, "replications");
	for (int t = 0; t < TIER_COUNT; t++) {
		char buf[32];
		snprintf(buf, sizeof buf, "nodes_%s", model_tier_name((enum model_tier)t));
		cell_str(&r, buf);
	}
	header_stat(&r, "throughput_rps");
	header_stat(&r, "latency_mean_ms");
	header_stat(&r, "latency_p99_ms");
	header_stat(&r, "availability");
	for (int t = 0; t < TIER_COUNT; t++) {
		char buf[32];
		snprintf(buf, sizeof buf, "utilization_%s", model_tier_name((enum model_tier)t));
		header_stat(&r, buf);
	}
	cell_str(&r, "bottleneck");
	for (size_t i = 0; i < json_array_size(slo0); i++) {
		char name[48], met[56];
		slo_column(slo0, i, name, sizeof name);
		snprintf(met, sizeof met, "%s_met", name);
		cell_str(&r, name);
		cell_str(&r, met);
	}
	cell_str(&r, "slo_met");
	end_row(&r);

	for (size_t p = 0; p < json_array_size(points); p++) {
		const json_t *pt = json_array_get(points, p);
		cell_json(&r, json_object_get(pt, "index"));
		const json_t *values = json_object_get(pt, "values");
		for (size_t a = 0; a < json_array_size(vary); a++)
			cell_json(&r, json_array_get(values, a));
		cell_json(&r, json_object_get(pt, "replications"));
		const json_t *nodes = json_object_get(pt, "nodes");
		for (int t = 0; t < TIER_COUNT; t++)
			cell_json(&r, json_object_get(nodes, model_tier_name((enum model_tier)t)));
		cells_stat(&r, json_object_get(pt, "throughput_rps"));
		cells_stat(&r, json_object_get(pt, "latency_mean_ms"));
		cells_stat(&r, json_object_get(pt, "latency_p99_ms"));
		cells_stat(&r, json_object_get(pt, "availability"));
		const json_t *util = json_object_get(pt, "utilization");
		for (int t = 0; t < TIER_COUNT; t++)
			cells_stat(&r, json_object_get(util, model_tier_name((enum model_tier)t)));
		cell_json(&r, json_object_get(pt, "bottleneck"));
		const json_t *slo = json_object_get(pt, "slo");
		for (size_t i = 0; i < json_array_size(slo0); i++) {
			const json_t *c = json_array_get(slo, i);
			cell_json(&r, json_object_get(c, "value"));
			cell_json(&r, json_object_get(c, "met"));
		}
		cell_json(&r, json_object_get(pt, "slo_met"));
		end_row(&r);
	}
	return ferror(out) ? EIO : 0;
}

/* A number of the document as sweep.json holds it (10 significant
 * digits), so a merged document prints the same table as a whole one. */
static double real_of(const json_t *v)
{
	if (!json_is_number(v))
		return NAN;
	char buf[48];
	snprintf(buf, sizeof buf, "%.*g", RPT_SWEEP_DIGITS, json_number_value(v));
	return strtod(buf, NULL);
}

/* "12.34" or "-" (NAN), right-aligned in width; magnitudes that would not
 * fit in the column in exponent form. */
static void put_num(FILE *out, int width, const char *fmt, double x)
{
	char buf[48];
	if (!isfinite(x))
		snprintf(buf, sizeof buf, "-");
	else if (fabs(x) >= 1e7 || (x != 0 && fabs(x) < 1e-3))
		snprintf(buf, sizeof buf, "%.3g", x);
	else
		snprintf(buf, sizeof buf, fmt, x);
	fprintf(out, " %*s", width, buf);
}

/* The table a person scans: one line per point, the varied values first. */
int rpt_sweep_text_writer(const void *vdoc, FILE *out)
{
	const struct rpt_sweep_doc *doc = vdoc;
	const json_t *root = doc->root;
	const json_t *vary = json_object_get(root, "vary");
	const json_t *points = json_object_get(root, "points");
	size_t naxes = json_array_size(vary);
	const json_t *shard = json_object_get(root, "shard");
	long long total = (long long)json_integer_value(json_object_get(root, "points_total"));
	fprintf(out, "tiersim %s  sweep of %s  seed %lld  %lld point%s",
		json_string_value(json_object_get(root, "tiersim_version")),
		json_string_value(json_object_get(root, "scenario")),
		(long long)json_integer_value(json_object_get(root, "seed")), total,
		total == 1 ? "" : "s");
	if (json_is_object(shard))
		fprintf(out, "  shard %lld/%lld (%zu points)",
			(long long)json_integer_value(json_object_get(shard, "index")),
			(long long)json_integer_value(json_object_get(shard, "count")),
			json_array_size(points));
	fputs("\n", out);
	if (json_is_true(json_object_get(root, "partial"))) {
		size_t planned = json_is_object(shard) ? 0 : (size_t)total;
		fprintf(out, "PARTIAL: %s; ", json_string_value(json_object_get(root, "partial_reason")));
		if (planned)
			fprintf(out, "%zu of %zu points ran to the end", json_array_size(points), planned);
		else
			fprintf(out, "%zu points of this shard ran to the end", json_array_size(points));
		fputs(", the others are not in this table\n", out);
	}
	fputs("\n", out);

	int width[64];
	for (size_t a = 0; a < naxes && a < 64; a++) {
		const json_t *axis = json_array_get(vary, a);
		int w = (int)strlen(json_string_value(json_object_get(axis, "key")));
		const json_t *values = json_object_get(axis, "values");
		for (size_t v = 0; v < json_array_size(values); v++) {
			int l = (int)strlen(json_string_value(json_array_get(values, v)));
			if (l > w)
				w = l;
		}
		width[a] = w;
	}
	for (size_t a = 0; a < naxes && a < 64; a++)
		fprintf(out, "%-*s  ", width[a],
			json_string_value(json_object_get(json_array_get(vary, a), "key")));
	fprintf(out, " %9s %9s %9s %8s %9s %6s %6s %6s %6s  %-6s %s\n", "thr/s", "mean ms",
		"p99 ms", "+-", "avail %", "u.lb", "u.web", "u.app", "u.db", "bneck", "SLO");
	size_t ndropped = 0;
	for (size_t p = 0; p < json_array_size(points); p++) {
		const json_t *pt = json_array_get(points, p);
		const json_t *values = json_object_get(pt, "values");
		for (size_t a = 0; a < naxes && a < 64; a++)
			fprintf(out, "%-*s  ", width[a], json_string_value(json_array_get(values, a)));
		const json_t *p99 = json_object_get(pt, "latency_p99_ms");
		const json_t *ci = json_object_get(p99, "ci95");
		double hw = json_is_array(ci) ? 0.5 * (real_of(json_array_get(ci, 1)) -
						       real_of(json_array_get(ci, 0)))
					      : NAN;
		put_num(out, 9, "%.1f",
			real_of(json_object_get(json_object_get(pt, "throughput_rps"), "mean")));
		put_num(out, 9, "%.2f",
			real_of(json_object_get(json_object_get(pt, "latency_mean_ms"), "mean")));
		put_num(out, 9, "%.2f", real_of(json_object_get(p99, "mean")));
		put_num(out, 8, "%.2f", hw);
		put_num(out, 9, "%.3f",
			100 * real_of(json_object_get(json_object_get(pt, "availability"), "mean")));
		const json_t *util = json_object_get(pt, "utilization");
		for (int t = 0; t < TIER_COUNT; t++)
			put_num(out, 6, "%.3f",
				real_of(json_object_get(
					json_object_get(util, model_tier_name((enum model_tier)t)),
					"mean")));
		const json_t *slo = json_object_get(pt, "slo");
		bool dropped = json_object_get(pt, "dropped_memory_limit") != NULL;
		ndropped += dropped;
		fprintf(out, "  %-6s %s%s\n", json_string_value(json_object_get(pt, "bottleneck")),
			json_array_size(slo) == 0 ? "-"
			: json_is_true(json_object_get(pt, "slo_met")) ? "met"
								       : "MISSED",
			dropped ? " !" : "");
	}
	if (ndropped)
		fprintf(out, "\nWARNING: ! the memory budget dropped requests at %zu point%s: the "
			     "system is far beyond capacity there (--max-memory, "
			     "docs/hardening.md)\n", ndropped, ndropped == 1 ? "" : "s");
	return ferror(out) ? EIO : 0;
}
