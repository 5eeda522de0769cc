/* Writing an output file atomically: a reader sees the old file or the whole
 * new one, never a half-written one (summary.json read by a CI job while a
 * rerun writes it, a run killed in the middle).
 *
 * The content goes to a temporary file in the same directory (so rename(2)
 * stays on one file system and is atomic), is flushed and fsync'ed, and only
 * then renamed over the final name.  On any error the temporary file is
 * removed and err says what failed. */
#ifndef REPORT_OUTFILE_H
#define REPORT_OUTFILE_H

#include <stddef.h>
#include <stdio.h>

/* Writes ctx to out; returns 0, or an errno value (or -1) on failure. */
typedef int (*rpt_writer_fn)(const void *ctx, FILE *out);

/* Write DIR/NAME with writer(ctx, file).  dir NULL or "" means the current
 * directory; name must be a plain file name (no '/').  The file is created
 * with mode 0644.  Returns 0, or an errno value with a message in err
 * ("DIR/NAME: why"). */
int rpt_write_file_atomic(const char *dir, const char *name, rpt_writer_fn writer,
			  const void *ctx, char *err, size_t errlen);

#endif
