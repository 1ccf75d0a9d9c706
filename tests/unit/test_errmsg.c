// SPDX-License-Identifier: GPL-2.0
/* Error messages: the reason survives a message too long for its buffer. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "atomicfile.h"
#include "errmsg.h"

static void test_fits(void **state)
{
	char err[32];

	assert_int_equal(kvs_err(err, sizeof(err), -ENOENT, "%s: %s", "/x", "gone"), -ENOENT);
	assert_string_equal(err, "/x: gone");
	assert_int_equal(kvs_err(NULL, 0, -EIO, "nothing"), -EIO);
}

static void test_long_keeps_reason(void **state)
{
	char path[5001], err[512];

	memset(path, 'a', sizeof(path) - 1);
	path[sizeof(path) - 1] = '\0';
	kvs_err(err, sizeof(err), -ENAMETOOLONG, "%s: cannot open: %s", path, "File name too long");
	assert_int_equal(strlen(err), sizeof(err) - 1);
	assert_memory_equal(err, "aaaa", 4);
	assert_non_null(strstr(err, "..."));
	assert_non_null(strstr(err, ": cannot open: File name too long"));
}

/* The defect: a 5000-byte --prom-file gave a message cut at ~512 bytes, no reason. */
static void test_atomicfile_long_path(void **state)
{
	char path[5001], err[512];
	struct atomicfile af;

	memset(path, 'b', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	for (size_t i = 200; i < sizeof(path) - 1; i += 200)
		path[i] = '/';
	assert_true(atomicfile_open(&af, path, err, sizeof(err)) < 0);
	print_message("%s\n", err);
	assert_true(strlen(err) < sizeof(err));
	/* Whatever the reason, it is the end of the message and it is whole. */
	assert_true(strstr(err, "does not exist") || strstr(err, "too long"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fits),
		cmocka_unit_test(test_long_keeps_reason),
		cmocka_unit_test(test_atomicfile_long_path),
	};

	return cmocka_run_group_tests_name("errmsg", tests, NULL, NULL);
}
