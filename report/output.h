/* Writing a summary: the text report for people, JSON and CSV for tools.
 *
 * Every writer prints the same struct rpt_summary, so the formats never
 * disagree; none prints wall-clock times, so golden tests can compare their
 * output byte for byte.  Undefined values (NAN) are '-' in text, null in
 * JSON and an empty cell in CSV.  docs/report.md documents every field.
 *
 * Each returns 0, or an errno value: EIO when the stream reports an error,
 * ENOMEM, or (JSON) EILSEQ for a name that is not UTF-8.  The *_writer variants have the rpt_writer_fn shape (ctx is a
 * const struct rpt_summary *) for rpt_write_file_atomic. */
#ifndef REPORT_OUTPUT_H
#define REPORT_OUTPUT_H

#include <stdio.h>

#include "summary.h"

/* The aligned report a person takes in within ten seconds (text.c). */
int rpt_write_text(const struct rpt_summary *s, FILE *out);
/* One JSON object, keys in a fixed order, reals with 10 significant digits (json.c). */
int rpt_write_json(const struct rpt_summary *s, FILE *out);
/* Long format: section,name,metric,value,ci_lo,ci_hi (csv.c). */
int rpt_write_summary_csv(const struct rpt_summary *s, FILE *out);
/* A header row, then one row per window of the time series (csv.c). */
int rpt_write_timeseries_csv(const struct rpt_summary *s, FILE *out);
/* The latency CDF, long format: class,quantile,latency_ms; "all" first,
 * then each class, RPT_CDF_POINTS rows each (csv.c). */
int rpt_write_latency_cdf_csv(const struct rpt_summary *s, FILE *out);

int rpt_text_writer(const void *summary, FILE *out);
int rpt_json_writer(const void *summary, FILE *out);
int rpt_summary_csv_writer(const void *summary, FILE *out);
int rpt_timeseries_csv_writer(const void *summary, FILE *out);
int rpt_latency_cdf_csv_writer(const void *summary, FILE *out);

#endif
