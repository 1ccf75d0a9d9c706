// SPDX-License-Identifier: GPL-2.0
/*
 * Where the kernel allows fentry/fexit: latency of the populate and release
 * functions (kernels where they are traceable), the kernel's own caller of
 * each vmap area (alloc_vmap_area's vm->caller), and vmalloc's latency per
 * caller and process with the shadow work inside each call, which the
 * --slow log reports call by call.
 */
#include "kvshadow.bpf.h"

/*
 * Calls in flight: a few per CPU, so memory per entry (BPF_F_NO_PREALLOC),
 * not up front; one entry when fentry is off (loader.c). A start that
 * finds the map full is not timed.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 1024);
	__type(key, struct kvs_start_key);
	__type(value, struct kvs_start_val);
} starts SEC(".maps");

/* --slow records; full: dropped and counted, the kernel never waits. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 18);
} slow_events SEC(".maps");

/* ---- the vmalloc call a task is in: --slow and each row's vmalloc latency ---- */

static __always_inline void vmalloc_row(struct kvs_task_vmalloc *t, __u64 ns)
{
	struct kvs_caller_key ck = { .ip = t->caller };
	struct kvs_process_key pk = {};
	struct kvs_attr_val *v;
	__u32 slot = row_slot(ns) & (KVS_ROW_SLOTS - 1);

	if (ck.ip) {
		name_caller(ck.ip);
		v = attr_get(&callers, &ck);
		if (v)
			__sync_fetch_and_add(&v->vmalloc_ns[slot], 1);
	}
	process_key(&pk);
	v = attr_get(&processes, &pk);
	if (v)
		__sync_fetch_and_add(&v->vmalloc_ns[slot], 1);
}

static __always_inline void slow_record(struct kvs_task_vmalloc *t, __u64 ns)
{
	struct kvs_slow_event *e;
	__u64 id = bpf_get_current_pid_tgid();

	count(c.slow_vmalloc, 1);
	e = bpf_ringbuf_reserve(&slow_events, sizeof(*e), 0);
	if (!e) {
		count(slow_lost, 1);
		return;
	}
	if (t->caller)
		name_caller(t->caller);
	e->ts_ns = bpf_ktime_get_ns();
	e->caller = t->caller;
	e->size = t->size;
	e->vmalloc_ns = ns;
	e->populate_ns = t->populate_ns;
	e->nr_populated = t->nr_populated;
	e->nr_allocated = t->nr_allocated;
	e->release_ns = t->release_ns;
	e->kind = KVS_SLOW_VMALLOC;
	e->areas_known = e->shadow_known = e->pad = 0;
	e->purge_ns = e->areas = e->shadow_released = e->flush_ns = 0;
	e->pid = (__u32)id;
	e->tgid = id >> 32;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
}

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
		count(nest_overflow, 1);
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
	lat_enter(KVS_HIST_POPULATE);
	return 0;
}

SEC("?fexit/kasan_populate_vmalloc")
int BPF_PROG(kvs_populate_exit)
{
	lat_exit(KVS_HIST_POPULATE);
	return 0;
}

SEC("?fentry/kasan_release_vmalloc")
int BPF_PROG(kvs_release_entry)
{
	lat_enter(KVS_HIST_RELEASE);
	return 0;
}

SEC("?fexit/kasan_release_vmalloc")
int BPF_PROG(kvs_release_exit)
{
	lat_exit(KVS_HIST_RELEASE);
	return 0;
}

/*
 * alloc_vmap_area(size, align, vstart, vend, node, gfp_mask, va_flags, vm):
 * __get_vm_area_node() set vm->caller before the call, and both the
 * kasan:kasan_vmalloc_populate and vmalloc:alloc_vmap_area events fire
 * inside it, so they can name the kernel's own caller without unwinding.
 * That is also the caller of a nested page-array vmalloc, which passes
 * its parent's caller on.
 */
SEC("?fentry/alloc_vmap_area")
int BPF_PROG(kvs_area_entry, unsigned long size, unsigned long align, unsigned long vstart,
	     unsigned long vend, int node, gfp_t gfp_mask, unsigned long va_flags,
	     struct vm_struct *vm)
{
	struct kvs_task_area *t;

	t = bpf_task_storage_get(&task_area, bpf_get_current_task_btf(), 0,
				 BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!t)
		return 0;
	t->caller = vm ? (__u64)BPF_CORE_READ(vm, caller) : 0;
	t->active = 1;
	return 0;
}

SEC("?fexit/alloc_vmap_area")
int BPF_PROG(kvs_area_exit)
{
	struct kvs_task_area *t;

	t = bpf_task_storage_get(&task_area, bpf_get_current_task_btf(), 0, 0);
	if (t)
		t->active = 0;
	return 0;
}

