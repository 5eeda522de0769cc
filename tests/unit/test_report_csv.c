/* Unit tests for report/csv: both files parse back with libcsv into the
 * shape docs/report.md describes, odd names survive quoting, and undefined
 * values are empty cells. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "report/output.h"
#include "report_fixture.h"

#define MAX_ROWS 1024
#define MAX_COLS 64

/* A parsed CSV: rows of cells (strdup'ed). */
struct table {
	size_t nrows;
	size_t ncols[MAX_ROWS];
	char *cell[MAX_ROWS][MAX_COLS];
	size_t col;
	bool overflow;
};

static void on_field(void *data, size_t len, void *t_)
{
	struct table *t = t_;
	if (t->nrows >= MAX_ROWS || t->col >= MAX_COLS) {
		t->overflow = true;
		return;
	}
	char *s = malloc(len + 1);
	memcpy(s, data ? data : "", len);
	s[len] = '\0';
	t->cell[t->nrows][t->col++] = s;
}

static void on_row(int c, void *t_)
{
	struct table *t = t_;
	(void)c;
	if (t->nrows < MAX_ROWS)
		t->ncols[t->nrows++] = t->col;
	t->col = 0;
}

static void table_free(struct table *t)
{
	for (size_t r = 0; r < MAX_ROWS; r++)
		for (size_t c = 0; c < MAX_COLS; c++)
			free(t->cell[r][c]);
	free(t);
}

typedef int (*writer_fn)(const struct rpt_summary *, FILE *);

static struct table *parse(const struct rpt_summary *s, writer_fn write)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(write(s, f), 0);
	fclose(f);
	assert_true(len > 0 && buf[len - 1] == '\n');
	struct csv_parser p;
	assert_int_equal(csv_init(&p, CSV_STRICT | CSV_STRICT_FINI), 0);
	struct table *t = calloc(1, sizeof *t);
	assert_int_equal(csv_parse(&p, buf, len, on_field, on_row, t), len);
	assert_int_equal(csv_fini(&p, on_field, on_row, t), 0);
	csv_free(&p);
	free(buf);
	assert_false(t->overflow);
	return t;
}

static int setup(void **state)
{
	static struct rpt_summary s;
	if (fx_summary(&s) != 0)
		return -1;
	*state = &s;
	return 0;
}

static int teardown(void **state)
{
	rpt_summary_fini(*state);
	return 0;
}

/* The row with section, name, metric; or -1. */
static long find(const struct table *t, const char *section, const char *name, const char *metric)
{
	for (size_t r = 1; r < t->nrows; r++)
		if (!strcmp(t->cell[r][0], section) && !strcmp(t->cell[r][1], name) &&
		    !strcmp(t->cell[r][2], metric))
			return (long)r;
	return -1;
}

static void test_summary_has_header_and_six_cells_in_every_row(void **state)
{
	const struct rpt_summary *s = *state;
	struct table *t = parse(s, rpt_write_summary_csv);
	static const char *const head[] = {"section", "name", "metric", "value", "ci_lo", "ci_hi"};
	assert_int_equal(t->ncols[0], 6);
	for (size_t c = 0; c < 6; c++)
		assert_string_equal(t->cell[0][c], head[c]);
	for (size_t r = 0; r < t->nrows; r++)
		assert_int_equal(t->ncols[r], 6);
	/* run 7, requests 12 per traffic (4 of them) + 2, time-based
	 * availability 4, errors 2 per cause,
	 * tiers 4 x 4, nodes 4 each, bottleneck 2, analytic 2 + 3 x (1 + 3 + 4),
	 * slo 3 per check + 1, and the header. */
	size_t want = 1 + 7 + 12 * 4 + 2 + 4 + 2 * ERR_MEMORY_LIMIT + 16 + 4 * FX_NODES + 2 + 2 + 3 * 8 +
		      3 * s->nslo + 1;
	assert_int_equal(t->nrows, want);
	table_free(t);
}

