/* Option-parsing pieces every subcommand shares, so each says the same thing
 * the same way: -j, --out, the --set list, and getopt's missing-value and unknown-option cases. */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "models/limits.h"
#include "sim/units.h"

int cli_parse_jobs(const char *sub, const char *arg, int *jobs)
{
	struct sim_parse_error err;
	int64_t n;
	if (sim_parse_count(arg, &n, &err) || n < 1 || n > 1024)
		return cli_usage_error(sub, "-j: expected a whole number from 1 to 1024, got '%s'", arg);
	*jobs = (int)n;
	return 0;
}

int cli_parse_memory(const char *sub, const char *arg, int64_t *bytes)
{
	struct sim_parse_error err;
	int64_t v;
	if (sim_parse_size_bytes(arg, &v, &err))
		return cli_usage_error(sub, "--max-memory '%s': %s", arg, err.message);
	if (v < MODEL_MEMORY_MIN_BYTES)
		return cli_usage_error(sub, "--max-memory '%s': the budget per replication must be "
				       "at least 1M", arg);
	*bytes = v;
	return 0;
}

int cli_option_error(const char *sub, int ch, char **argv)
{
	if (ch == ':')
		return cli_usage_error(sub, "option '%s' needs a value", argv[optind - 1]);
	return cli_usage_error(sub, "unknown option '%s' (see 'tiersim %s --help')", argv[optind - 1],
			       sub);
}

int cli_prepare_out_dir(const char *sub, const char *dir)
{
	struct stat st;
	if (stat(dir, &st) != 0) {
		if (errno != ENOENT || mkdir(dir, 0777) != 0)
			return cli_usage_error(sub, "--out %s: %s", dir, strerror(errno));
	} else if (!S_ISDIR(st.st_mode)) {
		return cli_usage_error(sub, "--out %s: not a directory", dir);
	}
	if (access(dir, W_OK | X_OK) != 0)
		return cli_usage_error(sub, "--out %s: %s", dir, strerror(errno));
	return 0;
}

int cli_sets_add(struct cli_sets *s, const char *kv)
{
	const char **items = realloc(s->items, (s->n + 1) * sizeof *items);
	if (!items)
		return -1;
	s->items = items;
	s->items[s->n++] = kv;
	return 0;
}

int cli_sets_shorthand(struct cli_sets *s, int slot, const char *key, const char *value)
{
	size_t len = strlen(key) + strlen(value) + 2;
	free(s->owned[slot]);
	s->owned[slot] = malloc(len);
	if (!s->owned[slot])
		return -1;
	snprintf(s->owned[slot], len, "%s=%s", key, value);
	return cli_sets_add(s, s->owned[slot]);
}

void cli_sets_fini(struct cli_sets *s)
{
	free(s->items);
	for (size_t i = 0; i < sizeof s->owned / sizeof s->owned[0]; i++)
		free(s->owned[i]);
}

int cli_scenario_operand(const char *sub, int argc, char **argv, const char **file)
{
	if (optind >= argc)
		return cli_usage_error(sub, "missing the scenario FILE (see 'tiersim %s --help')", sub);
	if (optind + 1 < argc)
		return cli_usage_error(sub, "unexpected argument '%s' (one scenario FILE; see "
				       "'tiersim %s --help')", argv[optind + 1], sub);
	*file = argv[optind];
	return 0;
}

int cli_check_plot(const char *sub, bool plot, const char *out_dir)
{
	if (plot && !out_dir)
		return cli_usage_error(sub, "--plot needs --out DIR (the figures go to DIR/plots)");
	return 0;
}
