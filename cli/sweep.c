/* `tiersim sweep`: a grid of configurations, one row per point.
 *
 * Each --vary KEY=a,b,c or KEY=lo..hi[:step] is an axis; the grid is their
 * product, row-major (the last --vary varies fastest), and point i of it is
 * the scenario with --set KEY=VALUE for each axis, so a value gets exactly
 * the scenario's validation.  Every value of every axis, then every point,
 * is validated before anything runs: a bad grid is one message and exit 2,
 * never an error after an hour of simulation.
 *
 * Every point runs with the scenario's seed and named streams: common random
 * numbers, so that the difference between two points is their configuration
 * and not noise.  Points run over -j threads (cli/points.c), in a result
 * order that does not depend on -j.  --shard I/N keeps the points whose
 * index is I-1 modulo N (interleaved, so that every shard gets a share of
 * the cheap and of the expensive corners of the grid); `tiersim merge`
 * combines the shards' sweep.json into the files one machine would write.
 *
 * Exit status: 0 (points that miss an SLO are results, not errors), 2 for
 * bad usage or input. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "models/failures.h"
#include "points.h"
#include "report/outfile.h"
#include "report/sweep.h"
#include "scenarios/loader.h"
#include "scenarios/slo_expr.h"
#include "sim/interrupt.h"
#include "sim/time.h"
#include "sim/units.h"

#define MAX_AXES 16
#define MAX_AXIS_VALUES 10000
#define MAX_POINTS 1000000
#define MAX_SHARDS 100000

static const char sweep_usage[] =
	"usage: tiersim sweep FILE --vary KEY=VALUES [--vary ...] [options]\n"
	"\n"
	"Run the scenario FILE at every point of a grid and tabulate the results.\n"
	"\n"
	"  --vary KEY=a,b,c     one axis of the grid: a list of values, or\n"
	"  --vary KEY=lo..hi[:step]  a range (step 1 by default), e.g.\n"
	"                       --vary app.nodes=2..10 --vary workload.rate=1000/s..10000/s:1000/s\n"
	"  --replications R     replications per point (the scenario's `replications`)\n"
	"  --duration T         simulated time per replication, e.g. 1m\n"
	"  --seed N             the seed every point uses (common random numbers)\n"
	"  --set KEY=VALUE      override a scenario key for every point\n"
	"  --slo EXPR           an objective checked at every point, e.g. 'p99<=250ms'\n"
	"  -j N                 points run in parallel (default: all cores)\n"
	"  --max-memory SIZE    memory budget of each replication, e.g. 512M (default 1G)\n"
	"  --out DIR            where sweep.json and sweep.csv go (default: .)\n"
	"  --shard I/N          run only shard I of N (points whose index is I-1 mod N);\n"
	"                       combine the shards' folders with 'tiersim merge'\n"
	"  --quiet              no table on stdout\n"
	"  --plot               with --out: also draw the figures into DIR/plots (as\n"
	"                       'tiersim plot DIR' does; docs/plots.md)\n"
	"\n"
	"Ctrl-C (SIGINT, SIGTERM) stops the points in progress and writes the points that\n"
	"ran to the end, marked partial; a second Ctrl-C aborts at once.\n"
	"\n"
	"exit status: 0 ok (points that miss an SLO say so in the table), 2 bad usage or input,\n"
	"             130 (143) stopped by SIGINT (SIGTERM)\n";

struct axis {
	char *key;
	char **values;
	size_t nvalues;
	const char *arg;  /* the --vary as typed, for messages */
};

struct sweep_options {
	const char *file;
	struct cli_sets sets;  /* --set, and the shorthands spelled as --set */
	struct axis axes[MAX_AXES];
	size_t naxes;
	struct slo_check slo[RPT_MAX_EXTRA_SLO];
	size_t nslo;
	int jobs;
	int64_t max_memory_bytes; /* --max-memory; 0: the default (models/limits.h) */
	const char *out_dir;
	size_t shard_index, shard_count; /* 0/0: the whole grid */
	bool quiet;
	bool plot;             /* --plot: the figures of out_dir */
};

