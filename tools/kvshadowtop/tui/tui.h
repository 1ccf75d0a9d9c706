/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internals of the interactive view, shared by tui.c (the terminal: setup,
 * input, signals, restore), tui_draw.c (the screen, drawn from the model)
 * and tui_keys.c (the key table, help screen and delay prompt).
 * Other files use kvs_tui_view from view.h only.
 */
#ifndef KVS_TUI_H
#define KVS_TUI_H

#include <stdbool.h>
#include <stddef.h>
#include <curses.h>

#include "model.h"
#include "view.h"

#define TUI_MSG_LEN 160
#define TUI_PROMPT_LEN 24

/* What a piece of text is; each maps to a colour pair or a mono attribute. */
enum tui_attr {
	TA_NORMAL, TA_TITLE, TA_ESTIMATE, TA_WARN, TA_HEAD, TA_SORT,
	TA_SPARK, TA_MSG, TA_PAUSED, TA_DIM, TA_NR,
};

struct tui {
	bool open;		/* curses is active: close() must endwin() */
	SCREEN *scr;
	bool utf8;		/* block characters for the sparkline */
	attr_t attr[TA_NR];
	enum kvs_sort sort;
	enum kvs_by by;
	size_t rows;		/* -r: most table rows; 0: as many as fit */
	double interval_s;	/* the delay main runs with */
	double new_interval_s;	/* what 'd' set, handed to main by interval() */
	bool paused;
	bool replay;		/* report: the steps through the recording work */
	char replay_pos[48];	/* report: which interval shows, in the title */
	struct kvs_model frozen; /* shown while paused; its top lists are our copies */
	bool help;
	bool slow_panel;	/* 'l': the slow-call log in place of the table */
	bool slow_set;		/* --slow given */
	bool self_stats;	/* 'o' / --self-stats: the tool's own cost wanted */
	uint64_t slow_ns;	/* its threshold */
	int help_top;		/* first help line shown; clamped when drawn */
	bool prompting;		/* 'd' is reading a number */
	char prompt[TUI_PROMPT_LEN];
	size_t prompt_len;
	int cursor_y, cursor_x;	/* where the prompt's cursor goes, -1: hidden */
	char msg[TUI_MSG_LEN];	/* shown until the next key */
	bool msg_warn;
	struct kvs_top_entry *top; /* kvs_top_fold() output, grown with the window */
	size_t top_cap;
	int meters_end;		/* the meters draw above this line (tui_draw.c: draw_main) */
};

/* tui.c */
int tui_render(struct tui *t, const struct kvs_model *m);
int tui_put(struct tui *t, int y, int x, enum tui_attr a, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
void tui_message(struct tui *t, bool warn, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int tui_freeze(struct tui *t, const struct kvs_model *m);
void tui_unfreeze(struct tui *t);

/*
 * tui_flow.c: a meter that wraps (pieces kept whole, text broken between
 * words, continued lines start at TUI_FLOW_INDENT); draw false only counts.
 */
#define TUI_FLOW_INDENT 10

struct tui_flow {
	struct tui *t;
	bool draw;
	int y, x;	/* where the next piece goes */
	bool fresh;	/* nothing placed on this line yet: no separator */
	int end;	/* lines from here on are not drawn (t->meters_end) */
};

void tui_flow_begin(struct tui_flow *f, struct tui *t, bool draw, int y);
void tui_flow_add(struct tui_flow *f, enum tui_attr a, const char *sep, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void tui_flow_text(struct tui_flow *f, enum tui_attr a, const char *sep, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int tui_flow_end(const struct tui_flow *f);

/* Where a key works: the main screen, or the help screen (which it scrolls). */
enum tui_key_ctx { KC_MAIN, KC_HELP };

#define TUI_KEYS_PER 4

struct tui_key {
	int keys[TUI_KEYS_PER];	/* 0-terminated */
	enum tui_key_ctx ctx;
	const char *help;
	enum kvs_view_action (*fn)(struct tui *t, const struct kvs_model *m);
};

/* tui_keys.c: the key table, which both dispatches the keys and lists them in the help. */
extern const struct tui_key tui_keys[];
extern const size_t tui_nr_keys;
enum kvs_view_action tui_key(struct tui *t, int key, const struct kvs_model *m);
/* How the help names a key: "q", "^L", "F10", "PgDn", "Space". */
void tui_key_label(int k, char *buf, size_t len);
/* Every key of the table as the help names it, one a line (tests/tui/manpage.sh). 0 or -1. */
int tui_keys_print(FILE *f);

/* tui_help.c */
void tui_draw_help(struct tui *t);

#endif /* KVS_TUI_H */
