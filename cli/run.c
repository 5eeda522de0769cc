/* `tiersim run`: a scenario's replications, reported as text, JSON or CSV.
 *
 * The order matters for "nothing half-written": everything the user typed is
 * validated first (options, the scenario with its overrides, the SLO
 * expressions, the output folder), then the simulation runs, then every
 * output file is written atomically (a temporary file renamed into place).
 * --seed, --replications and --duration are spelled as --set overrides, so
 * they get exactly the scenario's validation.  Exit status: 0, 1 when an SLO
 * of the scenario or of --slo is missed, 2 for bad usage or input, 130 (143)
 * when SIGINT (SIGTERM) stopped the run: the report of the time simulated is
 * still written, marked partial, and a second signal aborts at once. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "models/failures.h"
#include "models/limits.h"
#include "models/replications.h"
#include "report/output.h"
#include "report/outfile.h"
#include "report/plot.h"
#include "scenarios/loader.h"
#include "scenarios/slo_expr.h"
#include "sim/interrupt.h"
#include "sim/time.h"

static const char run_usage[] =
	"usage: tiersim run FILE [options]\n"
	"\n"
	"Run the scenario FILE and print its report.\n"
	"\n"
	"  --seed N             random seed (the scenario's `seed`)\n"
	"  --replications R     independent replications, or 'auto' (the scenario's `replications`)\n"
	"  --duration T         simulated time per replication, e.g. 10m\n"
	"  --set KEY=VALUE      override any scenario key, e.g. --set app.nodes=6\n"
	"  --slo EXPR           an extra objective, e.g. 'p99<=250ms' or 'availability>=99.9%'\n"
	"  --format FMT         text (default), json or csv\n"
	"  --out DIR            also write summary.json, summary.csv, timeseries.csv,\n"
	"                       latency_cdf.csv and scenario.yaml (the resolved scenario)\n"
	"                       into DIR\n"
	"  --plot               with --out: also draw the figures into DIR/plots (as\n"
	"                       'tiersim plot DIR' does; docs/plots.md)\n"
	"  -j N                 worker threads (default: all cores, fewer when their\n"
	"                       memory budgets would not fit in memory)\n"
	"  --max-memory SIZE    memory budget of each replication, e.g. 512M, 4G\n"
	"                       (default 1G): far beyond capacity, new requests are\n"
	"                       dropped (error memory_limit) rather than swapping\n"
	"  --quiet              no report and no progress line; the exit status tells\n"
	"\n"
	"Ctrl-C (SIGINT, SIGTERM) stops at the next event and reports the time simulated,\n"
	"marked partial; a second Ctrl-C aborts at once.\n"
	"\n"
	"exit status: 0 ok, 1 an SLO was missed, 2 bad usage or bad input,\n"
	"             130 (143) stopped by SIGINT (SIGTERM)\n";

enum run_format { FORMAT_TEXT, FORMAT_JSON, FORMAT_CSV };

struct run_options {
	const char *file;
	struct cli_sets sets; /* --set values, and the spelled-out shorthands */
	struct slo_check slo[RPT_MAX_EXTRA_SLO];
	size_t nslo;
	enum run_format format;
	const char *out_dir;
	int jobs;
	int64_t max_memory_bytes; /* --max-memory; 0: the default */
	bool quiet;
	bool plot;           /* --plot: the figures of out_dir */
};

static void options_fini(struct run_options *o)
{
	cli_sets_fini(&o->sets);
}

