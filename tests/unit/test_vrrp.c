/* keepalived VRRP on the engine: the failover times DOMAIN.md §10 predicts
 * (1-5), issue 4's VRRPv3 case, the track script, split brain and its end,
 * preemption as a second VIP move, and the crash-phase distribution.
 * Every time is integer ns and exact: keepalived's skews with priority and
 * advert_int below are whole ns (1 s / 256 = 3906250 ns). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <gsl/gsl_rng.h>

#include "models/vrrp.h"
#include "sim/ci.h"
#include "sim/engine.h"
#include "sim/rng.h"
#include "sim/time.h"

#define S SIM_NS_PER_S
#define MS SIM_NS_PER_MS
#define MAX_CHANGES 64

struct change {
	int holder;
	int64_t at_ns;
};

struct fixture {
	struct sim_engine e;
	struct vrrp_pair p;
	struct vrrp_config vc;
	struct track_config tc;
	bool haproxy_up[2];
	struct change ch[MAX_CHANGES];
	int nch;
	int ntransitions;
};

static void on_change(void *ctx, int holder, int64_t now_ns)
{
	struct fixture *f = ctx;
	assert_true(f->nch < MAX_CHANGES);
	f->ch[f->nch++] = (struct change){holder, now_ns};
}

static bool haproxy_alive(void *ctx, int router)
{
	struct fixture *f = ctx;
	return f->haproxy_up[router];
}

static void on_transition(void *ctx, const struct vrrp_transition *t)
{
	struct fixture *f = ctx;
	(void)t;
	f->ntransitions++;
}

/* keepalived defaults as config.c sets them, with the backup at 100. */
static struct fixture *fixture_new(void)
{
	struct fixture *f = test_calloc(1, sizeof *f);
	sim_engine_init(&f->e);
	f->vc = (struct vrrp_config){
		.version = 2, .advert_int_ns = S, .priority = {101, 100}, .preempt = true,
	};
	f->tc = (struct track_config){.interval_ns = 2 * S, .fall = 2, .rise = 2};
	f->haproxy_up[0] = f->haproxy_up[1] = true;
	return f;
}

static void fixture_start(struct fixture *f, const struct vrrp_phases *ph)
{
	struct vrrp_hooks h = {on_change, haproxy_alive, on_transition, f};
	vrrp_init(&f->p, &f->e, &f->vc, &f->tc, &h, ph);
}

static void fixture_free(struct fixture *f)
{
	vrrp_fini(&f->p);
	assert_int_equal(sim_calendar_count(&f->e.cal), 0);
	sim_engine_fini(&f->e);
	test_free(f);
}

/* ---------------------------------------------------------------- actions */

enum act { ACT_DOWN, ACT_UP, ACT_STOP, ACT_START, ACT_CUT, ACT_HEAL, ACT_HAPROXY_DIES,
	   ACT_HAPROXY_BACK, ACT_ISOLATE, ACT_REJOIN };

static void act_event(struct sim_engine *e, void *obj, uint64_t arg)
{
	(void)e;
	struct fixture *f = obj;
	int router = (int)(arg & 1);
	switch ((enum act)(arg >> 1)) {
	case ACT_DOWN: vrrp_host_down(&f->p, router); break;
	case ACT_UP: vrrp_host_up(&f->p, router); break;
	case ACT_STOP: vrrp_stop(&f->p, router); break;
	case ACT_START: vrrp_start(&f->p, router); break;
	case ACT_CUT: vrrp_partition(&f->p, router, true); break;
	case ACT_HEAL: vrrp_partition(&f->p, router, false); break;
	case ACT_HAPROXY_DIES: f->haproxy_up[router] = false; break;
	case ACT_HAPROXY_BACK: f->haproxy_up[router] = true; break;
	case ACT_ISOLATE: vrrp_isolate(&f->p, router, true); break;
	case ACT_REJOIN: vrrp_isolate(&f->p, router, false); break;
	}
}

