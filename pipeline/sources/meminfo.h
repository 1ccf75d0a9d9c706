/* SPDX-License-Identifier: GPL-2.0 */
/* /proc/meminfo: VmallocUsed (what shadow memory is set against), VmallocTotal. */
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

/*
 * Any "<key>: <KiB> kB" value in bytes (key without its colon), from path
 * or an open stream; errors as above.
 */
int meminfo_value(const char *path, const char *key, uint64_t *bytes, char *err,
		  size_t errlen);
int meminfo_value_file(FILE *f, const char *name, const char *key, uint64_t *bytes,
		       char *err, size_t errlen);

#endif
