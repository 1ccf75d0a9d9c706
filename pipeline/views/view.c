// SPDX-License-Identifier: GPL-2.0
/* What more than one view does alike (see view.h). */
#include <errno.h>
#include <stdlib.h>

#include "errmsg.h"
#include "view.h"

/* The state of a view that keeps nothing but its options. */
struct opts_state {
	const struct kvs_options *opts;
};

int kvs_view_open_opts(const struct kvs_options *opts, void **state, char *err, size_t errlen)
{
	struct opts_state *s = calloc(1, sizeof(*s));

	if (!s)
		return kvs_err(err, errlen, -ENOMEM, "out of memory");
	s->opts = opts;
	*state = s;
	return 0;
}

const struct kvs_options *kvs_view_opts(const void *state)
{
	return ((const struct opts_state *)state)->opts;
}

void kvs_view_close_opts(void *state)
{
	free(state);
}

size_t kvs_view_fold(const struct kvs_model *m, const struct kvs_options *o,
		     struct kvs_top_entry **rows, struct kvs_top_entry *other)
{
	size_t n = o->rows;

	*rows = n ? calloc(n, sizeof(**rows)) : NULL;
	if (!*rows)
		n = 0;
	return kvs_top_fold(kvs_model_top(m, o->by), n, o->sort, *rows, other);
}
