/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-node shadow: the kernel's per-node count of the pages that back
 * vmalloc shadow, nr_kasan_vmalloc_shadow (a node_stat_item of the kvshadow
 * series, docs/interfaces.md §8), in each node's vmstat under
 * /sys/devices/system/node. Kernels without the series have no such line.
 */
#ifndef KVS_NODES_H
#define KVS_NODES_H

#include <stddef.h>

#include "snapshot.h"

#define KVS_NODES_ROOT "/sys/devices/system/node"
#define KVS_NODE_SHADOW_ITEM "nr_kasan_vmalloc_shadow"

/*
 * Every root/node<N>/vmstat's count, sorted by node (root NULL:
 * KVS_NODES_ROOT; tests point it at a tree of their own). 0 with *nodes
 * (malloc'd) and *nr; -ENOENT with why in err when there is no node
 * directory or a node's vmstat has no such line; -EINVAL for a line that
 * is not "<item> <decimal>"; other -errno from reading.
 */
int kvs_nodes_read(const char *root, struct kvs_node_shadow **nodes, size_t *nr, char *err,
		   size_t errlen);

#endif /* KVS_NODES_H */
