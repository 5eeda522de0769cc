/* `tiersim dash`: a scenario run live in the terminal, with an operator's keys.
 *
 * One replication (index 0 of the scenario's seed) runs in a model_session
 * (models/session.h); the screen is struct rpt_dash (report/dash_model.h)
 * painted by report/dash_view.c.  This file is the loop that joins them.
 *
 * Decoupling, in one thread: each frame first reads every key waiting, then
 * simulates in small slices of simulated time (2 ms of wall time each at the
 * asked speed) until the frame's target (the speed times the wall time since
 * the speed was set) or the simulation budget (SIM_BUDGET_NS, 70 ms) is
 * reached, then paints (about a millisecond: curses sends only what
 * changed), then waits for a key for what is left of FRAME_NS (40 ms), if
 * anything.  So a key acts within one frame (at most about 75 ms); when the
 * model keeps up, frames come every 40 ms and the rest is idle; when it does
 * not (or at "max"), the simulation gets all but the paint, about 98% of the
 * time, and the target is re-anchored instead of piling up debt (the header
 * shows the speed reached next to the one asked).
 *
 * Ctrl-C quits as q does.  The screen goes to /dev/tty and the report to stdout, so
 * `tiersim dash FILE > report.txt` keeps the report.  On quit: the report
 * `tiersim run` prints for the simulated span, and with --record FILE the
 * resolved scenario with the session's actions (failures: entries,
 * workload steps and autoscaler switches at their instants, duration = the
 * span, one replication) that `tiersim run` replays to the same numbers. */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curses.h>

#include "cli.h"
#include "models/failures.h"
#include "models/replications.h"
#include "models/session.h"
#include "report/dash_model.h"
#include "report/dash_view.h"
#include "report/outfile.h"
#include "report/output.h"
#include "scenarios/loader.h"
#include "sim/time.h"

#define FRAME_NS (40 * SIM_NS_PER_MS)
#define SIM_BUDGET_NS (70 * SIM_NS_PER_MS)
#define SLOW_FACTOR 5.0

static const char dash_usage[] =
	"usage: tiersim dash FILE [options]\n"
	"\n"
	"Run the scenario FILE live in the terminal (80x24 or larger); crash, slow,\n"
	"partition and recover nodes, change the load and switch the autoscaler\n"
	"while it runs.  On quit, print the report `tiersim run` prints for the\n"
	"simulated span.\n"
	"\n"
	"  --seed N          random seed (the scenario's `seed`)\n"
	"  --duration T      the longest span the session may run, e.g. 30m\n"
	"  --set KEY=VALUE   override any scenario key\n"
	"  --speed S         starting speed: 1, 2, 5, 10 (default), ... 1000 or max\n"
	"  --paused          start paused\n"
	"  --record FILE     on quit, save the session as a scenario that\n"
	"                    `tiersim run` replays to the same numbers\n"
	"  --format FMT      the report on quit: text (default), json or csv\n"
	"\n"
	"keys: space pause, + - speed, . step, tab/arrows select, k crash, s slow x5,\n"
	"p partition, r recover, [ ] load -10%/+10%, a autoscaler, ? help, q quit\n"
	"\n"
	"exit status: 0 ok, 1 an SLO was missed over the span, 2 bad usage or bad input\n";

enum dash_format { DASH_TEXT, DASH_JSON, DASH_CSV };

struct dash_options {
	const char *file;
	struct cli_sets sets;  /* --set values, and the spelled-out shorthands */
	const char *record;
	int speed_index;
	bool paused;
	enum dash_format format;
};

static int speed_index_of(const char *text)
{
	for (int i = 0; i < RPT_DASH_NSPEEDS; i++) {
		char buf[16];
		if (rpt_dash_speeds[i] > 0)
			snprintf(buf, sizeof buf, "%g", rpt_dash_speeds[i]);
		else
			snprintf(buf, sizeof buf, "max");
		if (!strcmp(text, buf) || (text[0] == 'x' && !strcmp(text + 1, buf)))
			return i;
	}
	return -1;
}

