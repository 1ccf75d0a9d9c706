// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include "stackwalk.h"

/* The first 8-byte slot at or after from that holds v, or -1. */
static long find_slot(const uint8_t *raw, size_t words, size_t from, uint64_t v)
{
	for (size_t j = from; j < words; j++) {
		uint64_t w;

		memcpy(&w, raw + j * sizeof(w), sizeof(w));
		if (w == v)
			return (long)j;
	}
	return -1;
}

int kvs_walk_learn(const uint64_t *ips, size_t n, const uint8_t *raw, size_t len,
		   kvs_internal_fn internal, void *ctx, uint32_t *start,
		   struct kvs_walk_frame *out, size_t max, size_t *nout)
{
	size_t words = len / sizeof(uint64_t), caller = n, k = 0;
	long prev = -1;

	*nout = 0;
	for (size_t i = 0; i < n && ips[i]; i++) {
		if (!internal(ctx, ips[i])) {
			caller = i;
			break;
		}
	}
	if (caller == n)
		return -ENOENT;
	for (size_t i = 0; i <= caller; i++) {
		long j = find_slot(raw, words, (size_t)(prev + 1), ips[i]);

		if (j < 0) {
			/* Below the arguments (the BPF program's own frames): not in raw. */
			if (prev < 0 && i < caller)
				continue;
			return -ENOENT;
		}
		if (k == max)
			return -ENOSPC;
		if (prev < 0)
			*start = (uint32_t)(j * sizeof(uint64_t));
		else
			out[k - 1].step = (uint32_t)((j - prev) * sizeof(uint64_t));
		out[k++] = (struct kvs_walk_frame){ .ra = ips[i], .step = 0, .caller = i == caller };
		prev = j;
	}
	*nout = k;
	return 0;
}
