/* The scenario language's key tables (internal to scenarios/).
 *
 * One const table per YAML mapping: each row names a key, its kind, where
 * its value lives (an offset from the table's base struct), its bounds and a
 * one-line meaning.  The loader (validate.c) reads a document through these
 * tables, the emitter (emit.c) writes a model_config back through the same
 * tables, so a key cannot be accepted and then forgotten in the resolved
 * scenario, or the other way round (the round-trip test pins it).  Kinds
 * that are not one value (classes, schedule, slo, failures and their node
 * names) have their own code, named by their kind. */
#ifndef SCENARIOS_SCHEMA_H
#define SCENARIOS_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

#include "models/config.h"
#include "scenarios/tree.h"

enum scn_kind {
	SCN_DURATION,      /* int64_t ns */
	SCN_DURATION_AUTO, /* int64_t ns, or `auto`: sets the bool at aux_off */
	SCN_RATE,          /* double, per second */
	SCN_REAL,          /* double, a plain number (no unit), more than `min` */
	SCN_SHARE,         /* double, fraction 0..1 */
	SCN_INT,           /* int, a count */
	SCN_INT64,         /* int64_t, a count */
	SCN_INT_AUTO,      /* int, or `auto`: sets the bool at aux_off */
	SCN_UINT64,        /* uint64_t (the seed) */
	SCN_BOOL,
	SCN_ENUM,          /* an enum stored as int; `names` in value order */
	SCN_DIST,          /* struct sim_dist */
	SCN_NAME,          /* char[MODEL_NAME_MAX] */
	SCN_TEXT,          /* char *, owned, NULL when absent */
	SCN_MAP,           /* a nested mapping: `sub`, with the same base */
	SCN_PAIR,          /* int[2], written as a two-item list */
	SCN_RESERVED,      /* a list that must stay empty in this version */
	SCN_CLASSES,       /* workload.classes */
	SCN_SCHEDULE,      /* workload.schedule */
	SCN_SLO,           /* slo */
	SCN_FAILURES,      /* failures */
	SCN_NODE,          /* failures[N].node: one node name (web2), in the spec's nodes[0] */
	SCN_NODES,         /* failures[N].nodes: a list of node names */
	SCN_JOBS,          /* db.jobs */
	SCN_DB_NODE,       /* db.jobs[N].node: a db node name (db2), as its 0-based index (int) */
	SCN_SCALING,       /* scaling: a list of scheduled node counts */
	SCN_AUTOSCALE,     /* autoscale: a mapping (scn_autoscale_table); sets autoscale.given */
	SCN_SWITCHES,      /* autoscale.schedule: a list of {at, enabled}; emitted when not empty */
};

enum scn_key_flags {
	SCN_F_POSITIVE = 1 << 0, /* numbers: more than 0 (durations, rates, shares) */
	SCN_F_REQUIRED = 1 << 1, /* must be given (class share, schedule at/rate) */
	SCN_F_NO_EMIT = 1 << 2,  /* accepted but not written to the resolved scenario */
	/* Failure entries: which kinds a key belongs to.  A key given for
	 * another kind is an error; the emitter writes it only for its kinds. */
	SCN_F_SCHEDULED = 1 << 3, /* crash, process, slow, partition: not random */
	SCN_F_SLOW = 1 << 4,      /* slow only */
	SCN_F_RANDOM = 1 << 5,    /* random only */
	SCN_F_NEEDED = 1 << 6,    /* required for the kinds it belongs to */
	SCN_F_ONLY_FALSE = 1 << 7, /* a bool (default true) emitted only when false */
};

struct scn_table;

struct scn_key {
	const char *name;
	enum scn_kind kind;
	size_t off;      /* of the value, from the table's base */
	size_t aux_off;  /* *_AUTO: of the bool that `auto` sets */
	double min, max; /* counts: inclusive bounds (max 0 = none) */
	const char *const *names;     /* ENUM: NULL-terminated, in enum order */
	const struct scn_table *sub;  /* MAP */
	unsigned flags;  /* enum scn_key_flags */
	const char *doc; /* RESERVED: what is not available yet */
};

struct scn_table {
	const char *path; /* dotted path of the mapping, "" at the top */
	const struct scn_key *keys;
	size_t nkeys;
};

extern const struct scn_table scn_top_table;    /* base: struct model_config */
extern const struct scn_table scn_class_table;  /* base: struct wl_class_config */
extern const struct scn_table scn_step_table;   /* base: struct wl_step */
extern const struct scn_table scn_slo_table;    /* keys only: see validate.c */
extern const struct scn_table scn_failure_table; /* base: struct failure_spec */
extern const struct scn_table scn_job_table;    /* base: struct db_job_config */
extern const struct scn_table scn_scaling_table; /* base: struct scaling_step */
extern const struct scn_table scn_autoscale_table; /* base: struct model_config */
extern const struct scn_table scn_switch_table; /* base: struct autoscale_switch */

/* "lb", "web", "app", "db" in enum model_tier order, NULL-terminated: the
 * `tier` of a random failure and the prefix of every node name (web2). */

/* Whether a failure-table row belongs to a failure of kind k. */
bool scn_failure_key_applies(const struct scn_key *k, enum failure_kind kind);

const struct scn_key *scn_table_find(const struct scn_table *t, const char *name, size_t len);

/* The valid key closest to `name` by edit distance, or NULL if none is close
 * enough to be a likely typo. */
const char *scn_suggest(const char *name, size_t len, const char *const *candidates,
			size_t ncandidates);
const char *scn_suggest_key(const struct scn_table *t, const char *name, size_t len);

/* Walk `root` (a parsed and overridden document) through the tables into c,
 * which holds defaults; diagnostics to diags.  `sets` names the --set
 * arguments for nodes whose origin is one of them.  Returns 0 or -1. */
struct scn_walk_opts {
	const char *file;     /* for positions */
	const char *base_dir; /* for empirical() files */
	const char *const *sets;
	size_t nsets;
};
int scn_walk(const struct scn_node *root, const struct scn_walk_opts *o, struct model_config *c,
	     struct sim_diags *diags);

/* The resolved scenario as a tree (every key the tables know, every value
 * filled in); NULL when out of memory.  Also the source of defaults that
 * --set grafts under keys the file leaves out. */
struct scn_node *scn_tree_from_config(const struct model_config *c);

/* Canonical texts, shared by the emitter and the messages. */
int scn_format_rate(double per_s, char *buf, size_t len);
int scn_format_share(double fraction, char *buf, size_t len);
int scn_format_real(double v, char *buf, size_t len);

#endif
