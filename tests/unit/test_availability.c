/* models/availability.c: the detection windows it charges, what it refuses,
 * and the state abstraction's invariants.
 *
 * What it pins: the mean windows with the defaults are the ones DOMAIN.md
 * derives (keepalived's takeover 3.109 s after a host crash, HAProxy's 11 s
 * for a black-holed web server and 5 s for a refused one, orchestrator's
 * detect + promote); a scenario without random failures, or with two for
 * one tier, is refused; the estimate is the same for any number of threads;
 * a single LB has no failover window; a db window is always the primary's,
 * written as db1. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "models/availability.h"
#include "sim/time.h"

static void config_with_random(struct model_config *c, enum model_tier tier,
			       enum failure_kind mode, double mtbf_s, double mttr_s)
{
	model_config_init(c);
	c->warmup_ns = 5 * SIM_NS_PER_S;
	c->wl.rate_per_s = 50;
	c->failures[0] = (struct failure_spec){.kind = FAILURE_RANDOM, .tier = tier, .mode = mode,
					       .mtbf_ns = (int64_t)(mtbf_s * 1e9)};
	sim_dist_init_exp(&c->failures[0].mttr, mttr_s * 1e9);
	c->nfailures = 1;
}

static struct avail_options quick_options(int jobs)
{
	struct avail_options o;
	model_availability_options_init(&o);
	o.horizon_ns = 10 * 24 * 3600 * SIM_NS_PER_S;
	o.replications = 3;
	o.state_replications = 1;
	o.state_measure_ns = 5 * SIM_NS_PER_S;
	o.jobs = jobs;
	return o;
}

static void default_windows_are_domain_md_means(void **state)
{
	(void)state;
	struct model_config c;
	config_with_random(&c, TIER_WEB, FAILURE_CRASH, 3600, 60);
	assert_int_equal(model_availability_window_ns(&c, TIER_LB), 3109375000);
	assert_int_equal(model_availability_window_ns(&c, TIER_WEB), 11 * SIM_NS_PER_S);
	assert_int_equal(model_availability_window_ns(&c, TIER_APP), 0);
	assert_int_equal(model_availability_window_ns(&c, TIER_DB), 30 * SIM_NS_PER_S);
	c.failures[0].mode = FAILURE_PROCESS;
	assert_int_equal(model_availability_window_ns(&c, TIER_WEB), 5 * SIM_NS_PER_S);
	c.lb.nodes = 1;
	assert_int_equal(model_availability_window_ns(&c, TIER_LB), 0);
	model_config_fini(&c);
}

static void refuses_without_random_failures_or_two_per_tier(void **state)
{
	(void)state;
	char why[256];
	struct model_config c;
	model_config_init(&c);
	assert_false(model_availability_supported(&c, why, sizeof why));
	assert_non_null(strstr(why, "random"));
	model_config_fini(&c);
	config_with_random(&c, TIER_APP, FAILURE_CRASH, 3600, 60);
	assert_true(model_availability_supported(&c, why, sizeof why));
	c.failures[1] = c.failures[0];
	sim_dist_init_exp(&c.failures[1].mttr, 60e9);
	c.nfailures = 2;
	assert_false(model_availability_supported(&c, why, sizeof why));
	assert_non_null(strstr(why, "app"));
	model_config_fini(&c);
}

static void same_estimate_for_any_number_of_threads(void **state)
{
	(void)state;
	struct model_config c;
	config_with_random(&c, TIER_WEB, FAILURE_CRASH, 2 * 86400, 600);
	struct avail_results *r[2];
	for (int j = 0; j < 2; j++) {
		struct avail_options o = quick_options(j + 1);
		r[j] = malloc(sizeof *r[j]);
		assert_non_null(r[j]);
		assert_int_equal(model_availability(&c, &o, r[j]), 0);
	}
	assert_int_equal(r[0]->nstates, r[1]->nstates);
	assert_true(r[0]->nstates > 2);
	for (size_t i = 0; i < r[0]->nreplications; i++)
		assert_true(r[0]->unavailability[i] == r[1]->unavailability[i]);
	for (int j = 0; j < 2; j++) {
		model_availability_fini(r[j]);
		free(r[j]);
	}
	model_config_fini(&c);
}

static void a_single_lb_has_no_failover_window(void **state)
{
	(void)state;
	struct model_config c;
	config_with_random(&c, TIER_LB, FAILURE_CRASH, 86400, 600);
	c.lb.nodes = 1;
	struct avail_options o = quick_options(2);
	struct avail_results *r = malloc(sizeof *r);
	assert_non_null(r);
	assert_int_equal(model_availability(&c, &o, r), 0);
	uint64_t failures = 0;
	for (size_t i = 0; i < r->nreplications; i++) {
		failures += r->failures[i];
		assert_int_equal(r->failovers[i], 0);
	}
	assert_true(failures > 0);
	for (size_t s = 0; s < r->nstates; s++) {
		assert_null(strchr(r->states[s].key, AVAIL_NODE_DETECTING));
		if (r->states[s].key[0] == AVAIL_NODE_DOWN) /* nobody answers */
			assert_true(r->states[s].success_ratio == 0.0);
	}
	model_availability_fini(r);
	free(r);
	model_config_fini(&c);
}

static void a_db_window_is_the_primarys_written_as_db1(void **state)
{
	(void)state;
	struct model_config c;
	config_with_random(&c, TIER_DB, FAILURE_CRASH, 86400, 3 * 3600);
	struct avail_options o = quick_options(2);
	struct avail_results *r = malloc(sizeof *r);
	assert_non_null(r);
	assert_int_equal(model_availability(&c, &o, r), 0);
	int db1 = c.lb.nodes + c.web.nodes + c.app.nodes;
	assert_string_equal(r->node_names[db1], "db1");
	bool seen_window = false;
	for (size_t s = 0; s < r->nstates; s++) {
		const char *key = r->states[s].key;
		for (int k = db1 + 1; k < r->nnodes; k++)
			assert_int_not_equal(key[k], AVAIL_NODE_DETECTING);
		if (key[db1] == AVAIL_NODE_DETECTING) {
			seen_window = true;
			assert_true(r->states[s].window_s == 30.0);
			assert_true(r->states[s].success_ratio < 1.0); /* writes fail */
		}
	}
	assert_true(seen_window);
	model_availability_fini(r);
	free(r);
	model_config_fini(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(default_windows_are_domain_md_means),
		cmocka_unit_test(refuses_without_random_failures_or_two_per_tier),
		cmocka_unit_test(same_estimate_for_any_number_of_threads),
		cmocka_unit_test(a_single_lb_has_no_failover_window),
		cmocka_unit_test(a_db_window_is_the_primarys_written_as_db1),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
