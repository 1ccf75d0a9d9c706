// SPDX-License-Identifier: GPL-2.0
/*
 * The JSON Lines view (--json): one object per interval, written through
 * jansson only. The keys are the contract of docs/interfaces.md §5; the
 * counters' keys are the names of lib/kvs_counters.h, null where the mode
 * cannot know them.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "json_view.h"
#include "sanitize.h"
#include "view.h"

/* jansson refcounts: json_object_set_new steals; a NULL value fails the whole line. */
static int set(json_t *o, const char *key, json_t *v)
{
	return v ? json_object_set_new(o, key, v) : -1;
}

/* JSON integers are signed 64-bit in jansson: beyond that, a real keeps the magnitude. */
static json_t *u64(uint64_t v)
{
	return v > INT64_MAX ? json_real((double)v) : json_integer((json_int_t)v);
}

static json_t *num_or_null(double v)
{
	return isnan(v) || isinf(v) ? json_null() : json_real(v);
}

/* The first n counters into o: known ones as numbers, the others null. */
static int counters_json(json_t *o, const struct kvs_counters *c, kvs_counter_mask known,
			 size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (set(o, kvs_counter_info[i].name, known & KVS_BIT(i) ?
			u64(kvs_counter_get(c, i)) : json_null()))
			return -1;
	return 0;
}

