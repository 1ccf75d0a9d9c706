// SPDX-License-Identifier: GPL-2.0
/* Estimate mode's source: replay, seed, grow and re-seed (see estimate_source.h). */
#include "estimate_source.h"
#include "clock.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "rows.h"
#include "estimate.h"
#include "kvshadow.h"
#include "sanitize.h"
#include "vmallocinfo.h"
#include "vmap_walk.h"
#include "errmsg.h"

/* A drain past its budget gives the loop back (the producer may never pause). */
#define DRAIN_STOP (-EAGAIN)
/* What a read drains of the ring before a swap, to see whether it is empty. */
#define RETIRE_BUDGET_S 0.01
/* What a seed from sizes drains right after its read (see seed_window()). */
#define SEED_WINDOW_BUDGET_S 1.0
/* Each loss makes the next ring buffer this much bigger, up to the cap. */
#define RING_GROWTH 4
#define RING_MAX (64u << 20)

struct kvs_estimate_source {
	struct kvs_estimate est;
	long page_size;
	struct kvs_rows callers, processes;
	uint64_t callers_dropped_pages;	/* no caller: the stack map was full (or no stack) */
	uint64_t callers_dropped_calls;
	kvs_caller_fn caller;
	void *ctx;
	int err;			/* first error inside the ring buffer callback */
	unsigned long drained;		/* records seen, to look at the clock now and then */
	double drain_until;		/* CLOCK_MONOTONIC end of this drain's budget */

	int rings_fd;			/* the programs' array of ring buffers */
	struct ring_buffer *rb;		/* the ring in use */
	int ring_fd;			/* ours to close, or -1 (the skeleton's) */
	uint32_t ring_size;
	struct ring_buffer *old_rb;	/* the one before a swap: drained first, then freed */
	int old_ring_fd;
	uint64_t lost_seen;		/* events_lost at the last re-seed */
	unsigned int reseeds;
	struct kvs_seed_note seed;	/* how the last seed was made */
	bool in_seed_window;		/* replaying what came before the seed was read */
	/* The last ALLOC's process and its row name: events come in runs. */
	uint32_t last_tgid;
	char last_comm[KVS_COMM_LEN];
	char last_name[KVS_NAME_LEN];
	/* The backlog the last FREE record reported, and a purge replayed since. */
	struct kvs_free_event lazy;
	bool lazy_stale;
};

/* "comm[tgid]" of an ALLOC record, sanitized once per run of one process's events. */
static const char *process_name(struct kvs_estimate_source *es, const struct kvs_alloc_event *al)
{
	if (!es->last_name[0] || al->tgid != es->last_tgid ||
	    memcmp(al->comm, es->last_comm, sizeof(es->last_comm))) {
		kvs_process_name(es->last_name, sizeof(es->last_name), al->comm, sizeof(al->comm),
				 al->tgid);
		es->last_tgid = al->tgid;
		memcpy(es->last_comm, al->comm, sizeof(es->last_comm));
	}
	return es->last_name;
}

_Static_assert(KVS_PURGE_ALL == KVS_EST_PURGE_ALL, "one value for a purge of every lazy area");
_Static_assert(offsetof(struct kvs_free_event, type) == offsetof(struct kvs_area_event, type),
	       "a FREE record's type is where every record has it");

/*
 * An ALLOC that needed a stack and got no stack id: the stack map was full
 * (or a collision, or no stack). Counted apart, as the BPF attribution
 * counts its full maps, not named "unknown".
 */
static bool caller_dropped(const struct kvs_alloc_event *al)
{
	return (al->flags & KVS_CALLER_STACK) && !(al->flags & KVS_CALLER_WALKED) &&
	       al->stackid < 0;
}

