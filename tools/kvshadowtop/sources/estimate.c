// SPDX-License-Identifier: GPL-2.0
/* Estimate mode's shadow pages from vmap area events; the rules are in estimate.h. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "estimate.h"

int kvs_estimate_init(struct kvs_estimate *e, long page_size)
{
	memset(e, 0, sizeof(*e));
	/* The shadow page covers PAGE_SIZE << 3 bytes of vmalloc space. */
	if (page_size < 4096 || (page_size & (page_size - 1)))
		return -EINVAL;
	e->span = (uint64_t)page_size << KVS_SHADOW_SCALE_SHIFT;
	e->page_shift = (unsigned int)__builtin_ctzl((unsigned long)page_size);
	return 0;
}

void kvs_estimate_free(struct kvs_estimate *e)
{
	free(e->areas);
	kvs_pageset_free(&e->covered);
	kvs_pageset_free(&e->starts);
	kvs_pageset_free(&e->mapped);
	free(e->lazy);
	if (e->approx)
		kvs_approx_seed_free(e->approx);
	free(e->approx);
	memset(e, 0, sizeof(*e));
}

/* ---- areas: a hash by start, linear probing ---- */

static size_t slot_of(const struct kvs_estimate *e, uint64_t start)
{
	/* Fibonacci hashing of the page number: neighbours spread out. */
	return (size_t)(((start >> e->page_shift) * 0x9e3779b97f4a7c15ULL) >>
			(64 - __builtin_ctzl(e->cap_areas)));
}

/* The area that starts at start: valid until the next insert or delete. */
static struct kvs_est_area *area_at(struct kvs_estimate *e, uint64_t start)
{
	size_t mask = e->cap_areas - 1;

	if (!e->cap_areas || !start)
		return NULL;
	for (size_t i = slot_of(e, start);; i = (i + 1) & mask) {
		if (e->areas[i].start == start)
			return &e->areas[i];
		if (!e->areas[i].start)
			return NULL;
	}
}

static void slot_put(struct kvs_estimate *e, const struct kvs_est_area *a)
{
	size_t mask = e->cap_areas - 1, i = slot_of(e, a->start);

	while (e->areas[i].start)
		i = (i + 1) & mask;
	e->areas[i] = *a;
}

/* Room for one more area: twice the slots once half are taken. */
static int areas_reserve(struct kvs_estimate *e)
{
	struct kvs_est_area *old = e->areas;
	size_t old_cap = e->cap_areas;

	if ((e->nr_areas + 1) * 2 <= e->cap_areas)
		return 0;
	e->areas = calloc(old_cap ? old_cap * 2 : 1024, sizeof(*e->areas));
	if (!e->areas) {
		e->areas = old;
		return -ENOMEM;
	}
	e->cap_areas = old_cap ? old_cap * 2 : 1024;
	for (size_t i = 0; i < old_cap; i++)
		if (old[i].start)
			slot_put(e, &old[i]);
	free(old);
	return 0;
}

/* Its pages: [first, past). */
static uint64_t first_page(const struct kvs_estimate *e, const struct kvs_est_area *a)
{
	return a->start >> e->page_shift;
}

static uint64_t past_page(const struct kvs_estimate *e, const struct kvs_est_area *a)
{
	return a->end >> e->page_shift;
}

/* Into the page bitmaps: 0, or -ENOMEM with neither changed. */
static int area_index(struct kvs_estimate *e, const struct kvs_est_area *a)
{
	long ret = kvs_pageset_add(&e->covered, first_page(e, a), past_page(e, a));

	if (ret < 0)
		return (int)ret;
	ret = kvs_pageset_add(&e->starts, first_page(e, a), first_page(e, a) + 1);
	if (ret < 0) {
		kvs_pageset_remove(&e->covered, first_page(e, a), past_page(e, a));
		return (int)ret;
	}
	return 0;
}

static void area_unindex(struct kvs_estimate *e, const struct kvs_est_area *a)
{
	kvs_pageset_remove(&e->covered, first_page(e, a), past_page(e, a));
	kvs_pageset_remove(&e->starts, first_page(e, a), first_page(e, a) + 1);
}

static void area_delete(struct kvs_estimate *e, struct kvs_est_area *a)
{
	size_t mask = e->cap_areas - 1, i = (size_t)(a - e->areas), j = i;

	e->area_bytes -= a->end - a->start;
	area_unindex(e, a);
	e->nr_areas--;
	/* Backward-shift deletion: pull up each later entry the hole is on the way to. */
	for (;;) {
		size_t home;

		j = (j + 1) & mask;
		if (!e->areas[j].start)
			break;
		home = slot_of(e, e->areas[j].start);
		if (((j - home) & mask) >= ((j - i) & mask)) {
			e->areas[i] = e->areas[j];
			i = j;
		}
	}
	e->areas[i] = (struct kvs_est_area){ 0 };
}

