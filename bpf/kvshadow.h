/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Types shared by bpf/kvshadow.bpf.c and kvshadowtop: the single definition
 * of every map key and value. Included by BPF code (after vmlinux.h) and by
 * userspace (which gets __u64 & co from <linux/types.h>).
 */
#ifndef KVSHADOW_H
#define KVSHADOW_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define KVS_COMM_LEN		16
/* log2 ns slots; must match KVS_HIST_SLOTS in tools/kvshadowtop/model.h. */
#define KVS_BPF_HIST_SLOTS	40
/* Bounded attribution maps; what does not fit is counted, not lost silently. */
#define KVS_MAX_STACKS		4096
#define KVS_MAX_CALLERS		4096
#define KVS_MAX_PROCESSES	4096
#define KVS_STACK_DEPTH		32
/* Nested calls per task whose entry time fentry can remember (vmalloc nests
 * once for its page array). */
#define KVS_NEST_MAX		4

/* Per-CPU counters: index into struct kvs_bpf_counters.v. */
enum kvs_counter_id {
	KVS_C_POPULATE_CALLS,
	KVS_C_PAGES_POPULATED,
	KVS_C_PAGES_ALLOCATED,
	KVS_C_POPULATE_FAILURES,
	KVS_C_RELEASE_CALLS,
	KVS_C_PAGES_RELEASED,
	KVS_C_VMAP_AREA_ALLOCS,
	KVS_C_VMAP_AREA_ALLOC_BYTES,
	KVS_C_VMAP_AREA_ALLOC_FAILURES,
	KVS_C_VMAP_AREA_FREES,
	KVS_C_VMAP_PURGES,
	KVS_C_VMAP_AREAS_PURGED,
	KVS_C_EVENTS_LOST,		/* ring buffer full: estimate misses an event */
	KVS_C_CALLERS_DROPPED_PAGES,	/* no stack id or callers map full */
	KVS_C_CALLERS_DROPPED_CALLS,
	KVS_C_PROCESSES_DROPPED_PAGES,	/* processes map full */
	KVS_C_PROCESSES_DROPPED_CALLS,
	KVS_C_NEST_OVERFLOW,		/* fentry nesting deeper than KVS_NEST_MAX */
	KVS_NR_BPF_COUNTERS,
};

struct kvs_bpf_counters {
	__u64 v[KVS_NR_BPF_COUNTERS];
};

/* Histogram ids: index of the per-CPU hists array; = enum kvs_hist_kind. */
enum kvs_hist_id {
	KVS_H_POPULATE,
	KVS_H_RELEASE,
	KVS_H_VMALLOC,
	KVS_NR_BPF_HISTS,
};

struct kvs_bpf_hist {
	__u64 slots[KVS_BPF_HIST_SLOTS];	/* slot i: [2^i, 2^(i+1)) ns, slot 0: [0, 2) */
	__u64 count;
	__u64 sum_ns;
};

/*
 * Exact mode shadow_pages since attach, kept in one global so that the
 * high-water mark can be exact: every event moves `net` atomically and the
 * value it returns is compared with `peak`.
 */
struct kvs_bpf_net {
	__s64 net;	/* pages_populated - pages_released since attach */
	__s64 peak;	/* max of net since attach (>= 0) */
};

/* Attribution values (shared hash maps, updated with atomic adds). */
struct kvs_attr_val {
	__u64 pages_populated;
	__u64 populate_calls;
};

/* callers map key: the stack id from the stacks map (resolved in userspace). */
struct kvs_caller_key {
	__s32 stackid;
	__u32 pad;
};

/* processes map key. */
struct kvs_process_key {
	__u32 tgid;
	char comm[KVS_COMM_LEN];
};

/* fentry/fexit entry times per task and function. */
struct kvs_start_key {
	__u64 pid_tgid;
	__u32 hist;	/* enum kvs_hist_id */
	__u32 pad;
};

struct kvs_start_val {
	__u64 ns[KVS_NEST_MAX];
	__u32 depth;
	__u32 pad;
};

/* Estimate mode: vmap area events, in the order the ring buffer serialised them. */
enum kvs_area_event_type {
	KVS_EV_ALLOC = 1,	/* addr, size: alloc_vmap_area that succeeded */
	KVS_EV_FREE,		/* addr = va_start: free_vmap_area_noflush (lazy) */
	KVS_EV_PURGE,		/* addr..end, npurged: purge_vmap_area_lazy */
};

/* FREE and PURGE records are this much; ALLOC records are a kvs_alloc_event. */
struct kvs_area_event {
	__u64 addr;
	__u64 size;		/* ALLOC: bytes; PURGE: end - addr */
	__u32 type;		/* enum kvs_area_event_type */
	__u32 npurged;		/* PURGE only */
};

struct kvs_alloc_event {
	struct kvs_area_event ev;
	__s32 stackid;		/* < 0 when no stack */
	__u32 tgid;
	char comm[KVS_COMM_LEN];
};

#endif /* KVSHADOW_H */
