// SPDX-License-Identifier: GPL-2.0
/* The model: deltas, rates, percentiles, top-N, drift. Pure: no I/O. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

void kvs_model_init(struct kvs_model *m, enum kvs_mode mode, const char *kernel, long page_size)
{
	memset(m, 0, sizeof(*m));
	m->mode = mode;
	m->mode_name = kvs_mode_name(mode);
	snprintf(m->kernel, sizeof(m->kernel), "%s", kernel ? kernel : "");
	m->page_size = page_size > 0 ? (uint64_t)page_size : 4096;
	m->overhead_ratio = m->overhead_ratio_vmap = NAN;
	m->counter_back = -1;
	m->peak_scope = mode == KVS_MODE_DEBUGFS ? "since boot or reset" : "since start";
	for (int i = 0; i < KVS_NR_HISTS; i++) {
		m->hist[i].p50_ns = m->hist[i].p99_ns = NAN;
		m->hist[i].interval_p50_ns = m->hist[i].interval_p99_ns = NAN;
		m->hist[i].avg_ns = NAN;
	}
}

void kvs_model_free(struct kvs_model *m)
{
	kvs_top_list_free(&m->callers);
	kvs_top_list_free(&m->processes);
	free(m->slow_new);
	m->slow_new = NULL;
	m->nr_slow_new = 0;
	kvs_kv_free(m->debugfs_extra, m->nr_debugfs_extra);
	m->debugfs_extra = NULL;
	m->nr_debugfs_extra = 0;
	free(m->nodes);
	m->nodes = NULL;
	m->nr_nodes = 0;
}

const struct kvs_slow_rec *kvs_model_slow(const struct kvs_model *m, size_t i)
{
	return i < m->slow_recent_len ?
		&m->slow_recent[(m->slow_recent_head + KVS_SLOW_RECENT - 1 - i) % KVS_SLOW_RECENT] :
		NULL;
}

/* The interval's slow calls: a copy for the views, and the newest into the ring. */
static int slow_update(struct kvs_model *m, const struct kvs_passthrough *r)
{
	struct kvs_slow_rec *copy = NULL;

	if (r->nr_slow) {
		copy = malloc(r->nr_slow * sizeof(*copy));
		if (!copy)
			return -ENOMEM;
		memcpy(copy, r->slow, r->nr_slow * sizeof(*copy));
	}
	free(m->slow_new);
	m->slow_new = copy;
	m->nr_slow_new = r->nr_slow;
	for (size_t i = 0; i < r->nr_slow; i++) {
		m->slow_recent[m->slow_recent_head] = r->slow[i];
		m->slow_recent_head = (m->slow_recent_head + 1) % KVS_SLOW_RECENT;
		if (m->slow_recent_len < KVS_SLOW_RECENT)
			m->slow_recent_len++;
	}
	m->have_slow = r->have_slow;
	m->slow_lost = r->slow_lost;
	return 0;
}

uint64_t kvs_model_history(const struct kvs_model *m, size_t i)
{
	size_t oldest = (m->history_head + KVS_HISTORY - m->history_len) % KVS_HISTORY;

	return i < m->history_len ? m->history[(oldest + i) % KVS_HISTORY] : 0;
}

const struct kvs_top_list *kvs_model_top(const struct kvs_model *m, enum kvs_by by)
{
	return by == KVS_BY_PROCESS ? &m->processes : &m->callers;
}

uint64_t kvs_hist_upper_ns(unsigned int i)
{
	return i >= 63 ? UINT64_MAX : (uint64_t)2 << i;
}

double kvs_hist_quantile(const struct kvs_hist_data *h, double q)
{
	uint64_t count = 0, seen = 0;
	double target;

	for (int i = 0; i < KVS_HIST_SLOTS; i++)
		count += h->slots[i];
	if (!count)
		return NAN;
	target = q * (double)count;
	for (unsigned int i = 0; i < KVS_HIST_SLOTS; i++) {
		double lo = i ? (double)((uint64_t)1 << i) : 0, hi = (double)kvs_hist_upper_ns(i);

		if (!h->slots[i])
			continue;
		if ((double)(seen + h->slots[i]) >= target) {
			double frac = (target - (double)seen) / (double)h->slots[i];

			return lo + (hi - lo) * (frac < 0 ? 0 : frac);
		}
		seen += h->slots[i];
	}
	return (double)kvs_hist_upper_ns(KVS_HIST_SLOTS - 1);
}

