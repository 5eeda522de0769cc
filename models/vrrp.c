/* keepalived VRRP for the LB pair: the state machine of each router, its
 * three timers (advert, Master_Down, track script) and who holds the VIP.
 * The rules and the reasons for them are in vrrp.h.
 *
 * Structure: the event handlers and the public entry points are the only
 * places that call update_holder(), once, at their end; everything they call
 * may change states and send adverts (which are delivered synchronously, so
 * one advert can make the peer answer with another), and the holder seen by
 * the caller is the one at the end of that instant's work. */
#include "vrrp.h"

#include <assert.h>

#include "sim/time.h"

static void on_down_timer(struct sim_engine *e, void *obj, uint64_t arg);
static void on_advert_timer(struct sim_engine *e, void *obj, uint64_t arg);
static void on_garp_timer(struct sim_engine *e, void *obj, uint64_t arg);
static void on_track_timer(struct sim_engine *e, void *obj, uint64_t arg);
static void send_advert(struct vrrp_router *r, int priority);

int64_t vrrp_skew_ns(const struct vrrp_config *vc, int priority)
{
	int64_t k = 256 - priority;
	if (vc->version == 3)
		return k * vc->advert_int_ns / 256;
	return k * SIM_NS_PER_S / 256;
}

int64_t vrrp_master_down_ns(const struct vrrp_config *vc, int priority)
{
	return 3 * vc->advert_int_ns + vrrp_skew_ns(vc, priority);
}

static int64_t now_of(const struct vrrp_router *r) { return r->pair->e->now_ns; }

static struct vrrp_router *peer_of(struct vrrp_router *r)
{
	return &r->pair->r[1 - r->index];
}

static void cancel(struct vrrp_router *r, struct sim_event_handle *h)
{
	sim_engine_cancel(r->pair->e, *h);
	*h = (struct sim_event_handle){0, 0};
}

static void set_state(struct vrrp_router *r, enum vrrp_state to, enum vrrp_reason why)
{
	struct vrrp_pair *p = r->pair;
	if (r->state == to)
		return;
	struct vrrp_transition *t = &p->log[p->nlog % VRRP_LOG_LEN];
	*t = (struct vrrp_transition){
		.at_ns = p->e->now_ns, .router = r->index, .from = r->state, .to = to, .why = why,
	};
	p->nlog++;
	r->state = to;
	if (p->hooks.on_transition)
		p->hooks.on_transition(p->hooks.ctx, t);
}

/* The holder is the MASTER that sent gratuitous ARPs last (vrrp.h). */
static void update_holder(struct vrrp_pair *p)
{
	int best = -1;
	for (int i = 0; i < VRRP_ROUTERS; i++) {
		const struct vrrp_router *r = &p->r[i];
		if (r->state == VRRP_STATE_MASTER && r->garp_seq != 0 &&
		    (best < 0 || r->garp_seq > p->r[best].garp_seq))
			best = i;
	}
	if (best == p->holder)
		return;
	p->holder = best;
	if (best >= 0)
		p->vip_moves++;
	if (p->hooks.on_change)
		p->hooks.on_change(p->hooks.ctx, best, p->e->now_ns);
}

/* ---------------------------------------------------------------- timers */

/* Move the Master_Down deadline.  Later: only the number changes, and the
 * pending event re-arms itself when it fires early.  Earlier (a priority-0
 * advert, a fresh start): the event is moved. */
static void arm_down(struct vrrp_router *r, int64_t deadline_ns)
{
	r->down_deadline_ns = deadline_ns;
	if (r->down_armed && r->down_ev_ns <= deadline_ns)
		return;
	if (r->down_armed)
		cancel(r, &r->down_ev);
	r->down_ev = sim_engine_at(r->pair->e, deadline_ns, on_down_timer, r, 0);
	r->down_ev_ns = deadline_ns;
	r->down_armed = true;
}

static void disarm_down(struct vrrp_router *r)
{
	if (r->down_armed)
		cancel(r, &r->down_ev);
	r->down_armed = false;
}

/* A fresh Master_Down_Interval from now, from an accepted advert or a start. */
static void restart_down(struct vrrp_router *r)
{
	r->down_by_prio0 = false;
	r->discarded_lower = false;
	arm_down(r, now_of(r) + r->master_down_ns);
}

static void garp(struct vrrp_router *r)
{
	if (r->isolated)
		return; /* lost on the way: the LAN still follows the last one it heard */
	r->garp_seq = ++r->pair->garp_counter;
}

static void leave_master(struct vrrp_router *r)
{
	cancel(r, &r->advert_ev);
	cancel(r, &r->garp_ev);
	r->garp_seq = 0;
}

