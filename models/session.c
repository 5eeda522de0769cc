/* A replication in steps with operator actions (session.h).
 *
 * The session is model_run_replication cut open: arch_begin, then the engine
 * run in as many pieces as the caller likes, then arch_end.  Actions become
 * configuration (a failure, a schedule step, an autoscaler switch) and act
 * through the events that configuration makes in a plain run, which is what
 * lets a recording replay to the same numbers.  The one change that cannot
 * act mid-run, an autoscaler where the scenario has none (node arrays are
 * sized at init), is made by running the changed configuration again from
 * 0 s to now: the model is deterministic and every earlier action is in the
 * configuration, so that run is the recording's run. */
#include "session.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "failures.h"
#include "replication_lag.h"
#include "sim/time.h"

struct model_session {
	struct arch *arch;
	struct model_config *cfg;
	struct model_results *results;
	unsigned index;                       /* the replication */
	struct model_event_listener events;   /* fn NULL: nobody listens */
	bool finished;
	/* per node (a->nodes order): the failure the operator started and has
	 * not recovered, -1 none */
	int action_failure[MODEL_MAX_NODES];
};

/* A run of cfg from 0 s to until_ns (the first stop, or again up to now
 * after the configuration changed), heard by `events` (NULL: nobody):
 * *arch_out and *results_out are new. */
static int start_run(const struct model_config *cfg, unsigned index, int64_t until_ns,
		     const struct model_event_listener *events, struct arch **arch_out,
		     struct model_results **results_out)
{
	struct arch *a = malloc(sizeof *a);
	struct model_results *r = calloc(1, sizeof *r);
	if (!a || !r) {
		free(a);
		free(r);
		return ENOMEM;
	}
	int rc = arch_init(a, cfg, index);
	if (events)
		a->events = *events;
	if (!rc && rec_init(&a->rec, a, r))
		rc = ENOMEM;
	if (rc) {
		rec_fini(&a->rec);
		arch_fini(a);
		model_results_fini(r);
		free(a);
		free(r);
		return rc;
	}
	arch_begin(a);
	sim_engine_run(&a->engine, until_ns);
	*arch_out = a;
	*results_out = r;
	return 0;
}

static void end_run(struct arch *a, struct model_results *r)
{
	rec_fini(&a->rec);
	arch_fini(a);
	free(a);
	model_results_fini(r);
	free(r);
}

struct model_session *model_session_create(struct model_config *cfg, unsigned index,
					   const struct model_event_listener *events)
{
	struct model_session *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->cfg = cfg;
	s->index = index;
	if (events)
		s->events = *events;
	for (int i = 0; i < MODEL_MAX_NODES; i++)
		s->action_failure[i] = -1;
	/* The first stop: 1 ns, the first odd instant (session.h). */
	if (start_run(cfg, index, 1, &s->events, &s->arch, &s->results)) {
		free(s);
		return NULL;
	}
	return s;
}

void model_session_destroy(struct model_session *s)
{
	if (!s)
		return;
	end_run(s->arch, s->results);
	free(s);
}

int64_t model_session_now_ns(const struct model_session *s) { return s->arch->engine.now_ns; }
int64_t model_session_end_ns(const struct model_session *s) { return s->arch->end_ns; }

int64_t model_session_advance(struct model_session *s, int64_t until_ns)
{
	struct arch *a = s->arch;
	if (s->finished)
		return a->engine.now_ns;
	int64_t t = until_ns | 1; /* odd: see session.h */
	if (t > a->end_ns)
		t = a->end_ns;
	if (t > a->engine.now_ns)
		sim_engine_run(&a->engine, t);
	return a->engine.now_ns;
}

/* Whether the peers that route to n still count it in: the checks of the LB
 * holding the VIP (lb1 when none does) for web servers; the other tiers have
 * no detector of their own yet, so they notice at once. */
static bool peers_count_in(const struct arch *a, const struct node *n)
{
	if (n->kind->tier != TIER_WEB || a->nlb == 0)
		return node_is_up(n);
	const struct lb_node *lb = &a->lb[0];
	for (int i = 0; i < a->nlb; i++)
		if (a->lb[i].holds_vip && node_is_up(&a->lb[i].base))
			lb = &a->lb[i];
	return lb_check_is_up(&lb->checks, n->index);
}

