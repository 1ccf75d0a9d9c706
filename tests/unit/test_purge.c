// SPDX-License-Identifier: GPL-2.0
/*
 * The purge side (docs/interfaces.md §8 "Purges"): stalls counted since
 * start and per interval, the lazy backlog shown only while the kernel's
 * last report still holds (null, n/a or absent otherwise, never 0), in
 * JSON, text and Prometheus alike, and the reporting instant in unix time.
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
#include <cmocka.h>

#include <jansson.h>

#include "test_prom_text.h"

#include "kvs_test.h"
#include "format.h"
#include "json_view.h"
#include "prom.h"
#include "promtext.h"

/* An exact-mode reading at mono seconds with the purge side p. */
static void reading(struct kvs_reading *r, double mono, const struct kvs_purge *p)
{
	debugfs_reading(r, mono, 63, 70, 140, 77, 148, 37, 1, 6);
	r->have_bpf = true;
	r->debugfs_quiet = true;
	r->aligned = true;
	r->purge = *p;
}

static const struct kvs_purge timed = {
	.lazy_traced = true, .have_lazy = true, .lazy_pages = 3072, .lazy_max_pages = 16384,
	.lazy_mono = 9.5, .have_stalls = true, .stall_ns = 1000000000, .stalls = 5,
};

static void test_stalls_since_start(void **state)
{
	struct kvs_reading base, now;
	struct kvs_purge p = timed;
	struct kvs_model m;

	kvs_model_init(&m, KVS_MODE_EXACT, "7.2.0", 4096);
	reading(&base, 1, &p);
	p.stalls = 8;
	reading(&now, 2, &p);
	fold(&m, KVS_MODE_EXACT, &now, &base);
	/* 5 happened before the tool's start: not this run's. */
	assert_int_equal(m.purge.stalls, 3);
	assert_int_equal(m.purge_stalls_new, 3);
	reading(&now, 3, &p);
	fold(&m, KVS_MODE_EXACT, &now, &base);
	assert_int_equal(m.purge.stalls, 3);
	assert_int_equal(m.purge_stalls_new, 0);
	p.stalls = 10;
	reading(&now, 4, &p);
	fold(&m, KVS_MODE_EXACT, &now, &base);
	assert_int_equal(m.purge.stalls, 5);
	assert_int_equal(m.purge_stalls_new, 2);
	kvs_model_free(&m);
}

/*
 * The model after one interval at mono 10 (ts 1700000010) with purge side
 * p, from a baseline with 5 stalls before the start.
 */
static void model_with(struct kvs_model *m, const struct kvs_purge *p, bool hist)
{
	static const int filled[] = { KVS_HIST_POPULATE, KVS_HIST_PURGE };
	struct kvs_reading base, now;

	kvs_model_init(m, KVS_MODE_EXACT, "7.2.0", 4096);
	reading(&base, 1, &timed);
	reading(&now, 10, p);
	/* Four purges of ~1-2 ms; populate likewise, to set the buckets against. */
	for (size_t i = 0; hist && i < sizeof(filled) / sizeof(filled[0]); i++) {
		int h = filled[i];

		now.hist_available[h] = true;
		now.hist_source[h] = "fentry";
		now.hist[h].slots[20] = 4;
		now.hist[h].count = 4;
		now.hist[h].sum_ns = 6000000;
	}
	fold(m, KVS_MODE_EXACT, &now, &base);
}

static json_t *purge_of(const struct kvs_model *m)
{
	struct kvs_options o = { .rows = 10 };
	json_t *root = kvs_json_interval(m, &o), *p;

	assert_non_null(root);
	p = json_incref(json_object_get(root, "purge"));
	json_decref(root);
	assert_true(json_is_object(p));
	return p;
}

static void assert_null_key(json_t *o, const char *key)
{
	if (!json_is_null(json_object_get(o, key)))
		fail_msg("%s is not null", key);
}

static void assert_int_key(json_t *o, const char *key, json_int_t want)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v) || json_integer_value(v) != want)
		fail_msg("%s is not %lld", key, (long long)want);
}

