/* The key tables of the scenario language, and "did you mean" for typos.
 *
 * Every key of docs/scenarios.md is one row here; bounds are the ones the
 * model can honour (lb.nodes is a pair at most; counts that size arrays
 * stay below limits that fit memory) and documented there.  Each row's
 * offset is taken with offsetof from its table's base struct, so a renamed
 * field in models/config.h fails to compile here instead of loading into the
 * wrong place.  Suggestions use the optimal-string-alignment distance (a
 * swap of two letters counts once), bounded by a quarter of the typed
 * name's length, so "nodez" finds "nodes" but "x" finds nothing. */
#include "schema.h"

#include <limits.h>
#include <stdbool.h>
#include <string.h>

#define MC(f) offsetof(struct model_config, f)
#define MAXINT ((double)INT_MAX)

/* Rows, one macro per kind so the tables read as a list of keys. */
#define DUR(n, f, fl) {.name = n, .kind = SCN_DURATION, .off = MC(f), .flags = fl}
#define DIST(n, f) {.name = n, .kind = SCN_DIST, .off = MC(f)}
#define INT(n, f, lo, hi) {.name = n, .kind = SCN_INT, .off = MC(f), .min = lo, .max = hi}
#define INT64(n, f, lo, hi) {.name = n, .kind = SCN_INT64, .off = MC(f), .min = lo, .max = hi}
#define SHARE(n, f, fl) {.name = n, .kind = SCN_SHARE, .off = MC(f), .flags = fl}
#define BOOL(n, f) {.name = n, .kind = SCN_BOOL, .off = MC(f)}
#define ENUM(n, f, nm) {.name = n, .kind = SCN_ENUM, .off = MC(f), .names = nm}
#define MAP(n, t) {.name = n, .kind = SCN_MAP, .sub = &t}
#define TABLE(var, p, rows) \
	const struct scn_table var = {p, rows, sizeof rows / sizeof rows[0]}

#define NODES_MAX 1000
#define CPUS_MAX 4096

_Static_assert(sizeof(enum wl_arrivals) == sizeof(int) && sizeof(enum lb_balance) == sizeof(int) &&
		       sizeof(enum web_balance) == sizeof(int) &&
		       sizeof(enum db_replication) == sizeof(int) &&
		       sizeof(enum db_reads_from) == sizeof(int) &&
		       sizeof(enum failure_kind) == sizeof(int) &&
		       sizeof(enum db_job_kind) == sizeof(int) &&
		       sizeof(enum model_tier) == sizeof(int),
	       "SCN_ENUM stores enums as int");
_Static_assert(FAILURE_CRASH == 0 && FAILURE_PROCESS == 1 && FAILURE_SLOW == 2 &&
		       FAILURE_PARTITION == 3 && FAILURE_RANDOM == 4,
	       "failure_mode_names is in enum order");
_Static_assert(TIER_LB == 0 && TIER_WEB == 1 && TIER_APP == 2 && TIER_DB == 3 && TIER_COUNT == 4,
	       "model_tier_names is in enum order");

static const char *const arrivals_names[] = {"poisson", "constant", NULL};
static const char *const lb_balance_names[] = {"roundrobin", "leastconn", "source", "first", NULL};
static const char *const web_balance_names[] = {"round_robin", "least_conn", "ip_hash", "random",
						NULL};
static const char *const replication_names[] = {"async", "semisync", NULL};
static const char *const reads_from_names[] = {"replicas", "primary", NULL};
static const char *const failure_mode_names[] = {"crash", "process", NULL};

/* ---------------------------------------------------------------- workload */

static const struct scn_key wl_keys[] = {
	{.name = "rate", .kind = SCN_RATE, .off = MC(wl.rate_per_s)},
	ENUM("arrivals", wl.arrivals, arrivals_names),
	{.name = "schedule", .kind = SCN_SCHEDULE},
	INT64("clients", wl.clients, 1, 1e12),
	DUR("timeout", wl.timeout_ns, 0),
	INT("retries", wl.retries, 0, 100),
	DIST("retry_backoff", wl.retry_backoff),
	{.name = "classes", .kind = SCN_CLASSES},
};
static TABLE(wl_table, "workload", wl_keys);

