/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every kvshadow BPF program shares: the maps, the load-time settings
 * and the small helpers that count, histogram and attribute. Each map and
 * setting is defined once, in maps.bpf.c (which defines KVS_DEFINE_MAPS
 * before including this); the other objects see the same declarations as
 * extern, and `bpftool gen object` links them into one kvshadow.bpf.o, so
 * one skeleton holds every program:
 *
 *   maps.bpf.c    maps, settings, license
 *   exact.bpf.c   kasan:* tracepoints (our kernel series)
 *   vmap.bpf.c    vmalloc:* tracepoints, estimate mode's ordered events
 *   fentry.bpf.c  latency, the kernel's own caller, the --slow log
 *   stock.bpf.c   stock KASAN kernels: page-table walk and live counts
 */
#ifndef KVSHADOW_BPF_H
#define KVSHADOW_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "kvshadow.h"

#ifdef KVS_DEFINE_MAPS
#define KVS_SHARED
#define KVS_INIT(...) = __VA_ARGS__
#else
#define KVS_SHARED extern
#define KVS_INIT(...)
#endif

/* Settings, written by kvshadowtop before load. */
KVS_SHARED const volatile bool estimate_events KVS_INIT(false);	/* feed area_events */
KVS_SHARED const volatile bool tp_duration KVS_INIT(false);	/* histogram the kasan events' duration_ns */
KVS_SHARED const volatile bool caller_from_vm KVS_INIT(false);	/* kvs_area_entry/exit are attached */
KVS_SHARED const volatile bool vmalloc_traced KVS_INIT(false);	/* kvs_vmalloc_entry/exit are attached */
KVS_SHARED const volatile bool slow_enabled KVS_INIT(false);	/* --slow: log vmalloc calls at least ... */
KVS_SHARED const volatile __u64 slow_ns KVS_INIT(0);		/* ... this long */
KVS_SHARED const volatile bool stock_mode KVS_INIT(false);	/* stock.bpf.c counts shadow */
KVS_SHARED const volatile __u64 stall_ns KVS_INIT(1000000000);	/* a purge this long is a stall */
/* Caller and process rows; off only to measure what they cost (bench/). */
KVS_SHARED const volatile bool attribution KVS_INIT(true);

/* The lazy-purge backlog (vmap.bpf.c), every mode with vmalloc events. */
KVS_SHARED struct kvs_lazy_state lazy_state KVS_INIT({});

/* shadow_pages since attach (exact and stock modes) and its high-water mark. */
KVS_SHARED struct kvs_bpf_net net_state KVS_INIT({});

KVS_SHARED struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct kvs_bpf_counters);
} counters SEC(".maps");

KVS_SHARED struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KVS_NR_HISTS);
	__type(key, __u32);
	__type(value, struct kvs_bpf_hist);
} hists SEC(".maps");

KVS_SHARED struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, KVS_MAX_STACKS);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, KVS_STACK_DEPTH * sizeof(__u64));
} stacks SEC(".maps");

/*
 * The hashes take memory per row, not for max_entries up front
 * (BPF_F_NO_PREALLOC): the tool's own maps are kernel memory it must
 * account for (bench/footprint), and vmalloc'd, so shadowed under KASAN.
 * A full map fails the insert, which is counted (callers_dropped_*).
 */
KVS_SHARED struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, KVS_MAX_CALLERS);
	__type(key, struct kvs_caller_key);
	__type(value, struct kvs_attr_val);
} callers SEC(".maps");

KVS_SHARED struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, KVS_MAX_PROCESSES);
	__type(key, struct kvs_process_key);
	__type(value, struct kvs_attr_val);
} processes SEC(".maps");

KVS_SHARED struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, KVS_MAX_CALLERS);
	__type(key, __u64);
	__type(value, struct kvs_caller_name);
} caller_names SEC(".maps");

/* The vmalloc call the task is in (fentry on __vmalloc_node_range_noprof). */
KVS_SHARED struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct kvs_task_vmalloc);
} task_vmalloc SEC(".maps");

/* The vmap area the task is allocating (fentry on alloc_vmap_area). */
KVS_SHARED struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct kvs_task_area);
} task_area SEC(".maps");

/* The purge the task is in (fentry on __purge_vmap_area_lazy; its event fills areas). */
KVS_SHARED struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct kvs_task_purge);
} task_purge SEC(".maps");

static __always_inline struct kvs_bpf_counters *this_cpu_counters(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&counters, &zero);
}

/* Per-CPU: plain adds. field: a member of struct kvs_bpf_counters. */
#define count(field, n)							\
	do {								\
		struct kvs_bpf_counters *__c = this_cpu_counters();	\
									\
		if (__c)						\
			__c->field += (n);				\
	} while (0)

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
	if (slot >= KVS_HIST_SLOTS)
		slot = KVS_HIST_SLOTS - 1;
	h->slots[slot]++;
	h->count++;
	h->sum_ns += ns;
}

/* A row of a shared attribution map, made on first use; NULL when the map is full. */
static __always_inline struct kvs_attr_val *attr_get(void *map, void *key)
{
	struct kvs_attr_val zero = {}, *v;

	v = bpf_map_lookup_elem(map, key);
	if (!v) {
		/* EEXIST from a racing CPU is fine: look up again. */
		bpf_map_update_elem(map, key, &zero, BPF_NOEXIST);
		v = bpf_map_lookup_elem(map, key);
	}
	return v;
}

static __always_inline __u32 row_slot(__u64 ns)
{
	__u32 slot = log2_u64(ns);

	return slot < KVS_ROW_SLOTS ? slot : KVS_ROW_SLOTS - 1;
}

