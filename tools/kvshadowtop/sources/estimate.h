/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Estimate mode: the shadow pages KASAN_VMALLOC would map for the vmap area
 * events of a kernel without it, following mm/kasan/shadow.c and
 * mm/vmalloc.c of 6.12:
 *
 *  - populate (alloc_vmap_area -> kasan_populate_vmalloc) maps every shadow
 *    page the area touches: pages [floor(start/32K), ceil(end/32K));
 *  - free_vmap_area_noflush only queues the area: its shadow stays;
 *  - purge calls kasan_release_vmalloc(va_start, va_end, va_start, va_end)
 *    per purged area, which unmaps only the shadow pages that area wholly
 *    covers: [ceil(start/32K), floor(end/32K)). Edge pages shared with a
 *    neighbour, live or not, stay mapped until one purged area covers them.
 *    6.1 (no vmalloc events: a purge of every lazy area) merges lazy
 *    neighbours and releases each merged range within the free block
 *    around it: its edge pages go too where no area is left in them.
 *
 * So the state is the set of mapped shadow pages (a sparse bitmap) plus the
 * live and lazily freed areas. Pure: no I/O, unit-tested by hand-computed
 * cases.
 *
 * The kernel's areas are page-aligned: the estimate takes no other. They
 * are found by start in an open-addressing hash, and by page in two more
 * bitmaps (pages some area covers, pages where one starts): an event costs
 * a few word operations and no allocation, as it must at the rate vmalloc
 * runs; a tree of areas allocates and rebalances per event.
 */
#ifndef KVS_ESTIMATE_H
#define KVS_ESTIMATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "approx_seed.h"
#include "counters.h"
#include "pageset.h"

/* Generic KASAN: one shadow byte per 8 bytes (KASAN_SHADOW_SCALE_SHIFT). */
#define KVS_SHADOW_SCALE_SHIFT 3

struct kvs_est_area {
	uint64_t start, end;
	uint64_t free_seq;	/* 0: live; else order of its lazy free */
};

struct kvs_estimate {
	uint64_t span;			/* vmalloc bytes one shadow page covers: PAGE_SIZE << 3 */
	unsigned int page_shift;
	struct kvs_est_area *areas;	/* hash by start (0: empty slot), disjoint */
	size_t nr_areas, cap_areas;	/* cap: a power of two, at most half full */
	struct kvs_pageset covered;	/* vmalloc pages some area covers */
	struct kvs_pageset starts;	/* vmalloc pages where an area starts */
	struct kvs_pageset mapped;	/* shadow page indices */
	uint64_t *lazy;			/* starts of lazily freed areas, oldest first */
	size_t lazy_head, nr_lazy, cap_lazy;
	uint64_t next_seq;
	uint64_t pending_purged;	/* areas purged early (seen reused) not yet in a purge event */

	/*
	 * What the kernel's counters would say (interfaces.md §2), by the
	 * counter table's names: shadow_pages, shadow_pages_peak (since
	 * kvs_estimate_reset_peak()), pages_populated, pages_allocated,
	 * pages_released, populate_calls, release_calls, and
	 * vmap_area_purged_bytes (of the areas purged since reset). The rest
	 * stay 0: BPF counts them.
	 */
	struct kvs_counters c;
	uint64_t area_bytes;		/* live and lazily freed areas, what vmallocinfo lists */
	/* Anomalies: each one makes the estimate less certain. */
	uint64_t unknown_frees;		/* free of an area never seen */
	uint64_t reordered;		/* alloc over a live area: events out of order */

	/*
	 * Seeded from sizes alone (approx_seed.h; NULL: from addresses).
	 * The areas seen allocated since are modelled exactly in mapped; the
	 * seed's pages are a number in c.shadow_pages. Where the two may
	 * overlap, the sum counts a page twice: seed_shared bounds that, the
	 * edge pages the known areas newly mapped (a seed area may have mapped
	 * them first) and two per purged seed area (its edge pages may stay
	 * mapped, unseen, and a known area map them again); and no more than
	 * the pages the known areas newly mapped (pages_populated).
	 */
	struct kvs_approx_seed *approx;
	uint64_t seed_shared;
	/*
	 * 6.1 (no vmalloc events): a purge merges lazy neighbours and releases
	 * within the free block around them (KVS_EST_PURGE_ALL), so what it
	 * will release depends on the whole list and the free space then.
	 */
	bool merged_purges;
};

/*
 * Start empty for pages of page_size bytes (a power of two): 0, or -EINVAL
 * for a page size the estimate cannot follow.
 */
int kvs_estimate_init(struct kvs_estimate *e, long page_size);
void kvs_estimate_free(struct kvs_estimate *e);
/* Seed one area from /proc/vmallocinfo (lazy: an "unpurged vm_area"); not counted as populated. */
int kvs_estimate_seed(struct kvs_estimate *e, uint64_t start, uint64_t end, int lazy);
/*
 * Seed from sizes alone: s (finished, malloc'd) becomes the estimate's, its
 * middle value the seed's shadow pages. Before any event.
 */
void kvs_estimate_seed_approx(struct kvs_estimate *e, struct kvs_approx_seed *s);
/*
 * With an approximate seed: the last alloc's new pages may be the seed's
 * too (an area allocated after the programs were attached and before the
 * seed was read is in both).
 */
void kvs_estimate_seeded_twice(struct kvs_estimate *e, uint64_t pages);
/*
 * The range the true count lies in when the seed is approximate: false
 * (nothing set) when it is exact.
 */
bool kvs_estimate_bound(const struct kvs_estimate *e, uint64_t *low, uint64_t *high);
/* Start counting: zero the cumulative counters, peak = current. */
void kvs_estimate_reset_counters(struct kvs_estimate *e);
/*
 * An area [addr, addr+size) was allocated; returns shadow pages newly mapped,
 * -EINVAL for an empty, wrapping or not page-aligned one, or -ENOMEM.
 */
long kvs_estimate_alloc(struct kvs_estimate *e, uint64_t addr, uint64_t size);
/* free_vmap_area_noflush(va_start); 0 or -ENOENT for an unknown area. */
int kvs_estimate_free_area(struct kvs_estimate *e, uint64_t va_start);
/* What waits for a purge in the model. */
struct kvs_est_lazy {
	uint64_t areas;			/* lazily freed areas */
	uint64_t bytes;			/* their vmalloc space */
	uint64_t shadow_pages;		/* what purging them all now would release */
};
/*
 * The lazily freed areas and the shadow pages behind them: a purge of
 * each releases the mapped shadow pages it wholly covers (the rule of
 * kvs_estimate_purge), and they are disjoint. False while an approximate
 * seed holds lazily freed areas of unknown place, and where purges merge
 * (merged_purges): then nobody knows.
 */
bool kvs_estimate_lazy(struct kvs_estimate *e, struct kvs_est_lazy *out);
/*
 * purge_vmap_area_lazy(start, end, npurged); returns shadow pages released.
 * npurged KVS_EST_PURGE_ALL: a kernel that does not say the count (6.1)
 * purged every lazy area.
 */
#define KVS_EST_PURGE_ALL 0xffffffffu
long kvs_estimate_purge(struct kvs_estimate *e, uint64_t start, uint64_t end, unsigned int npurged);

#endif /* KVS_ESTIMATE_H */