/* Scheduled before the run, so at an instant shared with an advert it goes
 * first (FIFO by push order). */
static void at(struct fixture *f, int64_t at_ns, enum act a, int router)
{
	sim_engine_at(&f->e, at_ns, act_event, f, ((uint64_t)a << 1) | (uint64_t)router);
}

static void run(struct fixture *f, int64_t until_ns) { sim_engine_run(&f->e, until_ns); }

static void assert_change(const struct fixture *f, int i, int holder, int64_t at_ns)
{
	assert_true(i < f->nch);
	assert_int_equal(f->ch[i].holder, holder);
	assert_int_equal(f->ch[i].at_ns, at_ns);
}

/* Crash the master at crash_ns (adverts at whole seconds) and return the
 * instant router 1 took the VIP. */
static int64_t takeover_after_crash(struct fixture *f, int64_t crash_ns)
{
	fixture_start(f, NULL);
	at(f, crash_ns, ACT_DOWN, 0);
	run(f, crash_ns + 60 * S);
	assert_int_equal(f->nch, 2);
	assert_change(f, 0, -1, crash_ns);
	assert_int_equal(f->ch[1].holder, 1);
	return f->ch[1].at_ns;
}

/* ---------------------------------------------------------------- formulas */

static void test_skew_and_master_down_follow_keepalived(void **state)
{
	(void)state;
	struct vrrp_config v2 = {.version = 2, .advert_int_ns = S};
	assert_int_equal(vrrp_skew_ns(&v2, 100), 609375 * INT64_C(1000));
	assert_int_equal(vrrp_master_down_ns(&v2, 100), 3609375 * INT64_C(1000));
	struct vrrp_config v3 = {.version = 3, .advert_int_ns = 100 * MS};
	assert_int_equal(vrrp_master_down_ns(&v3, 100), 360937500);
}

/* DOMAIN §10.1 */
static void test_crash_takeover_exactly_3_609375_s_after_last_advert(void **state)
{
	(void)state;
	struct fixture *f = fixture_new();
	int64_t t = takeover_after_crash(f, 10 * S + 500 * MS);
	assert_int_equal(t, 10 * S + 3609375 * INT64_C(1000));
	assert_int_equal(vrrp_state_of(&f->p, 1), VRRP_STATE_MASTER);
	assert_int_equal(vrrp_state_of(&f->p, 0), VRRP_STATE_INIT);
	const struct vrrp_transition *tr = vrrp_transition_at(&f->p, 0);
	assert_non_null(tr);
	assert_int_equal(tr->router, 1);
	assert_int_equal(tr->why, VRRP_WHY_MASTER_DOWN);
	assert_int_equal(vrrp_transition_at(&f->p, 1)->why, VRRP_WHY_HOST_DOWN);
	fixture_free(f);
}

/* The window [M - A, M) from the crash: a crash at an advert instant but
 * before that advert leaves the previous one as the last; one ns after it,
 * that advert is the last. */
static void test_crash_takeover_window_is_2_609375_to_3_609375_s(void **state)
{
	(void)state;
	struct fixture *f = fixture_new();
	int64_t crash = 11 * S;
	assert_int_equal(takeover_after_crash(f, crash) - crash, 2609375 * INT64_C(1000));
	fixture_free(f);

	f = fixture_new();
	crash = 11 * S + 1;
	assert_int_equal(takeover_after_crash(f, crash) - crash, 3609375 * INT64_C(1000) - 1);
	fixture_free(f);
}

/* DOMAIN §10.2 */
static void test_graceful_stop_hands_over_after_skew_0_609375_s(void **state)
{
	(void)state;
	struct fixture *f = fixture_new();
	fixture_start(f, NULL);
	at(f, 10 * S + 500 * MS, ACT_STOP, 0);
	run(f, 60 * S);
	assert_int_equal(f->nch, 2);
	assert_change(f, 0, -1, 10 * S + 500 * MS);
	assert_change(f, 1, 1, 10 * S + 500 * MS + 609375 * INT64_C(1000));
	assert_int_equal(vrrp_transition_at(&f->p, 0)->why, VRRP_WHY_PEER_RESIGNED);
	fixture_free(f);
}

