/* `tiersim merge DIR...`: the shards of a sweep into the files one machine
 * would have written.
 *
 * Each DIR holds a shard's sweep.json (tiersim sweep --shard I/N --out DIR).
 * The shards must be of one sweep (the same scenario and grid digests, the
 * same tiersim version, the same N) and together hold every shard exactly
 * once; anything else is refused with a message naming the odd folder,
 * before anything is written.  The merged sweep.json and sweep.csv are
 * byte-identical to an unsharded run's (report/sweep.h says why). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "report/outfile.h"
#include "report/sweep.h"

static const char merge_usage[] =
	"usage: tiersim merge DIR... [--out DIR] [--quiet]\n"
	"\n"
	"Combine the folders of the shards of one sweep (tiersim sweep --shard I/N --out DIR)\n"
	"into the sweep.json and sweep.csv one unsharded run writes.\n"
	"\n"
	"  --out DIR            where the merged files go (default: .)\n"
	"  --quiet              no table on stdout\n"
	"\n"
	"exit status: 0 ok, 2 bad usage, or shards that are not one whole sweep\n";

int cli_merge(int argc, char **argv)
{
	enum { OPT_OUT = 256, OPT_QUIET, OPT_HELP };
	static const struct option longopts[] = {
		{"out", required_argument, NULL, OPT_OUT},
		{"quiet", no_argument, NULL, OPT_QUIET},
		{"help", no_argument, NULL, OPT_HELP},
		{NULL, 0, NULL, 0},
	};
	const char *out_dir = ".";
	bool quiet = false;
	opterr = 0;
	optind = 1;
	int ch;
	while ((ch = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_OUT:
			out_dir = optarg;
			break;
		case OPT_QUIET:
			quiet = true;
			break;
		case OPT_HELP:
		case 'h':
			fputs(merge_usage, stdout);
			return CLI_EXIT_OK;
		default:
			return cli_option_error("merge", ch, argv);
		}
	}
	size_t n = (size_t)(argc - optind);
	if (n == 0)
		return cli_usage_error("merge", "missing the shards' folders (see 'tiersim merge --help')");
	struct rpt_sweep_doc **docs = calloc(n, sizeof *docs);
	char **paths = calloc(n, sizeof *paths);
	int rc = docs && paths ? 0 : cli_usage_error("merge", "out of memory");
	char err[1024];
	for (size_t i = 0; i < n && !rc; i++) {
		const char *dir = argv[optind + (int)i];
		size_t len = strlen(dir) + sizeof "/sweep.json";
		paths[i] = malloc(len);
		if (!paths[i]) {
			rc = cli_usage_error("merge", "out of memory");
			break;
		}
		snprintf(paths[i], len, "%s/sweep.json", dir);
		if (rpt_sweep_doc_load(paths[i], &docs[i], err, sizeof err))
			rc = cli_usage_error("merge", "%s", err);
	}
	struct rpt_sweep_doc *merged = NULL;
	if (!rc && rpt_sweep_doc_merge(docs, (const char *const *)paths, n, &merged, err, sizeof err))
		rc = cli_usage_error("merge", "%s", err);
	if (!rc)
		rc = cli_prepare_out_dir("merge", out_dir);
	if (!rc && (rpt_write_file_atomic(out_dir, "sweep.json", rpt_sweep_json_writer, merged, err,
					  sizeof err) ||
		    rpt_write_file_atomic(out_dir, "sweep.csv", rpt_sweep_csv_writer, merged, err,
					  sizeof err))) {
		fprintf(stderr, "tiersim merge: %s\n", err);
		rc = CLI_EXIT_FAILURE;
	}
	if (!rc && !quiet && (rpt_sweep_text_writer(merged, stdout) || fflush(stdout))) {
		fprintf(stderr, "tiersim merge: cannot write the table: %s\n", strerror(errno));
		rc = CLI_EXIT_FAILURE;
	}
	rpt_sweep_doc_destroy(merged);
	for (size_t i = 0; docs && paths && i < n; i++) {
		rpt_sweep_doc_destroy(docs[i]);
		free(paths[i]);
	}
	free(docs);
	free(paths);
	return rc;
}
