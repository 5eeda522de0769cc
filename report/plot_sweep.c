/* The figures of a sweep, from sweep.json of its folder (docs/plots.md):
 * the capacity curve (p99 against offered load, a line per configuration,
 * each knee marked), availability against the varied parameter, and a heat
 * map of p99 when exactly two parameters vary.
 *
 * The grid is read from `vary` and each point's `values`, never from the
 * point's position, so a shard's folder (some points only) draws what it
 * has.  A "configuration" is one combination of the values of the axes
 * other than the one on the x axis.  Data files copy the sweep's numbers
 * with the JSON's 10 significant digits. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/results.h"
#include "plot_figure.h"
#include "sim/units.h"

#define SWEEP "sweep.json"
#define RATE_KEY "workload.rate"
#define MAX_AXES 16
/* The knee: the last load before p99 first exceeds KNEE_FACTOR times its
 * value at the curve's lowest load. */
#define KNEE_FACTOR 2.0
/* Heat map cells labelled with their p99 up to this many cells. */
#define MAX_LABELLED_CELLS 150
/* Tic labels per axis at most (every k-th value beyond). */
#define MAX_TICS 16

struct axis {
	const char *key;
	json_t *values;
	size_t n;
	bool numeric;                  /* every value a number, rate or duration */
	const char *unit;              /* of the numbers: "requests/s", "s", "" */
	double *x;                     /* [n] the values as numbers (numeric) */
};

struct grid {
	json_t *doc;
	size_t naxes;
	struct axis axes[MAX_AXES];
	json_t *points;
	int xaxis;                     /* the x axis: the rate's, else the last */
	int rate;                      /* the workload.rate axis, or -1 */
	size_t nconf;                  /* configurations: product of the other axes */
	size_t *order;                 /* [axes[xaxis].n] x positions by increasing x */
};

/* A value of an axis as a number: a plain real, a rate (per second) or a
 * duration (seconds). */
static bool axis_number(const char *text, double *x, const char **unit)
{
	struct sim_parse_error err;
	int64_t ns;
	if (!sim_parse_real(text, x, &err)) {
		*unit = "";
		return true;
	}
	if (!sim_parse_rate_per_s(text, x, &err)) {
		*unit = "requests/s";
		return true;
	}
	if (!sim_parse_duration_ns(text, &ns, &err)) {
		*x = (double)ns / 1e9;
		*unit = "s";
		return true;
	}
	return false;
}

static void grid_free(struct grid *g)
{
	for (size_t a = 0; a < g->naxes; a++)
		free(g->axes[a].x);
	free(g->order);
	memset(g, 0, sizeof *g);
}

static const struct grid *sort_grid; /* qsort has no context argument */

static int by_x(const void *pa, const void *pb)
{
	const struct axis *ax = &sort_grid->axes[sort_grid->xaxis];
	double a = ax->x[*(const size_t *)pa], b = ax->x[*(const size_t *)pb];
	return a < b ? -1 : a > b;
}

/* The grid of the folder's sweep.json; false when it has none (no file, or
 * no points to draw). */
