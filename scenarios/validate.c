/* Reading a scenario tree into a model_config through the key tables.
 *
 * The walk never stops at the first problem: each key is checked on its
 * own, a bad value leaves the default in place and adds a diagnostic, and
 * the walk goes on, so one run of `tiersim check` lists every mistake
 * (HAProxy's config parser does the same).  Rules that tie several keys
 * together (warm-up shorter than the run, shares adding up to 100%) run
 * only when the keys they read were themselves valid, so one typo never
 * produces a second, misleading message.  Failure node names (web9) are
 * such a rule: they are checked against the node counts of the finished
 * document, --set included, since `web: {nodes: 5}` may come after the
 * failures that name web5.
 *
 * Messages name the key by its dotted path ("app.nodes: ..."); a value that
 * came from --set is named by that --set instead of a file position.  A
 * column inside a value (a bad unit, a bad distribution argument) is
 * translated to the file column: exactly for plain scalars and for quoted
 * ones without escapes (an escape shifts it by its length; rare in
 * practice), and to the start of a block scalar (| or >). */
#define _GNU_SOURCE /* vasprintf */
#include "schema.h"

#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/results.h"
#include "sim/units.h"

#define PATH_MAX_LEN 256
#define ECHO 40 /* at most this many bytes of user text in a message */

struct walk {
	const struct scn_walk_opts *o;
	struct model_config *c;
	struct sim_diags *d;
	const struct scn_node *root;
};

/* ------------------------------------------------------------ reporting */

/* snprintf that may cut: paths and messages echo user text, and a cut echo
 * beats an overflow (and the compiler's truncation warning is moot). */
