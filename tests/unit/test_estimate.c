// SPDX-License-Identifier: GPL-2.0
/*
 * The estimate model against hand-computed cases. One shadow page covers
 * 32 KiB (0x8000) of vmalloc space; B is 32 KiB aligned, so page n covers
 * [B + n*32K, B + (n+1)*32K).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
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
	assert_int_equal(e->shadow_pages, 2);
	assert_int_equal(e->pages_allocated, 2);
	assert_int_equal(kvs_estimate_free_area(e, B), 0);
	assert_int_equal(e->shadow_pages, 2);		/* lazy: nothing yet */
	assert_int_equal(kvs_estimate_purge(e, B, B + 40 * K, 1), 1);
	assert_int_equal(e->shadow_pages, 1);
	assert_int_equal(e->pages_released, 1);
	assert_int_equal(e->release_calls, 2);		/* per area + the TLB flush call */
	assert_int_equal(e->shadow_pages_peak, 2);
}

/* [B+24K, B+72K) touches pages 0, 1, 2 but wholly covers only page 1. */
static void test_middle_page_only(void **state)
{
	struct kvs_estimate *e = *state;

	assert_int_equal(kvs_estimate_alloc(e, B + 24 * K, 48 * K), 3);
	kvs_estimate_free_area(e, B + 24 * K);
	assert_int_equal(kvs_estimate_purge(e, B + 24 * K, B + 72 * K, 1), 1);
	assert_int_equal(e->shadow_pages, 2);
}

/* Two small areas share page 0: the second maps nothing new, no purge frees it. */
static void test_shared_page(void **state)
{
	struct kvs_estimate *e = *state;

	assert_int_equal(kvs_estimate_alloc(e, B + 8 * K, 8 * K), 1);
	assert_int_equal(kvs_estimate_alloc(e, B + 16 * K, 8 * K), 0);
	assert_int_equal(e->populate_calls, 2);
	assert_int_equal(e->pages_populated, 1);
	assert_int_equal(e->pages_allocated, 2);	/* bulk allocation takes all, frees the rest */
	kvs_estimate_free_area(e, B + 8 * K);
	kvs_estimate_free_area(e, B + 16 * K);
	assert_int_equal(kvs_estimate_purge(e, B, B + 32 * K, 2), 0);
	assert_int_equal(e->shadow_pages, 1);		/* stays mapped: no single area covers it */
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
	assert_int_equal(e->shadow_pages, 1);
	/* The live area goes too: page 0 is not wholly inside [B, B+16K). */
	kvs_estimate_free_area(e, B);
	assert_int_equal(kvs_estimate_purge(e, B, B + 16 * K, 1), 0);
	assert_int_equal(e->shadow_pages, 1);
}

/* Only the oldest npurged lazy areas go; a newer one waits for the next purge. */
static void test_purge_count(void **state)
{
	struct kvs_estimate *e = *state;

	kvs_estimate_alloc(e, B, 64 * K);
	kvs_estimate_alloc(e, B + 64 * K, 64 * K);
	kvs_estimate_free_area(e, B + 64 * K);		/* older */
	kvs_estimate_free_area(e, B);
	assert_int_equal(e->shadow_pages, 4);
	assert_int_equal(kvs_estimate_purge(e, B, B + 128 * K, 1), 2);
	assert_int_equal(e->shadow_pages, 2);
	assert_int_equal(kvs_estimate_purge(e, B, B + 128 * K, 1), 2);
	assert_int_equal(e->shadow_pages, 0);
	assert_int_equal(kvs_estimate_purge(e, B, B + 128 * K, 0), 0);
}

/* An address reused before its purge event: the purge happened, just not seen yet. */
static void test_reuse_before_purge_event(void **state)
{
	struct kvs_estimate *e = *state;

	kvs_estimate_alloc(e, B, 64 * K);
	kvs_estimate_free_area(e, B);
	assert_int_equal(kvs_estimate_alloc(e, B, 32 * K), 1);	/* page 0 released, mapped again */
	assert_int_equal(e->shadow_pages, 1);
	assert_int_equal(e->pages_released, 2);
	assert_int_equal(kvs_estimate_purge(e, B, B + 64 * K, 1), 0);	/* already done */
	assert_int_equal(e->shadow_pages, 1);
	assert_int_equal(e->reordered, 0);
}

static void test_seed_and_unknown(void **state)
{
	struct kvs_estimate *e = *state;

	assert_int_equal(kvs_estimate_seed(e, B, B + 40 * K, 0), 0);
	assert_int_equal(kvs_estimate_seed(e, B + 64 * K, B + 128 * K, 1), 0);
	kvs_estimate_reset_counters(e);
	assert_int_equal(e->shadow_pages, 4);
	assert_int_equal(e->pages_populated, 0);
	assert_int_equal(e->shadow_pages_peak, 4);
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
		assert_int_equal(e->shadow_pages, e->pages_populated - e->pages_released);
	}
	assert_int_equal(e->nr_areas, 0);
	/* No 20K area wholly covers a 32K page: all 63 pages stay mapped. */
	assert_int_equal(e->shadow_pages, 63);
	assert_int_equal(e->pages_released, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_crossing_boundary, setup, teardown),
		cmocka_unit_test_setup_teardown(test_middle_page_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shared_page, setup, teardown),
		cmocka_unit_test_setup_teardown(test_purge_with_live_neighbour, setup, teardown),
		cmocka_unit_test_setup_teardown(test_purge_count, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reuse_before_purge_event, setup, teardown),
		cmocka_unit_test_setup_teardown(test_seed_and_unknown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_churn, setup, teardown),
	};

	return cmocka_run_group_tests_name("estimate", tests, NULL, NULL);
}
