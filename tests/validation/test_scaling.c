/* Scaling through the whole model (models/scaling.c, docs/scaling.md):
 *  - HPA's rule: desired = ceil(current x u / target) within [min, max],
 *    unchanged within 10% of the target;
 *  - the autoscaler reacts to a step in load within interval + boot, and
 *    respects max, min and cooldown;
 *  - a scheduled scale-out's app servers take traffic only after boot, web
 *    servers only after boot and then `rise` passing HAProxy checks;
 *  - a scale-in drains: the requests in flight complete (no failure), then
 *    the nodes leave and get no more work;
 *  - utilization with nodes present for part of the run, against the
 *    utilization law: the tier's busy time over its node-time present. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "models/arch.h"
#include "models/scaling.h"
#include "sim/time.h"
#include "one_class.h"
#include "replicate.h"
#include "theory.h"

#define RATE 600.0
#define APP_MEAN_S 0.020

/* One dynamic class of exponential app work, no DB, no cache, no client
 * time-out: the app tier's load is RATE x APP_MEAN_S cores exactly. */
static void config_app_only(struct model_config *c)
{
	model_config_init(c);
	c->duration_ns = 120 * SIM_NS_PER_S;
	c->warmup_ns = 10 * SIM_NS_PER_S;
	c->wl.rate_per_s = RATE;
	struct wl_class_config *k = one_dynamic_class(c, "get");
	sim_dist_fini(&k->app);
	sim_dist_init_exp(&k->app, APP_MEAN_S * 1e9);
	c->web.cache_hit = 0;
	c->wl.timeout_ns = 0;
	c->wl.retries = 0;
	c->app.nodes = 3;
}

#define MAX_EVENTS 256
struct log {
	size_t n;
	struct model_event ev[MAX_EVENTS];
	char node[MAX_EVENTS][16]; /* the node's name: ev[].node dies with the run */
};

static void record_event(void *ctx, const struct model_event *ev)
{
	struct log *l = ctx;
	if (l->n < MAX_EVENTS) {
		snprintf(l->node[l->n], sizeof l->node[l->n], "%s", ev->node ? ev->node->name : "");
		l->ev[l->n] = *ev;
		l->ev[l->n++].node = NULL;
	}
}

/* When node `name` first had an event of `kind` whose text contains `word`; -1: never. */
static double first_event_s(const struct log *l, enum model_event_kind kind, const char *name,
			    const char *word)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->ev[i].kind == kind && !strcmp(l->node[i], name) &&
		    strstr(l->ev[i].text, word))
			return sim_ns_to_s(l->ev[i].at_ns);
	return -1;
}

static int node_pos(const struct model_results *r, const char *name)
{
	for (size_t i = 0; i < r->nnodes; i++)
		if (!strcmp(r->nodes[i].name, name))
			return (int)i;
	fail_msg("no node %s", name);
	return -1;
}

static void run(const struct model_config *c, unsigned index, struct model_results *r,
		struct log *l)
{
	memset(l, 0, sizeof *l);
	struct model_event_listener ln = {.fn = record_event, .ctx = l};
	assert_int_equal(model_run_replication_watched(c, index, r, &ln), 0);
}

/* ---------------------------------------------------------------- HPA's rule */

static void test_hpa_rule(void **state)
{
	(void)state;
	assert_int_equal(scaling_desired(3, 0.9, 0.5, 1, 20), 6);   /* ceil(5.4) */
	assert_int_equal(scaling_desired(4, 0.75, 0.5, 1, 20), 6);  /* exactly 6 */
	assert_int_equal(scaling_desired(4, 0.53, 0.5, 1, 20), 4);  /* within 10% */
	assert_int_equal(scaling_desired(4, 0.46, 0.5, 1, 20), 4);
	assert_int_equal(scaling_desired(10, 0.1, 0.5, 3, 20), 3);  /* min */
	assert_int_equal(scaling_desired(10, 1.0, 0.5, 3, 12), 12); /* max */
	assert_int_equal(scaling_desired(4, NAN, 0.5, 1, 20), 4);   /* no reading */
}

