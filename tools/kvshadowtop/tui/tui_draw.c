// SPDX-License-Identifier: GPL-2.0
/*
 * The screen of the interactive view, drawn from the model alone:
 *
 *   title     mode (ESTIMATE stands out), delay, uptime, kernel, PAUSED
 *   meters    shadow now/peak, VmallocUsed, overhead vs 1/8, rates,
 *             latency, drift, warnings, shadow_pages history; each wraps
 *             (tui_flow.c) and the lesser ones go on short windows
 *             (meters[], draw_main())
 *   message   the prompt of 'd', or the answer to the last key
 *   table     top callers or processes, the rest folded into "other"
 *
 * Everything is clipped to the window, so any size draws; on short
 * windows the table keeps its rows and the lesser meters go.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui.h"
#include "format.h"

/*
 * Print at (y, x), clipped to the window; returns the column after the text.
 * Every byte that is not printable ASCII becomes '?': names come from the
 * kernel (a comm can hold anything) and one byte must be one column for the
 * clipping to be right. Text past the buffer would be past the edge anyway.
 */
int tui_put(struct tui *t, int y, int x, enum tui_attr a, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	if (y < 0 || y >= LINES || x < 0 || x >= COLS)
		return x;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return x;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	for (int i = 0; i < n; i++)
		if ((unsigned char)buf[i] < 0x20 || (unsigned char)buf[i] > 0x7e)
			buf[i] = '?';
	if (n > COLS - x)
		n = COLS - x;
	(void)attrset(t->attr[a]);
	/* ERR here only means the text ended in the bottom-right corner. */
	(void)mvaddnstr(y, x, buf, n);
	(void)attrset(A_NORMAL);
	return x + n;
}

void tui_message(struct tui *t, bool warn, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	/* A cut message is still a message: truncation is fine here. */
	(void)vsnprintf(t->msg, sizeof(t->msg), fmt, ap);
	va_end(ap);
	t->msg_warn = warn;
}

static void fill_line(struct tui *t, int y, enum tui_attr a)
{
	if (y < 0 || y >= LINES)
		return;
	(void)attrset(t->attr[a]);
	(void)mvhline(y, 0, ' ', COLS);
	(void)attrset(A_NORMAL);
}

/* ---- units ---- */

static const char *fmt_duration(char *buf, size_t len, double s)
{
	unsigned long long v = s > 0 ? (unsigned long long)s : 0;

	if (v < 3600)
		snprintf(buf, len, "%llum%02llus", v / 60, v % 60);
	else
		snprintf(buf, len, "%lluh%02llum", v / 3600, v / 60 % 60);
	return buf;
}

/* ---- the meters ---- */

/* The mode's label up to its explanation: "ESTIMATE", "exact", "stock kernel". */
static int short_label_len(const char *label)
{
	size_t n = strcspn(label, "(:");

	while (n && label[n - 1] == ' ')
		n--;
	return (int)n;
}

/*
 * One line; what does not fit goes in this order: the mode's explanation
 * (the mode itself stays), "h: help", the kernel.
 */
static int draw_title(struct tui *t, const struct kvs_model *m, int y)
{
	const char *label = m ? kvs_mode_label(m->mode) : "";
	char up[32] = "", every[48], kernel[300] = "";
	int x, len = (int)strlen(label), need;
	bool help = true;

	snprintf(every, sizeof(every), "  every %gs", t->interval_s);
	if (m) {
		snprintf(every + strlen(every), sizeof(every) - strlen(every), "  up %s",
			 fmt_duration(up, sizeof(up), m->elapsed_s));
		snprintf(kernel, sizeof(kernel), "  kernel %s", m->kernel);
	}
	need = 12 + (m ? len + 2 : 0) + (int)strlen(every) + (int)strlen(kernel) +
	       (t->replay_pos[0] ? (int)strlen(t->replay_pos) + 4 : 0) + (t->paused ? 10 : 0) + 9;
	if (need > COLS && m) {
		need -= len - short_label_len(label);
		len = short_label_len(label);
	}
	if (need > COLS) {
		help = false;
		need -= 9;
	}
	if (need > COLS)
		kernel[0] = '\0';

	fill_line(t, y, TA_TITLE);
	x = tui_put(t, y, 0, TA_TITLE, "kvshadowtop ");
	if (m)
		x = tui_put(t, y, x, m->mode == KVS_MODE_ESTIMATE ? TA_ESTIMATE : TA_TITLE,
			    " %.*s ", len, label);
	x = tui_put(t, y, x, TA_TITLE, "%s%s", every, kernel);
	if (t->replay_pos[0])
		x = tui_put(t, y, x + 2, TA_PAUSED, " %s ", t->replay_pos);
	if (t->paused)
		x = tui_put(t, y, x + 2, TA_PAUSED, " PAUSED ");
	if (help)
		tui_put(t, y, x, TA_TITLE, "  h: help");
	return y + 1;
}

