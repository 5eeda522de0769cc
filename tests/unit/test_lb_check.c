/* HAProxy active health checks (models/lb_check): the health state machine,
 * srv_getinter, completion-relative scheduling, startup spread, and the
 * detection and recovery times of ../shared/DOMAIN.md 1.3 and predictions
 * 6, 7 and 8, with exact instants where the schedule is known and a seeded
 * sweep of failure instants for the distribution over the phase. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <gsl/gsl_rng.h>
#include <math.h>

#include "models/lb_check.h"
#include "sim/ci.h"
#include "sim/engine.h"
#include "sim/rng.h"
#include "sim/time.h"

#define S SIM_NS_PER_S
#define MS SIM_NS_PER_MS
#define NS_MAX 4       /* servers a fixture scripts */
#define SEG_MAX 16
#define SEQ_MAX 64
#define STARTS_MAX 128
#define CHANGES_MAX 32

struct change {
	int server;
	bool up;
	int64_t at_ns;
};

/* What each server's checks see: by time (segments), or, when nseq > 0, by
 * check number (seq). */
struct script {
	int64_t from_ns[SEG_MAX];
	enum lb_check_probe mode[SEG_MAX];
	int nseg;
	enum lb_check_probe seq[SEQ_MAX];
	int nseq;
};

struct fixture {
	struct sim_engine e;
	struct lb_check_set set;
	struct lb_check_config cfg;
	struct script script[NS_MAX];
	int64_t starts_ns[NS_MAX][STARTS_MAX];
	int nstarts[NS_MAX];
	struct change changes[CHANGES_MAX];
	int nchanges;
	bool fini_on_change;
};

/* DOMAIN.md 1.1 defaults: inter 2 s, fastinter = downinter = inter, rise 2,
 * fall 3, no `timeout check`. */
static struct lb_check_config haproxy_defaults(void)
{
	return (struct lb_check_config){
		.inter_ns = 2 * S, .fastinter_ns = 2 * S, .downinter_ns = 2 * S,
		.timeout_ns = 0, .rise = 2, .fall = 3,
	};
}

static enum lb_check_probe probe(void *ctx, int server)
{
	struct fixture *f = ctx;
	assert_in_range(server, 0, NS_MAX - 1);
	struct script *sc = &f->script[server];
	int n = f->nstarts[server];
	assert_true(n < STARTS_MAX);
	f->starts_ns[server][f->nstarts[server]++] = f->e.now_ns;
	if (sc->nseq > 0) {
		assert_true(n < sc->nseq); /* the test scripted enough checks */
		return sc->seq[n];
	}
	enum lb_check_probe mode = LB_CHECK_OK;
	for (int i = 0; i < sc->nseg && sc->from_ns[i] <= f->e.now_ns; i++)
		mode = sc->mode[i];
	return mode;
}

static void on_change(void *ctx, int server, bool up, int64_t now_ns)
{
	struct fixture *f = ctx;
	assert_int_equal(now_ns, f->e.now_ns);
	assert_int_equal(lb_check_is_up(&f->set, server), up);
	assert_true(f->nchanges < CHANGES_MAX);
	f->changes[f->nchanges++] = (struct change){server, up, now_ns};
	if (f->fini_on_change)
		lb_check_fini(&f->set);
}

static struct fixture *fixture_new(struct lb_check_config cfg)
{
	struct fixture *f = test_calloc(1, sizeof *f);
	sim_engine_init(&f->e);
	f->cfg = cfg;
	return f;
}

static void fixture_free(struct fixture *f)
{
	lb_check_fini(&f->set);
	sim_engine_fini(&f->e);
	test_free(f);
}

static void start(struct fixture *f, int nservers, int64_t timeout_connect_ns, int64_t phase_ns)
{
	assert_int_equal(lb_check_init(&f->set, &f->e, &f->cfg, timeout_connect_ns, nservers,
				       phase_ns, probe, on_change, f), 0);
}

/* From from_ns on, checks of `server` see `mode`; calls in time order. */
static void from(struct fixture *f, int server, int64_t from_ns, enum lb_check_probe mode)
{
	struct script *sc = &f->script[server];
	assert_true(sc->nseg < SEG_MAX);
	assert_true(sc->nseg == 0 || sc->from_ns[sc->nseg - 1] <= from_ns);
	sc->from_ns[sc->nseg] = from_ns;
	sc->mode[sc->nseg++] = mode;
}

static void expect_change(const struct fixture *f, int i, int server, bool up, int64_t at_ns)
{
	assert_true(i < f->nchanges);
	assert_int_equal(f->changes[i].server, server);
	assert_int_equal(f->changes[i].up, up);
	assert_int_equal(f->changes[i].at_ns, at_ns);
}

