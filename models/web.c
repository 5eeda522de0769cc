/* nginx on the web tier: static files, TLS termination, cache, reverse proxy.
 *
 * Follows nginx (../shared/DOMAIN.md section 3):
 *  - `workers` worker processes, each one core: the CPU station;
 *  - at most workers x worker_connections connections, counting the client
 *    connection and, for a proxied request, the upstream one too (so a pure
 *    proxy serves at most half that many clients); a connection beyond the
 *    limit is refused;
 *  - every request pays TLS: a full handshake for a share 1 - tls.reuse, a
 *    resumed one otherwise, then `static` for a static file or a
 *    proxy_cache hit (a share cache.hit of dynamic GETs: classes with writes
 *    are POSTs, which proxy_cache never answers), or `proxy` CPU
 *    to pass it upstream;
 *  - the app server is chosen by upstream.balance: round_robin, least_conn
 *    (fewest requests in flight, round-robin among ties), ip_hash (the
 *    client), random, among the servers the request's worker process deems
 *    available;
 *  - passive health per worker process (no `zone`), as nginx's
 *    round-robin module does it on its whole-second clock: a failed attempt
 *    (error or timeout) counts against the server; `max_fails` of them
 *    within `fail_timeout` make it unavailable to that worker until the
 *    clock shows fail_timeout + 1 s past the last failure, i.e. for
 *    (fail_timeout, fail_timeout + 1] s; then one request probes it, and a
 *    success on that probe resets the count.  With one server, or
 *    max_fails 0, nothing is ever marked;
 *  - proxy_next_upstream error timeout: a failed attempt is retried on
 *    another server not tried yet, up to next_upstream_tries attempts (0:
 *    every server once), unless the request was already sent and is not
 *    idempotent (classes with db_writes are POSTs: nginx's default without
 *    `non_idempotent`); the last failure's error goes back (502 for a
 *    refused connect or a reset, 504 for a time-out);
 *  - a connect to a black-holed server fails after proxy_connect_timeout, to
 *    a dead process at once; proxy_read_timeout rescues a request the app
 *    server will never answer (it crashed or is cut off with it).  A request
 *    the app is merely slow with is not cut short by it: HAProxy's
 *    timeout server and the client's time-out, shorter by default, act first;
 *  - after a restart the proxy_cache is empty and warms: the hit ratio of
 *    the n-th dynamic request since then is cache.hit x (1 - exp(-n / N)),
 *    N = WEB_CACHE_WARM_REQUESTS (docs/failures.md). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include <gsl/gsl_rng.h>

#include "arch.h"
#include "sim/time.h"

/* Dynamic requests a restarted web server sees before its cache is back at
 * 1 - 1/e of its hit ratio: about one pass over its popular pages. */
#define WEB_CACHE_WARM_REQUESTS 1000.0

static struct web_node *web_of(struct node *n) { return (struct web_node *)n; }

static void web_reset_stats(struct node *n, int64_t now_ns)
{
	sim_station_reset_stats(&web_of(n)->cpu, now_ns);
}

static struct sim_station *web_cpu(struct node *n) { return &web_of(n)->cpu; }

static void web_failed(struct node *n);

const struct node_kind web_kind = {
	.tier = TIER_WEB, .name = "web", .reset_stats = web_reset_stats, .cpu = web_cpu,
	.failed = web_failed,
};

/* Whether r still belongs to its web server's current life: a crash or a
 * process death since r arrived reset every connection it had there. */
static bool web_still_has(const struct web_node *w, const struct request *r)
{
	return w->base.epoch == r->web_epoch && w->base.health != NODE_CRASHED &&
	       w->base.health != NODE_PROCESS_DEAD;
}

/* r gives back the connections it holds at its web server, unless a
 * restart since it arrived took them all (a partition takes none: the
 * process goes on holding them until the request ends). */
static void release_connections(struct request *r)
{
	if (r->web && r->web->life == r->web_life)
		r->web->connections -= r->web_connections;
	r->web_connections = 0;
}

/* The answer (or an error page) leaves for the LB. */
static void respond(struct arch *a, struct request *r)
{
	struct web_node *w = r->web;
	release_connections(r);
	if (node_is_black_hole(&w->base) || w->base.epoch != r->web_epoch) {
		/* nothing leaves a dead or cut-off server: HAProxy's timeout
		 * server (504) or the client's own time-out ends it */
		request_lost(r);
		return;
	}
	r->stage = STAGE_BACK;
	arch_after_hops(a, r, 1, lb_answer_event);
}

/* The process died under r: the LB's connection is reset at once (RST),
 * and HAProxy answers 502 (the request was sent, so it is not retried). */
static void reset_to_lb(struct arch *a, struct request *r)
{
	request_fail(r, ERR_CONNECT_REFUSED);
	r->web_connections = 0;
	r->stage = STAGE_BACK;
	arch_after_hops(a, r, 1, lb_answer_event);
}

