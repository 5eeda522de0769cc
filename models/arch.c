/* Assembling and running one replication of the architecture model.
 *
 * Builds the nodes of every tier from the configuration (lb1..lb2, web1..,
 * app1.., db1.. with db1 the primary), gives each its own random stream,
 * schedules the end of the warm-up and runs the engine to the end of the
 * replication, then drains: no more arrivals, and the run goes on until
 * every measured request has its outcome or the drain limit passes (see
 * record.h).  Requests still open after that are counted as unfinished,
 * never as failures, and abandoned with the engine. */
#include "arch.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/interrupt.h"
#include "sim/rng.h"
#include "sim/time.h"

/* The one place that lists the node kinds. */
const struct node_kind *const node_kinds[TIER_COUNT] = {&lb_kind, &web_kind, &app_kind, &db_kind};

static int node_init(struct arch *a, struct node *n, enum model_tier tier, int index)
{
	n->kind = node_kinds[tier];
	n->arch = a;
	n->index = index;
	n->health = NODE_UP;
	n->slow_factor = 1.0;
	n->failure = -1;
	snprintf(n->name, sizeof n->name, "%s%d", n->kind->name, index + 1);
	char stream[32];
	snprintf(stream, sizeof stream, "%s.service", n->name);
	n->rng = sim_rng_stream_create(a->cfg->seed, a->replication, stream);
	if (!n->rng || a->nnodes >= MODEL_MAX_NODES)
		return -1;
	a->nodes[a->nnodes++] = n;
	return 0;
}

void arch_station_init(struct arch *a, struct sim_station *st, const char *name, int servers,
		       int64_t queue_cap, int64_t queue_timeout_ns, sim_station_done_fn done,
		       void *owner)
{
	struct sim_station_config sc = {.name = name, .servers = servers, .queue_cap = queue_cap,
					.queue_timeout_ns = queue_timeout_ns, .speed = 1.0};
	sim_station_init(st, &sc, done, owner, a->engine.now_ns);
	struct node *n = owner; /* every owner is a tier node, which starts with its node */
	if (n->nstations < NODE_MAX_STATIONS)
		n->stations[n->nstations++] = st;
}

int arch_init(struct arch *a, const struct model_config *cfg, unsigned index)
{
	memset(a, 0, sizeof *a);
	a->cfg = cfg;
	a->replication = index;
	sim_engine_init(&a->engine);
	sim_pool_init(&a->calls, sizeof(struct wl_call), 4096);
	sim_pool_init(&a->requests, sizeof(struct request), 4096);
	model_limits_of(cfg, &a->limits);
	a->calls.max_objs = a->limits.max_calls;
	a->requests.max_objs = a->limits.max_requests;
	a->measure_from_ns = cfg->warmup_ns;
	a->end_ns = cfg->duration_ns;
	a->nlb = cfg->lb.nodes;
	a->nweb = model_tier_max_nodes(cfg, TIER_WEB); /* scaling: the extra ones start absent */
	a->napp = model_tier_max_nodes(cfg, TIER_APP);
	a->ndb = cfg->db.nodes;
	a->web = calloc((size_t)a->nweb, sizeof *a->web);
	a->app = calloc((size_t)a->napp, sizeof *a->app);
	a->db = calloc((size_t)a->ndb, sizeof *a->db);
	if (!a->web || !a->app || !a->db)
		return ENOMEM;
	if (a->nlb + a->nweb + a->napp + a->ndb > MODEL_MAX_NODES)
		return EINVAL;
	if (repl_init(a))
		return ENOMEM;
	for (int i = 0; i < a->nlb; i++)
		if (node_init(a, &a->lb[i].base, TIER_LB, i) || lb_node_init(a, &a->lb[i]))
			return ENOMEM;
	for (int i = 0; i < a->nweb; i++)
		if (node_init(a, &a->web[i].base, TIER_WEB, i) || web_node_init(a, &a->web[i]))
			return ENOMEM;
	for (int i = 0; i < a->napp; i++)
		if (node_init(a, &a->app[i].base, TIER_APP, i) || app_node_init(a, &a->app[i]))
			return ENOMEM;
	for (int i = 0; i < a->ndb; i++)
		if (node_init(a, &a->db[i].base, TIER_DB, i) || db_node_init(a, &a->db[i]))
			return ENOMEM;
	a->net_rng = sim_rng_stream_create(cfg->seed, index, "net.hop");
	a->lb_balance_rng = sim_rng_stream_create(cfg->seed, index, "lb.balance");
	a->web_balance_rng = sim_rng_stream_create(cfg->seed, index, "web.balance");
	if (!a->net_rng || !a->lb_balance_rng || !a->web_balance_rng)
		return ENOMEM;
	if (scaling_init(a))
		return ENOMEM;
	return wl_init(a) ? ENOMEM : 0;
}

