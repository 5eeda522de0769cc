/* Distributions of durations: parsing, exact moments, sampling.
 *
 * A distribution is written as a call, `family(arg, name=arg, ...)`, or as a
 * bare duration meaning a constant.  Every family keeps its exact mean and
 * variance next to its parameters because the capacity planner and the
 * validation tests (M/G/1 by Pollaczek-Khinchine) need the moments of what is
 * actually sampled, not of what the user may have had in mind: a normal is
 * truncated at 0, so its moments are the truncated ones; a Pareto with
 * alpha <= 1 has no mean, so it is rejected rather than accepted with a
 * mean nobody can plan with.
 *
 * Parameter layout in struct sim_dist.p (durations in ns):
 *   CONST     p0 value
 *   EXP       p0 mean
 *   UNIFORM   p0 a, p1 b                      (sampled on [a, b))
 *   NORMAL    p0 mu, p1 sd                     (of the normal before truncation)
 *   LOGNORMAL p0 zeta, p1 sigma                (ln X ~ N(zeta, sigma), X in ns)
 *   GAMMA     p0 shape, p1 scale
 *   ERLANG    p0 k, p1 scale (mean / k)
 *   WEIBULL   p0 shape, p1 scale
 *   PARETO    p0 alpha, p1 min
 *   HYPEREXP  p0 probability of phase 1, p1 phase-1 mean, p2 phase-2 mean
 *   EMPIRICAL p0 number of values (the values are in samples_ns)
 * `text` is rebuilt from the parsed arguments in one canonical spelling, so
 * parsing it again gives bit-identical parameters. */
#include "dist.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <locale.h>
#include <sys/stat.h>

#include <csv.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sf_gamma.h>

#include "time.h"

#define MAX_ARGS 8
#define MAX_PARAMS 4

enum arg_kind { ARG_DURATION, ARG_REAL, ARG_INT, ARG_STRING };

struct param {
	const char *name;
	enum arg_kind kind;
};

struct family {
	const char *name;
	enum sim_dist_kind kind;
	const char *usage;
	int nparams;
	int npositional; /* the first npositional params may be given by position */
	struct param params[MAX_PARAMS];
};

static const struct family families[] = {
	{ "const", SIM_DIST_CONST, "const(value)", 1, 1, { { "value", ARG_DURATION } } },
	{ "exp", SIM_DIST_EXP, "exp(mean)", 1, 1, { { "mean", ARG_DURATION } } },
	{ "uniform", SIM_DIST_UNIFORM, "uniform(a, b)", 2, 2,
	  { { "a", ARG_DURATION }, { "b", ARG_DURATION } } },
	{ "normal", SIM_DIST_NORMAL, "normal(mean, sd)", 2, 2,
	  { { "mean", ARG_DURATION }, { "sd", ARG_DURATION } } },
	{ "lognormal", SIM_DIST_LOGNORMAL, "lognormal(mean=, cv=) or lognormal(median=, p99=)", 4, 2,
	  { { "mean", ARG_DURATION }, { "cv", ARG_REAL }, { "median", ARG_DURATION },
	    { "p99", ARG_DURATION } } },
	{ "gamma", SIM_DIST_GAMMA, "gamma(mean=, cv=)", 2, 2,
	  { { "mean", ARG_DURATION }, { "cv", ARG_REAL } } },
	{ "erlang", SIM_DIST_ERLANG, "erlang(k=, mean=)", 2, 2,
	  { { "k", ARG_INT }, { "mean", ARG_DURATION } } },
	{ "weibull", SIM_DIST_WEIBULL, "weibull(shape=, mean=)", 2, 2,
	  { { "shape", ARG_REAL }, { "mean", ARG_DURATION } } },
	{ "pareto", SIM_DIST_PARETO, "pareto(alpha=, min=)", 2, 2,
	  { { "alpha", ARG_REAL }, { "min", ARG_DURATION } } },
	{ "hyperexp", SIM_DIST_HYPEREXP, "hyperexp(mean=, cv=)", 2, 2,
	  { { "mean", ARG_DURATION }, { "cv", ARG_REAL } } },
	{ "empirical", SIM_DIST_EMPIRICAL, "empirical(FILE.csv[, column=NAME|N][, unit=U])", 3, 1,
	  { { "file", ARG_STRING }, { "column", ARG_STRING }, { "unit", ARG_STRING } } },
};

#define NFAMILIES (sizeof(families) / sizeof(families[0]))

/* Names people reach for that are not ours, for "did you mean". */
static const struct {
	const char *alias;
	const char *family;
} aliases[] = {
	{ "constant", "const" },       { "fixed", "const" },       { "deterministic", "const" },
	{ "exponential", "exp" },      { "gaussian", "normal" },   { "lognorm", "lognormal" },
	{ "hyperexponential", "hyperexp" }, { "h2", "hyperexp" },  { "csv", "empirical" },
};

/* One argument as written: positions are 0-based byte offsets in the text. */
struct arg {
	size_t start;        /* first byte of the argument */
	const char *name;    /* keyword name, NULL when positional */
	size_t name_len;
	char *value;         /* trimmed, unquoted copy (owned) */
	size_t value_start;  /* offset of value[0] in the text */
};

