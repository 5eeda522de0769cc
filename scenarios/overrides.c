/* Grafting --set KEY=VALUE into the scenario tree.
 *
 * Overrides edit the document, not the config, so one validator serves both
 * and a bad override reads exactly like the same mistake in the file, only
 * named by its --set.  Intermediate mappings that the file leaves out are
 * filled from the defaults tree before descending: without that,
 * `--set slo.p99=200ms` on a file without `slo` would be a fresh mapping
 * with one key, which for whole-replacing keys (workload.classes) would
 * silently drop the rest of the defaults.  A list index one past the end,
 * as the last component, appends (failures.2={...} adds a third failure). */
#include "overrides.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ECHO 60

static int echo_len(size_t len)
{
	return len > ECHO ? ECHO : (int)len;
}

/* "0".."N-1" as an index into a list, or -1. */
static long list_index(const char *s, size_t len, size_t n)
{
	if (len == 0 || len > 6 || strspn(s, "0123456789") < len)
		return -1;
	long v = strtol(s, NULL, 10);
	return (size_t)v < n ? v : -1;
}

static struct scn_pair *find_n(struct scn_node *map, const char *name, size_t len)
{
	for (size_t i = 0; i < map->n; i++) {
		struct scn_node *k = map->pairs[i].key;
		if (k->kind == SCN_NODE_SCALAR && k->len == len && !memcmp(k->text, name, len))
			return &map->pairs[i];
	}
	return NULL;
}

static const struct scn_node *find_default(const struct scn_node *d, const char *name, size_t len)
{
	if (!d || d->kind != SCN_NODE_MAP)
		return NULL;
	for (size_t i = 0; i < d->n; i++) {
		const struct scn_node *k = d->pairs[i].key;
		if (k->kind == SCN_NODE_SCALAR && k->len == len && !memcmp(k->text, name, len))
			return d->pairs[i].value;
	}
	return NULL;
}

/* What a missing key on the way becomes: its defaults (a mapping or a list),
 * else an empty mapping. */
static struct scn_node *fresh_container(const struct scn_node *dflt, int origin)
{
	return dflt && (dflt->kind == SCN_NODE_MAP || dflt->kind == SCN_NODE_SEQ)
		       ? scn_node_copy(dflt, origin)
		       : scn_node_new(SCN_NODE_MAP, origin);
}

static struct scn_node *key_node(const char *name, size_t len, int origin)
{
	char *s = strndup(name, len);
	struct scn_node *k = s ? scn_node_scalar(s, origin) : NULL;
	free(s);
	return k;
}

struct set_ctx {
	const char *arg;
	int origin;
	struct sim_diags *diags;
};

static int fail(struct set_ctx *x, const char *fmt, const char *a, size_t alen)
{
	char msg[256];
	snprintf(msg, sizeof msg, fmt, echo_len(alen), a);
	sim_diags_add(x->diags, SIM_DIAG_ERROR, NULL, 0, 0, "--set %s: %s", x->arg, msg);
	return -1;
}

