/* MySQL replication: binlog, appliers, lag, shunning, stale reads, db.jobs.
 * See replication_lag.h for the model and its invariant. */
#include "replication_lag.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "sim/rng.h"
#include "sim/time.h"

/* How often every replica's lag is sampled for its percentiles. */
#define LAG_SAMPLE_NS (100 * SIM_NS_PER_MS)

static void list_init(struct repl_item *h) { h->next = h->prev = h; }
static bool list_is_empty(const struct repl_item *h) { return h->next == h; }

static void list_append(struct repl_item *h, struct repl_item *it)
{
	it->prev = h->prev;
	it->next = h;
	h->prev->next = it;
	h->prev = it;
}

static void list_unlink(struct repl_item *it)
{
	it->prev->next = it->next;
	it->next->prev = it->prev;
	it->next = it->prev = NULL;
}

static struct repl_item *item_of_worker(struct sim_job *job)
{
	return (struct repl_item *)((char *)job - offsetof(struct repl_item, worker));
}

static struct repl_item *item_of_cpu(struct sim_job *job)
{
	return (struct repl_item *)((char *)job - offsetof(struct repl_item, cpu));
}

/* Clients are drawn below workload.clients, so below `slots` unless there
 * are more than REPL_CLIENT_SLOTS: skip the division (tens of cycles, on
 * every database query) when it would change nothing. */
static uint32_t slot_of(const struct arch *a, uint32_t client)
{
	return client < a->repl.slots ? client : client % a->repl.slots;
}

static struct repl_slot *slot_row(const struct arch *a, uint32_t slot)
{
	return (struct repl_slot *)((char *)a->repl.slot_rows + (size_t)slot * a->repl.slot_stride);
}

/* ---------------------------------------------------------------- lag */

int64_t repl_lag_ns(const struct arch *a, const struct db_node *d)
{
	const struct repl_replica *p = &d->repl;
	if (list_is_empty(&p->relay))
		return 0;
	int64_t lag = a->engine.now_ns - p->relay.next->commit_ns;
	return lag > 0 ? lag : 0;
}

/* Bring the lag integral up to now; call before the relay list's head
 * changes.  Between two changes the lag rises with slope 1 from the head's
 * commit time: the integral is a trapezoid. */
static void lag_advance(struct repl_replica *p, int64_t now_ns)
{
	if (now_ns <= p->lag_since_ns)
		return;
	if (!list_is_empty(&p->relay)) {
		int64_t c = p->relay.next->commit_ns;
		double x0 = sim_ns_to_s(p->lag_since_ns - c), x1 = sim_ns_to_s(now_ns - c);
		if (x0 < 0)
			x0 = 0;
		p->lag_area_s2 += (x1 - x0) * (x1 + x0) / 2;
		if (x1 > p->lag_max_s)
			p->lag_max_s = x1;
	}
	p->lag_since_ns = now_ns;
}

double repl_lag_area_s2(struct arch *a, struct db_node *d, int64_t now_ns)
{
	(void)a;
	lag_advance(&d->repl, now_ns);
	return d->repl.lag_area_s2;
}

double repl_lag_max_s(struct arch *a, struct db_node *d, int64_t now_ns)
{
	(void)a;
	lag_advance(&d->repl, now_ns);
	return d->repl.lag_max_s;
}

double repl_shunned_s(const struct db_node *d, int64_t now_ns)
{
	const struct repl_replica *p = &d->repl;
	int64_t ns = p->shunned_ns + (p->shunned ? now_ns - p->shunned_since_ns : 0);
	return sim_ns_to_s(ns);
}

void repl_reset_stats(struct arch *a, struct db_node *d, int64_t now_ns)
{
	struct repl_replica *p = &d->repl;
	lag_advance(p, now_ns);
	p->lag_area_s2 = 0;
	p->lag_max_s = sim_ns_to_s(repl_lag_ns(a, d));
	p->shunned_ns = 0;
	if (p->shunned)
		p->shunned_since_ns = now_ns;
}