/* ---- top lists ---- */

/* Descending by a u64 key; compare, never subtract (no u64 -> int casts). */
#define DESC(x, y) ((x) > (y) ? -1 : (x) < (y) ? 1 : 0)

static int cmp_pages(const void *a, const void *b)
{
	const struct kvs_top_entry *x = a, *y = b;
	int c = DESC(x->pages_populated, y->pages_populated);

	c = c ? c : DESC(x->populate_calls, y->populate_calls);
	return c ? c : strcmp(x->name, y->name);
}

static int cmp_calls(const void *a, const void *b)
{
	const struct kvs_top_entry *x = a, *y = b;
	int c = DESC(x->populate_calls, y->populate_calls);

	return c ? c : cmp_pages(a, b);
}

static int cmp_rate(const void *a, const void *b)
{
	const struct kvs_top_entry *x = a, *y = b;
	int c = DESC(x->delta_pages_populated, y->delta_pages_populated);

	c = c ? c : DESC(x->delta_populate_calls, y->delta_populate_calls);
	return c ? c : cmp_pages(a, b);
}

static uint64_t val_pages(const struct kvs_top_entry *e)
{
	return e->pages_populated;
}

static uint64_t val_calls(const struct kvs_top_entry *e)
{
	return e->populate_calls;
}

static uint64_t val_rate(const struct kvs_top_entry *e)
{
	return e->delta_pages_populated;
}

/* A percentile as a sortable value: ns, rows without one last. */
static uint64_t ns_value(double ns)
{
	return isnan(ns) ? UINT64_MAX : (uint64_t)ns;
}

static uint64_t val_vm_p50(const struct kvs_top_entry *e)
{
	return ns_value(e->vmalloc_p50_ns);
}

static uint64_t val_vm_p99(const struct kvs_top_entry *e)
{
	return ns_value(e->vmalloc_p99_ns);
}

static uint64_t val_pop_p50(const struct kvs_top_entry *e)
{
	return ns_value(e->populate_p50_ns);
}

static uint64_t val_pop_p99(const struct kvs_top_entry *e)
{
	return ns_value(e->populate_p99_ns);
}

/* Slowest first; a row with no sample after every row with one. */
#define CMP_LATENCY(fn, val)						\
static int fn(const void *a, const void *b)				\
{									\
	uint64_t x = val(a), y = val(b);				\
	int c = x == y ? 0 : x == UINT64_MAX ? 1 : y == UINT64_MAX ? -1 : DESC(x, y); \
									\
	return c ? c : cmp_pages(a, b);					\
}
CMP_LATENCY(cmp_vm_p50, val_vm_p50)
CMP_LATENCY(cmp_vm_p99, val_vm_p99)
CMP_LATENCY(cmp_pop_p50, val_pop_p50)
CMP_LATENCY(cmp_pop_p99, val_pop_p99)

#define COUNT_COL(n, col, w, c, v) \
	{ .name = n, .column = col, .what = w, .cmp = c, .value = v, .duration = false }
#define LATENCY_COL(n, col, w, c, v) \
	{ .name = n, .column = col, .what = w, .cmp = c, .value = v, .duration = true }

const struct kvs_sort_desc kvs_sorts[KVS_NR_SORTS] = {
	[KVS_SORT_PAGES] = COUNT_COL("pages", "PAGES", "pages populated", cmp_pages, val_pages),
	[KVS_SORT_CALLS] = COUNT_COL("calls", "CALLS", "populate calls", cmp_calls, val_calls),
	[KVS_SORT_RATE] = { .name = "rate", .column = "+PAGES",
			    .what = "pages populated in the last interval",
			    .cmp = cmp_rate, .value = val_rate, .duration = false },
	[KVS_SORT_VM_P50] = LATENCY_COL("vp50", "VM_P50", "median vmalloc latency", cmp_vm_p50,
					val_vm_p50),
	[KVS_SORT_VM_P99] = LATENCY_COL("vp99", "VM_P99", "99th percentile vmalloc latency",
					cmp_vm_p99, val_vm_p99),
	[KVS_SORT_POP_P50] = LATENCY_COL("pp50", "POP_P50", "median shadow populate latency",
					 cmp_pop_p50, val_pop_p50),
	[KVS_SORT_POP_P99] = LATENCY_COL("pp99", "POP_P99",
					 "99th percentile shadow populate latency", cmp_pop_p99,
					 val_pop_p99),
	[KVS_SORT_NAME] = { .name = "name", .column = NULL, .what = "name",
			    .cmp = kvs_top_entry_cmp_name, .value = NULL, .duration = false },
};

