// SPDX-License-Identifier: GPL-2.0
/* The recording's header and state lines, read back (see recfmt.h). */
#include "recfmt.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "errmsg.h"
#include "numparse.h"

/* Every value is checked: nothing in the file is trusted. */

static int bad(char *err, size_t errlen, const char *what, const char *key)
{
	return kvs_err(err, errlen, -EINVAL, "%s: '%s' %s", what, key,
		       "is missing or not of its type");
}

static int u64_of(json_t *j, uint64_t *v)
{
	if (json_is_integer(j) && json_integer_value(j) >= 0) {
		*v = (uint64_t)json_integer_value(j);
		return 0;
	}
	if (json_is_string(j))
		return kvs_parse_u64(json_string_value(j), 0, UINT64_MAX, v) ? -EINVAL : 0;
	return -EINVAL;
}

static int get_u64(json_t *o, const char *key, uint64_t *v)
{
	return u64_of(json_object_get(o, key), v);
}

/* A u64 or null (*have false). */
static int get_opt_u64(json_t *o, const char *key, bool *have, uint64_t *v)
{
	*have = !json_is_null(json_object_get(o, key));
	*v = 0;
	return *have ? get_u64(o, key, v) : 0;
}

static int get_real(json_t *o, const char *key, double *v)
{
	json_t *j = json_object_get(o, key);

	if (!json_is_number(j))
		return -EINVAL;
	*v = json_number_value(j);
	return 0;
}

static int get_bool(json_t *o, const char *key, bool *v)
{
	json_t *j = json_object_get(o, key);

	if (!json_is_boolean(j))
		return -EINVAL;
	*v = json_is_true(j);
	return 0;
}

/* A name (string or byte array, see name_json) into dst of len bytes; too long is damage. */
static int get_name_j(json_t *j, char *dst, size_t len)
{
	size_t n = 0, i;
	json_t *b;

	if (json_is_string(j)) {
		const char *s = json_string_value(j);

		n = json_string_length(j);
		if (n >= len || strlen(s) != n)
			return -EINVAL;
		memcpy(dst, s, n + 1);
		return 0;
	}
	if (!json_is_array(j) || json_array_size(j) >= len)
		return -EINVAL;
	json_array_foreach(j, i, b) {
		json_int_t c = json_integer_value(b);

		if (!json_is_integer(b) || c < 1 || c > 255)
			return -EINVAL;
		dst[n++] = (char)c;
	}
	dst[n] = '\0';
	return 0;
}

static int get_name(json_t *o, const char *key, char *dst, size_t len)
{
	return get_name_j(json_object_get(o, key), dst, len);
}

/* An array of at most n u64 into v (the rest 0). */
static int get_u64_array(json_t *o, const char *key, uint64_t *v, size_t n)
{
	json_t *a = json_object_get(o, key), *e;
	size_t i;

	if (!json_is_array(a) || json_array_size(a) > n)
		return -EINVAL;
	memset(v, 0, n * sizeof(*v));
	json_array_foreach(a, i, e)
		if (u64_of(e, &v[i]))
			return -EINVAL;
	return 0;
}

static int get_counters(json_t *o, struct kvs_counters *c)
{
	if (!json_is_object(o))
		return -EINVAL;
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < KVS_NR_COUNTERS; i++) {
		uint64_t v;

		if (get_u64(o, kvs_counter_info[i].name, &v))
			return -EINVAL;
		kvs_counter_set(c, i, v);
	}
	return 0;
}

static int get_row_slots(json_t *o, const char *key, uint32_t *slots)
{
	uint64_t v[KVS_ROW_SLOTS];

	if (get_u64_array(o, key, v, KVS_ROW_SLOTS))
		return -EINVAL;
	for (size_t i = 0; i < KVS_ROW_SLOTS; i++) {
		if (v[i] > UINT32_MAX)
			return -EINVAL;
		slots[i] = (uint32_t)v[i];
	}
	return 0;
}