/* One kasan_release_vmalloc() of [start, end) that unmaps shadow pages [lo, hi). */
static long release_pages(struct kvs_estimate *e, uint64_t start, uint64_t end, uint64_t lo,
			  uint64_t hi)
{
	long n = kvs_pageset_remove(&e->mapped, lo, hi);	/* none when hi <= lo */

	if (n < 0)
		return n;
	e->c.release_calls++;
	e->c.vmap_area_purged_bytes += end - start;
	e->c.pages_released += n;
	e->c.shadow_pages -= n;
	return n;
}

/* kasan_release_vmalloc(start, end, start, end, PAGE_RANGE): only wholly covered pages. */
static long release_area(struct kvs_estimate *e, uint64_t start, uint64_t end)
{
	return release_pages(e, start, end, (start + e->span - 1) / e->span, end / e->span);
}

/*
 * With an approximate seed: [start, end)'s edge shadow pages not mapped yet
 * (partly its own: a seed area may share them, mapped already).
 */
static uint64_t new_edges(struct kvs_estimate *e, uint64_t start, uint64_t end)
{
	uint64_t first = start / e->span, last = (end - 1) / e->span, n = 0;

	if (start % e->span && kvs_pageset_next(&e->mapped, first, first + 1) != first)
		n++;
	if (end % e->span && (last != first || !(start % e->span)) &&
	    kvs_pageset_next(&e->mapped, last, last + 1) != last)
		n++;
	return n;
}

static long populate(struct kvs_estimate *e, uint64_t start, uint64_t end)
{
	uint64_t lo = start / e->span;
	uint64_t hi = (end + e->span - 1) / e->span;
	uint64_t edges = e->approx ? new_edges(e, start, end) : 0;
	long n = kvs_pageset_add(&e->mapped, lo, hi);

	if (n < 0)
		return n;
	e->seed_shared += edges;
	e->c.shadow_pages += n;
	if (e->c.shadow_pages > e->c.shadow_pages_peak)
		e->c.shadow_pages_peak = e->c.shadow_pages;
	e->c.pages_allocated += hi - lo;
	return n;
}

/*
 * Make room for [start, end): areas still there overlap it only when our
 * events arrived out of order. A lazily freed one must have been purged
 * already (the kernel reuses no address before its purge), its purge
 * event just not seen yet: release it now and discount it from that event.
 */
static long clear_overlaps(struct kvs_estimate *e, uint64_t start, uint64_t end)
{
	uint64_t lo = start >> e->page_shift, hi = end >> e->page_shift;

	for (uint64_t p = kvs_pageset_next(&e->covered, lo, hi); p < hi;
	     p = kvs_pageset_next(&e->covered, p, hi)) {
		/* A covered page's area starts at the last start at or before it. */
		uint64_t first = kvs_pageset_prev(&e->starts, p);
		struct kvs_est_area *found, a;

		found = first == UINT64_MAX ? NULL : area_at(e, first << e->page_shift);
		if (!found || past_page(e, found) <= p)
			return -EIO;	/* the index disagrees with itself: a bug */
		a = *found;
		area_delete(e, found);
		if (a.free_seq) {
			long n = release_area(e, a.start, a.end);

			if (n < 0)
				return n;
			e->pending_purged++;
		} else if (a.start != start || a.end != end) {
			e->reordered++;
		}
	}
	return 0;
}

static int lazy_push(struct kvs_estimate *e, uint64_t start)
{
	if (e->lazy_head + e->nr_lazy == e->cap_lazy) {
		size_t nc = e->cap_lazy ? e->cap_lazy * 2 : 256;
		uint64_t *n;

		/* Compact first: the head moves on at every purge. */
		if (e->lazy_head)
			memmove(e->lazy, e->lazy + e->lazy_head, e->nr_lazy * sizeof(*e->lazy));
		e->lazy_head = 0;
		if (e->nr_lazy < e->cap_lazy / 2)
			goto store;
		n = realloc(e->lazy, nc * sizeof(*n));
		if (!n)
			return -ENOMEM;
		e->lazy = n;
		e->cap_lazy = nc;
	}
store:
	e->lazy[e->lazy_head + e->nr_lazy++] = start;
	return 0;
}

