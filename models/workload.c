/* The clients: arrivals by rate profile, classes, time-outs, retries.
 * See workload.h for the model. */
#include "workload.h"

#include <math.h>
#include <stddef.h>
#include <stdbool.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "arch.h"
#include "record.h"
#include "sim/rng.h"
#include "sim/time.h"

/* ---------------------------------------------------------------- profile */

void wl_profile_init(struct wl_profile *p, const struct wl_config *wl)
{
	memset(p, 0, sizeof *p);
	p->at_ns[0] = 0;
	p->rate_per_s[0] = wl->rate_per_s;
	p->nbreaks = 1;
	for (size_t i = 0; i < wl->nschedule && p->nbreaks + 2 <= WL_MAX_BREAKS; i++) {
		const struct wl_step *s = &wl->schedule[i];
		double before = wl_profile_rate_at(p, s->at_ns);
		/* A step that starts inside a previous ramp cuts that ramp short. */
		while (p->nbreaks > 1 && p->at_ns[p->nbreaks - 1] > s->at_ns)
			p->nbreaks--;
		p->at_ns[p->nbreaks] = s->at_ns;
		p->rate_per_s[p->nbreaks] = before;
		p->nbreaks++;
		if (s->ramp_ns > 0) {
			p->at_ns[p->nbreaks] = s->at_ns + s->ramp_ns;
			p->rate_per_s[p->nbreaks] = s->rate_per_s;
			p->nbreaks++;
		} else {
			/* A step: two breaks at one instant (rate_at takes the later
			 * one from then on), so the segment before stays flat instead
			 * of ramping from the previous break to the new rate. */
			p->at_ns[p->nbreaks] = s->at_ns;
			p->rate_per_s[p->nbreaks] = s->rate_per_s;
			p->nbreaks++;
		}
	}
}

static size_t segment_of(const struct wl_profile *p, int64_t t_ns)
{
	size_t i = 0;
	while (i + 1 < p->nbreaks && p->at_ns[i + 1] <= t_ns)
		i++;
	return i;
}

double wl_profile_rate_at(const struct wl_profile *p, int64_t t_ns)
{
	size_t i = segment_of(p, t_ns);
	/* A flat segment (r + f * 0 is r) or a step. */
	if (i + 1 >= p->nbreaks || p->rate_per_s[i + 1] == p->rate_per_s[i] ||
	    p->at_ns[i + 1] == p->at_ns[i])
		return p->rate_per_s[i];
	double f = (double)(t_ns - p->at_ns[i]) / (double)(p->at_ns[i + 1] - p->at_ns[i]);
	return p->rate_per_s[i] + f * (p->rate_per_s[i + 1] - p->rate_per_s[i]);
}

int64_t wl_profile_advance(const struct wl_profile *p, int64_t t_ns, double increment)
{
	double left = increment; /* expected arrivals still to cover */
	size_t i = segment_of(p, t_ns);
	double t = (double)t_ns;
	for (;;) {
		double r0 = wl_profile_rate_at(p, (int64_t)t) * 1e-9; /* per ns */
		if (i + 1 >= p->nbreaks) {
			if (r0 <= 0)
				return SIM_TIME_NEVER;
			double at = t + left / r0;
			return at >= 9.2e18 ? SIM_TIME_NEVER : (int64_t)at;
		}
		double end = (double)p->at_ns[i + 1];
		double r1 = p->rate_per_s[i + 1] * 1e-9;
		double span = end - t;
		double area = 0.5 * (r0 + r1) * span;
		if (area >= left && span > 0) {
			/* r0 x + slope x^2 / 2 = left, the root in [0, span], in the
			 * form that stays accurate when slope is tiny.  Flat (the
			 * usual segment), it is exactly left / r0, since
			 * sqrt(r0 r0) is r0 in IEEE arithmetic: no square root. */
			double x;
			if (r1 == r0) {
				x = left / r0;
			} else {
				double slope = (r1 - r0) / span;
				double disc = r0 * r0 + 2.0 * slope * left;
				x = 2.0 * left / (r0 + sqrt(disc > 0 ? disc : 0));
			}
			if (!(x <= span))
				x = span;
			return (int64_t)(t + x);
		}
		left -= area;
		t = end;
		i++;
	}
}

/* ---------------------------------------------------------------- calls */

/* The client's TCP connect to the VIP, as Linux does it (DOMAIN §0):
 * initial RTO 1 s, doubled after each of tcp_syn_retries = 6
 * retransmissions, so SYNs leave 0, 1, 3, 7, 15, 31 and 63 s after the
 * first and connect() gives up at 127 s (ETIMEDOUT), unless the client's
 * own time-out comes first.  A SYN that finds someone answering for the
 * VIP goes through at once (the LAN round trip is neglected): an outage
 * shorter than the time-out shows up as latency quantised to those steps. */
#define WL_SYN_RETRIES 6
#define WL_SYN_RTO_NS SIM_NS_PER_S

