/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One interval, in two steps:
 *
 *   sources (pipeline/sources/, kvshadowtop's sources/) ──▶ struct kvs_reading   raw, absolute, I/O only
 *   kvs_snapshot_compute(mode, now, base) ──▶ struct kvs_snapshot   pure, all the model reads
 *
 * A reading is what the kernel showed at one instant: BPF map sums since
 * attach, the debugfs file as it is, /proc values. The pure step applies
 * the mode's rules and subtracts the baseline (the reading taken when
 * counting started), counters and attribution rows alike, so that every
 * number means "since start" the same way in every view. It has no I/O and
 * is unit-tested for every mode (tests/unit/test_snapshot.c).
 */
#ifndef KVS_SNAPSHOT_H
#define KVS_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "counters.h"
#include "kvshadow.h"
#include "modes.h"

/* Longest caller ("symbol [module]") or process ("comm[tgid]") name. */
#define KVS_NAME_LEN 96
/* Room for a "why is this unavailable" sentence. */
#define KVS_WHY_LEN 160

/* One row of attribution: a caller or a process. */
struct kvs_top_entry {
	char name[KVS_NAME_LEN];	/* caller symbol or "comm[tgid]"; never an address */
	uint64_t pages_populated;	/* cumulative since start */
	uint64_t populate_calls;	/* cumulative since start */
	uint64_t delta_pages_populated;	/* in the last interval (model only) */
	uint64_t delta_populate_calls;	/* in the last interval (model only) */
	uint32_t vmalloc_ns[KVS_ROW_SLOTS];	/* its vmalloc calls by latency, since start */
	uint32_t populate_ns[KVS_ROW_SLOTS];	/* its populate calls by latency */
	double vmalloc_p50_ns, vmalloc_p99_ns;	/* of those (model only); NAN: none */
	double populate_p50_ns, populate_p99_ns;
};

/* One vmalloc call or lazy purge slower than --slow, as the views show it. */
struct kvs_slow_rec {
	enum kvs_slow_kind kind;	/* a vmalloc call, or a purge (then see below) */
	double ts;			/* unix seconds at its end */
	uint32_t pid, tgid;
	char comm[4 * 16 + 1];		/* sanitized */
	char caller[KVS_NAME_LEN];	/* sanitized, "unknown" when not known */
	uint64_t size;			/* bytes asked for */
	uint64_t vmalloc_ns;		/* the whole call */
	bool shadow_known;		/* the mode can see populate and release */
	uint64_t populate_ns;		/* kasan populate inside it */
	uint64_t nr_populated, nr_allocated;
	bool allocated_known;		/* nr_allocated is known (not in stock mode) */
	uint64_t release_ns;		/* a purge inside it */
	/*
	 * A purge: how long, what it purged, and the vmalloc (caller, size) it
	 * ran in, if any; with shadow_known (exact mode) the shadow pages its
	 * kasan releases freed, their time (release_ns) and its TLB flushes'.
	 */
	uint64_t purge_ns;
	bool areas_known;		/* its purge_vmap_area_lazy event came */
	uint64_t areas;
	bool in_vmalloc;
	uint64_t shadow_released;
	uint64_t flush_ns;
};

/* A whole attribution table, any length, in no particular order. */
struct kvs_top_list {
	struct kvs_top_entry *e;	/* malloc'd; owned by whoever holds the list */
	size_t nr;
	uint64_t dropped_pages;		/* pages whose owner did not fit the bounded maps */
	uint64_t dropped_calls;		/* populate calls likewise */
	bool available;			/* false: see why */
	char why[KVS_WHY_LEN];		/* why attribution is missing, when it is */
};

/* A log2 latency histogram (raw, cumulative). */
struct kvs_hist_data {
	uint64_t slots[KVS_HIST_SLOTS];	/* counts per log2 ns bucket */
	uint64_t count;			/* sum of slots */
	uint64_t sum_ns;		/* sum of all durations, for _sum and averages */
};

/* Why things are missing; empty strings when present. */
struct kvs_unavailable {
	char debugfs[KVS_WHY_LEN];	/* e.g. "no /sys/kernel/debug/kasan/vmalloc_shadow" */
	char attribution[KVS_WHY_LEN];	/* e.g. "debugfs mode: no per-caller data" */
	char vmalloc_used[KVS_WHY_LEN];	/* /proc/meminfo unreadable */
	char vmap_bytes[KVS_WHY_LEN];	/* /proc/vmallocinfo unreadable */
	char slow[KVS_WHY_LEN];		/* --slow asked for, but this kernel cannot */
	char bpf[KVS_WHY_LEN];		/* debugfs mode: why BPF was not used */
	char self[KVS_WHY_LEN];		/* statistics asked for but refused */
	char nodes[KVS_WHY_LEN];	/* no per-node count in this kernel */
	char self_shadow[KVS_WHY_LEN];	/* the tool's own maps' shadow unknown */
};

