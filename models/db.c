/* MySQL: one primary for writes, replicas for reads.
 *
 * db1 starts as the primary and takes every write.  Reads go to the replicas,
 * round-robin over the live ones (ProxySQL's reader hostgroup), or to the
 * primary with reads_from: primary, or when no replica is up.  Each node runs
 * queries FIFO on `cores` (InnoDB threads are not a limit below that) and
 * refuses a query beyond `max_connections` in progress ("Too many
 * connections", error 1040): an app pool that holds connections idle is not
 * modelled, so the limit applies to queries in flight.  Replication of
 * writes to the replicas comes with the replication model. */
#include <stdint.h>

#include "arch.h"

static struct db_node *db_of(struct node *n) { return (struct db_node *)n; }

static void db_reset_stats(struct node *n, int64_t now_ns)
{
	sim_station_reset_stats(&db_of(n)->cpu, now_ns);
}

static struct sim_station *db_cpu(struct node *n) { return &db_of(n)->cpu; }

const struct node_kind db_kind = {
	.tier = TIER_DB, .name = "db", .reset_stats = db_reset_stats, .cpu = db_cpu,
};

static struct db_node *primary_of(struct arch *a)
{
	for (int i = 0; i < a->ndb; i++)
		if (a->db[i].primary && node_is_up(&a->db[i].base))
			return &a->db[i];
	return NULL;
}

struct db_node *db_route(struct arch *a, const struct request *r, bool is_write)
{
	(void)r;
	if (is_write || a->cfg->db.reads_from == DB_READS_FROM_PRIMARY)
		return primary_of(a);
	for (int i = 0; i < a->ndb; i++) {
		struct db_node *d = &a->db[(a->db_rr++) % (uint64_t)a->ndb];
		if (!d->primary && node_is_up(&d->base))
			return d;
	}
	return primary_of(a);
}

static void answer_app(struct arch *a, struct request *r)
{
	app_query_done(a, r);
}

static void on_cpu_done(struct sim_engine *e, struct sim_station *st, struct sim_job *job,
			enum sim_job_status status)
{
	struct arch *a = arch_of(e);
	struct request *r = request_of(job, cpu);
	struct db_node *d = st->owner;
	d->connections--;
	if (status != SIM_JOB_DONE)
		request_fail(r, ERR_DB_UNAVAILABLE);
	else
		d->base.served++;
	answer_app(a, r);
}

int db_node_init(struct arch *a, struct db_node *n)
{
	arch_station_init(a, &n->cpu, n->base.name, a->cfg->db.cores, -1, 0, on_cpu_done, n);
	n->primary = n->base.index == 0;
	return 0;
}

void db_receive(struct arch *a, struct request *r)
{
	const struct db_config *c = &a->cfg->db;
	struct db_node *d = r->db;
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
