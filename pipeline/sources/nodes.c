// SPDX-License-Identifier: GPL-2.0
/* Per-node shadow from each node's vmstat (see nodes.h). I/O only. */
#include "nodes.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errmsg.h"
#include "numparse.h"

/* "node<N>" with N decimal, no sign or leading zero: N, or -1. */
static long node_number(const char *name)
{
	uint64_t n;

	if (strncmp(name, "node", 4) || (name[4] == '0' && name[5]) ||
	    kvs_parse_u64(name + 4, 0, 1u << 20, &n))
		return -1;
	return (long)n;
}

/* The item's value in one node's vmstat. 0, -ENODATA (no such line), -EINVAL or -errno. */
static int node_value(const char *path, uint64_t *pages)
{
	FILE *f = fopen(path, "re");
	size_t cap = 0, klen = strlen(KVS_NODE_SHADOW_ITEM);
	char *line = NULL;
	int ret = -ENODATA;

	if (!f)
		return -errno;
	while (ret == -ENODATA && getline(&line, &cap, f) > 0) {
		if (strncmp(line, KVS_NODE_SHADOW_ITEM, klen) || line[klen] != ' ')
			continue;
		line[strcspn(line, "\n")] = '\0';
		ret = kvs_parse_u64(line + klen + 1, 0, UINT64_MAX, pages) ? -EINVAL : 0;
	}
	if (ret == -ENODATA && ferror(f))
		ret = -EIO;
	free(line);
	fclose(f);
	return ret;
}

static int cmp_node(const void *a, const void *b)
{
	const struct kvs_node_shadow *x = a, *y = b;

	return x->node < y->node ? -1 : x->node > y->node;
}

int kvs_nodes_read(const char *root, struct kvs_node_shadow **nodes, size_t *nr, char *err,
		   size_t errlen)
{
	struct kvs_node_shadow *v = NULL;
	size_t n = 0, cap = 0;
	struct dirent *d;
	char *path = NULL;
	DIR *dir;
	int ret = 0;

	*nodes = NULL;
	*nr = 0;
	root = root ? root : KVS_NODES_ROOT;
	dir = opendir(root);
	if (!dir) {
		ret = -errno;
		return kvs_err(err, errlen, ret, "%s: %s (no NUMA nodes to read)", root,
			       strerror(-ret));
	}
	while (!ret && (errno = 0, d = readdir(dir))) {
		long node = node_number(d->d_name);

		if (node < 0)
			continue;
		if (n == cap) {
			struct kvs_node_shadow *m = realloc(v, (cap ? cap * 2 : 8) * sizeof(*v));

			if (!m) {
				ret = kvs_err(err, errlen, -ENOMEM, "out of memory");
				break;
			}
			v = m;
			cap = cap ? cap * 2 : 8;
		}
		free(path);
		if (asprintf(&path, "%s/%s/vmstat", root, d->d_name) < 0) {
			path = NULL;
			ret = kvs_err(err, errlen, -ENOMEM, "out of memory");
			break;
		}
		v[n].node = (unsigned int)node;
		ret = node_value(path, &v[n].shadow_pages);
		if (ret == -ENODATA)
			ret = kvs_err(err, errlen, -ENOENT, "%s has no %s (a kernel without the "
				      "kvshadow series)", path, KVS_NODE_SHADOW_ITEM);
		else if (ret == -EINVAL)
			ret = kvs_err(err, errlen, ret, "%s: %s is not a number", path,
				      KVS_NODE_SHADOW_ITEM);
		else if (ret)
			ret = kvs_err(err, errlen, ret, "%s: %s", path, strerror(-ret));
		else
			n++;
	}
	if (!ret && errno)
		ret = kvs_err(err, errlen, -errno, "%s: %s", root, strerror(errno));
	closedir(dir);
	free(path);
	if (!ret && !n)
		ret = kvs_err(err, errlen, -ENOENT, "%s: no node directory", root);
	if (ret) {
		free(v);
		return ret;
	}
	qsort(v, n, sizeof(*v), cmp_node);
	*nodes = v;
	*nr = n;
	return 0;
}