/* Populate work of a row: pages, calls and, when measured, the call's latency. */
static __always_inline int attr_add(void *map, void *key, __u64 pages, __u64 calls, __u64 ns)
{
	struct kvs_attr_val *v = attr_get(map, key);

	if (!v)
		return -1;
	__sync_fetch_and_add(&v->pages_populated, pages);
	if (calls)
		__sync_fetch_and_add(&v->populate_calls, calls);
	if (ns)
		__sync_fetch_and_add(&v->populate_ns[row_slot(ns) & (KVS_ROW_SLOTS - 1)], 1);
	return 0;
}

static __always_inline struct kvs_task_area *task_area_get(__u64 flags)
{
	return bpf_task_storage_get(&task_area, bpf_get_current_task_btf(), 0, flags);
}

/*
 * The kernel's caller of the area being allocated, when fentry on
 * alloc_vmap_area is attached and the area has a vm_struct; else 0.
 */
static __always_inline __u64 area_caller(void)
{
	struct kvs_task_area *t;

	if (!caller_from_vm)
		return 0;
	t = task_area_get(0);
	return t && t->active ? t->caller : 0;
}

/* Name ip once, now, while its module is surely loaded. */
static __always_inline void name_caller(__u64 ip)
{
	struct kvs_caller_name n;
	__u64 args[1] = { ip };

	if (bpf_map_lookup_elem(&caller_names, &ip))
		return;
	if (bpf_snprintf(n.name, sizeof(n.name), "%ps", args, sizeof(args)) > 0)
		bpf_map_update_elem(&caller_names, &ip, &n, BPF_NOEXIST);
}

static __always_inline void process_key(struct kvs_process_key *pk)
{
	pk->tgid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(pk->comm, sizeof(pk->comm));
}

/*
 * Populate work of the current task: pages, calls (0 or 1), latency (0:
 * not measured). Who to blame: the kernel's own caller ip where known (no
 * unwinding), else the stack, resolved in userspace by the same "first
 * frame outside the vmalloc, KASAN, tracing and BPF internals" rule.
 */
static __always_inline void attribute_ip(void *ctx, __u64 ip, __u64 pages, __u64 calls, __u64 ns)
{
	struct kvs_caller_key ck = { .ip = ip };
	struct kvs_process_key pk = {};

	if (!attribution)
		return;
	if (ip)
		name_caller(ip);
	else
		ck.stackid = bpf_get_stackid(ctx, &stacks, 0);
	if (ck.stackid < 0 || attr_add(&callers, &ck, pages, calls, ns)) {
		count(callers_dropped_pages, pages);
		count(callers_dropped_calls, calls);
	}
	process_key(&pk);
	if (attr_add(&processes, &pk, pages, calls, ns)) {
		count(processes_dropped_pages, pages);
		count(processes_dropped_calls, calls);
	}
}

/* The same, blamed on the caller of the vmap area being allocated. */
static __always_inline void attribute(void *ctx, __u64 pages, __u64 calls, __u64 ns)
{
	attribute_ip(ctx, area_caller(), pages, calls, ns);
}

static __always_inline struct kvs_task_vmalloc *task_vmalloc_get(__u64 flags)
{
	return bpf_task_storage_get(&task_vmalloc, bpf_get_current_task_btf(), 0, flags);
}

/* A kasan populate inside the task's vmalloc call: its share of the call (--slow). */
static __always_inline void in_vmalloc_populate(__u64 ns, __u64 nr_populated, __u64 nr_allocated)
{
	struct kvs_task_vmalloc *t;

	if (!vmalloc_traced)
		return;
	t = task_vmalloc_get(0);
	if (!t || !t->depth)
		return;
	t->populate_ns += ns;
	t->nr_populated += nr_populated;
	t->nr_allocated += nr_allocated;
}

/* A kasan release inside it: a purge the caller waited for. */
static __always_inline void in_vmalloc_release(__u64 ns)
{
	struct kvs_task_vmalloc *t;

	if (!vmalloc_traced)
		return;
	t = task_vmalloc_get(0);
	if (t && t->depth)
		t->release_ns += ns;
}

/* include/linux/kasan.h: one call per purged area; another flushes the TLB once. */
#define KASAN_VMALLOC_PAGE_RANGE 0x1

/* A kasan release inside the task's purge (exact mode's events): the purge's cost, for --slow. */
static __always_inline void in_purge_release(__u64 nr_released, __u64 ns, __u64 flags)
{
	struct kvs_task_purge *p;

	if (!slow_enabled)
		return;
	p = bpf_task_storage_get(&task_purge, bpf_get_current_task_btf(), 0, 0);
	if (!p || !p->start_ns)
		return;
	p->shadow_known = 1;
	p->shadow_released += nr_released;
	if (flags & KASAN_VMALLOC_PAGE_RANGE)
		p->release_ns += ns;
	else
		p->flush_ns += ns;
}

/* shadow_pages moved by +pages; the high-water mark follows exactly. */
static __always_inline void net_populated(__u64 pages)
{
	__s64 now, peak;

	if (!pages)
		return;
	now = __sync_fetch_and_add(&net_state.net, pages) + pages;
	/* Bounded: another CPU can only raise peak, so few retries suffice. */
	for (int i = 0; i < 8; i++) {
		peak = net_state.peak;
		if (now <= peak ||
		    __sync_val_compare_and_swap(&net_state.peak, peak, now) == peak)
			break;
	}
}

static __always_inline void net_released(__u64 pages)
{
	if (pages)
		__sync_fetch_and_sub(&net_state.net, pages);
}

#endif /* KVSHADOW_BPF_H */
