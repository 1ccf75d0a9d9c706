/* SPDX-License-Identifier: GPL-2.0 */
/* Load the BPF objects of bpf/ (one skeleton) with what the kernel supports (kernel_probe.h), attach. */
#ifndef KVS_LOADER_H
#define KVS_LOADER_H

#include <stdbool.h>
#include <stddef.h>

#include "snapshot.h"

struct kvs_bpf_skel;
struct bpf_link;
struct kvs_options;

#define KVS_MAX_LINKS 24

struct bpf_program;

struct kvs_bpf {
	struct kvs_bpf_skel *skel;
	struct bpf_link *links[KVS_MAX_LINKS];
	size_t nr_links;
	bool hist_available[KVS_NR_HISTS];
	const char *hist_source[KVS_NR_HISTS];	/* "tracepoint", "fentry" */
	char hist_why[KVS_NR_HISTS][KVS_WHY_LEN];
	bool vmalloc_events;			/* vmalloc:* attached (vmap_area_* counters) */
	char vmalloc_why[KVS_WHY_LEN];
	bool kernel_callers;			/* callers from vm->caller (fentry on alloc_vmap_area) */
	bool slow;				/* --slow records: vmalloc fentry/fexit attached */
	bool purges_traced;			/* purges in flight are seen (fentry): their cost, stalls */
	char slow_why[KVS_WHY_LEN];		/* why not, when --slow was asked for */
	char callers_why[KVS_WHY_LEN];		/* why not, when not: callers from stacks */
	bool no_attribution;			/* KVSHADOW_NO_ATTRIBUTION: no caller/process rows */
	bool stock_from_event;			/* stock: populate calls from vmalloc:alloc_vmap_area */
	struct bpf_program *mode_progs[6];	/* fentry/fexit the mode needs, ends first */
	size_t nr_mode_progs;
	char method[KVS_WHY_LEN];		/* how the mode measures on this kernel ("": as its name says) */
	bool kasan_vmalloc;			/* the kernel maps shadow for vmalloc (KASAN_VMALLOC) */
};

/*
 * Load and attach for mode (exact or estimate) as the options ask:
 * --no-fentry (no vmalloc latency, callers from stacks only), --slow.
 * Returns 0, or -errno with a message in err: -EPERM/-EACCES when BPF is
 * not permitted (main falls back to debugfs mode), -ENOENT when the kernel
 * lacks what the mode needs.
 */
int kvs_bpf_open(struct kvs_bpf *b, enum kvs_mode mode, const struct kvs_options *o,
		 char *err, size_t errlen);
/*
 * The rows a list of callers or of processes keeps (the BPF maps of exact
 * and stock mode, estimate mode's rows in userspace): KVS_MAX_CALLERS, or
 * KVSHADOW_ROWS for tests of a full list. 0, or -EINVAL with err.
 */
int kvs_rows_bound(unsigned int *rows, char *err, size_t errlen);

/* Destroy every link, then the programs and maps. Safe twice. */
void kvs_bpf_close(struct kvs_bpf *b);

#endif /* KVS_LOADER_H */
