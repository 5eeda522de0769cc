/* Event calendar: a 4-ary min-heap ordered by (at_ns, seq), with lazy
 * cancellation.
 *
 * Why this shape.  Every event of every model passes through here once on the
 * way in and once on the way out, so it is the hot path of a run.  The heap
 * array holds only 16-byte keys (at_ns, slot): a node's four children are 64
 * bytes, exactly one cache line, and choosing the smallest of them costs one
 * line fetch per level (log4 n levels, half the depth of a binary heap).  The
 * bulky part of an event (callback, object, argument, sequence number) stays
 * put in a slot array and is read only when the event fires or, on a tie in
 * time, for its sequence number.
 *
 * Why lazy cancellation.  An indexed heap (each slot remembering where its
 * key sits) makes cancel O(log n), but every sift then writes the position of
 * each key it moves: one random write into the slot array per level, on
 * every push and pop, to serve cancels that are much rarer.  That was more
 * than half the time of the hold benchmark.  Here cancel only marks the slot
 * (and bumps its generation, so the handle goes stale); the key is discarded
 * when it reaches the root (DESIGN.md: "a flag plus a generation counter,
 * checked on pop").  The slot is freed only then: reusing it earlier would
 * give the stale key a new sequence number and could let it overtake, or
 * fall behind, live events at the same time.
 *
 * Invariant: heap[ROOT] is live whenever the heap is not empty.  Pop discards
 * cancelled keys as they surface, and cancelling the root discards it at
 * once, so peek stays O(1) on a const calendar and pop never looks twice.
 *
 * Sweeping.  Cancelled keys would otherwise stay until their time, which for
 * a 30 s time-out cancelled after 10 ms is a long time.  When the heap or the
 * slot array is full and at least half of the heap is cancelled keys, they
 * are swept out (O(n)) instead of growing: the heap grows only while more
 * than half of it is live (capacity < 4 x peak live), and each sweep is paid
 * for by the n/2 cancels before it.
 *
 * Layout.  The root lives at heap[3] (entries 0..2 are padding) so that the
 * children of node p, at 4p-8 .. 4p-5, start on a multiple of four entries:
 * with the array 64-byte aligned every sibling group is one cache line.
 *
 * Sifting moves a hole and writes the moving key once at its final place
 * (instead of swapping at each level).  Pushing never needs a sequence-number
 * lookup: the new key has the largest sequence number of all, so on a tie in
 * time it belongs below, and comparing times alone is exact.
 *
 * Slots.  Slot 0 is never used, so the handle {0, 0} is null.  A slot's
 * generation starts at 1 and is bumped (skipping 0) when its event fires or
 * is cancelled, which makes every handle to an earlier use of the slot stale.
 * After 2^32 reuses of one slot a very old handle could match again; models
 * keep handles for at most a few uses, so this is accepted.  Free slots form
 * a LIFO list threaded through `link` (recently used slots are cache-hot).
 *
 * Memory.  Both arrays double when full (unless a sweep makes room) and never
 * shrink: after warm-up a run allocates nothing, and memory is proportional
 * to the peak number of pending events. */
#include "sim/calendar.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "sim/time.h"

#define ROOT 3u                          /* heap index of the earliest event */
#define FIRST_CHILD(p) (4 * (p) - 8)     /* children are FIRST_CHILD .. +3 */
#define PARENT(p) (((p) + 8) / 4)        /* valid for p > ROOT */
#define HEAP_ALIGN 64                    /* one cache line per sibling group */
#define DEFAULT_CAP 64
#define MAX_SLOTS (SIM_SLOT_CANCELLED - 1) /* slot indices stay below the link markers */

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/* a fires before b.  Sequence numbers are unique, so this is a strict total
 * order; they are looked up only on equal times, which are rare. */
static inline bool entry_before(const struct sim_calendar_slot *s,
				struct sim_calendar_entry a, struct sim_calendar_entry b)
{
	if (likely(a.at_ns != b.at_ns))
		return a.at_ns < b.at_ns;
	return s[a.slot].seq < s[b.slot].seq;
}

/* Move the hole at `hole` up while x fires before its parent, then put x
 * there.  `x_is_newest`: x has the largest sequence number in the heap (a
 * fresh push), so time alone decides and no slot needs to be read. */
