/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reader of /sys/kernel/debug/kasan/vmalloc_shadow, the counters of the
 * pages that back KASAN's vmalloc shadow (docs/interfaces.md, section 2).
 *
 * Every function returns 0 or a negative errno and, on error, writes a
 * message a user can act on into err (at most errlen bytes, always
 * terminated when errlen > 0).
 */
#ifndef KVSHADOW_VMALLOC_SHADOW_H
#define KVSHADOW_VMALLOC_SHADOW_H

#include <stddef.h>
#include <stdint.h>

#include "counters.h"

#define VMALLOC_SHADOW_PATH "/sys/kernel/debug/kasan/vmalloc_shadow"
#define DEBUGFS_DIR "/sys/kernel/debug"

/*
 * The file: its known keys are the debugfs rows of the counter table
 * (lib/kvs_counters.h), in that order; the other counters stay 0.
 */
struct vmalloc_shadow {
	struct kvs_counters c;
	size_t nr_extra;                       /* keys appended by newer kernels, in file order */
	struct kvs_kv *extra;
};

/*
 * Parse the file's text (len bytes, need not be NUL-terminated). vs is
 * overwritten: free an earlier result first. On error vs holds nothing to
 * free.
 */
int vmalloc_shadow_parse(const char *text, size_t len, struct vmalloc_shadow *vs,
			 char *err, size_t errlen);

/*
 * Read and parse the file at path (NULL: VMALLOC_SHADOW_PATH). Never
 * mounts anything: a missing file is diagnosed (not root, debugfs not
 * mounted, kernel without the counters). -EINTR when a signal interrupted
 * a blocking open or read (of a FIFO given as path), so the caller can stop.
 */
int vmalloc_shadow_read(const char *path, struct vmalloc_shadow *vs,
			char *err, size_t errlen);

/*
 * Mount debugfs on DEBUGFS_DIR when it is not mounted there and we are
 * root; the tools call this once, at start, in the modes that read debugfs.
 * Returns 1 when it mounted, 0 when there was nothing to do (mounted, or
 * not root: the reader then explains), or a negative errno with err.
 */
int debugfs_mount_if_needed(char *err, size_t errlen);

/* Free what parse/read allocated; vs is left empty and can be freed again. */
void vmalloc_shadow_free(struct vmalloc_shadow *vs);

#endif /* KVSHADOW_VMALLOC_SHADOW_H */
