/* Object pool: fixed-size objects carved from chunks, recycled LIFO.
 *
 * A request or a connection is taken and returned thousands of times per
 * simulated second; going through malloc each time would dominate the run and
 * fragment the heap.  Like HAProxy's pools, objects come from big chunks and
 * go back on a singly linked free list threaded through their first word, so
 * get and put are O(1) and memory follows the peak number of live objects.
 * LIFO reuse keeps the most recently touched (cache-hot) object on top.
 *
 * Chunk sizes double from first_chunk_objs up to CHUNK_MAX_BYTES, so a pool
 * that holds millions of objects needs few chunks while a pool that holds a
 * handful does not reserve megabytes.  Chunks are freed only by
 * sim_pool_fini; objects still out at that point are simply lost (tests check
 * `live` is 0 first).
 *
 * With -DSIM_POOL_DEBUG a freed object is filled with 0xdb so that a read
 * after put shows a recognisable pattern instead of plausible stale data, and
 * the pattern is checked again on get to catch writes after put. */
#include "sim/pool.h"

#include <assert.h>
#include <stdalign.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define POISON_BYTE 0xdb
/* Past this size chunks stop doubling: growth stays proportional (few
 * chunks) without one allocation reserving far more than will be used. */
#define CHUNK_MAX_BYTES ((size_t)4 << 20)

struct sim_pool_chunk {
	struct sim_pool_chunk *next;
	size_t objs;
	/* Objects follow, aligned like any malloc'd block. */
	alignas(max_align_t) unsigned char data[];
};

void sim_pool_init(struct sim_pool *p, size_t obj_size, size_t first_chunk_objs)
{
	size_t align = sizeof(void *);

	/* An object must hold the free-list link while it is free. */
	if (obj_size < sizeof(void *))
		obj_size = sizeof(void *);
	obj_size = (obj_size + align - 1) / align * align;

	*p = (struct sim_pool){
		.obj_size = obj_size,
		.next_chunk_objs = first_chunk_objs ? first_chunk_objs : 64,
	};
}

void sim_pool_fini(struct sim_pool *p)
{
	struct sim_pool_chunk *ch = p->chunks;

	while (ch) {
		struct sim_pool_chunk *next = ch->next;
		free(ch);
		ch = next;
	}
	p->chunks = NULL;
	p->free_list = NULL;
	p->capacity = 0;
	p->live = 0;
}

/* Add one chunk and thread its objects onto the free list; false when the
 * pool is at max_objs or malloc fails. */
static bool grow(struct sim_pool *p)
{
	size_t n = p->next_chunk_objs;
	struct sim_pool_chunk *ch;

	if (p->max_objs) {
		if (p->capacity >= p->max_objs)
			return false;
		if (n > p->max_objs - p->capacity)
			n = p->max_objs - p->capacity;
	}
	if (n > (SIZE_MAX - sizeof(*ch)) / p->obj_size)
		return false;
	ch = malloc(sizeof(*ch) + n * p->obj_size);
	if (!ch)
		return false;
	ch->objs = n;
	ch->next = p->chunks;
	p->chunks = ch;
	p->capacity += n;

	/* Thread back to front so the free list hands out ascending addresses. */
	for (size_t i = n; i-- > 0;) {
		void *obj = ch->data + i * p->obj_size;
#ifdef SIM_POOL_DEBUG
		memset(obj, POISON_BYTE, p->obj_size);
#endif
		memcpy(obj, &p->free_list, sizeof(void *));
		p->free_list = obj;
	}

	if (p->next_chunk_objs <= CHUNK_MAX_BYTES / 2 / p->obj_size)
		p->next_chunk_objs *= 2;
	return true;
}

void *sim_pool_get(struct sim_pool *p)
{
	void *obj;

	if (p->max_objs && p->live >= p->max_objs)
		return NULL;
	if (!p->free_list && !grow(p))
		return NULL;
	obj = p->free_list;
	memcpy(&p->free_list, obj, sizeof(void *));
#ifdef SIM_POOL_DEBUG
	/* Everything past the link must still be poison; anything else was
	 * written through a dangling pointer after sim_pool_put. */
	for (size_t i = sizeof(void *); i < p->obj_size; i++)
		assert(((unsigned char *)obj)[i] == POISON_BYTE);
	memset(obj, POISON_BYTE, sizeof(void *));
#endif
	p->live++;
	return obj;
}

void sim_pool_put(struct sim_pool *p, void *obj)
{
	if (!obj)
		return;
	assert(p->live > 0);
#ifdef SIM_POOL_DEBUG
	memset(obj, POISON_BYTE, p->obj_size);
#endif
	memcpy(obj, &p->free_list, sizeof(void *));
	p->free_list = obj;
	p->live--;
}
