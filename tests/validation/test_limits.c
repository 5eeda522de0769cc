/* The memory budget (models/limits.h) against Little's law, and its bounds.
 *
 *  - A system held full by the budget is a closed network: with arrivals
 *    twenty times the capacity, a slot freed by a completion is taken again
 *    within microseconds, so N = max_calls requests are always in it.  The
 *    app tier alone (M/M/4 with mean service s) then completes X = 4 / s
 *    per second, and by Little's law each admitted request spends
 *    W = N / X = N s / 4 in it.  Both against the 3-of-5 CI rule.
 *  - The baseline architecture at seven times its capacity with client
 *    time-outs and retries (zombies, retried sends) under a 1 MiB budget:
 *    stepped second by second, live calls, attempts and the pools' memory
 *    never pass their caps, pending events stay bounded, the calendar and
 *    the pools stop growing once the system is full, drops are counted and
 *    every offered request still has one outcome.
 *  - A budget never reached changes nothing: the same results, bit for bit. */
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
#include "models/limits.h"
#include "sim/time.h"
#include "replicate.h"
#include "theory.h"
#include "transparent.h"

/* Only the app tier costs anything (as in test_model.c): M/M/4, s = 4 ms. */
static void app_alone(struct model_config *c)
{
	struct wl_class_config *only = transparent_front(c, "request");
	zero_cost(&c->net.hop);
	c->app.cores = 4;
	c->wl.nschedule = 0;
	sim_dist_fini(&only->app);
	sim_dist_init_exp(&only->app, 4e6);
	transparent_db(c);
}

static int copy_when_full(const struct model_results *r, size_t i, double *values)
{
	values[2 * i] = r->latency_s.mean;
	values[2 * i + 1] = (double)r->completed / r->measured_s;
	if (r->dropped_memory_limit == 0 || r->errors[ERR_MEMORY_LIMIT] == 0)
		return -1; /* not full: the case tests nothing */
	return 0;
}

static void a_system_held_full_by_the_budget_obeys_littles_law(void **state)
{
	(void)state;
	struct model_config cfg;
	app_alone(&cfg);
	const double s = 4e-3;
	cfg.wl.rate_per_s = 20 * 4 / s;
	cfg.max_memory_bytes = (int64_t)1 << 20;
	cfg.duration_ns = 65 * SIM_NS_PER_S;
	cfg.warmup_ns = 5 * SIM_NS_PER_S;
	struct model_limits lim;
	model_limits_of(&cfg, &lim);
	double n = (double)lim.max_calls;
	print_message("budget 1 MiB: %zu bytes per call, %zu calls\n", lim.bytes_per_call,
		      lim.max_calls);
	struct theory_case c = {
		.what = "app tier held full by the budget", .nmetrics = 2,
		.metric = {"response (s)", "throughput (1/s)"},
		.analytic = {n * s / 4, 4 / s},
		.reps = 10, .base_seed = 301, .run = replicate_run,
		.ctx = &(struct replicate_case){&cfg, copy_when_full},
	};
	theory_expect(&c);
	model_config_fini(&cfg);
}

