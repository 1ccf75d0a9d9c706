// SPDX-License-Identifier: GPL-2.0
/* Strict number parsing (see numparse.h). */
#include "numparse.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Length of the number at s: digits, with one '.' when point; 0 if none. */
static size_t number_len(const char *s, bool point)
{
	size_t n = 0, digits = 0, points = 0;

	for (; s[n]; n++) {
		if (s[n] >= '0' && s[n] <= '9')
			digits++;
		else if (s[n] == '.' && point && !points)
			points++;
		else
			break;
	}
	return digits ? n : 0;
}

int kvs_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	size_t n = number_len(s, false);
	char *end;

	if (!n || s[n])
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno == ERANGE || v < min || v > max)
		return -ERANGE;
	if (errno || end != s + n)
		return -EINVAL;
	*out = v;
	return 0;
}

/* s[0..n) as a non-negative double; only called on a number_len() prefix. */
static int to_double(const char *s, size_t n, double *out)
{
	char buf[64], *end;

	if (n >= sizeof(buf))
		return -ERANGE;
	memcpy(buf, s, n);
	buf[n] = '\0';
	errno = 0;
	*out = strtod(buf, &end);
	if (errno || *end || !isfinite(*out))
		return -ERANGE;
	return 0;
}

int kvs_parse_seconds(const char *s, double min, double max, double *out)
{
	size_t n = number_len(s, true);
	double v;

	if (!n || s[n])
		return -EINVAL;
	if (to_double(s, n, &v) || v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int kvs_parse_duration_ns(const char *s, uint64_t max_ns, uint64_t *out)
{
	static const struct { const char *suffix; double ns; } units[] = {
		{ "ns", 1 }, { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 },
	};
	size_t n = number_len(s, true);
	double v;

	if (!n)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(s + n, units[i].suffix))
			continue;
		if (to_double(s, n, &v))
			return -ERANGE;
		v = round(v * units[i].ns);
		/*
		 * 2^64 and above do not convert (llround() stopped at 2^63: the
		 * fuzzer read "18400000177s" as 9223372036854775808 ns). The
		 * bound is checked on the integer: (double)max_ns may round up.
		 */
		if (v >= 0x1p64 || (uint64_t)v > max_ns)
			return -ERANGE;
		*out = (uint64_t)v;
		return 0;
	}
	return -EINVAL;
}
