// SPDX-License-Identifier: GPL-2.0
/*
 * kvshadow_workload: vmalloc traffic with known answers, for the kvshadow
 * tests. Named functions vmalloc and vfree known sizes at known alignment
 * and report every vmap area they made, so a test computes the callers,
 * calls, pages populated and shadow pages the kernel must count from the
 * addresses instead of guessing them.
 *
 * Interface: /sys/kernel/debug/kvshadow_workload/ (root only; it shows
 * kernel addresses, it is a test module)
 *
 *   control  write one command:
 *            alloc FN [n=N] [size=BYTES] [align=BYTES] [keep=0|1]
 *                     [thread=0|1] [fail=0|1]
 *                FN is one of the functions below. n areas (default 1) of
 *                size bytes (K/M suffixes work, at most 1 GiB) at align
 *                (a power of two, only FN=aligned and FN=slow take one).
 *                keep=1 (default) keeps the areas until "free", keep=0
 *                frees each one right after it was made. thread=1 runs the
 *                batch in a kernel thread named "kvshadow_wl" (and waits
 *                for it), so the process is known; otherwise the writer
 *                makes the calls. Creating that thread may vmalloc its
 *                stack (copy_process, unless a cached stack is reused):
 *                leave thread=1 out where every populate call is counted.
 *                fail=1 marks the task for fault injection around each
 *                allocation call only (current->make_it_fail): with
 *                fail_page_alloc's task-filter, probability 100, min-order 0
 *                and ignore-gfp-wait N, the first page the call needs
 *                fails. That is usually the page KASAN's shadow population
 *                takes first, sometimes a new slab page for vmalloc's own
 *                structures before it (the call then fails without a
 *                populate call): count populate failures from the stacks
 *                fail_page_alloc prints (verbose 2), not from this log.
 *            free [FN]        vfree the kept areas (of FN, default all)
 *            purge            vm_unmap_aliases(): purge every lazily freed
 *                             vmap area now (their shadow is released)
 *            clear            empty the log
 *            The write fails (EINVAL) only when the command is invalid; an
 *            allocation that fails is a "ret=-12" line in the log.
 *   log      one line per event since load or "clear", oldest first:
 *            seq=S op=alloc|free|purge fn=FUNC id=ID pid=PID comm=COMM
 *            size=BYTES align=BYTES start=0xSTART end=0xEND ret=ERRNO ns=NS
 *            nested=BYTES
 *            fn is the function that called the vmalloc API (its symbol,
 *            from kallsyms); [start, end) is the whole vmap area (guard
 *            page included); ns the duration of the call (ktime_get_ns(): the
 *            clock of bpf_ktime_get_ns() and of the kasan events'
 *            duration_ns, so the three compare without slack);
 *            nested the size of the second vmap area vmalloc made for the
 *            area's page array (0: none, see below). Purge lines have id,
 *            size, start and end 0. Beyond 65536 lines the oldest are kept
 *            and "dropped" in stats counts the rest.
 *   areas    the live (kept) areas: id fn start end size align
 *   stats    allocs failures frees purges live live_bytes dropped
 *   layout   page_size shadow_span kasan_shadow_offset vmalloc_start
 *            vmalloc_end modules_vaddr modules_end (x86_64), for tests
 *            that read the page tables
 *
 * The same batch can run at load time: modprobe kvshadow_workload fn=FN
 * n=N size=BYTES align=BYTES keep=0|1 thread=0|1 (the process is modprobe).
 *
 * The functions (noinline, not cloned, each the caller of its vmalloc API):
 *   kvshadow_wl_vmalloc  vmalloc(size)                  default 28 KiB
 *   kvshadow_wl_vzalloc  vzalloc(size)                  default 28 KiB
 *   kvshadow_wl_aligned  __vmalloc_node(size, align)    default 28 KiB at 32 KiB
 *   kvshadow_wl_vmap     vmap() of size/PAGE_SIZE pages default 28 KiB
 *   kvshadow_wl_slow     __vmalloc_node(size, align)    default 64 MiB - 4 KiB at 32 KiB:
 *                        2048 shadow pages and 16383 pages to map, slow by
 *                        construction
 *   kvshadow_wl_free     vfree()/vunmap() of a kept area
 *   kvshadow_wl_purge    vm_unmap_aliases()
 *
 * How a test computes what the kernel must count
 * ----------------------------------------------
 * Every vmalloc and vmap area ends with a guard page, so an allocation of
 * SIZE bytes at START is the vmap area [START, END) with
 *	END = START + PAGE_ALIGN(SIZE) + PAGE_SIZE
 * which is what "end=" reports (/proc/vmallocinfo shows the same range when
 * kptr_restrict is 1). Generic KASAN maps one shadow page for every
 * SPAN = PAGE_SIZE << 3 = 32 KiB of vmalloc space ("shadow_span" in layout).
 *
 * Nested area: vmalloc keeps the area's page array in a vmalloc of its own
 * when it does not fit one page (more than PAGE_SIZE / 8 = 512 pages, so
 * only FN=slow with its default size): a second vmap area of "nested" bytes
 * (PAGE_ALIGN(8 * pages) + PAGE_SIZE), allocated right after the area with
 * the same caller, freed with it. It is one more populate call (and, when
 * purged, one more release) with the same formulas; /proc/vmallocinfo
 * shows where it is (same caller, that size).
 *
 * Populate: one kasan_populate_vmalloc() call per successful area, over
 *	G = (ALIGN(END, SPAN) - ALIGN_DOWN(START, SPAN)) / SPAN
 * shadow pages:
 *	populate_calls += 1, pages_allocated += G,
 *	pages_populated += G - P, shadow_pages += G - P
 * where P is how many of those G shadow pages were mapped already (a
 * neighbour's, or a stale page, see below). A call that failed in populate
 * (fail=1) counts populate_calls += 1 and populate_failures += 1 and maps
 * nothing.
 *
 * Release: vfree only queues the area for the lazy purge; nothing is
 * released until a purge ("purge", or the kernel's own when enough is
 * queued). The purge makes one kasan_release_vmalloc() call per purged area
 * (plus one TLB-flush call per vmap node that had work) and releases
 * exactly the shadow pages wholly inside the area:
 *	W = max(0, (ALIGN_DOWN(END, SPAN) - ALIGN(START, SPAN)) / SPAN)
 * A shadow page shared by two areas is never released by either one's
 * purge: it stays mapped ("stale") until an area that covers it wholly is
 * purged. That is where P > 0 comes from.
 *
 * Exact case: FN=aligned or slow with align a multiple of SPAN and SIZE +
 * PAGE_SIZE a multiple of SPAN (the defaults). Then START and END are
 * SPAN-aligned, no other live area shares the area's shadow pages, G = W =
 * (END - START) / SPAN, and P is 0 unless a stale page lies in the range
 * (read the page tables before the allocation to know: tests/vm/guest/
 * lib.sh has helpers). FN=vmalloc, vzalloc and vmap place the area first
 * fit with no alignment: the same formulas hold, P and sharing just matter
 * more.
 *
 * Caller: each function passes its own address as the vmalloc caller
 * (vmalloc() and vmap() do that themselves; __vmalloc_node() gets
 * _THIS_IP_), so /proc/vmallocinfo and a stack unwinder both name it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/ctype.h>
#include <linux/debugfs.h>
#include <linux/instruction_pointer.h>
#include <linux/kallsyms.h>
#include <linux/kasan.h>
#include <linux/kthread.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#ifdef CONFIG_KASAN_GENERIC
#define KVSW_SHADOW_SPAN	(PAGE_SIZE << KASAN_SHADOW_SCALE_SHIFT)
#else
#define KVSW_SHADOW_SPAN	0UL
#endif

#define KVSW_LOG_MAX		65536
#define KVSW_CMD_MAX		256

struct kvsw_area {
	struct list_head node;
	unsigned int id;
	const struct kvsw_fn *fn;
	void *ptr;
	struct page **pages;	/* vmap only */
	unsigned int nr_pages;
	unsigned long size;
	unsigned long align;
};

