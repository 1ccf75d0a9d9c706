/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the unit tests of the pipeline: readings are what sources
 * would read; fold() runs them through the pure step and the model, as the
 * run loop does. Include after <cmocka.h>.
 */
#ifndef KVS_TEST_H
#define KVS_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "snapshot.h"
#include "view.h"

/* now (and the baseline base, or NULL) through kvs_snapshot_compute() into m. */
static inline void fold(struct kvs_model *m, enum kvs_mode mode, const struct kvs_reading *now,
			const struct kvs_reading *base)
{
	struct kvs_snapshot s;

	assert_int_equal(kvs_snapshot_compute(mode, now, base, &s), 0);
	assert_int_equal(kvs_model_update(m, &s), 0);
	kvs_snapshot_free(&s);
}

/* A reading of the debugfs file as it reads now. */
static inline void debugfs_reading(struct kvs_reading *r, double mono, uint64_t shadow,
				   uint64_t peak, uint64_t populated, uint64_t released,
				   uint64_t allocated, uint64_t pcalls, uint64_t failures,
				   uint64_t rcalls)
{
	memset(r, 0, sizeof(*r));
	r->mono = mono;
	r->ts = 1700000000 + mono;
	r->have_debugfs = true;
	r->debugfs = (struct kvs_counters){ .shadow_pages = shadow, .shadow_pages_peak = peak,
		.pages_populated = populated, .pages_released = released,
		.pages_allocated = allocated, .populate_calls = pcalls,
		.populate_failures = failures, .release_calls = rcalls };
}

/* A debugfs reading (63 shadow pages) with the kernel's count per node. */
static inline void nodes_reading(struct kvs_reading *r, double mono, struct kvs_node_shadow *nodes,
				 size_t n)
{
	debugfs_reading(r, mono, 63, 70, 140, 77, 148, 37, 2, 6);
	r->have_nodes = true;
	r->nodes = nodes;
	r->nr_nodes = n;
}

/* Whether haystack holds needle; a readable failure when not. */
static inline void assert_contains(const char *haystack, const char *needle)
{
	if (!haystack || !strstr(haystack, needle))
		fail_msg("\"%s\" does not contain \"%s\"", haystack ? haystack : "(null)", needle);
}

/* What a view's update() writes to stdout, captured. */
static inline char *capture(const struct kvs_view_ops *ops, const struct kvs_options *o,
			    const struct kvs_model *m)
{
	char *buf = NULL, err[256] = "";
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len), *saved = stdout;
	void *state;

	assert_non_null(f);
	assert_int_equal(ops->open(o, &state, err, sizeof(err)), 0);
	stdout = f;
	assert_int_equal(ops->update(state, m, err, sizeof(err)), 0);
	stdout = saved;
	ops->close(state);
	assert_int_equal(fclose(f), 0);
	return buf;
}

#endif /* KVS_TEST_H */
