// SPDX-License-Identifier: GPL-2.0
/*
 * The BPF source of kvshadowtop (struct kvs_source_ops): load and attach
 * (loader.c), then each interval read the maps into a reading. In estimate
 * mode it also replays the vmap area events of the ring buffer through the
 * shadow estimate (estimate.c), seeded from /proc/vmallocinfo.
 *
 * Everything here reads; the arithmetic (baselines, modes) is the pure step
 * in snapshot.c. Maps are read without deleting (no lookup/delete race).
 */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "rows.h"
#include "clock.h"
#include "callers.h"
#include "collect.h"
#include "kvshadow.h"
#include "kvshadow.skel.h"
#include "kernel_probe.h"
#include "loader.h"
#include "options.h"
#include "ptwalk.h"
#include "sanitize.h"
#include "bpfstats.h"
#include "bpf_source.h"
#include "estimate_source.h"
#include "hash_batch.h"
#include "self_shadow.h"
#include "errmsg.h"

_Static_assert(sizeof(struct kvs_bpf_counters) % sizeof(__u64) == 0, "counters are u64s");

struct bpf_source {
	enum kvs_mode mode;
	struct kvs_bpf bpf;
	int ncpus;
	struct kvs_estimate_source *est;		/* estimate mode's replay */

	struct kvs_callers callers;		/* naming them */
	char slow_why[KVS_WHY_LEN];		/* --slow asked for, not possible here */

	bool slow;				/* --slow records are collected */
	struct ring_buffer *slow_rb;
	struct kvs_slow_rec *slow_recs;		/* since the last read, oldest first */
	size_t nr_slow, cap_slow;
	int slow_err;

	struct kvs_bpf_stats stats;		/* the tool's own cost, when asked */

	struct kvs_hash_batch callers_read, processes_read;	/* exact and stock mode's rows */

	bool have_self_shadow;			/* the shadow only our maps keep, at open */
	uint64_t self_shadow_pages;
	char self_shadow_why[KVS_WHY_LEN];

	/* Estimate mode: the stack walk, learned from raw stacks (stackwalk.h). */
	struct ring_buffer *learn_rb;
	bool read_once;				/* the baseline is read: a first screen is up */

	/*
	 * Estimate mode: one fd for the caller to poll, ready when any ring
	 * is: raw stacks and slow records wake us as they come (they are
	 * few, and the walk should learn before the next events), the area
	 * events once their ring is a quarter full.
	 */
	int epfd;
	int est_fd;				/* the area ring's fd in epfd (it changes when the ring grows) */
};

/* ---- BPF maps ---- */

static int read_counters(struct bpf_source *b, struct kvs_bpf_counters *out)
{
	const size_t n = sizeof(*out) / sizeof(__u64);
	struct kvs_bpf_counters *per = calloc(b->ncpus, sizeof(*per));
	__u64 *sum = (__u64 *)out;
	__u32 key = 0;
	int ret;

	if (!per)
		return -ENOMEM;
	memset(out, 0, sizeof(*out));
	ret = bpf_map__lookup_elem(b->bpf.skel->maps.counters, &key, sizeof(key), per,
				   b->ncpus * sizeof(*per), 0);
	for (int cpu = 0; !ret && cpu < b->ncpus; cpu++)
		for (size_t i = 0; i < n; i++)
			sum[i] += ((const __u64 *)&per[cpu])[i];
	free(per);
	return ret;
}

static int read_hists(struct bpf_source *b, struct kvs_hist_data *out)
{
	struct kvs_bpf_hist *per = calloc(b->ncpus, sizeof(*per));
	int ret = 0;

	if (!per)
		return -ENOMEM;
	for (__u32 h = 0; h < KVS_NR_HISTS && !ret; h++) {
		memset(&out[h], 0, sizeof(out[h]));
		ret = bpf_map__lookup_elem(b->bpf.skel->maps.hists, &h, sizeof(h), per,
					   b->ncpus * sizeof(*per), 0);
		for (int cpu = 0; cpu < b->ncpus && !ret; cpu++) {
			for (int i = 0; i < KVS_HIST_SLOTS; i++)
				out[h].slots[i] += per[cpu].slots[i];
			out[h].count += per[cpu].count;
			out[h].sum_ns += per[cpu].sum_ns;
		}
	}
	free(per);
	return ret;
}

