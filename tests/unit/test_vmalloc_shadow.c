// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of debugfs/: the vmalloc_shadow parser and reader, and
 * kvshadowstat's arguments, model (deltas) and views.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "kvshadowstat_model.h"
#include "kvshadowstat_opts.h"
#include "kvshadowstat_view.h"
#include "vmalloc_shadow.h"

#define L1 "shadow_pages 63\n"
#define L2 "shadow_pages_peak 63\n"
#define L3 "pages_populated 140\n"
#define L4 "pages_released 77\n"
#define L5 "pages_allocated 148\n"
#define L6 "populate_calls 37\n"
#define L7 "populate_failures 0\n"
#define L8 "release_calls 6\n"
#define GOOD L1 L2 L3 L4 L5 L6 L7 L8

static void assert_contains(const char *haystack, const char *needle)
{
	if (!strstr(haystack, needle))
		fail_msg("\"%s\" does not contain \"%s\"", haystack, needle);
}

static int parse_str(const char *text, struct vmalloc_shadow *vs, char *err, size_t errlen)
{
	return vmalloc_shadow_parse(text, strlen(text), vs, err, errlen);
}

/* ---- parser ---- */

static void test_parse_good(void **state)
{
	struct vmalloc_shadow vs;
	char err[256] = "";

	assert_int_equal(parse_str(GOOD, &vs, err, sizeof(err)), 0);
	assert_int_equal(vs.shadow_pages, 63);
	assert_int_equal(vs.shadow_pages_peak, 63);
	assert_int_equal(vs.pages_populated, 140);
	assert_int_equal(vs.pages_released, 77);
	assert_int_equal(vs.pages_allocated, 148);
	assert_int_equal(vs.populate_calls, 37);
	assert_int_equal(vs.populate_failures, 0);
	assert_int_equal(vs.release_calls, 6);
	assert_int_equal(vs.nr_extra, 0);
	assert_null(vs.extra);
	vmalloc_shadow_free(&vs);
	vmalloc_shadow_free(&vs);	/* twice is harmless */
}

static void test_parse_field_table(void **state)
{
	static const char *const names[] = {
		"shadow_pages", "shadow_pages_peak", "pages_populated", "pages_released",
		"pages_allocated", "populate_calls", "populate_failures", "release_calls",
	};
	struct vmalloc_shadow vs;
	size_t i;

	assert_int_equal(vmalloc_shadow_nr_fields, 8);
	assert_int_equal(parse_str(GOOD, &vs, NULL, 0), 0);
	for (i = 0; i < vmalloc_shadow_nr_fields; i++)
		assert_string_equal(vmalloc_shadow_fields[i].name, names[i]);
	assert_int_equal(vmalloc_shadow_get(&vs, 2), 140);
	assert_int_equal(vmalloc_shadow_get(&vs, 7), 6);
	vmalloc_shadow_free(&vs);
}

static void test_parse_extremes(void **state)
{
	struct vmalloc_shadow vs;
	char err[256];

	assert_int_equal(parse_str("shadow_pages 18446744073709551615\n"
				   "shadow_pages_peak 0\n" L3 L4 L5 L6 L7 L8,
				   &vs, err, sizeof(err)), 0);
	assert_true(vs.shadow_pages == UINT64_MAX);
	assert_int_equal(vs.shadow_pages_peak, 0);
	vmalloc_shadow_free(&vs);
	/* Leading zeros are still a decimal number. */
	assert_int_equal(parse_str("shadow_pages 007\n" L2 L3 L4 L5 L6 L7 L8,
				   &vs, err, sizeof(err)), 0);
	assert_int_equal(vs.shadow_pages, 7);
	vmalloc_shadow_free(&vs);
}