static const char *failure_text(enum node_health h)
{
	switch (h) {
	case NODE_CRASHED:
		return "crashed";
	case NODE_PROCESS_DEAD:
		return "process dead";
	case NODE_PARTITIONED:
		return "partitioned";
	default:
		return "";
	}
}

void model_session_snapshot(const struct model_session *s, struct model_snapshot *out)
{
	const struct arch *a = s->arch;
	const struct model_results *r = s->results;
	memset(out, 0, sizeof *out);
	out->now_ns = a->engine.now_ns;
	out->end_ns = a->end_ns;
	out->warmup_ns = a->measure_from_ns;
	out->rate_per_s = wl_profile_rate_at(&a->wl.profile, a->engine.now_ns);
	out->windows = r->windows;
	out->nwindows = a->rec.window < r->nwindows ? a->rec.window : r->nwindows;
	out->window_ns = r->window_ns;
	out->vip_holder = -1;
	const struct model_window *last = out->nwindows ? &r->windows[out->nwindows - 1] : NULL;
	out->nnodes = a->nnodes;
	for (int i = 0; i < a->nnodes; i++) {
		const struct node *n = a->nodes[i];
		struct model_node_snapshot *ns = &out->nodes[i];
		snprintf(ns->name, sizeof ns->name, "%s", n->name);
		ns->tier = n->kind->tier;
		bool in = peers_count_in(a, n);
		if (node_is_up(n))
			ns->state = in ? MODEL_NODE_UP : MODEL_NODE_BOOTING;
		else
			ns->state = in ? MODEL_NODE_SUSPECT : MODEL_NODE_DOWN;
		if (n->presence == NODE_DRAINING)
			ns->state = MODEL_NODE_DRAINING;
		else if (n->presence == NODE_BOOTING)
			ns->state = MODEL_NODE_BOOTING;
		else if (n->presence == NODE_ABSENT)
			ns->state = MODEL_NODE_ABSENT;
		ns->failure = failure_text(n->health);
		ns->slow_factor = n->slow_factor;
		ns->scenario_failure = n->failure >= 0 && s->action_failure[i] != n->failure;
		ns->utilization = last ? last->node_utilization[i] : 0.0;
		ns->lag_s = NAN;
		if (ns->tier == TIER_LB) {
			ns->holds_vip = a->lb[n->index].holds_vip;
			if (ns->holds_vip && node_is_up(n))
				out->vip_holder = i;
		} else if (ns->tier == TIER_DB) {
			ns->primary = a->db[n->index].primary;
			if (!ns->primary) /* Seconds_Behind_Source, as the replica says it */
				ns->lag_s = (double)repl_lag_ns(a, &a->db[n->index]) / 1e9;
		}
	}
	int as = scaling_autoscaler_state(a);
	out->autoscaler = as < 0 ? MODEL_AUTOSCALER_NONE : as ? MODEL_AUTOSCALER_ON
							      : MODEL_AUTOSCALER_OFF;
	out->autoscale_tier = s->cfg->autoscale.tier;
	out->measuring = a->rec.measuring;
	out->completed = r->completed;
	out->failed = r->failed;
	out->measured_s = a->rec.measuring ? sim_ns_to_s(a->engine.now_ns - a->measure_from_ns) : 0;
	out->mean_s = out->p50_s = out->p90_s = out->p99_s = out->p999_s = NAN;
	if (r->completed) {
		static const double q[4] = {0.50, 0.90, 0.99, 0.999};
		double v[4];
		sim_histogram_quantiles(&r->latency, q, 4, v);
		out->p50_s = v[0] / 1e9;
		out->p90_s = v[1] / 1e9;
		out->p99_s = v[2] / 1e9;
		out->p999_s = v[3] / 1e9;
		out->mean_s = r->latency_s.mean;
	}
}

