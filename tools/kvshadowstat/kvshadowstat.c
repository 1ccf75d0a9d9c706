// SPDX-License-Identifier: GPL-2.0
/*
 * kvshadowstat: vmstat for the pages that back KASAN's vmalloc shadow,
 * from debugfs alone (no BPF). Its options (stat_args.c), then the same
 * loop, model and views as kvshadowtop, with the debugfs source only and
 * counters since boot.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "run.h"
#include "stat_args.h"
#include "view.h"

int main(int argc, char **argv)
{
	struct kvs_options o;
	char err[512];
	int ret = kvshadowstat_parse_args(argc, argv, &o, err, sizeof(err));

	if (ret == 1) {
		errno = 0;
		if (!kvshadowstat_usage(stdout, false))
			return 0;
		fprintf(stderr, "kvshadowstat: writing the help: %s\n",
			errno ? strerror(errno) : "write error");
		return 1;
	}
	if (ret) {
		fprintf(stderr, "kvshadowstat: %s\n", err);
		kvshadowstat_usage(stderr, true);
		return KVS_EXIT_USAGE;
	}
	return kvs_run(&o, "kvshadowstat", NULL, o.json ? &kvs_json_view : &kvs_vmstat_view);
}
