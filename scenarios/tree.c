/* Building the positioned scenario tree from libfyaml's event stream.
 *
 * Events rather than libfyaml's document API, because events carry a start
 * mark for every node (the document API of 0.7 exposes none for mappings)
 * and because duplicate keys are then ours to report.  The stack of open
 * collections is an explicit array, so no input can recurse us deep; depth
 * is capped at SCN_TREE_MAX_DEPTH below libfyaml's own limit.
 *
 * One YAML rule bites the scenario language: inside a flow mapping a plain
 * scalar ends at ", ", so `{app: gamma(mean=25ms, cv=1)}` reads as
 * {app: "gamma(mean=25ms", "cv=1)": null}.  The example writes
 * distributions exactly like that, so after a flow mapping closes, a plain
 * value with an unclosed '(' is re-read from the source up to its matching
 * ')' and the key-only pairs that YAML split off it are dropped.  This is
 * done only when every dropped pair lies wholly inside the parentheses, so
 * nothing a user wrote is ever silently lost. */
#include "tree.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libfyaml.h>

struct scn_node *scn_node_new(enum scn_node_kind kind, int origin)
{
	struct scn_node *n = calloc(1, sizeof *n);
	if (n) {
		n->kind = kind;
		n->origin = origin;
	}
	return n;
}

static struct scn_node *scalar_from(const char *text, size_t len, int origin)
{
	struct scn_node *n = scn_node_new(SCN_NODE_SCALAR, origin);
	if (!n)
		return NULL;
	n->text = malloc(len + 1);
	if (!n->text) {
		free(n);
		return NULL;
	}
	memcpy(n->text, text, len);
	n->text[len] = '\0';
	n->len = len;
	return n;
}

struct scn_node *scn_node_scalar(const char *text, int origin)
{
	return scalar_from(text, strlen(text), origin);
}

void scn_node_free(struct scn_node *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->n; i++) {
		if (n->kind == SCN_NODE_SEQ) {
			scn_node_free(n->items[i]);
		} else {
			scn_node_free(n->pairs[i].key);
			scn_node_free(n->pairs[i].value);
		}
	}
	free(n->items);
	free(n->pairs);
	free(n->text);
	free(n);
}

static int grow(struct scn_node *n)
{
	if (n->n < n->cap)
		return 0;
	size_t cap = n->cap ? n->cap * 2 : 4;
	if (n->kind == SCN_NODE_SEQ) {
		struct scn_node **items = realloc(n->items, cap * sizeof *items);
		if (!items)
			return -1;
		n->items = items;
	} else {
		struct scn_pair *pairs = realloc(n->pairs, cap * sizeof *pairs);
		if (!pairs)
			return -1;
		n->pairs = pairs;
	}
	n->cap = cap;
	return 0;
}

int scn_seq_append(struct scn_node *seq, struct scn_node *item)
{
	if (!item || grow(seq) < 0) {
		scn_node_free(item);
		return -1;
	}
	seq->items[seq->n++] = item;
	return 0;
}

int scn_map_append(struct scn_node *map, struct scn_node *key, struct scn_node *value)
{
	if (!key || !value || grow(map) < 0) {
		scn_node_free(key);
		scn_node_free(value);
		return -1;
	}
	map->pairs[map->n].key = key;
	map->pairs[map->n].value = value;
	map->n++;
	return 0;
}

int scn_map_put_text(struct scn_node *map, const char *key, const char *text)
{
	return scn_map_append(map, scn_node_scalar(key, map->origin),
			      scn_node_scalar(text, map->origin));
}

bool scn_key_is(const struct scn_node *key, const char *name)
{
	return key && key->kind == SCN_NODE_SCALAR && key->len == strlen(name) &&
	       memcmp(key->text, name, key->len) == 0;
}

struct scn_pair *scn_map_find(const struct scn_node *map, const char *name)
{
	if (!map || map->kind != SCN_NODE_MAP)
		return NULL;
	for (size_t i = 0; i < map->n; i++)
		if (scn_key_is(map->pairs[i].key, name))
			return &map->pairs[i];
	return NULL;
}

/* Recursion is bounded by the depth of the copied tree (SCN_TREE_MAX_DEPTH). */
struct scn_node *scn_node_copy(const struct scn_node *n, int origin)
{
	struct scn_node *c = n->kind == SCN_NODE_SCALAR || n->kind == SCN_NODE_ALIAS
				     ? scalar_from(n->text, n->len, origin)
				     : scn_node_new(n->kind, origin);
	if (!c)
		return NULL;
	c->kind = n->kind;
	c->style = n->style;
	c->flow = n->flow;
	for (size_t i = 0; i < n->n; i++) {
		int rc = n->kind == SCN_NODE_SEQ
				 ? scn_seq_append(c, scn_node_copy(n->items[i], origin))
				 : scn_map_append(c, scn_node_copy(n->pairs[i].key, origin),
						  scn_node_copy(n->pairs[i].value, origin));
		if (rc < 0) {
			scn_node_free(c);
			return NULL;
		}
	}
	return c;
}