static bool node_ok(const struct model_session *s, int node, char *msg, size_t msglen)
{
	if (s->finished) {
		snprintf(msg, msglen, "the session has ended");
		return false;
	}
	if (s->arch->engine.now_ns >= s->arch->end_ns) {
		snprintf(msg, msglen, "the scenario's duration is reached (--duration runs longer)");
		return false;
	}
	if (node < 0 || node >= s->arch->nnodes) {
		snprintf(msg, msglen, "no such node");
		return false;
	}
	return true;
}

int model_session_fail(struct model_session *s, int node, enum failure_kind kind, double factor,
		       char *msg, size_t msglen)
{
	if (!node_ok(s, node, msg, msglen))
		return -1;
	struct arch *a = s->arch;
	struct node *n = a->nodes[node];
	struct model_config *cfg = s->cfg;
	if (s->action_failure[node] >= 0 || n->failure >= 0) {
		snprintf(msg, msglen, "%s is already failed (%s); recover it first", n->name,
			 s->action_failure[node] >= 0 ? "by the operator" : "by the scenario");
		return -1;
	}
	if (cfg->nfailures >= MODEL_MAX_FAILURES) {
		snprintf(msg, msglen, "at most %d failures per scenario", MODEL_MAX_FAILURES);
		return -1;
	}
	size_t i = cfg->nfailures;
	struct failure_spec *f = &cfg->failures[i];
	memset(f, 0, sizeof *f);
	f->kind = kind;
	f->at_ns = a->engine.now_ns;
	f->for_ns = 0; /* until recovered: set then */
	f->factor = kind == FAILURE_SLOW ? factor : 0;
	f->nodes[0] = (struct failure_node){.tier = n->kind->tier, .index = n->index};
	f->nnodes = 1;
	cfg->nfailures++;
	char why[256];
	if (!model_failures_supported(cfg, why, sizeof why)) {
		cfg->nfailures--;
		snprintf(msg, msglen, "%s %s refused: %s", failure_kind_name(kind), n->name, why);
		return -1;
	}
	s->action_failure[node] = (int)i;
	failures_schedule_start(a, i);
	if (kind == FAILURE_SLOW)
		snprintf(msg, msglen, "operator: slow %s x%g", n->name, factor);
	else
		snprintf(msg, msglen, "operator: %s %s", failure_kind_name(kind), n->name);
	arch_event(a, MODEL_EVENT_ACTION, n, "%s", msg);
	return 0;
}

int model_session_recover(struct model_session *s, int node, char *msg, size_t msglen)
{
	if (!node_ok(s, node, msg, msglen))
		return -1;
	struct arch *a = s->arch;
	struct node *n = a->nodes[node];
	int i = s->action_failure[node];
	if (i < 0) {
		if (n->failure >= 0)
			snprintf(msg, msglen, "%s is held by the scenario's failure %d; it ends as "
				 "the scenario says", n->name, n->failure);
		else
			snprintf(msg, msglen, "%s has no failure to recover from", n->name);
		return -1;
	}
	struct failure_spec *f = &s->cfg->failures[i];
	int64_t for_ns = a->engine.now_ns - f->at_ns;
	f->for_ns = for_ns > 0 ? for_ns : 1; /* 0 would mean "for ever" */
	s->action_failure[node] = -1;
	failures_schedule_end(a, (size_t)i);
	snprintf(msg, msglen, "operator: recover %s", n->name);
	arch_event(a, MODEL_EVENT_ACTION, n, "%s", msg);
	return 0;
}

