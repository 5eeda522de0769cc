/* Replication lag, read routing and stale reads against theory (issue 5).
 *
 * Every tier but the database is transparent (zero costs, no limits, no
 * time-outs) and the primary commits a write the instant it arrives, so the
 * writes reach each replica as a Poisson stream one hop later:
 *   - with one applier and rho = L x S above 1, the applier falls behind by
 *     (L - 1/S) writes per second and the write it applies was committed
 *     at t / rho: the lag grows at 1 - 1/rho seconds per second (the slope
 *     of the per-window mean lag, within 5%);
 *   - with rho below 1 the replica is an M/M/1 queue: the mean apply delay
 *     is the hop plus S / (1 - rho), inside the CI (theory.h's 3-of-5 rule);
 *   - with read_your_writes longer than the largest lag, no read is stale
 *     (and without it, some are: the check has teeth);
 *   - a replica that lags more than max_lag serves no reads until its lag
 *     is back under it (ProxySQL's shunning), and the other replica takes
 *     its share meanwhile. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "models/arch.h"
#include "models/failures.h"
#include "sim/time.h"
#include "replicate.h"
#include "theory.h"
#include "transparent.h"

static void exponential(struct sim_dist *d, double mean_s)
{
	sim_dist_fini(d);
	sim_dist_init_exp(d, mean_s * 1e9);
}

/* Transparent tiers, one class of one write per request, a primary that
 * commits at once, `replicas` replicas with one applier on plenty of cores. */
static void write_only(struct model_config *c, double rate_per_s, double apply_s, int replicas)
{
	struct wl_class_config *only = transparent_front(c, "write");
	c->duration_ns = 60 * SIM_NS_PER_S;
	c->warmup_ns = 0;
	c->replications = 5;
	c->wl.rate_per_s = rate_per_s;
	c->wl.nschedule = 0;
	c->app.db_pool_size = 100000;
	zero_cost(&only->app);
	only->db_writes = 1;
	zero_cost(&c->db.read_cost);
	zero_cost(&c->db.write_cost);
	exponential(&c->db.apply_cost, apply_s);
	c->db.nodes = 1 + replicas;
	c->db.cores = 16;
	c->db.apply_workers = 1;
	c->db.max_connections = 1000000;
}

static const struct model_node_result *node_named(const struct model_results *r, const char *name)
{
	for (size_t i = 0; i < r->nnodes; i++)
		if (!strcmp(r->nodes[i].name, name))
			return &r->nodes[i];
	fail_msg("no node %s", name);
	return NULL;
}

static size_t node_index(const struct model_results *r, const char *name)
{
	return (size_t)(node_named(r, name) - r->nodes);
}

/* Least-squares slope of the windows' mean lag of `node`, from `from_s` on. */
static double lag_slope(const struct model_results *r, const char *node, double from_s)
{
	size_t i = node_index(r, node);
	double window_s = sim_ns_to_s(r->window_ns);
	double n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
	for (size_t w = 0; w < r->nwindows; w++) {
		double x = ((double)w + 0.5) * window_s;
		if (x < from_s)
			continue;
		double y = r->windows[w].node_lag[i];
		n++;
		sx += x;
		sy += y;
		sxx += x * x;
		sxy += x * y;
	}
	return (n * sxy - sx * sy) / (n * sxx - sx * sx);
}

static void lag_grows_at_1_minus_1_over_rho_above_saturation(void **state)
{
	(void)state;
	const double rate = 1000, s = 1.5e-3, rho = rate * s, expect = 1 - 1 / rho;
	struct model_config cfg;
	write_only(&cfg, rate, s, 1);
	double sum = 0;
	for (unsigned rep = 0; rep < 5; rep++) {
		struct model_results r;
		assert_int_equal(model_run_replication(&cfg, rep, &r), 0);
		double slope = lag_slope(&r, "db2", 5);
		print_message("  rho %.2f, replication %u: lag slope %.4f s/s (theory %.4f), max %.2f s\n",
			      rho, rep, slope, expect, node_named(&r, "db2")->lag_max_s);
		sum += slope;
		model_results_fini(&r);
	}
	double mean = sum / 5;
	assert_true(fabs(mean - expect) / expect < 0.05);
	model_config_fini(&cfg);
}

static int copy_apply_delay(const struct model_results *r, size_t i, double *values)
{
	values[i] = r->db.apply_delay_s.mean;
	return 0;
}

