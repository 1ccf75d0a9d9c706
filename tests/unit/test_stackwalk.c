// SPDX-License-Identifier: GPL-2.0
/*
 * Learning the stack walk: from a full unwind and a raw stack, where each
 * return address sits; and a walk that follows what was learned (the
 * algorithm of bpf/stackwalk.bpf.h: walk_caller) names the same caller on
 * another pass of the same path, whatever else the stack holds.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "stackwalk.h"

/* Return addresses: below ctx (the BPF program), tracing, vmalloc, the caller, above. */
enum { BPF_RA = 0x1000, TRACE_RA = 0x2000, ALLOC_VA_RA = 0x3000, VMALLOC_RA = 0x4000,
       CALLER_RA = 0x5000, SYSCALL_RA = 0x6000 };

static bool internal(void *ctx, uint64_t ip)
{
	return ip < CALLER_RA;
}

/* A raw stack: words, with the return addresses at the given slots. */
static void stack(uint64_t *w, size_t n, uint64_t noise)
{
	for (size_t i = 0; i < n; i++)
		w[i] = noise + i;		/* locals, saved registers */
	w[3] = TRACE_RA;
	w[9] = ALLOC_VA_RA;
	w[20] = VMALLOC_RA;
	w[26] = CALLER_RA;
	w[40] = SYSCALL_RA;
}

/* walk_caller() of the BPF program, over learned frames. */
static uint64_t walk(const uint64_t *w, size_t n, uint32_t start,
		     const struct kvs_walk_frame *f, size_t nf)
{
	uint32_t off = start;

	for (int i = 0; i < 16 && off / 8 < n; i++) {
		const struct kvs_walk_frame *hit = NULL;

		for (size_t k = 0; k < nf; k++)
			if (f[k].ra == w[off / 8])
				hit = &f[k];
		if (!hit)
			return 0;
		if (hit->caller)
			return hit->ra;
		off += hit->step;
	}
	return 0;
}

static void test_learn_and_walk(void **state)
{
	const uint64_t ips[] = { BPF_RA, TRACE_RA, ALLOC_VA_RA, VMALLOC_RA, CALLER_RA, SYSCALL_RA, 0 };
	struct kvs_walk_frame out[16];
	uint64_t w[64], w2[64];
	uint32_t start = 0;
	size_t n = 0;

	stack(w, 64, 0x9000000);
	assert_int_equal(kvs_walk_learn(ips, 7, (const uint8_t *)w, sizeof(w), internal, NULL,
					&start, out, 16, &n), 0);
	assert_int_equal(start, 3 * 8);
	assert_int_equal(n, 4);
	assert_true(out[0].ra == TRACE_RA && out[0].step == 6 * 8 && !out[0].caller);
	assert_true(out[1].ra == ALLOC_VA_RA && out[1].step == 11 * 8);
	assert_true(out[2].ra == VMALLOC_RA && out[2].step == 6 * 8);
	assert_true(out[3].ra == CALLER_RA && out[3].caller);
	/* Another pass: other locals (one of them looks like a return address). */
	stack(w2, 64, 0x7000000);
	w2[5] = CALLER_RA;
	assert_true(walk(w2, 64, start, out, n) == CALLER_RA);
}

static void test_cannot_learn(void **state)
{
	const uint64_t ips[] = { BPF_RA, TRACE_RA, ALLOC_VA_RA, VMALLOC_RA, CALLER_RA, 0 };
	const uint64_t all_internal[] = { TRACE_RA, ALLOC_VA_RA, 0 };
	struct kvs_walk_frame out[16];
	uint64_t w[64];
	uint32_t start = 0;
	size_t n = 0;

	stack(w, 64, 0x9000000);
	/* The caller beyond the copy. */
	assert_int_equal(kvs_walk_learn(ips, 6, (const uint8_t *)w, 20 * 8, internal, NULL,
					&start, out, 16, &n), -ENOENT);
	/* A return address missing between two found ones: not a plain chain. */
	w[9] = 0;
	assert_int_equal(kvs_walk_learn(ips, 6, (const uint8_t *)w, sizeof(w), internal, NULL,
					&start, out, 16, &n), -ENOENT);
	/* No caller at all. */
	stack(w, 64, 0x9000000);
	assert_int_equal(kvs_walk_learn(all_internal, 3, (const uint8_t *)w, sizeof(w), internal,
					NULL, &start, out, 16, &n), -ENOENT);
	/* Too little room. */
	assert_int_equal(kvs_walk_learn(ips, 6, (const uint8_t *)w, sizeof(w), internal, NULL,
					&start, out, 2, &n), -ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_learn_and_walk),
		cmocka_unit_test(test_cannot_learn),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