/* Estimate mode's callers: walked or unwound (bpf/stackwalk.bpf.h, stackwalk.h). */
struct kvs_walk_stats {
	uint64_t walked;		/* callers named by the stack walk */
	uint64_t unwound;		/* callers that needed a full unwind */
	uint64_t verified;		/* walked callers also unwound to check (KVSHADOW_VERIFY_WALK) */
	uint64_t mismatches;		/* of those, named differently: the walk stops there since */
	uint64_t paths;			/* raw stacks learned from */
	uint64_t frames;		/* return addresses the walk knows */
	uint64_t conflicts;		/* learned twice, differently */
	uint64_t poisoned;		/* return addresses where the walk gave up */
	uint64_t learn_lost;		/* raw stacks the ring buffer had no room for */
};

/* The tool's own cost (--self-stats, TUI key o). */
#define KVS_SELF_PROGS 32
#define KVS_PROG_NAME_LEN 32
struct kvs_prog_cost {
	char name[KVS_PROG_NAME_LEN];	/* the BPF program, as bpftool names it */
	uint64_t runs;			/* since its statistics were enabled */
	uint64_t run_ns;		/* its run time in total since then */
};

struct kvs_self {
	size_t nr;			/* programs loaded */
	struct kvs_prog_cost prog[KVS_SELF_PROGS];
	double cpu_s;			/* the tool's user + system time since it started */
	uint64_t rss_bytes;		/* its resident memory now */
};

/* One NUMA node's shadow: the kernel's nr_kasan_vmalloc_shadow of that node. */
struct kvs_node_shadow {
	unsigned int node;
	uint64_t shadow_pages;
};

/* A copy of n nodes into *dst (NULL when n is 0). 0 or -ENOMEM. */
int kvs_nodes_dup(struct kvs_node_shadow **dst, const struct kvs_node_shadow *src, size_t n);

/* Estimate mode's seed: how it knows the shadow of the areas there before it started. */
enum kvs_seed_kind { KVS_SEED_NONE, KVS_SEED_EXACT, KVS_SEED_APPROXIMATE };

struct kvs_seed_note {
	enum kvs_seed_kind kind;	/* NONE outside estimate mode */
	uint64_t low, high;		/* APPROXIMATE: shadow_pages lies in [low, high] */
	char why[KVS_WHY_LEN];		/* APPROXIMATE: why, and how to get the exact seed */
};

/* JSON's "estimate_seed": "exact", "approximate", or NULL (none: null). */
const char *kvs_seed_name(enum kvs_seed_kind kind);

/*
 * The lazy purge side (docs/interfaces.md §8 "Purges"): the backlog of
 * lazily freed vmap areas as the kernel last reported it, and purges that
 * ran too long. In a reading stalls count since attach; in a snapshot and
 * the model, since start.
 */
struct kvs_purge {
	bool not_recorded;		/* a recording made before any of this was */
	bool lazy_traced;		/* vmalloc:free_vmap_area_noflush is attached */
	bool have_lazy;			/* a lazy free reported the backlog since attach */
	bool lazy_stale;		/* a purge ended after that report: the backlog now is unknown */
	uint64_t lazy_pages;		/* the kernel's vmap_lazy_nr at that report, pages */
	uint64_t lazy_max_pages;	/* lazy_max_pages() then: above it a purge is scheduled */
	double lazy_mono;		/* when, CLOCK_MONOTONIC seconds */
	bool have_waiting;		/* estimate mode: its model knows every area waiting */
	uint64_t lazy_areas;		/* lazily freed areas waiting for a purge */
	uint64_t lazy_area_bytes;	/* their vmalloc space (the kernel counts it in lazy_pages) */
	uint64_t shadow_pages_waiting;	/* shadow pages a purge of them all would release */
	bool have_stalls;		/* purges are timed (fentry on __purge_vmap_area_lazy) */
	uint64_t stall_ns;		/* --stall: a purge this long is a stall */
	uint64_t stalls;		/* purges at least stall_ns long */
};

/*
 * The backlog as views show it: lazy_pages where the last report still
 * holds. False: unknown (no report, or a purge came after it).
 */
bool kvs_purge_lazy_known(const struct kvs_purge *p);

/* What the sources read at one instant. Absolute: nothing subtracted. */
struct kvs_reading {
	double ts;			/* CLOCK_REALTIME, unix seconds */
	double mono;			/* CLOCK_MONOTONIC seconds */

