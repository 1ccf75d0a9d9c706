// SPDX-License-Identifier: GPL-2.0
/*
 * The Prometheus view (--prom-file): each model update becomes one
 * node_exporter textfile, replaced atomically. The families and their rules
 * live in lib/kvshadow_prom.c; this file only maps the model onto them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kvshadow_prom.h"
#include "model.h"
#include "prom.h"
#include "view.h"

/*
 * Buckets exported: slot upper bounds 2^9 ns (512 ns) to 2^30 ns (~1.07 s).
 * Buckets are cumulative, so leaving slots out loses resolution, never
 * counts; a fixed set keeps series stable and about 25 per histogram.
 */
#define PROM_FIRST_SLOT 8
#define PROM_LAST_SLOT 29
#define PROM_BOUNDS (PROM_LAST_SLOT - PROM_FIRST_SLOT + 1)

struct prom_view {
	struct atomicfile af;
	struct kvshadow_prom_state st;
	size_t top;
};

struct prom_hists {
	double bounds[KVS_NR_HISTS][PROM_BOUNDS];
	uint64_t cumulative[KVS_NR_HISTS][PROM_BOUNDS];
};

static void map_hist(const struct kvs_hist *h, struct kvshadow_prom_hist *out,
		     double *bounds, uint64_t *cumulative)
{
	uint64_t seen = 0;
	size_t n = 0;

	for (unsigned int i = 0; i < KVS_HIST_SLOTS; i++) {
		seen += h->total.slots[i];
		if (i < PROM_FIRST_SLOT || i > PROM_LAST_SLOT)
			continue;
		bounds[n] = (double)kvs_hist_upper_ns(i) / 1e9;
		cumulative[n++] = seen;
	}
	*out = (struct kvshadow_prom_hist){
		.bounds = bounds,
		.cumulative = cumulative,
		.nbounds = n,
		.sum = (double)h->total.sum_ns / 1e9,
		/* +Inf must equal _count: trust the slots if they say more. */
		.count = h->total.count > seen ? h->total.count : seen,
	};
}

int kvs_prom_fill(const struct kvs_model *m, size_t top, struct kvshadow_prom *p,
		  struct prom_hists **hists, struct kvshadow_prom_caller **callers)
{
	const uint64_t page = (uint64_t)m->page_size;
	struct prom_hists *h;
	struct kvshadow_prom_caller *c = NULL;

	*hists = NULL;
	*callers = NULL;
	*p = (struct kvshadow_prom){
		.mode = kvs_mode_name(m->mode),
		.kernel = m->kernel[0] ? m->kernel : NULL,
		.top_n = top,
	};
	kvshadow_prom_set(p, KVSHADOW_SHADOW_BYTES, m->shadow_bytes);
	kvshadow_prom_set(p, KVSHADOW_SHADOW_PEAK_BYTES, m->shadow_peak_bytes);
	kvshadow_prom_set(p, KVSHADOW_POPULATED_BYTES, m->total.pages_populated * page);
	kvshadow_prom_set(p, KVSHADOW_RELEASED_BYTES, m->total.pages_released * page);
	kvshadow_prom_set(p, KVSHADOW_POPULATE_CALLS, m->total.populate_calls);
	kvshadow_prom_set(p, KVSHADOW_RELEASE_CALLS, m->total.release_calls);
	/* vmalloc tracepoints cannot see a populate that would have failed. */
	if (m->mode != KVS_MODE_ESTIMATE)
		kvshadow_prom_set(p, KVSHADOW_POPULATE_FAILURES, m->total.populate_failures);
	else
		kvshadow_prom_set(p, KVSHADOW_EVENTS_LOST, m->events_lost);
	if (m->have_vmalloc_used)
		kvshadow_prom_set(p, KVSHADOW_VMALLOC_USED_BYTES, m->vmalloc_used_bytes);
	if (m->drift_valid)
		kvshadow_prom_set(p, KVSHADOW_DRIFT_BYTES, m->drift_pages * page);

	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	for (int k = 0; k < KVS_NR_HISTS; k++) {
		if (!m->hist[k].available)
			continue;
		p->has_hist[k] = true;
		map_hist(&m->hist[k], &p->hist[k], h->bounds[k], h->cumulative[k]);
	}
	if (m->callers.available) {
		c = calloc(m->callers.nr ? m->callers.nr : 1, sizeof(*c));
		if (!c) {
			free(h);
			return -ENOMEM;
		}
		for (size_t i = 0; i < m->callers.nr; i++)
			c[i] = (struct kvshadow_prom_caller){
				.caller = m->callers.e[i].name,
				.populated_bytes = m->callers.e[i].pages_populated * page,
			};
		p->has_callers = true;
		p->callers = c;
		p->ncallers = m->callers.nr;
	}
	*hists = h;
	*callers = c;
	return 0;
}

static int prom_open(const struct kvs_options *opts, void **state, char *err,
		     size_t errlen)
{
	struct prom_view *v = calloc(1, sizeof(*v));
	int r;

	if (!v) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	/* Fail now, at start, rather than after the first interval. */
	r = atomicfile_open(&v->af, opts->prom_file, err, errlen);
	if (r) {
		free(v);
		return r;
	}
	v->top = opts->prom_top;
	*state = v;
	return 0;
}

static int prom_update(void *state, const struct kvs_model *m)
{
	struct prom_view *v = state;
	struct kvshadow_prom p;
	struct prom_hists *h;
	struct kvshadow_prom_caller *c;
	char err[512];
	int r = kvs_prom_fill(m, v->top, &p, &h, &c);

	if (!r) {
		r = kvshadow_prom_write(&v->af, &p, &v->st, err, sizeof(err));
		if (r)
			fprintf(stderr, "kvshadowtop: %s\n", err);
	}
	free(h);
	free(c);
	return r;
}

static void prom_close(void *state)
{
	struct prom_view *v = state;

	if (!v)
		return;
	atomicfile_close(&v->af);
	free(v);
}

const struct kvs_view_ops kvs_prom_view = {
	.name = "prom",
	.open = prom_open,
	.update = prom_update,
	.close = prom_close,
};
