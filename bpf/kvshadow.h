/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Types shared by the BPF programs of bpf/ and kvshadowtop: the single definition
 * of every map key and value. Included by BPF code (after vmlinux.h) and by
 * userspace (which gets __u64 & co from <linux/types.h>).
 */
#ifndef KVSHADOW_H
#define KVSHADOW_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#include "kvs_counters.h"

#define KVS_COMM_LEN		16
/* Latency histograms: slot i counts durations in [2^i, 2^(i+1)) ns; slot 0 is [0, 2). */
#define KVS_HIST_SLOTS		40
/*
 * Bounded attribution maps; what does not fit is counted, not lost silently.
 * The stack map is preallocated (its type cannot grow): 2048 stacks of
 * KVS_STACK_DEPTH frames are 0.55 MiB, the tool's largest map.
 */
#define KVS_MAX_STACKS		2048
/*
 * Rows take memory as they come (BPF_F_NO_PREALLOC), ~350 bytes each:
 * 1024 of each keep every mode's maps under 2 MiB even when all are full.
 */
#define KVS_MAX_CALLERS		1024
#define KVS_MAX_PROCESSES	1024
#define KVS_STACK_DEPTH		32
/* Nested calls per task whose entry time fentry can remember (vmalloc nests
 * once for its page array). */
#define KVS_NEST_MAX		4
/*
 * Callers without unwinding (estimate mode, tp_btf): the raw stack above
 * the tracepoint's arguments is walked from return address to return
 * address with frame sizes learned from full unwinds. KVS_RAW_STACK bytes
 * are copied to learn a path (a power of two), at most KVS_WALK_MAX
 * frames are walked, KVS_MAX_FRAMES return addresses are known.
 */
#define KVS_RAW_STACK		2048
#define KVS_WALK_MAX		16
#define KVS_MAX_FRAMES		4096
/*
 * A frame whose size varies by alignment (functions that realign the
 * stack) is known by its smallest step and the slack above it: the walk
 * tries each slot in between, at most this many bytes.
 */
#define KVS_WALK_SLACK		32

/*
 * Per-CPU counters: the user-visible ones of lib/kvs_counters.h, by name,
 * then the programs' own diagnostics.
 */
struct kvs_bpf_counters {
	struct kvs_counters c;		/* shadow_pages(_peak) unused: see kvs_bpf_net */
	__u64 events_lost;		/* ring buffer full: estimate misses an event */
	__u64 callers_dropped_pages;	/* no stack id or callers map full */
	__u64 callers_dropped_calls;
	__u64 processes_dropped_pages;	/* processes map full */
	__u64 processes_dropped_calls;
	__u64 nest_overflow;		/* fentry nesting deeper than KVS_NEST_MAX */
	__u64 slow_lost;		/* slow-call records the ring buffer had no room for */
	__u64 callers_walked;		/* callers found by the raw stack walk */
	__u64 callers_unwound;		/* callers that needed a full unwind (bpf_get_stackid) */
	__u64 learn_lost;		/* raw stacks to learn from that found no room */
	__u64 purge_stalls;		/* purges at least stall_ns long (fentry) */
};

/* The latency histograms: index of the per-CPU hists array and of every view's. */
enum kvs_hist_id {
	KVS_HIST_POPULATE,	/* kasan_populate_vmalloc */
	KVS_HIST_RELEASE,	/* kasan_release_vmalloc */
	KVS_HIST_VMALLOC,	/* __vmalloc_node_range, to set populate against */
	KVS_HIST_PURGE,		/* __purge_vmap_area_lazy: what a lazy purge costs */
	KVS_NR_HISTS,
};

