/* Quantities with units, as users write them: durations, rates, shares, counts.
 *
 *   duration: a number and a unit: ns, us, ms, s, m, h, d, y (y = 365 d);
 *             "0" alone is accepted (zero needs no unit).  e.g. 250ms, 1.5s
 *   rate:     N/s, N/m or N/h (events per unit of time), e.g. 2000/s
 *   share:    N% or a plain fraction, in [0, 1] once converted, e.g. 55%, 0.55
 *   count:    a non-negative decimal integer
 *   size:     bytes, a number and an optional unit B, K, M, G, T (or KiB,
 *             MiB, GiB, TiB), all powers of 1024, e.g. 512M, 1.5G, 4096
 * Parsers take the whole string (surrounding blanks allowed) and fill a
 * sim_parse_error with a 1-based column inside that string on failure. */
#ifndef SIM_UNITS_H
#define SIM_UNITS_H

#include <stdint.h>

struct sim_parse_error {
	int col;            /* 1-based column in the parsed text; 0 = whole text */
	char message[200];  /* e.g. "unknown duration unit 'sec' (use ns, us, ms, s, m, h, d)" */
};

/* Each returns 0 on success, -1 with *err filled on failure.  Values that
 * do not fit (a duration beyond 292 years) are errors, not wrap-arounds. */
int sim_parse_duration_ns(const char *text, int64_t *out_ns, struct sim_parse_error *err);
int sim_parse_rate_per_s(const char *text, double *out_per_s, struct sim_parse_error *err);
int sim_parse_share(const char *text, double *out_fraction, struct sim_parse_error *err);
int sim_parse_count(const char *text, int64_t *out, struct sim_parse_error *err);
/* Bytes, rounded to the nearest byte, e.g. "512M" -> 536870912. */
int sim_parse_size_bytes(const char *text, int64_t *out_bytes, struct sim_parse_error *err);
/* A finite real number (no unit), e.g. "1.5". */
int sim_parse_real(const char *text, double *out, struct sim_parse_error *err);

/* Canonical text of a duration: the largest unit that represents it exactly
 * (e.g. 1500000 -> "1500us", 60000000000 -> "1m"), "0s" for zero. */
void sim_format_duration(int64_t ns, char *buf, int len);

#endif
