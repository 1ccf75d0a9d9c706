// SPDX-License-Identifier: GPL-2.0
/*
 * Writes the bash completion of kvshadowtop or kvshadowstat from the
 * tables the tools parse with: the option tables, the modes, the sorts and
 * the --by words. Run at build time (contrib/build.mk), so a new option or
 * choice completes without anyone editing a script.
 *
 *   gen-completion kvshadowtop|kvshadowstat > FILE
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "model.h"
#include "modes.h"
#include "options.h"
#include "rec_args.h"
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
	} else if (!strcmp(o->name, "file") || !strcmp(o->name, "output") ||
		   !strcmp(o->name, "log")) {
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

/* The options of a table, as the words of compgen -W. */
static int print_opts(FILE *f, const struct kvs_opt *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (t[i].key < 256 && fprintf(f, "-%c ", t[i].key) < 0)
			return -1;
		if (fprintf(f, "--%s ", t[i].name) < 0)
			return -1;
	}
	return 0;
}

/*
 * One completion function fn for the options of tables t[0..nt) (an
 * option's argument completes by print_case); the positional arguments
 * are files (files) or numbers; words: more to offer as the first
 * argument (kvshadowtop's commands), or NULL.
 */
static int gen_fn(FILE *f, const char *fn, const struct kvs_opt *const *t, const size_t *n,
		  size_t nt, bool files, const char *words)
{
	if (fprintf(f, "\n%s()\n{\n"
		    "\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n"
		    "\n\tcase $prev in\n", fn) < 0)
		return -1;
	for (size_t k = 0; k < nt; k++)
		for (size_t i = 0; i < n[k]; i++)
			if (print_case(f, &t[k][i]))
				return -1;
	if (fputs("\tesac\n", f) < 0)
		return -1;
	if (files && fputs("\t# Positional arguments are recordings.\n"
			   "\tif [[ $cur != -* ]]; then\n"
			   "\t\tcompopt -o filenames 2>/dev/null\n"
			   "\t\tmapfile -t COMPREPLY < <(compgen -f -- \"$cur\")\n"
			   "\t\treturn\n\tfi\n", f) < 0)
		return -1;
	if (fputs(files ? "\tmapfile -t COMPREPLY < <(compgen -W '" : words ?
		  "\t# Positional arguments are numbers: offer the options (and first the commands).\n"
		  "\t[[ $cur == -* || -z $cur ]] || ((COMP_CWORD == 1)) &&\n"
		  "\t\tmapfile -t COMPREPLY < <(compgen -W '" :
		  "\t# Positional arguments are numbers: offer only the options.\n"
		  "\t[[ $cur == -* || -z $cur ]] &&\n"
		  "\t\tmapfile -t COMPREPLY < <(compgen -W '", f) < 0)
		return -1;
	for (size_t k = 0; k < nt; k++)
		if (print_opts(f, t[k], n[k]))
			return -1;
	if (words && fprintf(f, "'\"$( ((COMP_CWORD == 1)) && echo '%s')\"'", words) < 0)
		return -1;
	return fputs("' -- \"$cur\")\n}\n", f) < 0 ? -1 : 0;
}

static int header(FILE *f, const char *tool)
{
	return fprintf(f, "# SPDX-License-Identifier: GPL-2.0\n"
		       "# bash completion for %s(8), generated from its option tables by\n"
		       "# contrib/bash-completion/gen-completion.c: edit those, not this.\n",
		       tool) < 0 ? -1 : 0;
}

static int finish(FILE *f, const char *tool)
{
	if (fprintf(f, "complete -F _%s %s\n", tool, tool) < 0)
		return -1;
	return fflush(f) || ferror(f) ? -1 : 0;
}

static int gen_kvshadowstat(FILE *f)
{
	const struct kvs_opt *t[] = { kvshadowstat_options };
	const size_t n[] = { kvshadowstat_nr_options };

	return header(f, "kvshadowstat") || gen_fn(f, "_kvshadowstat", t, n, 1, false, NULL) ||
		finish(f, "kvshadowstat");
}

/* The live options, then record, report and diff, and the function that picks one. */
static int gen_kvshadowtop(FILE *f)
{
	const struct kvs_opt *live[] = { kvshadowtop_options };
	const size_t nlive[] = { kvshadowtop_nr_options };
	const struct kvs_opt *rec[] = { kvshadowtop_record_options, kvshadowtop_options };
	const size_t nrec[] = { kvshadowtop_record_nr_options, kvshadowtop_nr_options };
	const struct kvs_opt *rep[] = { kvshadowtop_report_options };
	const size_t nrep[] = { kvshadowtop_report_nr_options };
	const struct kvs_opt *dif[] = { kvshadowtop_diff_options };
	const size_t ndif[] = { kvshadowtop_diff_nr_options };
	char cmds[64] = "";

	for (unsigned int i = 0; i < KVS_NR_CMDS; i++)
		snprintf(cmds + strlen(cmds), sizeof(cmds) - strlen(cmds), " %s",
			 kvs_rec_cmd_name(i));
	if (header(f, "kvshadowtop") ||
	    gen_fn(f, "_kvshadowtop_live", live, nlive, 1, false, cmds) ||
	    gen_fn(f, "_kvshadowtop_record", rec, nrec, 2, false, NULL) ||
	    gen_fn(f, "_kvshadowtop_report", rep, nrep, 1, true, NULL) ||
	    gen_fn(f, "_kvshadowtop_diff", dif, ndif, 1, true, NULL))
		return -1;
	if (fputs("\n_kvshadowtop()\n{\n\tcase ${COMP_WORDS[1]} in\n", f) < 0)
		return -1;
	for (unsigned int i = 0; i < KVS_NR_CMDS; i++)
		if (fprintf(f, "\t%s) _kvshadowtop_%s ;;\n", kvs_rec_cmd_name(i),
			    kvs_rec_cmd_name(i)) < 0)
			return -1;
	if (fputs("\t*) _kvshadowtop_live ;;\n\tesac\n} &&\n\t", f) < 0)
		return -1;
	return finish(f, "kvshadowtop");
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "kvshadowtop"))
		return gen_kvshadowtop(stdout) ? 1 : 0;
	if (argc == 2 && !strcmp(argv[1], "kvshadowstat"))
		return gen_kvshadowstat(stdout) ? 1 : 0;
	fprintf(stderr, "usage: gen-completion kvshadowtop|kvshadowstat\n");
	return 2;
}
