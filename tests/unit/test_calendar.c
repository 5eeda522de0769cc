/* Unit tests for the event calendar (sim/calendar.c).
 *
 * Pins the ordering contract models rely on: (time, push order), FIFO at
 * equal times even after cancels and interleaved pops, cancel and is_pending
 * on live, stale and null handles, the max_pending limit, and the costs of
 * lazy cancellation: a cancelled entry keeps its slot (and so its sequence
 * number) until it is dropped, and sweeps keep the calendar bounded.  A
 * seeded property test replays a million random push/cancel/pop operations
 * against a sorted array and demands identical results.  Further property
 * tests, against a reference heap, replay the workloads that break naive
 * calendar queues (many events at one instant, times spread from 1 ns to
 * days, bursts far in the future, monotone pushes, extreme times), so that
 * every path of the ladder (epochs, rung spawning, bottom overflow, the rung
 * limit, saturation at SIM_TIME_NEVER) is checked for exact order, and one
 * more grows and drains the calendar across the heap-mode threshold again and
 * again, both ways. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sim/calendar.h"
#include "sim/time.h"

static void dummy_fn(struct sim_engine *e, void *obj, uint64_t arg)
{
	(void)e;
	(void)obj;
	(void)arg;
}

static uint64_t pop_arg(struct sim_calendar *c)
{
	struct sim_event ev;
	assert_true(sim_calendar_pop(c, &ev));
	return ev.arg;
}

static void test_empty_calendar_peeks_never_and_pops_nothing(void **state)
{
	(void)state;
	struct sim_calendar c;
	struct sim_event ev;

	sim_calendar_init(&c, 4);
	assert_int_equal(sim_calendar_count(&c), 0);
	assert_true(sim_calendar_peek_ns(&c) == SIM_TIME_NEVER);
	assert_false(sim_calendar_pop(&c, &ev));
	sim_calendar_fini(&c);
}

static void test_events_pop_in_time_order_with_their_payload(void **state)
{
	(void)state;
	struct sim_calendar c;
	const int64_t times[] = { 50, 10, 40, 30, 20, 60, 0, -5 };
	int obj;
	struct sim_event ev;

	sim_calendar_init(&c, 2); /* forces growth too */
	for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++)
		sim_calendar_push(&c, times[i], dummy_fn, &obj, (uint64_t)times[i] + 100);
	assert_int_equal(sim_calendar_count(&c), 8);
	assert_int_equal(sim_calendar_peek_ns(&c), -5);

	int64_t prev = INT64_MIN;
	for (int i = 0; i < 8; i++) {
		assert_true(sim_calendar_pop(&c, &ev));
		assert_true(ev.at_ns >= prev);
		assert_int_equal(ev.arg, (uint64_t)ev.at_ns + 100);
		assert_ptr_equal(ev.obj, &obj);
		assert_ptr_equal(ev.fn, dummy_fn);
		prev = ev.at_ns;
	}
	assert_false(sim_calendar_pop(&c, &ev));
	sim_calendar_fini(&c);
}

static void test_equal_times_pop_in_push_order(void **state)
{
	(void)state;
	struct sim_calendar c;

	sim_calendar_init(&c, 8);
	for (uint64_t i = 0; i < 1000; i++)
		sim_calendar_push(&c, 7, dummy_fn, NULL, i);
	for (uint64_t i = 0; i < 1000; i++)
		assert_int_equal(pop_arg(&c), i);
	sim_calendar_fini(&c);
}

/* A small calendar keeps its events in the sorted run and only what
 * overflows it in the heap; a later push can then land in the run at the
 * time of an older heap entry, which must still fire first. */
static void test_equal_times_stay_fifo_between_the_run_and_the_heap(void **state)
{
	(void)state;
	struct sim_calendar c;

	sim_calendar_init(&c, 4 * SIM_CALENDAR_RUN_MAX); /* no growth on the way */
	for (uint64_t i = 0; i < SIM_CALENDAR_RUN_MAX; i++)
		sim_calendar_push(&c, 1, dummy_fn, NULL, i); /* fills the run */
	sim_calendar_push(&c, 2, dummy_fn, NULL, 1000);       /* overflows to the heap */
	assert_int_equal(pop_arg(&c), 0);                     /* room in the run again */
	sim_calendar_push(&c, 2, dummy_fn, NULL, 1001);       /* newer, same time */
	assert_int_equal(sim_calendar_peek_ns(&c), 1);
	for (uint64_t i = 1; i < SIM_CALENDAR_RUN_MAX; i++)
		assert_int_equal(pop_arg(&c), i);
	assert_int_equal(sim_calendar_peek_ns(&c), 2);
	assert_int_equal(pop_arg(&c), 1000);
	assert_int_equal(pop_arg(&c), 1001);
	assert_int_equal(sim_calendar_count(&c), 0);
	sim_calendar_fini(&c);
}

static void test_equal_times_stay_fifo_after_cancels(void **state)
{
	(void)state;
	struct sim_calendar c;
	struct sim_event_handle h[300];

	sim_calendar_init(&c, 8);
	for (uint64_t i = 0; i < 300; i++)
		h[i] = sim_calendar_push(&c, 42, dummy_fn, NULL, i);
	for (uint64_t i = 0; i < 300; i += 3)
		assert_true(sim_calendar_cancel(&c, h[i]));
	/* Reused slots must not carry their old place in the order. */
	for (uint64_t i = 300; i < 400; i++)
		sim_calendar_push(&c, 42, dummy_fn, NULL, i);
	for (uint64_t i = 0; i < 400; i++)
		if (i >= 300 || i % 3 != 0)
			assert_int_equal(pop_arg(&c), i);
	assert_int_equal(sim_calendar_count(&c), 0);
	sim_calendar_fini(&c);
}

