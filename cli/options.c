/* Option-parsing pieces every subcommand shares, so each says the same thing
 * the same way: -j, --out, and getopt's missing-value and unknown-option cases. */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
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
