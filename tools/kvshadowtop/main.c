// SPDX-License-Identifier: GPL-2.0
/*
 * kvshadowtop: watch the memory KASAN spends on vmalloc shadow.
 * Its options (top_args.c), then the shared loop with the BPF source.
 */
#include <stdio.h>
#include <unistd.h>

#include "run.h"
#include "bpf_source.h"
#include "top_args.h"
#include "view.h"

/* After a usage error: where the whole help is (it is long). */
static int hint(FILE *f)
{
	return fprintf(f, "Try 'kvshadowtop -h'.\n") < 0;
}

int main(int argc, char **argv)
{
	struct kvs_options o;
	int ret = kvs_main_args("kvshadowtop", argc, argv, &o, kvshadowtop_parse_args,
				kvshadowtop_usage, hint);

	if (ret >= 0)
		return ret;
	if (!isatty(STDOUT_FILENO))
		o.batch = true;
	return kvs_run(&o, "kvshadowtop", &kvs_bpf_source,
		       o.json ? &kvs_json_view : o.batch ? &kvs_text_view :
		       kvs_tui_or_batch("kvshadowtop"));
}