static inline void sift_up(struct sim_calendar *c, size_t hole, struct sim_calendar_entry x,
			   bool x_is_newest)
{
	struct sim_calendar_entry *h = c->heap;
	const struct sim_calendar_slot *s = c->slots;

	while (hole > ROOT) {
		size_t parent = PARENT(hole);
		bool up = x_is_newest ? x.at_ns < h[parent].at_ns : entry_before(s, x, h[parent]);
		if (!up)
			break;
		h[hole] = h[parent];
		hole = parent;
	}
	h[hole] = x;
}

/* The earlier of heap entries i and j, general case (used on ties in time
 * and for partial sibling groups). */
static inline size_t earlier(const struct sim_calendar_entry *h,
			     const struct sim_calendar_slot *s, size_t i, size_t j)
{
	return entry_before(s, h[j], h[i]) ? j : i;
}

/* Branch-free select: which child is smallest is a coin toss for the branch
 * predictor, so it is chosen with a mask, not a jump (GCC turns some ?:
 * into jumps). */
static inline uint64_t select_u64(bool cond, uint64_t a, uint64_t b)
{
	return b ^ ((a ^ b) & (uint64_t)-(int64_t)cond);
}
#define SELECT(cond, a, b) select_u64((cond), (uint64_t)(a), (uint64_t)(b))

/* Fill the hole at `hole` with x, where x does not fire before the parent of
 * the hole: the bottom-up ("Floyd") way.  The hole first sinks all the way to
 * a leaf, each time swapping with the earliest child, without comparing with
 * x; then x rises from there.  x is usually the heap's last entry, a late
 * event that belongs near the bottom, so it rises zero or one level: this
 * saves a comparison and a hard-to-predict exit test per level.  `last` is
 * the heap index of the last entry still in the heap (x is not in it).
 *
 * The common case (four children with four distinct times) keeps the times
 * in registers and never reads a slot; a tie falls back to the exact
 * (time, seq) comparison, so the fast path changes speed, never order. */
static inline void sift_down(struct sim_calendar *c, size_t hole, size_t last,
			     struct sim_calendar_entry x)
{
	struct sim_calendar_entry *h = c->heap;
	const struct sim_calendar_slot *s = c->slots;
	size_t kid;

	while (likely((kid = FIRST_CHILD(hole)) + 3 <= last)) {
		const struct sim_calendar_entry *k = &h[kid];
		/* The grandchildren are the 16 entries from FIRST_CHILD(kid):
		 * four cache lines, fetched while this level is compared
		 * (prefetching past the end is harmless). */
		const char *g = (const char *)&h[FIRST_CHILD(kid)];
		__builtin_prefetch(g);
		__builtin_prefetch(g + 64);
		__builtin_prefetch(g + 128);
		__builtin_prefetch(g + 192);

		int64_t t0 = k[0].at_ns, t1 = k[1].at_ns;
		int64_t t2 = k[2].at_ns, t3 = k[3].at_ns;
		size_t ia = (size_t)(t1 < t0);
		int64_t ta = t1 < t0 ? t1 : t0; /* min: GCC emits cmov */
		size_t ib = 2 + (size_t)(t3 < t2);
		int64_t tb = t3 < t2 ? t3 : t2;
		size_t best = kid + (size_t)SELECT(tb < ta, ib, ia);

		if (unlikely(t0 == t1 || t2 == t3 || ta == tb))
			best = earlier(h, s, earlier(h, s, kid, kid + 1),
				       earlier(h, s, kid + 2, kid + 3));
		h[hole] = h[best];
		hole = best;
	}
	if (kid <= last) {
		/* A partial sibling group: only at the bottom level. */
		size_t best = kid;
		for (size_t k = kid + 1; k <= last; k++)
			best = earlier(h, s, best, k);
		h[hole] = h[best];
		hole = best;
	}
	sift_up(c, hole, x, false);
}

/* Put a slot on the free list.  Its generation must already be new (bumped
 * when the event fired or was cancelled). */
static inline void free_slot(struct sim_calendar *c, uint32_t slot)
{
	c->slots[slot].link = c->free_slot;
	c->free_slot = slot;
}

