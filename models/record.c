/* The recorder: totals after the warm-up, and the time series.
 * See record.h. */
#include "record.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "request.h"
#include "sim/interrupt.h"
#include "sim/time.h"

static struct sim_station *node_cpu(struct node *n) { return n->kind->cpu(n); }

/* The replication lag integral of a node (s x s); 0 off the db tier. */
static double lag_area(struct arch *a, struct node *n, int64_t now_ns)
{
	if (n->kind->tier != TIER_DB)
		return 0;
	return repl_lag_area_s2(a, (struct db_node *)n, now_ns);
}

static void on_window_end(struct sim_engine *e, void *obj, uint64_t arg);
static void settle_incidents(struct recorder *rec);
static void count_by_send_window(struct recorder *rec, const struct wl_call *call, bool ok);

int rec_init(struct recorder *rec, struct arch *a, struct model_results *out)
{
	const struct model_config *cfg = a->cfg;
	memset(rec, 0, sizeof *rec);
	rec->arch = a;
	rec->out = out;
	size_t nclasses = cfg->wl.nclasses;
	rec->single_class = nclasses == 1;
	size_t nnodes = (size_t)a->nnodes;
	size_t nwindows = (size_t)((cfg->duration_ns + cfg->window_ns - 1) / cfg->window_ns);
	rec->win_class = calloc(nclasses, sizeof *rec->win_class);
	rec->busy_area_at_start = calloc(nnodes, sizeof(double));
	rec->queue_area_at_start = calloc(nnodes, sizeof(double));
	rec->lag_area_at_start = calloc(nnodes, sizeof(double));
	out->windows = calloc(nwindows, sizeof *out->windows);
	out->window_block = calloc(nwindows * nnodes * 3 + 1, sizeof(float));
	if (!rec->win_class || !rec->busy_area_at_start || !rec->queue_area_at_start ||
	    !rec->lag_area_at_start || !out->windows || !out->window_block)
		return -1;
	out->nwindows = nwindows;
	out->window_ns = cfg->window_ns;
	out->max_memory_bytes = a->limits.budget_bytes;
	out->max_live_requests = a->limits.max_requests;
	for (size_t w = 0; w < nwindows; w++) {
		out->windows[w].node_utilization = out->window_block + w * nnodes * 3;
		out->windows[w].node_queue = out->window_block + w * nnodes * 3 + nnodes;
		out->windows[w].node_lag = out->window_block + w * nnodes * 3 + 2 * nnodes;
	}
	out->nclasses = nclasses;
	sim_tally_init(&out->latency_s);
	sim_histogram_init(&out->latency);
	for (size_t k = 0; k < nclasses; k++) {
		sim_tally_init(&out->classes[k].latency_s);
		sim_histogram_init(&out->classes[k].latency);
	}
	sim_histogram_init(&out->db.lag);
	sim_tally_init(&out->db.apply_delay_s);
	sim_histogram_init(&out->db.apply_delay);
	sim_histogram_init(&out->db.staleness);
	sim_histogram_init(&rec->win_all);
	for (size_t k = 0; k < nclasses; k++)
		sim_histogram_init(&rec->win_class[k]);
	return 0;
}

void rec_fini(struct recorder *rec)
{
	free(rec->win_class);
	free(rec->busy_area_at_start);
	free(rec->queue_area_at_start);
	free(rec->lag_area_at_start);
	rec->win_class = NULL;
	rec->busy_area_at_start = rec->queue_area_at_start = rec->lag_area_at_start = NULL;
}

void rec_start(struct recorder *rec)
{
	struct arch *a = rec->arch;
	int64_t first = a->cfg->window_ns < a->end_ns ? a->cfg->window_ns : a->end_ns;
	sim_engine_at(&a->engine, first, on_window_end, rec, 0);
}

/* p50, p90 and p99 of a window's histogram, in s (NAN when empty). */
static void window_percentiles_s(const struct sim_histogram *h, double *p50, double *p90,
				 double *p99)
{
	static const double q[3] = {0.50, 0.90, 0.99};
	double v[3];
	sim_histogram_quantiles(h, q, 3, v);
	*p50 = v[0] / 1e9;
	*p90 = v[1] / 1e9;
	*p99 = v[2] / 1e9;
}