static int parse_options(int argc, char **argv, struct dash_options *o)
{
	enum { OPT_SEED = 256, OPT_DURATION, OPT_SET, OPT_SPEED, OPT_PAUSED, OPT_RECORD,
	       OPT_FORMAT, OPT_HELP };
	static const struct option longopts[] = {
		{"seed", required_argument, NULL, OPT_SEED},
		{"duration", required_argument, NULL, OPT_DURATION},
		{"set", required_argument, NULL, OPT_SET},
		{"speed", required_argument, NULL, OPT_SPEED},
		{"paused", no_argument, NULL, OPT_PAUSED},
		{"record", required_argument, NULL, OPT_RECORD},
		{"format", required_argument, NULL, OPT_FORMAT},
		{"help", no_argument, NULL, OPT_HELP},
		{NULL, 0, NULL, 0},
	};
	opterr = 0;
	optind = 1;
	int ch;
	while ((ch = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		int rc = 0;
		switch (ch) {
		case OPT_SEED:
			rc = cli_sets_shorthand(&o->sets, 0, "seed", optarg);
			break;
		case OPT_DURATION:
			rc = cli_sets_shorthand(&o->sets, 1, "duration", optarg);
			break;
		case OPT_SET:
			if (!strchr(optarg, '=') || optarg[0] == '=')
				return cli_usage_error("dash", "--set expects KEY=VALUE, got '%s'", optarg);
			rc = cli_sets_add(&o->sets, optarg);
			break;
		case OPT_SPEED:
			o->speed_index = speed_index_of(optarg);
			if (o->speed_index < 0)
				return cli_usage_error("dash", "--speed: expected 1, 2, 5, 10, 20, 50, "
							       "100, 200, 500, 1000 or max, got '%s'",
						       optarg);
			break;
		case OPT_PAUSED:
			o->paused = true;
			break;
		case OPT_RECORD:
			o->record = optarg;
			break;
		case OPT_FORMAT:
			if (!strcmp(optarg, "text"))
				o->format = DASH_TEXT;
			else if (!strcmp(optarg, "json"))
				o->format = DASH_JSON;
			else if (!strcmp(optarg, "csv"))
				o->format = DASH_CSV;
			else
				return cli_usage_error("dash", "--format: expected text, json or csv, got '%s'",
						       optarg);
			break;
		case OPT_HELP:
		case 'h':
			fputs(dash_usage, stdout);
			return -1;
		default:
			return cli_option_error("dash", ch, argv);
		}
		if (rc)
			return cli_usage_error("dash", "out of memory");
	}
	int bad = cli_scenario_operand("dash", argc, argv, &o->file);
	if (bad)
		return bad;
	return 0;
}

/* Ctrl-C or a TERM signal quits as q does: the screen is restored and the
 * report printed. */
static volatile sig_atomic_t quit_signalled;

static void on_quit_signal(int sig)
{
	(void)sig;
	quit_signalled = 1;
}

static int64_t mono_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * SIM_NS_PER_S + t.tv_nsec;
}

/* ---------------------------------------------------------------- the loop */

/* The operator's actions, for the recording's header comment. */
#define MAX_NOTED_ACTIONS 64
struct noted_actions {
	struct rpt_dash *view;
	size_t n, dropped;
	char lines[MAX_NOTED_ACTIONS][MODEL_EVENT_TEXT_MAX + 32];
};

struct dash {
	struct model_config *cfg;
	struct model_session *session;
	struct rpt_dash *view;
	struct model_snapshot *snap;
	bool color;
	bool quit;
	/* pacing: simulated time follows sim_anchor + speed x (wall - wall_anchor) */
	int64_t wall_anchor, sim_anchor;
	/* achieved speed, measured over about a second */
	int64_t speed_wall0, speed_sim0;
};

static void on_model_event(void *ctx, const struct model_event *ev)
{
	struct noted_actions *noted = ctx;
	rpt_dash_log(noted->view, ev->at_ns, ev->kind, ev->text);
	if (ev->kind != MODEL_EVENT_ACTION)
		return;
	if (noted->n == MAX_NOTED_ACTIONS) {
		noted->dropped++;
		return;
	}
	char at[24];
	rpt_dash_clock(ev->at_ns, at, sizeof at);
	snprintf(noted->lines[noted->n++], sizeof noted->lines[0], "%s  %s", at, ev->text);
}

/* The recording: a comment saying where it comes from and what the operator
 * did, then the resolved scenario (comments change nothing it loads to). */
