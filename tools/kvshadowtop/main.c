// SPDX-License-Identifier: GPL-2.0
/*
 * kvshadowtop: watch the memory KASAN spends on vmalloc shadow.
 * Its options (top_args.c), then the shared loop with the BPF probe.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "run.h"
#include "src_bpf.h"
#include "top_args.h"
#include "view.h"

int main(int argc, char **argv)
{
	struct kvs_options o;
	char err[512];
	int ret = kvshadowtop_parse_args(argc, argv, &o, err, sizeof(err));

	if (ret == 1) {
		errno = 0;
		if (!kvshadowtop_usage(stdout))
			return 0;
		fprintf(stderr, "kvshadowtop: writing the help: %s\n",
			errno ? strerror(errno) : "write error");
		return 1;
	}
	if (ret) {
		fprintf(stderr, "kvshadowtop: %s\nTry 'kvshadowtop -h'.\n", err);
		return KVS_EXIT_USAGE;
	}
	if (!isatty(STDOUT_FILENO))
		o.batch = true;
	return kvs_run(&o, "kvshadowtop", &kvs_bpf_probe,
		       o.json ? &kvs_json_view : o.batch ? &kvs_text_view :
		       kvs_tui_or_batch("kvshadowtop"));
}
