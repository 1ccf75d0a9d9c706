// SPDX-License-Identifier: GPL-2.0
/* Option tables to getopt_long and usage text (see options.h). */
#include "options.h"

#include "errmsg.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

const char *kvs_mode_name_i(unsigned int i)
{
	return kvs_mode_name((enum kvs_mode)i);
}

const char *kvs_sort_name(unsigned int i)
{
	return i < KVS_NR_SORTS ? kvs_sorts[i].name : NULL;
}

const char *kvs_by_name(unsigned int i)
{
	return i < KVS_NR_BY ? kvs_bys[i].name : NULL;
}

int kvs_opt_error(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	kvs_err(err, errlen, -EINVAL, "%s", msg ? msg : "usage error (out of memory)");
	free(msg);
	return -EINVAL;
}

int kvs_enum_parse(kvs_name_fn name, unsigned int n, const char *s)
{
	for (unsigned int i = 0; i < n; i++)
		if (name(i) && !strcmp(name(i), s))
			return (int)i;
	return -1;
}

const char *kvs_enum_list(kvs_name_fn name, unsigned int n, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < n && used < len; i++) {
		const char *sep = !i ? "" : i + 1 == n ? " or " : ", ";
		int w = snprintf(buf + used, len - used, "%s%s", sep, name(i));

		if (w < 0)
			break;
		used += (size_t)w;
	}
	return buf;
}

int kvs_opt_enum(const char *what, kvs_name_fn name, unsigned int n, const char *arg,
		 int *out, char *err, size_t errlen)
{
	char list[128];
	int i = kvs_enum_parse(name, n, arg);

	if (i < 0)
		return kvs_opt_error(err, errlen, "%s is %s, not '%s'", what,
				   kvs_enum_list(name, n, list, sizeof(list)), arg);
	*out = i;
	return 0;
}

int kvs_opt_json(struct kvs_options *o, const char *arg, char *err, size_t errlen)
{
	o->json = true;
	return 0;
}

int kvs_opt_batch(struct kvs_options *o, const char *arg, char *err, size_t errlen)
{
	o->batch = true;
	return 0;
}

int kvs_opt_file(struct kvs_options *o, const char *arg, char *err, size_t errlen)
{
	if (!*arg)
		return kvs_opt_error(err, errlen, "--file needs a path");
	o->debugfs_file = arg;
	return 0;
}

int kvs_opt_prom_file(struct kvs_options *o, const char *arg, char *err, size_t errlen)
{
	if (!*arg)
		return kvs_opt_error(err, errlen, "--prom-file needs a path");
	o->prom_file = arg;
	return 0;
}

int kvs_opt_log_file(struct kvs_options *o, const char *arg, char *err, size_t errlen)
{
	if (!*arg)
		return kvs_opt_error(err, errlen, "--log needs a file");
	o->log_file = arg;
	return 0;
}

static void left_column(const struct kvs_opt *opt, char *buf, size_t len)
{
	const char *arg = opt->arg ? opt->arg : "";

	if (opt->key < 256)
		snprintf(buf, len, "-%c, --%s%s%s", opt->key, opt->name, *arg ? " " : "", arg);
	else
		snprintf(buf, len, "    --%s%s%s", opt->name, *arg ? " " : "", arg);
}

int kvs_print_options(FILE *f, const struct kvs_opt *table, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char left[48];

		left_column(&table[i], left, sizeof(left));
		if (table[i].print_help) {
			if (fprintf(f, "  %-22s ", left) < 0 ||
			    table[i].print_help(f, "                         "))
				return -1;
		} else if (fprintf(f, "  %-22s %s\n", left, table[i].help) < 0) {
			return -1;
		}
	}
	return 0;
}

int kvs_main_args(const char *prog, int argc, char **argv, struct kvs_options *o,
		  int (*parse)(int argc, char **argv, struct kvs_options *o, char *err,
			       size_t errlen),
		  int (*help)(FILE *f), int (*hint)(FILE *f))
{
	char err[512];
	int ret = parse(argc, argv, o, err, sizeof(err));

	if (ret == 1) {
		errno = 0;
		if (!help(stdout))
			return 0;
		fprintf(stderr, "%s: writing the help: %s\n", prog,
			errno ? strerror(errno) : "write error");
		return 1;
	}
	if (ret) {
		fprintf(stderr, "%s: %s\n", prog, err);
		/* A usage error exits so whether or not stderr takes the hint. */
		(void)hint(stderr);
		return KVS_EXIT_USAGE;
	}
	return -1;
}

int kvs_parse_args(const struct kvs_opt *table, size_t n, int argc, char **argv,
		   struct kvs_options *o,
		   int (*positional)(struct kvs_options *o, size_t i, const char *arg,
				     char *err, size_t errlen),
		   char *err, size_t errlen)
{
	struct option *longopts = calloc(n + 1, sizeof(*longopts));
	char *shortopts = malloc(2 * n + 2);
	size_t s = 0, npos = 0;
	int c, ret = 0, idx;

	if (!longopts || !shortopts) {
		ret = kvs_opt_error(err, errlen, "out of memory");
		goto out;
	}
	shortopts[s++] = ':';	/* a missing argument is reported apart */
	for (size_t i = 0; i < n; i++) {
		longopts[i] = (struct option){ table[i].name,
			table[i].arg ? required_argument : no_argument, NULL, table[i].key };
		if (table[i].key < 256) {
			shortopts[s++] = (char)table[i].key;
			if (table[i].arg)
				shortopts[s++] = ':';
		}
	}
	shortopts[s] = '\0';

	optind = 0;		/* glibc: start over, even after an earlier parse */
	opterr = 0;		/* our messages, not getopt's */
	while (!ret && (c = getopt_long(argc, argv, shortopts, longopts, &idx)) != -1) {
		const struct kvs_opt *opt = NULL;

		if (c == ':') {
			ret = kvs_opt_error(err, errlen, "option '%s' needs an argument", argv[optind - 1]);
			break;
		}
		for (size_t i = 0; i < n && !opt; i++)
			if (table[i].key == c)
				opt = &table[i];
		if (!opt) {
			/* optopt: an unknown short option, or a long one given an argument */
			if (optopt > 0 && optopt < 256)
				ret = kvs_opt_error(err, errlen, "unknown option '-%c'", optopt);
			else if (optopt)
				ret = kvs_opt_error(err, errlen, "option '%s' takes no argument",
						  argv[optind - 1]);
			else
				ret = kvs_opt_error(err, errlen, "unknown option '%s'", argv[optind - 1]);
			break;
		}
		if (!opt->set) {
			ret = 1;	/* -h */
			break;
		}
		ret = opt->set(o, optarg, err, errlen);
	}
	while (!ret && optind < argc) {
		if (!positional) {
			ret = kvs_opt_error(err, errlen, "unexpected argument '%s'", argv[optind]);
			break;
		}
		ret = positional(o, npos++, argv[optind++], err, errlen);
	}
out:
	free(longopts);
	free(shortopts);
	return ret;
}