/* keepalived's vrrp_state_master_tx on the transition: the advert first (so
 * that a lower master drops the VIP before our ARPs), then the GARPs. */
static void become_master(struct vrrp_router *r, enum vrrp_reason why)
{
	struct vrrp_pair *p = r->pair;
	disarm_down(r);
	r->preempt_until_ns = -1;
	set_state(r, VRRP_STATE_MASTER, why);
	send_advert(r, r->priority);
	if (r->state != VRRP_STATE_MASTER)
		return; /* the peer answered with a higher priority */
	garp(r);
	r->advert_ev = sim_engine_after(p->e, p->vc.advert_int_ns, on_advert_timer, r, 0);
	if (p->vc.garp_delay_ns > 0)
		r->garp_ev = sim_engine_after(p->e, p->vc.garp_delay_ns, on_garp_timer, r, 0);
}

/* To BACKUP with a fresh Master_Down_Timer (from MASTER, FAULT or INIT). */
static void become_backup(struct vrrp_router *r, enum vrrp_reason why)
{
	if (r->state == VRRP_STATE_MASTER)
		leave_master(r);
	r->preempt_until_ns = -1;
	set_state(r, VRRP_STATE_BACKUP, why);
	restart_down(r);
}

/* Leave the election (FAULT, stop, crash).  A master resigns with a
 * priority-0 advert unless the host died; the state is set first so that
 * any answer to that advert finds us gone. */
static void withdraw(struct vrrp_router *r, enum vrrp_state to, enum vrrp_reason why,
		     bool resign)
{
	bool was_master = r->state == VRRP_STATE_MASTER;
	if (was_master)
		leave_master(r);
	disarm_down(r);
	if (to == VRRP_STATE_INIT)
		cancel(r, &r->track_ev);
	set_state(r, to, why);
	if (was_master && resign)
		send_advert(r, VRRP_PRIO_STOP);
}

/* ---------------------------------------------------------------- adverts */

static void receive_advert(struct vrrp_router *r, const struct vrrp_router *from, int prio)
{
	struct vrrp_pair *p = r->pair;
	int64_t now = now_of(r);

	if (r->state == VRRP_STATE_BACKUP) {
		if (prio == VRRP_PRIO_STOP) {
			/* keepalived: ms_down_timer = skew, from now, even if the
			 * running timer was due sooner */
			arm_down(r, now + r->skew_ns);
			r->down_by_prio0 = true;
			r->discarded_lower = false;
			return;
		}
		bool delaying = p->vc.preempt_delay_ns > 0 &&
				(r->preempt_until_ns < 0 || now <= r->preempt_until_ns);
		if (!p->vc.preempt || prio >= r->priority || delaying) {
			restart_down(r);
			if (p->vc.preempt_delay_ns > 0) {
				if (prio >= r->priority)
					r->preempt_until_ns = -1;
				else if (r->preempt_until_ns < 0)
					r->preempt_until_ns = now + p->vc.preempt_delay_ns;
			}
		} else {
			r->discarded_lower = true; /* the timer runs on: preemption */
		}
		return;
	}

	if (r->state == VRRP_STATE_MASTER) {
		if (prio == VRRP_PRIO_STOP) {
			send_advert(r, r->priority);
			return;
		}
		bool higher = prio > r->priority || (prio == r->priority && from->index > r->index);
		if (higher) {
			become_backup(r, VRRP_WHY_HIGHER_ADVERT);
		} else {
			/* "forcing new election": our advert and our ARPs back */
			send_advert(r, r->priority);
			if (r->state == VRRP_STATE_MASTER)
				garp(r);
		}
	}
	/* FAULT and INIT hear nothing */
}

static void send_advert(struct vrrp_router *r, int priority)
{
	struct vrrp_router *to = peer_of(r);
	r->adverts_sent++;
	if (r->cut || to->cut || !to->host_up)
		return;
	receive_advert(to, r, priority);
}

/* ---------------------------------------------------------------- events */

static void on_down_timer(struct sim_engine *e, void *obj, uint64_t arg)
{
	(void)arg;
	struct vrrp_router *r = obj;
	r->down_armed = false;
	r->down_ev = (struct sim_event_handle){0, 0};
	assert(r->state == VRRP_STATE_BACKUP);
	if (e->now_ns < r->down_deadline_ns) {
		arm_down(r, r->down_deadline_ns); /* adverts moved it on */
		return;
	}
	enum vrrp_reason why = r->down_by_prio0 ? VRRP_WHY_PEER_RESIGNED
			       : r->discarded_lower ? VRRP_WHY_PREEMPT
						    : VRRP_WHY_MASTER_DOWN;
	become_master(r, why);
	update_holder(r->pair);
}

