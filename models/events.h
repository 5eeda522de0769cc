/* Model events: what a person watching the system would write in a log.
 *
 * Models *emit* the moments that matter to an operator (a node fails, a
 * peer notices, the VIP moves, a failover starts, a replica is shunned, a
 * node joins) through arch_event(); whoever watches decides what to keep:
 * the dashboard's event log, a trace, a test.  Nobody watches a plain run:
 * with no listener an event costs one branch and formats nothing, so models
 * emit freely (OMNeT++ signals, ns-3 trace sources). */
#ifndef MODELS_EVENTS_H
#define MODELS_EVENTS_H

#include <stdint.h>

struct arch;
struct node;

enum model_event_kind {
	MODEL_EVENT_NODE_FAILED,     /* a failure started on the node */
	MODEL_EVENT_NODE_RECOVERED,  /* the node is back (or back to speed) */
	MODEL_EVENT_NODE_SLOW,       /* a gray failure started on the node */
	MODEL_EVENT_MARKED_DOWN,     /* a peer's checks took the node out of rotation */
	MODEL_EVENT_MARKED_UP,       /* ... and put it back */
	MODEL_EVENT_VIP_MOVED,       /* the node now holds the VIP */
	MODEL_EVENT_VIP_LOST,        /* nobody holds the VIP */
	MODEL_EVENT_FAILOVER,        /* a database failover step (node: the new primary) */
	MODEL_EVENT_SHUNNED,         /* a replica left the readers (lag) */
	MODEL_EVENT_UNSHUNNED,
	MODEL_EVENT_SCALED,          /* a node joined, drained or left its tier */
	MODEL_EVENT_ACTION,          /* an operator's action (the dashboard's keys) */
	MODEL_EVENT_KIND_COUNT
};

#define MODEL_EVENT_TEXT_MAX 96

struct model_event {
	int64_t at_ns;
	enum model_event_kind kind;
	const struct node *node;            /* may be NULL */
	char text[MODEL_EVENT_TEXT_MAX];    /* "lb2 takes the VIP (master down)" */
};

typedef void (*model_event_fn)(void *ctx, const struct model_event *ev);

struct model_event_listener {
	model_event_fn fn;                  /* NULL: nobody listens */
	void *ctx;
};

/* "node_failed", ... (for traces and tests). */
const char *model_event_kind_name(enum model_event_kind k);

/* Emit an event at the current simulated time; printf-style text. */
void arch_event(struct arch *a, enum model_event_kind kind, const struct node *n,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
