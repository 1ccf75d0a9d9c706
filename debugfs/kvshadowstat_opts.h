/* SPDX-License-Identifier: GPL-2.0 */
/* kvshadowstat's command line: kvshadowstat [INTERVAL [COUNT]] [options]. */
#ifndef KVSHADOW_KVSHADOWSTAT_OPTS_H
#define KVSHADOW_KVSHADOWSTAT_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct kvstat_opts {
	double interval_s;	/* 0: print once and exit */
	unsigned long count;	/* lines to print; 0: until interrupted */
	bool json;
	const char *file;	/* NULL: VMALLOC_SHADOW_PATH */
	const char *prom_file;	/* --prom-file: Prometheus text file, or NULL */
};

enum {
	KVSTAT_ARGS_RUN = 0,
	KVSTAT_ARGS_HELP = 1,	/* -h: print the usage, exit 0 */
};

/*
 * Parse argv into o. Returns KVSTAT_ARGS_RUN, KVSTAT_ARGS_HELP, or -EINVAL
 * with the reason in err (a usage error: exit 2). Resets getopt, so it can
 * be called more than once (the tests do).
 */
int kvstat_parse_args(int argc, char **argv, struct kvstat_opts *o, char *err, size_t errlen);

/* The usage text, its options from the option table; brief: the synopsis only. */
void kvstat_usage(FILE *f, bool brief);

#endif /* KVSHADOW_KVSHADOWSTAT_OPTS_H */
