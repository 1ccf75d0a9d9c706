/* SPDX-License-Identifier: GPL-2.0 */
/* kvshadowtop diff A B [--json] [--fail-on EXPR[,EXPR...]] (diff.c, diff_text.c). */
#ifndef KVS_DIFF_H
#define KVS_DIFF_H

#include <stdio.h>

#include <jansson.h>

#include "options.h"

/* diff's exit status when a --fail-on threshold is crossed or its number is missing. */
#define KVS_DIFF_CROSSED 3

/* Compare o->rec_files[0] and [1]: 0, KVS_DIFF_CROSSED, 1 (a file unreadable), 2 (usage). */
int kvs_diff(struct kvs_options *o, const char *prog);
/* The comparison object of kvs_diff as a table for people; 0 or -1 (errno set). */
int kvs_diff_text(FILE *f, json_t *cmp);

#endif /* KVS_DIFF_H */