static void bounded(char *out, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void bounded(char *out, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(out, len, fmt, ap);
	va_end(ap);
}

static void vreport(struct walk *w, const struct scn_node *n, int col, const char *fmt, va_list ap)
{
	char *msg = NULL;
	if (vasprintf(&msg, fmt, ap) < 0) {
		sim_diags_add(w->d, SIM_DIAG_ERROR, w->o->file, 0, 0, "out of memory");
		return;
	}
	if (n && n->origin >= 0 && (size_t)n->origin < w->o->nsets)
		sim_diags_add(w->d, SIM_DIAG_ERROR, NULL, 0, 0, "--set %s: %s",
			      w->o->sets[n->origin], msg);
	else
		sim_diags_add(w->d, SIM_DIAG_ERROR, w->o->file, n ? n->line : 0,
			      n && n->line ? (col > 0 ? col : n->col) : 0, "%s", msg);
	free(msg);
}

static void report(struct walk *w, const struct scn_node *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void report(struct walk *w, const struct scn_node *n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(w, n, 0, fmt, ap);
	va_end(ap);
}

/* The file column of the 1-based column `inner` inside scalar n's text. */
static int inner_col(const struct scn_node *n, int inner)
{
	if (n->kind != SCN_NODE_SCALAR || inner <= 0)
		return n->col;
	/* libfyaml's mark of a quoted scalar is its first character inside
	 * the quotes, so both styles map the same way (escapes aside). */
	switch (n->style) {
	case SCN_STYLE_PLAIN:
	case SCN_STYLE_QUOTED:
		return n->col + inner - 1;
	case SCN_STYLE_BLOCK:
		break;
	}
	return n->col;
}

/* "PATH: sub-parser message", pointing inside the value. */
static void report_parse(struct walk *w, const struct scn_node *n, const char *path,
			 const struct sim_parse_error *err)
{
	char *msg = NULL;
	if (asprintf(&msg, "%s: %s", path, err->message) < 0)
		return;
	if (n->origin >= 0 && (size_t)n->origin < w->o->nsets)
		sim_diags_add(w->d, SIM_DIAG_ERROR, NULL, 0, 0, "--set %s: %s",
			      w->o->sets[n->origin], msg);
	else
		sim_diags_add(w->d, SIM_DIAG_ERROR, w->o->file, n->line,
			      n->line ? inner_col(n, err->col) : 0, "%s", msg);
	free(msg);
}

static const char *kind_noun(const struct scn_node *n)
{
	switch (n->kind) {
	case SCN_NODE_NULL:
		return "nothing";
	case SCN_NODE_SCALAR:
		return "a value";
	case SCN_NODE_SEQ:
		return "a list";
	case SCN_NODE_MAP:
		return "a mapping";
	case SCN_NODE_ALIAS:
		return "an alias";
	}
	return "something else";
}

static int echo_len(size_t len)
{
	return len > ECHO ? ECHO : (int)len;
}

static void join_path(char *out, const char *parent, const char *name, size_t name_len)
{
	if (parent[0])
		bounded(out, PATH_MAX_LEN, "%s.%.*s", parent, echo_len(name_len), name);
	else
		bounded(out, PATH_MAX_LEN, "%.*s", echo_len(name_len), name);
}

/* Where a key's problem is shown: at the value if it is a scalar, else at
 * the key (a block mapping's own position is its first key's line). */
static const struct scn_node *at_value(const struct scn_node *key, const struct scn_node *v)
{
	return v->kind == SCN_NODE_SCALAR || v->kind == SCN_NODE_ALIAS ? v : key;
}

/* The scalar text of v, or NULL after reporting what was expected. */
static const char *need_scalar(struct walk *w, const char *path, const struct scn_node *key,
			       const struct scn_node *v, const char *expected)
{
	if (v->kind == SCN_NODE_SCALAR)
		return v->text;
	if (v->kind == SCN_NODE_ALIAS)
		report(w, v, "%s: aliases (*%.*s) are not supported in a scenario; write the value out",
		       path, echo_len(v->len), v->text);
	else
		report(w, at_value(key, v), "%s: expected %s, got %s", path, expected, kind_noun(v));
	return NULL;
}

static char *list_names(const char *const *names, char *buf, size_t len)
{
	size_t n = 0, used = 0;
	while (names[n])
		n++;
	buf[0] = '\0';
	for (size_t i = 0; i < n && used < len; i++) {
		int k = snprintf(buf + used, len - used, "%s%s", i == 0 ? "" : i + 1 == n ? " or " : ", ",
				 names[i]);
		if (k < 0)
			break;
		used += (size_t)k;
	}
	return buf;
}

static char *list_keys(const struct scn_table *t, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < t->nkeys && used < len; i++) {
		int k = snprintf(buf + used, len - used, "%s%s", i ? ", " : "", t->keys[i].name);
		if (k < 0)
			break;
		used += (size_t)k;
	}
	return buf;
}

/* ------------------------------------------------------------ scalars */

static bool is_auto(const char *t)
{
	return strcmp(t, "auto") == 0;
}

static void count_bounds(struct walk *w, const struct scn_node *v, const char *path,
			 const struct scn_key *k, const char *text, int64_t *out, bool *ok)
{
	struct sim_parse_error err = {0};
	*ok = false;
	int64_t n;
	if (sim_parse_count(text, &n, &err) < 0) {
		/* "-1" for a key whose minimum is 1: say the bound, not "negative". */
		const char *p = text + strspn(text, " \t");
		if (*p == '-' && p[1] >= '0' && p[1] <= '9' && strspn(p + 1, "0123456789") ==
		    strlen(p + 1)) {
			report(w, v, "%s: must be at least %.0f, got %.*s", path, k->min,
			       echo_len(strlen(p)), p);
			return;
		}
		if (strncmp(err.message, "expected a whole number", 23) == 0 && *p &&
		    k->kind == SCN_INT_AUTO) {
			report(w, v, "%s: expected a whole number or auto, got '%.*s'", path,
			       echo_len(strlen(p)), p);
			return;
		}
		report_parse(w, v, path, &err);
		return;
	}
	if ((double)n < k->min) {
		report(w, v, "%s: must be at least %.0f", path, k->min);
		return;
	}
	if (k->max > 0 && (double)n > k->max) {
		report(w, v, "%s: must be at most %.0f", path, k->max);
		return;
	}
	*out = n;
	*ok = true;
}

static void set_enum(struct walk *w, const struct scn_node *v, const char *path,
		     const struct scn_key *k, const char *text, int *out)
{
	for (int i = 0; k->names[i]; i++)
		if (strcmp(k->names[i], text) == 0) {
			*out = i;
			return;
		}
	size_t n = 0;
	while (k->names[n])
		n++;
	char all[256];
	list_names(k->names, all, sizeof all);
	const char *close = scn_suggest(text, strlen(text), k->names, n);
	if (close)
		report(w, v, "%s: unknown value '%.*s' (did you mean '%s'? use %s)", path,
		       echo_len(strlen(text)), text, close, all);
	else
		report(w, v, "%s: unknown value '%.*s' (use %s)", path, echo_len(strlen(text)), text,
		       all);
}

/* Parse a duration key; false after a report. */
static bool parse_duration(struct walk *w, const struct scn_node *v, const char *path,
			   const struct scn_key *k, const char *text, int64_t *out)
{
	struct sim_parse_error err = {0};
	int64_t ns;
	if (sim_parse_duration_ns(text, &ns, &err) < 0) {
		report_parse(w, v, path, &err);
		return false;
	}
	if ((k->flags & SCN_F_POSITIVE) && ns <= 0) {
		report(w, v, "%s: must be more than 0s", path);
		return false;
	}
	*out = ns;
	return true;
}

static bool parse_rate(struct walk *w, const struct scn_node *v, const char *path,
		       const struct scn_key *k, const char *text, double *out)
{
	struct sim_parse_error err = {0};
	double r;
	if (sim_parse_rate_per_s(text, &r, &err) < 0) {
		report_parse(w, v, path, &err);
		return false;
	}
	if ((k->flags & SCN_F_POSITIVE) && r <= 0) {
		report(w, v, "%s: must be more than 0/s", path);
		return false;
	}
	*out = r;
	return true;
}

static bool parse_share(struct walk *w, const struct scn_node *v, const char *path,
			const struct scn_key *k, const char *text, double *out)
{
	struct sim_parse_error err = {0};
	double s;
	if (sim_parse_share(text, &s, &err) < 0) {
		report_parse(w, v, path, &err);
		return false;
	}
	if ((k->flags & SCN_F_POSITIVE) && s <= 0) {
		report(w, v, "%s: must be more than 0%%", path);
		return false;
	}
	*out = s;
	return true;
}

/* A plain number more than k->min (a slow failure's factor). */
static bool parse_real(struct walk *w, const struct scn_node *v, const char *path,
		       const struct scn_key *k, const char *text, double *out)
{
	struct sim_parse_error err = {0};
	double x;
	if (sim_parse_real(text, &x, &err) < 0) {
		report_parse(w, v, path, &err);
		return false;
	}
	if (!(x > k->min)) {
		report(w, v, "%s: must be more than %g, got %.*s", path, k->min,
		       echo_len(strlen(text)), text);
		return false;
	}
	*out = x;
	return true;
}

/* ------------------------------------------------------------ collections */

static uint64_t walk_map(struct walk *w, const struct scn_table *t, void *base, const char *path,
			 const struct scn_node *key, const struct scn_node *map);
static void walk_classes(struct walk *w, const char *path, const struct scn_node *key,
			 const struct scn_node *v);
static void walk_schedule(struct walk *w, const char *path, const struct scn_node *key,
			  const struct scn_node *v);
static void walk_slo(struct walk *w, const char *path, const struct scn_node *key,
		     const struct scn_node *v);
static void walk_failures(struct walk *w, const char *path, const struct scn_node *key,
			  const struct scn_node *v);
static void walk_jobs(struct walk *w, const char *path, const struct scn_node *key,
		      const struct scn_node *v);
static void walk_db_node(struct walk *w, int *out, const char *path, const struct scn_node *key,
			 const struct scn_node *v);
static void walk_scaling(struct walk *w, const char *path, const struct scn_node *key,
			 const struct scn_node *v);
static void walk_switches(struct walk *w, const char *path, const struct scn_node *key,
			  const struct scn_node *v);
static void walk_node(struct walk *w, struct failure_spec *f, const char *path,
		      const struct scn_node *key, const struct scn_node *v);
static void walk_nodes(struct walk *w, struct failure_spec *f, const char *path,
		       const struct scn_node *key, const struct scn_node *v);

static void walk_pair(struct walk *w, const struct scn_key *k, int *out, const char *path,
		      const struct scn_node *key, const struct scn_node *v)
{
	const char *what = "a list of two values such as [101, 100]";
	if (v->kind == SCN_NODE_SEQ && v->n != 2) {
		report(w, key, "%s: expected %s, got %zu value%s", path, what, v->n,
		       v->n == 1 ? "" : "s");
		return;
	}
	if (v->kind != SCN_NODE_SEQ) {
		if (need_scalar(w, path, key, v, what))
			report(w, v, "%s: expected %s, got '%.*s'", path, what, echo_len(v->len), v->text);
		return;
	}
	int vals[2];
	bool all = true;
	for (int i = 0; i < 2; i++) {
		char ipath[PATH_MAX_LEN];
		bounded(ipath, sizeof ipath, "%s[%d]", path, i);
		const char *text = need_scalar(w, ipath, v->items[i], v->items[i], "a whole number");
		int64_t n = 0;
		bool ok = false;
		if (text)
			count_bounds(w, v->items[i], ipath, k, text, &n, &ok);
		all = all && ok;
		vals[i] = (int)n;
	}
	if (all) {
		out[0] = vals[0];
		out[1] = vals[1];
	}
}

static void walk_reserved(struct walk *w, const struct scn_key *k, const char *path,
			  const struct scn_node *key, const struct scn_node *v)
{
	if (v->kind == SCN_NODE_NULL || (v->kind == SCN_NODE_SEQ && v->n == 0))
		return;
	if (v->kind != SCN_NODE_SEQ) {
		if (need_scalar(w, path, key, v, "a list"))
			report(w, v, "%s: expected a list, got '%.*s'", path, echo_len(v->len), v->text);
		return;
	}
	report(w, v->items[0], "%s: %s not available in this version yet", path, k->doc);
}

/* One key's value into base + k->off. */
static void walk_value(struct walk *w, const struct scn_key *k, void *base, const char *path,
		       const struct scn_node *key, const struct scn_node *v)
{
	char *field = (char *)base + k->off;
	const char *text = NULL;
	int64_t n;
	bool ok;
	if (v->kind == SCN_NODE_ALIAS) {
		need_scalar(w, path, key, v, "");
		return;
	}
	switch (k->kind) {
	case SCN_DURATION:
		if ((text = need_scalar(w, path, key, v, "a duration such as 250ms")))
			parse_duration(w, v, path, k, text, (int64_t *)field);
		break;
	case SCN_DURATION_AUTO:
		if ((text = need_scalar(w, path, key, v, "a duration such as 1m, or auto"))) {
			bool *aux = (bool *)((char *)base + k->aux_off);
			if (is_auto(text))
				*aux = true;
			else if (parse_duration(w, v, path, k, text, (int64_t *)field))
				*aux = false;
		}
		break;
	case SCN_RATE:
		if ((text = need_scalar(w, path, key, v, "a rate such as 2000/s")))
			parse_rate(w, v, path, k, text, (double *)field);
		break;
	case SCN_SHARE:
		if ((text = need_scalar(w, path, key, v, "a share such as 55% or 0.55")))
			parse_share(w, v, path, k, text, (double *)field);
		break;
	case SCN_REAL:
		if ((text = need_scalar(w, path, key, v, "a number such as 8")))
			parse_real(w, v, path, k, text, (double *)field);
		break;
	case SCN_INT:
	case SCN_INT64:
		if ((text = need_scalar(w, path, key, v, "a whole number"))) {
			count_bounds(w, v, path, k, text, &n, &ok);
			if (ok && k->kind == SCN_INT)
				*(int *)field = (int)n;
			else if (ok)
				*(int64_t *)field = n;
		}
		break;
	case SCN_INT_AUTO:
		if ((text = need_scalar(w, path, key, v, "a whole number or auto"))) {
			bool *aux = (bool *)((char *)base + k->aux_off);
			if (is_auto(text)) {
				*aux = true;
			} else {
				count_bounds(w, v, path, k, text, &n, &ok);
				if (ok) {
					*(int *)field = (int)n;
					*aux = false;
				}
			}
		}
		break;
	case SCN_UINT64:
		if ((text = need_scalar(w, path, key, v, "a whole number"))) {
			count_bounds(w, v, path, k, text, &n, &ok);
			if (ok)
				*(uint64_t *)field = (uint64_t)n;
		}
		break;
	case SCN_BOOL:
		if ((text = need_scalar(w, path, key, v, "true or false"))) {
			if (!strcmp(text, "true"))
				*(bool *)field = true;
			else if (!strcmp(text, "false"))
				*(bool *)field = false;
			else
				report(w, v, "%s: expected true or false, got '%.*s'", path,
				       echo_len(v->len), text);
		}
		break;
	case SCN_ENUM: {
		char all[256];
		char what[300];
		bounded(what, sizeof what, "one of %s", list_names(k->names, all, sizeof all));
		if ((text = need_scalar(w, path, key, v, what)))
			set_enum(w, v, path, k, text, (int *)field);
		break;
	}
	case SCN_DIST:
		if ((text = need_scalar(w, path, key, v, "a distribution such as exp(40us)"))) {
			struct sim_dist d;
			struct sim_parse_error err = {0};
			struct sim_dist_parse_opts opts = {.base_dir = w->o->base_dir};
			if (sim_dist_parse(text, &opts, &d, &err) < 0) {
				report_parse(w, v, path, &err);
			} else {
				sim_dist_fini((struct sim_dist *)field);
				*(struct sim_dist *)field = d;
			}
		}
		break;
	case SCN_NAME:
		if ((text = need_scalar(w, path, key, v, "a name"))) {
			if (v->len == 0 || v->len >= MODEL_NAME_MAX || strlen(text) != v->len)
				report(w, v, "%s: a name has 1 to %d characters", path, MODEL_NAME_MAX - 1);
			else
				memcpy(field, text, v->len + 1);
		}
		break;
	case SCN_TEXT: {
		char **s = (char **)field;
		if (v->kind == SCN_NODE_NULL) {
			free(*s);
			*s = NULL;
		} else if ((text = need_scalar(w, path, key, v, "a text"))) {
			char *copy = strdup(text);
			if (!copy) {
				report(w, v, "out of memory");
				break;
			}
			free(*s);
			*s = copy;
		}
		break;
	}
	case SCN_MAP:
		walk_map(w, k->sub, base, path, key, v);
		break;
	case SCN_PAIR:
		walk_pair(w, k, (int *)field, path, key, v);
		break;
	case SCN_RESERVED:
		walk_reserved(w, k, path, key, v);
		break;
	case SCN_CLASSES:
		walk_classes(w, path, key, v);
		break;
	case SCN_SCHEDULE:
		walk_schedule(w, path, key, v);
		break;
	case SCN_SLO:
		walk_slo(w, path, key, v);
		break;
	case SCN_FAILURES:
		walk_failures(w, path, key, v);
		break;
	case SCN_NODE:
		walk_node(w, base, path, key, v);
		break;
	case SCN_NODES:
		walk_nodes(w, base, path, key, v);
		break;
	case SCN_JOBS:
		walk_jobs(w, path, key, v);
		break;
	case SCN_DB_NODE:
		walk_db_node(w, (int *)field, path, key, v);
		break;
	case SCN_SCALING:
		walk_scaling(w, path, key, v);
		break;
	case SCN_AUTOSCALE:
		w->c->autoscale.given = v->kind != SCN_NODE_NULL;
		if (v->kind != SCN_NODE_NULL)
			walk_map(w, &scn_autoscale_table, w->c, path, key, v);
		break;
	case SCN_SWITCHES:
		walk_switches(w, path, key, v);
		break;
	}
}

/* The key of a mapping pair as a name; NULL (after a report) otherwise. */
static const char *key_name(struct walk *w, const char *path, const struct scn_node *k)
{
	if (k->kind == SCN_NODE_SCALAR && strlen(k->text) == k->len && k->len > 0)
		return k->text;
	if (k->kind == SCN_NODE_SCALAR || k->kind == SCN_NODE_NULL)
		report(w, k, "%s%sa key must be a name, got an empty or binary one", path,
		       path[0] ? ": " : "");
	else
		report(w, k, "%s%sa key must be a name, got %s", path, path[0] ? ": " : "",
		       kind_noun(k));
	return NULL;
}

static void unknown_key(struct walk *w, const struct scn_table *t, const char *path,
			const struct scn_node *k)
{
	const char *close = scn_suggest_key(t, k->text, k->len);
	char where[PATH_MAX_LEN + 16];
	if (path[0])
		bounded(where, sizeof where, " in '%s'", path);
	else
		where[0] = '\0';
	if (close) {
		report(w, k, "unknown key '%.*s'%s (did you mean '%s'?)", echo_len(k->len), k->text,
		       where, close);
	} else {
		char all[512];
		report(w, k, "unknown key '%.*s'%s (valid keys: %s)", echo_len(k->len), k->text, where,
		       list_keys(t, all, sizeof all));
	}
}

static void duplicate_key(struct walk *w, const char *path, const struct scn_node *k,
			  const struct scn_node *first)
{
	char where[PATH_MAX_LEN + 16];
	if (path[0])
		bounded(where, sizeof where, " in '%s'", path);
	else
		where[0] = '\0';
	if (first->line > 0 && first->origin == k->origin)
		report(w, k, "duplicate key '%.*s'%s (first given at line %d)", echo_len(k->len),
		       k->text, where, first->line);
	else
		report(w, k, "duplicate key '%.*s'%s", echo_len(k->len), k->text, where);
}

/* Returns the mask of table rows that were given (bit i = row i). */
static uint64_t walk_map(struct walk *w, const struct scn_table *t, void *base, const char *path,
			 const struct scn_node *key, const struct scn_node *map)
{
	if (map->kind != SCN_NODE_MAP) {
		char all[512], what[600];
		bounded(what, sizeof what, "a mapping of keys (%s)", list_keys(t, all, sizeof all));
		if (need_scalar(w, path, key, map, what))
			report(w, map, "%s: expected %s, got '%.*s'", path, what, echo_len(map->len),
			       map->text);
		return 0;
	}
	uint64_t seen = 0;
	const struct scn_node *first[64] = {0};
	for (size_t i = 0; i < map->n; i++) {
		const struct scn_node *k = map->pairs[i].key, *v = map->pairs[i].value;
		const char *name = key_name(w, path, k);
		if (!name)
			continue;
		const struct scn_key *row = scn_table_find(t, name, k->len);
		if (!row) {
			unknown_key(w, t, path, k);
			continue;
		}
		size_t idx = (size_t)(row - t->keys);
		if (seen & (UINT64_C(1) << idx)) {
			duplicate_key(w, path, k, first[idx]);
			continue;
		}
		seen |= UINT64_C(1) << idx;
		first[idx] = k;
		char sub[PATH_MAX_LEN];
		join_path(sub, path, name, k->len);
		walk_value(w, row, base, sub, k, v);
	}
	for (size_t i = 0; i < t->nkeys; i++) {
		const struct scn_key *row = &t->keys[i];
		if ((row->flags & SCN_F_REQUIRED) && !(seen & (UINT64_C(1) << i)))
			report(w, key ? key : map, "%s: missing '%s'", path, row->name);
		/* min_replications: the minimum of `replications: auto` only. */
		if (row->aux_off && row->kind == SCN_INT && (seen & (UINT64_C(1) << i)) &&
		    !*(bool *)((char *)base + row->aux_off)) {
			char sub[PATH_MAX_LEN];
			join_path(sub, path, row->name, strlen(row->name));
			report(w, first[i], "%s: only meaningful with replications: auto", sub);
		}
	}
	return seen;
}

/* ------------------------------------------------------------ classes */

static bool valid_class_name(const char *s, size_t len)
{
	if (len == 0 || len >= MODEL_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char ch = s[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		      ch == '_' || ch == '-'))
			return false;
	}
	return true;
}

