/* Unit tests for report/plan.c on a search stopped by Ctrl-C: the PARTIAL
 * line, no answer, and what the search had established, in text and in
 * plan.json (answer.established); a complete plan carries none of it. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/plan.h"

static const char resolved[] = "name: test\n";
static const struct slo_check slo[] = {{.metric = SLO_P99, .op = SLO_AT_MOST, .target = 3e8}};

static char *dump(int (*writer)(const void *, FILE *), const struct rpt_plan *p)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	assert_non_null(f);
	assert_int_equal(writer(p, f), 0);
	fclose(f);
	return text;
}

static void step(struct rpt_plan_step *st, int app, double rate, bool meets)
{
	memset(st, 0, sizeof *st);
	st->nodes[TIER_LB] = 2;
	st->nodes[TIER_WEB] = 1;
	st->nodes[TIER_APP] = app;
	st->nodes[TIER_DB] = 1;
	st->rate_per_s = rate;
	st->cost = 2 + app;
	snprintf(st->reason, sizeof st->reason, "test");
	st->meets = meets;
	st->nvariants = 1;
	st->variants[0].down = -1;
	st->variants[0].row.nslo = 1;
	snprintf(st->variants[0].row.slo[0].metric, sizeof st->variants[0].row.slo[0].metric, "p99");
	st->variants[0].row.slo[0].unit = "ms";
	st->variants[0].row.slo[0].target = 300;
	st->variants[0].row.slo[0].value = meets ? 200 : 400;
	st->variants[0].row.slo[0].met = meets;
	st->variants[0].row.slo_met = meets;
	st->variants[0].row.bottleneck = TIER_APP;
}

static struct rpt_plan plan_of(enum rpt_plan_mode mode, const struct rpt_plan_step *steps, size_t n)
{
	struct rpt_plan p = {
		.mode = mode, .scenario = "test", .resolved_scenario = resolved,
		.resolved_len = sizeof resolved - 1, .seed = 1, .replications = 2,
		.duration_s = 60, .warmup_s = 10, .slo = slo, .nslo = 1,
		.load_rps = 1000, .lower = {2, 1, 3, 1}, .analytic = {2, 1, 3, 1},
		.analytic_meets = true, .nodes = {2, 1, 4, 1}, .saturation_rps = 2000,
		.analytic_rps = 1500, .resolution = 0.01, .steps = steps, .nsteps = n,
	};
	for (int t = 0; t < TIER_COUNT; t++)
		p.cost[t] = 1;
	return p;
}

static void a_stopped_min_cost_search_reports_its_bounds(void **state)
{
	(void)state;
	struct rpt_plan_step steps[2];
	step(&steps[0], 3, 1000, false);
	step(&steps[1], 5, 1000, true);
	struct rpt_plan p = plan_of(RPT_PLAN_MIN_COST, steps, 2);
	char *complete = dump(rpt_plan_json_writer, &p);
	assert_null(strstr(complete, "partial"));
	assert_null(strstr(complete, "established"));
	free(complete);

	p.partial = "interrupted by SIGINT";
	p.met_so_far = true;
	p.met_step = 1;
	char *text = dump(rpt_plan_text_writer, &p);
	assert_non_null(strstr(text, "\nPARTIAL: interrupted by SIGINT; the search did not finish"));
	assert_non_null(strstr(text, "\nanswer: unknown: interrupted by SIGINT before the search "
				     "finished\n"));
	assert_non_null(strstr(text, "\nestablished: at least web 1, app 3, db 1 nodes (utilization "
				     "law)\n"));
	assert_non_null(strstr(text, "meets every SLO: web 1  app 5  db 1  (lb 2)  cost 7 (tried 2): "
				     "the cheapest answer costs at most 7\n"));
	assert_null(strstr(text, "margins"));
	free(text);

	char *json = dump(rpt_plan_json_writer, &p);
	json_error_t err;
	json_t *root = json_loads(json, 0, &err);
	assert_non_null(root);
	assert_true(json_is_true(json_object_get(root, "partial")));
	assert_string_equal(json_string_value(json_object_get(root, "partial_reason")),
			    "interrupted by SIGINT");
	json_t *answer = json_object_get(root, "answer");
	assert_true(json_is_false(json_object_get(answer, "found")));
	json_t *e = json_object_get(answer, "established");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(e, "at_least"), "app")), 3);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(e, "meets"), "app")), 5);
	assert_true(json_real_value(json_object_get(e, "meets_cost")) == 7);
	assert_int_equal(json_integer_value(json_object_get(e, "tried_index")), 1);
	json_decref(root);
	free(json);

	p.met_so_far = false;
	text = dump(rpt_plan_text_writer, &p);
	assert_non_null(strstr(text, "no candidate tried met every SLO yet\n"));
	free(text);
}

static void a_stopped_max_load_search_reports_its_bracket(void **state)
{
	(void)state;
	struct rpt_plan_step steps[2];
	step(&steps[0], 4, 1500, true);
	step(&steps[1], 4, 1750, false);
	struct rpt_plan p = plan_of(RPT_PLAN_MAX_LOAD, steps, 2);
	p.partial = "interrupted by SIGTERM";
	p.met_so_far = true;
	p.met_step = 0;
	p.missed_rps = 1750;
	char *text = dump(rpt_plan_text_writer, &p);
	assert_non_null(strstr(text, "\nestablished: 1500.0/s is sustained (tried 1); 1750.0/s misses "
				     "an SLO: the highest load is between them\n"));
	free(text);
	char *json = dump(rpt_plan_json_writer, &p);
	json_error_t err;
	json_t *root = json_loads(json, 0, &err);
	assert_non_null(root);
	json_t *e = json_object_get(json_object_get(root, "answer"), "established");
	assert_true(json_real_value(json_object_get(e, "met_rps")) == 1500);
	assert_true(json_real_value(json_object_get(e, "missed_rps")) == 1750);
	json_decref(root);
	free(json);

	p.met_so_far = false;
	p.missed_rps = 2000; /* nothing missed yet: the saturation rate */
	text = dump(rpt_plan_text_writer, &p);
	assert_non_null(strstr(text, "\nestablished: no load tried was sustained yet; 2000.0/s "
				     "saturates\n"));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_stopped_min_cost_search_reports_its_bounds),
		cmocka_unit_test(a_stopped_max_load_search_reports_its_bracket),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
