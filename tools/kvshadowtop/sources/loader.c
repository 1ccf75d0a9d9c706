// SPDX-License-Identifier: GPL-2.0
/*
 * Load and attach. One binary for every kernel: each BPF program is
 * optional and enabled here only when the kernel has its attach point
 * (kernel_probe.c asks);
 * fentry/fexit (latency) are tried and dropped when the kernel refuses
 * them (EPERM on hosts that forbid them), the rest goes on without.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "kvshadow.h"
#include "kvshadow.skel.h"
#include "kernel_probe.h"
#include "loader.h"
#include "ksyms.h"
#include "numparse.h"
#include "options.h"
#include "errmsg.h"

/* libbpf's own messages only with KVSHADOW_DEBUG set: probing failures are expected. */
static int print_fn(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	static int debug = -1;

	if (debug < 0)
		debug = getenv("KVSHADOW_DEBUG") != NULL;
	return debug ? vfprintf(stderr, fmt, ap) : 0;
}

/* Enable the tp_btf or the classic flavour of one event; false when neither exists. */
static bool pick_tp(const struct btf *btf, const char *sys, const char *event,
		    struct bpf_program *btf_prog, struct bpf_program *tp_prog)
{
	if (kvs_btf_has_tp(btf, event)) {
		bpf_program__set_autoload(btf_prog, true);
		return true;
	}
	if (kvs_tracefs_has(sys, event)) {
		bpf_program__set_autoload(tp_prog, true);
		return true;
	}
	return false;
}

/* An fentry/fexit pair: a latency histogram, or (hist < 0) the caller of alloc_vmap_area. */
struct fentry_pair {
	int hist;
	struct bpf_program *entry, *exit;
	const char *func;
};

#define PAIR_CALLER (-1)
#define MAX_PAIRS 5

/* The first of two names this kernel's BTF has as a function, or NULL. */
static const char *first_func(const struct btf *btf, const char *name, const char *older)
{
	if (kvs_btf_has(btf, name, BTF_KIND_FUNC))
		return name;
	return kvs_btf_has(btf, older, BTF_KIND_FUNC) ? older : NULL;
}

static int attach_one(struct kvs_bpf *b, struct bpf_program *p)
{
	struct bpf_link *l;

	if (b->nr_links == KVS_MAX_LINKS)
		return -E2BIG;
	l = bpf_program__attach(p);
	if (!l)
		return -errno;
	b->links[b->nr_links++] = l;
	return 0;
}

static void mark_absent(struct kvs_bpf *b, enum kvs_hist_id h, const char *fmt, ...)
{
	va_list ap;

	b->hist_available[h] = false;
	b->hist_source[h] = NULL;
	va_start(ap, fmt);
	vsnprintf(b->hist_why[h], sizeof(b->hist_why[h]), fmt, ap);
	va_end(ap);
}

/* Stock mode's kernel symbols (bpf/kvshadow.h), from /proc/kallsyms. */
static int stock_ksyms(volatile struct kvs_ksyms *k, char *err, size_t errlen)
{
#define KVS_X_NAME(name) #name,
	static const char *const names[] = { KVS_STOCK_KSYMS(KVS_X_NAME) };
#undef KVS_X_NAME
	uint64_t addrs[sizeof(names) / sizeof(names[0])];
	__u64 *out = (__u64 *)k;
	char why[256] = "";

	_Static_assert(sizeof(addrs) == sizeof(*k), "one address per symbol");
	if (ksyms_find(NULL, names, addrs, sizeof(names) / sizeof(names[0]), why, sizeof(why)))
		return kvs_err(err, errlen, -ENOENT, "%s", why);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		out[i] = addrs[i];
	return 0;
}

/*
 * Stock mode's fentry/fexit programs, ends before starts (see the fentry
 * pairs below), attached before the tracepoints: it counts nothing without
 * every one. from_event: the kernel has the vmalloc:alloc_vmap_area event
 * and alloc_vmap_area()'s vm (kvs_stock_from_event()). Returns how many.
 */
