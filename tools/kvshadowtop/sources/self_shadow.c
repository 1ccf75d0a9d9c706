// SPDX-License-Identifier: GPL-2.0
/* The shadow pages only kvshadowtop's own maps keep mapped (see self_shadow.h). */
#include "self_shadow.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf_iter.h"
#include "errmsg.h"
#include "kvshadow.h"
#include "pageset.h"
#include "selfmaps.skel.h"
#include "vmallocinfo.h"
#include "vmap_walk.h"

struct area {
	uint64_t start, end;
	bool ours;
};

struct areas {
	struct area *a;
	size_t nr, cap;
};

static int add_area(void *arg, uint64_t start, uint64_t end, int lazy)
{
	struct areas *s = arg;

	/* A lazily freed area is no one's: its shadow goes at the next purge. */
	if (lazy || end <= start)
		return 0;
	if (s->nr == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 1024;
		struct area *a = reallocarray(s->a, cap, sizeof(*a));

		if (!a)
			return -ENOMEM;
		s->a = a;
		s->cap = cap;
	}
	s->a[s->nr++] = (struct area){ .start = start, .end = end };
	return 0;
}

static int by_start(const void *x, const void *y)
{
	const struct area *a = x, *b = y;

	return a->start < b->start ? -1 : a->start > b->start;
}

/* Every live vmap area: /proc/vmallocinfo where it shows addresses, else the kernel's lists. */
static int list_areas(struct areas *s, char *err, size_t errlen)
{
	FILE *f = fopen("/proc/vmallocinfo", "re");
	long hidden = 0, ret;
	char why[256];

	if (!f)
		return kvs_err(err, errlen, -errno, "/proc/vmallocinfo: %s", strerror(errno));
	ret = kvs_vmallocinfo_parse(f, add_area, s, &hidden);
	fclose(f);
	if (ret == -EACCES) {
		s->nr = 0;
		ret = kvs_vmap_walk((size_t)hidden, add_area, s, why, sizeof(why));
		if (ret < 0)
			return kvs_err(err, errlen, (int)ret, "/proc/vmallocinfo hides the "
				       "addresses and %s", why);
	} else if (ret < 0) {
		return kvs_err(err, errlen, (int)ret, "reading /proc/vmallocinfo: %s",
			       strerror((int)-ret));
	}
	qsort(s->a, s->nr, sizeof(*s->a), by_start);
	return 0;
}

/* Append id to ids (n of them, room for max); what names the list in the error. */
static int push_id(__u32 *ids, __u32 *n, __u32 max, __u32 id, const char *what,
		   char *err, size_t errlen)
{
	if (*n >= max)
		return kvs_err(err, errlen, -E2BIG, "more than %u %s", max, what);
	ids[(*n)++] = id;
	return 0;
}

/* The ids of obj's maps, and of the maps inside its maps of maps. */
static int map_ids(struct bpf_object *obj, __u32 *ids, __u32 *n, char *err, size_t errlen)
{
	struct bpf_map *m;
	int ret = 0;

	bpf_object__for_each_map(m, obj) {
		struct bpf_map_info info = {};
		__u32 len = sizeof(info);
		int fd = bpf_map__fd(m);

		if (fd < 0)
			continue;	/* not created (autocreate off) */
		if (bpf_obj_get_info_by_fd(fd, &info, &len))
			return kvs_err(err, errlen, -errno, "map %s: %s", bpf_map__name(m),
				       strerror(errno));
		ret = push_id(ids, n, KVS_SELF_MAX_MAPS, info.id, "maps", err, errlen);
		for (__u32 k = 0; !ret && info.type == BPF_MAP_TYPE_ARRAY_OF_MAPS &&
				  k < info.max_entries; k++) {
			__u32 inner;

			if (!bpf_map_lookup_elem(fd, &k, &inner))	/* else an empty slot */
				ret = push_id(ids, n, KVS_SELF_MAX_MAPS, inner, "maps", err, errlen);
		}
		if (ret)
			return ret;
	}
	return 0;
}

/* The ids of obj's programs that are loaded. */
static int prog_ids(struct bpf_object *obj, __u32 *ids, __u32 *n, char *err, size_t errlen)
{
	struct bpf_program *p;
	int ret;

	bpf_object__for_each_program(p, obj) {
		__u32 id;

		if (bpf_program__fd(p) < 0)
			continue;	/* not loaded (autoload off) */
		ret = kvs_prog_id(p, &id);
		if (ret)
			return kvs_err(err, errlen, ret, "program %s: %s", bpf_program__name(p),
				       strerror(-ret));
		ret = push_id(ids, n, KVS_SELF_MAX_PROGS, id, "programs", err, errlen);
		if (ret)
			return ret;
	}
	return 0;
}

