/* The plots of a result folder: the folder's files, read once each on
 * demand (jansson for JSON, libcsv for CSV), and the table of figures.
 *
 * Reading lazily keeps a figure family self-contained: a sweep figure asks
 * for sweep.csv and the folder of a plain run simply lacks it, so the figure
 * is not wanted; nothing here lists which files exist.  A file that exists
 * but does not parse is an error of the whole command (its reason is kept
 * and returned by rpt_plot_write), never a silently missing figure. */
#include "plot.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csv.h>

#include "models/results.h"
#include "outfile.h"
#include "plot_figure.h"

/* Every figure, in the order they are written and listed. */
static const struct rpt_figure *const figures[] = {
	&rpt_fig_latency,
	&rpt_fig_traffic,
	&rpt_fig_utilization,
	&rpt_fig_queues,
	&rpt_fig_lag,
	&rpt_fig_cdf,
	&rpt_fig_nodes,
	&rpt_fig_capacity,
	&rpt_fig_sweep_availability,
	&rpt_fig_heatmap,
	&rpt_fig_plan,
	&rpt_fig_availability,
};

#define MAX_FILES 8

struct loaded_file {
	char name[64];
	json_t *json;                  /* a JSON file */
	struct rpt_table *table;       /* or a CSV file */
	bool failed;                   /* tried and absent or unreadable */
};

struct rpt_plot_input {
	char *dir;
	struct rpt_plot_options opts;
	struct loaded_file files[MAX_FILES];
	size_t nfiles;
	char err[RPT_PLOT_ERR_MAX];    /* the first unreadable file and why; "" */
};

int rpt_plot_input_create(const char *dir, const struct rpt_plot_options *opts,
			  struct rpt_plot_input **out)
{
	struct rpt_plot_input *in = calloc(1, sizeof *in);
	if (!in || !(in->dir = strdup(dir && *dir ? dir : "."))) {
		free(in);
		return ENOMEM;
	}
	if (opts)
		in->opts = *opts;
	*out = in;
	return 0;
}

static void table_free(struct rpt_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->ncols; i++)
		free(t->names[i]);
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->names);
	free(t->cells);
	free(t);
}

void rpt_plot_input_destroy(struct rpt_plot_input *in)
{
	if (!in)
		return;
	for (size_t i = 0; i < in->nfiles; i++) {
		json_decref(in->files[i].json);
		table_free(in->files[i].table);
	}
	free(in->dir);
	free(in);
}

const struct rpt_plot_options *rpt_plot_opts(const struct rpt_plot_input *in) { return &in->opts; }

static void set_error(struct rpt_plot_input *in, const char *name, const char *why)
{
	if (!in->err[0])
		snprintf(in->err, sizeof in->err, "%s/%s: %s", in->dir, name, why);
}

/* The slot of name, new and empty on first use; NULL when the table is full. */
static struct loaded_file *slot(struct rpt_plot_input *in, const char *name, bool *fresh)
{
	for (size_t i = 0; i < in->nfiles; i++)
		if (!strcmp(in->files[i].name, name)) {
			*fresh = false;
			return &in->files[i];
		}
	if (in->nfiles >= MAX_FILES || strlen(name) >= sizeof in->files[0].name)
		return NULL;
	struct loaded_file *f = &in->files[in->nfiles++];
	snprintf(f->name, sizeof f->name, "%s", name);
	*fresh = true;
	return f;
}

/* Open DIR/name for reading; NULL with no error recorded when it does not exist. */
static FILE *open_in_dir(struct rpt_plot_input *in, const char *name)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", in->dir, name);
	FILE *f = fopen(path, "rb");
	if (!f && errno != ENOENT)
		set_error(in, name, strerror(errno));
	return f;
}

json_t *rpt_plot_json(struct rpt_plot_input *in, const char *name)
{
	bool fresh;
	struct loaded_file *f = slot(in, name, &fresh);
	if (!f)
		return NULL;
	if (!fresh)
		return f->json;
	FILE *file = open_in_dir(in, name);
	if (!file) {
		f->failed = true;
		return NULL;
	}
	json_error_t jerr;
	f->json = json_loadf(file, 0, &jerr);
	fclose(file);
	if (!f->json || !json_is_object(f->json)) {
		char why[300];
		if (f->json)
			snprintf(why, sizeof why, "not a JSON object");
		else
			snprintf(why, sizeof why, "line %d: %s", jerr.line, jerr.text);
		set_error(in, name, why);
		json_decref(f->json);
		f->json = NULL;
		f->failed = true;
	}
	return f->json;
}

/* ---------------------------------------------------------------- CSV with libcsv */

struct csv_build {
	struct rpt_table *t;
	char **row;                    /* the cells of the row being read */
	size_t nrow, caprow;
	size_t capcells;
	bool nomem;
};