static void expect_starts(const struct fixture *f, int server, const int64_t *want_ns, int n)
{
	assert_true(f->nstarts[server] >= n);
	for (int i = 0; i < n; i++)
		assert_int_equal(f->starts_ns[server][i], want_ns[i]);
}

/* One server, checks at phase + k * inter while healthy, failing with `mode`
 * from fail_ns on: the time from fail_ns to the mark-down. */
static int64_t down_delay_ns(struct lb_check_config cfg, int64_t timeout_connect_ns,
			     int64_t phase_ns, int64_t fail_ns, enum lb_check_probe mode)
{
	struct fixture *f = fixture_new(cfg);
	from(f, 0, fail_ns, mode);
	start(f, 1, timeout_connect_ns, phase_ns);
	sim_engine_run(&f->e, fail_ns + 120 * S);
	assert_int_equal(f->nchanges, 1);
	expect_change(f, 0, 0, false, f->changes[0].at_ns);
	int64_t d = f->changes[0].at_ns - fail_ns;
	fixture_free(f);
	return d;
}

/* ------------------------------------------------------------ schedule */

static void servers_start_fully_up_with_first_checks_spread_over_inter(void **state)
{
	(void)state;
	struct fixture *f = fixture_new(haproxy_defaults());
	start(f, 4, 5 * S, 250 * MS);
	for (int k = 0; k < 4; k++) {
		assert_true(lb_check_is_up(&f->set, k));
		assert_int_equal(lb_check_health(&f->set, k), 4); /* rise + fall - 1 */
		assert_int_equal(lb_check_interval_ns(&f->set, k), 2 * S);
	}
	sim_engine_run(&f->e, 10 * S);
	for (int k = 0; k < 4; k++) {
		/* k * inter / 4 + phase, then every inter */
		int64_t first_ns = k * 500 * MS + 250 * MS;
		int64_t want[] = {first_ns, first_ns + 2 * S, first_ns + 4 * S, first_ns + 6 * S};
		expect_starts(f, k, want, 4);
		assert_int_equal(lb_check_health(&f->set, k), 4);
	}
	assert_int_equal(f->nchanges, 0);
	assert_int_equal(f->set.push_failures, 0);
	fixture_free(f);
}

static void stagger_offsets_round_down_to_the_ns(void **state)
{
	(void)state;
	struct fixture *f = fixture_new(haproxy_defaults());
	start(f, 3, 5 * S, 0);
	sim_engine_run(&f->e, 1500 * MS);
	assert_int_equal(f->starts_ns[0][0], 0);
	assert_int_equal(f->starts_ns[1][0], 666666666);  /* floor(2e9 / 3) */
	assert_int_equal(f->starts_ns[2][0], 1333333333); /* floor(4e9 / 3) */
	fixture_free(f);
}

/* ------------------------------------------------------------ prediction 6 */

static void refused_checks_mark_down_fall_checks_later_in_4_to_6_s(void **state)
{
	(void)state;
	/* Checks at phase + 2k s; the failure at 20 s is seen at 20 s + phase
	 * (U' = phase, a check at the failure instant sees it), then fall - 1
	 * more checks fastinter apart: DOWN at U' + (fall - 1) * F. */
	const int64_t phases_ns[] = {0, 1, 700 * MS, 1 * S, 2 * S - 1};
	for (size_t i = 0; i < sizeof phases_ns / sizeof *phases_ns; i++) {
		int64_t d = down_delay_ns(haproxy_defaults(), 5 * S, phases_ns[i], 20 * S,
					  LB_CHECK_REFUSED);
		assert_int_equal(d, phases_ns[i] + 2 * 2 * S);
		assert_true(d >= 4 * S && d < 6 * S);
	}
}

static void refused_checks_with_fastinter_500ms_mark_down_in_1_to_3_s(void **state)
{
	(void)state;
	struct lb_check_config cfg = haproxy_defaults();
	cfg.fastinter_ns = 500 * MS;
	const int64_t phases_ns[] = {0, 1, 1300 * MS, 2 * S - 1};
	for (size_t i = 0; i < sizeof phases_ns / sizeof *phases_ns; i++) {
		int64_t d = down_delay_ns(cfg, 5 * S, phases_ns[i], 20 * S, LB_CHECK_REFUSED);
		assert_int_equal(d, phases_ns[i] + 2 * 500 * MS);
		assert_true(d >= 1 * S && d < 3 * S);
	}
}

/* ------------------------------------------------------------ prediction 7 */

