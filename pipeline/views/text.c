// SPDX-License-Identifier: GPL-2.0
/* The batch text view (-b): one block per interval, plain text, no terminal control. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sanitize.h"
#include "format.h"
#include "view.h"

/*
 * The counter lines under the shadow line: counters of the table, in this
 * order; gap comes first (a group starts).
 */
static const struct text_counter {
	enum kvs_counter_id id;
	const char *gap;
} text_counters[] = {
	{ KVS_ID_populate_calls, " " }, { KVS_ID_pages_populated, "" },
	{ KVS_ID_populate_failures, "" },
	{ KVS_ID_release_calls, " " }, { KVS_ID_pages_released, "" },
	{ KVS_ID_vmap_area_allocs, "\n " }, { KVS_ID_vmap_area_alloc_bytes, "" },
	{ KVS_ID_vmap_area_frees, "" }, { KVS_ID_vmap_purges, "" },
};
#define NR_TEXT_COUNTERS (sizeof(text_counters) / sizeof(text_counters[0]))

/*
 * As its row of the counter table says: " name value", pages with their
 * rate, " name n/a" when the mode does not know it; bytes follow the count
 * of their areas as " (N bytes)", or nothing.
 */
static void counter(FILE *f, const struct kvs_model *m, size_t id)
{
	const struct kvs_counter_info *c = &kvs_counter_info[id];

	if (c->unit == KVS_UNIT_BYTES) {
		if (kvs_model_knows(m, id))
			fprintf(f, " (%" PRIu64 " bytes)", kvs_counter_get(&m->total, id));
		return;
	}
	if (!kvs_model_knows(m, id)) {
		fprintf(f, " %s n/a", c->name);
		return;
	}
	fprintf(f, " %s %" PRIu64, c->name, kvs_counter_get(&m->total, id));
	if (c->unit == KVS_UNIT_PAGES)
		fprintf(f, " (%.0f/s)", m->rate[id]);
}

/* The top table: the columns of kvs_sorts, as on the TUI, the name last. */
static void text_top(FILE *f, const struct kvs_model *m, const struct kvs_options *o)
{
	const struct kvs_top_list *l = kvs_model_top(m, o->by);
	struct kvs_top_entry *rows, other;
	char safe[KVS_NAME_LEN], buf[32];
	size_t n;

	if (!l->available && l->why[0]) {
		fprintf(f, "  %s n/a: %s\n", kvs_bys[o->by].plural, l->why);
		return;
	}
	if (!o->rows)
		return;
	n = kvs_view_fold(m, o, &rows, &other);
	fprintf(f, " ");
	for (size_t c = 0; c < KVS_NR_SORTS; c++)
		fprintf(f, " %*s", kvs_fmt_col_width[c], kvs_sorts[c].column ? kvs_sorts[c].column :
			kvs_bys[o->by].column);
	fprintf(f, "\n");
	for (size_t i = 0; i <= n; i++) {
		const struct kvs_top_entry *e = i < n ? &rows[i] : &other;

		if (i == n && !other.pages_populated && !other.populate_calls)
			break;
		fprintf(f, " ");
		for (size_t c = 0; c < KVS_NR_SORTS; c++) {
			if (kvs_sorts[c].value) {
				kvs_fmt_cell(buf, sizeof(buf), &kvs_sorts[c], e);
				fprintf(f, " %*s", kvs_fmt_col_width[c], buf);
			} else {
				/* Sanitized at their source; again here, a terminal is at stake. */
				fprintf(f, " %s", kvs_sanitize(safe, sizeof(safe), e->name,
							       sizeof(e->name)));
			}
		}
		fprintf(f, "\n");
	}
	free(rows);
	if (l->dropped_pages || l->dropped_calls)
		fprintf(f, "  other holds %" PRIu64 " pages of %" PRIu64 " calls the %s map "
			"could not take (full, or no stack)\n", l->dropped_pages, l->dropped_calls,
			kvs_bys[o->by].name);
}

