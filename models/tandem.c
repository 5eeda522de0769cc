/* The reference tandem network on the engine (see tandem.h).  Customers come
 * from a pool (no malloc per customer); the response-time histogram and tally
 * are the engine's own accumulators. */
#include "tandem.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "sim/engine.h"
#include "sim/histogram.h"
#include "sim/pool.h"
#include "sim/replicate.h"
#include "sim/rng.h"
#include "sim/station.h"
#include "sim/tally.h"
#include "sim/time.h"

struct customer {
	struct sim_job job; /* first: a job pointer is a customer pointer */
	int64_t born_ns;
	int stage;
};

struct network {
	const struct tandem_config *cfg;
	struct sim_engine engine;
	struct sim_pool customers;
	struct sim_station stations[TANDEM_MAX_STATIONS];
	gsl_rng *service_rng[TANDEM_MAX_STATIONS];
	gsl_rng *arrival_rng;
	double arrival_mean_ns;
	int64_t measure_from_ns;
	struct sim_histogram response;
	struct sim_tally response_s;
};

static void enter_station(struct network *net, struct customer *c)
{
	int k = c->stage;
	double demand = sim_dist_sample(&net->cfg->stations[k].service, net->service_rng[k]);
	sim_station_arrive(&net->engine, &net->stations[k], &c->job, demand);
}

static void on_departure(struct sim_engine *e, struct sim_station *st, struct sim_job *job,
			 enum sim_job_status status)
{
	struct network *net = st->owner;
	struct customer *c = (struct customer *)job;
	(void)status; /* no time-outs or failures in this network */
	if (++c->stage < net->cfg->nstations) {
		enter_station(net, c);
		return;
	}
	if (c->born_ns >= net->measure_from_ns) {
		int64_t response_ns = e->now_ns - c->born_ns;
		sim_histogram_add(&net->response, response_ns);
		sim_tally_add(&net->response_s, sim_ns_to_s(response_ns));
	}
	sim_pool_put(&net->customers, c);
}

SIM_STATION_END_EVENT(station_end, on_departure)

static void on_arrival(struct sim_engine *e, void *obj, uint64_t arg)
{
	struct network *net = obj;
	(void)arg;
	struct customer *c = sim_pool_get(&net->customers);
	if (c) {
		c->born_ns = e->now_ns;
		c->stage = 0;
		enter_station(net, c);
	}
	int64_t gap = (int64_t)(sim_rand_exp(net->arrival_rng, net->arrival_mean_ns) + 0.5);
	sim_engine_after(e, gap, on_arrival, net, 0);
}

static void on_warmup_end(struct sim_engine *e, void *obj, uint64_t arg)
{
	struct network *net = obj;
	(void)arg;
	for (int k = 0; k < net->cfg->nstations; k++)
		sim_station_reset_stats(&net->stations[k], e->now_ns);
}

int tandem_run(const struct tandem_config *cfg, unsigned index, struct tandem_result *out)
{
	struct network *net = calloc(1, sizeof *net);
	if (!net)
		return ENOMEM;
	net->cfg = cfg;
	sim_engine_init(&net->engine);
	sim_pool_init(&net->customers, sizeof(struct customer), 1024);
	sim_histogram_init(&net->response);
	sim_tally_init(&net->response_s);
	net->arrival_mean_ns = 1e9 / cfg->rate_per_s;
	net->measure_from_ns = cfg->warmup_ns;
	net->arrival_rng = sim_rng_stream_create(cfg->seed, index, "arrivals");
	int rc = net->arrival_rng ? 0 : ENOMEM;
	for (int k = 0; k < cfg->nstations && !rc; k++) {
		char name[32];
		snprintf(name, sizeof name, "station%d.service", k + 1);
		net->service_rng[k] = sim_rng_stream_create(cfg->seed, index, name);
		if (!net->service_rng[k])
			rc = ENOMEM;
		struct sim_station_config sc = {
			.name = name, .servers = cfg->stations[k].servers, .queue_cap = -1,
			.queue_timeout_ns = 0, .speed = 1.0,
		};
		sim_station_init(&net->stations[k], &sc, on_departure, net, 0);
		net->stations[k].end_event = station_end;
	}
	if (!rc) {
		sim_engine_at(&net->engine, 0, on_arrival, net, 0);
		sim_engine_at(&net->engine, cfg->warmup_ns, on_warmup_end, net, 0);
		int64_t end_ns = cfg->warmup_ns + cfg->measure_ns;
		sim_engine_run(&net->engine, end_ns);

		*out = (struct tandem_result){0};
		out->customers = net->response_s.n;
		out->response_mean_s = net->response_s.mean;
		out->response_p99_s = sim_histogram_quantile(&net->response, 0.99) / 1e9;
		out->events = net->engine.events_fired;
		double span_s = sim_ns_to_s(cfg->measure_ns);
		for (int k = 0; k < cfg->nstations; k++) {
			struct sim_station *st = &net->stations[k];
			out->stations[k] = (struct tandem_station_result){
				.utilization = sim_station_utilization(st, end_ns),
				.in_system_mean = sim_station_in_system_mean(st, end_ns),
				.throughput_per_s = (double)st->completed / span_s,
				.sojourn_mean_s = sim_station_sojourn_mean_s(st),
			};
		}
	}
	/* Customers still in the network are abandoned with the engine. */
	sim_engine_fini(&net->engine);
	sim_pool_fini(&net->customers);
	for (int k = 0; k < cfg->nstations; k++)
		if (net->service_rng[k])
			gsl_rng_free(net->service_rng[k]);
	if (net->arrival_rng)
		gsl_rng_free(net->arrival_rng);
	free(net);
	return rc;
}

static int run_one(void *ctx, unsigned index, void *result)
{
	return tandem_run(ctx, index, result);
}

int tandem_replicate(const struct tandem_config *cfg, unsigned replications, int jobs,
		   struct tandem_result *results)
{
	struct sim_replicate_opts opts = {
		.min_reps = replications, .max_reps = replications, .jobs = jobs,
		.result_size = sizeof(struct tandem_result), .run = run_one, .ctx = (void *)cfg,
	};
	struct sim_replicate_outcome outcome;
	int rc = sim_replicate_run(&opts, &outcome);
	if (!rc)
		memcpy(results, outcome.results, replications * sizeof *results);
	free(outcome.results);
	return rc;
}
