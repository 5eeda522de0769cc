/* `tiersim availability` against the Markov closed form (docs/failures.md,
 * "Long horizons", derives it).
 *
 * An LB pair whose two hosts fail independently (exponential up times of
 * mean MTBF, exponential repairs of mean MTTR, one repair crew each), and
 * nothing else fails.  Clients give up after 500 ms without retrying, so a
 * request sent while nobody answers for the VIP fails and one sent while
 * someone does succeeds: the request success ratio of each state is 0 or 1
 * and the request-weighted unavailability is the time share of the states
 * where nobody answers:
 *   U = q^2                              both hosts down, q = MTTR/(MTBF+MTTR)
 *     + (1-q)^2/MTBF * E[T_takeover]     the holder fails, the backup is up:
 *                                        nobody answers until it takes over
 *     + 2q(1-q)/MTBF * E[T_boot]         both were down: the first one back
 *                                        answers after its Master_Down_Interval
 * The second term alone is the "lb failover" cause.  Also pinned: the
 * state-level timeline meets the same failures as the request-level model
 * (the same streams failures.NAME, the same draws). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "models/arch.h"
#include "models/availability.h"
#include "models/vrrp.h"
#include "sim/time.h"
#include "theory.h"

#define MTBF_S 3600.0
#define MTTR_S 360.0

static void lb_pair_config(struct model_config *c, uint64_t seed)
{
	model_config_init(c);
	c->seed = seed;
	c->warmup_ns = 5 * SIM_NS_PER_S;
	c->wl.rate_per_s = 100;
	c->wl.timeout_ns = 500 * SIM_NS_PER_MS;
	c->wl.retries = 0;
	for (size_t i = 0; i < c->wl.nclasses; i++)
		sim_dist_fini(&c->wl.classes[i].app);
	c->wl.classes[0] = (struct wl_class_config){.name = "static", .share = 1.0};
	sim_dist_init_const(&c->wl.classes[0].app, 0);
	c->wl.nclasses = 1;
	c->failures[0] = (struct failure_spec){
		.kind = FAILURE_RANDOM, .tier = TIER_LB, .mode = FAILURE_CRASH,
		.mtbf_ns = (int64_t)(MTBF_S * 1e9),
	};
	sim_dist_init_exp(&c->failures[0].mttr, MTTR_S * 1e9);
	c->nfailures = 1;
}

static double cause_share(const struct avail_results *r, size_t rep, const char *cause)
{
	for (size_t c = 0; c < r->ncauses; c++)
		if (!strcmp(r->causes[c], cause))
			return r->cause_downtime_s[rep * r->ncauses + c] / r->horizon_s;
	return 0;
}

static int run_pair(void *ctx, uint64_t seed, unsigned reps, double *values)
{
	(void)ctx;
	struct model_config cfg;
	lb_pair_config(&cfg, seed);
	struct avail_options o;
	model_availability_options_init(&o);
	o.replications = reps;
	o.jobs = 2;
	o.state_measure_ns = 20 * SIM_NS_PER_S;
	o.state_replications = reps; /* each replication its own measurements */
	struct avail_results *r = malloc(sizeof *r);
	assert_non_null(r);
	int rc = model_availability(&cfg, &o, r);
	for (unsigned i = 0; !rc && i < reps; i++) {
		values[i * 2] = r->unavailability[i];
		values[i * 2 + 1] = cause_share(r, i, "lb failover");
	}
	if (!rc)
		model_availability_fini(r);
	free(r);
	model_config_fini(&cfg);
	return rc;
}

static void lb_pair_matches_the_markov_closed_form(void **state)
{
	(void)state;
	struct model_config cfg;
	lb_pair_config(&cfg, 1);
	const struct vrrp_config *vc = &cfg.lb.vrrp;
	double q = MTTR_S / (MTBF_S + MTTR_S);
	double takeover_s = sim_ns_to_s(vrrp_master_down_ns(vc, vc->priority[1]) -
					vc->advert_int_ns / 2);
	double boot_s = 0.5 * sim_ns_to_s(vrrp_master_down_ns(vc, vc->priority[0]) +
					  vrrp_master_down_ns(vc, vc->priority[1]));
	double failover = (1 - q) * (1 - q) / MTBF_S * takeover_s;
	double u = q * q + failover + 2 * q * (1 - q) / MTBF_S * boot_s;
	model_config_fini(&cfg);
	print_message("  q^2 %.6g, failover window %.6g, boot after both down %.6g: U = %.6g\n",
		      q * q, failover, u - q * q - failover, u);
	struct theory_case c = {
		.what = "LB pair, random crashes: unavailability",
		.nmetrics = 2,
		.metric = {"total", "failover"},
		.analytic = {u, failover},
		.reps = 40,
		.base_seed = 401,
		.max_rel_half_width = 0.05,
		.run = run_pair,
	};
	theory_expect(&c);
}

static void timeline_meets_the_request_level_failures(void **state)
{
	(void)state;
	struct model_config cfg;
	lb_pair_config(&cfg, 7);
	cfg.failures[0].tier = TIER_APP;
	cfg.failures[0].mtbf_ns = 10 * SIM_NS_PER_MIN;
	sim_dist_fini(&cfg.failures[0].mttr);
	sim_dist_init_exp(&cfg.failures[0].mttr, 60e9);
	cfg.duration_ns = 60 * SIM_NS_PER_MIN;
	cfg.warmup_ns = 0;
	cfg.wl.rate_per_s = 5;
	struct model_results mr;
	assert_int_equal(model_run_replication(&cfg, 0, &mr), 0);
	struct avail_options o;
	model_availability_options_init(&o);
	o.horizon_ns = cfg.duration_ns;
	o.replications = 1;
	o.state_measure_ns = 5 * SIM_NS_PER_S;
	o.state_replications = 1;
	o.jobs = 1;
	struct avail_results *r = malloc(sizeof *r);
	assert_non_null(r);
	assert_int_equal(model_availability(&cfg, &o, r), 0);
	print_message("  request-level incidents %zu, state-level failures %llu\n", mr.nincidents,
		      (unsigned long long)r->failures[0]);
	assert_true(mr.nincidents > 5 && mr.nincidents < MODEL_MAX_INCIDENTS);
	assert_int_equal(r->failures[0], mr.nincidents);
	/* and the time each node spent down: node-seconds of the states' down nodes */
	double down_s = 0;
	for (size_t i = 0; i < mr.nnodes; i++)
		down_s += mr.nodes[i].down_s;
	double state_down_s = 0;
	for (size_t s = 0; s < r->nstates; s++)
		for (int k = 0; r->states[s].key[k]; k++)
			if (r->states[s].key[k] != AVAIL_NODE_UP)
				state_down_s += r->states[s].time_s;
	print_message("  node-seconds down: request-level %.3f, state-level %.3f\n", down_s,
		      state_down_s);
	assert_float_equal(state_down_s, down_s, 1e-3);
	model_availability_fini(r);
	free(r);
	model_results_fini(&mr);
	model_config_fini(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(timeline_meets_the_request_level_failures),
		cmocka_unit_test(lb_pair_matches_the_markov_closed_form),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
