/* The figures of one run, from timeseries.csv, latency_cdf.csv and
 * summary.json of its result folder (docs/plots.md shows each).
 *
 * Every figure finds its columns by name, never by position: a node is a
 * column NODE_utilization, a replica's lag NODE_lag_s, a tier's node count
 * TIER_nodes, a cause of failure failed_CAUSE.  So a figure appears, and
 * grows a line, as soon as a model writes such a column, and an older
 * folder without it simply has fewer figures.  Data files copy the cells as
 * the CSV printed them (the run's numbers, digit for digit); derived columns
 * (rates per second, stacked sums) are printed with 7 digits beside them. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/results.h"
#include "plot_figure.h"

#define TIMESERIES "timeseries.csv"
#define CDF_FILE "latency_cdf.csv"
#define MAX_SERIES 512

/* ---------------------------------------------------------------- helpers */

/* The largest finite value of a column; NAN when it has none. */
static double col_max(const struct rpt_table *t, int col)
{
	double m = NAN;
	for (size_t r = 0; col >= 0 && r < t->nrows; r++) {
		double x = rpt_table_value(t, r, (size_t)col);
		if (!isnan(x) && !(x <= m))
			m = x;
	}
	return m;
}

static bool col_defined(const struct rpt_table *t, int col) { return !isnan(col_max(t, col)); }

/* Columns whose name ends in suffix, in file order; at most max. */
static size_t cols_with_suffix(const struct rpt_table *t, const char *suffix, int *cols,
			       size_t max)
{
	size_t n = 0;
	for (size_t i = 0; t && i < t->ncols && n < max; i++)
		if (rpt_name_has_suffix(t->names[i], suffix))
			cols[n++] = (int)i;
	return n;
}

/* Columns with a number somewhere, in the same order: an empty column would
 * make gnuplot warn, or fail on a panel with nothing to draw. */
static size_t keep_defined(const struct rpt_table *t, int *cols, size_t n)
{
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (col_defined(t, cols[i]))
			cols[m++] = cols[i];
	return m;
}

/* The part of a column name before its suffix. */
static void stem(const char *name, const char *suffix, char *buf, size_t len)
{
	size_t n = strlen(name) - strlen(suffix);
	snprintf(buf, len, "%.*s", (int)n, name);
}

/* A data file of time_s and the given columns, cells copied as they are. */
static int write_columns(const struct rpt_table *t, const int *cols, size_t n, FILE *out)
{
	int tcol = rpt_table_col(t, "time_s");
	rpt_plot_dat_cell(out, true, "time_s");
	for (size_t i = 0; i < n; i++)
		rpt_plot_dat_cell(out, false, t->names[cols[i]]);
	fputc('\n', out);
	for (size_t r = 0; r < t->nrows; r++) {
		rpt_plot_dat_cell(out, true, rpt_table_cell(t, r, (size_t)tcol));
		for (size_t i = 0; i < n; i++)
			rpt_plot_dat_cell(out, false, rpt_table_cell(t, r, (size_t)cols[i]));
		fputc('\n', out);
	}
	return ferror(out) ? -1 : 0;
}

/* A y range from 0 that never collapses (gnuplot warns on [0:0]). */
static void y_from_zero(FILE *out, double max)
{
	if (isnan(max) || max <= 0)
		fputs("set yrange [0:1]\n", out);
	else
		fputs("set yrange [0:*]\n", out);
}

static const struct rpt_table *series(struct rpt_plot_input *in)
{
	const struct rpt_table *t = rpt_plot_table(in, TIMESERIES);
	return t && rpt_table_col(t, "time_s") >= 0 ? t : NULL;
}


/* A column by name in a gnuplot using spec: (column("name")), the name as
 * the .dat header row spells it. */
static void col_ref(FILE *out, const char *name)
{
	char header[256];
	rpt_plot_dat_name(name, header, sizeof header);
	fputs("(column(", out);
	rpt_plot_quote(out, header);
	fputs("))", out);
}

