// SPDX-License-Identifier: GPL-2.0
/*
 * The views that write stdout: JSON Lines (every key of docs/interfaces.md
 * §5, types, nulls for what a mode cannot know, kvshadowstat's since-boot
 * rows), the batch text and kvshadowstat's vmstat table.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <jansson.h>

#include "kvs_test.h"
#include "view.h"

static const char *const contract[] = {
	"ts", "interval_s", "mode", "shadow_pages", "shadow_pages_peak", "populate_calls",
	"pages_populated", "release_calls", "pages_released", "populate_failures",
	"vmap_area_allocs", "vmap_area_alloc_bytes", "vmap_area_frees", "vmap_purges",
	"debugfs", "drift_pages", "top", "vmap_bytes", "overhead_ratio_vmap",
};

static json_t *write_line(const struct kvs_model *m, const struct kvs_options *o)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	json_error_t jerr;
	json_t *j;

	assert_non_null(f);
	assert_int_equal(kvs_json_write(f, m, o), 0);
	fclose(f);
	/* One line, newline-terminated. */
	assert_true(len > 2);
	assert_int_equal(buf[len - 1], '\n');
	assert_null(memchr(buf, '\n', len - 1));
	j = json_loads(buf, 0, &jerr);
	if (!j)
		fail_msg("not JSON: %s: %s", jerr.text, buf);
	free(buf);
	return j;
}

static json_t *get(json_t *o, const char *path)
{
	char key[64];
	const char *dot = strchr(path, '.');

	if (!dot)
		return json_object_get(o, path);
	snprintf(key, sizeof(key), "%.*s", (int)(dot - path), path);
	return get(json_object_get(o, key), dot + 1);
}

static void test_exact_keys(void **state)
{
	struct kvs_top_entry callers[3] = {
		{ .name = "a\"quote", .pages_populated = 5, .populate_calls = 2 },
		{ .name = "b", .pages_populated = 3, .populate_calls = 1 },
		{ .name = "c", .pages_populated = 1, .populate_calls = 1 },
	};
	struct kvs_kv extra[1] = { { "new_key", 7 } };
	struct kvs_options o = { .rows = 2 };
	struct kvs_reading base = { .mono = 1, .have_bpf = true, .have_debugfs = true, .aligned = true };
	struct kvs_reading r = { .ts = 1700000000.5, .mono = 2, .have_bpf = true,
				 .have_debugfs = true };
	struct kvs_model m;
	json_t *j, *top;

	kvs_model_init(&m, KVS_MODE_EXACT, "6.12", 4096);
	base.debugfs.shadow_pages = 10;
	r.bpf.vmap_area_alloc_bytes = 1ULL << 40;
	r.debugfs.shadow_pages = 12;
	r.debugfs_extra = extra;
	r.nr_debugfs_extra = 1;
	r.callers = (struct kvs_top_list){ .e = callers, .nr = 3, .available = true };
	/* vmap_bytes: /proc/vmallocinfo at the baseline, then allocated in, purged out. */
	base.have_vmap_bytes = true;
	base.vmap_bytes = 4096 * 40;
	r.bpf.vmap_area_purged_bytes = 1ULL << 40;
	r.have_vmalloc_used = true;
	r.vmalloc_used_bytes = 4096 * 20;
	fold(&m, KVS_MODE_EXACT, &r, &base);

	j = write_line(&m, &o);
	/* 10 shadow pages against VmallocUsed (20 pages) and against every vmap area (40). */
	assert_true(json_real_value(json_object_get(j, "overhead_ratio")) == 0.5);
	assert_true(json_real_value(json_object_get(j, "overhead_ratio_vmap")) == 0.25);
	assert_int_equal(json_integer_value(json_object_get(j, "vmap_bytes")), 4096 * 40);
	for (size_t i = 0; i < sizeof(contract) / sizeof(contract[0]); i++)
		if (!json_object_get(j, contract[i]))
			fail_msg("key %s missing", contract[i]);
	/* Every counter of the table is a key; without --slow the slow count is unknown: null. */
	for (size_t i = 0; i < KVS_NR_COUNTERS; i++) {
		json_t *v = json_object_get(j, kvs_counter_info[i].name);

		if (i == KVS_ID_slow_vmalloc)
			assert_true(json_is_null(v));
		else
			assert_true(json_is_integer(v));
	}
	assert_string_equal(json_string_value(json_object_get(j, "mode")), "exact");
	assert_true(json_real_value(json_object_get(j, "ts")) == 1700000000.5);
	assert_int_equal(json_integer_value(json_object_get(j, "shadow_pages")), 10);
	assert_int_equal(json_integer_value(json_object_get(j, "drift_pages")), 2);
	assert_int_equal(json_integer_value(json_object_get(j, "vmap_area_alloc_bytes")), 1LL << 40);
	assert_int_equal(json_integer_value(get(j, "debugfs.shadow_pages")), 12);
	assert_int_equal(json_integer_value(get(j, "debugfs.new_key")), 7);
	assert_int_equal(json_integer_value(get(j, "debugfs_baseline.shadow_pages")), 10);
	/* The debugfs object holds the file's keys only. */
	assert_null(get(j, "debugfs.vmap_purges"));
	assert_true(json_is_number(json_object_get(j, "interval_s")));
	top = json_object_get(j, "top");
	assert_int_equal(json_array_size(top), 3);	/* 2 rows + other */
	assert_string_equal(json_string_value(json_object_get(json_array_get(top, 0), "caller")),
			    "a\"quote");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(top, 0), "pages_populated")), 5);
	assert_string_equal(json_string_value(json_object_get(json_array_get(top, 2), "caller")), "other");
	assert_null(json_object_get(json_array_get(top, 0), "process"));
	json_decref(j);
	kvs_model_free(&m);
}

