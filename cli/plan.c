/* `tiersim plan`: the cheapest node counts meeting the SLOs at a load, or
 * the highest load a configuration sustains within them.
 *
 * The answer always rests on simulation; queueing theory only bounds and
 * guides the search (models/capacity.h):
 *
 * --load RATE (cheapest counts).  The utilization law gives each sized tier
 * (web, app, db; the LB pair is active/standby and stays as the scenario has
 * it) a hard lower bound: below it a station is at utilization >= 1.  From
 * there the M/M/c approximation adds nodes, best SLO gain per unit of cost
 * first, until it believes every SLO is met: that is the first candidate.
 * Simulation then corrects it: while a candidate misses, one node goes to
 * the bottleneck tier of the variant that missed (up phase); once one meets,
 * one node at a time is taken away, the most expensive tier first, as long
 * as the result still meets (down phase).  A candidate with no more nodes in
 * any tier than one that missed is not simulated: more nodes never make a
 * tier slower (monotonicity, the search's one assumption).  The answer is
 * the candidate at which no single node can be removed: cheapest among its
 * neighbours, and the cheapest overall when the tiers do not trade off
 * against each other (docs/plan.md discusses the limit).
 *
 * --n-plus-one.  "One node down" is modelled as that tier having one node
 * fewer for the whole run: what N+1 capacity means in steady state, after
 * the balancers have noticed (the transient of a failure is what `failures:`
 * scenarios measure).  A candidate meets when it meets with every node up
 * and with each tier in turn one node short, the LB pair included (one LB
 * left).
 *
 * --max-load.  The utilization law's saturation rate bounds the load from
 * above; the approximation's highest rate meeting the SLOs is the first
 * guess; then bisection on the simulated rate until the bracket is within
 * --resolution (1% by default) of its upper end.
 *
 * Every simulation uses the scenario's seed (common random numbers), the
 * scenario's replications and duration (or --replications, --duration),
 * and a constant rate: workload.schedule is cleared.  A simulated check is
 * met when the mean over the replications meets it, as in `tiersim run`.
 * Exit status: 0 an answer, 1 none (no count or load meets the SLOs),
 * 2 bad usage or input. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "models/capacity.h"
#include "models/failures.h"
#include "points.h"
#include "report/outfile.h"
#include "report/plan.h"
#include "scenarios/loader.h"
#include "scenarios/slo_expr.h"
#include "sim/interrupt.h"
#include "sim/time.h"
#include "sim/units.h"

#define DEFAULT_MAX_NODES 64
#define MAX_STEPS 256

static const char plan_usage[] =
	"usage: tiersim plan FILE --load RATE --slo EXPR... [options]\n"
	"       tiersim plan FILE --max-load --slo EXPR... [options]\n"
	"\n"
	"--load: the cheapest node counts of the web, app and db tiers that meet every SLO\n"
	"at RATE.  --max-load: the highest rate the scenario's node counts sustain within\n"
	"the SLOs.  Queueing theory bounds the search; simulation decides.\n"
	"\n"
	"  --load RATE          the load to plan for, e.g. 8000/s\n"
	"  --max-load           find the highest load instead\n"
	"  --slo EXPR           an objective, e.g. 'p99<=250ms' (with the scenario's slo:)\n"
	"  --n-plus-one         also meet them with any single node of any tier down\n"
	"  --cost web=1,app=2,db=8  cost per node (default 1 each); 0 is allowed\n"
	"  --max-nodes N        at most N nodes per tier (default 64)\n"
	"  --resolution P       --max-load: stop when the bracket is within P (default 1%)\n"
	"  --replications R     replications per simulation (the scenario's `replications`)\n"
	"  --duration T         simulated time per replication, e.g. 2m\n"
	"  --seed N             the seed of every simulation\n"
	"  --set KEY=VALUE      override a scenario key\n"
	"  -j N                 worker threads (default: all cores)\n"
	"  --max-memory SIZE    memory budget of each replication, e.g. 512M (default 1G)\n"
	"  --out DIR            also write plan.json into DIR\n"
	"  --quiet              no report on stdout\n"
	"  --plot               with --out: also draw the figure into DIR/plots (as\n"
	"                       'tiersim plot DIR' does; docs/plots.md)\n"
	"\n"
	"Ctrl-C (SIGINT, SIGTERM) stops the search and reports what it had established\n"
	"(bounds, the best candidate so far), marked partial.\n"
	"\n"
	"exit status: 0 an answer, 1 no node count (or load) meets the SLOs, 2 bad usage or input,\n"
	"             130 (143) stopped by SIGINT (SIGTERM)\n";

struct plan_options {
	const char *file;
	struct cli_sets sets;  /* --set, and the shorthands spelled as --set */
	struct slo_check slo[RPT_MAX_EXTRA_SLO];
	size_t nslo;
	bool max_load;
	double load_rps;     /* 0: not given */
	bool n_plus_one;
	double cost[TIER_COUNT];
	int max_nodes;
	double resolution;
	int jobs;
	int64_t max_memory_bytes; /* --max-memory; 0: the default (models/limits.h) */
	const char *out_dir;
	bool quiet;
	bool plot;           /* --plot: the figures of out_dir */
};

