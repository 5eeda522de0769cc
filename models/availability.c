/* Long-horizon availability: a year of node states, each weighted by the
 * request success ratio of a short request-level run of that state.
 *
 * The state-level simulation.  Every node of a tier that a `random` failure
 * names alternates up times (exponential, mean `mtbf`) and repairs (`mttr`),
 * drawn from its own stream "failures.NAME" in the same order as
 * models/failures.c draws them, so a replication's failure instants are the
 * ones the request-level model would meet over the same horizon.  On top of
 * the renewal processes it keeps the roles the real system moves, and the
 * window during which a failure is not yet routed around.  A window lasts
 * the longest it can (the phase of adverts and checks is random in the
 * request-level model); what it costs is measured (below), so the mean loss
 * is what counts:
 *  - the LB holding the VIP (keepalived): when it fails while the other LB
 *    is up, nobody answers until the backup takes over: Master_Down_Interval
 *    of the backup after the last advert, so up to that after a host crash;
 *    the track script's fall x interval plus the backup's skew after a
 *    process death.  When both are down, the first to come back answers
 *    only after its own Master_Down_Interval (it boots as BACKUP and hears
 *    nobody).  With preempt, a returning LB of higher priority takes the
 *    VIP back at once (keepalived's hand-over loses nothing in the request
 *    model either).
 *  - HAProxy's view of a web server: DOMAIN §1.3's longest T_down (crash:
 *    I + fall*Tc + (fall-1)*F; process death: I + (fall-1)*F).
 *  - the db primary (orchestrator): a failed primary opens a window of
 *    failover.detect + failover.promote, after which the lowest-numbered db
 *    node that is up is the primary; when no db node is up, the first back
 *    is the primary at once.
 *  - app servers: no window; nginx's passive checks are part of the steady
 *    state measured.
 * A state is one character per node (up, down, or down inside its window),
 * made canonical so the request-level model can reproduce it: the VIP
 * holder is written as lb1 and the db primary as db1 (the request-level run
 * starts with lb1 holding the VIP and db1 primary; the nodes of a tier are
 * alike).  Each distinct state is measured once (cached), by
 * state_replications request-level runs in which the down nodes fail at
 * t = 0 and have settled by the warm-up; the nodes in their window fail 1 s
 * after the warm-up and the run measures the requests sent over the
 * longest window and 1 s either side (drained to their outcome, so a
 * request that waits out a failover by retransmitting its SYN counts as the
 * success it is).  Replication i of the timeline weighs each state by that
 * state's measurement i mod state_replications, so with as many
 * measurements as replications the CI covers the measurement error too.
 * Complexity: O(events x nodes) per replication for the timeline, plus one
 * request-level run per distinct state and replication. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "availability.h"

#include "arch.h"
#include "sim/dist.h"
#include "sim/replicate.h"
#include "sim/rng.h"
#include "sim/time.h"
#include "vrrp.h"

void model_availability_options_init(struct avail_options *o)
{
	*o = (struct avail_options){
		.horizon_ns = 365 * 24 * 3600 * SIM_NS_PER_S,
		.replications = 20,
		.jobs = 0,
		.state_measure_ns = 30 * SIM_NS_PER_S,
		.state_replications = 0,
	};
}

static const struct failure_spec *random_spec(const struct model_config *cfg, enum model_tier t)
{
	for (size_t i = 0; i < cfg->nfailures; i++)
		if (cfg->failures[i].kind == FAILURE_RANDOM && cfg->failures[i].tier == t)
			return &cfg->failures[i];
	return NULL;
}

bool model_availability_supported(const struct model_config *cfg, char *why, size_t whylen)
{
	int per_tier[TIER_COUNT] = {0};
	int any = 0;
	for (size_t i = 0; i < cfg->nfailures; i++)
		if (cfg->failures[i].kind == FAILURE_RANDOM) {
			any++;
			if (++per_tier[cfg->failures[i].tier] > 1) {
				snprintf(why, whylen,
					 "failures[%zu]: more than one random failure for the %s tier; "
					 "availability takes one per tier (docs/failures.md)",
					 i, model_tier_names[cfg->failures[i].tier]);
				return false;
			}
		}
	if (!any) {
		snprintf(why, whylen, "no random failures: availability estimates what the "
				      "`random` failures cost (docs/failures.md, Long horizons)");
		return false;
	}
	return true;
}

static int tier_nodes(const struct model_config *cfg, enum model_tier t)
{
	switch (t) {
	case TIER_LB:
		return cfg->lb.nodes;
	case TIER_WEB:
		return cfg->web.nodes;
	case TIER_APP:
		return cfg->app.nodes;
	default:
		return cfg->db.nodes;
	}
}

static enum failure_kind tier_mode(const struct model_config *cfg, enum model_tier t)
{
	const struct failure_spec *f = random_spec(cfg, t);
	return f ? f->mode : FAILURE_CRASH;
}

/* The LB takeover window when the holder fails and `backup` (0 or 1) takes over. */
int64_t model_availability_window_ns(const struct model_config *cfg, enum model_tier tier);

