/* Unit tests for report/plot*: the figures of a result folder.
 *
 * Two folders: one written by the real writers from the report fixture (so
 * the data files can be checked against summary.json and timeseries.csv),
 * and one made by hand with the columns later features add (NODE_lag_s,
 * TIER_nodes), which must make their figures appear.  When gnuplot is in
 * PATH every script is rendered and must draw both files without a word of
 * warning. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "report/outfile.h"
#include "report/plan.h"
#include "report/output.h"
#include "report/plot.h"
#include "report/plot_figure.h"
#include "report/sweep.h"
#include "report_fixture.h"

/* ---------------------------------------------------------------- helpers */

static char *make_dir(void)
{
	char tmpl[] = "/tmp/tiersim_plot.XXXXXX";
	char *d = mkdtemp(tmpl);
	assert_non_null(d);
	return strdup(d);
}

static void remove_tree(const char *dir)
{
	char cmd[4200];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static void put_text(const char *dir, const char *name, const char *text)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static char *slurp(const char *dir, const char *name)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s/%s", dir, RPT_PLOT_DIR, name);
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	char *buf = calloc(1, 1 << 20);
	size_t n = fread(buf, 1, (1 << 20) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static bool plot_file_exists(const char *dir, const char *name)
{
	char path[4096];
	struct stat st;
	snprintf(path, sizeof path, "%s/%s/%s", dir, RPT_PLOT_DIR, name);
	return stat(path, &st) == 0 && st.st_size > 0;
}

static int plot(const char *dir, double max_lag_s, struct rpt_plot_written *w, char *err,
		size_t errlen)
{
	struct rpt_plot_options o = {.max_lag_s = max_lag_s};
	struct rpt_plot_input *in;
	assert_int_equal(rpt_plot_input_create(dir, &o, &in), 0);
	int rc = rpt_plot_write(in, w, err, errlen);
	rpt_plot_input_destroy(in);
	return rc;
}

static bool written(const struct rpt_plot_written *w, const char *name)
{
	for (size_t i = 0; i < w->n; i++)
		if (!strcmp(w->names[i], name))
			return true;
	return false;
}

/* A .dat file: tab-separated, a header row. */
struct dat {
	size_t ncols, nrows;
	char names[64][64];
	char cell[1024][64][32];
};

static struct dat *read_dat(const char *dir, const char *name)
{
	char *text = slurp(dir, name);
	assert_non_null(text);
	struct dat *d = calloc(1, sizeof *d);
	char *save = NULL;
	size_t row = 0;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		size_t col = 0;
		for (char *c = line;; col++) {
			char *tab = strchr(c, '\t');
			size_t len = tab ? (size_t)(tab - c) : strlen(c);
			assert_true(col < 64 && len < 32);
			if (row == 0)
				snprintf(d->names[col], sizeof d->names[col], "%.*s", (int)len, c);
			else
				snprintf(d->cell[row - 1][col], sizeof d->cell[0][0], "%.*s", (int)len, c);
			if (!tab)
				break;
			c = tab + 1;
		}
		if (row == 0)
			d->ncols = col + 1;
		else
			assert_int_equal(col + 1, d->ncols); /* every row has every column */
		row++;
	}
	d->nrows = row ? row - 1 : 0;
	free(text);
	return d;
}

static int dat_col(const struct dat *d, const char *name)
{
	for (size_t i = 0; i < d->ncols; i++)
		if (!strcmp(d->names[i], name))
			return (int)i;
	fail_msg("no column %s", name);
	return -1;
}

/* ---------------------------------------------------------------- a run's folder */

struct run_folder {
	char *dir;
	struct rpt_summary s;
	json_t *json;
};

static int setup_run(void **state)
{
	struct run_folder *f = calloc(1, sizeof *f);
	assert_int_equal(fx_summary(&f->s), 0);
	f->dir = make_dir();
	char err[512];
	assert_int_equal(rpt_write_file_atomic(f->dir, "summary.json", rpt_json_writer, &f->s, err,
					       sizeof err), 0);
	assert_int_equal(rpt_write_file_atomic(f->dir, "timeseries.csv", rpt_timeseries_csv_writer,
					       &f->s, err, sizeof err), 0);
	assert_int_equal(rpt_write_file_atomic(f->dir, "latency_cdf.csv",
					       rpt_latency_cdf_csv_writer, &f->s, err, sizeof err), 0);
	char path[4096];
	snprintf(path, sizeof path, "%s/summary.json", f->dir);
	f->json = json_load_file(path, 0, NULL);
	assert_non_null(f->json);
	*state = f;
	return 0;
}

static int teardown_run(void **state)
{
	struct run_folder *f = *state;
	remove_tree(f->dir);
	free(f->dir);
	json_decref(f->json);
	rpt_summary_fini(&f->s);
	free(f);
	return 0;
}

static void test_a_run_folder_gets_the_run_figures_and_no_others(void **state)
{
	struct run_folder *f = *state;
	struct rpt_plot_written w;
	char err[512];
	assert_int_equal(plot(f->dir, 0, &w, err, sizeof err), 0);
	/* the fixture has a replica, so its lag column brings the lag figure */
	static const char *const want[] = {"latency", "traffic", "utilization", "queues", "lag",
					   "cdf"};
	assert_int_equal(w.n, 6);
	for (size_t i = 0; i < 6; i++) {
		char name[64];
		assert_string_equal(w.names[i], want[i]);
		snprintf(name, sizeof name, "%s.gp", want[i]);
		assert_true(plot_file_exists(f->dir, name));
		snprintf(name, sizeof name, "%s.dat", want[i]);
		assert_true(plot_file_exists(f->dir, name));
	}
	assert_false(written(&w, "nodes")); /* no TIER_nodes columns */
}

/* The percentiles over time are the time series' cells, digit for digit,
 * which are the summary's windows. */
static void test_latency_data_are_the_runs_windows(void **state)
{
	struct run_folder *f = *state;
	struct rpt_plot_written w;
	char err[512];
	assert_int_equal(plot(f->dir, 0, &w, err, sizeof err), 0);
	struct dat *d = read_dat(f->dir, "latency.dat");
	assert_int_equal(d->nrows, f->s.nwindows);
	int c99 = dat_col(d, "p99_ms"), c50 = dat_col(d, "p50_ms"), ct = dat_col(d, "time_s");
	for (size_t r = 0; r < d->nrows; r++) {
		const struct rpt_window *win = &f->s.windows[r];
		char want[32];
		snprintf(want, sizeof want, "%.10g", win->time_s);
		assert_string_equal(d->cell[r][ct], want);
		if (isnan(win->p99_ms)) {
			assert_string_equal(d->cell[r][c99], "NaN");
		} else {
			snprintf(want, sizeof want, "%.7g", win->p99_ms);
			assert_string_equal(d->cell[r][c99], want);
			snprintf(want, sizeof want, "%.7g", win->p50_ms);
			assert_string_equal(d->cell[r][c50], want);
		}
	}
	free(d);
}

/* The CDF's 0.5, 0.9, 0.99 and 0.999 points are summary.json's percentiles. */
static void test_cdf_data_hold_the_json_percentiles(void **state)
{
	struct run_folder *f = *state;
	struct rpt_plot_written w;
	char err[512];
	assert_int_equal(plot(f->dir, 0, &w, err, sizeof err), 0);
	struct dat *d = read_dat(f->dir, "cdf.dat");
	assert_int_equal(d->nrows, RPT_CDF_POINTS);
	assert_int_equal(d->ncols, 2 + f->s.nclasses);
	static const struct {
		double q;
		const char *key;
	} pct[] = {{0.5, "p50"}, {0.9, "p90"}, {0.99, "p99"}, {0.999, "p999"}};
	size_t checked = 0;
	for (size_t r = 0; r < d->nrows; r++) {
		double q = strtod(d->cell[r][0], NULL);
		for (size_t i = 0; i < 4; i++) {
			if (q != pct[i].q)
				continue;
			json_t *all = json_object_get(f->json, "latency_ms");
			double want = json_number_value(json_object_get(all, pct[i].key));
			assert_true(fabs(strtod(d->cell[r][dat_col(d, "all_ms")], NULL) - want) <=
				    1e-9 * want);
			json_t *cls = json_object_get(json_object_get(f->json, "classes"), "static");
			want = json_number_value(json_object_get(json_object_get(cls, "latency_ms"),
								 pct[i].key));
			assert_true(fabs(strtod(d->cell[r][dat_col(d, "static_ms")], NULL) - want) <=
				    1e-9 * want);
			/* a class without completions has no latency at all */
			assert_string_equal(d->cell[r][dat_col(d, "write_ms")], "NaN");
			checked++;
		}
	}
	assert_int_equal(checked, 4);
	free(d);
}

/* Failed requests per second, stacked by cause, top out at all failures;
 * the counts are the time series' and add up to summary.json's errors. */
static void test_traffic_stack_adds_up_to_the_failures(void **state)
{
	struct run_folder *f = *state;
	struct rpt_plot_written w;
	char err[512];
	assert_int_equal(plot(f->dir, 0, &w, err, sizeof err), 0);
	struct dat *d = read_dat(f->dir, "traffic.dat");
	int top = dat_col(d, "queue_timeout_top"), failed = dat_col(d, "failed_rps");
	int span = dat_col(d, "span_s"), count = dat_col(d, "failed_queue_timeout");
	for (size_t r = 0; r < d->nrows; r++) {
		double t = strtod(d->cell[r][top], NULL), all = strtod(d->cell[r][failed], NULL);
		assert_true(fabs(t - all) <= 1e-6 * all);
		assert_true(fabs(t * strtod(d->cell[r][span], NULL) -
				 strtod(d->cell[r][count], NULL)) < 1e-6);
	}
	/* the last window runs to the end of the run: 2 s to 2.5 s */
	assert_string_equal(d->cell[d->nrows - 1][span], "0.5");
	free(d);
	char *gp = slurp(f->dir, "traffic.gp");
	assert_non_null(strstr(gp, "title \"queue_timeout\""));
	assert_null(strstr(gp, "title \"client_timeout\"")); /* a cause that never happened */
	free(gp);
}

/* Every tier has its own colour, and a tier's nodes are shades of it. */
static void test_palette_gives_each_tier_one_colour(void **state)
{
	(void)state;
	for (int a = 0; a < TIER_COUNT; a++) {
		char one[8];
		rpt_plot_node_colour((enum model_tier)a, 0, 1, one);
		assert_string_equal(one, rpt_plot_tier_colour((enum model_tier)a));
		for (int b = a + 1; b < TIER_COUNT; b++)
			assert_string_not_equal(rpt_plot_tier_colour((enum model_tier)a),
						rpt_plot_tier_colour((enum model_tier)b));
		char c0[8], c1[8], c2[8];
		rpt_plot_node_colour((enum model_tier)a, 0, 3, c0);
		rpt_plot_node_colour((enum model_tier)a, 1, 3, c1);
		rpt_plot_node_colour((enum model_tier)a, 2, 3, c2);
		assert_string_not_equal(c0, c1);
		assert_string_not_equal(c1, c2);
	}
}

static void test_utilization_uses_the_tier_colours(void **state)
{
	struct run_folder *f = *state;
	struct rpt_plot_written w;
	char err[512];
	assert_int_equal(plot(f->dir, 0, &w, err, sizeof err), 0);
	char *gp = slurp(f->dir, "utilization.gp");
	/* web1 and app1 are their tier's only node: the tier's own colour */
	char want[64];
	snprintf(want, sizeof want, "lc rgb \"%s\" title \"web1\"", rpt_plot_tier_colour(TIER_WEB));
	assert_non_null(strstr(gp, want));
	snprintf(want, sizeof want, "lc rgb \"%s\" title \"app1\"", rpt_plot_tier_colour(TIER_APP));
	assert_non_null(strstr(gp, want));
	assert_non_null(strstr(gp, "set title \"db tier (2 nodes)\""));
	assert_non_null(strstr(gp, "title_text = \"fixture: utilization per node over time\""));
	free(gp);
}

/* ---------------------------------------------------------------- a hand-made folder */

static const char hand_summary[] =
	"{\"scenario\": \"we\\\"ird\\\\name\", \"duration_s\": 40, \"warmup_s\": 10,\n"
	" \"nodes\": [{\"name\": \"db1\", \"tier\": \"db\"}, {\"name\": \"db2\", \"tier\": \"db\"},\n"
	"            {\"name\": \"app1\", \"tier\": \"app\"}],\n"
	" \"incidents\": [{\"node\": \"db1\", \"kind\": \"crash\", \"at_s\": 20, \"detected_s\": 22,\n"
	"                \"recovered_s\": null, \"restored_s\": 25, \"failed_requests\": 3}],\n"
	" \"slo\": {\"met\": false, \"checks\": [{\"metric\": \"p99\", \"op\": \"<=\", \"target\": 250,\n"
	"          \"value\": 300, \"unit\": \"ms\", \"met\": false, \"source\": \"scenario\"}]}}\n";

/* db2 and db3 lag (db3 is a replica the summary does not list); the app
 * tier scales from 2 to 3 nodes.  db4_lag_s, web1_utilization and web_nodes
 * are empty throughout: nothing to draw, and gnuplot must not be asked to. */
static const char hand_series[] =
	"time_s,offered,completed,failed,throughput_rps,p50_ms,p90_ms,p99_ms,"
	"app1_utilization,app1_queue,db2_lag_s,db3_lag_s,app_nodes,db_nodes,"
	"db4_lag_s,web1_utilization,web_nodes\n"
	"0,100,100,0,10,1,2,3,0.5,0,0,0,2,3,,,\n"
	"10,100,99,1,9.9,1.5,2.5,3.5,0.6,0.1,0.25,0,2,3,,,\n"
	"20,100,90,10,9,2,3,400,0.9,2,4.5,1,3,3,,,\n"
	"30,100,100,0,10,1,2,3,0.5,0,7.25,,3,3,,,\n";

/* A class whose name has a blank, and one without completions. */
static const char hand_cdf[] =
	"class,quantile,latency_ms\n"
	"all,0.5,2\nall,0.99,40\nall,0.9999,90\n"
	"\"two words\",0.5,3\n\"two words\",0.99,50\n\"two words\",0.9999,95\n"
	"idle,0.5,\nidle,0.99,\nidle,0.9999,\n";

static int setup_hand(void **state)
{
	char *dir = make_dir();
	put_text(dir, "summary.json", hand_summary);
	put_text(dir, "timeseries.csv", hand_series);
	put_text(dir, "latency_cdf.csv", hand_cdf);
	*state = dir;
	return 0;
}

static int teardown_hand(void **state)
{
	remove_tree(*state);
	free(*state);
	return 0;
}

static void test_lag_columns_make_the_lag_figure_with_max_lag(void **state)
{
	const char *dir = *state;
	struct rpt_plot_written w;
	char err[512];
	assert_int_equal(plot(dir, 5, &w, err, sizeof err), 0);
	assert_true(written(&w, "lag"));
	struct dat *d = read_dat(dir, "lag.dat");
	assert_int_equal(d->ncols, 3);
	assert_string_equal(d->cell[3][dat_col(d, "db2_lag_s")], "7.25");
	assert_string_equal(d->cell[3][dat_col(d, "db3_lag_s")], "NaN"); /* an empty cell */
	free(d);
	char *gp = slurp(dir, "lag.gp");
	assert_non_null(strstr(gp, "title \"db2\""));
	assert_non_null(strstr(gp, "title \"db3\""));
	assert_non_null(strstr(gp, "5 with lines dt 2 lw 2 lc rgb \"#555555\" title \"max_lag 5 s\""));
	assert_non_null(strstr(gp, "set ylabel \"replication lag (s)\""));
	assert_null(strstr(gp, "db4"));
	/* the incident: shaded from failure (20 s) to restore (25 s), labelled,
	 * the node down until the end (no recovery) */
	assert_non_null(strstr(gp, "rect from 20, graph 0 to 25, graph 1"));
	assert_non_null(strstr(gp, "rect from 25, graph 0 to 40, graph 1"));
	assert_non_null(strstr(gp, "\"db1 crash\" at 20"));
	/* the scenario's name, escaped for gnuplot */
	assert_non_null(strstr(gp, "title_text = \"we\\\"ird\\\\name: replication lag"));
	free(gp);
	/* no max_lag: no line */
	assert_int_equal(plot(dir, 0, &w, err, sizeof err), 0);
	gp = slurp(dir, "lag.gp");
	assert_null(strstr(gp, "max_lag"));
	free(gp);
}

static void test_node_counts_that_change_make_the_nodes_figure(void **state)
{
	const char *dir = *state;
	struct rpt_plot_written w;
	char err[512];
	assert_int_equal(plot(dir, 0, &w, err, sizeof err), 0);
	assert_true(written(&w, "nodes"));
	char *gp = slurp(dir, "nodes.gp");
	char want[96];
	snprintf(want, sizeof want, "with steps lw 3 lc rgb \"%s\" title \"app\"",
		 rpt_plot_tier_colour(TIER_APP));
	assert_non_null(strstr(gp, want));
	free(gp);
	struct dat *d = read_dat(dir, "nodes.dat");
	assert_string_equal(d->cell[2][dat_col(d, "app_nodes")], "3");
	assert_int_equal(d->ncols, 3); /* time_s, app_nodes, db_nodes: not the empty web_nodes */
	free(d);
}

static void test_counts_that_never_change_and_stale_figures_go(void **state)
{
	const char *dir = *state;
	struct rpt_plot_written w;
	char err[512];
	assert_int_equal(plot(dir, 0, &w, err, sizeof err), 0);
	assert_true(plot_file_exists(dir, "lag.gp") && plot_file_exists(dir, "nodes.gp"));
	/* the same folder rerun without lag and with a fixed size */
	char path[4096];
	snprintf(path, sizeof path, "%s/latency_cdf.csv", dir);
	assert_int_equal(unlink(path), 0);
	put_text(dir, "timeseries.csv",
		 "time_s,offered,completed,failed,throughput_rps,p50_ms,p90_ms,p99_ms,app_nodes\n"
		 "0,1,1,0,0.1,1,2,3,2\n10,1,1,0,0.1,1,2,3,2\n");
	assert_int_equal(plot(dir, 0, &w, err, sizeof err), 0);
	assert_false(written(&w, "nodes"));
	assert_false(written(&w, "lag"));
	assert_false(plot_file_exists(dir, "lag.gp"));
	assert_false(plot_file_exists(dir, "lag.dat"));
	assert_false(plot_file_exists(dir, "nodes.gp"));
	assert_true(written(&w, "latency"));
	assert_false(written(&w, "utilization"));
	assert_false(written(&w, "cdf")); /* no latency_cdf.csv */
}

/* Names are spelled alike in the data's header and the script; a class
 * without completions is in the data, not in the plot. */
static void test_cdf_classes_by_name(void **state)
{
	const char *dir = *state;
	struct rpt_plot_written w;
	char err[512];
	assert_int_equal(plot(dir, 0, &w, err, sizeof err), 0);
	assert_true(written(&w, "cdf"));
	struct dat *d = read_dat(dir, "cdf.dat");
	assert_int_equal(d->nrows, 3);
	assert_string_equal(d->cell[1][dat_col(d, "two_words_ms")], "50");
	assert_string_equal(d->cell[1][dat_col(d, "idle_ms")], "NaN");
	free(d);
	char *gp = slurp(dir, "cdf.gp");
	assert_non_null(strstr(gp, "using (column(\"two_words_ms\"))"));
	assert_non_null(strstr(gp, "title \"two words\""));
	assert_null(strstr(gp, "idle"));
	/* the latency SLO of the summary as a vertical line */
	assert_non_null(strstr(gp, "set arrow 200 from 250, graph 0 to 250, graph 1"));
	free(gp);
}

static void test_a_folder_without_summary_is_refused(void **state)
{
	(void)state;
	char *dir = make_dir();
	struct rpt_plot_written w;
	char err[512];
	assert_int_equal(plot(dir, 0, &w, err, sizeof err), EINVAL);
	assert_non_null(strstr(err, "no summary.json"));
	put_text(dir, "summary.json", "{\"scenario\": ");
	assert_int_equal(plot(dir, 0, &w, err, sizeof err), EINVAL);
	assert_non_null(strstr(err, "summary.json: line 1"));
	assert_int_equal(w.n, 0);
	/* a time series is something to draw, but a broken summary is still an error */
	put_text(dir, "timeseries.csv", hand_series);
	assert_int_equal(plot(dir, 0, &w, err, sizeof err), EINVAL);
	assert_non_null(strstr(err, "summary.json: line 1"));
	remove_tree(dir);
	free(dir);
}

/* ---------------------------------------------------------------- rendering */

static void render_all(const char *dir, const struct rpt_plot_written *w)
{
	char gnuplot[4096], plots[4096];
	if (!rpt_plot_find_gnuplot(gnuplot, sizeof gnuplot)) {
		print_message("gnuplot not in PATH: rendering not tested\n");
		return;
	}
	snprintf(plots, sizeof plots, "%s/%s", dir, RPT_PLOT_DIR);
	for (size_t i = 0; i < w->n; i++) {
		char msg[2048], name[64];
		int rc = rpt_plot_render(gnuplot, plots, w->names[i], msg, sizeof msg);
		if (rc || msg[0])
			fail_msg("%s.gp: %s", w->names[i], msg);
		snprintf(name, sizeof name, "%s.png", w->names[i]);
		char *png = slurp(dir, name);
		assert_non_null(png);
		assert_memory_equal(png, "\x89PNG", 4);
		free(png);
		snprintf(name, sizeof name, "%s.svg", w->names[i]);
		assert_true(plot_file_exists(dir, name));
	}
	/* nothing left under a temporary name */
	char cmd[4200];
	snprintf(cmd, sizeof cmd, "ls -A '%s' | grep -q '^\\.'", plots);
	assert_int_not_equal(system(cmd), 0);
}

static void test_run_figures_render_without_warnings(void **state)
{
	struct run_folder *f = *state;
	struct rpt_plot_written w;
	char err[512];
	assert_int_equal(plot(f->dir, 0, &w, err, sizeof err), 0);
	render_all(f->dir, &w);
}

static void test_hand_made_figures_render_without_warnings(void **state)
{
	const char *dir = *state;
	struct rpt_plot_written w;
	char err[512];
	assert_int_equal(plot(dir, 5, &w, err, sizeof err), 0);
	render_all(dir, &w);
}

static void test_gnuplot_is_looked_up_in_path(void **state)
{
	(void)state;
	char *dir = make_dir();
	const char *old = getenv("PATH");
	char *saved = old ? strdup(old) : NULL;
	char buf[4096];
	setenv("PATH", dir, 1);
	assert_false(rpt_plot_find_gnuplot(buf, sizeof buf));
	put_text(dir, "gnuplot", "#!/bin/sh\n");
	assert_false(rpt_plot_find_gnuplot(buf, sizeof buf)); /* not executable */
	char path[4096];
	snprintf(path, sizeof path, "%s/gnuplot", dir);
	chmod(path, 0755);
	assert_true(rpt_plot_find_gnuplot(buf, sizeof buf));
	assert_string_equal(buf, path);
	if (saved)
		setenv("PATH", saved, 1);
	else
		unsetenv("PATH");
	free(saved);
	remove_tree(dir);
	free(dir);
}

/* ---------------------------------------------------------------- a sweep's folder */

/* app.nodes x workload.rate, with the sweep's writer.  Configuration
 * app.nodes=2 bends at 2000/s (p99 100, 150, 500 ms: 500 > 2 x 100), 3 never
 * does within the grid (100, 110, 120). */
static const char *const sweep_nodes[] = {"2", "3"};
static const char *const sweep_rates[] = {"1000/s", "2000/s", "3000/s"};
static const struct rpt_sweep_axis sweep_axes[] = {
	{"app.nodes", sweep_nodes, 2},
	{"workload.rate", sweep_rates, 3},
};
static const double sweep_p99[6] = {100, 150, 500, 100, 110, 120};
static const double sweep_avail[6] = {1, 0.9995, 0.97125, 1, 1, 0.99987654321};

static struct rpt_stat stat_of(double mean, double half)
{
	return (struct rpt_stat){.mean = mean, .half_width = half, .lo = mean - half,
				 .hi = mean + half, .n = 3};
}

static char *sweep_folder(size_t naxes)
{
	char *dir = make_dir();
	static const char resolved[] = "name: sweepy\n";
	struct rpt_sweep_info info = {
		.scenario = "sweepy", .resolved_scenario = resolved,
		.resolved_len = sizeof resolved - 1, .seed = 1, .duration_s = 60, .warmup_s = 10,
		.axes = sweep_axes, .naxes = naxes, /* the first naxes axes */
	};
	struct rpt_sweep_doc *doc;
	assert_int_equal(rpt_sweep_doc_create(&info, &doc), 0);
	size_t npoints = rpt_sweep_points(info.axes, naxes);
	for (size_t i = 0; i < npoints; i++) {
		struct rpt_point p = {.index = i, .replications = 3, .bottleneck = TIER_APP};
		p.latency_p99_ms = stat_of(sweep_p99[i], sweep_p99[i] / 7);
		p.availability = stat_of(sweep_avail[i], (1 - sweep_avail[i]) / 3);
		p.throughput_rps = stat_of(1000.0 * (double)(i % 3 + 1), 1);
		p.latency_mean_ms = stat_of(sweep_p99[i] / 5, 1);
		p.nslo = 1;
		snprintf(p.slo[0].metric, sizeof p.slo[0].metric, "p99");
		p.slo[0].unit = "ms";
		p.slo[0].target = 300;
		p.slo[0].value = sweep_p99[i];
		p.slo[0].met = p.slo_met = sweep_p99[i] <= 300;
		assert_int_equal(rpt_sweep_doc_add_point(doc, &p), 0);
	}
	char err[512];
	assert_int_equal(rpt_write_file_atomic(dir, "sweep.json", rpt_sweep_json_writer, doc, err,
					       sizeof err), 0);
	rpt_sweep_doc_destroy(doc);
	return dir;
}

static json_t *load_json(const char *dir, const char *name)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	json_t *j = json_load_file(path, 0, NULL);
	assert_non_null(j);
	return j;
}

