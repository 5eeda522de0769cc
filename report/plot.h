/* Plots for reviews: gnuplot scripts, their data, and the rendered figures.
 *
 * The plots read a result folder (what `tiersim run --out DIR` writes:
 * summary.json, timeseries.csv, latency_cdf.csv, ...), never the in-memory
 * summary, so `run --plot` and `tiersim plot DIR` draw the same figures from
 * the same numbers, and an old folder can be plotted again.  For each figure
 * whose data the folder holds, DIR/plots/ gets NAME.dat (tab-separated, a
 * header row of column names, the run's numbers copied as the CSV printed
 * them) and NAME.gp, a script that renders NAME.png (pngcairo, 1280x720) and
 * NAME.svg when run there with `gnuplot NAME.gp`.  Both are written
 * atomically (outfile.h).  Rendering is separate (rpt_plot_render): gnuplot
 * is a run-time dependency only.
 *
 * Figures are a const table (plot.c); each family of figures (a run's, a
 * sweep's, ...) lives in its own report/plot_*.c.  docs/plots.md describes
 * every figure. */
#ifndef REPORT_PLOT_H
#define REPORT_PLOT_H

#include <stdbool.h>
#include <stddef.h>

#define RPT_PLOT_DIR "plots"
#define RPT_PLOT_MAX_FIGURES 32
#define RPT_PLOT_ERR_MAX 512

/* What the result folder does not say, from the resolved scenario. */
struct rpt_plot_options {
	double max_lag_s;              /* db.max_lag; 0: none (no line on the lag figure) */
};

struct rpt_plot_input;

/* Open the result folder dir (nothing is read yet: each figure reads the
 * files it needs, once).  Returns 0, or ENOMEM. */
int rpt_plot_input_create(const char *dir, const struct rpt_plot_options *opts,
			  struct rpt_plot_input **out);
void rpt_plot_input_destroy(struct rpt_plot_input *in);

struct rpt_plot_written {
	size_t n;
	const char *names[RPT_PLOT_MAX_FIGURES]; /* figure names (static strings) */
};

/* Create DIR/plots if needed and write NAME.dat and NAME.gp of every figure
 * the folder has data for; stale files of figures without data this time
 * are removed.  Returns 0; EINVAL when a file cannot be read as what it
 * should be, or when no figure has data and there is no summary.json (not a
 * result folder); or an errno value of a write.  err says which file and why. */
int rpt_plot_write(struct rpt_plot_input *in, struct rpt_plot_written *written, char *err,
		   size_t errlen);

/* gnuplot in PATH: its full path in buf, true; false when there is none. */
bool rpt_plot_find_gnuplot(char *buf, size_t len);

/* Run gnuplot (the path found above) on plots_dir/NAME.gp, from plots_dir,
 * and move the figures it made into place as NAME.png and NAME.svg (it draws
 * them under temporary names, so a reader never sees half a PNG).  What
 * gnuplot printed (warnings, errors) goes to msg, truncated; "" when it said
 * nothing.  Returns 0, or -1 when gnuplot failed or a figure is missing
 * (msg says why). */
int rpt_plot_render(const char *gnuplot, const char *plots_dir, const char *name, char *msg,
		    size_t msglen);

#endif