static int64_t lb_window_ns(const struct model_config *cfg, int backup)
{
	const struct vrrp_config *vc = &cfg->lb.vrrp;
	int prio = vc->priority[backup];
	if (tier_mode(cfg, TIER_LB) == FAILURE_PROCESS) /* track script, then the skew */
		return (int64_t)(((double)cfg->lb.track.fall - 0.5) *
				 (double)cfg->lb.track.interval_ns) + vrrp_skew_ns(vc, prio);
	return vrrp_master_down_ns(vc, prio) - vc->advert_int_ns / 2;
}

/* How far the LB takeover moves with the phase of the adverts (a crash) or
 * of the track script (a process death). */
static int64_t lb_phase_spread_ns(const struct model_config *cfg)
{
	return tier_mode(cfg, TIER_LB) == FAILURE_PROCESS ? cfg->lb.track.interval_ns
							  : cfg->lb.vrrp.advert_int_ns;
}

/* The longest the window can last: the span a detecting state's request-level
 * run must cover (the phase of the adverts and checks is random there). */
static int64_t window_max_ns(const struct model_config *cfg, enum model_tier tier)
{
	int64_t w = model_availability_window_ns(cfg, tier);
	if (tier == TIER_LB && cfg->lb.nodes >= 2)
		return w + lb_phase_spread_ns(cfg) / 2;
	if (tier == TIER_WEB)
		return w + cfg->lb.check.inter_ns / 2;
	return w;
}

int64_t model_availability_window_ns(const struct model_config *cfg, enum model_tier tier)
{
	switch (tier) {
	case TIER_LB:
		return cfg->lb.nodes >= 2 ? lb_window_ns(cfg, 1) : 0;
	case TIER_WEB: {
		const struct lb_check_config *c = &cfg->lb.check;
		int64_t inter = c->inter_ns, fast = c->fastinter_ns > 0 ? c->fastinter_ns : inter;
		int64_t w = inter / 2 + (int64_t)(c->fall - 1) * fast;
		if (tier_mode(cfg, TIER_WEB) != FAILURE_PROCESS) { /* a black hole: checks time out */
			int64_t tc = c->timeout_ns > 0 && cfg->lb.timeout_connect_ns < inter ?
					     cfg->lb.timeout_connect_ns : inter;
			w += (int64_t)c->fall * tc;
		}
		return w;
	}
	case TIER_DB:
		return cfg->db.failover_detect_ns + cfg->db.failover_promote_ns;
	default:
		return 0;
	}
}

/* ---------------------------------------------------------------- timeline */

struct tl_node {
	enum model_tier tier;
	int index;                  /* in its tier */
	const struct failure_spec *f; /* NULL: never fails */
	gsl_rng *rng;
	bool up;
	int64_t next_ns;            /* next failure (up) or repair (down); INT64_MAX: none */
	int64_t window_end_ns;      /* in its detection window before this */
	int64_t serving_at_ns;      /* an LB back after both were down answers from here */
};

struct timeline {
	const struct model_config *cfg;
	struct tl_node nodes[MODEL_MAX_NODES];
	int nnodes;
	int first[TIER_COUNT];      /* position of the tier's first node */
	int holder;                 /* LB holding the VIP (0, 1) or -1 */
	int primary;                /* db primary, index in the tier, or -1 */
	int64_t end_ns;
	uint64_t failures, failovers;
};

static void draw_failure(struct timeline *t, struct tl_node *n, int64_t now)
{
	double at = (double)now + sim_rand_exp(n->rng, (double)n->f->mtbf_ns);
	n->next_ns = at < (double)t->end_ns ? (int64_t)at : INT64_MAX; /* as failures.c */
}

