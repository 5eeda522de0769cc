/* Loading a scenario: read, check it is text, parse, override, validate.
 *
 * The order is the contract of loader.h: defaults first, then the file,
 * then --set, then one validation of the whole.  Before libfyaml sees the
 * bytes they are checked to be text (UTF-8 without NUL bytes) and at most
 * SCN_MAX_FILE_BYTES long, so a binary or runaway file gets a plain message
 * rather than whatever a YAML scanner makes of it. */
#include "scenarios/loader.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "scenarios/overrides.h"
#include "scenarios/schema.h"
#include "scenarios/tree.h"

/* 1-based line and column (in characters) of byte offset pos. */
static void position_of(const char *s, size_t pos, int *line, int *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < pos; i++) {
		if (s[i] == '\n') {
			++*line;
			*col = 1;
		} else if (((unsigned char)s[i] & 0xc0) != 0x80) {
			++*col;
		}
	}
}

static bool blank_text(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
			return false;
	return true;
}

int scn_load_string(const char *name, const char *text, size_t len, const char *base_dir,
		    const char *const *sets, size_t nsets, struct model_config *out,
		    struct sim_diags *diags)
{
	model_config_init(out);
	size_t errors_before = diags->errors;
	if (len > SCN_MAX_FILE_BYTES) {
		sim_diags_add(diags, SIM_DIAG_ERROR, name, 1, 1,
			      "scenario is larger than 1 MiB (%zu bytes); a scenario is a page of "
			      "keys, not data",
			      len);
		return -1;
	}
	size_t bad = scn_first_non_text(text, len);
	if (bad < len) {
		int line, col;
		position_of(text, bad, &line, &col);
		sim_diags_add(diags, SIM_DIAG_ERROR, name, line, col,
			      "not a text file (byte 0x%02x is not UTF-8 text); a scenario is YAML text",
			      (unsigned char)text[bad]);
		return -1;
	}
	if (blank_text(text, len)) {
		sim_diags_add(diags, SIM_DIAG_ERROR, name, 1, 1, "empty scenario");
		return -1;
	}
	struct scn_node *root = NULL;
	if (scn_tree_parse(text, len, name, SCN_ORIGIN_FILE, diags, &root) < 0)
		return -1;
	if (!root) { /* comments only */
		sim_diags_add(diags, SIM_DIAG_ERROR, name, 1, 1, "empty scenario");
		return -1;
	}
	struct scn_walk_opts o = {.file = name, .base_dir = base_dir, .sets = sets, .nsets = nsets};
	if (root->kind == SCN_NODE_MAP && nsets > 0) {
		struct scn_node *defaults = scn_tree_from_config(out);
		scn_apply_sets(root, sets, nsets, defaults, diags);
		scn_node_free(defaults);
	}
	scn_walk(root, &o, out, diags);
	scn_node_free(root);
	return diags->errors == errors_before ? 0 : -1;
}

int scn_load_file(const char *path, const char *const *sets, size_t nsets,
		  struct model_config *out, struct sim_diags *diags)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	int e = f ? 0 : errno;
	if (f && fstat(fileno(f), &st) != 0)
		e = errno;
	else if (f && S_ISDIR(st.st_mode))
		e = EISDIR;
	if (e) {
		model_config_init(out);
		sim_diags_add(diags, SIM_DIAG_ERROR, path, 0, 0, "cannot read the scenario: %s",
			      strerror(e));
		if (f)
			fclose(f);
		return -1;
	}
	/* Read one byte past the limit to tell "at the limit" from "over". */
	size_t cap = SCN_MAX_FILE_BYTES + 1;
	char *buf = malloc(cap);
	size_t len = buf ? fread(buf, 1, cap, f) : 0;
	bool read_error = !buf || ferror(f);
	fclose(f);
	if (read_error) {
		model_config_init(out);
		sim_diags_add(diags, SIM_DIAG_ERROR, path, 0, 0, "cannot read the scenario: %s",
			      buf ? strerror(EIO) : "out of memory");
		free(buf);
		return -1;
	}
	char *dir = NULL;
	const char *slash = strrchr(path, '/');
	if (slash)
		dir = slash == path ? strdup("/") : strndup(path, (size_t)(slash - path));
	int rc = scn_load_string(path, buf, len, dir, sets, nsets, out, diags);
	free(dir);
	free(buf);
	return rc;
}