/* DOMAIN §10.3: 3.8047, 3.2188, 3.0078 s after the last advert (the master
 * is the address owner, 255, so that 254 is still the backup). */
static void test_takeover_delay_depends_on_backup_priority(void **state)
{
	(void)state;
	const int prio[] = {50, 200, 254};
	const int64_t want_us[] = {3804688, 3218750, 3007813}; /* rounded to us */
	const int64_t want_ns[] = {3804687500, 3218750000, 3007812500};
	for (int i = 0; i < 3; i++) {
		struct fixture *f = fixture_new();
		f->vc.priority[0] = VRRP_PRIO_OWNER;
		f->vc.priority[1] = prio[i];
		int64_t t = takeover_after_crash(f, 10 * S + 500 * MS);
		assert_int_equal(t - 10 * S, want_ns[i]);
		assert_int_equal((t - 10 * S + 500) / 1000, want_us[i]);
		fixture_free(f);
	}
}

/* keepalived's v2 skew is (256 - p)/256 s whatever advert_int is. */
static void test_v2_skew_ignores_advert_int(void **state)
{
	(void)state;
	struct fixture *f = fixture_new();
	f->vc.advert_int_ns = 2 * S; /* adverts at 0, 2, ..., 10 s */
	int64_t t = takeover_after_crash(f, 11 * S);
	assert_int_equal(t, 10 * S + 6609375 * INT64_C(1000));
	fixture_free(f);
}

/* DOMAIN §10.4 */
static void test_v3_fast_adverts_take_over_0_3609375_s_after_last_advert(void **state)
{
	(void)state;
	struct fixture *f = fixture_new();
	f->vc.version = 3;
	f->vc.advert_int_ns = 100 * MS;
	int64_t t = takeover_after_crash(f, 10 * S + 50 * MS);
	assert_int_equal(t, 10 * S + 360937500);
	fixture_free(f);
}

/* issue 4: VRRPv3, advert_int 2 s: 7.22 s after the last advert. */
static void test_v3_advert_int_2_s_takes_over_7_21875_s_after_last_advert(void **state)
{
	(void)state;
	struct fixture *f = fixture_new();
	f->vc.version = 3;
	f->vc.advert_int_ns = 2 * S;
	int64_t t = takeover_after_crash(f, 11 * S);
	assert_int_equal(t, 10 * S + 7218750 * INT64_C(1000));
	fixture_free(f);
}

/* The advert phase shifts everything: first advert 0.25 s after init. */
static void test_advert_phase_shifts_last_advert(void **state)
{
	(void)state;
	struct fixture *f = fixture_new();
	struct vrrp_phases ph = {.advert_ns = 250 * MS};
	fixture_start(f, &ph);
	at(f, 10 * S + 500 * MS, ACT_DOWN, 0); /* last advert at 10.25 s */
	run(f, 30 * S);
	assert_change(f, 1, 1, 10 * S + 250 * MS + 3609375 * INT64_C(1000));
	fixture_free(f);

	/* crash before the very first advert: the steady state's previous
	 * advert was at -0.75 s */
	f = fixture_new();
	fixture_start(f, &ph);
	at(f, 100 * MS, ACT_DOWN, 0);
	run(f, 30 * S);
	assert_change(f, 1, 1, -750 * MS + 3609375 * INT64_C(1000));
	fixture_free(f);
}

/* ---------------------------------------------------------------- preemption */

/* DOMAIN §10.5: lb1 (150) crashes, lb2 (100) takes over, lb1 reboots and
 * takes the VIP back 3.4140625 s after it started: a second move, with the
 * old master in BACKUP at that same instant. */
