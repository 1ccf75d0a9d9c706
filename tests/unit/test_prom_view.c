// SPDX-License-Identifier: GPL-2.0
/*
 * The Prometheus view: the model mapped onto the families of
 * docs/interfaces.md §3 (pages to bytes, log2 ns slots to seconds buckets,
 * what each mode leaves out, estimates labelled as such, top-N callers and
 * "other" as a true counter, no address in a label), the view around a
 * real file, and pipeline/sources/meminfo.
 */
#include <errno.h>
#include <math.h>
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

#include "kvs_test.h"
#include "meminfo.h"
#include "prom.h"
#include "promtext.h"
#include "view.h"

static void render_st(const struct kvs_model *m, struct kvs_prom_state *st)
{
	struct promtext *pt = promtext_new();
	const char *data;
	size_t len;

	assert_non_null(pt);
	assert_int_equal(kvs_prom_render(pt, m, st), 0);
	assert_int_equal(promtext_finish(pt, &data, &len), 0);
	assert_true(len < sizeof(text));
	memcpy(text, data, len + 1);
	promtext_free(pt);
}

static void render(const struct kvs_model *m, size_t top)
{
	struct kvs_prom_state st = { .top_n = top };

	render_st(m, &st);
}

/* A debugfs-mode model since boot: 63 shadow pages of 4 KiB, VmallocUsed 8 x that. */
static void debugfs_model(struct kvs_model *m, bool vmalloc_used)
{
	struct kvs_reading r;

	kvs_model_init(m, KVS_MODE_DEBUGFS, "6.12.0", 4096);
	debugfs_reading(&r, 1, 63, 70, 140, 77, 148, 37, 1, 6);
	r.have_vmalloc_used = vmalloc_used;
	r.vmalloc_used_bytes = 4096 * 63 * 8;
	fold(m, KVS_MODE_DEBUGFS, &r, NULL);
}

static void test_debugfs_mapping(void **state)
{
	struct kvs_model m;

	debugfs_model(&m, true);
	render(&m, 10);
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
	assert_has("# TYPE kvshadow_shadow_bytes gauge\n");
	/* What debugfs cannot know is absent, not 0. */
	assert_lacks("duration_seconds");
	assert_lacks("by_caller");
	assert_lacks("drift");
	assert_lacks("events_lost");
	assert_lacks("ESTIMATE");
	assert_lacks("vmap_bytes");	/* no /proc/vmallocinfo in this reading */
	kvs_model_free(&m);

	debugfs_model(&m, false);
	render(&m, 10);
	assert_lacks("vmalloc_used");
	assert_lacks("overhead");
	kvs_model_free(&m);
}

/* A counter beyond what bytes can hold saturates, the same in every view. */
static void test_saturation(void **state)
{
	struct kvs_reading r;
	struct kvs_model m;

	kvs_model_init(&m, KVS_MODE_DEBUGFS, "k", 4096);
	debugfs_reading(&r, 1, 4503599627370496ULL, 4503599627370496ULL, 0, 0, 0, 0, 0, 0);
	fold(&m, KVS_MODE_DEBUGFS, &r, NULL);
	render(&m, 10);
	assert_has("\nkvshadow_shadow_bytes 1.8446744073709552e+19\n");
	assert_lacks("\nkvshadow_shadow_bytes 0\n");
	kvs_model_free(&m);
}

/* An exact-mode model: readings through the pure step. */
static void exact_model(struct kvs_model *m, struct kvs_top_entry *callers, size_t n)
{
	struct kvs_reading base = { .mono = 1, .have_bpf = true, .have_debugfs = true, .aligned = true };
	struct kvs_reading r = { .mono = 2, .have_bpf = true, .have_debugfs = true };

	kvs_model_init(m, KVS_MODE_EXACT, "6.12.0", 4096);
	base.debugfs.shadow_pages = 10;
	r.bpf = (struct kvs_counters){ .pages_populated = 30, .pages_released = 20,
		.populate_calls = 7, .populate_failures = 1, .release_calls = 2 };
	r.bpf_net = 10;
	r.bpf_net_peak = 10;
	r.debugfs.shadow_pages = 21;		/* one page apart: drift */
	r.have_vmalloc_used = true;
	r.vmalloc_used_bytes = 4096 * 160;
	base.have_vmap_bytes = true;
	base.vmap_bytes = 4096 * 300;
	r.bpf.vmap_area_alloc_bytes = 4096 * 25;
	r.bpf.vmap_area_purged_bytes = 4096 * 5;
	r.hist_available[KVS_HIST_POPULATE] = true;
	r.hist_source[KVS_HIST_POPULATE] = "tracepoint";
	r.hist[KVS_HIST_POPULATE].slots[3] = 2;		/* < 16 ns: below the first bucket */
	r.hist[KVS_HIST_POPULATE].slots[9] = 3;		/* [512, 1024) ns */
	r.hist[KVS_HIST_POPULATE].slots[35] = 1;	/* ~1 min: only in +Inf */
	r.hist[KVS_HIST_POPULATE].count = 6;
	r.hist[KVS_HIST_POPULATE].sum_ns = 2500000000ull;
	r.callers = (struct kvs_top_list){ .e = callers, .nr = n, .available = true };
	fold(m, KVS_MODE_EXACT, &r, &base);
}