/* ---------------------------------------------------------------- shunning */

static void set_shunned(struct arch *a, struct db_node *d, bool on)
{
	struct repl_replica *p = &d->repl;
	int64_t now = a->engine.now_ns;
	double lag_s = sim_ns_to_s(repl_lag_ns(a, d));
	p->shunned = on;
	if (on) {
		p->shunned_since_ns = now;
		arch_event(a, MODEL_EVENT_SHUNNED, &d->base, "%s shunned: lag %.3fs > max_lag %.3fs",
			   d->base.name, lag_s, sim_ns_to_s(a->cfg->db.max_lag_ns));
	} else {
		p->shunned_ns += now - p->shunned_since_ns;
		arch_event(a, MODEL_EVENT_UNSHUNNED, &d->base, "%s takes reads again (lag %.3fs)",
			   d->base.name, lag_s);
	}
}

static void check_lag(struct arch *a, struct db_node *d);

static void on_lag_watch(struct sim_engine *e, void *obj, uint64_t arg)
{
	struct db_node *d = obj;
	(void)arg;
	d->repl.watch_armed = false;
	check_lag(arch_of(e), d);
}

/* Shun or restore d by its lag now, and watch for the instant its lag
 * would cross max_lag: one event per crossing, re-armed when it finds the
 * head moved on (the head's commit time only grows, so the armed instant
 * is never too late). */
static void check_lag(struct arch *a, struct db_node *d)
{
	struct repl_replica *p = &d->repl;
	int64_t max_ns = a->cfg->db.max_lag_ns;
	if (max_ns <= 0 || d->primary)
		return;
	int64_t lag = repl_lag_ns(a, d);
	if (p->shunned) {
		if (lag > max_ns / 2)
			return;
		set_shunned(a, d, false);
	} else if (lag > max_ns) {
		set_shunned(a, d, true);
		return;
	}
	if (list_is_empty(&p->relay) || p->watch_armed)
		return;
	p->watch_armed = true;
	p->watch_at_ns = p->relay.next->commit_ns + max_ns + 1;
	sim_engine_at(&a->engine, p->watch_at_ns, on_lag_watch, d, 0);
}

/* ---------------------------------------------------------------- applying */

static bool stations_down(const struct db_node *d)
{
	return d->base.health == NODE_CRASHED || d->base.health == NODE_PROCESS_DEAD;
}

/* it holds an applier: its apply goes to the node's cores. */
static void start_apply(struct arch *a, struct db_node *d, struct repl_item *it)
{
	double demand = sim_dist_sample(&a->cfg->db.apply_cost, d->repl.apply_rng);
	sim_station_arrive(&a->engine, &d->cpu, &it->cpu, demand);
}

/* The coordinator: hand the writes to free appliers in commit order, up to
 * the first whose client has a write still being applied.  Never while the
 * node's stations are down. */
static void pump(struct arch *a, struct db_node *d)
{
	struct repl_replica *p = &d->repl;
	while (p->cursor && !stations_down(d) && d->appliers.busy < d->appliers.cfg.servers) {
		struct repl_item *it = p->cursor;
		if (p->applying[it->slot])
			return; /* head-of-line blocking on a dependent write */
		p->cursor = it->next != &p->relay ? it->next : NULL;
		p->applying[it->slot] = it;
		sim_station_arrive(&a->engine, &d->appliers, &it->worker, SIM_DEMAND_HOLD);
		start_apply(a, d, it);
	}
}

/* Appliers are held, so this is only the node going down under a write:
 * the coordinator starts again from the oldest unapplied write when the
 * node is back (repl_node_recovered). */