static void apply_delay_below_saturation_is_hop_plus_mm1_response(void **state)
{
	(void)state;
	const double rate = 500, s = 1e-3, rho = rate * s, hop = 0.2e-3;
	struct model_config cfg;
	write_only(&cfg, rate, s, 1);
	cfg.duration_ns = 100 * SIM_NS_PER_S;
	cfg.warmup_ns = 5 * SIM_NS_PER_S;
	sim_dist_fini(&cfg.net.hop);
	sim_dist_init_const(&cfg.net.hop, hop * 1e9);
	struct theory_case c = {
		.what = "replica as M/M/1: apply delay (s)", .nmetrics = 1, .metric = {"mean"},
		.analytic = {hop + s / (1 - rho)}, .reps = 20, .base_seed = 501,
		.run = replicate_run, .ctx = &(struct replicate_case){&cfg, copy_apply_delay},
	};
	theory_expect(&c);
	model_config_fini(&cfg);
}

/* Reads and writes from few clients, so a client often reads just after
 * its own write; two replicas that apply quickly. */
static void reads_after_writes(struct model_config *c, int64_t read_your_writes_ns)
{
	write_only(c, 1000, 1e-3, 2);
	c->wl.clients = 50;
	c->wl.nclasses = 2;
	struct wl_class_config *w = &c->wl.classes[0], *p = &c->wl.classes[1];
	w->share = 0.2;
	*p = (struct wl_class_config){.share = 0.8, .dynamic = true, .db_reads = 2};
	snprintf(p->name, sizeof p->name, "page");
	sim_dist_init_const(&p->app, 0);
	c->db.read_your_writes_ns = read_your_writes_ns;
}

static void no_stale_read_when_read_your_writes_exceeds_the_largest_lag(void **state)
{
	(void)state;
	struct model_config cfg;
	reads_after_writes(&cfg, 0);
	struct model_results r;
	assert_int_equal(model_run_replication(&cfg, 0, &r), 0);
	print_message("  without the window: %llu stale of %llu reads, largest lag %.4f s\n",
		      (unsigned long long)r.db.stale_reads, (unsigned long long)r.db.reads,
		      r.db.lag_max_s);
	assert_true(r.db.stale_reads > 0);
	model_results_fini(&r);
	model_config_fini(&cfg);

	reads_after_writes(&cfg, SIM_NS_PER_S);
	assert_int_equal(model_run_replication(&cfg, 0, &r), 0);
	print_message("  read_your_writes 1s: %llu stale of %llu reads (%llu at replicas), "
		      "largest lag %.4f s\n",
		      (unsigned long long)r.db.stale_reads, (unsigned long long)r.db.reads,
		      (unsigned long long)r.db.replica_reads, r.db.lag_max_s);
	assert_true(r.db.lag_max_s < 1.0);
	assert_true(r.db.replica_reads > 0);
	assert_int_equal(r.db.stale_reads, 0);
	model_results_fini(&r);
	model_config_fini(&cfg);
}

/* The events of some kinds, in order (what a watcher such as the dashboard sees). */
struct event_log {
	enum model_event_kind want[2];
	double at_s[8];
	enum model_event_kind kind[8];
	char node[8][16];
	char text[8][MODEL_EVENT_TEXT_MAX];
	int n;
};

static void log_event(void *ctx, const struct model_event *ev)
{
	struct event_log *log = ctx;
	if ((ev->kind != log->want[0] && ev->kind != log->want[1]) || log->n >= 8)
		return;
	log->at_s[log->n] = sim_ns_to_s(ev->at_ns);
	log->kind[log->n] = ev->kind;
	snprintf(log->node[log->n], sizeof log->node[0], "%s", ev->node ? ev->node->name : "");
	snprintf(log->text[log->n], sizeof log->text[0], "%s", ev->text);
	log->n++;
}

/* Replication 0 of cfg into *r, its events of the kinds log->want into
 * *log, and those printed. */
static void run_logged(const struct model_config *cfg, struct event_log *log,
		       struct model_results *r)
{
	struct model_event_listener listener = {.fn = log_event, .ctx = log};
	assert_int_equal(model_run_replication_watched(cfg, 0, r, &listener), 0);
	for (int i = 0; i < log->n; i++)
		print_message("  %.3f s: %s\n", log->at_s[i], log->text[i]);
}

