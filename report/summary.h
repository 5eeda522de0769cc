/* The summary of a run: n replications aggregated into what the reports print.
 *
 * rpt_summary_build is the one place where replications become numbers a
 * person reads, so every writer (text, JSON, CSV) prints the same figures.
 * Aggregation rules (docs/report.md):
 *  - counts (requests, errors, attempts) are totals over the replications;
 *  - rates, availabilities, latencies, utilizations and queue lengths are
 *    computed per replication, then averaged over the replications, with a
 *    Student-t 95% confidence interval (sim_ci_of) across them;
 *  - a statistic undefined in a replication (a percentile without completions,
 *    an availability without offered requests) is left out of that mean; when
 *    no replication defines it, it stays NAN (JSON null, text '-', CSV empty).
 * The summary reads only the results structure of models/ (results.h,
 * config.h), never model internals.  It owns its time series; free it with
 * rpt_summary_fini. */
#ifndef REPORT_SUMMARY_H
#define REPORT_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/config.h"
#include "models/results.h"

#define RPT_MAX_EXTRA_SLO SLO_MAX_CHECKS
#define RPT_MAX_SLO (SLO_MAX_CHECKS + RPT_MAX_EXTRA_SLO)
#define RPT_REASON_MAX 256
#define RPT_CI_LEVEL 0.95
/* The success ratio a window must reach to count as available when no
 * availability SLO says otherwise (docs/report.md). */
#define RPT_DEFAULT_WINDOW_TARGET 0.999

/* What the caller (cli/run.c) knows about the run beyond the results. */
struct rpt_run_info {
	const char *scenario;          /* name; NULL: cfg->name */
	const char *version;           /* NULL: TIERSIM_VERSION */
	const char *resolved_scenario; /* the resolved scenario text that was run, hashed
	                                * into scenario_sha256; NULL: no hash (null) */
	size_t resolved_len;
	uint64_t seed;
	double duration_s;             /* simulated time per replication, warm-up included */
	double warmup_s;               /* the warm-up used (fixed or detected) */
	double precision;              /* requested relative CI half-width; 0: none */
	bool precision_reached;        /* meaningful when precision > 0 */
	const struct slo_check *extra_slo; /* --slo checks, in addition to cfg->slo */
	size_t nextra_slo;             /* at most RPT_MAX_EXTRA_SLO */
	const char *partial;           /* NULL: the run is complete; else why it is not,
	                                * e.g. "interrupted by SIGINT" (Ctrl-C) */
};

/* One statistic across replications.  lo/hi/half_width are NAN when no
 * interval exists (fewer than two replications define the statistic). */
struct rpt_stat {
	double mean;
	double half_width;
	double lo, hi;
	size_t n;                      /* replications that define it */
};

/* The latency CDF (latency_cdf.csv, the plots): quantiles at fixed levels,
 * 0.001 to 0.9999, the percentiles of the summary among them. */
#define RPT_CDF_POINTS 148
/* The level (0..1) of point i < RPT_CDF_POINTS, increasing. */
double rpt_cdf_level(size_t i);

struct rpt_latency {                   /* ms, of successful requests */
	struct rpt_stat mean, p50, p90, p99, p999;
	double max_ms;                 /* max over replications; NAN without completions */
	/* the quantile at rpt_cdf_level(i), averaged over the replications
	 * like p50..p999 (so the 0.99 point is p99's mean); NAN: no completions */
	double cdf_ms[RPT_CDF_POINTS];
};

struct rpt_traffic {                   /* all requests, or one class */
	char name[MODEL_NAME_MAX];     /* "all" or the class name */
	uint64_t offered, completed, failed, unfinished; /* totals */
	struct rpt_stat throughput_rps; /* completed / measured time */
	struct rpt_stat availability;  /* completed / offered, 0..1 */
	struct rpt_latency latency_ms;
};