struct kvsw_fn {
	const char *name;
	int (*alloc)(struct kvsw_area *a);
	unsigned long def_size;
	bool takes_align;
};

enum kvsw_op { KVSW_ALLOC, KVSW_FREE, KVSW_PURGE };

struct kvsw_event {
	struct list_head node;
	u64 seq;
	enum kvsw_op op;
	void *fn;
	unsigned int id;
	pid_t pid;
	char comm[TASK_COMM_LEN];
	unsigned long size;
	unsigned long align;
	unsigned long start;
	unsigned long end;
	int ret;
	u64 ns;
	unsigned long nested;
};

struct kvsw_job {
	const struct kvsw_fn *fn;
	unsigned int n;
	unsigned long size;
	unsigned long align;
	bool keep;
	bool fail;
	int ret;
	struct completion done;
};

/* kvsw_lock serialises the commands and guards everything below. */
static DEFINE_MUTEX(kvsw_lock);
static LIST_HEAD(kvsw_areas);
static LIST_HEAD(kvsw_log);
static unsigned int kvsw_log_len;
static u64 kvsw_seq;
static unsigned int kvsw_next_id;
static unsigned long kvsw_allocs, kvsw_failures, kvsw_frees, kvsw_purges;
static unsigned long kvsw_live, kvsw_live_bytes, kvsw_dropped;
static struct dentry *kvsw_dir;

