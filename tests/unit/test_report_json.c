/* Unit tests for report/json: the documented keys, their types, null for
 * undefined values, and a byte-stable output.
 *
 * The output is parsed back with jansson and every key that docs/report.md
 * documents (and the issue requires) is looked up by its dotted path and its
 * type checked. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "report/output.h"
#include "report_fixture.h"

struct doc {
	struct rpt_summary s;
	char *text;
	size_t len;
	json_t *root;
};

static char *dump(const struct rpt_summary *s, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	if (!f)
		return NULL;
	int rc = rpt_write_json(s, f);
	fclose(f);
	if (rc) {
		free(buf);
		return NULL;
	}
	return buf;
}

static int setup(void **state)
{
	struct doc *d = calloc(1, sizeof *d);
	if (!d || fx_summary(&d->s) != 0 || !(d->text = dump(&d->s, &d->len)))
		return -1;
	json_error_t err;
	d->root = json_loads(d->text, 0, &err);
	if (!d->root)
		return -1;
	*state = d;
	return 0;
}

static int teardown(void **state)
{
	struct doc *d = *state;
	json_decref(d->root);
	free(d->text);
	rpt_summary_fini(&d->s);
	free(d);
	return 0;
}

/* The value at a dotted path ("latency_ms.ci95.p99"), or NULL. */
static json_t *at(json_t *root, const char *path)
{
	char buf[256];
	snprintf(buf, sizeof buf, "%s", path);
	json_t *v = root;
	for (char *save = NULL, *key = strtok_r(buf, ".", &save); v && key;
	     key = strtok_r(NULL, ".", &save))
		v = json_object_get(v, key);
	return v;
}

enum want { STR, INT, REAL, BOOL, OBJ, ARR, PAIR, REAL_OR_NULL, PAIR_OR_NULL, NUL };

static void expect(json_t *root, const char *path, enum want w)
{
	json_t *v = at(root, path);
	bool ok = v != NULL;
	if (ok) {
		switch (w) {
		case STR: ok = json_is_string(v); break;
		case INT: ok = json_is_integer(v); break;
		case REAL: ok = json_is_real(v); break;
		case BOOL: ok = json_is_boolean(v); break;
		case OBJ: ok = json_is_object(v); break;
		case ARR: ok = json_is_array(v); break;
		case NUL: ok = json_is_null(v); break;
		case REAL_OR_NULL: ok = json_is_real(v) || json_is_null(v); break;
		case PAIR_OR_NULL:
			if (json_is_null(v))
				break;
			/* fall through */
		case PAIR:
			ok = json_is_array(v) && json_array_size(v) == 2 &&
			     json_is_real(json_array_get(v, 0)) && json_is_real(json_array_get(v, 1)) &&
			     json_real_value(json_array_get(v, 0)) <= json_real_value(json_array_get(v, 1));
			break;
		}
	}
	if (!ok) {
		print_error("%s: missing or of the wrong type (%d)\n", path, (int)w);
		fail();
	}
}

static void expect_latency(json_t *root, const char *prefix, bool intervals)
{
	static const char *const keys[] = {"mean", "p50", "p90", "p99", "p999", "max"};
	char path[128];
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		snprintf(path, sizeof path, "%s.%s", prefix, keys[i]);
		expect(root, path, REAL);
	}
	static const char *const cis[] = {"mean", "p50", "p90", "p99", "p999"};
	for (size_t i = 0; i < sizeof cis / sizeof cis[0]; i++) {
		snprintf(path, sizeof path, "%s.ci95.%s", prefix, cis[i]);
		expect(root, path, intervals ? PAIR : NUL);
	}
}