static void test_equal_times_stay_fifo_with_interleaved_pops(void **state)
{
	(void)state;
	struct sim_calendar c;

	sim_calendar_init(&c, 8);
	sim_calendar_push(&c, 10, dummy_fn, NULL, 1);
	sim_calendar_push(&c, 10, dummy_fn, NULL, 2);
	sim_calendar_push(&c, 5, dummy_fn, NULL, 0);
	assert_int_equal(pop_arg(&c), 0);
	sim_calendar_push(&c, 10, dummy_fn, NULL, 3);
	assert_int_equal(pop_arg(&c), 1);
	sim_calendar_push(&c, 10, dummy_fn, NULL, 4);
	sim_calendar_push(&c, 9, dummy_fn, NULL, 99);
	assert_int_equal(pop_arg(&c), 99);
	assert_int_equal(pop_arg(&c), 2);
	assert_int_equal(pop_arg(&c), 3);
	assert_int_equal(pop_arg(&c), 4);
	sim_calendar_fini(&c);
}

/* Cancellation is lazy: a cancelled key stays in the heap until it reaches
 * the root.  If its slot were reused before that, the stale key would take
 * the new event's sequence number (and the new event a duplicate key), and
 * live events at the same instant could fire out of push order or twice. */
static void test_equal_times_stay_fifo_when_cancelled_slots_could_be_reused(void **state)
{
	(void)state;
	struct sim_calendar c;
	struct sim_event_handle h[8];
	struct sim_event ev;

	sim_calendar_init(&c, 64); /* room enough: no sweep frees the slots early */
	sim_calendar_push(&c, 1, dummy_fn, NULL, 100); /* keeps the ties off the root */
	for (uint64_t i = 0; i < 8; i++)
		h[i] = sim_calendar_push(&c, 5, dummy_fn, NULL, i);
	for (uint64_t i = 1; i < 8; i += 2)
		assert_true(sim_calendar_cancel(&c, h[i]));
	assert_int_equal(sim_calendar_count(&c), 5);

	/* New events at the same instant, interleaved with more cancels: none
	 * may take a slot whose cancelled key is still in the heap. */
	struct sim_event_handle n[4];
	for (uint64_t i = 0; i < 4; i++) {
		n[i] = sim_calendar_push(&c, 5, dummy_fn, NULL, 8 + i);
		for (uint64_t j = 1; j < 8; j += 2)
			assert_int_not_equal(n[i].slot, h[j].slot);
	}
	assert_true(sim_calendar_cancel(&c, n[1]));
	sim_calendar_push(&c, 5, dummy_fn, NULL, 12);
	assert_int_equal(c.sweeps, 0);

	assert_int_equal(pop_arg(&c), 100);
	static const uint64_t want[] = { 0, 2, 4, 6, 8, 10, 11, 12 };
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		assert_int_equal(sim_calendar_count(&c), sizeof(want) / sizeof(want[0]) - i);
		assert_int_equal(sim_calendar_peek_ns(&c), 5);
		assert_int_equal(pop_arg(&c), want[i]);
	}
	assert_int_equal(sim_calendar_count(&c), 0);
	assert_true(sim_calendar_peek_ns(&c) == SIM_TIME_NEVER);
	assert_false(sim_calendar_pop(&c, &ev));

	/* Every cancelled key has been discarded, so their slots are free
	 * again; reusing them now keeps FIFO too. */
	for (uint64_t i = 0; i < 16; i++)
		sim_calendar_push(&c, 9, dummy_fn, NULL, i);
	for (uint64_t i = 0; i < 16; i++)
		assert_int_equal(pop_arg(&c), i);
	sim_calendar_fini(&c);
}

static void test_cancelled_earliest_event_is_skipped_by_peek_and_pop(void **state)
{
	(void)state;
	struct sim_calendar c;
	struct sim_event ev;

	sim_calendar_init(&c, 8);
	struct sim_event_handle a = sim_calendar_push(&c, 10, dummy_fn, NULL, 1);
	struct sim_event_handle b = sim_calendar_push(&c, 20, dummy_fn, NULL, 2);
	struct sim_event_handle d = sim_calendar_push(&c, 30, dummy_fn, NULL, 3);
	sim_calendar_push(&c, 40, dummy_fn, NULL, 4);
	/* b and d are cancelled while not at the root, then surface. */
	assert_true(sim_calendar_cancel(&c, b));
	assert_true(sim_calendar_cancel(&c, d));
	assert_int_equal(sim_calendar_peek_ns(&c), 10);
	assert_true(sim_calendar_cancel(&c, a));
	assert_int_equal(sim_calendar_peek_ns(&c), 40);
	assert_false(sim_calendar_pop_until(&c, 39, &ev));
	assert_int_equal(sim_calendar_count(&c), 1);
	assert_int_equal(pop_arg(&c), 4);
	assert_false(sim_calendar_pop(&c, &ev));
	sim_calendar_fini(&c);
}

