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

#include "view.h"

/* Like vmstat: the header again every screenful. */
#define HEADER_EVERY 20

struct vmstat_state {
	unsigned long rows;
};

static int vmstat_open(const struct kvs_options *opts, void **state, char *err, size_t errlen)
{
	struct vmstat_state *v = calloc(1, sizeof(*v));

	if (!v) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	*state = v;
	return 0;
}

static int vmstat_update(void *state, const struct kvs_model *m, char *err, size_t errlen)
{
	struct vmstat_state *v = state;
	FILE *f = stdout;

	if (v->rows++ % HEADER_EVERY == 0)
		fprintf(f, "-----------shadow now---------- --------------------per interval---------------------\n"
			"     pages        KiB      peak   populated   released  pop_calls  failures  rel_calls\n");
	fprintf(f, "%10" PRIu64 " %10" PRIu64 " %9" PRIu64 " %11" PRId64 " %10" PRId64
		" %10" PRId64 " %9" PRId64 " %10" PRId64 "\n",
		m->total.shadow_pages, m->shadow_bytes / 1024, m->total.shadow_pages_peak,
		m->delta[KVS_ID_pages_populated], m->delta[KVS_ID_pages_released],
		m->delta[KVS_ID_populate_calls], m->delta[KVS_ID_populate_failures],
		m->delta[KVS_ID_release_calls]);
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