/* ---------------------------------------------------------------- the autoscaler */

#define STEP_S 60
#define INTERVAL_S 30
#define BOOT_S 40

static void config_step(struct model_config *c, double before, double after)
{
	config_app_only(c);
	c->duration_ns = 400 * SIM_NS_PER_S;
	c->wl.rate_per_s = before;
	c->wl.schedule[0] = (struct wl_step){.at_ns = STEP_S * SIM_NS_PER_S, .rate_per_s = after};
	c->wl.nschedule = 1;
	c->autoscale = (struct autoscale_config){
		.given = true, .enabled = true, .tier = TIER_APP, .target = 0.5,
		.interval_ns = INTERVAL_S * SIM_NS_PER_S, .cooldown_ns = 120 * SIM_NS_PER_S,
		.boot_ns = BOOT_S * SIM_NS_PER_S, .min = 2, .max = 5,
	};
}

/* 3 servers x 8 cores; 500/s -> 1500/s of 20 ms: utilization 0.42 -> 1.25
 * (overloaded: the step asks ceil(3 x 1 / 0.5) = 6, held at max 5). */
static void test_autoscaler_reacts_within_interval_plus_boot_and_respects_max(void **state)
{
	(void)state;
	struct model_config c;
	config_step(&c, 500, 1500);
	struct model_results r;
	static struct log l;
	run(&c, 0, &r, &l);
	assert_true(r.nscale_actions >= 1);
	const struct model_scale_action *first = &r.scale_actions[0];
	assert_true(first->autoscale);
	assert_true(first->at_s > STEP_S && first->at_s <= STEP_S + INTERVAL_S);
	assert_int_equal(first->from, 3);
	assert_int_equal(first->to, 5); /* max */
	assert_true(first->utilization > 0.9);
	/* the new servers are in within interval + boot of the step */
	double in4 = first_event_s(&l, MODEL_EVENT_SCALED, "app4", "booted");
	double in5 = first_event_s(&l, MODEL_EVENT_SCALED, "app5", "booted");
	assert_true(in4 > 0 && in4 <= STEP_S + INTERVAL_S + BOOT_S);
	assert_true(fabs(in4 - first->at_s - BOOT_S) < 1e-9 && fabs(in5 - in4) < 1e-9);
	for (size_t i = 0; i < r.nscale_actions; i++) {
		assert_true(r.scale_actions[i].to <= 5 && r.scale_actions[i].to >= 2);
		if (i > 0) /* cooldown */
			assert_true(r.scale_actions[i].at_s - r.scale_actions[i - 1].at_s >= 120 - 1e-9);
	}
	model_results_fini(&r);
	model_config_fini(&c);
}

/* 100/s on 3 servers: utilization 0.08, so ceil(3 x 0.08 / 0.5) = 1 -> min 2;
 * then the step to 1500/s comes within the cooldown of that action: the
 * next action waits for it. */
static void test_autoscaler_respects_min_and_cooldown(void **state)
{
	(void)state;
	struct model_config c;
	config_step(&c, 100, 1500);
	c.wl.schedule[0].at_ns = 50 * SIM_NS_PER_S;
	struct model_results r;
	static struct log l;
	run(&c, 0, &r, &l);
	assert_true(r.nscale_actions >= 2);
	const struct model_scale_action *a0 = &r.scale_actions[0], *a1 = &r.scale_actions[1];
	assert_true(a0->autoscale && a0->from == 3 && a0->to == 2); /* min */
	assert_true(fabs(a0->at_s - INTERVAL_S) < 1e-9);            /* the first tick */
	/* the load stepped at 50 s, 20 s after; no action before 30 + 120 s */
	assert_true(fabs(a1->at_s - (INTERVAL_S + 120.0)) < 1e-9);
	assert_true(a1->from == 2 && a1->to == 4); /* ceil(2 x 1 / 0.5), saturated */
	model_results_fini(&r);
	model_config_fini(&c);
}

/* ---------------------------------------------------------------- switched off and on */