static int on_area_event(void *ctx, void *data, size_t size)
{
	struct kvs_estimate_source *es = ctx;
	const struct kvs_area_event *ev = data;
	const struct kvs_alloc_event *al = data;
	long n = 0;

	if (size < sizeof(*ev))
		return 0;
	switch (ev->type) {
	case KVS_EV_ALLOC:
		if (size < sizeof(*al))
			return 0;
		n = kvs_estimate_alloc(&es->est, ev->addr, ev->size);
		if (n < 0)
			break;
		if (es->in_seed_window)
			kvs_estimate_seeded_twice(&es->est, (uint64_t)n);
		if (caller_dropped(al)) {
			es->callers_dropped_pages += (uint64_t)n;
			es->callers_dropped_calls++;
		} else if (kvs_rows_add(&es->callers, es->caller(es->ctx, al->caller, al->stackid,
							       al->flags), n, 1, NULL, NULL)) {
			n = -ENOMEM;
			break;
		}
		if (kvs_rows_add(&es->processes, process_name(es, al), n, 1, NULL, NULL))
			n = -ENOMEM;
		break;
	case KVS_EV_FREE:
		if (size < sizeof(struct kvs_free_event))
			return 0;
		kvs_estimate_free_area(&es->est, ev->addr);	/* unknown areas are counted */
		if (((const struct kvs_free_event *)data)->nr_lazy_max) {
			memcpy(&es->lazy, data, sizeof(es->lazy));
			es->lazy_stale = false;
		}
		break;
	case KVS_EV_PURGE:
		n = kvs_estimate_purge(&es->est, ev->addr, ev->addr + ev->size, ev->npurged);
		es->lazy_stale = true;
		break;
	}
	if (n < 0 && n != -EINVAL && !es->err)
		es->err = (int)n;
	/* libbpf stops consuming (after this record) on a negative return. */
	if (!(++es->drained & 255) && kvs_mono_s() > es->drain_until)
		return DRAIN_STOP;
	return 0;
}

static int seed_area(void *arg, uint64_t start, uint64_t end, int lazy)
{
	return kvs_estimate_seed(arg, start, end, lazy);
}

