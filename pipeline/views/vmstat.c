// SPDX-License-Identifier: GPL-2.0
/*
 * kvshadowstat's view: a vmstat-like table, one row per interval. The
 * shadow columns are current values, the others what changed in the
 * interval (the first row: since boot).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "view.h"
#include "errmsg.h"

/* Like vmstat: the header again every screenful. */
#define HEADER_EVERY 20

struct vmstat_state {
	unsigned long rows;
};

static int vmstat_open(const struct kvs_options *opts, void **state, char *err, size_t errlen)
{
	struct vmstat_state *v = calloc(1, sizeof(*v));

	if (!v)
		return kvs_err(err, errlen, -ENOMEM, "out of memory");
	*state = v;
	return 0;
}

/* The interval columns: counters of the table, headed by their names. */
static const enum kvs_counter_id interval_cols[] = {
	KVS_ID_pages_populated, KVS_ID_pages_released, KVS_ID_populate_calls,
	KVS_ID_populate_failures, KVS_ID_release_calls,
};
#define NR_INTERVAL_COLS (sizeof(interval_cols) / sizeof(interval_cols[0]))

/* A group title centred in width columns, padded with dashes. */
static void group(FILE *f, const char *title, int width)
{
	int len = (int)strlen(title), left = (width - len) / 2;

	for (int i = 0; i < width; i++)
		fputc(i < left || i >= left + len ? '-' : title[i - left], f);
}

static void header(FILE *f)
{
	int width = 0;

	/* The shadow now: shadow_pages, in KiB, shadow_pages_peak (the group says shadow). */
	group(f, "shadow now", 31);
	for (size_t c = 0; c < NR_INTERVAL_COLS; c++)
		width += 1 + (int)strlen(kvs_counter_info[interval_cols[c]].name);
	fputc(' ', f);
	group(f, "per interval", width - 1);
	fprintf(f, "\n     pages        KiB      peak");
	for (size_t c = 0; c < NR_INTERVAL_COLS; c++)
		fprintf(f, " %s", kvs_counter_info[interval_cols[c]].name);
	fputc('\n', f);
}

static int vmstat_update(void *state, const struct kvs_model *m, char *err, size_t errlen)
{
	struct vmstat_state *v = state;
	FILE *f = stdout;

	if (v->rows++ % HEADER_EVERY == 0)
		header(f);
	fprintf(f, "%10" PRIu64 " %10" PRIu64 " %9" PRIu64, m->total.shadow_pages,
		m->shadow_bytes / 1024, m->total.shadow_pages_peak);
	for (size_t c = 0; c < NR_INTERVAL_COLS; c++)
		fprintf(f, " %*" PRId64, (int)strlen(kvs_counter_info[interval_cols[c]].name),
			m->delta[interval_cols[c]]);
	fputc('\n', f);
	/* Each line must reach a pipe when it is printed, not at exit. */
	return fflush(f) || ferror(f) ? (errno ? -errno : -EIO) : 0;
}

static void vmstat_close(void *state)
{
	free(state);
}

const struct kvs_view_ops kvs_vmstat_view = {
	.name = "vmstat",
	.open = vmstat_open,
	.update = vmstat_update,
	.close = vmstat_close,
};