/* ------------------------------------------------------------ building */

struct frame {
	struct scn_node *node;
	struct scn_node *pending_key; /* MAP: a key waiting for its value */
};

struct builder {
	const char *text;
	size_t len;
	const char *file;
	int origin;
	struct sim_diags *diags;
	struct frame stack[SCN_TREE_MAX_DEPTH];
	int depth;
	struct scn_node *root;
	bool failed;
	int valid_line, valid_col; /* end of the last event parsed (1-based) */
};

static void set_mark(struct scn_node *n, const struct fy_mark *m)
{
	if (!m)
		return;
	n->line = m->line + 1;
	n->col = m->column + 1;
	n->pos = m->input_pos;
}

bool scn_text_is_null(const char *t, size_t len)
{
	return len == 0 || (len == 1 && t[0] == '~') ||
	       (len == 4 && (!memcmp(t, "null", 4) || !memcmp(t, "Null", 4) ||
			     !memcmp(t, "NULL", 4)));
}

static struct scn_node *node_from_event(struct builder *b, struct fy_event *e)
{
	struct scn_node *n = NULL;
	size_t len = 0;
	const char *t;
	switch (e->type) {
	case FYET_SCALAR: {
		t = fy_token_get_text(e->scalar.value, &len);
		if (!t) {
			t = "";
			len = 0;
		}
		enum fy_scalar_style st = fy_token_scalar_style(e->scalar.value);
		if (st == FYSS_PLAIN && scn_text_is_null(t, len)) {
			n = scn_node_new(SCN_NODE_NULL, b->origin);
			break;
		}
		n = scalar_from(t, len, b->origin);
		if (n)
			n->style = st == FYSS_PLAIN ? SCN_STYLE_PLAIN
				   : st == FYSS_SINGLE_QUOTED || st == FYSS_DOUBLE_QUOTED
				   ? SCN_STYLE_QUOTED
				   : SCN_STYLE_BLOCK;
		break;
	}
	case FYET_ALIAS:
		t = e->alias.anchor ? fy_token_get_text(e->alias.anchor, &len) : NULL;
		n = scalar_from(t ? t : "", t ? len : 0, b->origin);
		if (n)
			n->kind = SCN_NODE_ALIAS;
		break;
	case FYET_SEQUENCE_START:
		n = scn_node_new(SCN_NODE_SEQ, b->origin);
		break;
	case FYET_MAPPING_START:
		n = scn_node_new(SCN_NODE_MAP, b->origin);
		break;
	default:
		return NULL;
	}
	if (n) {
		set_mark(n, fy_event_start_mark(e));
		n->flow = fy_event_get_node_style(e) == FYNS_FLOW;
	}
	return n;
}

static void oom(struct builder *b)
{
	if (!b->failed)
		sim_diags_add(b->diags, SIM_DIAG_ERROR, b->file, 0, 0, "out of memory");
	b->failed = true;
}

/* Hang a finished node on the open collection (or make it the root). */
static void attach(struct builder *b, struct scn_node *n)
{
	if (b->depth == 0) {
		if (n->line == 0) { /* an empty (or tagged empty) document */
			n->line = 1;
			n->col = 1;
		}
		b->root = n;
		return;
	}
	struct frame *f = &b->stack[b->depth - 1];
	if (f->node->kind == SCN_NODE_SEQ) {
		if (n->line == 0) { /* an empty item has no mark: point at the item
				     * before it, else at its list */
			const struct scn_node *at =
				f->node->n ? f->node->items[f->node->n - 1] : f->node;
			n->line = at->line;
			n->col = at->col;
			n->pos = at->pos;
		}
		if (scn_seq_append(f->node, n) < 0)
			oom(b);
		return;
	}
	if (!f->pending_key) {
		f->pending_key = n;
		return;
	}
	struct scn_node *key = f->pending_key;
	f->pending_key = NULL;
	if (key->line == 0) { /* an empty key has no mark: point at its value, */
		const struct scn_node *at = n->line ? n : f->node; /* else its mapping */
		key->line = at->line;
		key->col = at->col;
		key->pos = at->pos;
	}
	if (n->line == 0) { /* an empty value has no mark: point at its key */
		n->line = key->line;
		n->col = key->col;
		n->pos = key->pos;
	}
	if (scn_map_append(f->node, key, n) < 0)
		oom(b);
}

