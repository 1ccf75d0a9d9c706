/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Estimate mode's seed from sizes alone. Where /proc/vmallocinfo hides the
 * area addresses (kernel.kptr_restrict 0 hashes them, 2 prints zeros) it
 * still gives every area's size and whether it is lazily freed. The shadow
 * pages the areas there at the start map cannot be counted without their
 * places, but they can be bounded. With P pages per shadow page (8):
 *
 *  - an area of N pages at page offset o (0..P-1) in its first shadow page
 *    touches ceil((o+N)/P) shadow pages: at least ceil(N/P) (o = 0), at
 *    most ceil((N+P-1)/P) (o = P-1);
 *  - the areas are disjoint, so T pages of areas touch at least ceil(T/P)
 *    shadow pages (one holds P pages), and at most the sum of each area's
 *    most (neighbours may share an edge page, they need not):
 *
 *      low  = max(ceil(T/P), max_i ceil(N_i/P))
 *      high = sum_i ceil((N_i+P-1)/P)
 *
 *    The value shown is the middle: off by at most half the width.
 *  - a purge releases the shadow pages an area wholly covers:
 *    floor((o+N)/P) - ceil(o/P), between max(0, floor((N+1)/P) - 1)
 *    (o = 1) and floor(N/P) (o = 0); on average over o, max(0, N-P+1)/P.
 *    Purge events do not name their areas: k purged seed areas release at
 *    most what the k with the most wholly covered pages could, and at least
 *    what the k with the fewest must. The areas lazily freed at the start
 *    are the oldest: purged first.
 *
 * Pure; tests/unit/test_approx_seed.c checks the arithmetic against every
 * placement of small cases.
 */
#ifndef KVS_APPROX_SEED_H
#define KVS_APPROX_SEED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Shadow pages an area of n pages touches, over its placements (p pages per shadow page). */
uint64_t kvs_approx_touched_min(uint64_t n, uint64_t p);
uint64_t kvs_approx_touched_max(uint64_t n, uint64_t p);
/* Shadow pages it wholly covers (what its purge releases), over its placements. */
uint64_t kvs_approx_covered_min(uint64_t n, uint64_t p);
uint64_t kvs_approx_covered_max(uint64_t n, uint64_t p);

enum { KVS_SEED_LAZY, KVS_SEED_LIVE, KVS_SEED_POOLS };

/* The seed areas of one kind: lazily freed at the start, or live then. */
struct kvs_seed_pool {
	uint64_t *pages;	/* each area's pages, while adding; freed by finish */
	size_t nr, cap;
	size_t purged;		/* of them, purged since */
	uint64_t *most;		/* most[i]: what i of them release at most (i = 0..nr) */
	uint64_t *least;	/* least[i]: at least */
	uint64_t expect_p;	/* all of them on average, times P */
	uint64_t total;		/* their pages */
};

struct kvs_approx_seed {
	uint64_t p;			/* pages per shadow page */
	size_t nr_areas;
	uint64_t area_pages;		/* T */
	uint64_t low, high, shown;	/* the seed areas' shadow pages now */
	size_t freed;			/* live seed areas freed since (their frees name no known area) */
	struct kvs_seed_pool pool[KVS_SEED_POOLS];
};

/* Empty, for pages_per_shadow (at least 1) pages per shadow page. */
void kvs_approx_seed_init(struct kvs_approx_seed *s, uint64_t pages_per_shadow);
/* One area of the file, of pages pages (at least 1), lazily freed or not. 0, -EINVAL or -ENOMEM. */
int kvs_approx_seed_add(struct kvs_approx_seed *s, uint64_t pages, bool lazy);
/* All added: the bounds and the middle. 0 or -ENOMEM. */
int kvs_approx_seed_finish(struct kvs_approx_seed *s);
/*
 * k seed areas were purged (lazily freed ones first, then freed live
 * ones): lower the bounds and the shown value by what they release.
 * Returns the areas accounted (at most the seed areas waiting to be
 * purged); *released what the shown value went down by, *pages the
 * purged areas' pages (pro rata of their kind until all of it is purged).
 */
size_t kvs_approx_seed_purge(struct kvs_approx_seed *s, size_t k, uint64_t *released,
			     uint64_t *pages);
/* Seed areas lazily freed and not purged yet. */
size_t kvs_approx_seed_waiting(const struct kvs_approx_seed *s);
void kvs_approx_seed_free(struct kvs_approx_seed *s);

#endif /* KVS_APPROX_SEED_H */
