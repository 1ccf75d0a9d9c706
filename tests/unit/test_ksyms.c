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
	"ffffffff81700000 T bpf_prog_alloc_no_stats\n"
	"ffffffffc0001000 t fix_size_alloc_test\t[test_vmalloc]\n"
	"ffffffffc0002000 t bpf_trampoline_6442480041\t[bpf]\n"
	"ffffffffc0003000 t bpf_prog_4d8fd5e2b5a5a3c2_kvs_vmalloc_entry\t[bpf]\n"
	"ffffffffc0004000 t ftrace_trampoline\t[__builtin__ftrace]\n";

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
	assert_int_equal(ks.nr, 11);		/* the D symbol is not text */
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

/*
 * The defect: with fentry on __vmalloc_node_range_noprof, every caller was
 * "ftrace_trampoline [__builtin__ftrace]"; and "bpf_prog_" also hid real
 * kernel functions. Trampolines and programs, ours or another tool's, are
 * skipped by their module.
 */
static void test_caller_through_trampolines(void **state)
{
	const uint64_t stack[] = {
		0xffffffffc0003010ULL,	/* a BPF program [bpf] */
		0xffffffff81600010ULL,	/* bpf_trace_run8 */
		0xffffffff81100010ULL,	/* alloc_vmap_area */
		0xffffffffc0004010ULL,	/* ftrace_trampoline [__builtin__ftrace] */
		0xffffffff81300010ULL,	/* __vmalloc_node_range_noprof */
		0xffffffffc0002010ULL,	/* bpf_trampoline_... [bpf] */
		0xffffffff81700010ULL,	/* bpf_prog_alloc_no_stats: the real caller */
		0xffffffff81400010ULL,
	};
	char name[64];
	struct ksyms ks;

	load(&ks, kallsyms, 0);
	assert_int_equal(kvs_caller_name(&ks, stack, 8, name, sizeof(name)), 0);
	assert_string_equal(name, "bpf_prog_alloc_no_stats");
	/* The kernel's own caller (vm->caller) names the function holding the address. */
	assert_int_equal(kvs_caller_name_ip(&ks, 0xffffffffc0001234ULL, name, sizeof(name)), 0);
	assert_string_equal(name, "fix_size_alloc_test [test_vmalloc]");
	assert_int_equal(kvs_caller_name_ip(&ks, 0xffffffff80000000ULL, name, sizeof(name)), -ENOENT);
	assert_string_equal(name, "unknown");
	ksyms_free(&ks);
}

/*
 * A module loaded after the snapshot: its frames fall after some symbol we
 * know (here a trampoline); skipping them as that would name kthread, the
 * frame after. With /proc/modules the snapshot knows what it can vouch for.
 */
