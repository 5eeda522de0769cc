/* MySQL replication: the binlog, the replicas' appliers, lag and staleness.
 *
 * Follows MySQL (../shared/DOMAIN.md section 5):
 *  - every write the primary commits enters the binlog and reaches each
 *    replica after one network hop (a draw of the stream "repl.hop"); the
 *    binlog is one TCP stream, so a replica receives writes in commit order
 *    (a write never overtakes an earlier one on the wire);
 *  - each replica applies the writes it received with `apply_workers`
 *    appliers (a station of that many servers, held per write) and each
 *    write takes an `apply` draw (stream "dbN.apply") of CPU on the same
 *    cores that serve the replica's reads (its CPU station, FIFO with the
 *    reads);
 *  - parallel apply follows MySQL's coordinator with WRITESET dependency
 *    tracking, the client being the write set: the coordinator hands the
 *    writes to free appliers in commit order; writes of different clients
 *    apply in parallel, but a write whose client has an earlier write still
 *    being applied waits for it, and so does every write behind it (the
 *    coordinator is in order: head-of-line blocking).  With one applier
 *    this is the single SQL thread: strictly commit order;
 *  - lag is Seconds_Behind_Source with ns resolution: now minus the commit
 *    time of the oldest write the replica received and has not applied
 *    (the one it is applying with one applier), 0 once it has applied all
 *    it received;
 *  - routing of reads (ProxySQL's reader hostgroup): a replica lagging more
 *    than `max_lag` is shunned from the instant its lag crosses it (a
 *    monitor with no polling delay) and takes reads again once it has caught
 *    up to half of max_lag (the hysteresis stands for ProxySQL's monitor
 *    interval, which keeps a replica hovering at max_lag from flapping on
 *    every write it applies); for `read_your_writes` after a client's
 *    write, that client's reads go to the primary.
 *  - a read is stale when the client had a write committed before the read
 *    was routed that the replica had not applied when it served the read
 *    (a read-your-writes violation); its staleness is the replica's lag
 *    when it served it.
 *
 * Clients are kept in at most REPL_CLIENT_SLOTS slots (client modulo the
 * slot count): scenarios with more clients than that merge clients that
 * share a slot, which can only make writes look more dependent and reads
 * more often stale or routed to the primary.
 *
 * A write is one item per replica, from a pool; nothing is allocated per
 * event once the pool has grown.  Invariant: a replica's relay list holds,
 * in commit order, exactly the writes it received and has not applied; the
 * ones before `cursor` are at the appliers (while its stations are up),
 * at most one per client slot (`applying`), and none from the cursor on. */
#ifndef MODELS_REPLICATION_LAG_H
#define MODELS_REPLICATION_LAG_H

#include <stdbool.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "config.h"
#include "sim/engine.h"
#include "sim/pool.h"
#include "sim/station.h"
#include "sim/timeout.h"

#define REPL_CLIENT_SLOTS (1u << 18)

struct arch;
struct db_node;
struct request;

/* What a job on a database CPU station is (its sim_job tag). */
enum db_job_tag { DB_TAG_QUERY = 0, DB_TAG_APPLY, DB_TAG_BACKUP };

struct repl_item {
	struct sim_job worker;       /* its applier, held while it applies */
	struct sim_job cpu;          /* its apply on the replica's cores */
	struct repl_item *next, *prev; /* the relay list (received), or the parked list */
	struct db_node *replica;
	struct db_node *source;      /* the primary that committed it */
	uint32_t source_epoch;       /* its epoch then: a crash since loses what was unsent */
	uint64_t seq;                /* commit order, from 1 */
	int64_t commit_ns;           /* on the primary */
	uint32_t slot;
};

/* One replica's side of replication (every db node has one: a primary
 * demoted or a replica promoted keeps the same fields). */
struct repl_replica {
	struct repl_item relay;      /* sentinel: received, unapplied, commit order */
	struct repl_item parked;     /* sentinel: arrived while the node was down or cut off */
	struct repl_item *cursor;    /* the next write for the coordinator; NULL: none */
	struct repl_item **applying; /* [slots] the slot's write at the appliers, or NULL */
	int64_t last_arrival_ns;     /* in-order delivery of the binlog */
	uint64_t received_seq;       /* the newest write it received */
	uint64_t committed_seq;      /* the newest write it committed as the primary */
	gsl_rng *apply_rng;          /* "dbN.apply" */
	/* lag statistics since the last reset */
	double lag_area_s2;          /* integral of the lag (s) over time (s) */
	int64_t lag_since_ns;        /* lag_area_s2 covers up to here */
	double lag_max_s;
	/* shunning (max_lag) */
	bool shunned;
	int64_t shunned_since_ns;
	int64_t shunned_ns;          /* since the last reset, closed periods */
	bool watch_armed;            /* a lag check event is pending */
	int64_t watch_at_ns;
};

