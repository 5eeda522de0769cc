/* SLO expressions from the command line; see slo_expr.h. */
#include "slo_expr.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>


static int fail(struct sim_parse_error *err, int col, const char *msg, const char *arg)
{
	err->col = col;
	snprintf(err->message, sizeof err->message, msg, arg);
	return -1;
}

int scn_parse_slo_expr(const char *text, struct slo_check *out, struct sim_parse_error *err)
{
	const char *p = text;
	while (isspace((unsigned char)*p))
		p++;
	const char *name = p;
	while (isalnum((unsigned char)*p) || *p == '_')
		p++;
	size_t len = (size_t)(p - name);
	int metric = -1;
	for (int m = 0; m < SLO_METRIC_COUNT; m++)
		if (strlen(slo_metric_name(m)) == len && !strncmp(name, slo_metric_name(m), len))
			metric = m;
	if (metric < 0) {
		char got[64];
		snprintf(got, sizeof got, "%.*s", (int)(len < 40 ? len : 40), name);
		return fail(err, (int)(name - text) + 1,
			    "unknown SLO metric '%s' (use mean, p50, p90, p99, p999, availability or throughput)",
			    got);
	}
	while (isspace((unsigned char)*p))
		p++;
	const char *op = p;
	bool at_most;
	if (p[0] == '<')
		at_most = true;
	else if (p[0] == '>')
		at_most = false;
	else
		return fail(err, (int)(op - text) + 1, "expected <=, <, >= or > after '%s'",
			    slo_metric_name(metric));
	p += p[1] == '=' ? 2 : 1;
	bool latency = metric <= SLO_P999;
	if (latency != at_most)
		return fail(err, (int)(op - text) + 1,
			    latency ? "a latency SLO is an upper bound: write %s<=VALUE"
				    : "%s is a lower bound: write it with >=",
			    slo_metric_name(metric));
	out->metric = (enum slo_metric)metric;
	out->op = at_most ? SLO_AT_MOST : SLO_AT_LEAST;
	int offset = (int)(p - text);
	int rc;
	if (latency) {
		int64_t ns;
		rc = sim_parse_duration_ns(p, &ns, err);
		out->target = (double)ns;
	} else if (metric == SLO_AVAILABILITY) {
		rc = sim_parse_share(p, &out->target, err);
	} else {
		rc = sim_parse_rate_per_s(p, &out->target, err);
	}
	if (rc) {
		if (err->col > 0)
			err->col += offset;
		return -1;
	}
	return 0;
}