int model_session_scale_load(struct model_session *s, double factor, char *msg, size_t msglen)
{
	if (!node_ok(s, 0, msg, msglen))
		return -1;
	struct arch *a = s->arch;
	struct wl_config *wl = &s->cfg->wl;
	int64_t now = a->engine.now_ns;
	double before = wl_profile_rate_at(&a->wl.profile, now);
	/* Rounded so the scenario file spells it exactly (n/1000 both ways). */
	double rate = round(before * factor * 1000.0) / 1000.0;
	if (!(rate >= 0.001)) {
		snprintf(msg, msglen, "the load cannot go lower");
		return -1;
	}
	if (wl->nschedule >= WL_MAX_STEPS) {
		snprintf(msg, msglen, "at most %d workload steps per scenario", WL_MAX_STEPS);
		return -1;
	}
	/* The schedule stays as a scenario must have it: in time order, no
	 * step inside the previous one's ramp. */
	size_t pos = wl->nschedule;
	while (pos > 0 && wl->schedule[pos - 1].at_ns > now)
		pos--;
	struct wl_step *prev = pos > 0 ? &wl->schedule[pos - 1] : NULL;
	if (prev && prev->at_ns == now) {
		prev->rate_per_s = rate; /* a second key at the same instant */
	} else {
		if (prev && prev->at_ns + prev->ramp_ns > now) {
			/* The ramp stops here, at the rate it reached: the same line
			 * (wl_profile_init cuts it the same way). */
			prev->ramp_ns = now - prev->at_ns;
			prev->rate_per_s = before;
		}
		memmove(&wl->schedule[pos + 1], &wl->schedule[pos],
			(wl->nschedule - pos) * sizeof wl->schedule[0]);
		wl->schedule[pos] = (struct wl_step){.at_ns = now, .rate_per_s = rate, .ramp_ns = 0};
		wl->nschedule++;
	}
	wl_profile_changed(a);
	snprintf(msg, msglen, "operator: load %+.0f%% (%.0f/s -> %.0f/s)", (factor - 1.0) * 100.0,
		 before, rate);
	arch_event(a, MODEL_EVENT_ACTION, NULL, "%s", msg);
	return 0;
}

/* Where the switch at `now` goes in the schedule (kept strictly increasing);
 * *same: an entry is already at `now` (a second key at the same instant). */
static size_t switch_position(const struct autoscale_config *as, int64_t now, bool *same)
{
	size_t pos = as->nschedule;
	while (pos > 0 && as->schedule[pos - 1].at_ns > now)
		pos--;
	*same = pos > 0 && as->schedule[pos - 1].at_ns == now;
	return *same ? pos - 1 : pos;
}

/* The scenario has no autoscaler: give it the default one (its tier is the
 * default's), switched off from 0 s and on at `now`, and run the session
 * again from 0 s to now on that configuration: its node arrays must hold
 * the nodes the autoscaler may add from the start, as the recording's run
 * will.  The operator's failures are in the configuration, so the run
 * reaches the same state; the operator's failures still open are found
 * again by their nodes.  0, or -1 with msg (nothing changed). */
static int arm_autoscaler(struct model_session *s, char *msg, size_t msglen)
{
	struct model_config *cfg = s->cfg;
	struct autoscale_config *as = &cfg->autoscale;
	int64_t now = s->arch->engine.now_ns;
	const char *tier = model_tier_names[as->tier];
	for (size_t i = 0; i < cfg->nscaling; i++)
		if (cfg->scaling[i].tier == as->tier) {
			snprintf(msg, msglen, "no autoscaler: %s is scaled by the scenario's scaling: "
				 "steps, and the two would fight (docs/scaling.md)", tier);
			return -1;
		}
	struct autoscale_config before = *as;
	as->given = true;
	as->enabled = false;
	as->schedule[0] = (struct autoscale_switch){.at_ns = now, .enabled = true};
	as->nschedule = 1;
	int total = 0;
	for (int t = 0; t < TIER_COUNT; t++)
		total += model_tier_max_nodes(cfg, (enum model_tier)t);
	struct arch *a = NULL;
	struct model_results *r = NULL;
	int rc = total > MODEL_MAX_NODES ? EINVAL : start_run(cfg, s->index, now, NULL, &a, &r);
	if (rc) {
		*as = before;
		if (rc == EINVAL)
			snprintf(msg, msglen, "no autoscaler: up to %d %s nodes would make %d nodes in "
				 "all, more than the %d a run holds", as->max, tier, total,
				 MODEL_MAX_NODES);
		else
			snprintf(msg, msglen, "no autoscaler: out of memory");
		return -1;
	}
	int open[MODEL_MAX_NODES];
	for (int i = 0; i < MODEL_MAX_NODES; i++)
		open[i] = -1;
	for (int i = 0; i < s->arch->nnodes; i++) {
		int f = s->action_failure[i];
		const struct node *old = s->arch->nodes[i];
		for (int j = 0; f >= 0 && j < a->nnodes; j++)
			if (a->nodes[j]->kind->tier == old->kind->tier && a->nodes[j]->index == old->index)
				open[j] = f;
	}
	memcpy(s->action_failure, open, sizeof open);
	end_run(s->arch, s->results);
	s->arch = a;
	s->results = r;
	a->events = s->events;
	return 0;
}

