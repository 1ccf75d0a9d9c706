// SPDX-License-Identifier: GPL-2.0
/* From the debugfs counters (struct vmalloc_shadow) to kvshadow families. */
#include "kvshadow_prom_debugfs.h"

#include "meminfo.h"

void kvshadow_prom_from_debugfs(struct kvshadow_prom *p,
				const struct vmalloc_shadow *vs,
				uint64_t page_size, const uint64_t *vmalloc_used)
{
	*p = (struct kvshadow_prom){ .mode = "debugfs" };
	kvshadow_prom_set(p, KVSHADOW_SHADOW_BYTES, vs->shadow_pages * page_size);
	kvshadow_prom_set(p, KVSHADOW_SHADOW_PEAK_BYTES,
			  vs->shadow_pages_peak * page_size);
	kvshadow_prom_set(p, KVSHADOW_POPULATED_BYTES,
			  vs->pages_populated * page_size);
	kvshadow_prom_set(p, KVSHADOW_RELEASED_BYTES,
			  vs->pages_released * page_size);
	kvshadow_prom_set(p, KVSHADOW_POPULATE_CALLS, vs->populate_calls);
	kvshadow_prom_set(p, KVSHADOW_POPULATE_FAILURES, vs->populate_failures);
	kvshadow_prom_set(p, KVSHADOW_RELEASE_CALLS, vs->release_calls);
	if (vmalloc_used)
		kvshadow_prom_set(p, KVSHADOW_VMALLOC_USED_BYTES, *vmalloc_used);
}

int kvshadow_prom_debugfs_write(struct atomicfile *af,
				const struct vmalloc_shadow *vs,
				uint64_t page_size, char *err, size_t errlen)
{
	struct kvshadow_prom p;
	uint64_t used;
	/* Missing VmallocUsed costs two families, not the whole file. */
	int have_used = !meminfo_vmalloc_used(NULL, &used, err, errlen);

	kvshadow_prom_from_debugfs(&p, vs, page_size, have_used ? &used : NULL);
	return kvshadow_prom_write(af, &p, NULL, err, errlen);
}
