/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Command lines: each tool has one table of its options (name, argument,
 * help, what it sets); this file turns such a table into getopt_long
 * arrays and the usage text, so an option cannot work without being listed.
 * The names of modes, sorts and --by values live in one place each.
 */
#ifndef KVS_OPTIONS_H
#define KVS_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "model.h"

/* What a run asks for; views read it, never change it. */
struct kvs_options {
	bool batch;			/* -b, or stdout is not a tty */
	unsigned long count;		/* -n, 0 = forever */
	double interval_s;		/* -d, default 1 */
	bool json;			/* --json: JSON Lines */
	bool mode_set;			/* --mode given */
	enum kvs_mode mode;
	const char *prom_file;		/* --prom-file PATH or NULL */
	const char *log_file;		/* --log FILE: the --json lines, to a file, or NULL */
	enum kvs_sort sort;		/* -s */
	size_t rows;			/* -r, rows of top shown (text/TUI/JSON), default 10 */
	enum kvs_by by;			/* --by caller|process */
	size_t prom_top;		/* --top N: Prometheus caller labels, default 10 */
	const char *debugfs_file;	/* --file PATH, NULL: the kernel's debugfs file */
	bool since_boot;		/* kvshadowstat: no baseline, counters since boot */
	bool no_fentry;			/* --no-fentry: no trampolines on vmalloc paths */
	bool slow_set;			/* --slow DURATION given */
	uint64_t slow_ns;		/* log vmalloc calls at least this long (0: all) */
	uint64_t stall_ns;		/* --stall: a lazy purge this long is a stall */
	bool self_stats;		/* --self-stats: the tool's own cost (BPF_ENABLE_STATS) */
	/* kvshadowtop record / report / diff */
	const char *record_file;	/* record -o FILE */
	int argc;			/* the command line, for the recording's header */
	char **argv;
	const char *rec_files[2];	/* report FILE, diff A B */
	size_t nr_rec_files;
	const char *fail_on;		/* diff --fail-on EXPR[,EXPR...] */
	bool replay;			/* report: the TUI steps through a recording */
};

/*
 * --stall's default: a purge this long already hurts (vmalloc callers can
 * wait for it), and it is far below the 21 s RCU stall and 20 s soft lockup
 * reports of a default kernel, so a warning comes before the kernel's.
 */
#define KVS_STALL_DEFAULT_NS 1000000000ULL

/* The usage error exit status; runtime failures are 1. */
#define KVS_EXIT_USAGE 2

struct kvs_opt {
	const char *name;		/* long name */
	int key;			/* short option character, or >= 256 */
	const char *arg;		/* argument name in the usage, NULL: none */
	const char *help;		/* may hold '\n' + indentation for more lines */
	/* Apply the option; 0, or -EINVAL with the reason in err. */
	int (*set)(struct kvs_options *o, const char *arg, char *err, size_t errlen);
	/* Prints help instead, from a table (lines after the first start with indent). */
	int (*print_help)(FILE *f, const char *indent);
};

/* The option -h, --help: set() is never called. */
#define KVS_OPT_HELP { "help", 'h', NULL, "show this help and exit", NULL, NULL }

/*
 * Parse argv with table (n entries); positional arguments go to positional
 * (NULL: none allowed), called with the index among them. Resets getopt, so
 * it can run more than once (the tests do). Returns 0, 1 for -h, or -EINVAL
 * with the reason in err.
 */
int kvs_parse_args(const struct kvs_opt *table, size_t n, int argc, char **argv,
		   struct kvs_options *o,
		   int (*positional)(struct kvs_options *o, size_t i, const char *arg,
				     char *err, size_t errlen),
		   char *err, size_t errlen);

/* Print the options of table as usage lines ("  -d, --delay SECONDS  help"). */
int kvs_print_options(FILE *f, const struct kvs_opt *table, size_t n);

/*
 * An enum's names come from where the enum is defined (kvs_mode_name,
 * kvs_sorts[].name, kvs_by_name): name(i) for i < n.
 */
typedef const char *(*kvs_name_fn)(unsigned int i);

/* The i with name(i) equal to s, or -1. One parser for every enum option. */
int kvs_enum_parse(kvs_name_fn name, unsigned int n, const char *s);
/* "a, b or c" into buf: for messages that list the choices. */
const char *kvs_enum_list(kvs_name_fn name, unsigned int n, char *buf, size_t len);
/* Set *out from an option argument, or -EINVAL with the choices in err. */
int kvs_opt_enum(const char *what, kvs_name_fn name, unsigned int n, const char *arg,
		 int *out, char *err, size_t errlen);

const char *kvs_mode_name_i(unsigned int i);
const char *kvs_sort_name(unsigned int i);
const char *kvs_by_name(unsigned int i);

/*
 * How both main()s start: parse argv into o with parse; -h writes the
 * help (help(stdout)), a usage error "prog: why" and hint(stderr).
 * Returns -1 to go on and run, or the exit status: 0 after the help, 1
 * when the help could not be written, KVS_EXIT_USAGE after an error.
 */
int kvs_main_args(const char *prog, int argc, char **argv, struct kvs_options *o,
		  int (*parse)(int argc, char **argv, struct kvs_options *o, char *err,
			       size_t errlen),
		  int (*help)(FILE *f), int (*hint)(FILE *f));

/* A usage error: the reason into err, returns -EINVAL. */
int kvs_opt_error(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The options both tools share (set functions for their tables). */
int kvs_opt_json(struct kvs_options *o, const char *arg, char *err, size_t errlen);
/* -b, --batch: plain text (kvshadowtop and its report). */
int kvs_opt_batch(struct kvs_options *o, const char *arg, char *err, size_t errlen);
int kvs_opt_prom_file(struct kvs_options *o, const char *arg, char *err, size_t errlen);
int kvs_opt_log_file(struct kvs_options *o, const char *arg, char *err, size_t errlen);
/* --file PATH: read PATH instead of the kernel's debugfs file (both tools). */
int kvs_opt_file(struct kvs_options *o, const char *arg, char *err, size_t errlen);

#endif /* KVS_OPTIONS_H */
