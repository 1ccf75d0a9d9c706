// SPDX-License-Identifier: GPL-2.0
/* collect: the source, the debugfs file and /proc into one reading. I/O only. */
#include "collect.h"
#include "clock.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>

#include "meminfo.h"
#include "nodes.h"
#include "options.h"
#include "vmalloc_shadow.h"
#include "vmallocinfo.h"
#include "errmsg.h"

struct kvs_collect {
	enum kvs_mode mode;
	const struct kvs_source_ops *source;
	void *source_state;
	const char *debugfs_path;	/* NULL: the kernel's */
	/* Why the file was missing at the last reading: kept while it stays missing. */
	char missing_why[512];
	char no_bpf_why[KVS_WHY_LEN];	/* why an automatic choice fell back to debugfs mode */
	char no_self_why[KVS_WHY_LEN];	/* why the tool's own cost cannot be measured */
	const char *nodes_root;		/* NULL: the kernel's (KVSHADOW_NODE_ROOT: a test's) */
	char no_nodes_why[KVS_WHY_LEN];	/* the kernel has no per-node count: not read again */
	bool check_quiet;		/* exact mode, baseline not aligned: read debugfs around the source */
};

int kvs_collect_open(struct kvs_collect **cp, enum kvs_mode mode,
		     const struct kvs_source_ops *source, const struct kvs_options *o,
		     char *err, size_t errlen)
{
	struct kvs_collect *c = calloc(1, sizeof(*c));
	int ret;

	*cp = NULL;
	if (!c)
		return kvs_err(err, errlen, -ENOMEM, "out of memory");
	c->mode = mode;
	c->debugfs_path = o->debugfs_file;
	c->nodes_root = getenv("KVSHADOW_NODE_ROOT");
	if (mode == KVS_MODE_ESTIMATE)
		kvs_why(c->no_nodes_why, "estimate mode: a kernel without KASAN_VMALLOC");
	if (mode != KVS_MODE_DEBUGFS) {
		if (!source) {
			free(c);
			return kvs_err(err, errlen, -ENOTSUP,
				       "%s mode needs BPF, which this tool does not have",
				       kvs_mode_name(mode));
		}
		ret = source->open(&c->source_state, mode, o, err, errlen);
		if (ret) {
			free(c);
			return ret;
		}
		c->source = source;
	} else {
		struct vmalloc_shadow vs;

		/* The only source in this mode: without it every number would be a made-up 0. */
		ret = vmalloc_shadow_read(c->debugfs_path, &vs, err, errlen);
		if (ret) {
			free(c);
			return ret;
		}
		vmalloc_shadow_free(&vs);
	}
	*cp = c;
	return 0;
}

int kvs_collect_fd(struct kvs_collect *c)
{
	return c->source && c->source->fd ? c->source->fd(c->source_state) : -1;
}

int kvs_collect_drain(struct kvs_collect *c, double budget_s)
{
	return c->source && c->source->drain ? c->source->drain(c->source_state, budget_s) : 0;
}

void kvs_collect_set_self(struct kvs_collect *c, bool on)
{
	char err[KVS_WHY_LEN] = "";

	if (!c->source || !c->source->set_self)
		kvs_why(c->no_self_why, "no BPF programs in this mode");
	else if (c->source->set_self(c->source_state, on, err, sizeof(err)))
		kvs_why(c->no_self_why, "%s", err[0] ? err : "refused");
	else
		c->no_self_why[0] = '\0';
}

void kvs_collect_note_no_bpf(struct kvs_collect *c, const char *why)
{
	kvs_why(c->no_bpf_why, "%s", why);
}

