/* SPDX-License-Identifier: GPL-2.0 */
/* /proc/vmallocinfo: the vmap areas that seed the estimate, and their total size. */
#ifndef KVS_VMALLOCINFO_H
#define KVS_VMALLOCINFO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Called per vmap area of /proc/vmallocinfo; lazy = "unpurged vm_area". */
typedef int (*kvs_area_fn)(void *arg, uint64_t start, uint64_t end, int lazy);

/*
 * Feed every area of vmallocinfo text in f to fn. Returns the number of
 * areas, -EACCES when the addresses are hidden (zero or hashed), or
 * fn's error. hidden, when not NULL: the area lines whose address was
 * hidden (how many areas there are when the result is -EACCES).
 */
long kvs_vmallocinfo_parse(FILE *f, kvs_area_fn fn, void *arg, long *hidden);

/* Called per vmap area with its size column: printed even where addresses are hidden. */
typedef int (*kvs_size_fn)(void *arg, uint64_t bytes, int lazy);

/*
 * Feed the size of every area line of f to fn, addresses hidden or not.
 * Returns the number of areas, -EIO, or fn's error.
 */
long kvs_vmallocinfo_sizes(FILE *f, kvs_size_fn fn, void *arg);

/*
 * The bytes of every vmap area in vmallocinfo text (the size column: it is
 * printed as a number even where addresses are hidden): vmalloc, vmap,
 * ioremap, vm_map_ram and lazily freed areas, guard pages included.
 * 0, -EIO, or -ENODATA when f held no area line.
 */
int kvs_vmallocinfo_bytes(FILE *f, uint64_t *bytes);

#endif /* KVS_VMALLOCINFO_H */
