/* SPDX-License-Identifier: GPL-2.0 */
/* The Prometheus view's parts, exposed for the unit tests and promgen. */
#ifndef KVS_PROM_H
#define KVS_PROM_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

struct promtext;

/* Kept across intervals by the view. */
struct kvs_prom_state {
	size_t top_n;			/* callers written by name; the rest: "other" */
	uint64_t other_bytes;		/* caller="other" so far: a counter never goes down */
};

/* Every family the model has into pt. 0 or a negative errno (see promtext_error). */
int kvs_prom_render(struct promtext *pt, const struct kvs_model *m, struct kvs_prom_state *st);

/* The caller label of a caller name: no offsets, never an address ("unknown"). */
void kvs_prom_caller_label(char *dst, size_t len, const char *name);

#endif /* KVS_PROM_H */
