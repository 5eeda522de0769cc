/* The generic station: FIFO order, capacity, time-outs, withdrawal,
 * down/up, speed changes (preemptive-resume) and its time-weighted statistics,
 * on hand-checkable constant demands. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sim/engine.h"
#include "sim/station.h"
#include "sim/time.h"

#define MS SIM_NS_PER_MS

struct outcome {
	int id;
	enum sim_job_status status;
	int64_t at_ns;
};

struct fixture {
	struct sim_engine e;
	struct sim_station st;
	struct sim_job jobs[8];
	struct outcome log[16];
	int nlog;
	bool inside_arrive;
};

static void on_done(struct sim_engine *e, struct sim_station *st, struct sim_job *job,
		    enum sim_job_status status)
{
	struct fixture *f = st->owner;
	assert_false(f->inside_arrive); /* never re-entered from sim_station_arrive */
	assert_null(job->station);
	f->log[f->nlog++] = (struct outcome){(int)(job - f->jobs), status, e->now_ns};
}

static struct fixture *fixture_new(int servers, int64_t queue_cap, int64_t queue_timeout_ns)
{
	struct fixture *f = test_calloc(1, sizeof *f);
	sim_engine_init(&f->e);
	struct sim_station_config cfg = {.name = "st", .servers = servers, .queue_cap = queue_cap,
					 .queue_timeout_ns = queue_timeout_ns, .speed = 1.0};
	sim_station_init(&f->st, &cfg, on_done, f, 0);
	return f;
}

static void fixture_free(struct fixture *f)
{
	sim_engine_fini(&f->e);
	test_free(f);
}

static enum sim_arrive_result arrive(struct fixture *f, int id, int64_t demand_ns)
{
	f->inside_arrive = true;
	enum sim_arrive_result r = sim_station_arrive(&f->e, &f->st, &f->jobs[id], (double)demand_ns);
	f->inside_arrive = false;
	return r;
}

struct arrival_plan {
	struct fixture *f;
	int id;
	int64_t demand_ns;
};

static void arrive_event(struct sim_engine *e, void *obj, uint64_t arg)
{
	(void)e;
	(void)arg;
	struct arrival_plan *p = obj;
	arrive(p->f, p->id, p->demand_ns);
}

static void fifo_with_two_servers_serves_in_arrival_order(void **state)
{
	(void)state;
	struct fixture *f = fixture_new(2, -1, 0);
	assert_int_equal(arrive(f, 0, 10 * MS), SIM_ARRIVE_STARTED);
	assert_int_equal(arrive(f, 1, 10 * MS), SIM_ARRIVE_STARTED);
	assert_int_equal(arrive(f, 2, 10 * MS), SIM_ARRIVE_QUEUED);
	sim_engine_run(&f->e, 20 * MS);
	assert_int_equal(f->nlog, 3);
	assert_int_equal(f->log[0].id, 0);
	assert_int_equal(f->log[1].id, 1);
	assert_int_equal(f->log[2].id, 2);
	assert_int_equal(f->log[2].at_ns, 20 * MS);
	/* busy: 2 servers for 10 ms then 1 for 10 ms => 30/40 */
	assert_float_equal(sim_station_utilization(&f->st, 20 * MS), 0.75, 1e-12);
	assert_float_equal(sim_station_queue_mean(&f->st, 20 * MS), 0.5, 1e-12);
	assert_float_equal(sim_station_wait_mean_s(&f->st), 0.010 / 3, 1e-15);
	assert_float_equal(sim_station_sojourn_mean_s(&f->st), (0.010 + 0.010 + 0.020) / 3, 1e-15);
	assert_int_equal(f->st.completed, 3);
	fixture_free(f);
}

static void arrival_beyond_queue_capacity_is_rejected(void **state)
{
	(void)state;
	struct fixture *f = fixture_new(1, 1, 0);
	assert_int_equal(arrive(f, 0, MS), SIM_ARRIVE_STARTED);
	assert_int_equal(arrive(f, 1, MS), SIM_ARRIVE_QUEUED);
	assert_int_equal(arrive(f, 2, MS), SIM_ARRIVE_FULL);
	assert_null(f->jobs[2].station);
	assert_int_equal(f->st.rejected_full, 1);
	sim_engine_run(&f->e, 10 * MS);
	assert_int_equal(f->nlog, 2);
	fixture_free(f);
}

