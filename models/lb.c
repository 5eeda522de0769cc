/* HAProxy on the active node of the LB pair (the VIP holder).
 *
 * Follows HAProxy in HTTP mode (../shared/DOMAIN.md section 1):
 *  - `maxconn` requests at once per LB; beyond, requests wait in a FIFO queue
 *    for at most `timeout queue`, then get 503 (queue_timeout);
 *  - each request costs `service` of CPU on one of `threads` threads;
 *  - the web server is chosen by `balance` among the servers in the LB's
 *    view: roundrobin, leastconn (fewest requests in flight, round-robin
 *    among ties), source (hash of the client over the running servers:
 *    map-based, so most clients move when the set changes), first (the
 *    lowest server with a free connection);
 *  - a refused connect is retried up to `retries` times, after a turn-around
 *    of min(timeout connect, 1 s) = 1 s on the same server; with `redispatch`
 *    the last retry goes to another server at once (HAProxy's default
 *    redispatch interval); when every attempt fails the client gets 503;
 *  - an answer slower than `timeout server` gets 504 (server_timeout); the
 *    server's late answer is then discarded.
 * When the client gives up, HAProxy sees the connection close and frees the
 * request's slot at once; work already passed downstream goes on (zombie).
 *
 * The pair: keepalived (vrrp.c) decides which LB holds the VIP; clients
 * reach that one only (workload.c retransmits SYNs while nobody answers).
 * When an LB fails (docs/failures.md):
 *  - crash: keepalived goes silent with the host; the backup takes the VIP
 *    Master_Down_Interval after the last advert it heard.  The requests the
 *    LB held are lost: their clients wait for their own time-out.
 *  - process (haproxy dies, the host and keepalived live): SYNs to the VIP
 *    are refused (RST) until the track script has failed `fall` times; the
 *    instance then goes to FAULT and resigns (priority-0 advert), and the
 *    backup takes over Skew_Time later.  The requests it held are reset at
 *    once (connect_refused at the client).
 *  - partition: the host is cut off, VRRP and clients alike, and goes on
 *    running: the backup becomes MASTER and its ARPs win (split brain: the
 *    cut-off master's never reach the LAN); the requests it held are lost,
 *    as in a crash; its checks of the web servers time out, so it may come
 *    back with them all marked DOWN.  When it heals, the next advert ends
 *    the split brain by priority.
 * A request held by a failed LB is flagged lb_dead and *parked* wherever it
 * next comes back to the LB (or at once if it was only queued): freed when
 * its client no longer waits for it, else left lost for the client's
 * time-out.  An LB that comes back restarts HAProxy with fresh checks. */
#include <stdint.h>

#include "arch.h"
#include "sim/rng.h"
#include "sim/time.h"

/* HAProxy waits min(timeout connect, 1 s) before retrying the same server;
 * the scenario has no `timeout connect` below 1 s, so the wait is 1 s. */
#define LB_RETRY_TURNAROUND_NS SIM_NS_PER_S

static void on_retry_turnaround(struct sim_engine *e, struct sim_timeout_queue *q,
				struct sim_timeout *t);

static struct lb_node *lb_of(struct node *n) { return (struct lb_node *)n; }

static void lb_reset_stats(struct node *n, int64_t now_ns)
{
	sim_station_reset_stats(&lb_of(n)->slots, now_ns);
	sim_station_reset_stats(&lb_of(n)->cpu, now_ns);
}

static struct sim_station *lb_cpu(struct node *n) { return &lb_of(n)->cpu; }

static void lb_failed(struct node *n);
static void lb_recovered(struct node *n);

const struct node_kind lb_kind = {
	.tier = TIER_LB, .name = "lb", .reset_stats = lb_reset_stats, .cpu = lb_cpu,
	.failed = lb_failed, .recovered = lb_recovered,
};

/* r's LB failed under it and r is back in the LB's hands (or never left
 * its queue): nothing will move it again.  Freed if its client is gone
 * (reset, timed out), else lost until the client's time-out (lb_client_gone). */
static void park(struct arch *a, struct request *r)
{
	sim_timeout_stop(&a->server_timeouts, &r->server_timeout);
	if (!r->call) {
		request_free(a, r);
		return;
	}
	request_lost(r);
	r->stage = STAGE_BACK;
}