/* The debugfs keys of c (the first rows of the counter table) as an object. */
static json_t *debugfs_object(const struct kvs_counters *c)
{
	json_t *o = json_object();

	if (o && counters_json(o, c, KVS_DEBUGFS_COUNTERS, KVS_NR_DEBUGFS)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *delta_json(const struct kvs_model *m)
{
	json_t *o = json_object();

	for (size_t i = 0; o && i < KVS_NR_COUNTERS; i++) {
		if (!kvs_model_knows(m, i))
			continue;
		if (set(o, kvs_counter_info[i].name, json_integer(m->delta[i]))) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

/* The debugfs file as an object: its known keys in order, then newer ones. */
static json_t *debugfs_json(const struct kvs_model *m)
{
	json_t *o;

	if (!m->have_debugfs)
		return json_null();
	o = debugfs_object(&m->debugfs);
	for (size_t i = 0; o && i < m->nr_debugfs_extra; i++) {
		if (set(o, m->debugfs_extra[i].key, u64(m->debugfs_extra[i].value))) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

static json_t *debugfs_baseline_json(const struct kvs_model *m)
{
	return m->have_debugfs_base ? debugfs_object(&m->debugfs_base) : json_null();
}

static json_t *latency_json(const struct kvs_model *m)
{
	json_t *o = json_object();

	for (int h = 0; o && h < KVS_NR_HISTS; h++) {
		const struct kvs_hist *hi = &m->hist[h];
		json_t *e = hi->available ?
			json_pack("{s:b, s:s, s:I, s:o, s:o, s:o, s:o}", "available", 1,
				  "source", hi->source ? hi->source : "unknown",
				  "count", (json_int_t)hi->total.count,
				  "p50_ns", num_or_null(hi->p50_ns), "p99_ns", num_or_null(hi->p99_ns),
				  "interval_p50_ns", num_or_null(hi->interval_p50_ns),
				  "interval_p99_ns", num_or_null(hi->interval_p99_ns)) :
			json_pack("{s:b, s:s}", "available", 0, "why", hi->why);

		if (set(o, kvs_hist_name(h), e)) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

static json_t *top_json(const struct kvs_model *m, const struct kvs_options *o)
{
	const char *key = kvs_bys[o->by].name;
	struct kvs_top_entry *rows, other;
	char safe[KVS_NAME_LEN];
	json_t *a = json_array();
	size_t n;

	if (!a)
		return NULL;
	n = kvs_view_fold(m, o, &rows, &other);
	for (size_t i = 0; i <= n; i++) {
		const struct kvs_top_entry *e = i < n ? &rows[i] : &other;

		if (i == n && !other.pages_populated && !other.populate_calls)
			break;
		/* jansson refuses invalid UTF-8: a name must never stop the exporter. */
		if (json_array_append_new(a, json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o}", key,
				kvs_sanitize(safe, sizeof(safe), e->name, sizeof(e->name)),
				"pages_populated", u64(e->pages_populated),
				"populate_calls", u64(e->populate_calls),
				"vmalloc_p50_ns", num_or_null(e->vmalloc_p50_ns),
				"vmalloc_p99_ns", num_or_null(e->vmalloc_p99_ns),
				"populate_p50_ns", num_or_null(e->populate_p50_ns),
				"populate_p99_ns", num_or_null(e->populate_p99_ns)))) {
			json_decref(a);
			a = NULL;
			break;
		}
	}
	free(rows);
	return a;
}

/*
 * "top_dropped": what the bounded attribution maps could not hold (a full
 * map, no stack id): in "top" as part of "other", here apart, so that a
 * full map shows as full and not as one more row.
 */
static json_t *dropped_json(const struct kvs_model *m, const struct kvs_options *o)
{
	const struct kvs_top_list *l = kvs_model_top(m, o->by);

	return json_pack("{s:o, s:o}", "pages_populated", u64(l->dropped_pages),
			 "populate_calls", u64(l->dropped_calls));
}

/* "shadow_pages_bound": where an approximate seed puts the true count, else null. */
static json_t *bound_json(const struct kvs_model *m)
{
	if (m->seed.kind != KVS_SEED_APPROXIMATE)
		return json_null();
	return json_pack("{s:o, s:o}", "low", u64(m->seed.low), "high", u64(m->seed.high));
}

/* "nodes": the kernel's shadow per NUMA node, or null where it cannot tell. */
static json_t *nodes_json(const struct kvs_model *m)
{
	json_t *a;

	if (!m->have_nodes)
		return json_null();
	a = json_array();
	for (size_t i = 0; a && i < m->nr_nodes; i++) {
		if (json_array_append_new(a, json_pack("{s:I, s:o}", "node",
				(json_int_t)m->nodes[i].node, "shadow_pages",
				u64(m->nodes[i].shadow_pages)))) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

/*
 * "purge": the lazy backlog as the kernel last reported it (null where it
 * does not hold now), what purges cost, and stalls. Unknown is null, never 0.
 */
static json_t *purge_json(const struct kvs_model *m)
{
	const struct kvs_purge *p = &m->purge;
	const struct kvs_hist *h = &m->hist[KVS_HIST_PURGE];
	bool lazy = kvs_purge_lazy_known(p);

	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
			 "lazy_pages", lazy ? u64(p->lazy_pages) : json_null(),
			 "lazy_bytes", lazy ? u64(kvs_pages_to_bytes(p->lazy_pages, m->page_size)) :
			 json_null(),
			 "lazy_max_pages", p->have_lazy ? u64(p->lazy_max_pages) : json_null(),
			 "lazy_max_bytes", p->have_lazy ?
			 u64(kvs_pages_to_bytes(p->lazy_max_pages, m->page_size)) : json_null(),
			 "lazy_ts", p->have_lazy ? json_real(kvs_purge_lazy_ts(m)) : json_null(),
			 "lazy_areas", p->have_waiting ? u64(p->lazy_areas) : json_null(),
			 "lazy_areas_bytes", p->have_waiting ? u64(p->lazy_area_bytes) : json_null(),
			 "shadow_pages_waiting", p->have_waiting ? u64(p->shadow_pages_waiting) :
			 json_null(),
			 "count", h->available ? u64(h->total.count) : json_null(),
			 "p50_ns", h->available ? num_or_null(h->p50_ns) : json_null(),
			 "p99_ns", h->available ? num_or_null(h->p99_ns) : json_null(),
			 "stall_ns", p->have_stalls ? u64(p->stall_ns) : json_null(),
			 "stalls", p->have_stalls ? u64(p->stalls) : json_null(),
			 "interval_stalls", p->have_stalls ? u64(m->purge_stalls_new) : json_null());
}

/* One line through jansson; 0 or -errno. */
static int write_line(FILE *f, json_t *o)
{
	if (json_dumpf(o, f, KVS_JSON_FLAGS) || fputc('\n', f) == EOF ||
	    fflush(f))
		return errno ? -errno : -EIO;
	return 0;
}

/* "self": the tool's own cost while its statistics are on, else null. */
static json_t *self_json(const struct kvs_model *m)
{
	json_t *progs, *o;

	if (!m->have_self)
		return json_null();
	progs = json_array();
	if (!progs)
		return NULL;
	for (size_t i = 0; i < m->self.nr; i++) {
		const struct kvs_prog_cost *p = &m->self.prog[i];

		if (json_array_append_new(progs, json_pack("{s:s, s:o, s:o, s:o, s:o, s:o}",
				"program", p->name, "runs", u64(p->runs), "run_ns", u64(p->run_ns),
				"ns_per_run", p->runs ? json_real((double)p->run_ns / (double)p->runs) :
				json_null(),
				"interval_ns_per_run", num_or_null(m->self_ns_per_run[i]),
				"runs_per_s", json_real(m->self_runs_rate[i])))) {
			json_decref(progs);
			return NULL;
		}
	}
	o = json_pack("{s:o, s:o, s:o}", "cpu_percent", num_or_null(m->self_cpu_percent),
		      "rss_bytes", u64(m->self.rss_bytes), "programs", progs);
	return o;
}

/* "caller_walk": how estimate mode found its callers, else null. */
static json_t *walk_json(const struct kvs_model *m)
{
	const struct kvs_walk_stats *w = &m->walk;

	if (!m->have_walk)
		return json_null();
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
			 "walked", u64(w->walked), "unwound", u64(w->unwound),
			 "verified", u64(w->verified), "mismatches", u64(w->mismatches),
			 "paths", u64(w->paths), "frames", u64(w->frames),
			 "conflicts", u64(w->conflicts), "poisoned", u64(w->poisoned),
			 "learn_lost", u64(w->learn_lost));
}

/* A slow purge, by a kworker or inside a vmalloc (caller and size then). */
static json_t *slow_purge_json(const struct kvs_slow_rec *s)
{
	return json_pack("{s:s, s:f, s:I, s:I, s:s, s:o, s:o, s:o, s:o, s:o, s:b, s:o, s:o}",
			 "event", "slow_purge", "ts", s->ts,
			 "pid", (json_int_t)s->pid, "tgid", (json_int_t)s->tgid, "comm", s->comm,
			 "purge_ns", u64(s->purge_ns),
			 "areas", s->areas_known ? u64(s->areas) : json_null(),
			 "shadow_pages_released", s->shadow_known ? u64(s->shadow_released) :
			 json_null(),
			 "release_ns", s->shadow_known ? u64(s->release_ns) : json_null(),
			 "flush_ns", s->shadow_known ? u64(s->flush_ns) : json_null(),
			 "in_vmalloc", s->in_vmalloc,
			 "caller", s->in_vmalloc ? json_string(s->caller) : json_null(),
			 "size", s->in_vmalloc ? u64(s->size) : json_null());
}

/* One slow call as its event line's object. */
static json_t *slow_json(const struct kvs_slow_rec *s)
{
	if (s->kind == KVS_SLOW_PURGE)
		return slow_purge_json(s);
	return json_pack("{s:s, s:f, s:I, s:I, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o}",
			 "event", "slow_vmalloc", "ts", s->ts,
			 "pid", (json_int_t)s->pid, "tgid", (json_int_t)s->tgid,
			 "comm", s->comm, "caller", s->caller, "size", u64(s->size),
			 "vmalloc_ns", u64(s->vmalloc_ns),
			 "populate_ns", s->shadow_known ? u64(s->populate_ns) : json_null(),
			 "nr_populated", s->shadow_known ? u64(s->nr_populated) : json_null(),
			 "nr_allocated", s->shadow_known && s->allocated_known ?
			 u64(s->nr_allocated) : json_null(),
			 "release_ns", s->shadow_known ? u64(s->release_ns) : json_null());
}

json_t *kvs_json_events(const struct kvs_model *m)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < m->nr_slow_new; i++) {
		if (json_array_append_new(a, slow_json(&m->slow_new[i]))) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

json_t *kvs_json_interval(const struct kvs_model *m, const struct kvs_options *o)
{
	json_t *root = json_object();

	if (!root)
		return NULL;
	if (set(root, "ts", json_real(m->ts)) ||
	    set(root, "interval_s", json_real(m->interval_s)) ||
	    set(root, "mode", json_string(m->mode_name)) ||
	    set(root, "method", m->method[0] ? json_string(m->method) : json_null()) ||
	    counters_json(root, &m->total, m->known, KVS_NR_COUNTERS) ||
	    set(root, "since_boot", json_boolean(m->since_boot && m->updates == 1)) ||
	    set(root, "delta", delta_json(m)) ||
	    set(root, "peak_reset", json_boolean(m->peak_reset)) ||
	    set(root, "debugfs", debugfs_json(m)) ||
	    set(root, "debugfs_baseline", debugfs_baseline_json(m)) ||
	    set(root, "drift_pages", m->drift_valid ? u64(m->drift_pages) : json_null()) ||
	    set(root, "baseline_pending", json_boolean(m->baseline_pending)) ||
	    set(root, "pagetable_pages", m->have_pagetable ? u64(m->pagetable_pages) : json_null()) ||
	    set(root, "self_shadow_pages", m->have_self_shadow ? u64(m->self_shadow_pages) : json_null()) ||
	    set(root, "top", top_json(m, o)) ||
	    set(root, "top_by", json_string(kvs_by_name(o->by))) ||
	    set(root, "top_dropped", dropped_json(m, o)) ||
	    set(root, "shadow_bytes", kvs_model_knows(m, KVS_ID_shadow_pages) ?
		u64(m->shadow_bytes) : json_null()) ||
	    set(root, "vmalloc_used_bytes", m->have_vmalloc_used ?
		u64(m->vmalloc_used_bytes) : json_null()) ||
	    set(root, "overhead_ratio", num_or_null(m->overhead_ratio)) ||
	    set(root, "vmap_bytes", m->have_vmap_bytes ? u64(m->vmap_bytes) : json_null()) ||
	    set(root, "overhead_ratio_vmap", num_or_null(m->overhead_ratio_vmap)) ||
	    set(root, "latency", latency_json(m)) ||
	    set(root, "purge", purge_json(m)) ||
	    set(root, "events_lost", u64(m->events_lost)) ||
	    set(root, "purge_crossed", m->have_purge_crossed ? json_boolean(m->purge_crossed) :
		json_null()) ||
	    set(root, "unknown_frees", u64(m->unknown_frees)) ||
	    set(root, "estimate_reseeds", m->mode == KVS_MODE_ESTIMATE ?
		json_integer(m->estimate_reseeds) : json_null()) ||
	    set(root, "ring_buffer_bytes", m->mode == KVS_MODE_ESTIMATE ?
		u64(m->ring_buffer_bytes) : json_null()) ||
	    set(root, "estimate_seed", kvs_seed_name(m->seed.kind) ?
		json_string(kvs_seed_name(m->seed.kind)) : json_null()) ||
	    set(root, "shadow_pages_bound", bound_json(m)) ||
	    set(root, "nodes", nodes_json(m)) ||
	    set(root, "slow_lost", m->have_slow ? u64(m->slow_lost) : json_null()) ||
	    set(root, "self", self_json(m)) ||
	    set(root, "caller_walk", walk_json(m))) {
		json_decref(root);
		return NULL;
	}
	return root;
}

int kvs_json_line(FILE *f, json_t *o)
{
	return o ? write_line(f, o) : -ENOMEM;
}

int kvs_json_write(FILE *f, const struct kvs_model *m, const struct kvs_options *o)
{
	json_t *events = kvs_json_events(m), *root;
	size_t i;
	json_t *e;
	int ret = events ? 0 : -ENOMEM;

	json_array_foreach(events, i, e) {
		ret = write_line(f, e);
		if (ret)
			break;
	}
	json_decref(events);
	if (ret)
		return ret;
	root = kvs_json_interval(m, o);
	ret = kvs_json_line(f, root);
	json_decref(root);
	return ret;
}

static int json_update(void *state, const struct kvs_model *m, char *err, size_t errlen)
{
	errno = 0;
	return kvs_json_write(stdout, m, kvs_view_opts(state));
}

const struct kvs_view_ops kvs_json_view = {
	.name = "json",
	.open = kvs_view_open_opts,
	.update = json_update,
	.close = kvs_view_close_opts,
};