/* ---------------------------------------------------------------- latency over time */

static const char *const pct_cols[] = {"p50_ms", "p90_ms", "p99_ms"};

static bool latency_wanted(struct rpt_plot_input *in)
{
	const struct rpt_table *t = series(in);
	for (size_t i = 0; t && i < 3; i++)
		if (col_defined(t, rpt_table_col(t, pct_cols[i])))
			return true;
	return false;
}

static int latency_data(struct rpt_plot_input *in, FILE *out)
{
	const struct rpt_table *t = series(in);
	int cols[3];
	size_t n = 0;
	for (size_t i = 0; i < 3; i++)
		if (rpt_table_col(t, pct_cols[i]) >= 0)
			cols[n++] = rpt_table_col(t, pct_cols[i]);
	return write_columns(t, cols, n, out);
}

/* The scenario's latency objectives as horizontal lines. */
static void slo_lines(FILE *out, struct rpt_plot_input *in, size_t *n)
{
	rpt_plot_slo_lines(out, json_object_get(json_object_get(rpt_plot_json(in, "summary.json"),
								 "slo"), "checks"), n);
}

/* The same objectives on the CDF: vertical lines at their targets (n NULL),
 * or their legend entries. */
static void slo_marks(FILE *out, struct rpt_plot_input *in, size_t *n)
{
	json_t *checks = json_object_get(json_object_get(rpt_plot_json(in, "summary.json"), "slo"),
					 "checks");
	size_t i;
	json_t *c;
	json_array_foreach(checks, i, c) {
		const char *unit = json_string_value(json_object_get(c, "unit"));
		const char *metric = json_string_value(json_object_get(c, "metric"));
		double target = rpt_json_number(c, "target");
		if (!unit || strcmp(unit, "ms") || !metric || !(target > 0))
			continue;
		char text[96];
		snprintf(text, sizeof text, "SLO %s \u2264 %.6g ms", metric, target);
		if (!n) {
			fprintf(out, "set arrow %zu from %.10g, graph 0 to %.10g, graph 1 nohead dt 2 "
				"lw 2 lc rgb \"#555555\"\n", 200 + i, target, target);
			continue;
		}
		rpt_plot_next(out, n);
		fputs("keyentry with lines dt 2 lw 2 lc rgb \"#555555\" title ", out);
		rpt_plot_quote(out, text);
	}
}

static int latency_script(struct rpt_plot_input *in, FILE *out)
{
	const struct rpt_table *t = series(in);
	rpt_plot_script_begin(out, in, &rpt_fig_latency, "response time percentiles over time");
	const char *x = rpt_plot_time_axis(out, in);
	fputs("set title title_text\n"
	      "set ylabel \"response time (ms, log scale)\"\n"
	      "set logscale y\n",
	      out);
	size_t n = 0;
	for (size_t i = 0; i < 3; i++) {
		if (!col_defined(t, rpt_table_col(t, pct_cols[i])))
			continue;
		rpt_plot_next(out, &n);
		fprintf(out, "\"latency.dat\" using %s:", x);
		col_ref(out, pct_cols[i]);
		fprintf(out, " with lines lw %d lc rgb \"%s\" title \"%.3s\"", i == 2 ? 3 : 2,
			rpt_plot_series_colour(i), pct_cols[i]);
	}
	slo_lines(out, in, &n);
	rpt_plot_time_keys(out, in, &n);
	fputc('\n', out);
	rpt_plot_script_end(out);
	return ferror(out) ? -1 : 0;
}

const struct rpt_figure rpt_fig_latency = {"latency", latency_wanted, latency_data,
					   latency_script};

/* ---------------------------------------------------------------- throughput and errors */

struct cause {
	int col;                       /* its failed_CAUSE column (or `failed`) */
	int err;                       /* enum model_error; -1: all causes together */
	const char *name;              /* the cause, the stem of its .dat columns */
};

/* The causes to stack: failed_CAUSE columns with a failure somewhere; a
 * folder without such columns stacks its `failed` column as one. */
