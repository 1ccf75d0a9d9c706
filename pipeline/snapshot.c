// SPDX-License-Identifier: GPL-2.0
/* The pure step: readings + baseline + mode -> snapshot (see snapshot.h). */
#include "snapshot.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *kvs_hist_name(enum kvs_hist_id k)
{
	static const char *const names[KVS_NR_HISTS] = { "populate", "release", "vmalloc", "purge" };

	return (unsigned int)k < KVS_NR_HISTS ? names[k] : "unknown";
}

void kvs_why(char *dst, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(dst, KVS_WHY_LEN, fmt, ap);
	va_end(ap);
}

void kvs_top_list_free(struct kvs_top_list *l)
{
	free(l->e);
	l->e = NULL;
	l->nr = 0;
}

void kvs_reading_free(struct kvs_reading *r)
{
	kvs_top_list_free(&r->callers);
	kvs_top_list_free(&r->processes);
	free(r->slow);
	kvs_kv_free(r->debugfs_extra, r->nr_debugfs_extra);
	free(r->nodes);
	memset(r, 0, sizeof(*r));
}

int kvs_nodes_dup(struct kvs_node_shadow **dst, const struct kvs_node_shadow *src, size_t n)
{
	*dst = NULL;
	if (!n)
		return 0;
	*dst = malloc(n * sizeof(**dst));
	if (!*dst)
		return -ENOMEM;
	memcpy(*dst, src, n * sizeof(**dst));
	return 0;
}

void kvs_snapshot_free(struct kvs_snapshot *s)
{
	kvs_top_list_free(&s->callers);
	kvs_top_list_free(&s->processes);
	free(s->pass.slow);
	s->pass.slow = NULL;
	s->pass.nr_slow = 0;
	kvs_kv_free(s->pass.debugfs_extra, s->pass.nr_debugfs_extra);
	s->pass.debugfs_extra = NULL;
	s->pass.nr_debugfs_extra = 0;
	free(s->pass.nodes);
	s->pass.nodes = NULL;
	s->pass.nr_nodes = 0;
}

/* What the model shows as the reading had it; arrays copied. 0 or -ENOMEM. */
static int pass_through(struct kvs_passthrough *p, const struct kvs_reading *r)
{
	*p = (struct kvs_passthrough){
		.have_debugfs = r->have_debugfs,
		.debugfs = r->debugfs,
		.have_vmalloc_used = r->have_vmalloc_used,
		.vmalloc_used_bytes = r->vmalloc_used_bytes,
		.have_slow = r->have_slow,
		.slow_lost = r->slow_lost,
		.have_walk = r->have_walk,
		.walk = r->walk,
		.have_self = r->have_self,
		.self = r->self,
		.have_purge_crossed = r->have_purge_crossed,
		.purge_crossed = r->purge_crossed,
		.unknown_frees = r->unknown_frees,
		.estimate_reseeds = r->estimate_reseeds,
		.ring_buffer_bytes = r->ring_buffer_bytes,
		.seed = r->seed,
		.unavailable = r->unavailable,
	};
	memcpy(p->method, r->method, sizeof(p->method));
	memcpy(p->hist_available, r->hist_available, sizeof(p->hist_available));
	memcpy(p->hist_source, r->hist_source, sizeof(p->hist_source));
	memcpy(p->hist_why, r->hist_why, sizeof(p->hist_why));
	if (r->nr_slow) {
		p->slow = malloc(r->nr_slow * sizeof(*p->slow));
		if (!p->slow)
			return -ENOMEM;
		memcpy(p->slow, r->slow, r->nr_slow * sizeof(*p->slow));
		p->nr_slow = r->nr_slow;
	}
	if (kvs_kv_dup(&p->debugfs_extra, r->debugfs_extra, r->nr_debugfs_extra))
		return -ENOMEM;
	p->nr_debugfs_extra = r->nr_debugfs_extra;
	p->have_nodes = r->have_nodes;
	if (r->have_nodes && kvs_nodes_dup(&p->nodes, r->nodes, r->nr_nodes))
		return -ENOMEM;
	p->nr_nodes = r->have_nodes ? r->nr_nodes : 0;
	return 0;
}

bool kvs_purge_lazy_known(const struct kvs_purge *p)
{
	return p->have_lazy && !p->lazy_stale;
}

const char *kvs_seed_name(enum kvs_seed_kind kind)
{
	switch (kind) {
	case KVS_SEED_EXACT:
		return "exact";
	case KVS_SEED_APPROXIMATE:
		return "approximate";
	case KVS_SEED_NONE:
		break;
	}
	return NULL;
}

int kvs_top_entry_cmp_name(const void *a, const void *b)
{
	return strcmp(((const struct kvs_top_entry *)a)->name,
		      ((const struct kvs_top_entry *)b)->name);
}