static void job_waiting_longer_than_queue_timeout_leaves(void **state)
{
	(void)state;
	struct fixture *f = fixture_new(1, -1, 10 * MS);
	arrive(f, 0, 100 * MS);
	arrive(f, 1, 5 * MS);
	sim_engine_run(&f->e, SIM_NS_PER_S);
	assert_int_equal(f->nlog, 2);
	assert_int_equal(f->log[0].id, 1);
	assert_int_equal(f->log[0].status, SIM_JOB_TIMED_OUT);
	assert_int_equal(f->log[0].at_ns, 10 * MS);
	assert_int_equal(f->log[1].id, 0);
	assert_int_equal(f->log[1].status, SIM_JOB_DONE);
	assert_int_equal(f->st.timed_out, 1);
	fixture_free(f);
}

static void job_that_starts_before_its_timeout_is_served(void **state)
{
	(void)state;
	struct fixture *f = fixture_new(1, -1, 10 * MS);
	arrive(f, 0, 5 * MS);
	arrive(f, 1, 50 * MS);
	sim_engine_run(&f->e, SIM_NS_PER_S);
	assert_int_equal(f->nlog, 2);
	assert_int_equal(f->log[1].status, SIM_JOB_DONE);
	assert_int_equal(f->log[1].at_ns, 55 * MS);
	fixture_free(f);
}

static void withdrawing_a_job_in_service_starts_the_next(void **state)
{
	(void)state;
	struct fixture *f = fixture_new(1, -1, 0);
	arrive(f, 0, 100 * MS);
	arrive(f, 1, 10 * MS);
	arrive(f, 2, 10 * MS);
	sim_engine_run(&f->e, 5 * MS);
	sim_station_withdraw(&f->e, &f->st, &f->jobs[0]);
	sim_station_withdraw(&f->e, &f->st, &f->jobs[2]); /* a waiting one */
	assert_int_equal(f->st.busy, 1);
	assert_int_equal(f->st.waiting, 0);
	sim_engine_run(&f->e, SIM_NS_PER_S);
	assert_int_equal(f->nlog, 1);
	assert_int_equal(f->log[0].id, 1);
	assert_int_equal(f->log[0].at_ns, 15 * MS);
	fixture_free(f);
}

static void going_down_aborts_every_job_and_rejects_arrivals(void **state)
{
	(void)state;
	struct fixture *f = fixture_new(1, -1, 0);
	arrive(f, 0, 100 * MS);
	arrive(f, 1, 100 * MS);
	sim_engine_run(&f->e, 5 * MS);
	sim_station_set_down(&f->e, &f->st);
	assert_int_equal(f->nlog, 2);
	assert_int_equal(f->log[0].id, 0);
	assert_int_equal(f->log[0].status, SIM_JOB_ABORTED);
	assert_int_equal(f->log[1].id, 1);
	assert_int_equal(f->log[1].status, SIM_JOB_ABORTED);
	assert_int_equal(arrive(f, 2, MS), SIM_ARRIVE_DOWN);
	sim_engine_run(&f->e, SIM_NS_PER_S); /* no stale completion fires */
	assert_int_equal(f->nlog, 2);
	sim_station_set_up(&f->e, &f->st);
	assert_int_equal(arrive(f, 3, MS), SIM_ARRIVE_STARTED);
	sim_engine_run(&f->e, 2 * SIM_NS_PER_S);
	assert_int_equal(f->nlog, 3);
	assert_int_equal(f->st.aborted, 2);
	assert_int_equal(f->st.rejected_down, 1);
	fixture_free(f);
}

static void slowing_down_mid_service_stretches_the_remaining_work(void **state)
{
	(void)state;
	struct fixture *f = fixture_new(1, -1, 0);
	arrive(f, 0, 10 * MS);
	arrive(f, 1, 10 * MS);
	sim_engine_run(&f->e, 5 * MS);
	sim_station_set_speed(&f->e, &f->st, 0.5); /* 5 ms of work left => 10 ms */
	sim_engine_run(&f->e, SIM_NS_PER_S);
	assert_int_equal(f->log[0].at_ns, 15 * MS);
	assert_int_equal(f->log[1].at_ns, 35 * MS); /* 10 ms of work at half speed */
	fixture_free(f);
}

static void adding_servers_starts_waiting_jobs_at_once(void **state)
{
	(void)state;
	struct fixture *f = fixture_new(1, -1, 0);
	arrive(f, 0, 10 * MS);
	arrive(f, 1, 10 * MS);
	sim_engine_run(&f->e, 2 * MS);
	sim_station_set_servers(&f->e, &f->st, 2);
	sim_engine_run(&f->e, SIM_NS_PER_S);
	assert_int_equal(f->log[1].id, 1);
	assert_int_equal(f->log[1].at_ns, 12 * MS);
	fixture_free(f);
}

static int started_id = -1;
static int64_t started_at_ns = -1;

static void on_started(struct sim_engine *e, struct sim_station *st, struct sim_job *job)
{
	struct fixture *f = st->owner;
	started_id = (int)(job - f->jobs);
	started_at_ns = e->now_ns;
}