static void options_fini(struct sweep_options *o)
{
	cli_sets_fini(&o->sets);
	for (size_t a = 0; a < o->naxes; a++) {
		for (size_t v = 0; v < o->axes[a].nvalues; v++)
			free(o->axes[a].values[v]);
		free(o->axes[a].values);
		free(o->axes[a].key);
	}
}

static int add_value(struct axis *ax, const char *text, size_t len)
{
	char **values = realloc(ax->values, (ax->nvalues + 1) * sizeof *values);
	if (!values)
		return -1;
	ax->values = values;
	ax->values[ax->nvalues] = strndup(text, len);
	if (!ax->values[ax->nvalues])
		return -1;
	ax->nvalues++;
	return 0;
}

/* A number and the unit text after it: "1000/s" is 1000 and "/s". */
static int split_number(const char *text, size_t len, double *x, const char **unit,
			size_t *unit_len)
{
	char buf[64];
	if (len == 0 || len >= sizeof buf)
		return -1;
	memcpy(buf, text, len);
	buf[len] = '\0';
	char *end;
	errno = 0;
	*x = strtod(buf, &end);
	if (end == buf || errno || !isfinite(*x))
		return -1;
	*unit = text + (end - buf);
	*unit_len = len - (size_t)(end - buf);
	return 0;
}

/* KEY=lo..hi[:step]: the values lo, lo+step, ... up to hi, in lo's unit. */
static int parse_range(const char *sub, struct axis *ax, const char *spec)
{
	const char *dots = strstr(spec, "..");
	const char *hi = dots + 2;
	const char *colon = strchr(hi, ':');
	size_t hi_len = colon ? (size_t)(colon - hi) : strlen(hi);
	double lo_x, hi_x, step_x = 1;
	const char *lo_u, *hi_u, *step_u = "";
	size_t lo_ul, hi_ul, step_ul = 0;
	if (split_number(spec, (size_t)(dots - spec), &lo_x, &lo_u, &lo_ul) ||
	    split_number(hi, hi_len, &hi_x, &hi_u, &hi_ul) ||
	    (colon && split_number(colon + 1, strlen(colon + 1), &step_x, &step_u, &step_ul)))
		return cli_usage_error(sub, "--vary %s: a range is lo..hi or lo..hi:step with numbers "
					    "(and one unit), e.g. 2..10 or 1000/s..5000/s:500/s",
				       ax->arg);
	if (hi_ul && (hi_ul != lo_ul || memcmp(hi_u, lo_u, lo_ul)))
		return cli_usage_error(sub, "--vary %s: lo and hi must be in the same unit ('%.*s' and '%.*s')",
				       ax->arg, (int)lo_ul, lo_u, (int)hi_ul, hi_u);
	if (step_ul && (step_ul != lo_ul || memcmp(step_u, lo_u, lo_ul)))
		return cli_usage_error(sub, "--vary %s: the step must be in the unit of lo ('%.*s')",
				       ax->arg, (int)lo_ul, lo_u);
	if (!(step_x > 0))
		return cli_usage_error(sub, "--vary %s: the step must be more than 0", ax->arg);
	if (hi_x < lo_x)
		return cli_usage_error(sub, "--vary %s: hi is below lo", ax->arg);
	double count = floor((hi_x - lo_x) / step_x + 1e-9) + 1;
	if (count > MAX_AXIS_VALUES)
		return cli_usage_error(sub, "--vary %s: %.0f values, at most %d per axis", ax->arg,
				       count, MAX_AXIS_VALUES);
	for (size_t i = 0; i < (size_t)count; i++) {
		char buf[96];
		/* lo + i*step rather than a running sum: no accumulated rounding. */
		snprintf(buf, sizeof buf, "%.10g%.*s", lo_x + (double)i * step_x, (int)lo_ul, lo_u);
		if (add_value(ax, buf, strlen(buf)))
			return cli_usage_error(sub, "out of memory");
	}
	return 0;
}

