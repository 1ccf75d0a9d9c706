// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of pipeline/sources/vmalloc_shadow.c: the debugfs parser and reader. (What
 * kvshadowstat does with the numbers is the shared pipeline's: test_model,
 * test_json, test_options.)
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
	assert_int_equal(vs.c.shadow_pages, 63);
	assert_int_equal(vs.c.shadow_pages_peak, 63);
	assert_int_equal(vs.c.pages_populated, 140);
	assert_int_equal(vs.c.pages_released, 77);
	assert_int_equal(vs.c.pages_allocated, 148);
	assert_int_equal(vs.c.populate_calls, 37);
	assert_int_equal(vs.c.populate_failures, 0);
	assert_int_equal(vs.c.release_calls, 6);
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

	/* The file's keys, in its order, are the first rows of the counter table. */
	assert_int_equal(KVS_NR_DEBUGFS, 8);
	assert_int_equal(parse_str(GOOD, &vs, NULL, 0), 0);
	for (i = 0; i < KVS_NR_DEBUGFS; i++) {
		assert_string_equal(kvs_counter_info[i].name, names[i]);
		assert_true(kvs_counter_info[i].debugfs);
	}
	assert_false(kvs_counter_info[KVS_NR_DEBUGFS].debugfs);
	assert_int_equal(kvs_counter_get(&vs.c, 2), 140);
	assert_int_equal(kvs_counter_get(&vs.c, 7), 6);
	/* The other counters are not in the file: left 0. */
	for (i = KVS_NR_DEBUGFS; i < KVS_NR_COUNTERS; i++)
		assert_int_equal(kvs_counter_get(&vs.c, i), 0);
	vmalloc_shadow_free(&vs);
}

static void test_parse_extremes(void **state)
{
	struct vmalloc_shadow vs;
	char err[256];

	assert_int_equal(parse_str("shadow_pages 18446744073709551615\n"
				   "shadow_pages_peak 0\n" L3 L4 L5 L6 L7 L8,
				   &vs, err, sizeof(err)), 0);
	assert_true(vs.c.shadow_pages == UINT64_MAX);
	assert_int_equal(vs.c.shadow_pages_peak, 0);
	vmalloc_shadow_free(&vs);
	/* Leading zeros are still a decimal number. */
	assert_int_equal(parse_str("shadow_pages 007\n" L2 L3 L4 L5 L6 L7 L8,
				   &vs, err, sizeof(err)), 0);
	assert_int_equal(vs.c.shadow_pages, 7);
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
	assert_int_equal(vs.c.release_calls, 6);
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
	/* Cut in the middle (lib/errmsg.c): the start says where, the end says why. */
	assert_string_equal(err, "li...number");

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
	assert_int_equal(vs.c.pages_populated, 140);
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
	};

	return cmocka_run_group_tests_name("vmalloc_shadow", tests, NULL, NULL);
}
