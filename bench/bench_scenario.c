/* One replication of a scenario on one core, timed: simulated requests (and
 * customers) per wall-clock second.
 *
 * make bench runs it on scenarios/baseline.yaml (target: at least 1 million
 * simulated requests per second) and on bench/tandem.yaml, the four-station
 * tandem of ../shared/bench/limit_tandem.c written as a scenario, next to
 * that reference program built and run in the same bench.  Prints one line
 * of JSON.  Peak RSS is printed too: memory is bounded by the requests in
 * flight, not by simulated time.
 * usage: bench_scenario FILE [--set KEY=VALUE]... */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "models/arch.h"
#include "scenarios/loader.h"
#include "sim/time.h"

static double wall_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: bench_scenario FILE [--set KEY=VALUE]...\n");
		return 2;
	}
	const char *sets[32];
	size_t nsets = 0;
	for (int i = 2; i + 1 < argc && nsets < 32; i += 2)
		if (!strcmp(argv[i], "--set"))
			sets[nsets++] = argv[i + 1];
	struct model_config cfg;
	struct sim_diags diags;
	sim_diags_init(&diags);
	if (scn_load_file(argv[1], sets, nsets, &cfg, &diags) || diags.errors) {
		sim_diags_print(&diags, stderr);
		return 2;
	}
	sim_diags_fini(&diags);
	struct model_results r;
	double t0 = wall_s();
	int rc = model_run_replication(&cfg, 0, &r);
	double wall = wall_s() - t0;
	if (rc) {
		fprintf(stderr, "bench_scenario: out of memory\n");
		return 1;
	}
	uint64_t requests = 0;
	for (size_t w = 0; w < r.nwindows; w++)
		requests += r.windows[w].offered;
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("{\"bench\": \"scenario\", \"scenario\": \"%s\", \"simulated_s\": %.1f, "
	       "\"requests\": %llu, \"mean_response_s\": %.9g, \"wall_s\": %.6f, "
	       "\"requests_per_s\": %.6g, \"customers_per_s\": %.6g, \"peak_rss_kb\": %ld}\n",
	       cfg.name, sim_ns_to_s(cfg.duration_ns), (unsigned long long)requests,
	       r.latency_s.mean, wall, (double)requests / wall, (double)requests / wall,
	       ru.ru_maxrss);
	model_results_fini(&r);
	model_config_fini(&cfg);
	return 0;
}
