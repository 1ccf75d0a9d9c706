/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every entry of a BPF hash map in a few BPF_MAP_LOOKUP_BATCH calls, not
 * two syscalls a row (get_next_key, lookup): with a thousand caller rows
 * those were most of an interval's work (bench/scale callers). Read
 * without deleting, as everywhere in the tool.
 */
#ifndef KVS_HASH_BATCH_H
#define KVS_HASH_BATCH_H

#include <stddef.h>

struct kvs_hash_batch {
	int fd;				/* the map's (not owned) */
	void *keys, *vals;		/* max_entries of each, touched as filled */
	void *token;			/* the kernel's position between calls */
	size_t key_size, val_size, max;
};

/* For the hash map FD: its sizes, buffers for max_entries. 0 or -errno. */
int kvs_hash_batch_init(struct kvs_hash_batch *h, int fd);
/*
 * The map now into h->keys and h->vals: *n entries, key i at
 * keys + i * key_size. 0 or -errno (not -ENOENT: that is the end).
 */
int kvs_hash_batch_read(struct kvs_hash_batch *h, size_t *n);
void kvs_hash_batch_free(struct kvs_hash_batch *h);

static inline const void *kvs_hash_batch_key(const struct kvs_hash_batch *h, size_t i)
{
	return (const char *)h->keys + i * h->key_size;
}

static inline const void *kvs_hash_batch_val(const struct kvs_hash_batch *h, size_t i)
{
	return (const char *)h->vals + i * h->val_size;
}

#endif /* KVS_HASH_BATCH_H */