static void test_preempt_returning_master_takes_vip_back_after_3_4140625_s(void **state)
{
	(void)state;
	struct fixture *f = fixture_new();
	f->vc.priority[0] = 150;
	fixture_start(f, NULL);
	at(f, 10 * S + 500 * MS, ACT_DOWN, 0);
	at(f, 20 * S + 500 * MS, ACT_UP, 0);
	run(f, 100 * S);
	assert_int_equal(f->nch, 3);
	assert_change(f, 0, -1, 10 * S + 500 * MS);
	assert_change(f, 1, 1, 10 * S + 3609375 * INT64_C(1000));
	assert_change(f, 2, 0, 20 * S + 500 * MS + 3414062500);
	assert_int_equal(vrrp_state_of(&f->p, 0), VRRP_STATE_MASTER);
	assert_int_equal(vrrp_state_of(&f->p, 1), VRRP_STATE_BACKUP);
	/* lb2 dropped at the instant lb1 became master */
	const struct vrrp_transition *drop = NULL, *take = NULL;
	for (size_t i = 0; vrrp_transition_at(&f->p, i); i++) {
		const struct vrrp_transition *t = vrrp_transition_at(&f->p, i);
		if (!drop && t->router == 1 && t->to == VRRP_STATE_BACKUP)
			drop = t;
		if (!take && t->router == 0 && t->to == VRRP_STATE_MASTER)
			take = t;
	}
	assert_non_null(drop);
	assert_non_null(take);
	assert_int_equal(drop->why, VRRP_WHY_HIGHER_ADVERT);
	assert_int_equal(take->why, VRRP_WHY_PREEMPT);
	assert_int_equal(drop->at_ns, take->at_ns);
	assert_int_equal(f->p.vip_moves, 2);
	fixture_free(f);
}

/* preempt_delay 2 s: lower-priority adverts are accepted for 2 s after the
 * first one heard (21 s), so the VIP moves 2 + 3.4140625 s after it. */
static void test_preempt_delay_2_s_takes_vip_back_5_4140625_s_after_lower_advert(void **state)
{
	(void)state;
	struct fixture *f = fixture_new();
	f->vc.priority[0] = 150;
	f->vc.preempt_delay_ns = 2 * S;
	fixture_start(f, NULL);
	at(f, 10 * S + 500 * MS, ACT_DOWN, 0);
	run(f, 20 * S);
	/* lb2 now advertises at 13.609375 + k s; boot lb1 exactly at one */
	int64_t first_lower = 21 * S + 609375 * INT64_C(1000);
	at(f, first_lower, ACT_UP, 0);
	run(f, 100 * S);
	assert_int_equal(f->nch, 3);
	assert_change(f, 2, 0, first_lower + 5414062500);
	fixture_free(f);
}

/* nopreempt: lb1 returns and stays BACKUP; it takes over only when lb2
 * fails, Master_Down_Interval(150) after lb2's last advert. */
static void test_nopreempt_returning_master_never_takes_vip_back(void **state)
{
	(void)state;
	struct fixture *f = fixture_new();
	f->vc.priority[0] = 150;
	f->vc.preempt = false;
	fixture_start(f, NULL);
	at(f, 10 * S + 500 * MS, ACT_DOWN, 0);
	at(f, 20 * S + 500 * MS, ACT_UP, 0);
	run(f, 1000 * S);
	assert_int_equal(f->nch, 2);
	assert_int_equal(vrrp_vip_holder(&f->p), 1);
	assert_int_equal(vrrp_state_of(&f->p, 0), VRRP_STATE_BACKUP);
	/* lb2 advertises at 13.609375 + k s; crash it just after one */
	int64_t last = 1000 * S + 609375 * INT64_C(1000);
	at(f, last + 1, ACT_DOWN, 1);
	run(f, 1100 * S);
	assert_int_equal(f->nch, 4);
	assert_change(f, 2, -1, last + 1);
	assert_change(f, 3, 0, last + 3414062500);
	fixture_free(f);
}

