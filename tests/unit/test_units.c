/* Unit tests for sim/units.c: what users may write for durations, rates,
 * shares, counts and reals, the exact value each becomes, and the exact
 * message and column for each mistake. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sim/time.h"
#include "sim/units.h"

struct ok_duration {
	const char *text;
	int64_t ns;
};

struct bad_case {
	const char *text;
	int col;
	const char *message;
};

static void check_bad(int (*parse)(const char *, struct sim_parse_error *),
		      const struct bad_case *cases, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		struct sim_parse_error err = { 0 };
		if (parse(cases[k].text, &err) == 0)
			fail_msg("'%s' was accepted", cases[k].text);
		if (strcmp(err.message, cases[k].message) != 0 || err.col != cases[k].col)
			fail_msg("'%s': got col %d \"%s\", want col %d \"%s\"", cases[k].text,
				 err.col, err.message, cases[k].col, cases[k].message);
	}
}

static int parse_duration(const char *text, struct sim_parse_error *err)
{
	int64_t ns;
	return sim_parse_duration_ns(text, &ns, err);
}

static int parse_rate(const char *text, struct sim_parse_error *err)
{
	double v;
	return sim_parse_rate_per_s(text, &v, err);
}

static int parse_share(const char *text, struct sim_parse_error *err)
{
	double v;
	return sim_parse_share(text, &v, err);
}

static int parse_count(const char *text, struct sim_parse_error *err)
{
	int64_t v;
	return sim_parse_count(text, &v, err);
}

static int parse_real(const char *text, struct sim_parse_error *err)
{
	double v;
	return sim_parse_real(text, &v, err);
}

/* cmocka 1.1's assert_float_equal goes through float; durations need double. */
#define assert_near(a, b, eps)                                                   \
	do {                                                                     \
		double a_ = (a), b_ = (b);                                       \
		if (!(fabs(a_ - b_) <= (eps)))                                   \
			fail_msg("%s = %.17g, want %.17g", #a, a_, b_);          \
	} while (0)

#define CHECK_BAD(parse, cases) check_bad(parse, cases, sizeof(cases) / sizeof(cases[0]))

static void durations_convert_exactly_to_ns(void **state)
{
	(void)state;
	static const struct ok_duration cases[] = {
		{ "250ms", 250 * SIM_NS_PER_MS },
		{ "1.5s", 1500 * SIM_NS_PER_MS },
		{ "1.1s", 1100000000 },
		{ "0.1s", 100000000 },
		{ "40us", 40000 },
		{ "7ns", 7 },
		{ "2m", 120 * SIM_NS_PER_S },
		{ "1h", SIM_NS_PER_H },
		{ "1d", SIM_NS_PER_DAY },
		{ "1y", 365 * SIM_NS_PER_DAY },
		{ ".5ms", 500000 },
		{ "3.ms", 3000000 },
		{ "0.0000000015s", 2 },  /* 1.5 ns rounds to nearest */
		{ "0.0000000014s", 1 },
		{ "1.123456789123s", 1123456789 },
		{ "00012ms", 12000000 },
		{ "292y", 292 * 365 * SIM_NS_PER_DAY },
		{ "9223372036854775807ns", INT64_MAX },
	};
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		int64_t ns = -1;
		struct sim_parse_error err = { 0 };
		if (sim_parse_duration_ns(cases[k].text, &ns, &err) != 0)
			fail_msg("'%s' rejected: %s", cases[k].text, err.message);
		if (ns != cases[k].ns)
			fail_msg("'%s' gave %lld, want %lld", cases[k].text, (long long)ns,
				 (long long)cases[k].ns);
	}
}

static void durations_allow_blanks_and_a_bare_zero(void **state)
{
	(void)state;
	const char *zeros[] = { "0", " 0 ", "0.0", "0ms", "\t0s" };
	for (size_t k = 0; k < sizeof(zeros) / sizeof(zeros[0]); k++) {
		int64_t ns = -1;
		assert_int_equal(sim_parse_duration_ns(zeros[k], &ns, NULL), 0);
		assert_int_equal(ns, 0);
	}
	int64_t ns;
	assert_int_equal(sim_parse_duration_ns("  5 ms ", &ns, NULL), 0);
	assert_int_equal(ns, 5 * SIM_NS_PER_MS);
}

