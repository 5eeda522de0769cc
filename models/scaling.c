/* Scaling a tier during a run: scheduled steps and the autoscaler.
 *
 * Node arrays are allocated at init for the most nodes a tier can reach
 * (model_tier_max_nodes); the nodes beyond the scenario's count start
 * NODE_ABSENT.  Each node keeps its own random stream ("app7.service"), so a
 * node that exists only in a scaled run shifts no other node's draws.
 *
 * A scale-out picks the lowest-numbered absent nodes (a draining node is
 * taken back first, at once): they boot for `boot`, then join their
 * balancer: an app server is in nginx's rotation at once; a web server
 * starts DOWN in HAProxy's checks and needs `rise` passing checks, with a
 * cold proxy_cache.  A scale-in takes the highest-numbered nodes out
 * (booting ones first, which simply stop): a node in rotation drains, no new
 * request goes to it, and it leaves once the requests in flight there are
 * done (polled every DRAIN_POLL_NS).
 *
 * The autoscaler is Kubernetes' HPA: every interval, the tier's mean
 * utilization over the last interval u (CPU busy time of its nodes over
 * their time present, IN or DRAINING), current = nodes IN + BOOTING,
 * desired = ceil(current x u / target) within [min, max]; nothing is done
 * while |u / target - 1| <= 10% (HPA's tolerance) or within cooldown of the
 * last action (scheduled or automatic).
 *
 * Switched off (autoscale.enabled, autoscale.schedule, or the dashboard's
 * `a` key, which adds a schedule entry), it is a suspended HPA: it keeps
 * its ticks and reads the utilization of every interval, but acts on none;
 * switched on again, it acts at its next tick on the last interval's
 * reading, with the cooldown still counted from the last action.  A switch
 * changes no node count.  A switch and a tick at the same instant: the
 * switch first (it was pushed at the start, the tick one interval before). */
#include "scaling.h"

#include "arch.h"

#include <math.h>
#include <stdlib.h>

#include "sim/time.h"

#define DRAIN_POLL_NS (100 * SIM_NS_PER_MS)
#define AUTOSCALE_TOLERANCE 0.1

struct scaling_state {
	int64_t last_action_ns;      /* -1: none yet */
	bool autoscale_on;           /* switched on (autoscale given only) */
	double *last_busy;           /* [nnodes] CPU busy area at the last autoscaler tick */
	int64_t *last_present;       /* [nnodes] scaling_present_ns at the last tick */
};

static struct node *tier_node(struct arch *a, enum model_tier t, int i)
{
	return t == TIER_WEB ? &a->web[i].base : t == TIER_APP ? &a->app[i].base : &a->db[i].base;
}

static int tier_count(const struct arch *a, enum model_tier t)
{
	return t == TIER_WEB ? a->nweb : t == TIER_APP ? a->napp : t == TIER_DB ? a->ndb : a->nlb;
}

/* Nodes that count as the tier's size: in rotation or booting. */
static int tier_size(struct arch *a, enum model_tier t)
{
	int n = 0;
	for (int i = 0; i < tier_count(a, t); i++) {
		enum node_presence p = tier_node(a, t, i)->presence;
		n += p == NODE_IN || p == NODE_BOOTING;
	}
	return n;
}

int scaling_rotation_size(struct arch *a, enum model_tier t)
{
	int n = 0;
	for (int i = 0; i < tier_count(a, t); i++)
		n += node_in_rotation(tier_node(a, t, i));
	return n;
}

uint64_t scaling_rotation_start(struct arch *a, enum model_tier t, uint64_t k)
{
	if (!a->scaling)
		return k;
	int n = scaling_rotation_size(a, t);
	if (n == 0)
		return k;
	uint64_t j = k % (uint64_t)n;
	for (int i = 0; i < tier_count(a, t); i++)
		if (node_in_rotation(tier_node(a, t, i)) && j-- == 0)
			return (uint64_t)i;
	return k;
}

