/* Sweeps: a grid of configurations, one row per point, as a document that
 * sweep.json, sweep.csv and the printed table are all written from.
 *
 * A point's row (struct rpt_point) is cut from its rpt_summary, so a sweep
 * prints exactly the figures `tiersim run` would for that configuration.
 * The rows are collected into one document (struct rpt_sweep_doc, a jansson
 * tree in key order): sweep.json is that document dumped with 10 significant
 * digits, and the CSV and the table are views of it.  This is what makes
 * `tiersim merge` write the very bytes one machine would: merge only has the
 * shards' sweep.json, and re-reading a real printed with %.10g and printing
 * it again with %.10g gives the same digits, so a merged document (the
 * shards' points put back in grid order) dumps, and flattens to CSV,
 * identically to the document built directly from the rows.
 *
 * Every shard's document carries the SHA-256 of the resolved scenario and of
 * the grid (the --vary keys and values, the --slo checks): merge refuses
 * shards of different sweeps.  docs/sweep.md documents every field. */
#ifndef REPORT_SWEEP_H
#define REPORT_SWEEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "summary.h"

/* What one point (one configuration) measured; the numbers of its summary. */
struct rpt_point {
	size_t index;                  /* in the whole grid, 0-based, row-major */
	size_t replications;
	int nodes[TIER_COUNT];
	struct rpt_stat throughput_rps;
	struct rpt_stat latency_mean_ms;
	struct rpt_stat latency_p99_ms;
	struct rpt_stat availability;  /* 0..1 */
	struct rpt_stat utilization[TIER_COUNT]; /* mean over the tier's nodes, 0..1 */
	enum model_tier bottleneck;    /* by the utilization law (summary.h) */
	size_t nslo;
	struct rpt_slo_result slo[RPT_MAX_SLO];
	bool slo_met;
	uint64_t dropped_memory_limit; /* sends the memory budget dropped (summary.h); 0 normally */
};

void rpt_point_from_summary(const struct rpt_summary *s, size_t index, struct rpt_point *out);

/* One --vary: a key and its values as the user spelled them (--set text). */
struct rpt_sweep_axis {
	const char *key;
	const char *const *values;
	size_t nvalues;
};

struct rpt_sweep_info {
	const char *scenario;          /* name */
	const char *resolved_scenario; /* the scenario the grid varies, hashed */
	size_t resolved_len;
	uint64_t seed;                 /* the same for every point: common random numbers */
	double duration_s, warmup_s;
	const struct rpt_sweep_axis *axes;
	size_t naxes;
	const struct slo_check *extra_slo; /* --slo, part of the grid's digest */
	size_t nextra_slo;
	size_t shard_index, shard_count; /* 1-based; shard_count 0 = not sharded */
};

struct rpt_sweep_doc;

/* The number of points of the grid (the product of the axes' sizes). */
size_t rpt_sweep_points(const struct rpt_sweep_axis *axes, size_t naxes);
/* The value index on each axis of grid point `index` (the last axis varies fastest). */
void rpt_sweep_point_values(const struct rpt_sweep_axis *axes, size_t naxes, size_t index,
			    size_t *value_index_out);

/* A document without points; 0 or ENOMEM/EILSEQ. */
int rpt_sweep_doc_create(const struct rpt_sweep_info *info, struct rpt_sweep_doc **out);
/* Append a point (in grid order); 0 or ENOMEM. */
int rpt_sweep_doc_add_point(struct rpt_sweep_doc *doc, const struct rpt_point *p);
void rpt_sweep_doc_destroy(struct rpt_sweep_doc *doc);
/* Mark the document partial (a Ctrl-C stopped the sweep: it holds only the
 * points that ran to their end): "partial": true and "partial_reason"
 * before "points", a PARTIAL line in the table.  0 or ENOMEM. */
int rpt_sweep_doc_set_partial(struct rpt_sweep_doc *doc, const char *reason);

/* Read a shard's sweep.json; 0, or -1 with a message in err. */
int rpt_sweep_doc_load(const char *path, struct rpt_sweep_doc **out, char *err, size_t errlen);
/* Merge the documents of every shard of one sweep (any order) into the
 * document one machine would have written; 0, or -1 with a message in err
 * naming the shard (by names[i]) that does not fit, or that is partial (a
 * Ctrl-C stopped it: run that shard again). */
int rpt_sweep_doc_merge(struct rpt_sweep_doc *const *shards, const char *const *names, size_t n,
			struct rpt_sweep_doc **out, char *err, size_t errlen);

/* rpt_writer_fn shapes (ctx: const struct rpt_sweep_doc *). */
int rpt_sweep_json_writer(const void *doc, FILE *out);
int rpt_sweep_csv_writer(const void *doc, FILE *out);
int rpt_sweep_text_writer(const void *doc, FILE *out);

#endif