/* The memory cost of lazy cancellation is bounded: a long run of time-outs
 * that are all cancelled (the common fate of a request time-out) must not
 * grow the calendar without limit. */
static void test_cancelled_timeouts_are_swept_instead_of_growing_the_calendar(void **state)
{
	(void)state;
	struct sim_calendar c;

	sim_calendar_init(&c, 16);
	sim_calendar_push(&c, 0, dummy_fn, NULL, 0); /* stays at the root */
	for (uint64_t i = 1; i <= 100000; i++) {
		struct sim_event_handle t =
			sim_calendar_push(&c, 1000000 + (int64_t)i, dummy_fn, NULL, i);
		if (i % 10 != 0) /* one in ten stays live */
			assert_true(sim_calendar_cancel(&c, t));
	}
	assert_int_equal(sim_calendar_count(&c), 1 + 10000);
	assert_true(c.sweeps > 0);
	/* Slots grow only while more than half of those stored are live. */
	assert_true(c.stored < c.slot_cap);
	assert_true(c.slot_cap <= 4 * c.count + 64);

	assert_int_equal(pop_arg(&c), 0);
	for (uint64_t i = 10; i <= 100000; i += 10)
		assert_int_equal(pop_arg(&c), i);
	assert_int_equal(sim_calendar_count(&c), 0);
	sim_calendar_fini(&c);
}

static void test_cancel_removes_a_pending_event(void **state)
{
	(void)state;
	struct sim_calendar c;
	struct sim_event_handle h[5];

	sim_calendar_init(&c, 8);
	for (uint64_t i = 0; i < 5; i++)
		h[i] = sim_calendar_push(&c, (int64_t)i * 10, dummy_fn, NULL, i);
	assert_true(sim_calendar_cancel(&c, h[0])); /* the root */
	assert_true(sim_calendar_cancel(&c, h[3])); /* the middle */
	assert_true(sim_calendar_cancel(&c, h[4])); /* the last entry */
	assert_int_equal(sim_calendar_count(&c), 2);
	assert_int_equal(sim_calendar_peek_ns(&c), 10);
	assert_int_equal(pop_arg(&c), 1);
	assert_int_equal(pop_arg(&c), 2);
	assert_int_equal(sim_calendar_count(&c), 0);
	sim_calendar_fini(&c);
}

static void test_cancel_of_stale_handle_is_a_noop(void **state)
{
	(void)state;
	struct sim_calendar c;

	sim_calendar_init(&c, 8);
	struct sim_event_handle fired = sim_calendar_push(&c, 1, dummy_fn, NULL, 1);
	assert_int_equal(pop_arg(&c), 1);
	assert_false(sim_calendar_cancel(&c, fired));

	struct sim_event_handle cancelled = sim_calendar_push(&c, 2, dummy_fn, NULL, 2);
	assert_true(sim_calendar_cancel(&c, cancelled));
	assert_false(sim_calendar_cancel(&c, cancelled));

	/* The slot is reused by a new event: the old handle must not hit it. */
	struct sim_event_handle fresh = sim_calendar_push(&c, 3, dummy_fn, NULL, 3);
	assert_int_equal(fresh.slot, cancelled.slot);
	assert_int_not_equal(fresh.gen, cancelled.gen);
	assert_false(sim_calendar_cancel(&c, cancelled));
	assert_false(sim_calendar_cancel(&c, fired));
	assert_int_equal(sim_calendar_count(&c), 1);
	assert_true(sim_calendar_is_pending(&c, fresh));
	sim_calendar_fini(&c);
}

static void test_cancel_of_null_or_bogus_handle_is_a_noop(void **state)
{
	(void)state;
	struct sim_calendar c;
	struct sim_event_handle null = { 0, 0 };

	sim_calendar_init(&c, 8);
	sim_calendar_push(&c, 1, dummy_fn, NULL, 1);
	assert_true(sim_event_handle_is_null(null));
	assert_false(sim_calendar_cancel(&c, null));
	assert_false(sim_calendar_cancel(&c, (struct sim_event_handle){ 0, 1 }));
	assert_false(sim_calendar_cancel(&c, (struct sim_event_handle){ 1u << 30, 1 }));
	assert_false(sim_calendar_is_pending(&c, null));
	assert_int_equal(sim_calendar_count(&c), 1);
	sim_calendar_fini(&c);
}

static void test_is_pending_follows_push_pop_and_cancel(void **state)
{
	(void)state;
	struct sim_calendar c;

	sim_calendar_init(&c, 8);
	struct sim_event_handle a = sim_calendar_push(&c, 1, dummy_fn, NULL, 1);
	struct sim_event_handle b = sim_calendar_push(&c, 2, dummy_fn, NULL, 2);
	assert_false(sim_event_handle_is_null(a));
	assert_true(sim_calendar_is_pending(&c, a));
	assert_true(sim_calendar_is_pending(&c, b));
	pop_arg(&c);
	assert_false(sim_calendar_is_pending(&c, a));
	assert_true(sim_calendar_is_pending(&c, b));
	sim_calendar_cancel(&c, b);
	assert_false(sim_calendar_is_pending(&c, b));
	sim_calendar_fini(&c);
}

