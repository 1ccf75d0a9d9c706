// SPDX-License-Identifier: GPL-2.0
/* /proc/vmallocinfo: areas for the estimate's seed, and the bytes of them all. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "vmallocinfo.h"

static const char real[] =
	"0xffffc90000000000-0xffffc90000005000   20480 irq_init_percpu_irqstack+0x114/0x1a0 vmap\n"
	"0xffffc90000009000-0xffffc9000000b000    8192 gen_pool_add_owner+0x45/0xa0 pages=1 vmalloc N0=1\n"
	"0xffffc9000003c000-0xffffc90000041000   20480 unpurged vm_area\n"
	"0xffffc90000042000-0xffffc90000044000    8192 vm_map_ram\n"
	"garbage line\n";
/* kptr_restrict=0 hashes the addresses, 2 zeros them; the sizes stay real. */
static const char hashed[] =
	"0x00000000a1b2c3d4-0x00000000deadbeef   20480 irq_init_percpu_irqstack+0x114/0x1a0 vmap\n"
	"0x000000001234abcd-0x0000000077777777    8192 gen_pool_add_owner+0x45/0xa0 pages=1 vmalloc\n";
/* Before the kernel's hash key is ready (6.1 in a guest), kptr_restrict=0 prints this. */
static const char ptrval[] =
	"0x(____ptrval____)-0x(____ptrval____)   36864 irq_init_percpu_irqstack+0x23f/0x2c9 vmap\n"
	"0x(____ptrval____)-0x(____ptrval____)   20480 unpurged vm_area\n";
static const char zeros[] =
	"0x0000000000000000-0x0000000000000000   20480 irq_init_percpu_irqstack+0x114/0x1a0 vmap\n";

struct seen {
	uint64_t start[8], end[8];
	int lazy[8];
	int n;
	long hidden;	/* parse: the area lines whose address was hidden */
};

static int record(void *arg, uint64_t start, uint64_t end, int lazy)
{
	struct seen *s = arg;

	s->start[s->n] = start;
	s->end[s->n] = end;
	s->lazy[s->n++] = lazy;
	return 0;
}

static int record_size(void *arg, uint64_t size, int lazy)
{
	struct seen *s = arg;

	s->end[s->n] = size;
	s->lazy[s->n++] = lazy;
	return s->n == 7 ? -ENOSPC : 0;
}

/* text through kvs_vmallocinfo_parse (sizes false) or _sizes into s. */
static long parse_as(const char *text, struct seen *s, bool sizes)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	long n;

	assert_non_null(f);
	memset(s, 0, sizeof(*s));
	n = sizes ? kvs_vmallocinfo_sizes(f, record_size, s) :
		    kvs_vmallocinfo_parse(f, record, s, &s->hidden);
	fclose(f);
	return n;
}

static long parse(const char *text, struct seen *s)
{
	return parse_as(text, s, false);
}

static long sizes(const char *text, struct seen *s)
{
	return parse_as(text, s, true);
}

static int bytes(const char *text, uint64_t *out)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int r;

	assert_non_null(f);
	r = kvs_vmallocinfo_bytes(f, out);
	fclose(f);
	return r;
}