static void black_hole_without_timeout_check_marks_down_in_10_to_12_s(void **state)
{
	(void)state;
	/* timeout check unset: Tc = inter = 2 s whatever timeout connect is. */
	struct lb_check_config cfg = haproxy_defaults();
	assert_int_equal(lb_check_no_answer_ns(&cfg, 5 * S), 2 * S);
	assert_int_equal(lb_check_no_answer_ns(&cfg, 1 * S), 2 * S);
	const int64_t phases_ns[] = {0, 1, 700 * MS, 2 * S - 1};
	for (size_t i = 0; i < sizeof phases_ns / sizeof *phases_ns; i++) {
		/* U + fall * Tc + (fall - 1) * F */
		int64_t d = down_delay_ns(cfg, 1 * S, phases_ns[i], 20 * S, LB_CHECK_NO_ANSWER);
		assert_int_equal(d, phases_ns[i] + 3 * 2 * S + 2 * 2 * S);
		assert_true(d >= 10 * S && d < 12 * S);
	}
}

static void black_hole_check_lasts_min_of_timeout_connect_and_inter_when_timeout_check_set(
	void **state)
{
	(void)state;
	/* The case: inter 2 s, fall 3, timeout (check) 1 s.  HAProxy
	 * bounds the connect by min(timeout connect, inter); a black hole never
	 * connects, so Tc is that bound and `timeout check` never applies. */
	struct lb_check_config cfg = haproxy_defaults();
	cfg.timeout_ns = 1 * S;
	assert_int_equal(lb_check_no_answer_ns(&cfg, 5 * S), 2 * S); /* shipped defaults */
	assert_int_equal(lb_check_no_answer_ns(&cfg, 1 * S), 1 * S);
	assert_int_equal(lb_check_no_answer_ns(&cfg, 0), 2 * S);     /* timeout connect unset */

	const int64_t phases_ns[] = {0, 900 * MS, 2 * S - 1};
	for (size_t i = 0; i < sizeof phases_ns / sizeof *phases_ns; i++) {
		int64_t u = phases_ns[i];
		/* timeout connect 5 s: Tc = 2 s -> U + 3*2 + 2*2 in [10, 12) s */
		int64_t d = down_delay_ns(cfg, 5 * S, u, 20 * S, LB_CHECK_NO_ANSWER);
		assert_int_equal(d, u + 3 * 2 * S + 2 * 2 * S);
		assert_true(d >= 10 * S && d < 12 * S);
		/* timeout connect 1 s: Tc = 1 s -> U + 3*1 + 2*2 in [7, 9) s */
		d = down_delay_ns(cfg, 1 * S, u, 20 * S, LB_CHECK_NO_ANSWER);
		assert_int_equal(d, u + 3 * 1 * S + 2 * 2 * S);
		assert_true(d >= 7 * S && d < 9 * S);
		/* the value of timeout check does not matter to a black hole */
		struct lb_check_config longer = cfg;
		longer.timeout_ns = 30 * S;
		assert_int_equal(down_delay_ns(longer, 1 * S, u, 20 * S, LB_CHECK_NO_ANSWER), d);
		/* a process death (RST) in the same setting: U + 2*2 in [4, 6) s */
		d = down_delay_ns(cfg, 5 * S, u, 20 * S, LB_CHECK_REFUSED);
		assert_int_equal(d, u + 2 * 2 * S);
	}
}

/* ------------------------------------------------------------ prediction 8 */

static void recovery_marks_up_rise_checks_later_in_2_to_4_s(void **state)
{
	(void)state;
	const int64_t phases_ns[] = {0, 1, 1100 * MS, 2 * S - 1};
	for (size_t i = 0; i < sizeof phases_ns / sizeof *phases_ns; i++) {
		int64_t u = phases_ns[i];
		struct fixture *f = fixture_new(haproxy_defaults());
		from(f, 0, 10 * S, LB_CHECK_REFUSED);
		from(f, 0, 40 * S, LB_CHECK_OK);
		start(f, 1, 5 * S, u);
		sim_engine_run(&f->e, 60 * S);
		assert_int_equal(f->nchanges, 2);
		expect_change(f, 0, 0, false, 10 * S + u + 4 * S);
		/* U' + (rise - 1) * F with U' = u in [0, downinter) */
		expect_change(f, 1, 0, true, 40 * S + u + 2 * S);
		int64_t d = f->changes[1].at_ns - 40 * S;
		assert_true(d >= 2 * S && d < 4 * S);
		assert_true(lb_check_is_up(&f->set, 0));
		assert_int_equal(lb_check_health(&f->set, 0), 4);
		fixture_free(f);
	}
}

