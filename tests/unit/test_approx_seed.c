// SPDX-License-Identifier: GPL-2.0
/*
 * Estimate mode's seed from sizes alone (approx_seed.h): each bound against
 * every placement of small cases, the union's bounds and their shrinking
 * by purges against the same areas placed at random, and the estimate
 * seeded from sizes alone against the estimate seeded from the addresses
 * of the same areas, through the same events: the exact one must lie in
 * the approximate one's bound after every event.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "approx_seed.h"
#include "estimate.h"

#define B 0xffffc90000000000ULL
#define K 1024ULL
#define P 8	/* 4 KiB pages per 32 KiB shadow page */

/* Shadow pages [o, o+n) touches and wholly covers, by counting. */
static uint64_t touched(uint64_t o, uint64_t n, uint64_t p)
{
	uint64_t c = 0;

	for (uint64_t s = o / p; s * p < o + n; s++)
		c++;
	return c;
}

static uint64_t covered(uint64_t o, uint64_t n, uint64_t p)
{
	uint64_t c = 0;

	for (uint64_t s = 0; s * p < o + n + p; s++)
		c += s * p >= o && (s + 1) * p <= o + n;
	return c;
}

/* Each per-area bound is the min or max of the count over the p offsets. */
static void test_area_bounds_every_offset(void **state)
{
	static const uint64_t ps[] = { 1, 2, 3, 8, 16 };

	for (size_t k = 0; k < sizeof(ps) / sizeof(ps[0]); k++) {
		uint64_t p = ps[k];

		for (uint64_t n = 1; n <= 70; n++) {
			uint64_t tmin = UINT64_MAX, tmax = 0, cmin = UINT64_MAX, cmax = 0;

			for (uint64_t o = 0; o < p; o++) {
				uint64_t t = touched(o, n, p), c = covered(o, n, p);

				tmin = t < tmin ? t : tmin;
				tmax = t > tmax ? t : tmax;
				cmin = c < cmin ? c : cmin;
				cmax = c > cmax ? c : cmax;
			}
			assert_int_equal(kvs_approx_touched_min(n, p), tmin);
			assert_int_equal(kvs_approx_touched_max(n, p), tmax);
			assert_int_equal(kvs_approx_covered_min(n, p), cmin);
			assert_int_equal(kvs_approx_covered_max(n, p), cmax);
		}
	}
	/* No overflow at the top of the range. */
	assert_int_equal(kvs_approx_touched_max(UINT64_MAX, 8), UINT64_MAX / 8 + 2); /* ceil((2^64 + 6) / 8) */
	assert_int_equal(kvs_approx_covered_min(UINT64_MAX, 8), UINT64_MAX / 8);
	assert_int_equal(kvs_approx_touched_max(0, 8), 0);
}

/* Two stacks of 5 pages (16 KiB + guard): 10 pages touch 2 to 4 shadow pages. */
static void test_hand_computed(void **state)
{
	struct kvs_approx_seed s;
	uint64_t rel, pages;

	kvs_approx_seed_init(&s, P);
	assert_int_equal(kvs_approx_seed_add(&s, 5, false), 0);
	assert_int_equal(kvs_approx_seed_add(&s, 5, true), 0);
	assert_int_equal(kvs_approx_seed_add(&s, 0, true), -EINVAL);
	assert_int_equal(kvs_approx_seed_finish(&s), 0);
	assert_int_equal(s.nr_areas, 2);
	assert_int_equal(s.area_pages, 10);
	assert_int_equal(s.low, 2);	/* ceil(10/8) */
	assert_int_equal(s.high, 4);	/* 2 + 2 */
	assert_int_equal(s.shown, 3);
	assert_int_equal(kvs_approx_seed_waiting(&s), 1);
	/* A 5-page area wholly covers no shadow page wherever it is: releases 0. */
	assert_int_equal(kvs_approx_seed_purge(&s, 3, &rel, &pages), 1);
	assert_int_equal(rel, 0);
	assert_int_equal(pages, 5);
	assert_int_equal(s.low, 2);
	assert_int_equal(s.high, 4);
	kvs_approx_seed_free(&s);

	/* One of 2 MiB + guard (513 pages): touches 65 wherever it is, wholly covers 63 or 64. */
	kvs_approx_seed_init(&s, P);
	assert_int_equal(kvs_approx_seed_add(&s, 513, true), 0);
	assert_int_equal(kvs_approx_seed_finish(&s), 0);
	assert_int_equal(s.low, 65);
	assert_int_equal(s.high, 65);
	assert_int_equal(kvs_approx_seed_purge(&s, 1, &rel, &pages), 1);
	assert_int_equal(s.low, 1);	/* 65 - 64 */
	assert_int_equal(s.high, 2);	/* 65 - 63 */
	assert_true(s.shown >= s.low && s.shown <= s.high);
	assert_int_equal(pages, 513);
	kvs_approx_seed_free(&s);
}

