// SPDX-License-Identifier: GPL-2.0
/* The model: deltas, rates, percentiles, top-N, drift. Pure: no I/O. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

#define KVS_X_FIELD(n, g, h) { #n, offsetof(struct kvs_counters, n), g, h },
const struct kvs_counter_field kvs_counter_fields[] = { KVS_COUNTERS(KVS_X_FIELD) };
const size_t kvs_nr_counter_fields = sizeof(kvs_counter_fields) / sizeof(kvs_counter_fields[0]);

static uint64_t *cfield(struct kvs_counters *c, size_t i)
{
	return (uint64_t *)((char *)c + kvs_counter_fields[i].offset);
}

static double *rfield(struct kvs_rates *r, size_t i)
{
	/* kvs_rates has the same fields in the same order, as doubles. */
	return &((double *)r)[i];
}

const char *kvs_mode_name(enum kvs_mode mode)
{
	switch (mode) {
	case KVS_MODE_EXACT: return "exact";
	case KVS_MODE_ESTIMATE: return "estimate";
	case KVS_MODE_DEBUGFS: return "debugfs";
	}
	return "unknown";
}

const char *kvs_hist_name(enum kvs_hist_kind k)
{
	static const char *const names[KVS_NR_HISTS] = { "populate", "release", "vmalloc" };

	return (unsigned int)k < KVS_NR_HISTS ? names[k] : "unknown";
}

void kvs_why(char *dst, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(dst, KVS_WHY_LEN, fmt, ap);
	va_end(ap);
}

void kvs_model_init(struct kvs_model *m, enum kvs_mode mode, const char *kernel, long page_size)
{
	memset(m, 0, sizeof(*m));
	m->mode = mode;
	m->mode_name = kvs_mode_name(mode);
	snprintf(m->kernel, sizeof(m->kernel), "%s", kernel ? kernel : "");
	m->page_size = page_size > 0 ? page_size : 4096;
	m->overhead_ratio = NAN;
	m->peak_scope = mode == KVS_MODE_DEBUGFS ? "since boot or reset" : "since start";
	for (int i = 0; i < KVS_NR_HISTS; i++) {
		m->hist[i].p50_ns = m->hist[i].p99_ns = NAN;
		m->hist[i].interval_p50_ns = m->hist[i].interval_p99_ns = NAN;
		m->hist[i].avg_ns = NAN;
	}
}

static void top_list_free(struct kvs_top_list *l)
{
	free(l->e);
	l->e = NULL;
	l->nr = 0;
}

static void kv_free(struct kvs_kv *kv, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		free(kv[i].key);
	free(kv);
}

void kvs_snapshot_free(struct kvs_snapshot *s)
{
	top_list_free(&s->callers);
	top_list_free(&s->processes);
	kv_free(s->debugfs_kv, s->nr_debugfs_kv);
	s->debugfs_kv = NULL;
	s->nr_debugfs_kv = 0;
}

void kvs_model_free(struct kvs_model *m)
{
	top_list_free(&m->callers);
	top_list_free(&m->processes);
	kv_free((struct kvs_kv *)m->debugfs_kv, m->nr_debugfs_kv);
	m->debugfs_kv = NULL;
	m->nr_debugfs_kv = 0;
}

