/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvshadowtop's data model: the one struct every view reads.
 *
 *   BPF maps / debugfs ─▶ collect.c ─▶ struct kvs_snapshot (one per interval)
 *      ─▶ model.c (kvs_model_update) ─▶ struct kvs_model ─▶ views
 *
 * Views (text, JSON, TUI, Prometheus) include this header only: they never
 * call libbpf or read kernel files, so a number cannot differ between the
 * screen and the metrics. Names follow docs/interfaces.md.
 */
#ifndef KVS_MODEL_H
#define KVS_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Histogram slot i counts durations in [2^i, 2^(i+1)) ns; slot 0 is [0, 2). */
#define KVS_HIST_SLOTS 40
/* shadow_pages samples kept for the sparkline (one per interval). */
#define KVS_HISTORY 240
/* Longest caller ("symbol+0xoff [module]") or process ("comm[tgid]") name. */
#define KVS_NAME_LEN 96
/* Room for a "why is this unavailable" sentence. */
#define KVS_WHY_LEN 160

/* Where the numbers come from: the kvshadow_info{mode=...} label. */
enum kvs_mode {
	KVS_MODE_EXACT,		/* BPF on kasan:* tracepoints (patched KASAN kernel) */
	KVS_MODE_ESTIMATE,	/* BPF on vmalloc:* tracepoints, modelled shadow */
	KVS_MODE_DEBUGFS,	/* debugfs counters only, no BPF */
};

/* The latency histograms; same order as bpf/kvshadow.h's enum kvs_hist_id. */
enum kvs_hist_kind {
	KVS_HIST_POPULATE,	/* kasan_populate_vmalloc */
	KVS_HIST_RELEASE,	/* kasan_release_vmalloc */
	KVS_HIST_VMALLOC,	/* __vmalloc_node_range, to set populate against */
	KVS_NR_HISTS,
};

/* Top-N grouping (--by) and order (-s). */
enum kvs_by { KVS_BY_CALLER, KVS_BY_PROCESS };
enum kvs_sort {
	KVS_SORT_PAGES,		/* pages_populated, descending (default) */
	KVS_SORT_CALLS,		/* populate_calls, descending */
	KVS_SORT_RATE,		/* pages populated this interval, descending */
	KVS_SORT_NAME,		/* name, ascending */
};

/*
 * Every counter, once: X(name, is_gauge, help). The JSON keys, the text
 * columns and the struct fields below are these names. Counters are
 * cumulative since kvshadowtop started; gauges are current values.
 */
#define KVS_COUNTERS(X)							\
	X(shadow_pages, 1, "shadow pages mapped now to back vmalloc space")	\
	X(shadow_pages_peak, 1, "high-water mark of shadow_pages (see kvs_model.peak_scope)") \
	X(populate_calls, 0, "kasan_populate_vmalloc calls")			\
	X(pages_populated, 0, "shadow pages mapped")				\
	X(pages_allocated, 0, "pages populate took from the page allocator") \
	X(populate_failures, 0, "populate calls that failed")			\
	X(release_calls, 0, "kasan_release_vmalloc calls")			\
	X(pages_released, 0, "shadow pages unmapped and freed")		\
	X(vmap_area_allocs, 0, "alloc_vmap_area calls that succeeded")	\
	X(vmap_area_alloc_bytes, 0, "bytes of vmalloc space they reserved") \
	X(vmap_area_alloc_failures, 0, "alloc_vmap_area calls that failed") \
	X(vmap_area_frees, 0, "vmap areas freed lazily (free_vmap_area_noflush)") \
	X(vmap_purges, 0, "lazy purges (purge_vmap_area_lazy)")		\
	X(vmap_areas_purged, 0, "vmap areas those purges released")

#define KVS_X_U64(name, gauge, help) uint64_t name;
#define KVS_X_DBL(name, gauge, help) double name;

/* Counter values, one field per KVS_COUNTERS entry. */
struct kvs_counters {
	KVS_COUNTERS(KVS_X_U64)
};

/* Per-second rates of the same counters over the last interval. */
struct kvs_rates {
	KVS_COUNTERS(KVS_X_DBL)
};

/* Iterate the counters by name: kvs_counter_fields[i].offset into kvs_counters. */
struct kvs_counter_field {
	const char *name;	/* JSON key / column name */
	size_t offset;		/* offsetof(struct kvs_counters, name) */
	bool gauge;		/* current value, not cumulative */
	const char *help;	/* one line for HELP / the man page */
};
extern const struct kvs_counter_field kvs_counter_fields[];
extern const size_t kvs_nr_counter_fields;

