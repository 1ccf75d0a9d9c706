// SPDX-License-Identifier: GPL-2.0
/* The counter table (lib/kvs_counters.h) and its helpers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "counters.h"

static void test_table(void **state)
{
	size_t gauges = 0, prom = 0;

	assert_int_equal(KVS_NR_COUNTERS, 16);
	assert_int_equal(KVS_NR_DEBUGFS, 8);
	for (size_t i = 0; i < KVS_NR_COUNTERS; i++) {
		const struct kvs_counter_info *c = &kvs_counter_info[i];

		assert_non_null(c->name);
		assert_non_null(c->help);
		assert_int_equal(c->debugfs, i < KVS_NR_DEBUGFS);
		gauges += c->type == KVS_GAUGE;
		if (c->prom) {
			prom++;
			assert_memory_equal(c->prom, "kvshadow_", 9);
			/* Counters end in _total; pages go out as bytes (docs/interfaces.md §3). */
			if (c->type == KVS_COUNTER)
				assert_non_null(strstr(c->prom, "_total"));
			if (c->unit == KVS_UNIT_PAGES)
				assert_non_null(strstr(c->prom, "_bytes"));
		}
		/* The struct is the table, element by element. */
		assert_int_equal(kvs_counter_find(c->name, strlen(c->name)), (int)i);
	}
	assert_int_equal(gauges, 2);
	assert_int_equal(kvs_counter_info[0].type, KVS_GAUGE);
	assert_int_equal(kvs_counter_info[1].type, KVS_GAUGE);
	assert_int_equal(prom, 8);
	assert_int_equal(sizeof(struct kvs_counters), KVS_NR_COUNTERS * sizeof(uint64_t));
	assert_int_equal(kvs_counter_find("shadow_page", 11), -1);
	assert_int_equal(kvs_counter_find("shadow_pages_", 13), -1);
}

static void test_get_set(void **state)
{
	struct kvs_counters c = { 0 };

	kvs_counter_set(&c, KVS_ID_pages_released, 77);
	assert_int_equal(c.pages_released, 77);
	c.vmap_purges = 5;
	assert_int_equal(kvs_counter_get(&c, KVS_ID_vmap_purges), 5);
}

static void test_delta(void **state)
{
	assert_true(kvs_delta(3, 5) == 2);
	assert_true(kvs_delta(5, 3) == -2);
	assert_true(kvs_delta(7, 7) == 0);
	assert_true(kvs_delta(0, UINT64_MAX) == INT64_MAX);
	assert_true(kvs_delta(UINT64_MAX, 0) == INT64_MIN);
	assert_true(kvs_delta(0, (uint64_t)INT64_MAX) == INT64_MAX);
	assert_true(kvs_delta((uint64_t)INT64_MAX + 1, 0) == INT64_MIN);
	assert_true(kvs_delta(1, (uint64_t)INT64_MAX + 1) == INT64_MAX);
}

static void test_bytes(void **state)
{
	assert_true(kvs_pages_to_bytes(63, 4096) == 258048);
	assert_true(kvs_pages_to_bytes(4503599627370496ULL, 4096) == UINT64_MAX);
	assert_true(kvs_pages_to_bytes(4503599627370495ULL, 4096) == UINT64_MAX - 4095);
	assert_true(kvs_pages_to_bytes(UINT64_MAX, 1) == UINT64_MAX);
	assert_true(kvs_pages_to_bytes(0, 65536) == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_get_set),
		cmocka_unit_test(test_delta),
		cmocka_unit_test(test_bytes),
	};

	return cmocka_run_group_tests_name("counters", tests, NULL, NULL);
}