/* One line per slow vmalloc call of the interval (--slow). */
static void text_slow_purge(FILE *f, const struct kvs_slow_rec *s, const char *when)
{
	char ns[16], rel[16], flush[16];

	fprintf(f, "slow purge %s %s[%u] pid %u purge %s", when, s->comm, s->tgid, s->pid,
		kvs_fmt_ns(ns, sizeof(ns), (double)s->purge_ns));
	if (s->areas_known)
		fprintf(f, " areas %" PRIu64, s->areas);
	else
		fprintf(f, " areas n/a");
	if (s->shadow_known)
		fprintf(f, " released %" PRIu64 " shadow pages in %s, TLB flush %s",
			s->shadow_released, kvs_fmt_ns(rel, sizeof(rel), (double)s->release_ns),
			kvs_fmt_ns(flush, sizeof(flush), (double)s->flush_ns));
	if (s->in_vmalloc)
		fprintf(f, " in vmalloc by %s size %" PRIu64 "\n", s->caller, s->size);
	else
		fprintf(f, " (drain work)\n");
}

static void text_slow(FILE *f, const struct kvs_model *m)
{
	for (size_t i = 0; i < m->nr_slow_new; i++) {
		const struct kvs_slow_rec *s = &m->slow_new[i];
		char when[32], vm[16], pop[16], rel[16];

		kvs_fmt_clock(when, sizeof(when), s->ts);
		if (s->kind == KVS_SLOW_PURGE) {
			text_slow_purge(f, s, when);
			continue;
		}
		kvs_fmt_ns(vm, sizeof(vm), (double)s->vmalloc_ns);
		fprintf(f, "slow %s %s[%u] pid %u caller %s size %" PRIu64 " vmalloc %s",
			when, s->comm, s->tgid, s->pid, s->caller, s->size, vm);
		if (s->shadow_known) {
			kvs_fmt_ns(pop, sizeof(pop), (double)s->populate_ns);
			kvs_fmt_ns(rel, sizeof(rel), (double)s->release_ns);
			fprintf(f, " populate %s (%.0f%%) nr_populated %" PRIu64, pop, s->vmalloc_ns ?
				100.0 * (double)s->populate_ns / (double)s->vmalloc_ns : 0,
				s->nr_populated);
			if (s->allocated_known)
				fprintf(f, " nr_allocated %" PRIu64, s->nr_allocated);
			else
				fprintf(f, " nr_allocated n/a");
			fprintf(f, " release %s", rel);
		} else {
			fprintf(f, " populate n/a");
		}
		fprintf(f, "\n");
	}
}

/* The tool's own cost (--self-stats): CPU, memory, each program that ran. */
static void text_self(FILE *f, const struct kvs_model *m)
{
	char rss[32], ns[16];

	if (!m->have_self)
		return;
	fprintf(f, "  self: cpu %.2f%% rss %s;", isnan(m->self_cpu_percent) ? 0 : m->self_cpu_percent,
		kvs_fmt_bytes(rss, sizeof(rss), m->self.rss_bytes));
	for (size_t i = 0; i < m->self.nr; i++) {
		if (!m->self.prog[i].runs)
			continue;
		fprintf(f, " %s %s/run (%.0f/s)", m->self.prog[i].name,
			kvs_fmt_ns(ns, sizeof(ns), m->self_ns_per_run[i]), m->self_runs_rate[i]);
	}
	fprintf(f, "\n");
}

