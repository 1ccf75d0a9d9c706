// SPDX-License-Identifier: GPL-2.0
/*
 * kvshadowstat: vmstat for the pages that back KASAN's vmalloc shadow,
 * from debugfs alone (no BPF). Its options (stat_args.c), then the same
 * loop, model and views as kvshadowtop, with the debugfs source only and
 * counters since boot.
 */
#include <stdbool.h>
#include <stdio.h>

#include "run.h"
#include "stat_args.h"
#include "view.h"

static int help(FILE *f)
{
	return kvshadowstat_usage(f, false);
}

/* After a usage error: the synopsis. */
static int hint(FILE *f)
{
	return kvshadowstat_usage(f, true);
}

int main(int argc, char **argv)
{
	struct kvs_options o;
	int ret = kvs_main_args("kvshadowstat", argc, argv, &o, kvshadowstat_parse_args, help, hint);

	if (ret >= 0)
		return ret;
	return kvs_run(&o, "kvshadowstat", NULL, o.json ? &kvs_json_view : &kvs_vmstat_view);
}
