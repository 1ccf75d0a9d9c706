/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every entry of a BPF hash map in a few BPF_MAP_LOOKUP_BATCH calls, not
 * two syscalls a row (get_next_key, lookup): with a thousand caller rows
 * those were most of an interval's work (bench/scale callers). In chunks
 * of KVS_HASH_BATCH_CHUNK entries, so that the buffers stay small. Read
 * without deleting, as everywhere in the tool.
 */
#ifndef KVS_HASH_BATCH_H
#define KVS_HASH_BATCH_H

#include <stdbool.h>
#include <stddef.h>

#define KVS_HASH_BATCH_CHUNK 64

struct kvs_hash_batch {
	int fd;				/* the map's (not owned) */
	void *keys, *vals;		/* room for cap entries */
	void *token;			/* the kernel's position between calls */
	size_t key_size, val_size, cap;
	bool started, done;
};

/* For the hash map FD: its sizes, buffers for a chunk. 0 or -errno. */
int kvs_hash_batch_init(struct kvs_hash_batch *h, int fd);
/* A read of the whole map starts: kvs_hash_batch_next returns it. */
void kvs_hash_batch_begin(struct kvs_hash_batch *h);
/*
 * The next entries into h->keys and h->vals: *n of them (0: the read is
 * over), key i at kvs_hash_batch_key(h, i). 0 or -errno.
 */
int kvs_hash_batch_next(struct kvs_hash_batch *h, size_t *n);
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
