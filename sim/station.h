/* Generic queueing station: c servers, one FIFO waiting line.
 *
 * Written once and used by every tier (SimPy's Resource, OMNeT++ queueinglib
 * Queue): nginx workers, app cores, database connections and executors,
 * replica appliers are all this station with different parameters.
 *
 * A job (struct sim_job, embedded in the caller's request) arrives with its
 * demand: the service time it needs at speed 1.  If a server is free it starts
 * at once, otherwise it waits in FIFO order; the line may have a capacity
 * (arrivals beyond it are rejected) and a time-out (a job waiting longer
 * leaves).  A job's actual service time is demand / speed; changing the speed
 * (a gray failure, a recovery) rescales the remaining work of jobs in service
 * (preemptive-resume).  Taking the station down ends every job it holds with
 * SIM_JOB_ABORTED and rejects arrivals until it is up again.  Every outcome
 * is reported through the `done` callback exactly once per job, never from
 * inside sim_station_arrive (outcomes at arrival are returned instead), so a
 * caller's state machine is never re-entered.
 *
 * A job may also *hold* a server until its owner releases it (demand
 * SIM_DEMAND_HOLD): that is how a connection limit, a thread pool or a
 * database connection pool is modelled, with the same FIFO line, capacity,
 * time-out and down/up semantics.  A held job that had to wait is announced
 * through the optional `started` callback when it gets its server.
 *
 * Statistics (reset at the end of warm-up): time-weighted busy servers and
 * queue length, sums of waiting and sojourn times (integer ns: no division
 * on the hot path; the means are read with the functions below), counters
 * of each outcome. */
#ifndef SIM_STATION_H
#define SIM_STATION_H

#include <stdbool.h>
#include <stdint.h>

#include "calendar.h"
#include "engine.h"
#include "timeavg.h"

enum sim_job_status {
	SIM_JOB_DONE,       /* served */
	SIM_JOB_TIMED_OUT,  /* waited longer than the queue time-out */
	SIM_JOB_ABORTED,    /* the station went down while holding it */
	SIM_JOB_CANCELLED,  /* withdrawn by its owner (sim_station_withdraw); no callback */
};

enum sim_arrive_result {
	SIM_ARRIVE_STARTED,   /* in service now */
	SIM_ARRIVE_QUEUED,    /* waiting */
	SIM_ARRIVE_FULL,      /* rejected: the waiting line is at capacity */
	SIM_ARRIVE_DOWN,      /* rejected: the station is down */
};

struct sim_station;

/* Intrusive job record; the owner embeds it and recovers its request with
 * container_of-style arithmetic.  Fields are the station's while it holds the job. */
struct sim_job {
	struct sim_job *next;
	struct sim_job *prev;
	struct sim_station *station; /* holding station, NULL when not held */
	int64_t arrive_ns;    /* arrival at the holding station */
	int64_t start_ns;     /* start of service; -1 while waiting */
	int64_t end_ns;       /* planned end of service, or queue time-out instant */
	double demand_ns;     /* remaining work at speed 1 (updated on speed changes);
			       * SIM_DEMAND_HOLD for a job held until released */
	struct sim_event_handle timer; /* completion or queue time-out */
	uint32_t tag;         /* the owner's, never touched by the station: which kind
			       * of job this is, when one station serves several */
};

/* Demand of a job that holds its server until sim_station_release. */
#define SIM_DEMAND_HOLD (-1.0)

typedef void (*sim_station_done_fn)(struct sim_engine *e, struct sim_station *st,
				    struct sim_job *job, enum sim_job_status status);

/* A job that waited has just started service (held jobs need this). */
typedef void (*sim_station_start_fn)(struct sim_engine *e, struct sim_station *st,
				     struct sim_job *job);

struct sim_station_config {
	const char *name;       /* for reports; not owned */
	int servers;            /* c >= 1 */
	int64_t queue_cap;      /* max waiting jobs; < 0 = unlimited */
	int64_t queue_timeout_ns; /* 0 = wait forever */
	double speed;           /* 1 = nominal; 0.125 = eight times slower */
};

