/* The simulation engine: a clock driven by the calendar.
 *
 * Time jumps from event to event (next-event time advance): the clock is set
 * to an event's time just before its callback runs, so a callback always sees
 * now == its own scheduled instant, and it never moves backwards.
 *
 * Scheduling in the past is a programming error (a model computed a negative
 * delay).  Debug builds assert on it; release builds (-DNDEBUG) clamp the
 * instant to now, which keeps the clock monotonic and the run going: the event
 * then fires after everything already scheduled for now, as if it had been
 * scheduled with a zero delay.
 *
 * Stopping is cooperative: sim_engine_stop only raises a flag, checked after
 * each callback returns, so the event that asked to stop completes and the
 * clock stays at its time.  A Ctrl-C (sim/interrupt.h) stops every running
 * engine the same way, after the event in progress. */
#include "sim/engine.h"

#include <assert.h>

#include "sim/interrupt.h"
#include "sim/time.h"

/* Enough for a small model without growth; the calendar doubles as needed. */
#define ENGINE_CALENDAR_CAP 1024

void sim_engine_init(struct sim_engine *e)
{
	*e = (struct sim_engine){ .now_ns = 0 };
	sim_calendar_init(&e->cal, ENGINE_CALENDAR_CAP);
}

void sim_engine_fini(struct sim_engine *e)
{
	sim_calendar_fini(&e->cal);
}

struct sim_event_handle sim_engine_at(struct sim_engine *e, int64_t at_ns, sim_event_fn fn,
				      void *obj, uint64_t arg)
{
	assert(at_ns >= e->now_ns && "event scheduled in the past");
	if (at_ns < e->now_ns)
		at_ns = e->now_ns;
	return sim_calendar_push(&e->cal, at_ns, fn, obj, arg);
}

struct sim_event_handle sim_engine_after(struct sim_engine *e, int64_t delay_ns,
					 sim_event_fn fn, void *obj, uint64_t arg)
{
	assert(delay_ns >= 0 && "negative delay");
	if (delay_ns < 0)
		delay_ns = 0;
	/* Saturate: a delay "forever" must not wrap around into the past. */
	int64_t at_ns = delay_ns > SIM_TIME_NEVER - e->now_ns ? SIM_TIME_NEVER
							       : e->now_ns + delay_ns;
	return sim_calendar_push(&e->cal, at_ns, fn, obj, arg);
}

bool sim_engine_cancel(struct sim_engine *e, struct sim_event_handle h)
{
	return sim_calendar_cancel(&e->cal, h);
}

enum sim_run_status sim_engine_run(struct sim_engine *e, int64_t until_ns)
{
	struct sim_event ev;

	assert(until_ns >= e->now_ns && "run would move the clock backwards");
	/* A stop left over from sim_engine_step or from outside a run must not
	 * end this run before it starts. */
	e->stop_requested = false;

	while (sim_calendar_pop_until(&e->cal, until_ns, &ev)) {
		e->now_ns = ev.at_ns;
		e->events_fired++;
		ev.fn(e, ev.obj, ev.arg);
		/* One test for both stops: a callback's sim_engine_stop and a
		 * Ctrl-C (sim/interrupt.h), whose flag stays raised. */
		if (__builtin_expect(e->stop_requested | (sim_interrupt_signal != 0), 0)) {
			e->stop_requested = false;
			return SIM_RUN_STOPPED;
		}
	}

	if (sim_calendar_count(&e->cal) == 0) {
		/* Running "until the end of time" means "until nothing is left":
		 * keep the clock at the last event rather than at SIM_TIME_NEVER,
		 * so time-weighted statistics close at a meaningful instant. */
		if (until_ns != SIM_TIME_NEVER && until_ns > e->now_ns)
			e->now_ns = until_ns;
		return SIM_RUN_EMPTY;
	}
	if (until_ns > e->now_ns)
		e->now_ns = until_ns;
	return SIM_RUN_REACHED_END;
}

bool sim_engine_step(struct sim_engine *e)
{
	struct sim_event ev;

	if (!sim_calendar_pop(&e->cal, &ev))
		return false;
	e->now_ns = ev.at_ns;
	e->events_fired++;
	ev.fn(e, ev.obj, ev.arg);
	return true;
}

void sim_engine_stop(struct sim_engine *e)
{
	e->stop_requested = true;
}
