/* The sweep document: built from rows, read back from shards, merged.
 *
 * The document is a jansson tree in the order docs/sweep.md lists the keys.
 * Reals are json_real (NAN and infinities become null) and counts integers,
 * so loading a dumped document gives a tree that dumps to the same bytes:
 * that round trip is what `tiersim merge` relies on (see sweep.h).
 * Shard documents differ from a whole one only in "shard" and in holding a
 * subset of "points"; a merge puts the points back in grid order and sets
 * "shard" to null. */
#include "sweep_doc.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "digest.h"

struct jb {
	bool ok;
};

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

static json_t *num(double x) { return isfinite(x) ? json_real(x) : json_null(); }

/* {"mean": x, "ci95": [lo, hi] | null} */
static json_t *stat(struct jb *b, const struct rpt_stat *st)
{
	json_t *o = json_object();
	set(b, o, "mean", num(st->mean));
	if (isfinite(st->lo) && isfinite(st->hi)) {
		json_t *a = json_array();
		push(b, a, json_real(st->lo));
		push(b, a, json_real(st->hi));
		set(b, o, "ci95", a);
	} else {
		set(b, o, "ci95", json_null());
	}
	return o;
}

void rpt_point_from_summary(const struct rpt_summary *s, size_t index, struct rpt_point *out)
{
	memset(out, 0, sizeof *out);
	out->index = index;
	out->replications = s->replications;
	for (int t = 0; t < TIER_COUNT; t++) {
		out->nodes[t] = s->tiers[t].nodes;
		out->utilization[t] = s->tiers[t].utilization;
	}
	out->throughput_rps = s->all.throughput_rps;
	out->latency_mean_ms = s->all.latency_ms.mean;
	out->latency_p99_ms = s->all.latency_ms.p99;
	out->availability = s->all.availability;
	out->bottleneck = s->bottleneck;
	out->nslo = s->nslo;
	memcpy(out->slo, s->slo, s->nslo * sizeof s->slo[0]);
	out->slo_met = s->slo_met;
	out->dropped_memory_limit = s->dropped_memory_limit;
}

size_t rpt_sweep_points(const struct rpt_sweep_axis *axes, size_t naxes)
{
	size_t n = 1;
	for (size_t a = 0; a < naxes; a++)
		n *= axes[a].nvalues;
	return n;
}

void rpt_sweep_point_values(const struct rpt_sweep_axis *axes, size_t naxes, size_t index,
			    size_t *value_index_out)
{
	for (size_t a = naxes; a-- > 0;) {
		value_index_out[a] = index % axes[a].nvalues;
		index /= axes[a].nvalues;
	}
}

/* The grid's identity: every key and value in order, and the --slo checks. */
static int grid_digest(const struct rpt_sweep_info *info, char out[RPT_SHA256_HEX_LEN + 1])
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		return ENOMEM;
	for (size_t a = 0; a < info->naxes; a++) {
		fprintf(f, "vary\t%s", info->axes[a].key);
		for (size_t v = 0; v < info->axes[a].nvalues; v++)
			fprintf(f, "\t%s", info->axes[a].values[v]);
		fputc('\n', f);
	}
	for (size_t i = 0; i < info->nextra_slo; i++) {
		const struct slo_check *c = &info->extra_slo[i];
		fprintf(f, "slo\t%s\t%s\t%.17g\n", slo_metric_name(c->metric),
			c->op == SLO_AT_MOST ? "<=" : ">=", c->target);
	}
	if (fclose(f) != 0) {
		free(text);
		return ENOMEM;
	}
	rpt_sha256_hex(text, len, out);
	free(text);
	return 0;
}

