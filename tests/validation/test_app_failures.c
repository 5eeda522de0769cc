/* App-server failures through the whole model, against nginx's behaviour in
 * ../shared/DOMAIN.md §3.2-3.3 (and §10 prediction 13) and issue 4:
 *  - a crash loses the requests the app server holds: nginx's
 *    proxy_read_timeout ends them (504) that long after they were sent; a
 *    process death resets them at once (502);
 *  - proxy_next_upstream: a request already sent is tried on another
 *    server when idempotent (GET), not when it is a POST (db_writes);
 *  - passive checks per worker process: with max_fails 1 and fail_timeout
 *    10s, each worker sends one failed attempt to a dead server every
 *    (10, 11] s, and none in between;
 *  - random failures: each node is down a share MTTR / (MTBF + MTTR) of the
 *    time in the long run (an alternating renewal process);
 *  - a restarted web server's cache warms: the n-th dynamic request after
 *    the restart hits with probability h (1 - exp(-n / N)), so the restart
 *    costs h / (1 - exp(-1 / N)) extra misses, which reach the app tier. */
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
#include "one_class.h"
#include "replicate.h"
#include "theory.h"

#define FAIL_AT_S 60
#define READ_TIMEOUT_S 5

/* One class of requests (GET: reads only; POST: a write too), app2 failing
 * at 60 s for 30 s; nothing outside nginx rescues or retries anything, so
 * what the clients see is nginx's doing. */
static void config_app2_failure(struct model_config *c, enum failure_kind kind, bool post)
{
	model_config_init(c);
	c->duration_ns = 100 * SIM_NS_PER_S;
	c->warmup_ns = 10 * SIM_NS_PER_S;
	c->wl.rate_per_s = 400;
	struct wl_class_config *k = one_dynamic_class(c, post ? "post" : "get");
	sim_dist_fini(&k->app);
	sim_dist_init_exp(&k->app, 40e6);
	k->db_reads = 2;
	k->db_writes = post ? 1 : 0;
	c->web.cache_hit = 0;
	c->wl.retries = 0;
	c->wl.timeout_ns = 0;             /* the client waits for nginx's answer */
	c->lb.timeout_server_ns = 0;      /* and so does HAProxy */
	c->web.read_timeout_ns = READ_TIMEOUT_S * SIM_NS_PER_S;
	c->web.connect_timeout_ns = 2 * SIM_NS_PER_S;
	c->failures[0] = (struct failure_spec){
		.kind = kind, .at_ns = FAIL_AT_S * SIM_NS_PER_S, .for_ns = 30 * SIM_NS_PER_S,
		.nodes = {{TIER_APP, 1}}, .nnodes = 1,
	};
	c->nfailures = 1;
}

struct outcome {
	uint64_t failed, offered;
	uint64_t errors[ERR_COUNT];
	uint64_t failed_in[2];            /* failures ending in the windows [a, a+1] */
	uint64_t failed_anywhere;         /* in any window */
};

static struct outcome run_app2_failure(enum failure_kind kind, bool post, size_t window)
{
	struct model_config cfg;
	config_app2_failure(&cfg, kind, post);
	char why[256];
	assert_true(model_failures_supported(&cfg, why, sizeof why));
	struct model_results r;
	assert_int_equal(model_run_replication(&cfg, 0, &r), 0);
	struct outcome o = {.failed = r.failed, .offered = r.offered};
	memcpy(o.errors, r.errors, sizeof o.errors);
	for (size_t w = 0; w < r.nwindows; w++) {
		o.failed_anywhere += r.windows[w].failed;
		if (w == window || w == window + 1)
			o.failed_in[w - window] += r.windows[w].failed;
	}
	print_message("  %s of app2, %s: %llu of %llu failed (server_timeout %llu, connect_refused "
		      "%llu), %llu in windows %zu-%zu\n",
		      failure_kind_name(kind), post ? "POST" : "GET", (unsigned long long)o.failed,
		      (unsigned long long)o.offered,
		      (unsigned long long)o.errors[ERR_SERVER_TIMEOUT],
		      (unsigned long long)o.errors[ERR_CONNECT_REFUSED],
		      (unsigned long long)(o.failed_in[0] + o.failed_in[1]), window, window + 1);
	model_results_fini(&r);
	model_config_fini(&cfg);
	return o;
}

