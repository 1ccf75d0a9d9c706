// SPDX-License-Identifier: GPL-2.0
/* Names made safe for terminals, JSON and labels (lib/sanitize.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "sanitize.h"
#include "../sanitize_oracle.h"

static const char *san(const char *s)
{
	static char buf[256];

	return kvs_sanitize(buf, sizeof(buf), s, strlen(s));
}

static void test_escapes(void **state)
{
	assert_string_equal(san("kworker/0:1"), "kworker/0:1");
	assert_string_equal(san("\033]0;PWN\007\033[2J"), "\\x1b]0;PWN\\x07\\x1b[2J");
	assert_string_equal(san("bad\xff\xfe"), "bad\\xff\\xfe");
	assert_string_equal(san("tab\there\n"), "tab\\x09here\\x0a");
	assert_string_equal(san("del\x7f"), "del\\x7f");
	/* Valid UTF-8 stays; overlong, surrogates, C1 controls and truncations do not. */
	assert_string_equal(san("caf\xc3\xa9"), "caf\xc3\xa9");
	assert_string_equal(san("\xf0\x9f\x90\xa7"), "\xf0\x9f\x90\xa7");
	assert_string_equal(san("\xc0\xaf"), "\\xc0\\xaf");
	assert_string_equal(san("\xed\xa0\x80"), "\\xed\\xa0\\x80");
	assert_string_equal(san("\xc2\x9b"), "\\xc2\\x9b");
	assert_string_equal(san("end\xe2\x82"), "end\\xe2\\x82");
}

static void test_bounds(void **state)
{
	char small[8];
	char comm[16] = "abcdefghijklmnop";	/* a comm need not be terminated */

	/* Cut at a character boundary: never half an escape. */
	assert_string_equal(kvs_sanitize(small, sizeof(small), "ab\x01\x02", 4), "ab\\x01");
	assert_string_equal(kvs_sanitize(small, sizeof(small), "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 8),
			    "\xc3\xa9\xc3\xa9\xc3\xa9");
	assert_string_equal(kvs_sanitize(small, 1, "x", 1), "");
	assert_string_equal(kvs_sanitize(small, sizeof(small), comm, sizeof(comm)), "abcdefg");
}

static void test_idempotent(void **state)
{
	static const char *const in[] = { "\033[31m", "bad\xff", "a\\x1bb", "plain" };
	char once[64], twice[64];

	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		kvs_sanitize(once, sizeof(once), in[i], strlen(in[i]));
		assert_true(kvs_is_sanitized(once));
		kvs_sanitize(twice, sizeof(twice), once, strlen(once));
		assert_string_equal(once, twice);
	}
	assert_false(kvs_is_sanitized("\033"));
	assert_false(kvs_is_sanitized("\xff"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_idempotent),
	};

	return cmocka_run_group_tests_name("sanitize", tests, NULL, NULL);
}
