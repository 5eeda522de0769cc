/* The engine against queueing theory.
 *
 * Each case runs independent replications of an open network built on the
 * engine's station (models/tandem.c) and asserts that the analytic value lies
 * inside the simulated 95% confidence interval (Student t across
 * replications) and that the interval is tight: half-width under 2% of the
 * mean.  Seeds are fixed; theory.h explains the 3-of-5 rule.
 *   M/M/1 at rho 0.5 and 0.9        mean and p99 of the response time
 *   M/M/4 at rho 0.8 (Erlang C)      mean and p99
 *   M/D/1, M/G/1 lognormal cv 2      mean (Pollaczek-Khinchine)
 *   tandem of 4 M/M/c stations       mean (Jackson: sum of M/M/c means)
 * and Little's law L = lambda W at every station of the tandem. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "models/tandem.h"
#include "theory.h"
#include "sim/analytic.h"
#include "sim/ci.h"
#include "sim/time.h"

#define JOBS 2

/* Run a tandem configuration (ctx) and report mean and p99 response times. */
static int run_tandem(void *ctx, uint64_t seed, unsigned reps, double *values)
{
	static struct tandem_result r[THEORY_MAX_REPS];
	struct tandem_config *cfg = ctx;
	cfg->seed = seed;
	int rc = tandem_replicate(cfg, reps, JOBS, r);
	for (unsigned i = 0; i < reps && !rc; i++) {
		values[2 * i] = r[i].response_mean_s;
		values[2 * i + 1] = r[i].response_p99_s;
	}
	return rc;
}

static int run_tandem_mean_only(void *ctx, uint64_t seed, unsigned reps, double *values)
{
	static double pairs[2 * THEORY_MAX_REPS];
	int rc = run_tandem(ctx, seed, reps, pairs);
	for (unsigned i = 0; i < reps; i++)
		values[i] = pairs[2 * i];
	return rc;
}

/* Metrics are reported in pairs (mean, p99); a mean-only case checks one. */
static void expect_theory(const char *what, struct tandem_config *cfg, unsigned reps,
			  double analytic_mean, double analytic_p99)
{
	struct theory_case c = {
		.what = what, .nmetrics = isnan(analytic_p99) ? 1 : 2,
		.metric = {"mean", "p99"}, .analytic = {analytic_mean, analytic_p99},
		.reps = reps, .base_seed = cfg->seed, .run = run_tandem, .ctx = cfg,
	};
	if (c.nmetrics == 1)
		c.run = run_tandem_mean_only;
	theory_expect(&c);
}

static void mm1_case(double rho, unsigned reps, int64_t measure_s)
{
	const double s = 1e-3; /* mean service 1 ms */
	struct tandem_config cfg = {
		.rate_per_s = rho / s, .nstations = 1, .seed = 1,
		.warmup_ns = 200 * SIM_NS_PER_MS * (int64_t)(1 / (1 - rho)),
		.measure_ns = measure_s * SIM_NS_PER_S,
	};
	cfg.stations[0].servers = 1;
	sim_dist_init_exp(&cfg.stations[0].service, s * 1e9);
	expect_theory("M/M/1 response (s)", &cfg, reps, sim_mmc_response_mean_s(cfg.rate_per_s, 1, s),
		      sim_mmc_response_quantile_s(cfg.rate_per_s, 1, s, 0.99));
	sim_dist_fini(&cfg.stations[0].service);
}

static void mm1_at_rho_0_5_matches_theory(void **state)
{
	(void)state;
	mm1_case(0.5, 20, 100);
}

static void mm1_at_rho_0_9_matches_theory(void **state)
{
	(void)state;
	mm1_case(0.9, 40, 900);
}

static void mmc_erlang_c_at_rho_0_8_matches_theory(void **state)
{
	(void)state;
	const double s = 4e-3; /* c = 4, mean service 4 ms, rho 0.8 => 800/s */
	struct tandem_config cfg = {
		.rate_per_s = 0.8 * 4 / s, .nstations = 1, .seed = 11,
		.warmup_ns = 2 * SIM_NS_PER_S, .measure_ns = 300 * SIM_NS_PER_S,
	};
	cfg.stations[0].servers = 4;
	sim_dist_init_exp(&cfg.stations[0].service, s * 1e9);
	expect_theory("M/M/4 (Erlang C) response (s)", &cfg, 20,
		      sim_mmc_response_mean_s(cfg.rate_per_s, 4, s),
		      sim_mmc_response_quantile_s(cfg.rate_per_s, 4, s, 0.99));
	sim_dist_fini(&cfg.stations[0].service);
}

