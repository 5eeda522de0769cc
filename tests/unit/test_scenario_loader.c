/* Unit tests for the scenario loader (scenarios/): what each key means once
 * loaded, how --set overrides graft into the document, that the resolved
 * YAML reads back to an identical model_config, and that one pass reports
 * many problems with exact positions.  The catalogue of single bad inputs
 * is test_bad_scenarios.c.  Every test runs from the repository root. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "diag_text.h"
#include <dirent.h>
#include <gsl/gsl_rng.h>

#include "models/config.h"
#include "scenarios/loader.h"
#include "sim/diag.h"
#include "sim/time.h"

#define MS SIM_NS_PER_MS

static char *printed(const struct sim_diags *d)
{
	char *text = diag_text(d);
	assert_non_null(text);
	return text;
}

/* Load text (as "t.yaml") with overrides; asserts success unless expect_fail. */
static void load(const char *text, const char *const *sets, size_t nsets, struct model_config *c,
		 struct sim_diags *d)
{
	sim_diags_init(d);
	int rc = scn_load_string("t.yaml", text, strlen(text), NULL, sets, nsets, c, d);
	if (rc != 0) {
		char *p = printed(d);
		print_message("unexpected diagnostics:\n%s", p);
		free(p);
	}
	assert_int_equal(rc, 0);
	assert_int_equal(d->errors, 0);
}

/* The diagnostics of a load that must fail, as printed. */
static char *load_errors(const char *text, const char *const *sets, size_t nsets)
{
	struct model_config c;
	struct sim_diags d;
	sim_diags_init(&d);
	int rc = scn_load_string("t.yaml", text, strlen(text), NULL, sets, nsets, &c, &d);
	assert_int_equal(rc, -1);
	assert_true(d.errors > 0);
	char *p = printed(&d);
	model_config_fini(&c);
	sim_diags_fini(&d);
	return p;
}

static char *emitted(const struct model_config *c)
{
	char *y = NULL;
	assert_int_equal(scn_emit_resolved(c, &y), 0);
	assert_non_null(y);
	return y;
}

static void assert_dist_equal(const struct sim_dist *a, const struct sim_dist *b)
{
	assert_int_equal(a->kind, b->kind);
	for (int i = 0; i < 4; i++)
		assert_memory_equal(&a->p[i], &b->p[i], sizeof a->p[i]);
	assert_memory_equal(&a->mean_ns, &b->mean_ns, sizeof a->mean_ns);
	assert_int_equal(a->nsamples, b->nsamples);
	if (a->nsamples)
		assert_memory_equal(a->samples_ns, b->samples_ns, a->nsamples * sizeof(double));
	assert_string_equal(a->text, b->text);
}

/* Emitted text equality covers every key (the emitter is table-driven and
 * prints numbers with exactly-round-tripping digits); distributions are
 * also compared bit for bit. */
static void assert_config_equal(const struct model_config *a, const struct model_config *b)
{
	char *ya = emitted(a), *yb = emitted(b);
	assert_string_equal(ya, yb);
	free(ya);
	free(yb);
	assert_int_equal(a->wl.nclasses, b->wl.nclasses);
	for (size_t i = 0; i < a->wl.nclasses; i++) {
		assert_dist_equal(&a->wl.classes[i].app, &b->wl.classes[i].app);
		assert_int_equal(a->wl.classes[i].dynamic, b->wl.classes[i].dynamic);
		assert_memory_equal(&a->wl.classes[i].share, &b->wl.classes[i].share, sizeof(double));
	}
	const struct sim_dist *da[] = {&a->wl.retry_backoff, &a->net.hop, &a->lb.service,
				       &a->web.static_cost, &a->web.proxy_cost, &a->web.tls_handshake,
				       &a->web.tls_resumed, &a->db.read_cost, &a->db.write_cost,
				       &a->db.apply_cost};
	const struct sim_dist *db[] = {&b->wl.retry_backoff, &b->net.hop, &b->lb.service,
				       &b->web.static_cost, &b->web.proxy_cost, &b->web.tls_handshake,
				       &b->web.tls_resumed, &b->db.read_cost, &b->db.write_cost,
				       &b->db.apply_cost};
	for (size_t i = 0; i < sizeof da / sizeof da[0]; i++)
		assert_dist_equal(da[i], db[i]);
	assert_memory_equal(&a->wl.rate_per_s, &b->wl.rate_per_s, sizeof(double));
	assert_memory_equal(&a->precision, &b->precision, sizeof(double));
	assert_int_equal(a->nfailures, b->nfailures);
	for (size_t i = 0; i < a->nfailures; i++) {
		const struct failure_spec *fa = &a->failures[i], *fb = &b->failures[i];
		assert_int_equal(fa->kind, fb->kind);
		assert_int_equal(fa->at_ns, fb->at_ns);
		assert_int_equal(fa->for_ns, fb->for_ns);
		assert_memory_equal(&fa->factor, &fb->factor, sizeof(double));
		assert_int_equal(fa->nnodes, fb->nnodes);
		for (int j = 0; j < fa->nnodes; j++) {
			assert_int_equal(fa->nodes[j].tier, fb->nodes[j].tier);
			assert_int_equal(fa->nodes[j].index, fb->nodes[j].index);
		}
		if (fa->kind == FAILURE_RANDOM) {
			assert_int_equal(fa->tier, fb->tier);
			assert_int_equal(fa->mode, fb->mode);
			assert_int_equal(fa->mtbf_ns, fb->mtbf_ns);
			assert_dist_equal(&fa->mttr, &fb->mttr);
		}
	}
	assert_int_equal(a->db.njobs, b->db.njobs);
	for (size_t i = 0; i < a->db.njobs; i++) {
		const struct db_job_config *ja = &a->db.jobs[i], *jb = &b->db.jobs[i];
		assert_int_equal(ja->at_ns, jb->at_ns);
		assert_int_equal(ja->node, jb->node);
		assert_int_equal(ja->kind, jb->kind);
		assert_memory_equal(&ja->cores, &jb->cores, sizeof(double));
		assert_int_equal(ja->for_ns, jb->for_ns);
	}
	assert_int_equal(a->nslo, b->nslo);
	for (size_t i = 0; i < a->nslo; i++) {
		assert_int_equal(a->slo[i].metric, b->slo[i].metric);
		assert_int_equal(a->slo[i].op, b->slo[i].op);
		assert_memory_equal(&a->slo[i].target, &b->slo[i].target, sizeof(double));
	}
}

/* Load, emit, load the emitted text: the two configs must be identical. */
static void assert_round_trip(const struct model_config *c, const char *base_dir)
{
	char *y = emitted(c);
	struct model_config back;
	struct sim_diags d;
	sim_diags_init(&d);
	int rc = scn_load_string("resolved.yaml", y, strlen(y), base_dir, NULL, 0, &back, &d);
	if (rc != 0) {
		char *p = printed(&d);
		print_message("resolved scenario does not load:\n%s\n%s", y, p);
		free(p);
	}
	assert_int_equal(rc, 0);
	assert_config_equal(c, &back);
	model_config_fini(&back);
	sim_diags_fini(&d);
	free(y);
}

/* ------------------------------------------------------------ defaults */

static void omitted_keys_keep_the_defaults(void **state)
{
	(void)state;
	struct model_config c, dflt;
	struct sim_diags d;
	load("name: unnamed\n", NULL, 0, &c, &d);
	model_config_init(&dflt);
	assert_config_equal(&c, &dflt);
	model_config_fini(&dflt);
	model_config_fini(&c);
	sim_diags_fini(&d);
}

