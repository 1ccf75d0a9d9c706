// SPDX-License-Identifier: GPL-2.0
/* The kernel's vmap area lists, walked by BPF (see vmap_walk.h). */
#include "vmap_walk.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf_iter.h"
#include "errmsg.h"
#include "ksyms.h"
#include "kvshadow.h"
#include "vmapwalk.skel.h"

/* Walks that met a changing list before the tool gives up on this route. */
#define WALK_TRIES 5
/* bpf_loop() runs at most 1 << 23 steps, two per area at most. */
#define MAX_AREAS (1u << 21)

enum { SYM_NODES, SYM_NR_NODES, SYM_BUSY, SYM_LAZY, NR_SYMS };

static int find_symbols(uint64_t *addr, char *err, size_t errlen)
{
	static const char *const names[NR_SYMS] = {
		[SYM_NODES] = "vmap_nodes", [SYM_NR_NODES] = "nr_vmap_nodes",
		[SYM_BUSY] = "vmap_area_list", [SYM_LAZY] = "purge_vmap_area_list",
	};
	char why[256] = "";

	if (ksyms_find(NULL, names, addr, NR_SYMS, why, sizeof(why)))
		return kvs_err(err, errlen, -ENOENT, "%s", why);
	if ((addr[SYM_NODES] && addr[SYM_NR_NODES]) || addr[SYM_BUSY])
		return 0;
	return kvs_err(err, errlen, -ENOENT, "/proc/kallsyms shows no address of vmap_nodes "
		       "or vmap_area_list (a kernel without CONFIG_KALLSYMS_ALL, or "
		       "kernel.kptr_restrict=2)");
}

/*
 * Each list is in address order and its areas do not overlap (the kernel
 * keeps them so under its locks): a walk that says otherwise read a list
 * while it changed.
 */
static bool consistent(const struct kvs_va_rec *r, uint32_t n, long page_size)
{
	uint64_t mask = (uint64_t)page_size - 1;

	for (uint32_t i = 0; i < n; i++) {
		if (r[i].start >= r[i].end || (r[i].start & mask) || (r[i].end & mask))
			return false;
		if (i && r[i].list == r[i - 1].list && r[i].start < r[i - 1].end)
			return false;
	}
	return true;
}

/* An area of the walk's own maps or programs: gone once it is closed, not the system's. */
static bool walks_own(const struct kvs_va_rec *r, const __u64 *own)
{
	for (int i = 0; i < 5; i++)
		if (r->start <= own[i] && own[i] < r->end)
			return true;
	return false;
}

/* Where the walk's own programs are (bpf/vmapwalk.bpf.c: kvs_vmap_walk_own). */
static int find_own(struct kvs_vmapwalk_skel *s, char *err, size_t errlen)
{
	int ret = kvs_prog_id(s->progs.kvs_vmap_walk, &s->bss->own_prog_ids[0]);

	if (!ret)
		ret = kvs_prog_id(s->progs.kvs_vmap_walk_own, &s->bss->own_prog_ids[1]);
	if (ret)
		return kvs_err(err, errlen, ret, "the vmap area walk's programs: %s", strerror(-ret));
	/* It writes nothing: reading to the end runs it over every program. */
	return kvs_iter_run(s->progs.kvs_vmap_walk_own, NULL, NULL, err, errlen);
}

static int run(struct kvs_vmapwalk_skel *s, char *err, size_t errlen)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);

	if (bpf_prog_test_run_opts(bpf_program__fd(s->progs.kvs_vmap_walk), &opts))
		return kvs_err(err, errlen, -errno, "running the vmap area walk: %s",
			       strerror(errno));
	return 0;
}

static int walk(struct kvs_vmapwalk_skel *s, const struct kvs_va_rec *recs, uint32_t *n,
		long page_size, char *err, size_t errlen)
{
	int ret = 0;

	for (int i = 0; i < WALK_TRIES; i++) {
		ret = run(s, err, errlen);
		if (ret)
			return ret;
		*n = s->bss->walk.n;
		ret = s->bss->walk.err;
		if (ret == -E2BIG)
			return kvs_err(err, errlen, ret, "the vmap area walk found more than %u "
				       "areas", s->rodata->max_areas);
		if (!ret && consistent(recs, *n, page_size))
			return 0;
	}
	return kvs_err(err, errlen, -EAGAIN, "the kernel's vmap area lists changed under "
		       "%d walks in a row (%s)", WALK_TRIES,
		       ret ? strerror(-ret) : "out of order");
}

int kvs_vmap_walk(size_t hint, kvs_va_fn fn, void *arg, char *err, size_t errlen)
{
	long page_size = sysconf(_SC_PAGESIZE);
	uint64_t addr[NR_SYMS] = { 0 };
	struct kvs_vmapwalk_skel *s;
	struct kvs_va_rec *recs;
	uint32_t max, n = 0;
	size_t len;
	int ret;

	ret = find_symbols(addr, err, errlen);
	if (ret)
		return ret;
	max = hint < MAX_AREAS / 2 - 512 ? 2 * (uint32_t)hint + 1024 : MAX_AREAS;
	s = kvs_vmapwalk_skel__open();
	if (!s)
		return kvs_err(err, errlen, -errno, "opening the vmap area walk: %s",
			       strerror(errno));
	if (addr[SYM_NODES] && addr[SYM_NR_NODES]) {
		s->rodata->vmap_nodes_sym = addr[SYM_NODES];
		s->rodata->nr_vmap_nodes_sym = addr[SYM_NR_NODES];
	} else {
		s->rodata->busy_list_sym = addr[SYM_BUSY];
		s->rodata->lazy_list_sym = addr[SYM_LAZY];
	}
	s->rodata->max_areas = max;
	ret = bpf_map__set_max_entries(s->maps.va_out, max);
	if (!ret)
		ret = bpf_program__set_autoload(s->progs.kvs_vmap_walk, true);
	if (!ret)
		ret = bpf_program__set_autoload(s->progs.kvs_vmap_walk_own, true);
	if (!ret)
		ret = kvs_vmapwalk_skel__load(s);
	if (ret) {
		ret = kvs_err(err, errlen, ret, "loading the vmap area walk: %s", strerror(-ret));
		goto out;
	}
	ret = find_own(s, err, errlen);
	if (ret)
		goto out;
	len = ((size_t)max * sizeof(*recs) + (size_t)page_size - 1) & ~((size_t)page_size - 1);
	recs = mmap(NULL, len, PROT_READ, MAP_SHARED, bpf_map__fd(s->maps.va_out), 0);
	if (recs == MAP_FAILED) {
		ret = kvs_err(err, errlen, -errno, "mapping the vmap area walk's result: %s",
			      strerror(errno));
		goto out;
	}
	ret = walk(s, recs, &n, page_size, err, errlen);
	for (uint32_t i = 0; !ret && i < n; i++)
		if (!walks_own(&recs[i], s->bss->walk.own))
			ret = fn(arg, recs[i].start, recs[i].end, (int)recs[i].lazy);
	munmap(recs, len);
out:
	kvs_vmapwalk_skel__destroy(s);
	return ret;
}