static void test_areas(void **state)
{
	struct seen s;

	assert_int_equal(parse(real, &s), 4);
	assert_int_equal(s.hidden, 0);
	assert_true(s.start[0] == 0xffffc90000000000ULL && s.end[0] == 0xffffc90000005000ULL);
	assert_int_equal(s.lazy[0], 0);
	assert_int_equal(s.lazy[2], 1);		/* unpurged vm_area: lazily freed */
	assert_int_equal(s.lazy[3], 0);
	/* Addresses the kernel hid: refused, so the estimate is not seeded with nonsense. */
	assert_int_equal(parse(hashed, &s), -EACCES);
	assert_int_equal(s.n, 0);
	assert_int_equal(s.hidden, 2);	/* the walk's estimate of how many there are */
	assert_int_equal(parse(zeros, &s), -EACCES);
	assert_int_equal(parse(ptrval, &s), -EACCES);
	assert_int_equal(s.n, 0);
	assert_int_equal(s.hidden, 2);
	assert_int_equal(parse("0x(____ptrval____)-0x1 4096 x\n0x(____ptrval__-0x1 4096 x\n", &s), -EACCES);
	assert_int_equal(parse("", &s), 0);
	/*
	 * Only what the kernel prints (found by tests/fuzz/vmallocinfo: %llx
	 * took signs, blanks and a second 0x): none of these is an area.
	 */
	assert_int_equal(parse("0x-f-0x-1 4096 x\n"
			       "0x ffffc90000000000-0x ffffc90000005000 20480 x\n"
			       "0x0xffffc90000000000-0x0xffffc90000005000 20480 x\n"
			       "0xffffc90000000000-0x0ffffc90000005000 20480 x\n"
			       "0xffffc90000000000-0xffffc90000005000x 20480 x\n"
			       "0xFFFFC90000000000-0xFFFFC90000005000 20480 x\n", &s), 0);
	assert_int_equal(s.n, 0);
}

static void test_bytes(void **state)
{
	uint64_t b = 0;

	assert_int_equal(bytes(real, &b), 0);
	assert_int_equal(b, 20480 + 8192 + 20480 + 8192);
	/* The size column is there whatever kptr_restrict says. */
	assert_int_equal(bytes(hashed, &b), 0);
	assert_int_equal(b, 20480 + 8192);
	assert_int_equal(bytes(zeros, &b), 0);
	assert_int_equal(b, 20480);
	b = 7;
	assert_int_equal(bytes("nothing here\n", &b), -ENODATA);
	assert_int_equal(b, 7);
	assert_int_equal(bytes("0x1-0x2 18446744073709551615 x\n0x3-0x4 5 y\n", &b), 0);
	assert_true(b == UINT64_MAX);	/* saturated, never wrapped */
	/* A size is a decimal: "-1" is not UINT64_MAX bytes. */
	b = 7;
	assert_int_equal(bytes("0x1-0x2 -1 x\n0x3-0x4 18446744073709551616 y\n", &b), -ENODATA);
	assert_int_equal(b, 7);
}

/* The approximate seed's input: every area's size and lazy flag, addresses hidden or not. */
static void test_sizes(void **state)
{
	static const char hashed_lazy[] =
		"0x00000000a1b2c3d4-0x00000000deadbeef   20480 unpurged vm_area\n"
		"0x000000001234abcd-0x0000000077777777 2101248 bpf_map_area_alloc+0x7d/0xa0 vmalloc\n";
	struct seen s;

	assert_int_equal(sizes(real, &s), 4);
	assert_true(s.end[0] == 20480 && s.end[1] == 8192 && s.end[2] == 20480 && s.end[3] == 8192);
	assert_true(!s.lazy[0] && !s.lazy[1] && s.lazy[2] && !s.lazy[3]);
	assert_int_equal(sizes(hashed_lazy, &s), 2);
	assert_true(s.end[0] == 20480 && s.lazy[0] == 1);
	assert_true(s.end[1] == 2101248 && s.lazy[1] == 0);
	assert_int_equal(sizes(zeros, &s), 1);
	assert_int_equal(sizes(ptrval, &s), 2);
	assert_true(s.end[0] == 36864 && !s.lazy[0] && s.end[1] == 20480 && s.lazy[1]);
	assert_int_equal(sizes("nothing\n0x1-0x2 -1 x\n", &s), 0);
	/* The callback's error stops the parse and comes back. */
	assert_int_equal(sizes("0x1-0x2 1 a\n0x1-0x2 1 a\n0x1-0x2 1 a\n0x1-0x2 1 a\n"
			       "0x1-0x2 1 a\n0x1-0x2 1 a\n0x1-0x2 1 a\n0x1-0x2 1 a\n", &s), -ENOSPC);
	assert_int_equal(s.n, 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_areas),
		cmocka_unit_test(test_bytes),
	};

	return cmocka_run_group_tests_name("vmallocinfo", tests, NULL, NULL);
}
