/* The dashboard's stepping session (models/session.h).
 *
 * What it pins: a session left alone gives exactly model_run_replication's
 * results; a session with operator actions (crash, slow, recover, load
 * changes, quit before the end) writes them into the configuration so that
 * the emitted scenario, loaded again and run by model_run_replication, gives
 * identical results; actions show in the event log and in the node states
 * (suspect until the LB's checks mark the node down, booting until they take
 * it back); the autoscaler switched off and on (and started where the
 * scenario has none) replays the same way; and impossible actions are
 * refused with a reason. */
#include <errno.h>
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
#include "models/session.h"
#include "scenarios/loader.h"
#include "sim/time.h"

static const char scenario[] =
	"name: session-test\n"
	"duration: 2m\n"
	"warmup: 20s\n"
	"replications: 3\n"
	"seed: 7\n"
	"workload:\n"
	"  rate: 400/s\n"
	"  schedule:\n"
	"    - {at: 40s, rate: 500/s, ramp: 30s}\n"
	"    - {at: 100s, rate: 300/s}\n"
	"  classes:\n"
	"    static: {share: 55%}\n"
	"    page:   {share: 35%, app: gamma(mean=25ms, cv=1), db_reads: 4}\n"
	"    write:  {share: 10%, app: gamma(mean=40ms, cv=1), db_reads: 2, db_writes: 1}\n"
	"failures:\n"
	"  - {at: 95s, node: web3, kind: crash, for: 10s}\n";

static void load(struct model_config *cfg, const char *text)
{
	struct sim_diags d;
	sim_diags_init(&d);
	int rc = scn_load_string("session.yaml", text, strlen(text), NULL, NULL, 0, cfg, &d);
	if (rc || d.errors)
		sim_diags_print(&d, stderr);
	assert_int_equal(rc, 0);
	assert_int_equal(d.errors, 0);
	sim_diags_fini(&d);
}

static void assert_same_results(const struct model_results *a, const struct model_results *b)
{
	assert_int_equal(a->offered, b->offered);
	assert_int_equal(a->completed, b->completed);
	assert_int_equal(a->failed, b->failed);
	assert_int_equal(a->unfinished, b->unfinished);
	assert_int_equal(a->attempts, b->attempts);
	for (int e = 0; e < ERR_COUNT; e++) {
		assert_int_equal(a->errors[e], b->errors[e]);
		assert_int_equal(a->attempt_errors[e], b->attempt_errors[e]);
	}
	assert_true(a->measured_s == b->measured_s);
	assert_true(a->latency_s.n == b->latency_s.n);
	assert_true(a->latency_s.mean == b->latency_s.mean);
	assert_int_equal(a->nnodes, b->nnodes);
	for (size_t i = 0; i < a->nnodes; i++) {
		assert_string_equal(a->nodes[i].name, b->nodes[i].name);
		assert_true(a->nodes[i].utilization == b->nodes[i].utilization);
		assert_true(a->nodes[i].down_s == b->nodes[i].down_s);
		assert_int_equal(a->nodes[i].served, b->nodes[i].served);
	}
	assert_int_equal(a->nwindows, b->nwindows);
	for (size_t w = 0; w < a->nwindows; w++) {
		assert_int_equal(a->windows[w].offered, b->windows[w].offered);
		assert_int_equal(a->windows[w].completed, b->windows[w].completed);
		assert_int_equal(a->windows[w].failed, b->windows[w].failed);
		assert_int_equal(a->windows[w].sent_failed, b->windows[w].sent_failed);
		for (size_t i = 0; i < a->nnodes; i++)
			assert_true(a->windows[w].node_utilization[i] ==
				    b->windows[w].node_utilization[i]);
	}
	assert_int_equal(a->nincidents, b->nincidents);
	for (size_t i = 0; i < a->nincidents; i++) {
		assert_string_equal(a->incidents[i].node, b->incidents[i].node);
		assert_true(a->incidents[i].at_s == b->incidents[i].at_s);
		assert_int_equal(a->incidents[i].failed_requests, b->incidents[i].failed_requests);
	}
}

