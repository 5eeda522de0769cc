/* The classic hold model: the standard benchmark for event calendars.
 *
 * A fixed population of PENDING events; each event, when it fires, schedules
 * one new event at now + Exp(mean 1 s).  The calendar size stays constant, so
 * the cost per event is the steady-state cost of one pop and one push at that
 * size (Vaucher and Duval 1975; Jones 1986).
 *
 * Three lines of JSON are printed:
 *  - "hold": through sim_engine_run with a callback per event, as models use
 *    the engine (includes the exponential draw and the indirect call);
 *  - "hold_raw": the bare sim_calendar_push/pop loop with the same draws,
 *    so the difference is the engine's overhead;
 *  - "hold_raw_predrawn": the same loop cycling through a table of 2^16
 *    increments drawn beforehand, so what remains is the calendar alone.
 *
 * Memory must stay flat however long a run is (no per-event allocation):
 * compare peak_rss_kb between `bench_hold 1000000` and `bench_hold 100000000`;
 * they should agree within a few hundred KB (the calendar's arrays are sized
 * by the pending count only).  peak_rss_kb is the process peak so far, so
 * compare line for line between the two runs.  Measured here (ladder
 * queue): 3956 KB at 1e6 events and 3960 KB at 1e8 for the "hold" line.
 *
 * Usage: bench_hold [events] (default 2e7). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include <gsl/gsl_rng.h>

#include "sim/calendar.h"
#include "sim/dist.h"
#include "sim/engine.h"
#include "sim/rng.h"
#include "sim/time.h"

#define PENDING 10000
#define SEED 1
#define MEAN_NS 1e9 /* mean hold time: 1 s */

struct hold {
	gsl_rng *rng;
	const struct sim_dist *dist; /* the hold time, Exp(MEAN_NS) */
	uint64_t events;   /* events to fire in total */
};

/* Drawn through sim_dist_sample_ns, as models draw, so the bench measures
 * what a model pays per draw. */
static int64_t hold_ns(const struct sim_dist *d, gsl_rng *r)
{
	return sim_dist_sample_ns(d, r);
}

static void hold_fire(struct sim_engine *e, void *obj, uint64_t arg)
{
	struct hold *h = obj;

	if (e->events_fired >= h->events) {
		sim_engine_stop(e);
		return;
	}
	sim_engine_after(e, hold_ns(h->dist, h->rng), hold_fire, h, arg);
}

static double wall_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static long peak_rss_kb(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss; /* kilobytes on Linux */
}

static void report(const char *name, uint64_t events, double secs)
{
	printf("{\"bench\": \"%s\", \"pending\": %d, \"events\": %llu, \"wall_s\": %.3f, "
	       "\"events_per_s\": %.0f, \"peak_rss_kb\": %ld}\n",
	       name, PENDING, (unsigned long long)events, secs, (double)events / secs,
	       peak_rss_kb());
	fflush(stdout);
}

static int bench_engine(const struct sim_dist *d, uint64_t events)
{
	struct sim_engine e;
	struct hold h = { .rng = sim_rng_stream_create(SEED, 0, "hold"), .dist = d,
			  .events = events };

	if (!h.rng)
		return -1;
	sim_engine_init(&e);
	for (int i = 0; i < PENDING; i++)
		sim_engine_at(&e, hold_ns(d, h.rng), hold_fire, &h, 0);

	double t0 = wall_s();
	enum sim_run_status st = sim_engine_run(&e, SIM_TIME_NEVER);
	double secs = wall_s() - t0;

	report("hold", e.events_fired, secs);
	sim_engine_fini(&e);
	gsl_rng_free(h.rng);
	return st == SIM_RUN_STOPPED ? 0 : -1;
}

static void noop_fn(struct sim_engine *e, void *obj, uint64_t arg)
{
	(void)e;
	(void)obj;
	(void)arg;
}

static int bench_raw(const struct sim_dist *d, uint64_t events)
{
	struct sim_calendar c;
	struct sim_event ev;
	gsl_rng *r = sim_rng_stream_create(SEED, 0, "hold");

	if (!r)
		return -1;
	sim_calendar_init(&c, PENDING);
	for (int i = 0; i < PENDING; i++)
		sim_calendar_push(&c, hold_ns(d, r), noop_fn, NULL, 0);

	double t0 = wall_s();
	for (uint64_t n = 0; n < events; n++) {
		sim_calendar_pop(&c, &ev);
		sim_calendar_push(&c, ev.at_ns + hold_ns(d, r), ev.fn, ev.obj, ev.arg);
	}
	double secs = wall_s() - t0;

	report("hold_raw", events, secs);
	sim_calendar_fini(&c);
	gsl_rng_free(r);
	return 0;
}

#define TABLE_SIZE 65536 /* power of two: the index wraps with a mask */

static int bench_raw_predrawn(const struct sim_dist *d, uint64_t events)
{
	struct sim_calendar c;
	struct sim_event ev;
	gsl_rng *r = sim_rng_stream_create(SEED, 0, "hold");
	int64_t *table = malloc(TABLE_SIZE * sizeof(*table));

	if (!r || !table) {
		gsl_rng_free(r);
		free(table);
		return -1;
	}
	for (int i = 0; i < TABLE_SIZE; i++)
		table[i] = hold_ns(d, r);
	sim_calendar_init(&c, PENDING);
	for (int i = 0; i < PENDING; i++)
		sim_calendar_push(&c, hold_ns(d, r), noop_fn, NULL, 0);

	double t0 = wall_s();
	for (uint64_t n = 0; n < events; n++) {
		sim_calendar_pop(&c, &ev);
		sim_calendar_push(&c, ev.at_ns + table[n & (TABLE_SIZE - 1)], ev.fn, ev.obj,
				  ev.arg);
	}
	double secs = wall_s() - t0;

	report("hold_raw_predrawn", events, secs);
	sim_calendar_fini(&c);
	gsl_rng_free(r);
	free(table);
	return 0;
}

int main(int argc, char **argv)
{
	uint64_t events = 20000000;

	if (argc > 1) {
		char *end;
		errno = 0;
		double v = strtod(argv[1], &end); /* accepts 2e7 as well as 20000000 */
		if (errno || *end || v < 1 || v > 1e15) {
			fprintf(stderr, "usage: %s [events]\n", argv[0]);
			return 2;
		}
		events = (uint64_t)v;
	}
	struct sim_dist hold;
	sim_dist_init_exp(&hold, MEAN_NS);
	int failed = bench_engine(&hold, events) != 0 || bench_raw(&hold, events) != 0 ||
		     bench_raw_predrawn(&hold, events) != 0;
	sim_dist_fini(&hold);
	if (failed) {
		fprintf(stderr, "%s: benchmark failed\n", argv[0]);
		return 1;
	}
	return 0;
}
