// SPDX-License-Identifier: GPL-2.0
/*
 * Stock mode: exact shadow numbers on a KASAN_VMALLOC kernel without our
 * series, where mm/kasan is notrace and has no events.
 *
 * Baseline: kvs_pt_walk, run by kvshadowtop (BPF_PROG_RUN), counts the
 * present PTEs in the KASAN shadow of the vmalloc and module areas, from
 * init_mm's page tables. Only kasan_populate_vmalloc() maps pages there
 * and only kasan_release_vmalloc() unmaps them, so that count is the
 * shadow memory backing vmalloc space (what our series' debugfs file says).
 *
 * Live: KASAN changes those PTEs through two traceable functions,
 *
 *   populate:  apply_to_page_range(&init_mm, shadow, size,
 *                                  kasan_populate_vmalloc_pte, data)
 *   release:   apply_to_existing_page_range(&init_mm, shadow, size,
 *                                  kasan_depopulate_vmalloc_pte, NULL)
 *
 * populate fills data->pages[] before the call and sets to NULL each page
 * it installed (under init_mm.page_table_lock, so a neighbour populating
 * the same shadow page concurrently installs its own page or none): the
 * NULLs at fexit are exactly the pages this call mapped (on a kernel with
 * our series' fast path: the pages data->nr_pages went down by). release clears
 * every present PTE of its range, a range no other area shares (only
 * shadow pages wholly inside the purged area are released), so the
 * present PTEs at fentry minus those at fexit are exactly what it freed.
 *
 * A populate call is the alloc_vmap_area() call that reached it (one
 * populate each, after the vmalloc:alloc_vmap_area event; on kernels
 * without that event, 6.1, from the call's first KASAN apply_to_page_range())
 * or, outside it (per-CPU chunks), a run of contiguous apply_to_page_range()
 * calls.
 * What stock mode cannot see: pages_allocated, populate_failures and
 * release_calls (inside notrace code); they stay absent, never 0.
 */
#include "kvshadow.bpf.h"

/* Set by kvshadowtop: the kernel has the x86_64 KASAN shadow layout. */
const volatile __u64 kasan_shadow_offset = 0xdffffc0000000000ULL;

/* Found by kvs_pt_walk's first run; the programs below count only once it is ready. */
struct kvs_layout layout;
/* The answer of the last kvs_pt_walk run. */
struct kvs_pt_count pt_count;
/* apply_to_*page_range calls on the shadow begun and ended: a walk is quiet when equal. */
__u64 pt_enter, pt_exit;
/*
 * kvs_pt_walk's copy of the table it is in (only it uses it, and the tool
 * runs one walk at a time): a 5-level kernel preallocates a PUD table for
 * every P4D entry of the vmalloc shadow, 3,200 empty tables, and reading
 * their 1.6 million entries one by one was most of a walk.
 */
__u64 pt_buf[512];
__u64 pt_buf_table;		/* the table in pt_buf (virtual); 0: none */

/* Set by kvshadowtop from /proc/kallsyms before load; 0: no such symbol. */
const volatile struct kvs_ksyms ksyms = {};

/*
 * mm/kasan/shadow.c: what populate hands its PTE callback. 6.12 has
 * pages[] indexed by address, the installed ones set to NULL; with our
 * series' fast path, nr_pages counts the pages left, used from the end.
 */
struct vmalloc_populate_data___kvs {
	struct page **pages;
	unsigned long nr_pages;
} __attribute__((preserve_access_index));

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct kvs_task_stock);
} task_stock SEC(".maps");

/* x86_64 page tables. */
#define PT_PRESENT	0x1ULL
#define PT_PSE		0x80ULL
#define PT_PFN_MASK	0x000ffffffffff000ULL
#define PT_SHIFT	12
#define PMD_SHIFT	21
#define PUD_SHIFT	30
#define P4D_SHIFT	39
#define L5_PGD_SHIFT	48
#define START_KERNEL_MAP 0xffffffff80000000ULL
#define MODULES_END	0xffffffffff000000ULL
#define PT_ERR_NO_KALLSYMS 1000	/* err: kallsyms shows no addresses of data symbols */
#define EFAULT		14
#define E2BIG		7