static int parse_vary(const char *sub, struct sweep_options *o, const char *arg)
{
	if (o->naxes >= MAX_AXES)
		return cli_usage_error(sub, "at most %d --vary options", MAX_AXES);
	const char *eq = strchr(arg, '=');
	if (!eq || eq == arg || !eq[1])
		return cli_usage_error(sub, "--vary expects KEY=a,b,c or KEY=lo..hi[:step], got '%s'",
				       arg);
	struct axis *ax = &o->axes[o->naxes++];
	ax->arg = arg;
	ax->key = strndup(arg, (size_t)(eq - arg));
	if (!ax->key)
		return cli_usage_error(sub, "out of memory");
	for (size_t a = 0; a + 1 < o->naxes; a++)
		if (!strcmp(o->axes[a].key, ax->key))
			return cli_usage_error(sub, "--vary %s: %s is already varied by --vary %s",
					       arg, ax->key, o->axes[a].arg);
	const char *spec = eq + 1;
	if (strstr(spec, ".."))
		return parse_range(sub, ax, spec);
	for (const char *p = spec;;) {
		size_t len = strcspn(p, ",");
		if (len == 0)
			return cli_usage_error(sub, "--vary %s: an empty value in the list", arg);
		if (add_value(ax, p, len))
			return cli_usage_error(sub, "out of memory");
		if (!p[len])
			break;
		p += len + 1;
	}
	return 0;
}

/* "I/N" with 1 <= I <= N. */
static int parse_shard(const char *sub, struct sweep_options *o, const char *arg)
{
	char *end;
	errno = 0;
	unsigned long i = strtoul(arg, &end, 10), n = 0;
	bool ok = end != arg && *end == '/' && arg[0] != '-' && !errno;
	if (ok) {
		const char *ns = end + 1;
		n = strtoul(ns, &end, 10);
		ok = end != ns && *end == '\0' && ns[0] != '-' && !errno;
	}
	if (!ok || i < 1 || n < 1 || i > n || n > MAX_SHARDS)
		return cli_usage_error(sub, "--shard: expected I/N with 1 <= I <= N <= %d, e.g. 3/8, got '%s'",
				       MAX_SHARDS, arg);
	o->shard_index = i;
	o->shard_count = n;
	return 0;
}

static int parse_options(int argc, char **argv, struct sweep_options *o)
{
	enum { OPT_VARY = 256, OPT_REPS, OPT_DURATION, OPT_SEED, OPT_SET, OPT_SLO, OPT_OUT,
	       OPT_SHARD, OPT_QUIET, OPT_HELP, OPT_PLOT,
	       OPT_MEMORY };
	static const struct option longopts[] = {
		{"vary", required_argument, NULL, OPT_VARY},
		{"replications", required_argument, NULL, OPT_REPS},
		{"duration", required_argument, NULL, OPT_DURATION},
		{"seed", required_argument, NULL, OPT_SEED},
		{"set", required_argument, NULL, OPT_SET},
		{"slo", required_argument, NULL, OPT_SLO},
		{"out", required_argument, NULL, OPT_OUT},
		{"shard", required_argument, NULL, OPT_SHARD},
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
		switch (ch) {
		case OPT_VARY:
			if (parse_vary("sweep", o, optarg))
				return CLI_EXIT_USAGE;
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
				return cli_usage_error("sweep", "--set expects KEY=VALUE, got '%s'", optarg);
			rc = cli_sets_add(&o->sets, optarg);
			break;
		case OPT_SLO:
			if (o->nslo >= RPT_MAX_EXTRA_SLO)
				return cli_usage_error("sweep", "at most %d --slo options", RPT_MAX_EXTRA_SLO);
			if (scn_parse_slo_expr(optarg, &o->slo[o->nslo], &err))
				return cli_usage_error("sweep", "--slo '%s': %s", optarg, err.message);
			o->nslo++;
			break;
		case OPT_OUT:
			o->out_dir = optarg;
			break;
		case OPT_SHARD:
			if (parse_shard("sweep", o, optarg))
				return CLI_EXIT_USAGE;
			break;
		case OPT_QUIET:
			o->quiet = true;
			break;
		case OPT_PLOT:
			o->plot = true;
			break;
		case OPT_MEMORY:
			if (cli_parse_memory("sweep", optarg, &o->max_memory_bytes))
				return CLI_EXIT_USAGE;
			break;
		case 'j':
			if (cli_parse_jobs("sweep", optarg, &o->jobs))
				return CLI_EXIT_USAGE;
			break;
		case OPT_HELP:
		case 'h':
			fputs(sweep_usage, stdout);
			return -1;
		default:
			return cli_option_error("sweep", ch, argv);
		}
		if (rc)
			return cli_usage_error("sweep", "out of memory");
	}
	int bad = cli_scenario_operand("sweep", argc, argv, &o->file);
	if (bad)
		return bad;
	if (o->naxes == 0)
		return cli_usage_error("sweep", "nothing to sweep: give at least one --vary KEY=VALUES");
	bad = cli_check_plot("sweep", o->plot, o->out_dir);
	if (bad)
		return bad;
	return 0;
}

