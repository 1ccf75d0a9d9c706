// SPDX-License-Identifier: GPL-2.0
/* The recording's header and state lines, written from the model (see recfmt.h). */
#include "recfmt.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* jansson's integers are signed: beyond INT64_MAX a decimal string keeps every digit. */
static json_t *u64_json(uint64_t v)
{
	char buf[24];

	if (v <= INT64_MAX)
		return json_integer((json_int_t)v);
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	return json_string(buf);
}

/*
 * A name as the kernel gave it: a string when it is valid UTF-8, else its
 * bytes as an array, so that the report sanitizes it as the live run did.
 */
static json_t *name_json(const char *s)
{
	json_t *j = json_string(s), *a;

	if (j)
		return j;
	a = json_array();
	for (const unsigned char *p = (const unsigned char *)s; a && *p; p++)
		if (json_array_append_new(a, json_integer(*p))) {
			json_decref(a);
			return NULL;
		}
	return a;
}

static int put(json_t *o, const char *key, json_t *v)
{
	return v ? json_object_set_new(o, key, v) : -1;
}

static json_t *counters_json(const struct kvs_counters *c)
{
	json_t *o = json_object();

	for (size_t i = 0; o && i < KVS_NR_COUNTERS; i++)
		if (put(o, kvs_counter_info[i].name, u64_json(kvs_counter_get(c, i)))) {
			json_decref(o);
			return NULL;
		}
	return o;
}

static json_t *u64_array(const uint64_t *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++)
		if (json_array_append_new(a, u64_json(v[i]))) {
			json_decref(a);
			return NULL;
		}
	return a;
}

static json_t *u32_array(const uint32_t *v, size_t n)
{
	uint64_t w[KVS_ROW_SLOTS];

	for (size_t i = 0; i < n && i < KVS_ROW_SLOTS; i++)
		w[i] = v[i];
	return u64_array(w, n < KVS_ROW_SLOTS ? n : KVS_ROW_SLOTS);
}

static json_t *hist_json(const struct kvs_hist *h)
{
	return json_pack("{s:o, s:o, s:o, s:b, s:o, s:o}",
			 "slots", u64_array(h->total.slots, KVS_HIST_SLOTS),
			 "count", u64_json(h->total.count), "sum_ns", u64_json(h->total.sum_ns),
			 "available", h->available,
			 "source", h->source ? json_string(h->source) : json_null(),
			 "why", name_json(h->why));
}

static json_t *list_json(const struct kvs_top_list *l)
{
	json_t *rows = json_array();

	for (size_t i = 0; rows && i < l->nr; i++) {
		const struct kvs_top_entry *e = &l->e[i];

		if (json_array_append_new(rows, json_pack("{s:o, s:o, s:o, s:o, s:o}",
				"name", name_json(e->name),
				"pages_populated", u64_json(e->pages_populated),
				"populate_calls", u64_json(e->populate_calls),
				"vmalloc_ns", u32_array(e->vmalloc_ns, KVS_ROW_SLOTS),
				"populate_ns", u32_array(e->populate_ns, KVS_ROW_SLOTS)))) {
			json_decref(rows);
			return NULL;
		}
	}
	return json_pack("{s:b, s:o, s:o, s:o, s:o}", "available", l->available,
			 "why", name_json(l->why), "dropped_pages", u64_json(l->dropped_pages),
			 "dropped_calls", u64_json(l->dropped_calls), "rows", rows);
}