static __always_inline __u64 read_u64(const void *p, int *err)
{
	__u64 v = 0;

	if (bpf_probe_read_kernel(&v, sizeof(v), p))
		*err = -EFAULT;
	return v;
}

/* The layout from the kernel's variables (or its fixed values where they are not variables). */
static __always_inline void layout_find(void)
{
	__u64 off = kasan_shadow_offset;
	int err = 0;
	__u32 l5 = 0;

	if (!ksyms.init_mm || !ksyms._end) {
		layout.err = -PT_ERR_NO_KALLSYMS;
		return;
	}
	if (ksyms.__pgtable_l5_enabled &&
	    bpf_probe_read_kernel(&l5, sizeof(l5), (void *)ksyms.__pgtable_l5_enabled))
		err = -EFAULT;
	layout.levels = l5 ? 5 : 4;
	layout.page_offset = ksyms.page_offset_base ? read_u64((void *)ksyms.page_offset_base, &err) :
			     l5 ? 0xff11000000000000ULL : 0xffff888000000000ULL;
	layout.vmalloc_start = ksyms.vmalloc_base ? read_u64((void *)ksyms.vmalloc_base, &err) :
			       l5 ? 0xffa0000000000000ULL : 0xffffc90000000000ULL;
	layout.vmalloc_end = layout.vmalloc_start + ((l5 ? 12800ULL : 32ULL) << 40);
	layout.modules_start = ksyms._end;
	layout.modules_end = MODULES_END;
	layout.shadow_offset = off;
	layout.vmalloc_shadow_start = (layout.vmalloc_start >> 3) + off;
	layout.vmalloc_shadow_end = (layout.vmalloc_end >> 3) + off;
	/* The kernel image's own shadow ends in the page holding shadow(_end). */
	layout.modules_shadow_start = (((layout.modules_start >> 3) + off) + 4095) & ~4095ULL;
	layout.modules_shadow_end = (layout.modules_end >> 3) + off;
	if (ksyms.kasan_early_shadow_page && ksyms.phys_base)
		layout.early_shadow_pa = ksyms.kasan_early_shadow_page - START_KERNEL_MAP +
					 read_u64((void *)ksyms.phys_base, &err);
	layout.err = err;
	layout.ready = !err;
}

static __always_inline bool in_shadow(__u64 addr)
{
	return (addr >= layout.vmalloc_shadow_start && addr < layout.vmalloc_shadow_end) ||
	       (addr >= layout.modules_shadow_start && addr < layout.modules_shadow_end);
}

static __always_inline struct kvs_task_stock *task_stock_get(__u64 flags)
{
	return bpf_task_storage_get(&task_stock, bpf_get_current_task_btf(), 0, flags);
}

static __always_inline __u64 next_boundary(__u64 a, __u32 shift)
{
	return (a | ((1ULL << shift) - 1)) + 1;
}

/* Entry for address a of the table at va (virtual), shift its level's. */
static __always_inline __u64 pt_entry(__u64 va, __u64 a, __u32 shift, int *err)
{
	return read_u64((void *)(va + ((a >> shift) & 511) * 8), err);
}

/* The table an upper-level entry points to (virtual). */
static __always_inline __u64 pt_table(__u64 upper)
{
	return layout.page_offset + (upper & PT_PFN_MASK);
}

/* A PTE that maps a shadow page of its own (not KASAN's shared early page). */
static __always_inline bool shadow_pte(__u64 e)
{
	return (e & PT_PRESENT) &&
	       !(layout.early_shadow_pa && (e & PT_PFN_MASK) == layout.early_shadow_pa);
}

/* One entry of w_table: a present shadow PTE, or a NULL page pointer. */
static __always_inline void count_entry(struct kvs_task_stock *t)
{
	int err = 0;
	__u64 e = read_u64((void *)(t->w_table + (__u64)t->w_k * 8), &err);

	t->w_k++;
	if (err) {
		t->w_err = err;
		return;
	}
	if (t->w_nulls)
		t->w_count += !e;
	else
		t->w_count += shadow_pte(e);
}