static size_t stock_progs(struct kvs_bpf_skel *s, bool from_event, struct bpf_program **p)
{
	size_t n = 0;

	p[n++] = from_event ? s->progs.kvs_stock_area_exit : s->progs.kvs_stock_area_exit_stack;
	p[n++] = s->progs.kvs_stock_pop_exit;
	p[n++] = s->progs.kvs_stock_depop_exit;
	p[n++] = s->progs.kvs_stock_pop_entry;
	p[n++] = s->progs.kvs_stock_depop_entry;
	if (!from_event)
		p[n++] = s->progs.kvs_stock_area_entry;
	return n;
}

/*
 * Estimate mode on a kernel without the vmalloc:* events (6.1): the same
 * moments from fentry/fexit on the functions that would fire them
 * (bpf/vmap.bpf.c), the allocation's end first.
 */
static int estimate_from_fentry(struct kvs_bpf *b, const struct btf *btf, bool try_fentry,
				char *err, size_t errlen)
{
	static const char *const funcs[] = { "alloc_vmap_area", "free_vmap_area_noflush",
					     "__purge_vmap_area_lazy" };
	struct kvs_bpf_skel *s = b->skel;

	if (!try_fentry)
		return kvs_err(err, errlen, -ENOENT,
			       "estimate mode needs the vmalloc:alloc_vmap_area, free_vmap_area_noflush "
			       "and purge_vmap_area_lazy tracepoints, or fentry/fexit on their "
			       "functions, which this kernel refuses or --no-fentry forbids");
	for (size_t i = 0; i < sizeof(funcs) / sizeof(funcs[0]); i++)
		if (!kvs_btf_has(btf, funcs[i], BTF_KIND_FUNC))
			return kvs_err(err, errlen, -ENOENT,
				       "estimate mode: this kernel has neither the vmalloc:* "
				       "tracepoints nor %s() in its BTF", funcs[i]);
	b->mode_progs[b->nr_mode_progs++] = s->progs.kvs_alloc_va_exit;
	b->mode_progs[b->nr_mode_progs++] = s->progs.kvs_free_va_exit;
	b->mode_progs[b->nr_mode_progs++] = s->progs.kvs_free_va_entry;
	b->mode_progs[b->nr_mode_progs++] = s->progs.kvs_purge_entry_all;
	for (size_t i = 0; i < b->nr_mode_progs; i++)
		bpf_program__set_autoload(b->mode_progs[i], true);
	snprintf(b->method, sizeof(b->method), "%s",
		 "vmap areas from fentry on alloc_vmap_area, free_vmap_area_noflush and "
		 "__purge_vmap_area_lazy (no vmalloc events)");
	return 0;
}

/*
 * Each map as big as this mode can use: the tool's maps are kernel memory
 * (vmalloc'd, so shadowed under KASAN), counted by bench/footprint. libbpf
 * creates every map of the skeleton, so one that the mode never touches
 * keeps a single entry (a page for a ring buffer).
 */
