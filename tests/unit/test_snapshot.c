// SPDX-License-Identifier: GPL-2.0
/*
 * The pure step (snapshot.c) for every mode: what is known, baseline
 * subtraction of counters, histograms and attribution rows alike, and the
 * absolute shadow_pages each mode gets from its own source.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kvs_test.h"

static struct kvs_top_entry *row(struct kvs_snapshot *s, const char *name)
{
	for (size_t i = 0; i < s->callers.nr; i++)
		if (!strcmp(s->callers.e[i].name, name))
			return &s->callers.e[i];
	return NULL;
}

static uint64_t rows_pages(const struct kvs_top_list *l)
{
	uint64_t n = l->dropped_pages;

	for (size_t i = 0; i < l->nr; i++)
		n += l->e[i].pages_populated;
	return n;
}

static uint64_t rows_calls(const struct kvs_top_list *l)
{
	uint64_t n = l->dropped_calls;

	for (size_t i = 0; i < l->nr; i++)
		n += l->e[i].populate_calls;
	return n;
}

/*
 * The defect this guards against: BPF keeps rows since attach, the
 * baseline comes a moment later; at idle the table showed
 * "execmem_alloc 3 calls" under populate_calls 0.
 */
static void test_exact_baseline(void **state)
{
	struct kvs_top_entry base_rows[] = {
		{ .name = "execmem_alloc", .pages_populated = 3, .populate_calls = 3 },
		{ .name = "copy_process", .pages_populated = 4, .populate_calls = 2 },
	};
	struct kvs_top_entry now_rows[] = {
		{ .name = "copy_process", .pages_populated = 10, .populate_calls = 5 },
		{ .name = "execmem_alloc", .pages_populated = 3, .populate_calls = 3 },
		{ .name = "vmalloc_user", .pages_populated = 2, .populate_calls = 1 },
	};
	struct kvs_reading base = { .mono = 5, .have_bpf = true, .have_debugfs = true, .aligned = true };
	struct kvs_reading now = { .mono = 7, .have_bpf = true, .have_debugfs = true };
	struct kvs_snapshot s;

	base.bpf = (struct kvs_counters){ .populate_calls = 5, .pages_populated = 7,
		.pages_allocated = 9, .release_calls = 1, .pages_released = 2,
		.vmap_area_allocs = 11 };
	base.bpf_net = 5;
	base.bpf_net_peak = 5;
	base.debugfs.shadow_pages = 1000;
	base.callers = (struct kvs_top_list){ .e = base_rows, .nr = 2, .available = true,
					      .dropped_pages = 1, .dropped_calls = 1 };
	now.bpf = (struct kvs_counters){ .populate_calls = 5 + 4, .pages_populated = 7 + 8,
		.pages_allocated = 9 + 12, .release_calls = 1 + 2, .pages_released = 2 + 3,
		.vmap_area_allocs = 11 + 6, .populate_failures = 1 };
	now.bpf_net = 5 + 8 - 3;
	now.bpf_net_peak = 5 + 8;
	now.debugfs.shadow_pages = 1005;
	now.callers = (struct kvs_top_list){ .e = now_rows, .nr = 3, .available = true,
					     .dropped_pages = 1, .dropped_calls = 1 };

	assert_int_equal(kvs_snapshot_compute(KVS_MODE_EXACT, &now, &base, &s), 0);
	/* Without --slow the slow-call counter is unknown, not zero. */
	assert_true(s.known == (KVS_ALL_COUNTERS & ~KVS_BIT(KVS_ID_slow_vmalloc)));
	assert_false(s.since_boot);
	assert_int_equal(s.c.populate_calls, 4);
	assert_int_equal(s.c.pages_populated, 8);
	assert_int_equal(s.c.pages_allocated, 12);
	assert_int_equal(s.c.release_calls, 2);
	assert_int_equal(s.c.pages_released, 3);
	assert_int_equal(s.c.populate_failures, 1);
	assert_int_equal(s.c.vmap_area_allocs, 6);
	/* shadow_pages: the kernel's at the baseline plus the net change since. */
	assert_int_equal(s.c.shadow_pages, 1005);
	assert_int_equal(s.c.shadow_pages_peak, 1008);
	assert_true(s.drift_valid);
	assert_int_equal(s.drift_pages, 0);
	/* Rows since the baseline: execmem_alloc did nothing since, so it is gone. */
	assert_int_equal(s.callers.nr, 2);
	assert_null(row(&s, "execmem_alloc"));
	assert_int_equal(row(&s, "copy_process")->pages_populated, 6);
	assert_int_equal(row(&s, "copy_process")->populate_calls, 3);
	assert_int_equal(row(&s, "vmalloc_user")->pages_populated, 2);
	assert_int_equal(s.callers.dropped_pages, 0);
	assert_int_equal(s.callers.dropped_calls, 0);
	/* The table and the counters above it count the same calls. */
	assert_int_equal(rows_pages(&s.callers), s.c.pages_populated);
	assert_int_equal(rows_calls(&s.callers), s.c.populate_calls);
	kvs_snapshot_free(&s);
}

