/* The workload reduced to one dynamic class, for the validation tests that
 * need every request alike (test_app_failures.c, test_scaling.c and, through
 * transparent.h, test_model.c, test_limits.c and test_replication.c).
 *
 * The class keeps model_config_init's first slot: the other classes' app
 * costs are freed, and its own stays the default's until the caller sets it
 * (no stream is named after a class, so renaming it moves no number). */
#ifndef TESTS_VALIDATION_ONE_CLASS_H
#define TESTS_VALIDATION_ONE_CLASS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "models/config.h"
#include "sim/dist.h"

/* One class called `name`, with all the share, dynamic, making no query. */
static inline struct wl_class_config *one_dynamic_class(struct model_config *c,
							 const char *name)
{
	for (size_t k = 1; k < c->wl.nclasses; k++)
		sim_dist_fini(&c->wl.classes[k].app);
	c->wl.nclasses = 1;
	struct wl_class_config *only = &c->wl.classes[0];
	snprintf(only->name, sizeof only->name, "%s", name);
	only->share = 1;
	only->dynamic = true;
	only->db_reads = only->db_writes = 0;
	return only;
}

#endif