/* r was at (or returns to) a web server that failed since it arrived. */
static void dead_at_web(struct arch *a, struct request *r)
{
	if (node_refuses(&r->web->base))
		reset_to_lb(a, r);
	else
		request_lost(r);
}

/* ---------------------------------------------------------------- upstreams */

static int64_t nginx_now_s(const struct arch *a) { return a->engine.now_ns / SIM_NS_PER_S; }

static struct web_peer *peer_of(struct arch *a, struct web_node *w, int worker,
				const struct app_node *p)
{
	return &w->peers[(size_t)worker * (size_t)a->napp + (size_t)p->base.index];
}

static bool passive_checks_on(const struct arch *a)
{
	return a->cfg->web.max_fails > 0 && a->napp > 1;
}

/* Whether the worker may pick p (ngx_http_upstream_get_peer's test). */
static bool peer_available(struct arch *a, struct web_node *w, int worker,
			   const struct app_node *p)
{
	if (!passive_checks_on(a))
		return true;
	const struct web_peer *pe = peer_of(a, w, worker, p);
	return !(pe->fails >= a->cfg->web.max_fails &&
		 (nginx_now_s(a) - pe->checked_s) * SIM_NS_PER_S <= a->cfg->web.fail_timeout_ns);
}

static bool app_in_web_view(struct arch *a, const struct request *r, const struct app_node *p)
{
	return node_in_rotation(&p->base) && !(r->apps_tried >> (p->base.index % 64) & 1) &&
	       peer_available(a, r->web, r->web_worker, p);
}

static struct app_node *pick_app(struct arch *a, const struct request *r)
{
	const struct web_config *c = &a->cfg->web;
	struct app_node *best = NULL;
	uint64_t n = (uint64_t)a->napp;
	uint64_t j = scaling_rotation_first(a, TIER_APP, &a->web_rr, n);
	switch (c->upstream_balance) {
	case WEB_BALANCE_LEAST_CONN:
		for (int i = 0; i < a->napp; i++, j = rr_wrap_next(j, n)) {
			struct app_node *p = &a->app[j];
			if (app_in_web_view(a, r, p) && (!best || p->base.active < best->base.active))
				best = p;
		}
		return best;
	case WEB_BALANCE_IP_HASH:
		/* then the next live one, as nginx rehashes */
		j = rr_reduce(r->client * 2654435761u, n);
		break;
	case WEB_BALANCE_RANDOM: {
		/* a random turn over the servers in rotation */
		int size = a->scaling ? scaling_rotation_size(a, TIER_APP) : a->napp;
		if (size <= 0)
			break;
		uint64_t k = gsl_rng_uniform_int(a->web_balance_rng, (unsigned long)size);
		j = a->scaling ? rr_reduce(scaling_rotation_start(a, TIER_APP, k), n) : k;
		break;
	}
	case WEB_BALANCE_ROUND_ROBIN:
	default:
		break;
	}
	for (int i = 0; i < a->napp; i++, j = rr_wrap_next(j, n)) {
		struct app_node *p = &a->app[j];
		if (app_in_web_view(a, r, p))
			return p;
	}
	return NULL;
}

/* The worker picked p: past fail_timeout, this pick is the probe. */
static void peer_picked(struct arch *a, struct request *r, const struct app_node *p)
{
	if (!passive_checks_on(a))
		return;
	struct web_peer *pe = peer_of(a, r->web, r->web_worker, p);
	int64_t now = nginx_now_s(a);
	if ((now - pe->checked_s) * SIM_NS_PER_S > a->cfg->web.fail_timeout_ns)
		pe->checked_s = now;
}

static void peer_failed(struct arch *a, struct request *r)
{
	if (!passive_checks_on(a))
		return;
	struct web_node *w = r->web;
	struct web_peer *pe = peer_of(a, w, r->web_worker, r->app);
	pe->fails++;
	pe->checked_s = pe->accessed_s = nginx_now_s(a);
	if (pe->fails < a->cfg->web.max_fails)
		return;
	/* nginx logs "upstream server temporarily disabled" at each such failure */
	const struct node *p = &r->app->base;
	rec_node_detected(&a->rec, p);
	arch_event(a, MODEL_EVENT_MARKED_DOWN, p, "%s worker %d marks %s unavailable (%d fails)",
		   w->base.name, r->web_worker + 1, p->name, pe->fails);
}

static void peer_succeeded(struct arch *a, struct request *r)
{
	if (!passive_checks_on(a))
		return;
	struct web_node *w = r->web;
	struct web_peer *pe = peer_of(a, w, r->web_worker, r->app);
	if (pe->accessed_s >= pe->checked_s)
		return; /* not a probe after a quiet period: the count stays */
	if (pe->fails >= a->cfg->web.max_fails)
		arch_event(a, MODEL_EVENT_MARKED_UP, &r->app->base, "%s worker %d finds %s back",
			   w->base.name, r->web_worker + 1, r->app->base.name);
	pe->fails = 0;
}