static int row_index(const struct scn_table *t, const char *name)
{
	const struct scn_key *k = scn_table_find(t, name, strlen(name));
	return k ? (int)(k - t->keys) : -1;
}

static void walk_classes(struct walk *w, const char *path, const struct scn_node *key,
			 const struct scn_node *v)
{
	struct wl_config *wl = &w->c->wl;
	if (v->kind != SCN_NODE_MAP) {
		const char *what = "a mapping of class names to {share, app, db_reads, db_writes}";
		if (need_scalar(w, path, key, v, what))
			report(w, v, "%s: expected %s, got '%.*s'", path, what, echo_len(v->len), v->text);
		return;
	}
	/* A classes mapping replaces the default mix as a whole. */
	for (size_t i = 0; i < wl->nclasses; i++)
		sim_dist_fini(&wl->classes[i].app);
	wl->nclasses = 0;
	size_t errors_before = w->d->errors;
	const int app_row = row_index(&scn_class_table, "app");
	const struct scn_node *class_keys[WL_MAX_CLASSES] = {0};
	for (size_t i = 0; i < v->n; i++) {
		const struct scn_node *k = v->pairs[i].key, *cv = v->pairs[i].value;
		const char *name = key_name(w, path, k);
		if (!name)
			continue;
		if (!valid_class_name(name, k->len)) {
			report(w, k,
			       "%s: class name '%.*s' must have 1 to %d letters, digits, '_' or '-'",
			       path, echo_len(k->len), name, MODEL_NAME_MAX - 1);
			continue;
		}
		/* Against the accepted classes only: at most WL_MAX_CLASSES
		 * compares, however many keys a hostile file repeats. */
		bool dup = false;
		for (size_t j = 0; j < wl->nclasses && !dup; j++)
			if (strcmp(wl->classes[j].name, name) == 0) {
				duplicate_key(w, path, k, class_keys[j]);
				dup = true;
			}
		if (dup)
			continue;
		if (wl->nclasses == WL_MAX_CLASSES) {
			report(w, k, "%s: too many classes (at most %d)", path, WL_MAX_CLASSES);
			break;
		}
		class_keys[wl->nclasses] = k;
		struct wl_class_config *cl = &wl->classes[wl->nclasses++];
		memset(cl, 0, sizeof *cl);
		memcpy(cl->name, name, k->len + 1);
		sim_dist_init_const(&cl->app, 0);
		char sub[PATH_MAX_LEN];
		join_path(sub, path, name, k->len);
		if (cv->kind != SCN_NODE_MAP) {
			const char *what = "a mapping of keys (share, app, db_reads, db_writes)";
			if (need_scalar(w, sub, k, cv, what))
				report(w, cv, "%s: expected %s, got '%.*s'", sub, what, echo_len(cv->len),
				       cv->text);
			continue;
		}
		uint64_t seen = walk_map(w, &scn_class_table, cl, sub, k, cv);
		cl->dynamic = app_row >= 0 && (seen & (UINT64_C(1) << app_row));
		if (!cl->dynamic && (cl->db_reads > 0 || cl->db_writes > 0)) {
			const struct scn_pair *p = scn_map_find(cv, cl->db_reads > 0 ? "db_reads"
									: "db_writes");
			report(w, p ? p->key : k,
			       "%s: a static class (no 'app') is served by nginx alone and makes no "
			       "database queries; give it an 'app' cost (0 is fine) to make it dynamic",
			       sub);
		}
	}
	if (w->d->errors != errors_before)
		return;
	if (wl->nclasses == 0) {
		report(w, key, "%s: at least one class is needed", path);
		return;
	}
	double sum = 0;
	for (size_t i = 0; i < wl->nclasses; i++)
		sum += wl->classes[i].share;
	if (fabs(sum - 1.0) > 1e-9)
		report(w, key, "%s: shares add up to %.10g%%, not 100%%", path, sum * 100);
}

