/* Unit tests for the object pool (sim/pool.c).
 *
 * Pins what models depend on: objects are reused LIFO rather than
 * reallocated, the pool grows by doubling chunks, `live` counts objects out
 * of the pool, max_objs is a hard limit, and (with -DSIM_POOL_DEBUG) freed
 * objects carry the 0xdb poison. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim/pool.h"

struct thing {
	uint64_t id;
	double value;
	char name[20];
};

static void test_put_then_get_reuses_the_same_object(void **state)
{
	(void)state;
	struct sim_pool p;

	sim_pool_init(&p, sizeof(struct thing), 8);
	struct thing *a = sim_pool_get(&p);
	struct thing *b = sim_pool_get(&p);
	assert_non_null(a);
	assert_non_null(b);
	assert_ptr_not_equal(a, b);
	sim_pool_put(&p, a);
	assert_ptr_equal(sim_pool_get(&p), a);
	sim_pool_put(&p, b);
	sim_pool_put(&p, a);
	/* LIFO: the most recently returned (cache-hot) object comes first. */
	assert_ptr_equal(sim_pool_get(&p), a);
	assert_ptr_equal(sim_pool_get(&p), b);
	sim_pool_put(&p, a);
	sim_pool_put(&p, b);
	assert_int_equal(p.live, 0);
	sim_pool_fini(&p);
}

static void test_objects_are_distinct_aligned_and_fully_writable(void **state)
{
	(void)state;
	struct sim_pool p;
	struct thing *objs[1000];

	sim_pool_init(&p, sizeof(struct thing), 3);
	assert_true(p.obj_size >= sizeof(struct thing));
	assert_int_equal(p.obj_size % sizeof(void *), 0);
	for (int i = 0; i < 1000; i++) {
		objs[i] = sim_pool_get(&p);
		assert_non_null(objs[i]);
		assert_int_equal((uintptr_t)objs[i] % sizeof(void *), 0);
		memset(objs[i], 0, sizeof(struct thing));
		objs[i]->id = (uint64_t)i;
	}
	for (int i = 0; i < 1000; i++)
		assert_int_equal(objs[i]->id, i); /* no two objects overlap */
	for (int i = 0; i < 1000; i++)
		sim_pool_put(&p, objs[i]);
	sim_pool_fini(&p);
}

static void test_tiny_objects_are_rounded_up_to_hold_the_free_link(void **state)
{
	(void)state;
	struct sim_pool p;

	sim_pool_init(&p, 1, 4);
	assert_int_equal(p.obj_size, sizeof(void *));
	void *a = sim_pool_get(&p);
	void *b = sim_pool_get(&p);
	assert_int_equal((char *)b - (char *)a, sizeof(void *));
	sim_pool_put(&p, a);
	sim_pool_put(&p, b);
	sim_pool_fini(&p);
}

static void test_pool_grows_by_doubling_chunks_only_when_empty(void **state)
{
	(void)state;
	struct sim_pool p;
	void *objs[16];

	sim_pool_init(&p, sizeof(struct thing), 4);
	assert_int_equal(p.capacity, 0); /* nothing allocated until needed */
	for (int i = 0; i < 4; i++)
		objs[i] = sim_pool_get(&p);
	assert_int_equal(p.capacity, 4);
	objs[4] = sim_pool_get(&p);
	assert_int_equal(p.capacity, 4 + 8);
	for (int i = 5; i < 12; i++)
		objs[i] = sim_pool_get(&p);
	assert_int_equal(p.capacity, 12);
	objs[12] = sim_pool_get(&p);
	assert_int_equal(p.capacity, 12 + 16);

	/* Recycling never grows the pool. */
	for (int round = 0; round < 1000; round++) {
		sim_pool_put(&p, objs[round % 13]);
		objs[round % 13] = sim_pool_get(&p);
	}
	assert_int_equal(p.capacity, 28);
	for (int i = 0; i < 13; i++)
		sim_pool_put(&p, objs[i]);
	sim_pool_fini(&p);
}

static void test_live_counts_objects_out_of_the_pool(void **state)
{
	(void)state;
	struct sim_pool p;
	void *objs[100];

	sim_pool_init(&p, 24, 16);
	assert_int_equal(p.live, 0);
	for (int i = 0; i < 100; i++) {
		objs[i] = sim_pool_get(&p);
		assert_int_equal(p.live, i + 1);
	}
	for (int i = 0; i < 100; i += 2)
		sim_pool_put(&p, objs[i]);
	assert_int_equal(p.live, 50);
	for (int i = 1; i < 100; i += 2)
		sim_pool_put(&p, objs[i]);
	assert_int_equal(p.live, 0);
	sim_pool_put(&p, NULL); /* like free(NULL): no effect */
	assert_int_equal(p.live, 0);
	sim_pool_fini(&p);
}

static void test_get_beyond_max_objs_returns_null(void **state)
{
	(void)state;
	struct sim_pool p;
	void *objs[10];

	sim_pool_init(&p, 32, 4);
	p.max_objs = 10;
	for (int i = 0; i < 10; i++)
		assert_non_null(objs[i] = sim_pool_get(&p));
	assert_null(sim_pool_get(&p));
	assert_int_equal(p.live, 10);
	assert_true(p.capacity <= 10); /* the last chunk is trimmed to the limit */
	sim_pool_put(&p, objs[3]);
	assert_ptr_equal(sim_pool_get(&p), objs[3]);
	assert_null(sim_pool_get(&p));
	for (int i = 0; i < 10; i++)
		sim_pool_put(&p, objs[i]);
	sim_pool_fini(&p);
}

static void test_freed_objects_are_poisoned_in_debug_builds(void **state)
{
	(void)state;
#ifdef SIM_POOL_DEBUG
	struct sim_pool p;

	sim_pool_init(&p, sizeof(struct thing), 4);
	unsigned char *obj = sim_pool_get(&p);
	memset(obj, 0x11, sizeof(struct thing));
	sim_pool_put(&p, obj);
	/* The first word is the free-list link; the rest must be poison. */
	for (size_t i = sizeof(void *); i < p.obj_size; i++)
		assert_int_equal(obj[i], 0xdb);
	assert_ptr_equal(sim_pool_get(&p), obj);
	sim_pool_put(&p, obj);
	sim_pool_fini(&p);
#else
	skip();
#endif
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_then_get_reuses_the_same_object),
		cmocka_unit_test(test_objects_are_distinct_aligned_and_fully_writable),
		cmocka_unit_test(test_tiny_objects_are_rounded_up_to_hold_the_free_link),
		cmocka_unit_test(test_pool_grows_by_doubling_chunks_only_when_empty),
		cmocka_unit_test(test_live_counts_objects_out_of_the_pool),
		cmocka_unit_test(test_get_beyond_max_objs_returns_null),
		cmocka_unit_test(test_freed_objects_are_poisoned_in_debug_builds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