static void shunning_moves_reads_off_a_lagging_replica_and_back(void **state)
{
	(void)state;
	struct model_config cfg;
	reads_after_writes(&cfg, 0);
	cfg.wl.clients = 50000;
	cfg.wl.classes[1].db_reads = 1;
	exponential(&cfg.db.read_cost, 1e-3);
	cfg.db.cores = 4;
	cfg.db.max_lag_ns = SIM_NS_PER_S;
	/* db2 runs 6 times slower from 20 s to 35 s: its applier (200 writes/s
	 * of 6 ms) falls behind at 1 - 1/1.2 s/s, past max_lag after ~6 s */
	cfg.failures[0] = (struct failure_spec){
		.kind = FAILURE_SLOW, .at_ns = 20 * SIM_NS_PER_S, .for_ns = 15 * SIM_NS_PER_S,
		.factor = 6, .nodes = {{TIER_DB, 1}}, .nnodes = 1,
	};
	cfg.nfailures = 1;
	struct event_log log = {.want = {MODEL_EVENT_SHUNNED, MODEL_EVENT_UNSHUNNED}};
	struct model_results r;
	run_logged(&cfg, &log, &r);
	assert_int_equal(log.n, 2);
	assert_string_equal(log.node[0], "db2");
	assert_int_equal(log.kind[0], MODEL_EVENT_SHUNNED);
	assert_string_equal(log.node[1], "db2");
	assert_int_equal(log.kind[1], MODEL_EVENT_UNSHUNNED);
	double shun = log.at_s[0], back = log.at_s[1];
	assert_true(shun > 20 && back > 35 && back < 45);
	assert_float_equal(node_named(&r, "db2")->shunned_s, back - shun, 1e-6);

	/* Utilization per window: while shunned, db2 only applies (one applier
	 * of 4 cores) and db3 serves every read; after, they share again. */
	size_t d2 = node_index(&r, "db2"), d3 = node_index(&r, "db3");
	double window_s = sim_ns_to_s(r.window_ns);
	int during = 0, after = 0;
	for (size_t w = 0; w < r.nwindows; w++) {
		double from = (double)w * window_s, to = from + window_s;
		float u2 = r.windows[w].node_utilization[d2], u3 = r.windows[w].node_utilization[d3];
		if (from >= shun + 3 && to <= back) {
			during++;
			assert_true(u2 <= 0.25f + 1e-3f);
			assert_true(u3 > 0.22f);
		} else if (from >= back + 3 && to <= sim_ns_to_s(cfg.duration_ns)) {
			after++;
			assert_true(u2 > 0.1f && fabsf(u2 - u3) < 0.05f);
		}
	}
	assert_true(during >= 3 && after >= 10);
	model_results_fini(&r);
	model_config_fini(&cfg);
}

/* The shunning scenario's load, with one failure of a db node at 20 s for 10 s. */
static void with_db_failure(struct model_config *c, enum failure_kind kind, int index)
{
	reads_after_writes(c, 0);
	c->wl.clients = 50000;
	c->wl.classes[1].db_reads = 1;
	exponential(&c->db.read_cost, 20e-3);
	c->db.cores = 16;
	c->db.max_lag_ns = SIM_NS_PER_S;
	c->failures[0] = (struct failure_spec){
		.kind = kind, .at_ns = 20 * SIM_NS_PER_S, .for_ns = 10 * SIM_NS_PER_S,
		.nodes = {{TIER_DB, index}}, .nnodes = 1,
	};
	c->nfailures = 1;
}

struct failed_log {
	double crash_s, back_s, shunned_s, unshunned_s;
};

static void log_db2(void *ctx, const struct model_event *ev)
{
	struct failed_log *log = ctx;
	if (!ev->node || strcmp(ev->node->name, "db2"))
		return;
	double t = sim_ns_to_s(ev->at_ns);
	switch (ev->kind) {
	case MODEL_EVENT_NODE_FAILED: log->crash_s = t; break;
	case MODEL_EVENT_NODE_RECOVERED: log->back_s = t; break;
	case MODEL_EVENT_SHUNNED: log->shunned_s = t; break;
	case MODEL_EVENT_UNSHUNNED: log->unshunned_s = t; break;
	default: break;
	}
}

