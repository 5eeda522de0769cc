/* The resolved scenario: a model_config written back as YAML.
 *
 * `tiersim check` prints it, `tiersim run --out` stores it and hashes it, so
 * it must say everything the run used: every key of the tables, defaults
 * included, in table order.  Its contract is the round trip: loading the
 * output again gives an identical model_config.  That is why numbers are
 * printed with the fewest digits that read back to the same double through
 * our own parsers (never "%g" alone), shares fall back to a plain fraction
 * when no percentage spelling reads back exactly, and distributions are
 * printed as their canonical text (dist.c guarantees that text parses back
 * to identical parameters).  Relative empirical() paths stay relative: the
 * output reads back the same when loaded with the same base directory.
 *
 * The tree is built as our own scn_node tree first (the overrides reuse it
 * as the source of defaults), then copied into a libfyaml document, whose
 * emitter decides quoting. */
#include "scenarios/loader.h"

#include <inttypes.h>
#include <locale.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libfyaml.h>

#include "scenarios/schema.h"
#include "scenarios/tree.h"
#include "sim/units.h"

/* %.*g with '.' as the decimal point whatever the locale. */
static void format_g(double v, int prec, char *buf, size_t len)
{
	snprintf(buf, len, "%.*g", prec, v);
	const char *point = localeconv()->decimal_point;
	if (point && point[0] && strcmp(point, ".") != 0) {
		char *p = strstr(buf, point);
		if (p) {
			*p = '.';
			memmove(p + 1, p + strlen(point), strlen(p + strlen(point)) + 1);
		}
	}
}

int scn_format_rate(double per_s, char *buf, size_t len)
{
	char num[48];
	for (int prec = 15; prec <= 17; prec++) {
		format_g(per_s, prec, num, sizeof num);
		snprintf(buf, len, "%s/s", num);
		double back;
		if (sim_parse_rate_per_s(buf, &back, NULL) == 0 && back == per_s)
			return 0;
	}
	return -1;
}

int scn_format_share(double fraction, char *buf, size_t len)
{
	char num[48];
	double back;
	for (int prec = 15; prec <= 17; prec++) {
		format_g(fraction * 100, prec, num, sizeof num);
		snprintf(buf, len, "%s%%", num);
		if (sim_parse_share(buf, &back, NULL) == 0 && back == fraction)
			return 0;
	}
	/* No percentage reads back exactly: the fraction itself always does. */
	format_g(fraction, 17, buf, len);
	return sim_parse_share(buf, &back, NULL) == 0 && back == fraction ? 0 : -1;
}

int scn_format_real(double v, char *buf, size_t len)
{
	for (int prec = 15; prec <= 17; prec++) {
		format_g(v, prec, buf, len);
		double back;
		if (sim_parse_real(buf, &back, NULL) == 0 && back == v)
			return 0;
	}
	return -1;
}

/* ------------------------------------------------------------ to a tree */

static struct scn_node *scalar_of(const struct scn_key *k, const void *base, bool *skip)
{
	const char *field = (const char *)base + k->off;
	char buf[64];
	*skip = false;
	switch (k->kind) {
	case SCN_DURATION:
		sim_format_duration(*(const int64_t *)field, buf, sizeof buf);
		break;
	case SCN_DURATION_AUTO:
		if (*(const bool *)((const char *)base + k->aux_off))
			return scn_node_scalar("auto", -2);
		sim_format_duration(*(const int64_t *)field, buf, sizeof buf);
		break;
	case SCN_RATE:
		if (scn_format_rate(*(const double *)field, buf, sizeof buf) < 0)
			return NULL;
		break;
	case SCN_SHARE:
		if (scn_format_share(*(const double *)field, buf, sizeof buf) < 0)
			return NULL;
		break;
	case SCN_REAL:
		if (scn_format_real(*(const double *)field, buf, sizeof buf) < 0)
			return NULL;
		break;
	case SCN_INT:
		/* min_replications: only beside `replications: auto`. */
		if (k->aux_off && !*(const bool *)((const char *)base + k->aux_off)) {
			*skip = true;
			return NULL;
		}
		snprintf(buf, sizeof buf, "%d", *(const int *)field);
		break;
	case SCN_INT_AUTO:
		if (*(const bool *)((const char *)base + k->aux_off))
			return scn_node_scalar("auto", -2);
		snprintf(buf, sizeof buf, "%d", *(const int *)field);
		break;
	case SCN_INT64:
		snprintf(buf, sizeof buf, "%" PRId64, *(const int64_t *)field);
		break;
	case SCN_UINT64:
		snprintf(buf, sizeof buf, "%" PRIu64, *(const uint64_t *)field);
		break;
	case SCN_BOOL:
		if ((k->flags & SCN_F_ONLY_FALSE) && *(const bool *)field) {
			*skip = true;
			return NULL;
		}
		return scn_node_scalar(*(const bool *)field ? "true" : "false", -2);
	case SCN_ENUM: {
		int v = *(const int *)field;
		int n = 0;
		while (k->names[n])
			n++;
		return v >= 0 && v < n ? scn_node_scalar(k->names[v], -2) : NULL;
	}
	case SCN_DIST: {
		const struct sim_dist *d = (const struct sim_dist *)field;
		return d->text ? scn_node_scalar(d->text, -2) : NULL;
	}
	case SCN_NAME:
		return scn_node_scalar(field, -2);
	case SCN_DB_NODE:
		snprintf(buf, sizeof buf, "db%d", *(const int *)field + 1);
		break;
	case SCN_TEXT: {
		const char *s = *(char *const *)field;
		if (!s)
			*skip = true;
		return s ? scn_node_scalar(s, -2) : NULL;
	}
	default:
		return NULL;
	}
	return scn_node_scalar(buf, -2);
}