static void options_fini(struct plan_options *o)
{
	cli_sets_fini(&o->sets);
}

/* web=1,app=2,db=8: any subset of the sized tiers, costs >= 0. */
static int parse_cost(struct plan_options *o, const char *arg)
{
	for (const char *p = arg;;) {
		size_t len = strcspn(p, ",");
		const char *eq = memchr(p, '=', len);
		int tier = -1;
		for (int t = 0; eq && t < TIER_COUNT; t++)
			if ((size_t)(eq - p) == strlen(model_tier_name((enum model_tier)t)) &&
			    !memcmp(p, model_tier_name((enum model_tier)t), (size_t)(eq - p)))
				tier = t;
		if (!eq || tier < 0 || !model_capacity_is_sized((enum model_tier)tier))
			return cli_usage_error("plan", "--cost: expected TIER=COST for web, app or db "
						       "(the LB pair is not sized), e.g. web=1,app=2,db=8; got '%.*s'",
					       (int)len, p);
		char buf[64];
		size_t vlen = len - (size_t)(eq + 1 - p);
		if (vlen == 0 || vlen >= sizeof buf)
			return cli_usage_error("plan", "--cost %.*s: expected a number", (int)len, p);
		memcpy(buf, eq + 1, vlen);
		buf[vlen] = '\0';
		char *end;
		errno = 0;
		double c = strtod(buf, &end);
		if (*end || end == buf || errno || !isfinite(c) || c < 0)
			return cli_usage_error("plan", "--cost %.*s: expected a number >= 0", (int)len, p);
		o->cost[tier] = c;
		if (!p[len])
			return 0;
		p += len + 1;
	}
}