/* An estimate seeded from sizes alone with one area of n pages: low is the truth when it sits at 0. */
static void approx_one(struct kvs_estimate *e, uint64_t n, bool lazy)
{
	struct kvs_approx_seed *s = malloc(sizeof(*s));

	assert_non_null(s);
	assert_int_equal(kvs_estimate_init(e, 4096), 0);
	kvs_approx_seed_init(s, P);
	assert_int_equal(kvs_approx_seed_add(s, n, lazy), 0);
	assert_int_equal(kvs_approx_seed_finish(s), 0);
	kvs_estimate_seed_approx(e, s);
	kvs_estimate_reset_counters(e);
}

/*
 * Where the bound is tight, the pages the known areas may share with the
 * seed's keep it true: a new area next to a seed area (an edge page), and
 * one that wholly covers the edge page a purged seed area left mapped.
 */
static void test_shared_with_seed(void **state)
{
	struct kvs_estimate e;
	uint64_t low, high;

	/* Seed [0, 4 pages): shadow page 0, truth 1. New [4, 8): page 0 again, truth 1. */
	approx_one(&e, 4, false);
	assert_true(kvs_estimate_bound(&e, &low, &high));
	assert_int_equal(low, 1);
	assert_int_equal(high, 2);
	assert_int_equal(kvs_estimate_alloc(&e, B + 16 * K, 16 * K), 1);	/* page 0: new to the model */
	assert_true(kvs_estimate_bound(&e, &low, &high));
	assert_int_equal(low, 1);	/* 1 + 1 known - 1 edge page maybe shared */
	assert_int_equal(high, 3);
	kvs_estimate_free(&e);

	/*
	 * Seed [0, 12 pages), lazy: pages 0 and 1, truth 2. Its purge releases
	 * page 0 only: truth 1 (page 1 stays). New [8, 16 pages) wholly covers
	 * page 1, mapped already: truth 1.
	 */
	approx_one(&e, 12, true);
	assert_true(kvs_estimate_bound(&e, &low, &high));
	assert_int_equal(low, 2);
	assert_int_equal(high, 3);
	kvs_estimate_purge(&e, B, B + 48 * K, 1);
	assert_true(kvs_estimate_bound(&e, &low, &high));
	assert_int_equal(low, 1);	/* 2 - at most 1 wholly covered */
	assert_int_equal(high, 3);	/* 3 - at least 0 */
	assert_int_equal(kvs_estimate_alloc(&e, B + 32 * K, 32 * K), 1);
	assert_true(kvs_estimate_bound(&e, &low, &high));
	assert_int_equal(low, 1);	/* 1 + 1 known - 2 the purged area may have left */
	assert_int_equal(high, 4);
	assert_int_equal(e.c.populate_calls, 1);
	/* Its purge releases page 1, the seed's leftover too: truth 0, which low must allow. */
	assert_int_equal(kvs_estimate_free_area(&e, B + 32 * K), 0);
	assert_int_equal(kvs_estimate_purge(&e, B, B + 64 * K, 1), 1);
	assert_true(kvs_estimate_bound(&e, &low, &high));
	assert_int_equal(low, 0);
	assert_int_equal(high, 3);
	kvs_estimate_free(&e);

	/*
	 * Seed [0, 8 pages): page 0, truth 1. Its own alloc event comes after
	 * the seed (allocated between the attach and the seed's read): the
	 * model maps page 0 again, the truth stays 1; the replay says so.
	 */
	approx_one(&e, 8, false);
	assert_int_equal(kvs_estimate_alloc(&e, B, 32 * K), 1);
	kvs_estimate_seeded_twice(&e, 1);
	assert_true(kvs_estimate_bound(&e, &low, &high));
	assert_int_equal(low, 1);
	assert_int_equal(high, 3);
	kvs_estimate_free(&e);
}

