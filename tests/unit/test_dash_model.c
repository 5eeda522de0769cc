/* The dashboard's view state (report/dash_model.h), without a terminal.
 *
 * Pins: what a snapshot becomes on screen (states, details, VIP, tier bars,
 * sparklines per window, SLO status), the event log ring, the keys that the
 * view handles itself (pause, speed steps and their bounds, selection
 * wrapping, help; the autoscaler key goes to the session, and its state
 * shows in the topology's title), and the layout: from 80x24 up every part
 * is on screen and parts do not overlap. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "report/dash_model.h"
#include "sim/time.h"

static struct model_window windows[3];
static float utils[3][4];

/* lb1 (VIP), lb2, web1 (crashed, not yet noticed), db1 (primary), 3 windows. */
static struct model_snapshot *snapshot(void)
{
	struct model_snapshot *s = calloc(1, sizeof *s);
	assert_non_null(s);
	s->now_ns = 95 * SIM_NS_PER_S + 500 * SIM_NS_PER_MS;
	s->end_ns = 4 * SIM_NS_PER_MIN;
	s->warmup_ns = 30 * SIM_NS_PER_S;
	s->rate_per_s = 2000;
	s->nnodes = 4;
	const char *names[] = {"lb1", "lb2", "web1", "db1"};
	enum model_tier tiers[] = {TIER_LB, TIER_LB, TIER_WEB, TIER_DB};
	for (int i = 0; i < 4; i++) {
		snprintf(s->nodes[i].name, sizeof s->nodes[i].name, "%s", names[i]);
		s->nodes[i].tier = tiers[i];
		s->nodes[i].failure = "";
		s->nodes[i].slow_factor = 1;
		s->nodes[i].lag_s = NAN;
		s->nodes[i].utilization = 0.25 * i;
	}
	s->nodes[0].holds_vip = true;
	s->nodes[2].state = MODEL_NODE_SUSPECT;
	s->nodes[2].failure = "crashed";
	s->nodes[3].primary = true;
	s->vip_holder = 0;
	for (int w = 0; w < 3; w++) {
		windows[w] = (struct model_window){.completed = (uint64_t)(1000 * (w + 1)),
						   .failed = w == 2 ? 1000 : 0,
						   .p99_s = 0.1 * (w + 1)};
		windows[w].node_utilization = utils[w];
	}
	s->windows = windows;
	s->nwindows = 3;
	s->window_ns = SIM_NS_PER_S;
	s->measuring = true;
	s->measured_s = 65.5;
	s->completed = 990;
	s->failed = 10;
	s->p99_s = 0.250;
	s->mean_s = s->p50_s = s->p90_s = s->p999_s = 0.1;
	return s;
}