static void minutes_at_seven_times_capacity_stay_within_the_caps(void **state)
{
	(void)state;
	struct model_config cfg;
	model_config_init(&cfg);
	cfg.wl.nschedule = 0;
	cfg.wl.rate_per_s = 20000; /* the baseline saturates near 2900/s */
	cfg.wl.retries = 2;
	cfg.duration_ns = 4 * SIM_NS_PER_MIN;
	cfg.warmup_ns = 30 * SIM_NS_PER_S;
	cfg.max_memory_bytes = (int64_t)1 << 20;
	struct model_results out;
	memset(&out, 0, sizeof out);
	struct arch *a = malloc(sizeof *a);
	assert_non_null(a);
	assert_int_equal(arch_init(a, &cfg, 0), 0);
	assert_int_equal(rec_init(&a->rec, a, &out), 0);
	const struct model_limits *lim = &a->limits;
	arch_begin(a);
	size_t peak_calls = 0, peak_requests = 0, peak_events = 0;
	uint32_t slots_half = 0;
	size_t capacity_half = 0;
	for (int64_t t = SIM_NS_PER_S; t <= a->end_ns; t += SIM_NS_PER_S) {
		sim_engine_run(&a->engine, t);
		assert_true(a->calls.live <= lim->max_calls);
		assert_true(a->requests.live <= lim->max_requests);
		assert_true(a->calls.capacity <= lim->max_calls);
		assert_true(a->requests.capacity <= lim->max_requests);
		size_t ev = sim_calendar_count(&a->engine.cal);
		/* arrivals stop at max_events; what is over it belongs to
		 * requests already admitted, a few events each */
		assert_true(ev <= lim->max_events + MODEL_EVENTS_PER_CALL * lim->max_requests);
		peak_calls = ev > 0 && a->calls.live > peak_calls ? a->calls.live : peak_calls;
		peak_requests = a->requests.live > peak_requests ? a->requests.live : peak_requests;
		peak_events = ev > peak_events ? ev : peak_events;
		if (t == a->end_ns / 2) {
			slots_half = a->engine.cal.slot_cap;
			capacity_half = a->requests.capacity + a->calls.capacity;
		}
	}
	/* Full from the first minutes on, then flat: nothing grows any more. */
	assert_int_equal(a->engine.cal.slot_cap, slots_half);
	assert_int_equal(a->requests.capacity + a->calls.capacity, capacity_half);
	arch_end(a);
	print_message("caps: %zu calls, %zu requests, %zu events; peaks %zu, %zu, %zu; "
		      "calendar slots %u; dropped %llu\n",
		      lim->max_calls, lim->max_requests, lim->max_events, peak_calls, peak_requests,
		      peak_events, a->engine.cal.slot_cap,
		      (unsigned long long)out.dropped_memory_limit);
	assert_int_equal(peak_calls, lim->max_calls); /* it was full */
	assert_true(out.dropped_memory_limit > 0);
	assert_true(out.errors[ERR_MEMORY_LIMIT] > 0);
	assert_true(out.errors[ERR_MEMORY_LIMIT] <= out.dropped_memory_limit);
	assert_int_equal(out.offered, out.completed + out.failed + out.unfinished);
	assert_int_equal(out.max_memory_bytes, (int64_t)1 << 20);
	assert_int_equal(out.max_live_requests, lim->max_requests);
	/* what the pools and the calendar hold stays within the budget */
	size_t bytes = a->calls.capacity * a->calls.obj_size +
		       a->requests.capacity * a->requests.obj_size +
		       (size_t)a->engine.cal.slot_cap * model_limits_event_bytes() / 4;
	assert_true(bytes <= (size_t)lim->budget_bytes);
	rec_fini(&a->rec);
	arch_fini(a);
	free(a);
	model_results_fini(&out);
	model_config_fini(&cfg);
}

static void a_budget_never_reached_changes_nothing(void **state)
{
	(void)state;
	struct model_config cfg;
	model_config_init(&cfg);
	cfg.duration_ns = 2 * SIM_NS_PER_MIN;
	cfg.warmup_ns = 30 * SIM_NS_PER_S;
	struct model_results by_default, small;
	assert_int_equal(model_run_replication(&cfg, 0, &by_default), 0);
	cfg.max_memory_bytes = (int64_t)64 << 20;
	assert_int_equal(model_run_replication(&cfg, 0, &small), 0);
	assert_int_equal(by_default.dropped_memory_limit, 0);
	assert_int_equal(small.dropped_memory_limit, 0);
	assert_true(small.offered > 0);
	assert_int_equal(small.offered, by_default.offered);
	assert_int_equal(small.completed, by_default.completed);
	assert_int_equal(small.failed, by_default.failed);
	assert_true(small.latency_s.mean == by_default.latency_s.mean);
	assert_memory_equal(small.errors, by_default.errors, sizeof small.errors);
	assert_int_equal(by_default.max_memory_bytes, MODEL_MEMORY_DEFAULT_BYTES);
	model_results_fini(&by_default);
	model_results_fini(&small);
	model_config_fini(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_system_held_full_by_the_budget_obeys_littles_law),
		cmocka_unit_test(minutes_at_seven_times_capacity_stay_within_the_caps),
		cmocka_unit_test(a_budget_never_reached_changes_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
