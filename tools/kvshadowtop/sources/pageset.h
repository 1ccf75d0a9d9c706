/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A set of page indices (estimate mode's mapped shadow pages, and the
 * vmalloc pages its areas cover and start at): a sparse bitmap, one chunk
 * of 2^18 bits (32 KiB: 8 GiB of vmalloc space behind 32 KiB shadow
 * pages, 1 GiB of 4 KiB pages) per region in use, made on first use.
 * Adding or removing a range is a few word operations and says how many
 * pages it changed, where an interval tree takes a delete and an insert
 * per event.
 */
#ifndef KVS_PAGESET_H
#define KVS_PAGESET_H

#include <stddef.h>
#include <stdint.h>

#define KVS_PAGESET_CHUNK_SHIFT 18

struct kvs_pageset_chunk {
	uint64_t idx;		/* page >> KVS_PAGESET_CHUNK_SHIFT */
	uint64_t *bits;
};

struct kvs_pageset {
	struct kvs_pageset_chunk *chunks;	/* sorted by idx */
	size_t nr, cap;
	size_t last;				/* the chunk used last: events are local */
};

/*
 * Add pages [lo, hi) (none when hi <= lo, as for an area that wholly covers
 * no shadow page): how many were not in the set, or -ENOMEM (set unchanged).
 */
long kvs_pageset_add(struct kvs_pageset *s, uint64_t lo, uint64_t hi);
/* Remove pages [lo, hi): how many were in the set. */
long kvs_pageset_remove(struct kvs_pageset *s, uint64_t lo, uint64_t hi);
/* How many of pages [lo, hi) are in the set. */
long kvs_pageset_count(struct kvs_pageset *s, uint64_t lo, uint64_t hi);
/* The first page of [lo, hi) in the set, or hi. */
uint64_t kvs_pageset_next(const struct kvs_pageset *s, uint64_t lo, uint64_t hi);
/* The last page of [0, upto] in the set, or UINT64_MAX. */
uint64_t kvs_pageset_prev(const struct kvs_pageset *s, uint64_t upto);
void kvs_pageset_free(struct kvs_pageset *s);

#endif /* KVS_PAGESET_H */