/* The vmap area an allocation of size bytes at ptr occupies: guard page included. */
static unsigned long kvsw_area_end(const struct kvsw_area *a)
{
	return (unsigned long)a->ptr + PAGE_ALIGN(a->size) + PAGE_SIZE;
}

/*
 * vmalloc keeps an array of the area's pages; when it does not fit a page
 * (more than 512 pages on x86_64) vmalloc vmallocs it too, right after the
 * area, with the same caller: a second vmap area of this size.
 */
static unsigned long kvsw_nested_size(const struct kvsw_area *a)
{
	unsigned long array = (PAGE_ALIGN(a->size) >> PAGE_SHIFT) *
			      sizeof(struct page *);

	if (a->pages || !a->ptr || array <= PAGE_SIZE)
		return 0;
	return PAGE_ALIGN(array) + PAGE_SIZE;
}

static void kvsw_record(enum kvsw_op op, void *fn, const struct kvsw_area *a,
			int ret, u64 ns)
{
	struct kvsw_event *e;

	if (kvsw_log_len >= KVSW_LOG_MAX) {
		kvsw_dropped++;
		return;
	}
	e = kzalloc(sizeof(*e), GFP_KERNEL);
	if (!e) {
		kvsw_dropped++;
		return;
	}
	e->seq = ++kvsw_seq;
	e->op = op;
	e->fn = fn;
	e->pid = task_pid_nr(current);
	get_task_comm(e->comm, current);
	e->ret = ret;
	e->ns = ns;
	if (a) {
		e->id = a->id;
		e->size = a->size;
		e->align = a->align;
		if (a->ptr) {
			e->start = (unsigned long)a->ptr;
			e->end = kvsw_area_end(a);
		}
		if (op == KVSW_ALLOC)
			e->nested = kvsw_nested_size(a);
	}
	list_add_tail(&e->node, &kvsw_log);
	kvsw_log_len++;
}

/*
 * The allocating functions. noinline and __noipa keep each one a real
 * function under its own name (no inlining, no .isra/.constprop clone), and
 * each does work after its API call, so it is not a tail call: the
 * function is on the stack and is the caller the kernel records.
 */
static noinline __noipa int kvshadow_wl_vmalloc(struct kvsw_area *a)
{
	a->ptr = vmalloc(a->size);
	return a->ptr ? 0 : -ENOMEM;
}

static noinline __noipa int kvshadow_wl_vzalloc(struct kvsw_area *a)
{
	a->ptr = vzalloc(a->size);
	return a->ptr ? 0 : -ENOMEM;
}

static noinline __noipa int kvshadow_wl_aligned(struct kvsw_area *a)
{
	a->ptr = __vmalloc_node(a->size, a->align, GFP_KERNEL, NUMA_NO_NODE,
				(void *)_THIS_IP_);
	return a->ptr ? 0 : -ENOMEM;
}

static noinline __noipa int kvshadow_wl_slow(struct kvsw_area *a)
{
	a->ptr = __vmalloc_node(a->size, a->align, GFP_KERNEL, NUMA_NO_NODE,
				(void *)_THIS_IP_);
	return a->ptr ? 0 : -ENOMEM;
}