/* Exact mode: the attribution maps, since attach. */
static int read_attribution(struct bpf_source *b, struct kvs_reading *r,
			    const struct kvs_bpf_counters *cnt)
{
	struct kvs_rows callers = { 0 }, procs = { 0 };
	struct kvs_hash_batch *cb = &b->callers_read, *pb = &b->processes_read;
	char name[KVS_NAME_LEN];
	size_t n = 0;
	int ret = 0;

	if (!cb->keys)
		ret = kvs_hash_batch_init(cb, bpf_map__fd(b->bpf.skel->maps.callers));
	if (!ret && !pb->keys)
		ret = kvs_hash_batch_init(pb, bpf_map__fd(b->bpf.skel->maps.processes));
	if (ret)
		return ret;
	kvs_hash_batch_begin(cb);
	while (!ret && !(ret = kvs_hash_batch_next(cb, &n)) && n) {
		for (size_t i = 0; !ret && i < n; i++) {
			const struct kvs_caller_key *k = kvs_hash_batch_key(cb, i);
			const struct kvs_attr_val *v = kvs_hash_batch_val(cb, i);

			ret = kvs_rows_add(&callers, kvs_callers_name(&b->callers, k->ip, k->stackid),
					   v->pages_populated, v->populate_calls, v->vmalloc_ns,
					   v->populate_ns);
		}
	}
	kvs_hash_batch_begin(pb);
	while (!ret && !(ret = kvs_hash_batch_next(pb, &n)) && n) {
		for (size_t i = 0; !ret && i < n; i++) {
			const struct kvs_process_key *k = kvs_hash_batch_key(pb, i);
			const struct kvs_attr_val *v = kvs_hash_batch_val(pb, i);

			kvs_process_name(name, sizeof(name), k->comm, sizeof(k->comm), k->tgid);
			ret = kvs_rows_add(&procs, name, v->pages_populated, v->populate_calls,
					   v->vmalloc_ns, v->populate_ns);
		}
	}
	if (!ret)
		ret = kvs_rows_to_list(&callers, &r->callers);
	if (!ret)
		ret = kvs_rows_to_list(&procs, &r->processes);
	kvs_rows_free(&callers);
	kvs_rows_free(&procs);
	r->callers.dropped_pages = cnt->callers_dropped_pages;
	r->callers.dropped_calls = cnt->callers_dropped_calls;
	r->processes.dropped_pages = cnt->processes_dropped_pages;
	r->processes.dropped_calls = cnt->processes_dropped_calls;
	return ret;
}

/* ---- the source ---- */

static void bpf_source_close(void *state)
{
	struct bpf_source *b = state;

	if (!b)
		return;
	kvs_bpf_stats_disable(&b->stats);
	kvs_hash_batch_free(&b->callers_read);
	kvs_hash_batch_free(&b->processes_read);
	if (b->epfd >= 0)
		close(b->epfd);
	ring_buffer__free(b->learn_rb);
	kvs_estimate_source_close(b->est);
	ring_buffer__free(b->slow_rb);
	free(b->slow_recs);
	kvs_bpf_close(&b->bpf);
	kvs_callers_free(&b->callers);
	free(b);
}