static void test_parse_extra_keys(void **state)
{
	struct vmalloc_shadow vs;
	char err[256] = "";
	char text[8192];
	int i, n;

	assert_int_equal(parse_str(GOOD "pages_new 5\nanother_key 18446744073709551615\n",
				   &vs, err, sizeof(err)), 0);
	assert_int_equal(vs.release_calls, 6);
	assert_int_equal(vs.nr_extra, 2);
	assert_string_equal(vs.extra[0].key, "pages_new");
	assert_int_equal(vs.extra[0].value, 5);
	assert_string_equal(vs.extra[1].key, "another_key");
	assert_true(vs.extra[1].value == UINT64_MAX);
	vmalloc_shadow_free(&vs);
	assert_null(vs.extra);
	assert_int_equal(vs.nr_extra, 0);

	/* Many: the array grows past its first allocations. */
	n = snprintf(text, sizeof(text), "%s", GOOD);
	for (i = 0; i < 100; i++)
		n += snprintf(text + n, sizeof(text) - n, "key_%d %d\n", i, i * 3);
	assert_true(n < (int)sizeof(text));
	assert_int_equal(parse_str(text, &vs, err, sizeof(err)), 0);
	assert_int_equal(vs.nr_extra, 100);
	assert_string_equal(vs.extra[99].key, "key_99");
	assert_int_equal(vs.extra[99].value, 297);
	vmalloc_shadow_free(&vs);
}

struct bad_case {
	const char *what;
	const char *text;
	const char *line;	/* "line N" the message must name */
	const char *quoted;	/* text of the line the message must quote, or NULL */
};

static const struct bad_case bad_cases[] = {
	{ "not a number", L1 "shadow_pages_peak abc\n" L3 L4 L5 L6 L7 L8,
	  "line 2", "shadow_pages_peak abc" },
	{ "hex", L1 L2 "pages_populated 0x10\n" L4 L5 L6 L7 L8,
	  "line 3", "pages_populated 0x10" },
	{ "overflow by one", L1 L2 "pages_populated 18446744073709551616\n" L4 L5 L6 L7 L8,
	  "line 3", "18446744073709551616" },
	{ "overflow by far", L1 L2 L3 L4 L5 L6 L7 "release_calls 99999999999999999999999\n",
	  "line 8", "release_calls 9999" },
	{ "negative", L1 L2 L3 "pages_released -5\n" L5 L6 L7 L8,
	  "line 4", "pages_released -5" },
	{ "plus sign", L1 L2 L3 "pages_released +5\n" L5 L6 L7 L8,
	  "line 4", "pages_released +5" },
	{ "trailing junk", L1 L2 L3 L4 "pages_allocated 148x\n" L6 L7 L8,
	  "line 5", "pages_allocated 148x" },
	{ "trailing space", L1 L2 L3 L4 L5 "populate_calls 37 \n" L7 L8,
	  "line 6", "populate_calls 37 " },
	{ "two values", L1 L2 L3 L4 L5 "populate_calls 37 38\n" L7 L8,
	  "line 6", "populate_calls 37 38" },
	{ "two spaces", "shadow_pages  63\n" L2 L3 L4 L5 L6 L7 L8,
	  "line 1", "shadow_pages  63" },
	{ "tab", "shadow_pages\t63\n" L2 L3 L4 L5 L6 L7 L8,
	  "line 1", "shadow_pages?63" },
	{ "no value", L1 "shadow_pages_peak \n" L3 L4 L5 L6 L7 L8,
	  "line 2", "shadow_pages_peak " },
	{ "no key", L1 " 63\n" L3 L4 L5 L6 L7 L8, "line 2", " 63" },
	{ "empty line", L1 L2 "\n" L3 L4 L5 L6 L7 L8, "line 3", NULL },
	{ "CRLF", "shadow_pages 63\r\n" L2 L3 L4 L5 L6 L7 L8, "line 1", "shadow_pages 63?" },
	{ "NUL byte", "shadow_pages 6\0003\n" L2 L3 L4 L5 L6 L7 L8, "line 1", NULL },
	{ "empty file", "", "line 0", NULL },
	{ "last known key missing", L1 L2 L3 L4 L5 L6 L7, "line 7", NULL },
	{ "middle key missing", L1 L2 L3 L4 L6 L7 L8, "line 5", "populate_calls 37" },
	{ "out of order", L1 L2 L4 L3 L5 L6 L7 L8, "line 3", "pages_released 77" },
	{ "duplicate known key", L1 L1 L2 L3 L4 L5 L6 L7 L8, "line 2", "shadow_pages 63" },
	{ "duplicate after the known keys", GOOD "shadow_pages_peak 1\n",
	  "line 9", "shadow_pages_peak 1" },
	{ "duplicate unknown key", GOOD "new_key 1\nnew_key 2\n", "line 10", "new_key 2" },
	{ "unknown key among the known", L1 L2 "surprise 1\n" L3 L4 L5 L6 L7 L8,
	  "line 3", "surprise 1" },
	{ "bad key characters", GOOD "new-key 1\n", "line 9", "new-key 1" },
	{ "truncated last line", L1 L2 L3 L4 L5 L6 L7 "release_calls 6",
	  "line 8", "release_calls 6" },
	{ "truncated mid-key", L1 L2 L3 "pages_rel", "line 4", "pages_rel" },
	{ "truncated extra", GOOD "new_key 1", "line 9", "new_key 1" },
};

