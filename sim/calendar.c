/* Event calendar: a sorted array and a binary heap for small calendars, a
 * ladder queue for large ones, ordered by (at_ns, seq), with lazy
 * cancellation.
 *
 * Heap mode.  A calendar of a few hundred events or fewer is just the bottom
 * (below): its sorted run while it has room, its binary heap for the rest
 * (see "Small calendars"); every pop takes the earlier of their fronts, and
 * there is no top, rung or refill.  This is "heap mode":
 * no rung and top_start at the end of time (UINT64_MAX), so the top takes
 * nothing but events at SIM_TIME_NEVER.  When the bottom reaches SMALL_MAX
 * entries it is spread over a rung spanning its own times and top_start
 * moves past that rung, as in an epoch: the ladder below takes over.  When
 * a refill (the bottom empty) finds at most SMALL_MAX / 2 live events, the
 * whole ladder and top go back into the heap.  The gap between the two
 * thresholds keeps a calendar hovering near one of them from switching
 * back and forth: each switch is O(n) and is paid for by the SMALL_MAX / 2
 * pushes (or the cancelled entries it drops) since the previous one.
 *
 * Ladder.  A ladder queue (Tang, Goh and Thng, "Ladder Queue: An O(1) priority
 * queue structure for large-scale discrete event simulation", ACM TOMACS
 * 2005) in three tiers, each holding only events later than the tier below:
 *
 *   top      an unsorted list of the far future: every event at or after
 *            top_start.  Push prepends in O(1) and tracks min and max.
 *   rungs    up to SIM_CALENDAR_MAX_RUNGS arrays of time buckets (unsorted
 *            lists), each rung subdividing one bucket of the rung above.
 *            A push between the bottom and the top lands in the first rung
 *            whose current bucket start it reaches: one shift, O(1).
 *   bottom   the events due next, in two parts: the "run", the last bucket
 *            taken, insertion-sorted by (time, seq) latest first, so pop
 *            takes its last entry in O(1); and a binary min-heap by (time,
 *            seq) for pushes that land below the ladder after the run was
 *            filled, and for buckets too big to sort into the run.  Pop
 *            takes the earlier of the two fronts.
 *
 * When the bottom runs dry it is refilled from the first non-empty bucket of
 * the finest rung; a bucket of more than BUCKET_MAX entries is first spread
 * over a new, finer rung (if there is room for one and its width can be
 * split), and one that still has more than SIM_CALENDAR_RUN_MAX goes to the
 * heap instead of the run.  When the ladder is spent too, the whole top becomes a new rung of
 * about one bucket per event, and top_start moves past it: an "epoch".  Each
 * event is thus moved a bounded number of times (once per rung it passes
 * through, at most SIM_CALENDAR_MAX_RUNGS + 2), whence O(1) amortised.
 *
 * Why.  Every event of every model passes through here once on the way in
 * and once on the way out.  A heap of many events spends most of its
 * time sifting: log(n) levels of dependent loads and hard-to-predict
 * comparisons per pop.  In the ladder a push is a compare, a shift and two
 * stores, and a pop usually takes the end of the run; what remains is
 * sorting a bucket of a dozen or so entries once per dozen pops (measured
 * with bench_hold, 10,000 pending: about 1.5x the heap through the engine,
 * 1.9x for the bare calendar).  But the ladder's fixed costs (an epoch, a
 * rung and a sorted bucket every few events) are a loss when only a handful
 * of events are pending, as in most models (an M/M/c queue has c + 1), where
 * a heap of one or two levels is cheaper: hence heap mode below SMALL_MAX.
 *
 * Order.  Buckets and the top are unordered, so FIFO among equal times is
 * decided only in the bottom, by the full (time, seq) comparison, also
 * between the run and the heap (in heap mode a push can land in the run
 * after older entries went to the heap).  The tiers never mix: an entry in a finer tier is strictly earlier than any in
 * a coarser one (bottom < rungs[last].cur_key <= ... < rungs[0].cur_key <=
 * top_start <= top), so pops come out in exact (time, seq) order.  The one
 * exception is time SIM_TIME_NEVER when top_start saturates at it (see
 * rung_create): entries there may sit both in a rung and in the top, but
 * the rung's were pushed first and are popped first, which is FIFO again.
 *
 * Ukeys.  Bucket arithmetic is done on "ukeys": at_ns with its sign bit
 * flipped, an order-preserving map of int64 onto uint64, so negative times
 * and spans of the full 2^64 range need no special case.  Bucket widths are
 * powers of two, so a bucket index is a subtraction and a shift.
 *
 * Invariant: the bottom is non-empty whenever a live event is pending, and
 * its front (the earlier of the run's end and the heap's root) is live.  Pop
 * and cancel refill the bottom as needed, so peek is O(1) on a const
 * calendar.  In heap mode the bottom holds every stored event except those
 * at SIM_TIME_NEVER that wait in the top.
 *
 * Lazy cancellation.  Cancel marks the key cancelled and bumps the slot's
 * generation (the handle goes stale at once); the entry stays in its list or
 * heap and is dropped, and its slot freed, when the ladder next moves it or
 * when it surfaces at the front (DESIGN.md: "a flag plus a generation
 * counter, checked on pop").  Freeing the slot earlier would give the stored
 * entry a new sequence number.  When no slot is free and cancelled entries
 * are at least half of those stored, every list and the bottom are swept
 * (O(n), paid for by the n/2 cancels before it) instead of growing.
 *
 * Small calendars.  Most models keep a few dozen events pending (the
 * baseline scenario about 40), and a new event is usually among the next to
 * fire.  So in heap mode a push goes into the run, sorted latest first, while
 * it has room (SIM_CALENDAR_RUN_MAX): an insertion scanning from the early
 * end, as far as the entries due before the new one (about five in the
 * baseline), and a pop takes the run's last entry, O(1).  Only what overflows
 * a full run goes to the heap.  Against the heap alone (with the deferred
 * root below), the baseline scenario takes 11% fewer instructions and the
 * four-station tandem 7% fewer; the worst case, a push due after all but
 * the latest of SIM_CALENDAR_RUN_MAX entries, scans the whole run, a
 * bounded 256 steps.  The run holds 256: at 3000 requests/s the baseline
 * keeps 60-70 events pending and up to 150 once it saturates, and with a
 * run of 64 a third of its pushes overflowed into the heap (full run of
 * the bench: 3.1% more instructions than with 128, 5% more than with 256;
 * the hold model and the tandem are unchanged).
 *
 * Deferred root.  Popping the heap's root leaves a hole that sift_down
 * fills with the last entry.  Nearly every event pushes a new one, which
 * would then sift up from the end.  So when the run is empty and no entry
 * is cancelled, pop only marks the root as a hole (root_hole; the heap's
 * bottom_n entries are then at ROOT + 1 .. ROOT + bottom_n), and the next
 * push, if it goes to the bottom, sinks itself from the root: one
 * sift instead of two.  It sinks top-down (sink_newest), stopping where it
 * fires before both children: a new event is usually among the next ones
 * (a hop, a short service), about 3.5 levels down in the baseline's heap
 * of about 40, where a Floyd descent to a leaf and climb back cost 9.  Every other entry point (pop, cancel, a push to the
 * ladder or the top, a push that needs room) first fills the hole as
 * remove_front would have; peek reads the root's children.  Which valid
 * heap holds the entries never changes the order of pops, since (time,
 * seq) is a strict total order.  (Baseline scenario: 3% fewer
 * instructions; sinking top-down, 8% more.)
 *
 * Binary, not 4-ary: measured with Floyd's descent on the baseline, the
 * binary heap's level (two children compared without a branch) took 1%
 * fewer instructions than the 4-ary heap's cache-line sibling groups,
 * whose advantage is for heaps far larger than heap mode's 256, and the
 * top-down sink stops at the first level where x fits, which favours
 * small levels.  Likewise the common push (heap mode, root hole, a
 * free slot) is a short function of its own, push_general the rest: its
 * prologue no longer saves the ladder code's registers (another 2.5%).
 *
 * Bottom overflow.  Pushes below the ladder go to the bottom heap, which can
 * grow (a burst of events in the near future).  When the bottom reaches
 * bottom_spawn_at entries it is spread over a new finest rung, as the paper
 * does (in heap mode, over a rung of its own span: see above).
 * bottom_spawn_at is reset after each refill to twice the bottom's size, or
 * BOTTOM_SPAWN_MIN (SMALL_MAX in heap mode) if larger, so a bottom that
 * cannot be split (many events at one instant) costs one O(n) attempt per n
 * pushes, not one per push.
 *
 * Complexity.  Heap mode: push O(log n) (O(1) on average for the usual
 * later-than-most pushes), pop O(log n) with n < SMALL_MAX, so a few levels.
 * Ladder: push and pop O(1) amortised, O(log n) at worst (below).  Cancel
 * O(1), plus a pop's cost when the event is the earliest.  Switching modes
 * is O(n), amortised O(1) per push (above).
 *
 * Known limits.  With all SIM_CALENDAR_MAX_RUNGS rungs in use, or many events
 * at one instant, buckets are dumped whole into the bottom heap: the calendar
 * then degrades to a binary heap, O(log n), never worse.  Sorting a bucket
 * into the run reads sequence numbers (a slot each) only on ties in time.  An epoch costs one
 * pass over the top; a run whose pending events are spread over a huge range
 * and consumed at very uneven rates may pay a few such passes per event
 * (still bounded by the rung limit).  A slot's generation wraps after 2^32
 * reuses, after which a very old handle could match again; models keep
 * handles for a few uses at most, so this is accepted.
 *
 * Memory.  keys, slots and the bottom grow together by doubling, and each
 * rung level keeps its bucket array (grown by doubling) across epochs: after
 * warm-up a run allocates nothing, and memory is proportional to the peak
 * number of stored events.  Slot 0 is never used, so the handle {0, 0} is
 * null and 0 ends every list. */
