/* Unit tests for models/capacity: the planner's bounds.
 *  - the utilization-law lower bound of the app tier is the smallest n with
 *    lambda * (app work per request) / (n * cores) < 1, worked out by hand
 *    from the default configuration's classes;
 *  - a single exponential station with the rest transparent: the quantile
 *    estimate is the M/M/c (Erlang C) quantile itself;
 *  - the approximation's highest load is below the saturation rate, meets
 *    the checks there and misses them just above. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>

#include "models/capacity.h"
#include "sim/analytic.h"

/* Default classes: page 35% with 25 ms of app CPU, 20% of them served by
 * nginx's cache; write 10% with 40 ms, never cached (POSTs); 8 cores per
 * app node. */
static int app_bound_by_hand(double rate)
{
	double work_s = 0.8 * 0.35 * 0.025 + 0.10 * 0.040;
	int n = 1;
	while (rate * work_s / (n * 8.0) >= 1)
		n++;
	return n;
}

static void app_lower_bound_is_the_utilization_law(void **state)
{
	(void)state;
	struct model_config cfg;
	model_config_init(&cfg);
	/* none where the bound is exact: 1.0 by hand may be 0.99.. in the model */
	const double rates[] = {500, 2000, 7000, 20000};
	for (size_t i = 0; i < sizeof rates / sizeof rates[0]; i++) {
		cfg.wl.rate_per_s = rates[i];
		assert_int_equal(model_capacity_min_nodes(&cfg, TIER_APP, 1000), app_bound_by_hand(rates[i]));
	}
	cfg.wl.rate_per_s = 1e9; /* more than any count up to the limit absorbs */
	assert_int_equal(model_capacity_min_nodes(&cfg, TIER_APP, 16), 0);
	model_config_fini(&cfg);
}

/* Only the app tier does work: one class, exponential 10 ms, 2 cores. */
static void transparent(struct model_config *c)
{
	model_config_init(c);
	sim_dist_fini(&c->net.hop);
	sim_dist_init_const(&c->net.hop, 0);
	sim_dist_fini(&c->lb.service);
	sim_dist_init_const(&c->lb.service, 0);
	struct sim_dist *zero[] = {&c->web.static_cost, &c->web.proxy_cost, &c->web.tls_handshake,
				   &c->web.tls_resumed, &c->db.read_cost, &c->db.write_cost};
	for (size_t i = 0; i < sizeof zero / sizeof zero[0]; i++) {
		sim_dist_fini(zero[i]);
		sim_dist_init_const(zero[i], 0);
	}
	c->web.cache_hit = 0;
	for (size_t k = 1; k < c->wl.nclasses; k++)
		sim_dist_fini(&c->wl.classes[k].app);
	c->wl.nclasses = 1;
	c->wl.classes[0].share = 1;
	c->wl.classes[0].dynamic = true;
	c->wl.classes[0].db_reads = c->wl.classes[0].db_writes = 0;
	sim_dist_fini(&c->wl.classes[0].app);
	sim_dist_init_exp(&c->wl.classes[0].app, 10e6);
	c->app.cores = 2;
	c->wl.rate_per_s = 1000;
}

static void one_station_estimate_is_erlang_c(void **state)
{
	(void)state;
	struct model_config cfg;
	transparent(&cfg);
	int nodes[TIER_COUNT] = {2, 1, 8, 1};
	double p99 = model_capacity_estimate(&cfg, nodes, 0, SLO_P99);
	assert_float_equal(p99, 1e9 * sim_mmc_response_quantile_s(1000.0 / 8, 2, 0.010, 0.99),
			   1e-6 * p99);
	double mean = model_capacity_estimate(&cfg, nodes, 0, SLO_MEAN);
	assert_float_equal(mean, 1e9 * sim_mmc_response_mean_s(1000.0 / 8, 2, 0.010), 1e-6 * mean);
	nodes[TIER_APP] = 5; /* utilization 1: saturated */
	assert_true(isinf(model_capacity_estimate(&cfg, nodes, 0, SLO_P99)));
	assert_float_equal(model_capacity_estimate(&cfg, nodes, 0, SLO_AVAILABILITY), 0, 0);
	model_config_fini(&cfg);
}

static void candidate_is_the_smallest_erlang_c_count(void **state)
{
	(void)state;
	struct model_config cfg;
	transparent(&cfg);
	double target_s = sqrt(sim_mmc_response_quantile_s(1000.0 / 7, 2, 0.010, 0.99) *
			       sim_mmc_response_quantile_s(1000.0 / 8, 2, 0.010, 0.99));
	struct slo_check slo = {.metric = SLO_P99, .op = SLO_AT_MOST, .target = target_s * 1e9};
	const double cost[TIER_COUNT] = {0, 0, 1, 0};
	int nodes[TIER_COUNT] = {2, 1, 0, 1};
	nodes[TIER_APP] = model_capacity_min_nodes(&cfg, TIER_APP, 64);
	assert_int_equal(nodes[TIER_APP], 6);
	assert_true(model_capacity_candidate(&cfg, 1000, &slo, 1, cost, 64, nodes));
	assert_int_equal(nodes[TIER_APP], 8);
	assert_int_equal(nodes[TIER_WEB], 1); /* free, but no help: not added */
	model_config_fini(&cfg);
}

static void max_rate_is_below_saturation_and_tight(void **state)
{
	(void)state;
	struct model_config cfg;
	transparent(&cfg);
	int nodes[TIER_COUNT] = {2, 1, 8, 1};
	double sat = model_capacity_saturation_rate(&cfg, nodes);
	assert_float_equal(sat, 8 * 2 / 0.010, 1e-6 * sat);
	struct slo_check slo = {.metric = SLO_P99, .op = SLO_AT_MOST, .target = 100e6};
	double r = model_capacity_max_rate(&cfg, nodes, &slo, 1, 1e-4);
	assert_true(r > 0 && r < sat);
	assert_true(model_capacity_meets(&cfg, nodes, r, &slo, 1));
	assert_false(model_capacity_meets(&cfg, nodes, r * 1.001, &slo, 1));
	model_config_fini(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(app_lower_bound_is_the_utilization_law),
		cmocka_unit_test(one_station_estimate_is_erlang_c),
		cmocka_unit_test(candidate_is_the_smallest_erlang_c_count),
		cmocka_unit_test(max_rate_is_below_saturation_and_tight),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
