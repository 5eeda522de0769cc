/* The dashboard's view state (dash_model.h): snapshots in, text out.
 *
 * Node states follow what an operator can know: a failed node is SUSPECT
 * while the LB's checks still count it in, DOWN once out of rotation, and a
 * node back from a failure is booting until the checks take it back
 * (models/session.h).  Sparklines show one value per closed window of the
 * time series, so they move with simulated time whatever the speed. */
#include "dash_model.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

const double rpt_dash_speeds[RPT_DASH_NSPEEDS] = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 0};

const char *const rpt_dash_help_lines[] = {
	"space    pause / resume",
	"+ -      speed: x1 x2 x5 ... x1000, then as fast as possible",
	". n      one step (one window of simulated time) while paused",
	"tab, arrows   select a node (shift-tab, left, up: back)",
	"k        crash the selected node (its host dies)",
	"s        slow the selected node x5 (a gray failure)",
	"p        partition the selected node (unreachable, still running)",
	"r        recover the selected node from its failure",
	"[ ]      offered load -10% / +10% from now on",
	"a        autoscaler off / on from now (none: start the default one)",
	"?        this help         q  quit: report, and --record",
	"Each action is what the same failure or workload step in a",
	"scenario file does; --record FILE saves them as one.",
	NULL,
};

const char rpt_dash_footer[] =
	"spc pause +- speed . step tab node k crash s slow p part r recover [] load a ? q";

void rpt_dash_init(struct rpt_dash *d, const char *scenario_name, int speed_index)
{
	memset(d, 0, sizeof *d);
	snprintf(d->scenario, sizeof d->scenario, "%s", scenario_name ? scenario_name : "");
	d->speed_index = speed_index < 0 ? 0 : speed_index >= RPT_DASH_NSPEEDS ? RPT_DASH_NSPEEDS - 1
										 : speed_index;
	d->vip_holder = -1;
}

static void node_detail(const struct model_node_snapshot *n, char *buf, size_t len)
{
	if (n->failure[0])
		snprintf(buf, len, "%s", !strcmp(n->failure, "partitioned")    ? "netsplit"
					 : !strcmp(n->failure, "process dead") ? "no-proc"
									       : n->failure);
	else if (n->slow_factor > 1.0)
		snprintf(buf, len, "slow x%g", n->slow_factor);
	else if (n->tier == TIER_LB)
		snprintf(buf, len, "%s", n->holds_vip ? "VIP" : "standby");
	else if (n->tier == TIER_DB)
		snprintf(buf, len, "%s", n->primary ? "primary" : "replica");
	else
		buf[0] = '\0';
}

static double window_value(const struct model_window *w, double window_s, int which)
{
	uint64_t ended = w->completed + w->failed;
	switch (which) {
	case 0:
		return window_s > 0 ? (double)w->completed / window_s : 0;
	case 1:
		return w->completed ? w->p99_s * 1e3 : NAN;
	default:
		return ended ? 100.0 * (double)w->failed / (double)ended : 0;
	}
}

static void slo_line(struct rpt_dash_slo *out, const struct slo_check *c,
		     const struct model_snapshot *snap)
{
	double v = NAN;
	const char *name = c->metric == SLO_AVAILABILITY ? "avail"
			   : c->metric == SLO_THROUGHPUT ? "thru"
							 : slo_metric_name(c->metric);
	uint64_t ended = snap->completed + snap->failed;
	char have[24], want[24];
	switch (c->metric) {
	case SLO_MEAN:
		v = snap->mean_s;
		break;
	case SLO_P50:
		v = snap->p50_s;
		break;
	case SLO_P90:
		v = snap->p90_s;
		break;
	case SLO_P99:
		v = snap->p99_s;
		break;
	case SLO_P999:
		v = snap->p999_s;
		break;
	case SLO_AVAILABILITY:
		v = ended ? (double)snap->completed / (double)ended : NAN;
		break;
	case SLO_THROUGHPUT:
		v = snap->measured_s > 0 ? (double)snap->completed / snap->measured_s : NAN;
		break;
	}
	bool latency = c->metric != SLO_AVAILABILITY && c->metric != SLO_THROUGHPUT;
	double target = latency ? c->target / 1e9 : c->target;
	if (latency) {
		snprintf(want, sizeof want, "%.0fms", target * 1e3);
		snprintf(have, sizeof have, "%.0fms", v * 1e3);
	} else if (c->metric == SLO_AVAILABILITY) {
		snprintf(want, sizeof want, "%.2f%%", target * 100);
		snprintf(have, sizeof have, "%.2f%%", v * 100);
	} else {
		snprintf(want, sizeof want, "%.0f/s", target);
		snprintf(have, sizeof have, "%.0f/s", v);
	}
	out->known = snap->measuring && isfinite(v);
	out->met = out->known && (c->op == SLO_AT_MOST ? v <= target : v >= target);
	if (!out->known)
		snprintf(out->text, sizeof out->text, "%s %s %s: -", name,
			 c->op == SLO_AT_MOST ? "<=" : ">=", want);
	else
		snprintf(out->text, sizeof out->text, "%s %s %s %s %s", name, have,
			 c->op == SLO_AT_MOST ? "<=" : ">=", want, out->met ? "ok" : "MISSED");
}

