// SPDX-License-Identifier: GPL-2.0
/*
 * The estimate model against hand-computed cases, and against a plain
 * reference (an array of areas, a byte per shadow page) over random events.
 * One shadow page covers 32 KiB (0x8000) of vmalloc space; B is 32 KiB
 * aligned, so page n covers [B + n*32K, B + (n+1)*32K).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "estimate.h"

#define B 0xffffc90000000000ULL
#define K 1024ULL

static int setup(void **state)
{
	struct kvs_estimate *e = test_malloc(sizeof(*e));

	assert_int_equal(kvs_estimate_init(e, 4096), 0);
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	kvs_estimate_free(*state);
	test_free(*state);
	return 0;
}

/* [B, B+40K): pages 0 and 1; the purge frees only page 0 (page 1 is partly outside). */
static void test_crossing_boundary(void **state)
{
	struct kvs_estimate *e = *state;

	assert_int_equal(kvs_estimate_alloc(e, B, 40 * K), 2);
	assert_int_equal(e->c.shadow_pages, 2);
	assert_int_equal(e->c.pages_allocated, 2);
	assert_int_equal(kvs_estimate_free_area(e, B), 0);
	assert_int_equal(e->c.shadow_pages, 2);		/* lazy: nothing yet */
	assert_int_equal(kvs_estimate_purge(e, B, B + 40 * K, 1), 1);
	assert_int_equal(e->c.shadow_pages, 1);
	assert_int_equal(e->c.pages_released, 1);
	assert_int_equal(e->c.release_calls, 2);		/* per area + the TLB flush call */
	assert_int_equal(e->c.shadow_pages_peak, 2);
}

/*
 * 6.1 merges neighbouring lazy areas and purges them all, one release per
 * merged range, bounded by the free block around it: [B, B+16K) and
 * [B+16K, B+32K) together cover page 0; [B+40K, B+48K) and [B+72K, B+80K)
 * each lie inside one page, released where no area is left in it: page 2,
 * not page 1, where the live [B+56K, B+64K) is.
 */
static void test_purge_all_merged(void **state)
{
	struct kvs_estimate *e = *state;

	assert_int_equal(kvs_estimate_alloc(e, B, 16 * K), 1);
	assert_int_equal(kvs_estimate_alloc(e, B + 16 * K, 16 * K), 0);
	assert_int_equal(kvs_estimate_alloc(e, B + 40 * K, 8 * K), 1);
	assert_int_equal(kvs_estimate_alloc(e, B + 56 * K, 8 * K), 0);
	assert_int_equal(kvs_estimate_alloc(e, B + 72 * K, 8 * K), 1);
	assert_int_equal(e->c.shadow_pages, 3);
	/* Freed out of address order: the merge does not depend on it. */
	assert_int_equal(kvs_estimate_free_area(e, B + 16 * K), 0);
	assert_int_equal(kvs_estimate_free_area(e, B + 72 * K), 0);
	assert_int_equal(kvs_estimate_free_area(e, B + 40 * K), 0);
	assert_int_equal(kvs_estimate_free_area(e, B), 0);
	assert_int_equal(kvs_estimate_purge(e, 0, UINT64_MAX, KVS_EST_PURGE_ALL), 2);
	assert_int_equal(e->c.shadow_pages, 1);
	assert_int_equal(e->c.pages_released, 2);
	assert_int_equal(e->c.release_calls, 3);
	assert_int_equal(e->nr_areas, 1);		/* the live one */
	/* Purged areas are gone: a second purge releases nothing. */
	assert_int_equal(kvs_estimate_purge(e, 0, UINT64_MAX, KVS_EST_PURGE_ALL), 0);
	assert_int_equal(e->c.release_calls, 3);
	/* The live one freed and purged alone: its page is free now. */
	assert_int_equal(kvs_estimate_free_area(e, B + 56 * K), 0);
	assert_int_equal(kvs_estimate_purge(e, 0, UINT64_MAX, KVS_EST_PURGE_ALL), 1);
	assert_int_equal(e->c.shadow_pages, 0);
	/* What such a purge would release is not the per-area rule's: unknown. */
	struct kvs_est_lazy lazy;

	assert_true(kvs_estimate_lazy(e, &lazy));
	e->merged_purges = true;
	assert_false(kvs_estimate_lazy(e, &lazy));
}

