// SPDX-License-Identifier: GPL-2.0
/*
 * The model: deltas and rates, drift, history, top-N with "other", and
 * kvshadowstat's since-boot rows, all fed through the pure step.
 */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "rows.h"
#include "kvs_test.h"

/* An exact-mode reading: BPF since attach plus the debugfs file. */
static void exact(struct kvs_reading *r, double mono, int64_t net, uint64_t calls,
		  uint64_t populated, uint64_t debugfs_shadow)
{
	memset(r, 0, sizeof(*r));
	r->mono = mono;
	r->have_bpf = true;
	r->bpf_net = r->bpf_net_peak = net;
	r->bpf.populate_calls = calls;
	r->bpf.pages_populated = populated;
	r->have_debugfs = true;
	r->debugfs.shadow_pages = debugfs_shadow;
	r->aligned = true;	/* as a baseline: taken at a quiet instant */
}

static void test_deltas_and_rates(void **state)
{
	struct kvs_reading base, r;
	struct kvs_model m;

	kvs_model_init(&m, KVS_MODE_EXACT, "6.12", 4096);
	exact(&base, 10, 0, 0, 0, 100);
	exact(&r, 12, 0, 10, 40, 100);		/* 2 s after start */
	r.have_vmalloc_used = true;
	r.vmalloc_used_bytes = 4096 * 800;
	fold(&m, KVS_MODE_EXACT, &r, &base);
	assert_float_equal(m.interval_s, 2.0, 1e-9);
	assert_float_equal(m.rate[KVS_ID_populate_calls], 5.0, 1e-9);
	assert_int_equal(m.delta[KVS_ID_shadow_pages], 0);	/* a gauge's first value is no change */
	assert_int_equal(m.total.shadow_pages, 100);
	assert_int_equal(m.shadow_bytes, 100 * 4096);
	assert_float_equal(m.overhead_ratio, 0.125, 1e-9);
	assert_true(m.drift_valid);
	assert_int_equal(m.drift_pages, 0);

	exact(&r, 12.5, -10, 30, 50, 90);
	fold(&m, KVS_MODE_EXACT, &r, &base);
	assert_float_equal(m.interval_s, 0.5, 1e-9);
	assert_int_equal(m.delta[KVS_ID_populate_calls], 20);
	assert_float_equal(m.rate[KVS_ID_populate_calls], 40.0, 1e-9);
	assert_float_equal(m.rate[KVS_ID_pages_populated], 20.0, 1e-9);
	assert_int_equal(m.delta[KVS_ID_shadow_pages], -10);
	assert_float_equal(m.rate[KVS_ID_shadow_pages], -20.0, 1e-9);
	assert_true(isnan(m.overhead_ratio));		/* no VmallocUsed this time */
	assert_int_equal(m.history_len, 2);
	assert_int_equal(kvs_model_history(&m, 0), 100);
	assert_int_equal(kvs_model_history(&m, 1), 90);
	assert_int_equal(m.counter_back, -1);
	kvs_model_free(&m);
}

static void test_drift(void **state)
{
	struct kvs_reading base, r;
	struct kvs_model m;

	kvs_model_init(&m, KVS_MODE_EXACT, "6.12", 4096);
	exact(&base, 10, 5, 0, 0, 100);
	exact(&r, 11, 5, 0, 0, 103);	/* debugfs moved, BPF did not: 3 pages apart */
	fold(&m, KVS_MODE_EXACT, &r, &base);
	assert_true(m.drift_valid);
	assert_int_equal(m.total.shadow_pages, 100);
	assert_int_equal(m.drift_pages, 3);
	kvs_model_free(&m);

	/* One view only: no drift. */
	kvs_model_init(&m, KVS_MODE_DEBUGFS, "6.12", 4096);
	debugfs_reading(&r, 11, 103, 103, 0, 0, 0, 0, 0, 0);
	fold(&m, KVS_MODE_DEBUGFS, &r, &r);
	assert_false(m.drift_valid);
	kvs_model_free(&m);
}

/*
 * A start while the kernel populates: the baseline's debugfs read is 7
 * populates (12 pages) behind its BPF read. Until a quiet reading there is
 * no drift to show; at it the baseline moves to the start instant, and
 * from then on a page BPF misses is a drift of one page.
 */
