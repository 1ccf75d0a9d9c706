// SPDX-License-Identifier: GPL-2.0
/*
 * collect: read the BPF maps (or only debugfs) into one snapshot.
 *
 * Counters are "since start". In exact mode start is the moment the
 * debugfs baseline was taken, after attach, together with a baseline of
 * the BPF counters: both views then count the same events, so at a quiet
 * moment BPF shadow_pages equals debugfs shadow_pages (drift 0).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "attr.h"
#include "collect.h"
#include "estimate.h"
#include "ksyms.h"
#include "kvshadow.h"
#include "kvshadow.skel.h"
#include "loader.h"
#include "vmallocinfo.h"
#include "meminfo.h"
#include "vmalloc_shadow.h"

_Static_assert(KVS_BPF_HIST_SLOTS == KVS_HIST_SLOTS, "histogram slots differ");
_Static_assert((int)KVS_NR_BPF_HISTS == (int)KVS_NR_HISTS, "histogram ids differ");

struct kvs_collect {
	enum kvs_mode mode;
	bool have_bpf;
	struct kvs_bpf bpf;
	int ncpus;
	struct ring_buffer *rb;
	struct kvs_estimate est;
	struct kvs_attr est_callers, est_processes;
	int est_err;			/* first error inside the ring buffer callback */
	unsigned long drained;		/* records seen, to look at the clock now and then */
	double drain_until;		/* CLOCK_MONOTONIC end of this drain's budget */

	struct ksyms ksyms;
	bool have_ksyms;
	char ksyms_why[KVS_WHY_LEN];
	char *stack_names[KVS_MAX_STACKS];	/* caller of each stack id, resolved once */

	double start_mono;
	bool have_base;
	struct vmalloc_shadow base;		/* debugfs at start */
	struct kvs_bpf_counters bpf_base;	/* BPF counters at start */
	struct kvs_bpf_hist hist_base[KVS_NR_BPF_HISTS];
	int64_t net_base;
	char debugfs_why[KVS_WHY_LEN];
};