static bool grid_read(struct rpt_plot_input *in, struct grid *g)
{
	memset(g, 0, sizeof *g);
	g->doc = rpt_plot_json(in, SWEEP);
	json_t *vary = json_object_get(g->doc, "vary");
	g->points = json_object_get(g->doc, "points");
	if (!json_array_size(vary) || json_array_size(vary) > MAX_AXES ||
	    !json_array_size(g->points))
		return false;
	g->naxes = json_array_size(vary);
	g->rate = -1;
	bool ok = true;
	for (size_t a = 0; a < g->naxes; a++) {
		struct axis *ax = &g->axes[a];
		json_t *v = json_array_get(vary, a);
		ax->key = json_string_value(json_object_get(v, "key"));
		ax->values = json_object_get(v, "values");
		ax->n = json_array_size(ax->values);
		ax->x = calloc(ax->n ? ax->n : 1, sizeof *ax->x);
		if (!ax->key || !ax->n || !ax->x) {
			ok = false;
			continue;
		}
		ax->numeric = true;
		for (size_t i = 0; i < ax->n; i++) {
			const char *text = json_string_value(json_array_get(ax->values, i));
			const char *unit = "";
			if (!text || !axis_number(text, &ax->x[i], &unit) ||
			    (i && strcmp(unit, ax->unit)))
				ax->numeric = false;
			ax->unit = unit;
		}
		if (!ax->numeric)
			for (size_t i = 0; i < ax->n; i++)
				ax->x[i] = (double)i;
		if (!strcmp(ax->key, RATE_KEY))
			g->rate = (int)a;
	}
	if (!ok) {
		grid_free(g);
		return false;
	}
	g->xaxis = g->rate >= 0 ? g->rate : (int)g->naxes - 1;
	g->nconf = 1;
	for (size_t a = 0; a < g->naxes; a++)
		if ((int)a != g->xaxis)
			g->nconf *= g->axes[a].n;
	struct axis *xa = &g->axes[g->xaxis];
	g->order = malloc(xa->n * sizeof *g->order);
	if (!g->order) {
		grid_free(g);
		return false;
	}
	for (size_t i = 0; i < xa->n; i++)
		g->order[i] = i;
	sort_grid = g;
	qsort(g->order, xa->n, sizeof *g->order, by_x);
	return true;
}

/* The position of a point's value on axis a; -1 when not one of its values. */
static long value_pos(const struct grid *g, const json_t *point, size_t a)
{
	const char *v = json_string_value(json_array_get(json_object_get(point, "values"), a));
	for (size_t i = 0; v && i < g->axes[a].n; i++)
		if (!strcmp(v, json_string_value(json_array_get(g->axes[a].values, i))))
			return (long)i;
	return -1;
}

/* The point at x position xi of configuration c; NULL when the folder lacks it. */
static json_t *point_at(const struct grid *g, size_t c, size_t xi)
{
	size_t k;
	json_t *p;
	json_array_foreach(g->points, k, p) {
		if (value_pos(g, p, (size_t)g->xaxis) != (long)xi)
			continue;
		size_t rest = c;
		bool match = true;
		for (size_t a = g->naxes; match && a-- > 0;) {
			if ((int)a == g->xaxis)
				continue;
			match = value_pos(g, p, a) == (long)(rest % g->axes[a].n);
			rest /= g->axes[a].n;
		}
		if (match)
			return p;
	}
	return NULL;
}

/* "app.nodes=2, db.nodes=3"; "all points" with one axis. */
static void conf_label(const struct grid *g, size_t c, char *buf, size_t len)
{
	size_t pos[MAX_AXES], rest = c, used = 0;
	for (size_t a = g->naxes; a-- > 0;) {
		if ((int)a == g->xaxis)
			continue;
		pos[a] = rest % g->axes[a].n;
		rest /= g->axes[a].n;
	}
	buf[0] = '\0';
	for (size_t a = 0; a < g->naxes; a++) {
		if ((int)a == g->xaxis)
			continue;
		int w = snprintf(buf + used, len - used, "%s%s=%s", used ? ", " : "", g->axes[a].key,
				 json_string_value(json_array_get(g->axes[a].values, pos[a])));
		if (w < 0 || (size_t)w >= len - used)
			break;
		used += (size_t)w;
	}
	if (!used)
		snprintf(buf, len, "every point");
}

/* Configuration c has a 95% CI of key somewhere (none with one replication):
 * a series without a point would make gnuplot warn. */
static bool has_ci(const struct grid *g, size_t c, const char *key)
{
	for (size_t xi = 0; xi < g->axes[g->xaxis].n; xi++) {
		json_t *ci = json_object_get(json_object_get(point_at(g, c, xi), key), "ci95");
		if (json_is_number(json_array_get(ci, 0)) && json_is_number(json_array_get(ci, 1)))
			return true;
	}
	return false;
}

static double stat_mean(const json_t *p, const char *key)
{
	return rpt_json_number(json_object_get(p, key), "mean");
}

/* Configuration c has a value of key at some load: a shard's folder may
 * lack every point of a configuration, which then has no line. */
static bool has_value(const struct grid *g, size_t c, const char *key)
{
	for (size_t xi = 0; xi < g->axes[g->xaxis].n; xi++)
		if (!isnan(stat_mean(point_at(g, c, xi), key)))
			return true;
	return false;
}

