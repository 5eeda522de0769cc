/* Named random streams: one Mersenne Twister per (seed, replication, name).
 *
 * Why not gsl_rng_set.  For mt19937, gsl_rng_set takes an unsigned long but
 * uses only its low 32 bits (Knuth's initialisation of the 624-word state from
 * one 32-bit word).  A large scenario has thousands of streams per
 * replication times hundreds of replications; with only 2^32 possible seeds
 * the birthday bound makes a collision (two "independent" streams producing
 * the same sequence) likely once there are ~2^16 = 65,536 of them, and quite
 * possible well before.  So the stream's 64-bit key is expanded with
 * splitmix64 into the generator's full 19,937-bit state instead: distinct keys
 * give unrelated states, and two keys collide only with probability ~2^-64
 * per pair.
 *
 * The key itself chains splitmix64's finaliser over the seed, the replication
 * and the FNV-1a-64 hash of the name, in that order, so the three inputs do
 * not commute (seed 1 / replication 2 differs from seed 2 / replication 1).
 *
 * The fill writes GSL's private mt19937 state ({unsigned long mt[624]; int
 * mti;}); it is used only after checking the generator type and the size GSL
 * reports for the state, and falls back to gsl_rng_set with the key folded to
 * 32 bits otherwise (a different GSL layout or another generator type). */
#include "sim/rng.h"

#include <stddef.h>

#define MT_N 624
#define GOLDEN_GAMMA UINT64_C(0x9e3779b97f4a7c15)

/* GSL's rng/mt.c state; mirrored here, checked against gsl_rng_size. */
struct gsl_mt_state {
	unsigned long mt[MT_N];
	int mti;
};

/* splitmix64's output function (Steele, Lea, Flood 2014): a bijective
 * avalanche mix of 64 bits. */
static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static uint64_t splitmix64_next(uint64_t *state)
{
	*state += GOLDEN_GAMMA;
	return mix64(*state);
}

static uint64_t fnv1a64(const char *s)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= UINT64_C(0x100000001b3);
	}
	return h;
}

uint64_t sim_rng_stream_key(uint64_t seed, uint32_t replication, const char *name)
{
	uint64_t h = mix64(seed + GOLDEN_GAMMA);

	h = mix64(h ^ (replication + 2 * GOLDEN_GAMMA));
	h = mix64(h ^ fnv1a64(name ? name : ""));
	return h;
}

static void fill_from_key(gsl_rng *r, uint64_t key)
{
	if (r->type != gsl_rng_mt19937 || gsl_rng_size(r) != sizeof(struct gsl_mt_state)) {
		gsl_rng_set(r, (unsigned long)((key ^ (key >> 32)) & 0xffffffffu));
		return;
	}

	struct gsl_mt_state *st = gsl_rng_state(r);
	uint64_t sm = key;
	unsigned long any = 0;

	/* Two 32-bit words per splitmix64 output: MT's words are 32 bits, and
	 * GSL masks nothing itself when the state is written directly. */
	for (int i = 0; i < MT_N; i += 2) {
		uint64_t z = splitmix64_next(&sm);
		st->mt[i] = (unsigned long)(z & 0xffffffffu);
		st->mt[i + 1] = (unsigned long)(z >> 32);
	}
	/* MT's period needs a state that is not all zero, where only the top
	 * bit of mt[0] counts.  Probability ~2^-19937, but cheap to rule out. */
	any = st->mt[0] & 0x80000000u;
	for (int i = 1; i < MT_N && !any; i++)
		any |= st->mt[i];
	if (!any)
		st->mt[0] = 0x80000000u;
	/* Regenerate the whole block before the first draw, as after seeding. */
	st->mti = MT_N;
}

gsl_rng *sim_rng_stream_create(uint64_t seed, uint32_t replication, const char *name)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);

	if (r)
		fill_from_key(r, sim_rng_stream_key(seed, replication, name));
	return r;
}

void sim_rng_stream_reset(gsl_rng *r, uint64_t seed, uint32_t replication, const char *name)
{
	fill_from_key(r, sim_rng_stream_key(seed, replication, name));
}
