// SPDX-License-Identifier: GPL-2.0
/* The estimate-mode shadow model; the rules are in estimate.h. */
#include <errno.h>
#include <search.h>
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
	return 0;
}

void kvs_estimate_free(struct kvs_estimate *e)
{
	tdestroy(e->areas, free);
	kvs_pageset_free(&e->mapped);
	free(e->lazy);
	memset(e, 0, sizeof(*e));
}

/*
 * Tree order. Stored areas never compare equal to each other; a search
 * key compares equal to any stored area it overlaps.
 */
static int cmp_area(const void *a, const void *b)
{
	const struct kvs_est_area *x = a, *y = b;

	return x->end <= y->start ? -1 : x->start >= y->end ? 1 : 0;
}

/* ---- areas ---- */

static struct kvs_est_area *area_at(struct kvs_estimate *e, uint64_t start)
{
	struct kvs_est_area key = { start, start + 1, 0 };
	struct kvs_est_area **found = tfind(&key, &e->areas, cmp_area);

	return found && (*found)->start == start ? *found : NULL;
}

static void area_delete(struct kvs_estimate *e, struct kvs_est_area *a)
{
	e->area_bytes -= a->end - a->start;
	tdelete(a, &e->areas, cmp_area);
	free(a);
	e->nr_areas--;
}

/* kasan_release_vmalloc(start, end, start, end, PAGE_RANGE): only wholly covered pages. */
static long release_area(struct kvs_estimate *e, uint64_t start, uint64_t end)
{
	uint64_t lo = (start + e->span - 1) / e->span;
	uint64_t hi = end / e->span;
	long n = kvs_pageset_remove(&e->mapped, lo, hi);

	if (n < 0)
		return n;
	e->release_calls++;
	e->purged_bytes += end - start;
	e->pages_released += n;
	e->shadow_pages -= n;
	return n;
}

static long populate(struct kvs_estimate *e, uint64_t start, uint64_t end)
{
	uint64_t lo = start / e->span;
	uint64_t hi = (end + e->span - 1) / e->span;
	long n = kvs_pageset_add(&e->mapped, lo, hi);

	if (n < 0)
		return n;
	e->shadow_pages += n;
	if (e->shadow_pages > e->shadow_pages_peak)
		e->shadow_pages_peak = e->shadow_pages;
	e->pages_allocated += hi - lo;
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
	struct kvs_est_area key = { start, end, 0 };
	struct kvs_est_area **found;

	while ((found = tfind(&key, &e->areas, cmp_area))) {
		struct kvs_est_area a = **found;

		area_delete(e, *found);
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
	struct kvs_est_area *a;
	long ret;

	if (end <= start)
		return -EINVAL;
	a = malloc(sizeof(*a));
	if (!a)
		return -ENOMEM;
	*a = (struct kvs_est_area){ start, end, lazy ? ++e->next_seq : 0 };
	/*
	 * One search in the common case: tsearch returns an area the new one
	 * overlaps (overlap compares equal) instead of inserting; only then
	 * clear the overlaps and insert again.
	 */
	for (int tries = 0;; tries++) {
		struct kvs_est_area **slot = tsearch(a, &e->areas, cmp_area);

		if (!slot) {
			free(a);
			return -ENOMEM;
		}
		if (*slot == a)
			break;
		ret = tries ? -EEXIST : clear_overlaps(e, start, end);
		if (ret < 0) {
			free(a);
			return ret;
		}
	}
	e->nr_areas++;
	e->area_bytes += end - start;
	if (lazy && lazy_push(e, start))
		return -ENOMEM;
	return populate(e, start, end);
}

int kvs_estimate_seed(struct kvs_estimate *e, uint64_t start, uint64_t end, int lazy)
{
	long n = insert_area(e, start, end, lazy);

	return n < 0 ? (int)n : 0;
}

void kvs_estimate_reset_counters(struct kvs_estimate *e)
{
	e->shadow_pages_peak = e->shadow_pages;
	e->pages_populated = e->pages_allocated = e->pages_released = 0;
	e->populate_calls = e->release_calls = 0;
	e->purged_bytes = 0;
	e->unknown_frees = e->reordered = 0;
}

long kvs_estimate_alloc(struct kvs_estimate *e, uint64_t addr, uint64_t size)
{
	long n;

	if (!size || addr + size < addr)
		return -EINVAL;
	n = insert_area(e, addr, addr + size, false);
	if (n < 0)
		return n;
	e->populate_calls++;
	e->pages_populated += n;
	return n;
}

int kvs_estimate_free_area(struct kvs_estimate *e, uint64_t va_start)
{
	struct kvs_est_area *a = area_at(e, va_start);

	if (!a) {
		e->unknown_frees++;
		return -ENOENT;
	}
	if (a->free_seq)
		return 0;
	a->free_seq = ++e->next_seq;
	return lazy_push(e, va_start);
}

long kvs_estimate_purge(struct kvs_estimate *e, uint64_t start, uint64_t end, unsigned int npurged)
{
	uint64_t want = npurged, early;
	size_t kept = 0, n = e->nr_lazy;
	uint64_t *q = e->lazy + e->lazy_head;
	long total = 0;

	/* Areas already released because their address was reused. */
	early = e->pending_purged < want ? e->pending_purged : want;
	e->pending_purged -= early;
	want -= early;
	if (npurged)
		e->release_calls++;	/* the TLB_FLUSH-only call over the whole range */

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
	return total;
}
