/* Fixed-duration time-outs in a FIFO list; see timeout.h. */
#include "sim/timeout.h"

#include <assert.h>

static void on_armed(struct sim_engine *e, void *obj, uint64_t arg);

static void arm(struct sim_engine *e, struct sim_timeout_queue *q)
{
	q->armed = sim_engine_at(e, q->list.next->deadline_ns, on_armed, q, 0);
}

void sim_timeout_queue_init(struct sim_timeout_queue *q, int64_t duration_ns,
			    sim_timeout_fn expired, void *owner)
{
	assert(duration_ns > 0);
	q->duration_ns = duration_ns;
	q->expired = expired;
	q->owner = owner;
	q->list.next = q->list.prev = &q->list;
	q->count = 0;
	q->armed = (struct sim_event_handle){0, 0};
}

static void unlink_entry(struct sim_timeout_queue *q, struct sim_timeout *t)
{
	t->prev->next = t->next;
	t->next->prev = t->prev;
	t->next = t->prev = NULL;
	q->count--;
}

void sim_timeout_start(struct sim_engine *e, struct sim_timeout_queue *q, struct sim_timeout *t)
{
	assert(!sim_timeout_is_started(t));
	t->deadline_ns = e->now_ns + q->duration_ns;
	t->prev = q->list.prev;
	t->next = &q->list;
	q->list.prev->next = t;
	q->list.prev = t;
	q->count++;
	if (sim_event_handle_is_null(q->armed))
		arm(e, q);
}

void sim_timeout_stop(struct sim_timeout_queue *q, struct sim_timeout *t)
{
	if (sim_timeout_is_started(t))
		unlink_entry(q, t);
	/* The armed event stays: when it fires it re-arms for the new head. */
}

static void on_armed(struct sim_engine *e, void *obj, uint64_t arg)
{
	struct sim_timeout_queue *q = obj;
	(void)arg;
	q->armed = (struct sim_event_handle){0, 0};
	while (q->count && q->list.next->deadline_ns <= e->now_ns) {
		struct sim_timeout *t = q->list.next;
		unlink_entry(q, t);
		q->expired(e, q, t);
	}
	if (q->count && sim_event_handle_is_null(q->armed))
		arm(e, q);
}
