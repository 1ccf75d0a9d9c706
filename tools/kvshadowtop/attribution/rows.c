// SPDX-License-Identifier: GPL-2.0
/* Attribution rows by name: a tsearch tree keyed by caller or process name. */
#include <errno.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rows.h"
#include "sanitize.h"

int kvs_rows_add(struct kvs_rows *a, const char *name, uint64_t pages, uint64_t calls,
		 const uint32_t *vmalloc_ns, const uint32_t *populate_ns)
{
	struct kvs_top_entry key, *e, **slot, *last = a->last;

	/* The same row as the last event's: no copy, no search (rows never move). */
	if (last && !strncmp(last->name, name, sizeof(last->name))) {
		slot = &last;
		goto add;
	}
	snprintf(key.name, sizeof(key.name), "%s", name);
	slot = tfind(&key, &a->root, kvs_top_entry_cmp_name);
	if (!slot && a->max && a->nr >= a->max) {
		a->dropped_pages += pages;
		a->dropped_calls += calls;
		return 0;
	}
	if (!slot) {
		e = calloc(1, sizeof(*e));
		if (!e)
			return -ENOMEM;
		memcpy(e->name, key.name, sizeof(e->name));
		slot = tsearch(e, &a->root, kvs_top_entry_cmp_name);
		if (!slot) {
			free(e);
			return -ENOMEM;
		}
		a->nr++;
	}
	a->last = *slot;
add:
	(*slot)->pages_populated += pages;
	(*slot)->populate_calls += calls;
	for (int i = 0; (vmalloc_ns || populate_ns) && i < KVS_ROW_SLOTS; i++) {
		(*slot)->vmalloc_ns[i] += vmalloc_ns ? vmalloc_ns[i] : 0;
		(*slot)->populate_ns[i] += populate_ns ? populate_ns[i] : 0;
	}
	return 0;
}

/* twalk has no user pointer: the list being filled is passed through this. */
static struct kvs_top_list *walk_list;

static void walk_copy(const void *node, VISIT which, int depth)
{
	const struct kvs_top_entry *e = *(const struct kvs_top_entry *const *)node;

	if (which == postorder || which == leaf)
		walk_list->e[walk_list->nr++] = *e;
}

int kvs_rows_to_list(const struct kvs_rows *a, struct kvs_top_list *l)
{
	l->e = NULL;
	l->nr = 0;
	if (!a->nr)
		return 0;
	l->e = calloc(a->nr, sizeof(*l->e));
	if (!l->e)
		return -ENOMEM;
	walk_list = l;
	twalk(a->root, walk_copy);
	walk_list = NULL;
	return 0;
}

void kvs_rows_free(struct kvs_rows *a)
{
	tdestroy(a->root, free);
	a->root = NULL;
	a->nr = 0;
	a->last = NULL;
}

void kvs_process_name(char *buf, size_t len, const char *comm, size_t comm_len, uint32_t tgid)
{
	char safe[4 * 16 + 1];	/* TASK_COMM_LEN bytes, each at worst \xNN */

	_Static_assert(sizeof(safe) + sizeof("[4294967295]") <= KVS_NAME_LEN,
		       "a sanitized comm[tgid] fits a name");
	if (comm_len > 16)
		comm_len = 16;
	kvs_sanitize(safe, sizeof(safe), comm, comm_len);
	snprintf(buf, len, "%s[%u]", safe, tgid);
}
