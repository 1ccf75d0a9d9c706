// SPDX-License-Identifier: GPL-2.0
/*
 * Keys of the interactive view. One table both dispatches the keys and
 * writes the help screen (tui_help.c), so a key cannot work without being
 * listed: the keys of the main screen and those that scroll the help when
 * it does not fit the window.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "numparse.h"
#include "tui.h"

#define CTRL_KEY(c) ((c) & 0x1f)
#define KEY_ESC 27

static enum kvs_view_action key_quit(struct tui *t, const struct kvs_model *m)
{
	return KVS_VIEW_QUIT;
}

static enum kvs_view_action key_help(struct tui *t, const struct kvs_model *m)
{
	t->help = true;
	t->help_top = 0;
	return KVS_VIEW_CONTINUE;
}

/* The columns are the sort orders (kvs_sorts), left to right. */
static void set_sort(struct tui *t, unsigned int col)
{
	t->sort = (enum kvs_sort)col;
	tui_message(t, false, "sorted by %s", kvs_sorts[col].what);
}

static enum kvs_view_action key_sort_next(struct tui *t, const struct kvs_model *m)
{
	set_sort(t, (t->sort + 1) % KVS_NR_SORTS);
	return KVS_VIEW_CONTINUE;
}

static enum kvs_view_action key_sort_left(struct tui *t, const struct kvs_model *m)
{
	set_sort(t, t->sort ? t->sort - 1 : 0);
	return KVS_VIEW_CONTINUE;
}

static enum kvs_view_action key_sort_right(struct tui *t, const struct kvs_model *m)
{
	set_sort(t, t->sort + 1 < KVS_NR_SORTS ? t->sort + 1 : t->sort);
	return KVS_VIEW_CONTINUE;
}

static enum kvs_view_action key_by(struct tui *t, const struct kvs_model *m)
{
	t->by = t->by == KVS_BY_CALLER ? KVS_BY_PROCESS : KVS_BY_CALLER;
	tui_message(t, false, "top %s", kvs_bys[t->by].plural);
	return KVS_VIEW_CONTINUE;
}

static enum kvs_view_action key_slow(struct tui *t, const struct kvs_model *m)
{
	t->slow_panel = !t->slow_panel;
	tui_message(t, false, "%s", t->slow_panel ? "slow vmalloc calls, newest first; l: the table" :
		    "top table");
	return KVS_VIEW_CONTINUE;
}

static enum kvs_view_action key_self(struct tui *t, const struct kvs_model *m)
{
	t->self_stats = !t->self_stats;
	tui_message(t, false, "%s", t->self_stats ?
		    "own cost on: the kernel now times every BPF program run" : "own cost off");
	return KVS_VIEW_SET_SELF;
}

static enum kvs_view_action key_pause(struct tui *t, const struct kvs_model *m)
{
	if (t->paused) {
		tui_unfreeze(t);
		tui_message(t, false, "resumed");
	} else if (tui_freeze(t, m)) {
		tui_message(t, true, "cannot pause: %s", m ? "out of memory" : "no data yet");
	} else {
		tui_message(t, false, "paused: the numbers stay as they are; p resumes");
	}
	return KVS_VIEW_CONTINUE;
}

static enum kvs_view_action step(struct tui *t, enum kvs_view_action a)
{
	if (!t->replay) {
		tui_message(t, true, "stepping through time works in kvshadowtop report");
		return KVS_VIEW_CONTINUE;
	}
	return a;
}

static enum kvs_view_action key_step_back(struct tui *t, const struct kvs_model *m)
{
	return step(t, KVS_VIEW_STEP_BACK);
}

static enum kvs_view_action key_step_forward(struct tui *t, const struct kvs_model *m)
{
	return step(t, KVS_VIEW_STEP_FORWARD);
}

static enum kvs_view_action key_delay(struct tui *t, const struct kvs_model *m)
{
	t->prompting = true;
	t->prompt_len = 0;
	t->prompt[0] = '\0';
	return KVS_VIEW_CONTINUE;
}

static enum kvs_view_action key_redraw(struct tui *t, const struct kvs_model *m)
{
	/* The next refresh repaints everything, e.g. after another program wrote here. */
	(void)clearok(curscr, TRUE);
	t->msg[0] = '\0';
	return KVS_VIEW_CONTINUE;
}

