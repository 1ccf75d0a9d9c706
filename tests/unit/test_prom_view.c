// SPDX-License-Identifier: GPL-2.0
/*
 * kvshadowtop's Prometheus view: the model mapped onto the families
 * (log2 ns slots to seconds buckets, pages to bytes, what each mode leaves
 * out) and the view's open/update/close around a real file.
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

#include "model.h"
#include "prom.h"
#include "view.h"

static void render_model(const struct kvs_model *m, size_t top)
{
	struct kvshadow_prom p;
	struct prom_hists *h;
	struct kvshadow_prom_caller *c;
	struct promtext *pt = promtext_new();
	const char *data;
	size_t len;

	assert_non_null(pt);
	assert_int_equal(kvs_prom_fill(m, top, &p, &h, &c), 0);
	assert_int_equal(kvshadow_prom_render(pt, &p, NULL), 0);
	assert_int_equal(promtext_finish(pt, &data, &len), 0);
	assert_true(len < sizeof(text));
	memcpy(text, data, len + 1);
	promtext_free(pt);
	free(h);
	free(c);
}

static void model(struct kvs_model *m, enum kvs_mode mode)
{
	kvs_model_init(m, mode, "6.12.0", 4096);
	m->total.shadow_pages = 10;
	m->shadow_bytes = 40960;
	m->shadow_peak_bytes = 81920;
	m->total.pages_populated = 30;
	m->total.pages_released = 20;
	m->total.populate_calls = 7;
	m->total.populate_failures = 1;
	m->total.release_calls = 2;
	m->have_vmalloc_used = true;
	m->vmalloc_used_bytes = 327680;
}

static void test_exact(void **state)
{
	struct kvs_model m;
	struct kvs_top_entry e[3] = {
		{ .name = "bpf_map_area_alloc+0x1a/0x30", .pages_populated = 20 },
		{ .name = "alloc_thread_stack_node+0x4/0x8", .pages_populated = 6 },
		{ .name = "load_module", .pages_populated = 4 },
	};
	struct kvs_hist *h;

	model(&m, KVS_MODE_EXACT);
	m.drift_valid = true;
	m.drift_pages = 1;
	h = &m.hist[KVS_HIST_POPULATE];
	h->available = true;
	h->total.slots[3] = 2;		/* < 16 ns: below the first bucket */
	h->total.slots[9] = 3;		/* [512, 1024) ns */
	h->total.slots[35] = 1;		/* ~1 min: only in +Inf */
	h->total.count = 6;
	h->total.sum_ns = 2500000000ull;
	m.callers = (struct kvs_top_list){ .e = e, .nr = 3, .available = true };

	render_model(&m, 2);
	assert_has("kvshadow_info{mode=\"exact\",kernel=\"6.12.0\"} 1\n");
	assert_has("\nkvshadow_shadow_bytes 40960\n");
	assert_has("\nkvshadow_shadow_peak_bytes 81920\n");
	assert_has("\nkvshadow_shadow_populated_bytes_total 122880\n");
	assert_has("\nkvshadow_shadow_released_bytes_total 81920\n");
	assert_has("\nkvshadow_populate_failures_total 1\n");
	assert_has("\nkvshadow_debugfs_drift_bytes 4096\n");
	assert_has("\nkvshadow_shadow_overhead_ratio 0.125\n");
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
	m.callers.e = NULL;	/* not the model's to free */
	m.callers.nr = 0;
	kvs_model_free(&m);
}

static void test_estimate_and_debugfs(void **state)
{
	struct kvs_model m;

	model(&m, KVS_MODE_ESTIMATE);
	m.events_lost = 3;
	render_model(&m, 10);
	assert_has("kvshadow_info{mode=\"estimate\"");
	assert_has("# HELP kvshadow_shadow_bytes ESTIMATE");
	/* Tracepoints on vmalloc cannot see a failed populate. */
	assert_lacks("populate_failures");
	assert_has("\nkvshadow_events_lost_total 3\n");
	assert_lacks("by_caller");	/* attribution not available */
	kvs_model_free(&m);

	model(&m, KVS_MODE_DEBUGFS);
	m.have_vmalloc_used = false;
	render_model(&m, 10);
	assert_has("kvshadow_info{mode=\"debugfs\"");
	assert_has("\nkvshadow_populate_failures_total 1\n");
	assert_lacks("vmalloc_used");
	assert_lacks("overhead");
	assert_lacks("drift");
	assert_lacks("ESTIMATE");
	kvs_model_free(&m);
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
	model(&m, KVS_MODE_EXACT);
	assert_int_equal(kvs_prom_view.update(v, &m), 0);
	kvs_prom_view.close(v);
	kvs_model_free(&m);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_int_equal(fread(text, 1, sizeof(text) - 1, f) > 0, 1);
	fclose(f);
	assert_has("\nkvshadow_shadow_bytes 40960\n");
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);	/* nothing else was left */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact),
		cmocka_unit_test(test_estimate_and_debugfs),
		cmocka_unit_test(test_view),
	};

	return cmocka_run_group_tests_name("prom_view", tests, NULL, NULL);
}
