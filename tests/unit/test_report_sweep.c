/* Unit tests for report/sweep_*: the grid's order, and the property merge
 * rests on: a document built from rows, cut into shards, dumped, read back
 * and merged dumps (JSON and CSV) to the same bytes as the whole, for reals
 * of every awkward kind (17-digit fractions, tiny and huge magnitudes, NAN).
 * Merge refuses shards of different sweeps, naming the shard. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report/sweep.h"

static const char *const nodes_values[] = {"2", "3", "4"};
static const char *const rate_values[] = {"1000/s", "1500/s"};
static const struct rpt_sweep_axis axes[] = {
	{"app.nodes", nodes_values, 3},
	{"workload.rate", rate_values, 2},
};

static void grid_is_row_major_last_axis_fastest(void **state)
{
	(void)state;
	assert_int_equal(rpt_sweep_points(axes, 2), 6);
	size_t which[2];
	rpt_sweep_point_values(axes, 2, 0, which);
	assert_int_equal(which[0], 0);
	assert_int_equal(which[1], 0);
	rpt_sweep_point_values(axes, 2, 1, which);
	assert_int_equal(which[0], 0);
	assert_int_equal(which[1], 1);
	rpt_sweep_point_values(axes, 2, 5, which);
	assert_int_equal(which[0], 2);
	assert_int_equal(which[1], 1);
}

/* Reals that stress a print/parse round trip. */
static double awkward(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	double u = (double)(*s >> 11) / 9007199254740992.0;
	switch (*s >> 61) {
	case 0:
		return NAN;
	case 1:
		return u * 1e-300;
	case 2:
		return u * 1e300;
	case 3:
		return 1.0 / 3.0 + u;
	default:
		return u;
	}
}

static struct rpt_stat stat_of(uint64_t *s)
{
	struct rpt_stat st = {.mean = awkward(s), .half_width = NAN, .lo = awkward(s), .hi = awkward(s)};
	return st;
}

static void fill(struct rpt_point *p, size_t index, uint64_t seed)
{
	memset(p, 0, sizeof *p);
	uint64_t s = seed;
	p->index = index;
	p->replications = 3;
	for (int t = 0; t < TIER_COUNT; t++) {
		p->nodes[t] = (int)index + t;
		p->utilization[t] = stat_of(&s);
	}
	p->throughput_rps = stat_of(&s);
	p->latency_mean_ms = stat_of(&s);
	p->latency_p99_ms = stat_of(&s);
	p->availability = stat_of(&s);
	p->bottleneck = TIER_APP;
	p->nslo = 2;
	snprintf(p->slo[0].metric, sizeof p->slo[0].metric, "p99");
	p->slo[0].unit = "ms";
	p->slo[0].target = 250;
	p->slo[0].value = awkward(&s);
	p->slo[0].met = index % 2;
	snprintf(p->slo[1].metric, sizeof p->slo[1].metric, "p99");
	p->slo[1].unit = "ms";
	p->slo[1].target = 300;
	p->slo[1].value = awkward(&s);
	p->slo[1].met = true;
	p->slo_met = index % 2;
}

static const char resolved[] = "name: test\n";

static struct rpt_sweep_doc *build(size_t shard, size_t count, const struct slo_check *extra,
				   size_t nextra)
{
	struct rpt_sweep_info info = {
		.scenario = "test", .resolved_scenario = resolved, .resolved_len = sizeof resolved - 1,
		.seed = 1, .duration_s = 60, .warmup_s = 10, .axes = axes, .naxes = 2,
		.extra_slo = extra, .nextra_slo = nextra, .shard_index = shard, .shard_count = count,
	};
	struct rpt_sweep_doc *doc;
	assert_int_equal(rpt_sweep_doc_create(&info, &doc), 0);
	for (size_t i = 0; i < 6; i++) {
		if (count && i % count != shard - 1)
			continue;
		struct rpt_point p;
		fill(&p, i, 1000 + i);
		assert_int_equal(rpt_sweep_doc_add_point(doc, &p), 0);
	}
	return doc;
}

static char *dump(int (*writer)(const void *, FILE *), const struct rpt_sweep_doc *doc)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	assert_non_null(f);
	assert_int_equal(writer(doc, f), 0);
	fclose(f);
	return text;
}

