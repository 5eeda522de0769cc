/* HAProxy's active health checks of one backend's servers.
 *
 * What it models: the `check` of every `server` line of one backend, as
 * src/check.c and src/server.c run it (../shared/DOMAIN.md 1.2, 1.3).  It
 * exists so that the time a dead server keeps receiving traffic, and the time
 * a repaired one waits before getting it back, come out of the real
 * mechanism rather than a fixed delay: inter/fastinter/downinter, rise/fall,
 * completion-relative scheduling, and a failing check that lasts ~0 s on a
 * refused connect (process died, RST) but a whole connect time-out on a black
 * hole (host died, partition).
 *
 * The rest of the model is reached only through two callbacks: `probe` asks
 * what a check of a server would see right now; `on_change` reports every
 * UP->DOWN and DOWN->UP transition.  lb_check_is_up answers "may the balancer
 * pick this server".
 *
 * State machine (per server; exactly HAProxy's):
 *  - health in 0 .. rise+fall-1; UP iff health >= rise.  Fully UP is
 *    rise+fall-1, fully DOWN is 0.
 *  - failed check: health > rise -> health--; otherwise health = 0, and if it
 *    was >= rise the server is marked DOWN.  From fully UP that takes exactly
 *    `fall` consecutive failures.
 *  - passed check: health < max -> health++; if it is then >= rise it snaps
 *    to max, marking the server UP if it was below.  From fully DOWN that
 *    takes exactly `rise` consecutive successes.
 *  - So a success while UP restores FULL health, not one step: DOWN takes
 *    `fall` CONSECUTIVE failures, as HAProxy documents `fall`.  This is
 *    set_server_check_status() in src/check.c (every version read, 1.5 to
 *    master: `health++; if (health >= rise) health = rise + fall - 1`);
 *    DOMAIN.md 1.2's aside "a single success in between restores health by
 *    +1 (not to full)" holds only below rise (a DOWN server rising), and
 *    there a failure drops it back to 0.
 *  - next interval (srv_getinter, read after the update): inter at max
 *    health, downinter at health 0, fastinter in between.
 *  - COMPLETION-RELATIVE: the next check starts `interval` after the current
 *    one finishes, so while checks time out the starts are interval + Tc
 *    apart.
 *
 * Timing decisions (and their known limits):
 *  - The run starts in steady state: every server fully UP.  (HAProxy itself
 *    starts servers at health = rise, i.e. UP but on fastinter, until the
 *    first checks; a model run wants the steady state.)
 *  - Startup spread: server k's first check is at now + k * inter / nservers
 *    + phase_ns (HAProxy's start_checks spreads checks by position over the
 *    smallest interval; here one backend, every server fully UP -> inter).
 *    The phase lets tests sweep where a failure falls in the schedule.
 *  - A check's outcome is decided when it starts (probe is called then):
 *    OK and REFUSED complete at that instant (one event per check);
 *    NO_ANSWER completes Tc later (two events: start and time-out).  A
 *    server that changes state while a check runs (within a black-holed
 *    check's Tc) is seen only at the next check: one that recovers during
 *    it still fails that check; one that dies just after a check started
 *    waits a whole interval to be noticed.
 *  - Tc, the duration of a black-holed check, is lb_check_no_answer_ns():
 *    HAProxy arms the check task at start + inter and, only when both
 *    `timeout check` and `timeout connect` are set, brings it forward to
 *    start + timeout connect.  A black hole never completes the TCP connect,
 *    so `timeout check` itself (the read time-out after the connect) never
 *    applies to it:
 *        Tc = min(timeout connect, inter)  when check.timeout_ns > 0 and
 *                                          timeout_connect_ns > 0,
 *        Tc = inter                        otherwise (timeout check unset).
 *    `inter` here is the configured inter, not the current interval.
 *    With the shipped defaults (inter 2 s, timeout 1 s, timeout connect 5 s)
 *    Tc = 2 s: a shorter check.timeout does not shorten black-hole
 *    detection; a shorter lb.timeout_connect does.
 *  - A passing check and a refused one take 0 s (a LAN RTT is far below the
 *    resolution that matters here); the read phase of an httpchk against a
 *    hung server (connect OK, no answer: fails after `timeout check`) is not
 *    modelled.  spread-checks jitter, observe/on-error, agent checks and
 *    maintenance states are not modelled.
 *
 * Memory: fixed capacity, no allocation at all; at most one pending event
 * per server (the next start, or the time-out of a black-holed check).
 * Callbacks run from engine events; on_change is called last, after the
 * next check is scheduled, so it may query the set or even call
 * lb_check_fini; probe must not call lb_check_fini. */
