/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvshadowstat's --prom-file: the families one reading of the debugfs file
 * can fill, with kvshadow_info{mode="debugfs"}. No histograms, no callers.
 */
#ifndef KVSHADOW_PROM_DEBUGFS_H
#define KVSHADOW_PROM_DEBUGFS_H

#include <stdint.h>

#include "kvshadow_prom.h"
#include "vmalloc_shadow.h"

/*
 * Counters are the kernel's own (since boot); vmalloc_used NULL leaves
 * kvshadow_vmalloc_used_bytes and the overhead ratio out.
 */
void kvshadow_prom_from_debugfs(struct kvshadow_prom *p,
				const struct vmalloc_shadow *vs,
				uint64_t page_size, const uint64_t *vmalloc_used);

/*
 * One interval of kvshadowstat --prom-file: reads VmallocUsed itself
 * (leaving it out if /proc/meminfo cannot say), fills, replaces af's file.
 * 0, or a negative errno with a message in err.
 */
int kvshadow_prom_debugfs_write(struct atomicfile *af,
				const struct vmalloc_shadow *vs,
				uint64_t page_size, char *err, size_t errlen);

#endif