/* The path ends at the LB: the client gets its answer, the attempt is freed. */
static void end_at_lb(struct arch *a, struct request *r)
{
	if (r->lb_slot.station)
		sim_station_release(&a->engine, r->lb_slot.station, &r->lb_slot);
	sim_timeout_stop(&a->server_timeouts, &r->server_timeout);
	if (!r->lb_answered)
		wl_answer(a, r);
	request_free(a, r);
}

static void fail_at_lb(struct arch *a, struct request *r, enum model_error cause)
{
	request_fail(r, cause);
	end_at_lb(a, r);
}

/* ---------------------------------------------------------------- balancing */

/* A web server is in the LB's rotation while its health checks say UP
 * (HAProxy never looks at the server itself, only at its checks). */
static bool web_in_lb_view(const struct lb_node *lb, const struct web_node *w)
{
	return lb_check_is_up(&lb->checks, w->base.index) && node_in_rotation(&w->base);
}

static struct web_node *pick_roundrobin(struct arch *a, const struct lb_node *lb,
				struct web_node *exclude)
{
	for (int i = 0; i < a->nweb; i++) {
		struct web_node *w = &a->web[rr_turn_mod(&a->lb_rr, (uint64_t)a->nweb)];
		if (web_in_lb_view(lb, w) && w != exclude)
			return w;
	}
	return NULL;
}

static struct web_node *pick_leastconn(struct arch *a, const struct lb_node *lb,
				struct web_node *exclude)
{
	struct web_node *best = NULL;
	uint64_t n = (uint64_t)a->nweb;
	uint64_t j = scaling_rotation_first(a, TIER_WEB, &a->lb_rr, n);
	for (int i = 0; i < a->nweb; i++, j = rr_wrap_next(j, n)) {
		struct web_node *w = &a->web[j];
		if (web_in_lb_view(lb, w) && w != exclude && (!best || w->base.active < best->base.active))
			best = w;
	}
	return best;
}

/* Map-based hashing over the running servers, as HAProxy's default hash-type. */
static struct web_node *pick_source(struct arch *a, const struct lb_node *lb, uint32_t client,
				    struct web_node *exclude)
{
	uint32_t n = 0;
	for (int i = 0; i < a->nweb; i++)
		n += web_in_lb_view(lb, &a->web[i]) && &a->web[i] != exclude;
	if (n == 0)
		return NULL;
	uint32_t k = client * 2654435761u % n; /* Knuth's multiplicative hash */
	for (int i = 0;; i++) /* the k-th running server */
		if (web_in_lb_view(lb, &a->web[i]) && &a->web[i] != exclude && k-- == 0)
			return &a->web[i];
}

static struct web_node *pick_first(struct arch *a, const struct lb_node *lb,
				struct web_node *exclude)
{
	struct web_node *fallback = NULL;
	for (int i = 0; i < a->nweb; i++) {
		struct web_node *w = &a->web[i];
		if (!web_in_lb_view(lb, w) || w == exclude)
			continue;
		if (w->base.active < w->max_connections)
			return w;
		if (!fallback)
			fallback = w;
	}
	return fallback;
}

static struct web_node *pick_web(struct arch *a, const struct request *r, struct web_node *exclude)
{
	switch (a->cfg->lb.balance) {
	case LB_BALANCE_LEASTCONN:
		return pick_leastconn(a, r->lb, exclude);
	case LB_BALANCE_SOURCE:
		return pick_source(a, r->lb, r->client, exclude);
	case LB_BALANCE_FIRST:
		return pick_first(a, r->lb, exclude);
	case LB_BALANCE_ROUNDROBIN:
	default:
		return pick_roundrobin(a, r->lb, exclude);
	}
}

/* ---------------------------------------------------------------- the path */

static void on_server_timeout(struct sim_engine *e, struct sim_timeout_queue *q,
			      struct sim_timeout *t)
{
	struct arch *a = arch_of(e);
	struct request *r = request_of(t, server_timeout);
	(void)q;
	r->lb_answered = true;
	if (r->lb_slot.station)
		sim_station_release(e, r->lb_slot.station, &r->lb_slot);
	wl_answer_error(a, r, ERR_SERVER_TIMEOUT);
	/* r goes on downstream and lb_answer frees it when its answer comes
	 * back; a lost request never comes back, so it ends here. */
	if (r->lost)
		request_free(a, r);
}