#include "sim/calendar.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "sim/time.h"

#define ROOT 1u                          /* bottom index of the earliest event */
#define FIRST_CHILD(p) (2 * (p))         /* children are FIRST_CHILD and +1 */
#define PARENT(p) ((p) / 2)              /* valid for p > ROOT */
#define HEAP_ALIGN 64                    /* sibling pairs never straddle a line */
#define DEFAULT_CAP 64
#define MAX_SLOTS (UINT32_MAX - 1)
/* A bucket larger than this is spread over a finer rung rather than heaped
 * (the paper's THRES, 50). */
#define BUCKET_MAX 50
/* The bottom (run and heap) turns into a rung when it reaches this many
 * entries (or twice its size after the last refill, if larger). */
#define BOTTOM_SPAWN_MIN 64
/* Heap mode (see the file header): the bottom heap alone holds the calendar
 * until it reaches this many entries (live or cancelled); a refill that
 * finds at most SMALL_MAX / 2 live events goes back to it.  Measured with
 * 64..512: the models' calendars (up to a few hundred events) stay in heap
 * mode, and bench_hold (10,000) switches once; 256 keeps the heap to four
 * levels. */
#define SMALL_MAX 256

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/* Order-preserving map of int64 onto uint64. */
static inline uint64_t ukey(int64_t at_ns)
{
	return (uint64_t)at_ns ^ (UINT64_C(1) << 63);
}

/* ---- the bottom heap ---------------------------------------------------- */

/* a fires before b.  Sequence numbers are unique, so this is a strict total
 * order; they are looked up only on equal times. */
static inline bool entry_before(const struct sim_calendar_slot *s,
				struct sim_calendar_entry a, struct sim_calendar_entry b)
{
	if (likely(a.at_ns != b.at_ns))
		return a.at_ns < b.at_ns;
	return s[a.slot].seq < s[b.slot].seq;
}