static int node_named(const struct model_snapshot *snap, const char *name)
{
	for (int i = 0; i < snap->nnodes; i++)
		if (!strcmp(snap->nodes[i].name, name))
			return i;
	fail_msg("no node %s", name);
	return -1;
}

static void untouched_session_equals_a_plain_run(void **state)
{
	(void)state;
	struct model_config cfg;
	load(&cfg, scenario);
	struct model_session *s = model_session_create(&cfg, 0, NULL);
	assert_non_null(s);
	/* in uneven steps, as a dashboard would */
	for (int64_t t = 0; model_session_now_ns(s) < model_session_end_ns(s); t += 777 * SIM_NS_PER_MS)
		model_session_advance(s, t);
	assert_int_equal(model_session_now_ns(s), cfg.duration_ns);
	struct model_results a, b;
	assert_int_equal(model_session_finish(s, &a), 0);
	model_session_destroy(s);
	assert_int_equal(model_run_replication(&cfg, 0, &b), 0);
	assert_same_results(&a, &b);
	model_results_fini(&a);
	model_results_fini(&b);
	model_config_fini(&cfg);
}

struct event_log {
	char lines[256][MODEL_EVENT_TEXT_MAX + 16];
	int n;
};

static void log_event(void *ctx, const struct model_event *ev)
{
	struct event_log *log = ctx;
	if (log->n < 256)
		snprintf(log->lines[log->n++], sizeof log->lines[0], "%s: %s",
			 model_event_kind_name(ev->kind), ev->text);
}

static bool logged(const struct event_log *log, const char *line)
{
	for (int i = 0; i < log->n; i++)
		if (!strcmp(log->lines[i], line))
			return true;
	return false;
}

/* Emit the session's configuration, load it back and run it: the same
 * results as the session's. */
static void assert_recording_replays(struct model_config *cfg, const struct model_results *a)
{
	char *yaml = NULL;
	assert_int_equal(scn_emit_resolved(cfg, &yaml), 0);
	if (getenv("SESSION_DEBUG"))
		fputs(yaml, stderr);
	struct model_config replay;
	load(&replay, yaml);
	free(yaml);
	struct model_results b;
	assert_int_equal(model_run_replication(&replay, 0, &b), 0);
	assert_same_results(a, &b);
	assert_int_equal(a->nscale_actions, b.nscale_actions);
	for (size_t i = 0; i < a->nscale_actions; i++) {
		assert_true(a->scale_actions[i].at_s == b.scale_actions[i].at_s);
		assert_int_equal(a->scale_actions[i].to, b.scale_actions[i].to);
	}
	model_results_fini(&b);
	model_config_fini(&replay);
}

/* The set-up of the tests that act as the operator: a session of
 * replication 0 of cfg whose events go to `log`, and a snapshot of its start
 * in *snap (the caller frees it). */
static struct model_session *operated_session(struct model_config *cfg, struct event_log *log,
					      struct model_snapshot **snap)
{
	log->n = 0;
	struct model_event_listener listener = {.fn = log_event, .ctx = log};
	struct model_session *s = model_session_create(cfg, 0, &listener);
	assert_non_null(s);
	*snap = malloc(sizeof **snap);
	assert_non_null(*snap);
	model_session_snapshot(s, *snap);
	return s;
}