/* Random disjoint areas in a small space, sizes known, places random. */
#define SPACE 4096	/* pages */
#define MAXA 200
struct layout {
	uint64_t start[MAXA], n[MAXA];
	bool lazy[MAXA];
	int nr;
	unsigned char used[SPACE];
};

static void place(struct layout *l, int want)
{
	memset(l, 0, sizeof(*l));
	for (int tries = 0; l->nr < want && tries < 100000; tries++) {
		uint64_t n = 1 + (uint64_t)(rand() % 4 ? rand() % 6 : rand() % 70);
		uint64_t s = (uint64_t)rand() % (SPACE - n);
		bool free_run = true;

		/* Often right after the last one: the kernel packs areas. */
		if (l->nr && rand() % 2)
			s = l->start[l->nr - 1] + l->n[l->nr - 1] + (uint64_t)(rand() % 3 ? 0 : rand() % 4);
		if (s + n > SPACE)
			continue;
		for (uint64_t i = s; i < s + n; i++)
			free_run &= !l->used[i];
		if (!free_run)
			continue;
		memset(l->used + s, 1, n);
		l->start[l->nr] = s;
		l->n[l->nr] = n;
		l->lazy[l->nr++] = rand() % 3 == 0;
	}
}

static uint64_t union_touched(const struct layout *l, uint64_t p)
{
	static unsigned char shadow[SPACE];
	uint64_t c = 0;

	memset(shadow, 0, sizeof(shadow));
	for (int i = 0; i < l->nr; i++)
		for (uint64_t s = l->start[i] / p; s * p < l->start[i] + l->n[i]; s++)
				shadow[s] = 1;
	for (size_t s = 0; s < SPACE; s++)
		c += shadow[s];
	return c;
}

/* The union's bound holds over random layouts, and after purges of the lazy ones. */
static void test_union_bound_random(void **state)
{
	static struct layout l;

	srand(19);
	for (int round = 0; round < 500; round++) {
		struct kvs_approx_seed s;
		uint64_t truth, rel, pages, released = 0, total_lazy = 0;
		size_t k = 0;

		place(&l, 1 + rand() % MAXA);
		kvs_approx_seed_init(&s, P);
		for (int i = 0; i < l.nr; i++)
			assert_int_equal(kvs_approx_seed_add(&s, l.n[i], l.lazy[i]), 0);
		assert_int_equal(kvs_approx_seed_finish(&s), 0);
		truth = union_touched(&l, P);
		assert_true(s.low <= truth && truth <= s.high);
		assert_true(s.low <= s.shown && s.shown <= s.high);
		/* Purge the lazy ones, in any order: what they wholly cover goes. */
		for (int i = 0; i < l.nr; i++) {
			if (!l.lazy[i])
				continue;
			released += covered(l.start[i] % P, l.n[i], P);
			total_lazy += l.n[i];
			k++;
		}
		assert_int_equal(kvs_approx_seed_purge(&s, k + 5, &rel, &pages), k);
		assert_int_equal(pages, total_lazy);	/* all of the kind: exact */
		truth -= released;	/* edge pages stay mapped */
		assert_true(s.low <= truth && truth <= s.high);
		assert_true(s.low <= s.shown && s.shown <= s.high);
		kvs_approx_seed_free(&s);
	}
}

/*
 * The same seed areas seeded from addresses (ex) and from sizes (ap), then
 * the same random events: allocs in free space, frees, purges of all that
 * is lazy. ex's count lies in ap's bound after every event; ap's counts of
 * the areas allocated since are exact where no seed page is near.
 */