struct sim_station {
	struct sim_station_config cfg;
	sim_station_done_fn done;
	sim_station_start_fn started_fn; /* optional; set after init */
	sim_event_fn end_event; /* the calendar event ending a timed service:
	                         * the station's own, or the owner's
	                         * SIM_STATION_END_EVENT (set after init) */
	void *owner;           /* the model object this station belongs to */
	bool up;
	int busy;              /* servers in use */
	int64_t waiting;       /* jobs in the line */
	struct sim_job queue;  /* sentinel of the waiting line (FIFO) */
	struct sim_job serving; /* sentinel of the jobs in service */
	/* statistics since the last reset */
	struct sim_timeavg busy_avg;    /* busy servers */
	struct sim_timeavg util_avg;    /* busy / servers: kept only once c has changed */
	bool servers_varied;            /* c changed since the last reset */
	struct sim_timeavg queue_avg;   /* waiting jobs */
	int64_t wait_sum_ns;            /* waiting time of the jobs that started service */
	int64_t sojourn_sum_ns;         /* waiting + service of the jobs served (completed) */
	uint64_t arrivals, started, completed, rejected_full, rejected_down, timed_out, aborted;
};

void sim_station_init(struct sim_station *st, const struct sim_station_config *cfg,
		      sim_station_done_fn done, void *owner, int64_t now_ns);
/* Aborts nothing: the owner must have drained or withdrawn every job first. */
void sim_station_fini(struct sim_station *st);

enum sim_arrive_result sim_station_arrive(struct sim_engine *e, struct sim_station *st,
					  struct sim_job *job, double demand_ns);
/* End a held job's service (counted as completed; no callback). */
void sim_station_release(struct sim_engine *e, struct sim_station *st, struct sim_job *job);
/* Remove a job the owner no longer wants (its client gave up): frees its server
 * or its place in line.  No callback. */
void sim_station_withdraw(struct sim_engine *e, struct sim_station *st, struct sim_job *job);

/* What a timed service's end does before the done callback: the job
 * leaves its server, a waiting job may start.  For SIM_STATION_END_EVENT. */
void sim_station_end_service(struct sim_engine *e, struct sim_station *st, struct sim_job *job);

/* Define `name`, a calendar event that ends a timed service at a station
 * whose done callback is `done`, exactly as the station's own event does
 * (sim_station_end_service, then done(..., SIM_JOB_DONE)) but calling done
 * directly: one indirect call per service end instead of two, each a
 * likely misprediction on the hottest path.  Install it with
 * `st->end_event = name;` after sim_station_init. */
#define SIM_STATION_END_EVENT(name, done)                                          \
	static void name(struct sim_engine *e, void *obj, uint64_t arg)            \
	{                                                                          \
		struct sim_station *st_ = obj;                                     \
		struct sim_job *job_ = (struct sim_job *)(uintptr_t)arg;           \
		sim_station_end_service(e, st_, job_);                             \
		done(e, st_, job_, SIM_JOB_DONE);                                  \
	}

void sim_station_set_speed(struct sim_engine *e, struct sim_station *st, double speed);
/* Down: every held job ends with SIM_JOB_ABORTED (callbacks run now, in
 * service order then queue order); arrivals are rejected until up. */
void sim_station_set_down(struct sim_engine *e, struct sim_station *st);
void sim_station_set_up(struct sim_engine *e, struct sim_station *st);
/* Change c at run time (scaling cores); extra jobs in service finish normally. */
void sim_station_set_servers(struct sim_engine *e, struct sim_station *st, int servers);

void sim_station_reset_stats(struct sim_station *st, int64_t now_ns);
/* Mean busy share of the servers since the last reset, 0..1. */
double sim_station_utilization(const struct sim_station *st, int64_t now_ns);
/* Its integral since the last reset, in ns (busy share x time): the
 * difference of two readings is a window's utilization times its length. */
double sim_station_utilization_area(const struct sim_station *st, int64_t now_ns);
double sim_station_queue_mean(const struct sim_station *st, int64_t now_ns);
/* Mean waiting time of the jobs that started service, and mean sojourn
 * (waiting + service) of those served, in s; 0 when there were none. */
double sim_station_wait_mean_s(const struct sim_station *st);
double sim_station_sojourn_mean_s(const struct sim_station *st);
/* Mean number in the station (waiting + in service). */
double sim_station_in_system_mean(const struct sim_station *st, int64_t now_ns);

#endif
