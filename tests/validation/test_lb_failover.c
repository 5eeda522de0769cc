/* LB failures through the whole model: keepalived's timing rules
 * (../shared/DOMAIN.md §2, §10 predictions 1, 2, 4, 5, 23; issue 4) as the
 * VIP moves seen by a watcher, and what the clients see meanwhile.
 *
 *  - Host crash of the master: the backup (priority 100) takes the VIP
 *    exactly Master_Down_Interval = 3 x advert_int + skew after the last
 *    advert it heard: 3.609375 s with VRRPv2 and advert_int 1 s, 7.21875 s
 *    with VRRPv3 and advert_int 2 s; from the crash, anywhere in
 *    (MDI - advert_int, MDI] depending on the adverts' phase.
 *  - haproxy dies, the host lives: the track script (interval 2 s, fall 2)
 *    fails `fall` times, (fall-1) x interval to fall x interval after the
 *    death; the master resigns with a priority-0 advert and the backup
 *    takes over Skew_Time (0.609375 s) later: a clean hand-over.
 *  - The old master returns: with preempt it takes the VIP back
 *    3 x advert_int + its own skew after keepalived starts (3.60546875 s at
 *    priority 101), with preempt_delay D that long after the first
 *    lower-priority advert it hears plus D; with nopreempt never.
 *  - Whole-host partitions: split brain, the backup's ARPs win; a cut-off
 *    backup never takes the VIP.
 *  - Clients: SYNs into the outage are retransmitted at 1, 3, 7 s, so a
 *    request sent during it completes after exactly one of those steps (the
 *    first retransmission after the VIP moved); the number in each step is
 *    Poisson with a mean the outage length fixes.  An outage longer than
 *    the client's time-out ends requests with vip_unreachable. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "models/arch.h"
#include "models/failures.h"
#include "models/vrrp.h"
#include "sim/histogram.h"
#include "sim/time.h"

#define S SIM_NS_PER_S
#define MS SIM_NS_PER_MS
#define MAX_EVENTS 256

/* Events as a watcher keeps them: the node's name copied, since the
 * nodes go with the run (ev.node is cleared). */
struct event_log {
	struct model_event ev[MAX_EVENTS];
	char node[MAX_EVENTS][16];
	int n;
};

static void log_event(void *ctx, const struct model_event *ev)
{
	struct event_log *log = ctx;
	if (log->n >= MAX_EVENTS)
		return;
	log->ev[log->n] = *ev;
	log->ev[log->n].node = NULL;
	snprintf(log->node[log->n], sizeof log->node[0], "%s", ev->node ? ev->node->name : "");
	log->n++;
}

/* The baseline architecture at a light load, two minutes, one failure. */
static void config_with_lb_failure(struct model_config *c, int lb, enum failure_kind kind,
				   int64_t at_ns, int64_t for_ns)
{
	model_config_init(c);
	c->duration_ns = 120 * S;
	c->warmup_ns = 20 * S;
	c->wl.rate_per_s = 200;
	c->failures[0] = (struct failure_spec){
		.kind = kind, .at_ns = at_ns, .for_ns = for_ns, .nodes = {{TIER_LB, lb}}, .nnodes = 1,
	};
	c->nfailures = 1;
}

static void run_watched(const struct model_config *cfg, unsigned rep, struct model_results *r,
			struct event_log *log)
{
	char why[256];
	assert_true(model_failures_supported(cfg, why, sizeof why));
	memset(log, 0, sizeof *log);
	struct model_event_listener l = {.fn = log_event, .ctx = log};
	assert_int_equal(model_run_replication_watched(cfg, rep, r, &l), 0);
}

/* The i-th event of `kind` about node `name` at or after from_ns; NULL if none. */
static const struct model_event *find(const struct event_log *log, enum model_event_kind kind,
				      const char *name, int64_t from_ns, int nth)
{
	for (int i = 0; i < log->n; i++) {
		const struct model_event *ev = &log->ev[i];
		if (ev->kind == kind && ev->at_ns >= from_ns && !strcmp(log->node[i], name) &&
		    nth-- == 0)
			return ev;
	}
	return NULL;
}

static int count(const struct event_log *log, enum model_event_kind kind, int64_t from_ns)
{
	int n = 0;
	for (int i = 0; i < log->n; i++)
		n += log->ev[i].kind == kind && log->ev[i].at_ns >= from_ns;
	return n;
}

static int64_t mod(int64_t x, int64_t m) { return ((x % m) + m) % m; }

/* ---------------------------------------------------------------- crash */

