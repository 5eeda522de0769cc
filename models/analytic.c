/* The open queueing-network approximation of the architecture.
 *
 * Each CPU station is taken as M/M/c with its mean service time (Erlang C),
 * fed by the share of the base load that the request path sends to it:
 *   LB     every request, `service`, c = threads, on the active node only;
 *   web    1/nodes of the requests, TLS (reuse mix) plus static (static
 *          classes and cache hits) or proxy CPU, c = workers;
 *   app    1/nodes of the dynamic cache misses, the class mix of `app`,
 *          c = cores;
 *   db     writes on the primary; reads spread over the replicas (or on the
 *          primary), and every write applied on every replica, c = cores.
 * A class's mean latency is the sum over its visits of the station's mean
 * waiting time plus the class's own mean service, plus the network hops.
 * Thread pools, connection pools, limits, time-outs and retries are left out
 * on purpose: where the simulation departs from this, those are the reasons,
 * and the reports say so.  The utilization law (U = lambda S / c) holds
 * exactly, whatever the distributions. */
#include <math.h>
#include <string.h>

#include "results.h"
#include "sim/analytic.h"

struct station_load {
	double rate_per_s;    /* arrivals per second at one node */
	double service_s;     /* mean service time of the mix */
	int servers;
	enum model_tier tier;
};

static double utilization(const struct station_load *s)
{
	return s->rate_per_s * s->service_s / s->servers;
}

/* Mean time waiting for a server (s); INFINITY when saturated. */
static double wait_s(const struct station_load *s)
{
	if (s->rate_per_s <= 0 || s->service_s <= 0)
		return 0;
	double u = utilization(s);
	if (u >= 1)
		return INFINITY;
	return sim_mmc_response_mean_s(s->rate_per_s, s->servers, s->service_s) - s->service_s;
}

static double mean_s(const struct sim_dist *d) { return sim_dist_mean(d) / 1e9; }

void model_analytic_compute(const struct model_config *cfg, struct model_analytic *out)
{
	memset(out, 0, sizeof *out);
	const struct wl_config *wl = &cfg->wl;
	const double rate = wl->rate_per_s;
	out->rate_per_s = rate;

	/* Where the load goes. */
	double dyn_share = 0, app_work = 0, reads = 0, writes = 0, read_cost = 0, write_cost = 0;
	for (size_t k = 0; k < wl->nclasses; k++) {
		const struct wl_class_config *c = &wl->classes[k];
		if (!c->dynamic)
			continue;
		double miss = c->share * (1 - model_cache_hit_of(cfg, c));
		dyn_share += miss;
		app_work += miss * mean_s(&c->app);
		reads += miss * c->db_reads;
		writes += miss * c->db_writes;
	}
	read_cost = mean_s(&cfg->db.read_cost);
	write_cost = mean_s(&cfg->db.write_cost);
	const double tls = cfg->web.tls_reuse * mean_s(&cfg->web.tls_resumed) +
			   (1 - cfg->web.tls_reuse) * mean_s(&cfg->web.tls_handshake);
	double static_share = 1 - dyn_share; /* static classes and cache hits */
	double web_s = tls + static_share * mean_s(&cfg->web.static_cost) +
		       dyn_share * mean_s(&cfg->web.proxy_cost);

	int replicas = cfg->db.nodes - 1;
	bool reads_on_primary = cfg->db.reads_from == DB_READS_FROM_PRIMARY || replicas < 1;
	struct station_load lb = {rate, mean_s(&cfg->lb.service), cfg->lb.threads, TIER_LB};
	struct station_load web = {rate / cfg->web.nodes, web_s, cfg->web.workers, TIER_WEB};
	struct station_load app = {rate * dyn_share / cfg->app.nodes,
				   dyn_share > 0 ? app_work / dyn_share : 0, cfg->app.cores, TIER_APP};
	double primary_rate = rate * (writes + (reads_on_primary ? reads : 0));
	double primary_work = rate * (writes * write_cost + (reads_on_primary ? reads * read_cost : 0));
	struct station_load primary = {primary_rate, primary_rate > 0 ? primary_work / primary_rate : 0,
				       cfg->db.cores, TIER_DB};
	double replica_reads = reads_on_primary ? 0 : rate * reads / replicas;
	double replica_applies = replicas > 0 ? rate * writes : 0;
	double replica_rate = replica_reads + replica_applies;
	double replica_work = replica_reads * read_cost +
			      replica_applies * mean_s(&cfg->db.apply_cost);
	struct station_load replica = {replica_rate,
				       replica_rate > 0 ? replica_work / replica_rate : 0,
				       cfg->db.cores, TIER_DB};

	/* Utilizations: tier means over nodes, and the busiest station. */
	const struct station_load *stations[] = {&lb, &web, &app, &primary, &replica};
	double busiest = 0;
	out->bottleneck = TIER_LB;
	for (size_t i = 0; i < sizeof stations / sizeof stations[0]; i++) {
		const struct station_load *s = stations[i];
		if (s == &replica && replicas < 1)
			continue;
		double u = utilization(s);
		if (u > out->tier_max_utilization[s->tier]) {
			out->tier_max_utilization[s->tier] = u;
			out->tier_station_rate_per_s[s->tier] = s->rate_per_s;
			out->tier_station_service_s[s->tier] = s->service_s;
			out->tier_station_servers[s->tier] = s->servers;
		}
		if (u > busiest) {
			busiest = u;
			out->bottleneck = s->tier;
		}
	}
	out->tier_utilization[TIER_LB] = utilization(&lb) / cfg->lb.nodes; /* standby idles */
	out->tier_utilization[TIER_WEB] = utilization(&web);
	out->tier_utilization[TIER_APP] = utilization(&app);
	out->tier_utilization[TIER_DB] =
		(utilization(&primary) + (replicas > 0 ? replicas * utilization(&replica) : 0)) /
		cfg->db.nodes;
	out->stable = busiest < 1;
	out->saturation_rate_per_s = busiest > 0 ? rate / busiest : INFINITY;

	/* Latency per class. */
	double hop = mean_s(&cfg->net.hop);
	double w_lb = wait_s(&lb), w_web = wait_s(&web), w_app = wait_s(&app);
	double w_primary = wait_s(&primary), w_replica = wait_s(&replica);
	double w_read = reads_on_primary ? w_primary : w_replica;
	double total = 0;
	for (size_t k = 0; k < wl->nclasses; k++) {
		const struct wl_class_config *c = &wl->classes[k];
		double front = 2 * hop + w_lb + lb.service_s + w_web + tls;
		double hit = front + mean_s(&cfg->web.static_cost);
		double t = hit;
		if (c->dynamic) {
			double miss = front + mean_s(&cfg->web.proxy_cost) + 2 * hop + w_app +
				      mean_s(&c->app) +
				      c->db_reads * (2 * hop + w_read + read_cost) +
				      c->db_writes * (2 * hop + w_primary + write_cost);
			double h = model_cache_hit_of(cfg, c);
			t = h * hit + (1 - h) * miss;
		}
		out->class_latency_mean_s[k] = out->stable ? t : NAN;
		total += c->share * t;
	}
	out->latency_mean_s = out->stable ? total : NAN;
}