static void defaults_emit_every_section(void **state)
{
	(void)state;
	struct model_config c;
	model_config_init(&c);
	char *y = emitted(&c);
	const char *keys[] = {"name:", "duration: 10m", "warmup: 1m", "replications: 5",
			      "max_replications: 50", "precision: 2%", "seed: 1", "window: 1s",
			      "rate: 2000/s", "arrivals: poisson", "clients: 50000",
			      "retry_backoff: exp(500ms)", "hop: const(200us)", "balance: roundrobin",
			      "priority:", "worker_connections: 1024", "balance: least_conn",
			      "db_pool:", "reads_from: replicas", "failover:", "failures: []",
			      "timeout_connect: 5s", "connect_timeout: 1m", "read_timeout: 1m",
			      "db_timeout: 5s",
			      "scaling: []", "p99: 300ms", "availability: ", "throughput: none"};
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (!strstr(y, keys[i]))
			fail_msg("resolved defaults lack '%s':\n%s", keys[i], y);
	assert_null(strstr(y, "min_replications")); /* only with replications: auto */
	assert_null(strstr(y, "description"));      /* none given */
	free(y);
	model_config_fini(&c);
}

/* ------------------------------------------------------------ the issue's example */

static void baseline_means_what_the_issue_says(void **state)
{
	(void)state;
	struct model_config c;
	struct sim_diags d;
	sim_diags_init(&d);
	assert_int_equal(scn_load_file("scenarios/baseline.yaml", NULL, 0, &c, &d), 0);
	assert_string_equal(c.name, "baseline");
	assert_string_equal(c.description, "The seed architecture at a normal weekday peak.");
	assert_int_equal(c.duration_ns, 10 * SIM_NS_PER_MIN);
	assert_int_equal(c.warmup_ns, SIM_NS_PER_MIN);
	assert_false(c.warmup_auto);
	assert_int_equal(c.replications, 5);
	assert_false(c.replications_auto);
	assert_true(fabs(c.precision - 0.02) < 1e-15);
	assert_int_equal(c.seed, 1);
	assert_int_equal(c.window_ns, SIM_NS_PER_S);

	assert_true(c.wl.rate_per_s == 2000);
	assert_int_equal(c.wl.arrivals, WL_ARRIVALS_POISSON);
	assert_int_equal(c.wl.nschedule, 1);
	assert_int_equal(c.wl.schedule[0].at_ns, 5 * SIM_NS_PER_MIN);
	assert_true(c.wl.schedule[0].rate_per_s == 3000);
	assert_int_equal(c.wl.schedule[0].ramp_ns, SIM_NS_PER_MIN);
	assert_int_equal(c.wl.clients, 50000);
	assert_int_equal(c.wl.timeout_ns, 10 * SIM_NS_PER_S);
	assert_int_equal(c.wl.retries, 1);
	assert_int_equal(c.wl.retry_backoff.kind, SIM_DIST_EXP);
	assert_true(c.wl.retry_backoff.mean_ns == 500 * MS);
	assert_int_equal(c.wl.nclasses, 3);
	assert_string_equal(c.wl.classes[0].name, "static");
	assert_false(c.wl.classes[0].dynamic);
	assert_true(fabs(c.wl.classes[0].share - 0.55) < 1e-15);
	assert_string_equal(c.wl.classes[1].name, "page");
	assert_true(c.wl.classes[1].dynamic);
	assert_int_equal(c.wl.classes[1].app.kind, SIM_DIST_GAMMA);
	assert_string_equal(c.wl.classes[1].app.text, "gamma(mean=25ms, cv=1)");
	assert_int_equal(c.wl.classes[1].db_reads, 4);
	assert_int_equal(c.wl.classes[1].db_writes, 0);
	assert_string_equal(c.wl.classes[2].name, "write");
	assert_int_equal(c.wl.classes[2].db_reads, 2);
	assert_int_equal(c.wl.classes[2].db_writes, 1);
	assert_true(fabs(c.wl.classes[2].app.mean_ns - 40 * MS) < 1e-6);

	assert_int_equal(c.net.hop.kind, SIM_DIST_CONST);
	assert_true(c.net.hop.mean_ns == 0.2 * MS);

	assert_int_equal(c.lb.nodes, 2);
	assert_true(c.lb.service.mean_ns == 40e3);
	assert_int_equal(c.lb.threads, 4);
	assert_int_equal(c.lb.balance, LB_BALANCE_ROUNDROBIN);
	assert_int_equal(c.lb.maxconn, 20000);
	assert_int_equal(c.lb.timeout_queue_ns, 5 * SIM_NS_PER_S);
	assert_int_equal(c.lb.timeout_server_ns, 30 * SIM_NS_PER_S);
	assert_int_equal(c.lb.timeout_connect_ns, 5 * SIM_NS_PER_S);
	assert_int_equal(c.lb.check.inter_ns, 2 * SIM_NS_PER_S);
	assert_int_equal(c.lb.check.timeout_ns, SIM_NS_PER_S);
	assert_int_equal(c.lb.check.rise, 2);
	assert_int_equal(c.lb.check.fall, 3);
	assert_int_equal(c.lb.retries, 3);
	assert_true(c.lb.redispatch);
	assert_int_equal(c.lb.vrrp.version, 2);
	assert_int_equal(c.lb.vrrp.priority[0], 101);
	assert_int_equal(c.lb.vrrp.priority[1], 100);
	assert_true(c.lb.vrrp.preempt);
	assert_int_equal(c.lb.track.interval_ns, 2 * SIM_NS_PER_S);

	assert_int_equal(c.web.nodes, 3);
	assert_int_equal(c.web.workers, 4);
	assert_int_equal(c.web.static_cost.kind, SIM_DIST_LOGNORMAL);
	assert_true(fabs(c.web.static_cost.mean_ns - 0.4 * MS) < 1e-6);
	assert_true(c.web.proxy_cost.mean_ns == 0.15 * MS);
	assert_int_equal(c.web.tls_handshake.kind, SIM_DIST_CONST);
	assert_true(c.web.tls_handshake.mean_ns == 2 * MS);
	assert_true(fabs(c.web.tls_reuse - 0.7) < 1e-15);
	assert_true(fabs(c.web.cache_hit - 0.2) < 1e-15);
	assert_int_equal(c.web.upstream_balance, WEB_BALANCE_LEAST_CONN);
	assert_int_equal(c.web.max_fails, 1);
	assert_int_equal(c.web.next_upstream_tries, 2);
	assert_int_equal(c.web.connect_timeout_ns, 60 * SIM_NS_PER_S);
	assert_int_equal(c.web.read_timeout_ns, 60 * SIM_NS_PER_S);

	assert_int_equal(c.app.nodes, 4);
	assert_int_equal(c.app.cores, 8);
	assert_int_equal(c.app.workers, 64);
	assert_int_equal(c.app.db_pool_size, 16);
	assert_int_equal(c.app.db_pool_timeout_ns, 2 * SIM_NS_PER_S);
	assert_int_equal(c.app.db_timeout_ns, 5 * SIM_NS_PER_S);

	assert_int_equal(c.db.nodes, 3);
	assert_int_equal(c.db.cores, 16);
	assert_int_equal(c.db.max_connections, 500);
	assert_true(c.db.read_cost.mean_ns == 1.5 * MS);
	assert_true(c.db.write_cost.mean_ns == 4 * MS);
	assert_int_equal(c.db.replication, DB_REPLICATION_ASYNC);
	assert_int_equal(c.db.semisync_timeout_ns, 10 * SIM_NS_PER_S);
	assert_int_equal(c.db.apply_workers, 1);
	assert_int_equal(c.db.reads_from, DB_READS_FROM_REPLICAS);
	assert_int_equal(c.db.max_lag_ns, 0);
	assert_int_equal(c.db.failover_detect_ns, 10 * SIM_NS_PER_S);
	assert_int_equal(c.db.failover_promote_ns, 20 * SIM_NS_PER_S);
	assert_int_equal(c.nfailures, 0);

	assert_int_equal(c.nslo, 2);
	assert_int_equal(c.slo[0].metric, SLO_P99);
	assert_int_equal(c.slo[0].op, SLO_AT_MOST);
	assert_true(c.slo[0].target == 300 * MS);
	assert_int_equal(c.slo[1].metric, SLO_AVAILABILITY);
	assert_int_equal(c.slo[1].op, SLO_AT_LEAST);
	assert_true(fabs(c.slo[1].target - 0.999) < 1e-15);
	model_config_fini(&c);
	sim_diags_fini(&d);
}