static size_t causes_of(const struct rpt_table *t, struct cause *c)
{
	size_t n = 0;
	bool by_cause = false;
	for (int e = 0; e < ERR_COUNT; e++) {
		char name[64];
		const char *cause = model_error_name((enum model_error)e);
		snprintf(name, sizeof name, "failed_%s", cause);
		int col = rpt_table_col(t, name);
		by_cause = by_cause || col >= 0;
		if (col >= 0 && col_max(t, col) > 0)
			c[n++] = (struct cause){col, e, cause};
	}
	int failed = rpt_table_col(t, "failed");
	if (!by_cause && col_max(t, failed) > 0)
		c[n++] = (struct cause){failed, -1, "all_causes"};
	return n;
}

static bool traffic_wanted(struct rpt_plot_input *in)
{
	const struct rpt_table *t = series(in);
	return t && rpt_table_col(t, "throughput_rps") >= 0;
}

/* Window r's length: to the next window's start, the last to the run's end. */
static double span_s(const struct rpt_table *t, size_t r, double duration)
{
	int tc = rpt_table_col(t, "time_s");
	double start = rpt_table_value(t, r, (size_t)tc);
	double end = r + 1 < t->nrows ? rpt_table_value(t, r + 1, (size_t)tc) : duration;
	if (!(end > start) && r > 0) /* no duration: as long as the one before */
		end = start + (start - rpt_table_value(t, r - 1, (size_t)tc));
	return end - start;
}

static void cell_of(FILE *out, const struct rpt_table *t, size_t r, int col)
{
	rpt_plot_dat_cell(out, false, col >= 0 ? rpt_table_cell(t, r, (size_t)col) : "");
}

static double value_of(const struct rpt_table *t, size_t r, int col)
{
	return col >= 0 ? rpt_table_value(t, r, (size_t)col) : NAN;
}

/* time_s, span_s, the counts as printed, their rates, and per cause its
 * count, rate and the top of the stack so far (CAUSE_top). */
static int traffic_data(struct rpt_plot_input *in, FILE *out)
{
	const struct rpt_table *t = series(in);
	struct cause c[ERR_COUNT + 1];
	size_t nc = causes_of(t, c);
	int offered = rpt_table_col(t, "offered"), thr = rpt_table_col(t, "throughput_rps");
	int failed = rpt_table_col(t, "failed"), tc = rpt_table_col(t, "time_s");
	double duration = rpt_plot_number(in, "duration_s");
	fputs("time_s\tspan_s\toffered\tthroughput_rps\tfailed\toffered_rps\tfailed_rps", out);
	for (size_t i = 0; i < nc; i++)
		fprintf(out, "\t%s\t%s_rps\t%s_top", c[i].err < 0 ? "all_causes" : t->names[c[i].col],
			c[i].name, c[i].name);
	fputc('\n', out);
	for (size_t r = 0; r < t->nrows; r++) {
		double span = span_s(t, r, duration);
		double per = span > 0 ? 1 / span : NAN;
		rpt_plot_dat_cell(out, true, rpt_table_cell(t, r, (size_t)tc));
		rpt_plot_dat_real(out, false, span);
		cell_of(out, t, r, offered);
		cell_of(out, t, r, thr);
		cell_of(out, t, r, failed);
		rpt_plot_dat_real(out, false, value_of(t, r, offered) * per);
		rpt_plot_dat_real(out, false, value_of(t, r, failed) * per);
		double top = 0;
		for (size_t i = 0; i < nc; i++) {
			double count = value_of(t, r, c[i].col);
			double rate = (isnan(count) ? 0 : count) * per;
			top += rate;
			cell_of(out, t, r, c[i].col);
			rpt_plot_dat_real(out, false, rate);
			rpt_plot_dat_real(out, false, top);
		}
		fputc('\n', out);
	}
	return ferror(out) ? -1 : 0;
}