static struct tl_node *lb(struct timeline *t, int i) { return &t->nodes[t->first[TIER_LB] + i]; }
static struct tl_node *db(struct timeline *t, int i) { return &t->nodes[t->first[TIER_DB] + i]; }

static bool lb_serving(const struct tl_node *n, int64_t now) { return n->up && n->serving_at_ns <= now; }

static void node_fails(struct timeline *t, struct tl_node *n, int64_t now)
{
	const struct model_config *cfg = t->cfg;
	n->up = false;
	int64_t repair = sim_dist_sample_ns(&n->f->mttr, n->rng);
	n->next_ns = now + (repair > 0 ? repair : 1);
	t->failures++;
	int64_t window = 0;
	if (n->tier == TIER_LB && cfg->lb.nodes >= 2 && n->index == t->holder) {
		int other = 1 - n->index;
		if (lb_serving(lb(t, other), now))
			window = lb_window_ns(cfg, other) + lb_phase_spread_ns(cfg) / 2;
	} else if (n->tier == TIER_WEB) {
		window = window_max_ns(cfg, TIER_WEB);
	} else if (n->tier == TIER_DB && n->index == t->primary) {
		window = window_max_ns(cfg, TIER_DB);
	}
	if (window > 0) {
		n->window_end_ns = now + window;
		t->failovers++;
	}
}

static void node_repaired(struct timeline *t, struct tl_node *n, int64_t now)
{
	const struct model_config *cfg = t->cfg;
	n->up = true;
	n->window_end_ns = 0;
	draw_failure(t, n, now);
	if (n->tier != TIER_LB || cfg->lb.nodes < 2)
		return;
	const struct vrrp_config *vc = &cfg->lb.vrrp;
	if (t->holder < 0) { /* nobody answers: it boots as BACKUP and hears no adverts */
		n->serving_at_ns = now + vrrp_master_down_ns(vc, vc->priority[n->index]);
		t->holder = n->index;
	} else if (vc->preempt && vc->priority[n->index] > vc->priority[t->holder] &&
		   lb_serving(lb(t, t->holder), now)) {
		t->holder = n->index; /* preempts; the hand-over loses nothing */
	}
}

/* After the events at `now`: move the roles whose window has ended. */
static void settle_roles(struct timeline *t, int64_t now)
{
	const struct model_config *cfg = t->cfg;
	if (cfg->lb.nodes >= 2 && t->holder >= 0) {
		struct tl_node *h = lb(t, t->holder);
		if (!h->up && h->window_end_ns <= now)
			t->holder = lb_serving(lb(t, 1 - t->holder), now) ? 1 - t->holder : -1;
	}
	if (cfg->lb.nodes < 2)
		t->holder = 0;
	if (t->primary >= 0) {
		struct tl_node *p = db(t, t->primary);
		if (p->up || p->window_end_ns > now)
			return;
		t->primary = -1;
	}
	for (int i = 0; i < cfg->db.nodes; i++)
		if (db(t, i)->up) {
			t->primary = i;
			break;
		}
}

static void state_key(const struct timeline *t, int64_t now, char *key)
{
	for (int i = 0; i < t->nnodes; i++) {
		const struct tl_node *n = &t->nodes[i];
		if (n->up)
			key[i] = n->serving_at_ns > now ? AVAIL_NODE_DOWN : AVAIL_NODE_UP;
		else
			key[i] = n->window_end_ns > now ? AVAIL_NODE_DETECTING : AVAIL_NODE_DOWN;
	}
	key[t->nnodes] = '\0';
	char c;
	if (t->cfg->lb.nodes >= 2 && t->holder == 1) {
		int a = t->first[TIER_LB];
		c = key[a], key[a] = key[a + 1], key[a + 1] = c;
	}
	if (t->primary > 0) {
		int a = t->first[TIER_DB];
		c = key[a], key[a] = key[a + t->primary], key[a + t->primary] = c;
	}
}

