// SPDX-License-Identifier: GPL-2.0
/*
 * kvshadow BPF programs: count KASAN vmalloc shadow populate/release
 * (exact mode, kasan:* tracepoints of our kernel series), count vmap area
 * activity on any kernel (vmalloc:* tracepoints) and, in estimate mode,
 * hand every vmap area event to userspace in one ordered ring buffer.
 *
 * Every program is optional ("?" sections): kvshadowtop probes the kernel
 * and enables the tp_btf or the classic tracepoint flavour of each event,
 * and fentry/fexit only where the kernel allows them.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "kvshadow.h"

char LICENSE[] SEC("license") = "GPL";

/* Set by kvshadowtop before load. */
const volatile bool estimate_events = false;	/* feed area_events */
const volatile bool tp_duration = false;	/* histogram the tracepoints' duration_ns */

/* Exact mode shadow_pages since attach and its high-water mark. */
struct kvs_bpf_net net_state = {};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct kvs_bpf_counters);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KVS_NR_BPF_HISTS);
	__type(key, __u32);
	__type(value, struct kvs_bpf_hist);
} hists SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, KVS_MAX_STACKS);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, KVS_STACK_DEPTH * sizeof(__u64));
} stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, KVS_MAX_CALLERS);
	__type(key, struct kvs_caller_key);
	__type(value, struct kvs_attr_val);
} callers SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, KVS_MAX_PROCESSES);
	__type(key, struct kvs_process_key);
	__type(value, struct kvs_attr_val);
} processes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, struct kvs_start_key);
	__type(value, struct kvs_start_val);
} starts SEC(".maps");

/*
 * Estimate mode: one ring buffer shared by all CPUs, not a per-CPU
 * buffer, because the shadow model needs one order of events (an area is
 * allocated before it is freed, freed before it is purged) and a shared
 * ring buffer serialises reservations. 16 MiB hold ~500k events (FREE
 * and PURGE records are 32 bytes with the header, ALLOC 56) while the
 * consumer competes for CPU with the workload; kvshadowtop shrinks it to a
 * page when unused.
 */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 24);
} area_events SEC(".maps");

static __always_inline void count(__u32 idx, __u64 n)
{
	__u32 zero = 0;
	struct kvs_bpf_counters *c = bpf_map_lookup_elem(&counters, &zero);

	if (c && idx < KVS_NR_BPF_COUNTERS)
		c->v[idx] += n;
}

static __always_inline __u32 log2_u64(__u64 v)
{
	__u32 r = 0;

	if (v >> 32) { v >>= 32; r += 32; }
	if (v >> 16) { v >>= 16; r += 16; }
	if (v >> 8) { v >>= 8; r += 8; }
	if (v >> 4) { v >>= 4; r += 4; }
	if (v >> 2) { v >>= 2; r += 2; }
	if (v >> 1) r += 1;
	return r;
}

static __always_inline void hist_add(__u32 id, __u64 ns)
{
	struct kvs_bpf_hist *h = bpf_map_lookup_elem(&hists, &id);
	__u32 slot = log2_u64(ns);

	if (!h)
		return;
	if (slot >= KVS_BPF_HIST_SLOTS)
		slot = KVS_BPF_HIST_SLOTS - 1;
	h->slots[slot]++;
	h->count++;
	h->sum_ns += ns;
}

/* Add to a shared attribution map; 0 or -1 when the map is full. */
static __always_inline int attr_add(void *map, void *key, __u64 pages)
{
	struct kvs_attr_val zero = {}, *v;

	v = bpf_map_lookup_elem(map, key);
	if (!v) {
		/* EEXIST from a racing CPU is fine: look up again. */
		bpf_map_update_elem(map, key, &zero, BPF_NOEXIST);
		v = bpf_map_lookup_elem(map, key);
		if (!v)
			return -1;
	}
	__sync_fetch_and_add(&v->pages_populated, pages);
	__sync_fetch_and_add(&v->populate_calls, 1);
	return 0;
}

static __always_inline void attribute(void *ctx, __u64 pages)
{
	struct kvs_caller_key ck = {};
	struct kvs_process_key pk = {};

	ck.stackid = bpf_get_stackid(ctx, &stacks, 0);
	if (ck.stackid < 0 || attr_add(&callers, &ck, pages)) {
		count(KVS_C_CALLERS_DROPPED_PAGES, pages);
		count(KVS_C_CALLERS_DROPPED_CALLS, 1);
	}
	pk.tgid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(pk.comm, sizeof(pk.comm));
	if (attr_add(&processes, &pk, pages)) {
		count(KVS_C_PROCESSES_DROPPED_PAGES, pages);
		count(KVS_C_PROCESSES_DROPPED_CALLS, 1);
	}
}

