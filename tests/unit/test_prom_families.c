// SPDX-License-Identifier: GPL-2.0
/*
 * lib/kvshadow_prom (the kvshadow families), its debugfs mapping and
 * lib/meminfo: names as in docs/interfaces.md §3, families left out when
 * the mode cannot know them, top-N callers + "other" as a true counter,
 * no kernel address in a label, estimates labelled as such.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "test_prom_text.h"

#include "kvshadow_prom.h"
#include "kvshadow_prom_debugfs.h"
#include "meminfo.h"

/* Renders into the static text buffer; returns the render's result. */
static int render(const struct kvshadow_prom *p, struct kvshadow_prom_state *st)
{
	struct promtext *pt = promtext_new();
	const char *data;
	size_t len;
	int r;

	assert_non_null(pt);
	r = kvshadow_prom_render(pt, p, st);
	text[0] = '\0';
	if (!r && !promtext_finish(pt, &data, &len)) {
		assert_true(len < sizeof(text));
		memcpy(text, data, len + 1);
	}
	promtext_free(pt);
	return r;
}

static void test_debugfs_mapping(void **state)
{
	struct vmalloc_shadow vs = {
		.shadow_pages = 63, .shadow_pages_peak = 70, .pages_populated = 140,
		.pages_released = 77, .pages_allocated = 148, .populate_calls = 37,
		.populate_failures = 1, .release_calls = 6,
	};
	uint64_t used = 4096 * 63 * 8;
	struct kvshadow_prom p;

	kvshadow_prom_from_debugfs(&p, &vs, 4096, &used);
	p.kernel = "6.12.0";
	assert_int_equal(render(&p, NULL), 0);
	assert_has("kvshadow_info{mode=\"debugfs\",kernel=\"6.12.0\"} 1\n");
	assert_has("\nkvshadow_shadow_bytes 258048\n");
	assert_has("\nkvshadow_shadow_peak_bytes 286720\n");
	assert_has("\nkvshadow_shadow_populated_bytes_total 573440\n");
	assert_has("\nkvshadow_shadow_released_bytes_total 315392\n");
	assert_has("\nkvshadow_populate_calls_total 37\n");
	assert_has("\nkvshadow_populate_failures_total 1\n");
	assert_has("\nkvshadow_release_calls_total 6\n");
	assert_has("\nkvshadow_vmalloc_used_bytes 2064384\n");
	assert_has("\nkvshadow_shadow_overhead_ratio 0.125\n");
	assert_has("# TYPE kvshadow_populate_calls_total counter\n");
	/* What debugfs cannot know is absent, not 0. */
	assert_lacks("duration_seconds");
	assert_lacks("by_caller");
	assert_lacks("drift");

	kvshadow_prom_from_debugfs(&p, &vs, 4096, NULL);
	assert_int_equal(render(&p, NULL), 0);
	assert_lacks("vmalloc_used");
	assert_lacks("overhead");
	/* uname -r when no kernel is given. */
	assert_has("kvshadow_info{mode=\"debugfs\",kernel=\"");
	assert_lacks("kernel=\"\"");
}

static void test_modes(void **state)
{
	struct kvshadow_prom p = { .mode = "estimate", .kernel = "k" };

	kvshadow_prom_set(&p, KVSHADOW_SHADOW_BYTES, 1);
	kvshadow_prom_set(&p, KVSHADOW_VMALLOC_USED_BYTES, 8);
	assert_int_equal(render(&p, NULL), 0);
	assert_has("kvshadow_info{mode=\"estimate\",kernel=\"k\"} 1\n");
	/* An estimate says so where a reader of the file sees it... */
	assert_has("# HELP kvshadow_shadow_bytes ESTIMATE");
	assert_has("# HELP kvshadow_shadow_overhead_ratio ESTIMATE");
	/* ...and a measurement does not pretend to be one. */
	assert_has("# HELP kvshadow_vmalloc_used_bytes VmallocUsed");
	p.mode = "exact";
	assert_int_equal(render(&p, NULL), 0);
	assert_lacks("ESTIMATE");
	p.mode = "guess";
	assert_int_equal(render(&p, NULL), -EINVAL);
	p.mode = NULL;
	assert_int_equal(render(&p, NULL), -EINVAL);
}

