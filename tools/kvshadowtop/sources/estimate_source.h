/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Estimate mode's source: the vmap area events of the BPF ring buffer
 * replayed through the shadow estimate (estimate.c), seeded from
 * /proc/vmallocinfo, with the attribution the events carry. When events
 * were lost it swaps in a bigger ring buffer and re-seeds the estimate from
 * the kernel's current areas, so one burst does not spoil every later
 * number.
 */
#ifndef KVS_ESTIMATE_SOURCE_H
#define KVS_ESTIMATE_SOURCE_H

#include <stdint.h>

#include "snapshot.h"

struct kvs_estimate_source;

/* Names an event's caller from its ip, stackid and flags (enum kvs_caller_flags). */
typedef const char *(*kvs_caller_fn)(void *ctx, uint64_t ip, int32_t stackid, uint32_t flags);

/*
 * Start: rings_fd is the BPF array of maps whose slot 0 the programs write
 * to, ring_fd the ring buffer in it now; rows: how many callers and how
 * many processes it keeps (the rest counted as dropped). Seeds the
 * estimate. 0 or -errno with err (-EACCES: /proc/vmallocinfo hides the
 * addresses).
 */
int kvs_estimate_source_open(struct kvs_estimate_source **esp, int rings_fd, int ring_fd,
			     long page_size, unsigned int rows, kvs_caller_fn caller, void *ctx,
			     char *err, size_t errlen);
/* The kernel purges as 6.1 does (no vmalloc events): kvs_estimate.merged_purges. */
void kvs_estimate_source_merged_purges(struct kvs_estimate_source *es);
/*
 * The lazy-purge backlog of the last FREE record replayed (have_lazy false:
 * none reported since the start), stale when a purge was replayed after it.
 */
void kvs_estimate_source_lazy(const struct kvs_estimate_source *es, struct kvs_purge *p);
int kvs_estimate_source_fd(struct kvs_estimate_source *es);
/* Replay waiting events for at most budget_s seconds. 0 or -errno. */
int kvs_estimate_source_drain(struct kvs_estimate_source *es, double budget_s);
/*
 * Fill r's estimate part and attribution. events_lost is the programs'
 * count: when it grew, grow the ring buffer and re-seed first.
 */
int kvs_estimate_source_read(struct kvs_estimate_source *es, uint64_t events_lost,
			     struct kvs_reading *r, char *err, size_t errlen);
void kvs_estimate_source_close(struct kvs_estimate_source *es);

#endif /* KVS_ESTIMATE_SOURCE_H */
