/* Fuzz target: --set KEY=VALUE overrides on the baseline scenario.
 *
 * The input is split at newlines into up to 8 overrides applied to a small
 * valid scenario.  Oracles: every error either points into the file or
 * names its --set (no position, the override's text in the message); a
 * result that loads emits a resolved scenario that loads again. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "scenarios/loader.h"

#define MAX_SETS 8

static const char base[] = "name: fuzz\n"
			   "duration: 2m\n"
			   "workload:\n"
			   "  rate: 100/s\n"
			   "  schedule:\n"
			   "    - {at: 1m, rate: 200/s}\n"
			   "app:\n"
			   "  nodes: 2\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096)
		return 0;
	char *buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	if (strlen(buf) != size) { /* arguments are C strings: no NUL inside */
		free(buf);
		return 0;
	}
	const char *sets[MAX_SETS];
	size_t nsets = 0;
	for (char *line = buf, *next; line && nsets < MAX_SETS; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		sets[nsets++] = line;
	}
	struct model_config cfg;
	struct sim_diags diags;
	sim_diags_init(&diags);
	int rc = scn_load_string("fuzz.yaml", base, sizeof base - 1, NULL, sets, nsets, &cfg,
				 &diags);
	FUZZ_REQUIRE((rc == 0) == (diags.errors == 0), "return code agrees with the diagnostics");
	for (size_t i = 0; i < diags.count; i++) {
		const struct sim_diag *d = &diags.items[i];
		if (d->level != SIM_DIAG_ERROR)
			continue;
		bool in_file = d->file && d->line > 0;
		bool names_set = !d->file && strncmp(d->message, "--set ", 6) == 0;
		FUZZ_REQUIRE(in_file || names_set, "an error points into the file or names its --set");
	}
	char *yaml = NULL;
	if (rc == 0 && scn_emit_resolved(&cfg, &yaml) == 0) {
		struct model_config again;
		struct sim_diags diags2;
		sim_diags_init(&diags2);
		int rc2 = scn_load_string("resolved.yaml", yaml, strlen(yaml), NULL, NULL, 0, &again,
					  &diags2);
		if (rc2 != 0)
			sim_diags_print(&diags2, stderr);
		FUZZ_REQUIRE(rc2 == 0, "the resolved scenario loads again");
		model_config_fini(&again);
		sim_diags_fini(&diags2);
		free(yaml);
	}
	model_config_fini(&cfg);
	sim_diags_fini(&diags);
	free(buf);
	return 0;
}
