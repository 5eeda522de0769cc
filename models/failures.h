/* Failure injection, as the rest of the program sees it (models/failures.c). */
#ifndef MODELS_FAILURES_H
#define MODELS_FAILURES_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

/* Whether this version simulates every failure of cfg; when it does not,
 * why (one line) — a run must refuse rather than ignore a failure. */
bool model_failures_supported(const struct model_config *cfg, char *why, size_t whylen);

#endif