/* ---- exact mode: kasan:* ---- */

static __always_inline void on_populate(void *ctx, __u64 nr_populated, __u64 nr_allocated,
					__u64 duration_ns, int ret)
{
	__s64 now, peak;
	int i;

	count(KVS_C_POPULATE_CALLS, 1);
	count(KVS_C_PAGES_POPULATED, nr_populated);
	count(KVS_C_PAGES_ALLOCATED, nr_allocated);
	if (ret)
		count(KVS_C_POPULATE_FAILURES, 1);
	if (tp_duration && duration_ns)
		hist_add(KVS_H_POPULATE, duration_ns);
	attribute(ctx, nr_populated);

	if (!nr_populated)
		return;
	now = __sync_fetch_and_add(&net_state.net, nr_populated) + nr_populated;
	/* Bounded: another CPU can only raise peak, so few retries suffice. */
	for (i = 0; i < 8; i++) {
		peak = net_state.peak;
		if (now <= peak ||
		    __sync_val_compare_and_swap(&net_state.peak, peak, now) == peak)
			break;
	}
}

static __always_inline void on_release(__u64 nr_released, __u64 duration_ns)
{
	count(KVS_C_RELEASE_CALLS, 1);
	count(KVS_C_PAGES_RELEASED, nr_released);
	if (tp_duration && duration_ns)
		hist_add(KVS_H_RELEASE, duration_ns);
	if (nr_released)
		__sync_fetch_and_sub(&net_state.net, nr_released);
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
	on_release(nr_released, duration_ns);
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
	on_release(ctx->nr_released, ctx->duration_ns);
	return 0;
}

/* ---- any kernel: vmalloc:* ---- */

/*
 * Waking the consumer costs an irq_work (a self-IPI, ~10 us per event in a
 * VM): wake it only when the buffer is a quarter full. kvshadowtop also
 * drains on a short timer, so a quiet buffer is still read promptly.
 */
static __always_inline __u64 wakeup_flags(void)
{
	__u64 avail = bpf_ringbuf_query(&area_events, BPF_RB_AVAIL_DATA);
	__u64 size = bpf_ringbuf_query(&area_events, BPF_RB_RING_SIZE);

	return avail > size / 4 ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

static __always_inline void emit(__u32 type, __u64 addr, __u64 size, __u32 npurged)
{
	struct kvs_area_event *e;

	if (!estimate_events)
		return;
	e = bpf_ringbuf_reserve(&area_events, sizeof(*e), 0);
	if (!e) {
		count(KVS_C_EVENTS_LOST, 1);
		return;
	}
	e->addr = addr;
	e->size = size;
	e->type = type;
	e->npurged = npurged;
	bpf_ringbuf_submit(e, wakeup_flags());
}

static __always_inline void emit_alloc(void *ctx, __u64 addr, __u64 size)
{
	struct kvs_alloc_event *e;

	if (!estimate_events)
		return;
	e = bpf_ringbuf_reserve(&area_events, sizeof(*e), 0);
	if (!e) {
		count(KVS_C_EVENTS_LOST, 1);
		return;
	}
	e->ev.addr = addr;
	e->ev.size = size;
	e->ev.type = KVS_EV_ALLOC;
	e->ev.npurged = 0;
	e->stackid = bpf_get_stackid(ctx, &stacks, 0);
	e->tgid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, wakeup_flags());
}

static __always_inline void on_alloc_va(void *ctx, __u64 addr, __u64 size, int failed)
{
	if (failed) {
		count(KVS_C_VMAP_AREA_ALLOC_FAILURES, 1);
		return;
	}
	count(KVS_C_VMAP_AREA_ALLOCS, 1);
	count(KVS_C_VMAP_AREA_ALLOC_BYTES, size);
	emit_alloc(ctx, addr, size);
}

static __always_inline void on_free_va(void *ctx, __u64 va_start)
{
	count(KVS_C_VMAP_AREA_FREES, 1);
	emit(KVS_EV_FREE, va_start, 0, 0);
}

static __always_inline void on_purge(void *ctx, __u64 start, __u64 end, __u32 npurged)
{
	count(KVS_C_VMAP_PURGES, 1);
	count(KVS_C_VMAP_AREAS_PURGED, npurged);
	emit(KVS_EV_PURGE, start, end > start ? end - start : 0, npurged);
}

SEC("?tp_btf/alloc_vmap_area")
int BPF_PROG(kvs_alloc_va_btf, unsigned long addr, unsigned long size, unsigned long align,
	     unsigned long vstart, unsigned long vend, int failed)
{
	on_alloc_va(ctx, addr, size, failed);
	return 0;
}