/* The sweep.json point with these values. */
static json_t *sweep_point(json_t *doc, const char *nodes, const char *rate)
{
	size_t i;
	json_t *p;
	json_array_foreach(json_object_get(doc, "points"), i, p) {
		json_t *v = json_object_get(p, "values");
		if (!strcmp(json_string_value(json_array_get(v, 0)), nodes) &&
		    (!rate || !strcmp(json_string_value(json_array_get(v, 1)), rate)))
			return p;
	}
	fail_msg("no point %s %s", nodes, rate ? rate : "");
	return NULL;
}

static double jstat(json_t *p, const char *key, const char *sub, int ci)
{
	json_t *v = json_object_get(json_object_get(p, key), sub);
	return json_number_value(ci >= 0 ? json_array_get(v, (size_t)ci) : v);
}

/* A .dat cell equals the JSON number (both printed with 10 digits). */
static void same_number(const char *cell, double json)
{
	char want[64];
	snprintf(want, sizeof want, "%.10g", json);
	assert_string_equal(cell, want);
}

static void test_a_sweep_folder_gets_the_sweep_figures(void **state)
{
	(void)state;
	char *dir = sweep_folder(2);
	struct rpt_plot_written w;
	char err[512];
	assert_int_equal(plot(dir, 0, &w, err, sizeof err), 0);
	assert_int_equal(w.n, 3);
	assert_true(written(&w, "capacity") && written(&w, "sweep_availability") &&
		    written(&w, "heatmap"));
	json_t *doc = load_json(dir, "sweep.json");

	struct dat *d = read_dat(dir, "capacity.dat");
	assert_int_equal(d->nrows, 3);
	for (size_t r = 0; r < 3; r++) {
		assert_string_equal(d->cell[r][dat_col(d, "rate")], sweep_rates[r]);
		same_number(d->cell[r][dat_col(d, "offered_rps")], 1000.0 * (double)(r + 1));
		for (size_t c = 0; c < 2; c++) {
			json_t *p = sweep_point(doc, sweep_nodes[c], sweep_rates[r]);
			char name[32];
			snprintf(name, sizeof name, "p99_ms_%zu", c + 1);
			same_number(d->cell[r][dat_col(d, name)], jstat(p, "latency_p99_ms", "mean", -1));
			snprintf(name, sizeof name, "p99_lo_%zu", c + 1);
			same_number(d->cell[r][dat_col(d, name)], jstat(p, "latency_p99_ms", "ci95", 0));
			snprintf(name, sizeof name, "p99_hi_%zu", c + 1);
			same_number(d->cell[r][dat_col(d, name)], jstat(p, "latency_p99_ms", "ci95", 1));
			/* the knee: app.nodes=2 at 2000/s (the last before 500 > 2 x 100) */
			snprintf(name, sizeof name, "knee_ms_%zu", c + 1);
			if (c == 0 && r == 1)
				same_number(d->cell[r][dat_col(d, name)], 150);
			else
				assert_string_equal(d->cell[r][dat_col(d, name)], "NaN");
		}
	}
	free(d);

	d = read_dat(dir, "sweep_availability.dat");
	assert_int_equal(d->nrows, 3);
	for (size_t r = 0; r < 3; r++)
		for (size_t c = 0; c < 2; c++) {
			json_t *p = sweep_point(doc, sweep_nodes[c], sweep_rates[r]);
			char name[32];
			snprintf(name, sizeof name, "availability_%zu", c + 1);
			same_number(d->cell[r][dat_col(d, name)], jstat(p, "availability", "mean", -1));
			snprintf(name, sizeof name, "availability_lo_%zu", c + 1);
			same_number(d->cell[r][dat_col(d, name)], jstat(p, "availability", "ci95", 0));
		}
	free(d);

	d = read_dat(dir, "heatmap.dat");
	assert_int_equal(d->nrows, 6);
	for (size_t r = 0; r < 6; r++) {
		long x = strtol(d->cell[r][dat_col(d, "x_pos")], NULL, 10);
		long y = strtol(d->cell[r][dat_col(d, "y_pos")], NULL, 10);
		json_t *p = sweep_point(doc, sweep_nodes[y], sweep_rates[x]);
		assert_string_equal(d->cell[r][dat_col(d, "x_value")], sweep_rates[x]);
		same_number(d->cell[r][dat_col(d, "latency_p99_ms")],
			    jstat(p, "latency_p99_ms", "mean", -1));
		assert_string_equal(d->cell[r][dat_col(d, "slo_met")],
				    json_is_true(json_object_get(p, "slo_met")) ? "1" : "0");
	}
	free(d);

	/* the title names the scenario, the SLO is drawn */
	char *gp = slurp(dir, "capacity.gp");
	assert_non_null(strstr(gp, "title_text = \"sweepy: "));
	assert_non_null(strstr(gp, "300 with lines dt 2"));
	free(gp);
	json_decref(doc);
	render_all(dir, &w);
	remove_tree(dir);
	free(dir);
}