static int timeline_init(struct timeline *t, const struct model_config *cfg, unsigned rep,
			 int64_t horizon_ns)
{
	memset(t, 0, sizeof *t);
	t->cfg = cfg;
	t->end_ns = horizon_ns;
	for (int tier = 0; tier < TIER_COUNT; tier++) {
		t->first[tier] = t->nnodes;
		const struct failure_spec *f = random_spec(cfg, (enum model_tier)tier);
		for (int i = 0; i < tier_nodes(cfg, (enum model_tier)tier); i++) {
			if (t->nnodes >= MODEL_MAX_NODES)
				return ENOSPC;
			struct tl_node *n = &t->nodes[t->nnodes++];
			*n = (struct tl_node){.tier = (enum model_tier)tier, .index = i, .f = f,
					      .up = true, .next_ns = INT64_MAX};
			if (!f)
				continue;
			char stream[32];
			snprintf(stream, sizeof stream, "failures.%s%d", model_tier_names[tier], i + 1);
			n->rng = sim_rng_stream_create(cfg->seed, rep, stream);
			if (!n->rng)
				return ENOMEM;
			draw_failure(t, n, 0);
		}
	}
	t->holder = 0; /* the request-level model starts with lb1 master (higher priority) */
	if (cfg->lb.nodes >= 2 && cfg->lb.vrrp.priority[1] > cfg->lb.vrrp.priority[0])
		t->holder = 1;
	t->primary = 0;
	return 0;
}

static void timeline_fini(struct timeline *t)
{
	for (int i = 0; i < t->nnodes; i++)
		if (t->nodes[i].rng)
			gsl_rng_free(t->nodes[i].rng);
}

/* ---------------------------------------------------------------- states */

static int find_or_add_state(struct avail_results *r, const char *key)
{
	for (size_t i = 0; i < r->nstates; i++)
		if (!strcmp(r->states[i].key, key))
			return (int)i;
	if (r->nstates >= AVAIL_MAX_STATES)
		return -1;
	struct avail_state *s = &r->states[r->nstates];
	memset(s, 0, sizeof *s);
	snprintf(s->key, sizeof s->key, "%s", key);
	s->cause = -1;
	return (int)r->nstates++;
}

/* Run replication `rep`'s timeline, adding the time of each state to time_s[state]. */
static int run_timeline(const struct model_config *cfg, unsigned rep, int64_t horizon_ns,
			struct avail_results *r, double *time_s)
{
	struct timeline *t = malloc(sizeof *t);
	if (!t)
		return ENOMEM;
	int rc = timeline_init(t, cfg, rep, horizon_ns);
	char key[MODEL_MAX_NODES + 1];
	int64_t now = 0;
	while (!rc && now < t->end_ns) {
		settle_roles(t, now);
		state_key(t, now, key);
		int64_t next = t->end_ns;
		for (int i = 0; i < t->nnodes; i++) {
			const struct tl_node *n = &t->nodes[i];
			if (n->next_ns < next)
				next = n->next_ns;
			if (n->window_end_ns > now && n->window_end_ns < next)
				next = n->window_end_ns;
			if (n->serving_at_ns > now && n->serving_at_ns < next)
				next = n->serving_at_ns;
		}
		int s = find_or_add_state(r, key);
		if (s < 0) {
			rc = ENOSPC;
			break;
		}
		time_s[s] += sim_ns_to_s(next - now);
		now = next;
		for (int i = 0; i < t->nnodes; i++) {
			struct tl_node *n = &t->nodes[i];
			if (n->next_ns != now)
				continue;
			if (n->up)
				node_fails(t, n, now);
			else
				node_repaired(t, n, now);
		}
	}
	if (!rc) {
		r->failures[rep] = t->failures;
		r->failovers[rep] = t->failovers;
	}
	timeline_fini(t);
	free(t);
	return rc;
}

/* ---------------------------------------------------------------- measuring a state */

struct measure_ctx {
	const struct model_config *cfg;
	const struct avail_options *o;
	const struct avail_results *r;
	int first[TIER_COUNT];
	int64_t settle_ns;
};

static void node_of_position(const struct measure_ctx *m, int pos, struct failure_node *fn)
{
	int tier = TIER_COUNT - 1;
	while (tier > 0 && pos < m->first[tier])
		tier--;
	fn->tier = (enum model_tier)tier;
	fn->index = pos - m->first[tier];
}

#define MEASURE_MARGIN_NS SIM_NS_PER_S

/* The request-level configuration of state s: its failures fixed, its
 * warm-up long enough for the down nodes' failovers to have settled.  A
 * detecting state fails its nodes MEASURE_MARGIN_NS after the warm-up and
 * measures a span covering the longest window and a margin either side
 * (*span_s); *window_s is the mean window the timeline charges. */
