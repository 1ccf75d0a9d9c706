// SPDX-License-Identifier: GPL-2.0
/*
 * The page set against a plain byte per page (the reference): every add
 * and remove returns how many pages it changed, and every query (count,
 * next, prev) finds what a scan of the bytes finds, at word and chunk
 * edges, across chunks, and in a long random sequence.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pageset.h"

#define CHUNK (1ULL << KVS_PAGESET_CHUNK_SHIFT)
/* Vmalloc space's page indices on x86_64: 0xffffc90000000000 / 32 KiB. */
#define BASE (0xffffc90000000000ULL >> 15)

static void test_edges(void **state)
{
	struct kvs_pageset s = { 0 };

	(void)state;
	assert_int_equal(kvs_pageset_add(&s, BASE, BASE), 0);		/* empty range */
	assert_int_equal(kvs_pageset_add(&s, BASE + 1, BASE), 0);	/* inverted: empty too */
	assert_int_equal(s.nr, 0);
	assert_int_equal(kvs_pageset_add(&s, BASE + 63, BASE + 65), 2);	/* a word edge */
	assert_int_equal(kvs_pageset_add(&s, BASE + 60, BASE + 70), 8);
	assert_int_equal(kvs_pageset_add(&s, BASE + 60, BASE + 70), 0);	/* again: nothing new */
	assert_int_equal(kvs_pageset_remove(&s, BASE + 64, BASE + 128), 6);
	assert_int_equal(kvs_pageset_remove(&s, BASE + 64, BASE + 128), 0);
	assert_int_equal(kvs_pageset_remove(&s, BASE + 60, BASE + 64), 4);
	assert_int_equal(kvs_pageset_remove(&s, BASE + 70, BASE + 60), 0);
	/* Nothing left, and removing from a chunk never made is 0. */
	assert_int_equal(kvs_pageset_remove(&s, BASE, BASE + CHUNK), 0);
	assert_int_equal(kvs_pageset_remove(&s, BASE + 10 * CHUNK, BASE + 11 * CHUNK), 0);
	kvs_pageset_free(&s);
}

/* A range over three chunks, removed in parts from both ends. */
static void test_across_chunks(void **state)
{
	struct kvs_pageset s = { 0 };
	uint64_t c0 = (BASE / CHUNK + 1) * CHUNK;	/* a chunk boundary */

	(void)state;
	assert_int_equal(kvs_pageset_add(&s, c0 - 5, c0 + CHUNK + 7), (long)(CHUNK + 12));
	assert_int_equal(s.nr, 3);
	assert_int_equal(kvs_pageset_remove(&s, c0 - 10, c0 + 1), 6);
	assert_int_equal(kvs_pageset_remove(&s, c0 + CHUNK, c0 + CHUNK + 100), 7);
	assert_int_equal(kvs_pageset_add(&s, c0 - 5, c0 + CHUNK + 7), 13);
	/* Chunks stay sorted when made out of order. */
	assert_int_equal(kvs_pageset_add(&s, c0 - 3 * CHUNK, c0 - 3 * CHUNK + 1), 1);
	assert_int_equal(s.nr, 4);
	for (size_t i = 1; i < s.nr; i++)
		assert_true(s.chunks[i - 1].idx < s.chunks[i].idx);
	kvs_pageset_free(&s);
}