static void a_crash_ends_held_posts_with_504_after_proxy_read_timeout(void **state)
{
	(void)state;
	/* the POSTs app2 held at 60 s were sent at most a request's life
	 * before: their read time-out ends them in [64, 66) */
	struct outcome o = run_app2_failure(FAILURE_CRASH, true, FAIL_AT_S + READ_TIMEOUT_S - 1);
	assert_true(o.failed > 0);
	assert_int_equal(o.errors[ERR_SERVER_TIMEOUT], o.failed);
	assert_int_equal(o.failed_in[0] + o.failed_in[1], o.failed_anywhere);
	/* connects to the black hole time out (2 s) before the first read
	 * time-out marks it: they go elsewhere, even POSTs (nothing was sent) */
	assert_int_equal(o.errors[ERR_CONNECT_TIMEOUT], 0);
}

static void a_process_death_resets_held_posts_at_once_with_502(void **state)
{
	(void)state;
	struct outcome o = run_app2_failure(FAILURE_PROCESS, true, FAIL_AT_S);
	assert_true(o.failed > 0);
	assert_int_equal(o.errors[ERR_CONNECT_REFUSED], o.failed);
	/* all in the failure's own second (a reset is one hop; a query out at
	 * the database when the process died comes back a few ms later) */
	assert_int_equal(o.failed_in[0], o.failed_anywhere);
}

static void held_gets_are_retried_on_another_server_and_succeed(void **state)
{
	(void)state;
	/* GETs are idempotent: the reset and the read time-out send them to
	 * the next server, so no client sees either failure */
	struct outcome process = run_app2_failure(FAILURE_PROCESS, false, FAIL_AT_S);
	assert_int_equal(process.failed, 0);
	struct outcome crash = run_app2_failure(FAILURE_CRASH, false, FAIL_AT_S);
	assert_int_equal(crash.failed, 0);
}

static void a_single_try_leaves_even_gets_failing(void **state)
{
	(void)state;
	/* next_upstream_tries 1: nothing is retried, so the held GETs fail */
	struct model_config cfg;
	config_app2_failure(&cfg, FAILURE_PROCESS, false);
	cfg.web.next_upstream_tries = 1;
	struct model_results r;
	assert_int_equal(model_run_replication(&cfg, 0, &r), 0);
	print_message("  next_upstream_tries 1: %llu failed\n", (unsigned long long)r.failed);
	assert_true(r.failed > 0);
	model_results_fini(&r);
	model_config_fini(&cfg);
}

/* ---------------------------------------------------------------- max_fails */

struct mark_log {
	int64_t last_down_ns[8][64];       /* per web node and worker */
	int downs, ups, gaps, burst;
	double min_gap_s, max_gap_s, last_burst_s;
	double max_past_second_s;          /* of the probes' failures */
	int64_t first_down_ns;
};

static void log_marks(void *ctx, const struct model_event *ev)
{
	struct mark_log *log = ctx;
	if (!ev->node || strcmp(ev->node->name, "app2"))
		return;
	if (ev->kind == MODEL_EVENT_MARKED_UP)
		log->ups++;
	if (ev->kind != MODEL_EVENT_MARKED_DOWN)
		return;
	int web = 0, worker = 0;
	assert_int_equal(sscanf(ev->text, "web%d worker %d", &web, &worker), 2);
	assert_true(web >= 1 && web <= 8 && worker >= 1 && worker <= 64);
	if (!log->downs++)
		log->first_down_ns = ev->at_ns;
	int64_t *last = &log->last_down_ns[web - 1][worker - 1];
	double gap = (double)(ev->at_ns - *last) / 1e9;
	if (*last > 0 && gap < 1.0) {
		/* the requests app2 held when it died, reset together */
		log->burst++;
		log->last_burst_s = (double)ev->at_ns / 1e9;
	} else if (*last > 0) {
		/* nginx's clock is whole seconds: the server is back in the
		 * worker's choice at a whole second, and the next pick fails */
		double t = (double)ev->at_ns / 1e9;
		log->max_past_second_s = fmax(log->max_past_second_s, t - floor(t));
		log->min_gap_s = log->gaps ? fmin(log->min_gap_s, gap) : gap;
		log->max_gap_s = log->gaps ? fmax(log->max_gap_s, gap) : gap;
		log->gaps++;
	}
	*last = ev->at_ns;
}

