/* `tiersim demo`: the reference tandem network next to queueing theory.
 *
 * Until scenario files exist this is what `make run` shows: four M/M/c
 * stations standing for the LB, web, app and db tiers (the parameters of
 * ../shared/bench/limit_tandem.c), simulated in independent replications over
 * all cores, with each station's utilization beside the utilization law and
 * the mean response time beside the Jackson-network value, with 95% CIs. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "models/tandem.h"
#include "sim/analytic.h"
#include "sim/ci.h"
#include "sim/replicate.h"
#include "sim/time.h"
#include "sim/units.h"

static const char demo_usage[] =
	"usage: tiersim demo [--seed N] [--replications R] [--duration T] [-j N]\n"
	"\n"
	"Simulate an open tandem of four M/M/c stations (lb c=1 1ms, web c=4 20ms,\n"
	"app c=8 50ms, db c=2 8ms; Poisson arrivals at 100/s) and compare it with\n"
	"the utilization law and the Jackson-network mean response time.\n"
	"\n"
	"  --seed N           random seed (default 1)\n"
	"  --replications R   independent replications (default 10)\n"
	"  --duration T       measured time per replication, after a 10s warm-up (default 5m)\n"
	"  -j N               worker threads (default: all cores)\n";

struct demo_options {
	uint64_t seed;
	int64_t replications;
	int64_t duration_ns;
	int jobs;
};

static int parse_options(int argc, char **argv, struct demo_options *o)
{
	static const struct option longopts[] = {
		{"seed", required_argument, NULL, 's'},
		{"replications", required_argument, NULL, 'r'},
		{"duration", required_argument, NULL, 'd'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct sim_parse_error err;
	int64_t n;
	opterr = 0;
	optind = 1;
	int ch;
	while ((ch = getopt_long(argc, argv, ":j:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 's':
			if (sim_parse_count(optarg, &n, &err))
				return cli_usage_error("demo", "--seed: %s", err.message);
			o->seed = (uint64_t)n;
			break;
		case 'r':
			if (sim_parse_count(optarg, &n, &err) || n < 2 || n > 10000)
				return cli_usage_error("demo", "--replications: expected a whole number from 2 to 10000, got '%s'", optarg);
			o->replications = n;
			break;
		case 'd':
			if (sim_parse_duration_ns(optarg, &o->duration_ns, &err))
				return cli_usage_error("demo", "--duration: %s", err.message);
			if (o->duration_ns < SIM_NS_PER_S)
				return cli_usage_error("demo", "--duration: at least 1s, got '%s'", optarg);
			break;
		case 'j':
			if (cli_parse_jobs("demo", optarg, &o->jobs))
				return CLI_EXIT_USAGE;
			break;
		case 'h':
			fputs(demo_usage, stdout);
			return -1;
		default:
			return cli_option_error("demo", ch, argv);
		}
	}
	if (optind < argc)
		return cli_usage_error("demo", "unexpected argument '%s' (see 'tiersim demo --help')",
				       argv[optind]);
	return 0;
}

int cli_demo(int argc, char **argv)
{
	struct demo_options o = {.seed = 1, .replications = 10, .duration_ns = 5 * SIM_NS_PER_MIN,
				 .jobs = 0};
	int rc = parse_options(argc, argv, &o);
	if (rc)
		return rc < 0 ? CLI_EXIT_OK : rc;

	static const char *const names[4] = {"lb", "web", "app", "db"};
	static const int servers[4] = {1, 4, 8, 2};
	static const double mean_ms[4] = {1, 20, 50, 8};
	struct tandem_config cfg = {.rate_per_s = 100, .nstations = 4, .seed = o.seed,
				    .warmup_ns = 10 * SIM_NS_PER_S, .measure_ns = o.duration_ns};
	for (int k = 0; k < 4; k++) {
		cfg.stations[k].servers = servers[k];
		sim_dist_init_exp(&cfg.stations[k].service, mean_ms[k] * 1e6);
	}
	size_t reps = (size_t)o.replications;
	struct tandem_result *r = calloc(reps, sizeof *r);
	double *x = calloc(reps, sizeof *x);
	if (!r || !x || tandem_replicate(&cfg, (unsigned)reps, (int)o.jobs, r) != 0) {
		fprintf(stderr, "tiersim demo: simulation failed (out of memory)\n");
		free(r);
		free(x);
		return CLI_EXIT_FAILURE;
	}

	char span[32];
	sim_format_duration(o.duration_ns, span, sizeof span);
	printf("tiersim demo: open tandem of 4 M/M/c stations, Poisson arrivals at %.0f/s\n"
	       "%zu replications of %s after a 10s warm-up, seed %llu; 95%% confidence intervals\n\n",
	       cfg.rate_per_s, reps, span, (unsigned long long)o.seed);
	printf("%-8s %7s %9s  %-26s %10s\n", "station", "servers", "service", "utilization (simulated)",
	       "(law)");
	double jackson_s = 0;
	for (int k = 0; k < 4; k++) {
		for (size_t i = 0; i < reps; i++)
			x[i] = r[i].stations[k].utilization;
		struct sim_ci u = sim_ci_of(x, reps, 0.95);
		double law = cfg.rate_per_s * mean_ms[k] / 1e3 / servers[k];
		printf("%-8s %7d %7.0fms  %6.4f [%6.4f, %6.4f]   %10.4f\n", names[k], servers[k],
		       mean_ms[k], u.mean, u.lo, u.hi, law);
		jackson_s += sim_mmc_response_mean_s(cfg.rate_per_s, servers[k], mean_ms[k] / 1e3);
	}
	for (size_t i = 0; i < reps; i++)
		x[i] = r[i].response_mean_s * 1e3;
	struct sim_ci m = sim_ci_of(x, reps, 0.95);
	for (size_t i = 0; i < reps; i++)
		x[i] = r[i].response_p99_s * 1e3;
	struct sim_ci p99 = sim_ci_of(x, reps, 0.95);
	printf("\nmean response  %8.3f ms [%.3f, %.3f]   Jackson network %.3f ms %s\n", m.mean, m.lo,
	       m.hi, jackson_s * 1e3, sim_ci_contains(&m, jackson_s * 1e3) ? "(inside the CI)" : "(outside the CI)");
	printf("p99 response   %8.3f ms [%.3f, %.3f]\n", p99.mean, p99.lo, p99.hi);
	for (int k = 0; k < 4; k++)
		sim_dist_fini(&cfg.stations[k].service);
	free(r);
	free(x);
	return CLI_EXIT_OK;
}
