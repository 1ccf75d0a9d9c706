// SPDX-License-Identifier: GPL-2.0
/* VmallocUsed from /proc/meminfo. */
#include "meminfo.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int meminfo_vmalloc_used(const char *path, uint64_t *bytes, char *err,
			 size_t errlen)
{
	FILE *f;
	char *line = NULL;
	size_t cap = 0;
	uint64_t kib;
	int r = -ENOENT, e;

	path = path ? path : MEMINFO_PATH;
	f = fopen(path, "re");
	if (!f) {
		e = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		return -e;
	}
	while (r == -ENOENT && getline(&line, &cap, f) > 0) {
		/* "VmallocUsed:    1234 kB": the kernel prints KiB always. */
		if (sscanf(line, "VmallocUsed: %" SCNu64 " kB", &kib) == 1) {
			if (kib > UINT64_MAX / 1024)
				r = -ERANGE;
			else
				*bytes = kib * 1024, r = 0;
		}
	}
	if (r == -ENOENT && ferror(f))
		r = -EIO;
	free(line);
	fclose(f);
	if (r)
		snprintf(err, errlen, "%s: %s", path, r == -ENOENT ?
			 "no VmallocUsed line" : strerror(-r));
	return r;
}