static int size_maps(struct kvs_bpf_skel *s, enum kvs_mode mode, const struct kvs_options *o,
		     bool try_fentry, char *err, size_t errlen)
{
	const unsigned int page = (unsigned int)sysconf(_SC_PAGESIZE);
	const bool estimate = mode == KVS_MODE_ESTIMATE;
	const char *ring_env = getenv("KVSHADOW_RING_BYTES");
	const char *stacks_env = getenv("KVSHADOW_STACKS");
	uint64_t stacks;
	unsigned int rows;
	int ret;
	const struct {
		struct bpf_map *map;
		bool unused;
		unsigned int size;
	} unused[] = {
		/* Only estimate mode's events go through a ring, and only its walk learns. */
		{ s->maps.area_events, !estimate, page },
		{ s->maps.learn_events, !estimate, page },
		{ s->maps.frames, !estimate, 1 },
		{ s->maps.learned, !estimate, 1 },
		/* Estimate mode attributes in userspace, from its ring's records. */
		{ s->maps.callers, estimate, 1 },
		{ s->maps.processes, estimate, 1 },
		/* Latency needs fentry, the slow-call log --slow and fentry. */
		{ s->maps.starts, !try_fentry, 1 },
		{ s->maps.slow_events, !o->slow_set || !try_fentry, page },
	};
	unsigned long ring;

	for (size_t i = 0; i < sizeof(unused) / sizeof(unused[0]); i++)
		if (unused[i].unused && bpf_map__set_max_entries(unused[i].map, unused[i].size))
			return kvs_err(err, errlen, -EINVAL, "sizing the unused map %s failed",
				       bpf_map__name(unused[i].map));
	ret = kvs_rows_bound(&rows, err, errlen);
	if (ret)
		return ret;
	if (!estimate && (bpf_map__set_max_entries(s->maps.callers, rows) ||
			  bpf_map__set_max_entries(s->maps.processes, rows)))
		return kvs_err(err, errlen, -EINVAL, "sizing the caller and process maps failed");
	/* KVSHADOW_STACKS: fewer stacks than KVS_MAX_STACKS (tests of a full stack map). */
	if (stacks_env && (kvs_parse_u64(stacks_env, 1, KVS_MAX_STACKS, &stacks) ||
			   bpf_map__set_max_entries(s->maps.stacks, (unsigned int)stacks)))
		return kvs_err(err, errlen, -EINVAL,
			       "KVSHADOW_STACKS must be a count from 1 to %d, not '%s'",
			       KVS_MAX_STACKS, stacks_env);
	/* KVSHADOW_RING_BYTES starts the estimate's ring at another size (tests of its growth). */
	ring = estimate && ring_env ? strtoul(ring_env, NULL, 0) : 0;
	if (ring && bpf_map__set_max_entries(s->maps.area_events, (unsigned int)ring))
		return kvs_err(err, errlen, -EINVAL,
			       "sizing the ring buffer to %lu bytes failed (a power of "
			       "two, at least a page)", ring);
	return 0;
}

int kvs_rows_bound(unsigned int *rows, char *err, size_t errlen)
{
	const char *env = getenv("KVSHADOW_ROWS");
	uint64_t v = KVS_MAX_CALLERS;

	_Static_assert(KVS_MAX_CALLERS == KVS_MAX_PROCESSES, "one bound for both lists");
	if (env && kvs_parse_u64(env, 1, KVS_MAX_CALLERS, &v))
		return kvs_err(err, errlen, -EINVAL, "KVSHADOW_ROWS must be a count from 1 to %d, "
			       "not '%s'", KVS_MAX_CALLERS, env);
	*rows = (unsigned int)v;
	return 0;
}

