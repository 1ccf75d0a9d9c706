// SPDX-License-Identifier: GPL-2.0
/* The model: deltas and rates, drift, history, top-N with "other". */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "attr.h"
#include "model.h"

static void snap(struct kvs_snapshot *s, double mono, uint64_t shadow, uint64_t calls,
		 uint64_t populated)
{
	memset(s, 0, sizeof(*s));
	s->mode = KVS_MODE_EXACT;
	s->start_mono = 10;
	s->mono = mono;
	s->c.shadow_pages = shadow;
	s->c.shadow_pages_peak = shadow;
	s->c.populate_calls = calls;
	s->c.pages_populated = populated;
}

static void test_deltas_and_rates(void **state)
{
	struct kvs_snapshot s;
	struct kvs_model m;

	kvs_model_init(&m, KVS_MODE_EXACT, "6.12", 4096);
	snap(&s, 12, 100, 10, 40);		/* 2 s after start */
	s.have_vmalloc_used = true;
	s.vmalloc_used_bytes = 4096 * 800;
	assert_int_equal(kvs_model_update(&m, &s), 0);
	assert_float_equal(m.interval_s, 2.0, 1e-9);
	assert_float_equal(m.rate.populate_calls, 5.0, 1e-9);
	assert_int_equal(m.shadow_pages_delta, 0);
	assert_int_equal(m.shadow_bytes, 100 * 4096);
	assert_float_equal(m.overhead_ratio, 0.125, 1e-9);

	snap(&s, 12.5, 90, 30, 50);
	assert_int_equal(kvs_model_update(&m, &s), 0);
	assert_float_equal(m.interval_s, 0.5, 1e-9);
	assert_int_equal(m.delta.populate_calls, 20);
	assert_float_equal(m.rate.populate_calls, 40.0, 1e-9);
	assert_float_equal(m.rate.pages_populated, 20.0, 1e-9);
	assert_int_equal(m.shadow_pages_delta, -10);
	assert_true(isnan(m.overhead_ratio));		/* no VmallocUsed this time */
	assert_int_equal(m.history_len, 2);
	assert_int_equal(kvs_model_history(&m, 0), 100);
	assert_int_equal(kvs_model_history(&m, 1), 90);
	assert_false(m.drift_valid);
	kvs_model_free(&m);
}

static void test_drift(void **state)
{
	struct kvs_snapshot s;
	struct kvs_model m;

	kvs_model_init(&m, KVS_MODE_EXACT, "6.12", 4096);
	snap(&s, 11, 100, 0, 0);
	s.have_debugfs = true;
	s.debugfs.shadow_pages = 103;
	assert_int_equal(kvs_model_update(&m, &s), 0);
	assert_true(m.drift_valid);
	assert_int_equal(m.drift_pages, 3);
	s.mode = KVS_MODE_DEBUGFS;		/* one view only: no drift */
	assert_int_equal(kvs_model_update(&m, &s), 0);
	assert_false(m.drift_valid);
	kvs_model_free(&m);
}

static void test_history_wraps(void **state)
{
	struct kvs_snapshot s;
	struct kvs_model m;

	kvs_model_init(&m, KVS_MODE_ESTIMATE, "6.12", 4096);
	for (uint64_t i = 0; i < KVS_HISTORY + 5; i++) {
		snap(&s, 11 + (double)i, i, 0, 0);
		assert_int_equal(kvs_model_update(&m, &s), 0);
	}
	assert_int_equal(m.history_len, KVS_HISTORY);
	assert_int_equal(kvs_model_history(&m, 0), 5);
	assert_int_equal(kvs_model_history(&m, KVS_HISTORY - 1), KVS_HISTORY + 4);
	kvs_model_free(&m);
}

