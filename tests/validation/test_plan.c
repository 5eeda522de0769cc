/* The capacity planner against a closed form.
 *
 * The scenario makes every tier transparent (zero costs and hops, no limits,
 * no time-outs) except the app tier: N nodes of 2 cores with exponential
 * service, fed by nginx's `random` balancing, which thins a Poisson stream
 * into N independent Poisson streams.  Each app node is then an M/M/2 at
 * lambda/N, and the p99 response time is the M/M/2 Erlang-C p99 at that
 * rate.  The cheapest N (web and db cost nothing) meeting `p99 <= T` is
 * the smallest N whose Erlang-C p99 is at most T; with --n-plus-one it is
 * one more.  T is put halfway (geometrically) between the p99 of two
 * neighbouring counts, so that the simulation's estimate (a few percent of
 * sampling error at this length) cannot fall on the wrong side of it: the
 * test pins the planner's search, not the noise.
 *
 * Runs the CLI ($TIERSIM, default ./tiersim) and reads its plan.json. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "sim/analytic.h"

#define RATE 1000.0
#define CORES 2
#define SERVICE_S 0.010

static const char scenario[] =
	"name: app-mmc\n"
	"duration: 200s\n"
	"warmup: 10s\n"
	"replications: 3\n"
	"seed: 7\n"
	"workload:\n"
	"  rate: 1000/s\n"
	"  timeout: 0s\n"
	"  retries: 0\n"
	"  classes:\n"
	"    request: {share: 100%, app: exp(10ms)}\n"
	"network: {hop: 0ms}\n"
	"lb: {service: 0ms, maxconn: 1000000, timeout_queue: 0s, timeout_server: 0s}\n"
	"web:\n"
	"  nodes: 1\n"
	"  worker_connections: 1000000\n"
	"  static: 0ms\n"
	"  proxy: 0ms\n"
	"  tls: {handshake: 0ms, resumed: 0ms}\n"
	"  cache: {hit: 0%}\n"
	"  upstream: {balance: random}\n"
	"app: {nodes: 3, cores: 2, workers: 100000}\n"
	"db: {nodes: 1, read: 0ms, write: 0ms, max_connections: 1000000, reads_from: primary}\n"
	"slo: {}\n";

static double p99_s(int nodes)
{
	return sim_mmc_response_quantile_s(RATE / nodes, CORES, SERVICE_S, 0.99);
}

/* The smallest N with an Erlang-C p99 at most target (the closed form). */
static int closed_form_nodes(double target_s)
{
	int n = (int)floor(RATE * SERVICE_S / CORES) + 1; /* utilization below 1 */
	while (p99_s(n) > target_s)
		n++;
	return n;
}

/* Run the planner; return answer.nodes.app (and the approximation's). */
static int plan_app_nodes(double target_s, const char *extra, int *analytic)
{
	char dir[] = "/tmp/tiersim_plan.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[256], cmd[1024];
	snprintf(path, sizeof path, "%s/mmc.yaml", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(scenario, f);
	fclose(f);
	const char *tiersim = getenv("TIERSIM") ? getenv("TIERSIM") : "./tiersim";
	snprintf(cmd, sizeof cmd,
		 "%s plan %s --load 1000/s --slo 'p99<=%.3fms' --cost web=0,app=1,db=0 %s -j 2 "
		 "--quiet --out %s",
		 tiersim, path, target_s * 1e3, extra, dir);
	int status = system(cmd);
	assert_int_equal(status, 0);
	snprintf(path, sizeof path, "%s/plan.json", dir);
	json_error_t je;
	json_t *root = json_load_file(path, 0, &je);
	assert_non_null(root);
	json_t *answer = json_object_get(root, "answer");
	assert_true(json_is_true(json_object_get(answer, "found")));
	int nodes = (int)json_integer_value(json_object_get(json_object_get(answer, "nodes"), "app"));
	*analytic = (int)json_integer_value(json_object_get(
		json_object_get(json_object_get(root, "bounds"), "analytic"), "app"));
	printf("  plan %s: app %d (the M/M/c approximation proposed %d)\n", extra, nodes, *analytic);
	json_decref(root);
	unlink(path);
	snprintf(path, sizeof path, "%s/mmc.yaml", dir);
	unlink(path);
	rmdir(dir);
	return nodes;
}

static double target_between(int n)
{
	return sqrt(p99_s(n - 1) * p99_s(n));
}

static void planner_finds_the_erlang_c_count(void **state)
{
	(void)state;
	double target = target_between(8);
	int expected = closed_form_nodes(target);
	assert_int_equal(expected, 8);
	int analytic;
	assert_int_equal(plan_app_nodes(target, "", &analytic), expected);
	assert_int_equal(analytic, expected); /* the approximation is exact here */
}

static void n_plus_one_adds_the_node_that_may_be_down(void **state)
{
	(void)state;
	double target = target_between(7);
	int expected = closed_form_nodes(target) + 1;
	int analytic;
	assert_int_equal(plan_app_nodes(target, "--n-plus-one", &analytic), expected);
	assert_int_equal(analytic, expected);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(planner_finds_the_erlang_c_count),
		cmocka_unit_test(n_plus_one_adds_the_node_that_may_be_down),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