/* Estimate mode seeded from sizes alone: the bound, why, and how to get the exact seed. */
static int draw_seed(struct tui *t, const struct kvs_model *m, int y, bool draw)
{
	struct tui_flow f;

	if (m->seed.kind != KVS_SEED_APPROXIMATE)
		return y;
	tui_flow_begin(&f, t, draw, y);
	tui_flow_add(&f, TA_ESTIMATE, "", "APPROXIMATE");
	tui_flow_add(&f, TA_NORMAL, " ", "between %" PRIu64 " and %" PRIu64 " pages",
		     m->seed.low, m->seed.high);
	tui_flow_text(&f, TA_NORMAL, " ", "(%s)", m->seed.why);
	return tui_flow_end(&f);
}

/* The headline: shadow now and peak, VmallocUsed, and the overhead ratios. */
static int draw_shadow(struct tui *t, const struct kvs_model *m, int y, bool draw)
{
	char now[32], peak[32], used[32];
	bool vmap = !isnan(m->overhead_ratio_vmap);
	struct tui_flow f;

	tui_flow_begin(&f, t, draw, y);
	tui_flow_add(&f, TA_NORMAL, "", "shadow    ");
	/* Pieces small enough for a narrow window beside the label. */
	tui_flow_add(&f, TA_NORMAL, "", "%s now", kvs_fmt_bytes(now, sizeof(now), m->shadow_bytes));
	tui_flow_add(&f, TA_NORMAL, " ", "(%" PRIu64 " pages),", m->total.shadow_pages);
	/* The observer's share, so that it is not taken for the system's. */
	if (m->have_self_shadow)
		tui_flow_add(&f, TA_DIM, " ", "%" PRIu64 " of them kvshadowtop's own BPF maps and programs,",
			     m->self_shadow_pages);
	tui_flow_add(&f, TA_NORMAL, " ", "peak %s",
		     kvs_fmt_bytes(peak, sizeof(peak), m->shadow_peak_bytes));
	if (m->peak_scope && m->peak_scope[0])
		tui_flow_add(&f, TA_NORMAL, " ", "%s", m->peak_scope);
	if (!m->have_vmalloc_used) {
		tui_flow_add(&f, TA_DIM, "   ", "VmallocUsed n/a%s", m->unavailable.vmalloc_used[0] ? ":" : "");
		if (m->unavailable.vmalloc_used[0])
			tui_flow_text(&f, TA_DIM, " ", "%s", m->unavailable.vmalloc_used);
		return tui_flow_end(&f);
	}
	tui_flow_add(&f, TA_NORMAL, "   ", "VmallocUsed %s",
		     kvs_fmt_bytes(used, sizeof(used), m->vmalloc_used_bytes));
	if (isnan(m->overhead_ratio))
		tui_flow_add(&f, TA_DIM, "   ", "overhead n/a");
	else
		tui_flow_add(&f, TA_NORMAL, "   ", "overhead %.3f (%.2fx of 1/8)%s",
			     m->overhead_ratio, m->overhead_ratio / 0.125, vmap ? "," : "");
	/* Against every live vmap area (ioremap, vmap, lazily freed too): the fair ratio. */
	if (vmap)
		tui_flow_add(&f, TA_NORMAL, " ", "%.3f of vmap areas", m->overhead_ratio_vmap);
	return tui_flow_end(&f);
}

/* The kernel's shadow per NUMA node, where it counts it. */
static int draw_nodes(struct tui *t, const struct kvs_model *m, int y, bool draw)
{
	struct tui_flow f;
	char b[32];

	if (!m->have_nodes)
		return y;
	tui_flow_begin(&f, t, draw, y);
	tui_flow_add(&f, TA_NORMAL, "", "nodes   ");
	for (size_t i = 0; i < m->nr_nodes; i++)
		tui_flow_add(&f, TA_NORMAL, "  ", "node%u %s (%" PRIu64 " pages)", m->nodes[i].node,
			     kvs_fmt_bytes(b, sizeof(b), kvs_pages_to_bytes(m->nodes[i].shadow_pages,
									    m->page_size)),
			     m->nodes[i].shadow_pages);
	return tui_flow_end(&f);
}