int model_session_toggle_autoscaler(struct model_session *s, char *msg, size_t msglen)
{
	if (!node_ok(s, 0, msg, msglen))
		return -1;
	struct arch *a = s->arch;
	struct autoscale_config *as = &s->cfg->autoscale;
	int64_t now = a->engine.now_ns;
	if (!as->given) {
		if (arm_autoscaler(s, msg, msglen))
			return -1;
		a = s->arch;
		snprintf(msg, msglen, "operator: autoscaler on (new, %s, target %.0f%%, min %d, max "
			 "%d; the session ran again from 0 s with room for its nodes)",
			 model_tier_names[as->tier], 100 * as->target, as->min, as->max);
		arch_event(a, MODEL_EVENT_ACTION, NULL, "%s", msg);
		return 0;
	}
	bool on = scaling_autoscaler_state(a) != 1;
	bool same;
	size_t pos = switch_position(as, now, &same);
	if (!same && as->nschedule >= AUTOSCALE_MAX_SWITCHES) {
		snprintf(msg, msglen, "at most %d autoscaler switches per scenario",
			 AUTOSCALE_MAX_SWITCHES);
		return -1;
	}
	if (!same) {
		memmove(&as->schedule[pos + 1], &as->schedule[pos],
			(as->nschedule - pos) * sizeof as->schedule[0]);
		as->nschedule++;
	}
	as->schedule[pos] = (struct autoscale_switch){.at_ns = now, .enabled = on};
	/* The scenario's event for a switch, fired now (nothing else is at
	 * this odd instant), so the state shows even while paused. */
	scaling_switch_at(a, &as->schedule[pos]);
	sim_engine_run(&a->engine, now);
	snprintf(msg, msglen, "operator: autoscaler %s", on ? "on" : "off");
	arch_event(a, MODEL_EVENT_ACTION, NULL, "%s", msg);
	return 0;
}

int model_session_finish(struct model_session *s, struct model_results *out)
{
	struct arch *a = s->arch;
	int64_t now = a->engine.now_ns;
	memset(out, 0, sizeof *out);
	if (s->finished)
		return EINVAL;
	if (now <= a->measure_from_ns)
		return EINVAL;
	s->finished = true;
	if (now < a->end_ns) {
		/* What a run of `duration: now` has: no arrival from now on and
		 * the windows up to now (the last one partial, closed by arch_end). */
		a->end_ns = now;
		s->cfg->duration_ns = now;
		wl_stop(a);
		s->results->nwindows =
			(size_t)((now + s->results->window_ns - 1) / s->results->window_ns);
	}
	arch_end(a);
	/* Failures that never started are not part of the span (a scenario
	 * may not name a failure after its end); nothing fires any more, so
	 * the indices may move. */
	size_t kept = 0;
	for (size_t i = 0; i < s->cfg->nfailures; i++) {
		if (s->cfg->failures[i].kind != FAILURE_RANDOM && s->cfg->failures[i].at_ns >= now) {
			sim_dist_fini(&s->cfg->failures[i].mttr);
			continue;
		}
		s->cfg->failures[kept++] = s->cfg->failures[i];
	}
	s->cfg->nfailures = kept;
	/* Likewise the scaling steps and autoscaler switches after the span
	 * (a scenario may name none after its end). */
	kept = 0;
	for (size_t i = 0; i < s->cfg->nscaling; i++)
		if (s->cfg->scaling[i].at_ns < now)
			s->cfg->scaling[kept++] = s->cfg->scaling[i];
	s->cfg->nscaling = kept;
	struct autoscale_config *as = &s->cfg->autoscale;
	while (as->nschedule > 0 && as->schedule[as->nschedule - 1].at_ns >= now)
		as->nschedule--;
	*out = *s->results;
	memset(s->results, 0, sizeof *s->results);
	return 0;
}
