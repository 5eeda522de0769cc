/* The simulation engine: a clock and a calendar, nothing else.
 *
 * The engine knows nothing of load balancers or databases.  Models schedule
 * callbacks; sim_engine_run pops them in (time, sequence) order, advances the
 * clock and calls them.  There is no global state: several engines may live in
 * one process (replications run in parallel threads, one engine each). */
#ifndef SIM_ENGINE_H
#define SIM_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "calendar.h"

struct sim_engine {
	int64_t now_ns;          /* current simulated time */
	struct sim_calendar cal;
	uint64_t events_fired;
	bool stop_requested;     /* set by sim_engine_stop from inside a callback */
};

void sim_engine_init(struct sim_engine *e);
void sim_engine_fini(struct sim_engine *e);

/* Schedule at an absolute instant (>= now) or after a delay (>= 0).  An
 * instant in the past is a programming error: it asserts in debug builds and
 * is clamped to now under NDEBUG (fires after the events already due now).
 * now + delay saturates at SIM_TIME_NEVER. */
struct sim_event_handle sim_engine_at(struct sim_engine *e, int64_t at_ns, sim_event_fn fn,
				      void *obj, uint64_t arg);
struct sim_event_handle sim_engine_after(struct sim_engine *e, int64_t delay_ns,
					 sim_event_fn fn, void *obj, uint64_t arg);
bool sim_engine_cancel(struct sim_engine *e, struct sim_event_handle h);

enum sim_run_status {
	SIM_RUN_REACHED_END,  /* the clock reached until_ns (now_ns == until_ns);
	                       * later events are still pending */
	SIM_RUN_EMPTY,        /* the calendar ran dry; clock set to until_ns, except
	                       * with until_ns == SIM_TIME_NEVER ("run to the end"),
	                       * where it stays at the last event's time */
	SIM_RUN_STOPPED,      /* a callback called sim_engine_stop, or a Ctrl-C
	                       * (sim_interrupted(), sim/interrupt.h) */
};

/* Fire every event with time <= until_ns (events at exactly until_ns fire),
 * then leave the clock at until_ns.  Events later than until_ns stay pending,
 * so a run can be continued in steps (the dashboard does). */
enum sim_run_status sim_engine_run(struct sim_engine *e, int64_t until_ns);

/* Fire exactly one event (the earliest); false when none is pending.  Does
 * not look at stop_requested (sim_engine_run clears it when it starts). */
bool sim_engine_step(struct sim_engine *e);

void sim_engine_stop(struct sim_engine *e);

static inline int64_t sim_engine_now_ns(const struct sim_engine *e) { return e->now_ns; }

#endif