static void each_worker_probes_a_dead_server_once_per_fail_timeout_plus_up_to_1_s(void **state)
{
	(void)state;
	struct model_config cfg;
	config_app2_failure(&cfg, FAILURE_PROCESS, false);
	cfg.wl.rate_per_s = 1000; /* every worker gets a request every few ms */
	sim_dist_fini(&cfg.wl.classes[0].app);
	sim_dist_init_exp(&cfg.wl.classes[0].app, 10e6); /* app servers a third busy */
	struct mark_log log = {0};
	struct model_event_listener listener = {.fn = log_marks, .ctx = &log};
	struct model_results r;
	assert_int_equal(model_run_replication_watched(&cfg, 0, &r, &listener), 0);
	int workers = cfg.web.nodes * cfg.web.workers;
	print_message("  %d marks by %d workers (%d for held requests, the last at %.4f s), "
		      "%d gaps in [%.3f, %.3f] s, probes fail <= %.3f s past a second, %d back up; "
		      "detected %.3f s after\n",
		      log.downs, workers, log.burst, log.last_burst_s, log.gaps, log.min_gap_s,
		      log.max_gap_s, log.max_past_second_s, log.ups, r.incidents[0].detected_s - r.incidents[0].at_s);
	/* the resets of what app2 held count as failures at once */
	assert_true(log.burst == 0 || log.last_burst_s < FAIL_AT_S + 0.1);
	/* every worker finds it out itself (no `zone`) ... */
	assert_true(log.downs >= workers);
	/* ... and retries it only after (10, 11] s, plus the wait for its next
	 * request to app2 (tens of ms at this load) and the RST's hop */
	assert_true(log.gaps >= workers);
	assert_true(log.min_gap_s > 10.0);
	assert_true(log.max_gap_s < 11.5);
	assert_true(log.max_past_second_s < 0.5);
	/* 30 s down: at most 3 probes after each worker's first failure */
	assert_true(log.downs - log.burst <= 4 * workers);
	/* after the restart each worker's next probe succeeds */
	assert_int_equal(log.ups, workers);
	/* the incident was detected by the first worker to mark it */
	assert_int_equal(r.nincidents, 1);
	assert_float_equal(r.incidents[0].detected_s, (double)log.first_down_ns / 1e9, 1e-9);
	assert_true(r.incidents[0].detected_s - r.incidents[0].at_s < 0.1);
	model_results_fini(&r);
	model_config_fini(&cfg);
}

/* ---------------------------------------------------------------- random */

#define MTBF_S 60.0
#define MTTR_S 20.0

/* Every app server failing at random (exponential times to failure and to
 * repair), under light load. */
static void random_app_failures(struct model_config *cfg)
{
	model_config_init(cfg);
	cfg->duration_ns = 120 * SIM_NS_PER_MIN;
	cfg->warmup_ns = 0;
	cfg->window_ns = 60 * SIM_NS_PER_S;
	cfg->wl.rate_per_s = 2;
	cfg->failures[0] = (struct failure_spec){
		.kind = FAILURE_RANDOM, .tier = TIER_APP, .mode = FAILURE_PROCESS,
		.mtbf_ns = (int64_t)(MTBF_S * 1e9),
	};
	sim_dist_init_exp(&cfg->failures[0].mttr, MTTR_S * 1e9);
	cfg->nfailures = 1;
}

/* The app servers' down time as a share of their time measured. */
static int copy_app_down_fraction(const struct model_results *r, size_t i, double *values)
{
	double down = 0;
	int napp = 0;
	for (size_t k = 0; k < r->nnodes; k++)
		if (r->nodes[k].tier == TIER_APP) {
			down += r->nodes[k].down_s;
			napp++;
		}
	values[i] = down / (napp * r->measured_s);
	return 0;
}

static void random_failures_keep_each_node_down_mttr_over_mtbf_plus_mttr(void **state)
{
	(void)state;
	struct model_config cfg;
	random_app_failures(&cfg);
	struct theory_case c = {
		.what = "random app failures, down fraction",
		.nmetrics = 1,
		.metric = {"down"},
		.analytic = {MTTR_S / (MTBF_S + MTTR_S)},
		.reps = 10,
		.base_seed = 41,
		.max_rel_half_width = 0.1,
		.run = replicate_run,
		.ctx = &(struct replicate_case){&cfg, copy_app_down_fraction},
	};
	theory_expect(&c);
	model_config_fini(&cfg);
}