static void state_config(const struct measure_ctx *m, const struct avail_state *s,
			 struct model_config *c, double *window_s, double *span_s)
{
	*c = *m->cfg; /* shallow: the copy is never fini'd, the owned parts are shared */
	c->nfailures = 0;
	c->warmup_auto = false;
	c->replications_auto = false;
	c->warmup_ns = m->settle_ns;
	int64_t window = 0, longest = 0;
	for (int pos = 0; s->key[pos] && c->nfailures < MODEL_MAX_FAILURES; pos++) {
		if (s->key[pos] == AVAIL_NODE_UP)
			continue;
		struct failure_spec *f = &c->failures[c->nfailures++];
		memset(f, 0, sizeof *f);
		node_of_position(m, pos, &f->nodes[0]);
		f->nnodes = 1;
		f->kind = tier_mode(m->cfg, f->nodes[0].tier);
		if (f->kind != FAILURE_PROCESS)
			f->kind = FAILURE_CRASH;
		if (s->key[pos] == AVAIL_NODE_DETECTING) {
			f->at_ns = m->settle_ns + MEASURE_MARGIN_NS;
			int64_t wmax = window_max_ns(m->cfg, f->nodes[0].tier);
			window = longest = wmax > longest ? wmax : longest;
		}
	}
	int64_t span = window > 0 ? longest + 2 * MEASURE_MARGIN_NS : m->o->state_measure_ns;
	c->duration_ns = m->settle_ns + span;
	*window_s = sim_ns_to_s(window);
	*span_s = sim_ns_to_s(span);
}

/* A steady state's success ratio is the share of its requests that
 * succeed.  A detecting state lasts the longest its window can last in the
 * timeline; its ratio is what makes that window lose what the transient
 * loses: the requests that failed over the span, in seconds of traffic,
 * over the window (the phase of adverts and checks makes the real window
 * shorter in most runs: what it loses on average is what counts). */
static int measure_one(void *ctx, unsigned index, void *result)
{
	const struct measure_ctx *m = ctx;
	unsigned sreps = m->o->state_replications;
	const struct avail_state *s = &m->r->states[index / sreps];
	struct model_config *c = malloc(sizeof *c);
	if (!c)
		return ENOMEM;
	double window_s, span_s;
	state_config(m, s, c, &window_s, &span_s);
	struct model_results res;
	int rc = model_run_replication(c, index % sreps, &res);
	free(c);
	if (rc)
		return rc;
	uint64_t ended = res.completed + res.failed;
	double ratio = ended ? (double)res.completed / (double)ended : 1.0;
	if (window_s > 0) {
		ratio = 1.0 - (1.0 - ratio) * span_s / window_s;
		ratio = ratio < 0 ? 0 : ratio;
	}
	*(double *)result = ratio;
	model_results_fini(&res);
	return 0;
}

static int measure_states(const struct model_config *cfg, const struct avail_options *o,
			  struct avail_results *r)
{
	struct measure_ctx m = {.cfg = cfg, .o = o, .r = r};
	int n = 0;
	for (int tier = 0; tier < TIER_COUNT; tier++) {
		m.first[tier] = n;
		n += tier_nodes(cfg, (enum model_tier)tier);
		int64_t w = random_spec(cfg, (enum model_tier)tier) ?
				    window_max_ns(cfg, (enum model_tier)tier) : 0;
		if (w > m.settle_ns)
			m.settle_ns = w;
	}
	m.settle_ns += 10 * SIM_NS_PER_S; /* the failovers of the down nodes, and a margin */
	if (cfg->warmup_ns > m.settle_ns)
		m.settle_ns = cfg->warmup_ns;
	unsigned sreps = o->state_replications ? o->state_replications : o->replications;
	struct avail_options oo = *o;
	oo.state_replications = sreps;
	m.o = &oo;
	size_t runs = r->nstates * sreps;
	struct sim_replicate_opts ro = {.min_reps = runs, .max_reps = runs, .jobs = o->jobs,
					.result_size = sizeof(double), .run = measure_one, .ctx = &m};
	struct sim_replicate_outcome out;
	int rc = sim_replicate_run(&ro, &out);
	if (rc || out.error) {
		free(out.results);
		return rc ? rc : out.error;
	}
	const double *ratio = out.results;
	r->state_ratio = out.results; /* owned from here */
	r->state_replications = sreps;
	for (size_t s = 0; s < r->nstates; s++) {
		double sum = 0;
		for (unsigned k = 0; k < sreps; k++)
			sum += ratio[s * sreps + k];
		r->states[s].success_ratio = sum / sreps;
		struct model_config *c = malloc(sizeof *c);
		double span_s;
		if (!c)
			return ENOMEM;
		state_config(&m, &r->states[s], c, &r->states[s].window_s, &span_s);
		free(c);
	}
	return 0;
}

