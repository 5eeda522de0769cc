/* The analytic cross-check of a summary (internal to report/).
 *
 * Puts the open queueing-network approximation (struct model_analytic) beside
 * the simulated figures, marks each pair that differs by more than 10%, and
 * says why such a difference is expected from what the configuration and the
 * results contain. */
#ifndef REPORT_CROSSCHECK_H
#define REPORT_CROSSCHECK_H

#include "summary.h"

/* Relative difference beyond which a pair is marked. */
#define RPT_CROSSCHECK_TOLERANCE 0.10
/* Utilizations closer than this (absolute) are never marked: 0.002 against
 * 0.0025 is noise, not a finding. */
#define RPT_CROSSCHECK_UTIL_FLOOR 0.002

/* Fill s->analytic from a (NULL: present = false).  Needs the rest of the
 * summary (requests, errors, nodes, tiers) already built. */
void rpt_crosscheck_fill(const struct model_config *cfg, const struct model_analytic *a,
			 struct rpt_summary *s);

#endif