static int traffic_script(struct rpt_plot_input *in, FILE *out)
{
	const struct rpt_table *t = series(in);
	struct cause c[ERR_COUNT + 1];
	size_t nc = causes_of(t, c);
	rpt_plot_script_begin(out, in, &rpt_fig_traffic, "throughput and failed requests over time");
	const char *x = rpt_plot_time_axis(out, in);
	fputs("set multiplot layout 2,1 title title_text font \",20\"\n"
	      "set lmargin at screen 0.09\n"
	      "set rmargin at screen 0.72\n"
	      "set ylabel \"requests/s\"\n"
	      "set yrange [0:*]\n",
	      out);
	fprintf(out,
		"plot \"traffic.dat\" using %s:\"offered_rps\" with lines lw 5 lc rgb \"#BBBBBB\" "
		"title \"offered\", \\\n"
		"     \"traffic.dat\" using %s:\"throughput_rps\" with lines lw 2 lc rgb \"%s\" "
		"title \"completed\"",
		x, x, RPT_PLOT_ALL_COLOUR);
	size_t top_n = 2;
	rpt_plot_time_keys(out, in, &top_n);
	fputc('\n', out);
	/* the failures below, stacked by cause; incident labels once, above */
	fputs("unset label\n"
	      "set ylabel \"failed requests/s\"\n",
	      out);
	if (!nc) {
		fputs("set yrange [0:1]\n", out);
		fprintf(out, "plot \"traffic.dat\" using %s:\"failed_rps\" with lines lw 2 "
			"lc rgb \"#7F7F7F\" title \"none failed\"\n", x);
	} else {
		fputs("set yrange [0:*]\n", out);
		size_t n = 0;
		for (size_t i = nc; i-- > 0;) { /* the legend reads like the stack, top down */
			char top[80], below[80];
			snprintf(top, sizeof top, "%s_top", c[i].name);
			rpt_plot_next(out, &n);
			fprintf(out, "\"traffic.dat\" using %s:", x);
			if (i == 0) {
				fputs("(0):", out);
			} else {
				snprintf(below, sizeof below, "%s_top", c[i - 1].name);
				col_ref(out, below);
				fputc(':', out);
			}
			col_ref(out, top);
			fprintf(out, " with filledcurves fc rgb \"%s\" fs solid 0.9 noborder title ",
				c[i].err < 0 ? "#7F7F7F" : rpt_plot_error_colour(c[i].err));
			rpt_plot_quote(out, c[i].err < 0 ? "all causes" : c[i].name);
		}
		fputc('\n', out);
	}
	fputs("unset multiplot\n", out);
	rpt_plot_script_end(out);
	return ferror(out) ? -1 : 0;
}

const struct rpt_figure rpt_fig_traffic = {"traffic", traffic_wanted, traffic_data,
					   traffic_script};

/* ---------------------------------------------------------------- per node, by tier */

/* The NODE_<suffix> columns grouped by tier, tiers in order (nodes of no
 * known tier last), nodes in file order within each. */
struct node_groups {
	size_t n;                      /* columns */
	int cols[MAX_SERIES];
	enum model_tier tier[MAX_SERIES];
	size_t ngroups;
	size_t group_start[TIER_COUNT + 2];
};

static void group_nodes(struct rpt_plot_input *in, const struct rpt_table *t, const char *suffix,
			struct node_groups *g)
{
	int cols[MAX_SERIES];
	enum model_tier tiers[MAX_SERIES];
	size_t n = keep_defined(t, cols, cols_with_suffix(t, suffix, cols, MAX_SERIES));
	for (size_t i = 0; i < n; i++) {
		char node[64];
		stem(t->names[cols[i]], suffix, node, sizeof node);
		tiers[i] = rpt_plot_node_tier(in, node);
	}
	g->n = g->ngroups = 0;
	for (int tier = 0; tier <= TIER_COUNT; tier++) {
		size_t start = g->n;
		for (size_t i = 0; i < n; i++)
			if ((int)tiers[i] == tier) {
				g->cols[g->n] = cols[i];
				g->tier[g->n++] = tiers[i];
			}
		if (g->n > start)
			g->group_start[g->ngroups++] = start;
	}
	g->group_start[g->ngroups] = g->n;
}

