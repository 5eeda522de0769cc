/* The availability report: yearly availability, downtime and nines with
 * their 95% CIs, downtime by cause, and the states measured (what each
 * distinct state cost per request and how much of the horizon it took). */
#include "availability.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include <jansson.h>

#include "sim/ci.h"

struct figures {
	struct sim_ci unavail;        /* share of requests lost */
	struct sim_ci downtime_min;   /* per year */
	double nines, nines_lo, nines_hi; /* NAN when undefined */
	double failures_per_year, failovers_per_year;
};

static double nines_of(double u) { return u > 0 ? -log10(u) : NAN; }

static struct sim_ci scaled(struct sim_ci c, double k)
{
	c.mean *= k, c.lo *= k, c.hi *= k, c.half_width *= k;
	return c;
}

static void figures_of(const struct avail_results *r, struct figures *f)
{
	f->unavail = sim_ci_of(r->unavailability, r->nreplications, 0.95);
	if (f->unavail.lo < 0)
		f->unavail.lo = 0;
	f->downtime_min = scaled(f->unavail, RPT_MINUTES_PER_YEAR);
	f->nines = nines_of(f->unavail.mean);
	f->nines_lo = nines_of(f->unavail.hi);
	f->nines_hi = nines_of(f->unavail.lo);
	double years = r->horizon_s / (RPT_MINUTES_PER_YEAR * 60);
	double nf = 0, nfo = 0;
	for (size_t i = 0; i < r->nreplications; i++)
		nf += (double)r->failures[i], nfo += (double)r->failovers[i];
	f->failures_per_year = nf / (double)r->nreplications / years;
	f->failovers_per_year = nfo / (double)r->nreplications / years;
}

/* The downtime of cause c, minutes per year, over the replications. */
static struct sim_ci cause_ci(const struct avail_results *r, size_t c)
{
	double x[AVAIL_MAX_REPS];
	for (size_t i = 0; i < r->nreplications; i++)
		x[i] = r->cause_downtime_s[i * r->ncauses + c] / r->horizon_s;
	struct sim_ci ci = sim_ci_of(x, r->nreplications, 0.95);
	if (ci.lo < 0)
		ci.lo = 0;
	return scaled(ci, RPT_MINUTES_PER_YEAR);
}

static double total_time_s(const struct avail_results *r)
{
	return r->horizon_s * (double)r->nreplications;
}

/* ---------------------------------------------------------------- text */

static void print_num(FILE *out, const char *fmt, double x)
{
	if (isfinite(x))
		fprintf(out, fmt, x);
	else
		fputs("-", out);
}

int rpt_availability_text(const struct rpt_availability *a, FILE *out)
{
	const struct avail_results *r = a->res;
	struct figures f;
	figures_of(r, &f);
	fprintf(out, "tiersim availability: %s  (seed %llu, horizon %.0f d, %zu replications)\n\n",
		a->scenario, (unsigned long long)a->seed, r->horizon_s / 86400.0, r->nreplications);
	fprintf(out, "  availability        %.6f%%   95%% CI [%.6f%%, %.6f%%]\n",
		100 * (1 - f.unavail.mean), 100 * (1 - f.unavail.hi), 100 * (1 - f.unavail.lo));
	fprintf(out, "  downtime            %.2f min/year   95%% CI [%.2f, %.2f]\n",
		f.downtime_min.mean, f.downtime_min.lo, f.downtime_min.hi);
	fputs("  nines               ", out);
	print_num(out, "%.2f", f.nines);
	fputs("   95% CI [", out);
	print_num(out, "%.2f", f.nines_lo);
	fputs(", ", out);
	print_num(out, "%.2f", f.nines_hi);
	fputs("]\n", out);
	fprintf(out, "  node failures       %.1f /year, of which %.1f opened a failover or detection window\n\n",
		f.failures_per_year, f.failovers_per_year);
	fputs("downtime by cause (min/year, 95% CI)\n", out);
	for (size_t c = 0; c < r->ncauses; c++) {
		struct sim_ci ci = cause_ci(r, c);
		fprintf(out, "  %-28s %10.3f  [%.3f, %.3f]\n", r->causes[c], ci.mean, ci.lo, ci.hi);
	}
	fputs("\nstates measured (U up, D down, W in its detection/failover window;\n"
	      "the VIP holder shown as lb1, the db primary as db1)\n  nodes: ", out);
	for (int i = 0; i < r->nnodes; i++)
		fprintf(out, "%s%s", i ? " " : "", r->node_names[i]);
	fputs("\n", out);
	fprintf(out, "  %-24s %12s %14s %10s\n", "state", "success", "share of time", "window_s");
	for (size_t s = 0; s < r->nstates; s++) {
		const struct avail_state *st = &r->states[s];
		fprintf(out, "  %-24s %12.6f %14.3e %10.3f\n", st->key, st->success_ratio,
			st->time_s / total_time_s(r), st->window_s);
	}
	return ferror(out) ? EIO : 0;
}

