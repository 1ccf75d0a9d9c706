// SPDX-License-Identifier: GPL-2.0
/*
 * kvshadowtop: watch the memory KASAN spends on vmalloc shadow.
 * Its options (top_args.c), then the shared loop with the BPF source; or
 * one of the recording commands (rec_args.c): record, report, diff.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diff.h"
#include "rec_args.h"
#include "report.h"
#include "run.h"
#include "bpf_source.h"
#include "top_args.h"
#include "view.h"

/* After a usage error: where the whole help is (it is long). */
static int hint(FILE *f)
{
	return fprintf(f, "Try 'kvshadowtop -h'.\n") < 0;
}

/* The live run's view: --json, batch text, or the TUI where the terminal can show it. */
static const struct kvs_view_ops *live_view(struct kvs_options *o)
{
	if (!isatty(STDOUT_FILENO))
		o->batch = true;
	return o->json ? &kvs_json_view : o->batch ? &kvs_text_view :
		kvs_tui_or_batch("kvshadowtop");
}

static int command(enum kvs_rec_cmd cmd, int argc, char **argv)
{
	/* getopt reorders what it parses: the recording's header keeps the line as typed. */
	char **args = malloc((size_t)argc * sizeof(*args)), err[512];
	struct kvs_options o;
	int ret;

	if (!args) {
		fprintf(stderr, "kvshadowtop: out of memory\n");
		return 1;
	}
	memcpy(args, argv + 1, (size_t)(argc - 1) * sizeof(*args));
	args[argc - 1] = NULL;
	ret = kvshadowtop_cmd_parse(cmd, argc - 1, args, &o, err, sizeof(err));
	if (ret == 1) {
		ret = kvshadowtop_cmd_usage(cmd, stdout);
	} else if (ret) {
		fprintf(stderr, "kvshadowtop %s: %s\n", kvs_rec_cmd_name(cmd), err);
		(void)fprintf(stderr, "Try 'kvshadowtop %s -h'.\n", kvs_rec_cmd_name(cmd));
		ret = KVS_EXIT_USAGE;
	} else if (cmd == KVS_CMD_RECORD) {
		o.argc = argc;
		o.argv = argv;
		ret = kvs_run_record(&o, "kvshadowtop", &kvs_bpf_source, live_view(&o),
				     &kvs_record_view);
	} else {
		ret = cmd == KVS_CMD_REPORT ? kvs_report(&o, "kvshadowtop") :
			kvs_diff(&o, "kvshadowtop");
	}
	free(args);
	return ret;
}

int main(int argc, char **argv)
{
	struct kvs_options o;
	int cmd = argc > 1 ? kvs_rec_cmd_find(argv[1]) : -1;
	int ret;

	if (cmd >= 0)
		return command((enum kvs_rec_cmd)cmd, argc, argv);
	ret = kvs_main_args("kvshadowtop", argc, argv, &o, kvshadowtop_parse_args,
			    kvshadowtop_usage, hint);
	if (ret >= 0)
		return ret;
	return kvs_run(&o, "kvshadowtop", &kvs_bpf_source, live_view(&o));
}
