/* Failure injection: when each scheduled failure starts and ends, and what it
 * does to its nodes.
 *
 * A scenario's failures name nodes (web2) or whole tiers; each scheduled
 * failure starts at `at` on every node it names (a correlated failure, a
 * rack, is one failure of several nodes) and ends `for` later (never, when
 * `for` is 0).  Two events per node and failure; no cost per request.
 *
 * What a failure does (docs/failures.md):
 *  - slow: every station of the node runs `factor` times slower from that
 *    instant (the work left in service is rescaled: a CPU that slows down
 *    mid-request slows that request too), and back to nominal at the end;
 *    requests queue, pools and threads fill, callers hit their time-outs.
 *  - crash, process and partition change the node's health (docs/failures.md
 *    says how peers experience each).  A crashed or process-dead node's
 *    stations go down, ending what they hold; a partitioned node keeps
 *    working but nothing gets in or out.  They are simulated on the tiers
 *    marked in failures_simulated[]; on the others they are refused before a
 *    run (model_failures_supported), so a result never silently ignores a
 *    failure.  What a database failure does to queries is in db.c, to
 *    replication in replication_lag.c and replication_failover.c.
 *  - random: every node of the tier alternates up times drawn from an
 *    exponential of mean `mtbf` and repairs drawn from `mttr`, forever (an
 *    alternating renewal process), failing as `mode` says (crash or process).
 *    Each node draws from its own stream "failures.NAME", so adding a node
 *    shifts no other node's failures.  A random failure that falls while the
 *    node is held by another failure is skipped, and the next up time is
 *    drawn from then.
 * Overlapping failures of one node: the first in force decides, and the
 * others that start while it lasts are ignored. */
#include <stdint.h>
#include <stdio.h>

#include "failures.h"

#include "arch.h"
#include "sim/rng.h"

/* The tiers whose crash, process and partition failures are simulated
 * (slow failures are simulated everywhere). */
static const bool failures_simulated[TIER_COUNT] = {
	[TIER_LB] = true,
	[TIER_WEB] = true,
	[TIER_APP] = true,
	[TIER_DB] = true,
};

/* arg = failure index << 16 | node position in a->nodes */
static uint64_t pack(size_t failure, int node) { return (uint64_t)failure << 16 | (uint64_t)node; }
static size_t failure_of(uint64_t arg) { return (size_t)(arg >> 16); }
static int node_of(uint64_t arg) { return (int)(arg & 0xffff); }

static int node_position(const struct arch *a, const struct failure_node *fn)
{
	int first = 0;
	for (int t = 0; t < (int)fn->tier; t++)
		first += t == TIER_LB ? a->nlb : t == TIER_WEB ? a->nweb : t == TIER_APP ? a->napp : a->ndb;
	return first + fn->index;
}

static void set_slow(struct arch *a, struct node *n, double factor)
{
	n->slow_factor = factor;
	for (int i = 0; i < n->nstations; i++)
		sim_station_set_speed(&a->engine, n->stations[i], 1.0 / factor);
	/* A gray failure is an incident like any other: nothing detects it
	 * (every health check passes), and it is over when the node is back to
	 * speed. */
	if (factor > 1.0) {
		rec_node_down(&a->rec, n);
		arch_event(a, MODEL_EVENT_NODE_SLOW, n, "%s slow x%g", n->name, factor);
	} else {
		rec_node_up(&a->rec, n);
		arch_event(a, MODEL_EVENT_NODE_RECOVERED, n, "%s back to speed", n->name);
	}
}

void node_fail(struct arch *a, struct node *n, enum node_health health)
{
	int64_t now = a->engine.now_ns;
	n->health = health;
	n->epoch++;
	n->down_since_ns = now;
	rec_node_down(&a->rec, n);
	if (health != NODE_PARTITIONED)
		for (int i = 0; i < n->nstations; i++)
			sim_station_set_down(&a->engine, n->stations[i]);
	if (n->kind->failed)
		n->kind->failed(n);
	static const char *const how[] = {[NODE_CRASHED] = "crashed", [NODE_PROCESS_DEAD] =
		"process died", [NODE_PARTITIONED] = "partitioned"};
	arch_event(a, MODEL_EVENT_NODE_FAILED, n, "%s %s", n->name, how[health]);
}

void node_recover(struct arch *a, struct node *n)
{
	int64_t now = a->engine.now_ns;
	n->down_ns += now - n->down_since_ns;
	if (n->health != NODE_PARTITIONED)
		n->epoch++; /* a restart: connections of before are gone */
	n->health = NODE_UP;
	for (int i = 0; i < n->nstations; i++)
		sim_station_set_up(&a->engine, n->stations[i]);
	if (n->kind->recovered)
		n->kind->recovered(n);
	rec_node_up(&a->rec, n);
	arch_event(a, MODEL_EVENT_NODE_RECOVERED, n, "%s is back", n->name);
}

static enum node_health health_of(enum failure_kind kind)
{
	switch (kind) {
	case FAILURE_PROCESS:
		return NODE_PROCESS_DEAD;
	case FAILURE_PARTITION:
		return NODE_PARTITIONED;
	default:
		return NODE_CRASHED;
	}
}

