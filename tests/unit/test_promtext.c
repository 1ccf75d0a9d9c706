// SPDX-License-Identifier: GPL-2.0
/*
 * Conformance of lib/promtext against the text exposition format 0.0.4 and
 * the rules promtool lints: exact output, escaping, ordering, histogram
 * invariants, uniqueness, the _total rule, HELP/TYPE for every family.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "promtext.h"

#define L(n, v) ((struct promtext_label){ (n), (v) })

static const char *finish(struct promtext *pt)
{
	const char *data = NULL;
	size_t len = 0;

	assert_int_equal(promtext_finish(pt, &data, &len), 0);
	assert_int_equal(strlen(data), len);
	return data;
}

static int setup(void **state)
{
	*state = promtext_new();
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	promtext_free(*state);
	return 0;
}

/*
 * A small checker of the structure of a whole file: every line is HELP,
 * TYPE or a sample; HELP then TYPE come once per family before its samples;
 * a sample has exactly "name[{labels}] value" (no timestamp); the file ends
 * in a newline. Fails the test on the first violation.
 */
static void check_structure(const char *text)
{
	char *copy = strdup(text), *save = NULL, *line;
	char family[256] = "", type[32] = "";
	size_t len = strlen(text);

	assert_non_null(copy);
	assert_true(len > 0);
	assert_int_equal(text[len - 1], '\n');
	assert_null(strstr(text, "\n\n"));
	for (line = strtok_r(copy, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char name[256], *p, *end;

		if (!strncmp(line, "# HELP ", 7)) {
			assert_int_equal(sscanf(line + 7, "%255s", family), 1);
			type[0] = '\0';
			continue;
		}
		if (!strncmp(line, "# TYPE ", 7)) {
			assert_int_equal(sscanf(line + 7, "%255s %31s", name, type), 2);
			assert_string_equal(name, family);
			continue;
		}
		assert_int_not_equal(line[0], '#');
		/* A sample of the family just announced by HELP and TYPE. */
		assert_true(type[0]);
		p = line + strcspn(line, "{ ");
		assert_true((size_t)(p - line) < sizeof(name));
		memcpy(name, line, (size_t)(p - line));
		name[p - line] = '\0';
		if (!strcmp(type, "histogram")) {
			size_t n = strlen(family);

			assert_int_equal(strncmp(name, family, n), 0);
			assert_true(!strcmp(name + n, "_bucket") ||
				    !strcmp(name + n, "_sum") ||
				    !strcmp(name + n, "_count"));
		} else {
			assert_string_equal(name, family);
		}
		if (*p == '{') {
			/* Skip the label block, honouring escapes in values. */
			int quoted = 0;

			for (p++; *p && (quoted || *p != '}'); p++) {
				if (quoted && *p == '\\')
					p++;
				else if (*p == '"')
					quoted = !quoted;
			}
			assert_int_equal(*p, '}');
			p++;
		}
		assert_int_equal(*p, ' ');
		/* One value and nothing after it: no timestamp. */
		if (strcmp(p + 1, "NaN") && strcmp(p + 1, "+Inf") &&
		    strcmp(p + 1, "-Inf")) {
			strtod(p + 1, &end);
			assert_true(end != p + 1);
			assert_int_equal(*end, '\0');
		}
	}
	free(copy);
}

static void test_exact_output(void **state)
{
	struct promtext *pt = *state;
	struct promtext_label mode[] = { L("mode", "exact"), L("kernel", "6.12.0") };
	double bounds[] = { 0.000001, 0.001, 1 };
	uint64_t cum[] = { 1, 3, 4 };

	assert_int_equal(promtext_family(pt, "kvs_bytes", PROMTEXT_GAUGE,
					 "Bytes now."), 0);
	assert_int_equal(promtext_sample(pt, NULL, 0, 4096), 0);
	assert_int_equal(promtext_family(pt, "kvs_calls_total", PROMTEXT_COUNTER,
					 "Calls."), 0);
	assert_int_equal(promtext_sample(pt, NULL, 0, 12), 0);
	assert_int_equal(promtext_family(pt, "kvs_duration_seconds",
					 PROMTEXT_HISTOGRAM, "Latency."), 0);
	assert_int_equal(promtext_histogram(pt, NULL, 0, bounds, cum, 3, 2.5, 5), 0);
	assert_int_equal(promtext_family(pt, "kvs_info", PROMTEXT_GAUGE,
					 "Where numbers come from."), 0);
	assert_int_equal(promtext_sample(pt, mode, 2, 1), 0);
	assert_string_equal(finish(pt),
		"# HELP kvs_bytes Bytes now.\n"
		"# TYPE kvs_bytes gauge\n"
		"kvs_bytes 4096\n"
		"# HELP kvs_calls_total Calls.\n"
		"# TYPE kvs_calls_total counter\n"
		"kvs_calls_total 12\n"
		"# HELP kvs_duration_seconds Latency.\n"
		"# TYPE kvs_duration_seconds histogram\n"
		"kvs_duration_seconds_bucket{le=\"1e-06\"} 1\n"
		"kvs_duration_seconds_bucket{le=\"0.001\"} 3\n"
		"kvs_duration_seconds_bucket{le=\"1\"} 4\n"
		"kvs_duration_seconds_bucket{le=\"+Inf\"} 5\n"
		"kvs_duration_seconds_sum 2.5\n"
		"kvs_duration_seconds_count 5\n"
		"# HELP kvs_info Where numbers come from.\n"
		"# TYPE kvs_info gauge\n"
		"kvs_info{mode=\"exact\",kernel=\"6.12.0\"} 1\n");
	check_structure(finish(pt));
}

static void test_label_escaping(void **state)
{
	struct promtext *pt = *state;
	struct promtext_label l[] = { L("caller", "a\\b\"c\nd") };

	assert_int_equal(promtext_family(pt, "x", PROMTEXT_GAUGE, "h"), 0);
	assert_int_equal(promtext_sample(pt, l, 1, 1), 0);
	assert_non_null(strstr(finish(pt), "x{caller=\"a\\\\b\\\"c\\nd\"} 1\n"));
	check_structure(finish(pt));
}

static void test_help_escaping(void **state)
{
	struct promtext *pt = *state;

	/* HELP escapes backslash and newline; a quote stays as it is. */
	assert_int_equal(promtext_family(pt, "x", PROMTEXT_GAUGE,
					 "a\\b\nc \"d\""), 0);
	assert_string_equal(finish(pt),
			    "# HELP x a\\\\b\\nc \"d\"\n# TYPE x gauge\n");
}

static void test_metric_names(void **state)
{
	struct promtext *pt = *state;
	const char *bad[] = { "", "1x", "a-b", "a b", "a:b", "__x", "é" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(promtext_family(pt, bad[i], PROMTEXT_GAUGE, "h"),
				 -EINVAL);
	assert_int_equal(promtext_family(pt, NULL, PROMTEXT_GAUGE, "h"), -EINVAL);
	assert_int_equal(promtext_family(pt, "x", PROMTEXT_GAUGE, ""), -EINVAL);
	assert_int_equal(promtext_family(pt, "x", PROMTEXT_GAUGE, NULL), -EINVAL);
	assert_int_equal(promtext_family(pt, "_Ok9", PROMTEXT_GAUGE, "h"), 0);
}

static void test_label_names(void **state)
{
	struct promtext *pt = *state;
	const char *bad[] = { "", "1x", "a-b", "__name__", "a.b" };
	double b = 1;
	uint64_t c = 0;

	assert_int_equal(promtext_family(pt, "x", PROMTEXT_GAUGE, "h"), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct promtext_label l[] = { L(bad[i], "v") };

		assert_int_equal(promtext_sample(pt, l, 1, 1), -EINVAL);
		assert_non_null(strstr(promtext_error(pt), "label"));
	}
	struct promtext_label twice[] = { L("a", "1"), L("a", "2") };
	struct promtext_label noval[] = { L("a", NULL) };
	struct promtext_label le[] = { L("le", "1") };

	assert_int_equal(promtext_sample(pt, twice, 2, 1), -EINVAL);
	assert_int_equal(promtext_sample(pt, noval, 1, 1), -EINVAL);
	/* le is an ordinary label on a gauge but the histogram's own. */
	assert_int_equal(promtext_sample(pt, le, 1, 1), 0);
	assert_int_equal(promtext_family(pt, "h", PROMTEXT_HISTOGRAM, "h"), 0);
	assert_int_equal(promtext_histogram(pt, le, 1, &b, &c, 1, 0, 0), -EINVAL);
}

static void test_utf8(void **state)
{
	struct promtext *pt = *state;
	struct promtext_label ok[] = { L("a", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80") };
	const char *bad[] = { "\xff", "\xc3", "\xc0\xaf", "\xed\xa0\x80",
			      "\xf4\x90\x80\x80" };

	assert_int_equal(promtext_family(pt, "x", PROMTEXT_GAUGE, "h"), 0);
	assert_int_equal(promtext_sample(pt, ok, 1, 1), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct promtext_label l[] = { L("b", bad[i]) };

		assert_int_equal(promtext_sample(pt, l, 1, 1), -EINVAL);
	}
	assert_int_equal(promtext_family(pt, "y", PROMTEXT_GAUGE, "\xff"), -EINVAL);
}

static void test_total_rule(void **state)
{
	struct promtext *pt = *state;
	struct promtext *fresh = promtext_new();
	const char *data;
	size_t len;

	assert_non_null(fresh);
	assert_int_equal(promtext_family(pt, "calls", PROMTEXT_COUNTER, "h"),
			 -EINVAL);
	assert_non_null(strstr(promtext_error(pt), "_total"));
	assert_int_equal(promtext_family(pt, "calls_total", PROMTEXT_GAUGE, "h"),
			 -EINVAL);
	assert_int_equal(promtext_family(pt, "d_total", PROMTEXT_HISTOGRAM, "h"),
			 -EINVAL);
	/* _bucket/_sum/_count belong to histograms (promtool lints them). */
	assert_int_equal(promtext_family(pt, "a_count", PROMTEXT_GAUGE, "h"),
			 -EINVAL);
	assert_int_equal(promtext_family(pt, "a_sum", PROMTEXT_GAUGE, "h"),
			 -EINVAL);
	assert_int_equal(promtext_family(pt, "a_bucket", PROMTEXT_GAUGE, "h"),
			 -EINVAL);
	/* Failed calls wrote nothing. */
	assert_int_equal(promtext_finish(pt, &data, &len), -ENODATA);
	assert_int_equal(promtext_family(pt, "calls_total", PROMTEXT_COUNTER, "h"), 0);
	assert_int_equal(promtext_sample(pt, NULL, 0, -1), -EINVAL);
	assert_int_equal(promtext_sample(pt, NULL, 0, NAN), -EINVAL);
	assert_int_equal(promtext_sample(pt, NULL, 0, INFINITY), 0);
	promtext_free(fresh);
}

static void test_unique(void **state)
{
	struct promtext *pt = *state;
	struct promtext_label ab[] = { L("a", "1"), L("b", "2") };
	struct promtext_label ba[] = { L("b", "2"), L("a", "1") };
	struct promtext_label ac[] = { L("a", "1"), L("b", "3") };
	const char *before;
	size_t len;

	assert_int_equal(promtext_family(pt, "x", PROMTEXT_GAUGE, "h"), 0);
	assert_int_equal(promtext_sample(pt, NULL, 0, 1), 0);
	assert_int_equal(promtext_sample(pt, NULL, 0, 2), -EEXIST);
	assert_int_equal(promtext_sample(pt, ab, 2, 1), 0);
	/* The same label set in another order is the same series. */
	assert_int_equal(promtext_sample(pt, ba, 2, 1), -EEXIST);
	assert_non_null(strstr(promtext_error(pt), "twice"));
	assert_int_equal(promtext_sample(pt, ac, 2, 1), 0);
	assert_int_equal(promtext_finish(pt, &before, &len), 0);
	assert_int_equal(promtext_family(pt, "x", PROMTEXT_GAUGE, "h"), -EEXIST);
	assert_int_equal(promtext_family(pt, "x", PROMTEXT_HISTOGRAM, "h"), -EEXIST);
	assert_int_equal(promtext_finish(pt, &before, &len), 0);
	/* x is still current: a failed family changes nothing. */
	assert_int_equal(promtext_sample(pt, NULL, 0, 3), -EEXIST);
	check_structure(before);

	/* A histogram owns x_sum etc., so a histogram x_sum clashes with x. */
	assert_int_equal(promtext_family(pt, "d", PROMTEXT_HISTOGRAM, "h"), 0);
	assert_int_equal(promtext_family(pt, "d_bucket", PROMTEXT_HISTOGRAM, "h"),
			 -EEXIST);
	assert_int_equal(promtext_family(pt, "e_sum", PROMTEXT_HISTOGRAM, "h"), 0);
	assert_int_equal(promtext_family(pt, "e", PROMTEXT_HISTOGRAM, "h"),
			 -EEXIST);
}

static void test_values(void **state)
{
	static const struct {
		double v;
		const char *text;
	} cases[] = {
		{ 0, "0" },
		{ -0.0, "0" },
		{ 1, "1" },
		{ -42, "-42" },
		{ 0.1, "0.1" },
		{ 2.5e-7, "2.5e-07" },
		{ 1.0 / 3, "0.3333333333333333" },
		{ 9007199254740992.0, "9007199254740992" },	/* 2^53 */
		{ 18446744073709551616.0, "1.8446744073709552e+19" },
		{ NAN, "NaN" },
		{ INFINITY, "+Inf" },
		{ -INFINITY, "-Inf" },
	};
	struct promtext *pt = *state;
	char name[16], line[96];
	const char *text;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(name, sizeof(name), "v%zu", i);
		assert_int_equal(promtext_family(pt, name, PROMTEXT_GAUGE, "h"), 0);
		assert_int_equal(promtext_sample(pt, NULL, 0, cases[i].v), 0);
	}
	text = finish(pt);
	check_structure(text);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(line, sizeof(line), "\nv%zu %s\n", i, cases[i].text);
		if (!strstr(text, line))
			fail_msg("missing \"%s\" in:\n%s", line + 1, text);
	}
	/* Every finite value reads back exactly. */
	for (double v = 1e-9; v < 1e300; v *= 7.3) {
		struct promtext *p = promtext_new();
		const char *t;

		assert_non_null(p);
		assert_int_equal(promtext_family(p, "r", PROMTEXT_GAUGE, "h"), 0);
		assert_int_equal(promtext_sample(p, NULL, 0, v), 0);
		t = finish(p);
		assert_true(strtod(strrchr(t, ' ') + 1, NULL) == v);
		promtext_free(p);
	}
}

static void test_histogram(void **state)
{
	struct promtext *pt = *state;
	struct promtext_label l[] = { L("op", "populate") };
	double bounds[] = { 0.5, 0.25 }, inf[] = { INFINITY }, ok[] = { 1, 2 };
	uint64_t cum_down[] = { 3, 2 }, cum[] = { 1, 2 }, big[] = { 5, 9 };
	const char *text, *inf_line, *count_line;
	size_t len;

	assert_int_equal(promtext_histogram(pt, NULL, 0, ok, cum, 2, 0, 2), -EINVAL);
	assert_int_equal(promtext_family(pt, "lat_seconds", PROMTEXT_HISTOGRAM,
					 "h"), 0);
	assert_int_equal(promtext_sample(pt, NULL, 0, 1), -EINVAL);
	assert_int_equal(promtext_histogram(pt, l, 1, bounds, cum, 2, 0, 2), -EINVAL);
	assert_non_null(strstr(promtext_error(pt), "increase"));
	assert_int_equal(promtext_histogram(pt, l, 1, ok, cum_down, 2, 0, 3), -EINVAL);
	assert_int_equal(promtext_histogram(pt, l, 1, ok, big, 2, 0, 8), -EINVAL);
	assert_int_equal(promtext_histogram(pt, l, 1, inf, cum, 1, 0, 2), -EINVAL);
	assert_int_equal(promtext_histogram(pt, l, 1, ok, cum, 2, NAN, 2), -EINVAL);
	assert_int_equal(promtext_finish(pt, &text, &len), 0);
	assert_null(strstr(text, "lat_seconds_"));

	assert_int_equal(promtext_histogram(pt, l, 1, ok, cum, 2, 0.75, 7), 0);
	assert_int_equal(promtext_histogram(pt, l, 1, ok, cum, 2, 0.75, 7), -EEXIST);
	/* No finite buckets: just +Inf. */
	struct promtext_label l2[] = { L("op", "release") };

	assert_int_equal(promtext_histogram(pt, l2, 1, NULL, NULL, 0, 0, 0), 0);
	text = finish(pt);
	check_structure(text);
	inf_line = strstr(text, "lat_seconds_bucket{op=\"populate\",le=\"+Inf\"} 7\n");
	count_line = strstr(text, "lat_seconds_count{op=\"populate\"} 7\n");
	assert_non_null(inf_line);
	assert_non_null(count_line);
	/* Buckets in increasing order, then _sum, then _count. */
	assert_true(strstr(text, "{op=\"populate\",le=\"1\"} 1\n") <
		    strstr(text, "{op=\"populate\",le=\"2\"} 2\n"));
	assert_true(strstr(text, "{op=\"populate\",le=\"2\"} 2\n") < inf_line);
	assert_true(inf_line < strstr(text, "lat_seconds_sum{op=\"populate\"} 0.75\n"));
	assert_true(strstr(text, "lat_seconds_sum{op=\"populate\"}") < count_line);
	assert_non_null(strstr(text, "lat_seconds_bucket{op=\"release\",le=\"+Inf\"} 0\n"
				     "lat_seconds_sum{op=\"release\"} 0\n"
				     "lat_seconds_count{op=\"release\"} 0\n"));
}

static void test_order_misuse(void **state)
{
	struct promtext *pt = *state;
	const char *data;
	size_t len;

	assert_int_equal(promtext_sample(pt, NULL, 0, 1), -EINVAL);
	assert_int_equal(promtext_finish(pt, &data, &len), -ENODATA);
	assert_int_equal(promtext_family(pt, "g", (enum promtext_type)7, "h"),
			 -EINVAL);
	assert_int_equal(promtext_family(pt, "g", PROMTEXT_GAUGE, "h"), 0);
	assert_int_equal(promtext_histogram(pt, NULL, 0, NULL, NULL, 0, 0, 0),
			 -EINVAL);
	assert_string_equal(promtext_error(pt), "g is a gauge, not a histogram");
	/* A family may have no samples: HELP and TYPE still stand. */
	assert_string_equal(finish(pt), "# HELP g h\n# TYPE g gauge\n");
}

/* Growth of the buffer: many long series, nothing lost or truncated. */
static void test_large(void **state)
{
	struct promtext *pt = *state;
	size_t n = 5000, vlen = 300, lines = 0;
	char *value = malloc(vlen + 16);
	const char *text;

	assert_non_null(value);
	assert_int_equal(promtext_family(pt, "big", PROMTEXT_GAUGE, "h"), 0);
	for (size_t i = 0; i < n; i++) {
		memset(value, 'v', vlen);
		snprintf(value + vlen, 16, "%zu", i);
		struct promtext_label l[] = { L("k", value) };

		assert_int_equal(promtext_sample(pt, l, 1, (double)i), 0);
	}
	text = finish(pt);
	for (const char *p = text; (p = strchr(p, '\n')); p++)
		lines++;
	assert_int_equal(lines, n + 2);
	assert_true(strlen(text) > n * vlen);
	assert_non_null(strstr(text, "vvv4999\"} 4999\n"));
	free(value);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_exact_output),
		T(test_label_escaping),
		T(test_help_escaping),
		T(test_metric_names),
		T(test_label_names),
		T(test_utf8),
		T(test_total_rule),
		T(test_unique),
		T(test_values),
		T(test_histogram),
		T(test_order_misuse),
		T(test_large),
#undef T
	};

	return cmocka_run_group_tests_name("promtext", tests, NULL, NULL);
}