/*
 * Attach target set by kvshadowtop (__vmalloc_node_range_noprof on 6.10+):
 * (size, align, start, end, gfp_mask, prot, vm_flags, node, caller). The
 * outermost call of a task is the one a caller waits for; a nested one
 * (its page array) adds its time and its shadow work to it.
 */
SEC("?fentry/__vmalloc_node_range_noprof")
int BPF_PROG(kvs_vmalloc_entry, unsigned long size)
{
	struct kvs_task_vmalloc *t = task_vmalloc_get(BPF_LOCAL_STORAGE_GET_F_CREATE);
	__u64 caller = 0;

	if (!t)
		return 0;
	/* Only this task touches its storage: no atomics needed. */
	if (t->depth < KVS_NEST_MAX)
		t->start_ns[t->depth & (KVS_NEST_MAX - 1)] = bpf_ktime_get_ns();
	else
		count(nest_overflow, 1);
	if (!t->depth) {
		bpf_get_func_arg(ctx, 8, &caller);
		t->size = size;
		t->caller = caller;
		t->populate_ns = t->nr_populated = t->nr_allocated = t->release_ns = 0;
	}
	t->depth++;
	return 0;
}

SEC("?fexit/__vmalloc_node_range_noprof")
int BPF_PROG(kvs_vmalloc_exit)
{
	struct kvs_task_vmalloc *t = task_vmalloc_get(0);
	__u32 d;
	__u64 ns;

	if (!t || !t->depth)
		return 0;
	d = --t->depth;
	if (d >= KVS_NEST_MAX)
		return 0;
	ns = bpf_ktime_get_ns() - t->start_ns[d & (KVS_NEST_MAX - 1)];
	hist_add(KVS_HIST_VMALLOC, ns);
	if (d)
		return 0;
	vmalloc_row(t, ns);
	if (slow_enabled && ns >= slow_ns)
		slow_record(t, ns);
	return 0;
}

/*
 * Purges begun and ended, and what each cost. A purge releases shadow
 * before its vmalloc:purge_vmap_area_lazy event, at its end: while one
 * runs, the kernel's debugfs count is already lower than estimate mode's
 * model, so kvshadowtop reads again when a purge ran across its reading.
 * An end counts only when its start did (the two programs attach one
 * after the other), so purge_enter - purge_exit is the number of purges
 * running.
 */
__u64 purge_enter, purge_exit;

/*
 * A purge slower than --slow, with who ran it: a kworker (the kernel's
 * drain work), or a vmalloc that found no space (its caller and size).
 */
static __always_inline void slow_purge(const struct kvs_task_purge *p, __u64 ns)
{
	struct kvs_task_vmalloc *t = vmalloc_traced ? task_vmalloc_get(0) : NULL;
	__u64 id = bpf_get_current_pid_tgid();
	struct kvs_slow_event *e;

	e = bpf_ringbuf_reserve(&slow_events, sizeof(*e), 0);
	if (!e) {
		count(slow_lost, 1);
		return;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->ts_ns = bpf_ktime_get_ns();
	e->kind = KVS_SLOW_PURGE;
	e->purge_ns = ns;
	e->areas = p->areas;
	e->areas_known = p->areas_known;
	e->shadow_known = p->shadow_known;
	e->shadow_released = p->shadow_released;
	e->release_ns = p->release_ns;
	e->flush_ns = p->flush_ns;
	if (t && t->depth) {
		e->caller = t->caller;
		e->size = t->size;
		if (e->caller)
			name_caller(e->caller);
	}
	e->pid = (__u32)id;
	e->tgid = id >> 32;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
}

SEC("?fentry/__purge_vmap_area_lazy")
int BPF_PROG(kvs_purge_entry)
{
	struct kvs_task_purge *t = bpf_task_storage_get(&task_purge, bpf_get_current_task_btf(), 0,
							BPF_LOCAL_STORAGE_GET_F_CREATE);

	if (!t)
		return 0;
	t->areas = t->shadow_released = t->release_ns = t->flush_ns = 0;
	t->areas_known = t->shadow_known = 0;
	t->start_ns = bpf_ktime_get_ns();
	__sync_fetch_and_add(&purge_enter, 1);
	return 0;
}

SEC("?fexit/__purge_vmap_area_lazy")
int BPF_PROG(kvs_purge_exit)
{
	struct kvs_task_purge *t = bpf_task_storage_get(&task_purge, bpf_get_current_task_btf(), 0, 0);
	__u64 ns;

	if (!t || !t->start_ns)
		return 0;
	ns = bpf_ktime_get_ns() - t->start_ns;
	t->start_ns = 0;
	hist_add(KVS_HIST_PURGE, ns);
	if (ns >= stall_ns)
		count(purge_stalls, 1);
	if (slow_enabled && ns >= slow_ns)
		slow_purge(t, ns);
	__sync_fetch_and_add(&purge_exit, 1);
	return 0;
}
