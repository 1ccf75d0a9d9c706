/* SPDX-License-Identifier: GPL-2.0 */
/* Probes of the running kernel: what it has for the BPF programs (kernel_probe.c). */
#ifndef KVS_KERNEL_PROBE_H
#define KVS_KERNEL_PROBE_H

#include <stdbool.h>

#include "modes.h"

struct btf;

/* The event sys:event in tracefs (/sys/kernel/tracing or under debugfs). */
bool kvs_tracefs_has(const char *sys, const char *event);
/* A type name of kind (BTF_KIND_*) in btf; false without btf. */
bool kvs_btf_has(const struct btf *btf, const char *name, int kind);
/* The tp_btf flavour of event: btf_trace_<event> in btf. */
bool kvs_btf_has_tp(const struct btf *btf, const char *event);
/* "alloc_vmap_area" when it takes the struct vm_struct *vm the callers come from, else NULL. */
const char *kvs_area_caller_func(const struct btf *btf);
/* Why this kernel cannot run stock mode (NULL: it can, if fentry is allowed). */
const char *kvs_stock_unsupported(const struct btf *btf);
/*
 * Stock mode's populate calls from the vmalloc:alloc_vmap_area event and
 * callers from alloc_vmap_area()'s vm (6.12 on); false: from fentry on
 * alloc_vmap_area and the stack (6.1).
 */
bool kvs_stock_from_event(const struct btf *btf);

/* The kernel BTF: the parse kvs_bpf_best_mode() kept, else a new one. NULL: none. */
struct btf *kvs_vmlinux_btf(void);
/* Free a kept parse nobody took over. */
void kvs_vmlinux_btf_drop(void);

/* Whether the kernel loads an fentry program on func. 0 or -errno. */
int kvs_fentry_probe(const struct btf *btf, const char *func);

/*
 * The best mode this kernel looks able to run, for the automatic choice:
 * exact where the kasan:* tracepoints of our series exist (tracefs or
 * btf_trace_kasan_vmalloc_populate in the kernel BTF), else stock where
 * KASAN_VMALLOC's populate data, apply_to_*page_range and alloc_vmap_area
 * are in the kernel BTF (whether fentry is allowed shows only when
 * loading), else estimate.
 */
enum kvs_mode kvs_bpf_best_mode(void);

#endif /* KVS_KERNEL_PROBE_H */