static struct scn_node *map_of(const struct scn_table *t, const void *base,
			       const struct model_config *c);

static struct scn_node *new_flow(enum scn_node_kind kind)
{
	struct scn_node *n = scn_node_new(kind, -2);
	if (n)
		n->flow = true;
	return n;
}

static struct scn_node *classes_of(const struct wl_config *wl)
{
	struct scn_node *m = scn_node_new(SCN_NODE_MAP, -2);
	for (size_t i = 0; m && i < wl->nclasses; i++) {
		const struct wl_class_config *cl = &wl->classes[i];
		struct scn_node *cm = map_of(&scn_class_table, cl, NULL);
		if (cm && !cl->dynamic) { /* a static class has no app cost to show */
			for (size_t j = 0; j < cm->n; j++)
				if (scn_key_is(cm->pairs[j].key, "app")) {
					scn_node_free(cm->pairs[j].key);
					scn_node_free(cm->pairs[j].value);
					memmove(&cm->pairs[j], &cm->pairs[j + 1],
						(cm->n - j - 1) * sizeof cm->pairs[0]);
					cm->n--;
					break;
				}
		}
		if (cm)
			cm->flow = true;
		if (scn_map_append(m, scn_node_scalar(cl->name, -2), cm) < 0) {
			scn_node_free(m);
			return NULL;
		}
	}
	return m;
}

static struct scn_node *schedule_of(const struct wl_config *wl)
{
	struct scn_node *s = new_flow(SCN_NODE_SEQ);
	for (size_t i = 0; s && i < wl->nschedule; i++) {
		struct scn_node *step = map_of(&scn_step_table, &wl->schedule[i], NULL);
		if (step)
			step->flow = true;
		if (scn_seq_append(s, step) < 0) {
			scn_node_free(s);
			return NULL;
		}
	}
	return s;
}

static struct scn_node *slo_of(const struct model_config *c)
{
	struct scn_node *m = new_flow(SCN_NODE_MAP);
	for (int metric = 0; m && metric <= SLO_THROUGHPUT; metric++) {
		const struct slo_check *chk = NULL;
		for (size_t i = 0; i < c->nslo; i++)
			if ((int)c->slo[i].metric == metric)
				chk = &c->slo[i];
		char buf[64] = "none";
		int rc = 0;
		if (chk && metric == SLO_AVAILABILITY)
			rc = scn_format_share(chk->target, buf, sizeof buf);
		else if (chk && metric == SLO_THROUGHPUT)
			rc = scn_format_rate(chk->target, buf, sizeof buf);
		else if (chk)
			sim_format_duration((int64_t)chk->target, buf, sizeof buf);
		if (rc < 0 || scn_map_put_text(m, slo_metric_name(metric), buf) < 0) {
			scn_node_free(m);
			return NULL;
		}
	}
	return m;
}

static struct scn_node *node_name_of(struct failure_node n)
{
	char buf[32];
	if ((unsigned)n.tier >= TIER_COUNT)
		return NULL;
	snprintf(buf, sizeof buf, "%s%d", model_tier_names[n.tier], n.index + 1);
	return scn_node_scalar(buf, -2);
}

/* One entry: the keys of its kind, in table order; `node` for one node,
 * `nodes` for a correlated failure. */
