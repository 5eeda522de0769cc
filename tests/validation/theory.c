/* The validation tests' comparison with theory; see theory.h. */
#include "theory.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include <cmocka.h>

#include "sim/ci.h"

void theory_expect(const struct theory_case *c)
{
	static double values[THEORY_MAX_REPS * THEORY_MAX_METRICS];
	double limit = c->max_rel_half_width > 0 ? c->max_rel_half_width : 0.02;
	int covering[THEORY_MAX_METRICS] = {0};
	assert_true(c->reps >= 2 && c->reps <= THEORY_MAX_REPS);
	assert_true(c->nmetrics >= 1 && c->nmetrics <= THEORY_MAX_METRICS);
	for (int e = 0; e < THEORY_EXPERIMENTS; e++) {
		uint64_t seed = c->base_seed + (uint64_t)e;
		assert_int_equal(c->run(c->ctx, seed, c->reps, values), 0);
		for (int m = 0; m < c->nmetrics; m++) {
			double x[THEORY_MAX_REPS];
			for (unsigned i = 0; i < c->reps; i++)
				x[i] = values[i * (unsigned)c->nmetrics + (unsigned)m];
			struct sim_ci ci = sim_ci_of(x, c->reps, 0.95);
			double rel = sim_ci_relative_half_width(&ci);
			bool inside = sim_ci_contains(&ci, c->analytic[m]);
			covering[m] += inside;
			print_message("  %-30s %-5s seed %llu: analytic %.6g, simulated %.6g, "
				      "95%% CI [%.6g, %.6g], half-width %.2f%%%s\n",
				      c->what, c->metric[m], (unsigned long long)seed, c->analytic[m],
				      ci.mean, ci.lo, ci.hi, 100 * rel, inside ? "" : "  (outside)");
			assert_true(rel < limit);
		}
	}
	for (int m = 0; m < c->nmetrics; m++)
		assert_true(covering[m] >= THEORY_MIN_COVERING);
}
