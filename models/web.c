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
 *    proxy_cache hit (a share cache.hit of dynamic requests), or `proxy` CPU
 *    to pass it upstream;
 *  - the app server is chosen by upstream.balance: round_robin, least_conn
 *    (fewest requests in flight, round-robin among ties), ip_hash (the
 *    client), random. */
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "arch.h"

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

/* The answer (or an error page) leaves for the LB. */
static void respond(struct arch *a, struct request *r)
{
	struct web_node *w = r->web;
	if (web_still_has(w, r))
		w->connections -= r->web_connections;
	r->web_connections = 0;
	if (node_is_black_hole(&w->base) || w->base.epoch != r->web_epoch) {
		/* nothing leaves a dead or cut-off server: HAProxy's timeout
		 * server (504) or the client's own time-out ends it */
		request_lost(r);
		return;
	}
	r->stage = STAGE_BACK;
	arch_after_hops(a, r, 1, lb_answer);
}

/* The process died under r: the LB's connection is reset at once (RST),
 * and HAProxy answers 502 (the request was sent, so it is not retried). */
static void reset_to_lb(struct arch *a, struct request *r)
{
	request_fail(r, ERR_CONNECT_REFUSED);
	r->web_connections = 0;
	r->stage = STAGE_BACK;
	arch_after_hops(a, r, 1, lb_answer);
}

/* r was at (or returns to) a web server that failed since it arrived. */
static void dead_at_web(struct arch *a, struct request *r)
{
	if (node_refuses(&r->web->base))
		reset_to_lb(a, r);
	else
		request_lost(r);
}

static bool app_in_web_view(const struct app_node *p) { return node_is_up(&p->base); }

static struct app_node *pick_app(struct arch *a, const struct request *r)
{
	const struct web_config *c = &a->cfg->web;
	struct app_node *best = NULL;
	uint64_t start = a->web_rr++;
	switch (c->upstream_balance) {
	case WEB_BALANCE_LEAST_CONN:
		for (int i = 0; i < a->napp; i++) {
			struct app_node *p = &a->app[(start + (uint64_t)i) % (uint64_t)a->napp];
			if (app_in_web_view(p) && (!best || p->base.active < best->base.active))
				best = p;
		}
		return best;
	case WEB_BALANCE_IP_HASH:
		start = r->client * 2654435761u; /* then the next live one, as nginx rehashes */
		break;
	case WEB_BALANCE_RANDOM:
		start = gsl_rng_uniform_int(a->web_balance_rng, (unsigned long)a->napp);
		break;
	case WEB_BALANCE_ROUND_ROBIN:
	default:
		break;
	}
	for (int i = 0; i < a->napp; i++) {
		struct app_node *p = &a->app[(start + (uint64_t)i) % (uint64_t)a->napp];
		if (app_in_web_view(p))
			return p;
	}
	return NULL;
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
	r->app = p;
	p->base.active++;
	r->stage = STAGE_TO_APP;
	arch_after_hops(a, r, 1, app_receive);
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

int web_node_init(struct arch *a, struct web_node *n)
{
	const struct web_config *c = &a->cfg->web;
	arch_station_init(a, &n->cpu, n->base.name, c->workers, -1, 0, on_cpu_done, n);
	n->max_connections = (int64_t)c->workers * c->worker_connections;
	return 0;
}

/* The LB's connect to a black-holed server gives up after timeout connect. */
static void on_connect_timeout(struct sim_engine *e, void *obj, uint64_t arg)
{
	(void)arg;
	lb_connect_failed(arch_of(e), obj, ERR_CONNECT_TIMEOUT);
}

void web_receive(struct arch *a, struct request *r)
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
		arch_after_hops(a, r, 1, lb_connect_refused);
		return;
	}
	w->connections++;
	r->web_connections = 1;
	r->web_epoch = w->base.epoch;
	r->stage = STAGE_WEB_CPU;
	gsl_rng *rng = w->base.rng;
	double demand = gsl_rng_uniform(rng) < c->tls_reuse
				? sim_dist_sample(&c->tls_resumed, rng)
				: sim_dist_sample(&c->tls_handshake, rng);
	if (a->cfg->wl.classes[r->class_idx].dynamic) {
		r->cache_hit = c->cache_hit > 0 && gsl_rng_uniform(rng) < c->cache_hit;
		demand += sim_dist_sample(r->cache_hit ? &c->static_cost : &c->proxy_cost, rng);
	} else {
		demand += sim_dist_sample(&c->static_cost, rng);
	}
	sim_station_arrive(&a->engine, &w->cpu, &r->cpu, demand);
}

void web_answer(struct arch *a, struct request *r)
{
	r->app->base.active--;
	if (!web_still_has(r->web, r)) {
		dead_at_web(a, r);
		return;
	}
	respond(a, r);
}

/* A crash or a process death takes every connection with it. */
static void web_failed(struct node *n)
{
	struct web_node *w = (struct web_node *)n;
	if (n->health != NODE_PARTITIONED)
		w->connections = 0;
}
