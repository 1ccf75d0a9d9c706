// SPDX-License-Identifier: GPL-2.0
/*
 * The per-node shadow reader (pipeline/sources/nodes.c) on sysfs trees of
 * our own in a temporary directory: the input data the kernel would show
 * (node<N>/vmstat files and the other entries /sys/devices/system/node
 * has), not a mock of the kernel.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "nodes.h"

struct tree {
	char root[64];
};

static void put(const struct tree *t, const char *rel, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", t->root, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static void dir(const struct tree *t, const char *rel)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", t->root, rel);
	assert_int_equal(mkdir(path, 0755), 0);
}

static int setup(void **state)
{
	struct tree *t = calloc(1, sizeof(*t));

	if (!t)
		return -1;
	snprintf(t->root, sizeof(t->root), "%s/kvs-nodes.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(t->root))
		return -1;
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct tree *t = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->root);
	assert_int_equal(system(cmd), 0);
	free(t);
	return 0;
}

/* As the kernel's per-node vmstat: other items around it, the item once. */
static const char vmstat0[] = "nr_inactive_anon 12\nnr_kasan_vmalloc_shadow_x 99\n"
			      "nr_kasan_vmalloc_shadow 40\nnr_zspages 0\n";

static void test_nodes_sorted(void **state)
{
	struct tree *t = *state;
	struct kvs_node_shadow *n;
	char err[256] = "";
	size_t nr;

	/* node10 sorts after node2 by number, not by name; the rest is not a node. */
	dir(t, "node0");
	dir(t, "node2");
	dir(t, "node10");
	dir(t, "power");
	put(t, "node0/vmstat", vmstat0);
	put(t, "node2/vmstat", "nr_kasan_vmalloc_shadow 0\n");
	put(t, "node10/vmstat", "nr_kasan_vmalloc_shadow 18446744073709551615");
	put(t, "possible", "0-63\n");
	put(t, "has_memory", "0,2,10\n");
	assert_int_equal(kvs_nodes_read(t->root, &n, &nr, err, sizeof(err)), 0);
	assert_int_equal(nr, 3);
	assert_int_equal(n[0].node, 0);
	assert_int_equal(n[0].shadow_pages, 40);
	assert_int_equal(n[1].node, 2);
	assert_int_equal(n[1].shadow_pages, 0);
	assert_int_equal(n[2].node, 10);
	assert_true(n[2].shadow_pages == UINT64_MAX);
	free(n);
}

/* A kernel without the series: no such line; the reader says which file and what. */
static void test_no_item(void **state)
{
	struct tree *t = *state;
	struct kvs_node_shadow *n = (void *)1;
	char err[256] = "";
	size_t nr = 7;

	dir(t, "node0");
	dir(t, "node1");
	put(t, "node0/vmstat", vmstat0);
	put(t, "node1/vmstat", "nr_inactive_anon 12\nnr_kasan_vmalloc_shadow_x 5\n");
	assert_int_equal(kvs_nodes_read(t->root, &n, &nr, err, sizeof(err)), -ENOENT);
	assert_null(n);
	assert_int_equal(nr, 0);
	assert_non_null(strstr(err, "node1/vmstat has no nr_kasan_vmalloc_shadow"));
}

static void test_bad_values(void **state)
{
	static const char *const bad[] = {
		"nr_kasan_vmalloc_shadow -5\n", "nr_kasan_vmalloc_shadow \n",
		"nr_kasan_vmalloc_shadow 12x\n", "nr_kasan_vmalloc_shadow 18446744073709551616\n",
		"nr_kasan_vmalloc_shadow  7\n",
	};
	struct tree *t = *state;
	struct kvs_node_shadow *n;
	char err[256];
	size_t nr;

	dir(t, "node0");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		put(t, "node0/vmstat", bad[i]);
		err[0] = '\0';
		assert_int_equal(kvs_nodes_read(t->root, &n, &nr, err, sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, "is not a number"));
	}
}

/* No node directory (no NUMA in sysfs) or no tree at all: -ENOENT with why. */
static void test_no_nodes(void **state)
{
	struct tree *t = *state;
	struct kvs_node_shadow *n;
	char err[256] = "", path[128];
	size_t nr;

	dir(t, "node");		/* not node<N> */
	dir(t, "node01");	/* leading zero: the kernel never names one so */
	dir(t, "nodex");
	put(t, "possible", "0\n");
	assert_int_equal(kvs_nodes_read(t->root, &n, &nr, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "no node directory"));
	snprintf(path, sizeof(path), "%s/missing", t->root);
	assert_int_equal(kvs_nodes_read(path, &n, &nr, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "missing"));
	/* A node whose vmstat cannot be read. */
	dir(t, "node3");
	assert_int_equal(kvs_nodes_read(t->root, &n, &nr, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "node3/vmstat: No such file or directory"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_nodes_sorted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_item, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_values, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_nodes, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
