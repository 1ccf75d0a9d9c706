// SPDX-License-Identifier: GPL-2.0
/* The JSON Lines writer: every key of docs/interfaces.md §5, types, nulls. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <jansson.h>

#include "model.h"
#include "view.h"

static const char *const contract[] = {
	"ts", "interval_s", "mode", "shadow_pages", "shadow_pages_peak", "populate_calls",
	"pages_populated", "release_calls", "pages_released", "populate_failures",
	"vmap_area_allocs", "vmap_area_alloc_bytes", "vmap_area_frees", "vmap_purges",
	"debugfs", "drift_pages", "top",
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
	free(buf);
	assert_non_null(j);
	return j;
}

static void test_exact_keys(void **state)
{
	struct kvs_top_entry callers[3] = {
		{ .name = "a\"quote", .pages_populated = 5, .populate_calls = 2 },
		{ .name = "b", .pages_populated = 3, .populate_calls = 1 },
		{ .name = "c", .pages_populated = 1, .populate_calls = 1 },
	};
	struct kvs_kv kv[2] = { { "shadow_pages", 12 }, { "new_key", 7 } };
	struct kvs_options o = { .rows = 2 };
	struct kvs_snapshot s = { 0 };
	struct kvs_model m;
	json_t *j, *top;

	kvs_model_init(&m, KVS_MODE_EXACT, "6.12", 4096);
	s.mode = KVS_MODE_EXACT;
	s.ts = 1700000000.5;
	s.mono = 2;
	s.start_mono = 1;
	s.c.shadow_pages = 10;
	s.c.vmap_area_alloc_bytes = 1ULL << 40;
	s.have_debugfs = true;
	s.debugfs.shadow_pages = 12;
	s.debugfs_kv = kv;
	s.nr_debugfs_kv = 2;
	s.callers.e = callers;
	s.callers.nr = 3;
	s.callers.available = true;
	assert_int_equal(kvs_model_update(&m, &s), 0);

	j = write_line(&m, &o);
	for (size_t i = 0; i < sizeof(contract) / sizeof(contract[0]); i++)
		assert_non_null(json_object_get(j, contract[i]));
	assert_string_equal(json_string_value(json_object_get(j, "mode")), "exact");
	assert_int_equal(json_integer_value(json_object_get(j, "drift_pages")), 2);
	assert_int_equal(json_integer_value(json_object_get(j, "vmap_area_alloc_bytes")), 1LL << 40);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "debugfs"), "new_key")), 7);
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
	struct kvs_snapshot s = { 0 };
	struct kvs_model m;
	json_t *j;

	kvs_model_init(&m, KVS_MODE_ESTIMATE, "6.18", 4096);
	s.mode = KVS_MODE_ESTIMATE;
	s.mono = 1;
	s.processes.e = procs;
	s.processes.nr = 1;
	assert_int_equal(kvs_model_update(&m, &s), 0);
	j = write_line(&m, &o);
	assert_string_equal(json_string_value(json_object_get(j, "mode")), "estimate");
	assert_true(json_is_null(json_object_get(j, "debugfs")));
	assert_true(json_is_null(json_object_get(j, "drift_pages")));
	assert_true(json_is_null(json_object_get(j, "overhead_ratio")));
	assert_string_equal(json_string_value(json_object_get(
		json_array_get(json_object_get(j, "top"), 0), "process")), "insmod[42]");
	json_decref(j);
	kvs_model_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact_keys),
		cmocka_unit_test(test_nulls_and_process),
	};

	return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