static void test_exact(void **state)
{
	struct kvs_top_entry e[3] = {
		{ .name = "bpf_map_area_alloc+0x1a/0x30", .pages_populated = 20 },
		{ .name = "alloc_thread_stack_node+0x4/0x8", .pages_populated = 6 },
		{ .name = "load_module", .pages_populated = 4 },
	};
	struct kvs_model m;

	exact_model(&m, e, 3);
	render(&m, 2);
	assert_has("kvshadow_info{mode=\"exact\",kernel=\"6.12.0\"} 1\n");
	assert_has("\nkvshadow_shadow_bytes 81920\n");
	assert_has("\nkvshadow_shadow_peak_bytes 81920\n");
	assert_has("\nkvshadow_shadow_populated_bytes_total 122880\n");
	assert_has("\nkvshadow_shadow_released_bytes_total 81920\n");
	assert_has("\nkvshadow_populate_failures_total 1\n");
	assert_has("\nkvshadow_debugfs_drift_bytes 4096\n");
	assert_has("\nkvshadow_shadow_overhead_ratio 0.125\n");
	assert_has("# TYPE kvshadow_vmap_bytes gauge\nkvshadow_vmap_bytes 1310720\n");
	/* Slot i ends at 2^(i+1) ns: slot 8 at 512 ns is the first bucket. */
	assert_has("kvshadow_populate_duration_seconds_bucket{le=\"5.12e-07\"} 2\n"
		   "kvshadow_populate_duration_seconds_bucket{le=\"1.024e-06\"} 5\n");
	assert_has("kvshadow_populate_duration_seconds_bucket{le=\"1.073741824\"} 5\n"
		   "kvshadow_populate_duration_seconds_bucket{le=\"+Inf\"} 6\n"
		   "kvshadow_populate_duration_seconds_sum 2.5\n"
		   "kvshadow_populate_duration_seconds_count 6\n");
	assert_lacks("release_duration");
	assert_has("by_caller_total{caller=\"bpf_map_area_alloc\"} 81920\n");
	assert_has("by_caller_total{caller=\"alloc_thread_stack_node\"} 24576\n");
	assert_has("by_caller_total{caller=\"other\"} 16384\n");
	assert_lacks("events_lost");
	assert_lacks("ESTIMATE");
	kvs_model_free(&m);
}

static void test_estimate(void **state)
{
	struct kvs_reading r = { .mono = 1, .have_bpf = true, .have_estimate = true };
	struct kvs_model m;

	kvs_model_init(&m, KVS_MODE_ESTIMATE, "k", 4096);
	r.est.shadow_pages = 10;
	r.bpf.populate_failures = 5;
	r.have_vmalloc_used = true;
	r.vmalloc_used_bytes = 8 * 4096;
	r.events_lost = 3;
	fold(&m, KVS_MODE_ESTIMATE, &r, NULL);
	render(&m, 10);
	assert_has("kvshadow_info{mode=\"estimate\",kernel=\"k\"} 1\n");
	/* An estimate says so where a reader of the file sees it... */
	assert_has("# HELP kvshadow_shadow_bytes ESTIMATE");
	assert_has("# HELP kvshadow_shadow_overhead_ratio ESTIMATE");
	/* ...and a measurement does not pretend to be one. */
	assert_has("# HELP kvshadow_vmalloc_used_bytes VmallocUsed");
	assert_has("# HELP kvshadow_info Always 1");
	/* Tracepoints on vmalloc cannot see a failed populate. */
	assert_lacks("populate_failures");
	assert_has("\nkvshadow_events_lost_total 3\n");
	assert_lacks("by_caller");	/* attribution not available */
	kvs_model_free(&m);
}