static int draw_rates(struct tui *t, const struct kvs_model *m, int y, bool draw)
{
	struct tui_flow f;

	tui_flow_begin(&f, t, draw, y);
	tui_flow_add(&f, TA_NORMAL, "", "populate  ");
	tui_flow_add(&f, TA_NORMAL, "", "%.1f pages/s  %.1f calls/s",
		     m->rate[KVS_ID_pages_populated], m->rate[KVS_ID_populate_calls]);
	if (m->total.populate_failures)
		tui_flow_add(&f, TA_WARN, "  ", "%" PRIu64 " FAILED", m->total.populate_failures);
	tui_flow_add(&f, TA_NORMAL, "   ", "release %.1f pages/s  %.1f calls/s",
		     m->rate[KVS_ID_pages_released], m->rate[KVS_ID_release_calls]);
	tui_flow_add(&f, TA_NORMAL, "   ", "net %+.1f pages/s", m->rate[KVS_ID_shadow_pages]);
	return tui_flow_end(&f);
}

/* The tool's own cost ('o'): CPU, memory, ns per run of the programs that ran. */
static int draw_self(struct tui *t, const struct kvs_model *m, int y, bool draw)
{
	char rss[32], ns[16];
	struct tui_flow f;

	if (!t->self_stats)
		return y;
	tui_flow_begin(&f, t, draw, y);
	tui_flow_add(&f, m->have_self ? TA_NORMAL : TA_DIM, "", "self      ");
	if (!m->have_self) {
		tui_flow_add(&f, TA_DIM, "", "n/a:");
		tui_flow_text(&f, TA_DIM, " ", "%s", m->unavailable.self[0] ? m->unavailable.self :
			      "starting");
		return tui_flow_end(&f);
	}
	tui_flow_add(&f, TA_NORMAL, "", "cpu %.2f%%  rss %s",
		     isnan(m->self_cpu_percent) ? 0 : m->self_cpu_percent,
		     kvs_fmt_bytes(rss, sizeof(rss), m->self.rss_bytes));
	for (size_t i = 0; i < m->self.nr; i++)
		if (m->self.prog[i].runs)
			tui_flow_add(&f, TA_NORMAL, "   ", "%s %s x%.0f/s", m->self.prog[i].name,
				     kvs_fmt_ns(ns, sizeof(ns), m->self_ns_per_run[i]),
				     m->self_runs_rate[i]);
	return tui_flow_end(&f);
}

/* One line of p50/p99 (wrapped where the window is narrow). */
static int draw_latency(struct tui *t, const struct kvs_model *m, int y, bool draw)
{
	char p50[24], p99[24];
	struct tui_flow f;

	tui_flow_begin(&f, t, draw, y);
	tui_flow_add(&f, TA_NORMAL, "", "latency   ");
	tui_flow_add(&f, TA_NORMAL, "", "p50/p99");
	for (int i = 0; i < KVS_NR_HISTS; i++) {
		const struct kvs_hist *h = &m->hist[i];

		if (!h->available)
			tui_flow_add(&f, TA_DIM, "   ", "%s n/a", kvs_hist_name(i));
		else if (!h->total.count)
			tui_flow_add(&f, TA_NORMAL, "   ", "%s no samples yet", kvs_hist_name(i));
		else
			tui_flow_add(&f, TA_NORMAL, "   ", "%s %s / %s", kvs_hist_name(i),
				     kvs_fmt_ns(p50, sizeof(p50), h->p50_ns),
				     kvs_fmt_ns(p99, sizeof(p99), h->p99_ns));
	}
	return tui_flow_end(&f);
}

static const char *hist_why(const struct kvs_model *m, int i)
{
	return m->hist[i].why[0] ? m->hist[i].why : "no reason given";
}

/* Histogram j is n/a for the same reason as i. */
static bool same_why(const struct kvs_model *m, int i, int j)
{
	return !m->hist[j].available && !strcmp(hist_why(m, i), hist_why(m, j));
}

/*
 * Why latencies are n/a, below them: histograms with the same reason share
 * it ("populate, release: no KASAN_VMALLOC in this kernel"), and the text
 * wraps between words.
 */
