/* Event calendar: the future of a simulation, ordered by (time, sequence).
 *
 * A 4-ary min-heap of event keys.  Each heap entry is 16 bytes (time, slot);
 * the event record (callback, arguments, sequence number, generation) lives
 * in a slot array recycled through a free list, so pushing and popping
 * allocate nothing once the arrays have grown to the peak number of pending
 * events.
 *
 * Invariants:
 *  - Events at the same instant fire in the order they were pushed (FIFO):
 *    ties are broken by a 64-bit sequence number (libuv timers, SimPy eid).
 *  - A handle is (slot, generation).  A stale handle (its event already
 *    fired or was cancelled, the slot maybe reused) is recognised by the
 *    generation, and cancelling it is a harmless no-op.
 *  - Cancellation is lazy: cancel marks the slot and bumps its generation in
 *    O(1); the key stays in the heap and is discarded when it reaches the
 *    root.  The slot is not reused while its key is in the heap, so every key
 *    keeps its sequence number and FIFO order among live events is exact.
 *  - The root is always a live event, so peek is O(1) and exact.
 *
 * Memory cost of laziness: a cancelled event (typically a time-out that did
 * not fire) occupies a heap entry and a slot until its time comes, or until
 * a sweep.  When the heap is full and cancelled keys are at least half of
 * it, they are swept out (O(n), O(1) amortised per cancel) instead of
 * growing it: the heap grows only while more than half of it is live, so its
 * capacity stays under four times the peak number of live events.
 *
 * max_pending limits LIVE events (what sim_calendar_count reports), not heap
 * entries: a cancelled key never makes a push fail, and by the rule above
 * memory stays under four times max_pending entries anyway.
 *
 * Complexity: push and pop O(log n) (n = heap entries, live + cancelled);
 * cancel O(1), or O(log n) when the event is the earliest; peek O(1). */
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

struct sim_calendar_entry {
	int64_t at_ns;
	uint32_t slot;
	uint32_t pad_;
};

/* slots[].link while the slot's key is in the heap; otherwise it is the next
 * free slot (0 ends the list). */
#define SIM_SLOT_LIVE UINT32_MAX
#define SIM_SLOT_CANCELLED (UINT32_MAX - 1)

struct sim_calendar_slot {
	sim_event_fn fn;
	void *obj;
	uint64_t arg;
	uint64_t seq;  /* push order, breaks ties at equal times; fixed while the
	                * slot's key is in the heap, cancelled or not */
	uint32_t gen;  /* the live handle's generation; bumped when the event
	                * fires or is cancelled, never 0 */
	uint32_t link; /* SIM_SLOT_LIVE, SIM_SLOT_CANCELLED, or the free-list link */
};

struct sim_calendar {
	struct sim_calendar_entry *heap;
	size_t count;       /* live pending events */
	size_t heap_n;      /* heap entries: live + cancelled not yet discarded */
	size_t heap_cap;
	struct sim_calendar_slot *slots;
	uint32_t slot_cap;
	uint32_t free_slot; /* head of the free list threaded through slots[].link; 0 = none */
	uint64_t next_seq;
	size_t max_pending; /* live events; 0 = unlimited; push fails beyond it */
	uint64_t sweeps;    /* times cancelled keys were swept out (tests, tuning) */
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
 * fire, false for a stale or null handle.  O(1) unless the event is the
 * earliest (its key is then discarded at once, O(log n)). */
bool sim_calendar_cancel(struct sim_calendar *c, struct sim_event_handle h);

/* True while the event behind h is still pending. */
bool sim_calendar_is_pending(const struct sim_calendar *c, struct sim_event_handle h);

static inline bool sim_event_handle_is_null(struct sim_event_handle h) { return h.gen == 0; }
static inline size_t sim_calendar_count(const struct sim_calendar *c) { return c->count; }

#endif