/* The x axis: its label, its range, and tic labels for an axis of names. */
static void x_axis(FILE *out, const struct grid *g, bool from_zero)
{
	const struct axis *xa = &g->axes[g->xaxis];
	if (g->xaxis == g->rate)
		fputs("set xlabel \"offered load (requests/s)\"\n", out);
	else {
		fprintf(out, "set xlabel ");
		char text[200];
		snprintf(text, sizeof text, "%s%s%s%s", xa->key, *xa->unit ? " (" : "", xa->unit,
			 *xa->unit ? ")" : "");
		rpt_plot_quote(out, text);
		fputc('\n', out);
	}
	if (!xa->numeric) {
		fputs("set xtics (", out);
		for (size_t i = 0; i < xa->n; i++) {
			fputs(i ? ", " : "", out);
			rpt_plot_quote(out, json_string_value(json_array_get(xa->values, i)));
			fprintf(out, " %zu", i);
		}
		fprintf(out, ")\nset xrange [-0.5:%zu.5]\n", xa->n - 1);
	} else if (g->xaxis != g->rate && xa->n <= MAX_TICS) {
		/* a few values (node counts): a tic at each, as given */
		fputs("set xtics (", out);
		for (size_t i = 0; i < xa->n; i++) {
			fputs(i ? ", " : "", out);
			rpt_plot_quote(out, json_string_value(json_array_get(xa->values, i)));
			fprintf(out, " %.10g", xa->x[i]);
		}
		fputs(")\n", out);
	}
	if (!xa->numeric)
		return;
	/* the whole grid's range (a shard's folder may have one value), from 0
	 * for the load; never empty */
	double lo = INFINITY, hi = -INFINITY;
	for (size_t i = 0; i < xa->n; i++) {
		lo = fmin(lo, xa->x[i]);
		hi = fmax(hi, xa->x[i]);
	}
	if (from_zero && lo > 0)
		lo = 0;
	double pad = hi > lo ? (hi - lo) * 0.04 : (hi ? fabs(hi) * 0.1 : 1);
	fprintf(out, "set xrange [%.10g:%.10g]\n", from_zero && lo == 0 ? 0 : lo - pad, hi + pad);
}

/* A sweep.json number the sweep printed, for a .dat cell. */
static void cell(FILE *out, const json_t *p, const char *key, const char *sub, int ci)
{
	const json_t *v = json_object_get(json_object_get(p, key), sub);
	if (ci >= 0)
		v = json_array_get(v, (size_t)ci);
	rpt_plot_dat_json(out, false, p ? v : NULL);
}

/* Header and first column of a figure with a row per x value. */
static void x_cell(FILE *out, const struct grid *g, size_t xi)
{
	rpt_plot_dat_real(out, true, g->axes[g->xaxis].x[xi]);
	rpt_plot_dat_cell(out, false, json_string_value(json_array_get(g->axes[g->xaxis].values,
									xi)));
}

/* ---------------------------------------------------------------- the capacity curve */

static bool capacity_wanted(struct rpt_plot_input *in)
{
	struct grid g;
	if (!grid_read(in, &g))
		return false;
	bool ok = g.rate >= 0;
	grid_free(&g);
	return ok;
}

/* The knee of configuration c: the x position of the last load before p99
 * first exceeds KNEE_FACTOR x its value at the lowest load; -1 when it never
 * does within the sweep. */
static long knee(const struct grid *g, size_t c)
{
	const struct axis *xa = &g->axes[g->xaxis];
	double base = NAN;
	long last = -1;
	for (size_t k = 0; k < xa->n; k++) {
		size_t xi = g->order[k];
		double p99 = stat_mean(point_at(g, c, xi), "latency_p99_ms");
		if (isnan(p99))
			continue;
		if (isnan(base))
			base = p99;
		else if (p99 > KNEE_FACTOR * base)
			return last;
		last = (long)xi;
	}
	return -1;
}

/* offered_rps, rate (as given), then per configuration K (from 1): p99_ms_K,
 * p99_lo_K, p99_hi_K (its 95% CI) and knee_ms_K (the p99 on the knee's row). */