static void test_stale_snapshot(void **state)
{
	static const char modules[] = "test_vmalloc 4096 0 - Live 0xffffffffc0001000\n";
	const uint64_t stack[] = {
		0xffffffff81300010ULL,	/* __vmalloc_node_range_noprof */
		0xffffffffc0006010ULL,	/* a new module's function, after ftrace_trampoline */
		0xffffffff81400010ULL,	/* alloc_thread_stack_node (stands for kthread) */
	};
	const uint64_t known[] = { 0xffffffff81300010ULL, 0xffffffffc0001010ULL };
	char name[64];
	struct ksyms ks;
	FILE *f;

	load(&ks, kallsyms, 0);
	/* Without /proc/modules: no checks (the old behaviour). */
	assert_int_equal(kvs_caller_name(&ks, stack, 3, name, sizeof(name)), 0);
	assert_string_equal(name, "alloc_thread_stack_node");
	f = fmemopen((void *)modules, strlen(modules), "r");
	assert_non_null(f);
	assert_int_equal(ksyms_parse_modules(f, &ks), 0);
	fclose(f);
	assert_int_equal(ks.nr_mods, 1);
	assert_int_equal(kvs_caller_name(&ks, stack, 3, name, sizeof(name)), -ESTALE);
	assert_string_equal(name, "unknown");
	assert_int_equal(kvs_caller_name_ip(&ks, 0xffffffffc0006010ULL, name, sizeof(name)), -ESTALE);
	/* Within a module we know, and near our trampolines: named as before. */
	assert_int_equal(kvs_caller_name(&ks, known, 2, name, sizeof(name)), 0);
	assert_string_equal(name, "fix_size_alloc_test [test_vmalloc]");
	assert_int_equal(kvs_caller_name_ip(&ks, 0xffffffffc0004010ULL, name, sizeof(name)), 0);
	assert_string_equal(name, "ftrace_trampoline [__builtin__ftrace]");
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
	assert_false(kvs_caller_is_internal("bpf_prog_alloc_no_stats"));
	assert_false(kvs_caller_is_internal("bpf_prog_calc_tag"));
	assert_true(kvs_caller_is_internal("bpf_prog_4d8fd5e2b5a5a3c2_x [bpf]"));
	assert_true(kvs_caller_is_internal("bpf_trampoline_6442480041 [bpf]"));
	assert_true(kvs_caller_is_internal("ftrace_trampoline [__builtin__ftrace]"));
	assert_true(kvs_caller_is_internal("kprobe_insn_page [__builtin__kprobes]"));
	assert_false(kvs_caller_is_internal("kvs_wl_small [kvshadow_workload]"));
	/* A caller with vmalloc in its name is still a caller: only the API is internal. */
	assert_false(kvs_caller_is_internal("kvshadow_wl_vmalloc [kvshadow_workload]"));
	assert_false(kvs_caller_is_internal("kvshadow_wl_vzalloc [kvshadow_workload]"));
	assert_true(kvs_caller_is_internal("__vmalloc_node_range_noprof"));
	assert_true(kvs_caller_is_internal("vmalloc_user_noprof"));
	assert_true(kvs_caller_is_internal("kvmalloc_node_noprof"));
	assert_true(kvs_caller_is_internal("vcalloc_noprof"));
	assert_false(kvs_caller_is_internal("bpfilter [bpfx]"));
}

static void test_hidden(void **state)
{
	struct ksyms ks;

	/* No text symbol at all (UBSan: qsort(NULL, 0) was undefined). */
	load(&ks, "x\n", 0);
	assert_int_equal(ks.nr, 0);
	assert_null(ksyms_search(&ks, 0xffffffff81000000ULL));
	ksyms_free(&ks);

	load(&ks, "0000000000000000 T _stext\n0000000000000000 t foo\n", -EACCES);
	assert_int_equal(ks.nr, 0);
}

/* Only lines as the kernel writes them (found by tests/fuzz/kallsyms). */
static void test_strict(void **state)
{
	char text[1024], name[301];
	struct ksyms ks;

	load(&ks, "2T?\n-1 T minus\n0x10 T hex\n 10 T blank\nffffffff810000000 T seventeen\n"
	     "FFFFFFFF81000000 T upper\nffffffff81000000  T two_spaces\n", 0);
	assert_int_equal(ks.nr, 0);
	ksyms_free(&ks);
	/* Names are not cut (KSYM_NAME_LEN is 512 since Linux 6.1). */
	memset(name, 'n', 300);
	name[300] = '\0';
	snprintf(text, sizeof(text), "ffffffff81000000 T %s\nffffffffc0000000 t f\t[%s]\n", name, name);
	load(&ks, text, 0);
	assert_int_equal(ks.nr, 2);
	assert_string_equal(ks.syms[0].name, name);
	assert_int_equal(strlen(ks.syms[1].name), strlen("f [") + 300 + strlen("]"));
	ksyms_free(&ks);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_search),
		cmocka_unit_test(test_caller),
		cmocka_unit_test(test_caller_through_trampolines),
		cmocka_unit_test(test_stale_snapshot),
		cmocka_unit_test(test_internal),
		cmocka_unit_test(test_hidden),
		cmocka_unit_test(test_strict),
	};

	return cmocka_run_group_tests_name("ksyms", tests, NULL, NULL);
}