/*
 * Everything the model reads crosses the pure step: counts since start
 * (events_lost too: the drops before the baseline are not this run's),
 * states of the instant as they are, and copies of the reading's arrays,
 * so the reading can be freed right after the step.
 */
static void test_passthrough(void **state)
{
	struct kvs_slow_rec slow[2] = { { .pid = 1, .vmalloc_ns = 5 }, { .pid = 2, .vmalloc_ns = 7 } };
	struct kvs_reading base = { .mono = 1, .have_bpf = true, .have_estimate = true,
				    .have_debugfs = true, .events_lost = 4 };
	struct kvs_reading now = { .mono = 2, .have_bpf = true, .have_estimate = true,
				   .have_debugfs = true, .events_lost = 10 };
	struct kvs_snapshot s;

	base.debugfs.shadow_pages = 100;
	now.debugfs.shadow_pages = 120;
	now.debugfs_extra = calloc(1, sizeof(*now.debugfs_extra));
	assert_non_null(now.debugfs_extra);
	now.debugfs_extra[0] = (struct kvs_kv){ .key = strdup("newer_key"), .value = 9 };
	assert_non_null(now.debugfs_extra[0].key);
	now.nr_debugfs_extra = 1;
	now.slow = malloc(sizeof(slow));
	assert_non_null(now.slow);
	memcpy(now.slow, slow, sizeof(slow));
	now.nr_slow = 2;
	now.have_slow = true;
	now.slow_lost = 3;
	now.have_vmalloc_used = true;
	now.vmalloc_used_bytes = 1 << 20;
	now.hist_available[KVS_HIST_VMALLOC] = true;
	now.hist_source[KVS_HIST_VMALLOC] = "fentry";
	snprintf(now.hist_why[KVS_HIST_POPULATE], KVS_WHY_LEN, "no kasan events");
	now.have_walk = true;
	now.walk.walked = 11;
	now.have_self = true;
	now.self.cpu_s = 1.5;
	now.have_purge_crossed = now.purge_crossed = true;
	now.unknown_frees = 6;
	now.estimate_reseeds = 2;
	now.ring_buffer_bytes = 4096;
	snprintf(now.unavailable.bpf, KVS_WHY_LEN, "no BTF");

	assert_int_equal(kvs_snapshot_compute(KVS_MODE_ESTIMATE, &now, &base, &s), 0);
	assert_int_equal(s.events_lost, 6);
	assert_true(s.have_debugfs_base);
	assert_int_equal(s.debugfs_base.shadow_pages, 100);
	kvs_reading_free(&now);
	kvs_reading_free(&base);

	assert_true(s.pass.have_debugfs);
	assert_int_equal(s.pass.debugfs.shadow_pages, 120);
	assert_int_equal(s.pass.nr_debugfs_extra, 1);
	assert_string_equal(s.pass.debugfs_extra[0].key, "newer_key");
	assert_int_equal(s.pass.debugfs_extra[0].value, 9);
	assert_true(s.pass.have_slow);
	assert_int_equal(s.pass.nr_slow, 2);
	assert_int_equal(s.pass.slow[1].vmalloc_ns, 7);
	assert_int_equal(s.pass.slow_lost, 3);
	assert_true(s.pass.have_vmalloc_used);
	assert_int_equal(s.pass.vmalloc_used_bytes, 1 << 20);
	assert_true(s.pass.hist_available[KVS_HIST_VMALLOC]);
	assert_string_equal(s.pass.hist_source[KVS_HIST_VMALLOC], "fentry");
	assert_string_equal(s.pass.hist_why[KVS_HIST_POPULATE], "no kasan events");
	assert_true(s.pass.have_walk);
	assert_int_equal(s.pass.walk.walked, 11);
	assert_true(s.pass.have_self);
	assert_true(s.pass.self.cpu_s == 1.5);
	assert_true(s.pass.purge_crossed);
	assert_int_equal(s.pass.unknown_frees, 6);
	assert_int_equal(s.pass.estimate_reseeds, 2);
	assert_int_equal(s.pass.ring_buffer_bytes, 4096);
	assert_string_equal(s.pass.unavailable.bpf, "no BTF");
	kvs_snapshot_free(&s);
}

