/* `tiersim plot DIR`, and the plots of `tiersim run --out DIR --plot`.
 *
 * Both go through cli_plot_folder: the figures are drawn from the files of
 * the result folder, so a plot made now and one made later from the same
 * folder are the same.  gnuplot is a run-time dependency: without it the
 * scripts and data are still written, one line says so, and the exit status
 * stays 0 (a CI job without gnuplot must not fail for want of pictures).
 * gnuplot failing on a script is an internal failure (exit 3): a script
 * tiersim wrote should always draw. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "models/config.h"
#include "report/plot.h"
#include "scenarios/loader.h"
#include "sim/diag.h"
#include "sim/time.h"

static const char plot_usage[] =
	"usage: tiersim plot DIR [--quiet]\n"
	"\n"
	"Draw the figures of a result folder written by 'tiersim run', 'sweep' or\n"
	"'plan' with --out DIR:\n"
	"for each figure, DIR/plots/NAME.gp (a gnuplot script) and NAME.dat (its\n"
	"data), rendered to NAME.png (1280x720) and NAME.svg when gnuplot is\n"
	"installed.  Without gnuplot the scripts and data are still written.\n"
	"\n"
	"  --quiet     print nothing on success\n"
	"  -h, --help  this help\n"
	"\n"
	"docs/plots.md describes each figure and how to edit its script.\n"
	"exit status: 0 ok (also without gnuplot), 2 bad usage or not a result\n"
	"folder, 3 a write error or gnuplot failed\n";

/* The first line of gnuplot's output, for a one-line message. */
static void first_line(char *msg)
{
	char *nl = msg;
	while (*nl == '\n' || *nl == ' ')
		nl++;
	memmove(msg, nl, strlen(nl) + 1);
	nl = strchr(msg, '\n');
	if (nl)
		*nl = '\0';
}

int cli_plot_folder(const char *sub, const char *dir, const struct rpt_plot_options *opts,
		    FILE *listing)
{
	struct rpt_plot_input *in;
	if (rpt_plot_input_create(dir, opts, &in)) {
		fprintf(stderr, "tiersim %s: out of memory\n", sub);
		return CLI_EXIT_FAILURE;
	}
	struct rpt_plot_written w;
	char err[RPT_PLOT_ERR_MAX + 64];
	int rc = rpt_plot_write(in, &w, err, sizeof err);
	rpt_plot_input_destroy(in);
	if (rc == EINVAL)
		return cli_usage_error(sub, "%s", err);
	if (rc) {
		fprintf(stderr, "tiersim %s: %s\n", sub, err);
		return CLI_EXIT_FAILURE;
	}
	char plots[4096];
	snprintf(plots, sizeof plots, "%s/%s", dir, RPT_PLOT_DIR);
	char gnuplot[4096];
	if (!rpt_plot_find_gnuplot(gnuplot, sizeof gnuplot)) {
		fprintf(stderr,
			"tiersim %s: gnuplot not found in PATH: wrote %zu scripts and their data to "
			"%s/ without rendering them (install gnuplot, e.g. Debian's gnuplot-nox, "
			"then run 'tiersim plot %s')\n",
			sub, w.n, plots, dir);
		return CLI_EXIT_OK;
	}
	for (size_t i = 0; i < w.n; i++) {
		char msg[2048];
		int failed = rpt_plot_render(gnuplot, plots, w.names[i], msg, sizeof msg);
		first_line(msg);
		if (failed) {
			fprintf(stderr, "tiersim %s: %s/%s.gp: gnuplot failed: %s\n", sub, plots,
				w.names[i], msg);
			return CLI_EXIT_FAILURE;
		}
		if (msg[0]) /* a warning: the figure exists but may not read as meant */
			fprintf(stderr, "tiersim %s: %s/%s.gp: gnuplot: %s\n", sub, plots, w.names[i],
				msg);
	}
	if (listing && !w.n) {
		fprintf(listing, "%s: nothing to draw (no candidate or point with data)\n", dir);
	} else if (listing) {
		fprintf(listing, "%s/:", plots);
		for (size_t i = 0; i < w.n; i++)
			fprintf(listing, " %s", w.names[i]);
		fprintf(listing, " (.png, .svg, .gp, .dat)\n");
	}
	return CLI_EXIT_OK;
}

/* db.max_lag of the folder's resolved scenario.  A folder without one, or
 * with one this version cannot load, still plots: the lag figure just has no
 * max_lag line. */
static void read_scenario(const char *dir, struct rpt_plot_options *opts)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/scenario.yaml", dir);
	if (access(path, F_OK) != 0)
		return;
	struct model_config cfg;
	struct sim_diags diags;
	sim_diags_init(&diags);
	int rc = scn_load_file(path, NULL, 0, &cfg, &diags);
	if (rc || diags.errors)
		fprintf(stderr, "tiersim plot: %s does not load; plotting without its max_lag\n",
			path);
	else
		opts->max_lag_s = sim_ns_to_s(cfg.db.max_lag_ns);
	sim_diags_fini(&diags);
	model_config_fini(&cfg);
}

int cli_plot(int argc, char **argv)
{
	enum { OPT_QUIET = 256, OPT_HELP };
	static const struct option longopts[] = {
		{"quiet", no_argument, NULL, OPT_QUIET},
		{"help", no_argument, NULL, OPT_HELP},
		{NULL, 0, NULL, 0},
	};
	bool quiet = false;
	opterr = 0;
	optind = 1;
	int ch;
	while ((ch = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_QUIET:
			quiet = true;
			break;
		case OPT_HELP:
		case 'h':
			fputs(plot_usage, stdout);
			return CLI_EXIT_OK;
		default:
			return cli_option_error("plot", ch, argv);
		}
	}
	if (optind >= argc)
		return cli_usage_error("plot", "missing the result folder DIR (see 'tiersim plot --help')");
	if (optind + 1 < argc)
		return cli_usage_error("plot", "unexpected argument '%s' (one result folder)",
				       argv[optind + 1]);
	const char *dir = argv[optind];
	if (access(dir, F_OK) != 0)
		return cli_usage_error("plot", "%s: %s", dir, strerror(errno));
	struct rpt_plot_options opts = {0};
	read_scenario(dir, &opts);
	return cli_plot_folder("plot", dir, &opts, quiet ? NULL : stdout);
}