/* One row of attribution: a caller or a process. */
struct kvs_top_entry {
	char name[KVS_NAME_LEN];	/* caller symbol or "comm[tgid]"; never an address */
	uint64_t pages_populated;	/* cumulative since start */
	uint64_t populate_calls;	/* cumulative since start */
	uint64_t delta_pages_populated;	/* in the last interval (model only) */
	uint64_t delta_populate_calls;	/* in the last interval (model only) */
};

/* A whole attribution table, any length, in no particular order in a snapshot. */
struct kvs_top_list {
	struct kvs_top_entry *e;	/* malloc'd; owned by the snapshot/model */
	size_t nr;
	uint64_t dropped_pages;		/* pages whose owner did not fit the bounded maps */
	uint64_t dropped_calls;		/* populate calls likewise */
	bool available;			/* false: see why */
	char why[KVS_WHY_LEN];		/* why attribution is missing, when it is */
};

/* One key of the debugfs file, in file order (known keys and new ones). */
struct kvs_kv {
	char *key;			/* malloc'd */
	uint64_t value;
};

/* A log2 latency histogram (raw, cumulative since start). */
struct kvs_hist_data {
	uint64_t slots[KVS_HIST_SLOTS];	/* counts per log2 ns bucket */
	uint64_t count;			/* sum of slots */
	uint64_t sum_ns;		/* sum of all durations, for _sum and averages */
};

/* Model-level notes about what is missing; empty string when present. */
struct kvs_unavailable {
	char debugfs[KVS_WHY_LEN];	/* e.g. "no /sys/kernel/debug/kasan/vmalloc_shadow" */
	char attribution[KVS_WHY_LEN];	/* e.g. "debugfs mode: no per-caller data" */
	char vmalloc_used[KVS_WHY_LEN];	/* /proc/meminfo unreadable */
	char bpf[KVS_WHY_LEN];		/* debugfs mode: why BPF was not used */
};

/* What collect.c produces each interval, the same in every mode. */
struct kvs_snapshot {
	double ts;			/* CLOCK_REALTIME, unix seconds */
	double mono;			/* CLOCK_MONOTONIC seconds, for intervals */
	double start_mono;		/* CLOCK_MONOTONIC when counting started (the baseline) */
	enum kvs_mode mode;
	struct kvs_counters c;		/* since start; shadow_pages(_peak) absolute */
	bool have_debugfs;		/* the debugfs file was read this interval */
	struct kvs_counters debugfs;	/* its known keys, absolute as the kernel shows them */
	struct kvs_kv *debugfs_kv;	/* every key in file order, for the JSON object */
	size_t nr_debugfs_kv;
	bool have_debugfs_base;		/* the baseline below was taken at start */
	struct kvs_counters debugfs_base; /* debugfs at start (after attach), for deltas */
	struct kvs_hist_data hist[KVS_NR_HISTS];
	bool hist_available[KVS_NR_HISTS];
	const char *hist_source[KVS_NR_HISTS]; /* "tracepoint", "fentry" or NULL (static string) */
	char hist_why[KVS_NR_HISTS][KVS_WHY_LEN]; /* why a histogram is absent */
	struct kvs_top_list callers;	/* cumulative per caller */
	struct kvs_top_list processes;	/* cumulative per tgid+comm */
	bool have_vmalloc_used;
	uint64_t vmalloc_used_bytes;	/* VmallocUsed from /proc/meminfo */
	uint64_t events_lost;		/* estimate: ring buffer records dropped (estimate is then low) */
	uint64_t unknown_frees;		/* estimate: frees of areas the model never saw */
	struct kvs_unavailable unavailable; /* why things are missing, copied to the model */
};

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
	const char *mode_name;		/* "exact", "estimate", "debugfs" */
	char kernel[65];		/* uname -r, for kvshadow_info{kernel=} */
	long page_size;			/* bytes per shadow page */
	uint64_t updates;		/* snapshots folded in so far */
	double ts;			/* of the last snapshot, unix seconds */
	double ts_mono;			/* of the last snapshot, CLOCK_MONOTONIC seconds */
	double interval_s;		/* seconds since the previous snapshot (or start) */
	double elapsed_s;		/* seconds since start */
	const char *peak_scope;		/* "since start" or "since boot or reset" (debugfs mode) */

	struct kvs_counters total;	/* the JSON numbers: since start; gauges current */
	struct kvs_counters delta;	/* change over the last interval (gauges: signed as u64 wrap; use shadow_pages_delta) */
	int64_t shadow_pages_delta;	/* signed change of shadow_pages this interval */
	struct kvs_rates rate;		/* delta / interval_s */

	uint64_t shadow_bytes;		/* shadow_pages * page_size */
	uint64_t shadow_peak_bytes;	/* shadow_pages_peak * page_size */
	bool have_vmalloc_used;
	uint64_t vmalloc_used_bytes;	/* VmallocUsed */
	double overhead_ratio;		/* shadow_bytes / vmalloc_used_bytes; NAN when unknown or 0 */

	bool have_debugfs;
	struct kvs_counters debugfs;	/* absolute kernel values this interval */
	bool have_debugfs_base;
	struct kvs_counters debugfs_base; /* debugfs when counting started: totals = debugfs - this */
	const struct kvs_kv *debugfs_kv; /* the file in order (points into the model's copy) */
	size_t nr_debugfs_kv;
	bool drift_valid;		/* BPF view and debugfs both present (exact, debugfs-less modes: false) */
	uint64_t drift_pages;		/* |BPF shadow_pages - debugfs shadow_pages| */

	struct kvs_hist hist[KVS_NR_HISTS];

	struct kvs_top_list callers;	/* cumulative, sorted by pages_populated desc */
	struct kvs_top_list processes;	/* same for processes */

	uint64_t history[KVS_HISTORY];	/* shadow_pages per interval, ring; see kvs_model_history() */
	size_t history_len;		/* valid samples, <= KVS_HISTORY */
	size_t history_head;		/* index of the next write */

	uint64_t events_lost;		/* estimate: ring buffer drops; non-zero means "estimate is low" */
	uint64_t unknown_frees;		/* estimate: frees of areas not seen allocated */
	struct kvs_unavailable unavailable;
};