/* A backup that reboots hears the master's higher adverts: no VIP move. */
static void test_backup_reboot_does_not_move_vip(void **state)
{
	(void)state;
	struct fixture *f = fixture_new();
	fixture_start(f, NULL);
	at(f, 10 * S, ACT_DOWN, 1);
	at(f, 30 * S, ACT_UP, 1);
	run(f, 200 * S);
	assert_int_equal(f->nch, 0);
	assert_int_equal(vrrp_state_of(&f->p, 1), VRRP_STATE_BACKUP);
	fixture_free(f);
}

/* A clean stop then a start: the stopped master comes back and preempts. */
static void test_stop_then_start_preempts_back(void **state)
{
	(void)state;
	struct fixture *f = fixture_new();
	fixture_start(f, NULL);
	at(f, 10 * S + 500 * MS, ACT_STOP, 0);
	at(f, 20 * S, ACT_START, 0);
	run(f, 60 * S);
	assert_int_equal(f->nch, 3);
	assert_change(f, 1, 1, 11 * S + 109375 * INT64_C(1000));
	/* lb1 (101): 3 s + 155/256 s after its start */
	assert_change(f, 2, 0, 20 * S + 3605468750);
	fixture_free(f);
}

/* The address owner (255) is master as soon as keepalived starts. */
static void test_owner_starts_as_master_at_once(void **state)
{
	(void)state;
	struct fixture *f = fixture_new();
	f->vc.priority[0] = VRRP_PRIO_OWNER;
	fixture_start(f, NULL);
	at(f, 10 * S + 500 * MS, ACT_DOWN, 0);
	at(f, 20 * S, ACT_UP, 0);
	run(f, 60 * S);
	assert_int_equal(f->nch, 3);
	assert_change(f, 2, 0, 20 * S);
	assert_int_equal(vrrp_state_of(&f->p, 1), VRRP_STATE_BACKUP);
	fixture_free(f);
}

/* ---------------------------------------------------------------- track script */

/* interval 2 s, fall 2, rise 2, lb1's script at 0.5 + 2k s.  haproxy dies
 * at 10 s: failed runs at 10.5 and 12.5 s, FAULT at 12.5 s with a
 * priority-0 advert, lb2 master 0.609375 s later.  haproxy back at 20 s:
 * good runs at 20.5 and 22.5 s, BACKUP at 22.5 s, and lb1 (101) preempts
 * 3.60546875 s later. */
static void test_track_script_fault_after_fall_runs_then_takeover_after_skew(void **state)
{
	(void)state;
	struct fixture *f = fixture_new();
	struct vrrp_phases ph = {.track_ns = {500 * MS, 0}};
	fixture_start(f, &ph);
	at(f, 10 * S, ACT_HAPROXY_DIES, 0);
	at(f, 20 * S, ACT_HAPROXY_BACK, 0);
	run(f, 15 * S);
	assert_int_equal(vrrp_state_of(&f->p, 0), VRRP_STATE_FAULT);
	run(f, 100 * S);
	assert_int_equal(f->nch, 3);
	assert_change(f, 0, -1, 12 * S + 500 * MS);
	assert_change(f, 1, 1, 12 * S + 500 * MS + 609375 * INT64_C(1000));
	assert_change(f, 2, 0, 22 * S + 500 * MS + 3605468750);
	fixture_free(f);
}

/* fall 2 means consecutive: fail, succeed, fail never reaches FAULT. */
static void test_track_script_needs_consecutive_failures(void **state)
{
	(void)state;
	struct fixture *f = fixture_new();
	fixture_start(f, NULL); /* runs at 0, 2, 4, ... */
	at(f, 9 * S, ACT_HAPROXY_DIES, 0);
	at(f, 11 * S, ACT_HAPROXY_BACK, 0);
	at(f, 13 * S, ACT_HAPROXY_DIES, 0);
	at(f, 15 * S, ACT_HAPROXY_BACK, 0);
	run(f, 60 * S);
	assert_int_equal(f->nch, 0);
	assert_int_equal(vrrp_state_of(&f->p, 0), VRRP_STATE_MASTER);
	fixture_free(f);
}

