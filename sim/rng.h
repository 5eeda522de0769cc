/* Named random streams.
 *
 * Every random draw comes from a GSL generator dedicated to one purpose
 * ("arrivals", "app3.service", "failures.lb1"), keyed by (seed, replication,
 * name).  The key is hashed to 64 bits and expanded (splitmix64) into the
 * generator's full state, so streams are independent of one another and a
 * stream's sequence depends on nothing but its key: adding a node or a
 * failure never shifts another stream.  That is what gives common random
 * numbers between what-if variants of one scenario. */
#ifndef SIM_RNG_H
#define SIM_RNG_H

#include <stdint.h>

#include <gsl/gsl_rng.h>

/* The 64-bit key of a stream (FNV-1a of the name mixed with seed and
 * replication through splitmix64).  Exposed for tests and for diagnostics. */
uint64_t sim_rng_stream_key(uint64_t seed, uint32_t replication, const char *name);

/* A new generator (gsl_rng_mt19937) for the stream; NULL when out of memory.
 * Free with gsl_rng_free. */
gsl_rng *sim_rng_stream_create(uint64_t seed, uint32_t replication, const char *name);

/* Re-key an existing generator in place (no allocation). */
void sim_rng_stream_reset(gsl_rng *r, uint64_t seed, uint32_t replication, const char *name);

#endif
