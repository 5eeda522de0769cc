/* Fuzz target: the distribution and unit parsers on arbitrary text.
 *
 * The first byte picks the parser (distribution, duration, rate, share,
 * count, real, size), the rest is the text.  Oracles: a failure names a column
 * inside the text (or 0 for the whole text) and a message; a distribution
 * that parses has a finite, non-negative mean and variance and samples
 * finite, non-negative values; a duration that parses prints back
 * (sim_format_duration) to text that parses to the same value; a share is
 * in [0, 1]; a count and a size are not negative. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "sim/dist.h"
#include "sim/rng.h"
#include "sim/units.h"

#define MAX_TEXT 4096
/* Distribution, duration, then the five of fuzz_number. */
#define PARSERS 7

static void check_error(const struct sim_parse_error *err, size_t len)
{
	FUZZ_REQUIRE(err->col >= 0 && (size_t)err->col <= len + 1, "error column inside the text");
	FUZZ_REQUIRE(err->message[0] != '\0', "an error has a message");
}

static void fuzz_distribution(const char *text, size_t len)
{
	struct sim_dist d;
	struct sim_parse_error err = {0};
	struct sim_dist_parse_opts opts = {.base_dir = "/nonexistent/tiersim-fuzz"};
	if (sim_dist_parse(text, &opts, &d, &err) != 0) {
		check_error(&err, len);
		return;
	}
	double mean = sim_dist_mean(&d), var = sim_dist_variance(&d);
	FUZZ_REQUIRE(isfinite(mean) && mean >= 0, "finite non-negative mean");
	FUZZ_REQUIRE(!isnan(var) && var >= 0, "variance is a number >= 0");
	gsl_rng *r = sim_rng_stream_create(1, 0, "fuzz");
	FUZZ_REQUIRE(r != NULL, "a stream");
	for (int i = 0; i < 16; i++) {
		double x = sim_dist_sample(&d, r);
		FUZZ_REQUIRE(isfinite(x) && x >= 0, "finite non-negative sample");
	}
	gsl_rng_free(r);
	sim_dist_fini(&d);
}

static void fuzz_duration(const char *text, size_t len)
{
	int64_t ns;
	struct sim_parse_error err = {0};
	if (sim_parse_duration_ns(text, &ns, &err) != 0) {
		check_error(&err, len);
		return;
	}
	char back[64];
	sim_format_duration(ns, back, sizeof back);
	int64_t again;
	FUZZ_REQUIRE(sim_parse_duration_ns(back, &again, &err) == 0 && again == ns,
		     "a duration prints back to itself");
}

static void fuzz_number(int which, const char *text, size_t len)
{
	struct sim_parse_error err = {0};
	double x = 0;
	int64_t n = 0;
	int rc = which == 0 ? sim_parse_rate_per_s(text, &x, &err)
		 : which == 1 ? sim_parse_share(text, &x, &err)
		 : which == 2 ? sim_parse_count(text, &n, &err)
		 : which == 3 ? sim_parse_real(text, &x, &err)
			      : sim_parse_size_bytes(text, &n, &err);
	if (rc != 0) {
		check_error(&err, len);
		return;
	}
	FUZZ_REQUIRE(isfinite(x) && n >= 0, "a parsed quantity is finite");
	if (which == 1)
		FUZZ_REQUIRE(x >= 0 && x <= 1, "a share is in [0, 1]");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > MAX_TEXT)
		return 0;
	char text[MAX_TEXT];
	size_t len = size - 1;
	memcpy(text, data + 1, len);
	text[len] = '\0';
	if (strlen(text) != len)
		return 0; /* the parsers take C strings: an embedded NUL ends the text */
	switch (data[0] % PARSERS) {
	case 0:
		fuzz_distribution(text, len);
		break;
	case 1:
		fuzz_duration(text, len);
		break;
	default:
		fuzz_number(data[0] % PARSERS - 2, text, len);
		break;
	}
	return 0;
}
