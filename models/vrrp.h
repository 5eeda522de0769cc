/* keepalived VRRP between the two load balancers: who holds the VIP, when.
 *
 * The LB pair's availability is decided by keepalived, so its timers are
 * modelled as keepalived implements them (../shared/DOMAIN.md §2; keepalived
 * vrrp.c, vrrp.h), not as a generic "failover delay":
 *
 *  - The MASTER sends an advert every advert_int.  A BACKUP that accepts an
 *    advert re-arms its Master_Down_Timer to Master_Down_Interval =
 *    3 x advert_int + Skew_Time, and becomes MASTER when it expires.
 *    Skew_Time = (256 - priority)/256 s with VRRP version 2 (keepalived
 *    ignores advert_int there) and (256 - priority) x advert_int / 256 with
 *    version 3 (VRRP_TIMER_SKEW).  Integer ns, truncated like keepalived's
 *    integer microseconds.
 *  - A master that stops cleanly or enters FAULT sends a priority-0 advert:
 *    the backup's timer is set to Skew_Time alone.
 *  - A new MASTER sends an advert first, then its gratuitous ARPs: the VIP
 *    moves with that first burst, at once.  With garp_delay > 0 a second
 *    burst follows garp_delay later; it only matters in a split brain (see
 *    below), which is why it is modelled at all.
 *  - Preemption (default): a router that (re)starts comes up BACKUP with its
 *    timer at Master_Down_Interval and discards adverts of lower priority,
 *    so it takes over 3A + skew(own) after it started; the lower master
 *    hears the higher advert and drops to BACKUP at once (the VIP moves a
 *    second time).  preempt_delay D (keepalived >= 2.x): the first
 *    lower-priority advert heard starts the delay and is accepted, as are
 *    the following ones up to D after it, so the takeover comes
 *    3A + skew + D after the first lower-priority advert when D is a
 *    multiple of A.  keepalived accepts while preempt_time > now (strict);
 *    whether the advert due exactly at preempt_time counts then depends on
 *    microseconds of jitter.  We read it inclusively, which gives the man
 *    page's "preempt_delay after seeing a lower priority master" exactly
 *    (DOMAIN §10 prediction 5: 5.414 s).  nopreempt: every advert is
 *    accepted, so the VIP stays where it is until its master fails.
 *  - A master hearing a lower-priority advert (the end of a split brain)
 *    answers with an advert and gratuitous ARPs ("forcing new election",
 *    garp_lower_prio_rep); the lower master hears it and drops to BACKUP.
 *    Equal priorities: the higher primary address wins, modelled as the
 *    higher router index (lb2).
 *  - Track script (vrrp_script on the haproxy process, weight 0): every
 *    interval the router asks haproxy_alive().  keepalived's result counter:
 *    `fall` consecutive failures put the instance in FAULT (a master sends
 *    priority 0 and drops the VIP), `rise` consecutive successes take it
 *    back to BACKUP with a fresh Master_Down_Timer, then the normal election
 *    and preemption.  After a (re)start the result is "init": trusted until
 *    the first run, whose failure alone means FAULT (keepalived reports a
 *    failure from the init state at once).  The script's run time is
 *    neglected (pidof takes milliseconds).
 *
 * Who holds the VIP.  A router answers for the VIP while it is MASTER and
 * has sent gratuitous ARPs since it became MASTER.  When both are MASTER (a
 * partition of the VRRP path while both run: split brain), real routing is
 * undefined -- the switch follows whichever MAC it learned last -- and we
 * model that as "the last router to send gratuitous ARPs", which is the
 * most recent to become MASTER unless the other's garp_delay burst comes
 * later.  A crashed master is not a holder: its MAC stays in the LAN's ARP
 * caches, so packets to the VIP go into a black hole until a backup takes
 * over (holder -1, "nobody").  The model assumes a partition cuts only the
 * VRRP traffic between the pair (DOMAIN §2.3: "multicast partitioned but
 * client traffic not"); whether clients can still reach a partitioned
 * holder is the caller's business.
 *
 * Simplifications: adverts arrive instantly (same event, zero latency: LAN
 * latency is microseconds against timers of seconds); both routers share
 * advert_int, so VRRPv3's learned Master_Adver_Interval is advert_int;
 * one virtual router, one VIP.
 *
 * Cost: the master's advert is one calendar event per advert_int.  The
 * backup's Master_Down_Timer is lazy: an accepted advert only moves a
 * deadline, and the one pending event, when it fires early, re-arms for the
 * deadline -- about one event per Master_Down_Interval instead of a cancel
 * and a push per advert.  Track scripts: one event per interval per router.
 * Nothing is allocated; the pair can be embedded.  It must not move after
 * vrrp_init (events point at it).
 *
 * Invariants: at most one of each timer is pending per router; a router in
 * INIT (host down or keepalived stopped) has none; the VIP holder is
 * recomputed at the end of every entry point and event, and on_change is
 * called only when it differs from the previous one (at most once per
 * entry point or event).  Callbacks must not call back into the pair. */