/* Make every handle to the slot's current event stale. */
static inline void bump_gen(struct sim_calendar_slot *s)
{
	s->gen++;
	if (unlikely(s->gen == 0))
		s->gen = 1;
}

/* Thread slots [from, to) onto the free list, lowest index first out. */
static void free_slots_range(struct sim_calendar *c, uint32_t from, uint32_t to)
{
	for (uint32_t i = to; i-- > from;) {
		c->slots[i] = (struct sim_calendar_slot){ .link = c->free_slot, .gen = 1 };
		c->free_slot = i;
	}
}

static bool grow_heap(struct sim_calendar *c)
{
	size_t cap = c->heap_cap ? c->heap_cap * 2 : DEFAULT_CAP + ROOT;
	void *mem;

	if (cap > (SIZE_MAX / sizeof(*c->heap)) || cap - ROOT > MAX_SLOTS)
		return false;
	/* realloc would not keep the 64-byte alignment, so copy by hand; this
	 * happens log2(peak) times per run. */
	if (posix_memalign(&mem, HEAP_ALIGN, cap * sizeof(*c->heap)) != 0)
		return false;
	if (c->heap)
		memcpy(mem, c->heap, (c->heap_n + ROOT) * sizeof(*c->heap));
	free(c->heap);
	c->heap = mem;
	c->heap_cap = cap;
	return true;
}

static bool grow_slots(struct sim_calendar *c)
{
	uint64_t cap = c->slot_cap ? (uint64_t)c->slot_cap * 2 : DEFAULT_CAP + 1;
	struct sim_calendar_slot *mem;

	if (cap > MAX_SLOTS)
		cap = MAX_SLOTS;
	if (cap <= c->slot_cap || cap > SIZE_MAX / sizeof(*mem))
		return false;
	mem = realloc(c->slots, (size_t)cap * sizeof(*mem));
	if (!mem)
		return false;
	c->slots = mem;
	if (c->slot_cap == 0) {
		/* Slot 0 stays out of the free list: the null handle names it. */
		c->slots[0] = (struct sim_calendar_slot){ .link = SIM_SLOT_CANCELLED };
		c->slot_cap = 1;
	}
	free_slots_range(c, c->slot_cap, (uint32_t)cap);
	c->slot_cap = (uint32_t)cap;
	return true;
}

/* Drop every cancelled key and free its slot.  The survivors are re-inserted
 * in place, in array order (each sift_up writes at or before the index being
 * read); a heap is already nearly in heap order, so most do not move.  Any
 * heap of the same keys pops in the same (time, seq) order. */
static void sweep(struct sim_calendar *c)
{
	struct sim_calendar_entry *h = c->heap;
	size_t kept = 0;

	for (size_t i = ROOT; i < c->heap_n + ROOT; i++) {
		struct sim_calendar_entry x = h[i];
		if (c->slots[x.slot].link == SIM_SLOT_LIVE)
			sift_up(c, ROOT + kept++, x, false);
		else
			free_slot(c, x.slot);
	}
	assert(kept == c->count);
	c->heap_n = kept;
	c->sweeps++;
}

/* Room for one more key and a free slot: sweep when cancelled keys are at
 * least half the heap, grow otherwise. */
static bool make_room(struct sim_calendar *c)
{
	size_t stale = c->heap_n - c->count;

	if (stale > 0 && stale >= c->heap_n / 2) {
		sweep(c);
		return true;
	}
	return (c->heap_n + ROOT < c->heap_cap || grow_heap(c)) &&
	       (c->free_slot != 0 || grow_slots(c));
}

void sim_calendar_init(struct sim_calendar *c, size_t initial_cap)
{
	*c = (struct sim_calendar){ .next_seq = 0 };
	if (initial_cap == 0)
		initial_cap = DEFAULT_CAP;
	if (initial_cap > MAX_SLOTS - 1)
		initial_cap = MAX_SLOTS - 1;

	/* Failure here is not fatal: push retries the growth and reports it. */
	void *mem;
	if (posix_memalign(&mem, HEAP_ALIGN, (initial_cap + ROOT) * sizeof(*c->heap)) == 0) {
		c->heap = mem;
		c->heap_cap = initial_cap + ROOT;
	}
	c->slots = malloc((initial_cap + 1) * sizeof(*c->slots));
	if (c->slots) {
		c->slots[0] = (struct sim_calendar_slot){ .link = SIM_SLOT_CANCELLED };
		c->slot_cap = 1;
		free_slots_range(c, 1, (uint32_t)(initial_cap + 1));
		c->slot_cap = (uint32_t)(initial_cap + 1);
	}
}