/* [B+24K, B+72K) touches pages 0, 1, 2 but wholly covers only page 1. */
static void test_middle_page_only(void **state)
{
	struct kvs_estimate *e = *state;

	assert_int_equal(kvs_estimate_alloc(e, B + 24 * K, 48 * K), 3);
	kvs_estimate_free_area(e, B + 24 * K);
	assert_int_equal(kvs_estimate_purge(e, B + 24 * K, B + 72 * K, 1), 1);
	assert_int_equal(e->c.shadow_pages, 2);
}

/*
 * What waits for a purge: [B, B+40K) wholly covers page 0, [B+64K, B+136K)
 * pages 2 and 3; page 4 is shared with the live [B+136K, B+160K). A purge
 * of both releases exactly those three.
 */
static void test_lazy_waiting(void **state)
{
	struct kvs_estimate *e = *state;
	struct kvs_est_lazy l;

	assert_int_equal(kvs_estimate_alloc(e, B, 40 * K), 2);
	assert_int_equal(kvs_estimate_alloc(e, B + 64 * K, 72 * K), 3);
	assert_int_equal(kvs_estimate_alloc(e, B + 136 * K, 24 * K), 0);
	assert_true(kvs_estimate_lazy(e, &l));
	assert_true(l.areas == 0 && l.bytes == 0 && l.shadow_pages == 0);
	kvs_estimate_free_area(e, B);
	kvs_estimate_free_area(e, B + 64 * K);
	assert_true(kvs_estimate_lazy(e, &l));
	assert_int_equal(l.areas, 2);
	assert_int_equal(l.bytes, 112 * K);
	assert_int_equal(l.shadow_pages, 3);
	assert_int_equal(kvs_estimate_purge(e, B, B + 136 * K, 2), 3);
	assert_true(kvs_estimate_lazy(e, &l));
	assert_true(l.areas == 0 && l.bytes == 0 && l.shadow_pages == 0);
}

/* An approximate seed with lazily freed areas of unknown place: nobody knows what waits. */
static void test_lazy_waiting_unknown(void **state)
{
	struct kvs_estimate *e = *state;
	struct kvs_approx_seed *a = malloc(sizeof(*a));	/* the estimate frees it */
	struct kvs_est_lazy l;

	assert_non_null(a);
	kvs_approx_seed_init(a, 8);
	assert_int_equal(kvs_approx_seed_add(a, 4, true), 0);
	assert_int_equal(kvs_approx_seed_finish(a), 0);
	kvs_estimate_seed_approx(e, a);
	assert_false(kvs_estimate_lazy(e, &l));
	/* Its purge takes the seed's lazy area: then the model knows all that waits. */
	kvs_estimate_purge(e, B, B + 32 * K, 1);
	assert_true(kvs_estimate_lazy(e, &l));
	assert_int_equal(l.areas, 0);
}

/* Two small areas share page 0: the second maps nothing new, no purge frees it. */
static void test_shared_page(void **state)
{
	struct kvs_estimate *e = *state;

	assert_int_equal(kvs_estimate_alloc(e, B + 8 * K, 8 * K), 1);
	assert_int_equal(kvs_estimate_alloc(e, B + 16 * K, 8 * K), 0);
	assert_int_equal(e->c.populate_calls, 2);
	assert_int_equal(e->c.pages_populated, 1);
	assert_int_equal(e->c.pages_allocated, 2);	/* bulk allocation takes all, frees the rest */
	kvs_estimate_free_area(e, B + 8 * K);
	kvs_estimate_free_area(e, B + 16 * K);
	assert_int_equal(kvs_estimate_purge(e, B, B + 32 * K, 2), 0);
	assert_int_equal(e->c.shadow_pages, 1);		/* stays mapped: no single area covers it */
	assert_int_equal(e->nr_areas, 0);
}

