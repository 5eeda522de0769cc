/* Quantities with units: the edge where user text becomes int64 nanoseconds
 * and per-second rates.
 *
 * Numbers are scanned by hand into (decimal digits, power of ten) rather than
 * with strtod, for two reasons: durations are then converted exactly (1.1s is
 * 1100000000 ns, not one off), and the result does not depend on the
 * process's LC_NUMERIC (the dashboard may set a locale with a decimal comma).
 * Reals are handed to strtod as "DIGITSeEXP", which has no decimal point and
 * so is read the same in every locale, and correctly rounded by glibc.
 * Every error names a 1-based column inside the text it was given. */
#include "units.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "time.h"

#define DURATION_UNITS "ns, us, ms, s, m, h, d"

/* Significant digits kept for exact duration arithmetic: 10^21 times the
 * largest unit (a year, 3.2e16 ns) still fits in a signed 128-bit integer.
 * Later digits weigh less than 1e-21 of the value and are dropped. */
#define MAX_SIG_DIGITS 21

struct number {
	bool negative;
	bool has_point;      /* a '.' was seen */
	bool has_exponent;   /* an e/E exponent was seen */
	char digits[MAX_SIG_DIGITS + 1]; /* significant digits, no leading zeros */
	int ndigits;
	long exp10;          /* value = digits * 10^exp10 */
	size_t start, end;   /* byte span in the text */
};

