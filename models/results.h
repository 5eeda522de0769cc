/* What one replication of the architecture model measured.
 *
 * The model only fills this structure; report/ reads it (and never model
 * internals) to aggregate replications into confidence intervals and to write
 * text, JSON and CSV.  Everything is measured after the warm-up.
 *
 * Counting rules:
 *  - offered: client requests first sent after the warm-up.  A request ends
 *    once: completed (a success, possibly after retries) or failed (its last
 *    attempt failed, or the client gave up).  Arrivals stop at the end of the
 *    replication but offered requests are drained to their outcome; those
 *    still open after the drain limit are `unfinished` and count in neither.
 *  - latency is measured from the client's first send to its final answer,
 *    retries included, for successful requests.
 *  - errors[] counts failed requests by the cause of their final failure;
 *    attempt_errors[] counts every failed attempt (retried or not). */
#ifndef MODELS_RESULTS_H
#define MODELS_RESULTS_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "sim/histogram.h"
#include "sim/tally.h"


enum model_error {
	ERR_VIP_UNREACHABLE,  /* SYNs to the VIP unanswered until the client gave up
	                       * (nobody reachable held it) */
	ERR_CONNECT_REFUSED,  /* RST: process dead (refused, or reset mid-request: 502), or a
			       * connection limit reached */
	ERR_CONNECT_TIMEOUT,  /* SYN unanswered until the caller's connect time-out */
	ERR_SERVER_TIMEOUT,   /* HAProxy timeout server, nginx proxy_read_timeout (504) */
	ERR_QUEUE_TIMEOUT,    /* HAProxy timeout queue (503) */
	ERR_POOL_TIMEOUT,     /* app DB pool wait exceeded */
	ERR_DB_UNAVAILABLE,   /* no writable primary / no readable node */
	ERR_NO_BACKEND,       /* no live server in a balancer (503/502) */
	ERR_CLIENT_TIMEOUT,   /* the client gave up */
	ERR_MEMORY_LIMIT,     /* dropped at the client: the replication's memory budget
	                       * was full (models/limits.h); reports list it only
	                       * when it happened (model_error_listed) */
	ERR_COUNT,
};

#define MODEL_MAX_NODES 256
#define MODEL_MAX_INCIDENTS 64

struct model_node_result {
	char name[16];          /* lb1, web2, app3, db1 */
	enum model_tier tier;
	char role[16];          /* active/standby, primary/replica, "" */
	double utilization;     /* busy share of its CPU servers, 0..1 */
	double queue_mean;      /* time-average jobs waiting for a CPU server */
	double down_s;          /* time spent down */
	uint64_t served;        /* requests (or queries) it completed */
	/* db nodes that were replicas (0 elsewhere): replication lag, s */
	double lag_mean_s;      /* time average */
	double lag_max_s;
	double shunned_s;       /* time out of the readers for lag (max_lag) */
};

/* One failure of one node, as the run saw it (times from the run's start). */
struct model_incident {
	char node[16];
	enum failure_kind kind;
	double at_s;            /* the failure started */
	double detected_s;      /* the system noticed (the LB marked it down); NAN: never */
	double recovered_s;     /* the node came back; NAN: not within the run */
	double restored_s;      /* the success ratio was back at its level before; NAN: never */
	uint64_t failed_requests; /* requests that failed from `at` until restored */
};

struct model_class_result {
	uint64_t offered, completed, failed;
	struct sim_tally latency_s;     /* successful requests */
	struct sim_histogram latency;   /* ns */
};

/* One window of the time series (all requests, and per class). */
struct model_window {
	uint64_t offered, completed, failed;
	/* outcomes of the requests first sent in this window, whenever they
	 * ended: what a failure did to the requests that met it */
	uint64_t sent_completed, sent_failed;
	uint64_t errors[ERR_COUNT]; /* `failed` by the cause of the final failure */
	double latency_sum_s;   /* of requests completed in the window */
	/* Percentiles per window come from a per-window histogram in the
	 * aggregate; the model keeps p50/p90/p99 computed at window close. */
	double p50_s, p90_s, p99_s;
	double class_p50_s[WL_MAX_CLASSES], class_p90_s[WL_MAX_CLASSES],
		class_p99_s[WL_MAX_CLASSES];
	float *node_utilization; /* [nnodes], owned by the results' window block */
	float *node_queue;       /* [nnodes] */
	float *node_lag;         /* [nnodes] mean replication lag in the window, s (0: not a replica) */
	int tier_nodes[TIER_COUNT]; /* nodes in rotation at the window's end (scaling.h) */
};

