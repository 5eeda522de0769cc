/* Unit tests for report/digest: SHA-256 against the FIPS 180-2 vectors. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "report/digest.h"

static void test_abc_matches_fips_vector(void **state)
{
	(void)state;
	char hex[65];
	rpt_sha256_hex("abc", 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_empty_input_matches_known_digest(void **state)
{
	(void)state;
	char hex[65];
	rpt_sha256_hex(NULL, 0, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_two_block_message_matches_fips_vector(void **state)
{
	(void)state;
	const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	char hex[65];
	rpt_sha256_hex(m, strlen(m), hex);
	assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void test_million_a_matches_fips_vector(void **state)
{
	(void)state;
	char *m = malloc(1000000);
	assert_non_null(m);
	memset(m, 'a', 1000000);
	char hex[65];
	rpt_sha256_hex(m, 1000000, hex);
	assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(m);
}

static void test_length_not_terminator_bounds_the_input(void **state)
{
	(void)state;
	char a[65], b[65];
	rpt_sha256_hex("abcdef", 3, a);
	rpt_sha256_hex("abc", 3, b);
	assert_string_equal(a, b);
	assert_int_equal(strlen(a), 64);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_abc_matches_fips_vector),
		cmocka_unit_test(test_empty_input_matches_known_digest),
		cmocka_unit_test(test_two_block_message_matches_fips_vector),
		cmocka_unit_test(test_million_a_matches_fips_vector),
		cmocka_unit_test(test_length_not_terminator_bounds_the_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
