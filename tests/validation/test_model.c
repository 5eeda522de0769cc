/* The architecture model against queueing theory.
 *
 * Every cost of the model can be zero, which makes a tier transparent; that
 * is how these tests isolate one tier or build a pure Jackson network out of
 * the full request path (LB -> nginx -> app -> MySQL):
 *   - the app tier alone as M/M/4 at rho 0.8: mean and p99 response time
 *     against Erlang C;
 *   - the four tiers with exponential costs and one query per request: mean
 *     response time against the Jackson-network sum of M/M/c responses
 *     (the stations of ../shared/bench/limit_tandem.c);
 *   - the baseline architecture: every node's utilization against the
 *     utilization law lambda S / c, within 1%. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "models/arch.h"
#include "models/replications.h"
#include "sim/ci.h"
#include "sim/analytic.h"
#include "sim/time.h"
#include "replicate.h"
#include "theory.h"
#include "transparent.h"

static void exponential(struct sim_dist *d, double mean_ms)
{
	sim_dist_fini(d);
	sim_dist_init_exp(d, mean_ms * 1e6);
}

/* Every tier transparent: zero costs and hops, no limits, no time-outs, one
 * dynamic class without queries. */
static void transparent(struct model_config *c)
{
	transparent_front(c, "request");
	c->replications = 20;
	c->warmup_ns = 5 * SIM_NS_PER_S;
	zero_cost(&c->net.hop);
	transparent_db(c);
}

static int copy_latency_mean_p99(const struct model_results *r, size_t i, double *values)
{
	values[2 * i] = r->latency_s.mean;
	values[2 * i + 1] = sim_histogram_quantile(&r->latency, 0.99) / 1e9;
	return 0;
}

static int copy_latency_mean(const struct model_results *r, size_t i, double *values)
{
	values[i] = r->latency_s.mean;
	return 0;
}

static void app_tier_alone_is_erlang_c(void **state)
{
	(void)state;
	struct model_config cfg;
	transparent(&cfg);
	const double s = 4e-3;
	cfg.app.cores = 4;
	exponential(&cfg.wl.classes[0].app, s * 1e3);
	cfg.wl.rate_per_s = 0.8 * 4 / s;
	cfg.duration_ns = 205 * SIM_NS_PER_S;
	struct theory_case c = {
		.what = "app tier as M/M/4 (s)", .nmetrics = 2, .metric = {"mean", "p99"},
		.analytic = {sim_mmc_response_mean_s(cfg.wl.rate_per_s, 4, s),
			     sim_mmc_response_quantile_s(cfg.wl.rate_per_s, 4, s, 0.99)},
		.reps = 20, .base_seed = 101, .run = replicate_run,
		.ctx = &(struct replicate_case){&cfg, copy_latency_mean_p99},
	};
	theory_expect(&c);
	model_config_fini(&cfg);
}

static void four_exponential_tiers_are_a_jackson_network(void **state)
{
	(void)state;
	struct model_config cfg;
	transparent(&cfg);
	cfg.wl.rate_per_s = 100;
	cfg.lb.threads = 1;
	exponential(&cfg.lb.service, 1);
	cfg.web.workers = 4;
	exponential(&cfg.web.proxy_cost, 20);
	cfg.app.cores = 8;
	exponential(&cfg.wl.classes[0].app, 50);
	cfg.wl.classes[0].db_reads = 1;
	cfg.db.cores = 2;
	exponential(&cfg.db.read_cost, 8);
	cfg.warmup_ns = 10 * SIM_NS_PER_S;
	cfg.duration_ns = 1010 * SIM_NS_PER_S;
	static const int servers[4] = {1, 4, 8, 2};
	static const double mean_s[4] = {1e-3, 20e-3, 50e-3, 8e-3};
	double jackson = 0;
	for (int k = 0; k < 4; k++)
		jackson += sim_mmc_response_mean_s(cfg.wl.rate_per_s, servers[k], mean_s[k]);
	struct theory_case c = {
		.what = "4 tiers as Jackson network (s)", .nmetrics = 1, .metric = {"mean"},
		.analytic = {jackson}, .reps = 10, .base_seed = 201, .run = replicate_run,
		.ctx = &(struct replicate_case){&cfg, copy_latency_mean},
	};
	theory_expect(&c);
	model_config_fini(&cfg);
}