static int open_skel(struct kvs_bpf *b, const struct btf *btf, enum kvs_mode mode,
		     const struct kvs_options *o, bool try_fentry, struct fentry_pair *pairs,
		     size_t *nr_pairs, char *err, size_t errlen)
{
	struct kvs_bpf_skel *s;
	bool exact = mode == KVS_MODE_EXACT;
	const char *vfunc;
	int ret;
	const char *verify_env = getenv("KVSHADOW_VERIFY_WALK");
	uint64_t verify = 0;

	s = kvs_bpf_skel__open();
	if (!s)
		return kvs_err(err, errlen, -errno, "opening the BPF object: %s", strerror(errno));
	b->skel = s;
	b->nr_mode_progs = 0;
	b->method[0] = '\0';
	s->rodata->estimate_events = mode == KVS_MODE_ESTIMATE;
	s->rodata->tp_duration = exact;
	ret = size_maps(s, mode, o, try_fentry, err, errlen);
	if (ret)
		return ret;
	/* KVSHADOW_VERIFY_WALK=N: every Nth walked caller is unwound too, to check it. */
	if (verify_env && kvs_parse_u64(verify_env, 0, 1000000, &verify))
		return kvs_err(err, errlen, -EINVAL,
			       "KVSHADOW_VERIFY_WALK must be a count from 0 to 1000000, not '%s'",
			       verify_env);
	s->bss->walk_verify = (__u32)verify;
	/*
	 * KVSHADOW_NO_ATTRIBUTION=1: no caller or process rows, so that
	 * bench/ can put a price on them (each mode's own baseline).
	 */
	b->no_attribution = getenv("KVSHADOW_NO_ATTRIBUTION") != NULL;
	s->rodata->attribution = !b->no_attribution;

	if (mode == KVS_MODE_STOCK) {
		const char *why = kvs_stock_unsupported(btf);

		if (!why && !try_fentry)
			why = o->no_fentry ? "it needs fentry/fexit (--no-fentry was given)" :
			      "this kernel refuses fentry/fexit, which it needs";
		if (why)
			return kvs_err(err, errlen, -ENOENT, "%s", why);
		ret = stock_ksyms(&s->rodata->ksyms, err, errlen);
		if (ret)
			return ret;
		s->rodata->stock_mode = true;
		b->stock_from_event = kvs_stock_from_event(btf);
		snprintf(b->method, sizeof(b->method), "%s",
			 b->stock_from_event ?
			 "calls from vmalloc events, callers from vm->caller" :
			 "calls from alloc_vmap_area fentry, callers from stacks (no vmalloc events)");
		bpf_program__set_autoload(s->progs.kvs_pt_walk, true);
		bpf_program__set_autoload(s->progs.kvs_stock_area_tp, b->stock_from_event);
		b->nr_mode_progs = stock_progs(s, b->stock_from_event, b->mode_progs);
		for (size_t i = 0; i < b->nr_mode_progs; i++)
			bpf_program__set_autoload(b->mode_progs[i], true);
	}
	if (exact) {
		if (!pick_tp(btf, "kasan", "kasan_vmalloc_populate", s->progs.kvs_populate_btf,
			     s->progs.kvs_populate_tp) ||
		    !pick_tp(btf, "kasan", "kasan_vmalloc_release", s->progs.kvs_release_btf,
			     s->progs.kvs_release_tp))
			return kvs_err(err, errlen, -ENOENT,
				       "this kernel has no kasan:kasan_vmalloc_* tracepoints "
				       "(not a kvshadow-patched KASAN kernel): use --mode estimate");
	}
	b->vmalloc_events =
		pick_tp(btf, "vmalloc", "alloc_vmap_area", s->progs.kvs_alloc_va_btf,
			s->progs.kvs_alloc_va_tp) &
		pick_tp(btf, "vmalloc", "free_vmap_area_noflush", s->progs.kvs_free_va_btf,
			s->progs.kvs_free_va_tp) &
		pick_tp(btf, "vmalloc", "purge_vmap_area_lazy", s->progs.kvs_purge_btf,
			s->progs.kvs_purge_tp);
	if (!b->vmalloc_events) {
		snprintf(b->vmalloc_why, sizeof(b->vmalloc_why),
			 "this kernel lacks the vmalloc:* tracepoints");
		if (mode == KVS_MODE_ESTIMATE) {
			ret = estimate_from_fentry(b, btf, try_fentry, err, errlen);
			if (ret)
				return ret;
		}
	}

	/* Latency: the kernel's own duration_ns in exact mode, fentry otherwise. */
	vfunc = first_func(btf, "__vmalloc_node_range_noprof", "__vmalloc_node_range");
	*nr_pairs = 0;
	pairs[(*nr_pairs)++] = (struct fentry_pair){ KVS_HIST_VMALLOC, s->progs.kvs_vmalloc_entry,
						     s->progs.kvs_vmalloc_exit, vfunc };
	s->rodata->vmalloc_traced = try_fentry && vfunc;
	s->rodata->slow_enabled = try_fentry && vfunc && o->slow_set;
	s->rodata->slow_ns = o->slow_ns;
	pairs[(*nr_pairs)++] = (struct fentry_pair){ PAIR_CALLER, s->progs.kvs_area_entry,
						     s->progs.kvs_area_exit, kvs_area_caller_func(btf) };
	s->rodata->caller_from_vm = try_fentry && pairs[*nr_pairs - 1].func;
	/* Every mode: what purges cost; estimate mode also keeps readings out of them. */
	pairs[(*nr_pairs)++] = (struct fentry_pair){
		KVS_HIST_PURGE, s->progs.kvs_purge_entry, s->progs.kvs_purge_exit,
		kvs_btf_has(btf, "__purge_vmap_area_lazy", BTF_KIND_FUNC) ? "__purge_vmap_area_lazy" : NULL };
	s->rodata->stall_ns = o->stall_ns;
	if (mode == KVS_MODE_ESTIMATE) {
		/* 7.2 (kasan_enabled() unified) calls __kasan_*() from inline wrappers. */
		pairs[(*nr_pairs)++] = (struct fentry_pair){
			KVS_HIST_POPULATE, s->progs.kvs_populate_entry, s->progs.kvs_populate_exit,
			first_func(btf, "__kasan_populate_vmalloc", "kasan_populate_vmalloc") };
		pairs[(*nr_pairs)++] = (struct fentry_pair){
			KVS_HIST_RELEASE, s->progs.kvs_release_entry, s->progs.kvs_release_exit,
			first_func(btf, "__kasan_release_vmalloc", "kasan_release_vmalloc") };
	}
	for (size_t i = 0; i < *nr_pairs; i++) {
		struct fentry_pair *p = &pairs[i];

		if (!p->func || !try_fentry)
			continue;
		if (bpf_program__set_attach_target(p->entry, 0, p->func) ||
		    bpf_program__set_attach_target(p->exit, 0, p->func))
			continue;
		bpf_program__set_autoload(p->entry, true);
		bpf_program__set_autoload(p->exit, true);
	}
	return 0;
}