static int get_list(json_t *o, struct kvs_top_list *l)
{
	json_t *rows = json_object_get(o, "rows"), *r;
	size_t i;

	if (!json_is_array(rows) || get_bool(o, "available", &l->available) ||
	    get_name(o, "why", l->why, sizeof(l->why)) ||
	    get_u64(o, "dropped_pages", &l->dropped_pages) ||
	    get_u64(o, "dropped_calls", &l->dropped_calls))
		return -EINVAL;
	l->nr = 0;
	l->e = json_array_size(rows) ? calloc(json_array_size(rows), sizeof(*l->e)) : NULL;
	if (json_array_size(rows) && !l->e)
		return -ENOMEM;
	json_array_foreach(rows, i, r) {
		struct kvs_top_entry *e = &l->e[l->nr++];

		if (get_name(r, "name", e->name, sizeof(e->name)) ||
		    get_u64(r, "pages_populated", &e->pages_populated) ||
		    get_u64(r, "populate_calls", &e->populate_calls) ||
		    get_row_slots(r, "vmalloc_ns", e->vmalloc_ns) ||
		    get_row_slots(r, "populate_ns", e->populate_ns))
			return -EINVAL;
	}
	return 0;
}

/* The sources name their histograms with static strings: the same ones come back. */
static const char *hist_source(json_t *j)
{
	static const char *const known[] = { "tracepoint", "fentry" };

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(json_string_value(j), known[i]))
			return known[i];
	return "unknown";
}

static int get_hist(json_t *hist, int i, struct kvs_snapshot *s)
{
	json_t *h = json_object_get(hist, kvs_hist_name(i)), *src = json_object_get(h, "source");
	struct kvs_passthrough *p = &s->pass;

	/* Histograms added after the first recordings (purge): absent, not measured then. */
	if (!h && i == KVS_HIST_PURGE) {
		kvs_why(p->hist_why[i], "not in this recording (made before purges were timed)");
		return 0;
	}
	if (get_u64_array(h, "slots", s->hist[i].slots, KVS_HIST_SLOTS) ||
	    get_u64(h, "count", &s->hist[i].count) || get_u64(h, "sum_ns", &s->hist[i].sum_ns) ||
	    get_bool(h, "available", &p->hist_available[i]) ||
	    get_name(h, "why", p->hist_why[i], sizeof(p->hist_why[i])) ||
	    !(json_is_null(src) || json_is_string(src)))
		return -EINVAL;
	p->hist_source[i] = json_is_null(src) ? NULL : hist_source(src);
	return 0;
}

/* A slow record's "kind" (added after the first recordings): absent, a vmalloc call. */
static int get_slow_purge(json_t *c, struct kvs_slow_rec *r)
{
	json_t *kind = json_object_get(c, "kind");

	r->kind = KVS_SLOW_VMALLOC;
	if (!kind)
		return 0;
	if (!json_is_string(kind) || strcmp(json_string_value(kind), "purge") ||
	    get_u64(c, "purge_ns", &r->purge_ns) || !json_object_get(c, "areas") ||
	    get_opt_u64(c, "areas", &r->areas_known, &r->areas) ||
	    get_bool(c, "in_vmalloc", &r->in_vmalloc) ||
	    get_u64(c, "shadow_released", &r->shadow_released) ||
	    get_u64(c, "flush_ns", &r->flush_ns))
		return -EINVAL;
	r->kind = KVS_SLOW_PURGE;
	return 0;
}