struct kvs_bpf_hist {
	__u64 slots[KVS_HIST_SLOTS];	/* slot i: [2^i, 2^(i+1)) ns, slot 0: [0, 2) */
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

/*
 * The lazy-purge backlog as the kernel reports it: free_vmap_area_noflush
 * gives vmap_lazy_nr (pages, after adding the freed area) and
 * lazy_max_pages(), above which it schedules a purge. Nothing reports the
 * backlog a purge leaves, so the order of the last free and the last purge
 * is kept: after a purge the last free's value no longer holds. Exact and
 * stock mode; estimate mode's FREE records carry it (struct kvs_free_event).
 */
struct kvs_lazy_state {
	__u64 seq;		/* orders the two below (atomic) */
	__u64 free_seq;		/* seq of the last free event; 0: none yet */
	__u64 purge_seq;	/* seq of the last purge event */
	__u64 nr_lazy;		/* at the last free event, pages */
	__u64 nr_lazy_max;	/* likewise */
	__u64 free_ns;		/* CLOCK_MONOTONIC of the last free event */
};

/* Per-row latency: log2 ns slots, slot i [2^i, 2^(i+1)) ns, the last open-ended. */
#define KVS_ROW_SLOTS		32

/* Attribution values (shared hash maps, updated with atomic adds). */
struct kvs_attr_val {
	__u64 pages_populated;
	__u64 populate_calls;
	__u32 vmalloc_ns[KVS_ROW_SLOTS];	/* this row's vmalloc calls by latency */
	__u32 populate_ns[KVS_ROW_SLOTS];	/* its populate calls by latency */
};

/*
 * callers map key: the kernel's own caller of the vmap area (vm->caller,
 * what /proc/vmallocinfo shows) when fentry on alloc_vmap_area could read
 * it, else a stack id from the stacks map; resolved in userspace.
 */
struct kvs_caller_key {
	__u64 ip;		/* return address in the caller; 0: use stackid */
	__s32 stackid;
	__u32 pad;
};

/*
 * The name of a caller address, formatted in the kernel at the time of the
 * event ("%ps": "symbol" or "symbol [module]"), so that a module loaded
 * and unloaded between two reads is still named right.
 */
#define KVS_CALLER_NAME_LEN	64
struct kvs_caller_name {
	char name[KVS_CALLER_NAME_LEN];
};

/*
 * Per task, between fentry and fexit of __vmalloc_node_range_noprof: the
 * outermost call, and what shadow work ran inside it (nested calls too).
 */
struct kvs_task_vmalloc {
	__u64 start_ns[KVS_NEST_MAX];
	__u32 depth;
	__u32 pad;
	__u64 size;		/* bytes asked for */
	__u64 caller;		/* the caller argument */
	__u64 populate_ns;	/* kasan populate inside it */
	__u64 nr_populated;
	__u64 nr_allocated;
	__u64 release_ns;	/* kasan release inside it (a purge) */
};

/* What a --slow record is about. */
enum kvs_slow_kind {
	KVS_SLOW_VMALLOC,	/* a vmalloc call */
	KVS_SLOW_PURGE,		/* a lazy purge (__purge_vmap_area_lazy) */
};

/*
 * One vmalloc call or lazy purge slower than --slow. A purge inside a
 * vmalloc (one that found no free space) names that vmalloc's caller and
 * size; vmalloc_ns and the shadow fields are the vmalloc's only.
 */
struct kvs_slow_event {
	__u64 ts_ns;		/* CLOCK_MONOTONIC at its end */
	__u64 caller;		/* named in caller_names; 0: none */
	__u64 size;
	__u64 vmalloc_ns;
	__u64 populate_ns;
	__u64 nr_populated;
	__u64 nr_allocated;
	__u64 release_ns;
	__u32 pid;
	__u32 tgid;
	char comm[KVS_COMM_LEN];
	__u32 kind;		/* enum kvs_slow_kind */
	__u32 areas_known;	/* PURGE: its purge_vmap_area_lazy event came */
	__u64 purge_ns;		/* PURGE: how long it ran */
	__u64 areas;		/* PURGE: the areas it purged (that event's npurged) */
	/* PURGE, exact mode: its kasan releases (release_ns above) and TLB flushes. */
	__u64 shadow_released;
	__u64 flush_ns;
	__u32 shadow_known;
	__u32 pad;
};

/* Per task, between fentry and fexit of __purge_vmap_area_lazy (it does not nest). */
struct kvs_task_purge {
	__u64 start_ns;		/* 0: not in a purge */
	__u64 areas;		/* npurged of its purge_vmap_area_lazy event */
	__u32 areas_known;
	__u32 shadow_known;	/* exact mode: the kasan release events inside it came */
	__u64 shadow_released;	/* their nr_released */
	__u64 release_ns;	/* their duration_ns, per-area releases */
	__u64 flush_ns;		/* ... and the flush-only calls (KASAN_VMALLOC_TLB_FLUSH) */
};

/* Per task, between fentry and fexit of alloc_vmap_area. */
struct kvs_task_area {
	__u64 caller;		/* vm->caller, 0 when the area has no vm_struct */
	__u32 active;
	__u32 pad;
};

/*
 * Stock mode (a KASAN_VMALLOC kernel without our series): the kernel's
 * layout, as stock.bpf.c found it from kallsyms and the kernel's own
 * variables. Ranges are [start, end).
 */
struct kvs_layout {
	__u64 page_offset;		/* __va(0): where page tables are read */
	__u64 shadow_offset;		/* KASAN_SHADOW_OFFSET */
	__u64 vmalloc_start, vmalloc_end;
	__u64 modules_start, modules_end;	/* from the end of the kernel image */
	__u64 vmalloc_shadow_start, vmalloc_shadow_end;
	__u64 modules_shadow_start, modules_shadow_end;
	__u64 early_shadow_pa;		/* kasan_early_shadow_page: never counted (0: unknown) */
	__u32 levels;			/* page table levels: 4 or 5 */
	__s32 err;			/* 0: ready; -errno: stock mode cannot walk (why in userspace) */
	__u32 ready;
	__u32 pad;
};

/* Stock mode: one count of the present shadow PTEs (kvs_pt_walk, run by kvshadowtop). */
struct kvs_pt_count {
	__u64 present;			/* PTEs mapping a shadow page of the vmalloc and module areas */
	__u64 steps;			/* walk steps it took */
	__s32 err;			/* 0 or -errno */
	__u32 pad;
};

/*
 * Stock mode: the kernel symbols it needs, whose addresses kvshadowtop
 * reads from /proc/kallsyms before load (0: not found). Data symbols show
 * there with CONFIG_KALLSYMS_ALL, as in distribution kernels.
 */
#define KVS_STOCK_KSYMS(X)						\
	X(init_mm)		/* its pgd: the kernel page tables */		\
	X(_end)			/* the kernel image ends, module space follows */ \
	X(vmalloc_base)		/* VMALLOC_START, where it is a variable */	\
	X(page_offset_base)	/* __va(0), where it is a variable */		\
	X(__pgtable_l5_enabled)	/* 5-level paging, where it can be */		\
	X(phys_base)		/* the image's physical offset */		\
	X(kasan_early_shadow_page)	/* mapped everywhere early: not vmalloc shadow */ \
	X(kasan_populate_vmalloc_pte)	/* KASAN's callbacks of apply_to_*page_range */ \
	X(kasan_depopulate_vmalloc_pte)

#define KVS_X_KSYM(name) __u64 name;
struct kvs_ksyms {
	KVS_STOCK_KSYMS(KVS_X_KSYM)
};
#undef KVS_X_KSYM

/* Stock mode, per task: the shadow work of the call in progress. */
struct kvs_task_stock {
	__u64 pop_start_ns;		/* alloc_vmap_area reached its populate (0: not in one) */
	__u64 pop_pages;		/* shadow pages that populate mapped so far */
	__u64 apply_start_ns;		/* the apply_to_*page_range call in progress */
	__u64 present_before;		/* a depopulate's range: present PTEs at its entry */
	__u64 pages_before;		/* a populate's data->nr_pages at its entry (series kernels) */
	__u64 last_end;			/* end of the task's last populate outside alloc_vmap_area */
	__u64 in_area;			/* in alloc_vmap_area (kernels without its event: 6.1) */
	/*
	 * The count in progress (bpf/stock.bpf.c), kept here and not on the
	 * BPF stack: the verifier follows every value on the stack through
	 * each bpf_loop step, and gives up on a page-table walk.
	 */
	__u64 w_pgd;			/* top-level table (virtual) */
	__u64 w_addr, w_end;		/* what is left of the range */
	__u64 w_table;			/* the table whose entries are being counted (virtual) */
	__u64 w_count;			/* entries counted so far */
	__u64 w_steps;
	__u32 w_k, w_hi;		/* next entry of w_table, and the end */
	__s32 w_err;
	__u32 w_nulls;			/* count NULL pointers (populate's pages[]), not PTEs */
	__u32 w_bulk;			/* kvs_pt_walk's count: whole tables, through pt_buf */
	__u32 w_pad;
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
	__u32 npurged;		/* PURGE only; KVS_PURGE_ALL: every lazy area */
};

/*
 * A FREE record (type where kvs_area_event has it): the area, and the
 * lazy-purge backlog the kernel reported with the free. In estimate mode
 * the backlog travels here, ordered with the purges by the ring, instead
 * of in kvs_lazy_state: a global's stores and atomic on every free cost
 * a third of the program (bench/bpf-cost).
 */
struct kvs_free_event {
	__u64 addr;
	__u64 nr_lazy;		/* pages lazily freed, this area's included */
	__u32 type;		/* KVS_EV_FREE */
	__u32 nr_lazy_max;	/* lazy_max_pages(); 0: not reported (6.1) */
	__u64 ns;		/* bpf_ktime_get_ns() of the report */
};

/* A purge whose count the kernel does not say (6.1): it purged every lazy area. */
#define KVS_PURGE_ALL 0xffffffffu

/* Where an ALLOC record's caller comes from (flags). */
enum kvs_caller_flags {
	KVS_CALLER_KERNEL = 1,	/* caller is vm->caller (fentry on alloc_vmap_area) */
	KVS_CALLER_WALKED = 2,	/* caller is a return address found by the stack walk */
	KVS_CALLER_STACK = 4,	/* stackid holds a full unwind (also with WALKED: a check) */
};

struct kvs_alloc_event {
	struct kvs_area_event ev;
	__u64 caller;		/* see flags; 0: none */
	__s32 stackid;		/* valid with KVS_CALLER_STACK */
	__u32 tgid;
	__u32 flags;		/* enum kvs_caller_flags */
	__u32 pad;
	char comm[KVS_COMM_LEN];
};

/* What the stack walk knows of one return address. */
struct kvs_frame {
	__u32 step;		/* bytes from its slot to the next return address's, at least */
	__u16 slack;		/* ... and at most this many more (multiple of 8) */
	__u8 caller;		/* it returns into the caller to attribute to: stop */
	__u8 poison;		/* paths through it disagree: always unwind */
};

/* A raw stack to learn frame sizes from, with the full unwind of the same event. */
struct kvs_learn_event {
	__s32 stackid;
	__u32 len;		/* bytes of raw, from the tracepoint's arguments up */
	__u8 raw[KVS_RAW_STACK];
};

/* Estimate mode's seed from the kernel's vmap area lists (bpf/vmapwalk.bpf.c). */
struct kvs_va_rec {
	__u64 start, end;	/* the area [start, end), guard page included */
	__u32 lazy;		/* freed, waiting for a purge */
	__u32 list;		/* which list: each is in address order */
};

struct kvs_va_walk_result {
	__u32 n;		/* areas in va_out */
	__s32 err;		/* 0, or -errno: the walk stopped early */
	/*
	 * Addresses in the walk's own maps (0-2) and programs (3-4): their
	 * areas are the walk's, not the system's.
	 */
	__u64 own[5];
};

/* The maps and programs whose memory bpf/selfmaps.bpf.c reports: kvshadowtop's own. */
#define KVS_SELF_MAX_MAPS	64
#define KVS_SELF_MAX_PROGS	64

#endif /* KVSHADOW_H */
