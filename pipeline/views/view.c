// SPDX-License-Identifier: GPL-2.0
/* What more than one view does alike (see view.h). */
#include <stdlib.h>

#include "view.h"

size_t kvs_view_fold(const struct kvs_model *m, const struct kvs_options *o,
		     struct kvs_top_entry **rows, struct kvs_top_entry *other)
{
	size_t n = o->rows;

	*rows = n ? calloc(n, sizeof(**rows)) : NULL;
	if (!*rows)
		n = 0;
	return kvs_top_fold(kvs_model_top(m, o->by), n, o->sort, *rows, other);
}
