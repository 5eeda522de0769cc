/* Fixed-duration time-out queues: expiry times and order, stopping, re-arming
 * after the head is stopped, and callbacks that start new time-outs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sim/engine.h"
#include "sim/time.h"
#include "sim/timeout.h"

#define S SIM_NS_PER_S

struct fixture {
	struct sim_engine e;
	struct sim_timeout_queue q;
	struct sim_timeout t[8];
	int fired[16];
	int64_t fired_at[16];
	int nfired;
	int restart; /* index to start again from the callback, or -1 */
};

static void on_expired(struct sim_engine *e, struct sim_timeout_queue *q, struct sim_timeout *t)
{
	struct fixture *f = q->owner;
	assert_false(sim_timeout_is_started(t));
	f->fired_at[f->nfired] = e->now_ns;
	f->fired[f->nfired++] = (int)(t - f->t);
	if (f->restart >= 0) {
		int i = f->restart;
		f->restart = -1;
		sim_timeout_start(e, q, &f->t[i]);
	}
}

static struct fixture *fixture_new(void)
{
	struct fixture *f = test_calloc(1, sizeof *f);
	sim_engine_init(&f->e);
	sim_timeout_queue_init(&f->q, 10 * S, on_expired, f);
	f->restart = -1;
	return f;
}

static void fixture_free(struct fixture *f)
{
	sim_engine_fini(&f->e);
	test_free(f);
}

struct start_plan {
	struct fixture *f;
	int index;
};

static void start_event(struct sim_engine *e, void *obj, uint64_t arg)
{
	struct start_plan *p = obj;
	(void)arg;
	sim_timeout_start(e, &p->f->q, &p->f->t[p->index]);
}

static void timeouts_expire_after_their_duration_in_start_order(void **state)
{
	(void)state;
	struct fixture *f = fixture_new();
	struct start_plan p[3] = {{f, 0}, {f, 1}, {f, 2}};
	for (int i = 0; i < 3; i++)
		sim_engine_at(&f->e, (i + 1) * S, start_event, &p[i], 0);
	sim_engine_run(&f->e, 100 * S);
	assert_int_equal(f->nfired, 3);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(f->fired[i], i);
		assert_int_equal(f->fired_at[i], (i + 11) * S);
	}
	assert_int_equal(f->q.count, 0);
	fixture_free(f);
}

static void stopped_head_rearms_for_the_next_deadline(void **state)
{
	(void)state;
	struct fixture *f = fixture_new();
	struct start_plan p[2] = {{f, 0}, {f, 1}};
	sim_engine_at(&f->e, 0, start_event, &p[0], 0);
	sim_engine_at(&f->e, 4 * S, start_event, &p[1], 0);
	sim_engine_run(&f->e, 5 * S);
	sim_timeout_stop(&f->q, &f->t[0]);
	sim_timeout_stop(&f->q, &f->t[0]); /* twice is harmless */
	sim_engine_run(&f->e, 100 * S);
	assert_int_equal(f->nfired, 1);
	assert_int_equal(f->fired[0], 1);
	assert_int_equal(f->fired_at[0], 14 * S);
	fixture_free(f);
}

static void stopping_everything_fires_nothing(void **state)
{
	(void)state;
	struct fixture *f = fixture_new();
	for (int i = 0; i < 5; i++)
		sim_timeout_start(&f->e, &f->q, &f->t[i]);
	for (int i = 4; i >= 0; i--)
		sim_timeout_stop(&f->q, &f->t[i]);
	assert_int_equal(f->q.count, 0);
	assert_int_equal(sim_engine_run(&f->e, 100 * S), SIM_RUN_EMPTY);
	assert_int_equal(f->nfired, 0);
	fixture_free(f);
}

static void callback_may_start_a_new_timeout(void **state)
{
	(void)state;
	struct fixture *f = fixture_new();
	f->restart = 0; /* restart the same entry once */
	sim_timeout_start(&f->e, &f->q, &f->t[0]);
	sim_engine_run(&f->e, 100 * S);
	assert_int_equal(f->nfired, 2);
	assert_int_equal(f->fired_at[0], 10 * S);
	assert_int_equal(f->fired_at[1], 20 * S);
	fixture_free(f);
}

static void equal_deadlines_fire_together_in_start_order(void **state)
{
	(void)state;
	struct fixture *f = fixture_new();
	for (int i = 0; i < 4; i++)
		sim_timeout_start(&f->e, &f->q, &f->t[i]);
	sim_timeout_stop(&f->q, &f->t[2]);
	sim_engine_run(&f->e, 100 * S);
	assert_int_equal(f->nfired, 3);
	assert_int_equal(f->fired[0], 0);
	assert_int_equal(f->fired[1], 1);
	assert_int_equal(f->fired[2], 3);
	assert_int_equal(f->fired_at[2], 10 * S);
	fixture_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(timeouts_expire_after_their_duration_in_start_order),
		cmocka_unit_test(stopped_head_rearms_for_the_next_deadline),
		cmocka_unit_test(stopping_everything_fires_nothing),
		cmocka_unit_test(callback_may_start_a_new_timeout),
		cmocka_unit_test(equal_deadlines_fire_together_in_start_order),
	};
	return cmocka_run_group_tests_name("timeout", tests, NULL, NULL);
}