/* Paren depth change of a plain scalar: > 0 when a '(' is left open. */
static int open_parens(const char *t, size_t len)
{
	int depth = 0;
	for (size_t i = 0; i < len; i++)
		depth += t[i] == '(' ? 1 : t[i] == ')' ? -1 : 0;
	return depth;
}

/* A distribution call longer than this is not one: the rejoin scan stops,
 * which keeps the pass linear in the size of the mapping. */
#define MAX_CALL_BYTES 512

/* See the file comment: re-join `app: gamma(mean=25ms, cv=1)` in flow maps.
 * One pass, compacting pairs in place (read index r, write index w). */
static void rejoin_split_calls(struct builder *b, struct scn_node *map, size_t map_end)
{
	size_t w = 0;
	for (size_t r = 0; r < map->n;) {
		struct scn_pair pair = map->pairs[r];
		struct scn_node *v = pair.value;
		size_t next = r + 1;
		if (v->kind == SCN_NODE_SCALAR && v->style == SCN_STYLE_PLAIN && v->line != 0 &&
		    v->pos < b->len && open_parens(v->text, v->len) > 0) {
			size_t limit = map_end < b->len ? map_end : b->len;
			if (limit > v->pos + MAX_CALL_BYTES)
				limit = v->pos + MAX_CALL_BYTES;
			size_t end = v->pos;
			int depth = 0;
			for (; end < limit; end++) {
				if (b->text[end] == '(')
					depth++;
				else if (b->text[end] == ')' && --depth == 0)
					break;
			}
			size_t j = r + 1;
			bool ok = end < limit;
			end++; /* past the ')' */
			for (; ok && j < map->n && map->pairs[j].key->pos < end; j++) {
				struct scn_node *k = map->pairs[j].key, *kv = map->pairs[j].value;
				if (k->kind != SCN_NODE_SCALAR || k->style != SCN_STYLE_PLAIN ||
				    k->pos + k->len > end || kv->kind != SCN_NODE_NULL || kv->pos != k->pos)
					ok = false;
			}
			char *joined = ok && j > r + 1 ? malloc(end - v->pos + 1) : NULL;
			if (ok && j > r + 1 && !joined)
				oom(b);
			if (joined) {
				memcpy(joined, b->text + v->pos, end - v->pos);
				joined[end - v->pos] = '\0';
				free(v->text);
				v->text = joined;
				v->len = end - v->pos;
				for (size_t k = r + 1; k < j; k++) {
					scn_node_free(map->pairs[k].key);
					scn_node_free(map->pairs[k].value);
				}
				next = j;
			}
		}
		map->pairs[w++] = pair;
		r = next;
	}
	map->n = w;
}

static void add_error(struct builder *b, const struct fy_mark *m, const char *msg)
{
	sim_diags_add(b->diags, SIM_DIAG_ERROR, b->file, m ? m->line + 1 : 0, m ? m->column + 1 : 0,
		      "%s", msg);
	b->failed = true;
}

/* One event; false to stop. */
static bool on_event(struct builder *b, struct fy_event *e, int *docs)
{
	switch (e->type) {
	case FYET_DOCUMENT_START:
		if (++*docs > 1) {
			add_error(b, fy_event_start_mark(e),
				  "a scenario is a single YAML document; a second one starts here");
			return false;
		}
		return true;
	case FYET_SCALAR:
	case FYET_ALIAS:
	case FYET_SEQUENCE_START:
	case FYET_MAPPING_START: {
		struct scn_node *n = node_from_event(b, e);
		if (!n) {
			oom(b);
			return false;
		}
		if ((n->kind == SCN_NODE_SEQ || n->kind == SCN_NODE_MAP) &&
		    b->depth >= SCN_TREE_MAX_DEPTH) {
			add_error(b, fy_event_start_mark(e),
				  "nesting too deep (a scenario needs at most a few levels)");
			scn_node_free(n);
			return false;
		}
		attach(b, n);
		if (n->kind == SCN_NODE_SEQ || n->kind == SCN_NODE_MAP)
			b->stack[b->depth++] = (struct frame){.node = n};
		return !b->failed;
	}
	case FYET_SEQUENCE_END:
	case FYET_MAPPING_END: {
		if (b->depth == 0)
			return true;
		struct frame *f = &b->stack[--b->depth];
		if (f->pending_key) { /* cannot happen in a well-formed stream */
			scn_node_free(f->pending_key);
			f->pending_key = NULL;
		}
		if (f->node->kind == SCN_NODE_MAP && f->node->flow) {
			const struct fy_mark *m = fy_event_start_mark(e);
			rejoin_split_calls(b, f->node, m ? m->input_pos : b->len);
		}
		return !b->failed;
	}
	default:
		return true;
	}
}

