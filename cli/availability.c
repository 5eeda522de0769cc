/* `tiersim availability`: yearly availability and downtime under the
 * scenario's `random` failures, from a state-level simulation of the nodes
 * (models/availability.c) weighted by request-level runs of each state.
 *
 * Everything the user typed is validated first (options, the scenario with
 * its overrides, that it has random failures, the output folder), then the
 * simulation runs, then the report is written (files atomically).  Exit
 * status: 0, 2 for bad usage or input, 3 for an internal failure. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "models/availability.h"
#include "models/failures.h"
#include "report/availability.h"
#include "report/outfile.h"
#include "scenarios/loader.h"
#include "sim/time.h"
#include "sim/units.h"

static const char availability_usage[] =
	"usage: tiersim availability FILE [options]\n"
	"\n"
	"Estimate yearly availability and downtime under the scenario's `random`\n"
	"failures: simulate the up, down and failover states of every node over the\n"
	"horizon and weight each state by its request success ratio, measured by a\n"
	"short request-level run of that state (docs/failures.md, Long horizons).\n"
	"\n"
	"  --horizon T          simulated time per replication (default 1y), e.g. 90d\n"
	"  --replications R     independent replications, 2 to 1024 (default 20)\n"
	"  --state-duration T   request-level run of each steady state (default 30s)\n"
	"  --state-replications N  request-level runs per state (default: one per\n"
	"                       replication, so the CI covers their error too)\n"
	"  --seed N             random seed (the scenario's `seed`)\n"
	"  --set KEY=VALUE      override any scenario key, e.g. --set lb.vrrp.advert_int=2s\n"
	"  --format FMT         text (default) or json\n"
	"  --out DIR            also write availability.txt and availability.json into DIR\n"
	"  --plot               with --out: also draw downtime by cause into DIR/plots\n"
	"                       (as 'tiersim plot DIR' does; docs/plots.md)\n"
	"  -j N                 worker threads for the state runs (default: all cores)\n"
	"\n"
	"exit status: 0 ok, 2 bad usage or bad input, 3 internal failure\n";

struct avail_cli {
	const char *file;
	struct cli_sets sets;
	struct avail_options opts;
	bool json;
	const char *out_dir;
	bool plot;             /* --plot: the figures of out_dir */
};

static int parse_duration(const char *opt, const char *arg, int64_t min_ns, int64_t max_ns,
			  int64_t *out)
{
	struct sim_parse_error err;
	if (sim_parse_duration_ns(arg, out, &err))
		return cli_usage_error("availability", "%s '%s': %s", opt, arg, err.message);
	if (*out < min_ns || *out > max_ns) {
		char lo[32], hi[32];
		sim_format_duration(min_ns, lo, sizeof lo);
		sim_format_duration(max_ns, hi, sizeof hi);
		return cli_usage_error("availability", "%s '%s': expected from %s to %s", opt, arg,
				       lo, hi);
	}
	return 0;
}

static int parse_count(const char *opt, const char *arg, long lo, long hi, unsigned *out)
{
	char *end;
	errno = 0;
	long v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < lo || v > hi)
		return cli_usage_error("availability", "%s: expected a whole number from %ld to %ld, "
						       "got '%s'", opt, lo, hi, arg);
	*out = (unsigned)v;
	return 0;
}