static json_t *slow_rec_json(const struct kvs_slow_rec *s)
{
	json_t *o = json_pack("{s:f, s:I, s:I, s:o, s:o, s:o, s:o, s:b, s:o, s:o, s:o, s:b, s:o}",
			 "ts", s->ts, "pid", (json_int_t)s->pid, "tgid", (json_int_t)s->tgid,
			 "comm", name_json(s->comm), "caller", name_json(s->caller),
			 "size", u64_json(s->size), "vmalloc_ns", u64_json(s->vmalloc_ns),
			 "shadow_known", s->shadow_known, "populate_ns", u64_json(s->populate_ns),
			 "nr_populated", u64_json(s->nr_populated),
			 "nr_allocated", u64_json(s->nr_allocated),
			 "allocated_known", s->allocated_known, "release_ns", u64_json(s->release_ns));

	/* Purges (added after the first recordings) say so; a vmalloc call says nothing more. */
	if (o && s->kind == KVS_SLOW_PURGE &&
	    (put(o, "kind", json_string("purge")) || put(o, "purge_ns", u64_json(s->purge_ns)) ||
	     put(o, "areas", s->areas_known ? u64_json(s->areas) : json_null()) ||
	     put(o, "in_vmalloc", json_boolean(s->in_vmalloc)) ||
	     put(o, "shadow_released", u64_json(s->shadow_released)) ||
	     put(o, "flush_ns", u64_json(s->flush_ns)))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *slow_json(const struct kvs_model *m)
{
	json_t *calls = json_array();

	for (size_t i = 0; calls && i < m->nr_slow_new; i++)
		if (json_array_append_new(calls, slow_rec_json(&m->slow_new[i]))) {
			json_decref(calls);
			return NULL;
		}
	return json_pack("{s:b, s:o, s:o}", "on", m->have_slow, "lost", u64_json(m->slow_lost),
			 "calls", calls);
}

static json_t *self_json(const struct kvs_model *m)
{
	json_t *progs = json_array();

	for (size_t i = 0; progs && i < m->self.nr; i++)
		if (json_array_append_new(progs, json_pack("{s:o, s:o, s:o}",
				"name", name_json(m->self.prog[i].name),
				"runs", u64_json(m->self.prog[i].runs),
				"run_ns", u64_json(m->self.prog[i].run_ns)))) {
			json_decref(progs);
			return NULL;
		}
	return json_pack("{s:b, s:f, s:o, s:o}", "on", m->have_self, "cpu_s", m->self.cpu_s,
			 "rss_bytes", u64_json(m->self.rss_bytes), "programs", progs);
}

static json_t *walk_json(const struct kvs_model *m)
{
	const struct kvs_walk_stats *w = &m->walk;
	const uint64_t v[] = { w->walked, w->unwound, w->verified, w->mismatches, w->paths,
			       w->frames, w->conflicts, w->poisoned, w->learn_lost };

	return m->have_walk ? u64_array(v, sizeof(v) / sizeof(v[0])) : json_null();
}

static json_t *extra_json(const struct kvs_model *m)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < m->nr_debugfs_extra; i++)
		if (json_array_append_new(a, json_pack("[o, o]", name_json(m->debugfs_extra[i].key),
						       u64_json(m->debugfs_extra[i].value)))) {
			json_decref(a);
			return NULL;
		}
	return a;
}

static json_t *unavailable_json(const struct kvs_unavailable *u)
{
	json_t *o = json_object();

#define PUT_WHY(f) if (o && put(o, #f, name_json(u->f))) { json_decref(o); o = NULL; }
	KVS_REC_UNAVAILABLE(PUT_WHY)
#undef PUT_WHY
	return o;
}

/* Estimate mode's seed: null outside estimate mode. */
static json_t *seed_json(const struct kvs_model *m)
{
	const char *kind = kvs_seed_name(m->seed.kind);

	if (!kind)
		return json_null();
	return json_pack("{s:s, s:o, s:o, s:o}", "kind", kind, "low", u64_json(m->seed.low),
			 "high", u64_json(m->seed.high), "why", name_json(m->seed.why));
}

/* The kernel's shadow per node as [node, pages] pairs; null where it has none. */
static json_t *nodes_json(const struct kvs_model *m)
{
	json_t *a;

	if (!m->have_nodes)
		return json_null();
	a = json_array();
	for (size_t i = 0; a && i < m->nr_nodes; i++)
		if (json_array_append_new(a, json_pack("[I, o]", (json_int_t)m->nodes[i].node,
						       u64_json(m->nodes[i].shadow_pages)))) {
			json_decref(a);
			return NULL;
		}
	return a;
}

static json_t *opt_u64(bool have, uint64_t v)
{
	return have ? u64_json(v) : json_null();
}

/*
 * The purge side: the backlog report (null: none yet), what estimate mode's
 * model has waiting (null: it cannot know), stalls (null: purges not timed).
 */
