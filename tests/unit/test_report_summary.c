/* Unit tests for report/summary: replications into totals, means and CIs.
 *
 * The fixture (report_fixture.h) has three replications with known values;
 * expected means and Student-t intervals are recomputed here from those
 * values with the printed t(0.975, 2) = 4.302653, not with sim_ci. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report/digest.h"
#include "report/summary.h"
#include "report_fixture.h"

#define T_975_2 4.302653

static void assert_close(double got, double want, double rel)
{
	if (!(fabs(got - want) <= rel * fabs(want) + 1e-12)) {
		print_error("got %.12g, want %.12g\n", got, want);
		fail();
	}
}

/* Mean and half-width of three values, by hand; the interval clipped to [min, max]. */
static void expect_clipped_stat(const struct rpt_stat *st, const double x[3], double min, double max)
{
	double mean = (x[0] + x[1] + x[2]) / 3;
	double ss = 0;
	for (int i = 0; i < 3; i++)
		ss += (x[i] - mean) * (x[i] - mean);
	double hw = T_975_2 * sqrt(ss / 2) / sqrt(3);
	assert_int_equal(st->n, 3);
	assert_close(st->mean, mean, 1e-12);
	assert_close(st->half_width, hw, 1e-6);
	assert_close(st->lo, fmax(mean - hw, min), 1e-6);
	assert_close(st->hi, fmin(mean + hw, max), 1e-6);
}

static void expect_stat(const struct rpt_stat *st, const double x[3])
{
	expect_clipped_stat(st, x, -INFINITY, INFINITY);
}

static int setup(void **state)
{
	static struct rpt_summary s;
	if (fx_summary(&s) != 0)
		return -1;
	*state = &s;
	return 0;
}

static int teardown(void **state)
{
	rpt_summary_fini(*state);
	return 0;
}

static void test_counts_are_totals_over_replications(void **state)
{
	const struct rpt_summary *s = *state;
	assert_int_equal(s->replications, 3);
	assert_int_equal(s->all.offered, 3300);
	assert_int_equal(s->all.completed, 985 + 895 + 995);
	assert_int_equal(s->all.failed, 13 + 200 + 200);
	assert_int_equal(s->all.unfinished, 2 + 5 + 5);
	assert_int_equal(s->attempts, 3300 + 30);
	assert_int_equal(s->errors[ERR_CLIENT_TIMEOUT], 9);
	assert_int_equal(s->errors[ERR_QUEUE_TIMEOUT], 413 - 9);
	assert_int_equal(s->attempt_errors[ERR_QUEUE_TIMEOUT], 413 - 9 + 30);
	assert_int_equal(s->errors[ERR_POOL_TIMEOUT], 0);
	assert_int_equal(s->classes[1].offered, 600);
	assert_int_equal(s->classes[1].completed, 190);
	assert_int_equal(s->classes[1].unfinished, 2 + 5 + 5);
}

static void test_availability_is_mean_of_per_replication_ratios_with_clipped_t_interval(void **state)
{
	const struct rpt_summary *s = *state;
	const double x[3] = {985.0 / 1000, 895.0 / 1100, 995.0 / 1200};
	expect_clipped_stat(&s->all.availability, x, 0, 1);
	assert_true(s->all.availability.hi == 1.0); /* 0.876 + 0.235 clipped */
	const double st[3] = {795.0 / 800, 895.0 / 900, 995.0 / 1000};
	expect_stat(&s->classes[0].availability, st);
}

static void test_throughput_is_completed_per_measured_second(void **state)
{
	const struct rpt_summary *s = *state;
	const double x[3] = {9.85, 8.95, 9.95};
	expect_stat(&s->all.throughput_rps, x);
	const double o[3] = {10, 11, 12};
	expect_stat(&s->offered_rps, o);
	assert_close(s->measured_s, 100, 0);
}

static void test_latency_mean_and_p99_are_means_of_replication_values(void **state)
{
	const struct rpt_summary *s = *state;
	struct model_results *reps = fx_results();
	assert_non_null(reps);
	double mean[3], p99[3], p50[3], max = 0;
	for (size_t r = 0; r < 3; r++) {
		double sum = 0;
		uint64_t n = 0;
		for (uint64_t i = 0; i < 795 + 100 * r; i++, n++) {
			sum += fx_static_ms(r, i);
			max = fmax(max, fx_static_ms(r, i));
		}
		for (uint64_t i = 0; r == 0 && i < 190; i++, n++)
			sum += fx_page_ms(i);
		mean[r] = sum / (double)n;
		p99[r] = sim_histogram_quantile(&reps[r].latency, 0.99) / 1e6;
		p50[r] = sim_histogram_quantile(&reps[r].latency, 0.50) / 1e6;
	}
	expect_stat(&s->all.latency_ms.mean, mean);
	expect_stat(&s->all.latency_ms.p99, p99);
	expect_stat(&s->all.latency_ms.p50, p50);
	assert_close(s->all.latency_ms.max_ms, max, 1e-9);
	/* The histogram is within 1% of the exact p99 of replication 0. */
	assert_close(p99[0], 100.0, 0.01);
	fx_free(reps, 3);
}