/* One axis that is not the load: availability against it, no capacity
 * curve (no offered load varies) and no heat map (one parameter). */
static void test_a_one_parameter_sweep_draws_availability_only(void **state)
{
	(void)state;
	char *dir = sweep_folder(1);
	struct rpt_plot_written w;
	char err[512];
	assert_int_equal(plot(dir, 0, &w, err, sizeof err), 0);
	assert_int_equal(w.n, 1);
	assert_true(written(&w, "sweep_availability"));
	json_t *doc = load_json(dir, "sweep.json");
	struct dat *d = read_dat(dir, "sweep_availability.dat");
	assert_int_equal(d->nrows, 2);
	for (size_t r = 0; r < 2; r++) {
		assert_string_equal(d->cell[r][dat_col(d, "value")], sweep_nodes[r]);
		same_number(d->cell[r][dat_col(d, "availability_1")],
			    jstat(sweep_point(doc, sweep_nodes[r], NULL), "availability", "mean", -1));
	}
	free(d);
	json_decref(doc);
	render_all(dir, &w);
	remove_tree(dir);
	free(dir);
}

/* ---------------------------------------------------------------- a plan's folder */

static void variant(struct rpt_plan_variant *v, int down, double p99, double avail)
{
	memset(v, 0, sizeof *v);
	v->down = down;
	v->row.latency_p99_ms = stat_of(p99, 1);
	v->row.availability = stat_of(avail, 0);
	v->row.bottleneck = TIER_APP;
	v->row.nslo = 2;
	snprintf(v->row.slo[0].metric, sizeof v->row.slo[0].metric, "p99");
	v->row.slo[0].unit = "ms";
	v->row.slo[0].op = SLO_AT_MOST;
	v->row.slo[0].target = 250;
	v->row.slo[0].value = p99;
	v->row.slo[0].met = p99 <= 250;
	snprintf(v->row.slo[1].metric, sizeof v->row.slo[1].metric, "availability");
	v->row.slo[1].unit = "";
	v->row.slo[1].op = SLO_AT_LEAST;
	v->row.slo[1].target = 0.999;
	v->row.slo[1].value = avail;
	v->row.slo[1].met = avail >= 0.999;
	v->row.slo_met = v->row.slo[0].met && v->row.slo[1].met;
}

