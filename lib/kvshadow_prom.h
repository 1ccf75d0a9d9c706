/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvshadow_prom: the kvshadow metric families (docs/interfaces.md §3) and
 * the one function that writes them. kvshadowtop's model and kvshadowstat's
 * debugfs reading both fill a struct kvshadow_prom, so the names, types,
 * units and HELP texts exist only here.
 */
#ifndef KVSHADOW_PROM_H
#define KVSHADOW_PROM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "atomicfile.h"
#include "promtext.h"

/* Plain numbers; kvshadow_shadow_overhead_ratio is derived from two. */
enum kvshadow_prom_scalar {
	KVSHADOW_SHADOW_BYTES,
	KVSHADOW_SHADOW_PEAK_BYTES,
	KVSHADOW_POPULATED_BYTES,	/* cumulative */
	KVSHADOW_RELEASED_BYTES,	/* cumulative */
	KVSHADOW_POPULATE_CALLS,
	KVSHADOW_POPULATE_FAILURES,
	KVSHADOW_RELEASE_CALLS,
	KVSHADOW_VMALLOC_USED_BYTES,
	KVSHADOW_DRIFT_BYTES,		/* exact mode: |BPF - debugfs| shadow bytes */
	KVSHADOW_EVENTS_LOST,		/* estimate mode: trace records dropped */
	KVSHADOW_PROM_SCALARS
};

enum kvshadow_prom_hist_id {
	KVSHADOW_POPULATE_DURATION,
	KVSHADOW_RELEASE_DURATION,
	KVSHADOW_VMALLOC_DURATION,
	KVSHADOW_PROM_HISTS
};

struct kvshadow_prom_hist {
	const double *bounds;		/* finite upper bounds in seconds, increasing */
	const uint64_t *cumulative;	/* observations <= bounds[i] */
	size_t nbounds;
	double sum;			/* seconds */
	uint64_t count;
};

struct kvshadow_prom_caller {
	const char *caller;		/* symbol name; "+0x.." offsets are cut */
	uint64_t populated_bytes;	/* cumulative, as the tool shows it */
};

/*
 * What one interval exports. Leave a has[] flag false for a number the mode
 * cannot know: its family is then left out rather than written as 0.
 */
struct kvshadow_prom {
	const char *mode;		/* "exact", "estimate" or "debugfs" */
	const char *kernel;		/* NULL: uname -r */
	bool has[KVSHADOW_PROM_SCALARS];
	uint64_t value[KVSHADOW_PROM_SCALARS];
	bool has_hist[KVSHADOW_PROM_HISTS];
	struct kvshadow_prom_hist hist[KVSHADOW_PROM_HISTS];
	bool has_callers;
	const struct kvshadow_prom_caller *callers;	/* all known, any order */
	size_t ncallers;
	size_t top_n;			/* callers written by name; the rest: "other" */
};

/* Kept by the tool across intervals: keeps caller="other" a true counter. */
struct kvshadow_prom_state {
	uint64_t other_bytes;
};

#define KVSHADOW_PROM_TOP_N_DEFAULT 10

static inline void kvshadow_prom_set(struct kvshadow_prom *p,
				     enum kvshadow_prom_scalar s, uint64_t v)
{
	p->has[s] = true;
	p->value[s] = v;
}

/* Writes every family the input has. 0 or a negative errno (see promtext_error). */
int kvshadow_prom_render(struct promtext *pt, const struct kvshadow_prom *in,
			 struct kvshadow_prom_state *st);

/*
 * One interval's file: render, then replace af's file atomically. 0, or a
 * negative errno with a message in err.
 */
int kvshadow_prom_write(struct atomicfile *af, const struct kvshadow_prom *in,
			struct kvshadow_prom_state *st, char *err, size_t errlen);

#endif