static void test_summary_rows_carry_values_and_intervals(void **state)
{
	const struct rpt_summary *s = *state;
	struct table *t = parse(s, rpt_write_summary_csv);
	long r = find(t, "requests", "all", "offered");
	assert_true(r > 0);
	assert_string_equal(t->cell[r][3], "3300");
	assert_string_equal(t->cell[r][4], "");
	r = find(t, "requests", "all", "latency_p99_ms");
	assert_true(r > 0);
	assert_true(fabs(strtod(t->cell[r][3], NULL) - s->all.latency_ms.p99.mean) < 1e-6);
	assert_true(fabs(strtod(t->cell[r][4], NULL) - s->all.latency_ms.p99.lo) < 1e-6);
	assert_true(fabs(strtod(t->cell[r][5], NULL) - s->all.latency_ms.p99.hi) < 1e-6);
	r = find(t, "node", "db2", "utilization");
	assert_true(r > 0);
	assert_string_equal(t->cell[r][3], "0.5");
	r = find(t, "slo", "p99 <= 300ms", "met");
	assert_true(r > 0);
	assert_string_equal(t->cell[r][3], "1");
	r = find(t, "slo", "all", "met");
	assert_string_equal(t->cell[r][3], "0");
	table_free(t);
}

static void test_undefined_values_are_empty_cells(void **state)
{
	const struct rpt_summary *s = *state;
	struct table *t = parse(s, rpt_write_summary_csv);
	long r = find(t, "requests", "write", "latency_p99_ms");
	assert_true(r > 0);
	for (int c = 3; c < 6; c++)
		assert_string_equal(t->cell[r][c], "");
	r = find(t, "requests", "page", "latency_mean_ms");
	assert_true(r > 0 && t->cell[r][3][0] != '\0');
	assert_string_equal(t->cell[r][4], "");
	table_free(t);

	t = parse(s, rpt_write_timeseries_csv);
	assert_string_equal(t->cell[3][5], ""); /* window 2 has no p50 */
	table_free(t);
}

static void test_timeseries_has_a_column_per_class_and_node_and_a_row_per_window(void **state)
{
	const struct rpt_summary *s = *state;
	struct table *t = parse(s, rpt_write_timeseries_csv);
	/* + db2_lag_s (the replica), failures by cause, a node count per tier */
	/* memory_limit only when the budget dropped requests */
	size_t cols = 8 + 3 * s->nclasses + 2 * s->nnodes + 1 + ERR_MEMORY_LIMIT + TIER_COUNT;
	assert_int_equal(t->nrows, 1 + s->nwindows);
	for (size_t r = 0; r < t->nrows; r++)
		assert_int_equal(t->ncols[r], cols);
	static const char *const fixed[] = {"time_s", "offered", "completed", "failed",
					    "throughput_rps", "p50_ms", "p90_ms", "p99_ms"};
	for (size_t c = 0; c < 8; c++)
		assert_string_equal(t->cell[0][c], fixed[c]);
	assert_string_equal(t->cell[0][8], "static_p50_ms");
	assert_string_equal(t->cell[0][16], "write_p99_ms");
	assert_string_equal(t->cell[0][17], "lb1_utilization");
	assert_string_equal(t->cell[0][18], "lb1_queue");
	size_t tail = ERR_MEMORY_LIMIT + TIER_COUNT;
	assert_string_equal(t->cell[0][cols - 2 - tail], "db2_queue");
	assert_string_equal(t->cell[0][cols - 1 - tail], "db2_lag_s");
	assert_string_equal(t->cell[0][cols - 4 - tail], "db1_queue"); /* the primary: no lag */
	assert_string_equal(t->cell[0][cols - tail], "failed_vip_unreachable");
	assert_string_equal(t->cell[0][cols - 1 - TIER_COUNT], "failed_client_timeout");
	assert_string_equal(t->cell[0][cols - TIER_COUNT], "lb_nodes");
	assert_string_equal(t->cell[0][cols - 1], "db_nodes");
	/* every window's failures by cause add up to its `failed` */
	for (size_t r = 1; r < t->nrows; r++) {
		double sum = 0;
		for (size_t c = cols - tail; c < cols - TIER_COUNT; c++)
			sum += strtod(t->cell[r][c], NULL);
		assert_true(fabs(sum - strtod(t->cell[r][3], NULL)) < 1e-9);
	}
	assert_string_equal(t->cell[1][0], "0");
	assert_string_equal(t->cell[3][0], "2");
	assert_string_equal(t->cell[1][5], "20");
	assert_string_equal(t->cell[2][2], "6.666667");  /* 7 significant digits */
	table_free(t);
}