/* Options main.c parses (interfaces.md §5); views read them, never change the model. */
struct kvs_options {
	bool batch;			/* -b, or stdout is not a tty */
	unsigned long count;		/* -n, 0 = forever */
	double interval_s;		/* -d, default 1 */
	bool json;			/* --json: JSON Lines */
	bool mode_set;			/* --mode given */
	enum kvs_mode mode;
	const char *prom_file;		/* --prom-file PATH or NULL */
	enum kvs_sort sort;		/* -s pages|calls|rate|name */
	size_t rows;			/* -r, rows of top shown (text/TUI/JSON), default 10 */
	enum kvs_by by;			/* --by caller|process */
	size_t prom_top;		/* --top N: Prometheus caller label cardinality, default 10 */
};

/* Start a model: zeroes it, sets mode, kernel, page size. */
void kvs_model_init(struct kvs_model *m, enum kvs_mode mode, const char *kernel, long page_size);
/* Fold one snapshot in (pure: no I/O). Copies what it keeps. 0 or -ENOMEM. */
int kvs_model_update(struct kvs_model *m, const struct kvs_snapshot *s);
/* Free what the model owns. */
void kvs_model_free(struct kvs_model *m);
/* i-th shadow_pages sample, 0 = oldest, i < history_len. */
uint64_t kvs_model_history(const struct kvs_model *m, size_t i);

/*
 * Top-N rows of a list with the rest folded into *other (name "other",
 * includes dropped pages/calls). out must hold n entries. Returns the rows
 * written. Pure; views call it with their own n and order.
 */
size_t kvs_top_fold(const struct kvs_top_list *l, size_t n, enum kvs_sort sort,
		    struct kvs_top_entry *out, struct kvs_top_entry *other);

/* Value at quantile q (0..1) of a log2 histogram, interpolated in its bucket; NAN if empty. */
double kvs_hist_quantile(const struct kvs_hist_data *h, double q);
/* Upper bound in ns of slot i (2^(i+1)): the Prometheus "le" of that bucket. */
uint64_t kvs_hist_upper_ns(unsigned int i);

const char *kvs_mode_name(enum kvs_mode mode);
const char *kvs_hist_name(enum kvs_hist_kind k);	/* "populate", "release", "vmalloc" */

/* Write a why-unavailable note into a KVS_WHY_LEN field; long messages are cut. */
void kvs_why(char *dst, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Free what a snapshot owns (top lists, debugfs keys). */
void kvs_snapshot_free(struct kvs_snapshot *s);

#endif /* KVS_MODEL_H */