static void on_advert_timer(struct sim_engine *e, void *obj, uint64_t arg)
{
	(void)arg;
	struct vrrp_router *r = obj;
	r->advert_ev = (struct sim_event_handle){0, 0};
	assert(r->state == VRRP_STATE_MASTER);
	send_advert(r, r->priority);
	if (r->state == VRRP_STATE_MASTER)
		r->advert_ev = sim_engine_at(e, e->now_ns + r->pair->vc.advert_int_ns,
					     on_advert_timer, r, 0);
	update_holder(r->pair);
}

static void on_garp_timer(struct sim_engine *e, void *obj, uint64_t arg)
{
	(void)e;
	(void)arg;
	struct vrrp_router *r = obj;
	r->garp_ev = (struct sim_event_handle){0, 0};
	if (r->state == VRRP_STATE_MASTER)
		garp(r);
	update_holder(r->pair);
}

/* keepalived's vrrp_script result counter (vrrp_track.h): failures count
 * down to rise, then one more reports failure and resets to 0; successes
 * count up to rise - 1, then one more reports success and jumps to
 * rise + fall - 1.  So flips need `fall` (`rise`) consecutive results. */
static void run_script(struct vrrp_router *r)
{
	struct vrrp_pair *p = r->pair;
	int rise = p->tc.rise, fall = p->tc.fall;
	bool alive = p->hooks.haproxy_alive(p->hooks.ctx, r->index);
	bool went_ok = false, went_ko = false;

	if (alive) {
		if (r->script_init) {
			r->script_result = rise + fall - 1;
		} else if (r->script_result < rise - 1) {
			r->script_result++;
		} else if (r->script_result != rise + fall - 1) {
			went_ok = r->script_result < rise;
			r->script_result = rise + fall - 1;
		}
	} else {
		if (r->script_result > rise && !r->script_init) {
			r->script_result--;
		} else {
			went_ko = r->script_init || r->script_result == rise;
			r->script_result = 0;
		}
	}
	r->script_init = false;

	if (went_ko && (r->state == VRRP_STATE_BACKUP || r->state == VRRP_STATE_MASTER))
		withdraw(r, VRRP_STATE_FAULT, VRRP_WHY_SCRIPT_FAILED, true);
	else if (went_ok && r->state == VRRP_STATE_FAULT)
		become_backup(r, VRRP_WHY_SCRIPT_OK);
}

static void on_track_timer(struct sim_engine *e, void *obj, uint64_t arg)
{
	(void)arg;
	struct vrrp_router *r = obj;
	r->track_ev = (struct sim_event_handle){0, 0};
	if (r->state == VRRP_STATE_INIT)
		return;
	run_script(r);
	r->track_ev = sim_engine_at(e, e->now_ns + r->pair->tc.interval_ns, on_track_timer, r, 0);
	update_holder(r->pair);
}

/* ---------------------------------------------------------------- API */

static int64_t mod_period(int64_t x, int64_t period)
{
	int64_t m = x % period;
	return m < 0 ? m + period : m;
}

void vrrp_init(struct vrrp_pair *p, struct sim_engine *e, const struct vrrp_config *vc,
	       const struct track_config *tc, const struct vrrp_hooks *hooks,
	       const struct vrrp_phases *phases)
{
	assert(vc->advert_int_ns > 0);
	*p = (struct vrrp_pair){.e = e, .vc = *vc, .holder = -1};
	if (hooks)
		p->hooks = *hooks;
	p->track = tc && p->hooks.haproxy_alive && tc->interval_ns > 0 && tc->rise >= 1 &&
		   tc->fall >= 1;
	if (tc)
		p->tc = *tc;

	int64_t now = e->now_ns;
	int64_t advert_phase = phases ? mod_period(phases->advert_ns, vc->advert_int_ns) : 0;
	int master = vc->priority[1] > vc->priority[0] ? 1 : 0;

	for (int i = 0; i < VRRP_ROUTERS; i++) {
		struct vrrp_router *r = &p->r[i];
		assert(vc->priority[i] >= 1 && vc->priority[i] <= VRRP_PRIO_OWNER);
		r->pair = p;
		r->index = i;
		r->priority = vc->priority[i];
		r->skew_ns = vrrp_skew_ns(vc, r->priority);
		r->master_down_ns = vrrp_master_down_ns(vc, r->priority);
		r->host_up = true;
		r->preempt_until_ns = -1;
		r->state = VRRP_STATE_INIT;
		if (p->track) {
			r->track_phase_ns = phases ? mod_period(phases->track_ns[i], tc->interval_ns) : 0;
			r->script_result = tc->rise + tc->fall - 1;
			r->track_ev = sim_engine_at(e, now + r->track_phase_ns, on_track_timer, r, 0);
		}
	}

	struct vrrp_router *m = &p->r[master], *b = &p->r[1 - master];
	set_state(m, VRRP_STATE_MASTER, VRRP_WHY_STEADY_STATE);
	garp(m);
	m->advert_ev = sim_engine_at(e, now + advert_phase, on_advert_timer, m, 0);
	set_state(b, VRRP_STATE_BACKUP, VRRP_WHY_STEADY_STATE);
	/* the last advert was one interval before the first one to come */
	arm_down(b, now + advert_phase - vc->advert_int_ns + b->master_down_ns);
	p->holder = master;
}

