/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A recording's summary (report prints it, diff compares two): the run's
 * last interval object, which holds the totals since start and the
 * latency percentiles over the whole run, without the per-interval keys,
 * plus what only the whole run knows (the highest shadow_pages and when).
 */
#ifndef KVS_SUMMARY_H
#define KVS_SUMMARY_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "recording.h"

struct kvs_summary_acc {
	unsigned long intervals;
	double start_ts, end_ts;
	bool have_max;			/* shadow_pages known at least once */
	uint64_t max_pages;		/* the highest shadow_pages of any interval */
	double max_ts;			/* the interval that had it */
	bool have_lazy_max;		/* purge.lazy_pages known at least once */
	uint64_t lazy_max_pages;	/* its highest: the run's worst lazy backlog */
	json_t *last;			/* the last interval object (a reference) */
};

/* Take one interval object in (it keeps a reference to the last). */
void kvs_summary_add(struct kvs_summary_acc *a, json_t *object);
/*
 * The summary object ({"event":"summary", ...}; complete: the file had its
 * end line); NULL: no memory. Frees what a holds.
 */
json_t *kvs_summary_json(struct kvs_summary_acc *a, const struct kvs_rec_header *h,
			 bool complete);
/* The summary for people: a block of text. 0 or -errno. */
int kvs_summary_text(FILE *f, json_t *summary, const char *file);
/* The numbers of a JSON value that is a number (integer or real); false for others. */
bool kvs_json_number(json_t *v, double *out);

#endif /* KVS_SUMMARY_H */