static void on_arrival(struct sim_engine *e, void *obj, uint64_t arg);
static void send_attempt(struct arch *a, struct wl_call *call);
static void on_client_timeout(struct sim_engine *e, struct sim_timeout_queue *q,
			      struct sim_timeout *t);
static void on_syn_timer(struct sim_engine *e, void *obj, uint64_t arg);

int wl_init(struct arch *a)
{
	const struct model_config *cfg = a->cfg;
	struct wl_state *w = &a->wl;
	wl_profile_init(&w->profile, &cfg->wl);
	double cum = 0;
	for (size_t k = 0; k < cfg->wl.nclasses; k++) {
		cum += cfg->wl.classes[k].share;
		w->cum_share[k] = cum;
	}
	w->arrivals = sim_rng_stream_create(cfg->seed, a->replication, "workload.arrivals");
	w->classes = sim_rng_stream_create(cfg->seed, a->replication, "workload.class");
	w->clients = sim_rng_stream_create(cfg->seed, a->replication, "workload.client");
	w->retries = sim_rng_stream_create(cfg->seed, a->replication, "workload.retry");
	if (cfg->wl.timeout_ns > 0)
		sim_timeout_queue_init(&w->client_timeouts, cfg->wl.timeout_ns, on_client_timeout, a);
	return w->arrivals && w->classes && w->clients && w->retries ? 0 : -1;
}

void wl_fini(struct arch *a)
{
	struct wl_state *w = &a->wl;
	gsl_rng *streams[] = {w->arrivals, w->classes, w->clients, w->retries};
	for (size_t i = 0; i < sizeof streams / sizeof streams[0]; i++)
		if (streams[i])
			gsl_rng_free(streams[i]);
}

static void schedule_next_arrival(struct arch *a, int64_t from_ns)
{
	struct wl_state *w = &a->wl;
	double increment = a->cfg->wl.arrivals == WL_ARRIVALS_POISSON
				   ? sim_rand_exp(w->arrivals, 1.0)
				   : 1.0;
	w->next_from_ns = from_ns;
	w->next_increment = increment;
	w->next_drawn = true;
	int64_t at = wl_profile_advance(&w->profile, from_ns, increment);
	if (at < a->end_ns)
		w->next_arrival = sim_engine_at(&a->engine, at, on_arrival, a, 0);
}

void wl_profile_changed(struct arch *a)
{
	struct wl_state *w = &a->wl;
	wl_profile_init(&w->profile, &a->cfg->wl);
	if (!w->next_drawn)
		return;
	sim_engine_cancel(&a->engine, w->next_arrival);
	/* The profiles agree before now, so the new instant is not earlier. */
	int64_t at = wl_profile_advance(&w->profile, w->next_from_ns, w->next_increment);
	if (at < a->engine.now_ns)
		at = a->engine.now_ns;
	if (at < a->end_ns)
		w->next_arrival = sim_engine_at(&a->engine, at, on_arrival, a, 0);
}

void wl_stop(struct arch *a)
{
	sim_engine_cancel(&a->engine, a->wl.next_arrival);
	a->wl.next_drawn = false;
}

void wl_start(struct arch *a)
{
	schedule_next_arrival(a, 0);
}

static uint16_t pick_class(struct arch *a)
{
	double u = gsl_rng_uniform(a->wl.classes);
	size_t n = a->cfg->wl.nclasses;
	for (size_t k = 0; k + 1 < n; k++)
		if (u < a->wl.cum_share[k])
			return (uint16_t)k;
	return (uint16_t)(n - 1);
}

/* The memory budget is full (models/limits.h): the send of `call` is
 * dropped at the client, and the call fails with memory_limit. */
static void drop_send(struct arch *a, struct wl_call *call)
{
	rec_dropped(&a->rec);
	rec_failed(&a->rec, call, ERR_MEMORY_LIMIT);
}

static void on_arrival(struct sim_engine *e, void *obj, uint64_t arg)
{
	struct arch *a = obj;
	(void)arg;
	schedule_next_arrival(a, e->now_ns);
	struct wl_call *call = sim_pool_get(&a->calls);
	if (!call) {
		/* Counted like any call (offered, then failed), from a copy on
		 * the stack: the same draws as an admitted one. */
		struct wl_call dropped = {
			.first_send_ns = e->now_ns,
			.class_idx = pick_class(a),
			.client = (uint32_t)gsl_rng_uniform_int(a->wl.clients,
								(unsigned long)a->cfg->wl.clients),
			.measured = e->now_ns >= a->measure_from_ns,
		};
		rec_offered(&a->rec, &dropped);
		drop_send(a, &dropped);
		return;
	}
	*call = (struct wl_call){
		.first_send_ns = e->now_ns,
		.class_idx = pick_class(a),
		.client = (uint32_t)gsl_rng_uniform_int(a->wl.clients,
							(unsigned long)a->cfg->wl.clients),
		.measured = e->now_ns >= a->measure_from_ns,
	};
	if (a->cfg->wl.classes[call->class_idx].db_reads + a->cfg->wl.classes[call->class_idx].db_writes)
		repl_prefetch_client(a, call->client);
	rec_offered(&a->rec, call);
	send_attempt(a, call);
}

