/* Unit tests for sim/diag.c: how diagnostics are stored, capped, relocated
 * into a bigger document, and printed as FILE:LINE:COL: level: message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "diag_text.h"

#include "sim/diag.h"

/* What sim_diags_print writes, as a string the caller frees. */
static char *printed(const struct sim_diags *d)
{
	char *text = diag_text(d);
	assert_non_null(text);
	return text;
}

static void print_omits_unknown_position_parts(void **state)
{
	(void)state;
	struct sim_diags d;
	sim_diags_init(&d);
	sim_diags_add(&d, SIM_DIAG_ERROR, "a.yaml", 3, 7, "bad %s", "thing");
	sim_diags_add(&d, SIM_DIAG_ERROR, "a.yaml", 3, 0, "no column");
	sim_diags_add(&d, SIM_DIAG_ERROR, "a.yaml", 0, 0, "no line");
	sim_diags_add(&d, SIM_DIAG_ERROR, "a.yaml", 0, 5, "column without a line");
	sim_diags_add(&d, SIM_DIAG_ERROR, NULL, 4, 2, "no file");
	sim_diags_error(&d, "just %d words", 3);
	char *out = printed(&d);
	assert_string_equal(out, "a.yaml:3:7: error: bad thing\n"
				 "a.yaml:3: error: no column\n"
				 "a.yaml: error: no line\n"
				 "a.yaml: error: column without a line\n"
				 "error: no file\n"
				 "error: just 3 words\n");
	free(out);
	sim_diags_fini(&d);
}

static void print_names_each_level(void **state)
{
	(void)state;
	struct sim_diags d;
	sim_diags_init(&d);
	sim_diags_add(&d, SIM_DIAG_WARNING, "s.yaml", 1, 1, "w");
	sim_diags_add(&d, SIM_DIAG_NOTE, "s.yaml", 2, 1, "n");
	char *out = printed(&d);
	assert_string_equal(out, "s.yaml:1:1: warning: w\ns.yaml:2:1: note: n\n");
	free(out);
	assert_int_equal(d.errors, 0);
	assert_int_equal(d.count, 2);
	sim_diags_fini(&d);
}

static void items_keep_their_own_copies(void **state)
{
	(void)state;
	struct sim_diags d;
	sim_diags_init(&d);
	char file[16] = "x.yaml";
	char msg[16] = "first";
	sim_diags_add(&d, SIM_DIAG_ERROR, file, 1, 2, "%s", msg);
	strcpy(file, "changed");
	strcpy(msg, "changed");
	assert_string_equal(d.items[0].file, "x.yaml");
	assert_string_equal(d.items[0].message, "first");
	assert_int_equal(d.items[0].line, 1);
	assert_int_equal(d.items[0].col, 2);
	assert_int_equal(d.items[0].level, SIM_DIAG_ERROR);
	sim_diags_fini(&d);
	assert_null(d.items);
	assert_int_equal(d.count, 0);
}

static void default_cap_is_100_and_errors_count_dropped_ones(void **state)
{
	(void)state;
	struct sim_diags d;
	sim_diags_init(&d);
	for (int k = 0; k < 130; k++)
		sim_diags_add(&d, SIM_DIAG_ERROR, "f", k + 1, 1, "e%d", k);
	sim_diags_add(&d, SIM_DIAG_WARNING, "f", 1, 1, "w");
	assert_int_equal(d.count, 100);
	assert_int_equal(d.dropped, 31);
	assert_int_equal(d.errors, 130);
	assert_string_equal(d.items[99].message, "e99");
	sim_diags_fini(&d);
}

static void max_items_sets_the_cap_and_print_counts_the_rest(void **state)
{
	(void)state;
	struct sim_diags d;
	sim_diags_init(&d);
	d.max_items = 2;
	for (int k = 0; k < 5; k++)
		sim_diags_add(&d, SIM_DIAG_ERROR, "f", 1, k + 1, "e%d", k);
	char *out = printed(&d);
	assert_string_equal(out, "f:1:1: error: e0\nf:1:2: error: e1\n"
				 "note: 3 more diagnostics not shown\n");
	free(out);
	sim_diags_fini(&d);
}

static void relocate_moves_sub_parser_columns_into_the_document(void **state)
{
	(void)state;
	struct sim_diags d;
	sim_diags_init(&d);
	sim_diags_add(&d, SIM_DIAG_ERROR, "s.yaml", 2, 3, "before");
	size_t from = d.count;
	/* A distribution string parsed on its own reported column 5 and one
	 * without a column; the string starts at s.yaml:9:14. */
	sim_diags_add(&d, SIM_DIAG_ERROR, NULL, 0, 5, "inside");
	sim_diags_add(&d, SIM_DIAG_ERROR, NULL, 0, 0, "whole");
	sim_diags_relocate(&d, from, "s.yaml", 9, 13);
	char *out = printed(&d);
	assert_string_equal(out, "s.yaml:2:3: error: before\n"
				 "s.yaml:9:18: error: inside\n"
				 "s.yaml:9:14: error: whole\n");
	free(out);
	sim_diags_fini(&d);
}

static void an_empty_list_prints_nothing(void **state)
{
	(void)state;
	struct sim_diags d;
	sim_diags_init(&d);
	char *out = printed(&d);
	assert_string_equal(out, "");
	free(out);
	sim_diags_fini(&d);
}

static void long_messages_are_kept_whole(void **state)
{
	(void)state;
	struct sim_diags d;
	sim_diags_init(&d);
	char big[1001];
	memset(big, 'x', 1000);
	big[1000] = '\0';
	sim_diags_add(&d, SIM_DIAG_ERROR, NULL, 0, 0, "%s", big);
	assert_int_equal(strlen(d.items[0].message), 1000);
	sim_diags_fini(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(print_omits_unknown_position_parts),
		cmocka_unit_test(print_names_each_level),
		cmocka_unit_test(items_keep_their_own_copies),
		cmocka_unit_test(default_cap_is_100_and_errors_count_dropped_ones),
		cmocka_unit_test(max_items_sets_the_cap_and_print_counts_the_rest),
		cmocka_unit_test(relocate_moves_sub_parser_columns_into_the_document),
		cmocka_unit_test(an_empty_list_prints_nothing),
		cmocka_unit_test(long_messages_are_kept_whole),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