static void a_snapshot_becomes_states_bars_and_sparklines(void **state)
{
	(void)state;
	struct rpt_dash *d = malloc(sizeof *d);
	struct model_snapshot *s = snapshot();
	rpt_dash_init(d, "web-crash", 3);
	struct slo_check slo[2] = {
		{.metric = SLO_P99, .op = SLO_AT_MOST, .target = 300e6},
		{.metric = SLO_AVAILABILITY, .op = SLO_AT_LEAST, .target = 0.999},
	};
	rpt_dash_update(d, s, slo, 2);
	char buf[RPT_DASH_LINE_MAX];
	rpt_dash_node_cell(d, 0, buf, sizeof buf);
	assert_string_equal(buf, "lb1   up        0% VIP");
	rpt_dash_node_cell(d, 1, buf, sizeof buf);
	assert_string_equal(buf, "lb2   up       25% standby");
	rpt_dash_node_cell(d, 2, buf, sizeof buf);
	assert_string_equal(buf, "web1  SUSPECT  50% crashed");
	rpt_dash_node_cell(d, 3, buf, sizeof buf);
	assert_string_equal(buf, "db1   up       75% primary");
	/* a five-character name (app10) keeps a space before its state */
	snprintf(d->nodes[3].name, sizeof d->nodes[3].name, "app10");
	rpt_dash_node_cell(d, 3, buf, sizeof buf);
	assert_string_equal(buf, "app10 up       75% primary");
	assert_int_equal(d->vip_holder, 0);
	assert_float_equal(d->tier_utilization[TIER_LB], 0.125, 1e-12);
	/* one sparkline value per window: throughput, p99, error share */
	assert_int_equal(d->nspark, 3);
	assert_float_equal(d->throughput_per_s[2], 3000, 1e-9);
	assert_float_equal(d->p99_ms[1], 200, 1e-9);
	assert_float_equal(d->error_pct[2], 25, 1e-9);
	assert_string_equal(d->slo[0].text, "p99 250ms <= 300ms ok");
	assert_true(d->slo[0].met);
	assert_string_equal(d->slo[1].text, "avail 99.00% >= 99.90% MISSED");
	assert_false(d->slo[1].met);
	rpt_dash_header(d, buf, sizeof buf);
	assert_string_equal(buf, "web-crash  t 01:35.5/04:00.0  running x10 (x0)  load 2000/s  node lb1");
	assert_true(strlen(buf) <= RPT_DASH_MIN_COLS);
	/* an absent node (one the autoscaler may add) does not dilute its
	 * tier's bar */
	s->nodes[1].state = MODEL_NODE_ABSENT;
	rpt_dash_update(d, s, slo, 2);
	assert_float_equal(d->tier_utilization[TIER_LB], 0.0, 1e-12);
	assert_int_equal(d->tier_nodes[TIER_LB], 2);
	s->nodes[1].state = MODEL_NODE_UP;
	rpt_dash_update(d, s, slo, 2);
	/* the topology's title: the VIP and the autoscaler, within the panel */
	struct rpt_dash_layout l;
	rpt_dash_layout_compute(RPT_DASH_MIN_COLS, RPT_DASH_MIN_ROWS, &l);
	rpt_dash_topology_title(d, buf, sizeof buf);
	assert_string_equal(buf, "VIP -> lb1                 autoscaler: none");
	s->autoscaler = MODEL_AUTOSCALER_OFF;
	s->autoscale_tier = TIER_WEB;
	rpt_dash_update(d, s, slo, 2);
	rpt_dash_topology_title(d, buf, sizeof buf);
	assert_string_equal(buf, "VIP -> lb1                 autoscaler: off (web)");
	/* nobody holds the VIP */
	s->vip_holder = -1;
	s->autoscaler = MODEL_AUTOSCALER_ON;
	rpt_dash_update(d, s, slo, 0);
	assert_int_equal(d->vip_holder, -1);
	assert_int_equal(d->nslo, 0);
	rpt_dash_topology_title(d, buf, sizeof buf);
	assert_string_equal(buf, "VIP -> NOBODY (no answer)  autoscaler: on (web)");
	assert_true((int)strlen(buf) <= l.topology.w);
	free(s);
	free(d);
}

static void sparklines_scale_to_their_maximum(void **state)
{
	(void)state;
	double v[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, NAN};
	char buf[32];
	double max;
	rpt_dash_sparkline(v, 11, 11, buf, &max);
	assert_string_equal(buf, "_.:-=+*#%@ ");
	assert_float_equal(max, 9, 0);
	/* only the newest values fit */
	rpt_dash_sparkline(v, 10, 3, buf, &max);
	assert_string_equal(buf, "#%@"); /* 7, 8, 9 of 9 */
	/* too few values: padded with blanks */
	rpt_dash_sparkline(v, 2, 4, buf, NULL);
	assert_string_equal(buf, "_@  ");
	rpt_dash_bar(0.5, 12, buf);
	assert_string_equal(buf, "[#####.....]");
	rpt_dash_bar(NAN, 4, buf);
	assert_string_equal(buf, "[..]");
	rpt_dash_bar(3.0, 4, buf);
	assert_string_equal(buf, "[##]");
}

static void the_log_keeps_the_newest_lines(void **state)
{
	(void)state;
	struct rpt_dash *d = malloc(sizeof *d);
	rpt_dash_init(d, "x", 0);
	assert_null(rpt_dash_log_line(d, 0));
	char text[32];
	for (int i = 0; i < RPT_DASH_LOG_MAX + 5; i++) {
		snprintf(text, sizeof text, "line %d", i);
		rpt_dash_log(d, (int64_t)i * SIM_NS_PER_S, MODEL_EVENT_NODE_FAILED, text);
	}
	assert_int_equal(d->log_count, RPT_DASH_LOG_MAX);
	snprintf(text, sizeof text, "line %d", RPT_DASH_LOG_MAX + 4);
	assert_string_equal(rpt_dash_log_line(d, 0)->text, text);
	assert_string_equal(rpt_dash_log_line(d, RPT_DASH_LOG_MAX - 1)->text, "line 5");
	assert_null(rpt_dash_log_line(d, RPT_DASH_LOG_MAX));
	char buf[RPT_DASH_LINE_MAX];
	rpt_dash_log_text(rpt_dash_log_line(d, 0), buf, sizeof buf);
	assert_string_equal(buf, "04:20.0  line 260");
	free(d);
}