static void downinter_spaces_checks_while_fully_down_and_fastinter_while_transitional(void **state)
{
	(void)state;
	struct lb_check_config cfg = haproxy_defaults();
	cfg.fastinter_ns = 500 * MS;
	cfg.downinter_ns = 5 * S;
	struct fixture *f = fixture_new(cfg);
	from(f, 0, 10 * S, LB_CHECK_REFUSED);
	from(f, 0, 23 * S, LB_CHECK_OK);
	start(f, 1, 5 * S, 0);
	sim_engine_run(&f->e, 31 * S);
	const int64_t want[] = {
		0, 2 * S, 4 * S, 6 * S, 8 * S,    /* inter: fully up */
		10 * S, 10500 * MS, 11 * S,       /* fastinter: falling; DOWN at 11 s */
		16 * S, 21 * S, 26 * S,           /* downinter: fully down; healthy at 23 s */
		26500 * MS,                       /* fastinter: rising; UP here */
		28500 * MS, 30500 * MS,           /* inter again */
	};
	int n = (int)(sizeof want / sizeof *want);
	assert_int_equal(f->nstarts[0], n);
	expect_starts(f, 0, want, n);
	assert_int_equal(f->nchanges, 2);
	expect_change(f, 0, 0, false, 11 * S);
	expect_change(f, 1, 0, true, 26500 * MS);
	fixture_free(f);
}

/* ------------------------------------------------------------ completion-relative */

static void black_holed_checks_start_interval_plus_timeout_apart(void **state)
{
	(void)state;
	struct lb_check_config cfg = haproxy_defaults();
	cfg.fastinter_ns = 500 * MS;
	cfg.downinter_ns = 5 * S;
	cfg.timeout_ns = 1 * S;
	struct fixture *f = fixture_new(cfg);
	from(f, 0, 10 * S, LB_CHECK_NO_ANSWER);
	from(f, 0, 40 * S, LB_CHECK_OK);
	start(f, 1, 1500 * MS, 0); /* Tc = min(1.5 s, 2 s) */
	assert_int_equal(f->set.no_answer_ns, 1500 * MS);
	sim_engine_run(&f->e, 43 * S);
	const int64_t want[] = {
		0, 2 * S, 4 * S, 6 * S, 8 * S,
		10 * S, 12 * S, 14 * S,            /* fastinter + Tc = 2 s apart */
		20500 * MS, 27 * S, 33500 * MS,    /* downinter + Tc = 6.5 s apart */
		40 * S, 40500 * MS, 42500 * MS,    /* healthy: instant checks again */
	};
	int n = (int)(sizeof want / sizeof *want);
	assert_int_equal(f->nstarts[0], n);
	expect_starts(f, 0, want, n);
	assert_int_equal(f->nchanges, 2);
	/* 10 s + U' + fall * Tc + (fall - 1) * F = 10 + 0 + 4.5 + 1 */
	expect_change(f, 0, 0, false, 15500 * MS);
	expect_change(f, 1, 0, true, 40500 * MS);
	assert_int_equal(f->set.servers[0].failed, 6);
	fixture_free(f);
}

static void probe_is_read_when_a_check_starts(void **state)
{
	(void)state;
	/* Black-holed at 10 s, healthy again at 11 s: the check started at 10 s
	 * still times out at 12 s (seen at start); the next one, 12 s + F,
	 * passes.  Health 4 -> 3 -> 4, never DOWN. */
	struct fixture *f = fixture_new(haproxy_defaults());
	from(f, 0, 10 * S, LB_CHECK_NO_ANSWER);
	from(f, 0, 11 * S, LB_CHECK_OK);
	start(f, 1, 5 * S, 0);
	sim_engine_run(&f->e, 11 * S);
	assert_true(f->set.servers[0].in_progress);
	assert_int_equal(lb_check_health(&f->set, 0), 4);
	sim_engine_run(&f->e, 12 * S);
	assert_false(f->set.servers[0].in_progress);
	assert_int_equal(lb_check_health(&f->set, 0), 3);
	assert_int_equal(lb_check_interval_ns(&f->set, 0), 2 * S); /* fastinter (= inter) */
	sim_engine_run(&f->e, 15 * S);
	const int64_t want[] = {0, 2 * S, 4 * S, 6 * S, 8 * S, 10 * S, 14 * S};
	expect_starts(f, 0, want, 7);
	assert_int_equal(lb_check_health(&f->set, 0), 4);
	assert_int_equal(f->nchanges, 0);
	fixture_free(f);
}

/* ------------------------------------------------------------ state machine */

static struct fixture *scripted(struct lb_check_config cfg, const enum lb_check_probe *seq, int n)
{
	struct fixture *f = fixture_new(cfg);
	assert_true(n <= SEQ_MAX);
	for (int i = 0; i < n; i++)
		f->script[0].seq[i] = seq[i];
	f->script[0].nseq = n;
	start(f, 1, 5 * S, 0);
	return f;
}

/* Fire the checks one event at a time (instant checks: one event each) and
 * compare the health after each with want[]. */
