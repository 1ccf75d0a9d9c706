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
const volatile bool caller_from_vm = false;	/* kvs_area_entry/exit are attached */
const volatile bool vmalloc_traced = false;	/* kvs_vmalloc_entry/exit are attached */
const volatile bool slow_enabled = false;	/* --slow: log vmalloc calls at least ... */
const volatile __u64 slow_ns = 0;		/* ... this long */

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

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, KVS_MAX_CALLERS);
	__type(key, __u64);
	__type(value, struct kvs_caller_name);
} caller_names SEC(".maps");

/* The vmalloc call the task is in (fentry on __vmalloc_node_range_noprof). */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct kvs_task_vmalloc);
} task_vmalloc SEC(".maps");

/* --slow records; full: dropped and counted, the kernel never waits. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 18);
} slow_events SEC(".maps");

/* The caller of the vmap area the task is allocating (fentry on alloc_vmap_area). */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct kvs_task_area);
} task_area SEC(".maps");

/*
 * Estimate mode: one ring buffer shared by all CPUs, not a per-CPU
 * buffer, because the shadow model needs one order of events (an area is
 * allocated before it is freed, freed before it is purged) and a shared
 * ring buffer serialises reservations. It starts at 1 MiB (~20k events;
 * FREE and PURGE records are 32 bytes with the header, ALLOC 64) because
 * size costs what we measure: the data pages are mapped twice in vmalloc
 * space, so on a KASAN kernel 16 MiB took ~1100 shadow pages, 9x the rest
 * of an idle system. When records are lost, kvshadowtop puts a bigger one
 * into area_rings (programs look it up per event) and re-seeds its model.
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

/* The stack walk's knowledge: return address -> frame (kvshadowtop learns it). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, KVS_MAX_FRAMES);
	__type(key, __u64);
	__type(value, struct kvs_frame);
} frames SEC(".maps");

/* Raw stacks of events the walk could not name, to learn from. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 18);
} learn_events SEC(".maps");

/* Stack ids already sent to learn from: one raw copy per distinct path. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, KVS_MAX_STACKS);
	__type(key, __s32);
	__type(value, __u8);
} learned SEC(".maps");

/* Set by kvshadowtop: bytes from ctx to the first return address (0: not known yet). */
__u32 walk_start;
/* Set by kvshadowtop (KVSHADOW_VERIFY_WALK): every Nth walked caller is also unwound. */
__u32 walk_verify;
__u32 walk_seq;

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
	if (slot >= KVS_BPF_HIST_SLOTS)
		slot = KVS_BPF_HIST_SLOTS - 1;
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

/* A populate call of a row: pages, call and, when measured, its latency. */
static __always_inline int attr_add(void *map, void *key, __u64 pages, __u64 ns)
{
	struct kvs_attr_val *v = attr_get(map, key);

	if (!v)
		return -1;
	__sync_fetch_and_add(&v->pages_populated, pages);
	__sync_fetch_and_add(&v->populate_calls, 1);
	if (ns)
		__sync_fetch_and_add(&v->populate_ns[row_slot(ns) & (KVS_ROW_SLOTS - 1)], 1);
	return 0;
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
	t = bpf_task_storage_get(&task_area, bpf_get_current_task_btf(), 0, 0);
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

/*
 * Who to blame: the kernel's own caller where known (no unwinding), else
 * the stack, resolved in userspace by the same "first frame outside the
 * vmalloc, KASAN, tracing and BPF internals" rule.
 */
static __always_inline void caller_key(void *ctx, struct kvs_caller_key *ck)
{
	ck->ip = area_caller();
	if (ck->ip)
		name_caller(ck->ip);
	ck->stackid = ck->ip ? 0 : bpf_get_stackid(ctx, &stacks, 0);
}

static __always_inline void process_key(struct kvs_process_key *pk)
{
	pk->tgid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(pk->comm, sizeof(pk->comm));
}

/* ns: the populate call's latency, or 0 when not measured. */
static __always_inline void attribute(void *ctx, __u64 pages, __u64 ns)
{
	struct kvs_caller_key ck = {};
	struct kvs_process_key pk = {};

	caller_key(ctx, &ck);
	if (ck.stackid < 0 || attr_add(&callers, &ck, pages, ns)) {
		count(callers_dropped_pages, pages);
		count(callers_dropped_calls, 1);
	}
	process_key(&pk);
	if (attr_add(&processes, &pk, pages, ns)) {
		count(processes_dropped_pages, pages);
		count(processes_dropped_calls, 1);
	}
}

/* ---- the vmalloc call a task is in: --slow and each row's vmalloc latency ---- */

static __always_inline struct kvs_task_vmalloc *task_vmalloc_get(__u64 flags)
{
	return bpf_task_storage_get(&task_vmalloc, bpf_get_current_task_btf(), 0, flags);
}

/* A kasan populate inside the task's vmalloc call: its share of the call. */
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

/* The vmalloc latency of the call's rows: its caller (the argument) and its process. */
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
	e->pid = (__u32)id;
	e->tgid = id >> 32;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
}

/* ---- exact mode: kasan:* ---- */