void sim_calendar_fini(struct sim_calendar *c)
{
	free(c->heap);
	free(c->slots);
	*c = (struct sim_calendar){ 0 };
}

struct sim_event_handle sim_calendar_push(struct sim_calendar *c, int64_t at_ns,
					  sim_event_fn fn, void *obj, uint64_t arg)
{
	const struct sim_event_handle null = { 0, 0 };

	if (unlikely(c->max_pending && c->count >= c->max_pending))
		return null;
	if (unlikely(c->heap_n + ROOT >= c->heap_cap || c->free_slot == 0) && !make_room(c))
		return null;

	uint32_t slot = c->free_slot;
	struct sim_calendar_slot *s = &c->slots[slot];
	c->free_slot = s->link;
	s->fn = fn;
	s->obj = obj;
	s->arg = arg;
	s->seq = c->next_seq++;
	s->link = SIM_SLOT_LIVE;

	size_t n = c->heap_n++;
	c->count++;
	sift_up(c, n + ROOT, (struct sim_calendar_entry){ .at_ns = at_ns, .slot = slot }, true);
	return (struct sim_event_handle){ .slot = slot, .gen = s->gen };
}

/* Take the root key out (its slot is the caller's business), then discard
 * cancelled keys as they surface, so that the root is live again. */
static inline void remove_root(struct sim_calendar *c)
{
	for (;;) {
		size_t n = --c->heap_n;
		if (n == 0)
			return;
		sift_down(c, ROOT, n + ROOT - 1, c->heap[n + ROOT]);
		/* No cancelled keys at all (the usual case): the root is live
		 * without reading its slot, a cache miss in a large calendar. */
		if (likely(n == c->count))
			return;
		uint32_t slot = c->heap[ROOT].slot;
		if (c->slots[slot].link == SIM_SLOT_LIVE)
			return;
		free_slot(c, slot);
	}
}

static inline bool pop_until(struct sim_calendar *c, int64_t until_ns, struct sim_event *out)
{
	if (unlikely(c->heap_n == 0) || c->heap[ROOT].at_ns > until_ns)
		return false;

	struct sim_calendar_entry top = c->heap[ROOT];
	struct sim_calendar_slot *s = &c->slots[top.slot];
	out->at_ns = top.at_ns;
	out->fn = s->fn;
	out->obj = s->obj;
	out->arg = s->arg;
	bump_gen(s);
	free_slot(c, top.slot);
	c->count--;
	remove_root(c);
	return true;
}

bool sim_calendar_pop(struct sim_calendar *c, struct sim_event *out)
{
	return pop_until(c, INT64_MAX, out);
}

bool sim_calendar_pop_until(struct sim_calendar *c, int64_t until_ns, struct sim_event *out)
{
	return pop_until(c, until_ns, out);
}

int64_t sim_calendar_peek_ns(const struct sim_calendar *c)
{
	return c->heap_n ? c->heap[ROOT].at_ns : SIM_TIME_NEVER;
}

bool sim_calendar_is_pending(const struct sim_calendar *c, struct sim_event_handle h)
{
	if (h.slot == 0 || h.slot >= c->slot_cap || h.gen == 0)
		return false;

	const struct sim_calendar_slot *s = &c->slots[h.slot];
	return s->gen == h.gen && s->link == SIM_SLOT_LIVE;
}

bool sim_calendar_cancel(struct sim_calendar *c, struct sim_event_handle h)
{
	if (!sim_calendar_is_pending(c, h))
		return false;

	struct sim_calendar_slot *s = &c->slots[h.slot];
	bump_gen(s);
	s->link = SIM_SLOT_CANCELLED;
	c->count--;
	if (c->heap[ROOT].slot == h.slot) {
		/* Keep the root live (see the invariant above). */
		free_slot(c, h.slot);
		remove_root(c);
	}
	return true;
}