static void on_applier_done(struct sim_engine *e, struct sim_station *st, struct sim_job *job,
			    enum sim_job_status status)
{
	struct repl_item *it = item_of_worker(job);
	struct db_node *d = st->owner;
	(void)status;
	if (d->repl.applying[it->slot] == it)
		d->repl.applying[it->slot] = NULL;
	if (it->cpu.station)
		sim_station_withdraw(e, it->cpu.station, &it->cpu);
}

static void applied(struct arch *a, struct db_node *d, struct repl_item *it)
{
	struct repl_replica *p = &d->repl;
	int64_t now = a->engine.now_ns;
	lag_advance(p, now);
	list_unlink(it);
	slot_row(a, it->slot)->applied_seq[d->base.index] = it->seq;
	p->applying[it->slot] = NULL;
	rec_db_apply(&a->rec, now - it->commit_ns);
	sim_pool_put(&a->repl.items, it);
	pump(a, d);
	check_lag(a, d);
}

void repl_cpu_done(struct arch *a, struct db_node *d, struct sim_job *job,
		   enum sim_job_status status)
{
	if (job->tag != DB_TAG_APPLY || status != SIM_JOB_DONE)
		return; /* a backup's cores, or the node went down (its appliers follow) */
	struct repl_item *it = item_of_cpu(job);
	sim_station_release(&a->engine, &d->appliers, &it->worker);
	applied(a, d, it);
}

/* ---------------------------------------------------------------- the binlog */

static void receive(struct arch *a, struct db_node *d, struct repl_item *it)
{
	struct repl_replica *p = &d->repl;
	if (!node_is_up(&d->base)) {
		list_append(&p->parked, it); /* fetched when it is back */
		return;
	}
	bool was_empty = list_is_empty(&p->relay);
	if (was_empty)
		lag_advance(p, a->engine.now_ns);
	list_append(&p->relay, it);
	if (!p->cursor)
		p->cursor = it;
	pump(a, d);
	if (was_empty)
		check_lag(a, d);
}

static void on_arrive(struct sim_engine *e, void *obj, uint64_t arg)
{
	struct repl_item *it = obj;
	struct arch *a = arch_of(e);
	(void)arg;
	if (it->source->base.epoch != it->source_epoch && it->source->base.health == NODE_CRASHED) {
		/* its primary's host died before this event left its buffers */
		sim_pool_put(&a->repl.items, it);
		return;
	}
	struct db_node *d = it->replica;
	uint64_t seq = it->seq;
	if (seq > d->repl.received_seq)
		d->repl.received_seq = seq;
	bool acks = node_is_up(&d->base);
	receive(a, d, it);
	if (acks)
		repl_semisync_received(a, d, seq);
}

uint64_t repl_commit(struct arch *a, struct db_node *primary, uint32_t client)
{
	struct repl_state *s = &a->repl;
	int64_t now = a->engine.now_ns;
	uint64_t seq = ++s->next_seq;
	uint32_t slot = slot_of(a, client);
	struct repl_slot *row = slot_row(a, slot);
	row->last_write_seq = seq;
	row->last_write_ns = now;
	primary->repl.committed_seq = seq;
	row->applied_seq[primary->base.index] = seq; /* its own write: it has it */
	rec_db_write(&a->rec);
	for (int i = 0; i < a->ndb; i++) {
		struct db_node *d = &a->db[i];
		if (d == primary)
			continue;
		struct repl_item *it = sim_pool_get(&s->items);
		if (!it)
			continue; /* out of memory: this replica never sees the write */
		memset(it, 0, sizeof *it);
		it->worker.tag = it->cpu.tag = DB_TAG_APPLY;
		it->replica = d;
		it->source = primary;
		it->source_epoch = primary->base.epoch;
		it->seq = seq;
		it->commit_ns = now;
		it->slot = slot;
		int64_t at = now + sim_dist_sample_ns(&a->cfg->net.hop, s->hop_rng);
		if (at < d->repl.last_arrival_ns)
			at = d->repl.last_arrival_ns; /* one stream: no overtaking */
		d->repl.last_arrival_ns = at;
		sim_engine_at(&a->engine, at, on_arrive, it, 0);
	}
	return seq;
}

