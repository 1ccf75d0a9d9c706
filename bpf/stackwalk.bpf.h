/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Estimate mode's callers without unwinding (included by vmap.bpf.c only):
 * from the first return address above the tracepoint's arguments, each
 * return address kvshadowtop has learned (tools/kvshadowtop/attribution/stackwalk.c,
 * from raw stacks this file sends with their full unwind) says how far the
 * next one is, until one returns into the caller to blame. An unknown
 * address means a full unwind, and a raw copy to learn from.
 */
#ifndef KVS_STACKWALK_BPF_H
#define KVS_STACKWALK_BPF_H

#include "kvshadow.bpf.h"

/* The stack walk's knowledge: return address -> frame (kvshadowtop learns it). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);	/* memory per known frame, not up front */
	__uint(max_entries, KVS_MAX_FRAMES);
	__type(key, __u64);
	__type(value, struct kvs_frame);
} frames SEC(".maps");

/*
 * Raw stacks of events the walk could not name, to learn from: ~60 of
 * 2 KiB, once per distinct path, drained as it fills. One that finds
 * no room is counted (learn_lost) and sent again at the path's next event.
 */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 17);
} learn_events SEC(".maps");

/* Stack ids already sent to learn from: one raw copy per distinct path. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, KVS_MAX_STACKS);
	__type(key, __s32);
	__type(value, __u8);
} learned SEC(".maps");

/* Set by kvshadowtop: bytes from ctx to the first return address (0: not known yet). */
__u32 walk_start;
/* Set by kvshadowtop (KVSHADOW_VERIFY_WALK): every Nth walked caller is also unwound. */
__u32 walk_verify;
__u32 walk_seq;

/*
 * An address as a number. The verifier keeps a pointer's type through
 * casts; copying its bytes gives the plain value, for arithmetic that is
 * only ever used to read the stack through bpf_probe_read_kernel().
 */
static __always_inline __u64 address_of(const void *p)
{
	__u64 v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), &p);
	return v;
}

/*
 * The caller, found without unwinding: from the first return address
 * above the tracepoint's arguments (ctx, on bpf_trace_run*'s frame), each
 * known return address says how far the next one is, until one returns
 * into the function to attribute to. Any unknown address: 0, unwind.
 */
static __always_inline __u64 walk_caller(void *ctx)
{
	__u64 base = address_of(ctx), ra = 0;
	__u32 off = walk_start, slack = 0;

	if (!off)
		return 0;
	for (int i = 0; i < KVS_WALK_MAX; i++) {
		struct kvs_frame *f = NULL;

		/* The next return address: at off, or a few slots above (slack). */
		for (__u32 s = 0; s <= KVS_WALK_SLACK && s <= slack; s += sizeof(ra)) {
			if (off + s > KVS_RAW_STACK - sizeof(ra) ||
			    bpf_probe_read_kernel(&ra, sizeof(ra), (void *)(base + off + s)))
				return 0;
			f = bpf_map_lookup_elem(&frames, &ra);
			if (f) {
				off += s;
				break;
			}
		}
		if (!f || f->poison)
			return 0;
		if (f->caller)
			return ra;
		slack = f->slack;
		off += f->step;
	}
	return 0;
}

/* A raw copy of the stack above ctx, once per distinct path, for kvshadowtop to learn. */
static __always_inline void learn(void *ctx, __s32 stackid)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u64 base = address_of(ctx), top;
	struct kvs_learn_event *l;
	__u8 one = 1;
	__u32 len;

	if (stackid < 0 || bpf_map_lookup_elem(&learned, &stackid))
		return;
	/* Up to the saved user registers at the top of the task's stack, no further. */
	top = address_of((const void *)bpf_task_pt_regs(task));
	if (top <= base + 64)
		return;
	len = top - base > KVS_RAW_STACK ? KVS_RAW_STACK : top - base;
	l = bpf_ringbuf_reserve(&learn_events, sizeof(*l), 0);
	if (!l) {
		count(learn_lost, 1);
		return;
	}
	l->stackid = stackid;
	l->len = len;
	/* Bounds the verifier can follow. */
	len &= 2 * KVS_RAW_STACK - 1;
	if (len > KVS_RAW_STACK)
		len = KVS_RAW_STACK;
	if (bpf_probe_read_kernel(l->raw, len, (void *)base)) {
		bpf_ringbuf_discard(l, 0);
		return;
	}
	bpf_map_update_elem(&learned, &stackid, &one, BPF_NOEXIST);
	bpf_ringbuf_submit(l, 0);
}

#endif /* KVS_STACKWALK_BPF_H */
