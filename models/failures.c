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
 *  - crash, process, partition and random failures change the node's health
 *    (docs/failures.md says how peers experience each); they are described
 *    by the configuration but not simulated in this version:
 *    model_failures_supported refuses them before a run, so a result never
 *    silently ignores a failure.
 * Overlapping slow failures of one node: the later one replaces the factor
 * and the node returns to nominal when the one in force ends. */
#include <stdint.h>
#include <stdio.h>

#include "failures.h"

#include "arch.h"

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
}

static void on_failure_start(struct sim_engine *e, void *obj, uint64_t arg)
{
	struct arch *a = arch_of(e);
	(void)obj;
	const struct failure_spec *f = &a->cfg->failures[failure_of(arg)];
	struct node *n = a->nodes[node_of(arg)];
	if (f->kind == FAILURE_SLOW) {
		n->failure = (int)failure_of(arg);
		set_slow(a, n, f->factor);
	}
}

static void on_failure_end(struct sim_engine *e, void *obj, uint64_t arg)
{
	struct arch *a = arch_of(e);
	(void)obj;
	struct node *n = a->nodes[node_of(arg)];
	if (n->failure == (int)failure_of(arg)) {
		n->failure = -1;
		set_slow(a, n, 1.0);
	}
}

bool model_failures_supported(const struct model_config *cfg, char *why, size_t whylen)
{
	for (size_t i = 0; i < cfg->nfailures; i++) {
		const struct failure_spec *f = &cfg->failures[i];
		if (f->kind != FAILURE_SLOW) {
			snprintf(why, whylen,
				 "failures[%zu]: %s failures are not simulated in this version yet "
				 "(slow failures are); see docs/failures.md",
				 i, failure_kind_name(f->kind));
			return false;
		}
	}
	return true;
}

void failures_schedule(struct arch *a)
{
	const struct model_config *cfg = a->cfg;
	for (size_t i = 0; i < cfg->nfailures; i++) {
		const struct failure_spec *f = &cfg->failures[i];
		if (f->kind == FAILURE_RANDOM)
			continue; /* refused by model_failures_supported */
		for (int k = 0; k < f->nnodes; k++) {
			int pos = node_position(a, &f->nodes[k]);
			if (pos < 0 || pos >= a->nnodes)
				continue; /* validated by the loader */
			sim_engine_at(&a->engine, f->at_ns, on_failure_start, NULL, pack(i, pos));
			if (f->for_ns > 0)
				sim_engine_at(&a->engine, f->at_ns + f->for_ns, on_failure_end, NULL,
					      pack(i, pos));
		}
	}
}
