/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Learning the stack walk (bpf/stackwalk.bpf.h: walk_caller). A full
 * unwind (bpf_get_stackid) is the expensive part of naming a caller on a
 * kernel without fentry: ORC unwinding costs microseconds per event. But
 * the frames between a tracepoint and the code that called vmalloc are
 * few and fixed per call site: the distance from one return address on
 * the stack to the next is the frame size of the function it returns
 * into, the same on every pass. So one full unwind together with a raw
 * copy of the same stack teaches where each return address sits; after
 * that the BPF program follows known return addresses and their steps,
 * a few map lookups instead of an unwind, and unwinds again only where
 * it meets an address it does not know.
 */
#ifndef KVS_STACKWALK_H
#define KVS_STACKWALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One return address the walk passes (or stops at: caller). */
struct kvs_walk_frame {
	uint64_t ra;
	uint32_t step;		/* bytes from its slot to the next one's; 0 for the caller */
	bool caller;		/* it returns into the function to attribute to */
};

/* Whether ip is in tracing, BPF, KASAN or vmalloc code (the walk goes on past it). */
typedef bool (*kvs_internal_fn)(void *ctx, uint64_t ip);

/*
 * Learn from one event: ips is its full unwind, innermost first (0 ends it
 * early), raw the len bytes of stack from the tracepoint's arguments up.
 * The caller is the first ip internal() rejects; every return address from
 * the first one found in raw up to the caller must sit in raw, in order.
 * Fills *start (raw offset of the first) and out[0..*nout) in walk order,
 * the caller last. 0, -ENOENT when the stack does not show that path
 * (nothing to learn), -ENOSPC when out is too small.
 */
int kvs_walk_learn(const uint64_t *ips, size_t n, const uint8_t *raw, size_t len,
		   kvs_internal_fn internal, void *ctx, uint32_t *start,
		   struct kvs_walk_frame *out, size_t max, size_t *nout);

#endif /* KVS_STACKWALK_H */