static int parse_options(int argc, char **argv, struct run_options *o)
{
	enum { OPT_SEED = 256, OPT_REPS, OPT_DURATION, OPT_SET, OPT_SLO, OPT_FORMAT, OPT_OUT,
	       OPT_QUIET, OPT_HELP, OPT_PLOT, OPT_MEMORY };
	static const struct option longopts[] = {
		{"seed", required_argument, NULL, OPT_SEED},
		{"replications", required_argument, NULL, OPT_REPS},
		{"duration", required_argument, NULL, OPT_DURATION},
		{"set", required_argument, NULL, OPT_SET},
		{"slo", required_argument, NULL, OPT_SLO},
		{"format", required_argument, NULL, OPT_FORMAT},
		{"out", required_argument, NULL, OPT_OUT},
		{"quiet", no_argument, NULL, OPT_QUIET},
		{"plot", no_argument, NULL, OPT_PLOT},
		{"max-memory", required_argument, NULL, OPT_MEMORY},
		{"help", no_argument, NULL, OPT_HELP},
		{NULL, 0, NULL, 0},
	};
	struct sim_parse_error err;
	opterr = 0;
	optind = 1;
	int ch;
	while ((ch = getopt_long(argc, argv, ":j:h", longopts, NULL)) != -1) {
		int rc = 0;
		switch (ch) {
		case OPT_SEED:
			rc = cli_sets_shorthand(&o->sets, 0, "seed", optarg);
			break;
		case OPT_REPS:
			rc = cli_sets_shorthand(&o->sets, 1, "replications", optarg);
			break;
		case OPT_DURATION:
			rc = cli_sets_shorthand(&o->sets, 2, "duration", optarg);
			break;
		case OPT_SET:
			if (!strchr(optarg, '=') || optarg[0] == '=')
				return cli_usage_error("run", "--set expects KEY=VALUE, got '%s'", optarg);
			rc = cli_sets_add(&o->sets, optarg);
			break;
		case OPT_SLO:
			if (o->nslo >= RPT_MAX_EXTRA_SLO)
				return cli_usage_error("run", "at most %d --slo options", RPT_MAX_EXTRA_SLO);
			if (scn_parse_slo_expr(optarg, &o->slo[o->nslo], &err))
				return cli_usage_error("run", "--slo '%s': %s", optarg, err.message);
			o->nslo++;
			break;
		case OPT_FORMAT:
			if (!strcmp(optarg, "text"))
				o->format = FORMAT_TEXT;
			else if (!strcmp(optarg, "json"))
				o->format = FORMAT_JSON;
			else if (!strcmp(optarg, "csv"))
				o->format = FORMAT_CSV;
			else
				return cli_usage_error("run", "--format: expected text, json or csv, got '%s'",
						       optarg);
			break;
		case OPT_OUT:
			o->out_dir = optarg;
			break;
		case OPT_QUIET:
			o->quiet = true;
			break;
		case OPT_PLOT:
			o->plot = true;
			break;
		case 'j':
			if (cli_parse_jobs("run", optarg, &o->jobs))
				return CLI_EXIT_USAGE;
			break;
		case OPT_MEMORY:
			if (cli_parse_memory("run", optarg, &o->max_memory_bytes))
				return CLI_EXIT_USAGE;
			break;
		case OPT_HELP:
		case 'h':
			fputs(run_usage, stdout);
			return -1;
		default:
			return cli_option_error("run", ch, argv);
		}
		if (rc)
			return cli_usage_error("run", "out of memory");
	}
	int bad = cli_scenario_operand("run", argc, argv, &o->file);
	if (bad)
		return bad;
	bad = cli_check_plot("run", o->plot, o->out_dir);
	if (bad)
		return bad;
	return 0;
}

/* A progress line on stderr, only when it is a terminal and the run has
 * already taken more than a second (short runs stay quiet). */
struct progress {
	bool enabled;
	struct timespec started;
};

static double seconds_since(const struct timespec *t0)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) + 1e-9 * (double)(now.tv_nsec - t0->tv_nsec);
}

static void show_progress(void *ctx, size_t done, size_t target)
{
	struct progress *p = ctx;
	if (!p->enabled || seconds_since(&p->started) < 1.0)
		return;
	fprintf(stderr, "\rtiersim run: replication %zu of %zu", done, target);
	if (done >= target)
		fputs("\r\033[K", stderr);
	fflush(stderr);
}

static int write_text_file(const void *ctx, FILE *out)
{
	const char *text = ctx;
	return fputs(text, out) < 0 ? -1 : 0;
}

static int write_outputs(const char *dir, const struct rpt_summary *s, const char *resolved)
{
	struct {
		const char *name;
		rpt_writer_fn writer;
		const void *ctx;
	} files[] = {
		{"summary.json", rpt_json_writer, s},
		{"summary.csv", rpt_summary_csv_writer, s},
		{"timeseries.csv", rpt_timeseries_csv_writer, s},
		{"latency_cdf.csv", rpt_latency_cdf_csv_writer, s},
		{"scenario.yaml", write_text_file, resolved},
	};
	char err[512];
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		if (rpt_write_file_atomic(dir, files[i].name, files[i].writer, files[i].ctx, err,
					  sizeof err)) {
			fprintf(stderr, "tiersim run: %s\n", err);
			return CLI_EXIT_FAILURE;
		}
	}
	return 0;
}

static int print_report(const struct run_options *o, const struct rpt_summary *s)
{
	int rc = 0;
	switch (o->format) {
	case FORMAT_TEXT:
		rc = rpt_write_text(s, stdout);
		break;
	case FORMAT_JSON:
		rc = rpt_write_json(s, stdout);
		break;
	case FORMAT_CSV:
		rc = rpt_write_summary_csv(s, stdout);
		break;
	}
	if (fflush(stdout) != 0)
		rc = -1;
	return rc;
}