/* The tool's own CPU time and resident memory: cheap, read every time. */
static void read_self(struct kvs_self *s)
{
	long page = sysconf(_SC_PAGESIZE);
	unsigned long long size, resident;
	struct rusage ru;
	FILE *f;

	if (!getrusage(RUSAGE_SELF, &ru))
		s->cpu_s = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
			   (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	f = fopen("/proc/self/statm", "re");
	if (!f)
		return;
	if (fscanf(f, "%llu %llu", &size, &resident) == 2 && page > 0)
		s->rss_bytes = resident * (unsigned long long)page;
	fclose(f);
}

/* The debugfs part of a reading. Its absence is a note, except in debugfs mode. */
static int read_debugfs(struct kvs_collect *c, struct kvs_reading *r, char *err, size_t errlen)
{
	struct vmalloc_shadow vs;
	char why[512];
	int ret;

	/*
	 * A kernel without the file has it missing at every interval: the
	 * diagnosis (debugfs mounted or not: a read of mountinfo) is made once
	 * and kept while the file stays missing; an access() says so.
	 */
	if (c->missing_why[0] && c->mode != KVS_MODE_DEBUGFS &&
	    access(c->debugfs_path ? c->debugfs_path : VMALLOC_SHADOW_PATH, F_OK) && errno == ENOENT) {
		kvs_why(r->unavailable.debugfs, "%s", c->missing_why);
		return 0;
	}
	c->missing_why[0] = '\0';
	ret = vmalloc_shadow_read(c->debugfs_path, &vs, why, sizeof(why));
	if (ret == -ENOENT)
		snprintf(c->missing_why, sizeof(c->missing_why), "%s", why);
	if (ret) {
		kvs_why(r->unavailable.debugfs, "%s", why);
		if (c->mode == KVS_MODE_DEBUGFS || ret == -EINTR)
			return kvs_err(err, errlen, ret, "%s", why);
		return 0;
	}
	r->have_debugfs = true;
	r->debugfs = vs.c;
	/* The extra keys move into the reading: no copy. */
	r->debugfs_extra = vs.extra;
	r->nr_debugfs_extra = vs.nr_extra;
	return 0;
}

/*
 * All live vmap areas, read once, at the baseline: /proc/vmallocinfo
 * formats a line with a symbol per area, tens of thousands of lines under
 * load (seconds under TCG), too costly every interval.
 */
static void read_vmap_bytes(struct kvs_reading *r)
{
	FILE *f = fopen("/proc/vmallocinfo", "re");
	int ret;

	if (!f) {
		kvs_why(r->unavailable.vmap_bytes, "/proc/vmallocinfo: %s", strerror(errno));
		return;
	}
	ret = kvs_vmallocinfo_bytes(f, &r->vmap_bytes);
	fclose(f);
	if (ret)
		kvs_why(r->unavailable.vmap_bytes, "/proc/vmallocinfo: %s", strerror(-ret));
	r->have_vmap_bytes = !ret;
}

/*
 * The kernel's shadow per NUMA node. A kernel without the count stays
 * without it: the first answer is kept, not asked again.
 */
static int read_nodes(struct kvs_collect *c, struct kvs_reading *r)
{
	char why[512];
	int ret;

	if (c->no_nodes_why[0]) {
		memcpy(r->unavailable.nodes, c->no_nodes_why, sizeof(r->unavailable.nodes));
		return 0;
	}
	ret = kvs_nodes_read(c->nodes_root, &r->nodes, &r->nr_nodes, why, sizeof(why));
	if (ret == -ENOMEM)
		return ret;
	if (ret == -ENOENT)
		kvs_why(c->no_nodes_why, "%s", why);
	if (ret)
		kvs_why(r->unavailable.nodes, "%s", why);
	r->have_nodes = !ret;
	return 0;
}

/* One reading of every source, as it stands. */
static int read_once(struct kvs_collect *c, struct kvs_reading *r, char *err, size_t errlen)
{
	int ret;

	memset(r, 0, sizeof(*r));
	r->ts = kvs_clock_s(CLOCK_REALTIME);
	r->mono = kvs_mono_s();
	if (c->source) {
		ret = c->source->read(c->source_state, r, err, errlen);
		if (ret)
			goto fail;
	} else {
		for (int h = 0; h < KVS_NR_HISTS; h++)
			kvs_why(r->hist_why[h], "debugfs mode: no latency without BPF");
		kvs_why(r->callers.why, "debugfs mode: no attribution without BPF");
		kvs_why(r->processes.why, "debugfs mode: no attribution without BPF");
		kvs_why(r->unavailable.attribution, "debugfs mode: no attribution without BPF");
	}
	ret = read_debugfs(c, r, err, errlen);
	if (ret)
		goto fail;
	ret = read_nodes(c, r);
	if (ret) {
		ret = kvs_err(err, errlen, ret, "out of memory");
		goto fail;
	}
	r->have_vmalloc_used = !meminfo_vmalloc_used(NULL, &r->vmalloc_used_bytes,
						     r->unavailable.vmalloc_used, KVS_WHY_LEN);
	read_self(&r->self);
	memcpy(r->unavailable.bpf, c->no_bpf_why, sizeof(r->unavailable.bpf));
	if (!r->unavailable.self[0])
		memcpy(r->unavailable.self, c->no_self_why, sizeof(r->unavailable.self));
	return 0;
fail:
	kvs_reading_free(r);
	return ret;
}

/* The source's activity token now; false when the source cannot tell. */
static bool activity(struct kvs_collect *c, uint64_t *token, bool *busy)
{
	*busy = false;
	return c->source && c->source->activity && c->source->activity(c->source_state, token, busy);
}

/*
 * A reading no purge cut through, where the source can tell: when a purge
 * ran while the sources were read, read again, up to twice more (the
 * purge's event is then in the model, its releases in the kernel's count;
 * under a vmalloc storm purges follow each other closely). If one runs
 * across the last reading too, the reading says so (purge_crossed): the
 * kernel's count may be ahead of the model by what that purge released.
 */
#define KVS_PURGE_TRIES 3
int kvs_collect_read(struct kvs_collect *c, struct kvs_reading *r, char *err, size_t errlen)
{
	uint64_t before = 0, after = 0;
	bool busy_before, busy_after, watched;
	int ret;

	for (int tries = 0;; tries++) {
		struct vmalloc_shadow first;
		char why[512];
		bool have_first = c->check_quiet &&
				  !vmalloc_shadow_read(c->debugfs_path, &first, why, sizeof(why));

		watched = activity(c, &before, &busy_before);
		ret = read_once(c, r, err, errlen);
		if (have_first) {
			r->debugfs_quiet = !ret && r->have_debugfs &&
					   first.c.populate_calls == r->debugfs.populate_calls &&
					   first.c.release_calls == r->debugfs.release_calls;
			vmalloc_shadow_free(&first);
		}
		if (ret)
			return ret;
		if (!watched)
			break;
		r->have_purge_crossed = true;
		r->purge_crossed = !activity(c, &after, &busy_after) || busy_before || busy_after ||
				   after != before;
		if (!r->purge_crossed || tries == KVS_PURGE_TRIES - 1)
			break;
		kvs_reading_free(r);
	}
	if (c->source && c->source->take)
		c->source->take(c->source_state, r);
	return 0;
}

int kvs_collect_baseline(struct kvs_collect *c, struct kvs_reading *r, char *err, size_t errlen)
{
	int ret;

	if (c->source && c->source->start)
		c->source->start(c->source_state);
	c->check_quiet = c->mode == KVS_MODE_EXACT;
	/* Exact mode tries a few instants (a debugfs read is cheap); a walk is not. */
	for (int tries = 0;; tries++) {
		/* /proc/vmallocinfo first (exact mode: where vmap_bytes starts, moved by events from here on). */
		struct kvs_reading vmap = { 0 };

		if (c->mode == KVS_MODE_EXACT)
			read_vmap_bytes(&vmap);
		ret = kvs_collect_read(c, r, err, errlen);
		if (ret)
			return ret;
		r->have_vmap_bytes = vmap.have_vmap_bytes;
		r->vmap_bytes = vmap.vmap_bytes;
		memcpy(r->unavailable.vmap_bytes, vmap.unavailable.vmap_bytes, KVS_WHY_LEN);
		r->aligned = kvs_reading_aligned(c->mode, r);
		if (r->aligned || c->mode != KVS_MODE_EXACT || tries == 20)
			break;
		kvs_reading_free(r);
	}
	c->check_quiet = c->mode == KVS_MODE_EXACT && !r->aligned;
	return 0;
}

void kvs_collect_align(struct kvs_collect *c, struct kvs_reading *base, const struct kvs_reading *now)
{
	if (kvs_baseline_align(c->mode, base, now))
		c->check_quiet = false;
}

void kvs_collect_close(struct kvs_collect *c)
{
	if (!c)
		return;
	if (c->source)
		c->source->close(c->source_state);
	free(c);
}
