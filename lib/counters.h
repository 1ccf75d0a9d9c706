/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The counter table of kvs_counters.h as data, for code that loops over
 * every counter (parsers, views, the model). Pure: no I/O.
 */
#ifndef KVS_COUNTERS_INFO_H
#define KVS_COUNTERS_INFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kvs_counters.h"

enum kvs_counter_type { KVS_GAUGE, KVS_COUNTER };
enum kvs_counter_unit { KVS_UNIT_PAGES, KVS_UNIT_CALLS, KVS_UNIT_AREAS, KVS_UNIT_BYTES };

struct kvs_counter_info {
	const char *name;		/* debugfs key = JSON key = column */
	enum kvs_counter_type type;
	enum kvs_counter_unit unit;
	bool debugfs;			/* a key of the debugfs file */
	bool shadow;			/* modelled in estimate mode */
	const char *prom;		/* Prometheus family, or NULL */
	const char *help;
};

extern const struct kvs_counter_info kvs_counter_info[KVS_NR_COUNTERS];

/* A key the table does not know (keys newer kernels append to debugfs). */
struct kvs_kv {
	char *key;			/* malloc'd */
	uint64_t value;
};

/* Copy nr keys into *dst (NULL when nr is 0). 0 or -ENOMEM (*dst NULL). */
int kvs_kv_dup(struct kvs_kv **dst, const struct kvs_kv *src, size_t nr);
void kvs_kv_free(struct kvs_kv *kv, size_t nr);

/* A set of counters: bit i is counter i (enum kvs_counter_id). */
typedef uint64_t kvs_counter_mask;
#define KVS_BIT(id) ((kvs_counter_mask)1 << (id))
#define KVS_ALL_COUNTERS (KVS_BIT(KVS_NR_COUNTERS) - 1)
#define KVS_DEBUGFS_COUNTERS (KVS_BIT(KVS_NR_DEBUGFS) - 1)

/*
 * struct kvs_counters is one __u64 per row in table order (counters.c
 * asserts it), so counter i is element i.
 */
static inline uint64_t kvs_counter_get(const struct kvs_counters *c, size_t i)
{
	return ((const uint64_t *)c)[i];
}

static inline void kvs_counter_set(struct kvs_counters *c, size_t i, uint64_t v)
{
	((uint64_t *)c)[i] = v;
}

/* The counter called name (len bytes, not NUL-terminated), or -1. */
int kvs_counter_find(const char *name, size_t len);

/*
 * The signed change from prev to cur, saturated to int64_t. Never a cast of
 * the u64 difference, which wraps when a value drops.
 */
int64_t kvs_delta(uint64_t prev, uint64_t cur);

/* pages * page_size, saturated at UINT64_MAX: one rule for every view. */
uint64_t kvs_pages_to_bytes(uint64_t pages, uint64_t page_size);

#endif /* KVS_COUNTERS_INFO_H */