static void close_window(struct recorder *rec, int64_t now_ns)
{
	struct arch *a = rec->arch;
	struct model_results *out = rec->out;
	if (rec->window >= out->nwindows)
		return;
	struct model_window *w = &out->windows[rec->window];
	float *util = w->node_utilization, *queue = w->node_queue, *lag = w->node_lag;
	uint64_t sent_completed = w->sent_completed, sent_failed = w->sent_failed;
	*w = rec->cur;
	w->node_utilization = util;
	w->node_queue = queue;
	w->node_lag = lag;
	w->sent_completed = sent_completed; /* filled as outcomes come, not at close */
	w->sent_failed = sent_failed;
	window_percentiles_s(&rec->win_all, &w->p50_s, &w->p90_s, &w->p99_s);
	for (size_t k = 0; k < out->nclasses && !rec->single_class; k++) {
		window_percentiles_s(&rec->win_class[k], &w->class_p50_s[k], &w->class_p90_s[k],
				     &w->class_p99_s[k]);
		sim_histogram_reset(&rec->win_class[k]);
	}
	if (rec->single_class) {
		w->class_p50_s[0] = w->p50_s;
		w->class_p90_s[0] = w->p90_s;
		w->class_p99_s[0] = w->p99_s;
	}
	int64_t start_ns = (int64_t)rec->window * a->cfg->window_ns;
	double span = (double)(now_ns - start_ns);
	for (int i = 0; i < a->nnodes; i++) {
		struct sim_station *cpu = node_cpu(a->nodes[i]);
		double busy = sim_station_utilization_area(cpu, now_ns);
		double waiting = sim_timeavg_area(&cpu->queue_avg, now_ns);
		util[i] = span > 0 ? (float)((busy - rec->busy_area_at_start[i]) / span) : 0.0f;
		queue[i] = span > 0 ? (float)((waiting - rec->queue_area_at_start[i]) / span) : 0.0f;
		rec->busy_area_at_start[i] = busy;
		rec->queue_area_at_start[i] = waiting;
		double lagged = lag_area(a, a->nodes[i], now_ns);
		lag[i] = span > 0 ? (float)((lagged - rec->lag_area_at_start[i]) / (span / 1e9)) : 0.0f;
		rec->lag_area_at_start[i] = lagged;
		if (node_in_rotation(a->nodes[i]))
			w->tier_nodes[a->nodes[i]->kind->tier]++;
	}
	memset(&rec->cur, 0, sizeof rec->cur);
	sim_histogram_reset(&rec->win_all);
	rec->window++;
}

static void on_window_end(struct sim_engine *e, void *obj, uint64_t arg)
{
	struct recorder *rec = obj;
	(void)arg;
	close_window(rec, e->now_ns);
	struct arch *a = rec->arch;
	int64_t next = e->now_ns + a->cfg->window_ns;
	if (next > a->end_ns)
		next = a->end_ns;
	if (rec->window < rec->out->nwindows && next > e->now_ns)
		sim_engine_at(e, next, on_window_end, rec, 0);
}

void rec_begin_measuring(struct recorder *rec)
{
	struct arch *a = rec->arch;
	int64_t now = a->engine.now_ns;
	/* Node integrals restart at zero; carry the part of the current window
	 * already accumulated so the window's mean stays whole. */
	for (int i = 0; i < a->nnodes; i++) {
		struct node *n = a->nodes[i];
		struct sim_station *cpu = node_cpu(n);
		double busy_part = sim_station_utilization_area(cpu, now) - rec->busy_area_at_start[i];
		double queue_part = sim_timeavg_area(&cpu->queue_avg, now) - rec->queue_area_at_start[i];
		double lag_part = lag_area(a, n, now) - rec->lag_area_at_start[i];
		n->kind->reset_stats(n, now);
		n->served = 0;
		n->down_ns = 0;
		if (!node_is_up(n))
			n->down_since_ns = now;
		rec->busy_area_at_start[i] = -busy_part;
		rec->queue_area_at_start[i] = -queue_part;
		rec->lag_area_at_start[i] = -lag_part;
	}
	scaling_reset_stats(a, now);
	rec->measuring = true;
}

