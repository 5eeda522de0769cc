/* The architecture made transparent around the tier a validation test checks.
 *
 * A test compares one tier (or one mechanism) with queueing theory, so the
 * rest must cost nothing and limit nothing: the LB and nginx at zero CPU
 * and without connection limits or time-outs, one web and one app server
 * with unbounded workers, no client time-out or retry, and a single
 * dynamic class that makes no query.  Each test then gives cost to what it
 * measures.  Shared by test_model.c, test_limits.c and test_replication.c. */
#ifndef TESTS_VALIDATION_TRANSPARENT_H
#define TESTS_VALIDATION_TRANSPARENT_H

#include "models/config.h"
#include "sim/dist.h"
#include "one_class.h"

static inline void zero_cost(struct sim_dist *d)
{
	sim_dist_fini(d);
	sim_dist_init_const(d, 0);
}

/* model_config_init, then everything in front of the app servers made
 * transparent, and one dynamic class `class_name` without queries (its app
 * cost is the default's first class's until the caller sets it).  The
 * network hop is kept: callers that need none zero it. */
static inline struct wl_class_config *transparent_front(struct model_config *c,
							 const char *class_name)
{
	model_config_init(c);
	c->wl.timeout_ns = 0;
	c->wl.retries = 0;
	zero_cost(&c->lb.service);
	c->lb.maxconn = 1000000;
	c->lb.timeout_queue_ns = 0;
	c->lb.timeout_server_ns = 0;
	zero_cost(&c->web.static_cost);
	zero_cost(&c->web.proxy_cost);
	zero_cost(&c->web.tls_handshake);
	zero_cost(&c->web.tls_resumed);
	c->web.cache_hit = 0;
	c->web.nodes = 1;
	c->web.worker_connections = 1000000;
	c->app.nodes = 1;
	c->app.workers = 100000;
	return one_dynamic_class(c, class_name);
}

/* A database that costs nothing and refuses nothing: one node, reads on it. */
static inline void transparent_db(struct model_config *c)
{
	zero_cost(&c->db.read_cost);
	zero_cost(&c->db.write_cost);
	c->db.nodes = 1;
	c->db.reads_from = DB_READS_FROM_PRIMARY;
	c->db.max_connections = 1000000;
}

#endif