static void expect_health_trace(struct fixture *f, const int *want, int n)
{
	for (int i = 0; i < n; i++) {
		assert_true(sim_engine_step(&f->e));
		assert_int_equal(f->nstarts[0], i + 1);
		assert_int_equal(lb_check_health(&f->set, 0), want[i]);
		assert_int_equal(lb_check_is_up(&f->set, 0), want[i] >= f->cfg.rise);
	}
}

static void one_success_amid_failures_restores_full_health_as_check_c_does(void **state)
{
	(void)state;
	/* src/check.c: health++ then, being >= rise, snapped to rise+fall-1.
	 * (DOMAIN.md 1.2's "+1, not to full" would give 3 after the success
	 * and DOWN at the 6th check.)  DOWN needs `fall` consecutive failures. */
	const enum lb_check_probe R = LB_CHECK_REFUSED, K = LB_CHECK_OK;
	const enum lb_check_probe seq[] = {K, R, R, K, R, R, R, R};
	const int health[] = {4, 3, 2, 4, 3, 2, 0, 0};
	struct fixture *f = scripted(haproxy_defaults(), seq, 8);
	expect_health_trace(f, health, 8);
	assert_int_equal(f->nchanges, 1);
	expect_change(f, 0, 0, false, f->starts_ns[0][6]);
	assert_int_equal(f->set.servers[0].failed, 6);
	fixture_free(f);
}

static void one_failure_while_rising_starts_the_rise_over(void **state)
{
	(void)state;
	const enum lb_check_probe R = LB_CHECK_REFUSED, K = LB_CHECK_OK;
	struct lb_check_config cfg = haproxy_defaults();
	cfg.rise = 3; /* health 0..5, UP at >= 3 */
	const enum lb_check_probe seq[] = {R, R, R, K, K, R, K, K, K, R};
	const int health[] = {4, 3, 0, 1, 2, 0, 1, 2, 5, 4};
	struct fixture *f = scripted(cfg, seq, 10);
	expect_health_trace(f, health, 10);
	assert_int_equal(f->nchanges, 2);
	expect_change(f, 0, 0, false, f->starts_ns[0][2]);
	expect_change(f, 1, 0, true, f->starts_ns[0][8]);
	fixture_free(f);
}

static void fall_1_and_rise_1_change_state_on_a_single_check(void **state)
{
	(void)state;
	const enum lb_check_probe R = LB_CHECK_REFUSED, K = LB_CHECK_OK;
	struct lb_check_config cfg = haproxy_defaults();
	cfg.rise = 1;
	cfg.fall = 1; /* health 0..1 */
	const enum lb_check_probe seq[] = {K, R, R, K, K, R};
	const int health[] = {1, 0, 0, 1, 1, 0};
	struct fixture *f = scripted(cfg, seq, 6);
	expect_health_trace(f, health, 6);
	assert_int_equal(f->nchanges, 3);
	expect_change(f, 0, 0, false, f->starts_ns[0][1]);
	expect_change(f, 1, 0, true, f->starts_ns[0][3]);
	expect_change(f, 2, 0, false, f->starts_ns[0][5]);
	fixture_free(f);
}

/* ------------------------------------------------------------ flapping */

static void alternating_outcomes_never_mark_down_and_alternate_fastinter_and_inter(void **state)
{
	(void)state;
	const enum lb_check_probe R = LB_CHECK_REFUSED, K = LB_CHECK_OK;
	struct lb_check_config cfg = haproxy_defaults();
	cfg.fastinter_ns = 500 * MS;
	enum lb_check_probe seq[SEQ_MAX];
	for (int i = 0; i < SEQ_MAX; i++)
		seq[i] = i % 2 ? K : R;
	struct fixture *f = scripted(cfg, seq, SEQ_MAX);
	sim_engine_run(&f->e, 20 * S);
	/* R at 0 (health 3, fastinter) -> K at 0.5 (4, inter) -> R at 2.5 ... */
	const int64_t want[] = {0, 500 * MS, 2500 * MS, 3 * S, 5 * S, 5500 * MS, 7500 * MS};
	expect_starts(f, 0, want, 7);
	assert_int_equal(f->nchanges, 0);
	assert_true(lb_check_is_up(&f->set, 0));
	fixture_free(f);
}

static void outage_shorter_than_fall_checks_is_never_seen(void **state)
{
	(void)state;
	struct fixture *f = fixture_new(haproxy_defaults());
	from(f, 0, 10 * S, LB_CHECK_REFUSED);
	from(f, 0, 13 * S, LB_CHECK_OK); /* two failed checks: 10.3, 12.3 */
	start(f, 1, 5 * S, 300 * MS);
	sim_engine_run(&f->e, 12500 * MS);
	assert_int_equal(lb_check_health(&f->set, 0), 2);
	assert_true(lb_check_is_up(&f->set, 0));
	sim_engine_run(&f->e, 30 * S);
	assert_int_equal(f->nchanges, 0);
	assert_int_equal(lb_check_health(&f->set, 0), 4);
	assert_int_equal(f->set.servers[0].failed, 2);
	fixture_free(f);
}