static int get_slow(json_t *o, struct kvs_passthrough *p)
{
	json_t *calls = json_object_get(o, "calls"), *c;
	size_t i;

	if (!json_is_array(calls) || get_bool(o, "on", &p->have_slow) ||
	    get_u64(o, "lost", &p->slow_lost))
		return -EINVAL;
	p->slow = json_array_size(calls) ? calloc(json_array_size(calls), sizeof(*p->slow)) : NULL;
	if (json_array_size(calls) && !p->slow)
		return -ENOMEM;
	json_array_foreach(calls, i, c) {
		struct kvs_slow_rec *r = &p->slow[p->nr_slow++];
		uint64_t pid, tgid;

		if (get_real(c, "ts", &r->ts) || get_u64(c, "pid", &pid) || pid > UINT32_MAX ||
		    get_u64(c, "tgid", &tgid) || tgid > UINT32_MAX ||
		    get_name(c, "comm", r->comm, sizeof(r->comm)) ||
		    get_name(c, "caller", r->caller, sizeof(r->caller)) ||
		    get_u64(c, "size", &r->size) || get_u64(c, "vmalloc_ns", &r->vmalloc_ns) ||
		    get_bool(c, "shadow_known", &r->shadow_known) ||
		    get_u64(c, "populate_ns", &r->populate_ns) ||
		    get_u64(c, "nr_populated", &r->nr_populated) ||
		    get_u64(c, "nr_allocated", &r->nr_allocated) ||
		    get_bool(c, "allocated_known", &r->allocated_known) ||
		    get_u64(c, "release_ns", &r->release_ns))
			return -EINVAL;
		r->pid = (uint32_t)pid;
		r->tgid = (uint32_t)tgid;
		if (get_slow_purge(c, r))
			return -EINVAL;
	}
	return 0;
}

static int get_self(json_t *o, struct kvs_passthrough *p)
{
	json_t *progs = json_object_get(o, "programs"), *g;
	size_t i;

	if (!json_is_array(progs) || json_array_size(progs) > KVS_SELF_PROGS ||
	    get_bool(o, "on", &p->have_self) || get_real(o, "cpu_s", &p->self.cpu_s) ||
	    get_u64(o, "rss_bytes", &p->self.rss_bytes))
		return -EINVAL;
	json_array_foreach(progs, i, g) {
		struct kvs_prog_cost *c = &p->self.prog[p->self.nr++];

		if (get_name(g, "name", c->name, sizeof(c->name)) || get_u64(g, "runs", &c->runs) ||
		    get_u64(g, "run_ns", &c->run_ns))
			return -EINVAL;
	}
	return 0;
}

static int get_walk(json_t *o, struct kvs_passthrough *p)
{
	uint64_t v[9];
	json_t *w = json_object_get(o, "walk");

	p->have_walk = !json_is_null(w);
	if (!p->have_walk)
		return 0;
	if (json_array_size(w) != 9 || get_u64_array(o, "walk", v, 9))
		return -EINVAL;
	p->walk = (struct kvs_walk_stats){ v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8] };
	return 0;
}

static int get_extra(json_t *a, struct kvs_passthrough *p)
{
	json_t *kv;
	size_t i;

	if (!json_is_array(a))
		return -EINVAL;
	p->debugfs_extra = json_array_size(a) ? calloc(json_array_size(a),
						       sizeof(*p->debugfs_extra)) : NULL;
	if (json_array_size(a) && !p->debugfs_extra)
		return -ENOMEM;
	json_array_foreach(a, i, kv) {
		char key[KVS_WHY_LEN];

		if (json_array_size(kv) != 2 || get_name_j(json_array_get(kv, 0), key, sizeof(key)) ||
		    u64_of(json_array_get(kv, 1), &p->debugfs_extra[i].value))
			return -EINVAL;
		p->debugfs_extra[i].key = strdup(key);
		if (!p->debugfs_extra[i].key)
			return -ENOMEM;
		p->nr_debugfs_extra++;
	}
	return 0;
}

static int get_unavailable(json_t *o, struct kvs_unavailable *u)
{
#define GET_WHY(f) if (get_name(o, #f, u->f, sizeof(u->f))) return -EINVAL;
	KVS_REC_UNAVAILABLE(GET_WHY)
#undef GET_WHY
	return 0;
}

