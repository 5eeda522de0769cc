/* The architecture model: one replication of LB pair -> nginx -> app -> MySQL.
 *
 * struct arch owns the engine, the nodes of every tier, the request pools and
 * the recorder for one replication.  The request path crosses the tier files
 * through the functions below, each called when a request (an attempt)
 * *arrives* somewhere:
 *
 *   wl_send ---> lb_receive ---> web_receive ---> app_receive ---> db_receive
 *      ^            |                 |               |  ^             |
 *      |            v                 v               |  +-- app_db_answer
 *   wl_answer <- lb_answer <------ web_answer <-------+
 *
 * Every node kind (lb, web, app, db) is one const struct node_kind, listed in
 * node_kinds[]: its hooks are what the engine-facing code (warm-up, sampling,
 * and later failures and scaling) needs to know about a node, and nothing
 * else. */
#ifndef MODELS_ARCH_H
#define MODELS_ARCH_H

#include <stdbool.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "config.h"
#include "events.h"
#include "lb_check.h"
#include "limits.h"
#include "record.h"
#include "replication_lag.h"
#include "request.h"
#include "round_robin.h"
#include "results.h"
#include "sim/engine.h"
#include "sim/pool.h"
#include "sim/station.h"
#include "sim/timeout.h"
#include "vrrp.h"
#include "workload.h"

struct node;

struct node_kind {
	enum model_tier tier;
	const char *name;                   /* "lb", "web", "app", "db" */
	/* restart the node's statistics at the end of the warm-up */
	void (*reset_stats)(struct node *n, int64_t now_ns);
	/* the node's CPU station (utilization and queue are read from it) */
	struct sim_station *(*cpu)(struct node *n);
	/* optional: what the tier does when one of its nodes fails (n->health
	 * says how) or comes back, beyond its stations going down or up */
	void (*failed)(struct node *n);
	void (*recovered)(struct node *n);
};

#define NODE_MAX_STATIONS 4

extern const struct node_kind lb_kind, web_kind, app_kind, db_kind;
extern const struct node_kind *const node_kinds[TIER_COUNT];

/* How a node is, as its peers experience it (../shared/DOMAIN.md §0). */
enum node_health {
	NODE_UP,
	NODE_CRASHED,       /* host dead: a black hole; connects time out */
	NODE_PROCESS_DEAD,  /* host alive, service dead: connects refused at once (RST) */
	NODE_PARTITIONED,   /* running, but nothing gets in or out: a black hole */
};

/* Whether a node is part of its tier now (models/scaling.h).  Without
 * scaling every node is NODE_IN for the whole run. */
enum node_presence {
	NODE_IN,        /* in its balancer's rotation */
	NODE_ABSENT,    /* not started yet, or gone after a scale-in */
	NODE_BOOTING,   /* started, joins after its boot time */
	NODE_DRAINING,  /* scaled in: no new requests, those in flight complete */
};

/* What every node has; each tier's struct starts with it. */
struct node {
	const struct node_kind *kind;
	struct arch *arch;
	char name[16];
	int index;                  /* 0-based within its tier */
	enum node_health health;
	double slow_factor;         /* service times x this (1 = nominal) */
	int64_t down_since_ns;      /* when it last stopped being UP */
	int64_t down_ns;            /* total time not UP since the last reset */
	int failure;                /* the failure that holds it down, -1 = none */
	uint32_t epoch;             /* bumped when it fails and when it restarts */
	struct sim_station *stations[NODE_MAX_STATIONS]; /* all of its stations */
	int nstations;
	gsl_rng *rng;               /* the node's stream "NAME.service" */
	gsl_rng *failure_rng;       /* "failures.NAME", for random failures; else NULL */
	int64_t active;             /* requests in flight at the node (least-conn) */
	uint64_t served;
	enum node_presence presence;
	int64_t present_since_ns;   /* when it last became IN (counts with DRAINING) */
	int64_t present_ns;         /* time IN or DRAINING since the last reset, before that */
	uint32_t scale_gen;         /* bumped at each scaling change (stale boot events) */
};