int rpt_sweep_doc_create(const struct rpt_sweep_info *info, struct rpt_sweep_doc **out)
{
	*out = NULL;
	struct jb b = {.ok = true};
	char scenario_sha[RPT_SHA256_HEX_LEN + 1], grid_sha[RPT_SHA256_HEX_LEN + 1];
	rpt_sha256_hex(info->resolved_scenario, info->resolved_len, scenario_sha);
	if (grid_digest(info, grid_sha))
		return ENOMEM;
	json_t *root = json_object();
	set(&b, root, "scenario", json_string(info->scenario));
	set(&b, root, "tiersim_version", json_string(TIERSIM_VERSION));
	set(&b, root, "scenario_sha256", json_string(scenario_sha));
	set(&b, root, "grid_sha256", json_string(grid_sha));
	set(&b, root, "seed", json_integer((json_int_t)info->seed));
	set(&b, root, "duration_s", num(info->duration_s));
	set(&b, root, "warmup_s", num(info->warmup_s));
	json_t *vary = json_array();
	for (size_t a = 0; a < info->naxes; a++) {
		json_t *axis = json_object(), *values = json_array();
		set(&b, axis, "key", json_string(info->axes[a].key));
		for (size_t v = 0; v < info->axes[a].nvalues; v++)
			push(&b, values, json_string(info->axes[a].values[v]));
		set(&b, axis, "values", values);
		push(&b, vary, axis);
	}
	set(&b, root, "vary", vary);
	set(&b, root, "points_total",
	    json_integer((json_int_t)rpt_sweep_points(info->axes, info->naxes)));
	if (info->shard_count) {
		json_t *shard = json_object();
		set(&b, shard, "index", json_integer((json_int_t)info->shard_index));
		set(&b, shard, "count", json_integer((json_int_t)info->shard_count));
		set(&b, root, "shard", shard);
	} else {
		set(&b, root, "shard", json_null());
	}
	set(&b, root, "points", json_array());
	struct rpt_sweep_doc *doc = malloc(sizeof *doc);
	if (!b.ok || !doc) {
		json_decref(root);
		free(doc);
		return ENOMEM;
	}
	doc->root = root;
	*out = doc;
	return 0;
}

int rpt_sweep_doc_add_point(struct rpt_sweep_doc *doc, const struct rpt_point *p)
{
	struct jb b = {.ok = true};
	json_t *o = json_object();
	set(&b, o, "index", json_integer((json_int_t)p->index));
	/* The varied values of this point, in the order of "vary". */
	json_t *vary = json_object_get(doc->root, "vary"), *values = json_array();
	size_t naxes = json_array_size(vary), rest = p->index;
	size_t *which = calloc(naxes ? naxes : 1, sizeof *which);
	if (!which)
		b.ok = false;
	for (size_t a = naxes; which && a-- > 0;) {
		size_t n = json_array_size(json_object_get(json_array_get(vary, a), "values"));
		which[a] = n ? rest % n : 0;
		rest = n ? rest / n : 0;
	}
	for (size_t a = 0; which && a < naxes; a++) {
		json_t *axis_values = json_object_get(json_array_get(vary, a), "values");
		push(&b, values, json_copy(json_array_get(axis_values, which[a])));
	}
	free(which);
	set(&b, o, "values", values);
	set(&b, o, "replications", json_integer((json_int_t)p->replications));
	json_t *nodes = json_object();
	for (int t = 0; t < TIER_COUNT; t++)
		set(&b, nodes, model_tier_name((enum model_tier)t), json_integer(p->nodes[t]));
	set(&b, o, "nodes", nodes);
	set(&b, o, "throughput_rps", stat(&b, &p->throughput_rps));
	set(&b, o, "latency_mean_ms", stat(&b, &p->latency_mean_ms));
	set(&b, o, "latency_p99_ms", stat(&b, &p->latency_p99_ms));
	set(&b, o, "availability", stat(&b, &p->availability));
	json_t *util = json_object();
	for (int t = 0; t < TIER_COUNT; t++)
		set(&b, util, model_tier_name((enum model_tier)t), stat(&b, &p->utilization[t]));
	set(&b, o, "utilization", util);
	set(&b, o, "bottleneck", json_string(model_tier_name(p->bottleneck)));
	json_t *slo = json_array();
	for (size_t i = 0; i < p->nslo; i++) {
		const struct rpt_slo_result *r = &p->slo[i];
		json_t *c = json_object();
		set(&b, c, "metric", json_string(r->metric));
		set(&b, c, "op", json_string(r->op == SLO_AT_MOST ? "<=" : ">="));
		set(&b, c, "target", num(r->target));
		set(&b, c, "unit", json_string(r->unit));
		set(&b, c, "value", num(r->value));
		set(&b, c, "met", json_boolean(r->met));
		push(&b, slo, c);
	}
	set(&b, o, "slo", slo);
	set(&b, o, "slo_met", json_boolean(p->slo_met));
	if (p->dropped_memory_limit) /* only then: complete sweeps are unchanged */
		set(&b, o, "dropped_memory_limit", json_integer((json_int_t)p->dropped_memory_limit));
	if (!b.ok) {
		json_decref(o);
		return ENOMEM;
	}
	return json_array_append_new(json_object_get(doc->root, "points"), o) ? ENOMEM : 0;
}