/* ------------------------------------------------------------ schedule */

static void walk_schedule(struct walk *w, const char *path, const struct scn_node *key,
			  const struct scn_node *v)
{
	struct wl_config *wl = &w->c->wl;
	if (v->kind == SCN_NODE_NULL) {
		wl->nschedule = 0;
		return;
	}
	if (v->kind != SCN_NODE_SEQ) {
		const char *what = "a list of steps {at, rate, ramp}";
		if (need_scalar(w, path, key, v, what))
			report(w, v, "%s: expected %s, got '%.*s'", path, what, echo_len(v->len), v->text);
		return;
	}
	wl->nschedule = 0;
	size_t errors_before = w->d->errors;
	for (size_t i = 0; i < v->n; i++) {
		const struct scn_node *item = v->items[i];
		char sub[PATH_MAX_LEN];
		bounded(sub, sizeof sub, "%s[%zu]", path, i);
		if (wl->nschedule == WL_MAX_STEPS) {
			report(w, at_value(item, item), "%s: too many steps (at most %d)", path,
			       WL_MAX_STEPS);
			break;
		}
		struct wl_step *s = &wl->schedule[wl->nschedule++];
		memset(s, 0, sizeof *s);
		if (item->kind != SCN_NODE_MAP) {
			const char *what = "a mapping of keys (at, rate, ramp)";
			if (need_scalar(w, sub, item, item, what))
				report(w, item, "%s: expected %s, got '%.*s'", sub, what,
				       echo_len(item->len), item->text);
			continue;
		}
		walk_map(w, &scn_step_table, s, sub, item, item);
	}
	if (w->d->errors != errors_before)
		return;
	for (size_t i = 1; i < wl->nschedule; i++) {
		const struct wl_step *p = &wl->schedule[i - 1], *s = &wl->schedule[i];
		const struct scn_pair *at = scn_map_find(v->items[i], "at");
		char a[32], b[32];
		if (s->at_ns <= p->at_ns) {
			sim_format_duration(s->at_ns, a, sizeof a);
			sim_format_duration(p->at_ns, b, sizeof b);
			report(w, at ? at->value : v->items[i],
			       "%s[%zu].at: %s is not after the previous step's %s (steps go in time order)",
			       path, i, a, b);
		} else if (p->ramp_ns > s->at_ns - p->at_ns) {
			sim_format_duration(p->at_ns + p->ramp_ns, a, sizeof a);
			sim_format_duration(s->at_ns, b, sizeof b);
			report(w, at ? at->value : v->items[i],
			       "%s[%zu].at: the previous step's ramp runs until %s, after this step "
			       "starts at %s",
			       path, i, a, b);
		}
	}
}

