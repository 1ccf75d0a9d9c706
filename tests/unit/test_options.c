// SPDX-License-Identifier: GPL-2.0
/*
 * Both command lines: every option of each table works and is in the usage
 * text with its help, bad input is a usage error with a reason, the enums
 * parse from their one table.
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

#include "kvs_test.h"
#include "numparse.h"
#include "options.h"
#include "stat_args.h"
#include "top_args.h"

typedef int (*parse_fn)(int argc, char **argv, struct kvs_options *o, char *err, size_t errlen);

static int args(parse_fn parse, const char *prog, struct kvs_options *o, char *err,
		size_t errlen, ...)
{
	char *argv[32] = { (char *)prog };
	int argc = 1;
	va_list ap;

	va_start(ap, errlen);
	while ((argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	return parse(argc, argv, o, err, errlen);
}

#define STAT(o, ...) args(kvshadowstat_parse_args, "kvshadowstat", o, err, sizeof(err), __VA_ARGS__, NULL)
#define TOP(o, ...) args(kvshadowtop_parse_args, "kvshadowtop", o, err, sizeof(err), __VA_ARGS__, NULL)

static void test_stat_good(void **state)
{
	struct kvs_options o;
	char err[256] = "";

	assert_int_equal(args(kvshadowstat_parse_args, "kvshadowstat", &o, err, sizeof(err), NULL), 0);
	/* No INTERVAL: one line, since boot, debugfs mode. */
	assert_int_equal(o.count, 1);
	assert_true(o.since_boot);
	assert_int_equal(o.mode, KVS_MODE_DEBUGFS);
	assert_false(o.json);
	assert_null(o.debugfs_file);

	assert_int_equal(STAT(&o, "0.5", "3", "--json"), 0);
	assert_true(o.interval_s == 0.5);
	assert_int_equal(o.count, 3);
	assert_true(o.json);

	/* Options before, between and after the numbers. */
	assert_int_equal(STAT(&o, "--file", "/tmp/f", "2", "--json", "10"), 0);
	assert_string_equal(o.debugfs_file, "/tmp/f");
	assert_true(o.interval_s == 2);
	assert_int_equal(o.count, 10);
	assert_true(o.json);

	/* INTERVAL alone: until interrupted. */
	assert_int_equal(STAT(&o, "--file=/x", ".25"), 0);
	assert_string_equal(o.debugfs_file, "/x");
	assert_true(o.interval_s == 0.25);
	assert_int_equal(o.count, 0);

	assert_int_equal(STAT(&o, "--prom-file", "/tmp/k.prom", "1"), 0);
	assert_string_equal(o.prom_file, "/tmp/k.prom");

	assert_int_equal(STAT(&o, "-h"), 1);
	assert_int_equal(STAT(&o, "1", "--help"), 1);
}