	/* BPF programs, cumulative since they were attached. */
	bool have_bpf;
	struct kvs_counters bpf;	/* per-CPU sums; shadow_pages(_peak) unused */
	int64_t bpf_net;		/* exact: pages_populated - pages_released since attach */
	int64_t bpf_net_peak;		/* its high-water mark since the last peak reset */
	struct kvs_hist_data hist[KVS_NR_HISTS];
	bool hist_available[KVS_NR_HISTS];
	const char *hist_source[KVS_NR_HISTS];	/* "tracepoint", "fentry" or NULL (static) */
	char hist_why[KVS_NR_HISTS][KVS_WHY_LEN];
	struct kvs_top_list callers;	/* cumulative per caller name */
	struct kvs_top_list processes;	/* cumulative per "comm[tgid]" */
	uint64_t events_lost;		/* ring buffer records dropped */
	bool have_slow;			/* --slow records are collected */
	struct kvs_slow_rec *slow;	/* those since the last reading, oldest first (malloc'd) */
	size_t nr_slow;
	uint64_t slow_lost;		/* records the ring buffer had no room for */
	bool have_walk;			/* estimate mode: the stack walk's statistics */
	struct kvs_walk_stats walk;
	bool have_self;			/* BPF run-time statistics are on: self holds them */
	struct kvs_self self;		/* cpu_s and rss_bytes always; prog[] when have_self */
	/* The kernel has no vmalloc:* events (6.1): the vmap_area_* counters are unknown. */
	bool no_vmap_events;
	char method[KVS_WHY_LEN];	/* how the mode measures on this kernel; "" says no more than its name */

	/*
	 * Stock mode: the last count of present shadow PTEs in the kernel
	 * page tables, and bpf_net when it was taken. Valid only when no
	 * populate or release ran during the walk (ptwalk_quiet).
	 */
	bool have_ptwalk;
	bool ptwalk_quiet;
	uint64_t ptwalk_pages;
	int64_t ptwalk_net;
	/* KASAN_VMALLOC: the shadow pages only the tool's own maps keep mapped. */
	bool have_self_shadow;
	uint64_t self_shadow_pages;
	double ptwalk_mono;		/* when it was taken */

	/*
	 * Estimate mode with fentry: a purge ran while this reading was taken
	 * (the kernel's count may be ahead of the model by what it released).
	 */
	bool have_purge_crossed;
	bool purge_crossed;

	struct kvs_purge purge;		/* the lazy purge side */

	/* Estimate mode: the shadow model's own counters; shadow_pages absolute. */
	bool have_estimate;
	struct kvs_counters est;
	uint64_t unknown_frees;		/* frees of areas the model never saw */
	uint64_t est_area_bytes;	/* the model's live and lazily freed areas */
	unsigned int estimate_reseeds;	/* re-seeds from /proc/vmallocinfo after lost events */
	uint64_t ring_buffer_bytes;	/* the estimate's ring buffer now (it grows on loss) */
	struct kvs_seed_note seed;	/* the estimate's seed, and its bound when approximate */

	/* The debugfs file, as the kernel shows it. */
	bool have_debugfs;
	struct kvs_counters debugfs;	/* its known keys; the other counters 0 */
	/*
	 * Exact mode, while the baseline waits for one: the file was read
	 * before the source too, and no populate or release ran in between,
	 * so BPF and debugfs describe the same instant.
	 */
	bool debugfs_quiet;
	/*
	 * The baseline only: BPF and the kernel's own count (debugfs, or in
	 * stock mode the page tables) describe the same instant. Taken while
	 * the kernel was busy, it is aligned at the first quiet reading after.
	 */
	bool aligned;
	struct kvs_kv *debugfs_extra;	/* keys of newer kernels, in file order */
	size_t nr_debugfs_extra;

	/* Per NUMA node, sorted by node (malloc'd): the kernel's own count. */
	bool have_nodes;
	struct kvs_node_shadow *nodes;
	size_t nr_nodes;

	/* /proc */
	bool have_vmalloc_used;
	uint64_t vmalloc_used_bytes;	/* VmallocUsed from /proc/meminfo */
	bool have_vmap_bytes;
	uint64_t vmap_bytes;		/* every live vmap area, from /proc/vmallocinfo (baseline only) */

	struct kvs_unavailable unavailable;
};

/* Free a list's rows; the list stays usable (empty). */
void kvs_top_list_free(struct kvs_top_list *l);
/* qsort/bsearch/tsearch order of struct kvs_top_entry by name. */
int kvs_top_entry_cmp_name(const void *a, const void *b);

/* Free what a reading owns and zero it. */
void kvs_reading_free(struct kvs_reading *r);
/*
 * BPF and the kernel's own count (debugfs; stock mode, the page tables)
 * describe one instant in r: an exact reading with debugfs_quiet, a quiet
 * walk. Modes with one view only always are.
 */