void rpt_dash_update(struct rpt_dash *d, const struct model_snapshot *snap,
		     const struct slo_check *slo, size_t nslo)
{
	d->now_ns = snap->now_ns;
	d->end_ns = snap->end_ns;
	d->warmup_ns = snap->warmup_ns;
	d->rate_per_s = snap->rate_per_s;
	d->at_end = snap->now_ns >= snap->end_ns;
	d->nnodes = snap->nnodes;
	d->vip_holder = snap->vip_holder;
	d->autoscaler = snap->autoscaler;
	d->autoscale_tier = snap->autoscale_tier;
	/* A tier's bar: the mean over its nodes that are part of it (an
	 * absent node, one the autoscaler may add, does not dilute it). */
	double tier_sum[TIER_COUNT] = {0};
	int tier_present[TIER_COUNT] = {0};
	memset(d->tier_nodes, 0, sizeof d->tier_nodes);
	for (int i = 0; i < snap->nnodes; i++) {
		const struct model_node_snapshot *n = &snap->nodes[i];
		struct rpt_dash_node *v = &d->nodes[i];
		snprintf(v->name, sizeof v->name, "%s", n->name);
		v->tier = n->tier;
		v->state = n->state;
		v->utilization = n->utilization;
		v->lag_s = n->lag_s;
		node_detail(n, v->detail, sizeof v->detail);
		d->tier_nodes[n->tier]++;
		if (n->state == MODEL_NODE_ABSENT)
			continue;
		tier_sum[n->tier] += n->utilization;
		tier_present[n->tier]++;
	}
	for (int t = 0; t < TIER_COUNT; t++)
		d->tier_utilization[t] = tier_present[t] ? tier_sum[t] / tier_present[t] : 0;
	if (d->selected >= d->nnodes)
		d->selected = d->nnodes > 0 ? d->nnodes - 1 : 0;
	size_t first = snap->nwindows > RPT_DASH_SPARK_MAX ? snap->nwindows - RPT_DASH_SPARK_MAX : 0;
	double window_s = (double)snap->window_ns / 1e9;
	d->nspark = snap->nwindows - first;
	for (size_t w = first; w < snap->nwindows; w++) {
		d->throughput_per_s[w - first] = window_value(&snap->windows[w], window_s, 0);
		d->p99_ms[w - first] = window_value(&snap->windows[w], window_s, 1);
		d->error_pct[w - first] = window_value(&snap->windows[w], window_s, 2);
	}
	d->nslo = nslo < SLO_MAX_CHECKS ? nslo : SLO_MAX_CHECKS;
	for (size_t k = 0; k < d->nslo; k++)
		slo_line(&d->slo[k], &slo[k], snap);
}

void rpt_dash_log(struct rpt_dash *d, int64_t at_ns, enum model_event_kind kind, const char *text)
{
	struct rpt_dash_log_line *l = &d->log[d->log_next];
	l->at_ns = at_ns;
	l->kind = kind;
	snprintf(l->text, sizeof l->text, "%s", text);
	d->log_next = (d->log_next + 1) % RPT_DASH_LOG_MAX;
	if (d->log_count < RPT_DASH_LOG_MAX)
		d->log_count++;
}