/* Three candidates with N+1 variants: one misses, one is skipped, the last
 * (the answer) meets with its worst p99 on the app tier one node short. */
static char *plan_folder(void)
{
	static struct rpt_plan_step steps[3];
	memset(steps, 0, sizeof steps);
	const int nodes[3][TIER_COUNT] = {{2, 2, 2, 1}, {2, 2, 1, 1}, {2, 2, 3, 1}};
	for (size_t k = 0; k < 3; k++) {
		memcpy(steps[k].nodes, nodes[k], sizeof nodes[k]);
		steps[k].rate_per_s = 2000;
		steps[k].cost = 2 + 2 * nodes[k][TIER_APP] + 8;
		snprintf(steps[k].reason, sizeof steps[k].reason, "step %zu", k);
	}
	steps[0].nvariants = 2;
	variant(&steps[0].variants[0], -1, 240, 1);
	variant(&steps[0].variants[1], TIER_APP, 900, 0.99);
	steps[1].skipped = true;
	steps[2].meets = true;
	steps[2].nvariants = 2;
	variant(&steps[2].variants[0], -1, 120, 1);
	variant(&steps[2].variants[1], TIER_APP, 180, 0.9995);
	static const struct slo_check slo[2] = {{SLO_P99, SLO_AT_MOST, 250e6},
						{SLO_AVAILABILITY, SLO_AT_LEAST, 0.999}};
	static const char resolved[] = "name: planny\n";
	struct rpt_plan p = {
		.mode = RPT_PLAN_MIN_COST, .scenario = "planny", .resolved_scenario = resolved,
		.resolved_len = sizeof resolved - 1, .seed = 1, .replications = 3,
		.duration_s = 60, .warmup_s = 10, .n_plus_one = true, .cost = {0, 1, 2, 8},
		.slo = slo, .nslo = 2, .load_rps = 2000, .nsteps = 3, .steps = steps,
		.found = true, .answer_step = 2,
	};
	char *dir = make_dir();
	char err[512];
	assert_int_equal(rpt_write_file_atomic(dir, "plan.json", rpt_plan_json_writer, &p, err,
					       sizeof err), 0);
	return dir;
}