/* ------------------------------------------------------------ slo */

/* The slo mapping changes the default objectives key by key, like every
 * other mapping; `none` removes one. */
static void walk_slo(struct walk *w, const char *path, const struct scn_node *key,
		     const struct scn_node *v)
{
	enum { N = SLO_THROUGHPUT + 1 };
	if (v->kind != SCN_NODE_MAP) {
		char all[256], what[300];
		bounded(what, sizeof what, "a mapping of objectives (%s)",
			 list_keys(&scn_slo_table, all, sizeof all));
		if (need_scalar(w, path, key, v, what))
			report(w, v, "%s: expected %s, got '%.*s'", path, what, echo_len(v->len), v->text);
		return;
	}
	bool present[N] = {0};
	double target[N] = {0};
	for (size_t i = 0; i < w->c->nslo; i++) {
		present[w->c->slo[i].metric] = true;
		target[w->c->slo[i].metric] = w->c->slo[i].target;
	}
	const struct scn_node *first[N] = {0};
	for (size_t i = 0; i < v->n; i++) {
		const struct scn_node *k = v->pairs[i].key, *sv = v->pairs[i].value;
		const char *name = key_name(w, path, k);
		if (!name)
			continue;
		const struct scn_key *row = scn_table_find(&scn_slo_table, name, k->len);
		if (!row) {
			unknown_key(w, &scn_slo_table, path, k);
			continue;
		}
		int m = (int)(row - scn_slo_table.keys); /* rows are in enum slo_metric order */
		if (first[m]) {
			duplicate_key(w, path, k, first[m]);
			continue;
		}
		first[m] = k;
		char sub[PATH_MAX_LEN];
		join_path(sub, path, name, k->len);
		const char *what = row->kind == SCN_DURATION ? "a duration such as 300ms, or none"
				   : row->kind == SCN_SHARE  ? "a share such as 99.9%, or none"
							     : "a rate such as 1000/s, or none";
		const char *text = need_scalar(w, sub, k, sv, what);
		if (!text)
			continue;
		if (!strcmp(text, "none")) {
			present[m] = false;
			continue;
		}
		int64_t ns;
		double x;
		if (row->kind == SCN_DURATION && parse_duration(w, sv, sub, row, text, &ns)) {
			present[m] = true;
			target[m] = (double)ns;
		} else if (row->kind == SCN_SHARE && parse_share(w, sv, sub, row, text, &x)) {
			present[m] = true;
			target[m] = x;
		} else if (row->kind == SCN_RATE && parse_rate(w, sv, sub, row, text, &x)) {
			present[m] = true;
			target[m] = x;
		}
	}
	w->c->nslo = 0;
	for (int m = 0; m < N && w->c->nslo < SLO_MAX_CHECKS; m++)
		if (present[m])
			w->c->slo[w->c->nslo++] = (struct slo_check){
				.metric = (enum slo_metric)m,
				.op = m == SLO_AVAILABILITY || m == SLO_THROUGHPUT ? SLO_AT_LEAST
										 : SLO_AT_MOST,
				.target = target[m],
			};
}

/* ------------------------------------------------------------ cross-field */

/* The node of a dotted path in the document (the value), or NULL. */
static const struct scn_node *lookup(const struct scn_node *root, const char *dotted)
{
	const struct scn_node *n = root;
	char part[64];
	while (n && *dotted) {
		size_t len = strcspn(dotted, ".");
		if (len >= sizeof part)
			return NULL;
		memcpy(part, dotted, len);
		part[len] = '\0';
		const struct scn_pair *p = scn_map_find(n, part);
		n = p ? p->value : NULL;
		dotted += len + (dotted[len] == '.');
	}
	return n;
}

/* The first of two keys that the document names, for a message about both. */
static const struct scn_node *either(struct walk *w, const char *a, const char *b)
{
	const struct scn_node *n = lookup(w->root, a);
	return n ? n : lookup(w->root, b);
}

/* ------------------------------------------------------------ failures */

/* Node names are TIER + 1-based index without leading zeros (web2).  At
 * walk time only the spelling is read: whether web9 exists depends on
 * web.nodes, which may come later in the file or from --set, so the range
 * is checked with the other cross-key rules (failure_checks).  An unknown
 * prefix is kept as TIER_COUNT, a bad number as index -1. */
static struct failure_node parse_node_name(const char *text, size_t len)
{
	struct failure_node n = {.tier = TIER_COUNT, .index = -1};
	size_t letters = 0;
	while (letters < len && text[letters] >= 'a' && text[letters] <= 'z')
		letters++;
	for (int t = 0; model_tier_names[t]; t++)
		if (strlen(model_tier_names[t]) == letters && !memcmp(model_tier_names[t], text, letters))
			n.tier = (enum model_tier)t;
	size_t digits = len - letters;
	const char *d = text + letters;
	if (digits == 0 || digits > 6 || d[0] == '0' || strspn(d, "0123456789") != digits)
		return n;
	n.index = atoi(d) - 1;
	return n;
}

static bool node_exists(const struct model_config *c, struct failure_node n)
{
	const int count[TIER_COUNT] = {c->lb.nodes, c->web.nodes, c->app.nodes, c->db.nodes};
	return n.tier < TIER_COUNT && n.index >= 0 && n.index < count[n.tier];
}

