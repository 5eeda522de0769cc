/* What a figure file (report/plot_*.c) needs: the figure's shape, the
 * result folder's files, the palette and the pieces every script shares.
 *
 * A figure is data-driven: `wanted` looks at the folder (a file, a column
 * name such as db2_lag_s) and says whether there is something to draw, so a
 * figure appears as soon as a feature writes its columns.  Adding a figure is
 * one struct rpt_figure in its family's file and one line in the table of
 * plot.c.  The script of a figure is written between rpt_plot_script_begin and
 * rpt_plot_script_end, which give it the fonts, sizes, the terminal loop
 * (PNG then SVG) and the temporary output names; in between it only sets its
 * axes and plots NAME.dat by column name. */
#ifndef REPORT_PLOT_FIGURE_H
#define REPORT_PLOT_FIGURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "models/config.h"
#include "plot.h"

/* A CSV file of the folder: a header row, then rows of cells as written. */
struct rpt_table {
	size_t ncols, nrows;
	char **names;                  /* [ncols] */
	char **cells;                  /* [nrows * ncols], "" for an empty or absent cell */
};

/* Column index of name, or -1. */
int rpt_table_col(const struct rpt_table *t, const char *name);
const char *rpt_table_cell(const struct rpt_table *t, size_t row, size_t col);
/* The cell as a number; NAN when empty or not a number. */
double rpt_table_value(const struct rpt_table *t, size_t row, size_t col);
/* Column name ends in suffix (and has something before it). */
bool rpt_name_has_suffix(const char *name, const char *suffix);

struct rpt_figure {
	const char *name;              /* file stem: NAME.gp, NAME.dat, NAME.png */
	bool (*wanted)(struct rpt_plot_input *in);
	int (*write_data)(struct rpt_plot_input *in, FILE *out);
	int (*write_script)(struct rpt_plot_input *in, FILE *out);
};

/* The run's figures (plot_run.c). */
extern const struct rpt_figure rpt_fig_latency, rpt_fig_traffic, rpt_fig_utilization,
	rpt_fig_queues, rpt_fig_lag, rpt_fig_cdf, rpt_fig_nodes;
/* A sweep's figures (plot_sweep.c) and the planner's (plot_plan.c). */
extern const struct rpt_figure rpt_fig_capacity, rpt_fig_sweep_availability, rpt_fig_heatmap;
extern const struct rpt_figure rpt_fig_plan;
/* Availability's (plot_availability.c): downtime by cause, with CIs. */
extern const struct rpt_figure rpt_fig_availability;

/* ---------------------------------------------------------------- the folder (plot.c) */

/* DIR/name parsed, read on first use; NULL when the file does not exist or
 * cannot be read (rpt_plot_write then reports the reason). */
json_t *rpt_plot_json(struct rpt_plot_input *in, const char *name);
const struct rpt_table *rpt_plot_table(struct rpt_plot_input *in, const char *name);
const struct rpt_plot_options *rpt_plot_opts(const struct rpt_plot_input *in);

/* The scenario's name: summary.json's, else that of any JSON file read so
 * far ("" when none).  A number of summary.json (NAN when absent).  The tier
 * of a node, from summary.json's nodes[] or else the name's letters ("app12"
 * is an app); TIER_COUNT when unknown. */
const char *rpt_plot_scenario(struct rpt_plot_input *in);
double rpt_plot_number(struct rpt_plot_input *in, const char *key);
enum model_tier rpt_plot_node_tier(struct rpt_plot_input *in, const char *node);
/* A real (or integer) member of a JSON object as a double; NAN for null/absent. */
double rpt_json_number(const json_t *obj, const char *key);

/* ---------------------------------------------------------------- style (plot_style.c) */

/* The palette: every figure takes its colours here, so a tier has one colour
 * in every figure.  "#rrggbb". */
const char *rpt_plot_tier_colour(enum model_tier t);
/* Node j of m in a tier: the tier's colour, darker to lighter; buf >= 8. */
void rpt_plot_node_colour(enum model_tier t, size_t j, size_t m, char *buf);
const char *rpt_plot_error_colour(int cause);        /* enum model_error */
const char *rpt_plot_series_colour(size_t i);        /* p50/p90/p99, classes, ... */
#define RPT_PLOT_ALL_COLOUR "#000000"                /* "all requests" */

/* "..." with gnuplot's escapes. */
void rpt_plot_quote(FILE *out, const char *s);
/* A data file's cell: the text as is, an empty one as NaN. */
void rpt_plot_dat_cell(FILE *out, bool first, const char *text);
void rpt_plot_dat_real(FILE *out, bool first, double x);
/* A column name as a data file's header row spells it (blanks as '_'), for
 * a script's column("..."). */
void rpt_plot_dat_name(const char *name, char *buf, size_t len);

/* A JSON number as a data file's cell, with the JSON's 10 significant
 * digits (the number as the file holds it); NaN for null or absent. */
void rpt_plot_dat_json(FILE *out, bool first, const json_t *v);
/* "plot " the first time, ", \" after: n counts the elements written. */
void rpt_plot_next(FILE *out, size_t *n);
/* Each latency objective of checks ([{metric, op, target, unit}], unit "ms")
 * as a dashed horizontal line with its legend entry. */
void rpt_plot_slo_lines(FILE *out, const json_t *checks, size_t *n);

/* The script's header comment, the shared style and the opening of the
 * PNG/SVG loop; title is "SCENARIO: what" (the scenario is prepended). */
void rpt_plot_script_begin(FILE *out, struct rpt_plot_input *in, const struct rpt_figure *fig,
			   const char *what);
void rpt_plot_script_end(FILE *out);
/* The time axis (s, or min for runs over 10 minutes), its range, the
 * warm-up shaded, and each incident of summary.json: shaded from failure to
 * restore, lighter while the node stays down, a dotted line at detection,
 * labelled.  Returns the gnuplot expression of x, e.g. (column("time_s")/60). */
const char *rpt_plot_time_axis(FILE *out, struct rpt_plot_input *in);
/* Legend entries for those shades (none without incidents), appended to a
 * plot command of which n elements are written so far. */
void rpt_plot_time_keys(FILE *out, struct rpt_plot_input *in, size_t *n);

#endif