static void test_top_level_keys_have_documented_types(void **state)
{
	const struct doc *d = *state;
	json_t *r = d->root;
	expect(r, "scenario", STR);
	expect(r, "tiersim_version", STR);
	expect(r, "scenario_sha256", STR);
	assert_int_equal(strlen(json_string_value(at(r, "scenario_sha256"))), 64);
	expect(r, "seed", INT);
	expect(r, "replications", INT);
	assert_int_equal(json_integer_value(at(r, "replications")), 3);
	expect(r, "duration_s", REAL);
	expect(r, "warmup_s", REAL);
	expect(r, "measured_s", REAL);
	expect(r, "precision.target", REAL);
	expect(r, "precision.reached", BOOL);
	expect(r, "requests.offered", INT);
	expect(r, "requests.completed", INT);
	expect(r, "requests.failed", INT);
	expect(r, "requests.unfinished", INT);
	expect(r, "requests.attempts", INT);
	assert_int_equal(json_integer_value(at(r, "requests.offered")), 3300);
	expect(r, "offered_rps", REAL);
	expect(r, "throughput_rps", REAL);
	expect(r, "throughput_rps_ci95", PAIR);
	expect(r, "availability", REAL);
	expect(r, "availability_ci95", PAIR);
	expect_latency(r, "latency_ms", true);
	expect(r, "bottleneck.tier", STR);
	expect(r, "bottleneck.utilization", REAL);
	expect(r, "bottleneck.saturation_rps", REAL);
}

static void test_classes_errors_tiers_and_nodes_have_documented_types(void **state)
{
	const struct doc *d = *state;
	json_t *r = d->root;
	expect(r, "classes", OBJ);
	assert_int_equal(json_object_size(at(r, "classes")), 3);
	expect(r, "classes.static.requests.offered", INT);
	expect(r, "classes.static.requests.completed", INT);
	expect(r, "classes.static.requests.failed", INT);
	expect(r, "classes.static.availability", REAL);
	expect(r, "classes.static.throughput_rps", REAL);
	expect_latency(r, "classes.static.latency_ms", true);
	expect(r, "classes.page.latency_ms.mean", REAL);

	expect(r, "errors", OBJ);
	expect(r, "attempt_errors", OBJ);
	/* every cause but memory_limit, listed only when the budget dropped
	 * requests (then with dropped_memory_limit and a warning) */
	assert_int_equal(json_object_size(at(r, "errors")), ERR_COUNT - 1);
	assert_null(json_object_get(json_object_get(r, "errors"), "memory_limit"));
	assert_null(json_object_get(r, "dropped_memory_limit"));
	assert_null(json_object_get(r, "warnings"));
	for (int e = 0; e < ERR_MEMORY_LIMIT; e++) {
		char path[64];
		snprintf(path, sizeof path, "errors.%s", model_error_name((enum model_error)e));
		expect(r, path, INT);
	}
	assert_int_equal(json_integer_value(at(r, "errors.queue_timeout")), 404);
	assert_int_equal(json_integer_value(at(r, "errors.pool_timeout")), 0);

	static const char *const tiers[] = {"lb", "web", "app", "db"};
	for (size_t t = 0; t < 4; t++) {
		char path[64];
		snprintf(path, sizeof path, "tiers.%s.nodes", tiers[t]);
		expect(r, path, INT);
		snprintf(path, sizeof path, "tiers.%s.utilization", tiers[t]);
		expect(r, path, REAL);
		snprintf(path, sizeof path, "tiers.%s.queue_mean", tiers[t]);
		expect(r, path, REAL);
		snprintf(path, sizeof path, "analytic.tiers.%s.utilization", tiers[t]);
		expect(r, path, REAL);
	}
	json_t *nodes = at(r, "nodes");
	assert_true(json_is_array(nodes));
	assert_int_equal(json_array_size(nodes), FX_NODES);
	size_t i;
	json_t *n;
	json_array_foreach(nodes, i, n) {
		expect(n, "name", STR);
		expect(n, "tier", STR);
		expect(n, "role", STR);
		expect(n, "utilization", REAL);
		expect(n, "queue_mean", REAL);
		expect(n, "down_s", REAL);
	}
	assert_string_equal(json_string_value(at(json_array_get(nodes, 4), "name")), "db1");
	assert_string_equal(json_string_value(at(json_array_get(nodes, 4), "role")), "primary");
}