/* pt_buf holds the table at va (virtual), read now if it did not. */
static __always_inline bool table_load(struct kvs_task_stock *t, __u64 va)
{
	if (pt_buf_table == va)
		return true;
	pt_buf_table = 0;
	if (bpf_probe_read_kernel(pt_buf, sizeof(pt_buf), (void *)va)) {
		t->w_err = -EFAULT;
		return false;
	}
	pt_buf_table = va;
	return true;
}

/* Up to 64 PTEs of w_table, from its copy in pt_buf. */
static __always_inline void count_chunk(struct kvs_task_stock *t)
{
	__u32 k = t->w_k, j;

	if (!table_load(t, t->w_table))
		return;
	for (j = 0; j < 64 && k + j < t->w_hi; j++) {
		__u32 n = k + j;

		/* Keep the mask the verifier needs: clang would fold it into a pointer. */
		barrier_var(n);
		t->w_count += shadow_pte(pt_buf[n & 511]);
	}
	t->w_k = k + j;
}

/*
 * The entry for a in the table at va (virtual) is absent: where the walk
 * goes on. Whole-table counts look up to 63 entries further in pt_buf for
 * the next present one; the others step one entry.
 */
static __always_inline __u64 past_absent(struct kvs_task_stock *t, __u64 va, __u64 a, __u32 shift)
{
	__u32 i = (a >> shift) & 511, j;

	if (!t->w_bulk || !table_load(t, va))
		return next_boundary(a, shift);
	for (j = 1; j < 64 && i + j < 512; j++) {
		__u32 n = i + j;

		barrier_var(n);
		if (pt_buf[n & 511] & PT_PRESENT)
			break;
	}
	return (a & ~((1ULL << shift) - 1)) + ((__u64)j << shift);
}

/*
 * One step of a count: entries of the table being counted, or, between
 * tables, down the page tables at w_addr to its PTE table (or past the
 * absent subtree there).
 */
static long walk_step(__u32 i, void *unused)
{
	struct kvs_task_stock *t = task_stock_get(0);
	__u32 shift = layout.levels == 5 ? L5_PGD_SHIFT : P4D_SHIFT;
	__u64 a, e, next, va;
	int err = 0;

	if (!t || t->w_err)
		return 1;
	if (t->w_k < t->w_hi) {
		if (t->w_bulk)
			count_chunk(t);
		else
			count_entry(t);
		return 0;
	}
	a = t->w_addr;
	if (a >= t->w_end)
		return 1;
	t->w_steps++;
	va = t->w_pgd;
	e = pt_entry(va, a, shift, &err);
	next = next_boundary(a, shift);
	if (err)
		goto skip;
	if (!(e & PT_PRESENT))
		goto absent;
	if (layout.levels == 5) {
		va = pt_table(e);
		shift = P4D_SHIFT;
		e = pt_entry(va, a, shift, &err);
		next = next_boundary(a, shift);
		if (err)
			goto skip;
		if (!(e & PT_PRESENT))
			goto absent;
	}
	va = pt_table(e);
	shift = PUD_SHIFT;
	e = pt_entry(va, a, shift, &err);
	next = next_boundary(a, shift);
	/* KASAN maps vmalloc shadow with 4K pages only: a huge entry is not ours. */
	if (err || (e & PT_PSE))
		goto skip;
	if (!(e & PT_PRESENT))
		goto absent;
	va = pt_table(e);
	shift = PMD_SHIFT;
	e = pt_entry(va, a, shift, &err);
	next = next_boundary(a, shift);
	if (err || (e & PT_PSE))
		goto skip;
	if (!(e & PT_PRESENT))
		goto absent;
	/* The PTEs of this table in range: the next steps count them. */
	t->w_table = pt_table(e);
	t->w_k = (a >> PT_SHIFT) & 511;
	t->w_hi = t->w_end < next ? (t->w_end >> PT_SHIFT) & 511 : 512;
	goto skip;
absent:
	next = past_absent(t, va, a, shift);
skip:
	if (err)
		t->w_err = err;
	/* The end of the address space: nothing above. */
	if (next <= a)
		t->w_end = a;
	t->w_addr = next;
	return 0;
}