static void test_class_completed_in_one_replication_has_a_mean_but_no_interval(void **state)
{
	const struct rpt_summary *s = *state;
	const struct rpt_latency *l = &s->classes[1].latency_ms;
	assert_string_equal(s->classes[1].name, "page");
	assert_int_equal(l->mean.n, 1);
	double sum = 0;
	for (uint64_t i = 0; i < 190; i++)
		sum += fx_page_ms(i);
	assert_close(l->mean.mean, sum / 190, 1e-12);
	assert_true(isnan(l->mean.half_width));
	assert_true(isnan(l->p99.lo) && isnan(l->p99.hi));
	/* Availability is defined in every replication: 0.95, 0, 0. */
	assert_int_equal(s->classes[1].availability.n, 3);
	assert_close(s->classes[1].availability.mean, 0.95 / 3, 1e-12);
}

static void test_class_without_requests_is_nan_not_zero(void **state)
{
	const struct rpt_summary *s = *state;
	const struct rpt_traffic *w = &s->classes[2];
	assert_string_equal(w->name, "write");
	assert_int_equal(w->offered, 0);
	assert_true(isnan(w->availability.mean));
	assert_int_equal(w->availability.n, 0);
	assert_true(isnan(w->latency_ms.mean.mean));
	assert_true(isnan(w->latency_ms.p99.mean));
	assert_true(isnan(w->latency_ms.max_ms));
	assert_close(w->throughput_rps.mean, 0, 0);
}

static void test_windows_average_defined_percentiles_and_keep_empty_ones_nan(void **state)
{
	const struct rpt_summary *s = *state;
	assert_int_equal(s->nwindows, 3);
	const struct rpt_window *w0 = &s->windows[0], *w1 = &s->windows[1], *w2 = &s->windows[2];
	assert_close(w0->time_s, 0, 0);
	assert_close(w2->time_s, 2, 0);
	assert_close(w2->span_s, 0.5, 1e-12);
	assert_close(w0->offered, 11, 1e-12);
	assert_close(w0->completed, 10, 1e-12);
	assert_close(w0->throughput_rps, 10, 1e-12);
	assert_close(w0->p50_ms, 20, 1e-12);                /* (10 + 20 + 30) / 3 */
	assert_close(w1->p99_ms, (30 + 90) / 2.0, 1e-12);   /* replication 1 had none */
	assert_close(w1->completed, (9 + 0 + 11) / 3.0, 1e-12);
	assert_true(isnan(w2->p50_ms) && isnan(w2->p90_ms) && isnan(w2->p99_ms));
	assert_close(w2->throughput_rps, 0, 0);
	assert_close(w0->class_p90_ms[0], 40, 1e-12);
	assert_true(isnan(w0->class_p90_ms[1]));
	assert_close(w0->node_utilization[3], 0.5, 1e-6);   /* 0.25, 0.5, 0.75 */
	assert_close(w1->node_queue[0], 2, 1e-6);           /* 1, 2, 3 */
}

static void test_nodes_tiers_and_bottleneck_by_utilization_law(void **state)
{
	const struct rpt_summary *s = *state;
	assert_int_equal(s->nnodes, FX_NODES);
	const double db2[3] = {0.4, 0.5, 0.6};
	expect_stat(&s->nodes[5].utilization, db2);
	assert_string_equal(s->nodes[5].name, "db2");
	assert_string_equal(s->nodes[5].role, "replica");
	assert_int_equal(s->nodes[5].tier, TIER_DB);
	assert_close(s->nodes[5].down_s, 1.0, 1e-12);
	assert_close(s->nodes[2].queue_mean.mean, 0.3, 1e-12);
	assert_int_equal(s->tiers[TIER_LB].nodes, 2);
	assert_int_equal(s->tiers[TIER_DB].nodes, 2);
	const double lb[3] = {0.15, 0.155, 0.16};
	expect_stat(&s->tiers[TIER_LB].utilization, lb);
	assert_close(s->tiers[TIER_LB].max_node_utilization, 0.31, 1e-12);
	/* app1 at 0.79 is the busiest node: saturation = offered 11/s / 0.79. */
	assert_int_equal(s->bottleneck, TIER_APP);
	assert_close(s->bottleneck_utilization, 0.79, 1e-12);
	assert_close(s->saturation_rps, 11 / 0.79, 1e-12);
}