static void test_latency_cdf_has_every_level_per_class_and_the_percentiles_of_the_summary(
	void **state)
{
	const struct rpt_summary *s = *state;
	struct table *t = parse(s, rpt_write_latency_cdf_csv);
	assert_int_equal(t->nrows, 1 + (1 + s->nclasses) * RPT_CDF_POINTS);
	assert_string_equal(t->cell[0][0], "class");
	assert_string_equal(t->cell[0][1], "quantile");
	assert_string_equal(t->cell[0][2], "latency_ms");
	size_t found = 0;
	for (size_t r = 1; r < t->nrows; r++) {
		assert_int_equal(t->ncols[r], 3);
		const struct rpt_traffic *tr = r <= RPT_CDF_POINTS
						       ? &s->all
						       : &s->classes[(r - 1) / RPT_CDF_POINTS - 1];
		assert_string_equal(t->cell[r][0], tr->name);
		double q = strtod(t->cell[r][1], NULL);
		assert_true(q == rpt_cdf_level((r - 1) % RPT_CDF_POINTS));
		if (r > 1 && (r - 1) % RPT_CDF_POINTS) /* increasing levels, never decreasing values */
			assert_true(q > strtod(t->cell[r - 1][1], NULL));
		const struct rpt_stat *p = q == 0.5 ? &tr->latency_ms.p50 : q == 0.9 ? &tr->latency_ms.p90
					   : q == 0.99 ? &tr->latency_ms.p99
					   : q == 0.999 ? &tr->latency_ms.p999 : NULL;
		if (!p)
			continue;
		found++;
		char want[64] = "";
		if (!isnan(p->mean))
			snprintf(want, sizeof want, "%.10g", p->mean);
		assert_string_equal(t->cell[r][2], want);
	}
	assert_int_equal(found, 4 * (1 + s->nclasses));
	table_free(t);
}

static void test_odd_names_are_quoted_and_parse_back(void **state)
{
	struct rpt_summary s = *(const struct rpt_summary *)*state;
	snprintf(s.classes[0].name, sizeof s.classes[0].name, "we,ird \"x\"");
	snprintf(s.classes[1].name, sizeof s.classes[1].name, "line\nbreak");
	snprintf(s.scenario, sizeof s.scenario, " spaced ");
	struct table *t = parse(&s, rpt_write_timeseries_csv);
	assert_string_equal(t->cell[0][8], "we,ird \"x\"_p50_ms");
	assert_string_equal(t->cell[0][11], "line\nbreak_p50_ms");
	table_free(t);
	t = parse(&s, rpt_write_summary_csv);
	assert_true(find(t, "requests", "we,ird \"x\"", "offered") > 0);
	assert_true(find(t, "run", " spaced ", "seed") > 0);
	for (size_t r = 0; r < t->nrows; r++)
		assert_int_equal(t->ncols[r], 6);
	table_free(t);
}

static void test_write_error_is_reported(void **state)
{
	const struct rpt_summary *s = *state;
	FILE *f = fopen("/dev/full", "w");
	assert_non_null(f);
	setvbuf(f, NULL, _IONBF, 0);
	assert_int_equal(rpt_write_summary_csv(s, f), EIO);
	clearerr(f);
	assert_int_equal(rpt_write_timeseries_csv(s, f), EIO);
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_summary_has_header_and_six_cells_in_every_row),
		cmocka_unit_test(test_latency_cdf_has_every_level_per_class_and_the_percentiles_of_the_summary),
		cmocka_unit_test(test_summary_rows_carry_values_and_intervals),
		cmocka_unit_test(test_undefined_values_are_empty_cells),
		cmocka_unit_test(test_timeseries_has_a_column_per_class_and_node_and_a_row_per_window),
		cmocka_unit_test(test_odd_names_are_quoted_and_parse_back),
		cmocka_unit_test(test_write_error_is_reported),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
