/* Unit tests for the engine (sim/engine.c).
 *
 * Pins the clock contract models are written against: a callback sees now ==
 * its own time; sim_engine_run(until) fires everything at or before until,
 * leaves later events pending and the clock at until, and can be resumed;
 * stop takes effect after the current callback; an event scheduled with zero
 * delay fires after the current one, at the same instant. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <signal.h>

#include "sim/engine.h"
#include "sim/interrupt.h"
#include "sim/time.h"

/* What the callbacks saw, in firing order. */
struct log {
	int64_t at_ns[64];
	uint64_t arg[64];
	int n;
};

static void record(struct sim_engine *e, void *obj, uint64_t arg)
{
	struct log *l = obj;
	assert_true(l->n < 64);
	l->at_ns[l->n] = sim_engine_now_ns(e);
	l->arg[l->n] = arg;
	l->n++;
}

static void test_clock_advances_to_each_event_time(void **state)
{
	(void)state;
	struct sim_engine e;
	struct log l = { .n = 0 };

	sim_engine_init(&e);
	assert_int_equal(sim_engine_now_ns(&e), 0);
	sim_engine_at(&e, 30, record, &l, 3);
	sim_engine_at(&e, 10, record, &l, 1);
	sim_engine_after(&e, 20, record, &l, 2);
	assert_int_equal(sim_engine_run(&e, 100), SIM_RUN_EMPTY);
	assert_int_equal(l.n, 3);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(l.at_ns[i], (i + 1) * 10);
		assert_int_equal(l.arg[i], i + 1);
	}
	assert_int_equal(sim_engine_now_ns(&e), 100);
	assert_int_equal(e.events_fired, 3);
	sim_engine_fini(&e);
}

static void test_run_until_leaves_later_events_pending_and_resumes(void **state)
{
	(void)state;
	struct sim_engine e;
	struct log l = { .n = 0 };

	sim_engine_init(&e);
	sim_engine_at(&e, 10, record, &l, 1);
	sim_engine_at(&e, 50, record, &l, 2);
	sim_engine_at(&e, 90, record, &l, 3);

	assert_int_equal(sim_engine_run(&e, 40), SIM_RUN_REACHED_END);
	assert_int_equal(l.n, 1);
	assert_int_equal(sim_engine_now_ns(&e), 40);
	assert_int_equal(sim_calendar_count(&e.cal), 2);

	/* Scheduling between steps is relative to the clock left at until. */
	sim_engine_after(&e, 5, record, &l, 9);
	assert_int_equal(sim_engine_run(&e, 60), SIM_RUN_REACHED_END);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.at_ns[1], 45);
	assert_int_equal(l.arg[1], 9);
	assert_int_equal(l.at_ns[2], 50);
	assert_int_equal(sim_engine_now_ns(&e), 60);

	assert_int_equal(sim_engine_run(&e, 1000), SIM_RUN_EMPTY);
	assert_int_equal(l.n, 4);
	assert_int_equal(l.at_ns[3], 90);
	assert_int_equal(sim_engine_now_ns(&e), 1000);
	sim_engine_fini(&e);
}

static void test_events_exactly_at_until_fire(void **state)
{
	(void)state;
	struct sim_engine e;
	struct log l = { .n = 0 };

	sim_engine_init(&e);
	sim_engine_at(&e, 100, record, &l, 1);
	sim_engine_at(&e, 100, record, &l, 2);
	sim_engine_at(&e, 101, record, &l, 3);
	assert_int_equal(sim_engine_run(&e, 100), SIM_RUN_REACHED_END);
	assert_int_equal(l.n, 2);
	assert_int_equal(sim_engine_now_ns(&e), 100);
	sim_engine_fini(&e);
}

static void test_run_to_never_keeps_clock_at_last_event(void **state)
{
	(void)state;
	struct sim_engine e;
	struct log l = { .n = 0 };

	sim_engine_init(&e);
	sim_engine_at(&e, 77, record, &l, 1);
	assert_int_equal(sim_engine_run(&e, SIM_TIME_NEVER), SIM_RUN_EMPTY);
	assert_int_equal(sim_engine_now_ns(&e), 77);
	sim_engine_fini(&e);
}

static void stop_at_arg_2(struct sim_engine *e, void *obj, uint64_t arg)
{
	record(e, obj, arg);
	if (arg == 2)
		sim_engine_stop(e);
}

