/* Running many configurations ("points") over worker threads, for
 * `tiersim sweep` and `tiersim plan`.
 *
 * Points are handed out by sim_replicate_run, the replication pool, with
 * the point's position as the "replication" index: results come back in
 * position order whatever the scheduling, so the output is the same for any
 * -j.  Each point runs its own replications (model_replicate) with the
 * threads left over when there are fewer points than threads, and is
 * summarised like `tiersim run` (rpt_summary_build) into a struct rpt_point.
 * Every point keeps the scenario's seed: common random numbers. */
#ifndef CLI_POINTS_H
#define CLI_POINTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/config.h"
#include "report/sweep.h"

/* Load the configuration of point i into *cfg (always initialised, even on
 * error; the runner calls model_config_fini).  Returns 0, or non-zero with
 * a message in why. */
typedef int (*cli_point_config_fn)(void *ctx, size_t i, struct model_config *cfg, char *why,
				   size_t whylen);

struct cli_points {
	size_t n;                      /* points to run */
	int jobs;                      /* <= 0: every core */
	int64_t max_memory_bytes;      /* budget per replication; 0: the default.  -j
	                                * is lowered to what fits (model_limits_jobs) */
	const struct slo_check *extra_slo;
	size_t nextra_slo;
	cli_point_config_fn config;
	void *ctx;
	const char *progress_label;    /* a progress bar on stderr when it is a terminal; NULL: none */
	bool *complete;                /* [n], zeroed by the caller: set for each point that
	                                * ran to its end (all of them unless a Ctrl-C came) */
};

/* rows[i] for i < n: position i's point; rows[i].index is i (the caller
 * renumbers).  Returns 0, or CLI_EXIT_USAGE / CLI_EXIT_FAILURE after printing
 * one message, or after a Ctrl-C (sim/interrupt.h) the signal's exit status
 * (130, 143) with nothing printed: then rows[i] holds a point only where
 * complete[i] is set.  A point the signal cut short is not complete: its
 * numbers would cover a part of its duration. */
int cli_points_run(const struct cli_points *p, struct rpt_point *rows);

#endif