static int draw_why(struct tui *t, const struct kvs_model *m, int y, bool draw)
{
	bool done[KVS_NR_HISTS] = { false }, any = false;
	struct tui_flow f;
	int last;

	tui_flow_begin(&f, t, draw, y);
	for (int i = 0; i < KVS_NR_HISTS; i++) {
		if (m->hist[i].available || done[i])
			continue;
		if (!any)
			tui_flow_add(&f, TA_DIM, "", "%*sn/a:", TUI_FLOW_INDENT, "");
		any = true;
		last = i;
		for (int j = i; j < KVS_NR_HISTS; j++)
			if (same_why(m, i, j))
				last = j;
		for (int j = i; j <= last; j++) {
			if (!same_why(m, i, j) || done[j])
				continue;
			tui_flow_add(&f, TA_DIM, " ", "%s%s", kvs_hist_name(j), j == last ? ":" : ",");
			done[j] = true;
		}
		tui_flow_text(&f, TA_DIM, " ", "%s;", hist_why(m, i));
	}
	return any ? tui_flow_end(&f) : y;
}

/* The lazy purge side; a purge that stalled this interval shows in red. */
static int draw_purge(struct tui *t, const struct kvs_model *m, int y, bool draw)
{
	char line[256], stall[16];
	struct tui_flow f;

	tui_flow_begin(&f, t, draw, y);
	tui_flow_add(&f, TA_NORMAL, "", "purge    ");
	tui_flow_text(&f, TA_NORMAL, " ", "%s", kvs_fmt_purge(line, sizeof(line), m));
	if (m->purge_stalls_new)
		tui_flow_add(&f, TA_WARN, "   ", "STALL: %" PRIu64 " purge%s of %s or more",
			     m->purge_stalls_new, m->purge_stalls_new == 1 ? "" : "s",
			     kvs_fmt_ns(stall, sizeof(stall), (double)m->purge.stall_ns));
	return tui_flow_end(&f);
}

/* Cross-checks: only a line that has something to say. */
static int draw_checks(struct tui *t, const struct kvs_model *m, int y, bool draw)
{
	struct tui_flow f;
	bool any = true;

	tui_flow_begin(&f, t, draw, y);
	if (m->drift_valid) {
		tui_flow_add(&f, m->drift_pages ? TA_WARN : TA_NORMAL, "",
			     "%s   drift %" PRIu64 " pages vs the BPF view",
			     m->have_pagetable && !m->have_debugfs ? "page tables" : "debugfs",
			     m->drift_pages);
	} else if (m->baseline_pending) {
		tui_flow_text(&f, TA_DIM, "", "drift: after the first quiet moment (busy start)");
	} else if (m->mode == KVS_MODE_STOCK) {
		tui_flow_text(&f, TA_DIM, "", "page tables: busy at the last walk");
	} else if (m->unavailable.debugfs[0]) {
		tui_flow_add(&f, TA_DIM, "", "debugfs   n/a:");
		tui_flow_text(&f, TA_DIM, " ", "%s", m->unavailable.debugfs);
	} else {
		any = false;
	}
	if (m->mode == KVS_MODE_DEBUGFS && m->unavailable.bpf[0]) {
		tui_flow_add(&f, TA_DIM, "   ", "BPF n/a:");
		tui_flow_text(&f, TA_DIM, " ", "%s", m->unavailable.bpf);
		any = true;
	}
	return any ? tui_flow_end(&f) : y;
}

/* Counts that say the estimate is off: only when there are some. */
static int draw_warnings(struct tui *t, const struct kvs_model *m, int y, bool draw)
{
	struct tui_flow f;

	if (!m->events_lost && !m->unknown_frees)
		return y;
	tui_flow_begin(&f, t, draw, y);
	tui_flow_add(&f, TA_WARN, "", "WARNING ");
	if (m->events_lost)
		tui_flow_add(&f, TA_WARN, "  ", "%" PRIu64 " events lost: the estimate is low",
			     m->events_lost);
	if (m->unknown_frees)
		tui_flow_add(&f, TA_WARN, "  ", "%" PRIu64 " frees of areas never seen allocated",
			     m->unknown_frees);
	return tui_flow_end(&f);
}

