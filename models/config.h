/* The typed configuration of the architecture model.
 *
 * This is what a scenario file becomes once loaded and validated: every value
 * typed, in engine units (ns, per-second rates, fractions), every default
 * filled in.  models/ never sees YAML; scenarios/ fills these structs; the
 * defaults come from model_config_init, which follows the real software's
 * defaults where the scenario language names one (../shared/DOMAIN.md).
 *
 * Ownership: model_config_fini frees everything the config owns (distribution
 * samples and texts, the class and schedule arrays). */
#ifndef MODELS_CONFIG_H
#define MODELS_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/dist.h"

#define MODEL_NAME_MAX 64
#define MODEL_MAX_FAILURES 64
#define FAILURE_MAX_NODES 32
#define WL_MAX_CLASSES 16
#define WL_MAX_STEPS 64
#define SLO_MAX_CHECKS 16

/* The tiers, in request order; node names are TIER + 1-based index (web2). */
enum model_tier { TIER_LB, TIER_WEB, TIER_APP, TIER_DB, TIER_COUNT };
/* "lb", "web", "app", "db", then NULL (the scenario language's tier names). */
extern const char *const model_tier_names[TIER_COUNT + 1];

/* ---------------------------------------------------------------- workload */

enum wl_arrivals { WL_ARRIVALS_POISSON, WL_ARRIVALS_CONSTANT };

/* From at_ns on, the rate moves linearly to rate_per_s over ramp_ns (0 = a step). */
struct wl_step {
	int64_t at_ns;
	double rate_per_s;
	int64_t ramp_ns;
};

struct wl_class_config {
	char name[MODEL_NAME_MAX];
	double share;           /* of all requests, 0..1; shares add up to 1 */
	bool dynamic;           /* has an app cost: proxied past nginx; else static */
	struct sim_dist app;    /* app CPU per request (dynamic classes) */
	int db_reads;           /* queries, one after another */
	int db_writes;
};

struct wl_config {
	double rate_per_s;
	enum wl_arrivals arrivals;
	struct wl_step schedule[WL_MAX_STEPS];
	size_t nschedule;       /* sorted by at_ns */
	int64_t clients;        /* distinct clients (hashing, sessions) */
	int64_t timeout_ns;     /* the client gives up; 0 = never */
	int retries;            /* client retries after an error or time-out */
	struct sim_dist retry_backoff;
	struct wl_class_config classes[WL_MAX_CLASSES];
	size_t nclasses;
};

/* ---------------------------------------------------------------- network */

struct net_config {
	struct sim_dist hop;    /* one-way latency of each tier-to-tier hop */
};

/* ---------------------------------------------------------------- LB pair */

enum lb_balance { LB_BALANCE_ROUNDROBIN, LB_BALANCE_LEASTCONN, LB_BALANCE_SOURCE, LB_BALANCE_FIRST };

struct lb_check_config {       /* HAProxy `check` on each web server */
	int64_t inter_ns, fastinter_ns, downinter_ns, timeout_ns;
	int rise, fall;
};

struct vrrp_config {           /* keepalived */
	int version;            /* 2 or 3 */
	int64_t advert_int_ns;
	int priority[2];        /* lb1, lb2 */
	bool preempt;
	int64_t preempt_delay_ns;
	int64_t garp_delay_ns;
};

struct track_config {          /* keepalived track_script on the haproxy process */
	int64_t interval_ns;
	int fall, rise;
};

struct lb_config {
	int nodes;              /* 2: active + standby */
	struct sim_dist service; /* CPU per request on the active node */
	int threads;            /* nbthread */
	enum lb_balance balance;
	int64_t maxconn;        /* concurrent requests per LB; beyond, FIFO queue */
	int64_t timeout_queue_ns;
	int64_t timeout_server_ns;
	int64_t timeout_connect_ns; /* a connect to a black-holed server fails after this */
	struct lb_check_config check;
	int retries;
	bool redispatch;
	struct vrrp_config vrrp;
	struct track_config track;
};

/* ---------------------------------------------------------------- nginx */

enum web_balance { WEB_BALANCE_ROUND_ROBIN, WEB_BALANCE_LEAST_CONN, WEB_BALANCE_IP_HASH,
		   WEB_BALANCE_RANDOM };