/* A lazy area next to a live one: the purge frees the pages the lazy area alone covers. */
static void test_purge_with_live_neighbour(void **state)
{
	struct kvs_estimate *e = *state;

	assert_int_equal(kvs_estimate_alloc(e, B, 16 * K), 1);			/* page 0 */
	assert_int_equal(kvs_estimate_alloc(e, B + 16 * K, 80 * K), 2);	/* pages 1, 2 new */
	kvs_estimate_free_area(e, B + 16 * K);
	assert_int_equal(kvs_estimate_purge(e, B + 16 * K, B + 96 * K, 1), 2);
	assert_int_equal(e->c.shadow_pages, 1);
	/* The live area goes too: page 0 is not wholly inside [B, B+16K). */
	kvs_estimate_free_area(e, B);
	assert_int_equal(kvs_estimate_purge(e, B, B + 16 * K, 1), 0);
	assert_int_equal(e->c.shadow_pages, 1);
}

/* Only the oldest npurged lazy areas go; a newer one waits for the next purge. */
static void test_purge_count(void **state)
{
	struct kvs_estimate *e = *state;

	kvs_estimate_alloc(e, B, 64 * K);
	kvs_estimate_alloc(e, B + 64 * K, 64 * K);
	kvs_estimate_free_area(e, B + 64 * K);		/* older */
	kvs_estimate_free_area(e, B);
	assert_int_equal(e->c.shadow_pages, 4);
	assert_int_equal(kvs_estimate_purge(e, B, B + 128 * K, 1), 2);
	assert_int_equal(e->c.shadow_pages, 2);
	assert_int_equal(kvs_estimate_purge(e, B, B + 128 * K, 1), 2);
	assert_int_equal(e->c.shadow_pages, 0);
	assert_int_equal(kvs_estimate_purge(e, B, B + 128 * K, 0), 0);
}

/* An address reused before its purge event: the purge happened, just not seen yet. */
static void test_reuse_before_purge_event(void **state)
{
	struct kvs_estimate *e = *state;

	kvs_estimate_alloc(e, B, 64 * K);
	kvs_estimate_free_area(e, B);
	assert_int_equal(kvs_estimate_alloc(e, B, 32 * K), 1);	/* page 0 released, mapped again */
	assert_int_equal(e->c.shadow_pages, 1);
	assert_int_equal(e->c.pages_released, 2);
	assert_int_equal(kvs_estimate_purge(e, B, B + 64 * K, 1), 0);	/* already done */
	assert_int_equal(e->c.shadow_pages, 1);
	assert_int_equal(e->reordered, 0);
}

static void test_seed_and_unknown(void **state)
{
	struct kvs_estimate *e = *state;

	assert_int_equal(kvs_estimate_seed(e, B, B + 40 * K, 0), 0);
	assert_int_equal(kvs_estimate_seed(e, B + 64 * K, B + 128 * K, 1), 0);
	kvs_estimate_reset_counters(e);
	assert_int_equal(e->c.shadow_pages, 4);
	assert_int_equal(e->c.pages_populated, 0);
	assert_int_equal(e->c.shadow_pages_peak, 4);
	/* A seeded lazy area is purged like any other. */
	assert_int_equal(kvs_estimate_purge(e, B + 64 * K, B + 128 * K, 1), 2);
	assert_int_equal(kvs_estimate_free_area(e, B + 999 * K), -2);
	assert_int_equal(e->unknown_frees, 1);
	assert_int_equal(kvs_estimate_alloc(e, B, 0), -22);
}

/* Many areas: counts stay consistent (shadow = populated - released since empty). */
static void test_churn(void **state)
{
	struct kvs_estimate *e = *state;

	for (int round = 0; round < 50; round++) {
		for (uint64_t i = 0; i < 100; i++)
			assert_true(kvs_estimate_alloc(e, B + i * 20 * K, 20 * K) >= 0);
		for (uint64_t i = 0; i < 100; i++)
			kvs_estimate_free_area(e, B + i * 20 * K);
		kvs_estimate_purge(e, B, B + 2000 * K, 100);
		assert_int_equal(e->c.shadow_pages, e->c.pages_populated - e->c.pages_released);
	}
	assert_int_equal(e->nr_areas, 0);
	/* No 20K area wholly covers a 32K page: all 63 pages stay mapped. */
	assert_int_equal(e->c.shadow_pages, 63);
	assert_int_equal(e->c.pages_released, 0);
}