/* A gray failure (kind: slow, factor 2) on the only app server for the whole
 * run is an M/M/4 whose service time is twice the configured one. */
static void slow_app_server_is_erlang_c_at_the_slower_speed(void **state)
{
	(void)state;
	struct model_config cfg;
	transparent(&cfg);
	const double s = 2e-3, factor = 2;
	cfg.app.cores = 4;
	exponential(&cfg.wl.classes[0].app, s * 1e3);
	cfg.wl.rate_per_s = 0.8 * 4 / (s * factor);
	cfg.duration_ns = 205 * SIM_NS_PER_S;
	cfg.failures[0] = (struct failure_spec){
		.kind = FAILURE_SLOW, .at_ns = 0, .for_ns = 0, .factor = factor,
		.nodes = {{TIER_APP, 0}}, .nnodes = 1,
	};
	cfg.nfailures = 1;
	struct theory_case c = {
		.what = "app x2 slower as M/M/4 (s)", .nmetrics = 2, .metric = {"mean", "p99"},
		.analytic = {sim_mmc_response_mean_s(cfg.wl.rate_per_s, 4, s * factor),
			     sim_mmc_response_quantile_s(cfg.wl.rate_per_s, 4, s * factor, 0.99)},
		.reps = 20, .base_seed = 401, .run = replicate_run,
		.ctx = &(struct replicate_case){&cfg, copy_latency_mean_p99},
	};
	theory_expect(&c);
	model_config_fini(&cfg);
}

/* A slow window doubles the app server's utilization inside it and only
 * there: the utilization law per 1 s window, inside and outside, must lie
 * in the 99.9% CI of the windows' utilizations. */
static void slow_window_doubles_utilization_only_while_it_lasts(void **state)
{
	(void)state;
	struct model_config cfg;
	transparent(&cfg);
	cfg.app.cores = 4;
	exponential(&cfg.wl.classes[0].app, 4);
	cfg.wl.rate_per_s = 400; /* utilization 0.4, and 0.8 while twice slower */
	cfg.warmup_ns = 10 * SIM_NS_PER_S;
	cfg.duration_ns = 210 * SIM_NS_PER_S;
	cfg.replications = 1;
	cfg.seed = 501;
	cfg.failures[0] = (struct failure_spec){
		.kind = FAILURE_SLOW, .at_ns = 60 * SIM_NS_PER_S, .for_ns = 100 * SIM_NS_PER_S,
		.factor = 2, .nodes = {{TIER_APP, 0}}, .nnodes = 1,
	};
	cfg.nfailures = 1;
	struct model_results r;
	assert_int_equal(model_run_replication(&cfg, 0, &r), 0);
	int app = -1;
	for (size_t i = 0; i < r.nnodes; i++)
		if (r.nodes[i].tier == TIER_APP)
			app = (int)i;
	assert_true(app >= 0);
	static double inside[256], outside[256];
	size_t nin = 0, nout = 0;
	for (size_t w = 11; w < r.nwindows; w++) { /* past the warm-up */
		double t = (double)w; /* window w covers [w, w + 1) s */
		if (t >= 61 && t < 159)
			inside[nin++] = r.windows[w].node_utilization[app];
		else if (t < 59 || t >= 161)
			outside[nout++] = r.windows[w].node_utilization[app];
	}
	struct sim_ci in = sim_ci_of(inside, nin, 0.999), out = sim_ci_of(outside, nout, 0.999);
	print_message("  slow window: utilization %.4f [%.4f, %.4f] (law 0.8), "
		      "outside %.4f [%.4f, %.4f] (law 0.4)\n",
		      in.mean, in.lo, in.hi, out.mean, out.lo, out.hi);
	assert_true(sim_ci_contains(&in, 0.8));
	assert_true(sim_ci_contains(&out, 0.4));
	model_results_fini(&r);
	model_config_fini(&cfg);
}