static void test_nulls_and_process(void **state)
{
	struct kvs_options o = { .rows = 10, .by = KVS_BY_PROCESS };
	struct kvs_top_entry procs[1] = { { .name = "insmod[42]", .pages_populated = 1, .populate_calls = 1 } };
	struct kvs_reading r = { .mono = 1, .have_bpf = true, .have_estimate = true };
	struct kvs_model m;
	json_t *j;

	kvs_model_init(&m, KVS_MODE_ESTIMATE, "6.18", 4096);
	r.processes = (struct kvs_top_list){ .e = procs, .nr = 1, .available = true };
	r.est_area_bytes = 12345;
	fold(&m, KVS_MODE_ESTIMATE, &r, NULL);
	j = write_line(&m, &o);
	assert_string_equal(json_string_value(json_object_get(j, "mode")), "estimate");
	assert_true(json_is_null(json_object_get(j, "debugfs")));
	assert_true(json_is_null(json_object_get(j, "drift_pages")));
	assert_true(json_is_null(json_object_get(j, "overhead_ratio")));
	/* The model knows every area it replays: vmap_bytes is its sum. */
	assert_int_equal(json_integer_value(json_object_get(j, "vmap_bytes")), 12345);
	assert_true(json_real_value(json_object_get(j, "overhead_ratio_vmap")) == 0);
	/* Estimate mode cannot know failures: null, not a made-up 0. */
	assert_true(json_is_null(json_object_get(j, "populate_failures")));
	assert_null(get(j, "delta.populate_failures"));
	assert_string_equal(json_string_value(json_object_get(
		json_array_get(json_object_get(j, "top"), 0), "process")), "insmod[42]");
	json_decref(j);
	kvs_model_free(&m);
}

