// SPDX-License-Identifier: GPL-2.0
/* Log2 histogram percentiles and bucket bounds. */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "kvs_test.h"

static void test_empty(void **state)
{
	struct kvs_hist_data h = { 0 };

	assert_true(isnan(kvs_hist_quantile(&h, 0.5)));
}

static void test_one_slot(void **state)
{
	struct kvs_hist_data h = { 0 };

	h.slots[10] = 100;	/* [1024, 2048) ns */
	assert_float_equal(kvs_hist_quantile(&h, 0.5), 1536.0, 0.001);
	assert_float_equal(kvs_hist_quantile(&h, 0.99), 1024.0 + 0.99 * 1024.0, 0.001);
	assert_float_equal(kvs_hist_quantile(&h, 0.0), 1024.0, 0.001);
}

static void test_two_slots(void **state)
{
	struct kvs_hist_data h = { 0 };

	h.slots[3] = 50;	/* [8, 16) */
	h.slots[20] = 50;	/* [1 Mi, 2 Mi) */
	assert_float_equal(kvs_hist_quantile(&h, 0.5), 16.0, 0.001);
	assert_true(kvs_hist_quantile(&h, 0.99) > 1048576.0);
	assert_true(kvs_hist_quantile(&h, 0.99) < 2097152.0);
}

static void test_slot_zero_and_bounds(void **state)
{
	struct kvs_hist_data h = { 0 };

	h.slots[0] = 4;		/* [0, 2) */
	assert_float_equal(kvs_hist_quantile(&h, 0.5), 1.0, 0.001);
	assert_int_equal(kvs_hist_upper_ns(0), 2);
	assert_int_equal(kvs_hist_upper_ns(9), 1024);
	assert_int_equal(kvs_hist_upper_ns(KVS_HIST_SLOTS - 1), (uint64_t)1 << KVS_HIST_SLOTS);
}

/* The model derives interval percentiles from the difference of two snapshots. */
static void test_model_interval(void **state)
{
	struct kvs_reading r = { .have_bpf = true };
	struct kvs_model m;

	kvs_model_init(&m, KVS_MODE_EXACT, "test", 4096);
	r.hist_available[KVS_HIST_POPULATE] = true;
	r.hist[KVS_HIST_POPULATE].slots[4] = 10;
	r.hist[KVS_HIST_POPULATE].count = 10;
	r.hist[KVS_HIST_POPULATE].sum_ns = 200;
	r.mono = 1;
	fold(&m, KVS_MODE_EXACT, &r, NULL);
	r.hist[KVS_HIST_POPULATE].slots[12] = 10;
	r.hist[KVS_HIST_POPULATE].count = 20;
	r.mono = 2;
	fold(&m, KVS_MODE_EXACT, &r, NULL);
	assert_true(m.hist[KVS_HIST_POPULATE].available);
	assert_int_equal(m.hist[KVS_HIST_POPULATE].delta.count, 10);
	/*
	 * Exact, not bounds: a quantile interpolates linearly inside its log2
	 * slot. The interval's 10 events all sit in slot 12, [4096, 8192): the
	 * 5th of 10 is halfway, 6144. The total's 20: the 10th is the last of
	 * slot 4, [16, 32): its upper edge, 32.
	 */
	assert_float_equal(m.hist[KVS_HIST_POPULATE].interval_p50_ns, 6144.0, 1e-9);
	assert_float_equal(m.hist[KVS_HIST_POPULATE].p50_ns, 32.0, 1e-9);
	assert_true(isnan(m.hist[KVS_HIST_RELEASE].interval_p50_ns));
	kvs_model_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_one_slot),
		cmocka_unit_test(test_two_slots),
		cmocka_unit_test(test_slot_zero_and_bounds),
		cmocka_unit_test(test_model_interval),
	};

	return cmocka_run_group_tests_name("hist", tests, NULL, NULL);
}
