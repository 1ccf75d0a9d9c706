/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every libFuzzer target in tests/fuzz/ shares: the entry point's
 * prototype, a check that aborts with a message (a finding), and the input
 * as a stream (fmemopen needs a non-empty, writable buffer).
 */
#ifndef KVS_FUZZ_H
#define KVS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A property that does not hold: a finding, with the reason. */
#define CHECK(cond, ...)                                                        \
	do {                                                                    \
		if (!(cond)) {                                                  \
			fprintf(stderr, "%s:%d: property failed: %s: ", __FILE__, \
				__LINE__, #cond);                               \
			fprintf(stderr, __VA_ARGS__);                           \
			fputc('\n', stderr);                                    \
			abort();                                                \
		}                                                               \
	} while (0)

/* data as a NUL-terminated copy (malloc'd). */
static inline char *fuzz_str(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* data as a read-only stream; *buf is what to free after fclose(). */
static inline FILE *fuzz_stream(const uint8_t *data, size_t size, char **buf)
{
	FILE *f;

	*buf = fuzz_str(data, size);
	/* fmemopen refuses size 0: an empty file is one NUL byte never read. */
	f = fmemopen(*buf, size ? size : 1, "r");
	if (!f)
		abort();
	if (!size)
		(void)fgetc(f);
	return f;
}

/* A message must be a terminated, printable line: it goes to a terminal. */
static inline void check_message(const char *err, size_t len)
{
	CHECK(memchr(err, '\0', len) != NULL, "message not terminated");
	for (const unsigned char *p = (const unsigned char *)err; *p; p++)
		CHECK(*p >= 0x20 && *p != 0x7f, "control byte 0x%02x in message \"%s\"", *p, err);
}

#endif /* KVS_FUZZ_H */