static double now_s(clockid_t clk)
{
	struct timespec ts;

	if (clock_gettime(clk, &ts))
		return 0;
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- BPF maps ---- */

static int read_counters(struct kvs_collect *c, struct kvs_bpf_counters *out)
{
	struct kvs_bpf_counters *per = calloc(c->ncpus, sizeof(*per));
	__u32 key = 0;
	int ret;

	if (!per)
		return -ENOMEM;
	memset(out, 0, sizeof(*out));
	ret = bpf_map__lookup_elem(c->bpf.skel->maps.counters, &key, sizeof(key), per,
				   c->ncpus * sizeof(*per), 0);
	if (!ret)
		for (int cpu = 0; cpu < c->ncpus; cpu++)
			for (int i = 0; i < KVS_NR_BPF_COUNTERS; i++)
				out->v[i] += per[cpu].v[i];
	free(per);
	return ret;
}

static int read_hists(struct kvs_collect *c, struct kvs_bpf_hist *out)
{
	struct kvs_bpf_hist *per = calloc(c->ncpus, sizeof(*per));
	int ret = 0;

	if (!per)
		return -ENOMEM;
	memset(out, 0, KVS_NR_BPF_HISTS * sizeof(*out));
	for (__u32 h = 0; h < KVS_NR_BPF_HISTS && !ret; h++) {
		ret = bpf_map__lookup_elem(c->bpf.skel->maps.hists, &h, sizeof(h), per,
					   c->ncpus * sizeof(*per), 0);
		for (int cpu = 0; cpu < c->ncpus && !ret; cpu++) {
			for (int i = 0; i < KVS_BPF_HIST_SLOTS; i++)
				out[h].slots[i] += per[cpu].slots[i];
			out[h].count += per[cpu].count;
			out[h].sum_ns += per[cpu].sum_ns;
		}
	}
	free(per);
	return ret;
}

/* The caller a stack id stands for; cached, ids are stable (no REUSE_STACKID). */
static const char *stack_caller(struct kvs_collect *c, __s32 id)
{
	__u64 ips[KVS_STACK_DEPTH] = { 0 };
	char name[KVS_NAME_LEN];

	if (id < 0 || id >= KVS_MAX_STACKS)
		return "unknown";
	if (c->stack_names[id])
		return c->stack_names[id];
	if (!c->have_ksyms)
		return "unknown";
	if (bpf_map__lookup_elem(c->bpf.skel->maps.stacks, &id, sizeof(id), ips, sizeof(ips), 0))
		return "unknown";
	kvs_caller_name(&c->ksyms, (const uint64_t *)ips, KVS_STACK_DEPTH, name, sizeof(name));
	c->stack_names[id] = strdup(name);
	return c->stack_names[id] ? c->stack_names[id] : "unknown";
}

static void process_name(char *buf, size_t len, const char *comm, __u32 tgid)
{
	char safe[KVS_COMM_LEN + 1];

	memcpy(safe, comm, KVS_COMM_LEN);
	safe[KVS_COMM_LEN] = '\0';
	snprintf(buf, len, "%s[%u]", safe, tgid);
}

/* Exact mode: the attribution maps, read without deleting (no lookup/delete race). */
static int read_attribution(struct kvs_collect *c, struct kvs_snapshot *s,
			    const struct kvs_bpf_counters *cnt)
{
	struct kvs_attr callers = { 0 }, procs = { 0 };
	struct kvs_caller_key ck, *cprev = NULL;
	struct kvs_process_key pk, *pprev = NULL;
	struct kvs_attr_val v;
	char name[KVS_NAME_LEN];
	int ret = 0;

	while (!ret && !bpf_map__get_next_key(c->bpf.skel->maps.callers, cprev, &ck, sizeof(ck))) {
		cprev = &ck;
		if (bpf_map__lookup_elem(c->bpf.skel->maps.callers, &ck, sizeof(ck), &v, sizeof(v), 0))
			continue;
		ret = kvs_attr_add(&callers, stack_caller(c, ck.stackid), v.pages_populated,
				   v.populate_calls);
	}
	while (!ret && !bpf_map__get_next_key(c->bpf.skel->maps.processes, pprev, &pk, sizeof(pk))) {
		pprev = &pk;
		if (bpf_map__lookup_elem(c->bpf.skel->maps.processes, &pk, sizeof(pk), &v, sizeof(v), 0))
			continue;
		process_name(name, sizeof(name), pk.comm, pk.tgid);
		ret = kvs_attr_add(&procs, name, v.pages_populated, v.populate_calls);
	}
	if (!ret)
		ret = kvs_attr_to_list(&callers, &s->callers);
	if (!ret)
		ret = kvs_attr_to_list(&procs, &s->processes);
	kvs_attr_free(&callers);
	kvs_attr_free(&procs);
	s->callers.dropped_pages = cnt->v[KVS_C_CALLERS_DROPPED_PAGES];
	s->callers.dropped_calls = cnt->v[KVS_C_CALLERS_DROPPED_CALLS];
	s->processes.dropped_pages = cnt->v[KVS_C_PROCESSES_DROPPED_PAGES];
	s->processes.dropped_calls = cnt->v[KVS_C_PROCESSES_DROPPED_CALLS];
	return ret;
}

/* ---- estimate mode: replay area events ---- */

/* Past this, a drain gives the loop back (the producer may never pause). */
#define DRAIN_BUDGET_S 0.05
#define DRAIN_STOP (-EAGAIN)

static int on_area_event(void *ctx, void *data, size_t size)
{
	struct kvs_collect *c = ctx;
	const struct kvs_area_event *ev = data;
	const struct kvs_alloc_event *al = data;
	char name[KVS_NAME_LEN];
	long n = 0;

	if (size < sizeof(*ev))
		return 0;
	switch (ev->type) {
	case KVS_EV_ALLOC:
		if (size < sizeof(*al))
			return 0;
		n = kvs_estimate_alloc(&c->est, ev->addr, ev->size);
		if (n < 0)
			break;
		process_name(name, sizeof(name), al->comm, al->tgid);
		if (kvs_attr_add(&c->est_callers, stack_caller(c, al->stackid), n, 1) ||
		    kvs_attr_add(&c->est_processes, name, n, 1))
			n = -ENOMEM;
		break;
	case KVS_EV_FREE:
		kvs_estimate_free_area(&c->est, ev->addr);	/* unknown areas are counted */
		break;
	case KVS_EV_PURGE:
		n = kvs_estimate_purge(&c->est, ev->addr, ev->addr + ev->size, ev->npurged);
		break;
	}
	if (n < 0 && n != -EINVAL && !c->est_err)
		c->est_err = (int)n;
	/* libbpf stops consuming (after this record) on a negative return. */
	if (!(++c->drained & 255) && now_s(CLOCK_MONOTONIC) > c->drain_until)
		return DRAIN_STOP;
	return 0;
}

static int seed_area(void *arg, uint64_t start, uint64_t end, int lazy)
{
	return kvs_estimate_seed(arg, start, end, lazy);
}

static long seed_from_file(struct kvs_collect *c)
{
	FILE *f = fopen("/proc/vmallocinfo", "re");
	long n;

	if (!f)
		return -errno;
	n = kvs_vmallocinfo_parse(f, seed_area, &c->est);
	fclose(f);
	return n;
}

static int write_kptr_restrict(const char *v)
{
	FILE *f = fopen("/proc/sys/kernel/kptr_restrict", "we");
	int ret = 0;

	if (!f)
		return -errno;
	if (fputs(v, f) < 0)
		ret = -EIO;
	if (fclose(f) && !ret)
		ret = -errno;
	return ret;
}

static int seed_estimate(struct kvs_collect *c, char *err, size_t errlen)
{
	long n = seed_from_file(c);

	/*
	 * kptr_restrict=0 makes %pK print hashes, even to root. Level 1 shows
	 * real addresses to CAP_SYSLOG and is stricter for everyone else, so
	 * raise it for the one read and put 0 back.
	 */
	if (n == -EACCES && geteuid() == 0 && !write_kptr_restrict("1")) {
		kvs_estimate_free(&c->est);
		kvs_estimate_init(&c->est);
		n = seed_from_file(c);
		if (write_kptr_restrict("0"))
			fprintf(stderr, "kvshadowtop: could not restore kernel.kptr_restrict=0\n");
	}
	if (n < 0) {
		snprintf(err, errlen, "seeding from /proc/vmallocinfo: %s%s", strerror((int)-n),
			 n == -EACCES ? " (addresses hidden: run as root with CAP_SYSLOG)" : "");
		return (int)n;
	}
	kvs_estimate_reset_counters(&c->est);
	return 0;
}

/* ---- debugfs and /proc ---- */

static void counters_from_debugfs(struct kvs_counters *k, const struct vmalloc_shadow *vs)
{
	k->shadow_pages = vs->shadow_pages;
	k->shadow_pages_peak = vs->shadow_pages_peak;
	k->pages_populated = vs->pages_populated;
	k->pages_released = vs->pages_released;
	k->pages_allocated = vs->pages_allocated;
	k->populate_calls = vs->populate_calls;
	k->populate_failures = vs->populate_failures;
	k->release_calls = vs->release_calls;
}

static int debugfs_kv(struct kvs_snapshot *s, const struct vmalloc_shadow *vs)
{
	size_t n = vmalloc_shadow_nr_fields + vs->nr_extra;

	s->debugfs_kv = calloc(n, sizeof(*s->debugfs_kv));
	if (!s->debugfs_kv)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		bool known = i < vmalloc_shadow_nr_fields;
		const char *key = known ? vmalloc_shadow_fields[i].name :
			vs->extra[i - vmalloc_shadow_nr_fields].key;

		s->debugfs_kv[i].value = known ? vmalloc_shadow_get(vs, i) :
			vs->extra[i - vmalloc_shadow_nr_fields].value;
		s->debugfs_kv[i].key = strdup(key);
		if (!s->debugfs_kv[i].key)
			return -ENOMEM;
		s->nr_debugfs_kv = i + 1;
	}
	return 0;
}

