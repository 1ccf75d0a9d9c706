/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every number kvshadow counts, defined once. The BPF programs, the
 * snapshot and model structs, the debugfs parser, the JSON and text views
 * and the Prometheus families are all generated from this table or loop
 * over it: adding a counter is one line here (plus its tests).
 *
 * Included by BPF code (after vmlinux.h) and by userspace, so it holds only
 * macros and plain types.
 *
 * X(name, type, unit, debugfs, shadow, prom, help)
 *   name     the debugfs key, the JSON key, the struct field, the column:
 *            one grep finds a number from kernel to dashboard
 *   type     GAUGE (a current value) or COUNTER (cumulative)
 *   unit     PAGES (exported to Prometheus as bytes), CALLS, AREAS, BYTES
 *   debugfs  1: a key of /sys/kernel/debug/kasan/vmalloc_shadow. Those come
 *            first, in the file's order (docs/interfaces.md §2)
 *   shadow   1: a number about shadow memory, which estimate mode models
 *            (its Prometheus HELP then says ESTIMATE); 0: measured in
 *            every mode (vmap area activity from the vmalloc:* events)
 *   prom     the Prometheus family (docs/interfaces.md §3), or NULL
 *   help     one line, for HELP, the man page and the help screen
 */
#ifndef KVS_COUNTERS_H
#define KVS_COUNTERS_H

/* BPF code has __u64 from vmlinux.h; userspace prints uint64_t with PRIu64. */
#ifdef __VMLINUX_H__
#define KVS_U64 __u64
#else
#include <stdint.h>
#define KVS_U64 uint64_t
#endif

#define KVS_COUNTERS(X)							\
	X(shadow_pages, GAUGE, PAGES, 1, 1, "kvshadow_shadow_bytes",		\
	  "shadow memory currently mapped to back vmalloc space")		\
	X(shadow_pages_peak, GAUGE, PAGES, 1, 1, "kvshadow_shadow_peak_bytes",	\
	  "high-water mark of the shadow memory backing vmalloc space")	\
	X(pages_populated, COUNTER, PAGES, 1, 1,				\
	  "kvshadow_shadow_populated_bytes_total",				\
	  "shadow memory mapped by kasan_populate_vmalloc")			\
	X(pages_released, COUNTER, PAGES, 1, 1,					\
	  "kvshadow_shadow_released_bytes_total",				\
	  "shadow memory unmapped and freed by kasan_release_vmalloc")		\
	X(pages_allocated, COUNTER, PAGES, 1, 1, NULL,				\
	  "pages kasan_populate_vmalloc took from the page allocator, used or not") \
	X(populate_calls, COUNTER, CALLS, 1, 1, "kvshadow_populate_calls_total", \
	  "kasan_populate_vmalloc calls")					\
	X(populate_failures, COUNTER, CALLS, 1, 1,				\
	  "kvshadow_populate_failures_total",					\
	  "kasan_populate_vmalloc calls that returned an error")		\
	X(release_calls, COUNTER, CALLS, 1, 1, "kvshadow_release_calls_total",	\
	  "kasan_release_vmalloc calls")					\
	X(vmap_area_allocs, COUNTER, AREAS, 0, 0, NULL,				\
	  "vmap areas allocated (alloc_vmap_area that succeeded)")		\
	X(vmap_area_alloc_bytes, COUNTER, BYTES, 0, 0, NULL,			\
	  "bytes of vmalloc space those areas reserved")			\
	X(vmap_area_alloc_failures, COUNTER, AREAS, 0, 0, NULL,			\
	  "alloc_vmap_area calls that failed")					\
	X(vmap_area_frees, COUNTER, AREAS, 0, 0, NULL,				\
	  "vmap areas freed lazily (free_vmap_area_noflush)")			\
	X(vmap_purges, COUNTER, CALLS, 0, 0, NULL,				\
	  "lazy purges of freed vmap areas (purge_vmap_area_lazy)")		\
	X(vmap_areas_purged, COUNTER, AREAS, 0, 0, NULL,			\
	  "vmap areas those purges released")					\
	X(vmap_area_purged_bytes, COUNTER, BYTES, 0, 0, NULL,			\
	  "bytes of the vmap areas purged (kasan_release_vmalloc of each area)") \
	X(slow_vmalloc, COUNTER, CALLS, 0, 0, "kvshadow_slow_vmalloc_total",	\
	  "vmalloc calls slower than --slow")

/* The values, one u64 per counter; also the BPF per-CPU counter value. */
#define KVS_X_U64(name, type, unit, debugfs, shadow, prom, help) KVS_U64 name;
struct kvs_counters {
	KVS_COUNTERS(KVS_X_U64)
};
#undef KVS_X_U64

/* Index of each counter in table order: bits of a "known" mask, loops. */
#define KVS_X_ID(name, type, unit, debugfs, shadow, prom, help) KVS_ID_##name,
enum kvs_counter_id {
	KVS_COUNTERS(KVS_X_ID)
	KVS_NR_COUNTERS
};
#undef KVS_X_ID

/* How many debugfs keys there are (they are the first rows of the table). */
#define KVS_X_DEBUGFS(name, type, unit, debugfs, shadow, prom, help) + (debugfs)
enum { KVS_NR_DEBUGFS = 0 KVS_COUNTERS(KVS_X_DEBUGFS) };
#undef KVS_X_DEBUGFS

#endif /* KVS_COUNTERS_H */
