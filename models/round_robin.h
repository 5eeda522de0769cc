/* Round-robin cursors without a division per turn.
 *
 * The balancers (HAProxy's roundrobin, nginx's worker and upstream turns,
 * the database reads) take turns over n nodes: turn k goes to node k mod n.
 * A 64-bit division costs tens of cycles, several per request, and perf put
 * them at about 2% of the baseline's time.  A cursor keeps the number of
 * turns and that number modulo the last n it was asked for, advancing the
 * remainder by one with a wrap; only a change of n (a tier scaled) divides
 * again.  The turns are exactly those of (turns++) % n for any sequence of
 * n. */
#ifndef MODELS_ROUND_ROBIN_H
#define MODELS_ROUND_ROBIN_H

#include <stdint.h>

struct rr_cursor {
	uint64_t turns; /* taken so far */
	uint64_t mod;   /* turns % n, when n != 0 */
	uint64_t n;     /* the modulus mod is kept for; 0 before the first */
};

/* i + 1 modulo n, for i < n. */
static inline uint64_t rr_wrap_next(uint64_t i, uint64_t n)
{
	return i + 1 == n ? 0 : i + 1;
}

/* k modulo n (n > 0), dividing only when k >= n. */
static inline uint64_t rr_reduce(uint64_t k, uint64_t n)
{
	return k < n ? k : k % n;
}

/* The turn's number modulo n (n > 0), then one more turn. */
static inline uint64_t rr_turn_mod(struct rr_cursor *c, uint64_t n)
{
	if (c->n != n) {
		c->n = n;
		c->mod = c->turns % n;
	}
	uint64_t k = c->mod;
	c->turns++;
	c->mod = rr_wrap_next(k, n);
	return k;
}

/* The turn's number itself (for a caller that reduces it another way),
 * then one more turn. */
static inline uint64_t rr_turn(struct rr_cursor *c)
{
	if (c->n)
		c->mod = rr_wrap_next(c->mod, c->n);
	return c->turns++;
}

#endif