/* A parameter's value once bound and converted. */
struct bound {
	bool present;
	const struct arg *arg;
	int64_t ns;          /* ARG_DURATION */
	double real;         /* ARG_REAL */
	int64_t count;       /* ARG_INT */
	const char *str;     /* ARG_STRING */
};

struct parser {
	const char *text;
	const struct sim_dist_parse_opts *opts;
	struct sim_parse_error *err;
	struct arg args[MAX_ARGS];
	int nargs;
	size_t open_paren;   /* offset of '(' */
	size_t close_paren;  /* offset of ')' */
};

static int fail(struct parser *ps, size_t offset, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct parser *ps, size_t offset, const char *fmt, ...)
{
	ps->err->col = (int)offset + 1;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ps->err->message, sizeof(ps->err->message), fmt, ap);
	va_end(ap);
	return -1;
}

/* A sub-parser ran on text starting at `offset`: move its column there. */
static int fail_sub(struct parser *ps, size_t offset, const struct sim_parse_error *sub)
{
	size_t col = sub->col > 0 ? (size_t)sub->col - 1 : 0;
	*ps->err = *sub;
	ps->err->col = (int)(offset + col) + 1;
	return -1;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_ident_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_ident(char c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9');
}

static size_t skip_blanks(const char *s, size_t i)
{
	while (is_blank(s[i]))
		i++;
	return i;
}

static size_t levenshtein(const char *a, size_t la, const char *b)
{
	size_t lb = strlen(b);
	size_t row[64];
	if (lb >= 64 || la >= 64)
		return (size_t)-1;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

/* The family (or alias target) nearest to name, when it is near enough to
 * be a likely typo: at most half the characters differ. */
static const char *suggest_family(const char *name, size_t len)
{
	const char *best = NULL;
	size_t best_d = (size_t)-1;
	for (size_t k = 0; k < NFAMILIES + sizeof(aliases) / sizeof(aliases[0]); k++) {
		const char *cand = k < NFAMILIES ? families[k].name : aliases[k - NFAMILIES].alias;
		const char *target = k < NFAMILIES ? cand : aliases[k - NFAMILIES].family;
		size_t d = levenshtein(name, len, cand);
		size_t longer = len > strlen(cand) ? len : strlen(cand);
		if (d < best_d && 2 * d <= longer) {
			best_d = d;
			best = target;
		}
	}
	return best;
}

static const struct family *find_family(const char *name, size_t len)
{
	for (size_t k = 0; k < NFAMILIES; k++)
		if (strlen(families[k].name) == len && memcmp(families[k].name, name, len) == 0)
			return &families[k];
	return NULL;
}

static int unknown_family(struct parser *ps, size_t start, size_t len)
{
	const char *s = suggest_family(ps->text + start, len);
	if (s)
		return fail(ps, start, "unknown distribution '%.*s' (did you mean '%s'?)",
			    (int)(len > 40 ? 40 : len), ps->text + start, s);
	return fail(ps, start,
		    "unknown distribution '%.*s' (use const, exp, uniform, normal, lognormal, "
		    "gamma, erlang, weibull, pareto, hyperexp, empirical)",
		    (int)(len > 40 ? 40 : len), ps->text + start);
}

/* Split "( ... )" at ps->open_paren into arguments.  Commas inside double
 * quotes do not split (file names may contain them); nothing nests. */
static int split_args(struct parser *ps, const char *family)
{
	const char *t = ps->text;
	size_t i = ps->open_paren + 1;
	if (t[skip_blanks(t, i)] == ')') {
		ps->close_paren = skip_blanks(t, i);
		return 0;
	}
	for (;;) {
		size_t a = skip_blanks(t, i);
		size_t j = a;
		size_t quote = 0;
		bool quoted = false;
		while (t[j] && (quoted || (t[j] != ',' && t[j] != ')'))) {
			if (t[j] == '"') {
				quoted = !quoted;
				quote = j;
			} else if (t[j] == '(' && !quoted) {
				return fail(ps, j, "unexpected '(' in the arguments of %s "
						   "(distributions do not nest)", family);
			}
			j++;
		}
		if (quoted)
			return fail(ps, quote, "unterminated '\"'");
		if (!t[j])
			return fail(ps, ps->open_paren, "missing ')' to close '%s('", family);
		if (ps->nargs == MAX_ARGS)
			return fail(ps, a, "too many arguments for %s", family);

		size_t e = j;
		while (e > a && is_blank(t[e - 1]))
			e--;
		if (e == a)
			return fail(ps, a, "empty argument");
		struct arg *arg = &ps->args[ps->nargs];
		memset(arg, 0, sizeof(*arg));
		arg->start = a;
		size_t v = a;
		if (is_ident_start(t[a])) {
			size_t n = a;
			while (is_ident(t[n]))
				n++;
			size_t eq = skip_blanks(t, n);
			if (t[eq] == '=') {
				arg->name = t + a;
				arg->name_len = n - a;
				v = skip_blanks(t, eq + 1);
				if (v >= e)
					return fail(ps, v, "missing value for '%.*s'",
						    (int)arg->name_len, arg->name);
			}
		}
		size_t ve = e;
		if (t[v] == '"' && ve - v >= 2 && t[ve - 1] == '"') {
			v++;
			ve--;
		}
		arg->value = strndup(t + v, ve - v);
		if (!arg->value)
			return fail(ps, a, "out of memory");
		arg->value_start = v;
		ps->nargs++;
		if (t[j] == ')') {
			ps->close_paren = j;
			return 0;
		}
		i = j + 1;
	}
}

static int usage_error(struct parser *ps, const struct family *f, size_t offset,
		       const char *what, const char *name, size_t name_len)
{
	if (name)
		return fail(ps, offset, "%s '%.*s' for %s; usage: %s", what, (int)name_len, name,
			    f->name, f->usage);
	return fail(ps, offset, "%s for %s; usage: %s", what, f->name, f->usage);
}

/* Match arguments to the family's parameters and convert their values. */
static int bind_args(struct parser *ps, const struct family *f, struct bound *b)
{
	int positional = 0;
	bool seen_keyword = false;
	for (int k = 0; k < ps->nargs; k++) {
		const struct arg *a = &ps->args[k];
		int idx = -1;
		if (!a->name) {
			if (seen_keyword)
				return fail(ps, a->start, "positional argument after keyword arguments");
			if (positional >= f->npositional)
				return usage_error(ps, f, a->start, "too many arguments", NULL, 0);
			idx = positional++;
		} else {
			seen_keyword = true;
			for (int p = 0; p < f->nparams; p++)
				if (strlen(f->params[p].name) == a->name_len &&
				    memcmp(f->params[p].name, a->name, a->name_len) == 0)
					idx = p;
			if (idx < 0)
				return usage_error(ps, f, a->start, "unknown argument", a->name,
						   a->name_len);
		}
		if (b[idx].present)
			return fail(ps, a->start, "duplicate argument '%s'", f->params[idx].name);
		b[idx].present = true;
		b[idx].arg = a;

		struct sim_parse_error sub = { 0 };
		int rc = 0;
		switch (f->params[idx].kind) {
		case ARG_DURATION:
			rc = sim_parse_duration_ns(a->value, &b[idx].ns, &sub);
			break;
		case ARG_REAL:
			rc = sim_parse_real(a->value, &b[idx].real, &sub);
			break;
		case ARG_INT:
			rc = sim_parse_count(a->value, &b[idx].count, &sub);
			if (rc == 0 && b[idx].count == 0)
				rc = -1;
			if (rc < 0)
				return fail(ps, a->value_start,
					    "%s %s must be a positive integer, got '%.40s'", f->name,
					    f->params[idx].name, a->value);
			break;
		case ARG_STRING:
			b[idx].str = a->value;
			break;
		}
		if (rc < 0)
			return fail_sub(ps, a->value_start, &sub);
	}
	return 0;
}

static int require(struct parser *ps, const struct family *f, const struct bound *b, int idx)
{
	if (b[idx].present)
		return 0;
	return usage_error(ps, f, ps->close_paren, "missing argument", f->params[idx].name,
			   strlen(f->params[idx].name));
}

/* Offset of a bound value, for messages about it. */
static size_t at(const struct bound *b)
{
	return b->arg->value_start;
}

/* ----------------------------------------------------------------- text */

/* Shortest %g spelling that reads back (through our own parser, so the
 * locale cannot interfere) as the same double. */
static void format_real(double v, char *buf, size_t len)
{
	const char *point = localeconv()->decimal_point;
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, len, "%.*g", prec, v);
		if (point && point[0] && strcmp(point, ".") != 0) {
			char *p = strstr(buf, point);
			if (p) {
				*p = '.';
				memmove(p + 1, p + strlen(point), strlen(p + strlen(point)) + 1);
			}
		}
		double back;
		if (sim_parse_real(buf, &back, NULL) == 0 && back == v)
			return;
	}
}