static void finish_call(struct arch *a, struct wl_call *call)
{
	sim_pool_put(&a->calls, call);
}

static void on_retry(struct sim_engine *e, void *obj, uint64_t arg)
{
	(void)arg;
	send_attempt(arch_of(e), obj);
}

/* After a failed attempt: retry after a backoff, or give up with `cause`. */
static void retry_or_fail(struct arch *a, struct wl_call *call, enum model_error cause)
{
	if (call->attempts <= a->cfg->wl.retries) {
		int64_t backoff = sim_dist_sample_ns(&a->cfg->wl.retry_backoff, a->wl.retries);
		sim_engine_after(&a->engine, backoff, on_retry, call, 0);
		return;
	}
	rec_failed(&a->rec, call, cause);
	finish_call(a, call);
}

static void on_client_timeout(struct sim_engine *e, struct sim_timeout_queue *q,
			      struct sim_timeout *t)
{
	struct arch *a = arch_of(e);
	struct wl_call *call = (struct wl_call *)((char *)t - offsetof(struct wl_call, timeout));
	(void)q;
	struct request *r = call->attempt;
	call->attempt = NULL;
	r->call = NULL; /* a zombie from now on */
	enum model_error cause = ERR_CLIENT_TIMEOUT;
	if (r->stage == STAGE_CONNECTING) {
		/* never connected: the VIP did not answer in time */
		cause = ERR_VIP_UNREACHABLE;
		sim_engine_cancel(&a->engine, r->syn_ev);
		request_free(a, r);
	} else {
		lb_client_gone(a, r);
	}
	rec_attempt_error(&a->rec, call, cause);
	retry_or_fail(a, call, cause);
}

/* Send a SYN to the VIP: through to the LB if someone answers, else wait
 * the current RTO for the retransmission. */
static void connect_vip(struct arch *a, struct request *r)
{
	r->syns++;
	if (lb_vip_answers(a)) {
		r->stage = STAGE_LB_QUEUE;
		lb_receive(a, r);
		return;
	}
	r->stage = STAGE_CONNECTING;
	r->syn_ev = sim_engine_after(&a->engine, WL_SYN_RTO_NS << (r->syns - 1), on_syn_timer, r, 0);
}

static void on_syn_timer(struct sim_engine *e, void *obj, uint64_t arg)
{
	struct arch *a = arch_of(e);
	struct request *r = obj;
	(void)arg;
	r->syn_ev = (struct sim_event_handle){0, 0};
	if (r->syns > WL_SYN_RETRIES) {
		/* connect() gives up: ETIMEDOUT */
		wl_answer_error(a, r, ERR_VIP_UNREACHABLE);
		request_free(a, r);
		return;
	}
	connect_vip(a, r);
}

static void send_attempt(struct arch *a, struct wl_call *call)
{
	/* The event cap is checked here, where load enters, so that the events
	 * of requests already admitted are never refused (limits.h). */
	struct request *r = sim_calendar_count(&a->engine.cal) < a->limits.max_events
				    ? sim_pool_get(&a->requests)
				    : NULL;
	if (!r) {
		drop_send(a, call);
		finish_call(a, call);
		return;
	}
	/* The pool's object size, not sizeof *r: a size known when compiling
	 * makes GCC inline `rep stosq`, whose start-up is most of the cost of
	 * clearing 480 bytes; libc's memset clears them with vector stores. */
	memset(r, 0, a->requests.obj_size);
	r->call = call;
	r->client = call->client;
	r->class_idx = call->class_idx;
	call->attempt = r;
	call->attempts++;
	rec_attempt(&a->rec, call);
	if (a->cfg->wl.timeout_ns > 0)
		sim_timeout_start(&a->engine, &a->wl.client_timeouts, &call->timeout);
	connect_vip(a, r);
}

static void answer(struct arch *a, struct request *r, bool failed, enum model_error cause)
{
	struct wl_call *call = r->call;
	if (!call)
		return;
	sim_timeout_stop(&a->wl.client_timeouts, &call->timeout);
	call->attempt = NULL;
	r->call = NULL;
	if (!failed) {
		rec_completed(&a->rec, call, a->engine.now_ns - call->first_send_ns);
		finish_call(a, call);
		return;
	}
	rec_attempt_error(&a->rec, call, cause);
	retry_or_fail(a, call, cause);
}

void wl_answer(struct arch *a, struct request *r)
{
	answer(a, r, r->failed, r->error);
}

void wl_answer_error(struct arch *a, struct request *r, enum model_error cause)
{
	answer(a, r, true, cause);
}