/* ---------------------------------------------------------------- JSON */

struct jb {
	bool ok;
};

static json_t *num(double x) { return isfinite(x) ? json_real(x) : json_null(); }

static void set(struct jb *b, json_t *obj, const char *key, json_t *value)
{
	if (!obj || !value || json_object_set_new(obj, key, value) != 0)
		b->ok = false;
}

static void push(struct jb *b, json_t *arr, json_t *value)
{
	if (!arr || !value || json_array_append_new(arr, value) != 0)
		b->ok = false;
}

static json_t *interval(struct jb *b, double lo, double hi)
{
	if (!isfinite(lo) || !isfinite(hi))
		return json_null();
	json_t *arr = json_array();
	push(b, arr, json_real(lo));
	push(b, arr, json_real(hi));
	return arr;
}

static json_t *estimate(struct jb *b, double mean, double lo, double hi)
{
	json_t *o = json_object();
	set(b, o, "mean", num(mean));
	set(b, o, "ci95", interval(b, lo, hi));
	return o;
}

int rpt_availability_json(const struct rpt_availability *a, FILE *out)
{
	const struct avail_results *r = a->res;
	struct figures f;
	figures_of(r, &f);
	struct jb b = {.ok = true};
	json_t *root = json_object();
	set(&b, root, "scenario", json_string(a->scenario));
	set(&b, root, "seed", json_integer((json_int_t)a->seed));
	set(&b, root, "horizon_s", json_real(r->horizon_s));
	set(&b, root, "replications", json_integer((json_int_t)r->nreplications));
	set(&b, root, "state_replications", json_integer((json_int_t)r->state_replications));
	set(&b, root, "state_measure_s", json_real((double)a->opts->state_measure_ns * 1e-9));
	set(&b, root, "availability", estimate(&b, 1 - f.unavail.mean, 1 - f.unavail.hi,
					       1 - f.unavail.lo));
	set(&b, root, "unavailability", estimate(&b, f.unavail.mean, f.unavail.lo, f.unavail.hi));
	set(&b, root, "downtime_min_per_year", estimate(&b, f.downtime_min.mean, f.downtime_min.lo,
						       f.downtime_min.hi));
	set(&b, root, "nines", estimate(&b, f.nines, f.nines_lo, f.nines_hi));
	set(&b, root, "failures_per_year", num(f.failures_per_year));
	set(&b, root, "failovers_per_year", num(f.failovers_per_year));
	json_t *causes = json_array();
	for (size_t c = 0; c < r->ncauses; c++) {
		struct sim_ci ci = cause_ci(r, c);
		json_t *o = json_object();
		set(&b, o, "cause", json_string(r->causes[c]));
		set(&b, o, "downtime_min_per_year", estimate(&b, ci.mean, ci.lo, ci.hi));
		push(&b, causes, o);
	}
	set(&b, root, "downtime_by_cause", causes);
	json_t *nodes = json_array();
	for (int i = 0; i < r->nnodes; i++)
		push(&b, nodes, json_string(r->node_names[i]));
	set(&b, root, "nodes", nodes);
	json_t *states = json_array();
	for (size_t s = 0; s < r->nstates; s++) {
		const struct avail_state *st = &r->states[s];
		json_t *o = json_object();
		set(&b, o, "state", json_string(st->key));
		set(&b, o, "cause", json_string(r->causes[st->cause]));
		set(&b, o, "success_ratio", num(st->success_ratio));
		set(&b, o, "time_share", num(st->time_s / total_time_s(r)));
		set(&b, o, "window_s", num(st->window_s));
		push(&b, states, o);
	}
	set(&b, root, "states", states);
	int rc = 0;
	if (!b.ok)
		rc = ENOMEM;
	else if (json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
					       JSON_REAL_PRECISION(10)) != 0 ||
		 fputc('\n', out) == EOF)
		rc = EIO;
	json_decref(root);
	return rc;
}

int rpt_availability_text_writer(const void *ctx, FILE *out)
{
	return rpt_availability_text(ctx, out);
}

int rpt_availability_json_writer(const void *ctx, FILE *out)
{
	return rpt_availability_json(ctx, out);
}