/* ---------------------------------------------------------------- failures */

void repl_node_failed(struct arch *a, struct db_node *d)
{
	(void)a;
	(void)d; /* its writes were aborted with its stations; they stay on the relay list */
}

void repl_node_recovered(struct arch *a, struct db_node *d)
{
	struct repl_replica *p = &d->repl;
	/* What it had received and not applied (crash-safe applier position,
	 * relay log kept), in commit order, then what it missed meanwhile.
	 * After a partition the appliers kept working: the cursor stays. */
	if (!list_is_empty(&p->relay) && !p->relay.next->worker.station)
		p->cursor = p->relay.next;
	while (!list_is_empty(&p->parked)) {
		struct repl_item *it = p->parked.next;
		list_unlink(it);
		receive(a, d, it);
	}
	pump(a, d);
	check_lag(a, d);
}

void repl_promoted(struct arch *a, struct db_node *d)
{
	struct repl_replica *p = &d->repl;
	if (p->shunned) {
		p->shunned = false;
		p->shunned_ns += a->engine.now_ns - p->shunned_since_ns;
	}
	d->primary = true;
}

/* ---------------------------------------------------------------- routing */

bool repl_takes_reads(const struct db_node *d)
{
	return !d->primary && node_is_up(&d->base) && !d->repl.shunned;
}

bool repl_reads_own_writes(const struct arch *a, uint32_t client)
{
	int64_t window_ns = a->cfg->db.read_your_writes_ns;
	if (window_ns <= 0)
		return false;
	const struct repl_slot *row = slot_row(a, slot_of(a, client));
	return row->last_write_seq > 0 && a->engine.now_ns - row->last_write_ns < window_ns;
}

uint64_t repl_newest_write(const struct arch *a, uint32_t client)
{
	return slot_row(a, slot_of(a, client))->last_write_seq;
}

void repl_prefetch_client(const struct arch *a, uint32_t client)
{
	__builtin_prefetch(slot_row(a, slot_of(a, client)));
}

void repl_read_served(struct arch *a, struct db_node *d, uint32_t client, uint64_t newest_seq)
{
	if (d->primary) {
		rec_db_read(&a->rec, false, false, 0);
		return;
	}
	bool stale = slot_row(a, slot_of(a, client))->applied_seq[d->base.index] < newest_seq;
	rec_db_read(&a->rec, true, stale, repl_lag_ns(a, d));
}

/* ---------------------------------------------------------------- sampling, jobs */

static void on_lag_sample(struct sim_engine *e, void *obj, uint64_t arg)
{
	struct arch *a = arch_of(e);
	(void)obj;
	(void)arg;
	for (int i = 0; i < a->ndb; i++)
		if (!a->db[i].primary)
			rec_db_lag_sample(&a->rec, repl_lag_ns(a, &a->db[i]));
	if (e->now_ns + LAG_SAMPLE_NS < a->end_ns)
		sim_engine_after(e, LAG_SAMPLE_NS, on_lag_sample, NULL, 0);
}

static void on_job_start(struct sim_engine *e, void *obj, uint64_t arg)
{
	struct arch *a = arch_of(e);
	struct db_node *d = obj;
	int n = a->repl.job_ncores[arg];
	for (int i = 0; i < n; i++)
		sim_station_arrive(e, &d->cpu, &a->repl.job_cores[arg][i], SIM_DEMAND_HOLD);
	arch_event(a, MODEL_EVENT_ACTION, &d->base, "%s backup starts on %d cores", d->base.name, n);
}