void rec_finish(struct recorder *rec)
{
	struct arch *a = rec->arch;
	struct model_results *out = rec->out;
	int64_t now = a->engine.now_ns;
	if (rec->window < out->nwindows)
		close_window(rec, now);
	/* Stopped by Ctrl-C: the time series ends with the last window simulated
	 * (cut short), not with empty windows up to the planned duration. */
	if (sim_interrupted() && rec->window < out->nwindows)
		out->nwindows = rec->window;
	/* A run stopped by Ctrl-C before the warm-up ended measured nothing. */
	out->measured_s = now > a->measure_from_ns ? sim_ns_to_s(now - a->measure_from_ns) : 0;
	out->nnodes = (size_t)a->nnodes;
	double tier_util[TIER_COUNT] = {0}, tier_queue[TIER_COUNT] = {0};
	double tier_nodes[TIER_COUNT] = {0}; /* node-time shares (docs/scaling.md) */
	int replicas = 0;
	for (int i = 0; i < a->nnodes; i++) {
		struct node *n = a->nodes[i];
		struct sim_station *cpu = node_cpu(n);
		struct model_node_result *nr = &out->nodes[i];
		memset(nr, 0, sizeof *nr);
		snprintf(nr->name, sizeof nr->name, "%s", n->name);
		nr->tier = n->kind->tier;
		nr->utilization = sim_station_utilization(cpu, now);
		/* A node that existed for part of the run: busy over its own time
		 * present, weighted by that share in the tier's mean. */
		double weight = 1.0;
		if (a->scaling) {
			double span = (double)(now - a->measure_from_ns);
			double present = (double)scaling_present_ns(n, now);
			weight = span > 0 ? present / span : 0.0;
			nr->utilization = weight > 0 ? nr->utilization / weight : 0.0;
			if (nr->utilization > 1.0)
				nr->utilization = 1.0;
		}
		nr->queue_mean = sim_station_queue_mean(cpu, now);
		nr->served = n->served;
		nr->down_s = sim_ns_to_s(n->down_ns + (node_is_up(n) ? 0 : now - n->down_since_ns));
		if (nr->tier == TIER_LB)
			strcpy(nr->role, a->lb[n->index].holds_vip ? "active" : "standby");
		else if (nr->tier == TIER_DB)
			strcpy(nr->role, a->db[n->index].primary ? "primary" : "replica");
		if (nr->tier == TIER_DB && !a->db[n->index].primary) {
			struct db_node *d = &a->db[n->index];
			double span_s = sim_ns_to_s(now - a->measure_from_ns);
			nr->lag_mean_s = span_s > 0 ? repl_lag_area_s2(a, d, now) / span_s : 0;
			nr->lag_max_s = repl_lag_max_s(a, d, now);
			nr->shunned_s = repl_shunned_s(d, now);
			out->db.lag_mean_s += nr->lag_mean_s;
			if (nr->lag_max_s > out->db.lag_max_s)
				out->db.lag_max_s = nr->lag_max_s;
			replicas++;
		}
		tier_util[nr->tier] += nr->utilization * weight;
		tier_queue[nr->tier] += nr->queue_mean;
		tier_nodes[nr->tier] += weight;
	}
	if (replicas > 0)
		out->db.lag_mean_s /= replicas;
	for (int t = 0; t < TIER_COUNT; t++) {
		out->tier_utilization[t] = tier_nodes[t] > 0 ? tier_util[t] / tier_nodes[t] : 0;
		out->tier_queue_mean[t] = tier_nodes[t] > 0 ? tier_queue[t] / tier_nodes[t] : 0;
	}
	rec->draining = true;
}

void rec_close(struct recorder *rec)
{
	rec->out->unfinished = rec->open_measured;
	if (rec->single_class) {
		rec->out->classes[0].latency_s = rec->out->latency_s;
		rec->out->classes[0].latency = rec->out->latency;
	}
	settle_incidents(rec); /* after the drain: late outcomes count too */
}

