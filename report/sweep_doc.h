/* The sweep document's representation, shared by report/sweep_*.c only. */
#ifndef REPORT_SWEEP_DOC_H
#define REPORT_SWEEP_DOC_H

#include <jansson.h>

#include "sweep.h"

struct rpt_sweep_doc {
	json_t *root;   /* the object sweep.json dumps, keys in insertion order */
};

/* How sweep.json is dumped: key order kept, reals with 10 significant digits. */
#define RPT_SWEEP_JSON_FLAGS (JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10))
/* The digits the CSV prints reals with: the JSON's, so both say the same. */
#define RPT_SWEEP_DIGITS 10

#endif