static int capacity_data(struct rpt_plot_input *in, FILE *out)
{
	struct grid g;
	if (!grid_read(in, &g))
		return -1;
	long *knees = calloc(g.nconf, sizeof *knees);
	if (!knees) {
		grid_free(&g);
		return -1;
	}
	fputs("offered_rps\trate", out);
	for (size_t c = 0; c < g.nconf; c++) {
		fprintf(out, "\tp99_ms_%zu\tp99_lo_%zu\tp99_hi_%zu\tknee_ms_%zu", c + 1, c + 1, c + 1,
			c + 1);
		knees[c] = knee(&g, c);
	}
	fputc('\n', out);
	for (size_t k = 0; k < g.axes[g.xaxis].n; k++) {
		size_t xi = g.order[k];
		x_cell(out, &g, xi);
		for (size_t c = 0; c < g.nconf; c++) {
			json_t *p = point_at(&g, c, xi);
			cell(out, p, "latency_p99_ms", "mean", -1);
			cell(out, p, "latency_p99_ms", "ci95", 0);
			cell(out, p, "latency_p99_ms", "ci95", 1);
			cell(out, knees[c] == (long)xi ? p : NULL, "latency_p99_ms", "mean", -1);
		}
		fputc('\n', out);
	}
	free(knees);
	grid_free(&g);
	return ferror(out) ? -1 : 0;
}

static int capacity_script(struct rpt_plot_input *in, FILE *out)
{
	struct grid g;
	if (!grid_read(in, &g))
		return -1;
	rpt_plot_script_begin(out, in, &rpt_fig_capacity,
			      "capacity curve, p99 response time against offered load");
	fputs("set title title_text\n"
	      "set ylabel \"p99 response time (ms, log scale)\"\n"
	      "set logscale y\n",
	      out);
	x_axis(out, &g, true);
	size_t n = 0;
	bool any_ci = false, any_knee = false;
	for (size_t c = 0; c < g.nconf; c++) {
		char label[512];
		conf_label(&g, c, label, sizeof label);
		const char *colour = rpt_plot_series_colour(c);
		if (!has_value(&g, c, "latency_p99_ms"))
			continue;
		bool ci = has_ci(&g, c, "latency_p99_ms"), kn = knee(&g, c) >= 0;
		any_ci = any_ci || ci;
		any_knee = any_knee || kn;
		/* the bars first: their centre mark is drawn hollow, the line's
		 * filled point goes on top */
		if (ci) {
			rpt_plot_next(out, &n);
			fprintf(out, "\"capacity.dat\" using \"offered_rps\":\"p99_ms_%zu\":"
				"\"p99_lo_%zu\":\"p99_hi_%zu\" with yerrorbars lw 1.5 pt 7 ps 0 "
				"lc rgb \"%s\" notitle", c + 1, c + 1, c + 1, colour);
		}
		rpt_plot_next(out, &n);
		fprintf(out, "\"capacity.dat\" using \"offered_rps\":\"p99_ms_%zu\" with linespoints "
			"lw 2 pt 7 ps 1.2 lc rgb \"%s\" title ", c + 1, colour);
		rpt_plot_quote(out, label);
		if (kn) {
			rpt_plot_next(out, &n);
			fprintf(out, "\"capacity.dat\" using \"offered_rps\":\"knee_ms_%zu\" with points "
				"pt 6 ps 3.5 lw 2.5 lc rgb \"#000000\" notitle", c + 1);
		}
	}
	if (any_knee) {
		rpt_plot_next(out, &n);
		fprintf(out, "keyentry with points pt 6 ps 3.5 lw 2.5 lc rgb \"#000000\" "
			"title \"knee (p99 > %gx beyond)\"", KNEE_FACTOR);
	}
	if (any_ci) {
		rpt_plot_next(out, &n);
		fputs("keyentry with yerrorbars lw 1.5 pt 7 ps 0 lc rgb \"#555555\" title \"95% CI\"",
		      out);
	}
	rpt_plot_slo_lines(out, json_object_get(json_array_get(g.points, 0), "slo"), &n);
	fputc('\n', out);
	rpt_plot_script_end(out);
	grid_free(&g);
	return ferror(out) ? -1 : 0;
}