static void on_field(void *data, size_t len, void *p)
{
	struct csv_build *b = p;
	if (b->nomem)
		return;
	if (b->nrow == b->caprow) {
		size_t cap = b->caprow ? 2 * b->caprow : 16;
		char **row = realloc(b->row, cap * sizeof *row);
		if (!row) {
			b->nomem = true;
			return;
		}
		b->row = row;
		b->caprow = cap;
	}
	char *cell = malloc(len + 1);
	if (!cell) {
		b->nomem = true;
		return;
	}
	if (len)
		memcpy(cell, data, len);
	cell[len] = '\0';
	b->row[b->nrow++] = cell;
}

static void drop_row(struct csv_build *b)
{
	for (size_t i = 0; i < b->nrow; i++)
		free(b->row[i]);
	b->nrow = 0;
}

/* The first row names the columns; later rows are cut or padded to them. */
static void on_row(int c, void *p)
{
	struct csv_build *b = p;
	struct rpt_table *t = b->t;
	(void)c;
	if (b->nomem) {
		drop_row(b);
		return;
	}
	if (!t->names) {
		t->names = b->row;
		t->ncols = b->nrow;
		b->row = NULL;
		b->nrow = b->caprow = 0;
		return;
	}
	size_t need = (t->nrows + 1) * t->ncols;
	if (need > b->capcells) {
		size_t cap = b->capcells ? 2 * b->capcells : 64 * (t->ncols + 1);
		while (cap < need)
			cap *= 2;
		char **cells = realloc(t->cells, cap * sizeof *cells);
		if (!cells) {
			b->nomem = true;
			drop_row(b);
			return;
		}
		t->cells = cells;
		b->capcells = cap;
	}
	for (size_t i = 0; i < t->ncols; i++) {
		char *cell = i < b->nrow ? b->row[i] : strdup("");
		if (!cell)
			b->nomem = true;
		t->cells[t->nrows * t->ncols + i] = cell ? cell : NULL;
		if (i < b->nrow)
			b->row[i] = NULL;
	}
	drop_row(b);
	t->nrows++;
}

static struct rpt_table *read_csv(struct rpt_plot_input *in, const char *name, FILE *file)
{
	struct rpt_table *t = calloc(1, sizeof *t);
	struct csv_parser p;
	if (!t || csv_init(&p, CSV_APPEND_NULL) != 0) {
		free(t);
		set_error(in, name, strerror(ENOMEM));
		return NULL;
	}
	struct csv_build b = {.t = t};
	char buf[1 << 14];
	size_t got;
	int bad = 0;
	while (!bad && (got = fread(buf, 1, sizeof buf, file)) > 0)
		if (csv_parse(&p, buf, got, on_field, on_row, &b) != got)
			bad = 1;
	if (ferror(file))
		bad = 2;
	if (!bad)
		csv_fini(&p, on_field, on_row, &b);
	if (bad == 1)
		set_error(in, name, csv_strerror(csv_error(&p)));
	csv_free(&p);
	drop_row(&b);
	free(b.row);
	for (size_t i = 0; t->cells && i < t->nrows * t->ncols; i++)
		if (!t->cells[i])
			b.nomem = true;
	if (bad == 2)
		set_error(in, name, strerror(EIO));
	else if (b.nomem)
		set_error(in, name, strerror(ENOMEM));
	else if (!bad && !t->names)
		set_error(in, name, "empty: no header row");
	if (bad || b.nomem || !t->names) {
		table_free(t);
		return NULL;
	}
	return t;
}

const struct rpt_table *rpt_plot_table(struct rpt_plot_input *in, const char *name)
{
	bool fresh;
	struct loaded_file *f = slot(in, name, &fresh);
	if (!f)
		return NULL;
	if (!fresh)
		return f->table;
	FILE *file = open_in_dir(in, name);
	if (!file) {
		f->failed = true;
		return NULL;
	}
	f->table = read_csv(in, name, file);
	fclose(file);
	f->failed = !f->table;
	return f->table;
}

int rpt_table_col(const struct rpt_table *t, const char *name)
{
	for (size_t i = 0; t && i < t->ncols; i++)
		if (!strcmp(t->names[i], name))
			return (int)i;
	return -1;
}

const char *rpt_table_cell(const struct rpt_table *t, size_t row, size_t col)
{
	return row < t->nrows && col < t->ncols ? t->cells[row * t->ncols + col] : "";
}

double rpt_table_value(const struct rpt_table *t, size_t row, size_t col)
{
	const char *s = rpt_table_cell(t, row, col);
	char *end;
	errno = 0;
	double x = strtod(s, &end);
	return *s && !*end && isfinite(x) ? x : NAN;
}

bool rpt_name_has_suffix(const char *name, const char *suffix)
{
	size_t n = strlen(name), k = strlen(suffix);
	return n > k && !strcmp(name + n - k, suffix);
}

/* ---------------------------------------------------------------- summary.json */

double rpt_json_number(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	return json_is_number(v) ? json_number_value(v) : NAN;
}