/* "seed" (added after the first recordings): absent or null, none. */
static int get_seed(json_t *o, struct kvs_seed_note *seed)
{
	const char *kind = json_string_value(json_object_get(o, "kind"));

	*seed = (struct kvs_seed_note){ .kind = KVS_SEED_NONE };
	if (!o || json_is_null(o))
		return 0;
	if (!kind)
		return -EINVAL;
	if (!strcmp(kind, "exact"))
		seed->kind = KVS_SEED_EXACT;
	else if (!strcmp(kind, "approximate"))
		seed->kind = KVS_SEED_APPROXIMATE;
	else
		return -EINVAL;
	return get_u64(o, "low", &seed->low) || get_u64(o, "high", &seed->high) ||
	       get_name(o, "why", seed->why, sizeof(seed->why)) ? -EINVAL : 0;
}

/* "nodes" (added after the first recordings): absent or null, none. */
static int get_nodes(json_t *a, struct kvs_passthrough *p)
{
	json_t *e;
	size_t i;

	if (!a || json_is_null(a))
		return 0;
	if (!json_is_array(a))
		return -EINVAL;
	p->have_nodes = true;
	if (!json_array_size(a))
		return 0;
	p->nodes = calloc(json_array_size(a), sizeof(*p->nodes));
	if (!p->nodes)
		return -ENOMEM;
	json_array_foreach(a, i, e) {
		uint64_t node;

		if (!json_is_array(e) || json_array_size(e) != 2 ||
		    u64_of(json_array_get(e, 0), &node) || node > UINT32_MAX ||
		    u64_of(json_array_get(e, 1), &p->nodes[i].shadow_pages))
			return -EINVAL;
		p->nodes[i].node = (unsigned int)node;
		p->nr_nodes++;
	}
	return 0;
}

/* "purge" (added after the first recordings): absent, nothing known of purges. */
static int get_purge(json_t *o, struct kvs_purge *p)
{
	json_t *lazy = json_object_get(o, "lazy"), *waiting = json_object_get(o, "waiting");

	memset(p, 0, sizeof(*p));
	p->not_recorded = !o;
	if (!o)
		return 0;
	if (get_bool(o, "lazy_traced", &p->lazy_traced) || !lazy ||
	    get_u64(o, "stall_ns", &p->stall_ns) || !json_object_get(o, "stalls") ||
	    get_opt_u64(o, "stalls", &p->have_stalls, &p->stalls))
		return -EINVAL;
	/* "waiting" came after "purge": absent is null. */
	p->have_waiting = waiting && !json_is_null(waiting);
	if (p->have_waiting && (get_u64(waiting, "areas", &p->lazy_areas) ||
				get_u64(waiting, "bytes", &p->lazy_area_bytes) ||
				get_u64(waiting, "shadow_pages", &p->shadow_pages_waiting)))
		return -EINVAL;
	p->have_lazy = !json_is_null(lazy);
	if (p->have_lazy && (get_u64(lazy, "pages", &p->lazy_pages) ||
			     get_u64(lazy, "max_pages", &p->lazy_max_pages) ||
			     get_real(lazy, "mono", &p->lazy_mono) ||
			     get_bool(lazy, "stale", &p->lazy_stale)))
		return -EINVAL;
	return 0;
}