static void connect_to_web(struct arch *a, struct request *r, struct web_node *w)
{
	r->web = w;
	r->lb_tries++;
	r->stage = STAGE_TO_WEB;
	w->base.active++;
	arch_after_hops(a, r, 1, web_receive_event);
}

static void forward(struct arch *a, struct request *r)
{
	if (!r->call) { /* the client left while the request was at the LB */
		end_at_lb(a, r);
		return;
	}
	struct web_node *w = pick_web(a, r, NULL);
	if (!w) {
		fail_at_lb(a, r, ERR_NO_BACKEND);
		return;
	}
	if (a->cfg->lb.timeout_server_ns > 0)
		sim_timeout_start(&a->engine, &a->server_timeouts, &r->server_timeout);
	connect_to_web(a, r, w);
}

static void on_cpu_done(struct sim_engine *e, struct sim_station *st, struct sim_job *job,
			enum sim_job_status status)
{
	struct arch *a = arch_of(e);
	struct request *r = request_of(job, cpu);
	(void)st;
	if (r->lb_dead) {
		park(a, r);
		return;
	}
	if (status != SIM_JOB_DONE) {
		fail_at_lb(a, r, ERR_CONNECT_REFUSED);
		return;
	}
	r->lb->base.served++;
	forward(a, r);
}

SIM_STATION_END_EVENT(lb_cpu_end, on_cpu_done)

static void slot_granted(struct arch *a, struct request *r)
{
	struct lb_node *lb = r->lb;
	r->stage = STAGE_LB_CPU;
	double demand = sim_dist_sample(&a->cfg->lb.service, lb->base.rng);
	sim_station_arrive(&a->engine, &lb->cpu, &r->cpu, demand);
}

static void on_slot_started(struct sim_engine *e, struct sim_station *st, struct sim_job *job)
{
	(void)st;
	slot_granted(arch_of(e), request_of(job, lb_slot));
}

static void on_slot_done(struct sim_engine *e, struct sim_station *st, struct sim_job *job,
			 enum sim_job_status status)
{
	(void)st;
	struct arch *a = arch_of(e);
	struct request *r = request_of(job, lb_slot);
	/* Held slots end by release; the station reports only waits that time
	 * out (503) or the LB going down while holding them. */
	if (status == SIM_JOB_TIMED_OUT) {
		fail_at_lb(a, r, ERR_QUEUE_TIMEOUT);
		return;
	}
	/* Every request at the LB holds (or waits for) a slot: this is where
	 * the LB's failure reaches each of them, wherever it is. */
	r->lb_dead = true;
	sim_timeout_stop(&a->server_timeouts, &r->server_timeout);
	if (node_refuses(&r->lb->base))
		wl_answer_error(a, r, ERR_CONNECT_REFUSED); /* the client's connection is reset */
	if (r->stage == STAGE_LB_QUEUE)
		park(a, r);
	/* else its CPU abort, retry turn-around or answer parks it */
}

/* How a web server answers a health check, from its health. */
static enum lb_check_probe probe_web(void *ctx, int server)
{
	struct lb_node *lb = ctx;
	const struct node *w = &lb->base.arch->web[server].base;
	if (lb->base.health == NODE_PARTITIONED)
		return LB_CHECK_NO_ANSWER; /* the LB itself is cut off */
	if (node_refuses(w) || w->presence == NODE_ABSENT || w->presence == NODE_BOOTING)
		return LB_CHECK_REFUSED; /* scaling: nothing listens there (yet) */
	return node_is_black_hole(w) ? LB_CHECK_NO_ANSWER : LB_CHECK_OK;
}