/* Help scrolling; tui_draw_help() clamps help_top to what the window shows. */
static int help_page(void)
{
	return LINES > 2 ? LINES - 2 : 1;
}

/* Beyond any help: End, and the most that keys held down before a redraw can add. */
#define HELP_END (INT_MAX / 4)

/* Move by delta, kept in [0, HELP_END] however many keys come before the next draw. */
static enum kvs_view_action help_move(struct tui *t, int delta)
{
	long top = (long)t->help_top + delta;

	t->help_top = top < 0 ? 0 : top > HELP_END ? HELP_END : (int)top;
	return KVS_VIEW_CONTINUE;
}

static enum kvs_view_action key_help_down(struct tui *t, const struct kvs_model *m)
{
	return help_move(t, 1);
}

static enum kvs_view_action key_help_up(struct tui *t, const struct kvs_model *m)
{
	return help_move(t, -1);
}

static enum kvs_view_action key_help_pgdn(struct tui *t, const struct kvs_model *m)
{
	return help_move(t, help_page());
}

static enum kvs_view_action key_help_pgup(struct tui *t, const struct kvs_model *m)
{
	return help_move(t, -help_page());
}

static enum kvs_view_action key_help_home(struct tui *t, const struct kvs_model *m)
{
	t->help_top = 0;
	return KVS_VIEW_CONTINUE;
}

static enum kvs_view_action key_help_end(struct tui *t, const struct kvs_model *m)
{
	t->help_top = HELP_END;
	return KVS_VIEW_CONTINUE;
}

const struct tui_key tui_keys[] = {
	{ { 'q', KEY_F(10) }, KC_MAIN, "quit", key_quit },
	{ { 'h', '?', KEY_F(1) }, KC_MAIN, "this help; any key but those below returns", key_help },
	{ { 's' }, KC_MAIN, "sort by the next column (the columns: see -s in kvshadowtop(8))",
	  key_sort_next },
	{ { '<' }, KC_MAIN, "sort by the column to the left", key_sort_left },
	{ { '>' }, KC_MAIN, "sort by the column to the right", key_sort_right },
	{ { 'c' }, KC_MAIN, "show top callers or top processes", key_by },
	{ { 'l' }, KC_MAIN, "the slowest recent vmalloc calls (--slow), newest first; l again: the table",
	  key_slow },
	{ { 'o' }, KC_MAIN, "the tool's own cost: ns per BPF program run, CPU, memory (costs a little)",
	  key_self },
	{ { 'p' }, KC_MAIN, "pause: keep the numbers on screen; p again resumes", key_pause },
	{ { KEY_LEFT, '[' }, KC_MAIN, "report: step back an interval (and pause)", key_step_back },
	{ { KEY_RIGHT, ']' }, KC_MAIN, "report: step forward an interval (and pause)",
	  key_step_forward },
	{ { 'd' }, KC_MAIN, "delay between updates, in seconds (fractions allowed)", key_delay },
	{ { CTRL_KEY('l') }, KC_MAIN, "redraw the screen", key_redraw },
	{ { KEY_DOWN, 'j' }, KC_HELP, "scroll down a line", key_help_down },
	{ { KEY_UP, 'k' }, KC_HELP, "scroll up a line", key_help_up },
	{ { KEY_NPAGE, ' ' }, KC_HELP, "scroll down a page", key_help_pgdn },
	{ { KEY_PPAGE, 'b' }, KC_HELP, "scroll up a page", key_help_pgup },
	{ { KEY_HOME, 'g' }, KC_HELP, "to the top", key_help_home },
	{ { KEY_END, 'G' }, KC_HELP, "to the end", key_help_end },
};

const size_t tui_nr_keys = sizeof(tui_keys) / sizeof(tui_keys[0]);

