/* A client request and its attempts through the tiers.
 *
 * Two objects, because a client and the servers see different things:
 *  - struct wl_call is the client's view: one logical request, first sent at
 *    first_send_ns, retried after an error or a time-out, answered once.
 *  - struct request is one attempt travelling LB -> web -> app -> db and back.
 *    When its client gives up (time-out), the attempt becomes a *zombie*
 *    (call == NULL): HAProxy sees the client close and frees its slot, but
 *    nginx, the app and the database finish the work they started, as real
 *    servers do.  That unrewarded work is what turns client retries into a
 *    retry storm.
 * Both come from pools; an attempt is freed when its path ends (its answer
 * reaches the LB, or an error ends it), a call when it is answered. */
#ifndef MODELS_REQUEST_H
#define MODELS_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "results.h"
#include "sim/calendar.h"
#include "sim/station.h"
#include "sim/timeout.h"

struct lb_node;
struct web_node;
struct app_node;
struct db_node;

struct wl_call {
	int64_t first_send_ns;
	struct request *attempt;     /* the attempt the client waits for, or NULL */
	struct sim_timeout timeout;  /* the client's time-out of that attempt */
	uint32_t client;             /* 0 .. clients-1 */
	uint16_t class_idx;
	uint16_t attempts;           /* sent so far */
	bool measured;               /* first sent after the warm-up */
};

/* Where an attempt is on its way. */
enum request_stage {
	STAGE_LB_QUEUE,     /* waiting for an LB connection slot */
	STAGE_LB_CPU,
	STAGE_LB_RETRY,     /* HAProxy's turn-around before retrying a connect */
	STAGE_TO_WEB,       /* on the wire LB -> web */
	STAGE_WEB_CPU,
	STAGE_TO_APP,
	STAGE_APP_WORKER,   /* waiting for an app thread */
	STAGE_APP_CPU,
	STAGE_APP_POOL,     /* waiting for a DB connection from the pool */
	STAGE_TO_DB,
	STAGE_DB_CPU,
	STAGE_BACK,         /* the answer on its way back to the LB */
	STAGE_CONNECTING,   /* the client's SYNs to the VIP go unanswered (workload.c) */
};

struct request {
	struct sim_job cpu;          /* at a CPU station (one at a time) */
	struct sim_job lb_slot;      /* held HAProxy connection slot (maxconn) */
	struct sim_job app_thread;   /* held app worker thread */
	struct sim_job db_conn;      /* held DB pool connection */
	struct wl_call *call;        /* NULL for a zombie */
	struct lb_node *lb;
	struct web_node *web;
	struct app_node *app;
	struct db_node *db;          /* current query's node */
	struct sim_timeout server_timeout; /* HAProxy timeout server */
	struct sim_timeout lb_turnaround;  /* STAGE_LB_RETRY: the wait before the retry */
	uint32_t client;
	uint16_t class_idx;
	uint16_t queries_done;       /* reads first, then writes */
	enum request_stage stage;
	enum model_error error;      /* valid when failed */
	bool failed;
	bool lb_answered;            /* the LB already answered the client (504) */
	bool lost;                   /* stuck at a dead node: a time-out must rescue it */
	bool cache_hit;              /* answered from nginx's proxy_cache */
	bool query_is_write;         /* the current query */
	uint8_t lb_tries;            /* connect attempts to a web server so far */
	uint8_t web_connections;     /* held at its web node: 1, or 2 when proxying */
	uint32_t web_epoch;          /* its web node's epoch when it arrived there */
	struct sim_event_handle syn_ev; /* STAGE_CONNECTING: the next SYN retransmission */
	uint8_t syns;                /* SYNs sent to the VIP for this attempt */
	bool lb_dead;                /* its LB crashed, died or was cut off under it */
	uint32_t app_epoch;          /* its app node's epoch when it was accepted there */
	uint32_t web_life;           /* its web node's life when it arrived there */
	uint16_t web_worker;         /* the nginx worker process that has it */
	uint8_t upstream_tries;      /* app servers nginx tried for it so far */
	bool upstream_open;          /* counted in r->app's active (least_conn) */
	uint64_t apps_tried;         /* bit i % 64: app i tried (proxy_next_upstream) */
	struct sim_timeout read_timeout; /* nginx proxy_read_timeout */
	uint64_t db_newest_write;    /* a read: its client's newest write when it was routed */
	struct sim_timeout semisync_wait; /* its commit waits for a replica's ACK */
	uint64_t semisync_seq;       /* ... of this write */
};

/* The request that embeds `job` as its `member`. */
#define request_of(job, member) \
	((struct request *)((char *)(job) - offsetof(struct request, member)))

#endif
