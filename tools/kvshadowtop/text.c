// SPDX-License-Identifier: GPL-2.0
/*
 * Batch views: plain text (-b) and JSON Lines (--json). JSON goes through
 * jansson only: the keys are the contract of docs/interfaces.md §5.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "view.h"

struct text_state {
	const struct kvs_options *opts;
};

static int text_open(const struct kvs_options *opts, void **state, char *err, size_t errlen)
{
	struct text_state *t = calloc(1, sizeof(*t));

	if (!t) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	t->opts = opts;
	*state = t;
	return 0;
}

static void text_close(void *state)
{
	free(state);
}

/* Fold a list to the rows the options ask for; rows + "other" in *out (malloc'd). */
static size_t fold(const struct kvs_model *m, const struct kvs_options *o,
		   struct kvs_top_entry **out, struct kvs_top_entry *other)
{
	const struct kvs_top_list *l = o->by == KVS_BY_PROCESS ? &m->processes : &m->callers;
	size_t n = o->rows;

	*out = n ? calloc(n, sizeof(**out)) : NULL;
	if (!*out)
		n = 0;
	return kvs_top_fold(l, n, o->sort, *out, other);
}

/* ---- text ---- */

static void fmt_ns(char *buf, size_t len, double ns)
{
	if (isnan(ns))
		snprintf(buf, len, "-");
	else if (ns >= 1e6)
		snprintf(buf, len, "%.1fms", ns / 1e6);
	else if (ns >= 1e3)
		snprintf(buf, len, "%.1fus", ns / 1e3);
	else
		snprintf(buf, len, "%.0fns", ns);
}

static int text_update(void *state, const struct kvs_model *m)
{
	const struct kvs_options *o = ((struct text_state *)state)->opts;
	const struct kvs_top_list *l = o->by == KVS_BY_PROCESS ? &m->processes : &m->callers;
	struct kvs_top_entry *rows, other;
	time_t t = (time_t)m->ts;
	struct tm tm;
	char when[16] = "?";
	size_t n;

	if (localtime_r(&t, &tm))
		strftime(when, sizeof(when), "%H:%M:%S", &tm);
	printf("%s %s%s shadow_pages %llu (%+lld) peak %llu  (%.1f MiB, overhead %s%.1f%% of VmallocUsed)\n",
	       when, m->mode_name, m->mode == KVS_MODE_ESTIMATE ? " (estimate: what KASAN_VMALLOC would map)" : "",
	       (unsigned long long)m->total.shadow_pages, (long long)m->shadow_pages_delta,
	       (unsigned long long)m->total.shadow_pages_peak, (double)m->shadow_bytes / 1048576.0,
	       isnan(m->overhead_ratio) ? "n/a " : "", isnan(m->overhead_ratio) ? 0 : m->overhead_ratio * 100);
	printf("  populate_calls %llu pages_populated %llu (%.0f/s) populate_failures %llu"
	       "  release_calls %llu pages_released %llu (%.0f/s)\n",
	       (unsigned long long)m->total.populate_calls, (unsigned long long)m->total.pages_populated,
	       m->rate.pages_populated, (unsigned long long)m->total.populate_failures,
	       (unsigned long long)m->total.release_calls, (unsigned long long)m->total.pages_released,
	       m->rate.pages_released);
	printf("  vmap_area_allocs %llu (%llu bytes) vmap_area_frees %llu vmap_purges %llu",
	       (unsigned long long)m->total.vmap_area_allocs,
	       (unsigned long long)m->total.vmap_area_alloc_bytes,
	       (unsigned long long)m->total.vmap_area_frees, (unsigned long long)m->total.vmap_purges);
	if (m->drift_valid)
		printf("  drift_pages %llu", (unsigned long long)m->drift_pages);
	else if (m->unavailable.debugfs[0])
		printf("  debugfs n/a");
	printf("\n");
	for (int h = 0; h < KVS_NR_HISTS; h++) {
		const struct kvs_hist *hi = &m->hist[h];
		char p50[16], p99[16];

		if (!hi->available) {
			printf("  %-8s latency n/a: %s\n", kvs_hist_name(h), hi->why);
			continue;
		}
		fmt_ns(p50, sizeof(p50), hi->p50_ns);
		fmt_ns(p99, sizeof(p99), hi->p99_ns);
		printf("  %-8s latency p50 %s p99 %s (%llu samples, %s)\n", kvs_hist_name(h), p50, p99,
		       (unsigned long long)hi->total.count, hi->source ? hi->source : "?");
	}
	if (m->events_lost || m->unknown_frees)
		printf("  estimate less certain: %llu events lost, %llu unknown frees\n",
		       (unsigned long long)m->events_lost, (unsigned long long)m->unknown_frees);
	if (!l->available && l->why[0]) {
		printf("  %s n/a: %s\n", o->by == KVS_BY_PROCESS ? "processes" : "callers", l->why);
	} else if (o->rows) {
		n = fold(m, o, &rows, &other);
		printf("  %-48s %12s %10s\n", o->by == KVS_BY_PROCESS ? "PROCESS" : "CALLER",
		       "PAGES", "CALLS");
		for (size_t i = 0; i < n; i++)
			printf("  %-48s %12llu %10llu\n", rows[i].name,
			       (unsigned long long)rows[i].pages_populated,
			       (unsigned long long)rows[i].populate_calls);
		if (other.pages_populated || other.populate_calls)
			printf("  %-48s %12llu %10llu\n", other.name,
			       (unsigned long long)other.pages_populated,
			       (unsigned long long)other.populate_calls);
		free(rows);
	}
	printf("\n");
	return fflush(stdout) ? -errno : 0;
}

