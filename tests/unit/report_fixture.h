/* A hand-built run for the report tests: three replications with known values.
 *
 * Header-only (static inline) so each test executable stays one file.
 * Per replication r = 0, 1, 2, measured 100 s each:
 *   static: offered 800 + 100r, completed 795 + 100r, failed 5;
 *           latencies (1 + i % 100) ms * (1 + 0.1 r)
 *   page:   offered 200; r = 0: 190 completed, 8 failed, 2 unfinished,
 *           latencies (20 + i % 50) ms; r > 0: 0 completed, 195 failed
 *   write:  nothing offered (undefined availability and latency)
 * Six nodes lb1 lb2 web1 app1 db1 db2 with utilizations that move with r.
 * Three windows of 1 s over a 2.5 s duration: window 1 has no completions in
 * replication 1, window 2 none anywhere. */
#ifndef TESTS_UNIT_REPORT_FIXTURE_H
#define TESTS_UNIT_REPORT_FIXTURE_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/config.h"
#include "models/results.h"
#include "report/summary.h"

#define FX_REPS 3
#define FX_NODES 6
#define FX_WINDOWS 3

static inline double fx_static_ms(size_t r, uint64_t i) { return (1.0 + (double)(i % 100)) * (1.0 + 0.1 * (double)r); }
static inline double fx_page_ms(uint64_t i) { return 20.0 + (double)(i % 50); }

static inline double fx_node_util(size_t r, size_t i)
{
	static const double base[FX_NODES] = {0.30, 0.0, 0.50, 0.80, 0.60, 0.40};
	static const double step[FX_NODES] = {0.01, 0.0, 0.02, -0.01, 0.0, 0.10};
	return base[i] + step[i] * (double)r;
}

static inline void fx_config(struct model_config *cfg)
{
	model_config_init(cfg);
	strcpy(cfg->name, "fixture");
	cfg->duration_ns = INT64_C(2500000000);
	cfg->warmup_ns = 0;
	cfg->window_ns = INT64_C(1000000000);
}

static inline void fx_add_latency(struct model_results *res, size_t k, double ms)
{
	int64_t ns = (int64_t)llround(ms * 1e6);
	sim_tally_add(&res->latency_s, ms / 1e3);
	sim_histogram_add(&res->latency, ns);
	sim_tally_add(&res->classes[k].latency_s, ms / 1e3);
	sim_histogram_add(&res->classes[k].latency, ns);
}

static inline void fx_fill(struct model_results *res, size_t r)
{
	static const char *const names[FX_NODES] = {"lb1", "lb2", "web1", "app1", "db1", "db2"};
	static const enum model_tier tiers[FX_NODES] = {TIER_LB, TIER_LB, TIER_WEB,
							TIER_APP, TIER_DB, TIER_DB};
	static const char *const roles[FX_NODES] = {"active", "standby", "", "", "primary", "replica"};

	res->measured_s = 100;
	res->nclasses = 3;
	sim_tally_init(&res->latency_s);
	sim_histogram_init(&res->latency);
	for (size_t k = 0; k < 3; k++) {
		sim_tally_init(&res->classes[k].latency_s);
		sim_histogram_init(&res->classes[k].latency);
	}
	struct model_class_result *st = &res->classes[0], *pg = &res->classes[1];
	st->offered = 800 + 100 * r;
	st->completed = 795 + 100 * r;
	st->failed = 5;
	for (uint64_t i = 0; i < st->completed; i++)
		fx_add_latency(res, 0, fx_static_ms(r, i));
	pg->offered = 200;
	pg->completed = r == 0 ? 190 : 0;
	pg->failed = r == 0 ? 8 : 195;
	for (uint64_t i = 0; i < pg->completed; i++)
		fx_add_latency(res, 1, fx_page_ms(i));

	res->offered = st->offered + pg->offered;
	res->completed = st->completed + pg->completed;
	res->failed = st->failed + pg->failed;
	res->unfinished = res->offered - res->completed - res->failed;
	res->errors[ERR_CLIENT_TIMEOUT] = 3;
	res->errors[ERR_QUEUE_TIMEOUT] = res->failed - 3;
	res->attempt_errors[ERR_CLIENT_TIMEOUT] = 3;
	res->attempt_errors[ERR_QUEUE_TIMEOUT] = res->failed - 3 + 10;
	res->attempts = res->offered + 10;

	res->nnodes = FX_NODES;
	double tsum[TIER_COUNT] = {0}, qsum[TIER_COUNT] = {0};
	int tn[TIER_COUNT] = {0};
	for (size_t i = 0; i < FX_NODES; i++) {
		struct model_node_result *n = &res->nodes[i];
		strcpy(n->name, names[i]);
		strcpy(n->role, roles[i]);
		n->tier = tiers[i];
		n->utilization = fx_node_util(r, i);
		n->queue_mean = 0.1 * (double)(i + r);
		n->down_s = i == 5 && r == 2 ? 3.0 : 0.0;
		n->served = 1000 * (i + 1);
		tsum[n->tier] += n->utilization;
		qsum[n->tier] += n->queue_mean;
		tn[n->tier]++;
	}
	for (int t = 0; t < TIER_COUNT; t++) {
		res->tier_utilization[t] = tsum[t] / tn[t];
		res->tier_queue_mean[t] = qsum[t] / tn[t];
	}

	res->nwindows = FX_WINDOWS;
	res->window_ns = INT64_C(1000000000);
	res->windows = calloc(FX_WINDOWS, sizeof *res->windows);
	res->window_block = calloc(FX_WINDOWS * FX_NODES * 2, sizeof(float));
	for (size_t w = 0; w < FX_WINDOWS; w++) {
		struct model_window *mw = &res->windows[w];
		mw->node_utilization = res->window_block + w * FX_NODES * 2;
		mw->node_queue = mw->node_utilization + FX_NODES;
		mw->offered = 10 + r + w;
		bool none = w == 2 || (w == 1 && r == 1);
		mw->completed = none ? 0 : 9 + r;
		mw->failed = 1;
		mw->errors[ERR_QUEUE_TIMEOUT] = 1;
		mw->p50_s = none ? NAN : 0.010 * (double)(r + 1);
		mw->p90_s = none ? NAN : 0.020 * (double)(r + 1);
		mw->p99_s = none ? NAN : 0.030 * (double)(r + 1);
		for (size_t k = 0; k < 3; k++) {
			bool defined = !none && k == 0;
			mw->class_p50_s[k] = defined ? mw->p50_s : NAN;
			mw->class_p90_s[k] = defined ? mw->p90_s : NAN;
			mw->class_p99_s[k] = defined ? mw->p99_s : NAN;
		}
		for (size_t i = 0; i < FX_NODES; i++) {
			mw->node_utilization[i] = (float)(0.25 * (double)(r + 1));
			mw->node_queue[i] = (float)(r + w);
		}
	}
}

