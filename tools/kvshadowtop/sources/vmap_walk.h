/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Estimate mode's exact seed where /proc/vmallocinfo hides the addresses:
 * the kernel's own lists of vmap areas, read once by a BPF program
 * (bpf/vmapwalk.bpf.c) that is loaded for the walk and closed after it.
 */
#ifndef KVS_VMAP_WALK_H
#define KVS_VMAP_WALK_H

#include <stddef.h>
#include <stdint.h>

typedef int (*kvs_va_fn)(void *arg, uint64_t start, uint64_t end, int lazy);

/*
 * Calls fn for every vmap area the kernel lists now but the walk's own
 * (its maps' and programs', gone once it is done): [start, end), lazy
 * when it was freed and waits for a purge. hint: about how many there are
 * (the area lines of /proc/vmallocinfo); room is made for twice as many.
 * Returns 0, fn's first non-zero return, or -errno with err: -ENOENT when
 * kallsyms shows no address of the lists (no CONFIG_KALLSYMS_ALL, or
 * kernel.kptr_restrict=2), -EAGAIN when every walk met a list changing
 * under it.
 */
int kvs_vmap_walk(size_t hint, kvs_va_fn fn, void *arg, char *err, size_t errlen);

#endif /* KVS_VMAP_WALK_H */
