/* Failover of the MySQL primary (orchestrator, ../shared/DOMAIN.md §6.1).
 *
 * When the primary fails (crash, process death, partition), writes fail
 * with db_unavailable at once (db.c), and:
 *  - `failover.detect` later the failure is noticed (orchestrator's
 *    DeadMaster: its probes and the replicas agree), unless the primary is
 *    back by then; the incident's detected_s is that instant;
 *  - `failover.promote` after that, the most up-to-date live replica (the
 *    one that received the most of the binlog; the lowest index among
 *    equals) becomes the primary, the others replicate from it, and writes
 *    flow again.  The promoted replica keeps applying its relay log in the
 *    background (DelayMasterPromotionIfSQLThreadNotUpToDate is false by
 *    default), so its reads may lag for a while;
 *  - with async replication the writes it never received are lost
 *    (`lost_writes`): a host that crashes takes with it the binlog events
 *    still in its buffers, that is, the writes committed less than a hop
 *    before the crash;
 *  - the old primary, when it comes back, is a replica: it fetches and
 *    applies what the new primary committed meanwhile (its own lost writes
 *    stay on it as errant transactions; they are not modelled further).
 * No failover when the primary is back before promotion, or when no
 * replica is up. */
#include <stdint.h>

#include "arch.h"

static void on_promote(struct sim_engine *e, void *obj, uint64_t epoch)
{
	struct arch *a = arch_of(e);
	struct db_node *old = obj;
	if (node_is_up(&old->base) || old->base.epoch != (uint32_t)epoch || !old->primary) {
		arch_event(a, MODEL_EVENT_FAILOVER, &old->base, "failover abandoned: %s is back",
			   old->base.name);
		return;
	}
	struct db_node *best = NULL;
	for (int i = 0; i < a->ndb; i++) {
		struct db_node *d = &a->db[i];
		if (d != old && node_is_up(&d->base) &&
		    (!best || d->repl.received_seq > best->repl.received_seq))
			best = d;
	}
	if (!best) {
		arch_event(a, MODEL_EVENT_FAILOVER, &old->base,
			   "failover failed: no replica of %s is up", old->base.name);
		return;
	}
	uint64_t lost = old->repl.committed_seq > best->repl.received_seq
				? old->repl.committed_seq - best->repl.received_seq
				: 0;
	rec_db_lost_writes(&a->rec, lost);
	old->primary = false;
	repl_promoted(a, best);
	arch_event(a, MODEL_EVENT_FAILOVER, &best->base,
		   "%s promoted to primary in place of %s (%llu writes lost)", best->base.name,
		   old->base.name, (unsigned long long)lost);
}

static void on_detect(struct sim_engine *e, void *obj, uint64_t epoch)
{
	struct arch *a = arch_of(e);
	struct db_node *d = obj;
	if (node_is_up(&d->base) || d->base.epoch != (uint32_t)epoch || !d->primary)
		return; /* back before anyone decided it was dead */
	rec_node_detected(&a->rec, &d->base);
	arch_event(a, MODEL_EVENT_FAILOVER, &d->base, "%s is dead: failover starts",
		   d->base.name);
	sim_engine_after(e, a->cfg->db.failover_promote_ns, on_promote, d, epoch);
}

void repl_primary_failed(struct arch *a, struct db_node *d)
{
	if (a->ndb < 2)
		return;
	sim_engine_after(&a->engine, a->cfg->db.failover_detect_ns, on_detect, d, d->base.epoch);
}

/* ---------------------------------------------------------------- semi-sync
 *
 * With replication: semisync (AFTER_SYNC, wait_for_replica_count 1), a
 * write's commit returns to the app only once one replica has received it
 * (its relay log write) and its ACK has come back one hop later: every write
 * pays about a round trip more.  The waiting commits are a FIFO in commit
 * order (a sim_timeout_queue of semisync_timeout): an ACK releases every
 * commit up to its write; a commit that waits semisync_timeout makes the
 * primary fall back to async, which releases them all, until a replica has
 * received everything again (MySQL's switch back when a semi-sync replica
 * catches up).  A replica that is down or cut off sends no ACK. */

static bool semisync_on(const struct arch *a)
{
	return a->cfg->db.replication == DB_REPLICATION_SEMISYNC && a->ndb > 1;
}

static void release_waiting(struct arch *a, uint64_t upto_seq)
{
	struct sim_timeout_queue *q = &a->repl.semisync;
	while (q->list.next != &q->list) {
		struct sim_timeout *t = q->list.next;
		struct request *r = request_of(t, semisync_wait);
		if (r->semisync_seq > upto_seq)
			break;
		sim_timeout_stop(q, t);
		app_query_done(a, r);
	}
}

static void on_semisync_timeout(struct sim_engine *e, struct sim_timeout_queue *q,
				struct sim_timeout *t)
{
	struct arch *a = arch_of(e);
	struct request *r = request_of(t, semisync_wait);
	(void)q;
	a->repl.semisync_async = true;
	struct db_node *d = r->db;
	arch_event(a, MODEL_EVENT_ACTION, d ? &d->base : NULL,
		   "semi-sync: no ACK in %.3fs, the primary falls back to async",
		   (double)a->cfg->db.semisync_timeout_ns / 1e9);
	app_query_done(a, r);
	release_waiting(a, UINT64_MAX);
}

static void on_ack(struct sim_engine *e, void *obj, uint64_t seq)
{
	struct arch *a = arch_of(e);
	struct db_node *d = obj;
	if (seq > a->repl.acked_seq)
		a->repl.acked_seq = seq;
	if (a->repl.semisync_async && a->repl.acked_seq >= a->repl.next_seq) {
		a->repl.semisync_async = false;
		arch_event(a, MODEL_EVENT_ACTION, &d->base,
			   "semi-sync: %s caught up, the primary waits for ACKs again", d->base.name);
	}
	release_waiting(a, a->repl.acked_seq);
}

void repl_semisync_received(struct arch *a, struct db_node *d, uint64_t seq)
{
	if (!semisync_on(a))
		return;
	sim_engine_after(&a->engine, sim_dist_sample_ns(&a->cfg->net.hop, a->repl.hop_rng), on_ack,
			 d, seq);
}

bool repl_semisync_wait(struct arch *a, struct request *r, uint64_t seq)
{
	if (!semisync_on(a) || a->repl.semisync_async)
		return false;
	r->semisync_seq = seq;
	sim_timeout_start(&a->engine, &a->repl.semisync, &r->semisync_wait);
	return true;
}

void repl_semisync_init(struct arch *a)
{
	int64_t timeout_ns = a->cfg->db.semisync_timeout_ns;
	if (timeout_ns <= 0)
		timeout_ns = INT64_MAX / 4; /* 0: wait for ever */
	sim_timeout_queue_init(&a->repl.semisync, timeout_ns, on_semisync_timeout, a);
}

/* The primary died with commits waiting for their ACK: their clients'
 * connections are gone (reset at once after a process death, else lost
 * until the DB client time-out). */
void repl_semisync_primary_failed(struct arch *a, struct db_node *d)
{
	struct sim_timeout_queue *q = &a->repl.semisync;
	while (semisync_on(a) && q->list.next != &q->list) {
		struct sim_timeout *t = q->list.next;
		struct request *r = request_of(t, semisync_wait);
		sim_timeout_stop(q, t);
		if (node_refuses(&d->base)) {
			request_fail(r, ERR_DB_UNAVAILABLE);
			app_query_done(a, r);
		} else {
			db_query_lost(a, r);
		}
	}
}
