// SPDX-License-Identifier: GPL-2.0
/*
 * Parser of /proc/vmallocinfo. A line starts the way the kernel prints it,
 * "0x<start>-0x<end> <size> ...": lowercase hex of 1 to 16 digits (or, for
 * a pointer %pK hides before the kernel's hash key is ready, the literal
 * "(____ptrval____)", read as 0: hidden), then blanks and the size in
 * decimal. Strict by hand: sscanf's %llx also took
 * signs, blanks and a second "0x" ("0x-f-0x-1" became an area, found by
 * tests/fuzz/vmallocinfo).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "vmallocinfo.h"

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* What %p prints for a hashed pointer until the hash key is ready (early boot, or a guest with little entropy). */
#define PTRVAL "(____ptrval____)"

/* "0x" and 1 to 16 hex digits (or PTRVAL, as 0) at p; the end of it, or NULL. */
static const char *hex_field(const char *p, uint64_t *v)
{
	int n = 0, d;

	if (p[0] != '0' || p[1] != 'x')
		return NULL;
	*v = 0;
	if (!strncmp(p + 2, PTRVAL, strlen(PTRVAL)))
		return p + 2 + strlen(PTRVAL);
	for (p += 2; (d = hex_digit(*p)) >= 0; p++) {
		if (++n > 16)
			return NULL;
		*v = *v << 4 | (uint64_t)d;
	}
	return n ? p : NULL;
}

/* Blanks, then a decimal that fits 64 bits; the end of it, or NULL. */
static const char *dec_field(const char *p, uint64_t *v)
{
	int n = 0;

	while (*p == ' ')
		p++;
	*v = 0;
	for (; *p >= '0' && *p <= '9'; p++, n++) {
		uint64_t d = (uint64_t)(*p - '0');

		if (*v > (UINT64_MAX - d) / 10)
			return NULL;
		*v = *v * 10 + d;
	}
	return n && (!*p || *p == ' ' || *p == '\n') ? p : NULL;
}

/* The range at the start of line; the rest of it, or NULL. */
static const char *range(const char *line, uint64_t *start, uint64_t *end)
{
	const char *p = hex_field(line, start);

	if (!p || *p != '-')
		return NULL;
	p = hex_field(p + 1, end);
	return p && (!*p || *p == ' ' || *p == '\n') ? p : NULL;
}

long kvs_vmallocinfo_parse(FILE *f, kvs_area_fn fn, void *arg, long *hidden_out)
{
	char *line = NULL;
	size_t cap = 0;
	long nr = 0, hidden = 0;
	int ret = 0;

	while (getline(&line, &cap, f) > 0) {
		uint64_t start, end;

		if (!range(line, &start, &end))
			continue;
		if (!(start >> 63)) {
			/*
			 * Not a kernel address: %pK printed 0 (no CAP_SYSLOG),
			 * a hash or PTRVAL (kptr_restrict=0).
			 */
			hidden++;
			continue;
		}
		if (end <= start)
			continue;
		ret = fn(arg, start, end, strstr(line, "unpurged vm_area") != NULL);
		if (ret)
			break;
		nr++;
	}
	free(line);
	if (hidden_out)
		*hidden_out = hidden;
	if (ret)
		return ret;
	if (ferror(f))
		return -EIO;
	if (!nr && hidden)
		return -EACCES;
	return nr;
}

long kvs_vmallocinfo_sizes(FILE *f, kvs_size_fn fn, void *arg)
{
	char *line = NULL;
	size_t cap = 0;
	long nr = 0;
	int ret = 0;

	while (getline(&line, &cap, f) > 0) {
		uint64_t start, end, size;
		const char *p = range(line, &start, &end);

		/* The addresses may be hashed or 0: the size column counts anyway. */
		if (!p || !dec_field(p, &size))
			continue;
		ret = fn(arg, size, strstr(line, "unpurged vm_area") != NULL);
		if (ret)
			break;
		nr++;
	}
	free(line);
	if (ret)
		return ret;
	return ferror(f) ? -EIO : nr;
}

static int add_size(void *arg, uint64_t bytes, int lazy)
{
	uint64_t *sum = arg;

	*sum = *sum + bytes < *sum ? UINT64_MAX : *sum + bytes;
	return 0;
}

int kvs_vmallocinfo_bytes(FILE *f, uint64_t *bytes)
{
	uint64_t sum = 0;
	long n = kvs_vmallocinfo_sizes(f, add_size, &sum);

	if (n < 0)
		return (int)n;
	if (!n)
		return -ENODATA;
	*bytes = sum;
	return 0;
}
