/* Defaults of the architecture model.
 *
 * The defaults are the baseline architecture of the scenario language
 * (docs/scenarios.md), and, where a key mirrors a setting of the real
 * software, that software's documented default (../shared/DOMAIN.md):
 * HAProxy inter 2s / rise 2 / fall 3 / retries 3, keepalived VRRP v2 with
 * advert_int 1s and priority 100 for the backup, nginx max_fails 1 and
 * fail_timeout 10s, MySQL semi-sync timeout 10s. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "sim/time.h"

static void init_class(struct wl_class_config *k, const char *name, double share, bool dynamic,
		       double app_mean_ms, int reads, int writes)
{
	memset(k, 0, sizeof *k);
	strncpy(k->name, name, sizeof k->name - 1);
	k->share = share;
	k->dynamic = dynamic;
	k->db_reads = reads;
	k->db_writes = writes;
	if (dynamic)
		sim_dist_init_exp(&k->app, app_mean_ms * 1e6);
	else
		sim_dist_init_const(&k->app, 0);
}

void model_config_init(struct model_config *c)
{
	memset(c, 0, sizeof *c);
	strcpy(c->name, "unnamed");
	c->duration_ns = 10 * SIM_NS_PER_MIN;
	c->warmup_ns = SIM_NS_PER_MIN;
	c->replications = 5;
	c->max_replications = 50;
	c->precision = 0.02;
	c->seed = 1;
	c->window_ns = SIM_NS_PER_S;

	struct wl_config *wl = &c->wl;
	wl->rate_per_s = 2000;
	wl->arrivals = WL_ARRIVALS_POISSON;
	wl->clients = 50000;
	wl->timeout_ns = 10 * SIM_NS_PER_S;
	wl->retries = 1;
	sim_dist_init_exp(&wl->retry_backoff, 500e6);
	init_class(&wl->classes[0], "static", 0.55, false, 0, 0, 0);
	init_class(&wl->classes[1], "page", 0.35, true, 25, 4, 0);
	init_class(&wl->classes[2], "write", 0.10, true, 40, 2, 1);
	wl->nclasses = 3;

	sim_dist_init_const(&c->net.hop, 0.2e6);

	struct lb_config *lb = &c->lb;
	lb->nodes = 2;
	sim_dist_init_exp(&lb->service, 40e3);
	lb->threads = 4;
	lb->balance = LB_BALANCE_ROUNDROBIN;
	lb->maxconn = 20000;
	lb->timeout_queue_ns = 5 * SIM_NS_PER_S;
	lb->timeout_server_ns = 30 * SIM_NS_PER_S;
	lb->timeout_connect_ns = 5 * SIM_NS_PER_S;
	lb->check = (struct lb_check_config){
		.inter_ns = 2 * SIM_NS_PER_S, .fastinter_ns = 2 * SIM_NS_PER_S,
		.downinter_ns = 2 * SIM_NS_PER_S, .timeout_ns = SIM_NS_PER_S, .rise = 2, .fall = 3,
	};
	lb->retries = 3;
	lb->redispatch = true;
	lb->vrrp = (struct vrrp_config){
		.version = 2, .advert_int_ns = SIM_NS_PER_S, .priority = {101, 100}, .preempt = true,
	};
	lb->track = (struct track_config){.interval_ns = 2 * SIM_NS_PER_S, .fall = 2, .rise = 2};

	struct web_config *web = &c->web;
	web->nodes = 3;
	web->workers = 4;
	web->worker_connections = 1024;
	/* lognormal(mean=0.4ms, cv=1.5) is the documented default; parse it so
	 * its canonical text and moments come from one place. */
	struct sim_parse_error err;
	if (sim_dist_parse("lognormal(mean=0.4ms, cv=1.5)", NULL, &web->static_cost, &err) != 0)
		sim_dist_init_exp(&web->static_cost, 0.4e6);
	sim_dist_init_exp(&web->proxy_cost, 0.15e6);
	sim_dist_init_const(&web->tls_handshake, 2e6);
	sim_dist_init_const(&web->tls_resumed, 0.2e6);
	web->tls_reuse = 0.70;
	web->cache_hit = 0.20;
	web->upstream_balance = WEB_BALANCE_LEAST_CONN;
	web->max_fails = 1;
	web->fail_timeout_ns = 10 * SIM_NS_PER_S;
	web->next_upstream_tries = 2;
	web->connect_timeout_ns = 60 * SIM_NS_PER_S; /* nginx's proxy_connect_timeout */
	web->read_timeout_ns = 60 * SIM_NS_PER_S;    /* nginx's proxy_read_timeout */

	struct app_config *app = &c->app;
	app->nodes = 4;
	app->cores = 8;
	app->workers = 64;
	app->db_pool_size = 16;
	app->db_pool_timeout_ns = 2 * SIM_NS_PER_S;
	app->db_timeout_ns = 5 * SIM_NS_PER_S;

	struct db_config *db = &c->db;
	db->nodes = 3;
	db->cores = 16;
	db->max_connections = 500;
	sim_dist_init_exp(&db->read_cost, 1.5e6);
	sim_dist_init_exp(&db->write_cost, 4e6);
	db->replication = DB_REPLICATION_ASYNC;
	db->semisync_timeout_ns = 10 * SIM_NS_PER_S;
	sim_dist_init_exp(&db->apply_cost, 0.6e6);
	db->apply_workers = 1;
	db->reads_from = DB_READS_FROM_REPLICAS;
	db->failover_detect_ns = 10 * SIM_NS_PER_S;
	db->failover_promote_ns = 20 * SIM_NS_PER_S;

	c->slo[0] = (struct slo_check){SLO_P99, SLO_AT_MOST, 300e6};
	c->slo[1] = (struct slo_check){SLO_AVAILABILITY, SLO_AT_LEAST, 99.9 / 100};
	c->nslo = 2;

	/* The autoscaler's defaults (used once `autoscale` is given). */
	struct autoscale_config *as = &c->autoscale;
	as->enabled = true;
	as->tier = TIER_APP;
	as->metric = AUTOSCALE_UTILIZATION;
	as->target = 0.6;
	as->interval_ns = 30 * SIM_NS_PER_S;
	as->cooldown_ns = 3 * SIM_NS_PER_MIN;
	as->boot_ns = 90 * SIM_NS_PER_S;
	as->min = 1;
	as->max = 10;
}