static void on_failure_start(struct sim_engine *e, void *obj, uint64_t arg)
{
	struct arch *a = arch_of(e);
	(void)obj;
	const struct failure_spec *f = &a->cfg->failures[failure_of(arg)];
	struct node *n = a->nodes[node_of(arg)];
	if (n->failure >= 0)
		return; /* already failed: the failure in force decides */
	if (e->now_ns >= a->end_ns)
		return; /* a session ended before it (session.c): the run only drains */
	n->failure = (int)failure_of(arg);
	if (f->kind == FAILURE_SLOW)
		set_slow(a, n, f->factor);
	else
		node_fail(a, n, health_of(f->kind));
}

/* ---------------------------------------------------------------- random */

static void on_random_failure(struct sim_engine *e, void *obj, uint64_t arg);

/* The node's next random failure, an exponential up time from now. */
static void schedule_random_failure(struct arch *a, size_t failure, int pos)
{
	const struct failure_spec *f = &a->cfg->failures[failure];
	struct node *n = a->nodes[pos];
	double up_ns = sim_rand_exp(n->failure_rng, (double)f->mtbf_ns);
	double at = (double)a->engine.now_ns + up_ns;
	if (at < (double)a->end_ns)
		sim_engine_at(&a->engine, (int64_t)at, on_random_failure, NULL, pack(failure, pos));
}

static void on_random_repair(struct sim_engine *e, void *obj, uint64_t arg)
{
	struct arch *a = arch_of(e);
	(void)obj;
	struct node *n = a->nodes[node_of(arg)];
	if (n->failure == (int)failure_of(arg)) {
		n->failure = -1;
		node_recover(a, n);
	}
	schedule_random_failure(a, failure_of(arg), node_of(arg));
}

static void on_random_failure(struct sim_engine *e, void *obj, uint64_t arg)
{
	struct arch *a = arch_of(e);
	(void)obj;
	const struct failure_spec *f = &a->cfg->failures[failure_of(arg)];
	struct node *n = a->nodes[node_of(arg)];
	if (n->failure >= 0) { /* held by another failure: this one is skipped */
		schedule_random_failure(a, failure_of(arg), node_of(arg));
		return;
	}
	n->failure = (int)failure_of(arg);
	node_fail(a, n, health_of(f->mode));
	int64_t repair_ns = sim_dist_sample_ns(&f->mttr, n->failure_rng);
	sim_engine_after(&a->engine, repair_ns > 0 ? repair_ns : 1, on_random_repair, NULL, arg);
}

/* Every node of the tier gets its stream and its first failure. */
static void schedule_random(struct arch *a, size_t failure)
{
	const struct failure_spec *f = &a->cfg->failures[failure];
	for (int pos = 0; pos < a->nnodes; pos++) {
		struct node *n = a->nodes[pos];
		if (n->kind->tier != f->tier)
			continue;
		if (!n->failure_rng) {
			char stream[32];
			snprintf(stream, sizeof stream, "failures.%s", n->name);
			n->failure_rng = sim_rng_stream_create(a->cfg->seed, a->replication, stream);
			if (!n->failure_rng)
				continue; /* out of memory: this node never fails at random */
		}
		schedule_random_failure(a, failure, pos);
	}
}

static void on_failure_end(struct sim_engine *e, void *obj, uint64_t arg)
{
	struct arch *a = arch_of(e);
	(void)obj;
	struct node *n = a->nodes[node_of(arg)];
	if (n->failure != (int)failure_of(arg))
		return;
	n->failure = -1;
	if (a->cfg->failures[failure_of(arg)].kind == FAILURE_SLOW)
		set_slow(a, n, 1.0);
	else
		node_recover(a, n);
}

bool model_failures_supported(const struct model_config *cfg, char *why, size_t whylen)
{
	for (size_t i = 0; i < cfg->nfailures; i++) {
		const struct failure_spec *f = &cfg->failures[i];
		if (f->kind == FAILURE_SLOW)
			continue;
		bool simulated = f->kind != FAILURE_RANDOM || failures_simulated[f->tier];
		for (int k = 0; k < f->nnodes; k++)
			simulated = simulated && failures_simulated[f->nodes[k].tier];
		if (!simulated) {
			snprintf(why, whylen,
				 "failures[%zu]: %s failures are simulated only for LB, web, app and database servers "
				 "in this version (slow failures on every tier); see docs/failures.md",
				 i, failure_kind_name(f->kind));
			return false;
		}
	}
	return true;
}

/* The start (and the end, when it has a duration) of failure i on each of
 * its nodes, as calendar events: the same events whether the scenario file
 * names the failure or the dashboard adds it during the run. */
static void schedule_failure(struct arch *a, size_t i, bool start, bool end)
{
	const struct failure_spec *f = &a->cfg->failures[i];
	for (int k = 0; k < f->nnodes; k++) {
		int pos = node_position(a, &f->nodes[k]);
		if (pos < 0 || pos >= a->nnodes)
			continue; /* validated by the loader */
		if (start)
			sim_engine_at(&a->engine, f->at_ns, on_failure_start, NULL, pack(i, pos));
		if (end && f->for_ns > 0)
			sim_engine_at(&a->engine, f->at_ns + f->for_ns, on_failure_end, NULL,
				      pack(i, pos));
	}
}

void failures_schedule(struct arch *a)
{
	const struct model_config *cfg = a->cfg;
	for (size_t i = 0; i < cfg->nfailures; i++) {
		if (cfg->failures[i].kind == FAILURE_RANDOM)
			schedule_random(a, i);
		else
			schedule_failure(a, i, true, true);
	}
}

void failures_schedule_start(struct arch *a, size_t i)
{
	schedule_failure(a, i, true, false);
}

void failures_schedule_end(struct arch *a, size_t i)
{
	schedule_failure(a, i, false, true);
}