static void session_with_actions_replays_from_its_recording(void **state)
{
	(void)state;
	struct model_config cfg;
	load(&cfg, scenario);
	struct event_log log;
	struct model_snapshot *snap;
	struct model_session *s = operated_session(&cfg, &log, &snap);
	char msg[256];
	int web2 = node_named(snap, "web2"), app1 = node_named(snap, "app1");
	assert_int_equal(snap->nodes[web2].state, MODEL_NODE_UP);
	assert_int_equal(snap->vip_holder, node_named(snap, "lb1"));

	model_session_advance(s, 35 * SIM_NS_PER_S);
	assert_int_equal(model_session_fail(s, web2, FAILURE_CRASH, 0, msg, sizeof msg), 0);
	assert_string_equal(msg, "operator: crash web2");
	/* a node already failed takes no second failure */
	assert_int_equal(model_session_fail(s, web2, FAILURE_SLOW, 5, msg, sizeof msg), -1);
	assert_non_null(strstr(msg, "already failed"));
	model_session_advance(s, 36 * SIM_NS_PER_S);
	model_session_snapshot(s, snap);
	assert_int_equal(snap->nodes[web2].state, MODEL_NODE_SUSPECT); /* checks: fall 3 x 2 s */
	assert_string_equal(snap->nodes[web2].failure, "crashed");
	model_session_advance(s, 50 * SIM_NS_PER_S);
	model_session_snapshot(s, snap);
	assert_int_equal(snap->nodes[web2].state, MODEL_NODE_DOWN);

	assert_int_equal(model_session_fail(s, app1, FAILURE_SLOW, 5, msg, sizeof msg), 0);
	model_session_advance(s, 52 * SIM_NS_PER_S);
	assert_int_equal(model_session_scale_load(s, 1.1, msg, sizeof msg), 0);
	assert_string_equal(msg, "operator: load +10% (440/s -> 484/s)"); /* on the ramp: cut */
	model_session_advance(s, 60 * SIM_NS_PER_S);
	assert_int_equal(model_session_recover(s, web2, msg, sizeof msg), 0);
	model_session_advance(s, 61 * SIM_NS_PER_S);
	model_session_snapshot(s, snap);
	assert_int_equal(snap->nodes[web2].state, MODEL_NODE_BOOTING); /* rise 2 x 2 s */
	assert_int_equal(model_session_recover(s, web2, msg, sizeof msg), -1);
	model_session_advance(s, 70 * SIM_NS_PER_S);
	model_session_snapshot(s, snap);
	assert_int_equal(snap->nodes[web2].state, MODEL_NODE_UP);
	assert_true(snap->nodes[app1].slow_factor == 5.0);
	assert_true(snap->rate_per_s == 484.0);
	assert_int_equal(model_session_scale_load(s, 0.9, msg, sizeof msg), 0);
	model_session_advance(s, 85300 * SIM_NS_PER_MS);

	assert_true(logged(&log, "action: operator: crash web2"));
	assert_true(logged(&log, "node_failed: web2 crashed"));
	assert_true(logged(&log, "marked_down: lb1 marks web2 DOWN"));
	assert_true(logged(&log, "node_slow: app1 slow x5"));
	assert_true(logged(&log, "node_recovered: web2 is back"));

	struct model_results a;
	assert_int_equal(model_session_finish(s, &a), 0);
	model_session_destroy(s);
	free(snap);
	assert_int_equal(cfg.nfailures, 2); /* web3 at 95s never started: dropped */
	assert_int_equal(cfg.wl.nschedule, 4); /* the scenario's 2, the keys' 2 */
	assert_int_equal(cfg.duration_ns, 85300 * SIM_NS_PER_MS + 1);
	assert_recording_replays(&cfg, &a);
	assert_int_equal(a.nincidents, 2); /* the crash and the slow node (a gray failure) */
	model_results_fini(&a);
	model_config_fini(&cfg);
}

static const char autoscaled[] =
	"name: session-autoscale\n"
	"duration: 6m\n"
	"warmup: 20s\n"
	"seed: 3\n"
	"workload:\n"
	"  rate: 1000/s\n"
	"  schedule:\n"
	"    - {at: 60s, rate: 2000/s}\n"
	"  classes:\n"
	"    static: {share: 55%}\n"
	"    page:   {share: 35%, app: gamma(mean=25ms, cv=1), db_reads: 4}\n"
	"    write:  {share: 10%, app: gamma(mean=40ms, cv=1), db_reads: 2, db_writes: 1}\n"
	"app: {nodes: 3}\n"
	"autoscale: {tier: app, target: 50%, interval: 30s, cooldown: 1m, boot: 20s, max: 8,\n"
	"            schedule: [{at: 5m, enabled: false}]}\n";

/* The a key on a scenario with an autoscaler: off at 45 s (so the step at
 * 60 s finds it off: no action at 90 s), on at 100 s (it acts at 120 s),
 * twice at one instant (the second wins); the scenario's own switch at 5m
 * is after the quit and leaves the recording. */