#ifndef MODELS_VRRP_H
#define MODELS_VRRP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "sim/engine.h"

#define VRRP_ROUTERS 2
#define VRRP_PRIO_STOP 0       /* "I'm resigning" advert */
#define VRRP_PRIO_OWNER 255    /* address owner: master at once on start */
#define VRRP_LOG_LEN 32        /* transitions kept in the ring */

enum vrrp_state {
	VRRP_STATE_INIT,   /* keepalived not running: host down or stopped */
	VRRP_STATE_BACKUP,
	VRRP_STATE_MASTER,
	VRRP_STATE_FAULT,  /* track script failed: no adverts, no VIP */
};

enum vrrp_reason {
	VRRP_WHY_STEADY_STATE,  /* vrrp_init */
	VRRP_WHY_START,         /* keepalived started (boot or vrrp_start) */
	VRRP_WHY_OWNER_START,   /* priority 255 starts as master */
	VRRP_WHY_MASTER_DOWN,   /* Master_Down_Timer expired: no advert heard */
	VRRP_WHY_PEER_RESIGNED, /* expired Skew_Time after a priority-0 advert */
	VRRP_WHY_PREEMPT,       /* expired while discarding lower-priority adverts */
	VRRP_WHY_HIGHER_ADVERT, /* a master heard a higher priority: to BACKUP */
	VRRP_WHY_SCRIPT_FAILED, /* `fall` failed track-script runs: to FAULT */
	VRRP_WHY_SCRIPT_OK,     /* `rise` good runs: FAULT to BACKUP */
	VRRP_WHY_STOP,          /* clean keepalived stop */
	VRRP_WHY_HOST_DOWN,     /* host crash or power-off */
};

/* One state change, for incident reports. */
struct vrrp_transition {
	int64_t at_ns;
	int router;             /* 0 = lb1, 1 = lb2 */
	enum vrrp_state from, to;
	enum vrrp_reason why;
};

/* The VIP's holder changed: 0, 1, or -1 = nobody answers for it. */
typedef void (*vrrp_change_fn)(void *ctx, int vip_holder, int64_t now_ns);
/* The track script's question: is haproxy running on this router? */
typedef bool (*vrrp_haproxy_alive_fn)(void *ctx, int router);
/* Every state change of either router. */
typedef void (*vrrp_transition_fn)(void *ctx, const struct vrrp_transition *t);

struct vrrp_hooks {
	vrrp_change_fn on_change;            /* NULL: poll vrrp_vip_holder */
	vrrp_haproxy_alive_fn haproxy_alive; /* NULL: no track script */
	vrrp_transition_fn on_transition;    /* NULL: the ring only */
	void *ctx;                           /* passed to all three */
};

/* Where the periodic timers stand at vrrp_init, so that a failure can fall
 * anywhere in their cycle.  Each offset is reduced modulo its period. */
struct vrrp_phases {
	int64_t advert_ns;        /* the master's first advert at now + this */
	int64_t track_ns[2];      /* each router's first script run at now + this,
	                           * and again this long after every (re)start */
};

struct vrrp_pair;

struct vrrp_router {
	struct vrrp_pair *pair;
	int index;
	int priority;                 /* configured; weight 0 never changes it */
	int64_t master_down_ns;       /* 3 x advert_int + skew(priority) */
	int64_t skew_ns;
	enum vrrp_state state;
	bool host_up;
	bool cut;                     /* VRRP traffic to and from it is lost */
	bool isolated;                /* and its gratuitous ARPs too (vrrp_isolate) */