static void test_parse_malformed(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		/* The NUL case needs its real length, the others are strings. */
		size_t len = strlen(c->text);
		struct vmalloc_shadow vs;
		char err[256] = "";
		int ret;

		if (!strcmp(c->what, "NUL byte"))
			len = strlen(L1) + sizeof(L2 L3 L4 L5 L6 L7 L8) - 1;
		ret = vmalloc_shadow_parse(c->text, len, &vs, err, sizeof(err));
		print_message("%-32s -> %d \"%s\"\n", c->what, ret, err);
		if (ret != -EINVAL)
			fail_msg("%s: expected -EINVAL, got %d", c->what, ret);
		assert_contains(err, c->line);
		if (c->quoted)
			assert_contains(err, c->quoted);
		/* A failed parse leaves nothing to free. */
		assert_null(vs.extra);
		assert_int_equal(vs.nr_extra, 0);
	}
}

static void test_parse_message_bounded(void **state)
{
	struct vmalloc_shadow vs;
	char err[12];
	char *text;
	size_t n = 100000;

	memset(err, 'x', sizeof(err));
	assert_int_equal(parse_str(L1 "shadow_pages_peak abc\n", &vs, err, sizeof(err)), -EINVAL);
	assert_int_equal(strlen(err), sizeof(err) - 1);
	assert_string_equal(err, "line 2: \"sh");

	/* A long bad line is quoted in part, not whole. */
	text = malloc(n + 2);
	assert_non_null(text);
	memset(text, 'a', n);
	text[n] = '\n';
	text[n + 1] = '\0';
	{
		char big[512];

		assert_int_equal(parse_str(text, &vs, big, sizeof(big)), -EINVAL);
		assert_contains(big, "line 1");
		assert_contains(big, "...");
		assert_true(strlen(big) < 200);
	}
	free(text);
}

/* ---- reader ---- */

static char *write_tmp(const char *text, size_t len)
{
	char *path = strdup("/tmp/kvshadow-test.XXXXXX");
	int fd;

	assert_non_null(path);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
	return path;
}

static void test_read_file(void **state)
{
	struct vmalloc_shadow vs;
	char err[512] = "";
	char *path = write_tmp(GOOD "new_key 9\n", strlen(GOOD "new_key 9\n"));

	assert_int_equal(vmalloc_shadow_read(path, &vs, err, sizeof(err)), 0);
	assert_int_equal(vs.pages_populated, 140);
	assert_int_equal(vs.nr_extra, 1);
	assert_int_equal(vs.extra[0].value, 9);
	vmalloc_shadow_free(&vs);
	assert_int_equal(unlink(path), 0);
	free(path);
}

static void test_read_large_file(void **state)
{
	/* Past the reader's first buffer, within its limit. */
	size_t cap = 64 * 1024, n;
	char *text = malloc(cap), *path, err[512] = "";
	struct vmalloc_shadow vs;
	int i;

	assert_non_null(text);
	n = snprintf(text, cap, "%s", GOOD);
	for (i = 0; i < 1000; i++)
		n += snprintf(text + n, cap - n, "a_rather_long_key_name_number_%04d %d\n", i, i);
	assert_true(n > 4096 && n < cap);
	path = write_tmp(text, n);
	assert_int_equal(vmalloc_shadow_read(path, &vs, err, sizeof(err)), 0);
	assert_int_equal(vs.nr_extra, 1000);
	assert_int_equal(vs.extra[999].value, 999);
	vmalloc_shadow_free(&vs);
	assert_int_equal(unlink(path), 0);
	free(path);
	free(text);
}

