/* Replications of the architecture model and warm-up detection; see
 * replications.h. */
#include "replications.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "sim/replicate.h"
#include "sim/warmup.h"

struct run_ctx {
	const struct model_config *cfg;
	const struct model_replicate_opts *opts;
};

static int run_one(void *vctx, unsigned index, void *result)
{
	struct run_ctx *ctx = vctx;
	return model_run_replication(ctx->cfg, index, result);
}

/* The precision rule watches the mean and the p99 of the response time. */
static void precision_metrics(const void *result, double *values)
{
	const struct model_results *r = result;
	values[0] = r->latency_s.mean;
	values[1] = r->latency.count ? sim_histogram_quantile(&r->latency, 0.99) : NAN;
}

static bool enough(void *vctx, const void *results, size_t n)
{
	struct run_ctx *ctx = vctx;
	struct sim_precision_rule rule = {
		.rel = ctx->cfg->precision, .k = 2, .metrics_of = precision_metrics,
		.result_size = sizeof(struct model_results),
	};
	return sim_precision_reached(&rule, results, n);
}

static void progress(void *vctx, size_t done, size_t target)
{
	struct run_ctx *ctx = vctx;
	if (ctx->opts && ctx->opts->progress)
		ctx->opts->progress(ctx->opts->progress_ctx, done, target);
}

int model_replicate(const struct model_config *cfg, const struct model_replicate_opts *opts,
		    struct model_replications *out)
{
	memset(out, 0, sizeof *out);
	struct run_ctx ctx = {cfg, opts};
	size_t min = (size_t)cfg->replications;
	struct sim_replicate_opts ro = {
		.min_reps = min,
		.max_reps = cfg->replications_auto ? (size_t)cfg->max_replications : min,
		.jobs = opts ? opts->jobs : 0,
		.result_size = sizeof(struct model_results),
		.run = run_one,
		.enough = cfg->replications_auto ? enough : NULL,
		.progress = progress,
		.ctx = &ctx,
	};
	if (ro.max_reps < ro.min_reps)
		ro.max_reps = ro.min_reps;
	struct sim_replicate_outcome oc;
	int rc = sim_replicate_run(&ro, &oc);
	out->results = oc.results;
	out->n = oc.n;
	out->precision_met = oc.precision_met;
	out->interrupted = oc.interrupted;
	if (rc) {
		/* Only the prefix that ran is valid; release what it holds. */
		model_replications_fini(out);
	}
	return rc;
}

void model_replications_fini(struct model_replications *r)
{
	for (size_t i = 0; i < r->n; i++)
		model_results_fini(&r->results[i]);
	free(r->results);
	memset(r, 0, sizeof *r);
}

int model_detect_warmup(const struct model_config *cfg, struct model_warmup *out)
{
	memset(out, 0, sizeof *out);
	struct model_config pilot = *cfg; /* shallow: read-only use of the same distributions */
	pilot.warmup_ns = 0;
	struct model_results r;
	int rc = model_run_replication(&pilot, 0, &r);
	if (rc)
		return rc;
	double *series = malloc((r.nwindows ? r.nwindows : 1) * sizeof *series);
	if (!series) {
		model_results_fini(&r);
		return ENOMEM;
	}
	/* Windows without completions carry the previous mean forward, so an
	 * idle moment does not read as a drop in response time. */
	double last = 0;
	for (size_t w = 0; w < r.nwindows; w++) {
		const struct model_window *win = &r.windows[w];
		if (win->completed)
			last = win->latency_sum_s / (double)win->completed;
		series[w] = last;
	}
	struct sim_warmup mser = sim_warmup_mser(series, r.nwindows, 5);
	out->windows = r.nwindows;
	out->found = mser.found;
	out->warmup_ns = mser.found ? (int64_t)mser.truncate * cfg->window_ns : cfg->duration_ns / 2;
	free(series);
	model_results_fini(&r);
	return 0;
}
