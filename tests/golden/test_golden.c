/* Golden tests: every shipped scenario, run as a user runs it.
 *
 * For each scenarios/NAME.yaml this runs
 *     $TIERSIM run scenarios/NAME.yaml --duration 2m --replications 2 -j 2 --format json
 * (tests/golden/NAME.args, when present, replaces "--duration 2m": a
 * scenario whose failures come later than 2m keeps its own duration)
 * ($TIERSIM defaults to ./tiersim; short runs, so the suite stays fast; the
 * seed is the scenario's), then checks
 *   - the exit status is 0 or 1 (an SLO verdict, not an error);
 *   - the JSON has every key docs/report.md documents, with the right type;
 *   - the output equals tests/golden/NAME.json byte for byte: the same
 *     scenario and seed must always give the same numbers, whatever -j.
 * After an intended change of the model, regenerate the files with
 * `make golden` (TIERSIM_GOLDEN_UPDATE=1) and review the diff. */
#include <dirent.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>
#include <jansson.h>

#define RUN_ARGS "--replications 2 -j 2 --format json"
#define DEFAULT_EXTRA "--duration 2m"

static char *read_all(FILE *f, size_t *len_out)
{
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);
	size_t got;
	while (buf && (got = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += got;
		if (cap - len < 2) {
			char *bigger = realloc(buf, cap * 2);
			if (!bigger) {
				free(buf);
				return NULL;
			}
			buf = bigger;
			cap *= 2;
		}
	}
	if (buf)
		buf[len] = '\0';
	*len_out = len;
	return buf;
}

/* "a.b.c": every component must exist; "*" walks every member of an object
 * and "[]" every element of an array. */
static void expect_path(json_t *node, const char *path, json_type type, const char *whole)
{
	if (!*path) {
		/* JSON_TRUE stands for "a boolean"; a real may print as an integer
		 * or be null (undefined, e.g. a percentile without completions). */
		bool ok = json_typeof(node) == type ||
			  (type == JSON_TRUE && json_is_boolean(node)) ||
			  (type == JSON_REAL && (json_is_integer(node) || json_is_null(node)));
		if (!ok)
			fail_msg("key %s has the wrong type", whole);
		return;
	}
	char head[64];
	const char *dot = strchr(path, '.');
	size_t n = dot ? (size_t)(dot - path) : strlen(path);
	snprintf(head, sizeof head, "%.*s", (int)n, path);
	const char *rest = dot ? dot + 1 : "";
	if (!strcmp(head, "*") || !strcmp(head, "[]")) {
		size_t count = 0;
		if (json_is_object(node)) {
			const char *k;
			json_t *v;
			json_object_foreach(node, k, v) {
				expect_path(v, rest, type, whole);
				count++;
			}
		} else if (json_is_array(node)) {
			size_t i;
			json_t *v;
			json_array_foreach(node, i, v) {
				expect_path(v, rest, type, whole);
				count++;
			}
		}
		if (count == 0)
			fail_msg("key %s: nothing to walk at '%s'", whole, head);
		return;
	}
	json_t *child = json_object_get(node, head);
	if (!child)
		fail_msg("missing key %s", whole);
	expect_path(child, rest, type, whole);
}

static const struct {
	const char *path;
	json_type type;
} documented[] = { /* JSON_TRUE: a boolean */
	{"scenario", JSON_STRING}, {"tiersim_version", JSON_STRING},
	{"scenario_sha256", JSON_STRING}, {"seed", JSON_INTEGER},
	{"replications", JSON_INTEGER}, {"duration_s", JSON_REAL},
	{"requests.offered", JSON_INTEGER}, {"requests.completed", JSON_INTEGER},
	{"requests.failed", JSON_INTEGER}, {"throughput_rps", JSON_REAL},
	{"availability", JSON_REAL}, {"latency_ms.mean", JSON_REAL},
	{"latency_ms.p50", JSON_REAL}, {"latency_ms.p90", JSON_REAL},
	{"latency_ms.p99", JSON_REAL}, {"latency_ms.p999", JSON_REAL},
	{"latency_ms.max", JSON_REAL}, {"latency_ms.ci95.mean", JSON_ARRAY},
	{"latency_ms.ci95.p99", JSON_ARRAY}, {"classes.*.requests", JSON_OBJECT},
	{"classes.*.availability", JSON_REAL}, {"classes.*.latency_ms.mean", JSON_REAL},
	{"classes.*.latency_ms.p99", JSON_REAL}, {"errors.vip_unreachable", JSON_INTEGER},
	{"errors.connect_refused", JSON_INTEGER}, {"errors.connect_timeout", JSON_INTEGER},
	{"errors.server_timeout", JSON_INTEGER}, {"errors.queue_timeout", JSON_INTEGER},
	{"errors.pool_timeout", JSON_INTEGER}, {"errors.db_unavailable", JSON_INTEGER},
	{"errors.client_timeout", JSON_INTEGER}, {"tiers.lb.nodes", JSON_INTEGER},
	{"tiers.web.utilization", JSON_REAL}, {"tiers.app.queue_mean", JSON_REAL},
	{"tiers.db.utilization", JSON_REAL}, {"nodes.[].name", JSON_STRING},
	{"nodes.[].tier", JSON_STRING}, {"nodes.[].role", JSON_STRING},
	{"nodes.[].utilization", JSON_REAL}, {"nodes.[].queue_mean", JSON_REAL},
	{"nodes.[].down_s", JSON_REAL}, {"analytic.latency_ms.mean", JSON_REAL},
	{"analytic.tiers.*.utilization", JSON_REAL}, {"slo.met", JSON_TRUE},
	{"slo.checks.[].metric", JSON_STRING}, {"slo.checks.[].target", JSON_REAL},
	{"slo.checks.[].value", JSON_REAL}, {"slo.checks.[].met", JSON_TRUE},
	{"db.lag_s.mean", JSON_REAL}, {"db.lag_s.p99", JSON_REAL}, {"db.lag_s.max", JSON_REAL},
	{"db.apply_delay_ms.mean", JSON_REAL}, {"db.apply_delay_ms.p99", JSON_REAL},
	{"db.nodes", JSON_OBJECT}, {"db.stale_reads", JSON_INTEGER},
	{"db.stale_read_ratio", JSON_REAL}, {"db.staleness_ms.p50", JSON_REAL},
	{"db.staleness_ms.p99", JSON_REAL}, {"db.lost_writes", JSON_INTEGER},
};

