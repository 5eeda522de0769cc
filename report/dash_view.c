/* The dashboard painted with ncurses (dash_view.h).
 *
 * Layout (rpt_dash_layout_compute), from 80x24 up:
 *   row 0      header: scenario, clock, mode, speed, load, selected node
 *   topology   the VIP and who holds it, the autoscaler's state, then each
 *              tier's nodes with state, utilization and role or failure
 *              (the selected one reversed)
 *   side       sparklines of throughput, p99 and error rate, a utilization
 *              bar per tier, the SLO status
 *   log        the event log, newest at the bottom
 *   last row   the keys; `?` puts the full help over the log. */
#include "dash_view.h"

#include <curses.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

enum { PAIR_UP = 1, PAIR_WARN, PAIR_DOWN, PAIR_INFO };

bool rpt_dash_view_start(void)
{
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	curs_set(0);
	bool color = has_colors() && start_color() == OK;
	if (color) {
		use_default_colors();
		init_pair(PAIR_UP, COLOR_GREEN, -1);
		init_pair(PAIR_WARN, COLOR_YELLOW, -1);
		init_pair(PAIR_DOWN, COLOR_RED, -1);
		init_pair(PAIR_INFO, COLOR_CYAN, -1);
	}
	return color;
}

/* Text clipped to the rectangle's width at row `row` of it. */
static void put(const struct rpt_dash_rect *r, int row, int col, const char *text)
{
	if (row < 0 || row >= r->h || col >= r->w)
		return;
	mvaddnstr(r->y + row, r->x + col, text, r->w - col);
}

static attr_t state_attr(enum model_node_state s, bool color)
{
	switch (s) {
	case MODEL_NODE_UP:
		return color ? COLOR_PAIR(PAIR_UP) : A_NORMAL;
	case MODEL_NODE_SUSPECT:
	case MODEL_NODE_BOOTING:
	case MODEL_NODE_DRAINING:
		return color ? COLOR_PAIR(PAIR_WARN) | A_BOLD : A_BOLD;
	case MODEL_NODE_ABSENT:
		return A_DIM;
	default:
		return color ? COLOR_PAIR(PAIR_DOWN) | A_BOLD : A_BOLD | A_UNDERLINE;
	}
}

static void draw_topology(const struct rpt_dash *d, const struct rpt_dash_rect *r, bool color)
{
	char line[RPT_DASH_LINE_MAX];
	rpt_dash_topology_title(d, line, sizeof line);
	attron(A_BOLD);
	put(r, 0, 0, line);
	attroff(A_BOLD);
	const int cell_w = 26;
	int per_row = r->w / cell_w > 0 ? r->w / cell_w : 1;
	int row = 1;
	for (int t = 0; t < TIER_COUNT; t++) {
		int col = 0;
		int shown = 0;
		for (int i = 0; i < d->nnodes; i++) {
			if (d->nodes[i].tier != (enum model_tier)t)
				continue;
			if (col == per_row) {
				col = 0;
				row++;
			}
			if (row >= r->h - 1 && col == per_row - 1 && d->tier_nodes[t] - shown > 1) {
				snprintf(line, sizeof line, "+%d more", d->tier_nodes[t] - shown);
				put(r, row, col * cell_w, line);
				break;
			}
			rpt_dash_node_cell(d, i, line, sizeof line);
			line[cell_w - 1] = '\0';
			attr_t at = state_attr(d->nodes[i].state, color);
			if (i == d->selected)
				at |= A_REVERSE;
			attron(at);
			put(r, row, col * cell_w, line);
			attroff(at);
			col++;
			shown++;
		}
		row++;
	}
}