/* Lowest and highest of the last n samples. */
static void history_range(const struct kvs_model *m, size_t n, uint64_t *lo, uint64_t *hi)
{
	*lo = UINT64_MAX;
	*hi = 0;
	for (size_t i = m->history_len - n; i < m->history_len; i++) {
		uint64_t v = kvs_model_history(m, i);

		*lo = v < *lo ? v : *lo;
		*hi = v > *hi ? v : *hi;
	}
}

/* shadow_pages over the session, newest on the right, scaled lowest..highest. */
static int draw_history(struct tui *t, const struct kvs_model *m, int y, bool draw)
{
	static const char *const blocks[] = { "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" };
	static const char ascii[] = "_.-:=+*#";
	uint64_t lo, hi;
	char range[64];
	size_t n;
	int x, room;

	if (!draw || y >= LINES || !m->history_len)
		return y + 1;
	x = tui_put(t, y, 0, TA_NORMAL, "history   ");
	room = COLS - x;
	if (room < 1)
		return y + 1;
	/* Size the range label on the widest window first, then fit the graph. */
	n = m->history_len < (size_t)room ? m->history_len : (size_t)room;
	history_range(m, n, &lo, &hi);
	snprintf(range, sizeof(range), "  %" PRIu64 "..%" PRIu64 " pages", lo, hi);
	room -= (int)strlen(range);
	if (room < 1)
		return y + 1;
	n = m->history_len < (size_t)room ? m->history_len : (size_t)room;
	history_range(m, n, &lo, &hi);
	(void)attrset(t->attr[TA_SPARK]);
	for (size_t i = m->history_len - n; i < m->history_len; i++, x++) {
		uint64_t v = kvs_model_history(m, i);
		size_t level = hi > lo ? (size_t)((double)(v - lo) * 7.0 / (double)(hi - lo) + 0.5) : 0;

		if (level > 7)
			level = 7;
		if (t->utf8)
			(void)mvaddstr(y, x, blocks[level]);
		else
			(void)mvaddch(y, x, (chtype)(unsigned char)ascii[level]);
	}
	(void)attrset(A_NORMAL);
	tui_put(t, y, x, TA_DIM, "  %" PRIu64 "..%" PRIu64 " pages", lo, hi);
	return y + 1;
}

/* The prompt of 'd', else the answer to the last key; compact: no empty line. */
static int draw_message(struct tui *t, int y, bool compact)
{
	int x;

	t->cursor_y = t->cursor_x = -1;
	if (compact && !t->prompting && !t->msg[0])
		return y;
	if (t->prompting) {
		x = tui_put(t, y, 0, TA_MSG, "Delay in seconds (now %gs; Enter sets, Esc cancels): ",
			    t->interval_s);
		x = tui_put(t, y, x, TA_NORMAL, "%s", t->prompt);
		if (y < LINES && x < COLS) {
			t->cursor_y = y;
			t->cursor_x = x;
		}
	} else if (t->msg[0]) {
		tui_put(t, y, 0, t->msg_warn ? TA_WARN : TA_MSG, "%s", t->msg);
	}
	return y + 1;
}

/* ---- the table ---- */

/*
 * Which columns the table shows and how wide: the numbers shrink to their
 * digits, then drop (the sort column last), so that the name column keeps
 * room for TUI_NAME_MIN characters (or its longest name): numbers without
 * names say nothing.
 */
#define TUI_NAME_MIN 16

struct table_cols {
	bool shown[KVS_NR_SORTS];
	int width[KVS_NR_SORTS];	/* numeric columns; the name takes the rest */
};

/* How wide a row's cell in column d is, as drawn. */
static int cell_width(const struct kvs_sort_desc *d, const struct kvs_top_entry *e)
{
	char buf[32];

	return (int)strlen(kvs_fmt_cell(buf, sizeof(buf), d, e));
}

/* Columns left of the name: each numeric column and its space, then one space. */
static int numbers_width(const struct table_cols *c)
{
	int w = 1;

	for (size_t i = 0; i < KVS_NR_SORTS; i++)
		if (kvs_fmt_col_width[i] && c->shown[i])
			w += c->width[i] + 1;
	return w;
}

