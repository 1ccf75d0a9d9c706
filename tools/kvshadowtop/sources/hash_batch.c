// SPDX-License-Identifier: GPL-2.0
/* A BPF hash map read whole with BPF_MAP_LOOKUP_BATCH (hash_batch.h). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include <bpf/bpf.h>

#include "hash_batch.h"

int kvs_hash_batch_init(struct kvs_hash_batch *h, int fd)
{
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info);
	int err = bpf_obj_get_info_by_fd(fd, &info, &len);

	*h = (struct kvs_hash_batch){ .fd = -1 };
	if (err)
		return err;
	*h = (struct kvs_hash_batch){
		.fd = fd,
		.key_size = info.key_size,
		.val_size = info.value_size,
		.max = info.max_entries,
	};
	/*
	 * malloc, not calloc: the pages the kernel never fills stay
	 * unbacked. The token is a bucket index for a hash map (a u32);
	 * a key's size leaves room for any map type's.
	 */
	h->keys = malloc(h->max * h->key_size);
	h->vals = malloc(h->max * h->val_size);
	h->token = malloc(h->key_size > sizeof(uint64_t) ? h->key_size : sizeof(uint64_t));
	if (!h->max || !h->keys || !h->vals || !h->token) {
		kvs_hash_batch_free(h);
		return -ENOMEM;
	}
	return 0;
}

int kvs_hash_batch_read(struct kvs_hash_batch *h, size_t *n)
{
	void *in = NULL;

	*n = 0;
	/*
	 * With room for max_entries one call returns the whole map (ENOENT:
	 * the end). A call stops early at a bucket that does not fit in the
	 * room left, so go on from its token with what is left; ENOSPC (not
	 * even one bucket fits) cannot happen with room for every entry, and
	 * is reported if it does.
	 */
	while (*n < h->max) {
		__u32 count = h->max - *n;
		int err = bpf_map_lookup_batch(h->fd, in, h->token, (char *)h->keys + *n * h->key_size,
					       (char *)h->vals + *n * h->val_size, &count, NULL);

		if (err && err != -ENOENT)
			return err;
		*n += count;
		if (err)
			break;
		in = h->token;
	}
	return 0;
}

void kvs_hash_batch_free(struct kvs_hash_batch *h)
{
	free(h->keys);
	free(h->vals);
	free(h->token);
	h->keys = h->vals = h->token = NULL;
	h->fd = -1;
}