static void test_analytic_and_slo_have_documented_types(void **state)
{
	const struct doc *d = *state;
	json_t *r = d->root;
	expect(r, "analytic.latency_ms.mean", REAL);
	expect(r, "analytic.latency_ms.simulated", REAL);
	expect(r, "analytic.latency_ms.differs", BOOL);
	expect(r, "analytic.tiers.app.differs", BOOL);
	expect(r, "analytic.tiers.app.reason", STR);
	expect(r, "analytic.tiers.db.reason", NUL);
	expect(r, "analytic.classes.page.latency_ms.mean", REAL);
	expect(r, "slo.met", BOOL);
	assert_false(json_is_true(at(r, "slo.met")));
	json_t *checks = at(r, "slo.checks");
	assert_true(json_is_array(checks));
	assert_int_equal(json_array_size(checks), 4);
	size_t i;
	json_t *c;
	json_array_foreach(checks, i, c) {
		expect(c, "metric", STR);
		expect(c, "target", REAL);
		expect(c, "value", REAL);
		expect(c, "met", BOOL);
	}
	assert_string_equal(json_string_value(at(json_array_get(checks, 0), "metric")), "p99");
	assert_true(json_is_true(at(json_array_get(checks, 0), "met")));
}

static void test_undefined_values_are_null(void **state)
{
	const struct doc *d = *state;
	json_t *r = d->root;
	expect(r, "classes.write.availability", NUL);
	expect(r, "classes.write.latency_ms.mean", NUL);
	expect(r, "classes.write.latency_ms.p99", NUL);
	expect(r, "classes.write.latency_ms.max", NUL);
	/* page: one replication with completions, so a value but no interval */
	expect(r, "classes.page.latency_ms.ci95.mean", NUL);
	expect(r, "classes.page.latency_ms.ci95.p99", NUL);
	expect(r, "analytic.classes.write.latency_ms.simulated", NUL);
	assert_null(strstr(d->text, "nan"));
	assert_null(strstr(d->text, "NaN"));
	assert_null(strstr(d->text, "inf"));
}

static void test_keys_keep_a_fixed_order(void **state)
{
	const struct doc *d = *state;
	static const char *const order[] = {
		"scenario", "tiersim_version", "scenario_sha256", "seed", "replications",
		"duration_s", "warmup_s", "measured_s", "precision", "requests", "offered_rps",
		"throughput_rps", "throughput_rps_ci95", "availability", "availability_ci95",
		"time_availability", "time_availability_ci95", "time_availability_target",
		"downtime_s", "downtime_s_ci95", "nines", "latency_ms", "classes", "errors", "attempt_errors", "tiers", "nodes", "bottleneck",
		"analytic", "incidents", "db", "slo",
	};
	size_t i = 0;
	const char *key;
	json_t *v;
	json_object_foreach(d->root, key, v) {
		assert_true(i < sizeof order / sizeof order[0]);
		assert_string_equal(key, order[i]);
		i++;
	}
	assert_int_equal(i, sizeof order / sizeof order[0]);
	/* classes in configuration order, tiers in layer order */
	json_object_foreach(at(d->root, "classes"), key, v) {
		assert_string_equal(key, "static");
		break;
	}
	size_t len;
	char *again = dump(&d->s, &len);
	assert_non_null(again);
	assert_int_equal(len, d->len);
	assert_memory_equal(again, d->text, len);
	free(again);
}

/* Every number in the text has at most 10 significant digits. */
static void test_reals_have_at_most_ten_significant_digits(void **state)
{
	const struct doc *d = *state;
	for (const char *p = d->text; *p; p++) {
		if (!(isdigit((unsigned char)*p) && (p == d->text || strchr(" [-", p[-1]))))
			continue;
		if (p > d->text && p[-1] == '-' && p - 1 > d->text && isalnum((unsigned char)p[-2]))
			continue; /* inside a string such as a hash */
		int digits = 0;
		bool leading = true;
		for (; isdigit((unsigned char)*p) || *p == '.'; p++) {
			if (*p == '.')
				continue;
			if (*p != '0')
				leading = false;
			if (!leading)
				digits++;
		}
		assert_true(digits <= 10);
	}
	/* and full precision survives up to that: availability round-trips to 1e-9 */
	double a = json_real_value(at(d->root, "availability"));
	assert_true(fabs(a - d->s.all.availability.mean) < 1e-9 * a);
}