static void test_stat_bad(void **state)
{
	static const char *const bad[][4] = {
		{ "abc" }, { "-1" }, { "0" }, { "0", "5" }, { "0.0" }, { "1", "0" },
		{ "1", "x" }, { "1", "-3" }, { "1", "2", "3" }, { "--bogus" }, { "-x" },
		{ "--file" }, { "1e3" }, { "inf" }, { "nan" }, { "." }, { "1.2.3" },
		{ " 1" }, { "" }, { "0x10" }, { "2000000" }, { "1e-25" },
		{ "0.0000000000000000000000001" }, { "0.001" }, { "86401" },
		{ "1", "99999999999999999999999" }, { "--json=yes" }, { "--prom-file", "" },
		{ "--file", "" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *argv[8] = { "kvshadowstat" };
		struct kvs_options o;
		char err[256] = "";
		size_t j;
		int ret;

		for (j = 0; j < 4 && bad[i][j]; j++)
			argv[j + 1] = (char *)bad[i][j];
		ret = kvshadowstat_parse_args((int)j + 1, argv, &o, err, sizeof(err));
		print_message("%-10s %-6s -> %d \"%s\"\n", bad[i][0], bad[i][1] ? bad[i][1] : "",
			      ret, err);
		if (ret != -EINVAL)
			fail_msg("'%s %s' was accepted (%d)", bad[i][0], bad[i][1] ? bad[i][1] : "", ret);
		assert_true(strlen(err) > 0);
	}
}

static void test_top_good(void **state)
{
	struct kvs_options o;
	char err[256] = "";

	assert_int_equal(args(kvshadowtop_parse_args, "kvshadowtop", &o, err, sizeof(err), NULL), 0);
	assert_true(o.interval_s == 1);
	assert_int_equal(o.count, 0);
	assert_int_equal(o.rows, 10);
	assert_int_equal(o.prom_top, 10);
	assert_false(o.mode_set);
	assert_false(o.since_boot);
	assert_int_equal(o.sort, KVS_SORT_PAGES);
	assert_int_equal(o.by, KVS_BY_CALLER);
	assert_true(o.stall_ns == 1000000000);	/* --stall's default: 1s */

	assert_int_equal(TOP(&o, "--stall", "250ms"), 0);
	assert_true(o.stall_ns == 250000000);
	assert_int_equal(TOP(&o, "-b", "-n", "3", "-d", "0.25", "--json", "--mode", "estimate",
			     "-s", "calls", "-r", "0", "--by", "process", "--top", "5",
			     "--prom-file", "/tmp/x.prom"), 0);
	assert_true(o.batch);
	assert_int_equal(o.count, 3);
	assert_true(o.interval_s == 0.25);
	assert_true(o.json);
	assert_true(o.mode_set);
	assert_int_equal(o.mode, KVS_MODE_ESTIMATE);
	assert_int_equal(o.sort, KVS_SORT_CALLS);
	assert_int_equal(o.rows, 0);
	assert_int_equal(o.by, KVS_BY_PROCESS);
	assert_int_equal(o.prom_top, 5);
	assert_string_equal(o.prom_file, "/tmp/x.prom");

	for (int m = 0; m < KVS_NR_MODES; m++) {
		assert_int_equal(TOP(&o, "--mode", kvs_mode_name(m)), 0);
		assert_int_equal(o.mode, m);
	}
	for (int s = 0; s < KVS_NR_SORTS; s++) {
		assert_int_equal(TOP(&o, "-s", kvs_sorts[s].name), 0);
		assert_int_equal(o.sort, s);
	}
	assert_int_equal(TOP(&o, "-d", "86400", "-n", "0"), 0);
	assert_int_equal(TOP(&o, "-h"), 1);
}

static void test_top_bad(void **state)
{
	static const char *const bad[][2] = {
		{ "-n", " -5" }, { "-n", "-5" }, { "-n", "x" }, { "-n", "0x10" }, { "-n", "1.5" },
		{ "-n", "99999999999999999999999" }, { "-d", "0x1" }, { "-d", "0x2" },
		{ "-d", "0" }, { "-d", "0.001" }, { "-d", "1e-25" }, { "-d", "inf" }, { "-d", "nan" },
		{ "-d", " 1" }, { "-d", "86401" }, { "-d", "" }, { "--mode", "stockish" },
		{ "--mode", "" }, { "-s", "size" }, { "-r", "-1" }, { "-r", "100001" },
		{ "--by", "cpu" }, { "--top", "10001" }, { "--prom-file", "" }, { "--bogus" },
		{ "-x" }, { "extra" }, { "--json=1" }, { "-d" },
		/* A stall of no time, without a unit, or over an hour: a typo. */
		{ "--stall", "0s" }, { "--stall", "5" }, { "--stall", "3601s" }, { "--stall", "-1s" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *argv[4] = { "kvshadowtop" };
		struct kvs_options o;
		char err[256] = "";
		int argc = bad[i][1] ? 3 : 2;
		int ret;

		argv[1] = (char *)bad[i][0];
		argv[2] = (char *)bad[i][1];
		ret = kvshadowtop_parse_args(argc, argv, &o, err, sizeof(err));
		print_message("%-12s %-8s -> %d \"%s\"\n", bad[i][0], bad[i][1] ? bad[i][1] : "",
			      ret, err);
		if (ret != -EINVAL)
			fail_msg("'%s %s' was accepted (%d)", bad[i][0], bad[i][1] ? bad[i][1] : "", ret);
		assert_true(strlen(err) > 0);
	}
}

/* The usage text of a tool names every option of its table, with its argument and help. */
static void check_usage(const struct kvs_opt *table, size_t n, const char *usage)
{
	for (size_t i = 0; i < n; i++) {
		char want[128], help[128];

		snprintf(want, sizeof(want), "--%s%s%s", table[i].name, table[i].arg ? " " : "",
			 table[i].arg ? table[i].arg : "");
		assert_contains(usage, want);
		if (table[i].key < 256) {
			snprintf(want, sizeof(want), "-%c, --%s", table[i].key, table[i].name);
			assert_contains(usage, want);
		}
		/* The first line of its help, right after it (from its table when it has one). */
		if (table[i].print_help) {
			char *gen = NULL;
			size_t len = 0;
			FILE *f = open_memstream(&gen, &len);

			assert_non_null(f);
			assert_int_equal(table[i].print_help(f, "  "), 0);
			assert_int_equal(fclose(f), 0);
			snprintf(help, sizeof(help), "%.*s", (int)strcspn(gen, "\n"), gen);
			free(gen);
		} else {
			snprintf(help, sizeof(help), "%.*s", (int)strcspn(table[i].help, "\n"),
				 table[i].help);
		}
		assert_contains(usage, help);
	}
}

static void test_usage_lists_every_option(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(kvshadowstat_usage(f, false), 0);
	assert_int_equal(fclose(f), 0);
	assert_contains(buf, "Usage: kvshadowstat [INTERVAL [COUNT]]");
	check_usage(kvshadowstat_options, kvshadowstat_nr_options, buf);
	assert_contains(buf, "Exit status:");
	free(buf);

	buf = NULL;
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(kvshadowtop_usage(f), 0);
	assert_int_equal(fclose(f), 0);
	assert_contains(buf, "Usage: kvshadowtop ");
	check_usage(kvshadowtop_options, kvshadowtop_nr_options, buf);
	/* Every mode and sort the parser takes is named in the usage. */
	for (int m = 0; m < KVS_NR_MODES; m++)
		assert_contains(buf, kvs_mode_name(m));
	for (int s = 0; s < KVS_NR_SORTS; s++)
		assert_contains(buf, kvs_sorts[s].name);
	assert_contains(buf, "Exit status:");
	free(buf);
}

/* --help into a full disk is a failure (1), in both tools. */
static void test_usage_write_error(void **state)
{
	FILE *f = fopen("/dev/full", "w");

	assert_non_null(f);
	assert_int_equal(kvshadowtop_usage(f), 1);
	clearerr(f);
	assert_int_equal(kvshadowstat_usage(f, false), 1);
	fclose(f);
}

static void test_enum(void **state)
{
	char list[128];
	int v = -1;
	char err[128] = "";

	assert_int_equal(kvs_enum_parse(kvs_by_name, KVS_NR_BY, "process"), KVS_BY_PROCESS);
	assert_int_equal(kvs_enum_parse(kvs_by_name, KVS_NR_BY, "Process"), -1);
	assert_string_equal(kvs_enum_list(kvs_mode_name_i, KVS_NR_MODES, list, sizeof(list)),
			    "exact, stock, estimate or debugfs");
	assert_int_equal(kvs_opt_enum("--by", kvs_by_name, KVS_NR_BY, "cpu", &v, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "--by is caller or process, not 'cpu'");
	assert_int_equal(v, -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stat_good),
		cmocka_unit_test(test_stat_bad),
		cmocka_unit_test(test_top_good),
		cmocka_unit_test(test_top_bad),
		cmocka_unit_test(test_usage_lists_every_option),
		cmocka_unit_test(test_usage_write_error),
		cmocka_unit_test(test_enum),
	};

	return cmocka_run_group_tests_name("options", tests, NULL, NULL);
}
