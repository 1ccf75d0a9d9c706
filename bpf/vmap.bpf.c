// SPDX-License-Identifier: GPL-2.0
/*
 * Any kernel: the vmalloc:alloc_vmap_area, free_vmap_area_noflush and
 * purge_vmap_area_lazy events count vmap area activity in every mode and,
 * in estimate mode, go to userspace in one ordered ring buffer, where the
 * shadow model replays them (tools/kvshadowtop/sources/estimate.c).
 */
#include "kvshadow.bpf.h"
#include "stackwalk.bpf.h"

/*
 * Estimate mode: one ring buffer shared by all CPUs, not a per-CPU
 * buffer, because the shadow model needs one order of events (an area is
 * allocated before it is freed, freed before it is purged) and a shared
 * ring buffer serialises reservations. It starts at 1 MiB (~20k events;
 * PURGE records are 32 bytes with the header, FREE 40, ALLOC 72) because
 * size costs what we measure: the data pages are mapped twice in vmalloc
 * space, so on a KASAN kernel 16 MiB took ~1100 shadow pages, 9x the rest
 * of an idle system. 64 KiB lost nothing at the most a 2-CPU host made
 * (~100k events/s, bench/footprint), but 256 KiB lost 493 records in a
 * TCG guest's 2-thread test_vmalloc (tests/vm/stock.sh on 6.1), where the
 * reader shares the emulated CPUs with the writers; 1 MiB lost none.
 * When records are lost, kvshadowtop puts a bigger one into area_rings
 * (programs look it up per event) and re-seeds its model.
 * kvshadowtop shrinks area_events to a page when estimate mode is off.
 */
struct ringbuf {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
};

struct ringbuf area_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, struct ringbuf);
} area_rings SEC(".maps") = {
	.values = { [0] = &area_events },
};

/*
 * Waking the consumer costs an irq_work (a self-IPI, ~10 us per event in a
 * VM): wake it only when the buffer is a quarter full. kvshadowtop also
 * drains on a short timer, so a quiet buffer is still read promptly.
 */
static __always_inline __u64 wakeup_flags(void *rb)
{
	__u64 avail = bpf_ringbuf_query(rb, BPF_RB_AVAIL_DATA);
	__u64 size = bpf_ringbuf_query(rb, BPF_RB_RING_SIZE);

	return avail > size / 4 ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

/* The ring buffer in use now (kvshadowtop may swap in a bigger one). */
static __always_inline void *area_ring(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&area_rings, &zero);
}

/*
 * Room for one record of size bytes in the estimate's ring, or NULL: the
 * estimate is off, or the ring is full and the loss is counted (events_lost
 * tells the estimate it is low and makes it re-seed). *rb: the ring.
 */
static __always_inline void *reserve(void **rb, __u64 size)
{
	void *e;

	if (!estimate_events)
		return NULL;
	*rb = area_ring();
	e = *rb ? bpf_ringbuf_reserve(*rb, size, 0) : NULL;
	if (!e)
		count(events_lost, 1);
	return e;
}

/* A PURGE record: the range purged and how many areas it took. */
static __always_inline void emit_purge(__u64 start, __u64 size, __u32 npurged)
{
	struct kvs_area_event *e;
	void *rb = NULL;

	e = reserve(&rb, sizeof(*e));
	if (!e)
		return;
	e->addr = start;
	e->size = size;
	e->type = KVS_EV_PURGE;
	e->npurged = npurged;
	bpf_ringbuf_submit(e, wakeup_flags(rb));
}

/* The ALLOC record's caller: the kernel's, the walk's (checked now and then), or a stack. */
static __always_inline void alloc_caller(void *ctx, bool on_stack, struct kvs_alloc_event *e)
{
	e->caller = area_caller();
	if (e->caller) {
		e->flags = KVS_CALLER_KERNEL;
		name_caller(e->caller);
		return;
	}
	e->caller = on_stack ? walk_caller(ctx) : 0;
	if (e->caller) {
		count(callers_walked, 1);
		e->flags = KVS_CALLER_WALKED;
		if (!walk_verify || __sync_fetch_and_add(&walk_seq, 1) % walk_verify)
			return;
	} else {
		count(callers_unwound, 1);
	}
	e->stackid = bpf_get_stackid(ctx, &stacks, 0);
	e->flags |= KVS_CALLER_STACK;
	if (!e->caller && on_stack)
		learn(ctx, e->stackid);
}