static void test_missing_analytic_is_null_and_hash_is_null_without_text(void **state)
{
	(void)state;
	struct model_config cfg;
	struct rpt_summary s;
	fx_config(&cfg);
	struct model_results *reps = fx_results();
	assert_int_equal(rpt_summary_build(&cfg, reps, 3, NULL, NULL, &s), 0);
	size_t len;
	char *text = dump(&s, &len);
	assert_non_null(text);
	json_t *root = json_loads(text, 0, NULL);
	assert_non_null(root);
	expect(root, "analytic", NUL);
	expect(root, "scenario_sha256", NUL);
	expect(root, "precision.target", NUL);
	json_decref(root);
	free(text);
	rpt_summary_fini(&s);
	fx_free(reps, 3);
	model_config_fini(&cfg);
}

static void test_name_that_is_not_utf8_is_eilseq_and_writes_nothing(void **state)
{
	struct rpt_summary s = ((const struct doc *)*state)->s;
	snprintf(s.scenario, sizeof s.scenario, "bad\xff");
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_int_equal(rpt_write_json(&s, f), EILSEQ);
	fclose(f);
	assert_int_equal(len, 0);
	free(buf);
}

static void test_memory_drops_add_their_count_cause_and_warning(void **state)
{
	struct rpt_summary s = ((const struct doc *)*state)->s; /* shallow: not freed */
	s.dropped_memory_limit = 5;
	s.max_memory_bytes = (int64_t)1 << 20;
	s.max_live_requests = 620;
	s.errors[ERR_MEMORY_LIMIT] = 3;
	size_t len;
	char *text = dump(&s, &len);
	assert_non_null(text);
	json_error_t err;
	json_t *root = json_loads(text, 0, &err);
	assert_non_null(root);
	assert_int_equal(json_object_size(at(root, "errors")), ERR_COUNT);
	assert_int_equal(json_integer_value(at(root, "errors.memory_limit")), 3);
	assert_int_equal(json_integer_value(at(root, "attempt_errors.memory_limit")), 0);
	assert_int_equal(json_integer_value(at(root, "dropped_memory_limit")), 5);
	assert_int_equal(json_integer_value(at(root, "max_memory_bytes")), 1 << 20);
	assert_int_equal(json_integer_value(at(root, "max_live_requests")), 620);
	json_t *w = at(root, "warnings");
	assert_true(json_is_array(w) && json_array_size(w) == 1);
	assert_string_equal(json_string_value(json_array_get(w, 0)),
			    "5 requests dropped: the memory budget of 1 MiB caps requests in "
			    "flight at 620 per replication; the system is far beyond capacity");
	json_decref(root);
	free(text);
}

static void test_write_error_is_reported(void **state)
{
	const struct doc *d = *state;
	FILE *f = fopen("/dev/full", "w");
	assert_non_null(f);
	setvbuf(f, NULL, _IONBF, 0);
	assert_int_equal(rpt_write_json(&d->s, f), EIO);
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_top_level_keys_have_documented_types),
		cmocka_unit_test(test_classes_errors_tiers_and_nodes_have_documented_types),
		cmocka_unit_test(test_analytic_and_slo_have_documented_types),
		cmocka_unit_test(test_undefined_values_are_null),
		cmocka_unit_test(test_keys_keep_a_fixed_order),
		cmocka_unit_test(test_reals_have_at_most_ten_significant_digits),
		cmocka_unit_test(test_missing_analytic_is_null_and_hash_is_null_without_text),
		cmocka_unit_test(test_name_that_is_not_utf8_is_eilseq_and_writes_nothing),
		cmocka_unit_test(test_write_error_is_reported),
		cmocka_unit_test(test_memory_drops_add_their_count_cause_and_warning),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
