// SPDX-License-Identifier: GPL-2.0
/*
 * Another tool's BPF programs on the functions kvshadowtop watches: an
 * fentry and a kprobe on vmalloc, an fexit on alloc_vmap_area and a
 * stack-taking tp_btf on its event. Their trampolines and kprobe frames
 * sit on the same stacks kvshadowtop's programs see; the caller test
 * (tests/vm/callers.sh) checks the callers stay right with them attached.
 * The vmalloc function is named at run time (foreign.c): it is
 * __vmalloc_node_range on kernels before memory allocation profiling.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

__u64 hits;

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 1024);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, 32 * sizeof(__u64));
} foreign_stacks SEC(".maps");

SEC("fentry")
int BPF_PROG(foreign_vmalloc_entry)
{
	__sync_fetch_and_add(&hits, 1);
	return 0;
}

SEC("kprobe")
int BPF_KPROBE(foreign_vmalloc_kprobe)
{
	__sync_fetch_and_add(&hits, 1);
	return 0;
}

SEC("fexit/alloc_vmap_area")
int BPF_PROG(foreign_area_exit)
{
	__sync_fetch_and_add(&hits, 1);
	return 0;
}

SEC("tp_btf/alloc_vmap_area")
int BPF_PROG(foreign_area_tp)
{
	bpf_get_stackid(ctx, &foreign_stacks, 0);
	__sync_fetch_and_add(&hits, 1);
	return 0;
}
