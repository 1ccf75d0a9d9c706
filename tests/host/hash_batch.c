// SPDX-License-Identifier: GPL-2.0
/*
 * kvs_hash_batch (tools/kvshadowtop/sources/hash_batch.c) against the
 * kernel's own hash maps: every entry exactly once, with its value, from
 * an empty map, a map of one, maps filled to max_entries with the
 * callers' and the processes' key and value (buckets of several entries
 * among them), preallocated or not, read in chunks, and read twice. Needs root (BPF
 * maps): tests/host/hash_batch.sh runs it.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <bpf/bpf.h>

#include "hash_batch.h"
#include "kvshadow.h"

static int make_map(uint32_t key_size, uint32_t val_size, uint32_t max, uint32_t flags)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = flags);
	int fd = bpf_map_create(BPF_MAP_TYPE_HASH, "kvs_test", key_size, val_size, max, &o);

	assert_true(fd >= 0);
	return fd;
}

/* Caller i's key and value: distinct, and the value tells the key. */
static void caller(uint32_t i, struct kvs_caller_key *k, struct kvs_attr_val *v)
{
	memset(k, 0, sizeof(*k));
	memset(v, 0, sizeof(*v));
	k->ip = 0xffffffffa0000000ull + 11ull * i;	/* kvshadow_callers-like addresses */
	k->stackid = (int32_t)(i % 7) - 1;
	v->pages_populated = i;
	v->populate_calls = 3ull * i + 1;
	v->vmalloc_ns[i % KVS_ROW_SLOTS] = i + 5;
	v->populate_ns[(i + 1) % KVS_ROW_SLOTS] = i + 9;
}

/*
 * Every entry of H's map, chunk by chunk, into KEYS and VALS (room for
 * MAX): the number read; each chunk at most KVS_HASH_BATCH_CHUNK.
 */
static size_t read_all(struct kvs_hash_batch *h, void *keys, void *vals, size_t max)
{
	size_t got = 0, n = 0;

	kvs_hash_batch_begin(h);
	while (1) {
		assert_int_equal(kvs_hash_batch_next(h, &n), 0);
		if (!n)
			break;
		assert_true(n <= KVS_HASH_BATCH_CHUNK);
		assert_true(got + n <= max);
		memcpy((char *)keys + got * h->key_size, h->keys, n * h->key_size);
		memcpy((char *)vals + got * h->val_size, h->vals, n * h->val_size);
		got += n;
	}
	/* Over: it stays over until the next begin. */
	assert_int_equal(kvs_hash_batch_next(h, &n), 0);
	assert_int_equal(n, 0);
	return got;
}

/* Read FD, which holds callers 0 to N - 1: each once, values right, twice. */
static void check_callers(int fd, uint32_t n)
{
	struct kvs_hash_batch h;
	size_t room = n + 1;
	struct kvs_caller_key *keys = calloc(room, sizeof(*keys));
	struct kvs_attr_val *vals = calloc(room, sizeof(*vals));
	uint8_t *seen = calloc(room, 1);

	assert_true(keys && vals && seen);
	assert_int_equal(kvs_hash_batch_init(&h, fd), 0);
	for (int pass = 0; pass < 2; pass++) {
		size_t got = read_all(&h, keys, vals, room);

		memset(seen, 0, room);
		assert_int_equal(got, n);
		for (size_t j = 0; j < got; j++) {
			struct kvs_caller_key wk;
			struct kvs_attr_val wv;
			uint32_t i = (uint32_t)vals[j].pages_populated;

			assert_true(i < n);
			assert_false(seen[i]);
			seen[i] = 1;
			caller(i, &wk, &wv);
			assert_memory_equal(&keys[j], &wk, sizeof(wk));
			assert_memory_equal(&vals[j], &wv, sizeof(wv));
		}
	}
	kvs_hash_batch_free(&h);
	free(keys);
	free(vals);
	free(seen);
}

/* A map shaped as the tool's callers map, MAX entries, callers 0 to N - 1 in it. */
static int callers_map(uint32_t max, uint32_t flags, uint32_t n)
{
	int fd = make_map(sizeof(struct kvs_caller_key), sizeof(struct kvs_attr_val), max, flags);

	for (uint32_t i = 0; i < n; i++) {
		struct kvs_caller_key k;
		struct kvs_attr_val v;

		caller(i, &k, &v);
		assert_int_equal(bpf_map_update_elem(fd, &k, &v, BPF_NOEXIST), 0);
	}
	return fd;
}

static void test_empty(void **state)
{
	int fd = callers_map(KVS_MAX_CALLERS, BPF_F_NO_PREALLOC, 0);

	(void)state;
	check_callers(fd, 0);
	close(fd);
}

static void test_one(void **state)
{
	int fd = callers_map(1, BPF_F_NO_PREALLOC, 1);

	(void)state;
	check_callers(fd, 1);
	close(fd);
}

/* The callers map as the tool makes it, full: what bench/scale callers reaches. */
static void test_full(void **state)
{
	int fd = callers_map(KVS_MAX_CALLERS, BPF_F_NO_PREALLOC, KVS_MAX_CALLERS);
	struct kvs_caller_key k;
	struct kvs_attr_val v;

	(void)state;
	/* Full: the kernel refuses one more, which the BPF side counts as dropped. */
	caller(KVS_MAX_CALLERS, &k, &v);
	assert_int_equal(bpf_map_update_elem(fd, &k, &v, BPF_NOEXIST), -E2BIG);
	check_callers(fd, KVS_MAX_CALLERS);
	close(fd);
}

/* Preallocated, partly filled, an odd size. */
static void test_prealloc(void **state)
{
	int fd = callers_map(1000, 0, 777);

	(void)state;
	check_callers(fd, 777);
	close(fd);
}

/* The processes map's shape: a key of 20 bytes. */
static void test_processes(void **state)
{
	int fd = make_map(sizeof(struct kvs_process_key), sizeof(struct kvs_attr_val), KVS_MAX_PROCESSES,
			  BPF_F_NO_PREALLOC);
	struct kvs_hash_batch h;
	struct kvs_process_key keys[301];
	struct kvs_attr_val vals[301];
	size_t got = 0;
	uint32_t sum = 0;

	(void)state;
	for (uint32_t i = 1; i <= 300; i++) {
		struct kvs_process_key k = { .tgid = i };
		struct kvs_attr_val v = { .populate_calls = i };

		memcpy(k.comm, "vmload", 7);
		assert_int_equal(bpf_map_update_elem(fd, &k, &v, BPF_NOEXIST), 0);
	}
	assert_int_equal(kvs_hash_batch_init(&h, fd), 0);
	got = read_all(&h, keys, vals, 301);
	assert_int_equal(got, 300);
	for (size_t j = 0; j < got; j++) {
		assert_int_equal(vals[j].populate_calls, keys[j].tgid);
		assert_string_equal(keys[j].comm, "vmload");
		sum += keys[j].tgid;
	}
	assert_int_equal(sum, 300 * 301 / 2);
	kvs_hash_batch_free(&h);
	close(fd);
}

/* Not a map: the error, nothing allocated. */
static void test_bad_fd(void **state)
{
	struct kvs_hash_batch h;

	(void)state;
	assert_true(kvs_hash_batch_init(&h, -1) < 0);
	assert_null(h.keys);
	kvs_hash_batch_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_one),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_prealloc),
		cmocka_unit_test(test_processes),
		cmocka_unit_test(test_bad_fd),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