static void adding_a_node_does_not_shift_the_others_failures(void **state)
{
	(void)state;
	double down[2][4];
	for (int v = 0; v < 2; v++) {
		struct model_config cfg;
		model_config_init(&cfg);
		cfg.duration_ns = 30 * SIM_NS_PER_MIN;
		cfg.warmup_ns = 0;
		cfg.wl.rate_per_s = 2;
		cfg.app.nodes = 4 + v;
		cfg.failures[0] = (struct failure_spec){
			.kind = FAILURE_RANDOM, .tier = TIER_APP, .mtbf_ns = 120 * SIM_NS_PER_S,
		};
		sim_dist_init_exp(&cfg.failures[0].mttr, 20e9);
		cfg.nfailures = 1;
		struct model_results r;
		assert_int_equal(model_run_replication(&cfg, 0, &r), 0);
		int k = 0;
		for (size_t i = 0; i < r.nnodes; i++)
			if (r.nodes[i].tier == TIER_APP && k < 4)
				down[v][k++] = r.nodes[i].down_s;
		model_results_fini(&r);
		model_config_fini(&cfg);
	}
	for (int k = 0; k < 4; k++) {
		print_message("  app%d down %.3f s with 4 app nodes, %.3f s with 5\n", k + 1,
			      down[0][k], down[1][k]);
		assert_true(down[0][k] > 0);
		assert_float_equal(down[0][k], down[1][k], 1e-9);
	}
}

/* ---------------------------------------------------------------- cold cache */

#define CACHE_HIT 0.5
#define CACHE_WARM_N 1000.0 /* WEB_CACHE_WARM_REQUESTS */

/* One dynamic class without queries on a single web server with a cache,
 * whose process dies at 50 s and is back 1 s later, cold. */
static void cold_restart_of_web1(struct model_config *cfg)
{
	model_config_init(cfg);
	cfg->duration_ns = 100 * SIM_NS_PER_S;
	cfg->warmup_ns = 10 * SIM_NS_PER_S;
	cfg->wl.rate_per_s = 200;
	struct wl_class_config *k = one_dynamic_class(cfg, "get");
	sim_dist_fini(&k->app);
	sim_dist_init_exp(&k->app, 5e6);
	cfg->web.nodes = 1;
	cfg->web.cache_hit = CACHE_HIT;
	cfg->failures[0] = (struct failure_spec){
		.kind = FAILURE_PROCESS, .at_ns = 50 * SIM_NS_PER_S, .for_ns = SIM_NS_PER_S,
		.nodes = {{TIER_WEB, 0}}, .nnodes = 1,
	};
	cfg->nfailures = 1;
}

/* Extra requests that reached the app tier because web1 restarted cold:
 * app requests beyond the (1 - h) share of the dynamic requests nginx
 * served. */
static int copy_extra_app_requests(const struct model_results *r, size_t i, double *values)
{
	double web = 0, app = 0;
	for (size_t n = 0; n < r->nnodes; n++) {
		if (r->nodes[n].tier == TIER_WEB)
			web += (double)r->nodes[n].served;
		if (r->nodes[n].tier == TIER_APP)
			app += (double)r->nodes[n].served;
	}
	values[i] = app - (1 - CACHE_HIT) * web;
	return 0;
}

static void a_restarted_web_server_warms_its_cache_exponentially(void **state)
{
	(void)state;
	struct model_config cfg;
	cold_restart_of_web1(&cfg);
	struct theory_case c = {
		.what = "extra misses after a cold restart",
		.nmetrics = 1,
		.metric = {"misses"},
		.analytic = {CACHE_HIT / (1 - exp(-1 / CACHE_WARM_N))},
		.reps = 10,
		.base_seed = 7,
		.max_rel_half_width = 0.2,
		.run = replicate_run,
		.ctx = &(struct replicate_case){&cfg, copy_extra_app_requests},
	};
	theory_expect(&c);
	model_config_fini(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_crash_ends_held_posts_with_504_after_proxy_read_timeout),
		cmocka_unit_test(a_process_death_resets_held_posts_at_once_with_502),
		cmocka_unit_test(held_gets_are_retried_on_another_server_and_succeed),
		cmocka_unit_test(a_single_try_leaves_even_gets_failing),
		cmocka_unit_test(each_worker_probes_a_dead_server_once_per_fail_timeout_plus_up_to_1_s),
		cmocka_unit_test(random_failures_keep_each_node_down_mttr_over_mtbf_plus_mttr),
		cmocka_unit_test(adding_a_node_does_not_shift_the_others_failures),
		cmocka_unit_test(a_restarted_web_server_warms_its_cache_exponentially),
	};
	return cmocka_run_group_tests_name("validation: app failures and nginx", tests, NULL, NULL);
}