/* "lb failover", "web detection", "app", "db+web" ...: the tiers a state has down. */
static void cause_of(const struct avail_results *r, const int *first, const char *key,
		     char *out, size_t len)
{
	out[0] = '\0';
	size_t used = 0;
	for (int tier = 0; tier < TIER_COUNT; tier++) {
		int end = tier + 1 < TIER_COUNT ? first[tier + 1] : r->nnodes;
		bool down = false, window = false;
		for (int i = first[tier]; i < end; i++) {
			down = down || key[i] != AVAIL_NODE_UP;
			window = window || key[i] == AVAIL_NODE_DETECTING;
		}
		if (!down)
			continue;
		used += (size_t)snprintf(out + used, used < len ? len - used : 0, "%s%s%s",
					 used ? "+" : "", model_tier_names[tier],
					 !window ? "" : tier == TIER_WEB ? " detection" : " failover");
		if (used >= len)
			break;
	}
	if (!out[0])
		snprintf(out, len, "none");
}

int model_availability(const struct model_config *cfg, const struct avail_options *o,
		       struct avail_results *r)
{
	memset(r, 0, sizeof *r);
	if (o->replications < 1 || o->replications > AVAIL_MAX_REPS || o->horizon_ns <= 0)
		return EINVAL;
	r->nreplications = o->replications;
	r->horizon_s = sim_ns_to_s(o->horizon_ns);
	int first[TIER_COUNT];
	for (int tier = 0; tier < TIER_COUNT; tier++) {
		first[tier] = r->nnodes;
		for (int i = 0; i < tier_nodes(cfg, (enum model_tier)tier); i++) {
			if (r->nnodes >= MODEL_MAX_NODES)
				return ENOSPC;
			snprintf(r->node_names[r->nnodes++], 16, "%s%d", model_tier_names[tier], i + 1);
		}
	}
	double *time_s = calloc((size_t)o->replications * AVAIL_MAX_STATES, sizeof *time_s);
	if (!time_s)
		return ENOMEM;
	int rc = 0;
	for (unsigned rep = 0; !rc && rep < o->replications; rep++)
		rc = run_timeline(cfg, rep, o->horizon_ns, r, time_s + (size_t)rep * AVAIL_MAX_STATES);
	if (!rc)
		rc = measure_states(cfg, o, r);
	for (size_t s = 0; !rc && s < r->nstates; s++) {
		char cause[AVAIL_CAUSE_MAX];
		cause_of(r, first, r->states[s].key, cause, sizeof cause);
		size_t c = 0;
		while (c < r->ncauses && strcmp(r->causes[c], cause))
			c++;
		if (c == r->ncauses) {
			if (c >= AVAIL_MAX_CAUSES) {
				rc = ENOSPC;
				break;
			}
			snprintf(r->causes[r->ncauses++], AVAIL_CAUSE_MAX, "%s", cause);
		}
		r->states[s].cause = (int)c;
	}
	if (!rc) {
		r->cause_downtime_s = calloc(o->replications * (r->ncauses ? r->ncauses : 1),
					     sizeof *r->cause_downtime_s);
		if (!r->cause_downtime_s)
			rc = ENOMEM;
	}
	for (unsigned rep = 0; !rc && rep < o->replications; rep++) {
		double down = 0;
		for (size_t s = 0; s < r->nstates; s++) {
			double t = time_s[(size_t)rep * AVAIL_MAX_STATES + s];
			/* replication rep weighs its states by their measurement rep
			 * (mod the measurements): with as many measurements as
			 * replications, the measurement error is in the CI too */
			double ratio = r->state_ratio[s * r->state_replications +
						      rep % r->state_replications];
			double lost = t * (1.0 - ratio);
			down += lost;
			r->states[s].time_s += t;
			r->cause_downtime_s[rep * r->ncauses + (size_t)r->states[s].cause] += lost;
		}
		r->unavailability[rep] = down / r->horizon_s;
	}
	free(time_s);
	if (rc)
		model_availability_fini(r);
	return rc;
}

void model_availability_fini(struct avail_results *r)
{
	free(r->cause_downtime_s);
	r->cause_downtime_s = NULL;
	free(r->state_ratio);
	r->state_ratio = NULL;
}
