/* The dashboard painted with ncurses (report/dash_view.c).
 *
 * Everything shown comes from struct rpt_dash (dash_model.h); this file only
 * places it.  It draws on the current ncurses screen without flicker: erase
 * the virtual screen, paint, wnoutrefresh, doupdate (curses sends only what
 * changed; never clear(), which repaints the whole terminal).  Colour when
 * the terminal has it (TERM=xterm-256color), plain attributes otherwise
 * (TERM=vt100): the state is always written out, colour only repeats it. */
#ifndef REPORT_DASH_VIEW_H
#define REPORT_DASH_VIEW_H

#include <stdbool.h>

#include "dash_model.h"

/* Set up the current screen (cbreak, no echo, keypad, hidden cursor,
 * colours when available); returns whether colour is used. */
bool rpt_dash_view_start(void);
/* Paint d at the screen's current size. */
void rpt_dash_view_draw(const struct rpt_dash *d, bool color);
/* The command of a key read from curses (arrows, tab, printable keys);
 * RPT_DASH_CMD_NONE for anything else, KEY_RESIZE included. */
enum rpt_dash_cmd rpt_dash_view_cmd(int key);

#endif