static bool has_suffix_cols(struct rpt_plot_input *in, const char *suffix)
{
	int cols[MAX_SERIES];
	const struct rpt_table *t = series(in);
	return t && keep_defined(t, cols, cols_with_suffix(t, suffix, cols, MAX_SERIES)) > 0;
}

static int node_data(struct rpt_plot_input *in, const char *suffix, FILE *out)
{
	const struct rpt_table *t = series(in);
	struct node_groups g;
	group_nodes(in, t, suffix, &g);
	return write_columns(t, g.cols, g.n, out);
}

/* One panel per tier, its nodes in shades of the tier's colour. */
static int node_script(struct rpt_plot_input *in, const struct rpt_figure *fig, const char *what,
		       const char *suffix, const char *ylabel, double scale, FILE *out)
{
	const struct rpt_table *t = series(in);
	struct node_groups g;
	group_nodes(in, t, suffix, &g);
	rpt_plot_script_begin(out, in, fig, what);
	const char *x = rpt_plot_time_axis(out, in);
	size_t rows = g.ngroups <= 2 ? g.ngroups : (g.ngroups + 1) / 2;
	size_t cols = g.ngroups <= 2 ? 1 : 2;
	fprintf(out, "set multiplot layout %zu,%zu title title_text font \",20\"\n", rows, cols);
	fprintf(out, "set ylabel \"%s\"\n", ylabel);
	for (size_t k = 0; k < g.ngroups; k++) {
		size_t from = g.group_start[k], to = g.group_start[k + 1];
		enum model_tier tier = g.tier[from];
		double max = NAN;
		for (size_t i = from; i < to; i++) {
			double m = col_max(t, g.cols[i]);
			if (!isnan(m) && !(m <= max))
				max = m;
		}
		fprintf(out, "set title \"%s tier (%zu node%s)\" font \",16\"\n",
			tier < TIER_COUNT ? model_tier_name(tier) : "other", to - from,
			to - from == 1 ? "" : "s");
		if (scale == 100)
			fputs("set yrange [0:100]\n", out);
		else
			y_from_zero(out, max);
		size_t n = 0;
		for (size_t i = from; i < to; i++) {
			char colour[8], node[64];
			const char *name = t->names[g.cols[i]];
			rpt_plot_node_colour(tier, i - from, to - from, colour);
			stem(name, suffix, node, sizeof node);
			rpt_plot_next(out, &n);
			fprintf(out, "\"%s.dat\" using %s:(%s*", fig->name, x, scale == 100 ? "100" : "1");
			col_ref(out, name);
			fprintf(out, ") with lines lw 2 dt %zu lc rgb \"%s\" title ", 1 + (i - from) % 3,
				colour);
			rpt_plot_quote(out, node);
		}
		if (k == 0 && g.ngroups == 1)
			rpt_plot_time_keys(out, in, &n);
		fputc('\n', out);
		if (k == 0)
			fputs("unset label\n", out); /* incident labels on the first panel only */
	}
	fputs("unset multiplot\n", out);
	rpt_plot_script_end(out);
	return ferror(out) ? -1 : 0;
}

static bool util_wanted(struct rpt_plot_input *in) { return has_suffix_cols(in, "_utilization"); }
static int util_data(struct rpt_plot_input *in, FILE *out)
{
	return node_data(in, "_utilization", out);
}
static int util_script(struct rpt_plot_input *in, FILE *out)
{
	return node_script(in, &rpt_fig_utilization, "utilization per node over time",
			   "_utilization", "utilization (%)", 100, out);
}
const struct rpt_figure rpt_fig_utilization = {"utilization", util_wanted, util_data,
					       util_script};