struct rpt_node {
	char name[16];
	enum model_tier tier;
	char role[16];                 /* of the first replication; "varies" if they differ */
	struct rpt_stat utilization;   /* 0..1 */
	struct rpt_stat queue_mean;    /* jobs waiting for a CPU server */
	double down_s;                 /* mean over replications */
	double served;                 /* mean over replications */
	/* db replicas (0 elsewhere): means over replications */
	double lag_mean_s, lag_max_s, shunned_s;
};

struct rpt_tier {
	int nodes;
	struct rpt_stat utilization;   /* mean over the tier's nodes, then over replications */
	struct rpt_stat queue_mean;
	double max_node_utilization;   /* its busiest node (mean over replications) */
};

/* One window of the time series, averaged over the replications. */
struct rpt_window {
	double time_s;                 /* start of the window (warm-up included) */
	double span_s;                 /* its length (the last one may be shorter) */
	double offered, completed, failed;
	double errors[ERR_COUNT];      /* `failed` by the cause of the final failure */
	double throughput_rps;         /* completed / span_s */
	double p50_ms, p90_ms, p99_ms; /* NAN when no replication completed a request */
	double class_p50_ms[WL_MAX_CLASSES], class_p90_ms[WL_MAX_CLASSES],
		class_p99_ms[WL_MAX_CLASSES];
	double *node_utilization;      /* [nnodes], into the summary's window storage */
	double *node_queue;            /* [nnodes] */
	double *node_lag;              /* [nnodes] replication lag, s */
	double tier_nodes[TIER_COUNT]; /* nodes in rotation at the window's end, mean */
};

/* Replication (docs/report.md "db"). */
struct rpt_db {
	struct rpt_stat lag_mean_s;    /* time average over the replicas */
	struct rpt_stat lag_p99_s;     /* of the lag sampled every 100 ms */
	double lag_max_s;              /* the largest over replications */
	struct rpt_stat apply_delay_mean_ms, apply_delay_p99_ms;
	uint64_t writes, reads, replica_reads, stale_reads, lost_writes; /* totals */
	struct rpt_stat stale_read_ratio; /* stale reads / reads served */
	struct rpt_stat staleness_p50_ms, staleness_p99_ms; /* lag at each replica read */
};

/* One side-by-side comparison of the analytic approximation and the simulation. */
struct rpt_compare {
	double analytic;
	double simulated;
	bool differs;                  /* by more than 10% (see crosscheck.c) */
	char reason[RPT_REASON_MAX];   /* why, when it differs; "" otherwise */
};

struct rpt_crosscheck {
	bool present;                  /* an analytic approximation was given */
	double rate_per_s;             /* the load it describes */
	bool stable;                   /* every station below utilization 1 */
	enum model_tier bottleneck;
	double saturation_rps;
	struct rpt_compare latency_mean_ms;
	struct rpt_compare class_latency_mean_ms[WL_MAX_CLASSES];
	struct rpt_compare tier_utilization[TIER_COUNT];
};

struct rpt_slo_result {
	char metric[16];               /* "p99", "mean", "availability", "throughput" */
	const char *unit;              /* "ms", "", "rps" */
	enum slo_op op;
	double target;                 /* in unit: ms, fraction 0..1, requests/s */
	double value;                  /* the mean over replications; NAN fails */
	bool met;
	bool extra;                    /* from the command line, not the scenario */
};

/* One failure of one node, averaged over the replications (scheduled
 * failures happen in every replication at the same instant). */
struct rpt_incident {
	char node[16];
	const char *kind;              /* "crash", "process", "slow", "partition" */
	double at_s;                   /* from the start of the run, warm-up included */
	double detected_s;             /* mean over the replications that detected it; NAN: never */
	double recovered_s;            /* the node came back; NAN: not within the run */
	double restored_s;             /* success ratio back at its level before; NAN: never */
	double failed_requests;        /* mean per replication */
};

