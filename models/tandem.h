/* The reference network: FIFO stations in tandem fed by Poisson arrivals.
 *
 * Built directly on the engine's station, it is the yardstick that the
 * validation tests, the benchmarks and `tiersim demo` compare with queueing
 * theory (M/M/1, M/M/c, M/G/1, Jackson networks): if the engine is right,
 * this network matches the formulas.
 *
 * Each replication has its own engine and its own streams ("arrivals",
 * "stationK.service") keyed by (seed, replication), so results do not depend
 * on the number of threads.  Customers born before the warm-up ends are not
 * measured; station statistics restart at the end of warm-up. */
#ifndef MODELS_TANDEM_H
#define MODELS_TANDEM_H

#include <stdint.h>

#include "sim/dist.h"

#define TANDEM_MAX_STATIONS 8

struct tandem_station_spec {
	int servers;
	struct sim_dist service; /* ns */
};

struct tandem_config {
	double rate_per_s;        /* Poisson arrival rate */
	int nstations;
	struct tandem_station_spec stations[TANDEM_MAX_STATIONS];
	int64_t warmup_ns;
	int64_t measure_ns;       /* observed span after warm-up */
	uint64_t seed;
};

struct tandem_station_result {
	double utilization;      /* busy share of the servers */
	double in_system_mean;   /* L: time-average number present */
	double throughput_per_s; /* completions / measured span */
	double sojourn_mean_s;   /* W: mean time in the station of served jobs */
};

struct tandem_result {
	uint64_t customers;      /* measured customers that left the network */
	double response_mean_s;
	double response_p99_s;
	uint64_t events;
	struct tandem_station_result stations[TANDEM_MAX_STATIONS];
};

/* Run replication `index` of cfg; 0 or an errno. */
int tandem_run(const struct tandem_config *cfg, unsigned index, struct tandem_result *out);

/* Run R replications over `jobs` threads into results[0..R-1]. */
int tandem_replicate(const struct tandem_config *cfg, unsigned replications, int jobs,
		   struct tandem_result *results);

#endif
