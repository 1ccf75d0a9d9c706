// SPDX-License-Identifier: GPL-2.0
/* The command lines of record, report and diff (see rec_args.h). */
#include "rec_args.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "top_args.h"

#define PROG "kvshadowtop"

static int set_output(struct kvs_options *o, const char *arg, char *err, size_t errlen)
{
	if (!*arg)
		return kvs_opt_error(err, errlen, "-o needs a file name");
	o->record_file = arg;
	return 0;
}

static int set_fail_on(struct kvs_options *o, const char *arg, char *err, size_t errlen)
{
	if (!*arg)
		return kvs_opt_error(err, errlen, "--fail-on needs EXPR[,EXPR...]");
	o->fail_on = arg;
	return 0;
}

enum { OPT_JSON = 256, OPT_PROM, OPT_FAIL_ON };

const struct kvs_opt kvshadowtop_record_options[] = {
	{ "output", 'o', "FILE", "record: write the run to FILE (gzip-compressed JSON Lines)",
	  set_output, NULL },
};
const size_t kvshadowtop_record_nr_options =
	sizeof(kvshadowtop_record_options) / sizeof(kvshadowtop_record_options[0]);

const struct kvs_opt kvshadowtop_report_options[] = {
	{ "batch", 'b', NULL, "the intervals as batch text, then the summary", kvs_opt_batch,
	  NULL },
	{ "json", OPT_JSON, NULL, "the intervals as --json printed them, then a summary line",
	  kvs_opt_json, NULL },
	{ "prom-file", OPT_PROM, "PATH", "write the Prometheus file as the run left it",
	  kvs_opt_prom_file, NULL },
	KVS_OPT_HELP,
};
const size_t kvshadowtop_report_nr_options =
	sizeof(kvshadowtop_report_options) / sizeof(kvshadowtop_report_options[0]);

const struct kvs_opt kvshadowtop_diff_options[] = {
	{ "json", OPT_JSON, NULL, "the comparison as one JSON object", kvs_opt_json, NULL },
	{ "fail-on", OPT_FAIL_ON, "EXPR",
	  "exit 3 when a threshold is crossed or its number is missing:\n"
	  "                         KEY>+N%, KEY>+N, KEY<-N%, caller=NAME:KEY>+N%, comma-separated",
	  set_fail_on, NULL },
	KVS_OPT_HELP,
};
const size_t kvshadowtop_diff_nr_options =
	sizeof(kvshadowtop_diff_options) / sizeof(kvshadowtop_diff_options[0]);

static const char *const cmd_names[KVS_NR_CMDS] = { "record", "report", "diff" };

const char *kvs_rec_cmd_name(unsigned int i)
{
	return i < KVS_NR_CMDS ? cmd_names[i] : NULL;
}

int kvs_rec_cmd_find(const char *name)
{
	return kvs_enum_parse(kvs_rec_cmd_name, KVS_NR_CMDS, name);
}

static int files(struct kvs_options *o, size_t i, const char *arg, char *err, size_t errlen)
{
	if (i >= 2)
		return kvs_opt_error(err, errlen, "unexpected argument '%s'", arg);
	o->rec_files[i] = arg;
	o->nr_rec_files = i + 1;
	return 0;
}

/* record's table: the live options, then -o. */
static struct kvs_opt *record_table(size_t *n)
{
	struct kvs_opt *t = malloc((kvshadowtop_nr_options + kvshadowtop_record_nr_options) *
				   sizeof(*t));

	if (!t)
		return NULL;
	memcpy(t, kvshadowtop_record_options, sizeof(kvshadowtop_record_options));
	memcpy(t + kvshadowtop_record_nr_options, kvshadowtop_options,
	       kvshadowtop_nr_options * sizeof(*t));
	*n = kvshadowtop_nr_options + kvshadowtop_record_nr_options;
	return t;
}