const struct rpt_figure rpt_fig_capacity = {"capacity", capacity_wanted, capacity_data,
					    capacity_script};

/* ---------------------------------------------------------------- availability */

static bool availability_wanted(struct rpt_plot_input *in)
{
	struct grid g;
	bool ok = grid_read(in, &g);
	grid_free(&g);
	return ok;
}

/* x (the value as a number, or its position for names), value (as given),
 * then per configuration K: availability_K, availability_lo_K,
 * availability_hi_K (fractions, as sweep.json has them). */
static int availability_data(struct rpt_plot_input *in, FILE *out)
{
	struct grid g;
	if (!grid_read(in, &g))
		return -1;
	fputs("x\tvalue", out);
	for (size_t c = 0; c < g.nconf; c++)
		fprintf(out, "\tavailability_%zu\tavailability_lo_%zu\tavailability_hi_%zu", c + 1,
			c + 1, c + 1);
	fputc('\n', out);
	for (size_t k = 0; k < g.axes[g.xaxis].n; k++) {
		size_t xi = g.order[k];
		x_cell(out, &g, xi);
		for (size_t c = 0; c < g.nconf; c++) {
			json_t *p = point_at(&g, c, xi);
			cell(out, p, "availability", "mean", -1);
			cell(out, p, "availability", "ci95", 0);
			cell(out, p, "availability", "ci95", 1);
		}
		fputc('\n', out);
	}
	grid_free(&g);
	return ferror(out) ? -1 : 0;
}

static int availability_script(struct rpt_plot_input *in, FILE *out)
{
	struct grid g;
	if (!grid_read(in, &g))
		return -1;
	/* the y range: from a little below the lowest value (or the SLO) to
	 * 100%, never empty */
	double low = 100;
	size_t k;
	json_t *p;
	json_array_foreach(g.points, k, p) {
		json_t *avail = json_object_get(p, "availability");
		double a = 100 * rpt_json_number(avail, "mean");
		json_t *cl = json_array_get(json_object_get(avail, "ci95"), 0);
		if (!isnan(a) && a < low)
			low = a;
		if (json_is_number(cl) && 100 * json_number_value(cl) < low)
			low = 100 * json_number_value(cl);
	}
	json_t *checks = json_object_get(json_array_get(g.points, 0), "slo");
	json_t *c;
	json_array_foreach(checks, k, c) {
		const char *metric = json_string_value(json_object_get(c, "metric"));
		double target = 100 * rpt_json_number(c, "target");
		if (metric && !strcmp(metric, "availability") && target < low)
			low = target;
	}
	double pad = (100 - low) * 0.1 + 0.01;
	char what[160];
	snprintf(what, sizeof what, "availability against %s",
		 g.xaxis == g.rate ? "offered load" : g.axes[g.xaxis].key);
	rpt_plot_script_begin(out, in, &rpt_fig_sweep_availability, what);
	fputs("set title title_text\n"
	      "set ylabel \"availability (%)\"\n"
	      "set format y \"%.3f\"\n",
	      out);
	fprintf(out, "set yrange [%.10g:%.10g]\n", low - pad, 100 + pad);
	x_axis(out, &g, false);
	size_t n = 0;
	bool any_ci = false;
	for (size_t cf = 0; cf < g.nconf; cf++) {
		char label[512];
		conf_label(&g, cf, label, sizeof label);
		const char *colour = rpt_plot_series_colour(cf);
		if (!has_value(&g, cf, "availability"))
			continue;
		if (has_ci(&g, cf, "availability")) { /* first, as on the capacity curve */
			any_ci = true;
			rpt_plot_next(out, &n);
			fprintf(out, "\"sweep_availability.dat\" using \"x\":"
				"(100*column(\"availability_%zu\")):(100*column(\"availability_lo_%zu\")):"
				"(100*column(\"availability_hi_%zu\")) with yerrorbars lw 1.5 pt 7 ps 0 "
				"lc rgb \"%s\" notitle", cf + 1, cf + 1, cf + 1, colour);
		}
		rpt_plot_next(out, &n);
		fprintf(out, "\"sweep_availability.dat\" using \"x\":(100*column(\"availability_%zu\")) "
			"with linespoints lw 2 pt 7 ps 1.2 lc rgb \"%s\" title ", cf + 1, colour);
		rpt_plot_quote(out, label);
	}
	if (any_ci) {
		rpt_plot_next(out, &n);
		fputs("keyentry with yerrorbars lw 1.5 pt 7 ps 0 lc rgb \"#555555\" title \"95% CI\"",
		      out);
	}
	json_array_foreach(checks, k, c) {
		const char *metric = json_string_value(json_object_get(c, "metric"));
		double target = rpt_json_number(c, "target");
		if (!metric || strcmp(metric, "availability") || isnan(target))
			continue;
		char text[96];
		snprintf(text, sizeof text, "SLO availability \u2265 %.6g%%", 100 * target);
		rpt_plot_next(out, &n);
		fprintf(out, "%.10g with lines dt 2 lw 2 lc rgb \"#555555\" title ", 100 * target);
		rpt_plot_quote(out, text);
	}
	fputc('\n', out);
	rpt_plot_script_end(out);
	grid_free(&g);
	return ferror(out) ? -1 : 0;
}