static long insert_area(struct kvs_estimate *e, uint64_t start, uint64_t end, bool lazy)
{
	struct kvs_est_area a = { start, end, lazy ? e->next_seq + 1 : 0 };
	uint64_t mask = ((uint64_t)1 << e->page_shift) - 1;
	long ret;

	if (end <= start || !start || (start & mask) || (end & mask))
		return -EINVAL;
	/* One bitmap count in the common case: nothing there. */
	ret = kvs_pageset_count(&e->covered, first_page(e, &a), past_page(e, &a));
	if (ret > 0)
		ret = clear_overlaps(e, start, end);
	if (ret < 0 || (ret = areas_reserve(e)) < 0)
		return ret;
	/* Everything that can fail first, undone on failure. */
	ret = area_index(e, &a);
	if (ret < 0)
		return ret;
	if (lazy && lazy_push(e, start)) {
		area_unindex(e, &a);
		return -ENOMEM;
	}
	if (lazy)
		e->next_seq++;
	slot_put(e, &a);
	e->nr_areas++;
	e->area_bytes += end - start;
	return populate(e, start, end);
}

void kvs_estimate_seed_approx(struct kvs_estimate *e, struct kvs_approx_seed *s)
{
	e->approx = s;
	e->c.shadow_pages += s->shown;
	if (e->c.shadow_pages > e->c.shadow_pages_peak)
		e->c.shadow_pages_peak = e->c.shadow_pages;
	e->area_bytes += s->area_pages << e->page_shift;
}

void kvs_estimate_seeded_twice(struct kvs_estimate *e, uint64_t pages)
{
	if (e->approx)
		e->seed_shared += pages;
}

bool kvs_estimate_bound(const struct kvs_estimate *e, uint64_t *low, uint64_t *high)
{
	const struct kvs_approx_seed *s = e->approx;
	uint64_t known, shared, sum;

	if (!s)
		return false;
	/* The known areas' pages: the shown count less the seed's. */
	known = e->c.shadow_pages - s->shown;
	/* No more than the pages the known areas newly mapped can be the seed's too. */
	shared = e->seed_shared < e->c.pages_populated ? e->seed_shared : e->c.pages_populated;
	sum = s->low + known;
	/*
	 * Not also "at least the seed's low": a seed page a purged seed area
	 * left mapped may since have been released by a known area's purge,
	 * which the seed's count does not see (the allowance covers it).
	 */
	*low = sum > shared ? sum - shared : 0;
	if (*low < known)
		*low = known;
	*high = s->high + known;
	return true;
}

int kvs_estimate_seed(struct kvs_estimate *e, uint64_t start, uint64_t end, int lazy)
{
	long n = insert_area(e, start, end, lazy);

	return n < 0 ? (int)n : 0;
}

void kvs_estimate_reset_counters(struct kvs_estimate *e)
{
	e->c.shadow_pages_peak = e->c.shadow_pages;
	e->c.pages_populated = e->c.pages_allocated = e->c.pages_released = 0;
	e->c.populate_calls = e->c.release_calls = 0;
	e->c.vmap_area_purged_bytes = 0;
	e->unknown_frees = e->reordered = 0;
}

long kvs_estimate_alloc(struct kvs_estimate *e, uint64_t addr, uint64_t size)
{
	long n;

	if (addr + size < addr)
		return -EINVAL;
	n = insert_area(e, addr, addr + size, false);
	if (n < 0)
		return n;
	e->c.populate_calls++;
	e->c.pages_populated += n;
	return n;
}

int kvs_estimate_free_area(struct kvs_estimate *e, uint64_t va_start)
{
	struct kvs_est_area *a = area_at(e, va_start);

	/* A seed area the approximate seed has no address for: it waits for a purge. */
	if (!a && e->approx && e->approx->freed < e->approx->pool[KVS_SEED_LIVE].nr) {
		e->approx->freed++;
		return 0;
	}
	if (!a) {
		e->unknown_frees++;
		return -ENOENT;
	}
	if (a->free_seq)
		return 0;
	a->free_seq = ++e->next_seq;
	return lazy_push(e, va_start);
}

/* The rest of a purge's areas were seed areas the approximate seed has no address for. */
static long purge_seed(struct kvs_estimate *e, uint64_t want)
{
	uint64_t released, pages;
	size_t n = kvs_approx_seed_purge(e->approx, want, &released, &pages);

	e->c.release_calls += n;
	e->c.pages_released += released;
	e->c.shadow_pages -= released;
	pages <<= e->page_shift;
	e->area_bytes -= pages < e->area_bytes ? pages : e->area_bytes;
	/* Each may leave two edge pages mapped that a known area maps again. */
	e->seed_shared += 2 * (uint64_t)n;
	return (long)released;
}

