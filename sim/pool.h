/* Object pool: fixed-size objects from chunks, recycled through a free list.
 *
 * The hot path (one request, one event) must not call malloc: objects are
 * taken with sim_pool_get and returned with sim_pool_put in O(1).  The pool
 * grows by whole chunks (doubling up to a cap) when it runs dry and never
 * shrinks until destroyed, so memory tracks the peak number of live objects,
 * not the number ever allocated (HAProxy pools, SQLite lookaside).
 * `live` counts objects out of the pool: tests assert it is 0 at the end.
 * With -DSIM_POOL_DEBUG freed objects are poisoned with 0xdb. */
#ifndef SIM_POOL_H
#define SIM_POOL_H

#include <stddef.h>

struct sim_pool_chunk;

struct sim_pool {
	size_t obj_size;      /* bytes per object, rounded up to pointer alignment */
	size_t next_chunk_objs; /* objects in the next chunk allocated */
	void *free_list;      /* singly linked through the first word of each free object */
	struct sim_pool_chunk *chunks;
	size_t live;          /* objects currently handed out */
	size_t capacity;      /* objects in all chunks */
	size_t max_objs;      /* 0 = unlimited; sim_pool_get returns NULL beyond it */
};

void sim_pool_init(struct sim_pool *p, size_t obj_size, size_t first_chunk_objs);
void sim_pool_fini(struct sim_pool *p);

/* An object of obj_size bytes (contents unspecified), or NULL when the pool
 * is at max_objs or memory is exhausted. */
void *sim_pool_get(struct sim_pool *p);
void sim_pool_put(struct sim_pool *p, void *obj);

#endif