static inline struct model_results *fx_results(void)
{
	struct model_results *reps = calloc(FX_REPS, sizeof *reps);
	for (size_t r = 0; reps && r < FX_REPS; r++)
		fx_fill(&reps[r], r);
	return reps;
}

static inline void fx_free(struct model_results *reps, size_t n)
{
	for (size_t r = 0; r < n; r++)
		model_results_fini(&reps[r]);
	free(reps);
}

/* Close to the simulation in latency, far from it for the app tier. */
static inline void fx_analytic(struct model_analytic *a)
{
	memset(a, 0, sizeof *a);
	a->rate_per_s = 2000;
	a->latency_mean_s = 0.060;
	a->class_latency_mean_s[0] = 0.055;
	a->class_latency_mean_s[1] = 0.044;
	a->class_latency_mean_s[2] = 0.050;
	a->tier_utilization[TIER_LB] = 0.155;
	a->tier_utilization[TIER_WEB] = 0.52;
	a->tier_utilization[TIER_APP] = 0.50;
	a->tier_utilization[TIER_DB] = 0.55;
	a->bottleneck = TIER_APP;
	a->saturation_rate_per_s = 2500;
	a->stable = true;
}

static const struct slo_check fx_extra_slo[] = {
	{SLO_THROUGHPUT, SLO_AT_LEAST, 5.0},
	{SLO_MEAN, SLO_AT_MOST, 1000.0}, /* 1 us */
};

static const char fx_resolved[] = "name: fixture\nduration: 2.5s\n";

static inline struct rpt_run_info fx_info(void)
{
	return (struct rpt_run_info){
		.scenario = NULL, .version = "9.9.9", .resolved_scenario = fx_resolved,
		.resolved_len = sizeof fx_resolved - 1, .seed = 42, .duration_s = 2.5,
		.warmup_s = 0, .precision = 0.02, .precision_reached = false,
		.extra_slo = fx_extra_slo, .nextra_slo = 2,
	};
}

/* The whole fixture summary; 0 or the build's error. */
static inline int fx_summary(struct rpt_summary *s)
{
	struct model_config cfg;
	struct model_analytic a;
	fx_config(&cfg);
	fx_analytic(&a);
	struct rpt_run_info info = fx_info();
	struct model_results *reps = fx_results();
	int rc = reps ? rpt_summary_build(&cfg, reps, FX_REPS, &a, &info, s) : -1;
	fx_free(reps, reps ? FX_REPS : 0);
	model_config_fini(&cfg);
	return rc;
}

#endif
