// SPDX-License-Identifier: GPL-2.0
/*
 * Estimate mode's exact seed where /proc/vmallocinfo hides the addresses
 * (kernel.kptr_restrict=0): the kernel's own lists of vmap areas, read by
 * a program kvshadowtop runs once (BPF_PROG_RUN) and throws away. The
 * same areas /proc/vmallocinfo prints: the live ones ("busy") and the
 * lazily freed ones waiting for a purge ("lazy").
 *
 *   6.9 and later: vmap_nodes[nr_vmap_nodes], each with a busy and a lazy
 *                  list (struct rb_list's head);
 *   before:        vmap_area_list and purge_vmap_area_list (6.1 merges
 *                  lazily freed neighbours into one entry, as it prints).
 *
 * The addresses come from kallsyms (data symbols: CONFIG_KALLSYMS_ALL,
 * shown to root unless kptr_restrict=2), the layouts from the running
 * kernel's BTF. The lists are read without the kernel's locks: a list
 * that changes under the walk can end it early (a removed entry's
 * poisoned pointer faults) or show an area twice; kvshadowtop checks the
 * result and walks again, and the events that come after reconcile the
 * model as they do after a /proc/vmallocinfo read.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "kvshadow.h"

char LICENSE[] SEC("license") = "GPL";

/* Settings, written by kvshadowtop before load. */
const volatile __u64 vmap_nodes_sym = 0;	/* &vmap_nodes (a pointer) */
const volatile __u64 nr_vmap_nodes_sym = 0;	/* &nr_vmap_nodes (unsigned int) */
const volatile __u64 busy_list_sym = 0;		/* before vmap nodes: &vmap_area_list */
const volatile __u64 lazy_list_sym = 0;		/* and &purge_vmap_area_list */
const volatile __u32 max_areas = 1;		/* entries of va_out */

/* The result: n areas in va_out, or err. */
struct kvs_va_walk_result walk;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct kvs_va_rec);
	__uint(max_entries, 1);		/* max_areas, set before load */
} va_out SEC(".maps");

/* The walk's own programs (their ids, set before kvs_vmap_walk_own runs). */
__u32 own_prog_ids[2];

/* The walk in progress, between bpf_loop steps. */
static __u64 nodes_base, node_stride;
static __u32 nr_lists, list;
static __u64 head, pos;

#define EFAULT 14
#define E2BIG 7
#define ENOENT 2

static __always_inline int read_ptr(__u64 addr, __u64 *v)
{
	return bpf_probe_read_kernel(v, sizeof(*v), (void *)addr) ? -EFAULT : 0;
}

/* The head of list k: node k / 2's busy (even) or lazy (odd) list, or the two globals. */
static __always_inline __u64 list_head_of(__u32 k)
{
	struct vmap_node *vn;

	if (!nodes_base)
		return k ? lazy_list_sym : busy_list_sym;
	if (!bpf_core_type_exists(struct vmap_node))
		return 0;
	vn = (struct vmap_node *)(nodes_base + (__u64)(k / 2) * node_stride);
	return k & 1 ? (__u64)&vn->lazy.head : (__u64)&vn->busy.head;
}

static int step(__u32 i, void *ctx)
{
	struct vmap_area *va;
	struct kvs_va_rec *rec;
	__u32 n = walk.n;

	if (!pos) {
		/* The next list: its first entry. */
		if (list >= nr_lists)
			return 1;
		head = list_head_of(list);
		if (!head) {
			walk.err = -ENOENT;
			return 1;
		}
		if (read_ptr(head, &pos)) {
			walk.err = -EFAULT;
			return 1;
		}
	}
	if (pos == head) {
		/* This list is done. */
		list++;
		pos = 0;
		return 0;
	}
	rec = bpf_map_lookup_elem(&va_out, &n);
	if (!rec) {
		walk.err = -E2BIG;
		return 1;
	}
	va = (struct vmap_area *)(pos - bpf_core_field_offset(struct vmap_area, list));
	if (bpf_core_read(&rec->start, sizeof(rec->start), &va->va_start) ||
	    bpf_core_read(&rec->end, sizeof(rec->end), &va->va_end) ||
	    read_ptr(pos, &pos)) {
		walk.err = -EFAULT;
		return 1;
	}
	rec->lazy = list & 1;
	rec->list = list;
	walk.n = n + 1;
	return 0;
}

/*
 * Where the walk's own programs live (a struct bpf_prog heads its own
 * vmalloc'd area): run once before the walk, so that it can leave them
 * out. Its maps it finds by their addresses (kvs_vmap_walk below).
 */
SEC("?iter/bpf_prog")
int kvs_vmap_walk_own(struct bpf_iter__bpf_prog *ctx)
{
	struct bpf_prog *prog = ctx->prog;
	__u32 id;

	if (!prog)
		return 0;
	id = BPF_CORE_READ(prog, aux, id);
	if (id && id == own_prog_ids[0])
		walk.own[3] = (__u64)prog;
	else if (id && id == own_prog_ids[1])
		walk.own[4] = (__u64)prog;
	return 0;
}

SEC("?raw_tp")
int kvs_vmap_walk(void *ctx)
{
	__u32 nr = 0;

	walk.n = 0;
	walk.err = 0;
	walk.own[0] = (__u64)&va_out;
	walk.own[1] = (__u64)&walk;
	walk.own[2] = (__u64)&max_areas;
	list = 0;
	pos = 0;
	nodes_base = 0;
	if (vmap_nodes_sym) {
		if (read_ptr(vmap_nodes_sym, &nodes_base) ||
		    bpf_probe_read_kernel(&nr, sizeof(nr), (void *)nr_vmap_nodes_sym)) {
			walk.err = -EFAULT;
			return 0;
		}
		node_stride = bpf_core_type_size(struct vmap_node);
		nr_lists = 2 * nr;
	} else {
		nr_lists = lazy_list_sym ? 2 : 1;
	}
	/* Every area and every list's end is one step; twice what fits is plenty. */
	bpf_loop(2 * max_areas + 2 * nr_lists + 2, step, NULL, 0);
	if (!walk.err && list < nr_lists)
		walk.err = -E2BIG;
	return 0;
}
