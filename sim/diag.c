/* Diagnostics: a growing list of positioned messages.
 *
 * Follows HAProxy's config parser: report a problem, keep going, let the
 * caller decide.  The list owns copies of file names and messages, so a
 * parser may report from a stack buffer.  Invariant: `errors` counts every
 * SIM_DIAG_ERROR ever added, including ones dropped at the cap, so a caller
 * that tests `errors > 0` for its exit status is never fooled by the cap. */
#include "diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_MAX_ITEMS 100

void sim_diags_init(struct sim_diags *d)
{
	memset(d, 0, sizeof(*d));
}

void sim_diags_fini(struct sim_diags *d)
{
	for (size_t i = 0; i < d->count; i++) {
		free(d->items[i].file);
		free(d->items[i].message);
	}
	free(d->items);
	memset(d, 0, sizeof(*d));
}

static size_t max_items(const struct sim_diags *d)
{
	return d->max_items ? d->max_items : DEFAULT_MAX_ITEMS;
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

void sim_diags_addv(struct sim_diags *d, enum sim_diag_level level, const char *file,
		    int line, int col, const char *fmt, va_list ap)
{
	if (level == SIM_DIAG_ERROR)
		d->errors++;
	if (d->count >= max_items(d)) {
		d->dropped++;
		return;
	}
	if (d->count == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 8;
		struct sim_diag *items = realloc(d->items, cap * sizeof(*items));
		if (!items) {
			/* Out of memory: losing a message beats losing the run. */
			d->dropped++;
			return;
		}
		d->items = items;
		d->cap = cap;
	}

	char *message = NULL;
	va_list ap2;
	va_copy(ap2, ap);
	int len = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (len >= 0 && (message = malloc((size_t)len + 1)))
		vsnprintf(message, (size_t)len + 1, fmt, ap);
	char *file_copy = dup_or_null(file);
	if (!message || (file && !file_copy)) {
		free(message);
		free(file_copy);
		d->dropped++;
		return;
	}
	struct sim_diag *it = &d->items[d->count++];
	it->level = level;
	it->file = file_copy;
	it->line = line > 0 ? line : 0;
	it->col = col > 0 ? col : 0;
	it->message = message;
}

void sim_diags_add(struct sim_diags *d, enum sim_diag_level level, const char *file,
		   int line, int col, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sim_diags_addv(d, level, file, line, col, fmt, ap);
	va_end(ap);
}

void sim_diags_error(struct sim_diags *d, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sim_diags_addv(d, SIM_DIAG_ERROR, NULL, 0, 0, fmt, ap);
	va_end(ap);
}

/* A sub-parser's column c (1-based inside its text) becomes c + col_offset,
 * so col_offset is the document column of the sub-text's first character
 * minus one.  An item without a column (0, "the whole text") is pointed at
 * the sub-text's start, which is the most precise thing known about it. */
void sim_diags_relocate(struct sim_diags *d, size_t from, const char *file, int line,
			int col_offset)
{
	for (size_t i = from; i < d->count; i++) {
		struct sim_diag *it = &d->items[i];
		if (file != it->file) {
			char *copy = dup_or_null(file);
			if (file && !copy)
				continue; /* keep the old file rather than none */
			free(it->file);
			it->file = copy;
		}
		it->line = line > 0 ? line : 0;
		int col = (it->col > 0 ? it->col : 1) + col_offset;
		it->col = col > 0 ? col : 0;
	}
}

static const char *level_name(enum sim_diag_level level)
{
	switch (level) {
	case SIM_DIAG_ERROR:
		return "error";
	case SIM_DIAG_WARNING:
		return "warning";
	case SIM_DIAG_NOTE:
		return "note";
	}
	return "error";
}

/* Position parts are printed only while they are known and their parent is:
 * a column without a line, or a line without a file, would mislead. */
void sim_diags_print(const struct sim_diags *d, FILE *out)
{
	for (size_t i = 0; i < d->count; i++) {
		const struct sim_diag *it = &d->items[i];
		if (it->file) {
			fputs(it->file, out);
			if (it->line > 0) {
				fprintf(out, ":%d", it->line);
				if (it->col > 0)
					fprintf(out, ":%d", it->col);
			}
			fputs(": ", out);
		}
		fprintf(out, "%s: %s\n", level_name(it->level), it->message);
	}
	if (d->dropped > 0)
		fprintf(out, "note: %zu more diagnostic%s not shown\n", d->dropped,
			d->dropped == 1 ? "" : "s");
}