static void read_meminfo(struct kvs_snapshot *s)
{
	s->have_vmalloc_used = !meminfo_vmalloc_used(NULL, &s->vmalloc_used_bytes,
						     s->unavailable.vmalloc_used, KVS_WHY_LEN);
}

/*
 * The baseline: debugfs and the BPF counters at one quiet instant. Reading
 * debugfs on both sides of the BPF read and retrying until no populate or
 * release call happened in between keeps the two views counting the same
 * events.
 */
static void take_baseline(struct kvs_collect *c)
{
	struct vmalloc_shadow a, b;
	char err[256];

	for (int tries = 0; tries < 20; tries++) {
		if (vmalloc_shadow_read(NULL, &a, err, sizeof(err))) {
			kvs_why(c->debugfs_why, "%s", err);
			break;
		}
		if (c->have_bpf && (read_counters(c, &c->bpf_base) || read_hists(c, c->hist_base))) {
			vmalloc_shadow_free(&a);
			break;
		}
		if (c->have_bpf)
			c->net_base = __atomic_load_n(&c->bpf.skel->bss->net_state.net, __ATOMIC_RELAXED);
		if (vmalloc_shadow_read(NULL, &b, err, sizeof(err))) {
			vmalloc_shadow_free(&a);
			break;
		}
		vmalloc_shadow_free(&b);
		if (a.populate_calls == b.populate_calls && a.release_calls == b.release_calls) {
			c->base = a;
			c->have_base = true;
			break;
		}
		vmalloc_shadow_free(&a);
	}
	c->start_mono = now_s(CLOCK_MONOTONIC);
}