static int parse_options(int argc, char **argv, struct plan_options *o)
{
	enum { OPT_LOAD = 256, OPT_MAX_LOAD, OPT_SLO, OPT_N1, OPT_COST, OPT_MAX_NODES, OPT_RES,
	       OPT_REPS, OPT_DURATION, OPT_SEED, OPT_SET, OPT_OUT, OPT_QUIET, OPT_HELP, OPT_PLOT,
	       OPT_MEMORY };
	static const struct option longopts[] = {
		{"load", required_argument, NULL, OPT_LOAD},
		{"max-load", no_argument, NULL, OPT_MAX_LOAD},
		{"slo", required_argument, NULL, OPT_SLO},
		{"n-plus-one", no_argument, NULL, OPT_N1},
		{"cost", required_argument, NULL, OPT_COST},
		{"max-nodes", required_argument, NULL, OPT_MAX_NODES},
		{"resolution", required_argument, NULL, OPT_RES},
		{"replications", required_argument, NULL, OPT_REPS},
		{"duration", required_argument, NULL, OPT_DURATION},
		{"seed", required_argument, NULL, OPT_SEED},
		{"set", required_argument, NULL, OPT_SET},
		{"out", required_argument, NULL, OPT_OUT},
		{"quiet", no_argument, NULL, OPT_QUIET},
		{"help", no_argument, NULL, OPT_HELP},
		{"plot", no_argument, NULL, OPT_PLOT},
		{"max-memory", required_argument, NULL, OPT_MEMORY},
		{NULL, 0, NULL, 0},
	};
	struct sim_parse_error err;
	opterr = 0;
	optind = 1;
	int ch;
	while ((ch = getopt_long(argc, argv, ":j:h", longopts, NULL)) != -1) {
		int rc = 0;
		int64_t n;
		switch (ch) {
		case OPT_LOAD:
			if (sim_parse_rate_per_s(optarg, &o->load_rps, &err) || !(o->load_rps > 0))
				return cli_usage_error("plan", "--load: expected a rate above 0 such as 8000/s, got '%s'",
						       optarg);
			break;
		case OPT_MAX_LOAD:
			o->max_load = true;
			break;
		case OPT_SLO:
			if (o->nslo >= RPT_MAX_EXTRA_SLO)
				return cli_usage_error("plan", "at most %d --slo options", RPT_MAX_EXTRA_SLO);
			if (scn_parse_slo_expr(optarg, &o->slo[o->nslo], &err))
				return cli_usage_error("plan", "--slo '%s': %s", optarg, err.message);
			o->nslo++;
			break;
		case OPT_N1:
			o->n_plus_one = true;
			break;
		case OPT_COST:
			if (parse_cost(o, optarg))
				return CLI_EXIT_USAGE;
			break;
		case OPT_MAX_NODES:
			if (sim_parse_count(optarg, &n, &err) || n < 1 || n > 1000)
				return cli_usage_error("plan", "--max-nodes: expected a whole number from 1 to 1000, got '%s'",
						       optarg);
			o->max_nodes = (int)n;
			break;
		case OPT_RES:
			if (sim_parse_share(optarg, &o->resolution, &err) || !(o->resolution > 0) ||
			    o->resolution >= 0.5)
				return cli_usage_error("plan", "--resolution: expected a share between 0 and 50%%, e.g. 1%%, got '%s'",
						       optarg);
			break;
		case OPT_REPS:
			rc = cli_sets_shorthand(&o->sets, 0, "replications", optarg);
			break;
		case OPT_DURATION:
			rc = cli_sets_shorthand(&o->sets, 1, "duration", optarg);
			break;
		case OPT_SEED:
			rc = cli_sets_shorthand(&o->sets, 2, "seed", optarg);
			break;
		case OPT_SET:
			if (!strchr(optarg, '=') || optarg[0] == '=')
				return cli_usage_error("plan", "--set expects KEY=VALUE, got '%s'", optarg);
			rc = cli_sets_add(&o->sets, optarg);
			break;
		case OPT_OUT:
			o->out_dir = optarg;
			break;
		case OPT_QUIET:
			o->quiet = true;
			break;
		case OPT_PLOT:
			o->plot = true;
			break;
		case OPT_MEMORY:
			if (cli_parse_memory("plan", optarg, &o->max_memory_bytes))
				return CLI_EXIT_USAGE;
			break;
		case 'j':
			if (cli_parse_jobs("plan", optarg, &o->jobs))
				return CLI_EXIT_USAGE;
			break;
		case OPT_HELP:
		case 'h':
			fputs(plan_usage, stdout);
			return -1;
		default:
			return cli_option_error("plan", ch, argv);
		}
		if (rc)
			return cli_usage_error("plan", "out of memory");
	}
	int bad = cli_scenario_operand("plan", argc, argv, &o->file);
	if (bad)
		return bad;
	if (o->max_load == (o->load_rps > 0))
		return cli_usage_error("plan", "give exactly one of --load RATE and --max-load");
	bad = cli_check_plot("plan", o->plot, o->out_dir);
	if (bad)
		return bad;
	return 0;
}

/* ---------------------------------------------------------------- simulations */

struct memo {
	int nodes[TIER_COUNT];
	double rate;
	struct rpt_point row;
};

struct planner {
	const struct plan_options *o;
	const struct model_config *base;
	struct slo_check slo[RPT_MAX_SLO]; /* the scenario's, then --slo */
	size_t nslo;
	struct memo *memo;
	size_t nmemo;
	struct rpt_plan_step *steps;
	size_t nsteps;
	int (*failed)[TIER_COUNT];   /* candidates that missed (min-cost) */
	size_t nfailed;
};

struct job {
	int nodes[TIER_COUNT];
	double rate;
};

struct batch_ctx {
	const struct planner *pl;
	const struct job *jobs;
};

static int load_config(const struct plan_options *o, const int *nodes, double rate,
		       struct model_config *cfg, char *why, size_t whylen)
{
	char kv[TIER_COUNT + 2][64];
	size_t n = 0;
	snprintf(kv[n++], sizeof kv[0], "workload.schedule=[]");
	if (rate > 0)
		snprintf(kv[n++], sizeof kv[0], "workload.rate=%.10g/s", rate);
	for (int t = 0; nodes && t < TIER_COUNT; t++)
		snprintf(kv[n++], sizeof kv[0], "%s.nodes=%d", model_tier_name((enum model_tier)t),
			 nodes[t]);
	const char **sets = malloc((o->sets.n + n) * sizeof *sets);
	if (!sets) {
		model_config_init(cfg);
		snprintf(why, whylen, "tiersim plan: out of memory");
		return -1;
	}
	if (o->sets.n)
		memcpy(sets, o->sets.items, o->sets.n * sizeof *sets);
	for (size_t i = 0; i < n; i++)
		sets[o->sets.n + i] = kv[i];
	struct sim_diags diags;
	sim_diags_init(&diags);
	int rc = scn_load_file(o->file, sets, o->sets.n + n, cfg, &diags);
	cfg->max_memory_bytes = o->max_memory_bytes;
	if (rc || diags.errors) {
		char *text = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&text, &len);
		if (f) {
			sim_diags_print(&diags, f);
			fclose(f);
		}
		if (text && len && text[len - 1] == '\n')
			text[len - 1] = '\0';
		snprintf(why, whylen, "%s", text ? text : "tiersim plan: invalid scenario");
		free(text);
		rc = -1;
	} else {
		char msg[256];
		if (!model_failures_supported(cfg, msg, sizeof msg)) {
			snprintf(why, whylen, "tiersim plan: %s: %s", o->file, msg);
			rc = -1;
		}
	}
	sim_diags_fini(&diags);
	free(sets);
	return rc;
}