static void kvsw_free_pages(struct page **pages, unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		if (pages[i])
			__free_page(pages[i]);
	kfree(pages);
}

static noinline __noipa int kvshadow_wl_vmap(struct kvsw_area *a)
{
	unsigned int i, nr = PAGE_ALIGN(a->size) >> PAGE_SHIFT;
	struct page **pages;

	pages = kcalloc(nr, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	for (i = 0; i < nr; i++) {
		pages[i] = alloc_page(GFP_KERNEL);
		if (!pages[i]) {
			kvsw_free_pages(pages, nr);
			return -ENOMEM;
		}
	}
	a->ptr = vmap(pages, nr, VM_MAP, PAGE_KERNEL);
	if (!a->ptr) {
		kvsw_free_pages(pages, nr);
		return -ENOMEM;
	}
	a->pages = pages;
	a->nr_pages = nr;
	return 0;
}

static noinline __noipa void kvshadow_wl_free(struct kvsw_area *a)
{
	if (a->pages) {
		vunmap(a->ptr);
		kvsw_free_pages(a->pages, a->nr_pages);
		a->pages = NULL;
	} else {
		vfree(a->ptr);
	}
	a->ptr = NULL;
}

static noinline __noipa void kvshadow_wl_purge(void)
{
	vm_unmap_aliases();
	kvsw_purges++;
}

static const struct kvsw_fn kvsw_fns[] = {
	{ "vmalloc", kvshadow_wl_vmalloc, 7 * PAGE_SIZE, false },
	{ "vzalloc", kvshadow_wl_vzalloc, 7 * PAGE_SIZE, false },
	{ "aligned", kvshadow_wl_aligned, 7 * PAGE_SIZE, true },
	{ "vmap", kvshadow_wl_vmap, 7 * PAGE_SIZE, false },
	{ "slow", kvshadow_wl_slow, SZ_64M - PAGE_SIZE, true },
};

static const struct kvsw_fn *kvsw_find_fn(const char *name)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(kvsw_fns); i++)
		if (!strcmp(kvsw_fns[i].name, name))
			return &kvsw_fns[i];
	return NULL;
}

static void kvsw_free_area(struct kvsw_area *a)
{
	u64 t0 = ktime_get_ns();
	struct kvsw_area gone = *a;

	kvshadow_wl_free(a);
	/* Log the area as it was: its addresses are the point. */
	kvsw_record(KVSW_FREE, kvshadow_wl_free, &gone, 0, ktime_get_ns() - t0);
	kvsw_frees++;
	kvsw_live--;
	kvsw_live_bytes -= gone.size;
}

/* Runs one batch, with kvsw_lock held (by the writer, for a thread too). */
static int kvsw_run(struct kvsw_job *job)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; i < job->n; i++) {
		struct kvsw_area *a;
		u64 t0;
		int err;

		a = kzalloc(sizeof(*a), GFP_KERNEL);
		if (!a)
			return -ENOMEM;
		a->id = ++kvsw_next_id;
		a->fn = job->fn;
		a->size = job->size;
		a->align = job->align;

#ifdef CONFIG_FAULT_INJECTION
		if (job->fail)
			current->make_it_fail = 1;
#endif
		t0 = ktime_get_ns();
		err = job->fn->alloc(a);
		t0 = ktime_get_ns() - t0;
#ifdef CONFIG_FAULT_INJECTION
		if (job->fail)
			current->make_it_fail = 0;
#endif
		kvsw_record(KVSW_ALLOC, job->fn->alloc, a, err, t0);
		kvsw_allocs++;
		if (err) {
			kvsw_failures++;
			kfree(a);
			ret = err;
			continue;
		}
		kvsw_live++;
		kvsw_live_bytes += a->size;
		if (job->keep) {
			list_add_tail(&a->node, &kvsw_areas);
		} else {
			kvsw_free_area(a);
			kfree(a);
		}
		cond_resched();
	}
	return ret;
}

static int kvsw_thread(void *data)
{
	struct kvsw_job *job = data;

	job->ret = kvsw_run(job);
	complete(&job->done);
	return 0;
}

