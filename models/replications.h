/* Independent replications of the architecture model, and warm-up detection.
 *
 * model_replicate runs the replications of a configuration over worker
 * threads with sim_replicate_run, so the numbers are identical for any -j: a
 * fixed number, or (replications: auto) as many as it takes for the 95% CI
 * half-widths of the mean and the p99 response time to fall under
 * `precision`, between `replications` and `max_replications`.
 *
 * model_detect_warmup runs one pilot replication without warm-up and applies
 * MSER-5 to its time series of window mean response times: the truncation
 * point, rounded up to whole windows, is the warm-up. */
#ifndef MODELS_REPLICATIONS_H
#define MODELS_REPLICATIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "results.h"

struct model_replications {
	struct model_results *results; /* [n], owned */
	size_t n;
	bool precision_met;  /* true for a fixed number of replications */
	bool interrupted;    /* a Ctrl-C stopped the run (sim/interrupt.h): n may be
	                      * short and the last replications cut short */
};

typedef void (*model_progress_fn)(void *ctx, size_t done, size_t target);

struct model_replicate_opts {
	int jobs;                     /* <= 0: every core */
	model_progress_fn progress;   /* may be NULL */
	void *progress_ctx;
};

/* 0, or an errno (ENOMEM). */
int model_replicate(const struct model_config *cfg, const struct model_replicate_opts *opts,
		    struct model_replications *out);
void model_replications_fini(struct model_replications *r);

struct model_warmup {
	bool found;          /* MSER-5 found a truncation point in the first half */
	int64_t warmup_ns;   /* the detected warm-up (or the fallback) */
	size_t windows;      /* windows in the pilot series */
};

/* Detect the warm-up of cfg; when MSER-5 finds none (the series is too short
 * or still trending), the fallback is half the duration and found is false. */
int model_detect_warmup(const struct model_config *cfg, struct model_warmup *out);

#endif