static void test_read_too_large(void **state)
{
	size_t n = 2 * 1024 * 1024;
	char *text = malloc(n), *path, err[512] = "";
	struct vmalloc_shadow vs;

	assert_non_null(text);
	memset(text, '\n', n);
	path = write_tmp(text, n);
	assert_int_equal(vmalloc_shadow_read(path, &vs, err, sizeof(err)), -EFBIG);
	assert_contains(err, path);
	assert_null(vs.extra);
	assert_int_equal(unlink(path), 0);
	free(path);
	free(text);
}

static void test_read_malformed_names_path_and_line(void **state)
{
	const char text[] = L1 L2 "pages_populated 1x\n";
	struct vmalloc_shadow vs;
	char err[512] = "";
	char *path = write_tmp(text, strlen(text));

	assert_int_equal(vmalloc_shadow_read(path, &vs, err, sizeof(err)), -EINVAL);
	assert_contains(err, path);
	assert_contains(err, "line 3");
	assert_contains(err, "pages_populated 1x");
	assert_int_equal(unlink(path), 0);
	free(path);
}

static void test_read_missing(void **state)
{
	struct vmalloc_shadow vs;
	char err[512] = "";

	assert_int_equal(vmalloc_shadow_read("/nonexistent/kvshadow/vmalloc_shadow", &vs,
					     err, sizeof(err)), -ENOENT);
	assert_contains(err, "/nonexistent/kvshadow/vmalloc_shadow");
	assert_null(vs.extra);
}

static void test_reset_peak(void **state)
{
	char err[512] = "", buf[8] = "";
	char *path = write_tmp("", 0);
	int fd;

	assert_int_equal(vmalloc_shadow_reset_peak(path, err, sizeof(err)), 0);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(read(fd, buf, sizeof(buf) - 1), 1);
	assert_string_equal(buf, "0");
	assert_int_equal(close(fd), 0);
	assert_int_equal(unlink(path), 0);
	free(path);

	assert_int_equal(vmalloc_shadow_reset_peak("/nonexistent/vmalloc_shadow", err,
						   sizeof(err)), -ENOENT);
	assert_contains(err, "/nonexistent/vmalloc_shadow");
}

/* ---- kvshadowstat arguments ---- */

