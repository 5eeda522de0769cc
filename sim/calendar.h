/* Event calendar: the future of a simulation, ordered by (time, sequence).
 *
 * Up to a few hundred stored events it is a sorted array of up to
 * SIM_CALENDAR_RUN_MAX events and a plain binary heap for the rest (the
 * bottom's, below: "heap mode"); beyond that, a ladder queue (Tang, Goh and Thng, ACM
 * TOMACS 15(3), 2005): an unsorted "top" list for the far future, a few
 * "rungs" of time buckets for the middle, and a small sorted "bottom"
 * holding the events due next.  Push and pop are O(1) amortised for the
 * usual distributions of event times in the ladder; in heap mode a push
 * into the sorted array scans at most SIM_CALENDAR_RUN_MAX entries and the
 * heap's operations are O(log n) of a few levels; no input makes the ladder
 * worse than the O(log n) of a plain heap (see calendar.c).
 *
 * Each event owns a slot, recycled through a free list: its key (time, list
 * link, state) lives in `keys`, its payload (callback, arguments, sequence
 * number, generation) in `slots`, both indexed by the slot number.  Nothing
 * is allocated per event once the arrays have grown to the peak number of
 * stored events.
 *
 * Invariants:
 *  - Events at the same instant fire in the order they were pushed (FIFO):
 *    ties are broken by a 64-bit sequence number (libuv timers, SimPy eid).
 *  - A handle is (slot, generation).  A stale handle (its event already
 *    fired or was cancelled, the slot maybe reused) is recognised by the
 *    generation, and cancelling it is a harmless no-op.
 *  - Cancellation is lazy: cancel marks the key and bumps the generation in
 *    O(1); the entry stays where it is stored and is dropped when it is next
 *    moved or reaches the front.  The slot is not reused while its entry is
 *    stored, so every entry keeps its sequence number and FIFO order among
 *    live events is exact.
 *  - The front of the bottom is the earliest live event whenever one is
 *    pending, so peek is O(1) and exact.
 *
 * Memory cost of laziness: a cancelled event (typically a time-out that did
 * not fire) occupies a slot until it is dropped, or until a sweep.  When
 * every slot is in use and cancelled entries are at least half of them, they
 * are swept out (O(n), O(1) amortised per cancel) instead of growing: the
 * slot arrays grow only while more than half of the stored entries are live,
 * so their capacity stays under four times the peak number of live events.
 *
 * max_pending limits LIVE events (what sim_calendar_count reports), not
 * stored entries: a cancelled entry never makes a push fail.
 *
 * Complexity: push, pop O(1) amortised (O(log n) at worst); cancel O(1)
 * (amortised, when the event is the earliest); peek O(1). */
#ifndef SIM_CALENDAR_H
#define SIM_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sim_engine;

/* What an event does when it fires.  `obj` and `arg` are the values given to
 * sim_calendar_push. */
typedef void (*sim_event_fn)(struct sim_engine *engine, void *obj, uint64_t arg);

/* Refers to a pending event; {0, 0} is the null handle (never valid). */
struct sim_event_handle {
	uint32_t slot;
	uint32_t gen;
};

/* An entry of the bottom (run or heap). */
struct sim_calendar_entry {
	int64_t at_ns;
	uint32_t slot;
	uint32_t pad_;
};

/* keys[].state */
enum sim_calendar_state {
	SIM_SLOT_FREE = 0,  /* on the free list */
	SIM_SLOT_LIVE,      /* stored and pending */
	SIM_SLOT_CANCELLED, /* stored, will never fire; dropped when next met */
};

/* The part of an event that the ladder moves around: 16 bytes, so that
 * walking a bucket touches as little memory as possible. */
struct sim_calendar_key {
	int64_t at_ns;
	uint32_t next;  /* next entry of the same top or bucket list, or the next
	                 * free slot; 0 ends a list */
	uint32_t state; /* enum sim_calendar_state */
};

/* The part read only when the event fires (or on a tie in time). */
struct sim_calendar_slot {
	sim_event_fn fn;
	void *obj;
	uint64_t arg;
	uint64_t seq; /* push order, breaks ties at equal times; fixed while the
	               * slot's entry is stored, cancelled or not */
	uint32_t gen; /* the live handle's generation; bumped when the event
	               * fires or is cancelled, never 0 */
	uint32_t pad_;
};

struct sim_calendar_bucket {
	uint32_t head; /* list threaded through keys[].next; 0 = empty */
	uint32_t n;    /* entries in the list, live or cancelled */
};

/* A rung: nb buckets of 2^shift ns each, from `start` (times are compared
 * as unsigned "ukeys", see calendar.c).  Buckets before `cur` are spent. */