const char *const autoscale_metric_names[AUTOSCALE_UTILIZATION + 2] = {"utilization", NULL};

static int tier_nodes(const struct model_config *c, enum model_tier t)
{
	return t == TIER_LB ? c->lb.nodes : t == TIER_WEB ? c->web.nodes
				       : t == TIER_APP ? c->app.nodes : c->db.nodes;
}

bool model_scales(const struct model_config *c)
{
	return c->nscaling > 0 || c->autoscale.given;
}

int model_tier_max_nodes(const struct model_config *c, enum model_tier t)
{
	int n = tier_nodes(c, t);
	for (size_t i = 0; i < c->nscaling; i++)
		if (c->scaling[i].tier == t && c->scaling[i].nodes > n)
			n = c->scaling[i].nodes;
	if (c->autoscale.given && c->autoscale.tier == t && c->autoscale.max > n)
		n = c->autoscale.max;
	return n;
}

static const char *const slo_metric_names[SLO_METRIC_COUNT] = {
	[SLO_MEAN] = "mean", [SLO_P50] = "p50", [SLO_P90] = "p90", [SLO_P99] = "p99",
	[SLO_P999] = "p999", [SLO_AVAILABILITY] = "availability", [SLO_THROUGHPUT] = "throughput",
};

const char *const model_tier_names[TIER_COUNT + 1] = {"lb", "web", "app", "db", NULL};

const char *const model_failure_kind_names[FAILURE_RANDOM + 2] = {
	[FAILURE_CRASH] = "crash", [FAILURE_PROCESS] = "process", [FAILURE_SLOW] = "slow",
	[FAILURE_PARTITION] = "partition", [FAILURE_RANDOM] = "random", NULL,
};

const char *const db_job_kind_names[DB_JOB_BACKUP + 2] = {[DB_JOB_BACKUP] = "backup", NULL};

const char *failure_kind_name(enum failure_kind k)
{
	return (unsigned)k <= FAILURE_RANDOM ? model_failure_kind_names[k] : "unknown";
}

const char *slo_metric_name(enum slo_metric m)
{
	return (unsigned)m < SLO_METRIC_COUNT ? slo_metric_names[m] : "unknown";
}

void model_config_fini(struct model_config *c)
{
	free(c->description);
	for (size_t i = 0; i < c->wl.nclasses; i++)
		sim_dist_fini(&c->wl.classes[i].app);
	sim_dist_fini(&c->wl.retry_backoff);
	sim_dist_fini(&c->net.hop);
	sim_dist_fini(&c->lb.service);
	sim_dist_fini(&c->web.static_cost);
	sim_dist_fini(&c->web.proxy_cost);
	sim_dist_fini(&c->web.tls_handshake);
	sim_dist_fini(&c->web.tls_resumed);
	sim_dist_fini(&c->db.read_cost);
	sim_dist_fini(&c->db.write_cost);
	sim_dist_fini(&c->db.apply_cost);
	for (size_t i = 0; i < c->nfailures; i++)
		sim_dist_fini(&c->failures[i].mttr);
	memset(c, 0, sizeof *c);
}