struct lb_node {
	struct node base;
	struct sim_station slots;   /* maxconn, held per request; FIFO, timeout queue */
	struct sim_station cpu;     /* nbthread */
	bool holds_vip;             /* keepalived's view (vrrp.h): it may be a black hole */
	struct lb_check_set checks; /* its health checks of the web servers */
	enum node_health failed_as; /* how it went down, for its recovery */
};

/* What one nginx worker process knows of one app server (its passive
 * health: ngx_http_upstream_round_robin.c; without `zone` every worker keeps
 * its own).  Times are nginx's whole-second clock, ngx_time(). */
struct web_peer {
	int fails;                  /* failed attempts since the last reset */
	int64_t checked_s;          /* last failure, or last probe after fail_timeout */
	int64_t accessed_s;         /* last failure */
};

struct web_node {
	struct node base;
	struct sim_station cpu;     /* workers */
	int64_t connections;        /* client + upstream connections in use */
	int64_t max_connections;    /* workers x worker_connections */
	struct web_peer *peers;     /* [workers x napp]: worker w's view of app i at w*napp+i */
	struct rr_cursor next_worker; /* requests go to the workers in turn */
	uint64_t cache_fills;       /* dynamic requests seen since a cold start */
	uint32_t life;              /* bumped at each restart (crash, process death) */
	bool cache_cold;            /* restarted: the cache is still warming */
};

struct app_node {
	struct node base;
	struct sim_station threads; /* workers, held per request */
	struct sim_station cpu;     /* cores */
	struct sim_station pool;    /* DB connections, held per request's queries */
};

struct db_node {
	struct node base;
	struct sim_station cpu;     /* cores: queries, writes applied, db.jobs */
	struct sim_station appliers; /* apply_workers, held per write applied */
	int64_t connections;        /* queries in progress */
	bool primary;
	struct repl_replica repl;   /* its side of replication (replication_lag.h) */
};

struct arch {
	struct sim_engine engine;   /* first: an engine pointer is an arch pointer */
	const struct model_config *cfg;
	unsigned replication;
	struct sim_pool calls;
	struct sim_pool requests;
	struct model_limits limits; /* the memory budget's caps (limits.h) */
	struct wl_state wl;
	struct lb_node lb[2];
	int nlb;
	struct vrrp_pair vrrp;      /* keepalived between lb1 and lb2 (when nlb == 2) */
	struct web_node *web;
	int nweb;
	struct app_node *app;
	int napp;
	struct db_node *db;
	int ndb;
	struct node *nodes[MODEL_MAX_NODES]; /* lb, web, app, db in order */
	int nnodes;
	gsl_rng *net_rng;           /* "net.hop" */
	gsl_rng *lb_balance_rng;    /* "lb.balance" */
	gsl_rng *web_balance_rng;   /* "web.balance" */
	struct rr_cursor lb_rr;     /* round-robin cursors */
	struct rr_cursor web_rr;
	struct rr_cursor db_rr;
	struct sim_timeout_queue server_timeouts; /* HAProxy timeout server, when > 0 */
	struct sim_timeout_queue lb_turnarounds;  /* HAProxy's wait before a connect retry */
	struct sim_timeout_queue read_timeouts;   /* nginx proxy_read_timeout, when > 0 */
	struct recorder rec;
	struct repl_state repl;     /* the binlog (replication_lag.h) */
	struct model_event_listener events; /* who watches (events.h); none in a plain run */
	struct scaling_state *scaling; /* models/scaling.c; NULL when nothing scales */
	int64_t measure_from_ns;    /* end of warm-up */
	int64_t end_ns;
};

static inline struct arch *arch_of(struct sim_engine *e) { return (struct arch *)e; }

