// SPDX-License-Identifier: GPL-2.0
/*
 * Meter lines that wrap instead of running off the edge: a meter is a row
 * of pieces placed left to right; a piece that does not fit on the rest of
 * the line starts the next one at the label column (TUI_FLOW_INDENT), and
 * its separator is dropped there. A number and its unit are one piece, so
 * a number is never split; running text (a reason) is broken between
 * words. Only a word wider than a whole line is cut, and then continued on
 * the next line, not lost: on a window that narrow nothing else can be done.
 *
 * With draw false the same placement only counts lines: tui_draw.c sizes
 * the meters before it decides which of them fit (see draw_main()).
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui.h"

void tui_flow_begin(struct tui_flow *f, struct tui *t, bool draw, int y)
{
	*f = (struct tui_flow){ .t = t, .draw = draw, .y = y, .x = 0, .fresh = true,
		.end = draw ? t->meters_end : INT_MAX };
}

/*
 * Where a continued line starts: under the label's end, where the window
 * leaves room for a number beside it, else at the edge.
 */
static int indent(void)
{
	return COLS >= TUI_FLOW_INDENT + 30 ? TUI_FLOW_INDENT : 0;
}

static void newline(struct tui_flow *f)
{
	f->y++;
	f->x = indent();
	f->fresh = true;
}

static void put(struct tui_flow *f, enum tui_attr a, const char *s, int len)
{
	if (f->draw && len > 0 && f->y < f->end)
		(void)tui_put(f->t, f->y, f->x, a, "%.*s", len, s);
	f->x += len;
}

/* One piece kept whole where the line allows; sep only between pieces on a line. */
static void place(struct tui_flow *f, enum tui_attr a, const char *sep, const char *s, int len)
{
	int sl = f->fresh ? 0 : (int)strlen(sep);

	if (f->x + sl + len > COLS && !f->fresh) {
		newline(f);
		sl = 0;
	}
	/* Separators plain: a highlight marks the piece, not the gap before it. */
	if (sl)
		put(f, TA_NORMAL, sep, sl);
	/* Wider than a whole line: cut, and go on with the rest below. */
	while (f->x + len > COLS && COLS > f->x) {
		int room = COLS - f->x;

		put(f, a, s, room);
		s += room;
		len -= room;
		newline(f);
	}
	put(f, a, s, len);
	f->fresh = false;
}

/* Each word of s a piece (a run of spaces counts as one); sep before the first. */
static void place_words(struct tui_flow *f, enum tui_attr a, const char *sep, const char *s)
{
	const char *w, *next;
	bool first = true;

	for (w = s; *w; w = next) {
		while (*w == ' ')
			w++;
		if (!*w)
			break;
		next = strchr(w, ' ');
		if (!next)
			next = w + strlen(w);
		place(f, a, first ? sep : " ", w, (int)(next - w));
		first = false;
	}
}

static void flow(struct tui_flow *f, enum tui_attr a, const char *sep, bool words,
		 const char *fmt, va_list ap)
{
	char *s;

	if (vasprintf(&s, fmt, ap) < 0) {
		/* Out of memory: the piece is missing, said where it would be. */
		place(f, TA_WARN, sep, "?", 1);
		return;
	}
	if (words)
		place_words(f, a, sep, s);
	else
		place(f, a, sep, s, (int)strlen(s));
	free(s);
}

void tui_flow_add(struct tui_flow *f, enum tui_attr a, const char *sep, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	flow(f, a, sep, false, fmt, ap);
	va_end(ap);
}

void tui_flow_text(struct tui_flow *f, enum tui_attr a, const char *sep, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	flow(f, a, sep, true, fmt, ap);
	va_end(ap);
}

/* The line after the last one the meter used (or might use: see meters_end). */
int tui_flow_end(const struct tui_flow *f)
{
	return f->y + 1 < f->end ? f->y + 1 : f->end;
}