const struct kvs_by_desc kvs_bys[KVS_NR_BY] = {
	[KVS_BY_CALLER] = { "caller", "callers", "CALLER", "CALLERS" },
	[KVS_BY_PROCESS] = { "process", "processes", "PROCESS", "PROCESSES" },
};

static uint32_t sat_add32(uint32_t a, uint32_t b)
{
	return a > UINT32_MAX - b ? UINT32_MAX : a + b;
}

/* p50/p99 of a row from its latency slots; NAN when it has none. */
static void row_quantiles(struct kvs_top_entry *e)
{
	e->vmalloc_p50_ns = kvs_row_quantile(e->vmalloc_ns, 0.50);
	e->vmalloc_p99_ns = kvs_row_quantile(e->vmalloc_ns, 0.99);
	e->populate_p50_ns = kvs_row_quantile(e->populate_ns, 0.50);
	e->populate_p99_ns = kvs_row_quantile(e->populate_ns, 0.99);
}

size_t kvs_top_fold(const struct kvs_top_list *l, size_t n, enum kvs_sort sort,
		    struct kvs_top_entry *out, struct kvs_top_entry *other)
{
	struct kvs_top_entry *tmp = NULL;
	size_t rows, i;

	memset(other, 0, sizeof(*other));
	snprintf(other->name, sizeof(other->name), "other");
	other->pages_populated = l->dropped_pages;
	other->populate_calls = l->dropped_calls;
	if ((unsigned int)sort >= KVS_NR_SORTS)
		sort = KVS_SORT_PAGES;
	if (l->nr) {
		tmp = malloc(l->nr * sizeof(*tmp));
		if (!tmp) {
			/* No memory to sort: everything is "other". */
			n = 0;
		} else {
			memcpy(tmp, l->e, l->nr * sizeof(*tmp));
			qsort(tmp, l->nr, sizeof(*tmp), kvs_sorts[sort].cmp);
		}
	}
	rows = l->nr < n ? l->nr : n;
	for (i = 0; i < l->nr; i++) {
		const struct kvs_top_entry *e = tmp ? &tmp[i] : &l->e[i];

		if (i < rows) {
			out[i] = *e;
			continue;
		}
		other->pages_populated += e->pages_populated;
		other->populate_calls += e->populate_calls;
		other->delta_pages_populated += e->delta_pages_populated;
		other->delta_populate_calls += e->delta_populate_calls;
		for (int j = 0; j < KVS_ROW_SLOTS; j++) {
			other->vmalloc_ns[j] = sat_add32(other->vmalloc_ns[j], e->vmalloc_ns[j]);
			other->populate_ns[j] = sat_add32(other->populate_ns[j], e->populate_ns[j]);
		}
	}
	free(tmp);
	row_quantiles(other);
	return rows;
}

double kvs_row_quantile(const uint32_t *slots, double q)
{
	struct kvs_hist_data h = { 0 };

	for (int i = 0; i < KVS_ROW_SLOTS; i++)
		h.slots[i] = slots[i];
	return kvs_hist_quantile(&h, q);
}

/* Replace dst by a copy of src sorted by pages, with deltas against dst's old rows. */
static int top_update(struct kvs_top_list *dst, const struct kvs_top_list *src)
{
	struct kvs_top_entry *e = NULL;

	if (src->nr) {
		e = malloc(src->nr * sizeof(*e));
		if (!e)
			return -ENOMEM;
		memcpy(e, src->e, src->nr * sizeof(*e));
	}
	/* The old list sorted by name, to find each row's previous values. */
	if (dst->nr)
		qsort(dst->e, dst->nr, sizeof(*dst->e), kvs_top_entry_cmp_name);
	for (size_t i = 0; i < src->nr; i++) {
		const struct kvs_top_entry *old = dst->nr ?
			bsearch(&e[i], dst->e, dst->nr, sizeof(*dst->e), kvs_top_entry_cmp_name) : NULL;

		e[i].delta_pages_populated = e[i].pages_populated - (old ? old->pages_populated : 0);
		e[i].delta_populate_calls = e[i].populate_calls - (old ? old->populate_calls : 0);
		row_quantiles(&e[i]);
	}
	if (src->nr)
		qsort(e, src->nr, sizeof(*e), cmp_pages);
	free(dst->e);
	dst->e = e;
	dst->nr = src->nr;
	dst->dropped_pages = src->dropped_pages;
	dst->dropped_calls = src->dropped_calls;
	dst->available = src->available;
	memcpy(dst->why, src->why, sizeof(dst->why));
	return 0;
}