static void test_push_beyond_max_pending_returns_null_handle(void **state)
{
	(void)state;
	struct sim_calendar c;

	sim_calendar_init(&c, 2);
	sim_calendar_set_max_pending(&c, 3);
	for (int i = 0; i < 3; i++)
		assert_false(sim_event_handle_is_null(sim_calendar_push(&c, i, dummy_fn, NULL, 0)));
	assert_true(sim_event_handle_is_null(sim_calendar_push(&c, 9, dummy_fn, NULL, 0)));
	assert_int_equal(sim_calendar_count(&c), 3);
	pop_arg(&c);
	struct sim_event_handle h = sim_calendar_push(&c, 9, dummy_fn, NULL, 0);
	assert_false(sim_event_handle_is_null(h));
	/* The limit counts live events: a cancelled key still in the heap
	 * does not hold a place. */
	assert_true(sim_calendar_cancel(&c, h));
	assert_false(sim_event_handle_is_null(sim_calendar_push(&c, 8, dummy_fn, NULL, 0)));
	assert_int_equal(sim_calendar_count(&c), 3);
	sim_calendar_fini(&c);
}

static void test_pop_until_leaves_later_events(void **state)
{
	(void)state;
	struct sim_calendar c;
	struct sim_event ev;

	sim_calendar_init(&c, 8);
	sim_calendar_push(&c, 10, dummy_fn, NULL, 1);
	sim_calendar_push(&c, 20, dummy_fn, NULL, 2);
	assert_true(sim_calendar_pop_until(&c, 10, &ev));
	assert_int_equal(ev.arg, 1);
	assert_false(sim_calendar_pop_until(&c, 19, &ev));
	assert_int_equal(sim_calendar_count(&c), 1);
	assert_true(sim_calendar_pop_until(&c, 20, &ev));
	assert_false(sim_calendar_pop_until(&c, INT64_MAX, &ev));
	sim_calendar_fini(&c);
}

/* A pop leaves the heap's root empty until the next operation (calendar.c,
 * "Deferred root"): a push below the ladder fills it, anything else first
 * restores the heap.  Every kind of operation right after a pop must see
 * the whole calendar: peek, a pop_until that declines, a cancel of the next
 * event and of a leaf, a push at SIM_TIME_NEVER (the top, not the heap), a
 * push earlier than everything (the new root), and a push at a time already
 * stored (FIFO decided by sequence numbers in the sift that fills the hole). */
static void test_every_operation_after_a_pop_sees_the_whole_heap(void **state)
{
	(void)state;
	struct sim_calendar c;
	struct sim_event ev;
	struct sim_event_handle h[40];

	sim_calendar_init(&c, 8);
	/* 40 events: times 100, 110, ... 490, arg = time. */
	for (int i = 0; i < 40; i++)
		h[i] = sim_calendar_push(&c, 100 + 10 * ((i * 7) % 40), dummy_fn, NULL,
					 (uint64_t)(100 + 10 * ((i * 7) % 40)));
	assert_int_equal(pop_arg(&c), 100);
	assert_int_equal(sim_calendar_peek_ns(&c), 110);
	assert_false(sim_calendar_pop_until(&c, 109, &ev));
	assert_int_equal(sim_calendar_peek_ns(&c), 110);
	assert_int_equal(pop_arg(&c), 110);
	/* Cancel the next one (time 120: i = 6, as 6 * 7 % 40 = 2). */
	assert_true(sim_calendar_cancel(&c, h[6]));
	assert_int_equal(sim_calendar_peek_ns(&c), 130);
	assert_int_equal(pop_arg(&c), 130);
	/* Cancel a leaf (time 490) while the root is a hole. */
	for (int i = 0; i < 40; i++)
		if (100 + 10 * ((i * 7) % 40) == 490)
			assert_true(sim_calendar_cancel(&c, h[i]));
	assert_int_equal(pop_arg(&c), 140);
	sim_calendar_push(&c, SIM_TIME_NEVER, dummy_fn, NULL, 9999);
	assert_int_equal(sim_calendar_peek_ns(&c), 150);
	assert_int_equal(pop_arg(&c), 150);
	sim_calendar_push(&c, 155, dummy_fn, NULL, 155);
	assert_int_equal(sim_calendar_peek_ns(&c), 155);
	assert_int_equal(pop_arg(&c), 155);
	sim_calendar_push(&c, 200, dummy_fn, NULL, 2000); /* after the stored 200 */
	assert_int_equal(pop_arg(&c), 160);
	for (int64_t t = 170; t <= 480; t += 10) {
		assert_int_equal(sim_calendar_peek_ns(&c), t);
		assert_int_equal(pop_arg(&c), (uint64_t)t);
		if (t == 200)
			assert_int_equal(pop_arg(&c), 2000);
	}
	assert_int_equal(sim_calendar_count(&c), 1);
	assert_int_equal(pop_arg(&c), 9999);
	assert_int_equal(sim_calendar_count(&c), 0);
	assert_int_equal(sim_calendar_peek_ns(&c), SIM_TIME_NEVER);
	sim_calendar_fini(&c);
}

/* ---- property test against a reference ---------------------------------- */

