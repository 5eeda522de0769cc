/* MySQL: one primary for writes, replicas for reads.
 *
 * db1 starts as the primary and takes every write.  Reads go to the replicas,
 * round-robin over the live ones that are not shunned for lag (ProxySQL's
 * reader hostgroup), or to the primary with reads_from: primary, for
 * read_your_writes after the client's own write, or when no replica can take
 * them.  Each node runs queries FIFO on `cores` (InnoDB threads are not a
 * limit below that) and refuses a query beyond `max_connections` in progress
 * ("Too many connections", error 1040): an app pool that holds connections
 * idle is not modelled, so the limit applies to queries in flight.  Writes
 * committed on the primary are replicated by replication_lag.c, whose
 * appliers and db.jobs share the node's cores with its queries (the CPU
 * station's jobs are told apart by their tag).
 *
 * Failures (docs/failures.md): a process death refuses new queries and
 * resets those in flight at once (db_unavailable); a crash or a partition
 * loses them: the app's DB client time-out (`app.db_timeout`, counted from
 * the query's arrival) rescues each with db_unavailable, and without one it
 * is lost for good.  Routing skips a node that is down at once (ProxySQL
 * shuns a replica it cannot reach; the detection delay of its monitor is
 * not modelled), so reads move to the other replicas, else the primary, and
 * writes fail with db_unavailable while the primary is down. */
#include <stdint.h>

#include "arch.h"

static struct db_node *db_of(struct node *n) { return (struct db_node *)n; }

static void db_reset_stats(struct node *n, int64_t now_ns)
{
	struct db_node *d = db_of(n);
	sim_station_reset_stats(&d->cpu, now_ns);
	sim_station_reset_stats(&d->appliers, now_ns);
	repl_reset_stats(n->arch, d, now_ns);
}

static struct sim_station *db_cpu(struct node *n) { return &db_of(n)->cpu; }

static void db_failed(struct node *n)
{
	struct db_node *d = db_of(n);
	if (n->health != NODE_PARTITIONED)
		d->connections = 0; /* its queries were ended with its stations */
	repl_node_failed(n->arch, d);
	if (d->primary) {
		repl_semisync_primary_failed(n->arch, d);
		repl_primary_failed(n->arch, d);
	}
	else
		rec_node_detected(&n->arch->rec, n); /* ProxySQL routes around it at once */
}

static void db_recovered(struct node *n) { repl_node_recovered(n->arch, db_of(n)); }

const struct node_kind db_kind = {
	.tier = TIER_DB, .name = "db", .reset_stats = db_reset_stats, .cpu = db_cpu,
	.failed = db_failed, .recovered = db_recovered,
};

static struct db_node *primary_of(struct arch *a)
{
	for (int i = 0; i < a->ndb; i++)
		if (a->db[i].primary && node_is_up(&a->db[i].base))
			return &a->db[i];
	return NULL;
}

struct db_node *db_route(struct arch *a, struct request *r, bool is_write)
{
	if (!is_write)
		r->db_newest_write = repl_newest_write(a, r->client);
	if (is_write || a->cfg->db.reads_from == DB_READS_FROM_PRIMARY ||
	    repl_reads_own_writes(a, r->client))
		return primary_of(a);
	for (int i = 0; i < a->ndb; i++) {
		struct db_node *d = &a->db[rr_turn_mod(&a->db_rr, (uint64_t)a->ndb)];
		if (repl_takes_reads(d))
			return d;
	}
	return primary_of(a);
}

static void answer_app(struct arch *a, struct request *r)
{
	app_query_done(a, r);
}

static void on_db_timeout(struct sim_engine *e, void *obj, uint64_t arg)
{
	struct request *r = obj;
	(void)arg;
	request_fail(r, ERR_DB_UNAVAILABLE);
	answer_app(arch_of(e), r);
}

/* The DB client time-out is counted from the query's arrival. */
void db_query_lost(struct arch *a, struct request *r)
{
	int64_t timeout_ns = a->cfg->app.db_timeout_ns;
	if (timeout_ns <= 0) {
		request_lost(r);
		return;
	}
	int64_t at = r->cpu.arrive_ns + timeout_ns;
	sim_engine_at(&a->engine, at > a->engine.now_ns ? at : a->engine.now_ns, on_db_timeout, r, 0);
}

static void on_cpu_done(struct sim_engine *e, struct sim_station *st, struct sim_job *job,
			enum sim_job_status status)
{
	struct arch *a = arch_of(e);
	struct db_node *d = st->owner;
	if (job->tag != DB_TAG_QUERY) {
		repl_cpu_done(a, d, job, status);
		return;
	}
	struct request *r = request_of(job, cpu);
	if (status != SIM_JOB_DONE) { /* the node went down under the query */
		if (node_refuses(&d->base)) {
			request_fail(r, ERR_DB_UNAVAILABLE);
			answer_app(a, r);
		} else {
			db_query_lost(a, r);
		}
		return;
	}
	d->connections--;
	if (node_is_black_hole(&d->base)) { /* done, but the answer cannot leave */
		db_query_lost(a, r);
		return;
	}
	d->base.served++;
	if (!r->query_is_write)
		repl_read_served(a, d, r->client, r->db_newest_write);
	else if (d->primary && repl_semisync_wait(a, r, repl_commit(a, d, r->client)))
		return; /* answered when a replica's ACK comes back */
	answer_app(a, r);
}

SIM_STATION_END_EVENT(db_cpu_end, on_cpu_done)

int db_node_init(struct arch *a, struct db_node *n)
{
	arch_station_init(a, &n->cpu, n->base.name, a->cfg->db.cores, -1, 0, on_cpu_done, n);
	n->cpu.end_event = db_cpu_end;
	n->primary = n->base.index == 0;
	return repl_node_init(a, n);
}

static void db_receive(struct arch *a, struct request *r)
{
	const struct db_config *c = &a->cfg->db;
	struct db_node *d = r->db;
	if (node_is_black_hole(&d->base)) {
		/* the connect is never answered: the DB client time-out */
		r->cpu.arrive_ns = a->engine.now_ns;
		db_query_lost(a, r);
		return;
	}
	if (!node_is_up(&d->base)) {
		request_fail(r, ERR_DB_UNAVAILABLE);
		answer_app(a, r);
		return;
	}
	if (d->connections >= c->max_connections) {
		request_fail(r, ERR_CONNECT_REFUSED);
		answer_app(a, r);
		return;
	}
	d->connections++;
	r->stage = STAGE_DB_CPU;
	const struct sim_dist *cost = r->query_is_write ? &c->write_cost : &c->read_cost;
	sim_station_arrive(&a->engine, &d->cpu, &r->cpu, sim_dist_sample(cost, d->base.rng));
}

ARCH_STAGE_EVENT(db_receive)
