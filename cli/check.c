/* `tiersim check FILE [--set KEY=VALUE]...`: validate a scenario and print
 * it resolved, every default filled in, as YAML.
 *
 * This is the cheap way to see what a run would use before spending time
 * on it, and to gate scenario edits in CI: exit 0 with the resolved YAML on
 * stdout, or exit 2 with every diagnostic on stderr (FILE:LINE:COL: error:
 * message) and nothing on stdout, so a pipeline never consumes half a
 * scenario. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "models/config.h"
#include "scenarios/loader.h"
#include "sim/diag.h"

static const char check_usage[] =
	"usage: tiersim check FILE [--set KEY=VALUE]...\n"
	"\n"
	"Validate the scenario FILE and print it resolved (every key, defaults filled\n"
	"in) as YAML on stdout.  On errors, print each as FILE:LINE:COL: error: message\n"
	"on stderr and exit 2.\n"
	"\n"
	"  --set KEY=VALUE   override a key, e.g. --set app.nodes=6 --set workload.rate=5000/s;\n"
	"                    VALUE is YAML ([101, 100] is a list); validated like the file\n"
	"  -h, --help        this help\n"
	"\n"
	"Every key is described in docs/scenarios.md.\n";

struct check_options {
	const char *file;
	const char **sets;
	size_t nsets;
};

/* 0 to go on, -1 after --help, or an exit status. */
static int parse_options(int argc, char **argv, struct check_options *o)
{
	static const struct option longopts[] = {
		{"set", required_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	opterr = 0;
	optind = 1;
	int ch;
	while ((ch = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (ch) {
		case 's':
			o->sets[o->nsets++] = optarg; /* sets has room for argc entries */
			break;
		case 'h':
			fputs(check_usage, stdout);
			return -1;
		default:
			return cli_option_error("check", ch, argv);
		}
	}
	if (optind >= argc)
		return cli_usage_error("check", "missing the scenario FILE (see 'tiersim check --help')");
	o->file = argv[optind++];
	if (optind < argc)
		return cli_usage_error("check", "unexpected argument '%s' (see 'tiersim check --help')",
				       argv[optind]);
	return 0;
}

int cli_check(int argc, char **argv)
{
	struct check_options o = {.sets = calloc((size_t)argc + 1, sizeof(char *))};
	if (!o.sets) {
		fprintf(stderr, "tiersim check: out of memory\n");
		return CLI_EXIT_FAILURE;
	}
	int rc = parse_options(argc, argv, &o);
	if (rc) {
		free(o.sets);
		return rc < 0 ? CLI_EXIT_OK : rc;
	}

	struct model_config cfg;
	struct sim_diags diags;
	sim_diags_init(&diags);
	int status = CLI_EXIT_OK;
	if (scn_load_file(o.file, o.sets, o.nsets, &cfg, &diags) != 0 || diags.errors > 0) {
		sim_diags_print(&diags, stderr);
		status = CLI_EXIT_USAGE;
	} else {
		char *yaml = NULL;
		if (scn_emit_resolved(&cfg, &yaml) != 0) {
			fprintf(stderr, "tiersim check: out of memory\n");
			status = CLI_EXIT_FAILURE;
		} else {
			fputs(yaml, stdout);
			if (fflush(stdout) != 0 || ferror(stdout)) {
				fprintf(stderr, "tiersim check: cannot write the output\n");
				status = CLI_EXIT_FAILURE;
			}
			free(yaml);
		}
	}
	model_config_fini(&cfg);
	sim_diags_fini(&diags);
	free(o.sets);
	return status;
}
