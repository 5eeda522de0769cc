/* The scenario document as a small positioned tree (internal to scenarios/).
 *
 * libfyaml parses; this tree keeps what the loader needs and libfyaml's
 * document API does not give at 0.7: the 1-based line and column of every
 * node (mappings and sequences included), whether a scalar was quoted (to
 * translate a column inside the value into a file column), duplicate keys
 * kept rather than refused (so the message can name both lines), and an
 * `origin` telling the file from a --set value, so a diagnostic caused by
 * an override names the override.  Overrides graft nodes into this tree;
 * the resolved scenario is emitted from a tree built the same way.
 *
 * Invariant: depth is bounded (SCN_TREE_MAX_DEPTH), so every recursive walk
 * over a tree is bounded too. */
#ifndef SCENARIOS_TREE_H
#define SCENARIOS_TREE_H

#include <stdbool.h>
#include <stddef.h>

#include "sim/diag.h"

#define SCN_TREE_MAX_DEPTH 48

/* origin of a node that came from the scenario file */
#define SCN_ORIGIN_FILE (-1)

enum scn_node_kind {
	SCN_NODE_NULL,   /* an empty value, ~ or null */
	SCN_NODE_SCALAR,
	SCN_NODE_SEQ,
	SCN_NODE_MAP,
	SCN_NODE_ALIAS,  /* *name: kept only to be refused with a position */
};

enum scn_scalar_style { SCN_STYLE_PLAIN, SCN_STYLE_QUOTED, SCN_STYLE_BLOCK };

struct scn_node;

struct scn_pair {
	struct scn_node *key;
	struct scn_node *value;
};

struct scn_node {
	enum scn_node_kind kind;
	enum scn_scalar_style style; /* scalars */
	bool flow;            /* collections written as [..] or {..} */
	int line, col;        /* 1-based; 0 = unknown (made by --set or by the emitter) */
	size_t pos;           /* byte offset of the node's start in its source */
	int origin;           /* SCN_ORIGIN_FILE, or the index of the --set it came from */
	char *text;           /* scalars and aliases: owned, NUL-terminated */
	size_t len;           /* bytes of text (text may hold a NUL from an escape) */
	struct scn_node **items; /* SEQ */
	struct scn_pair *pairs;  /* MAP, in document order */
	size_t n, cap;        /* items or pairs */
};

/* Parse one YAML document from text[0..len) into *root (NULL when the text
 * holds no document at all).  Parse errors go to diags as FILE:LINE:COL with
 * `file` (may be NULL); every node gets `origin`.  Returns 0, or -1 when the
 * text is not valid YAML (then *root is NULL). */
/* Index of the first byte of text that is not well-formed UTF-8 (or a NUL),
 * or len: libfyaml is given text only (it can loop forever on some
 * malformed bytes after a directive, found by fuzzing). */
size_t scn_first_non_text(const char *text, size_t len);

/* True for the plain scalars YAML reads as null: empty, ~, null, Null, NULL
 * (a text the emitter must quote to keep it a text). */
bool scn_text_is_null(const char *text, size_t len);

int scn_tree_parse(const char *text, size_t len, const char *file, int origin,
		   struct sim_diags *diags, struct scn_node **root);

void scn_node_free(struct scn_node *n);

/* Constructors for the emitter and the overrides; NULL when out of memory. */
struct scn_node *scn_node_new(enum scn_node_kind kind, int origin);
struct scn_node *scn_node_scalar(const char *text, int origin);
/* Append; on failure (no memory) the child is freed and -1 returned. */
int scn_seq_append(struct scn_node *seq, struct scn_node *item);
int scn_map_append(struct scn_node *map, struct scn_node *key, struct scn_node *value);
/* Convenience for the emitter: map[key] = scalar text. */
int scn_map_put_text(struct scn_node *map, const char *key, const char *text);

/* Deep copy with every node's origin set to `origin` and positions cleared. */
struct scn_node *scn_node_copy(const struct scn_node *n, int origin);

/* The first pair of a mapping whose key is the scalar `name`, or NULL. */
struct scn_pair *scn_map_find(const struct scn_node *map, const char *name);
bool scn_key_is(const struct scn_node *key, const char *name);

#endif