/* The arrays that cross unchanged: debugfs keys of newer kernels, the nodes. */
static int copy_arrays(struct kvs_model *m, const struct kvs_passthrough *p)
{
	struct kvs_node_shadow *nodes;
	struct kvs_kv *kv;

	if (kvs_kv_dup(&kv, p->debugfs_extra, p->nr_debugfs_extra))
		return -ENOMEM;
	if (kvs_nodes_dup(&nodes, p->nodes, p->nr_nodes)) {
		kvs_kv_free(kv, p->nr_debugfs_extra);
		return -ENOMEM;
	}
	kvs_kv_free(m->debugfs_extra, m->nr_debugfs_extra);
	m->debugfs_extra = kv;
	m->nr_debugfs_extra = p->nr_debugfs_extra;
	free(m->nodes);
	m->nodes = nodes;
	m->nr_nodes = p->nr_nodes;
	m->have_nodes = p->have_nodes;
	return 0;
}

static void hist_update(struct kvs_hist *h, const struct kvs_hist_data *now,
			bool available, const char *source, const char *why)
{
	for (int i = 0; i < KVS_HIST_SLOTS; i++)
		h->delta.slots[i] = now->slots[i] - h->total.slots[i];
	h->delta.count = now->count - h->total.count;
	h->delta.sum_ns = now->sum_ns - h->total.sum_ns;
	h->total = *now;
	h->available = available;
	h->source = source;
	snprintf(h->why, sizeof(h->why), "%s", why);
	h->p50_ns = kvs_hist_quantile(&h->total, 0.50);
	h->p99_ns = kvs_hist_quantile(&h->total, 0.99);
	h->interval_p50_ns = kvs_hist_quantile(&h->delta, 0.50);
	h->interval_p99_ns = kvs_hist_quantile(&h->delta, 0.99);
	h->avg_ns = h->total.count ? (double)h->total.sum_ns / (double)h->total.count : NAN;
}

/* Deltas from the previous totals (the first update: from 0), and rates. */
static void counters_update(struct kvs_model *m, const struct kvs_snapshot *s)
{
	struct kvs_counters prev = m->total;

	m->total = s->c;
	m->known = s->known;
	m->counter_back = -1;
	for (size_t i = 0; i < KVS_NR_COUNTERS; i++) {
		uint64_t a = kvs_counter_get(&prev, i), b = kvs_counter_get(&m->total, i);

		m->delta[i] = kvs_delta(a, b);
		m->rate[i] = m->interval_s > 0 ? (double)m->delta[i] / m->interval_s : 0;
		if (b < a && kvs_counter_info[i].type == KVS_COUNTER && m->counter_back < 0 &&
		    kvs_model_knows(m, i))
			m->counter_back = (int)i;
	}
	m->peak_reset = m->updates && m->total.shadow_pages_peak < prev.shadow_pages_peak;
	/* A gauge's first value is not a change. */
	if (!m->updates && !m->since_boot) {
		m->delta[KVS_ID_shadow_pages] = m->delta[KVS_ID_shadow_pages_peak] = 0;
		m->rate[KVS_ID_shadow_pages] = m->rate[KVS_ID_shadow_pages_peak] = 0;
	}
}

/* The tool's own cost over the last interval, from two readings of it. */
static void self_update(struct kvs_model *m, const struct kvs_passthrough *r, bool first)
{
	const struct kvs_self *prev = &m->self;
	double dt = m->interval_s;

	m->self_cpu_percent = !first && dt > 0 ? (r->self.cpu_s - prev->cpu_s) * 100.0 / dt : NAN;
	for (size_t i = 0; i < r->self.nr; i++) {
		const struct kvs_prog_cost *p = &r->self.prog[i];
		uint64_t runs = p->runs, ns = p->run_ns;

		/* The same program in the previous reading (statistics on then too). */
		for (size_t j = 0; m->have_self && j < prev->nr; j++) {
			if (strcmp(prev->prog[j].name, p->name))
				continue;
			runs = p->runs >= prev->prog[j].runs ? p->runs - prev->prog[j].runs : p->runs;
			ns = p->run_ns >= prev->prog[j].run_ns ? p->run_ns - prev->prog[j].run_ns :
				p->run_ns;
			break;
		}
		m->self_ns_per_run[i] = runs ? (double)ns / (double)runs : NAN;
		m->self_runs_rate[i] = dt > 0 ? (double)runs / dt : 0;
	}
	m->have_self = r->have_self;
	m->self = r->self;
}