struct addrs {
	__u64 *a;
	size_t nr, cap;
};

/* kvs_iter_sink: the iterator's addresses, appended to out. */
static int add_addrs(void *arg, const void *buf, size_t len)
{
	struct addrs *out = arg;
	size_t n = len / sizeof(*out->a);

	/* It writes whole addresses and reads come in multiples of them. */
	if (len % sizeof(*out->a))
		return -EPROTO;
	if (out->nr + n > out->cap) {
		size_t cap = out->cap ? out->cap : 256;
		__u64 *a;

		while (cap < out->nr + n)
			cap *= 2;
		a = reallocarray(out->a, cap, sizeof(*a));
		if (!a)
			return -ENOMEM;
		out->a = a;
		out->cap = cap;
	}
	memcpy(out->a + out->nr, buf, len);
	out->nr += n;
	return 0;
}

/* The kernel addresses the maps' data and the programs may live at (bpf/selfmaps.bpf.c). */
static int self_addresses(const __u32 *maps, __u32 nr_maps, const __u32 *progs, __u32 nr_progs,
			  struct addrs *out, char *err, size_t errlen)
{
	struct kvs_selfmaps_skel *s = kvs_selfmaps_skel__open();
	int ret;

	if (!s)
		return kvs_err(err, errlen, -errno, "opening the map iterator: %s", strerror(errno));
	memcpy((void *)s->rodata->map_ids, maps, nr_maps * sizeof(*maps));
	s->rodata->nr_map_ids = nr_maps;
	memcpy((void *)s->rodata->prog_ids, progs, nr_progs * sizeof(*progs));
	s->rodata->nr_prog_ids = nr_progs;
	ret = kvs_selfmaps_skel__load(s);
	if (ret)
		ret = kvs_err(err, errlen, ret, "loading the map iterator: %s", strerror(-ret));
	if (!ret)
		ret = kvs_iter_run(s->progs.kvs_self_maps, add_addrs, out, err, errlen);
	if (!ret)
		ret = kvs_iter_run(s->progs.kvs_self_progs, add_addrs, out, err, errlen);
	kvs_selfmaps_skel__destroy(s);
	return ret;
}

/* The live area holding address p, or NULL. */
static struct area *area_of(const struct areas *s, uint64_t p)
{
	size_t lo = 0, hi = s->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->a[mid].end <= p)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->nr && s->a[lo].start <= p ? &s->a[lo] : NULL;
}

int kvs_self_shadow(struct bpf_object *obj, uint64_t span, uint64_t *pages,
		    char *err, size_t errlen)
{
	__u32 maps[KVS_SELF_MAX_MAPS], progs[KVS_SELF_MAX_PROGS], nr_maps = 0, nr_progs = 0;
	struct kvs_pageset set = { 0 };
	struct addrs addr = { 0 };
	struct areas s = { 0 };
	long added = 0, r;
	int ret;

	/*
	 * The areas first: the iterators' own maps and programs, loaded
	 * after, are not in the list (the walk leaves out its own).
	 */
	ret = list_areas(&s, err, errlen);
	if (!ret)
		ret = map_ids(obj, maps, &nr_maps, err, errlen);
	if (!ret)
		ret = prog_ids(obj, progs, &nr_progs, err, errlen);
	if (!ret)
		ret = self_addresses(maps, nr_maps, progs, nr_progs, &addr, err, errlen);
	if (ret)
		goto out;
	/* Ours: the areas our addresses fall in (a kmalloc'd one falls in none). */
	for (size_t i = 0; i < addr.nr; i++) {
		struct area *a = area_of(&s, addr.a[i]);

		if (a)
			a->ours = true;
	}
	for (size_t i = 0; i < s.nr; i++) {
		if (!s.a[i].ours)
			continue;
		r = kvs_pageset_add(&set, s.a[i].start / span, (s.a[i].end - 1) / span + 1);
		if (r < 0) {
			ret = kvs_err(err, errlen, (int)r, "out of memory");
			goto out;
		}
		added += r;
	}
	/*
	 * Another area can share only its first or last shadow page with
	 * ours: the areas do not overlap.
	 */
	for (size_t i = 0; i < s.nr; i++) {
		if (s.a[i].ours)
			continue;
		added -= kvs_pageset_remove(&set, s.a[i].start / span, s.a[i].start / span + 1);
		added -= kvs_pageset_remove(&set, (s.a[i].end - 1) / span, (s.a[i].end - 1) / span + 1);
	}
	*pages = (uint64_t)added;
out:
	kvs_pageset_free(&set);
	free(s.a);
	free(addr.a);
	return ret;
}