static char *format_text(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *format_text(const char *fmt, ...)
{
	va_list ap, ap2;
	va_start(ap, fmt);
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
	if (s)
		vsnprintf(s, (size_t)n + 1, fmt, ap2);
	va_end(ap2);
	return s;
}

/* A file argument needs quotes when it would not read back unquoted. */
static bool needs_quotes(const char *s)
{
	return !*s || strpbrk(s, ",()=\"") || is_blank(s[0]) || is_blank(s[strlen(s) - 1]);
}

/* ------------------------------------------------------------ empirical */

struct csv_reader {
	const char *path;        /* as opened, for messages */
	const char *column_name; /* by name, or NULL */
	size_t column;           /* 0-based index when column_name is NULL */
	double unit_ns;          /* multiplier for plain-number cells */
	size_t row;              /* 1-based number of the current CSV record */
	size_t field;            /* 0-based field index in the current record */
	bool target_seen;        /* the current record had the target field */
	char **first;            /* the first record's fields, to find the header */
	size_t nfirst;
	double *values;
	size_t nvalues, cap;
	bool failed;
	char message[200];
};

static void reader_fail(struct csv_reader *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void reader_fail(struct csv_reader *r, const char *fmt, ...)
{
	if (r->failed)
		return;
	r->failed = true;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->message, sizeof(r->message), fmt, ap);
	va_end(ap);
}

/* A cell is a plain number in the column's unit or a duration with its own. */
static int cell_value(const struct csv_reader *r, const char *cell, double *out_ns)
{
	double v;
	int64_t ns;
	if (sim_parse_real(cell, &v, NULL) == 0) {
		*out_ns = v * r->unit_ns;
		return v < 0 ? -2 : 0;
	}
	if (sim_parse_duration_ns(cell, &ns, NULL) == 0) {
		*out_ns = (double)ns;
		return 0;
	}
	const char *p = cell + strspn(cell, " \t");
	if (*p == '-' && sim_parse_duration_ns(p + 1, &ns, NULL) == 0)
		return -2;
	return -1;
}

static void add_cell(struct csv_reader *r, const char *cell)
{
	double ns;
	int rc = cell_value(r, cell, &ns);
	if (rc == -2) {
		reader_fail(r, "%s row %zu: negative value '%.40s'", r->path, r->row, cell);
		return;
	}
	if (rc < 0) {
		reader_fail(r, "%s row %zu: '%.40s' is not a number or a duration", r->path,
			    r->row, cell);
		return;
	}
	if (r->nvalues == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 256;
		double *v = realloc(r->values, cap * sizeof(*v));
		if (!v) {
			reader_fail(r, "%s: out of memory", r->path);
			return;
		}
		r->values = v;
		r->cap = cap;
	}
	r->values[r->nvalues++] = ns;
}

static void on_field(void *s, size_t len, void *data)
{
	struct csv_reader *r = data;
	(void)len; /* CSV_APPEND_NULL terminates every field */
	if (r->failed)
		return;
	if (r->row == 1) {
		char **first = realloc(r->first, (r->nfirst + 1) * sizeof(*first));
		char *copy = strdup(s);
		if (!first || !copy) {
			free(copy);
			if (first)
				r->first = first;
			reader_fail(r, "%s: out of memory", r->path);
			return;
		}
		r->first = first;
		r->first[r->nfirst++] = copy;
	} else if (r->field == r->column) {
		r->target_seen = true;
		add_cell(r, s);
	}
	r->field++;
}

/* The first record decides the column: by name it must be a header; by
 * index it is a header exactly when its cell there is not a value. */
static void resolve_first_row(struct csv_reader *r)
{
	if (r->column_name) {
		for (size_t k = 0; k < r->nfirst; k++) {
			if (strcmp(r->first[k], r->column_name) == 0) {
				r->column = k;
				return;
			}
		}
		char names[120] = "";
		size_t used = 0;
		for (size_t k = 0; k < r->nfirst && used + 1 < sizeof(names); k++)
			used += (size_t)snprintf(names + used, sizeof(names) - used, "%s%s",
						 k ? ", " : "", r->first[k]);
		reader_fail(r, "column '%.40s' not found in %s (columns: %s)", r->column_name,
			    r->path, names);
		return;
	}
	if (r->column >= r->nfirst) {
		reader_fail(r, "%s has %zu column%s; column %zu requested", r->path, r->nfirst,
			    r->nfirst == 1 ? "" : "s", r->column + 1);
		return;
	}
	double ns;
	if (cell_value(r, r->first[r->column], &ns) != -1)
		add_cell(r, r->first[r->column]); /* data, not a header */
}

static void on_row(int c, void *data)
{
	struct csv_reader *r = data;
	(void)c;
	if (!r->failed) {
		if (r->row == 1)
			resolve_first_row(r);
		else if (!r->target_seen)
			reader_fail(r, "%s row %zu has no column %zu", r->path, r->row,
				    r->column + 1);
	}
	r->row++;
	r->field = 0;
	r->target_seen = false;
}

/* Reads the column into r->values; false with r->message on failure. */
static bool read_csv(struct csv_reader *r)
{
	FILE *fp = fopen(r->path, "rb");
	if (!fp) {
		reader_fail(r, "cannot open %s: %s", r->path, strerror(errno));
		return false;
	}
	/* A device or a pipe (/dev/zero, a FIFO) could be read forever, and a
	 * huge file would exhaust memory: a sample is a regular file, of a size
	 * a person could have measured. */
	struct stat sb;
	if (fstat(fileno(fp), &sb) != 0 || !S_ISREG(sb.st_mode)) {
		fclose(fp);
		reader_fail(r, "%s is not a regular file", r->path);
		return false;
	}
	if (sb.st_size > SIM_EMPIRICAL_MAX_BYTES) {
		fclose(fp);
		reader_fail(r, "%s is larger than %d MiB", r->path, SIM_EMPIRICAL_MAX_BYTES >> 20);
		return false;
	}
	struct csv_parser p;
	if (csv_init(&p, CSV_APPEND_NULL) != 0) {
		fclose(fp);
		reader_fail(r, "%s: out of memory", r->path);
		return false;
	}
	r->row = 1;
	char buf[8192];
	size_t n;
	while (!r->failed && (n = fread(buf, 1, sizeof(buf), fp)) > 0) {
		if (csv_parse(&p, buf, n, on_field, on_row, r) != n)
			reader_fail(r, "%s: %s", r->path, csv_strerror(csv_error(&p)));
	}
	if (!r->failed && ferror(fp))
		reader_fail(r, "cannot read %s: %s", r->path, strerror(errno));
	if (!r->failed)
		csv_fini(&p, on_field, on_row, r);
	csv_free(&p);
	fclose(fp);
	if (!r->failed && r->nvalues == 0) {
		if (r->column_name)
			reader_fail(r, "column '%.40s' of %s has no values", r->column_name, r->path);
		else
			reader_fail(r, "column %zu of %s has no values", r->column + 1, r->path);
	}
	return !r->failed;
}

static void reader_fini(struct csv_reader *r)
{
	for (size_t k = 0; k < r->nfirst; k++)
		free(r->first[k]);
	free(r->first);
	free(r->values);
}

static int build_empirical(struct parser *ps, const struct family *f, const struct bound *b,
			   struct sim_dist *d)
{
	if (require(ps, f, b, 0) < 0)
		return -1;
	struct csv_reader r;
	memset(&r, 0, sizeof(r));
	r.unit_ns = (double)SIM_NS_PER_S;
	if (b[2].present) {
		/* "1" + unit through the duration parser: one list of units. */
		char probe[32];
		int64_t ns;
		struct sim_parse_error sub = { 0 };
		if (strlen(b[2].str) > 8 || strpbrk(b[2].str, " \t") ||
		    (snprintf(probe, sizeof(probe), "1%s", b[2].str),
		     sim_parse_duration_ns(probe, &ns, &sub) < 0))
			return fail(ps, at(&b[2]),
				    "unknown unit '%.40s' for empirical (use ns, us, ms, s, m, h, d)",
				    b[2].str);
		r.unit_ns = (double)ns;
	}
	if (b[1].present) {
		const char *c = b[1].str;
		if (c[0] && strspn(c, "0123456789") == strlen(c)) {
			int64_t idx;
			if (sim_parse_count(c, &idx, NULL) < 0 || idx < 1)
				return fail(ps, at(&b[1]), "column index must be 1 or more, got '%.40s'",
					    c);
			r.column = (size_t)idx - 1;
		} else {
			r.column_name = c;
		}
	}

	const char *file = b[0].str;
	const char *base = ps->opts ? ps->opts->base_dir : NULL;
	char *path = file[0] != '/' && base && base[0] ? format_text("%s/%s", base, file)
						       : strdup(file);
	if (!path)
		return fail(ps, at(&b[0]), "out of memory");
	r.path = path;
	if (!read_csv(&r)) {
		fail(ps, at(&b[0]), "%s", r.message);
		reader_fini(&r);
		free(path);
		return -1;
	}
	free(path);

	double sum = 0;
	for (size_t k = 0; k < r.nvalues; k++)
		sum += r.values[k];
	double mean = sum / (double)r.nvalues;
	double ss = 0;
	for (size_t k = 0; k < r.nvalues; k++)
		ss += (r.values[k] - mean) * (r.values[k] - mean);
	d->samples_ns = r.values;
	d->nsamples = r.nvalues;
	r.values = NULL;
	reader_fini(&r);
	d->p[0] = (double)d->nsamples;
	d->mean_ns = mean;
	d->var_ns2 = ss / (double)d->nsamples; /* resampling: the population variance */

	const char *q = needs_quotes(file) ? "\"" : "";
	d->text = format_text("empirical(%s%s%s%s%s%s%s)", q, file, q,
			      b[1].present ? ", column=" : "", b[1].present ? b[1].str : "",
			      b[2].present ? ", unit=" : "", b[2].present ? b[2].str : "");
	return 0;
}

/* -------------------------------------------------------------- families */

static int positive_duration(struct parser *ps, const struct family *f, const struct bound *b,
			     const char *name)
{
	if (b->ns > 0)
		return 0;
	return fail(ps, at(b), "%s %s must be > 0", f->name, name);
}

/* Truncated-normal moments: X ~ N(mu, sd) given X >= 0.  With a = -mu/sd and
 * lambda = phi(a) / (1 - Phi(a)), the mean is mu + sd lambda and the variance
 * sd^2 (1 + a lambda - lambda^2). */
static void normal_moments(double mu, double sd, double *mean, double *var)
{
	double a = -mu / sd;
	double lambda = gsl_ran_ugaussian_pdf(a) / gsl_cdf_ugaussian_Q(a);
	*mean = mu + sd * lambda;
	*var = sd * sd * (1 + a * lambda - lambda * lambda);
}

static int build(struct parser *ps, const struct family *f, const struct bound *b,
		 struct sim_dist *d)
{
	char s1[32], s2[32], r1[32];
	d->kind = f->kind;
	switch (f->kind) {
	case SIM_DIST_CONST:
		if (require(ps, f, b, 0) < 0)
			return -1;
		d->p[0] = (double)b[0].ns;
		d->mean_ns = d->p[0];
		d->var_ns2 = 0;
		sim_format_duration(b[0].ns, s1, sizeof(s1));
		d->text = format_text("const(%s)", s1);
		break;
	case SIM_DIST_EXP:
		if (require(ps, f, b, 0) < 0 || positive_duration(ps, f, &b[0], "mean") < 0)
			return -1;
		d->p[0] = (double)b[0].ns;
		d->mean_ns = d->p[0];
		d->var_ns2 = d->p[0] * d->p[0];
		sim_format_duration(b[0].ns, s1, sizeof(s1));
		d->text = format_text("exp(%s)", s1);
		break;
	case SIM_DIST_UNIFORM:
		if (require(ps, f, b, 0) < 0 || require(ps, f, b, 1) < 0)
			return -1;
		sim_format_duration(b[0].ns, s1, sizeof(s1));
		sim_format_duration(b[1].ns, s2, sizeof(s2));
		if (b[1].ns <= b[0].ns)
			return fail(ps, at(&b[1]), "uniform needs b > a (got a=%s, b=%s)", s1, s2);
		d->p[0] = (double)b[0].ns;
		d->p[1] = (double)b[1].ns;
		d->mean_ns = (d->p[0] + d->p[1]) / 2;
		d->var_ns2 = (d->p[1] - d->p[0]) * (d->p[1] - d->p[0]) / 12;
		d->text = format_text("uniform(%s, %s)", s1, s2);
		break;
	case SIM_DIST_NORMAL:
		if (require(ps, f, b, 0) < 0 || require(ps, f, b, 1) < 0 ||
		    positive_duration(ps, f, &b[0], "mean") < 0)
			return -1;
		if (b[1].ns <= 0)
			return fail(ps, at(&b[1]), "normal sd must be > 0 (use const for a fixed value)");
		d->p[0] = (double)b[0].ns;
		d->p[1] = (double)b[1].ns;
		normal_moments(d->p[0], d->p[1], &d->mean_ns, &d->var_ns2);
		sim_format_duration(b[0].ns, s1, sizeof(s1));
		sim_format_duration(b[1].ns, s2, sizeof(s2));
		d->text = format_text("normal(%s, %s)", s1, s2);
		break;
	case SIM_DIST_LOGNORMAL: {
		bool by_mean = b[0].present || b[1].present;
		bool by_median = b[2].present || b[3].present;
		if (by_mean && by_median) {
			const struct bound *later = NULL;
			for (int k = 0; k < 4; k++)
				if (b[k].present && (!later || b[k].arg->start > later->arg->start))
					later = &b[k];
			return fail(ps, later->arg->start,
				    "lognormal takes mean= and cv=, or median= and p99=");
		}
		if (!by_mean && !by_median)
			return fail(ps, ps->close_paren,
				    "missing arguments for lognormal; usage: %s", f->usage);
		if (by_mean) {
			if (require(ps, f, b, 0) < 0 || require(ps, f, b, 1) < 0 ||
			    positive_duration(ps, f, &b[0], "mean") < 0)
				return -1;
			if (!(b[1].real > 0))
				return fail(ps, at(&b[1]), "lognormal cv must be > 0");
			double s2v = log1p(b[1].real * b[1].real);
			double mean = (double)b[0].ns;
			d->p[0] = log(mean) - s2v / 2;
			d->p[1] = sqrt(s2v);
			d->mean_ns = mean;
			d->var_ns2 = (b[1].real * mean) * (b[1].real * mean);
			sim_format_duration(b[0].ns, s1, sizeof(s1));
			format_real(b[1].real, r1, sizeof(r1));
			d->text = format_text("lognormal(mean=%s, cv=%s)", s1, r1);
		} else {
			if (require(ps, f, b, 2) < 0 || require(ps, f, b, 3) < 0 ||
			    positive_duration(ps, f, &b[2], "median") < 0)
				return -1;
			if (b[3].ns <= b[2].ns)
				return fail(ps, at(&b[3]), "lognormal needs p99 > median");
			double z99 = gsl_cdf_ugaussian_Pinv(0.99);
			d->p[0] = log((double)b[2].ns);
			d->p[1] = log((double)b[3].ns / (double)b[2].ns) / z99;
			double s2v = d->p[1] * d->p[1];
			d->mean_ns = exp(d->p[0] + s2v / 2);
			d->var_ns2 = expm1(s2v) * exp(2 * d->p[0] + s2v);
			sim_format_duration(b[2].ns, s1, sizeof(s1));
			sim_format_duration(b[3].ns, s2, sizeof(s2));
			d->text = format_text("lognormal(median=%s, p99=%s)", s1, s2);
		}
		break;
	}
	case SIM_DIST_GAMMA:
	case SIM_DIST_HYPEREXP: {
		if (require(ps, f, b, 0) < 0 || require(ps, f, b, 1) < 0 ||
		    positive_duration(ps, f, &b[0], "mean") < 0)
			return -1;
		double mean = (double)b[0].ns, cv = b[1].real;
		if (!(cv > 0))
			return fail(ps, at(&b[1]), "%s cv must be > 0", f->name);
		if (f->kind == SIM_DIST_HYPEREXP) {
			if (!(cv > 1))
				return fail(ps, at(&b[1]), "hyperexp needs cv > 1; use exp for cv = 1 "
							   "or gamma for cv < 1");
			/* Balanced means: each phase carries half the mean.  The
			 * rare phase's probability q = 1 - p is computed without
			 * the cancellation of 1 - p, which is 0 in doubles once
			 * cv passes about 1e8 (a phase mean of mean / 0). */
			double c2 = cv * cv;
			double root = sqrt((c2 - 1) / (c2 + 1));
			double p = (1 + root) / 2;
			double q = 1 / ((c2 + 1) * (1 + root));
			d->p[0] = p;
			d->p[1] = mean / (2 * p);
			d->p[2] = mean / (2 * q);
			d->mean_ns = p * d->p[1] + q * d->p[2];
			d->var_ns2 = 2 * p * d->p[1] * d->p[1] + 2 * q * d->p[2] * d->p[2] -
				     d->mean_ns * d->mean_ns;
			if (!isfinite(d->var_ns2))
				return fail(ps, at(&b[1]),
					    "hyperexp cv is too large (the variance overflows)");
		} else {
			d->p[0] = 1 / (cv * cv);
			d->p[1] = mean * cv * cv;
			d->mean_ns = mean;
			d->var_ns2 = (cv * mean) * (cv * mean);
		}
		sim_format_duration(b[0].ns, s1, sizeof(s1));
		format_real(cv, r1, sizeof(r1));
		d->text = format_text("%s(mean=%s, cv=%s)", f->name, s1, r1);
		break;
	}
	case SIM_DIST_ERLANG: {
		if (require(ps, f, b, 0) < 0 || require(ps, f, b, 1) < 0 ||
		    positive_duration(ps, f, &b[1], "mean") < 0)
			return -1;
		double k = (double)b[0].count, mean = (double)b[1].ns;
		d->p[0] = k;
		d->p[1] = mean / k;
		d->mean_ns = mean;
		d->var_ns2 = mean * mean / k;
		sim_format_duration(b[1].ns, s1, sizeof(s1));
		d->text = format_text("erlang(k=%lld, mean=%s)", (long long)b[0].count, s1);
		break;
	}
	case SIM_DIST_WEIBULL: {
		if (require(ps, f, b, 0) < 0 || require(ps, f, b, 1) < 0)
			return -1;
		double k = b[0].real, mean = (double)b[1].ns;
		if (!(k > 0))
			return fail(ps, at(&b[0]), "weibull shape must be > 0");
		if (positive_duration(ps, f, &b[1], "mean") < 0)
			return -1;
		/* var = mean^2 (Gamma(1+2/k) / Gamma(1+1/k)^2 - 1), in logs so a
		 * small shape does not overflow Gamma before the ratio is taken. */
		double lg1 = gsl_sf_lngamma(1 + 1 / k);
		double var = mean * mean * expm1(gsl_sf_lngamma(1 + 2 / k) - 2 * lg1);
		if (!isfinite(var))
			return fail(ps, at(&b[0]), "weibull shape is too small (the variance overflows)");
		d->p[0] = k;
		d->p[1] = mean / exp(lg1);
		d->mean_ns = mean;
		d->var_ns2 = var;
		format_real(k, r1, sizeof(r1));
		sim_format_duration(b[1].ns, s1, sizeof(s1));
		d->text = format_text("weibull(shape=%s, mean=%s)", r1, s1);
		break;
	}
	case SIM_DIST_PARETO: {
		if (require(ps, f, b, 0) < 0 || require(ps, f, b, 1) < 0)
			return -1;
		double alpha = b[0].real, min = (double)b[1].ns;
		if (!(alpha > 0))
			return fail(ps, at(&b[0]), "pareto alpha must be > 0");
		if (!(alpha > 1))
			return fail(ps, at(&b[0]),
				    "pareto needs alpha > 1 for a finite mean (got alpha=%.40s)",
				    b[0].arg->value);
		if (positive_duration(ps, f, &b[1], "min") < 0)
			return -1;
		d->p[0] = alpha;
		d->p[1] = min;
		d->mean_ns = alpha * min / (alpha - 1);
		d->var_ns2 = alpha > 2 ? alpha * min * min / ((alpha - 1) * (alpha - 1) * (alpha - 2))
				       : INFINITY;
		format_real(alpha, r1, sizeof(r1));
		sim_format_duration(b[1].ns, s1, sizeof(s1));
		d->text = format_text("pareto(alpha=%s, min=%s)", r1, s1);
		break;
	}
	case SIM_DIST_EMPIRICAL:
		if (build_empirical(ps, f, b, d) < 0)
			return -1;
		break;
	}
	if (!d->text)
		return fail(ps, 0, "out of memory");
	return 0;
}

/* ------------------------------------------------------------ public API */

static int parse_call(struct parser *ps, size_t name_start, size_t name_end,
		      struct sim_dist *d)
{
	const char *t = ps->text;
	const struct family *f = find_family(t + name_start, name_end - name_start);
	if (!f)
		return unknown_family(ps, name_start, name_end - name_start);
	if (split_args(ps, f->name) < 0)
		return -1;
	size_t rest = skip_blanks(t, ps->close_paren + 1);
	if (t[rest] == ')')
		return fail(ps, rest, "unbalanced ')'");
	if (t[rest])
		return fail(ps, rest, "unexpected '%.40s' after the distribution", t + rest);
	struct bound b[MAX_PARAMS];
	memset(b, 0, sizeof(b));
	if (bind_args(ps, f, b) < 0)
		return -1;
	return build(ps, f, b, d);
}

int sim_dist_parse(const char *text, const struct sim_dist_parse_opts *opts,
		   struct sim_dist *d, struct sim_parse_error *err)
{
	struct sim_parse_error scratch;
	struct parser ps;
	memset(&ps, 0, sizeof(ps));
	ps.text = text;
	ps.opts = opts;
	ps.err = err ? err : &scratch;
	memset(d, 0, sizeof(*d));

	int rc;
	size_t i = skip_blanks(text, 0);
	if (!text[i]) {
		rc = fail(&ps, i, "expected a distribution such as exp(40us), got nothing");
	} else if (is_ident_start(text[i])) {
		size_t e = i;
		while (is_ident(text[e]))
			e++;
		size_t paren = skip_blanks(text, e);
		ps.open_paren = paren;
		if (text[paren] == '(')
			rc = parse_call(&ps, i, e, d);
		else if (find_family(text + i, e - i))
			rc = fail(&ps, paren, "expected '(' after '%.*s'", (int)(e - i), text + i);
		else
			rc = unknown_family(&ps, i, e - i);
	} else if (strchr(text, ')') && !strchr(text, '(')) {
		rc = fail(&ps, (size_t)(strchr(text, ')') - text), "unbalanced ')'");
	} else {
		int64_t ns;
		rc = sim_parse_duration_ns(text, &ns, ps.err);
		if (rc == 0) {
			char s1[32];
			sim_format_duration(ns, s1, sizeof(s1));
			d->kind = SIM_DIST_CONST;
			d->p[0] = (double)ns;
			d->mean_ns = d->p[0];
			d->text = format_text("const(%s)", s1);
			if (!d->text)
				rc = fail(&ps, 0, "out of memory");
		}
	}
	for (int k = 0; k < ps.nargs; k++)
		free(ps.args[k].value);
	if (rc < 0)
		sim_dist_fini(d);
	return rc;
}

void sim_dist_fini(struct sim_dist *d)
{
	free(d->samples_ns);
	free(d->text);
	memset(d, 0, sizeof(*d));
}

int sim_dist_copy(struct sim_dist *dst, const struct sim_dist *src)
{
	*dst = *src;
	dst->samples_ns = NULL;
	dst->text = NULL;
	if (src->text && !(dst->text = strdup(src->text)))
		goto oom;
	if (src->nsamples) {
		dst->samples_ns = malloc(src->nsamples * sizeof(*dst->samples_ns));
		if (!dst->samples_ns)
			goto oom;
		memcpy(dst->samples_ns, src->samples_ns, src->nsamples * sizeof(*dst->samples_ns));
	}
	return 0;
oom:
	sim_dist_fini(dst);
	return -1;
}

/* Programmatic constructors cannot report failure: on no memory the text is
 * NULL, which only costs the printable spelling. */
void sim_dist_init_exp(struct sim_dist *d, double mean_ns)
{
	char s1[32];
	memset(d, 0, sizeof(*d));
	d->kind = SIM_DIST_EXP;
	d->p[0] = mean_ns;
	d->mean_ns = mean_ns;
	d->var_ns2 = mean_ns * mean_ns;
	sim_format_duration(llround(mean_ns), s1, sizeof(s1));
	d->text = format_text("exp(%s)", s1);
}

void sim_dist_init_const(struct sim_dist *d, double value_ns)
{
	char s1[32];
	memset(d, 0, sizeof(*d));
	d->kind = SIM_DIST_CONST;
	d->p[0] = value_ns;
	d->mean_ns = value_ns;
	sim_format_duration(llround(value_ns), s1, sizeof(s1));
	d->text = format_text("const(%s)", s1);
}

double sim_dist_sample_general(const struct sim_dist *d, gsl_rng *r)
{
	double x;
	switch (d->kind) {
	case SIM_DIST_CONST:
		return d->p[0];
	case SIM_DIST_EXP:
		/* The most drawn family (arrivals, service, the hold bench):
		 * see sim_rand_exp for why not gsl_ran_exponential. */
		return sim_rand_exp(r, d->p[0]);
	case SIM_DIST_UNIFORM:
		return d->p[0] + (d->p[1] - d->p[0]) * gsl_rng_uniform(r);
	case SIM_DIST_NORMAL:
		/* Resampling keeps the shape above 0; mu > 0 bounds the expected
		 * number of tries by 2. */
		do
			x = d->p[0] + gsl_ran_gaussian(r, d->p[1]);
		while (x < 0);
		return x;
	case SIM_DIST_LOGNORMAL:
		/* exp of a normal, as gsl_ran_lognormal, but with GSL's
		 * ziggurat normal: one generator call per draw, where the
		 * polar method behind gsl_ran_lognormal takes 2.5 and a log
		 * and a square root (docs/distributions.md, "Sampling"). */
		return exp(d->p[0] + d->p[1] * gsl_ran_gaussian_ziggurat(r, 1.0));
	case SIM_DIST_GAMMA:
	case SIM_DIST_ERLANG:
		/* Shape 1 (cv = 1) is the exponential: one draw and a log,
		 * where gsl_ran_gamma's Marsaglia-Tsang takes a normal, a
		 * uniform and often a log. */
		if (d->p[0] == 1.0)
			return sim_rand_exp(r, d->p[1]);
		return gsl_ran_gamma(r, d->p[0], d->p[1]);
	case SIM_DIST_WEIBULL:
		return gsl_ran_weibull(r, d->p[1], d->p[0]);
	case SIM_DIST_PARETO:
		return gsl_ran_pareto(r, d->p[0], d->p[1]);
	case SIM_DIST_HYPEREXP:
		return sim_rand_exp(r, gsl_rng_uniform(r) < d->p[0] ? d->p[1] : d->p[2]);
	case SIM_DIST_EMPIRICAL:
		return d->samples_ns[gsl_rng_uniform_int(r, d->nsamples)];
	}
	return 0;
}

double sim_dist_scv(const struct sim_dist *d)
{
	if (d->mean_ns == 0)
		return 0;
	return d->var_ns2 / (d->mean_ns * d->mean_ns);
}