/* A measured call got its outcome; the drain ends with the last one. */
static void measured_call_ended(struct recorder *rec)
{
	rec->open_measured--;
	if (rec->draining && rec->open_measured == 0)
		sim_engine_stop(&rec->arch->engine);
}

void rec_offered(struct recorder *rec, const struct wl_call *call)
{
	rec->cur.offered++;
	if (!call->measured)
		return;
	rec->open_measured++;
	rec->out->offered++;
	rec->out->classes[call->class_idx].offered++;
}

void rec_attempt(struct recorder *rec, const struct wl_call *call)
{
	if (call->measured)
		rec->out->attempts++;
}

void rec_attempt_error(struct recorder *rec, const struct wl_call *call, enum model_error cause)
{
	if (call->measured)
		rec->out->attempt_errors[cause]++;
}

void rec_completed(struct recorder *rec, const struct wl_call *call, int64_t latency_ns)
{
	if (!rec->draining) {
		rec->cur.completed++;
		rec->cur.latency_sum_s += sim_ns_to_s(latency_ns);
		sim_histogram_add(&rec->win_all, latency_ns);
		if (!rec->single_class)
			sim_histogram_add(&rec->win_class[call->class_idx], latency_ns);
	}
	count_by_send_window(rec, call, true);
	if (!call->measured)
		return;
	measured_call_ended(rec);
	struct model_results *out = rec->out;
	struct model_class_result *c = &out->classes[call->class_idx];
	double s = sim_ns_to_s(latency_ns);
	out->completed++;
	sim_tally_add(&out->latency_s, s);
	sim_histogram_add(&out->latency, latency_ns);
	c->completed++;
	if (!rec->single_class) {
		sim_tally_add(&c->latency_s, s);
		sim_histogram_add(&c->latency, latency_ns);
	}
}

void rec_failed(struct recorder *rec, const struct wl_call *call, enum model_error cause)
{
	if (!rec->draining) {
		rec->cur.failed++;
		rec->cur.errors[cause]++;
	}
	count_by_send_window(rec, call, false);
	if (!call->measured)
		return;
	measured_call_ended(rec);
	rec->out->failed++;
	rec->out->errors[cause]++;
	rec->out->classes[call->class_idx].failed++;
}

void rec_dropped(struct recorder *rec)
{
	rec->out->dropped_memory_limit++;
}

/* The open incident of node n (the latest one without a recovery), or NULL. */
static struct model_incident *open_incident(struct recorder *rec, const struct node *n)
{
	struct model_results *out = rec->out;
	for (size_t i = out->nincidents; i-- > 0;)
		if (!strcmp(out->incidents[i].node, n->name))
			return isnan(out->incidents[i].recovered_s) ? &out->incidents[i] : NULL;
	return NULL;
}

void rec_node_down(struct recorder *rec, const struct node *n)
{
	struct model_results *out = rec->out;
	if (out->nincidents >= MODEL_MAX_INCIDENTS)
		return;
	struct model_incident *inc = &out->incidents[out->nincidents++];
	memset(inc, 0, sizeof *inc);
	snprintf(inc->node, sizeof inc->node, "%s", n->name);
	const struct failure_spec *f = n->failure >= 0 ? &rec->arch->cfg->failures[n->failure] : NULL;
	inc->kind = !f ? FAILURE_CRASH : f->kind == FAILURE_RANDOM ? f->mode : f->kind;
	inc->at_s = sim_ns_to_s(rec->arch->engine.now_ns);
	inc->detected_s = inc->recovered_s = inc->restored_s = NAN;
}

void rec_node_detected(struct recorder *rec, const struct node *n)
{
	struct model_incident *inc = open_incident(rec, n);
	if (inc && isnan(inc->detected_s))
		inc->detected_s = sim_ns_to_s(rec->arch->engine.now_ns);
}

void rec_node_up(struct recorder *rec, const struct node *n)
{
	struct model_incident *inc = open_incident(rec, n);
	if (inc)
		inc->recovered_s = sim_ns_to_s(rec->arch->engine.now_ns);
}