/* The kernel's areas are page-aligned; anything else is not an area. */
static void test_unaligned(void **state)
{
	struct kvs_estimate *e = *state;

	assert_int_equal(kvs_estimate_alloc(e, B + 1, 4 * K), -22);
	assert_int_equal(kvs_estimate_alloc(e, B, 5000), -22);
	assert_int_equal(kvs_estimate_alloc(e, 0, 4 * K), -22);
	assert_int_equal(kvs_estimate_seed(e, B, B + 100, 0), -22);
	assert_int_equal(e->nr_areas, 0);
	assert_int_equal(e->c.shadow_pages, 0);
}

/* An alloc over a live area it does not match: events out of order, the old one goes. */
static void test_reordered(void **state)
{
	struct kvs_estimate *e = *state;

	kvs_estimate_alloc(e, B, 64 * K);
	kvs_estimate_alloc(e, B + 64 * K, 8 * K);
	assert_int_equal(kvs_estimate_alloc(e, B + 60 * K, 8 * K), 0);
	assert_int_equal(e->reordered, 2);
	assert_int_equal(e->nr_areas, 1);
	assert_int_equal(kvs_estimate_free_area(e, B), -2);
	assert_int_equal(kvs_estimate_free_area(e, B + 64 * K), -2);
	assert_int_equal(kvs_estimate_free_area(e, B + 60 * K), 0);
}

/* The reference: what estimate.h says, with a linear search. */
#define REF_PAGES 256	/* shadow pages: 8 MiB of vmalloc space */
#define REF_MAX 4096
struct ref {
	struct { uint64_t start, end, free_seq; } a[REF_MAX];
	int n;
	unsigned char page[REF_PAGES];
	uint64_t lazy[1 << 16];
	size_t nr_lazy;
	uint64_t seq, pending, shadow, released, reordered, unknown, bytes;
};

static long ref_release(struct ref *r, uint64_t s, uint64_t t)
{
	long n = 0;

	for (uint64_t p = (s - B + 32 * K - 1) / (32 * K); p < (t - B) / (32 * K); p++) {
		n += r->page[p];
		r->page[p] = 0;
	}
	r->shadow -= (uint64_t)n;
	r->released += (uint64_t)n;
	return n;
}

static void ref_drop(struct ref *r, int i)
{
	r->bytes -= r->a[i].end - r->a[i].start;
	r->a[i] = r->a[--r->n];
}

static long ref_alloc(struct ref *r, uint64_t s, uint64_t t)
{
	long n = 0;

	for (int i = 0; i < r->n;) {
		if (r->a[i].end <= s || r->a[i].start >= t) {
			i++;
			continue;
		}
		if (r->a[i].free_seq) {
			uint64_t as = r->a[i].start, at = r->a[i].end;

			ref_drop(r, i);
			ref_release(r, as, at);
			r->pending++;
		} else {
			if (r->a[i].start != s || r->a[i].end != t)
				r->reordered++;
			ref_drop(r, i);
		}
	}
	r->a[r->n].start = s;
	r->a[r->n].end = t;
	r->a[r->n++].free_seq = 0;
	r->bytes += t - s;
	for (uint64_t p = (s - B) / (32 * K); p < (t - B + 32 * K - 1) / (32 * K); p++) {
		n += !r->page[p];
		r->page[p] = 1;
	}
	r->shadow += (uint64_t)n;
	return n;
}

static int ref_find(struct ref *r, uint64_t s)
{
	for (int i = 0; i < r->n; i++)
		if (r->a[i].start == s)
			return i;
	return -1;
}

static long ref_purge(struct ref *r, unsigned int npurged)
{
	uint64_t want = npurged, early = r->pending < want ? r->pending : want;
	size_t kept = 0;
	long total = 0;

	r->pending -= early;
	want -= early;
	for (size_t q = 0; q < r->nr_lazy; q++) {
		int i = ref_find(r, r->lazy[q]);

		if (i < 0 || !r->a[i].free_seq)
			continue;
		if (want) {
			uint64_t as = r->a[i].start, at = r->a[i].end;

			ref_drop(r, i);
			total += ref_release(r, as, at);
			want--;
			continue;
		}
		r->lazy[kept++] = r->lazy[q];
	}
	r->nr_lazy = kept;
	return total;
}

