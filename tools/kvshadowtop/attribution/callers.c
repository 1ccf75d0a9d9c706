// SPDX-License-Identifier: GPL-2.0
/* Naming callers (see callers.h). */
#include "callers.h"
#include "clock.h"

#include <errno.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpf/libbpf.h>

#include "rows.h"
#include "kvshadow.skel.h"
#include "sanitize.h"
#include "stackwalk.h"

void kvs_callers_init(struct kvs_callers *c, struct kvs_bpf_skel *skel)
{
	memset(c, 0, sizeof(*c));
	c->skel = skel;
}

/*
 * The kallsyms snapshot, loaded when a caller is first named, not at
 * start: reading it delays the first screen, which names no caller.
 */
static bool ksyms_ready(struct kvs_callers *c)
{
	if (!c->ksyms_tried) {
		c->ksyms_tried = true;
		c->have_ksyms = !ksyms_load(NULL, &c->ksyms, c->ksyms_why, sizeof(c->ksyms_why));
		c->ksyms_loaded = kvs_mono_s();
	}
	return c->have_ksyms;
}

void kvs_callers_prepare(struct kvs_callers *c)
{
	(void)ksyms_ready(c);
}

bool kvs_callers_unnamed(const struct kvs_callers *c)
{
	return c->ksyms_tried && !c->have_ksyms;
}

void kvs_callers_free(struct kvs_callers *c)
{
	tdestroy(c->ip_names, free);
	c->ip_names = NULL;
	for (size_t i = 0; i < KVS_MAX_STACKS; i++) {
		free(c->stack_names[i]);
		c->stack_names[i] = NULL;
	}
	ksyms_free(&c->ksyms);
	c->have_ksyms = false;
	c->ksyms_tried = false;
}

/*
 * Our kallsyms snapshot again, when it met code it did not know (a module
 * loaded after it), at most once a second.
 */
static void refresh_ksyms(struct kvs_callers *c)
{
	double now = kvs_mono_s();
	struct ksyms fresh;

	if (now - c->ksyms_loaded < 1)
		return;
	c->ksyms_loaded = now;
	if (ksyms_load(NULL, &fresh, c->ksyms_why, sizeof(c->ksyms_why)))
		return;
	ksyms_free(&c->ksyms);
	c->ksyms = fresh;
	c->have_ksyms = true;
}

/* The caller a stack id stands for; cached, ids are stable (no REUSE_STACKID). */
static const char *stack_caller(struct kvs_callers *c, __s32 id)
{
	__u64 ips[KVS_STACK_DEPTH] = { 0 };
	char name[KVS_NAME_LEN], safe[KVS_NAME_LEN];
	int ret;

	if (id < 0 || id >= KVS_MAX_STACKS)
		return "unknown";
	if (c->stack_names[id])
		return c->stack_names[id];
	if (!ksyms_ready(c))
		return "unknown";
	if (bpf_map__lookup_elem(c->skel->maps.stacks, &id, sizeof(id), ips, sizeof(ips), 0))
		return "unknown";
	ret = kvs_caller_name(&c->ksyms, (const uint64_t *)ips, KVS_STACK_DEPTH, name, sizeof(name));
	if (ret == -ESTALE) {
		refresh_ksyms(c);
		ret = kvs_caller_name(&c->ksyms, (const uint64_t *)ips, KVS_STACK_DEPTH, name,
				      sizeof(name));
	}
	/* Still unknown code: its module is gone. "unknown" now, maybe named later. */
	if (ret == -ESTALE)
		return "unknown";
	c->stack_names[id] = strdup(kvs_sanitize(safe, sizeof(safe), name, sizeof(name)));
	return c->stack_names[id] ? c->stack_names[id] : "unknown";
}

/*
 * The caller the kernel recorded (vm->caller): the function holding that
 * address, as the BPF side named it at the event ("%ps"), else from our
 * kallsyms snapshot.
 */
struct ip_name {
	__u64 ip;
	char name[KVS_NAME_LEN];
};

static int cmp_ip(const void *a, const void *b)
{
	const struct ip_name *x = a, *y = b;

	return x->ip < y->ip ? -1 : x->ip > y->ip;
}

/*
 * The caller the kernel recorded (vm->caller): the function holding that
 * address, as the BPF side named it at the event ("%ps"), else from our
 * kallsyms snapshot. Once per address: estimate mode asks per event.
 */
const char *kvs_callers_ip(struct kvs_callers *c, __u64 ip)
{
	struct ip_name key = { .ip = ip }, *e, **slot;
	struct kvs_caller_name n;
	char name[KVS_NAME_LEN];

	slot = tfind(&key, &c->ip_names, cmp_ip);
	if (slot)
		return (*slot)->name;
	if (!bpf_map__lookup_elem(c->skel->maps.caller_names, &ip, sizeof(ip), &n, sizeof(n), 0)) {
		snprintf(name, sizeof(name), "%.*s", (int)sizeof(n.name), n.name);
	} else if (!ksyms_ready(c)) {
		return "unknown";
	} else if (kvs_caller_name_ip(&c->ksyms, ip, name, sizeof(name)) == -ESTALE) {
		refresh_ksyms(c);
		/* Its module may be gone: "unknown" this time, not remembered. */
		if (kvs_caller_name_ip(&c->ksyms, ip, name, sizeof(name)))
			return "unknown";
	}
	e = malloc(sizeof(*e));
	if (!e)
		return "unknown";
	e->ip = ip;
	kvs_sanitize(e->name, sizeof(e->name), name, sizeof(name));
	if (!tsearch(e, &c->ip_names, cmp_ip)) {
		free(e);
		return "unknown";
	}
	return e->name;
}