const struct rpt_figure rpt_fig_sweep_availability = {
	"sweep_availability", availability_wanted, availability_data, availability_script};

/* ---------------------------------------------------------------- the heat map */

static bool heatmap_wanted(struct rpt_plot_input *in)
{
	struct grid g;
	bool ok = grid_read(in, &g) && g.naxes == 2;
	grid_free(&g);
	return ok;
}

/* x_pos, y_pos (positions on the x axis and the other axis), x_value,
 * y_value (as given), latency_p99_ms (sweep.json's mean), slo_met (1, 0),
 * label (the cell's text, p99 to 3 digits): one row per point of the folder. */
static int heatmap_data(struct rpt_plot_input *in, FILE *out)
{
	struct grid g;
	if (!grid_read(in, &g))
		return -1;
	int ya = 1 - g.xaxis;
	fputs("x_pos\ty_pos\tx_value\ty_value\tlatency_p99_ms\tslo_met\tlabel\n", out);
	size_t k;
	json_t *p;
	json_array_foreach(g.points, k, p) {
		long xi = value_pos(&g, p, (size_t)g.xaxis), yi = value_pos(&g, p, (size_t)ya);
		if (xi < 0 || yi < 0)
			continue;
		double p99 = stat_mean(p, "latency_p99_ms");
		bool met = json_is_true(json_object_get(p, "slo_met"));
		fprintf(out, "%ld\t%ld", xi, yi);
		rpt_plot_dat_cell(out, false, json_string_value(json_array_get(g.axes[g.xaxis].values,
										(size_t)xi)));
		rpt_plot_dat_cell(out, false, json_string_value(json_array_get(g.axes[ya].values,
										(size_t)yi)));
		cell(out, p, "latency_p99_ms", "mean", -1);
		fprintf(out, "\t%d\t", met ? 1 : 0);
		if (isnan(p99))
			fputs("-", out);
		else
			fprintf(out, p99 < 100 ? "%.3g" : "%.0f", p99);
		fputc('\n', out);
	}
	grid_free(&g);
	return ferror(out) ? -1 : 0;
}

/* Explicit tic labels at positions, at most MAX_TICS of them. */
static void pos_tics(FILE *out, const char *which, const struct axis *ax)
{
	size_t step = (ax->n + MAX_TICS - 1) / MAX_TICS;
	fprintf(out, "set %stics (", which);
	for (size_t i = 0; i < ax->n; i += step) {
		fputs(i ? ", " : "", out);
		rpt_plot_quote(out, json_string_value(json_array_get(ax->values, i)));
		fprintf(out, " %zu", i);
	}
	fprintf(out, ")\nset %srange [-0.5:%zu.5]\n", which, ax->n - 1);
	if (which[0] == 'x' && (ax->n + step - 1) / step > 6) /* would run into each other */
		fputs("set xtics rotate by 30 right\n", out);
}