/*
 * Random allocs (often over what is there: reuse and reordering), frees
 * (of known and unknown starts) and purges, with enough areas live to make
 * the hash grow: the model and the reference agree after every event.
 */
static void test_random_against_reference(void **state)
{
	struct kvs_estimate *e = *state;
	struct ref *r = calloc(1, sizeof(*r));

	assert_non_null(r);
	srand(11);
	for (int i = 0; i < 40000; i++) {
		int op = rand() % 10;

		if (op < 5 && r->n < REF_MAX - 1) {
			uint64_t pages = 1 + (uint64_t)rand() % (i % 7 ? 4 : 40);
			uint64_t s = B + 4 * K * ((uint64_t)rand() % (REF_PAGES * 8 - pages));

			assert_int_equal(kvs_estimate_alloc(e, s, pages * 4 * K),
					 ref_alloc(r, s, s + pages * 4 * K));
		} else if (op < 9) {
			uint64_t s = r->n && rand() % 8 ? r->a[rand() % r->n].start :
				     B + 4 * K * ((uint64_t)rand() % (REF_PAGES * 8));
			int j = ref_find(r, s);

			assert_int_equal(kvs_estimate_free_area(e, s), j < 0 ? -2 : 0);
			if (j < 0) {
				r->unknown++;
			} else if (!r->a[j].free_seq) {
				r->a[j].free_seq = ++r->seq;
				assert_true(r->nr_lazy < sizeof(r->lazy) / sizeof(r->lazy[0]));
				r->lazy[r->nr_lazy++] = s;
			}
		} else {
			unsigned int np = (unsigned int)rand() % 64;

			assert_int_equal(kvs_estimate_purge(e, B, B + REF_PAGES * 32 * K, np),
					 ref_purge(r, np));
		}
		assert_int_equal(e->nr_areas, r->n);
		assert_int_equal(e->area_bytes, r->bytes);
		assert_int_equal(e->c.shadow_pages, r->shadow);
		assert_int_equal(e->c.pages_released, r->released);
		assert_int_equal(e->reordered, r->reordered);
		assert_int_equal(e->pending_purged, r->pending);
		assert_int_equal(e->unknown_frees, r->unknown);
	}
	free(r);
}

/* Thousands of areas live at once, far apart: the hash grows and keeps every one. */
static void test_many_live(void **state)
{
	struct kvs_estimate *e = *state;

	for (uint64_t i = 0; i < 5000; i++)
		assert_int_equal(kvs_estimate_alloc(e, B + i * 1024 * K, 32 * K), 1);
	assert_int_equal(e->nr_areas, 5000);
	for (uint64_t i = 0; i < 5000; i += 2)
		assert_int_equal(kvs_estimate_free_area(e, B + i * 1024 * K), 0);
	assert_int_equal(kvs_estimate_purge(e, B, B + 5000 * 1024 * K, 2500), 2500);
	assert_int_equal(e->nr_areas, 2500);
	for (uint64_t i = 0; i < 5000; i++)
		assert_int_equal(kvs_estimate_free_area(e, B + i * 1024 * K), i % 2 ? 0 : -2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_crossing_boundary, setup, teardown),
		cmocka_unit_test_setup_teardown(test_middle_page_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lazy_waiting, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lazy_waiting_unknown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shared_page, setup, teardown),
		cmocka_unit_test_setup_teardown(test_purge_with_live_neighbour, setup, teardown),
		cmocka_unit_test_setup_teardown(test_purge_count, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reuse_before_purge_event, setup, teardown),
		cmocka_unit_test_setup_teardown(test_seed_and_unknown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_churn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unaligned, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reordered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_against_reference, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_live, setup, teardown),
		cmocka_unit_test_setup_teardown(test_purge_all_merged, setup, teardown),
	};

	return cmocka_run_group_tests_name("estimate", tests, NULL, NULL);
}