static struct scn_node *failure_of(const struct failure_spec *f)
{
	struct scn_node *m = new_flow(SCN_NODE_MAP);
	for (size_t i = 0; m && i < scn_failure_table.nkeys; i++) {
		const struct scn_key *k = &scn_failure_table.keys[i];
		if (!scn_failure_key_applies(k, f->kind))
			continue;
		struct scn_node *v = NULL;
		bool skip = false;
		if (k->kind == SCN_NODE) {
			skip = f->nnodes != 1;
			v = skip ? NULL : node_name_of(f->nodes[0]);
		} else if (k->kind == SCN_NODES) {
			skip = f->nnodes == 1;
			v = skip ? NULL : new_flow(SCN_NODE_SEQ);
			for (int j = 0; v && j < f->nnodes; j++)
				if (scn_seq_append(v, node_name_of(f->nodes[j])) < 0) {
					scn_node_free(v);
					v = NULL;
				}
		} else {
			v = scalar_of(k, f, &skip);
		}
		if (skip)
			continue;
		if (scn_map_append(m, scn_node_scalar(k->name, -2), v) < 0) {
			scn_node_free(m);
			return NULL;
		}
	}
	return m;
}

static struct scn_node *jobs_of(const struct db_config *db)
{
	struct scn_node *s = new_flow(SCN_NODE_SEQ);
	for (size_t i = 0; s && i < db->njobs; i++) {
		struct scn_node *job = map_of(&scn_job_table, &db->jobs[i], NULL);
		if (job)
			job->flow = true;
		if (scn_seq_append(s, job) < 0) {
			scn_node_free(s);
			return NULL;
		}
	}
	return s;
}

static struct scn_node *scaling_of(const struct model_config *c)
{
	struct scn_node *s = new_flow(SCN_NODE_SEQ);
	for (size_t i = 0; s && i < c->nscaling; i++) {
		struct scn_node *step = map_of(&scn_scaling_table, &c->scaling[i], NULL);
		if (step)
			step->flow = true;
		if (scn_seq_append(s, step) < 0) {
			scn_node_free(s);
			return NULL;
		}
	}
	return s;
}

static struct scn_node *switches_of(const struct autoscale_config *as)
{
	struct scn_node *s = new_flow(SCN_NODE_SEQ);
	for (size_t i = 0; s && i < as->nschedule; i++) {
		struct scn_node *sw = map_of(&scn_switch_table, &as->schedule[i], NULL);
		if (sw)
			sw->flow = true;
		if (scn_seq_append(s, sw) < 0) {
			scn_node_free(s);
			return NULL;
		}
	}
	return s;
}

static struct scn_node *failures_of(const struct model_config *c)
{
	struct scn_node *s = new_flow(SCN_NODE_SEQ);
	for (size_t i = 0; s && i < c->nfailures; i++)
		if (scn_seq_append(s, failure_of(&c->failures[i])) < 0) {
			scn_node_free(s);
			return NULL;
		}
	return s;
}

/* c is the whole config (for the custom kinds); NULL inside a class or step. */
static struct scn_node *map_of(const struct scn_table *t, const void *base,
			       const struct model_config *c)
{
	struct scn_node *m = scn_node_new(SCN_NODE_MAP, -2);
	for (size_t i = 0; m && i < t->nkeys; i++) {
		const struct scn_key *k = &t->keys[i];
		if (k->flags & SCN_F_NO_EMIT)
			continue;
		struct scn_node *v = NULL;
		bool skip = false;
		switch (k->kind) {
		case SCN_MAP:
			v = map_of(k->sub, base, c);
			break;
		case SCN_PAIR: {
			const int *p = (const int *)((const char *)base + k->off);
			char a[16], b[16];
			snprintf(a, sizeof a, "%d", p[0]);
			snprintf(b, sizeof b, "%d", p[1]);
			v = new_flow(SCN_NODE_SEQ);
			if (v && (scn_seq_append(v, scn_node_scalar(a, -2)) < 0 ||
				  scn_seq_append(v, scn_node_scalar(b, -2)) < 0)) {
				scn_node_free(v);
				v = NULL;
			}
			break;
		}
		case SCN_RESERVED:
			v = new_flow(SCN_NODE_SEQ);
			break;
		case SCN_CLASSES:
			v = c ? classes_of(&c->wl) : NULL;
			break;
		case SCN_SCHEDULE:
			v = c ? schedule_of(&c->wl) : NULL;
			break;
		case SCN_SLO:
			v = c ? slo_of(c) : NULL;
			break;
		case SCN_FAILURES:
			v = c ? failures_of(c) : NULL;
			break;
		case SCN_JOBS:
			v = c ? jobs_of(&c->db) : NULL;
			break;
		case SCN_SCALING:
			v = c ? scaling_of(c) : NULL;
			break;
		case SCN_AUTOSCALE:
			skip = !c || !c->autoscale.given;
			if (!skip)
				v = map_of(&scn_autoscale_table, c, c);
			break;
		case SCN_SWITCHES:
			skip = !c || c->autoscale.nschedule == 0;
			if (!skip)
				v = switches_of(&c->autoscale);
			break;
		default:
			v = scalar_of(k, base, &skip);
			break;
		}
		if (skip)
			continue;
		if (scn_map_append(m, scn_node_scalar(k->name, -2), v) < 0) {
			scn_node_free(m);
			return NULL;
		}
	}
	return m;
}

