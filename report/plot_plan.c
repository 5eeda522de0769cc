/* The planner's figure, from plan.json of its folder (docs/plots.md): every
 * candidate it simulated, its cost (min-cost) or its load (max-load)
 * against its margin on each SLO check, the chosen one marked.
 *
 * A margin is plan.json's tried[].margins[].margin, taken on the
 * candidate's worst variant: relative headroom for latencies and throughput
 * (drawn in % of the target), percentage points for availability; negative
 * is a miss, so the SLO is the vertical line at 0.  A plan.json older than
 * tried[].margins has no figure. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "plot_figure.h"

#define PLAN "plan.json"
#define MAX_CHECKS 32

static json_t *tried(struct rpt_plot_input *in)
{
	return json_object_get(rpt_plot_json(in, PLAN), "tried");
}

static bool max_load(struct rpt_plot_input *in)
{
	const char *mode = json_string_value(json_object_get(rpt_plot_json(in, PLAN), "mode"));
	return mode && !strcmp(mode, "max-load");
}

static size_t nchecks(struct rpt_plot_input *in)
{
	size_t n = json_array_size(json_object_get(rpt_plot_json(in, PLAN), "slo"));
	return n < MAX_CHECKS ? n : MAX_CHECKS;
}

/* The chosen candidate's position in tried[]; -1 without an answer. */
static long chosen(struct rpt_plot_input *in)
{
	json_t *answer = json_object_get(rpt_plot_json(in, PLAN), "answer");
	json_t *at = json_object_get(answer, "tried_index");
	return json_is_true(json_object_get(answer, "found")) && json_is_integer(at)
		       ? (long)json_integer_value(at)
		       : -1;
}

static bool plan_wanted(struct rpt_plot_input *in)
{
	size_t i;
	json_t *st;
	json_array_foreach(tried(in), i, st)
		if (json_array_size(json_object_get(st, "margins")))
			return true;
	return false;
}

/* One row per candidate in the order tried: step (from 1), cost, rate_rps,
 * meets and chosen (1, 0), then margin_K per check K (from 1), as plan.json
 * has them (NaN for a skipped candidate). */
static int plan_data(struct rpt_plot_input *in, FILE *out)
{
	size_t nc = nchecks(in);
	long pick = chosen(in);
	fputs("step\tcost\trate_rps\tmeets\tchosen", out);
	for (size_t k = 0; k < nc; k++)
		fprintf(out, "\tmargin_%zu", k + 1);
	fputc('\n', out);
	size_t i;
	json_t *st;
	json_array_foreach(tried(in), i, st) {
		fprintf(out, "%zu", i + 1);
		rpt_plot_dat_json(out, false, json_object_get(st, "cost"));
		rpt_plot_dat_json(out, false, json_object_get(st, "rate_rps"));
		fprintf(out, "\t%d\t%d", json_is_true(json_object_get(st, "meets")),
			(long)i == pick);
		json_t *margins = json_object_get(st, "margins");
		for (size_t k = 0; k < nc; k++)
			rpt_plot_dat_json(out, false,
					  json_object_get(json_array_get(margins, k), "margin"));
		fputc('\n', out);
	}
	return ferror(out) ? -1 : 0;
}

/* "web 3, app 4, db 2 (cost 9)" or "3000/s"; for the chosen one's label. */
static void chosen_text(struct rpt_plot_input *in, char *buf, size_t len)
{
	json_t *answer = json_object_get(rpt_plot_json(in, PLAN), "answer");
	if (max_load(in)) {
		snprintf(buf, len, "chosen: %.6g requests/s", rpt_json_number(answer, "rate_rps"));
		return;
	}
	json_t *nodes = json_object_get(answer, "nodes");
	snprintf(buf, len, "chosen: web %lld, app %lld, db %lld (cost %.6g)",
		 (long long)json_integer_value(json_object_get(nodes, "web")),
		 (long long)json_integer_value(json_object_get(nodes, "app")),
		 (long long)json_integer_value(json_object_get(nodes, "db")),
		 rpt_json_number(answer, "cost"));
}

/* A margin of check k as drawn: % of the target, or percentage points. */
static double drawn_margin(const json_t *slo, const json_t *step, size_t k)
{
	const char *metric = json_string_value(json_object_get(json_array_get(slo, k), "metric"));
	double m = rpt_json_number(json_array_get(json_object_get(step, "margins"), k), "margin");
	return metric && !strcmp(metric, "availability") ? m : 100 * m;
}

/* Both ranges from the data, the SLO line (margin 0) always in sight and
 * never an empty range (one candidate, or every one of the same cost). */