static void held_job_keeps_its_server_until_released(void **state)
{
	(void)state;
	struct fixture *f = fixture_new(1, -1, 0);
	f->st.started_fn = on_started;
	assert_int_equal(arrive(f, 0, (int64_t)SIM_DEMAND_HOLD), SIM_ARRIVE_STARTED);
	assert_int_equal(arrive(f, 1, (int64_t)SIM_DEMAND_HOLD), SIM_ARRIVE_QUEUED);
	sim_engine_run(&f->e, SIM_NS_PER_S); /* nothing ends by itself */
	assert_int_equal(f->nlog, 0);
	assert_int_equal(f->st.busy, 1);
	sim_station_release(&f->e, &f->st, &f->jobs[0]);
	assert_int_equal(started_id, 1);
	assert_int_equal(started_at_ns, SIM_NS_PER_S);
	assert_int_equal(f->st.completed, 1);
	assert_float_equal(sim_station_wait_mean_s(&f->st), 0.5, 1e-12); /* waits 0 and 1 s */
	sim_station_set_speed(&f->e, &f->st, 0.25); /* held jobs are not rescheduled */
	sim_engine_run(&f->e, 3 * SIM_NS_PER_S);
	assert_int_equal(f->nlog, 0);
	sim_station_release(&f->e, &f->st, &f->jobs[1]);
	assert_int_equal(f->st.busy, 0);
	fixture_free(f);
}

static void held_job_waiting_past_the_timeout_leaves(void **state)
{
	(void)state;
	struct fixture *f = fixture_new(1, -1, 2 * SIM_NS_PER_S);
	arrive(f, 0, (int64_t)SIM_DEMAND_HOLD);
	arrive(f, 1, (int64_t)SIM_DEMAND_HOLD);
	sim_engine_run(&f->e, 5 * SIM_NS_PER_S);
	assert_int_equal(f->nlog, 1);
	assert_int_equal(f->log[0].id, 1);
	assert_int_equal(f->log[0].status, SIM_JOB_TIMED_OUT);
	assert_int_equal(f->log[0].at_ns, 2 * SIM_NS_PER_S);
	sim_station_release(&f->e, &f->st, &f->jobs[0]);
	fixture_free(f);
}

static void statistics_restart_at_reset(void **state)
{
	(void)state;
	struct fixture *f = fixture_new(1, -1, 0);
	arrive(f, 0, 10 * MS);
	sim_engine_run(&f->e, 10 * MS);
	sim_station_reset_stats(&f->st, 10 * MS);
	struct arrival_plan p = {f, 1, 5 * MS};
	sim_engine_at(&f->e, 15 * MS, arrive_event, &p, 0);
	sim_engine_run(&f->e, 30 * MS);
	/* busy 5 ms out of the 20 ms since the reset */
	assert_float_equal(sim_station_utilization(&f->st, 30 * MS), 0.25, 1e-12);
	assert_int_equal(f->st.completed, 1);
	assert_int_equal(f->st.arrivals, 1);
	fixture_free(f);
}

static void utilization_follows_a_change_in_servers(void **state)
{
	(void)state;
	struct fixture *f = fixture_new(1, -1, 0);
	arrive(f, 0, 20 * MS);
	sim_engine_run(&f->e, 10 * MS);
	sim_station_set_servers(&f->e, &f->st, 2);
	sim_engine_run(&f->e, 20 * MS);
	/* busy 1 of 1 for 10 ms, then 1 of 2 for 10 ms */
	assert_float_equal(sim_station_utilization(&f->st, 20 * MS), 0.75, 1e-12);
	assert_float_equal(sim_station_utilization_area(&f->st, 20 * MS), 0.75 * 20 * MS, 1e-3);
	fixture_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fifo_with_two_servers_serves_in_arrival_order),
		cmocka_unit_test(arrival_beyond_queue_capacity_is_rejected),
		cmocka_unit_test(job_waiting_longer_than_queue_timeout_leaves),
		cmocka_unit_test(job_that_starts_before_its_timeout_is_served),
		cmocka_unit_test(withdrawing_a_job_in_service_starts_the_next),
		cmocka_unit_test(going_down_aborts_every_job_and_rejects_arrivals),
		cmocka_unit_test(slowing_down_mid_service_stretches_the_remaining_work),
		cmocka_unit_test(adding_servers_starts_waiting_jobs_at_once),
		cmocka_unit_test(statistics_restart_at_reset),
		cmocka_unit_test(held_job_keeps_its_server_until_released),
		cmocka_unit_test(held_job_waiting_past_the_timeout_leaves),
		cmocka_unit_test(utilization_follows_a_change_in_servers),
	};
	return cmocka_run_group_tests_name("station", tests, NULL, NULL);
}