static void test_json(void **state)
{
	struct kvs_purge p = timed;
	struct kvs_model m;
	json_t *o;

	model_with(&m, &p, true);
	o = purge_of(&m);
	assert_int_key(o, "lazy_pages", 3072);
	assert_int_key(o, "lazy_bytes", 3072 * 4096);
	assert_int_key(o, "lazy_max_pages", 16384);
	assert_int_key(o, "lazy_max_bytes", 16384LL * 4096);
	/* Reported half a second before the reading. */
	assert_true(fabs(json_real_value(json_object_get(o, "lazy_ts")) - 1700000009.5) < 1e-6);
	assert_int_key(o, "count", 4);
	assert_true(json_real_value(json_object_get(o, "p50_ns")) >= 1 << 20 &&
		    json_real_value(json_object_get(o, "p99_ns")) <= 1 << 21);
	assert_int_key(o, "stalls", 0);
	assert_int_key(o, "interval_stalls", 0);
	assert_int_key(o, "stall_ns", 1000000000);
	/* Only estimate mode's model knows the areas waiting: null elsewhere. */
	assert_null_key(o, "lazy_areas");
	assert_null_key(o, "lazy_areas_bytes");
	assert_null_key(o, "shadow_pages_waiting");
	json_decref(o);
	kvs_model_free(&m);

	p.have_waiting = true;
	p.lazy_areas = 3;
	p.lazy_area_bytes = 3072 * 4096;
	p.shadow_pages_waiting = 0;	/* known to be none: a number, not null */
	model_with(&m, &p, false);
	o = purge_of(&m);
	assert_int_key(o, "lazy_areas", 3);
	assert_int_key(o, "lazy_areas_bytes", 3072 * 4096);
	assert_int_key(o, "shadow_pages_waiting", 0);
	json_decref(o);
	kvs_model_free(&m);
	p = timed;

	/* A purge after the last report: the backlog is unknown, its limit still holds. */
	p.lazy_stale = true;
	p.have_stalls = false;
	model_with(&m, &p, false);
	o = purge_of(&m);
	assert_null_key(o, "lazy_pages");
	assert_null_key(o, "lazy_bytes");
	assert_int_key(o, "lazy_max_pages", 16384);
	assert_null_key(o, "count");
	assert_null_key(o, "p50_ns");
	assert_null_key(o, "p99_ns");
	assert_null_key(o, "stalls");
	assert_null_key(o, "interval_stalls");
	assert_null_key(o, "stall_ns");	/* a threshold nothing is measured against */
	json_decref(o);
	kvs_model_free(&m);

	/* No report at all (no free yet, or no vmalloc events). */
	p = (struct kvs_purge){ .stall_ns = 1000000000 };
	model_with(&m, &p, false);
	o = purge_of(&m);
	assert_null_key(o, "lazy_pages");
	assert_null_key(o, "lazy_max_pages");
	assert_null_key(o, "lazy_max_bytes");
	assert_null_key(o, "lazy_ts");
	json_decref(o);
	kvs_model_free(&m);
}

static void test_text(void **state)
{
	struct kvs_purge p = timed;
	struct kvs_model m;
	char line[256];

	p.stalls = 7;
	model_with(&m, &p, false);
	assert_string_equal(kvs_fmt_purge(line, sizeof(line), &m),
			    "lazy backlog 12.0 MiB of 64.0 MiB; stalls (>= 1.00s) 2");
	kvs_model_free(&m);
	p.have_waiting = true;
	p.lazy_areas = 3;
	p.shadow_pages_waiting = 40;
	model_with(&m, &p, false);
	assert_string_equal(kvs_fmt_purge(line, sizeof(line), &m),
			    "lazy backlog 12.0 MiB of 64.0 MiB (3 areas, 40 shadow pages behind "
			    "them); stalls (>= 1.00s) 2");
	kvs_model_free(&m);
	p.have_waiting = false;
	p.lazy_stale = true;
	p.have_stalls = false;
	model_with(&m, &p, false);
	assert_string_equal(kvs_fmt_purge(line, sizeof(line), &m),
			    "lazy backlog n/a (purged since the last lazy free), limit 64.0 MiB; "
			    "stalls n/a (purges not timed)");
	kvs_model_free(&m);
	p = (struct kvs_purge){ .stall_ns = 1000000000 };
	model_with(&m, &p, false);
	assert_contains(kvs_fmt_purge(line, sizeof(line), &m),
			"n/a (no vmalloc:free_vmap_area_noflush events)");
	kvs_model_free(&m);
	p.lazy_traced = true;
	model_with(&m, &p, false);
	assert_contains(kvs_fmt_purge(line, sizeof(line), &m), "n/a (no lazy free yet)");
	/* A short buffer is cut, not overrun. */
	assert_string_equal(kvs_fmt_purge(line, 8, &m), "lazy ba");
	kvs_model_free(&m);
}

static void render(const struct kvs_model *m)
{
	struct kvs_prom_state st = { .top_n = 10 };
	struct promtext *pt = promtext_new();
	const char *data;
	size_t len;

	assert_non_null(pt);
	assert_int_equal(kvs_prom_render(pt, m, &st), 0);
	assert_int_equal(promtext_finish(pt, &data, &len), 0);
	assert_true(len < sizeof(text));
	memcpy(text, data, len + 1);
	promtext_free(pt);
}