/* What a read needs to know about its client's slot, in one place: routing
 * reads the newest write, the replica that serves the read what it has
 * applied of it.  One cache line for up to six db nodes (rows are 64-byte
 * aligned), where three arrays cost a cache miss each in the baseline's
 * 50,000 clients. */
struct repl_slot {
	uint64_t last_write_seq;     /* the slot's newest committed write (0: none) */
	int64_t last_write_ns;       /* and its commit time */
	uint64_t applied_seq[];      /* per db node (by index): its latest applied write of the slot */
};

/* The binlog and the per-client facts routing needs. */
struct repl_state {
	struct sim_pool items;
	uint64_t next_seq;
	uint32_t slots;
	struct repl_slot *slot_rows; /* [slots] rows of slot_stride bytes */
	size_t slot_stride;
	gsl_rng *hop_rng;            /* "repl.hop" */
	struct sim_timeout_queue semisync; /* commits waiting for an ACK, commit order */
	uint64_t acked_seq;          /* the newest write a replica acknowledged */
	bool semisync_async;         /* fell back to async after semisync_timeout */
	struct sim_job *job_cores[DB_MAX_JOBS]; /* db.jobs: the cores each one holds */
	int job_ncores[DB_MAX_JOBS];
};

int repl_init(struct arch *a);
/* The node's appliers and its side of replication (from db_node_init). */
int repl_node_init(struct arch *a, struct db_node *d);
void repl_fini(struct arch *a);
/* Schedule the lag sampler and the db.jobs (once, before the run). */
void repl_start(struct arch *a);

/* A write of `client` committed on the primary now; its seq. */
uint64_t repl_commit(struct arch *a, struct db_node *primary, uint32_t client);
/* Semi-sync (replication_failover.c): whether r's commit waits for an ACK
 * (then app_query_done answers it later); a replica received seq; the
 * primary failed with commits waiting. */
bool repl_semisync_wait(struct arch *a, struct request *r, uint64_t seq);
void repl_semisync_received(struct arch *a, struct db_node *d, uint64_t seq);
void repl_semisync_init(struct arch *a);
void repl_semisync_primary_failed(struct arch *a, struct db_node *d);
/* A job tagged DB_TAG_APPLY or DB_TAG_BACKUP ended on a db CPU station. */
void repl_cpu_done(struct arch *a, struct db_node *d, struct sim_job *job,
		   enum sim_job_status status);
/* The replica's node failed or came back (its stations already changed). */
void repl_node_failed(struct arch *a, struct db_node *d);
void repl_node_recovered(struct arch *a, struct db_node *d);

/* The primary failed: failover.detect, then failover.promote
 * (replication_failover.c). */
void repl_primary_failed(struct arch *a, struct db_node *d);
/* d becomes the primary (it stops being a replica). */
void repl_promoted(struct arch *a, struct db_node *d);

/* Routing: whether the replica takes reads now; whether client's reads
 * must go to the primary (read_your_writes). */
bool repl_takes_reads(const struct db_node *d);
bool repl_reads_own_writes(const struct arch *a, uint32_t client);
/* The client's newest committed write (0: none), taken when a read is routed. */
uint64_t repl_newest_write(const struct arch *a, uint32_t client);
/* A hint, no effect on results: the client's request will query the
 * database within milliseconds, so start loading its slot now (a cache miss
 * per request otherwise: the slots of 50,000 clients outgrow the cache). */
void repl_prefetch_client(const struct arch *a, uint32_t client);
/* A read was served by d now: counted, stale or not. */
void repl_read_served(struct arch *a, struct db_node *d, uint32_t client, uint64_t newest_seq);

/* The replica's lag now, in ns. */
int64_t repl_lag_ns(const struct arch *a, const struct db_node *d);
/* Statistics since the last reset, brought up to now_ns. */
double repl_lag_area_s2(struct arch *a, struct db_node *d, int64_t now_ns);
double repl_lag_max_s(struct arch *a, struct db_node *d, int64_t now_ns);
double repl_shunned_s(const struct db_node *d, int64_t now_ns);
void repl_reset_stats(struct arch *a, struct db_node *d, int64_t now_ns);

#endif
