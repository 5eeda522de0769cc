/* Scenario files: YAML text to a validated model_config, and back.
 *
 * The scenario language is the user's contract (docs/scenarios.md lists
 * every key).  Loading starts from model_config_init's defaults, applies the
 * file, then the --set overrides, and validates the result as one document,
 * so an override gets exactly the checks a file value gets.  Nothing is
 * printed: every problem becomes a diagnostic with FILE:LINE:COL (1-based),
 * as many as can be found in one pass; a diagnostic caused by an override
 * has no file position and reads "--set KEY=VALUE: KEY: message".
 *
 * Both loaders leave *out initialised whatever happens (defaults plus every
 * value that was valid); the caller always calls model_config_fini. */
#ifndef SCENARIOS_LOADER_H
#define SCENARIOS_LOADER_H

#include <stddef.h>

#include "models/config.h"
#include "sim/diag.h"

/* Larger files are refused before parsing: a scenario is a page of keys. */
#define SCN_MAX_FILE_BYTES (1024 * 1024)

/* Load the file at `path` (relative empirical() paths resolve against its
 * directory) with `nsets` overrides "KEY=VALUE".  Returns 0, or -1 with at
 * least one error in diags. */
int scn_load_file(const char *path, const char *const *sets, size_t nsets,
		  struct model_config *out, struct sim_diags *diags);

/* The same for text in memory: `name` is the file name used in diagnostics,
 * `base_dir` resolves empirical() paths (NULL: the working directory). */
int scn_load_string(const char *name, const char *text, size_t len, const char *base_dir,
		    const char *const *sets, size_t nsets, struct model_config *out,
		    struct sim_diags *diags);

/* The resolved scenario as YAML: every key, defaults filled in.  Loading it
 * again (with the same base directory) gives an identical model_config.
 * Returns 0 with *yaml_out malloc'ed (the caller frees it), or -1 (no memory). */
int scn_emit_resolved(const struct model_config *c, char **yaml_out);

#endif