static char *recording_text(const char *source, const struct model_config *cfg,
			    const struct noted_actions *noted, const char *resolved)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		return NULL;
	char span[32];
	rpt_dash_clock(cfg->duration_ns, span, sizeof span);
	fprintf(f, "# Recorded by tiersim dash from %s (seed %llu), %s of simulated time.\n"
		   "# `tiersim run` on this file replays the session to the same numbers.\n"
		   "# The operator's actions (failures:, workload.schedule and\n"
		   "# autoscale.schedule below):\n",
		source, (unsigned long long)cfg->seed, span);
	for (size_t i = 0; i < noted->n; i++)
		fprintf(f, "#   %s\n", noted->lines[i]);
	if (noted->n == 0)
		fprintf(f, "#   none\n");
	if (noted->dropped)
		fprintf(f, "#   ... and %zu more\n", noted->dropped);
	fputs(resolved, f);
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

static void reanchor(struct dash *d)
{
	d->wall_anchor = mono_ns();
	d->sim_anchor = model_session_now_ns(d->session);
}

/* Starting the default autoscaler may add nodes (app4..app10 come before
 * db1): the selection stays on the node it was on. */
static void keep_selection(struct dash *d)
{
	char name[sizeof d->view->nodes[0].name];
	snprintf(name, sizeof name, "%s",
		 d->view->nnodes > 0 ? d->view->nodes[d->view->selected].name : "");
	model_session_snapshot(d->session, d->snap);
	for (int i = 0; i < d->snap->nnodes; i++)
		if (!strcmp(d->snap->nodes[i].name, name))
			d->view->selected = i;
}

static void act(struct dash *d, enum rpt_dash_cmd c)
{
	char msg[RPT_DASH_LINE_MAX];
	int node = d->view->selected;
	int rc = 0;
	switch (c) {
	case RPT_DASH_CMD_STEP:
		d->view->paused = true;
		model_session_advance(d->session,
				      model_session_now_ns(d->session) + d->cfg->window_ns);
		return;
	case RPT_DASH_CMD_QUIT:
		d->quit = true;
		return;
	case RPT_DASH_CMD_CRASH:
		rc = model_session_fail(d->session, node, FAILURE_CRASH, 0, msg, sizeof msg);
		break;
	case RPT_DASH_CMD_SLOW:
		rc = model_session_fail(d->session, node, FAILURE_SLOW, SLOW_FACTOR, msg, sizeof msg);
		break;
	case RPT_DASH_CMD_PARTITION:
		rc = model_session_fail(d->session, node, FAILURE_PARTITION, 0, msg, sizeof msg);
		break;
	case RPT_DASH_CMD_RECOVER:
		rc = model_session_recover(d->session, node, msg, sizeof msg);
		break;
	case RPT_DASH_CMD_LOAD_DOWN:
		rc = model_session_scale_load(d->session, 0.9, msg, sizeof msg);
		break;
	case RPT_DASH_CMD_LOAD_UP:
		rc = model_session_scale_load(d->session, 1.1, msg, sizeof msg);
		break;
	case RPT_DASH_CMD_AUTOSCALER:
		rc = model_session_toggle_autoscaler(d->session, msg, sizeof msg);
		if (!rc)
			keep_selection(d);
		break;
	default:
		return;
	}
	/* Done actions reach the log as model events; a refusal says why. */
	if (rc) {
		char line[RPT_DASH_LINE_MAX + 16];
		snprintf(line, sizeof line, "refused: %s", msg);
		rpt_dash_log(d->view, model_session_now_ns(d->session), MODEL_EVENT_ACTION, line);
	}
}

static void handle_key(struct dash *d, int key)
{
	enum rpt_dash_cmd c = rpt_dash_view_cmd(key);
	bool was_paused = d->view->paused;
	int speed = d->view->speed_index;
	if (rpt_dash_apply(d->view, c))
		act(d, c);
	if (was_paused != d->view->paused || speed != d->view->speed_index)
		reanchor(d);
}

/* Simulate toward the frame's target, within the budget. */
static void simulate(struct dash *d, int64_t frame_start)
{
	struct model_session *s = d->session;
	int64_t now = model_session_now_ns(s), end = model_session_end_ns(s);
	if (d->view->paused || now >= end)
		return;
	double speed = rpt_dash_speed(d->view);
	int64_t target, slice;
	if (speed > 0) {
		target = d->sim_anchor + (int64_t)((double)(frame_start - d->wall_anchor) * speed);
		slice = (int64_t)(speed * 2e6); /* 2 ms of wall time at the asked speed */
	} else {
		target = end;
		slice = 100 * SIM_NS_PER_MS;
	}
	int64_t deadline = frame_start + SIM_BUDGET_NS;
	while (now < target && now < end && mono_ns() < deadline)
		now = model_session_advance(s, now + slice < target ? now + slice : target);
	if (speed > 0 && now < target && now < end)
		reanchor(d); /* behind: the asked speed is not reachable, no debt */
}

