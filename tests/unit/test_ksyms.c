// SPDX-License-Identifier: GPL-2.0
/* kallsyms parsing, address search and naming the vmalloc caller of a stack. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "ksyms.h"

static const char kallsyms[] =
	"ffffffff81000000 T _stext\n"
	"ffffffff81200000 T kasan_populate_vmalloc\n"
	"ffffffff81100000 t alloc_vmap_area\n"
	"ffffffff81300000 T __vmalloc_node_range_noprof\n"
	"ffffffff81400000 T alloc_thread_stack_node\n"
	"ffffffff81500000 D some_data\n"
	"ffffffff81600000 T bpf_trace_run8\n"
	"ffffffffc0001000 t fix_size_alloc_test\t[test_vmalloc]\n"
	"ffffffffc0002000 t bpf_trampoline_6442480041\t[bpf]\n";

static void load(struct ksyms *ks, const char *text, int want)
{
	char err[128];
	FILE *f = fmemopen((void *)text, strlen(text), "r");

	assert_non_null(f);
	assert_int_equal(ksyms_parse(f, ks, err, sizeof(err)), want);
	fclose(f);
}

static void test_search(void **state)
{
	struct ksyms ks;

	load(&ks, kallsyms, 0);
	assert_int_equal(ks.nr, 8);		/* the D symbol is not text */
	assert_null(ksyms_search(&ks, 0xffffffff80000000ULL));
	assert_string_equal(ksyms_search(&ks, 0xffffffff81000000ULL)->name, "_stext");
	assert_string_equal(ksyms_search(&ks, 0xffffffff81150000ULL)->name, "alloc_vmap_area");
	assert_string_equal(ksyms_search(&ks, 0xffffffff81580000ULL)->name, "alloc_thread_stack_node");
	assert_string_equal(ksyms_search(&ks, 0xffffffffc0001010ULL)->name,
			    "fix_size_alloc_test [test_vmalloc]");
	ksyms_free(&ks);
}

static void test_caller(void **state)
{
	const uint64_t stack[] = {
		0xffffffff81600010ULL,	/* bpf_trace_run8 */
		0xffffffff81200010ULL,	/* kasan_populate_vmalloc */
		0xffffffff81100010ULL,	/* alloc_vmap_area */
		0xffffffff81300010ULL,	/* __vmalloc_node_range_noprof */
		0xffffffffc0002010ULL,	/* bpf_trampoline_... (fentry on vmalloc) */
		0xffffffffc0001010ULL,	/* fix_size_alloc_test */
		0xffffffff81400010ULL,
	};
	const uint64_t internal_only[] = { 0xffffffff81200010ULL, 0xffffffff81100010ULL, 0 };
	char name[64];
	struct ksyms ks;

	load(&ks, kallsyms, 0);
	assert_int_equal(kvs_caller_name(&ks, stack, 7, name, sizeof(name)), 0);
	assert_string_equal(name, "fix_size_alloc_test [test_vmalloc]");
	assert_int_equal(kvs_caller_name(&ks, internal_only, 3, name, sizeof(name)), -ENOENT);
	assert_string_equal(name, "unknown");
	/* Truncated, never overflowing. */
	assert_int_equal(kvs_caller_name(&ks, stack, 7, name, 8), 0);
	assert_string_equal(name, "fix_siz");
	ksyms_free(&ks);
}

static void test_internal(void **state)
{
	assert_true(kvs_caller_is_internal("vmalloc_noprof"));
	assert_true(kvs_caller_is_internal("__kvmalloc_node_noprof"));
	assert_true(kvs_caller_is_internal("vzalloc_noprof"));
	assert_true(kvs_caller_is_internal("__get_vm_area_node"));
	assert_false(kvs_caller_is_internal("alloc_thread_stack_node"));
	assert_false(kvs_caller_is_internal("__bpf_map_area_alloc"));
	assert_false(kvs_caller_is_internal("load_module"));
}

static void test_hidden(void **state)
{
	struct ksyms ks;

	load(&ks, "0000000000000000 T _stext\n0000000000000000 t foo\n", -EACCES);
	assert_int_equal(ks.nr, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_search),
		cmocka_unit_test(test_caller),
		cmocka_unit_test(test_internal),
		cmocka_unit_test(test_hidden),
	};

	return cmocka_run_group_tests_name("ksyms", tests, NULL, NULL);
}