static void duration_errors_name_the_problem_and_column(void **state)
{
	(void)state;
	static const struct bad_case cases[] = {
		{ "", 1, "expected a duration such as 250ms, got nothing" },
		{ "   ", 4, "expected a duration such as 250ms, got nothing" },
		{ "250", 4, "duration '250' needs a unit (ns, us, ms, s, m, h, d)" },
		{ "  1.5", 6, "duration '1.5' needs a unit (ns, us, ms, s, m, h, d)" },
		{ "250sec", 4, "unknown duration unit 'sec' (use ns, us, ms, s, m, h, d)" },
		{ "1.5.3s", 4, "unknown duration unit '.3s' (use ns, us, ms, s, m, h, d)" },
		{ "5MS", 2, "unknown duration unit 'MS' (use ns, us, ms, s, m, h, d)" },
		{ "-5ms", 1, "duration '-5ms' must not be negative" },
		{ " -1s", 2, "duration '-1s' must not be negative" },
		{ "inf", 1, "'inf' is not a finite number" },
		{ "NaN", 1, "'NaN' is not a finite number" },
		{ "-infms", 1, "'-infms' is not a finite number" },
		{ "abc", 1, "expected a duration such as 250ms, got 'abc'" },
		{ "ms", 1, "expected a duration such as 250ms, got 'ms'" },
		{ "5ms x", 5, "unexpected 'x' after duration '5ms'" },
		{ "293y", 1, "duration '293y' is too large (the limit is about 292y)" },
		{ "9223372036854775808ns", 1,
		  "duration '9223372036854775808ns' is too large (the limit is about 292y)" },
		{ "100000000000000000000000s", 1,
		  "duration '100000000000000000000000s' is too large (the limit is about 292y)" },
	};
	CHECK_BAD(parse_duration, cases);
}

static void rates_convert_to_per_second(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		double per_s;
	} cases[] = {
		{ "2000/s", 2000 }, { "120/m", 2 }, { "7200/h", 2 }, { "0/s", 0 },
		{ "1e3/s", 1000 },  { "2.5/s", 2.5 }, { " 10 / s ", 10 }, { "0.5/m", 0.5 / 60 },
	};
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		double v = -1;
		struct sim_parse_error err = { 0 };
		if (sim_parse_rate_per_s(cases[k].text, &v, &err) != 0)
			fail_msg("'%s' rejected: %s", cases[k].text, err.message);
		assert_near(v, cases[k].per_s, 0);
	}
}

static void rate_errors_name_the_problem_and_column(void **state)
{
	(void)state;
	static const struct bad_case cases[] = {
		{ "2000", 5, "rate '2000' needs a unit (/s, /m, /h)" },
		{ "2000/sec", 5, "unknown rate unit '/sec' (use /s, /m, /h)" },
		{ "2000 per s", 6, "unknown rate unit 'per' (use /s, /m, /h)" },
		{ "-1/s", 1, "rate '-1/s' must not be negative" },
		{ "inf/s", 1, "'inf/s' is not a finite number" },
		{ "1e999/s", 1, "number '1e999' is out of range" },
		{ "/s", 1, "expected a rate such as 2000/s, got '/s'" },
		{ "5/s x", 5, "unexpected 'x' after rate '5/s'" },
	};
	CHECK_BAD(parse_rate, cases);
}

static void shares_accept_percent_or_fraction(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		double fraction;
	} cases[] = {
		{ "55%", 0.55 }, { "0.55", 0.55 }, { "0", 0 },  { "100%", 1 },
		{ "1", 1 },      { "0%", 0 },      { " 12.5 % ", 0.125 },
	};
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		double v = -1;
		struct sim_parse_error err = { 0 };
		if (sim_parse_share(cases[k].text, &v, &err) != 0)
			fail_msg("'%s' rejected: %s", cases[k].text, err.message);
		assert_near(v, cases[k].fraction, 1e-15);
	}
}