/* One --slow record into the list the next read hands over. */
static int on_slow_event(void *ctx, void *data, size_t size)
{
	struct bpf_source *b = ctx;
	const struct kvs_slow_event *e = data;
	struct kvs_slow_rec *r;

	if (size < sizeof(*e))
		return 0;
	if (b->nr_slow == b->cap_slow) {
		size_t cap = b->cap_slow ? 2 * b->cap_slow : 64;

		r = realloc(b->slow_recs, cap * sizeof(*r));
		if (!r) {
			b->slow_err = -ENOMEM;
			return 0;
		}
		b->slow_recs = r;
		b->cap_slow = cap;
	}
	r = &b->slow_recs[b->nr_slow++];
	memset(r, 0, sizeof(*r));
	/* The event's CLOCK_MONOTONIC ns as a wall-clock time. */
	r->ts = kvs_clock_s(CLOCK_REALTIME) - (kvs_mono_s() - (double)e->ts_ns / 1e9);
	r->pid = e->pid;
	r->tgid = e->tgid;
	kvs_sanitize(r->comm, sizeof(r->comm), e->comm, sizeof(e->comm));
	snprintf(r->caller, sizeof(r->caller), "%s", e->caller ? kvs_callers_ip(&b->callers, e->caller) : "unknown");
	r->size = e->size;
	r->vmalloc_ns = e->vmalloc_ns;
	/* Exact mode sees populate and release through the kasan events, stock mode through fentry. */
	r->shadow_known = b->mode == KVS_MODE_EXACT || b->mode == KVS_MODE_STOCK;
	r->allocated_known = b->mode == KVS_MODE_EXACT;
	r->populate_ns = e->populate_ns;
	r->nr_populated = e->nr_populated;
	r->nr_allocated = e->nr_allocated;
	r->release_ns = e->release_ns;
	if (e->kind == KVS_SLOW_PURGE) {
		r->kind = KVS_SLOW_PURGE;
		/* Only exact mode's kasan events time the releases inside a purge. */
		r->shadow_known = b->mode == KVS_MODE_EXACT && e->shadow_known;
		r->allocated_known = false;
		r->shadow_released = e->shadow_released;
		r->flush_ns = e->flush_ns;
		r->purge_ns = e->purge_ns;
		r->areas_known = e->areas_known;
		r->areas = e->areas;
		/* fentry saw it inside a vmalloc call (of a size: never 0). */
		r->in_vmalloc = e->size != 0;
	}
	return 0;
}