/* ------------------------------------------------------------ every kind */

static const char every_kind[] =
	"name: kinds\n"
	"description: |\n"
	"  Two lines\n"
	"  of text.\n"
	"duration: 1h\n"
	"warmup: auto\n"
	"replications: auto\n"
	"min_replications: 3\n"
	"max_replications: 40\n"
	"precision: 0.05\n"
	"seed: 9223372036854775807\n"
	"window: 250ms\n"
	"workload:\n"
	"  rate: 30/m\n"
	"  arrivals: constant\n"
	"  schedule: [{at: 1m, rate: 1/s}, {at: 10m, rate: 2.5/s, ramp: 5m}]\n"
	"  clients: 1\n"
	"  timeout: 0\n"
	"  retries: 0\n"
	"  retry_backoff: uniform(1ms, 2ms)\n"
	"  classes:\n"
	"    only-one_1: {share: 1, app: 0, db_reads: 0, db_writes: 3}\n"
	"network: {hop: exp(1us)}\n"
	"lb:\n"
	"  nodes: 1\n"
	"  balance: source\n"
	"  redispatch: false\n"
	"  vrrp: {version: 3, priority: [1, 255], preempt: false, advert_int: 100ms}\n"
	"  check: {inter: 1500ms}\n"
	"  timeout_connect: 0\n"
	"web:\n"
	"  workers: 1\n"
	"  worker_connections: 2\n"
	"  static: 0\n"
	"  tls: {reuse: 0%, handshake: weibull(shape=2, mean=3ms)}\n"
	"  cache: {hit: 100%}\n"
	"  upstream: {balance: ip_hash, max_fails: 0, next_upstream_tries: 0, connect_timeout: 3s,\n"
	"             read_timeout: 0}\n"
	"app: {nodes: 1000, db_pool: {size: 1, timeout: 0s}, db_timeout: 250ms}\n"
	"db:\n"
	"  replication: semisync\n"
	"  reads_from: primary\n"
	"  nodes: 1\n"
	"  max_lag: 1d\n"
	"  jobs: []\n"
	"failures:\n"
	"  - {at: 0, node: lb1, kind: crash, for: 3m}\n"
	"  - {at: 3m, node: web2, kind: process}\n"
	"  - {at: 4m, node: app1000, kind: slow, factor: 1.0000000000000002, for: 1ns}\n"
	"  - {at: 59m, nodes: [db1], kind: partition, for: 0}\n"
	"  - {at: 7m, nodes: [web3, app1, db1, lb1], kind: crash, for: 10m}\n"
	"  - {tier: app, kind: random, mtbf: 30d, mttr: exp(20m)}\n"
	"  - {mode: process, tier: lb, kind: random, mtbf: 1.5h,\n"
	"     mttr: lognormal(median=1m, p99=1h)}\n"
	"scaling:\n"
	"autoscale:\n"
	"slo: {p99: none, mean: 20ms, p999: 1s, availability: 0.5, throughput: 10/s}\n";

static void every_kind_of_value_loads(void **state)
{
	(void)state;
	struct model_config c;
	struct sim_diags d;
	load(every_kind, NULL, 0, &c, &d);
	assert_string_equal(c.description, "Two lines\nof text.\n");
	assert_int_equal(c.duration_ns, SIM_NS_PER_H);
	assert_true(c.warmup_auto);
	assert_int_equal(c.warmup_ns, SIM_NS_PER_MIN); /* the default stays, unused */
	assert_true(c.replications_auto);
	assert_int_equal(c.replications, 3);
	assert_int_equal(c.max_replications, 40);
	assert_true(c.precision == 0.05);
	assert_true(c.seed == (uint64_t)INT64_MAX);
	assert_int_equal(c.window_ns, 250 * MS);
	assert_true(c.wl.rate_per_s == 0.5);
	assert_int_equal(c.wl.arrivals, WL_ARRIVALS_CONSTANT);
	assert_int_equal(c.wl.nschedule, 2);
	assert_int_equal(c.wl.schedule[1].ramp_ns, 5 * SIM_NS_PER_MIN);
	assert_true(c.wl.schedule[1].rate_per_s == 2.5);
	assert_int_equal(c.wl.clients, 1);
	assert_int_equal(c.wl.timeout_ns, 0);
	assert_int_equal(c.wl.retry_backoff.kind, SIM_DIST_UNIFORM);
	assert_int_equal(c.wl.nclasses, 1);
	assert_string_equal(c.wl.classes[0].name, "only-one_1");
	assert_true(c.wl.classes[0].dynamic); /* app: 0 is a transparent app tier */
	assert_true(c.wl.classes[0].app.mean_ns == 0);
	assert_int_equal(c.wl.classes[0].db_writes, 3);
	assert_int_equal(c.net.hop.kind, SIM_DIST_EXP);
	assert_int_equal(c.lb.nodes, 1);
	assert_int_equal(c.lb.balance, LB_BALANCE_SOURCE);
	assert_false(c.lb.redispatch);
	assert_int_equal(c.lb.vrrp.version, 3);
	assert_int_equal(c.lb.vrrp.priority[0], 1);
	assert_int_equal(c.lb.vrrp.priority[1], 255);
	assert_false(c.lb.vrrp.preempt);
	assert_int_equal(c.lb.check.inter_ns, 1500 * MS);
	assert_int_equal(c.lb.check.fall, 3); /* untouched keys of a mapping keep defaults */
	assert_true(c.web.static_cost.mean_ns == 0);
	assert_true(c.web.tls_reuse == 0);
	assert_int_equal(c.web.tls_handshake.kind, SIM_DIST_WEIBULL);
	assert_true(c.web.cache_hit == 1);
	assert_int_equal(c.web.upstream_balance, WEB_BALANCE_IP_HASH);
	assert_int_equal(c.app.nodes, 1000);
	assert_int_equal(c.app.db_pool_size, 1);
	assert_int_equal(c.db.replication, DB_REPLICATION_SEMISYNC);
	assert_int_equal(c.db.reads_from, DB_READS_FROM_PRIMARY);
	assert_int_equal(c.db.max_lag_ns, SIM_NS_PER_DAY);
	assert_int_equal(c.lb.timeout_connect_ns, 0);
	assert_int_equal(c.web.connect_timeout_ns, 3 * SIM_NS_PER_S);
	assert_int_equal(c.web.read_timeout_ns, 0);
	assert_int_equal(c.app.db_timeout_ns, 250 * MS);
	assert_int_equal(c.nfailures, 7);
	assert_int_equal(c.failures[0].kind, FAILURE_CRASH);
	assert_int_equal(c.failures[0].at_ns, 0);
	assert_int_equal(c.failures[1].kind, FAILURE_PROCESS);
	assert_int_equal(c.failures[1].for_ns, 0); /* until the end of the run */
	assert_int_equal(c.failures[2].kind, FAILURE_SLOW);
	assert_true(c.failures[2].factor == 1.0000000000000002);
	assert_int_equal(c.failures[2].nodes[0].tier, TIER_APP);
	assert_int_equal(c.failures[2].nodes[0].index, 999);
	assert_int_equal(c.failures[3].kind, FAILURE_PARTITION);
	assert_int_equal(c.failures[3].nnodes, 1);
	assert_int_equal(c.failures[4].nnodes, 4);
	assert_int_equal(c.failures[4].nodes[3].tier, TIER_LB);
	assert_int_equal(c.failures[5].kind, FAILURE_RANDOM);
	assert_int_equal(c.failures[5].mode, FAILURE_CRASH);
	assert_int_equal(c.failures[6].tier, TIER_LB);
	assert_int_equal(c.failures[6].mode, FAILURE_PROCESS);
	assert_int_equal(c.failures[6].mtbf_ns, 90 * SIM_NS_PER_MIN);
	assert_int_equal(c.failures[6].mttr.kind, SIM_DIST_LOGNORMAL);
	assert_int_equal(c.nscaling, 0);
	assert_false(c.autoscale.given);
	assert_int_equal(c.nslo, 4);
	assert_int_equal(c.slo[0].metric, SLO_MEAN);
	assert_int_equal(c.slo[1].metric, SLO_P999);
	assert_int_equal(c.slo[2].metric, SLO_AVAILABILITY);
	assert_int_equal(c.slo[3].metric, SLO_THROUGHPUT);
	assert_int_equal(c.slo[3].op, SLO_AT_LEAST);
	assert_true(c.slo[3].target == 10);
	assert_round_trip(&c, NULL);
	model_config_fini(&c);
	sim_diags_fini(&d);
}