/* Callers bucketed by name (as collect does for many stack ids), top 2 + other. */
static void test_top_other(void **state)
{
	struct kvs_top_entry rows[2], other;
	struct kvs_attr a = { 0 };
	struct kvs_snapshot s;
	struct kvs_model m;

	assert_int_equal(kvs_attr_add(&a, "alloc_thread_stack_node", 10, 5), 0);
	assert_int_equal(kvs_attr_add(&a, "__bpf_map_area_alloc", 30, 1), 0);
	assert_int_equal(kvs_attr_add(&a, "alloc_thread_stack_node", 10, 5), 0);
	assert_int_equal(kvs_attr_add(&a, "load_module", 5, 2), 0);
	assert_int_equal(kvs_attr_add(&a, "execmem_alloc", 1, 100), 0);
	assert_int_equal(a.nr, 4);

	kvs_model_init(&m, KVS_MODE_EXACT, "6.12", 4096);
	snap(&s, 11, 0, 0, 0);
	assert_int_equal(kvs_attr_to_list(&a, &s.callers), 0);
	s.callers.dropped_pages = 7;
	s.callers.dropped_calls = 1;
	assert_int_equal(kvs_model_update(&m, &s), 0);
	kvs_snapshot_free(&s);
	kvs_attr_free(&a);

	/* The model keeps them sorted by pages. */
	assert_string_equal(m.callers.e[0].name, "__bpf_map_area_alloc");
	assert_int_equal(kvs_top_fold(&m.callers, 2, KVS_SORT_PAGES, rows, &other), 2);
	assert_string_equal(rows[0].name, "__bpf_map_area_alloc");
	assert_string_equal(rows[1].name, "alloc_thread_stack_node");
	assert_int_equal(rows[1].pages_populated, 20);
	assert_int_equal(rows[1].populate_calls, 10);
	assert_string_equal(other.name, "other");
	assert_int_equal(other.pages_populated, 5 + 1 + 7);
	assert_int_equal(other.populate_calls, 2 + 100 + 1);

	assert_int_equal(kvs_top_fold(&m.callers, 2, KVS_SORT_CALLS, rows, &other), 2);
	assert_string_equal(rows[0].name, "execmem_alloc");
	assert_int_equal(kvs_top_fold(&m.callers, 2, KVS_SORT_NAME, rows, &other), 2);
	assert_string_equal(rows[0].name, "__bpf_map_area_alloc");
	assert_string_equal(rows[1].name, "alloc_thread_stack_node");
	assert_int_equal(kvs_top_fold(&m.callers, 0, KVS_SORT_PAGES, rows, &other), 0);
	assert_int_equal(other.pages_populated, 56 + 7);
	kvs_model_free(&m);
}

/* Per-entry deltas between intervals drive -s rate. */
static void test_top_deltas(void **state)
{
	struct kvs_top_entry e1[2] = { { .name = "a", .pages_populated = 10, .populate_calls = 1 },
				       { .name = "b", .pages_populated = 20, .populate_calls = 1 } };
	struct kvs_top_entry e2[2] = { { .name = "a", .pages_populated = 40, .populate_calls = 2 },
				       { .name = "b", .pages_populated = 21, .populate_calls = 2 } };
	struct kvs_top_entry rows[1], other;
	struct kvs_snapshot s;
	struct kvs_model m;

	kvs_model_init(&m, KVS_MODE_EXACT, "6.12", 4096);
	snap(&s, 11, 0, 0, 0);
	s.callers.e = e1;
	s.callers.nr = 2;
	assert_int_equal(kvs_model_update(&m, &s), 0);
	s.callers.e = e2;
	s.mono = 12;
	assert_int_equal(kvs_model_update(&m, &s), 0);
	assert_int_equal(kvs_top_fold(&m.callers, 1, KVS_SORT_RATE, rows, &other), 1);
	assert_string_equal(rows[0].name, "a");
	assert_int_equal(rows[0].delta_pages_populated, 30);
	assert_int_equal(other.delta_pages_populated, 1);
	kvs_model_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deltas_and_rates),
		cmocka_unit_test(test_drift),
		cmocka_unit_test(test_history_wraps),
		cmocka_unit_test(test_top_other),
		cmocka_unit_test(test_top_deltas),
	};

	return cmocka_run_group_tests_name("model", tests, NULL, NULL);
}