uint64_t kvs_model_history(const struct kvs_model *m, size_t i)
{
	size_t oldest = (m->history_head + KVS_HISTORY - m->history_len) % KVS_HISTORY;

	return i < m->history_len ? m->history[(oldest + i) % KVS_HISTORY] : 0;
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

static int cmp_name(const void *a, const void *b)
{
	return strcmp(((const struct kvs_top_entry *)a)->name, ((const struct kvs_top_entry *)b)->name);
}

/* Descending by a u64 key; compare, never subtract (no u64 → int casts). */
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

static int (*const sorters[])(const void *, const void *) = {
	[KVS_SORT_PAGES] = cmp_pages,
	[KVS_SORT_CALLS] = cmp_calls,
	[KVS_SORT_RATE] = cmp_rate,
	[KVS_SORT_NAME] = cmp_name,
};

size_t kvs_top_fold(const struct kvs_top_list *l, size_t n, enum kvs_sort sort,
		    struct kvs_top_entry *out, struct kvs_top_entry *other)
{
	struct kvs_top_entry *tmp = NULL;
	size_t rows, i;

	memset(other, 0, sizeof(*other));
	snprintf(other->name, sizeof(other->name), "other");
	other->pages_populated = l->dropped_pages;
	other->populate_calls = l->dropped_calls;
	if (l->nr) {
		tmp = malloc(l->nr * sizeof(*tmp));
		if (!tmp) {
			/* No memory to sort: everything is "other". */
			n = 0;
		} else {
			memcpy(tmp, l->e, l->nr * sizeof(*tmp));
			if ((unsigned int)sort >= sizeof(sorters) / sizeof(sorters[0]))
				sort = KVS_SORT_PAGES;
			qsort(tmp, l->nr, sizeof(*tmp), sorters[sort]);
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
	}
	free(tmp);
	return rows;
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
		qsort(dst->e, dst->nr, sizeof(*dst->e), cmp_name);
	for (size_t i = 0; i < src->nr; i++) {
		const struct kvs_top_entry *old = dst->nr ?
			bsearch(&e[i], dst->e, dst->nr, sizeof(*dst->e), cmp_name) : NULL;

		e[i].delta_pages_populated = e[i].pages_populated - (old ? old->pages_populated : 0);
		e[i].delta_populate_calls = e[i].populate_calls - (old ? old->populate_calls : 0);
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

static int copy_kv(struct kvs_model *m, const struct kvs_snapshot *s)
{
	struct kvs_kv *kv = NULL;

	if (s->nr_debugfs_kv) {
		kv = calloc(s->nr_debugfs_kv, sizeof(*kv));
		if (!kv)
			return -ENOMEM;
		for (size_t i = 0; i < s->nr_debugfs_kv; i++) {
			kv[i].value = s->debugfs_kv[i].value;
			kv[i].key = strdup(s->debugfs_kv[i].key);
			if (!kv[i].key) {
				kv_free(kv, i);
				return -ENOMEM;
			}
		}
	}
	kv_free((struct kvs_kv *)m->debugfs_kv, m->nr_debugfs_kv);
	m->debugfs_kv = kv;
	m->nr_debugfs_kv = s->nr_debugfs_kv;
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

int kvs_model_update(struct kvs_model *m, const struct kvs_snapshot *s)
{
	struct kvs_counters prev = m->total;
	double last = m->updates ? m->ts_mono : s->start_mono;

	if (copy_kv(m, s) || top_update(&m->callers, &s->callers) ||
	    top_update(&m->processes, &s->processes))
		return -ENOMEM;

	m->ts = s->ts;
	m->interval_s = s->mono - last;
	m->elapsed_s = s->mono - s->start_mono;
	m->ts_mono = s->mono;
	m->total = s->c;
	for (size_t i = 0; i < kvs_nr_counter_fields; i++) {
		uint64_t d = *cfield(&m->total, i) - *cfield(&prev, i);

		*cfield(&m->delta, i) = d;
		*rfield(&m->rate, i) = m->interval_s > 0 && !kvs_counter_fields[i].gauge ?
			(double)d / m->interval_s : 0;
	}
	m->shadow_pages_delta = (int64_t)(m->total.shadow_pages - prev.shadow_pages);
	if (!m->updates)
		m->shadow_pages_delta = 0;
	m->rate.shadow_pages = m->interval_s > 0 ? (double)m->shadow_pages_delta / m->interval_s : 0;

	m->shadow_bytes = m->total.shadow_pages * (uint64_t)m->page_size;
	m->shadow_peak_bytes = m->total.shadow_pages_peak * (uint64_t)m->page_size;
	m->have_vmalloc_used = s->have_vmalloc_used;
	m->vmalloc_used_bytes = s->vmalloc_used_bytes;
	m->overhead_ratio = s->have_vmalloc_used && s->vmalloc_used_bytes ?
		(double)m->shadow_bytes / (double)s->vmalloc_used_bytes : NAN;

	m->have_debugfs = s->have_debugfs;
	m->debugfs = s->debugfs;
	m->have_debugfs_base = s->have_debugfs_base;
	m->debugfs_base = s->debugfs_base;
	/* In debugfs mode the debugfs file is the only view: nothing to drift from. */
	m->drift_valid = s->have_debugfs && s->mode != KVS_MODE_DEBUGFS;
	m->drift_pages = !m->drift_valid ? 0 :
		s->c.shadow_pages > s->debugfs.shadow_pages ?
		s->c.shadow_pages - s->debugfs.shadow_pages :
		s->debugfs.shadow_pages - s->c.shadow_pages;

	for (int i = 0; i < KVS_NR_HISTS; i++)
		hist_update(&m->hist[i], &s->hist[i], s->hist_available[i], s->hist_source[i],
			    s->hist_why[i]);

	m->history[m->history_head] = m->total.shadow_pages;
	m->history_head = (m->history_head + 1) % KVS_HISTORY;
	if (m->history_len < KVS_HISTORY)
		m->history_len++;

	m->events_lost = s->events_lost;
	m->unknown_frees = s->unknown_frees;
	m->unavailable = s->unavailable;
	m->updates++;
	return 0;
}