static void walk_update(struct kvs_model *m, const struct kvs_passthrough *r)
{
	m->have_walk = r->have_walk;
	m->walk = r->walk;
}

int kvs_model_update(struct kvs_model *m, const struct kvs_snapshot *s)
{
	const struct kvs_passthrough *r = &s->pass;
	/* Since boot, the first interval is the uptime (CLOCK_MONOTONIC): a vmstat first line. */
	double last = m->updates ? m->ts_mono : s->since_boot ? 0 : s->start_mono;
	uint64_t stalls_before;

	if (copy_arrays(m, r) || top_update(&m->callers, &s->callers) ||
	    top_update(&m->processes, &s->processes) || slow_update(m, r))
		return -ENOMEM;

	m->ts = s->ts;
	m->interval_s = s->mono - last;
	m->elapsed_s = s->mono - s->start_mono;
	m->start_mono = s->start_mono;
	m->ts_mono = s->mono;
	m->since_boot = s->since_boot;
	counters_update(m, s);
	self_update(m, r, !m->updates);
	walk_update(m, r);

	m->shadow_bytes = kvs_pages_to_bytes(m->total.shadow_pages, m->page_size);
	m->shadow_peak_bytes = kvs_pages_to_bytes(m->total.shadow_pages_peak, m->page_size);
	m->have_vmalloc_used = r->have_vmalloc_used;
	m->vmalloc_used_bytes = r->vmalloc_used_bytes;
	m->overhead_ratio = r->have_vmalloc_used && r->vmalloc_used_bytes &&
		kvs_model_knows(m, KVS_ID_shadow_pages) ?
		(double)m->shadow_bytes / (double)r->vmalloc_used_bytes : NAN;
	m->have_vmap_bytes = s->have_vmap_bytes;
	m->vmap_bytes = s->vmap_bytes;
	m->overhead_ratio_vmap = s->have_vmap_bytes && s->vmap_bytes &&
		kvs_model_knows(m, KVS_ID_shadow_pages) ?
		(double)m->shadow_bytes / (double)s->vmap_bytes : NAN;

	m->have_debugfs = r->have_debugfs;
	m->debugfs = r->debugfs;
	m->have_debugfs_base = s->have_debugfs_base;
	if (m->have_debugfs_base)
		m->debugfs_base = s->debugfs_base;
	m->drift_valid = s->drift_valid;
	m->drift_pages = s->drift_pages;
	m->baseline_pending = s->baseline_pending;
	m->have_pagetable = s->have_pagetable;
	m->pagetable_pages = s->pagetable_pages;
	m->have_self_shadow = s->have_self_shadow;
	m->self_shadow_pages = s->self_shadow_pages;

	for (int i = 0; i < KVS_NR_HISTS; i++)
		hist_update(&m->hist[i], &s->hist[i], r->hist_available[i], r->hist_source[i],
			    r->hist_why[i]);
	/* The first interval counts from start, as the counters' deltas do. */
	stalls_before = m->updates ? m->purge.stalls : 0;
	m->purge = s->purge;
	if (!m->purge.have_stalls)
		m->purge.stalls = 0;	/* unknown: nothing for a later interval to count from */
	m->purge_stalls_new = m->purge.stalls > stalls_before ? m->purge.stalls - stalls_before : 0;

	m->history[m->history_head] = m->total.shadow_pages;
	m->history_head = (m->history_head + 1) % KVS_HISTORY;
	if (m->history_len < KVS_HISTORY)
		m->history_len++;

	m->events_lost = s->events_lost;
	m->have_purge_crossed = r->have_purge_crossed;
	m->purge_crossed = r->purge_crossed;
	m->unknown_frees = r->unknown_frees;
	m->estimate_reseeds = r->estimate_reseeds;
	m->ring_buffer_bytes = r->ring_buffer_bytes;
	m->seed = r->seed;
	m->unavailable = r->unavailable;
	memcpy(m->method, r->method, sizeof(m->method));
	m->updates++;
	return 0;
}

double kvs_purge_lazy_ts(const struct kvs_model *m)
{
	return m->ts - (m->ts_mono - m->purge.lazy_mono);
}