static json_t *purge_json(const struct kvs_model *m)
{
	const struct kvs_purge *p = &m->purge;

	return json_pack("{s:b, s:o, s:o, s:o, s:o}", "lazy_traced", p->lazy_traced,
			 "lazy", p->have_lazy ?
			 json_pack("{s:o, s:o, s:f, s:b}", "pages", u64_json(p->lazy_pages),
				   "max_pages", u64_json(p->lazy_max_pages), "mono", p->lazy_mono,
				   "stale", p->lazy_stale) : json_null(),
			 "waiting", p->have_waiting ?
			 json_pack("{s:o, s:o, s:o}", "areas", u64_json(p->lazy_areas),
				   "bytes", u64_json(p->lazy_area_bytes),
				   "shadow_pages", u64_json(p->shadow_pages_waiting)) : json_null(),
			 "stall_ns", u64_json(p->stall_ns),
			 "stalls", opt_u64(p->have_stalls, p->stalls));
}

json_t *kvs_rec_state_json(const struct kvs_model *m)
{
	json_t *hist = json_object(), *o;

	for (int i = 0; hist && i < KVS_NR_HISTS; i++)
		if (put(hist, kvs_hist_name(i), hist_json(&m->hist[i]))) {
			json_decref(hist);
			hist = NULL;
		}
	o = json_pack("{s:s, s:f, s:f, s:f, s:b, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o,"
		      " s:o, s:o, s:o, s:o}",
		      "event", "state", "ts", m->ts, "mono", m->ts_mono, "start_mono", m->start_mono,
		      "since_boot", m->since_boot, "known", u64_json(m->known),
		      "counters", counters_json(&m->total), "events_lost", u64_json(m->events_lost),
		      "drift_pages", opt_u64(m->drift_valid, m->drift_pages),
		      "pagetable_pages", opt_u64(m->have_pagetable, m->pagetable_pages),
		      "vmap_bytes", opt_u64(m->have_vmap_bytes, m->vmap_bytes),
		      "debugfs_base", m->have_debugfs_base ? counters_json(&m->debugfs_base) :
		      json_null(),
		      "hist", hist, "callers", list_json(&m->callers),
		      "processes", list_json(&m->processes),
		      "debugfs", m->have_debugfs ? counters_json(&m->debugfs) : json_null(),
		      "debugfs_extra", extra_json(m),
		      "vmalloc_used_bytes", opt_u64(m->have_vmalloc_used, m->vmalloc_used_bytes));
	if (o && (put(o, "slow", slow_json(m)) || put(o, "walk", walk_json(m)) ||
		  put(o, "self", self_json(m)) ||
		  put(o, "purge_crossed", m->have_purge_crossed ? json_boolean(m->purge_crossed) :
		      json_null()) ||
		  put(o, "unknown_frees", u64_json(m->unknown_frees)) ||
		  put(o, "estimate_reseeds", json_integer(m->estimate_reseeds)) ||
		  put(o, "ring_buffer_bytes", u64_json(m->ring_buffer_bytes)) ||
		  put(o, "unavailable", unavailable_json(&m->unavailable)) ||
		  put(o, "baseline_pending", json_boolean(m->baseline_pending)) ||
		  put(o, "method", name_json(m->method)) ||
		  put(o, "self_shadow_pages", opt_u64(m->have_self_shadow, m->self_shadow_pages)) ||
		  put(o, "seed", seed_json(m)) || put(o, "nodes", nodes_json(m)) ||
		  put(o, "purge", purge_json(m)))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *kvs_rec_header_json(const struct kvs_model *m, const struct kvs_options *o,
			    const char *version, long cpus)
{
	json_t *argv = json_array();

	for (int i = 0; argv && i < o->argc; i++)
		if (json_array_append_new(argv, name_json(o->argv[i]))) {
			json_decref(argv);
			argv = NULL;
		}
	return json_pack("{s:i, s:s, s:s, s:s, s:b, s:o, s:o, s:s, s:o, s:f, s:f, s:o, s:s, s:s,"
			 " s:o, s:o}",
			 KVS_REC_MAGIC, KVS_REC_VERSION, "kernel", m->kernel, "mode", m->mode_name,
			 "measures", m->method[0] ? m->method : kvs_modes[m->mode].source,
			 "estimate", kvs_modes[m->mode].estimate,
			 "page_size", u64_json(m->page_size), "cpus", u64_json(cpus > 0 ? cpus : 0),
			 "tool_version", version, "command_line", argv,
			 "started", m->ts - m->elapsed_s,
			 "interval_s", o->interval_s, "rows", u64_json(o->rows),
			 "sort", kvs_sort_name(o->sort), "by", kvs_by_name(o->by),
			 "top", u64_json(o->prom_top),
			 "slow_ns", o->slow_set ? u64_json(o->slow_ns) : json_null());
}
