/* SPDX-License-Identifier: GPL-2.0 */
/* kvshadowstat's command line (stat_args.c), apart from main for the tests. */
#ifndef KVS_STAT_ARGS_H
#define KVS_STAT_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "options.h"

extern const struct kvs_opt kvshadowstat_options[];
extern const size_t kvshadowstat_nr_options;

/* Defaults, then argv. 0, 1 for -h, or -EINVAL with the reason in err. */
int kvshadowstat_parse_args(int argc, char **argv, struct kvs_options *o, char *err, size_t errlen);
/* The usage text (brief: the synopsis only); 0, or 1 when it could not be written. */
int kvshadowstat_usage(FILE *f, bool brief);

#endif /* KVS_STAT_ARGS_H */
