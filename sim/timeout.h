/* Time-outs of one fixed duration, without a calendar event each.
 *
 * A client's 10 s time-out, HAProxy's `timeout server`: every request arms
 * one and almost every one is cancelled long before it fires.  Pushing each
 * onto the calendar costs a heap insertion, and a cancelled key lingers in
 * the heap.  When all time-outs of a kind have the same duration they expire
 * in the order they were started, so a FIFO list is already sorted: starting
 * appends (O(1)), stopping unlinks (O(1)), and one calendar event, armed for
 * the earliest deadline, serves the whole list.  When that event finds its
 * entry stopped it re-arms for the new head, so the calendar sees about one
 * event per time-out duration instead of one per request.
 *
 * Invariant: the list is sorted by deadline (the clock never goes back and
 * the duration is fixed); at most one event is armed, never later than the
 * head's deadline.  Expired entries fire in start order; the callback may
 * start or stop other entries of the same queue. */
#ifndef SIM_TIMEOUT_H
#define SIM_TIMEOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine.h"

struct sim_timeout_queue;

/* Intrusive entry, embedded in the owner's object. */
struct sim_timeout {
	struct sim_timeout *next; /* NULL when not started */
	struct sim_timeout *prev;
	int64_t deadline_ns;
};

typedef void (*sim_timeout_fn)(struct sim_engine *e, struct sim_timeout_queue *q,
			       struct sim_timeout *t);

struct sim_timeout_queue {
	int64_t duration_ns;        /* > 0 */
	sim_timeout_fn expired;     /* called with t already stopped */
	void *owner;
	struct sim_timeout list;    /* sentinel: list.next is the earliest */
	size_t count;               /* started and not stopped or expired */
	struct sim_event_handle armed;
};

void sim_timeout_queue_init(struct sim_timeout_queue *q, int64_t duration_ns,
			    sim_timeout_fn expired, void *owner);
/* Start t (not currently started) to expire duration_ns from now. */
void sim_timeout_start(struct sim_engine *e, struct sim_timeout_queue *q, struct sim_timeout *t);
/* Stop t if it is started; harmless otherwise. */
void sim_timeout_stop(struct sim_timeout_queue *q, struct sim_timeout *t);

static inline bool sim_timeout_is_started(const struct sim_timeout *t) { return t->next != NULL; }

#endif
