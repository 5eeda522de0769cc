/* The dashboard's view state: everything `tiersim dash` shows, as plain
 * data and text, with no ncurses in sight.
 *
 * report/dash_view.c only paints this; cli/dash.c only feeds it (snapshots
 * of the session, model events, keys).  So what the screen says (node
 * states, the VIP holder, sparklines, utilization bars, SLO status, the event
 * log, the clock and the speed, where each part goes at a given terminal
 * size) is decided here and unit-tested without a terminal.
 *
 * Text is ASCII only (sparklines use " .:-=+*#%@"), so a vt100 shows
 * everything a colour terminal does; colour only repeats the state. */
#ifndef REPORT_DASH_MODEL_H
#define REPORT_DASH_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/config.h"
#include "models/events.h"
#include "models/session.h"

#define RPT_DASH_LOG_MAX 256       /* lines the event log keeps */
#define RPT_DASH_SPARK_MAX 180     /* windows the sparklines keep (3 min of 1 s) */
#define RPT_DASH_LINE_MAX 160
#define RPT_DASH_MIN_COLS 80
#define RPT_DASH_MIN_ROWS 24

/* The speeds + and - step through; 0 is "as fast as possible". */
#define RPT_DASH_NSPEEDS 11
extern const double rpt_dash_speeds[RPT_DASH_NSPEEDS];

struct rpt_dash_log_line {
	int64_t at_ns;
	enum model_event_kind kind;
	char text[MODEL_EVENT_TEXT_MAX + 64];
};

struct rpt_dash_node {
	char name[16];
	enum model_tier tier;
	enum model_node_state state;
	char detail[24];        /* "crashed", "slow x5", "VIP", "primary", "" */
	double utilization;     /* 0..1, last window */
	double lag_s;           /* NAN: no lag to show */
};

struct rpt_dash_slo {
	char text[64];          /* "p99 123ms <= 300ms" */
	bool known;             /* measured yet */
	bool met;
};

/* A rectangle of the screen: rows y..y+h-1, columns x..x+w-1. */
struct rpt_dash_rect {
	int y, x, h, w;
};

struct rpt_dash_layout {
	bool too_small;         /* below 80x24: only a message fits */
	struct rpt_dash_rect header, topology, side, log, footer;
};

struct rpt_dash {
	char scenario[MODEL_NAME_MAX];
	/* from the last snapshot */
	int64_t now_ns, end_ns, warmup_ns;
	double rate_per_s;
	int nnodes;
	struct rpt_dash_node nodes[MODEL_MAX_NODES];
	int vip_holder;         /* node index, -1: nobody */
	enum model_autoscaler autoscaler; /* none, off or on */
	enum model_tier autoscale_tier;
	double tier_utilization[TIER_COUNT];
	int tier_nodes[TIER_COUNT];
	/* sparklines: one value per closed window, oldest first */
	size_t nspark;
	double throughput_per_s[RPT_DASH_SPARK_MAX];
	double p99_ms[RPT_DASH_SPARK_MAX];   /* NAN: no request completed */
	double error_pct[RPT_DASH_SPARK_MAX];
	struct rpt_dash_slo slo[SLO_MAX_CHECKS];
	size_t nslo;
	/* the event log, a ring */
	struct rpt_dash_log_line log[RPT_DASH_LOG_MAX];
	size_t log_next, log_count;
	/* controls */
	int speed_index;        /* into rpt_dash_speeds */
	double achieved_speed;  /* simulated s per wall s over the last second */
	bool paused;
	bool at_end;            /* the scenario's duration is reached */
	bool help;
	int selected;           /* node index */
};

/* What a key asks for. */
enum rpt_dash_cmd {
	RPT_DASH_CMD_NONE,
	RPT_DASH_CMD_PAUSE, RPT_DASH_CMD_FASTER, RPT_DASH_CMD_SLOWER, RPT_DASH_CMD_STEP,
	RPT_DASH_CMD_NEXT, RPT_DASH_CMD_PREV, RPT_DASH_CMD_HELP, RPT_DASH_CMD_AUTOSCALER,
	RPT_DASH_CMD_CRASH, RPT_DASH_CMD_SLOW, RPT_DASH_CMD_PARTITION, RPT_DASH_CMD_RECOVER,
	RPT_DASH_CMD_LOAD_DOWN, RPT_DASH_CMD_LOAD_UP, RPT_DASH_CMD_QUIT,
};

/* The command of a printable key (' ', '+', 'k', ...); the view maps the
 * arrows and tab itself. */
enum rpt_dash_cmd rpt_dash_cmd_of_char(int ch);
/* Apply what concerns the view alone (pause, speed, selection, help) and
 * return false; true: the session must act (a step, an action such as the
 * autoscaler switch, quit), which the caller does. */
bool rpt_dash_apply(struct rpt_dash *d, enum rpt_dash_cmd c);

void rpt_dash_init(struct rpt_dash *d, const char *scenario_name, int speed_index);
/* Take a session snapshot and the scenario's SLOs. */
void rpt_dash_update(struct rpt_dash *d, const struct model_snapshot *snap,
		     const struct slo_check *slo, size_t nslo);
/* Append a line to the event log (the oldest goes when full). */
void rpt_dash_log(struct rpt_dash *d, int64_t at_ns, enum model_event_kind kind, const char *text);
/* Log line k, 0 the newest; NULL past the end. */
const struct rpt_dash_log_line *rpt_dash_log_line(const struct rpt_dash *d, size_t k);

/* Move the selection by delta nodes (wrapping). */
void rpt_dash_select(struct rpt_dash *d, int delta);
/* Move along rpt_dash_speeds; the speed in simulated s per wall s (0: as
 * fast as possible). */
void rpt_dash_speed_step(struct rpt_dash *d, int delta);
double rpt_dash_speed(const struct rpt_dash *d);

/* Text pieces the view paints. */
const char *rpt_dash_state_name(enum model_node_state s);   /* "up", "DOWN", ... */
void rpt_dash_clock(int64_t ns, char *buf, size_t len);      /* "01:35.2" */
void rpt_dash_header(const struct rpt_dash *d, char *buf, size_t len);
/* The topology's first line: who holds the VIP, and the autoscaler's
 * state ("autoscaler: on (app)", "off (app)", "none"). */
void rpt_dash_topology_title(const struct rpt_dash *d, char *buf, size_t len);
void rpt_dash_node_cell(const struct rpt_dash *d, int i, char *buf, size_t len);
void rpt_dash_log_text(const struct rpt_dash_log_line *l, char *buf, size_t len);
/* `width` characters of sparkline for the last values of v[0..n) (NAN as
 * blank), scaled from 0 to their maximum; *max_out gets that maximum. */
void rpt_dash_sparkline(const double *v, size_t n, int width, char *buf, double *max_out);
/* "[#####.....]" of `width` characters in all, for a share 0..1. */
void rpt_dash_bar(double share, int width, char *buf);
/* The keys, one per line, for the ? overlay; NULL-terminated. */
extern const char *const rpt_dash_help_lines[];
extern const char rpt_dash_footer[];

void rpt_dash_layout_compute(int cols, int rows, struct rpt_dash_layout *l);

#endif