static int job_config(void *vctx, size_t i, struct model_config *cfg, char *why, size_t len)
{
	const struct batch_ctx *b = vctx;
	return load_config(b->pl->o, b->jobs[i].nodes, b->jobs[i].rate, cfg, why, len);
}

static const struct memo *memo_find(const struct planner *pl, const int nodes[TIER_COUNT],
				    double rate)
{
	for (size_t i = 0; i < pl->nmemo; i++)
		if (!memcmp(pl->memo[i].nodes, nodes, sizeof pl->memo[i].nodes) &&
		    pl->memo[i].rate == rate)
			return &pl->memo[i];
	return NULL;
}

static double cost_of(const struct planner *pl, const int nodes[TIER_COUNT])
{
	double c = 0;
	for (int t = 0; t < TIER_COUNT; t++)
		if (model_capacity_is_sized((enum model_tier)t))
			c += pl->o->cost[t] * nodes[t];
	return c;
}

static int new_step(struct planner *pl, const int nodes[TIER_COUNT], double rate,
		    const char *reason, struct rpt_plan_step **out)
{
	if (pl->nsteps >= MAX_STEPS)
		return cli_usage_error("plan", "the search took more than %d steps; narrow it with --max-nodes",
				       MAX_STEPS);
	struct rpt_plan_step *st = &pl->steps[pl->nsteps++];
	memset(st, 0, sizeof *st);
	memcpy(st->nodes, nodes, sizeof st->nodes);
	st->rate_per_s = rate;
	st->cost = cost_of(pl, nodes);
	snprintf(st->reason, sizeof st->reason, "%s", reason);
	*out = st;
	return 0;
}

/* Simulate a candidate (with its N+1 variants), log it as a step; *meets. */
static int evaluate(struct planner *pl, const int nodes[TIER_COUNT], double rate,
		    const char *reason, bool *meets, size_t *step_index)
{
	struct rpt_plan_step *st = NULL;
	int rc = new_step(pl, nodes, rate, reason, &st);
	if (rc)
		return rc;
	*step_index = pl->nsteps - 1;
	struct job jobs[TIER_COUNT + 1];
	int downs[TIER_COUNT + 1];
	size_t nvar = 0, njobs = 0;
	downs[nvar++] = -1;
	for (int t = 0; pl->o->n_plus_one && t < TIER_COUNT; t++)
		if (nodes[t] >= 2)
			downs[nvar++] = t;
	for (size_t v = 0; v < nvar; v++) {
		struct job j = {.rate = rate};
		memcpy(j.nodes, nodes, sizeof j.nodes);
		if (downs[v] >= 0)
			j.nodes[downs[v]]--;
		bool queued = false;
		for (size_t k = 0; k < njobs; k++)
			queued |= !memcmp(&jobs[k], &j, sizeof j);
		if (!memo_find(pl, j.nodes, rate) && !queued)
			jobs[njobs++] = j;
	}
	if (njobs) {
		struct rpt_point rows[TIER_COUNT + 1];
		struct batch_ctx ctx = {pl, jobs};
		struct cli_points batch = {
			.n = njobs, .jobs = pl->o->jobs, .max_memory_bytes = pl->o->max_memory_bytes,
			.extra_slo = pl->o->slo,
			.nextra_slo = pl->o->nslo, .config = job_config, .ctx = &ctx,
		};
		rc = cli_points_run(&batch, rows);
		if (rc) {
			if (sim_interrupted())
				pl->nsteps--; /* a Ctrl-C cut it short: not a result */
			return rc;
		}
		struct memo *m = realloc(pl->memo, (pl->nmemo + njobs) * sizeof *m);
		if (!m)
			return cli_usage_error("plan", "out of memory");
		pl->memo = m;
		for (size_t k = 0; k < njobs; k++) {
			struct memo *e = &pl->memo[pl->nmemo++];
			memcpy(e->nodes, jobs[k].nodes, sizeof e->nodes);
			e->rate = rate;
			e->row = rows[k];
		}
	}
	*meets = true;
	for (size_t v = 0; v < nvar; v++) {
		int n[TIER_COUNT];
		memcpy(n, nodes, sizeof n);
		if (downs[v] >= 0)
			n[downs[v]]--;
		st->variants[v].down = downs[v];
		st->variants[v].row = memo_find(pl, n, rate)->row;
		*meets &= st->variants[v].row.slo_met;
	}
	st->nvariants = nvar;
	st->meets = *meets;
	return 0;
}