/* One scaling action (models/scaling.h): at at_s the tier goes from -> to. */
#define MODEL_MAX_SCALE_ACTIONS 64
struct model_scale_action {
	double at_s;             /* simulated time, from the start of the run */
	enum model_tier tier;
	int from, to;            /* nodes in rotation or booting, before and after */
	bool autoscale;          /* else scheduled (scaling list) */
	double utilization;      /* autoscale: the tier's mean utilization seen, 0..1 */
	double target;           /* autoscale: its target */
};

/* Replication (models/replication_lag.h), after the warm-up. */
struct model_db_result {
	struct sim_histogram lag;     /* ns: every replica's lag, sampled every 100 ms */
	double lag_mean_s;            /* time average, mean over the replicas */
	double lag_max_s;             /* the largest of any replica */
	struct sim_tally apply_delay_s;   /* commit on the primary to apply on a replica */
	struct sim_histogram apply_delay; /* ns */
	uint64_t reads;               /* reads served, by any node */
	uint64_t replica_reads;       /* of which by a replica */
	uint64_t stale_reads;         /* by a replica that had not applied the client's newest write */
	struct sim_histogram staleness; /* ns: the replica's lag at each replica read */
	uint64_t writes;              /* committed on the primary */
	uint64_t lost_writes;         /* committed, then lost in a failover */
};

struct model_results {
	double measured_s;      /* duration after warm-up */
	/* The memory budget (models/limits.h): sends dropped at the client
	 * because it was full, over the whole run, warm-up included
	 * (errors[ERR_MEMORY_LIMIT] counts the measured calls that failed so),
	 * and the budget and the cap on live attempts it gave. */
	uint64_t dropped_memory_limit;
	int64_t max_memory_bytes;
	uint64_t max_live_requests;
	uint64_t offered, completed, failed, unfinished;
	uint64_t errors[ERR_COUNT];
	uint64_t attempt_errors[ERR_COUNT];
	uint64_t attempts;
	struct sim_tally latency_s;
	struct sim_histogram latency; /* ns, all classes */
	size_t nclasses;
	struct model_class_result classes[WL_MAX_CLASSES];
	size_t nnodes;
	struct model_node_result nodes[MODEL_MAX_NODES];
	double tier_utilization[TIER_COUNT]; /* mean over the tier's nodes */
	double tier_queue_mean[TIER_COUNT];  /* mean over the tier's nodes */
	size_t nincidents;
	struct model_incident incidents[MODEL_MAX_INCIDENTS];
	struct model_db_result db;
	size_t nscale_actions;   /* the first MODEL_MAX_SCALE_ACTIONS actions */
	struct model_scale_action scale_actions[MODEL_MAX_SCALE_ACTIONS];
	size_t nwindows;
	int64_t window_ns;
	struct model_window *windows; /* owned; model_results_fini frees */
	float *window_block;          /* owned storage for the windows' node arrays */
};

/* The open queueing-network approximation of the configuration at its base
 * rate (models/analytic.c): every CPU station as M/M/c with its mean service
 * time (Erlang C), visits as the request path makes them.  It is what the
 * reports put beside the simulation, and it ignores blocking, time-outs,
 * retries and non-exponential service on purpose. */
struct model_analytic {
	double rate_per_s;                    /* the load it describes */
	double latency_mean_s;                /* NAN when a station is saturated */
	double class_latency_mean_s[WL_MAX_CLASSES];
	double tier_utilization[TIER_COUNT];  /* mean over the tier's nodes */
	double tier_max_utilization[TIER_COUNT];
	enum model_tier bottleneck;           /* tier of the busiest station */
	double saturation_rate_per_s;         /* load at which it reaches utilization 1 */
	bool stable;                          /* every station below utilization 1 */
	/* the busiest station of each tier, as the M/M/c it is taken for (the
	 * planner's bounds, models/capacity.c); rate 0 when the tier is idle */
	double tier_station_rate_per_s[TIER_COUNT]; /* arrivals at one node */
	double tier_station_service_s[TIER_COUNT];  /* mean service time */
	int tier_station_servers[TIER_COUNT];
};

void model_analytic_compute(const struct model_config *cfg, struct model_analytic *out);

const char *model_error_name(enum model_error e);   /* "queue_timeout" */
/* Whether reports list cause e, counted n times: every cause always (the
 * golden files pin the set), except memory_limit, listed only when n > 0 so
 * that a report without drops is the same as before it existed. */
static inline bool model_error_listed(enum model_error e, double n)
{
	return e != ERR_MEMORY_LIMIT || n > 0;
}
const char *model_tier_name(enum model_tier t);     /* "lb" */
void model_results_fini(struct model_results *r);

#endif
