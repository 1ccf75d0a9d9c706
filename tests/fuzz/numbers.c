// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: the one number parser of the command lines and the TUI's
 * prompt (kvs_parse_u64, kvs_parse_seconds, kvs_parse_duration_ns), on
 * the input as one string with the bounds the tools use. Properties: what
 * is accepted is decimal digits (one '.' for seconds and durations, then
 * a unit for durations) and nothing else, and lies within its bounds; a
 * whole number reads back as written (without leading zeros), a duration
 * is the value written, to double precision; a refusal
 * is -EINVAL or -ERANGE and leaves the result alone.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>

#include "fuzz.h"
#include "numparse.h"

static bool only_digits(const char *s, size_t n, bool point)
{
	size_t points = 0, digits = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			digits++;
		else if (s[i] == '.' && point)
			points++;
		else
			return false;
	}
	return digits && points <= 1;
}

static void check_u64(const char *s, uint64_t min, uint64_t max)
{
	uint64_t v = 7777;
	char back[32];
	const char *p = s;
	int ret = kvs_parse_u64(s, min, max, &v);

	if (ret) {
		CHECK(ret == -EINVAL || ret == -ERANGE, "ret %d", ret);
		CHECK(v == 7777, "a refusal changed the result");
		return;
	}
	CHECK(only_digits(s, strlen(s), false), "'%s' accepted as a whole number", s);
	CHECK(v >= min && v <= max, "%" PRIu64 " outside %" PRIu64 "..%" PRIu64, v, min, max);
	while (p[0] == '0' && p[1])
		p++;
	snprintf(back, sizeof(back), "%" PRIu64, v);
	CHECK(!strcmp(back, p), "'%s' read as %s", s, back);
}

static void check_seconds(const char *s, double min, double max)
{
	double v = -1;
	int ret = kvs_parse_seconds(s, min, max, &v);

	if (ret) {
		CHECK(ret == -EINVAL || ret == -ERANGE, "ret %d", ret);
		CHECK(v == -1, "a refusal changed the result");
		return;
	}
	CHECK(only_digits(s, strlen(s), true), "'%s' accepted as seconds", s);
	CHECK(isfinite(v) && v >= min && v <= max, "%g outside %g..%g", v, min, max);
}

static void check_duration(const char *s, uint64_t max)
{
	static const char *const units[] = { "ns", "us", "ms", "s" };
	static const long double scales[] = { 1, 1e3L, 1e6L, 1e9L };
	long double ref, scale = 0;
	uint64_t v = 7777;
	size_t n = strspn(s, "0123456789.");
	bool unit = false;
	int ret = kvs_parse_duration_ns(s, max, &v);

	if (ret) {
		CHECK(ret == -EINVAL || ret == -ERANGE, "ret %d", ret);
		CHECK(v == 7777, "a refusal changed the result");
		return;
	}
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (!strcmp(s + n, units[i])) {
			unit = true;
			scale = scales[i];
		}
	CHECK(unit && only_digits(s, n, true), "'%s' accepted as a duration", s);
	CHECK(v <= max, "%" PRIu64 " ns above %" PRIu64, v, max);
	/* The value is what the text says, to double precision. */
	ref = strtold(s, NULL) * scale;
	CHECK(fabsl((long double)v - ref) <= ref * 1e-15L + 1,
	      "'%s' read as %" PRIu64 " ns, not %Lg", s, v, ref);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);

	check_u64(s, 0, ULONG_MAX);		/* -n */
	check_u64(s, 1, ULONG_MAX);		/* kvshadowstat COUNT */
	check_u64(s, 0, 100000);		/* -r */
	check_u64(s, 0, UINT64_MAX);
	check_u64(s, 5, 5);
	check_seconds(s, KVS_INTERVAL_MIN, KVS_INTERVAL_MAX);	/* -d, INTERVAL, the d prompt */
	check_seconds(s, 0, 1e300);
	check_duration(s, 10ull * 1000 * 1000 * 1000);		/* --slow */
	check_duration(s, UINT64_MAX);
	free(s);
	return 0;
}