static void test_plan_json_holds_each_candidates_margins(void **state)
{
	(void)state;
	char *dir = plan_folder();
	json_t *doc = load_json(dir, "plan.json");
	json_t *tried = json_object_get(doc, "tried");
	/* the missed candidate: on its worst variant (app one node short) */
	json_t *m0 = json_object_get(json_array_get(tried, 0), "margins");
	assert_int_equal(json_array_size(m0), 2);
	struct rpt_slo_result p99 = {.metric = "p99", .unit = "ms", .op = SLO_AT_MOST,
				     .target = 250, .value = 900};
	struct rpt_slo_result avail = {.metric = "availability", .unit = "", .op = SLO_AT_LEAST,
				       .target = 0.999, .value = 0.99};
	for (size_t k = 0; k < 2; k++) {
		json_t *m = json_array_get(m0, k);
		assert_string_equal(json_string_value(json_object_get(m, "worst_down")), "app");
		assert_true(fabs(json_number_value(json_object_get(m, "margin")) -
				 rpt_plan_margin(k ? &avail : &p99)) < 1e-9);
	}
	assert_true(json_number_value(json_object_get(json_array_get(m0, 0), "margin")) < 0);
	/* the skipped one was not simulated: no margins */
	assert_int_equal(json_array_size(json_object_get(json_array_get(tried, 1), "margins")), 0);
	/* the answer points at its candidate; its margins are those of that candidate */
	json_t *answer = json_object_get(doc, "answer");
	assert_int_equal(json_integer_value(json_object_get(answer, "tried_index")), 2);
	json_t *m2 = json_object_get(json_array_get(tried, 2), "margins");
	for (size_t k = 0; k < 2; k++)
		assert_true(json_equal(
			json_object_get(json_array_get(m2, k), "margin"),
			json_object_get(json_array_get(json_object_get(answer, "margins"), k), "margin")));
	json_decref(doc);
	remove_tree(dir);
	free(dir);
}

