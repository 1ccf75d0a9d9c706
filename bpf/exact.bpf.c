// SPDX-License-Identifier: GPL-2.0
/*
 * Exact mode: the kasan:kasan_vmalloc_populate and kasan_vmalloc_release
 * events of our kernel series carry what each call mapped and freed; sum
 * them, histogram their duration_ns and attribute the populate work.
 * Each event has a tp_btf and a classic tracepoint flavour; kvshadowtop
 * enables the one the kernel has.
 */
#include "kvshadow.bpf.h"

static __always_inline void on_populate(void *ctx, __u64 nr_populated, __u64 nr_allocated,
					__u64 duration_ns, int ret)
{
	__u64 ns = tp_duration ? duration_ns : 0;

	count(c.populate_calls, 1);
	count(c.pages_populated, nr_populated);
	count(c.pages_allocated, nr_allocated);
	if (ret)
		count(c.populate_failures, 1);
	if (ns)
		hist_add(KVS_HIST_POPULATE, ns);
	attribute(ctx, nr_populated, 1, ns);
	in_vmalloc_populate(ns, nr_populated, nr_allocated);
	net_populated(nr_populated);
}

static __always_inline void on_release(__u64 start, __u64 end, __u64 flags,
				       __u64 nr_released, __u64 duration_ns)
{
	__u64 ns = tp_duration ? duration_ns : 0;

	count(c.release_calls, 1);
	if (flags & KASAN_VMALLOC_PAGE_RANGE)
		count(c.vmap_area_purged_bytes, end > start ? end - start : 0);
	in_vmalloc_release(ns);
	in_purge_release(nr_released, ns, flags);
	count(c.pages_released, nr_released);
	if (ns)
		hist_add(KVS_HIST_RELEASE, ns);
	net_released(nr_released);
}

SEC("?tp_btf/kasan_vmalloc_populate")
int BPF_PROG(kvs_populate_btf, unsigned long addr, unsigned long size,
	     unsigned long shadow_start, unsigned long shadow_end,
	     unsigned long nr_populated, unsigned long nr_allocated,
	     __u64 duration_ns, int ret)
{
	on_populate(ctx, nr_populated, nr_allocated, duration_ns, ret);
	return 0;
}

SEC("?tp_btf/kasan_vmalloc_release")
int BPF_PROG(kvs_release_btf, unsigned long start, unsigned long end,
	     unsigned long free_region_start, unsigned long free_region_end,
	     unsigned long nr_released, unsigned long flags, __u64 duration_ns)
{
	on_release(start, end, flags, nr_released, duration_ns);
	return 0;
}

/* The classic tracepoint records; not in a non-KASAN host's BTF, so ours. */
struct trace_event_raw_kasan_vmalloc_populate___kvs {
	struct trace_entry ent;
	unsigned long addr, size, shadow_start, shadow_end;
	unsigned long nr_populated, nr_allocated;
	__u64 duration_ns;
	int ret;
} __attribute__((preserve_access_index));

struct trace_event_raw_kasan_vmalloc_release___kvs {
	struct trace_entry ent;
	unsigned long start, end, free_region_start, free_region_end;
	unsigned long nr_released, flags;
	__u64 duration_ns;
} __attribute__((preserve_access_index));

SEC("?tracepoint/kasan/kasan_vmalloc_populate")
int kvs_populate_tp(struct trace_event_raw_kasan_vmalloc_populate___kvs *ctx)
{
	on_populate(ctx, ctx->nr_populated, ctx->nr_allocated, ctx->duration_ns, ctx->ret);
	return 0;
}

SEC("?tracepoint/kasan/kasan_vmalloc_release")
int kvs_release_tp(struct trace_event_raw_kasan_vmalloc_release___kvs *ctx)
{
	on_release(ctx->start, ctx->end, ctx->flags, ctx->nr_released, ctx->duration_ns);
	return 0;
}
