/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The JSON view's object builders (json.c), for what writes the same
 * objects elsewhere: the recording (record.c) and its report.
 */
#ifndef KVS_JSON_VIEW_H
#define KVS_JSON_VIEW_H

#include <stdio.h>

#include <jansson.h>

#include "model.h"
#include "options.h"

/* How every JSON line is dumped; 13 digits: ts to the millisecond without binary noise. */
#define KVS_JSON_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(13))

/* The interval's event lines (slow calls), oldest first, as a new array; NULL: no memory. */
json_t *kvs_json_events(const struct kvs_model *m);
/* The interval object --json prints (new reference); NULL: no memory. */
json_t *kvs_json_interval(const struct kvs_model *m, const struct kvs_options *o);
/* o as one line of f, flushed; 0 or -errno (-ENOMEM for a NULL o). */
int kvs_json_line(FILE *f, json_t *o);

#endif /* KVS_JSON_VIEW_H */