static bool queue_wanted(struct rpt_plot_input *in) { return has_suffix_cols(in, "_queue"); }
static int queue_data(struct rpt_plot_input *in, FILE *out)
{
	return node_data(in, "_queue", out);
}
static int queue_script(struct rpt_plot_input *in, FILE *out)
{
	return node_script(in, &rpt_fig_queues, "queue length per node over time", "_queue",
			   "mean jobs waiting", 1, out);
}
const struct rpt_figure rpt_fig_queues = {"queues", queue_wanted, queue_data, queue_script};

/* ---------------------------------------------------------------- replica lag */

#define LAG_SUFFIX "_lag_s"

static bool lag_wanted(struct rpt_plot_input *in) { return has_suffix_cols(in, LAG_SUFFIX); }

static int lag_data(struct rpt_plot_input *in, FILE *out)
{
	const struct rpt_table *t = series(in);
	int cols[MAX_SERIES];
	size_t n = keep_defined(t, cols, cols_with_suffix(t, LAG_SUFFIX, cols, MAX_SERIES));
	return write_columns(t, cols, n, out);
}

static int lag_script(struct rpt_plot_input *in, FILE *out)
{
	const struct rpt_table *t = series(in);
	int cols[MAX_SERIES];
	size_t n = keep_defined(t, cols, cols_with_suffix(t, LAG_SUFFIX, cols, MAX_SERIES));
	double max_lag = rpt_plot_opts(in)->max_lag_s;
	double max = max_lag > 0 ? max_lag : NAN;
	for (size_t i = 0; i < n; i++) {
		double m = col_max(t, cols[i]);
		if (!isnan(m) && !(m <= max))
			max = m;
	}
	rpt_plot_script_begin(out, in, &rpt_fig_lag, "replication lag per replica over time");
	const char *x = rpt_plot_time_axis(out, in);
	fputs("set title title_text\n"
	      "set ylabel \"replication lag (s)\"\n",
	      out);
	y_from_zero(out, max);
	size_t np = 0;
	for (size_t i = 0; i < n; i++) {
		char colour[8], node[64];
		stem(t->names[cols[i]], LAG_SUFFIX, node, sizeof node);
		rpt_plot_node_colour(rpt_plot_node_tier(in, node), i, n, colour);
		rpt_plot_next(out, &np);
		fprintf(out, "\"lag.dat\" using %s:", x);
		col_ref(out, t->names[cols[i]]);
		fprintf(out, " with lines lw 2 dt %zu lc rgb \"%s\" title ", 1 + i % 3, colour);
		rpt_plot_quote(out, node);
	}
	if (max_lag > 0) {
		rpt_plot_next(out, &np);
		fprintf(out, "%.10g with lines dt 2 lw 2 lc rgb \"#555555\" title \"max_lag %.6g s\"",
			max_lag, max_lag);
	}
	rpt_plot_time_keys(out, in, &np);
	fputc('\n', out);
	rpt_plot_script_end(out);
	return ferror(out) ? -1 : 0;
}

const struct rpt_figure rpt_fig_lag = {"lag", lag_wanted, lag_data, lag_script};

/* ---------------------------------------------------------------- latency CDF */

/* latency_cdf.csv is long (class,quantile,latency_ms); the data file is wide:
 * quantile, then CLASS_ms per class in file order ("all" first). */
struct cdf_view {
	const struct rpt_table *t;
	int cclass, cq, cms;
	size_t nclasses;
	const char *classes[1 + WL_MAX_CLASSES];
};

static bool cdf_view(struct rpt_plot_input *in, struct cdf_view *v)
{
	v->t = rpt_plot_table(in, CDF_FILE);
	if (!v->t)
		return false;
	v->cclass = rpt_table_col(v->t, "class");
	v->cq = rpt_table_col(v->t, "quantile");
	v->cms = rpt_table_col(v->t, "latency_ms");
	if (v->cclass < 0 || v->cq < 0 || v->cms < 0)
		return false;
	v->nclasses = 0;
	for (size_t r = 0; r < v->t->nrows; r++) {
		const char *c = rpt_table_cell(v->t, r, (size_t)v->cclass);
		size_t k = 0;
		while (k < v->nclasses && strcmp(v->classes[k], c))
			k++;
		if (k == v->nclasses && k < sizeof v->classes / sizeof v->classes[0])
			v->classes[v->nclasses++] = c;
	}
	return v->nclasses > 0;
}

