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
 * that error (500). */
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

static void finish(struct arch *a, struct request *r)
{
	if (r->db_conn.station)
		sim_station_release(&a->engine, r->db_conn.station, &r->db_conn);
	if (r->app_thread.station)
		sim_station_release(&a->engine, r->app_thread.station, &r->app_thread);
	r->stage = STAGE_BACK;
	arch_after_hops(a, r, 1, web_answer);
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
	if (r->failed || r->queries_done >= queries_of(a, r) || !route_next_query(a, r)) {
		finish(a, r);
		return;
	}
	r->stage = STAGE_TO_DB;
	arch_after_hops(a, r, 1, db_receive);
}

void app_db_answer(struct arch *a, struct request *r)
{
	r->queries_done++;
	next_query(a, r);
}

void app_query_done(struct arch *a, struct request *r)
{
	/* Between two queries of a sequence the app does nothing but send the
	 * next one on the connection it holds: the answer's hop back and the
	 * next query's hop out are one trip through the calendar. */
	if (!r->failed && r->queries_done + 1 < queries_of(a, r)) {
		r->queries_done++;
		if (route_next_query(a, r)) {
			r->stage = STAGE_TO_DB;
			arch_after_hops(a, r, 2, db_receive);
			return;
		}
		r->queries_done--; /* app_db_answer counts it again */
	}
	r->stage = STAGE_BACK;
	arch_after_hops(a, r, 1, app_db_answer);
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
	request_fail(r, status == SIM_JOB_TIMED_OUT ? ERR_POOL_TIMEOUT : ERR_CONNECT_REFUSED);
	finish(arch_of(e), r);
}

static void on_cpu_done(struct sim_engine *e, struct sim_station *st, struct sim_job *job,
			enum sim_job_status status)
{
	struct arch *a = arch_of(e);
	struct request *r = request_of(job, cpu);
	(void)st;
	if (status != SIM_JOB_DONE) {
		request_fail(r, ERR_CONNECT_REFUSED);
		finish(a, r);
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
	request_fail(r, ERR_CONNECT_REFUSED);
	finish(arch_of(e), r);
}

int app_node_init(struct arch *a, struct app_node *n)
{
	const struct app_config *c = &a->cfg->app;
	arch_station_init(a, &n->threads, n->base.name, c->workers, -1, 0, on_thread_done, n);
	n->threads.started_fn = on_thread_started;
	arch_station_init(a, &n->cpu, n->base.name, c->cores, -1, 0, on_cpu_done, n);
	arch_station_init(a, &n->pool, n->base.name, c->db_pool_size, -1, c->db_pool_timeout_ns,
			  on_pool_done, n);
	n->pool.started_fn = on_pool_started;
	return 0;
}

void app_receive(struct arch *a, struct request *r)
{
	struct app_node *p = r->app;
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
		r->stage = STAGE_BACK;
		arch_after_hops(a, r, 1, web_answer);
		break;
	}
}