static void a_replica_crash_moves_reads_and_it_catches_up_before_taking_reads(void **state)
{
	(void)state;
	struct model_config cfg;
	with_db_failure(&cfg, FAILURE_CRASH, 1);
	char why[256];
	assert_true(model_failures_supported(&cfg, why, sizeof why));
	struct failed_log log = {0};
	struct model_event_listener listener = {.fn = log_db2, .ctx = &log};
	struct model_results r;
	assert_int_equal(model_run_replication_watched(&cfg, 0, &r, &listener), 0);
	print_message("  db2 crashed %.1f s, back %.1f s, shunned %.3f s, takes reads %.3f s; "
		      "%llu failed (%llu db_unavailable)\n",
		      log.crash_s, log.back_s, log.shunned_s, log.unshunned_s,
		      (unsigned long long)r.failed, (unsigned long long)r.errors[ERR_DB_UNAVAILABLE]);
	/* back 10 s behind (2000 writes), shunned at once, caught up at
	 * 1000 - 200 writes/s: about 2.5 s later */
	assert_true(log.shunned_s == log.back_s && log.back_s == 30.0);
	assert_true(log.unshunned_s > log.back_s + 1.5 && log.unshunned_s < log.back_s + 4);
	/* only the reads in flight at db2 when it crashed fail (the DB client
	 * time-out rescues them); every other read went to db3 */
	assert_true(r.failed > 0 && r.failed < 50);
	assert_int_equal(r.errors[ERR_DB_UNAVAILABLE], r.failed);
	assert_true(r.unfinished == 0);
	/* no successful request waited on the dead replica */
	assert_true(r.latency_s.max < 1.0);
	model_results_fini(&r);
	model_config_fini(&cfg);
}

static void a_primary_failure_makes_writes_fail_with_db_unavailable(void **state)
{
	(void)state;
	struct model_config cfg;
	with_db_failure(&cfg, FAILURE_PROCESS, 0);
	struct model_results r;
	assert_int_equal(model_run_replication(&cfg, 0, &r), 0);
	uint64_t writes_offered = r.classes[0].offered, lost = r.errors[ERR_DB_UNAVAILABLE];
	print_message("  primary down 10 s: %llu of %llu writes failed (db_unavailable), "
		      "%llu reads failed\n",
		      (unsigned long long)lost, (unsigned long long)writes_offered,
		      (unsigned long long)r.classes[1].failed);
	/* 200 writes/s for 10 s, and no read */
	assert_true(lost > 1800 && lost < 2200);
	assert_int_equal(r.classes[1].failed, 0);
	assert_int_equal(r.failed, lost);
	model_results_fini(&r);
	model_config_fini(&cfg);
}

static void a_dead_primary_is_replaced_after_detect_and_promote(void **state)
{
	(void)state;
	struct model_config cfg;
	with_db_failure(&cfg, FAILURE_CRASH, 0);
	cfg.failures[0].for_ns = 0; /* db1 never comes back */
	cfg.db.failover_detect_ns = 10 * SIM_NS_PER_S;
	cfg.db.failover_promote_ns = 20 * SIM_NS_PER_S;
	struct event_log log = {.want = {MODEL_EVENT_FAILOVER, MODEL_EVENT_FAILOVER}};
	struct model_results r;
	run_logged(&cfg, &log, &r);
	print_message("  %llu writes failed (db_unavailable), %llu lost; db1 %s, db2 %s, db3 %s\n",
		      (unsigned long long)r.errors[ERR_DB_UNAVAILABLE],
		      (unsigned long long)r.db.lost_writes, node_named(&r, "db1")->role,
		      node_named(&r, "db2")->role, node_named(&r, "db3")->role);
	assert_int_equal(log.n, 2);
	assert_string_equal(log.node[0], "db1");
	assert_true(log.at_s[0] == 30.0);
	assert_true(log.at_s[1] == 50.0);
	assert_true(!strcmp(log.node[1], "db2") || !strcmp(log.node[1], "db3"));
	assert_string_equal(node_named(&r, log.node[1])->role, "primary");
	assert_string_equal(node_named(&r, "db1")->role, "replica");
	/* writes fail from the crash to the promotion: 200/s for 30 s; the
	 * reads that were in flight at db1 are not among them (db1 took none) */
	uint64_t failed = r.errors[ERR_DB_UNAVAILABLE];
	assert_true(failed > 5400 && failed < 6600);
	/* async: only writes committed within a hop of the crash can be lost */
	assert_true(r.db.lost_writes <= 2);
	assert_int_equal(r.nincidents, 1);
	assert_true(r.incidents[0].detected_s == 30.0);
	model_results_fini(&r);
	model_config_fini(&cfg);
}