int kvshadowtop_cmd_parse(enum kvs_rec_cmd cmd, int argc, char **argv, struct kvs_options *o,
			  char *err, size_t errlen)
{
	struct kvs_opt *t;
	size_t n;
	int ret;

	*o = (struct kvs_options){ .interval_s = 1, .rows = 10, .prom_top = 10,
				   .stall_ns = KVS_STALL_DEFAULT_NS };
	o->argc = argc;
	o->argv = argv;
	if (cmd == KVS_CMD_REPORT || cmd == KVS_CMD_DIFF) {
		size_t want = cmd == KVS_CMD_REPORT ? 1 : 2;

		ret = cmd == KVS_CMD_REPORT ?
			kvs_parse_args(kvshadowtop_report_options, kvshadowtop_report_nr_options,
				       argc, argv, o, files, err, errlen) :
			kvs_parse_args(kvshadowtop_diff_options, kvshadowtop_diff_nr_options,
				       argc, argv, o, files, err, errlen);
		if (!ret && o->nr_rec_files != want)
			ret = kvs_opt_error(err, errlen, "%s needs %s", cmd_names[cmd],
					    want == 1 ? "a recording: report FILE" :
					    "two recordings: diff A B");
		if (!ret && o->nr_rec_files > want)
			ret = kvs_opt_error(err, errlen, "unexpected argument '%s'",
					    o->rec_files[want]);
		if (!ret && cmd == KVS_CMD_REPORT && o->json && o->batch)
			ret = kvs_opt_error(err, errlen, "report takes -b or --json, not both");
		return ret;
	}
	t = record_table(&n);
	if (!t)
		return kvs_opt_error(err, errlen, "out of memory");
	ret = kvs_parse_args(t, n, argc, argv, o, NULL, err, errlen);
	free(t);
	if (!ret && !o->record_file)
		ret = kvs_opt_error(err, errlen, "record needs -o FILE");
	return ret;
}

int kvshadowtop_cmd_usage(enum kvs_rec_cmd cmd, FILE *f)
{
	switch (cmd) {
	case KVS_CMD_RECORD:
		fprintf(f, "Usage: " PROG " record -o FILE [live options]\n"
			"Run as kvshadowtop does (any mode, -d, -n, --json, -b, the TUI) and also write\n"
			"every interval to FILE: a header, then the intervals' objects, slow calls and\n"
			"caller rows as gzip-compressed JSON Lines, flushed interval by interval.\n\n");
		kvs_print_options(f, kvshadowtop_record_options, kvshadowtop_record_nr_options);
		fprintf(f, "  The live options: see '" PROG " -h'.\n");
		break;
	case KVS_CMD_REPORT:
		fprintf(f, "Usage: " PROG " report FILE [-b|--json|--prom-file PATH]\n"
			"Show a recording as the live run showed it, then a summary (peak and when,\n"
			"totals, latency percentiles over the run, top callers). No option: the TUI,\n"
			"with pause and steps through time. A file that ends early is shown to its last\n"
			"complete interval, with a warning, and exits 0.\n\n");
		kvs_print_options(f, kvshadowtop_report_options, kvshadowtop_report_nr_options);
		break;
	case KVS_CMD_DIFF:
		fprintf(f, "Usage: " PROG " diff A B [--json] [--fail-on EXPR[,EXPR...]]\n"
			"Compare two recordings: counters, peaks, latency percentiles and caller rows,\n"
			"with the absolute and relative change from A to B.\n\n");
		kvs_print_options(f, kvshadowtop_diff_options, kvshadowtop_diff_nr_options);
		fprintf(f, "\nKEY is a key of the JSON summary, dotted for nested ones\n"
			"(shadow_pages_peak, latency.populate.p99_ns); NAME a caller or process as\n"
			"shown, everything up to the last ':'.\n"
			"Exit status: 0 no threshold crossed, 3 a threshold crossed or its number\n"
			"missing from either run, 1 a file that cannot be read, 2 usage error.\n");
		break;
	default:
		return 1;
	}
	return fflush(f) || ferror(f) ? 1 : 0;
}