/* Aligned functions default to one shadow page's worth of vmalloc space. */
static unsigned long kvsw_default_align(const struct kvsw_fn *fn)
{
	if (!fn->takes_align)
		return 1;
	return KVSW_SHADOW_SPAN ? KVSW_SHADOW_SPAN : PAGE_SIZE;
}

static int kvsw_alloc(struct kvsw_job *job, bool thread)
{
	struct task_struct *t;

	if (!job->size || job->size > SZ_1G)
		return -EINVAL;
	if (job->align && !job->fn->takes_align)
		return -EINVAL;
	if (!job->align)
		job->align = kvsw_default_align(job->fn);
	if (!is_power_of_2(job->align))
		return -EINVAL;
#ifndef CONFIG_FAULT_INJECTION
	if (job->fail)
		return -EOPNOTSUPP;
#endif
	if (!thread) {
		kvsw_run(job);
		return 0;
	}
	init_completion(&job->done);
	t = kthread_run(kvsw_thread, job, "kvshadow_wl");
	if (IS_ERR(t))
		return PTR_ERR(t);
	wait_for_completion(&job->done);
	return 0;
}

static void kvsw_free_all(const struct kvsw_fn *fn)
{
	struct kvsw_area *a, *n;

	list_for_each_entry_safe(a, n, &kvsw_areas, node) {
		if (fn && a->fn != fn)
			continue;
		list_del(&a->node);
		kvsw_free_area(a);
		kfree(a);
		cond_resched();
	}
}

static void kvsw_clear_log(void)
{
	struct kvsw_event *e, *n;

	list_for_each_entry_safe(e, n, &kvsw_log, node) {
		list_del(&e->node);
		kfree(e);
	}
	kvsw_log_len = 0;
	kvsw_dropped = 0;
}

static int kvsw_parse_alloc(char *args, struct kvsw_job *job, bool *thread)
{
	char *tok, *val;
	unsigned int v;

	tok = strsep(&args, " ");
	job->fn = tok ? kvsw_find_fn(tok) : NULL;
	if (!job->fn)
		return -EINVAL;
	job->n = 1;
	job->size = job->fn->def_size;
	job->align = 0;
	job->keep = true;
	job->fail = false;
	*thread = false;

	while ((tok = strsep(&args, " "))) {
		if (!*tok)
			continue;
		val = strchr(tok, '=');
		if (!val)
			return -EINVAL;
		*val++ = '\0';
		if (!strcmp(tok, "size") || !strcmp(tok, "align")) {
			char *end;
			unsigned long long x = memparse(val, &end);

			if (*end || end == val)
				return -EINVAL;
			if (tok[0] == 's')
				job->size = x;
			else
				job->align = x;
			continue;
		}
		if (kstrtouint(val, 0, &v))
			return -EINVAL;
		if (!strcmp(tok, "n"))
			job->n = v;
		else if (!strcmp(tok, "keep") && v <= 1)
			job->keep = v;
		else if (!strcmp(tok, "thread") && v <= 1)
			*thread = v;
		else if (!strcmp(tok, "fail") && v <= 1)
			job->fail = v;
		else
			return -EINVAL;
	}
	return 0;
}

static int kvsw_command(char *cmd)
{
	struct kvsw_job job;
	bool thread;
	char *op;
	int ret;

	op = strsep(&cmd, " ");
	if (!strcmp(op, "alloc")) {
		ret = kvsw_parse_alloc(cmd, &job, &thread);
		return ret ?: kvsw_alloc(&job, thread);
	}
	if (!strcmp(op, "free")) {
		const struct kvsw_fn *fn = NULL;

		if (cmd && *cmd && strcmp(cmd, "all")) {
			fn = kvsw_find_fn(cmd);
			if (!fn)
				return -EINVAL;
		}
		kvsw_free_all(fn);
		return 0;
	}
	if (!strcmp(op, "purge") && !cmd) {
		u64 t0 = ktime_get_ns();

		kvshadow_wl_purge();
		kvsw_record(KVSW_PURGE, kvshadow_wl_purge, NULL, 0,
			    ktime_get_ns() - t0);
		return 0;
	}
	if (!strcmp(op, "clear") && !cmd) {
		kvsw_clear_log();
		return 0;
	}
	return -EINVAL;
}

