/* SPDX-License-Identifier: GPL-2.0 */
/* Attribution tables in userspace: pages_populated and populate_calls by name. */
#ifndef KVS_ATTR_H
#define KVS_ATTR_H

#include "snapshot.h"

struct kvs_attr {
	void *root;	/* tsearch tree of struct kvs_top_entry, by name */
	size_t nr;
	struct kvs_top_entry *last;	/* the row added to last: events come in runs */
};

/*
 * Add to the row called name (created on first use): pages and calls, and
 * latency slots (KVS_ROW_SLOTS each; NULL: none). 0 or -ENOMEM.
 */
int kvs_attr_add(struct kvs_attr *a, const char *name, uint64_t pages, uint64_t calls,
		 const uint32_t *vmalloc_ns, const uint32_t *populate_ns);
/* Copy every row into l->e (malloc'd, l->nr rows). 0 or -ENOMEM. */
int kvs_attr_to_list(const struct kvs_attr *a, struct kvs_top_list *l);
void kvs_attr_free(struct kvs_attr *a);

/*
 * A process row's name, "comm[tgid]" from a task's comm (comm_len bytes,
 * not necessarily terminated). Any local user picks a comm, so it is
 * sanitized here, where it enters the pipeline.
 */
void kvs_process_name(char *buf, size_t len, const char *comm, size_t comm_len, uint32_t tgid);

#endif /* KVS_ATTR_H */