void arch_fini(struct arch *a)
{
	wl_fini(a);
	scaling_fini(a);
	repl_fini(a);
	sim_engine_fini(&a->engine);
	for (int i = 0; i < a->nnodes; i++)
		if (a->nodes[i]->rng)
			gsl_rng_free(a->nodes[i]->rng);
	for (int i = 0; i < a->nnodes; i++)
		if (a->nodes[i]->failure_rng)
			gsl_rng_free(a->nodes[i]->failure_rng);
	for (int i = 0; a->web && i < a->nweb; i++)
		free(a->web[i].peers);
	gsl_rng *streams[] = {a->net_rng, a->lb_balance_rng, a->web_balance_rng};
	for (size_t i = 0; i < sizeof streams / sizeof streams[0]; i++)
		if (streams[i])
			gsl_rng_free(streams[i]);
	/* Stations may still hold jobs of abandoned requests: their memory goes
	 * with the pools, and the stations own nothing. */
	sim_pool_fini(&a->calls);
	sim_pool_fini(&a->requests);
	free(a->web);
	free(a->app);
	free(a->db);
}

static void on_warmup_end(struct sim_engine *e, void *obj, uint64_t arg)
{
	(void)e;
	(void)arg;
	rec_begin_measuring(obj);
}

/* Long enough for every attempt of a request to time out on the client. */
static int64_t drain_limit_ns(const struct model_config *cfg)
{
	if (cfg->wl.timeout_ns > 0)
		return (cfg->wl.retries + 1) * (cfg->wl.timeout_ns +
						(int64_t)(4 * sim_dist_mean(&cfg->wl.retry_backoff)));
	return SIM_NS_PER_MIN;
}

int model_run_replication(const struct model_config *cfg, unsigned index,
			  struct model_results *out)
{
	return model_run_replication_watched(cfg, index, out, NULL);
}

void arch_begin(struct arch *a)
{
	rec_start(&a->rec);
	failures_schedule(a);
	scaling_start(a);
	repl_start(a);
	wl_start(a);
	if (a->measure_from_ns > 0)
		sim_engine_at(&a->engine, a->measure_from_ns, on_warmup_end, &a->rec, 0);
	else
		rec_begin_measuring(&a->rec);
}

void arch_end(struct arch *a)
{
	rec_finish(&a->rec);
	/* After a Ctrl-C the report covers the time simulated: no drain. */
	if (a->rec.open_measured > 0 && !sim_interrupted())
		sim_engine_run(&a->engine, a->end_ns + drain_limit_ns(a->cfg));
	rec_close(&a->rec);
}

int model_run_replication_watched(const struct model_config *cfg, unsigned index,
				  struct model_results *out,
				  const struct model_event_listener *events)
{
	memset(out, 0, sizeof *out);
	struct arch *a = malloc(sizeof *a);
	if (!a)
		return ENOMEM;
	int rc = arch_init(a, cfg, index);
	if (events)
		a->events = *events;
	if (!rc && rec_init(&a->rec, a, out))
		rc = ENOMEM;
	if (!rc) {
		arch_begin(a);
		sim_engine_run(&a->engine, a->end_ns);
		arch_end(a);
	}
	rec_fini(&a->rec);
	arch_fini(a);
	free(a);
	return rc;
}

/* ---------------------------------------------------------------- the path */

void arch_after_hops(struct arch *a, struct request *r, int hops, sim_event_fn arrive)
{
	int64_t delay = 0;
	for (int i = 0; i < hops; i++)
		delay += sim_dist_sample_ns(&a->cfg->net.hop, a->net_rng);
	if (delay == 0) {
		/* A transparent network: arrive now, without a round trip through
		 * the calendar.  No caller holds state across this call. */
		arrive(&a->engine, r, 0);
		return;
	}
	sim_engine_after(&a->engine, delay, arrive, r, 0);
}

void request_fail(struct request *r, enum model_error cause)
{
	if (!r->failed) {
		r->failed = true;
		r->error = cause;
	}
}

void request_lost(struct request *r)
{
	r->lost = true;
}

void request_free(struct arch *a, struct request *r)
{
	web_forget(a, r);
	sim_pool_put(&a->requests, r);
}