/* Random adds and removes over 3 chunks against a byte per page. */
static void test_random_against_bytes(void **state)
{
	const uint64_t span = 3 * CHUNK, lo0 = (BASE / CHUNK) * CHUNK;
	unsigned char *ref = calloc(span, 1);
	struct kvs_pageset s = { 0 };

	(void)state;
	assert_non_null(ref);
	srand(7);
	for (int i = 0; i < 4000; i++) {
		uint64_t a = (uint64_t)rand() % span, len = (uint64_t)rand() % (i % 10 ? 300 : 70000);
		uint64_t b = a + len > span ? span : a + len;
		int add = rand() & 1;
		long want = 0;

		for (uint64_t p = a; p < b; p++) {
			want += add ? !ref[p] : ref[p];
			ref[p] = (unsigned char)add;
		}
		assert_int_equal(add ? kvs_pageset_add(&s, lo0 + a, lo0 + b) :
			       kvs_pageset_remove(&s, lo0 + a, lo0 + b), want);
		if (i % 40)
			continue;
		/* The queries, from random points, against a scan of the bytes. */
		for (int k = 0; k < 10; k++) {
			uint64_t x = (uint64_t)rand() % span, y = x + (uint64_t)rand() % 5000;
			uint64_t nx = y > span ? span : y, pv = UINT64_MAX;
			long cnt = 0;

			y = nx;
			for (uint64_t p = x; p < y; p++)
				cnt += ref[p];
			assert_int_equal(kvs_pageset_count(&s, lo0 + x, lo0 + y), cnt);
			for (nx = x; nx < y && !ref[nx]; nx++)
				;
			assert_int_equal(kvs_pageset_next(&s, lo0 + x, lo0 + y), lo0 + nx);
			for (uint64_t p = x + 1; p-- > 0;)
				if (ref[p]) {
					pv = lo0 + p;
					break;
				}
			assert_int_equal(kvs_pageset_prev(&s, lo0 + x), pv);
		}
	}
	free(ref);
	kvs_pageset_free(&s);
}

/* The queries at the edges: empty set, missing chunks between, ranges' ends. */
static void test_queries(void **state)
{
	struct kvs_pageset s = { 0 };
	uint64_t c0 = (BASE / CHUNK + 1) * CHUNK;

	(void)state;
	assert_int_equal(kvs_pageset_prev(&s, BASE), UINT64_MAX);
	assert_int_equal(kvs_pageset_next(&s, BASE, BASE + 10), BASE + 10);
	assert_int_equal(kvs_pageset_count(&s, BASE, BASE + 10), 0);
	/* Chunk c0 - 1 and c0 + 5 chunks in use, four missing between. */
	assert_int_equal(kvs_pageset_add(&s, c0 - 1, c0), 1);
	assert_int_equal(kvs_pageset_add(&s, c0 + 5 * CHUNK + 64, c0 + 5 * CHUNK + 65), 1);
	assert_int_equal(kvs_pageset_prev(&s, c0 + 5 * CHUNK + 63), c0 - 1);
	assert_int_equal(kvs_pageset_prev(&s, c0 + 5 * CHUNK + 64), c0 + 5 * CHUNK + 64);
	assert_int_equal(kvs_pageset_prev(&s, c0 + 9 * CHUNK), c0 + 5 * CHUNK + 64);
	assert_int_equal(kvs_pageset_prev(&s, c0 - 1), c0 - 1);
	assert_int_equal(kvs_pageset_prev(&s, c0 - 2), UINT64_MAX);
	assert_int_equal(kvs_pageset_next(&s, c0 - 1, c0 + 6 * CHUNK), c0 - 1);
	assert_int_equal(kvs_pageset_next(&s, c0, c0 + 6 * CHUNK), c0 + 5 * CHUNK + 64);
	/* The hit just past the range's end is not in it. */
	assert_int_equal(kvs_pageset_next(&s, c0, c0 + 5 * CHUNK + 64), c0 + 5 * CHUNK + 64);
	assert_int_equal(kvs_pageset_next(&s, c0 + 5 * CHUNK + 65, c0 + 9 * CHUNK), c0 + 9 * CHUNK);
	assert_int_equal(kvs_pageset_next(&s, c0 + 3, c0 + 2), c0 + 2);	/* empty range */
	assert_int_equal(kvs_pageset_count(&s, c0 - 10, c0 + 6 * CHUNK), 2);
	kvs_pageset_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_across_chunks),
		cmocka_unit_test(test_random_against_bytes),
		cmocka_unit_test(test_queries),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