static __always_inline void on_populate(void *ctx, __u64 nr_populated, __u64 nr_allocated,
					__u64 duration_ns, int ret)
{
	__s64 now, peak;
	int i;

	count(c.populate_calls, 1);
	count(c.pages_populated, nr_populated);
	count(c.pages_allocated, nr_allocated);
	if (ret)
		count(c.populate_failures, 1);
	if (tp_duration && duration_ns)
		hist_add(KVS_H_POPULATE, duration_ns);
	attribute(ctx, nr_populated, tp_duration ? duration_ns : 0);
	in_vmalloc_populate(tp_duration ? duration_ns : 0, nr_populated, nr_allocated);

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

/* include/linux/kasan.h: one call per purged area; another flushes the TLB once. */
#define KASAN_VMALLOC_PAGE_RANGE 0x1

static __always_inline void on_release(__u64 start, __u64 end, __u64 flags,
				       __u64 nr_released, __u64 duration_ns)
{
	count(c.release_calls, 1);
	if (flags & KASAN_VMALLOC_PAGE_RANGE)
		count(c.vmap_area_purged_bytes, end > start ? end - start : 0);
	in_vmalloc_release(tp_duration ? duration_ns : 0);
	count(c.pages_released, nr_released);
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

/* ---- any kernel: vmalloc:* ---- */

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

static __always_inline void emit(__u32 type, __u64 addr, __u64 size, __u32 npurged)
{
	struct kvs_area_event *e;
	void *rb;

	if (!estimate_events)
		return;
	rb = area_ring();
	e = rb ? bpf_ringbuf_reserve(rb, sizeof(*e), 0) : NULL;
	if (!e) {
		count(events_lost, 1);
		return;
	}
	e->addr = addr;
	e->size = size;
	e->type = type;
	e->npurged = npurged;
	bpf_ringbuf_submit(e, wakeup_flags(rb));
}

/*
 * An address as a number. The verifier keeps a pointer's type through
 * casts; copying its bytes gives the plain value, for arithmetic that is
 * only ever used to read the stack through bpf_probe_read_kernel().
 */
static __always_inline __u64 address_of(const void *p)
{
	__u64 v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), &p);
	return v;
}

/*
 * The caller, found without unwinding: from the first return address
 * above the tracepoint's arguments (ctx, on bpf_trace_run*'s frame), each
 * known return address says how far the next one is, until one returns
 * into the function to attribute to. Any unknown address: 0, unwind.
 */
static __always_inline __u64 walk_caller(void *ctx)
{
	__u64 base = address_of(ctx), ra = 0;
	__u32 off = walk_start, slack = 0;

	if (!off)
		return 0;
	for (int i = 0; i < KVS_WALK_MAX; i++) {
		struct kvs_frame *f = NULL;

		/* The next return address: at off, or a few slots above (slack). */
		for (__u32 s = 0; s <= KVS_WALK_SLACK && s <= slack; s += sizeof(ra)) {
			if (off + s > KVS_RAW_STACK - sizeof(ra) ||
			    bpf_probe_read_kernel(&ra, sizeof(ra), (void *)(base + off + s)))
				return 0;
			f = bpf_map_lookup_elem(&frames, &ra);
			if (f) {
				off += s;
				break;
			}
		}
		if (!f || f->poison)
			return 0;
		if (f->caller)
			return ra;
		slack = f->slack;
		off += f->step;
	}
	return 0;
}

/* A raw copy of the stack above ctx, once per distinct path, for kvshadowtop to learn. */
static __always_inline void learn(void *ctx, __s32 stackid)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u64 base = address_of(ctx), top;
	struct kvs_learn_event *l;
	__u8 one = 1;
	__u32 len;

	if (stackid < 0 || bpf_map_lookup_elem(&learned, &stackid))
		return;
	/* Up to the saved user registers at the top of the task's stack, no further. */
	top = address_of((const void *)bpf_task_pt_regs(task));
	if (top <= base + 64)
		return;
	len = top - base > KVS_RAW_STACK ? KVS_RAW_STACK : top - base;
	l = bpf_ringbuf_reserve(&learn_events, sizeof(*l), 0);
	if (!l) {
		count(learn_lost, 1);
		return;
	}
	l->stackid = stackid;
	l->len = len;
	/* Bounds the verifier can follow. */
	len &= 2 * KVS_RAW_STACK - 1;
	if (len > KVS_RAW_STACK)
		len = KVS_RAW_STACK;
	if (bpf_probe_read_kernel(l->raw, len, (void *)base)) {
		bpf_ringbuf_discard(l, 0);
		return;
	}
	bpf_map_update_elem(&learned, &stackid, &one, BPF_NOEXIST);
	bpf_ringbuf_submit(l, 0);
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
	void *rb;

	if (!estimate_events)
		return;
	rb = area_ring();
	e = rb ? bpf_ringbuf_reserve(rb, sizeof(*e), 0) : NULL;
	if (!e) {
		count(events_lost, 1);
		return;
	}
	e->ev.addr = addr;
	e->ev.size = size;
	e->ev.type = KVS_EV_ALLOC;
	e->ev.npurged = 0;
	e->stackid = -1;
	e->flags = 0;
	e->pad = 0;
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

static __always_inline void on_free_va(void *ctx, __u64 va_start)
{
	count(c.vmap_area_frees, 1);
	emit(KVS_EV_FREE, va_start, 0, 0);
}

static __always_inline void on_purge(void *ctx, __u64 start, __u64 end, __u32 npurged)
{
	count(c.vmap_purges, 1);
	count(c.vmap_areas_purged, npurged);
	emit(KVS_EV_PURGE, start, end > start ? end - start : 0, npurged);
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
	on_alloc_va(ctx, false, ctx->addr, ctx->size, ctx->failed);
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
	hist_add(KVS_H_VMALLOC, ns);
	if (d)
		return 0;
	vmalloc_row(t, ns);
	if (slow_enabled && ns >= slow_ns)
		slow_record(t, ns);
	return 0;
}
