/* Unit tests for sim/timeavg: integrals of hand-drawn step functions.
 *
 * Every expected value is a small integer sum worked out by hand, exact in
 * binary floating point, so the assertions use exact equality. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "sim/time.h"
#include "sim/timeavg.h"

static void test_constant_level_mean_is_that_level(void **state)
{
	(void)state;
	struct sim_timeavg a;
	sim_timeavg_init(&a, 100, 3.0);
	assert_true(sim_timeavg_mean(&a, 1100) == 3.0);
	assert_true(sim_timeavg_area(&a, 1100) == 3000.0);
	assert_true(a.max == 3.0);
}

static void test_empty_interval_mean_is_current_level(void **state)
{
	(void)state;
	struct sim_timeavg a;
	sim_timeavg_init(&a, 500, 2.0);
	assert_true(sim_timeavg_mean(&a, 500) == 2.0);
	assert_true(sim_timeavg_area(&a, 500) == 0.0);
}

/* Level 0 on [0,10), 2 on [10,30), 5 on [30,35), 1 on [35,60):
 * area = 0 + 40 + 25 + 25 = 90 over 60 ns, mean 1.5, max 5. */
static void test_step_function_area_mean_and_max(void **state)
{
	(void)state;
	struct sim_timeavg a;
	sim_timeavg_init(&a, 0, 0.0);
	sim_timeavg_set(&a, 10, 2.0);
	sim_timeavg_set(&a, 30, 5.0);
	sim_timeavg_set(&a, 35, 1.0);
	assert_true(sim_timeavg_area(&a, 60) == 90.0);
	assert_true(sim_timeavg_mean(&a, 60) == 1.5);
	assert_true(a.max == 5.0);
	/* Reading does not modify: the open segment is added on the fly. */
	assert_true(sim_timeavg_area(&a, 40) == 70.0);
	assert_true(sim_timeavg_mean(&a, 60) == 1.5);
}

/* A queue: +1 at 1 s, +1 at 2 s, -1 at 4 s, -1 at 5 s, observed to 8 s:
 * area = 1*1 + 2*2 + 1*1 = 6 s, mean over 8 s = 0.75. */
static void test_add_deltas_like_a_queue_length(void **state)
{
	(void)state;
	struct sim_timeavg a;
	sim_timeavg_init(&a, 0, 0.0);
	sim_timeavg_add(&a, 1 * SIM_NS_PER_S, +1.0);
	sim_timeavg_add(&a, 2 * SIM_NS_PER_S, +1.0);
	sim_timeavg_add(&a, 4 * SIM_NS_PER_S, -1.0);
	sim_timeavg_add(&a, 5 * SIM_NS_PER_S, -1.0);
	assert_true(sim_timeavg_area(&a, 8 * SIM_NS_PER_S) == 6.0 * 1e9);
	assert_true(sim_timeavg_mean(&a, 8 * SIM_NS_PER_S) == 0.75);
	assert_true(a.level == 0.0);
	assert_true(a.max == 2.0);
}

static void test_several_changes_at_one_instant_count_only_the_last(void **state)
{
	(void)state;
	struct sim_timeavg a;
	sim_timeavg_init(&a, 0, 1.0);
	sim_timeavg_set(&a, 10, 7.0);
	sim_timeavg_set(&a, 10, 3.0);
	/* 1 on [0,10), 3 on [10,20): area 40; the momentary 7 still counts as max. */
	assert_true(sim_timeavg_area(&a, 20) == 40.0);
	assert_true(a.max == 7.0);
}

/* Warm-up: level 4 until 100, reset at 100, level 2 from 150, read at 200:
 * area after reset = 4*50 + 2*50 = 300 over 100 ns, mean 3; the max seen
 * before the reset (9) is forgotten, the level at reset (4) becomes max. */
static void test_reset_discards_past_but_keeps_current_level(void **state)
{
	(void)state;
	struct sim_timeavg a;
	sim_timeavg_init(&a, 0, 0.0);
	sim_timeavg_set(&a, 20, 9.0);
	sim_timeavg_set(&a, 60, 4.0);
	sim_timeavg_reset(&a, 100);
	assert_true(a.level == 4.0);
	assert_true(a.max == 4.0);
	assert_true(sim_timeavg_area(&a, 100) == 0.0);
	assert_true(sim_timeavg_mean(&a, 100) == 4.0);
	sim_timeavg_set(&a, 150, 2.0);
	assert_true(sim_timeavg_area(&a, 200) == 300.0);
	assert_true(sim_timeavg_mean(&a, 200) == 3.0);
	assert_true(a.max == 4.0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_constant_level_mean_is_that_level),
		cmocka_unit_test(test_empty_interval_mean_is_current_level),
		cmocka_unit_test(test_step_function_area_mean_and_max),
		cmocka_unit_test(test_add_deltas_like_a_queue_length),
		cmocka_unit_test(test_several_changes_at_one_instant_count_only_the_last),
		cmocka_unit_test(test_reset_discards_past_but_keeps_current_level),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
