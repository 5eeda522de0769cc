/* HAProxy's active health checks: the per-server state machine of
 * src/check.c (health counter with rise/fall snapping) and the
 * completion-relative scheduling with srv_getinter (src/server.c).  See
 * lb_check.h for the model, its decisions and its limits.
 *
 * Invariant: every server of a live set has exactly one pending event,
 * either its next check start (in_progress false) or the time-out of its
 * black-holed check (in_progress true), unless the calendar refused a push
 * (counted in push_failures). */
#include "lb_check.h"

#include <assert.h>
#include <stddef.h>
#include <stdint.h>

#include "results.h"
#include "sim/calendar.h"

_Static_assert(LB_CHECK_MAX_SERVERS >= MODEL_MAX_NODES,
	       "a backend may hold every node of the model");

/* Event argument: the server index, with this bit for a time-out. */
#define EV_TIMEOUT (UINT64_C(1) << 32)

static void on_event(struct sim_engine *e, void *obj, uint64_t arg);

static int health_max(const struct lb_check_set *s)
{
	return s->rise + s->fall - 1;
}

int64_t lb_check_no_answer_ns(const struct lb_check_config *cfg, int64_t timeout_connect_ns)
{
	/* process_chk_conn / tcpcheck_eval_connect: expire = start + inter;
	 * if (timeout.check && timeout.connect) expire = min(expire, start +
	 * timeout.connect).  The connect never completes, so that is the end. */
	int64_t tc_ns = cfg->inter_ns;
	if (cfg->timeout_ns > 0 && timeout_connect_ns > 0 && timeout_connect_ns < tc_ns)
		tc_ns = timeout_connect_ns;
	return tc_ns;
}

int64_t lb_check_interval_ns(const struct lb_check_set *s, int server)
{
	assert(server >= 0 && server < s->nservers);
	int h = s->servers[server].health;
	if (h == health_max(s))
		return s->inter_ns;
	if (h == 0)
		return s->downinter_ns;
	return s->fastinter_ns;
}

bool lb_check_is_up(const struct lb_check_set *s, int server)
{
	assert(server >= 0 && server < s->nservers);
	return s->servers[server].health >= s->rise;
}

void lb_check_set_down(struct lb_check_set *s, int server)
{
	if (server >= 0 && server < s->nservers)
		s->servers[server].health = 0;
}

int lb_check_health(const struct lb_check_set *s, int server)
{
	assert(server >= 0 && server < s->nservers);
	return s->servers[server].health;
}

/* Arm the server's one pending event delay_ns from now (saturating). */
static bool schedule(struct lb_check_set *s, int server, int64_t delay_ns, uint64_t kind)
{
	struct sim_event_handle h = sim_engine_after(s->engine, delay_ns, on_event, s,
						     (uint64_t)server | kind);
	s->servers[server].pending = h;
	if (sim_event_handle_is_null(h)) {
		s->push_failures++;
		return false;
	}
	return true;
}

/* The check of `server` has finished now with `passed`: update the health
 * as check.c does, arm the next check, then report a transition. */
static void complete(struct lb_check_set *s, int server, bool passed, int64_t now_ns)
{
	struct lb_check *c = &s->servers[server];
	bool was_up = c->health >= s->rise;
	c->in_progress = false;
	if (passed) {
		if (c->health < health_max(s)) {
			c->health++;
			if (c->health >= s->rise)
				c->health = health_max(s);
		}
	} else {
		c->failed++;
		if (c->health > s->rise)
			c->health--;
		else
			c->health = 0;
	}
	bool up = c->health >= s->rise;

	/* t->expire = now + srv_getinter(check), read after the update. */
	schedule(s, server, lb_check_interval_ns(s, server), 0);

	if (up != was_up) {
		c->changes++;
		c->last_change_ns = now_ns;
		if (s->on_change)
			s->on_change(s->ctx, server, up, now_ns);
	}
}

static void on_event(struct sim_engine *e, void *obj, uint64_t arg)
{
	struct lb_check_set *s = obj;
	int server = (int)(arg & UINT32_MAX);
	struct lb_check *c = &s->servers[server];
	int64_t now_ns = sim_engine_now_ns(e);
	c->pending = (struct sim_event_handle){0, 0};

	if (arg & EV_TIMEOUT) {
		assert(c->in_progress);
		complete(s, server, false, now_ns);
		return;
	}

	c->checks++;
	c->last_start_ns = now_ns;
	enum lb_check_probe seen = s->probe(s->ctx, server);
	switch (seen) {
	case LB_CHECK_OK:
		complete(s, server, true, now_ns);
		break;
	case LB_CHECK_NO_ANSWER:
		c->in_progress = true;
		schedule(s, server, s->no_answer_ns, EV_TIMEOUT);
		break;
	case LB_CHECK_REFUSED:
	default:
		assert(seen == LB_CHECK_REFUSED);
		complete(s, server, false, now_ns);
		break;
	}
}

int lb_check_init(struct lb_check_set *s, struct sim_engine *e, const struct lb_check_config *cfg,
		  int64_t timeout_connect_ns, int nservers, int64_t phase_ns,
		  lb_check_probe_fn probe, lb_check_change_fn on_change, void *ctx)
{
	s->nservers = 0; /* inert until fully set up */
	s->engine = e;
	if (nservers < 1 || nservers > LB_CHECK_MAX_SERVERS || cfg->inter_ns <= 0 ||
	    cfg->fastinter_ns < 0 || cfg->downinter_ns < 0 || cfg->rise < 1 || cfg->fall < 1 ||
	    cfg->rise > (1 << 20) || cfg->fall > (1 << 20) || phase_ns < 0 || !probe)
		return -1;

	s->inter_ns = cfg->inter_ns;
	s->fastinter_ns = cfg->fastinter_ns ? cfg->fastinter_ns : cfg->inter_ns;
	s->downinter_ns = cfg->downinter_ns ? cfg->downinter_ns : cfg->inter_ns;
	s->no_answer_ns = lb_check_no_answer_ns(cfg, timeout_connect_ns);
	s->rise = cfg->rise;
	s->fall = cfg->fall;
	s->probe = probe;
	s->on_change = on_change;
	s->ctx = ctx;
	s->push_failures = 0;
	s->nservers = nservers;

	/* k * inter / n without overflowing for any inter. */
	int64_t step_ns = s->inter_ns / nservers, rem_ns = s->inter_ns % nservers;
	for (int k = 0; k < nservers; k++) {
		struct lb_check *c = &s->servers[k];
		*c = (struct lb_check){
			.health = health_max(s), .last_start_ns = -1, .last_change_ns = -1,
		};
		int64_t offset_ns = step_ns * k + rem_ns * k / nservers;
		int64_t delay_ns = phase_ns > INT64_MAX - offset_ns ? INT64_MAX : offset_ns + phase_ns;
		if (!schedule(s, k, delay_ns, 0)) {
			s->nservers = k;
			lb_check_fini(s);
			return -1;
		}
	}
	return 0;
}

void lb_check_fini(struct lb_check_set *s)
{
	for (int k = 0; k < s->nservers; k++) {
		struct lb_check *c = &s->servers[k];
		if (!sim_event_handle_is_null(c->pending))
			sim_engine_cancel(s->engine, c->pending);
		c->pending = (struct sim_event_handle){0, 0};
		c->in_progress = false;
	}
}