struct web_config {
	int nodes;
	int workers;             /* worker processes, one core each */
	int64_t worker_connections;
	struct sim_dist static_cost; /* static file, or a proxy_cache hit */
	struct sim_dist proxy_cost;  /* CPU per proxied request */
	struct sim_dist tls_handshake; /* full handshake CPU */
	struct sim_dist tls_resumed;   /* resumed handshake CPU */
	double tls_reuse;        /* share of requests that resume, 0..1 */
	double cache_hit;        /* share of dynamic requests served from cache */
	enum web_balance upstream_balance;
	int max_fails;
	int64_t fail_timeout_ns;
	int next_upstream_tries; /* 0 = every server once */
	int64_t connect_timeout_ns; /* proxy_connect_timeout */
	int64_t read_timeout_ns;    /* proxy_read_timeout */
};

/* ---------------------------------------------------------------- app */

struct app_config {
	int nodes;
	int cores;
	int workers;             /* threads; a request holds one for its life */
	int db_pool_size;        /* connections per app server */
	int64_t db_pool_timeout_ns;
	int64_t db_timeout_ns;   /* the DB client's connect and query time-out */
};

/* ---------------------------------------------------------------- MySQL */

enum db_replication { DB_REPLICATION_ASYNC, DB_REPLICATION_SEMISYNC };
enum db_reads_from { DB_READS_FROM_REPLICAS, DB_READS_FROM_PRIMARY };

#define DB_MAX_JOBS 16
enum db_job_kind { DB_JOB_BACKUP };

/* Other load on a database node (db.jobs): from at_ns, for for_ns, the job
 * holds a share `cores` of the node's cores (a backup's compression and
 * reads), competing with queries and the appliers for them. */
struct db_job_config {
	int64_t at_ns;
	int node;                /* 0-based index in the db tier: db2 is 1 */
	enum db_job_kind kind;
	double cores;            /* share of the node's cores, 0..1 */
	int64_t for_ns;          /* > 0 */
};

struct db_config {
	int nodes;               /* db1 is the initial primary */
	int cores;
	int64_t max_connections;
	struct sim_dist read_cost;
	struct sim_dist write_cost;
	enum db_replication replication;
	int64_t semisync_timeout_ns;
	struct sim_dist apply_cost; /* per write, on each replica */
	int apply_workers;
	enum db_reads_from reads_from;
	int64_t max_lag_ns;      /* 0 = never shun */
	int64_t read_your_writes_ns;
	int64_t failover_detect_ns;
	int64_t failover_promote_ns;
	struct db_job_config jobs[DB_MAX_JOBS];
	size_t njobs;
};

/* ---------------------------------------------------------------- failures */

enum failure_kind {
	FAILURE_CRASH,      /* the host dies: a black hole, connects time out */
	FAILURE_PROCESS,    /* the service process dies, the host lives: connects refused */
	FAILURE_SLOW,       /* gray failure: service times x factor */
	FAILURE_PARTITION,  /* unreachable but still running */
	FAILURE_RANDOM,     /* every node of `tier` fails at random, forever */
};

struct failure_node {
	enum model_tier tier;
	int index;               /* 0-based: web2 is {TIER_WEB, 1} */
};

struct failure_spec {
	enum failure_kind kind;
	int64_t at_ns;           /* scheduled failures: when it starts */
	int64_t for_ns;          /* how long; 0 = until the end of the run */
	double factor;           /* FAILURE_SLOW: service times are multiplied by it (> 1) */
	struct failure_node nodes[FAILURE_MAX_NODES];
	int nnodes;              /* scheduled failures: 1 (node) or more (nodes: correlated) */
	enum model_tier tier;    /* FAILURE_RANDOM */
	enum failure_kind mode;  /* FAILURE_RANDOM: how each node fails (crash by default) */
	int64_t mtbf_ns;         /* FAILURE_RANDOM: mean time between failures, per node */
	struct sim_dist mttr;    /* FAILURE_RANDOM: time to repair (ns) */
};

/* ---------------------------------------------------------------- scaling */

#define MODEL_MAX_SCALING 32
#define SCALING_MAX_NODES 64   /* the most nodes a scaled tier may reach */

/* A scheduled change of a tier's node count (docs/scaling.md): at at_ns the
 * tier goes to `nodes`; new nodes join after boot_ns, removed ones drain. */
struct scaling_step {
	int64_t at_ns;
	enum model_tier tier;    /* web, app or db (replicas) */
	int nodes;
	int64_t boot_ns;
};

enum autoscale_metric { AUTOSCALE_UTILIZATION };

#define AUTOSCALE_MAX_SWITCHES 64

