// SPDX-License-Identifier: GPL-2.0
/* Values of /proc/meminfo (VmallocUsed, VmallocTotal). */
#include "meminfo.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "errmsg.h"
#include "numparse.h"

/*
 * "VmallocUsed:    1234 kB" (p after the key's colon): the kernel prints KiB always. Strict: blanks,
 * decimal digits, " kB", nothing else (no sign: sscanf would take "-1"
 * and wrap it). 0, -EINVAL or -ERANGE.
 */
static int parse_line(const char *line, size_t len, size_t keylen, uint64_t *bytes)
{
	const char *p = line + keylen, *digits;
	char num[24];
	uint64_t kib;
	size_t n;
	int ret;

	if (strlen(line) != len)
		return -EINVAL;		/* a NUL byte inside */
	while (*p == ' ' || *p == '\t')
		p++;
	digits = p;
	while (*p >= '0' && *p <= '9')
		p++;
	n = (size_t)(p - digits);
	if (!n || (strcmp(p, " kB\n") && strcmp(p, " kB")))
		return -EINVAL;
	if (n >= sizeof(num))
		return -ERANGE;
	memcpy(num, digits, n);
	num[n] = '\0';
	ret = kvs_parse_u64(num, 0, UINT64_MAX / 1024, &kib);
	if (ret)
		return ret;
	*bytes = kib * 1024;
	return 0;
}

int meminfo_value_file(FILE *f, const char *name, const char *key, uint64_t *bytes,
		       char *err, size_t errlen)
{
	size_t keylen = strlen(key);
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int r = -ENOENT;

	while (r == -ENOENT && (n = getline(&line, &cap, f)) > 0)
		if (!strncmp(line, key, keylen) && line[keylen] == ':')
			r = parse_line(line, (size_t)n, keylen + 1, bytes);
	if (r == -ENOENT && ferror(f))
		r = -EIO;
	free(line);
	if (r == -ENOENT)
		return kvs_err(err, errlen, r, "%s: no %s line", name, key);
	if (r == -EINVAL)
		return kvs_err(err, errlen, r, "%s: %s is not \"<KiB> kB\"", name, key);
	if (r)
		return kvs_err(err, errlen, r, "%s: %s: %s", name, key, strerror(-r));
	return 0;
}

int meminfo_vmalloc_used_file(FILE *f, const char *name, uint64_t *bytes, char *err,
			      size_t errlen)
{
	return meminfo_value_file(f, name, "VmallocUsed", bytes, err, errlen);
}

int meminfo_value(const char *path, const char *key, uint64_t *bytes, char *err,
		  size_t errlen)
{
	FILE *f;
	int r;

	path = path ? path : MEMINFO_PATH;
	f = fopen(path, "re");
	if (!f) {
		r = -errno;
		return kvs_err(err, errlen, r, "%s: %s", path, strerror(-r));
	}
	r = meminfo_value_file(f, path, key, bytes, err, errlen);
	fclose(f);
	return r;
}

int meminfo_vmalloc_used(const char *path, uint64_t *bytes, char *err,
			 size_t errlen)
{
	return meminfo_value(path, "VmallocUsed", bytes, err, errlen);
}