	/* BACKUP: the Master_Down_Timer (lazy, see the file comment) */
	int64_t down_deadline_ns;
	struct sim_event_handle down_ev;
	int64_t down_ev_ns;           /* when down_ev fires, if armed */
	bool down_armed;
	bool down_by_prio0;           /* the deadline came from a priority-0 advert */
	bool discarded_lower;         /* a lower-priority advert was discarded */
	int64_t preempt_until_ns;     /* end of preempt_delay; -1 = not started */

	/* MASTER */
	struct sim_event_handle advert_ev;
	struct sim_event_handle garp_ev;  /* the garp_delay second burst */
	uint64_t garp_seq;            /* order of its last GARP since becoming
	                               * MASTER; 0 = none (not a holder) */

	/* track script: keepalived's counter, 0..rise-1 KO, rise..rise+fall-1 OK */
	struct sim_event_handle track_ev;
	int64_t track_phase_ns;
	int script_result;
	bool script_init;             /* no run yet since keepalived started */

	uint64_t adverts_sent;
};

struct vrrp_pair {
	struct sim_engine *e;
	struct vrrp_config vc;        /* copies: the caller's may go away */
	struct track_config tc;
	bool track;                   /* a track script is configured */
	struct vrrp_hooks hooks;
	struct vrrp_router r[VRRP_ROUTERS];
	int holder;                   /* -1, 0 or 1 */
	uint64_t garp_counter;        /* orders GARP bursts */
	uint64_t vip_moves;           /* times a router (not nobody) became holder */
	struct vrrp_transition log[VRRP_LOG_LEN];
	uint64_t nlog;                /* transitions ever; the ring holds the last
	                               * min(nlog, VRRP_LOG_LEN) */
};

/* Skew_Time and Master_Down_Interval of a router of this priority, ns. */
int64_t vrrp_skew_ns(const struct vrrp_config *vc, int priority);
int64_t vrrp_master_down_ns(const struct vrrp_config *vc, int priority);

/* Steady state at now: the router of higher priority (router 0 on a tie) is
 * MASTER with the VIP, the other BACKUP, as if adverts had been flowing
 * forever (the backup last heard one at now + phase - advert_int).  Both
 * hosts up, no partition, scripts good.  on_change is not called for this
 * initial holder.  tc may be NULL (no track script); so may phases (all 0).
 * vc->priority must be 1..255, advert_int_ns > 0. */
void vrrp_init(struct vrrp_pair *p, struct sim_engine *e, const struct vrrp_config *vc,
	       const struct track_config *tc, const struct vrrp_hooks *hooks,
	       const struct vrrp_phases *phases);
/* Cancel every pending event of the pair (the engine may go on). */
void vrrp_fini(struct vrrp_pair *p);

/* Host crash or power-off: silence (no priority-0 advert), a black hole. */
void vrrp_host_down(struct vrrp_pair *p, int router);
/* The host boots and keepalived starts in BACKUP.  No-op if already up. */
void vrrp_host_up(struct vrrp_pair *p, int router);
/* Clean keepalived stop: a master sends priority 0 and drops the VIP. */
void vrrp_stop(struct vrrp_pair *p, int router);
/* keepalived starts again on a running host (after vrrp_stop). */
void vrrp_start(struct vrrp_pair *p, int router);
/* While cut, the router's VRRP traffic neither leaves nor reaches it; it
 * keeps running (split brain).  Takes effect from the next advert. */
void vrrp_partition(struct vrrp_pair *p, int router, bool cut);
/* A partition of the whole host: its VRRP traffic is cut as with
 * vrrp_partition, and the gratuitous ARPs it sends meanwhile never reach
 * the LAN, so a router that becomes MASTER while isolated does not take
 * the VIP from the other one (the switch still follows the last GARP it
 * heard).  Healing sends nothing by itself: the next advert of either
 * router resolves the two-master conflict as usual. */
void vrrp_isolate(struct vrrp_pair *p, int router, bool isolated);

static inline int vrrp_vip_holder(const struct vrrp_pair *p) { return p->holder; }
static inline enum vrrp_state vrrp_state_of(const struct vrrp_pair *p, int router)
{
	return p->r[router].state;
}

/* The i-th most recent transition (0 = the latest); NULL beyond the ring. */
const struct vrrp_transition *vrrp_transition_at(const struct vrrp_pair *p, size_t i);

const char *vrrp_state_name(enum vrrp_state s);
const char *vrrp_reason_name(enum vrrp_reason why);

#endif