int kvs_collect_open(struct kvs_collect **cp, enum kvs_mode mode, char *err, size_t errlen)
{
	struct kvs_collect *c = calloc(1, sizeof(*c));
	int ret = 0;

	*cp = NULL;
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	c->mode = mode;
	kvs_estimate_init(&c->est);
	if (mode != KVS_MODE_DEBUGFS) {
		ret = libbpf_num_possible_cpus();
		if (ret < 0) {
			snprintf(err, errlen, "counting CPUs: %s", strerror(-ret));
			goto fail;
		}
		c->ncpus = ret;
		ret = kvs_bpf_open(&c->bpf, mode, err, errlen);
		if (ret)
			goto fail;
		c->have_bpf = true;
		if (ksyms_load(NULL, &c->ksyms, c->ksyms_why, sizeof(c->ksyms_why)) == 0)
			c->have_ksyms = true;
	}
	if (mode == KVS_MODE_ESTIMATE) {
		c->rb = ring_buffer__new(bpf_map__fd(c->bpf.skel->maps.area_events), on_area_event, c, NULL);
		if (!c->rb) {
			ret = -errno;
			snprintf(err, errlen, "ring buffer: %s", strerror(errno));
			goto fail;
		}
		/* Attached before seeding: an area cannot slip between the two. */
		ret = seed_estimate(c, err, errlen);
		if (ret)
			goto fail;
	}
	if (mode == KVS_MODE_DEBUGFS) {
		struct vmalloc_shadow vs;

		/* The only source in this mode: without it every number would be a made-up 0. */
		ret = vmalloc_shadow_read(NULL, &vs, err, errlen);
		if (ret)
			goto fail;
		vmalloc_shadow_free(&vs);
	}
	take_baseline(c);
	*cp = c;
	return 0;
fail:
	kvs_collect_close(c);
	return ret;
}

int kvs_collect_fd(struct kvs_collect *c)
{
	return c->rb ? ring_buffer__epoll_fd(c->rb) : -1;
}