/* What became of a pair: a histogram available or not, or where callers come from. */
/*
 * Why the kernel refused a trampoline on FUNC. 524 is the kernel's own
 * ENOTSUPP, which libc cannot name; on x86 before 6.5 it is what a
 * function with more than six arguments gets (6.1's __vmalloc_node_range
 * has nine).
 */
static void refused_why(char *why, size_t len, const struct btf *btf, const char *func, int err)
{
	const struct btf_type *t;
	int id;

	if (err != -524) {
		snprintf(why, len, "fentry/fexit on %s refused (%s)", func, strerror(-err));
		return;
	}
	id = btf__find_by_name_kind(btf, func, BTF_KIND_FUNC);
	t = id > 0 ? btf__type_by_id(btf, btf__type_by_id(btf, id)->type) : NULL;
	if (t && btf_vlen(t) > 6)
		snprintf(why, len, "fentry/fexit on %s not supported by this kernel "
			 "(ENOTSUPP: its trampolines take 6 arguments, %s has %u)",
			 func, func, btf_vlen(t));
	else
		snprintf(why, len, "fentry/fexit on %s not supported by this kernel (ENOTSUPP)", func);
}

static void pair_done(struct kvs_bpf *b, const struct fentry_pair *p, const char *why)
{
	if (p->hist == KVS_HIST_VMALLOC) {
		/* The slow-call log rides on the vmalloc pair. */
		b->slow = !why[0];
		snprintf(b->slow_why, sizeof(b->slow_why), "%s", why);
	}
	if (p->hist == KVS_HIST_PURGE)
		b->purges_traced = !why[0];
	if (p->hist == PAIR_CALLER) {
		b->kernel_callers = !why[0];
		snprintf(b->callers_why, sizeof(b->callers_why), "%s", why);
	} else if (why[0]) {
		mark_absent(b, p->hist, "%s", why);
	} else {
		b->hist_available[p->hist] = true;
		b->hist_source[p->hist] = "fentry";
		b->hist_why[p->hist][0] = '\0';
	}
}

