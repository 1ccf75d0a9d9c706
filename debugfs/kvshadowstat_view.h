/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvshadowstat's views: each prints a model row and nothing else; none
 * reads the kernel. A new output (a Prometheus file) is one more view.
 */
#ifndef KVSHADOW_KVSHADOWSTAT_VIEW_H
#define KVSHADOW_KVSHADOWSTAT_VIEW_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "kvshadowstat_model.h"

/* The text view repeats its header every this many rows, like vmstat. */
#define KVSTAT_HEADER_EVERY 20

struct kvstat_views {
	FILE *out;
	bool json;
	unsigned long text_rows;	/* rows printed, for the header */
};

/* The JSON object of a row (NULL when out of memory); the caller decrefs it. */
json_t *kvstat_json_row(const struct kvstat_row *row);

/* Print one row in every enabled view and flush: 0 or a negative errno. */
int kvstat_views_emit(struct kvstat_views *v, const struct kvstat_row *row);

#endif /* KVSHADOW_KVSHADOWSTAT_VIEW_H */