/* The first error of a load, as one line: an override's diagnostic loses
 * its "--set KEY=VALUE: " prefix (the caller names the --vary instead). */
static void first_error(const struct sim_diags *d, char *buf, size_t len)
{
	for (size_t i = 0; i < d->count; i++) {
		const struct sim_diag *x = &d->items[i];
		if (x->level != SIM_DIAG_ERROR)
			continue;
		const char *msg = x->message;
		if (!x->file && !strncmp(msg, "--set ", 6)) {
			const char *colon = strstr(msg, ": ");
			if (colon)
				msg = colon + 2;
		}
		if (x->file)
			snprintf(buf, len, "%s:%d:%d: %s", x->file, x->line, x->col, msg);
		else
			snprintf(buf, len, "%s", msg);
		return;
	}
	snprintf(buf, len, "invalid");
}

/* Load the scenario with the base overrides and extra ones; 0, or -1 with
 * the first error in why. */
static int load_with(const struct sweep_options *o, const char *const *extra, size_t nextra,
		     struct model_config *cfg, char *why, size_t whylen)
{
	size_t n = o->sets.n + nextra;
	const char **sets = malloc((n ? n : 1) * sizeof *sets);
	if (!sets) {
		model_config_init(cfg);
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	if (o->sets.n)
		memcpy(sets, o->sets.items, o->sets.n * sizeof *sets);
	memcpy(sets + o->sets.n, extra, nextra * sizeof *sets);
	struct sim_diags diags;
	sim_diags_init(&diags);
	int rc = scn_load_file(o->file, sets, n, cfg, &diags);
	cfg->max_memory_bytes = o->max_memory_bytes;
	if (rc || diags.errors) {
		first_error(&diags, why, whylen);
		rc = -1;
	} else if (!model_failures_supported(cfg, why, whylen)) {
		rc = -1;
	}
	sim_diags_fini(&diags);
	free(sets);
	return rc;
}

struct grid {
	const struct sweep_options *o;
	size_t *positions;   /* grid index of each point this shard runs */
	size_t n;
};

static int point_config(void *vctx, size_t i, struct model_config *cfg, char *why, size_t len)
{
	const struct grid *g = vctx;
	const struct sweep_options *o = g->o;
	size_t which[MAX_AXES];
	struct rpt_sweep_axis axes[MAX_AXES];
	for (size_t a = 0; a < o->naxes; a++)
		axes[a] = (struct rpt_sweep_axis){o->axes[a].key, (const char *const *)o->axes[a].values,
						  o->axes[a].nvalues};
	rpt_sweep_point_values(axes, o->naxes, g->positions[i], which);
	char *kv[MAX_AXES] = {0};
	int rc = 0;
	for (size_t a = 0; a < o->naxes && !rc; a++) {
		size_t l = strlen(o->axes[a].key) + strlen(o->axes[a].values[which[a]]) + 2;
		kv[a] = malloc(l);
		if (!kv[a])
			rc = -1;
		else
			snprintf(kv[a], l, "%s=%s", o->axes[a].key, o->axes[a].values[which[a]]);
	}
	char msg[300] = "out of memory";
	if (!rc)
		rc = load_with(o, (const char *const *)kv, o->naxes, cfg, msg, sizeof msg);
	else
		model_config_init(cfg);
	if (rc) {
		snprintf(why, len, "tiersim sweep: point %zu (", g->positions[i]);
		for (size_t a = 0; a < o->naxes; a++) {
			size_t used = strlen(why);
			snprintf(why + used, len - used, "%s%s", a ? " " : "", kv[a] ? kv[a] : "?");
		}
		size_t used = strlen(why);
		snprintf(why + used, len - used, "): %s", msg);
	}
	for (size_t a = 0; a < o->naxes; a++)
		free(kv[a]);
	return rc;
}

/* Every value of every axis on its own, with a message naming the --vary. */
static int validate_axes(const struct sweep_options *o)
{
	for (size_t a = 0; a < o->naxes; a++) {
		const struct axis *ax = &o->axes[a];
		for (size_t v = 0; v < ax->nvalues; v++) {
			size_t l = strlen(ax->key) + strlen(ax->values[v]) + 2;
			char *kv = malloc(l);
			if (!kv)
				return cli_usage_error("sweep", "out of memory");
			snprintf(kv, l, "%s=%s", ax->key, ax->values[v]);
			struct model_config cfg;
			char why[300];
			const char *one[1] = {kv};
			int rc = load_with(o, one, 1, &cfg, why, sizeof why);
			model_config_fini(&cfg);
			free(kv);
			if (rc)
				return cli_usage_error("sweep", "--vary %s: value '%s': %s", ax->arg,
						       ax->values[v], why);
		}
	}
	return 0;
}

static int write_outputs(const char *dir, const struct rpt_sweep_doc *doc)
{
	char err[512];
	if (rpt_write_file_atomic(dir, "sweep.json", rpt_sweep_json_writer, doc, err, sizeof err) ||
	    rpt_write_file_atomic(dir, "sweep.csv", rpt_sweep_csv_writer, doc, err, sizeof err)) {
		fprintf(stderr, "tiersim sweep: %s\n", err);
		return CLI_EXIT_FAILURE;
	}
	return 0;
}

static int run_grid(const struct sweep_options *o, const struct model_config *base)
{
	struct rpt_sweep_axis axes[MAX_AXES];
	for (size_t a = 0; a < o->naxes; a++)
		axes[a] = (struct rpt_sweep_axis){o->axes[a].key, (const char *const *)o->axes[a].values,
						  o->axes[a].nvalues};
	size_t total = rpt_sweep_points(axes, o->naxes);
	struct grid g = {.o = o};
	g.positions = malloc(total * sizeof *g.positions);
	if (!g.positions)
		return cli_usage_error("sweep", "out of memory");
	for (size_t i = 0; i < total; i++)
		if (!o->shard_count || i % o->shard_count == o->shard_index - 1)
			g.positions[g.n++] = i;

	/* Every point of this shard validates before anything runs. */
	int rc = 0;
	for (size_t i = 0; i < g.n && !rc; i++) {
		struct model_config cfg;
		char why[600];
		if (point_config(&g, i, &cfg, why, sizeof why)) {
			fprintf(stderr, "%s\n", why);
			rc = CLI_EXIT_USAGE;
		}
		model_config_fini(&cfg);
	}
	char *resolved = NULL;
	if (!rc && scn_emit_resolved(base, &resolved)) {
		fprintf(stderr, "tiersim sweep: out of memory\n");
		rc = CLI_EXIT_FAILURE;
	}
	struct rpt_point *rows = NULL;
	bool *complete = NULL;
	if (!rc) {
		rows = calloc(g.n ? g.n : 1, sizeof *rows);
		complete = calloc(g.n ? g.n : 1, sizeof *complete);
		if (!rows || !complete)
			rc = cli_usage_error("sweep", "out of memory");
	}
	if (!rc) {
		struct cli_points batch = {
			.n = g.n, .jobs = o->jobs, .max_memory_bytes = o->max_memory_bytes,
			.extra_slo = o->slo, .nextra_slo = o->nslo,
			.config = point_config, .ctx = &g,
			.progress_label = o->quiet ? NULL : "tiersim sweep:",
			.complete = complete,
		};
		rc = cli_points_run(&batch, rows);
	}
	/* A Ctrl-C: the points that ran to their end are written, marked
	 * partial, and the exit status says the signal (docs/hardening.md). */
	int stopped = 0;
	char partial[64] = "";
	if (rc && sim_interrupted() && rc == sim_interrupt_exit_status()) {
		stopped = rc;
		rc = 0;
		snprintf(partial, sizeof partial, "interrupted by %s",
			 sim_interrupt_signal == SIGTERM ? "SIGTERM" : "SIGINT");
	}
	struct rpt_sweep_doc *doc = NULL;
	if (!rc) {
		struct rpt_sweep_info info = {
			.scenario = base->name,
			.resolved_scenario = resolved,
			.resolved_len = strlen(resolved),
			.seed = base->seed,
			.duration_s = sim_ns_to_s(base->duration_ns),
			.warmup_s = sim_ns_to_s(base->warmup_ns),
			.axes = axes,
			.naxes = o->naxes,
			.extra_slo = o->slo,
			.nextra_slo = o->nslo,
			.shard_index = o->shard_index,
			.shard_count = o->shard_count,
		};
		rc = rpt_sweep_doc_create(&info, &doc);
		if (!rc && stopped)
			rc = rpt_sweep_doc_set_partial(doc, partial);
		for (size_t i = 0; i < g.n && !rc; i++) {
			if (!complete[i])
				continue; /* not run, or cut short by the signal */
			rows[i].index = g.positions[i];
			rc = rpt_sweep_doc_add_point(doc, &rows[i]);
		}
		if (rc) {
			fprintf(stderr, "tiersim sweep: %s\n", strerror(rc));
			rc = CLI_EXIT_FAILURE;
		}
	}
	if (!rc)
		rc = write_outputs(o->out_dir ? o->out_dir : ".", doc);
	if (!rc && !o->quiet && (rpt_sweep_text_writer(doc, stdout) || fflush(stdout))) {
		fprintf(stderr, "tiersim sweep: cannot write the table: %s\n", strerror(errno));
		rc = CLI_EXIT_FAILURE;
	}
	if (stopped) {
		size_t done = 0;
		for (size_t i = 0; i < g.n; i++)
			done += complete[i];
		fprintf(stderr, "tiersim sweep: %s after %zu of %zu points; %s the points that ran "
				"to the end, marked partial\n", partial, done, g.n,
			rc ? "could not write" : "wrote");
		rc = rc ? rc : stopped;
	}
	rpt_sweep_doc_destroy(doc);
	free(rows);
	free(complete);
	free(resolved);
	free(g.positions);
	return rc;
}

int cli_sweep(int argc, char **argv)
{
	struct sweep_options o = {0};
	int rc = parse_options(argc, argv, &o);
	if (rc) {
		options_fini(&o);
		return rc < 0 ? CLI_EXIT_OK : rc;
	}
	struct model_config base;
	struct sim_diags diags;
	sim_diags_init(&diags);
	rc = scn_load_file(o.file, o.sets.items, o.sets.n, &base, &diags);
	if (rc || diags.errors) {
		sim_diags_print(&diags, stderr);
		rc = CLI_EXIT_USAGE;
	}
	sim_diags_fini(&diags);
	double points = 1;
	for (size_t a = 0; a < o.naxes; a++)
		points *= (double)o.axes[a].nvalues;
	if (!rc && points > MAX_POINTS)
		rc = cli_usage_error("sweep", "the grid has %.0f points, at most %d", points, MAX_POINTS);
	if (!rc)
		rc = validate_axes(&o);
	if (!rc)
		rc = cli_prepare_out_dir("sweep", o.out_dir ? o.out_dir : ".");
	if (!rc)
		rc = run_grid(&o, &base);
	if (!rc && o.plot) /* not after a Ctrl-C: stop now */
		rc = cli_plot_folder("sweep", o.out_dir, NULL, NULL);
	model_config_fini(&base);
	options_fini(&o);
	return rc;
}