static void on_check_change(void *ctx, int server, bool up, int64_t now_ns)
{
	struct lb_node *lb = ctx;
	struct arch *a = lb->base.arch;
	(void)now_ns;
	const struct node *w = &a->web[server].base;
	if (!up && lb->holds_vip && node_is_up(&lb->base) && w->presence == NODE_IN)
		rec_node_detected(&a->rec, w);
	arch_event(a, up ? MODEL_EVENT_MARKED_UP : MODEL_EVENT_MARKED_DOWN, w, "%s marks %s %s",
		   lb->base.name, w->name, up ? "UP" : "DOWN");
}

/* HAProxy's checks of the web servers, all UP at (re)start.  The two LBs'
 * checks start half an interval apart (two processes started
 * independently). */
static int start_checks(struct lb_node *n)
{
	struct arch *a = n->base.arch;
	const struct lb_config *c = &a->cfg->lb;
	int64_t phase = n->base.index * c->check.inter_ns / 2;
	return lb_check_init(&n->checks, &a->engine, &c->check, c->timeout_connect_ns, a->nweb,
			     phase, probe_web, on_check_change, n);
}

/* ---------------------------------------------------------------- keepalived */

static const char *takeover_reason(enum vrrp_reason why)
{
	switch (why) {
	case VRRP_WHY_MASTER_DOWN: return "master down";
	case VRRP_WHY_PEER_RESIGNED: return "peer resigned";
	case VRRP_WHY_PREEMPT: return "preempts";
	case VRRP_WHY_OWNER_START: return "address owner";
	default: return "gratuitous ARP";
	}
}

static void on_vip_change(void *ctx, int holder, int64_t now_ns)
{
	struct arch *a = ctx;
	for (int i = 0; i < a->nlb; i++)
		a->lb[i].holds_vip = i == holder;
	const struct vrrp_transition *t = vrrp_transition_at(&a->vrrp, 0);
	if (holder < 0) {
		const struct node *from = t ? &a->lb[t->router].base : NULL;
		arch_event(a, MODEL_EVENT_VIP_LOST, from, "nobody holds the VIP (%s: %s)",
			   from ? from->name : "?", t ? vrrp_reason_name(t->why) : "?");
		return;
	}
	const struct node *to = &a->lb[holder].base, *other = &a->lb[1 - holder].base;
	/* why: the holder just became MASTER, or the other master stepped
	 * down (a split brain's end), or a later GARP burst won */
	const struct vrrp_transition *mine = NULL;
	for (size_t i = 0; (t = vrrp_transition_at(&a->vrrp, i)) && !mine; i++)
		if (t->router == holder)
			mine = t;
	t = vrrp_transition_at(&a->vrrp, 0);
	const char *why = mine && mine->at_ns == now_ns && mine->to == VRRP_STATE_MASTER
				  ? takeover_reason(mine->why)
				  : t && t->at_ns == now_ns && t->why == VRRP_WHY_HIGHER_ADVERT
				  ? "split brain over"
				  : "gratuitous ARP";
	arch_event(a, MODEL_EVENT_VIP_MOVED, to, "%s takes the VIP (%s)", to->name, why);
	/* the VIP left a failed LB: the system noticed (incident detected_s) */
	if (!node_is_up(other))
		rec_node_detected(&a->rec, other);
}

/* The track script's question (vrrp_script: pidof haproxy). */
static bool haproxy_alive(void *ctx, int router)
{
	const struct arch *a = ctx;
	return a->lb[router].base.health != NODE_PROCESS_DEAD;
}

static void on_vrrp_transition(void *ctx, const struct vrrp_transition *t)
{
	struct arch *a = ctx;
	const struct node *n = &a->lb[t->router].base;
	if (t->why == VRRP_WHY_SCRIPT_FAILED) {
		if (!node_is_up(n))
			rec_node_detected(&a->rec, n); /* keepalived noticed first */
		arch_event(a, MODEL_EVENT_MARKED_DOWN, n, "%s track script: haproxy down (FAULT)",
			   n->name);
	} else if (t->why == VRRP_WHY_SCRIPT_OK) {
		arch_event(a, MODEL_EVENT_MARKED_UP, n, "%s track script: haproxy back (BACKUP)",
			   n->name);
	}
}

/* Steady state at the start, with the adverts' and scripts' phases drawn
 * from "lb.vrrp": a failure at a fixed instant falls anywhere in their
 * cycles, a different place in each replication. */
