/* The command-line front end: subcommands and exit statuses.
 *
 * cli/ is the composition root and the only place that prints diagnostics to
 * the user and decides the exit status:
 *   0  success
 *   1  the run completed but an SLO was missed (a CI gate can fail on it)
 *   2  bad usage or bad input (one clear message on stderr; nothing written) */
#ifndef CLI_CLI_H
#define CLI_CLI_H

#include <stdio.h>

enum cli_exit {
	CLI_EXIT_OK = 0,
	CLI_EXIT_SLO_MISSED = 1,
	CLI_EXIT_USAGE = 2,
	CLI_EXIT_FAILURE = 3, /* an internal failure: out of memory, a write error */
};

/* Each subcommand: argv[0] is the subcommand's name. */
int cli_run(int argc, char **argv);
int cli_demo(int argc, char **argv);
int cli_check(int argc, char **argv);
int cli_dash(int argc, char **argv);
int cli_sweep(int argc, char **argv);
int cli_merge(int argc, char **argv);
int cli_plan(int argc, char **argv);
int cli_availability(int argc, char **argv);

#include <stdbool.h>
#include <stddef.h>

/* A command's --set KEY=VALUE list, including the shorthands it spells as
 * overrides (--seed 5 is seed=5), whose strings it owns. */
struct cli_sets {
	const char **items;  /* the overrides in order; point into argv or owned */
	size_t n;
	char *owned[4];      /* one per shorthand slot */
};
/* Append kv (not copied); 0, or -1 without memory. */
int cli_sets_add(struct cli_sets *s, const char *kv);
/* Append "key=value" for shorthand `slot` (0..3); 0, or -1 without memory. */
int cli_sets_shorthand(struct cli_sets *s, int slot, const char *key, const char *value);
void cli_sets_fini(struct cli_sets *s);

int cli_plot(int argc, char **argv);

/* The figures of the result folder dir (cli/plot.c): written, rendered when
 * gnuplot is there, their list on listing (NULL: nothing printed on
 * success).  sub names the command in messages.  Returns an exit status. */
struct rpt_plot_options;
int cli_plot_folder(const char *sub, const char *dir, const struct rpt_plot_options *opts,
		    FILE *listing);

/* The one scenario FILE operand left after the options (getopt's optind):
 * *file set and 0, or the usage error's exit status. */
int cli_scenario_operand(const char *sub, int argc, char **argv, const char **file);
/* --plot draws from the files of the --out folder, so it needs one (checked
 * before a long run, not after): 0, or the usage error's exit status. */
int cli_check_plot(const char *sub, bool plot, const char *out_dir);

/* -j N: 0, or the usage error's exit status. */
int cli_parse_jobs(const char *sub, const char *arg, int *jobs);
/* --max-memory SIZE (512M, 4G; at least 1M), the memory budget of each
 * replication (models/limits.h): 0, or the usage error's exit status. */
#include <stdint.h>
int cli_parse_memory(const char *sub, const char *arg, int64_t *bytes);
/* --out DIR exists (or is created) and is writable: checked before a long
 * simulation, so it never ends in a write error.  0, or the usage error's status. */
int cli_prepare_out_dir(const char *sub, const char *dir);
/* getopt_long returned ':' (a missing value) or '?' (an unknown option). */
int cli_option_error(const char *sub, int ch, char **argv);

/* "tiersim SUB: message" on stderr, then CLI_EXIT_USAGE. */
int cli_usage_error(const char *sub, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