static int state_parse(json_t *j, struct kvs_snapshot *s)
{
	struct kvs_passthrough *p = &s->pass;
	json_t *hist = json_object_get(j, "hist"), *pc = json_object_get(j, "purge_crossed");
	json_t *base = json_object_get(j, "debugfs_base"), *dfs = json_object_get(j, "debugfs");
	uint64_t known, reseeds;
	int ret;

	if (get_real(j, "ts", &s->ts) || get_real(j, "mono", &s->mono) ||
	    get_real(j, "start_mono", &s->start_mono) || get_bool(j, "since_boot", &s->since_boot) ||
	    get_u64(j, "known", &known) || known > KVS_ALL_COUNTERS ||
	    get_counters(json_object_get(j, "counters"), &s->c) ||
	    get_u64(j, "events_lost", &s->events_lost) ||
	    get_opt_u64(j, "drift_pages", &s->drift_valid, &s->drift_pages) ||
	    get_opt_u64(j, "pagetable_pages", &s->have_pagetable, &s->pagetable_pages) ||
	    get_opt_u64(j, "vmap_bytes", &s->have_vmap_bytes, &s->vmap_bytes) ||
	    get_opt_u64(j, "vmalloc_used_bytes", &p->have_vmalloc_used, &p->vmalloc_used_bytes) ||
	    !json_is_object(hist) || !(json_is_null(pc) || json_is_boolean(pc)) ||
	    get_u64(j, "unknown_frees", &p->unknown_frees) ||
	    get_u64(j, "estimate_reseeds", &reseeds) || reseeds > UINT32_MAX ||
	    get_u64(j, "ring_buffer_bytes", &p->ring_buffer_bytes) ||
	    get_unavailable(json_object_get(j, "unavailable"), &p->unavailable) ||
	    get_walk(j, p) || get_self(json_object_get(j, "self"), p) ||
	    /* Keys added after the first recordings: absent means not known then. */
	    (json_object_get(j, "baseline_pending") &&
	     get_bool(j, "baseline_pending", &s->baseline_pending)) ||
	    (json_object_get(j, "method") && get_name(j, "method", p->method, sizeof(p->method))) ||
	    (json_object_get(j, "self_shadow_pages") &&
	     get_opt_u64(j, "self_shadow_pages", &s->have_self_shadow, &s->self_shadow_pages)))
		return -EINVAL;
	s->known = known;
	p->estimate_reseeds = (unsigned int)reseeds;
	p->have_purge_crossed = json_is_boolean(pc);
	p->purge_crossed = json_is_true(pc);
	s->have_debugfs_base = !json_is_null(base);
	p->have_debugfs = !json_is_null(dfs);
	if ((s->have_debugfs_base && get_counters(base, &s->debugfs_base)) ||
	    (p->have_debugfs && get_counters(dfs, &p->debugfs)))
		return -EINVAL;
	for (int i = 0; i < KVS_NR_HISTS; i++)
		if (get_hist(hist, i, s))
			return -EINVAL;
	ret = get_list(json_object_get(j, "callers"), &s->callers);
	if (!ret)
		ret = get_list(json_object_get(j, "processes"), &s->processes);
	if (!ret)
		ret = get_extra(json_object_get(j, "debugfs_extra"), p);
	if (!ret)
		ret = get_slow(json_object_get(j, "slow"), p);
	if (!ret)
		ret = get_seed(json_object_get(j, "seed"), &p->seed);
	if (!ret)
		ret = get_nodes(json_object_get(j, "nodes"), p);
	if (!ret)
		ret = get_purge(json_object_get(j, "purge"), &s->purge);
	return ret;
}

int kvs_rec_state_parse(json_t *j, enum kvs_mode mode, struct kvs_snapshot *s, char *err,
			size_t errlen)
{
	int ret;

	memset(s, 0, sizeof(*s));
	s->mode = mode;
	ret = state_parse(j, s);
	if (!ret)
		return 0;
	kvs_snapshot_free(s);
	memset(s, 0, sizeof(*s));
	if (ret == -ENOMEM)
		return kvs_err(err, errlen, ret, "out of memory");
	return kvs_err(err, errlen, ret, "a state line with a missing or malformed value");
}

void kvs_rec_header_free(struct kvs_rec_header *h)
{
	free(h->command_line);
	h->command_line = NULL;
}