static uint64_t prng_next(uint64_t *s)
{
	uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

struct ref_event {
	int64_t at_ns;
	uint64_t seq; /* push order: the reference's tie-break */
	struct sim_event_handle h;
};

/* Reference: an array sorted by (at_ns, seq) descending, earliest at the end
 * so that pop is O(1); insert and cancel memmove, cheap at these sizes. */
struct ref {
	struct ref_event *ev;
	size_t n;
};

static int ref_cmp(const struct ref_event *a, int64_t at_ns, uint64_t seq)
{
	if (a->at_ns != at_ns)
		return a->at_ns > at_ns ? -1 : 1;
	return a->seq > seq ? -1 : (a->seq < seq ? 1 : 0);
}

/* First index whose element is not "later" than (at_ns, seq). */
static size_t ref_find(const struct ref *r, int64_t at_ns, uint64_t seq)
{
	size_t lo = 0, hi = r->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (ref_cmp(&r->ev[mid], at_ns, seq) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void ref_insert(struct ref *r, struct ref_event e)
{
	size_t i = ref_find(r, e.at_ns, e.seq);
	memmove(&r->ev[i + 1], &r->ev[i], (r->n - i) * sizeof(*r->ev));
	r->ev[i] = e;
	r->n++;
}

static void ref_remove(struct ref *r, size_t i)
{
	memmove(&r->ev[i], &r->ev[i + 1], (r->n - i - 1) * sizeof(*r->ev));
	r->n--;
}

#define PROP_OPS 1000000
#define PROP_MAX_LIVE 4096
#define DEAD_RING 64

static void test_random_operations_match_reference(void **state)
{
	(void)state;
	struct sim_calendar c;
	struct ref r = { .ev = malloc(PROP_MAX_LIVE * sizeof(struct ref_event)) };
	struct sim_event_handle dead[DEAD_RING] = { { 0, 0 } };
	uint64_t rng = 20240611, seq = 0;
	size_t target = 0, dead_n = 0;
	int64_t now_ns = 0;

	assert_non_null(r.ev);
	sim_calendar_init(&c, 1);
	for (long op = 0; op < PROP_OPS; op++) {
		/* Every 50k operations pick a new size to hover around, so the heap
		 * is exercised both shallow (0..3 levels) and deep. */
		if (op % 50000 == 0) {
			static const size_t sizes[] = { 0, 1, 5, 17, 64, 300, 1000, 4000 };
			target = sizes[prng_next(&rng) % 8];
		}
		uint64_t u = prng_next(&rng);
		unsigned kind = u % 100;
		bool want_push = r.n < target ? kind < 70 : kind < 30;

		if (r.n == 0 || (want_push && r.n < PROP_MAX_LIVE)) {
			/* Narrow time range: plenty of exact ties. */
			int64_t at_ns = (u >> 40) % 4 == 0 ? now_ns + (int64_t)((u >> 8) % 1000000)
							  : now_ns + (int64_t)((u >> 8) % 8);
			struct sim_event_handle h = sim_calendar_push(&c, at_ns, dummy_fn, NULL, seq);
			assert_false(sim_event_handle_is_null(h));
			ref_insert(&r, (struct ref_event){ at_ns, seq, h });
			seq++;
		} else if (kind % 3 == 0) {
			/* Cancel: a live event, or now and then a dead handle. */
			if ((u >> 20) % 8 == 0 && dead_n) {
				struct sim_event_handle h = dead[(u >> 24) % (dead_n < DEAD_RING ? dead_n : DEAD_RING)];
				assert_false(sim_calendar_is_pending(&c, h));
				assert_false(sim_calendar_cancel(&c, h));
			} else {
				size_t i = (size_t)((u >> 20) % r.n);
				struct sim_event_handle h = r.ev[i].h;
				assert_true(sim_calendar_is_pending(&c, h));
				assert_true(sim_calendar_cancel(&c, h));
				ref_remove(&r, i);
				dead[dead_n++ % DEAD_RING] = h;
			}
		} else {
			struct sim_event ev;
			struct ref_event want = r.ev[r.n - 1];
			assert_int_equal(sim_calendar_peek_ns(&c), want.at_ns);
			assert_true(sim_calendar_pop(&c, &ev));
			assert_int_equal(ev.at_ns, want.at_ns);
			assert_int_equal(ev.arg, want.seq);
			r.n--;
			dead[dead_n++ % DEAD_RING] = want.h;
			now_ns = ev.at_ns;
		}
		assert_int_equal(sim_calendar_count(&c), r.n);
		assert_true(c.stored >= c.count);
	}
	/* The mix of cancels must have exercised the sweep as well. */
	assert_true(c.sweeps > 0);
	/* Drain and compare the tail too. */
	while (r.n) {
		struct ref_event want = r.ev[--r.n];
		assert_int_equal(pop_arg(&c), want.seq);
	}
	assert_int_equal(sim_calendar_count(&c), 0);
	sim_calendar_fini(&c);
	free(r.ev);
}


/* ---- workloads that break naive calendar queues --------------------------- */

/* A second reference, for large calendars and far-future pushes where the
 * sorted array's memmove would be too slow: a binary min-heap of
 * (at_ns, seq) with lazy deletion, and an array of live sequence numbers
 * (swap-removed) to pick cancel victims from. */
struct href_entry {
	int64_t at_ns;
	uint64_t seq;
};

struct href {
	struct href_entry *heap;
	size_t n, cap;
	/* Indexed by seq: */
	struct sim_event_handle *h;
	size_t *live_pos;  /* index in live[], or SIZE_MAX once gone */
	size_t seq_cap;
	uint64_t *live;    /* live seqs, unordered */
	size_t live_n;
};

static bool href_before(struct href_entry a, struct href_entry b)
{
	return a.at_ns != b.at_ns ? a.at_ns < b.at_ns : a.seq < b.seq;
}

static void href_push(struct href *r, int64_t at_ns, uint64_t seq, struct sim_event_handle h)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 1024;
		r->heap = realloc(r->heap, r->cap * sizeof(*r->heap));
		r->live = realloc(r->live, r->cap * sizeof(*r->live));
		assert_non_null(r->heap);
		assert_non_null(r->live);
	}
	if (seq >= r->seq_cap) {
		r->seq_cap = r->seq_cap ? 2 * r->seq_cap : 1024;
		r->h = realloc(r->h, r->seq_cap * sizeof(*r->h));
		r->live_pos = realloc(r->live_pos, r->seq_cap * sizeof(*r->live_pos));
		assert_non_null(r->h);
		assert_non_null(r->live_pos);
	}
	r->h[seq] = h;
	r->live_pos[seq] = r->live_n;
	r->live[r->live_n++] = seq;

	struct href_entry x = { at_ns, seq };
	size_t i = r->n++;
	while (i > 0 && href_before(x, r->heap[(i - 1) / 2])) {
		r->heap[i] = r->heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	r->heap[i] = x;
}

static void href_forget(struct href *r, uint64_t seq)
{
	size_t i = r->live_pos[seq];
	uint64_t moved = r->live[--r->live_n];
	r->live[i] = moved;
	r->live_pos[moved] = i;
	r->live_pos[seq] = SIZE_MAX;
}

static void href_remove_top(struct href *r)
{
	struct href_entry x = r->heap[--r->n];
	size_t i = 0, kid;
	while ((kid = 2 * i + 1) < r->n) {
		if (kid + 1 < r->n && href_before(r->heap[kid + 1], r->heap[kid]))
			kid++;
		if (!href_before(r->heap[kid], x))
			break;
		r->heap[i] = r->heap[kid];
		i = kid;
	}
	if (r->n)
		r->heap[i] = x;
}

/* The earliest live entry; the reference must not be empty. */
static struct href_entry href_min(struct href *r)
{
	while (r->live_pos[r->heap[0].seq] == SIZE_MAX)
		href_remove_top(r);
	return r->heap[0];
}

static void href_fini(struct href *r)
{
	free(r->heap);
	free(r->h);
	free(r->live_pos);
	free(r->live);
}

/* What a workload's draw function sees and keeps. */
struct gen {
	uint64_t rng;
	int64_t now_ns;    /* time of the last pop */
	int64_t last_ns;   /* time of the last push */
	unsigned burst;    /* further pushes to make at once (set by draw) */
	int64_t burst_ns;  /* a draw's own memory for its burst */
};

typedef int64_t (*draw_fn)(struct gen *g);

struct workload {
	draw_fn draw;
	uint64_t seed;
	long ops;
	size_t max_live;
};

/* Random push / cancel / pop operations, checked after each one against the
 * reference: the popped (time, push order), the peek, the count. */
static void check_workload(const struct workload *w)
{
	struct sim_calendar c;
	struct href r = { .n = 0 };
	struct gen g = { .rng = w->seed };
	uint64_t seq = 0;
	size_t target = 0;

	sim_calendar_init(&c, 1);
	for (long op = 0; op < w->ops; op++) {
		if (op % 20000 == 0) {
			/* Hover around a new size: shallow and deep in turn. */
			size_t sizes[] = { 0, 3, 60, 500, w->max_live / 4, w->max_live };
			target = sizes[prng_next(&g.rng) % 6];
		}
		uint64_t u = prng_next(&g.rng);
		unsigned kind = u % 100;
		bool want_push = r.live_n < target ? kind < 70 : kind < 30;

		if (r.live_n == 0 || (want_push && r.live_n < w->max_live)) {
			do {
				int64_t at_ns = w->draw(&g);
				struct sim_event_handle h =
					sim_calendar_push(&c, at_ns, dummy_fn, NULL, seq);
				assert_false(sim_event_handle_is_null(h));
				href_push(&r, at_ns, seq, h);
				seq++;
			} while (g.burst && (g.burst--, r.live_n < 2 * w->max_live));
			g.burst = 0;
		} else if (kind % 3 == 0) {
			uint64_t victim = r.live[(u >> 20) % r.live_n];
			struct sim_event_handle h = r.h[victim];
			assert_true(sim_calendar_is_pending(&c, h));
			assert_true(sim_calendar_cancel(&c, h));
			assert_false(sim_calendar_is_pending(&c, h));
			href_forget(&r, victim);
		} else {
			struct sim_event ev;
			struct href_entry want = href_min(&r);
			assert_true(sim_calendar_pop(&c, &ev));
			assert_int_equal(ev.at_ns, want.at_ns);
			assert_int_equal(ev.arg, want.seq);
			assert_false(sim_calendar_is_pending(&c, r.h[want.seq]));
			href_forget(&r, want.seq);
			href_remove_top(&r);
			g.now_ns = ev.at_ns;
		}
		assert_int_equal(sim_calendar_count(&c), r.live_n);
		assert_true(c.stored >= c.count);
		if (r.live_n)
			assert_int_equal(sim_calendar_peek_ns(&c), href_min(&r).at_ns);
		else
			assert_true(sim_calendar_peek_ns(&c) == SIM_TIME_NEVER);
	}
	while (r.live_n) {
		struct href_entry want = href_min(&r);
		assert_int_equal(pop_arg(&c), want.seq);
		href_forget(&r, want.seq);
		href_remove_top(&r);
	}
	assert_int_equal(sim_calendar_count(&c), 0);
	assert_true(sim_calendar_peek_ns(&c) == SIM_TIME_NEVER);
	sim_calendar_fini(&c);
	href_fini(&r);
}

/* Most pushes at the current instant, some at the next few, and now and then
 * thousands at one instant: buckets that no rung can split. */
static int64_t draw_same_instant(struct gen *g)
{
	uint64_t u = prng_next(&g->rng);
	if (u % 1000 == 0) {
		g->burst = 3000;
		g->burst_ns = g->now_ns + 5;
		return g->burst_ns;
	}
	if (g->burst)
		return g->burst_ns;
	return u % 10 < 8 ? g->now_ns : g->now_ns + (int64_t)((u >> 8) % 4);
}

static void test_many_events_at_one_instant_pop_in_push_order(void **state)
{
	(void)state;
	check_workload(&(struct workload){ draw_same_instant, 11, 300000, 8000 });
}

/* Increments log-uniform from 1 ns to about 1.6 days (2^47 ns), some 0. */
static int64_t draw_spread(struct gen *g)
{
	uint64_t u = prng_next(&g->rng);
	unsigned bits = (unsigned)(u % 48);
	return g->now_ns + (int64_t)((u >> 16) >> (48 - bits));
}

static void test_widely_spread_times_match_reference(void **state)
{
	(void)state;
	check_workload(&(struct workload){ draw_spread, 12, 300000, 8000 });
}

/* A hold-like stream of near-term events (up to 2 ms ahead), with bursts
 * of a few thousand events about a day ahead, some at one instant. */
static int64_t draw_far_bursts(struct gen *g)
{
	const int64_t day_ns = INT64_C(86400) * 1000000000;
	uint64_t u = prng_next(&g->rng);
	if (g->burst)
		return (u >> 8) % 4 == 0 ? g->burst_ns : g->burst_ns + (int64_t)((u >> 12) % 1000000000);
	if (u % 500 == 0) {
		g->burst = 2000;
		g->burst_ns = g->now_ns + day_ns + (int64_t)((u >> 12) % 1000);
		return g->burst_ns;
	}
	return g->now_ns + (int64_t)((u >> 8) % 2000000);
}

static void test_bursts_far_in_the_future_match_reference(void **state)
{
	(void)state;
	check_workload(&(struct workload){ draw_far_bursts, 13, 300000, 8000 });
}

/* Every push later than (or at) the previous one, whatever is popped. */
static int64_t draw_monotone(struct gen *g)
{
	uint64_t u = prng_next(&g->rng);
	if (g->last_ns < g->now_ns)
		g->last_ns = g->now_ns;
	g->last_ns += (int64_t)((u >> 8) % 1000);
	return g->last_ns;
}

static void test_monotone_pushes_match_reference(void **state)
{
	(void)state;
	check_workload(&(struct workload){ draw_monotone, 14, 300000, 8000 });
}

/* Anything from INT64_MIN to SIM_TIME_NEVER, earlier than now too (the
 * calendar itself does not require monotone time; the engine does): pins
 * the order-preserving map of signed times and the saturation of the ladder
 * at SIM_TIME_NEVER. */
static int64_t draw_extremes(struct gen *g)
{
	static const int64_t fixed[] = { INT64_MIN, INT64_MIN + 1, -1, 0, 1,
					 INT64_MAX - 1, INT64_MAX };
	uint64_t u = prng_next(&g->rng);
	switch (u % 4) {
	case 0:
		return fixed[(u >> 8) % 7];
	case 1:
		return (int64_t)prng_next(&g->rng);
	case 2:
		return g->now_ns;
	default:
		return g->now_ns > INT64_MAX - 1000 ? INT64_MAX : g->now_ns + (int64_t)((u >> 8) % 1000);
	}
}

static void test_extreme_times_match_reference(void **state)
{
	(void)state;
	check_workload(&(struct workload){ draw_extremes, 15, 300000, 8000 });
}

/* ---- heap mode and the ladder -------------------------------------------- */

/* The calendar's own notion (see calendar.c): no rung, and the top takes only
 * SIM_TIME_NEVER, so every other push goes straight to the bottom heap. */
static bool in_heap_mode(const struct sim_calendar *c)
{
	return c->nrungs == 0 && c->top_start == UINT64_MAX;
}

/* A small calendar is a plain heap; one that grows past the threshold
 * (between 64 and 512 entries) spreads into the ladder, and one that drains
 * goes back.  Grow and drain in turn, from a handful of events to thousands
 * and back, so that both transitions happen many times, with bursts of
 * events at one instant straddling them (FIFO across the switch), cancels
 * on both sides (cancelled entries moved or dropped by the switch), and now
 * and then an event at SIM_TIME_NEVER (which the top keeps in heap mode). */
static void test_crossing_the_heap_threshold_both_ways_matches_reference(void **state)
{
	(void)state;
	static const size_t targets[] = { 700, 10, 2500, 40, 300, 0, 5000, 120, 1000, 3,
					  520, 200, 64, 9000, 1 };
	struct sim_calendar c;
	struct href r = { .n = 0 };
	uint64_t rng = 20240612, seq = 0;
	int64_t now_ns = 0;
	unsigned to_heap = 0, to_ladder = 0;
	bool was_heap = true;

	sim_calendar_init(&c, 1);
	assert_true(in_heap_mode(&c));
	for (unsigned round = 0; round < 60; round++) {
		size_t target = targets[round % (sizeof(targets) / sizeof(targets[0]))];
		bool below = r.live_n < target;
		long hover = 0;

		/* Go to the target size, then hover around it long enough for a
		 * small calendar to spend what is left of its ladder. */
		while (hover < 2000) {
			bool grow = r.live_n < target;
			if (hover || (below ? r.live_n >= target : r.live_n <= target))
				hover++;
			uint64_t u = prng_next(&rng);
			unsigned kind = u % 100;
			bool push = r.live_n == 0 || (grow ? kind < 75 : kind < 10);
			bool cancel = !push && (grow ? kind < 90 : kind < 35);

			if (push) {
				/* A burst at one instant, or single events near
				 * or far, now and then at the end of time. */
				unsigned burst_max = grow ? 100 : 20;
				unsigned n = (u >> 8) % 8 == 0 ? 1 + (unsigned)((u >> 12) % burst_max) : 1;
				int64_t at_ns = now_ns + (int64_t)((u >> 20) % 4);
				for (unsigned i = 0; i < n; i++) {
					uint64_t v = prng_next(&rng);
					if (n == 1 && v % 2 == 0)
						at_ns = now_ns + (int64_t)((v >> 8) % 5000000);
					if (n == 1 && v % 997 == 0)
						at_ns = SIM_TIME_NEVER;
					struct sim_event_handle h =
						sim_calendar_push(&c, at_ns, dummy_fn, NULL, seq);
					assert_false(sim_event_handle_is_null(h));
					href_push(&r, at_ns, seq, h);
					seq++;
				}
			} else if (cancel) {
				uint64_t victim = r.live[(u >> 20) % r.live_n];
				assert_true(sim_calendar_cancel(&c, r.h[victim]));
				assert_false(sim_calendar_is_pending(&c, r.h[victim]));
				href_forget(&r, victim);
			} else {
				struct sim_event ev;
				struct href_entry want = href_min(&r);
				assert_true(sim_calendar_pop(&c, &ev));
				assert_int_equal(ev.at_ns, want.at_ns);
				assert_int_equal(ev.arg, want.seq);
				href_forget(&r, want.seq);
				href_remove_top(&r);
				if (ev.at_ns != SIM_TIME_NEVER)
					now_ns = ev.at_ns;
			}
			assert_int_equal(sim_calendar_count(&c), r.live_n);
			if (r.live_n)
				assert_int_equal(sim_calendar_peek_ns(&c), href_min(&r).at_ns);
			else
				assert_true(sim_calendar_peek_ns(&c) == SIM_TIME_NEVER);

			bool is_heap = in_heap_mode(&c);
			to_heap += is_heap && !was_heap;
			to_ladder += !is_heap && was_heap;
			was_heap = is_heap;
			/* A heap that reaches its limit turns into a ladder. */
			if (is_heap)
				assert_true(c.run_n + c.bottom_n < c.bottom_spawn_at);
		}
	}
	/* Both ways, many times over. */
	assert_true(to_ladder >= 20);
	assert_true(to_heap >= 20);
	while (r.live_n) {
		struct href_entry want = href_min(&r);
		assert_int_equal(pop_arg(&c), want.seq);
		href_forget(&r, want.seq);
		href_remove_top(&r);
	}
	assert_int_equal(sim_calendar_count(&c), 0);
	assert_true(in_heap_mode(&c));
	sim_calendar_fini(&c);
	href_fini(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_calendar_peeks_never_and_pops_nothing),
		cmocka_unit_test(test_events_pop_in_time_order_with_their_payload),
		cmocka_unit_test(test_equal_times_pop_in_push_order),
		cmocka_unit_test(test_equal_times_stay_fifo_after_cancels),
		cmocka_unit_test(test_equal_times_stay_fifo_with_interleaved_pops),
		cmocka_unit_test(test_equal_times_stay_fifo_when_cancelled_slots_could_be_reused),
		cmocka_unit_test(test_cancelled_earliest_event_is_skipped_by_peek_and_pop),
		cmocka_unit_test(test_cancelled_timeouts_are_swept_instead_of_growing_the_calendar),
		cmocka_unit_test(test_cancel_removes_a_pending_event),
		cmocka_unit_test(test_cancel_of_stale_handle_is_a_noop),
		cmocka_unit_test(test_cancel_of_null_or_bogus_handle_is_a_noop),
		cmocka_unit_test(test_is_pending_follows_push_pop_and_cancel),
		cmocka_unit_test(test_push_beyond_max_pending_returns_null_handle),
		cmocka_unit_test(test_pop_until_leaves_later_events),
		cmocka_unit_test(test_every_operation_after_a_pop_sees_the_whole_heap),
		cmocka_unit_test(test_equal_times_stay_fifo_between_the_run_and_the_heap),
		cmocka_unit_test(test_random_operations_match_reference),
		cmocka_unit_test(test_many_events_at_one_instant_pop_in_push_order),
		cmocka_unit_test(test_widely_spread_times_match_reference),
		cmocka_unit_test(test_bursts_far_in_the_future_match_reference),
		cmocka_unit_test(test_monotone_pushes_match_reference),
		cmocka_unit_test(test_extreme_times_match_reference),
		cmocka_unit_test(test_crossing_the_heap_threshold_both_ways_matches_reference),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