static const char scaling_keys[] =
	"duration: 1h\n"
	"scaling:\n"
	"  - {at: 1m, tier: app, nodes: 64, boot: 0}\n"
	"  - {at: 1m, tier: app, nodes: 1}\n"
	"autoscale: {tier: web, target: 100%, interval: 1ns, cooldown: 0, min: 64, max: 64}\n";

static void scaling_and_autoscale_load(void **state)
{
	(void)state;
	struct model_config c;
	struct sim_diags d;
	load(scaling_keys, NULL, 0, &c, &d);
	assert_int_equal(c.nscaling, 2);
	assert_int_equal(c.scaling[0].tier, TIER_APP);
	assert_int_equal(c.scaling[0].nodes, 64);
	assert_int_equal(c.scaling[0].boot_ns, 0);
	assert_int_equal(c.scaling[1].at_ns, SIM_NS_PER_MIN); /* same instant: file order */
	assert_true(c.autoscale.given);
	assert_true(c.autoscale.enabled); /* the default: on from 0 s */
	assert_int_equal(c.autoscale.nschedule, 0);
	assert_int_equal(c.autoscale.tier, TIER_WEB);
	assert_int_equal(c.autoscale.metric, AUTOSCALE_UTILIZATION);
	assert_true(c.autoscale.target == 1);
	assert_int_equal(c.autoscale.interval_ns, 1);
	assert_int_equal(c.autoscale.boot_ns, 90 * SIM_NS_PER_S); /* the default */
	assert_int_equal(c.autoscale.min, 64);
	assert_int_equal(model_tier_max_nodes(&c, TIER_APP), 64);
	assert_int_equal(model_tier_max_nodes(&c, TIER_WEB), 64);
	assert_round_trip(&c, NULL);
	model_config_fini(&c);
	sim_diags_fini(&d);
}

/* autoscale.enabled and autoscale.schedule load, round-trip, and are in
 * the resolved scenario only when they say something: a scenario without
 * them resolves (and hashes) as it did before they existed. */
static void autoscale_switches_load_and_emit_only_when_set(void **state)
{
	(void)state;
	struct model_config c;
	struct sim_diags d;
	load("duration: 10m\n"
	     "autoscale:\n"
	     "  enabled: false\n"
	     "  schedule:\n"
	     "    - {at: 90s, enabled: true}\n"
	     "    - {at: 5m, enabled: false}\n"
	     "    - {at: 599s, enabled: true}\n",
	     NULL, 0, &c, &d);
	assert_true(c.autoscale.given);
	assert_false(c.autoscale.enabled);
	assert_int_equal(c.autoscale.nschedule, 3);
	assert_int_equal(c.autoscale.schedule[0].at_ns, 90 * SIM_NS_PER_S);
	assert_true(c.autoscale.schedule[0].enabled);
	assert_false(c.autoscale.schedule[1].enabled);
	assert_int_equal(c.autoscale.schedule[2].at_ns, 599 * SIM_NS_PER_S);
	char *y = emitted(&c);
	assert_non_null(strstr(y, "  enabled: false\n"));
	assert_non_null(strstr(y, "  schedule:\n"));
	free(y);
	assert_round_trip(&c, NULL);
	model_config_fini(&c);
	sim_diags_fini(&d);
}

static void autoscale_defaults_are_not_emitted(void **state)
{
	(void)state;
	struct model_config c;
	struct sim_diags d;
	load("autoscale: {tier: app, enabled: true, schedule: []}\n", NULL, 0, &c, &d);
	char *plain = emitted(&c);
	assert_non_null(strstr(plain, "autoscale:\n  tier: app\n"));
	assert_null(strstr(plain, "enabled"));
	int schedules = 0; /* workload.schedule, and no other */
	for (size_t i = 0; plain[i]; i++)
		schedules += strncmp(plain + i, "schedule:", 9) == 0;
	free(plain);
	assert_int_equal(schedules, 1);
	model_config_fini(&c);
	sim_diags_fini(&d);
}

/* `{app: gamma(mean=25ms, cv=1)}` splits at ", " in YAML; the loader rejoins it. */
static void distributions_with_commas_in_flow_mappings(void **state)
{
	(void)state;
	struct model_config c;
	struct sim_diags d;
	load("workload:\n  classes:\n"
	     "    a: {share: 50%, app: lognormal(median=1ms, p99=20ms), db_reads: 1}\n"
	     "    b: {app: 'gamma(mean=2ms, cv=0.5)', share: 50%}\n",
	     NULL, 0, &c, &d);
	assert_int_equal(c.wl.nclasses, 2);
	assert_int_equal(c.wl.classes[0].app.kind, SIM_DIST_LOGNORMAL);
	assert_int_equal(c.wl.classes[0].db_reads, 1);
	assert_int_equal(c.wl.classes[1].app.kind, SIM_DIST_GAMMA);
	model_config_fini(&c);
	sim_diags_fini(&d);
}

static void empirical_paths_resolve_against_the_scenario_directory(void **state)
{
	(void)state;
	char dir[] = "/tmp/tiersim_scn_XXXXXX";
	assert_non_null(mkdtemp(dir));
	char csv[128], yaml[128];
	snprintf(csv, sizeof csv, "%s/lat.csv", dir);
	snprintf(yaml, sizeof yaml, "%s/s.yaml", dir);
	FILE *f = fopen(csv, "w");
	assert_non_null(f);
	fputs("ms\n1\n2\n3\n", f);
	fclose(f);
	f = fopen(yaml, "w");
	assert_non_null(f);
	fputs("db:\n  read: empirical(lat.csv, column=ms, unit=ms)\n", f);
	fclose(f);
	struct model_config c;
	struct sim_diags d;
	sim_diags_init(&d);
	assert_int_equal(scn_load_file(yaml, NULL, 0, &c, &d), 0);
	assert_int_equal(c.db.read_cost.kind, SIM_DIST_EMPIRICAL);
	assert_int_equal(c.db.read_cost.nsamples, 3);
	assert_true(c.db.read_cost.mean_ns == 2 * MS);
	assert_round_trip(&c, dir);
	model_config_fini(&c);
	sim_diags_fini(&d);
	unlink(csv);
	unlink(yaml);
	rmdir(dir);
}

