/* The clients: arrivals, request classes, time-outs and retries.
 *
 * Arrivals follow the rate profile of the scenario: a base rate changed by
 * steps and linear ramps.  Poisson arrivals are generated exactly by
 * inverting the integrated rate Lambda(t) (next arrival at
 * Lambda^-1(Lambda(t) + E), E ~ Exp(1)), so a ramp needs no thinning and no
 * maximum rate; constant arrivals use E = 1.  Each call picks its class by
 * share and its client uniformly among `clients`.  A client waits `timeout`
 * for each attempt, and after an error or a time-out retries up to `retries`
 * times after a `retry_backoff` pause: retries are new load, so retry storms
 * emerge on their own. */
#ifndef MODELS_WORKLOAD_H
#define MODELS_WORKLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "config.h"
#include "results.h"
#include "sim/timeout.h"

struct arch;
struct request;

#define WL_MAX_BREAKS (2 * WL_MAX_STEPS + 2)

/* Piecewise-linear rate: rate_per_s[i] at at_ns[i], linear in between,
 * constant after the last break. */
struct wl_profile {
	int64_t at_ns[WL_MAX_BREAKS];
	double rate_per_s[WL_MAX_BREAKS];
	size_t nbreaks;
};

void wl_profile_init(struct wl_profile *p, const struct wl_config *wl);
double wl_profile_rate_at(const struct wl_profile *p, int64_t t_ns);
/* The instant after t_ns at which the integrated rate has grown by
 * `increment` (expected arrivals); SIM_TIME_NEVER if it never does. */
int64_t wl_profile_advance(const struct wl_profile *p, int64_t t_ns, double increment);

struct wl_state {
	struct wl_profile profile;
	double cum_share[WL_MAX_CLASSES]; /* cumulative class shares */
	gsl_rng *arrivals;   /* "workload.arrivals" */
	gsl_rng *classes;    /* "workload.class" */
	gsl_rng *clients;    /* "workload.client" */
	gsl_rng *retries;    /* "workload.retry" */
	struct sim_timeout_queue client_timeouts; /* when workload.timeout > 0 */
	/* the last arrival drawn: from when, how much integrated rate, and its
	 * event (stale once fired), so a rate change can place it again */
	int64_t next_from_ns;
	double next_increment;
	bool next_drawn;
	struct sim_event_handle next_arrival;
};

int wl_init(struct arch *a);
void wl_fini(struct arch *a);
/* Schedule the first arrival. */
void wl_start(struct arch *a);
/* The rate profile changed at the current time (cfg->wl.schedule gained a
 * step at now, the dashboard's load keys): rebuild the profile and place the
 * pending arrival again from the same draw, exactly where a run whose
 * scenario had the step from the start would have it. */
void wl_profile_changed(struct arch *a);
/* No more arrivals (a dashboard session ends before its duration). */
void wl_stop(struct arch *a);
/* The LB answers the client of r with r's outcome (r->failed, r->error);
 * nothing happens for a zombie (r->call == NULL), whose client is gone. */
void wl_answer(struct arch *a, struct request *r);
/* The LB answers the client of r with an error of its own (503, 504) while r
 * itself may still be working downstream. */
void wl_answer_error(struct arch *a, struct request *r, enum model_error cause);

#endif