static void share_errors_name_the_problem_and_column(void **state)
{
	(void)state;
	static const struct bad_case cases[] = {
		{ "150%", 1, "share 150% is out of range 0%..100%" },
		{ "-5%", 1, "share -5% is out of range 0%..100%" },
		{ "1.5", 1, "share 1.5 is out of range 0..1" },
		{ " 2", 2, "share 2 is out of range 0..1" },
		{ "55%x", 4, "unexpected 'x' after number '55'" },
		{ "half", 1, "expected a share such as 55% or 0.55, got 'half'" },
	};
	CHECK_BAD(parse_share, cases);
}

static void counts_are_non_negative_whole_numbers(void **state)
{
	(void)state;
	int64_t v = -1;
	assert_int_equal(sim_parse_count("3", &v, NULL), 0);
	assert_int_equal(v, 3);
	assert_int_equal(sim_parse_count(" 42 ", &v, NULL), 0);
	assert_int_equal(v, 42);
	assert_int_equal(sim_parse_count("0", &v, NULL), 0);
	assert_int_equal(v, 0);
	assert_int_equal(sim_parse_count("9223372036854775807", &v, NULL), 0);
	assert_int_equal(v, INT64_MAX);
}

static void count_errors_name_the_problem_and_column(void **state)
{
	(void)state;
	static const struct bad_case cases[] = {
		{ "3.5", 2, "count '3.5' must be a whole number" },
		{ "1e3", 2, "count '1e3' must be a whole number" },
		{ "-1", 1, "count '-1' must not be negative" },
		{ "abc", 1, "expected a whole number, got 'abc'" },
		{ "", 1, "expected a whole number, got nothing" },
		{ "9223372036854775808", 1, "count '9223372036854775808' is too large" },
		{ "3 apples", 3, "unexpected 'apples' after number '3'" },
	};
	CHECK_BAD(parse_count, cases);
}

static void reals_are_finite_numbers(void **state)
{
	(void)state;
	double v;
	assert_int_equal(sim_parse_real("1.5", &v, NULL), 0);
	assert_near(v, 1.5, 0);
	assert_int_equal(sim_parse_real("-2", &v, NULL), 0);
	assert_near(v, -2, 0);
	assert_int_equal(sim_parse_real("1e-3", &v, NULL), 0);
	assert_near(v, 1e-3, 0);
	assert_int_equal(sim_parse_real("0.1", &v, NULL), 0);
	assert_true(v == 0.1); /* correctly rounded, like strtod */
	assert_int_equal(sim_parse_real("2.5E+2", &v, NULL), 0);
	assert_near(v, 250, 0);
}

static void real_errors_name_the_problem_and_column(void **state)
{
	(void)state;
	static const struct bad_case cases[] = {
		{ "inf", 1, "'inf' is not a finite number" },
		{ "nan", 1, "'nan' is not a finite number" },
		{ "1e400", 1, "number '1e400' is out of range" },
		{ "1.5x", 4, "unexpected 'x' after number '1.5'" },
		{ "1.5ms", 4, "unexpected 'ms' after number '1.5'" },
		{ "", 1, "expected a number, got nothing" },
		{ "x1", 1, "expected a number, got 'x1'" },
	};
	CHECK_BAD(parse_real, cases);
}

static void format_uses_the_largest_exact_unit(void **state)
{
	(void)state;
	static const struct {
		int64_t ns;
		const char *text;
	} cases[] = {
		{ 0, "0s" },
		{ 1, "1ns" },
		{ 1500000, "1500us" },
		{ 60 * SIM_NS_PER_S, "1m" },
		{ 90 * SIM_NS_PER_S, "90s" },
		{ SIM_NS_PER_H, "1h" },
		{ 36 * SIM_NS_PER_H, "36h" },
		{ SIM_NS_PER_DAY, "1d" },
		{ 365 * SIM_NS_PER_DAY, "1y" },
		{ 366 * SIM_NS_PER_DAY, "366d" },
		{ 400 * SIM_NS_PER_US, "400us" },
		{ -SIM_NS_PER_MS, "-1ms" },
		{ INT64_MAX, "9223372036854775807ns" },
	};
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		char buf[32];
		sim_format_duration(cases[k].ns, buf, sizeof(buf));
		assert_string_equal(buf, cases[k].text);
	}
}

