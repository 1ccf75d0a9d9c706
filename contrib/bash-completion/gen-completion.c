// SPDX-License-Identifier: GPL-2.0
/*
 * Writes the bash completion of kvshadowtop or kvshadowstat from the
 * tables the tools parse with: the option tables, the modes, the sorts and
 * the --by words. Run at build time (contrib/build.mk), so a new option or
 * choice completes without anyone editing a script.
 *
 *   gen-completion kvshadowtop|kvshadowstat > FILE
 */
#include <stdio.h>
#include <string.h>

#include "model.h"
#include "modes.h"
#include "options.h"
#include "stat_args.h"
#include "top_args.h"

/*
 * The words an option's argument can be, by the option's long name: 1, 0
 * (none) or -1. f NULL: only say whether there are words.
 */
static int print_words(FILE *f, const char *name)
{
	int r = 0;

	if (!f)
		return !strcmp(name, "mode") || !strcmp(name, "sort") || !strcmp(name, "by");

	if (!strcmp(name, "mode")) {
		for (unsigned int i = 0; r >= 0 && i < KVS_NR_MODES; i++)
			r = fprintf(f, "%s%s", i ? " " : "", kvs_modes[i].name);
	} else if (!strcmp(name, "sort")) {
		for (unsigned int i = 0; r >= 0 && i < KVS_NR_SORTS; i++)
			r = fprintf(f, "%s%s", i ? " " : "", kvs_sorts[i].name);
	} else if (!strcmp(name, "by")) {
		for (unsigned int i = 0; r >= 0 && i < KVS_NR_BY; i++)
			r = fprintf(f, "%s%s", i ? " " : "", kvs_bys[i].name);
	} else {
		return 0;
	}
	return r < 0 ? -1 : 1;
}

/* "-s | --sort)" or "--mode)": the case pattern of an option. */
static int print_pattern(FILE *f, const struct kvs_opt *o)
{
	if (o->key < 256)
		return fprintf(f, "\t-%c | --%s)\n", o->key, o->name) < 0 ? -1 : 0;
	return fprintf(f, "\t--%s)\n", o->name) < 0 ? -1 : 0;
}

/* What completes after an option that takes an argument. */
static int print_case(FILE *f, const struct kvs_opt *o)
{
	int r;

	if (!o->arg)
		return 0;
	if (print_pattern(f, o))
		return -1;
	if (!strcmp(o->name, "prom-file")) {
		r = fputs("\t\t# node_exporter's textfile collector reads *.prom.\n"
			  "\t\tcompopt -o filenames 2>/dev/null\n"
			  "\t\tmapfile -t COMPREPLY < <(compgen -f -X '!*.prom' -- \"$cur\"; "
			  "compgen -d -- \"$cur\")\n", f);
	} else if (!strcmp(o->name, "file")) {
		r = fputs("\t\tcompopt -o filenames 2>/dev/null\n"
			  "\t\tmapfile -t COMPREPLY < <(compgen -f -- \"$cur\")\n", f);
	} else if (!print_words(NULL, o->name)) {
		r = fputs("\t\tCOMPREPLY=()\t# a number or a duration\n", f);
	} else if (fputs("\t\tmapfile -t COMPREPLY < <(compgen -W '", f) < 0 ||
		   print_words(f, o->name) < 0) {
		r = -1;
	} else {
		r = fputs("' -- \"$cur\")\n", f);
	}
	if (r < 0)
		return -1;
	return fputs("\t\treturn\n\t\t;;\n", f) < 0 ? -1 : 0;
}

static int generate(FILE *f, const char *tool, const struct kvs_opt *t, size_t n)
{
	if (fprintf(f, "# SPDX-License-Identifier: GPL-2.0\n"
		    "# bash completion for %s(8), generated from its option tables by\n"
		    "# contrib/bash-completion/gen-completion.c: edit those, not this.\n"
		    "\n_%s()\n{\n"
		    "\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n"
		    "\n\tcase $prev in\n", tool, tool) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (print_case(f, &t[i]))
			return -1;
	if (fputs("\tesac\n"
		  "\t# Positional arguments are numbers: offer only the options.\n"
		  "\t[[ $cur == -* || -z $cur ]] &&\n"
		  "\t\tmapfile -t COMPREPLY < <(compgen -W '", f) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (t[i].key < 256 && fprintf(f, "-%c ", t[i].key) < 0)
			return -1;
		if (fprintf(f, "--%s%s", t[i].name, i + 1 < n ? " " : "") < 0)
			return -1;
	}
	if (fprintf(f, "' -- \"$cur\")\n} &&\n\tcomplete -F _%s %s\n", tool, tool) < 0)
		return -1;
	return fflush(f) || ferror(f) ? -1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "kvshadowtop"))
		return generate(stdout, argv[1], kvshadowtop_options, kvshadowtop_nr_options) ? 1 : 0;
	if (argc == 2 && !strcmp(argv[1], "kvshadowstat"))
		return generate(stdout, argv[1], kvshadowstat_options, kvshadowstat_nr_options) ? 1 : 0;
	fprintf(stderr, "usage: gen-completion kvshadowtop|kvshadowstat\n");
	return 2;
}