static void table_layout(const struct tui *t, const char *title, const struct kvs_top_entry *rows,
			 size_t n, const struct kvs_top_entry *other, struct table_cols *c)
{
	/* Dropped first to last: the latencies, the interval's pages, calls, pages. */
	static const enum kvs_sort drop[] = { KVS_SORT_POP_P99, KVS_SORT_POP_P50, KVS_SORT_VM_P99,
		KVS_SORT_VM_P50, KVS_SORT_RATE, KVS_SORT_CALLS, KVS_SORT_PAGES };
	int need[KVS_NR_SORTS] = { 0 }, name_min = (int)strlen(title);

	for (size_t r = 0; r <= n; r++) {
		const struct kvs_top_entry *e = r < n ? &rows[r] : other;
		int len = (int)strnlen(e->name, sizeof(e->name));

		for (size_t i = 0; i < KVS_NR_SORTS; i++)
			if (kvs_fmt_col_width[i] && cell_width(&kvs_sorts[i], e) > need[i])
				need[i] = cell_width(&kvs_sorts[i], e);
		if (r < n && len > name_min)
			name_min = len;
	}
	if (name_min > TUI_NAME_MIN)
		name_min = TUI_NAME_MIN;
	for (size_t i = 0; i < KVS_NR_SORTS; i++) {
		int title_len = kvs_sorts[i].column ? (int)strlen(kvs_sorts[i].column) : 0;

		c->shown[i] = true;
		if (need[i] < title_len)
			need[i] = title_len;
		/* The usual widths when they fit: columns that do not jump as numbers grow. */
		c->width[i] = kvs_fmt_col_width[i] > need[i] ? kvs_fmt_col_width[i] : need[i];
	}
	if (numbers_width(c) + name_min <= COLS)
		return;
	memcpy(c->width, need, sizeof(need));
	for (size_t k = 0; k < sizeof(drop) / sizeof(drop[0]); k++) {
		if (numbers_width(c) + name_min <= COLS)
			return;
		if (drop[k] != t->sort)
			c->shown[drop[k]] = false;
	}
	/* Still too narrow: the name alone. */
	if (numbers_width(c) + name_min > COLS)
		for (size_t i = 0; i < KVS_NR_SORTS; i++)
			if (kvs_fmt_col_width[i])
				c->shown[i] = false;
}

static void draw_row(struct tui *t, int y, const struct kvs_top_entry *e, enum tui_attr a,
		     const struct table_cols *c)
{
	char buf[32];
	int x = 0;

	/* The columns are the sort orders, in kvs_sorts order. */
	for (size_t i = 0; i < KVS_NR_SORTS; i++) {
		const struct kvs_sort_desc *d = &kvs_sorts[i];

		if (!c->shown[i])
			continue;
		if (kvs_fmt_col_width[i])
			x = tui_put(t, y, x, a, "%*s ", c->width[i], kvs_fmt_cell(buf, sizeof(buf), d, e));
		else
			x = tui_put(t, y, x + 1, a, "%s", e->name);
	}
}

static int draw_table_head(struct tui *t, const char *name, int y, const struct table_cols *c)
{
	int x = 0;

	fill_line(t, y, TA_HEAD);
	for (size_t i = 0; i < KVS_NR_SORTS; i++) {
		const struct kvs_sort_desc *d = &kvs_sorts[i];
		enum tui_attr a = i == t->sort ? TA_SORT : TA_HEAD;

		if (!c->shown[i])
			continue;
		if (kvs_fmt_col_width[i])
			x = tui_put(t, y, x, TA_HEAD, "%*s", c->width[i] - (int)strlen(d->column), "");
		else
			x = tui_put(t, y, x, TA_HEAD, " ");
		x = tui_put(t, y, x, a, "%s", d->column ? d->column : name);
		x = tui_put(t, y, x, TA_HEAD, " ");
	}
	return y + 1;
}

/* Room for n rows in t->top; false (and a message) when memory is short. */
static bool top_room(struct tui *t, size_t n)
{
	struct kvs_top_entry *p;

	if (n <= t->top_cap)
		return true;
	p = realloc(t->top, n * sizeof(*p));
	if (!p) {
		tui_message(t, true, "out of memory for %zu table rows", n);
		return false;
	}
	t->top = p;
	t->top_cap = n;
	return true;
}