static void mg1_case(const char *what, const char *service_text, double rho, uint64_t seed,
		     int64_t measure_s)
{
	struct tandem_config cfg = {.nstations = 1, .seed = seed, .warmup_ns = 2 * SIM_NS_PER_S,
				    .measure_ns = measure_s * SIM_NS_PER_S};
	struct sim_parse_error err;
	assert_int_equal(sim_dist_parse(service_text, NULL, &cfg.stations[0].service, &err), 0);
	cfg.stations[0].servers = 1;
	double s = sim_dist_mean(&cfg.stations[0].service) / 1e9;
	cfg.rate_per_s = rho / s;
	expect_theory(what, &cfg, 20,
		      sim_mg1_response_mean_s(cfg.rate_per_s, s, sim_dist_scv(&cfg.stations[0].service)),
		      NAN);
	sim_dist_fini(&cfg.stations[0].service);
}

static void md1_matches_pollaczek_khinchine(void **state)
{
	(void)state;
	mg1_case("M/D/1 response (s)", "const(1ms)", 0.8, 21, 100);
}

static void mg1_lognormal_matches_pollaczek_khinchine(void **state)
{
	(void)state;
	mg1_case("M/G/1 lognormal cv 2 (s)", "lognormal(mean=1ms, cv=2)", 0.7, 31, 1600);
}

/* The four stations of ../shared/bench/limit_tandem.c. */
static void tandem_config(struct tandem_config *cfg)
{
	static const int servers[4] = {1, 4, 8, 2};
	static const double mean_ms[4] = {1, 20, 50, 8};
	*cfg = (struct tandem_config){.rate_per_s = 100, .nstations = 4, .seed = 5,
				    .warmup_ns = 10 * SIM_NS_PER_S, .measure_ns = 2000 * SIM_NS_PER_S};
	for (int k = 0; k < 4; k++) {
		cfg->stations[k].servers = servers[k];
		sim_dist_init_exp(&cfg->stations[k].service, mean_ms[k] * 1e6);
	}
}

static void jackson_tandem_matches_sum_of_mmc(void **state)
{
	(void)state;
	struct tandem_config cfg;
	tandem_config(&cfg);
	double jackson = 0;
	for (int k = 0; k < 4; k++)
		jackson += sim_mmc_response_mean_s(cfg.rate_per_s, cfg.stations[k].servers,
						   sim_dist_mean(&cfg.stations[k].service) / 1e9);
	expect_theory("Jackson tandem response (s)", &cfg, 20, jackson, NAN);
	for (int k = 0; k < 4; k++)
		sim_dist_fini(&cfg.stations[k].service);
}

/* Little's law L = lambda W and the utilization law U = lambda S / c at every
 * station of the tandem.  L - lambda W is zero up to edge effects (jobs
 * present at the ends of the window), so its CI across replications must
 * contain 0 and be tiny next to L. */
static void little_and_utilization_laws_hold_at_every_station(void **state)
{
	(void)state;
	struct tandem_config cfg;
	tandem_config(&cfg);
	cfg.measure_ns = 500 * SIM_NS_PER_S;
	const unsigned reps = 20;
	static struct tandem_result r[THEORY_MAX_REPS];
	assert_int_equal(tandem_replicate(&cfg, reps, JOBS, r), 0);
	for (int k = 0; k < 4; k++) {
		double diff[THEORY_MAX_REPS], L[THEORY_MAX_REPS], u[THEORY_MAX_REPS];
		for (unsigned i = 0; i < reps; i++) {
			const struct tandem_station_result *s = &r[i].stations[k];
			L[i] = s->in_system_mean;
			diff[i] = s->in_system_mean - s->throughput_per_s * s->sojourn_mean_s;
			u[i] = s->utilization;
		}
		struct sim_ci d = sim_ci_of(diff, reps, 0.95);
		struct sim_ci l = sim_ci_of(L, reps, 0.95);
		struct sim_ci uc = sim_ci_of(u, reps, 0.95);
		double u_law = cfg.rate_per_s * sim_dist_mean(&cfg.stations[k].service) / 1e9 /
			       cfg.stations[k].servers;
		print_message("  station %d: L %.5f, L - lambda W 95%% CI [%.2e, %.2e]; "
			      "U %.5f [%.5f, %.5f], law %.5f\n",
			      k + 1, l.mean, d.lo, d.hi, uc.mean, uc.lo, uc.hi, u_law);
		assert_true(d.half_width < 0.01 * l.mean);
		assert_true(fabs(d.mean) < 0.01 * l.mean);
		assert_true(fabs(uc.mean - u_law) < 0.01 * u_law);
		assert_true(uc.half_width < 0.01 * u_law);
	}
	for (int k = 0; k < 4; k++)
		sim_dist_fini(&cfg.stations[k].service);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mm1_at_rho_0_5_matches_theory),
		cmocka_unit_test(mm1_at_rho_0_9_matches_theory),
		cmocka_unit_test(mmc_erlang_c_at_rho_0_8_matches_theory),
		cmocka_unit_test(md1_matches_pollaczek_khinchine),
		cmocka_unit_test(mg1_lognormal_matches_pollaczek_khinchine),
		cmocka_unit_test(jackson_tandem_matches_sum_of_mmc),
		cmocka_unit_test(little_and_utilization_laws_hold_at_every_station),
	};
	return cmocka_run_group_tests_name("validation: queueing theory", tests, NULL, NULL);
}
