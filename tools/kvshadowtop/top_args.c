// SPDX-License-Identifier: GPL-2.0
/* kvshadowtop's command line: one table of options, their usage text. */
#include "top_args.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "numparse.h"

#define PROG "kvshadowtop"

static int set_count(struct kvs_options *o, const char *arg, char *err, size_t errlen)
{
	uint64_t v;

	if (kvs_parse_u64(arg, 0, ULONG_MAX, &v))
		return kvs_opt_error(err, errlen, "-n needs a whole number of intervals (0 = forever), not '%s'",
			   arg);
	o->count = v;
	return 0;
}

static int set_delay(struct kvs_options *o, const char *arg, char *err, size_t errlen)
{
	if (kvs_parse_seconds(arg, KVS_INTERVAL_MIN, KVS_INTERVAL_MAX, &o->interval_s))
		return kvs_opt_error(err, errlen, "-d needs seconds between %g and %g, not '%s'",
			   KVS_INTERVAL_MIN, KVS_INTERVAL_MAX, arg);
	return 0;
}

static int set_mode(struct kvs_options *o, const char *arg, char *err, size_t errlen)
{
	int v;
	int ret = kvs_opt_enum("--mode", kvs_mode_name_i, KVS_NR_MODES, arg, &v, err, errlen);

	if (!ret) {
		o->mode = (enum kvs_mode)v;
		o->mode_set = true;
	}
	return ret;
}

static int set_sort(struct kvs_options *o, const char *arg, char *err, size_t errlen)
{
	int v;
	int ret = kvs_opt_enum("-s", kvs_sort_name, KVS_NR_SORTS, arg, &v, err, errlen);

	if (!ret)
		o->sort = (enum kvs_sort)v;
	return ret;
}

static int set_rows(struct kvs_options *o, const char *arg, char *err, size_t errlen)
{
	uint64_t v;

	if (kvs_parse_u64(arg, 0, 100000, &v))
		return kvs_opt_error(err, errlen, "-r needs a number of rows from 0 to 100000, not '%s'", arg);
	o->rows = v;
	return 0;
}

static int set_by(struct kvs_options *o, const char *arg, char *err, size_t errlen)
{
	int v;
	int ret = kvs_opt_enum("--by", kvs_by_name, KVS_NR_BY, arg, &v, err, errlen);

	if (!ret)
		o->by = (enum kvs_by)v;
	return ret;
}

static int set_top(struct kvs_options *o, const char *arg, char *err, size_t errlen)
{
	uint64_t v;

	if (kvs_parse_u64(arg, 0, 10000, &v))
		return kvs_opt_error(err, errlen, "--top needs a number of callers from 0 to 10000, not '%s'",
			   arg);
	o->prom_top = v;
	return 0;
}

/* An hour: a threshold beyond that is a typo, and ns fit far. */
#define SLOW_MAX_NS 3600000000000ULL

static int set_slow(struct kvs_options *o, const char *arg, char *err, size_t errlen)
{
	if (kvs_parse_duration_ns(arg, SLOW_MAX_NS, &o->slow_ns))
		return kvs_opt_error(err, errlen, "--slow needs a duration with its unit (ns, us, ms, s) up to 3600s, "
				     "such as 500us, 2ms or 1s, not '%s'", arg);
	o->slow_set = true;
	return 0;
}

static int set_stall(struct kvs_options *o, const char *arg, char *err, size_t errlen)
{
	uint64_t ns;

	if (kvs_parse_duration_ns(arg, SLOW_MAX_NS, &ns) || !ns)
		return kvs_opt_error(err, errlen, "--stall needs a duration above 0 with its unit (ns, us, "
				     "ms, s) up to 3600s, such as 100ms or 1s, not '%s'", arg);
	o->stall_ns = ns;
	return 0;
}

static int set_no_fentry(struct kvs_options *o, const char *arg, char *err, size_t errlen)
{
	o->no_fentry = true;
	return 0;
}

static int set_self_stats(struct kvs_options *o, const char *arg, char *err, size_t errlen)
{
	o->self_stats = true;
	return 0;
}

enum { OPT_JSON = 256, OPT_MODE, OPT_PROM, OPT_BY, OPT_TOP, OPT_NO_FENTRY, OPT_SLOW, OPT_SELF,
       OPT_FILE, OPT_LOG, OPT_STALL };