static void test_estimate_bound_random(void **state)
{
	static struct layout l;

	srand(7);
	for (int round = 0; round < 60; round++) {
		struct kvs_estimate ex, ap;
		struct kvs_approx_seed *s = malloc(sizeof(*s));
		uint64_t lazy[MAXA * 4], live[MAXA * 4];
		int nr_lazy = 0, nr_live = 0;
		uint64_t low, high;

		assert_non_null(s);
		assert_int_equal(kvs_estimate_init(&ex, 4096), 0);
		assert_int_equal(kvs_estimate_init(&ap, 4096), 0);
		assert_false(kvs_estimate_bound(&ap, &low, &high));
		place(&l, 1 + rand() % (MAXA / 2));
		kvs_approx_seed_init(s, P);
		for (int i = 0; i < l.nr; i++) {
			uint64_t a = B + l.start[i] * 4 * K;

			assert_int_equal(kvs_estimate_seed(&ex, a, a + l.n[i] * 4 * K, l.lazy[i]), 0);
			assert_int_equal(kvs_approx_seed_add(s, l.n[i], l.lazy[i]), 0);
			if (!l.lazy[i])
				live[nr_live++] = i;
		}
		assert_int_equal(kvs_approx_seed_finish(s), 0);
		kvs_estimate_seed_approx(&ap, s);
		kvs_estimate_reset_counters(&ex);
		kvs_estimate_reset_counters(&ap);
		for (int ev = 0; ev < 400; ev++) {
			int op = rand() % 10;

			if (op < 4 && l.nr < MAXA) {
				/* A new area where nothing live or lazy is. */
				uint64_t n = 1 + (uint64_t)(rand() % 20), st = (uint64_t)rand() % (SPACE - n);
				bool ok = true;

				for (uint64_t i = st; i < st + n; i++)
					ok &= !l.used[i];
				if (!ok)
					continue;
				memset(l.used + st, 1, n);
				l.start[l.nr] = st;
				l.n[l.nr] = n;
				l.lazy[l.nr] = false;
				live[nr_live++] = (uint64_t)l.nr++;
				assert_int_equal(kvs_estimate_alloc(&ex, B + st * 4 * K, n * 4 * K) >= 0, 1);
				assert_int_equal(kvs_estimate_alloc(&ap, B + st * 4 * K, n * 4 * K) >= 0, 1);
			} else if (op < 8 && nr_live) {
				int j = rand() % nr_live;
				uint64_t i = live[j], a = B + l.start[i] * 4 * K;

				live[j] = live[--nr_live];
				lazy[nr_lazy++] = i;
				assert_int_equal(kvs_estimate_free_area(&ex, a), 0);
				assert_int_equal(kvs_estimate_free_area(&ap, a), 0);
			} else {
				/* The kernel purges everything lazy; the space is free again. */
				unsigned int np = (unsigned int)nr_lazy;

				for (int j = 0; j < l.nr; j++)
					if (l.lazy[j])
						np++, l.lazy[j] = false, memset(l.used + l.start[j], 0, l.n[j]);
				for (int j = 0; j < nr_lazy; j++)
					memset(l.used + l.start[lazy[j]], 0, l.n[lazy[j]]);
				nr_lazy = 0;
				kvs_estimate_purge(&ex, B, B + SPACE * 4 * K, np);
				kvs_estimate_purge(&ap, B, B + SPACE * 4 * K, np);
			}
			assert_true(kvs_estimate_bound(&ap, &low, &high));
			assert_true(low <= ex.c.shadow_pages && ex.c.shadow_pages <= high);
			assert_true(low <= ap.c.shadow_pages && ap.c.shadow_pages <= high);
			/* The events themselves are counted alike. */
			assert_int_equal(ap.c.populate_calls, ex.c.populate_calls);
			assert_int_equal(ap.unknown_frees, 0);
		}
		kvs_estimate_free(&ex);
		kvs_estimate_free(&ap);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_area_bounds_every_offset),
		cmocka_unit_test(test_hand_computed),
		cmocka_unit_test(test_union_bound_random),
		cmocka_unit_test(test_shared_with_seed),
		cmocka_unit_test(test_estimate_bound_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