/* A backup in FAULT cannot take over: the master's crash leaves nobody. */
static void test_backup_in_fault_never_takes_over(void **state)
{
	(void)state;
	struct fixture *f = fixture_new();
	fixture_start(f, NULL);
	at(f, 5 * S, ACT_HAPROXY_DIES, 1);
	at(f, 20 * S + 500 * MS, ACT_DOWN, 0);
	run(f, 100 * S);
	assert_int_equal(vrrp_state_of(&f->p, 1), VRRP_STATE_FAULT);
	assert_int_equal(f->nch, 1);
	assert_change(f, 0, -1, 20 * S + 500 * MS);
	fixture_free(f);
}

/* ---------------------------------------------------------------- split brain */

/* lb1's VRRP traffic is cut at 10.5 s: lb2 hears nothing and becomes master
 * at 13.609375 s while lb1 stays master; the VIP is lb2's (the last to send
 * GARPs).  The cut heals at 20.5 s; lb2's advert at 20.609375 s reaches lb1,
 * which answers (forcing a new election) with its own advert and ARPs, and
 * lb2 drops to BACKUP at that instant. */
static void test_split_brain_both_master_then_lower_drops_on_healing(void **state)
{
	(void)state;
	struct fixture *f = fixture_new();
	fixture_start(f, NULL);
	at(f, 10 * S + 500 * MS, ACT_CUT, 0);
	at(f, 20 * S + 500 * MS, ACT_HEAL, 0);
	run(f, 20 * S);
	assert_int_equal(vrrp_state_of(&f->p, 0), VRRP_STATE_MASTER);
	assert_int_equal(vrrp_state_of(&f->p, 1), VRRP_STATE_MASTER);
	assert_int_equal(f->nch, 1);
	assert_change(f, 0, 1, 10 * S + 3609375 * INT64_C(1000));
	run(f, 100 * S);
	assert_int_equal(f->nch, 2);
	assert_change(f, 1, 0, 20 * S + 609375 * INT64_C(1000));
	assert_int_equal(vrrp_state_of(&f->p, 1), VRRP_STATE_BACKUP);
	assert_int_equal(vrrp_transition_at(&f->p, 0)->why, VRRP_WHY_HIGHER_ADVERT);
	fixture_free(f);
}

/* Cutting the backup instead: the same split brain from the other side. */
static void test_split_brain_partitioned_backup_becomes_master(void **state)
{
	(void)state;
	struct fixture *f = fixture_new();
	fixture_start(f, NULL);
	at(f, 10 * S + 500 * MS, ACT_CUT, 1);
	at(f, 30 * S + 700 * MS, ACT_HEAL, 1);
	run(f, 100 * S);
	assert_int_equal(f->nch, 2);
	assert_change(f, 0, 1, 10 * S + 3609375 * INT64_C(1000));
	/* healed at 30.7 s (lb2 advertises at .609375): lb1's advert at 31 s
	 * is the first to get through, and lb2 hears a higher priority */
	assert_change(f, 1, 0, 31 * S);
	fixture_free(f);
}

/* A whole-host partition of the backup: lb2 becomes MASTER at 13.609375 s
 * but its ARPs never reach the LAN, so the VIP stays with lb1 throughout;
 * healed at 30.7 s, lb1's advert at 31 s sends lb2 back to BACKUP. */
static void test_isolated_backup_becomes_master_without_taking_the_vip(void **state)
{
	(void)state;
	struct fixture *f = fixture_new();
	fixture_start(f, NULL);
	at(f, 10 * S + 500 * MS, ACT_ISOLATE, 1);
	at(f, 30 * S + 700 * MS, ACT_REJOIN, 1);
	run(f, 20 * S);
	assert_int_equal(vrrp_state_of(&f->p, 1), VRRP_STATE_MASTER);
	assert_int_equal(vrrp_vip_holder(&f->p), 0);
	run(f, 100 * S);
	assert_int_equal(f->nch, 0);
	assert_int_equal(vrrp_state_of(&f->p, 1), VRRP_STATE_BACKUP);
	fixture_free(f);
}