/* Crash lb1 at 8 instants spread over one advert interval, in one
 * replication (one advert phase): the VIP goes to lb2 exactly MDI after an
 * advert instant of a common grid, (MDI - A, MDI] after the crash. */
static void crash_takeover(int version, int64_t advert_int_ns, int64_t mdi_ns)
{
	int64_t grid = -1;
	for (int k = 0; k < 8; k++) {
		struct model_config cfg;
		int64_t at = 60 * S + k * advert_int_ns / 8;
		config_with_lb_failure(&cfg, 0, FAILURE_CRASH, at, 30 * S);
		cfg.lb.vrrp.version = version;
		cfg.lb.vrrp.advert_int_ns = advert_int_ns;
		struct model_results r;
		struct event_log log;
		run_watched(&cfg, 0, &r, &log);
		const struct model_event *lost = find(&log, MODEL_EVENT_VIP_LOST, "lb1", at, 0);
		const struct model_event *moved = find(&log, MODEL_EVENT_VIP_MOVED, "lb2", at, 0);
		assert_non_null(lost);
		assert_non_null(moved);
		assert_int_equal(lost->at_ns, at);
		assert_string_equal(moved->text, "lb2 takes the VIP (master down)");
		int64_t delay = moved->at_ns - at;
		print_message("  v%d, advert_int %.0f s, crash at %.3f s: lb2 takes the VIP %.6f s "
			      "later\n", version, sim_ns_to_s(advert_int_ns), sim_ns_to_s(at),
			      sim_ns_to_s(delay));
		assert_true(delay > mdi_ns - advert_int_ns && delay <= mdi_ns);
		/* the last advert lb2 heard is on the master's grid */
		int64_t g = mod(moved->at_ns - mdi_ns, advert_int_ns);
		if (grid < 0)
			grid = g;
		assert_int_equal(g, grid);
		/* the incident: detected when the VIP moved */
		assert_int_equal(r.nincidents, 1);
		assert_string_equal(r.incidents[0].node, "lb1");
		assert_float_equal(r.incidents[0].detected_s, sim_ns_to_s(moved->at_ns), 1e-9);
		model_results_fini(&r);
		model_config_fini(&cfg);
	}
}

static void crash_vrrp2_vip_moves_3_609375_s_after_the_last_advert(void **state)
{
	(void)state;
	crash_takeover(2, S, 3 * S + 609375 * INT64_C(1000));
}

static void crash_vrrp3_advert_2s_vip_moves_7_21875_s_after_the_last_advert(void **state)
{
	(void)state;
	crash_takeover(3, 2 * S, 7 * S + 218750 * INT64_C(1000));
}

/* The adverts' phase differs between replications: over 40 of them the
 * delay after a crash at a fixed instant spreads over (2.609, 3.609] s,
 * uniform with mean 3.109375 s (DOMAIN §10 prediction 1); checked with the
 * mean's 99.9% interval (sd of U(0,1) / sqrt(40)).  A SYN sent at the
 * crash instant connects at its 3 s retransmission when the outage is at
 * most 3 s, probability 0.390625, else at 7 s (prediction 23): the count
 * of such replications is Binomial(40, 0.390625), checked at 99.9%. */
static void crash_delay_over_replications_is_uniform_with_mean_3_109_s(void **state)
{
	(void)state;
	const int reps = 40;
	double sum = 0, lo = 1e9, hi = 0;
	int at3 = 0;
	for (int i = 0; i < reps; i++) {
		struct model_config cfg;
		config_with_lb_failure(&cfg, 0, FAILURE_CRASH, 60 * S, 30 * S);
		cfg.duration_ns = 70 * S;
		cfg.wl.rate_per_s = 20;
		struct model_results r;
		struct event_log log;
		run_watched(&cfg, (unsigned)i, &r, &log);
		const struct model_event *moved = find(&log, MODEL_EVENT_VIP_MOVED, "lb2", 60 * S, 0);
		assert_non_null(moved);
		double d = sim_ns_to_s(moved->at_ns - 60 * S);
		sum += d;
		at3 += d <= 3.0;
		lo = fmin(lo, d);
		hi = fmax(hi, d);
		model_results_fini(&r);
		model_config_fini(&cfg);
	}
	double mean = sum / reps, half = 3.29 * sqrt(1.0 / 12.0) / sqrt(reps);
	print_message("  %d replications: delay %.3f .. %.3f s, mean %.4f s (theory 3.109375 +- %.3f)\n",
		      reps, lo, hi, mean, half);
	assert_true(lo > 2.609375 && hi <= 3.609375);
	assert_true(fabs(mean - 3.109375) < half);
	double p3 = 3.0 - 2.609375, sd3 = sqrt(reps * p3 * (1 - p3));
	print_message("  a SYN sent at the crash connects at 3 s in %d of %d (theory %.1f +- %.1f)\n",
		      at3, reps, reps * p3, 3.29 * sd3);
	assert_true(fabs(at3 - reps * p3) <= 3.29 * sd3);
}

