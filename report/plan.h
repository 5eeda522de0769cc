/* The capacity planner's report: what it tried, why, and the answer.
 *
 * cli/plan.c searches; this file only prints what the search recorded, as
 * text for a reviewer (every candidate in the order it was tried, with the
 * reason it was tried and the simulated SLO values of each variant) and as
 * plan.json for tools (docs/plan.md documents every field).  The answer's
 * margin on each SLO is taken on the worst of its variants (with
 * --n-plus-one, the worst single node down). */
#ifndef REPORT_PLAN_H
#define REPORT_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "sweep.h"

#define RPT_PLAN_REASON_MAX 160

/* One simulated variant of a candidate: every node up (down == -1) or the
 * tier `down` with one node fewer for the whole run. */
struct rpt_plan_variant {
	int down;                     /* -1, or an enum model_tier */
	struct rpt_point row;
};

/* One candidate the search considered. */
struct rpt_plan_step {
	int nodes[TIER_COUNT];
	double rate_per_s;
	double cost;
	char reason[RPT_PLAN_REASON_MAX]; /* why it was tried */
	bool skipped;                 /* not simulated: implied by an earlier result */
	bool meets;                   /* every variant met every SLO */
	size_t nvariants;
	struct rpt_plan_variant variants[TIER_COUNT + 1];
};

enum rpt_plan_mode { RPT_PLAN_MIN_COST, RPT_PLAN_MAX_LOAD };

struct rpt_plan {
	enum rpt_plan_mode mode;
	const char *scenario;
	const char *resolved_scenario; /* hashed into scenario_sha256 */
	size_t resolved_len;
	uint64_t seed;
	int replications;
	double duration_s, warmup_s;
	bool n_plus_one;
	double cost[TIER_COUNT];      /* per node; lb is not sized */
	const struct slo_check *slo;  /* every check: the scenario's and --slo */
	size_t nslo;

	/* min-cost */
	double load_rps;
	int lower[TIER_COUNT];        /* utilization law (+1 with --n-plus-one) */
	int analytic[TIER_COUNT];     /* the M/M/c approximation's candidate */
	bool analytic_meets;          /* it found one that meets (else: the last it reached) */

	/* max-load */
	int nodes[TIER_COUNT];        /* the scenario's counts */
	double saturation_rps;        /* utilization law: no load above is sustained */
	double analytic_rps;          /* the approximation's highest load meeting the SLOs */
	double resolution;            /* relative: the bisection stops below it */

	size_t nsteps;
	const struct rpt_plan_step *steps;

	/* the answer */
	bool found;
	size_t answer_step;           /* into steps */
	double answer_rps;            /* max-load: the highest rate that met */
	double failed_rps;            /* max-load: the lowest rate known to fail (or saturation) */
	char why_not[RPT_PLAN_REASON_MAX]; /* when !found */

	/* A Ctrl-C stopped the search (NULL: it ran to its end), e.g.
	 * "interrupted by SIGINT".  found is then false, the candidate in
	 * progress is not in steps, and the report says what the search had
	 * established: the bounds above, and */
	const char *partial;
	bool met_so_far;              /* a candidate met: */
	size_t met_step;              /* min-cost: the cheapest that met (an upper bound on
	                               * the answer's cost); max-load: the highest rate that
	                               * met (a lower bound on the answer) */
	double missed_rps;            /* max-load: the lowest rate that missed, else the
	                               * saturation rate (an upper bound) */
};

/* rpt_writer_fn shapes (ctx: const struct rpt_plan *). */
int rpt_plan_text_writer(const void *plan, FILE *out);
int rpt_plan_json_writer(const void *plan, FILE *out);

/* The margin of value against check c: the relative headroom (target -
 * value) / target for upper bounds and (value - target) / target for
 * throughput, and percentage points (value - target) for availability.
 * Negative: missed.  NAN when value is. */
double rpt_plan_margin(const struct rpt_slo_result *r);

#endif