static int parse_options(int argc, char **argv, struct avail_cli *o)
{
	enum { OPT_HORIZON = 256, OPT_REPS, OPT_STATE_DURATION, OPT_STATE_REPS, OPT_SEED, OPT_SET,
	       OPT_FORMAT, OPT_OUT, OPT_PLOT, OPT_HELP };
	static const struct option longopts[] = {
		{"horizon", required_argument, NULL, OPT_HORIZON},
		{"replications", required_argument, NULL, OPT_REPS},
		{"state-duration", required_argument, NULL, OPT_STATE_DURATION},
		{"state-replications", required_argument, NULL, OPT_STATE_REPS},
		{"seed", required_argument, NULL, OPT_SEED},
		{"set", required_argument, NULL, OPT_SET},
		{"format", required_argument, NULL, OPT_FORMAT},
		{"out", required_argument, NULL, OPT_OUT},
		{"plot", no_argument, NULL, OPT_PLOT},
		{"help", no_argument, NULL, OPT_HELP},
		{NULL, 0, NULL, 0},
	};
	const int64_t day = 24 * 3600 * SIM_NS_PER_S;
	opterr = 0;
	optind = 1;
	int ch;
	while ((ch = getopt_long(argc, argv, ":j:h", longopts, NULL)) != -1) {
		int rc = 0, oom = 0;
		switch (ch) {
		case OPT_HORIZON:
			rc = parse_duration("--horizon", optarg, day, 100 * 365 * day,
					    &o->opts.horizon_ns);
			break;
		case OPT_REPS:
			rc = parse_count("--replications", optarg, 2, AVAIL_MAX_REPS,
					 &o->opts.replications);
			break;
		case OPT_STATE_DURATION:
			rc = parse_duration("--state-duration", optarg, SIM_NS_PER_S, day,
					    &o->opts.state_measure_ns);
			break;
		case OPT_STATE_REPS:
			rc = parse_count("--state-replications", optarg, 1, 64,
					 &o->opts.state_replications);
			break;
		case OPT_SEED:
			oom = cli_sets_shorthand(&o->sets, 0, "seed", optarg);
			break;
		case OPT_SET:
			if (!strchr(optarg, '=') || optarg[0] == '=')
				return cli_usage_error("availability", "--set expects KEY=VALUE, got '%s'",
						       optarg);
			oom = cli_sets_add(&o->sets, optarg);
			break;
		case OPT_FORMAT:
			if (!strcmp(optarg, "text"))
				o->json = false;
			else if (!strcmp(optarg, "json"))
				o->json = true;
			else
				return cli_usage_error("availability",
						       "--format: expected text or json, got '%s'", optarg);
			break;
		case OPT_OUT:
			o->out_dir = optarg;
			break;
		case OPT_PLOT:
			o->plot = true;
			break;
		case 'j':
			rc = cli_parse_jobs("availability", optarg, &o->opts.jobs) ? CLI_EXIT_USAGE : 0;
			break;
		case OPT_HELP:
		case 'h':
			fputs(availability_usage, stdout);
			return -1;
		default:
			return cli_option_error("availability", ch, argv);
		}
		if (rc)
			return rc;
		if (oom)
			return cli_usage_error("availability", "out of memory");
	}
	int bad = cli_scenario_operand("availability", argc, argv, &o->file);
	if (bad)
		return bad;
	bad = cli_check_plot("availability", o->plot, o->out_dir);
	if (bad)
		return bad;
	return 0;
}

static int report(const struct avail_cli *o, const struct rpt_availability *ra)
{
	if (o->out_dir) {
		char err[512];
		if (rpt_write_file_atomic(o->out_dir, "availability.json",
					  rpt_availability_json_writer, ra, err, sizeof err) ||
		    rpt_write_file_atomic(o->out_dir, "availability.txt",
					  rpt_availability_text_writer, ra, err, sizeof err)) {
			fprintf(stderr, "tiersim availability: %s\n", err);
			return CLI_EXIT_FAILURE;
		}
	}
	int rc = o->json ? rpt_availability_json(ra, stdout) : rpt_availability_text(ra, stdout);
	if (rc || fflush(stdout) != 0) {
		fprintf(stderr, "tiersim availability: cannot write the report: %s\n", strerror(errno));
		return CLI_EXIT_FAILURE;
	}
	if (o->plot)
		return cli_plot_folder("availability", o->out_dir, NULL, NULL);
	return CLI_EXIT_OK;
}

static int estimate(const struct avail_cli *o, const struct model_config *cfg)
{
	struct avail_results *res = malloc(sizeof *res);
	if (!res) {
		fprintf(stderr, "tiersim availability: out of memory\n");
		return CLI_EXIT_FAILURE;
	}
	int rc = model_availability(cfg, &o->opts, res);
	if (rc) {
		fprintf(stderr, "tiersim availability: %s\n",
			rc == ENOSPC ? "more distinct node states than it can measure (512); "
				       "fewer nodes or rarer failures"
				     : strerror(rc));
		free(res);
		return CLI_EXIT_FAILURE;
	}
	struct rpt_availability ra = {.scenario = cfg->name, .seed = cfg->seed, .opts = &o->opts,
				      .res = res};
	rc = report(o, &ra);
	model_availability_fini(res);
	free(res);
	return rc;
}

int cli_availability(int argc, char **argv)
{
	struct avail_cli o = {0};
	model_availability_options_init(&o.opts);
	int rc = parse_options(argc, argv, &o);
	if (rc) {
		cli_sets_fini(&o.sets);
		return rc < 0 ? CLI_EXIT_OK : rc;
	}
	struct model_config cfg;
	struct sim_diags diags;
	sim_diags_init(&diags);
	rc = scn_load_file(o.file, o.sets.items, o.sets.n, &cfg, &diags);
	if (rc || diags.errors) {
		sim_diags_print(&diags, stderr);
		rc = CLI_EXIT_USAGE;
	} else {
		char why[256];
		if (!model_failures_supported(&cfg, why, sizeof why) ||
		    !model_availability_supported(&cfg, why, sizeof why))
			rc = cli_usage_error("availability", "%s: %s", o.file, why);
		else if (o.out_dir)
			rc = cli_prepare_out_dir("availability", o.out_dir);
	}
	sim_diags_fini(&diags);
	if (!rc)
		rc = estimate(&o, &cfg);
	model_config_fini(&cfg);
	cli_sets_fini(&o.sets);
	return rc;
}