/* ---------------------------------------------------------------- process */

/* haproxy dies on lb1 at 8 instants over a script interval: the track
 * script goes to FAULT (fall-1) x interval to fall x interval later, the
 * VIP is lost at that instant and lb2 takes it Skew_Time later (the
 * resignation's priority-0 advert: a clean hand-over). */
static void process_death_vip_moves_skew_after_the_track_script_fails(void **state)
{
	(void)state;
	const int64_t skew = 609375 * INT64_C(1000);
	for (int k = 0; k < 8; k++) {
		struct model_config cfg;
		int64_t at = 60 * S + k * 250 * MS;
		config_with_lb_failure(&cfg, 0, FAILURE_PROCESS, at, 30 * S);
		const struct track_config *tc = &cfg.lb.track;
		struct model_results r;
		struct event_log log;
		run_watched(&cfg, 0, &r, &log);
		const struct model_event *fault = find(&log, MODEL_EVENT_MARKED_DOWN, "lb1", at, 0);
		const struct model_event *lost = find(&log, MODEL_EVENT_VIP_LOST, "lb1", at, 0);
		const struct model_event *moved = find(&log, MODEL_EVENT_VIP_MOVED, "lb2", at, 0);
		assert_non_null(fault);
		assert_non_null(lost);
		assert_non_null(moved);
		int64_t detect = fault->at_ns - at;
		print_message("  haproxy on lb1 dies at %.2f s: track script FAULT %.3f s later, "
			      "lb2 takes the VIP %.6f s after that\n", sim_ns_to_s(at),
			      sim_ns_to_s(detect), sim_ns_to_s(moved->at_ns - fault->at_ns));
		assert_true(detect > (tc->fall - 1) * tc->interval_ns &&
			    detect <= tc->fall * tc->interval_ns);
		assert_int_equal(lost->at_ns, fault->at_ns);
		assert_int_equal(moved->at_ns - fault->at_ns, skew);
		assert_string_equal(moved->text, "lb2 takes the VIP (peer resigned)");
		assert_float_equal(r.incidents[0].detected_s, sim_ns_to_s(fault->at_ns), 1e-9);
		/* before the script noticed, SYNs to lb1 were refused at once */
		assert_true(r.attempt_errors[ERR_CONNECT_REFUSED] > 0);
		model_results_fini(&r);
		model_config_fini(&cfg);
	}
}

/* ---------------------------------------------------------------- return */

/* lb1 (101) is back at 90 s while lb2 (100) holds the VIP. */
static int64_t vip_back_to_lb1(bool preempt, int64_t preempt_delay_ns, int64_t *lb2_master_ns)
{
	struct model_config cfg;
	config_with_lb_failure(&cfg, 0, FAILURE_CRASH, 60 * S, 30 * S);
	cfg.lb.vrrp.preempt = preempt;
	cfg.lb.vrrp.preempt_delay_ns = preempt_delay_ns;
	struct model_results r;
	struct event_log log;
	run_watched(&cfg, 0, &r, &log);
	const struct model_event *to2 = find(&log, MODEL_EVENT_VIP_MOVED, "lb2", 60 * S, 0);
	const struct model_event *back = find(&log, MODEL_EVENT_VIP_MOVED, "lb1", 90 * S, 0);
	assert_non_null(to2);
	*lb2_master_ns = to2->at_ns;
	int64_t at = back ? back->at_ns : -1;
	if (back)
		assert_string_equal(back->text, "lb1 takes the VIP (preempts)");
	assert_float_equal(r.incidents[0].recovered_s, 90.0, 1e-9);
	model_results_fini(&r);
	model_config_fini(&cfg);
	return at;
}

static void returning_master_preempts_after_its_master_down_interval(void **state)
{
	(void)state;
	int64_t lb2_master;
	/* discarding lb2's lower adverts, its own Master_Down_Timer runs out */
	int64_t back = vip_back_to_lb1(true, 0, &lb2_master);
	print_message("  preempt: lb1 takes the VIP back %.6f s after it restarts\n",
		      sim_ns_to_s(back - 90 * S));
	assert_int_equal(back - 90 * S, 3 * S + 605468750);
	/* preempt_delay 2 s: lb2 advertises every second from when it took the
	 * VIP; lb1 accepts the adverts for 2 s after the first one it hears */
	back = vip_back_to_lb1(true, 2 * S, &lb2_master);
	int64_t first = lb2_master + ((90 * S - lb2_master) / S + 1) * S;
	print_message("  preempt_delay 2s: first advert heard at %.6f s, VIP back at %.6f s\n",
		      sim_ns_to_s(first), sim_ns_to_s(back));
	assert_int_equal(back, first + 2 * S + 3 * S + 605468750);
	/* nopreempt: the VIP stays with lb2 */
	assert_int_equal(vip_back_to_lb1(false, 0, &lb2_master), -1);
}

