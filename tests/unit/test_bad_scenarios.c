/* The bad-input catalogue: every tests/bad/NAME.yaml must fail to load, and
 * the first diagnostic, printed as the CLI prints it, must be exactly the
 * first line of tests/bad/NAME.err (jq's golden-message discipline).  A huge
 * file is generated here at run time rather than committed.  Runs from the
 * repository root, where the paths in the .err files start. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "diag_text.h"

#include "models/config.h"
#include "scenarios/loader.h"
#include "sim/diag.h"

#define BAD_DIR "tests/bad"
#define MIN_CASES 80

/* The first printed diagnostic line of loading path (without '\n'); the
 * caller frees it.  NULL when the file loads without errors. */
static char *first_line(const char *path)
{
	struct model_config c;
	struct sim_diags d;
	sim_diags_init(&d);
	int rc = scn_load_file(path, NULL, 0, &c, &d);
	char *buf = diag_text(&d);
	assert_non_null(buf);
	model_config_fini(&c);
	sim_diags_fini(&d);
	if (rc == 0) {
		free(buf);
		return NULL;
	}
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

static char *read_first_line(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n = getline(&line, &cap, f);
	fclose(f);
	if (n < 0) {
		free(line);
		return NULL;
	}
	line[strcspn(line, "\n")] = '\0';
	return line;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void every_bad_scenario_gives_its_expected_first_diagnostic(void **state)
{
	(void)state;
	DIR *dir = opendir(BAD_DIR);
	assert_non_null(dir);
	char **names = NULL;
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(dir))) {
		size_t len = strlen(e->d_name);
		if (len < 6 || strcmp(e->d_name + len - 5, ".yaml") != 0)
			continue;
		names = realloc(names, (n + 1) * sizeof *names);
		assert_non_null(names);
		names[n] = strndup(e->d_name, len - 5);
		assert_non_null(names[n]);
		n++;
	}
	closedir(dir);
	qsort(names, n, sizeof *names, by_name);
	assert_true(n >= MIN_CASES);

	int failures = 0;
	for (size_t i = 0; i < n; i++) {
		char yaml[512], err[512];
		snprintf(yaml, sizeof yaml, BAD_DIR "/%s.yaml", names[i]);
		snprintf(err, sizeof err, BAD_DIR "/%s.err", names[i]);
		char *want = read_first_line(err);
		char *got = first_line(yaml);
		if (!want) {
			print_error("%s: missing %s\n", yaml, err);
			failures++;
		} else if (!got) {
			print_error("%s: loaded without errors, expected\n  %s\n", yaml, want);
			failures++;
		} else if (strcmp(want, got) != 0) {
			print_error("%s:\n  expected %s\n  got      %s\n", yaml, want, got);
			failures++;
		}
		free(want);
		free(got);
		free(names[i]);
	}
	free(names);
	print_message("%zu bad scenarios checked\n", n);
	assert_int_equal(failures, 0);
}

static void a_file_over_one_mebibyte_is_refused(void **state)
{
	(void)state;
	char path[] = "/tmp/tiersim_bad_huge_XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "w");
	assert_non_null(f);
	fputs("name: huge\nworkload:\n  classes:\n", f);
	for (int i = 0; ftell(f) <= SCN_MAX_FILE_BYTES; i++)
		fprintf(f, "    c%d: {share: 0%%}\n", i);
	fclose(f);
	char *got = first_line(path);
	assert_non_null(got);
	char want[256];
	snprintf(want, sizeof want, "%s:1:1: error: scenario is larger than 1 MiB", path);
	assert_memory_equal(got, want, strlen(want));
	free(got);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_bad_scenario_gives_its_expected_first_diagnostic),
		cmocka_unit_test(a_file_over_one_mebibyte_is_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