struct sim_calendar_rung {
	uint64_t start;   /* ukey where bucket 0 begins */
	uint64_t cur_key; /* ukey where bucket `cur` begins: later events go here */
	struct sim_calendar_bucket *b;
	size_t n;         /* entries stored in this rung, live or cancelled */
	uint32_t nb;      /* buckets in use */
	uint32_t cur;     /* first bucket not yet spent */
	uint32_t cap;     /* buckets allocated (kept when the rung is spent) */
	uint32_t shift;   /* log2 of the bucket width in ns */
};

#define SIM_CALENDAR_MAX_RUNGS 8
/* The sorted run's capacity (calendar.c, "Small calendars"). */
#define SIM_CALENDAR_RUN_MAX 256

struct sim_calendar {
	/* Bottom: the events due next, in two parts.  run[] is a bucket
	 * sorted by (time, seq), latest first, popped from the end; `bottom`
	 * is a binary min-heap by (time, seq) for what is pushed below the
	 * ladder after that bucket was taken (always newer than the run) and
	 * for buckets too large for the run. */
	struct sim_calendar_entry run[SIM_CALENDAR_RUN_MAX];
	size_t run_n;
	struct sim_calendar_entry *bottom;
	size_t bottom_n;
	size_t bottom_spawn_at; /* run_n + bottom_n that turns them into a rung */
	/* The heap's root was popped and not yet refilled: its bottom_n
	 * entries are at ROOT + 1 .. ROOT + bottom_n and the root is a hole
	 * (see calendar.c, "Deferred root").  Only with the run empty. */
	bool root_hole;

	/* Ladder: rungs[0] is the coarsest, rungs[nrungs - 1] the finest. */
	struct sim_calendar_rung rungs[SIM_CALENDAR_MAX_RUNGS];
	unsigned nrungs;

	/* Top: an unsorted list of every event at or after top_start. */
	uint32_t top_head;
	size_t top_n;
	uint64_t top_start;         /* ukey */
	uint64_t top_min, top_max;  /* ukey bounds of what is in the top */

	struct sim_calendar_key *keys;
	struct sim_calendar_slot *slots;
	uint32_t slot_cap;  /* keys, slots; bottom holds slot_cap entries too */
	uint32_t free_slot; /* head of the free list threaded through keys[].next */

	size_t count;       /* live pending events */
	size_t stored;      /* entries stored anywhere: live + cancelled not yet dropped */
	uint64_t next_seq;
	size_t max_pending; /* live events; 0 = unlimited; push fails beyond it
	                     * (set it with sim_calendar_set_max_pending) */
	size_t fast_pushes; /* pushes that may go straight into the run without
	                     * looking at the rest (calendar.c, "Fast pushes") */
	uint64_t sweeps;    /* times cancelled entries were swept out (tests, tuning) */
};

/* A fired event, as popped. */
struct sim_event {
	int64_t at_ns;
	sim_event_fn fn;
	void *obj;
	uint64_t arg;
};

void sim_calendar_init(struct sim_calendar *c, size_t initial_cap);
void sim_calendar_fini(struct sim_calendar *c);

/* Limit the live events (0 = unlimited); a push beyond it fails. */
void sim_calendar_set_max_pending(struct sim_calendar *c, size_t max_pending);

/* Schedule fn(engine, obj, arg) at at_ns.  Returns the null handle only when
 * max_pending is reached or memory is exhausted (check with
 * sim_event_handle_is_null). */
struct sim_event_handle sim_calendar_push(struct sim_calendar *c, int64_t at_ns,
					  sim_event_fn fn, void *obj, uint64_t arg);

/* Remove the earliest event into *out; false when the calendar is empty. */
bool sim_calendar_pop(struct sim_calendar *c, struct sim_event *out);

/* Remove the earliest event into *out only if it is due at or before
 * until_ns; false otherwise (also when empty).  One call instead of
 * peek + pop on the engine's hot path. */
bool sim_calendar_pop_until(struct sim_calendar *c, int64_t until_ns, struct sim_event *out);

/* Time of the earliest live event, or SIM_TIME_NEVER when none is pending. */
int64_t sim_calendar_peek_ns(const struct sim_calendar *c);

/* Cancel a pending event.  Returns true if it was pending and will now never
 * fire, false for a stale or null handle.  O(1), amortised when the event is
 * the earliest (the next one is then brought to the front). */
bool sim_calendar_cancel(struct sim_calendar *c, struct sim_event_handle h);

/* True while the event behind h is still pending. */
bool sim_calendar_is_pending(const struct sim_calendar *c, struct sim_event_handle h);

static inline bool sim_event_handle_is_null(struct sim_event_handle h) { return h.gen == 0; }
static inline size_t sim_calendar_count(const struct sim_calendar *c) { return c->count; }

#endif
