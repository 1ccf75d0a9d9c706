/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The model: the one struct every view reads.
 *
 *   sources ─▶ struct kvs_reading ─▶ kvs_snapshot_compute() ─▶ struct kvs_snapshot
 *      ─▶ kvs_model_update() ─▶ struct kvs_model ─▶ views (text, JSON, TUI,
 *         Prometheus, vmstat)
 *
 * Views include this header only: they never call libbpf or read kernel
 * files, so a number cannot differ between the screen and the metrics.
 * Names follow docs/interfaces.md and lib/kvs_counters.h.
 */
#ifndef KVS_MODEL_H
#define KVS_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "counters.h"
#include "snapshot.h"

/* shadow_pages samples kept for the sparkline (one per interval). */
#define KVS_HISTORY 240
/* Slow calls kept for the TUI's panel, newest first. */
#define KVS_SLOW_RECENT 64

/* A histogram as views use it. */
struct kvs_hist {
	bool available;			/* false: why says so; views print "n/a" */
	const char *source;		/* "tracepoint" (duration_ns) or "fentry" */
	char why[KVS_WHY_LEN];
	struct kvs_hist_data total;	/* cumulative since start: Prometheus buckets */
	struct kvs_hist_data delta;	/* this interval only */
	double p50_ns, p99_ns;		/* percentiles of total; NAN when count is 0 */
	double interval_p50_ns;		/* of delta; NAN when no sample this interval */
	double interval_p99_ns;
	double avg_ns;			/* total.sum_ns / total.count; NAN when empty */
};

/* Everything views show. Updated in place by kvs_model_update(). */
struct kvs_model {
	enum kvs_mode mode;
	const char *mode_name;		/* kvs_modes[mode].name */
	char kernel[65];		/* uname -r, for kvshadow_info{kernel=} */
	uint64_t page_size;		/* bytes per page (and per shadow page) */
	uint64_t updates;		/* snapshots folded in so far */
	double ts;			/* of the last snapshot, unix seconds */
	double ts_mono;			/* of the last snapshot, CLOCK_MONOTONIC seconds */
	double interval_s;		/* seconds since the previous snapshot (or start) */
	double elapsed_s;		/* seconds since start */
	double start_mono;		/* CLOCK_MONOTONIC seconds when counting started */
	bool since_boot;		/* counters count since boot (no baseline) */
	const char *peak_scope;		/* "since start" or "since boot or reset" */

	kvs_counter_mask known;		/* counters this mode knows; views leave the rest out */
	struct kvs_counters total;	/* since start; gauges current */
	int64_t delta[KVS_NR_COUNTERS];	/* signed change over the last interval (the first: from 0) */
	double rate[KVS_NR_COUNTERS];	/* delta / interval_s, per second */
	bool peak_reset;		/* shadow_pages_peak went down this interval */
	int counter_back;		/* a counter that went backwards this interval, or -1 */

	uint64_t shadow_bytes;		/* shadow_pages * page_size, saturated */
	uint64_t shadow_peak_bytes;	/* shadow_pages_peak * page_size, saturated */
	bool have_vmalloc_used;
	uint64_t vmalloc_used_bytes;	/* VmallocUsed */
	double overhead_ratio;		/* shadow_bytes / vmalloc_used_bytes; NAN when unknown or 0 */
	bool have_vmap_bytes;
	uint64_t vmap_bytes;		/* all live vmap areas (vmalloc, vmap, ioremap, lazily freed) */
	double overhead_ratio_vmap;	/* shadow_bytes / vmap_bytes: the fair one; NAN when unknown */

	bool have_debugfs;
	struct kvs_counters debugfs;	/* absolute kernel values this interval */
	bool have_debugfs_base;
	struct kvs_counters debugfs_base; /* debugfs when counting started */
	struct kvs_kv *debugfs_extra;	/* keys of newer kernels, in file order (model's copy) */
	size_t nr_debugfs_extra;
	bool drift_valid;		/* BPF view and debugfs both present */
	uint64_t drift_pages;		/* |BPF shadow_pages - debugfs (stock: page tables)| */
	bool baseline_pending;		/* a busy start, not yet aligned at a quiet instant */
	bool have_pagetable;		/* stock mode: the page tables' own count */
	uint64_t pagetable_pages;	/* present shadow PTEs at the last quiet walk */
	bool have_self_shadow;		/* KASAN_VMALLOC: the tool's own maps' shadow known */
	uint64_t self_shadow_pages;	/* of total.shadow_pages, those only its own maps keep */

	struct kvs_hist hist[KVS_NR_HISTS];
	struct kvs_purge purge;		/* the lazy backlog; stalls since start */
	uint64_t purge_stalls_new;	/* stalls in the last interval: the TUI's warning */

	struct kvs_top_list callers;	/* since start, sorted by pages_populated desc */
	struct kvs_top_list processes;	/* same for processes */

	uint64_t history[KVS_HISTORY];	/* shadow_pages per interval, ring; see kvs_model_history() */
	size_t history_len;		/* valid samples, <= KVS_HISTORY */
	size_t history_head;		/* index of the next write */

	uint64_t events_lost;		/* estimate: ring buffer drops since start; non-zero means "estimate is low" */
	bool have_purge_crossed;	/* estimate with fentry: whether a purge ran across the reading */
	bool purge_crossed;
	uint64_t unknown_frees;		/* estimate: frees of areas not seen allocated */
	unsigned int estimate_reseeds;	/* estimate: model rebuilt after lost events */
	uint64_t ring_buffer_bytes;	/* estimate: its ring buffer (grows on loss) */
	struct kvs_seed_note seed;	/* estimate: exact or approximate seed, and the bound */
	bool have_nodes;		/* the kernel counts shadow per NUMA node */
	struct kvs_node_shadow *nodes;	/* sorted by node (the model's copy) */
	size_t nr_nodes;