/* "web1..web3", or "web1" for a tier of one node. */
static void tier_range(const struct model_config *c, enum model_tier t, char *buf, size_t len)
{
	const int count[TIER_COUNT] = {c->lb.nodes, c->web.nodes, c->app.nodes, c->db.nodes};
	if (count[t] == 1)
		bounded(buf, len, "%s1", model_tier_names[t]);
	else
		bounded(buf, len, "%s1..%s%d", model_tier_names[t], model_tier_names[t], count[t]);
}

static void walk_node(struct walk *w, struct failure_spec *f, const char *path,
		      const struct scn_node *key, const struct scn_node *v)
{
	const char *text = need_scalar(w, path, key, v, "a node name such as web2");
	if (!text)
		return;
	f->nodes[0] = parse_node_name(text, v->len);
	f->nnodes = 1;
}

static void walk_nodes(struct walk *w, struct failure_spec *f, const char *path,
		       const struct scn_node *key, const struct scn_node *v)
{
	const char *what = "a list of node names such as [web1, app1]";
	if (v->kind != SCN_NODE_SEQ) {
		if (need_scalar(w, path, key, v, what))
			report(w, v, "%s: expected %s, got '%.*s'", path, what, echo_len(v->len), v->text);
		return;
	}
	if (v->n == 0) {
		report(w, key, "%s: expected at least one node", path);
		return;
	}
	if (v->n > FAILURE_MAX_NODES) {
		report(w, v->items[FAILURE_MAX_NODES], "%s: at most %d nodes in one failure, got %zu",
		       path, FAILURE_MAX_NODES, v->n);
		return;
	}
	f->nnodes = 0;
	for (size_t i = 0; i < v->n; i++) {
		const struct scn_node *item = v->items[i];
		char ipath[PATH_MAX_LEN];
		bounded(ipath, sizeof ipath, "%s[%zu]", path, i);
		const char *text = need_scalar(w, ipath, item, item, "a node name such as web2");
		if (!text)
			continue;
		/* Names have one spelling (no leading zeros), so equal texts
		 * are the same node and different texts different ones. */
		bool dup = false;
		for (size_t j = 0; j < i && !dup; j++) {
			const struct scn_node *o = v->items[j];
			dup = o->kind == SCN_NODE_SCALAR && o->len == item->len &&
			      !memcmp(o->text, text, item->len);
		}
		if (dup) {
			report(w, item, "%s: node '%.*s' is listed twice", ipath, echo_len(item->len),
			       text);
			continue;
		}
		f->nodes[f->nnodes++] = parse_node_name(text, item->len);
	}
}

/* The rules that tie an entry's keys to its kind, read from the table's
 * flags; the key's own value was checked by walk_map. */
static void failure_kind_rules(struct walk *w, const struct failure_spec *f, const char *path,
			       const struct scn_node *item, uint64_t seen)
{
	const struct scn_table *t = &scn_failure_table;
	const char *kind = failure_kind_name(f->kind);
	for (size_t i = 0; i < t->nkeys; i++) {
		const struct scn_key *k = &t->keys[i];
		bool given = seen & (UINT64_C(1) << i);
		bool applies = scn_failure_key_applies(k, f->kind);
		if (given && !applies) {
			const struct scn_pair *p = scn_map_find(item, k->name);
			const struct scn_node *at = p ? p->key : item;
			if (k->flags & SCN_F_RANDOM)
				report(w, at, "%s.%s: only meaningful with kind: random, not %s", path,
				       k->name, kind);
			else if (k->flags & SCN_F_SLOW)
				report(w, at, "%s.%s: only meaningful with kind: slow, not %s", path,
				       k->name, kind);
			else
				report(w, at,
				       "%s.%s: not allowed with kind: random, which fails every node of "
				       "its 'tier' at random times for the whole run",
				       path, k->name);
		} else if (!given && applies && (k->flags & SCN_F_NEEDED)) {
			report(w, item, "%s: missing '%s' (needed with kind: %s)", path, k->name, kind);
		}
	}
	if (f->kind == FAILURE_RANDOM)
		return;
	const struct scn_pair *node = scn_map_find(item, "node"), *nodes = scn_map_find(item, "nodes");
	if (node && nodes) /* pairs are in document order: point at the second */
		report(w, node > nodes ? node->key : nodes->key,
		       "%s: give either 'node' or 'nodes' (a correlated failure), not both", path);
	else if (!node && !nodes)
		report(w, item, "%s: missing 'node' (or 'nodes' for a correlated failure)", path);
}

/* The list replaces the defaults (none) as a whole.  An entry with a
 * problem is not kept, so the config never holds half an entry. */
static void walk_failures(struct walk *w, const char *path, const struct scn_node *key,
			  const struct scn_node *v)
{
	struct model_config *c = w->c;
	for (size_t i = 0; i < c->nfailures; i++)
		sim_dist_fini(&c->failures[i].mttr);
	c->nfailures = 0;
	if (v->kind == SCN_NODE_NULL)
		return;
	if (v->kind != SCN_NODE_SEQ) {
		const char *what = "a list of failures such as {at: 2m, node: web1, kind: crash, for: 1m}";
		if (need_scalar(w, path, key, v, what))
			report(w, v, "%s: expected %s, got '%.*s'", path, what, echo_len(v->len), v->text);
		return;
	}
	for (size_t i = 0; i < v->n; i++) {
		const struct scn_node *item = v->items[i];
		char sub[PATH_MAX_LEN];
		bounded(sub, sizeof sub, "%s[%zu]", path, i);
		if (i == MODEL_MAX_FAILURES) {
			report(w, at_value(item, item), "%s: too many failures (at most %d)", path,
			       MODEL_MAX_FAILURES);
			break;
		}
		if (item->kind != SCN_NODE_MAP) {
			char all[256], what[300];
			bounded(what, sizeof what, "a mapping of keys (%s)",
				list_keys(&scn_failure_table, all, sizeof all));
			if (need_scalar(w, sub, item, item, what))
				report(w, item, "%s: expected %s, got '%.*s'", sub, what,
				       echo_len(item->len), item->text);
			continue;
		}
		struct failure_spec *f = &c->failures[c->nfailures];
		memset(f, 0, sizeof *f);
		f->kind = (enum failure_kind)-1; /* stays so when `kind` is missing or wrong */
		f->mode = FAILURE_CRASH;
		size_t errors_before = w->d->errors;
		uint64_t seen = walk_map(w, &scn_failure_table, f, sub, item, item);
		if ((int)f->kind >= 0)
			failure_kind_rules(w, f, sub, item, seen);
		if (w->d->errors == errors_before)
			c->nfailures++;
		else
			sim_dist_fini(&f->mttr);
	}
}

/* After the whole document: node names against the node counts, and `at`
 * against the duration.  Runs only on a document without other errors, so
 * every entry was kept and failures[i] is the list's item i. */