/* ---------------------------------------------------------------- min-cost */

/* Some candidate that missed has at least as many nodes in every tier. */
static bool implied_to_miss(const struct planner *pl, const int nodes[TIER_COUNT])
{
	for (size_t f = 0; f < pl->nfailed; f++) {
		bool below = true;
		for (int t = 0; t < TIER_COUNT; t++)
			below &= nodes[t] <= pl->failed[f][t];
		if (below)
			return true;
	}
	return false;
}

/* List a candidate that is not simulated because a result implies it
 * misses (once: the down phase may meet it again). */
static int log_skip(struct planner *pl, const int nodes[TIER_COUNT], double rate,
		    const char *reason)
{
	for (size_t k = 0; k < pl->nsteps; k++)
		if (!memcmp(pl->steps[k].nodes, nodes, sizeof pl->steps[k].nodes) &&
		    pl->steps[k].rate_per_s == rate)
			return 0;
	char why[RPT_PLAN_REASON_MAX + 80];
	snprintf(why, sizeof why, "%s (a candidate with as many nodes or more in every tier "
				  "missed)", reason);
	struct rpt_plan_step *st;
	int rc = new_step(pl, nodes, rate, why, &st);
	if (!rc)
		st->skipped = true;
	return rc;
}

static int record_failed(struct planner *pl, const int nodes[TIER_COUNT])
{
	int (*f)[TIER_COUNT] = realloc(pl->failed, (pl->nfailed + 1) * sizeof *f);
	if (!f)
		return cli_usage_error("plan", "out of memory");
	pl->failed = f;
	memcpy(pl->failed[pl->nfailed++], nodes, sizeof f[0]);
	return 0;
}

/* The worst ratio of value to target over the checks of a row (> 1 misses). */
static double worst_ratio(const struct rpt_point *row)
{
	double worst = 0;
	for (size_t i = 0; i < row->nslo; i++) {
		const struct rpt_slo_result *r = &row->slo[i];
		double x = r->op == SLO_AT_MOST ? r->value / r->target : r->target / r->value;
		if (!(x <= INFINITY))
			x = INFINITY;
		if (x > worst)
			worst = x;
	}
	return worst;
}