/* The latency of class k at the quantile printed as q; "" when absent. */
static const char *cdf_cell(const struct cdf_view *v, size_t k, const char *q, double *value)
{
	for (size_t r = 0; r < v->t->nrows; r++)
		if (!strcmp(rpt_table_cell(v->t, r, (size_t)v->cclass), v->classes[k]) &&
		    !strcmp(rpt_table_cell(v->t, r, (size_t)v->cq), q)) {
			*value = rpt_table_value(v->t, r, (size_t)v->cms);
			return rpt_table_cell(v->t, r, (size_t)v->cms);
		}
	*value = NAN;
	return "";
}

/* Class k has a latency somewhere (a class without completions has none). */
static bool cdf_defined(const struct cdf_view *v, size_t k)
{
	for (size_t r = 0; r < v->t->nrows; r++)
		if (!strcmp(rpt_table_cell(v->t, r, (size_t)v->cclass), v->classes[k]) &&
		    !isnan(rpt_table_value(v->t, r, (size_t)v->cms)))
			return true;
	return false;
}

static bool cdf_wanted(struct rpt_plot_input *in)
{
	struct cdf_view v;
	return cdf_view(in, &v) && cdf_defined(&v, 0);
}

static int cdf_data(struct rpt_plot_input *in, FILE *out)
{
	struct cdf_view v;
	cdf_view(in, &v);
	rpt_plot_dat_cell(out, true, "quantile");
	for (size_t k = 0; k < v.nclasses; k++) {
		char name[MODEL_NAME_MAX + 8];
		snprintf(name, sizeof name, "%s_ms", v.classes[k]);
		rpt_plot_dat_cell(out, false, name);
	}
	fputc('\n', out);
	/* the quantiles of the first class, in its order */
	for (size_t r = 0; r < v.t->nrows; r++) {
		if (strcmp(rpt_table_cell(v.t, r, (size_t)v.cclass), v.classes[0]))
			continue;
		const char *q = rpt_table_cell(v.t, r, (size_t)v.cq);
		rpt_plot_dat_cell(out, true, q);
		for (size_t k = 0; k < v.nclasses; k++) {
			double x;
			rpt_plot_dat_cell(out, false, cdf_cell(&v, k, q, &x));
		}
		fputc('\n', out);
	}
	return ferror(out) ? -1 : 0;
}

/* y is the share of requests answered within x, on a "nines" scale
 * (-log10(1 - q)): the tail, where reviews look, gets as much room as the
 * body; x is log too, since latencies span decades. */
static int cdf_script(struct rpt_plot_input *in, FILE *out)
{
	struct cdf_view v;
	cdf_view(in, &v);
	rpt_plot_script_begin(out, in, &rpt_fig_cdf, "response time distribution per class");
	fputs("set title title_text\n"
	      "set xlabel \"response time (ms, log scale)\"\n"
	      "set ylabel \"requests answered within (%)\"\n"
	      "set logscale x\n"
	      "set autoscale xfix\n"
	      "set yrange [0:4.05]\n"
	      "set ytics (\"0\" 0, \"50\" log10(2), \"75\" log10(4), \"90\" 1, \"99\" 2, "
	      "\"99.9\" 3, \"99.99\" 4)\n"
	      "nines(q) = -log10(1 - q)\n",
	      out);
	size_t n = 0;
	slo_marks(out, in, NULL);
	for (size_t k = 0; k < v.nclasses; k++) {
		if (!cdf_defined(&v, k))
			continue;
		char name[MODEL_NAME_MAX + 8];
		snprintf(name, sizeof name, "%s_ms", v.classes[k]);
		bool all = k == 0 && !strcmp(v.classes[0], "all");
		rpt_plot_next(out, &n);
		fputs("\"cdf.dat\" using ", out);
		col_ref(out, name);
		fprintf(out, ":(nines(column(\"quantile\"))) with lines lw %d lc rgb \"%s\" title ",
			all ? 3 : 2, all ? RPT_PLOT_ALL_COLOUR : rpt_plot_series_colour(2 + k));
		rpt_plot_quote(out, all ? "all requests" : v.classes[k]);
	}
	slo_marks(out, in, &n);
	fputc('\n', out);
	rpt_plot_script_end(out);
	return ferror(out) ? -1 : 0;
}

