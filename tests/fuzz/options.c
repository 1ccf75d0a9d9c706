// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: both tools' command lines (kvshadowtop_parse_args,
 * kvshadowstat_parse_args) and kvshadowtop's record, report and diff
 * (kvshadowtop_cmd_parse). The input is argv, one argument a line.
 * Properties: the result is 0, 1 (-h) or -EINVAL with a message; parsing
 * twice gives the same answer (getopt's state is reset); what is accepted
 * lies in the documented ranges: an interval in [0.01, 86400], a mode,
 * sort and --by that exist, rows and --top in range, a non-empty path for
 * --prom-file and --file; record has its -o FILE, report one file, diff
 * two.
 */
#include <errno.h>
#include <limits.h>

#include "fuzz.h"
#include "numparse.h"
#include "rec_args.h"
#include "stat_args.h"
#include "top_args.h"

#define MAX_ARGS 64

typedef int (*parse_fn)(int argc, char **argv, struct kvs_options *o, char *err, size_t errlen);

static void check_options(const struct kvs_options *o)
{
	CHECK(o->interval_s >= KVS_INTERVAL_MIN && o->interval_s <= KVS_INTERVAL_MAX,
	      "interval %g", o->interval_s);
	CHECK((unsigned int)o->mode < KVS_NR_MODES, "mode %d", o->mode);
	CHECK((unsigned int)o->sort < KVS_NR_SORTS, "sort %d", o->sort);
	CHECK((unsigned int)o->by < KVS_NR_BY, "by %d", o->by);
	CHECK(o->rows <= 100000, "rows %zu", o->rows);
	CHECK(o->prom_top <= 10000, "top %zu", o->prom_top);
	CHECK(!o->prom_file || o->prom_file[0], "an empty --prom-file");
	CHECK(!o->debugfs_file || o->debugfs_file[0], "an empty --file");
	CHECK(!o->fail_on || o->fail_on[0], "an empty --fail-on");
	CHECK(o->nr_rec_files <= 2, "%zu recordings", o->nr_rec_files);
}

static int parse_record(int argc, char **argv, struct kvs_options *o, char *err, size_t errlen)
{
	int ret = kvshadowtop_cmd_parse(KVS_CMD_RECORD, argc, argv, o, err, errlen);

	CHECK(ret || (o->record_file && o->record_file[0]), "record without its -o FILE");
	return ret;
}

static int parse_report(int argc, char **argv, struct kvs_options *o, char *err, size_t errlen)
{
	int ret = kvshadowtop_cmd_parse(KVS_CMD_REPORT, argc, argv, o, err, errlen);

	CHECK(ret || (o->nr_rec_files == 1 && !(o->json && o->batch)), "report: %zu files",
	      o->nr_rec_files);
	return ret;
}

static int parse_diff(int argc, char **argv, struct kvs_options *o, char *err, size_t errlen)
{
	int ret = kvshadowtop_cmd_parse(KVS_CMD_DIFF, argc, argv, o, err, errlen);

	CHECK(ret || o->nr_rec_files == 2, "diff: %zu files", o->nr_rec_files);
	return ret;
}

/* Parse a private copy of argv (getopt permutes it); the result, and *o. */
static int parse(parse_fn fn, int argc, char *const *args, struct kvs_options *o)
{
	char *argv[MAX_ARGS + 2], err[512];
	int ret;

	memcpy(argv, args, (size_t)(argc + 1) * sizeof(*argv));
	memset(err, 'x', sizeof(err));
	ret = fn(argc, argv, o, err, sizeof(err));
	CHECK(ret == 0 || ret == 1 || ret == -EINVAL, "ret %d", ret);
	if (ret == -EINVAL) {
		CHECK(memchr(err, '\0', sizeof(err)), "message not terminated");
		CHECK(err[0], "a usage error without a message");
	}
	return ret;
}

static void both_ways(parse_fn fn, const char *prog, int argc, char **args)
{
	struct kvs_options a, b;
	int ra, rb;

	args[0] = (char *)prog;
	ra = parse(fn, argc, args, &a);
	rb = parse(fn, argc, args, &b);
	CHECK(ra == rb, "%s: %d, then %d for the same argv", prog, ra, rb);
	if (ra == 0) {
		check_options(&a);
		CHECK(a.interval_s == b.interval_s && a.count == b.count && a.rows == b.rows,
		      "%s: different options for the same argv", prog);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_str(data, size), *args[MAX_ARGS + 2], *p = text;
	int argc = 1;

	/* argv[1..]: the lines; a last line without '\n' counts too. */
	while (*p && argc <= MAX_ARGS) {
		char *nl = strchr(p, '\n');

		args[argc++] = p;
		if (!nl)
			break;
		*nl = '\0';
		p = nl + 1;
	}
	args[argc] = NULL;
	both_ways(kvshadowtop_parse_args, "kvshadowtop", argc, args);
	both_ways(kvshadowstat_parse_args, "kvshadowstat", argc, args);
	both_ways(parse_record, "record", argc, args);
	both_ways(parse_report, "report", argc, args);
	both_ways(parse_diff, "diff", argc, args);
	free(text);
	return 0;
}