/* No baseline (since boot): events_lost as the reading has it. */
static void test_events_lost_since_boot(void **state)
{
	struct kvs_reading now = { .mono = 2, .have_debugfs = true, .events_lost = 5 };
	struct kvs_snapshot s;

	assert_int_equal(kvs_snapshot_compute(KVS_MODE_DEBUGFS, &now, NULL, &s), 0);
	assert_int_equal(s.events_lost, 5);
	assert_false(s.have_debugfs_base);
	kvs_snapshot_free(&s);
}

/* Nothing happened since the baseline: every counter and row is 0. */
static void test_exact_idle(void **state)
{
	struct kvs_top_entry rows[] = {
		{ .name = "execmem_alloc", .pages_populated = 3, .populate_calls = 3 },
	};
	struct kvs_reading r = { .mono = 5, .have_bpf = true, .have_debugfs = true };
	struct kvs_snapshot s;

	r.bpf.populate_calls = 3;
	r.bpf.pages_populated = 3;
	r.bpf_net = r.bpf_net_peak = 3;
	r.debugfs.shadow_pages = 137;
	r.callers = (struct kvs_top_list){ .e = rows, .nr = 1, .available = true };
	assert_int_equal(kvs_snapshot_compute(KVS_MODE_EXACT, &r, &r, &s), 0);
	for (size_t i = 0; i < KVS_NR_COUNTERS; i++)
		if (i != KVS_ID_shadow_pages && i != KVS_ID_shadow_pages_peak)
			assert_int_equal(kvs_counter_get(&s.c, i), 0);
	assert_int_equal(s.c.shadow_pages, 137);
	assert_int_equal(s.c.shadow_pages_peak, 137);
	assert_int_equal(s.callers.nr, 0);
	kvs_snapshot_free(&s);
}

/* Without the kernel's absolute number at the baseline, shadow_pages is unknown, not invented. */
static void test_exact_without_debugfs(void **state)
{
	struct kvs_reading r = { .mono = 5, .have_bpf = true };
	struct kvs_snapshot s;

	r.bpf_net = 40;
	assert_int_equal(kvs_snapshot_compute(KVS_MODE_EXACT, &r, &r, &s), 0);
	assert_false(s.known & KVS_BIT(KVS_ID_shadow_pages));
	assert_false(s.known & KVS_BIT(KVS_ID_shadow_pages_peak));
	assert_true(s.known & KVS_BIT(KVS_ID_pages_populated));
	assert_false(s.drift_valid);
	kvs_snapshot_free(&s);
}

/*
 * Stock mode: the page tables' count at the baseline is the start, BPF's
 * net change moves it; a later quiet walk is the second view (drift).
 */