const struct rpt_figure rpt_fig_cdf = {"cdf", cdf_wanted, cdf_data, cdf_script};

/* ---------------------------------------------------------------- node counts */

/* TIER_nodes columns with a count, tiers in order; drawn only when a count
 * changes (scaling). */
static size_t count_cols(const struct rpt_table *t, int *cols, enum model_tier *tiers)
{
	size_t n = 0;
	for (int tier = 0; t && tier < TIER_COUNT; tier++) {
		char name[32];
		snprintf(name, sizeof name, "%s_nodes", model_tier_name((enum model_tier)tier));
		int c = rpt_table_col(t, name);
		if (c >= 0 && col_defined(t, c)) {
			cols[n] = c;
			tiers[n++] = (enum model_tier)tier;
		}
	}
	return n;
}

static bool nodes_wanted(struct rpt_plot_input *in)
{
	const struct rpt_table *t = series(in);
	int cols[TIER_COUNT];
	enum model_tier tiers[TIER_COUNT];
	size_t n = count_cols(t, cols, tiers);
	for (size_t i = 0; i < n; i++) {
		double first = NAN;
		for (size_t r = 0; r < t->nrows; r++) {
			double x = rpt_table_value(t, r, (size_t)cols[i]);
			if (isnan(x))
				continue;
			if (isnan(first))
				first = x;
			else if (x != first)
				return true;
		}
	}
	return false;
}

static int nodes_data(struct rpt_plot_input *in, FILE *out)
{
	const struct rpt_table *t = series(in);
	int cols[TIER_COUNT];
	enum model_tier tiers[TIER_COUNT];
	size_t n = count_cols(t, cols, tiers);
	return write_columns(t, cols, n, out);
}

static int nodes_script(struct rpt_plot_input *in, FILE *out)
{
	const struct rpt_table *t = series(in);
	int cols[TIER_COUNT];
	enum model_tier tiers[TIER_COUNT];
	size_t n = count_cols(t, cols, tiers);
	double max = 0;
	for (size_t i = 0; i < n; i++) {
		double m = col_max(t, cols[i]);
		if (m > max)
			max = m;
	}
	rpt_plot_script_begin(out, in, &rpt_fig_nodes, "nodes per tier over time");
	const char *x = rpt_plot_time_axis(out, in);
	fprintf(out,
		"set title title_text\n"
		"set ylabel \"nodes\"\n"
		"set yrange [0:%.10g]\n"
		"set ytics %s\n",
		max + 1, max <= 20 ? "1" : "autofreq");
	size_t np = 0;
	for (size_t i = 0; i < n; i++) {
		rpt_plot_next(out, &np);
		fprintf(out, "\"nodes.dat\" using %s:", x);
		col_ref(out, t->names[cols[i]]);
		fprintf(out, " with steps lw 3 lc rgb \"%s\" title \"%s\"",
			rpt_plot_tier_colour(tiers[i]), model_tier_name(tiers[i]));
	}
	rpt_plot_time_keys(out, in, &np);
	fputc('\n', out);
	rpt_plot_script_end(out);
	return ferror(out) ? -1 : 0;
}

const struct rpt_figure rpt_fig_nodes = {"nodes", nodes_wanted, nodes_data, nodes_script};