/* A whole-host partition of the master: lb2 takes the VIP as after a crash,
 * and keeps it until the partition heals (lb1's advert at 21 s). */
static void test_isolated_master_loses_the_vip_until_it_rejoins(void **state)
{
	(void)state;
	struct fixture *f = fixture_new();
	fixture_start(f, NULL);
	at(f, 10 * S + 500 * MS, ACT_ISOLATE, 0);
	at(f, 20 * S + 700 * MS, ACT_REJOIN, 0);
	run(f, 100 * S);
	assert_int_equal(f->nch, 2);
	assert_change(f, 0, 1, 13 * S + 609375 * INT64_C(1000));
	assert_change(f, 1, 0, 21 * S);
	fixture_free(f);
}

/* garp_delay 5 s: in a split brain the VIP follows each GARP burst.  lb1
 * crashes at 10.5 s, lb2 becomes master at 13.609375 s; lb1 reboots at 14 s
 * cut off and becomes master too at 17.60546875 s; lb2's second burst at
 * 18.609375 s takes the VIP back, lb1's at 22.60546875 s takes it again. */
static void test_split_brain_vip_follows_garp_delay_bursts(void **state)
{
	(void)state;
	struct fixture *f = fixture_new();
	f->vc.garp_delay_ns = 5 * S;
	fixture_start(f, NULL);
	at(f, 10 * S + 500 * MS, ACT_DOWN, 0);
	at(f, 13 * S + 800 * MS, ACT_CUT, 0);
	at(f, 14 * S, ACT_UP, 0);
	run(f, 100 * S);
	assert_int_equal(f->nch, 5);
	assert_change(f, 1, 1, 13 * S + 609375 * INT64_C(1000));
	assert_change(f, 2, 0, 17 * S + 605468750);
	assert_change(f, 3, 1, 18 * S + 609375 * INT64_C(1000));
	assert_change(f, 4, 0, 22 * S + 605468750);
	fixture_free(f);
}

/* ---------------------------------------------------------------- cost, log */

/* An hour of steady state: about one advert event a second, one lazy
 * Master_Down event per 3.6 s and one script run per router per 2 s. */
static void test_steady_state_costs_few_events_per_second(void **state)
{
	(void)state;
	struct fixture *f = fixture_new();
	fixture_start(f, NULL);
	run(f, 3600 * S);
	assert_int_equal(f->nch, 0);
	assert_int_equal(f->ntransitions, 2); /* the two of vrrp_init */
	assert_true(f->e.events_fired < 3 * 3600);
	assert_true(f->p.r[0].adverts_sent >= 3600);
	assert_true(sim_calendar_count(&f->e.cal) <= 4);
	fixture_free(f);
}

static void test_transition_ring_keeps_the_latest(void **state)
{
	(void)state;
	struct fixture *f = fixture_new();
	fixture_start(f, NULL);
	/* 20 crash/reboot cycles of lb1: 4 transitions each at least */
	for (int i = 0; i < 20; i++) {
		at(f, (20 * i + 10) * S + 500 * MS, ACT_DOWN, 0);
		at(f, (20 * i + 15) * S, ACT_UP, 0);
	}
	run(f, 500 * S);
	assert_true(f->p.nlog > VRRP_LOG_LEN);
	assert_int_equal(f->p.nlog, (uint64_t)f->ntransitions);
	assert_null(vrrp_transition_at(&f->p, VRRP_LOG_LEN));
	int64_t prev = INT64_MAX;
	for (size_t i = 0; i < VRRP_LOG_LEN; i++) {
		const struct vrrp_transition *t = vrrp_transition_at(&f->p, i);
		assert_non_null(t);
		assert_true(t->at_ns <= prev);
		prev = t->at_ns;
	}
	assert_string_equal(vrrp_state_name(VRRP_STATE_FAULT), "FAULT");
	assert_string_equal(vrrp_reason_name(VRRP_WHY_PEER_RESIGNED), "peer resigned (priority 0)");
	fixture_free(f);
}

