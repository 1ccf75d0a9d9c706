// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: lib/sanitize (kvs_sanitize, kvs_is_sanitized), what makes
 * process and symbol names safe for terminals, JSON and labels. The first
 * input byte sizes the output buffer, the rest is the name. Properties:
 * the output is terminated within the buffer and passes kvs_is_sanitized;
 * sanitizing it again changes nothing; a small buffer cuts the output
 * where a large one would have it (a prefix, at a character boundary);
 * with room enough nothing is cut: the output stops only at a NUL byte of
 * the input.
 */
#include "fuzz.h"
#include "sanitize.h"
#include "../sanitize_oracle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t dstlen, srclen, biglen, full;
	const char *src;
	char *small, *big, *again;

	if (!size)
		return 0;
	dstlen = (size_t)data[0] + 1;
	src = (const char *)data + 1;
	srclen = size - 1;
	/* Every input byte becomes at most 4 output bytes (\xNN). */
	biglen = 4 * srclen + 1;
	small = malloc(dstlen);
	big = malloc(biglen);
	again = malloc(biglen);
	if (!small || !big || !again)
		abort();

	kvs_sanitize(big, biglen, src, srclen);
	full = strlen(big);
	CHECK(full < biglen, "output past the buffer");
	CHECK(kvs_is_sanitized(big), "output not sanitized: '%s'", big);
	/* Nothing cut with room enough: the input was read up to its first NUL. */
	{
		size_t n = strnlen(src, srclen);

		CHECK(full >= n, "%zu input bytes became %zu output bytes", n, full);
	}
	kvs_sanitize(again, biglen, big, full);
	CHECK(!strcmp(again, big), "not idempotent: '%s' -> '%s'", big, again);

	kvs_sanitize(small, dstlen, src, srclen);
	CHECK(strlen(small) < dstlen, "output past a small buffer");
	CHECK(kvs_is_sanitized(small), "cut output not sanitized: '%s'", small);
	CHECK(!strncmp(small, big, strlen(small)), "cut output '%s' is not a prefix of '%s'",
	      small, big);
	free(small);
	free(big);
	free(again);
	return 0;
}
