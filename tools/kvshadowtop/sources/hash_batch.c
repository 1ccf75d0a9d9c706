// SPDX-License-Identifier: GPL-2.0
/* A BPF hash map read whole with BPF_MAP_LOOKUP_BATCH (hash_batch.h). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include <bpf/bpf.h>

#include "hash_batch.h"

static int grow(struct kvs_hash_batch *h, size_t cap)
{
	void *k = realloc(h->keys, cap * h->key_size);

	if (!k)
		return -ENOMEM;
	h->keys = k;
	k = realloc(h->vals, cap * h->val_size);
	if (!k)
		return -ENOMEM;
	h->vals = k;
	h->cap = cap;
	return 0;
}

int kvs_hash_batch_init(struct kvs_hash_batch *h, int fd)
{
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info);
	int err = bpf_obj_get_info_by_fd(fd, &info, &len);

	*h = (struct kvs_hash_batch){ .fd = -1 };
	if (err)
		return err;
	h->fd = fd;
	h->key_size = info.key_size;
	h->val_size = info.value_size;
	/* The token is a bucket index for a hash map (a u32); a key's size fits any map's. */
	h->token = malloc(h->key_size > sizeof(uint64_t) ? h->key_size : sizeof(uint64_t));
	if (!h->token || !h->key_size || grow(h, KVS_HASH_BATCH_CHUNK)) {
		kvs_hash_batch_free(h);
		return -ENOMEM;
	}
	return 0;
}

void kvs_hash_batch_begin(struct kvs_hash_batch *h)
{
	h->started = false;
	h->done = false;
}

int kvs_hash_batch_next(struct kvs_hash_batch *h, size_t *n)
{
	*n = 0;
	while (!h->done) {
		__u32 count = h->cap;
		int err = bpf_map_lookup_batch(h->fd, h->started ? h->token : NULL, h->token,
					       h->keys, h->vals, &count, NULL);

		/*
		 * A call returns whole buckets only: ENOSPC when the next one
		 * holds more entries than there is room for (then none):
		 * retry with room for twice as many.
		 */
		if (err == -ENOSPC && !count) {
			err = grow(h, 2 * h->cap);
			if (err)
				return err;
			continue;
		}
		if (err && err != -ENOENT)
			return err;
		h->started = true;
		/* ENOENT: the map's last entries, if any, are these. */
		h->done = err == -ENOENT || !count;
		*n = count;
		break;
	}
	return 0;
}

void kvs_hash_batch_free(struct kvs_hash_batch *h)
{
	free(h->keys);
	free(h->vals);
	free(h->token);
	h->keys = h->vals = h->token = NULL;
	h->cap = 0;
	h->fd = -1;
}