/* ---------------------------------------------------------------- statistics */

/* Crash instants uniform over the advert cycle: the delay from the crash to
 * the takeover is uniform on [M - A, M): mean M - A/2 = 3.109375 s within
 * its 99% CI, extremes inside the window and close to both ends. */
static void test_crash_delay_uniform_over_advert_phase(void **state)
{
	(void)state;
	enum { N = 2000 };
	const int64_t A = S, M = 3609375 * INT64_C(1000);
	static double delay_s[N];
	gsl_rng *rng = sim_rng_stream_create(20260101, 0, "vrrp.crash_phase");
	int64_t lo = INT64_MAX, hi = INT64_MIN;
	for (int i = 0; i < N; i++) {
		struct fixture *f = fixture_new();
		int64_t crash = 10 * S + (int64_t)(gsl_rng_uniform(rng) * (double)A);
		int64_t d = takeover_after_crash(f, crash) - crash;
		fixture_free(f);
		delay_s[i] = sim_ns_to_s(d);
		lo = d < lo ? d : lo;
		hi = d > hi ? d : hi;
	}
	gsl_rng_free(rng);
	assert_true(lo >= M - A);
	assert_true(hi < M);
	assert_true(lo < M - A + 10 * MS);
	assert_true(hi > M - 10 * MS);
	struct sim_ci ci = sim_ci_of(delay_s, N, 0.99);
	assert_true(sim_ci_contains(&ci, 3.109375));
	assert_true(ci.half_width < 0.02);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_skew_and_master_down_follow_keepalived),
		cmocka_unit_test(test_crash_takeover_exactly_3_609375_s_after_last_advert),
		cmocka_unit_test(test_crash_takeover_window_is_2_609375_to_3_609375_s),
		cmocka_unit_test(test_graceful_stop_hands_over_after_skew_0_609375_s),
		cmocka_unit_test(test_takeover_delay_depends_on_backup_priority),
		cmocka_unit_test(test_v2_skew_ignores_advert_int),
		cmocka_unit_test(test_v3_fast_adverts_take_over_0_3609375_s_after_last_advert),
		cmocka_unit_test(test_v3_advert_int_2_s_takes_over_7_21875_s_after_last_advert),
		cmocka_unit_test(test_advert_phase_shifts_last_advert),
		cmocka_unit_test(test_preempt_returning_master_takes_vip_back_after_3_4140625_s),
		cmocka_unit_test(test_preempt_delay_2_s_takes_vip_back_5_4140625_s_after_lower_advert),
		cmocka_unit_test(test_nopreempt_returning_master_never_takes_vip_back),
		cmocka_unit_test(test_backup_reboot_does_not_move_vip),
		cmocka_unit_test(test_stop_then_start_preempts_back),
		cmocka_unit_test(test_owner_starts_as_master_at_once),
		cmocka_unit_test(test_track_script_fault_after_fall_runs_then_takeover_after_skew),
		cmocka_unit_test(test_track_script_needs_consecutive_failures),
		cmocka_unit_test(test_backup_in_fault_never_takes_over),
		cmocka_unit_test(test_split_brain_both_master_then_lower_drops_on_healing),
		cmocka_unit_test(test_split_brain_partitioned_backup_becomes_master),
		cmocka_unit_test(test_split_brain_vip_follows_garp_delay_bursts),
		cmocka_unit_test(test_isolated_backup_becomes_master_without_taking_the_vip),
		cmocka_unit_test(test_isolated_master_loses_the_vip_until_it_rejoins),
		cmocka_unit_test(test_steady_state_costs_few_events_per_second),
		cmocka_unit_test(test_transition_ring_keeps_the_latest),
		cmocka_unit_test(test_crash_delay_uniform_over_advert_phase),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