static int plan_min_cost(struct planner *pl, struct rpt_plan *p)
{
	const struct plan_options *o = pl->o;
	const struct model_config *base = pl->base;
	int nodes[TIER_COUNT] = {base->lb.nodes, base->web.nodes, base->app.nodes, base->db.nodes};
	p->load_rps = o->load_rps;
	p->lower[TIER_LB] = p->analytic[TIER_LB] = nodes[TIER_LB];
	struct model_analytic a;
	model_analytic_compute(base, &a);
	if (a.tier_max_utilization[TIER_LB] >= 1) {
		snprintf(p->why_not, sizeof p->why_not,
			 "the active load balancer saturates at %.1f/s (utilization law); the pair "
			 "does not scale out", o->load_rps);
		return 0;
	}
	for (int t = 0; t < TIER_COUNT; t++) {
		if (!model_capacity_is_sized((enum model_tier)t))
			continue;
		int low = model_capacity_min_nodes(base, (enum model_tier)t, o->max_nodes);
		if (low == 0) {
			snprintf(p->why_not, sizeof p->why_not,
				 "the %s tier saturates at %.1f/s with any count up to %d (utilization "
				 "law%s)", model_tier_name((enum model_tier)t), o->load_rps, o->max_nodes,
				 t == TIER_DB ? ": the primary's writes do not spread over replicas" : "");
			return 0;
		}
		nodes[t] = low;
		p->lower[t] = o->n_plus_one && low < o->max_nodes ? low + 1 : low;
	}
	/* The approximation sizes for every node up; N+1 is one more per tier. */
	p->analytic_meets = model_capacity_candidate(base, o->load_rps, pl->slo, pl->nslo, o->cost,
						     o->max_nodes, nodes);
	for (int t = 0; o->n_plus_one && t < TIER_COUNT; t++)
		if (model_capacity_is_sized((enum model_tier)t) && nodes[t] < o->max_nodes)
			nodes[t]++;
	memcpy(p->analytic, nodes, sizeof p->analytic);
	/* When the approximation meets the SLOs with no count, the simulation
	 * decides with the largest configuration: if that misses, nothing within
	 * --max-nodes meets (more nodes never hurt); if it meets, the down
	 * phase below halves its way to the answer. */
	if (!p->analytic_meets)
		for (int t = 0; t < TIER_COUNT; t++)
			if (model_capacity_is_sized((enum model_tier)t))
				nodes[t] = o->max_nodes;

	/* Up: until a candidate meets. */
	char reason[RPT_PLAN_REASON_MAX];
	snprintf(reason, sizeof reason, "%s", p->analytic_meets
		 ? "the M/M/c approximation's candidate"
		 : "the largest configuration (the M/M/c approximation expects no count to meet)");
	double last_worst = INFINITY;
	int stalls = 0;
	size_t at;
	for (;;) {
		bool meets;
		int rc = evaluate(pl, nodes, o->load_rps, reason, &meets, &at);
		if (rc)
			return rc;
		if (meets)
			break;
		if ((rc = record_failed(pl, nodes)))
			return rc;
		if (!p->analytic_meets) {
			snprintf(p->why_not, sizeof p->why_not,
				 "even the largest configuration (--max-nodes %d per tier) misses: the "
				 "SLOs are not a matter of node counts (a service time or a time-out?)",
				 o->max_nodes);
			return 0;
		}
		/* The variant that misses worst names the tier to grow. */
		const struct rpt_plan_step *st = &pl->steps[at];
		const struct rpt_plan_variant *worst = NULL;
		for (size_t v = 0; v < st->nvariants; v++)
			if (!st->variants[v].row.slo_met &&
			    (!worst || worst_ratio(&st->variants[v].row) > worst_ratio(&worst->row)))
				worst = &st->variants[v];
		double w = worst_ratio(&st->variants[0].row);
		stalls = w < 0.99 * last_worst ? 0 : stalls + 1;
		last_worst = w < last_worst ? w : last_worst;
		enum model_tier t = worst->row.bottleneck;
		if (!model_capacity_is_sized(t)) {
			snprintf(p->why_not, sizeof p->why_not,
				 "the load balancer is the bottleneck (with %s%s); the pair does not "
				 "scale out", worst->down < 0 ? "every node up" : model_tier_name(worst->down),
				 worst->down < 0 ? "" : " one node down");
			return 0;
		}
		if (nodes[t] >= o->max_nodes || stalls >= 3) {
			snprintf(p->why_not, sizeof p->why_not,
				 stalls >= 3 ? "three more nodes did not bring the SLOs closer: they are "
					       "not a matter of capacity (a service time or a time-out?)"
					     : "the %s tier reached --max-nodes %d and still misses",
				 model_tier_name(t), o->max_nodes);
			return 0;
		}
		nodes[t]++;
		snprintf(reason, sizeof reason, "one more %s node: the bottleneck of %s%s",
			 model_tier_name(t), worst->down < 0 ? "every node up" : model_tier_name(worst->down),
			 worst->down < 0 ? "" : " one node down");
	}

	/* Down: remove a node while the result still meets, dearest tier first. */
	int order[TIER_COUNT], norder = 0;
	for (int t = TIER_COUNT - 1; t >= 0; t--)
		if (model_capacity_is_sized((enum model_tier)t))
			order[norder++] = t;
	for (int i = 1; i < norder; i++)
		for (int j = i; j > 0 && o->cost[order[j]] > o->cost[order[j - 1]]; j--) {
			int x = order[j];
			order[j] = order[j - 1];
			order[j - 1] = x;
		}
	/* Per tier, a binary search down to its lower bound: remove half the
	 * nodes above it, and halve the step after a miss (one node at a time
	 * when the candidate is near the bound, the usual case). */
	for (bool changed = true; changed;) {
		changed = false;
		for (int k = 0; k < norder; k++) {
			int t = order[k];
			for (int step = (nodes[t] - p->lower[t] + 1) / 2; step >= 1;) {
				if (step > nodes[t] - p->lower[t])
					step = nodes[t] - p->lower[t];
				if (step < 1)
					break;
				int fewer[TIER_COUNT];
				memcpy(fewer, nodes, sizeof fewer);
				fewer[t] -= step;
				snprintf(reason, sizeof reason, "%d %s node%s fewer", step,
					 model_tier_name((enum model_tier)t), step > 1 ? "s" : "");
				if (implied_to_miss(pl, fewer)) {
					int rc = log_skip(pl, fewer, o->load_rps, reason);
					if (rc)
						return rc;
					step /= 2;
					continue;
				}
				bool meets;
				size_t st;
				int rc = evaluate(pl, fewer, o->load_rps, reason, &meets, &st);
				if (rc)
					return rc;
				if (meets) {
					memcpy(nodes, fewer, sizeof fewer);
					at = st;
					changed = true;
				} else {
					if ((rc = record_failed(pl, fewer)))
						return rc;
					step /= 2;
				}
			}
		}
	}
	p->found = true;
	p->answer_step = at;
	return 0;
}