static void a_primary_back_before_promotion_keeps_its_role(void **state)
{
	(void)state;
	struct model_config cfg;
	with_db_failure(&cfg, FAILURE_PROCESS, 0); /* down 20 s to 30 s */
	cfg.db.failover_detect_ns = 5 * SIM_NS_PER_S;
	cfg.db.failover_promote_ns = 20 * SIM_NS_PER_S;
	struct event_log log = {.want = {MODEL_EVENT_FAILOVER, MODEL_EVENT_FAILOVER}};
	struct model_results r;
	run_logged(&cfg, &log, &r);
	assert_int_equal(log.n, 2);
	assert_true(log.at_s[0] == 25.0);
	assert_non_null(strstr(log.text[1], "abandoned"));
	assert_string_equal(node_named(&r, "db1")->role, "primary");
	model_results_fini(&r);
	model_config_fini(&cfg);
}

static double mean_latency_s(struct model_config *cfg, uint64_t *lost)
{
	struct model_results r;
	assert_int_equal(model_run_replication(cfg, 0, &r), 0);
	double mean = r.latency_s.mean;
	if (lost)
		*lost = r.db.lost_writes;
	model_results_fini(&r);
	return mean;
}

static void semisync_adds_a_round_trip_to_a_replica_to_every_commit(void **state)
{
	(void)state;
	const double hop = 0.2e-3;
	struct model_config cfg;
	write_only(&cfg, 500, 1e-3, 2);
	sim_dist_fini(&cfg.net.hop);
	sim_dist_init_const(&cfg.net.hop, hop * 1e9);
	double async_s = mean_latency_s(&cfg, NULL);
	cfg.db.replication = DB_REPLICATION_SEMISYNC;
	double semisync_s = mean_latency_s(&cfg, NULL);
	print_message("  mean latency: async %.6f s, semisync %.6f s (+%.6f s, 2 hops %.6f s)\n",
		      async_s, semisync_s, semisync_s - async_s, 2 * hop);
	/* the same arrivals (common random numbers), every commit waits for
	 * the binlog's hop to the replica and the ACK's hop back */
	assert_float_equal(semisync_s - async_s, 2 * hop, 1e-9);
	model_config_fini(&cfg);
}

static void semisync_falls_back_to_async_after_its_timeout_and_back_once_caught_up(void **state)
{
	(void)state;
	struct model_config cfg;
	write_only(&cfg, 500, 1e-3, 2);
	cfg.db.replication = DB_REPLICATION_SEMISYNC;
	cfg.db.semisync_timeout_ns = 2 * SIM_NS_PER_S;
	/* both replicas die from 20 s to 30 s: nobody ACKs */
	cfg.failures[0] = (struct failure_spec){
		.kind = FAILURE_CRASH, .at_ns = 20 * SIM_NS_PER_S, .for_ns = 10 * SIM_NS_PER_S,
		.nodes = {{TIER_DB, 1}, {TIER_DB, 2}}, .nnodes = 2,
	};
	cfg.nfailures = 1;
	struct event_log log = {.want = {MODEL_EVENT_ACTION, MODEL_EVENT_ACTION}};
	struct model_results r;
	run_logged(&cfg, &log, &r);
	print_message("  max latency %.3f s, %llu failed\n", r.latency_s.max,
		      (unsigned long long)r.failed);
	assert_int_equal(log.n, 2);
	assert_non_null(strstr(log.text[0], "falls back to async"));
	assert_true(log.at_s[0] > 22 && log.at_s[0] < 22.01);
	assert_non_null(strstr(log.text[1], "waits for ACKs again"));
	assert_true(log.at_s[1] > 30 && log.at_s[1] < 31);
	/* the commits that waited: up to semisync_timeout, and no failure */
	assert_true(r.latency_s.max > 1.99 && r.latency_s.max < 2.01);
	assert_int_equal(r.failed, 0);
	model_results_fini(&r);
	model_config_fini(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lag_grows_at_1_minus_1_over_rho_above_saturation),
		cmocka_unit_test(apply_delay_below_saturation_is_hop_plus_mm1_response),
		cmocka_unit_test(no_stale_read_when_read_your_writes_exceeds_the_largest_lag),
		cmocka_unit_test(shunning_moves_reads_off_a_lagging_replica_and_back),
		cmocka_unit_test(a_replica_crash_moves_reads_and_it_catches_up_before_taking_reads),
		cmocka_unit_test(a_primary_failure_makes_writes_fail_with_db_unavailable),
		cmocka_unit_test(a_dead_primary_is_replaced_after_detect_and_promote),
		cmocka_unit_test(a_primary_back_before_promotion_keeps_its_role),
		cmocka_unit_test(semisync_adds_a_round_trip_to_a_replica_to_every_commit),
		cmocka_unit_test(semisync_falls_back_to_async_after_its_timeout_and_back_once_caught_up),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