static void failure_checks(struct walk *w)
{
	const struct model_config *c = w->c;
	const struct scn_node *list = lookup(w->root, "failures");
	if (!list || list->kind != SCN_NODE_SEQ || list->n < c->nfailures)
		return;
	for (size_t i = 0; i < c->nfailures; i++) {
		const struct failure_spec *f = &c->failures[i];
		const struct scn_node *item = list->items[i];
		if (f->kind == FAILURE_RANDOM)
			continue;
		const struct scn_pair *at = scn_map_find(item, "at");
		if (f->at_ns >= c->duration_ns) {
			char a[32], b[32];
			sim_format_duration(f->at_ns, a, sizeof a);
			sim_format_duration(c->duration_ns, b, sizeof b);
			report(w, at ? at->value : item,
			       "failures[%zu].at: failure at %s is %s the end of the run (duration %s)", i,
			       a, f->at_ns == c->duration_ns ? "at" : "after", b);
		}
		const struct scn_pair *one = scn_map_find(item, "node");
		const struct scn_pair *many = one ? NULL : scn_map_find(item, "nodes");
		for (int j = 0; j < f->nnodes; j++) {
			const struct scn_node *name = one ? one->value
						      : many && (size_t)j < many->value->n
							      ? many->value->items[j]
							      : item;
			if (node_exists(c, f->nodes[j]))
				continue;
			char npath[PATH_MAX_LEN];
			if (one)
				bounded(npath, sizeof npath, "failures[%zu].node", i);
			else
				bounded(npath, sizeof npath, "failures[%zu].nodes[%d]", i, j);
			int len = name->kind == SCN_NODE_SCALAR ? echo_len(name->len) : 0;
			const char *text = name->kind == SCN_NODE_SCALAR ? name->text : "";
			char range[4][48];
			if (f->nodes[j].tier < TIER_COUNT) {
				tier_range(c, f->nodes[j].tier, range[0], sizeof range[0]);
				report(w, name, "%s: unknown node '%.*s' (this scenario has %s)", npath, len,
				       text, range[0]);
			} else {
				for (int t = 0; t < TIER_COUNT; t++)
					tier_range(c, (enum model_tier)t, range[t], sizeof range[t]);
				report(w, name, "%s: unknown node '%.*s' (nodes are %s, %s, %s, %s)", npath,
				       len, text, range[0], range[1], range[2], range[3]);
			}
		}
	}
}

/* After a failed load: keep only failures whose nodes exist, so a caller
 * that looks at the config anyway never indexes a tier out of range. */
static void drop_unknown_nodes(struct model_config *c)
{
	size_t kept = 0;
	for (size_t i = 0; i < c->nfailures; i++) {
		struct failure_spec *f = &c->failures[i];
		bool ok = true;
		for (int j = 0; j < f->nnodes; j++)
			ok = ok && node_exists(c, f->nodes[j]);
		if (!ok) {
			sim_dist_fini(&f->mttr);
			continue;
		}
		if (kept != i)
			c->failures[kept] = *f;
		kept++;
	}
	c->nfailures = kept;
}

/* ------------------------------------------------------------ db.jobs */

static void walk_db_node(struct walk *w, int *out, const char *path, const struct scn_node *key,
			 const struct scn_node *v)
{
	const char *text = need_scalar(w, path, key, v, "a database node such as db2");
	if (!text)
		return;
	struct failure_node n = parse_node_name(text, v->len);
	if (n.tier != TIER_DB || n.index < 0) {
		report(w, v, "%s: expected a database node such as db2, got '%.*s'", path,
		       echo_len(v->len), text);
		return;
	}
	*out = n.index;
}

/* The entries of list v (db.jobs, scaling), each a mapping walked through
 * `table` into items[] (item_size bytes each, at most max): an entry with a
 * problem is not kept.  noun names the entries in "too many ...", keys
 * lists a mapping's keys.  Returns how many were kept. */
static size_t walk_entries(struct walk *w, const char *path, const struct scn_node *v,
			   const struct scn_table *table, void *items, size_t item_size, size_t max,
			   const char *noun, const char *keys)
{
	size_t kept = 0;
	for (size_t i = 0; i < v->n; i++) {
		const struct scn_node *item = v->items[i];
		char sub[PATH_MAX_LEN];
		bounded(sub, sizeof sub, "%s[%zu]", path, i);
		if (i == max) {
			report(w, at_value(item, item), "%s: too many %s (at most %zu)", path, noun, max);
			break;
		}
		if (item->kind != SCN_NODE_MAP) {
			char what[96];
			bounded(what, sizeof what, "a mapping of keys %s", keys);
			if (need_scalar(w, sub, item, item, what))
				report(w, item, "%s: expected %s, got '%.*s'", sub, what,
				       echo_len(item->len), item->text);
			continue;
		}
		void *entry = (char *)items + kept * item_size;
		memset(entry, 0, item_size);
		size_t errors_before = w->d->errors;
		walk_map(w, table, entry, sub, item, item);
		if (w->d->errors == errors_before)
			kept++;
	}
	return kept;
}

/* The list replaces the defaults (none) as a whole; an entry with a
 * problem is not kept. */
static void walk_jobs(struct walk *w, const char *path, const struct scn_node *key,
		      const struct scn_node *v)
{
	struct db_config *db = &w->c->db;
	db->njobs = 0;
	if (v->kind == SCN_NODE_NULL)
		return;
	if (v->kind != SCN_NODE_SEQ) {
		const char *what = "a list of jobs such as {at: 10m, node: db2, kind: backup, "
				   "cores: 50%, for: 30m}";
		if (need_scalar(w, path, key, v, what))
			report(w, v, "%s: expected %s, got '%.*s'", path, what, echo_len(v->len), v->text);
		return;
	}
	db->njobs = walk_entries(w, path, v, &scn_job_table, db->jobs, sizeof db->jobs[0],
				 DB_MAX_JOBS, "jobs", "(at, node, kind, cores, for)");
}

/* After the whole document: each job's node exists and it starts in the run. */
static void job_checks(struct walk *w)
{
	const struct model_config *c = w->c;
	const struct scn_node *list = lookup(w->root, "db.jobs");
	if (!list || list->kind != SCN_NODE_SEQ || list->n < c->db.njobs)
		return;
	for (size_t i = 0; i < c->db.njobs; i++) {
		const struct db_job_config *job = &c->db.jobs[i];
		const struct scn_node *item = list->items[i];
		char range[48];
		if (job->node >= c->db.nodes) {
			const struct scn_pair *p = scn_map_find(item, "node");
			tier_range(c, TIER_DB, range, sizeof range);
			report(w, p ? p->value : item,
			       "db.jobs[%zu].node: unknown node 'db%d' (this scenario has %s)", i,
			       job->node + 1, range);
		}
		if (job->at_ns >= c->duration_ns) {
			const struct scn_pair *p = scn_map_find(item, "at");
			char a[32], b[32];
			sim_format_duration(job->at_ns, a, sizeof a);
			sim_format_duration(c->duration_ns, b, sizeof b);
			report(w, p ? p->value : item,
			       "db.jobs[%zu].at: job at %s does not start before the end of the run "
			       "(duration %s)",
			       i, a, b);
		}
	}
}

/* ------------------------------------------------------------ scaling */

/* The list replaces the defaults (none) as a whole; an entry with a
 * problem is not kept. */
static void walk_scaling(struct walk *w, const char *path, const struct scn_node *key,
			 const struct scn_node *v)
{
	struct model_config *c = w->c;
	c->nscaling = 0;
	if (v->kind == SCN_NODE_NULL)
		return;
	if (v->kind != SCN_NODE_SEQ) {
		const char *what = v->kind == SCN_NODE_MAP
					   ? "a list"
					   : "a list of steps such as {at: 5m, tier: app, nodes: 8, boot: 90s}";
		if (need_scalar(w, path, key, v, what))
			report(w, v, "%s: expected %s, got '%.*s'", path, what, echo_len(v->len), v->text);
		return;
	}
	c->nscaling = walk_entries(w, path, v, &scn_scaling_table, c->scaling,
				   sizeof c->scaling[0], MODEL_MAX_SCALING, "steps",
				   "(at, tier, nodes, boot)");
}

