// SPDX-License-Identifier: GPL-2.0
/*
 * diff --fail-on (tools/kvshadowtop/recording/failon.c): the expressions
 * of docs/interfaces.md §8 parse to what they say, everything else is a
 * usage error that names the expression, and the change is measured as
 * the expression asks (relative to |A|, absolute otherwise).
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "failon.h"
#include "kvs_test.h"

static void test_parse(void **state)
{
	struct kvs_failon *f;
	size_t n;
	char err[256];

	assert_int_equal(kvs_failon_parse("shadow_pages_peak>+5%,latency.populate.p99_ns>+20%,"
					  "caller=mod:fn:pages_populated>+10%,release_calls<-3,"
					  "populate_calls>+0.5", &f, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 5);
	assert_string_equal(f[0].key, "shadow_pages_peak");
	assert_null(f[0].row);
	assert_true(f[0].greater && f[0].percent);
	assert_true(f[0].n == 5);
	assert_string_equal(f[1].key, "latency.populate.p99_ns");
	assert_true(f[1].n == 20);
	/* NAME is everything up to the last ':'. */
	assert_string_equal(f[2].row, "mod:fn");
	assert_string_equal(f[2].key, "pages_populated");
	assert_string_equal(f[2].text, "caller=mod:fn:pages_populated>+10%");
	assert_false(f[3].greater || f[3].percent);
	assert_true(f[3].n == -3);
	assert_true(f[4].n == 0.5 && !f[4].percent);
	kvs_failon_free(f, n);
}

static void test_refused(void **state)
{
	static const char *const bad[] = {
		"", ",", "shadow_pages_peak", "shadow_pages_peak>5%", "shadow_pages_peak>+",
		"shadow_pages_peak>+%", "shadow_pages_peak>+5%%", "shadow_pages_peak>+5x",
		">+5%", "a..b>+5%", ".a>+1", "a.>+1", "a b>+1", "caller=:x>+1%", "caller=x>+1%",
		"a>+1e999", "a>+nan", "a>+inf", "a>+ 5", "a>=+5", "a>+5%,b",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct kvs_failon *f = (void *)1;
		size_t n = 99;
		char err[256] = "";

		if (kvs_failon_parse(bad[i], &f, &n, err, sizeof(err)) != -EINVAL)
			fail_msg("'%s' was not refused", bad[i]);
		assert_null(f);
		assert_int_equal(n, 0);
		assert_contains(err, "--fail-on");
	}
}

static void test_change(void **state)
{
	struct kvs_failon *f;
	size_t n;
	char err[256];

	assert_int_equal(kvs_failon_parse("k>+10%,k>+5,k<-10%", &f, &n, err, sizeof(err)), 0);
	/* Exact binary fractions: the comparisons below are exact. */
	assert_true(kvs_failon_change(&f[0], 1000, 1125) == 12.5);
	assert_true(kvs_failon_crossed(&f[0], 1000, 1125));
	assert_false(kvs_failon_crossed(&f[0], 1000, 1100));	/* +10% is not above +10% */
	assert_true(kvs_failon_change(&f[0], -1000, -875) == 12.5);	/* relative to |A| */
	assert_true(kvs_failon_change(&f[0], 0, 0) == 0);
	assert_true(isinf(kvs_failon_change(&f[0], 0, 1)));
	assert_true(kvs_failon_crossed(&f[0], 0, 1));		/* from nothing: any growth */
	assert_true(kvs_failon_crossed(&f[1], 50, 57));
	assert_false(kvs_failon_crossed(&f[1], 50, 55));
	assert_true(kvs_failon_crossed(&f[2], 200, 160));
	assert_false(kvs_failon_crossed(&f[2], 200, 190));
	assert_false(kvs_failon_crossed(&f[2], 0, 0));
	kvs_failon_free(f, n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_change),
	};

	return cmocka_run_group_tests_name("failon", tests, NULL, NULL);
}