static void draw_table(struct tui *t, const struct kvs_model *m, int y, bool compact)
{
	const struct kvs_top_list *l = kvs_model_top(m, t->by);
	const struct kvs_by_desc *by = &kvs_bys[t->by];
	const char *name = by->column;
	struct kvs_top_entry other;
	struct table_cols cols;
	size_t fit, n, shown;
	bool fold, more;

	if (y >= LINES)
		return;
	if (!l->available) {
		tui_put(t, y, 0, TA_DIM, "no attribution to %s: %s", by->plural,
			l->why[0] ? l->why :
			m->unavailable.attribution[0] ? m->unavailable.attribution : "not collected");
		return;
	}
	if (!compact)
		tui_put(t, y++, 0, TA_NORMAL, "TOP %s sorted by %s (%zu %s%s)",
			by->title, kvs_sorts[t->sort].what, l->nr,
			l->nr == 1 ? by->name : by->plural,
			l->dropped_pages || l->dropped_calls ? ", some dropped: see other" : "");
	/* The rows below the head line, then the head: its widths fit them. */
	if (y + 1 >= LINES) {
		fit = 0;
	} else {
		fit = (size_t)(LINES - y - 1);
	}
	n = t->rows && t->rows < fit ? t->rows : fit;
	/* Keep the last line for "other" when rows are left out. */
	fold = l->nr > n || l->dropped_pages || l->dropped_calls;
	if (fold && n)
		n--;
	if (!top_room(t, n))
		n = 0;
	shown = kvs_top_fold(l, n, t->sort, t->top, &other);
	more = other.pages_populated || other.populate_calls || other.delta_pages_populated;
	table_layout(t, name, t->top, shown, &other, &cols);
	y = draw_table_head(t, name, y, &cols);
	for (size_t i = 0; i < shown; i++)
		draw_row(t, y++, &t->top[i], TA_NORMAL, &cols);
	if (more)
		draw_row(t, y, &other, TA_DIM, &cols);
}

/* ---- the slow-call log ('l') ---- */

static void draw_slow(struct tui *t, const struct kvs_model *m, int y)
{
	char thr[16], when[32], vm[16], pop[16], rel[16];

	if (y >= LINES)
		return;
	if (!t->slow_set) {
		tui_put(t, y, 0, TA_DIM, "no slow-call log: start kvshadowtop with --slow DURATION");
		return;
	}
	if (!m->have_slow) {
		tui_put(t, y, 0, TA_DIM, "no slow-call log: %s",
			m->unavailable.slow[0] ? m->unavailable.slow : "not collected");
		return;
	}
	tui_put(t, y++, 0, TA_NORMAL, "SLOW VMALLOC CALLS over %s, newest first (%" PRIu64
		" since start%s)", kvs_fmt_ns(thr, sizeof(thr), (double)t->slow_ns),
		m->total.slow_vmalloc, m->slow_lost ? ", some lost: buffer full" : "");
	if (y >= LINES)
		return;
	fill_line(t, y, TA_HEAD);
	tui_put(t, y++, 0, TA_HEAD, "%-12s %7s %-16s %8s %8s %8s %6s %8s %10s %s", "TIME", "PID",
		"COMM", "VMALLOC", "POPULATE", "SHARE", "PAGES", "RELEASE", "SIZE", "CALLER");
	for (size_t i = 0; i < m->slow_recent_len && y < LINES; i++) {
		const struct kvs_slow_rec *s = kvs_model_slow(m, i);
		char share[16];

		kvs_fmt_clock(when, sizeof(when), s->ts);
		if (s->kind == KVS_SLOW_PURGE) {
			char size[24] = "-";

			/* Its time under RELEASE: a purge is where shadow is released. */
			if (s->in_vmalloc)
				snprintf(size, sizeof(size), "%" PRIu64, s->size);
			tui_put(t, y++, 0, TA_WARN, "%-12s %7u %-16.16s %8s %8s %8s %6s %8s %10s %s",
				when, s->pid, s->comm, "purge", "-", "-", "-",
				kvs_fmt_ns(rel, sizeof(rel), (double)s->purge_ns), size,
				s->in_vmalloc ? s->caller : "(drain work)");
			continue;
		}
		kvs_fmt_ns(vm, sizeof(vm), (double)s->vmalloc_ns);
		kvs_fmt_ns(pop, sizeof(pop), s->shadow_known ? (double)s->populate_ns : NAN);
		kvs_fmt_ns(rel, sizeof(rel), s->shadow_known ? (double)s->release_ns : NAN);
		if (s->shadow_known && s->vmalloc_ns)
			snprintf(share, sizeof(share), "%.0f%%",
				 100.0 * (double)s->populate_ns / (double)s->vmalloc_ns);
		else
			snprintf(share, sizeof(share), "-");
		tui_put(t, y++, 0, TA_NORMAL, "%-12s %7u %-16.16s %8s %8s %8s %6" PRIu64
			" %8s %10" PRIu64 " %s", when, s->pid, s->comm, vm, pop, share,
			s->shadow_known ? s->nr_populated : 0, rel, s->size, s->caller);
	}
	if (!m->slow_recent_len && y < LINES)
		tui_put(t, y, 0, TA_DIM, "none yet");
}

