/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvshadowstat's model: from two snapshots of the debugfs counters to one
 * row of numbers that every view prints the same way.
 */
#ifndef KVSHADOW_KVSHADOWSTAT_MODEL_H
#define KVSHADOW_KVSHADOWSTAT_MODEL_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "vmalloc_shadow.h"

struct kvstat_snapshot {
	struct vmalloc_shadow vs;
	struct timespec realtime;	/* when it was read, for "ts" */
	struct timespec boottime;	/* CLOCK_BOOTTIME: intervals, boot is 0 */
};

struct kvstat_row {
	const struct kvstat_snapshot *cur;
	bool since_boot;		/* the first line: deltas count from boot */
	double ts;			/* unix seconds */
	double interval_s;		/* time the deltas cover */
	int64_t delta[VMALLOC_SHADOW_NR_FIELDS];	/* per known key, field order */
	uint64_t shadow_bytes;		/* shadow_pages in bytes */
	bool peak_reset;		/* the peak dropped: someone wrote 0 to the file */
	int counter_back;		/* a cumulative counter that went backwards, or -1 */
};

/* shadow_pages and shadow_pages_peak go up and down; the rest only count up. */
bool kvstat_field_is_gauge(size_t field);

/* cur - prev as a signed number, saturated instead of wrapped. */
int64_t kvstat_delta(uint64_t prev, uint64_t cur);

/* The row for cur; prev NULL means the first line, counted from boot. */
void kvstat_row_compute(const struct kvstat_snapshot *prev, const struct kvstat_snapshot *cur,
			uint64_t page_size, struct kvstat_row *row);

#endif /* KVSHADOW_KVSHADOWSTAT_MODEL_H */