bool kvs_reading_aligned(enum kvs_mode mode, const struct kvs_reading *r);
/*
 * A baseline taken while the kernel was busy pairs BPF's counters with the
 * kernel's of another instant. At the first reading now that is aligned,
 * move the kernel's side of base to the start instant: exact mode, the
 * debugfs file as now less what BPF counted since; stock mode, that
 * reading's walk. True when base is aligned (now or before).
 */
bool kvs_baseline_align(enum kvs_mode mode, struct kvs_reading *base, const struct kvs_reading *now);

/*
 * What crosses the pure step unchanged: states of the instant (the debugfs
 * file as it is, /proc, the ring buffer's size), notes, and the slow calls
 * of the interval. Copied out of the reading, so the model reads nothing
 * else and the reading can go right after the step.
 */
struct kvs_passthrough {
	char method[KVS_WHY_LEN];	/* how the mode measures here ("" : as its name says) */
	bool have_debugfs;
	struct kvs_counters debugfs;	/* the file as the kernel shows it now */
	struct kvs_kv *debugfs_extra;	/* keys of newer kernels (the snapshot's copy) */
	size_t nr_debugfs_extra;
	bool have_vmalloc_used;
	uint64_t vmalloc_used_bytes;	/* VmallocUsed */
	bool hist_available[KVS_NR_HISTS];
	const char *hist_source[KVS_NR_HISTS];	/* static strings */
	char hist_why[KVS_NR_HISTS][KVS_WHY_LEN];
	bool have_slow;
	struct kvs_slow_rec *slow;	/* the interval's slow calls (the snapshot's copy) */
	size_t nr_slow;
	uint64_t slow_lost;
	bool have_walk;
	struct kvs_walk_stats walk;
	bool have_self;
	struct kvs_self self;		/* the model takes the differences itself */
	bool have_purge_crossed;
	bool purge_crossed;
	uint64_t unknown_frees;
	unsigned int estimate_reseeds;
	uint64_t ring_buffer_bytes;
	struct kvs_seed_note seed;
	bool have_nodes;
	struct kvs_node_shadow *nodes;	/* the snapshot's copy */
	size_t nr_nodes;
	struct kvs_unavailable unavailable;
};

/* One interval as every view sees it, the same in every mode. */
struct kvs_snapshot {
	enum kvs_mode mode;
	double ts, mono;		/* of the reading */
	double start_mono;		/* of the baseline: when counting started */
	bool since_boot;		/* no baseline: counters count since boot */
	kvs_counter_mask known;		/* counters this mode can know; others are absent */
	struct kvs_counters c;		/* since start; shadow_pages(_peak) absolute */
	uint64_t events_lost;		/* ring buffer records dropped since start */
	bool drift_valid;		/* two views of shadow_pages: BPF and debugfs */
	uint64_t drift_pages;		/* |BPF shadow_pages - debugfs shadow_pages| */
	bool baseline_pending;		/* started busy: no quiet instant aligned BPF and the kernel yet */
	bool have_pagetable;		/* stock mode: the kernel page tables' own count */
	uint64_t pagetable_pages;	/* present shadow PTEs at the last quiet walk */
	bool have_self_shadow;		/* KASAN_VMALLOC and the tool's own maps' areas known */
	uint64_t self_shadow_pages;	/* of shadow_pages, those only its own maps keep */
	bool have_vmap_bytes;
	uint64_t vmap_bytes;		/* every live vmap area now */
	bool have_debugfs_base;
	struct kvs_counters debugfs_base;	/* the debugfs file at the baseline */
	struct kvs_hist_data hist[KVS_NR_HISTS];	/* since start */
	struct kvs_purge purge;		/* stalls since start */
	struct kvs_top_list callers;	/* since start, owned by the snapshot */
	struct kvs_top_list processes;
	struct kvs_passthrough pass;	/* owned by the snapshot */
};

/*
 * The pure step. base NULL: no baseline, counters since boot (debugfs mode
 * only). Fills s with copies of all it needs (kvs_snapshot_free() it):
 * now and base may go right after. 0, -EINVAL or -ENOMEM.
 */
int kvs_snapshot_compute(enum kvs_mode mode, const struct kvs_reading *now,
			 const struct kvs_reading *base, struct kvs_snapshot *s);
void kvs_snapshot_free(struct kvs_snapshot *s);

const char *kvs_hist_name(enum kvs_hist_id k);	/* "populate", "release", "vmalloc", "purge" */

/* Write a why-unavailable note into a KVS_WHY_LEN field; long messages are cut. */
void kvs_why(char *dst, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif /* KVS_SNAPSHOT_H */