/* ---------------------------------------------------------------- partition */

/* lb1 cut off for 30 s: lb2 takes the VIP as after a crash (both are
 * masters: split brain, lb2's ARPs reach the LAN); when the partition
 * heals, the first advert to cross ends it and lb1 (higher) has it back
 * within an advert interval. */
static void partitioned_master_split_brain_ends_by_priority(void **state)
{
	(void)state;
	struct model_config cfg;
	config_with_lb_failure(&cfg, 0, FAILURE_PARTITION, 60 * S, 30 * S);
	struct model_results r;
	struct event_log log;
	run_watched(&cfg, 0, &r, &log);
	const struct model_event *to2 = find(&log, MODEL_EVENT_VIP_MOVED, "lb2", 60 * S, 0);
	const struct model_event *back = find(&log, MODEL_EVENT_VIP_MOVED, "lb1", 90 * S, 0);
	assert_non_null(to2);
	assert_non_null(back);
	assert_true(to2->at_ns - 60 * S > 2609375000 && to2->at_ns - 60 * S <= 3609375000);
	assert_true(back->at_ns - 90 * S <= S);
	assert_string_equal(back->text, "lb1 takes the VIP (split brain over)");
	assert_int_equal(count(&log, MODEL_EVENT_VIP_LOST, 0), 0);
	model_results_fini(&r);
	model_config_fini(&cfg);
}

/* The backup cut off: it becomes MASTER, but its ARPs never reach the LAN:
 * the VIP never moves and no request fails. */
static void partitioned_backup_never_takes_the_vip(void **state)
{
	(void)state;
	struct model_config cfg;
	config_with_lb_failure(&cfg, 1, FAILURE_PARTITION, 60 * S, 30 * S);
	struct model_results r;
	struct event_log log;
	run_watched(&cfg, 0, &r, &log);
	assert_int_equal(count(&log, MODEL_EVENT_VIP_MOVED, 0), 0);
	assert_int_equal(count(&log, MODEL_EVENT_VIP_LOST, 0), 0);
	assert_int_equal(r.failed, 0);
	model_results_fini(&r);
	model_config_fini(&cfg);
}

/* ---------------------------------------------------------------- clients */

/* Requests first sent during the VIP outage [crash, move) of length D
 * (2.6 .. 3.6 s) connect at the first SYN retransmission after the move:
 * +1 s for those sent in the last second, +3 s for the two before (or the
 * D - 1 s before), +7 s for the rest (D - 3 s of them when D > 3 s).  With
 * Poisson arrivals at rate L the counts are Poisson(L x 1),
 * Poisson(L x min(2, D-1)), Poisson(L x max(D-3, 0));
 * 3 of 5 replications (5 advert phases, 5 values of D) must fall inside
 * each 95% interval.  None fails: the client's 10 s time-out is longer
 * than the 7 s step; only requests held by lb1 when it died time out. */