/* kernel.kptr_restrict, read only (the tool never writes it), or -1. */
static int kptr_restrict(void)
{
	FILE *f = fopen("/proc/sys/kernel/kptr_restrict", "re");
	int v = -1;

	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

struct size_seed {
	struct kvs_approx_seed *s;
	uint64_t page_size;
};

static int seed_size(void *arg, uint64_t bytes, int lazy)
{
	struct size_seed *ss = arg;

	/* The kernel's areas are whole pages: what is not, is not an area it shows. */
	if (!bytes || bytes % ss->page_size)
		return 0;
	return kvs_approx_seed_add(ss->s, bytes / ss->page_size, lazy);
}

/*
 * The seed from sizes alone, where the file hides the addresses: f read
 * again from its start. 0 or -errno with err.
 */
static int seed_from_sizes(struct kvs_estimate *e, FILE *f, long page_size, char *err,
			   size_t errlen)
{
	struct kvs_approx_seed *s = malloc(sizeof(*s));
	struct size_seed ss = { s, (uint64_t)page_size };
	long n;

	if (!s)
		return kvs_err(err, errlen, -ENOMEM, "out of memory");
	kvs_approx_seed_init(s, e->span / (uint64_t)page_size);
	n = fseek(f, 0, SEEK_SET) ? -errno : kvs_vmallocinfo_sizes(f, seed_size, &ss);
	if (n >= 0 && kvs_approx_seed_finish(s))
		n = -ENOMEM;
	if (n < 0) {
		kvs_approx_seed_free(s);
		free(s);
		return kvs_err(err, errlen, (int)n, "seeding from /proc/vmallocinfo's sizes: %s",
			       strerror((int)-n));
	}
	kvs_estimate_seed_approx(e, s);
	return 0;
}

/*
 * The live areas now, into a fresh estimate e. /proc/vmallocinfo prints them
 * with %pK: real addresses only with kptr_restrict=1 and CAP_SYSLOG. The
 * tool does not lower or raise that setting: where the addresses are
 * hidden it reads the kernel's vmap area lists with BPF (vmap_walk.h),
 * where kallsyms shows them, and otherwise seeds from the areas' sizes,
 * approximately, and says how to get the exact seed (in note).
 */
static int seed(struct kvs_estimate *e, long page_size, struct kvs_seed_note *note, char *err,
		size_t errlen)
{
	const char *path;
	FILE *f;
	long n, hidden = 0;

	if (kvs_estimate_init(e, page_size)) {
		return kvs_err(err, errlen, -EINVAL,
			       "estimate mode models power-of-two pages of 4 KiB or more; "
			       "this system's page size is %ld", page_size);
	}
	/* KVSHADOW_VMALLOCINFO: another file, for tests (the same text at a known instant). */
	path = getenv("KVSHADOW_VMALLOCINFO");
	f = fopen(path && *path ? path : "/proc/vmallocinfo", "re");
	if (!f) {
		n = -errno;
		return kvs_err(err, errlen, (int)n,
			       "seeding from %s: %s", path && *path ? path : "/proc/vmallocinfo",
			       strerror(errno));
	}
	n = kvs_vmallocinfo_parse(f, seed_area, e, &hidden);
	*note = (struct kvs_seed_note){ .kind = KVS_SEED_EXACT };
	if (n == -EACCES) {
		int kr = kptr_restrict(), walk_ret = -ENOENT;
		char walk_err[KVS_WHY_LEN] = "";

		/* Nothing was seeded: the same empty estimate (its page size was taken above). */
		kvs_estimate_free(e);
		n = kvs_estimate_init(e, page_size);
		/* Not beside another file: the lists are of this instant, not the file's. */
		if (!n && kr != 2 && !(path && *path)) {
			n = walk_ret = kvs_vmap_walk((size_t)hidden, seed_area, e, walk_err,
						     sizeof(walk_err));
			if (!n) {
				fclose(f);
				kvs_estimate_reset_counters(e);
				return 0;
			}
			/* A walk cut short may have seeded some: start again from sizes. */
			kvs_estimate_free(e);
			n = kvs_estimate_init(e, page_size);
		}
		if (n)
			n = kvs_err(err, errlen, -EINVAL, "page size %ld", page_size);
		else
			n = seed_from_sizes(e, f, page_size, err, errlen);
		note->kind = KVS_SEED_APPROXIMATE;
		if (kr == 2)
			kvs_why(note->why, "kernel.kptr_restrict=2 hides the area addresses even from "
				"root: seeded from sizes; exact seed: sysctl kernel.kptr_restrict=1");
		else if (kr == 1)
			kvs_why(note->why, "the area addresses need CAP_SYSLOG: seeded from sizes; "
				"exact seed: run as root");
		else if (walk_ret != -ENOENT)
			kvs_why(note->why, "kernel.kptr_restrict=%d hides the area addresses and "
				"the vmap list walk failed (%s): seeded from sizes", kr, walk_err);
		else
			kvs_why(note->why, "kernel.kptr_restrict=%d hides the area addresses: seeded "
				"from sizes; exact seed: sysctl kernel.kptr_restrict=1", kr);
		fclose(f);
		if (n)
			return (int)n;
		kvs_estimate_reset_counters(e);
		return 0;
	}
	fclose(f);
	if (n < 0) {
		kvs_estimate_free(e);
		return kvs_err(err, errlen, (int)n,
			       "seeding from /proc/vmallocinfo: %s", strerror((int)-n));
	}
	kvs_estimate_reset_counters(e);
	return 0;
}

/*
 * Events were lost: the estimate misses areas or purges. Rebuild its areas
 * and shadow pages from the kernel's areas now; the cumulative counters
 * go on (they stay low by what was lost, which events_lost reports).
 */
static int reseed(struct kvs_estimate_source *es, char *err, size_t errlen)
{
	struct kvs_estimate fresh, *old = &es->est;
	int ret = seed(&fresh, es->page_size, &es->seed, err, errlen);
	uint64_t seeded;

	if (ret)
		return ret;
	/* The counts go on; the shadow now is the new seed's. */
	seeded = fresh.c.shadow_pages;
	fresh.c = old->c;
	fresh.c.shadow_pages = seeded;
	fresh.c.shadow_pages_peak = old->c.shadow_pages_peak > seeded ? old->c.shadow_pages_peak : seeded;
	fresh.unknown_frees = old->unknown_frees;
	fresh.reordered = old->reordered;
	fresh.merged_purges = old->merged_purges;
	kvs_estimate_free(old);
	*old = fresh;
	es->reseeds++;
	return 0;
}

/* Consume rb within the drain budget: records consumed (1 when cut short), or -errno. */
static int consume(struct kvs_estimate_source *es, struct ring_buffer *rb)
{
	int ret = ring_buffer__consume(rb);

	return ret == DRAIN_STOP || ret == -EINTR ? 1 : ret;
}

/*
 * Right after a seed from sizes: the records waiting now came from before
 * its read, some of them of areas in it too: their pages may count twice.
 * 0 or -errno.
 */
static int seed_window(struct kvs_estimate_source *es)
{
	int ret = 0;

	if (!es->est.approx)
		return 0;
	es->in_seed_window = true;
	es->drain_until = kvs_mono_s() + SEED_WINDOW_BUDGET_S;
	if (es->old_rb)
		ret = consume(es, es->old_rb);
	if (ret >= 0)
		ret = consume(es, es->rb);
	es->in_seed_window = false;
	return ret < 0 ? ret : es->err;
}

/* Retire the ring before the last swap: late records of programs that looked it up before. */
static void drop_old(struct kvs_estimate_source *es)
{
	ring_buffer__free(es->old_rb);
	es->old_rb = NULL;
	if (es->old_ring_fd >= 0)
		close(es->old_ring_fd);
	es->old_ring_fd = -1;
}

/* A ring buffer RING_GROWTH times bigger in the programs' slot; the old one drains first. */
static int grow(struct kvs_estimate_source *es)
{
	uint32_t size = es->ring_size >= RING_MAX / RING_GROWTH ? RING_MAX :
			es->ring_size * RING_GROWTH;
	struct ring_buffer *rb;
	__u32 zero = 0;
	int fd;

	if (size <= es->ring_size)
		return 0;
	fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "kvs_area_events", 0, 0, size, NULL);
	if (fd < 0)
		return -errno;
	rb = ring_buffer__new(fd, on_area_event, es, NULL);
	if (!rb) {
		close(fd);
		return -ENOMEM;
	}
	if (bpf_map_update_elem(es->rings_fd, &zero, &fd, BPF_ANY)) {
		int e = errno;

		ring_buffer__free(rb);
		close(fd);
		return -e;
	}
	drop_old(es);
	es->old_rb = es->rb;
	es->old_ring_fd = es->ring_fd;
	es->rb = rb;
	es->ring_fd = fd;
	es->ring_size = size;
	return 0;
}

