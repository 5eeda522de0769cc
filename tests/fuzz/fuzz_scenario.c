/* Fuzz target: the scenario loader on arbitrary bytes.
 *
 * Oracles beyond "no crash, no leak, no sanitizer report": every error
 * carries FILE:LINE:COL (a scenario's diagnostics always point into the
 * file), and a scenario that loads emits a resolved YAML that loads again
 * without a diagnostic (the round trip `tiersim check` promises).
 * empirical() paths resolve against a directory that does not exist, so
 * the fuzzer cannot make the loader read files of this machine by relative
 * path. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "scenarios/loader.h"

#define NO_DIR "/nonexistent/tiersim-fuzz"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct model_config cfg;
	struct sim_diags diags;
	sim_diags_init(&diags);
	int rc = scn_load_string("fuzz.yaml", (const char *)data, size, NO_DIR, NULL, 0, &cfg,
				 &diags);
	FUZZ_REQUIRE((rc == 0) == (diags.errors == 0), "return code agrees with the diagnostics");
	for (size_t i = 0; i < diags.count; i++)
		if (diags.items[i].level == SIM_DIAG_ERROR)
			FUZZ_REQUIRE(diags.items[i].file && diags.items[i].line > 0 &&
					     diags.items[i].col > 0,
				     "every error has FILE:LINE:COL");
	char *yaml = NULL;
	if (rc == 0 && scn_emit_resolved(&cfg, &yaml) == 0) {
		struct model_config again;
		struct sim_diags diags2;
		sim_diags_init(&diags2);
		int rc2 = scn_load_string("resolved.yaml", yaml, strlen(yaml), NO_DIR, NULL, 0,
					  &again, &diags2);
		if (rc2 != 0)
			sim_diags_print(&diags2, stderr);
		FUZZ_REQUIRE(rc2 == 0, "the resolved scenario loads again");
		model_config_fini(&again);
		sim_diags_fini(&diags2);
		free(yaml);
	}
	model_config_fini(&cfg);
	sim_diags_fini(&diags);
	return 0;
}