static void measure_speed(struct dash *d)
{
	int64_t wall = mono_ns(), sim = model_session_now_ns(d->session);
	if (wall - d->speed_wall0 < SIM_NS_PER_S)
		return;
	d->view->achieved_speed = (double)(sim - d->speed_sim0) / (double)(wall - d->speed_wall0);
	d->speed_wall0 = wall;
	d->speed_sim0 = sim;
}

static void draw(struct dash *d)
{
	model_session_snapshot(d->session, d->snap);
	rpt_dash_update(d->view, d->snap, d->cfg->slo, d->cfg->nslo);
	rpt_dash_view_draw(d->view, d->color);
}

static void run_loop(struct dash *d)
{
	reanchor(d);
	d->speed_wall0 = mono_ns();
	d->speed_sim0 = 0;
	nodelay(stdscr, TRUE);
	while (!d->quit && !quit_signalled) {
		int64_t frame_start = mono_ns();
		int key;
		while (!d->quit && (key = getch()) != ERR)
			handle_key(d, key);
		if (d->quit)
			break;
		simulate(d, frame_start);
		measure_speed(d);
		draw(d);
		/* Wait for a key for the rest of the frame. */
		int64_t left_ms = (frame_start + FRAME_NS - mono_ns()) / SIM_NS_PER_MS;
		if (left_ms > 0) {
			timeout((int)left_ms);
			key = getch();
			nodelay(stdscr, TRUE);
			if (key != ERR)
				handle_key(d, key);
		}
	}
}

/* ---------------------------------------------------------------- quit */

static int write_text_file(const void *ctx, FILE *out)
{
	return fputs(ctx, out) < 0 ? -1 : 0;
}

/* --record's file: checked writable before the session, written on quit. */
static int split_path(const char *path, char *dir, size_t dirlen, char *name, size_t namelen)
{
	char a[4096], b[4096];
	if (strlen(path) >= sizeof a)
		return -1;
	strcpy(a, path);
	strcpy(b, path);
	snprintf(dir, dirlen, "%s", dirname(a));
	snprintf(name, namelen, "%s", basename(b));
	return 0;
}

static int report_and_record(const struct dash_options *o, struct model_config *cfg,
			     struct model_session *s, const struct noted_actions *noted)
{
	struct model_results res;
	int rc = model_session_finish(s, &res);
	if (rc == EINVAL) {
		fprintf(stderr, "tiersim dash: quit before the end of the warm-up (%.0f s): nothing "
				"was measured, no report%s\n",
			sim_ns_to_s(cfg->warmup_ns), o->record ? " and no recording" : "");
		return CLI_EXIT_OK;
	}
	if (rc) {
		fprintf(stderr, "tiersim dash: out of memory\n");
		return CLI_EXIT_FAILURE;
	}
	char *resolved = NULL;
	if (scn_emit_resolved(cfg, &resolved)) {
		model_results_fini(&res);
		fprintf(stderr, "tiersim dash: out of memory\n");
		return CLI_EXIT_FAILURE;
	}
	rc = CLI_EXIT_OK;
	if (o->record) {
		char dir[4096], name[1024], err[512] = "out of memory";
		char *text = recording_text(o->file, cfg, noted, resolved);
		if (!text || split_path(o->record, dir, sizeof dir, name, sizeof name) ||
		    rpt_write_file_atomic(dir, name, write_text_file, text, err, sizeof err)) {
			fprintf(stderr, "tiersim dash: --record %s: %s\n", o->record, err);
			rc = CLI_EXIT_FAILURE;
		}
		free(text);
	}
	struct model_analytic analytic;
	model_analytic_compute(cfg, &analytic);
	struct rpt_run_info info = {
		.resolved_scenario = resolved,
		.resolved_len = strlen(resolved),
		.seed = cfg->seed,
		.duration_s = sim_ns_to_s(cfg->duration_ns),
		.warmup_s = sim_ns_to_s(cfg->warmup_ns),
	};
	struct rpt_summary summary;
	int brc = rpt_summary_build(cfg, &res, 1, &analytic, &info, &summary);
	model_results_fini(&res);
	if (brc) {
		fprintf(stderr, "tiersim dash: cannot summarise the run (%s)\n", strerror(brc));
		free(resolved);
		return CLI_EXIT_FAILURE;
	}
	int wrc = o->format == DASH_JSON  ? rpt_write_json(&summary, stdout)
		  : o->format == DASH_CSV ? rpt_write_summary_csv(&summary, stdout)
					  : rpt_write_text(&summary, stdout);
	if (wrc || fflush(stdout) != 0) {
		fprintf(stderr, "tiersim dash: cannot write the report: %s\n", strerror(errno));
		rc = CLI_EXIT_FAILURE;
	}
	if (!rc && !summary.slo_met)
		rc = CLI_EXIT_SLO_MISSED;
	rpt_summary_fini(&summary);
	free(resolved);
	return rc;
}

