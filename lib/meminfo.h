/* SPDX-License-Identifier: GPL-2.0 */
/* /proc/meminfo: the one number kvshadow sets shadow memory against. */
#ifndef KVSHADOW_MEMINFO_H
#define KVSHADOW_MEMINFO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define MEMINFO_PATH "/proc/meminfo"

/*
 * VmallocUsed in bytes from path (NULL: MEMINFO_PATH). 0, or a negative
 * errno with a message in err (-ENOENT when the key is missing).
 */
int meminfo_vmalloc_used(const char *path, uint64_t *bytes, char *err,
			 size_t errlen);
/*
 * The same from an open stream of meminfo text (name: for messages); the
 * parser alone, for tests and fuzzing. -EINVAL or -ERANGE for a
 * VmallocUsed line that is not "<KiB> kB" with KiB * 1024 in 64 bits.
 */
int meminfo_vmalloc_used_file(FILE *f, const char *name, uint64_t *bytes, char *err,
			      size_t errlen);

#endif
