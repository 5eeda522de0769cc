/* Application servers: a thread per request, CPU, and a DB connection pool.
 *
 * A request holds one of `workers` threads for its whole life at the app
 * (waiting for one in FIFO order when all are busy, as an accept queue does),
 * runs its class's `app` CPU time on one of `cores`, then makes its
 * `db_reads` reads and `db_writes` writes one after another.  For its queries
 * it borrows one connection from the server's pool of `db_pool.size` for the
 * whole sequence (the connection-per-request habit of most web frameworks),
 * waiting at most `db_pool.timeout` for one, else the request fails with
 * pool_timeout.  A failed query ends the sequence: the request answers with
 * that error (500).
 *
 * Failures (docs/failures.md): a crash or a process death takes the
 * server's stations down, ending the waits and the CPU work of the requests
 * it holds; a partition leaves it working with nothing getting in or out
 * (its queries cannot reach the database either).  A request the server had
 * when it failed is *lost* after a crash or a partition (nginx's
 * proxy_read_timeout or an outer time-out rescues it) and *reset* after a
 * process death (nginx hears it at once).  A request whose query is at the
 * database learns it when the query comes back (a few ms late for a
 * reset).  A connect to a dead process is refused (RST, one hop back); to a
 * black hole it fails after nginx's proxy_connect_timeout. */
#include <stdint.h>

#include "arch.h"

static struct app_node *app_of(struct node *n) { return (struct app_node *)n; }

static void app_reset_stats(struct node *n, int64_t now_ns)
{
	struct app_node *p = app_of(n);
	sim_station_reset_stats(&p->threads, now_ns);
	sim_station_reset_stats(&p->cpu, now_ns);
	sim_station_reset_stats(&p->pool, now_ns);
}

static struct sim_station *app_cpu(struct node *n) { return &app_of(n)->cpu; }

const struct node_kind app_kind = {
	.tier = TIER_APP, .name = "app", .reset_stats = app_reset_stats, .cpu = app_cpu,
};

/* Whether r's server failed since it accepted r (a partition, a crash or
 * a process death bumps the epoch). */
static bool app_lost_it(const struct app_node *p, const struct request *r)
{
	return p->base.epoch != r->app_epoch || !node_is_up(&p->base);
}

/* r leaves the app server: with its answer, or as a failure saw it. */
static void finish(struct arch *a, struct request *r)
{
	struct app_node *p = r->app;
	if (r->db_conn.station)
		sim_station_release(&a->engine, r->db_conn.station, &r->db_conn);
	if (r->app_thread.station)
		sim_station_release(&a->engine, r->app_thread.station, &r->app_thread);
	r->stage = STAGE_BACK;
	if (!app_lost_it(p, r)) {
		arch_after_hops(a, r, 1, web_answer_event);
		return;
	}
	if (node_is_black_hole(&p->base))
		request_lost(r); /* nothing leaves: nginx's read time-out rescues it */
	else
		arch_after_hops(a, r, 1, web_upstream_reset_event);
}

static int queries_of(const struct arch *a, const struct request *r)
{
	const struct wl_class_config *k = &a->cfg->wl.classes[r->class_idx];
	return k->db_reads + k->db_writes;
}

/* The node for the request's next query, or NULL (the request then fails). */
static struct db_node *route_next_query(struct arch *a, struct request *r)
{
	const struct wl_class_config *k = &a->cfg->wl.classes[r->class_idx];
	r->query_is_write = r->queries_done >= k->db_reads;
	struct db_node *db = db_route(a, r, r->query_is_write);
	if (!db)
		request_fail(r, ERR_DB_UNAVAILABLE);
	r->db = db;
	return db;
}

static void next_query(struct arch *a, struct request *r)
{
	if (app_lost_it(r->app, r) || r->failed || r->queries_done >= queries_of(a, r) ||
	    !route_next_query(a, r)) {
		finish(a, r);
		return;
	}
	r->stage = STAGE_TO_DB;
	arch_after_hops(a, r, 1, db_receive_event);
}

static void app_db_answer(struct arch *a, struct request *r)
{
	r->queries_done++;
	next_query(a, r);
}

ARCH_STAGE_EVENT(app_db_answer)

void app_query_done(struct arch *a, struct request *r)
{
	/* Between two queries of a sequence the app does nothing but send the
	 * next one on the connection it holds: the answer's hop back and the
	 * next query's hop out are one trip through the calendar. */
	if (!r->failed && r->queries_done + 1 < queries_of(a, r) && !app_lost_it(r->app, r)) {
		r->queries_done++;
		if (route_next_query(a, r)) {
			r->stage = STAGE_TO_DB;
			arch_after_hops(a, r, 2, db_receive_event);
			return;
		}
		r->queries_done--; /* app_db_answer counts it again */
	}
	r->stage = STAGE_BACK;
	arch_after_hops(a, r, 1, app_db_answer_event);
}

static void on_pool_started(struct sim_engine *e, struct sim_station *st, struct sim_job *job)
{
	(void)st;
	next_query(arch_of(e), request_of(job, db_conn));
}

static void on_pool_done(struct sim_engine *e, struct sim_station *st, struct sim_job *job,
			 enum sim_job_status status)
{
	struct request *r = request_of(job, db_conn);
	(void)st;
	if (status == SIM_JOB_TIMED_OUT)
		request_fail(r, ERR_POOL_TIMEOUT);
	else if (r->stage != STAGE_APP_POOL)
		return; /* its query is out: it learns of the failure when it returns */
	finish(arch_of(e), r);
}