int rpt_sweep_doc_set_partial(struct rpt_sweep_doc *doc, const char *reason)
{
	struct jb b = {.ok = true};
	/* "points" goes last again, so the marker reads before the points. */
	json_t *points = json_incref(json_object_get(doc->root, "points"));
	json_object_del(doc->root, "points");
	set(&b, doc->root, "partial", json_true());
	set(&b, doc->root, "partial_reason", json_string(reason));
	set(&b, doc->root, "points", points);
	return b.ok ? 0 : ENOMEM;
}

void rpt_sweep_doc_destroy(struct rpt_sweep_doc *doc)
{
	if (!doc)
		return;
	json_decref(doc->root);
	free(doc);
}

static int failf(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int failf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

int rpt_sweep_doc_load(const char *path, struct rpt_sweep_doc **out, char *err, size_t errlen)
{
	*out = NULL;
	json_error_t je;
	json_t *root = json_load_file(path, 0, &je);
	if (!root && je.line < 1)
		return failf(err, errlen, "%s", je.text); /* "unable to open PATH: why" */
	if (!root)
		return failf(err, errlen, "%s:%d:%d: %s", path, je.line, je.column, je.text);
	static const char *const keys[] = {"scenario", "tiersim_version", "scenario_sha256",
					   "grid_sha256", "vary", "points_total", "shard", "points"};
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		if (!json_is_object(root) || !json_object_get(root, keys[i])) {
			json_decref(root);
			return failf(err, errlen, "%s: not a tiersim sweep.json (no \"%s\")", path,
				     keys[i]);
		}
	}
	if (!json_is_array(json_object_get(root, "points")) ||
	    !json_is_integer(json_object_get(root, "points_total"))) {
		json_decref(root);
		return failf(err, errlen, "%s: not a tiersim sweep.json (bad \"points\")", path);
	}
	struct rpt_sweep_doc *doc = malloc(sizeof *doc);
	if (!doc) {
		json_decref(root);
		return failf(err, errlen, "out of memory");
	}
	doc->root = root;
	*out = doc;
	return 0;
}

static const char *text_of(const json_t *root, const char *key)
{
	const char *s = json_string_value(json_object_get(root, key));
	return s ? s : "";
}

static int by_index(const void *a, const void *b)
{
	json_int_t x = json_integer_value(json_object_get(*(json_t *const *)a, "index"));
	json_int_t y = json_integer_value(json_object_get(*(json_t *const *)b, "index"));
	return (x > y) - (x < y);
}