static void test_slo_verdicts_cover_scenario_and_command_line_checks(void **state)
{
	const struct rpt_summary *s = *state;
	assert_int_equal(s->nslo, 4);
	assert_string_equal(s->slo[0].metric, "p99");
	assert_string_equal(s->slo[0].unit, "ms");
	assert_close(s->slo[0].target, 300, 1e-12);
	assert_true(s->slo[0].met);
	assert_false(s->slo[0].extra);
	assert_string_equal(s->slo[1].metric, "availability");
	assert_false(s->slo[1].met);                      /* about 0.87 < 0.999 */
	assert_string_equal(s->slo[2].metric, "throughput");
	assert_true(s->slo[2].met && s->slo[2].extra);    /* 9.58/s >= 5/s */
	assert_string_equal(s->slo[3].metric, "mean");
	assert_close(s->slo[3].target, 0.001, 1e-12);
	assert_false(s->slo[3].met);
	assert_false(s->slo_met);
}

static void test_undefined_slo_value_fails_the_check(void **state)
{
	struct rpt_summary *s = *state;
	struct rpt_summary copy = *s;
	copy.all.latency_ms.p99.mean = NAN;
	struct slo_check c = {SLO_P99, SLO_AT_MOST, 1e12};
	struct rpt_slo_result r = rpt_slo_evaluate(&copy, &c);
	assert_true(isnan(r.value));
	assert_false(r.met);
}

static void test_crosscheck_marks_differences_over_ten_percent_with_reasons(void **state)
{
	const struct rpt_summary *s = *state;
	const struct rpt_crosscheck *x = &s->analytic;
	assert_true(x->present);
	/* app: simulated 0.79, analytic 0.50. */
	assert_true(x->tier_utilization[TIER_APP].differs);
	assert_non_null(strstr(x->tier_utilization[TIER_APP].reason, "time-outs/blocking"));
	assert_non_null(strstr(x->tier_utilization[TIER_APP].reason, "retries"));
	/* db: 0.55 against 0.55, lb 0.155 against 0.155. */
	assert_false(x->tier_utilization[TIER_DB].differs);
	assert_string_equal(x->tier_utilization[TIER_DB].reason, "");
	assert_false(x->tier_utilization[TIER_LB].differs);
	/* Mean latency: the fixture's 54.8 ms against 60 ms is within 10%. */
	assert_close(x->latency_mean_ms.analytic, 60, 1e-12);
	assert_false(x->latency_mean_ms.differs);
	/* page: 43.4 ms against 44; write: no completions at all. */
	assert_false(x->class_latency_mean_ms[1].differs);
	assert_true(x->class_latency_mean_ms[2].differs);
	assert_non_null(strstr(x->class_latency_mean_ms[2].reason, "no completed requests"));
	/* static: (50.2 + 55.3 + 60.3) / 3 ms against 55. */
	assert_false(x->class_latency_mean_ms[0].differs);
	assert_true(fabs(x->class_latency_mean_ms[0].simulated - 55.26) < 0.01);
}

static void test_crosscheck_names_heavy_tails_when_latencies_part(void **state)
{
	(void)state;
	struct model_config cfg;
	struct model_analytic a;
	struct rpt_summary s;
	fx_config(&cfg);
	fx_analytic(&a);
	a.latency_mean_s = 0.030; /* half the simulated mean */
	struct rpt_run_info info = fx_info();
	struct model_results *reps = fx_results();
	assert_int_equal(rpt_summary_build(&cfg, reps, 3, &a, &info, &s), 0);
	assert_true(s.analytic.latency_mean_ms.differs);
	/* The default web static cost is lognormal with cv 1.5: scv 2.25. */
	assert_non_null(strstr(s.analytic.latency_mean_ms.reason, "heavy-tailed"));
	rpt_summary_fini(&s);
	fx_free(reps, 3);
	model_config_fini(&cfg);
}

static void test_without_analytic_the_crosscheck_is_absent(void **state)
{
	(void)state;
	struct model_config cfg;
	struct rpt_summary s;
	fx_config(&cfg);
	struct model_results *reps = fx_results();
	assert_int_equal(rpt_summary_build(&cfg, reps, 3, NULL, NULL, &s), 0);
	assert_false(s.analytic.present);
	assert_string_equal(s.scenario, "fixture");   /* from cfg without info */
	assert_string_equal(s.scenario_sha256, "");
	assert_int_equal(s.nslo, 2);
	rpt_summary_fini(&s);
	fx_free(reps, 3);
	model_config_fini(&cfg);
}