static void requests_in_a_short_outage_see_syn_retransmission_steps(void **state)
{
	(void)state;
	const double rate = 500;
	int covered[3] = {0, 0, 0};
	for (unsigned rep = 0; rep < 5; rep++) {
		struct model_config cfg;
		config_with_lb_failure(&cfg, 0, FAILURE_CRASH, 60 * S, 30 * S);
		cfg.wl.rate_per_s = rate;
		cfg.wl.retries = 0;
		struct model_results r;
		struct event_log log;
		run_watched(&cfg, rep, &r, &log);
		const struct model_event *moved = find(&log, MODEL_EVENT_VIP_MOVED, "lb2", 60 * S, 0);
		assert_non_null(moved);
		double d = sim_ns_to_s(moved->at_ns - 60 * S);
		double n = (double)r.completed;
		/* latency bins around each step, with margins for the histogram's
		 * ~1% bins; in-between latencies are absent */
		double step1 = n * (sim_histogram_cdf(&r.latency, 1500 * MS) -
				    sim_histogram_cdf(&r.latency, 950 * MS));
		double gap1 = n * (sim_histogram_cdf(&r.latency, 2900 * MS) -
				   sim_histogram_cdf(&r.latency, 1500 * MS));
		double step3 = n * (sim_histogram_cdf(&r.latency, 3500 * MS) -
				    sim_histogram_cdf(&r.latency, 2900 * MS));
		double gap3 = n * (sim_histogram_cdf(&r.latency, 6800 * MS) -
				   sim_histogram_cdf(&r.latency, 3500 * MS));
		double step7 = n * (sim_histogram_cdf(&r.latency, 7500 * MS) -
				    sim_histogram_cdf(&r.latency, 6800 * MS));
		double got[3] = {round(step1), round(step3), round(step7)};
		double want[3] = {rate * 1, rate * fmin(2, d - 1), rate * fmax(d - 3, 0)};
		print_message("  replication %u: outage %.3f s; +1 s: %.0f (%.0f), +3 s: %.0f (%.0f), "
			      "+7 s: %.0f (%.0f); failed %llu, vip_unreachable %llu\n",
			      rep, d, got[0], want[0], got[1], want[1], got[2], want[2],
			      (unsigned long long)r.failed,
			      (unsigned long long)r.errors[ERR_VIP_UNREACHABLE]);
		assert_true(round(gap1) == 0 && round(gap3) == 0);
		for (int i = 0; i < 3; i++)
			covered[i] += fabs(got[i] - want[i]) <= 1.96 * sqrt(fmax(want[i], 1)) ||
				      (want[i] == 0 && got[i] == 0);
		assert_int_equal(r.errors[ERR_VIP_UNREACHABLE], 0);
		assert_int_equal(r.failed, r.errors[ERR_CLIENT_TIMEOUT]);
		model_results_fini(&r);
		model_config_fini(&cfg);
	}
	for (int i = 0; i < 3; i++)
		assert_true(covered[i] >= 3);
}

/* Both LBs crash for 30 s (a correlated failure): nobody holds the VIP
 * until both have booted (90 s) in BACKUP and lb1's Master_Down_Timer
 * (3.60546875 s at priority 101) ends first: the outage is [60, 93.605) s.
 * A request sent at s sends SYNs at s, s+1, s+3, s+7 before its 10 s
 * time-out, so it fails with vip_unreachable iff s + 7 < 93.605: its count
 * is Poisson(rate x 26.605 s); those sent in the last 7 s connect late. */
static void a_long_outage_ends_in_vip_unreachable(void **state)
{
	(void)state;
	const double rate = 500;
	struct model_config cfg;
	config_with_lb_failure(&cfg, 0, FAILURE_CRASH, 60 * S, 30 * S);
	cfg.failures[0].nodes[1] = (struct failure_node){TIER_LB, 1};
	cfg.failures[0].nnodes = 2;
	cfg.wl.rate_per_s = rate;
	cfg.wl.retries = 0;
	struct model_results r;
	struct event_log log;
	run_watched(&cfg, 0, &r, &log);
	const struct model_event *back = find(&log, MODEL_EVENT_VIP_MOVED, "lb1", 60 * S, 0);
	assert_non_null(back);
	assert_int_equal(back->at_ns, 93 * S + 605468750);
	double want = rate * (sim_ns_to_s(back->at_ns) - 7 - 60), got = (double)r.errors[ERR_VIP_UNREACHABLE];
	print_message("  vip_unreachable %.0f (Poisson mean %.0f), client_timeout %llu\n", got, want,
		      (unsigned long long)r.errors[ERR_CLIENT_TIMEOUT]);
	assert_true(fabs(got - want) <= 3.29 * sqrt(want));
	assert_int_equal(r.failed, r.errors[ERR_VIP_UNREACHABLE] + r.errors[ERR_CLIENT_TIMEOUT]);
	model_results_fini(&r);
	model_config_fini(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(crash_vrrp2_vip_moves_3_609375_s_after_the_last_advert),
		cmocka_unit_test(crash_vrrp3_advert_2s_vip_moves_7_21875_s_after_the_last_advert),
		cmocka_unit_test(crash_delay_over_replications_is_uniform_with_mean_3_109_s),
		cmocka_unit_test(process_death_vip_moves_skew_after_the_track_script_fails),
		cmocka_unit_test(returning_master_preempts_after_its_master_down_interval),
		cmocka_unit_test(partitioned_master_split_brain_ends_by_priority),
		cmocka_unit_test(partitioned_backup_never_takes_the_vip),
		cmocka_unit_test(requests_in_a_short_outage_see_syn_retransmission_steps),
		cmocka_unit_test(a_long_outage_ends_in_vip_unreachable),
	};
	return cmocka_run_group_tests_name("validation: LB pair failover (keepalived)", tests, NULL,
					   NULL);
}