static void test_callers(void **state)
{
	struct kvs_top_entry c[] = {
		{ .name = "bpf_map_area_alloc+0x1a/0x30", .pages_populated = 1 },
		{ .name = "bpf_map_area_alloc+0x40/0x80", .pages_populated = 2 },	/* merges: 3 */
		{ .name = "0xffffffffc0a01234", .pages_populated = 10 },
		{ .name = "ffffffff81234567", .pages_populated = 10 },
		{ .name = "load_module [kernel]", .pages_populated = 2 },
		{ .name = "alloc_thread_stack_node", .pages_populated = 1 },
		{ .name = "other", .pages_populated = 1 },
		{ .name = "", .pages_populated = 1 },
	};
	struct kvs_prom_state st = { .top_n = 3 };
	struct kvs_model m;

	kvs_model_init(&m, KVS_MODE_EXACT, "k", 4096);
	m.known = KVS_ALL_COUNTERS & ~KVS_BIT(KVS_ID_pages_populated);
	m.callers = (struct kvs_top_list){ .e = c, .nr = 8, .available = true };
	render_st(&m, &st);
	assert_lacks("0x");
	assert_lacks("ffffffff");
	/* The two address-like callers and the empty one merge into "unknown". */
	assert_has("by_caller_total{caller=\"unknown\"} 86016\n");
	assert_has("by_caller_total{caller=\"bpf_map_area_alloc\"} 12288\n");
	assert_has("by_caller_total{caller=\"load_module [kernel]\"} 8192\n");
	/* Fourth and on, and a symbol called "other": in other. */
	assert_lacks("alloc_thread_stack_node");
	assert_has("by_caller_total{caller=\"other\"} 8192\n");
	assert_int_equal(st.other_bytes, 8192);

	/* The populated counter knows more than the (bounded) list. */
	m.known = KVS_ALL_COUNTERS;
	m.total.pages_populated = 100;
	render_st(&m, &st);
	assert_has("by_caller_total{caller=\"other\"} 303104\n");
	/* Other never goes down between intervals. */
	m.known &= ~KVS_BIT(KVS_ID_pages_populated);
	render_st(&m, &st);
	assert_has("by_caller_total{caller=\"other\"} 303104\n");

	/* top 0: only other; no callers at all: other 0. */
	render(&m, 0);
	assert_has("by_caller_total{caller=\"other\"} 114688\n");
	m.callers.nr = 0;
	render(&m, 10);
	assert_has("by_caller_total{caller=\"other\"} 0\n");
	m.callers.e = NULL;	/* not the model's to free */
	kvs_model_free(&m);
}

static void test_caller_label(void **state)
{
	char l[64];

	kvs_prom_caller_label(l, sizeof(l), "func+0x1a/0x30");
	assert_string_equal(l, "func");
	kvs_prom_caller_label(l, sizeof(l), "kvs_wl_alloc [kvshadow_workload]");
	assert_string_equal(l, "kvs_wl_alloc [kvshadow_workload]");
	kvs_prom_caller_label(l, sizeof(l), "0xffffffff81000000");
	assert_string_equal(l, "unknown");
	kvs_prom_caller_label(l, sizeof(l), "deadbeefcafe");
	assert_string_equal(l, "unknown");
	kvs_prom_caller_label(l, sizeof(l), "+0x10");
	assert_string_equal(l, "unknown");
	kvs_prom_caller_label(l, sizeof(l), "add");	/* hex letters, but a name */
	assert_string_equal(l, "unknown");
	kvs_prom_caller_label(l, sizeof(l), "add_x");
	assert_string_equal(l, "add_x");
}