static void test_busy_start(void **state)
{
	struct kvs_reading base, r;
	struct kvs_model m;

	kvs_model_init(&m, KVS_MODE_EXACT, "7.2", 4096);
	exact(&base, 10, 3, 2, 3, 100);
	base.aligned = false;
	base.debugfs.populate_calls = 50;
	base.debugfs.pages_populated = 60;
	/* Busy again: the views stay unpaired. */
	exact(&r, 11, 13, 6, 13, 125);
	assert_false(kvs_baseline_align(KVS_MODE_EXACT, &base, &r));
	fold(&m, KVS_MODE_EXACT, &r, &base);
	assert_true(m.baseline_pending);
	assert_false(m.drift_valid);
	assert_int_equal(m.total.populate_calls, 4);	/* BPF's own count since start */

	/* Quiet: debugfs 61 calls, 81 pages, 126 shadow; BPF 9 calls, 21 pages, net 20 since attach. */
	exact(&r, 12, 20, 9, 21, 126);
	r.debugfs_quiet = true;
	r.debugfs.populate_calls = 61;
	r.debugfs.pages_populated = 81;
	assert_true(kvs_baseline_align(KVS_MODE_EXACT, &base, &r));
	assert_int_equal(base.debugfs.populate_calls, 61 - (9 - 2));
	assert_int_equal(base.debugfs.pages_populated, 81 - (21 - 3));
	assert_int_equal(base.debugfs.shadow_pages, 126 - (20 - 3));
	fold(&m, KVS_MODE_EXACT, &r, &base);
	assert_false(m.baseline_pending);
	assert_true(m.drift_valid);
	assert_int_equal(m.drift_pages, 0);
	assert_int_equal(m.total.shadow_pages, 126);

	/* Aligned for good: a later busy reading changes nothing; a page BPF missed shows. */
	exact(&r, 13, 20, 9, 21, 127);
	assert_true(kvs_baseline_align(KVS_MODE_EXACT, &base, &r));
	assert_int_equal(base.debugfs.shadow_pages, 109);
	fold(&m, KVS_MODE_EXACT, &r, &base);
	assert_true(m.drift_valid);
	assert_int_equal(m.drift_pages, 1);
	kvs_model_free(&m);
}

static void test_history_wraps(void **state)
{
	struct kvs_reading r;
	struct kvs_model m;

	kvs_model_init(&m, KVS_MODE_DEBUGFS, "6.12", 4096);
	for (uint64_t i = 0; i < KVS_HISTORY + 5; i++) {
		debugfs_reading(&r, 11 + (double)i, i, i, 0, 0, 0, 0, 0, 0);
		fold(&m, KVS_MODE_DEBUGFS, &r, NULL);
	}
	assert_int_equal(m.history_len, KVS_HISTORY);
	assert_int_equal(kvs_model_history(&m, 0), 5);
	assert_int_equal(kvs_model_history(&m, KVS_HISTORY - 1), KVS_HISTORY + 4);
	kvs_model_free(&m);
}

