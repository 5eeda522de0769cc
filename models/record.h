/* The recorder: what a replication counts, and its time series.
 *
 * Models call rec_* at the moments that matter to a client (offered,
 * answered, failed) and the recorder decides what to keep: totals and
 * latency histograms per class after the warm-up, and one row per window for
 * the whole run (the warm-up included, so plots show it).  Utilization and
 * queue length per window come from the differences of each node's
 * time-weighted integrals at the window's ends, so sampling costs nothing per
 * event.
 *
 * The drain: arrivals stop at the end of the run, but requests offered
 * before it still get their outcome; the replication goes on (without
 * recording node statistics or windows) until every measured call is
 * answered or the drain limit passes.  So `offered` = completed + failed +
 * unfinished with unfinished ~ 0, and availability is not biased by requests
 * that merely had no time to finish. */
#ifndef MODELS_RECORD_H
#define MODELS_RECORD_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "results.h"
#include "sim/histogram.h"
#include "sim/tally.h"

struct arch;
struct wl_call;

struct recorder {
	struct arch *arch;
	bool measuring;             /* past the warm-up */
	bool draining;              /* past the end: only outcomes are still recorded */
	bool single_class;          /* one class: its latencies are the totals', copied
				     * at the window's close and at rec_close, not
				     * recorded twice */
	uint64_t open_measured;     /* measured calls not yet answered */
	struct model_results *out;  /* totals are written here directly */
	/* the current window */
	size_t window;              /* index of the current window */
	struct model_window cur;
	struct sim_histogram win_all;
	struct sim_histogram *win_class; /* [nclasses] */
	double *busy_area_at_start;  /* per node: util integral at the window start */
	double *queue_area_at_start;
	double *lag_area_at_start;  /* per node: replication lag integral at the window start */
};

int rec_init(struct recorder *rec, struct arch *a, struct model_results *out);
void rec_fini(struct recorder *rec);
/* Start the window events; called once before the run. */
void rec_start(struct recorder *rec);
/* End of the warm-up: totals and node statistics restart. */
void rec_begin_measuring(struct recorder *rec);
/* End of the run: close the last window, fill node and tier results; from
 * now on only the outcomes of calls still open are recorded (the drain). */
void rec_finish(struct recorder *rec);
/* After the drain: what is still open is unfinished. */
void rec_close(struct recorder *rec);

void rec_offered(struct recorder *rec, const struct wl_call *call);
void rec_attempt(struct recorder *rec, const struct wl_call *call);
void rec_attempt_error(struct recorder *rec, const struct wl_call *call, enum model_error cause);
void rec_completed(struct recorder *rec, const struct wl_call *call, int64_t latency_ns);
void rec_failed(struct recorder *rec, const struct wl_call *call, enum model_error cause);
/* A send (first or retry) dropped at the client: the memory budget is full
 * (models/limits.h).  The caller also fails the call with ERR_MEMORY_LIMIT. */
void rec_dropped(struct recorder *rec);

/* Incidents: a node failed, the system noticed, the node came back. */
struct node;
void rec_node_down(struct recorder *rec, const struct node *n);
void rec_node_detected(struct recorder *rec, const struct node *n);
void rec_node_up(struct recorder *rec, const struct node *n);

/* Replication (models/replication_lag.h): measured after the warm-up. */
void rec_db_write(struct recorder *rec);
void rec_db_apply(struct recorder *rec, int64_t delay_ns);
void rec_db_lag_sample(struct recorder *rec, int64_t lag_ns);
/* A read served; at_replica with its staleness (the replica's lag). */
void rec_db_read(struct recorder *rec, bool at_replica, bool stale, int64_t staleness_ns);
void rec_db_lost_writes(struct recorder *rec, uint64_t n);

#endif
