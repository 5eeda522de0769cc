/* Model events (events.h): formatting happens only when someone listens. */
#include "events.h"

#include <stdarg.h>
#include <stdio.h>

#include "arch.h"

static const char *const kind_names[MODEL_EVENT_KIND_COUNT] = {
	[MODEL_EVENT_NODE_FAILED] = "node_failed", [MODEL_EVENT_NODE_RECOVERED] = "node_recovered",
	[MODEL_EVENT_NODE_SLOW] = "node_slow",     [MODEL_EVENT_MARKED_DOWN] = "marked_down",
	[MODEL_EVENT_MARKED_UP] = "marked_up",     [MODEL_EVENT_VIP_MOVED] = "vip_moved",
	[MODEL_EVENT_VIP_LOST] = "vip_lost",       [MODEL_EVENT_FAILOVER] = "failover",
	[MODEL_EVENT_SHUNNED] = "shunned",         [MODEL_EVENT_UNSHUNNED] = "unshunned",
	[MODEL_EVENT_SCALED] = "scaled",           [MODEL_EVENT_ACTION] = "action",
};

const char *model_event_kind_name(enum model_event_kind k)
{
	return k < MODEL_EVENT_KIND_COUNT ? kind_names[k] : "?";
}

void arch_event(struct arch *a, enum model_event_kind kind, const struct node *n,
		const char *fmt, ...)
{
	if (!a->events.fn)
		return;
	struct model_event ev = {.at_ns = a->engine.now_ns, .kind = kind, .node = n};
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ev.text, sizeof ev.text, fmt, ap);
	va_end(ap);
	a->events.fn(a->events.ctx, &ev);
}