#ifndef MODELS_LB_CHECK_H
#define MODELS_LB_CHECK_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "sim/engine.h"

/* Servers per set; at least MODEL_MAX_NODES (asserted in lb_check.c). */
#define LB_CHECK_MAX_SERVERS 256

/* What a check of a server sees, decided when the check starts. */
enum lb_check_probe {
	LB_CHECK_OK,        /* connect (and response) good: passes at once */
	LB_CHECK_REFUSED,   /* RST at once (process dead, host alive): fails in ~0 s */
	LB_CHECK_NO_ANSWER, /* black hole (host dead, partition): fails after Tc */
};

typedef enum lb_check_probe (*lb_check_probe_fn)(void *ctx, int server);
/* Called on every UP->DOWN (up = false) and DOWN->UP (up = true) transition. */
typedef void (*lb_check_change_fn)(void *ctx, int server, bool up, int64_t now_ns);

/* One server's check. */
struct lb_check {
	int health;                   /* 0 .. rise+fall-1; UP iff >= rise */
	bool in_progress;             /* a black-holed check waits for its time-out */
	struct sim_event_handle pending; /* the next start, or the time-out */
	int64_t last_start_ns;        /* start of the latest check; -1 before the first */
	int64_t last_change_ns;       /* latest UP/DOWN transition; -1 if none */
	uint64_t checks;              /* checks started */
	uint64_t failed;              /* checks completed as failed */
	uint64_t changes;             /* UP/DOWN transitions */
};

struct lb_check_set {
	struct sim_engine *engine;
	int64_t inter_ns;             /* resolved: fastinter/downinter 0 -> inter */
	int64_t fastinter_ns;
	int64_t downinter_ns;
	int64_t no_answer_ns;         /* Tc, see lb_check_no_answer_ns */
	int rise, fall;
	int nservers;
	lb_check_probe_fn probe;
	lb_check_change_fn on_change; /* may be NULL */
	void *ctx;
	uint64_t push_failures;       /* events the calendar refused (max_pending);
	                               * that server's checks stop.  0 in any sane run */
	struct lb_check servers[LB_CHECK_MAX_SERVERS];
};

/* Tc: how long a check of a black-holed server lasts before it fails (see
 * the file comment).  cfg->timeout_ns <= 0 means `timeout check` unset;
 * timeout_connect_ns <= 0 means `timeout connect` unset. */
int64_t lb_check_no_answer_ns(const struct lb_check_config *cfg, int64_t timeout_connect_ns);

/* Start checking servers 0..nservers-1 of one backend, all fully UP, their
 * first checks at now + k * inter / nservers + phase_ns.  fastinter_ns and
 * downinter_ns of 0 mean "= inter" (HAProxy's unset).  Returns 0, or -1
 * (nothing scheduled, the set left inert) when an argument is out of range:
 * nservers not in 1..LB_CHECK_MAX_SERVERS, inter_ns <= 0, a negative
 * interval, rise or fall < 1, phase_ns < 0, probe NULL; or when the
 * calendar refuses an event (then the events already pushed are cancelled). */
int lb_check_init(struct lb_check_set *s, struct sim_engine *e, const struct lb_check_config *cfg,
		  int64_t timeout_connect_ns, int nservers, int64_t phase_ns,
		  lb_check_probe_fn probe, lb_check_change_fn on_change, void *ctx);

/* Cancel every pending check event; the set then never calls back again.
 * Safe to call twice, and from inside on_change. */
void lb_check_fini(struct lb_check_set *s);

/* May the balancer send to the server (health >= rise)? */
bool lb_check_is_up(const struct lb_check_set *s, int server);
/* Set a server fully DOWN without a transition (scaling: a server that
 * joins the backend starts DOWN and needs `rise` passing checks). */
void lb_check_set_down(struct lb_check_set *s, int server);

/* The raw health counter, 0 .. rise+fall-1 (tests, traces). */
int lb_check_health(const struct lb_check_set *s, int server);

/* srv_getinter: the interval that follows the server's current health. */
int64_t lb_check_interval_ns(const struct lb_check_set *s, int server);

#endif