/* Run the count set up in t; 0 or -errno. */
static __always_inline int walk_run(struct kvs_task_stock *t)
{
	bpf_loop(1 << 22, walk_step, NULL, 0);
	if (!t->w_err && (t->w_addr < t->w_end || t->w_k < t->w_hi))
		t->w_err = -E2BIG;
	return t->w_err;
}

/* Present shadow PTEs in [start, end) of the tables under pgd, into t->w_count. */
static __always_inline int count_present(struct kvs_task_stock *t, __u64 pgd, __u64 start,
					 __u64 end, __u32 bulk)
{
	t->w_pgd = pgd;
	t->w_addr = start & ~4095ULL;
	t->w_end = end;
	t->w_k = t->w_hi = 0;
	t->w_count = t->w_steps = 0;
	t->w_err = 0;
	t->w_nulls = 0;
	t->w_bulk = bulk;
	return walk_run(t);
}

/*
 * Run by kvshadowtop (BPF_PROG_RUN), not attached: find the layout on the
 * first run, then count the present PTEs of both shadow ranges.
 */
SEC("?raw_tp")
int kvs_pt_walk(void *ctx)
{
	struct mm_struct *mm = (struct mm_struct *)ksyms.init_mm;
	struct kvs_task_stock *t;
	__u64 pgd, n, steps;
	int err;

	if (!layout.ready) {
		layout_find();
		if (!layout.ready) {
			pt_count.err = layout.err;
			return 0;
		}
	}
	pgd = (__u64)BPF_CORE_READ(mm, pgd);
	t = task_stock_get(BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!pgd || !t) {
		pt_count.err = -EFAULT;
		return 0;
	}
	pt_buf_table = 0;
	err = count_present(t, pgd, layout.vmalloc_shadow_start, layout.vmalloc_shadow_end, 1);
	n = t->w_count;
	steps = t->w_steps;
	if (!err)
		err = count_present(t, pgd, layout.modules_shadow_start, layout.modules_shadow_end, 1);
	pt_count.present = n + t->w_count;
	pt_count.steps = steps + t->w_steps;
	pt_count.err = err;
	return 0;
}

/*
 * The page tables KASAN changes: the shadow ranges, with its callbacks.
 * The callback is argument 3 of apply_to_*page_range(); the verifier will
 * not let a function pointer be read as a typed argument, so it is read
 * raw, through bpf_get_func_arg().
 */
static __always_inline bool kasan_apply(void *ctx, __u64 addr, __u64 want)
{
	__u64 fn = 0;

	if (!stock_mode || !layout.ready || !in_shadow(addr))
		return false;
	if (!want)
		return true;
	return !bpf_get_func_arg(ctx, 3, &fn) && fn == want;
}

/* alloc_vmap_area() reached its populate: the event fires right before it. */
SEC("?tp_btf/alloc_vmap_area")
int BPF_PROG(kvs_stock_area_tp, unsigned long addr, unsigned long size, unsigned long align,
	     unsigned long vstart, unsigned long vend, int failed)
{
	struct kvs_task_stock *t;

	if (!stock_mode || failed || !layout.ready)
		return 0;
	t = task_stock_get(BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!t)
		return 0;
	t->pop_start_ns = bpf_ktime_get_ns();
	t->pop_pages = 0;
	return 0;
}

/* An alloc_vmap_area() call that populated returned: one populate call. */
static __always_inline void area_populated(void *ctx, struct kvs_task_stock *t, __u64 caller)
{
	__u64 ns = bpf_ktime_get_ns() - t->pop_start_ns;

	t->pop_start_ns = 0;
	count(c.populate_calls, 1);
	hist_add(KVS_HIST_POPULATE, ns);
	attribute_ip(ctx, caller, t->pop_pages, 1, ns);
	in_vmalloc_populate(ns, t->pop_pages, 0);
}

