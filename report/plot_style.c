/* The look of every figure: one palette, one set of fonts and sizes, and the
 * pieces of script every figure shares (the terminal loop, the time axis
 * with the warm-up and the incidents).
 *
 * Colours: the four tiers take the Okabe-Ito colours that stay apart for
 * colour-blind readers, and keep them in every figure (a tier's nodes are
 * shades of it); other series (percentiles, classes) and error causes take
 * colours no tier uses, so nothing reads as a tier that is not one.
 * Sizes: 1280x720 at 16 pt text, 2 px lines: readable when a review document
 * scales the figure to a column's width. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "models/results.h"
#include "plot_figure.h"

/* ---------------------------------------------------------------- the palette */

static const char *const tier_colour[TIER_COUNT] = {
	[TIER_LB] = "#CC79A7",  /* reddish purple */
	[TIER_WEB] = "#0072B2", /* blue */
	[TIER_APP] = "#009E73", /* bluish green */
	[TIER_DB] = "#E69F00",  /* orange */
};
#define OTHER_COLOUR "#7F7F7F" /* a node of no known tier */

/* Paul Tol's "muted" scheme, one per cause, in enum model_error order. */
static const char *const error_colour[ERR_COUNT] = {
	"#882255", "#CC6677", "#DDCC77", "#117733", "#332288",
	"#88CCEE", "#44AA99", "#999933", "#AA4499", "#661100",
};

/* p50, p90, p99 first; then classes and other series. */
static const char *const series_colour[] = {
	"#56B4E9", "#333333", "#D55E00", "#882255", "#44AA99",
	"#999933", "#AA4499", "#332288", "#DDCC77", "#117733",
};

#define WARMUP_COLOUR "#EBEBEB"
#define INCIDENT_COLOUR "#E41A1C"
#define INCIDENT_TEXT "#A01010"
#define INCIDENT_ALPHA 0.22
#define DOWN_ALPHA 0.07
#define MAX_INCIDENT_LABELS 12

const char *rpt_plot_tier_colour(enum model_tier t)
{
	return t >= 0 && t < TIER_COUNT ? tier_colour[t] : OTHER_COLOUR;
}

const char *rpt_plot_error_colour(int cause)
{
	return cause >= 0 && cause < ERR_COUNT ? error_colour[cause] : OTHER_COLOUR;
}

const char *rpt_plot_series_colour(size_t i)
{
	return series_colour[i % (sizeof series_colour / sizeof series_colour[0])];
}

/* Darker (mix with black) for the first nodes, lighter (white) for the last,
 * from -40% to +30%: far enough apart to tell, close enough to stay the tier. */
void rpt_plot_node_colour(enum model_tier t, size_t j, size_t m, char *buf)
{
	unsigned rgb[3];
	sscanf(rpt_plot_tier_colour(t) + 1, "%2x%2x%2x", &rgb[0], &rgb[1], &rgb[2]);
	double f = m > 1 ? -0.4 + 0.7 * (double)j / (double)(m - 1) : 0;
	for (int c = 0; c < 3; c++) {
		double v = rgb[c];
		v = f < 0 ? v * (1 + f) : v + (255 - v) * f;
		rgb[c] = (unsigned)lround(v);
	}
	snprintf(buf, 8, "#%02X%02X%02X", rgb[0] & 255, rgb[1] & 255, rgb[2] & 255);
}

/* ---------------------------------------------------------------- text */

void rpt_plot_quote(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		if (*s == '\n' || *s == '\r' || *s == '\t')
			fputc(' ', out);
		else
			fputc(*s, out);
	}
	fputc('"', out);
}

static bool splits_a_cell(char c) { return c == '\t' || c == '\n' || c == '\r' || c == ' '; }

/* Blanks would split a cell or a header name: they become '_' (only names
 * can hold them, never numbers). */
void rpt_plot_dat_cell(FILE *out, bool first, const char *text)
{
	if (!first)
		fputc('\t', out);
	if (!*text) {
		fputs("NaN", out);
		return;
	}
	for (; *text; text++)
		fputc(splits_a_cell(*text) ? '_' : *text, out);
}

void rpt_plot_dat_name(const char *name, char *buf, size_t len)
{
	size_t i = 0;
	for (; name[i] && i + 1 < len; i++)
		buf[i] = splits_a_cell(name[i]) ? '_' : name[i];
	buf[i] = '\0';
}

void rpt_plot_dat_real(FILE *out, bool first, double x)
{
	if (!first)
		fputc('\t', out);
	if (isfinite(x))
		fprintf(out, "%.7g", x);
	else
		fputs("NaN", out);
}

/* ---------------------------------------------------------------- scripts */

void rpt_plot_script_begin(FILE *out, struct rpt_plot_input *in, const struct rpt_figure *fig,
			   const char *what)
{
	const char *scenario = rpt_plot_scenario(in);
	char title[512];
	snprintf(title, sizeof title, "%s%s%s", scenario, *scenario ? ": " : "", what);
	fprintf(out,
		"# tiersim figure \"%s\": %s\n"
		"#\n"
		"# Draws %s.dat (tab-separated, a header row of column names) into\n"
		"# %s.png (1280x720) and %s.svg: run `gnuplot %s.gp` in this folder.\n"
		"# Edit freely; `tiersim plot DIR` writes this file again (docs/plots.md).\n"
		"if (!exists(\"outbase\")) outbase = \"%s\"\n"
		"set datafile separator \"\\t\"\n"
		"set datafile columnheaders\n"
		"set datafile missing \"NaN\"\n"
		"set grid lc rgb \"#D9D9D9\" lw 1\n"
		"set border lw 1.5\n"
		"set key outside right top vertical box lc rgb \"#BFBFBF\" samplen 2.5 spacing 1.1\n"
		"set title font \",20\"\n"
		"set tics nomirror\n"
		"title_text = ",
		fig->name, what, fig->name, fig->name, fig->name, fig->name, fig->name);
	rpt_plot_quote(out, title);
	fputs("\n"
	      "do for [fmt in \"png svg\"] {\n"
	      "if (fmt eq \"png\") {\n"
	      "\tset terminal pngcairo size 1280,720 noenhanced font \"Sans,16\" linewidth 1.5\n"
	      "} else {\n"
	      "\tset terminal svg size 1280,720 dynamic noenhanced font \"Sans,16\" linewidth 1.5 "
	      "background \"#FFFFFF\"\n"
	      "}\n"
	      "set output outbase . \".\" . fmt\n",
	      out);
}