void kvs_estimate_source_merged_purges(struct kvs_estimate_source *es)
{
	es->est.merged_purges = true;
}

void kvs_estimate_source_lazy(const struct kvs_estimate_source *es, struct kvs_purge *p)
{
	p->have_lazy = es->lazy.nr_lazy_max != 0;
	if (!p->have_lazy)
		return;
	p->lazy_pages = es->lazy.nr_lazy;
	p->lazy_max_pages = es->lazy.nr_lazy_max;
	p->lazy_mono = (double)es->lazy.ns / 1e9;
	p->lazy_stale = es->lazy_stale;
}

int kvs_estimate_source_open(struct kvs_estimate_source **esp, int rings_fd, int ring_fd,
			     long page_size, unsigned int rows, kvs_caller_fn caller, void *ctx,
			     char *err, size_t errlen)
{
	struct kvs_estimate_source *es = calloc(1, sizeof(*es));
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info);
	int ret;

	*esp = NULL;
	if (!es)
		return kvs_err(err, errlen, -ENOMEM, "out of memory");
	es->page_size = page_size;
	es->callers.max = es->processes.max = rows;
	es->caller = caller;
	es->ctx = ctx;
	es->rings_fd = rings_fd;
	es->ring_fd = es->old_ring_fd = -1;
	if (bpf_obj_get_info_by_fd(ring_fd, &info, &len)) {
		ret = kvs_err(err, errlen, -errno, "ring buffer: %s", strerror(errno));
		goto fail;
	}
	es->ring_size = info.max_entries;
	es->rb = ring_buffer__new(ring_fd, on_area_event, es, NULL);
	if (!es->rb) {
		ret = kvs_err(err, errlen, -errno, "ring buffer: %s", strerror(errno));
		goto fail;
	}
	/* The programs are attached before the seed: no area slips between the two. */
	ret = seed(&es->est, page_size, &es->seed, err, errlen);
	if (!ret && (ret = seed_window(es)))
		ret = kvs_err(err, errlen, ret, "estimate: replaying events: %s", strerror(-ret));
	if (ret)
		goto fail;
	*esp = es;
	return 0;