void vrrp_fini(struct vrrp_pair *p)
{
	for (int i = 0; i < VRRP_ROUTERS; i++) {
		struct vrrp_router *r = &p->r[i];
		disarm_down(r);
		cancel(r, &r->advert_ev);
		cancel(r, &r->garp_ev);
		cancel(r, &r->track_ev);
	}
}

static void start_keepalived(struct vrrp_router *r)
{
	struct vrrp_pair *p = r->pair;
	r->script_init = true;
	r->script_result = p->tc.rise - 1;
	if (p->track)
		r->track_ev = sim_engine_after(p->e, r->track_phase_ns, on_track_timer, r, 0);
	if (r->priority == VRRP_PRIO_OWNER)
		become_master(r, VRRP_WHY_OWNER_START);
	else
		become_backup(r, VRRP_WHY_START);
}

void vrrp_host_down(struct vrrp_pair *p, int router)
{
	struct vrrp_router *r = &p->r[router];
	if (!r->host_up)
		return;
	r->host_up = false;
	withdraw(r, VRRP_STATE_INIT, VRRP_WHY_HOST_DOWN, false);
	update_holder(p);
}

void vrrp_host_up(struct vrrp_pair *p, int router)
{
	struct vrrp_router *r = &p->r[router];
	if (r->host_up)
		return;
	r->host_up = true;
	start_keepalived(r);
	update_holder(p);
}

void vrrp_stop(struct vrrp_pair *p, int router)
{
	struct vrrp_router *r = &p->r[router];
	if (r->state == VRRP_STATE_INIT)
		return;
	withdraw(r, VRRP_STATE_INIT, VRRP_WHY_STOP, true);
	update_holder(p);
}

void vrrp_start(struct vrrp_pair *p, int router)
{
	struct vrrp_router *r = &p->r[router];
	if (!r->host_up || r->state != VRRP_STATE_INIT)
		return;
	start_keepalived(r);
	update_holder(p);
}

void vrrp_partition(struct vrrp_pair *p, int router, bool cut)
{
	p->r[router].cut = cut;
}

void vrrp_isolate(struct vrrp_pair *p, int router, bool isolated)
{
	p->r[router].cut = isolated;
	p->r[router].isolated = isolated;
}

const struct vrrp_transition *vrrp_transition_at(const struct vrrp_pair *p, size_t i)
{
	if (i >= p->nlog || i >= VRRP_LOG_LEN)
		return NULL;
	return &p->log[(p->nlog - 1 - i) % VRRP_LOG_LEN];
}

const char *vrrp_state_name(enum vrrp_state s)
{
	switch (s) {
	case VRRP_STATE_INIT: return "INIT";
	case VRRP_STATE_BACKUP: return "BACKUP";
	case VRRP_STATE_MASTER: return "MASTER";
	case VRRP_STATE_FAULT: return "FAULT";
	}
	return "?";
}

const char *vrrp_reason_name(enum vrrp_reason why)
{
	switch (why) {
	case VRRP_WHY_STEADY_STATE: return "steady state";
	case VRRP_WHY_START: return "keepalived started";
	case VRRP_WHY_OWNER_START: return "address owner started";
	case VRRP_WHY_MASTER_DOWN: return "no advert within Master_Down_Interval";
	case VRRP_WHY_PEER_RESIGNED: return "peer resigned (priority 0)";
	case VRRP_WHY_PREEMPT: return "preempted a lower-priority master";
	case VRRP_WHY_HIGHER_ADVERT: return "heard a higher-priority advert";
	case VRRP_WHY_SCRIPT_FAILED: return "track script failed";
	case VRRP_WHY_SCRIPT_OK: return "track script recovered";
	case VRRP_WHY_STOP: return "keepalived stopped";
	case VRRP_WHY_HOST_DOWN: return "host down";
	}
	return "?";
}
