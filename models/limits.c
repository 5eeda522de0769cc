/* The memory budget of one replication: caps on calls, attempts and events.
 * See limits.h for the model and the decisions. */
#include "limits.h"

#include <unistd.h>

#include "request.h"
#include "sim/calendar.h"
#include "sim/replicate.h"

size_t model_limits_event_bytes(void)
{
	return 4 * (sizeof(struct sim_calendar_key) + sizeof(struct sim_calendar_slot) +
		    sizeof(struct sim_calendar_entry));
}

void model_limits_of(const struct model_config *cfg, struct model_limits *out)
{
	int64_t budget = cfg->max_memory_bytes > 0 ? cfg->max_memory_bytes
						    : MODEL_MEMORY_DEFAULT_BYTES;
	/* A call and one attempt at a time; a zombie attempt (its client gave up
	 * and retried) takes the place of the call that was freed or failed,
	 * so both pools get the same cap and the budget pays for both. */
	size_t per_call = sizeof(struct wl_call) + sizeof(struct request) +
			  MODEL_EVENTS_PER_CALL * model_limits_event_bytes();
	size_t n = (size_t)budget / per_call;
	if (n < 1)
		n = 1;
	*out = (struct model_limits){
		.budget_bytes = budget,
		.bytes_per_call = per_call,
		.max_calls = n,
		.max_requests = n,
		.max_events = n * MODEL_EVENTS_PER_CALL + MODEL_EVENTS_FIXED,
	};
}

int model_limits_jobs(int64_t budget_bytes, int jobs)
{
	if (jobs <= 0)
		jobs = sim_cpu_count();
	if (budget_bytes <= 0)
		budget_bytes = MODEL_MEMORY_DEFAULT_BYTES;
	long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
	if (pages <= 0 || page <= 0)
		return jobs; /* unknown: trust -j */
	double usable = 0.75 * (double)pages * (double)page;
	double fit = usable / (double)budget_bytes;
	if (fit < 1)
		return 1;
	return fit < jobs ? (int)fit : jobs;
}