static void repeated_outages_mark_down_and_up_each_cycle(void **state)
{
	(void)state;
	struct fixture *f = fixture_new(haproxy_defaults());
	for (int c = 0; c < 3; c++) {
		from(f, 0, (10 + 30 * c) * S, LB_CHECK_REFUSED);
		from(f, 0, (20 + 30 * c) * S, LB_CHECK_OK);
	}
	start(f, 1, 5 * S, 300 * MS); /* every interval 2 s: checks on 0.3 + 2k */
	sim_engine_run(&f->e, 100 * S);
	assert_int_equal(f->nchanges, 6);
	for (int c = 0; c < 3; c++) {
		int64_t base_ns = 30 * c * S + 300 * MS;
		expect_change(f, 2 * c, 0, false, base_ns + 14 * S); /* 10.3 + 2 F */
		expect_change(f, 2 * c + 1, 0, true, base_ns + 22 * S); /* 20.3 + F */
	}
	assert_int_equal(f->set.servers[0].changes, 6);
	fixture_free(f);
}

/* ------------------------------------------------------------ several servers */

static void servers_are_checked_independently(void **state)
{
	(void)state;
	struct fixture *f = fixture_new(haproxy_defaults());
	from(f, 1, 10 * S, LB_CHECK_REFUSED);   /* process death */
	from(f, 2, 10 * S, LB_CHECK_NO_ANSWER); /* host death */
	start(f, 3, 5 * S, 0);
	sim_engine_run(&f->e, 40 * S);
	/* server 1: checks on 0.666666666 + 2k -> sees it at 10.666666666 */
	/* server 2: checks on 1.333333333 + 2k -> 11.333333333 + 3 Tc + 2 F */
	assert_int_equal(f->nchanges, 2);
	expect_change(f, 0, 1, false, 10666666666 + 4 * S);
	expect_change(f, 1, 2, false, 11333333333 + 3 * 2 * S + 2 * 2 * S);
	/* server 0 was checked every inter from 0, unperturbed */
	assert_int_equal(f->nstarts[0], 21);
	for (int i = 0; i < f->nstarts[0]; i++)
		assert_int_equal(f->starts_ns[0][i], 2 * S * i);
	assert_true(lb_check_is_up(&f->set, 0));
	assert_int_equal(lb_check_health(&f->set, 0), 4);
	assert_false(lb_check_is_up(&f->set, 1));
	assert_false(lb_check_is_up(&f->set, 2));
	fixture_free(f);
}

/* ------------------------------------------------------------ life cycle */

static void fini_from_on_change_stops_every_check(void **state)
{
	(void)state;
	struct fixture *f = fixture_new(haproxy_defaults());
	f->fini_on_change = true;
	from(f, 0, 10 * S, LB_CHECK_REFUSED);
	from(f, 1, 10 * S, LB_CHECK_NO_ANSWER);
	start(f, 2, 5 * S, 0);
	sim_engine_run(&f->e, 100 * S);
	assert_int_equal(f->nchanges, 1);
	expect_change(f, 0, 0, false, 14 * S);
	assert_int_equal(sim_calendar_count(&f->e.cal), 0);
	int n0 = f->nstarts[0], n1 = f->nstarts[1];
	sim_engine_run(&f->e, 200 * S);
	assert_int_equal(f->nstarts[0], n0);
	assert_int_equal(f->nstarts[1], n1);
	fixture_free(f); /* a second fini is harmless */
}

static void fini_cancels_a_pending_check_time_out(void **state)
{
	(void)state;
	struct fixture *f = fixture_new(haproxy_defaults());
	from(f, 0, 0, LB_CHECK_NO_ANSWER);
	start(f, 1, 5 * S, 0);
	sim_engine_run(&f->e, 1 * S);
	assert_true(f->set.servers[0].in_progress);
	assert_int_equal(sim_calendar_count(&f->e.cal), 1);
	lb_check_fini(&f->set);
	assert_int_equal(sim_calendar_count(&f->e.cal), 0);
	sim_engine_run(&f->e, 60 * S);
	assert_int_equal(f->set.servers[0].failed, 0);
	assert_int_equal(f->nchanges, 0);
	fixture_free(f);
}