/* Below this many lines the table would vanish under the meters: keep the essentials. */
#define TUI_COMPACT_LINES 16
/* The table's least: its title, its head and this many rows, before meters go. */
#define TUI_TABLE_MIN_ROWS 5
/* Compact: no title or message line; the head and this many rows ("other" one of them). */
#define TUI_COMPACT_MIN_ROWS 4

typedef int (*meter_fn)(struct tui *t, const struct kvs_model *m, int y, bool draw);

/*
 * The meters, top to bottom. Each wraps rather than run off the edge;
 * when all of them would leave the table fewer than TUI_TABLE_MIN_ROWS
 * rows, they go in the order of drop (1 first), as htop drops meters:
 * the history, the reasons for n/a, the nodes, the own cost, the
 * latencies with the purge line, the rates, the cross-checks, the warnings. The headline
 * (shadow, VmallocUsed, the overhead ratios) and the approximate seed's
 * bound never go. Below TUI_COMPACT_LINES only those stay, and where
 * even they would push the table under TUI_COMPACT_MIN_ROWS rows, their
 * last lines are not drawn (only on windows too small for them anyway).
 */
static const struct meter {
	meter_fn fn;
	int drop;
} meters[] = {
	{ draw_shadow, 0 }, { draw_seed, 0 }, { draw_nodes, 3 }, { draw_rates, 6 },
	{ draw_latency, 5 }, { draw_why, 2 }, { draw_purge, 5 }, { draw_self, 4 }, { draw_checks, 7 },
	{ draw_warnings, 8 }, { draw_history, 1 },
};
#define TUI_NR_METERS (sizeof(meters) / sizeof(meters[0]))
#define TUI_MAX_DROP 8

static void draw_main(struct tui *t, const struct kvs_model *m)
{
	bool compact = LINES < TUI_COMPACT_LINES, shown[TUI_NR_METERS];
	int y = draw_title(t, m, 0), height[TUI_NR_METERS], total = 0, room;

	if (!m || !m->updates) {
		tui_put(t, y + 1, 0, TA_DIM, "waiting for the first sample...");
		draw_message(t, y + 2, false);
		return;
	}
	/* Size every meter at this width, then drop what the table needs. */
	for (size_t i = 0; i < TUI_NR_METERS; i++) {
		height[i] = meters[i].fn(t, m, 0, false);
		shown[i] = !compact || !meters[i].drop;
		total += shown[i] ? height[i] : 0;
	}
	/* The message line, the table's title and head, its least rows. */
	room = LINES - y - (compact ? 1 + TUI_COMPACT_MIN_ROWS : 3 + TUI_TABLE_MIN_ROWS);
	for (int d = 1; d <= TUI_MAX_DROP && total > room; d++)
		for (size_t i = 0; i < TUI_NR_METERS; i++)
			if (shown[i] && meters[i].drop == d) {
				shown[i] = false;
				total -= height[i];
			}
	/* What stays and still does not fit is cut at the bottom; one line at least. */
	t->meters_end = total > room ? y + (room > 1 ? room : 1) : LINES;
	for (size_t i = 0; i < TUI_NR_METERS; i++)
		if (shown[i])
			y = meters[i].fn(t, m, y, true);
	y = draw_message(t, y, compact);
	if (t->slow_panel)
		draw_slow(t, m, y);
	else
		draw_table(t, m, y, compact);
}

/* ---- the whole screen ---- */

int tui_render(struct tui *t, const struct kvs_model *m)
{
	(void)erase();
	if (t->help) {
		tui_draw_help(t);
		t->cursor_y = -1;
	} else {
		draw_main(t, t->paused ? &t->frozen : m);
	}
	if (t->cursor_y >= 0) {
		(void)move(t->cursor_y, t->cursor_x);
		(void)curs_set(1);
	} else {
		(void)curs_set(0);
	}
	if (wnoutrefresh(stdscr) == ERR || doupdate() == ERR)
		return -EIO;
	return 0;
}