static void autoscaler_switched_by_the_operator_replays(void **state)
{
	(void)state;
	struct model_config cfg;
	load(&cfg, autoscaled);
	struct event_log log;
	struct model_snapshot *snap;
	struct model_session *s = operated_session(&cfg, &log, &snap);
	char msg[256];
	assert_int_equal(snap->autoscaler, MODEL_AUTOSCALER_ON);
	assert_int_equal(snap->autoscale_tier, TIER_APP);
	model_session_advance(s, 45 * SIM_NS_PER_S);
	assert_int_equal(model_session_toggle_autoscaler(s, msg, sizeof msg), 0);
	assert_string_equal(msg, "operator: autoscaler off");
	model_session_snapshot(s, snap); /* at once, before any step */
	assert_int_equal(snap->autoscaler, MODEL_AUTOSCALER_OFF);
	model_session_advance(s, 100 * SIM_NS_PER_S);
	assert_int_equal(model_session_toggle_autoscaler(s, msg, sizeof msg), 0);
	assert_string_equal(msg, "operator: autoscaler on");
	assert_int_equal(model_session_toggle_autoscaler(s, msg, sizeof msg), 0);
	assert_string_equal(msg, "operator: autoscaler off");
	assert_int_equal(model_session_toggle_autoscaler(s, msg, sizeof msg), 0);
	assert_string_equal(msg, "operator: autoscaler on");
	assert_int_equal(cfg.autoscale.nschedule, 3); /* 45 s, 100 s, the scenario's 5m */
	model_session_advance(s, 150 * SIM_NS_PER_S);
	model_session_snapshot(s, snap);
	assert_int_equal(snap->autoscaler, MODEL_AUTOSCALER_ON);
	assert_true(logged(&log, "action: operator: autoscaler off"));
	assert_true(logged(&log, "scaled: autoscaler off (app): it keeps measuring, takes no action"));

	struct model_results a;
	assert_int_equal(model_session_finish(s, &a), 0);
	model_session_destroy(s);
	free(snap);
	assert_int_equal(cfg.autoscale.nschedule, 2); /* 5m is past the span: dropped */
	assert_false(cfg.autoscale.schedule[0].enabled);
	assert_true(cfg.autoscale.schedule[1].enabled);
	assert_true(a.nscale_actions >= 1);
	assert_true(a.scale_actions[0].at_s == 120.0); /* not 90 s: it was off */
	assert_recording_replays(&cfg, &a);
	model_results_fini(&a);
	model_config_fini(&cfg);
}

/* The a key on a scenario without an autoscaler: the default one (app),
 * off from 0 s and on from now, with the session run again to make room
 * for its nodes; the operator's open crash of web2 stays the operator's.
 * With app scaled by `scaling:` steps the key is refused with the reason. */
