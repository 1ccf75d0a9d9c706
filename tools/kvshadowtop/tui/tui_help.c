// SPDX-License-Identifier: GPL-2.0
/*
 * The help screen of the interactive view, laid out from the key table
 * (tui_keys.c), the sort columns and the mode table: what it lists is what
 * the keys do.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "modes.h"
#include "tui.h"

/*
 * The help is a list of lines, some wrapped to the window: it is laid out
 * twice, once to count its lines and once to draw those from help_top on.
 */
struct help_out {
	struct tui *t;
	int vy;			/* the help's line being laid out */
	int top;		/* its first line on screen */
	int rows;		/* screen lines for the help */
	bool draw;
};

/* Text at column x of the current line, if that line is on screen. */
static int help_put(struct help_out *h, int x, enum tui_attr a, const char *text)
{
	int y = h->vy - h->top;

	if (!h->draw || y < 0 || y >= h->rows)
		return x + (int)strlen(text);
	return tui_put(h->t, y, x, a, "%s", text);
}

/*
 * text from column x on, wrapped at spaces to the window's width; lines
 * after the first start at indent. Ends the last line.
 */
static void help_wrap(struct help_out *h, int x, int indent, enum tui_attr a, const char *text)
{
	const char *p = text;

	for (;;) {
		int width = COLS - x > 1 ? COLS - x : 1;
		size_t n = strlen(p), cut = n;
		char line[256];

		if ((int)n > width) {
			cut = (size_t)width;
			while (cut > 0 && p[cut] != ' ')
				cut--;
			if (!cut)
				cut = (size_t)width;	/* one word longer than the line */
		}
		if (cut >= sizeof(line))
			cut = sizeof(line) - 1;
		memcpy(line, p, cut);
		line[cut] = '\0';
		help_put(h, x, a, line);
		h->vy++;
		p += cut;
		while (*p == ' ')
			p++;
		if (!*p)
			return;
		x = indent;
	}
}

/* The keys of one context, one entry a line: labels, then what it does. */
static void help_keys(struct help_out *h, enum tui_key_ctx ctx)
{
	for (size_t i = 0; i < tui_nr_keys; i++) {
		int x = 2;

		if (tui_keys[i].ctx != ctx)
			continue;
		for (size_t j = 0; j < TUI_KEYS_PER && tui_keys[i].keys[j]; j++) {
			char name[16];

			tui_key_label(tui_keys[i].keys[j], name, sizeof(name));
			x = help_put(h, x, TA_MSG, name);
			x = help_put(h, x, TA_MSG, " ");
		}
		x = x < 14 ? 14 : x + 1;
		help_wrap(h, x, 14 < COLS / 2 ? 14 : 2, TA_NORMAL, tui_keys[i].help);
	}
}

static void help_content(struct help_out *h)
{
	help_put(h, 0, TA_TITLE, "kvshadowtop help: keys");
	h->vy += 2;
	help_keys(h, KC_MAIN);
	h->vy++;
	help_put(h, 0, TA_TITLE, "in this help");
	h->vy++;
	help_keys(h, KC_HELP);
	h->vy++;
	help_put(h, 0, TA_TITLE, "columns");
	h->vy++;
	for (size_t i = 0; i < KVS_NR_SORTS; i++) {
		char names[32];
		const char *col = kvs_sorts[i].column;

		if (!col) {
			/* The name column: CALLER/PROCESS, from --by's table. */
			snprintf(names, sizeof(names), "%s/%s", kvs_bys[KVS_BY_CALLER].column,
				 kvs_bys[KVS_BY_PROCESS].column);
			col = names;
		}

		help_put(h, 2, TA_NORMAL, col);
		help_wrap(h, 2 + (int)strlen(col) + 1 > 17 ? 2 + (int)strlen(col) + 1 : 17,
			  17 < COLS / 2 ? 17 : 2, TA_NORMAL, kvs_sorts[i].column ? kvs_sorts[i].what :
			  "vmalloc caller, or comm[tgid]; other = rows left out and dropped");
	}
	h->vy++;
	help_put(h, 0, TA_TITLE, "modes");
	h->vy++;
	for (size_t i = 0; i < KVS_NR_MODES; i++) {
		help_put(h, 2, TA_NORMAL, kvs_modes[i].name);
		help_wrap(h, 17, 17 < COLS / 2 ? 17 : 2, TA_NORMAL, kvs_modes[i].source);
	}
}

/* The last line when the help does not fit: where we are, and the keys that move. */
static void help_footer(struct tui *t, int first, int last, int total)
{
	int x = tui_put(t, LINES - 1, 0, TA_TITLE, "lines %d-%d of %d, scroll:", first, last, total);

	for (size_t i = 0; i < tui_nr_keys; i++) {
		if (tui_keys[i].ctx != KC_HELP)
			continue;
		for (size_t j = 0; j < TUI_KEYS_PER && tui_keys[i].keys[j]; j++) {
			char name[16];

			tui_key_label(tui_keys[i].keys[j], name, sizeof(name));
			x = tui_put(t, LINES - 1, x, TA_TITLE, "%s%s", j ? "/" : " ", name);
		}
	}
}

void tui_draw_help(struct tui *t)
{
	struct help_out h = { .t = t };
	int total, rows, max_top;

	help_content(&h);
	total = h.vy;
	/* What does not fit scrolls, with the last line saying how. */
	rows = total > LINES ? LINES - 1 : LINES;
	if (rows < 1)
		rows = 1;
	max_top = total > rows ? total - rows : 0;
	if (t->help_top > max_top)
		t->help_top = max_top;
	if (t->help_top < 0)
		t->help_top = 0;
	h = (struct help_out){ .t = t, .top = t->help_top, .rows = rows, .draw = true };
	help_content(&h);
	if (total > LINES)
		help_footer(t, t->help_top + 1, t->help_top + rows < total ? t->help_top + rows : total,
			    total);
}
