// SPDX-License-Identifier: GPL-2.0
/*
 * Where kvshadowtop's own maps and programs keep their memory, so that
 * the shadow of that memory can be told from the system's (a BPF map's
 * data and a program are vmalloc'd, and vmalloc'd memory has shadow
 * under KASAN_VMALLOC). Iterators over every BPF map and program
 * (iter/bpf_map, iter/bpf_prog, each run once and closed) write, for
 * those whose ids kvshadowtop listed, the kernel addresses their memory
 * may live at: the map itself (arrays, stack maps: one allocation with
 * their data), a hash's buckets and preallocated elements, a stack map's
 * elements, a ring buffer's pages (vmap'd), the program itself.
 * kvshadowtop keeps those that fall in a vmap area; one kmalloc'd falls
 * in none.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "kvshadow.h"

char LICENSE[] SEC("license") = "GPL";

/* Settings, written by kvshadowtop before load: the ids of its maps and programs. */
const volatile __u32 map_ids[KVS_SELF_MAX_MAPS] = {};
const volatile __u32 nr_map_ids = 0;
const volatile __u32 prog_ids[KVS_SELF_MAX_PROGS] = {};
const volatile __u32 nr_prog_ids = 0;

static __always_inline bool ours(__u32 id)
{
	for (__u32 i = 0; i < KVS_SELF_MAX_MAPS && i < nr_map_ids; i++)
		if (map_ids[i] == id)
			return true;
	return false;
}

static __always_inline bool our_prog(__u32 id)
{
	for (__u32 i = 0; i < KVS_SELF_MAX_PROGS && i < nr_prog_ids; i++)
		if (prog_ids[i] == id)
			return true;
	return false;
}

static __always_inline void put(struct seq_file *seq, const void *p)
{
	__u64 v = (__u64)p;

	if (v)
		bpf_seq_write(seq, &v, sizeof(v));
}

SEC("iter/bpf_map")
int kvs_self_maps(struct bpf_iter__bpf_map *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct bpf_map *map = ctx->map;

	if (!map || !ours(BPF_CORE_READ(map, id)))
		return 0;
	put(seq, map);
	switch (BPF_CORE_READ(map, map_type)) {
	case BPF_MAP_TYPE_HASH:
		put(seq, BPF_CORE_READ((struct bpf_htab *)map, buckets));
		put(seq, BPF_CORE_READ((struct bpf_htab *)map, elems));
		break;
	case BPF_MAP_TYPE_STACK_TRACE:
		put(seq, BPF_CORE_READ((struct bpf_stack_map *)map, elems));
		break;
	case BPF_MAP_TYPE_RINGBUF:
		put(seq, BPF_CORE_READ((struct bpf_ringbuf_map *)map, rb));
		break;
	default:
		break;
	}
	return 0;
}

/* A program's struct bpf_prog heads its own vmalloc'd area (bpf_prog_alloc()). */
SEC("iter/bpf_prog")
int kvs_self_progs(struct bpf_iter__bpf_prog *ctx)
{
	struct bpf_prog *prog = ctx->prog;

	if (prog && our_prog(BPF_CORE_READ(prog, aux, id)))
		put(ctx->meta->seq, prog);
	return 0;
}