static void init_rejects_out_of_range_arguments(void **state)
{
	(void)state;
	struct fixture *f = fixture_new(haproxy_defaults());
	struct lb_check_config ok = haproxy_defaults(), bad;
	struct lb_check_set *s = &f->set;
	struct sim_engine *e = &f->e;
	assert_int_equal(lb_check_init(s, e, &ok, 5 * S, 0, 0, probe, on_change, f), -1);
	assert_int_equal(lb_check_init(s, e, &ok, 5 * S, LB_CHECK_MAX_SERVERS + 1, 0, probe,
				       on_change, f), -1);
	assert_int_equal(lb_check_init(s, e, &ok, 5 * S, 1, -1, probe, on_change, f), -1);
	assert_int_equal(lb_check_init(s, e, &ok, 5 * S, 1, 0, NULL, on_change, f), -1);
	bad = ok;
	bad.inter_ns = 0;
	assert_int_equal(lb_check_init(s, e, &bad, 5 * S, 1, 0, probe, on_change, f), -1);
	bad = ok;
	bad.fastinter_ns = -1;
	assert_int_equal(lb_check_init(s, e, &bad, 5 * S, 1, 0, probe, on_change, f), -1);
	bad = ok;
	bad.rise = 0;
	assert_int_equal(lb_check_init(s, e, &bad, 5 * S, 1, 0, probe, on_change, f), -1);
	bad = ok;
	bad.fall = 0;
	assert_int_equal(lb_check_init(s, e, &bad, 5 * S, 1, 0, probe, on_change, f), -1);
	assert_int_equal(sim_calendar_count(&e->cal), 0);
	fixture_free(f);
}

static void unset_fastinter_and_downinter_default_to_inter(void **state)
{
	(void)state;
	struct lb_check_config cfg = haproxy_defaults();
	cfg.inter_ns = 3 * S;
	cfg.fastinter_ns = 0;
	cfg.downinter_ns = 0;
	struct fixture *f = fixture_new(cfg);
	start(f, 1, 5 * S, 0);
	assert_int_equal(f->set.fastinter_ns, 3 * S);
	assert_int_equal(f->set.downinter_ns, 3 * S);
	fixture_free(f);
}

static void init_undoes_its_events_when_the_calendar_refuses_one(void **state)
{
	(void)state;
	struct fixture *f = fixture_new(haproxy_defaults());
	sim_calendar_set_max_pending(&f->e.cal, 2);
	assert_int_equal(lb_check_init(&f->set, &f->e, &f->cfg, 5 * S, 3, 0, probe, on_change, f),
			 -1);
	assert_int_equal(sim_calendar_count(&f->e.cal), 0);
	assert_int_equal(f->set.push_failures, 1);
	sim_engine_run(&f->e, 10 * S);
	assert_int_equal(f->nstarts[0], 0);
	fixture_free(f);
}

/* ------------------------------------------------------------ seeded sweeps */

struct sweep {
	struct lb_check_config cfg;
	int64_t timeout_connect_ns;
	enum lb_check_probe mode;
	int64_t lo_ns, hi_ns; /* the formula's window [lo, hi) */
	double mean_s;        /* the formula's mean */
	const char *stream;
};

#define SWEEP_N 2000

/* Failure instants uniform over one inter, schedule phases uniform too: the
 * mark-down delay must stay in [lo, hi), come within 1 % of inter of both
 * ends, have the uniform's standard deviation inter / sqrt(12) within 5 %,
 * and a 99 % CI on its mean that holds the formula's mean. */
static void run_sweep(const struct sweep *sw)
{
	static double delays_s[SWEEP_N];
	gsl_rng *r = sim_rng_stream_create(20240601, 0, sw->stream);
	assert_non_null(r);
	int64_t inter_ns = sw->cfg.inter_ns;
	int64_t min_ns = INT64_MAX, max_ns = INT64_MIN;
	double sum = 0, sum2 = 0;
	for (int i = 0; i < SWEEP_N; i++) {
		int64_t phase_ns = (int64_t)(gsl_rng_uniform(r) * (double)inter_ns);
		int64_t fail_ns = 20 * S + (int64_t)(gsl_rng_uniform(r) * (double)inter_ns);
		int64_t d = down_delay_ns(sw->cfg, sw->timeout_connect_ns, phase_ns, fail_ns, sw->mode);
		assert_true(d >= sw->lo_ns);
		assert_true(d < sw->hi_ns);
		min_ns = d < min_ns ? d : min_ns;
		max_ns = d > max_ns ? d : max_ns;
		delays_s[i] = sim_ns_to_s(d);
		sum += delays_s[i];
		sum2 += delays_s[i] * delays_s[i];
	}
	gsl_rng_free(r);
	assert_true(min_ns < sw->lo_ns + inter_ns / 100);
	assert_true(max_ns > sw->hi_ns - inter_ns / 100);
	double mean = sum / SWEEP_N;
	double sd = sqrt((sum2 - SWEEP_N * mean * mean) / (SWEEP_N - 1));
	double want_sd = sim_ns_to_s(inter_ns) / sqrt(12.0);
	assert_true(fabs(sd - want_sd) < 0.05 * want_sd);
	struct sim_ci ci = sim_ci_of(delays_s, SWEEP_N, 0.99);
	assert_true(sim_ci_contains(&ci, sw->mean_s));
	assert_true(ci.half_width < 0.05);
}