fail:
	kvs_estimate_source_close(es);
	return ret;
}

int kvs_estimate_source_fd(struct kvs_estimate_source *es)
{
	return ring_buffer__epoll_fd(es->rb);
}

int kvs_estimate_source_drain(struct kvs_estimate_source *es, double budget_s)
{
	int ret = 0;

	es->drain_until = kvs_mono_s() + budget_s;
	/* Older records first: the ring before a swap, then the one in use. */
	if (es->old_rb)
		ret = consume(es, es->old_rb);
	if (ret >= 0)
		ret = consume(es, es->rb);
	return ret < 0 ? ret : es->err;
}

int kvs_estimate_source_read(struct kvs_estimate_source *es, uint64_t events_lost,
			     struct kvs_reading *r, char *err, size_t errlen)
{
	struct kvs_est_lazy lazy;
	int ret;

	/* The ring before a swap goes once it stays empty for a whole interval. */
	es->drain_until = kvs_mono_s() + RETIRE_BUDGET_S;
	if (es->old_rb && consume(es, es->old_rb) == 0)
		drop_old(es);
	if (events_lost > es->lost_seen) {
		es->lost_seen = events_lost;
		/* A bigger ring can fail (memory): re-seed anyway. */
		(void)grow(es);
		ret = reseed(es, err, errlen);
		if (!ret && (ret = seed_window(es)))
			ret = kvs_err(err, errlen, ret, "estimate: replaying events: %s",
				      strerror(-ret));
		if (ret)
			return ret;
	}
	r->have_estimate = true;
	r->est = es->est.c;
	r->est_area_bytes = es->est.area_bytes;
	r->unknown_frees = es->est.unknown_frees;
	r->estimate_reseeds = es->reseeds;
	r->ring_buffer_bytes = es->ring_size;
	r->seed = es->seed;
	kvs_estimate_bound(&es->est, &r->seed.low, &r->seed.high);
	r->purge.have_waiting = kvs_estimate_lazy(&es->est, &lazy);
	r->purge.lazy_areas = lazy.areas;
	r->purge.lazy_area_bytes = lazy.bytes;
	r->purge.shadow_pages_waiting = lazy.shadow_pages;
	ret = kvs_rows_to_list(&es->callers, &r->callers);
	/* No room in the stack map, or no row left. */
	r->callers.dropped_pages = es->callers_dropped_pages + es->callers.dropped_pages;
	r->callers.dropped_calls = es->callers_dropped_calls + es->callers.dropped_calls;
	if (!ret)
		ret = kvs_rows_to_list(&es->processes, &r->processes);
	r->processes.dropped_pages = es->processes.dropped_pages;
	r->processes.dropped_calls = es->processes.dropped_calls;
	if (ret)
		return kvs_err(err, errlen, ret, "out of memory");
	return 0;
}

void kvs_estimate_source_close(struct kvs_estimate_source *es)
{
	if (!es)
		return;
	drop_old(es);
	ring_buffer__free(es->rb);
	if (es->ring_fd >= 0)
		close(es->ring_fd);
	kvs_rows_free(&es->callers);
	kvs_rows_free(&es->processes);
	kvs_estimate_free(&es->est);
	free(es);
}