struct rpt_summary {
	/* the run */
	char scenario[MODEL_NAME_MAX];
	char version[32];
	char scenario_sha256[65];      /* "" when no text was given */
	uint64_t seed;
	size_t replications;
	double duration_s, warmup_s;
	double measured_s;             /* mean time measured per replication */
	double precision;              /* requested; 0: none */
	bool precision_reached;
	bool partial;                  /* stopped early: the numbers cover measured_s only */
	char partial_reason[64];
	double base_rate_per_s;        /* workload.rate of the scenario */
	/* the memory budget (models/limits.h): sends dropped at the client
	 * over all replications (warm-up included), and the budget and the cap
	 * on requests in flight of one replication */
	uint64_t dropped_memory_limit;
	int64_t max_memory_bytes;
	uint64_t max_live_requests;

	/* requests */
	struct rpt_traffic all;
	size_t nclasses;
	struct rpt_traffic classes[WL_MAX_CLASSES];
	struct rpt_stat offered_rps;   /* offered / measured time */
	uint64_t attempts;             /* totals */
	uint64_t errors[ERR_COUNT];
	uint64_t attempt_errors[ERR_COUNT];

	/* time-based availability: the share of the measured windows whose
	 * requests (by the window they were first sent in) met window_target */
	double window_target;          /* the strictest availability SLO, else the default */
	struct rpt_stat time_availability; /* 0..1, per replication then mean */
	struct rpt_stat downtime_s;    /* measured seconds in windows below the target */
	double nines;                  /* -log10(1 - time availability), at most log10(windows
	                                * measured over all replications): the resolution */

	/* resources */
	struct rpt_tier tiers[TIER_COUNT];
	size_t nnodes;
	struct rpt_node nodes[MODEL_MAX_NODES];

	/* the bottleneck by the utilization law: the tier whose busiest node is
	 * busiest saturates at offered rate / that utilization */
	enum model_tier bottleneck;
	double bottleneck_utilization;
	double saturation_rps;         /* INFINITY when nothing is busy */

	struct rpt_crosscheck analytic;

	size_t nslo;
	struct rpt_slo_result slo[RPT_MAX_SLO];
	bool slo_met;                  /* every check met (true when there are none) */

	size_t nincidents;
	struct rpt_incident incidents[MODEL_MAX_INCIDENTS];

	/* scaling actions of the first replication (docs/scaling.md) */
	size_t nscale_actions;
	struct model_scale_action scale_actions[MODEL_MAX_SCALE_ACTIONS];

	struct rpt_db db;

	/* the time series */
	size_t nwindows;
	struct rpt_window *windows;    /* owned */
	double *window_store;          /* owned: the windows' node arrays */
};

/* The warning of a run whose memory budget dropped requests ("1234
 * requests dropped: the memory budget of 512 MiB caps requests in flight at
 * 1000000 per replication; the system is far beyond capacity") into buf;
 * false (buf "") when nothing was dropped. */
bool rpt_memory_warning(const struct rpt_summary *s, char *buf, size_t len);

/* Aggregate reps[0..n-1] (replications of cfg) into *out.  analytic may be
 * NULL (no cross-check).  Returns 0, or EINVAL (n == 0, replications that do
 * not agree in shape, too many SLO checks) or ENOMEM; on error *out holds
 * nothing to free. */
int rpt_summary_build(const struct model_config *cfg, const struct model_results *reps, size_t n,
		      const struct model_analytic *analytic, const struct rpt_run_info *info,
		      struct rpt_summary *out);
void rpt_summary_fini(struct rpt_summary *s);

/* The metric's unit as reports print it ("ms"); its name is slo_metric_name. */
const char *rpt_slo_metric_unit(enum slo_metric m);

/* The SLO check of a metric, evaluated on a summary (the value in the
 * metric's unit; NAN when undefined, which fails). */
struct rpt_slo_result rpt_slo_evaluate(const struct rpt_summary *s, const struct slo_check *c);

#endif