/* The step of the first test (500/s -> 1500/s at 60 s, utilization 0.42
 * -> saturated) with the autoscaler off from 0 s to 135 s: the ticks at 30
 * ... 120 s take no action (the one at 90 s would have), and the first tick
 * after it is switched on, 150 s, acts on the last interval's reading
 * (120..150 s, saturated: u > 0.9), not on a reading since the last action
 * or since 0 s (60 s at 0.42 and 90 s at 1: 0.77). */
#define ON_S 135
static void test_autoscaler_off_until_t_acts_at_the_first_tick_after_t(void **state)
{
	(void)state;
	struct model_config c;
	config_step(&c, 500, 1500);
	c.autoscale.enabled = false;
	c.autoscale.schedule[0] = (struct autoscale_switch){.at_ns = ON_S * SIM_NS_PER_S,
							    .enabled = true};
	c.autoscale.nschedule = 1;
	struct model_results r;
	static struct log l;
	run(&c, 0, &r, &l);
	assert_true(r.nscale_actions >= 1);
	const struct model_scale_action *first = &r.scale_actions[0];
	double next_tick = ceil((double)ON_S / INTERVAL_S) * INTERVAL_S;
	assert_true(fabs(first->at_s - next_tick) < 1e-9);
	assert_int_equal(first->from, 3);
	assert_int_equal(first->to, 5);
	assert_true(first->utilization > 0.9);
	/* nothing moved before: 3 app servers in every window up to then */
	for (size_t w = 0; w + 1 < (size_t)next_tick; w++)
		assert_int_equal(r.windows[w].tier_nodes[TIER_APP], 3);
	assert_true(first_event_s(&l, MODEL_EVENT_SCALED, "", "autoscaler on") == ON_S);
	model_results_fini(&r);
	model_config_fini(&c);
}

/* The min-and-cooldown case (3 -> 2 at 30 s, step at 50 s) with the
 * autoscaler off from 40 s to 100 s: on again at 100 s, it still waits for
 * the cooldown of its 30 s action (150 s), not 120 s after the switch. */
static void test_cooldown_counts_from_the_last_action_across_a_switch(void **state)
{
	(void)state;
	struct model_config c;
	config_step(&c, 100, 1500);
	c.wl.schedule[0].at_ns = 50 * SIM_NS_PER_S;
	c.autoscale.schedule[0] = (struct autoscale_switch){.at_ns = 40 * SIM_NS_PER_S};
	c.autoscale.schedule[1] = (struct autoscale_switch){.at_ns = 100 * SIM_NS_PER_S,
							    .enabled = true};
	c.autoscale.nschedule = 2;
	struct model_results r;
	static struct log l;
	run(&c, 0, &r, &l);
	assert_true(r.nscale_actions >= 2);
	assert_true(fabs(r.scale_actions[0].at_s - INTERVAL_S) < 1e-9);
	assert_true(fabs(r.scale_actions[1].at_s - (INTERVAL_S + 120.0)) < 1e-9);
	assert_true(r.scale_actions[1].from == 2 && r.scale_actions[1].to == 4);
	/* the switches change no node count */
	assert_int_equal(r.windows[40].tier_nodes[TIER_APP], 2);
	assert_int_equal(r.windows[100].tier_nodes[TIER_APP], 2);
	model_results_fini(&r);
	model_config_fini(&c);
}

/* Off from 0 s and never switched on: the node counts of a run without an
 * autoscaler (3 app servers in every window, no action), and the same
 * requests served: the extra nodes it could add stay absent and draw
 * nothing, the balancers skip them, the ticks only read. */
static void test_autoscaler_off_throughout_equals_no_autoscaler(void **state)
{
	(void)state;
	struct model_config off, none;
	config_step(&off, 500, 1500);
	off.autoscale.enabled = false;
	config_step(&none, 500, 1500);
	none.autoscale.given = false;
	struct model_results a, b;
	static struct log l;
	run(&off, 0, &a, &l);
	run(&none, 0, &b, &l);
	assert_int_equal(a.nscale_actions, 0);
	assert_int_equal(a.nwindows, b.nwindows);
	for (size_t w = 0; w < a.nwindows; w++) {
		assert_int_equal(a.windows[w].tier_nodes[TIER_APP], 3);
		assert_int_equal(b.windows[w].tier_nodes[TIER_APP], 3);
		assert_int_equal(a.windows[w].completed, b.windows[w].completed);
	}
	assert_int_equal(a.completed, b.completed);
	assert_int_equal(a.failed, b.failed);
	assert_true(a.tier_utilization[TIER_APP] == b.tier_utilization[TIER_APP]);
	model_results_fini(&a);
	model_results_fini(&b);
	model_config_fini(&off);
	model_config_fini(&none);
}