static void test_the_plan_figure_holds_the_plans_numbers(void **state)
{
	(void)state;
	char *dir = plan_folder();
	struct rpt_plot_written w;
	char err[512];
	assert_int_equal(plot(dir, 0, &w, err, sizeof err), 0);
	assert_int_equal(w.n, 1);
	assert_true(written(&w, "plan"));
	json_t *doc = load_json(dir, "plan.json");
	json_t *tried = json_object_get(doc, "tried");
	struct dat *d = read_dat(dir, "plan.dat");
	assert_int_equal(d->nrows, json_array_size(tried));
	for (size_t r = 0; r < d->nrows; r++) {
		json_t *st = json_array_get(tried, r);
		same_number(d->cell[r][dat_col(d, "cost")],
			    json_number_value(json_object_get(st, "cost")));
		assert_string_equal(d->cell[r][dat_col(d, "chosen")], r == 2 ? "1" : "0");
		assert_string_equal(d->cell[r][dat_col(d, "meets")],
				    json_is_true(json_object_get(st, "meets")) ? "1" : "0");
		json_t *m = json_object_get(st, "margins");
		for (size_t k = 0; k < 2; k++) {
			char name[32];
			snprintf(name, sizeof name, "margin_%zu", k + 1);
			if (json_array_size(m))
				same_number(d->cell[r][dat_col(d, name)],
					    json_number_value(json_object_get(json_array_get(m, k),
									      "margin")));
			else
				assert_string_equal(d->cell[r][dat_col(d, name)], "NaN");
		}
	}
	free(d);
	char *gp = slurp(dir, "plan.gp");
	assert_non_null(strstr(gp, "title_text = \"planny: cost against SLO margin"));
	assert_non_null(strstr(gp, "chosen: web 2, app 3, db 1 (cost 16)"));
	free(gp);
	json_decref(doc);
	render_all(dir, &w);
	remove_tree(dir);
	free(dir);
}

