// SPDX-License-Identifier: GPL-2.0
/* The counter table as data (see kvs_counters.h). */
#include "counters.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(KVS_NR_COUNTERS <= 64, "kvs_counter_mask has 64 bits");

#define KVS_X_INFO(n, t, u, d, s, p, h) \
	[KVS_ID_##n] = { #n, KVS_##t, KVS_UNIT_##u, d, s, p, h },
const struct kvs_counter_info kvs_counter_info[KVS_NR_COUNTERS] = {
	KVS_COUNTERS(KVS_X_INFO)
};
#undef KVS_X_INFO

/* The debugfs keys must be the first rows: the file's order is the table's. */
#define KVS_X_CHECK(n, t, u, d, s, p, h) \
	_Static_assert(!(d) || (int)KVS_ID_##n < (int)KVS_NR_DEBUGFS, \
		       #n " is a debugfs key after a non-debugfs row"); \
	_Static_assert(offsetof(struct kvs_counters, n) == KVS_ID_##n * sizeof(uint64_t), \
		       #n " is not element KVS_ID_" #n " of struct kvs_counters");
KVS_COUNTERS(KVS_X_CHECK)
#undef KVS_X_CHECK

int kvs_counter_find(const char *name, size_t len)
{
	for (size_t i = 0; i < KVS_NR_COUNTERS; i++)
		if (strlen(kvs_counter_info[i].name) == len &&
		    !memcmp(kvs_counter_info[i].name, name, len))
			return (int)i;
	return -1;
}

int64_t kvs_delta(uint64_t prev, uint64_t cur)
{
	if (cur >= prev)
		return cur - prev > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)(cur - prev);
	return prev - cur > (uint64_t)INT64_MAX ? INT64_MIN : -(int64_t)(prev - cur);
}

uint64_t kvs_pages_to_bytes(uint64_t pages, uint64_t page_size)
{
	uint64_t bytes;

	return __builtin_mul_overflow(pages, page_size, &bytes) ? UINT64_MAX : bytes;
}

void kvs_kv_free(struct kvs_kv *kv, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		free(kv[i].key);
	free(kv);
}

int kvs_kv_dup(struct kvs_kv **dst, const struct kvs_kv *src, size_t nr)
{
	struct kvs_kv *kv;

	*dst = NULL;
	if (!nr)
		return 0;
	kv = calloc(nr, sizeof(*kv));
	if (!kv)
		return -ENOMEM;
	for (size_t i = 0; i < nr; i++) {
		kv[i].value = src[i].value;
		kv[i].key = strdup(src[i].key);
		if (!kv[i].key) {
			kvs_kv_free(kv, i);
			return -ENOMEM;
		}
	}
	*dst = kv;
	return 0;
}