static ssize_t kvsw_control_write(struct file *file, const char __user *ubuf,
				  size_t count, loff_t *ppos)
{
	char buf[KVSW_CMD_MAX];
	int ret;

	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	strim(buf);

	mutex_lock(&kvsw_lock);
	ret = kvsw_command(strim(buf));
	mutex_unlock(&kvsw_lock);
	return ret ?: count;
}

static const struct file_operations kvsw_control_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = kvsw_control_write,
	.llseek = noop_llseek,
};

/*
 * The read side walks the lists one record per show(), so the seq_file
 * buffer stays one page: reading the log never vmallocs (a larger buffer
 * would be kvmalloc'd and could move the very counters a test reads).
 */
static void *kvsw_log_start(struct seq_file *m, loff_t *pos)
{
	mutex_lock(&kvsw_lock);
	return seq_list_start(&kvsw_log, *pos);
}

static void *kvsw_log_next(struct seq_file *m, void *v, loff_t *pos)
{
	return seq_list_next(v, &kvsw_log, pos);
}

static void kvsw_unlock(struct seq_file *m, void *v)
{
	mutex_unlock(&kvsw_lock);
}

static const char * const kvsw_op_names[] = {
	[KVSW_ALLOC] = "alloc", [KVSW_FREE] = "free", [KVSW_PURGE] = "purge",
};

/* The symbol of fn from kallsyms, without its " [module]" suffix. */
static void kvsw_put_sym(struct seq_file *m, void *fn)
{
	char sym[KSYM_SYMBOL_LEN];
	char *sp;

	sprint_symbol_no_offset(sym, (unsigned long)fn);
	sp = strchr(sym, ' ');
	if (sp)
		*sp = '\0';
	seq_puts(m, sym);
}

static void kvsw_put_comm(struct seq_file *m, const char *comm)
{
	for (; *comm; comm++)
		seq_putc(m, isgraph(*comm) ? *comm : '?');
}

static int kvsw_log_show(struct seq_file *m, void *v)
{
	struct kvsw_event *e = list_entry(v, struct kvsw_event, node);

	seq_printf(m, "seq=%llu op=%s fn=", e->seq, kvsw_op_names[e->op]);
	kvsw_put_sym(m, e->fn);
	seq_printf(m, " id=%u pid=%d comm=", e->id, e->pid);
	kvsw_put_comm(m, e->comm);
	seq_printf(m, " size=%lu align=%lu start=0x%lx end=0x%lx ret=%d ns=%llu nested=%lu\n",
		   e->size, e->align, e->start, e->end, e->ret, e->ns, e->nested);
	return 0;
}

static const struct seq_operations kvsw_log_sops = {
	.start = kvsw_log_start,
	.next = kvsw_log_next,
	.stop = kvsw_unlock,
	.show = kvsw_log_show,
};
DEFINE_SEQ_ATTRIBUTE(kvsw_log);

static void *kvsw_areas_start(struct seq_file *m, loff_t *pos)
{
	mutex_lock(&kvsw_lock);
	return seq_list_start(&kvsw_areas, *pos);
}

static void *kvsw_areas_next(struct seq_file *m, void *v, loff_t *pos)
{
	return seq_list_next(v, &kvsw_areas, pos);
}

static int kvsw_areas_show(struct seq_file *m, void *v)
{
	struct kvsw_area *a = list_entry(v, struct kvsw_area, node);

	seq_printf(m, "%u ", a->id);
	kvsw_put_sym(m, a->fn->alloc);
	seq_printf(m, " 0x%lx 0x%lx %lu %lu\n", (unsigned long)a->ptr,
		   kvsw_area_end(a), a->size, a->align);
	return 0;
}

static const struct seq_operations kvsw_areas_sops = {
	.start = kvsw_areas_start,
	.next = kvsw_areas_next,
	.stop = kvsw_unlock,
	.show = kvsw_areas_show,
};
DEFINE_SEQ_ATTRIBUTE(kvsw_areas);