static int start_keepalived(struct arch *a)
{
	const struct lb_config *c = &a->cfg->lb;
	gsl_rng *rng = sim_rng_stream_create(a->cfg->seed, a->replication, "lb.vrrp");
	if (!rng)
		return -1;
	struct vrrp_phases ph = {
		.advert_ns = (int64_t)(gsl_rng_uniform(rng) * (double)c->vrrp.advert_int_ns),
		.track_ns = {(int64_t)(gsl_rng_uniform(rng) * (double)c->track.interval_ns),
			     (int64_t)(gsl_rng_uniform(rng) * (double)c->track.interval_ns)},
	};
	gsl_rng_free(rng);
	struct vrrp_hooks hooks = {.on_change = on_vip_change, .haproxy_alive = haproxy_alive,
				   .on_transition = on_vrrp_transition, .ctx = a};
	vrrp_init(&a->vrrp, &a->engine, &c->vrrp, &c->track, &hooks, &ph);
	for (int i = 0; i < a->nlb; i++)
		a->lb[i].holds_vip = i == vrrp_vip_holder(&a->vrrp);
	return 0;
}

static bool has_pair(const struct arch *a) { return a->nlb == 2; }

/* Stations are already down (crash, process) when this runs; requests
 * held there have been flagged by on_slot_done. */
static void lb_failed(struct node *n)
{
	struct lb_node *lb = lb_of(n);
	struct arch *a = n->arch;
	lb->failed_as = n->health;
	switch (n->health) {
	case NODE_CRASHED:
		lb_check_fini(&lb->checks);
		if (has_pair(a))
			vrrp_host_down(&a->vrrp, n->index);
		break;
	case NODE_PROCESS_DEAD:
		/* haproxy is gone, keepalived lives: its track script notices */
		lb_check_fini(&lb->checks);
		break;
	case NODE_PARTITIONED:
		/* haproxy runs on, but no client reaches it and nothing it sends
		 * arrives: its requests are lost like a crash's */
		sim_station_set_down(&a->engine, &lb->slots);
		sim_station_set_down(&a->engine, &lb->cpu);
		if (has_pair(a))
			vrrp_isolate(&a->vrrp, n->index, true);
		break;
	case NODE_UP:
		break;
	}
}

static void lb_recovered(struct node *n)
{
	struct lb_node *lb = lb_of(n);
	struct arch *a = n->arch;
	switch (lb->failed_as) {
	case NODE_CRASHED:
		start_checks(lb); /* cannot fail: it succeeded at the start */
		if (has_pair(a))
			vrrp_host_up(&a->vrrp, n->index); /* keepalived boots in BACKUP */
		break;
	case NODE_PROCESS_DEAD:
		start_checks(lb); /* the track script will see it `rise` times */
		break;
	case NODE_PARTITIONED:
		if (has_pair(a))
			vrrp_isolate(&a->vrrp, n->index, false);
		break;
	case NODE_UP:
		break;
	}
	lb->failed_as = NODE_UP;
}

int lb_node_init(struct arch *a, struct lb_node *n)
{
	const struct lb_config *c = &a->cfg->lb;
	arch_station_init(a, &n->slots, n->base.name, (int)c->maxconn, -1, c->timeout_queue_ns,
			  on_slot_done, n);
	n->slots.started_fn = on_slot_started;
	arch_station_init(a, &n->cpu, n->base.name, c->threads, -1, 0, on_cpu_done, n);
	n->cpu.end_event = lb_cpu_end;
	n->holds_vip = n->base.index == 0; /* a lone LB; keepalived decides for a pair */
	if (start_checks(n) != 0)
		return -1;
	if (n->base.index == 0 && c->timeout_server_ns > 0)
		sim_timeout_queue_init(&a->server_timeouts, c->timeout_server_ns, on_server_timeout, a);
	if (n->base.index == 0)
		sim_timeout_queue_init(&a->lb_turnarounds, LB_RETRY_TURNAROUND_NS, on_retry_turnaround, a);
	if (n->base.index == 1)
		return start_keepalived(a);
	return 0;
}

