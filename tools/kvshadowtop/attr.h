/* SPDX-License-Identifier: GPL-2.0 */
/* Attribution tables in userspace: pages_populated and populate_calls by name. */
#ifndef KVS_ATTR_H
#define KVS_ATTR_H

#include "model.h"

struct kvs_attr {
	void *root;	/* tsearch tree of struct kvs_top_entry, by name */
	size_t nr;
};

/* Add to the row called name (created on first use). 0 or -ENOMEM. */
int kvs_attr_add(struct kvs_attr *a, const char *name, uint64_t pages, uint64_t calls);
/* Copy every row into l->e (malloc'd, l->nr rows). 0 or -ENOMEM. */
int kvs_attr_to_list(const struct kvs_attr *a, struct kvs_top_list *l);
void kvs_attr_free(struct kvs_attr *a);

#endif /* KVS_ATTR_H */
