/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Estimate mode's source: the vmap area events of the BPF ring buffer
 * replayed through the shadow model (estimate.c), seeded from
 * /proc/vmallocinfo, with the attribution the events carry. When events
 * were lost it swaps in a bigger ring buffer and re-seeds the model from
 * the kernel's current areas, so one burst does not spoil every later
 * number.
 */
#ifndef KVS_SRC_ESTIMATE_H
#define KVS_SRC_ESTIMATE_H

#include <stdint.h>

#include "snapshot.h"

struct kvs_est_src;

/* Names an event's caller from its ip, stackid and flags (enum kvs_caller_flags). */
typedef const char *(*kvs_caller_fn)(void *ctx, uint64_t ip, int32_t stackid, uint32_t flags);

/*
 * Start: rings_fd is the BPF array of maps whose slot 0 the programs write
 * to, ring_fd the ring buffer in it now. Seeds the model. 0 or -errno with
 * err (-EACCES: /proc/vmallocinfo hides the addresses).
 */
int kvs_est_src_open(struct kvs_est_src **esp, int rings_fd, int ring_fd, long page_size,
		     kvs_caller_fn caller, void *ctx, char *err, size_t errlen);
int kvs_est_src_fd(struct kvs_est_src *es);
/* Replay waiting events for at most budget_s seconds. 0 or -errno. */
int kvs_est_src_drain(struct kvs_est_src *es, double budget_s);
/*
 * Fill r's estimate part and attribution. events_lost is the programs'
 * count: when it grew, grow the ring buffer and re-seed first.
 */
int kvs_est_src_read(struct kvs_est_src *es, uint64_t events_lost, struct kvs_reading *r,
		     char *err, size_t errlen);
void kvs_est_src_close(struct kvs_est_src *es);

#endif /* KVS_SRC_ESTIMATE_H */