static void keys_the_view_handles_itself(void **state)
{
	(void)state;
	struct rpt_dash *d = malloc(sizeof *d);
	struct model_snapshot *s = snapshot();
	rpt_dash_init(d, "x", 0);
	rpt_dash_update(d, s, NULL, 0);
	assert_false(rpt_dash_apply(d, rpt_dash_cmd_of_char(' ')));
	assert_true(d->paused);
	assert_false(rpt_dash_apply(d, rpt_dash_cmd_of_char(' ')));
	assert_false(d->paused);
	/* speed: x1 at the bottom, "as fast as possible" at the top */
	assert_false(rpt_dash_apply(d, rpt_dash_cmd_of_char('-')));
	assert_true(rpt_dash_speed(d) == 1);
	for (int i = 0; i < 20; i++)
		rpt_dash_apply(d, rpt_dash_cmd_of_char('+'));
	assert_true(rpt_dash_speed(d) == 0);
	rpt_dash_apply(d, RPT_DASH_CMD_SLOWER);
	assert_true(rpt_dash_speed(d) == 1000);
	/* selection wraps both ways */
	rpt_dash_apply(d, RPT_DASH_CMD_PREV);
	assert_int_equal(d->selected, 3);
	rpt_dash_apply(d, rpt_dash_cmd_of_char('\t'));
	assert_int_equal(d->selected, 0);
	rpt_dash_apply(d, rpt_dash_cmd_of_char('?'));
	assert_true(d->help);
	/* what the session does (a: the autoscaler, switched in the model) */
	const char session_keys[] = "kspr[].aq";
	for (const char *k = session_keys; *k; k++)
		assert_true(rpt_dash_apply(d, rpt_dash_cmd_of_char(*k)));
	assert_int_equal(rpt_dash_cmd_of_char('x'), RPT_DASH_CMD_NONE);
	free(s);
	free(d);
}

static bool inside(const struct rpt_dash_rect *r, int cols, int rows)
{
	return r->y >= 0 && r->x >= 0 && r->h > 0 && r->w > 0 && r->y + r->h <= rows &&
	       r->x + r->w <= cols;
}

static bool overlap(const struct rpt_dash_rect *a, const struct rpt_dash_rect *b)
{
	return a->y < b->y + b->h && b->y < a->y + a->h && a->x < b->x + b->w && b->x < a->x + a->w;
}

static void every_part_fits_from_80x24_up(void **state)
{
	(void)state;
	struct rpt_dash_layout l;
	rpt_dash_layout_compute(79, 24, &l);
	assert_true(l.too_small);
	rpt_dash_layout_compute(80, 23, &l);
	assert_true(l.too_small);
	int sizes[][2] = {{80, 24}, {100, 30}, {132, 43}, {200, 60}, {81, 25}};
	for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
		int cols = sizes[k][0], rows = sizes[k][1];
		rpt_dash_layout_compute(cols, rows, &l);
		assert_false(l.too_small);
		const struct rpt_dash_rect *parts[] = {&l.header, &l.topology, &l.side, &l.log,
						       &l.footer};
		for (size_t i = 0; i < 5; i++) {
			assert_true(inside(parts[i], cols, rows));
			for (size_t j = i + 1; j < 5; j++)
				assert_false(overlap(parts[i], parts[j]));
		}
		/* two node cells of 26 side by side, ten log lines at least,
		 * the footer's keys whole */
		assert_true(l.topology.w >= 52);
		assert_true(l.log.h >= 11);
		assert_true(l.topology.h >= 2 + 4 + 3); /* VIP, a line per tier, room to wrap */
		assert_true(l.side.h >= 3 + TIER_COUNT + 2);
		assert_true((int)strlen(rpt_dash_footer) <= l.footer.w);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_snapshot_becomes_states_bars_and_sparklines),
		cmocka_unit_test(sparklines_scale_to_their_maximum),
		cmocka_unit_test(the_log_keeps_the_newest_lines),
		cmocka_unit_test(keys_the_view_handles_itself),
		cmocka_unit_test(every_part_fits_from_80x24_up),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
