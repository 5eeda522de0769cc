/* --set KEY=VALUE overrides, grafted into the scenario tree (internal).
 *
 * KEY is a dotted path (app.nodes, workload.classes.page.share; a list item
 * by its 0-based index: workload.schedule.0.rate); VALUE is parsed as YAML,
 * so `[101, 100]` is a list and `{share: 30%}` a mapping.  The value replaces
 * whatever the file had at KEY, or is added; missing mappings on the way are
 * created, holding the defaults when the language has defaults there (so
 * --set workload.classes.page.share=30% on a file without classes edits the
 * default mix rather than replacing it).  The grafted nodes remember which
 * --set they came from; validation happens afterwards, on the whole tree. */
#ifndef SCENARIOS_OVERRIDES_H
#define SCENARIOS_OVERRIDES_H

#include <stddef.h>

#include "scenarios/tree.h"
#include "sim/diag.h"

/* root: the document's root mapping; defaults: scn_tree_from_config of the
 * defaults (may be NULL).  Returns 0, or -1 after adding diagnostics. */
int scn_apply_sets(struct scn_node *root, const char *const *sets, size_t nsets,
		   const struct scn_node *defaults, struct sim_diags *diags);

#endif