static void sweep_refused_mark_down_delay_is_uniform_over_4_to_6_s(void **state)
{
	(void)state;
	run_sweep(&(struct sweep){haproxy_defaults(), 5 * S, LB_CHECK_REFUSED, 4 * S, 6 * S, 5.0,
				  "test.lb_check.sweep.refused"});
}

static void sweep_refused_with_fastinter_500ms_mark_down_delay_is_uniform_over_1_to_3_s(
	void **state)
{
	(void)state;
	struct lb_check_config cfg = haproxy_defaults();
	cfg.fastinter_ns = 500 * MS;
	run_sweep(&(struct sweep){cfg, 5 * S, LB_CHECK_REFUSED, 1 * S, 3 * S, 2.0,
				  "test.lb_check.sweep.fastinter"});
}

static void sweep_black_hole_mark_down_delay_is_uniform_over_10_to_12_s(void **state)
{
	(void)state;
	run_sweep(&(struct sweep){haproxy_defaults(), 5 * S, LB_CHECK_NO_ANSWER, 10 * S, 12 * S,
				  11.0, "test.lb_check.sweep.black_hole"});
}

static void sweep_black_hole_with_timeout_check_and_1s_connect_is_uniform_over_7_to_9_s(
	void **state)
{
	(void)state;
	struct lb_check_config cfg = haproxy_defaults();
	cfg.timeout_ns = 1 * S; /* Tc = min(1 s, 2 s): U + 3 + 4 */
	run_sweep(&(struct sweep){cfg, 1 * S, LB_CHECK_NO_ANSWER, 7 * S, 9 * S, 8.0,
				  "test.lb_check.sweep.black_hole_tc1"});
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(servers_start_fully_up_with_first_checks_spread_over_inter),
		cmocka_unit_test(stagger_offsets_round_down_to_the_ns),
		cmocka_unit_test(refused_checks_mark_down_fall_checks_later_in_4_to_6_s),
		cmocka_unit_test(refused_checks_with_fastinter_500ms_mark_down_in_1_to_3_s),
		cmocka_unit_test(black_hole_without_timeout_check_marks_down_in_10_to_12_s),
		cmocka_unit_test(
			black_hole_check_lasts_min_of_timeout_connect_and_inter_when_timeout_check_set),
		cmocka_unit_test(recovery_marks_up_rise_checks_later_in_2_to_4_s),
		cmocka_unit_test(
			downinter_spaces_checks_while_fully_down_and_fastinter_while_transitional),
		cmocka_unit_test(black_holed_checks_start_interval_plus_timeout_apart),
		cmocka_unit_test(probe_is_read_when_a_check_starts),
		cmocka_unit_test(one_success_amid_failures_restores_full_health_as_check_c_does),
		cmocka_unit_test(one_failure_while_rising_starts_the_rise_over),
		cmocka_unit_test(fall_1_and_rise_1_change_state_on_a_single_check),
		cmocka_unit_test(
			alternating_outcomes_never_mark_down_and_alternate_fastinter_and_inter),
		cmocka_unit_test(outage_shorter_than_fall_checks_is_never_seen),
		cmocka_unit_test(repeated_outages_mark_down_and_up_each_cycle),
		cmocka_unit_test(servers_are_checked_independently),
		cmocka_unit_test(fini_from_on_change_stops_every_check),
		cmocka_unit_test(fini_cancels_a_pending_check_time_out),
		cmocka_unit_test(init_rejects_out_of_range_arguments),
		cmocka_unit_test(unset_fastinter_and_downinter_default_to_inter),
		cmocka_unit_test(init_undoes_its_events_when_the_calendar_refuses_one),
		cmocka_unit_test(sweep_refused_mark_down_delay_is_uniform_over_4_to_6_s),
		cmocka_unit_test(
			sweep_refused_with_fastinter_500ms_mark_down_delay_is_uniform_over_1_to_3_s),
		cmocka_unit_test(sweep_black_hole_mark_down_delay_is_uniform_over_10_to_12_s),
		cmocka_unit_test(
			sweep_black_hole_with_timeout_check_and_1s_connect_is_uniform_over_7_to_9_s),
	};
	return cmocka_run_group_tests_name("lb_check", tests, NULL, NULL);
}