/* A full attribution map: its pages apart in "top_dropped", in "other", and said in the text. */
static void test_dropped(void **state)
{
	struct kvs_top_entry callers[1] = { { .name = "a", .pages_populated = 5, .populate_calls = 2 } };
	struct kvs_options o = { .rows = 10 };
	struct kvs_reading r = { .mono = 1, .have_bpf = true, .have_estimate = true };
	struct kvs_model m;
	json_t *j, *top;
	char *text;

	kvs_model_init(&m, KVS_MODE_ESTIMATE, "6.18", 4096);
	r.callers = (struct kvs_top_list){ .e = callers, .nr = 1, .available = true,
					   .dropped_pages = 40, .dropped_calls = 3 };
	fold(&m, KVS_MODE_ESTIMATE, &r, NULL);
	j = write_line(&m, &o);
	assert_int_equal(json_integer_value(get(j, "top_dropped.pages_populated")), 40);
	assert_int_equal(json_integer_value(get(j, "top_dropped.populate_calls")), 3);
	top = json_object_get(j, "top");
	assert_int_equal(json_array_size(top), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(top, 1), "caller")), "other");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(top, 1), "pages_populated")), 40);
	json_decref(j);
	text = capture(&kvs_text_view, &o, &m);
	assert_contains(text, "  other holds 40 pages of 3 calls the caller map could not take");
	free(text);
	kvs_model_free(&m);
}

/* Names come from other processes: no raw byte may stop the exporter or reach a terminal. */
static void test_hostile_names(void **state)
{
	struct kvs_top_entry procs[2] = {
		{ .name = "\033]0;PWN\007\033[2J[7]", .pages_populated = 2, .populate_calls = 1 },
		{ .name = "bad\xff\xfe[8]", .pages_populated = 1, .populate_calls = 1 },
	};
	struct kvs_options o = { .rows = 10, .by = KVS_BY_PROCESS };
	struct kvs_reading r = { .mono = 1, .have_bpf = true, .have_estimate = true };
	struct kvs_model m;
	json_t *j, *top;
	char *text;

	kvs_model_init(&m, KVS_MODE_ESTIMATE, "6.18", 4096);
	r.processes = (struct kvs_top_list){ .e = procs, .nr = 2, .available = true };
	fold(&m, KVS_MODE_ESTIMATE, &r, NULL);
	j = write_line(&m, &o);
	top = json_object_get(j, "top");
	assert_string_equal(json_string_value(json_object_get(json_array_get(top, 0), "process")),
			    "\\x1b]0;PWN\\x07\\x1b[2J[7]");
	assert_string_equal(json_string_value(json_object_get(json_array_get(top, 1), "process")),
			    "bad\\xff\\xfe[8]");
	json_decref(j);

	text = capture(&kvs_text_view, &o, &m);
	assert_null(strchr(text, '\033'));
	assert_null(strchr(text, '\007'));
	assert_contains(text, "\\x1b]0;PWN\\x07\\x1b[2J[7]");
	assert_contains(text, "bad\\xff\\xfe[8]");
	free(text);
	kvs_model_free(&m);
}