/* ------------------------------------------------------------ overrides */

static void overrides_apply_with_the_same_meaning_as_the_file(void **state)
{
	(void)state;
	const char *sets[] = {
		"app.nodes=6",
		"workload.rate=5000/s",
		"workload.classes.page.share=30%",
		"workload.classes.static.share=60%",
		"lb.vrrp.priority=[120, 110]",
		"slo.p99=none",
		"slo.p50=50ms",
		"workload.schedule.0.rate=4000/s",
		"description=",
		"web.tls={reuse: 10%}",
		"workload.classes.page.app=gamma(mean=5ms, cv=2)",
	};
	struct model_config c;
	struct sim_diags d;
	sim_diags_init(&d);
	int rc = scn_load_file("scenarios/baseline.yaml", sets, sizeof sets / sizeof sets[0], &c, &d);
	if (rc) {
		char *p = printed(&d);
		print_message("%s", p);
		free(p);
	}
	assert_int_equal(rc, 0);
	assert_int_equal(c.app.nodes, 6);
	assert_true(c.wl.rate_per_s == 5000);
	assert_true(fabs(c.wl.classes[1].share - 0.30) < 1e-15);
	assert_true(fabs(c.wl.classes[0].share - 0.60) < 1e-15);
	assert_string_equal(c.wl.classes[1].app.text, "gamma(mean=5ms, cv=2)");
	assert_int_equal(c.lb.vrrp.priority[0], 120);
	assert_int_equal(c.lb.vrrp.priority[1], 110);
	assert_int_equal(c.nslo, 2);
	assert_int_equal(c.slo[0].metric, SLO_P50);
	assert_int_equal(c.slo[1].metric, SLO_AVAILABILITY);
	assert_true(c.wl.schedule[0].rate_per_s == 4000);
	assert_int_equal(c.wl.schedule[0].ramp_ns, SIM_NS_PER_MIN);
	assert_null(c.description);
	assert_true(fabs(c.web.tls_reuse - 0.10) < 1e-15);
	assert_true(c.web.tls_handshake.mean_ns == 2 * MS); /* the rest of web.tls: defaults */
	model_config_fini(&c);
	sim_diags_fini(&d);
}

/* A --set below a key the file leaves out edits the defaults there. */
static void overrides_on_missing_sections_start_from_the_defaults(void **state)
{
	(void)state;
	const char *sets[] = {"workload.classes.page.share=25%", "workload.classes.static.share=65%",
			      "slo.throughput=100/s"};
	struct model_config c;
	struct sim_diags d;
	load("name: bare\n", sets, 3, &c, &d);
	assert_int_equal(c.wl.nclasses, 3);
	assert_true(fabs(c.wl.classes[1].share - 0.25) < 1e-15);
	assert_true(c.wl.classes[2].dynamic);
	assert_int_equal(c.nslo, 3);
	assert_int_equal(c.slo[2].metric, SLO_THROUGHPUT);
	model_config_fini(&c);
	sim_diags_fini(&d);
}

static void override_diagnostics_name_the_override(void **state)
{
	(void)state;
	const char *sets[] = {"app.nodes=0", "app.nodez=3", "ap.nodes=3", "lb.nodes.x=1",
			      "workload.rate=5000/x", "nothing", "web=[1", "lb.vrrp.priority.5=1"};
	char *p = load_errors("name: x\nlb: {nodes: 2}\n", sets, sizeof sets / sizeof sets[0]);
	assert_string_equal(
		p,
		"error: --set lb.nodes.x=1: 'lb.nodes' is a single value, not a mapping\n"
		"error: --set nothing: expected KEY=VALUE, e.g. --set app.nodes=6\n"
		"error: --set web=[1: the value is not valid YAML: flow sequence without a closing "
		"bracket (column 1 of the value)\n"
		"error: --set lb.vrrp.priority.5=1: 'lb.vrrp.priority' is a list of 2: use an index "
		"from 0 to 1, or 2 to add an item\n"
		"error: --set app.nodes=0: app.nodes: must be at least 1\n"
		"error: --set app.nodez=3: unknown key 'nodez' in 'app' (did you mean 'nodes'?)\n"
		"error: --set ap.nodes=3: unknown key 'ap' (did you mean 'app'?)\n"
		"error: --set workload.rate=5000/x: workload.rate: unknown rate unit '/x' (use /s, /m, "
		"/h)\n");
	free(p);
}

/* ------------------------------------------------------------ round trip */

/* Every shipped scenario, so scenarios added later are covered too. */
static void every_shipped_scenario_reads_back_identically(void **state)
{
	(void)state;
	DIR *dir = opendir("scenarios");
	assert_non_null(dir);
	struct dirent *e;
	int n = 0;
	while ((e = readdir(dir))) {
		size_t len = strlen(e->d_name);
		if (len < 6 || strcmp(e->d_name + len - 5, ".yaml") != 0)
			continue;
		char path[512];
		snprintf(path, sizeof path, "scenarios/%s", e->d_name);
		struct model_config c;
		struct sim_diags d;
		sim_diags_init(&d);
		if (scn_load_file(path, NULL, 0, &c, &d) != 0) {
			char *p = printed(&d);
			fail_msg("%s does not load:\n%s", path, p);
		}
		assert_round_trip(&c, "scenarios");
		model_config_fini(&c);
		sim_diags_fini(&d);
		n++;
	}
	closedir(dir);
	assert_true(n >= 1);
}

static void awkward_numbers_read_back_identically(void **state)
{
	(void)state;
	struct model_config c;
	struct sim_diags d;
	load("workload:\n  rate: 0.1/s\n  classes:\n    a: {share: 0.1}\n    b: {share: 0.2}\n"
	     "    c: {share: 0.7000000000000001}\n"
	     "precision: 0.3333333333333333\nslo: {availability: 0.99999, throughput: 1/h}\n",
	     NULL, 0, &c, &d);
	assert_round_trip(&c, NULL);
	model_config_fini(&c);
	sim_diags_fini(&d);
}

/* ------------------------------------------------------------ many errors */

static void one_pass_reports_every_problem(void **state)
{
	(void)state;
	char *p = load_errors("name: x\n"
			      "duraton: 10m\n"
			      "app:\n"
			      "  nodez: 4\n"
			      "  nodes: four\n"
			      "  cores: -1\n"
			      "lb: {nodes: 3, balance: leastcon}\n"
			      "web: [1, 2]\n"
			      "workload:\n"
			      "  rate: 5000/x\n"
			      "  classes:\n"
			      "    a: {share: 50%, app: exp(1ms)}\n"
			      "    b: {share: 45%}\n"
			      "db: {replication: semi, nodes: 1, nodes: 2}\n"
			      "slo: {p98: 1s}\n",
			      NULL, 0);
	assert_string_equal(
		p,
		"t.yaml:2:1: error: unknown key 'duraton' (did you mean 'duration'?)\n"
		"t.yaml:4:3: error: unknown key 'nodez' in 'app' (did you mean 'nodes'?)\n"
		"t.yaml:5:10: error: app.nodes: expected a whole number, got 'four'\n"
		"t.yaml:6:10: error: app.cores: must be at least 1, got -1\n"
		"t.yaml:7:13: error: lb.nodes: must be at most 2\n"
		"t.yaml:7:25: error: lb.balance: unknown value 'leastcon' (did you mean 'leastconn'? use "
		"roundrobin, leastconn, source or first)\n"
		"t.yaml:8:1: error: web: expected a mapping of keys (nodes, workers, worker_connections, "
		"static, proxy, tls, cache, upstream), got a list\n"
		"t.yaml:10:13: error: workload.rate: unknown rate unit '/x' (use /s, /m, /h)\n"
		"t.yaml:11:3: error: workload.classes: shares add up to 95%, not 100%\n"
		"t.yaml:14:19: error: db.replication: unknown value 'semi' (use async or semisync)\n"
		"t.yaml:14:35: error: duplicate key 'nodes' in 'db' (first given at line 14)\n"
		"t.yaml:15:7: error: unknown key 'p98' in 'slo' (did you mean 'p90'?)\n");
	free(p);
}

