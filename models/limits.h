/* The memory budget of one replication, as caps on what grows with load.
 *
 * Far above capacity, requests pile up faster than they finish: without a
 * time-out nothing ever takes them out, and a run of hours would hold
 * millions of requests and their events until the machine swaps.  A
 * simulator must stay bounded whatever the scenario, so each replication
 * gets a memory budget (`tiersim run --max-memory`, default
 * MODEL_MEMORY_DEFAULT_BYTES) and turns it into caps on what load makes
 * grow: live client calls and attempts (the two pools) and pending events.
 * When a cap is reached, the client's new sends (first sends and retries)
 * are dropped at the client and fail with the cause memory_limit; requests
 * already admitted go on untouched.  Only sends are ever refused: the
 * calendar itself has no cap (max_pending stays 0), because an internal
 * event refused (a service completion, a time-out) would leave a request
 * stuck where it is.  Arrivals stop at the event cap instead, which leaves
 * the requests already admitted room for the few events each still needs.
 *
 * What the budget does not cover: the fixed part of a replication (nodes,
 * histograms: a few MB), the time series (a few bytes per window and node)
 * and the replication relay log (writes committed but not yet applied on a
 * replica, bounded by the primary's commit rate times the lag; not capped,
 * because a replica that missed a write would report a wrong lag).
 *
 * The caps (not the budget) decide the results, and they depend only on the
 * budget and the struct sizes of this build, never on the machine or -j: a
 * run that hits them gives the same numbers everywhere. */
#ifndef MODELS_LIMITS_H
#define MODELS_LIMITS_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

/* 1 GiB per replication: about a million calls in flight, 20 times what the
 * shipped scenarios ever hold, and 2 replications in parallel fit a 4 GB
 * machine. */
#define MODEL_MEMORY_DEFAULT_BYTES ((int64_t)1 << 30)
/* Less leaves room for too few requests to mean anything. */
#define MODEL_MEMORY_MIN_BYTES ((int64_t)1 << 20)
/* Pending events one admitted call may need at once: its attempt's own
 * event (a hop, a CPU completion, a queue time-out or a SYN timer), a
 * connect time-out armed at the app or the database, its retry timer, and
 * one for an event that outlives its attempt (a connect time-out whose
 * request has moved on fires later and finds nothing to do). */
#define MODEL_EVENTS_PER_CALL 4
/* Events that belong to no request (windows, checks, adverts, failures,
 * scaling, lag samples): room for them on top of the calls' share. */
#define MODEL_EVENTS_FIXED 256

struct model_limits {
	int64_t budget_bytes;     /* per replication */
	size_t bytes_per_call;    /* the most one admitted call can cost */
	size_t max_calls;         /* live client calls (struct wl_call) */
	size_t max_requests;      /* live attempts (struct request), zombies included */
	size_t max_events;        /* pending events at which sends are refused */
};

/* The caps of cfg's budget (cfg->max_memory_bytes, 0: the default). */
void model_limits_of(const struct model_config *cfg, struct model_limits *out);

/* Bytes of calendar memory one pending event may cost: its key, slot and
 * bottom entry, times 4 (the calendar keeps fewer than four times the peak
 * of live events, calendar.h). */
size_t model_limits_event_bytes(void);

/* How many replications may run at once (jobs, <= 0: every core) so that
 * their budgets fit in three quarters of the physical memory: fewer threads
 * never change the results (sim/replicate.h), swapping would stall them. */
int model_limits_jobs(int64_t budget_bytes, int jobs);

#endif
