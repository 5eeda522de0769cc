/* Unit tests for report/text: what a person reads, pinned.
 *
 * The report goes to an in-memory stream (open_memstream) and is searched for
 * the lines and markers the issue asks for: the header, the latency table
 * with intervals, errors only where non-zero, '-' for undefined values, the
 * cross-check marker with its reason, and the SLO verdict.  Set
 * REPORT_TEXT_SHOW=1 to print the report while working on the layout. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/output.h"
#include "report_fixture.h"

struct text {
	struct rpt_summary s;
	char *buf;
	size_t len;
};

static int setup(void **state)
{
	struct text *t = calloc(1, sizeof *t);
	if (!t || fx_summary(&t->s) != 0)
		return -1;
	FILE *f = open_memstream(&t->buf, &t->len);
	if (!f || rpt_write_text(&t->s, f) != 0 || fclose(f) != 0)
		return -1;
	if (getenv("REPORT_TEXT_SHOW"))
		fputs(t->buf, stdout);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct text *t = *state;
	rpt_summary_fini(&t->s);
	free(t->buf);
	free(t);
	return 0;
}

/* The line that starts with prefix, or fail. */
static const char *line_of(const char *text, const char *prefix)
{
	size_t n = strlen(prefix);
	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, prefix, n))
			return p;
	print_error("no line starting with '%s'\n", prefix);
	fail();
	return NULL;
}

static bool line_has(const char *line, const char *needle)
{
	const char *end = strchr(line, '\n');
	const char *hit = strstr(line, needle);
	return hit && (!end || hit < end);
}

static void test_header_names_scenario_seed_replications_and_precision(void **state)
{
	const struct text *t = *state;
	const char *l = line_of(t->buf, "tiersim 9.9.9");
	assert_true(line_has(l, "scenario fixture") && line_has(l, "seed 42") &&
		    line_has(l, "replications 3"));
	l = line_of(t->buf, "duration 2.5 s");
	assert_true(line_has(l, "warm-up 0.0 s") && line_has(l, "precision 2.0% NOT reached"));
}

static void test_requests_and_throughput_lines(void **state)
{
	const struct text *t = *state;
	const char *l = line_of(t->buf, "requests ");
	assert_true(line_has(l, "offered 3300") && line_has(l, "completed 2875") &&
		    line_has(l, "failed 413") && line_has(l, "unfinished 12"));
	l = line_of(t->buf, "throughput ");
	assert_true(line_has(l, "9.6 ± 1.4 req/s"));
	l = line_of(t->buf, "availability ");
	assert_true(line_has(l, "87.5934% ± 23.5427%"));
}

static void test_latency_table_has_intervals_and_dashes_for_undefined(void **state)
{
	const struct text *t = *state;
	const char *head = line_of(t->buf, "latency ms");
	assert_true(line_has(head, "p99.9") && line_has(head, "max"));
	assert_true(line_has(line_of(t->buf, "all "), " ± "));
	/* page completed only in one replication: a mean, no interval. */
	assert_false(line_has(line_of(t->buf, "page "), "±"));
	const char *w = line_of(t->buf, "write ");
	assert_true(line_has(w, "  -  ") || line_has(w, " -"));
	assert_false(line_has(w, "nan"));
}

static void test_errors_list_only_nonzero_causes_with_share(void **state)
{
	const struct text *t = *state;
	assert_true(line_has(line_of(t->buf, "queue_timeout"), "97.8%"));
	assert_true(line_has(line_of(t->buf, "client_timeout"), "2.2%"));
	assert_null(strstr(t->buf, "pool_timeout"));
}

static void test_resources_show_tiers_nodes_and_bottleneck(void **state)
{
	const struct text *t = *state;
	assert_true(line_has(line_of(t->buf, "app      "), "0.790 ± "));
	const char *db2 = line_of(t->buf, "db2 ");
	assert_true(line_has(db2, "replica") && line_has(db2, "0.500 ± ") && line_has(db2, "1.0"));
	const char *b = line_of(t->buf, "bottleneck ");
	assert_true(line_has(b, "app") && line_has(b, "0.790") && line_has(b, "13.9 req/s"));
}

static void test_crosscheck_marks_differences_with_reason(void **state)
{
	const struct text *t = *state;
	const char *app = line_of(t->buf, "app utilization");
	assert_true(line_has(app, "0.790") && line_has(app, "0.500") && line_has(app, "!  ") &&
		    line_has(app, "time-outs/blocking"));
	assert_false(line_has(line_of(t->buf, "db utilization"), "!"));
	assert_true(line_has(line_of(t->buf, "mean latency ms"), "60.000"));
	assert_non_null(strstr(t->buf, "differ by more than 10%"));
}

static void test_slo_verdict_lists_each_check(void **state)
{
	const struct text *t = *state;
	const char *p99 = line_of(t->buf, "p99 ");
	assert_true(line_has(p99, "<=") && line_has(p99, "300.000 ms") && line_has(p99, "PASS"));
	const char *av = line_of(t->buf, "availability   >=");
	assert_true(line_has(av, "99.9000%") && line_has(av, "FAIL"));
	assert_true(line_has(line_of(t->buf, "throughput     >="), "(--slo)"));
	assert_non_null(line_of(t->buf, "SLO verdict   MISSED"));
}

static void test_output_is_deterministic(void **state)
{
	const struct text *t = *state;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_int_equal(rpt_write_text(&t->s, f), 0);
	fclose(f);
	assert_int_equal(len, t->len);
	assert_memory_equal(buf, t->buf, len);
	free(buf);
}

static void test_write_error_is_reported(void **state)
{
	const struct text *t = *state;
	FILE *f = fopen("/dev/full", "w");
	assert_non_null(f);
	setvbuf(f, NULL, _IONBF, 0);
	assert_int_equal(rpt_write_text(&t->s, f), EIO);
	fclose(f);
}

static void test_memory_drops_warn_under_the_header(void **state)
{
	const struct text *t = *state;
	assert_null(strstr(t->buf, "WARNING"));
	assert_null(strstr(t->buf, "memory_limit"));
	struct rpt_summary s = t->s; /* shallow: not freed */
	s.dropped_memory_limit = 1;
	s.max_memory_bytes = (int64_t)3 << 29; /* 1.5 GiB */
	s.max_live_requests = 900000;
	s.errors[ERR_MEMORY_LIMIT] = 1;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_int_equal(rpt_write_text(&s, f), 0);
	fclose(f);
	line_of(buf, "WARNING: 1 request dropped: the memory budget of 1536 MiB caps requests "
		     "in flight at 900000 per replication; the system is far beyond capacity\n");
	line_of(buf, "memory_limit ");
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_names_scenario_seed_replications_and_precision),
		cmocka_unit_test(test_requests_and_throughput_lines),
		cmocka_unit_test(test_latency_table_has_intervals_and_dashes_for_undefined),
		cmocka_unit_test(test_errors_list_only_nonzero_causes_with_share),
		cmocka_unit_test(test_resources_show_tiers_nodes_and_bottleneck),
		cmocka_unit_test(test_crosscheck_marks_differences_with_reason),
		cmocka_unit_test(test_slo_verdict_lists_each_check),
		cmocka_unit_test(test_output_is_deterministic),
		cmocka_unit_test(test_write_error_is_reported),
		cmocka_unit_test(test_memory_drops_warn_under_the_header),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