static void huge_files_are_refused_before_parsing(void **state)
{
	(void)state;
	char path[] = "/tmp/tiersim_huge_XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "w");
	assert_non_null(f);
	fputs("name: huge\ndescription: ", f);
	for (int i = 0; i < SCN_MAX_FILE_BYTES / 64 + 1; i++)
		fputs("0123456789012345678901234567890123456789012345678901234567890123", f);
	fputs("\n", f);
	fclose(f);
	struct model_config c;
	struct sim_diags d;
	sim_diags_init(&d);
	assert_int_equal(scn_load_file(path, NULL, 0, &c, &d), -1);
	char *p = printed(&d);
	char want[256];
	snprintf(want, sizeof want,
		 "%s:1:1: error: scenario is larger than 1 MiB (%d bytes); a scenario is a page of "
		 "keys, not data\n",
		 path, SCN_MAX_FILE_BYTES + 1);
	assert_string_equal(p, want);
	free(p);
	model_config_fini(&c);
	sim_diags_fini(&d);
	unlink(path);
}

static void missing_files_are_an_error_without_a_line(void **state)
{
	(void)state;
	struct model_config c;
	struct sim_diags d;
	sim_diags_init(&d);
	assert_int_equal(scn_load_file("tests/bad/no-such-file.yaml", NULL, 0, &c, &d), -1);
	char *p = printed(&d);
	assert_string_equal(p, "tests/bad/no-such-file.yaml: error: cannot read the scenario: No "
			       "such file or directory\n");
	free(p);
	model_config_fini(&c);
	sim_diags_fini(&d);
}

/* ------------------------------------------------------------ robustness */

static void deep_nesting_is_an_error_not_a_crash(void **state)
{
	(void)state;
	size_t depth = 5000;
	char *text = malloc(2 * depth + 16);
	assert_non_null(text);
	char *p = text;
	p += sprintf(p, "a: ");
	for (size_t i = 0; i < depth; i++)
		*p++ = '[';
	for (size_t i = 0; i < depth; i++)
		*p++ = ']';
	*p = '\0';
	struct model_config c;
	struct sim_diags d;
	sim_diags_init(&d);
	assert_int_equal(scn_load_string("deep.yaml", text, strlen(text), NULL, NULL, 0, &c, &d), -1);
	assert_true(d.errors > 0);
	model_config_fini(&c);
	sim_diags_fini(&d);
	free(text);
}

/* Seeded mutations of base[0..n): every one must load or fail cleanly, and
 * every one that loads must emit. */
static void mutate_and_load(const char *base, size_t n, unsigned long seed, const char *set)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, seed);
	static const char alphabet[] = "{}[],:#&*!|>'\"%@`-? \t\n0123456789abcxyz()=./\\";
	char buf[8300];
	assert_true(n < sizeof buf - 100);
	const char *sets[] = {set};
	for (int iter = 0; iter < 3000; iter++) {
		memcpy(buf, base, n);
		size_t len = n;
		int edits = 1 + (int)gsl_rng_uniform_int(r, 8);
		for (int e = 0; e < edits; e++) {
			size_t at = gsl_rng_uniform_int(r, len);
			unsigned long op = gsl_rng_uniform_int(r, 3);
			char ch = alphabet[gsl_rng_uniform_int(r, sizeof alphabet - 1)];
			if (op == 0) {
				buf[at] = ch;
			} else if (op == 1 && len + 1 < sizeof buf) {
				memmove(buf + at + 1, buf + at, len - at);
				buf[at] = ch;
				len++;
			} else if (len > 1) {
				memmove(buf + at, buf + at + 1, len - at - 1);
				len--;
			}
		}
		struct model_config c;
		struct sim_diags d;
		sim_diags_init(&d);
		int rc = scn_load_string("m.yaml", buf, len, NULL, iter % 2 ? sets : NULL,
					 iter % 2 ? 1 : 0, &c, &d);
		assert_true(rc == 0 ? d.errors == 0 : d.errors > 0);
		if (rc == 0) {
			char *y = NULL;
			assert_int_equal(scn_emit_resolved(&c, &y), 0);
			free(y);
		}
		model_config_fini(&c);
		sim_diags_fini(&d);
	}
	gsl_rng_free(r);
}

static void mutated_scenarios_never_crash(void **state)
{
	(void)state;
	FILE *f = fopen("scenarios/baseline.yaml", "rb");
	assert_non_null(f);
	char base[8192];
	size_t n = fread(base, 1, sizeof base, f);
	fclose(f);
	assert_true(n > 100);
	mutate_and_load(base, n, 20240611, "app.nodes=0");
}

/* ------------------------------------------------------------ failures */

/* The failures section of issue 4, as written there. */
static const char issue_failures[] =
	"name: issue4\n"
	"duration: 20m\n"
	"failures:\n"
	"  - {at: 2m, node: lb1, kind: crash, for: 3m}\n"
	"  - {at: 3m, node: web2, kind: process, for: 40s}\n"
	"  - {at: 4m, node: app2, kind: slow, factor: 8, for: 1m}\n"
	"  - {at: 5m, node: web1, kind: partition, for: 30s}\n"
	"  - {at: 6m, node: lb1, kind: process, for: 20s}\n"
	"  - {at: 7m, nodes: [web1, app1, db2], kind: crash, for: 10m}\n"
	"  - {tier: app, kind: random, mtbf: 30d, mttr: exp(20m)}\n";

static void failures_load_in_file_order_as_the_issue_writes_them(void **state)
{
	(void)state;
	struct model_config c;
	struct sim_diags d;
	load(issue_failures, NULL, 0, &c, &d);
	assert_int_equal(c.nfailures, 7);
	const struct failure_spec *f = c.failures;
	assert_int_equal(f[0].kind, FAILURE_CRASH);
	assert_int_equal(f[0].at_ns, 2 * SIM_NS_PER_MIN);
	assert_int_equal(f[0].for_ns, 3 * SIM_NS_PER_MIN);
	assert_int_equal(f[0].nnodes, 1);
	assert_int_equal(f[0].nodes[0].tier, TIER_LB);
	assert_int_equal(f[0].nodes[0].index, 0);
	assert_int_equal(f[1].kind, FAILURE_PROCESS);
	assert_int_equal(f[1].nodes[0].tier, TIER_WEB);
	assert_int_equal(f[1].nodes[0].index, 1);
	assert_int_equal(f[1].for_ns, 40 * SIM_NS_PER_S);
	assert_int_equal(f[2].kind, FAILURE_SLOW);
	assert_true(f[2].factor == 8);
	assert_int_equal(f[2].nodes[0].tier, TIER_APP);
	assert_int_equal(f[3].kind, FAILURE_PARTITION);
	assert_int_equal(f[3].at_ns, 5 * SIM_NS_PER_MIN);
	assert_int_equal(f[4].kind, FAILURE_PROCESS);
	assert_int_equal(f[4].nodes[0].tier, TIER_LB);
	assert_int_equal(f[5].kind, FAILURE_CRASH);
	assert_int_equal(f[5].nnodes, 3);
	assert_int_equal(f[5].nodes[0].tier, TIER_WEB);
	assert_int_equal(f[5].nodes[1].tier, TIER_APP);
	assert_int_equal(f[5].nodes[2].tier, TIER_DB);
	assert_int_equal(f[5].nodes[2].index, 1);
	assert_int_equal(f[6].kind, FAILURE_RANDOM);
	assert_int_equal(f[6].tier, TIER_APP);
	assert_int_equal(f[6].mode, FAILURE_CRASH);
	assert_int_equal(f[6].mtbf_ns, 30 * SIM_NS_PER_DAY);
	assert_int_equal(f[6].mttr.kind, SIM_DIST_EXP);
	assert_true(f[6].mttr.mean_ns == 20.0 * SIM_NS_PER_MIN);
	assert_int_equal(f[6].nnodes, 0);

	char *y = emitted(&c);
	const char *want[] = {"- at: 2m\n  node: lb1\n  kind: crash\n  for: 3m\n",
			      "  node: app2\n  kind: slow\n  factor: 8\n  for: 1m\n",
			      "  nodes:\n  - web1\n  - app1\n  - db2\n  kind: crash\n",
			      "- tier: app\n  kind: random\n  mode: crash\n  mtbf: 30d\n"
			      "  mttr: exp(20m)\n"};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		if (!strstr(y, want[i]))
			fail_msg("resolved failures lack\n%s\nin\n%s", want[i], y);
	free(y);
	assert_round_trip(&c, NULL);
	model_config_fini(&c);
	sim_diags_fini(&d);
}