#define CL(f) offsetof(struct wl_class_config, f)
static const struct scn_key class_keys[] = {
	{.name = "share", .kind = SCN_SHARE, .off = CL(share), .flags = SCN_F_REQUIRED},
	{.name = "app", .kind = SCN_DIST, .off = CL(app)},
	{.name = "db_reads", .kind = SCN_INT, .off = CL(db_reads), .min = 0, .max = 1000},
	{.name = "db_writes", .kind = SCN_INT, .off = CL(db_writes), .min = 0, .max = 1000},
};
TABLE(scn_class_table, "workload.classes.NAME", class_keys);

#define ST(f) offsetof(struct wl_step, f)
static const struct scn_key step_keys[] = {
	{.name = "at", .kind = SCN_DURATION, .off = ST(at_ns), .flags = SCN_F_REQUIRED},
	{.name = "rate", .kind = SCN_RATE, .off = ST(rate_per_s), .flags = SCN_F_REQUIRED},
	{.name = "ramp", .kind = SCN_DURATION, .off = ST(ramp_ns)},
};
TABLE(scn_step_table, "workload.schedule[N]", step_keys);

/* ---------------------------------------------------------------- network */

static const struct scn_key net_keys[] = {
	DIST("hop", net.hop),
};
static TABLE(net_table, "network", net_keys);

/* ---------------------------------------------------------------- lb */

static const struct scn_key check_keys[] = {
	DUR("inter", lb.check.inter_ns, SCN_F_POSITIVE),
	DUR("fastinter", lb.check.fastinter_ns, SCN_F_POSITIVE),
	DUR("downinter", lb.check.downinter_ns, SCN_F_POSITIVE),
	INT("rise", lb.check.rise, 1, 1000),
	INT("fall", lb.check.fall, 1, 1000),
	DUR("timeout", lb.check.timeout_ns, SCN_F_POSITIVE),
};
static TABLE(check_table, "lb.check", check_keys);

static const struct scn_key vrrp_keys[] = {
	INT("version", lb.vrrp.version, 2, 3),
	DUR("advert_int", lb.vrrp.advert_int_ns, SCN_F_POSITIVE),
	{.name = "priority", .kind = SCN_PAIR, .off = MC(lb.vrrp.priority), .min = 1, .max = 255},
	BOOL("preempt", lb.vrrp.preempt),
	DUR("preempt_delay", lb.vrrp.preempt_delay_ns, 0),
	DUR("garp_delay", lb.vrrp.garp_delay_ns, 0),
};
static TABLE(vrrp_table, "lb.vrrp", vrrp_keys);

static const struct scn_key track_keys[] = {
	DUR("interval", lb.track.interval_ns, SCN_F_POSITIVE),
	INT("fall", lb.track.fall, 1, 1000),
	INT("rise", lb.track.rise, 1, 1000),
};
static TABLE(track_table, "lb.track", track_keys);

static const struct scn_key lb_keys[] = {
	INT("nodes", lb.nodes, 1, 2),
	DIST("service", lb.service),
	INT("threads", lb.threads, 1, CPUS_MAX),
	ENUM("balance", lb.balance, lb_balance_names),
	INT64("maxconn", lb.maxconn, 1, 1e9),
	DUR("timeout_queue", lb.timeout_queue_ns, 0),
	DUR("timeout_server", lb.timeout_server_ns, 0),
	DUR("timeout_connect", lb.timeout_connect_ns, 0),
	MAP("check", check_table),
	INT("retries", lb.retries, 0, 100),
	BOOL("redispatch", lb.redispatch),
	MAP("vrrp", vrrp_table),
	MAP("track", track_table),
};
static TABLE(lb_table, "lb", lb_keys);

/* ---------------------------------------------------------------- web */

static const struct scn_key tls_keys[] = {
	DIST("handshake", web.tls_handshake),
	DIST("resumed", web.tls_resumed),
	SHARE("reuse", web.tls_reuse, 0),
};
static TABLE(tls_table, "web.tls", tls_keys);

static const struct scn_key cache_keys[] = {
	SHARE("hit", web.cache_hit, 0),
};
static TABLE(cache_table, "web.cache", cache_keys);

static const struct scn_key upstream_keys[] = {
	ENUM("balance", web.upstream_balance, web_balance_names),
	INT("max_fails", web.max_fails, 0, 1000),
	DUR("fail_timeout", web.fail_timeout_ns, 0),
	INT("next_upstream_tries", web.next_upstream_tries, 0, 1000),
	DUR("connect_timeout", web.connect_timeout_ns, 0),
	DUR("read_timeout", web.read_timeout_ns, 0),
};
static TABLE(upstream_table, "web.upstream", upstream_keys);