/* Everything after validation: simulate, summarise, report. */
static int simulate_and_report(const struct run_options *o, struct model_config *cfg)
{
	char *resolved = NULL;
	if (scn_emit_resolved(cfg, &resolved)) {
		fprintf(stderr, "tiersim run: out of memory\n");
		return CLI_EXIT_FAILURE;
	}
	struct progress progress = {.enabled = !o->quiet && isatty(STDERR_FILENO)};
	clock_gettime(CLOCK_MONOTONIC, &progress.started);
	if (cfg->warmup_auto) {
		struct model_warmup w;
		if (model_detect_warmup(cfg, &w)) {
			fprintf(stderr, "tiersim run: out of memory\n");
			free(resolved);
			return CLI_EXIT_FAILURE;
		}
		if (!w.found && !o->quiet)
			fprintf(stderr, "tiersim run: warm-up not detected by MSER-5 (the run is too "
					"short or still trending); using half the duration\n");
		cfg->warmup_ns = w.warmup_ns;
	}
	struct model_replicate_opts ro = {.jobs = model_limits_jobs(cfg->max_memory_bytes, o->jobs),
					  .progress = show_progress,
					  .progress_ctx = &progress};
	struct model_replications reps;
	if (model_replicate(cfg, &ro, &reps)) {
		fprintf(stderr, "tiersim run: out of memory\n");
		free(resolved);
		return CLI_EXIT_FAILURE;
	}
	char partial[64] = "";
	if (reps.interrupted)
		snprintf(partial, sizeof partial, "interrupted by %s",
			 sim_interrupt_signal == SIGTERM ? "SIGTERM" : "SIGINT");
	if (reps.n == 0) {
		fprintf(stderr, "tiersim run: %s before any replication ran; no report\n",
			partial[0] ? partial : "stopped");
		int status = reps.interrupted ? sim_interrupt_exit_status() : CLI_EXIT_FAILURE;
		model_replications_fini(&reps);
		free(resolved);
		return status;
	}
	struct model_analytic analytic;
	model_analytic_compute(cfg, &analytic);
	struct rpt_run_info info = {
		.resolved_scenario = resolved,
		.resolved_len = strlen(resolved),
		.seed = cfg->seed,
		.duration_s = sim_ns_to_s(cfg->duration_ns),
		.warmup_s = sim_ns_to_s(cfg->warmup_ns),
		.precision = cfg->replications_auto ? cfg->precision : 0,
		.precision_reached = reps.precision_met,
		.extra_slo = o->slo,
		.nextra_slo = o->nslo,
		.partial = partial[0] ? partial : NULL,
	};
	struct rpt_summary summary;
	int rc = rpt_summary_build(cfg, reps.results, reps.n, &analytic, &info, &summary);
	model_replications_fini(&reps);
	if (rc) {
		fprintf(stderr, "tiersim run: cannot summarise the run (%s)\n", strerror(rc));
		free(resolved);
		return CLI_EXIT_FAILURE;
	}
	rc = 0;
	if (o->out_dir)
		rc = write_outputs(o->out_dir, &summary, resolved);
	if (!rc && o->plot) {
		struct rpt_plot_options po = {.max_lag_s = sim_ns_to_s(cfg->db.max_lag_ns)};
		rc = cli_plot_folder("run", o->out_dir, &po, NULL);
	}
	if (!rc && !o->quiet && print_report(o, &summary) != 0) {
		fprintf(stderr, "tiersim run: cannot write the report: %s\n", strerror(errno));
		rc = CLI_EXIT_FAILURE;
	}
	if (!rc && !summary.slo_met)
		rc = CLI_EXIT_SLO_MISSED;
	if (summary.partial) {
		/* Stopped: the report was written, but the run is not a result. */
		fprintf(stderr, "tiersim run: %s; the report covers %.1f s measured per "
				"replication (%zu replication%s)\n", summary.partial_reason,
			summary.measured_s, summary.replications,
			summary.replications == 1 ? "" : "s");
		rc = rc == CLI_EXIT_FAILURE ? rc : sim_interrupt_exit_status();
	}
	rpt_summary_fini(&summary);
	free(resolved);
	return rc;
}

int cli_run(int argc, char **argv)
{
	struct run_options o = {.format = FORMAT_TEXT};
	int rc = parse_options(argc, argv, &o);
	if (rc) {
		options_fini(&o);
		return rc < 0 ? CLI_EXIT_OK : rc;
	}
	struct model_config cfg;
	struct sim_diags diags;
	sim_diags_init(&diags);
	rc = scn_load_file(o.file, o.sets.items, o.sets.n, &cfg, &diags);
	cfg.max_memory_bytes = o.max_memory_bytes;
	if (rc || diags.errors) {
		sim_diags_print(&diags, stderr);
		rc = CLI_EXIT_USAGE;
	} else {
		char why[256];
		if (!model_failures_supported(&cfg, why, sizeof why))
			rc = cli_usage_error("run", "%s: %s", o.file, why);
		else if (o.out_dir)
			rc = cli_prepare_out_dir("run", o.out_dir);
	}
	sim_diags_fini(&diags);
	if (!rc && sim_interrupt_install() != 0)
		rc = cli_usage_error("run", "cannot install the signal handlers");
	if (!rc)
		rc = simulate_and_report(&o, &cfg);
	model_config_fini(&cfg);
	options_fini(&o);
	return rc;
}