/* Put value at the dotted path (key[0..klen)) below root; takes value. */
static int graft(struct set_ctx *x, struct scn_node *root, const struct scn_node *defaults,
		 const char *key, size_t klen, struct scn_node *value)
{
	struct scn_node *cur = root;
	const struct scn_node *dcur = defaults;
	size_t i = 0;
	for (;;) {
		size_t len = 0;
		while (i + len < klen && key[i + len] != '.')
			len++;
		const char *comp = key + i;
		bool last = i + len >= klen;
		if (len == 0) {
			scn_node_free(value);
			return fail(x, "empty key in the path '%.*s'", key, klen);
		}
		if (cur->kind == SCN_NODE_SEQ) {
			long idx = list_index(comp, len, cur->n + (last ? 1 : 0));
			if (idx < 0) {
				char msg[256];
				int plen = echo_len(i ? i - 1 : 0);
				if (cur->n == 0)
					snprintf(msg, sizeof msg,
						 "'%.*s' is an empty list: add an item with %.*s.0=VALUE, "
						 "or give the whole list",
						 plen, key, plen, key);
				else if (last)
					snprintf(msg, sizeof msg,
						 "'%.*s' is a list of %zu: use an index from 0 to %zu, or %zu "
						 "to add an item",
						 plen, key, cur->n, cur->n - 1, cur->n);
				else
					snprintf(msg, sizeof msg,
						 "'%.*s' is a list of %zu: use an index from 0 to %zu", plen,
						 key, cur->n, cur->n - 1);
				scn_node_free(value);
				sim_diags_add(x->diags, SIM_DIAG_ERROR, NULL, 0, 0, "--set %s: %s", x->arg,
					      msg);
				return -1;
			}
			if (last && (size_t)idx == cur->n)
				return scn_seq_append(cur, value) < 0 ? fail(x, "out of memory%.*s", "", 0)
								      : 0;
			if (last) {
				scn_node_free(cur->items[idx]);
				cur->items[idx] = value;
				return 0;
			}
			cur = cur->items[idx];
			dcur = NULL;
		} else if (cur->kind == SCN_NODE_MAP) {
			struct scn_pair *p = find_n(cur, comp, len);
			const struct scn_node *dflt = find_default(dcur, comp, len);
			if (last) {
				if (p) {
					scn_node_free(p->value);
					p->value = value;
					return 0;
				}
				if (scn_map_append(cur, key_node(comp, len, x->origin), value) < 0)
					return fail(x, "out of memory%.*s", "", 0);
				return 0;
			}
			if (!p) {
				if (scn_map_append(cur, key_node(comp, len, x->origin),
						   fresh_container(dflt, x->origin)) < 0) {
					scn_node_free(value);
					return fail(x, "out of memory%.*s", "", 0);
				}
				p = &cur->pairs[cur->n - 1];
			} else if (p->value->kind == SCN_NODE_NULL) {
				struct scn_node *m = fresh_container(dflt, x->origin);
				if (!m) {
					scn_node_free(value);
					return fail(x, "out of memory%.*s", "", 0);
				}
				scn_node_free(p->value);
				p->value = m;
			}
			cur = p->value;
			dcur = dflt;
		} else {
			scn_node_free(value);
			return fail(x, "'%.*s' is a single value, not a mapping", key, i ? i - 1 : 0);
		}
		i += len + 1;
	}
}

/* Parse VALUE as YAML; NULL after a diagnostic. */
static struct scn_node *parse_value(struct set_ctx *x, const char *value)
{
	struct sim_diags tmp;
	sim_diags_init(&tmp);
	struct scn_node *v = NULL;
	size_t len = strlen(value), bad = scn_first_non_text(value, len);
	if (bad < len) {
		sim_diags_fini(&tmp);
		sim_diags_add(x->diags, SIM_DIAG_ERROR, NULL, 0, 0,
			      "--set %s: the value is not UTF-8 text (byte 0x%02x at byte %zu)",
			      x->arg, (unsigned char)value[bad], bad + 1);
		return NULL;
	}
	int rc = scn_tree_parse(value, len, NULL, x->origin, &tmp, &v);
	if (rc < 0) {
		const struct sim_diag *first = tmp.count ? &tmp.items[0] : NULL;
		if (first && first->col > 0)
			sim_diags_add(x->diags, SIM_DIAG_ERROR, NULL, 0, 0,
				      "--set %s: the value is not valid YAML: %s (column %d of the value)",
				      x->arg, first->message, first->col);
		else
			sim_diags_add(x->diags, SIM_DIAG_ERROR, NULL, 0, 0,
				      "--set %s: the value is not valid YAML%s%s", x->arg,
				      first ? ": " : "", first ? first->message : "");
		sim_diags_fini(&tmp);
		return NULL;
	}
	sim_diags_fini(&tmp);
	if (!v)
		v = scn_node_new(SCN_NODE_NULL, x->origin); /* `--set description=` */
	if (!v)
		sim_diags_add(x->diags, SIM_DIAG_ERROR, NULL, 0, 0, "--set %s: out of memory", x->arg);
	return v;
}

int scn_apply_sets(struct scn_node *root, const char *const *sets, size_t nsets,
		   const struct scn_node *defaults, struct sim_diags *diags)
{
	size_t errors_before = diags->errors;
	for (size_t i = 0; i < nsets; i++) {
		struct set_ctx x = {.arg = sets[i], .origin = (int)i, .diags = diags};
		const char *eq = strchr(sets[i], '=');
		if (!eq || eq == sets[i]) {
			sim_diags_add(diags, SIM_DIAG_ERROR, NULL, 0, 0,
				      "--set %s: expected KEY=VALUE, e.g. --set app.nodes=6", sets[i]);
			continue;
		}
		struct scn_node *v = parse_value(&x, eq + 1);
		if (v)
			graft(&x, root, defaults, sets[i], (size_t)(eq - sets[i]), v);
	}
	return diags->errors == errors_before ? 0 : -1;
}