static void draw_side(const struct rpt_dash *d, const struct rpt_dash_rect *r, bool color)
{
	char line[2 * RPT_DASH_LINE_MAX + RPT_DASH_SPARK_MAX], spark[RPT_DASH_SPARK_MAX + 1];
	int spark_w = r->w - 17 > 8 ? r->w - 17 : 8;
	if (spark_w > RPT_DASH_SPARK_MAX)
		spark_w = RPT_DASH_SPARK_MAX;
	double max;
	double last_t = d->nspark ? d->throughput_per_s[d->nspark - 1] : 0;
	double last_p = d->nspark ? d->p99_ms[d->nspark - 1] : 0;
	double last_e = d->nspark ? d->error_pct[d->nspark - 1] : 0;
	rpt_dash_sparkline(d->throughput_per_s, d->nspark, spark_w, spark, &max);
	snprintf(line, sizeof line, "thru %s %5.0f/s", spark, last_t);
	put(r, 0, 1, line);
	rpt_dash_sparkline(d->p99_ms, d->nspark, spark_w, spark, &max);
	snprintf(line, sizeof line, "p99  %s %5.0fms", spark, isfinite(last_p) ? last_p : 0);
	put(r, 1, 1, line);
	rpt_dash_sparkline(d->error_pct, d->nspark, spark_w, spark, &max);
	snprintf(line, sizeof line, "err  %s %5.1f%%", spark, last_e);
	if (last_e > 0 && color)
		attron(COLOR_PAIR(PAIR_DOWN));
	put(r, 2, 1, line);
	if (last_e > 0 && color)
		attroff(COLOR_PAIR(PAIR_DOWN));
	int bar_w = r->w - 12 > 4 ? r->w - 12 : 4;
	for (int t = 0; t < TIER_COUNT; t++) {
		char bar[RPT_DASH_LINE_MAX];
		rpt_dash_bar(d->tier_utilization[t], bar_w, bar);
		snprintf(line, sizeof line, "%-4s%s %3.0f%%", model_tier_name((enum model_tier)t), bar,
			 100.0 * d->tier_utilization[t]);
		put(r, 3 + t, 1, line);
	}
	int row = 3 + TIER_COUNT;
	if (d->nslo == 0)
		put(r, row, 1, "no SLO in the scenario");
	for (size_t k = 0; k < d->nslo && row < r->h; k++, row++) {
		attr_t at = !d->slo[k].known ? A_NORMAL
			    : d->slo[k].met   ? (color ? COLOR_PAIR(PAIR_UP) : A_NORMAL)
					      : (color ? COLOR_PAIR(PAIR_DOWN) | A_BOLD : A_BOLD);
		snprintf(line, sizeof line, "%s", d->slo[k].text);
		attron(at);
		put(r, row, 1, line);
		attroff(at);
	}
}

static void draw_log(const struct rpt_dash *d, const struct rpt_dash_rect *r, bool color)
{
	char line[RPT_DASH_LINE_MAX];
	attron(A_UNDERLINE);
	put(r, 0, 0, "events");
	attroff(A_UNDERLINE);
	if (d->help) {
		for (int k = 0; rpt_dash_help_lines[k] && k + 1 < r->h; k++)
			put(r, k + 1, 2, rpt_dash_help_lines[k]);
		return;
	}
	int rows = r->h - 1;
	for (int k = 0; k < rows; k++) {
		const struct rpt_dash_log_line *l = rpt_dash_log_line(d, (size_t)(rows - 1 - k));
		if (!l)
			continue;
		rpt_dash_log_text(l, line, sizeof line);
		attr_t at = A_NORMAL;
		if (l->kind == MODEL_EVENT_ACTION)
			at = A_BOLD;
		else if (l->kind == MODEL_EVENT_NODE_FAILED || l->kind == MODEL_EVENT_VIP_LOST)
			at = color ? COLOR_PAIR(PAIR_DOWN) : A_NORMAL;
		else if (color && l->kind == MODEL_EVENT_VIP_MOVED)
			at = COLOR_PAIR(PAIR_INFO);
		attron(at);
		put(r, k + 1, 0, line);
		attroff(at);
	}
}

void rpt_dash_view_draw(const struct rpt_dash *d, bool color)
{
	int rows, cols;
	getmaxyx(stdscr, rows, cols);
	struct rpt_dash_layout l;
	rpt_dash_layout_compute(cols, rows, &l);
	erase();
	if (l.too_small) {
		mvaddnstr(0, 0, "tiersim dash needs at least 80x24; enlarge the terminal (q quits)",
			  cols);
	} else {
		char line[RPT_DASH_LINE_MAX];
		rpt_dash_header(d, line, sizeof line);
		attron(A_REVERSE);
		mvhline(0, 0, ' ', cols);
		put(&l.header, 0, 0, line);
		attroff(A_REVERSE);
		draw_topology(d, &l.topology, color);
		draw_side(d, &l.side, color);
		draw_log(d, &l.log, color);
		put(&l.footer, 0, 0, rpt_dash_footer);
	}
	wnoutrefresh(stdscr);
	doupdate();
}

enum rpt_dash_cmd rpt_dash_view_cmd(int key)
{
	switch (key) {
	case KEY_RIGHT:
	case KEY_DOWN:
		return RPT_DASH_CMD_NEXT;
	case KEY_LEFT:
	case KEY_UP:
	case KEY_BTAB:
		return RPT_DASH_CMD_PREV;
	default:
		return key >= 0 && key < 128 ? rpt_dash_cmd_of_char(key) : RPT_DASH_CMD_NONE;
	}
}
