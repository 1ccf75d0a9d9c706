/* SPDX-License-Identifier: GPL-2.0 */
/* The run loop both tools share (see run.c). */
#ifndef KVS_RUN_H
#define KVS_RUN_H

#include "collect.h"
#include "options.h"
#include "view.h"

/*
 * Run with the options: open the sources (source may be NULL: debugfs
 * only), take the baseline (unless o->since_boot), then every interval
 * show the model in view and, with --prom-file, in the Prometheus file.
 * Messages start with prog. Returns the exit status: 0, or 1 on failure.
 */
int kvs_run(struct kvs_options *o, const char *prog, const struct kvs_source_ops *source,
	    const struct kvs_view_ops *view);

/* kvs_run that also shows every interval in record (the recording), opened first. */
int kvs_run_record(struct kvs_options *o, const char *prog, const struct kvs_source_ops *source,
		   const struct kvs_view_ops *view, const struct kvs_view_ops *record);

#endif /* KVS_RUN_H */
