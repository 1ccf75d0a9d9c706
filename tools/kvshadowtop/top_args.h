/* SPDX-License-Identifier: GPL-2.0 */
/* kvshadowtop's command line (top_args.c), apart from main for the tests. */
#ifndef KVS_TOP_ARGS_H
#define KVS_TOP_ARGS_H

#include <stddef.h>
#include <stdio.h>

#include "options.h"

extern const struct kvs_opt kvshadowtop_options[];
extern const size_t kvshadowtop_nr_options;

/* Defaults, then argv. 0, 1 for -h, or -EINVAL with the reason in err. */
int kvshadowtop_parse_args(int argc, char **argv, struct kvs_options *o, char *err, size_t errlen);
/* The full usage text; 0, or 1 when it could not be written. */
int kvshadowtop_usage(FILE *f);

#endif /* KVS_TOP_ARGS_H */
