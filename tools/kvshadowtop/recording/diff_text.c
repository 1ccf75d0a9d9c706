// SPDX-License-Identifier: GPL-2.0
/* diff's table for people, from the comparison object (see diff.h). */
#include "diff.h"

#include <errno.h>
#include <math.h>

#include "summary.h"

/* A number as the table shows it: integers whole, the rest to 4 digits. */
static const char *cell(char *buf, size_t len, json_t *v)
{
	double d;

	if (!kvs_json_number(v, &d))
		snprintf(buf, len, "n/a");
	else if (d == floor(d) && fabs(d) < 1e15)
		snprintf(buf, len, "%.0f", d);
	else
		snprintf(buf, len, "%.4g", d);
	return buf;
}

static void line(FILE *f, const char *name, json_t *c)
{
	char a[32], b[32], d[32], r[32];
	double rel;
	json_t *ch = json_object_get(c, "change");

	if (kvs_json_number(json_object_get(c, "relative_change"), &rel))
		snprintf(r, sizeof(r), "%+.1f%%", rel * 100);
	else
		snprintf(r, sizeof(r), "-");
	snprintf(d, sizeof(d), "%s%s", json_is_number(ch) && json_number_value(ch) > 0 ? "+" : "",
		 json_is_number(ch) ? cell(a, sizeof(a), ch) : "-");
	fprintf(f, "%-44s %14s %14s %14s %9s\n", name, cell(a, sizeof(a), json_object_get(c, "a")),
		cell(b, sizeof(b), json_object_get(c, "b")), d, r);
}

static void run_line(FILE *f, const char *which, json_t *r)
{
	fprintf(f, "%s: %s: kernel %s, %s mode, %lld-byte pages, %lld intervals%s\n", which,
		json_string_value(json_object_get(r, "file")),
		json_string_value(json_object_get(r, "kernel")),
		json_string_value(json_object_get(r, "mode")),
		(long long)json_integer_value(json_object_get(r, "page_size")),
		(long long)json_integer_value(json_object_get(r, "intervals")),
		json_is_true(json_object_get(r, "complete")) ? "" : " (ends early)");
}

int kvs_diff_text(FILE *f, json_t *cmp)
{
	json_t *c, *rows = json_object_get(cmp, "rows");
	const char *by = NULL;
	size_t i;
	char name[256];

	run_line(f, "A", json_object_get(cmp, "a"));
	run_line(f, "B", json_object_get(cmp, "b"));
	fprintf(f, "\n%-44s %14s %14s %14s %9s\n", "KEY", "A", "B", "CHANGE", "REL");
	json_array_foreach(json_object_get(cmp, "keys"), i, c)
		line(f, json_string_value(json_object_get(c, "key")), c);
	if (json_array_size(rows)) {
		by = json_object_get(json_array_get(rows, 0), "caller") ? "caller" : "process";
		fprintf(f, "\n%-44s %14s %14s %14s %9s\n", by[0] == 'c' ? "CALLER:KEY" : "PROCESS:KEY",
			"A", "B", "CHANGE", "REL");
	}
	json_array_foreach(rows, i, c) {
		snprintf(name, sizeof(name), "%s:%s", json_string_value(json_object_get(c, by)),
			 json_string_value(json_object_get(c, "key")));
		line(f, name, c);
	}
	if (json_array_size(json_object_get(cmp, "left_out")))
		fprintf(f, "\nLeft out (they do not mean the same in both runs):\n");
	json_array_foreach(json_object_get(cmp, "left_out"), i, c)
		fprintf(f, "  %s: %s\n", json_string_value(json_object_get(c, "key")),
			json_string_value(json_object_get(c, "left_out")));
	if (json_array_size(json_object_get(cmp, "fail_on")))
		fprintf(f, "\n--fail-on:\n");
	json_array_foreach(json_object_get(cmp, "fail_on"), i, c)
		fprintf(f, "  %-8s %s: %s\n", json_string_value(json_object_get(c, "result")),
			json_string_value(json_object_get(c, "expr")),
			json_string_value(json_object_get(c, "why")));
	return fflush(f) || ferror(f) ? -1 : 0;
}