uint64_t scaling_rotation_first(struct arch *a, enum model_tier t, struct rr_cursor *rr, uint64_t n)
{
	if (!a->scaling)
		return rr_turn_mod(rr, n); /* the turn itself, modulo n */
	return rr_reduce(scaling_rotation_start(a, t, rr_turn(rr)), n);
}

int64_t scaling_present_ns(const struct node *n, int64_t now_ns)
{
	bool present = n->presence == NODE_IN || n->presence == NODE_DRAINING;
	return n->present_ns + (present ? now_ns - n->present_since_ns : 0);
}

static void set_present(struct node *n, bool present, int64_t now_ns)
{
	bool was = n->presence == NODE_IN || n->presence == NODE_DRAINING;
	if (was && !present)
		n->present_ns += now_ns - n->present_since_ns;
	if (!was && present)
		n->present_since_ns = now_ns;
}

static void become(struct arch *a, struct node *n, enum node_presence p)
{
	set_present(n, p == NODE_IN || p == NODE_DRAINING, a->engine.now_ns);
	n->presence = p;
	n->scale_gen++;
}

int scaling_init(struct arch *a)
{
	const struct model_config *c = a->cfg;
	if (!model_scales(c))
		return 0;
	a->scaling = calloc(1, sizeof *a->scaling);
	if (!a->scaling)
		return -1;
	a->scaling->last_action_ns = -1;
	a->scaling->autoscale_on = c->autoscale.given && c->autoscale.enabled;
	a->scaling->last_busy = calloc((size_t)a->nnodes, sizeof(double));
	a->scaling->last_present = calloc((size_t)a->nnodes, sizeof(int64_t));
	if (!a->scaling->last_busy || !a->scaling->last_present)
		return -1;
	for (int i = c->web.nodes; i < a->nweb; i++) {
		a->web[i].base.presence = NODE_ABSENT;
		for (int l = 0; l < a->nlb; l++)
			lb_check_set_down(&a->lb[l].checks, i);
	}
	for (int i = c->app.nodes; i < a->napp; i++)
		a->app[i].base.presence = NODE_ABSENT;
	return 0;
}

void scaling_fini(struct arch *a)
{
	if (!a->scaling)
		return;
	free(a->scaling->last_busy);
	free(a->scaling->last_present);
	free(a->scaling);
	a->scaling = NULL;
}

void scaling_reset_stats(struct arch *a, int64_t now_ns)
{
	if (!a->scaling)
		return;
	for (int i = 0; i < a->nnodes; i++) {
		struct node *n = a->nodes[i];
		n->present_ns = 0;
		n->present_since_ns = now_ns;
		/* the busy areas restart at zero with reset_stats */
		a->scaling->last_busy[i] = 0;
		a->scaling->last_present[i] = 0;
	}
}

/* ---------------------------------------------------------------- joining, leaving */

static void on_boot_done(struct sim_engine *e, void *obj, uint64_t gen)
{
	struct arch *a = arch_of(e);
	struct node *n = obj;
	if (n->presence != NODE_BOOTING || n->scale_gen != (uint32_t)gen)
		return; /* cancelled by a scale-in */
	become(a, n, NODE_IN);
	if (n->kind->tier == TIER_WEB) {
		struct web_node *w = (struct web_node *)n;
		w->cache_cold = true; /* a new nginx: empty proxy_cache */
		w->cache_fills = 0;
		w->connections = 0;
		for (size_t i = 0; i < (size_t)a->cfg->web.workers * (size_t)a->napp; i++)
			w->peers[i] = (struct web_peer){0};
		/* HAProxy sees a new server DOWN until `rise` checks pass */
		for (int l = 0; l < a->nlb; l++)
			lb_check_set_down(&a->lb[l].checks, n->index);
	}
	arch_event(a, MODEL_EVENT_SCALED, n, "%s booted and joins its tier", n->name);
}

static void on_drain_poll(struct sim_engine *e, void *obj, uint64_t gen)
{
	struct arch *a = arch_of(e);
	struct node *n = obj;
	if (n->presence != NODE_DRAINING || n->scale_gen != (uint32_t)gen)
		return;
	if (n->active > 0) {
		sim_engine_after(e, DRAIN_POLL_NS, on_drain_poll, n, gen);
		return;
	}
	become(a, n, NODE_ABSENT);
	arch_event(a, MODEL_EVENT_SCALED, n, "%s drained and leaves its tier", n->name);
}