const struct rpt_dash_log_line *rpt_dash_log_line(const struct rpt_dash *d, size_t k)
{
	if (k >= d->log_count)
		return NULL;
	return &d->log[(d->log_next + RPT_DASH_LOG_MAX - 1 - k) % RPT_DASH_LOG_MAX];
}

enum rpt_dash_cmd rpt_dash_cmd_of_char(int ch)
{
	switch (ch) {
	case ' ': return RPT_DASH_CMD_PAUSE;
	case '+': case '=': return RPT_DASH_CMD_FASTER;
	case '-': case '_': return RPT_DASH_CMD_SLOWER;
	case '.': case 'n': return RPT_DASH_CMD_STEP;
	case '\t': return RPT_DASH_CMD_NEXT;
	case '?': case 'h': return RPT_DASH_CMD_HELP;
	case 'a': return RPT_DASH_CMD_AUTOSCALER;
	case 'k': return RPT_DASH_CMD_CRASH;
	case 's': return RPT_DASH_CMD_SLOW;
	case 'p': return RPT_DASH_CMD_PARTITION;
	case 'r': return RPT_DASH_CMD_RECOVER;
	case '[': return RPT_DASH_CMD_LOAD_DOWN;
	case ']': return RPT_DASH_CMD_LOAD_UP;
	case 'q': case 'Q': return RPT_DASH_CMD_QUIT;
	default: return RPT_DASH_CMD_NONE;
	}
}

bool rpt_dash_apply(struct rpt_dash *d, enum rpt_dash_cmd c)
{
	switch (c) {
	case RPT_DASH_CMD_NONE:
		return false;
	case RPT_DASH_CMD_PAUSE:
		d->paused = !d->paused;
		return false;
	case RPT_DASH_CMD_FASTER:
		rpt_dash_speed_step(d, 1);
		return false;
	case RPT_DASH_CMD_SLOWER:
		rpt_dash_speed_step(d, -1);
		return false;
	case RPT_DASH_CMD_NEXT:
		rpt_dash_select(d, 1);
		return false;
	case RPT_DASH_CMD_PREV:
		rpt_dash_select(d, -1);
		return false;
	case RPT_DASH_CMD_HELP:
		d->help = !d->help;
		return false;
	default:
		return true;
	}
}

void rpt_dash_select(struct rpt_dash *d, int delta)
{
	if (d->nnodes <= 0)
		return;
	d->selected = ((d->selected + delta) % d->nnodes + d->nnodes) % d->nnodes;
}

void rpt_dash_speed_step(struct rpt_dash *d, int delta)
{
	int i = d->speed_index + delta;
	d->speed_index = i < 0 ? 0 : i >= RPT_DASH_NSPEEDS ? RPT_DASH_NSPEEDS - 1 : i;
}

double rpt_dash_speed(const struct rpt_dash *d) { return rpt_dash_speeds[d->speed_index]; }

const char *rpt_dash_state_name(enum model_node_state s)
{
	static const char *const names[MODEL_NODE_STATE_COUNT] = {
		[MODEL_NODE_UP] = "up",           [MODEL_NODE_SUSPECT] = "SUSPECT",
		[MODEL_NODE_DOWN] = "DOWN",       [MODEL_NODE_DRAINING] = "draining",
		[MODEL_NODE_BOOTING] = "booting", [MODEL_NODE_ABSENT] = "absent",
	};
	return (unsigned)s < MODEL_NODE_STATE_COUNT ? names[s] : "?";
}

void rpt_dash_clock(int64_t ns, char *buf, size_t len)
{
	int64_t ds = ns / 100000000; /* tenths of a second */
	int64_t min = ds / 600;
	snprintf(buf, len, "%02lld:%02lld.%lld", (long long)min, (long long)(ds / 10 % 60),
		 (long long)(ds % 10));
}

void rpt_dash_header(const struct rpt_dash *d, char *buf, size_t len)
{
	char now[24], end[24], speed[24];
	rpt_dash_clock(d->now_ns, now, sizeof now);
	rpt_dash_clock(d->end_ns, end, sizeof end);
	double sp = rpt_dash_speed(d);
	if (sp > 0)
		snprintf(speed, sizeof speed, "x%g", sp);
	else
		snprintf(speed, sizeof speed, "max");
	const char *mode = d->at_end ? "END" : d->paused ? "PAUSED" : "running";
	snprintf(buf, len, "%.20s  t %s/%s%s  %s %s (x%.0f)  load %.0f/s  node %s",
		 d->scenario, now, end, d->now_ns < d->warmup_ns ? " warm-up" : "", mode, speed,
		 d->achieved_speed, d->rate_per_s, d->nnodes ? d->nodes[d->selected].name : "");
}