static __always_inline void emit_alloc(void *ctx, bool on_stack, __u64 addr, __u64 size)
{
	struct kvs_alloc_event *e;
	void *rb = NULL;

	e = reserve(&rb, sizeof(*e));
	if (!e)
		return;
	e->ev.addr = addr;
	e->ev.size = size;
	e->ev.type = KVS_EV_ALLOC;
	e->ev.npurged = 0;
	e->stackid = -1;
	e->flags = 0;
	e->pad = 0;
	e->caller = 0;
	if (attribution)
		alloc_caller(ctx, on_stack, e);
	e->tgid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, wakeup_flags(rb));
}

/* on_stack: ctx is the tracepoint's arguments on the kernel stack (tp_btf). */
static __always_inline void on_alloc_va(void *ctx, bool on_stack, __u64 addr, __u64 size,
					int failed)
{
	if (failed) {
		count(c.vmap_area_alloc_failures, 1);
		return;
	}
	count(c.vmap_area_allocs, 1);
	count(c.vmap_area_alloc_bytes, size);
	emit_alloc(ctx, on_stack, addr, size);
}

/* A lazy free, with the backlog the kernel reported (nr_lazy_max 0: none). */
static __always_inline void free_event(__u64 va_start, __u64 nr_lazy, __u32 nr_lazy_max)
{
	struct kvs_free_event *e;
	void *rb = NULL;

	count(c.vmap_area_frees, 1);
	e = reserve(&rb, sizeof(*e));
	if (!e)
		return;
	e->addr = va_start;
	e->nr_lazy = nr_lazy;
	e->type = KVS_EV_FREE;
	e->nr_lazy_max = nr_lazy_max;
	e->ns = nr_lazy_max ? bpf_ktime_get_ns() : 0;
	bpf_ringbuf_submit(e, wakeup_flags(rb));
}

/*
 * Estimate mode's FREE record carries the backlog; the other modes keep
 * it in lazy_state. Two CPUs freeing at once may store their values there
 * in either order; the fields are read without a lock. Both only blur
 * which of two frees a microsecond apart the backlog is shown from.
 */
static __always_inline void on_free_va(void *ctx, __u64 va_start, __u64 nr_lazy,
				       __u64 nr_lazy_max)
{
	if (!estimate_events) {
		lazy_state.nr_lazy = nr_lazy;
		lazy_state.nr_lazy_max = nr_lazy_max;
		lazy_state.free_ns = bpf_ktime_get_ns();
		lazy_state.free_seq = __sync_fetch_and_add(&lazy_state.seq, 1) + 1;
	}
	free_event(va_start, nr_lazy, nr_lazy_max);
}

static __always_inline void on_purge(void *ctx, __u64 start, __u64 end, __u32 npurged)
{
	struct kvs_task_purge *p;

	if (!estimate_events)
		lazy_state.purge_seq = __sync_fetch_and_add(&lazy_state.seq, 1) + 1;
	/* The event fires at the end of the purge fexit times: what it purged, for --slow. */
	p = bpf_task_storage_get(&task_purge, bpf_get_current_task_btf(), 0, 0);
	if (p && p->start_ns && npurged != KVS_PURGE_ALL) {
		p->areas = npurged;
		p->areas_known = 1;
	}
	count(c.vmap_purges, 1);
	if (npurged != KVS_PURGE_ALL)
		count(c.vmap_areas_purged, npurged);
	emit_purge(start, end > start ? end - start : 0, npurged);
}

