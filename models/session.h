/* A replication run in steps, with an operator's hands on it: the model side
 * of `tiersim dash`.
 *
 * model_run_replication runs start to end in one call; a session runs the
 * same replication (same streams, same events) forward to whatever instant
 * the caller asks, shows a snapshot of the system at any stop, takes the
 * operator's actions at the current instant, and at the end fills the same
 * model_results a run of the scenario over the span would.
 *
 * Key invariant: the session's actions are written into the configuration it
 * was given, as what a scenario file would say (a crash is a `failures:`
 * entry at the current time, recovered by setting its `for`; a load change
 * is a `workload.schedule` step; an autoscaler switch an `autoscale.schedule`
 * entry), and they act through the very events the scenario's would
 * (failures_schedule_start/_end, wl_profile_changed, scaling_switch_at).  So
 * after model_session_finish the configuration, with `duration` set to the
 * span, replays under model_run_replication to identical results.
 *
 * To keep the order of simultaneous events the same in the replay, a session
 * stops only at odd nanoseconds (and at the very end): the timers of a
 * scenario (checks, adverts, windows, failures) sit on the even grid of its
 * ms-or-coarser durations, so an action never shares its instant with a
 * model event whose order relative to it would differ.  Limit: a load change
 * in the middle of a scenario's ramp cuts the ramp, and the arrivals drawn on
 * the ramp before it may differ from the replay's by float rounding (1 ns);
 * load changes on constant rates replay exactly. */
#ifndef MODELS_SESSION_H
#define MODELS_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "events.h"
#include "results.h"

struct model_session;

/* What an operator sees of a node. */
enum model_node_state {
	MODEL_NODE_UP,
	MODEL_NODE_SUSPECT,  /* failed, but its peers have not noticed yet */
	MODEL_NODE_DOWN,     /* failed, and out of rotation */
	MODEL_NODE_DRAINING, /* leaving its tier (scaling): finishing the requests it holds */
	MODEL_NODE_BOOTING,  /* back, or new and booting (scaling), not in rotation yet */
	MODEL_NODE_ABSENT,   /* not part of its tier now (scaling: not started, or gone) */
	MODEL_NODE_STATE_COUNT
};

struct model_node_snapshot {
	char name[16];
	enum model_tier tier;
	enum model_node_state state;
	const char *failure;   /* "crashed", "process dead", "partitioned", or "" */
	double slow_factor;    /* 1 = nominal */
	bool holds_vip;        /* lb */
	bool primary;          /* db */
	bool scenario_failure; /* held by a failure of the scenario file */
	double utilization;    /* CPU busy share over the last closed window, 0..1 */
	double lag_s;          /* replica lag; NAN when not modelled */
};

enum model_autoscaler { MODEL_AUTOSCALER_NONE, MODEL_AUTOSCALER_OFF, MODEL_AUTOSCALER_ON };

struct model_snapshot {
	int64_t now_ns;
	int64_t end_ns;              /* the scenario's duration: the session stops there */
	int64_t warmup_ns;
	double rate_per_s;           /* the offered rate now */
	int nnodes;
	struct model_node_snapshot nodes[MODEL_MAX_NODES];
	int vip_holder;              /* index into nodes, -1: nobody holds the VIP */
	enum model_autoscaler autoscaler; /* the scenario's autoscaler, switched on or off */
	enum model_tier autoscale_tier;   /* the tier it scales */
	/* the time series so far: closed windows [0, nwindows) */
	const struct model_window *windows;
	size_t nwindows;
	int64_t window_ns;
	/* since the warm-up (zero before): for SLO status */
	bool measuring;
	double measured_s;
	uint64_t completed, failed;
	/* latency of the completed requests; NAN when none completed */
	double mean_s, p50_s, p90_s, p99_s, p999_s;
};

/* Start a session of replication `index` of *cfg, which it keeps and
 * appends the operator's actions to (the caller keeps it alive and finis it
 * after model_session_destroy).  `events` (may be NULL) hears model events
 * and the session's actions.  NULL: out of memory. */
struct model_session *model_session_create(struct model_config *cfg, unsigned index,
					   const struct model_event_listener *events);
void model_session_destroy(struct model_session *s);

int64_t model_session_now_ns(const struct model_session *s);
int64_t model_session_end_ns(const struct model_session *s);
/* Run every event up to `until_ns` (rounded to the next odd ns, clamped to
 * the end); returns the instant reached. */
int64_t model_session_advance(struct model_session *s, int64_t until_ns);
void model_session_snapshot(const struct model_session *s, struct model_snapshot *out);

/* The operator's actions, at the current instant, on node `node` (index in
 * the snapshot).  0: done, `msg` says what ("crash web2"); -1: refused,
 * `msg` says why (already failed, not simulated by this version, ...). */
int model_session_fail(struct model_session *s, int node, enum failure_kind kind, double factor,
		       char *msg, size_t msglen);
int model_session_recover(struct model_session *s, int node, char *msg, size_t msglen);
/* Multiply the offered rate by `factor` (rounded to 0.001/s) from now on. */
int model_session_scale_load(struct model_session *s, double factor, char *msg, size_t msglen);

/* Switch the autoscaler off or on from now: an autoscale.schedule entry at
 * the current instant, acting through the scenario's switch event
 * (docs/scaling.md).  A scenario without `autoscale` gets the default one
 * (switched off until now), and the session runs again from 0 s to now on
 * that configuration so that its node arrays hold the nodes it may add,
 * as the recording's run will; refused when that tier is scaled by
 * `scaling:` steps (the two would fight) or the nodes would not fit. */
int model_session_toggle_autoscaler(struct model_session *s, char *msg, size_t msglen);

/* End the session at the current instant: cfg->duration_ns becomes the span
 * and *out is what model_run_replication(cfg, index) gives (the caller finis
 * it).  The session accepts no further step.  EINVAL: the warm-up has not
 * ended (nothing was measured); ENOMEM. */
int model_session_finish(struct model_session *s, struct model_results *out);

#endif