static struct lb_node *vip_holder(const struct arch *a)
{
	for (int i = 0; i < a->nlb; i++)
		if (a->lb[i].holds_vip)
			return (struct lb_node *)&a->lb[i];
	return NULL;
}

bool lb_vip_answers(const struct arch *a)
{
	const struct lb_node *lb = vip_holder(a);
	return lb && !node_is_black_hole(&lb->base);
}

void lb_receive(struct arch *a, struct request *r)
{
	struct lb_node *lb = vip_holder(a);
	if (!lb || !node_is_up(&lb->base)) {
		/* the holder's kernel answers for a dead haproxy with RST;
		 * callers check lb_vip_answers before sending into a black hole */
		request_fail(r, lb && node_refuses(&lb->base) ? ERR_CONNECT_REFUSED
							       : ERR_VIP_UNREACHABLE);
		wl_answer(a, r);
		request_free(a, r);
		return;
	}
	r->lb = lb;
	r->stage = STAGE_LB_QUEUE;
	switch (sim_station_arrive(&a->engine, &lb->slots, &r->lb_slot, SIM_DEMAND_HOLD)) {
	case SIM_ARRIVE_STARTED:
		slot_granted(a, r);
		break;
	case SIM_ARRIVE_QUEUED:
		break; /* on_slot_started takes it from there */
	case SIM_ARRIVE_FULL:
	case SIM_ARRIVE_DOWN:
		fail_at_lb(a, r, ERR_CONNECT_REFUSED);
		break;
	}
}

/* The turn-around is over: retry the same server.  The waits all last
 * LB_RETRY_TURNAROUND_NS, so they are a FIFO time-out queue, one calendar
 * event for them all: when the web tier refuses connections under
 * overload, hundreds of requests wait here at once, and an event each made
 * the calendar several times larger. */
static void on_retry_turnaround(struct sim_engine *e, struct sim_timeout_queue *q,
				struct sim_timeout *t)
{
	struct arch *a = arch_of(e);
	struct request *r = request_of(t, lb_turnaround);
	(void)q;
	if (r->lb_dead) {
		park(a, r);
		return;
	}
	if (!r->call || r->lb_answered) {
		end_at_lb(a, r);
		return;
	}
	connect_to_web(a, r, r->web);
}

void lb_connect_failed(struct arch *a, struct request *r, enum model_error cause)
{
	const struct lb_config *c = &a->cfg->lb;
	r->web->base.active--;
	if (r->lb_dead) {
		park(a, r);
		return;
	}
	if (!r->call || r->lb_answered || r->lb_tries > c->retries) {
		fail_at_lb(a, r, cause);
		return;
	}
	bool last_retry = r->lb_tries == c->retries;
	if (c->redispatch && last_retry) {
		struct web_node *other = pick_web(a, r, r->web);
		if (other) {
			connect_to_web(a, r, other);
			return;
		}
	}
	r->stage = STAGE_LB_RETRY;
	sim_timeout_start(&a->engine, &a->lb_turnarounds, &r->lb_turnaround);
}

static void lb_connect_refused(struct arch *a, struct request *r)
{
	lb_connect_failed(a, r, ERR_CONNECT_REFUSED);
}

ARCH_STAGE_EVENT(lb_connect_refused)

static void lb_answer(struct arch *a, struct request *r)
{
	r->web->base.active--;
	if (r->lb_dead) {
		park(a, r); /* nobody to pass the answer to */
		return;
	}
	end_at_lb(a, r);
}

ARCH_STAGE_EVENT(lb_answer)

void lb_client_gone(struct arch *a, struct request *r)
{
	switch (r->stage) {
	case STAGE_LB_QUEUE:
		/* still waiting for a slot: nothing downstream */
		sim_station_withdraw(&a->engine, r->lb_slot.station, &r->lb_slot);
		request_free(a, r);
		return;
	case STAGE_LB_CPU:
	case STAGE_LB_RETRY:
		return; /* its event sees the zombie and ends it */
	default:
		if (r->lb_slot.station)
			sim_station_release(&a->engine, r->lb_slot.station, &r->lb_slot);
		sim_timeout_stop(&a->server_timeouts, &r->server_timeout);
		if (r->lost) /* nothing would ever bring it back */
			request_free(a, r);
		return;
	}
}
