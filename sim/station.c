/* Generic queueing station: c servers and one FIFO waiting line.
 *
 * See station.h for the model.  Two intrusive doubly linked lists hold the
 * jobs: the waiting line (FIFO) and the jobs in service (in start order), so
 * withdrawing a job, timing it out of the line or aborting everything on a
 * crash is O(1) per job and allocates nothing.  Each held job has at most one
 * pending calendar event (its completion, or its queue time-out), whose handle
 * lives in the job.
 *
 * Invariant: busy == number of jobs on the serving list <= servers, except
 * transiently after sim_station_set_servers lowers c (the surplus finishes);
 * waiting == length of the queue list; a job is on at most one list and
 * job->station is set exactly while it is on one. */
#include "station.h"

#include <assert.h>
#include <math.h>
#include <stddef.h>

#include "time.h"

static void list_init(struct sim_job *head)
{
	head->next = head;
	head->prev = head;
}

static void list_append(struct sim_job *head, struct sim_job *job)
{
	job->prev = head->prev;
	job->next = head;
	head->prev->next = job;
	head->prev = job;
}

static void list_unlink(struct sim_job *job)
{
	job->prev->next = job->next;
	job->next->prev = job->prev;
	job->next = job->prev = NULL;
}

static bool list_is_empty(const struct sim_job *head) { return head->next == head; }

/* Busy servers change here only.  While c is constant, utilization is the
 * busy average over c; the separate busy/c integral is kept only after c
 * has changed (scaling cores), so the common case pays for one average. */
static void set_busy(struct sim_station *st, int64_t now_ns, int busy)
{
	st->busy = busy;
	sim_timeavg_set(&st->busy_avg, now_ns, busy);
	if (st->servers_varied)
		sim_timeavg_set(&st->util_avg, now_ns, (double)busy / st->cfg.servers);
}

static void on_service_end(struct sim_engine *e, void *obj, uint64_t arg);
static void on_queue_timeout(struct sim_engine *e, void *obj, uint64_t arg);

static int64_t service_ns_at_speed(double demand_ns, double speed)
{
	double ns = demand_ns / speed;
	if (ns >= 9.2e18)
		return SIM_TIME_NEVER / 2;
	return (int64_t)(ns + 0.5);
}

static void start_service(struct sim_engine *e, struct sim_station *st, struct sim_job *job)
{
	int64_t now = e->now_ns;
	job->start_ns = now;
	list_append(&st->serving, job);
	set_busy(st, now, st->busy + 1);
	st->started++;
	st->wait_sum_ns += now - job->arrive_ns;
	if (job->demand_ns < 0) { /* held until released */
		job->end_ns = SIM_TIME_NEVER;
		job->timer = (struct sim_event_handle){0, 0};
		return;
	}
	job->end_ns = now + service_ns_at_speed(job->demand_ns, st->cfg.speed);
	job->timer = sim_engine_at(e, job->end_ns, st->end_event, st, (uint64_t)(uintptr_t)job);
}

/* Start waiting jobs while servers are free (the loop, out of line). */
static void start_waiting_jobs(struct sim_engine *e, struct sim_station *st)
{
	while (st->busy < st->cfg.servers && !list_is_empty(&st->queue)) {
		struct sim_job *job = st->queue.next;
		list_unlink(job);
		st->waiting--;
		sim_engine_cancel(e, job->timer);
		start_service(e, st, job);
		if (st->started_fn)
			st->started_fn(e, st, job);
	}
	sim_timeavg_set(&st->queue_avg, e->now_ns, (double)st->waiting);
}

/* Start waiting jobs while servers are free.  Inline: after most services
 * nobody waits, and that answer should cost a compare, not a call. */
static inline void start_waiting(struct sim_engine *e, struct sim_station *st)
{
	if (st->busy < st->cfg.servers && !list_is_empty(&st->queue))
		start_waiting_jobs(e, st);
}

static void release(struct sim_job *job)
{
	job->station = NULL;
	job->timer = (struct sim_event_handle){0, 0};
}

/* A job leaves its server having been served (timed or released). */
static void finish_service(struct sim_engine *e, struct sim_station *st, struct sim_job *job)
{
	list_unlink(job);
	set_busy(st, e->now_ns, st->busy - 1);
	st->completed++;
	st->sojourn_sum_ns += e->now_ns - job->arrive_ns;
	release(job);
	start_waiting(e, st);
}