/* summary.json's, or that of any JSON file a figure read (a sweep's). */
const char *rpt_plot_scenario(struct rpt_plot_input *in)
{
	const char *s = json_string_value(json_object_get(rpt_plot_json(in, "summary.json"),
							  "scenario"));
	for (size_t i = 0; !s && i < in->nfiles; i++)
		s = json_string_value(json_object_get(in->files[i].json, "scenario"));
	return s ? s : "";
}

double rpt_plot_number(struct rpt_plot_input *in, const char *key)
{
	return rpt_json_number(rpt_plot_json(in, "summary.json"), key);
}

enum model_tier rpt_plot_node_tier(struct rpt_plot_input *in, const char *node)
{
	const char *tier = NULL;
	json_t *nodes = json_object_get(rpt_plot_json(in, "summary.json"), "nodes");
	size_t i;
	json_t *n;
	json_array_foreach(nodes, i, n) {
		const char *name = json_string_value(json_object_get(n, "name"));
		if (name && !strcmp(name, node)) {
			tier = json_string_value(json_object_get(n, "tier"));
			break;
		}
	}
	char letters[32];
	if (!tier) { /* a node the summary does not list (one a scaler added) */
		size_t k = 0;
		while (node[k] && k + 1 < sizeof letters && !(node[k] >= '0' && node[k] <= '9'))
			letters[k] = node[k], k++;
		letters[k] = '\0';
		tier = letters;
	}
	for (int t = 0; t < TIER_COUNT; t++)
		if (!strcmp(tier, model_tier_name((enum model_tier)t)))
			return (enum model_tier)t;
	return TIER_COUNT;
}

/* ---------------------------------------------------------------- writing */

struct fig_ctx {
	const struct rpt_figure *fig;
	struct rpt_plot_input *in;
};

static int data_writer(const void *ctx, FILE *out)
{
	const struct fig_ctx *c = ctx;
	return c->fig->write_data(c->in, out);
}

static int script_writer(const void *ctx, FILE *out)
{
	const struct fig_ctx *c = ctx;
	return c->fig->write_script(c->in, out);
}

/* Figures of an earlier plot of this folder that have no data now. */
static void remove_stale(const char *plots, const char *name)
{
	static const char *const ext[] = {"gp", "dat", "png", "svg"};
	char path[4096 + 128];
	for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
		snprintf(path, sizeof path, "%s/%s.%s", plots, name, ext[i]);
		unlink(path);
	}
}

int rpt_plot_write(struct rpt_plot_input *in, struct rpt_plot_written *written, char *err,
		   size_t errlen)
{
	written->n = 0;
	char plots[4096];
	snprintf(plots, sizeof plots, "%s/%s", in->dir, RPT_PLOT_DIR);
	for (size_t i = 0; i < sizeof figures / sizeof figures[0]; i++) {
		const struct rpt_figure *fig = figures[i];
		bool wanted = fig->wanted(in);
		if (in->err[0]) {
			snprintf(err, errlen, "%s", in->err);
			return EINVAL;
		}
		if (!wanted) {
			remove_stale(plots, fig->name);
			continue;
		}
		if (!written->n && mkdir(plots, 0777) != 0 && errno != EEXIST) {
			int e = errno;
			snprintf(err, errlen, "%s: %s", plots, strerror(e));
			return e;
		}
		struct fig_ctx ctx = {fig, in};
		char name[96];
		snprintf(name, sizeof name, "%s.dat", fig->name);
		int rc = rpt_write_file_atomic(plots, name, data_writer, &ctx, err, errlen);
		snprintf(name, sizeof name, "%s.gp", fig->name);
		if (!rc)
			rc = rpt_write_file_atomic(plots, name, script_writer, &ctx, err, errlen);
		if (rc)
			return rc;
		if (in->err[0]) { /* a file the figure read on the way, summary.json */
			snprintf(err, errlen, "%s", in->err);
			return EINVAL;
		}
		if (written->n < RPT_PLOT_MAX_FIGURES)
			written->names[written->n++] = fig->name;
	}
	/* A folder any figure reads is a result folder, even with nothing to
	 * draw, and so is a plan or a sweep stopped by Ctrl-C before its first
	 * candidate or point (marked partial); one without summary.json and
	 * with no figure is not (a plan.json older than its margins). */
	if (!written->n && !rpt_plot_json(in, "summary.json") &&
	    !json_is_true(json_object_get(rpt_plot_json(in, "plan.json"), "partial")) &&
	    !json_is_true(json_object_get(rpt_plot_json(in, "sweep.json"), "partial"))) {
		if (in->err[0])
			snprintf(err, errlen, "%s", in->err);
		else
			snprintf(err, errlen, "%s: no summary.json (not a folder written by "
				 "'tiersim run', 'sweep' or 'plan' with --out)", in->dir);
		return EINVAL;
	}
	return 0;
}