static void test_prom(void **state)
{
	struct kvs_purge p = timed;
	struct kvs_model m;

	p.stalls = 6;
	model_with(&m, &p, true);
	render(&m);
	assert_has("\nkvshadow_lazy_purge_bytes 12582912\n");
	assert_has("\nkvshadow_lazy_purge_max_bytes 67108864\n");
	assert_has("# TYPE kvshadow_purge_stalls_total counter\nkvshadow_purge_stalls_total 1\n");
	assert_has("# TYPE kvshadow_purge_duration_seconds histogram\n");
	assert_has("\nkvshadow_purge_duration_seconds_count 4\n");
	/* 2^21 ns is the bound of slot 20: all four are at or below it. */
	assert_has("\nkvshadow_purge_duration_seconds_bucket{le=\"0.002097152\"} 4\n");
	assert_has("\nkvshadow_purge_duration_seconds_bucket{le=\"0.001048576\"} 0\n");
	/* Buckets past the 21 s RCU stall report; vmalloc's stop near a second. */
	assert_has("\nkvshadow_purge_duration_seconds_bucket{le=\"34.359738368\"} 4\n");
	assert_lacks("kvshadow_purge_duration_seconds_bucket{le=\"68.");
	assert_has("\nkvshadow_populate_duration_seconds_bucket{le=\"1.073741824\"} 4\n");
	assert_lacks("kvshadow_populate_duration_seconds_bucket{le=\"2.147483648\"}");
	kvs_model_free(&m);

	p.lazy_stale = true;
	p.have_stalls = false;
	model_with(&m, &p, false);
	render(&m);
	assert_lacks("kvshadow_lazy_purge_bytes ");
	assert_has("\nkvshadow_lazy_purge_max_bytes 67108864\n");
	assert_lacks("kvshadow_purge_stalls_total");
	assert_lacks("kvshadow_purge_duration_seconds");
	kvs_model_free(&m);
}

/* --slow's purge records: JSON event lines and the text view's line. */
static void test_slow_purge(void **state)
{
	struct kvs_slow_rec recs[2] = {
		{ .kind = KVS_SLOW_PURGE, .ts = 1700000009.25, .pid = 55, .tgid = 55,
		  .comm = "kworker/1:2", .caller = "unknown", .purge_ns = 25000000,
		  .areas_known = true, .areas = 12, .shadow_known = true, .shadow_released = 30,
		  .release_ns = 20000000, .flush_ns = 4000000 },
		{ .kind = KVS_SLOW_PURGE, .ts = 1700000009.5, .pid = 7, .tgid = 6,
		  .comm = "modprobe", .caller = "load_module", .size = 1 << 20,
		  .purge_ns = 3000000, .in_vmalloc = true },
	};
	struct kvs_options o = { .rows = 10 };
	struct kvs_reading base, now;
	struct kvs_model m;
	json_t *ev, *e;
	char *out;

	kvs_model_init(&m, KVS_MODE_EXACT, "7.2.0", 4096);
	reading(&base, 1, &timed);
	reading(&now, 10, &timed);
	now.have_slow = true;
	now.slow = recs;
	now.nr_slow = 2;
	fold(&m, KVS_MODE_EXACT, &now, &base);
	ev = kvs_json_events(&m);
	assert_int_equal(json_array_size(ev), 2);
	/* The drain work: no vmalloc, so no caller or size (null, not "unknown" or 0). */
	e = json_array_get(ev, 0);
	assert_string_equal(json_string_value(json_object_get(e, "event")), "slow_purge");
	assert_string_equal(json_string_value(json_object_get(e, "comm")), "kworker/1:2");
	assert_int_key(e, "purge_ns", 25000000);
	assert_int_key(e, "areas", 12);
	assert_true(json_is_false(json_object_get(e, "in_vmalloc")));
	assert_null_key(e, "caller");
	assert_null_key(e, "size");
	assert_int_key(e, "shadow_pages_released", 30);
	assert_int_key(e, "release_ns", 20000000);
	assert_int_key(e, "flush_ns", 4000000);
	assert_null(json_object_get(e, "vmalloc_ns"));	/* a vmalloc event's key */
	/* A vmalloc that found no space purged: its caller and size; no event, areas unknown. */
	e = json_array_get(ev, 1);
	assert_true(json_is_true(json_object_get(e, "in_vmalloc")));
	assert_string_equal(json_string_value(json_object_get(e, "caller")), "load_module");
	assert_int_key(e, "size", 1 << 20);
	assert_null_key(e, "areas");
	/* Outside exact mode nothing times the releases inside a purge. */
	assert_null_key(e, "shadow_pages_released");
	assert_null_key(e, "release_ns");
	assert_null_key(e, "flush_ns");
	json_decref(ev);

	out = capture(&kvs_text_view, &o, &m);
	assert_contains(out, "slow purge ");
	assert_contains(out, "kworker/1:2[55] pid 55 purge 25.0ms areas 12 released 30 shadow pages "
			"in 20.0ms, TLB flush 4.0ms (drain work)\n");
	assert_contains(out, "modprobe[6] pid 7 purge 3.0ms areas n/a in vmalloc by load_module "
			"size 1048576\n");
	free(out);
	kvs_model_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stalls_since_start),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_prom),
		cmocka_unit_test(test_slow_purge),
	};

	return cmocka_run_group_tests_name("purge", tests, NULL, NULL);
}