static int kvsw_stats_show(struct seq_file *m, void *v)
{
	mutex_lock(&kvsw_lock);
	seq_printf(m, "allocs %lu\nfailures %lu\nfrees %lu\npurges %lu\n",
		   kvsw_allocs, kvsw_failures, kvsw_frees, kvsw_purges);
	seq_printf(m, "live %lu\nlive_bytes %lu\ndropped %lu\n",
		   kvsw_live, kvsw_live_bytes, kvsw_dropped);
	mutex_unlock(&kvsw_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(kvsw_stats);

static int kvsw_layout_show(struct seq_file *m, void *v)
{
	seq_printf(m, "page_size %lu\nshadow_span %lu\n", PAGE_SIZE,
		   KVSW_SHADOW_SPAN);
#if defined(CONFIG_X86_64) && defined(CONFIG_KASAN)
	seq_printf(m, "kasan_shadow_offset 0x%lx\n",
		   (unsigned long)CONFIG_KASAN_SHADOW_OFFSET);
	seq_printf(m, "vmalloc_start 0x%lx\nvmalloc_end 0x%lx\n",
		   (unsigned long)VMALLOC_START, (unsigned long)VMALLOC_END);
	seq_printf(m, "modules_vaddr 0x%lx\nmodules_end 0x%lx\n",
		   (unsigned long)MODULES_VADDR, (unsigned long)MODULES_END);
#endif
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(kvsw_layout);

/* The load-time batch (modprobe kvshadow_workload fn=aligned n=4 ...). */
static char *param_fn;
module_param_named(fn, param_fn, charp, 0444);
MODULE_PARM_DESC(fn, "run a batch at load: vmalloc, vzalloc, aligned, vmap or slow");
static unsigned int param_n = 1;
module_param_named(n, param_n, uint, 0444);
MODULE_PARM_DESC(n, "areas in the load-time batch (default 1)");
static unsigned long param_size;
module_param_named(size, param_size, ulong, 0444);
MODULE_PARM_DESC(size, "bytes per area (default: the function's)");
static unsigned long param_align;
module_param_named(align, param_align, ulong, 0444);
MODULE_PARM_DESC(align, "alignment for aligned and slow (default 32 KiB)");
static bool param_keep = true;
module_param_named(keep, param_keep, bool, 0444);
MODULE_PARM_DESC(keep, "keep the areas until \"free\" or unload (default 1)");
static bool param_thread;
module_param_named(thread, param_thread, bool, 0444);
MODULE_PARM_DESC(thread, "run the load-time batch in the kvshadow_wl thread");

static int __init kvsw_init(void)
{
	int ret = 0;

	kvsw_dir = debugfs_create_dir("kvshadow_workload", NULL);
	debugfs_create_file("control", 0200, kvsw_dir, NULL, &kvsw_control_fops);
	debugfs_create_file("log", 0400, kvsw_dir, NULL, &kvsw_log_fops);
	debugfs_create_file("areas", 0400, kvsw_dir, NULL, &kvsw_areas_fops);
	debugfs_create_file("stats", 0400, kvsw_dir, NULL, &kvsw_stats_fops);
	debugfs_create_file("layout", 0400, kvsw_dir, NULL, &kvsw_layout_fops);

	if (param_fn) {
		struct kvsw_job job = {
			.fn = kvsw_find_fn(param_fn), .n = param_n,
			.size = param_size, .align = param_align,
			.keep = param_keep,
		};

		if (!job.fn) {
			ret = -EINVAL;
		} else {
			if (!job.size)
				job.size = job.fn->def_size;
			mutex_lock(&kvsw_lock);
			ret = kvsw_alloc(&job, param_thread);
			mutex_unlock(&kvsw_lock);
		}
		if (ret)
			pr_err("load-time batch fn=%s refused: %d\n", param_fn, ret);
	}
	if (ret) {
		debugfs_remove_recursive(kvsw_dir);
		return ret;
	}
	return 0;
}

static void __exit kvsw_exit(void)
{
	debugfs_remove_recursive(kvsw_dir);
	mutex_lock(&kvsw_lock);
	kvsw_free_all(NULL);
	kvsw_clear_log();
	mutex_unlock(&kvsw_lock);
}

module_init(kvsw_init);
module_exit(kvsw_exit);
MODULE_DESCRIPTION("vmalloc workload with known answers for the kvshadow tests");
MODULE_LICENSE("GPL");