static void on_job_end(struct sim_engine *e, void *obj, uint64_t arg)
{
	struct arch *a = arch_of(e);
	struct db_node *d = obj;
	for (int i = 0; i < a->repl.job_ncores[arg]; i++) {
		struct sim_job *job = &a->repl.job_cores[arg][i];
		if (job->station == &d->cpu && job->start_ns >= 0)
			sim_station_release(e, &d->cpu, job);
		else if (job->station == &d->cpu)
			sim_station_withdraw(e, &d->cpu, job);
	}
	arch_event(a, MODEL_EVENT_ACTION, &d->base, "%s backup ends", d->base.name);
}

void repl_start(struct arch *a)
{
	const struct db_config *c = &a->cfg->db;
	if (a->ndb > 1)
		sim_engine_at(&a->engine, 0, on_lag_sample, NULL, 0);
	for (size_t j = 0; j < c->njobs; j++) {
		const struct db_job_config *job = &c->jobs[j];
		if (job->node < 0 || job->node >= a->ndb || !a->repl.job_cores[j])
			continue;
		struct db_node *d = &a->db[job->node];
		sim_engine_at(&a->engine, job->at_ns, on_job_start, d, j);
		sim_engine_at(&a->engine, job->at_ns + job->for_ns, on_job_end, d, j);
	}
}

/* ---------------------------------------------------------------- life */

int repl_init(struct arch *a)
{
	const struct model_config *cfg = a->cfg;
	struct repl_state *s = &a->repl;
	int64_t clients = cfg->wl.clients > 0 ? cfg->wl.clients : 1;
	s->slots = clients < (int64_t)REPL_CLIENT_SLOTS ? (uint32_t)clients : REPL_CLIENT_SLOTS;
	sim_pool_init(&s->items, sizeof(struct repl_item), 1024);
	size_t row = sizeof(struct repl_slot) + (size_t)a->ndb * sizeof(uint64_t);
	s->slot_stride = (row + 63) / 64 * 64; /* whole cache lines */
	s->slot_rows = aligned_alloc(64, s->slots * s->slot_stride);
	if (s->slot_rows)
		memset(s->slot_rows, 0, s->slots * s->slot_stride);
	s->hop_rng = sim_rng_stream_create(cfg->seed, a->replication, "repl.hop");
	if (!s->slot_rows || !s->hop_rng)
		return -1;
	repl_semisync_init(a);
	for (size_t j = 0; j < cfg->db.njobs; j++) {
		int n = (int)lround(cfg->db.jobs[j].cores * cfg->db.cores);
		n = n < 1 ? 1 : n > cfg->db.cores ? cfg->db.cores : n;
		s->job_cores[j] = calloc((size_t)n, sizeof(struct sim_job));
		if (!s->job_cores[j])
			return -1;
		s->job_ncores[j] = n;
		for (int i = 0; i < n; i++)
			s->job_cores[j][i].tag = DB_TAG_BACKUP;
	}
	return 0;
}

int repl_node_init(struct arch *a, struct db_node *d)
{
	struct repl_replica *p = &d->repl;
	arch_station_init(a, &d->appliers, d->base.name, a->cfg->db.apply_workers, -1, 0,
			  on_applier_done, d);
	list_init(&p->relay);
	list_init(&p->parked);
	p->applying = calloc(a->repl.slots, sizeof *p->applying);
	char stream[32];
	snprintf(stream, sizeof stream, "%s.apply", d->base.name);
	p->apply_rng = sim_rng_stream_create(a->cfg->seed, a->replication, stream);
	return p->applying && p->apply_rng ? 0 : -1;
}

void repl_fini(struct arch *a)
{
	struct repl_state *s = &a->repl;
	for (int i = 0; a->db && i < a->ndb; i++) {
		struct repl_replica *p = &a->db[i].repl;
		free(p->applying);
		if (p->apply_rng)
			gsl_rng_free(p->apply_rng);
	}
	for (size_t j = 0; j < DB_MAX_JOBS; j++)
		free(s->job_cores[j]);
	free(s->slot_rows);
	if (s->hop_rng)
		gsl_rng_free(s->hop_rng);
	sim_pool_fini(&s->items);
}