static void formatted_durations_parse_back_to_the_same_ns(void **state)
{
	(void)state;
	/* A fixed xorshift sequence over magnitudes from 1 ns to ~292 years. */
	uint64_t x = 88172645463325252ull;
	for (int k = 0; k < 20000; k++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		int64_t ns = (int64_t)(x >> (1 + k % 63));
		if (k % 3 == 0)
			ns -= ns % SIM_NS_PER_MS; /* exercise the larger units too */
		char buf[32];
		sim_format_duration(ns, buf, sizeof(buf));
		int64_t back = -1;
		if (sim_parse_duration_ns(buf, &back, NULL) != 0 || back != ns)
			fail_msg("%lld -> '%s' -> %lld", (long long)ns, buf, (long long)back);
	}
}

static void format_truncates_to_the_buffer(void **state)
{
	(void)state;
	char buf[4] = "xxx";
	sim_format_duration(1500000, buf, sizeof(buf));
	assert_string_equal(buf, "150");
}

static void sizes_are_bytes_in_powers_of_1024(void **state)
{
	(void)state;
	int64_t v;
	static const struct { const char *text; int64_t bytes; } ok[] = {
		{ "4096", 4096 },        { "0", 0 },          { "1K", 1024 },
		{ "512M", 512 << 20 },   { " 1.5G ", (int64_t)3 << 29 },
		{ "4GiB", (int64_t)4 << 30 }, { "2 MiB", 2 << 20 }, { "1T", (int64_t)1 << 40 },
		{ "100B", 100 },
	};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		assert_int_equal(sim_parse_size_bytes(ok[i].text, &v, NULL), 0);
		assert_int_equal(v, ok[i].bytes);
	}
}

static void size_errors_name_the_problem_and_column(void **state)
{
	(void)state;
	static const struct { const char *text; int col; const char *message; } bad[] = {
		{ "lots", 1, "expected a size such as 512M, got 'lots'" },
		{ "", 1, "expected a size such as 512M, got nothing" },
		{ "512X", 4, "unknown size unit 'X' (use B, K, M, G, T or KiB, MiB, GiB, TiB)" },
		{ "-1G", 1, "size '-1G' must not be negative" },
		{ "1G 2", 4, "unexpected '2' after size '1G'" },
		{ "99999999T", 1, "size '99999999T' is too large" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct sim_parse_error err = {0};
		int64_t v;
		assert_int_equal(sim_parse_size_bytes(bad[i].text, &v, &err), -1);
		assert_string_equal(err.message, bad[i].message);
		assert_int_equal(err.col, bad[i].col);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(durations_convert_exactly_to_ns),
		cmocka_unit_test(durations_allow_blanks_and_a_bare_zero),
		cmocka_unit_test(duration_errors_name_the_problem_and_column),
		cmocka_unit_test(rates_convert_to_per_second),
		cmocka_unit_test(rate_errors_name_the_problem_and_column),
		cmocka_unit_test(shares_accept_percent_or_fraction),
		cmocka_unit_test(share_errors_name_the_problem_and_column),
		cmocka_unit_test(counts_are_non_negative_whole_numbers),
		cmocka_unit_test(count_errors_name_the_problem_and_column),
		cmocka_unit_test(reals_are_finite_numbers),
		cmocka_unit_test(real_errors_name_the_problem_and_column),
		cmocka_unit_test(format_uses_the_largest_exact_unit),
		cmocka_unit_test(formatted_durations_parse_back_to_the_same_ns),
		cmocka_unit_test(format_truncates_to_the_buffer),
		cmocka_unit_test(sizes_are_bytes_in_powers_of_1024),
		cmocka_unit_test(size_errors_name_the_problem_and_column),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
