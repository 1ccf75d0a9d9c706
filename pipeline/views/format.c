// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <time.h>

#include "format.h"

const char *kvs_fmt_ns(char *buf, size_t len, double ns)
{
	if (isnan(ns))
		snprintf(buf, len, "-");
	else if (ns >= 1e9)
		snprintf(buf, len, "%.2fs", ns / 1e9);
	else if (ns >= 1e6)
		snprintf(buf, len, "%.1fms", ns / 1e6);
	else if (ns >= 1e3)
		snprintf(buf, len, "%.1fus", ns / 1e3);
	else
		snprintf(buf, len, "%.0fns", ns);
	return buf;
}

const char *kvs_fmt_bytes(char *buf, size_t len, uint64_t bytes)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB" };
	double v = (double)bytes / 1024;
	size_t u = 0;

	if (bytes < 1024) {
		snprintf(buf, len, "%" PRIu64 " B", bytes);
		return buf;
	}
	while (v >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, "%.1f %s", v, units[u]);
	return buf;
}

const int kvs_fmt_col_width[KVS_NR_SORTS] = {
	[KVS_SORT_PAGES] = 10, [KVS_SORT_CALLS] = 10, [KVS_SORT_RATE] = 8,
	[KVS_SORT_VM_P50] = 8, [KVS_SORT_VM_P99] = 8, [KVS_SORT_POP_P50] = 8,
	[KVS_SORT_POP_P99] = 8, [KVS_SORT_NAME] = 0,
};

const char *kvs_fmt_cell(char *buf, size_t len, const struct kvs_sort_desc *c,
			 const struct kvs_top_entry *e)
{
	uint64_t v = c->value(e);

	if (!c->duration)
		snprintf(buf, len, "%" PRIu64, v);
	else
		kvs_fmt_ns(buf, len, v == UINT64_MAX ? NAN : (double)v);
	return buf;
}

const char *kvs_fmt_clock(char *buf, size_t len, double ts)
{
	time_t t = (time_t)ts;
	int ms = (int)((ts - (double)t) * 1000);
	char hms[16];
	struct tm tm;

	if (!localtime_r(&t, &tm) || !strftime(hms, sizeof(hms), "%H:%M:%S", &tm))
		snprintf(hms, sizeof(hms), "?");
	snprintf(buf, len, "%s.%03d", hms, ms < 0 ? 0 : ms > 999 ? 999 : ms);
	return buf;
}

const char *kvs_fmt_purge(char *buf, size_t len, const struct kvs_model *m)
{
	const struct kvs_purge *p = &m->purge;
	char lazy[16], max[16], stall[16], backlog[64], waiting[80] = "";

	kvs_fmt_bytes(max, sizeof(max), kvs_pages_to_bytes(p->lazy_max_pages, m->page_size));
	if (kvs_purge_lazy_known(p))
		snprintf(backlog, sizeof(backlog), "%s of %s",
			 kvs_fmt_bytes(lazy, sizeof(lazy),
				       kvs_pages_to_bytes(p->lazy_pages, m->page_size)), max);
	else if (p->have_lazy)
		snprintf(backlog, sizeof(backlog), "n/a (purged since the last lazy free), limit %s",
			 max);
	else
		snprintf(backlog, sizeof(backlog), "n/a (%s)", p->not_recorded ?
			 "not in this recording" : p->lazy_traced ? "no lazy free yet" :
			 "no vmalloc:free_vmap_area_noflush events");
	if (p->have_waiting)
		snprintf(waiting, sizeof(waiting), " (%" PRIu64 " areas, %" PRIu64
			 " shadow pages behind them)", p->lazy_areas, p->shadow_pages_waiting);
	kvs_fmt_ns(stall, sizeof(stall), (double)p->stall_ns);
	if (p->have_stalls)
		snprintf(buf, len, "lazy backlog %s%s; stalls (>= %s) %" PRIu64, backlog, waiting,
			 stall, p->stalls);
	else
		snprintf(buf, len, "lazy backlog %s%s; stalls n/a (purges not timed)", backlog,
			 waiting);
	return buf;
}