static void test_stop_from_a_callback_ends_the_run_after_it(void **state)
{
	(void)state;
	struct sim_engine e;
	struct log l = { .n = 0 };

	sim_engine_init(&e);
	for (uint64_t i = 1; i <= 4; i++)
		sim_engine_at(&e, (int64_t)i * 10, stop_at_arg_2, &l, i);
	assert_int_equal(sim_engine_run(&e, 1000), SIM_RUN_STOPPED);
	assert_int_equal(l.n, 2);
	assert_int_equal(sim_engine_now_ns(&e), 20); /* not until: stopped */
	assert_int_equal(sim_calendar_count(&e.cal), 2);

	/* The stop is consumed: the next run carries on. */
	assert_int_equal(sim_engine_run(&e, 1000), SIM_RUN_EMPTY);
	assert_int_equal(l.n, 4);
	sim_engine_fini(&e);
}

static void interrupt_at_arg_2(struct sim_engine *e, void *obj, uint64_t arg)
{
	record(e, obj, arg);
	if (arg == 2)
		raise(SIGINT); /* Ctrl-C in the middle of an event */
}

/* A SIGINT (with the handlers installed) stops the run after the event in
 * progress, like sim_engine_stop, and keeps stopping later runs (the drain
 * after the end, the next replication) until the flag is reset. */
static void test_sigint_stops_after_the_current_event(void **state)
{
	(void)state;
	struct sim_engine e;
	struct log l = { .n = 0 };

	assert_int_equal(sim_interrupt_install(), 0);
	sim_engine_init(&e);
	for (uint64_t i = 1; i <= 4; i++)
		sim_engine_at(&e, (int64_t)i * 10, interrupt_at_arg_2, &l, i);
	assert_int_equal(sim_engine_run(&e, 1000), SIM_RUN_STOPPED);
	assert_true(sim_interrupted());
	assert_int_equal(sim_interrupt_exit_status(), 128 + SIGINT);
	assert_int_equal(l.n, 2);
	assert_int_equal(sim_engine_now_ns(&e), 20);
	assert_int_equal(sim_engine_run(&e, 1000), SIM_RUN_STOPPED);
	assert_int_equal(l.n, 3);
	sim_interrupt_reset();
	assert_int_equal(sim_engine_run(&e, 1000), SIM_RUN_EMPTY);
	assert_int_equal(l.n, 4);
	sim_engine_fini(&e);
	signal(SIGINT, SIG_DFL);
}

/* Each firing schedules the next one until arg reaches 0: a chain. */
static void countdown(struct sim_engine *e, void *obj, uint64_t arg)
{
	record(e, obj, arg);
	if (arg > 0)
		sim_engine_after(e, 7, countdown, obj, arg - 1);
}

static void test_callbacks_can_schedule_more_events(void **state)
{
	(void)state;
	struct sim_engine e;
	struct log l = { .n = 0 };

	sim_engine_init(&e);
	sim_engine_at(&e, 3, countdown, &l, 5);
	assert_int_equal(sim_engine_run(&e, 1000), SIM_RUN_EMPTY);
	assert_int_equal(l.n, 6);
	for (int i = 0; i < 6; i++) {
		assert_int_equal(l.at_ns[i], 3 + 7 * i);
		assert_int_equal(l.arg[i], 5 - i);
	}
	sim_engine_fini(&e);
}

static void spawn_zero_delay(struct sim_engine *e, void *obj, uint64_t arg)
{
	record(e, obj, arg);
	if (arg == 1)
		sim_engine_after(e, 0, record, obj, 100);
}

static void test_zero_delay_fires_after_current_event_at_same_instant(void **state)
{
	(void)state;
	struct sim_engine e;
	struct log l = { .n = 0 };

	sim_engine_init(&e);
	sim_engine_at(&e, 10, spawn_zero_delay, &l, 1);
	sim_engine_at(&e, 10, spawn_zero_delay, &l, 2); /* already due at 10 */
	sim_engine_at(&e, 11, spawn_zero_delay, &l, 3);
	sim_engine_run(&e, 20);
	assert_int_equal(l.n, 4);
	/* Pushed later than event 2, so it fires after it, still at 10. */
	assert_int_equal(l.arg[0], 1);
	assert_int_equal(l.arg[1], 2);
	assert_int_equal(l.arg[2], 100);
	assert_int_equal(l.at_ns[2], 10);
	assert_int_equal(l.arg[3], 3);
	sim_engine_fini(&e);
}

static void test_cancelled_event_never_fires(void **state)
{
	(void)state;
	struct sim_engine e;
	struct log l = { .n = 0 };

	sim_engine_init(&e);
	struct sim_event_handle h = sim_engine_at(&e, 10, record, &l, 1);
	sim_engine_at(&e, 20, record, &l, 2);
	assert_true(sim_engine_cancel(&e, h));
	assert_false(sim_engine_cancel(&e, h));
	sim_engine_run(&e, 100);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.arg[0], 2);
	sim_engine_fini(&e);
}

/* Cancellation is lazy in the calendar: a cancelled time-out later than
 * everything else stays there as a dead key.  It must neither fire, nor move
 * the clock, nor make a run "reach the end" instead of running dry. */