void rpt_plot_script_end(FILE *out)
{
	fputs("set output\n}\n", out);
}

const char *rpt_plot_time_axis(FILE *out, struct rpt_plot_input *in)
{
	double duration = rpt_plot_number(in, "duration_s");
	double warmup = rpt_plot_number(in, "warmup_s");
	bool minutes = duration > 600;
	double k = minutes ? 1.0 / 60 : 1.0;
	fprintf(out, "set xlabel \"time (%s)\"\n", minutes ? "min" : "s");
	if (duration > 0)
		fprintf(out, "set xrange [0:%.10g]\n", duration * k);
	int obj = 1;
	if (warmup > 0) {
		fprintf(out,
			"set object %d rect from 0, graph 0 to %.10g, graph 1 behind "
			"fc rgb \"%s\" fs solid 1.0 noborder\n"
			"set label %d \"warm-up\" at %.10g, graph 0.95 center tc rgb \"#7F7F7F\"\n",
			obj, warmup * k, WARMUP_COLOUR, obj, warmup * k / 2);
		obj++;
	}
	json_t *incidents = json_object_get(rpt_plot_json(in, "summary.json"), "incidents");
	size_t i;
	json_t *inc;
	json_array_foreach(incidents, i, inc) {
		double at = rpt_json_number(inc, "at_s");
		if (isnan(at))
			continue;
		double restored = rpt_json_number(inc, "restored_s");
		double back = rpt_json_number(inc, "recovered_s");
		double detected = rpt_json_number(inc, "detected_s");
		if (isnan(restored) || restored > duration)
			restored = duration;
		if (isnan(back) || back > duration)
			back = duration;
		/* failure to restore (what the requests felt), and lighter, the
		 * rest of the time the node was down */
		fprintf(out,
			"set object %d rect from %.10g, graph 0 to %.10g, graph 1 behind "
			"fc rgb \"%s\" fs transparent solid %.2f noborder\n",
			obj++, at * k, (restored > at ? restored : at) * k, INCIDENT_COLOUR,
			INCIDENT_ALPHA);
		if (back > restored)
			fprintf(out,
				"set object %d rect from %.10g, graph 0 to %.10g, graph 1 behind "
				"fc rgb \"%s\" fs transparent solid %.2f noborder\n",
				obj++, restored * k, back * k, INCIDENT_COLOUR, DOWN_ALPHA);
		if (!isnan(detected))
			fprintf(out, "set arrow %d from %.10g, graph 0 to %.10g, graph 1 nohead front "
				"dt 3 lw 1.5 lc rgb \"%s\"\n", obj, detected * k, detected * k,
				INCIDENT_TEXT);
		if (i >= MAX_INCIDENT_LABELS)
			continue;
		const char *node = json_string_value(json_object_get(inc, "node"));
		const char *kind = json_string_value(json_object_get(inc, "kind"));
		char text[96];
		snprintf(text, sizeof text, "%s %s", node ? node : "?", kind ? kind : "failure");
		fprintf(out, "set label %d ", obj);
		rpt_plot_quote(out, text);
		fprintf(out, " at %.10g, graph %.2f left offset 0.4,0 front tc rgb \"%s\"\n", at * k,
			0.95 - 0.06 * (double)(i % 4), INCIDENT_TEXT);
		obj++;
	}
	return minutes ? "(column(\"time_s\")/60)" : "(column(\"time_s\"))";
}

void rpt_plot_time_keys(FILE *out, struct rpt_plot_input *in, size_t *n)
{
	json_t *incidents = json_object_get(rpt_plot_json(in, "summary.json"), "incidents");
	if (!json_array_size(incidents))
		return;
	fputs(*n ? ", \\\n     " : "plot ", out);
	fprintf(out, "keyentry with boxes fc rgb \"%s\" fs transparent solid %.2f noborder "
		"title \"failure to restore\", \\\n"
		"     keyentry with boxes fc rgb \"%s\" fs transparent solid %.2f noborder "
		"title \"node still down\", \\\n"
		"     keyentry with lines dt 3 lw 1.5 lc rgb \"%s\" title \"failure detected\"",
		INCIDENT_COLOUR, INCIDENT_ALPHA, INCIDENT_COLOUR, DOWN_ALPHA, INCIDENT_TEXT);
	*n += 3;
}

void rpt_plot_next(FILE *out, size_t *n)
{
	fputs(*n ? ", \\\n     " : "plot ", out);
	(*n)++;
}

void rpt_plot_slo_lines(FILE *out, const json_t *checks, size_t *n)
{
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
		rpt_plot_next(out, n);
		fprintf(out, "%.10g with lines dt 2 lw 2 lc rgb \"#555555\" title ", target);
		rpt_plot_quote(out, text);
	}
}

void rpt_plot_dat_json(FILE *out, bool first, const json_t *v)
{
	if (!first)
		fputc('\t', out);
	if (json_is_number(v) && isfinite(json_number_value(v)))
		fprintf(out, "%.10g", json_number_value(v));
	else
		fputs("NaN", out);
}