const struct kvs_view_ops kvs_text_view = {
	.name = "text",
	.open = text_open,
	.update = text_update,
	.close = text_close,
};

/* ---- JSON Lines ---- */

/* jansson refcounts: json_object_set_new steals; a NULL value fails the whole line. */
static int set(json_t *o, const char *key, json_t *v)
{
	return v ? json_object_set_new(o, key, v) : -1;
}

static json_t *num_or_null(double v)
{
	return isnan(v) || isinf(v) ? json_null() : json_real(v);
}

static json_t *counters_json(const struct kvs_counters *c)
{
	json_t *o = json_object();

	for (size_t i = 0; o && i < kvs_nr_counter_fields; i++) {
		const uint64_t *v = (const uint64_t *)((const char *)c + kvs_counter_fields[i].offset);

		if (set(o, kvs_counter_fields[i].name, json_integer((json_int_t)*v))) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

static json_t *debugfs_json(const struct kvs_model *m)
{
	json_t *o;

	if (!m->have_debugfs)
		return json_null();
	o = json_object();
	for (size_t i = 0; o && i < m->nr_debugfs_kv; i++) {
		if (set(o, m->debugfs_kv[i].key, json_integer((json_int_t)m->debugfs_kv[i].value))) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
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
	const char *key = o->by == KVS_BY_PROCESS ? "process" : "caller";
	struct kvs_top_entry *rows, other;
	json_t *a = json_array();
	size_t n;

	if (!a)
		return NULL;
	n = fold(m, o, &rows, &other);
	for (size_t i = 0; i <= n; i++) {
		const struct kvs_top_entry *e = i < n ? &rows[i] : &other;

		if (i == n && !other.pages_populated && !other.populate_calls)
			break;
		if (json_array_append_new(a, json_pack("{s:s, s:I, s:I}", key, e->name,
						       "pages_populated", (json_int_t)e->pages_populated,
						       "populate_calls", (json_int_t)e->populate_calls))) {
			json_decref(a);
			a = NULL;
			break;
		}
	}
	free(rows);
	return a;
}

int kvs_json_write(FILE *f, const struct kvs_model *m, const struct kvs_options *o)
{
	json_t *root = counters_json(&m->total);
	int ret = -ENOMEM;
	char *line;

	if (!root)
		return -ENOMEM;
	if (set(root, "ts", json_real(m->ts)) ||
	    set(root, "interval_s", json_real(m->interval_s)) ||
	    set(root, "mode", json_string(m->mode_name)) ||
	    set(root, "debugfs", debugfs_json(m)) ||
	    set(root, "debugfs_baseline", m->have_debugfs_base ?
		counters_json(&m->debugfs_base) : json_null()) ||
	    set(root, "drift_pages", m->drift_valid ?
		json_integer((json_int_t)m->drift_pages) : json_null()) ||
	    set(root, "top", top_json(m, o)) ||
	    set(root, "top_by", json_string(o->by == KVS_BY_PROCESS ? "process" : "caller")) ||
	    set(root, "shadow_bytes", json_integer((json_int_t)m->shadow_bytes)) ||
	    set(root, "vmalloc_used_bytes", m->have_vmalloc_used ?
		json_integer((json_int_t)m->vmalloc_used_bytes) : json_null()) ||
	    set(root, "overhead_ratio", num_or_null(m->overhead_ratio)) ||
	    set(root, "latency", latency_json(m)) ||
	    set(root, "events_lost", json_integer((json_int_t)m->events_lost)) ||
	    set(root, "unknown_frees", json_integer((json_int_t)m->unknown_frees)))
		goto out;
	line = json_dumps(root, JSON_COMPACT);
	if (!line)
		goto out;
	ret = fprintf(f, "%s\n", line) < 0 || fflush(f) ? -EIO : 0;
	free(line);
out:
	json_decref(root);
	return ret;
}

static int json_update(void *state, const struct kvs_model *m)
{
	return kvs_json_write(stdout, m, ((struct text_state *)state)->opts);
}

const struct kvs_view_ops kvs_json_view = {
	.name = "json",
	.open = text_open,
	.update = json_update,
	.close = text_close,
};