static void test_callers(void **state)
{
	const struct kvshadow_prom_caller c[] = {
		{ "bpf_map_area_alloc+0x1a/0x30", 4096 },
		{ "bpf_map_area_alloc+0x40/0x80", 8192 },	/* merges: 12288 */
		{ "0xffffffffc0a01234", 40960 },
		{ "ffffffff81234567", 40960 },
		{ "load_module [kernel]", 8192 },
		{ "alloc_thread_stack_node", 2048 },
		{ "other", 1000 },
		{ "", 1 },
	};
	struct kvshadow_prom p = { .mode = "exact", .kernel = "k", .has_callers = true,
				   .callers = c, .ncallers = 8, .top_n = 3 };
	struct kvshadow_prom_state st = { 0 };

	assert_int_equal(render(&p, &st), 0);
	assert_lacks("0x");
	assert_lacks("ffffffff");
	/* The two address-like callers merge into "unknown": 81920 + 1. */
	assert_has("by_caller_total{caller=\"unknown\"} 81921\n");
	assert_has("by_caller_total{caller=\"bpf_map_area_alloc\"} 12288\n");
	assert_has("by_caller_total{caller=\"load_module [kernel]\"} 8192\n");
	/* Fourth and on, and a symbol called "other": in other. */
	assert_lacks("alloc_thread_stack_node");
	assert_has("by_caller_total{caller=\"other\"} 3048\n");
	assert_int_equal(st.other_bytes, 3048);

	/* The populated counter knows more than the (bounded) list. */
	kvshadow_prom_set(&p, KVSHADOW_POPULATED_BYTES, 200000);
	assert_int_equal(render(&p, &st), 0);
	assert_has("by_caller_total{caller=\"other\"} 97599\n");
	/* Other never goes down between intervals. */
	p.has[KVSHADOW_POPULATED_BYTES] = false;
	assert_int_equal(render(&p, &st), 0);
	assert_has("by_caller_total{caller=\"other\"} 97599\n");

	/* top 0: only other; no callers at all: other 0. */
	p.top_n = 0;
	assert_int_equal(render(&p, NULL), 0);
	assert_has("by_caller_total{caller=\"other\"} 105449\n");
	p.ncallers = 0;
	assert_int_equal(render(&p, NULL), 0);
	assert_has("by_caller_total{caller=\"other\"} 0\n");
}

static void test_histograms(void **state)
{
	const double b[] = { 1e-6, 1e-3 };
	const uint64_t cum[] = { 2, 5 };
	struct kvshadow_prom p = { .mode = "exact", .kernel = "k" };

	p.has_hist[KVSHADOW_RELEASE_DURATION] = true;
	p.hist[KVSHADOW_RELEASE_DURATION] = (struct kvshadow_prom_hist){
		.bounds = b, .cumulative = cum, .nbounds = 2, .sum = 0.01, .count = 6 };
	assert_int_equal(render(&p, NULL), 0);
	assert_has("# TYPE kvshadow_release_duration_seconds histogram\n"
		   "kvshadow_release_duration_seconds_bucket{le=\"1e-06\"} 2\n"
		   "kvshadow_release_duration_seconds_bucket{le=\"0.001\"} 5\n"
		   "kvshadow_release_duration_seconds_bucket{le=\"+Inf\"} 6\n"
		   "kvshadow_release_duration_seconds_sum 0.01\n"
		   "kvshadow_release_duration_seconds_count 6\n");
	assert_lacks("populate_duration");
	/* A broken histogram fails the render rather than write nonsense. */
	p.hist[KVSHADOW_RELEASE_DURATION].count = 4;
	assert_int_equal(render(&p, NULL), -EINVAL);
}

static void test_meminfo(void **state)
{
	char path[] = "/tmp/test_meminfo.XXXXXX", err[256];
	uint64_t bytes = 0;
	FILE *f;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs("MemTotal:       24000000 kB\nVmallocTotal:   34359738367 kB\n"
	      "VmallocUsed:       12345 kB\nVmallocChunk:          0 kB\n", f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(meminfo_vmalloc_used(path, &bytes, err, sizeof(err)), 0);
	assert_int_equal(bytes, 12345 * 1024);

	f = fopen(path, "w");
	assert_non_null(f);
	fputs("MemTotal: 1 kB\n", f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(meminfo_vmalloc_used(path, &bytes, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "VmallocUsed"));
	unlink(path);
	assert_int_equal(meminfo_vmalloc_used(path, &bytes, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, path));
	/* The real one, where there is one. */
	if (!access(MEMINFO_PATH, R_OK))
		assert_int_equal(meminfo_vmalloc_used(NULL, &bytes, err, sizeof(err)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_debugfs_mapping),
		cmocka_unit_test(test_modes),
		cmocka_unit_test(test_callers),
		cmocka_unit_test(test_histograms),
		cmocka_unit_test(test_meminfo),
	};

	return cmocka_run_group_tests_name("kvshadow_prom", tests, NULL, NULL);
}