/* ---------------------------------------------------------------- scale-out */

#define AT_S 30
#define JOIN_BOOT_S 20

static void test_new_app_server_takes_traffic_only_after_boot(void **state)
{
	(void)state;
	struct model_config c;
	config_app_only(&c);
	c.duration_ns = 90 * SIM_NS_PER_S;
	c.scaling[0] = (struct scaling_step){.at_ns = AT_S * SIM_NS_PER_S, .tier = TIER_APP,
					     .nodes = 4, .boot_ns = JOIN_BOOT_S * SIM_NS_PER_S};
	c.nscaling = 1;
	struct model_results r;
	static struct log l;
	run(&c, 0, &r, &l);
	int p = node_pos(&r, "app4");
	for (size_t w = 0; w < r.nwindows; w++) {
		double t = (double)w; /* 1 s windows */
		if (t + 1 <= AT_S + JOIN_BOOT_S)
			assert_true(r.windows[w].node_utilization[p] == 0.0f);
		else if (t >= AT_S + JOIN_BOOT_S + 1)
			assert_true(r.windows[w].node_utilization[p] > 0.0f);
		/* at the window's end: app4 is in from 50 s on */
		assert_int_equal(r.windows[w].tier_nodes[TIER_APP], t + 1 < AT_S + JOIN_BOOT_S ? 3 : 4);
	}
	assert_int_equal(r.failed, 0);
	model_results_fini(&r);
	model_config_fini(&c);
}

/* HAProxy: a new web server starts DOWN; the first check after its boot
 * comes within downinter, then rise - 1 more at fastinter. */
static void test_new_web_server_joins_after_boot_and_rise_checks(void **state)
{
	(void)state;
	struct model_config c;
	config_app_only(&c);
	c.duration_ns = 90 * SIM_NS_PER_S;
	c.lb.check.rise = 3;
	c.lb.check.fastinter_ns = SIM_NS_PER_S;
	c.lb.check.downinter_ns = 3 * SIM_NS_PER_S;
	c.scaling[0] = (struct scaling_step){.at_ns = AT_S * SIM_NS_PER_S, .tier = TIER_WEB,
					     .nodes = 4, .boot_ns = JOIN_BOOT_S * SIM_NS_PER_S};
	c.nscaling = 1;
	struct model_results r;
	static struct log l;
	run(&c, 0, &r, &l);
	double booted = first_event_s(&l, MODEL_EVENT_SCALED, "web4", "booted");
	double up = first_event_s(&l, MODEL_EVENT_MARKED_UP, "web4", "lb1 marks");
	assert_true(fabs(booted - (AT_S + JOIN_BOOT_S)) < 1e-9);
	assert_true(up >= booted + 2 * 1.0 - 1e-9 && up <= booted + 3.0 + 2 * 1.0 + 1e-9);
	int p = node_pos(&r, "web4");
	for (size_t w = 0; w < r.nwindows; w++) {
		double t = (double)w;
		if (t + 1 <= up)
			assert_true(r.windows[w].node_utilization[p] == 0.0f);
		else if (t >= up + 1)
			assert_true(r.windows[w].node_utilization[p] > 0.0f);
	}
	assert_int_equal(r.failed, 0);
	model_results_fini(&r);
	model_config_fini(&c);
}

/* ---------------------------------------------------------------- scale-in */