static void save(const struct rpt_sweep_doc *doc, const char *path)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(rpt_sweep_json_writer(doc, f), 0);
	fclose(f);
}

static void merged_shards_dump_to_the_same_bytes(void **state)
{
	(void)state;
	struct rpt_sweep_doc *whole = build(0, 0, NULL, 0);
	char dir[] = "/tmp/tiersim-sweep-XXXXXX";
	assert_non_null(mkdtemp(dir));
	struct rpt_sweep_doc *shards[4];
	char paths[4][64];
	const char *names[4];
	for (size_t i = 0; i < 4; i++) {
		struct rpt_sweep_doc *d = build(4 - i, 4, NULL, 0); /* any order */
		snprintf(paths[i], sizeof paths[i], "%s/s%zu.json", dir, i);
		save(d, paths[i]);
		rpt_sweep_doc_destroy(d);
		char err[256];
		assert_int_equal(rpt_sweep_doc_load(paths[i], &shards[i], err, sizeof err), 0);
		names[i] = paths[i];
	}
	struct rpt_sweep_doc *merged;
	char err[512];
	assert_int_equal(rpt_sweep_doc_merge(shards, names, 4, &merged, err, sizeof err), 0);
	char *a = dump(rpt_sweep_json_writer, whole), *b = dump(rpt_sweep_json_writer, merged);
	assert_string_equal(a, b);
	assert_non_null(strstr(a, "null")); /* NAN became null */
	free(a);
	free(b);
	a = dump(rpt_sweep_csv_writer, whole);
	b = dump(rpt_sweep_csv_writer, merged);
	assert_string_equal(a, b);
	assert_non_null(strstr(a, ",slo_p99,slo_p99_met,slo_p99_2,slo_p99_2_met,"));
	free(a);
	free(b);
	a = dump(rpt_sweep_text_writer, whole);
	b = dump(rpt_sweep_text_writer, merged);
	assert_string_equal(a, b);
	free(a);
	free(b);

	/* Refusals: a shard missing, a shard of another grid. */
	struct rpt_sweep_doc *partial = NULL;
	assert_int_equal(rpt_sweep_doc_merge(shards, names, 3, &partial, err, sizeof err) != 0, 1);
	assert_non_null(strstr(err, "missing"));
	assert_null(partial);
	struct slo_check extra = {.metric = SLO_P99, .op = SLO_AT_MOST, .target = 1e8};
	struct rpt_sweep_doc *other = build(1, 4, &extra, 1);
	char other_path[64];
	snprintf(other_path, sizeof other_path, "%s/other.json", dir);
	save(other, other_path);
	rpt_sweep_doc_destroy(other);
	struct rpt_sweep_doc *mixed[2];
	const char *mixed_names[2] = {paths[0], other_path};
	assert_int_equal(rpt_sweep_doc_load(other_path, &mixed[1], err, sizeof err), 0);
	mixed[0] = shards[0];
	struct rpt_sweep_doc *none = NULL;
	assert_int_equal(rpt_sweep_doc_merge(mixed, mixed_names, 2, &none, err, sizeof err) != 0, 1);
	assert_non_null(strstr(err, "another grid"));
	assert_non_null(strstr(err, "other.json"));
	assert_null(none);
	rpt_sweep_doc_destroy(mixed[1]);

	rpt_sweep_doc_destroy(merged);
	rpt_sweep_doc_destroy(whole);
	for (size_t i = 0; i < 4; i++) {
		rpt_sweep_doc_destroy(shards[i]);
		unlink(paths[i]);
	}
	unlink(other_path);
	rmdir(dir);
}

static void loading_something_else_fails_with_the_path(void **state)
{
	(void)state;
	char path[] = "/tmp/tiersim-notsweep-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "{\"a\": 1}", 8), 8);
	close(fd);
	struct rpt_sweep_doc *doc = NULL;
	char err[256];
	assert_int_equal(rpt_sweep_doc_load(path, &doc, err, sizeof err), -1);
	assert_null(doc);
	assert_non_null(strstr(err, "not a tiersim sweep.json"));
	assert_non_null(strstr(err, path));
	unlink(path);
}