static void test_view(void **state)
{
	char dir[] = "/tmp/test_prom_view.XXXXXX", path[64], err[512];
	struct kvs_options o = { .prom_top = 10 };
	struct kvs_model m;
	void *v = NULL;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/nodir/k.prom", dir);
	o.prom_file = path;
	assert_int_equal(kvs_prom_view.open(&o, &v, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, path));

	snprintf(path, sizeof(path), "%s/k.prom", dir);
	assert_int_equal(kvs_prom_view.open(&o, &v, err, sizeof(err)), 0);
	debugfs_model(&m, true);
	assert_int_equal(kvs_prom_view.update(v, &m, err, sizeof(err)), 0);
	kvs_prom_view.close(v);
	kvs_model_free(&m);
	f = fopen(path, "r");
	assert_non_null(f);
	memset(text, 0, sizeof(text));
	assert_int_equal(fread(text, 1, sizeof(text) - 1, f) > 0, 1);
	fclose(f);
	assert_has("\nkvshadow_shadow_bytes 258048\n");
	assert_int_equal(text[strlen(text) - 1], '\n');
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);	/* nothing else was left */
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
	/* Strict: no sign (sscanf took "-18446744073709550592" as 1024 KiB), no junk. */
	{
		static const char *const bad[] = {
			"VmallocUsed: -18446744073709550592 kB\n", "VmallocUsed: -1 kB\n",
			"VmallocUsed: +5 kB\n", "VmallocUsed: 5 MB\n", "VmallocUsed: 0x10 kB\n",
			"VmallocUsed: kB\n", "VmallocUsed: 5 kB junk\n",
			"VmallocUsed: 18014398509481984 kB\n",
		};

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			f = fmemopen((void *)bad[i], strlen(bad[i]), "r");
			assert_non_null(f);
			bytes = 7;
			assert_true(meminfo_vmalloc_used_file(f, "x", &bytes, err, sizeof(err)) < 0);
			assert_int_equal(bytes, 7);
			assert_non_null(strstr(err, "VmallocUsed"));
			fclose(f);
		}
		f = fmemopen("VmallocUsed: 18014398509481983 kB", 33, "r");
		assert_non_null(f);
		assert_int_equal(meminfo_vmalloc_used_file(f, "x", &bytes, err, sizeof(err)), 0);
		assert_true(bytes == UINT64_MAX - 1023);
		fclose(f);
	}
	/* The real one, where there is one. */
	if (!access(MEMINFO_PATH, R_OK))
		assert_int_equal(meminfo_vmalloc_used(NULL, &bytes, err, sizeof(err)), 0);
}

/* Per node: a gauge per node label in bytes; the estimate's bound only when approximate. */
static void test_nodes_and_bound(void **state)
{
	struct kvs_node_shadow nodes[2] = { { 0, 40 }, { 3, 23 } };
	struct kvs_reading r;
	struct kvs_model m;

	kvs_model_init(&m, KVS_MODE_DEBUGFS, "7.2", 4096);
	nodes_reading(&r, 1, nodes, 2);
	fold(&m, KVS_MODE_DEBUGFS, &r, NULL);
	render(&m, 10);
	assert_has("# TYPE kvshadow_node_shadow_bytes gauge\n"
		   "kvshadow_node_shadow_bytes{node=\"0\"} 163840\n"
		   "kvshadow_node_shadow_bytes{node=\"3\"} 94208\n");
	assert_lacks("kvshadow_shadow_bound_bytes");
	kvs_model_free(&m);

	debugfs_model(&m, true);
	render(&m, 10);
	assert_lacks("kvshadow_node_shadow_bytes");
	kvs_model_free(&m);

	kvs_model_init(&m, KVS_MODE_ESTIMATE, "6.18", 4096);
	memset(&r, 0, sizeof(r));
	r.mono = 1;
	r.have_bpf = r.have_estimate = true;
	r.est.shadow_pages = 300;
	r.seed = (struct kvs_seed_note){ KVS_SEED_APPROXIMATE, 250, 350, "hidden" };
	fold(&m, KVS_MODE_ESTIMATE, &r, NULL);
	render(&m, 10);
	assert_has("kvshadow_shadow_bound_bytes{bound=\"low\"} 1024000\n"
		   "kvshadow_shadow_bound_bytes{bound=\"high\"} 1433600\n");
	assert_has("# HELP kvshadow_shadow_bound_bytes ESTIMATE");
	kvs_model_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nodes_and_bound),
		cmocka_unit_test(test_debugfs_mapping),
		cmocka_unit_test(test_saturation),
		cmocka_unit_test(test_exact),
		cmocka_unit_test(test_estimate),
		cmocka_unit_test(test_callers),
		cmocka_unit_test(test_caller_label),
		cmocka_unit_test(test_view),
		cmocka_unit_test(test_meminfo),
	};

	return cmocka_run_group_tests_name("prom_view", tests, NULL, NULL);
}