static int args(struct kvstat_opts *o, char *err, size_t errlen, ...)
{
	char *argv[16] = { "kvshadowstat" };
	int argc = 1;
	va_list ap;

	va_start(ap, errlen);
	while ((argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	return kvstat_parse_args(argc, argv, o, err, errlen);
}

static void test_args_good(void **state)
{
	struct kvstat_opts o;
	char err[256] = "";

	assert_int_equal(args(&o, err, sizeof(err), NULL), KVSTAT_ARGS_RUN);
	assert_true(o.interval_s == 0);
	assert_int_equal(o.count, 0);
	assert_false(o.json);
	assert_null(o.file);

	assert_int_equal(args(&o, err, sizeof(err), "0.5", "3", "--json", NULL), KVSTAT_ARGS_RUN);
	assert_true(o.interval_s == 0.5);
	assert_int_equal(o.count, 3);
	assert_true(o.json);

	/* Options before, between and after the numbers. */
	assert_int_equal(args(&o, err, sizeof(err), "--file", "/tmp/f", "2", "--json", "10", NULL),
			 KVSTAT_ARGS_RUN);
	assert_string_equal(o.file, "/tmp/f");
	assert_true(o.interval_s == 2);
	assert_int_equal(o.count, 10);
	assert_true(o.json);

	assert_int_equal(args(&o, err, sizeof(err), "--file=/x", ".25", NULL), KVSTAT_ARGS_RUN);
	assert_string_equal(o.file, "/x");
	assert_true(o.interval_s == 0.25);
	assert_int_equal(o.count, 0);

	assert_int_equal(args(&o, err, sizeof(err), "-h", NULL), KVSTAT_ARGS_HELP);
	assert_int_equal(args(&o, err, sizeof(err), "1", "--help", NULL), KVSTAT_ARGS_HELP);
}

static void test_args_bad(void **state)
{
	static const char *const bad[][4] = {
		{ "abc" }, { "-1" }, { "0" }, { "0", "5" }, { "0.0" }, { "1", "0" },
		{ "1", "x" }, { "1", "-3" }, { "1", "2", "3" }, { "--bogus" }, { "-x" },
		{ "--file" }, { "1e3" }, { "inf" }, { "nan" }, { "." }, { "1.2.3" },
		{ " 1" }, { "" }, { "0x10" }, { "2000000" },
		{ "1", "99999999999999999999999" }, { "--json=yes" },
	};
	struct kvstat_opts o;
	size_t i, j;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *argv[8] = { "kvshadowstat" };
		char err[256] = "";
		int ret;

		for (j = 0; j < 4 && bad[i][j]; j++)
			argv[j + 1] = (char *)bad[i][j];
		ret = kvstat_parse_args((int)j + 1, argv, &o, err, sizeof(err));
		print_message("%-10s %-6s -> %d \"%s\"\n", bad[i][0], bad[i][1] ? bad[i][1] : "",
			      ret, err);
		if (ret != -EINVAL)
			fail_msg("'%s %s' was accepted (%d)", bad[i][0], bad[i][1] ? bad[i][1] : "", ret);
		assert_true(strlen(err) > 0);
	}
}

static void test_usage_lists_every_option(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	kvstat_usage(f, false);
	assert_int_equal(fclose(f), 0);
	assert_contains(buf, "Usage: kvshadowstat [INTERVAL [COUNT]]");
	assert_contains(buf, "--json");
	assert_contains(buf, "--file PATH");
	assert_contains(buf, "-h, --help");
	free(buf);
}

/* ---- kvshadowstat model ---- */

static void snap(struct kvstat_snapshot *s, const char *text, long boot_s)
{
	memset(s, 0, sizeof(*s));
	assert_int_equal(parse_str(text, &s->vs, NULL, 0), 0);
	s->boottime.tv_sec = boot_s;
	s->realtime.tv_sec = 1700000000 + boot_s;
	s->realtime.tv_nsec = 250000000;
}

static void test_delta(void **state)
{
	assert_true(kvstat_delta(3, 5) == 2);
	assert_true(kvstat_delta(5, 3) == -2);
	assert_true(kvstat_delta(7, 7) == 0);
	assert_true(kvstat_delta(0, UINT64_MAX) == INT64_MAX);
	assert_true(kvstat_delta(UINT64_MAX, 0) == INT64_MIN);
	assert_true(kvstat_delta(0, (uint64_t)INT64_MAX) == INT64_MAX);
	assert_true(kvstat_delta((uint64_t)INT64_MAX + 1, 0) == INT64_MIN);
	assert_true(kvstat_delta(1, (uint64_t)INT64_MAX + 1) == INT64_MAX);
}

static void test_gauges(void **state)
{
	size_t i, gauges = 0;

	for (i = 0; i < vmalloc_shadow_nr_fields; i++)
		gauges += kvstat_field_is_gauge(i);
	assert_int_equal(gauges, 2);
	assert_true(kvstat_field_is_gauge(0));
	assert_true(kvstat_field_is_gauge(1));
	assert_false(kvstat_field_is_gauge(2));
}

static void test_row_since_boot(void **state)
{
	struct kvstat_snapshot s;
	struct kvstat_row row;
	size_t i;

	snap(&s, GOOD, 100);
	kvstat_row_compute(NULL, &s, 4096, &row);
	assert_true(row.since_boot);
	assert_true(row.interval_s == 100);
	assert_true(row.ts == 1700000100.25);
	for (i = 0; i < vmalloc_shadow_nr_fields; i++)
		assert_int_equal(row.delta[i], vmalloc_shadow_get(&s.vs, i));
	assert_int_equal(row.shadow_bytes, 63 * 4096);
	assert_false(row.peak_reset);
	assert_int_equal(row.counter_back, -1);
	vmalloc_shadow_free(&s.vs);
}

static void test_row_interval(void **state)
{
	struct kvstat_snapshot a, b;
	struct kvstat_row row;

	snap(&a, GOOD, 100);
	snap(&b, "shadow_pages 70\nshadow_pages_peak 80\npages_populated 160\n"
		 "pages_released 90\npages_allocated 170\npopulate_calls 40\n"
		 "populate_failures 1\nrelease_calls 9\n", 102);
	kvstat_row_compute(&a, &b, 4096, &row);
	assert_false(row.since_boot);
	assert_true(row.interval_s == 2);
	assert_int_equal(row.delta[0], 7);
	assert_int_equal(row.delta[1], 17);
	assert_int_equal(row.delta[2], 20);
	assert_int_equal(row.delta[3], 13);
	assert_int_equal(row.delta[4], 22);
	assert_int_equal(row.delta[5], 3);
	assert_int_equal(row.delta[6], 1);
	assert_int_equal(row.delta[7], 3);
	assert_false(row.peak_reset);
	assert_int_equal(row.counter_back, -1);

	/* The other way round: shadow_pages may drop, counters must not. */
	kvstat_row_compute(&b, &a, 4096, &row);
	assert_int_equal(row.delta[0], -7);
	assert_true(row.peak_reset);
	assert_int_equal(row.counter_back, 2);	/* pages_populated, the first counter */
	assert_true(row.interval_s == 0);	/* never negative */
	vmalloc_shadow_free(&a.vs);
	vmalloc_shadow_free(&b.vs);
}

static void test_row_peak_reset(void **state)
{
	struct kvstat_snapshot a, b;
	struct kvstat_row row;

	snap(&a, "shadow_pages 50\nshadow_pages_peak 400\n" L3 L4 L5 L6 L7 L8, 10);
	snap(&b, "shadow_pages 50\nshadow_pages_peak 50\n" L3 L4 L5 L6 L7 L8, 11);
	kvstat_row_compute(&a, &b, 4096, &row);
	assert_true(row.peak_reset);
	assert_int_equal(row.delta[1], -350);
	assert_int_equal(row.counter_back, -1);
	vmalloc_shadow_free(&a.vs);
	vmalloc_shadow_free(&b.vs);
}

static void test_row_bytes_saturate(void **state)
{
	struct kvstat_snapshot s;
	struct kvstat_row row;

	snap(&s, "shadow_pages 18446744073709551615\n" L2 L3 L4 L5 L6 L7 L8, 1);
	kvstat_row_compute(NULL, &s, 4096, &row);
	assert_true(row.shadow_bytes == UINT64_MAX);
	vmalloc_shadow_free(&s.vs);
}

/* ---- kvshadowstat views ---- */

static void test_json_row(void **state)
{
	struct kvstat_snapshot a, b;
	struct kvstat_row row;
	json_t *obj, *delta;
	size_t i;

	snap(&a, GOOD, 100);
	snap(&b, "shadow_pages 70\nshadow_pages_peak 70\npages_populated 150\n" L4 L5 L6 L7 L8
		 "brand_new 42\nts 1\nhuge 18446744073709551615\n", 101);
	kvstat_row_compute(&a, &b, 4096, &row);
	obj = kvstat_json_row(&row);
	assert_non_null(obj);
	assert_string_equal(json_string_value(json_object_get(obj, "mode")), "debugfs");
	assert_true(json_real_value(json_object_get(obj, "ts")) == 1700000101.25);
	assert_true(json_real_value(json_object_get(obj, "interval_s")) == 1);
	assert_true(json_is_false(json_object_get(obj, "since_boot")));
	assert_true(json_is_false(json_object_get(obj, "peak_reset")));
	for (i = 0; i < vmalloc_shadow_nr_fields; i++) {
		json_t *v = json_object_get(obj, vmalloc_shadow_fields[i].name);

		assert_true(json_is_integer(v));
		assert_int_equal(json_integer_value(v), vmalloc_shadow_get(&b.vs, i));
	}
	assert_int_equal(json_integer_value(json_object_get(obj, "shadow_bytes")), 70 * 4096);
	delta = json_object_get(obj, "delta");
	assert_true(json_is_object(delta));
	assert_int_equal(json_object_size(delta), vmalloc_shadow_nr_fields);
	assert_int_equal(json_integer_value(json_object_get(delta, "shadow_pages")), 7);
	assert_int_equal(json_integer_value(json_object_get(delta, "pages_populated")), 10);
	assert_int_equal(json_integer_value(json_object_get(delta, "release_calls")), 0);
	/* Keys of a newer kernel are kept, but never over ours. */
	assert_int_equal(json_integer_value(json_object_get(obj, "brand_new")), 42);
	assert_true(json_is_real(json_object_get(obj, "ts")));
	assert_true(json_is_real(json_object_get(obj, "huge")));
	json_decref(obj);
	vmalloc_shadow_free(&a.vs);
	vmalloc_shadow_free(&b.vs);
}

static char *emit_rows(bool json, unsigned int n)
{
	struct kvstat_snapshot s;
	struct kvstat_row row;
	char *buf = NULL;
	size_t len = 0;
	struct kvstat_views v = { .json = json };
	unsigned int i;

	v.out = open_memstream(&buf, &len);
	assert_non_null(v.out);
	snap(&s, GOOD, 5);
	for (i = 0; i < n; i++) {
		kvstat_row_compute(i ? &s : NULL, &s, 4096, &row);
		assert_int_equal(kvstat_views_emit(&v, &row), 0);
	}
	assert_int_equal(fclose(v.out), 0);
	vmalloc_shadow_free(&s.vs);
	return buf;
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

static void test_text_view(void **state)
{
	char *out = emit_rows(false, KVSTAT_HEADER_EVERY + 1);

	/* Two header lines before row 1 and again before row 21. */
	assert_int_equal(count_lines(out, "-----"), 2);
	assert_int_equal(count_lines(out, "     pages        KiB"), 2);
	assert_int_equal(count_lines(out, "        63        252        63"), KVSTAT_HEADER_EVERY + 1);
	/* The first row counts since boot, the next ones the interval. */
	assert_contains(out, "        63        252        63         140         77         37"
			"         0          6\n");
	assert_contains(out, "        63        252        63           0          0          0"
			"         0          0\n");
	free(out);
}

static void test_json_view(void **state)
{
	char *out = emit_rows(true, 3), *line = out, *nl;
	unsigned int n = 0;

	while ((nl = strchr(line, '\n'))) {
		json_error_t jerr;
		json_t *obj;

		*nl = '\0';
		obj = json_loads(line, 0, &jerr);
		if (!obj)
			fail_msg("line %u is not JSON: %s: %s", n + 1, jerr.text, line);
		assert_true(json_is_boolean(json_object_get(obj, "since_boot")));
		assert_int_equal(json_integer_value(json_object_get(obj, "shadow_pages")), 63);
		json_decref(obj);
		line = nl + 1;
		n++;
	}
	assert_int_equal(n, 3);
	assert_string_equal(line, "");
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_field_table),
		cmocka_unit_test(test_parse_extremes),
		cmocka_unit_test(test_parse_extra_keys),
		cmocka_unit_test(test_parse_malformed),
		cmocka_unit_test(test_parse_message_bounded),
		cmocka_unit_test(test_read_file),
		cmocka_unit_test(test_read_large_file),
		cmocka_unit_test(test_read_too_large),
		cmocka_unit_test(test_read_malformed_names_path_and_line),
		cmocka_unit_test(test_read_missing),
		cmocka_unit_test(test_reset_peak),
		cmocka_unit_test(test_args_good),
		cmocka_unit_test(test_args_bad),
		cmocka_unit_test(test_usage_lists_every_option),
		cmocka_unit_test(test_delta),
		cmocka_unit_test(test_gauges),
		cmocka_unit_test(test_row_since_boot),
		cmocka_unit_test(test_row_interval),
		cmocka_unit_test(test_row_peak_reset),
		cmocka_unit_test(test_row_bytes_saturate),
		cmocka_unit_test(test_json_row),
		cmocka_unit_test(test_text_view),
		cmocka_unit_test(test_json_view),
	};

	return cmocka_run_group_tests_name("vmalloc_shadow", tests, NULL, NULL);
}