/* Success ratio of the requests first sent in a window; NAN: none ended. */
static double window_success(const struct model_window *w)
{
	uint64_t ended = w->sent_completed + w->sent_failed;
	return ended ? (double)w->sent_completed / (double)ended : NAN;
}

/* Count an outcome against the window its request was first sent in. */
static void count_by_send_window(struct recorder *rec, const struct wl_call *call, bool ok)
{
	struct model_results *out = rec->out;
	size_t w = (size_t)(call->first_send_ns / out->window_ns);
	if (w >= out->nwindows)
		return;
	if (ok)
		out->windows[w].sent_completed++;
	else
		out->windows[w].sent_failed++;
}

/* restored_s and failed_requests of each incident, from the outcomes of the
 * requests by the window they were first sent in (so a time-out that ends a
 * request 10 s later still counts where the request met the failure): the
 * level before is the success ratio of the ten windows before the failure.
 * A window is bad below that level (by more than 0.1%).  The incident is
 * over at the start of the first good window after the last bad one while
 * the node was failed (from the failure's window to its recovery, or to the
 * end): a gray failure whose queues fill a minute in, or an outage that dips
 * twice, is not over at its first good window.  No bad window in that span:
 * the failure cost nothing visible, and it is over when it starts. */
static void settle_incidents(struct recorder *rec)
{
	struct model_results *out = rec->out;
	double window_s = sim_ns_to_s(out->window_ns);
	for (size_t i = 0; i < out->nincidents; i++) {
		struct model_incident *inc = &out->incidents[i];
		size_t first = (size_t)(inc->at_s / window_s);
		uint64_t done = 0, ended = 0;
		for (size_t w = first > 10 ? first - 10 : 0; w < first && w < out->nwindows; w++) {
			done += out->windows[w].sent_completed;
			ended += out->windows[w].sent_completed + out->windows[w].sent_failed;
		}
		double before = ended ? (double)done / (double)ended : 1.0;
		size_t span_end = isnan(inc->recovered_s) ? out->nwindows
				  : (size_t)(inc->recovered_s / window_s) + 1;
		size_t last_bad = SIZE_MAX;
		for (size_t w = first; w < span_end && w < out->nwindows; w++) {
			double ok = window_success(&out->windows[w]);
			if (!isnan(ok) && ok < before - 0.001)
				last_bad = w;
		}
		if (last_bad == SIZE_MAX) {
			inc->restored_s = inc->at_s;
			continue;
		}
		for (size_t w = first; w < out->nwindows; w++) {
			double ok = window_success(&out->windows[w]);
			if (w > last_bad && !isnan(ok) && ok >= before - 0.001) {
				inc->restored_s = (double)w * window_s;
				break;
			}
			inc->failed_requests += out->windows[w].sent_failed;
		}
	}
}

/* ---------------------------------------------------------------- replication */

static bool counting(const struct recorder *rec) { return rec->measuring && !rec->draining; }

void rec_db_write(struct recorder *rec)
{
	if (counting(rec))
		rec->out->db.writes++;
}

void rec_db_apply(struct recorder *rec, int64_t delay_ns)
{
	if (!counting(rec))
		return;
	sim_tally_add(&rec->out->db.apply_delay_s, sim_ns_to_s(delay_ns));
	sim_histogram_add(&rec->out->db.apply_delay, delay_ns);
}

void rec_db_lag_sample(struct recorder *rec, int64_t lag_ns)
{
	if (counting(rec))
		sim_histogram_add(&rec->out->db.lag, lag_ns);
}

void rec_db_read(struct recorder *rec, bool at_replica, bool stale, int64_t staleness_ns)
{
	if (!counting(rec))
		return;
	struct model_db_result *db = &rec->out->db;
	db->reads++;
	if (!at_replica)
		return;
	db->replica_reads++;
	db->stale_reads += stale;
	sim_histogram_add(&db->staleness, staleness_ns);
}

void rec_db_lost_writes(struct recorder *rec, uint64_t n)
{
	if (rec->measuring)
		rec->out->db.lost_writes += n;
}
