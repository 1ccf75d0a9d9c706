// SPDX-License-Identifier: GPL-2.0
/*
 * kvshadowstat's command line. One table holds every option with its help,
 * so the usage text cannot forget one.
 */
#include "kvshadowstat_opts.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "vmalloc_shadow.h"

/* Longer intervals would be a typo; it also keeps timespec math far from overflow. */
#define MAX_INTERVAL_S 1000000.0

enum { OPT_JSON = 256, OPT_FILE, OPT_PROM_FILE };

static const struct {
	struct option opt;
	const char *arg;	/* shown in the usage, NULL for none */
	const char *help;
} options[] = {
	{ { "json", no_argument, NULL, OPT_JSON }, NULL,
	  "one JSON object per line (JSON Lines)" },
	{ { "file", required_argument, NULL, OPT_FILE }, "PATH",
	  "read PATH instead of " VMALLOC_SHADOW_PATH },
	{ { "prom-file", required_argument, NULL, OPT_PROM_FILE }, "PATH",
	  "also write the counters to PATH for node_exporter's textfile\n"
	  "                    collector, replaced atomically every interval" },
	{ { "help", no_argument, NULL, 'h' }, NULL, "show this help and exit" },
};
#define NR_OPTIONS (sizeof(options) / sizeof(options[0]))

void kvstat_usage(FILE *f, bool brief)
{
	size_t i;

	fprintf(f, "Usage: kvshadowstat [INTERVAL [COUNT]] [--json] [--prom-file PATH] [--file PATH] [-h]\n");
	if (brief) {
		fprintf(f, "Try 'kvshadowstat --help' for more.\n");
		return;
	}
	fprintf(f,
		"Show the pages that back KASAN's vmalloc shadow, from debugfs.\n"
		"The first line counts since boot, then one line per INTERVAL.\n"
		"\n"
		"  INTERVAL          seconds between lines (fractions allowed);\n"
		"                    without it, print once and exit\n"
		"  COUNT             lines to print (default: until interrupted)\n");
	for (i = 0; i < NR_OPTIONS; i++) {
		const char *arg = options[i].arg ? options[i].arg : "";
		char left[40];

		if (options[i].opt.val < 256)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", options[i].opt.val,
				 options[i].opt.name, *arg ? " " : "", arg);
		else
			snprintf(left, sizeof(left), "--%s%s%s", options[i].opt.name,
				 *arg ? " " : "", arg);
		fprintf(f, "  %-16s  %s\n", left, options[i].help);
	}
	fprintf(f, "\nExit status: 0 success, 1 runtime failure, 2 usage error.\n");
}

__attribute__((format(printf, 3, 4)))
static int usage_error(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* Decimal digits with at most one '.', and at least one digit. */
static int is_decimal(const char *s, int allow_point)
{
	int digits = 0, points = 0;

	for (; *s; s++) {
		if (*s >= '0' && *s <= '9')
			digits++;
		else if (*s == '.' && allow_point)
			points++;
		else
			return 0;
	}
	return digits > 0 && points <= 1;
}

static int parse_interval(const char *s, double *out, char *err, size_t errlen)
{
	char *end;
	double v;

	/* strtod alone would also take " 1", "1e3", "0x10", "inf" and "nan". */
	if (!is_decimal(s, 1))
		return usage_error(err, errlen, "INTERVAL '%s' is not a number of seconds", s);
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end)
		return usage_error(err, errlen, "INTERVAL '%s' is not a number of seconds", s);
	if (v <= 0)
		return usage_error(err, errlen, "INTERVAL '%s' must be more than 0 seconds", s);
	if (v > MAX_INTERVAL_S)
		return usage_error(err, errlen, "INTERVAL '%s' is longer than %.0f seconds",
				   s, MAX_INTERVAL_S);
	*out = v;
	return 0;
}

static int parse_count(const char *s, unsigned long *out, char *err, size_t errlen)
{
	unsigned long v;
	char *end;

	if (!is_decimal(s, 0))
		return usage_error(err, errlen, "COUNT '%s' is not a whole number", s);
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end)
		return usage_error(err, errlen, "COUNT '%s' is too large", s);
	if (!v)
		return usage_error(err, errlen, "COUNT must be at least 1");
	*out = v;
	return 0;
}

int kvstat_parse_args(int argc, char **argv, struct kvstat_opts *o, char *err, size_t errlen)
{
	struct option longopts[NR_OPTIONS + 1];
	char shortopts[2 * NR_OPTIONS + 2] = ":";	/* ':' reports a missing argument apart */
	size_t i, n = 1;
	int c, ret;

	memset(o, 0, sizeof(*o));
	memset(longopts, 0, sizeof(longopts));
	for (i = 0; i < NR_OPTIONS; i++) {
		longopts[i] = options[i].opt;
		if (options[i].opt.val < 256) {
			shortopts[n++] = (char)options[i].opt.val;
			if (options[i].opt.has_arg == required_argument)
				shortopts[n++] = ':';
		}
	}
	shortopts[n] = '\0';

	optind = 0;		/* glibc: start over, even after an earlier parse */
	opterr = 0;		/* our messages, not getopt's */
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		switch (c) {
		case OPT_JSON:
			o->json = true;
			break;
		case OPT_FILE:
			o->file = optarg;
			break;
		case OPT_PROM_FILE:
			o->prom_file = optarg;
			break;
		case 'h':
			return KVSTAT_ARGS_HELP;
		case ':':
			return usage_error(err, errlen, "option '%s' needs an argument",
					   argv[optind - 1]);
		default:
			/* optopt: an unknown short option, or a long one given an argument */
			if (optopt > 0 && optopt < 256)
				return usage_error(err, errlen, "unknown option '-%c'", optopt);
			if (optopt)
				return usage_error(err, errlen, "option '%s' takes no argument",
						   argv[optind - 1]);
			return usage_error(err, errlen, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc) {
		ret = parse_interval(argv[optind++], &o->interval_s, err, errlen);
		if (ret)
			return ret;
	}
	if (optind < argc) {
		ret = parse_count(argv[optind++], &o->count, err, errlen);
		if (ret)
			return ret;
	}
	if (optind < argc)
		return usage_error(err, errlen, "unexpected argument '%s'", argv[optind]);
	return KVSTAT_ARGS_RUN;
}