static void test_stock(void **state)
{
	struct kvs_top_entry base_rows[] = {
		{ .name = "alloc_thread_stack_node", .pages_populated = 2, .populate_calls = 2 },
	};
	struct kvs_top_entry now_rows[] = {
		{ .name = "alloc_thread_stack_node", .pages_populated = 6, .populate_calls = 4 },
		{ .name = "kvshadow_wl_aligned [kvshadow_workload]", .pages_populated = 16,
		  .populate_calls = 1 },
	};
	struct kvs_reading base = { .mono = 5, .have_bpf = true, .have_ptwalk = true, .aligned = true,
				    .ptwalk_quiet = true, .ptwalk_pages = 500, .ptwalk_net = 3 };
	struct kvs_reading now = { .mono = 8, .have_bpf = true, .have_ptwalk = true,
				   .ptwalk_quiet = true, .ptwalk_pages = 517, .ptwalk_net = 20 };
	struct kvs_snapshot s;

	base.bpf = (struct kvs_counters){ .populate_calls = 2, .pages_populated = 3,
		.pages_released = 0, .vmap_area_allocs = 2 };
	base.bpf_net = 3;
	base.bpf_net_peak = 3;
	base.callers = (struct kvs_top_list){ .e = base_rows, .nr = 1, .available = true };
	now.bpf = (struct kvs_counters){ .populate_calls = 2 + 3, .pages_populated = 3 + 20,
		.pages_released = 4, .vmap_area_allocs = 2 + 3,
		/* Not known in stock mode: whatever BPF holds there is not shown. */
		.pages_allocated = 77, .release_calls = 9, .populate_failures = 1 };
	now.bpf_net = 3 + 20 - 4;
	now.bpf_net_peak = 3 + 20;
	now.callers = (struct kvs_top_list){ .e = now_rows, .nr = 2, .available = true };

	assert_int_equal(kvs_snapshot_compute(KVS_MODE_STOCK, &now, &base, &s), 0);
	assert_false(s.known & KVS_BIT(KVS_ID_pages_allocated));
	assert_false(s.known & KVS_BIT(KVS_ID_populate_failures));
	assert_false(s.known & KVS_BIT(KVS_ID_release_calls));
	assert_true(s.known & KVS_BIT(KVS_ID_shadow_pages));
	assert_true(s.known & KVS_BIT(KVS_ID_pages_released));
	assert_int_equal(s.c.populate_calls, 3);
	assert_int_equal(s.c.pages_populated, 20);
	assert_int_equal(s.c.pages_released, 4);
	assert_int_equal(s.c.pages_allocated, 0);
	/* 500 at the walk when BPF's net was 3: 497 + 19 now, peak 497 + 23. */
	assert_int_equal(s.c.shadow_pages, 516);
	assert_int_equal(s.c.shadow_pages_peak, 520);
	/* The last walk (net 20 then: 517 expected) found 517: no drift. */
	assert_true(s.have_pagetable);
	assert_int_equal(s.pagetable_pages, 517);
	assert_true(s.drift_valid);
	assert_int_equal(s.drift_pages, 0);
	/* Attribution since the baseline agrees with the counters. */
	assert_int_equal(rows_pages(&s.callers), s.c.pages_populated);
	assert_int_equal(rows_calls(&s.callers), s.c.populate_calls);
	kvs_snapshot_free(&s);

	/* A walk that found other than BPF's count: that is drift. */
	now.ptwalk_pages = 510;
	assert_int_equal(kvs_snapshot_compute(KVS_MODE_STOCK, &now, &base, &s), 0);
	assert_int_equal(s.drift_pages, 7);
	kvs_snapshot_free(&s);
	/* A busy walk says nothing: no page-table view, no drift. */
	now.ptwalk_quiet = false;
	assert_int_equal(kvs_snapshot_compute(KVS_MODE_STOCK, &now, &base, &s), 0);
	assert_false(s.have_pagetable);
	assert_false(s.drift_valid);
	assert_int_equal(s.c.shadow_pages, 516);
	kvs_snapshot_free(&s);
	/* Where debugfs exists (our kernel, stock mode forced), it is the second view. */
	now.have_debugfs = true;
	now.debugfs.shadow_pages = 515;
	assert_int_equal(kvs_snapshot_compute(KVS_MODE_STOCK, &now, &base, &s), 0);
	assert_true(s.drift_valid);
	assert_int_equal(s.drift_pages, 1);
	kvs_snapshot_free(&s);
	/* A baseline without a quiet walk has no start: shadow_pages is unknown, not 0. */
	base.ptwalk_quiet = false;
	assert_int_equal(kvs_snapshot_compute(KVS_MODE_STOCK, &now, &base, &s), 0);
	assert_false(s.known & KVS_BIT(KVS_ID_shadow_pages));
	assert_int_equal(s.c.populate_calls, 3);
	kvs_snapshot_free(&s);
}

