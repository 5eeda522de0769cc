/* Many configurations over worker threads; see points.h.
 *
 * A point that fails to load (a combination of --vary values the validator
 * refuses) or to run stops the batch: the pool reports the first error in
 * position order, so the message does not depend on -j either. */
#include "points.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "models/limits.h"
#include "models/replications.h"
#include "report/summary.h"
#include "sim/interrupt.h"
#include "sim/replicate.h"
#include "sim/time.h"

struct batch {
	const struct cli_points *p;
	int inner_jobs;
	bool bar;
	struct timespec started;
	pthread_mutex_t lock;          /* guards why */
	char why[512];
	size_t why_index;
	bool have_why;
};

static void note(struct batch *b, size_t i, const char *msg)
{
	pthread_mutex_lock(&b->lock);
	if (!b->have_why || i < b->why_index) {
		snprintf(b->why, sizeof b->why, "%s", msg);
		b->why_index = i;
		b->have_why = true;
	}
	pthread_mutex_unlock(&b->lock);
}

enum { POINT_BAD_INPUT = 1, POINT_NO_MEMORY = 2 };

static int run_point(void *vctx, unsigned index, void *result)
{
	struct batch *b = vctx;
	const struct cli_points *p = b->p;
	struct model_config cfg;
	char why[400] = "";
	if (p->config(p->ctx, index, &cfg, why, sizeof why)) {
		model_config_fini(&cfg);
		note(b, index, why);
		return POINT_BAD_INPUT;
	}
	int rc = 0;
	if (cfg.warmup_auto) {
		struct model_warmup w;
		rc = model_detect_warmup(&cfg, &w);
		cfg.warmup_ns = w.warmup_ns;
	}
	struct model_replications reps = {0};
	struct model_replicate_opts ro = {.jobs = b->inner_jobs};
	if (!rc)
		rc = model_replicate(&cfg, &ro, &reps);
	if (!rc && reps.interrupted) {
		/* Cut short by a Ctrl-C (its warm-up detection too): not a
		 * point of the answer, and not an error either. */
		model_replications_fini(&reps);
		model_config_fini(&cfg);
		return 0;
	}
	struct rpt_summary s;
	struct rpt_run_info info = {
		.seed = cfg.seed,
		.duration_s = sim_ns_to_s(cfg.duration_ns),
		.warmup_s = sim_ns_to_s(cfg.warmup_ns),
		.extra_slo = p->extra_slo,
		.nextra_slo = p->nextra_slo,
	};
	if (!rc) {
		rc = rpt_summary_build(&cfg, reps.results, reps.n, NULL, &info, &s);
		model_replications_fini(&reps);
		if (!rc) {
			rpt_point_from_summary(&s, index, result);
			rpt_summary_fini(&s);
		}
	}
	model_config_fini(&cfg);
	if (rc) {
		note(b, index, strerror(rc));
		return POINT_NO_MEMORY;
	}
	if (p->complete)
		p->complete[index] = true; /* its own slot: no lock needed */
	return 0;
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) + 1e-9 * (double)(now.tv_nsec - t0->tv_nsec);
}

/* [#########.........] 37/100  12 s */
static void progress(void *vctx, size_t done, size_t target)
{
	struct batch *b = vctx;
	if (!b->bar)
		return;
	enum { WIDTH = 30 };
	size_t full = target ? done * WIDTH / target : WIDTH;
	char bar[WIDTH + 1];
	for (size_t i = 0; i < WIDTH; i++)
		bar[i] = i < full ? '#' : '.';
	bar[WIDTH] = '\0';
	fprintf(stderr, "\r%s [%s] %zu/%zu  %.0f s", b->p->progress_label, bar, done, target,
		seconds_since(&b->started));
	if (done >= target)
		fputs("\r\033[K", stderr);
	fflush(stderr);
}

int cli_points_run(const struct cli_points *p, struct rpt_point *rows)
{
	if (p->n == 0)
		return 0;
	int jobs = model_limits_jobs(p->max_memory_bytes, p->jobs);
	struct batch b = {
		.p = p,
		/* Fewer points than threads: the points' replications share the rest. */
		.inner_jobs = (size_t)jobs > p->n ? (int)((size_t)jobs / p->n) : 1,
		.bar = p->progress_label && isatty(STDERR_FILENO),
	};
	clock_gettime(CLOCK_MONOTONIC, &b.started);
	pthread_mutex_init(&b.lock, NULL);
	struct sim_replicate_opts ro = {
		.min_reps = p->n,
		.max_reps = p->n,
		.jobs = jobs,
		.result_size = sizeof(struct rpt_point),
		.run = run_point,
		.progress = progress,
		.ctx = &b,
	};
	/* Ctrl-C stops the points in progress (sim/interrupt.h); the caller
	 * reports the complete ones, marked partial. */
	(void)sim_interrupt_install();
	struct sim_replicate_outcome oc;
	int rc = sim_replicate_run(&ro, &oc);
	if (b.bar && oc.n < p->n)
		fputs("\r\033[K", stderr);
	if (!rc || oc.interrupted)
		memcpy(rows, oc.results, oc.n * sizeof *rows);
	free(oc.results);
	pthread_mutex_destroy(&b.lock);
	if (oc.interrupted && rc != POINT_BAD_INPUT)
		return sim_interrupt_exit_status();
	if (rc == POINT_BAD_INPUT) {
		fprintf(stderr, "%s\n", b.why);
		return CLI_EXIT_USAGE;
	}
	if (rc) {
		fprintf(stderr, "tiersim: %s\n", b.have_why ? b.why : strerror(rc));
		return CLI_EXIT_FAILURE;
	}
	return 0;
}
