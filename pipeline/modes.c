// SPDX-License-Identifier: GPL-2.0
/* The mode table (see modes.h). */
#include "modes.h"

const struct kvs_mode_info kvs_modes[KVS_NR_MODES] = {
	[KVS_MODE_EXACT] = {
		.name = "exact", .label = "exact (kasan tracepoints)", .estimate = false,
		.source = "kasan:* tracepoints (kvshadow-patched KASAN kernel)",
		.note = NULL, .prom = "kvshadow kernel counters",
	},
	[KVS_MODE_STOCK] = {
		.name = "stock", .label = "stock kernel: from page tables + fentry", .estimate = false,
		.source = "page tables + fentry (unpatched KASAN_VMALLOC kernel)",
		.note = "stock kernel: from page tables + fentry",
		.prom = "an unpatched KASAN kernel's page tables and fentry",
	},
	[KVS_MODE_ESTIMATE] = {
		.name = "estimate", .label = "ESTIMATE (modelled, not measured)", .estimate = true,
		.source = "model what KASAN_VMALLOC would map, any kernel",
		.note = "estimate: what KASAN_VMALLOC would map",
		.prom = "modelled from vmalloc tracepoints on a kernel without KASAN_VMALLOC",
	},
	[KVS_MODE_DEBUGFS] = {
		.name = "debugfs", .label = "debugfs (counters only)", .estimate = false,
		.source = "counters only, no BPF", .note = NULL, .prom = "kernel counters only",
	},
};

const char *kvs_mode_name(enum kvs_mode mode)
{
	return (unsigned int)mode < KVS_NR_MODES ? kvs_modes[mode].name : "unknown";
}

const char *kvs_mode_label(enum kvs_mode mode)
{
	return (unsigned int)mode < KVS_NR_MODES ? kvs_modes[mode].label : "?";
}

kvs_counter_mask kvs_mode_known(enum kvs_mode mode)
{
	switch (mode) {
	case KVS_MODE_EXACT:
		return KVS_ALL_COUNTERS;
	case KVS_MODE_STOCK:
		/*
		 * Page allocation, failures and the release calls themselves
		 * happen inside notrace KASAN code; so do the purged areas' sizes.
		 */
		return KVS_ALL_COUNTERS & ~(KVS_BIT(KVS_ID_pages_allocated) |
					    KVS_BIT(KVS_ID_populate_failures) |
					    KVS_BIT(KVS_ID_release_calls) |
					    KVS_BIT(KVS_ID_vmap_area_purged_bytes));
	case KVS_MODE_ESTIMATE:
		/* The vmalloc tracepoints cannot see a populate that would have failed. */
		return KVS_ALL_COUNTERS & ~KVS_BIT(KVS_ID_populate_failures);
	case KVS_MODE_DEBUGFS:
		return KVS_DEBUGFS_COUNTERS;
	case KVS_NR_MODES:
		break;
	}
	return 0;
}

int kvs_modes_usage(FILE *f, const char *indent)
{
	for (unsigned int i = 0; i < KVS_NR_MODES; i++)
		if (fprintf(f, "%s%s: %s\n", i ? indent : "", kvs_modes[i].name,
			    kvs_modes[i].source) < 0)
			return -1;
	return fprintf(f, "%s(default: the first of these the kernel supports)\n", indent) < 0 ?
		-1 : 0;
}
