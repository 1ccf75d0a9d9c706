// SPDX-License-Identifier: GPL-2.0
/* kvshadowstat's command line: kvshadowstat [INTERVAL [COUNT]] [options]. */
#include "stat_args.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>

#include "numparse.h"
#include "vmalloc_shadow.h"

#define PROG "kvshadowstat"

enum { OPT_JSON = 256, OPT_FILE, OPT_PROM };

const struct kvs_opt kvshadowstat_options[] = {
	{ "json", OPT_JSON, NULL, "one JSON object per line (JSON Lines)", kvs_opt_json, NULL },
	{ "file", OPT_FILE, "PATH", "read PATH instead of " VMALLOC_SHADOW_PATH, kvs_opt_file, NULL },
	{ "prom-file", OPT_PROM, "PATH",
	  "also write the counters to PATH for node_exporter's textfile\n"
	  "                         collector, replaced atomically every interval",
	  kvs_opt_prom_file, NULL },
	KVS_OPT_HELP,
};
const size_t kvshadowstat_nr_options = sizeof(kvshadowstat_options) / sizeof(kvshadowstat_options[0]);

/* INTERVAL [COUNT] */
static int positional(struct kvs_options *o, size_t i, const char *arg, char *err, size_t errlen)
{
	uint64_t count;
	int ret;

	switch (i) {
	case 0:
		ret = kvs_parse_seconds(arg, KVS_INTERVAL_MIN, KVS_INTERVAL_MAX, &o->interval_s);
		if (ret == -EINVAL)
			return kvs_opt_error(err, errlen, "INTERVAL '%s' is not a number of seconds", arg);
		if (ret)
			return kvs_opt_error(err, errlen, "INTERVAL '%s' is outside %g to %g seconds", arg,
				   KVS_INTERVAL_MIN, KVS_INTERVAL_MAX);
		o->count = 0;
		return 0;
	case 1:
		ret = kvs_parse_u64(arg, 1, ULONG_MAX, &count);
		if (ret == -EINVAL)
			return kvs_opt_error(err, errlen, "COUNT '%s' is not a whole number", arg);
		if (ret)
			return kvs_opt_error(err, errlen, "COUNT '%s' must be from 1 to %lu", arg, ULONG_MAX);
		o->count = count;
		return 0;
	}
	return kvs_opt_error(err, errlen, "unexpected argument '%s'", arg);
}

int kvshadowstat_usage(FILE *f, bool brief)
{
	fprintf(f, "Usage: " PROG " [INTERVAL [COUNT]] [--json] [--prom-file PATH] [--file PATH] [-h]\n");
	if (brief) {
		fprintf(f, "Try '" PROG " --help' for more.\n");
		return 0;
	}
	fprintf(f, "Show the pages that back KASAN's vmalloc shadow, from debugfs.\n"
		"The first line counts since boot, then one line per INTERVAL.\n"
		"\n"
		"  INTERVAL               seconds between lines (fractions allowed, %g to %g);\n"
		"                         without it, print once and exit\n"
		"  COUNT                  lines to print (default: until interrupted)\n",
		KVS_INTERVAL_MIN, KVS_INTERVAL_MAX);
	kvs_print_options(f, kvshadowstat_options, kvshadowstat_nr_options);
	fprintf(f, "\nIt mounts debugfs on /sys/kernel/debug when it is not (root, without --file).\n"
		"Exit status: 0 success (also when the reader of the output goes away),\n"
		"1 runtime failure, 2 usage error.\n");
	return fflush(f) || ferror(f) ? 1 : 0;
}

int kvshadowstat_parse_args(int argc, char **argv, struct kvs_options *o, char *err, size_t errlen)
{
	/* Debugfs mode, counters since boot; without INTERVAL, one line. */
	*o = (struct kvs_options){ .count = 1, .interval_s = 1, .mode = KVS_MODE_DEBUGFS,
				   .mode_set = true, .since_boot = true, .batch = true };
	return kvs_parse_args(kvshadowstat_options, kvshadowstat_nr_options, argc, argv, o,
			      positional, err, errlen);
}
