/* tiersim's entry point: dispatch to a subcommand, --help, --version.
 * Each subcommand lives in its own file (cli/<name>.c) and parses its own
 * options; this file only knows the table. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "cli.h"

struct subcommand {
	const char *name;
	int (*main_fn)(int argc, char **argv);
	const char *summary;
};

static const struct subcommand subcommands[] = {
	{"run", cli_run, "run a scenario and report latency, throughput, utilization, errors, SLOs"},
	{"check", cli_check, "validate a scenario and print it resolved, every default filled in"},
	{"dash", cli_dash, "run a scenario live in the terminal: watch it, crash and slow nodes"},
	{"plot", cli_plot, "draw a result folder's figures (gnuplot scripts, data, PNG and SVG)"},
	{"demo", cli_demo, "run the reference tandem network and compare it with queueing theory"},
	{"sweep", cli_sweep, "run a scenario over a grid of values (--vary), in parallel or in shards"},
	{"merge", cli_merge, "combine the shards of a sweep into the files one machine writes"},
	{"plan", cli_plan, "cheapest node counts meeting the SLOs at a load, or the highest load"},
	{"availability", cli_availability, "yearly availability, downtime and nines under the random failures"},
};

static void print_help(FILE *out)
{
	fprintf(out,
		"usage: tiersim COMMAND [OPTIONS]\n"
		"\n"
		"tiersim simulates a web architecture (HAProxy pair, nginx, app servers,\n"
		"MySQL primary and replicas) as a network of queues and plans its capacity.\n"
		"\n"
		"commands:\n");
	for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
		fprintf(out, "  %-10s %s\n", subcommands[i].name, subcommands[i].summary);
	fprintf(out,
		"\n"
		"  tiersim COMMAND --help   options of a command\n"
		"  tiersim --version        version\n"
		"\n"
		"exit status: 0 ok, 1 an SLO was missed, 2 bad usage or bad input\n");
}

int cli_usage_error(const char *sub, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "tiersim%s%s: ", sub ? " " : "", sub ? sub : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return CLI_EXIT_USAGE;
}

int main(int argc, char **argv)
{
	/* GSL's default handler aborts; the library code checks results itself. */
	gsl_set_error_handler_off();
	if (argc < 2)
		return print_help(stderr), CLI_EXIT_USAGE;
	const char *cmd = argv[1];
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
		print_help(stdout);
		return CLI_EXIT_OK;
	}
	if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
		printf("tiersim %s\n", TIERSIM_VERSION);
		return CLI_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
		if (!strcmp(cmd, subcommands[i].name))
			return subcommands[i].main_fn(argc - 1, argv + 1);
	if (cmd[0] == '-')
		return cli_usage_error(NULL, "unknown option '%s' (see 'tiersim --help')", cmd);
	return cli_usage_error(NULL, "unknown command '%s' (see 'tiersim --help')", cmd);
}