void rpt_dash_topology_title(const struct rpt_dash *d, char *buf, size_t len)
{
	char vip[48], as[32];
	if (d->vip_holder >= 0)
		snprintf(vip, sizeof vip, "VIP -> %s", d->nodes[d->vip_holder].name);
	else
		snprintf(vip, sizeof vip, "VIP -> NOBODY (no answer)");
	if (d->autoscaler == MODEL_AUTOSCALER_NONE)
		snprintf(as, sizeof as, "none");
	else
		snprintf(as, sizeof as, "%s (%s)", d->autoscaler == MODEL_AUTOSCALER_ON ? "on" : "off",
			 model_tier_names[d->autoscale_tier]);
	snprintf(buf, len, "%-26s autoscaler: %s", vip, as);
}

void rpt_dash_node_cell(const struct rpt_dash *d, int i, char *buf, size_t len)
{
	const struct rpt_dash_node *n = &d->nodes[i];
	char lag[16] = "";
	if (isfinite(n->lag_s))
		snprintf(lag, sizeof lag, " lag %.1fs", n->lag_s);
	snprintf(buf, len, "%-5s %-8s%3.0f%% %s%s", n->name, rpt_dash_state_name(n->state),
		 100.0 * n->utilization, n->detail, lag);
}

void rpt_dash_log_text(const struct rpt_dash_log_line *l, char *buf, size_t len)
{
	char at[24];
	rpt_dash_clock(l->at_ns, at, sizeof at);
	snprintf(buf, len, "%s  %s", at, l->text);
}

void rpt_dash_sparkline(const double *v, size_t n, int width, char *buf, double *max_out)
{
	static const char levels[] = "_.:-=+*#%@";
	size_t first = n > (size_t)width ? n - (size_t)width : 0;
	double max = 0;
	for (size_t i = first; i < n; i++)
		if (isfinite(v[i]) && v[i] > max)
			max = v[i];
	int k = 0;
	for (size_t i = first; i < n; i++, k++) {
		if (!isfinite(v[i]))
			buf[k] = ' ';
		else
			buf[k] = levels[max > 0 ? (int)lround(v[i] / max * 9.0) : 0];
	}
	for (; k < width; k++)
		buf[k] = ' ';
	buf[width] = '\0';
	if (max_out)
		*max_out = max;
}

void rpt_dash_bar(double share, int width, char *buf)
{
	if (width < 2) {
		buf[0] = '\0';
		return;
	}
	int inner = width - 2;
	double s = isfinite(share) ? share < 0 ? 0 : share > 1 ? 1 : share : 0;
	int full = (int)lround(s * inner);
	buf[0] = '[';
	for (int i = 0; i < inner; i++)
		buf[1 + i] = i < full ? '#' : '.';
	buf[width - 1] = ']';
	buf[width] = '\0';
}

void rpt_dash_layout_compute(int cols, int rows, struct rpt_dash_layout *l)
{
	memset(l, 0, sizeof *l);
	if (cols < RPT_DASH_MIN_COLS || rows < RPT_DASH_MIN_ROWS) {
		l->too_small = true;
		return;
	}
	int topo_h = rows * 2 / 5 > 10 ? rows * 2 / 5 : 10;
	int topo_w = cols * 65 / 100; /* 52 at 80: two node cells of 26 */
	l->header = (struct rpt_dash_rect){.y = 0, .x = 0, .h = 1, .w = cols};
	l->topology = (struct rpt_dash_rect){.y = 1, .x = 0, .h = topo_h, .w = topo_w};
	l->side = (struct rpt_dash_rect){.y = 1, .x = topo_w, .h = topo_h, .w = cols - topo_w};
	l->log = (struct rpt_dash_rect){.y = 1 + topo_h, .x = 0, .h = rows - 2 - topo_h, .w = cols};
	l->footer = (struct rpt_dash_rect){.y = rows - 1, .x = 0, .h = 1, .w = cols};
}