static void default_autoscaler_started_by_the_operator_replays(void **state)
{
	(void)state;
	struct model_config cfg;
	load(&cfg, scenario);
	cfg.wl.rate_per_s = 1500;
	struct event_log log;
	struct model_snapshot *snap;
	struct model_session *s = operated_session(&cfg, &log, &snap);
	char msg[256];
	assert_int_equal(snap->autoscaler, MODEL_AUTOSCALER_NONE);
	int nodes_before = snap->nnodes;
	model_session_advance(s, 25 * SIM_NS_PER_S);
	assert_int_equal(model_session_fail(s, node_named(snap, "web2"), FAILURE_CRASH, 0, msg,
					    sizeof msg), 0);
	model_session_advance(s, 45 * SIM_NS_PER_S);
	model_session_snapshot(s, snap);
	assert_int_equal(snap->nodes[node_named(snap, "web2")].state, MODEL_NODE_DOWN);
	uint64_t completed = snap->completed;
	int log_before = log.n;
	assert_int_equal(model_session_toggle_autoscaler(s, msg, sizeof msg), 0);
	assert_non_null(strstr(msg, "operator: autoscaler on (new, app"));
	assert_int_equal(log.n, log_before + 1); /* the run again is silent */
	assert_int_equal(model_session_now_ns(s), 45 * SIM_NS_PER_S + 1);
	model_session_snapshot(s, snap);
	assert_int_equal(snap->completed, completed); /* the same run up to now */
	assert_int_equal(snap->autoscaler, MODEL_AUTOSCALER_ON);
	assert_int_equal(snap->nnodes, nodes_before + 10 - 4); /* app1..app10, 4 before */
	assert_int_equal(snap->nodes[node_named(snap, "app10")].state, MODEL_NODE_ABSENT);
	assert_int_equal(snap->nodes[node_named(snap, "web2")].state, MODEL_NODE_DOWN);
	/* still the operator's failure: r recovers it */
	assert_int_equal(model_session_recover(s, node_named(snap, "web2"), msg, sizeof msg), 0);
	assert_true(cfg.autoscale.given);
	assert_false(cfg.autoscale.enabled);
	assert_int_equal(cfg.autoscale.nschedule, 1);
	model_session_advance(s, 80 * SIM_NS_PER_S);
	struct model_results a;
	assert_int_equal(model_session_finish(s, &a), 0);
	model_session_destroy(s);
	assert_recording_replays(&cfg, &a);
	model_results_fini(&a);
	model_config_fini(&cfg);

	load(&cfg, scenario);
	cfg.scaling[0] = (struct scaling_step){.at_ns = 50 * SIM_NS_PER_S, .tier = TIER_APP,
					       .nodes = 5};
	cfg.nscaling = 1;
	s = model_session_create(&cfg, 0, NULL);
	assert_non_null(s);
	model_session_advance(s, 10 * SIM_NS_PER_S);
	assert_int_equal(model_session_toggle_autoscaler(s, msg, sizeof msg), -1);
	assert_non_null(strstr(msg, "app is scaled by the scenario's scaling: steps"));
	assert_false(cfg.autoscale.given);
	model_session_snapshot(s, snap);
	assert_int_equal(snap->autoscaler, MODEL_AUTOSCALER_NONE);
	model_session_destroy(s);
	free(snap);
	model_config_fini(&cfg);
}

static void nothing_to_report_before_the_warmup_ends(void **state)
{
	(void)state;
	struct model_config cfg;
	load(&cfg, scenario);
	struct model_session *s = model_session_create(&cfg, 0, NULL);
	assert_non_null(s);
	model_session_advance(s, 5 * SIM_NS_PER_S);
	char msg[256];
	assert_int_equal(model_session_recover(s, 3, msg, sizeof msg), -1);
	assert_non_null(strstr(msg, "no failure to recover"));
	struct model_results r;
	assert_int_equal(model_session_finish(s, &r), EINVAL);
	model_session_destroy(s);
	model_config_fini(&cfg);
}

/* Regression: a step (ramp 0) used to ramp from the previous break. */
static void a_step_keeps_the_rate_flat_until_it(void **state)
{
	(void)state;
	struct wl_config wl = {.rate_per_s = 400, .nschedule = 2,
			       .schedule = {{.at_ns = 52 * SIM_NS_PER_S, .rate_per_s = 440},
					    {.at_ns = 70 * SIM_NS_PER_S, .rate_per_s = 396}}};
	struct wl_profile p;
	wl_profile_init(&p, &wl);
	assert_true(wl_profile_rate_at(&p, 26 * SIM_NS_PER_S) == 400.0);
	assert_true(wl_profile_rate_at(&p, 52 * SIM_NS_PER_S - 1) == 400.0);
	assert_true(wl_profile_rate_at(&p, 52 * SIM_NS_PER_S) == 440.0);
	assert_true(wl_profile_rate_at(&p, 69 * SIM_NS_PER_S) == 440.0);
	assert_true(wl_profile_rate_at(&p, 99 * SIM_NS_PER_S) == 396.0);
	/* 400/s for 52 s, then 440/s: 20800 + 440 expected arrivals at 53 s */
	assert_int_equal(wl_profile_advance(&p, 0, 21240.0), 53 * SIM_NS_PER_S);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_step_keeps_the_rate_flat_until_it),
		cmocka_unit_test(untouched_session_equals_a_plain_run),
		cmocka_unit_test(session_with_actions_replays_from_its_recording),
		cmocka_unit_test(nothing_to_report_before_the_warmup_ends),
		cmocka_unit_test(autoscaler_switched_by_the_operator_replays),
		cmocka_unit_test(default_autoscaler_started_by_the_operator_replays),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