/* Names are checked against the node counts of the whole document, after
 * --set, wherever in the file the tiers are. */
static void failure_node_names_follow_the_node_counts_after_overrides(void **state)
{
	(void)state;
	const char *text = "failures:\n"
			   "  - {at: 1m, node: web5, kind: crash}\n"
			   "web: {nodes: 5}\n";
	struct model_config c;
	struct sim_diags d;
	load(text, NULL, 0, &c, &d);
	assert_int_equal(c.failures[0].nodes[0].index, 4);
	model_config_fini(&c);
	sim_diags_fini(&d);

	const char *more[] = {"web.nodes=5"};
	load("failures: [{at: 1m, node: web5, kind: crash}]\n", more, 1, &c, &d);
	model_config_fini(&c);
	sim_diags_fini(&d);

	const char *fewer[] = {"web.nodes=4"};
	char *p = load_errors(text, fewer, 1);
	assert_string_equal(p, "t.yaml:2:20: error: failures[0].node: unknown node 'web5' (this "
			       "scenario has web1..web4)\n");
	free(p);
	p = load_errors("lb: {nodes: 1}\n"
			"failures:\n"
			"  - {at: 1m, nodes: [lb1, cache1, lb2], kind: crash}\n"
			"  - at: 2m\n"
			"    node: db4\n"
			"    kind: process\n",
			NULL, 0);
	assert_string_equal(
		p,
		"t.yaml:3:27: error: failures[0].nodes[1]: unknown node 'cache1' (nodes are lb1, "
		"web1..web3, app1..app4, db1..db3)\n"
		"t.yaml:3:35: error: failures[0].nodes[2]: unknown node 'lb2' (this scenario has lb1)\n"
		"t.yaml:5:11: error: failures[1].node: unknown node 'db4' (this scenario has "
		"db1..db3)\n");
	free(p);
}

static void failure_overrides_edit_and_add_entries_by_index(void **state)
{
	(void)state;
	const char *sets[] = {"failures.0.for=1m", "failures.2.factor=2.5",
			      "failures.5.nodes.1=db1",
			      "failures.7={at: 30s, node: web3, kind: partition}",
			      "failures.5.kind=process"};
	struct model_config c;
	struct sim_diags d;
	load(issue_failures, sets, sizeof sets / sizeof sets[0], &c, &d);
	assert_int_equal(c.nfailures, 8);
	assert_int_equal(c.failures[0].for_ns, SIM_NS_PER_MIN);
	assert_true(c.failures[2].factor == 2.5);
	assert_int_equal(c.failures[5].nodes[1].tier, TIER_DB);
	assert_int_equal(c.failures[5].kind, FAILURE_PROCESS);
	assert_int_equal(c.failures[7].kind, FAILURE_PARTITION);
	assert_int_equal(c.failures[7].for_ns, 0);
	model_config_fini(&c);
	sim_diags_fini(&d);
	/* failures.5 is the correlated crash: a factor there is the same
	 * mistake as in the file, named by its --set. */
	const char *bad[] = {"failures.5.factor=2", "failures.9.for=1m"};
	char *p = load_errors(issue_failures, bad, 2);
	assert_string_equal(
		p,
		"error: --set failures.9.for=1m: 'failures' is a list of 7: use an index from 0 to 6\n"
		"error: --set failures.5.factor=2: failures[5].factor: only meaningful with kind: slow, "
		"not crash\n");
	free(p);
	const char *empty[] = {"failures.0.for=1m"};
	p = load_errors("name: x\n", empty, 1);
	assert_string_equal(p, "error: --set failures.0.for=1m: 'failures' is an empty list: add an "
			       "item with failures.0=VALUE, or give the whole list\n");
	free(p);
	const char *add[] = {"failures.0={tier: db, kind: random, mtbf: 1y, mttr: 1h}"};
	load("name: x\n", add, 1, &c, &d);
	assert_int_equal(c.nfailures, 1);
	assert_int_equal(c.failures[0].tier, TIER_DB);
	assert_int_equal(c.failures[0].mtbf_ns, 365 * SIM_NS_PER_DAY);
	model_config_fini(&c);
	sim_diags_fini(&d);
}

static void failure_mistakes_are_all_reported_in_one_pass(void **state)
{
	(void)state;
	char *p = load_errors("duration: 10m\n"
			      "failures:\n"
			      "  - {at: 1m, node: app1, nodes: [app2], kind: crash}\n"
			      "  - {at: 1m, node: app1, kind: slow}\n"
			      "  - {at: 1m, node: app1, kind: crash, factor: 2, mtbf: 1d}\n"
			      "  - {tier: app, kind: random, at: 1m, for: 1m}\n"
			      "  - {at: 1m, nodes: [web1, web2, web1], kind: crsh}\n"
			      "  - {at: 1m, node: app1, kind: slow, factor: 0.5, mod: crash}\n"
			      "  - {node: 3, kind: partition}\n"
			      "  - [at, 1m]\n",
			      NULL, 0);
	assert_string_equal(
		p,
		"t.yaml:3:26: error: failures[0]: give either 'node' or 'nodes' (a correlated "
		"failure), not both\n"
		"t.yaml:4:5: error: failures[1]: missing 'factor' (needed with kind: slow)\n"
		"t.yaml:5:39: error: failures[2].factor: only meaningful with kind: slow, not crash\n"
		"t.yaml:5:50: error: failures[2].mtbf: only meaningful with kind: random, not crash\n"
		"t.yaml:6:31: error: failures[3].at: not allowed with kind: random, which fails every "
		"node of its 'tier' at random times for the whole run\n"
		"t.yaml:6:39: error: failures[3].for: not allowed with kind: random, which fails every "
		"node of its 'tier' at random times for the whole run\n"
		"t.yaml:6:5: error: failures[3]: missing 'mtbf' (needed with kind: random)\n"
		"t.yaml:6:5: error: failures[3]: missing 'mttr' (needed with kind: random)\n"
		"t.yaml:7:34: error: failures[4].nodes[2]: node 'web1' is listed twice\n"
		"t.yaml:7:47: error: failures[4].kind: unknown value 'crsh' (did you mean 'crash'? use "
		"crash, process, slow, partition or random)\n"
		"t.yaml:8:46: error: failures[5].factor: must be more than 1, got 0.5\n"
		"t.yaml:8:51: error: unknown key 'mod' in 'failures[5]' (did you mean 'mode'?)\n"
		"t.yaml:9:5: error: failures[6]: missing 'at' (needed with kind: partition)\n"
		"t.yaml:10:5: error: failures[7]: expected a mapping of keys (at, node, nodes, tier, "
		"kind, mode, factor, for, mtbf, mttr), got a list\n");
	free(p);
}