static __attribute__((noinline)) size_t occurrences(const char *text, const char *what)
{
	size_t n = 0;
	for (const char *p = strstr(text, what); p; p = strstr(p + 1, what))
		n++;
	return n;
}

/* A sweep stopped by Ctrl-C: the marker before the points, the PARTIAL line
 * in the table, and a partial shard that merge refuses. */
static void a_partial_sweep_says_so_and_does_not_merge(void **state)
{
	(void)state;
	struct rpt_sweep_doc *whole = build(0, 0, NULL, 0);
	char *complete = dump(rpt_sweep_json_writer, whole);
	assert_null(strstr(complete, "partial"));
	free(complete);
	rpt_sweep_doc_destroy(whole);

	struct rpt_sweep_info info = {
		.scenario = "test", .resolved_scenario = resolved, .resolved_len = sizeof resolved - 1,
		.seed = 1, .duration_s = 60, .warmup_s = 10, .axes = axes, .naxes = 2,
	};
	struct rpt_sweep_doc *doc;
	assert_int_equal(rpt_sweep_doc_create(&info, &doc), 0);
	assert_int_equal(rpt_sweep_doc_set_partial(doc, "interrupted by SIGINT"), 0);
	for (size_t i = 0; i < 2; i++) {
		struct rpt_point p;
		fill(&p, i, 1000 + i);
		assert_int_equal(rpt_sweep_doc_add_point(doc, &p), 0);
	}
	struct rpt_point dropped;
	fill(&dropped, 2, 1002);
	dropped.dropped_memory_limit = 7;
	assert_int_equal(rpt_sweep_doc_add_point(doc, &dropped), 0);
	char *json = dump(rpt_sweep_json_writer, doc);
	assert_non_null(strstr(json, "\"dropped_memory_limit\": 7"));
	assert_int_equal(occurrences(json, "dropped_memory_limit"), 1); /* only on that point */
	assert_non_null(strstr(json, "\"partial\": true,\n  \"partial_reason\": \"interrupted by "
				     "SIGINT\",\n  \"points\": ["));
	free(json);
	char *text = dump(rpt_sweep_text_writer, doc);
	assert_non_null(strstr(text, "\nPARTIAL: interrupted by SIGINT; 3 of 6 points ran to the end, "
				     "the others are not in this table\n"));
	assert_non_null(strstr(text, " !\n\nWARNING: ! the memory budget dropped requests at 1 point: "));
	free(text);
	char *csv = dump(rpt_sweep_csv_writer, doc);
	size_t lines = 0;
	for (const char *c = csv; *c; c++)
		lines += *c == '\n';
	assert_int_equal(lines, 4); /* the header and the three points */
	free(csv);
	rpt_sweep_doc_destroy(doc);

	char dir[] = "/tmp/tiersim-partial-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char paths[2][64];
	struct rpt_sweep_doc *shards[2];
	const char *names[2] = {paths[0], paths[1]};
	for (size_t i = 0; i < 2; i++) {
		struct rpt_sweep_doc *d = build(i + 1, 2, NULL, 0);
		if (i == 1)
			assert_int_equal(rpt_sweep_doc_set_partial(d, "interrupted by SIGTERM"), 0);
		snprintf(paths[i], sizeof paths[i], "%s/s%zu.json", dir, i);
		save(d, paths[i]);
		rpt_sweep_doc_destroy(d);
		char err[256];
		assert_int_equal(rpt_sweep_doc_load(paths[i], &shards[i], err, sizeof err), 0);
	}
	struct rpt_sweep_doc *merged = NULL;
	char err[512];
	assert_int_equal(rpt_sweep_doc_merge(shards, names, 2, &merged, err, sizeof err), -1);
	assert_null(merged);
	assert_non_null(strstr(err, "s1.json is partial (interrupted by SIGTERM)"));
	for (size_t i = 0; i < 2; i++) {
		rpt_sweep_doc_destroy(shards[i]);
		unlink(paths[i]);
	}
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(grid_is_row_major_last_axis_fastest),
		cmocka_unit_test(merged_shards_dump_to_the_same_bytes),
		cmocka_unit_test(loading_something_else_fails_with_the_path),
		cmocka_unit_test(a_partial_sweep_says_so_and_does_not_merge),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
