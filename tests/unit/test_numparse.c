// SPDX-License-Identifier: GPL-2.0
/* The one number parser (lib/numparse.c). */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "numparse.h"

static void test_u64(void **state)
{
	uint64_t v = 7;

	assert_int_equal(kvs_parse_u64("0", 0, 10, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(kvs_parse_u64("007", 0, 10, &v), 0);
	assert_int_equal(v, 7);
	assert_int_equal(kvs_parse_u64("18446744073709551615", 0, UINT64_MAX, &v), 0);
	assert_true(v == UINT64_MAX);
	v = 3;
	assert_int_equal(kvs_parse_u64("18446744073709551616", 0, UINT64_MAX, &v), -ERANGE);
	assert_int_equal(kvs_parse_u64("11", 0, 10, &v), -ERANGE);
	assert_int_equal(kvs_parse_u64("0", 1, 10, &v), -ERANGE);
	static const char *const bad[] = { "", " 5", " -5", "-5", "+5", "5 ", "0x10", "1e3",
					   "1.5", "five", "5x", "\t5" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(kvs_parse_u64(bad[i], 0, UINT64_MAX, &v), -EINVAL);
	assert_int_equal(v, 3);		/* untouched on error */
}

static void test_seconds(void **state)
{
	double v = 9;

	assert_int_equal(kvs_parse_seconds("0.5", 0.01, 10, &v), 0);
	assert_true(v == 0.5);
	assert_int_equal(kvs_parse_seconds(".25", 0.01, 10, &v), 0);
	assert_true(v == 0.25);
	assert_int_equal(kvs_parse_seconds("2.", 0.01, 10, &v), 0);
	assert_true(v == 2);
	assert_int_equal(kvs_parse_seconds("0.01", KVS_INTERVAL_MIN, KVS_INTERVAL_MAX, &v), 0);
	assert_int_equal(kvs_parse_seconds("86400", KVS_INTERVAL_MIN, KVS_INTERVAL_MAX, &v), 0);
	v = 9;
	assert_int_equal(kvs_parse_seconds("86400.5", KVS_INTERVAL_MIN, KVS_INTERVAL_MAX, &v), -ERANGE);
	assert_int_equal(kvs_parse_seconds("0.0000000000000000000000001", KVS_INTERVAL_MIN,
					   KVS_INTERVAL_MAX, &v), -ERANGE);
	static const char *const bad[] = { "", ".", "1.2.3", "1e-25", "1e3", "0x1", "0x2", "inf",
					   "nan", " 1", "1 ", "-1", "+1", "1s", "1,5" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(kvs_parse_seconds(bad[i], 0, 1e9, &v), -EINVAL);
	assert_true(v == 9);
}

static void test_duration(void **state)
{
	uint64_t ns = 1;

	assert_int_equal(kvs_parse_duration_ns("500us", UINT64_MAX, &ns), 0);
	assert_int_equal(ns, 500000);
	assert_int_equal(kvs_parse_duration_ns("2ms", UINT64_MAX, &ns), 0);
	assert_int_equal(ns, 2000000);
	assert_int_equal(kvs_parse_duration_ns("1s", UINT64_MAX, &ns), 0);
	assert_int_equal(ns, 1000000000);
	assert_int_equal(kvs_parse_duration_ns("1.5ms", UINT64_MAX, &ns), 0);
	assert_int_equal(ns, 1500000);
	assert_int_equal(kvs_parse_duration_ns("0ns", UINT64_MAX, &ns), 0);
	assert_int_equal(ns, 0);
	assert_int_equal(kvs_parse_duration_ns("11s", 10000000000ULL, &ns), -ERANGE);
	/* Beyond 2^63 ns (found by tests/fuzz/numbers): the value, or -ERANGE past 2^64. */
	assert_int_equal(kvs_parse_duration_ns("18400000177s", UINT64_MAX, &ns), 0);
	/* Doubles are 2048 apart there. */
	assert_true(ns > 18400000177000000000ULL - 2048 && ns < 18400000177000000000ULL + 2048);
	assert_int_equal(kvs_parse_duration_ns("18446744074s", UINT64_MAX, &ns), -ERANGE);
	assert_int_equal(kvs_parse_duration_ns("9223372037s", 9223372036854775807ULL, &ns), -ERANGE);
	static const char *const bad[] = { "", "5", "ms", "5 ms", "5MS", "5min", "-5ms", "1e3us",
					   "5ms ", "0x5ms", "5m" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(kvs_parse_duration_ns(bad[i], UINT64_MAX, &ns), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_u64),
		cmocka_unit_test(test_seconds),
		cmocka_unit_test(test_duration),
	};

	return cmocka_run_group_tests_name("numparse", tests, NULL, NULL);
}