/* --slow: an event line per slow call, before the interval's object; the counter counts them. */
static void test_slow_lines(void **state)
{
	struct kvs_slow_rec recs[2] = {
		{ .ts = 1700000001.25, .pid = 7, .tgid = 7, .comm = "\\x1b[2J", .caller = "fn [mod]",
		  .size = 1 << 20, .vmalloc_ns = 3000000, .shadow_known = true,
		  .populate_ns = 2000000, .nr_populated = 64, .nr_allocated = 64 },
		{ .ts = 1700000001.5, .pid = 8, .tgid = 7, .comm = "w", .caller = "unknown",
		  .size = 4096, .vmalloc_ns = 1500000 },
	};
	struct kvs_options o = { .rows = 10 };
	struct kvs_reading base = { .mono = 1, .have_bpf = true, .have_slow = true };
	struct kvs_reading r = { .mono = 2, .have_bpf = true, .have_slow = true };
	char *buf = NULL, *line, *save = NULL, *text;
	size_t len = 0, n = 0;
	struct kvs_model m;
	json_t *j[3];
	FILE *f;

	kvs_model_init(&m, KVS_MODE_EXACT, "6.12", 4096);
	base.bpf.slow_vmalloc = 5;
	r.bpf.slow_vmalloc = 7;
	r.slow = malloc(sizeof(recs));
	assert_non_null(r.slow);
	memcpy(r.slow, recs, sizeof(recs));
	r.nr_slow = 2;
	r.slow_lost = 1;
	fold(&m, KVS_MODE_EXACT, &r, &base);
	free(r.slow);

	f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(kvs_json_write(f, &m, &o), 0);
	fclose(f);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		assert_true(n < 3);
		j[n] = json_loads(line, 0, NULL);
		assert_non_null(j[n++]);
	}
	assert_int_equal(n, 3);
	free(buf);
	assert_string_equal(json_string_value(json_object_get(j[0], "event")), "slow_vmalloc");
	assert_string_equal(json_string_value(json_object_get(j[0], "comm")), "\\x1b[2J");
	assert_string_equal(json_string_value(json_object_get(j[0], "caller")), "fn [mod]");
	assert_int_equal(json_integer_value(json_object_get(j[0], "size")), 1 << 20);
	assert_int_equal(json_integer_value(json_object_get(j[0], "vmalloc_ns")), 3000000);
	assert_int_equal(json_integer_value(json_object_get(j[0], "populate_ns")), 2000000);
	assert_int_equal(json_integer_value(json_object_get(j[0], "nr_populated")), 64);
	/* A mode that cannot see populate says null, not 0. */
	assert_true(json_is_null(json_object_get(j[1], "populate_ns")));
	assert_int_equal(json_integer_value(json_object_get(j[1], "pid")), 8);
	assert_int_equal(json_integer_value(json_object_get(j[1], "tgid")), 7);
	/* The interval object: the counter since the baseline, and what was lost. */
	assert_null(json_object_get(j[2], "event"));
	assert_int_equal(json_integer_value(json_object_get(j[2], "slow_vmalloc")), 2);
	assert_int_equal(json_integer_value(json_object_get(j[2], "slow_lost")), 1);
	for (size_t i = 0; i < n; i++)
		json_decref(j[i]);

	text = capture(&kvs_text_view, &o, &m);
	assert_null(strchr(text, '\033'));
	assert_contains(text, "caller fn [mod] size 1048576");
	assert_contains(text, "slow vmalloc calls 2");
	free(text);
	kvs_model_free(&m);
}

/* kvshadowstat --json: counters since boot, signed deltas, the reset of the peak. */
static void test_since_boot_lines(void **state)
{
	struct kvs_kv extra[3] = { { "brand_new", 42 }, { "ts", 1 }, { "huge", UINT64_MAX } };
	struct kvs_options o = { .rows = 10 };
	struct kvs_reading a, b;
	struct kvs_model m;
	json_t *j, *delta;

	kvs_model_init(&m, KVS_MODE_DEBUGFS, "6.12", 4096);
	debugfs_reading(&a, 100, 63, 63, 140, 77, 148, 37, 0, 6);
	fold(&m, KVS_MODE_DEBUGFS, &a, NULL);
	j = write_line(&m, &o);
	assert_true(json_is_true(json_object_get(j, "since_boot")));
	assert_true(json_real_value(json_object_get(j, "interval_s")) == 100);
	assert_int_equal(json_integer_value(get(j, "delta.pages_populated")), 140);
	assert_true(json_is_null(json_object_get(j, "debugfs_baseline")));
	/* The counters debugfs mode does not have are null; so is the drift. */
	assert_true(json_is_null(json_object_get(j, "vmap_area_allocs")));
	assert_true(json_is_null(json_object_get(j, "drift_pages")));
	assert_true(json_is_null(json_object_get(j, "vmap_bytes")));
	json_decref(j);

	debugfs_reading(&b, 101, 70, 10, 150, 77, 148, 37, 0, 6);
	b.debugfs_extra = extra;
	b.nr_debugfs_extra = 3;
	fold(&m, KVS_MODE_DEBUGFS, &b, NULL);
	j = write_line(&m, &o);
	assert_true(json_is_false(json_object_get(j, "since_boot")));
	assert_true(json_is_true(json_object_get(j, "peak_reset")));
	assert_true(json_real_value(json_object_get(j, "interval_s")) == 1);
	assert_true(json_real_value(json_object_get(j, "ts")) == 1700000101);
	delta = json_object_get(j, "delta");
	assert_int_equal(json_object_size(delta), KVS_NR_DEBUGFS);
	assert_int_equal(json_integer_value(json_object_get(delta, "shadow_pages")), 7);
	assert_int_equal(json_integer_value(json_object_get(delta, "shadow_pages_peak")), -53);
	assert_int_equal(json_integer_value(json_object_get(delta, "pages_populated")), 10);
	assert_int_equal(json_integer_value(json_object_get(delta, "release_calls")), 0);
	assert_int_equal(json_integer_value(json_object_get(j, "shadow_bytes")), 70 * 4096);
	/* Keys of a newer kernel are kept in the debugfs object, never over ours. */
	assert_int_equal(json_integer_value(get(j, "debugfs.brand_new")), 42);
	assert_true(json_is_real(json_object_get(j, "ts")));
	assert_true(json_is_real(get(j, "debugfs.huge")));
	json_decref(j);
	kvs_model_free(&m);
}