/* ... and returned: blamed on vm->caller. */
SEC("?fexit/alloc_vmap_area")
int BPF_PROG(kvs_stock_area_exit, unsigned long size, unsigned long align, unsigned long vstart,
	     unsigned long vend, int node, gfp_t gfp_mask, unsigned long va_flags,
	     struct vm_struct *vm)
{
	struct kvs_task_stock *t = task_stock_get(0);

	if (t && t->pop_start_ns)
		area_populated(ctx, t, vm ? (__u64)BPF_CORE_READ(vm, caller) : 0);
	return 0;
}

/*
 * Kernels without the vmalloc:alloc_vmap_area event (6.1, where
 * alloc_vmap_area() has no vm either): in_area marks the call, whose
 * first KASAN apply_to_page_range() starts its populate
 * (kvs_stock_pop_entry); the caller comes from the stack at its return.
 */
SEC("?fentry/alloc_vmap_area")
int kvs_stock_area_entry(__u64 *ctx)
{
	struct kvs_task_stock *t;

	if (!stock_mode || !layout.ready)
		return 0;
	t = task_stock_get(BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!t)
		return 0;
	t->in_area = 1;
	t->pop_start_ns = 0;
	t->pop_pages = 0;
	return 0;
}

SEC("?fexit/alloc_vmap_area")
int kvs_stock_area_exit_stack(__u64 *ctx)
{
	struct kvs_task_stock *t = task_stock_get(0);

	if (!t)
		return 0;
	t->in_area = 0;
	if (t->pop_start_ns)
		area_populated(ctx, t, 0);
	return 0;
}

/*
 * apply_to_page_range(mm, addr, size, fn, data) and its _existing twin,
 * read from ctx by position: BPF_PROG would also read fn typed (above).
 */
#define APPLY_MM(ctx)	((struct mm_struct *)(ctx)[0])
#define APPLY_ADDR(ctx)	((ctx)[1])
#define APPLY_SIZE(ctx)	((ctx)[2])
#define APPLY_DATA(ctx)	((void *)(ctx)[4])

/*
 * The start of a KASAN apply_to_*page_range() call (callback want): its
 * time, and one more change in flight (pt_enter). Counted only once the
 * start is recorded, as its end counts only calls whose start it finds:
 * pt_enter - pt_exit stays the number running. NULL: not ours, or no room.
 */
static __always_inline struct kvs_task_stock *apply_begin(__u64 *ctx, __u64 want)
{
	struct kvs_task_stock *t;

	if (!kasan_apply(ctx, APPLY_ADDR(ctx), want))
		return NULL;
	t = task_stock_get(BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!t)
		return NULL;
	t->apply_start_ns = bpf_ktime_get_ns();
	__sync_fetch_and_add(&pt_enter, 1);
	return t;
}

SEC("?fentry/apply_to_page_range")
int kvs_stock_pop_entry(__u64 *ctx)
{
	struct vmalloc_populate_data___kvs *d = APPLY_DATA(ctx);
	struct kvs_task_stock *t = apply_begin(ctx, ksyms.kasan_populate_vmalloc_pte);

	if (!t)
		return 0;
	if (t->in_area && !t->pop_start_ns) {
		t->pop_start_ns = t->apply_start_ns;
		t->pop_pages = 0;
	}
	t->pages_before = bpf_core_field_exists(d->nr_pages) ? BPF_CORE_READ(d, nr_pages) : 0;
	return 0;
}