static void set_error(struct sim_parse_error *err, size_t col, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_error(struct sim_parse_error *err, size_t col, const char *fmt, ...)
{
	if (!err)
		return;
	err->col = (int)col;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
}

/* Echo of user text for a message: at most 40 bytes, so the message fits. */
static int echo_len(size_t len)
{
	return len > 40 ? 40 : (int)len;
}

static size_t skip_blanks(const char *s, size_t i)
{
	while (s[i] == ' ' || s[i] == '\t')
		i++;
	return i;
}

/* Length of `s` without trailing blanks. */
static size_t trimmed_end(const char *s)
{
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return n;
}

/* Scan [+-]? (D+ [. D*] | . D+) ([eE] [+-]? D+)? at s[i].  Returns false
 * (and leaves *n unspecified) when there is no number there.  A trailing 'e'
 * without digits is not consumed, so "5e" scans as 5 followed by "e". */
static bool scan_number(const char *s, size_t i, bool allow_exponent, struct number *n)
{
	memset(n, 0, sizeof(*n));
	n->start = i;
	if (s[i] == '+' || s[i] == '-') {
		n->negative = s[i] == '-';
		i++;
	}
	bool any = false;
	long dropped_int = 0; /* integer digits beyond MAX_SIG_DIGITS */
	long frac_kept = 0;   /* fraction digits stored in digits[] */
	for (; isdigit((unsigned char)s[i]); i++) {
		any = true;
		if (n->ndigits == 0 && s[i] == '0')
			continue;
		if (n->ndigits < MAX_SIG_DIGITS)
			n->digits[n->ndigits++] = s[i];
		else
			dropped_int++;
	}
	if (s[i] == '.') {
		n->has_point = true;
		i++;
		for (; isdigit((unsigned char)s[i]); i++) {
			any = true;
			if (n->ndigits == 0 && s[i] == '0') {
				frac_kept++; /* a leading zero after the point scales */
				continue;
			}
			if (n->ndigits < MAX_SIG_DIGITS) {
				n->digits[n->ndigits++] = s[i];
				frac_kept++;
			}
		}
	}
	if (!any)
		return false;
	n->exp10 = dropped_int - frac_kept;
	if (allow_exponent && (s[i] == 'e' || s[i] == 'E')) {
		size_t j = i + 1;
		bool neg = false;
		if (s[j] == '+' || s[j] == '-')
			neg = s[j++] == '-';
		if (isdigit((unsigned char)s[j])) {
			long e = 0;
			for (; isdigit((unsigned char)s[j]); j++)
				if (e < 100000)
					e = e * 10 + (s[j] - '0');
			n->exp10 += neg ? -e : e;
			n->has_exponent = true;
			i = j;
		}
	}
	n->digits[n->ndigits] = '\0';
	n->end = i;
	return true;
}

static bool number_is_zero(const struct number *n)
{
	return n->ndigits == 0;
}

/* The double nearest the scanned number (may be inf on overflow). */
static double number_to_double(const struct number *n)
{
	if (n->ndigits == 0)
		return 0.0;
	char buf[MAX_SIG_DIGITS + 32];
	snprintf(buf, sizeof(buf), "%se%ld", n->digits, n->exp10);
	double v = strtod(buf, NULL);
	return n->negative ? -v : v;
}

/* "inf", "nan", "infinity" in any case: named so the message can say why. */
static bool looks_non_finite(const char *s)
{
	if (*s == '+' || *s == '-')
		s++;
	return strncasecmp(s, "inf", 3) == 0 || strncasecmp(s, "nan", 3) == 0;
}

/* Reports "expected a number" for text that does not start with one. */
static void not_a_number(const char *what, const char *text, size_t i,
			 struct sim_parse_error *err)
{
	size_t end = trimmed_end(text);
	if (i >= end) {
		set_error(err, i + 1, "expected %s, got nothing", what);
		return;
	}
	int len = echo_len(end - i);
	if (looks_non_finite(text + i))
		set_error(err, i + 1, "'%.*s' is not a finite number", len, text + i);
	else
		set_error(err, i + 1, "expected %s, got '%.*s'", what, len, text + i);
}

struct duration_unit {
	const char *name;
	int64_t ns;
};

static const struct duration_unit duration_units[] = {
	{ "ns", 1 },
	{ "us", SIM_NS_PER_US },
	{ "ms", SIM_NS_PER_MS },
	{ "s", SIM_NS_PER_S },
	{ "m", SIM_NS_PER_MIN },
	{ "h", SIM_NS_PER_H },
	{ "d", SIM_NS_PER_DAY },
	{ "y", 365 * SIM_NS_PER_DAY },
};

#define NUNITS (sizeof(duration_units) / sizeof(duration_units[0]))

static int64_t unit_ns(const char *s, size_t len)
{
	for (size_t k = 0; k < NUNITS; k++)
		if (strlen(duration_units[k].name) == len &&
		    memcmp(duration_units[k].name, s, len) == 0)
			return duration_units[k].ns;
	return 0;
}

/* digits * 10^exp10 * unit, rounded to the nearest ns; false on overflow. */
static bool exact_ns(const struct number *n, int64_t unit, int64_t *out)
{
	if (n->ndigits == 0) {
		*out = 0;
		return true;
	}
	/* Decimal digits left of the point: beyond 19 it cannot fit an int64. */
	if (n->ndigits + n->exp10 > 20)
		return false;
	__int128 m = 0;
	for (int k = 0; k < n->ndigits; k++)
		m = m * 10 + (n->digits[k] - '0');
	m *= unit;
	if (n->exp10 >= 0) {
		for (long k = 0; k < n->exp10; k++)
			m *= 10;
	} else if (n->exp10 < -38) {
		m = 0; /* m < 1.7e38, so m / 10^39 rounds to zero */
	} else {
		__int128 p = 1;
		for (long k = 0; k < -n->exp10; k++)
			p *= 10;
		m = (m + p / 2) / p;
	}
	if (m > INT64_MAX)
		return false;
	*out = (int64_t)m;
	return true;
}

int sim_parse_duration_ns(const char *text, int64_t *out_ns, struct sim_parse_error *err)
{
	size_t i = skip_blanks(text, 0);
	size_t end = trimmed_end(text);
	struct number n;
	if (!scan_number(text, i, false, &n)) {
		not_a_number("a duration such as 250ms", text, i, err);
		return -1;
	}
	size_t u = skip_blanks(text, n.end);
	size_t ue = u;
	while (ue < end && text[ue] != ' ' && text[ue] != '\t')
		ue++;
	int64_t unit = 0;
	if (ue == u) {
		if (!number_is_zero(&n)) {
			set_error(err, n.end + 1, "duration '%.*s' needs a unit (" DURATION_UNITS ")",
				  echo_len(n.end - n.start), text + n.start);
			return -1;
		}
	} else {
		unit = unit_ns(text + u, ue - u);
		if (!unit) {
			set_error(err, u + 1, "unknown duration unit '%.*s' (use " DURATION_UNITS ")",
				  echo_len(ue - u), text + u);
			return -1;
		}
	}
	size_t rest = skip_blanks(text, ue);
	if (rest < end) {
		set_error(err, rest + 1, "unexpected '%.*s' after duration '%.*s'",
			  echo_len(end - rest), text + rest, echo_len(ue - n.start),
			  text + n.start);
		return -1;
	}
	if (n.negative && !number_is_zero(&n)) {
		set_error(err, n.start + 1, "duration '%.*s' must not be negative",
			  echo_len(ue - n.start), text + n.start);
		return -1;
	}
	int64_t ns = 0;
	if (unit && !exact_ns(&n, unit, &ns)) {
		set_error(err, n.start + 1, "duration '%.*s' is too large (the limit is about 292y)",
			  echo_len(ue - n.start), text + n.start);
		return -1;
	}
	*out_ns = ns;
	return 0;
}

/* Sizes: powers of 1024, as memory is counted (and as `ulimit` and
 * `--memory` options of common tools read K, M, G). */
static const struct duration_unit size_units[] = {
	{ "B", 1 },
	{ "K", (int64_t)1 << 10 }, { "KiB", (int64_t)1 << 10 },
	{ "M", (int64_t)1 << 20 }, { "MiB", (int64_t)1 << 20 },
	{ "G", (int64_t)1 << 30 }, { "GiB", (int64_t)1 << 30 },
	{ "T", (int64_t)1 << 40 }, { "TiB", (int64_t)1 << 40 },
};

#define SIZE_UNITS "B, K, M, G, T or KiB, MiB, GiB, TiB"

int sim_parse_size_bytes(const char *text, int64_t *out_bytes, struct sim_parse_error *err)
{
	size_t i = skip_blanks(text, 0);
	size_t end = trimmed_end(text);
	struct number n;
	if (!scan_number(text, i, false, &n)) {
		not_a_number("a size such as 512M", text, i, err);
		return -1;
	}
	size_t u = skip_blanks(text, n.end);
	size_t ue = u;
	while (ue < end && text[ue] != ' ' && text[ue] != '\t')
		ue++;
	int64_t unit = 1; /* a bare number counts bytes */
	if (ue > u) {
		unit = 0;
		for (size_t k = 0; k < sizeof size_units / sizeof size_units[0]; k++)
			if (strlen(size_units[k].name) == ue - u &&
			    memcmp(size_units[k].name, text + u, ue - u) == 0)
				unit = size_units[k].ns;
		if (!unit) {
			set_error(err, u + 1, "unknown size unit '%.*s' (use " SIZE_UNITS ")",
				  echo_len(ue - u), text + u);
			return -1;
		}
	}
	size_t rest = skip_blanks(text, ue);
	if (rest < end) {
		set_error(err, rest + 1, "unexpected '%.*s' after size '%.*s'", echo_len(end - rest),
			  text + rest, echo_len(ue - n.start), text + n.start);
		return -1;
	}
	if (n.negative && !number_is_zero(&n)) {
		set_error(err, n.start + 1, "size '%.*s' must not be negative",
			  echo_len(ue - n.start), text + n.start);
		return -1;
	}
	int64_t bytes;
	if (!exact_ns(&n, unit, &bytes)) {
		set_error(err, n.start + 1, "size '%.*s' is too large", echo_len(ue - n.start),
			  text + n.start);
		return -1;
	}
	*out_bytes = bytes;
	return 0;
}

/* A finite real at text[i..], leaving the index after it in *after. */
static int parse_real_at(const char *text, size_t i, const char *what, double *out,
			 struct number *n, struct sim_parse_error *err)
{
	if (!scan_number(text, i, true, n)) {
		not_a_number(what, text, i, err);
		return -1;
	}
	double v = number_to_double(n);
	if (!isfinite(v)) {
		set_error(err, n->start + 1, "number '%.*s' is out of range",
			  echo_len(n->end - n->start), text + n->start);
		return -1;
	}
	*out = v;
	return 0;
}

static int expect_end(const char *text, size_t i, const struct number *n,
		      struct sim_parse_error *err)
{
	size_t end = trimmed_end(text);
	i = skip_blanks(text, i);
	if (i < end) {
		set_error(err, i + 1, "unexpected '%.*s' after number '%.*s'",
			  echo_len(end - i), text + i, echo_len(n->end - n->start),
			  text + n->start);
		return -1;
	}
	return 0;
}

int sim_parse_real(const char *text, double *out, struct sim_parse_error *err)
{
	struct number n;
	double v;
	if (parse_real_at(text, skip_blanks(text, 0), "a number", &v, &n, err) < 0 ||
	    expect_end(text, n.end, &n, err) < 0)
		return -1;
	*out = v;
	return 0;
}

int sim_parse_rate_per_s(const char *text, double *out_per_s, struct sim_parse_error *err)
{
	struct number n;
	double v;
	size_t end = trimmed_end(text);
	if (parse_real_at(text, skip_blanks(text, 0), "a rate such as 2000/s", &v, &n, err) < 0)
		return -1;
	size_t i = skip_blanks(text, n.end);
	if (i >= end) {
		set_error(err, n.end + 1, "rate '%.*s' needs a unit (/s, /m, /h)",
			  echo_len(n.end - n.start), text + n.start);
		return -1;
	}
	size_t u = i;
	if (text[i] == '/')
		i = skip_blanks(text, i + 1);
	size_t ue = i;
	while (ue < end && text[ue] != ' ' && text[ue] != '\t')
		ue++;
	double per_s = 0;
	if (text[u] == '/' && ue == i + 1 && text[i] == 's')
		per_s = 1;
	else if (text[u] == '/' && ue == i + 1 && text[i] == 'm')
		per_s = 60;
	else if (text[u] == '/' && ue == i + 1 && text[i] == 'h')
		per_s = 3600;
	if (per_s == 0) {
		set_error(err, u + 1, "unknown rate unit '%.*s' (use /s, /m, /h)",
			  echo_len(ue - u), text + u);
		return -1;
	}
	size_t rest = skip_blanks(text, ue);
	if (rest < end) {
		set_error(err, rest + 1, "unexpected '%.*s' after rate '%.*s'",
			  echo_len(end - rest), text + rest, echo_len(ue - n.start),
			  text + n.start);
		return -1;
	}
	if (v < 0) {
		set_error(err, n.start + 1, "rate '%.*s' must not be negative",
			  echo_len(ue - n.start), text + n.start);
		return -1;
	}
	*out_per_s = v / per_s + 0.0; /* + 0.0 turns -0 into 0 */
	return 0;
}

int sim_parse_share(const char *text, double *out_fraction, struct sim_parse_error *err)
{
	struct number n;
	double v;
	if (parse_real_at(text, skip_blanks(text, 0), "a share such as 55% or 0.55", &v, &n,
			  err) < 0)
		return -1;
	size_t i = skip_blanks(text, n.end);
	bool percent = text[i] == '%';
	if (percent)
		i++;
	if (expect_end(text, i, &n, err) < 0)
		return -1;
	int len = echo_len(n.end - n.start);
	if (percent ? (v < 0 || v > 100) : (v < 0 || v > 1)) {
		if (percent)
			set_error(err, n.start + 1, "share %.*s%% is out of range 0%%..100%%", len,
				  text + n.start);
		else
			set_error(err, n.start + 1, "share %.*s is out of range 0..1", len,
				  text + n.start);
		return -1;
	}
	*out_fraction = (percent ? v / 100 : v) + 0.0;
	return 0;
}

int sim_parse_count(const char *text, int64_t *out, struct sim_parse_error *err)
{
	size_t i = skip_blanks(text, 0);
	struct number n;
	if (!scan_number(text, i, true, &n)) {
		not_a_number("a whole number", text, i, err);
		return -1;
	}
	int len = echo_len(n.end - n.start);
	if (n.has_point || n.has_exponent) {
		const char *p = strpbrk(text + n.start, ".eE");
		set_error(err, (size_t)(p - text) + 1, "count '%.*s' must be a whole number", len,
			  text + n.start);
		return -1;
	}
	if (expect_end(text, n.end, &n, err) < 0)
		return -1;
	if (n.negative && !number_is_zero(&n)) {
		set_error(err, n.start + 1, "count '%.*s' must not be negative", len,
			  text + n.start);
		return -1;
	}
	int64_t v;
	if (!exact_ns(&n, 1, &v)) {
		set_error(err, n.start + 1, "count '%.*s' is too large", len, text + n.start);
		return -1;
	}
	*out = v;
	return 0;
}

void sim_format_duration(int64_t ns, char *buf, int len)
{
	if (len <= 0)
		return;
	if (ns == 0) {
		snprintf(buf, (size_t)len, "0s");
		return;
	}
	/* Magnitude as unsigned so INT64_MIN has one too. */
	uint64_t mag = ns < 0 ? -(uint64_t)ns : (uint64_t)ns;
	for (size_t k = NUNITS; k-- > 0;) {
		uint64_t u = (uint64_t)duration_units[k].ns;
		if (mag % u == 0) {
			snprintf(buf, (size_t)len, "%s%llu%s", ns < 0 ? "-" : "",
				 (unsigned long long)(mag / u), duration_units[k].name);
			return;
		}
	}
}
