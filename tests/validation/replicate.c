/* The architecture model as a theory case's run; see replicate.h. */
#include "replicate.h"

#include "models/replications.h"

int replicate_run(void *ctx, uint64_t seed, unsigned reps, double *values)
{
	const struct replicate_case *c = ctx;
	c->cfg->seed = seed;
	c->cfg->replications = (int)reps;
	struct model_replications out;
	struct model_replicate_opts opts = {.jobs = VALIDATION_JOBS};
	int rc = model_replicate(c->cfg, &opts, &out);
	if (!rc && out.n != reps)
		rc = -1; /* interrupted: values would be short */
	for (size_t i = 0; i < out.n && !rc; i++)
		rc = c->copy(&out.results[i], i, values);
	model_replications_fini(&out);
	return rc;
}
