// SPDX-License-Identifier: GPL-2.0
/*
 * kvshadowstat's model: deltas between snapshots. The counters are
 * cumulative since boot, so the first line is a delta from zero; only the
 * peak may drop between two reads (a reset), which is reported, not hidden.
 */
#include "kvshadowstat_model.h"

#include <stddef.h>
#include <string.h>

bool kvstat_field_is_gauge(size_t field)
{
	size_t off = vmalloc_shadow_fields[field].offset;

	return off == offsetof(struct vmalloc_shadow, shadow_pages) ||
	       off == offsetof(struct vmalloc_shadow, shadow_pages_peak);
}

int64_t kvstat_delta(uint64_t prev, uint64_t cur)
{
	/* Never cast the u64 difference: it wraps when the value drops. */
	if (cur >= prev)
		return cur - prev > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)(cur - prev);
	return prev - cur > (uint64_t)INT64_MAX ? INT64_MIN : -(int64_t)(prev - cur);
}

static double seconds(const struct timespec *t)
{
	return t->tv_sec + t->tv_nsec / 1e9;
}

void kvstat_row_compute(const struct kvstat_snapshot *prev, const struct kvstat_snapshot *cur,
			uint64_t page_size, struct kvstat_row *row)
{
	static const struct vmalloc_shadow zero;
	const struct vmalloc_shadow *p = prev ? &prev->vs : &zero;
	size_t i;

	memset(row, 0, sizeof(*row));
	row->cur = cur;
	row->since_boot = !prev;
	row->counter_back = -1;
	row->ts = seconds(&cur->realtime);
	row->interval_s = seconds(&cur->boottime) - (prev ? seconds(&prev->boottime) : 0);
	if (row->interval_s < 0)
		row->interval_s = 0;

	for (i = 0; i < VMALLOC_SHADOW_NR_FIELDS; i++) {
		uint64_t a = vmalloc_shadow_get(p, i), b = vmalloc_shadow_get(&cur->vs, i);

		row->delta[i] = kvstat_delta(a, b);
		if (b < a && !kvstat_field_is_gauge(i) && row->counter_back < 0)
			row->counter_back = (int)i;
	}
	row->peak_reset = cur->vs.shadow_pages_peak < p->shadow_pages_peak;
	if (__builtin_mul_overflow(cur->vs.shadow_pages, page_size, &row->shadow_bytes))
		row->shadow_bytes = UINT64_MAX;
}
