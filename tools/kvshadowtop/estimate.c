// SPDX-License-Identifier: GPL-2.0
/* The estimate-mode shadow model; the rules are in estimate.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "estimate.h"

void kvs_estimate_init(struct kvs_estimate *e)
{
	memset(e, 0, sizeof(*e));
}

void kvs_estimate_free(struct kvs_estimate *e)
{
	free(e->areas);
	free(e->mapped);
	memset(e, 0, sizeof(*e));
}

static int grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	size_t nc;
	void *p;

	if (need <= *cap)
		return 0;
	nc = *cap ? *cap * 2 : 64;
	while (nc < need)
		nc *= 2;
	p = realloc(*arr, nc * elem);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = nc;
	return 0;
}

/* ---- the set of mapped shadow pages ---- */

/* First range whose hi >= lo (touching or after lo). */
static size_t range_find(const struct kvs_estimate *e, uint64_t lo)
{
	size_t a = 0, b = e->nr_mapped;

	while (a < b) {
		size_t m = a + (b - a) / 2;

		if (e->mapped[m].hi < lo)
			a = m + 1;
		else
			b = m;
	}
	return a;
}

/* Map [lo, hi); returns how many pages were not mapped before. */
static long range_add(struct kvs_estimate *e, uint64_t lo, uint64_t hi)
{
	uint64_t covered = 0, nlo = lo, nhi = hi;
	size_t i, j;

	if (hi <= lo)
		return 0;
	i = j = range_find(e, lo);
	for (; j < e->nr_mapped && e->mapped[j].lo <= hi; j++) {
		uint64_t olo = e->mapped[j].lo > lo ? e->mapped[j].lo : lo;
		uint64_t ohi = e->mapped[j].hi < hi ? e->mapped[j].hi : hi;

		if (ohi > olo)
			covered += ohi - olo;
		if (e->mapped[j].lo < nlo)
			nlo = e->mapped[j].lo;
		if (e->mapped[j].hi > nhi)
			nhi = e->mapped[j].hi;
	}
	if (j == i) {
		if (grow((void **)&e->mapped, &e->cap_mapped, e->nr_mapped + 1, sizeof(*e->mapped)))
			return -ENOMEM;
		memmove(&e->mapped[i + 1], &e->mapped[i], (e->nr_mapped - i) * sizeof(*e->mapped));
		e->nr_mapped++;
	} else if (j > i + 1) {
		memmove(&e->mapped[i + 1], &e->mapped[j], (e->nr_mapped - j) * sizeof(*e->mapped));
		e->nr_mapped -= j - i - 1;
	}
	e->mapped[i].lo = nlo;
	e->mapped[i].hi = nhi;
	return (long)(hi - lo - covered);
}

/* Unmap [lo, hi); returns how many pages were mapped. */
static long range_remove(struct kvs_estimate *e, uint64_t lo, uint64_t hi)
{
	struct kvs_est_range parts[2];
	uint64_t removed = 0;
	size_t i, j, np = 0;

	if (hi <= lo)
		return 0;
	i = range_find(e, lo + 1);	/* first range with hi > lo */
	for (j = i; j < e->nr_mapped && e->mapped[j].lo < hi; j++) {
		uint64_t olo = e->mapped[j].lo > lo ? e->mapped[j].lo : lo;
		uint64_t ohi = e->mapped[j].hi < hi ? e->mapped[j].hi : hi;

		removed += ohi - olo;
	}
	if (j == i)
		return 0;
	/* What survives of the first and the last range touched. */
	if (e->mapped[i].lo < lo)
		parts[np++] = (struct kvs_est_range){ e->mapped[i].lo, lo };
	if (e->mapped[j - 1].hi > hi)
		parts[np++] = (struct kvs_est_range){ hi, e->mapped[j - 1].hi };
	if (np > j - i) {
		/* One range split in two: needs one more slot. */
		if (grow((void **)&e->mapped, &e->cap_mapped, e->nr_mapped + 1, sizeof(*e->mapped)))
			return -ENOMEM;
	}
	memmove(&e->mapped[i + np], &e->mapped[j], (e->nr_mapped - j) * sizeof(*e->mapped));
	e->nr_mapped = e->nr_mapped - (j - i) + np;
	memcpy(&e->mapped[i], parts, np * sizeof(parts[0]));
	return (long)removed;
}

/* ---- areas ---- */

/* First area with start >= addr. */
static size_t area_find(const struct kvs_estimate *e, uint64_t addr)
{
	size_t a = 0, b = e->nr_areas;

	while (a < b) {
		size_t m = a + (b - a) / 2;

		if (e->areas[m].start < addr)
			a = m + 1;
		else
			b = m;
	}
	return a;
}

static void area_remove(struct kvs_estimate *e, size_t i)
{
	memmove(&e->areas[i], &e->areas[i + 1], (e->nr_areas - i - 1) * sizeof(*e->areas));
	e->nr_areas--;
}