static void test_estimate(void **state)
{
	struct kvs_reading base = { .mono = 1, .have_bpf = true, .have_estimate = true };
	struct kvs_reading now = { .mono = 2, .have_bpf = true, .have_estimate = true };
	struct kvs_snapshot s;

	base.est = (struct kvs_counters){ .shadow_pages = 120, .shadow_pages_peak = 120,
		.pages_populated = 2, .populate_calls = 2, .pages_allocated = 3 };
	base.bpf.vmap_area_allocs = 4;
	now.est = (struct kvs_counters){ .shadow_pages = 130, .shadow_pages_peak = 135,
		.pages_populated = 20, .populate_calls = 12, .pages_allocated = 30,
		.pages_released = 8, .release_calls = 3 };
	now.bpf.vmap_area_allocs = 14;
	now.bpf.vmap_purges = 1;
	now.bpf.populate_failures = 99;		/* not a number estimate mode has */
	assert_int_equal(kvs_snapshot_compute(KVS_MODE_ESTIMATE, &now, &base, &s), 0);
	assert_false(s.known & KVS_BIT(KVS_ID_populate_failures));
	assert_int_equal(s.c.populate_failures, 0);
	assert_int_equal(s.c.shadow_pages, 130);
	assert_int_equal(s.c.shadow_pages_peak, 135);
	assert_int_equal(s.c.pages_populated, 18);
	assert_int_equal(s.c.populate_calls, 10);
	assert_int_equal(s.c.pages_allocated, 27);
	assert_int_equal(s.c.pages_released, 8);
	assert_int_equal(s.c.release_calls, 3);
	assert_int_equal(s.c.vmap_area_allocs, 10);
	assert_int_equal(s.c.vmap_purges, 1);
	assert_false(s.drift_valid);
	kvs_snapshot_free(&s);
}

static void test_debugfs(void **state)
{
	struct kvs_reading base, now;
	struct kvs_snapshot s;

	debugfs_reading(&base, 1, 63, 70, 140, 77, 148, 37, 0, 6);
	debugfs_reading(&now, 2, 65, 90, 150, 85, 160, 40, 1, 8);
	assert_int_equal(kvs_snapshot_compute(KVS_MODE_DEBUGFS, &now, &base, &s), 0);
	assert_true(s.known == KVS_DEBUGFS_COUNTERS);
	assert_int_equal(s.c.shadow_pages, 65);
	assert_int_equal(s.c.shadow_pages_peak, 90);	/* the kernel's own, since boot or reset */
	assert_int_equal(s.c.pages_populated, 10);
	assert_int_equal(s.c.pages_released, 8);
	assert_int_equal(s.c.pages_allocated, 12);
	assert_int_equal(s.c.populate_calls, 3);
	assert_int_equal(s.c.populate_failures, 1);
	assert_int_equal(s.c.release_calls, 2);
	assert_false(s.drift_valid);
	assert_int_equal(s.callers.nr, 0);
	kvs_snapshot_free(&s);

	/* No baseline: since boot, as the kernel counts. */
	assert_int_equal(kvs_snapshot_compute(KVS_MODE_DEBUGFS, &now, NULL, &s), 0);
	assert_true(s.since_boot);
	assert_int_equal(s.c.pages_populated, 150);
	assert_int_equal(s.c.release_calls, 8);
	kvs_snapshot_free(&s);

	/* The file went away: nothing is known, nothing is made up. */
	now.have_debugfs = false;
	assert_int_equal(kvs_snapshot_compute(KVS_MODE_DEBUGFS, &now, &base, &s), 0);
	assert_true(s.known == 0);
	kvs_snapshot_free(&s);
}

