// SPDX-License-Identifier: GPL-2.0
/* Parser of /proc/vmallocinfo. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vmallocinfo.h"

long kvs_vmallocinfo_parse(FILE *f, kvs_area_fn fn, void *arg)
{
	char *line = NULL;
	size_t cap = 0;
	long nr = 0, hidden = 0;
	int ret = 0;

	while (getline(&line, &cap, f) > 0) {
		unsigned long long start, end;

		if (sscanf(line, "0x%llx-0x%llx", &start, &end) != 2)
			continue;
		if (!(start >> 63)) {
			/*
			 * Not a kernel address: %pK printed 0 (no CAP_SYSLOG)
			 * or a hash (kptr_restrict=0).
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
	if (ret)
		return ret;
	if (ferror(f))
		return -EIO;
	if (!nr && hidden)
		return -EACCES;
	return nr;
}