static unsigned int count_lines(const char *s, const char *prefix)
{
	unsigned int n = 0;

	for (; s && *s; s = strchr(s, '\n') + 1) {
		if (!strncmp(s, prefix, strlen(prefix)))
			n++;
		if (!strchr(s, '\n'))
			break;
	}
	return n;
}

static void test_vmstat_view(void **state)
{
	struct kvs_options o = { 0 };
	char *buf = NULL, err[64];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len), *saved = stdout;
	struct kvs_reading r;
	struct kvs_model m;
	void *st;

	assert_non_null(f);
	kvs_model_init(&m, KVS_MODE_DEBUGFS, "6.12", 4096);
	assert_int_equal(kvs_vmstat_view.open(&o, &st, err, sizeof(err)), 0);
	stdout = f;
	for (int i = 0; i < 21; i++) {
		debugfs_reading(&r, 5 + i, 63, 63, 140, 77, 148, 37, 0, 6);
		fold(&m, KVS_MODE_DEBUGFS, &r, NULL);
		assert_int_equal(kvs_vmstat_view.update(st, &m, err, sizeof(err)), 0);
	}
	stdout = saved;
	kvs_vmstat_view.close(st);
	assert_int_equal(fclose(f), 0);
	/* Two header lines before row 1 and again before row 21. */
	assert_int_equal(count_lines(buf, "-----"), 2);
	assert_int_equal(count_lines(buf, "     pages        KiB"), 2);
	assert_int_equal(count_lines(buf, "        63        252        63"), 21);
	/* The first row counts since boot, the next ones the interval. */
	/* The interval columns are the counter table's names, each as wide as its name. */
	assert_int_equal(count_lines(buf, "     pages        KiB      peak pages_populated "
				     "pages_released populate_calls populate_failures "
				     "release_calls"), 2);
	assert_contains(buf, "        63        252        63             140             77"
			"             37                 0             6\n");
	assert_contains(buf, "        63        252        63               0              0"
			"              0                 0             0\n");
	free(buf);
	kvs_model_free(&m);
}

/* The batch text: numbers a mode cannot know say n/a, never 0. */
static void test_text_view(void **state)
{
	struct kvs_options o = { .rows = 10 };
	struct kvs_reading r;
	struct kvs_model m;
	char *text;

	kvs_model_init(&m, KVS_MODE_DEBUGFS, "6.12", 4096);
	debugfs_reading(&r, 5, 63, 70, 140, 77, 148, 37, 2, 6);
	fold(&m, KVS_MODE_DEBUGFS, &r, NULL);
	text = capture(&kvs_text_view, &o, &m);
	assert_contains(text, " debugfs shadow_pages 63 (+63) peak 70");
	assert_contains(text, " populate_calls 37 pages_populated 140 (");
	assert_contains(text, " populate_failures 2 ");
	assert_contains(text, " vmap_area_allocs n/a");
	free(text);
	kvs_model_free(&m);
}