/* nginx is done with r's attempt at its app server (least_conn's count). */
static void upstream_closed(struct request *r)
{
	if (r->upstream_open)
		r->app->base.active--;
	r->upstream_open = false;
}

/* Send r to app server p (a new upstream attempt). */
static void connect_to_app(struct arch *a, struct request *r, struct app_node *p)
{
	peer_picked(a, r, p);
	r->failed = false; /* a retry starts afresh (an error at the last server is not this one's) */
	r->queries_done = 0;
	r->app = p;
	r->apps_tried |= UINT64_C(1) << (p->base.index % 64);
	r->upstream_tries++;
	p->base.active++;
	r->upstream_open = true;
	r->stage = STAGE_TO_APP;
	arch_after_hops(a, r, 1, app_receive_event);
}

static int upstream_tries_max(const struct arch *a)
{
	int n = a->cfg->web.next_upstream_tries;
	return n > 0 && n < a->napp ? n : a->napp;
}

/* An upstream attempt of r failed with `cause`; `sent`: the app server had
 * the request (only idempotent ones may go elsewhere then). */
static void upstream_failed(struct arch *a, struct request *r, enum model_error cause, bool sent)
{
	sim_timeout_stop(&a->read_timeouts, &r->read_timeout);
	upstream_closed(r);
	if (!web_still_has(r->web, r)) {
		dead_at_web(a, r); /* the worker that waited is gone too */
		return;
	}
	peer_failed(a, r);
	bool idempotent = a->cfg->wl.classes[r->class_idx].db_writes == 0;
	bool may_retry = r->call && !r->lb_answered && (!sent || idempotent) &&
			 r->upstream_tries < upstream_tries_max(a);
	struct app_node *next = may_retry ? pick_app(a, r) : NULL;
	if (!next) {
		request_fail(r, cause);
		respond(a, r);
		return;
	}
	connect_to_app(a, r, next);
}

void web_upstream_connect_failed(struct arch *a, struct request *r, enum model_error cause)
{
	upstream_failed(a, r, cause, false);
}

void web_upstream_abandoned(struct arch *a, struct request *r, enum model_error cause)
{
	upstream_closed(r);
	if (!web_still_has(r->web, r)) {
		dead_at_web(a, r);
		return;
	}
	request_fail(r, cause);
	respond(a, r);
}

static void web_upstream_refused(struct arch *a, struct request *r)
{
	upstream_failed(a, r, ERR_CONNECT_REFUSED, false);
}

ARCH_STAGE_EVENT(web_upstream_refused)

static void web_upstream_reset(struct arch *a, struct request *r)
{
	upstream_failed(a, r, ERR_CONNECT_REFUSED, true);
}

ARCH_STAGE_EVENT(web_upstream_reset)

void web_forget(struct arch *a, struct request *r)
{
	sim_timeout_stop(&a->read_timeouts, &r->read_timeout);
	upstream_closed(r);
	release_connections(r);
}

void web_upstream_sent(struct arch *a, struct request *r)
{
	if (a->cfg->web.read_timeout_ns > 0)
		sim_timeout_start(&a->engine, &a->read_timeouts, &r->read_timeout);
}

/* proxy_read_timeout: the app server never answered.  Only a lost request
 * (its server crashed or is cut off) is given up; see the file comment. */
static void on_read_timeout(struct sim_engine *e, struct sim_timeout_queue *q,
			    struct sim_timeout *t)
{
	struct request *r = request_of(t, read_timeout);
	(void)q;
	if (!r->lost)
		return;
	r->lost = false;
	upstream_failed(arch_of(e), r, ERR_SERVER_TIMEOUT, true);
}

static void proxy(struct arch *a, struct request *r)
{
	struct web_node *w = r->web;
	if (w->connections + 1 > w->max_connections) {
		/* "worker_connections are not enough": nginx answers 500 */
		request_fail(r, ERR_CONNECT_REFUSED);
		respond(a, r);
		return;
	}
	struct app_node *p = pick_app(a, r);
	if (!p) {
		request_fail(r, ERR_NO_BACKEND); /* no live upstreams: 502 */
		respond(a, r);
		return;
	}
	w->connections++;
	r->web_connections++;
	connect_to_app(a, r, p);
}

static void on_cpu_done(struct sim_engine *e, struct sim_station *st, struct sim_job *job,
			enum sim_job_status status)
{
	struct arch *a = arch_of(e);
	struct request *r = request_of(job, cpu);
	(void)st;
	if (status != SIM_JOB_DONE) {
		dead_at_web(a, r);
		return;
	}
	r->web->base.served++;
	if (a->cfg->wl.classes[r->class_idx].dynamic && !r->cache_hit)
		proxy(a, r);
	else
		respond(a, r);
}

