/* Round-robin cursors (models/round_robin.h): the turns they give are those
 * of (turns++) % n, checked against that division over long random sequences
 * of turns, raw turns and changes of n, and the helpers' edge cases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <gsl/gsl_rng.h>

#include "models/round_robin.h"

static void turns_are_the_remainders_of_a_counter(void **state)
{
	(void)state;
	struct rr_cursor c = { 0 };
	for (uint64_t k = 0; k < 1000; k++)
		assert_int_equal(rr_turn_mod(&c, 7), k % 7);
	assert_int_equal(c.turns, 1000);
}

/* Any mix of modular turns, raw turns and moduli (a tier scaled up and
 * down) against a plain counter. */
static void any_sequence_matches_the_division(void **state)
{
	(void)state;
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	assert_non_null(r);
	gsl_rng_set(r, 42);
	struct rr_cursor c = { 0 };
	uint64_t counter = 0, n = 3;
	for (int step = 0; step < 1000000; step++) {
		unsigned long what = gsl_rng_uniform_int(r, 100);
		if (what == 0) {
			n = 1 + gsl_rng_uniform_int(r, 12);
		} else if (what < 10) {
			assert_int_equal(rr_turn(&c), counter);
			counter++;
		} else {
			assert_int_equal(rr_turn_mod(&c, n), counter % n);
			counter++;
		}
	}
	gsl_rng_free(r);
}

/* Raw turns taken before the first modular one. */
static void raw_turns_first_then_modular(void **state)
{
	(void)state;
	struct rr_cursor c = { 0 };
	for (uint64_t k = 0; k < 10; k++)
		assert_int_equal(rr_turn(&c), k);
	assert_int_equal(rr_turn_mod(&c, 4), 10 % 4);
	assert_int_equal(rr_turn(&c), 11);
	assert_int_equal(rr_turn_mod(&c, 4), 12 % 4);
}

static void helpers_wrap_and_reduce(void **state)
{
	(void)state;
	assert_int_equal(rr_wrap_next(0, 1), 0);
	assert_int_equal(rr_wrap_next(2, 4), 3);
	assert_int_equal(rr_wrap_next(3, 4), 0);
	assert_int_equal(rr_reduce(3, 4), 3);
	assert_int_equal(rr_reduce(4, 4), 0);
	assert_int_equal(rr_reduce(UINT64_MAX, 10), UINT64_MAX % 10);
	assert_int_equal(rr_reduce(2654435761u * 77u, 3), (uint64_t)(2654435761u * 77u) % 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(turns_are_the_remainders_of_a_counter),
		cmocka_unit_test(any_sequence_matches_the_division),
		cmocka_unit_test(raw_turns_first_then_modular),
		cmocka_unit_test(helpers_wrap_and_reduce),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