struct scn_node *scn_tree_from_config(const struct model_config *c)
{
	return map_of(&scn_top_table, c, c);
}

/* ------------------------------------------------------------ to YAML */

/* True when `text` could not be written as a plain scalar and read back the
 * same: it reads as null, starts with an indicator or a blank, ends with a
 * blank, holds ": ", " #" or a control character.  Conservative: some of these libfyaml
 * would quote by itself, but not all. */
static bool needs_quotes(const char *text, size_t len)
{
	if (len == 0)
		return false;
	if (scn_text_is_null(text, len)) /* a class named null (--set fuzzing) */
		return true;
	if (strchr(" \t`@!&*|>'\"%#,[]{}?-:", text[0]) || text[len - 1] == ' ' ||
	    text[len - 1] == '\t')
		return true;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		if (c < 0x20 || c == 0x7f)
			return true;
		if (i + 1 < len && ((c == ':' && text[i + 1] == ' ') || (c == ' ' && text[i + 1] == '#')))
			return true;
	}
	return false;
}

/* A scalar node for text.  libfyaml 0.8's emitter writes some texts plain
 * that no parser reads back the same (fuzzing found `description: '`'` and
 * `description: " `a`"`, whose leading blank it dropped); such a text is
 * built from a double-quoted source instead, whose style the emitter
 * keeps.  Every other scalar is emitted as before (numbers, durations,
 * names: the golden files are unchanged). */
static struct fy_node *scalar_to_fy(struct fy_document *fyd, const char *text, size_t len)
{
	if (!needs_quotes(text, len))
		return fy_node_create_scalar_copy(fyd, text, len);
	char *q = malloc(4 * len + 3), *o = q;
	if (!q)
		return NULL;
	*o++ = '"';
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		if (c == '"' || c == '\\')
			o += sprintf(o, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			o += sprintf(o, "\\x%02x", c);
		else
			*o++ = (char)c;
	}
	*o++ = '"';
	/* The node may point into its source, so the document owns it. */
	return fy_node_build_from_malloc_string(fyd, q, (size_t)(o - q));
}

/* Recursion bounded by the emitted tree's depth (five levels). */
static struct fy_node *to_fy(struct fy_document *fyd, const struct scn_node *n)
{
	struct fy_node *f = NULL;
	switch (n->kind) {
	case SCN_NODE_SCALAR:
		return scalar_to_fy(fyd, n->text, n->len);
	case SCN_NODE_NULL:
	case SCN_NODE_ALIAS:
		return fy_node_create_scalar_copy(fyd, "", 0);
	case SCN_NODE_SEQ:
		f = fy_node_create_sequence(fyd);
		for (size_t i = 0; f && i < n->n; i++) {
			struct fy_node *item = to_fy(fyd, n->items[i]);
			if (!item || fy_node_sequence_append(f, item) != 0) {
				fy_node_free(item);
				fy_node_free(f);
				return NULL;
			}
		}
		return f;
	case SCN_NODE_MAP:
		f = fy_node_create_mapping(fyd);
		for (size_t i = 0; f && i < n->n; i++) {
			struct fy_node *k = to_fy(fyd, n->pairs[i].key);
			struct fy_node *v = k ? to_fy(fyd, n->pairs[i].value) : NULL;
			if (!k || !v || fy_node_mapping_append(f, k, v) != 0) {
				fy_node_free(k);
				fy_node_free(v);
				fy_node_free(f);
				return NULL;
			}
		}
		return f;
	}
	return NULL;
}

int scn_emit_resolved(const struct model_config *c, char **yaml_out)
{
	*yaml_out = NULL;
	struct scn_node *tree = scn_tree_from_config(c);
	if (!tree)
		return -1;
	struct fy_parse_cfg cfg = {.flags = FYPCF_QUIET};
	struct fy_document *fyd = fy_document_create(&cfg);
	struct fy_node *root = fyd ? to_fy(fyd, tree) : NULL;
	scn_node_free(tree);
	if (!root || fy_document_set_root(fyd, root) != 0) {
		fy_node_free(root);
		fy_document_destroy(fyd);
		return -1;
	}
	char *s = fy_emit_document_to_string(
		fyd, FYECF_MODE_BLOCK | FYECF_INDENT_2 | FYECF_WIDTH_INF);
	fy_document_destroy(fyd);
	if (!s)
		return -1;
	*yaml_out = s;
	return 0;
}