/* ---------------------------------------------------------------- max-load */

static int plan_max_load(struct planner *pl, struct rpt_plan *p)
{
	const struct plan_options *o = pl->o;
	const struct model_config *base = pl->base;
	int nodes[TIER_COUNT] = {base->lb.nodes, base->web.nodes, base->app.nodes, base->db.nodes};
	memcpy(p->nodes, nodes, sizeof p->nodes);
	p->resolution = o->resolution;
	/* Bounds: the smallest over the variants (N+1: each tier one node short). */
	double sat = model_capacity_saturation_rate(base, nodes);
	double guess = model_capacity_max_rate(base, nodes, pl->slo, pl->nslo, 1e-3);
	for (int t = 0; o->n_plus_one && t < TIER_COUNT; t++) {
		if (nodes[t] < 2)
			continue;
		nodes[t]--;
		double s = model_capacity_saturation_rate(base, nodes);
		double g = model_capacity_max_rate(base, nodes, pl->slo, pl->nslo, 1e-3);
		nodes[t]++;
		sat = s < sat ? s : sat;
		guess = g < guess ? g : guess;
	}
	p->saturation_rps = sat;
	p->analytic_rps = guess;
	if (!(sat > 0) || !isfinite(sat)) {
		snprintf(p->why_not, sizeof p->why_not,
			 "no station does any work, so no load saturates it: nothing to search");
		return 0;
	}
	double lo = 0, hi = sat, r = guess > 0 ? guess : sat / 2;
	size_t lo_step = 0;
	char reason[RPT_PLAN_REASON_MAX];
	snprintf(reason, sizeof reason, "%s", guess > 0 ? "the M/M/c approximation's highest load"
							 : "half the saturation rate");
	for (;;) {
		bool meets;
		size_t step;
		int rc = evaluate(pl, nodes, r, reason, &meets, &step);
		if (rc)
			return rc;
		if (meets) {
			lo = r;
			lo_step = step;
		} else {
			hi = r;
		}
		if (lo == 0) {
			r = hi / 2;
			if (r < sat / 1024) {
				snprintf(p->why_not, sizeof p->why_not,
					 "even %.3g/s misses an SLO: not a matter of load", hi);
				return 0;
			}
			snprintf(reason, sizeof reason, "half the lowest load that missed");
			continue;
		}
		if (hi - lo <= o->resolution * hi)
			break;
		r = 0.5 * (lo + hi);
		snprintf(reason, sizeof reason, "bisection of %.1f/s .. %.1f/s", lo, hi);
	}
	p->found = true;
	p->answer_step = lo_step;
	p->answer_rps = lo;
	p->failed_rps = hi;
	return 0;
}

/* The search was stopped: what its results so far establish (plan.h). */
static void establish(const struct planner *pl, struct rpt_plan *p, const char *why)
{
	p->partial = why;
	p->found = false;
	p->missed_rps = p->saturation_rps;
	for (size_t k = 0; k < pl->nsteps; k++) {
		const struct rpt_plan_step *st = &pl->steps[k];
		if (st->skipped)
			continue;
		if (st->meets) {
			const struct rpt_plan_step *best = p->met_so_far ? &pl->steps[p->met_step] : NULL;
			bool better = p->mode == RPT_PLAN_MIN_COST
					      ? !best || st->cost < best->cost
					      : !best || st->rate_per_s > best->rate_per_s;
			if (better) {
				p->met_so_far = true;
				p->met_step = k;
			}
		} else if (p->mode == RPT_PLAN_MAX_LOAD && st->rate_per_s < p->missed_rps) {
			p->missed_rps = st->rate_per_s;
		}
	}
}