void sim_station_end_service(struct sim_engine *e, struct sim_station *st, struct sim_job *job)
{
	finish_service(e, st, job);
}

static void on_service_end(struct sim_engine *e, void *obj, uint64_t arg)
{
	struct sim_station *st = obj;
	struct sim_job *job = (struct sim_job *)(uintptr_t)arg;
	finish_service(e, st, job);
	st->done(e, st, job, SIM_JOB_DONE);
}

void sim_station_release(struct sim_engine *e, struct sim_station *st, struct sim_job *job)
{
	assert(job->station == st && job->start_ns >= 0);
	sim_engine_cancel(e, job->timer);
	finish_service(e, st, job);
}

static void on_queue_timeout(struct sim_engine *e, void *obj, uint64_t arg)
{
	struct sim_station *st = obj;
	struct sim_job *job = (struct sim_job *)(uintptr_t)arg;
	list_unlink(job);
	st->waiting--;
	st->timed_out++;
	sim_timeavg_set(&st->queue_avg, e->now_ns, (double)st->waiting);
	release(job);
	st->done(e, st, job, SIM_JOB_TIMED_OUT);
}

void sim_station_init(struct sim_station *st, const struct sim_station_config *cfg,
		      sim_station_done_fn done, void *owner, int64_t now_ns)
{
	assert(cfg->servers >= 1);
	*st = (struct sim_station){0};
	st->cfg = *cfg;
	if (!(st->cfg.speed > 0))
		st->cfg.speed = 1.0;
	st->done = done;
	st->end_event = on_service_end;
	st->owner = owner;
	st->up = true;
	list_init(&st->queue);
	list_init(&st->serving);
	sim_station_reset_stats(st, now_ns);
}

void sim_station_fini(struct sim_station *st)
{
	assert(list_is_empty(&st->queue) && list_is_empty(&st->serving));
	(void)st;
}

enum sim_arrive_result sim_station_arrive(struct sim_engine *e, struct sim_station *st,
					  struct sim_job *job, double demand_ns)
{
	st->arrivals++;
	if (!st->up) {
		st->rejected_down++;
		return SIM_ARRIVE_DOWN;
	}
	job->arrive_ns = e->now_ns;
	job->demand_ns = demand_ns >= 0 || demand_ns == SIM_DEMAND_HOLD ? demand_ns : 0;
	job->station = st;
	if (st->busy < st->cfg.servers) {
		start_service(e, st, job);
		return SIM_ARRIVE_STARTED;
	}
	if (st->cfg.queue_cap >= 0 && st->waiting >= st->cfg.queue_cap) {
		job->station = NULL;
		st->rejected_full++;
		return SIM_ARRIVE_FULL;
	}
	job->start_ns = -1;
	list_append(&st->queue, job);
	st->waiting++;
	sim_timeavg_set(&st->queue_avg, e->now_ns, (double)st->waiting);
	if (st->cfg.queue_timeout_ns > 0) {
		job->end_ns = e->now_ns + st->cfg.queue_timeout_ns;
		job->timer = sim_engine_at(e, job->end_ns, on_queue_timeout, st,
					   (uint64_t)(uintptr_t)job);
	} else {
		job->end_ns = SIM_TIME_NEVER;
		job->timer = (struct sim_event_handle){0, 0};
	}
	return SIM_ARRIVE_QUEUED;
}

void sim_station_withdraw(struct sim_engine *e, struct sim_station *st, struct sim_job *job)
{
	assert(job->station == st);
	sim_engine_cancel(e, job->timer);
	list_unlink(job);
	release(job);
	if (job->start_ns >= 0) {
		set_busy(st, e->now_ns, st->busy - 1);
		start_waiting(e, st);
		return;
	}
	st->waiting--;
	sim_timeavg_set(&st->queue_avg, e->now_ns, (double)st->waiting);
}