static void axis_label(FILE *out, const char *which, const struct axis *ax, bool rate)
{
	char text[200];
	if (rate)
		snprintf(text, sizeof text, "offered load (%s, requests/s)", ax->key);
	else
		snprintf(text, sizeof text, "%s%s%s%s", ax->key, *ax->unit ? " (" : "", ax->unit,
			 *ax->unit ? ")" : "");
	fprintf(out, "set %slabel ", which);
	rpt_plot_quote(out, text);
	fputc('\n', out);
}

static int heatmap_script(struct rpt_plot_input *in, FILE *out)
{
	struct grid g;
	if (!grid_read(in, &g))
		return -1;
	int ya = 1 - g.xaxis;
	double lo = INFINITY, hi = 0;
	bool missed = false;
	size_t k;
	json_t *p;
	json_array_foreach(g.points, k, p) {
		missed = missed || !json_is_true(json_object_get(p, "slo_met"));
		double p99 = stat_mean(p, "latency_p99_ms");
		if (p99 > 0 && p99 < lo)
			lo = p99;
		if (p99 > hi)
			hi = p99;
	}
	if (!(hi > 0)) /* no p99 anywhere: any range */
		lo = 1, hi = 10;
	if (!(hi > lo * 1.01))
		lo /= 1.5, hi *= 1.5;
	rpt_plot_script_begin(out, in, &rpt_fig_heatmap, "p99 response time over the grid");
	/* a log scale when p99 spans a decade (a saturated corner next to an
	 * idle one); within one, a log scale would have no tic to read */
	bool logcb = hi >= 10 * lo;
	fputs("set title title_text\n", out);
	fputs(logcb ? "set logscale cb\nset cblabel \"p99 response time (ms, log scale)\"\n"
		    : "set cblabel \"p99 response time (ms)\"\n", out);
	fputs(
	      /* light (fast) to dark (slow): viridis, colour-blind safe */
	      "set palette defined (0 \"#FDE725\", 1 \"#5DC863\", 2 \"#21908C\", 3 \"#3B528B\", "
	      "4 \"#440154\")\n"
	      "set style textbox opaque fc rgb \"#FFFFFF\" noborder margins 2,2\n"
	      "unset grid\n"
	      "set key outside right bottom\n"
	      "set colorbox user origin screen 0.80, screen 0.35 size screen 0.025, screen 0.5\n"
	      "set rmargin at screen 0.72\n",
	      out);
	fprintf(out, "set cbrange [%.10g:%.10g]\n", lo, hi);
	axis_label(out, "x", &g.axes[g.xaxis], g.xaxis == g.rate);
	axis_label(out, "y", &g.axes[ya], false);
	pos_tics(out, "x", &g.axes[g.xaxis]);
	pos_tics(out, "y", &g.axes[ya]);
	fputs("plot \"heatmap.dat\" using \"x_pos\":\"y_pos\":(0.5):(0.5):\"latency_p99_ms\" "
	      "with boxxyerror fs solid 1.0 noborder lc palette notitle", out);
	size_t n = 1;
	if (json_array_size(g.points) <= MAX_LABELLED_CELLS) {
		rpt_plot_next(out, &n);
		fputs("\"heatmap.dat\" using \"x_pos\":\"y_pos\":(strcol(\"label\")) with labels "
		      "boxed font \",13\" notitle", out);
	}
	if (missed) {
		rpt_plot_next(out, &n);
		fputs("\"heatmap.dat\" using \"x_pos\":(column(\"slo_met\") != 0 ? NaN : "
		      "column(\"y_pos\")):(0.47):(0.47) with boxxyerror lc rgb \"#D55E00\" lw 4 "
		      "fs empty title \"an SLO missed\"", out);
	} else {
		rpt_plot_next(out, &n);
		fputs("keyentry with boxes fs empty lc rgb \"#FFFFFF\" title \"every SLO met\"", out);
	}
	fputc('\n', out);
	rpt_plot_script_end(out);
	grid_free(&g);
	return ferror(out) ? -1 : 0;
}

const struct rpt_figure rpt_fig_heatmap = {"heatmap", heatmap_wanted, heatmap_data,
					   heatmap_script};