static int text_update(void *state, const struct kvs_model *m, char *err, size_t errlen)
{
	const struct kvs_options *o = kvs_view_opts(state);
	FILE *f = stdout;
	time_t t = (time_t)m->ts;
	struct tm tm;
	char when[16] = "?", line[256];
	const char *note;

	text_slow(f, m);
	if (localtime_r(&t, &tm))
		strftime(when, sizeof(when), "%H:%M:%S", &tm);
	/* The mode, and where its numbers come from when that is not obvious. */
	note = (unsigned int)m->mode < KVS_NR_MODES ? kvs_modes[m->mode].note : NULL;
	fprintf(f, "%s %s%s%s%s%s%s", when, m->mode_name, note ? " (" : "", note ? note : "",
		note && m->method[0] ? "; " : "", note ? m->method : "", note ? ")" : "");
	if (kvs_model_knows(m, KVS_ID_shadow_pages)) {
		char used[24] = "n/a", vmap[24] = "n/a";

		if (!isnan(m->overhead_ratio))
			snprintf(used, sizeof(used), "%.1f%%", m->overhead_ratio * 100);
		if (!isnan(m->overhead_ratio_vmap))
			snprintf(vmap, sizeof(vmap), "%.1f%%", m->overhead_ratio_vmap * 100);
		fprintf(f, " shadow_pages %" PRIu64 " (%+" PRId64 ") peak %" PRIu64
			"  (%.1f MiB, overhead %s of VmallocUsed, %s of vmap areas)\n",
			m->total.shadow_pages, m->delta[KVS_ID_shadow_pages],
			m->total.shadow_pages_peak, (double)m->shadow_bytes / 1048576.0, used, vmap);
	}
	else
		fprintf(f, " shadow_pages n/a\n");
	if (m->have_self_shadow)
		fprintf(f, "  of which kvshadowtop's own BPF maps and programs: %" PRIu64 " pages\n",
			m->self_shadow_pages);
	if (m->seed.kind == KVS_SEED_APPROXIMATE)
		fprintf(f, "  approximate: shadow_pages between %" PRIu64 " and %" PRIu64
			" (%s)\n", m->seed.low, m->seed.high, m->seed.why);
	for (size_t i = 0; i < NR_TEXT_COUNTERS; i++) {
		fputs(text_counters[i].gap, f);
		counter(f, m, text_counters[i].id);
	}
	if (m->have_pagetable)
		fprintf(f, "  pagetable_pages %" PRIu64, m->pagetable_pages);
	if (m->drift_valid)
		fprintf(f, "  drift_pages %" PRIu64, m->drift_pages);
	else if (m->baseline_pending)
		fprintf(f, "  drift_pages pending (busy start)");
	else if (m->unavailable.debugfs[0] && m->mode != KVS_MODE_STOCK)
		fprintf(f, "  debugfs n/a");
	fprintf(f, "\n");
	if (m->have_nodes) {
		fprintf(f, "  shadow_pages per node:");
		for (size_t i = 0; i < m->nr_nodes; i++)
			fprintf(f, " node%u %" PRIu64, m->nodes[i].node, m->nodes[i].shadow_pages);
		fprintf(f, "\n");
	}
	for (int h = 0; h < KVS_NR_HISTS; h++) {
		const struct kvs_hist *hi = &m->hist[h];
		char p50[16], p99[16];

		if (!hi->available) {
			fprintf(f, "  %-8s latency n/a: %s\n", kvs_hist_name(h), hi->why);
			continue;
		}
		kvs_fmt_ns(p50, sizeof(p50), hi->p50_ns);
		kvs_fmt_ns(p99, sizeof(p99), hi->p99_ns);
		fprintf(f, "  %-8s latency p50 %s p99 %s (%" PRIu64 " samples, %s)\n",
			kvs_hist_name(h), p50, p99, hi->total.count, hi->source ? hi->source : "?");
	}
	fprintf(f, "  %s\n", kvs_fmt_purge(line, sizeof(line), m));
	text_self(f, m);
	if (m->have_slow && m->slow_lost)
		fprintf(f, "  slow vmalloc calls %" PRIu64 " (%" PRIu64 " records lost: buffer full)\n",
			m->total.slow_vmalloc, m->slow_lost);
	else if (m->have_slow)
		fprintf(f, "  slow vmalloc calls %" PRIu64 "\n", m->total.slow_vmalloc);
	if (m->events_lost || m->unknown_frees)
		fprintf(f, "  estimate less certain: %" PRIu64 " events lost (re-seeded %u times, "
			"ring buffer now %" PRIu64 " KiB), %" PRIu64 " unknown frees\n",
			m->events_lost, m->estimate_reseeds, m->ring_buffer_bytes / 1024,
			m->unknown_frees);
	text_top(f, m, o);
	fprintf(f, "\n");
	return fflush(f) || ferror(f) ? -errno : 0;
}

const struct kvs_view_ops kvs_text_view = {
	.name = "text",
	.open = kvs_view_open_opts,
	.update = text_update,
	.close = kvs_view_close_opts,
};
