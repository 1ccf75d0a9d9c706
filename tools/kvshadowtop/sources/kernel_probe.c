// SPDX-License-Identifier: GPL-2.0
/*
 * Probes of the running kernel, before anything loads: which tracepoints
 * tracefs or the kernel BTF has, which functions and struct members the
 * BTF has, whether fentry loads at all. libbpf-tools keeps such checks in
 * trace_helpers.c; loader.c enables the programs from their answers.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "kernel_probe.h"

bool kvs_tracefs_has(const char *sys, const char *event)
{
	static const char *const roots[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	char path[256];

	for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
		snprintf(path, sizeof(path), "%s/events/%s/%s", roots[i], sys, event);
		if (!access(path, F_OK))
			return true;
	}
	return false;
}

bool kvs_btf_has(const struct btf *btf, const char *name, int kind)
{
	return btf && btf__find_by_name_kind(btf, name, kind) >= 0;
}

bool kvs_btf_has_tp(const struct btf *btf, const char *event)
{
	char name[128];

	snprintf(name, sizeof(name), "btf_trace_%s", event);
	return kvs_btf_has(btf, name, BTF_KIND_TYPEDEF);
}

static bool btf_has_member(const struct btf *btf, const char *type, const char *member)
{
	int id = btf ? btf__find_by_name_kind(btf, type, BTF_KIND_STRUCT) : -1;
	const struct btf_type *t = id >= 0 ? btf__type_by_id(btf, id) : NULL;
	const struct btf_member *m;

	if (!t)
		return false;
	m = btf_members(t);
	for (int i = 0; i < btf_vlen(t); i++, m++)
		if (!strcmp(btf__name_by_offset(btf, m->name_off), member))
			return true;
	return false;
}

/*
 * alloc_vmap_area(..., struct vm_struct *vm): 6.9 and later pass the
 * vm_struct whose caller the programs read; older kernels do not.
 */
const char *kvs_area_caller_func(const struct btf *btf)
{
	int id = btf ? btf__find_by_name_kind(btf, "alloc_vmap_area", BTF_KIND_FUNC) : -1;
	const struct btf_type *fn, *proto;
	const struct btf_param *p;

	if (id < 0 || !btf__find_by_name_kind(btf, "vm_struct", BTF_KIND_STRUCT))
		return NULL;
	fn = btf__type_by_id(btf, id);
	proto = fn ? btf__type_by_id(btf, fn->type) : NULL;
	if (!proto || !btf_is_func_proto(proto) || btf_vlen(proto) != 8)
		return NULL;
	p = btf_params(proto) + 7;
	return !strcmp(btf__name_by_offset(btf, p->name_off), "vm") ? "alloc_vmap_area" : NULL;
}

/* Why this kernel cannot run stock mode (NULL: it can, if fentry is allowed). */
const char *kvs_stock_unsupported(const struct btf *btf)
{
#ifndef __x86_64__
	return "stock mode reads x86_64 page tables only";
#endif
	if (!btf)
		return "no kernel BTF";
	if (!btf_has_member(btf, "vmalloc_populate_data", "pages"))
		return "the kernel BTF has no struct vmalloc_populate_data with pages[] "
		       "(no KASAN_VMALLOC, or a kernel older than 6.12)";
	if (!kvs_btf_has(btf, "apply_to_page_range", BTF_KIND_FUNC) ||
	    !kvs_btf_has(btf, "apply_to_existing_page_range", BTF_KIND_FUNC))
		return "no apply_to_page_range/apply_to_existing_page_range in the kernel BTF";
	if (!kvs_btf_has(btf, "alloc_vmap_area", BTF_KIND_FUNC))
		return "no alloc_vmap_area in the kernel BTF";
	return NULL;
}

bool kvs_stock_from_event(const struct btf *btf)
{
	return kvs_area_caller_func(btf) && kvs_btf_has_tp(btf, "alloc_vmap_area");
}

/*
 * The kernel BTF is megabytes to parse: the automatic mode choice keeps
 * its parse for the kvs_bpf_open() that follows, which takes it over.
 */
static struct btf *kept_btf;

struct btf *kvs_vmlinux_btf(void)
{
	struct btf *btf = kept_btf;

	kept_btf = NULL;
	return btf ? btf : btf__load_vmlinux_btf();
}

void kvs_vmlinux_btf_drop(void)
{
	btf__free(kept_btf);
	kept_btf = NULL;
}

enum kvs_mode kvs_bpf_best_mode(void)
{
	if (kvs_tracefs_has("kasan", "kasan_vmalloc_populate"))
		return KVS_MODE_EXACT;
	if (!kept_btf)
		kept_btf = btf__load_vmlinux_btf();
	return kvs_btf_has_tp(kept_btf, "kasan_vmalloc_populate") ? KVS_MODE_EXACT :
	       !kvs_stock_unsupported(kept_btf) ? KVS_MODE_STOCK : KVS_MODE_ESTIMATE;
}

/*
 * Whether the kernel loads an fentry program on func: a two-instruction
 * program answers in a millisecond what a refused skeleton load answers
 * after a second parse of the kernel BTF. 0 or -errno.
 */
int kvs_fentry_probe(const struct btf *btf, const char *func)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int id = btf__find_by_name_kind(btf, func, BTF_KIND_FUNC);
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_TRACE_FENTRY);
	int fd;

	if (id < 0)
		return 0;	/* nothing to ask about: the pairs skip func themselves */
	opts.attach_btf_id = (__u32)id;
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "kvs_probe", "GPL", insns, 2, &opts);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}