static const struct scn_key web_keys[] = {
	INT("nodes", web.nodes, 1, NODES_MAX),
	INT("workers", web.workers, 1, CPUS_MAX),
	INT64("worker_connections", web.worker_connections, 1, 1e9),
	DIST("static", web.static_cost),
	DIST("proxy", web.proxy_cost),
	MAP("tls", tls_table),
	MAP("cache", cache_table),
	MAP("upstream", upstream_table),
};
static TABLE(web_table, "web", web_keys);

/* ---------------------------------------------------------------- app */

static const struct scn_key pool_keys[] = {
	INT("size", app.db_pool_size, 1, 1000000),
	DUR("timeout", app.db_pool_timeout_ns, 0),
};
static TABLE(pool_table, "app.db_pool", pool_keys);

static const struct scn_key app_keys[] = {
	INT("nodes", app.nodes, 1, NODES_MAX),
	INT("cores", app.cores, 1, CPUS_MAX),
	INT("workers", app.workers, 1, 1000000),
	MAP("db_pool", pool_table),
	DUR("db_timeout", app.db_timeout_ns, 0),
};
static TABLE(app_table, "app", app_keys);

/* ---------------------------------------------------------------- db */

static const struct scn_key failover_keys[] = {
	DUR("detect", db.failover_detect_ns, 0),
	DUR("promote", db.failover_promote_ns, 0),
};
static TABLE(failover_table, "db.failover", failover_keys);

static const struct scn_key db_keys[] = {
	INT("nodes", db.nodes, 1, NODES_MAX),
	INT("cores", db.cores, 1, CPUS_MAX),
	INT64("max_connections", db.max_connections, 1, 1e9),
	DIST("read", db.read_cost),
	DIST("write", db.write_cost),
	ENUM("replication", db.replication, replication_names),
	DUR("semisync_timeout", db.semisync_timeout_ns, 0),
	DIST("apply", db.apply_cost),
	INT("apply_workers", db.apply_workers, 1, 1024),
	ENUM("reads_from", db.reads_from, reads_from_names),
	DUR("max_lag", db.max_lag_ns, 0),
	DUR("read_your_writes", db.read_your_writes_ns, 0),
	MAP("failover", failover_table),
	{.name = "jobs", .kind = SCN_JOBS},
};
static TABLE(db_table, "db", db_keys);

/* One entry of db.jobs: other load on a node for a while. */
#define JB(f) offsetof(struct db_job_config, f)
static const struct scn_key job_keys[] = {
	{.name = "at", .kind = SCN_DURATION, .off = JB(at_ns), .flags = SCN_F_REQUIRED},
	{.name = "node", .kind = SCN_DB_NODE, .off = JB(node), .flags = SCN_F_REQUIRED},
	{.name = "kind", .kind = SCN_ENUM, .off = JB(kind), .names = db_job_kind_names,
	 .flags = SCN_F_REQUIRED},
	{.name = "cores", .kind = SCN_SHARE, .off = JB(cores),
	 .flags = SCN_F_REQUIRED | SCN_F_POSITIVE},
	{.name = "for", .kind = SCN_DURATION, .off = JB(for_ns),
	 .flags = SCN_F_REQUIRED | SCN_F_POSITIVE},
};
TABLE(scn_job_table, "db.jobs[N]", job_keys);

/* ---------------------------------------------------------------- failures */

/* One entry of the failures list.  Which keys go with which kind is in the
 * flags: a scheduled failure (crash, process, slow, partition) strikes the
 * named nodes at `at` for `for`; a random one strikes every node of `tier`
 * for the whole run.  `node` and `nodes` are two spellings of the spec's
 * node list (validate.c allows one of them). */
#define FS(f) offsetof(struct failure_spec, f)
static const struct scn_key failure_keys[] = {
	{.name = "at", .kind = SCN_DURATION, .off = FS(at_ns),
	 .flags = SCN_F_SCHEDULED | SCN_F_NEEDED},
	{.name = "node", .kind = SCN_NODE, .off = FS(nodes), .flags = SCN_F_SCHEDULED},
	{.name = "nodes", .kind = SCN_NODES, .off = FS(nodes), .flags = SCN_F_SCHEDULED},
	{.name = "tier", .kind = SCN_ENUM, .off = FS(tier), .names = model_tier_names,
	 .flags = SCN_F_RANDOM | SCN_F_NEEDED},
	{.name = "kind", .kind = SCN_ENUM, .off = FS(kind), .names = model_failure_kind_names,
	 .flags = SCN_F_REQUIRED},
	{.name = "mode", .kind = SCN_ENUM, .off = FS(mode), .names = failure_mode_names,
	 .flags = SCN_F_RANDOM},
	{.name = "factor", .kind = SCN_REAL, .off = FS(factor), .min = 1,
	 .flags = SCN_F_SLOW | SCN_F_NEEDED},
	{.name = "for", .kind = SCN_DURATION, .off = FS(for_ns), .flags = SCN_F_SCHEDULED},
	{.name = "mtbf", .kind = SCN_DURATION, .off = FS(mtbf_ns),
	 .flags = SCN_F_RANDOM | SCN_F_NEEDED | SCN_F_POSITIVE},
	{.name = "mttr", .kind = SCN_DIST, .off = FS(mttr), .flags = SCN_F_RANDOM | SCN_F_NEEDED},
};
TABLE(scn_failure_table, "failures[N]", failure_keys);

