/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The command lines of kvshadowtop's recording commands (rec_args.c):
 *   kvshadowtop record -o FILE [live options]
 *   kvshadowtop report FILE [-b|--json|--prom-file PATH]
 *   kvshadowtop diff A B [--json] [--fail-on EXPR[,EXPR...]]
 * Each has an option table like the live run's, for the usage, the man
 * page test and the bash completion.
 */
#ifndef KVS_REC_ARGS_H
#define KVS_REC_ARGS_H

#include <stddef.h>
#include <stdio.h>

#include "options.h"

/* The options record adds to the live ones (-o FILE). */
extern const struct kvs_opt kvshadowtop_record_options[];
extern const size_t kvshadowtop_record_nr_options;
extern const struct kvs_opt kvshadowtop_report_options[];
extern const size_t kvshadowtop_report_nr_options;
extern const struct kvs_opt kvshadowtop_diff_options[];
extern const size_t kvshadowtop_diff_nr_options;

/* The recording commands' names, in the order of the usage. */
enum kvs_rec_cmd { KVS_CMD_RECORD, KVS_CMD_REPORT, KVS_CMD_DIFF, KVS_NR_CMDS };
/* "record", "report", "diff"; the command called name or -1. */
const char *kvs_rec_cmd_name(unsigned int i);
int kvs_rec_cmd_find(const char *name);

/* Defaults, then argv (argv[0] the command's name); 0, 1 for -h, -EINVAL with err. */
int kvshadowtop_cmd_parse(enum kvs_rec_cmd cmd, int argc, char **argv, struct kvs_options *o,
			  char *err, size_t errlen);
/* The command's usage text; 0, or 1 when it could not be written. */
int kvshadowtop_cmd_usage(enum kvs_rec_cmd cmd, FILE *f);

#endif /* KVS_REC_ARGS_H */