static void test_single_replication_has_means_but_no_intervals(void **state)
{
	(void)state;
	struct model_config cfg;
	struct rpt_summary s;
	fx_config(&cfg);
	struct model_results *reps = fx_results();
	assert_int_equal(rpt_summary_build(&cfg, reps, 1, NULL, NULL, &s), 0);
	assert_close(s.all.availability.mean, 0.985, 1e-12);
	assert_true(isnan(s.all.availability.half_width));
	assert_true(isnan(s.all.latency_ms.p99.lo));
	assert_true(isnan(s.nodes[0].utilization.hi));
	rpt_summary_fini(&s);
	fx_free(reps, 3);
	model_config_fini(&cfg);
}

static void test_rejects_no_replications_and_mismatched_shapes(void **state)
{
	(void)state;
	struct model_config cfg;
	struct rpt_summary s;
	fx_config(&cfg);
	struct model_results *reps = fx_results();
	assert_int_equal(rpt_summary_build(&cfg, reps, 0, NULL, NULL, &s), EINVAL);
	reps[2].nnodes = 5;
	assert_int_equal(rpt_summary_build(&cfg, reps, 3, NULL, NULL, &s), EINVAL);
	reps[2].nnodes = FX_NODES;
	reps[1].window_ns = 2;
	assert_int_equal(rpt_summary_build(&cfg, reps, 3, NULL, NULL, &s), EINVAL);
	assert_null(s.windows);
	reps[1].window_ns = reps[0].window_ns;
	struct rpt_run_info info = fx_info();
	info.nextra_slo = RPT_MAX_EXTRA_SLO + 1;
	assert_int_equal(rpt_summary_build(&cfg, reps, 3, NULL, &info, &s), EINVAL);
	fx_free(reps, 3);
	model_config_fini(&cfg);
}

static void test_run_identity_comes_from_the_run_info(void **state)
{
	const struct rpt_summary *s = *state;
	char want[65];
	rpt_sha256_hex(fx_resolved, sizeof fx_resolved - 1, want);
	assert_string_equal(s->scenario_sha256, want);
	assert_string_equal(s->scenario, "fixture");
	assert_string_equal(s->version, "9.9.9");
	assert_int_equal(s->seed, 42);
	assert_close(s->duration_s, 2.5, 0);
	assert_close(s->precision, 0.02, 0);
	assert_false(s->precision_reached);
	assert_close(s->base_rate_per_s, 2000, 0);
}

static void test_role_varies_when_replications_disagree(void **state)
{
	(void)state;
	struct model_config cfg;
	struct rpt_summary s;
	fx_config(&cfg);
	struct model_results *reps = fx_results();
	strcpy(reps[1].nodes[0].role, "standby");
	assert_int_equal(rpt_summary_build(&cfg, reps, 3, NULL, NULL, &s), 0);
	assert_string_equal(s.nodes[0].role, "varies");
	assert_string_equal(s.nodes[1].role, "standby");
	rpt_summary_fini(&s);
	fx_free(reps, 3);
	model_config_fini(&cfg);
}

/* Time-based availability: two replications of 9.5 s, 2 s of warm-up,
 * 1 s windows (the last one 0.5 s).  Replication 0: window 4 at 99.0%
 * success, window 5 at 90%, window 9 at 0%, window 8 without outcomes;
 * the warm-up windows fail but do not count.  Replication 1: all perfect. */
static void time_windows(struct model_results reps[2])
{
	for (size_t r = 0; r < 2; r++) {
		memset(&reps[r], 0, sizeof reps[r]);
		reps[r].measured_s = 7.5;
		reps[r].nwindows = 10;
		reps[r].window_ns = INT64_C(1000000000);
		reps[r].windows = calloc(10, sizeof *reps[r].windows);
		assert_non_null(reps[r].windows);
		for (size_t w = 0; w < 10; w++) {
			struct model_window *mw = &reps[r].windows[w];
			mw->sent_completed = w < 2 ? 0 : 1000;
			mw->sent_failed = w < 2 ? 1000 : 0;
		}
	}
	struct model_window *x = reps[0].windows;
	x[4].sent_completed = 990, x[4].sent_failed = 10;
	x[5].sent_completed = 900, x[5].sent_failed = 100;
	x[8].sent_completed = 0, x[8].sent_failed = 0;
	x[9].sent_completed = 0, x[9].sent_failed = 1;
}