/* autoscale.schedule: the list replaces the default (none) as a whole. */
static void walk_switches(struct walk *w, const char *path, const struct scn_node *key,
			  const struct scn_node *v)
{
	struct autoscale_config *as = &w->c->autoscale;
	as->nschedule = 0;
	if (v->kind == SCN_NODE_NULL)
		return;
	if (v->kind != SCN_NODE_SEQ) {
		const char *what = v->kind == SCN_NODE_MAP
					   ? "a list"
					   : "a list of switches such as {at: 5m, enabled: false}";
		if (need_scalar(w, path, key, v, what))
			report(w, v, "%s: expected %s, got '%.*s'", path, what, echo_len(v->len), v->text);
		return;
	}
	as->nschedule = walk_entries(w, path, v, &scn_switch_table, as->schedule,
				     sizeof as->schedule[0], AUTOSCALE_MAX_SWITCHES, "switches",
				     "(at, enabled)");
}

static const struct scn_node *item_key(const struct scn_node *item, const char *name)
{
	const struct scn_pair *p = scn_map_find(item, name);
	return p ? p->value : item;
}

/* After the whole document: scaled tiers, order, times, and min <= max. */
static void scaling_checks(struct walk *w)
{
	const struct model_config *c = w->c;
	const struct scn_node *list = lookup(w->root, "scaling");
	char a[32], b[32];
	for (size_t i = 0; list && list->kind == SCN_NODE_SEQ && i < c->nscaling && i < list->n;
	     i++) {
		const struct scaling_step *st = &c->scaling[i];
		const struct scn_node *item = list->items[i];
		if (st->tier == TIER_LB || st->tier == TIER_DB)
			report(w, item_key(item, "tier"),
			       "scaling[%zu].tier: %s is not scaled in this version (use web or app)", i,
			       model_tier_names[st->tier]);
		if (i > 0 && st->at_ns < c->scaling[i - 1].at_ns)
			report(w, item_key(item, "at"),
			       "scaling[%zu].at: steps must be in time order (this one is before "
			       "scaling[%zu])",
			       i, i - 1);
		if (st->at_ns >= c->duration_ns) {
			sim_format_duration(st->at_ns, a, sizeof a);
			sim_format_duration(c->duration_ns, b, sizeof b);
			report(w, item_key(item, "at"),
			       "scaling[%zu].at: step at %s is not before the end of the run "
			       "(duration %s)",
			       i, a, b);
		}
	}
	int total = 0;
	for (int t = 0; t < TIER_COUNT; t++)
		total += model_tier_max_nodes(c, (enum model_tier)t);
	if (model_scales(c) && total > MODEL_MAX_NODES)
		report(w, list ? list : lookup(w->root, "autoscale"),
		       "scaling: the tiers may reach %d nodes in all, more than the %d a run holds",
		       total, MODEL_MAX_NODES);
	const struct autoscale_config *as = &c->autoscale;
	if (!as->given)
		return;
	const struct scn_node *m = lookup(w->root, "autoscale");
	const struct scn_node *sw = lookup(w->root, "autoscale.schedule");
	for (size_t i = 0; sw && sw->kind == SCN_NODE_SEQ && i < as->nschedule && i < sw->n; i++) {
		const struct autoscale_switch *s = &as->schedule[i];
		const struct scn_node *at = item_key(sw->items[i], "at");
		if (i > 0 && s->at_ns <= as->schedule[i - 1].at_ns) {
			sim_format_duration(s->at_ns, a, sizeof a);
			sim_format_duration(as->schedule[i - 1].at_ns, b, sizeof b);
			report(w, at,
			       "autoscale.schedule[%zu].at: %s is not after the previous switch's %s "
			       "(switches go in time order)",
			       i, a, b);
		}
		if (s->at_ns >= c->duration_ns) {
			sim_format_duration(s->at_ns, a, sizeof a);
			sim_format_duration(c->duration_ns, b, sizeof b);
			report(w, at,
			       "autoscale.schedule[%zu].at: switch at %s is not before the end of the "
			       "run (duration %s)",
			       i, a, b);
		}
	}
	if (as->tier == TIER_LB || as->tier == TIER_DB)
		report(w, m ? item_key(m, "tier") : w->root,
		       "autoscale.tier: %s is not scaled in this version (use web or app)",
		       model_tier_names[as->tier]);
	if (as->min > as->max)
		report(w, m ? item_key(m, "min") : w->root,
		       "autoscale.min: %d is more than autoscale.max (%d)", as->min, as->max);
	for (size_t i = 0; i < c->nscaling; i++)
		if (c->scaling[i].tier == as->tier) {
			report(w, m ? item_key(m, "tier") : w->root,
			       "autoscale.tier: %s is also in scaling (scale a tier by schedule or by "
			       "the autoscaler, not both)",
			       model_tier_names[as->tier]);
			break;
		}
}

static void cross_checks(struct walk *w)
{
	const struct model_config *c = w->c;
	char a[32], b[32];
	if (!c->warmup_auto && c->warmup_ns >= c->duration_ns) {
		sim_format_duration(c->warmup_ns, a, sizeof a);
		sim_format_duration(c->duration_ns, b, sizeof b);
		report(w, either(w, "warmup", "duration"),
		       "warmup: %s is not shorter than duration (%s); nothing would be measured", a, b);
	}
	if (c->window_ns > c->duration_ns) {
		sim_format_duration(c->window_ns, a, sizeof a);
		sim_format_duration(c->duration_ns, b, sizeof b);
		report(w, either(w, "window", "duration"), "window: %s is longer than duration (%s)", a,
		       b);
	}
	if (c->replications_auto && c->max_replications < c->replications)
		report(w, either(w, "max_replications", "min_replications"),
		       "max_replications: %d is less than min_replications (%d)", c->max_replications,
		       c->replications);
	if ((int64_t)c->web.workers * c->web.worker_connections < 2)
		report(w, either(w, "web.worker_connections", "web.workers"),
		       "web.worker_connections: workers x worker_connections must be at least 2 "
		       "(a proxied request holds a client and an upstream connection)");
	failure_checks(w);
	job_checks(w);
	scaling_checks(w);
}

int scn_walk(const struct scn_node *root, const struct scn_walk_opts *o, struct model_config *c,
	     struct sim_diags *diags)
{
	struct walk w = {.o = o, .c = c, .d = diags, .root = root};
	size_t errors_before = diags->errors;
	if (root->kind != SCN_NODE_MAP) {
		report(&w, root, "a scenario is a YAML mapping of keys (name, duration, workload, ...)");
		return -1;
	}
	walk_map(&w, &scn_top_table, c, "", NULL, root);
	if (diags->errors == errors_before)
		cross_checks(&w);
	if (diags->errors != errors_before)
		drop_unknown_nodes(c);
	return diags->errors == errors_before ? 0 : -1;
}
