/* Names of tiers and error causes, as reports print them, and the results'
 * memory. */
#include "results.h"

#include <stdlib.h>

static const char *const error_names[ERR_COUNT] = {
	[ERR_VIP_UNREACHABLE] = "vip_unreachable", [ERR_CONNECT_REFUSED] = "connect_refused",
	[ERR_CONNECT_TIMEOUT] = "connect_timeout", [ERR_SERVER_TIMEOUT] = "server_timeout",
	[ERR_QUEUE_TIMEOUT] = "queue_timeout",     [ERR_POOL_TIMEOUT] = "pool_timeout",
	[ERR_DB_UNAVAILABLE] = "db_unavailable",   [ERR_NO_BACKEND] = "no_backend",
	[ERR_CLIENT_TIMEOUT] = "client_timeout",   [ERR_MEMORY_LIMIT] = "memory_limit",
};


const char *model_error_name(enum model_error e)
{
	return e < ERR_COUNT ? error_names[e] : "unknown";
}

const char *model_tier_name(enum model_tier t)
{
	return t < TIER_COUNT ? model_tier_names[t] : "unknown";
}

void model_results_fini(struct model_results *r)
{
	free(r->windows);
	free(r->window_block);
	r->windows = NULL;
	r->window_block = NULL;
	r->nwindows = 0;
}
