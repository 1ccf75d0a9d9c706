// SPDX-License-Identifier: GPL-2.0
/*
 * The recording's state line (pipeline/recfmt_*.c) keeps everything the
 * model was built from: a model with every field set (latency slots, rows
 * with their slots, names that are not UTF-8, counters above INT64_MAX,
 * newer debugfs keys, slow calls, the stack walk, the tool's own cost),
 * written, read back and folded into a second model, writes the same state
 * line and the same --json lines, interval after interval; the header
 * gives back the options the views ran with. What the live host cannot
 * produce (fentry latency, walk statistics) is covered here.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "json_view.h"
#include "kvs_test.h"
#include "recfmt.h"

/* Interval i of a run that uses every field. */
static void snapshot(struct kvs_snapshot *s, int i)
{
	static struct kvs_top_entry rows[2];
	static struct kvs_slow_rec slow[2];
	static struct kvs_kv extra = { .key = (char *)"newer_key", .value = 7 };
	static struct kvs_node_shadow nodes[2];

	memset(s, 0, sizeof(*s));
	s->mode = KVS_MODE_EXACT;
	s->ts = 1796583360.0348804 + i;
	s->mono = 11998.704045459999 + i * 0.3;
	s->start_mono = 11998.479134124;
	s->known = kvs_mode_known(KVS_MODE_EXACT);
	s->c.shadow_pages = 100 + (uint64_t)i * 10;
	s->c.shadow_pages_peak = 200;
	s->c.pages_populated = UINT64_MAX - 5 + (uint64_t)i;	/* beyond jansson's integers */
	s->c.populate_calls = 30 + (uint64_t)i;
	s->events_lost = 3;
	s->drift_valid = true;
	s->drift_pages = 1;
	s->have_vmap_bytes = true;
	s->vmap_bytes = 1 << 20;
	s->have_debugfs_base = true;
	s->debugfs_base.shadow_pages = 50;
	for (int h = 0; h < KVS_NR_HISTS; h++) {
		s->hist[h].slots[10] = 5 + (uint64_t)i;
		s->hist[h].slots[KVS_HIST_SLOTS - 1] = 1;
		s->hist[h].count = 6 + (uint64_t)i;
		s->hist[h].sum_ns = 12345;
		s->pass.hist_available[h] = h != KVS_HIST_RELEASE;
		s->pass.hist_source[h] = h == KVS_HIST_VMALLOC ? "fentry" : "tracepoint";
		snprintf(s->pass.hist_why[h], KVS_WHY_LEN, "%s", h == KVS_HIST_RELEASE ? "not here" : "");
	}
	snprintf(rows[0].name, sizeof(rows[0].name), "load_module");
	rows[0].pages_populated = 40 + (uint64_t)i;
	rows[0].populate_calls = 4;
	rows[0].vmalloc_ns[12] = 3;
	rows[0].populate_ns[KVS_ROW_SLOTS - 1] = UINT32_MAX;
	snprintf(rows[1].name, sizeof(rows[1].name), "bad\xff\xfe[%d]", 42);
	rows[1].pages_populated = 9;
	s->callers = (struct kvs_top_list){ .e = rows, .nr = 2, .dropped_pages = 2, .available = true };
	s->processes = (struct kvs_top_list){ .e = rows + 1, .nr = 1, .available = false };
	snprintf(s->processes.why, KVS_WHY_LEN, "no \x01 rows");
	s->pass.have_debugfs = true;
	s->pass.debugfs.shadow_pages = 99;
	s->pass.debugfs_extra = &extra;
	s->pass.nr_debugfs_extra = 1;
	s->pass.have_vmalloc_used = true;
	s->pass.vmalloc_used_bytes = 4 << 20;
	slow[0] = (struct kvs_slow_rec){ .ts = 1796583360.123456, .pid = 7, .tgid = 7, .size = 4096,
		.vmalloc_ns = 2000000, .shadow_known = true, .populate_ns = 1000, .nr_populated = 1,
		.nr_allocated = 2, .allocated_known = true, .release_ns = 0 };
	snprintf(slow[0].comm, sizeof(slow[0].comm), "modprobe");
	snprintf(slow[0].caller, sizeof(slow[0].caller), "load_module");
	/* A slow purge in the last interval, its areas known in one of them. */
	slow[1] = (struct kvs_slow_rec){ .kind = KVS_SLOW_PURGE, .ts = 1796583360.5, .pid = 9,
		.tgid = 9, .purge_ns = 30000000, .areas_known = i == 2, .areas = 17,
		.shadow_known = i == 2, .shadow_released = 6, .release_ns = 2000, .flush_ns = 900 };
	snprintf(slow[1].comm, sizeof(slow[1].comm), "kworker/0:1");
	snprintf(slow[1].caller, sizeof(slow[1].caller), "unknown");
	s->pass.have_slow = true;
	s->pass.slow = i ? slow : NULL;
	s->pass.nr_slow = i ? (size_t)i : 0;
	s->pass.slow_lost = 1;
	s->pass.have_walk = true;
	s->pass.walk = (struct kvs_walk_stats){ 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	s->pass.have_self = true;
	s->pass.self.nr = 1;
	snprintf(s->pass.self.prog[0].name, KVS_PROG_NAME_LEN, "kvs_populate");
	s->pass.self.prog[0].runs = 10 + (uint64_t)i;
	s->pass.self.prog[0].run_ns = 1000;
	s->pass.self.cpu_s = 0.25 + i * 0.01;
	s->pass.self.rss_bytes = 1 << 22;
	s->pass.have_purge_crossed = true;
	s->pass.purge_crossed = i & 1;
	s->pass.estimate_reseeds = 2;
	snprintf(s->pass.unavailable.vmap_bytes, KVS_WHY_LEN, "why not");
	s->baseline_pending = i == 0;
	snprintf(s->pass.method, KVS_WHY_LEN, "fentry on alloc_vmap_area");
	/* Per node (the second interval without: null) and an approximate seed. */
	s->pass.have_nodes = i != 1;
	s->pass.nodes = i != 1 ? nodes : NULL;
	s->pass.nr_nodes = i != 1 ? 2 : 0;
	nodes[0] = (struct kvs_node_shadow){ 0, 40 + (uint64_t)i };
	nodes[1] = (struct kvs_node_shadow){ 7, UINT64_MAX - 1 };
	s->pass.seed = (struct kvs_seed_note){ i == 2 ? KVS_SEED_EXACT : KVS_SEED_APPROXIMATE,
					       90, 130, "kptr \xff hides" };
	/* The purge side: no report yet, then one, then one a purge made stale. */
	s->purge = (struct kvs_purge){ .lazy_traced = true, .have_lazy = i != 0,
		.lazy_stale = i == 2, .lazy_pages = 100 + (uint64_t)i, .lazy_max_pages = 16384,
		.lazy_mono = 11998.600000001 + i, .have_stalls = i != 1, .stall_ns = 1000000,
		.stalls = (uint64_t)i, .have_waiting = i == 1, .lazy_areas = 4,
		.lazy_area_bytes = 1 << 20, .shadow_pages_waiting = 2 };
}

static char *dump(json_t *j, size_t flags)
{
	char *s;

	assert_non_null(j);
	s = json_dumps(j, flags);
	assert_non_null(s);
	json_decref(j);
	return s;
}

static void test_roundtrip(void **state)
{
	struct kvs_options o = { .rows = 10, .prom_top = 10, .interval_s = 0.3 };
	struct kvs_model live, replay;

	kvs_model_init(&live, KVS_MODE_EXACT, "7.2.0", 4096);
	kvs_model_init(&replay, KVS_MODE_EXACT, "7.2.0", 4096);
	for (int i = 0; i < 3; i++) {
		struct kvs_snapshot s, back;
		char err[256] = "", *a, *b;
		json_t *line;

		snapshot(&s, i);
		assert_int_equal(kvs_model_update(&live, &s), 0);
		a = dump(kvs_rec_state_json(&live), KVS_REC_STATE_FLAGS);
		line = json_loads(a, 0, NULL);
		assert_non_null(line);
		if (kvs_rec_state_parse(line, KVS_MODE_EXACT, &back, err, sizeof(err)))
			fail_msg("interval %d: %s", i, err);
		json_decref(line);
		assert_int_equal(kvs_model_update(&replay, &back), 0);
		kvs_snapshot_free(&back);
		b = dump(kvs_rec_state_json(&replay), KVS_REC_STATE_FLAGS);
		assert_string_equal(a, b);
		free(a);
		free(b);
		a = dump(kvs_json_interval(&live, &o), KVS_JSON_FLAGS);
		b = dump(kvs_json_interval(&replay, &o), KVS_JSON_FLAGS);
		assert_string_equal(a, b);
		free(a);
		free(b);
		a = dump(kvs_json_events(&live), KVS_JSON_FLAGS);
		b = dump(kvs_json_events(&replay), KVS_JSON_FLAGS);
		assert_string_equal(a, b);
		free(a);
		free(b);
	}
	kvs_model_free(&live);
	kvs_model_free(&replay);
}

/* The state line of interval 1 of a model m (initialised here; free it after). */
static json_t *state_line(struct kvs_model *m)
{
	struct kvs_snapshot s;
	json_t *j;

	kvs_model_init(m, KVS_MODE_EXACT, "7.2.0", 4096);
	snapshot(&s, 1);
	assert_int_equal(kvs_model_update(m, &s), 0);
	j = kvs_rec_state_json(m);
	assert_non_null(j);
	return j;
}

static void test_damaged_state(void **state)
{
	struct kvs_model m;
	struct kvs_snapshot back;
	char err[256] = "";
	json_t *j = state_line(&m);

	json_object_set_new(json_object_get(j, "callers"), "rows", json_string("x"));
	assert_int_equal(kvs_rec_state_parse(j, KVS_MODE_EXACT, &back, err, sizeof(err)), -EINVAL);
	assert_contains(err, "state line");
	json_decref(j);
	kvs_model_free(&m);
}

/* A state line of the first recordings: no "purge", no purge histogram. */
static void test_state_before_purges(void **state)
{
	struct kvs_options opts = { .rows = 10 };
	struct kvs_model m, old;
	const char *key;
	json_t *o, *v;
	struct kvs_snapshot back;
	char err[256] = "";
	json_t *j = state_line(&m);

	assert_int_equal(json_object_del(j, "purge"), 0);
	assert_int_equal(json_object_del(json_object_get(j, "hist"), "purge"), 0);
	if (kvs_rec_state_parse(j, KVS_MODE_EXACT, &back, err, sizeof(err)))
		fail_msg("an old state line: %s", err);
	kvs_model_init(&old, KVS_MODE_EXACT, "7.2.0", 4096);
	assert_false(back.purge.lazy_traced || back.purge.have_lazy || back.purge.have_stalls);
	assert_true(back.purge.not_recorded);	/* the views say so, not "no events" */
	assert_int_equal(kvs_model_update(&old, &back), 0);
	o = kvs_json_interval(&old, &opts);
	assert_non_null(o);
	/* Nothing known: every purge key null, the threshold too (not 0). */
	json_object_foreach(json_object_get(o, "purge"), key, v)
		if (!json_is_null(v))
			fail_msg("purge.%s is not null in a recording before purges", key);
	json_decref(o);
	kvs_model_free(&old);
	assert_false(back.pass.hist_available[KVS_HIST_PURGE]);
	assert_contains(back.pass.hist_why[KVS_HIST_PURGE], "not in this recording");
	assert_true(back.pass.hist_available[KVS_HIST_POPULATE]);
	kvs_snapshot_free(&back);

	/* Present but damaged is damage. */
	json_object_set_new(j, "purge", json_pack("{s:b, s:i, s:i, s:n}", "lazy_traced", 1,
						  "lazy", 5, "stall_ns", 1, "stalls"));
	assert_int_equal(kvs_rec_state_parse(j, KVS_MODE_EXACT, &back, err, sizeof(err)), -EINVAL);
	json_object_set_new(j, "purge", json_pack("{s:b, s:n, s:i}", "lazy_traced", 1, "lazy",
						  "stall_ns", 1));
	assert_int_equal(kvs_rec_state_parse(j, KVS_MODE_EXACT, &back, err, sizeof(err)), -EINVAL);
	json_decref(j);
	kvs_model_free(&m);
}

static void test_header(void **state)
{
	char *argv[] = { (char *)"kvshadowtop", (char *)"record", (char *)"-o", (char *)"x\xff" };
	struct kvs_options o = { .interval_s = 0.5, .rows = 7, .sort = KVS_SORT_VM_P99,
				 .by = KVS_BY_PROCESS, .prom_top = 3, .slow_set = true,
				 .slow_ns = 2000000, .argc = 4, .argv = argv }, back = { 0 };
	struct kvs_rec_header h;
	struct kvs_model m;
	char err[256] = "";
	json_t *j;

	kvs_model_init(&m, KVS_MODE_STOCK, "6.12.1", 16384);
	j = kvs_rec_header_json(&m, &o, "v1", 4);
	assert_non_null(j);
	assert_int_equal(kvs_rec_header_parse(j, &h, err, sizeof(err)), 0);
	assert_string_equal(h.kernel, "6.12.1");
	assert_int_equal(h.mode, KVS_MODE_STOCK);
	assert_int_equal(h.page_size, 16384);
	assert_int_equal(h.cpus, 4);
	assert_string_equal(h.command_line, "kvshadowtop record -o x\xff");
	kvs_rec_header_options(&h, &back);
	assert_true(back.interval_s == 0.5 && back.rows == 7 && back.sort == KVS_SORT_VM_P99 &&
		    back.by == KVS_BY_PROCESS && back.prom_top == 3 && back.slow_set &&
		    back.slow_ns == 2000000 && back.mode == KVS_MODE_STOCK);
	kvs_rec_header_free(&h);
	json_object_set_new(j, "mode", json_string("bogus"));
	assert_int_equal(kvs_rec_header_parse(j, &h, err, sizeof(err)), -EINVAL);
	assert_contains(err, "damaged header: 'mode'");
	json_object_set_new(j, KVS_REC_MAGIC, json_integer(2));
	assert_int_equal(kvs_rec_header_parse(j, &h, err, sizeof(err)), -EINVAL);
	assert_contains(err, "format 2");
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_damaged_state),
		cmocka_unit_test(test_state_before_purges),
		cmocka_unit_test(test_header),
	};

	return cmocka_run_group_tests_name("recfmt", tests, NULL, NULL);
}
