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

#define VMALLOC_SHADOW_PATH "/sys/kernel/debug/kasan/vmalloc_shadow"

/* How many known keys struct vmalloc_shadow has (vmalloc_shadow_nr_fields). */
#define VMALLOC_SHADOW_NR_FIELDS 8

struct vmalloc_shadow_extra {
	char *key;
	uint64_t value;
};

struct vmalloc_shadow {
	uint64_t shadow_pages, shadow_pages_peak, pages_populated, pages_released,
		 pages_allocated, populate_calls, populate_failures, release_calls;
	size_t nr_extra;                       /* keys appended by newer kernels, in file order */
	struct vmalloc_shadow_extra *extra;
};

/* Known keys in file order, for generic views (JSON objects, tables). */
struct vmalloc_shadow_field {
	const char *name;
	size_t offset;
};
extern const struct vmalloc_shadow_field vmalloc_shadow_fields[];
extern const size_t vmalloc_shadow_nr_fields;

/* The value of known key i (an index into vmalloc_shadow_fields). */
static inline uint64_t vmalloc_shadow_get(const struct vmalloc_shadow *vs, size_t i)
{
	return *(const uint64_t *)((const char *)vs + vmalloc_shadow_fields[i].offset);
}

/*
 * Parse the file's text (len bytes, need not be NUL-terminated). vs is
 * overwritten: free an earlier result first. On error vs holds nothing to
 * free.
 */
int vmalloc_shadow_parse(const char *text, size_t len, struct vmalloc_shadow *vs,
			 char *err, size_t errlen);

/*
 * Read and parse the file at path (NULL: VMALLOC_SHADOW_PATH). When the
 * default file is missing because debugfs is not mounted, root mounts it
 * and tries again.
 */
int vmalloc_shadow_read(const char *path, struct vmalloc_shadow *vs,
			char *err, size_t errlen);

/* Reset shadow_pages_peak to the current shadow_pages (path NULL: default). */
int vmalloc_shadow_reset_peak(const char *path, char *err, size_t errlen);

/* Free what parse/read allocated; vs is left empty and can be freed again. */
void vmalloc_shadow_free(struct vmalloc_shadow *vs);

#endif /* KVSHADOW_VMALLOC_SHADOW_H */