int kvs_collect_drain(struct kvs_collect *c)
{
	int ret;

	if (!c->rb)
		return 0;
	c->drain_until = now_s(CLOCK_MONOTONIC) + DRAIN_BUDGET_S;
	ret = ring_buffer__consume(c->rb);
	if (ret < 0 && ret != -EINTR && ret != DRAIN_STOP)
		return ret;
	return c->est_err;
}

#define SUB(x) (cnt.v[x] - c->bpf_base.v[x])

int kvs_collect_snapshot(struct kvs_collect *c, struct kvs_snapshot *s, char *err, size_t errlen)
{
	struct kvs_bpf_counters cnt = { 0 };
	struct kvs_bpf_hist hists[KVS_NR_BPF_HISTS];
	struct vmalloc_shadow vs;
	char derr[256];
	int ret;

	memset(s, 0, sizeof(*s));
	ret = kvs_collect_drain(c);
	if (ret) {
		snprintf(err, errlen, "estimate: %s", strerror(-ret));
		return ret;
	}
	s->ts = now_s(CLOCK_REALTIME);
	s->mono = now_s(CLOCK_MONOTONIC);
	s->start_mono = c->start_mono;
	s->mode = c->mode;

	if (!vmalloc_shadow_read(NULL, &vs, derr, sizeof(derr))) {
		s->have_debugfs = true;
		counters_from_debugfs(&s->debugfs, &vs);
		ret = debugfs_kv(s, &vs);
		vmalloc_shadow_free(&vs);
		if (ret)
			goto nomem;
	} else {
		kvs_why(s->unavailable.debugfs, "%s", derr);
	}
	if (c->have_base) {
		s->have_debugfs_base = true;
		counters_from_debugfs(&s->debugfs_base, &c->base);
	}
	read_meminfo(s);

	if (c->have_bpf) {
		ret = read_counters(c, &cnt);
		if (!ret)
			ret = read_hists(c, hists);
		if (ret) {
			snprintf(err, errlen, "reading BPF maps: %s", strerror(-ret));
			kvs_snapshot_free(s);
			return ret;
		}
		s->c.vmap_area_allocs = SUB(KVS_C_VMAP_AREA_ALLOCS);
		s->c.vmap_area_alloc_bytes = SUB(KVS_C_VMAP_AREA_ALLOC_BYTES);
		s->c.vmap_area_alloc_failures = SUB(KVS_C_VMAP_AREA_ALLOC_FAILURES);
		s->c.vmap_area_frees = SUB(KVS_C_VMAP_AREA_FREES);
		s->c.vmap_purges = SUB(KVS_C_VMAP_PURGES);
		s->c.vmap_areas_purged = SUB(KVS_C_VMAP_AREAS_PURGED);
		s->events_lost = cnt.v[KVS_C_EVENTS_LOST];
		for (int h = 0; h < KVS_NR_HISTS; h++) {
			s->hist_available[h] = c->bpf.hist_available[h];
			s->hist_source[h] = c->bpf.hist_source[h];
			memcpy(s->hist_why[h], c->bpf.hist_why[h], KVS_WHY_LEN);
			for (int i = 0; i < KVS_HIST_SLOTS; i++)
				s->hist[h].slots[i] = hists[h].slots[i] - c->hist_base[h].slots[i];
			s->hist[h].count = hists[h].count - c->hist_base[h].count;
			s->hist[h].sum_ns = hists[h].sum_ns - c->hist_base[h].sum_ns;
		}
		s->callers.available = c->have_ksyms;
		if (!c->have_ksyms)
			kvs_why(s->callers.why, "no kernel symbols: %s", c->ksyms_why);
		s->processes.available = true;
	} else {
		for (int h = 0; h < KVS_NR_HISTS; h++)
			kvs_why(s->hist_why[h], "debugfs mode: no latency without BPF");
		kvs_why(s->callers.why, "debugfs mode: no attribution without BPF");
		kvs_why(s->processes.why, "debugfs mode: no attribution without BPF");
		kvs_why(s->unavailable.attribution, "debugfs mode: no attribution without BPF");
	}
	if (!c->have_base && c->debugfs_why[0] && !s->unavailable.debugfs[0])
		kvs_why(s->unavailable.debugfs, "%s", c->debugfs_why);

	switch (c->mode) {
	case KVS_MODE_EXACT: {
		int64_t net = __atomic_load_n(&c->bpf.skel->bss->net_state.net, __ATOMIC_RELAXED);
		int64_t peak = __atomic_load_n(&c->bpf.skel->bss->net_state.peak, __ATOMIC_RELAXED);
		int64_t base = c->have_base ? (int64_t)c->base.shadow_pages : 0;
		int64_t now = base + net - c->net_base, hi = base + peak - c->net_base;

		s->c.populate_calls = SUB(KVS_C_POPULATE_CALLS);
		s->c.pages_populated = SUB(KVS_C_PAGES_POPULATED);
		s->c.pages_allocated = SUB(KVS_C_PAGES_ALLOCATED);
		s->c.populate_failures = SUB(KVS_C_POPULATE_FAILURES);
		s->c.release_calls = SUB(KVS_C_RELEASE_CALLS);
		s->c.pages_released = SUB(KVS_C_PAGES_RELEASED);
		s->c.shadow_pages = now > 0 ? (uint64_t)now : 0;
		s->c.shadow_pages_peak = hi > now ? (uint64_t)hi : s->c.shadow_pages;
		ret = read_attribution(c, s, &cnt);
		break;
	}
	case KVS_MODE_ESTIMATE:
		s->c.shadow_pages = c->est.shadow_pages;
		s->c.shadow_pages_peak = c->est.shadow_pages_peak;
		s->c.populate_calls = c->est.populate_calls;
		s->c.pages_populated = c->est.pages_populated;
		s->c.pages_allocated = c->est.pages_allocated;
		s->c.release_calls = c->est.release_calls;
		s->c.pages_released = c->est.pages_released;
		s->unknown_frees = c->est.unknown_frees;
		ret = kvs_attr_to_list(&c->est_callers, &s->callers);
		if (!ret)
			ret = kvs_attr_to_list(&c->est_processes, &s->processes);
		break;
	case KVS_MODE_DEBUGFS:
		if (s->have_debugfs) {
			struct kvs_counters b = c->have_base ? s->debugfs_base : (struct kvs_counters){ 0 };

			s->c.shadow_pages = s->debugfs.shadow_pages;
			/* The kernel's own high-water mark: since boot or reset. */
			s->c.shadow_pages_peak = s->debugfs.shadow_pages_peak;
			s->c.populate_calls = s->debugfs.populate_calls - b.populate_calls;
			s->c.pages_populated = s->debugfs.pages_populated - b.pages_populated;
			s->c.pages_allocated = s->debugfs.pages_allocated - b.pages_allocated;
			s->c.populate_failures = s->debugfs.populate_failures - b.populate_failures;
			s->c.release_calls = s->debugfs.release_calls - b.release_calls;
			s->c.pages_released = s->debugfs.pages_released - b.pages_released;
		}
		break;
	}
	if (ret)
		goto nomem;
	return 0;
nomem:
	kvs_snapshot_free(s);
	snprintf(err, errlen, "out of memory");
	return -ENOMEM;
}

void kvs_collect_close(struct kvs_collect *c)
{
	if (!c)
		return;
	ring_buffer__free(c->rb);
	kvs_bpf_close(&c->bpf);
	for (size_t i = 0; i < KVS_MAX_STACKS; i++)
		free(c->stack_names[i]);
	ksyms_free(&c->ksyms);
	kvs_attr_free(&c->est_callers);
	kvs_attr_free(&c->est_processes);
	kvs_estimate_free(&c->est);
	if (c->have_base)
		vmalloc_shadow_free(&c->base);
	free(c);
}