/* A caller key's name: the kernel's caller where it was read, else the stack's. */
const char *kvs_callers_name(struct kvs_callers *c, __u64 ip, __s32 stackid)
{
	return ip ? kvs_callers_ip(c, ip) : stack_caller(c, stackid);
}

/* ---- the stack walk: frame sizes learned from full unwinds ---- */

static bool frame_internal(void *ctx, uint64_t ip)
{
	struct kvs_callers *c = ctx;
	int r = kvs_frame_internal(&c->ksyms, ip);

	if (r < 0)
		c->ksyms_stale = true;
	return r != 0;
}

/* A frame the walk must not trust any more: it unwinds whenever it meets it. */
static void poison(struct kvs_callers *c, uint64_t ra)
{
	struct kvs_frame f = { .poison = 1 };

	if (!bpf_map__update_elem(c->skel->maps.frames, &ra, sizeof(ra), &f, sizeof(f), 0))
		c->walk.poisoned++;
}

/* What the walk knows of ra, merged with one more pass over it; false: it cannot. */
static bool merge_frame(struct kvs_frame *old, const struct kvs_walk_frame *w)
{
	uint32_t lo = old->step, hi = old->step + old->slack;

	if (old->caller != w->caller)
		return false;
	if (w->caller)
		return true;
	lo = w->step < lo ? w->step : lo;
	hi = w->step > hi ? w->step : hi;
	if (hi - lo > KVS_WALK_SLACK)
		return false;
	old->step = lo;
	old->slack = (__u16)(hi - lo);
	return true;
}

/* One raw stack with its full unwind: what the walk learns from it. */
int kvs_callers_learn(void *ctx, void *data, size_t size)
{
	struct kvs_callers *c = ctx;
	const struct kvs_learn_event *l = data;
	struct kvs_walk_frame out[KVS_WALK_MAX];
	__u64 ips[KVS_STACK_DEPTH] = { 0 };
	uint32_t *start = &c->skel->bss->walk_start, first = 0;
	size_t n;

	if (size < sizeof(*l) || !ksyms_ready(c) || l->len > KVS_RAW_STACK ||
	    bpf_map__lookup_elem(c->skel->maps.stacks, &l->stackid, sizeof(l->stackid), ips,
				 sizeof(ips), 0))
		return 0;
	c->ksyms_stale = false;
	if (kvs_walk_learn((const uint64_t *)ips, KVS_STACK_DEPTH, l->raw, l->len, frame_internal,
			   c, &first, out, KVS_WALK_MAX, &n) || c->ksyms_stale || !first)
		return 0;
	if (*start && *start != first) {
		/* The tracepoint's frame cannot move: this copy saw something else. */
		c->walk.conflicts++;
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		struct kvs_frame f = { .step = out[i].step, .caller = out[i].caller };
		__u64 ra = out[i].ra;

		if (!bpf_map__lookup_elem(c->skel->maps.frames, &ra, sizeof(ra), &f, sizeof(f), 0)) {
			struct kvs_frame was = f;

			if (f.poison)
				continue;
			if (!merge_frame(&f, &out[i])) {
				c->walk.conflicts++;
				poison(c, ra);
			} else if (memcmp(&f, &was, sizeof(f))) {
				(void)bpf_map__update_elem(c->skel->maps.frames, &ra, sizeof(ra),
							   &f, sizeof(f), BPF_EXIST);
			}
			continue;
		}
		if (!bpf_map__update_elem(c->skel->maps.frames, &ra, sizeof(ra), &f, sizeof(f),
					  BPF_NOEXIST))
			c->walk.frames++;
	}
	c->walk.paths++;
	__atomic_store_n(start, first, __ATOMIC_RELEASE);
	return 0;
}

/* kvs_caller_fn for the estimate's events; walked callers are checked when unwound too. */
const char *kvs_callers_event(void *ctx, uint64_t ip, int32_t stackid, uint32_t flags)
{
	struct kvs_callers *c = ctx;
	const char *walked, *unwound;

	if (flags & KVS_CALLER_KERNEL)
		return kvs_callers_ip(c, ip);
	if (!(flags & KVS_CALLER_WALKED))
		return flags & KVS_CALLER_STACK ? stack_caller(c, stackid) : "unknown";
	walked = kvs_callers_ip(c, ip);
	if (!(flags & KVS_CALLER_STACK))
		return walked;
	unwound = stack_caller(c, stackid);
	c->walk.verified++;
	if (strcmp(walked, unwound)) {
		/* The unwinder is the reference: trust it, and stop walking there. */
		c->walk.mismatches++;
		poison(c, ip);
		return unwound;
	}
	return walked;
}