/* No area left has a vmalloc page in shadow page sp. */
static bool shadow_page_free(const struct kvs_estimate *e, uint64_t sp)
{
	uint64_t per = e->span >> e->page_shift, hi = (sp + 1) * per;

	return kvs_pageset_next(&e->covered, sp * per, hi) == hi;
}

/*
 * kasan_release_vmalloc(start, end, free_start, free_end) after the range
 * merged into the free space around it (6.1): an edge shadow page goes
 * too when the free block covers it whole, that is, when no area is left
 * in it. Called with the purged areas gone from the model.
 */
static long release_merged(struct kvs_estimate *e, uint64_t start, uint64_t end)
{
	uint64_t lo = (start + e->span - 1) / e->span, hi = end / e->span;

	if (start % e->span && shadow_page_free(e, start / e->span))
		lo--;
	if (end % e->span && shadow_page_free(e, end / e->span))
		hi++;
	return release_pages(e, start, end, lo, hi);
}

struct range {
	uint64_t start, end;
};

static int range_cmp(const void *a, const void *b)
{
	const struct range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/*
 * A purge of every lazy area by 6.1, which merges neighbouring lazy areas
 * as it queues them (free_vmap_area_noflush() puts them in the purge tree
 * with merge_or_add_vmap_area()) and merges each into the free tree before
 * it releases its shadow: kasan_release_vmalloc() runs once per merged
 * range, with the free block around it as the bounds (release_merged()).
 * 6.9 and later release each area within its own bounds (release_area()).
 */
static long purge_all_merged(struct kvs_estimate *e)
{
	size_t n = e->nr_lazy, nr = 0;
	uint64_t *q = e->lazy + e->lazy_head;
	struct range *r;
	long total = 0;

	r = n ? calloc(n, sizeof(*r)) : NULL;
	if (n && !r)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct kvs_est_area *a = area_at(e, q[i]);

		if (!a || !a->free_seq)
			continue;	/* gone already (reused or reallocated) */
		r[nr++] = (struct range){ a->start, a->end };
		area_delete(e, a);
	}
	e->nr_lazy = 0;
	if (nr)
		qsort(r, nr, sizeof(*r), range_cmp);
	for (size_t i = 0; i < nr;) {
		uint64_t start = r[i].start, end = r[i].end;
		long got;

		for (i++; i < nr && r[i].start == end; i++)
			end = r[i].end;
		got = release_merged(e, start, end);
		if (got < 0) {
			free(r);
			return got;
		}
		total += got;
	}
	free(r);
	e->pending_purged = 0;
	if (e->approx)
		total += purge_seed(e, UINT64_MAX);
	return total;
}

long kvs_estimate_purge(struct kvs_estimate *e, uint64_t start, uint64_t end, unsigned int npurged)
{
	uint64_t want = npurged, early;
	size_t kept = 0, n = e->nr_lazy;
	uint64_t *q = e->lazy + e->lazy_head;
	long total = 0;

	if (npurged == KVS_EST_PURGE_ALL)
		return purge_all_merged(e);
	/* Areas already released because their address was reused. */
	early = e->pending_purged < want ? e->pending_purged : want;
	e->pending_purged -= early;
	want -= early;
	if (npurged)
		e->c.release_calls++;	/* the TLB_FLUSH-only call over the whole range */

	/*
	 * The kernel purged every area that was lazy when it took the lists;
	 * areas freed after that but before the event are newer: purge the
	 * oldest npurged within [start, end), keep the rest queued in order.
	 */
	for (size_t i = 0; i < n; i++) {
		struct kvs_est_area *a = area_at(e, q[i]);

		if (!a || !a->free_seq)
			continue;	/* gone already (reused or reallocated) */
		if (want && start < end && a->start >= start && a->end <= end) {
			uint64_t s = a->start, t = a->end;
			long r;

			area_delete(e, a);
			r = release_area(e, s, t);
			if (r < 0)
				return r;
			total += r;
			want--;
			continue;
		}
		q[kept++] = q[i];
	}
	e->nr_lazy = kept;
	if (want && e->approx)
		total += purge_seed(e, want);
	return total;
}

bool kvs_estimate_lazy(struct kvs_estimate *e, struct kvs_est_lazy *out)
{
	memset(out, 0, sizeof(*out));
	if (e->merged_purges || (e->approx && kvs_approx_seed_waiting(e->approx)))
		return false;
	for (size_t i = 0; i < e->cap_areas; i++) {
		const struct kvs_est_area *a = &e->areas[i];

		if (!a->start || !a->free_seq)
			continue;
		out->areas++;
		out->bytes += a->end - a->start;
		out->shadow_pages += (uint64_t)kvs_pageset_count(&e->mapped,
			(a->start + e->span - 1) / e->span, a->end / e->span);
	}
	return true;
}