int rpt_sweep_doc_merge(struct rpt_sweep_doc *const *shards, const char *const *names, size_t n,
			struct rpt_sweep_doc **out, char *err, size_t errlen)
{
	*out = NULL;
	if (n == 0)
		return failf(err, errlen, "no shards to merge");
	const json_t *first = shards[0]->root;
	json_int_t count = json_integer_value(json_object_get(json_object_get(first, "shard"),
							      "count"));
	json_t **seen = calloc((size_t)(count > 0 ? count : 1), sizeof *seen);
	if (!seen)
		return failf(err, errlen, "out of memory");
	int rc = 0;
	size_t npoints = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		const json_t *r = shards[i]->root;
		const json_t *shard = json_object_get(r, "shard");
		if (!json_is_object(shard)) {
			rc = failf(err, errlen, "%s: not a shard (written without --shard): nothing to merge",
				   names[i]);
			break;
		}
		if (json_is_true(json_object_get(r, "partial"))) {
			rc = failf(err, errlen, "%s is partial (%s): it lacks points; run that shard "
						"again", names[i], text_of(r, "partial_reason"));
			break;
		}
		json_int_t index = json_integer_value(json_object_get(shard, "index"));
		json_int_t cnt = json_integer_value(json_object_get(shard, "count"));
		static const char *const same[] = {"scenario_sha256", "grid_sha256", "tiersim_version"};
		static const char *const what[] = {
			"another scenario (or other --set, --replications, --duration values)",
			"another grid (other --vary or --slo values)", "another tiersim version"};
		for (size_t k = 0; k < 3 && !rc; k++)
			if (strcmp(text_of(r, same[k]), text_of(first, same[k])))
				rc = failf(err, errlen, "%s is a shard of %s than %s: refusing to mix sweeps",
					   names[i], what[k], names[0]);
		if (rc)
			break;
		if (cnt != count)
			rc = failf(err, errlen, "%s is shard %lld of %lld, but %s is one of %lld",
				   names[i], (long long)index, (long long)cnt, names[0], (long long)count);
		else if (index < 1 || index > count)
			rc = failf(err, errlen, "%s: shard index %lld outside 1..%lld", names[i],
				   (long long)index, (long long)count);
		else if (seen[index - 1])
			rc = failf(err, errlen, "shard %lld/%lld given twice (%s)", (long long)index,
				   (long long)count, names[i]);
		else
			seen[index - 1] = (json_t *)r;
		npoints += json_array_size(json_object_get(r, "points"));
	}
	for (json_int_t s = 0; s < count && !rc; s++)
		if (!seen[s])
			rc = failf(err, errlen, "shard %lld/%lld is missing", (long long)(s + 1),
				   (long long)count);
	free(seen);
	if (rc)
		return rc;

	json_t **points = malloc((npoints ? npoints : 1) * sizeof *points);
	if (!points)
		return failf(err, errlen, "out of memory");
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		json_t *arr = json_object_get(shards[i]->root, "points");
		for (size_t j = 0; j < json_array_size(arr); j++)
			points[k++] = json_array_get(arr, j);
	}
	qsort(points, npoints, sizeof *points, by_index);
	json_int_t total = json_integer_value(json_object_get(first, "points_total"));
	for (size_t j = 0; j < npoints && !rc; j++)
		if (json_integer_value(json_object_get(points[j], "index")) != (json_int_t)j)
			rc = failf(err, errlen, "the shards do not hold point %zu exactly once", j);
	if (!rc && (json_int_t)npoints != total)
		rc = failf(err, errlen, "the shards hold %zu points of %lld", npoints,
			   (long long)total);
	json_t *root = rc ? NULL : json_deep_copy(first);
	json_t *merged = rc ? NULL : json_array();
	struct jb b = {.ok = !rc};
	for (size_t j = 0; b.ok && j < npoints; j++)
		push(&b, merged, json_deep_copy(points[j]));
	free(points);
	if (rc)
		return rc;
	set(&b, root, "shard", json_null());
	set(&b, root, "points", merged);
	struct rpt_sweep_doc *doc = malloc(sizeof *doc);
	if (!b.ok || !doc) {
		json_decref(root);
		free(doc);
		return failf(err, errlen, "out of memory");
	}
	doc->root = root;
	*out = doc;
	return 0;
}

int rpt_sweep_json_writer(const void *vdoc, FILE *out)
{
	const struct rpt_sweep_doc *doc = vdoc;
	if (json_dumpf(doc->root, out, RPT_SWEEP_JSON_FLAGS) != 0 || fputc('\n', out) == EOF)
		return EIO;
	return ferror(out) ? EIO : 0;
}
