// SPDX-License-Identifier: GPL-2.0
/*
 * The man pages name what the tables define: every option of both tools
 * (long and short form), every mode, every sort and its column, every
 * --by word, kvshadowtop's recording commands and their options. (The keys are the TUI's: tests/tui/manpage.sh.) Run from the
 * top of the tree, as tests/run.sh does.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kvs_test.h"
#include "rec_args.h"
#include "stat_args.h"
#include "top_args.h"

/* The whole file, NUL-terminated (free() it). */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	int c;

	assert_non_null(f);
	assert_non_null(out);
	while ((c = fgetc(f)) != EOF)
		assert_int_not_equal(fputc(c, out), EOF);
	assert_false(ferror(f));
	fclose(f);
	assert_int_equal(fclose(out), 0);
	return buf;
}

/* s as troff writes it: every '-' is "\-". */
static char *troff(const char *prefix, const char *s)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	assert_non_null(f);
	for (const char *p = prefix; *p; p++)
		assert_true(fputs(*p == '-' ? "\\-" : (char[]){ *p, 0 }, f) >= 0);
	for (const char *p = s; *p; p++)
		assert_true(fputs(*p == '-' ? "\\-" : (char[]){ *p, 0 }, f) >= 0);
	assert_int_equal(fclose(f), 0);
	return out;
}

static void check_options(const char *page, const struct kvs_opt *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *want = troff("--", t[i].name);

		if (!strstr(page, want))
			fail_msg("the man page lacks %s", want);
		free(want);
		if (t[i].key < 256) {
			char shortopt[4] = { '-', (char)t[i].key, 0 };

			want = troff("", shortopt);
			if (!strstr(page, want))
				fail_msg("the man page lacks %s", want);
			free(want);
		}
	}
}

static void test_kvshadowtop(void **state)
{
	char *page = slurp("tools/kvshadowtop/kvshadowtop.8");

	check_options(page, kvshadowtop_options, kvshadowtop_nr_options);
	for (int m = 0; m < KVS_NR_MODES; m++)
		assert_contains(page, kvs_modes[m].name);
	for (int s = 0; s < KVS_NR_SORTS; s++) {
		assert_contains(page, kvs_sorts[s].name);
		if (kvs_sorts[s].column)
			assert_contains(page, kvs_sorts[s].column);
	}
	for (int b = 0; b < KVS_NR_BY; b++)
		assert_contains(page, kvs_bys[b].name);
	/* record, report, diff: their names and options. */
	for (unsigned int c = 0; c < KVS_NR_CMDS; c++) {
		char want[32];

		snprintf(want, sizeof(want), "kvshadowtop %s", kvs_rec_cmd_name(c));
		assert_contains(page, want);
	}
	check_options(page, kvshadowtop_record_options, kvshadowtop_record_nr_options);
	check_options(page, kvshadowtop_report_options, kvshadowtop_report_nr_options);
	check_options(page, kvshadowtop_diff_options, kvshadowtop_diff_nr_options);
	free(page);
}

static void test_kvshadowstat(void **state)
{
	char *page = slurp("tools/kvshadowstat/kvshadowstat.8");

	check_options(page, kvshadowstat_options, kvshadowstat_nr_options);
	free(page);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kvshadowtop),
		cmocka_unit_test(test_kvshadowstat),
	};

	return cmocka_run_group_tests_name("manpage", tests, NULL, NULL);
}