static void add_node(struct arch *a, enum model_tier t, int64_t boot_ns)
{
	int count = tier_count(a, t);
	for (int i = 0; i < count; i++) { /* a draining node comes back at once */
		struct node *n = tier_node(a, t, i);
		if (n->presence == NODE_DRAINING) {
			become(a, n, NODE_IN);
			arch_event(a, MODEL_EVENT_SCALED, n, "%s stops draining", n->name);
			return;
		}
	}
	for (int i = 0; i < count; i++) {
		struct node *n = tier_node(a, t, i);
		if (n->presence == NODE_ABSENT) {
			become(a, n, NODE_BOOTING);
			arch_event(a, MODEL_EVENT_SCALED, n, "%s boots", n->name);
			sim_engine_after(&a->engine, boot_ns, on_boot_done, n, n->scale_gen);
			return;
		}
	}
}

static void remove_node(struct arch *a, enum model_tier t)
{
	int count = tier_count(a, t);
	for (int i = count - 1; i >= 0; i--) { /* a booting node just stops */
		struct node *n = tier_node(a, t, i);
		if (n->presence == NODE_BOOTING) {
			become(a, n, NODE_ABSENT);
			arch_event(a, MODEL_EVENT_SCALED, n, "%s stops booting", n->name);
			return;
		}
	}
	for (int i = count - 1; i >= 0; i--) {
		struct node *n = tier_node(a, t, i);
		if (n->presence == NODE_IN) {
			become(a, n, NODE_DRAINING);
			arch_event(a, MODEL_EVENT_SCALED, n, "%s drains", n->name);
			on_drain_poll(&a->engine, n, n->scale_gen);
			return;
		}
	}
}

/* Bring tier t to `to` nodes (IN + BOOTING); recorded as an action. */
static void scale_to(struct arch *a, enum model_tier t, int to, int64_t boot_ns,
		     const struct model_scale_action *why)
{
	int from = tier_size(a, t);
	if (to > tier_count(a, t))
		to = tier_count(a, t);
	if (to == from)
		return;
	for (int k = from; k < to; k++)
		add_node(a, t, boot_ns);
	for (int k = from; k > to; k--)
		remove_node(a, t);
	a->scaling->last_action_ns = a->engine.now_ns;
	struct model_results *out = a->rec.out;
	if (out && out->nscale_actions < MODEL_MAX_SCALE_ACTIONS) {
		struct model_scale_action *act = &out->scale_actions[out->nscale_actions++];
		*act = *why;
		act->at_s = sim_ns_to_s(a->engine.now_ns);
		act->tier = t;
		act->from = from;
		act->to = to;
	}
	if (why->autoscale)
		arch_event(a, MODEL_EVENT_SCALED, NULL,
			   "autoscale %s %d -> %d (utilization %.0f%% vs target %.0f%%)",
			   model_tier_names[t], from, to, 100 * why->utilization, 100 * why->target);
	else
		arch_event(a, MODEL_EVENT_SCALED, NULL, "scaling %s %d -> %d (scheduled)",
			   model_tier_names[t], from, to);
}

/* ---------------------------------------------------------------- steps */

static void on_step(struct sim_engine *e, void *obj, uint64_t i)
{
	struct arch *a = arch_of(e);
	(void)obj;
	const struct scaling_step *st = &a->cfg->scaling[i];
	struct model_scale_action why = {.autoscale = false};
	scale_to(a, st->tier, st->nodes, st->boot_ns, &why);
}

/* ---------------------------------------------------------------- autoscaler */