static void test_scale_in_drains_without_failures(void **state)
{
	(void)state;
	struct model_config c;
	config_app_only(&c);
	c.duration_ns = 90 * SIM_NS_PER_S;
	c.app.nodes = 5;
	c.scaling[0] = (struct scaling_step){.at_ns = AT_S * SIM_NS_PER_S, .tier = TIER_APP,
					     .nodes = 3};
	c.nscaling = 1;
	struct model_results r;
	static struct log l;
	run(&c, 0, &r, &l);
	assert_int_equal(r.failed, 0);
	assert_int_equal(r.completed, r.offered);
	const char *gone[] = {"app4", "app5"};
	for (int k = 0; k < 2; k++) {
		double drain = first_event_s(&l, MODEL_EVENT_SCALED, gone[k], "drains");
		double left = first_event_s(&l, MODEL_EVENT_SCALED, gone[k], "leaves");
		assert_true(fabs(drain - AT_S) < 1e-9);
		/* in flight at 30 s: a few times 20 ms of work, then gone */
		assert_true(left > drain && left < drain + 2.0);
		int p = node_pos(&r, gone[k]);
		for (size_t w = (size_t)ceil(left); w < r.nwindows; w++)
			assert_true(r.windows[w].node_utilization[p] == 0.0f);
		assert_true(r.windows[AT_S - 1].node_utilization[p] > 0.0f);
	}
	assert_int_equal(r.windows[r.nwindows - 1].tier_nodes[TIER_APP], 3);
	model_results_fini(&r);
	model_config_fini(&c);
}

/* ---------------------------------------------------------------- utilization */

/* 3 app servers, 3 more from 60 s (boot 0): measured 10..120 s.  The tier's
 * load is RATE x APP_MEAN_S = 12 cores throughout; round robin splits it
 * evenly over the servers in rotation. */
#define JOIN_S 60.0

/* The tier's utilization, and app1's (there throughout) and app6's (from
 * JOIN_S on). */
static int copy_utilizations(const struct model_results *r, size_t i, double *values)
{
	values[i * 3 + 0] = r->tier_utilization[TIER_APP];
	values[i * 3 + 1] = r->nodes[node_pos(r, "app1")].utilization;
	values[i * 3 + 2] = r->nodes[node_pos(r, "app6")].utilization;
	return 0;
}

static void test_utilization_of_nodes_present_for_part_of_the_run(void **state)
{
	(void)state;
	struct model_config c;
	config_app_only(&c);
	c.scaling[0] = (struct scaling_step){.at_ns = (int64_t)JOIN_S * SIM_NS_PER_S,
					     .tier = TIER_APP, .nodes = 6};
	c.nscaling = 1;
	double load = RATE * APP_MEAN_S, cores = 8, T = 110, later = 120 - JOIN_S;
	double present = 3 * T + 3 * later; /* node-seconds */
	struct theory_case tc = {
		.what = "app tier 3 -> 6 servers at 60 s: utilization over time present",
		.nmetrics = 3,
		.metric = {"tier", "app1 (whole run)", "app6 (from 60 s)"},
		.analytic = {load * T / (cores * present),
			     (load / 3 * (JOIN_S - 10) + load / 6 * later) / (cores * T),
			     load / 6 / cores},
		.reps = 8,
		.base_seed = 7100,
		.run = replicate_run,
		.ctx = &(struct replicate_case){&c, copy_utilizations},
	};
	theory_expect(&tc);
	model_config_fini(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hpa_rule),
		cmocka_unit_test(test_autoscaler_reacts_within_interval_plus_boot_and_respects_max),
		cmocka_unit_test(test_autoscaler_respects_min_and_cooldown),
		cmocka_unit_test(test_autoscaler_off_until_t_acts_at_the_first_tick_after_t),
		cmocka_unit_test(test_cooldown_counts_from_the_last_action_across_a_switch),
		cmocka_unit_test(test_autoscaler_off_throughout_equals_no_autoscaler),
		cmocka_unit_test(test_new_app_server_takes_traffic_only_after_boot),
		cmocka_unit_test(test_new_web_server_joins_after_boot_and_rise_checks),
		cmocka_unit_test(test_scale_in_drains_without_failures),
		cmocka_unit_test(test_utilization_of_nodes_present_for_part_of_the_run),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