void sim_station_set_speed(struct sim_engine *e, struct sim_station *st, double speed)
{
	if (!(speed > 0) || speed == st->cfg.speed)
		return;
	int64_t now = e->now_ns;
	double old = st->cfg.speed;
	st->cfg.speed = speed;
	/* Preemptive-resume: each job in service keeps the work it has left. */
	for (struct sim_job *job = st->serving.next; job != &st->serving; job = job->next) {
		if (job->end_ns == SIM_TIME_NEVER)
			continue; /* held, not working */
		double left_ns = (double)(job->end_ns - now) * old;
		job->demand_ns = left_ns > 0 ? left_ns : 0;
		sim_engine_cancel(e, job->timer);
		job->end_ns = now + service_ns_at_speed(job->demand_ns, speed);
		job->timer = sim_engine_at(e, job->end_ns, st->end_event, st,
					   (uint64_t)(uintptr_t)job);
	}
}

void sim_station_set_down(struct sim_engine *e, struct sim_station *st)
{
	if (!st->up)
		return;
	st->up = false;
	int64_t now = e->now_ns;
	/* Detach both lists first: callbacks may arrive at other stations (or
	 * try this one, which now rejects). */
	while (!list_is_empty(&st->serving)) {
		struct sim_job *job = st->serving.next;
		list_unlink(job);
		sim_engine_cancel(e, job->timer);
		set_busy(st, now, st->busy - 1);
		st->aborted++;
		release(job);
		st->done(e, st, job, SIM_JOB_ABORTED);
	}
	while (!list_is_empty(&st->queue)) {
		struct sim_job *job = st->queue.next;
		list_unlink(job);
		sim_engine_cancel(e, job->timer);
		st->waiting--;
		st->aborted++;
		sim_timeavg_set(&st->queue_avg, now, (double)st->waiting);
		release(job);
		st->done(e, st, job, SIM_JOB_ABORTED);
	}
}

void sim_station_set_up(struct sim_engine *e, struct sim_station *st)
{
	(void)e;
	st->up = true;
}

void sim_station_set_servers(struct sim_engine *e, struct sim_station *st, int servers)
{
	assert(servers >= 1);
	if (!st->servers_varied) {
		/* From now on integrate busy/c directly, starting from the busy
		 * integral so far divided by the c it had. */
		double c = st->cfg.servers;
		st->util_avg = st->busy_avg;
		st->util_avg.level /= c;
		st->util_avg.area /= c;
		st->util_avg.max /= c;
		st->servers_varied = true;
	}
	st->cfg.servers = servers;
	set_busy(st, e->now_ns, st->busy);
	start_waiting(e, st);
}

void sim_station_reset_stats(struct sim_station *st, int64_t now_ns)
{
	sim_timeavg_init(&st->busy_avg, now_ns, st->busy);
	sim_timeavg_init(&st->util_avg, now_ns, (double)st->busy / st->cfg.servers);
	st->servers_varied = false;
	sim_timeavg_init(&st->queue_avg, now_ns, (double)st->waiting);
	st->wait_sum_ns = st->sojourn_sum_ns = 0;
	st->arrivals = st->started = st->completed = 0;
	st->rejected_full = st->rejected_down = st->timed_out = st->aborted = 0;
}

double sim_station_utilization(const struct sim_station *st, int64_t now_ns)
{
	if (st->servers_varied)
		return sim_timeavg_mean(&st->util_avg, now_ns);
	return sim_timeavg_mean(&st->busy_avg, now_ns) / st->cfg.servers;
}

double sim_station_utilization_area(const struct sim_station *st, int64_t now_ns)
{
	if (st->servers_varied)
		return sim_timeavg_area(&st->util_avg, now_ns);
	return sim_timeavg_area(&st->busy_avg, now_ns) / st->cfg.servers;
}

double sim_station_queue_mean(const struct sim_station *st, int64_t now_ns)
{
	return sim_timeavg_mean(&st->queue_avg, now_ns);
}

double sim_station_wait_mean_s(const struct sim_station *st)
{
	return st->started ? sim_ns_to_s(st->wait_sum_ns) / (double)st->started : 0;
}

double sim_station_sojourn_mean_s(const struct sim_station *st)
{
	return st->completed ? sim_ns_to_s(st->sojourn_sum_ns) / (double)st->completed : 0;
}

double sim_station_in_system_mean(const struct sim_station *st, int64_t now_ns)
{
	return sim_timeavg_mean(&st->busy_avg, now_ns) + sim_timeavg_mean(&st->queue_avg, now_ns);
}