/* The pages populate installed: data->pages[i] that became NULL. */
static __always_inline __u64 pages_installed(struct kvs_task_stock *t, void *data, __u64 size)
{
	struct vmalloc_populate_data___kvs *d = data;
	void *pages;

	/* Our series' fast path: the pages it used, from its count of those left. */
	if (bpf_core_field_exists(d->nr_pages)) {
		__u64 left = BPF_CORE_READ(d, nr_pages);

		/* Without its start (attached in between) this call cannot be known. */
		if (!t->apply_start_ns)
			return 0;
		return t->pages_before > left ? t->pages_before - left : 0;
	}
	pages = BPF_CORE_READ(d, pages);
	if (!pages)
		return 0;
	t->w_table = (__u64)pages;
	t->w_k = 0;
	/* populate works in chunks of one page of pointers: at most 512. */
	t->w_hi = size >> PT_SHIFT < 512 ? size >> PT_SHIFT : 512;
	t->w_addr = t->w_end = 0;
	t->w_count = t->w_steps = 0;
	t->w_err = 0;
	t->w_nulls = 1;
	t->w_bulk = 0;
	return walk_run(t) ? 0 : t->w_count;
}

SEC("?fexit/apply_to_page_range")
int kvs_stock_pop_exit(__u64 *ctx)
{
	__u64 addr = APPLY_ADDR(ctx), size = APPLY_SIZE(ctx);
	struct kvs_task_stock *t;
	__u64 n, ns = 0, calls;
	bool entered;

	if (!kasan_apply(ctx, addr, ksyms.kasan_populate_vmalloc_pte))
		return 0;
	t = task_stock_get(BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!t)
		return 0;
	n = pages_installed(t, APPLY_DATA(ctx), size);
	count(c.pages_populated, n);
	net_populated(n);
	/* Its end counts only where its start did: pt_enter - pt_exit is what runs. */
	entered = t->apply_start_ns != 0;
	if (entered)
		ns = bpf_ktime_get_ns() - t->apply_start_ns;
	t->apply_start_ns = 0;
	if (t->pop_start_ns) {
		/* Inside alloc_vmap_area: its fexit counts the call. */
		t->pop_pages += n;
	} else {
		/* A per-CPU chunk: a new call unless it goes on from the last range. */
		calls = t->last_end != addr;
		t->last_end = addr + size;
		count(c.populate_calls, calls);
		if (ns)
			hist_add(KVS_HIST_POPULATE, ns);
		attribute_ip(ctx, 0, n, calls, ns);
	}
	if (entered)
		__sync_fetch_and_add(&pt_exit, 1);
	return 0;
}

SEC("?fentry/apply_to_existing_page_range")
int kvs_stock_depop_entry(__u64 *ctx)
{
	__u64 addr = APPLY_ADDR(ctx), size = APPLY_SIZE(ctx);
	struct mm_struct *mm = APPLY_MM(ctx);
	struct kvs_task_stock *t = apply_begin(ctx, ksyms.kasan_depopulate_vmalloc_pte);

	if (!t)
		return 0;
	t->present_before = count_present(t, (__u64)BPF_CORE_READ(mm, pgd), addr, addr + size, 0) ?
			    0 : t->w_count;
	return 0;
}

SEC("?fexit/apply_to_existing_page_range")
int kvs_stock_depop_exit(__u64 *ctx)
{
	__u64 addr = APPLY_ADDR(ctx), size = APPLY_SIZE(ctx);
	struct mm_struct *mm = APPLY_MM(ctx);
	struct kvs_task_stock *t;
	__u64 n = 0, ns = 0;

	if (!kasan_apply(ctx, addr, ksyms.kasan_depopulate_vmalloc_pte))
		return 0;
	t = task_stock_get(0);
	/* Without its start (attached later) nothing can be said of this call. */
	if (!t || !t->apply_start_ns)
		return 0;
	if (!count_present(t, (__u64)BPF_CORE_READ(mm, pgd), addr, addr + size, 0) &&
	    t->present_before > t->w_count)
		n = t->present_before - t->w_count;
	ns = bpf_ktime_get_ns() - t->apply_start_ns;
	t->apply_start_ns = 0;
	count(c.pages_released, n);
	net_released(n);
	if (ns)
		hist_add(KVS_HIST_RELEASE, ns);
	in_vmalloc_release(ns);
	__sync_fetch_and_add(&pt_exit, 1);
	return 0;
}