static inline bool node_is_up(const struct node *n) { return n->health == NODE_UP; }
/* Nothing comes back from it: callers wait for their own time-outs. */
static inline bool node_is_black_hole(const struct node *n)
{
	return n->health == NODE_CRASHED || n->health == NODE_PARTITIONED;
}
static inline bool node_refuses(const struct node *n) { return n->health == NODE_PROCESS_DEAD; }
/* May a balancer pick it (scaling: neither absent, booting nor draining)? */
static inline bool node_in_rotation(const struct node *n) { return n->presence == NODE_IN; }

/* Build the model for replication `index` (streams keyed by the config's
 * seed and the index); 0 or ENOMEM. */
int arch_init(struct arch *a, const struct model_config *cfg, unsigned index);
void arch_fini(struct arch *a);
/* A replication in steps (model_run_replication, and the dashboard's
 * session.c): after arch_init and rec_init, arch_begin schedules the windows,
 * the failures, the first arrival and the warm-up; the engine runs to
 * a->end_ns; arch_end closes the results and drains. */
void arch_begin(struct arch *a);
void arch_end(struct arch *a);
/* Run the replication to the end and fill *out (which the caller finis). */
int model_run_replication(const struct model_config *cfg, unsigned index,
			  struct model_results *out);
/* The same, telling `events` what happens (events.h). */
int model_run_replication_watched(const struct model_config *cfg, unsigned index,
				  struct model_results *out,
				  const struct model_event_listener *events);

/* The path of a request (see the picture above).  A stage reached over
 * the network is its calendar event, STAGE_event (ARCH_STAGE_EVENT, below),
 * which arch_after_hops schedules; the stage itself is static in its file. */
void lb_receive(struct arch *a, struct request *r);
void lb_answer_event(struct sim_engine *e, void *obj, uint64_t arg);
void lb_client_gone(struct arch *a, struct request *r);
/* Does a SYN sent to the VIP now get an answer (SYN-ACK, or RST from a
 * holder whose haproxy died)?  No while nobody holds the VIP or its holder
 * is a black hole (crashed host, partition): workload.c then retransmits. */
bool lb_vip_answers(const struct arch *a);
void web_receive_event(struct sim_engine *e, void *obj, uint64_t arg);
void web_answer_event(struct sim_engine *e, void *obj, uint64_t arg);
void app_receive_event(struct sim_engine *e, void *obj, uint64_t arg);
void app_db_answer_event(struct sim_engine *e, void *obj, uint64_t arg);
/* A query ended at the db (done or failed): its answer heads back to the app. */
void app_query_done(struct arch *a, struct request *r);
void db_receive_event(struct sim_engine *e, void *obj, uint64_t arg);
/* r's query will never be answered (its node crashed or is cut off): the
 * app's DB client time-out rescues it (db.c). */
void db_query_lost(struct arch *a, struct request *r);

/* Each tier's node constructor (after the common part is set up). */
int lb_node_init(struct arch *a, struct lb_node *n);
int web_node_init(struct arch *a, struct web_node *n);
int app_node_init(struct arch *a, struct app_node *n);
int db_node_init(struct arch *a, struct db_node *n);
/* A station of a node, at the current time, with FIFO waiting line. */
void arch_station_init(struct arch *a, struct sim_station *st, const char *name, int servers,
		       int64_t queue_cap, int64_t queue_timeout_ns, sim_station_done_fn done,
		       void *owner);

/* The LB's connection to the web server failed: refused (RST, one hop
 * back) or timed out (a black hole, after timeout connect). */
void lb_connect_failed(struct arch *a, struct request *r, enum model_error cause);
void lb_connect_refused_event(struct sim_engine *e, void *obj, uint64_t arg);
/* nginx's connect to the app server failed before the request was sent:
 * refused (RST, one hop back) or timed out (a black hole, after
 * proxy_connect_timeout); proxy_next_upstream may try another server. */
void web_upstream_connect_failed(struct arch *a, struct request *r, enum model_error cause);
void web_upstream_refused_event(struct sim_engine *e, void *obj, uint64_t arg);
/* HAProxy closed r's connection (cause: its client left, or its timeout
 * server) while nginx still waited for a connect: nginx drops it (499). */