static void time_config(struct model_config *cfg, double slo)
{
	model_config_init(cfg);
	cfg->duration_ns = INT64_C(9500000000);
	cfg->warmup_ns = INT64_C(2000000000);
	cfg->window_ns = INT64_C(1000000000);
	cfg->nslo = 0;
	if (slo > 0)
		cfg->slo[cfg->nslo++] = (struct slo_check){SLO_AVAILABILITY, SLO_AT_LEAST, slo};
}

static void test_time_availability_is_the_share_of_measured_windows_meeting_the_slo(void **state)
{
	(void)state;
	struct model_config cfg;
	struct model_results reps[2];
	struct rpt_summary s;
	time_config(&cfg, 0.99);
	time_windows(reps);
	assert_int_equal(rpt_summary_build(&cfg, reps, 2, NULL, NULL, &s), 0);
	/* target 99%: window 4 meets it; 5 (1 s) and 9 (0.5 s) do not, of 7.5 s */
	assert_close(s.window_target, 0.99, 0);
	double a0 = 1 - 1.5 / 7.5;
	assert_close(s.time_availability.mean, (a0 + 1) / 2, 1e-12);
	assert_close(s.downtime_s.mean, 0.75, 1e-12);
	assert_close(s.nines, -log10(1 - (a0 + 1) / 2), 1e-12); /* 1 */
	assert_int_equal(s.time_availability.n, 2);
	rpt_summary_fini(&s);
	model_config_fini(&cfg);

	/* without an availability SLO: 99.9%, so window 4 is down too; a
	 * stricter --slo check wins over the scenario's */
	time_config(&cfg, 0);
	assert_int_equal(rpt_summary_build(&cfg, reps, 2, NULL, NULL, &s), 0);
	assert_close(s.window_target, RPT_DEFAULT_WINDOW_TARGET, 0);
	assert_close(s.downtime_s.mean, 2.5 / 2, 1e-12);
	rpt_summary_fini(&s);
	model_config_fini(&cfg);
	time_config(&cfg, 0.9);
	struct slo_check strict = {SLO_AVAILABILITY, SLO_AT_LEAST, 0.995};
	struct rpt_run_info info = {.extra_slo = &strict, .nextra_slo = 1};
	assert_int_equal(rpt_summary_build(&cfg, reps, 2, NULL, &info, &s), 0);
	assert_close(s.window_target, 0.995, 0);
	assert_close(s.downtime_s.mean, 2.5 / 2, 1e-12);
	rpt_summary_fini(&s);

	/* a perfect run: nines at the resolution, log10 of the windows measured
	 * (7 whole ones and the last half one) */
	assert_int_equal(rpt_summary_build(&cfg, &reps[1], 1, NULL, NULL, &s), 0);
	assert_close(s.time_availability.mean, 1, 0);
	assert_close(s.downtime_s.mean, 0, 0);
	assert_close(s.nines, log10(8), 1e-12);
	assert_true(isfinite(s.nines));
	rpt_summary_fini(&s);
	model_config_fini(&cfg);
	for (size_t r = 0; r < 2; r++)
		model_results_fini(&reps[r]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts_are_totals_over_replications),
		cmocka_unit_test(test_availability_is_mean_of_per_replication_ratios_with_clipped_t_interval),
		cmocka_unit_test(test_throughput_is_completed_per_measured_second),
		cmocka_unit_test(test_latency_mean_and_p99_are_means_of_replication_values),
		cmocka_unit_test(test_class_completed_in_one_replication_has_a_mean_but_no_interval),
		cmocka_unit_test(test_class_without_requests_is_nan_not_zero),
		cmocka_unit_test(test_windows_average_defined_percentiles_and_keep_empty_ones_nan),
		cmocka_unit_test(test_nodes_tiers_and_bottleneck_by_utilization_law),
		cmocka_unit_test(test_slo_verdicts_cover_scenario_and_command_line_checks),
		cmocka_unit_test(test_undefined_slo_value_fails_the_check),
		cmocka_unit_test(test_crosscheck_marks_differences_over_ten_percent_with_reasons),
		cmocka_unit_test(test_crosscheck_names_heavy_tails_when_latencies_part),
		cmocka_unit_test(test_without_analytic_the_crosscheck_is_absent),
		cmocka_unit_test(test_single_replication_has_means_but_no_intervals),
		cmocka_unit_test(test_rejects_no_replications_and_mismatched_shapes),
		cmocka_unit_test(test_run_identity_comes_from_the_run_info),
		cmocka_unit_test(test_role_varies_when_replications_disagree),
		cmocka_unit_test(test_time_availability_is_the_share_of_measured_windows_meeting_the_slo),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