/* Cross-key rules wait for a document without other errors (one mistake,
 * one message); then `at` must fall inside the run. */
static void failures_start_before_the_end_of_the_run(void **state)
{
	(void)state;
	char *p = load_errors("duration: 10m\n"
			      "failures:\n"
			      "  - {at: 12m, node: web1, kind: crash}\n"
			      "  - {at: 10m, node: web1, kind: crash}\n"
			      "  - {at: 9m, node: web1, kind: crash, for: 1h}\n",
			      NULL, 0);
	assert_string_equal(p, "t.yaml:3:10: error: failures[0].at: failure at 12m is after the end "
			       "of the run (duration 10m)\n"
			       "t.yaml:4:10: error: failures[1].at: failure at 10m is at the end of "
			       "the run (duration 10m)\n");
	free(p);
	const char *longer[] = {"duration=13m"};
	struct model_config c;
	struct sim_diags d;
	load("duration: 10m\nfailures: [{at: 12m, node: web1, kind: crash}]\n", longer, 1, &c, &d);
	model_config_fini(&c);
	sim_diags_fini(&d);
}

/* A failed load leaves no failure that names a node outside the config. */
static void a_failed_load_keeps_only_failures_on_existing_nodes(void **state)
{
	(void)state;
	const char *text = "duraton: 1m\n"
			   "failures:\n"
			   "  - {at: 1m, node: web9, kind: crash}\n"
			   "  - {at: 1m, node: web2, kind: crash}\n"
			   "  - {at: 1m, node: nope, kind: crash}\n"
			   "  - {at: 1m, node: web2, kind: slow}\n";
	struct model_config c;
	struct sim_diags d;
	sim_diags_init(&d);
	assert_int_equal(scn_load_string("t.yaml", text, strlen(text), NULL, NULL, 0, &c, &d), -1);
	assert_int_equal(c.nfailures, 1);
	assert_int_equal(c.failures[0].nodes[0].index, 1);
	model_config_fini(&c);
	sim_diags_fini(&d);
}

static void db_jobs_load_as_the_issue_writes_them(void **state)
{
	(void)state;
	static const char text[] =
		"duration: 1h\n"
		"db:\n"
		"  jobs:\n"
		"    - {at: 10m, node: db2, kind: backup, cores: 50%, for: 30m}\n"
		"    - {at: 20m, node: db3, kind: backup, cores: 12.5%, for: 1m}\n";
	struct model_config c;
	struct sim_diags d;
	load(text, NULL, 0, &c, &d);
	assert_int_equal(c.db.njobs, 2);
	assert_int_equal(c.db.jobs[0].at_ns, 10 * SIM_NS_PER_MIN);
	assert_int_equal(c.db.jobs[0].node, 1);
	assert_int_equal(c.db.jobs[0].kind, DB_JOB_BACKUP);
	assert_true(c.db.jobs[0].cores == 0.5);
	assert_int_equal(c.db.jobs[0].for_ns, 30 * SIM_NS_PER_MIN);
	assert_int_equal(c.db.jobs[1].node, 2);
	assert_true(c.db.jobs[1].cores == 0.125);
	assert_round_trip(&c, NULL);
	sim_diags_fini(&d);
	model_config_fini(&c);
}

static void db_job_mistakes_are_all_reported_in_one_pass(void **state)
{
	(void)state;
	static const char text[] =
		"duration: 1h\n"
		"db:\n"
		"  jobs:\n"
		"    - {at: 10m, node: web2, kind: backup, cores: 50%, for: 30m}\n"
		"    - {at: 10m, node: db4, kind: backup, cores: 50%, for: 30m}\n"
		"    - {at: 10m, node: db2, kind: vacuum, cores: 0%, for: 0s}\n"
		"    - {at: 2h, node: db2, kind: backup, cores: 50%, for: 30m}\n"
		"    - {node: db2, kind: backup, cores: 50%, for: 30m}\n";
	char *p = load_errors(text, NULL, 0);
	print_message("%s", p);
	assert_non_null(strstr(p, "t.yaml:4:23: error: db.jobs[0].node: expected a database node "
				  "such as db2, got 'web2'"));
	assert_non_null(strstr(p, "db.jobs[2].kind"));
	assert_non_null(strstr(p, "db.jobs[2].cores"));
	assert_non_null(strstr(p, "db.jobs[2].for"));
	assert_non_null(strstr(p, "db.jobs[4]: missing"));
	free(p);
	/* the cross-key checks run on a document without other errors */
	static const char later[] =
		"duration: 1h\n"
		"db:\n"
		"  jobs:\n"
		"    - {at: 10m, node: db4, kind: backup, cores: 50%, for: 30m}\n"
		"    - {at: 2h, node: db2, kind: backup, cores: 50%, for: 30m}\n";
	p = load_errors(later, NULL, 0);
	print_message("%s", p);
	assert_non_null(strstr(p, "t.yaml:4:23: error: db.jobs[0].node: unknown node 'db4' (this "
				  "scenario has db1..db3)"));
	assert_non_null(strstr(p, "t.yaml:5:12: error: db.jobs[1].at: job at 2h does not start "
				  "before the end of the run (duration 1h)"));
	free(p);
}

static void mutated_failure_lists_never_crash(void **state)
{
	(void)state;
	mutate_and_load(issue_failures, strlen(issue_failures), 20240612, "failures.5.nodes.3=db1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(omitted_keys_keep_the_defaults),
		cmocka_unit_test(defaults_emit_every_section),
		cmocka_unit_test(baseline_means_what_the_issue_says),
		cmocka_unit_test(every_kind_of_value_loads),
		cmocka_unit_test(scaling_and_autoscale_load),
		cmocka_unit_test(autoscale_switches_load_and_emit_only_when_set),
		cmocka_unit_test(autoscale_defaults_are_not_emitted),
		cmocka_unit_test(distributions_with_commas_in_flow_mappings),
		cmocka_unit_test(empirical_paths_resolve_against_the_scenario_directory),
		cmocka_unit_test(overrides_apply_with_the_same_meaning_as_the_file),
		cmocka_unit_test(overrides_on_missing_sections_start_from_the_defaults),
		cmocka_unit_test(override_diagnostics_name_the_override),
		cmocka_unit_test(every_shipped_scenario_reads_back_identically),
		cmocka_unit_test(awkward_numbers_read_back_identically),
		cmocka_unit_test(one_pass_reports_every_problem),
		cmocka_unit_test(huge_files_are_refused_before_parsing),
		cmocka_unit_test(missing_files_are_an_error_without_a_line),
		cmocka_unit_test(deep_nesting_is_an_error_not_a_crash),
		cmocka_unit_test(mutated_scenarios_never_crash),
		cmocka_unit_test(failures_load_in_file_order_as_the_issue_writes_them),
		cmocka_unit_test(failure_node_names_follow_the_node_counts_after_overrides),
		cmocka_unit_test(failure_overrides_edit_and_add_entries_by_index),
		cmocka_unit_test(failure_mistakes_are_all_reported_in_one_pass),
		cmocka_unit_test(failures_start_before_the_end_of_the_run),
		cmocka_unit_test(a_failed_load_keeps_only_failures_on_existing_nodes),
		cmocka_unit_test(mutated_failure_lists_never_crash),
		cmocka_unit_test(db_jobs_load_as_the_issue_writes_them),
		cmocka_unit_test(db_job_mistakes_are_all_reported_in_one_pass),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
