/* Long-horizon availability from node states (models/availability.c).
 *
 * A year of requests is too many to simulate, but a year of node states is
 * a few hundred events.  model_availability simulates, per replication, the
 * up/down process of every node that a `random` failure names (the same
 * alternating renewal process and the same streams "failures.NAME" as the
 * request-level model, so the failure times are the ones `tiersim run`
 * would see), plus the detection and failover windows that make a failure
 * visible, and weights the time spent in each distinct system state by that
 * state's request success ratio, measured once by a short request-level run
 * of the state (model_run_replication with a fixed failure set).
 * docs/failures.md ("Long horizons") says what the abstraction ignores. */
#ifndef MODELS_AVAILABILITY_H
#define MODELS_AVAILABILITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "results.h"

#define AVAIL_MAX_STATES 512
#define AVAIL_MAX_CAUSES 16
#define AVAIL_MAX_REPS 1024
#define AVAIL_CAUSE_MAX 48

/* What each node is in a state key: up, down (detected: the system has
 * routed around it), or down inside its detection or failover window. */
enum { AVAIL_NODE_UP = 'U', AVAIL_NODE_DOWN = 'D', AVAIL_NODE_DETECTING = 'W' };

struct avail_options {
	int64_t horizon_ns;       /* simulated time per replication (1y) */
	unsigned replications;    /* of the state-level simulation, >= 2 for a CI */
	int jobs;                 /* threads for the states' request-level runs; <= 0: all */
	int64_t state_measure_ns; /* measured length of a steady state's request-level run */
	unsigned state_replications; /* request-level runs per state; 0: one per replication,
	                              * so that the CI covers the measurement error too */
};

/* The defaults: 1 y, 20 replications, 30 s per steady state, one run of each
 * state per replication. */
void model_availability_options_init(struct avail_options *o);

struct avail_state {
	char key[MODEL_MAX_NODES + 1]; /* one AVAIL_NODE_* per node, lb1 first; canonical:
	                                * the VIP holder is lb1, the db primary db1 */
	double success_ratio;     /* measured, mean over its runs: completed / (completed +
	                           * failed); a detecting state's as explained in
	                           * availability.c (measure_one) */
	double window_s;          /* detecting states: the window measured; 0 steady */
	double time_s;            /* spent in it, summed over the replications */
	int cause;                /* index in causes[] */
};

struct avail_results {
	size_t nreplications;
	double horizon_s;
	/* per replication [nreplications] */
	double unavailability[AVAIL_MAX_REPS];   /* 1 - time-weighted success ratio */
	uint64_t failures[AVAIL_MAX_REPS];       /* node failures within the horizon */
	uint64_t failovers[AVAIL_MAX_REPS];      /* failures that opened a detection window */
	double *cause_downtime_s;                /* [nreplications * ncauses], owned */
	size_t ncauses;
	char causes[AVAIL_MAX_CAUSES][AVAIL_CAUSE_MAX]; /* "lb", "lb failover", "db+web" */
	size_t nstates;
	struct avail_state states[AVAIL_MAX_STATES];
	double *state_ratio;      /* [nstates * state_replications], owned: the
	                           * measured success ratio of each state and run */
	unsigned state_replications;
	int nnodes;
	char node_names[MODEL_MAX_NODES][16];
};

/* Why cfg cannot be estimated this way (one line), or true.  It needs at
 * least one `random` failure and at most one per tier. */
bool model_availability_supported(const struct model_config *cfg, char *why, size_t whylen);

/* The mean detection window (ns) a failure of a node of `tier` opens when the
 * node holds a role the system must move (the LB holding the VIP, the db
 * primary, any web server for HAProxy's checks); 0 for the app tier (nginx's
 * passive checks are part of the steady state measured). */
int64_t model_availability_window_ns(const struct model_config *cfg, enum model_tier tier);

/* 0, ENOMEM, or ENOSPC (more distinct states or causes than the limits). */
int model_availability(const struct model_config *cfg, const struct avail_options *o,
		       struct avail_results *out);
void model_availability_fini(struct avail_results *r);

#endif