const struct kvs_opt kvshadowtop_options[] = {
	{ "batch", 'b', NULL, "plain text, no terminal control (implied when stdout is not a\n"
	  "                         terminal, or one that cannot show the interactive view)",
	  kvs_opt_batch, NULL },
	{ "count", 'n', "COUNT", "intervals, then exit (0 = forever, the default)", set_count, NULL },
	{ "delay", 'd', "SECONDS", "interval, fractions allowed (default 1)", set_delay, NULL },
	{ "json", OPT_JSON, NULL, "one JSON object per interval per line", kvs_opt_json, NULL },
	{ "mode", OPT_MODE, "MODE", NULL, set_mode, kvs_modes_usage },
	{ "prom-file", OPT_PROM, "PATH", "write Prometheus text to PATH each interval (atomically)",
	  kvs_opt_prom_file, NULL },
	{ "log", OPT_LOG, "FILE",
	  "also write the --json lines of the intervals shown to FILE (created or\n"
	  "                         truncated; each interval whole, written when it is shown)",
	  kvs_opt_log_file, NULL },
	{ "file", OPT_FILE, "PATH", "read PATH instead of the kernel's debugfs counters file",
	  kvs_opt_file, NULL },
	{ "sort", 's', "SORT", "top order (default pages; the choices are listed below)", set_sort, NULL },
	{ "rows", 'r', "ROWS", "rows of the top table (default 10)", set_rows, NULL },
	{ "by", OPT_BY, "WHAT", "attribute to caller (default) or process", set_by, NULL },
	{ "top", OPT_TOP, "N", "caller labels in the Prometheus file (default 10)", set_top, NULL },
	{ "slow", OPT_SLOW, "DURATION",
	  "log every vmalloc call slower than DURATION (500us, 2ms, 1s; 0s: all):\n"
	  "                         who, how big, and how much of it was shadow work",
	  set_slow, NULL },
	{ "stall", OPT_STALL, "DURATION",
	  "count a lazy purge of freed vmap areas that runs DURATION or longer\n"
	  "                         as a stall (default 1s, well below the 21 s RCU stall timeout)",
	  set_stall, NULL },
	{ "self-stats", OPT_SELF, NULL,
	  "show the tool's own cost: ns per run of each BPF program, its CPU and\n"
	  "                         memory (TUI key o). Off by default: while on, the kernel\n"
	  "                         times every run of every BPF program, which costs a little",
	  set_self_stats, NULL },
	{ "no-fentry", OPT_NO_FENTRY, NULL,
	  "attach no fentry/fexit programs: no vmalloc latency, callers from\n"
	  "                         stack traces instead of the kernel's own (vm->caller)",
	  set_no_fentry, NULL },
	KVS_OPT_HELP,
};
const size_t kvshadowtop_nr_options = sizeof(kvshadowtop_options) / sizeof(kvshadowtop_options[0]);

int kvshadowtop_usage(FILE *f)
{
	char sorts[160], modes[80] = "";

	/* The modes from their table, as exact|stock|...; the sorts likewise below. */
	for (unsigned int i = 0; i < KVS_NR_MODES; i++)
		snprintf(modes + strlen(modes), sizeof(modes) - strlen(modes), "%s%s", i ? "|" : "",
			 kvs_mode_name(i));
	fprintf(f, "Usage: " PROG " [-b] [-n COUNT] [-d SECONDS] [--json] [--mode %s]\n"
		"                   [--prom-file PATH] [--log FILE] [-s SORT] [-r ROWS] [--by caller|process]\n"
		"                   [--top N] [--slow DURATION] [--stall DURATION] [--self-stats] [--no-fentry]\n"
		"                   [--file PATH] [-h]\n"
		"       " PROG " record -o FILE [the options above]\n"
		"       " PROG " report FILE [-b|--json|--prom-file PATH]\n"
		"       " PROG " diff A B [--json] [--fail-on EXPR[,EXPR...]]\n"
		"Watch the pages KASAN maps to back vmalloc shadow, who causes them and what they cost;\n"
		"record a run to a file, show it again, compare two (" PROG " record|report|diff -h).\n"
		"\n", modes);
	kvs_print_options(f, kvshadowtop_options, kvshadowtop_nr_options);
	fprintf(f, "\nSORT is %s\n(vp/pp: the rows' vmalloc/populate latency percentiles).\n",
		kvs_enum_list(kvs_sort_name, KVS_NR_SORTS, sorts, sizeof(sorts)));
	fprintf(f, "\nIn every mode but estimate it mounts debugfs on /sys/kernel/debug when it is not.\n"
		"Exit status: 0 success (also when the reader of the output goes away),\n"
		"1 runtime failure, 2 usage error; diff: 3 a --fail-on threshold crossed.\n");
	return fflush(f) || ferror(f) ? 1 : 0;
}

int kvshadowtop_parse_args(int argc, char **argv, struct kvs_options *o, char *err, size_t errlen)
{
	*o = (struct kvs_options){ .interval_s = 1, .rows = 10, .prom_top = 10,
				   .stall_ns = KVS_STALL_DEFAULT_NS };
	return kvs_parse_args(kvshadowtop_options, kvshadowtop_nr_options, argc, argv, o, NULL,
			      err, errlen);
}
