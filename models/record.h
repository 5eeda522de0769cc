/* The recorder: what a replication counts, and its time series.
 *
 * Models call rec_* at the moments that matter to a client (offered,
 * answered, failed) and the recorder decides what to keep: totals and
 * latency histograms per class after the warm-up, and one row per window for
 * the whole run (the warm-up included, so plots show it).  Utilization and
 * queue length per window come from the differences of each node's
 * time-weighted integrals at the window's ends, so sampling costs nothing per
 * event. */
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
	struct model_results *out;  /* totals are written here directly */
	/* the current window */
	size_t window;              /* index of the current window */
	struct model_window cur;
	struct sim_histogram win_all;
	struct sim_histogram *win_class; /* [nclasses] */
	double *busy_area_at_start;  /* per node: util integral at the window start */
	double *queue_area_at_start;
	uint64_t dropped;           /* calls not admitted: the request pools were exhausted */
};

int rec_init(struct recorder *rec, struct arch *a, struct model_results *out);
void rec_fini(struct recorder *rec);
/* Start the window events; called once before the run. */
void rec_start(struct recorder *rec);
/* End of the warm-up: totals and node statistics restart. */
void rec_begin_measuring(struct recorder *rec);
/* End of the run: close the last window, fill node and tier results. */
void rec_finish(struct recorder *rec);

void rec_offered(struct recorder *rec, const struct wl_call *call);
void rec_attempt(struct recorder *rec, const struct wl_call *call);
void rec_attempt_error(struct recorder *rec, const struct wl_call *call, enum model_error cause);
void rec_completed(struct recorder *rec, const struct wl_call *call, int64_t latency_ns);
void rec_failed(struct recorder *rec, const struct wl_call *call, enum model_error cause);
void rec_dropped(struct recorder *rec);

#endif