static void discard_output(struct fy_diag *diag, void *user, const char *buf, size_t len)
{
	(void)diag;
	(void)user;
	(void)buf;
	(void)len;
}

size_t scn_first_non_text(const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0;
	while (i < len) {
		unsigned char c = s[i];
		size_t need;
		if (c == 0)
			return i;
		if (c < 0x80) {
			i++;
			continue;
		} else if (c >= 0xc2 && c <= 0xdf) {
			need = 1;
		} else if (c >= 0xe0 && c <= 0xef) {
			need = 2;
		} else if (c >= 0xf0 && c <= 0xf4) {
			need = 3;
		} else {
			return i;
		}
		for (size_t k = 1; k <= need; k++)
			if (i + k >= len || (s[i + k] & 0xc0) != 0x80)
				return i;
		/* RFC 3629's table: no overlong forms (E0 80..9F, F0 80..8F),
		 * no surrogates (ED A0..BF), nothing past U+10FFFF (F4 90..).
		 * libfyaml loops on some of these (fuzzing found E0 95). */
		unsigned char c1 = s[i + 1];
		if ((c == 0xe0 && c1 < 0xa0) || (c == 0xed && c1 > 0x9f) || (c == 0xf0 && c1 < 0x90) ||
		    (c == 0xf4 && c1 > 0x8f))
			return i;
		i += need + 1;
	}
	return len;
}

int scn_tree_parse(const char *text, size_t len, const char *file, int origin,
		   struct sim_diags *diags, struct scn_node **root)
{
	*root = NULL;
	struct builder *b = calloc(1, sizeof *b);
	struct fy_diag_cfg dcfg;
	fy_diag_cfg_default(&dcfg);
	dcfg.fp = NULL;
	dcfg.output_fn = discard_output; /* library code never prints */
	struct fy_diag *diag = b ? fy_diag_create(&dcfg) : NULL;
	if (!diag) {
		free(b);
		sim_diags_add(diags, SIM_DIAG_ERROR, file, 0, 0, "out of memory");
		return -1;
	}
	fy_diag_set_collect_errors(diag, true);
	b->text = text;
	b->len = len;
	b->file = file;
	b->origin = origin;
	b->diags = diags;

	/* Duplicate keys are allowed here so that we can name both places. */
	struct fy_parse_cfg cfg = {
		.flags = FYPCF_QUIET | FYPCF_ALLOW_DUPLICATE_KEYS | FYPCF_JSON_NONE |
			 FYPCF_DISABLE_MMAP_OPT,
		.diag = diag,
	};
	struct fy_parser *fyp = fy_parser_create(&cfg);
	if (!fyp || fy_parser_set_string(fyp, text, len) != 0) {
		oom(b);
	} else {
		int docs = 0;
		struct fy_event *e;
		while ((e = fy_parser_parse(fyp))) {
			bool go = on_event(b, e, &docs);
			const struct fy_mark *end = fy_event_end_mark(e);
			if (end) { /* where the YAML was still valid */
				b->valid_line = end->line + 1;
				b->valid_col = end->column + 1;
			}
			fy_parser_event_free(fyp, e);
			if (!go)
				break;
		}
		if (fy_parser_get_stream_error(fyp))
			b->failed = true;
	}
	/* libfyaml's own messages, already 1-based. */
	void *it = NULL;
	struct fy_diag_error *err;
	bool any = false;
	while ((err = fy_diag_errors_iterate(diag, &it))) {
		if (err->type < FYET_ERROR)
			continue;
		sim_diags_add(diags, SIM_DIAG_ERROR, file, err->line, err->column, "%s",
			      err->msg ? err->msg : "invalid YAML");
		any = true;
	}
	if (b->failed && !any && !diags->errors) /* libfyaml said nothing: say where */
		sim_diags_add(diags, SIM_DIAG_ERROR, file, b->valid_line ? b->valid_line : 1,
			      b->valid_col ? b->valid_col : 1, "not valid YAML after this point");
	if (fyp)
		fy_parser_destroy(fyp);
	fy_diag_destroy(diag);

	/* An aborted parse leaves collections open: the root owns them all,
	 * except keys that were waiting for a value. */
	for (int k = 0; k < b->depth; k++)
		scn_node_free(b->stack[k].pending_key);
	int rc = 0;
	if (b->failed || any) {
		scn_node_free(b->root);
		rc = -1;
	} else {
		*root = b->root;
	}
	free(b);
	return rc;
}
