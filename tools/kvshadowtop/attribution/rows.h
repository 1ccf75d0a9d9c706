/* SPDX-License-Identifier: GPL-2.0 */
/* Attribution rows in userspace: pages_populated and populate_calls by name. */
#ifndef KVS_ROWS_H
#define KVS_ROWS_H

#include "snapshot.h"

struct kvs_rows {
	void *root;	/* tsearch tree of struct kvs_top_entry, by name */
	size_t nr;
	struct kvs_top_entry *last;	/* the row added to last: events come in runs */
	size_t max;			/* rows it keeps (0: no bound) */
	uint64_t dropped_pages;		/* what came for a row it had no room for */
	uint64_t dropped_calls;
};

/*
 * Add to the row called name (created on first use): pages and calls, and
 * latency slots (KVS_ROW_SLOTS each; NULL: none). A new name when max rows
 * exist is counted in dropped_pages and dropped_calls instead, as a full
 * BPF map counts it. 0 or -ENOMEM.
 */
int kvs_rows_add(struct kvs_rows *a, const char *name, uint64_t pages, uint64_t calls,
		 const uint32_t *vmalloc_ns, const uint32_t *populate_ns);
/* Copy every row into l->e (malloc'd, l->nr rows). 0 or -ENOMEM. */
int kvs_rows_to_list(const struct kvs_rows *a, struct kvs_top_list *l);
void kvs_rows_free(struct kvs_rows *a);

/*
 * A process row's name, "comm[tgid]" from a task's comm (comm_len bytes,
 * not necessarily terminated). Any local user picks a comm, so it is
 * sanitized here, where it enters the pipeline.
 */
void kvs_process_name(char *buf, size_t len, const char *comm, size_t comm_len, uint32_t tgid);

#endif /* KVS_ROWS_H */