void web_upstream_abandoned(struct arch *a, struct request *r, enum model_error cause);
/* The app server accepted r (proxy_read_timeout runs from now) ... */
void web_upstream_sent(struct arch *a, struct request *r);
/* ... or reset it after that (its process died): 502, or the next server
 * for an idempotent request. */
void web_upstream_reset_event(struct sim_engine *e, void *obj, uint64_t arg);
/* r is freed: nginx closes what r still holds there (HAProxy closed its
 * connection) and forgets its read time-out. */
void web_forget(struct arch *a, struct request *r);
/* The node a query goes to, or NULL when none can take it. */
struct db_node *db_route(struct arch *a, struct request *r, bool is_write);

/* Scaling (models/scaling.c): set up the tiers' absent nodes at init,
 * schedule the steps and the autoscaler at begin, and account presence. */
int scaling_init(struct arch *a);
void scaling_start(struct arch *a);
void scaling_fini(struct arch *a);
/* At the end of the warm-up: presence times restart with the statistics. */
void scaling_reset_stats(struct arch *a, int64_t now_ns);
/* Where a balancer's scan starts for cursor k over tier t (k taken modulo
 * the tier's size): without scaling k itself; with scaling the (k mod
 * n)-th of the n nodes in rotation, so that absent nodes give none of
 * their turns to the next one.  scaling_rotation_size: that n. */
uint64_t scaling_rotation_start(struct arch *a, enum model_tier t, uint64_t k);
/* The first node (an index below n, the tier's size) of a balancer's scan
 * that takes the next turn of cursor `rr`: scaling_rotation_start of the
 * turn, reduced modulo n. */
uint64_t scaling_rotation_first(struct arch *a, enum model_tier t, struct rr_cursor *rr, uint64_t n);
int scaling_rotation_size(struct arch *a, enum model_tier t);
/* Time n was present (IN or DRAINING) since the last reset. */
int64_t scaling_present_ns(const struct node *n, int64_t now_ns);
/* The autoscaler switched as sw says, at its at_ns (a calendar event: the
 * same whether the scenario names the switch or the dashboard adds it
 * during the run).  scaling_autoscaler_state: 1 on, 0 off, -1 none. */
void scaling_switch_at(struct arch *a, const struct autoscale_switch *sw);
int scaling_autoscaler_state(const struct arch *a);

/* Schedule the scenario's failures (models/failures.c). */
void failures_schedule(struct arch *a);
/* Failure i of a->cfg, added during the run (the dashboard): schedule its
 * start at its `at` (>= now), and later its end at `at` + `for`; the same
 * events failures_schedule makes for a failure of the scenario file. */
void failures_schedule_start(struct arch *a, size_t i);
void failures_schedule_end(struct arch *a, size_t i);
/* A node fails (its health says how) or comes back. */
void node_fail(struct arch *a, struct node *n, enum node_health health);
void node_recover(struct arch *a, struct node *n);
/* A request that nothing will move any more: it waits for the nearest
 * caller's time-out to rescue it (docs/failures.md). */
void request_lost(struct request *r);

/* Deliver r to a stage after one network hop (a draw of net.hop); `hops`
 * hops at once when nothing happens in between.  `arrive` is the stage's
 * calendar event, STAGE_event (below), which the hop's event is: one
 * indirect call per hop, where a trampoline calling the stage through a
 * pointer took two, each a likely misprediction. */
void arch_after_hops(struct arch *a, struct request *r, int hops, sim_event_fn arrive);

/* Define STAGE_event, the calendar event that calls STAGE(a, r) for the
 * request in its `obj`; next to the stage's (static) definition, with its
 * prototype in the path's list above. */
#define ARCH_STAGE_EVENT(stage)                                                   \
	void stage##_event(struct sim_engine *e, void *obj, uint64_t arg)         \
	{                                                                         \
		(void)arg;                                                        \
		stage(arch_of(e), obj);                                           \
	}
/* End r's path with an error at this point; the answer travels back. */
void request_fail(struct request *r, enum model_error cause);
void request_free(struct arch *a, struct request *r);

#endif