/* Callers bucketed by name (as the BPF source does for many stack ids), top 2 + other. */
static void test_top_other(void **state)
{
	struct kvs_top_entry rows[2], other;
	struct kvs_rows a = { 0 };
	struct kvs_reading r;
	struct kvs_model m;

	assert_int_equal(kvs_rows_add(&a, "alloc_thread_stack_node", 10, 5, NULL, NULL), 0);
	assert_int_equal(kvs_rows_add(&a, "__bpf_map_area_alloc", 30, 1, NULL, NULL), 0);
	assert_int_equal(kvs_rows_add(&a, "alloc_thread_stack_node", 10, 5, NULL, NULL), 0);
	assert_int_equal(kvs_rows_add(&a, "load_module", 5, 2, NULL, NULL), 0);
	assert_int_equal(kvs_rows_add(&a, "execmem_alloc", 1, 100, NULL, NULL), 0);
	assert_int_equal(a.nr, 4);

	kvs_model_init(&m, KVS_MODE_EXACT, "6.12", 4096);
	exact(&r, 11, 0, 0, 0, 0);
	assert_int_equal(kvs_rows_to_list(&a, &r.callers), 0);
	r.callers.dropped_pages = 7;
	r.callers.dropped_calls = 1;
	fold(&m, KVS_MODE_EXACT, &r, NULL);
	kvs_reading_free(&r);
	kvs_rows_free(&a);

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
	struct kvs_reading r;
	struct kvs_model m;

	kvs_model_init(&m, KVS_MODE_EXACT, "6.12", 4096);
	exact(&r, 11, 0, 0, 0, 0);
	r.callers.e = e1;
	r.callers.nr = 2;
	fold(&m, KVS_MODE_EXACT, &r, NULL);
	r.callers.e = e2;
	r.mono = 12;
	fold(&m, KVS_MODE_EXACT, &r, NULL);
	assert_int_equal(kvs_top_fold(&m.callers, 1, KVS_SORT_RATE, rows, &other), 1);
	assert_string_equal(rows[0].name, "a");
	assert_int_equal(rows[0].delta_pages_populated, 30);
	assert_int_equal(other.delta_pages_populated, 1);
	kvs_model_free(&m);
}

/* ---- kvshadowstat: debugfs mode, counters since boot ---- */

static void test_since_boot_first_row(void **state)
{
	struct kvs_reading r;
	struct kvs_model m;

	kvs_model_init(&m, KVS_MODE_DEBUGFS, "6.12", 4096);
	debugfs_reading(&r, 100, 63, 63, 140, 77, 148, 37, 0, 6);
	fold(&m, KVS_MODE_DEBUGFS, &r, NULL);
	assert_true(m.since_boot);
	/* The first row's interval is the uptime, its deltas the values since boot. */
	assert_float_equal(m.interval_s, 100, 1e-9);
	for (size_t i = 0; i < KVS_NR_DEBUGFS; i++)
		assert_int_equal(m.delta[i], kvs_counter_get(&r.debugfs, i));
	assert_int_equal(m.shadow_bytes, 63 * 4096);
	assert_false(m.peak_reset);
	assert_int_equal(m.counter_back, -1);
	assert_true(m.known == KVS_DEBUGFS_COUNTERS);
	kvs_model_free(&m);
}

static void test_since_boot_interval(void **state)
{
	struct kvs_reading a, b;
	struct kvs_model m;

	kvs_model_init(&m, KVS_MODE_DEBUGFS, "6.12", 4096);
	debugfs_reading(&a, 100, 63, 63, 140, 77, 148, 37, 0, 6);
	debugfs_reading(&b, 102, 70, 80, 160, 90, 170, 40, 1, 9);
	fold(&m, KVS_MODE_DEBUGFS, &a, NULL);
	fold(&m, KVS_MODE_DEBUGFS, &b, NULL);
	assert_float_equal(m.interval_s, 2, 1e-9);
	assert_int_equal(m.delta[KVS_ID_shadow_pages], 7);
	assert_int_equal(m.delta[KVS_ID_shadow_pages_peak], 17);
	assert_int_equal(m.delta[KVS_ID_pages_populated], 20);
	assert_int_equal(m.delta[KVS_ID_pages_released], 13);
	assert_int_equal(m.delta[KVS_ID_pages_allocated], 22);
	assert_int_equal(m.delta[KVS_ID_populate_calls], 3);
	assert_int_equal(m.delta[KVS_ID_populate_failures], 1);
	assert_int_equal(m.delta[KVS_ID_release_calls], 3);
	assert_false(m.peak_reset);
	assert_int_equal(m.counter_back, -1);

	/* The other way round: shadow_pages may drop, counters must not. */
	a.mono = 103;
	fold(&m, KVS_MODE_DEBUGFS, &a, NULL);
	assert_int_equal(m.delta[KVS_ID_shadow_pages], -7);
	assert_true(m.peak_reset);
	assert_int_equal(m.counter_back, KVS_ID_pages_populated);	/* the first counter */
	kvs_model_free(&m);
}