SEC("?tp_btf/free_vmap_area_noflush")
int BPF_PROG(kvs_free_va_btf, unsigned long va_start, unsigned long nr_lazy,
	     unsigned long nr_lazy_max)
{
	on_free_va(ctx, va_start);
	return 0;
}

SEC("?tp_btf/purge_vmap_area_lazy")
int BPF_PROG(kvs_purge_btf, unsigned long start, unsigned long end, unsigned int npurged)
{
	on_purge(ctx, start, end, npurged);
	return 0;
}

struct trace_event_raw_alloc_vmap_area___kvs {
	struct trace_entry ent;
	unsigned long addr, size, align, vstart, vend;
	int failed;
} __attribute__((preserve_access_index));

struct trace_event_raw_free_vmap_area_noflush___kvs {
	struct trace_entry ent;
	unsigned long va_start, nr_lazy, nr_lazy_max;
} __attribute__((preserve_access_index));

struct trace_event_raw_purge_vmap_area_lazy___kvs {
	struct trace_entry ent;
	unsigned long start, end;
	unsigned int npurged;
} __attribute__((preserve_access_index));

SEC("?tracepoint/vmalloc/alloc_vmap_area")
int kvs_alloc_va_tp(struct trace_event_raw_alloc_vmap_area___kvs *ctx)
{
	on_alloc_va(ctx, ctx->addr, ctx->size, ctx->failed);
	return 0;
}

SEC("?tracepoint/vmalloc/free_vmap_area_noflush")
int kvs_free_va_tp(struct trace_event_raw_free_vmap_area_noflush___kvs *ctx)
{
	on_free_va(ctx, ctx->va_start);
	return 0;
}

SEC("?tracepoint/vmalloc/purge_vmap_area_lazy")
int kvs_purge_tp(struct trace_event_raw_purge_vmap_area_lazy___kvs *ctx)
{
	on_purge(ctx, ctx->start, ctx->end, ctx->npurged);
	return 0;
}

/* ---- latency where fentry/fexit are allowed ---- */

static __always_inline void lat_enter(__u32 hist)
{
	struct kvs_start_key k = { .pid_tgid = bpf_get_current_pid_tgid(), .hist = hist };
	struct kvs_start_val zero = {}, *v;

	v = bpf_map_lookup_elem(&starts, &k);
	if (!v) {
		if (bpf_map_update_elem(&starts, &k, &zero, BPF_NOEXIST))
			return;
		v = bpf_map_lookup_elem(&starts, &k);
		if (!v)
			return;
	}
	/* Only this task touches its entry: no atomics needed. */
	if (v->depth < KVS_NEST_MAX)
		v->ns[v->depth & (KVS_NEST_MAX - 1)] = bpf_ktime_get_ns();
	else
		count(KVS_C_NEST_OVERFLOW, 1);
	v->depth++;
}

static __always_inline void lat_exit(__u32 hist)
{
	struct kvs_start_key k = { .pid_tgid = bpf_get_current_pid_tgid(), .hist = hist };
	struct kvs_start_val *v = bpf_map_lookup_elem(&starts, &k);
	__u32 d;

	if (!v || !v->depth)
		return;
	d = --v->depth;
	if (d < KVS_NEST_MAX)
		hist_add(hist, bpf_ktime_get_ns() - v->ns[d & (KVS_NEST_MAX - 1)]);
	if (!d)
		bpf_map_delete_elem(&starts, &k);
}

SEC("?fentry/kasan_populate_vmalloc")
int BPF_PROG(kvs_populate_entry)
{
	lat_enter(KVS_H_POPULATE);
	return 0;
}

SEC("?fexit/kasan_populate_vmalloc")
int BPF_PROG(kvs_populate_exit)
{
	lat_exit(KVS_H_POPULATE);
	return 0;
}

SEC("?fentry/kasan_release_vmalloc")
int BPF_PROG(kvs_release_entry)
{
	lat_enter(KVS_H_RELEASE);
	return 0;
}

SEC("?fexit/kasan_release_vmalloc")
int BPF_PROG(kvs_release_exit)
{
	lat_exit(KVS_H_RELEASE);
	return 0;
}

/* Attach target set by kvshadowtop (__vmalloc_node_range_noprof on 6.10+). */
SEC("?fentry/__vmalloc_node_range_noprof")
int BPF_PROG(kvs_vmalloc_entry)
{
	lat_enter(KVS_H_VMALLOC);
	return 0;
}

SEC("?fexit/__vmalloc_node_range_noprof")
int BPF_PROG(kvs_vmalloc_exit)
{
	lat_exit(KVS_H_VMALLOC);
	return 0;
}