static double mean_s(const struct sim_dist *d) { return sim_dist_mean(d) / 1e9; }

static void every_node_follows_the_utilization_law(void **state)
{
	(void)state;
	struct model_config cfg;
	model_config_init(&cfg);
	cfg.web.upstream_balance = WEB_BALANCE_ROUND_ROBIN; /* exact shares per node */
	cfg.duration_ns = 310 * SIM_NS_PER_S;
	cfg.warmup_ns = 10 * SIM_NS_PER_S;
	cfg.replications = 10;
	cfg.seed = 301;
	struct model_replications out;
	struct model_replicate_opts opts = {.jobs = VALIDATION_JOBS};
	assert_int_equal(model_replicate(&cfg, &opts, &out), 0);

	/* The law, from the configuration alone. */
	const double rate = cfg.wl.rate_per_s;
	double miss = 0, app_work = 0, reads = 0, writes = 0;
	for (size_t k = 0; k < cfg.wl.nclasses; k++) {
		const struct wl_class_config *c = &cfg.wl.classes[k];
		if (!c->dynamic)
			continue;
		double m = c->share * (1 - model_cache_hit_of(&cfg, c));
		miss += m;
		app_work += m * mean_s(&c->app);
		reads += m * c->db_reads;
		writes += m * c->db_writes;
	}
	double web_s = cfg.web.tls_reuse * mean_s(&cfg.web.tls_resumed) +
		       (1 - cfg.web.tls_reuse) * mean_s(&cfg.web.tls_handshake) +
		       (1 - miss) * mean_s(&cfg.web.static_cost) + miss * mean_s(&cfg.web.proxy_cost);
	double law[TIER_COUNT][2] = {
		{rate * mean_s(&cfg.lb.service) / cfg.lb.threads, 0},
		{rate / cfg.web.nodes * web_s / cfg.web.workers, 0},
		{rate * app_work / cfg.app.nodes / cfg.app.cores, 0},
		{rate * writes * mean_s(&cfg.db.write_cost) / cfg.db.cores,
		 /* a replica serves its share of the reads and applies every write */
		 (rate * reads * mean_s(&cfg.db.read_cost) / (cfg.db.nodes - 1) +
		  rate * writes * mean_s(&cfg.db.apply_cost)) / cfg.db.cores},
	};
	for (size_t i = 0; i < out.results[0].nnodes; i++) {
		const struct model_node_result *n0 = &out.results[0].nodes[i];
		double sum = 0;
		for (size_t r = 0; r < out.n; r++)
			sum += out.results[r].nodes[i].utilization;
		double sim = sum / (double)out.n;
		/* the standby LB and the replicas take the second column */
		int col = !strcmp(n0->role, "standby") || !strcmp(n0->role, "replica");
		double expect = law[n0->tier][col];
		print_message("  %-5s utilization %.5f, law %.5f\n", n0->name, sim, expect);
		if (expect == 0)
			assert_true(sim == 0);
		else
			assert_true(fabs(sim - expect) < 0.01 * expect);
	}
	model_replications_fini(&out);
	model_config_fini(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(app_tier_alone_is_erlang_c),
		cmocka_unit_test(four_exponential_tiers_are_a_jackson_network),
		cmocka_unit_test(every_node_follows_the_utilization_law),
		cmocka_unit_test(slow_app_server_is_erlang_c_at_the_slower_speed),
		cmocka_unit_test(slow_window_doubles_utilization_only_while_it_lasts),
	};
	return cmocka_run_group_tests_name("validation: the architecture model", tests, NULL, NULL);
}