bool scn_failure_key_applies(const struct scn_key *k, enum failure_kind kind)
{
	if (k->flags & SCN_F_RANDOM)
		return kind == FAILURE_RANDOM;
	if (k->flags & SCN_F_SLOW)
		return kind == FAILURE_SLOW;
	if (k->flags & SCN_F_SCHEDULED)
		return kind != FAILURE_RANDOM;
	return true;
}

/* ---------------------------------------------------------------- scaling */

/* One entry of the scaling list (docs/scaling.md). */
#define SC(f) offsetof(struct scaling_step, f)
static const struct scn_key scaling_keys[] = {
	{.name = "at", .kind = SCN_DURATION, .off = SC(at_ns), .flags = SCN_F_REQUIRED},
	{.name = "tier", .kind = SCN_ENUM, .off = SC(tier), .names = model_tier_names,
	 .flags = SCN_F_REQUIRED},
	{.name = "nodes", .kind = SCN_INT, .off = SC(nodes), .min = 1, .max = SCALING_MAX_NODES,
	 .flags = SCN_F_REQUIRED},
	{.name = "boot", .kind = SCN_DURATION, .off = SC(boot_ns)},
};
TABLE(scn_scaling_table, "scaling[N]", scaling_keys);

/* One entry of autoscale.schedule: the autoscaler switched on or off. */
#define AW(f) offsetof(struct autoscale_switch, f)
static const struct scn_key switch_keys[] = {
	{.name = "at", .kind = SCN_DURATION, .off = AW(at_ns), .flags = SCN_F_REQUIRED},
	{.name = "enabled", .kind = SCN_BOOL, .off = AW(enabled), .flags = SCN_F_REQUIRED},
};
TABLE(scn_switch_table, "autoscale.schedule[N]", switch_keys);

/* `enabled` and `schedule` are written to the resolved scenario only when
 * they say something (off at 0 s, some switches): a scenario written
 * before they existed resolves, and hashes, as it did. */
static const struct scn_key autoscale_keys[] = {
	{.name = "enabled", .kind = SCN_BOOL, .off = MC(autoscale.enabled),
	 .flags = SCN_F_ONLY_FALSE},
	ENUM("tier", autoscale.tier, model_tier_names),
	ENUM("metric", autoscale.metric, autoscale_metric_names),
	SHARE("target", autoscale.target, SCN_F_POSITIVE),
	DUR("interval", autoscale.interval_ns, SCN_F_POSITIVE),
	DUR("cooldown", autoscale.cooldown_ns, 0),
	DUR("boot", autoscale.boot_ns, 0),
	INT("min", autoscale.min, 1, SCALING_MAX_NODES),
	INT("max", autoscale.max, 1, SCALING_MAX_NODES),
	{.name = "schedule", .kind = SCN_SWITCHES},
};
TABLE(scn_autoscale_table, "autoscale", autoscale_keys);

/* ---------------------------------------------------------------- slo */

/* Kinds and bounds only: validate.c stores these into the slo array. */
static const struct scn_key slo_keys[] = {
	{.name = "mean", .kind = SCN_DURATION, .flags = SCN_F_POSITIVE},
	{.name = "p50", .kind = SCN_DURATION, .flags = SCN_F_POSITIVE},
	{.name = "p90", .kind = SCN_DURATION, .flags = SCN_F_POSITIVE},
	{.name = "p99", .kind = SCN_DURATION, .flags = SCN_F_POSITIVE},
	{.name = "p999", .kind = SCN_DURATION, .flags = SCN_F_POSITIVE},
	{.name = "availability", .kind = SCN_SHARE},
	{.name = "throughput", .kind = SCN_RATE},
};
TABLE(scn_slo_table, "slo", slo_keys);