static void test_hist_since(void **state)
{
	struct kvs_reading base = { .mono = 1, .have_bpf = true };
	struct kvs_reading now = { .mono = 2, .have_bpf = true };
	struct kvs_snapshot s;

	base.hist[KVS_HIST_VMALLOC].slots[10] = 5;
	base.hist[KVS_HIST_VMALLOC].count = 5;
	base.hist[KVS_HIST_VMALLOC].sum_ns = 5000;
	now.hist[KVS_HIST_VMALLOC].slots[10] = 7;
	now.hist[KVS_HIST_VMALLOC].slots[12] = 1;
	now.hist[KVS_HIST_VMALLOC].count = 8;
	now.hist[KVS_HIST_VMALLOC].sum_ns = 12000;
	assert_int_equal(kvs_snapshot_compute(KVS_MODE_ESTIMATE, &now, &base, &s), 0);
	assert_int_equal(s.hist[KVS_HIST_VMALLOC].slots[10], 2);
	assert_int_equal(s.hist[KVS_HIST_VMALLOC].slots[12], 1);
	assert_int_equal(s.hist[KVS_HIST_VMALLOC].count, 3);
	assert_int_equal(s.hist[KVS_HIST_VMALLOC].sum_ns, 7000);
	kvs_snapshot_free(&s);
}

static void test_mode_names(void **state)
{
	assert_string_equal(kvs_mode_name(KVS_MODE_EXACT), "exact");
	assert_string_equal(kvs_mode_name(KVS_MODE_ESTIMATE), "estimate");
	assert_string_equal(kvs_mode_name(KVS_MODE_DEBUGFS), "debugfs");
	assert_string_equal(kvs_mode_name(KVS_NR_MODES), "unknown");
	for (int m = 0; m < KVS_NR_MODES; m++) {
		assert_true(strlen(kvs_mode_label(m)) > 0);
		assert_true(strlen(kvs_modes[m].source) > 0);
		assert_true(strlen(kvs_modes[m].prom) > 0);
	}
	assert_string_equal(kvs_hist_name(KVS_HIST_POPULATE), "populate");
	assert_string_equal(kvs_hist_name(KVS_HIST_VMALLOC), "vmalloc");
}

/*
 * Stock mode started while KASAN changed the page tables: the baseline's
 * walk was not quiet, so shadow_pages is unknown, not guessed, until the
 * first quiet walk, which becomes the starting point.
 */
static void test_stock_busy_start(void **state)
{
	struct kvs_reading base = { .mono = 5, .have_bpf = true, .have_ptwalk = true,
				    .ptwalk_pages = 480, .ptwalk_net = 1 };
	struct kvs_reading now = { .mono = 8, .have_bpf = true, .have_ptwalk = true,
				   .ptwalk_pages = 530, .ptwalk_net = 40, .bpf_net = 41 };
	struct kvs_snapshot s;

	assert_false(kvs_reading_aligned(KVS_MODE_STOCK, &base));
	assert_false(kvs_baseline_align(KVS_MODE_STOCK, &base, &now));
	assert_int_equal(kvs_snapshot_compute(KVS_MODE_STOCK, &now, &base, &s), 0);
	assert_true(s.baseline_pending);
	assert_false(s.known & KVS_BIT(KVS_ID_shadow_pages));
	assert_false(s.drift_valid);
	kvs_snapshot_free(&s);

	now.ptwalk_quiet = true;
	assert_true(kvs_baseline_align(KVS_MODE_STOCK, &base, &now));
	assert_int_equal(kvs_snapshot_compute(KVS_MODE_STOCK, &now, &base, &s), 0);
	assert_false(s.baseline_pending);
	/* The walk's 530 at net 40, and one page populated after it (net 41). */
	assert_int_equal(s.c.shadow_pages, 531);
	assert_true(s.drift_valid);
	assert_int_equal(s.drift_pages, 0);
	kvs_snapshot_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact_baseline),
		cmocka_unit_test(test_passthrough),
		cmocka_unit_test(test_events_lost_since_boot),
		cmocka_unit_test(test_exact_idle),
		cmocka_unit_test(test_exact_without_debugfs),
		cmocka_unit_test(test_stock),
		cmocka_unit_test(test_stock_busy_start),
		cmocka_unit_test(test_estimate),
		cmocka_unit_test(test_debugfs),
		cmocka_unit_test(test_hist_since),
		cmocka_unit_test(test_mode_names),
	};

	return cmocka_run_group_tests_name("snapshot", tests, NULL, NULL);
}