static int epoll_add(int epfd, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

/* Estimate mode's one fd: the rings' own epoll fds in one more. */
static int watch_rings(struct bpf_source *b, char *err, size_t errlen)
{
	int ret;

	b->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (b->epfd < 0) {
		ret = -errno;
		return kvs_err(err, errlen, ret, "epoll_create1: %s", strerror(errno));
	}
	b->est_fd = kvs_estimate_source_fd(b->est);
	ret = epoll_add(b->epfd, b->est_fd);
	if (!ret)
		ret = epoll_add(b->epfd, ring_buffer__epoll_fd(b->learn_rb));
	if (!ret && b->slow_rb)
		ret = epoll_add(b->epfd, ring_buffer__epoll_fd(b->slow_rb));
	if (ret)
		return kvs_err(err, errlen, ret, "epoll_ctl: %s", strerror(-ret));
	return 0;
}

/*
 * The shadow pages only our maps keep, once all of them exist. A reason
 * instead where it cannot be known: it is not worth failing the run for.
 */
static void self_shadow(struct bpf_source *b, uint64_t page_size)
{
	char why[KVS_WHY_LEN];

	if (!b->bpf.kasan_vmalloc) {
		snprintf(b->self_shadow_why, sizeof(b->self_shadow_why), "no KASAN_VMALLOC in this kernel");
		return;
	}
	if (kvs_self_shadow(b->bpf.skel->obj, page_size << 3, &b->self_shadow_pages, why,
			    sizeof(why))) {
		snprintf(b->self_shadow_why, sizeof(b->self_shadow_why), "%s", why);
		return;
	}
	b->have_self_shadow = true;
}

static int bpf_source_open(void **state, enum kvs_mode mode, const struct kvs_options *o,
			char *err, size_t errlen)
{
	struct bpf_source *b = calloc(1, sizeof(*b));
	long page_size = sysconf(_SC_PAGESIZE);
	unsigned int rows;
	int ret;

	*state = NULL;
	if (!b)
		return kvs_err(err, errlen, -ENOMEM, "out of memory");
	b->mode = mode;
	b->epfd = b->est_fd = -1;
	kvs_bpf_stats_init(&b->stats);
	ret = libbpf_num_possible_cpus();
	if (ret < 0) {
		ret = kvs_err(err, errlen, ret, "counting CPUs: %s", strerror(-ret));
		goto fail;
	}
	b->ncpus = ret;
	ret = kvs_bpf_open(&b->bpf, mode, o, err, errlen);
	if (ret)
		goto fail;
	/*
	 * Loading parsed the kernel's BTF (megabytes) and freed it: give that
	 * memory back to the system instead of keeping it for a heap that
	 * never grows that large again.
	 */
	malloc_trim(0);
	kvs_callers_init(&b->callers, b->bpf.skel);
	if (o->slow_set && b->bpf.slow) {
		b->slow_rb = ring_buffer__new(bpf_map__fd(b->bpf.skel->maps.slow_events),
					      on_slow_event, b, NULL);
		if (!b->slow_rb) {
			ret = kvs_err(err, errlen, -errno, "slow-call ring buffer: %s", strerror(errno));
			goto fail;
		}
		b->slow = true;
	} else if (o->slow_set) {
		snprintf(b->slow_why, sizeof(b->slow_why), "%s", b->bpf.slow_why);
	}
	if (mode == KVS_MODE_STOCK) {
		ret = kvs_ptwalk_init(b->bpf.skel, err, errlen);
		if (ret)
			goto fail;
	}
	if (mode == KVS_MODE_ESTIMATE) {
		b->learn_rb = ring_buffer__new(bpf_map__fd(b->bpf.skel->maps.learn_events),
					       kvs_callers_learn, &b->callers, NULL);
		if (!b->learn_rb) {
			ret = kvs_err(err, errlen, -errno, "stack-walk ring buffer: %s", strerror(errno));
			goto fail;
		}
		ret = kvs_rows_bound(&rows, err, errlen);
		if (ret)
			goto fail;
		ret = kvs_estimate_source_open(&b->est, bpf_map__fd(b->bpf.skel->maps.area_rings),
				       bpf_map__fd(b->bpf.skel->maps.area_events), page_size,
				       rows, kvs_callers_event, &b->callers, err, errlen);
		if (ret)
			goto fail;
		if (!b->bpf.vmalloc_events)
			kvs_estimate_source_merged_purges(b->est);
		ret = watch_rings(b, err, errlen);
		if (ret)
			goto fail;
	}
	self_shadow(b, (uint64_t)page_size);
	*state = b;
	return 0;
fail:
	bpf_source_close(b);
	return ret;
}

static int bpf_source_fd(void *state)
{
	struct bpf_source *b = state;
	int fd;

	if (b->epfd < 0)
		return -1;
	/*
	 * A grown area ring has an fd of its own. The old one leaves the set
	 * by itself, closed once drained.
	 */
	fd = kvs_estimate_source_fd(b->est);
	if (fd != b->est_fd && !epoll_add(b->epfd, fd))
		b->est_fd = fd;
	return b->epfd;
}

static int bpf_source_drain(void *state, double budget_s)
{
	struct bpf_source *b = state;

	/*
	 * Once the baseline is read (and a first screen shown from it), read
	 * kallsyms, before the events that need names pile up (and the stack
	 * walk learns late).
	 */
	if (b->read_once)
		kvs_callers_prepare(&b->callers);
	/* Slow-call records and raw stacks are few: all of them, then the estimate's events. */
	if (b->slow_rb && ring_buffer__consume(b->slow_rb) < 0)
		return -EIO;
	if (b->learn_rb && ring_buffer__consume(b->learn_rb) < 0)
		return -EIO;
	return b->est ? kvs_estimate_source_drain(b->est, budget_s) : 0;
}

/* High-water marks start again with the baseline. */
static void bpf_source_start(void *state)
{
	struct bpf_source *b = state;
	struct kvs_bpf_net *n = &b->bpf.skel->bss->net_state;

	__atomic_store_n(&n->peak, __atomic_load_n(&n->net, __ATOMIC_RELAXED), __ATOMIC_RELAXED);
}

/*
 * Stock mode: the page tables' own count, quiet (no populate or release in
 * flight) or marked as not. The baseline needs a quiet one: a busy kernel
 * gets several tries.
 */
static int read_ptwalk(struct bpf_source *b, struct kvs_reading *r, char *err, size_t errlen)
{
	struct kvs_ptwalk w;
	int ret = kvs_ptwalk_count(b->bpf.skel, 20, &w, err, errlen);

	if (ret)
		return ret;
	r->have_ptwalk = true;
	r->ptwalk_quiet = w.quiet;
	r->ptwalk_pages = w.pages;
	r->ptwalk_net = w.net;
	r->ptwalk_mono = kvs_mono_s();
	return 0;
}

/*
 * The backlog the kernel last reported, and purge stalls. Outside estimate
 * mode the fields are read one by one while events may store them: a free
 * landing between two loads mixes two reports a moment apart, as close as
 * the reading's own instant is to either.
 */
static void read_purge(struct bpf_source *b, struct kvs_purge *p,
		       const struct kvs_bpf_counters *cnt)
{
	const struct kvs_lazy_state *l = &b->bpf.skel->bss->lazy_state;
	uint64_t free_seq = __atomic_load_n(&l->free_seq, __ATOMIC_ACQUIRE);

	memset(p, 0, sizeof(*p));
	p->lazy_traced = b->bpf.vmalloc_events;
	if (b->est && p->lazy_traced) {
		/* Estimate mode: from its FREE records, in the ring's order. */
		kvs_estimate_source_lazy(b->est, p);
	} else if (p->lazy_traced && free_seq) {
		p->have_lazy = true;
		p->lazy_pages = __atomic_load_n(&l->nr_lazy, __ATOMIC_RELAXED);
		p->lazy_max_pages = __atomic_load_n(&l->nr_lazy_max, __ATOMIC_RELAXED);
		p->lazy_mono = (double)__atomic_load_n(&l->free_ns, __ATOMIC_RELAXED) / 1e9;
		p->lazy_stale = __atomic_load_n(&l->purge_seq, __ATOMIC_RELAXED) > free_seq;
	}
	p->have_stalls = b->bpf.purges_traced;
	p->stall_ns = b->bpf.skel->rodata->stall_ns;
	p->stalls = p->have_stalls ? cnt->purge_stalls : 0;
}

static int bpf_source_read(void *state, struct kvs_reading *r, char *err, size_t errlen)
{
	struct bpf_source *b = state;
	struct kvs_bpf_counters cnt;
	int ret;

	/*
	 * Everything the kernel queued before this reading goes into the
	 * estimate first: a backlog left in the ring would show as an
	 * estimate ahead of the kernel. Bounded, as the producer may never
	 * pause.
	 */
	ret = bpf_source_drain(b, 0.5);
	if (ret)
		return kvs_err(err, errlen, ret, "estimate: replaying events: %s", strerror(-ret));
	ret = read_counters(b, &cnt);
	if (!ret)
		ret = read_hists(b, r->hist);
	if (ret)
		return kvs_err(err, errlen, ret, "reading BPF maps: %s", strerror(-ret));
	r->have_bpf = true;
	r->bpf = cnt.c;
	r->events_lost = cnt.events_lost;
	r->have_self_shadow = b->have_self_shadow;
	r->self_shadow_pages = b->self_shadow_pages;
	snprintf(r->unavailable.self_shadow, sizeof(r->unavailable.self_shadow), "%s",
		 b->self_shadow_why);
	if (b->slow_err)
		return kvs_err(err, errlen, b->slow_err,
			       "slow-call records: %s", strerror(-b->slow_err));
	r->have_slow = b->slow;
	r->slow_lost = cnt.slow_lost;
	if (b->learn_rb) {
		r->have_walk = true;
		r->walk = b->callers.walk;
		r->walk.walked = cnt.callers_walked;
		r->walk.unwound = cnt.callers_unwound;
		r->walk.learn_lost = cnt.learn_lost;
	}
	memcpy(r->unavailable.slow, b->slow_why, KVS_WHY_LEN);
	memcpy(r->method, b->bpf.method, KVS_WHY_LEN);
	r->no_vmap_events = !b->bpf.vmalloc_events;
	if (kvs_bpf_stats_on(&b->stats)) {
		ret = kvs_bpf_stats_read(&b->stats, b->bpf.skel->obj, &r->self);
		if (ret)
			return kvs_err(err, errlen, ret,
				       "reading BPF program statistics: %s", strerror(-ret));
		r->have_self = true;
	}
	read_purge(b, &r->purge, &cnt);
	r->bpf_net = __atomic_load_n(&b->bpf.skel->bss->net_state.net, __ATOMIC_RELAXED);
	r->bpf_net_peak = __atomic_load_n(&b->bpf.skel->bss->net_state.peak, __ATOMIC_RELAXED);
	for (int h = 0; h < KVS_NR_HISTS; h++) {
		r->hist_available[h] = b->bpf.hist_available[h];
		r->hist_source[h] = b->bpf.hist_source[h];
		memcpy(r->hist_why[h], b->bpf.hist_why[h], KVS_WHY_LEN);
	}
	if (b->mode == KVS_MODE_STOCK && (ret = read_ptwalk(b, r, err, errlen)))
		return ret;
	if (b->est)
		ret = kvs_estimate_source_read(b->est, cnt.events_lost, r, err, errlen);
	else if ((ret = read_attribution(b, r, &cnt)))
		ret = kvs_err(err, errlen, ret, "out of memory");
	if (ret)
		return ret;
	r->callers.available = !kvs_callers_unnamed(&b->callers) && !b->bpf.no_attribution;
	r->processes.available = !b->bpf.no_attribution;
	if (b->bpf.no_attribution) {
		kvs_why(r->callers.why, "attribution off (KVSHADOW_NO_ATTRIBUTION)");
		kvs_why(r->processes.why, "attribution off (KVSHADOW_NO_ATTRIBUTION)");
	} else if (kvs_callers_unnamed(&b->callers)) {
		kvs_why(r->callers.why, "no kernel symbols: %s", b->callers.ksyms_why);
	}
	b->read_once = true;	/* its own drains above came before */
	return 0;
}

/* The slow records drained since the last interval move into its reading. */
static void bpf_source_take(void *state, struct kvs_reading *r)
{
	struct bpf_source *b = state;

	r->slow = b->slow_recs;
	r->nr_slow = b->nr_slow;
	b->slow_recs = NULL;
	b->nr_slow = b->cap_slow = 0;
}

/* Estimate mode: purges begun and ended (fentry), so a reading does not cut through one. */
static bool bpf_source_activity(void *state, uint64_t *token, bool *busy)
{
	struct bpf_source *b = state;
	uint64_t in, out;

	if (b->mode != KVS_MODE_ESTIMATE || !b->bpf.purges_traced)
		return false;
	in = __atomic_load_n(&b->bpf.skel->bss->purge_enter, __ATOMIC_ACQUIRE);
	out = __atomic_load_n(&b->bpf.skel->bss->purge_exit, __ATOMIC_ACQUIRE);
	*token = in + out;
	*busy = in != out;
	return true;
}

static int bpf_source_set_self(void *state, bool on, char *err, size_t errlen)
{
	struct bpf_source *b = state;

	if (!on) {
		kvs_bpf_stats_disable(&b->stats);
		return 0;
	}
	return kvs_bpf_stats_enable(&b->stats, b->bpf.skel->obj, err, errlen);
}

const struct kvs_source_ops kvs_bpf_source = {
	.name = "bpf",
	.auto_mode = kvs_bpf_best_mode,
	.open = bpf_source_open,
	.fd = bpf_source_fd,
	.drain = bpf_source_drain,
	.start = bpf_source_start,
	.read = bpf_source_read,
	.take = bpf_source_take,
	.activity = bpf_source_activity,
	.set_self = bpf_source_set_self,
	.close = bpf_source_close,
};