static uint64_t sub_floor0(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

/* The backlog as it is; stalls since start (the tool attached before the baseline). */
static void purge_since(struct kvs_purge *out, const struct kvs_purge *now,
			const struct kvs_purge *base)
{
	*out = *now;
	if (base && base->have_stalls)
		out->stalls = sub_floor0(now->stalls, base->stalls);
}

static bool row_has_latency(const struct kvs_top_entry *e)
{
	for (int k = 0; k < KVS_ROW_SLOTS; k++)
		if (e->vmalloc_ns[k] || e->populate_ns[k])
			return true;
	return false;
}

/*
 * Rows since the baseline: now minus the baseline's row of the same name.
 * BPF keeps the rows since attach, and the baseline is taken a moment after
 * attach: without this, a caller row would count calls that the counters
 * above it do not.
 */
static int top_since(struct kvs_top_list *out, const struct kvs_top_list *now,
		     const struct kvs_top_list *base)
{
	struct kvs_top_entry *b = NULL;
	size_t n = 0;

	*out = (struct kvs_top_list){ .available = now->available };
	memcpy(out->why, now->why, sizeof(out->why));
	out->dropped_pages = sub_floor0(now->dropped_pages, base ? base->dropped_pages : 0);
	out->dropped_calls = sub_floor0(now->dropped_calls, base ? base->dropped_calls : 0);
	if (!now->nr)
		return 0;
	out->e = malloc(now->nr * sizeof(*out->e));
	if (!out->e)
		return -ENOMEM;
	if (base && base->nr) {
		b = malloc(base->nr * sizeof(*b));
		if (!b) {
			kvs_top_list_free(out);
			return -ENOMEM;
		}
		memcpy(b, base->e, base->nr * sizeof(*b));
		qsort(b, base->nr, sizeof(*b), kvs_top_entry_cmp_name);
	}
	for (size_t i = 0; i < now->nr; i++) {
		const struct kvs_top_entry *e = &now->e[i];
		const struct kvs_top_entry *old = b ?
			bsearch(e, b, base->nr, sizeof(*b), kvs_top_entry_cmp_name) : NULL;
		struct kvs_top_entry r = *e;

		r.pages_populated = sub_floor0(e->pages_populated, old ? old->pages_populated : 0);
		r.populate_calls = sub_floor0(e->populate_calls, old ? old->populate_calls : 0);
		r.delta_pages_populated = r.delta_populate_calls = 0;
		for (int k = 0; old && k < KVS_ROW_SLOTS; k++) {
			r.vmalloc_ns[k] = e->vmalloc_ns[k] > old->vmalloc_ns[k] ?
				e->vmalloc_ns[k] - old->vmalloc_ns[k] : 0;
			r.populate_ns[k] = e->populate_ns[k] > old->populate_ns[k] ?
				e->populate_ns[k] - old->populate_ns[k] : 0;
		}
		if (r.pages_populated || r.populate_calls || row_has_latency(&r))
			out->e[n++] = r;
	}
	free(b);
	out->nr = n;
	return 0;
}

static void hist_since(struct kvs_hist_data *out, const struct kvs_hist_data *now,
		       const struct kvs_hist_data *base)
{
	*out = *now;
	if (!base)
		return;
	for (int i = 0; i < KVS_HIST_SLOTS; i++)
		out->slots[i] = sub_floor0(now->slots[i], base->slots[i]);
	out->count = sub_floor0(now->count, base->count);
	out->sum_ns = sub_floor0(now->sum_ns, base->sum_ns);
}

/* c = now - base for the counters in mask (base NULL: now as it is). */
static void counters_since(struct kvs_counters *c, const struct kvs_counters *now,
			   const struct kvs_counters *base, kvs_counter_mask mask)
{
	for (size_t i = 0; i < KVS_NR_COUNTERS; i++) {
		if (!(mask & KVS_BIT(i)))
			continue;
		kvs_counter_set(c, i, base ? kvs_counter_get(now, i) - kvs_counter_get(base, i) :
				kvs_counter_get(now, i));
	}
}

static const kvs_counter_mask gauges = KVS_BIT(KVS_ID_shadow_pages) |
				       KVS_BIT(KVS_ID_shadow_pages_peak);
/* What estimate mode's model counts though it is no shadow number: the purge events carry no per-area size. */
#define MODELLED_VMAP KVS_BIT(KVS_ID_vmap_area_purged_bytes)

/* shadow_pages and its peak: an absolute start plus BPF's net change since attach. */
static void shadow_from(struct kvs_snapshot *s, int64_t start, const struct kvs_reading *now)
{
	int64_t cur = start + now->bpf_net, hi = start + now->bpf_net_peak;

	s->c.shadow_pages = cur > 0 ? (uint64_t)cur : 0;
	s->c.shadow_pages_peak = hi > cur ? (uint64_t)hi : s->c.shadow_pages;
}

/*
 * Exact mode: BPF counts every populate and release since attach; the
 * baseline pairs that with the kernel's absolute shadow_pages at one quiet
 * instant, so shadow_pages = debugfs at baseline + net change since.
 */
static void exact_counters(struct kvs_snapshot *s, const struct kvs_reading *now,
			   const struct kvs_reading *base)
{
	counters_since(&s->c, &now->bpf, base ? &base->bpf : NULL, s->known & ~gauges);
	if (!base || !base->have_debugfs) {
		/* No absolute starting point: a since-start net would pose as shadow_pages. */
		s->known &= ~gauges;
		return;
	}
	shadow_from(s, (int64_t)base->debugfs.shadow_pages - base->bpf_net, now);
}

/*
 * Stock mode: the same, with the page tables' count at the baseline as the
 * starting point. A later quiet walk is a second view of shadow_pages: what
 * BPF's count said at that walk against what the walk found.
 */
static void stock_counters(struct kvs_snapshot *s, const struct kvs_reading *now,
			   const struct kvs_reading *base)
{
	int64_t start, then;

	counters_since(&s->c, &now->bpf, base ? &base->bpf : NULL, s->known & ~gauges);
	if (!base || !base->have_ptwalk || !base->ptwalk_quiet) {
		s->known &= ~gauges;
		return;
	}
	start = (int64_t)base->ptwalk_pages - base->ptwalk_net;
	shadow_from(s, start, now);
	if (!now->have_ptwalk || !now->ptwalk_quiet)
		return;
	s->have_pagetable = true;
	s->pagetable_pages = now->ptwalk_pages;
	if (now->have_debugfs)
		return;
	then = start + now->ptwalk_net;
	s->drift_valid = true;
	s->drift_pages = then > (int64_t)now->ptwalk_pages ?
		(uint64_t)(then - (int64_t)now->ptwalk_pages) :
		(uint64_t)((int64_t)now->ptwalk_pages - then);
}

/*
 * All live vmap areas (vmalloc, vmap, ioremap, lazily freed): the estimate's
 * model knows them; in exact mode /proc/vmallocinfo was summed once, at the
 * baseline (it formats a line per area, too costly every interval), and the
 * events since move it: allocated bytes in, purged areas' bytes out.
 */
static void vmap_bytes_now(struct kvs_snapshot *s, enum kvs_mode mode,
			   const struct kvs_reading *now, const struct kvs_reading *base)
{
	int64_t v;

	if (mode == KVS_MODE_ESTIMATE && now->have_estimate) {
		s->have_vmap_bytes = true;
		s->vmap_bytes = now->est_area_bytes;
	} else if (mode == KVS_MODE_EXACT && base && base->have_vmap_bytes && now->have_bpf) {
		v = (int64_t)base->vmap_bytes +
		    (int64_t)(now->bpf.vmap_area_alloc_bytes - base->bpf.vmap_area_alloc_bytes) -
		    (int64_t)(now->bpf.vmap_area_purged_bytes - base->bpf.vmap_area_purged_bytes);
		s->have_vmap_bytes = v > 0;
		s->vmap_bytes = v > 0 ? (uint64_t)v : 0;
	}
}

bool kvs_reading_aligned(enum kvs_mode mode, const struct kvs_reading *r)
{
	switch (mode) {
	case KVS_MODE_EXACT:
		return !r->have_debugfs || r->debugfs_quiet;
	case KVS_MODE_STOCK:
		/* No walk at all: no shadow_pages to align (stock_counters). */
		return !r->have_ptwalk || r->ptwalk_quiet;
	default:
		return true;
	}
}

bool kvs_baseline_align(enum kvs_mode mode, struct kvs_reading *base, const struct kvs_reading *now)
{
	if (base->aligned)
		return true;
	if (!kvs_reading_aligned(mode, now))
		return false;
	if (mode == KVS_MODE_EXACT && base->have_debugfs && now->have_debugfs) {
		/* The file at the start instant: as it is now, less what BPF counted since. */
		for (size_t i = 0; i < KVS_NR_COUNTERS; i++)
			if (KVS_BIT(i) & kvs_mode_known(mode) & KVS_DEBUGFS_COUNTERS & ~gauges)
				kvs_counter_set(&base->debugfs, i, kvs_counter_get(&now->debugfs, i) -
					       (kvs_counter_get(&now->bpf, i) - kvs_counter_get(&base->bpf, i)));
		base->debugfs.shadow_pages = now->debugfs.shadow_pages -
					     (uint64_t)(now->bpf_net - base->bpf_net);
	} else if (mode == KVS_MODE_STOCK && now->have_ptwalk) {
		base->have_ptwalk = true;
		base->ptwalk_quiet = true;
		base->ptwalk_pages = now->ptwalk_pages;
		base->ptwalk_net = now->ptwalk_net;
		base->ptwalk_mono = now->ptwalk_mono;
	}
	base->aligned = true;
	return true;
}

int kvs_snapshot_compute(enum kvs_mode mode, const struct kvs_reading *now,
			 const struct kvs_reading *base, struct kvs_snapshot *s)
{
	int ret;

	memset(s, 0, sizeof(*s));
	s->mode = mode;
	s->ts = now->ts;
	s->mono = now->mono;
	s->start_mono = base ? base->mono : now->mono;
	s->since_boot = !base;
	s->known = kvs_mode_known(mode);
	/* Lost events since start, like every counter: the ones before are not this run's. */
	s->events_lost = sub_floor0(now->events_lost, base ? base->events_lost : 0);
	s->have_self_shadow = now->have_self_shadow;
	s->self_shadow_pages = now->self_shadow_pages;
	s->have_debugfs_base = base && base->have_debugfs;
	if (s->have_debugfs_base)
		s->debugfs_base = base->debugfs;

	/* Slow calls are counted only when asked for (--slow) and vmalloc is traced. */
	if (!now->have_slow)
		s->known &= ~KVS_BIT(KVS_ID_slow_vmalloc);
	if (now->no_vmap_events)
		s->known &= ~(KVS_BIT(KVS_ID_vmap_area_allocs) | KVS_BIT(KVS_ID_vmap_area_alloc_bytes) |
			      KVS_BIT(KVS_ID_vmap_area_alloc_failures) | KVS_BIT(KVS_ID_vmap_area_frees) |
			      KVS_BIT(KVS_ID_vmap_purges) | KVS_BIT(KVS_ID_vmap_areas_purged) |
			      KVS_BIT(KVS_ID_vmap_area_purged_bytes));

	switch (mode) {
	case KVS_MODE_EXACT:
		exact_counters(s, now, base);
		break;
	case KVS_MODE_STOCK:
		stock_counters(s, now, base);
		break;
	case KVS_MODE_ESTIMATE:
		/* The model's shadow_pages and peak are its own, absolute. */
		counters_since(&s->c, &now->est, base ? &base->est : NULL,
			       s->known & (KVS_DEBUGFS_COUNTERS | MODELLED_VMAP) & ~gauges);
		s->c.shadow_pages = now->est.shadow_pages;
		s->c.shadow_pages_peak = now->est.shadow_pages_peak;
		counters_since(&s->c, &now->bpf, base ? &base->bpf : NULL,
			       s->known & ~(KVS_DEBUGFS_COUNTERS | MODELLED_VMAP));
		break;
	case KVS_MODE_DEBUGFS:
		if (!now->have_debugfs) {
			s->known = 0;
			break;
		}
		counters_since(&s->c, &now->debugfs, base && base->have_debugfs ? &base->debugfs : NULL,
			       s->known & ~gauges);
		s->c.shadow_pages = now->debugfs.shadow_pages;
		/* The kernel's own high-water mark: since boot or reset. */
		s->c.shadow_pages_peak = now->debugfs.shadow_pages_peak;
		break;
	case KVS_NR_MODES:
		return -EINVAL;
	}

	vmap_bytes_now(s, mode, now, base);

	/* Two views of shadow_pages where BPF counts and debugfs exists (stock: or a walk). */
	if (mode != KVS_MODE_DEBUGFS && now->have_debugfs &&
	    (s->known & KVS_BIT(KVS_ID_shadow_pages))) {
		s->drift_valid = true;
		s->drift_pages = s->c.shadow_pages > now->debugfs.shadow_pages ?
			s->c.shadow_pages - now->debugfs.shadow_pages :
			now->debugfs.shadow_pages - s->c.shadow_pages;
	}
	/* A busy start: the two views are of different instants until aligned; no drift to show. */
	s->baseline_pending = base && !base->aligned;
	if (s->baseline_pending)
		s->drift_valid = false;

	for (int h = 0; h < KVS_NR_HISTS; h++)
		hist_since(&s->hist[h], &now->hist[h], base ? &base->hist[h] : NULL);
	purge_since(&s->purge, &now->purge, base ? &base->purge : NULL);

	ret = top_since(&s->callers, &now->callers, base ? &base->callers : NULL);
	if (!ret)
		ret = top_since(&s->processes, &now->processes, base ? &base->processes : NULL);
	if (!ret)
		ret = pass_through(&s->pass, now);
	if (ret)
		kvs_snapshot_free(s);
	return ret;
}