static const char *perm_hint(void)
{
	return geteuid() ? "run as root (or with CAP_BPF and CAP_PERFMON)" :
		"the kernel refuses BPF to root here (lockdown, or unprivileged_bpf/LSM policy)";
}

int kvs_bpf_open(struct kvs_bpf *b, enum kvs_mode mode, const struct kvs_options *o,
		 char *err, size_t errlen)
{
	struct fentry_pair pairs[MAX_PAIRS];
	size_t nr_pairs = 0;
	bool try_fentry = !o->no_fentry;
	char fentry_why[KVS_WHY_LEN] = "";
	struct btf *btf;
	struct bpf_program *prog;
	int ret;

	memset(b, 0, sizeof(*b));
	libbpf_set_print(print_fn);
	btf = kvs_vmlinux_btf();
	if (!btf)
		return kvs_err(err, errlen, -ENOENT, "no kernel BTF (/sys/kernel/btf/vmlinux): "
			       "the BPF programs need CONFIG_DEBUG_INFO_BTF");
	/* 7.2 calls __kasan_populate_vmalloc() from an inline wrapper. */
	b->kasan_vmalloc = kvs_btf_has(btf, "__kasan_populate_vmalloc", BTF_KIND_FUNC) ||
			   kvs_btf_has(btf, "kasan_populate_vmalloc", BTF_KIND_FUNC);
	ret = try_fentry ? kvs_fentry_probe(btf, "alloc_vmap_area") : 0;
	if (ret) {
		snprintf(fentry_why, sizeof(fentry_why), "fentry/fexit refused by this kernel (%s)",
			 strerror(-ret));
		try_fentry = false;
	}
retry:
	ret = open_skel(b, btf, mode, o, try_fentry, pairs, &nr_pairs, err, errlen);
	if (ret)
		goto fail;
	ret = kvs_bpf_skel__load(b->skel);
	if (ret && mode == KVS_MODE_STOCK) {
		ret = kvs_err(err, errlen, ret == -EPERM || ret == -EACCES ? ret : -ENOENT,
			      "loading its page-table and fentry/fexit programs failed: %s "
			      "(KVSHADOW_DEBUG=1 shows libbpf's log)", strerror(-ret));
		goto fail;
	}
	if (ret && try_fentry) {
		/* Maybe only fentry was refused: try again without it. */
		snprintf(fentry_why, sizeof(fentry_why),
			 "fentry/fexit refused by this kernel (%s)", strerror(-ret));
		kvs_bpf_skel__destroy(b->skel);
		b->skel = NULL;
		try_fentry = false;
		goto retry;
	}
	if (ret) {
		/* EACCES: mostly the verifier refusing a program, which no policy explains. */
		if (ret == -EPERM)
			ret = kvs_err(err, errlen, ret, "loading BPF programs: %s: %s",
				      strerror(-ret), perm_hint());
		else if (ret == -EACCES)
			ret = kvs_err(err, errlen, ret, "loading BPF programs: %s: the verifier "
				      "refused one, or an LSM policy forbids BPF (KVSHADOW_DEBUG=1 "
				      "shows the verifier's log)", strerror(-ret));
		else
			ret = kvs_err(err, errlen, ret,
				      "loading BPF programs: %s (KVSHADOW_DEBUG=1 shows libbpf's log)",
				      strerror(-ret));
		goto fail;
	}

	/*
	 * The mode's own fentry/fexit programs first, ends before starts: a
	 * start whose end was not yet attached would count as a change in
	 * flight for ever.
	 */
	for (size_t i = 0; i < b->nr_mode_progs; i++) {
		struct bpf_program *p = b->mode_progs[i];

		ret = attach_one(b, p);
		if (ret) {
			ret = kvs_err(err, errlen, ret == -EPERM || ret == -EACCES ? ret : -ENOENT,
				      "attaching %s (%s) failed: %s", bpf_program__name(p),
				      bpf_program__section_name(p), strerror(-ret));
			goto fail;
		}
	}

	/* Tracepoints next: they are what the mode needs. */
	bpf_object__for_each_program(prog, b->skel->obj) {
		const char *sec = bpf_program__section_name(prog);

		/* fentry/fexit below; the page-table walk runs on demand (BPF_PROG_RUN). */
		if (!bpf_program__autoload(prog) || strstr(sec, "fentry/") || strstr(sec, "fexit/") ||
		    prog == b->skel->progs.kvs_pt_walk)
			continue;
		ret = attach_one(b, prog);
		if (ret) {
			ret = kvs_err(err, errlen, ret, "attaching %s: %s%s%s", bpf_program__name(prog),
				      strerror(-ret), ret == -EPERM ? ": " : "",
				      ret == -EPERM ? perm_hint() : "");
			goto fail;
		}
	}

	for (int h = 0; h < KVS_NR_HISTS; h++)
		mark_absent(b, h, "no fentry/fexit on this kernel's function");
	if (mode == KVS_MODE_EXACT || mode == KVS_MODE_STOCK) {
		for (int h = KVS_HIST_POPULATE; h <= KVS_HIST_RELEASE; h++) {
			b->hist_available[h] = true;
			b->hist_source[h] = mode == KVS_MODE_EXACT ? "tracepoint" : "fentry";
			b->hist_why[h][0] = '\0';
		}
	}
	for (size_t i = 0; i < nr_pairs; i++) {
		struct fentry_pair *p = &pairs[i];
		size_t before = b->nr_links;
		char why[KVS_WHY_LEN] = "";

		if (!p->func) {
			snprintf(why, sizeof(why), "%s", p->hist == KVS_HIST_VMALLOC ?
				 "no __vmalloc_node_range(_noprof) in the kernel BTF" :
				 p->hist == PAIR_CALLER ?
				 "no alloc_vmap_area(..., struct vm_struct *vm) in the kernel BTF" :
				 p->hist == KVS_HIST_PURGE ? "no __purge_vmap_area_lazy in the kernel BTF" :
				 "no KASAN_VMALLOC in this kernel");
		} else if (!bpf_program__autoload(p->entry)) {
			snprintf(why, sizeof(why), "%s", fentry_why[0] ? fentry_why :
				 "fentry/fexit not used (--no-fentry)");
		} else {
			/*
			 * fexit first: a call that began under an fentry-only
			 * trampoline returns without passing the fexit, and a
			 * start without its end would stay "in flight" for ever.
			 * Links go in reverse, so the fentry also goes first.
			 */
			ret = attach_one(b, p->exit);
			if (!ret)
				ret = attach_one(b, p->entry);
			if (ret) {
				/* Half a pair would measure nothing: drop both. */
				while (b->nr_links > before)
					bpf_link__destroy(b->links[--b->nr_links]);
				refused_why(why, sizeof(why), btf, p->func, ret);
			}
		}
		pair_done(b, p, why);
	}
	btf__free(btf);
	return 0;
fail:
	btf__free(btf);
	kvs_bpf_close(b);
	return ret ? ret : -EINVAL;
}

void kvs_bpf_close(struct kvs_bpf *b)
{
	kvs_vmlinux_btf_drop();
	while (b->nr_links)
		bpf_link__destroy(b->links[--b->nr_links]);
	kvs_bpf_skel__destroy(b->skel);
	b->skel = NULL;
}