/* At at_ns the autoscaler is switched on or off (docs/scaling.md). */
struct autoscale_switch {
	int64_t at_ns;
	bool enabled;
};

/* The autoscaler (HPA-like): every interval, desired = ceil(current x
 * utilization / target) within [min, max], no action within cooldown of
 * the last one.  While switched off it keeps its ticks and its reading
 * but takes no action (a suspended HPA). */
struct autoscale_config {
	bool given;              /* the scenario has an `autoscale` mapping */
	bool enabled;            /* switched on at 0 s (default true) */
	struct autoscale_switch schedule[AUTOSCALE_MAX_SWITCHES];
	size_t nschedule;        /* strictly increasing at_ns */
	enum model_tier tier;
	enum autoscale_metric metric;
	double target;           /* utilization, 0..1 */
	int64_t interval_ns;
	int64_t cooldown_ns;
	int64_t boot_ns;
	int min, max;
};

/* ---------------------------------------------------------------- SLOs */

enum slo_metric { SLO_MEAN, SLO_P50, SLO_P90, SLO_P99, SLO_P999, SLO_AVAILABILITY,
		  SLO_THROUGHPUT };
enum slo_op { SLO_AT_MOST, SLO_AT_LEAST };
#define SLO_METRIC_COUNT (SLO_THROUGHPUT + 1)

struct slo_check {
	enum slo_metric metric;
	enum slo_op op;          /* latencies: AT_MOST; availability, throughput: AT_LEAST */
	double target;           /* ns for latencies, fraction, per second */
};

/* ---------------------------------------------------------------- the whole */

struct model_config {
	char name[MODEL_NAME_MAX];
	char *description;       /* owned, may be NULL */
	int64_t duration_ns;     /* simulated time per replication, warm-up included */
	int64_t warmup_ns;       /* discarded from every statistic */
	bool warmup_auto;        /* detect with MSER-5 instead */
	int replications;        /* fixed number, or the minimum with replications_auto */
	bool replications_auto;
	int max_replications;    /* with replications_auto */
	double precision;        /* relative 95% CI half-width target (auto) */
	uint64_t seed;
	int64_t window_ns;       /* time-series resolution */
	struct wl_config wl;
	struct net_config net;
	struct lb_config lb;
	struct web_config web;
	struct app_config app;
	struct db_config db;
	struct slo_check slo[SLO_MAX_CHECKS];
	size_t nslo;
	struct failure_spec failures[MODEL_MAX_FAILURES];
	size_t nfailures;
	struct scaling_step scaling[MODEL_MAX_SCALING];
	size_t nscaling;         /* sorted by at_ns */
	struct autoscale_config autoscale;
	/* Memory budget per replication (models/limits.h), bytes; 0: the
	 * default.  A run option (--max-memory), not a scenario key: it
	 * changes nothing until a cap is hit, and then the report says so. */
	int64_t max_memory_bytes;
};

/* The most nodes tier t may have during a run (its nodes, or more with
 * scaling or the autoscaler): the size of its node array. */
int model_tier_max_nodes(const struct model_config *c, enum model_tier t);
/* Whether the scenario scales anything (scaling entries or autoscale). */
bool model_scales(const struct model_config *c);
/* "utilization", then NULL. */
extern const char *const autoscale_metric_names[AUTOSCALE_UTILIZATION + 2];

/* The share of a class's requests nginx answers from proxy_cache: cache.hit
 * for a dynamic class without writes (a GET), none for one with writes (a
 * POST: proxy_cache_methods caches GET and HEAD only) or a static one. */
static inline double model_cache_hit_of(const struct model_config *cfg,
					const struct wl_class_config *c)
{
	return c->dynamic && c->db_writes == 0 ? cfg->web.cache_hit : 0.0;
}

/* "crash" for FAILURE_CRASH, as scenarios spell it; the table ends with NULL. */
const char *failure_kind_name(enum failure_kind k);
extern const char *const model_failure_kind_names[FAILURE_RANDOM + 2];
/* "backup", then NULL (db.jobs[N].kind as scenarios spell it). */
extern const char *const db_job_kind_names[DB_JOB_BACKUP + 2];

/* The metric's name as scenarios, --slo and reports spell it ("p99"). */
const char *slo_metric_name(enum slo_metric m);

/* Defaults for every key (the baseline architecture of the scenario language). */
void model_config_init(struct model_config *c);
void model_config_fini(struct model_config *c);

#endif