static void ranges(struct rpt_plot_input *in, FILE *out, const char *y)
{
	json_t *slo = json_object_get(rpt_plot_json(in, PLAN), "slo");
	double xlo = 0, xhi = 0, ylo = INFINITY, yhi = -INFINITY;
	size_t i;
	json_t *st;
	json_array_foreach(tried(in), i, st) {
		if (!json_array_size(json_object_get(st, "margins")))
			continue;
		double v = rpt_json_number(st, y);
		if (isfinite(v)) {
			ylo = fmin(ylo, v);
			yhi = fmax(yhi, v);
		}
		for (size_t k = 0; k < nchecks(in); k++) {
			double m = drawn_margin(slo, st, k);
			if (isfinite(m)) {
				xlo = fmin(xlo, m);
				xhi = fmax(xhi, m);
			}
		}
	}
	double xpad = (xhi - xlo) * 0.08 + 1;
	fprintf(out, "set xrange [%.10g:%.10g]\n", xlo - xpad, xhi + xpad);
	if (isfinite(ylo)) {
		double ypad = fmax((yhi - ylo) * 0.1, fabs(yhi) * 0.05 + 0.5);
		fprintf(out, "set yrange [%.10g:%.10g]\n", ylo - ypad, yhi + ypad);
	}
}

static int plan_script(struct rpt_plot_input *in, FILE *out)
{
	bool load = max_load(in);
	size_t nc = nchecks(in);
	json_t *slo = json_object_get(rpt_plot_json(in, PLAN), "slo");
	const char *y = load ? "rate_rps" : "cost";
	rpt_plot_script_begin(out, in, &rpt_fig_plan,
			      load ? "load against SLO margin of the rates tried"
				   : "cost against SLO margin of the candidates tried");
	fprintf(out,
		"set title title_text\n"
		"set xlabel \"SLO margin (%% of the target; availability: percentage points)\"\n"
		"set ylabel \"%s\"\n"
		"set arrow 1 from 0, graph 0 to 0, graph 1 nohead dt 2 lw 2 lc rgb \"#555555\"\n"
		"set label 1 \"\u2190 missed\" at 0, graph 0.04 right offset -0.6,0 "
		"tc rgb \"#7F7F7F\"\n"
		"set label 3 \"met \u2192\" at 0, graph 0.04 left offset 0.6,0 "
		"tc rgb \"#7F7F7F\"\n",
		load ? "offered load (requests/s)" : "cost (node units, --cost)");
	ranges(in, out, y);
	long pick = chosen(in);
	char chosen_title[160];
	chosen_text(in, chosen_title, sizeof chosen_title);
	size_t n = 0;
	for (size_t k = 0; k < nc; k++) {
		json_t *c = json_array_get(slo, k);
		const char *metric = json_string_value(json_object_get(c, "metric"));
		const char *op = json_string_value(json_object_get(c, "op"));
		const char *unit = json_string_value(json_object_get(c, "unit"));
		double target = rpt_json_number(c, "target");
		bool avail = metric && !strcmp(metric, "availability");
		char text[128];
		const char *sym = op && !strcmp(op, "<=") ? "\u2264" : "\u2265";
		if (avail)
			snprintf(text, sizeof text, "availability %s %.6g%%", sym, 100 * target);
		else
			snprintf(text, sizeof text, "%s %s %.6g %s", metric ? metric : "?", sym, target,
				 unit && *unit ? unit : "");
		char x[64];
		snprintf(x, sizeof x, "(%scolumn(\"margin_%zu\"))", avail ? "" : "100*", k + 1);
		rpt_plot_next(out, &n);
		fprintf(out, "\"plan.dat\" using %s:\"%s\" with points pt %d ps 2 lw 2 "
			"lc rgb \"%s\" title ", x, y, (int)(5 + 2 * (k % 4)),
			rpt_plot_series_colour(k + 3));
		rpt_plot_quote(out, text);
		if (pick < 0) /* no answer: nothing to mark (an empty plot makes gnuplot warn) */
			continue;
		rpt_plot_next(out, &n);
		fprintf(out, "\"plan.dat\" using (column(\"chosen\") != 0 ? %s : NaN):\"%s\" with points "
			"pt 6 ps 4.5 lw 3 lc rgb \"#000000\" ", x, y);
		if (k)
			fputs("notitle", out);
		else {
			fputs("title ", out);
			rpt_plot_quote(out, chosen_title);
		}
	}
	rpt_plot_next(out, &n);
	fputs("keyentry with lines dt 2 lw 2 lc rgb \"#555555\" title \"SLO target (margin 0)\"\n",
	      out);
	rpt_plot_script_end(out);
	return ferror(out) ? -1 : 0;
}

const struct rpt_figure rpt_fig_plan = {"plan", plan_wanted, plan_data, plan_script};