	bool have_slow;			/* --slow records are collected */
	struct kvs_slow_rec *slow_new;	/* the records of the last interval, oldest first */
	size_t nr_slow_new;
	struct kvs_slow_rec slow_recent[KVS_SLOW_RECENT];	/* ring; see kvs_model_slow() */
	size_t slow_recent_len, slow_recent_head;
	uint64_t slow_lost;		/* records dropped because their buffer was full */

	bool have_walk;			/* estimate mode: how callers were found */
	struct kvs_walk_stats walk;
	bool have_self;			/* BPF run-time statistics on (--self-stats, key o) */
	struct kvs_self self;		/* as read: per program since enabled, the tool's CPU and RSS */
	double self_cpu_percent;	/* the tool, % of one core over the last interval */
	double self_ns_per_run[KVS_SELF_PROGS];	/* per program over the last interval; NAN: no run */
	double self_runs_rate[KVS_SELF_PROGS];	/* runs per second over the last interval */

	struct kvs_unavailable unavailable;
	char method[KVS_WHY_LEN];	/* how the mode measures on this kernel ("": as its name says) */
};

/* Start a model: zeroes it, sets mode, kernel release and page size. */
void kvs_model_init(struct kvs_model *m, enum kvs_mode mode, const char *kernel, long page_size);
/* Fold one snapshot in (pure: no I/O). Copies what it keeps. 0 or -ENOMEM. */
int kvs_model_update(struct kvs_model *m, const struct kvs_snapshot *s);
/* Free what the model owns. */
void kvs_model_free(struct kvs_model *m);
/* i-th shadow_pages sample, 0 = oldest, i < history_len. */
uint64_t kvs_model_history(const struct kvs_model *m, size_t i);
/* i-th most recent slow call, 0 = newest, i < slow_recent_len. */
const struct kvs_slow_rec *kvs_model_slow(const struct kvs_model *m, size_t i);
/* Whether the model knows counter id (enum kvs_counter_id). */
static inline bool kvs_model_knows(const struct kvs_model *m, size_t id)
{
	return m->known & KVS_BIT(id);
}

/* When the kernel last reported the lazy backlog, in unix seconds (the reading's clock pair). */
double kvs_purge_lazy_ts(const struct kvs_model *m);

/* Top-N grouping (--by) and order (-s): the tables below name them. */
enum kvs_by { KVS_BY_CALLER, KVS_BY_PROCESS, KVS_NR_BY };

/* The --by words, one place: the option, JSON's row key, text and TUI titles. */
struct kvs_by_desc {
	const char *name;		/* --by NAME, JSON "top_by" and the rows' key */
	const char *plural;		/* "callers" */
	const char *column;		/* the name column's title: "CALLER" */
	const char *title;		/* the table's title: "CALLERS" */
};
extern const struct kvs_by_desc kvs_bys[KVS_NR_BY];
enum kvs_sort {
	KVS_SORT_PAGES,		/* pages_populated, descending (default) */
	KVS_SORT_CALLS,		/* populate_calls, descending */
	KVS_SORT_RATE,		/* pages populated this interval, descending */
	KVS_SORT_VM_P50,	/* vmalloc latency percentiles of the row, descending */
	KVS_SORT_VM_P99,
	KVS_SORT_POP_P50,	/* populate latency percentiles of the row, descending */
	KVS_SORT_POP_P99,
	KVS_SORT_NAME,		/* name, ascending */
	KVS_NR_SORTS,
};

/*
 * The sort orders of the top table, one place: -s takes name, the text and
 * TUI columns are these in this order (column NULL: the name column),
 * value() is what the column shows.
 */
struct kvs_sort_desc {
	const char *name;		/* -s NAME */
	const char *column;		/* column title, NULL for the name column */
	const char *what;		/* "sorted by ..." and the help screen */
	int (*cmp)(const void *a, const void *b);	/* on struct kvs_top_entry */
	uint64_t (*value)(const struct kvs_top_entry *e);	/* NULL for the name column */
	bool duration;			/* value() is ns, UINT64_MAX when the row has none */
};
extern const struct kvs_sort_desc kvs_sorts[KVS_NR_SORTS];

/* The list --by selects. */
const struct kvs_top_list *kvs_model_top(const struct kvs_model *m, enum kvs_by by);

/*
 * Top-N rows of a list with the rest folded into *other (name "other",
 * includes dropped pages/calls). out must hold n entries. Returns the rows
 * written. Pure; views call it with their own n and order.
 */
size_t kvs_top_fold(const struct kvs_top_list *l, size_t n, enum kvs_sort sort,
		    struct kvs_top_entry *out, struct kvs_top_entry *other);

/* Value at quantile q (0..1) of a log2 histogram, interpolated in its bucket; NAN if empty. */
double kvs_hist_quantile(const struct kvs_hist_data *h, double q);
/* A row's latency percentile from its KVS_ROW_SLOTS log2 slots; NAN when empty. */
double kvs_row_quantile(const uint32_t *slots, double q);
/* Upper bound in ns of slot i (2^(i+1)): the Prometheus "le" of that bucket. */
uint64_t kvs_hist_upper_ns(unsigned int i);

#endif /* KVS_MODEL_H */