/* How the help screen names a key: "q", "^L", "F10", "PgDn", "Space". */
void tui_key_label(int k, char *buf, size_t len)
{
	static const struct { int key; const char *name; } names[] = {
		{ KEY_DOWN, "Down" }, { KEY_UP, "Up" }, { KEY_NPAGE, "PgDn" },
		{ KEY_PPAGE, "PgUp" }, { KEY_HOME, "Home" }, { KEY_END, "End" },
		{ ' ', "Space" }, { KEY_LEFT, "Left" }, { KEY_RIGHT, "Right" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (names[i].key == k) {
			snprintf(buf, len, "%s", names[i].name);
			return;
		}
	}
	if (k >= KEY_F(1) && k <= KEY_F(63))
		snprintf(buf, len, "F%d", k - KEY_F(0));
	else if (k > 0 && k < 0x20)
		snprintf(buf, len, "^%c", k + '@');
	else if (k >= 0x20 && k < 0x7f)
		snprintf(buf, len, "%c", k);
	else
		snprintf(buf, len, "%s", keyname(k) ? keyname(k) : "?");
}

static enum kvs_view_action prompt_done(struct tui *t)
{
	double v;

	t->prompting = false;
	if (!t->prompt_len) {
		tui_message(t, false, "delay unchanged: %gs", t->interval_s);
		return KVS_VIEW_CONTINUE;
	}
	/* The parser of -d: the prompt never sets what -d would refuse, nor the reverse. */
	if (kvs_parse_seconds(t->prompt, KVS_INTERVAL_MIN, KVS_INTERVAL_MAX, &v)) {
		tui_message(t, true, "'%s' is not a delay: give seconds from %g to %g, e.g. 0.5; "
			    "still %gs", t->prompt, KVS_INTERVAL_MIN, KVS_INTERVAL_MAX, t->interval_s);
		return KVS_VIEW_CONTINUE;
	}
	t->interval_s = t->new_interval_s = v;
	tui_message(t, false, "delay %gs", v);
	return KVS_VIEW_SET_INTERVAL;
}

/* A one-line editor that never blocks: main keeps collecting meanwhile. */
static enum kvs_view_action prompt_key(struct tui *t, int key)
{
	switch (key) {
	case '\n':
	case '\r':
	case KEY_ENTER:
		return prompt_done(t);
	case KEY_ESC:
	case CTRL_KEY('c'):
	case CTRL_KEY('g'):
		t->prompting = false;
		tui_message(t, false, "delay unchanged: %gs", t->interval_s);
		break;
	case KEY_BACKSPACE:
	case 127:
	case CTRL_KEY('h'):
		if (t->prompt_len)
			t->prompt[--t->prompt_len] = '\0';
		break;
	case CTRL_KEY('u'):
		t->prompt_len = 0;
		t->prompt[0] = '\0';
		break;
	case KEY_RESIZE:
		break;
	default:
		if (key >= 0x20 && key < 0x7f && t->prompt_len + 1 < sizeof(t->prompt)) {
			t->prompt[t->prompt_len++] = (char)key;
			t->prompt[t->prompt_len] = '\0';
		} else {
			(void)beep();
		}
	}
	return KVS_VIEW_CONTINUE;
}

int tui_keys_print(FILE *f)
{
	for (size_t i = 0; i < tui_nr_keys; i++) {
		for (size_t j = 0; j < TUI_KEYS_PER && tui_keys[i].keys[j]; j++) {
			char name[16];

			tui_key_label(tui_keys[i].keys[j], name, sizeof(name));
			if (fprintf(f, "%s\n", name) < 0)
				return -1;
		}
	}
	return fflush(f) || ferror(f) ? -1 : 0;
}

enum kvs_view_action tui_key(struct tui *t, int key, const struct kvs_model *m)
{
	enum tui_key_ctx ctx = t->help ? KC_HELP : KC_MAIN;
	char name[16];

	if (t->prompting)
		return prompt_key(t, key);
	/* ncurses resized stdscr already; the redraw after the keys lays it out again. */
	if (key == KEY_RESIZE)
		return KVS_VIEW_CONTINUE;
	if (ctx == KC_MAIN)
		t->msg[0] = '\0';
	for (size_t i = 0; i < tui_nr_keys; i++)
		for (size_t j = 0; j < TUI_KEYS_PER && tui_keys[i].keys[j]; j++)
			if (tui_keys[i].ctx == ctx && tui_keys[i].keys[j] == key)
				return tui_keys[i].fn(t, m);
	/* In the help, any other key returns to the main screen. */
	if (t->help) {
		t->help = false;
		return KVS_VIEW_CONTINUE;
	}
	tui_key_label(key, name, sizeof(name));
	tui_message(t, true, "unknown key %s: h lists the keys", name);
	return KVS_VIEW_CONTINUE;
}
