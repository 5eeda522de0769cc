/* Ctrl-C: a clean stop on the first SIGINT or SIGTERM, an abort on the second.
 *
 * The handler only stores the signal number in a volatile sig_atomic_t flag;
 * everything else happens outside it: the engine loop tests the flag after
 * each event (sim_engine_run returns SIM_RUN_STOPPED), the replication pool
 * hands out no new replication, and the command writes the report for the
 * time simulated, marked partial.  A second signal ends the process at once
 * (exit status 128 + signal, as shells report it) after removing the one
 * temporary output file being written, if any, with unlink(2), which is
 * async-signal-safe.  Nothing is installed unless a command asks: library
 * users and the dashboard keep the default behaviour. */
#ifndef SIM_INTERRUPT_H
#define SIM_INTERRUPT_H

#include <signal.h>
#include <stdbool.h>

/* 0, or the first signal received (SIGINT or SIGTERM).  Read it, never write
 * it outside this module. */
extern volatile sig_atomic_t sim_interrupt_signal;

/* Install the handlers for SIGINT and SIGTERM; 0 or an errno. */
int sim_interrupt_install(void);

static inline bool sim_interrupted(void) { return sim_interrupt_signal != 0; }

/* The exit status for an interrupted command: 128 + the signal (130 for
 * SIGINT, 143 for SIGTERM). */
int sim_interrupt_exit_status(void);

/* Register the temporary file being written (NULL: none), for the second
 * signal to remove.  The path is copied; one file at a time. */
void sim_interrupt_set_tmpfile(const char *path);

/* mkstemp(3) of `template`, registered as the temporary file at once:
 * SIGINT and SIGTERM are blocked from before the file exists until its name
 * is registered, so a second signal can never leave it behind.  Returns the
 * descriptor, or -1 with errno set. */
int sim_interrupt_mkstemp(char *template);

/* For tests: forget a received signal (the handlers stay installed). */
void sim_interrupt_reset(void);

#endif
