/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Naming callers: the kernel's own caller address (named by BPF with %ps,
 * else from our kallsyms snapshot), a stack id (the first frame outside the
 * vmalloc, KASAN, tracing and BPF internals), and estimate mode's stack
 * walk, which learns frame sizes from full unwinds (stackwalk.h). Every
 * name is sanitized, resolved once and remembered.
 */
#ifndef KVS_CALLERS_H
#define KVS_CALLERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/types.h>

#include "kvshadow.h"
#include "ksyms.h"
#include "snapshot.h"

struct kvs_bpf_skel;

struct kvs_callers {
	struct kvs_bpf_skel *skel;
	struct ksyms ksyms;
	bool ksyms_tried;			/* loaded on first use */
	bool have_ksyms;
	double ksyms_loaded;		/* CLOCK_MONOTONIC of the snapshot */
	char ksyms_why[KVS_WHY_LEN];
	char *stack_names[KVS_MAX_STACKS];	/* caller of each stack id, resolved once */
	void *ip_names;				/* tsearch tree of struct ip_name */
	struct kvs_walk_stats walk;		/* estimate mode's stack walk */
	bool ksyms_stale;			/* a frame of the path being learned */
};

/*
 * Callers for skel's maps. The kallsyms snapshot is loaded when a caller
 * is first named; its absence is a note in ksyms_why, not an error.
 */
void kvs_callers_init(struct kvs_callers *c, struct kvs_bpf_skel *skel);
/* Load the kallsyms snapshot now if not yet tried (after the first screen). */
void kvs_callers_prepare(struct kvs_callers *c);
/* True once naming was tried and kallsyms could not be read (ksyms_why says why). */
bool kvs_callers_unnamed(const struct kvs_callers *c);
void kvs_callers_free(struct kvs_callers *c);
/* The caller of a caller key: the kernel's address where set, else the stack's. */
const char *kvs_callers_name(struct kvs_callers *c, __u64 ip, __s32 stackid);
/* The function holding ip, "unknown" when it cannot be named. */
const char *kvs_callers_ip(struct kvs_callers *c, __u64 ip);
/* kvs_caller_fn for estimate mode's events (ctx: the struct kvs_callers). */
const char *kvs_callers_event(void *ctx, uint64_t ip, int32_t stackid, uint32_t flags);
/* ring_buffer_sample_fn for the raw stacks the walk learns from (ctx: the struct kvs_callers). */
int kvs_callers_learn(void *ctx, void *data, size_t size);

#endif /* KVS_CALLERS_H */