/* kasan_release_vmalloc(start, end, start, end, PAGE_RANGE): only wholly covered pages. */
static long release_area(struct kvs_estimate *e, const struct kvs_est_area *a)
{
	uint64_t lo = (a->start + KVS_SHADOW_SPAN - 1) / KVS_SHADOW_SPAN;
	uint64_t hi = a->end / KVS_SHADOW_SPAN;
	long n = range_remove(e, lo, hi);

	if (n < 0)
		return n;
	e->release_calls++;
	e->pages_released += n;
	e->shadow_pages -= n;
	return n;
}

static long populate(struct kvs_estimate *e, uint64_t start, uint64_t end)
{
	uint64_t lo = start / KVS_SHADOW_SPAN;
	uint64_t hi = (end + KVS_SHADOW_SPAN - 1) / KVS_SHADOW_SPAN;
	long n = range_add(e, lo, hi);

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
static long clear_overlaps(struct kvs_estimate *e, uint64_t start, uint64_t end, size_t *at)
{
	size_t i = area_find(e, start);

	if (i > 0 && e->areas[i - 1].end > start)
		i--;
	while (i < e->nr_areas && e->areas[i].start < end) {
		struct kvs_est_area a = e->areas[i];

		area_remove(e, i);
		if (a.free_seq) {
			long n = release_area(e, &a);

			if (n < 0)
				return n;
			e->pending_purged++;
		} else if (a.start != start || a.end != end) {
			e->reordered++;
		}
	}
	*at = i;
	return 0;
}

static long insert_area(struct kvs_estimate *e, uint64_t start, uint64_t end, uint64_t seq)
{
	size_t i;
	long ret;

	if (end <= start)
		return -EINVAL;
	ret = clear_overlaps(e, start, end, &i);
	if (ret < 0)
		return ret;
	if (grow((void **)&e->areas, &e->cap_areas, e->nr_areas + 1, sizeof(*e->areas)))
		return -ENOMEM;
	memmove(&e->areas[i + 1], &e->areas[i], (e->nr_areas - i) * sizeof(*e->areas));
	e->areas[i] = (struct kvs_est_area){ start, end, seq };
	e->nr_areas++;
	return populate(e, start, end);
}

int kvs_estimate_seed(struct kvs_estimate *e, uint64_t start, uint64_t end, int lazy)
{
	long n = insert_area(e, start, end, lazy ? ++e->next_seq : 0);

	return n < 0 ? (int)n : 0;
}

void kvs_estimate_reset_counters(struct kvs_estimate *e)
{
	e->shadow_pages_peak = e->shadow_pages;
	e->pages_populated = e->pages_allocated = e->pages_released = 0;
	e->populate_calls = e->release_calls = 0;
	e->unknown_frees = e->reordered = 0;
}

long kvs_estimate_alloc(struct kvs_estimate *e, uint64_t addr, uint64_t size)
{
	long n;

	if (!size || addr + size < addr)
		return -EINVAL;
	n = insert_area(e, addr, addr + size, 0);
	if (n < 0)
		return n;
	e->populate_calls++;
	e->pages_populated += n;
	return n;
}

int kvs_estimate_free_area(struct kvs_estimate *e, uint64_t va_start)
{
	size_t i = area_find(e, va_start);

	if (i == e->nr_areas || e->areas[i].start != va_start) {
		e->unknown_frees++;
		return -ENOENT;
	}
	if (!e->areas[i].free_seq)
		e->areas[i].free_seq = ++e->next_seq;
	return 0;
}

static int cmp_seq(const void *a, const void *b)
{
	const struct kvs_est_area *x = a, *y = b;

	return x->free_seq < y->free_seq ? -1 : x->free_seq > y->free_seq;
}

long kvs_estimate_purge(struct kvs_estimate *e, uint64_t start, uint64_t end, unsigned int npurged)
{
	struct kvs_est_area *lazy;
	uint64_t want = npurged, early;
	size_t nl = 0, i;
	long total = 0;

	/* Areas we already released because their address was reused. */
	early = e->pending_purged < want ? e->pending_purged : want;
	e->pending_purged -= early;
	want -= early;
	/* (their per-area release calls were counted when released) */
	if (npurged)
		e->release_calls++;	/* the TLB_FLUSH-only call over the whole range */
	if (!want || start >= end)
		return 0;

	lazy = malloc(e->nr_areas * sizeof(*lazy) + 1);
	if (!lazy)
		return -ENOMEM;
	for (i = area_find(e, start); i < e->nr_areas && e->areas[i].start < end; i++)
		if (e->areas[i].free_seq && e->areas[i].end <= end)
			lazy[nl++] = e->areas[i];
	/*
	 * The kernel purged every area that was lazy when it took the lists;
	 * areas freed after that but before the event are newer: purge the
	 * oldest npurged.
	 */
	qsort(lazy, nl, sizeof(*lazy), cmp_seq);
	if (nl > want)
		nl = want;
	for (i = 0; i < nl; i++) {
		size_t at = area_find(e, lazy[i].start);
		long n;

		area_remove(e, at);
		n = release_area(e, &lazy[i]);
		if (n < 0) {
			free(lazy);
			return n;
		}
		total += n;
	}
	free(lazy);
	return total;
}