/* The header's command line, joined by spaces. */
static int get_cmdline(json_t *a, struct kvs_rec_header *h)
{
	size_t len = 1, i;
	json_t *w;
	char word[4096];

	if (!json_is_array(a))
		return -EINVAL;
	h->command_line = calloc(1, 1);
	json_array_foreach(a, i, w) {
		char *grown;

		if (!h->command_line || get_name_j(w, word, sizeof(word)))
			return -EINVAL;
		len += strlen(word) + 1;
		grown = realloc(h->command_line, len);
		if (!grown)
			return -ENOMEM;
		h->command_line = grown;
		if (i)
			strcat(h->command_line, " ");
		strcat(h->command_line, word);
	}
	return h->command_line ? 0 : -ENOMEM;
}

/* An enum's value from its name in the header. */
static int get_enum(json_t *o, const char *key, kvs_name_fn name, unsigned int n, int *v)
{
	const char *s = json_string_value(json_object_get(o, key));

	*v = s ? kvs_enum_parse(name, n, s) : -1;
	return *v < 0 ? -EINVAL : 0;
}

int kvs_rec_header_parse(json_t *j, struct kvs_rec_header *h, char *err, size_t errlen)
{
	json_t *magic = json_object_get(j, KVS_REC_MAGIC);
	uint64_t rows, top;
	int mode, sort, by;
	const char *key = NULL;

	memset(h, 0, sizeof(*h));
	if (!json_is_integer(magic))
		return kvs_err(err, errlen, -EINVAL, "not a kvshadowtop recording (no header)");
	if (json_integer_value(magic) != KVS_REC_VERSION)
		return kvs_err(err, errlen, -EINVAL, "a recording of format %lld, this kvshadowtop "
			       "reads format %d", (long long)json_integer_value(magic),
			       KVS_REC_VERSION);
	if (get_name(j, "kernel", h->kernel, sizeof(h->kernel)))
		key = "kernel";
	else if (get_enum(j, "mode", kvs_mode_name_i, KVS_NR_MODES, &mode))
		key = "mode";
	else if (get_u64(j, "page_size", &h->page_size) || h->page_size < 512 ||
		 h->page_size > (1u << 30))
		key = "page_size";
	else if (get_u64(j, "cpus", &h->cpus))
		key = "cpus";
	else if (get_name(j, "tool_version", h->tool_version, sizeof(h->tool_version)))
		key = "tool_version";
	else if (get_real(j, "started", &h->started))
		key = "started";
	else if (get_real(j, "interval_s", &h->interval_s) || !(h->interval_s > 0))
		key = "interval_s";
	else if (get_u64(j, "rows", &rows) || rows > 100000)
		key = "rows";
	else if (get_enum(j, "sort", kvs_sort_name, KVS_NR_SORTS, &sort))
		key = "sort";
	else if (get_enum(j, "by", kvs_by_name, KVS_NR_BY, &by))
		key = "by";
	else if (get_u64(j, "top", &top) || top > 10000)
		key = "top";
	else if (get_opt_u64(j, "slow_ns", &h->slow_set, &h->slow_ns))
		key = "slow_ns";
	else if (get_cmdline(json_object_get(j, "command_line"), h))
		key = "command_line";
	if (key) {
		kvs_rec_header_free(h);
		return bad(err, errlen, "damaged header", key);
	}
	h->mode = (enum kvs_mode)mode;
	h->rows = rows;
	h->sort = (enum kvs_sort)sort;
	h->by = (enum kvs_by)by;
	h->prom_top = top;
	return 0;
}

void kvs_rec_header_options(const struct kvs_rec_header *h, struct kvs_options *o)
{
	o->mode = h->mode;
	o->mode_set = true;
	o->interval_s = h->interval_s;
	o->rows = h->rows;
	o->sort = h->sort;
	o->by = h->by;
	o->prom_top = h->prom_top;
	o->slow_set = h->slow_set;
	o->slow_ns = h->slow_ns;
}
