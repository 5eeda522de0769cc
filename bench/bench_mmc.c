/* M/M/c through the engine, next to ../shared/bench/limit_mmc.c.
 *
 * The same system as the reference program (lambda 3.2/s, c = 4, exponential
 * service of mean 1 s, rho 0.8), run through tiersim's station, calendar,
 * pools, named streams and histogram, as models use them.  Prints one line of
 * JSON; bench/run.sh puts it beside the reference built and run in the same
 * bench, and prints the ratio.
 * usage: bench_mmc [N_CUSTOMERS] [SEED] */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "models/tandem.h"
#include "sim/analytic.h"
#include "sim/time.h"

static double wall_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	double n = argc > 1 ? strtod(argv[1], NULL) : 1e7;
	unsigned long long seed = argc > 2 ? strtoull(argv[2], NULL, 10) : 1;
	if (!(n >= 1)) {
		fprintf(stderr, "usage: bench_mmc [N_CUSTOMERS] [SEED]\n");
		return 2;
	}
	const double rate = 3.2, mean_s = 1.0;
	struct tandem_config cfg = {.rate_per_s = rate, .nstations = 1, .seed = seed, .warmup_ns = 0,
				    .measure_ns = sim_s_to_ns(n / rate)};
	cfg.stations[0].servers = 4;
	sim_dist_init_exp(&cfg.stations[0].service, mean_s * 1e9);
	struct tandem_result r;
	double t0 = wall_s();
	if (tandem_run(&cfg, 0, &r) != 0) {
		fprintf(stderr, "bench_mmc: out of memory\n");
		return 1;
	}
	double wall = wall_s() - t0;
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	double analytic = sim_mmc_response_mean_s(rate, 4, mean_s);
	printf("{\"engine\": \"tiersim\", \"model\": \"mmc\", \"customers\": %llu, \"seed\": %llu, "
	       "\"mean_response\": %.9g, \"analytic\": %.9g, \"rel_err\": %.6g, \"events\": %llu, "
	       "\"wall_s\": %.6f, \"customers_per_s\": %.6g, \"events_per_s\": %.6g, "
	       "\"peak_rss_kb\": %ld}\n",
	       (unsigned long long)r.customers, seed, r.response_mean_s, analytic,
	       (r.response_mean_s - analytic) / analytic, (unsigned long long)r.events, wall,
	       (double)r.customers / wall, (double)r.events / wall, ru.ru_maxrss);
	sim_dist_fini(&cfg.stations[0].service);
	return 0;
}