/* ---------------------------------------------------------------- main */

/* What the session needs of the scenario: one replication, a fixed warm-up. */
static int prepare_config(struct model_config *cfg)
{
	if (cfg->warmup_auto) {
		struct model_warmup w;
		if (model_detect_warmup(cfg, &w))
			return ENOMEM;
		cfg->warmup_ns = w.warmup_ns;
		cfg->warmup_auto = false;
	}
	cfg->replications = 1;
	cfg->replications_auto = false;
	return 0;
}

static int run_session(const struct dash_options *o, struct model_config *cfg)
{
	FILE *tty = fopen("/dev/tty", "r+");
	if (!tty)
		return cli_usage_error("dash", "needs a terminal (/dev/tty: %s)", strerror(errno));
	SCREEN *screen = newterm(NULL, tty, tty);
	if (!screen) {
		fclose(tty);
		return cli_usage_error("dash", "cannot drive the terminal (TERM=%s)",
				       getenv("TERM") ? getenv("TERM") : "");
	}
	set_term(screen);
	set_escdelay(25);
	struct sigaction sa = {.sa_handler = on_quit_signal};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	struct dash d = {.cfg = cfg};
	d.view = malloc(sizeof *d.view);
	d.snap = malloc(sizeof *d.snap);
	struct noted_actions *noted = calloc(1, sizeof *noted);
	int rc = 0;
	if (d.view && d.snap && noted) {
		rpt_dash_init(d.view, cfg->name, o->speed_index);
		d.view->paused = o->paused;
		noted->view = d.view;
		struct model_event_listener listener = {.fn = on_model_event, .ctx = noted};
		d.session = model_session_create(cfg, 0, &listener);
	}
	if (d.session) {
		d.color = rpt_dash_view_start();
		run_loop(&d);
	}
	endwin();
	delscreen(screen);
	fclose(tty);
	if (!d.session) {
		fprintf(stderr, "tiersim dash: out of memory\n");
		rc = CLI_EXIT_FAILURE;
	} else {
		rc = report_and_record(o, cfg, d.session, noted);
		model_session_destroy(d.session);
	}
	free(noted);
	free(d.view);
	free(d.snap);
	return rc;
}

int cli_dash(int argc, char **argv)
{
	struct dash_options o = {.speed_index = 3 /* x10 */, .format = DASH_TEXT};
	int rc = parse_options(argc, argv, &o);
	if (rc) {
		cli_sets_fini(&o.sets);
		return rc < 0 ? CLI_EXIT_OK : rc;
	}
	struct model_config cfg;
	struct sim_diags diags;
	sim_diags_init(&diags);
	rc = scn_load_file(o.file, o.sets.items, o.sets.n, &cfg, &diags);
	if (rc || diags.errors) {
		sim_diags_print(&diags, stderr);
		rc = CLI_EXIT_USAGE;
	} else {
		char why[256];
		if (!model_failures_supported(&cfg, why, sizeof why))
			rc = cli_usage_error("dash", "%s: %s", o.file, why);
		else if (o.record && access(o.record, F_OK) != 0) {
			char dir[4096], name[1024];
			if (split_path(o.record, dir, sizeof dir, name, sizeof name) ||
			    access(dir, W_OK | X_OK) != 0)
				rc = cli_usage_error("dash", "--record %s: %s", o.record,
						     strerror(errno ? errno : EINVAL));
		} else if (o.record && access(o.record, W_OK) != 0) {
			rc = cli_usage_error("dash", "--record %s: %s", o.record, strerror(errno));
		}
	}
	sim_diags_fini(&diags);
	if (!rc && prepare_config(&cfg)) {
		fprintf(stderr, "tiersim dash: out of memory\n");
		rc = CLI_EXIT_FAILURE;
	}
	if (!rc)
		rc = run_session(&o, &cfg);
	model_config_fini(&cfg);
	cli_sets_fini(&o.sets);
	return rc;
}