static int write_plan(const struct plan_options *o, const struct rpt_plan *p)
{
	char err[512];
	if (o->out_dir &&
	    rpt_write_file_atomic(o->out_dir, "plan.json", rpt_plan_json_writer, p, err, sizeof err)) {
		fprintf(stderr, "tiersim plan: %s\n", err);
		return CLI_EXIT_FAILURE;
	}
	if (!o->quiet && (rpt_plan_text_writer(p, stdout) || fflush(stdout))) {
		fprintf(stderr, "tiersim plan: cannot write the report: %s\n", strerror(errno));
		return CLI_EXIT_FAILURE;
	}
	return 0;
}

int cli_plan(int argc, char **argv)
{
	struct plan_options o = {.max_nodes = DEFAULT_MAX_NODES, .resolution = 0.01};
	for (int t = 0; t < TIER_COUNT; t++)
		o.cost[t] = 1;
	int rc = parse_options(argc, argv, &o);
	if (rc) {
		options_fini(&o);
		return rc < 0 ? CLI_EXIT_OK : rc;
	}
	struct model_config base;
	char why[2048];
	if (load_config(&o, NULL, o.load_rps, &base, why, sizeof why)) {
		fprintf(stderr, "%s\n", why);
		model_config_fini(&base);
		options_fini(&o);
		return CLI_EXIT_USAGE;
	}
	struct planner pl = {.o = &o, .base = &base};
	for (size_t i = 0; i < base.nslo; i++)
		pl.slo[pl.nslo++] = base.slo[i];
	for (size_t i = 0; i < o.nslo; i++)
		pl.slo[pl.nslo++] = o.slo[i];
	if (pl.nslo == 0)
		rc = cli_usage_error("plan", "nothing to plan for: give an --slo (or an slo: in the scenario)");
	if (!rc && o.n_plus_one && base.lb.nodes < 2)
		rc = cli_usage_error("plan", "--n-plus-one: the scenario has one load balancer (lb.nodes: 1); "
					     "N+1 needs the pair");
	if (!rc && o.out_dir)
		rc = cli_prepare_out_dir("plan", o.out_dir);
	pl.steps = calloc(MAX_STEPS, sizeof *pl.steps);
	if (!rc && !pl.steps)
		rc = cli_usage_error("plan", "out of memory");
	char *resolved = NULL;
	if (!rc && scn_emit_resolved(&base, &resolved))
		rc = cli_usage_error("plan", "out of memory");
	struct rpt_plan p = {
		.mode = o.max_load ? RPT_PLAN_MAX_LOAD : RPT_PLAN_MIN_COST,
		.scenario = base.name,
		.resolved_scenario = resolved,
		.resolved_len = resolved ? strlen(resolved) : 0,
		.seed = base.seed,
		.replications = base.replications,
		.duration_s = sim_ns_to_s(base.duration_ns),
		.warmup_s = sim_ns_to_s(base.warmup_ns),
		.n_plus_one = o.n_plus_one,
		.slo = pl.slo,
		.nslo = pl.nslo,
	};
	memcpy(p.cost, o.cost, sizeof p.cost);
	if (!rc)
		rc = o.max_load ? plan_max_load(&pl, &p) : plan_min_cost(&pl, &p);
	p.steps = pl.steps;
	p.nsteps = pl.nsteps;
	/* A Ctrl-C: report what the search had established, marked partial,
	 * and exit with the signal's status (docs/hardening.md). */
	int stopped = 0;
	char partial[64];
	if (rc && sim_interrupted() && rc == sim_interrupt_exit_status()) {
		stopped = rc;
		rc = 0;
		snprintf(partial, sizeof partial, "interrupted by %s",
			 sim_interrupt_signal == SIGTERM ? "SIGTERM" : "SIGINT");
		establish(&pl, &p, partial);
	}
	if (!rc)
		rc = write_plan(&o, &p);
	if (stopped) {
		fprintf(stderr, "tiersim plan: %s after %zu candidate%s; %s what the search had "
				"established, marked partial\n", partial, p.nsteps,
			p.nsteps == 1 ? "" : "s", rc ? "could not write" : "wrote");
		rc = rc ? rc : stopped;
	}
	if (!rc && o.plot)
		rc = cli_plot_folder("plan", o.out_dir, NULL, NULL);
	if (!rc && !p.found)
		rc = CLI_EXIT_SLO_MISSED;
	free(resolved);
	free(pl.steps);
	free(pl.memo);
	free(pl.failed);
	model_config_fini(&base);
	options_fini(&o);
	return rc;
}