/* A plan.json from before tried[].margins has no figure: the folder has
 * nothing to draw and no summary.json, so it is refused, not half drawn. */
static void test_a_plan_without_margins_has_no_figure(void **state)
{
	(void)state;
	char *dir = plan_folder();
	json_t *doc = load_json(dir, "plan.json");
	size_t i;
	json_t *st;
	json_array_foreach(json_object_get(doc, "tried"), i, st)
		json_object_del(st, "margins");
	char path[4096];
	snprintf(path, sizeof path, "%s/plan.json", dir);
	assert_int_equal(json_dump_file(doc, path, 0), 0);
	json_decref(doc);
	struct rpt_plot_written w;
	char err[512];
	assert_int_equal(plot(dir, 0, &w, err, sizeof err), EINVAL);
	assert_int_equal(w.n, 0);
	remove_tree(dir);
	free(dir);
}

/* A plan stopped by Ctrl-C before its first candidate: its folder is a
 * result folder with nothing to draw, not a foreign one. */
static void test_a_partial_plan_without_candidates_draws_nothing(void **state)
{
	(void)state;
	char *dir = plan_folder();
	json_t *doc = load_json(dir, "plan.json");
	json_array_clear(json_object_get(doc, "tried"));
	json_object_set_new(doc, "partial", json_true());
	char path[4096];
	snprintf(path, sizeof path, "%s/plan.json", dir);
	assert_int_equal(json_dump_file(doc, path, 0), 0);
	json_decref(doc);
	struct rpt_plot_written w;
	char err[512];
	assert_int_equal(plot(dir, 0, &w, err, sizeof err), 0);
	assert_int_equal(w.n, 0);
	remove_tree(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_a_run_folder_gets_the_run_figures_and_no_others,
						setup_run, teardown_run),
		cmocka_unit_test_setup_teardown(test_latency_data_are_the_runs_windows, setup_run,
						teardown_run),
		cmocka_unit_test_setup_teardown(test_cdf_data_hold_the_json_percentiles, setup_run,
						teardown_run),
		cmocka_unit_test_setup_teardown(test_traffic_stack_adds_up_to_the_failures, setup_run,
						teardown_run),
		cmocka_unit_test(test_palette_gives_each_tier_one_colour),
		cmocka_unit_test_setup_teardown(test_utilization_uses_the_tier_colours, setup_run,
						teardown_run),
		cmocka_unit_test_setup_teardown(test_lag_columns_make_the_lag_figure_with_max_lag,
						setup_hand, teardown_hand),
		cmocka_unit_test_setup_teardown(test_node_counts_that_change_make_the_nodes_figure,
						setup_hand, teardown_hand),
		cmocka_unit_test_setup_teardown(test_counts_that_never_change_and_stale_figures_go,
						setup_hand, teardown_hand),
		cmocka_unit_test_setup_teardown(test_cdf_classes_by_name, setup_hand, teardown_hand),
		cmocka_unit_test(test_a_folder_without_summary_is_refused),
		cmocka_unit_test_setup_teardown(test_run_figures_render_without_warnings, setup_run,
						teardown_run),
		cmocka_unit_test_setup_teardown(test_hand_made_figures_render_without_warnings,
						setup_hand, teardown_hand),
		cmocka_unit_test(test_gnuplot_is_looked_up_in_path),
		cmocka_unit_test(test_a_sweep_folder_gets_the_sweep_figures),
		cmocka_unit_test(test_a_one_parameter_sweep_draws_availability_only),
		cmocka_unit_test(test_plan_json_holds_each_candidates_margins),
		cmocka_unit_test(test_the_plan_figure_holds_the_plans_numbers),
		cmocka_unit_test(test_a_plan_without_margins_has_no_figure),
		cmocka_unit_test(test_a_partial_plan_without_candidates_draws_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
