/* SPDX-License-Identifier: GPL-2.0 */
/* /proc/vmallocinfo: the vmap areas that seed the estimate. */
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
 * fn's error.
 */
long kvs_vmallocinfo_parse(FILE *f, kvs_area_fn fn, void *arg);

#endif /* KVS_VMALLOCINFO_H */