static void on_cpu_done(struct sim_engine *e, struct sim_station *st, struct sim_job *job,
			enum sim_job_status status)
{
	struct arch *a = arch_of(e);
	struct request *r = request_of(job, cpu);
	(void)st;
	if (status != SIM_JOB_DONE) {
		finish(a, r); /* the server failed under it */
		return;
	}
	r->app->base.served++;
	if (queries_of(a, r) == 0) {
		finish(a, r);
		return;
	}
	r->stage = STAGE_APP_POOL;
	switch (sim_station_arrive(&a->engine, &r->app->pool, &r->db_conn, SIM_DEMAND_HOLD)) {
	case SIM_ARRIVE_STARTED:
		next_query(a, r);
		break;
	case SIM_ARRIVE_QUEUED:
		break; /* on_pool_started */
	case SIM_ARRIVE_FULL:
	case SIM_ARRIVE_DOWN:
		request_fail(r, ERR_POOL_TIMEOUT);
		finish(a, r);
		break;
	}
}

SIM_STATION_END_EVENT(app_cpu_end, on_cpu_done)

static void thread_granted(struct arch *a, struct request *r)
{
	struct app_node *p = r->app;
	r->stage = STAGE_APP_CPU;
	double demand = sim_dist_sample(&a->cfg->wl.classes[r->class_idx].app, p->base.rng);
	sim_station_arrive(&a->engine, &p->cpu, &r->cpu, demand);
}

static void on_thread_started(struct sim_engine *e, struct sim_station *st, struct sim_job *job)
{
	(void)st;
	thread_granted(arch_of(e), request_of(job, app_thread));
}

static void on_thread_done(struct sim_engine *e, struct sim_station *st, struct sim_job *job,
			   enum sim_job_status status)
{
	struct request *r = request_of(job, app_thread);
	(void)st;
	(void)status; /* no queue time-out on threads: only a node going down */
	if (r->stage == STAGE_APP_WORKER)
		finish(arch_of(e), r); /* else its CPU or pool job, or its query, tells */
}

int app_node_init(struct arch *a, struct app_node *n)
{
	const struct app_config *c = &a->cfg->app;
	arch_station_init(a, &n->threads, n->base.name, c->workers, -1, 0, on_thread_done, n);
	n->threads.started_fn = on_thread_started;
	arch_station_init(a, &n->cpu, n->base.name, c->cores, -1, 0, on_cpu_done, n);
	n->cpu.end_event = app_cpu_end;
	arch_station_init(a, &n->pool, n->base.name, c->db_pool_size, -1, c->db_pool_timeout_ns,
			  on_pool_done, n);
	n->pool.started_fn = on_pool_started;
	return 0;
}

/* nginx's connect to a black-holed server gives up after
 * proxy_connect_timeout, unless HAProxy closes the connection first (its
 * client leaves, or its timeout server fires): nginx then drops the attempt
 * (499), which counts against no server.  Both deadlines are known when the
 * wait starts; arg says which one ends it. */
static void on_connect_timeout(struct sim_engine *e, void *obj, uint64_t arg)
{
	struct request *r = obj;
	if (arg == ERR_COUNT)
		web_upstream_connect_failed(arch_of(e), r, ERR_CONNECT_TIMEOUT);
	else
		web_upstream_abandoned(arch_of(e), r, (enum model_error)arg);
}

static void wait_for_connect(struct arch *a, struct request *r)
{
	int64_t now = a->engine.now_ns, end = now + a->cfg->web.connect_timeout_ns;
	enum model_error why = ERR_COUNT;
	if (!r->call || r->lb_answered) { /* HAProxy closed already: nothing to wait for */
		end = now;
		why = r->call ? ERR_SERVER_TIMEOUT : ERR_CLIENT_TIMEOUT;
	}
	const struct sim_timeout *client = r->call ? &r->call->timeout : NULL;
	if (client && sim_timeout_is_started(client) && client->deadline_ns < end) {
		end = client->deadline_ns;
		why = ERR_CLIENT_TIMEOUT;
	}
	if (sim_timeout_is_started(&r->server_timeout) && r->server_timeout.deadline_ns < end) {
		end = r->server_timeout.deadline_ns;
		why = ERR_SERVER_TIMEOUT;
	}
	sim_engine_at(&a->engine, end > now ? end : now, on_connect_timeout, r, (uint64_t)why);
}

static void app_receive(struct arch *a, struct request *r)
{
	struct app_node *p = r->app;
	if (node_is_black_hole(&p->base)) {
		/* the SYN is never answered; counted from its arrival */
		if (a->cfg->web.connect_timeout_ns > 0)
			wait_for_connect(a, r);
		else
			request_lost(r);
		return;
	}
	if (node_refuses(&p->base)) {
		r->stage = STAGE_BACK;
		arch_after_hops(a, r, 1, web_upstream_refused_event);
		return;
	}
	r->app_epoch = p->base.epoch;
	web_upstream_sent(a, r);
	r->stage = STAGE_APP_WORKER;
	switch (sim_station_arrive(&a->engine, &p->threads, &r->app_thread, SIM_DEMAND_HOLD)) {
	case SIM_ARRIVE_STARTED:
		thread_granted(a, r);
		break;
	case SIM_ARRIVE_QUEUED:
		break; /* on_thread_started */
	case SIM_ARRIVE_FULL:
	case SIM_ARRIVE_DOWN:
		request_fail(r, ERR_CONNECT_REFUSED);
		finish(a, r);
		break;
	}
}

ARCH_STAGE_EVENT(app_receive)