/* ---------------------------------------------------------------- top */

static const struct scn_key top_keys[] = {
	{.name = "name", .kind = SCN_NAME, .off = MC(name)},
	{.name = "description", .kind = SCN_TEXT, .off = MC(description)},
	DUR("duration", duration_ns, SCN_F_POSITIVE),
	{.name = "warmup", .kind = SCN_DURATION_AUTO, .off = MC(warmup_ns),
	 .aux_off = MC(warmup_auto)},
	{.name = "replications", .kind = SCN_INT_AUTO, .off = MC(replications),
	 .aux_off = MC(replications_auto), .min = 1, .max = 100000},
	/* The minimum of `replications: auto` lives in the same field as a
	 * fixed count: validate.c refuses it without `auto`, emit.c writes
	 * it only with `auto`. */
	{.name = "min_replications", .kind = SCN_INT, .off = MC(replications),
	 .aux_off = MC(replications_auto), .min = 2, .max = 100000},
	INT("max_replications", max_replications, 2, 100000),
	SHARE("precision", precision, SCN_F_POSITIVE),
	{.name = "seed", .kind = SCN_UINT64, .off = MC(seed)},
	DUR("window", window_ns, SCN_F_POSITIVE),
	MAP("workload", wl_table),
	MAP("network", net_table),
	MAP("lb", lb_table),
	MAP("web", web_table),
	MAP("app", app_table),
	MAP("db", db_table),
	{.name = "failures", .kind = SCN_FAILURES},
	{.name = "scaling", .kind = SCN_SCALING},
	{.name = "autoscale", .kind = SCN_AUTOSCALE},
	{.name = "slo", .kind = SCN_SLO},
};
TABLE(scn_top_table, "", top_keys);

_Static_assert(sizeof top_keys / sizeof top_keys[0] <= 64, "walk_map keeps a 64-bit seen mask");

const struct scn_key *scn_table_find(const struct scn_table *t, const char *name, size_t len)
{
	for (size_t i = 0; i < t->nkeys; i++)
		if (strlen(t->keys[i].name) == len && memcmp(t->keys[i].name, name, len) == 0)
			return &t->keys[i];
	return NULL;
}

/* ---------------------------------------------------------------- suggestions */

#define SUGGEST_MAX_LEN 48

/* Optimal string alignment distance; both lengths at most SUGGEST_MAX_LEN. */
static size_t distance(const char *a, size_t la, const char *b, size_t lb)
{
	size_t rows[3][SUGGEST_MAX_LEN + 1];
	size_t *prev2 = rows[0], *prev = rows[1], *cur = rows[2];
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] != b[j - 1];
			size_t best = prev[j] + 1;
			if (cur[j - 1] + 1 < best)
				best = cur[j - 1] + 1;
			if (prev[j - 1] + cost < best)
				best = prev[j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    prev2[j - 2] + 1 < best)
				best = prev2[j - 2] + 1;
			cur[j] = best;
		}
		size_t *t = prev2;
		prev2 = prev;
		prev = cur;
		cur = t;
	}
	return prev[lb];
}

struct best {
	const char *name;
	size_t dist;
};

static void consider(struct best *b, const char *name, size_t len, const char *cand)
{
	size_t lc = strlen(cand);
	if (lc > SUGGEST_MAX_LEN)
		return;
	size_t d = distance(name, len, cand, lc);
	if (d < b->dist) {
		b->dist = d;
		b->name = cand;
	}
}

static const char *verdict(const struct best *b, size_t len)
{
	size_t limit = (len + 3) / 4;
	if (limit < 1)
		limit = 1;
	return b->name && b->dist > 0 && b->dist <= limit ? b->name : NULL;
}

const char *scn_suggest(const char *name, size_t len, const char *const *candidates,
			size_t ncandidates)
{
	if (len == 0 || len > SUGGEST_MAX_LEN)
		return NULL;
	struct best b = {NULL, (size_t)-1};
	for (size_t i = 0; i < ncandidates; i++)
		consider(&b, name, len, candidates[i]);
	return verdict(&b, len);
}

const char *scn_suggest_key(const struct scn_table *t, const char *name, size_t len)
{
	if (len == 0 || len > SUGGEST_MAX_LEN)
		return NULL;
	struct best b = {NULL, (size_t)-1};
	for (size_t i = 0; i < t->nkeys; i++)
		consider(&b, name, len, t->keys[i].name);
	return verdict(&b, len);
}
