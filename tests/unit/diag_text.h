/* Test helper: the text sim_diags_print writes, as one malloc'ed string
 * (the caller frees it).  Header-only so each test program stays one file. */
#ifndef TESTS_DIAG_TEXT_H
#define TESTS_DIAG_TEXT_H

#include <stdio.h>

#include "sim/diag.h"

static inline char *diag_text(const struct sim_diags *d)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	if (!out)
		return NULL;
	sim_diags_print(d, out);
	fclose(out);
	return buf;
}

#endif