/* Move the hole at `hole` up while x fires before its parent, then put x
 * there.  `x_is_newest`: x has the largest sequence number stored (a fresh
 * push), so time alone decides and no slot needs to be read. */
static inline void sift_up(struct sim_calendar *c, size_t hole, struct sim_calendar_entry x,
			   bool x_is_newest)
{
	struct sim_calendar_entry *h = c->bottom;
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

/* The earlier of heap entries i and j, general case (used on ties in
 * time). */
static inline size_t earlier(const struct sim_calendar_entry *h,
			     const struct sim_calendar_slot *s, size_t i, size_t j)
{
	return entry_before(s, h[j], h[i]) ? j : i;
}

/* Fill the hole at `hole` with x: the hole sinks to a leaf along the
 * earlier child, then x rises from there ("Floyd": x is usually the heap's
 * last entry or a fresh push, a late event, so it rises zero or one level,
 * which saves a comparison and a hard-to-predict exit test per level).
 * `last` is the index of the last entry still in the heap (x is not in it);
 * `x_is_newest` as for sift_up.
 *
 * Two children with distinct times are compared without a branch or a slot
 * read (the index is computed from the comparison); a tie falls back to
 * the exact (time, seq) comparison, so the fast path changes speed, never
 * order.  This is the whole cost of a pop in heap mode. */
static inline void sift_down(struct sim_calendar *c, size_t hole, size_t last,
			     struct sim_calendar_entry x, bool x_is_newest)
{
	struct sim_calendar_entry *h = c->bottom;
	const struct sim_calendar_slot *s = c->slots;
	size_t kid;

	while (likely((kid = FIRST_CHILD(hole)) < last)) {
		int64_t t0 = h[kid].at_ns, t1 = h[kid + 1].at_ns;
		size_t best = kid + (size_t)(t1 < t0);
		if (unlikely(t0 == t1))
			best = earlier(h, s, kid, kid + 1);
		h[hole] = h[best];
		hole = best;
	}
	if (kid == last) { /* an only child, at the bottom level */
		h[hole] = h[kid];
		hole = kid;
	}
	sift_up(c, hole, x, x_is_newest);
}

/* Fill the hole at `hole` with a fresh push x (the newest entry, so on
 * equal times every stored entry goes first): x sinks from the hole while
 * the earlier child fires before it.  Top-down, not Floyd: a fresh event is
 * usually among the next to fire (a network hop, a short service), so it
 * stops within a level or two, where a descent to a leaf and a climb back
 * would cost twice the heap's height.  (Baseline scenario, heap of about 40:
 * Floyd's x climbed back four of its five levels.) */
static inline void sink_newest(struct sim_calendar *c, size_t hole, size_t last,
			       struct sim_calendar_entry x)
{
	struct sim_calendar_entry *h = c->bottom;
	size_t kid;

	while (likely((kid = FIRST_CHILD(hole)) < last)) {
		const struct sim_calendar_entry *k = &h[kid];
		int64_t t0 = k[0].at_ns, t1 = k[1].at_ns;
		size_t right = (size_t)(t1 < t0);
		int64_t t = t1 < t0 ? t1 : t0; /* the same on a tie */
		if (x.at_ns < t)
			goto place;
		if (unlikely(t0 == t1))
			right = entry_before(c->slots, k[1], k[0]);
		h[hole] = k[right];
		hole = kid + right;
	}
	if (kid == last && !(x.at_ns < h[kid].at_ns)) { /* an only child */
		h[hole] = h[kid];
		hole = kid;
	}
place:
	h[hole] = x;
}

static inline void bottom_add(struct sim_calendar *c, struct sim_calendar_entry x, bool x_is_newest)
{
	sift_up(c, ROOT + c->bottom_n++, x, x_is_newest);
}

/* ---- slots --------------------------------------------------------------- */

static inline void free_slot(struct sim_calendar *c, uint32_t slot)
{
	c->keys[slot].state = SIM_SLOT_FREE;
	c->keys[slot].next = c->free_slot;
	c->free_slot = slot;
	c->stored--;
}

/* Make every handle to the slot's current event stale. */
static inline void bump_gen(struct sim_calendar_slot *s)
{
	s->gen++;
	if (unlikely(s->gen == 0))
		s->gen = 1;
}

/* ---- moving entries between tiers ---------------------------------------- */

/* Bucket widths: the smallest shift such that nb_target buckets of 2^shift
 * cover span_m1 + 1 ns; stores the bucket count (at least 1) in *nb. */
static unsigned bucket_shift(uint64_t span_m1, uint64_t nb_target, uint64_t *nb)
{
	unsigned shift = 0;

	if (nb_target == 0)
		nb_target = 1;
	while (shift < 63 && (span_m1 >> shift) >= nb_target)
		shift++;
	*nb = (span_m1 >> shift) + 1;
	return shift;
}

/* Make room for nb buckets in rung r (each level keeps its array across
 * epochs, so this allocates only while the calendar grows). */
static bool reserve_buckets(struct sim_calendar_rung *r, uint64_t nb)
{
	if (nb <= r->cap)
		return true;
	uint64_t cap = r->cap ? r->cap : 64;
	while (cap < nb)
		cap *= 2;
	if (cap > UINT32_MAX || cap > SIZE_MAX / sizeof(*r->b))
		return false;
	struct sim_calendar_bucket *b = realloc(r->b, (size_t)cap * sizeof(*b));
	if (!b)
		return false;
	r->b = b;
	r->cap = (uint32_t)cap;
	return true;
}

/* Open a new finest rung over ukeys [lo, lo + span_m1] with about nb_target
 * buckets.  Returns it, or NULL when there is no room (rung limit reached or
 * memory exhausted): the caller then uses the bottom instead.  *end_m1
 * receives the last ukey covered, saturated at UINT64_MAX. */
static struct sim_calendar_rung *rung_create(struct sim_calendar *c, uint64_t lo,
					     uint64_t span_m1, uint64_t nb_target,
					     uint64_t *end_m1)
{
	uint64_t nb;

	if (c->nrungs == SIM_CALENDAR_MAX_RUNGS)
		return NULL;
	/* The last bucket of a rung may reach past UINT64_MAX; a rung
	 * subdividing it need not (and must not: cur_key would wrap). */
	if (span_m1 > UINT64_MAX - lo)
		span_m1 = UINT64_MAX - lo;
	unsigned shift = bucket_shift(span_m1, nb_target, &nb);
	struct sim_calendar_rung *r = &c->rungs[c->nrungs];
	if (!reserve_buckets(r, nb))
		return NULL;
	memset(r->b, 0, (size_t)nb * sizeof(*r->b));
	r->start = r->cur_key = lo;
	r->nb = (uint32_t)nb;
	r->cur = 0;
	r->n = 0;
	r->shift = shift;
	c->nrungs++;

	/* lo + (nb - 1) << shift <= lo + span_m1 cannot overflow; the last
	 * bucket's own width may. */
	uint64_t last = lo + ((nb - 1) << shift);
	uint64_t width_m1 = (UINT64_C(1) << shift) - 1;
	*end_m1 = last > UINT64_MAX - width_m1 ? UINT64_MAX : last + width_m1;
	return r;
}

static inline void rung_add(struct sim_calendar_rung *r, struct sim_calendar_key *keys,
			    uint32_t slot, uint64_t u)
{
	struct sim_calendar_bucket *b = &r->b[(u - r->start) >> r->shift];
	keys[slot].next = b->head;
	b->head = slot;
	b->n++;
	r->n++;
}

/* Spread a list over rung r, dropping cancelled entries. */
static void list_to_rung(struct sim_calendar *c, uint32_t head, struct sim_calendar_rung *r)
{
	struct sim_calendar_key *k = c->keys;

	while (head) {
		uint32_t next = k[head].next;
		if (likely(k[head].state == SIM_SLOT_LIVE))
			rung_add(r, k, head, ukey(k[head].at_ns));
		else
			free_slot(c, head);
		head = next;
	}
}

/* Put a list into the empty bottom, dropping cancelled entries: a list of
 * at most SIM_CALENDAR_RUN_MAX entries (`n`, counting cancelled ones) is
 * insertion-sorted into the run, a longer one (a bucket no rung could split)
 * goes to the heap. */
static void list_to_bottom(struct sim_calendar *c, uint32_t head, size_t n)
{
	struct sim_calendar_key *k = c->keys;
	const struct sim_calendar_slot *s = c->slots;

	assert(c->run_n == 0 && c->bottom_n == 0);
	if (n <= SIM_CALENDAR_RUN_MAX) {
		struct sim_calendar_entry *run = c->run;
		size_t m = 0;
		while (head) {
			uint32_t next = k[head].next;
			if (likely(k[head].state == SIM_SLOT_LIVE)) {
				/* Latest first: shift the earlier ones up. */
				struct sim_calendar_entry x = { .at_ns = k[head].at_ns, .slot = head };
				size_t j = m++;
				while (j > 0 && entry_before(s, run[j - 1], x)) {
					run[j] = run[j - 1];
					j--;
				}
				run[j] = x;
			} else {
				free_slot(c, head);
			}
			head = next;
		}
		c->run_n = m;
		return;
	}
	while (head) {
		uint32_t next = k[head].next;
		if (likely(k[head].state == SIM_SLOT_LIVE))
			bottom_add(c, (struct sim_calendar_entry){ .at_ns = k[head].at_ns, .slot = head },
				   false);
		else
			free_slot(c, head);
		head = next;
	}
}

/* The whole top becomes rung 0: a new epoch.  Called with the ladder and
 * the bottom empty. */
static void top_to_ladder(struct sim_calendar *c)
{
	uint32_t head = c->top_head;
	size_t n = c->top_n;
	uint64_t end_m1;
	struct sim_calendar_rung *r =
		rung_create(c, c->top_min, c->top_max - c->top_min, c->top_n, &end_m1);

	c->top_head = 0;
	c->top_n = 0;
	if (r) {
		list_to_rung(c, head, r);
	} else {
		/* Out of memory for buckets: the bottom heap takes it all. */
		end_m1 = c->top_max;
		list_to_bottom(c, head, n);
	}
	/* Saturated at UINT64_MAX: entries at SIM_TIME_NEVER may then be both
	 * here and in the next top, in push order (see the file header). */
	c->top_start = end_m1 == UINT64_MAX ? UINT64_MAX : end_m1 + 1;
	c->top_min = UINT64_MAX;
	c->top_max = 0;
}

/* Back to heap mode: every entry of the rungs and the top goes to the empty
 * bottom (through one list), and top_start moves to the end of time.  Costs
 * the entries moved and the rungs' remaining buckets, no more than was paid
 * to fill them. */
static void ladder_to_bottom(struct sim_calendar *c)
{
	struct sim_calendar_key *k = c->keys;
	uint32_t head = c->top_head;
	size_t n = c->top_n;

	for (unsigned i = 0; i < c->nrungs; i++) {
		struct sim_calendar_rung *r = &c->rungs[i];
		for (uint32_t b = r->cur; b < r->nb && r->n; b++) {
			for (uint32_t e = r->b[b].head; e;) {
				uint32_t next = k[e].next;
				k[e].next = head;
				head = e;
				e = next;
			}
			r->n -= r->b[b].n;
			n += r->b[b].n;
			r->b[b] = (struct sim_calendar_bucket){ 0, 0 };
		}
	}
	c->nrungs = 0;
	c->top_head = 0;
	c->top_n = 0;
	c->top_start = UINT64_MAX;
	c->top_min = UINT64_MAX;
	c->top_max = 0;
	list_to_bottom(c, head, n);
}

/* The bottom ukey limit: entries below it belong in the bottom. */
static inline uint64_t bottom_limit(const struct sim_calendar *c)
{
	return c->nrungs ? c->rungs[c->nrungs - 1].cur_key : c->top_start;
}

/* Heap mode: no rung, and the top takes only SIM_TIME_NEVER, so every other
 * push goes to the bottom. */
static inline bool heap_mode(const struct sim_calendar *c)
{
	return c->nrungs == 0 && c->top_start == UINT64_MAX;
}

/* Refill the empty bottom from the ladder (and the ladder from the top),
 * until it holds a live event or nothing is stored outside it. */
static void refill(struct sim_calendar *c)
{
	/* Few entries left: the heap alone serves them better. */
	if (c->count <= SMALL_MAX / 2 && (c->nrungs || c->top_n))
		ladder_to_bottom(c);
	while (c->run_n == 0 && c->bottom_n == 0) {
		if (c->nrungs == 0) {
			if (c->top_n == 0)
				break;
			top_to_ladder(c);
			continue;
		}
		struct sim_calendar_rung *r = &c->rungs[c->nrungs - 1];
		if (r->n == 0) {
			/* Spent or empty: later pushes in its range go to the
			 * bottom, all below the coarser rung's current bucket. */
			c->nrungs--;
			continue;
		}
		uint32_t k = r->cur;
		while (r->b[k].head == 0)
			k++;
		assert(k < r->nb);
		struct sim_calendar_bucket b = r->b[k];
		uint64_t lo = r->start + ((uint64_t)k << r->shift);
		unsigned shift = r->shift;
		r->b[k] = (struct sim_calendar_bucket){ 0, 0 };
		r->n -= b.n;
		r->cur = k + 1;
		if (r->cur == r->nb)
			c->nrungs--; /* spent: its end is within the coarser rung's bucket */
		else
			r->cur_key = r->start + ((uint64_t)r->cur << shift);

		uint64_t end_m1;
		struct sim_calendar_rung *child;
		if (b.n > BUCKET_MAX && shift > 0 &&
		    (child = rung_create(c, lo, (UINT64_C(1) << shift) - 1, b.n, &end_m1)))
			list_to_rung(c, b.head, child);
		else
			list_to_bottom(c, b.head, b.n);
	}
	/* Everything is in the bottom (or nothing is stored): heap mode. */
	if (c->nrungs == 0 && c->top_n == 0)
		c->top_start = UINT64_MAX;
	size_t n = c->run_n + c->bottom_n;
	size_t min = heap_mode(c) ? SMALL_MAX : BOTTOM_SPAWN_MIN;
	c->bottom_spawn_at = 2 * n > min ? 2 * n : min;
}

/* The earliest entry of the bottom, run or heap (NULL when both are empty).
 * On a tie the run's goes first: the heap holds only entries pushed after
 * the run was filled, or the run is empty. */
static inline const struct sim_calendar_entry *front(const struct sim_calendar *c,
						     bool *from_run)
{
	const struct sim_calendar_entry *r = c->run_n ? &c->run[c->run_n - 1] : NULL;
	const struct sim_calendar_entry *h = c->bottom_n ? &c->bottom[ROOT] : NULL;

	*from_run = r && !(h && entry_before(c->slots, *h, *r));
	return *from_run ? r : h;
}

static inline void remove_front(struct sim_calendar *c, bool from_run)
{
	if (from_run) {
		c->run_n--;
	} else {
		size_t n = --c->bottom_n;
		if (n)
			sift_down(c, ROOT, n + ROOT - 1, c->bottom[n + ROOT], false);
	}
}

/* Deferred root: give the heap its root back, as remove_front would have
 * (the last entry fills the hole).  Every entry point but the push that
 * fills the hole itself calls this before it looks at the bottom. */
static inline void fill_hole(struct sim_calendar *c)
{
	if (unlikely(c->root_hole)) {
		/* Entries are at ROOT + 1 .. ROOT + n (n > 0): the last one
		 * fills the hole, ROOT .. ROOT + n - 1 remain. */
		size_t n = c->bottom_n;
		c->root_hole = false;
		sift_down(c, ROOT, n + ROOT - 1, c->bottom[n + ROOT], false);
	}
}

/* The bottom has grown past bottom_spawn_at: spread it over a new finest
 * rung and refill.  Under a ladder the rung reaches from the bottom's
 * earliest entry to the bottom limit.  (Entries at the limit itself can be
 * there only when top_start has saturated at SIM_TIME_NEVER; the rung then
 * reaches as far as they do.)  In heap mode there is no limit: the rung
 * spans the bottom's entries, like the rung of an epoch, and top_start moves
 * past it, which ends heap mode. */
static void bottom_to_rung(struct sim_calendar *c)
{
	bool from_run, epoch = heap_mode(c);
	uint64_t lo = ukey(front(c, &from_run)->at_ns), limit = bottom_limit(c), end_m1;
	uint64_t hi_m1 = !epoch && limit > lo ? limit - 1 : lo;
	const struct sim_calendar_entry *h = c->bottom;
	size_t n = c->run_n + c->bottom_n;
	struct sim_calendar_rung *r;

	for (size_t i = ROOT; i < ROOT + c->bottom_n; i++)
		hi_m1 = ukey(h[i].at_ns) > hi_m1 ? ukey(h[i].at_ns) : hi_m1;
	if (c->run_n)
		hi_m1 = ukey(c->run[0].at_ns) > hi_m1 ? ukey(c->run[0].at_ns) : hi_m1;
	if (hi_m1 == lo || !(r = rung_create(c, lo, hi_m1 - lo, n, &end_m1))) {
		c->bottom_spawn_at = 2 * n;
		return;
	}
	/* Saturated at UINT64_MAX as in top_to_ladder: the top may then hold
	 * entries at SIM_TIME_NEVER pushed after the rung's. */
	if (epoch)
		c->top_start = end_m1 == UINT64_MAX ? UINT64_MAX : end_m1 + 1;
	for (size_t i = 0; i < c->run_n + c->bottom_n; i++) {
		struct sim_calendar_entry x = i < c->run_n ? c->run[i] : h[ROOT + i - c->run_n];
		if (c->keys[x.slot].state == SIM_SLOT_LIVE)
			rung_add(r, c->keys, x.slot, ukey(x.at_ns));
		else
			free_slot(c, x.slot);
	}
	c->run_n = 0;
	c->bottom_n = 0;
	refill(c);
}

/* Restore the invariant after the front was removed: drop cancelled entries
 * as they surface, and refill from the ladder when the bottom runs dry. */
static void settle(struct sim_calendar *c)
{
	for (;;) {
		if (c->run_n == 0 && c->bottom_n == 0) {
			if (c->count)
				refill(c); /* brings only live entries */
			return;
		}
		/* No cancelled entries at all (the usual case): the front is
		 * live without reading its key. */
		if (c->stored == c->count)
			return;
		bool from_run;
		uint32_t slot = front(c, &from_run)->slot;
		if (c->keys[slot].state == SIM_SLOT_LIVE)
			return;
		free_slot(c, slot);
		remove_front(c, from_run);
	}
}

/* ---- sweeping and growth -------------------------------------------------- */

static uint32_t sweep_list(struct sim_calendar *c, uint32_t head, uint32_t *n)
{
	uint32_t *link = &head;

	while (*link) {
		uint32_t slot = *link;
		if (c->keys[slot].state == SIM_SLOT_LIVE) {
			link = &c->keys[slot].next;
		} else {
			*link = c->keys[slot].next;
			free_slot(c, slot);
			--*n;
		}
	}
	return head;
}

/* Drop every cancelled entry and free its slot.  The heap's survivors are
 * re-inserted in place, in array order (each sift_up writes at or before
 * the index being read); the run's keep their order.  The front is live,
 * so it stays. */
static void sweep(struct sim_calendar *c)
{
	uint32_t n = 0;
	size_t kept = 0;

	n = (uint32_t)c->top_n;
	c->top_head = sweep_list(c, c->top_head, &n);
	c->top_n = n;
	for (unsigned i = 0; i < c->nrungs; i++) {
		struct sim_calendar_rung *r = &c->rungs[i];
		for (uint32_t k = r->cur; k < r->nb && r->n; k++) {
			uint32_t before = r->b[k].n;
			r->b[k].head = sweep_list(c, r->b[k].head, &r->b[k].n);
			r->n -= before - r->b[k].n;
		}
	}
	for (size_t i = ROOT; i < ROOT + c->bottom_n; i++) {
		struct sim_calendar_entry x = c->bottom[i];
		if (c->keys[x.slot].state == SIM_SLOT_LIVE)
			sift_up(c, ROOT + kept++, x, false);
		else
			free_slot(c, x.slot);
	}
	c->bottom_n = kept;
	kept = 0;
	for (size_t i = 0; i < c->run_n; i++) {
		struct sim_calendar_entry x = c->run[i];
		if (c->keys[x.slot].state == SIM_SLOT_LIVE)
			c->run[kept++] = x;
		else
			free_slot(c, x.slot);
	}
	c->run_n = kept;
	assert(c->stored == c->count);
	c->sweeps++;
}

/* Thread slots [from, to) onto the free list, lowest index first out. */
static void free_slots_range(struct sim_calendar *c, uint32_t from, uint32_t to)
{
	for (uint32_t i = to; i-- > from;) {
		c->keys[i] = (struct sim_calendar_key){ .next = c->free_slot, .state = SIM_SLOT_FREE };
		c->slots[i] = (struct sim_calendar_slot){ .gen = 1 };
		c->free_slot = i;
	}
}

/* Grow keys, slots and the bottom together to `cap` slots. */
static bool grow_to(struct sim_calendar *c, uint64_t cap)
{
	if (cap > MAX_SLOTS)
		cap = MAX_SLOTS;
	if (cap <= c->slot_cap || cap + ROOT > SIZE_MAX / sizeof(struct sim_calendar_slot))
		return false;

	void *mem;
	if (posix_memalign(&mem, HEAP_ALIGN, (size_t)(cap + ROOT) * sizeof(*c->bottom)) != 0)
		return false;
	/* realloc would not keep the 64-byte alignment, so copy by hand. */
	if (c->bottom)
		memcpy(mem, c->bottom, (c->bottom_n + ROOT) * sizeof(*c->bottom));
	free(c->bottom);
	c->bottom = mem;

	struct sim_calendar_key *keys = realloc(c->keys, (size_t)cap * sizeof(*keys));
	if (!keys)
		return false;
	c->keys = keys;
	struct sim_calendar_slot *slots = realloc(c->slots, (size_t)cap * sizeof(*slots));
	if (!slots)
		return false; /* keys has grown: harmless, slot_cap still says the old size */
	c->slots = slots;
	if (c->slot_cap == 0) {
		/* Slot 0 stays out of the free list: it is the null handle and
		 * the end of every list. */
		c->keys[0] = (struct sim_calendar_key){ .state = SIM_SLOT_FREE };
		c->slots[0] = (struct sim_calendar_slot){ .gen = 0 };
		c->slot_cap = 1;
	}
	free_slots_range(c, c->slot_cap, (uint32_t)cap);
	c->slot_cap = (uint32_t)cap;
	return true;
}

/* A free slot: sweep when cancelled entries are at least half of those
 * stored, grow otherwise. */
static bool make_room(struct sim_calendar *c)
{
	size_t stale = c->stored - c->count;

	if (stale > 0 && stale >= c->stored / 2) {
		sweep(c);
		return true;
	}
	return grow_to(c, c->slot_cap ? (uint64_t)c->slot_cap * 2 : DEFAULT_CAP + 1);
}

/* ---- the API ------------------------------------------------------------- */

void sim_calendar_init(struct sim_calendar *c, size_t initial_cap)
{
	/* Empty, hence in heap mode. */
	*c = (struct sim_calendar){ .top_start = UINT64_MAX, .top_min = UINT64_MAX,
				    .bottom_spawn_at = SMALL_MAX };
	if (initial_cap == 0)
		initial_cap = DEFAULT_CAP;
	if (initial_cap > MAX_SLOTS - 1)
		initial_cap = MAX_SLOTS - 1;
	/* Failure here is not fatal: push retries the growth and reports it. */
	(void)grow_to(c, (uint64_t)initial_cap + 1);
}

void sim_calendar_set_max_pending(struct sim_calendar *c, size_t max_pending)
{
	c->max_pending = max_pending;
	c->fast_pushes = 0;
}

void sim_calendar_fini(struct sim_calendar *c)
{
	free(c->bottom);
	free(c->keys);
	free(c->slots);
	for (unsigned i = 0; i < SIM_CALENDAR_MAX_RUNGS; i++)
		free(c->rungs[i].b);
	*c = (struct sim_calendar){ 0 };
}

/* Take a free slot (there is one) for a new live event and fill it. */
static inline uint32_t take_slot(struct sim_calendar *c, int64_t at_ns, sim_event_fn fn, void *obj,
				 uint64_t arg)
{
	uint32_t slot = c->free_slot;
	struct sim_calendar_key *k = &c->keys[slot];
	struct sim_calendar_slot *s = &c->slots[slot];
	c->free_slot = k->next;
	k->at_ns = at_ns;
	k->state = SIM_SLOT_LIVE;
	s->fn = fn;
	s->obj = obj;
	s->arg = arg;
	s->seq = c->next_seq++;
	c->count++;
	c->stored++;
	return slot;
}

/* Fast pushes.  The common push (heap mode, no root hole, room in the run,
 * a free slot, the bottom below bottom_spawn_at, max_pending not reached)
 * goes straight into the run.  Rather than test those six conditions on
 * every push, fast_pushes counts the pushes for which they are sure to hold:
 * each fast push spends one.  A fast pop (the run's end, nothing
 * cancelled) loosens each of the four counted limits (run room, free
 * slots, room below bottom_spawn_at, room below max_pending) by exactly
 * one, so it gives one back, but only to a count that is not 0: a count of
 * 0 may stand for a condition that is not counted (not in heap mode, a
 * root hole), and the next push recomputes it anyway.  Every other change
 * of the calendar resets it: push_general recomputes it on entry and exit;
 * every other pop, a cancel and sim_calendar_set_max_pending set it to 0.
 * The count only decides which path a push takes, never where the event
 * goes: a push the count does not cover goes through push_general, which
 * recomputes the count first and takes the run whenever the conditions
 * hold.  (Baseline scenario: about 15
 * fewer instructions per push.) */
static inline size_t fast_push_budget(const struct sim_calendar *c)
{
	if (!heap_mode(c) || c->root_hole || c->slot_cap == 0)
		return 0;
	size_t in_bottom = c->run_n + c->bottom_n;
	size_t n = SIM_CALENDAR_RUN_MAX - c->run_n;
	size_t free_slots = c->slot_cap - 1 - c->stored;
	size_t below_spawn = c->bottom_spawn_at > in_bottom + 1 ? c->bottom_spawn_at - in_bottom - 1 : 0;
	n = free_slots < n ? free_slots : n;
	n = below_spawn < n ? below_spawn : n;
	if (c->max_pending) {
		size_t left = c->count < c->max_pending ? c->max_pending - c->count : 0;
		n = left < n ? left : n;
	}
	return n;
}

/* A fast push: a sorted insertion from the run's early end (see "Small
 * calendars"). */
static inline struct sim_event_handle push_to_run(struct sim_calendar *c, int64_t at_ns,
						  sim_event_fn fn, void *obj, uint64_t arg)
{
	uint32_t slot = take_slot(c, at_ns, fn, obj, arg);
	struct sim_calendar_entry *run = c->run;
	size_t j = c->run_n++;
	/* x is the newest entry: on a tie it goes after the others.  Unless x
	 * is the latest of all, the run's latest entry stops the scan, so the
	 * loop needs no bound test. */
	if (likely(j > 0 && run[0].at_ns > at_ns)) {
		while (run[j - 1].at_ns <= at_ns) {
			run[j] = run[j - 1];
			j--;
		}
	} else {
		memmove(&run[1], &run[0], j * sizeof(*run));
		j = 0;
	}
	run[j] = (struct sim_calendar_entry){ .at_ns = at_ns, .slot = slot };
	return (struct sim_event_handle){ .slot = slot, .gen = c->slots[slot].gen };
}

/* Every push but the common one below: the ladder, the top, growth, a full
 * bottom.  Kept out of line so that the common case compiles to a short
 * function that saves few registers. */
static __attribute__((noinline)) struct sim_event_handle
push_general(struct sim_calendar *c, int64_t at_ns, sim_event_fn fn, void *obj, uint64_t arg)
{
	const struct sim_event_handle null = { 0, 0 };

	c->fast_pushes = fast_push_budget(c);
	if (c->fast_pushes != 0 && at_ns != SIM_TIME_NEVER) {
		c->fast_pushes--;
		return push_to_run(c, at_ns, fn, obj, arg);
	}
	if (unlikely(c->max_pending && c->count >= c->max_pending))
		return null;
	uint64_t u = ukey(at_ns);
	/* Deferred root: a push into the bottom fills the hole itself; any
	 * other needs the heap whole first. */
	bool into_hole = c->root_hole;
	if (into_hole && (u >= c->top_start || (c->nrungs && u >= c->rungs[c->nrungs - 1].cur_key) ||
			  c->free_slot == 0)) {
		fill_hole(c);
		into_hole = false;
	}
	if (unlikely(c->free_slot == 0) && !make_room(c))
		return null;

	uint32_t slot = take_slot(c, at_ns, fn, obj, arg);
	struct sim_calendar_key *k = &c->keys[slot];

	if (into_hole) {
		/* Below the ladder, as the test above found: x takes the popped
		 * root's place, one sift instead of a pop's and a push's.  x is
		 * the newest entry, so its rise compares times only. */
		c->root_hole = false;
		size_t n = c->bottom_n++;
		sink_newest(c, ROOT, n + ROOT, (struct sim_calendar_entry){ .at_ns = at_ns, .slot = slot });
		if (unlikely(c->run_n + c->bottom_n >= c->bottom_spawn_at))
			bottom_to_rung(c);
	} else if (u >= c->top_start) {
		k->next = c->top_head;
		c->top_head = slot;
		c->top_n++;
		c->top_min = u < c->top_min ? u : c->top_min;
		c->top_max = u > c->top_max ? u : c->top_max;
	} else {
		unsigned i = 0;
		while (i < c->nrungs && u < c->rungs[i].cur_key)
			i++;
		if (i < c->nrungs) {
			rung_add(&c->rungs[i], c->keys, slot, u);
		} else {
			/* Newest of all: FIFO on ties with the run and the
			 * heap holds without reading a slot. */
			bottom_add(c, (struct sim_calendar_entry){ .at_ns = at_ns, .slot = slot }, true);
			if (unlikely(c->run_n + c->bottom_n >= c->bottom_spawn_at))
				bottom_to_rung(c);
		}
	}
	if (unlikely(c->run_n == 0 && c->bottom_n == 0))
		refill(c);
	c->fast_pushes = fast_push_budget(c);
	return (struct sim_event_handle){ .slot = slot, .gen = c->slots[slot].gen };
}

struct sim_event_handle sim_calendar_push(struct sim_calendar *c, int64_t at_ns,
					  sim_event_fn fn, void *obj, uint64_t arg)
{
	/* The common case: heap mode, room in the run, nothing limits the
	 * push (see "Fast pushes"). */
	if (likely(c->fast_pushes != 0 && at_ns != SIM_TIME_NEVER)) {
		c->fast_pushes--;
		return push_to_run(c, at_ns, fn, obj, arg);
	}
	return push_general(c, at_ns, fn, obj, arg);
}

/* Hand the event of entry e over in *out and free its slot. */
static inline void fire(struct sim_calendar *c, struct sim_calendar_entry e, struct sim_event *out)
{
	struct sim_calendar_slot *s = &c->slots[e.slot];
	out->at_ns = e.at_ns;
	out->fn = s->fn;
	out->obj = s->obj;
	out->arg = s->arg;
	bump_gen(s);
	free_slot(c, e.slot);
	c->count--;
}

static inline bool pop_until(struct sim_calendar *c, int64_t until_ns, struct sim_event *out)
{
	bool from_run;
	if (likely(c->bottom_n == 0 && c->run_n > 1 && c->stored == c->count)) {
		/* Small calendars: the run alone, every entry live. */
		struct sim_calendar_entry e = c->run[c->run_n - 1];
		if (e.at_ns > until_ns)
			return false;
		fire(c, e, out);
		c->run_n--;
		/* One more fast push, unless the count was 0 for another
		 * reason than room (see "Fast pushes"). */
		c->fast_pushes += c->fast_pushes != 0;
		return true;
	}
	c->fast_pushes = 0;
	fill_hole(c);
	const struct sim_calendar_entry *f = front(c, &from_run);

	if (unlikely(!f) || f->at_ns > until_ns)
		return false;

	fire(c, *f, out);
	if (likely(c->run_n == 0 && c->bottom_n > 1 && c->stored == c->count)) {
		/* Deferred root: the handler about to run usually pushes an
		 * event, which then fills the hole (see push); the front is
		 * live, as no entry is cancelled. */
		c->bottom_n--;
		c->root_hole = true;
		return true;
	}
	remove_front(c, from_run);
	if (unlikely(c->run_n == 0 && c->bottom_n == 0) || unlikely(c->stored != c->count))
		settle(c);
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
	bool from_run;

	if (c->root_hole) {
		/* The earliest entry is one of the root's children. */
		const struct sim_calendar_entry *h = c->bottom;
		size_t last = ROOT + c->bottom_n;
		int64_t t = h[FIRST_CHILD(ROOT)].at_ns;
		if (FIRST_CHILD(ROOT) + 1 <= last && h[FIRST_CHILD(ROOT) + 1].at_ns < t)
			t = h[FIRST_CHILD(ROOT) + 1].at_ns;
		return t;
	}
	const struct sim_calendar_entry *f = front(c, &from_run);
	return f ? f->at_ns : SIM_TIME_NEVER;
}

bool sim_calendar_is_pending(const struct sim_calendar *c, struct sim_event_handle h)
{
	if (h.slot == 0 || h.slot >= c->slot_cap || h.gen == 0)
		return false;
	return c->slots[h.slot].gen == h.gen && c->keys[h.slot].state == SIM_SLOT_LIVE;
}

bool sim_calendar_cancel(struct sim_calendar *c, struct sim_event_handle h)
{
	if (!sim_calendar_is_pending(c, h))
		return false;

	c->fast_pushes = 0;
	fill_hole(c);
	bump_gen(&c->slots[h.slot]);
	c->keys[h.slot].state = SIM_SLOT_CANCELLED;
	c->count--;
	bool from_run;
	if (front(c, &from_run)->slot == h.slot) {
		/* Keep the front live (see the invariant above). */
		free_slot(c, h.slot);
		remove_front(c, from_run);
		settle(c);
	}
	return true;
}
