/* SLO expressions, as written on the command line: `--slo 'p99<=250ms'`.
 *
 *   EXPR   := METRIC OP VALUE
 *   METRIC := mean | p50 | p90 | p99 | p999 | availability | throughput
 *   OP     := <= | < | >= | >      (a strict and a non-strict bound read the
 *                                   same: estimates are continuous)
 *   VALUE  := a duration for latencies (250ms), a share for availability
 *             (99.9%), a rate for throughput (1500/s)
 * Latencies take upper bounds and availability and throughput lower ones; the
 * other direction is an error, since "p99 >= 250ms" is never what a gate
 * means.  The same metric names are the keys of the scenario's `slo:`. */
#ifndef SCENARIOS_SLO_EXPR_H
#define SCENARIOS_SLO_EXPR_H

#include "models/config.h"
#include "sim/units.h"

/* 0, or -1 with err (column inside text). */
int scn_parse_slo_expr(const char *text, struct slo_check *out, struct sim_parse_error *err);

#endif