static void test_since_boot_peak_reset(void **state)
{
	struct kvs_reading a, b;
	struct kvs_model m;

	kvs_model_init(&m, KVS_MODE_DEBUGFS, "6.12", 4096);
	debugfs_reading(&a, 10, 50, 400, 140, 77, 148, 37, 0, 6);
	debugfs_reading(&b, 11, 50, 50, 140, 77, 148, 37, 0, 6);
	fold(&m, KVS_MODE_DEBUGFS, &a, NULL);
	fold(&m, KVS_MODE_DEBUGFS, &b, NULL);
	assert_true(m.peak_reset);
	assert_int_equal(m.delta[KVS_ID_shadow_pages_peak], -350);
	assert_int_equal(m.counter_back, -1);
	kvs_model_free(&m);
}

/* Every view multiplies through the model: one saturating rule. */
/* --self-stats: ns per run and runs per second over each interval, CPU % of one core. */
static void test_self_cost(void **state)
{
	struct kvs_reading base, r1, r2;
	struct kvs_model m;

	kvs_model_init(&m, KVS_MODE_EXACT, "6.12", 4096);
	exact(&base, 10, 0, 0, 0, 100);
	base.self.cpu_s = 1.0;
	exact(&r1, 12, 0, 0, 0, 100);
	r1.have_self = true;
	r1.self = (struct kvs_self){ .nr = 2, .cpu_s = 1.02, .rss_bytes = 8 << 20 };
	r1.self.prog[0] = (struct kvs_prog_cost){ "alloc", 4000, 2000000 };
	r1.self.prog[1] = (struct kvs_prog_cost){ "free", 0, 0 };
	fold(&m, KVS_MODE_EXACT, &r1, &base);
	assert_true(m.have_self);
	/* The first interval: since statistics were enabled. */
	assert_true(m.self_ns_per_run[0] == 500);
	assert_true(m.self_runs_rate[0] == 2000);
	assert_true(isnan(m.self_ns_per_run[1]));
	assert_true(isnan(m.self_cpu_percent));

	exact(&r2, 13, 0, 0, 0, 100);
	r2.have_self = true;
	r2.self = (struct kvs_self){ .nr = 2, .cpu_s = 1.023, .rss_bytes = 8 << 20 };
	r2.self.prog[0] = (struct kvs_prog_cost){ "alloc", 5000, 2300000 };
	r2.self.prog[1] = (struct kvs_prog_cost){ "free", 10, 2500 };
	fold(&m, KVS_MODE_EXACT, &r2, &base);
	assert_true(fabs(m.self_ns_per_run[0] - 300) < 1e-9);
	assert_true(fabs(m.self_runs_rate[0] - 1000) < 1e-9);
	assert_true(fabs(m.self_ns_per_run[1] - 250) < 1e-9);
	assert_true(fabs(m.self_cpu_percent - 0.3) < 1e-6);

	/* Off: nothing to show. */
	exact(&r1, 14, 0, 0, 0, 100);
	fold(&m, KVS_MODE_EXACT, &r1, &base);
	assert_false(m.have_self);
	kvs_model_free(&m);
}

static void test_bytes_saturate(void **state)
{
	struct kvs_reading r;
	struct kvs_model m;

	kvs_model_init(&m, KVS_MODE_DEBUGFS, "6.12", 4096);
	debugfs_reading(&r, 1, 4503599627370496ULL, UINT64_MAX, 0, 0, 0, 0, 0, 0);
	fold(&m, KVS_MODE_DEBUGFS, &r, NULL);
	assert_true(m.shadow_bytes == UINT64_MAX);
	assert_true(m.shadow_peak_bytes == UINT64_MAX);
	kvs_model_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deltas_and_rates),
		cmocka_unit_test(test_drift),
		cmocka_unit_test(test_busy_start),
		cmocka_unit_test(test_history_wraps),
		cmocka_unit_test(test_top_other),
		cmocka_unit_test(test_top_deltas),
		cmocka_unit_test(test_since_boot_first_row),
		cmocka_unit_test(test_since_boot_interval),
		cmocka_unit_test(test_since_boot_peak_reset),
		cmocka_unit_test(test_bytes_saturate),
		cmocka_unit_test(test_self_cost),
	};

	return cmocka_run_group_tests_name("model", tests, NULL, NULL);
}