/* Per node (interfaces.md §8): an array where the kernel counts it, null where not. */
static void test_nodes(void **state)
{
	struct kvs_node_shadow nodes[2] = { { 0, 40 }, { 1, 23 } };
	struct kvs_options o = { .rows = 10 };
	struct kvs_reading r;
	struct kvs_model m;
	json_t *j, *a;
	char *text;

	kvs_model_init(&m, KVS_MODE_DEBUGFS, "7.2", 4096);
	nodes_reading(&r, 5, nodes, 2);
	fold(&m, KVS_MODE_DEBUGFS, &r, NULL);
	j = write_line(&m, &o);
	a = json_object_get(j, "nodes");
	assert_int_equal(json_array_size(a), 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(a, 0), "node")), 0);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(a, 0), "shadow_pages")), 40);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(a, 1), "node")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(a, 1), "shadow_pages")), 23);
	assert_int_equal(json_object_size(json_array_get(a, 0)), 2);
	/* Not estimate mode: no seed, no bound. */
	assert_true(json_is_null(json_object_get(j, "estimate_seed")));
	assert_true(json_is_null(json_object_get(j, "shadow_pages_bound")));
	json_decref(j);
	text = capture(&kvs_text_view, &o, &m);
	assert_contains(text, "\n  shadow_pages per node: node0 40 node1 23\n");
	free(text);

	/* The next reading has no count (the model keeps no stale one): null, no line. */
	debugfs_reading(&r, 6, 63, 70, 140, 77, 148, 37, 2, 6);
	fold(&m, KVS_MODE_DEBUGFS, &r, NULL);
	j = write_line(&m, &o);
	assert_true(json_is_null(json_object_get(j, "nodes")));
	json_decref(j);
	text = capture(&kvs_text_view, &o, &m);
	assert_null(strstr(text, "per node"));
	free(text);
	kvs_model_free(&m);
}

/* Estimate mode's seed: "exact", or "approximate" with the bound, in JSON and text. */
static void test_estimate_seed(void **state)
{
	struct kvs_options o = { .rows = 10 };
	struct kvs_reading r = { .mono = 1, .have_bpf = true, .have_estimate = true };
	struct kvs_model m;
	json_t *j;
	char *text;

	kvs_model_init(&m, KVS_MODE_ESTIMATE, "6.18", 4096);
	r.est.shadow_pages = 300;
	r.seed = (struct kvs_seed_note){ KVS_SEED_APPROXIMATE, 250, 350,
					 "kernel.kptr_restrict=0 hides the area addresses" };
	fold(&m, KVS_MODE_ESTIMATE, &r, NULL);
	j = write_line(&m, &o);
	assert_string_equal(json_string_value(json_object_get(j, "estimate_seed")), "approximate");
	assert_int_equal(json_integer_value(get(j, "shadow_pages_bound.low")), 250);
	assert_int_equal(json_integer_value(get(j, "shadow_pages_bound.high")), 350);
	assert_int_equal(json_integer_value(json_object_get(j, "shadow_pages")), 300);
	assert_true(json_is_null(json_object_get(j, "nodes")));
	json_decref(j);
	text = capture(&kvs_text_view, &o, &m);
	assert_contains(text, "\n  approximate: shadow_pages between 250 and 350 "
			"(kernel.kptr_restrict=0 hides the area addresses)\n");
	free(text);

	r.seed = (struct kvs_seed_note){ .kind = KVS_SEED_EXACT };
	r.mono = 2;
	fold(&m, KVS_MODE_ESTIMATE, &r, NULL);
	j = write_line(&m, &o);
	assert_string_equal(json_string_value(json_object_get(j, "estimate_seed")), "exact");
	assert_true(json_is_null(json_object_get(j, "shadow_pages_bound")));
	json_decref(j);
	text = capture(&kvs_text_view, &o, &m);
	assert_null(strstr(text, "approximate"));
	free(text);
	kvs_model_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nodes),
		cmocka_unit_test(test_estimate_seed),
		cmocka_unit_test(test_exact_keys),
		cmocka_unit_test(test_nulls_and_process),
		cmocka_unit_test(test_hostile_names),
		cmocka_unit_test(test_dropped),
		cmocka_unit_test(test_slow_lines),
		cmocka_unit_test(test_since_boot_lines),
		cmocka_unit_test(test_vmstat_view),
		cmocka_unit_test(test_text_view),
	};

	return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
