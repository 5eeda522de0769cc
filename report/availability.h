/* Writing what `tiersim availability` estimated (report/availability.c).
 *
 * Availability is 1 - unavailability, the time-weighted share of requests
 * that succeed over the horizon; downtime is the unavailability in minutes
 * per year (365 days) whatever the horizon; nines are -log10 of the
 * unavailability.  Every estimate has a Student-t 95% CI over the
 * replications (sim/ci.h).  Text for people, JSON (keys in a fixed order,
 * reals with 10 significant digits, null for what is undefined) for tools;
 * docs/report.md lists the keys.  Each returns 0, or EIO / ENOMEM. */
#ifndef REPORT_AVAILABILITY_H
#define REPORT_AVAILABILITY_H

#include <stdint.h>
#include <stdio.h>

#include "models/availability.h"

struct rpt_availability {
	const char *scenario;          /* its name */
	uint64_t seed;
	const struct avail_options *opts;
	const struct avail_results *res;
};

#define RPT_MINUTES_PER_YEAR (365.0 * 24 * 60)

int rpt_availability_text(const struct rpt_availability *a, FILE *out);
int rpt_availability_json(const struct rpt_availability *a, FILE *out);
/* rpt_writer_fn shapes (ctx: const struct rpt_availability *) for --out. */
int rpt_availability_text_writer(const void *ctx, FILE *out);
int rpt_availability_json_writer(const void *ctx, FILE *out);

#endif
