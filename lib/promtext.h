/* SPDX-License-Identifier: GPL-2.0 */
/*
 * promtext: a writer for the Prometheus text exposition format 0.0.4.
 *
 * Output goes to a growable memory buffer so the caller can hand the whole
 * file to atomicfile_write() in one step. Every call either writes all of
 * what it was asked or nothing, and returns 0 or a negative errno;
 * promtext_error() then says why in words.
 *
 * Rules enforced (they are what node_exporter and `promtool check metrics`
 * accept without complaint): valid metric and label names, HELP and TYPE
 * for every family, counters end in _total and nothing else does, no family
 * or series written twice, histogram buckets increasing with +Inf equal to
 * _count, label values and HELP escaped, valid UTF-8, no timestamps.
 */
#ifndef KVSHADOW_PROMTEXT_H
#define KVSHADOW_PROMTEXT_H

#include <stddef.h>
#include <stdint.h>

enum promtext_type {
	PROMTEXT_GAUGE,
	PROMTEXT_COUNTER,
	PROMTEXT_HISTOGRAM,
};

struct promtext_label {
	const char *name;
	const char *value;
};

struct promtext;

/* NULL when out of memory. */
struct promtext *promtext_new(void);
void promtext_free(struct promtext *pt);

/* Starts a family: writes its HELP and TYPE lines. */
int promtext_family(struct promtext *pt, const char *name,
		    enum promtext_type type, const char *help);

/* One sample of the current gauge or counter family. */
int promtext_sample(struct promtext *pt, const struct promtext_label *labels,
		    size_t nlabels, double value);

/*
 * One series of the current histogram family. bounds[] are the finite bucket
 * upper bounds, strictly increasing; cumulative[i] counts observations
 * <= bounds[i]. The +Inf bucket is written from count.
 */
int promtext_histogram(struct promtext *pt,
		       const struct promtext_label *labels, size_t nlabels,
		       const double *bounds, const uint64_t *cumulative,
		       size_t nbounds, double sum, uint64_t count);

/*
 * The finished text, owned by pt (valid until the next write or
 * promtext_free). Fails when nothing was written.
 */
int promtext_finish(struct promtext *pt, const char **data, size_t *len);

/* Why the last failing call failed; "" if none did. */
const char *promtext_error(const struct promtext *pt);

#endif
