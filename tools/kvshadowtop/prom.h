/* SPDX-License-Identifier: GPL-2.0 */
/* The Prometheus view's mapping, exposed for the unit tests. */
#ifndef KVS_PROM_H
#define KVS_PROM_H

#include <stddef.h>

#include "kvshadow_prom.h"
#include "model.h"

struct prom_hists;

/*
 * Fill p from the model, writing at most top callers by name. *hists and
 * *callers hold what p points to: free() both after use. 0 or -ENOMEM.
 */
int kvs_prom_fill(const struct kvs_model *m, size_t top, struct kvshadow_prom *p,
		  struct prom_hists **hists, struct kvshadow_prom_caller **callers);

#endif