static void expect_documented_keys(json_t *root)
{
	for (size_t i = 0; i < sizeof documented / sizeof documented[0]; i++)
		expect_path(root, documented[i].path, documented[i].type, documented[i].path);
}

static void golden_scenario(const char *name)
{
	char cmd[4200], golden_path[4200];
	const char *tiersim = getenv("TIERSIM") ? getenv("TIERSIM") : "./tiersim";
	char extra[256] = DEFAULT_EXTRA;
	char args_path[4200];
	snprintf(args_path, sizeof args_path, "tests/golden/%s.args", name);
	FILE *af = fopen(args_path, "r");
	if (af) {
		if (!fgets(extra, sizeof extra, af))
			extra[0] = '\0';
		extra[strcspn(extra, "\n")] = '\0';
		fclose(af);
	}
	snprintf(cmd, sizeof cmd, "%s run scenarios/%s.yaml %s " RUN_ARGS, tiersim, name, extra);
	snprintf(golden_path, sizeof golden_path, "tests/golden/%s.json", name);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	size_t len;
	char *out = read_all(p, &len);
	int status = pclose(p);
	assert_non_null(out);
	assert_true(WIFEXITED(status));
	int code = WEXITSTATUS(status);
	if (code != 0 && code != 1)
		fail_msg("%s exited %d", cmd, code);

	json_error_t jerr;
	json_t *root = json_loadb(out, len, 0, &jerr);
	if (!root)
		fail_msg("%s: not JSON: %s", name, jerr.text);
	expect_documented_keys(root);
	assert_int_equal(json_is_true(json_object_get(json_object_get(root, "slo"), "met")), code == 0);
	json_decref(root);

	if (getenv("TIERSIM_GOLDEN_UPDATE")) {
		FILE *g = fopen(golden_path, "w");
		assert_non_null(g);
		assert_int_equal(fwrite(out, 1, len, g), len);
		assert_int_equal(fclose(g), 0);
	} else {
		FILE *g = fopen(golden_path, "r");
		if (!g)
			fail_msg("%s is missing: run 'make golden'", golden_path);
		size_t glen;
		char *expected = read_all(g, &glen);
		fclose(g);
		assert_non_null(expected);
		if (glen != len || memcmp(expected, out, len) != 0)
			fail_msg("%s differs from %s (if the change is intended: make golden)", cmd,
				 golden_path);
		free(expected);
	}
	free(out);
}

static void every_shipped_scenario_matches_its_golden_output(void **state)
{
	(void)state;
	DIR *d = opendir("scenarios");
	assert_non_null(d);
	struct dirent *e;
	int count = 0;
	char names[64][64];
	while ((e = readdir(d)) != NULL && count < 64) {
		size_t n = strlen(e->d_name);
		if (n > 5 && !strcmp(e->d_name + n - 5, ".yaml"))
			snprintf(names[count++], sizeof names[0], "%.*s", (int)(n - 5), e->d_name);
	}
	closedir(d);
	assert_true(count >= 6);
	for (int i = 0; i < count; i++) {
		print_message("  golden: %s\n", names[i]);
		golden_scenario(names[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_shipped_scenario_matches_its_golden_output),
	};
	return cmocka_run_group_tests_name("golden: shipped scenarios", tests, NULL, NULL);
}