SIM_STATION_END_EVENT(web_cpu_end, on_cpu_done)

int web_node_init(struct arch *a, struct web_node *n)
{
	const struct web_config *c = &a->cfg->web;
	arch_station_init(a, &n->cpu, n->base.name, c->workers, -1, 0, on_cpu_done, n);
	n->cpu.end_event = web_cpu_end;
	n->max_connections = (int64_t)c->workers * c->worker_connections;
	n->peers = calloc((size_t)c->workers * (size_t)a->napp, sizeof *n->peers);
	if (n->base.index == 0 && c->read_timeout_ns > 0)
		sim_timeout_queue_init(&a->read_timeouts, c->read_timeout_ns, on_read_timeout, a);
	return n->peers ? 0 : -1;
}

/* Whether the next dynamic request is a proxy_cache hit (one draw). */
static bool cache_hits(struct web_node *w, double hit, gsl_rng *rng)
{
	if (hit <= 0)
		return false;
	double u = gsl_rng_uniform(rng);
	if (w->cache_cold) {
		double seen = (double)w->cache_fills++;
		if (seen > 40 * WEB_CACHE_WARM_REQUESTS)
			w->cache_cold = false; /* within 1e-17 of warm */
		else
			hit *= 1.0 - exp(-seen / WEB_CACHE_WARM_REQUESTS);
	}
	return u < hit;
}

/* The LB's connect to a black-holed server gives up after timeout connect. */
static void on_connect_timeout(struct sim_engine *e, void *obj, uint64_t arg)
{
	(void)arg;
	lb_connect_failed(arch_of(e), obj, ERR_CONNECT_TIMEOUT);
}

static void web_receive(struct arch *a, struct request *r)
{
	const struct web_config *c = &a->cfg->web;
	struct web_node *w = r->web;
	if (node_is_black_hole(&w->base)) {
		/* the SYN is never answered: HAProxy's timeout connect, counted
		 * from the SYN's arrival (one hop late, a fraction of a ms) */
		if (a->cfg->lb.timeout_connect_ns > 0)
			sim_engine_after(&a->engine, a->cfg->lb.timeout_connect_ns, on_connect_timeout, r, 0);
		else
			request_lost(r);
		return;
	}
	if (node_refuses(&w->base) || w->connections + 1 > w->max_connections) {
		arch_after_hops(a, r, 1, lb_connect_refused_event);
		return;
	}
	w->connections++;
	r->web_connections = 1;
	r->web_epoch = w->base.epoch;
	r->web_life = w->life;
	r->web_worker = (uint16_t)rr_turn_mod(&w->next_worker, (uint64_t)c->workers);
	r->stage = STAGE_WEB_CPU;
	gsl_rng *rng = w->base.rng;
	double demand = gsl_rng_uniform(rng) < c->tls_reuse
				? sim_dist_sample(&c->tls_resumed, rng)
				: sim_dist_sample(&c->tls_handshake, rng);
	const struct wl_class_config *k = &a->cfg->wl.classes[r->class_idx];
	if (k->dynamic) {
		double hit = model_cache_hit_of(a->cfg, k); /* POSTs are never cached */
		r->cache_hit = hit > 0 && cache_hits(w, hit, rng);
		demand += sim_dist_sample(r->cache_hit ? &c->static_cost : &c->proxy_cost, rng);
	} else {
		demand += sim_dist_sample(&c->static_cost, rng);
	}
	sim_station_arrive(&a->engine, &w->cpu, &r->cpu, demand);
}

ARCH_STAGE_EVENT(web_receive)

static void web_answer(struct arch *a, struct request *r)
{
	sim_timeout_stop(&a->read_timeouts, &r->read_timeout);
	upstream_closed(r);
	if (!web_still_has(r->web, r)) {
		dead_at_web(a, r);
		return;
	}
	peer_succeeded(a, r);
	respond(a, r);
}

ARCH_STAGE_EVENT(web_answer)

/* A crash or a process death takes every connection with it, and the
 * worker processes' memory: their views of the app servers and the cache
 * (a proxy_cache that a restart empties, as the issue asks). */
static void web_failed(struct node *n)
{
	struct web_node *w = (struct web_node *)n;
	if (n->health == NODE_PARTITIONED)
		return;
	struct arch *a = n->arch;
	w->connections = 0;
	w->life++;
	for (size_t i = 0; i < (size_t)a->cfg->web.workers * (size_t)a->napp; i++)
		w->peers[i] = (struct web_peer){0};
	w->cache_cold = true;
	w->cache_fills = 0;
}