/* The tier's mean utilization since the last tick: busy over present time. */
static double tier_utilization_since_tick(struct arch *a, enum model_tier t)
{
	struct scaling_state *s = a->scaling;
	int64_t now = a->engine.now_ns;
	double busy = 0, present = 0;
	for (int i = 0; i < a->nnodes; i++) {
		struct node *n = a->nodes[i];
		double area = sim_station_utilization_area(n->kind->cpu(n), now);
		int64_t pres = scaling_present_ns(n, now);
		if (n->kind->tier == t) {
			busy += area - s->last_busy[i];
			present += (double)(pres - s->last_present[i]);
		}
		s->last_busy[i] = area;
		s->last_present[i] = pres;
	}
	return present > 0 ? busy / present : NAN;
}

int scaling_desired(int current, double utilization, double target, int min, int max)
{
	int desired = current;
	if (current > 0 && !isnan(utilization) && fabs(utilization / target - 1.0) > AUTOSCALE_TOLERANCE)
		desired = (int)ceil(current * utilization / target - 1e-9);
	if (desired < min)
		desired = min;
	if (desired > max)
		desired = max;
	return desired;
}

static void on_autoscale_tick(struct sim_engine *e, void *obj, uint64_t arg)
{
	struct arch *a = arch_of(e);
	(void)obj;
	(void)arg;
	const struct autoscale_config *as = &a->cfg->autoscale;
	double u = tier_utilization_since_tick(a, as->tier);
	int current = tier_size(a, as->tier);
	int desired = scaling_desired(current, u, as->target, as->min, as->max);
	bool cooling = a->scaling->last_action_ns >= 0 &&
		       e->now_ns - a->scaling->last_action_ns < as->cooldown_ns;
	/* No reading (the statistics restarted at the end of the warm-up at
	 * this instant, or nothing was present): no decision this time.
	 * Switched off: the reading is taken (the window moves on), no action. */
	if (a->scaling->autoscale_on && !isnan(u) && desired != current && !cooling) {
		struct model_scale_action why = {.autoscale = true, .utilization = u,
						 .target = as->target};
		scale_to(a, as->tier, desired, as->boot_ns, &why);
	}
	if (e->now_ns + as->interval_ns < a->end_ns)
		sim_engine_after(e, as->interval_ns, on_autoscale_tick, NULL, 0);
}

/* ---------------------------------------------------------------- switches */

/* arg: the state switched to (not the entry's index: the dashboard may add
 * entries before pending ones) */
static void on_autoscale_switch(struct sim_engine *e, void *obj, uint64_t arg)
{
	struct arch *a = arch_of(e);
	(void)obj;
	const struct autoscale_config *as = &a->cfg->autoscale;
	bool on = arg != 0;
	if (on == a->scaling->autoscale_on)
		return; /* already so: nothing changes, nothing to say */
	a->scaling->autoscale_on = on;
	arch_event(a, MODEL_EVENT_SCALED, NULL,
		   on ? "autoscaler on (%s): it acts from its next tick"
		      : "autoscaler off (%s): it keeps measuring, takes no action",
		   model_tier_names[as->tier]);
}

void scaling_switch_at(struct arch *a, const struct autoscale_switch *sw)
{
	if (a->scaling)
		sim_engine_at(&a->engine, sw->at_ns, on_autoscale_switch, NULL, sw->enabled);
}

int scaling_autoscaler_state(const struct arch *a)
{
	return a->scaling && a->cfg->autoscale.given ? a->scaling->autoscale_on : -1;
}

void scaling_start(struct arch *a)
{
	if (!a->scaling)
		return;
	const struct model_config *c = a->cfg;
	for (size_t i = 0; i < c->nscaling; i++)
		sim_engine_at(&a->engine, c->scaling[i].at_ns, on_step, NULL, i);
	for (size_t i = 0; c->autoscale.given && i < c->autoscale.nschedule; i++)
		scaling_switch_at(a, &c->autoscale.schedule[i]);
	if (c->autoscale.given) {
		for (int i = 0; i < a->nnodes; i++)
			a->scaling->last_busy[i] =
				sim_station_utilization_area(a->nodes[i]->kind->cpu(a->nodes[i]), 0);
		sim_engine_after(&a->engine, c->autoscale.interval_ns, on_autoscale_tick, NULL, 0);
	}
}
