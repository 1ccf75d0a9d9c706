/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The observer's share of the shadow: the shadow pages that only
 * kvshadowtop's own BPF maps keep mapped (their data is vmalloc'd, and
 * under KASAN_VMALLOC vmalloc'd memory has shadow), so that a user can
 * tell the system's shadow from the tool's.
 */
#ifndef KVS_SELF_SHADOW_H
#define KVS_SELF_SHADOW_H

#include <stddef.h>
#include <stdint.h>

struct bpf_object;

/*
 * The shadow pages that the vmap areas holding the maps and programs of
 * obj (and the maps inside its maps of maps) touch and no other live
 * area does, now: the shadow that is there for them alone. Unloading
 * them and a purge unmaps those wholly inside their areas; those they
 * cover in part stay (the kernel's purge releases no more). Each shadow page
 * covers span bytes of vmalloc space (PAGE_SIZE << 3). The areas come from
 * /proc/vmallocinfo where it shows addresses, else from the kernel's vmap
 * lists (vmap_walk.h). Returns 0 with *pages, or -errno with err.
 */
int kvs_self_shadow(struct bpf_object *obj, uint64_t span, uint64_t *pages,
		    char *err, size_t errlen);

#endif /* KVS_SELF_SHADOW_H */
