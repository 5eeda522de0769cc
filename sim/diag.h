/* Diagnostics: errors collected with their positions, never printed here.
 *
 * Library code (parsers, the scenario loader) reports what is wrong by adding
 * to a `struct sim_diags` and returning an error code; it never prints and
 * never exits.  cli/ prints the list as `FILE:LINE:COL: error: message` and
 * chooses the exit status.  A list keeps going after the first error so a
 * user sees as many problems as possible in one pass, up to a cap. */
#ifndef SIM_DIAG_H
#define SIM_DIAG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

enum sim_diag_level { SIM_DIAG_ERROR, SIM_DIAG_WARNING, SIM_DIAG_NOTE };

struct sim_diag {
	enum sim_diag_level level;
	char *file;   /* owned copy; NULL when the input had no file (a --set value) */
	int line;     /* 1-based; 0 = unknown */
	int col;      /* 1-based; 0 = unknown */
	char *message; /* owned, no trailing newline */
};

struct sim_diags {
	struct sim_diag *items;
	size_t count;
	size_t cap;
	size_t errors;  /* number of SIM_DIAG_ERROR items */
	size_t dropped; /* items not stored because the cap was reached */
	size_t max_items; /* 0 = default cap (100) */
};

void sim_diags_init(struct sim_diags *d);
void sim_diags_fini(struct sim_diags *d);

/* Add a diagnostic; printf-style message. */
void sim_diags_add(struct sim_diags *d, enum sim_diag_level level, const char *file,
		   int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
void sim_diags_addv(struct sim_diags *d, enum sim_diag_level level, const char *file,
		    int line, int col, const char *fmt, va_list ap);

/* Shorthand for an error without a position (line = col = 0). */
void sim_diags_error(struct sim_diags *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Shift the column of every diagnostic from index `from` on by `col_offset`
 * and set its file/line: used when a sub-parser (a distribution string) ran
 * on text that starts at FILE:LINE:COL of a bigger document. */
void sim_diags_relocate(struct sim_diags *d, size_t from, const char *file, int line,
			int col_offset);

/* Print every item as `FILE:LINE:COL: error: message` (parts omitted when
 * unknown) to `out`. */
void sim_diags_print(const struct sim_diags *d, FILE *out);

#endif