SEC("?tp_btf/alloc_vmap_area")
int BPF_PROG(kvs_alloc_va_btf, unsigned long addr, unsigned long size, unsigned long align,
	     unsigned long vstart, unsigned long vend, int failed)
{
	on_alloc_va(ctx, true, addr, size, failed);
	return 0;
}

SEC("?tp_btf/free_vmap_area_noflush")
int BPF_PROG(kvs_free_va_btf, unsigned long va_start, unsigned long nr_lazy,
	     unsigned long nr_lazy_max)
{
	on_free_va(ctx, va_start, nr_lazy, nr_lazy_max);
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
	on_alloc_va(ctx, false, ctx->addr, ctx->size, ctx->failed);
	return 0;
}

SEC("?tracepoint/vmalloc/free_vmap_area_noflush")
int kvs_free_va_tp(struct trace_event_raw_free_vmap_area_noflush___kvs *ctx)
{
	on_free_va(ctx, ctx->va_start, ctx->nr_lazy, ctx->nr_lazy_max);
	return 0;
}

SEC("?tracepoint/vmalloc/purge_vmap_area_lazy")
int kvs_purge_tp(struct trace_event_raw_purge_vmap_area_lazy___kvs *ctx)
{
	on_purge(ctx, ctx->start, ctx->end, ctx->npurged);
	return 0;
}


/*
 * Kernels without the vmalloc:* events (6.1): the same three moments from
 * fentry/fexit, for estimate mode (kvshadowtop reads the vmap_area_*
 * counters as unknown there). alloc_vmap_area() returns the area or an
 * ERR_PTR; its argument list differs between kernels, so the return comes
 * from bpf_get_func_ret(). free_vmap_area_noflush() queues an area for the
 * lazy purge.
 */
SEC("?fexit/alloc_vmap_area")
int kvs_alloc_va_exit(__u64 *ctx)
{
	struct vmap_area *va;
	__u64 ret = 0, start, end;

	if (bpf_get_func_ret(ctx, &ret))
		return 0;
	if (!ret || ret >= (__u64)-4095) {
		on_alloc_va(ctx, false, 0, 0, 1);
		return 0;
	}
	va = (struct vmap_area *)ret;
	start = BPF_CORE_READ(va, va_start);
	end = BPF_CORE_READ(va, va_end);
	on_alloc_va(ctx, false, start, end - start, 0);
	return 0;
}

/*
 * The free counts once the area is on the purge list, at the return: from
 * the entry, a purge that took the list in between (another CPU) would be
 * modelled as purging an area it did not take. The area may be merged
 * into a neighbour and freed by then: its start is kept from the entry.
 */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64);
} task_free_va SEC(".maps");

SEC("?fentry/free_vmap_area_noflush")
int BPF_PROG(kvs_free_va_entry, struct vmap_area *va)
{
	__u64 *start = bpf_task_storage_get(&task_free_va, bpf_get_current_task_btf(), 0,
					    BPF_LOCAL_STORAGE_GET_F_CREATE);

	if (start)
		*start = BPF_CORE_READ(va, va_start);
	return 0;
}

SEC("?fexit/free_vmap_area_noflush")
int BPF_PROG(kvs_free_va_exit, struct vmap_area *va)
{
	__u64 *start = bpf_task_storage_get(&task_free_va, bpf_get_current_task_btf(), 0, 0);

	/* 6.1 has no event with the backlog: the lazy state stays unknown. */
	if (start && *start) {
		free_event(*start, 0, 0);
		*start = 0;
	}
	return 0;
}

/*
 * 6.1's __purge_vmap_area_lazy() takes the whole lazy list at its start
 * and purges every area on it (its range is computed inside, its count
 * never said): at entry, every area freed before is purged. An area freed
 * between this entry and the kernel taking the list, a spinlock away, is
 * purged by the kernel and left lazy by the model until the next purge.
 */
SEC("?fentry/__purge_vmap_area_lazy")
int kvs_purge_entry_all(__u64 *ctx)
{
	on_purge(ctx, 0, ~0ULL, KVS_PURGE_ALL);
	return 0;
}