static void test_cancelled_later_timeout_neither_fires_nor_moves_the_clock(void **state)
{
	(void)state;
	struct sim_engine e;
	struct log l = { .n = 0 };

	sim_engine_init(&e);
	sim_engine_at(&e, 10, record, &l, 1);
	struct sim_event_handle timeout = sim_engine_at(&e, 30000, record, &l, 2);
	assert_true(sim_engine_cancel(&e, timeout));
	assert_int_equal(sim_calendar_count(&e.cal), 1);
	assert_int_equal(sim_engine_run(&e, SIM_TIME_NEVER), SIM_RUN_EMPTY);
	assert_int_equal(l.n, 1);
	assert_int_equal(sim_engine_now_ns(&e), 10);
	assert_false(sim_engine_step(&e));
	assert_int_equal(e.events_fired, 1);
	sim_engine_fini(&e);
}

static void test_step_fires_exactly_one_event(void **state)
{
	(void)state;
	struct sim_engine e;
	struct log l = { .n = 0 };

	sim_engine_init(&e);
	sim_engine_at(&e, 5, record, &l, 1);
	sim_engine_at(&e, 8, record, &l, 2);
	assert_true(sim_engine_step(&e));
	assert_int_equal(l.n, 1);
	assert_int_equal(sim_engine_now_ns(&e), 5);
	assert_true(sim_engine_step(&e));
	assert_int_equal(sim_engine_now_ns(&e), 8);
	assert_false(sim_engine_step(&e));
	assert_int_equal(sim_engine_now_ns(&e), 8);
	sim_engine_fini(&e);
}

static void test_after_saturates_instead_of_wrapping(void **state)
{
	(void)state;
	struct sim_engine e;
	struct log l = { .n = 0 };

	sim_engine_init(&e);
	sim_engine_at(&e, 1000, record, &l, 1);
	sim_engine_run(&e, 1000);
	sim_engine_after(&e, INT64_MAX, record, &l, 2);
	assert_true(sim_calendar_peek_ns(&e.cal) == SIM_TIME_NEVER);
	assert_int_equal(sim_engine_run(&e, INT64_MAX - 1), SIM_RUN_REACHED_END);
	assert_int_equal(l.n, 1);
	sim_engine_fini(&e);
}

/* Release builds clamp; debug builds assert (a model bug), so this case
 * only runs under NDEBUG. */
static void test_scheduling_in_the_past_is_clamped_to_now_in_release(void **state)
{
	(void)state;
#ifdef NDEBUG
	struct sim_engine e;
	struct log l = { .n = 0 };

	sim_engine_init(&e);
	sim_engine_at(&e, 50, record, &l, 1);
	sim_engine_run(&e, 50);
	sim_engine_at(&e, 10, record, &l, 2);
	sim_engine_after(&e, -5, record, &l, 3);
	sim_engine_run(&e, 60);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.at_ns[1], 50);
	assert_int_equal(l.at_ns[2], 50);
	sim_engine_fini(&e);
#else
	skip();
#endif
}

static void test_two_engines_are_independent(void **state)
{
	(void)state;
	struct sim_engine a, b;
	struct log la = { .n = 0 }, lb = { .n = 0 };

	sim_engine_init(&a);
	sim_engine_init(&b);
	sim_engine_at(&a, 10, record, &la, 1);
	sim_engine_at(&b, 20, record, &lb, 2);
	sim_engine_run(&a, 15);
	assert_int_equal(la.n, 1);
	assert_int_equal(lb.n, 0);
	assert_int_equal(sim_engine_now_ns(&b), 0);
	sim_engine_run(&b, 30);
	assert_int_equal(lb.n, 1);
	assert_int_equal(sim_engine_now_ns(&a), 15);
	sim_engine_fini(&a);
	sim_engine_fini(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clock_advances_to_each_event_time),
		cmocka_unit_test(test_run_until_leaves_later_events_pending_and_resumes),
		cmocka_unit_test(test_events_exactly_at_until_fire),
		cmocka_unit_test(test_run_to_never_keeps_clock_at_last_event),
		cmocka_unit_test(test_stop_from_a_callback_ends_the_run_after_it),
		cmocka_unit_test(test_sigint_stops_after_the_current_event),
		cmocka_unit_test(test_callbacks_can_schedule_more_events),
		cmocka_unit_test(test_zero_delay_fires_after_current_event_at_same_instant),
		cmocka_unit_test(test_cancelled_event_never_fires),
		cmocka_unit_test(test_cancelled_later_timeout_neither_fires_nor_moves_the_clock),
		cmocka_unit_test(test_step_fires_exactly_one_event),
		cmocka_unit_test(test_after_saturates_instead_of_wrapping),
		cmocka_unit_test(test_scheduling_in_the_past_is_clamped_to_now_in_release),
		cmocka_unit_test(test_two_engines_are_independent),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
