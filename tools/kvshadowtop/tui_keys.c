// SPDX-License-Identifier: GPL-2.0
/*
 * Keys of the interactive view. One table both dispatches the keys and
 * writes the help screen, so a key cannot work without being listed.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui.h"

#define CTRL_KEY(c) ((c) & 0x1f)
#define KEY_ESC 27

struct tui_key {
	int keys[4];		/* 0-terminated */
	const char *help;
	enum kvs_view_action (*fn)(struct tui *t, const struct kvs_model *m);
};

static enum kvs_view_action key_quit(struct tui *t, const struct kvs_model *m)
{
	return KVS_VIEW_QUIT;
}

static enum kvs_view_action key_help(struct tui *t, const struct kvs_model *m)
{
	t->help = true;
	return KVS_VIEW_CONTINUE;
}

static void set_sort(struct tui *t, size_t col)
{
	t->sort = tui_cols[col].sort;
	tui_message(t, false, "sorted by %s", tui_cols[col].what);
}

static enum kvs_view_action key_sort_next(struct tui *t, const struct kvs_model *m)
{
	set_sort(t, (tui_col_of(t->sort) + 1) % tui_nr_cols);
	return KVS_VIEW_CONTINUE;
}

static enum kvs_view_action key_sort_left(struct tui *t, const struct kvs_model *m)
{
	size_t c = tui_col_of(t->sort);

	set_sort(t, c ? c - 1 : 0);
	return KVS_VIEW_CONTINUE;
}

static enum kvs_view_action key_sort_right(struct tui *t, const struct kvs_model *m)
{
	size_t c = tui_col_of(t->sort);

	set_sort(t, c + 1 < tui_nr_cols ? c + 1 : c);
	return KVS_VIEW_CONTINUE;
}

static enum kvs_view_action key_by(struct tui *t, const struct kvs_model *m)
{
	t->by = t->by == KVS_BY_CALLER ? KVS_BY_PROCESS : KVS_BY_CALLER;
	tui_message(t, false, "top %s", t->by == KVS_BY_CALLER ? "callers" : "processes");
	return KVS_VIEW_CONTINUE;
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

static const struct tui_key keys[] = {
	{ { 'q', KEY_F(10) }, "quit", key_quit },
	{ { 'h', '?', KEY_F(1) }, "this help; any key returns", key_help },
	{ { 's' }, "sort by the next column (pages, calls, +pages, name)", key_sort_next },
	{ { '<' }, "sort by the column to the left", key_sort_left },
	{ { '>' }, "sort by the column to the right", key_sort_right },
	{ { 'c' }, "show top callers or top processes", key_by },
	{ { 'p' }, "pause: keep the numbers on screen; p again resumes", key_pause },
	{ { 'd' }, "delay between updates, in seconds (fractions allowed)", key_delay },
	{ { CTRL_KEY('l') }, "redraw the screen", key_redraw },
};

/* How the help screen names a key: "q", "^L", "F10". */
static void key_label(int k, char *buf, size_t len)
{
	if (k >= KEY_F(1) && k <= KEY_F(63))
		snprintf(buf, len, "F%d", k - KEY_F(0));
	else if (k > 0 && k < 0x20)
		snprintf(buf, len, "^%c", k + '@');
	else if (k >= 0x20 && k < 0x7f)
		snprintf(buf, len, "%c", k);
	else
		snprintf(buf, len, "%s", keyname(k) ? keyname(k) : "?");
}

void tui_draw_help(struct tui *t)
{
	int y = 0, x;

	tui_put(t, y++, 0, TA_TITLE, "kvshadowtop help: keys");
	y++;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++, y++) {
		x = 2;
		for (size_t j = 0; j < sizeof(keys[i].keys) / sizeof(keys[i].keys[0]) &&
		     keys[i].keys[j]; j++) {
			char name[16];

			key_label(keys[i].keys[j], name, sizeof(name));
			x = tui_put(t, y, x, TA_MSG, "%s ", name);
		}
		tui_put(t, y, x < 14 ? 14 : x + 1, TA_NORMAL, "%s", keys[i].help);
	}
	y++;
	tui_put(t, y++, 0, TA_TITLE, "columns");
	for (size_t i = 0; i < tui_nr_cols; i++, y++)
		tui_put(t, y, 2, TA_NORMAL, "%-14s %s", tui_cols[i].title ? tui_cols[i].title :
			"CALLER/PROCESS", tui_cols[i].title ? tui_cols[i].what :
			"vmalloc caller, or comm[tgid]; other = rows left out and dropped");
	y++;
	tui_put(t, y, 0, TA_DIM, "ESTIMATE mode models what KASAN_VMALLOC would map; "
		"exact mode counts it on a patched KASAN kernel.");
}

/* Seconds, fractions allowed, in main's -d range; anything else is refused. */
int tui_parse_delay(const char *s, double *out)
{
	const char *p = s;
	bool digit = false;
	char *end;
	double v;

	/* Only digits and one '.': strtod alone would take "inf", "1e3" or "0x1p0". */
	while (isspace((unsigned char)*p))
		p++;
	for (const char *q = p; *q && !isspace((unsigned char)*q); q++) {
		if (isdigit((unsigned char)*q))
			digit = true;
		else if (*q != '.')
			return -EINVAL;
	}
	if (!digit)
		return -EINVAL;
	errno = 0;
	v = strtod(p, &end);
	if (errno || end == p)
		return -EINVAL;
	while (isspace((unsigned char)*end))
		end++;
	if (*end || !isfinite(v) || v < TUI_DELAY_MIN || v > TUI_DELAY_MAX)
		return -ERANGE;
	*out = v;
	return 0;
}

static enum kvs_view_action prompt_done(struct tui *t)
{
	double v;

	t->prompting = false;
	if (!t->prompt_len) {
		tui_message(t, false, "delay unchanged: %gs", t->interval_s);
		return KVS_VIEW_CONTINUE;
	}
	if (tui_parse_delay(t->prompt, &v)) {
		tui_message(t, true, "'%s' is not a delay: give seconds from %g to %g, e.g. 0.5; "
			    "still %gs", t->prompt, TUI_DELAY_MIN, TUI_DELAY_MAX, t->interval_s);
		return KVS_VIEW_CONTINUE;
	}
#ifdef KVS_VIEW_SET_INTERVAL
	t->interval_s = t->new_interval_s = v;
	tui_message(t, false, "delay %gs", v);
	return KVS_VIEW_SET_INTERVAL;
#else
	tui_message(t, true, "this build cannot change the delay while running: restart with -d %g",
		    v);
	return KVS_VIEW_CONTINUE;
#endif
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

enum kvs_view_action tui_key(struct tui *t, int key, const struct kvs_model *m)
{
	char name[16];

	if (t->prompting)
		return prompt_key(t, key);
	/* ncurses resized stdscr already; the redraw after the keys lays it out again. */
	if (key == KEY_RESIZE)
		return KVS_VIEW_CONTINUE;
	if (t->help) {
		t->help = false;
		return KVS_VIEW_CONTINUE;
	}
	t->msg[0] = '\0';
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		for (size_t j = 0; j < sizeof(keys[i].keys) / sizeof(keys[i].keys[0]) &&
		     keys[i].keys[j]; j++)
			if (keys[i].keys[j] == key)
				return keys[i].fn(t, m);
	key_label(key, name, sizeof(name));
	tui_message(t, true, "unknown key %s: h lists the keys", name);
	return KVS_VIEW_CONTINUE;
}
