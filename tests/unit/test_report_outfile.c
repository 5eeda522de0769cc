/* Unit tests for report/outfile: atomic writes leave either the whole new
 * file or nothing, never a temporary file, and say why they failed. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report/outfile.h"

static int write_text(const void *ctx, FILE *out)
{
	return fputs(ctx, out) == EOF ? EIO : 0;
}

static int write_then_fail(const void *ctx, FILE *out)
{
	fputs(ctx, out);
	return EPIPE;
}

static int setup(void **state)
{
	char *dir = strdup("/tmp/tiersim-outfile-XXXXXX");
	if (!dir || !mkdtemp(dir))
		return -1;
	*state = dir;
	return 0;
}

static int teardown(void **state)
{
	char *dir = *state;
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[512];
	while (d && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
			unlink(path);
		}
	if (d)
		closedir(d);
	rmdir(dir);
	free(dir);
	return 0;
}

static size_t entries(const char *dir)
{
	size_t n = 0;
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	if (d)
		closedir(d);
	return n;
}

static char *slurp(const char *dir, const char *name)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	char *buf = calloc(1, 4096);
	size_t n = fread(buf, 1, 4095, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void test_writes_the_file_and_leaves_no_temporary(void **state)
{
	const char *dir = *state;
	char err[256];
	assert_int_equal(rpt_write_file_atomic(dir, "summary.json", write_text, "{}\n", err,
					       sizeof err), 0);
	assert_string_equal(err, "");
	assert_int_equal(entries(dir), 1);
	char *got = slurp(dir, "summary.json");
	assert_string_equal(got, "{}\n");
	free(got);
	char path[512];
	struct stat st;
	snprintf(path, sizeof path, "%s/summary.json", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
}

static void test_replaces_an_existing_file_whole(void **state)
{
	const char *dir = *state;
	char err[256];
	assert_int_equal(rpt_write_file_atomic(dir, "a.csv", write_text, "old,old,old\n", err,
					       sizeof err), 0);
	assert_int_equal(rpt_write_file_atomic(dir, "a.csv", write_text, "new\n", err,
					       sizeof err), 0);
	char *got = slurp(dir, "a.csv");
	assert_string_equal(got, "new\n");
	free(got);
	assert_int_equal(entries(dir), 1);
}

static void test_failing_writer_leaves_no_file_and_says_why(void **state)
{
	const char *dir = *state;
	char err[256];
	assert_int_equal(rpt_write_file_atomic(dir, "x.json", write_then_fail, "partial", err,
					       sizeof err), EPIPE);
	assert_int_equal(entries(dir), 0);
	assert_non_null(strstr(err, "x.json"));
	assert_non_null(strstr(err, "writing failed"));
	assert_non_null(strstr(err, strerror(EPIPE)));
}

static void test_failing_writer_keeps_the_previous_file(void **state)
{
	const char *dir = *state;
	char err[256];
	assert_int_equal(rpt_write_file_atomic(dir, "keep.txt", write_text, "good\n", err,
					       sizeof err), 0);
	assert_int_equal(rpt_write_file_atomic(dir, "keep.txt", write_then_fail, "bad", err,
					       sizeof err), EPIPE);
	char *got = slurp(dir, "keep.txt");
	assert_string_equal(got, "good\n");
	free(got);
	assert_int_equal(entries(dir), 1);
}

static void test_missing_directory_is_reported(void **state)
{
	const char *dir = *state;
	char missing[512], err[256];
	snprintf(missing, sizeof missing, "%s/no/such/dir", dir);
	assert_int_equal(rpt_write_file_atomic(missing, "a.json", write_text, "{}", err, sizeof err),
			 ENOENT);
	assert_non_null(strstr(err, "no/such/dir/a.json"));
	assert_non_null(strstr(err, "temporary file"));
}

static void test_name_with_a_slash_is_rejected(void **state)
{
	const char *dir = *state;
	char err[256];
	assert_int_equal(rpt_write_file_atomic(dir, "../escape", write_text, "{}", err, sizeof err),
			 EINVAL);
	assert_int_equal(rpt_write_file_atomic(dir, "", write_text, "{}", err, sizeof err), EINVAL);
	assert_int_equal(entries(dir), 0);
}

/* A writer that ignores its stream's errors still fails: the stream's error
 * flag is checked after it (fgetc on a write-only stream sets it). */
static int write_ignoring_errors(const void *ctx, FILE *out)
{
	fputs(ctx, out);
	(void)fgetc(out);
	return 0;
}

static void test_stream_error_the_writer_ignored_still_fails(void **state)
{
	const char *dir = *state;
	char err[256];
	int rc = rpt_write_file_atomic(dir, "e.txt", write_ignoring_errors, "text", err, sizeof err);
	assert_true(rc > 0);
	assert_non_null(strstr(err, "writing failed"));
	assert_int_equal(entries(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_writes_the_file_and_leaves_no_temporary, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_replaces_an_existing_file_whole, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failing_writer_leaves_no_file_and_says_why, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_failing_writer_keeps_the_previous_file, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_missing_directory_is_reported, setup, teardown),
		cmocka_unit_test_setup_teardown(test_name_with_a_slash_is_rejected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stream_error_the_writer_ignored_still_fails, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
